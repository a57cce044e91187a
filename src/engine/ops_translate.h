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
    bw_status status; /* sticky: the first failure */

    bw_operand *stack;
    uint32_t sp, stack_cap, max_height;
    bw_ctrl *ctrls;
    uint32_t nctrl, ctrl_cap;
    uint32_t ndead; /* frames marked unreachable: nothing is emitted while > 0 */

    bw_insn *code;
    uint32_t ncode, code_cap;
    uint32_t *tables;
    uint32_t ntables, tables_cap;
    uint32_t nlocals;
    uint32_t label_at; /* the last code index a branch may land on */
} bw_translator;

/* compile.c */
void bw_tr_fail(bw_translator *t, bw_status status, const char *message);
bool bw_tr_u32(bw_translator *t, uint32_t *out);
bool bw_tr_s32(bw_translator *t, int32_t *out);
bool bw_tr_s64(bw_translator *t, int64_t *out);
bool bw_tr_s33(bw_translator *t, int64_t *out);
bool bw_tr_byte(bw_translator *t, uint8_t *out);
bool bw_tr_reserve(bw_translator *t, void **buf, uint32_t *cap, size_t size, uint64_t need);
/* Appends an instruction; returns its code index, or BW_NO_PATCH in dead code. */
uint32_t bw_tr_emit(bw_translator *t, unsigned op, uint32_t a, uint32_t b, uint32_t c, uint32_t d,
                    uint64_t imm);
bw_operand bw_tr_pop(bw_translator *t, uint8_t expect);
uint32_t bw_tr_push(bw_translator *t, uint8_t type); /* returns the new value's cell */
void bw_tr_push_const(bw_translator *t, uint8_t type, uint64_t value);
uint32_t bw_tr_use(bw_translator *t, const bw_operand *op); /* writes a pending constant */
void bw_tr_move(bw_translator *t, const bw_operand *op, uint32_t dst);
void bw_tr_materialize(bw_translator *t, uint32_t index);
bool bw_tr_is_ref(uint8_t type);
bool bw_tr_valtype(uint8_t type);

/* compile_ctrl.c: the function's outer frame, and one instruction after its opcode. */
void bw_tr_open_function(bw_translator *t);
void bw_tr_instruction(bw_translator *t, uint8_t op);

/* compile_peep.c: rewrite the last instruction instead of emitting more. false when the
 * rewrite does not apply (then emit as usual). */
bool bw_tr_retarget_last(bw_translator *t, const bw_operand *value, uint32_t local);
bool bw_tr_fuse_compare(bw_translator *t, const bw_operand *cond, bw_ctrl *target);
bool bw_tr_fuse_chain(bw_translator *t, unsigned op, uint32_t xs, uint32_t ys, uint32_t dst);
uint32_t bw_tr_fuse_if(bw_translator *t, const bw_operand *cond);
bool bw_tr_fold_address(bw_translator *t, const bw_operand *addr, uint32_t kept, uint32_t *base,
                        uint32_t *addend, bool *constant);

/* compile_ops.c: the instructions other than control and variables. false when `op` is not
 * one of them. */
bool bw_tr_numeric(bw_translator *t, uint8_t op);
bool bw_tr_memory(bw_translator *t, uint8_t op);
bool bw_tr_reference(bw_translator *t, uint8_t op);
void bw_tr_prefixed(bw_translator *t);

#endif
