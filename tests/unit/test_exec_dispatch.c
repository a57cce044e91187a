/* Tests of replicated dispatch: a jump back to a loop whose head is a short computation ending
 * in a br_table becomes a copy of that head; the copies compute, trap and poll interrupts as
 * the head does, and heads that are not such keep their jump. Also the fused fetch
 * (BR_TABLE_FETCH8) such heads are made of. */
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

/* Two-byte instructions {op, arg}: 0 halt (returns acc), 1 acc += arg, 2 if (--n) pc = arg,
 * 3 call the host's "stop". "run" fetches at 1024 + 2 pc (a byte load the br_table takes
 * in), "run_at" at $base + 2 pc (a load of its own before a plain br_table). */
#define INTERPRETER(name, params, fetch, arg)                                                      \
    " (func (export \"" name "\") (param $pc i32) (param $n i32) " params " (result i32)\n"        \
    "   (local $at i32) (local $acc i32)\n"                                                        \
    "   (loop $dispatch\n"                                                                         \
    "     (local.set $at (i32.shl (local.get $pc) (i32.const 1)))\n"                               \
    "     (local.set $pc (i32.add (local.get $pc) (i32.const 1)))\n"                               \
    "     (block $stop (block $jnz (block $add (block $halt\n"                                     \
    "       (br_table $halt $add $jnz $stop $halt " fetch "))\n"                                   \
    "     (return (local.get $acc)))\n"                                                            \
    "     (local.set $acc (i32.add (local.get $acc) " arg "))\n"                                   \
    "     (br $dispatch))\n"                                                                       \
    "     (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"                                 \
    "     (if (local.get $n) (then (local.set $pc " arg ")))\n"                                    \
    "     (br $dispatch))\n"                                                                       \
    "   (call $stop)\n"                                                                            \
    "   (br $dispatch))\n"                                                                         \
    "   (unreachable))\n"

static const char interp_data[] =
    "(module (import \"env\" \"stop\" (func $stop)) (memory 1)\n"
    /* At 1024: acc += 3; acc += 4; loop to 0 while --n; halt. At 1104 (pc 40 of "run"):
     * stop; acc += 1; loop to pc 41 while --n; the same at 1200 for "run_at" (to pc 1). At
     * 65532: acc += 5; acc += 6, then the fetch runs off the end. */
    " (data (i32.const 1024) \"\\01\\03\\01\\04\\02\\00\\00\\00\")\n"
    " (data (i32.const 1104) \"\\03\\00\\01\\01\\02\\29\\00\\00\")\n"
    " (data (i32.const 1200) \"\\03\\00\\01\\01\\02\\01\\00\\00\")\n"
    " (data (i32.const 65532) \"\\01\\05\\01\\06\")\n";

static const char run_wat[] = INTERPRETER("run", "", "(i32.load8_u offset=1024 (local.get $at))",
                                          "(i32.load8_u offset=1025 (local.get $at))");

static const char run_at_wat[] = INTERPRETER(
    "run_at", "(param $base i32)", "(i32.load8_u (i32.add (local.get $base) (local.get $at)))",
    "(i32.load8_u offset=1 (i32.add (local.get $base) (local.get $at)))");

static const char run_sum_wat[] =
    INTERPRETER("run_sum", "", "(i32.load8_u (i32.add (local.get $at) (i32.const 1024)))",
                "(i32.load8_u (i32.add (local.get $at) (i32.const 1025)))");

static const char others_wat[] =
    /* A branch lands on the step of pc: the flag's arm fetches the halt at 1030 instead. */
    " (func (export \"run_flag\") (param $pc i32) (param $n i32) (param $flag i32) (result i32)\n"
    "   (local $at i32) (local $acc i32)\n"
    "   (loop $dispatch\n"
    "     (if (local.get $flag) (then (local.set $at (i32.const 6)))\n"
    "       (else (local.set $at (i32.shl (local.get $pc) (i32.const 1)))))\n"
    "     (local.set $pc (i32.add (local.get $pc) (i32.const 1)))\n"
    "     (block $jnz (block $add (block $halt\n"
    "       (br_table $halt $add $jnz $halt (i32.load8_u offset=1024 (local.get $at))))\n"
    "     (return (local.get $acc)))\n"
    "     (local.set $acc (i32.add (local.get $acc) (i32.load8_u offset=1025 (local.get $at))))\n"
    "     (br $dispatch))\n"
    "     (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
    "     (if (local.get $n) (then (local.set $pc (i32.load8_u offset=1025 (local.get $at)))))\n"
    "     (br $dispatch))\n"
    "   (unreachable))\n"
    /* The head tests for the end before its br_table: it has a branch, so no copies. */
    " (func (export \"parity\") (param $n i32) (result i32) (local $k i32)\n"
    "   (block $out (loop $l\n"
    "     (br_if $out (i32.eqz (local.get $n)))\n"
    "     (block $odd (block $even\n"
    "       (br_table $even $odd (i32.and (local.get $n) (i32.const 1))))\n"
    "     (local.set $k (i32.add (local.get $k) (i32.const 2)))\n"
    "     (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
    "     (br $l))\n"
    "     (local.set $k (i32.add (local.get $k) (i32.const 1)))\n"
    "     (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
    "     (br $l)))\n"
    "   (local.get $k))\n"
    /* A head of five instructions before its br_table: too long to copy. */
    " (func (export \"long_head\") (param $n i32) (result i32) (local $k i32) (local $x i32)\n"
    "   (block $out (loop $l\n"
    "     (local.set $x (i32.xor (local.get $x) (local.get $n)))\n"
    "     (local.set $x (i32.mul (local.get $x) (i32.const 3)))\n"
    "     (local.set $x (i32.rotl (local.get $x) (i32.const 5)))\n"
    "     (local.set $k (i32.add (local.get $k) (i32.const 1)))\n"
    "     (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
    "     (block $more (br_table $more $out (i32.eqz (local.get $n))))\n"
    "     (br $l)))\n"
    "   (i32.add (local.get $k) (local.get $x)))\n"
    ")\n";

static uint32_t count_op(fixture *fx, const char *name, unsigned op)
{
    const struct bw_compiled_func *code = export_func(fx, name)->compiled;
    assert_non_null(code);
    const void *handler = bw_interp_handlers()[op];
    uint32_t n = 0;
    for (uint32_t i = 0; i < code->ncode; i++) {
        n += code->code[i].handler == handler;
    }
    return n;
}

/* The host function: counts its calls and asks the store to stop. */
static bw_status host_stop(bw_call_ctx *ctx, void *env, const bw_value *args, bw_value *results)
{
    (void)args, (void)results;
    (*(int *)env)++;
    bw_store_interrupt(bw_ctx_store(ctx));
    return BW_OK;
}

static void load_interp(fixture *fx, int *stops)
{
    size_t len;
    static char wat[16384];
    int used = snprintf(wat, sizeof wat, "%s%s%s%s%s", interp_data, run_wat, run_at_wat,
                        run_sum_wat, others_wat);
    assert_true(used > 0 && (size_t)used < sizeof wat);
    uint8_t *bytes = wat_to_wasm(wat, &len);
    memset(fx, 0, sizeof *fx);
    assert_int_equal(bw_module_load(bytes, len, &fx->module, &fx->err), BW_OK);
    free(bytes);
    bw_store_config defaults = {0};
    fx->store = bw_store_new(&defaults);
    assert_non_null(fx->store);
    bw_extern import;
    import.kind = BW_EXTERN_FUNC;
    import.of.func = bw_func_new_host(fx->store, NULL, 0, NULL, 0, host_stop, stops);
    assert_int_equal(bw_instantiate(fx->store, fx->module, &import, 1, &fx->instance, &fx->err),
                     BW_OK);
}

static void test_replicated_dispatch(void **state)
{
    (void)state;
    fixture fx;
    int stops = 0;
    load_interp(&fx, &stops);
    /* (3 + 4) * n; starting on the halt returns at once. */
    assert_int_equal(call1(&fx, "run", 2, I32(0), I32(5)), 35);
    assert_int_equal(call1(&fx, "run", 2, I32(3), I32(5)), 0);
    assert_int_equal(call1(&fx, "run_at", 3, I32(0), I32(4), I32(1024)), 28);
    /* Each handler's jump back is a copy of the head: add, jnz and stop; no BR_LOOP left.
     * The head itself, shift, step and byte dispatch, is one BR_TABLE_FETCH8. */
    assert_int_equal(count_op(&fx, "run", BW_OP_BR_TABLE_FETCH8), 4);
    assert_int_equal(count_op(&fx, "run", BW_OP_BR_TABLE_LOAD8), 0);
    assert_int_equal(count_op(&fx, "run", BW_OP_BR_LOOP), 0);
    assert_int_equal(call1(&fx, "run_sum", 2, I32(0), I32(6)), 42);
    assert_int_equal(count_op(&fx, "run_sum", BW_OP_BR_TABLE_FETCH8), 4);
    /* The shift wraps at 32 bits: pc 0x7FFFFE00 fetches at 0xFFFFFC00; plus 1024 as a
     * static offset that is past the end, as an added constant it wraps to 0 (a halt). pc
     * 0xFFFFFFFF steps to 0 and fetches at (u32)(0xFFFFFFFE + 1024), 1022: a halt too. */
    expect_trap(&fx, "run", BW_TRAP_MEMORY_OOB, 2, I32(0x7FFFFE00), I32(1));
    assert_int_equal(call1(&fx, "run_sum", 2, I32(0x7FFFFE00), I32(1)), 0);
    assert_int_equal(call1(&fx, "run_sum", 2, I32(0xFFFFFFFF), I32(1)), 0);
    assert_int_equal(call1(&fx, "run_flag", 3, I32(0), I32(5), I32(0)), 35);
    assert_int_equal(call1(&fx, "run_flag", 3, I32(0), I32(5), I32(1)), 0);
    assert_false(uses_op(&fx, "run_flag", BW_OP_BR_TABLE_FETCH8));
    assert_true(uses_op(&fx, "run_flag", BW_OP_BR_TABLE_LOAD8));
    assert_int_equal(count_op(&fx, "run_at", BW_OP_BR_TABLE), 4);
    assert_int_equal(count_op(&fx, "run_at", BW_OP_BR_LOOP), 0);
    /* The fetch in a copy traps past the end of the memory (after two adds at 65532). */
    expect_trap(&fx, "run_at", BW_TRAP_MEMORY_OOB, 3, I32(0), I32(1), I32(65532));
    /* The stop handler's host call asks for an interrupt: the copy after it must poll, or
     * the loop would run its million rounds and return. */
    expect_trap(&fx, "run", BW_TRAP_INTERRUPTED, 2, I32(40), I32(1000000));
    bw_store_clear_interrupt(fx.store);
    expect_trap(&fx, "run_at", BW_TRAP_INTERRUPTED, 3, I32(0), I32(1000000), I32(1200));
    bw_store_clear_interrupt(fx.store);
    assert_int_equal(stops, 2);
    /* Without the stop the same loop runs to its end: n - 1 rounds of acc += 1, then the
     * halt after the jnz (pc 42 for "run", 3 for "run_at"). */
    assert_int_equal(call1(&fx, "run", 2, I32(41), I32(1000)), 1000);
    assert_int_equal(call1(&fx, "run_at", 3, I32(1), I32(1000), I32(1200)), 1000);
    /* n = 5: odd, even, odd, even, odd. */
    assert_int_equal(call1(&fx, "parity", 1, I32(5)), 7);
    assert_true(uses_op(&fx, "parity", BW_OP_BR_LOOP));
    uint32_t x = 0, k = 0;
    for (uint32_t n = 4; n > 0; n--) {
        x = ((x ^ n) * 3u);
        x = (x << 5) | (x >> 27);
        k++;
    }
    assert_int_equal(call1(&fx, "long_head", 1, I32(4)), k + x);
    assert_true(uses_op(&fx, "long_head", BW_OP_BR_LOOP));
    unload(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replicated_dispatch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
