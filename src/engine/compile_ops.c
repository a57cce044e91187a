/* Translation of numeric, memory, table and reference instructions, with their validation. */
#include <string.h>

#include "engine/ops_translate.h"

/* Conversions 0xA7..0xBF: operand and result types. */
static const uint8_t conversions[][2] = {
    {BW_I64, BW_I32}, {BW_F32, BW_I32}, {BW_F32, BW_I32}, {BW_F64, BW_I32}, {BW_F64, BW_I32},
    {BW_I32, BW_I64}, {BW_I32, BW_I64}, {BW_F32, BW_I64}, {BW_F32, BW_I64}, {BW_F64, BW_I64},
    {BW_F64, BW_I64}, {BW_I32, BW_F32}, {BW_I32, BW_F32}, {BW_I64, BW_F32}, {BW_I64, BW_F32},
    {BW_F64, BW_F32}, {BW_I32, BW_F64}, {BW_I32, BW_F64}, {BW_I64, BW_F64}, {BW_I64, BW_F64},
    {BW_F32, BW_F64}, {BW_F32, BW_I32}, {BW_F64, BW_I64}, {BW_I32, BW_F32}, {BW_I64, BW_F64},
};

bool bw_tr_numeric_signature(uint8_t op, bw_signature *s)
{
    static const struct {
        uint8_t first, last, in1, binary, out;
    } ranges[] = {
        {0x45, 0x45, BW_I32, 0, BW_I32}, {0x46, 0x4F, BW_I32, 1, BW_I32},
        {0x50, 0x50, BW_I64, 0, BW_I32}, {0x51, 0x5A, BW_I64, 1, BW_I32},
        {0x5B, 0x60, BW_F32, 1, BW_I32}, {0x61, 0x66, BW_F64, 1, BW_I32},
        {0x67, 0x69, BW_I32, 0, BW_I32}, {0x6A, 0x78, BW_I32, 1, BW_I32},
        {0x79, 0x7B, BW_I64, 0, BW_I64}, {0x7C, 0x8A, BW_I64, 1, BW_I64},
        {0x8B, 0x91, BW_F32, 0, BW_F32}, {0x92, 0x98, BW_F32, 1, BW_F32},
        {0x99, 0x9F, BW_F64, 0, BW_F64}, {0xA0, 0xA6, BW_F64, 1, BW_F64},
        {0xC0, 0xC1, BW_I32, 0, BW_I32}, {0xC2, 0xC4, BW_I64, 0, BW_I64},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        if (op >= ranges[i].first && op <= ranges[i].last) {
            s->in1 = ranges[i].in1;
            s->in2 = ranges[i].binary ? ranges[i].in1 : BW_UNKNOWN;
            s->out = ranges[i].out;
            return true;
        }
    }
    if (op >= 0xA7 && op <= 0xBF) {
        s->in1 = conversions[op - 0xA7][0];
        s->in2 = BW_UNKNOWN;
        s->out = conversions[op - 0xA7][1];
        return true;
    }
    return false;
}

/* The operation taking a constant right operand in imm instead of `op`, or 0 if none. */
static unsigned immediate_form(unsigned op)
{
    static const struct {
        uint16_t op, imm_op;
    } forms[] = {
        {BW_OP_I32_ADD, BW_OP_I32_ADD_IMM},     {BW_OP_I32_SUB, BW_OP_I32_SUB_IMM},
        {BW_OP_I32_MUL, BW_OP_I32_MUL_IMM},     {BW_OP_I32_AND, BW_OP_I32_AND_IMM},
        {BW_OP_I32_OR, BW_OP_I32_OR_IMM},       {BW_OP_I32_XOR, BW_OP_I32_XOR_IMM},
        {BW_OP_I32_SHL, BW_OP_I32_SHL_IMM},     {BW_OP_I32_SHR_S, BW_OP_I32_SHR_S_IMM},
        {BW_OP_I32_SHR_U, BW_OP_I32_SHR_U_IMM}, {BW_OP_I32_ROTL, BW_OP_I32_ROTL_IMM},
        {BW_OP_I32_ROTR, BW_OP_I32_ROTR_IMM},   {BW_OP_I32_EQ, BW_OP_I32_EQ_IMM},
        {BW_OP_I32_NE, BW_OP_I32_NE_IMM},       {BW_OP_I32_LT_S, BW_OP_I32_LT_S_IMM},
        {BW_OP_I32_LT_U, BW_OP_I32_LT_U_IMM},   {BW_OP_I32_GT_S, BW_OP_I32_GT_S_IMM},
        {BW_OP_I32_GT_U, BW_OP_I32_GT_U_IMM},   {BW_OP_I32_LE_S, BW_OP_I32_LE_S_IMM},
        {BW_OP_I32_LE_U, BW_OP_I32_LE_U_IMM},   {BW_OP_I32_GE_S, BW_OP_I32_GE_S_IMM},
        {BW_OP_I32_GE_U, BW_OP_I32_GE_U_IMM},   {BW_OP_I64_ADD, BW_OP_I64_ADD_IMM},
        {BW_OP_I64_SUB, BW_OP_I64_SUB_IMM},     {BW_OP_I64_MUL, BW_OP_I64_MUL_IMM},
        {BW_OP_I64_AND, BW_OP_I64_AND_IMM},     {BW_OP_I64_OR, BW_OP_I64_OR_IMM},
        {BW_OP_I64_XOR, BW_OP_I64_XOR_IMM},     {BW_OP_I64_SHL, BW_OP_I64_SHL_IMM},
        {BW_OP_I64_SHR_S, BW_OP_I64_SHR_S_IMM}, {BW_OP_I64_SHR_U, BW_OP_I64_SHR_U_IMM},
        {BW_OP_I64_EQ, BW_OP_I64_EQ_IMM},       {BW_OP_I64_NE, BW_OP_I64_NE_IMM},
        {BW_OP_I64_LT_S, BW_OP_I64_LT_S_IMM},   {BW_OP_I64_LT_U, BW_OP_I64_LT_U_IMM},
        {BW_OP_I64_GT_S, BW_OP_I64_GT_S_IMM},   {BW_OP_I64_GT_U, BW_OP_I64_GT_U_IMM},
        {BW_OP_F64_ADD, BW_OP_F64_ADD_IMM},     {BW_OP_F64_SUB, BW_OP_F64_SUB_IMM},
        {BW_OP_F64_MUL, BW_OP_F64_MUL_IMM},     {BW_OP_F64_DIV, BW_OP_F64_DIV_IMM},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        if (forms[i].op == op) {
            return forms[i].imm_op;
        }
    }
    return 0;
}

/* Can x and y trade places? (So a constant on the left can become the immediate.) */
static bool commutes(unsigned op)
{
    switch (op) {
    case BW_OP_I32_ADD:
    case BW_OP_I32_MUL:
    case BW_OP_I32_AND:
    case BW_OP_I32_OR:
    case BW_OP_I32_XOR:
    case BW_OP_I32_EQ:
    case BW_OP_I32_NE:
    case BW_OP_I64_ADD:
    case BW_OP_I64_MUL:
    case BW_OP_I64_AND:
    case BW_OP_I64_OR:
    case BW_OP_I64_XOR:
    case BW_OP_I64_EQ:
    case BW_OP_I64_NE:
    case BW_OP_F64_ADD: /* IEEE addition and multiplication commute, NaN payloads aside */
    case BW_OP_F64_MUL:
        return true;
    }
    return false;
}

/* The operation taking a constant left operand in imm, for operations that do not commute. */
static unsigned left_immediate_form(unsigned op)
{
    return op == BW_OP_F64_SUB ? BW_OP_F64_IMM_SUB : op == BW_OP_F64_DIV ? BW_OP_F64_IMM_DIV : 0;
}

/* Pops the operands of `s`, pushes its result and emits `op` on them. */
static void emit_operation(bw_translator *t, unsigned op, const bw_signature *s)
{
    if (s->in2 == BW_UNKNOWN) {
        bw_operand x = bw_tr_pop(t, s->in1);
        uint32_t xs = bw_tr_use(t, &x);
        uint32_t dst = bw_tr_push(t, s->out);
        bw_tr_emit(t, op, dst, xs, 0, 0, 0);
        return;
    }
    bw_operand y = bw_tr_pop(t, s->in2);
    bw_operand x = bw_tr_pop(t, s->in1);
    unsigned imm_op = immediate_form(op);
    if (imm_op != 0 && x.where == BW_IN_CONST && y.where != BW_IN_CONST && commutes(op)) {
        bw_operand swap = x;
        x = y;
        y = swap;
    }
    unsigned left_op = left_immediate_form(op);
    if (left_op != 0 && x.where == BW_IN_CONST && y.where != BW_IN_CONST) {
        uint32_t ys = bw_tr_use(t, &y);
        uint32_t dst = bw_tr_push(t, s->out);
        bw_tr_emit(t, left_op, dst, ys, 0, 0, x.value);
        return;
    }
    if (imm_op != 0 && y.where == BW_IN_CONST) {
        uint32_t xs = bw_tr_use(t, &x);
        uint32_t dst = bw_tr_push(t, s->out);
        bw_tr_emit(t, imm_op, dst, xs, 0, 0, y.value);
        return;
    }
    uint32_t xs = bw_tr_use(t, &x), ys = bw_tr_use(t, &y);
    uint32_t dst = bw_tr_push(t, s->out);
    if (!bw_tr_fuse_chain(t, op, xs, ys, dst)) {
        bw_tr_emit(t, op, dst, xs, ys, 0, 0);
    }
}

/* Retypes the top operand in place: the bits are the value. */
static void retype(bw_translator *t, const bw_signature *s)
{
    bw_operand x = bw_tr_pop(t, s->in1);
    if (t->status == BW_OK) {
        bw_tr_push(t, s->out);
        if (t->status == BW_OK) {
            bw_operand *top = &t->stack[t->sp - 1];
            top->where = x.where;
            top->value = x.value;
            if (x.where != BW_IN_SLOT) {
                top->slot = x.slot;
            }
        }
    }
}

static void push_constant(bw_translator *t, uint8_t op)
{
    if (op == 0x41) {
        int32_t v;
        if (bw_tr_s32(t, &v)) {
            bw_tr_push_const(t, BW_I32, (uint32_t)v);
        }
    } else if (op == 0x42) {
        int64_t v;
        if (bw_tr_s64(t, &v)) {
            bw_tr_push_const(t, BW_I64, (uint64_t)v);
        }
    } else {
        size_t size = op == 0x43 ? 4 : 8;
        uint8_t bytes[8] = {0};
        uint64_t bits = 0;
        if ((size_t)(t->end - t->p) < size) {
            bw_tr_fail(t, BW_ERR_MALFORMED, "unexpected end");
            return;
        }
        memcpy(bytes, t->p, size);
        t->p += size;
        for (size_t i = size; i-- > 0;) {
            bits = bits << 8 | bytes[i];
        }
        bw_tr_push_const(t, op == 0x43 ? BW_F32 : BW_F64, bits);
    }
}

bool bw_tr_numeric(bw_translator *t, uint8_t op)
{
    bw_signature s;
    if (op >= 0x41 && op <= 0x44) {
        push_constant(t, op);
        return true;
    }
    if (!bw_tr_numeric_signature(op, &s)) {
        return false;
    }
    if (op == 0xA7 || (op >= 0xBC && op <= 0xBF)) {
        retype(t, &s); /* i32.wrap_i64 and reinterpretations: the cell holds the answer */
    } else {
        emit_operation(t, op, &s);
    }
    return true;
}

static bool need_memory(bw_translator *t, uint32_t index)
{
    if (index >= t->module->nmemories) {
        bw_tr_fail(t, BW_ERR_INVALID, "unknown memory 0");
        return false;
    }
    return true;
}

/* Reads a memarg and checks it against the access width (log2 bytes). */
static bool read_memarg(bw_translator *t, unsigned log_width, uint32_t *offset)
{
    uint32_t align;
    if (!bw_tr_u32(t, &align) || !bw_tr_u32(t, offset) || !need_memory(t, 0)) {
        return false;
    }
    if (align >= 32) {
        bw_tr_fail(t, BW_ERR_MALFORMED, "malformed memop flags");
        return false;
    }
    if (align > log_width) {
        bw_tr_fail(t, BW_ERR_INVALID, "alignment must not be larger than natural");
        return false;
    }
    return true;
}

static bool zero_byte(bw_translator *t)
{
    uint8_t b;
    if (!bw_tr_byte(t, &b)) {
        return false;
    }
    if (b != 0) {
        bw_tr_fail(t, BW_ERR_MALFORMED, "zero byte expected");
        return false;
    }
    return true;
}

/* A load or store (plain, _AR or _AI) in the translator's bounds mode: guarded code leaves
 * the check to the memory's guard pages, which only works once the fault handler is in. */
static unsigned bounds_op(const bw_translator *t, unsigned op)
{
    if (!t->guard_pages || !bw_guard_ready()) {
        return op;
    }
    if (op >= BW_OP_I32_LOAD && op <= BW_OP_I64_STORE32) {
        return BW_OP_I32_LOAD_G + (op - BW_OP_I32_LOAD);
    }
    return BW_OP_I32_LOAD_AR_G + (op - BW_OP_I32_LOAD_AR);
}

/* The STORE_K form of store `op` for `value`: a constant that fits in b. 0 if none. */
static unsigned constant_store(uint8_t op, const bw_operand *value)
{
    if (value->where != BW_IN_CONST || value->value > UINT32_MAX) {
        return 0;
    }
    switch (op) {
    case BW_OP_I32_STORE:
        return BW_OP_I32_STORE_K;
    case BW_OP_I32_STORE8:
        return BW_OP_I32_STORE8_K;
    case BW_OP_I32_STORE16:
        return BW_OP_I32_STORE16_K;
    case BW_OP_I64_STORE:
        return BW_OP_I64_STORE_K;
    default:
        return 0;
    }
}

/* An i32 load whose address cell (plus the constant `addend`) the I32_SHL_IMM just before
 * made into a temporary: one I32_LOAD_SHL. Not when a branch lands after the shift. */
static bool fold_scaled_load(bw_translator *t, uint32_t base, uint32_t addend, uint32_t offset)
{
    if (base < t->nlocals || t->ncode == 0 || t->label_at >= t->ncode) {
        return false;
    }
    const bw_insn *shl = &t->code[t->ncode - 1];
    if ((unsigned)(uintptr_t)shl->handler != BW_OP_I32_SHL_IMM || shl->a != base) {
        return false;
    }
    uint32_t x = shl->b, count = (uint32_t)shl->imm & 31;
    t->ncode--;
    uint32_t dst = bw_tr_push(t, BW_I32);
    bw_tr_emit(t, BW_OP_I32_LOAD_SHL, dst, x, addend, count, offset);
    return true;
}

/* An address add two instructions before its store, with the one computing the value in
 * between (clang's `p[-k] = v`): the add moves after the value's instruction, which writes
 * only a temporary that is not one of the add's operands, so the store can take it in. */
static bool fold_early_address(bw_translator *t, const bw_operand *addr, const bw_operand *value,
                               uint32_t *base, uint32_t *addend, bool *constant)
{
    if (addr->where != BW_IN_SLOT || addr->slot < t->nlocals || value->slot < t->nlocals ||
        !bw_tr_last_two_join(t)) {
        return false;
    }
    bw_insn *add = &t->code[t->ncode - 2], *last = add + 1;
    unsigned op = (unsigned)(uintptr_t)add->handler;
    *constant = op == BW_OP_I32_ADD_IMM;
    if (add->a != addr->slot || (op != BW_OP_I32_ADD && !*constant) || last->a != value->slot ||
        !bw_tr_writes_only_a((unsigned)(uintptr_t)last->handler) || last->a == add->b ||
        (!*constant && last->a == add->c)) {
        return false;
    }
    *base = add->b;
    *addend = *constant ? (uint32_t)add->imm : add->c;
    *add = *last;
    t->ncode--;
    return true;
}

/* An i32 store of a value the last instruction computed as a cell plus a constant: one
 * I32_STORE*_VI adds both (address a + c, value b + d). The address is a cell plus the
 * constant `addend` (0 when none was folded). */
static bool fold_value_add(bw_translator *t, uint8_t op, uint32_t address, uint32_t addend,
                           const bw_operand *value, uint32_t offset)
{
    unsigned fused = op == BW_OP_I32_STORE     ? BW_OP_I32_STORE_VI
                     : op == BW_OP_I32_STORE8  ? BW_OP_I32_STORE8_VI
                     : op == BW_OP_I32_STORE16 ? BW_OP_I32_STORE16_VI
                                               : 0;
    if (fused == 0 || t->ncode == 0 || t->label_at == t->ncode) {
        return false;
    }
    bw_insn *last = &t->code[t->ncode - 1];
    if ((unsigned)(uintptr_t)last->handler != BW_OP_I32_ADD_IMM || last->a != value->slot) {
        return false;
    }
    uint32_t from = last->b, plus = (uint32_t)last->imm;
    *last = (bw_insn){(const void *)(uintptr_t)fused, address, from, addend, plus, offset};
    return true;
}

/* A store of a value the last instruction computed into a temporary: its address add may
 * be folded from two instructions back, and an i32 value add of a constant into the store.
 * false when neither applies. */
static bool fold_store_of_temp(bw_translator *t, uint8_t op, const bw_operand *addr,
                               const bw_operand *value, uint32_t offset)
{
    if (value->where != BW_IN_SLOT || value->slot < t->nlocals || addr->where == BW_IN_CONST ||
        t->ndead > 0 || t->status != BW_OK) {
        return false;
    }
    uint32_t base = addr->slot, addend = 0;
    bool constant = true;
    bool moved = fold_early_address(t, addr, value, &base, &addend, &constant);
    if (constant && fold_value_add(t, op, base, addend, value, offset)) {
        return true;
    }
    if (!moved) {
        return false;
    }
    unsigned first = constant ? BW_OP_I32_STORE_AI : BW_OP_I32_STORE_AR;
    bw_tr_emit(t, bounds_op(t, first + (op - 0x36u)), base, value->slot, addend, 0, offset);
    return true;
}

/* A load (op 0x28 .. 0x35) whose memarg has been read. */
static void translate_load(bw_translator *t, uint8_t op, uint32_t offset)
{
    static const uint8_t load_type[] = {BW_I32, BW_I64, BW_F32, BW_F64, BW_I32, BW_I32, BW_I32,
                                        BW_I32, BW_I64, BW_I64, BW_I64, BW_I64, BW_I64, BW_I64};
    bw_operand addr = bw_tr_pop(t, BW_I32);
    uint32_t base, addend;
    bool constant;
    if (bw_tr_fold_address(t, &addr, UINT32_MAX, &base, &addend, &constant)) {
        if (op == BW_OP_I32_LOAD && constant && fold_scaled_load(t, base, addend, offset)) {
            return;
        }
        unsigned first = constant ? BW_OP_I32_LOAD_AI : BW_OP_I32_LOAD_AR;
        uint32_t dst = bw_tr_push(t, load_type[op - 0x28]);
        bw_tr_emit(t, bounds_op(t, first + (op - 0x28u)), dst, base, addend, 0, offset);
        return;
    }
    if (op == BW_OP_I32_LOAD && addr.where == BW_IN_SLOT &&
        fold_scaled_load(t, addr.slot, 0, offset)) {
        return;
    }
    uint32_t as = bw_tr_use(t, &addr);
    uint32_t dst = bw_tr_push(t, load_type[op - 0x28]);
    bw_tr_emit(t, bounds_op(t, op), dst, as, 0, 0, offset);
}

/* A store (op 0x36 .. 0x3E) whose memarg has been read. */
static void translate_store(bw_translator *t, uint8_t op, uint32_t offset)
{
    static const uint8_t store_type[] = {BW_I32, BW_I64, BW_F32, BW_F64, BW_I32,
                                         BW_I32, BW_I64, BW_I64, BW_I64};
    bw_operand value = bw_tr_pop(t, store_type[op - 0x36]);
    bw_operand addr = bw_tr_pop(t, BW_I32);
    /* A value still to be written must not clobber an operand of the folded add. */
    uint32_t kept = value.where == BW_IN_CONST ? value.slot : UINT32_MAX, base, addend;
    bool constant;
    if (value.where != BW_IN_SLOT &&
        bw_tr_fold_address(t, &addr, kept, &base, &addend, &constant)) {
        unsigned first = constant ? BW_OP_I32_STORE_AI : BW_OP_I32_STORE_AR;
        unsigned k_op = constant_store(op, &value);
        if (constant && k_op != 0) {
            bw_tr_emit(t, k_op, base, (uint32_t)value.value, addend, 0, offset);
            return;
        }
        uint32_t vs = bw_tr_use(t, &value);
        bw_tr_emit(t, bounds_op(t, first + (op - 0x36u)), base, vs, addend, 0, offset);
        return;
    }
    if (fold_store_of_temp(t, op, &addr, &value, offset) ||
        (op == BW_OP_F64_STORE && bw_tr_fold_f64_store(t, &addr, &value, offset)) ||
        (op == BW_OP_I32_STORE && bw_tr_fold_swap(t, &addr, &value, offset))) {
        return;
    }
    unsigned k_op = constant_store(op, &value);
    if (k_op != 0) {
        bw_tr_emit(t, k_op, bw_tr_use(t, &addr), (uint32_t)value.value, 0, 0, offset);
        return;
    }
    uint32_t as = bw_tr_use(t, &addr), vs = bw_tr_use(t, &value);
    bw_tr_emit(t, bounds_op(t, op), as, vs, 0, 0, offset);
}

bool bw_tr_memory(bw_translator *t, uint8_t op)
{
    /* log2 width of loads 0x28.. and stores 0x36.. */
    static const uint8_t load_width[] = {2, 3, 2, 3, 0, 0, 1, 1, 0, 0, 1, 1, 2, 2};
    static const uint8_t store_width[] = {2, 3, 2, 3, 0, 1, 0, 1, 2};
    uint32_t offset;
    if (op >= 0x28 && op <= 0x35) {
        if (read_memarg(t, load_width[op - 0x28], &offset)) {
            translate_load(t, op, offset);
        }
    } else if (op >= 0x36 && op <= 0x3E) {
        if (read_memarg(t, store_width[op - 0x36], &offset)) {
            translate_store(t, op, offset);
        }
    } else if (op == 0x3F || op == 0x40) {
        if (zero_byte(t) && need_memory(t, 0)) {
            uint32_t delta = 0;
            if (op == 0x40) {
                bw_operand d = bw_tr_pop(t, BW_I32);
                delta = bw_tr_use(t, &d);
            }
            bw_tr_emit(t, op, bw_tr_push(t, BW_I32), delta, 0, 0, 0);
        }
    } else {
        return false;
    }
    return true;
}

static bool need_table(bw_translator *t, uint32_t index)
{
    if (index >= t->module->ntables) {
        bw_tr_fail(t, BW_ERR_INVALID, "unknown table");
        return false;
    }
    return true;
}

bool bw_tr_reference(bw_translator *t, uint8_t op)
{
    uint32_t index;
    uint8_t type;
    if (op == 0xD0) { /* ref.null t */
        if (bw_tr_byte(t, &type)) {
            if (!bw_tr_is_ref(type)) {
                bw_tr_fail(t, BW_ERR_MALFORMED, "malformed reference type");
                return true;
            }
            bw_tr_push_const(t, type, 0);
        }
    } else if (op == 0xD1) { /* ref.is_null */
        bw_operand x = bw_tr_pop(t, BW_UNKNOWN);
        if (x.type != BW_UNKNOWN && !bw_tr_is_ref(x.type)) {
            bw_tr_fail(t, BW_ERR_INVALID, "type mismatch");
        }
        uint32_t xs = bw_tr_use(t, &x);
        bw_tr_emit(t, BW_OP_REF_IS_NULL, bw_tr_push(t, BW_I32), xs, 0, 0, 0);
    } else if (op == 0xD2) { /* ref.func x */
        if (!bw_tr_u32(t, &index)) {
            return true;
        }
        if (index >= t->module->nfuncs) {
            bw_tr_fail(t, BW_ERR_INVALID, "unknown function");
        } else if (!t->module->func_declared[index]) {
            bw_tr_fail(t, BW_ERR_INVALID, "undeclared function reference");
        } else {
            bw_tr_emit(t, BW_OP_REF_FUNC, bw_tr_push(t, BW_FUNCREF), 0, 0, 0, index);
        }
    } else if (op == 0x25 || op == 0x26) { /* table.get, table.set */
        if (!bw_tr_u32(t, &index) || !need_table(t, index)) {
            return true;
        }
        type = t->module->tables[index].elem;
        if (op == 0x25) {
            bw_operand i = bw_tr_pop(t, BW_I32);
            uint32_t is = bw_tr_use(t, &i);
            bw_tr_emit(t, BW_OP_TABLE_GET, bw_tr_push(t, type), is, 0, 0, index);
        } else {
            bw_operand v = bw_tr_pop(t, type);
            bw_operand i = bw_tr_pop(t, BW_I32);
            uint32_t is = bw_tr_use(t, &i), vs = bw_tr_use(t, &v);
            bw_tr_emit(t, BW_OP_TABLE_SET, is, vs, 0, 0, index);
        }
    } else {
        return false;
    }
    return true;
}

/* Pops three operands of the given types; returns their cells in a, b, c. */
static void pop3(bw_translator *t, uint8_t ta, uint8_t tb, uint8_t tc, uint32_t cells[3])
{
    bw_operand c = bw_tr_pop(t, tc);
    bw_operand b = bw_tr_pop(t, tb);
    bw_operand a = bw_tr_pop(t, ta);
    cells[0] = bw_tr_use(t, &a);
    cells[1] = bw_tr_use(t, &b);
    cells[2] = bw_tr_use(t, &c);
}

static bool need_data(bw_translator *t, uint32_t index)
{
    const bw_module *m = t->module;
    if (!m->has_data_count && m->ndatas > 0) {
        bw_tr_fail(t, BW_ERR_MALFORMED, "data count section required");
        return false;
    }
    if (index >= (m->has_data_count ? m->data_count : 0)) {
        bw_tr_fail(t, BW_ERR_INVALID, "unknown data segment");
        return false;
    }
    return true;
}

static bool need_elem(bw_translator *t, uint32_t index)
{
    if (index >= t->module->nelems) {
        bw_tr_fail(t, BW_ERR_INVALID, "unknown elem segment");
        return false;
    }
    return true;
}

/* memory.init 8, data.drop 9, memory.copy 10, memory.fill 11 */
static void translate_bulk_memory(bw_translator *t, uint32_t sub)
{
    uint32_t index = 0, cells[3];
    if ((sub == 8 || sub == 9) && !bw_tr_u32(t, &index)) {
        return;
    }
    if ((sub == 8 || sub == 10 || sub == 11) && !zero_byte(t)) {
        return;
    }
    if (sub == 10 && !zero_byte(t)) {
        return;
    }
    if (sub != 9 && !need_memory(t, 0)) {
        return;
    }
    if ((sub == 8 || sub == 9) && !need_data(t, index)) {
        return;
    }
    if (sub == 9) {
        bw_tr_emit(t, BW_OP_DATA_DROP, 0, 0, 0, 0, index);
        return;
    }
    pop3(t, BW_I32, BW_I32, BW_I32, cells);
    bw_tr_emit(t, 0xE0 + sub, cells[0], cells[1], cells[2], 0, index);
}

static void translate_table_op(bw_translator *t, uint32_t sub)
{
    uint32_t x, y = 0, cells[3];
    if (!bw_tr_u32(t, &x)) {
        return;
    }
    if (sub == 12 || sub == 14) { /* table.init elem table, table.copy dst src */
        if (!bw_tr_u32(t, &y)) {
            return;
        }
    }
    switch (sub) {
    case 12: /* table.init: x is the segment, y the table */
        if (!need_elem(t, x) || !need_table(t, y)) {
            return;
        }
        if (t->module->elems[x].elem_type != t->module->tables[y].elem) {
            bw_tr_fail(t, BW_ERR_INVALID, "type mismatch");
            return;
        }
        pop3(t, BW_I32, BW_I32, BW_I32, cells);
        bw_tr_emit(t, BW_OP_TABLE_INIT, cells[0], cells[1], cells[2], y, x);
        return;
    case 13:
        if (need_elem(t, x)) {
            bw_tr_emit(t, BW_OP_ELEM_DROP, 0, 0, 0, 0, x);
        }
        return;
    case 14:
        if (!need_table(t, x) || !need_table(t, y)) {
            return;
        }
        if (t->module->tables[x].elem != t->module->tables[y].elem) {
            bw_tr_fail(t, BW_ERR_INVALID, "type mismatch");
            return;
        }
        pop3(t, BW_I32, BW_I32, BW_I32, cells);
        bw_tr_emit(t, BW_OP_TABLE_COPY, cells[0], cells[1], cells[2], x, y);
        return;
    }
    if (!need_table(t, x)) {
        return;
    }
    uint8_t elem = t->module->tables[x].elem;
    if (sub == 15) { /* table.grow: init n -> old size */
        bw_operand n = bw_tr_pop(t, BW_I32);
        bw_operand init = bw_tr_pop(t, elem);
        uint32_t is = bw_tr_use(t, &init), ns = bw_tr_use(t, &n);
        bw_tr_emit(t, BW_OP_TABLE_GROW, bw_tr_push(t, BW_I32), is, ns, 0, x);
    } else if (sub == 16) {
        bw_tr_emit(t, BW_OP_TABLE_SIZE, bw_tr_push(t, BW_I32), 0, 0, 0, x);
    } else { /* table.fill: i value n */
        pop3(t, BW_I32, elem, BW_I32, cells);
        bw_tr_emit(t, BW_OP_TABLE_FILL, cells[0], cells[1], cells[2], 0, x);
    }
}

void bw_tr_prefixed(bw_translator *t)
{
    static const uint8_t sat_from[] = {BW_F32, BW_F32, BW_F64, BW_F64,
                                       BW_F32, BW_F32, BW_F64, BW_F64};
    uint32_t sub;
    if (!bw_tr_u32(t, &sub)) {
        return;
    }
    if (sub <= 7) {
        bw_signature s = {sat_from[sub], BW_UNKNOWN, sub < 4 ? BW_I32 : BW_I64};
        emit_operation(t, 0xE0 + sub, &s);
    } else if (sub <= 11) {
        translate_bulk_memory(t, sub);
    } else if (sub <= 17) {
        translate_table_op(t, sub);
    } else {
        bw_tr_fail(t, BW_ERR_MALFORMED, "illegal opcode");
    }
}
