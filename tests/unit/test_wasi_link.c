/* Unit tests of burh_wasi_link: imports resolved by name and type, clear errors otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "burh/wasi.h"

/* A module with one type and one import of it, built byte by byte. */
typedef struct module_bytes {
    uint8_t b[256];
    size_t n;
} module_bytes;

static void put(module_bytes *m, const void *p, size_t n)
{
    assert_true(m->n + n <= sizeof m->b);
    memcpy(m->b + m->n, p, n);
    m->n += n;
}

static void put_byte(module_bytes *m, uint8_t v)
{
    put(m, &v, 1);
}

/* (module (type (func (param PARAMS) (result RESULTS))) (import MOD NAME (func (type 0)))
 *         (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))) */
static void build(module_bytes *m, const char *mod, const char *name, const char *params,
                  const char *results)
{
    static const uint8_t head[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    m->n = 0;
    put(m, head, sizeof head);
    size_t np = strlen(params), nr = strlen(results);
    put_byte(m, 1); /* type section */
    put_byte(m, (uint8_t)(1 + 1 + 1 + np + 1 + nr + 4));
    put_byte(m, 2); /* two types */
    put_byte(m, 0x60);
    put_byte(m, (uint8_t)np);
    for (size_t i = 0; i < np; i++)
        put_byte(m, params[i] == 'I' ? 0x7e : 0x7f);
    put_byte(m, (uint8_t)nr);
    for (size_t i = 0; i < nr; i++)
        put_byte(m, results[i] == 'I' ? 0x7e : 0x7f);
    static const uint8_t exit_type[] = {0x60, 0x01, 0x7f, 0x00};
    put(m, exit_type, sizeof exit_type);
    size_t ml = strlen(mod), nl = strlen(name);
    const char *w = "wasi_snapshot_preview1";
    put_byte(m, 2); /* import section */
    put_byte(m, (uint8_t)(1 + 1 + ml + 1 + nl + 2 + 1 + strlen(w) + 1 + 9 + 2));
    put_byte(m, 2);
    put_byte(m, (uint8_t)ml);
    put(m, mod, ml);
    put_byte(m, (uint8_t)nl);
    put(m, name, nl);
    put_byte(m, 0x00);
    put_byte(m, 0x00);
    put_byte(m, (uint8_t)strlen(w));
    put(m, w, strlen(w));
    put_byte(m, 9);
    put(m, "proc_exit", 9);
    put_byte(m, 0x00);
    put_byte(m, 0x01);
}

/* Links the module; returns the status, leaving the message in err. */
static bw_status link(const char *mod, const char *name, const char *params, const char *results,
                      bw_error *err, bw_extern out[2])
{
    module_bytes m;
    build(&m, mod, name, params, results);
    bw_module *module = NULL;
    bw_status ls = bw_module_load(m.b, m.n, &module, err);
    if (ls != BW_OK)
        print_error("load: %s\n", err->message);
    assert_int_equal(ls, BW_OK);
    assert_int_equal(bw_module_import_count(module), 2);
    bw_store *store = bw_store_new(NULL);
    burh_wasi *w = burh_wasi_new();
    memset(out, 0, 2 * sizeof *out);
    bw_status st = burh_wasi_link(w, store, module, out, err);
    if (st == BW_OK && out[0].of.func != NULL) {
        bw_functype_view t = bw_func_type(out[0].of.func);
        assert_int_equal(t.nparams, strlen(params));
        assert_int_equal(t.nresults, strlen(results));
    }
    if (st == BW_OK) {
        assert_non_null(out[1].of.func);
        /* Linking twice is refused: host functions point at the context's bindings. */
        bw_extern again[2];
        assert_int_equal(burh_wasi_link(w, store, module, again, NULL), BW_ERR_ARGS);
    }
    bw_store_free(store);
    burh_wasi_free(w);
    bw_module_free(module);
    return st;
}

static void test_known_functions_link(void **state)
{
    (void)state;
    bw_error err;
    bw_extern out[2];
    assert_int_equal(link("wasi_snapshot_preview1", "fd_write", "iiii", "i", &err, out), BW_OK);
    assert_int_equal(out[0].kind, BW_EXTERN_FUNC);
    assert_int_equal(link("wasi_snapshot_preview1", "path_open", "iiiiiIIii", "i", &err, out),
                     BW_OK);
    assert_int_equal(link("wasi_snapshot_preview1", "clock_time_get", "iIi", "i", &err, out),
                     BW_OK);
    assert_int_equal(link("wasi_snapshot_preview1", "sched_yield", "", "i", &err, out), BW_OK);
    assert_int_equal(link("wasi_snapshot_preview1", "sock_recv", "iiiiii", "i", &err, out), BW_OK);
}

static void test_unknown_function_is_named(void **state)
{
    (void)state;
    bw_error err;
    bw_extern out[2];
    assert_int_equal(link("wasi_snapshot_preview1", "fd_teleport", "i", "i", &err, out),
                     BW_ERR_UNLINKABLE);
    assert_int_equal(err.status, BW_ERR_UNLINKABLE);
    assert_non_null(strstr(err.message, "unknown WASI function"));
    assert_non_null(strstr(err.message, "wasi_snapshot_preview1.fd_teleport"));
}

static void test_wrong_type_is_refused(void **state)
{
    (void)state;
    bw_error err;
    bw_extern out[2];
    assert_int_equal(link("wasi_snapshot_preview1", "fd_write", "iii", "i", &err, out),
                     BW_ERR_UNLINKABLE);
    assert_non_null(strstr(err.message, "fd_write"));
    assert_int_equal(link("wasi_snapshot_preview1", "fd_seek", "iiii", "i", &err, out),
                     BW_ERR_UNLINKABLE);
    assert_int_equal(link("wasi_snapshot_preview1", "proc_exit", "i", "i", &err, out),
                     BW_ERR_UNLINKABLE);
}

static void test_other_modules_left_alone(void **state)
{
    (void)state;
    bw_error err;
    bw_extern out[2];
    /* Not WASI's to resolve: left for the embedder, which burh run reports by name. */
    assert_int_equal(link("env", "fd_write", "iiii", "i", &err, out), BW_OK);
    assert_null(out[0].of.func);
    assert_non_null(out[1].of.func);
    assert_int_equal(link("wasi_unstable", "fd_write", "iiii", "i", &err, out), BW_OK);
    assert_null(out[0].of.func);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_functions_link),
        cmocka_unit_test(test_unknown_function_is_named),
        cmocka_unit_test(test_wrong_type_is_refused),
        cmocka_unit_test(test_other_modules_left_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
