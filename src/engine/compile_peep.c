/* Peephole rewrites of the instruction just emitted (see code.h). */
#include "engine/ops_translate.h"

/* Does operation `op` only write cell a, after reading all its operands? */
static bool writes_only_a(unsigned op)
{
    return (op >= BW_OP_I32_LOAD && op <= BW_OP_I64_LOAD32_U) ||
           (op >= BW_OP_MEMORY_SIZE && op <= BW_OP_I64_EXTEND32_S) ||
           (op >= BW_OP_MOV && op <= BW_OP_I32_NE_IMM) ||
           (op >= BW_OP_I32_MUL_IMM && op <= BW_OP_I64_GT_U_IMM) ||
           (op >= BW_OP_I32_LOAD_AR && op <= BW_OP_I64_LOAD32_U_AI) ||
           (op >= BW_OP_I32_LOAD_G && op <= BW_OP_I64_LOAD32_U_G) ||
           (op >= BW_OP_I32_LOAD_AR_G && op <= BW_OP_I64_LOAD32_U_AI_G) ||
           (op >= BW_OP_I32_XOR_ROTL && op <= BW_OP_I32_ADD_LOAD) ||
           (op >= BW_OP_F64_ADD_IMM && op <= BW_OP_I32_XOR3) ||
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

/* The counter-step form of compare-and-branch `op` (ops.h BW_OPS_STEPS), or 0. */
static unsigned step_form(unsigned op)
{
    static const uint16_t immediate[] = {
        BW_OP_BR_I32_EQ_IMM,   BW_OP_BR_I32_NE_IMM,   BW_OP_BR_I32_LT_S_IMM, BW_OP_BR_I32_LT_U_IMM,
        BW_OP_BR_I32_GT_S_IMM, BW_OP_BR_I32_GT_U_IMM, BW_OP_BR_I32_LE_S_IMM, BW_OP_BR_I32_LE_U_IMM,
        BW_OP_BR_I32_GE_S_IMM, BW_OP_BR_I32_GE_U_IMM,
    };
    if (op >= BW_OP_BR_I32_EQ && op <= BW_OP_BR_I32_GE_U) {
        return BW_OP_BR_INC_EQ + (op - BW_OP_BR_I32_EQ);
    }
    if (op == BW_OP_BR_I32_EQZ) { /* its c is 0 */
        return BW_OP_BR_INC_EQ_IMM;
    }
    for (unsigned i = 0; i < sizeof immediate / sizeof immediate[0]; i++) {
        if (immediate[i] == op) {
            return BW_OP_BR_INC_EQ_IMM + i;
        }
    }
    return 0;
}

/* The compare-and-branch `branch` (the last instruction) testing the result of an i32 add
 * (of a constant or a cell) just before it: both become one BR_INC (BR_ADD) instruction. Returns
 * where the branch now is. */
static bw_insn *fuse_step(bw_translator *t, bw_insn *branch)
{
    unsigned op = (unsigned)(uintptr_t)branch->handler, fused = step_form(op);
    if (fused == 0 || t->ncode < 2 || t->label_at == t->ncode - 1) {
        return branch;
    }
    bw_insn *step = branch - 1;
    bool cell_right = op >= BW_OP_BR_I32_EQ && op <= BW_OP_BR_I32_GE_U;
    unsigned step_op = (unsigned)(uintptr_t)step->handler;
    if ((step_op != BW_OP_I32_ADD_IMM && step_op != BW_OP_I32_ADD) || branch->b != step->a ||
        (cell_right && branch->c == step->a)) {
        return branch;
    }
    /* By a register: the same forms from BR_ADD_EQ on, the step's cell moving to d. */
    step->handler = (const void *)(uintptr_t)(step_op == BW_OP_I32_ADD
                                                  ? fused - BW_OP_BR_INC_EQ + BW_OP_BR_ADD_EQ
                                                  : fused);
    step->d = step_op == BW_OP_I32_ADD ? step->c : (uint32_t)step->imm;
    step->c = branch->c;
    step->imm = branch->imm;
    t->ncode--;
    return step;
}

/* Points `branch`, the last instruction, at label `f`: a loop's start is known; a block's end
 * is not yet, so the branch joins the block's patch chain (compile_ctrl.c resolves it). */
static void aim_branch(bw_translator *t, bw_insn *branch, bw_ctrl *f)
{
    if (f->kind == BW_CTRL_LOOP) {
        branch->imm = f->start;
    } else {
        branch->imm = f->patches;
        f->patches = t->ncode - 1;
    }
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
    } else if (op >= BW_OP_I32_GT_S_IMM && op <= BW_OP_I32_GE_U_IMM) {
        fused = BW_OP_BR_I32_GT_S_IMM + (op - BW_OP_I32_GT_S_IMM);
        last->c = (uint32_t)last->imm;
    } else {
        return false;
    }
    last->handler = (const void *)(uintptr_t)fused;
    last->a = 0;
    last = fuse_step(t, last);
    aim_branch(t, last, f);
    return true;
}

/* A load or store whose address the i32.add just emitted left in a stack cell: the add is
 * dropped and the access adds for itself. *base plus *addend (a cell, or a constant when
 * *constant) is the address. `kept` is a cell the caller writes before the access, so the
 * add must not read it (UINT32_MAX for none). */
bool bw_tr_fold_address(bw_translator *t, const bw_operand *addr, uint32_t kept, uint32_t *base,
                        uint32_t *addend, bool *constant)
{
    if (addr->where != BW_IN_SLOT || addr->slot < t->nlocals || t->ndead > 0 ||
        t->status != BW_OK || t->ncode == 0 || t->label_at == t->ncode) {
        return false;
    }
    const bw_insn *last = &t->code[t->ncode - 1];
    unsigned op = (unsigned)(uintptr_t)last->handler;
    if (last->a != addr->slot || (op != BW_OP_I32_ADD && op != BW_OP_I32_ADD_IMM)) {
        return false;
    }
    *constant = op == BW_OP_I32_ADD_IMM;
    if (last->b == kept || (!*constant && last->c == kept)) {
        return false;
    }
    *base = last->b;
    *addend = *constant ? (uint32_t)last->imm : last->c;
    t->ncode--;
    return true;
}

/* The branch taken when the i32 compare `op` is false, or 0 if there is none. */
static unsigned inverted_branch(unsigned op)
{
    static const struct {
        uint16_t compare, branch;
    } inverse[] = {
        {BW_OP_I32_EQ, BW_OP_BR_I32_NE},
        {BW_OP_I32_NE, BW_OP_BR_I32_EQ},
        {BW_OP_I32_LT_S, BW_OP_BR_I32_GE_S},
        {BW_OP_I32_LT_U, BW_OP_BR_I32_GE_U},
        {BW_OP_I32_GT_S, BW_OP_BR_I32_LE_S},
        {BW_OP_I32_GT_U, BW_OP_BR_I32_LE_U},
        {BW_OP_I32_LE_S, BW_OP_BR_I32_GT_S},
        {BW_OP_I32_LE_U, BW_OP_BR_I32_GT_U},
        {BW_OP_I32_GE_S, BW_OP_BR_I32_LT_S},
        {BW_OP_I32_GE_U, BW_OP_BR_I32_LT_U},
        {BW_OP_I32_EQ_IMM, BW_OP_BR_I32_NE_IMM},
        {BW_OP_I32_NE_IMM, BW_OP_BR_I32_EQ_IMM},
        {BW_OP_I32_LT_S_IMM, BW_OP_BR_I32_GE_S_IMM},
        {BW_OP_I32_LT_U_IMM, BW_OP_BR_I32_GE_U_IMM},
        {BW_OP_I32_GT_S_IMM, BW_OP_BR_I32_LE_S_IMM},
        {BW_OP_I32_GT_U_IMM, BW_OP_BR_I32_LE_U_IMM},
        {BW_OP_I32_LE_S_IMM, BW_OP_BR_I32_GT_S_IMM},
        {BW_OP_I32_LE_U_IMM, BW_OP_BR_I32_GT_U_IMM},
        {BW_OP_I32_GE_S_IMM, BW_OP_BR_I32_LT_S_IMM},
        {BW_OP_I32_GE_U_IMM, BW_OP_BR_I32_LT_U_IMM},
    };
    for (size_t i = 0; i < sizeof inverse / sizeof inverse[0]; i++) {
        if (inverse[i].compare == op) {
            return inverse[i].branch;
        }
    }
    return 0;
}

/* `if` on the result of the i32 compare just emitted: the compare becomes the branch to the
 * else arm, taken when it is false. Returns that branch's code index (its target still to
 * patch), or BW_NO_PATCH when the rewrite does not apply. */
uint32_t bw_tr_fuse_if(bw_translator *t, const bw_operand *cond)
{
    if (cond->where != BW_IN_SLOT || t->ndead > 0 || t->status != BW_OK || t->ncode == 0 ||
        t->label_at == t->ncode) {
        return BW_NO_PATCH;
    }
    bw_insn *last = &t->code[t->ncode - 1];
    unsigned op = (unsigned)(uintptr_t)last->handler, branch;
    if (last->a != cond->slot) {
        return BW_NO_PATCH;
    }
    if (op == BW_OP_I32_EQZ) {
        branch = BW_OP_BR_IF; /* x == 0 is false when x is not 0 */
        last->a = last->b;
    } else if ((branch = inverted_branch(op)) != 0) {
        last->a = 0;
        if (op > BW_OP_I32_GE_U) { /* the immediate forms are all numbered above these */
            last->c = (uint32_t)last->imm;
        }
    } else {
        return BW_NO_PATCH;
    }
    last->handler = (const void *)(uintptr_t)branch;
    last->imm = BW_NO_PATCH;
    return t->ncode - 1;
}

/* Pairs (operation, operation of the last instruction) that fuse into one (ops.h). */
static unsigned paired_form(unsigned op, unsigned last_op)
{
    static const struct {
        uint16_t op, last, fused;
    } pairs[] = {
        {BW_OP_I32_ADD, BW_OP_I32_ADD, BW_OP_I32_ADD3},
        {BW_OP_I32_XOR, BW_OP_I32_XOR, BW_OP_I32_XOR3},
        {BW_OP_I32_XOR, BW_OP_I32_ROTL_IMM, BW_OP_I32_XOR_ROTL},
        {BW_OP_I32_XOR, BW_OP_I32_AND, BW_OP_I32_XOR_AND},
        {BW_OP_I32_ADD, BW_OP_I32_AND, BW_OP_I32_ADD_AND},
        {BW_OP_F64_ADD, BW_OP_F64_MUL, BW_OP_F64_ADD_MUL},
        {BW_OP_F64_MUL, BW_OP_F64_LOAD, BW_OP_F64_MUL_LOAD},
        {BW_OP_F64_MUL, BW_OP_F64_LOAD_G, BW_OP_F64_MUL_LOAD},
        {BW_OP_F64_MUL, BW_OP_F64_LOAD_AI, BW_OP_F64_MUL_LOAD},
        {BW_OP_F64_MUL, BW_OP_F64_LOAD_AI_G, BW_OP_F64_MUL_LOAD},
        {BW_OP_F64_ADD, BW_OP_F64_LOAD, BW_OP_F64_ADD_LOAD},
        {BW_OP_F64_ADD, BW_OP_F64_LOAD_G, BW_OP_F64_ADD_LOAD},
        {BW_OP_F64_ADD, BW_OP_F64_LOAD_AI, BW_OP_F64_ADD_LOAD},
        {BW_OP_F64_ADD, BW_OP_F64_LOAD_AI_G, BW_OP_F64_ADD_LOAD},
        {BW_OP_I32_ADD, BW_OP_I32_LOAD, BW_OP_I32_ADD_LOAD},
        {BW_OP_I32_ADD, BW_OP_I32_LOAD_G, BW_OP_I32_ADD_LOAD},
        {BW_OP_I32_ADD, BW_OP_I32_LOAD_AI, BW_OP_I32_ADD_LOAD},
        {BW_OP_I32_ADD, BW_OP_I32_LOAD_AI_G, BW_OP_I32_ADD_LOAD},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        if (pairs[i].op == op && pairs[i].last == last_op) {
            return pairs[i].fused;
        }
    }
    return 0;
}

/* A commutative binary `op` on cells xs and ys, one of which the last instruction just
 * computed into a stack cell: the last instruction becomes the fused form writing `dst`,
 * with the other operand in d (three-operand add and xor, and the forms of paired_form).
 * Its own operands b and c (and imm) stay; they are read one instruction later, with
 * nothing in between. */
bool bw_tr_fuse_chain(bw_translator *t, unsigned op, uint32_t xs, uint32_t ys, uint32_t dst)
{
    if (t->ndead > 0 || t->status != BW_OK || t->ncode == 0 || t->label_at == t->ncode) {
        return false;
    }
    bw_insn *last = &t->code[t->ncode - 1];
    unsigned fused = paired_form(op, (unsigned)(uintptr_t)last->handler);
    if (fused == 0 || last->a < t->nlocals || (last->a != xs && last->a != ys) || xs == ys) {
        return false;
    }
    last->d = last->a == xs ? ys : xs;
    last->a = dst;
    last->handler = (const void *)(uintptr_t)fused;
    return true;
}

/* br_if on the i32 add of a constant just emitted (a counter stepping to zero): one
 * BR_INC_NE_IMM against 0 does both. */
bool bw_tr_fuse_step_nonzero(bw_translator *t, uint32_t cond_slot, bw_ctrl *f)
{
    if (t->ncode == 0 || t->label_at == t->ncode) {
        return false;
    }
    bw_insn *last = &t->code[t->ncode - 1];
    if ((unsigned)(uintptr_t)last->handler != BW_OP_I32_ADD_IMM || last->a != cond_slot) {
        return false;
    }
    last->handler = (const void *)(uintptr_t)BW_OP_BR_INC_NE_IMM;
    last->c = 0;
    last->d = (uint32_t)last->imm;
    aim_branch(t, last, f);
    return true;
}

/* A move of cell `from` into local `index` right after another move: one MOV2 does both,
 * in order (local rotations such as a = b; b = c; ... are chains of moves). */
bool bw_tr_pair_move(bw_translator *t, const bw_operand *value, uint32_t index)
{
    if (value->where == BW_IN_CONST || value->slot == index || t->ndead > 0 || t->status != BW_OK ||
        t->ncode == 0 || t->label_at == t->ncode) {
        return false;
    }
    bw_insn *last = &t->code[t->ncode - 1];
    if ((unsigned)(uintptr_t)last->handler != BW_OP_MOV) {
        return false;
    }
    last->handler = (const void *)(uintptr_t)BW_OP_MOV2;
    last->c = index;
    last->d = value->slot;
    return true;
}
