/* Tests of the session 4 call forms (CALL_LOCAL_ADD_IMM, RETURN_I32_ADD), of dropped stores
 * of 0 to locals still 0, and of counter steps tested on the right of a compare: emitted
 * where expected, computing what the separate instructions did, and not applied where a
 * branch or a loop makes them wrong. */
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

static const char calls_wat[] =
    "(module\n"
    /* fib as clang -O2 writes it: one recursion turned into a loop. */
    " (func $fib (export \"fib\") (param $n i32) (result i32) (local $acc i32)\n"
    "   (local.set $acc (i32.const 0))\n"
    "   (block $leaf\n"
    "     (br_if $leaf (i32.lt_u (local.get $n) (i32.const 2)))\n"
    "     (local.set $acc (i32.const 0))\n"
    "     (loop $more\n"
    "       (local.set $acc (i32.add (call $fib (i32.add (local.get $n) (i32.const -1)))\n"
    "                                (local.get $acc)))\n"
    "       (br_if $more (i32.gt_u (local.tee $n (i32.add (local.get $n) (i32.const -2)))\n"
    "                              (i32.const 1)))))\n"
    "   (i32.add (local.get $n) (local.get $acc)))\n"
    " (func $id (param i32) (result i32) (local.get 0))\n"
    /* The argument add wraps at 32 bits. */
    " (func (export \"next\") (param $x i32) (result i32)\n"
    "   (call $id (i32.add (local.get $x) (i32.const 0x7fffffff))))\n"
    /* A branch lands on the call, carrying another argument: no fused add. */
    " (func (export \"pick\") (param $p i32) (result i32)\n"
    "   (call $id (block $b (result i32)\n"
    "     (drop (br_if $b (i32.const 5) (local.get $p)))\n"
    "     (i32.add (local.get $p) (i32.const 10)))))\n"
    /* A branch lands on the return, carrying another result: no fused add. */
    " (func (export \"sum_or\") (param $a i32) (param $b i32) (result i32)\n"
    "   (block $x (result i32)\n"
    "     (drop (br_if $x (i32.const 100) (local.get $a)))\n"
    "     (i32.add (local.get $a) (local.get $b))))\n"
    " (func (export \"sum\") (param $a i32) (param $b i32) (result i32)\n"
    "   (i32.add (local.get $a) (local.get $b)))\n"
    /* Unbounded recursion through the fused call: the stack runs out. */
    " (func $down (export \"down\") (param $n i32) (result i32)\n"
    "   (i32.add (call $down (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))\n"
    ")\n";

static void check_calls(const bw_store_config *config)
{
    static const uint32_t fib[] = {0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377};
    fixture fx;
    load(&fx, calls_wat, config, NULL, 0);
    for (uint32_t n = 0; n < sizeof fib / sizeof fib[0]; n++) {
        assert_int_equal(call1(&fx, "fib", 1, I32(n)), fib[n]);
    }
    assert_int_equal(call1(&fx, "fib", 1, I32(25)), 75025);
    assert_true(uses_op(&fx, "fib", BW_OP_CALL_LOCAL_ADD_IMM));
    assert_true(uses_op(&fx, "fib", BW_OP_RETURN_I32_ADD));
    /* Both `acc = 0` stores are dropped: acc is still 0 from entry at each. */
    assert_false(uses_op(&fx, "fib", BW_OP_CONST32));

    assert_int_equal(call1(&fx, "next", 1, I32(1)), 0x80000000u);
    assert_int_equal(call1(&fx, "next", 1, I32(0x80000002u)), 1);
    assert_true(uses_op(&fx, "next", BW_OP_CALL_LOCAL_ADD_IMM));

    assert_int_equal(call1(&fx, "pick", 1, I32(0)), 10);
    assert_int_equal(call1(&fx, "pick", 1, I32(7)), 5);
    assert_false(uses_op(&fx, "pick", BW_OP_CALL_LOCAL_ADD_IMM));

    assert_int_equal(call1(&fx, "sum_or", 2, I32(0), I32(9)), 9);
    assert_int_equal(call1(&fx, "sum_or", 2, I32(3), I32(9)), 100);
    assert_false(uses_op(&fx, "sum_or", BW_OP_RETURN_I32_ADD));
    assert_int_equal(call1(&fx, "sum", 2, I32(0xFFFFFFFFu), I32(3)), 2);
    assert_true(uses_op(&fx, "sum", BW_OP_RETURN_I32_ADD));

    expect_trap(&fx, "down", BW_TRAP_STACK_EXHAUSTED, 1, I32(0));
    assert_true(uses_op(&fx, "down", BW_OP_CALL_LOCAL_ADD_IMM));
    assert_int_equal(call1(&fx, "fib", 1, I32(10)), 55); /* the store runs again */
    unload(&fx);
}

static void test_call_forms(void **state)
{
    (void)state;
    in_both_bounds_modes(check_calls);
}

static const char zeros_wat[] =
    "(module\n"
    /* A store of 0 inside a loop must stay: a later write reaches it by the back edge. */
    " (func (export \"loop\") (param $n i32) (result i32) (local $x i32) (local $sum i32)\n"
    "   (loop $l\n"
    "     (local.set $sum (i32.add (local.get $sum) (local.get $x)))\n"
    "     (local.set $x (i32.const 0))\n"
    "     (local.set $sum (i32.add (local.get $sum) (local.get $x)))\n"
    "     (local.set $x (i32.const 7))\n"
    "     (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))\n"
    "   (local.get $sum))\n"
    /* After a write, and after a write on one path of a forward branch: kept. */
    " (func (export \"rewrite\") (param $p i32) (result i32) (local $x i32) (local $y i32)\n"
    "   (local.set $x (i32.const 5))\n"
    "   (local.set $x (i32.const 0))\n"
    "   (block (br_if 0 (local.get $p)) (local.set $y (i32.const 3)))\n"
    "   (local.set $y (i32.const 0))\n"
    "   (i32.add (i32.add (local.get $x) (local.get $y)) (local.get $p)))\n"
    /* A parameter is not 0 at entry: kept. */
    " (func (export \"param\") (param $p i32) (result i32)\n"
    "   (local.set $p (i32.const 0)) (local.get $p))\n"
    /* Floats: +0.0 is all zero bits (dropped), -0.0 is not (kept); local.tee too. */
    " (func (export \"fzero\") (result f64) (local $d f64)\n"
    "   (f64.add (local.tee $d (f64.const 0)) (local.get $d)))\n"
    " (func (export \"fneg\") (result i64) (local $d f64)\n"
    "   (local.set $d (f64.const -0)) (i64.reinterpret_f64 (local.get $d)))\n"
    " (func (export \"wide\") (result i64) (local $w i64)\n"
    "   (local.set $w (i64.const 0)) (i64.add (local.get $w) (i64.const 1)))\n"
    ")\n";

static void test_zero_locals(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, zeros_wat, NULL, NULL, 0);
    assert_int_equal(call1(&fx, "loop", 1, I32(1)), 0);
    assert_int_equal(call1(&fx, "loop", 1, I32(4)), 21); /* 7 for each pass after the first */
    assert_true(uses_op(&fx, "loop", BW_OP_CONST32));
    assert_int_equal(call1(&fx, "rewrite", 1, I32(0)), 0);
    assert_int_equal(call1(&fx, "rewrite", 1, I32(2)), 2);
    assert_int_equal(call1(&fx, "param", 1, I32(9)), 0);
    assert_int_equal(call1(&fx, "fzero", 0), 0);
    assert_false(uses_op(&fx, "fzero", BW_OP_CONST64));
    assert_int_equal(call1(&fx, "fneg", 0), 0x8000000000000000ull);
    assert_int_equal(call1(&fx, "wide", 0), 1);
    assert_false(uses_op(&fx, "wide", BW_OP_CONST64));
    unload(&fx);
}

/* Loops whose test has the stepped counter on the right (`n != ++i`, as clang writes
 * them): the compare is turned round so the step joins it (BR_INC), mirroring the order. */
#define COUNTER_LOOP(name, cmp, step)                                                              \
    " (func (export \"" name "\") (param $n i32) (param $i i32) (result i32) (local $k i32)\n"     \
    "   (loop $l (local.set $k (i32.add (local.get $k) (i32.const 1)))\n"                          \
    "     (br_if $l (" cmp " (local.get $n)\n"                                                     \
    "                   (local.tee $i (i32.add (local.get $i) (i32.const " step "))))))\n"         \
    "   (local.get $k))\n"
static const char counters_wat[] = "(module\n" COUNTER_LOOP("ne", "i32.ne", "1")
    COUNTER_LOOP("gt_s", "i32.gt_s", "1") COUNTER_LOOP("ge_s", "i32.ge_s", "1")
        COUNTER_LOOP("lt_u", "i32.lt_u", "-1") COUNTER_LOOP("le_u", "i32.le_u", "-1") ")\n";
#undef COUNTER_LOOP

static void test_counter_on_right(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, counters_wat, NULL, NULL, 0);
    assert_int_equal(call1(&fx, "ne", 2, I32(5), I32(0)), 5);
    assert_int_equal(call1(&fx, "gt_s", 2, I32(5), I32(0)), 5);
    assert_int_equal(call1(&fx, "gt_s", 2, I32(-3), I32(0)), 1);
    assert_int_equal(call1(&fx, "gt_s", 2, I32(2), I32(0xFFFFFFFEu)), 4); /* signed: -1 < 2 */
    assert_int_equal(call1(&fx, "ge_s", 2, I32(4), I32(0)), 5);
    assert_int_equal(call1(&fx, "lt_u", 2, I32(0xFFFFFFFAu), I32(0)), 6); /* i from 2^32 - 1 */
    assert_int_equal(call1(&fx, "le_u", 2, I32(0xFFFFFFFAu), I32(0)), 7);
    assert_int_equal(call1(&fx, "le_u", 2, I32(3), I32(2)), 1);
    static const char *const names[] = {"ne", "gt_s", "ge_s", "lt_u", "le_u"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        fixture *f = &fx;
        bool fused = false;
        for (unsigned op = BW_OP_BR_INC_EQ; op <= BW_OP_BR_INC_GE_U; op++) {
            fused = fused || uses_op(f, names[i], op);
        }
        assert_true(fused);
    }
    unload(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_call_forms),
        cmocka_unit_test(test_zero_locals),
        cmocka_unit_test(test_counter_on_right),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
