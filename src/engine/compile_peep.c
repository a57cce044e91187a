/* Peephole rewrites of the instruction just emitted (see code.h). */
#include "engine/ops_translate.h"

bool bw_tr_writes_only_a(unsigned op)
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
           (op >= BW_OP_I32_XOR_SHR && op <= BW_OP_I32_ROTL_XOR2_SHR) ||
           (op >= BW_OP_I32_ADD_ROTL_XOR3 && op <= BW_OP_I32_ADD_ANDN) ||
           (op >= BW_OP_F64_MUL3 && op <= BW_OP_I32_ADD_SHL) || op == BW_OP_I32_MAJ ||
           op == BW_OP_I32_ADD_SHL_IMM || op == BW_OP_I32_ADD_EQ || op == BW_OP_I32_ADD_NE ||
           op == BW_OP_I32_ADD_ADD_ANDN || op == BW_OP_SELECT || op == BW_OP_GLOBAL_GET ||
           op == BW_OP_TABLE_GET || op == BW_OP_TABLE_GROW || op == BW_OP_TABLE_SIZE;
}

/* The last instruction, an i32 add just retargeted to a local, right after another add of
 * the same kind writing a local: one I32_ADD_IMM2 or I32_ADD2 does both, in order (loops
 * step several counters and pointers); right after a byte store of a constant at that
 * local, stepping it by a cell: one I32_STORE8_K_BUMP. Not when a branch lands on the
 * second. */
static void pair_adds(bw_translator *t)
{
    if (!bw_tr_last_two_join(t)) {
        return;
    }
    bw_insn *prev = &t->code[t->ncode - 2], *last = prev + 1;
    unsigned op = (unsigned)(uintptr_t)last->handler;
    if ((unsigned)(uintptr_t)prev->handler == BW_OP_I32_STORE8_K && op == BW_OP_I32_ADD &&
        prev->a == last->a && (last->b == last->a || last->c == last->a)) {
        prev->handler = (const void *)(uintptr_t)BW_OP_I32_STORE8_K_BUMP;
        prev->d = last->b == last->a ? last->c : last->b;
        t->ncode--;
        return;
    }
    if ((unsigned)(uintptr_t)prev->handler != op || prev->a >= t->nlocals ||
        last->a >= t->nlocals) {
        if (!bw_tr_pair_mixed_adds(t)) {
            bw_tr_fold_load_step(t);
        }
        return;
    }
    if (op == BW_OP_I32_ADD_IMM) {
        prev->handler = (const void *)(uintptr_t)BW_OP_I32_ADD_IMM2;
        prev->imm = (uint32_t)prev->imm | (uint64_t)(uint32_t)last->imm << 32;
        prev->c = last->a;
        prev->d = last->b;
    } else if (op == BW_OP_I32_ADD) {
        prev->handler = (const void *)(uintptr_t)BW_OP_I32_ADD2;
        prev->d = last->a;
        prev->imm = last->b | (uint64_t)last->c << 32;
    } else {
        return;
    }
    t->ncode--;
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
    if (last->a != value->slot || !bw_tr_writes_only_a((unsigned)(uintptr_t)last->handler)) {
        return false;
    }
    last->a = index;
    pair_adds(t);
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

/* A compare-and-branch testing the second of two paired adds (I32_ADD_IMM2, I32_ADD2): the
 * pair splits again, the second add joining the branch as its counter step (`fused`, the
 * BR_INC form of the branch). As many instructions, but the step and its test are one. */
static void step_second(bw_insn *pair, bw_insn *branch, unsigned fused, bool cell_right)
{
    bool by_constant = (unsigned)(uintptr_t)pair->handler == BW_OP_I32_ADD_IMM2;
    uint32_t dst = by_constant ? pair->c : pair->d;
    if (branch->b != dst || (cell_right && branch->c == dst)) {
        return;
    }
    if (by_constant) {
        branch->handler = (const void *)(uintptr_t)fused;
        branch->b = pair->d;
        branch->d = (uint32_t)(pair->imm >> 32);
        pair->handler = (const void *)(uintptr_t)BW_OP_I32_ADD_IMM;
        pair->imm = (uint32_t)pair->imm;
    } else {
        branch->handler = (const void *)(uintptr_t)(fused - BW_OP_BR_INC_EQ + BW_OP_BR_ADD_EQ);
        branch->b = (uint32_t)pair->imm;
        branch->d = (uint32_t)(pair->imm >> 32);
        pair->handler = (const void *)(uintptr_t)BW_OP_I32_ADD;
        pair->imm = 0;
    }
    branch->a = dst;
    pair->d = 0;
    if (by_constant) {
        pair->c = 0;
    }
}

/* BR_I32_EQ .. GE_U `branch` comparing cell `stepped` on the right (`n != i + 1`): the
 * same test with the operands the other way round (`i + 1 != n`), so that the counter
 * step can join it; returns the (maybe new) operation. */
static unsigned stepped_left(bw_insn *branch, uint32_t stepped)
{
    static const uint8_t swapped[] = {0, 1, 4, 5, 2, 3, 8, 9, 6, 7}; /* EQ NE LT GT LE GE */
    unsigned op = (unsigned)(uintptr_t)branch->handler;
    if (branch->c != stepped || branch->b == stepped) {
        return op;
    }
    op = BW_OP_BR_I32_EQ + swapped[op - BW_OP_BR_I32_EQ];
    branch->handler = (const void *)(uintptr_t)op;
    branch->c = branch->b;
    branch->b = stepped;
    return op;
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
    if (cell_right) {
        uint32_t stepped = step_op == BW_OP_I32_ADD_IMM2 ? step->c
                           : step_op == BW_OP_I32_ADD2   ? step->d
                                                         : step->a;
        op = stepped_left(branch, stepped);
        fused = step_form(op);
    }
    if (step_op == BW_OP_I32_ADD_IMM2 || step_op == BW_OP_I32_ADD2) {
        step_second(step, branch, fused, cell_right);
        return branch;
    }
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

/* The compare-and-branch `branch` (the last instruction, BR_I32_EQ .. GE_U on two cells)
 * testing the i32 the plain load just before it loaded: one I32_LOAD_BR, which still writes
 * the loaded value (the load may write a local). A loaded right operand swaps the compare. */
static bw_insn *fuse_load_branch(bw_translator *t, bw_insn *branch)
{
    static const uint8_t swapped[] = {0, 1, 4, 5, 2, 3, 8, 9, 6, 7}; /* EQ NE LT GT LE GE */
    unsigned op = (unsigned)(uintptr_t)branch->handler;
    if (op < BW_OP_BR_I32_EQ || op > BW_OP_BR_I32_GE_U || t->ncode < 2 ||
        t->label_at == t->ncode - 1) {
        return branch;
    }
    bw_insn *load = branch - 1;
    unsigned load_op = (unsigned)(uintptr_t)load->handler, cmp = op - BW_OP_BR_I32_EQ;
    if ((load_op != BW_OP_I32_LOAD && load_op != BW_OP_I32_LOAD_G) ||
        (branch->b != load->a && branch->c != load->a)) {
        return branch;
    }
    uint32_t other = branch->c;
    if (branch->b != load->a) {
        cmp = swapped[cmp];
        other = branch->b;
    }
    load->handler = (const void *)(uintptr_t)(BW_OP_I32_LOAD_BR_EQ + cmp);
    load->d = (uint32_t)load->imm;
    load->c = other;
    load->imm = branch->imm;
    t->ncode--;
    return load;
}

/* Is `in` a byte load at (u32)(b + c) with no offset, into a temporary? */
static bool plain_byte_load(const bw_translator *t, const bw_insn *in)
{
    unsigned op = (unsigned)(uintptr_t)in->handler;
    return (op == BW_OP_I32_LOAD8_U_AR || op == BW_OP_I32_LOAD8_U_AR_G) && in->imm == 0 &&
           in->a >= t->nlocals;
}

/* BR_I32_EQ or NE (the last instruction) comparing the bytes the two loads before it read
 * into temporaries: one BR_BYTES_EQ / NE. The second load must not read the first's
 * result, and no branch may land on the second load or the compare. */
static bw_insn *fuse_byte_compare(bw_translator *t, bw_insn *branch)
{
    unsigned op = (unsigned)(uintptr_t)branch->handler;
    if ((op != BW_OP_BR_I32_EQ && op != BW_OP_BR_I32_NE) || t->ncode < 3 ||
        t->label_at >= t->ncode - 2) {
        return branch;
    }
    bw_insn *first = branch - 2, *second = branch - 1;
    if (!plain_byte_load(t, first) || !plain_byte_load(t, second) || first->a == second->a ||
        second->b == first->a || second->c == first->a) {
        return branch;
    }
    bool in_order = branch->b == first->a && branch->c == second->a;
    if (!in_order && !(branch->b == second->a && branch->c == first->a)) {
        return branch;
    }
    first->handler =
        (const void *)(uintptr_t)(op == BW_OP_BR_I32_EQ ? BW_OP_BR_BYTES_EQ : BW_OP_BR_BYTES_NE);
    first->a = first->b;
    first->b = first->c;
    first->c = second->b;
    first->d = second->c;
    first->imm = branch->imm;
    t->ncode -= 2;
    return first;
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
    last = fuse_load_branch(t, last);
    last = fuse_byte_compare(t, last);
    last = bw_tr_fold_fill_step(t, last);
    last = bw_tr_fold_move_branch(t, last);
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
        {BW_OP_I32_XOR, BW_OP_I32_SHR_U_IMM, BW_OP_I32_XOR_SHR},
        {BW_OP_I32_ADD, BW_OP_I32_ROTL_XOR3, BW_OP_I32_ADD_ROTL_XOR3},
        {BW_OP_I32_ADD, BW_OP_I32_ROTL_XOR2_SHR, BW_OP_I32_ADD_ROTL_XOR2_SHR},
        {BW_OP_I32_XOR, BW_OP_I32_AND, BW_OP_I32_XOR_AND},
        {BW_OP_I32_ADD, BW_OP_I32_AND, BW_OP_I32_ADD_AND},
        {BW_OP_I32_ADD, BW_OP_I32_SHL_IMM, BW_OP_I32_ADD_SHL},
        {BW_OP_I32_ADD, BW_OP_I32_EQ, BW_OP_I32_ADD_EQ},
        {BW_OP_I32_ADD, BW_OP_I32_NE, BW_OP_I32_ADD_NE},
        {BW_OP_F64_ADD, BW_OP_F64_MUL, BW_OP_F64_ADD_MUL},
        {BW_OP_F64_MUL, BW_OP_F64_MUL, BW_OP_F64_MUL3},
        {BW_OP_F64_SUB, BW_OP_F64_MUL, BW_OP_F64_SUB_MUL},
        {BW_OP_F64_SUB, BW_OP_F64_LOAD, BW_OP_F64_SUB_LOAD},
        {BW_OP_F64_SUB, BW_OP_F64_LOAD_G, BW_OP_F64_SUB_LOAD},
        {BW_OP_F64_SUB, BW_OP_F64_LOAD_AI, BW_OP_F64_SUB_LOAD},
        {BW_OP_F64_SUB, BW_OP_F64_LOAD_AI_G, BW_OP_F64_SUB_LOAD},
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
 * computed into a stack cell (for f64.sub, ys): the last instruction becomes the fused form
 * writing `dst`, with the other operand in d (three-operand add and xor, and the forms of
 * paired_form).
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
    if (op == BW_OP_F64_SUB && last->a != ys) { /* only x - (the pair's value) */
        return false;
    }
    last->d = last->a == xs ? ys : xs;
    last->a = dst;
    last->handler = (const void *)(uintptr_t)fused;
    bw_tr_fold_triple(t, fused);
    return true;
}

/* br_if on the i32 add of a constant just emitted (a counter stepping to zero): one
 * BR_INC_NE_IMM against 0 does both; on a byte just loaded into a temporary: one
 * BR_IF_LOAD8. */
bool bw_tr_fuse_step_nonzero(bw_translator *t, uint32_t cond_slot, bw_ctrl *f)
{
    if (t->ncode == 0 || t->label_at == t->ncode) {
        return false;
    }
    bw_insn *last = &t->code[t->ncode - 1];
    if ((unsigned)(uintptr_t)last->handler == BW_OP_I32_ADD_IMM2 && last->c == cond_slot) {
        /* The second of two paired steps: it leaves the pair to join the branch. */
        uint32_t dst = last->c, src = last->d, step = (uint32_t)(last->imm >> 32);
        last->handler = (const void *)(uintptr_t)BW_OP_I32_ADD_IMM;
        last->c = last->d = 0;
        last->imm = (uint32_t)last->imm;
        bw_tr_emit(t, BW_OP_BR_INC_NE_IMM, dst, src, 0, step, 0);
        if (t->status != BW_OK) {
            return true;
        }
        aim_branch(t, &t->code[t->ncode - 1], f);
        return true;
    }
    if (plain_byte_load(t, last) && last->a == cond_slot) { /* a byte that is not 0 */
        last->handler = (const void *)(uintptr_t)BW_OP_BR_IF_LOAD8;
        last->a = last->b;
        last->b = last->d = 0;
        aim_branch(t, last, f);
        return true;
    }
    if ((unsigned)(uintptr_t)last->handler != BW_OP_I32_ADD_IMM || last->a != cond_slot) {
        return false;
    }
    last->handler = (const void *)(uintptr_t)BW_OP_BR_INC_NE_IMM;
    last->c = 0;
    last->d = (uint32_t)last->imm;
    aim_branch(t, last, f);
    return true;
}

/* A third or fourth move after a MOV2: one MOV4, when the cells fit its 16-bit fields. A
 * MOV4 with three moves repeats the third as its fourth (harmless: the same copy again),
 * and a later move takes that place. */
static bool pair_move4(bw_insn *last, uint32_t from, uint32_t index)
{
    unsigned op = (unsigned)(uintptr_t)last->handler;
    if (from > UINT16_MAX || index > UINT16_MAX) {
        return false;
    }
    uint64_t move = (uint64_t)from << 16 | index;
    if (op == BW_OP_MOV2) {
        last->handler = (const void *)(uintptr_t)BW_OP_MOV4;
        last->imm = move | move << 32;
        return true;
    }
    if (op == BW_OP_MOV4 && (last->imm >> 32) == (last->imm & UINT32_MAX)) {
        last->imm = (last->imm & UINT32_MAX) | move << 32;
        return true;
    }
    return false;
}

/* A move of cell `from` into local `index` right after another move: one MOV2 does both,
 * in order (local rotations such as a = b; b = c; ... are chains of moves). A move of the
 * sum an I32_ADD_IMM just made (`p = q = q - 4`, a local.tee then a local.set): one
 * I32_ADD_IMM2 whose second add is of 0. */
bool bw_tr_pair_move(bw_translator *t, const bw_operand *value, uint32_t index)
{
    if (value->where == BW_IN_CONST || value->slot == index || t->ndead > 0 || t->status != BW_OK ||
        t->ncode == 0 || t->label_at == t->ncode) {
        return false;
    }
    bw_insn *last = &t->code[t->ncode - 1];
    if ((unsigned)(uintptr_t)last->handler == BW_OP_I32_ADD_IMM && last->a == value->slot) {
        last->handler = (const void *)(uintptr_t)BW_OP_I32_ADD_IMM2;
        last->imm = (uint32_t)last->imm;
        last->c = index;
        last->d = value->slot;
        return true;
    }
    if ((unsigned)(uintptr_t)last->handler != BW_OP_MOV) {
        return pair_move4(last, value->slot, index);
    }
    last->handler = (const void *)(uintptr_t)BW_OP_MOV2;
    last->c = index;
    last->d = value->slot;
    return true;
}

/* A call of function `func` (one the module defines) right after a move or an add of a
 * constant (of an argument, usually: `f(n - 1)`): one CALL_LOCAL_MOV or CALL_LOCAL_ADD_IMM
 * does that instruction, then the call. */
bool bw_tr_fuse_call_move(bw_translator *t, uint32_t first_arg, uint32_t func)
{
    if (t->ndead > 0 || t->status != BW_OK || t->ncode == 0 || t->label_at == t->ncode) {
        return false;
    }
    bw_insn *last = &t->code[t->ncode - 1];
    unsigned op = (unsigned)(uintptr_t)last->handler;
    if (op == BW_OP_I32_ADD_IMM) {
        last->handler = (const void *)(uintptr_t)BW_OP_CALL_LOCAL_ADD_IMM;
        last->d = (uint32_t)last->imm;
    } else if (op == BW_OP_MOV) {
        last->handler = (const void *)(uintptr_t)BW_OP_CALL_LOCAL_MOV;
    } else {
        return false;
    }
    last->c = last->b;
    last->b = last->a;
    last->a = first_arg;
    last->imm = func;
    return true;
}

/* A return right after the instruction computing its single result (an add of a constant
 * or of two cells, a move or a constant): one instruction does both. */
bool bw_tr_fuse_return(bw_translator *t)
{
    if (t->ndead > 0 || t->status != BW_OK || t->ncode == 0 || t->label_at == t->ncode) {
        return false;
    }
    bw_insn *last = &t->code[t->ncode - 1];
    unsigned op = (unsigned)(uintptr_t)last->handler, fused;
    if (op == BW_OP_I32_ADD_IMM) {
        fused = BW_OP_RETURN_I32_ADD_IMM;
    } else if (op == BW_OP_I32_ADD) {
        fused = BW_OP_RETURN_I32_ADD;
    } else if (op == BW_OP_MOV) {
        fused = BW_OP_RETURN_MOV;
    } else if (op == BW_OP_CONST32 || op == BW_OP_CONST64) {
        fused = BW_OP_RETURN_CONST;
    } else {
        return false;
    }
    last->handler = (const void *)(uintptr_t)fused;
    return true;
}

/* A br_table on the byte the load just before it read into a temporary (a bytecode
 * interpreter's dispatch): one BR_TABLE_LOAD8. */
bool bw_tr_fuse_table_load(bw_translator *t, uint32_t index_slot, uint32_t count, uint32_t table)
{
    if (t->ndead > 0 || t->status != BW_OK || t->ncode == 0 || t->label_at == t->ncode ||
        index_slot < t->nlocals) {
        return false;
    }
    bw_insn *last = &t->code[t->ncode - 1];
    unsigned op = (unsigned)(uintptr_t)last->handler;
    bool plain = op == BW_OP_I32_LOAD8_U || op == BW_OP_I32_LOAD8_U_G;
    if (last->a != index_slot ||
        (!plain && op != BW_OP_I32_LOAD8_U_AI && op != BW_OP_I32_LOAD8_U_AI_G)) {
        return false;
    }
    last->handler = (const void *)(uintptr_t)BW_OP_BR_TABLE_LOAD8;
    last->a = last->b;
    last->b = count;
    last->c = plain ? 0 : last->c;
    last->d = (uint32_t)last->imm;
    last->imm = table;
    bw_tr_fold_fetch(t);
    return true;
}
