/* Unit tests of the CBOR codec: exact floats (every half, sampled singles) and round trips. */
#include "test_cbor.h"

/* ---- floats ------------------------------------------------------------------------------- */

/* Every half float decodes exactly (checked against ldexp) and re-encodes to itself. */
static void test_all_half_floats(void **state)
{
    (void)state;
    for (uint32_t h = 0; h <= 0xffff; h++) {
        uint8_t in[3] = {0xf9, (uint8_t)(h >> 8), (uint8_t)h}, out[9];
        unsigned exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
        double sign = (h & 0x8000) ? -1.0 : 1.0, want;
        burh_cbor_decoder d;
        burh_cbor_encoder e;
        burh_cbor_item it;
        size_t n;

        burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(in, 3), BURH_CBOR_STRICT);
        assert_int_equal(burh_cbor_next(&d, &it), BURH_CBOR_OK);
        assert_int_equal(it.float_size, 2);
        if (exp == 31) {
            uint64_t bits = (uint64_t)(h >> 15) << 63 | 0x7ffull << 52 | (uint64_t)frac << 42;
            assert_true(it.u == bits);
        } else {
            want = exp == 0 ? sign * ldexp(frac, -24) : sign * ldexp(1024 + frac, (int)exp - 25);
            assert_true(it.f == want);
            assert_true(signbit(it.f) == signbit(want));
        }
        burh_cbor_encoder_init(&e, out, sizeof out);
        burh_cbor_enc_double_bits(&e, it.u);
        assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_OK);
        assert_int_equal(n, 3);
        assert_memory_equal(out, in, 3);
    }
}

/* Singles sampled with a fixed LCG: exact decoding and shortest, value-preserving encoding. */
static void test_single_floats(void **state)
{
    uint32_t x = 12345;
    (void)state;
    for (int i = 0; i < 200000; i++) {
        uint32_t bits;
        uint8_t in[5], out[9];
        float fv;
        burh_cbor_decoder d;
        burh_cbor_encoder e;
        burh_cbor_item it, it2;
        size_t n;

        x = x * 1664525u + 1013904223u;
        bits = i < 64 ? (uint32_t)i << 26 | (uint32_t)i : x; /* a few structured ones first */
        in[0] = 0xfa;
        for (int k = 0; k < 4; k++)
            in[1 + k] = (uint8_t)(bits >> (24 - 8 * k));
        burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(in, 5), 0);
        assert_int_equal(burh_cbor_next(&d, &it), BURH_CBOR_OK);
        memcpy(&fv, &bits, 4);
        if (!isnan(fv))
            assert_true(it.f == (double)fv);
        burh_cbor_encoder_init(&e, out, sizeof out);
        burh_cbor_enc_double_bits(&e, it.u);
        assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_OK);
        assert_true(n == 3 || n == 5);
        burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(out, n), BURH_CBOR_STRICT);
        assert_int_equal(burh_cbor_next(&d, &it2), BURH_CBOR_OK);
        assert_true(it2.u == it.u);
    }
}

static void test_double_narrowing(void **state)
{
    static const struct {
        uint64_t bits;
        unsigned size;
    } cases[] = {
        {0x3ff0000000000000ull, 2}, /* 1.0 */
        {0x3f10000000000000ull, 2}, /* 2^-14, smallest normal half */
        {0x3e70000000000000ull, 2}, /* 2^-24, smallest subnormal half */
        {0x3e60000000000000ull, 4}, /* 2^-25: single */
        {0x3e78000000000000ull, 4}, /* 3 * 2^-25: below half's last bit */
        {0x40effc0000000000ull, 2}, /* 65504 */
        {0x40effe0000000000ull, 4}, /* 65520: too big for half */
        {0x3810000000000000ull, 4}, /* 2^-126 */
        {0x36a0000000000000ull, 4}, /* 2^-149, smallest subnormal single */
        {0x3690000000000000ull, 8}, /* 2^-150 */
        {0x0000000000000001ull, 8}, /* binary64 subnormal */
        {0x7ff0000000000001ull, 8}, /* NaN with a low payload */
        {0xfff8000000000000ull, 2}, /* negative quiet NaN */
        {0x3ff0000010000000ull, 8}, {0x3ff0000020000000ull, 4},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t out[9];
        size_t n;
        burh_cbor_encoder e;
        burh_cbor_decoder d;
        burh_cbor_item it;
        unsigned want = cases[i].size;
        assert_int_equal(burh_cbor_float_preferred_size(cases[i].bits), want);
        burh_cbor_encoder_init(&e, out, sizeof out);
        burh_cbor_enc_double_bits(&e, cases[i].bits);
        assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_OK);
        assert_int_equal(n, 1 + want);
        burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(out, n), BURH_CBOR_STRICT);
        assert_int_equal(burh_cbor_next(&d, &it), BURH_CBOR_OK);
        assert_true(it.u == cases[i].bits);
    }
}

/* ---- round trips -------------------------------------------------------------------------- */

static uint32_t rng_state;

static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* Writes a random item; maps get distinct integer keys in a shuffled order. */
static void random_item(burh_cbor_encoder *e, int depth)
{
    uint32_t kind = rng() % (depth > 4 ? 7 : 9);
    uint8_t bytes[40];
    unsigned n;

    switch (kind) {
    case 0:
        burh_cbor_enc_uint(e, (uint64_t)rng() << (rng() % 40));
        break;
    case 1:
        burh_cbor_enc_negint(e, (uint64_t)rng() << (rng() % 40));
        break;
    case 2:
        n = rng() % sizeof bytes;
        for (unsigned i = 0; i < n; i++)
            bytes[i] = (uint8_t)rng();
        burh_cbor_enc_bytes(e, BURH_CBOR_BYTES(bytes, n));
        break;
    case 3:
        n = rng() % sizeof bytes;
        for (unsigned i = 0; i < n; i++)
            bytes[i] = (uint8_t)(' ' + rng() % 90);
        burh_cbor_enc_text(e, BURH_CBOR_BYTES(bytes, n));
        break;
    case 4:
        burh_cbor_enc_double_bits(e, (uint64_t)rng() << 40 | rng());
        break;
    case 5:
        burh_cbor_enc_float(e, (float)(rng() % 1000) / 8.0f);
        break;
    case 6:
        burh_cbor_enc_simple(e, (uint8_t)(rng() % 20));
        break;
    case 7:
        burh_cbor_enc_array_begin(e);
        for (n = rng() % 6; n > 0; n--)
            random_item(e, depth + 1);
        burh_cbor_enc_array_end(e);
        break;
    default:
        burh_cbor_enc_map_begin(e);
        n = rng() % 6;
        for (unsigned i = 0, start = rng() % 7; i < n; i++) {
            burh_cbor_enc_int(e, (int64_t)((start + i * 3) % 17) - 8);
            random_item(e, depth + 1);
        }
        burh_cbor_enc_map_end(e);
        break;
    }
}

static void test_round_trips(void **state)
{
    static uint8_t a[8192], b[8192];
    (void)state;
    rng_state = 7;
    for (int round = 0; round < 2000; round++) {
        burh_cbor_encoder e;
        burh_cbor_decoder d;
        size_t na, nb, measured;
        uint32_t saved = rng_state;

        burh_cbor_encoder_init(&e, NULL, 0);
        random_item(&e, 0);
        assert_int_equal(burh_cbor_encoder_finish(&e, &measured), BURH_CBOR_OK);
        rng_state = saved;
        burh_cbor_encoder_init(&e, a, sizeof a);
        random_item(&e, 0);
        assert_int_equal(burh_cbor_encoder_finish(&e, &na), BURH_CBOR_OK);
        assert_int_equal(na, measured);

        burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(a, na), BURH_CBOR_STRICT);
        burh_cbor_encoder_init(&e, b, sizeof b);
        transcode(&d, &e);
        assert_int_equal(burh_cbor_decoder_finish(&d), BURH_CBOR_OK);
        assert_int_equal(burh_cbor_encoder_finish(&e, &nb), BURH_CBOR_OK);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, na);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_half_floats),
        cmocka_unit_test(test_single_floats),
        cmocka_unit_test(test_double_narrowing),
        cmocka_unit_test(test_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
