/* Function bodies: the translator's reader, operand stack and emitter, and the driver. */
#include <stdlib.h>
#include <string.h>

#include "engine/ops_translate.h"

/* Translated code past this many instructions is refused (BW_ERR_LIMIT). */
#define MAX_CODE BW_MAX_FUNC_INSNS

void bw_tr_fail(bw_translator *t, bw_status status, const char *message)
{
    if (t->status == BW_OK) {
        size_t at = (size_t)(t->p - t->decl->code) + t->decl->code_offset;
        t->status = status;
        bw_fail(t->err, status, "%s (at byte %zu)", message, at);
    }
    t->p = t->end;
}

/* Makes room for `need` elements of `size` bytes in *buf (capacity *cap). */
bool bw_tr_reserve(bw_translator *t, void **buf, uint32_t *cap, size_t size, uint64_t need)
{
    if (need <= *cap) {
        return true;
    }
    uint64_t ncap = *cap ? (uint64_t)*cap * 2 : 64;
    while (ncap < need) {
        ncap *= 2;
    }
    if (ncap > UINT32_MAX / 2) {
        bw_tr_fail(t, BW_ERR_LIMIT, "function too large");
        return false;
    }
    void *grown = realloc(*buf, (size_t)ncap * size);
    if (grown == NULL) {
        bw_tr_fail(t, BW_ERR_NOMEM, "out of memory");
        return false;
    }
    *buf = grown;
    *cap = (uint32_t)ncap;
    return true;
}

/* Reads a LEB128 integer of at most `bits` bits; `is_signed` checks the unused high bits
 * of the last byte are a sign extension, else that they are zero. */
static bool read_leb(bw_translator *t, unsigned bits, bool is_signed, uint64_t *out)
{
    uint64_t value = 0;
    unsigned shift = 0;
    uint8_t byte;
    for (;;) {
        if (!bw_tr_byte(t, &byte)) {
            return false;
        }
        if (shift + 7 >= bits) { /* the last byte this width allows */
            unsigned used = bits - shift;
            if (byte & 0x80) {
                bw_tr_fail(t, BW_ERR_MALFORMED, "integer representation too long");
                return false;
            }
            uint8_t rest = (uint8_t)(byte & 0x7f) >> (used - (is_signed ? 1 : 0));
            uint8_t all = (uint8_t)(0x7f >> (used - (is_signed ? 1 : 0)));
            if (rest != 0 && !(is_signed && rest == all)) {
                bw_tr_fail(t, BW_ERR_MALFORMED, "integer too large");
                return false;
            }
        }
        value |= (uint64_t)(byte & 0x7f) << shift;
        shift += 7;
        if (!(byte & 0x80)) {
            break;
        }
    }
    if (is_signed && shift < 64 && (byte & 0x40)) {
        value |= ~(uint64_t)0 << shift;
    }
    *out = value;
    return true;
}

bool bw_tr_u32_long(bw_translator *t, uint32_t *out)
{
    uint64_t v = 0;
    bool ok = read_leb(t, 32, false, &v);
    *out = (uint32_t)v;
    return ok;
}

bool bw_tr_s32_long(bw_translator *t, int32_t *out)
{
    uint64_t v = 0;
    bool ok = read_leb(t, 32, true, &v);
    *out = (int32_t)(uint32_t)v;
    return ok;
}

bool bw_tr_s64(bw_translator *t, int64_t *out)
{
    uint64_t v = 0;
    bool ok = read_leb(t, 64, true, &v);
    memcpy(out, &v, sizeof v);
    return ok;
}

/* Block types are s33: negative one-byte forms are value types, others type indices. */
bool bw_tr_s33(bw_translator *t, int64_t *out)
{
    uint64_t v = 0;
    bool ok = read_leb(t, 33, true, &v);
    memcpy(out, &v, sizeof v);
    return ok;
}

bool bw_tr_is_ref(uint8_t type)
{
    return type == BW_FUNCREF || type == BW_EXTERNREF;
}

bool bw_tr_valtype(uint8_t type)
{
    return type == BW_I32 || type == BW_I64 || type == BW_F32 || type == BW_F64 ||
           bw_tr_is_ref(type);
}

uint32_t bw_tr_emit(bw_translator *t, unsigned op, uint32_t a, uint32_t b, uint32_t c, uint32_t d,
                    uint64_t imm)
{
    if (t->ndead > 0 || t->status != BW_OK) {
        return BW_NO_PATCH;
    }
    if (t->ncode >= MAX_CODE) {
        bw_tr_fail(t, BW_ERR_LIMIT, "function too large");
        return BW_NO_PATCH;
    }
    if (!bw_tr_reserve(t, (void **)&t->code, &t->code_cap, sizeof *t->code,
                       (uint64_t)t->ncode + 1)) {
        return BW_NO_PATCH;
    }
    bw_insn *in = &t->code[t->ncode];
    in->handler = (const void *)(uintptr_t)op;
    in->a = a;
    in->b = b;
    in->c = c;
    in->d = d;
    in->imm = imm;
    return t->ncode++;
}

/* The rare case of bw_tr_push_entry: the operand stack is full. */
bw_operand *bw_tr_push_grow(bw_translator *t)
{
    static bw_operand sink;
    if (!bw_tr_reserve(t, (void **)&t->stack, &t->stack_cap, sizeof *t->stack,
                       (uint64_t)t->sp + 1)) {
        return &sink;
    }
    return &t->stack[t->sp];
}

static unsigned const_op(uint8_t type)
{
    return (type == BW_I32 || type == BW_F32) ? BW_OP_CONST32 : BW_OP_CONST64;
}

/* Writes `op`'s value to cell `dst` unless it is already there. */
void bw_tr_move(bw_translator *t, const bw_operand *op, uint32_t dst)
{
    if (op->where == BW_IN_CONST) {
        bw_tr_emit(t, const_op(op->type), dst, 0, 0, 0, op->value);
    } else if (op->slot != dst) {
        bw_tr_emit(t, BW_OP_MOV, dst, op->slot, 0, 0, 0);
    }
}

/* Gives stack entry `index` its own cell. */
void bw_tr_materialize(bw_translator *t, uint32_t index)
{
    bw_operand *op = &t->stack[index];
    if (op->where != BW_IN_SLOT) {
        uint32_t slot = t->nlocals + index;
        bw_tr_move(t, op, slot);
        op->where = BW_IN_SLOT;
        op->slot = slot;
    }
}

/* The translator's growable arrays, kept from one function to the next so that a module's
 * functions reuse them instead of allocating (and faulting in) fresh pages each time. */
typedef struct scratch {
    bw_operand *stack;
    uint32_t stack_cap;
    bw_ctrl *ctrls;
    uint32_t ctrl_cap;
    bw_insn *code;
    uint32_t code_cap;
    uint32_t *tables;
    uint32_t tables_cap;
} scratch;

struct bw_code_cache {
    uint32_t nfuncs;                      /* defined functions */
    struct bw_compiled_func **by_mode[2]; /* [guard_pages][index]; arrays made on first use */
    scratch scratch;
};

/* Code and jump tables follow the header in the same allocation. */
_Static_assert(sizeof(struct bw_compiled_func) % _Alignof(bw_insn) == 0, "code alignment");

/* Copies the translated code into one exact-size allocation, swapping operation numbers
 * for handler addresses. */
static struct bw_compiled_func *finish(bw_translator *t)
{
    size_t code_bytes = (size_t)t->ncode * sizeof(bw_insn);
    size_t table_bytes = (size_t)t->ntables * sizeof(uint32_t);
    struct bw_compiled_func *cf = malloc(sizeof *cf + code_bytes + table_bytes);
    if (cf == NULL) {
        bw_tr_fail(t, BW_ERR_NOMEM, "out of memory");
        return NULL;
    }
    bw_insn *code = (bw_insn *)(cf + 1);
    uint32_t *tables = (uint32_t *)((uint8_t *)code + code_bytes);
    const void *const *handlers = bw_interp_handlers();
    for (uint32_t i = 0; i < t->ncode; i++) {
        code[i] = t->code[i];
        code[i].handler = handlers[(uintptr_t)t->code[i].handler];
    }
    if (table_bytes != 0) {
        memcpy(tables, t->tables, table_bytes);
    }
    cf->code = code;
    cf->ncode = t->ncode;
    cf->br_tables = tables;
    cf->nbr_tables = t->ntables;
    cf->nparams = t->type->nparams;
    cf->nlocals = t->nlocals;
    cf->nresults = t->type->nresults;
    cf->frame_cells = t->nlocals + t->max_height;
    if (cf->frame_cells < cf->nresults) {
        cf->frame_cells = cf->nresults;
    }
    return cf;
}

/* The i64, f32 and f64 tests and arithmetic (not conversions): operand and result types
 * from the one table the translator uses too. */
static bool validate_numeric(bw_translator *t, uint8_t op)
{
    bw_signature sig;
    if (op < 0x50 || op > 0xA6 || !bw_tr_numeric_signature(op, &sig)) {
        return false;
    }
    if (sig.in2 != BW_UNKNOWN) {
        bw_tr_pop(t, sig.in2);
    }
    bw_tr_pop(t, sig.in1);
    bw_tr_push(t, sig.out);
    return true;
}

/* Validation only: the most common instructions (locals, i32.const, numeric tests and
 * arithmetic; 85% of the code clang emits) are type-checked here without the translator's
 * dispatch, with the same checks and errors as compile_ctrl.c and compile_ops.c. false
 * for every other instruction. */
static bool validate_common(bw_translator *t, uint8_t op)
{
    if (op >= 0x20 && op <= 0x22) { /* local.get, local.set, local.tee */
        uint32_t index;
        if (!bw_tr_u32(t, &index)) {
            return true;
        }
        if (index >= t->nlocals) {
            bw_tr_fail(t, BW_ERR_INVALID, "unknown local");
            return true;
        }
        uint8_t type = t->decl->local_types[index];
        if (op != 0x20) {
            bw_tr_pop(t, type);
            if (op == 0x21) {
                return true;
            }
        }
        bw_operand *pushed = bw_tr_push_entry(t, type);
        pushed->where = BW_IN_LOCAL;
        pushed->slot = index;
        return true;
    }
    if (op == 0x41) { /* i32.const */
        int32_t v;
        if (bw_tr_s32(t, &v)) {
            bw_tr_push_const(t, BW_I32, (uint32_t)v);
        }
        return true;
    }
    bool unary = op == 0x45 || (op >= 0x67 && op <= 0x69); /* eqz, clz, ctz, popcnt */
    bool binary = (op >= 0x46 && op <= 0x4F) || (op >= 0x6A && op <= 0x78); /* cmp, arith */
    if (unary || binary) {
        bw_tr_pop(t, BW_I32);
        if (binary) {
            bw_tr_pop(t, BW_I32);
        }
        bw_tr_push(t, BW_I32);
        return true;
    }
    return validate_numeric(t, op);
}

/* Runs the translator over one body. With out == NULL it only validates: ndead starts at
 * 1, so every emission is skipped while the type checking runs as usual. */
static bw_status translate(const bw_module *module, const bw_func_decl *decl, bool guard_pages,
                           scratch *s, struct bw_compiled_func **out, bw_error *err)
{
    bw_translator t;
    memset(&t, 0, sizeof t);
    t.module = module;
    t.decl = decl;
    t.type = &module->types[decl->type];
    t.p = decl->code;
    t.end = decl->code + decl->code_len;
    t.err = err;
    t.guard_pages = guard_pages;
    t.nlocals = decl->nlocals;
    t.ndead = out == NULL ? 1 : 0;
    t.stack = s->stack, t.stack_cap = s->stack_cap;
    t.ctrls = s->ctrls, t.ctrl_cap = s->ctrl_cap;
    t.code = s->code, t.code_cap = s->code_cap;
    t.tables = s->tables, t.tables_cap = s->tables_cap;
    if (out != NULL) { /* about one instruction per two bytes of body: grow once, not often */
        bw_tr_reserve(&t, (void **)&t.code, &t.code_cap, sizeof *t.code,
                      (uint64_t)(decl->code_len < MAX_CODE ? decl->code_len : MAX_CODE) / 2 + 16);
    }
    bw_tr_open_function(&t);
    while (t.status == BW_OK && t.nctrl > 0) {
        uint8_t op;
        if (!bw_tr_byte(&t, &op)) {
            break;
        }
        if (out == NULL && validate_common(&t, op)) {
            continue;
        }
        bw_tr_instruction(&t, op);
    }
    if (t.status == BW_OK && t.p != t.end) {
        bw_tr_fail(&t, BW_ERR_MALFORMED, "section size mismatch");
    }
    if (t.status == BW_OK && out != NULL) {
        *out = finish(&t);
    }
    *s = (scratch){t.stack, t.stack_cap, t.ctrls,  t.ctrl_cap,
                   t.code,  t.code_cap,  t.tables, t.tables_cap};
    return t.status;
}

#ifdef BURH_FUZZING
/* The fuzzer's oracle for validation without emission (and validate_common): full
 * translation must reach the same verdict with the same message, except that it may add a
 * limit or out-of-memory failure. */
static void cross_check(const bw_module *module, uint32_t index, bw_status validated,
                        const bw_error *err, scratch *s)
{
    struct bw_compiled_func *cf = NULL;
    bw_error full;
    memset(&full, 0, sizeof full);
    bw_status translated = translate(module, &module->funcs[index], false, s, &cf, &full);
    free(cf);
    if (translated == BW_ERR_LIMIT || translated == BW_ERR_NOMEM) {
        return;
    }
    if (translated != validated ||
        (validated != BW_OK && err != NULL && strcmp(err->message, full.message) != 0)) {
        abort();
    }
}
#endif

bw_status bw_validate_code(bw_module *module, bw_error *err)
{
    struct bw_code_cache *cache = calloc(1, sizeof *cache);
    if (cache == NULL) {
        return bw_fail(err, BW_ERR_NOMEM, "out of memory");
    }
    cache->nfuncs = module->nfuncs - module->nfuncs_imported;
    module->code = cache; /* freed with the module, also on failure */
    for (uint32_t i = 0; i < cache->nfuncs; i++) {
        bw_status status = translate(module, &module->funcs[i], false, &cache->scratch, NULL, err);
#ifdef BURH_FUZZING
        cross_check(module, i, status, err, &cache->scratch);
#endif
        if (status != BW_OK) {
            return status;
        }
    }
    return BW_OK;
}

bw_status bw_module_code(const bw_module *module, uint32_t index, bool guard_pages,
                         const struct bw_compiled_func **out, bw_error *err)
{
    struct bw_code_cache *cache = module->code;
    if (cache == NULL) { /* decoded by bw_decode_module alone: bodies never validated */
        return bw_fail(err, BW_ERR_ARGS, "module code not validated");
    }
    if (index >= cache->nfuncs) {
        return bw_fail(err, BW_ERR_ARGS, "no defined function %u", index);
    }
    struct bw_compiled_func ***by_mode = &cache->by_mode[guard_pages ? 1 : 0];
    if (*by_mode == NULL) {
        *by_mode = calloc(cache->nfuncs, sizeof **by_mode);
        if (*by_mode == NULL) {
            return bw_fail(err, BW_ERR_NOMEM, "out of memory");
        }
    }
    struct bw_compiled_func **slot = &(*by_mode)[index];
    if (*slot == NULL) {
        bw_status status =
            translate(module, &module->funcs[index], guard_pages, &cache->scratch, slot, err);
        if (status != BW_OK) {
            return status;
        }
    }
    *out = *slot;
    return BW_OK;
}

void bw_code_cache_free(struct bw_code_cache *cache)
{
    if (cache == NULL) {
        return;
    }
    for (int mode = 0; mode < 2; mode++) {
        for (uint32_t i = 0; cache->by_mode[mode] != NULL && i < cache->nfuncs; i++) {
            free(cache->by_mode[mode][i]);
        }
        free(cache->by_mode[mode]);
    }
    free(cache->scratch.stack);
    free(cache->scratch.ctrls);
    free(cache->scratch.code);
    free(cache->scratch.tables);
    free(cache);
}
