/* Shared by the fused-operation tests: which operations a translated function uses, f64 bits. */
#ifndef BURH_TEST_EXEC_OPS_UTIL_H
#define BURH_TEST_EXEC_OPS_UTIL_H

/* Include after exec_util.h and "engine/code.h"; functions are static inline so that a test
 * uses only what it needs. */

/* Does `func` (called at least once, so translated) contain operation `op`? */
static inline bool func_uses_op(const bw_func *func, unsigned op)
{
    const struct bw_compiled_func *code = func->compiled;
    assert_non_null(code);
    const void *handler = bw_interp_handlers()[op];
    for (uint32_t i = 0; i < code->ncode; i++) {
        if (code->code[i].handler == handler) {
            return true;
        }
    }
    return false;
}

/* The same for export `name`. */
static inline bool uses_op(fixture *fx, const char *name, unsigned op)
{
    return func_uses_op(export_func(fx, name), op);
}

static inline uint64_t f64_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static inline double bits_f64(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

/* Writes (reads) an f64 through the module's exports "put" (i32 f64) and "get" (i32 -> f64). */
static inline void put(fixture *fx, uint32_t at, double v)
{
    bw_value args[2] = {I32(at), F64(f64_bits(v))};
    assert_int_equal(call(fx, "put", args, 2, NULL, 0), BW_OK);
}

static inline double get(fixture *fx, uint32_t at)
{
    return bits_f64(call1(fx, "get", 1, I32(at)));
}

/* Runs `check` once with guard-page bounds and once with software bounds checks: a fold must
 * behave the same in both (the guarded handlers differ). */
static inline void in_both_bounds_modes(void (*check)(const bw_store_config *config))
{
    bw_store_config config = {0};
    config.bounds = BW_BOUNDS_GUARD;
    check(&config);
    config.bounds = BW_BOUNDS_SOFTWARE;
    check(&config);
}

#endif
