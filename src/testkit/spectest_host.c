/* The "spectest" host module that the official Wasm spec tests import. */
#include <string.h>

#include "testkit/testkit.h"

/* Names in the order of bt_spectest.exports. */
static const char *const spectest_names[BT_SPECTEST_EXPORTS] = {
    "print",         "print_i32",     "print_i64",  "print_f32",  "print_f64",
    "print_i32_f32", "print_f64_f64", "global_i32", "global_i64", "global_f32",
    "global_f64",    "table",         "memory",
};

/* The print functions print nothing: the tests only check that they link and can be called. */
static bw_status print_nothing(bw_call_ctx *ctx, void *env, const bw_value *args, bw_value *results)
{
    (void)ctx;
    (void)env;
    (void)args;
    (void)results;
    return BW_OK;
}

static bool make_printer(bw_store *store, const uint8_t *params, uint32_t nparams, bw_extern *out)
{
    out->kind = BW_EXTERN_FUNC;
    out->of.func = bw_func_new_host(store, params, nparams, NULL, 0, print_nothing, NULL);
    return out->of.func != NULL;
}

static bool make_global(bw_store *store, bw_value init, bw_extern *out)
{
    out->kind = BW_EXTERN_GLOBAL;
    out->of.global = bw_global_new(store, init.type, false, init);
    return out->of.global != NULL;
}

static bool make_globals(bw_store *store, bw_extern *out)
{
    /* 666.6 rounded to each width, as the spec interpreter defines them. */
    float f32 = 666.6f;
    double f64 = 666.6;
    bw_value v;

    memset(&v, 0, sizeof v);
    v.type = BW_I32;
    v.of.i32 = 666;
    if (!make_global(store, v, &out[0])) {
        return false;
    }
    memset(&v, 0, sizeof v);
    v.type = BW_I64;
    v.of.i64 = 666;
    if (!make_global(store, v, &out[1])) {
        return false;
    }
    memset(&v, 0, sizeof v);
    v.type = BW_F32;
    memcpy(&v.of.f32_bits, &f32, sizeof f32);
    if (!make_global(store, v, &out[2])) {
        return false;
    }
    memset(&v, 0, sizeof v);
    v.type = BW_F64;
    memcpy(&v.of.f64_bits, &f64, sizeof f64);
    return make_global(store, v, &out[3]);
}

bool bt_spectest_init(bt_spectest *spectest, bw_store *store)
{
    static const uint8_t i32[] = {BW_I32}, i64[] = {BW_I64}, f32[] = {BW_F32};
    static const uint8_t f64[] = {BW_F64}, i32_f32[] = {BW_I32, BW_F32};
    static const uint8_t f64_f64[] = {BW_F64, BW_F64};
    bw_extern *ex = spectest->exports;
    bw_value null_func;

    memset(spectest, 0, sizeof *spectest);
    if (!make_printer(store, NULL, 0, &ex[0]) || !make_printer(store, i32, 1, &ex[1]) ||
        !make_printer(store, i64, 1, &ex[2]) || !make_printer(store, f32, 1, &ex[3]) ||
        !make_printer(store, f64, 1, &ex[4]) || !make_printer(store, i32_f32, 2, &ex[5]) ||
        !make_printer(store, f64_f64, 2, &ex[6]) || !make_globals(store, &ex[7])) {
        return false;
    }
    memset(&null_func, 0, sizeof null_func);
    null_func.type = BW_FUNCREF;
    ex[11].kind = BW_EXTERN_TABLE;
    ex[11].of.table = bw_table_new(store, BW_FUNCREF, (bw_limits_view){10, 20, true}, null_func);
    ex[12].kind = BW_EXTERN_MEMORY;
    ex[12].of.memory = bw_memory_new(store, (bw_limits_view){1, 2, true});
    return ex[11].of.table != NULL && ex[12].of.memory != NULL;
}

bool bt_spectest_lookup(const bt_spectest *spectest, bw_name name, bw_extern *out)
{
    for (size_t i = 0; i < BT_SPECTEST_EXPORTS; i++) {
        const char *candidate = spectest_names[i];
        if (strlen(candidate) == name.len && memcmp(candidate, name.ptr, name.len) == 0) {
            *out = spectest->exports[i];
            return true;
        }
    }
    return false;
}
