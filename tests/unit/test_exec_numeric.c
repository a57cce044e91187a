/* Tests of the interpreter's numeric instructions: integer, float, conversions, chains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "exec_util.h"

static void test_i32(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module\n"
         " (func (export \"add\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get "
         "1)))\n"
         " (func (export \"sub\") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get "
         "1)))\n"
         " (func (export \"mul\") (param i32 i32) (result i32) (i32.mul (local.get 0) (local.get "
         "1)))\n"
         " (func (export \"div_s\") (param i32 i32) (result i32) (i32.div_s (local.get 0) "
         "(local.get 1)))\n"
         " (func (export \"div_u\") (param i32 i32) (result i32) (i32.div_u (local.get 0) "
         "(local.get 1)))\n"
         " (func (export \"rem_s\") (param i32 i32) (result i32) (i32.rem_s (local.get 0) "
         "(local.get 1)))\n"
         " (func (export \"shl\") (param i32 i32) (result i32) (i32.shl (local.get 0) (local.get "
         "1)))\n"
         " (func (export \"shr_s\") (param i32 i32) (result i32) (i32.shr_s (local.get 0) "
         "(local.get 1)))\n"
         " (func (export \"rotl\") (param i32 i32) (result i32) (i32.rotl (local.get 0) (local.get "
         "1)))\n"
         " (func (export \"rotr\") (param i32 i32) (result i32) (i32.rotr (local.get 0) (local.get "
         "1)))\n"
         " (func (export \"clz\") (param i32) (result i32) (i32.clz (local.get 0)))\n"
         " (func (export \"ctz\") (param i32) (result i32) (i32.ctz (local.get 0)))\n"
         " (func (export \"popcnt\") (param i32) (result i32) (i32.popcnt (local.get 0)))\n"
         " (func (export \"lt_s\") (param i32) (result i32) (i32.lt_s (local.get 0) (i32.const "
         "5)))\n"
         " (func (export \"ext8\") (param i32) (result i32) (i32.extend8_s (local.get 0)))\n"
         " (func (export \"add_imm\") (param i32) (result i32) (i32.add (local.get 0) (i32.const "
         "-1)))\n"
         ")\n",
         NULL, NULL, 0);
    assert_int_equal(call1(&fx, "add", 2, I32(0xffffffffu), I32(2)), 1);
    assert_int_equal(call1(&fx, "sub", 2, I32(0), I32(1)), 0xffffffffu);
    assert_int_equal(call1(&fx, "mul", 2, I32(0x10000), I32(0x10000)), 0);
    assert_int_equal(call1(&fx, "div_s", 2, I32((uint32_t)-7), I32(2)), (uint32_t)-3);
    assert_int_equal(call1(&fx, "div_u", 2, I32((uint32_t)-7), I32(2)), 0x7ffffffcu);
    assert_int_equal(call1(&fx, "rem_s", 2, I32(0x80000000u), I32((uint32_t)-1)), 0);
    assert_int_equal(call1(&fx, "rem_s", 2, I32((uint32_t)-7), I32(2)), (uint32_t)-1);
    assert_int_equal(call1(&fx, "shl", 2, I32(1), I32(33)), 2);
    assert_int_equal(call1(&fx, "shr_s", 2, I32(0x80000000u), I32(31)), 0xffffffffu);
    assert_int_equal(call1(&fx, "rotl", 2, I32(0x80000001u), I32(1)), 3);
    assert_int_equal(call1(&fx, "rotr", 2, I32(1), I32(32)), 1);
    assert_int_equal(call1(&fx, "rotr", 2, I32(1), I32(1)), 0x80000000u);
    assert_int_equal(call1(&fx, "clz", 1, I32(0)), 32);
    assert_int_equal(call1(&fx, "clz", 1, I32(1)), 31);
    assert_int_equal(call1(&fx, "ctz", 1, I32(0)), 32);
    assert_int_equal(call1(&fx, "ctz", 1, I32(0x80)), 7);
    assert_int_equal(call1(&fx, "popcnt", 1, I32(0xf0f0f0f0u)), 16);
    assert_int_equal(call1(&fx, "lt_s", 1, I32((uint32_t)-1)), 1);
    assert_int_equal(call1(&fx, "lt_s", 1, I32(5)), 0);
    assert_int_equal(call1(&fx, "ext8", 1, I32(0x80)), 0xffffff80u);
    assert_int_equal(call1(&fx, "add_imm", 1, I32(0)), 0xffffffffu);
    expect_trap(&fx, "div_s", BW_TRAP_DIV_ZERO, 2, I32(1), I32(0));
    expect_trap(&fx, "div_s", BW_TRAP_INT_OVERFLOW, 2, I32(0x80000000u), I32((uint32_t)-1));
    expect_trap(&fx, "div_u", BW_TRAP_DIV_ZERO, 2, I32(1), I32(0));
    expect_trap(&fx, "rem_s", BW_TRAP_DIV_ZERO, 2, I32(1), I32(0));
    unload(&fx);
}

static void test_i64(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module\n"
         " (func (export \"mul\") (param i64 i64) (result i64) (i64.mul (local.get 0) (local.get "
         "1)))\n"
         " (func (export \"div_s\") (param i64 i64) (result i64) (i64.div_s (local.get 0) "
         "(local.get 1)))\n"
         " (func (export \"rem_s\") (param i64 i64) (result i64) (i64.rem_s (local.get 0) "
         "(local.get 1)))\n"
         " (func (export \"shr_u\") (param i64 i64) (result i64) (i64.shr_u (local.get 0) "
         "(local.get 1)))\n"
         " (func (export \"clz\") (param i64) (result i64) (i64.clz (local.get 0)))\n"
         " (func (export \"extend_s\") (param i32) (result i64) (i64.extend_i32_s (local.get 0)))\n"
         " (func (export \"extend_u\") (param i32) (result i64) (i64.extend_i32_u (local.get 0)))\n"
         " (func (export \"wrap\") (param i64) (result i32) (i32.wrap_i64 (local.get 0)))\n"
         " (func (export \"eqz\") (param i64) (result i32) (i64.eqz (local.get 0)))\n"
         " (func (export \"ext32\") (param i64) (result i64) (i64.extend32_s (local.get 0)))\n"
         ")\n",
         NULL, NULL, 0);
    assert_true(call1(&fx, "mul", 2, I64(1ull << 32), I64(1ull << 32)) == 0);
    assert_true(call1(&fx, "div_s", 2, I64((uint64_t)-9), I64(2)) == (uint64_t)-4);
    assert_true(call1(&fx, "rem_s", 2, I64(1ull << 63), I64((uint64_t)-1)) == 0);
    assert_true(call1(&fx, "shr_u", 2, I64(1ull << 63), I64(127)) == 1);
    assert_true(call1(&fx, "clz", 1, I64(0)) == 64);
    assert_true(call1(&fx, "extend_s", 1, I32(0x80000000u)) == 0xffffffff80000000ull);
    assert_true(call1(&fx, "extend_u", 1, I32(0x80000000u)) == 0x80000000ull);
    assert_true(call1(&fx, "wrap", 1, I64(0x123456789ull)) == 0x23456789u);
    assert_true(call1(&fx, "eqz", 1, I64(1ull << 40)) == 0);
    assert_true(call1(&fx, "ext32", 1, I64(0x80000000ull)) == 0xffffffff80000000ull);
    expect_trap(&fx, "div_s", BW_TRAP_INT_OVERFLOW, 2, I64(1ull << 63), I64((uint64_t)-1));
    expect_trap(&fx, "rem_s", BW_TRAP_DIV_ZERO, 2, I64(1), I64(0));
    unload(&fx);
}

static void test_float_arith(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module\n"
         " (func (export \"min\") (param f32 f32) (result f32) (f32.min (local.get 0) (local.get "
         "1)))\n"
         " (func (export \"max\") (param f64 f64) (result f64) (f64.max (local.get 0) (local.get "
         "1)))\n"
         " (func (export \"nearest\") (param f32) (result f32) (f32.nearest (local.get 0)))\n"
         " (func (export \"neg\") (param f32) (result f32) (f32.neg (local.get 0)))\n"
         " (func (export \"copysign\") (param f64 f64) (result f64)\n"
         "   (f64.copysign (local.get 0) (local.get 1)))\n"
         " (func (export \"add\") (param f64 f64) (result f64) (f64.add (local.get 0) (local.get "
         "1)))\n"
         " (func (export \"sqrt\") (param f32) (result f32) (f32.sqrt (local.get 0)))\n"
         " (func (export \"floor\") (param f32) (result f32) (f32.floor (local.get 0)))\n"
         " (func (export \"lt\") (param f32 f32) (result i32) (f32.lt (local.get 0) (local.get "
         "1)))\n"
         ")\n",
         NULL, NULL, 0);
    /* -0 < +0 for min and max; NaN wins. */
    assert_int_equal(call1(&fx, "min", 2, F32(0x00000000), F32(0x80000000)), 0x80000000);
    assert_true(call1(&fx, "max", 2, F64(0x8000000000000000ull), F64(0)) == 0);
    assert_true((call1(&fx, "min", 2, F32(0x7fc00000), F32(0x3f800000)) & 0x7fc00000) ==
                0x7fc00000);
    /* nearest rounds half to even: 2.5 -> 2.0, 3.5 -> 4.0 */
    assert_int_equal(call1(&fx, "nearest", 1, F32(0x40200000)), 0x40000000);
    assert_int_equal(call1(&fx, "nearest", 1, F32(0x40600000)), 0x40800000);
    /* neg and copysign are bit operations: a signalling NaN payload survives */
    assert_int_equal(call1(&fx, "neg", 1, F32(0x7fa00001)), 0xffa00001);
    assert_true(call1(&fx, "copysign", 2, F64(0x7ff4000000000001ull), F64(0x8000000000000000ull)) ==
                0xfff4000000000001ull);
    /* 1.5 + 2.25 = 3.75 */
    assert_true(call1(&fx, "add", 2, F64(0x3ff8000000000000ull), F64(0x4002000000000000ull)) ==
                0x400e000000000000ull);
    assert_int_equal(call1(&fx, "sqrt", 1, F32(0x41800000)), 0x40800000); /* sqrt 16 = 4 */
    /* floor of a signalling NaN gives a quiet NaN */
    assert_int_equal(call1(&fx, "floor", 1, F32(0x7fa00000)) & 0x7fc00000, 0x7fc00000);
    assert_int_equal(call1(&fx, "floor", 1, F32(0xbfc00000)), 0xc0000000); /* -1.5 -> -2 */
    assert_int_equal(call1(&fx, "lt", 2, F32(0x7fc00000), F32(0x3f800000)), 0);
    unload(&fx);
}

static void test_float_conversions(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module\n"
         " (func (export \"trunc_s\") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))\n"
         " (func (export \"trunc_u64\") (param f64) (result i64) (i64.trunc_f64_u (local.get 0)))\n"
         " (func (export \"sat_s\") (param f32) (result i32) (i32.trunc_sat_f32_s (local.get 0)))\n"
         " (func (export \"sat_u64\") (param f64) (result i64) (i64.trunc_sat_f64_u (local.get "
         "0)))\n"
         " (func (export \"demote\") (param f64) (result f32) (f32.demote_f64 (local.get 0)))\n"
         " (func (export \"promote\") (param f32) (result f64) (f64.promote_f32 (local.get 0)))\n"
         " (func (export \"conv_u\") (param i64) (result f32) (f32.convert_i64_u (local.get 0)))\n"
         " (func (export \"reinterp\") (param f32) (result i32) (i32.reinterpret_f32 (local.get "
         "0)))\n"
         ")\n",
         NULL, NULL, 0);
    assert_int_equal(call1(&fx, "trunc_s", 1, F32(0xc0600000)), (uint32_t)-3); /* -3.5 */
    /* -2147483648.0f is in range; 2147483648.0f is not */
    assert_int_equal(call1(&fx, "trunc_s", 1, F32(0xcf000000)), 0x80000000u);
    expect_trap(&fx, "trunc_s", BW_TRAP_INT_OVERFLOW, 1, F32(0x4f000000));
    expect_trap(&fx, "trunc_s", BW_TRAP_BAD_CONVERSION, 1, F32(0x7fc00000));
    /* -0.9 truncates to 0 for unsigned; -1.0 overflows */
    assert_true(call1(&fx, "trunc_u64", 1, F64(0xbfeccccccccccccdull)) == 0);
    expect_trap(&fx, "trunc_u64", BW_TRAP_INT_OVERFLOW, 1, F64(0xbff0000000000000ull));
    assert_int_equal(call1(&fx, "sat_s", 1, F32(0x4f000000)), 0x7fffffffu);
    assert_int_equal(call1(&fx, "sat_s", 1, F32(0xff800000)), 0x80000000u);
    assert_int_equal(call1(&fx, "sat_s", 1, F32(0x7fc00000)), 0);
    assert_true(call1(&fx, "sat_u64", 1, F64(0x7ff0000000000000ull)) == UINT64_MAX);
    assert_true(call1(&fx, "sat_u64", 1, F64(0xc000000000000000ull)) == 0);
    /* NaN stays NaN (quiet) across demote and promote */
    assert_int_equal(call1(&fx, "demote", 1, F64(0x7ff8000000000000ull)) & 0x7fc00000, 0x7fc00000);
    assert_true((call1(&fx, "promote", 1, F32(0x7fc00000)) & 0x7ff8000000000000ull) ==
                0x7ff8000000000000ull);
    assert_int_equal(call1(&fx, "conv_u", 1, I64(UINT64_MAX)), 0x5f800000); /* 2^64 */
    assert_int_equal(call1(&fx, "reinterp", 1, F32(0x7fa00001)), 0x7fa00001);
    unload(&fx);
}

/* f64 operations with a constant operand on either side (the _IMM and IMM_ forms). */
static void test_float_constant_operands(void **state)
{
    (void)state;
    fixture fx;
    load(
        &fx,
        "(module\n"
        " (func (export \"rdiv\") (param f64) (result f64) (f64.div (f64.const 1) (local.get 0)))\n"
        " (func (export \"rsub\") (param f64) (result f64) (f64.sub (f64.const 1) (local.get 0)))\n"
        " (func (export \"div\") (param f64) (result f64) (f64.div (local.get 0) (f64.const 4)))\n"
        " (func (export \"mix\") (param f64) (result f64)\n"
        "   (f64.add (f64.const 0.5) (f64.mul (f64.const 3) (f64.sub (local.get 0) (f64.const "
        "1)))))\n"
        ")\n",
        NULL, NULL, 0);
    assert_true(call1(&fx, "rdiv", 1, F64(0x4010000000000000ull)) == 0x3fd0000000000000ull);
    assert_true(call1(&fx, "rsub", 1, F64(0x4010000000000000ull)) == 0xc008000000000000ull);
    assert_true(call1(&fx, "div", 1, F64(0x4010000000000000ull)) == 0x3ff0000000000000ull);
    /* 0.5 + 3 * (2 - 1) = 3.5 */
    assert_true(call1(&fx, "mix", 1, F64(0x4000000000000000ull)) == 0x400c000000000000ull);
    /* 1 / -0 = -inf */
    assert_true(call1(&fx, "rdiv", 1, F64(0x8000000000000000ull)) == 0xfff0000000000000ull);
    unload(&fx);
}

/* i32 add and xor chains, which the translator fuses into three-operand forms. */
static void test_operation_chains(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module\n"
         " (func (export \"add3\") (param i32 i32 i32) (result i32)\n"
         "   (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2)))\n"
         " (func (export \"add3r\") (param i32 i32 i32) (result i32)\n"
         "   (i32.add (local.get 0) (i32.add (local.get 1) (local.get 2))))\n"
         " (func (export \"xor4\") (param i32 i32 i32) (result i32)\n"
         "   (i32.xor (i32.xor (i32.xor (local.get 0) (local.get 1)) (local.get 2))\n"
         "            (i32.mul (local.get 0) (local.get 0))))\n"
         " (func (export \"tee\") (param i32 i32) (result i32)\n"
         "   (i32.add (local.tee 0 (i32.add (local.get 0) (local.get 1))) (local.get 0)))\n"
         ")\n",
         NULL, NULL, 0);
    assert_int_equal(call1(&fx, "add3", 3, I32(0xffffffffu), I32(2), I32(5)), 6);
    assert_int_equal(call1(&fx, "add3r", 3, I32(7), I32(0x80000000u), I32(0x80000000u)), 7);
    assert_int_equal(call1(&fx, "xor4", 3, I32(3), I32(5), I32(0x100)), (3u ^ 5u ^ 0x100u ^ 9u));
    assert_int_equal(call1(&fx, "tee", 2, I32(4), I32(6)), 20);
    unload(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_i32),
        cmocka_unit_test(test_i64),
        cmocka_unit_test(test_float_arith),
        cmocka_unit_test(test_float_conversions),
        cmocka_unit_test(test_float_constant_operands),
        cmocka_unit_test(test_operation_chains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
