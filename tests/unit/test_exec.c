/* Tests of the interpreter: memory, control flow, calls, tables, traps, limits, host calls. */
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

#include "exec_util.h"

static void test_memory_access(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module (memory 1 3)\n"
         " (data (i32.const 16) \"\\01\\80\\ff\\7f\")\n"
         " (func (export \"load8_s\") (param i32) (result i32) (i32.load8_s (local.get 0)))\n"
         " (func (export \"load16_u\") (param i32) (result i32) (i32.load16_u offset=1 (local.get "
         "0)))\n"
         " (func (export \"load32_s\") (param i32) (result i64) (i64.load32_s (local.get 0)))\n"
         " (func (export \"load\") (param i32) (result i32) (i32.load (local.get 0)))\n"
         " (func (export \"far\") (param i32) (result i32) (i32.load offset=0xffffffff (local.get "
         "0)))\n"
         " (func (export \"store16\") (param i32 i32) (i32.store16 (local.get 0) (local.get 1)))\n"
         " (func (export \"store64\") (param i32 i64) (i64.store (local.get 0) (local.get 1)))\n"
         " (func (export \"size\") (result i32) (memory.size))\n"
         " (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))\n"
         ")\n",
         NULL, NULL, 0);
    assert_int_equal(call1(&fx, "load8_s", 1, I32(17)), 0xffffff80u);
    assert_int_equal(call1(&fx, "load16_u", 1, I32(16)), 0xff80);
    assert_true(call1(&fx, "load32_s", 1, I32(16)) == 0x7fff8001ull);
    assert_int_equal(call1(&fx, "load", 1, I32(65532)), 0);
    expect_trap(&fx, "load", BW_TRAP_MEMORY_OOB, 1, I32(65533));
    expect_trap(&fx, "load", BW_TRAP_MEMORY_OOB, 1, I32(0xffffffffu));
    expect_trap(&fx, "far", BW_TRAP_MEMORY_OOB, 1, I32(1));
    bw_value args[2] = {I32(3), I32(0x12345678)};
    assert_int_equal(call(&fx, "store16", args, 2, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "load", 1, I32(3)), 0x5678);
    args[0] = I32(65535);
    assert_int_equal(call(&fx, "store16", args, 2, NULL, 0), BW_ERR_TRAP);
    args[0] = I32(65528);
    args[1] = I64(0x0102030405060708ull);
    assert_int_equal(call(&fx, "store64", args, 2, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "load8_s", 1, I32(65535)), 1);
    assert_int_equal(call1(&fx, "size", 0), 1);
    assert_int_equal(call1(&fx, "grow", 1, I32(1)), 1);
    assert_int_equal(call1(&fx, "size", 0), 2);
    assert_int_equal(call1(&fx, "grow", 1, I32(2)), 0xffffffffu); /* past the maximum */
    assert_int_equal(call1(&fx, "load", 1, I32(65536 + 65532)), 0);
    unload(&fx);
}

/* Loads and stores whose i32.add address the translator folds in: the sum wraps to 32 bits
 * before the offset is added, as it would in a separate add. */
static void test_folded_addresses(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module (memory 1)\n"
         " (func (export \"load_ai\") (param i32) (result i32)\n"
         "   (i32.load offset=8 (i32.add (local.get 0) (i32.const -4))))\n"
         " (func (export \"load_ar\") (param i32 i32) (result i32)\n"
         "   (i32.load8_u offset=1 (i32.add (local.get 0) (local.get 1))))\n"
         " (func (export \"store_ai\") (param i32 i32)\n"
         "   (i32.store offset=4 (i32.add (local.get 0) (i32.const 8)) (local.get 1)))\n"
         " (func (export \"store_const\") (param i32 i32)\n"
         "   (i32.store8 (i32.add (local.get 0) (local.get 1)) (i32.const 0x7f)))\n"
         " (func (export \"store_tmp\") (param i32 i32)\n"
         "   (i64.store (i32.add (local.get 0) (i32.mul (local.get 1) (i32.const 8)))\n"
         "              (i64.extend_i32_u (local.get 1))))\n"
         " (func (export \"load64\") (param i32) (result i64) (i64.load (local.get 0)))\n"
         " (func (export \"shifts\") (param i32) (result i32)\n"
         "   (i32.xor (i32.shr_u (local.get 0) (i32.const 8))\n"
         "            (i32.and (i32.const 255) (i32.shl (local.get 0) (i32.const 36)))))\n"
         " (func (export \"count\") (param i32) (result i32) (local i32)\n"
         "   (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 1)))\n"
         "     (br_if $l (i32.le_u (local.get 1) (local.get 0)))) (local.get 1))\n"
         ")\n",
         NULL, NULL, 0);
    bw_value args[2] = {I32(100), I32(0xdeadbeef)};
    assert_int_equal(call(&fx, "store_ai", args, 2, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "load_ai", 1, I32(108)), 0xdeadbeef);
    assert_int_equal(call1(&fx, "load_ar", 2, I32(112), I32(1)), 0xad);
    /* 2 - 4 wraps to 0xfffffffe: out of bounds, not address 6. */
    expect_trap(&fx, "load_ai", BW_TRAP_MEMORY_OOB, 1, I32(2));
    expect_trap(&fx, "load_ar", BW_TRAP_MEMORY_OOB, 2, I32(0xffffffffu), I32(0xffffffffu));
    args[0] = I32(65534);
    args[1] = I32(1);
    assert_int_equal(call(&fx, "store_const", args, 2, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "load_ar", 2, I32(65534), I32(0)), 0x7f);
    args[0] = I32(65535);
    assert_int_equal(call(&fx, "store_const", args, 2, NULL, 0), BW_ERR_TRAP);
    args[0] = I32(1000);
    args[1] = I32(3);
    assert_int_equal(call(&fx, "store_tmp", args, 2, NULL, 0), BW_OK);
    assert_true(call1(&fx, "load64", 1, I32(1024)) == 3);
    assert_int_equal(call1(&fx, "shifts", 1, I32(0x12345678)), 0x123456u ^ 0x80u);
    assert_int_equal(call1(&fx, "count", 1, I32(41)), 42);
    unload(&fx);
}

static void test_memory_bulk(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module (memory 1)\n"
         " (data $d \"hello\")\n"
         " (func (export \"init\") (param i32 i32 i32)\n"
         "   (memory.init $d (local.get 0) (local.get 1) (local.get 2)))\n"
         " (func (export \"drop\") (data.drop $d))\n"
         " (func (export \"copy\") (param i32 i32 i32)\n"
         "   (memory.copy (local.get 0) (local.get 1) (local.get 2)))\n"
         " (func (export \"fill\") (param i32 i32 i32)\n"
         "   (memory.fill (local.get 0) (local.get 1) (local.get 2)))\n"
         " (func (export \"load8\") (param i32) (result i32) (i32.load8_u (local.get 0)))\n"
         ")\n",
         NULL, NULL, 0);
    bw_value a[3] = {I32(100), I32(1), I32(4)};
    assert_int_equal(call(&fx, "init", a, 3, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "load8", 1, I32(100)), 'e');
    a[1] = I32(2), a[2] = I32(4); /* past the segment's end */
    assert_int_equal(call(&fx, "init", a, 3, NULL, 0), BW_ERR_TRAP);
    assert_int_equal(fx.err.trap, BW_TRAP_MEMORY_OOB);
    a[0] = I32(101), a[1] = I32(100), a[2] = I32(4); /* overlapping copy */
    assert_int_equal(call(&fx, "copy", a, 3, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "load8", 1, I32(101)), 'e');
    assert_int_equal(call1(&fx, "load8", 1, I32(104)), 'o');
    a[0] = I32(65536), a[1] = I32(0), a[2] = I32(0); /* zero length at the end is fine */
    assert_int_equal(call(&fx, "copy", a, 3, NULL, 0), BW_OK);
    a[0] = I32(65535), a[1] = I32(0x1ff), a[2] = I32(2);
    assert_int_equal(call(&fx, "fill", a, 3, NULL, 0), BW_ERR_TRAP);
    a[2] = I32(1);
    assert_int_equal(call(&fx, "fill", a, 3, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "load8", 1, I32(65535)), 0xff);
    assert_int_equal(call(&fx, "drop", NULL, 0, NULL, 0), BW_OK);
    a[0] = I32(0), a[1] = I32(0), a[2] = I32(1);
    assert_int_equal(call(&fx, "init", a, 3, NULL, 0), BW_ERR_TRAP);
    a[2] = I32(0);
    assert_int_equal(call(&fx, "init", a, 3, NULL, 0), BW_OK);
    unload(&fx);
}

static void test_blocks_and_branches(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module\n"
         " (func (export \"switch\") (param i32) (result i32)\n"
         "   (block $d (block $2 (block $1 (block $0\n"
         "     (br_table $0 $1 $2 $d (local.get 0)))\n"
         "     (return (i32.const 100)))\n"
         "     (return (i32.const 101)))\n"
         "     (return (i32.const 102)))\n"
         "   (i32.const 103))\n"
         " (func (export \"table_value\") (param i32) (result i32)\n"
         "   (block $a (result i32) (block $b (result i32)\n"
         "     (br_table $a $b (i32.const 10) (local.get 0)))\n"
         "     (i32.add (i32.const 1))))\n"
         " (func (export \"sum\") (param i32) (result i32) (local i32)\n"
         "   (loop $l\n"
         "     (local.set 1 (i32.add (local.get 1) (local.get 0)))\n"
         "     (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))\n"
         "   (local.get 1))\n"
         " (func (export \"if\") (param i32) (result i32)\n"
         "   (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2))))\n"
         " (func (export \"br_if_value\") (param i32) (result i32)\n"
         "   (block (result i32) (drop (br_if 0 (i32.const 7) (local.get 0))) (i32.const 8)))\n"
         " (func (export \"select\") (param i32) (result i64)\n"
         "   (select (i64.const 3) (i64.const 4) (local.get 0)))\n"
         " (func (export \"unreachable\") (unreachable))\n"
         ")\n",
         NULL, NULL, 0);
    assert_int_equal(call1(&fx, "switch", 1, I32(0)), 100);
    assert_int_equal(call1(&fx, "switch", 1, I32(1)), 101);
    assert_int_equal(call1(&fx, "switch", 1, I32(2)), 102);
    assert_int_equal(call1(&fx, "switch", 1, I32(3)), 103);
    assert_int_equal(call1(&fx, "switch", 1, I32(0xffffffffu)), 103);
    assert_int_equal(call1(&fx, "table_value", 1, I32(0)), 10);
    assert_int_equal(call1(&fx, "table_value", 1, I32(7)), 11);
    assert_int_equal(call1(&fx, "sum", 1, I32(100)), 5050);
    assert_int_equal(call1(&fx, "if", 1, I32(5)), 1);
    assert_int_equal(call1(&fx, "if", 1, I32(0)), 2);
    assert_int_equal(call1(&fx, "br_if_value", 1, I32(1)), 7);
    assert_int_equal(call1(&fx, "br_if_value", 1, I32(0)), 8);
    assert_true(call1(&fx, "select", 1, I32(1)) == 3);
    assert_true(call1(&fx, "select", 1, I32(0)) == 4);
    expect_trap(&fx, "unreachable", BW_TRAP_UNREACHABLE, 0);
    unload(&fx);
}

/* Reads of a local folded into later instructions must see the value at the read. */
static void test_local_folding(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module\n"
         " (func (export \"set_after_get\") (param i32) (result i32)\n"
         "   (local.get 0) (local.set 0 (i32.const 5)) (local.get 0) (i32.sub))\n"
         " (func (export \"tee_after_get\") (param i32) (result i32)\n"
         "   (local.get 0) (local.tee 0 (i32.const 5)) (i32.sub))\n"
         " (func (export \"loop_carried\") (param i32) (result i32) (local i32)\n"
         "   (local.get 0)\n"
         "   (block (loop\n"
         "     (local.set 0 (i32.add (local.get 0) (i32.const 1)))\n"
         "     (br_if 1 (i32.ge_u (local.get 0) (i32.const 10)))\n"
         "     (br 0)))\n"
         "   (local.get 0) (i32.sub))\n"
         " (func (export \"swap\") (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))\n"
         " (func (export \"swap_call\") (result i32)\n"
         "   (call $swap2 (i32.const 1) (i32.const 2)) (i32.sub))\n"
         " (func $swap2 (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))\n"
         /* a branch lands between the compare and br_if: they must not fuse */
         " (func (export \"label_between\") (param i32) (result i32)\n"
         "   (block $out (block (result i32)\n"
         "       (drop (br_if 0 (i32.const 1) (local.get 0)))\n"
         "       (i32.lt_s (local.get 0) (i32.const -5)))\n"
         "     (br_if $out) (return (i32.const 10)))\n"
         "   (i32.const 20))\n"
         /* ... nor may the add write the local directly */
         " (func (export \"set_after_label\") (param i32) (result i32) (local i32)\n"
         "   (block (result i32) (drop (br_if 0 (i32.const 7) (local.get 0)))\n"
         "     (i32.add (local.get 0) (i32.const 100)))\n"
         "   (local.set 1) (local.get 1))\n"
         ")\n",
         NULL, NULL, 0);
    assert_int_equal(call1(&fx, "set_after_get", 1, I32(1)), (uint32_t)-4);
    assert_int_equal(call1(&fx, "tee_after_get", 1, I32(9)), 4);
    assert_int_equal(call1(&fx, "loop_carried", 1, I32(3)), (uint32_t)(3 - 10));
    bw_value args[2] = {I32(1), I32(2)}, res[2];
    assert_int_equal(call(&fx, "swap", args, 2, res, 2), BW_OK);
    assert_int_equal(res[0].of.i32, 2);
    assert_int_equal(res[1].of.i32, 1);
    assert_int_equal(call1(&fx, "swap_call", 0), 1);
    assert_int_equal(call1(&fx, "label_between", 1, I32(1)), 20);
    assert_int_equal(call1(&fx, "label_between", 1, I32(0)), 10);
    assert_int_equal(call1(&fx, "label_between", 1, I32((uint32_t)-9)), 20);
    assert_int_equal(call1(&fx, "set_after_label", 1, I32(1)), 7);
    assert_int_equal(call1(&fx, "set_after_label", 1, I32(0)), 100);
    unload(&fx);
}

static void test_multi_value(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module\n"
         " (func $pair (param i32) (result i32 i64)\n"
         "   (local.get 0) (i64.extend_i32_u (i32.mul (local.get 0) (i32.const 2))))\n"
         " (func (export \"pair\") (param i32) (result i32 i64) (call $pair (local.get 0)))\n"
         " (func (export \"block_params\") (result i32)\n"
         "   (i32.const 3) (i32.const 4)\n"
         "   (block (param i32 i32) (result i32) (i32.add)))\n"
         " (func (export \"loop_params\") (param i32) (result i32)\n"
         "   (i32.const 0) (local.get 0)\n"
         "   (loop $l (param i32 i32) (result i32)\n"
         "     (local.set 0) (local.get 0) (i32.add)\n"
         "     (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))\n"
         "     (br_if $l (local.get 0)) (drop)))\n"
         " (func (export \"if_params\") (param i32) (result i32 i32)\n"
         "   (i32.const 10) (i32.const 20) (local.get 0)\n"
         "   (if (param i32 i32) (result i32 i32) (then) (else (drop) (i32.const 30))))\n"
         ")\n",
         NULL, NULL, 0);
    bw_value args[1] = {I32(21)}, res[2];
    assert_int_equal(call(&fx, "pair", args, 1, res, 2), BW_OK);
    assert_int_equal(res[0].of.i32, 21);
    assert_true(res[1].of.i64 == 42);
    assert_int_equal(call1(&fx, "block_params", 0), 7);
    assert_int_equal(call1(&fx, "loop_params", 1, I32(4)), 10); /* 4+3+2+1 */
    args[0] = I32(1);
    assert_int_equal(call(&fx, "if_params", args, 1, res, 2), BW_OK);
    assert_int_equal(res[1].of.i32, 20);
    args[0] = I32(0);
    assert_int_equal(call(&fx, "if_params", args, 1, res, 2), BW_OK);
    assert_int_equal(res[0].of.i32, 10);
    assert_int_equal(res[1].of.i32, 30);
    unload(&fx);
}

static const char recursion_wat[] =
    "(module\n"
    " (func $fac (export \"fac\") (param i64) (result i64)\n"
    "   (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))\n"
    "     (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))\n"
    " (func $down (export \"down\") (param i32) (result i32)\n"
    "   (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))\n"
    "     (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))\n"
    " (func $forever (export \"forever\") (call $forever))\n"
    " (func $wide (export \"wide\") (param i64 i64 i64 i64 i64 i64 i64 i64) (result i64)\n"
    "   (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)\n"
    "   (call $wide (local.get 0) (local.get 1) (local.get 2) (local.get 3)\n"
    "     (local.get 4) (local.get 5) (local.get 6) (local.get 7)))\n"
    ")\n";

static void test_calls_and_recursion(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, recursion_wat, NULL, NULL, 0);
    assert_true(call1(&fx, "fac", 1, I64(20)) == 2432902008176640000ull);
    assert_int_equal(call1(&fx, "down", 1, I32(5000)), 5000);
    unload(&fx);
}

/* Unbounded recursion traps, by depth or by stack room, and the store stays usable. */
static void test_deep_recursion_traps(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, recursion_wat, NULL, NULL, 0);
    expect_trap(&fx, "forever", BW_TRAP_STACK_EXHAUSTED, 0);
    expect_trap(&fx, "down", BW_TRAP_STACK_EXHAUSTED, 1, I32(20000)); /* past 10000 frames */
    assert_int_equal(call1(&fx, "down", 1, I32(100)), 100);
    unload(&fx);

    bw_store_config small = {.max_stack_bytes = 64 * 1024, .max_call_depth = 1000000};
    load(&fx, recursion_wat, &small, NULL, 0);
    bw_value args[8];
    for (int i = 0; i < 8; i++) {
        args[i] = I64((uint64_t)i);
    }
    bw_value res[1];
    assert_int_equal(call(&fx, "wide", args, 8, res, 1), BW_ERR_TRAP);
    assert_int_equal(fx.err.trap, BW_TRAP_STACK_EXHAUSTED);
    assert_true(call1(&fx, "fac", 1, I64(5)) == 120);
    unload(&fx);
}

static void test_call_indirect(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module\n"
         " (type $unary (func (param i32) (result i32)))\n"
         " (type $nullary (func (result i32)))\n"
         " (table 4 funcref)\n"
         " (elem (i32.const 0) $inc $seven)\n"
         " (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))\n"
         " (func $seven (result i32) (i32.const 7))\n"
         " (func (export \"call\") (param i32 i32) (result i32)\n"
         "   (call_indirect (type $unary) (local.get 1) (local.get 0)))\n"
         ")\n",
         NULL, NULL, 0);
    assert_int_equal(call1(&fx, "call", 2, I32(0), I32(41)), 42);
    expect_trap(&fx, "call", BW_TRAP_INDIRECT_MISMATCH, 2, I32(1), I32(0));
    expect_trap(&fx, "call", BW_TRAP_UNINITIALIZED_ELEM, 2, I32(2), I32(0));
    expect_trap(&fx, "call", BW_TRAP_UNDEFINED_ELEMENT, 2, I32(4), I32(0));
    unload(&fx);
}

static void test_tables(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module\n"
         " (table $t 2 10 funcref)\n"
         " (table $e 1 externref)\n"
         " (elem $seg func $f $f)\n"
         " (func $f (result i32) (i32.const 5))\n"
         " (func (export \"grow\") (param i32) (result i32) (table.grow $t (ref.func $f) "
         "(local.get 0)))\n"
         " (func (export \"size\") (result i32) (table.size $t))\n"
         " (func (export \"is_null\") (param i32) (result i32) (ref.is_null (table.get $t "
         "(local.get 0))))\n"
         " (func (export \"fill\") (param i32 i32) (table.fill $t (local.get 0) (ref.null func) "
         "(local.get 1)))\n"
         " (func (export \"init\") (param i32 i32 i32) (table.init $t $seg (local.get 0) "
         "(local.get 1) (local.get 2)))\n"
         " (func (export \"copy\") (param i32 i32 i32) (table.copy $t $t (local.get 0) (local.get "
         "1) (local.get 2)))\n"
         " (func (export \"drop\") (elem.drop $seg))\n"
         " (func (export \"ext_null\") (result i32) (ref.is_null (table.get $e (i32.const 0))))\n"
         " (func (export \"set\") (param i32) (table.set $t (local.get 0) (ref.func $f)))\n"
         ")\n",
         NULL, NULL, 0);
    assert_int_equal(call1(&fx, "size", 0), 2);
    assert_int_equal(call1(&fx, "is_null", 1, I32(0)), 1);
    assert_int_equal(call1(&fx, "grow", 1, I32(3)), 2);
    assert_int_equal(call1(&fx, "size", 0), 5);
    assert_int_equal(call1(&fx, "is_null", 1, I32(4)), 0);
    assert_int_equal(call1(&fx, "grow", 1, I32(6)), 0xffffffffu);
    expect_trap(&fx, "is_null", BW_TRAP_TABLE_OOB, 1, I32(5));
    bw_value a[3] = {I32(1), I32(4)};
    assert_int_equal(call(&fx, "fill", a, 2, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "is_null", 1, I32(4)), 1);
    a[1] = I32(5);
    assert_int_equal(call(&fx, "fill", a, 2, NULL, 0), BW_ERR_TRAP);
    a[0] = I32(0), a[1] = I32(0), a[2] = I32(2);
    assert_int_equal(call(&fx, "init", a, 3, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "is_null", 1, I32(1)), 0);
    a[0] = I32(3), a[1] = I32(0), a[2] = I32(2);
    assert_int_equal(call(&fx, "copy", a, 3, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "is_null", 1, I32(4)), 0);
    a[0] = I32(4);
    assert_int_equal(call(&fx, "copy", a, 3, NULL, 0), BW_ERR_TRAP);
    assert_int_equal(call(&fx, "drop", NULL, 0, NULL, 0), BW_OK);
    a[0] = I32(0), a[1] = I32(0), a[2] = I32(1);
    assert_int_equal(call(&fx, "init", a, 3, NULL, 0), BW_ERR_TRAP);
    assert_int_equal(call1(&fx, "ext_null", 0), 1);
    a[0] = I32(2);
    assert_int_equal(call(&fx, "set", a, 1, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "is_null", 1, I32(2)), 0);
    unload(&fx);
}

static void test_interrupt(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module\n"
         " (func (export \"spin\") (loop $l (br $l)))\n"
         " (func (export \"spin_cmp\") (local i32)\n"
         "   (loop $l (br_if $l (i32.lt_u (local.get 0) (i32.const 5)))))\n"
         " (func (export \"spin_table\") (loop $l (br_table $l $l (i32.const 0))))\n"
         " (func $self (export \"spin_call\") (call $self))\n"
         " (func (export \"one\") (result i32) (i32.const 1))\n"
         ")\n",
         NULL, NULL, 0);
    bw_store_interrupt(fx.store);
    expect_trap(&fx, "spin", BW_TRAP_INTERRUPTED, 0);
    expect_trap(&fx, "spin_cmp", BW_TRAP_INTERRUPTED, 0);
    expect_trap(&fx, "spin_table", BW_TRAP_INTERRUPTED, 0);
    expect_trap(&fx, "spin_call", BW_TRAP_INTERRUPTED, 0);
    bw_store_clear_interrupt(fx.store);
    assert_int_equal(call1(&fx, "one", 0), 1);
    unload(&fx);
}

static bw_status host_add(bw_call_ctx *ctx, void *env, const bw_value *args, bw_value *results)
{
    (void)ctx;
    int *calls = env;
    (*calls)++;
    results[0] = I32(args[0].of.i32 + args[1].of.i32);
    return BW_OK;
}

static bw_status host_fail(bw_call_ctx *ctx, void *env, const bw_value *args, bw_value *results)
{
    (void)env, (void)args, (void)results;
    return bw_ctx_trap(ctx, "host says no");
}

/* Host calls back into Wasm: a nested bw_func_call on the same store. */
static bw_status host_reenter(bw_call_ctx *ctx, void *env, const bw_value *args, bw_value *results)
{
    bw_value arg = I32(args[0].of.i32 * 10);
    return bw_func_call(bw_ctx_store(ctx), *(bw_func **)env, &arg, 1, results, 1, NULL);
}

static void test_host_calls(void **state)
{
    (void)state;
    fixture fx;
    int calls = 0;
    bw_func *inner = NULL;
    bw_store_config defaults = {0};
    /* Host functions belong to the store the module is instantiated in: make it first. */
    size_t len;
    uint8_t *bytes = wat_to_wasm(
        "(module\n"
        " (import \"env\" \"add\" (func $add (param i32 i32) (result i32)))\n"
        " (import \"env\" \"fail\" (func $fail))\n"
        " (import \"env\" \"reenter\" (func $reenter (param i32) (result i32)))\n"
        " (func (export \"use_add\") (param i32) (result i32)\n"
        "   (i32.mul (call $add (local.get 0) (i32.const 1)) (i32.const 2)))\n"
        " (func (export \"use_fail\") (result i32) (call $fail) (i32.const 1))\n"
        " (func (export \"inc\") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))\n"
        " (func (export \"use_reenter\") (param i32) (result i32)\n"
        "   (i32.add (call $reenter (local.get 0)) (i32.const 1000)))\n"
        ")\n",
        &len);
    memset(&fx, 0, sizeof fx);
    assert_int_equal(bw_module_load(bytes, len, &fx.module, &fx.err), BW_OK);
    free(bytes);
    fx.store = bw_store_new(&defaults);
    static const uint8_t ii[] = {BW_I32, BW_I32}, i[] = {BW_I32};
    bw_extern imports[3];
    imports[0].kind = BW_EXTERN_FUNC;
    imports[0].of.func = bw_func_new_host(fx.store, ii, 2, i, 1, host_add, &calls);
    imports[1].kind = BW_EXTERN_FUNC;
    imports[1].of.func = bw_func_new_host(fx.store, NULL, 0, NULL, 0, host_fail, NULL);
    imports[2].kind = BW_EXTERN_FUNC;
    imports[2].of.func = bw_func_new_host(fx.store, i, 1, i, 1, host_reenter, &inner);
    assert_int_equal(bw_instantiate(fx.store, fx.module, imports, 3, &fx.instance, &fx.err), BW_OK);
    inner = export_func(&fx, "inc");
    assert_int_equal(call1(&fx, "use_add", 1, I32(20)), 42);
    assert_int_equal(calls, 1);
    bw_value res[1];
    assert_int_equal(call(&fx, "use_fail", NULL, 0, res, 1), BW_ERR_TRAP);
    assert_string_equal(fx.err.message, "host says no");
    assert_int_equal(call1(&fx, "use_reenter", 1, I32(4)), 1041);
    unload(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_access),       cmocka_unit_test(test_folded_addresses),
        cmocka_unit_test(test_memory_bulk),         cmocka_unit_test(test_blocks_and_branches),
        cmocka_unit_test(test_local_folding),       cmocka_unit_test(test_multi_value),
        cmocka_unit_test(test_calls_and_recursion), cmocka_unit_test(test_deep_recursion_traps),
        cmocka_unit_test(test_call_indirect),       cmocka_unit_test(test_tables),
        cmocka_unit_test(test_interrupt),           cmocka_unit_test(test_host_calls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
