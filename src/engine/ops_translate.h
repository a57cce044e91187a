/* The translator's state, shared by compile.c (control, variables) and compile_ops.c. */
#ifndef BURH_ENGINE_OPS_TRANSLATE_H
#define BURH_ENGINE_OPS_TRANSLATE_H

#include "engine/code.h"

#define BW_UNKNOWN 0 /* the validation algorithm's Unknown operand type */

/* Where an operand's value is: its own stack cell, a local still unread, or a constant
 * not yet written anywhere. `slot` is the cell an instruction reads (for a constant, the
 * stack cell it gets when it has to be written). */
enum { BW_IN_SLOT = 0, BW_IN_LOCAL, BW_IN_CONST };

typedef struct bw_operand {
    uint8_t type; /* bw_valtype or BW_UNKNOWN */
    uint8_t where;
    uint32_t slot;
    uint64_t value; /* BW_IN_CONST */
} bw_operand;

enum { BW_CTRL_FUNC, BW_CTRL_BLOCK, BW_CTRL_LOOP, BW_CTRL_IF, BW_CTRL_ELSE };

typedef struct bw_ctrl {
    uint8_t kind;
    bool unreachable;
    uint32_t nparams, nresults;
    const uint8_t *params, *results;
    uint32_t height;     /* operand stack height below the block's params */
    uint32_t start;      /* loop: code index of the head */
    uint32_t patches;    /* chain of branches waiting for the end label */
    uint32_t else_patch; /* if: the BR_UNLESS to patch at else or end */
} bw_ctrl;

#define BW_NO_PATCH    UINT32_MAX
#define BW_PATCH_TABLE 0x80000000u /* a chain link naming a jump-table entry */

typedef struct bw_translator {
    const bw_module *module;
    const bw_func_decl *decl;
    const bw_functype *type;
    const uint8_t *p, *end;
    bw_error *err;
    /* Translate for the guard-page bounds mode: loads and stores may be emitted without a
     * software check (an out-of-bounds access faults in the memory's guard region). Set
     * from the mode of the instance whose call triggers the translation. */
    bool guard_pages;
    bw_status status; /* sticky: the first failure */

    bw_operand *stack;
    uint32_t sp, stack_cap, max_height;
    bw_ctrl *ctrls;
    uint32_t nctrl, ctrl_cap;
    uint32_t ndead; /* frames marked unreachable: nothing is emitted while > 0 (starts at 1
                     * when only validating, so nothing is ever emitted) */

    bw_insn *code;
    uint32_t ncode, code_cap;
    uint32_t *tables;
    uint32_t ntables, tables_cap;
    uint32_t nlocals;
    uint32_t label_at; /* the last code index a branch may land on */
    /* Declared locals not written yet, so still 0 (bit i: local nparams + i): a store of 0
     * to one emits nothing. Cleared by a write and, for all, at a loop head (a write later
     * in the loop reaches it by the back edge). */
    uint64_t zero_locals;
} bw_translator;

/* compile.c */
void bw_tr_fail(bw_translator *t, bw_status status, const char *message);
bool bw_tr_u32_long(bw_translator *t, uint32_t *out); /* the multi-byte LEB128 cases */
bool bw_tr_s32_long(bw_translator *t, int32_t *out);
bool bw_tr_s64(bw_translator *t, int64_t *out);
bool bw_tr_s33(bw_translator *t, int64_t *out);
bool bw_tr_reserve(bw_translator *t, void **buf, uint32_t *cap, size_t size, uint64_t need);
/* Appends an instruction; returns its code index, or BW_NO_PATCH in dead code. */
uint32_t bw_tr_emit(bw_translator *t, unsigned op, uint32_t a, uint32_t b, uint32_t c, uint32_t d,
                    uint64_t imm);
/* Grows the operand stack by one entry; a harmless sink entry when that fails. */
bw_operand *bw_tr_push_grow(bw_translator *t);

/* The helpers below run for nearly every instruction when a whole module is validated at
 * load, so they are inline, with the rare cases out of line. */

static inline bool bw_tr_byte(bw_translator *t, uint8_t *out)
{
    if (t->p >= t->end) {
        bw_tr_fail(t, BW_ERR_MALFORMED, "unexpected end");
        *out = 0;
        return false;
    }
    *out = *t->p++;
    return true;
}

static inline bool bw_tr_u32(bw_translator *t, uint32_t *out)
{
    if (t->p < t->end && *t->p < 0x80) {
        *out = *t->p++;
        return true;
    }
    return bw_tr_u32_long(t, out);
}

static inline bool bw_tr_s32(bw_translator *t, int32_t *out)
{
    if (t->p < t->end && *t->p < 0x80) {
        uint8_t byte = *t->p++;
        *out = byte & 0x40 ? (int32_t)byte - 0x80 : (int32_t)byte;
        return true;
    }
    return bw_tr_s32_long(t, out);
}

static inline bw_operand bw_tr_pop(bw_translator *t, uint8_t expect)
{
    const bw_ctrl *f = &t->ctrls[t->nctrl - 1];
    bw_operand op = {expect, BW_IN_SLOT, t->nlocals + t->sp, 0};
    if (t->sp == f->height) {
        if (!f->unreachable) {
            bw_tr_fail(t, BW_ERR_INVALID, "type mismatch");
        }
        return op;
    }
    op = t->stack[--t->sp];
    if (op.type == BW_UNKNOWN) {
        op.type = expect;
    } else if (expect != BW_UNKNOWN && op.type != expect) {
        bw_tr_fail(t, BW_ERR_INVALID, "type mismatch");
    }
    return op;
}

static inline bw_operand *bw_tr_push_entry(bw_translator *t, uint8_t type)
{
    bw_operand *op = t->sp < t->stack_cap ? &t->stack[t->sp] : bw_tr_push_grow(t);
    op->type = type;
    op->where = BW_IN_SLOT;
    op->slot = t->nlocals + t->sp;
    op->value = 0;
    t->sp++;
    if (t->sp > t->max_height) {
        t->max_height = t->sp;
    }
    return op;
}

/* Returns the new value's cell. */
static inline uint32_t bw_tr_push(bw_translator *t, uint8_t type)
{
    return bw_tr_push_entry(t, type)->slot;
}

static inline void bw_tr_push_const(bw_translator *t, uint8_t type, uint64_t value)
{
    bw_operand *op = bw_tr_push_entry(t, type);
    op->where = BW_IN_CONST;
    op->value = value;
}

/* Writes a pending constant to its cell; returns the cell the value is read from. */
static inline uint32_t bw_tr_use(bw_translator *t, const bw_operand *op)
{
    if (op->where == BW_IN_CONST) {
        bw_tr_emit(t, (op->type == BW_I32 || op->type == BW_F32) ? BW_OP_CONST32 : BW_OP_CONST64,
                   op->slot, 0, 0, 0, op->value);
    }
    return op->slot;
}

/* May the last two instructions become one? Both must exist and no branch may land on the
 * second (it would skip the first's work). Every fold of a pair asks this first. */
static inline bool bw_tr_last_two_join(const bw_translator *t)
{
    return t->ncode >= 2 && t->label_at < t->ncode - 1;
}

void bw_tr_move(bw_translator *t, const bw_operand *op, uint32_t dst);
void bw_tr_materialize(bw_translator *t, uint32_t index);
bool bw_tr_is_ref(uint8_t type);
bool bw_tr_valtype(uint8_t type);

/* compile_ctrl.c: the function's outer frame, and one instruction after its opcode. */
void bw_tr_open_function(bw_translator *t);
void bw_tr_instruction(bw_translator *t, uint8_t op);

/* compile_peep.c: does operation `op` only write cell a, after reading all its operands? */
bool bw_tr_writes_only_a(unsigned op);
/* compile_peep.c: rewrite the last instruction instead of emitting more. false when the
 * rewrite does not apply (then emit as usual). */
bool bw_tr_retarget_last(bw_translator *t, const bw_operand *value, uint32_t local);
bool bw_tr_fuse_compare(bw_translator *t, const bw_operand *cond, bw_ctrl *target);
bool bw_tr_fuse_chain(bw_translator *t, unsigned op, uint32_t xs, uint32_t ys, uint32_t dst);
uint32_t bw_tr_fuse_if(bw_translator *t, const bw_operand *cond);
bool bw_tr_fold_address(bw_translator *t, const bw_operand *addr, uint32_t kept, uint32_t *base,
                        uint32_t *addend, bool *constant);
bool bw_tr_fuse_step_nonzero(bw_translator *t, uint32_t cond_slot, bw_ctrl *f);
bool bw_tr_pair_move(bw_translator *t, const bw_operand *value, uint32_t index);
bool bw_tr_fuse_call_move(bw_translator *t, uint32_t first_arg, uint32_t func);
bool bw_tr_fuse_return(bw_translator *t);
bool bw_tr_fuse_table_load(bw_translator *t, uint32_t index_slot, uint32_t count, uint32_t table);

/* compile_fold.c: after bw_tr_fuse_chain made the last instruction `fused`, folds the one or
 * two before it in when they form a larger pattern; and an f64.store of an f64 add or
 * subtract of what was loaded from the same address: one read-modify-write instruction
 * (false when the store must be emitted as usual). */
void bw_tr_fold_triple(bw_translator *t, unsigned fused);
bool bw_tr_fold_f64_store(bw_translator *t, const bw_operand *addr, const bw_operand *value,
                          uint32_t offset);
/* compile_fold.c: an i32.store completing a swap of two i32s in memory (load x, load y,
 * store y at x, this store of x at y): one I32_SWAP (false when it does not apply). The
 * cells the loads wrote are still written. */
bool bw_tr_fold_swap(bw_translator *t, const bw_operand *addr, const bw_operand *value,
                     uint32_t offset);

/* compile_dispatch.c: a jump back to the loop whose head starts at code index `start`,
 * emitted as a copy of that head when it is a short computation ending in a br_table (a
 * bytecode interpreter's dispatch: the copy saves the jump, and each copy's table jump has
 * a branch history of its own). false when the head is not such (emit the jump then). */
bool bw_tr_replicate_head(bw_translator *t, uint32_t start);
/* compile_dispatch.c: the BR_TABLE_LOAD8 just made, on the cell the I32_SHL_IMM two back
 * wrote, with an I32_ADD_IMM stepping the shifted cell between: one BR_TABLE_FETCH8 (an
 * interpreter's `i = &code[pc++]; switch (i->op)`). */
void bw_tr_fold_fetch(bw_translator *t);

/* compile_steps.c: `branch`, the last instruction, a BR_ADD_<cmp>_IMM right after an
 * I32_STORE8_K_BUMP stepping by the same cell: both become one BR_FILL_<cmp>. Returns where
 * the branch now is. */
bw_insn *bw_tr_fold_fill_step(bw_translator *t, bw_insn *branch);
/* compile_steps.c: the F64_ADD/SUB_MUL3_STORE just made, at offset 0 of a cell the
 * I32_ADD_IMM before it computed: one F64_ADD/SUB_MUL3_STORE_AT (the cell still written). */
void bw_tr_fold_store_address(bw_translator *t);
/* compile_steps.c: the last instruction, an I32_ADD_IMM just retargeted to a local, right
 * after an I32_ADD writing a local: one I32_ADD_ADD_IMM. Not when a branch lands on the
 * second. false when it does not apply. */
bool bw_tr_pair_mixed_adds(bw_translator *t);
/* compile_steps.c: `branch`, the last instruction, a compare-and-branch right after a MOV:
 * both become one BR_MOV_<cmp>[_IMM] (not for LE_S_IMM, LE_U_IMM). Returns where the branch
 * now is. */
bw_insn *bw_tr_fold_move_branch(bw_translator *t, bw_insn *branch);

/* compile_tails.c: the last instruction, an I32_ADD_IMM just retargeted to a local and
 * stepping it in place, right after an i32 load (plain, _AR or _AI): one I32_LOAD_AR_STEP or
 * I32_LOAD_AI_STEP. Not when a branch lands on the step. false when it does not apply. */
bool bw_tr_fold_load_step(bw_translator *t);
/* compile_tails.c: emits the back jump to the loop whose head is at code index `start`:
 * one MOV4_BR_LOOP with the MOV, MOV2 or MOV4 just before it when no branch lands on the
 * jump and the cells fit 16 bits, else a BR_LOOP. */
void bw_tr_emit_loop_jump(bw_translator *t, uint32_t start);
/* compile_tails.c: the I32_ADD_ANDN just made (the last instruction), adding to the sum the
 * I32_ADD before it left in a temporary it reads nowhere else: one I32_ADD_ADD_ANDN. Not when
 * a branch lands on the second. */
void bw_tr_fold_add_andn(bw_translator *t);

/* compile_ops.c: the operand and result types of numeric instruction `op` (tests,
 * arithmetic, conversions, sign extensions); false when it is not one. */
typedef struct bw_signature {
    uint8_t in1, in2, out; /* in2 is BW_UNKNOWN for unary operations */
} bw_signature;
bool bw_tr_numeric_signature(uint8_t op, bw_signature *s);

/* compile_ops.c: the instructions other than control and variables. false when `op` is not
 * one of them. */
bool bw_tr_numeric(bw_translator *t, uint8_t op);
bool bw_tr_memory(bw_translator *t, uint8_t op);
bool bw_tr_reference(bw_translator *t, uint8_t op);
void bw_tr_prefixed(bw_translator *t);

#endif
