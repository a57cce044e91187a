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
 * number there and bw_func_translate swaps in the interpreter's label address when it has
 * translated the function (at its first call).
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
 * (I32_XOR3, a=dst b c d); f64 arithmetic takes a constant operand as an immediate. More
 * pairs where the second operation consumes the value the first just left in a stack cell
 * (ops.h BW_OPS_PAIRED): xor of a rotl by a constant, xor or add of an and, f64 add of a
 * mul, f64 mul or add and i32 add of a load; a move right after a move (MOV2, local
 * rotations); an i32 add of a constant (or a cell) tested by the compare-and-branch (or
 * br_if) right after it (BR_INC_*, BR_ADD_*: the counter step of most loops); a store of a
 * constant (_K); an f64 add of a load stored back where it was loaded (F64_ADD_STORE); and
 * a single function result the last instruction computed is written straight to fp[0].
 * Larger folds (compile_fold.c, compile_peep.c; ops.h BW_OPS_TRIPLES gives each operand
 * layout) take in the instruction or two before a pair: sha256's sigma and majority
 * functions, f64 read-modify-write stores of a product, a memory swap, two steps of two
 * counters, a load tested by a compare-and-branch, byte compares and byte tests, a br_table
 * on a loaded byte, a return with its result, a move with the call after it.
 * Every peephole is off when a branch lands between the instructions it joins.
 *
 * Bounds checks are in software (each access compares its end with the memory's current
 * size) or, in guard mode, by guard pages: every memory reserves 8 GiB + 64 KiB, PROT_NONE
 * past its current size, so any u32 address plus u32 offset lands in the reservation; the
 * translator then emits the _G loads and stores, which leave the end of an access to the
 * guard pages: a fault in them becomes a BW_TRAP_MEMORY_OOB trap of the innermost run
 * (interp.c on_fault). They still compare the start with a register copy of the size, one
 * compare-and-branch that cuts short the paths a CPU runs after a mispredicted dispatch
 * (interp.c GUARDED says why). memory.grow and the bulk operations keep explicit checks: their trap
 * must come before any write.
 *
 * Later work builds on the same slot assignment: load + op superinstructions, register
 * caching of the top slot, then a JIT.
 */

typedef struct bw_insn {
    const void *handler; /* label address; an enum bw_op during translation */
    uint32_t a, b, c, d; /* cell indices relative to fp, or small immediates */
    uint64_t imm;        /* constant, memory offset, index, or branch target (code index) */
} bw_insn;

/* Operands per operation (dst is a cell written, x/y/z cells read; the forms of ops.h
 * BW_OPS_TRIPLES are described there):
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
 *   loads/stores _G     as without _G (guard mode: the end is left to the guard pages)
 *   I32_XOR_ROTL       a=dst b=x d=y imm=count   I32_XOR_AND/ADD_AND, F64_ADD_MUL a=dst b c d
 *   *_LOAD pairs       a=dst b=address c=constant addend d=other operand imm=offset
 *   MOV2               a=b, then c=d             BR_INC_<cmp>[_IMM] a=b+d, a vs c, imm=target
 *   BR_ADD_<cmp>[_IMM] a=b+fp[d], a vs c, imm=target
 *   *_STORE_K          a=x b=constant c=addend imm=offset (address (u32)(x + c) + imm)
 *   F64_ADD_STORE      b=address d=x imm=offset (the f64 there += x)
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

/* interp.c: guard-page bounds checks. Installs the process-wide SIGSEGV/SIGBUS handler, or
 * puts it back in front if something replaced it (it passes faults that are not a guest's
 * to the handler it displaced); false when this platform cannot tell where a fault
 * happened. Two system calls: it runs when a store is made, and again at the store's first
 * outermost call into Wasm once it has succeeded; an embedder that replaces the handlers
 * later must pass on the faults it does not own (or make a new store). */
bool bw_guard_install(void);
/* Has the handler been installed (installing it if not)? Cheap after the first success;
 * the translator emits unchecked loads and stores only when true. */
bool bw_guard_ready(void);
/* Guest accesses this thread's runs have trapped through a fault (for tests). */
uint64_t bw_guard_trap_count(void);

#endif
