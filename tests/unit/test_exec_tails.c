/* Tests of the loop-tail forms: a load with the step of a local after it (I32_LOAD_AR_STEP,
 * I32_LOAD_AI_STEP), moves with the loop's back jump (MOV4_BR_LOOP) and sha256's h + Ch
 * (I32_ADD_ADD_ANDN), in both bounds modes where memory is involved:
 * emitted where expected, not across a branch target, computing, wrapping, trapping and
 * polling interrupts as the separate instructions do. */
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

static const char loads_wat[] =
    "(module (memory 1)\n"
    " (func (export \"put\") (param i32 i32) (i32.store (local.get 0) (local.get 1)))\n"
    /* sha256's `w = W[i]; i += 4`: an _AR load, then the step. Returns the sum of the words
     * at p + i + 4 for i = i0, i0 + 4, .. up to n. */
    " (func (export \"walk\") (param $p i32) (param $i i32) (param $n i32) (result i32)\n"
    "   (local $w i32) (local $s i32)\n"
    "   (loop $l\n"
    "     (local.set $w (i32.load offset=4 (i32.add (local.get $p) (local.get $i))))\n"
    "     (local.set $i (i32.add (local.get $i) (i32.const 4)))\n"
    "     (local.set $s (i32.add (local.get $s) (local.get $w)))\n"
    "     (br_if $l (i32.ne (local.get $i) (local.get $n))))\n"
    "   (local.get $s))\n"
    /* A plain load into the local it then steps (an _AI form with no addend): the step
     * reads what the load wrote. */
    " (func (export \"chase\") (param $i i32) (result i32)\n"
    "   (local.set $i (i32.load offset=8 (local.get $i)))\n"
    "   (local.set $i (i32.add (local.get $i) (i32.const -3)))\n"
    "   (local.get $i))\n"
    /* An _AI load stepping another local; the address sum wraps before the offset. */
    " (func (export \"next\") (param $p i32) (param $k i32) (result i32) (local $w i32)\n"
    "   (local.set $w (i32.load offset=4 (i32.add (local.get $p) (i32.const -8))))\n"
    "   (local.set $k (i32.add (local.get $k) (i32.const 0x7fffffff)))\n"
    "   (i32.add (local.get $w) (local.get $k)))\n"
    /* The if's end lands on the step: no fold (c = 0 must still step). */
    " (func (export \"maybe\") (param $p i32) (param $c i32) (result i32) (local $w i32)\n"
    "   (if (local.get $c) (then (local.set $w (i32.load (local.get $p)))))\n"
    "   (local.set $p (i32.add (local.get $p) (i32.const 4)))\n"
    "   (i32.add (local.get $w) (local.get $p)))\n"
    ")\n";

static void check_loads(const bw_store_config *config)
{
    fixture fx;
    load(&fx, loads_wat, config, NULL, 0);
    bw_value args[2];
    for (uint32_t k = 0; k < 8; k++) {
        args[0] = I32(104 + 4 * k), args[1] = I32(k * k + 1);
        assert_int_equal(call(&fx, "put", args, 2, NULL, 0), BW_OK);
    }
    assert_int_equal(call1(&fx, "walk", 3, I32(100), I32(0), I32(32)),
                     1 + 2 + 5 + 10 + 17 + 26 + 37 + 50);
    assert_int_equal(call1(&fx, "walk", 3, I32(108), I32(0), I32(8)), 5 + 10);
    assert_true(uses_op(&fx, "walk", BW_OP_I32_LOAD_AR_STEP));
    /* p + i wraps at 32 bits before the offset: 0xFFFFFFFC + 104 is 100, + 4 is 104. */
    assert_int_equal(call1(&fx, "walk", 3, I32(0xFFFFFFFCu), I32(104), I32(112)), 1 + 2);
    /* ... but the offset does not wrap: 0xFFFFFFFC + 0 + 4 is 2^32. */
    expect_trap(&fx, "walk", BW_TRAP_MEMORY_OOB, 3, I32(0xFFFFFFFCu), I32(0), I32(8));
    /* The last word in bounds is at 65532; the fourth load of the second is past it. */
    assert_int_equal(call1(&fx, "walk", 3, I32(65528), I32(0), I32(4)), 0);
    expect_trap(&fx, "walk", BW_TRAP_MEMORY_OOB, 3, I32(65532), I32(0), I32(8));
    expect_trap(&fx, "walk", BW_TRAP_MEMORY_OOB, 3, I32(65520), I32(0), I32(64));

    args[0] = I32(208), args[1] = I32(1000);
    assert_int_equal(call(&fx, "put", args, 2, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "chase", 1, I32(200)), 997);
    assert_true(uses_op(&fx, "chase", BW_OP_I32_LOAD_AI_STEP));
    expect_trap(&fx, "chase", BW_TRAP_MEMORY_OOB, 1, I32(65530)); /* 65538 */

    /* 12 - 8 + 4: the word at 8 (written here) plus k + 0x7fffffff, wrapping. */
    args[0] = I32(8), args[1] = I32(7);
    assert_int_equal(call(&fx, "put", args, 2, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "next", 2, I32(12), I32(0x80000002u)), 7 + 1);
    assert_true(uses_op(&fx, "next", BW_OP_I32_LOAD_AI_STEP));
    /* 4 - 8 wraps to 0xFFFFFFFC, and + 4 is 2^32, not 0. */
    expect_trap(&fx, "next", BW_TRAP_MEMORY_OOB, 2, I32(4), I32(0));

    assert_int_equal(call1(&fx, "maybe", 2, I32(208), I32(1)), 1000 + 212);
    assert_int_equal(call1(&fx, "maybe", 2, I32(208), I32(0)), 212);
    assert_false(uses_op(&fx, "maybe", BW_OP_I32_LOAD_AI_STEP));
    unload(&fx);
}

static void test_load_steps(void **state)
{
    (void)state;
    in_both_bounds_modes(check_loads);
}

/* Rotations ending a loop that leaves by a br_if at its top, read back in order: eight
 * moves (a MOV4, then a MOV4 with the jump), three (a MOV4 of three moves with the jump),
 * one (a MOV with the jump); in `skip` the block's end lands on the jump. */
static const char moves_wat[] =
    "(module\n"
    " (func $digits (param i32 i32 i32 i32 i32) (result i32)\n"
    "   (i32.add (i32.add (i32.add (i32.mul (local.get 0) (i32.const 10000))\n"
    "                              (i32.mul (local.get 1) (i32.const 1000)))\n"
    "                     (i32.add (i32.mul (local.get 2) (i32.const 100))\n"
    "                              (i32.mul (local.get 3) (i32.const 10))))\n"
    "            (local.get 4)))\n"
    /* Seven locals rotated through $t: eight moves, a MOV4 and a MOV4 with the jump. */
    " (func (export \"rot\") (param $n i32) (result i32)\n"
    "   (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $f i32)\n"
    "   (local $g i32) (local $t i32)\n"
    "   (local.set $a (i32.const 1)) (local.set $b (i32.const 2)) (local.set $c (i32.const 3))\n"
    "   (local.set $d (i32.const 4)) (local.set $e (i32.const 5)) (local.set $f (i32.const 6))\n"
    "   (local.set $g (i32.const 7))\n"
    "   (block $x (loop $l\n"
    "     (br_if $x (i32.eqz (local.get $n)))\n"
    "     (local.set $n (i32.add (local.get $n) (i32.const -1)))\n"
    "     (local.set $t (local.get $a)) (local.set $a (local.get $b))\n"
    "     (local.set $b (local.get $c)) (local.set $c (local.get $d))\n"
    "     (local.set $d (local.get $e)) (local.set $e (local.get $f))\n"
    "     (local.set $f (local.get $g)) (local.set $g (local.get $t))\n"
    "     (br $l)))\n"
    "   (i32.or (i32.or (i32.or (local.get $a) (i32.shl (local.get $b) (i32.const 4)))\n"
    "                   (i32.or (i32.shl (local.get $c) (i32.const 8))\n"
    "                           (i32.shl (local.get $d) (i32.const 12))))\n"
    "           (i32.or (i32.or (i32.shl (local.get $e) (i32.const 16))\n"
    "                           (i32.shl (local.get $f) (i32.const 20)))\n"
    "                   (i32.shl (local.get $g) (i32.const 24)))))\n"
    " (func (export \"swap\") (param $n i32) (result i32)\n"
    "   (local $a i32) (local $b i32) (local $t i32)\n"
    "   (local.set $a (i32.const 1)) (local.set $b (i32.const 2))\n"
    "   (block $x (loop $l\n"
    "     (br_if $x (i32.eqz (local.get $n)))\n"
    "     (local.set $n (i32.add (local.get $n) (i32.const -1)))\n"
    "     (local.set $b (i32.add (local.get $b) (local.get $n)))\n"
    "     (local.set $t (local.get $a)) (local.set $a (local.get $b))\n"
    "     (local.set $b (local.get $t))\n"
    "     (br $l)))\n"
    "   (call $digits (i32.const 0) (i32.const 0) (i32.const 0) (local.get $a) (local.get $b)))\n"
    " (func (export \"one\") (param $n i32) (result i32) (local $a i32) (local $b i32)\n"
    "   (block $x (loop $l\n"
    "     (br_if $x (i32.eqz (local.get $n)))\n"
    "     (local.set $n (i32.add (local.get $n) (i32.const -1)))\n"
    "     (local.set $b (i32.add (local.get $b) (i32.const 3)))\n"
    "     (local.set $a (local.get $b))\n"
    "     (br $l)))\n"
    "   (local.get $a))\n"
    " (func (export \"skip\") (param $n i32) (result i32) (local $a i32) (local $b i32)\n"
    "   (block $x (loop $l\n"
    "     (br_if $x (i32.eqz (local.get $n)))\n"
    "     (local.set $n (i32.add (local.get $n) (i32.const -1)))\n"
    "     (local.set $b (i32.add (local.get $b) (i32.const 1)))\n"
    "     (block $j (br_if $j (i32.and (local.get $n) (i32.const 1)))\n"
    "       (local.set $a (local.get $b)))\n"
    "     (br $l)))\n"
    "   (local.get $a))\n"
    ")\n";

/* The rotations computed here, as a check of the order of the fused moves. */
static uint32_t rot_expected(uint32_t n)
{
    uint32_t v[7] = {1, 2, 3, 4, 5, 6, 7}, packed = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t t = v[0];
        memmove(v, v + 1, 6 * sizeof v[0]);
        v[6] = t;
    }
    for (unsigned k = 0; k < 7; k++) {
        packed |= v[k] << (4 * k);
    }
    return packed;
}

static uint32_t swap_expected(uint32_t n)
{
    uint32_t a = 1, b = 2;
    while (n != 0) {
        n--;
        b += n;
        uint32_t t = a;
        a = b, b = t;
    }
    return a * 10 + b;
}

static void test_move_jumps(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, moves_wat, NULL, NULL, 0);
    for (uint32_t n = 0; n < 7; n++) {
        assert_int_equal(call1(&fx, "rot", 1, I32(n)), rot_expected(n));
        assert_int_equal(call1(&fx, "swap", 1, I32(n)), swap_expected(n));
        assert_int_equal(call1(&fx, "one", 1, I32(n)), 3 * n);
    }
    assert_true(uses_op(&fx, "rot", BW_OP_MOV4_BR_LOOP));
    assert_true(uses_op(&fx, "rot", BW_OP_MOV4));
    assert_true(uses_op(&fx, "swap", BW_OP_MOV4_BR_LOOP));
    assert_true(uses_op(&fx, "one", BW_OP_MOV4_BR_LOOP));
    /* b counts the steps; a takes b when n (after its step) is even, so at the last step: a
     * jump to the block's end that missed the back jump would leave the loop at the first
     * odd n instead (a = 0 or 1). */
    assert_int_equal(call1(&fx, "skip", 1, I32(4)), 4);
    assert_int_equal(call1(&fx, "skip", 1, I32(5)), 5);
    assert_int_equal(call1(&fx, "skip", 1, I32(2)), 2);
    assert_int_equal(call1(&fx, "skip", 1, I32(3)), 3);
    assert_false(uses_op(&fx, "skip", BW_OP_MOV4_BR_LOOP));
    /* The fused jump still polls for an interrupt. */
    bw_store_interrupt(fx.store);
    expect_trap(&fx, "rot", BW_TRAP_INTERRUPTED, 1, I32(3));
    expect_trap(&fx, "one", BW_TRAP_INTERRUPTED, 1, I32(3));
    bw_store_clear_interrupt(fx.store);
    assert_int_equal(call1(&fx, "rot", 1, I32(3)), rot_expected(3));
    unload(&fx);
}

/* sha256's t1 = (s + h) + (~e & g): an I32_ADD and the I32_ADD_ANDN after it. In `label` a
 * branch lands on the and-not (the block's end), and in `keep` the sum is a local. */
static const char andn_wat[] =
    "(module\n"
    " (func (export \"ch\") (param $s i32) (param $h i32) (param $e i32) (param $g i32)\n"
    "   (result i32)\n"
    "   (i32.add (i32.add (local.get $s) (local.get $h))\n"
    "            (i32.and (i32.xor (local.get $e) (i32.const -1)) (local.get $g))))\n"
    /* t1 into a local: the fused instruction writes it (no move after it). */
    " (func (export \"into\") (param $s i32) (param $h i32) (param $e i32) (param $g i32)\n"
    "   (result i32) (local $t i32)\n"
    "   (local.set $t (i32.add (i32.add (local.get $s) (local.get $h))\n"
    "     (i32.and (i32.xor (local.get $e) (i32.const -1)) (local.get $g))))\n"
    "   (i32.mul (local.get $t) (local.get $t)))\n"
    " (func (export \"self\") (param $e i32) (param $g i32) (result i32)\n"
    "   (i32.add (i32.add (local.get $e) (local.get $g))\n"
    "            (i32.and (i32.xor (local.get $e) (i32.const -1)) (local.get $g))))\n"
    " (func (export \"label\") (param $s i32) (param $e i32) (param $g i32) (param $c i32)\n"
    "   (result i32)\n"
    "   (i32.add (block $b (result i32)\n"
    "              (drop (br_if $b (local.get $s) (local.get $c)))\n"
    "              (i32.add (local.get $s) (local.get $s)))\n"
    "            (i32.and (i32.xor (local.get $e) (i32.const -1)) (local.get $g))))\n"
    " (func (export \"keep\") (param $s i32) (param $h i32) (param $e i32) (param $g i32)\n"
    "   (result i32) (local $t i32)\n"
    "   (local.set $t (i32.add (local.get $s) (local.get $h)))\n"
    "   (i32.add (i32.add (local.get $t)\n"
    "                     (i32.and (i32.xor (local.get $e) (i32.const -1)) (local.get $g)))\n"
    "            (local.get $t)))\n"
    ")\n";

static void test_add_andn(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, andn_wat, NULL, NULL, 0);
    assert_int_equal(
        call1(&fx, "ch", 4, I32(0xFFFFFFF0u), I32(0x20), I32(0xF0F0F0F0u), I32(0xFFFF0000u)),
        (uint32_t)(0x10u + 0x0F0F0000u));
    assert_int_equal(call1(&fx, "ch", 4, I32(1), I32(2), I32(0), I32(0xFFFFFFFFu)), 2u);
    assert_true(uses_op(&fx, "ch", BW_OP_I32_ADD_ADD_ANDN));
    assert_int_equal(call1(&fx, "into", 4, I32(1), I32(2), I32(0xFFFFFFFEu), I32(5)), 16);
    assert_true(uses_op(&fx, "into", BW_OP_I32_ADD_ADD_ANDN));
    assert_false(uses_op(&fx, "into", BW_OP_MOV));
    assert_int_equal(call1(&fx, "self", 2, I32(0x0000FFFFu), I32(0x00FF00FFu)),
                     (uint32_t)(0x0000FFFFu + 0x00FF00FFu + 0x00FF0000u));
    assert_int_equal(call1(&fx, "label", 4, I32(5), I32(1), I32(3), I32(0)), 10 + 2);
    assert_int_equal(call1(&fx, "label", 4, I32(5), I32(1), I32(3), I32(1)), 5 + 2);
    assert_false(uses_op(&fx, "label", BW_OP_I32_ADD_ADD_ANDN));
    assert_int_equal(call1(&fx, "keep", 4, I32(5), I32(6), I32(0), I32(3)), 11 + 3 + 11);
    assert_false(uses_op(&fx, "keep", BW_OP_I32_ADD_ADD_ANDN));
    unload(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_steps),
        cmocka_unit_test(test_move_jumps),
        cmocka_unit_test(test_add_andn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
