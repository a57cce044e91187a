/* Tests of the three-in-one forms (ops.h BW_OPS_TRIPLES) and of calls within an instance: each is
 * emitted where expected, computes what the separate instructions did, and is not formed across
 * a branch target. */
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

static uint32_t rotl32(uint32_t x, unsigned k)
{
    k &= 31;
    return k == 0 ? x : (x << k) | (x >> (32 - k));
}

static const char sigma_wat[] =
    "(module\n"
    " (func (export \"big_sigma\") (param i32) (result i32)\n"
    "   (i32.xor (i32.xor (i32.rotl (local.get 0) (i32.const 30))\n"
    "                     (i32.rotl (local.get 0) (i32.const 51)))\n"
    "            (i32.rotl (local.get 0) (i32.const 0))))\n"
    " (func (export \"small_sigma\") (param i32) (result i32)\n"
    "   (i32.xor (i32.xor (i32.rotl (local.get 0) (i32.const 25))\n"
    "                     (i32.rotl (local.get 0) (i32.const 14)))\n"
    "            (i32.shr_u (local.get 0) (i32.const 35))))\n"
    " (func (export \"add_big\") (param i32 i32) (result i32)\n"
    "   (i32.add (local.get 1)\n"
    "     (i32.xor (i32.xor (i32.rotl (local.get 0) (i32.const 26))\n"
    "                       (i32.rotl (local.get 0) (i32.const 21)))\n"
    "              (i32.rotl (local.get 0) (i32.const 7)))))\n"
    " (func (export \"add_small\") (param i32 i32) (result i32)\n"
    "   (i32.add (i32.xor (i32.xor (i32.rotl (local.get 0) (i32.const 15))\n"
    "                              (i32.rotl (local.get 0) (i32.const 13)))\n"
    "                     (i32.shr_u (local.get 0) (i32.const 10)))\n"
    "            (local.get 1)))\n"
    " (func (export \"big_and\") (param i32 i32 i32) (result i32)\n"
    "   (i32.add (i32.xor (i32.xor (i32.rotl (local.get 0) (i32.const 26))\n"
    "                              (i32.rotl (local.get 0) (i32.const 21)))\n"
    "                     (i32.rotl (local.get 0) (i32.const 7)))\n"
    "            (i32.and (local.get 1) (local.get 2))))\n"
    " (func (export \"and_not\") (param i32 i32 i32) (result i32)\n"
    "   (i32.add (local.get 2) (i32.and (local.get 1) (i32.xor (local.get 0) (i32.const -1)))))\n"
    " (func (export \"maj\") (param i32 i32 i32) (result i32)\n"
    "   (i32.xor (i32.and (i32.xor (local.get 0) (local.get 1)) (local.get 2))\n"
    "            (i32.and (local.get 1) (local.get 0))))\n"
    /* The last and is of other cells than the first xor: not a majority. */
    " (func (export \"not_maj\") (param i32 i32 i32) (result i32)\n"
    "   (i32.xor (i32.and (i32.xor (local.get 0) (local.get 1)) (local.get 2))\n"
    "            (i32.and (local.get 2) (local.get 0))))\n"
    " (func (export \"xor_shr\") (param i32 i32) (result i32)\n"
    "   (i32.xor (local.get 1) (i32.shr_u (local.get 0) (i32.const 3))))\n"
    /* Rotations of different cells do not fold. */
    " (func (export \"two_cells\") (param i32 i32) (result i32)\n"
    "   (i32.xor (i32.rotl (local.get 0) (i32.const 3)) (i32.rotl (local.get 1) (i32.const 5))))\n"
    /* A branch lands between the two rotations, carrying x itself as the block's value: the
     * pair must stay two instructions. */
    " (func (export \"label_between\") (param i32 i32) (result i32)\n"
    "   (i32.xor (block (result i32)\n"
    "              (drop (br_if 0 (local.get 0) (local.get 1)))\n"
    "              (i32.rotl (local.get 0) (i32.const 30)))\n"
    "            (i32.rotl (local.get 0) (i32.const 19))))\n"
    ")\n";

static void test_sigma_forms(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, sigma_wat, NULL, NULL, 0);
    const uint32_t xs[] = {0, 1, 0x80000000, 0x6A09E667, 0xFFFFFFFF, 0x510E527F};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        uint32_t x = xs[i], y = 0xC0FFEE00u + (uint32_t)i, z = 0x0F0F1234u ^ x;
        /* Counts are taken mod 32 (51 is 19, 35 is 3), a count of 0 leaves x. */
        assert_int_equal(call1(&fx, "big_sigma", 1, I32(x)), rotl32(x, 30) ^ rotl32(x, 19) ^ x);
        assert_int_equal(call1(&fx, "small_sigma", 1, I32(x)),
                         rotl32(x, 25) ^ rotl32(x, 14) ^ (x >> 3));
        /* Sums wrap at 32 bits. */
        assert_int_equal(call1(&fx, "add_big", 2, I32(x), I32(y)),
                         (uint32_t)(y + (rotl32(x, 26) ^ rotl32(x, 21) ^ rotl32(x, 7))));
        assert_int_equal(call1(&fx, "add_small", 2, I32(x), I32(y)),
                         (uint32_t)((rotl32(x, 15) ^ rotl32(x, 13) ^ (x >> 10)) + y));
        assert_int_equal(call1(&fx, "big_and", 3, I32(x), I32(y), I32(z)),
                         (uint32_t)((rotl32(x, 26) ^ rotl32(x, 21) ^ rotl32(x, 7)) + (y & z)));
        assert_int_equal(call1(&fx, "and_not", 3, I32(x), I32(y), I32(z)),
                         (uint32_t)(z + (y & ~x)));
        assert_int_equal(call1(&fx, "xor_shr", 2, I32(x), I32(y)), y ^ (x >> 3));
        assert_int_equal(call1(&fx, "maj", 3, I32(x), I32(y), I32(z)), (x & y) | (x & z) | (y & z));
        assert_int_equal(call1(&fx, "not_maj", 3, I32(x), I32(y), I32(z)), ((x ^ y) & z) ^ (z & x));
        assert_int_equal(call1(&fx, "two_cells", 2, I32(x), I32(y)), rotl32(x, 3) ^ rotl32(y, 5));
        for (uint32_t taken = 0; taken < 2; taken++) {
            assert_int_equal(call1(&fx, "label_between", 2, I32(x), I32(taken)),
                             (taken ? x : rotl32(x, 30)) ^ rotl32(x, 19));
        }
    }
    assert_true(uses_op(&fx, "big_sigma", BW_OP_I32_ROTL_XOR3));
    assert_true(uses_op(&fx, "small_sigma", BW_OP_I32_ROTL_XOR2_SHR));
    assert_true(uses_op(&fx, "add_big", BW_OP_I32_ADD_ROTL_XOR3));
    assert_true(uses_op(&fx, "add_small", BW_OP_I32_ADD_ROTL_XOR2_SHR));
    assert_true(uses_op(&fx, "big_and", BW_OP_I32_ROTL_XOR3_ADD_AND));
    assert_true(uses_op(&fx, "and_not", BW_OP_I32_ADD_ANDN));
    assert_true(uses_op(&fx, "xor_shr", BW_OP_I32_XOR_SHR));
    assert_true(uses_op(&fx, "maj", BW_OP_I32_MAJ));
    assert_false(uses_op(&fx, "not_maj", BW_OP_I32_MAJ));
    assert_false(uses_op(&fx, "two_cells", BW_OP_I32_ROTL_XOR2));
    assert_true(uses_op(&fx, "two_cells", BW_OP_I32_XOR_ROTL));
    assert_false(uses_op(&fx, "label_between", BW_OP_I32_ROTL_XOR2));
    unload(&fx);
}

static const char axpy_wat[] =
    "(module (memory 1)\n"
    " (func (export \"get\") (param i32) (result f64) (f64.load (local.get 0)))\n"
    " (func (export \"put\") (param i32 f64) (f64.store (local.get 0) (local.get 1)))\n"
    /* y[at + 8] += a * x[(u32)(xp - 16) + 8]: offsets on both sides, a folded constant. */
    " (func (export \"axpy\") (param $x i32) (param $y i32) (param $a f64)\n"
    "   (f64.store offset=8 (local.get $y)\n"
    "     (f64.add (f64.mul (local.get $a)\n"
    "                       (f64.load offset=8 (i32.add (local.get $x) (i32.const -16))))\n"
    "              (f64.load offset=8 (local.get $y)))))\n"
    /* Without the product: the plain read-modify-write. */
    " (func (export \"acc\") (param $y i32) (param $v f64)\n"
    "   (f64.store (local.get $y) (f64.add (local.get $v) (f64.load (local.get $y)))))\n"
    /* A branch lands on the add, carrying a instead of the product. (The block's entry copies
     * the pending read of $y, so the store's address is another cell than the load's and no
     * read-modify-write forms at all.) */
    " (func (export \"axpy_label\") (param $x i32) (param $y i32) (param $a f64) (param $c i32)\n"
    "   (f64.store (local.get $y)\n"
    "     (f64.add (block (result f64)\n"
    "                (drop (br_if 0 (local.get $a) (local.get $c)))\n"
    "                (f64.mul (local.get $a) (f64.load (local.get $x))))\n"
    "              (f64.load (local.get $y)))))\n"
    ")\n";

static bw_status axpy(fixture *fx, uint32_t x, uint32_t y, double a)
{
    bw_value args[3] = {I32(x), I32(y), F64(f64_bits(a))};
    return call(fx, "axpy", args, 3, NULL, 0);
}

static void test_product_store(void **state)
{
    (void)state;
    fixture fx;
    load(&fx, axpy_wat, NULL, NULL, 0);
    put(&fx, 100, 3.0); /* x: (u32)(108 - 16) + 8 */
    put(&fx, 208, 0.5); /* y: 200 + 8 */
    assert_int_equal(axpy(&fx, 108, 200, 2.0), BW_OK);
    assert_true(get(&fx, 208) == 6.5);
    assert_true(uses_op(&fx, "axpy", BW_OP_F64_MUL_ADD_STORE));
    /* Two roundings, never a fused multiply-add: (1 + e)(1 - e) - 1 is 0, not -e^2. */
    double e = ldexp(1.0, -30);
    put(&fx, 100, 1 - e);
    put(&fx, 208, -1.0);
    assert_int_equal(axpy(&fx, 108, 200, 1 + e), BW_OK);
    assert_true(get(&fx, 208) == 0.0);
    /* The folded add wraps to 32 bits before the offset: x = 8 reads 0xFFFFFFF8 + 8, out of
     * bounds; the last f64 of the memory is in bounds. */
    put(&fx, 208, 1.25);
    put(&fx, 65528, 4.0);
    assert_int_equal(axpy(&fx, 65536, 200, 0.5), BW_OK);
    assert_true(get(&fx, 208) == 3.25);
    assert_int_equal(axpy(&fx, 8, 200, 1.0), BW_ERR_TRAP);
    assert_int_equal(fx.err.trap, BW_TRAP_MEMORY_OOB);
    /* The loaded side out of bounds, or the stored side: a trap, and nothing written. */
    assert_int_equal(axpy(&fx, 65537, 200, 1.0), BW_ERR_TRAP);
    assert_int_equal(fx.err.trap, BW_TRAP_MEMORY_OOB);
    assert_int_equal(axpy(&fx, 108, 65521, 1.0), BW_ERR_TRAP);
    assert_int_equal(fx.err.trap, BW_TRAP_MEMORY_OOB);
    assert_true(get(&fx, 208) == 3.25);
    assert_true(get(&fx, 65528) == 4.0);
    /* NaN in, NaN out. */
    put(&fx, 100, NAN);
    assert_int_equal(axpy(&fx, 108, 200, 1.0), BW_OK);
    assert_true(isnan(get(&fx, 208)));

    bw_value acc[2] = {I32(300), F64(f64_bits(1.5))};
    put(&fx, 300, 2.0);
    assert_int_equal(call(&fx, "acc", acc, 2, NULL, 0), BW_OK);
    assert_true(get(&fx, 300) == 3.5);
    assert_true(uses_op(&fx, "acc", BW_OP_F64_ADD_STORE));
    assert_false(uses_op(&fx, "acc", BW_OP_F64_MUL_ADD_STORE));

    for (uint32_t taken = 0; taken < 2; taken++) {
        bw_value args[4] = {I32(400), I32(408), F64(f64_bits(3.0)), I32(taken)};
        put(&fx, 400, 2.0);
        put(&fx, 408, 1.0);
        assert_int_equal(call(&fx, "axpy_label", args, 4, NULL, 0), BW_OK);
        assert_true(get(&fx, 408) == (taken ? 4.0 : 7.0));
    }
    assert_false(uses_op(&fx, "axpy_label", BW_OP_F64_MUL_ADD_STORE));
    unload(&fx);
}

static void test_four_moves(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module\n"
         /* a b c d e <- b c d e a, then a digit each: three and five moves in a row. */
         " (func (export \"rotate5\") (param i32 i32 i32 i32 i32) (result i32) (local i32)\n"
         "   (local.set 5 (local.get 0))\n"
         "   (local.set 0 (local.get 1))\n"
         "   (local.set 1 (local.get 2))\n"
         "   (local.set 2 (local.get 3))\n"
         "   (local.set 3 (local.get 4))\n"
         "   (local.set 4 (local.get 5))\n"
         "   (i32.add (i32.mul (local.get 0) (i32.const 10000))\n"
         "     (i32.add (i32.mul (local.get 1) (i32.const 1000))\n"
         "       (i32.add (i32.mul (local.get 2) (i32.const 100))\n"
         "         (i32.add (i32.mul (local.get 3) (i32.const 10)) (local.get 4))))))\n"
         " (func (export \"swap\") (param i32 i32) (result i32) (local i32)\n"
         "   (local.set 2 (local.get 0))\n"
         "   (local.set 0 (local.get 1))\n"
         "   (i32.add (i32.mul (local.get 0) (i32.const 10)) (local.get 2)))\n"
         " (func (export \"rotate3\") (param i32 i32) (result i32) (local i32)\n"
         "   (local.set 2 (local.get 0))\n"
         "   (local.set 0 (local.get 1))\n"
         "   (local.set 1 (local.get 2))\n"
         "   (i32.add (i32.mul (local.get 0) (i32.const 10)) (local.get 1)))\n"
         ")\n",
         NULL, NULL, 0);
    bw_value digits[5] = {I32(1), I32(2), I32(3), I32(4), I32(5)}, result;
    assert_int_equal(call(&fx, "rotate5", digits, 5, &result, 1), BW_OK); /* call1 takes 4 */
    assert_int_equal(result.of.i32, 23451);
    assert_true(uses_op(&fx, "rotate5", BW_OP_MOV4));
    assert_int_equal(call1(&fx, "rotate3", 2, I32(1), I32(2)), 21);
    assert_true(uses_op(&fx, "rotate3", BW_OP_MOV4));
    assert_int_equal(call1(&fx, "swap", 2, I32(1), I32(2)), 21);
    assert_true(uses_op(&fx, "swap", BW_OP_MOV2));
    unload(&fx);
}

/* An import calls back into another function of the module; calls within the module are
 * CALL_LOCAL, the call of the import stays CALL. */
static bw_status host_double(bw_call_ctx *ctx, void *env, const bw_value *args, bw_value *results)
{
    (void)ctx;
    (void)env;
    results[0] = I32(args[0].of.i32 * 2);
    return BW_OK;
}

static bw_status call_export(bw_store *store, bw_instance *inst, const char *name, uint32_t arg,
                             uint32_t *result, bw_error *err)
{
    bw_extern ext;
    assert_int_equal(bw_instance_export(inst, (const uint8_t *)name, strlen(name), &ext), BW_OK);
    bw_value in = I32(arg), out;
    bw_status status = bw_func_call(store, ext.of.func, &in, 1, &out, 1, err);
    *result = out.of.i32;
    return status;
}

static void test_local_calls(void **state)
{
    (void)state;
    bw_error err;
    memset(&err, 0, sizeof err);
    bw_store_config defaults = {0};
    bw_store *store = bw_store_new(&defaults);
    assert_non_null(store);
    const uint8_t i32s[] = {BW_I32};
    bw_extern import = {.kind = BW_EXTERN_FUNC};
    import.of.func = bw_func_new_host(store, i32s, 1, i32s, 1, host_double, NULL);
    assert_non_null(import.of.func);
    size_t len;
    uint8_t *bytes = wat_to_wasm(
        "(module (import \"m\" \"double\" (func $double (param i32) (result i32)))\n"
        " (memory 1)\n"
        " (func $fib (param i32) (result i32)\n"
        "   (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))\n"
        "     (then (local.get 0))\n"
        "     (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))\n"
        "                    (call $fib (i32.sub (local.get 0) (i32.const 2)))))))\n"
        " (func $mem (param i32) (result i32)\n"
        "   (i32.store (i32.const 8) (call $double (local.get 0)))\n"
        "   (i32.load (i32.const 8)))\n"
        " (func $deep (param i32) (result i32)\n"
        "   (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))\n"
        "     (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get 0) (i32.const 1)))))))\n"
        " (func (export \"fib\") (param i32) (result i32) (call $fib (local.get 0)))\n"
        " (func (export \"mem\") (param i32) (result i32)\n"
        "   (i32.add (call $mem (local.get 0)) (call $fib (i32.const 10))))\n"
        " (func (export \"deep\") (param i32) (result i32) (call $deep (local.get 0))))\n",
        &len);
    bw_module *module;
    assert_int_equal(bw_module_load(bytes, len, &module, &err), BW_OK);
    free(bytes);
    bw_instance *inst;
    assert_int_equal(bw_instantiate(store, module, &import, 1, &inst, &err), BW_OK);
    uint32_t result;
    assert_int_equal(call_export(store, inst, "fib", 20, &result, &err), BW_OK);
    assert_int_equal(result, 6765);
    bw_extern ext;
    assert_int_equal(bw_instance_export(inst, (const uint8_t *)"fib", 3, &ext), BW_OK);
    /* The argument's move and the call are one instruction. */
    assert_true(func_uses_op(ext.of.func, BW_OP_CALL_LOCAL_MOV));
    assert_false(func_uses_op(ext.of.func, BW_OP_CALL));
    /* A local call whose callee calls the host, then another local call. */
    assert_int_equal(call_export(store, inst, "mem", 21, &result, &err), BW_OK);
    assert_int_equal(result, 42 + 55);
    assert_int_equal(bw_instance_export(inst, (const uint8_t *)"mem", 3, &ext), BW_OK);
    assert_true(func_uses_op(ext.of.func, BW_OP_CALL_LOCAL_MOV)); /* $mem (local.get 0) */
    assert_true(func_uses_op(ext.of.func, BW_OP_CALL_LOCAL));     /* $fib (i32.const 10) */
    /* Stack exhaustion in local calls traps cleanly, and the store runs again. */
    assert_int_equal(call_export(store, inst, "deep", 100000000, &result, &err), BW_ERR_TRAP);
    assert_int_equal(err.trap, BW_TRAP_STACK_EXHAUSTED);
    assert_int_equal(call_export(store, inst, "deep", 1000, &result, &err), BW_OK);
    assert_int_equal(result, 1000);
    bw_store_free(store);
    bw_module_free(module);
}

static void test_f64_pairs(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module (memory 1)\n"
         " (func (export \"put\") (param i32 f64) (f64.store (local.get 0) (local.get 1)))\n"
         " (func (export \"mul3\") (param f64 f64 f64) (result f64)\n"
         "   (f64.mul (f64.mul (local.get 0) (local.get 1)) (local.get 2)))\n"
         " (func (export \"sub_mul\") (param f64 f64 f64) (result f64)\n"
         "   (f64.sub (local.get 2) (f64.mul (local.get 0) (local.get 1))))\n"
         /* The product on the left of the subtraction: no SUB_MUL (it is d - b * c). */
         " (func (export \"mul_sub\") (param f64 f64 f64) (result f64)\n"
         "   (f64.sub (f64.mul (local.get 0) (local.get 1)) (local.get 2)))\n"
         " (func (export \"sub_load\") (param i32 f64) (result f64)\n"
         "   (f64.sub (local.get 1) (f64.load offset=8 (i32.add (local.get 0) (i32.const -16)))))\n"
         " (func (export \"load_sub\") (param i32 f64) (result f64)\n"
         "   (f64.sub (f64.load (local.get 0)) (local.get 1)))\n"
         ")\n",
         NULL, NULL, 0);
    /* Two roundings: (1 + e) * (1 - e) rounds to 1 before the third factor or the
     * subtraction sees it. */
    double e = ldexp(1.0, -30);
    uint64_t r = call1(&fx, "mul3", 3, F64(f64_bits(1 + e)), F64(f64_bits(1 - e)),
                       F64(f64_bits(ldexp(1.0, 60))));
    assert_true(bits_f64(r) == ldexp(1.0, 60));
    assert_true(uses_op(&fx, "mul3", BW_OP_F64_MUL3));
    /* Overflow to infinity in the first product stays infinite. */
    r = call1(&fx, "mul3", 3, F64(f64_bits(1e300)), F64(f64_bits(1e300)), F64(f64_bits(1e-300)));
    assert_true(isinf(bits_f64(r)));
    r = call1(&fx, "sub_mul", 3, F64(f64_bits(1 + e)), F64(f64_bits(1 - e)), F64(f64_bits(1.0)));
    assert_true(bits_f64(r) == 0.0);
    assert_true(uses_op(&fx, "sub_mul", BW_OP_F64_SUB_MUL));
    r = call1(&fx, "sub_mul", 3, F64(f64_bits(2.0)), F64(f64_bits(3.0)), F64(f64_bits(10.0)));
    assert_true(bits_f64(r) == 4.0);
    r = call1(&fx, "mul_sub", 3, F64(f64_bits(2.0)), F64(f64_bits(3.0)), F64(f64_bits(10.0)));
    assert_true(bits_f64(r) == -4.0);
    assert_false(uses_op(&fx, "mul_sub", BW_OP_F64_SUB_MUL));

    bw_value args[2] = {I32(65528), F64(f64_bits(0.25))};
    assert_int_equal(call(&fx, "put", args, 2, NULL, 0), BW_OK);
    r = call1(&fx, "sub_load", 2, I32(65536), F64(f64_bits(1.0)));
    assert_true(bits_f64(r) == 0.75);
    assert_true(uses_op(&fx, "sub_load", BW_OP_F64_SUB_LOAD));
    /* (u32)(8 - 16) + 8 is past 4 GiB, not 0; one past the last f64 traps. */
    expect_trap(&fx, "sub_load", BW_TRAP_MEMORY_OOB, 2, I32(8), F64(0));
    expect_trap(&fx, "sub_load", BW_TRAP_MEMORY_OOB, 2, I32(65537), F64(0));
    r = call1(&fx, "load_sub", 2, I32(65528), F64(f64_bits(1.0)));
    assert_true(bits_f64(r) == -0.75);
    assert_false(uses_op(&fx, "load_sub", BW_OP_F64_SUB_LOAD));
    unload(&fx);
}

static void test_shift_add(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module\n"
         " (func (export \"scaled\") (param i32 i32) (result i32)\n"
         "   (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2))))\n"
         " (func (export \"scaled_left\") (param i32 i32) (result i32)\n"
         "   (i32.add (i32.shl (local.get 1) (i32.const 35)) (local.get 0)))\n"
         ")\n",
         NULL, NULL, 0);
    assert_int_equal(call1(&fx, "scaled", 2, I32(100), I32(5)), 120);
    assert_true(uses_op(&fx, "scaled", BW_OP_I32_ADD_SHL));
    /* The shift drops high bits and the sum wraps at 32 bits. */
    assert_int_equal(call1(&fx, "scaled", 2, I32(8), I32(0xC0000001)), 12);
    assert_int_equal(call1(&fx, "scaled", 2, I32(0xFFFFFFFF), I32(1)), 3);
    /* The count is taken mod 32: 35 shifts by 3. */
    assert_int_equal(call1(&fx, "scaled_left", 2, I32(1), I32(2)), 17);
    assert_true(uses_op(&fx, "scaled_left", BW_OP_I32_ADD_SHL));
    unload(&fx);
}

static void test_paired_adds(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module\n"
         /* Two counters stepped together; the second reads what the first just wrote. */
         " (func (export \"steps\") (param i32 i32) (result i32)\n"
         "   (local.set 0 (i32.add (local.get 0) (i32.const 1)))\n"
         "   (local.set 1 (i32.add (local.get 0) (i32.const -3)))\n"
         "   (i32.add (i32.mul (local.get 0) (i32.const 1000)) (local.get 1)))\n"
         " (func (export \"sums\") (param i32 i32 i32) (result i32)\n"
         "   (local.set 2 (i32.add (local.get 0) (local.get 1)))\n"
         "   (local.set 0 (i32.add (local.get 2) (local.get 2)))\n"
         "   (i32.add (i32.mul (local.get 0) (i32.const 1000)) (local.get 2)))\n"
         /* The second step tested by the loop's branch leaves the pair for a BR_INC / BR_ADD. */
         " (func (export \"two_steps\") (param $i i32) (param $end i32) (result i32)\n"
         "   (local $n i32)\n"
         "   (loop $l\n"
         "     (local.set $n (i32.add (local.get $n) (i32.const 1)))\n"
         "     (local.set $i (i32.add (local.get $i) (i32.const 2)))\n"
         "     (br_if $l (i32.lt_u (local.get $i) (local.get $end))))\n"
         "   (i32.add (i32.mul (local.get $n) (i32.const 1000)) (local.get $i)))\n"
         " (func (export \"two_cell_steps\") (param $i i32) (param $end i32) (param $s i32)\n"
         "   (result i32) (local $n i32)\n"
         "   (loop $l\n"
         "     (local.set $n (i32.add (local.get $n) (local.get $s)))\n"
         "     (local.set $i (i32.add (local.get $i) (local.get $s)))\n"
         "     (br_if $l (i32.lt_u (local.get $i) (local.get $end))))\n"
         "   (i32.add (i32.mul (local.get $n) (i32.const 1000)) (local.get $i)))\n"
         /* A branch lands on the second add: not paired. */
         " (func (export \"split\") (param i32 i32) (result i32)\n"
         "   (block $b\n"
         "     (local.set 0 (i32.add (local.get 0) (i32.const 1)))\n"
         "     (br_if $b (local.get 1))\n"
         "     (local.set 0 (i32.add (local.get 0) (i32.const 100))))\n"
         "   (local.set 1 (i32.add (local.get 0) (i32.const 2)))\n"
         "   (i32.add (i32.mul (local.get 0) (i32.const 1000)) (local.get 1)))\n"
         ")\n",
         NULL, NULL, 0);
    assert_int_equal(call1(&fx, "steps", 2, I32(5), I32(0)), 6003);
    /* Both wrap at 32 bits: 0xFFFFFFFF + 1 is 0, 0 - 3 is 0xFFFFFFFD. */
    assert_int_equal(call1(&fx, "steps", 2, I32(0xFFFFFFFF), I32(0)), 0xFFFFFFFD);
    assert_true(uses_op(&fx, "steps", BW_OP_I32_ADD_IMM2));
    assert_int_equal(call1(&fx, "sums", 3, I32(2), I32(3), I32(0)), 10005);
    assert_int_equal(call1(&fx, "sums", 3, I32(0x80000000), I32(1), I32(0)),
                     (uint32_t)(2 * 1000 + 0x80000001u));
    assert_true(uses_op(&fx, "sums", BW_OP_I32_ADD2));
    assert_int_equal(call1(&fx, "two_steps", 2, I32(1), I32(8)), 4009);
    /* Wraps past 2^32 to below the end: 0xFFFFFFFF + 2 is 1, then 3. */
    assert_int_equal(call1(&fx, "two_steps", 2, I32(0xFFFFFFFF), I32(3)), 2003);
    assert_true(uses_op(&fx, "two_steps", BW_OP_BR_INC_LT_U));
    assert_false(uses_op(&fx, "two_steps", BW_OP_I32_ADD_IMM2));
    assert_int_equal(call1(&fx, "two_cell_steps", 3, I32(0), I32(10), I32(3)), 12012);
    assert_true(uses_op(&fx, "two_cell_steps", BW_OP_BR_ADD_LT_U));
    assert_false(uses_op(&fx, "two_cell_steps", BW_OP_I32_ADD2));
    assert_int_equal(call1(&fx, "split", 2, I32(7), I32(1)), 8010);
    assert_int_equal(call1(&fx, "split", 2, I32(7), I32(0)), 108110);
    assert_false(uses_op(&fx, "split", BW_OP_I32_ADD_IMM2));
    assert_true(uses_op(&fx, "split", BW_OP_I32_ADD_IMM));
    unload(&fx);
}

static void test_returns_and_tables(void **state)
{
    (void)state;
    fixture fx;
    load(&fx,
         "(module (memory 1)\n"
         " (data (i32.const 100) \"\\00\\01\\02\\07\")\n"
         " (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const -1)))\n"
         " (func $pick (param i32 i32) (result i32) (local.get 1))\n"
         " (func $seven (result i64) (i64.const -7))\n"
         " (func (export \"rets\") (param i32) (result i32)\n"
         "   (i32.add (call $inc (local.get 0))\n"
         "     (i32.add (call $pick (i32.const 1) (local.get 0))\n"
         "              (i32.wrap_i64 (call $seven)))))\n"
         /* A branch to the end of the function, next to the fused return. */
         " (func (export \"ret_label\") (param i32 i32) (result i32)\n"
         "   (block $b (result i32)\n"
         "     (drop (br_if $b (local.get 1) (local.get 0)))\n"
         "     (i32.add (local.get 1) (i32.const 5))))\n"
         /* element i of an array of 16-byte records at 64, field at +8 */
         " (func (export \"field\") (param $base i32) (param $i i32) (result i32)\n"
         "   (i32.add (i32.add (local.get $base) (i32.const 8))\n"
         "            (i32.shl (local.get $i) (i32.const 36))))\n"
         " (func (export \"dispatch\") (param $pc i32) (result i32)\n"
         "   (block $d (block $c (block $b (block $a\n"
         "     (br_table $a $b $c $d (i32.load8_u offset=99 (i32.add (local.get $pc) (i32.const "
         "1)))))\n"
         "     (return (i32.const 10)))\n"
         "     (return (i32.const 11)))\n"
         "     (return (i32.const 12)))\n"
         "   (i32.const 13))\n"
         ")\n",
         NULL, NULL, 0);
    /* (x - 1) + x + (u32)-7 */
    assert_int_equal(call1(&fx, "rets", 1, I32(10)), 12);
    assert_int_equal(call1(&fx, "rets", 1, I32(0)), (uint32_t)-8);
    bw_instance *inst = fx.instance;
    assert_true(func_uses_op(inst->funcs[0], BW_OP_RETURN_I32_ADD_IMM));
    assert_true(func_uses_op(inst->funcs[1], BW_OP_RETURN_MOV));
    assert_true(func_uses_op(inst->funcs[2], BW_OP_RETURN_CONST));
    assert_int_equal(call1(&fx, "ret_label", 2, I32(3), I32(1)), 1);
    assert_int_equal(call1(&fx, "ret_label", 2, I32(0), I32(1)), 6);
    /* base + 8 + (i << 4) (36 is 4 mod 32), wrapping at 32 bits */
    assert_int_equal(call1(&fx, "field", 2, I32(64), I32(3)), 64 + 8 + 48);
    assert_int_equal(call1(&fx, "field", 2, I32(0xFFFFFFF0), I32(0x10000001)), 8);
    assert_true(uses_op(&fx, "field", BW_OP_I32_ADD_SHL_IMM));
    /* the byte at (pc + 1) + 99: 0, 1, 2 pick their arm, 7 is past the table */
    for (uint32_t pc = 0; pc < 4; pc++) {
        assert_int_equal(call1(&fx, "dispatch", 1, I32(pc)), pc < 3 ? 10 + pc : 13);
    }
    assert_true(uses_op(&fx, "dispatch", BW_OP_BR_TABLE_LOAD8));
    assert_int_equal(call1(&fx, "dispatch", 1, I32(65435)), 10); /* the last byte: 0 */
    expect_trap(&fx, "dispatch", BW_TRAP_MEMORY_OOB, 1, I32(65436));
    /* the folded add wraps before the offset: (0xFFFFFFFF + 1) + 99 is byte 99 */
    assert_int_equal(call1(&fx, "dispatch", 1, I32(0xFFFFFFFF)), 10);
    unload(&fx);
}

static const char *const compare_names[] = {"eq",   "ne",   "lt_s", "lt_u", "gt_s",
                                            "gt_u", "le_s", "le_u", "ge_s", "ge_u"};

/* One export per compare and side: over the i32s at 4, 8 .. 4n, counts those for which
 * `loaded <cmp> y` (or `y <cmp> loaded`, "_swapped") is false; returns count * 1000 plus
 * the last value loaded. */
static void load_branch_wat(char *wat, size_t cap)
{
    size_t used = (size_t)snprintf(wat, cap,
                                   "(module (memory 1)\n"
                                   " (data (i32.const 0) \"\\05\\00\\00\\00"
                                   "\\ff\\ff\\ff\\ff\\07\\00\\00\\00\\00\\00\\00\\80\")\n");
    /* A multiply, not a shift: a shifted index would make an I32_LOAD_SHL instead. */
    static const char loaded[] = "(local.tee $v (i32.load offset=4 (i32.mul (i32.sub (local.get "
                                 "$i) (i32.const 1)) (i32.const 4))))";
    for (unsigned i = 0; i < 10; i++) {
        for (unsigned swap = 0; swap < 2; swap++) {
            used += (size_t)snprintf(
                wat + used, cap - used,
                " (func (export \"%s%s\") (param $n i32) (param $y i32) (result i32)\n"
                "   (local $i i32) (local $v i32) (local $count i32)\n"
                "   (block $out (loop $next\n"
                "     (br_if $out (i32.ge_u (local.get $i) (local.get $n)))\n"
                "     (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
                "     (br_if $next (i32.%s %s %s))\n"
                "     (local.set $count (i32.add (local.get $count) (i32.const 1)))\n"
                "     (br $next)))\n"
                "   (i32.add (i32.mul (local.get $count) (i32.const 1000)) (local.get $v)))\n",
                compare_names[i], swap ? "_swapped" : "", compare_names[i],
                swap ? "(local.get $y)" : loaded, swap ? loaded : "(local.get $y)");
        }
    }
    assert_true(used + 2 < cap);
    snprintf(wat + used, cap - used, ")\n");
}

/* Does compare `i` (in the order of compare_names) hold for x and y? */
static bool compare_holds(unsigned i, int32_t x, int32_t y)
{
    uint32_t ux = (uint32_t)x, uy = (uint32_t)y;
    bool holds[] = {x == y, x != y, x<y, ux<uy, x> y, ux> uy, x <= y, ux <= uy, x >= y, ux >= uy};
    return holds[i];
}

static void test_load_branch(void **state)
{
    (void)state;
    /* Loaded on the right: the compare turns around (x < y is y > x). */
    static const unsigned turned[] = {0, 1, 4, 5, 2, 3, 8, 9, 6, 7};
    /* Offsets 4, 8, 12 hold -1, 7, INT32_MIN (offset 0 holds 5, never loaded). */
    const int32_t values[] = {-1, 7, INT32_MIN}, ys[] = {7, -1, 0, INT32_MIN};
    char wat[32768];
    load_branch_wat(wat, sizeof wat);
    fixture fx;
    load(&fx, wat, NULL, NULL, 0);
    for (unsigned i = 0; i < 10; i++) {
        for (unsigned swap = 0; swap < 2; swap++) {
            char name[32];
            snprintf(name, sizeof name, "%s%s", compare_names[i], swap ? "_swapped" : "");
            for (size_t k = 0; k < sizeof ys / sizeof ys[0]; k++) {
                uint32_t held = 0;
                for (size_t v = 0; v < 3; v++) {
                    held += compare_holds(i, swap ? ys[k] : values[v], swap ? values[v] : ys[k])
                                ? 0
                                : 1;
                }
                uint32_t want = held * 1000 + (uint32_t)INT32_MIN; /* $v: the last load */
                assert_int_equal(call1(&fx, name, 2, I32(3), I32((uint32_t)ys[k])), want);
            }
            assert_true(uses_op(&fx, name, BW_OP_I32_LOAD_BR_EQ + (swap ? turned[i] : i)));
            /* The load past the end traps before the branch. */
            expect_trap(&fx, name, BW_TRAP_MEMORY_OOB, 2, I32(16384), I32(0));
        }
    }
    unload(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigma_forms),        cmocka_unit_test(test_product_store),
        cmocka_unit_test(test_four_moves),         cmocka_unit_test(test_local_calls),
        cmocka_unit_test(test_f64_pairs),          cmocka_unit_test(test_shift_add),
        cmocka_unit_test(test_load_branch),        cmocka_unit_test(test_paired_adds),
        cmocka_unit_test(test_returns_and_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
