/* Unit tests of the runtime objects: stores, memories, tables, globals, host functions,
 * import matching and instantiation (modules without a start function). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/runtime.h"

#define PAGE 65536u

static bw_limits_view limits(uint32_t min, uint32_t max, bool has_max)
{
    return (bw_limits_view){min, max, has_max};
}

static void test_memory_grow(void **state)
{
    (void)state;
    bw_store *store = bw_store_new(NULL);
    assert_non_null(store);
    bw_memory *mem = bw_memory_new(store, limits(1, 3, true));
    assert_non_null(mem);
    uint8_t *base = bw_memory_data(mem);
    assert_int_equal(bw_memory_size(mem), PAGE);
    base[PAGE - 1] = 0xab;
    assert_int_equal(bw_memory_grow(mem, 1), 1);
    assert_int_equal(bw_memory_size(mem), 2 * PAGE);
    assert_ptr_equal(bw_memory_data(mem), base); /* the base never moves */
    assert_int_equal(base[PAGE - 1], 0xab);
    assert_int_equal(base[2 * PAGE - 1], 0); /* new pages are zero and writable */
    base[2 * PAGE - 1] = 1;
    assert_int_equal(bw_memory_grow(mem, 2), -1); /* past the maximum: fails, no change */
    assert_int_equal(bw_memory_size(mem), 2 * PAGE);
    assert_int_equal(bw_memory_grow(mem, 0xffffffffu), -1);
    assert_int_equal(bw_memory_grow(mem, 1), 2);
    assert_int_equal(bw_memory_grow(mem, 0), 3);
    bw_limits_view l = bw_memory_limits(mem);
    assert_int_equal(l.min, 3);
    assert_true(l.has_max);
    assert_int_equal(l.max, 3);
    bw_store_free(store);
}

static void test_memory_store_cap(void **state)
{
    (void)state;
    bw_store_config config = {.max_memory_pages = 2};
    bw_store *store = bw_store_new(&config);
    assert_non_null(store);
    assert_null(bw_memory_new(store, limits(3, 0, false))); /* min over the cap */
    bw_memory *mem = bw_memory_new(store, limits(0, 0, false));
    assert_non_null(mem);
    assert_int_equal(bw_memory_size(mem), 0);
    assert_non_null(bw_memory_span(mem, 0, 0));
    assert_null(bw_memory_span(mem, 0, 1));
    assert_int_equal(bw_memory_grow(mem, 2), 0);
    assert_int_equal(bw_memory_grow(mem, 1), -1);
    assert_int_equal(bw_memory_size(mem), 2 * PAGE);
    bw_store_free(store);
}

static void test_memory_bad_limits(void **state)
{
    (void)state;
    bw_store *store = bw_store_new(NULL);
    assert_null(bw_memory_new(store, limits(2, 1, true)));
    assert_null(bw_memory_new(store, limits(0, 65537, true)));
    assert_null(bw_memory_new(store, limits(65537, 0, false)));
    bw_memory *mem = bw_memory_new(store, limits(0, 65536, true));
    assert_non_null(mem);
    bw_store_free(store);
}

static void test_memory_span(void **state)
{
    (void)state;
    bw_store *store = bw_store_new(NULL);
    bw_memory *mem = bw_memory_new(store, limits(1, 0, false));
    uint8_t *base = bw_memory_data(mem);
    assert_ptr_equal(bw_memory_span(mem, 0, PAGE), base);
    assert_ptr_equal(bw_memory_span(mem, PAGE, 0), base + PAGE);
    assert_ptr_equal(bw_memory_span(mem, PAGE - 1, 1), base + PAGE - 1);
    assert_null(bw_memory_span(mem, PAGE, 1));
    assert_null(bw_memory_span(mem, PAGE - 1, 2));
    assert_null(bw_memory_span(mem, PAGE + 1, 0));
    assert_null(bw_memory_span(mem, UINT64_MAX, 2));
    assert_null(bw_memory_span(mem, 1, UINT64_MAX));
    assert_null(bw_memory_span(mem, UINT64_MAX, UINT64_MAX));
    assert_int_equal(bw_memory_grow(mem, 1), 1);
    assert_ptr_equal(bw_memory_span(mem, PAGE, 1), base + PAGE);
    bw_store_free(store);
}

static void test_tables(void **state)
{
    (void)state;
    bw_store *store = bw_store_new(NULL);
    bw_value null_func = {.type = BW_FUNCREF, .of.funcref = NULL};
    bw_table *t = bw_table_new(store, BW_FUNCREF, limits(2, 4, true), null_func);
    assert_non_null(t);
    assert_int_equal(bw_table_size(t), 2);
    assert_int_equal(bw_table_elem_type(t), BW_FUNCREF);
    bw_value v;
    assert_true(bw_table_get(t, 1, &v));
    assert_int_equal(v.type, BW_FUNCREF);
    assert_null(v.of.funcref);
    assert_false(bw_table_get(t, 2, &v));
    bw_cell *cells = t->elems;
    assert_int_equal(bw_table_grow_cells(t, 2, 0x1234), 2);
    assert_ptr_equal(t->elems, cells);
    assert_true(bw_table_get(t, 3, &v));
    assert_ptr_equal(v.of.funcref, (void *)0x1234);
    assert_int_equal(bw_table_grow_cells(t, 1, 0), -1);
    assert_int_equal(bw_table_grow_cells(t, 0, 0), 4);
    bw_limits_view l = bw_table_limits(t);
    assert_int_equal(l.min, 4);
    assert_int_equal(l.max, 4);
    /* a big table without a maximum, and an externref table with a non-null initial value */
    bw_table *big = bw_table_new(store, BW_FUNCREF, limits(100000, 0, false), null_func);
    assert_non_null(big);
    assert_true(bw_table_get(big, 99999, &v));
    assert_int_equal(bw_table_grow_cells(big, 1000000, 0), 100000);
    bw_value ext = {.type = BW_EXTERNREF, .of.externref = &ext};
    bw_table *e = bw_table_new(store, BW_EXTERNREF, limits(3, 0, false), ext);
    assert_true(bw_table_get(e, 2, &v));
    assert_ptr_equal(v.of.externref, &ext);
    /* refused: wrong initial value type, min > max, non-reference element type */
    assert_null(bw_table_new(store, BW_EXTERNREF, limits(1, 0, false), null_func));
    assert_null(bw_table_new(store, BW_FUNCREF, limits(2, 1, true), null_func));
    assert_null(bw_table_new(store, BW_I32, limits(1, 0, false), null_func));
    bw_store_free(store);
}

static void test_table_store_cap(void **state)
{
    (void)state;
    bw_store_config config = {.max_table_elems = 10};
    bw_store *store = bw_store_new(&config);
    bw_value null_func = {.type = BW_FUNCREF, .of.funcref = NULL};
    assert_null(bw_table_new(store, BW_FUNCREF, limits(11, 0, false), null_func));
    bw_table *t = bw_table_new(store, BW_FUNCREF, limits(0, 0xffffffffu, true), null_func);
    assert_non_null(t);
    assert_int_equal(bw_table_grow_cells(t, 10, 0), 0);
    assert_int_equal(bw_table_grow_cells(t, 1, 0), -1);
    bw_store_free(store);
}

static void test_globals(void **state)
{
    (void)state;
    bw_store *store = bw_store_new(NULL);
    bw_global *g = bw_global_new(store, BW_I32, false, (bw_value){.type = BW_I32, .of.i32 = 42});
    assert_non_null(g);
    assert_int_equal(bw_global_get(g).of.i32, 42);
    assert_false(bw_global_mutable(g));
    assert_false(bw_global_set(g, (bw_value){.type = BW_I32, .of.i32 = 1}));
    /* a NaN with a payload keeps its bits */
    bw_value nan = {.type = BW_F64, .of.f64_bits = 0x7ff4000000000001ull};
    bw_global *m = bw_global_new(store, BW_F64, true, nan);
    assert_true(bw_global_get(m).of.f64_bits == 0x7ff4000000000001ull);
    assert_int_equal(bw_global_type(m), BW_F64);
    assert_false(bw_global_set(m, (bw_value){.type = BW_F32, .of.f32_bits = 0}));
    assert_true(bw_global_set(m, (bw_value){.type = BW_F64, .of.f64_bits = 5}));
    assert_true(bw_global_get(m).of.f64_bits == 5);
    assert_null(bw_global_new(store, BW_I64, false, (bw_value){.type = BW_I32}));
    assert_null(bw_global_new(store, BW_V128, false, (bw_value){.type = BW_V128}));
    bw_store_free(store);
}

static bw_status host_add(bw_call_ctx *ctx, void *env, const bw_value *args, bw_value *results)
{
    assert_null(bw_ctx_memory(ctx));
    assert_non_null(bw_ctx_store(ctx));
    int *calls = env;
    (*calls)++;
    results[0] = (bw_value){.type = BW_I64, .of.i64 = args[0].of.i32 + args[1].of.i64};
    return BW_OK;
}

static bw_status host_fail(bw_call_ctx *ctx, void *env, const bw_value *args, bw_value *results)
{
    (void)env, (void)args, (void)results;
    return bw_ctx_trap(ctx, "no such luck");
}

static void test_type_registry(void **state)
{
    (void)state;
    bw_store *store = bw_store_new(NULL);
    int calls = 0;
    const uint8_t p[] = {BW_I32, BW_I64}, r[] = {BW_I64};
    bw_func *a = bw_func_new_host(store, p, 2, r, 1, host_add, &calls);
    bw_func *b = bw_func_new_host(store, p, 2, r, 1, host_fail, NULL);
    bw_func *c = bw_func_new_host(store, r, 1, p, 2, host_fail, NULL);
    bw_func *d = bw_func_new_host(store, NULL, 0, NULL, 0, host_fail, NULL);
    assert_non_null(a);
    assert_non_null(d);
    assert_int_equal(a->type_id, b->type_id);
    assert_int_not_equal(a->type_id, c->type_id);
    assert_int_not_equal(a->type_id, d->type_id);
    bw_functype_view view = bw_func_type(a);
    assert_int_equal(view.nparams, 2);
    assert_int_equal(view.params[1], BW_I64);
    assert_int_equal(view.nresults, 1);
    /* many distinct types: ids stay distinct and stable across the registry's growth */
    uint8_t params[64];
    memset(params, BW_F32, sizeof params);
    uint32_t ids[64];
    for (uint32_t n = 0; n < 64; n++) {
        bw_functype t = {n, 0, params, NULL};
        ids[n] = bw_store_type_id(store, &t);
        assert_int_not_equal(ids[n], UINT32_MAX);
    }
    for (uint32_t n = 0; n < 64; n++) {
        bw_functype t = {n, 0, params, NULL};
        assert_int_equal(bw_store_type_id(store, &t), ids[n]);
    }
    assert_int_equal(ids[0], d->type_id);
    const uint8_t simd[] = {BW_V128};
    assert_null(bw_func_new_host(store, simd, 1, NULL, 0, host_fail, NULL));
    assert_null(bw_func_new_host(store, NULL, 0, NULL, 0, NULL, NULL));
    bw_store_free(store);
}

static void test_func_call_args(void **state)
{
    (void)state;
    bw_store *store = bw_store_new(NULL);
    int calls = 0;
    const uint8_t p[] = {BW_I32, BW_I64}, r[] = {BW_I64};
    bw_func *f = bw_func_new_host(store, p, 2, r, 1, host_add, &calls);
    bw_value args[2] = {{.type = BW_I32, .of.i32 = 2}, {.type = BW_I64, .of.i64 = 40}};
    bw_value bad[2] = {{.type = BW_I32, .of.i32 = 2}, {.type = BW_I32, .of.i32 = 40}};
    bw_value result[1];
    bw_error err;
    assert_int_equal(bw_func_call(store, f, args, 1, result, 1, &err), BW_ERR_ARGS);
    assert_int_equal(bw_func_call(store, f, args, 2, result, 0, &err), BW_ERR_ARGS);
    assert_int_equal(bw_func_call(store, f, bad, 2, result, 1, &err), BW_ERR_ARGS);
    assert_int_equal(calls, 0);
    bw_store_free(store);
}

/* Through the interpreter's host-call path. */
static void test_host_call(void **state)
{
    (void)state;
    bw_store *store = bw_store_new(NULL);
    int calls = 0;
    const uint8_t p[] = {BW_I32, BW_I64}, r[] = {BW_I64};
    bw_func *f = bw_func_new_host(store, p, 2, r, 1, host_add, &calls);
    bw_func *g = bw_func_new_host(store, p, 2, r, 1, host_fail, NULL);
    bw_value args[2] = {{.type = BW_I32, .of.i32 = 2}, {.type = BW_I64, .of.i64 = 40}};
    bw_value result[1];
    bw_error err;
    assert_int_equal(bw_func_call(store, f, args, 2, result, 1, &err), BW_OK);
    assert_int_equal(calls, 1);
    assert_int_equal(result[0].type, BW_I64);
    assert_int_equal(result[0].of.i64, 42);
    assert_int_equal(bw_func_call(store, g, args, 2, result, 1, &err), BW_ERR_TRAP);
    assert_int_equal(err.trap, BW_TRAP_HOST);
    assert_string_equal(err.message, "no such luck");
    bw_store_free(store);
}

static const uint8_t imports_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x02, 0x2b, 0x05, 0x01, 0x6d, 0x01, 0x66, 0x00, 0x00, 0x01, 0x6d, 0x03, 0x6d, 0x65, 0x6d, 0x02,
    0x01, 0x01, 0x02, 0x01, 0x6d, 0x03, 0x74, 0x61, 0x62, 0x01, 0x70, 0x01, 0x02, 0x0a, 0x01, 0x6d,
    0x01, 0x67, 0x03, 0x7f, 0x00, 0x01, 0x6d, 0x02, 0x67, 0x6d, 0x03, 0x7c, 0x01};
static const uint8_t init_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x02,
    0x08, 0x01, 0x01, 0x6d, 0x01, 0x67, 0x03, 0x7f, 0x00, 0x03, 0x02, 0x01, 0x00, 0x04, 0x04, 0x01,
    0x70, 0x00, 0x04, 0x05, 0x03, 0x01, 0x00, 0x01, 0x06, 0x0b, 0x02, 0x7f, 0x00, 0x23, 0x00, 0x0b,
    0x70, 0x00, 0xd2, 0x00, 0x0b, 0x07, 0x1b, 0x05, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x03, 0x74,
    0x61, 0x62, 0x01, 0x00, 0x02, 0x67, 0x69, 0x03, 0x01, 0x02, 0x67, 0x66, 0x03, 0x02, 0x01, 0x66,
    0x00, 0x00, 0x09, 0x0c, 0x02, 0x00, 0x41, 0x01, 0x0b, 0x02, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x07, 0x0b, 0x0b, 0x14, 0x02, 0x00, 0x23, 0x00, 0x0b, 0x05,
    0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x01, 0x07, 0x70, 0x61, 0x73, 0x73, 0x69, 0x76, 0x65};
static const uint8_t datatrap_wasm[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x0a,
                                        0x01, 0x01, 0x6d, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x01,
                                        0x0b, 0x1b, 0x03, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x61, 0x62,
                                        0x00, 0x41, 0xff, 0xff, 0x03, 0x0b, 0x02, 0x63, 0x64, 0x00,
                                        0x41, 0x02, 0x0b, 0x05, 0x6e, 0x65, 0x76, 0x65, 0x72};
static const uint8_t elemtrap_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x02, 0x0b,
    0x01, 0x01, 0x6d, 0x03, 0x74, 0x61, 0x62, 0x01, 0x70, 0x00, 0x02, 0x03, 0x02, 0x01, 0x00, 0x09,
    0x18, 0x04, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x00, 0x00, 0x41, 0x02, 0x0b, 0x00, 0x00, 0x41, 0x02,
    0x0b, 0x01, 0x00, 0x00, 0x41, 0x01, 0x0b, 0x01, 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b};

static bw_module *decode(const uint8_t *bytes, size_t len)
{
    bw_module *module = NULL;
    bw_error err;
    assert_int_equal(bw_decode_module(bytes, len, &module, &err), BW_OK);
    return module;
}

/* The objects that satisfy imports_wasm exactly. */
typedef struct import_set {
    bw_store *store;
    bw_extern ext[5];
} import_set;

static void make_imports(import_set *s)
{
    const uint8_t i32[] = {BW_I32};
    bw_value null_func = {.type = BW_FUNCREF, .of.funcref = NULL};
    s->store = bw_store_new(NULL);
    s->ext[0].kind = BW_EXTERN_FUNC;
    s->ext[0].of.func = bw_func_new_host(s->store, i32, 1, i32, 1, host_fail, NULL);
    s->ext[1].kind = BW_EXTERN_MEMORY;
    s->ext[1].of.memory = bw_memory_new(s->store, limits(1, 2, true));
    s->ext[2].kind = BW_EXTERN_TABLE;
    s->ext[2].of.table = bw_table_new(s->store, BW_FUNCREF, limits(2, 10, true), null_func);
    s->ext[3].kind = BW_EXTERN_GLOBAL;
    s->ext[3].of.global = bw_global_new(s->store, BW_I32, false, (bw_value){.type = BW_I32});
    s->ext[4].kind = BW_EXTERN_GLOBAL;
    s->ext[4].of.global = bw_global_new(s->store, BW_F64, true, (bw_value){.type = BW_F64});
}

static void expect_link(import_set *s, const bw_module *m, bw_status want)
{
    bw_instance *inst = NULL;
    bw_error err = {0};
    bw_status got = bw_instantiate(s->store, m, s->ext, 5, &inst, &err);
    if (got != want)
        print_error("got %s: %s\n", bw_status_name(got), err.message);
    assert_int_equal(got, want);
    if (want == BW_ERR_UNLINKABLE) {
        assert_null(inst);
        assert_non_null(strstr(err.message, "incompatible import type"));
    }
}

static void test_import_matching(void **state)
{
    (void)state;
    bw_module *m = decode(imports_wasm, sizeof imports_wasm);
    import_set s;
    make_imports(&s);
    expect_link(&s, m, BW_OK);
    bw_instance *inst;
    bw_error err;
    assert_int_equal(bw_instantiate(s.store, m, s.ext, 4, &inst, &err), BW_ERR_UNLINKABLE);
    const uint8_t i32[] = {BW_I32}, i64[] = {BW_I64};
    bw_value null_func = {.type = BW_FUNCREF, .of.funcref = NULL};
    bw_extern saved = s.ext[0];
    s.ext[0].of.func = bw_func_new_host(s.store, i32, 1, i64, 1, host_fail, NULL);
    expect_link(&s, m, BW_ERR_UNLINKABLE); /* function type differs */
    s.ext[0] = s.ext[1];
    expect_link(&s, m, BW_ERR_UNLINKABLE); /* a memory where a function is wanted */
    s.ext[0] = saved;
    saved = s.ext[1];
    s.ext[1].of.memory = bw_memory_new(s.store, limits(0, 2, true));
    expect_link(&s, m, BW_ERR_UNLINKABLE); /* too small... */
    bw_memory_grow(s.ext[1].of.memory, 1);
    expect_link(&s, m, BW_OK); /* ...until it grows */
    s.ext[1].of.memory = bw_memory_new(s.store, limits(1, 3, true));
    expect_link(&s, m, BW_ERR_UNLINKABLE); /* maximum larger than the import allows */
    s.ext[1].of.memory = bw_memory_new(s.store, limits(1, 0, false));
    expect_link(&s, m, BW_ERR_UNLINKABLE); /* no maximum */
    s.ext[1].of.memory = bw_memory_new(s.store, limits(2, 2, true));
    expect_link(&s, m, BW_OK);
    s.ext[1] = saved;
    saved = s.ext[2];
    s.ext[2].of.table = bw_table_new(s.store, BW_FUNCREF, limits(1, 10, true), null_func);
    expect_link(&s, m, BW_ERR_UNLINKABLE);
    s.ext[2].of.table = bw_table_new(s.store, BW_FUNCREF, limits(5, 9, true), null_func);
    expect_link(&s, m, BW_OK);
    bw_value null_ext = {.type = BW_EXTERNREF, .of.externref = NULL};
    s.ext[2].of.table = bw_table_new(s.store, BW_EXTERNREF, limits(2, 10, true), null_ext);
    expect_link(&s, m, BW_ERR_UNLINKABLE);
    s.ext[2] = saved;
    saved = s.ext[3];
    s.ext[3].of.global = bw_global_new(s.store, BW_I32, true, (bw_value){.type = BW_I32});
    expect_link(&s, m, BW_ERR_UNLINKABLE); /* mutability differs */
    s.ext[3].of.global = bw_global_new(s.store, BW_I64, false, (bw_value){.type = BW_I64});
    expect_link(&s, m, BW_ERR_UNLINKABLE); /* type differs */
    s.ext[3] = saved;
    s.ext[4].of.global = bw_global_new(s.store, BW_F64, false, (bw_value){.type = BW_F64});
    expect_link(&s, m, BW_ERR_UNLINKABLE);
    bw_store_free(s.store);
    bw_module_destroy(m);
}

static void test_instantiate(void **state)
{
    (void)state;
    bw_module *m = decode(init_wasm, sizeof init_wasm);
    bw_store *store = bw_store_new(NULL);
    bw_extern g = {.kind = BW_EXTERN_GLOBAL};
    g.of.global = bw_global_new(store, BW_I32, false, (bw_value){.type = BW_I32, .of.i32 = 100});
    bw_instance *inst = NULL;
    bw_error err;
    assert_int_equal(bw_instantiate(store, m, &g, 1, &inst, &err), BW_OK);
    assert_non_null(inst);
    bw_memory *mem = bw_instance_memory(inst);
    assert_non_null(mem);
    assert_memory_equal(bw_memory_data(mem) + 100, "hello", 5);
    bw_extern f, gi, gf, tab;
    assert_int_equal(bw_instance_export(inst, (const uint8_t *)"f", 1, &f), BW_OK);
    assert_int_equal(f.kind, BW_EXTERN_FUNC);
    assert_int_equal(bw_func_type(f.of.func).nresults, 1);
    assert_int_equal(bw_instance_export(inst, (const uint8_t *)"gi", 2, &gi), BW_OK);
    assert_int_equal(bw_global_get(gi.of.global).of.i32, 100);
    assert_int_equal(bw_instance_export(inst, (const uint8_t *)"gf", 2, &gf), BW_OK);
    assert_ptr_equal(bw_global_get(gf.of.global).of.funcref, f.of.func);
    assert_int_equal(bw_instance_export(inst, (const uint8_t *)"tab", 3, &tab), BW_OK);
    bw_value v;
    assert_true(bw_table_get(tab.of.table, 0, &v));
    assert_null(v.of.funcref);
    assert_true(bw_table_get(tab.of.table, 2, &v));
    assert_ptr_equal(v.of.funcref, f.of.func);
    assert_int_equal(bw_instance_export(inst, (const uint8_t *)"x", 1, &tab), BW_ERR_NOT_FOUND);
    assert_int_equal(bw_instance_export(inst, (const uint8_t *)"ta", 2, &tab), BW_ERR_NOT_FOUND);
    /* active segments are dropped after use; passive ones stay */
    assert_int_equal(inst->elem_counts[0], 0);
    assert_int_equal(inst->elem_counts[1], 1);
    assert_ptr_equal((void *)(uintptr_t)inst->elem_items[1][0], f.of.func);
    assert_int_equal(inst->data_sizes[0], 0);
    assert_int_equal(inst->data_sizes[1], 7);
    assert_ptr_equal(f.of.func->instance, inst);
    assert_int_equal(f.of.func->type_id, inst->type_ids[0]);
    /* the same module again in the same store: separate objects, same type ids */
    bw_instance *again = NULL;
    assert_int_equal(bw_instantiate(store, m, &g, 1, &again, &err), BW_OK);
    assert_ptr_not_equal(bw_instance_memory(again), mem);
    assert_int_equal(again->type_ids[0], inst->type_ids[0]);
    bw_store_free(store);
    bw_module_destroy(m);
}

/* A trap while initialising keeps what earlier segments wrote and stops there. */
static void test_instantiate_traps(void **state)
{
    (void)state;
    bw_store *store = bw_store_new(NULL);
    bw_module *dm = decode(datatrap_wasm, sizeof datatrap_wasm);
    bw_extern mem = {.kind = BW_EXTERN_MEMORY};
    mem.of.memory = bw_memory_new(store, limits(1, 0, false));
    bw_instance *inst = NULL;
    bw_error err;
    assert_int_equal(bw_instantiate(store, dm, &mem, 1, &inst, &err), BW_ERR_TRAP);
    assert_null(inst);
    assert_int_equal(err.trap, BW_TRAP_MEMORY_OOB);
    assert_string_equal(err.message, "out of bounds memory access");
    uint8_t *data = bw_memory_data(mem.of.memory);
    assert_memory_equal(data, "ab\0\0", 4);
    assert_int_equal(data[65535], 0);

    bw_module *em = decode(elemtrap_wasm, sizeof elemtrap_wasm);
    bw_extern tab = {.kind = BW_EXTERN_TABLE};
    bw_value null_func = {.type = BW_FUNCREF, .of.funcref = NULL};
    tab.of.table = bw_table_new(store, BW_FUNCREF, limits(2, 0, false), null_func);
    assert_int_equal(bw_instantiate(store, em, &tab, 1, &inst, &err), BW_ERR_TRAP);
    assert_int_equal(err.trap, BW_TRAP_TABLE_OOB);
    bw_value v;
    assert_true(bw_table_get(tab.of.table, 0, &v));
    assert_non_null(v.of.funcref); /* written by the first segment */
    assert_true(bw_table_get(tab.of.table, 1, &v));
    assert_null(v.of.funcref); /* the segment after the trap never ran */
    bw_store_free(store);
    bw_module_destroy(dm);
    bw_module_destroy(em);
}

static const uint8_t start_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x02, 0x0a,
    0x01, 0x01, 0x6d, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x01, 0x03, 0x02, 0x01, 0x00, 0x08, 0x01,
    0x00, 0x0a, 0x0b, 0x01, 0x09, 0x00, 0x41, 0x00, 0x41, 0x2a, 0x36, 0x02, 0x00, 0x0b};
static const uint8_t starttrap_wasm[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04,
                                         0x01, 0x60, 0x00, 0x00, 0x02, 0x0a, 0x01, 0x01, 0x6d, 0x03,
                                         0x6d, 0x65, 0x6d, 0x02, 0x00, 0x01, 0x03, 0x02, 0x01, 0x00,
                                         0x08, 0x01, 0x00, 0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b,
                                         0x0b, 0x07, 0x01, 0x00, 0x41, 0x04, 0x0b, 0x01, 0x78};
static const uint8_t hostctx_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00,
    0x02, 0x07, 0x01, 0x01, 0x6d, 0x01, 0x68, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03,
    0x01, 0x00, 0x01, 0x07, 0x0d, 0x02, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x03, 0x72, 0x75,
    0x6e, 0x00, 0x01, 0x0a, 0x08, 0x01, 0x06, 0x00, 0x20, 0x00, 0x10, 0x00, 0x0b};

static bw_module *load(const uint8_t *bytes, size_t len)
{
    bw_module *module = NULL;
    bw_error err;
    bw_status status = bw_module_load(bytes, len, &module, &err);
    if (status != BW_OK)
        print_error("load: %s: %s\n", bw_status_name(status), err.message);
    assert_int_equal(status, BW_OK);
    return module;
}

/* The start function runs after the segments; a trap in it fails instantiation but keeps
 * what the segments wrote. These go through the compiler and the interpreter. */
static void test_start_function(void **state)
{
    (void)state;
    bw_store *store = bw_store_new(NULL);
    bw_module *ok = load(start_wasm, sizeof start_wasm);
    bw_module *trapping = load(starttrap_wasm, sizeof starttrap_wasm);
    bw_extern mem = {.kind = BW_EXTERN_MEMORY};
    mem.of.memory = bw_memory_new(store, limits(1, 0, false));
    bw_instance *inst = NULL;
    bw_error err;
    assert_int_equal(bw_instantiate(store, ok, &mem, 1, &inst, &err), BW_OK);
    assert_int_equal(bw_memory_data(mem.of.memory)[0], 42);
    inst = NULL;
    assert_int_equal(bw_instantiate(store, trapping, &mem, 1, &inst, &err), BW_ERR_TRAP);
    assert_null(inst);
    assert_int_equal(err.trap, BW_TRAP_UNREACHABLE);
    assert_int_equal(bw_memory_data(mem.of.memory)[4], 'x');
    bw_store_free(store);
    bw_module_free(ok);
    bw_module_free(trapping);
}

/* A host function sees the calling instance's memory, and can end the program. */
static bw_status host_poke(bw_call_ctx *ctx, void *env, const bw_value *args, bw_value *results)
{
    (void)env, (void)results;
    bw_memory *mem = bw_ctx_memory(ctx);
    uint8_t *p = mem != NULL ? bw_memory_span(mem, 10, 1) : NULL;
    if (p == NULL)
        return bw_ctx_trap(ctx, "no memory");
    *p = (uint8_t)args[0].of.i32;
    return args[0].of.i32 == 99 ? bw_ctx_exit(ctx, 7) : BW_OK;
}

static void test_host_context(void **state)
{
    (void)state;
    bw_store *store = bw_store_new(NULL);
    bw_module *m = load(hostctx_wasm, sizeof hostctx_wasm);
    const uint8_t i32[] = {BW_I32};
    bw_extern h = {.kind = BW_EXTERN_FUNC};
    h.of.func = bw_func_new_host(store, i32, 1, NULL, 0, host_poke, NULL);
    bw_instance *inst = NULL;
    bw_error err;
    assert_int_equal(bw_instantiate(store, m, &h, 1, &inst, &err), BW_OK);
    bw_extern run;
    assert_int_equal(bw_instance_export(inst, (const uint8_t *)"run", 3, &run), BW_OK);
    bw_value arg = {.type = BW_I32, .of.i32 = 5};
    assert_int_equal(bw_func_call(store, run.of.func, &arg, 1, NULL, 0, &err), BW_OK);
    assert_int_equal(bw_memory_data(bw_instance_memory(inst))[10], 5);
    arg.of.i32 = 99;
    assert_int_equal(bw_func_call(store, run.of.func, &arg, 1, NULL, 0, &err), BW_ERR_EXIT);
    assert_int_equal(err.exit_code, 7);
    /* called directly by the embedder there is no calling instance, hence no memory */
    assert_int_equal(bw_func_call(store, h.of.func, &arg, 1, NULL, 0, &err), BW_ERR_TRAP);
    assert_string_equal(err.message, "no memory");
    bw_store_free(store);
    bw_module_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_grow),
        cmocka_unit_test(test_memory_store_cap),
        cmocka_unit_test(test_memory_bad_limits),
        cmocka_unit_test(test_memory_span),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_table_store_cap),
        cmocka_unit_test(test_globals),
        cmocka_unit_test(test_type_registry),
        cmocka_unit_test(test_func_call_args),
        cmocka_unit_test(test_host_call),
        cmocka_unit_test(test_import_matching),
        cmocka_unit_test(test_instantiate),
        cmocka_unit_test(test_instantiate_traps),
        cmocka_unit_test(test_start_function),
        cmocka_unit_test(test_host_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
