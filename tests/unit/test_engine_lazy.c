/* Unit tests of lazy translation (validate all at load, translate at first call) and of the
 * per-store bounds mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/code.h"
#include "exec_util.h"

/* Loads `wat`; returns the status and leaves the module (on success) in *out. */
static bw_status load_wat(const char *wat, bw_module **out, bw_error *err)
{
    size_t len;
    uint8_t *bytes = wat_to_wasm(wat, &len);
    bw_status status = bw_module_load(bytes, len, out, err);
    free(bytes);
    return status;
}

static bw_instance *instantiate(bw_store *store, const bw_module *m, const bw_extern *imports,
                                size_t nimports)
{
    bw_instance *inst = NULL;
    bw_error err;
    if (bw_instantiate(store, m, imports, nimports, &inst, &err) != BW_OK) {
        fail_msg("instantiate: %s", err.message);
    }
    return inst;
}

static bw_extern export_of(const bw_instance *inst, const char *name)
{
    bw_extern ext;
    assert_int_equal(bw_instance_export(inst, (const uint8_t *)name, strlen(name), &ext), BW_OK);
    return ext;
}

static bw_status call_i32(bw_store *store, bw_func *f, uint32_t arg, uint32_t *result,
                          bw_error *err)
{
    bw_value args[1] = {I32(arg)}, res[1];
    bw_status status = bw_func_call(store, f, args, 1, res, 1, err);
    *result = res[0].of.i32;
    return status;
}

/* An invalid body fails the load even if nothing would ever call it, with the same error a
 * translating load gave. */
static void test_invalid_uncalled_function_fails_load(void **state)
{
    (void)state;
    /* (func (export "ok") (result i32) i32.const 1) then a body ending in $body: written
     * by hand, since wat2wasm refuses invalid text. */
    static const uint8_t head[] = {
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, /* header */
        0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,       /* type 0: [] -> [i32] */
        0x03, 0x03, 0x02, 0x00, 0x00,                   /* two functions of type 0 */
        0x07, 0x06, 0x01, 0x02, 'o',  'k',  0x00, 0x00, /* export "ok" = func 0 */
        0x0a, 0x0b, 0x02, 0x04, 0x00, 0x41, 0x01, 0x0b, /* code: func 0 */
        0x04, 0x00};                                    /* func 1: no locals, then: */
    static const struct {
        uint8_t body[2];
        bw_status status;
        const char *message;
    } cases[] = {
        {{0x42, 0x01}, BW_ERR_INVALID, "type mismatch"},    /* i64.const 1 */
        {{0x23, 0x07}, BW_ERR_INVALID, "unknown global"},   /* global.get 7 */
        {{0x41, 0x0b}, BW_ERR_MALFORMED, "unexpected end"}, /* i32.const with no end */
        {{0x41, 0x01}, BW_OK, ""},                          /* the valid control */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t bin[sizeof head + 3];
        memcpy(bin, head, sizeof head);
        memcpy(bin + sizeof head, cases[i].body, 2);
        bin[sizeof head + 2] = 0x0b; /* end */
        size_t len = sizeof bin - (cases[i].status == BW_ERR_MALFORMED ? 1 : 0);
        if (len != sizeof bin) { /* the truncated body: shorten its size and the section's */
            bin[29] = 0x0a, bin[36] = 0x03;
        }
        bw_module *m = NULL;
        bw_error err;
        memset(&err, 0, sizeof err);
        assert_int_equal(bw_module_load(bin, len, &m, &err), cases[i].status);
        assert_non_null(strstr(err.message, cases[i].message));
        assert_true((m != NULL) == (cases[i].status == BW_OK));
        bw_module_free(m);
    }
}

static const char *const calls_wat =
    "(module"
    "  (type $t (func (param i32) (result i32)))"
    "  (table (export \"table\") 2 funcref)"
    "  (elem (i32.const 0) $double $inc)"
    "  (func $double (type $t) local.get 0 i32.const 2 i32.mul)"
    "  (func $inc (type $t) local.get 0 i32.const 1 i32.add)"
    "  (func (export \"direct\") (type $t) local.get 0 call $double)"
    "  (func (export \"indirect\") (param i32 i32) (result i32)"
    "    local.get 0 local.get 1 call_indirect (type $t)))";

/* Function indices in calls_wat. */
enum { DOUBLE = 0, INC = 1, DIRECT = 2, INDIRECT = 3 };

static void test_translated_at_first_call(void **state)
{
    (void)state;
    bw_module *m = NULL;
    bw_error err;
    assert_int_equal(load_wat(calls_wat, &m, &err), BW_OK);
    bw_store *store = bw_store_new(NULL);
    bw_instance *inst = instantiate(store, m, NULL, 0);
    for (uint32_t i = 0; i < 4; i++) {
        assert_null(inst->funcs[i]->compiled);
    }
    uint32_t r = 0;
    assert_int_equal(call_i32(store, export_of(inst, "direct").of.func, 21, &r, &err), BW_OK);
    assert_int_equal(r, 42);
    assert_non_null(inst->funcs[DIRECT]->compiled);
    assert_non_null(inst->funcs[DOUBLE]->compiled); /* called from "direct" */
    assert_null(inst->funcs[INC]->compiled);
    assert_null(inst->funcs[INDIRECT]->compiled);

    bw_value args[2] = {I32(41), I32(1)}, res[1];
    assert_int_equal(
        bw_func_call(store, export_of(inst, "indirect").of.func, args, 2, res, 1, &err), BW_OK);
    assert_int_equal(res[0].of.i32, 42);
    assert_non_null(inst->funcs[INC]->compiled); /* reached through call_indirect */
    bw_store_free(store);
    bw_module_free(m);
}

/* A function reached through an exported table, from another instance's call_indirect,
 * runs in its own instance and is translated there. */
static void test_translated_through_imported_table(void **state)
{
    (void)state;
    bw_module *owner = NULL, *user = NULL;
    bw_error err;
    assert_int_equal(load_wat(calls_wat, &owner, &err), BW_OK);
    const char *user_wat = "(module"
                           "  (type $t (func (param i32) (result i32)))"
                           "  (import \"owner\" \"table\" (table 2 funcref))"
                           "  (func (export \"via\") (param i32) (result i32)"
                           "    local.get 0 i32.const 1 call_indirect (type $t)))";
    assert_int_equal(load_wat(user_wat, &user, &err), BW_OK);
    bw_store *store = bw_store_new(NULL);
    bw_instance *a = instantiate(store, owner, NULL, 0);
    bw_extern table = export_of(a, "table");
    bw_instance *b = instantiate(store, user, &table, 1);
    assert_null(a->funcs[INC]->compiled);
    uint32_t r = 0;
    assert_int_equal(call_i32(store, export_of(b, "via").of.func, 9, &r, &err), BW_OK);
    assert_int_equal(r, 10);
    assert_non_null(a->funcs[INC]->compiled);
    assert_null(a->funcs[DOUBLE]->compiled);
    bw_store_free(store);
    bw_module_free(user);
    bw_module_free(owner);
}

/* A body over the store's instruction limit validates, and fails its first call cleanly;
 * the rest of the instance, and a store with the default limit, still work. */
static void test_translation_limit_at_first_call(void **state)
{
    (void)state;
    char wat[4096];
    size_t n = (size_t)snprintf(wat, sizeof wat,
                                "(module (func (export \"small\") (param i32) (result i32)"
                                " local.get 0)"
                                " (func (export \"nested\") (param i32) (result i32)"
                                " local.get 0 call 2)"
                                " (func (export \"big\") (param i32) (result i32) local.get 0");
    for (int i = 0; i < 40; i++) {
        n += (size_t)snprintf(wat + n, sizeof wat - n, " local.get 0 i32.mul");
    }
    snprintf(wat + n, sizeof wat - n, "))");
    bw_module *m = NULL;
    bw_error err;
    assert_int_equal(load_wat(wat, &m, &err), BW_OK);

    bw_store_config tight = {.max_func_insns = 8};
    bw_store *store = bw_store_new(&tight);
    bw_instance *inst = instantiate(store, m, NULL, 0);
    uint32_t r = 0;
    memset(&err, 0, sizeof err);
    assert_int_equal(call_i32(store, export_of(inst, "big").of.func, 1, &r, &err), BW_ERR_LIMIT);
    assert_int_equal(err.status, BW_ERR_LIMIT);
    assert_non_null(strstr(err.message, "too large"));
    assert_null(inst->funcs[2]->compiled);
    /* Failing again, now from a call inside Wasm, is as clean; the store stays usable. */
    assert_int_equal(call_i32(store, export_of(inst, "nested").of.func, 1, &r, &err), BW_ERR_LIMIT);
    assert_non_null(strstr(err.message, "too large"));
    assert_int_equal(call_i32(store, export_of(inst, "small").of.func, 7, &r, &err), BW_OK);
    assert_int_equal(r, 7);

    bw_store *roomy = bw_store_new(NULL);
    bw_instance *other = instantiate(roomy, m, NULL, 0);
    assert_int_equal(call_i32(roomy, export_of(other, "big").of.func, 1, &r, &err), BW_OK);
    assert_int_equal(r, 1);
    bw_store_free(roomy);
    bw_store_free(store);
    bw_module_free(m);
}

static const char *const memory_wat =
    "(module (memory 1)"
    "  (func (export \"load\") (param i32) (result i32) local.get 0 i32.load offset=4))";

/* Two stores with different modes share one module: one code per (function, mode), reused
 * by every instance of that mode; both check bounds correctly. */
static void test_bounds_modes_share_module(void **state)
{
    (void)state;
    unsetenv("BURH_BOUNDS");
    bw_module *m = NULL;
    bw_error err;
    assert_int_equal(load_wat(memory_wat, &m, &err), BW_OK);
    bw_store_config soft_config = {.bounds = BW_BOUNDS_SOFTWARE};
    bw_store_config guard_config = {.bounds = BW_BOUNDS_GUARD};
    bw_store *soft = bw_store_new(&soft_config), *guard = bw_store_new(&guard_config);
    bw_store *other = bw_store_new(&soft_config);
    assert_int_equal(bw_store_bounds(soft), BW_BOUNDS_SOFTWARE);
    bw_instance *si = instantiate(soft, m, NULL, 0), *gi = instantiate(guard, m, NULL, 0);
    bw_instance *oi = instantiate(other, m, NULL, 0);
    assert_int_equal(bw_instance_bounds(si), BW_BOUNDS_SOFTWARE);
    /* GUARD needs the 8 GiB reservation; where it fails the store falls back. */
    assert_int_equal(bw_instance_bounds(gi), bw_store_bounds(guard));

    uint32_t r = 0;
    bw_store *stores[3] = {soft, guard, other};
    bw_instance *insts[3] = {si, gi, oi};
    for (int k = 0; k < 3; k++) {
        bw_func *f = export_of(insts[k], "load").of.func;
        assert_int_equal(call_i32(stores[k], f, 0, &r, &err), BW_OK);
        assert_int_equal(r, 0);
        assert_int_equal(call_i32(stores[k], f, 65532, &r, &err), BW_ERR_TRAP);
        assert_int_equal(err.trap, BW_TRAP_MEMORY_OOB);
        assert_int_equal(call_i32(stores[k], f, 0xfffffffcu, &r, &err), BW_ERR_TRAP);
        assert_int_equal(err.trap, BW_TRAP_MEMORY_OOB);
    }
    assert_ptr_equal(si->funcs[0]->compiled, oi->funcs[0]->compiled);
    if (bw_instance_bounds(gi) == BW_BOUNDS_GUARD) {
        assert_ptr_not_equal(si->funcs[0]->compiled, gi->funcs[0]->compiled);
    }
    bw_store_free(other);
    bw_store_free(guard);
    bw_store_free(soft);
    bw_module_free(m);
}

static void test_bounds_env_override(void **state)
{
    (void)state;
    bw_store_config guard_config = {.bounds = BW_BOUNDS_GUARD};
    setenv("BURH_BOUNDS", "software", 1);
    bw_store *store = bw_store_new(&guard_config);
    assert_int_equal(bw_store_bounds(store), BW_BOUNDS_SOFTWARE);
    bw_store_free(store);
    bw_store_config soft_config = {.bounds = BW_BOUNDS_SOFTWARE};
    setenv("BURH_BOUNDS", "guard", 1);
    store = bw_store_new(&soft_config);
    assert_int_not_equal(bw_store_bounds(store), BW_BOUNDS_AUTO);
    bw_store_free(store);
    unsetenv("BURH_BOUNDS");
    store = bw_store_new(NULL); /* AUTO resolves to one of the two */
    bw_bounds_mode mode = bw_store_bounds(store);
    assert_true(mode == BW_BOUNDS_GUARD || mode == BW_BOUNDS_SOFTWARE);
    bw_store_free(store);
}

/* The start function and a function only stored in a table by an element segment are
 * translated when they run, not before. */
static void test_start_function_translated(void **state)
{
    (void)state;
    const char *wat = "(module (global $g (export \"g\") (mut i32) (i32.const 0))"
                      "  (func $start i32.const 5 global.set $g)"
                      "  (func $unused (result i32) i32.const 9)"
                      "  (start $start))";
    bw_module *m = NULL;
    bw_error err;
    assert_int_equal(load_wat(wat, &m, &err), BW_OK);
    bw_store *store = bw_store_new(NULL);
    bw_instance *inst = instantiate(store, m, NULL, 0);
    assert_int_equal(bw_global_get(export_of(inst, "g").of.global).of.i32, 5);
    assert_non_null(inst->funcs[0]->compiled);
    assert_null(inst->funcs[1]->compiled);
    bw_store_free(store);
    bw_module_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_uncalled_function_fails_load),
        cmocka_unit_test(test_translated_at_first_call),
        cmocka_unit_test(test_translated_through_imported_table),
        cmocka_unit_test(test_translation_limit_at_first_call),
        cmocka_unit_test(test_bounds_modes_share_module),
        cmocka_unit_test(test_bounds_env_override),
        cmocka_unit_test(test_start_function_translated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
