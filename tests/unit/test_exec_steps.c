/* Tests of session 4's loop-step forms: the strided byte fill fused with its counter test
 * (BR_FILL_<cmp>), the f64 product store taking in its address add (..._MUL3_STORE_AT) and
 * the mixed pair of steps (I32_ADD_ADD_IMM): each is emitted where expected and behaves as the
 * separate instructions, traps, wrap-around, aliased cells and branch targets included. */
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

static const char *const compare_names[] = {"eq",   "ne",   "lt_s", "lt_u", "gt_s",
                                            "gt_u", "le_s", "le_u", "ge_s", "ge_u"};

#define FILL_LIMIT 100u /* the constant every fill_<cmp> compares its counter with */

/* fill_<cmp>: sieve's inner loop, the byte 0xFF (the low byte of 0x1FF) at $p, $p + $s, ..
 * while the counter $j, stepped by $s too, <cmp> 100; returns $j. Then the helpers and the
 * forms that must not fuse. */
static void fill_wat(char *wat, size_t cap)
{
    size_t used = (size_t)snprintf(
        wat, cap,
        "(module (memory 1)\n"
        " (func (export \"get\") (param i32) (result i32) (i32.load8_u (local.get 0)))\n"
        " (func (export \"clear\") (memory.fill (i32.const 0) (i32.const 0) (i32.const 65536)))\n"
        /* Sum of byte * (address + 1) over the memory: what the shadow copy must match. */
        " (func (export \"digest\") (result i32) (local $i i32) (local $sum i32)\n"
        "   (loop $next\n"
        "     (local.set $sum (i32.add (local.get $sum)\n"
        "       (i32.mul (i32.load8_u (local.get $i)) (i32.add (local.get $i) (i32.const 1)))))\n"
        "     (br_if $next (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1)))\n"
        "                          (i32.const 65536))))\n"
        "   (local.get $sum))\n"
        /* The step cell is the pointer itself: $p doubles, then $j grows by the new $p. */
        " (func (export \"fill_double\") (param $p i32) (param $j i32) (result i32)\n"
        "   (loop $next\n"
        "     (i32.store8 (local.get $p) (i32.const 7))\n"
        "     (local.set $p (i32.add (local.get $p) (local.get $p)))\n"
        "     (br_if $next (i32.lt_u (local.tee $j (i32.add (local.get $j) (local.get $p)))\n"
        "                            (i32.const 5000))))\n"
        "   (local.get $j))\n"
        /* A branch lands on the counter step (the then arm skips the store). */
        " (func (export \"fill_label\") (param $p i32) (param $s i32) (param $skip i32)\n"
        "   (result i32) (local $j i32)\n"
        "   (loop $next\n"
        "     (if (local.get $skip)\n"
        "       (then (local.set $p (i32.add (local.get $p) (i32.const 1))))\n"
        "       (else (i32.store8 (local.get $p) (i32.const 1))\n"
        "             (local.set $p (i32.add (local.get $p) (local.get $s)))))\n"
        "     (br_if $next (i32.lt_u (local.tee $j (i32.add (local.get $j) (local.get $s)))\n"
        "                            (i32.const 12))))\n"
        "   (local.get $p))\n"
        /* The counter steps by another cell than the pointer: not fused. */
        " (func (export \"fill_two_steps\") (param $p i32) (param $s i32) (param $t i32)\n"
        "   (result i32) (local $j i32)\n"
        "   (loop $next\n"
        "     (i32.store8 (local.get $p) (i32.const 1))\n"
        "     (local.set $p (i32.add (local.get $p) (local.get $s)))\n"
        "     (br_if $next (i32.lt_u (local.tee $j (i32.add (local.get $j) (local.get $t)))\n"
        "                            (i32.const 10))))\n"
        "   (local.get $p))\n");
    for (unsigned i = 0; i < 10; i++) {
        used += (size_t)snprintf(
            wat + used, cap - used,
            " (func (export \"fill_%s\") (param $p i32) (param $s i32) (param $j i32) (result "
            "i32)\n"
            "   (loop $next\n"
            "     (i32.store8 (local.get $p) (i32.const 0x1FF))\n"
            "     (local.set $p (i32.add (local.get $p) (local.get $s)))\n"
            "     (br_if $next (i32.%s (local.tee $j (i32.add (local.get $j) (local.get $s)))\n"
            "                         (i32.const %u))))\n"
            "   (local.get $j))\n",
            compare_names[i], compare_names[i], FILL_LIMIT);
    }
    assert_true(used + 2 < cap);
    snprintf(wat + used, cap - used, ")\n");
}

static bool compare_holds(unsigned i, uint32_t ux, uint32_t uy)
{
    int32_t x = (int32_t)ux, y = (int32_t)uy;
    bool holds[] = {x == y, x != y, x<y, ux<uy, x> y, ux> uy, x <= y, ux <= uy, x >= y, ux >= uy};
    return holds[i];
}

/* The fill as the separate instructions run it, on `shadow`: false when it does not end
 * within 64 steps; *trapped when a store falls past the 64 KiB memory. */
static bool simulate_fill(unsigned cmp, uint32_t p, uint32_t s, uint32_t *j, uint8_t *shadow,
                          bool *trapped)
{
    *trapped = false;
    for (int n = 0; n < 64; n++) {
        if (p >= 65536) {
            *trapped = true;
            return true;
        }
        shadow[p] = 0xFF;
        p += s;
        *j += s;
        if (!compare_holds(cmp, *j, FILL_LIMIT)) {
            return true;
        }
    }
    return false;
}

static uint32_t digest_of(const uint8_t *shadow)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i < 65536; i++) {
        sum += shadow[i] * (i + 1);
    }
    return sum;
}

static void check_fill(fixture *fx, unsigned cmp, uint32_t p, uint32_t s, uint32_t j,
                       uint8_t *shadow)
{
    char name[16];
    snprintf(name, sizeof name, "fill_%s", compare_names[cmp]);
    memset(shadow, 0, 65536);
    uint32_t want = j;
    bool trapped;
    if (!simulate_fill(cmp, p, s, &want, shadow, &trapped)) {
        return; /* would run on: not a case to try */
    }
    assert_int_equal(call(fx, "clear", NULL, 0, NULL, 0), BW_OK);
    if (trapped) {
        expect_trap(fx, name, BW_TRAP_MEMORY_OOB, 3, I32(p), I32(s), I32(j));
    } else {
        assert_int_equal(call1(fx, name, 3, I32(p), I32(s), I32(j)), want);
    }
    assert_int_equal(call1(fx, "digest", 0), digest_of(shadow));
}

static void test_fill_steps(void **state)
{
    (void)state;
    static char wat[16384];
    static uint8_t shadow[65536];
    fill_wat(wat, sizeof wat);
    fixture fx;
    load(&fx, wat, NULL, NULL, 0);
    /* Counters on both sides of 100, signed and unsigned; steps up, down, and one that wraps
     * the pointer past 2^32 back into the memory (65535 + 0xFFFF0003 is 2). */
    const uint32_t js[] = {0, 90, 99, 100, 101, 120, 0xFFFFFFF0u, 0x7FFFFFF0u};
    const uint32_t ss[] = {1, 3, 7, 0xFFFFFFFDu, 0xFFFF0003u, 0x40000000u};
    const uint32_t ps[] = {1000, 65535, 65534};
    for (unsigned cmp = 0; cmp < 10; cmp++) {
        for (size_t a = 0; a < sizeof js / sizeof js[0]; a++) {
            for (size_t b = 0; b < sizeof ss / sizeof ss[0]; b++) {
                for (size_t c = 0; c < sizeof ps / sizeof ps[0]; c++) {
                    check_fill(&fx, cmp, ps[c], ss[b], js[a], shadow);
                }
            }
        }
        char name[16];
        snprintf(name, sizeof name, "fill_%s", compare_names[cmp]);
        assert_true(uses_op(&fx, name, BW_OP_BR_FILL_EQ + cmp));
        assert_false(uses_op(&fx, name, BW_OP_I32_STORE8_K_BUMP));
    }
    /* The first store out of bounds: a trap, nothing written. */
    assert_int_equal(call(&fx, "clear", NULL, 0, NULL, 0), BW_OK);
    expect_trap(&fx, "fill_lt_u", BW_TRAP_MEMORY_OOB, 3, I32(65536), I32(1), I32(0));
    assert_int_equal(call1(&fx, "digest", 0), 0);

    /* p doubles: 3, 6, 12 .. ; j = 6 + 12 + .. until it reaches 5000. */
    assert_int_equal(call(&fx, "clear", NULL, 0, NULL, 0), BW_OK);
    uint32_t p = 3, j = 0;
    memset(shadow, 0, sizeof shadow);
    do {
        shadow[p] = 7;
        p += p;
        j += p;
    } while (j < 5000);
    assert_int_equal(call1(&fx, "fill_double", 2, I32(3), I32(0)), j);
    assert_int_equal(call1(&fx, "digest", 0), digest_of(shadow));
    assert_true(uses_op(&fx, "fill_double", BW_OP_BR_FILL_LT_U));

    /* 12 / 4 = 3 rounds: skipping moves p by 1 a round, filling by 4. */
    assert_int_equal(call1(&fx, "fill_label", 3, I32(200), I32(4), I32(1)), 203);
    assert_int_equal(call1(&fx, "fill_label", 3, I32(200), I32(4), I32(0)), 212);
    assert_int_equal(call1(&fx, "get", 1, I32(208)), 1);
    assert_false(uses_op(&fx, "fill_label", BW_OP_BR_FILL_LT_U));
    assert_int_equal(call1(&fx, "fill_two_steps", 3, I32(300), I32(5), I32(2)), 325);
    assert_false(uses_op(&fx, "fill_two_steps", BW_OP_BR_FILL_LT_U));
    assert_true(uses_op(&fx, "fill_two_steps", BW_OP_I32_STORE8_K_BUMP));
    unload(&fx);
}

static const char kick_wat[] =
    "(module (memory 1)\n"
    " (func (export \"put\") (param i32 f64) (f64.store (local.get 0) (local.get 1)))\n"
    " (func (export \"get\") (param i32) (result f64) (f64.load (local.get 0)))\n"
    /* n-body's v[j] += d * m * mag through a scratch local; returns the local. */
    " (func (export \"kick\") (param $p i32) (param $a f64) (param $b f64) (param $c f64)\n"
    "   (result i32) (local $t i32)\n"
    "   (f64.store (local.tee $t (i32.add (local.get $p) (i32.const -24)))\n"
    "     (f64.add (f64.mul (f64.mul (local.get $a) (local.get $b)) (local.get $c))\n"
    "              (f64.load (local.get $t))))\n"
    "   (local.get $t))\n"
    /* v[i] -= d * m * mag the same way. */
    " (func (export \"drag\") (param $p i32) (param $a f64) (param $b f64) (param $c f64)\n"
    "   (result i32) (local $t i32)\n"
    "   (f64.store (local.tee $t (i32.add (local.get $p) (i32.const 16)))\n"
    "     (f64.sub (f64.load (local.get $t))\n"
    "              (f64.mul (f64.mul (local.get $a) (local.get $b)) (local.get $c))))\n"
    "   (local.get $t))\n"
    /* A branch lands right after the add (the then arm sets the local another way). */
    " (func (export \"kick_label\") (param $p i32) (param $a f64) (param $b f64) (param $c f64)\n"
    "   (param $other i32) (result i32) (local $t i32)\n"
    "   (if (local.get $other)\n"
    "     (then (local.set $t (local.get $p)))\n"
    "     (else (local.set $t (i32.add (local.get $p) (i32.const -24)))))\n"
    "   (f64.store (local.get $t)\n"
    "     (f64.add (f64.mul (f64.mul (local.get $a) (local.get $b)) (local.get $c))\n"
    "              (f64.load (local.get $t))))\n"
    "   (local.get $t))\n"
    ")\n";

static bw_status product(fixture *fx, const char *name, uint32_t p, double a, double b, double c,
                         uint32_t *local)
{
    bw_value args[4] = {I32(p), F64(f64_bits(a)), F64(f64_bits(b)), F64(f64_bits(c))}, res[1];
    bw_status status = call(fx, name, args, 4, res, 1);
    *local = res[0].of.i32;
    return status;
}

static void test_store_address(void **state)
{
    (void)state;
    fixture fx;
    uint32_t t;
    load(&fx, kick_wat, NULL, NULL, 0);
    put(&fx, 76, 0.5);
    assert_int_equal(product(&fx, "kick", 100, 2.0, 3.0, 0.25, &t), BW_OK);
    assert_int_equal(t, 76); /* the local is still written */
    assert_true(get(&fx, 76) == 2.0);
    assert_true(uses_op(&fx, "kick", BW_OP_F64_ADD_MUL3_STORE_AT));
    put(&fx, 116, 10.0);
    assert_int_equal(product(&fx, "drag", 100, 2.0, 3.0, 0.25, &t), BW_OK);
    assert_int_equal(t, 116);
    assert_true(get(&fx, 116) == 8.5);
    assert_true(uses_op(&fx, "drag", BW_OP_F64_SUB_MUL3_STORE_AT));
    /* Three roundings, never a fused multiply-add: (1 + e)(1 - e) rounds to 1 first. */
    double e = ldexp(1.0, -30);
    put(&fx, 76, -1.0);
    assert_int_equal(product(&fx, "kick", 100, 1 + e, 1 - e, 1.0, &t), BW_OK);
    assert_true(get(&fx, 76) == 0.0);
    /* The add wraps at 32 bits: 0xFFFFFFF8 + 16 is 8; 20 - 24 is far past the end. */
    put(&fx, 8, 1.0);
    assert_int_equal(product(&fx, "drag", 0xFFFFFFF8u, 1.0, 1.0, 1.0, &t), BW_OK);
    assert_int_equal(t, 8);
    assert_true(get(&fx, 8) == 0.0);
    assert_int_equal(product(&fx, "kick", 20, 1.0, 1.0, 1.0, &t), BW_ERR_TRAP);
    assert_int_equal(fx.err.trap, BW_TRAP_MEMORY_OOB);
    /* The last f64 of the memory is in bounds; one byte further straddles the end: a trap,
     * and nothing written. */
    put(&fx, 65528, 1.0);
    assert_int_equal(product(&fx, "kick", 65552, 1.0, 1.0, 2.0, &t), BW_OK);
    assert_true(get(&fx, 65528) == 3.0);
    assert_int_equal(product(&fx, "kick", 65553, 1.0, 1.0, 2.0, &t), BW_ERR_TRAP);
    assert_int_equal(fx.err.trap, BW_TRAP_MEMORY_OOB);
    assert_true(get(&fx, 65528) == 3.0);
    /* NaN in, NaN out. */
    assert_int_equal(product(&fx, "kick", 100, NAN, 1.0, 1.0, &t), BW_OK);
    assert_true(isnan(get(&fx, 76)));

    bw_value res[1];
    for (uint32_t other = 0; other < 2; other++) {
        bw_value args[5] = {I32(300), F64(f64_bits(1.0)), F64(f64_bits(2.0)), F64(f64_bits(3.0)),
                            I32(other)};
        put(&fx, 276, 1.0);
        put(&fx, 300, 1.0);
        assert_int_equal(call(&fx, "kick_label", args, 5, res, 1), BW_OK);
        assert_int_equal(res[0].of.i32, other ? 300 : 276);
        assert_true(get(&fx, other ? 300 : 276) == 7.0);
        assert_true(get(&fx, other ? 276 : 300) == 1.0);
    }
    assert_false(uses_op(&fx, "kick_label", BW_OP_F64_ADD_MUL3_STORE_AT));
    unload(&fx);
}

static const char steps_wat[] =
    "(module\n"
    /* Sieve's i * i by differences: sq += odd, odd += 2 (one I32_ADD_ADD_IMM), and a sum. */
    " (func (export \"squares\") (param $n i32) (result i32)\n"
    "   (local $i i32) (local $sq i32) (local $odd i32) (local $sum i32)\n"
    "   (local.set $odd (i32.const 1))\n"
    "   (loop $next\n"
    "     (local.set $sq (i32.add (local.get $sq) (local.get $odd)))\n"
    "     (local.set $odd (i32.add (local.get $odd) (i32.const 2)))\n"
    "     (local.set $sum (i32.add (local.get $sum) (local.get $sq)))\n"
    "     (br_if $next (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1)))\n"
    "                          (local.get $n))))\n"
    "   (local.get $sum))\n"
    /* The second step reads what the first wrote. */
    " (func (export \"chained\") (param $x i32) (param $y i32) (result i32)\n"
    "   (local.set $x (i32.add (local.get $x) (local.get $y)))\n"
    "   (local.set $y (i32.add (local.get $x) (i32.const 5)))\n"
    "   (i32.add (i32.mul (local.get $x) (i32.const 1000)) (local.get $y)))\n"
    /* A branch lands on the second step. */
    " (func (export \"steps_label\") (param $x i32) (param $y i32) (param $f i32) (result i32)\n"
    "   (if (local.get $f) (then (local.set $x (i32.const 100)))\n"
    "     (else (local.set $x (i32.add (local.get $x) (local.get $y)))))\n"
    "   (local.set $y (i32.add (local.get $y) (i32.const 7)))\n"
    "   (i32.add (i32.mul (local.get $x) (i32.const 1000)) (local.get $y)))\n"
    /* The loop's branch tests the second step. */
    " (func (export \"tested\") (param $x i32) (param $y i32) (result i32)\n"
    "   (loop $l\n"
    "     (local.set $x (i32.add (local.get $x) (local.get $y)))\n"
    "     (br_if $l (i32.lt_u (local.tee $y (i32.add (local.get $y) (i32.const 1)))\n"
    "                         (i32.const 10))))\n"
    "   (i32.add (i32.mul (local.get $x) (i32.const 1000)) (local.get $y)))\n"
    ")\n";

static void test_mixed_steps(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, steps_wat, NULL, NULL, 0);
    uint32_t sq = 0, odd = 1, sum = 0;
    for (uint32_t i = 0; i < 5000; i++) { /* the squares wrap at 32 bits */
        sq += odd;
        odd += 2;
        sum += sq;
    }
    assert_int_equal(call1(&fx, "squares", 1, I32(5000)), sum);
    assert_true(uses_op(&fx, "squares", BW_OP_I32_ADD_ADD_IMM));
    /* x = 0xFFFFFFFF + 2 = 1, then y = 1 + 5. */
    assert_int_equal(call1(&fx, "chained", 2, I32(0xFFFFFFFF), I32(2)), 1006);
    assert_int_equal(call1(&fx, "chained", 2, I32(3), I32(4)), 7012);
    assert_true(uses_op(&fx, "chained", BW_OP_I32_ADD_ADD_IMM));
    assert_int_equal(call1(&fx, "steps_label", 3, I32(3), I32(4), I32(0)), 7011);
    assert_int_equal(call1(&fx, "steps_label", 3, I32(3), I32(4), I32(1)), 100011);
    assert_false(uses_op(&fx, "steps_label", BW_OP_I32_ADD_ADD_IMM));
    /* x = 0 + 1 + .. + 9 with y from 1 to 10. */
    assert_int_equal(call1(&fx, "tested", 2, I32(0), I32(1)), 45010);
    assert_int_equal(call1(&fx, "tested", 2, I32(0), I32(20)), 20021);
    unload(&fx);
}

/* Compares of BR_MOV: the ten on cells, then the constant forms (k < 10) and the two left
 * out (k 10 and 11: le_s, le_u against a constant). */
static const char *const move_compares[] = {"eq",   "ne",   "lt_s", "lt_u", "gt_s",
                                            "gt_u", "le_s", "le_u", "ge_s", "ge_u"};
static const unsigned constant_compares[] = {0, 1, 2, 3, 4, 5, 0, 0, 6, 7}; /* le: none */

/* mv_<cmp>: x += 3 and y = x (a MOV) until y <cmp> z fails; returns rounds * 1000 + y.
 * mvk_<cmp>: the same against the constant 100; mv_eqz tests y == 0. */
static void move_wat(char *wat, size_t cap)
{
    static const char loop[] =
        "   (local $n i32)\n"
        "   (loop $l\n"
        "     (local.set $n (i32.add (local.get $n) (i32.const 1)))\n"
        "     (local.set $x (i32.add (local.get $x) (i32.const 3)))\n"
        "     (local.set $y (local.get $x))\n"
        "     (br_if $l %s))\n"
        "   (i32.add (i32.mul (local.get $n) (i32.const 1000)) (local.get $y)))\n";
    size_t used = (size_t)snprintf(
        wat, cap,
        "(module\n"
        /* A branch lands on the compare: the then arm sets y without the move. */
        " (func (export \"mv_label\") (param $x i32) (param $f i32) (result i32) (local $y i32)\n"
        "   (block $out\n"
        "     (if (local.get $f) (then (local.set $y (i32.const 7)))\n"
        "       (else (local.set $y (local.get $x))))\n"
        "     (br_if $out (i32.gt_u (local.get $y) (i32.const 5)))\n"
        "     (return (i32.const 1)))\n"
        "   (i32.const 2))\n");
    for (unsigned k = 0; k < 21; k++) {
        char test[96], head[64];
        const char *name = move_compares[k % 10];
        if (k < 10) {
            snprintf(head, sizeof head, "mv_%s", name);
            snprintf(test, sizeof test, "(i32.%s (local.get $y) (local.get $z))", name);
        } else if (k < 20) {
            snprintf(head, sizeof head, "mvk_%s", name);
            snprintf(test, sizeof test, "(i32.%s (local.get $y) (i32.const 100))", name);
        } else {
            snprintf(head, sizeof head, "mv_eqz");
            snprintf(test, sizeof test, "(i32.eqz (local.get $y))");
        }
        used += (size_t)snprintf(wat + used, cap - used,
                                 " (func (export \"%s\") (param $x i32) (param $y i32) (param $z "
                                 "i32) (result i32)\n",
                                 head);
        used += (size_t)snprintf(wat + used, cap - used, loop, test);
    }
    assert_true(used + 2 < cap);
    snprintf(wat + used, cap - used, ")\n");
}

/* The loop of move_wat as the separate instructions run it; false when it would run on. */
static bool simulate_move(unsigned cmp, uint32_t x, uint32_t z, uint32_t *out)
{
    uint32_t y = 0;
    for (uint32_t n = 1; n <= 64; n++) {
        x += 3;
        y = x;
        if (!compare_holds(cmp, y, z)) {
            *out = n * 1000 + y;
            return true;
        }
    }
    return false;
}

static void test_move_branch(void **state)
{
    (void)state;
    static char wat[16384];
    move_wat(wat, sizeof wat);
    fixture fx;
    load(&fx, wat, NULL, NULL, 0);
    const uint32_t xs[] = {0, 90, 97, 99, 100, 0xFFFFFFF0u, 0x7FFFFFF0u, 0x80000000u};
    for (unsigned k = 0; k < 20; k++) {
        unsigned cmp = k % 10;
        char name[16];
        snprintf(name, sizeof name, k < 10 ? "mv_%s" : "mvk_%s", move_compares[cmp]);
        for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
            for (size_t j = 0; j < sizeof xs / sizeof xs[0]; j++) {
                uint32_t z = k < 10 ? xs[j] : 100, want;
                if (simulate_move(cmp, xs[i], z, &want)) {
                    assert_int_equal(call1(&fx, name, 3, I32(xs[i]), I32(0), I32(z)), want);
                }
            }
        }
        bool fused = k < 10 || (cmp != 6 && cmp != 7); /* no constant le_s, le_u */
        if (fused) {
            assert_true(uses_op(&fx, name,
                                k < 10 ? BW_OP_BR_MOV_EQ + cmp
                                       : BW_OP_BR_MOV_EQ_IMM + constant_compares[cmp]));
        }
        assert_int_equal(uses_op(&fx, name, BW_OP_MOV), !fused);
    }
    /* The loop goes on while y is 0: from x = -3, y is 0 then 3. */
    assert_int_equal(call1(&fx, "mv_eqz", 3, I32(0xFFFFFFFDu), I32(5), I32(0)), 2003);
    assert_int_equal(call1(&fx, "mv_eqz", 3, I32(5), I32(5), I32(0)), 1008);
    assert_true(uses_op(&fx, "mv_eqz", BW_OP_BR_MOV_EQ_IMM));
    assert_int_equal(call1(&fx, "mv_label", 2, I32(9), I32(0)), 2);
    assert_int_equal(call1(&fx, "mv_label", 2, I32(3), I32(0)), 1);
    assert_int_equal(call1(&fx, "mv_label", 2, I32(3), I32(1)), 2);
    assert_true(uses_op(&fx, "mv_label", BW_OP_MOV));
    unload(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fill_steps),
        cmocka_unit_test(test_store_address),
        cmocka_unit_test(test_mixed_steps),
        cmocka_unit_test(test_move_branch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
