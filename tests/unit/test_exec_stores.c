/* Tests of the session 4 memory forms: an address add folded from two instructions back,
 * i32 stores of a cell plus a constant (I32_STORE*_VI), matmul's two address adds in its
 * read-modify-write (F64_MUL_ADD_STORE_ADD2) and table loads (I32_LOAD_SHL): emitted where
 * expected, wrapping and trapping (before any write) as the separate instructions do, in
 * both bounds modes. */
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

static const char stores_wat[] =
    "(module (memory 1)\n"
    " (func (export \"byte\") (param i32) (result i32) (i32.load8_u (local.get 0)))\n"
    " (func (export \"word\") (param i32) (result i32) (i32.load (local.get 0)))\n"
    " (func (export \"wide\") (param i32) (result i64) (i64.load (local.get 0)))\n"
    /* memcopy's fill: p[-k] = v - 13k, address and value each a cell plus a constant. */
    " (func (export \"fill\") (param $p i32) (param $v i32)\n"
    "   (i32.store8 (i32.add (local.get $p) (i32.const -1))\n"
    "               (i32.add (local.get $v) (i32.const -13)))\n"
    "   (i32.store16 offset=2 (i32.add (local.get $p) (i32.const -8))\n"
    "                (i32.add (local.get $v) (i32.const 1)))\n"
    "   (i32.store offset=4 (i32.add (local.get $p) (i32.const 8))\n"
    "              (i32.add (local.get $v) (i32.const 0x7fffffff))))\n"
    /* The address a plain local: the value add is still folded. */
    " (func (export \"put\") (param $p i32) (param $v i32)\n"
    "   (i32.store offset=8 (local.get $p) (i32.add (local.get $v) (i32.const 1))))\n"
    /* The value not an add: only the address add moves (an _AI store). */
    " (func (export \"put_mul\") (param $p i32) (param $v i32)\n"
    "   (i32.store offset=8 (i32.add (local.get $p) (i32.const -4))\n"
    "              (i32.mul (local.get $v) (local.get $v))))\n"
    /* An i64 store, the address a cell plus a cell (an _AR store). */
    " (func (export \"put64\") (param $p i32) (param $q i32) (param $v i64)\n"
    "   (i64.store (i32.add (local.get $p) (local.get $q))\n"
    "              (i64.add (local.get $v) (i64.const 1))))\n"
    /* The value overwrites the address add's own temporary operand: nothing moves. */
    " (func $four (result i32) (i32.const 4))\n"
    " (func (export \"clash\") (param $p i32) (param $v i32)\n"
    "   (i32.store (i32.add (local.get $p) (call $four))\n"
    "              (i32.mul (local.get $v) (i32.const 3))))\n"
    /* A branch lands on the store, carrying another value: no fold. */
    " (func (export \"maybe\") (param $p i32) (param $v i32) (param $c i32)\n"
    "   (i32.store (i32.add (local.get $p) (i32.const 4))\n"
    "     (block $b (result i32)\n"
    "       (drop (br_if $b (i32.const 9) (local.get $c)))\n"
    "       (i32.add (local.get $v) (i32.const 1)))))\n"
    ")\n";

/* The stores other than the fill, run after it in its fixture (its byte at 6 is there). */
static void check_other_stores(fixture *fx)
{
    bw_value args[3] = {I32(200), I32(0xFFFFFFFFu), I64(0)};
    assert_int_equal(call(fx, "put", args, 2, NULL, 0), BW_OK);
    assert_int_equal(call1(fx, "word", 1, I32(208)), 0);
    assert_true(uses_op(fx, "put", BW_OP_I32_STORE_VI));
    args[0] = I32(65528), args[1] = I32(5);
    assert_int_equal(call(fx, "put", args, 2, NULL, 0), BW_ERR_TRAP); /* 65536: past the end */

    args[0] = I32(300), args[1] = I32(7);
    assert_int_equal(call(fx, "put_mul", args, 2, NULL, 0), BW_OK);
    assert_int_equal(call1(fx, "word", 1, I32(304)), 49);
    args[0] = I32(2); /* 2 - 4 wraps to 0xFFFFFFFE, + 8 is past the end */
    assert_int_equal(call(fx, "put_mul", args, 2, NULL, 0), BW_ERR_TRAP);
    assert_int_equal(call1(fx, "word", 1, I32(6)), 0x13); /* the fill's byte, not 49 */

    args[0] = I32(0xFFFFFFF0u), args[1] = I32(0x200), args[2] = I64(0x1122334455667788ull);
    assert_int_equal(call(fx, "put64", args, 3, NULL, 0), BW_OK);
    assert_int_equal(call1(fx, "wide", 1, I32(0x1F0)), 0x1122334455667789ull);
    args[1] = I32(0x10008); /* 0x10000 - 8 + 8 bytes: the last 8 bytes, in bounds */
    assert_int_equal(call(fx, "put64", args, 3, NULL, 0), BW_OK);
    args[1] = I32(0x10009);
    assert_int_equal(call(fx, "put64", args, 3, NULL, 0), BW_ERR_TRAP);

    args[0] = I32(400), args[1] = I32(5);
    assert_int_equal(call(fx, "clash", args, 2, NULL, 0), BW_OK);
    assert_int_equal(call1(fx, "word", 1, I32(404)), 15);
    assert_int_equal(call1(fx, "word", 1, I32(15)), 0);

    args[0] = I32(500), args[1] = I32(5), args[2] = I32(0);
    assert_int_equal(call(fx, "maybe", args, 3, NULL, 0), BW_OK);
    assert_int_equal(call1(fx, "word", 1, I32(504)), 6);
    args[2] = I32(1);
    assert_int_equal(call(fx, "maybe", args, 3, NULL, 0), BW_OK);
    assert_int_equal(call1(fx, "word", 1, I32(504)), 9);
    assert_false(uses_op(fx, "maybe", BW_OP_I32_STORE_VI));
}

static void check_stores(const bw_store_config *config)
{
    fixture fx;
    load(&fx, stores_wat, config, NULL, 0);
    bw_value args[3] = {I32(100), I32(0x20), I64(0)};
    assert_int_equal(call(&fx, "fill", args, 2, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "byte", 1, I32(99)), 0x13);          /* 0x20 - 13 */
    assert_int_equal(call1(&fx, "word", 1, I32(94)) & 0xFFFF, 0x21); /* 100 - 8 + 2 */
    assert_int_equal(call1(&fx, "word", 1, I32(112)), 0x8000001Fu);  /* wraps at 32 bits */
    assert_true(uses_op(&fx, "fill", BW_OP_I32_STORE8_VI));
    assert_true(uses_op(&fx, "fill", BW_OP_I32_STORE16_VI));
    assert_true(uses_op(&fx, "fill", BW_OP_I32_STORE_VI));
    /* The address sum wraps before the offset: 7 - 8 + 2 is past the end, not 1. The byte
     * store before it is made, as separately. */
    args[0] = I32(7);
    assert_int_equal(call(&fx, "fill", args, 2, NULL, 0), BW_ERR_TRAP);
    assert_int_equal(fx.err.trap, BW_TRAP_MEMORY_OOB);
    assert_int_equal(call1(&fx, "byte", 1, I32(6)), 0x13);
    /* 65528 + 8 + 4 is past the end: the two stores before it were made. */
    args[0] = I32(65528);
    assert_int_equal(call(&fx, "fill", args, 2, NULL, 0), BW_ERR_TRAP);
    assert_int_equal(call1(&fx, "byte", 1, I32(65527)), 0x13);
    assert_int_equal(call1(&fx, "word", 1, I32(65522)) & 0xFFFF, 0x21);
    /* 65521 + 8 + 4 = 65533: the i32 store straddles the end; none of its bytes is written. */
    args[0] = I32(65521), args[1] = I32(0x80000001u);
    assert_int_equal(call(&fx, "fill", args, 2, NULL, 0), BW_ERR_TRAP);
    assert_int_equal(call1(&fx, "word", 1, I32(65532)), 0);
    check_other_stores(&fx);
    unload(&fx);
}

static void test_store_folds(void **state)
{
    (void)state;
    in_both_bounds_modes(check_stores);
}

/* matmul's inner loop as clang unrolls it: c[j] += x * b[j] twice per step, the two
 * addresses made by adds into locals at the top; the locals' last values stored after it. */
static const char matmul_wat[] =
    "(module (memory 1)\n"
    " (func (export \"get\") (param i32) (result f64) (f64.load (local.get 0)))\n"
    " (func (export \"put\") (param i32 f64) (f64.store (local.get 0) (local.get 1)))\n"
    " (func (export \"word\") (param i32) (result i32) (i32.load (local.get 0)))\n"
    " (func (export \"axpy\") (param $c i32) (param $b i32) (param $x f64) (param $j i32)\n"
    "   (param $n i32) (local $pc i32) (local $pb i32)\n"
    "   (loop $step\n"
    "     (f64.store (local.tee $pc (i32.add (local.get $c) (local.get $j)))\n"
    "       (f64.add (f64.mul (local.get $x)\n"
    "                         (f64.load (local.tee $pb (i32.add (local.get $b) (local.get $j)))))\n"
    "                (f64.load (local.get $pc))))\n"
    "     (f64.store (local.tee $pc (i32.add (local.get $pc) (i32.const 8)))\n"
    "       (f64.add (f64.mul (local.get $x) (f64.load (i32.add (local.get $pb) (i32.const 8))))\n"
    "                (f64.load (local.get $pc))))\n"
    "     (br_if $step (i32.ne (local.tee $j (i32.add (local.get $j) (i32.const 16)))\n"
    "                          (local.get $n))))\n"
    "   (i32.store (i32.const 0) (local.get $pc))\n"
    "   (i32.store (i32.const 4) (local.get $pb)))\n"
    /* A branch lands on the store, right after the two adds: no fold. */
    " (func (export \"once\") (param $c i32) (param $b i32) (param $x f64) (param $k i32)\n"
    "   (local $pc i32) (local $pb i32)\n"
    "   (local.set $pc (local.get $c)) (local.set $pb (local.get $b))\n"
    "   (block $l (br_if $l (i32.eqz (local.get $k)))\n"
    "     (local.set $pc (i32.add (local.get $c) (local.get $k)))\n"
    "     (local.set $pb (i32.add (local.get $b) (local.get $k))))\n"
    "   (f64.store (local.get $pc)\n"
    "     (f64.add (f64.mul (local.get $x) (f64.load (local.get $pb)))\n"
    "              (f64.load (local.get $pc)))))\n"
    ")\n";

static bw_status axpy(fixture *fx, uint32_t c, uint32_t b, double x, uint32_t j, uint32_t n)
{
    bw_value args[5] = {I32(c), I32(b), F64(f64_bits(x)), I32(j), I32(n)};
    return call(fx, "axpy", args, 5, NULL, 0);
}

static void check_matmul(const bw_store_config *config)
{
    fixture fx;
    load(&fx, matmul_wat, config, NULL, 0);
    for (uint32_t i = 0; i < 4; i++) {
        put(&fx, 1000 + 8 * i, 1.0 + i);
        put(&fx, 2000 + 8 * i, 0.5 * i);
    }
    assert_int_equal(axpy(&fx, 1000, 2000, 3.0, 0, 32), BW_OK);
    for (uint32_t i = 0; i < 4; i++) {
        assert_true(get(&fx, 1000 + 8 * i) == 1.0 + i + 3.0 * (0.5 * i));
    }
    assert_int_equal(call1(&fx, "word", 1, I32(0)), 1000 + 24); /* the locals still written */
    assert_int_equal(call1(&fx, "word", 1, I32(4)), 2000 + 16);
    assert_true(uses_op(&fx, "axpy", BW_OP_F64_MUL_ADD_STORE_ADD2));
    assert_true(uses_op(&fx, "axpy", BW_OP_F64_MUL_ADD_STORE_STEP));

    /* Two roundings, never a fused multiply-add: (1 + 2^-30)^2 rounds to 1 + 2^-29. */
    double e = 1.0 + 0x1p-30;
    put(&fx, 3000, -(1.0 + 0x1p-29));
    put(&fx, 3100, e);
    /* The address adds wrap at 32 bits: 0xFFFFFFF0 + 3016 is 3000. */
    assert_int_equal(axpy(&fx, 0xFFFFFFF0u, 3100 - 3016, e, 3016, 3032), BW_OK);
    assert_true(get(&fx, 3000) == 0.0);

    /* Out of bounds: the store side, or the load side, traps before any write. */
    put(&fx, 1000, 7.0);
    assert_int_equal(axpy(&fx, 65536, 2000, 1.0, 0, 16), BW_ERR_TRAP);
    assert_int_equal(fx.err.trap, BW_TRAP_MEMORY_OOB);
    assert_int_equal(axpy(&fx, 1000, 65530, 1.0, 0, 16), BW_ERR_TRAP);
    assert_true(get(&fx, 1000) == 7.0);
    /* The second element past the end: the first was written, as separately. */
    put(&fx, 65528, 2.0);
    assert_int_equal(axpy(&fx, 65528, 2000, 1.0, 0, 16), BW_ERR_TRAP);
    assert_true(get(&fx, 65528) == 2.0);

    put(&fx, 4000, 1.0), put(&fx, 4008, 1.0), put(&fx, 5000, 2.0), put(&fx, 5008, 4.0);
    bw_value args[4] = {I32(4000), I32(5000), F64(f64_bits(1.0)), I32(0)};
    assert_int_equal(call(&fx, "once", args, 4, NULL, 0), BW_OK);
    args[3] = I32(8);
    assert_int_equal(call(&fx, "once", args, 4, NULL, 0), BW_OK);
    assert_true(get(&fx, 4000) == 3.0);
    assert_true(get(&fx, 4008) == 5.0);
    assert_false(uses_op(&fx, "once", BW_OP_F64_MUL_ADD_STORE_ADD2));
    unload(&fx);
}

static void test_matmul_adds(void **state)
{
    (void)state;
    in_both_bounds_modes(check_matmul);
}

/* Table lookups as crc32 makes them: an index shifted, then loaded from a constant address
 * (I32_LOAD_SHL); and a pointer step copied to a second local (I32_ADD_IMM2 of 0). */
static const char tables_wat[] =
    "(module (memory 1)\n"
    " (data (i32.const 64) \"\\01\\00\\00\\00\\02\\00\\00\\00\\03\\00\\00\\00\\04\\00\\00\\00\")\n"
    " (func (export \"entry\") (param $i i32) (result i32)\n"
    "   (i32.load offset=4 (i32.add (i32.shl (local.get $i) (i32.const 2)) (i32.const 60))))\n"
    " (func (export \"plain\") (param $i i32) (result i32)\n"
    "   (i32.load offset=64 (i32.shl (local.get $i) (i32.const 34))))\n" /* count 34 & 31 */
    /* A branch lands on the load, carrying another address: no fold. */
    " (func (export \"either\") (param $i i32) (param $c i32) (result i32)\n"
    "   (i32.load (block $b (result i32)\n"
    "     (drop (br_if $b (i32.const 72) (local.get $c)))\n"
    "     (i32.shl (local.get $i) (i32.const 2)))))\n"
    /* q = p = p - 4: the step and the copy are one instruction. */
    " (func (export \"walk\") (param $p i32) (result i32) (local $q i32) (local $n i32)\n"
    "   (loop $l\n"
    "     (local.set $n (i32.add (local.get $n) (i32.load (local.get $p))))\n"
    "     (local.set $q (local.tee $p (i32.add (local.get $p) (i32.const -4))))\n"
    "     (br_if $l (i32.ge_u (local.get $p) (i32.const 64))))\n"
    "   (i32.add (i32.mul (local.get $n) (i32.const 1000)) (local.get $q)))\n"
    ")\n";

static void check_tables(const bw_store_config *config)
{
    fixture fx;
    load(&fx, tables_wat, config, NULL, 0);
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(call1(&fx, "entry", 1, I32(i)), i + 1);
        assert_int_equal(call1(&fx, "plain", 1, I32(i)), i + 1);
    }
    assert_true(uses_op(&fx, "entry", BW_OP_I32_LOAD_SHL));
    assert_true(uses_op(&fx, "plain", BW_OP_I32_LOAD_SHL));
    /* The shift and the add wrap at 32 bits: 0x40000001 << 2 is 4, + 60 + 4 is 68. */
    assert_int_equal(call1(&fx, "entry", 1, I32(0x40000001)), 2);
    /* (0x3FFFF << 2) + 60 + 4 = 0xFFFFC: past the end; 16383 * 4 + 64 straddles it. */
    expect_trap(&fx, "entry", BW_TRAP_MEMORY_OOB, 1, I32(0x3FFFF));
    expect_trap(&fx, "plain", BW_TRAP_MEMORY_OOB, 1, I32(16368));
    assert_int_equal(call1(&fx, "plain", 1, I32(16367)), 0); /* the last four bytes */

    assert_int_equal(call1(&fx, "either", 2, I32(17), I32(0)), 2);
    assert_int_equal(call1(&fx, "either", 2, I32(17), I32(1)), 3);
    assert_false(uses_op(&fx, "either", BW_OP_I32_LOAD_SHL));

    assert_int_equal(call1(&fx, "walk", 1, I32(76)), 10 * 1000 + 60);
    assert_true(uses_op(&fx, "walk", BW_OP_I32_ADD_IMM2));
    unload(&fx);
}

static void test_table_loads(void **state)
{
    (void)state;
    in_both_bounds_modes(check_tables);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_folds),
        cmocka_unit_test(test_matmul_adds),
        cmocka_unit_test(test_table_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
