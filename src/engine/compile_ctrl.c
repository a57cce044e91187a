/* Translation of control, parametric and variable instructions, with their validation. */
#include <stdlib.h>
#include <string.h>

#include "engine/ops_translate.h"

static const uint8_t value_types[] = {BW_I32, BW_I64, BW_F32, BW_F64, BW_FUNCREF, BW_EXTERNREF};

static bw_ctrl *top(bw_translator *t)
{
    return &t->ctrls[t->nctrl - 1];
}

static void push_ctrl(bw_translator *t, const bw_ctrl *proto)
{
    if (!bw_tr_reserve(t, (void **)&t->ctrls, &t->ctrl_cap, sizeof *t->ctrls,
                       (uint64_t)t->nctrl + 1)) {
        return;
    }
    bw_ctrl *f = &t->ctrls[t->nctrl++];
    *f = *proto;
    f->unreachable = false;
    f->height = t->sp;
    f->patches = BW_NO_PATCH;
    f->else_patch = BW_NO_PATCH;
}

/* The rest of the frame is dead: drop its operands and let pops invent them. */
static void set_unreachable(bw_translator *t)
{
    bw_ctrl *f = top(t);
    t->sp = f->height;
    if (!f->unreachable) {
        f->unreachable = true;
        t->ndead++;
    }
}

static void label_types(const bw_ctrl *f, uint32_t *n, const uint8_t **types)
{
    *n = f->kind == BW_CTRL_LOOP ? f->nparams : f->nresults;
    *types = f->kind == BW_CTRL_LOOP ? f->params : f->results;
}

/* Follows a chain of forward branches, pointing each at `target`. */
static void patch(bw_translator *t, uint32_t head, uint32_t target)
{
    if (head != BW_NO_PATCH) {
        t->label_at = target;
    }
    while (head != BW_NO_PATCH) {
        uint32_t next;
        if (head & BW_PATCH_TABLE) {
            next = t->tables[head & ~BW_PATCH_TABLE];
            t->tables[head & ~BW_PATCH_TABLE] = target;
        } else {
            next = (uint32_t)t->code[head].imm;
            t->code[head].imm = target;
        }
        head = next;
    }
}

void bw_tr_open_function(bw_translator *t)
{
    t->zero_locals = UINT64_MAX;
    bw_ctrl proto = {0};
    proto.kind = BW_CTRL_FUNC;
    proto.nresults = t->type->nresults;
    proto.results = t->type->results;
    push_ctrl(t, &proto);
}

/* Checks the top of the stack holds a label's values, leaving them there. `retype` gives
 * Unknown operands the label's types (br_if); br_table keeps them Unknown. */
static void check_label(bw_translator *t, const bw_ctrl *f, bool retype)
{
    uint32_t n, before = t->sp;
    const uint8_t *types;
    label_types(f, &n, &types);
    for (uint32_t i = n; i-- > 0;) {
        bw_tr_pop(t, types[i]);
    }
    if (before - t->sp == n) {
        t->sp = before;
        for (uint32_t i = 0; i < n && retype; i++) {
            t->stack[before - n + i].type = types[i];
        }
    } else {
        for (uint32_t i = 0; i < n; i++) {
            bw_tr_push(t, retype ? types[i] : BW_UNKNOWN);
        }
    }
}

static void emit_return(bw_translator *t)
{
    uint32_t n = t->type->nresults, base = t->sp - n;
    if (t->ndead > 0 || t->status != BW_OK) {
        return;
    }
    /* Results go to fp[0 .. n). One read from a local that an earlier move overwrites is
     * copied to its own cell first. The stack is left as it was: after a br_if the
     * fall-through path still sees it. */
    for (uint32_t i = 0; i < n; i++) {
        const bw_operand *op = &t->stack[base + i];
        if (op->where == BW_IN_LOCAL && op->slot < i) {
            bw_tr_emit(t, BW_OP_MOV, t->nlocals + base + i, op->slot, 0, 0, 0);
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        bw_operand op = t->stack[base + i];
        if (op.where == BW_IN_LOCAL && op.slot < i) {
            op.where = BW_IN_SLOT;
            op.slot = t->nlocals + base + i;
        }
        /* A single result the last instruction just computed: it writes fp[0] itself
         * (nothing reads its cell after an unconditional return). */
        if (n != 1 || !bw_tr_retarget_last(t, &op, i)) {
            bw_tr_move(t, &op, i);
        }
    }
    if (!bw_tr_fuse_return(t)) {
        bw_tr_emit(t, BW_OP_RETURN, 0, 0, 0, 0, 0);
    }
}

static bool needs_moves(const bw_translator *t, const bw_ctrl *f)
{
    uint32_t n;
    const uint8_t *types;
    label_types(f, &n, &types);
    for (uint32_t i = 0; i < n; i++) {
        const bw_operand *op = &t->stack[t->sp - n + i];
        if (op->where != BW_IN_SLOT || op->slot != t->nlocals + f->height + i) {
            return true;
        }
    }
    return f->kind == BW_CTRL_FUNC;
}

/* Moves the label's values into place and jumps to label `depth` (checked already). */
static void emit_jump(bw_translator *t, uint32_t depth)
{
    bw_ctrl *f = &t->ctrls[t->nctrl - 1 - depth];
    uint32_t n;
    const uint8_t *types;
    if (t->ndead > 0 || t->status != BW_OK) {
        return;
    }
    if (f->kind == BW_CTRL_FUNC) {
        emit_return(t);
        return;
    }
    label_types(f, &n, &types);
    for (uint32_t i = 0; i < n; i++) {
        bw_tr_move(t, &t->stack[t->sp - n + i], t->nlocals + f->height + i);
    }
    if (f->kind == BW_CTRL_LOOP) {
        if (!bw_tr_replicate_head(t, f->start)) {
            bw_tr_emit_loop_jump(t, f->start);
        }
    } else {
        uint32_t at = bw_tr_emit(t, BW_OP_BR, 0, 0, 0, 0, f->patches);
        if (at != BW_NO_PATCH) {
            f->patches = at;
        }
    }
}

static bool read_label(bw_translator *t, uint32_t *depth)
{
    if (!bw_tr_u32(t, depth)) {
        return false;
    }
    if (*depth >= t->nctrl) {
        bw_tr_fail(t, BW_ERR_INVALID, "unknown label");
        return false;
    }
    return true;
}

static void translate_br(bw_translator *t)
{
    uint32_t depth;
    if (!read_label(t, &depth)) {
        return;
    }
    check_label(t, &t->ctrls[t->nctrl - 1 - depth], true);
    emit_jump(t, depth);
    set_unreachable(t);
}

static void translate_br_if(bw_translator *t)
{
    uint32_t depth;
    bw_operand cond = bw_tr_pop(t, BW_I32);
    uint32_t cond_slot = bw_tr_use(t, &cond);
    if (!read_label(t, &depth)) {
        return;
    }
    bw_ctrl *f = &t->ctrls[t->nctrl - 1 - depth];
    check_label(t, f, true);
    if (t->ndead > 0 || t->status != BW_OK) {
        return;
    }
    if (needs_moves(t, f)) {
        uint32_t skip = bw_tr_emit(t, BW_OP_BR_UNLESS, cond_slot, 0, 0, 0, BW_NO_PATCH);
        emit_jump(t, depth);
        patch(t, skip, t->ncode);
    } else if (bw_tr_fuse_compare(t, &cond, f) || bw_tr_fuse_step_nonzero(t, cond_slot, f)) {
        return;
    } else if (f->kind == BW_CTRL_LOOP) {
        bw_tr_emit(t, BW_OP_BR_IF_LOOP, cond_slot, 0, 0, 0, f->start);
    } else {
        uint32_t at = bw_tr_emit(t, BW_OP_BR_IF, cond_slot, 0, 0, 0, f->patches);
        if (at != BW_NO_PATCH) {
            f->patches = at;
        }
    }
}

/* Fills the jump table of a br_table whose labels are validated and values in place. */
static void emit_br_table(bw_translator *t, uint32_t index_slot, const uint32_t *labels,
                          uint32_t count)
{
    uint32_t base = t->ntables;
    if (t->ndead > 0 || t->status != BW_OK ||
        !bw_tr_reserve(t, (void **)&t->tables, &t->tables_cap, sizeof *t->tables,
                       (uint64_t)base + count + 1)) {
        return;
    }
    if (base + count + 1 >= BW_PATCH_TABLE) {
        bw_tr_fail(t, BW_ERR_LIMIT, "function too large");
        return;
    }
    t->ntables = base + count + 1;
    if (!bw_tr_fuse_table_load(t, index_slot, count, base)) {
        bw_tr_emit(t, BW_OP_BR_TABLE, index_slot, count, 0, 0, base);
    }
    for (uint32_t k = 0; k <= count; k++) {
        bw_ctrl *f = &t->ctrls[t->nctrl - 1 - labels[k]];
        if (needs_moves(t, f)) {
            t->tables[base + k] = t->ncode; /* a stub of moves and a jump */
            emit_jump(t, labels[k]);
        } else if (f->kind == BW_CTRL_LOOP) {
            t->tables[base + k] = f->start;
        } else {
            t->tables[base + k] = f->patches;
            f->patches = (base + k) | BW_PATCH_TABLE;
        }
    }
}

static void translate_br_table(bw_translator *t)
{
    uint32_t count;
    if (!bw_tr_u32(t, &count)) {
        return;
    }
    if (count > (size_t)(t->end - t->p)) { /* every label takes a byte */
        bw_tr_fail(t, BW_ERR_MALFORMED, "unexpected end");
        return;
    }
    uint32_t *labels = malloc(((size_t)count + 1) * sizeof *labels);
    if (labels == NULL) {
        bw_tr_fail(t, BW_ERR_NOMEM, "out of memory");
        return;
    }
    for (uint32_t k = 0; k <= count && read_label(t, &labels[k]); k++) {
    }
    bw_operand index = bw_tr_pop(t, BW_I32);
    uint32_t index_slot = bw_tr_use(t, &index);
    if (t->status == BW_OK) {
        uint32_t arity, n;
        const uint8_t *types;
        label_types(&t->ctrls[t->nctrl - 1 - labels[count]], &arity, &types);
        for (uint32_t k = 0; k < count && t->status == BW_OK; k++) {
            const bw_ctrl *f = &t->ctrls[t->nctrl - 1 - labels[k]];
            label_types(f, &n, &types);
            if (n != arity) {
                bw_tr_fail(t, BW_ERR_INVALID, "type mismatch");
            }
            check_label(t, f, false);
        }
        check_label(t, &t->ctrls[t->nctrl - 1 - labels[count]], false);
        emit_br_table(t, index_slot, labels, count);
    }
    free(labels);
    set_unreachable(t);
}

/* Reads a block type into `f`'s params and results. */
static bool read_blocktype(bw_translator *t, bw_ctrl *f)
{
    int64_t v;
    if (t->p < t->end && *t->p == 0x40) {
        t->p++;
        return true;
    }
    if (t->p < t->end && *t->p == BW_V128) {
        bw_tr_fail(t, BW_ERR_UNSUPPORTED, "unsupported: SIMD");
        return false;
    }
    for (size_t i = 0; i < sizeof value_types; i++) {
        if (t->p < t->end && *t->p == value_types[i]) {
            t->p++;
            f->nresults = 1;
            f->results = &value_types[i];
            return true;
        }
    }
    if (!bw_tr_s33(t, &v)) {
        return false;
    }
    if (v < 0) {
        bw_tr_fail(t, BW_ERR_MALFORMED, "malformed value type");
        return false;
    }
    if (v >= (int64_t)t->module->ntypes) {
        bw_tr_fail(t, BW_ERR_INVALID, "unknown type");
        return false;
    }
    const bw_functype *ft = &t->module->types[v];
    f->nparams = ft->nparams;
    f->params = ft->params;
    f->nresults = ft->nresults;
    f->results = ft->results;
    return true;
}

/* Every pending read in the current frame gets its own cell, so the code that follows
 * may join other paths. */
static void materialize_frame(bw_translator *t)
{
    for (uint32_t i = top(t)->height; i < t->sp; i++) {
        bw_tr_materialize(t, i);
    }
}

static void translate_block(bw_translator *t, uint8_t kind)
{
    bw_ctrl proto = {0};
    uint32_t cond_slot = 0, branch = BW_NO_PATCH, before = 0;
    bw_operand cond = {0};
    proto.kind = kind;
    if (!read_blocktype(t, &proto)) {
        return;
    }
    if (kind == BW_CTRL_IF) {
        cond = bw_tr_pop(t, BW_I32);
        cond_slot = bw_tr_use(t, &cond);
        before = t->ncode;
    }
    materialize_frame(t);
    for (uint32_t i = proto.nparams; i-- > 0;) {
        bw_tr_pop(t, proto.params[i]);
    }
    if (kind == BW_CTRL_IF) {
        /* A compare right before the if becomes its branch, unless moves came between. */
        if (t->ncode == before) {
            branch = bw_tr_fuse_if(t, &cond);
        }
        if (branch == BW_NO_PATCH) {
            branch = bw_tr_emit(t, BW_OP_BR_UNLESS, cond_slot, 0, 0, 0, BW_NO_PATCH);
        }
    }
    proto.start = t->ncode;
    if (kind == BW_CTRL_LOOP) {
        t->label_at = t->ncode;
        t->zero_locals = 0;
    }
    push_ctrl(t, &proto);
    if (t->status != BW_OK) {
        return;
    }
    top(t)->else_patch = branch;
    for (uint32_t i = 0; i < proto.nparams; i++) {
        bw_tr_push(t, proto.params[i]);
    }
}

/* Checks the frame's stack is exactly its results; `place` gives each its own cell. */
static void close_arm(bw_translator *t, bool place)
{
    bw_ctrl *f = top(t);
    for (uint32_t i = f->nresults; i-- > 0;) {
        bw_tr_pop(t, f->results[i]);
    }
    if (t->sp != f->height) {
        bw_tr_fail(t, BW_ERR_INVALID, "type mismatch");
    }
    if (place && t->ndead == 0 && t->status == BW_OK) {
        for (uint32_t i = 0; i < f->nresults; i++) {
            bw_tr_materialize(t, f->height + i);
        }
    }
}

static void reset_arm(bw_translator *t, bw_ctrl *f)
{
    if (f->unreachable) {
        f->unreachable = false;
        t->ndead--;
    }
    t->sp = f->height;
    for (uint32_t i = 0; i < f->nparams; i++) {
        bw_tr_push(t, f->params[i]);
    }
}

static void translate_else(bw_translator *t)
{
    bw_ctrl *f = top(t);
    if (f->kind != BW_CTRL_IF) {
        bw_tr_fail(t, BW_ERR_MALFORMED, "illegal opcode");
        return;
    }
    close_arm(t, true);
    uint32_t at = bw_tr_emit(t, BW_OP_BR, 0, 0, 0, 0, f->patches);
    if (at != BW_NO_PATCH) {
        f->patches = at;
    }
    patch(t, f->else_patch, t->ncode);
    f->else_patch = BW_NO_PATCH;
    f->kind = BW_CTRL_ELSE;
    reset_arm(t, f);
}

static void translate_end(bw_translator *t)
{
    bw_ctrl *f = top(t);
    if (f->kind == BW_CTRL_FUNC) {
        close_arm(t, false);
        if (t->status == BW_OK) {
            t->sp = f->nresults;
            emit_return(t);
        }
    } else {
        close_arm(t, true);
        if (f->kind == BW_CTRL_IF) { /* the missing else passes params on as results */
            reset_arm(t, f);
            close_arm(t, true);
        }
    }
    if (t->status != BW_OK) {
        return;
    }
    if (f->unreachable) {
        t->ndead--;
    }
    patch(t, f->patches, t->ncode);
    patch(t, f->else_patch, t->ncode);
    t->nctrl--;
    t->sp = f->height;
    for (uint32_t i = 0; i < f->nresults && t->nctrl > 0; i++) {
        bw_tr_push(t, f->results[i]);
    }
}

/* Calls pass arguments in place: they become the first cells of the callee's frame. */
static void translate_call(bw_translator *t, const bw_functype *ft, unsigned op, uint32_t b,
                           uint32_t c, uint32_t d, uint64_t imm)
{
    for (uint32_t i = ft->nparams; i-- > 0;) {
        bw_tr_pop(t, ft->params[i]);
    }
    uint32_t base = t->sp;
    if (t->ndead == 0 && t->status == BW_OK) {
        for (uint32_t i = 0; i < ft->nparams; i++) {
            bw_tr_materialize(t, base + i);
        }
    }
    if (op != BW_OP_CALL_LOCAL || !bw_tr_fuse_call_move(t, t->nlocals + base, (uint32_t)imm)) {
        bw_tr_emit(t, op, t->nlocals + base, b, c, d, imm);
    }
    for (uint32_t i = 0; i < ft->nresults; i++) {
        bw_tr_push(t, ft->results[i]);
    }
}

static void translate_call_direct(bw_translator *t)
{
    uint32_t index;
    if (!bw_tr_u32(t, &index)) {
        return;
    }
    if (index >= t->module->nfuncs) {
        bw_tr_fail(t, BW_ERR_INVALID, "unknown function");
        return;
    }
    unsigned op = index < t->module->nfuncs_imported ? BW_OP_CALL : BW_OP_CALL_LOCAL;
    translate_call(t, &t->module->types[t->module->func_types[index]], op, 0, 0, 0, index);
}

static void translate_call_indirect(bw_translator *t)
{
    uint32_t type, table;
    if (!bw_tr_u32(t, &type) || !bw_tr_u32(t, &table)) {
        return;
    }
    if (table >= t->module->ntables) {
        bw_tr_fail(t, BW_ERR_INVALID, "unknown table");
        return;
    }
    if (type >= t->module->ntypes) {
        bw_tr_fail(t, BW_ERR_INVALID, "unknown type");
        return;
    }
    if (t->module->tables[table].elem != BW_FUNCREF) {
        bw_tr_fail(t, BW_ERR_INVALID, "type mismatch");
        return;
    }
    bw_operand elem = bw_tr_pop(t, BW_I32);
    uint32_t elem_slot = bw_tr_use(t, &elem);
    translate_call(t, &t->module->types[type], BW_OP_CALL_INDIRECT, table, elem_slot, type, 0);
}

static void translate_select(bw_translator *t, bool typed)
{
    uint8_t want = BW_UNKNOWN;
    if (typed) {
        uint32_t n;
        if (!bw_tr_u32(t, &n) || !bw_tr_byte(t, &want)) {
            return;
        }
        if (n != 1) {
            bw_tr_fail(t, BW_ERR_INVALID, "invalid result arity");
            return;
        }
        if (!bw_tr_valtype(want)) {
            bw_tr_fail(t, want == BW_V128 ? BW_ERR_UNSUPPORTED : BW_ERR_MALFORMED,
                       want == BW_V128 ? "unsupported: SIMD" : "malformed value type");
            return;
        }
    }
    bw_operand cond = bw_tr_pop(t, BW_I32);
    bw_operand second = bw_tr_pop(t, want);
    bw_operand first = bw_tr_pop(t, want);
    uint8_t type = first.type != BW_UNKNOWN ? first.type : second.type;
    if (!typed && (bw_tr_is_ref(first.type) || bw_tr_is_ref(second.type))) {
        bw_tr_fail(t, BW_ERR_INVALID, "type mismatch");
    } else if (first.type != second.type && first.type != BW_UNKNOWN && second.type != BW_UNKNOWN) {
        bw_tr_fail(t, BW_ERR_INVALID, "type mismatch");
    }
    uint32_t x = bw_tr_use(t, &first), y = bw_tr_use(t, &second), c = bw_tr_use(t, &cond);
    uint32_t dst = bw_tr_push(t, type);
    bw_tr_emit(t, BW_OP_SELECT, dst, x, y, c, 0);
}

/* Stores `value` to local `index`, first copying out pending reads of the old value. */
static void write_local(bw_translator *t, uint32_t index, const bw_operand *value)
{
    uint32_t declared = index - t->type->nparams; /* wraps for a parameter */
    uint64_t bit = declared < 64 ? (uint64_t)1 << declared : 0;
    if ((t->zero_locals & bit) && value->where == BW_IN_CONST && value->value == 0) {
        return; /* still 0 since entry: `local = 0` at the top of a function */
    }
    t->zero_locals &= ~bit;
    bool pending = false;
    for (uint32_t i = top(t)->height; i < t->sp; i++) {
        if (t->stack[i].where == BW_IN_LOCAL && t->stack[i].slot == index) {
            bw_tr_materialize(t, i);
            pending = true;
        }
    }
    if ((!pending && bw_tr_retarget_last(t, value, index)) || bw_tr_pair_move(t, value, index)) {
        return;
    }
    bw_tr_move(t, value, index);
}

static void translate_local(bw_translator *t, uint8_t op)
{
    uint32_t index;
    if (!bw_tr_u32(t, &index)) {
        return;
    }
    if (index >= t->nlocals) {
        bw_tr_fail(t, BW_ERR_INVALID, "unknown local");
        return;
    }
    uint8_t type = t->decl->local_types[index];
    if (op != 0x20) {
        bw_operand value = bw_tr_pop(t, type);
        if (t->status == BW_OK && t->ndead == 0) {
            write_local(t, index, &value);
        }
        if (op == 0x21) {
            return;
        }
    }
    bw_tr_push(t, type);
    if (t->status == BW_OK) {
        t->stack[t->sp - 1].where = BW_IN_LOCAL;
        t->stack[t->sp - 1].slot = index;
    }
}

static void translate_global(bw_translator *t, uint8_t op)
{
    uint32_t index;
    if (!bw_tr_u32(t, &index)) {
        return;
    }
    if (index >= t->module->nglobals) {
        bw_tr_fail(t, BW_ERR_INVALID, "unknown global");
        return;
    }
    const bw_globaltype *g = &t->module->globals[index].type;
    if (op == 0x23) {
        uint32_t dst = bw_tr_push(t, g->type);
        bw_tr_emit(t, BW_OP_GLOBAL_GET, dst, 0, 0, 0, index);
        return;
    }
    if (!g->mutable_) {
        bw_tr_fail(t, BW_ERR_INVALID, "global is immutable");
        return;
    }
    bw_operand value = bw_tr_pop(t, g->type);
    bw_tr_emit(t, BW_OP_GLOBAL_SET, bw_tr_use(t, &value), 0, 0, 0, index);
}

static void translate_control(bw_translator *t, uint8_t op)
{
    switch (op) {
    case 0x00:
        bw_tr_emit(t, BW_OP_UNREACHABLE, 0, 0, 0, 0, 0);
        set_unreachable(t);
        break;
    case 0x01:
        break;
    case 0x02:
        translate_block(t, BW_CTRL_BLOCK);
        break;
    case 0x03:
        translate_block(t, BW_CTRL_LOOP);
        break;
    case 0x04:
        translate_block(t, BW_CTRL_IF);
        break;
    case 0x05:
        translate_else(t);
        break;
    case 0x0B:
        translate_end(t);
        break;
    case 0x0C:
        translate_br(t);
        break;
    case 0x0D:
        translate_br_if(t);
        break;
    case 0x0E:
        translate_br_table(t);
        break;
    case 0x0F:
        check_label(t, &t->ctrls[0], true);
        emit_return(t);
        set_unreachable(t);
        break;
    case 0x10:
        translate_call_direct(t);
        break;
    case 0x11:
        translate_call_indirect(t);
        break;
    }
}

void bw_tr_instruction(bw_translator *t, uint8_t op)
{
    if (op <= 0x05 || (op >= 0x0B && op <= 0x11)) {
        translate_control(t, op);
    } else if (op == 0x1A) {
        bw_tr_pop(t, BW_UNKNOWN);
    } else if (op == 0x1B || op == 0x1C) {
        translate_select(t, op == 0x1C);
    } else if (op >= 0x20 && op <= 0x22) {
        translate_local(t, op);
    } else if (op == 0x23 || op == 0x24) {
        translate_global(t, op);
    } else if (op == 0xFC) {
        bw_tr_prefixed(t);
    } else if (op == 0xFD) {
        bw_tr_fail(t, BW_ERR_UNSUPPORTED, "unsupported: SIMD");
    } else if (!bw_tr_numeric(t, op) && !bw_tr_memory(t, op) && !bw_tr_reference(t, op)) {
        bw_tr_fail(t, BW_ERR_MALFORMED, "illegal opcode");
    }
}
