/* Folds of loop tails (a load and its step, moves and the back jump) and sha256's h + Ch. */
#include "engine/ops_translate.h"

/* The _AR or _AI form of the i32 load `op` (either bounds mode), or 0. */
static unsigned load_step_form(unsigned op)
{
    if (op == BW_OP_I32_LOAD_AR || op == BW_OP_I32_LOAD_AR_G) {
        return BW_OP_I32_LOAD_AR_STEP;
    }
    if (op == BW_OP_I32_LOAD_AI || op == BW_OP_I32_LOAD_AI_G || op == BW_OP_I32_LOAD ||
        op == BW_OP_I32_LOAD_G) {
        return BW_OP_I32_LOAD_AI_STEP;
    }
    return 0;
}

bool bw_tr_fold_load_step(bw_translator *t)
{
    if (!bw_tr_last_two_join(t)) {
        return false;
    }
    bw_insn *load = &t->code[t->ncode - 2], *step = load + 1;
    const unsigned op = (unsigned)(uintptr_t)load->handler, fused = load_step_form(op);
    /* The step adds to a local in place; the offset must fit the low half of imm. */
    if (fused == 0 || (unsigned)(uintptr_t)step->handler != BW_OP_I32_ADD_IMM ||
        step->a != step->b || step->a >= t->nlocals || load->imm > UINT32_MAX) {
        return false;
    }
    if (op == BW_OP_I32_LOAD || op == BW_OP_I32_LOAD_G) {
        load->c = 0; /* a plain load is the _AI form with no addend */
    }
    load->handler = (const void *)(uintptr_t)fused;
    load->d = step->a;
    load->imm = (uint32_t)load->imm | (uint64_t)(uint32_t)step->imm << 32;
    t->ncode--;
    return true;
}

/* Packs the moves of `in` (a MOV, MOV2 or MOV4) as dst | src << 16, repeating the last move
 * up to four; false when it is no move or a cell does not fit 16 bits. */
static bool pack_moves(const bw_insn *in, uint32_t moves[4])
{
    const unsigned op = (unsigned)(uintptr_t)in->handler;
    uint32_t cells[8] = {in->a, in->b, in->c, in->d};
    unsigned n;
    if (op == BW_OP_MOV) {
        n = 1;
    } else if (op == BW_OP_MOV2) {
        n = 2;
    } else if (op == BW_OP_MOV4) {
        n = 4;
        cells[4] = (uint16_t)in->imm, cells[5] = (uint16_t)(in->imm >> 16);
        cells[6] = (uint16_t)(in->imm >> 32), cells[7] = (uint16_t)(in->imm >> 48);
    } else {
        return false;
    }
    for (unsigned i = 0; i < 4; i++) {
        const unsigned m = i < n ? i : n - 1;
        if (cells[2 * m] > UINT16_MAX || cells[2 * m + 1] > UINT16_MAX) {
            return false;
        }
        moves[i] = cells[2 * m] | cells[2 * m + 1] << 16;
    }
    return true;
}

void bw_tr_emit_loop_jump(bw_translator *t, uint32_t start)
{
    uint32_t moves[4];
    /* A branch landing on the jump itself (label_at == ncode) must still find a jump. */
    if (t->ndead == 0 && t->status == BW_OK && t->ncode > 0 && t->label_at < t->ncode &&
        pack_moves(&t->code[t->ncode - 1], moves)) {
        bw_insn *last = &t->code[t->ncode - 1];
        last->handler = (const void *)(uintptr_t)BW_OP_MOV4_BR_LOOP;
        last->a = moves[0], last->b = moves[1], last->c = moves[2], last->d = moves[3];
        last->imm = start;
        return;
    }
    bw_tr_emit(t, BW_OP_BR_LOOP, 0, 0, 0, 0, start);
}

void bw_tr_fold_add_andn(bw_translator *t)
{
    if (!bw_tr_last_two_join(t)) {
        return;
    }
    bw_insn *add = &t->code[t->ncode - 2], *andn = add + 1;
    /* The sum is a temporary the and-not's operands do not read: dropping it changes no
     * later read (the stack entry was consumed). */
    if ((unsigned)(uintptr_t)add->handler != BW_OP_I32_ADD ||
        (unsigned)(uintptr_t)andn->handler != BW_OP_I32_ADD_ANDN || andn->d != add->a ||
        add->a < t->nlocals || andn->b == add->a || andn->c == add->a) {
        return;
    }
    const uint32_t left = add->b, right = add->c;
    *add = *andn;
    add->handler = (const void *)(uintptr_t)BW_OP_I32_ADD_ADD_ANDN;
    add->d = left;
    add->imm = right;
    t->ncode--;
}
