/* Replicated dispatch: a loop back-edge becomes a copy of the loop's head when that head is a
 * short computation ending in a br_table (a bytecode interpreter's dispatch). */
#include "engine/ops_translate.h"

/* The longest head copied, its br_table included: an index computation, a step of the
 * interpreted program counter, the table jump. Longer heads would grow the code for little:
 * the gain is the one dispatch saved and a table jump of the copy's own. */
#define DISPATCH_HEAD_MAX 4u

/* Does `op` only compute (no branch, call or return), so that a copy of it placed anywhere
 * does exactly what the original does? Listed by range of ops.h rather than excluded, so a
 * new operation (a new branch form above all) is not copied until someone says it may be. */
static bool straight_line(unsigned op)
{
    return (op >= BW_OP_I32_LOAD && op <= BW_OP_CONST64) ||       /* loads, stores, constants */
           (op >= BW_OP_I32_EQZ && op <= BW_OP_I64_EXTEND32_S) || /* numeric */
           op == BW_OP_MOV || (op >= BW_OP_I32_ADD_IMM && op <= BW_OP_I32_NE_IMM) ||
           (op >= BW_OP_I32_MUL_IMM && op <= BW_OP_I64_GT_U_IMM) ||
           (op >= BW_OP_I32_LOAD_AR && op <= BW_OP_MOV2) || /* addressed, guarded, pairs */
           op == BW_OP_I32_ADD_SHL || op == BW_OP_I32_ADD_SHL_IMM || op == BW_OP_I32_ADD_IMM2 ||
           op == BW_OP_I32_ADD2 || op == BW_OP_MOV4;
}

static bool table_jump(unsigned op)
{
    return op == BW_OP_BR_TABLE || op == BW_OP_BR_TABLE_LOAD8 || op == BW_OP_BR_TABLE_FETCH8;
}

bool bw_tr_replicate_head(bw_translator *t, uint32_t start)
{
    if (t->ndead > 0 || t->status != BW_OK) {
        return false;
    }
    /* The head is final: its br_table is emitted, and nothing rewrites an instruction
     * before an unconditional jump. Its jump table is shared, not copied (entries still
     * waiting for a forward label are patched once, for both). */
    uint32_t end = start;
    while (end < t->ncode && end - start < DISPATCH_HEAD_MAX &&
           !table_jump((unsigned)(uintptr_t)t->code[end].handler)) {
        if (!straight_line((unsigned)(uintptr_t)t->code[end].handler)) {
            return false;
        }
        end++;
    }
    if (end >= t->ncode || end - start >= DISPATCH_HEAD_MAX ||
        !table_jump((unsigned)(uintptr_t)t->code[end].handler)) {
        return false;
    }
    for (uint32_t i = start; i <= end; i++) {
        const bw_insn in = t->code[i]; /* emitting may move the code array */
        bw_tr_emit(t, (unsigned)(uintptr_t)in.handler, in.a, in.b, in.c, in.d, in.imm);
    }
    return true;
}

/* Fits the signed 27 bits BR_TABLE_FETCH8 keeps of its step? */
static bool small_step(uint32_t step)
{
    int32_t s = (int32_t)step;
    return s >= -(1 << 26) && s < (1 << 26);
}

void bw_tr_fold_fetch(bw_translator *t)
{
    if (t->ncode < 3 || t->label_at >= t->ncode - 2) {
        return;
    }
    bw_insn *shift = &t->code[t->ncode - 3], *step = shift + 1, *table = shift + 2;
    const uint32_t shifted = shift->a, counter = shift->b;
    if ((unsigned)(uintptr_t)shift->handler != BW_OP_I32_SHL_IMM ||
        (unsigned)(uintptr_t)step->handler != BW_OP_I32_ADD_IMM ||
        (unsigned)(uintptr_t)table->handler != BW_OP_BR_TABLE_LOAD8 || step->a != counter ||
        step->b != counter || table->a != shifted || shifted == counter || shifted > 0xFFFF ||
        counter > 0xFFFF || !small_step((uint32_t)step->imm)) {
        return;
    }
    const uint32_t high = (uint32_t)(shift->imm & 31) | (uint32_t)step->imm << 5;
    *shift = *table;
    shift->handler = (const void *)(uintptr_t)BW_OP_BR_TABLE_FETCH8;
    shift->a = shifted | counter << 16;
    shift->imm = (uint32_t)table->imm | (uint64_t)high << 32;
    t->ncode -= 2;
}
