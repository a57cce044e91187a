/* Helpers shared by the interpreter tests: .wat fixtures, value constructors, calls, traps. */
#ifndef BURH_TEST_EXEC_UTIL_H
#define BURH_TEST_EXEC_UTIL_H

/* Include after <cmocka.h> and its prerequisites; functions are static inline so that a test
 * using only some of them still builds without warnings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "burh/engine.h"

/* A module compiled from .wat text by wabt's wat2wasm, instantiated in its own store. */
typedef struct fixture {
    bw_module *module;
    bw_store *store;
    bw_instance *instance;
    bw_error err;
} fixture;

static inline uint8_t *wat_to_wasm(const char *wat, size_t *len)
{
    char wat_path[] = "/tmp/burh-test-XXXXXX.wat";
    int fd = mkstemps(wat_path, 4);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, wat, strlen(wat)), (ssize_t)strlen(wat));
    close(fd);
    char wasm_path[sizeof wat_path + 8], cmd[2 * sizeof wat_path + 64];
    snprintf(wasm_path, sizeof wasm_path, "%s.wasm", wat_path);
    snprintf(cmd, sizeof cmd, "wat2wasm %s -o %s", wat_path, wasm_path);
    int rc = system(cmd);
    unlink(wat_path);
    assert_int_equal(rc, 0);
    FILE *f = fopen(wasm_path, "rb");
    assert_non_null(f);
    uint8_t *bytes = malloc(1 << 20);
    assert_non_null(bytes);
    *len = fread(bytes, 1, 1 << 20, f);
    fclose(f);
    unlink(wasm_path);
    return bytes;
}

static inline void load(fixture *fx, const char *wat, const bw_store_config *config,
                        const bw_extern *imports, size_t nimports)
{
    size_t len;
    uint8_t *bytes = wat_to_wasm(wat, &len);
    memset(fx, 0, sizeof *fx);
    bw_status status = bw_module_load(bytes, len, &fx->module, &fx->err);
    free(bytes);
    if (status != BW_OK) {
        fail_msg("load: %s", fx->err.message);
    }
    bw_store_config defaults = {0};
    fx->store = bw_store_new(config != NULL ? config : &defaults);
    assert_non_null(fx->store);
    status = bw_instantiate(fx->store, fx->module, imports, nimports, &fx->instance, &fx->err);
    if (status != BW_OK) {
        fail_msg("instantiate: %s", fx->err.message);
    }
}

static inline void unload(fixture *fx)
{
    bw_store_free(fx->store);
    bw_module_free(fx->module);
}

static inline bw_value I32(uint32_t v)
{
    bw_value x = {.type = BW_I32, .of.i32 = v};
    return x;
}

static inline bw_value I64(uint64_t v)
{
    bw_value x = {.type = BW_I64, .of.i64 = v};
    return x;
}

static inline bw_value F32(uint32_t bits)
{
    bw_value x = {.type = BW_F32, .of.f32_bits = bits};
    return x;
}

static inline bw_value F64(uint64_t bits)
{
    bw_value x = {.type = BW_F64, .of.f64_bits = bits};
    return x;
}

static inline bw_func *export_func(fixture *fx, const char *name)
{
    bw_extern ext;
    assert_int_equal(bw_instance_export(fx->instance, (const uint8_t *)name, strlen(name), &ext),
                     BW_OK);
    assert_int_equal(ext.kind, BW_EXTERN_FUNC);
    return ext.of.func;
}

/* Calls export `name`; returns the status, results in res. */
static inline bw_status call(fixture *fx, const char *name, const bw_value *args, size_t nargs,
                             bw_value *res, size_t nres)
{
    return bw_func_call(fx->store, export_func(fx, name), args, nargs, res, nres, &fx->err);
}

/* Calls a one-result export and returns the result's bits; fails the test on a trap. */
static inline uint64_t call1(fixture *fx, const char *name, int nargs, ...)
{
    bw_value args[4], res[1];
    va_list ap;
    va_start(ap, nargs);
    for (int i = 0; i < nargs; i++) {
        args[i] = va_arg(ap, bw_value);
    }
    va_end(ap);
    bw_status status = call(fx, name, args, (size_t)nargs, res, 1);
    if (status != BW_OK) {
        fail_msg("%s: %s", name, fx->err.message);
    }
    return res[0].type == BW_I32 || res[0].type == BW_F32 ? res[0].of.i32 : res[0].of.i64;
}

static inline void expect_trap(fixture *fx, const char *name, bw_trap trap, int nargs, ...)
{
    bw_value args[4], res[4];
    va_list ap;
    va_start(ap, nargs);
    for (int i = 0; i < nargs; i++) {
        args[i] = va_arg(ap, bw_value);
    }
    va_end(ap);
    bw_func *f = export_func(fx, name);
    bw_functype_view type = bw_func_type(f);
    bw_status status =
        bw_func_call(fx->store, f, args, (size_t)nargs, res, type.nresults, &fx->err);
    assert_int_equal(status, BW_ERR_TRAP);
    assert_int_equal(fx->err.trap, trap);
    assert_string_equal(fx->err.message, bw_trap_message(trap));
}

#endif
