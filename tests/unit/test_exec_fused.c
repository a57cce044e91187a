/* Tests of the fused operations: each form is emitted where expected and computes exactly what the
 * pair did. */
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

static void test_fused_i32_chains(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module\n"
         " (func (export \"xor_rotl\") (param i32 i32) (result i32)\n"
         "   (i32.xor (local.get 0) (i32.rotl (local.get 1) (i32.const 7))))\n"
         " (func (export \"rotl_xor\") (param i32 i32) (result i32)\n"
         "   (i32.xor (i32.rotl (local.get 1) (i32.const 39)) (local.get 0)))\n"
         " (func (export \"xor_and\") (param i32 i32 i32) (result i32)\n"
         "   (i32.xor (local.get 2) (i32.and (local.get 0) (local.get 1))))\n"
         " (func (export \"add_and\") (param i32 i32 i32) (result i32)\n"
         "   (i32.add (i32.and (local.get 0) (local.get 1)) (local.get 2)))\n"
         " (func (export \"sigma\") (param i32) (result i32)\n"
         "   (i32.xor (i32.xor (i32.rotl (local.get 0) (i32.const 30))\n"
         "                     (i32.rotl (local.get 0) (i32.const 19)))\n"
         "            (i32.rotl (local.get 0) (i32.const 10))))\n"
         ")\n",
         NULL, NULL, 0);
    assert_int_equal(call1(&fx, "xor_rotl", 2, I32(0xF0F0F0F0), I32(0x80000001)),
                     0xF0F0F0F0 ^ 0xC0);
    assert_true(uses_op(&fx, "xor_rotl", BW_OP_I32_XOR_ROTL));
    /* The count is taken mod 32: 39 rotates by 7. */
    assert_int_equal(call1(&fx, "rotl_xor", 2, I32(1), I32(0x80000001)), 0xC1);
    assert_true(uses_op(&fx, "rotl_xor", BW_OP_I32_XOR_ROTL));
    assert_int_equal(call1(&fx, "xor_and", 3, I32(0xFF00FF00), I32(0x0FF00FF0), I32(0xFFFFFFFF)),
                     0xF0FFF0FF);
    assert_true(uses_op(&fx, "xor_and", BW_OP_I32_XOR_AND));
    /* The sum wraps at 32 bits. */
    assert_int_equal(call1(&fx, "add_and", 3, I32(0xFFFFFFFF), I32(0xFFFFFFFE), I32(3)), 1);
    assert_true(uses_op(&fx, "add_and", BW_OP_I32_ADD_AND));
    uint32_t x = 0x6A09E667;
    uint32_t want = ((x << 30) | (x >> 2)) ^ ((x << 19) | (x >> 13)) ^ ((x << 10) | (x >> 22));
    assert_int_equal(call1(&fx, "sigma", 1, I32(x)), want);
    assert_true(uses_op(&fx, "sigma", BW_OP_I32_ROTL_XOR3)); /* test_exec_triples.c */
    unload(&fx);
}

static void test_fused_f64(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module (memory 1)\n"
         " (func (export \"add_mul\") (param f64 f64 f64) (result f64)\n"
         "   (f64.add (local.get 2) (f64.mul (local.get 0) (local.get 1))))\n"
         " (func (export \"put\") (param i32 f64) (f64.store (local.get 0) (local.get 1)))\n"
         " (func (export \"mul_load\") (param i32 f64) (result f64)\n"
         "   (f64.mul (local.get 1) (f64.load offset=8 (local.get 0))))\n"
         " (func (export \"add_load_ai\") (param i32 f64) (result f64)\n"
         "   (f64.add (f64.load offset=8 (i32.add (local.get 0) (i32.const -16))) (local.get 1)))\n"
         " (func (export \"axpy\") (param i32 i32 f64)\n"
         "   (f64.store (local.get 1)\n"
         "     (f64.add (f64.mul (local.get 2) (f64.load (local.get 0))) (f64.load (local.get "
         "1)))))\n"
         ")\n",
         NULL, NULL, 0);
    /* Two roundings, never a fused multiply-add: (1 + e)(1 - e) rounds to 1. */
    double e = ldexp(1.0, -30);
    uint64_t r =
        call1(&fx, "add_mul", 3, F64(f64_bits(1 + e)), F64(f64_bits(1 - e)), F64(f64_bits(-1.0)));
    assert_true(bits_f64(r) == 0.0);
    assert_true(uses_op(&fx, "add_mul", BW_OP_F64_ADD_MUL));
    r = call1(&fx, "add_mul", 3, F64(f64_bits(INFINITY)), F64(f64_bits(0.0)), F64(f64_bits(1.0)));
    assert_true(isnan(bits_f64(r)));
    r = call1(&fx, "add_mul", 3, F64(f64_bits(2.0)), F64(f64_bits(3.0)), F64(0x7FF8000000000001));
    assert_true(isnan(bits_f64(r)));

    bw_value args[2] = {I32(65520), F64(f64_bits(2.5))};
    assert_int_equal(call(&fx, "put", args, 2, NULL, 0), BW_OK);
    args[0] = I32(16);
    args[1] = F64(f64_bits(-4.0));
    assert_int_equal(call(&fx, "put", args, 2, NULL, 0), BW_OK);
    r = call1(&fx, "mul_load", 2, I32(65512), F64(f64_bits(4.0)));
    assert_true(bits_f64(r) == 10.0);
    assert_true(uses_op(&fx, "mul_load", BW_OP_F64_MUL_LOAD));
    expect_trap(&fx, "mul_load", BW_TRAP_MEMORY_OOB, 2, I32(65521), F64(0));
    expect_trap(&fx, "mul_load", BW_TRAP_MEMORY_OOB, 2, I32(0xFFFFFFF8), F64(0));
    /* (i32.add x -16) wraps at 32 bits before the offset is added: x = 8 is out of bounds. */
    r = call1(&fx, "add_load_ai", 2, I32(24), F64(f64_bits(0.5)));
    assert_true(bits_f64(r) == -3.5);
    assert_true(uses_op(&fx, "add_load_ai", BW_OP_F64_ADD_LOAD));
    expect_trap(&fx, "add_load_ai", BW_TRAP_MEMORY_OOB, 2, I32(8), F64(0));
    r = call1(&fx, "add_load_ai", 2, I32(65528), F64(f64_bits(1.0)));
    assert_true(bits_f64(r) == 3.5);
    /* y[1] += a * x[0], the matrix-multiply inner step. */
    bw_value axpy[3] = {I32(16), I32(65520), F64(f64_bits(0.25))};
    assert_int_equal(call(&fx, "axpy", axpy, 3, NULL, 0), BW_OK);
    /* load, multiply, add, store back: one F64_MUL_ADD_STORE (test_exec_triples.c) */
    assert_true(uses_op(&fx, "axpy", BW_OP_F64_MUL_ADD_STORE));
    r = call1(&fx, "mul_load", 2, I32(65512), F64(f64_bits(1.0)));
    assert_true(bits_f64(r) == 1.5);
    axpy[1] = I32(65529); /* the read-modify-write traps before writing anything */
    assert_int_equal(call(&fx, "axpy", axpy, 3, NULL, 0), BW_ERR_TRAP);
    assert_int_equal(fx.err.trap, BW_TRAP_MEMORY_OOB);
    r = call1(&fx, "mul_load", 2, I32(65512), F64(f64_bits(1.0)));
    assert_true(bits_f64(r) == 1.5);
    unload(&fx);
}

static void test_fused_i32_add_load(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module (memory 1)\n"
         " (data (i32.const 65532) \"\\ff\\ff\\ff\\ff\")\n"
         " (data (i32.const 4) \"\\05\\00\\00\\00\")\n"
         " (func (export \"sum\") (param i32 i32) (result i32)\n"
         "   (i32.add (local.get 1) (i32.load (local.get 0))))\n"
         " (func (export \"sum_ai\") (param i32 i32) (result i32)\n"
         "   (i32.add (i32.load offset=2 (i32.add (local.get 0) (i32.const 2))) (local.get 1)))\n"
         ")\n",
         NULL, NULL, 0);
    assert_int_equal(call1(&fx, "sum", 2, I32(65532), I32(2)), 1); /* wraps */
    assert_true(uses_op(&fx, "sum", BW_OP_I32_ADD_LOAD));
    expect_trap(&fx, "sum", BW_TRAP_MEMORY_OOB, 2, I32(65533), I32(0));
    assert_int_equal(call1(&fx, "sum_ai", 2, I32(0), I32(10)), 15);
    assert_true(uses_op(&fx, "sum_ai", BW_OP_I32_ADD_LOAD));
    /* The folded add wraps to 0 before the offset: bytes 2..5, not an address past 4 GiB. */
    assert_int_equal(call1(&fx, "sum_ai", 2, I32(0xFFFFFFFE), I32(1)), 0x50001);
    expect_trap(&fx, "sum_ai", BW_TRAP_MEMORY_OOB, 2, I32(65530), I32(0));
    unload(&fx);
}

static void test_fused_moves(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module\n"
         " (func (export \"rotate\") (param i32 i32 i32) (result i32)\n"
         "   (local i32)\n"
         "   (local.set 3 (local.get 0))\n"
         "   (local.set 0 (local.get 1))\n"
         "   (local.set 1 (local.get 2))\n"
         "   (local.set 2 (local.get 3))\n"
         "   (i32.add (i32.mul (local.get 0) (i32.const 100))\n"
         "            (i32.add (i32.mul (local.get 1) (i32.const 10)) (local.get 2))))\n"
         ")\n",
         NULL, NULL, 0);
    assert_int_equal(call1(&fx, "rotate", 3, I32(1), I32(2), I32(3)), 231);
    assert_true(uses_op(&fx, "rotate", BW_OP_MOV4)); /* MOV2 alone: test_exec_triples.c */
    unload(&fx);
}

static void test_fused_counter_branches(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module\n"
         /* Steps i by `step` until it equals `end`; returns the number of steps. */
         " (func (export \"until_eq\") (param $i i32) (param $step i32) (param $end i32)\n"
         "   (result i32) (local $n i32)\n"
         "   (loop $l\n"
         "     (local.set $n (i32.add (local.get $n) (i32.const 1)))\n"
         "     (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
         "     (br_if $l (i32.ne (local.get $i) (local.get $end))))\n"
         "   (local.get $n))\n"
         " (func (export \"by_cell\") (param $i i32) (param $step i32) (param $end i32)\n"
         "   (result i32) (local $n i32)\n"
         "   (loop $l\n"
         "     (local.set $n (i32.add (local.get $n) (i32.const 1)))\n"
         "     (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (local.get $step)))\n"
         "                         (local.get $end))))\n"
         "   (i32.add (i32.mul (local.get $n) (i32.const 1000)) (local.get $i)))\n"
         " (func (export \"below_s\") (param $i i32) (result i32) (local $n i32)\n"
         "   (loop $l\n"
         "     (local.set $n (i32.add (local.get $n) (i32.const 1)))\n"
         "     (br_if $l (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 3)))\n"
         "                         (i32.const 10))))\n"
         "   (i32.add (i32.mul (local.get $n) (i32.const 1000)) (local.get $i)))\n"
         " (func (export \"below_u\") (param $i i32) (result i32) (local $n i32)\n"
         "   (loop $l\n"
         "     (local.set $n (i32.add (local.get $n) (i32.const 1)))\n"
         "     (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 3)))\n"
         "                         (i32.const 10))))\n"
         "   (local.get $n))\n"
         " (func (export \"down\") (param $i i32) (result i32) (local $n i32)\n"
         "   (loop $l\n"
         "     (local.set $n (i32.add (local.get $n) (i32.const 1)))\n"
         "     (br_if $l (local.tee $i (i32.add (local.get $i) (i32.const -1)))))\n"
         "   (local.get $n))\n"
         " (func (export \"forward\") (param $i i32) (result i32)\n"
         "   (block $b\n"
         "     (br_if $b (i32.eqz (local.tee $i (i32.add (local.get $i) (i32.const 1)))))\n"
         "     (local.set $i (i32.const 77)))\n"
         "   (local.get $i))\n"
         ")\n",
         NULL, NULL, 0);
    /* 32-bit wrap-around: 0xFFFFFFFE, 0xFFFFFFFF, 0, 1. */
    assert_int_equal(call1(&fx, "until_eq", 3, I32(0xFFFFFFFE), I32(1), I32(1)), 3);
    assert_true(uses_op(&fx, "until_eq", BW_OP_BR_INC_NE));
    /* Signed: -5 -> -2 -> 1 -> 4 -> 7 -> 10; near the top, 0x7FFFFFFE + 3 is negative. */
    assert_int_equal(call1(&fx, "below_s", 1, I32((uint32_t)-5)), 5010);
    assert_true(uses_op(&fx, "below_s", BW_OP_BR_INC_LT_S_IMM));
    assert_int_equal(call1(&fx, "below_s", 1, I32(7)), 1010);
    /* Stepping by a cell: 1, 4, 7, 10; and a step that wraps past 2^32 to below the end. */
    assert_int_equal(call1(&fx, "by_cell", 3, I32(1), I32(3), I32(10)), 3010);
    assert_true(uses_op(&fx, "by_cell", BW_OP_BR_ADD_LT_U));
    assert_int_equal(call1(&fx, "by_cell", 3, I32(0xFFFFFFF0), I32(0x20), I32(0x30)), 2048);
    /* Unsigned: 0xFFFFFFFE + 3 wraps to 1, below 10: then 4, 7, 10. */
    assert_int_equal(call1(&fx, "below_u", 1, I32(0xFFFFFFFE)), 4);
    assert_true(uses_op(&fx, "below_u", BW_OP_BR_INC_LT_U_IMM));
    /* br_if on the counter itself: steps to zero. */
    assert_int_equal(call1(&fx, "down", 1, I32(4)), 4);
    assert_int_equal(call1(&fx, "down", 1, I32(1)), 1);
    assert_true(uses_op(&fx, "down", BW_OP_BR_INC_NE_IMM));
    /* A forward branch on eqz of the step: taken exactly when the sum wraps to 0. */
    assert_int_equal(call1(&fx, "forward", 1, I32(0xFFFFFFFF)), 0);
    assert_int_equal(call1(&fx, "forward", 1, I32(5)), 77);
    assert_true(uses_op(&fx, "forward", BW_OP_BR_INC_EQ_IMM));
    unload(&fx);
}

static void test_constant_stores(void **state)
{
    (void)state;
    fixture fx;
    load(
        &fx,
        "(module (memory 1)\n"
        " (func (export \"get\") (param i32) (result i64) (i64.load (local.get 0)))\n"
        " (func (export \"k8\") (param i32) (i32.store8 (local.get 0) (i32.const 0x1ff)))\n"
        " (func (export \"k16\") (param i32) (i32.store16 offset=2 (local.get 0) (i32.const -1)))\n"
        " (func (export \"k32\") (param i32)\n"
        "   (i32.store offset=4 (i32.add (local.get 0) (i32.const -8)) (i32.const 0x11223344)))\n"
        " (func (export \"k64\") (param i32) (i64.store (local.get 0) (i64.const 0xfedcba98)))\n"
        " (func (export \"k64_big\") (param i32) (i64.store (local.get 0) (i64.const -2)))\n"
        ")\n",
        NULL, NULL, 0);
    bw_value at = I32(65528);
    assert_int_equal(call(&fx, "k64", &at, 1, NULL, 0), BW_OK);
    assert_true(uses_op(&fx, "k64", BW_OP_I64_STORE_K));
    assert_int_equal(call1(&fx, "get", 1, I32(65528)), 0xFEDCBA98u); /* zero-extended */
    assert_int_equal(call(&fx, "k8", &at, 1, NULL, 0), BW_OK);
    assert_true(uses_op(&fx, "k8", BW_OP_I32_STORE8_K));
    assert_int_equal(call1(&fx, "get", 1, I32(65528)), 0xFEDCBAFFu); /* low byte only */
    assert_int_equal(call(&fx, "k16", &at, 1, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "get", 1, I32(65528)), 0xFFFFBAFFu);
    bw_value at32 = I32(65532);
    assert_int_equal(call(&fx, "k32", &at32, 1, NULL, 0), BW_OK); /* 65532 - 8 + 4 */
    assert_true(uses_op(&fx, "k32", BW_OP_I32_STORE_K));
    assert_int_equal(call1(&fx, "get", 1, I32(65528)), 0x11223344u);
    /* Past the end, and a folded add that wraps: traps, nothing written. */
    bw_value bad = I32(65533);
    expect_trap(&fx, "k64", BW_TRAP_MEMORY_OOB, 1, I32(65529));
    assert_int_equal(call(&fx, "k16", &bad, 1, NULL, 0), BW_ERR_TRAP);
    expect_trap(&fx, "k32", BW_TRAP_MEMORY_OOB, 1, I32(4));
    expect_trap(&fx, "k8", BW_TRAP_MEMORY_OOB, 1, I32(65536));
    assert_int_equal(call1(&fx, "get", 1, I32(65528)), 0x11223344u);
    /* A constant that does not fit in 32 bits takes the ordinary store. */
    assert_int_equal(call(&fx, "k64_big", &at, 1, NULL, 0), BW_OK);
    assert_false(uses_op(&fx, "k64_big", BW_OP_I64_STORE_K));
    assert_int_equal(call1(&fx, "get", 1, I32(65528)), 0xFFFFFFFFFFFFFFFEu);
    unload(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fused_i32_chains),       cmocka_unit_test(test_fused_f64),
        cmocka_unit_test(test_fused_i32_add_load),     cmocka_unit_test(test_fused_moves),
        cmocka_unit_test(test_fused_counter_branches), cmocka_unit_test(test_constant_stores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
