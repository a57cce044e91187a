/* Tests of the read-modify-write forms (F64_ADD_MUL3_STORE, F64_SUB_MUL3_STORE, I32_SWAP):
 * emitted where expected, computing what the separate instructions did, and trapping before
 * any write. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "burh/engine.h"
#include "engine/code.h"

#include "exec_util.h"
#include "exec_ops_util.h"

static const char rmw_wat[] =
    "(module (memory 1)\n"
    " (func (export \"get\") (param i32) (result f64) (f64.load (local.get 0)))\n"
    " (func (export \"put\") (param i32 f64) (f64.store (local.get 0) (local.get 1)))\n"
    /* v[p + 8] -= a * b * c */
    " (func (export \"sub3\") (param $p i32) (param $a f64) (param $b f64) (param $c f64)\n"
    "   (f64.store offset=8 (local.get $p)\n"
    "     (f64.sub (f64.load offset=8 (local.get $p))\n"
    "              (f64.mul (f64.mul (local.get $a) (local.get $b)) (local.get $c)))))\n"
    /* v[(p - 24) + 8] += a * b * c, the address made by an add into a temporary */
    " (func (export \"add3\") (param $p i32) (param $a f64) (param $b f64) (param $c f64)\n"
    "   (local $q i32)\n"
    "   (f64.store offset=8 (local.tee $q (i32.add (local.get $p) (i32.const -24)))\n"
    "     (f64.add (f64.mul (f64.mul (local.get $a) (local.get $b)) (local.get $c))\n"
    "              (f64.load offset=8 (local.get $q)))))\n"
    /* Different address cells for the load and the store: no read-modify-write. */
    " (func (export \"add3_two\") (param $p i32) (param $a f64) (param $b f64) (param $c f64)\n"
    "   (f64.store offset=8 (i32.add (local.get $p) (i32.const -24))\n"
    "     (f64.add (f64.mul (f64.mul (local.get $a) (local.get $b)) (local.get $c))\n"
    "              (f64.load offset=8 (i32.add (local.get $p) (i32.const -24))))))\n"
    /* The loaded value is the subtrahend: not this form. */
    " (func (export \"rsub3\") (param $p i32) (param $a f64) (param $b f64) (param $c f64)\n"
    "   (f64.store (local.get $p)\n"
    "     (f64.sub (f64.mul (f64.mul (local.get $a) (local.get $b)) (local.get $c))\n"
    "              (f64.load (local.get $p)))))\n"
    ")\n";

static bw_status run3(fixture *fx, const char *name, uint32_t p, double a, double b, double c)
{
    bw_value args[4] = {I32(p), F64(f64_bits(a)), F64(f64_bits(b)), F64(f64_bits(c))};
    return call(fx, name, args, 4, NULL, 0);
}

static void test_product_rmw(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, rmw_wat, NULL, NULL, 0);
    put(&fx, 108, 10.0);
    assert_int_equal(run3(&fx, "sub3", 100, 2.0, 3.0, 0.5), BW_OK);
    assert_true(get(&fx, 108) == 7.0);
    assert_true(uses_op(&fx, "sub3", BW_OP_F64_SUB_MUL3_STORE));
    /* Each product rounds: (1 + e)(1 - e) is 1 before the third factor, so 1 - 1 * 1 = 0. */
    double e = ldexp(1.0, -30);
    put(&fx, 108, 1.0);
    assert_int_equal(run3(&fx, "sub3", 100, 1 + e, 1 - e, 1.0), BW_OK);
    assert_true(get(&fx, 108) == 0.0);
    /* 1e300 * 1e300 overflows before the 1e-300 could bring it back. */
    assert_int_equal(run3(&fx, "sub3", 100, 1e300, 1e300, 1e-300), BW_OK);
    assert_true(isinf(get(&fx, 108)) && get(&fx, 108) < 0);

    put(&fx, 84, 1.5);
    assert_int_equal(run3(&fx, "add3", 100, 2.0, 3.0, 0.5), BW_OK);
    assert_true(get(&fx, 84) == 4.5);
    assert_true(uses_op(&fx, "add3", BW_OP_F64_ADD_MUL3_STORE));
    assert_int_equal(run3(&fx, "add3_two", 100, 1.0, 1.0, 1.0), BW_OK);
    assert_true(get(&fx, 84) == 5.5);
    assert_false(uses_op(&fx, "add3_two", BW_OP_F64_ADD_MUL3_STORE));
    /* (u32)(16 - 24) + 8 is 2^32, out of bounds; nothing written. */
    put(&fx, 0, 9.0);
    assert_int_equal(run3(&fx, "add3_two", 16, 1.0, 1.0, 1.0), BW_ERR_TRAP);
    assert_int_equal(fx.err.trap, BW_TRAP_MEMORY_OOB);
    assert_int_equal(run3(&fx, "add3", 16, 1.0, 1.0, 1.0), BW_ERR_TRAP);
    assert_int_equal(run3(&fx, "sub3", 65521, 1.0, 1.0, 1.0), BW_ERR_TRAP);
    assert_int_equal(fx.err.trap, BW_TRAP_MEMORY_OOB);
    assert_true(get(&fx, 0) == 9.0);
    /* The last f64 of the memory is in range: 65520 + 8. */
    put(&fx, 65528, 2.0);
    assert_int_equal(run3(&fx, "sub3", 65520, 1.0, 1.0, 1.0), BW_OK);
    assert_true(get(&fx, 65528) == 1.0);

    put(&fx, 200, 1.0);
    assert_int_equal(run3(&fx, "rsub3", 200, 2.0, 3.0, 0.5), BW_OK);
    assert_true(get(&fx, 200) == 2.0);
    assert_false(uses_op(&fx, "rsub3", BW_OP_F64_SUB_MUL3_STORE));
    unload(&fx);
}

/* Two unrolled `c[j] += x * b[j]` with the pointer step between them (matrix multiply). */
static const char step_wat[] =
    "(module (memory 1)\n"
    " (func (export \"get\") (param i32) (result f64) (f64.load (local.get 0)))\n"
    " (func (export \"put\") (param i32 f64) (f64.store (local.get 0) (local.get 1)))\n"
    " (func (export \"axpy2\") (param $c i32) (param $b i32) (param $x f64) (result i32)\n"
    "   (f64.store (local.get $c)\n"
    "     (f64.add (f64.mul (local.get $x) (f64.load (local.get $b))) (f64.load (local.get $c))))\n"
    "   (local.set $c (i32.add (local.get $c) (i32.const 8)))\n"
    "   (f64.store (local.get $c)\n"
    "     (f64.add (f64.mul (local.get $x) (f64.load offset=8 (local.get $b)))\n"
    "              (f64.load (local.get $c))))\n"
    "   (local.get $c))\n"
    /* The same with a loop label on the second store: the step must stay apart. */
    " (func (export \"axpy2_label\") (param $c i32) (param $b i32) (param $x f64) (result i32)\n"
    "   (f64.store (local.get $c)\n"
    "     (f64.add (f64.mul (local.get $x) (f64.load (local.get $b))) (f64.load (local.get $c))))\n"
    "   (local.set $c (i32.add (local.get $c) (i32.const 8)))\n"
    "   (loop\n"
    "     (f64.store (local.get $c)\n"
    "       (f64.add (f64.mul (local.get $x) (f64.load offset=8 (local.get $b)))\n"
    "                (f64.load (local.get $c)))))\n"
    "   (local.get $c))\n"
    ")\n";

static bw_status axpy2(fixture *fx, const char *name, uint32_t c, uint32_t b, double x,
                       uint32_t *c_after)
{
    bw_value args[3] = {I32(c), I32(b), F64(f64_bits(x))}, result;
    bw_status status = call(fx, name, args, 3, &result, 1);
    *c_after = status == BW_OK ? result.of.i32 : 0;
    return status;
}

static void test_step_into_store(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, step_wat, NULL, NULL, 0);
    const char *names[2] = {"axpy2", "axpy2_label"};
    for (int i = 0; i < 2; i++) {
        uint32_t c_after;
        put(&fx, 0, 2.0), put(&fx, 8, 3.0), put(&fx, 100, 10.0), put(&fx, 108, 20.0);
        assert_int_equal(axpy2(&fx, names[i], 100, 0, 0.5, &c_after), BW_OK);
        assert_int_equal(c_after, 108); /* the step reached the local */
        assert_true(get(&fx, 100) == 11.0 && get(&fx, 108) == 21.5);
        /* The second store is past the end: the first one stands, then the trap. */
        put(&fx, 65520, 1.0), put(&fx, 65528, 1.0);
        assert_int_equal(axpy2(&fx, names[i], 65520, 0, 1.0, &c_after), BW_OK);
        assert_true(get(&fx, 65520) == 3.0 && get(&fx, 65528) == 4.0);
        assert_int_equal(axpy2(&fx, names[i], 65528, 0, 1.0, &c_after), BW_ERR_TRAP);
        assert_int_equal(fx.err.trap, BW_TRAP_MEMORY_OOB);
        assert_true(get(&fx, 65528) == 6.0);
    }
    assert_true(uses_op(&fx, "axpy2", BW_OP_F64_MUL_ADD_STORE_STEP));
    assert_false(uses_op(&fx, "axpy2_label", BW_OP_F64_MUL_ADD_STORE_STEP));
    unload(&fx);
}

static void test_swap(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module (memory 1)\n"
         " (func (export \"get\") (param i32) (result i32) (i32.load (local.get 0)))\n"
         " (func (export \"put\") (param i32 i32) (i32.store (local.get 0) (local.get 1)))\n"
         /* Swaps the i32s at x + 4 and y + 8; returns what it loaded, x's in the high half. */
         " (func (export \"swap\") (param $x i32) (param $y i32) (result i64)\n"
         "   (local $a i32) (local $b i32)\n"
         "   (local.set $a (i32.load offset=4 (local.get $x)))\n"
         "   (local.set $b (i32.load offset=8 (local.get $y)))\n"
         "   (i32.store offset=4 (local.get $x) (local.get $b))\n"
         "   (i32.store offset=8 (local.get $y) (local.get $a))\n"
         "   (i64.or (i64.shl (i64.extend_i32_u (local.get $a)) (i64.const 32))\n"
         "           (i64.extend_i32_u (local.get $b))))\n"
         ")\n",
         NULL, NULL, 0);
    bw_value args[2] = {I32(100), I32(11)};
    assert_int_equal(call(&fx, "put", args, 2, NULL, 0), BW_OK);
    args[0] = I32(200), args[1] = I32(22);
    assert_int_equal(call(&fx, "put", args, 2, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "swap", 2, I32(96), I32(192)), (11ull << 32) | 22);
    assert_true(uses_op(&fx, "swap", BW_OP_I32_SWAP));
    assert_int_equal(call1(&fx, "get", 1, I32(100)), 22);
    assert_int_equal(call1(&fx, "get", 1, I32(200)), 11);
    /* The same address twice: unchanged. */
    assert_int_equal(call1(&fx, "swap", 2, I32(96), I32(92)), (22ull << 32) | 22);
    assert_int_equal(call1(&fx, "get", 1, I32(100)), 22);
    /* Either address out of bounds traps before anything is written. */
    expect_trap(&fx, "swap", BW_TRAP_MEMORY_OOB, 2, I32(96), I32(65529));
    expect_trap(&fx, "swap", BW_TRAP_MEMORY_OOB, 2, I32(65529), I32(192));
    assert_int_equal(call1(&fx, "get", 1, I32(100)), 22);
    assert_int_equal(call1(&fx, "get", 1, I32(200)), 11);
    /* The last word of the memory is in range: 65524 + 8. */
    args[0] = I32(65532), args[1] = I32(33);
    assert_int_equal(call(&fx, "put", args, 2, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "swap", 2, I32(96), I32(65524)), (22ull << 32) | 33);
    assert_int_equal(call1(&fx, "get", 1, I32(65532)), 22);
    unload(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_product_rmw),
        cmocka_unit_test(test_swap),
        cmocka_unit_test(test_step_into_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
