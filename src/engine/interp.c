/* The interpreter: runs translated code by direct threading, frames on the store's stack. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/code.h"

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
        code = frame->code;                                                                        \
        inst = func->instance;                                                                     \
        mem = inst->memory0;                                                                       \
    } while (0)
#define LOAD(name, T, convert)                                                                     \
    L_##name:                                                                                      \
    {                                                                                              \
        uint64_t at = (uint64_t)(uint32_t)fp[ip->b] + ip->imm;                                     \
        T v;                                                                                       \
        if (at + sizeof v > mem->size)                                                             \
            TRAP(BW_TRAP_MEMORY_OOB);                                                              \
        memcpy(&v, mem->data + at, sizeof v);                                                      \
        fp[ip->a] = (bw_cell)(convert);                                                            \
        NEXT();                                                                                    \
    }
#define STORE(name, T)                                                                             \
    L_##name:                                                                                      \
    {                                                                                              \
        uint64_t at = (uint64_t)(uint32_t)fp[ip->a] + ip->imm;                                     \
        T v = (T)fp[ip->b];                                                                        \
        if (at + sizeof v > mem->size)                                                             \
            TRAP(BW_TRAP_MEMORY_OOB);                                                              \
        memcpy(mem->data + at, &v, sizeof v);                                                      \
        NEXT();                                                                                    \
    }

/* Loads and stores with an i32.add folded into the address (ops.h BW_OPS_ADDRESSED). */
#define LOAD_AT(name, T, convert, addend)                                                          \
    L_##name:                                                                                      \
    {                                                                                              \
        uint64_t at = (uint64_t)(uint32_t)(fp[ip->b] + (addend)) + ip->imm;                        \
        T v;                                                                                       \
        if (at + sizeof v > mem->size)                                                             \
            TRAP(BW_TRAP_MEMORY_OOB);                                                              \
        memcpy(&v, mem->data + at, sizeof v);                                                      \
        fp[ip->a] = (bw_cell)(convert);                                                            \
        NEXT();                                                                                    \
    }
#define STORE_AT(name, T, addend)                                                                  \
    L_##name:                                                                                      \
    {                                                                                              \
        uint64_t at = (uint64_t)(uint32_t)(fp[ip->a] + (addend)) + ip->imm;                        \
        T v = (T)fp[ip->b];                                                                        \
        if (at + sizeof v > mem->size)                                                             \
            TRAP(BW_TRAP_MEMORY_OOB);                                                              \
        memcpy(mem->data + at, &v, sizeof v);                                                      \
        NEXT();                                                                                    \
    }
#define LOAD_ADDRESSED(name, T, convert)                                                           \
    LOAD_AT(name##_AR, T, convert, fp[ip->c])                                                      \
    LOAD_AT(name##_AI, T, convert, ip->c)
#define STORE_ADDRESSED(name, T)                                                                   \
    STORE_AT(name##_AR, T, fp[ip->c])                                                              \
    STORE_AT(name##_AI, T, ip->c)

/* Runs Wasm function `func` on arguments in fp[0 ..), leaving its results there. With a
 * NULL store it only publishes the handler table. */
static bw_status run(bw_store *store, bw_func *func, bw_cell *fp, bw_error *err)
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
    const struct bw_compiled_func *frame = NULL;
    const bw_insn *code = NULL, *ip = NULL, *back = NULL;
    bw_instance *inst = NULL;
    bw_memory *mem = NULL;
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
        store->stack_top = (size_t)(fp + frame->frame_cells - store->stack);
        status = call_host(store, callee, inst, nfp, err);
        store->stack_top = top0;
        if (status != BW_OK) {
            goto failed;
        }
        NEXT();
    }
    back = ip + 1;
enter : {
    const struct bw_compiled_func *next = callee->compiled;
    if (store->depth >= store->config.max_call_depth ||
        (size_t)(stack_end - nfp) < next->frame_cells) {
        TRAP(BW_TRAP_STACK_EXHAUSTED);
    }
    bw_cell *link = links + (size_t)BW_FRAME_LINK_CELLS * store->depth;
    link[0] = (uintptr_t)back;
    link[1] = (uintptr_t)fp;
    link[2] = (uintptr_t)func;
    /* Most functions declare a few locals: a loop beats a call to memset. */
    for (uint32_t i = next->nparams; i < next->nlocals; i++) {
        nfp[i] = 0;
    }
    store->depth++;
    fp = nfp;
    func = callee;
    SWITCH_TO_FUNC();
    ip = code;
    goto * ip->handler;
}

L_RETURN : {
    store->depth--;
    bw_cell *link = links + (size_t)BW_FRAME_LINK_CELLS * store->depth;
    back = (const bw_insn *)(uintptr_t)link[0];
    if (back == NULL) {
        goto done;
    }
    fp = (bw_cell *)(uintptr_t)link[1];
    func = (bw_func *)(uintptr_t)link[2];
    SWITCH_TO_FUNC();
    ip = back;
    goto * ip->handler;
}
L_CALL:
    callee = inst->funcs[ip->imm];
    nfp = fp + ip->a;
    goto do_call;
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
    LOAD_ADDRESSED(I32_LOAD, uint32_t, v)
    LOAD_ADDRESSED(I64_LOAD, uint64_t, v)
    LOAD_ADDRESSED(F32_LOAD, uint32_t, v)
    LOAD_ADDRESSED(F64_LOAD, uint64_t, v)
    LOAD_ADDRESSED(I32_LOAD8_S, int8_t, (uint32_t)(int32_t)v)
    LOAD_ADDRESSED(I32_LOAD8_U, uint8_t, v)
    LOAD_ADDRESSED(I32_LOAD16_S, int16_t, (uint32_t)(int32_t)v)
    LOAD_ADDRESSED(I32_LOAD16_U, uint16_t, v)
    LOAD_ADDRESSED(I64_LOAD8_S, int8_t, (uint64_t)(int64_t)v)
    LOAD_ADDRESSED(I64_LOAD8_U, uint8_t, v)
    LOAD_ADDRESSED(I64_LOAD16_S, int16_t, (uint64_t)(int64_t)v)
    LOAD_ADDRESSED(I64_LOAD16_U, uint16_t, v)
    LOAD_ADDRESSED(I64_LOAD32_S, int32_t, (uint64_t)(int64_t)v)
    LOAD_ADDRESSED(I64_LOAD32_U, uint32_t, v)
    STORE_ADDRESSED(I32_STORE, uint32_t)
    STORE_ADDRESSED(I64_STORE, uint64_t)
    STORE_ADDRESSED(F32_STORE, uint32_t)
    STORE_ADDRESSED(F64_STORE, uint64_t)
    STORE_ADDRESSED(I32_STORE8, uint8_t)
    STORE_ADDRESSED(I32_STORE16, uint16_t)
    STORE_ADDRESSED(I64_STORE8, uint8_t)
    STORE_ADDRESSED(I64_STORE16, uint16_t)
    STORE_ADDRESSED(I64_STORE32, uint32_t)
L_MEMORY_SIZE:
    fp[ip->a] = (uint32_t)(mem->size / BW_PAGE_SIZE);
    NEXT();
L_MEMORY_GROW:
    fp[ip->a] = (uint32_t)bw_memory_grow(mem, (uint32_t)fp[ip->b]);
    NEXT();

#include "engine/interp_ops.inc"
#include "engine/interp_bulk.inc"

trapped:
    store->depth = depth0;
    store->stack_top = top0;
    if (err != NULL) {
        bw_fail(err, BW_ERR_TRAP, "%s", bw_trap_message(trap));
        err->trap = trap;
    }
    return BW_ERR_TRAP;
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
        run(NULL, NULL, NULL, NULL);
    }
    return handler_table;
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
        status = run(store, func, base, err);
    }
    store->stack_top = top;
    if (status == BW_OK && nr > 0) {
        memcpy(results, base, nr * sizeof *base);
    }
    return status;
}
