/* Peephole rewrites of the instruction just emitted (see code.h). */
#include "engine/ops_translate.h"

/* Does operation `op` only write cell a, after reading all its operands? */
static bool writes_only_a(unsigned op)
{
    return (op >= BW_OP_I32_LOAD && op <= BW_OP_I64_LOAD32_U) ||
           (op >= BW_OP_MEMORY_SIZE && op <= BW_OP_I64_EXTEND32_S) ||
           (op >= BW_OP_MOV && op <= BW_OP_I32_NE_IMM) ||
           (op >= BW_OP_I32_TRUNC_SAT_F32_S && op <= BW_OP_I64_TRUNC_SAT_F64_U) ||
           op == BW_OP_SELECT || op == BW_OP_GLOBAL_GET || op == BW_OP_TABLE_GET ||
           op == BW_OP_TABLE_GROW || op == BW_OP_TABLE_SIZE;
}

/* local.set of a value the last instruction just computed: that instruction writes the
 * local itself. Not when a branch lands after it, carrying the value in its cell. */
bool bw_tr_retarget_last(bw_translator *t, const bw_operand *value, uint32_t index)
{
    if (value->where != BW_IN_SLOT || t->ndead > 0 || t->status != BW_OK || t->ncode == 0 ||
        t->label_at == t->ncode) {
        return false;
    }
    bw_insn *last = &t->code[t->ncode - 1];
    if (last->a != value->slot || !writes_only_a((unsigned)(uintptr_t)last->handler)) {
        return false;
    }
    last->a = index;
    return true;
}

/* br_if on the result of the i32 compare just emitted: the compare becomes the branch. */
bool bw_tr_fuse_compare(bw_translator *t, const bw_operand *cond, bw_ctrl *f)
{
    if (cond->where != BW_IN_SLOT || t->ncode == 0 || t->label_at == t->ncode) {
        return false;
    }
    bw_insn *last = &t->code[t->ncode - 1];
    unsigned op = (unsigned)(uintptr_t)last->handler, fused;
    if (last->a != cond->slot) {
        return false;
    }
    if (op >= BW_OP_I32_EQ && op <= BW_OP_I32_GE_U) {
        fused = BW_OP_BR_I32_EQ + (op - BW_OP_I32_EQ);
    } else if (op == BW_OP_I32_EQZ) {
        fused = BW_OP_BR_I32_EQZ;
        last->c = 0;
    } else if (op == BW_OP_I32_EQ_IMM || op == BW_OP_I32_NE_IMM) {
        fused = op == BW_OP_I32_EQ_IMM ? BW_OP_BR_I32_EQ_IMM : BW_OP_BR_I32_NE_IMM;
        last->c = (uint32_t)last->imm;
    } else if (op == BW_OP_I32_LT_S_IMM || op == BW_OP_I32_LT_U_IMM) {
        fused = op == BW_OP_I32_LT_S_IMM ? BW_OP_BR_I32_LT_S_IMM : BW_OP_BR_I32_LT_U_IMM;
        last->c = (uint32_t)last->imm;
    } else {
        return false;
    }
    last->handler = (const void *)(uintptr_t)fused;
    last->a = 0;
    if (f->kind == BW_CTRL_LOOP) {
        last->imm = f->start;
    } else {
        last->imm = f->patches;
        f->patches = t->ncode - 1;
    }
    return true;
}
