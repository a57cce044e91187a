/* The interpreter: runs translated code by direct threading, frames on the store's stack. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "engine/code.h"

/* One call of run() that a guard-page fault may end: where to jump, and the memory the
 * running function accesses. Each thread keeps a chain of them, innermost first, since a
 * host function may call back into Wasm. */
struct guard_run {
    sigjmp_buf exit;
    const bw_memory *mem;
    struct guard_run *outer;
};
static _Thread_local struct guard_run *innermost_run;

static inline float f32_of(bw_cell c)
{
    uint32_t bits = (uint32_t)c;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static inline double f64_of(bw_cell c)
{
    double d;
    memcpy(&d, &c, sizeof d);
    return d;
}

static inline bw_cell cell_f32(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return bits;
}

static inline bw_cell cell_f64(double d)
{
    bw_cell bits;
    memcpy(&bits, &d, sizeof bits);
    return bits;
}

/* min and max: NaN wins (x + y keeps a NaN operand's payload, quieted), -0 < +0. */
#define DEFINE_MIN_MAX(T, name_min, name_max)                                                      \
    static inline T name_min(T x, T y)                                                             \
    {                                                                                              \
        if (x != x || y != y)                                                                      \
            return x + y;                                                                          \
        if (x == y)                                                                                \
            return signbit(x) ? x : y;                                                             \
        return x < y ? x : y;                                                                      \
    }                                                                                              \
    static inline T name_max(T x, T y)                                                             \
    {                                                                                              \
        if (x != x || y != y)                                                                      \
            return x + y;                                                                          \
        if (x == y)                                                                                \
            return signbit(x) ? y : x;                                                             \
        return x > y ? x : y;                                                                      \
    }
DEFINE_MIN_MAX(float, f32_min, f32_max)
DEFINE_MIN_MAX(double, f64_min, f64_max)
#undef DEFINE_MIN_MAX

static bw_value value_of(uint8_t type, bw_cell cell)
{
    bw_value v;
    memset(&v, 0, sizeof v);
    v.type = type;
    switch (type) {
    case BW_I32:
    case BW_F32:
        v.of.i32 = (uint32_t)cell;
        break;
    case BW_FUNCREF:
        v.of.funcref = (bw_func *)(uintptr_t)cell;
        break;
    case BW_EXTERNREF:
        v.of.externref = (void *)(uintptr_t)cell;
        break;
    default:
        v.of.i64 = cell;
        break;
    }
    return v;
}

static bw_cell cell_of(const bw_value *v, uint8_t type)
{
    switch (type) {
    case BW_I32:
    case BW_F32:
        return v->of.i32;
    case BW_FUNCREF:
        return (uintptr_t)v->of.funcref;
    case BW_EXTERNREF:
        return (uintptr_t)v->of.externref;
    default:
        return v->of.i64;
    }
}

/* Calls a host function on arguments in cells[0 ..); its results replace them. */
static bw_status call_host(bw_store *store, bw_func *func, bw_instance *caller, bw_cell *cells,
                           bw_error *err)
{
    enum { SMALL = 16 };
    bw_value small[2 * SMALL], *args = small, *results = small + SMALL;
    uint32_t np = func->type.nparams, nr = func->type.nresults;
    if (np > SMALL || nr > SMALL) {
        args = calloc((size_t)np + nr + 1, sizeof *args);
        if (args == NULL) {
            return bw_fail(err, BW_ERR_NOMEM, "out of memory");
        }
        results = args + np;
    }
    for (uint32_t i = 0; i < np; i++) {
        args[i] = value_of(func->type.params[i], cells[i]);
    }
    for (uint32_t i = 0; i < nr; i++) {
        results[i] = value_of(func->type.results[i], 0);
    }
    struct bw_call_ctx ctx = {store, caller};
    memset(&store->pending, 0, sizeof store->pending);
    bw_status status = func->host(&ctx, func->host_env, args, results);
    if (status == BW_OK) {
        for (uint32_t i = 0; i < nr; i++) {
            cells[i] = cell_of(&results[i], func->type.results[i]);
        }
    } else if (err != NULL) {
        if (store->pending.status != BW_OK) {
            *err = store->pending;
        } else {
            bw_fail(err, status, "host function failed");
        }
    }
    if (args != small) {
        free(args);
    }
    return status;
}

/* Is [start, start + len) inside a thing of `size` units? */
static inline bool in_bounds(uint64_t start, uint64_t len, uint64_t size)
{
    return start <= size && len <= size - start;
}

static const void *const *handler_table;

static bw_status trap_error(bw_error *err, bw_trap trap)
{
    if (err != NULL) {
        bw_fail(err, BW_ERR_TRAP, "%s", bw_trap_message(trap));
        err->trap = trap;
    }
    return BW_ERR_TRAP;
}

#define NEXT() goto *(++ip)->handler
#define JUMP(target)                                                                               \
    do {                                                                                           \
        ip = code + (target);                                                                      \
        goto * ip->handler;                                                                        \
    } while (0)
#define TRAP(why)                                                                                  \
    do {                                                                                           \
        trap = (why);                                                                              \
        goto trapped;                                                                              \
    } while (0)
/* Makes `func` the running function. */
#define SWITCH_TO_FUNC()                                                                           \
    do {                                                                                           \
        frame = func->compiled;                                                                    \
        code = func->entry;                                                                        \
        inst = func->instance;                                                                     \
        mem = inst->memory0;                                                                       \
        membase = mem != NULL ? mem->data : NULL;                                                  \
        limit = mem != NULL ? mem->size : 0;                                                       \
        guard->mem = mem;                                                                          \
    } while (0)
/* Enters `callee` on a frame at nfp, returning to `back`: translates it at its first call,
 * checks the depth and stack limits, saves the link, zeroes its declared locals. */
#define PUSH_FRAME()                                                                               \
    do {                                                                                           \
        if (__builtin_expect(callee->compiled == NULL, 0)) { /* first call: translate it now */    \
            status = bw_func_translate(callee, err);                                               \
            if (status != BW_OK) {                                                                 \
                goto failed;                                                                       \
            }                                                                                      \
        }                                                                                          \
        const struct bw_compiled_func *next = callee->compiled;                                    \
        if (link_top >= links_end || (size_t)(stack_end - nfp) < next->frame_cells) {              \
            TRAP(BW_TRAP_STACK_EXHAUSTED);                                                         \
        }                                                                                          \
        link_top[0] = (uintptr_t)back;                                                             \
        link_top[1] = (uintptr_t)fp;                                                               \
        link_top[2] = (uintptr_t)func;                                                             \
        link_top += BW_FRAME_LINK_CELLS;                                                           \
        /* Most functions declare a few locals: a loop beats a call to memset. */                  \
        for (uint32_t i = next->nparams; i < next->nlocals; i++) {                                 \
            nfp[i] = 0;                                                                            \
        }                                                                                          \
        fp = nfp;                                                                                  \
        func = callee;                                                                             \
    } while (0)
/* Software mode compares the end of each access with the current size; guarded mode (the
 * _G operations, ops.h) leaves that to the PROT_NONE pages past it (see on_fault), but
 * still compares the start with `limit`, a register copy of the size. Not for safety: after
 * a mispredicted dispatch the CPU runs wrong handlers on cells that hold no addresses, and
 * this branch, mispredicted at the first such access, cuts that path short. Without it
 * guard mode was 20% slower than software mode on dispatch-heavy code; a looser bound or a
 * branch-free clamp does not help, and comparing with mem->size in memory instead of a
 * register cost quicksort 20% (docs/engine.md, Session 3). `limit` may lag a memory.grow:
 * the slow path rereads the size, so an access in bounds never traps. */
#define CHECKED(at, width)                                                                         \
    if ((at) + (width) > mem->size)                                                                \
    TRAP(BW_TRAP_MEMORY_OOB)
#define GUARDED(at, width)                                                                         \
    if (__builtin_expect((at) >= limit, 0)) {                                                      \
        limit = mem->size;                                                                         \
        if ((at) >= limit)                                                                         \
            TRAP(BW_TRAP_MEMORY_OOB);                                                              \
    }
#define LOAD_FROM(name, T, convert, address, check)                                                \
    L_##name:                                                                                      \
    {                                                                                              \
        uint64_t at = (address);                                                                   \
        T v;                                                                                       \
        check(at, sizeof v);                                                                       \
        memcpy(&v, membase + at, sizeof v);                                                        \
        fp[ip->a] = (bw_cell)(convert);                                                            \
        NEXT();                                                                                    \
    }
#define STORE_TO(name, T, address, check)                                                          \
    L_##name:                                                                                      \
    {                                                                                              \
        uint64_t at = (address);                                                                   \
        T v = (T)fp[ip->b];                                                                        \
        check(at, sizeof v);                                                                       \
        memcpy(membase + at, &v, sizeof v);                                                        \
        NEXT();                                                                                    \
    }
/* The address of a plain access, and of one with an i32.add folded in (ops.h
 * BW_OPS_ADDRESSED): register (_AR) or constant (_AI) addend, wrapped to 32 bits as the add
 * would, then the static offset. */
#define AT_PLAIN(x)     ((uint64_t)(uint32_t)fp[ip->x] + ip->imm)
#define AT_SUM(x, plus) ((uint64_t)(uint32_t)(fp[ip->x] + (plus)) + ip->imm)
#define LOAD(name, T, convert)                                                                     \
    LOAD_FROM(name, T, convert, AT_PLAIN(b), CHECKED)                                              \
    LOAD_FROM(name##_G, T, convert, AT_PLAIN(b), GUARDED)                                          \
    LOAD_FROM(name##_AR, T, convert, AT_SUM(b, fp[ip->c]), CHECKED)                                \
    LOAD_FROM(name##_AR_G, T, convert, AT_SUM(b, fp[ip->c]), GUARDED)                              \
    LOAD_FROM(name##_AI, T, convert, AT_SUM(b, ip->c), CHECKED)                                    \
    LOAD_FROM(name##_AI_G, T, convert, AT_SUM(b, ip->c), GUARDED)
/* A constant (in b) stored at (u32)(a + c) + imm (ops.h BW_OPS_STORE_CONST). */
#define STORE_CONST(name, T)                                                                       \
    L_##name:                                                                                      \
    {                                                                                              \
        uint64_t at = AT_SUM(a, ip->c);                                                            \
        T v = (T)ip->b;                                                                            \
        CHECKED(at, sizeof v);                                                                     \
        memcpy(membase + at, &v, sizeof v);                                                        \
        NEXT();                                                                                    \
    }
#define STORE(name, T)                                                                             \
    STORE_TO(name, T, AT_PLAIN(a), CHECKED)                                                        \
    STORE_TO(name##_G, T, AT_PLAIN(a), GUARDED)                                                    \
    STORE_TO(name##_AR, T, AT_SUM(a, fp[ip->c]), CHECKED)                                          \
    STORE_TO(name##_AR_G, T, AT_SUM(a, fp[ip->c]), GUARDED)                                        \
    STORE_TO(name##_AI, T, AT_SUM(a, ip->c), CHECKED)                                              \
    STORE_TO(name##_AI_G, T, AT_SUM(a, ip->c), GUARDED)

/* Runs Wasm function `func` on arguments in fp[0 ..), leaving its results there. With a
 * NULL store it only publishes the handler table. Lives in a section of its own so that
 * on_fault can tell a guest access from any other fault; `guard` is its caller's record. */
__attribute__((section("bw_interp_text"), noinline)) static bw_status
run(bw_store *store, bw_func *func, bw_cell *fp, bw_error *err, struct guard_run *guard)
{
#define BW_HANDLER(name, number) [number] = &&L_##name,
    static const void *const handlers[BW_OP_COUNT] = {BW_OPS(BW_HANDLER)};
#undef BW_HANDLER
    if (store == NULL) {
        handler_table = handlers;
        return BW_OK;
    }
    const uint32_t depth0 = store->depth;
    const size_t top0 = store->stack_top;
    bw_cell *const links = store->stack + store->stack_cells -
                           (size_t)BW_FRAME_LINK_CELLS * store->config.max_call_depth;
    bw_cell *const stack_end = links;
    /* The next free link record; store->depth is only brought up to date when a host
     * function may call back in (a nested run starts from it) and when this run ends. */
    bw_cell *const links_end = store->stack + store->stack_cells;
    bw_cell *link_top = links + (size_t)BW_FRAME_LINK_CELLS * depth0;
    const struct bw_compiled_func *frame = NULL;
    const bw_insn *code = NULL, *ip = NULL, *back = NULL;
    bw_instance *inst = NULL;
    bw_memory *mem = NULL;
    /* mem->data never moves (memory.grow only opens pages of the reservation), and a local
     * copy stays in a register: a store through mem->data could alias the field itself. */
    uint8_t *membase = NULL;
    uint64_t limit = 0; /* mem->size as of entering the function or a later reread */
    bw_func *callee = func;
    bw_cell *nfp = fp;
    bw_trap trap;
    bw_status status;
    goto enter;

do_call:
    if (store->interrupt) {
        TRAP(BW_TRAP_INTERRUPTED);
    }
    if (callee->host != NULL) {
        store->depth = (uint32_t)((size_t)(link_top - links) / BW_FRAME_LINK_CELLS);
        store->stack_top = (size_t)(fp + frame->frame_cells - store->stack);
        status = call_host(store, callee, inst, nfp, err);
        store->stack_top = top0;
        if (status != BW_OK) {
            goto failed;
        }
        NEXT();
    }
    back = ip + 1;
enter:
    PUSH_FRAME();
    SWITCH_TO_FUNC();
    ip = code;
    goto * ip->handler;

L_RETURN : {
    link_top -= BW_FRAME_LINK_CELLS;
    const bw_cell *link = link_top;
    back = (const bw_insn *)(uintptr_t)link[0];
    if (back == NULL) {
        goto done;
    }
    fp = (bw_cell *)(uintptr_t)link[1];
    func = (bw_func *)(uintptr_t)link[2];
    if (func->instance == inst) { /* same memory: only the code changes */
        frame = func->compiled;
        code = func->entry;
    } else {
        SWITCH_TO_FUNC();
    }
    ip = back;
    goto * ip->handler;
}
L_CALL:
    callee = inst->funcs[ip->imm];
    nfp = fp + ip->a;
    goto do_call;
L_CALL_LOCAL_MOV:
    fp[ip->b] = fp[ip->c];
    /* fall through */
L_CALL_LOCAL: /* a function this instance defines: not a host function, same memory */
    if (store->interrupt) {
        TRAP(BW_TRAP_INTERRUPTED);
    }
    callee = inst->funcs[ip->imm];
    nfp = fp + ip->a;
    back = ip + 1;
    PUSH_FRAME();
    frame = func->compiled;
    code = func->entry;
    ip = code;
    goto * ip->handler;
L_CALL_INDIRECT : {
    const bw_table *table = inst->tables[ip->b];
    uint32_t i = (uint32_t)fp[ip->c];
    if (i >= table->size) {
        TRAP(BW_TRAP_UNDEFINED_ELEMENT);
    }
    callee = (bw_func *)(uintptr_t)table->elems[i];
    if (callee == NULL) {
        TRAP(BW_TRAP_UNINITIALIZED_ELEM);
    }
    if (callee->type_id != inst->type_ids[ip->d]) {
        TRAP(BW_TRAP_INDIRECT_MISMATCH);
    }
    nfp = fp + ip->a;
    goto do_call;
}
L_UNREACHABLE:
    TRAP(BW_TRAP_UNREACHABLE);
L_BR:
    JUMP(ip->imm);
L_BR_LOOP:
    if (store->interrupt) {
        TRAP(BW_TRAP_INTERRUPTED);
    }
    JUMP(ip->imm);
L_BR_IF:
    if ((uint32_t)fp[ip->a]) {
        JUMP(ip->imm);
    }
    NEXT();
L_BR_IF_LOOP:
    if ((uint32_t)fp[ip->a]) {
        if (store->interrupt) {
            TRAP(BW_TRAP_INTERRUPTED);
        }
        JUMP(ip->imm);
    }
    NEXT();
L_BR_UNLESS:
    if (!(uint32_t)fp[ip->a]) {
        JUMP(ip->imm);
    }
    NEXT();
L_BR_TABLE : {
    uint32_t i = (uint32_t)fp[ip->a];
    if (i > ip->b) {
        i = ip->b;
    }
    if (store->interrupt) { /* some entries may be loop back-edges */
        TRAP(BW_TRAP_INTERRUPTED);
    }
    JUMP(frame->br_tables[ip->imm + i]);
}
L_SELECT:
    fp[ip->a] = (uint32_t)fp[ip->d] ? fp[ip->b] : fp[ip->c];
    NEXT();
L_MOV:
    fp[ip->a] = fp[ip->b];
    NEXT();
L_CONST32:
L_CONST64:
    fp[ip->a] = ip->imm;
    NEXT();
L_GLOBAL_GET:
    fp[ip->a] = inst->globals[ip->imm]->value;
    NEXT();
L_GLOBAL_SET:
    inst->globals[ip->imm]->value = fp[ip->a];
    NEXT();
L_REF_IS_NULL:
    fp[ip->a] = fp[ip->b] == 0;
    NEXT();
L_REF_FUNC:
    fp[ip->a] = (uintptr_t)inst->funcs[ip->imm];
    NEXT();

    LOAD(I32_LOAD, uint32_t, v)
    LOAD(I64_LOAD, uint64_t, v)
    LOAD(F32_LOAD, uint32_t, v)
    LOAD(F64_LOAD, uint64_t, v)
    LOAD(I32_LOAD8_S, int8_t, (uint32_t)(int32_t)v)
    LOAD(I32_LOAD8_U, uint8_t, v)
    LOAD(I32_LOAD16_S, int16_t, (uint32_t)(int32_t)v)
    LOAD(I32_LOAD16_U, uint16_t, v)
    LOAD(I64_LOAD8_S, int8_t, (uint64_t)(int64_t)v)
    LOAD(I64_LOAD8_U, uint8_t, v)
    LOAD(I64_LOAD16_S, int16_t, (uint64_t)(int64_t)v)
    LOAD(I64_LOAD16_U, uint16_t, v)
    LOAD(I64_LOAD32_S, int32_t, (uint64_t)(int64_t)v)
    LOAD(I64_LOAD32_U, uint32_t, v)
    STORE(I32_STORE, uint32_t)
    STORE(I64_STORE, uint64_t)
    STORE(F32_STORE, uint32_t)
    STORE(F64_STORE, uint64_t)
    STORE(I32_STORE8, uint8_t)
    STORE(I32_STORE16, uint16_t)
    STORE(I64_STORE8, uint8_t)
    STORE(I64_STORE16, uint16_t)
    STORE(I64_STORE32, uint32_t)
    STORE_CONST(I32_STORE_K, uint32_t)
    STORE_CONST(I32_STORE8_K, uint8_t)
    STORE_CONST(I32_STORE16_K, uint16_t)
    STORE_CONST(I64_STORE_K, uint64_t)
L_MEMORY_SIZE:
    fp[ip->a] = (uint32_t)(mem->size / BW_PAGE_SIZE);
    NEXT();
L_MEMORY_GROW:
    fp[ip->a] = (uint32_t)bw_memory_grow(mem, (uint32_t)fp[ip->b]);
    NEXT();

#include "engine/interp_ops.inc"
#include "engine/interp_bulk.inc"
#include "engine/interp_fused.inc"
#include "engine/interp_steps.inc"
#include "engine/interp_tails.inc"

trapped:
    store->depth = depth0;
    store->stack_top = top0;
    return trap_error(err, trap);
failed:
    store->depth = depth0;
    return status;
done:
    store->depth = depth0;
    return BW_OK;
}

const void *const *bw_interp_handlers(void)
{
    if (handler_table == NULL) {
        run(NULL, NULL, NULL, NULL, NULL);
    }
    return handler_table;
}

/* Bounds checks by guard pages. A guarded load or store past a memory's size lands in the
 * PROT_NONE rest of its 8 GiB + 64 KiB reservation (memory.c) and faults; on_fault turns
 * that into a trap of the innermost run on this thread. Anything else is passed on. */

/* The interpreter's code: bounds of the section run() is placed in (made by the linker). */
extern const char __start_bw_interp_text[], __stop_bw_interp_text[];

static struct sigaction previous_segv, previous_bus;
static volatile sig_atomic_t guard_installed; /* once true, stays true */
static _Thread_local uint64_t guard_traps;

static uintptr_t fault_pc(const void *context)
{
    const ucontext_t *uc = context;
#if defined(__x86_64__)
    return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (uintptr_t)uc->uc_mcontext.pc;
#else
    (void)uc;
    return 0; /* never in the interpreter: guard mode is not offered (bw_guard_install) */
#endif
}

static bool fault_is_guest_oob(const struct guard_run *r, const siginfo_t *info,
                               const void *context)
{
    const bw_memory *mem = r->mem;
    uintptr_t pc = fault_pc(context), addr = (uintptr_t)info->si_addr;
    if (mem == NULL || mem->reserved < BW_GUARD_RESERVATION) {
        return false;
    }
    if (pc < (uintptr_t)__start_bw_interp_text || pc >= (uintptr_t)__stop_bw_interp_text) {
        return false;
    }
    uintptr_t base = (uintptr_t)mem->data;
    return addr >= base + mem->size && addr - base < mem->reserved;
}

/* Hands a fault that is not ours to whoever handled it before us. */
static void chain_fault(int sig, siginfo_t *info, void *context)
{
    const struct sigaction *old = sig == SIGBUS ? &previous_bus : &previous_segv;
    if (old->sa_flags & SA_SIGINFO) {
        old->sa_sigaction(sig, info, context);
    } else if (old->sa_handler == SIG_DFL || old->sa_handler == SIG_IGN) {
        /* Returning re-runs the access, which now ends the process as it would have. */
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigaction(sig, &dfl, NULL);
    } else {
        old->sa_handler(sig);
    }
}

static void on_fault(int sig, siginfo_t *info, void *context)
{
    struct guard_run *r = innermost_run;
    if (r != NULL && fault_is_guest_oob(r, info, context)) {
        guard_traps++;
        siglongjmp(r->exit, 1); /* SA_NODEFER: the signal mask needs no restoring */
    }
    chain_fault(sig, info, context);
}

/* Puts on_fault first in line for `sig` unless it is there already, keeping the handler
 * it displaces: an embedder (or a test harness) may have replaced ours since last time. */
static bool take_signal(int sig, struct sigaction *previous)
{
    struct sigaction now, sa, old;
    if (sigaction(sig, NULL, &now) != 0) {
        return false;
    }
    if ((now.sa_flags & SA_SIGINFO) && now.sa_sigaction == on_fault) {
        return true;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, &old) != 0) {
        return false;
    }
    *previous = old;
    return true;
}

bool bw_guard_install(void)
{
#if defined(__x86_64__) || defined(__aarch64__)
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    bool ok = take_signal(SIGSEGV, &previous_segv) && take_signal(SIGBUS, &previous_bus);
    if (ok) {
        guard_installed = true;
    }
    pthread_mutex_unlock(&lock);
    return ok;
#else
    return false;
#endif
}

bool bw_guard_ready(void)
{
    return guard_installed || bw_guard_install();
}

uint64_t bw_guard_trap_count(void)
{
    return guard_traps;
}

/* run() under a jump buffer that on_fault may return to. Nothing run() changes after
 * sigsetjmp is read here after the jump except through `r`, which lives in memory. */
static bw_status run_guarded(bw_store *store, bw_func *func, bw_cell *fp, bw_error *err)
{
    struct guard_run r;
    r.mem = NULL;
    r.outer = innermost_run;
    const uint32_t depth0 = store->depth;
    const size_t top0 = store->stack_top;
    /* Guarded code may run: make sure the handler is still ours before this store's first
     * run (a test harness may have swapped handlers since the store was made). Once per
     * store, not per call: it costs two system calls, and in a kvm keep those are slow. */
    if (r.outer == NULL && guard_installed && !store->guard_checked) {
        if (!bw_guard_install()) {
            return bw_fail(err, BW_ERR_NOMEM, "cannot install the guard-page fault handler");
        }
        store->guard_checked = true;
    }
    if (sigsetjmp(r.exit, 0) != 0) {
        innermost_run = r.outer;
        store->depth = depth0;
        store->stack_top = top0;
        return trap_error(err, BW_TRAP_MEMORY_OOB);
    }
    innermost_run = &r;
    bw_status status = run(store, func, fp, err, &r);
    innermost_run = r.outer;
    return status;
}

static bool ensure_stack(bw_store *store)
{
    if (store->stack != NULL) {
        return true;
    }
    /* Values first, then one link record per possible frame (see code.h). */
    size_t cells = store->config.max_stack_bytes / sizeof(bw_cell);
    if (cells < 1024) {
        cells = 1024;
    }
    cells += (size_t)BW_FRAME_LINK_CELLS * store->config.max_call_depth;
    store->stack = calloc(cells, sizeof(bw_cell));
    store->stack_cells = store->stack != NULL ? cells : 0;
    return store->stack != NULL;
}

bw_status bw_interp_call(bw_store *store, bw_func *func, const bw_cell *args, bw_cell *results,
                         bw_error *err)
{
    uint32_t np = func->type.nparams, nr = func->type.nresults;
    uint32_t room = np > nr ? np : nr;
    if (!ensure_stack(store)) {
        return bw_fail(err, BW_ERR_NOMEM, "out of memory for the stack");
    }
    size_t top = store->stack_top;
    size_t values = store->stack_cells - (size_t)BW_FRAME_LINK_CELLS * store->config.max_call_depth;
    if (values - top < room) {
        bw_fail(err, BW_ERR_TRAP, "%s", bw_trap_message(BW_TRAP_STACK_EXHAUSTED));
        if (err != NULL) {
            err->trap = BW_TRAP_STACK_EXHAUSTED;
        }
        return BW_ERR_TRAP;
    }
    bw_cell *base = store->stack + top;
    if (np > 0) {
        memcpy(base, args, np * sizeof *base);
    }
    bw_status status;
    if (func->host != NULL) {
        store->stack_top = top + room;
        status = call_host(store, func, NULL, base, err);
    } else {
        status = run_guarded(store, func, base, err);
    }
    store->stack_top = top;
    if (status == BW_OK && nr > 0) {
        memcpy(results, base, nr * sizeof *base);
    }
    return status;
}
