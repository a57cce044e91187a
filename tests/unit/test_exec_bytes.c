/* Tests of the fused byte forms (string compares, byte tests, strided fills) and of the
 * compare-and-count adds: each is emitted where expected and behaves as the separate
 * instructions, traps included. */
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

static const char strings_wat[] =
    "(module (memory 1)\n"
    " (data (i32.const 16) \"abcabcab\")\n"
    " (data (i32.const 65533) \"abc\")\n"
    /* How many of the first $m bytes at $p and $q are equal before the first difference. */
    " (func (export \"common\") (param $p i32) (param $q i32) (param $m i32) (result i32)\n"
    "   (local $j i32)\n"
    "   (block $done (loop $next\n"
    "     (br_if $done (i32.ge_u (local.get $j) (local.get $m)))\n"
    "     (br_if $done (i32.ne (i32.load8_u (i32.add (local.get $p) (local.get $j)))\n"
    "                          (i32.load8_u (i32.add (local.get $q) (local.get $j)))))\n"
    "     (local.set $j (i32.add (local.get $j) (i32.const 1)))\n"
    "     (br $next)))\n"
    "   (local.get $j))\n"
    /* The same with the compare the other way round and equal bytes branching. */
    " (func (export \"same\") (param $p i32) (param $q i32) (param $r i32) (result i32)\n"
    "   (block $eq\n"
    "     (br_if $eq (i32.eq (i32.load8_u (i32.add (local.get $q) (local.get $p)))\n"
    "                        (i32.load8_u (i32.add (local.get $p) (local.get $r)))))\n"
    "     (return (i32.const 0)))\n"
    "   (i32.const 1))\n"
    /* Counts the positions of [$p, $p + $n) whose byte equals the one at $c. */
    " (func (export \"count\") (param $p i32) (param $n i32) (param $c i32) (result i32)\n"
    "   (local $i i32) (local $k i32)\n"
    "   (loop $next\n"
    "     (local.set $k (i32.add (local.get $k)\n"
    "       (i32.eq (i32.load8_u (local.get $c))\n"
    "               (i32.load8_u (i32.add (local.get $p) (local.get $i))))))\n"
    "     (br_if $next (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))\n"
    "                            (local.get $n))))\n"
    "   (local.get $k))\n"
    " (func (export \"differ\") (param i32 i32 i32) (result i32)\n"
    "   (i32.add (local.get 2) (i32.ne (local.get 0) (local.get 1))))\n"
    ")\n";

static void test_byte_compares(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, strings_wat, NULL, NULL, 0);
    assert_int_equal(call1(&fx, "common", 3, I32(16), I32(19), I32(8)), 5); /* abcab|c */
    assert_int_equal(call1(&fx, "common", 3, I32(16), I32(17), I32(8)), 0);
    assert_int_equal(call1(&fx, "common", 3, I32(16), I32(16), I32(4)), 4);
    assert_true(uses_op(&fx, "common", BW_OP_BR_BYTES_NE));
    assert_int_equal(call1(&fx, "common", 3, I32(65533), I32(16), I32(3)), 3);
    /* Either byte past the end traps, the first or only the second. */
    expect_trap(&fx, "common", BW_TRAP_MEMORY_OOB, 3, I32(65533), I32(16), I32(4));
    expect_trap(&fx, "common", BW_TRAP_MEMORY_OOB, 3, I32(16), I32(65533), I32(4));
    expect_trap(&fx, "common", BW_TRAP_MEMORY_OOB, 3, I32(65536), I32(16), I32(1));

    assert_int_equal(call1(&fx, "same", 3, I32(16), I32(0), I32(3)), 1); /* a, a */
    assert_int_equal(call1(&fx, "same", 3, I32(16), I32(0), I32(1)), 0); /* a, b */
    assert_true(uses_op(&fx, "same", BW_OP_BR_BYTES_EQ));
    /* The addresses wrap at 32 bits: 0xFFFFFFF0 + 0x20 is 16, + 0x23 is 19. */
    assert_int_equal(call1(&fx, "same", 3, I32(0xFFFFFFF0), I32(0x20), I32(0x23)), 1);
    expect_trap(&fx, "same", BW_TRAP_MEMORY_OOB, 3, I32(16), I32(0), I32(0x10000));

    assert_int_equal(call1(&fx, "count", 3, I32(16), I32(8), I32(16)), 3); /* 'a' at 0 3 6 */
    assert_int_equal(call1(&fx, "count", 3, I32(16), I32(8), I32(17)), 3);
    assert_int_equal(call1(&fx, "count", 3, I32(16), I32(8), I32(18)), 2);
    assert_true(uses_op(&fx, "count", BW_OP_I32_ADD_EQ));
    /* Sums wrap at 32 bits. */
    assert_int_equal(call1(&fx, "differ", 3, I32(1), I32(2), I32(0xFFFFFFFF)), 0);
    assert_int_equal(call1(&fx, "differ", 3, I32(2), I32(2), I32(7)), 7);
    assert_true(uses_op(&fx, "differ", BW_OP_I32_ADD_NE));
    unload(&fx);
}

static const char sieve_wat[] =
    "(module (memory 1)\n"
    " (func (export \"get\") (param i32) (result i32) (i32.load8_u (local.get 0)))\n"
    /* Marks every $step-th byte of [$p, $end) with 1; returns the byte count written. */
    " (func (export \"mark\") (param $p i32) (param $step i32) (param $end i32) (result i32)\n"
    "   (local $n i32)\n"
    "   (loop $next\n"
    "     (i32.store8 offset=1 (local.get $p) (i32.const 0x101))\n"
    "     (local.set $p (i32.add (local.get $p) (local.get $step)))\n"
    "     (local.set $n (i32.add (local.get $n) (i32.const 1)))\n"
    "     (br_if $next (i32.lt_u (local.get $p) (local.get $end))))\n"
    "   (local.get $n))\n"
    /* Counts the bytes of [$base, $base + $n) that are 0. */
    " (func (export \"zeros\") (param $base i32) (param $n i32) (result i32)\n"
    "   (local $i i32) (local $k i32)\n"
    "   (block $done (loop $next\n"
    "     (br_if $done (i32.ge_u (local.get $i) (local.get $n)))\n"
    "     (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "     (br_if $next (i32.load8_u (i32.add (local.get $base) (i32.sub (local.get $i) "
    "(i32.const 1)))))\n"
    "     (local.set $k (i32.add (local.get $k) (i32.const 1)))\n"
    "     (br $next)))\n"
    "   (local.get $k))\n"
    ")\n";

static void test_byte_fills_and_tests(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, sieve_wat, NULL, NULL, 0);
    /* Bytes 101, 104, .. 128 (offset 1): 10 of them, the constant's low byte. */
    assert_int_equal(call1(&fx, "mark", 3, I32(100), I32(3), I32(130)), 10);
    assert_true(uses_op(&fx, "mark", BW_OP_I32_STORE8_K_BUMP));
    assert_int_equal(call1(&fx, "get", 1, I32(101)), 1);
    assert_int_equal(call1(&fx, "get", 1, I32(128)), 1);
    assert_int_equal(call1(&fx, "get", 1, I32(102)), 0);
    assert_int_equal(call1(&fx, "get", 1, I32(131)), 0);
    assert_int_equal(call1(&fx, "zeros", 2, I32(100), I32(32)), 32 - 10);
    assert_true(uses_op(&fx, "zeros", BW_OP_BR_IF_LOAD8));
    /* A store past the end traps before the pointer moves on: the last byte is written. */
    expect_trap(&fx, "mark", BW_TRAP_MEMORY_OOB, 3, I32(65530), I32(5), I32(0xFFFFFFFF));
    assert_int_equal(call1(&fx, "get", 1, I32(65531)), 1);
    assert_int_equal(call1(&fx, "get", 1, I32(65535)), 0); /* 65530 + 5 + 1 is out */
    expect_trap(&fx, "zeros", BW_TRAP_MEMORY_OOB, 2, I32(65530), I32(7));
    assert_int_equal(call1(&fx, "zeros", 2, I32(65530), I32(6)), 5);
    unload(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_byte_compares),
        cmocka_unit_test(test_byte_fills_and_tests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
