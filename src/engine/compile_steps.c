/* Folds of a loop's last steps into the compare-and-branch ending its iteration (ops.h
 * BW_OPS_FILL_STEPS). */
#include "engine/ops_translate.h"

/* Cells the packed d of BR_FILL can name (24 bits; the stored byte takes the other 8). */
#define FILL_STEP_CELLS 0x1000000u

bw_insn *bw_tr_fold_fill_step(bw_translator *t, bw_insn *branch)
{
    unsigned op = (unsigned)(uintptr_t)branch->handler;
    if (op < BW_OP_BR_ADD_EQ_IMM || op > BW_OP_BR_ADD_GE_U_IMM || !bw_tr_last_two_join(t) ||
        branch != &t->code[t->ncode - 1]) {
        return branch;
    }
    bw_insn *fill = branch - 1;
    /* The fill's address is its cell alone (no addend, no offset: d has no room for them),
     * both steps are by the same cell, and the counter steps itself (one cell for both). */
    if ((unsigned)(uintptr_t)fill->handler != BW_OP_I32_STORE8_K_BUMP || fill->c != 0 ||
        fill->imm != 0 || fill->d != branch->d || fill->d >= FILL_STEP_CELLS ||
        branch->a != branch->b) {
        return branch;
    }
    fill->handler = (const void *)(uintptr_t)(BW_OP_BR_FILL_EQ + (op - BW_OP_BR_ADD_EQ_IMM));
    fill->d = fill->d | (uint32_t)(uint8_t)fill->b << 24;
    fill->b = branch->b;
    fill->c = branch->c;
    fill->imm = branch->imm;
    t->ncode--;
    return fill;
}

void bw_tr_fold_store_address(bw_translator *t)
{
    if (!bw_tr_last_two_join(t)) {
        return;
    }
    bw_insn *add = &t->code[t->ncode - 2], *store = add + 1;
    unsigned op = (unsigned)(uintptr_t)store->handler;
    /* The store's address is the add's cell alone (imm 0: no offset, no addend), and the add
     * does not read the cell it writes. */
    if ((op != BW_OP_F64_ADD_MUL3_STORE && op != BW_OP_F64_SUB_MUL3_STORE) || store->imm != 0 ||
        (unsigned)(uintptr_t)add->handler != BW_OP_I32_ADD_IMM || add->a != store->a ||
        add->b == add->a) {
        return;
    }
    const uint32_t local = add->a, by = (uint32_t)add->imm, base = add->b;
    *add = *store;
    add->handler =
        (const void *)(uintptr_t)(op == BW_OP_F64_ADD_MUL3_STORE ? BW_OP_F64_ADD_MUL3_STORE_AT
                                                                 : BW_OP_F64_SUB_MUL3_STORE_AT);
    add->a = base;
    add->imm = by | (uint64_t)local << 32;
    t->ncode--;
}

bool bw_tr_pair_mixed_adds(bw_translator *t)
{
    if (!bw_tr_last_two_join(t)) {
        return false;
    }
    bw_insn *prev = &t->code[t->ncode - 2], *last = prev + 1;
    if ((unsigned)(uintptr_t)prev->handler != BW_OP_I32_ADD ||
        (unsigned)(uintptr_t)last->handler != BW_OP_I32_ADD_IMM || prev->a >= t->nlocals ||
        last->a >= t->nlocals) {
        return false;
    }
    prev->handler = (const void *)(uintptr_t)BW_OP_I32_ADD_ADD_IMM;
    prev->d = last->a;
    prev->imm = last->b | (uint64_t)(uint32_t)last->imm << 32;
    t->ncode--;
    return true;
}

/* The BR_MOV form of compare-and-branch `op`, or 0 (ops.h BW_OPS_FILL_STEPS). */
static unsigned move_form(unsigned op)
{
    static const uint16_t with_constant[][2] = {
        {BW_OP_BR_I32_EQ_IMM, BW_OP_BR_MOV_EQ_IMM},
        {BW_OP_BR_I32_NE_IMM, BW_OP_BR_MOV_NE_IMM},
        {BW_OP_BR_I32_LT_S_IMM, BW_OP_BR_MOV_LT_S_IMM},
        {BW_OP_BR_I32_LT_U_IMM, BW_OP_BR_MOV_LT_U_IMM},
        {BW_OP_BR_I32_EQZ, BW_OP_BR_MOV_EQ_IMM}, /* its c is 0 */
        {BW_OP_BR_I32_GT_S_IMM, BW_OP_BR_MOV_GT_S_IMM},
        {BW_OP_BR_I32_GT_U_IMM, BW_OP_BR_MOV_GT_U_IMM},
        {BW_OP_BR_I32_GE_S_IMM, BW_OP_BR_MOV_GE_S_IMM},
        {BW_OP_BR_I32_GE_U_IMM, BW_OP_BR_MOV_GE_U_IMM},
    };
    if (op >= BW_OP_BR_I32_EQ && op <= BW_OP_BR_I32_GE_U) {
        return BW_OP_BR_MOV_EQ + (op - BW_OP_BR_I32_EQ);
    }
    for (unsigned i = 0; i < sizeof with_constant / sizeof with_constant[0]; i++) {
        if (with_constant[i][0] == op) {
            return with_constant[i][1];
        }
    }
    return 0;
}

bw_insn *bw_tr_fold_move_branch(bw_translator *t, bw_insn *branch)
{
    unsigned fused = move_form((unsigned)(uintptr_t)branch->handler);
    if (fused == 0 || !bw_tr_last_two_join(t) || branch != &t->code[t->ncode - 1]) {
        return branch;
    }
    bw_insn *move = branch - 1;
    if ((unsigned)(uintptr_t)move->handler != BW_OP_MOV) {
        return branch;
    }
    const uint32_t dst = move->a, src = move->b;
    *move = *branch;
    move->handler = (const void *)(uintptr_t)fused;
    move->a = dst;
    move->d = src;
    t->ncode--;
    return move;
}
