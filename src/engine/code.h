/* The translated code of one function: the format compile.c writes and interp.c runs. */
#ifndef BURH_ENGINE_CODE_H
#define BURH_ENGINE_CODE_H

#include <stdint.h>

#include "engine/ops.h"
#include "engine/runtime.h"

/*
 * Design
 *
 * Validation fixes the operand stack height at every instruction, so the translator gives
 * every value a fixed cell in the function's frame:
 *
 *     fp[0 .. nparams)            parameters (the caller's argument cells)
 *     fp[nparams .. nlocals)      declared locals, zeroed on entry
 *     fp[nlocals .. frame_cells)  operand stack: height h lives in fp[nlocals + h]
 *
 * The return ip, caller fp and caller function of the frame at depth d are kept apart, in
 * link record d at the end of bw_store.stack, since a callee's frame may overlap the cells
 * past its caller's.
 *
 * Code is an array of fixed-size three-address instructions naming cells ("i32.add
 * fp[a] = fp[b] + fp[c]"). Each starts with its handler's address (computed goto), so
 * dispatch is one indirect jump: `goto *ip->handler`. The translator writes the operation
 * number there and bw_compile_module swaps in the interpreter's label address at the end.
 *
 * local.get emits nothing: the stack entry remembers "this value is local x" and the
 * instruction consuming it reads fp[x] directly. Before a write to local x the pending
 * reads of x still on the stack are copied to their own cells, and every pending read is
 * copied at block, loop and if entry, so a control-flow join never depends on one.
 *
 * Branches carry a code index resolved at translation time. A branch that carries values
 * is preceded by MOV instructions placing them in the target's cells, emitted only when
 * the cells differ. br_table indexes a jump table (bw_compiled_func.br_tables) whose
 * entries point at the target, or at a stub of MOVs ending in BR when values must move.
 *
 * A call passes arguments in place: the callee's frame begins at the caller's cell of the
 * first argument, and results come back in the callee's first cells, which is where the
 * caller expects them. Calls never recurse in C; frames live on bw_store.stack.
 *
 * Peepholes (compile_peep.c, compile_ops.c): constants stay pending and become immediates
 * (every common i32 and i64 binary operation and compare has an _IMM form taking the
 * constant in imm; a constant on the left of a commutative operation is swapped right;
 * local.set of a constant writes it directly); local.set of a value the previous
 * instruction computed retargets that instruction to the local; br_if on an i32 compare
 * just emitted becomes one compare-and-branch, and `if` on one becomes the inverted
 * compare-and-branch to the else arm; an i32.add computing a load or store address into a
 * stack cell is dropped and the access adds for itself (the _AR / _AI forms, see ops.h);
 * an i32 add (xor) of the sum (xor) just computed becomes one three-operand I32_ADD3
 * (I32_XOR3, a=dst b c d); f64 arithmetic takes a constant operand as an immediate.
 * Every peephole is off when a branch lands between the two instructions.
 *
 * Bounds checks are in software: each access compares against the memory's current size.
 * Each memory already reserves 8 GiB + 64 KiB (memory.c), so guard pages could replace
 * them later (docs/engine.md says what that needs).
 *
 * Later work builds on the same slot assignment: load + op superinstructions, register
 * caching of the top slot, then a JIT.
 */

typedef struct bw_insn {
    const void *handler; /* label address; an enum bw_op during translation */
    uint32_t a, b, c, d; /* cell indices relative to fp, or small immediates */
    uint64_t imm;        /* constant, memory offset, index, or branch target (code index) */
} bw_insn;

/* Operands per operation (dst is a cell written, x/y/z cells read):
 *   numeric unary      a=dst b=x                 numeric binary  a=dst b=x c=y
 *   *_IMM              a=dst b=x imm=constant    CONST32/64      a=dst imm=bits
 *   load               a=dst b=addr imm=offset   store           a=addr b=value imm=offset
 *   MOV                a=dst b=x                 SELECT          a=dst b=x c=y d=cond
 *   BR/BR_LOOP         imm=target                BR_IF/UNLESS    a=cond imm=target
 *   BR_I32_<cmp>       b=x c=y imm=target        BR_I32_<cmp>_IMM b=x c=constant imm=target
 *   load _AR / _AI     a=dst b=x c=y or constant imm=offset (address (u32)(x + c) + imm)
 *   store _AR / _AI    a=x b=value c=y or constant imm=offset
 *   BR_TABLE           a=index b=count imm=first jump-table entry (count + 1 entries)
 *   CALL               a=first argument imm=function index
 *   CALL_INDIRECT      a=first argument b=table c=element d=type index
 *   RETURN             results already in fp[0 ..)
 *   GLOBAL_GET/SET     a=dst/value imm=global    MEMORY_SIZE/GROW a=dst b=delta
 *   TABLE_GET          a=dst b=i imm=table       TABLE_SET       a=i b=value imm=table
 *   TABLE_SIZE         a=dst imm=table           TABLE_GROW      a=dst b=init c=n imm=table
 *   TABLE_FILL         a=i b=value c=n imm=table TABLE_COPY      a=d b=s c=n d=dst imm=src table
 *   TABLE_INIT         a=d b=s c=n d=table imm=segment
 *   MEMORY_INIT        a=d b=s c=n imm=segment   MEMORY_COPY/FILL a=d b=s/value c=n
 *   DATA_DROP/ELEM_DROP imm=segment              REF_FUNC        a=dst imm=function
 */

struct bw_compiled_func {
    bw_insn *code;
    uint32_t ncode;
    uint32_t *br_tables; /* jump-table entries: code indices */
    uint32_t nbr_tables;
    uint32_t nparams, nlocals, nresults;
    uint32_t frame_cells; /* locals + deepest operand stack (at least nresults) */
};

/* Cells of one link record (saved return ip, caller fp, caller function). */
#define BW_FRAME_LINK_CELLS 3u

/* interp.c: the handler address of each operation, indexed by enum bw_op. */
const void *const *bw_interp_handlers(void);

#endif
