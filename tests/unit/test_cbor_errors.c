/* Unit tests of the CBOR codec: malformed input, strict mode, limits, helpers, encoder errors. */
#include "test_cbor.h"

/* ---- decoding errors ---------------------------------------------------------------------- */

/* Malformed (or, for OK, merely unusual) inputs and the error each must give. */
static const struct {
    const char *hex;
    burh_cbor_err want;
} malformed[] = {
    {"", BURH_CBOR_ERR_TRUNCATED},
    {"0101", BURH_CBOR_ERR_TRAILING},
    {"8101ff", BURH_CBOR_ERR_TRAILING},
    /* lengths and counts beyond the input */
    {"5bffffffffffffffff00", BURH_CBOR_ERR_TOO_LONG},
    {"7bffffffffffffffff", BURH_CBOR_ERR_TOO_LONG},
    {"9bffffffffffffffff", BURH_CBOR_ERR_TOO_LONG},
    {"bbffffffffffffffff", BURH_CBOR_ERR_TOO_LONG},
    {"bb8000000000000000", BURH_CBOR_ERR_TOO_LONG},
    {"5a0000000500", BURH_CBOR_ERR_TOO_LONG},
    {"a20101", BURH_CBOR_ERR_TOO_LONG},
    {"830101", BURH_CBOR_ERR_TOO_LONG},     /* one byte short of the count */
    {"a301010101", BURH_CBOR_ERR_TOO_LONG}, /* one pair short */
    {"5f5bffffffffffffffffff", BURH_CBOR_ERR_TOO_LONG},
    /* reserved additional information */
    {"1c", BURH_CBOR_ERR_RESERVED_AI},
    {"1d", BURH_CBOR_ERR_RESERVED_AI},
    {"1e", BURH_CBOR_ERR_RESERVED_AI},
    {"3c", BURH_CBOR_ERR_RESERVED_AI},
    {"5d", BURH_CBOR_ERR_RESERVED_AI},
    {"7e", BURH_CBOR_ERR_RESERVED_AI},
    {"9c", BURH_CBOR_ERR_RESERVED_AI},
    {"bd", BURH_CBOR_ERR_RESERVED_AI},
    {"de", BURH_CBOR_ERR_RESERVED_AI},
    {"fc", BURH_CBOR_ERR_RESERVED_AI},
    {"81fe", BURH_CBOR_ERR_RESERVED_AI},
    /* indefinite length where there is none */
    {"1f", BURH_CBOR_ERR_BAD_INDEFINITE},
    {"3f", BURH_CBOR_ERR_BAD_INDEFINITE},
    {"df", BURH_CBOR_ERR_BAD_INDEFINITE},
    /* breaks in the wrong place */
    {"ff", BURH_CBOR_ERR_BAD_BREAK},
    {"81ff", BURH_CBOR_ERR_BAD_BREAK},
    {"a1ff00", BURH_CBOR_ERR_BAD_BREAK},
    {"a101ff", BURH_CBOR_ERR_BAD_BREAK},
    {"9fc0ff", BURH_CBOR_ERR_BAD_BREAK},
    {"9f81ffff", BURH_CBOR_ERR_BAD_BREAK},
    {"c0ff", BURH_CBOR_ERR_BAD_BREAK},
    /* odd maps */
    {"bf01ff", BURH_CBOR_ERR_ODD_MAP},
    {"bf010203ff", BURH_CBOR_ERR_ODD_MAP},
    {"a101", BURH_CBOR_ERR_TOO_LONG},
    {"bf01", BURH_CBOR_ERR_TRUNCATED},
    /* chunks of indefinite strings */
    {"5f01ff", BURH_CBOR_ERR_BAD_CHUNK},
    {"5f6161ff", BURH_CBOR_ERR_BAD_CHUNK},
    {"7f4161ff", BURH_CBOR_ERR_BAD_CHUNK},
    {"5f5fffff", BURH_CBOR_ERR_BAD_CHUNK},
    {"7f80ff", BURH_CBOR_ERR_BAD_CHUNK},
    {"5fc04100ff", BURH_CBOR_ERR_BAD_CHUNK},
    {"5f4100", BURH_CBOR_ERR_TRUNCATED},
    /* two-byte simple values below 32 */
    {"f800", BURH_CBOR_ERR_BAD_SIMPLE},
    {"f813", BURH_CBOR_ERR_BAD_SIMPLE},
    {"f81f", BURH_CBOR_ERR_BAD_SIMPLE},
    {"f820", BURH_CBOR_OK},
    /* UTF-8 */
    {"61ff", BURH_CBOR_ERR_INVALID_UTF8},
    {"6180", BURH_CBOR_ERR_INVALID_UTF8},
    {"62c080", BURH_CBOR_ERR_INVALID_UTF8},
    {"62c1bf", BURH_CBOR_ERR_INVALID_UTF8},
    {"63e08080", BURH_CBOR_ERR_INVALID_UTF8},
    {"63eda080", BURH_CBOR_ERR_INVALID_UTF8},
    {"64f0808080", BURH_CBOR_ERR_INVALID_UTF8},
    {"64f4908080", BURH_CBOR_ERR_INVALID_UTF8},
    {"64f5808080", BURH_CBOR_ERR_INVALID_UTF8},
    {"61c3", BURH_CBOR_ERR_INVALID_UTF8},
    {"62e6b0", BURH_CBOR_ERR_INVALID_UTF8},
    {"7f61c361bcff", BURH_CBOR_ERR_INVALID_UTF8},
    {"63efbfbf", BURH_CBOR_OK},
    {"64f48fbfbf", BURH_CBOR_OK},
    {"63ed9fbf", BURH_CBOR_OK},
};

static void test_error_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        burh_cbor_err err = decode_hex(malformed[i].hex, 0);
        if (err != malformed[i].want)
            fail_msg("%s: got %s, want %s", malformed[i].hex, burh_cbor_errstr(err),
                     burh_cbor_errstr(malformed[i].want));
    }
}

static void test_strict_mode(void **state)
{
    static const struct {
        const char *hex;
        burh_cbor_err want;
    } cases[] = {
        {"1817", BURH_CBOR_ERR_NOT_SHORTEST},
        {"190017", BURH_CBOR_ERR_NOT_SHORTEST},
        {"1900ff", BURH_CBOR_ERR_NOT_SHORTEST},
        {"1a0000ffff", BURH_CBOR_ERR_NOT_SHORTEST},
        {"1b00000000ffffffff", BURH_CBOR_ERR_NOT_SHORTEST},
        {"3800", BURH_CBOR_ERR_NOT_SHORTEST},
        {"580100", BURH_CBOR_ERR_NOT_SHORTEST},
        {"98020102", BURH_CBOR_ERR_NOT_SHORTEST},
        {"d80100", BURH_CBOR_ERR_NOT_SHORTEST},
        {"fa3f800000", BURH_CBOR_ERR_NOT_SHORTEST},
        {"fb3ff0000000000000", BURH_CBOR_ERR_NOT_SHORTEST},
        {"fb3ff8000000000000", BURH_CBOR_ERR_NOT_SHORTEST},
        {"fa7fc00001", BURH_CBOR_OK}, /* NaN payload that needs single precision */
        {"fb7ff8000000000001", BURH_CBOR_OK},
        {"fb7ff8000020000000", BURH_CBOR_ERR_NOT_SHORTEST},
        {"9fff", BURH_CBOR_ERR_INDEFINITE},
        {"bfff", BURH_CBOR_ERR_INDEFINITE},
        {"5fff", BURH_CBOR_ERR_INDEFINITE},
        {"7fff", BURH_CBOR_ERR_INDEFINITE},
        {"a2020001 00", BURH_CBOR_ERR_UNSORTED_KEYS},
        {"a201000100", BURH_CBOR_ERR_DUPLICATE_KEY},
        {"a2616100616100", BURH_CBOR_ERR_DUPLICATE_KEY},
        {"a2616200616100", BURH_CBOR_ERR_UNSORTED_KEYS},
        {"a2626161006162 00", BURH_CBOR_ERR_UNSORTED_KEYS}, /* "b" < "aa" bytewise */
        {"a2616200626161 00", BURH_CBOR_OK},
        {"a2c1000001 00", BURH_CBOR_ERR_UNSORTED_KEYS},
        {"a201a2020003000200", BURH_CBOR_OK},
        {"a201a2030002000200", BURH_CBOR_ERR_UNSORTED_KEYS}, /* inner map */
        {"a2810100810000", BURH_CBOR_ERR_UNSORTED_KEYS},
        {"f820", BURH_CBOR_OK},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char clean[64];
        size_t k = 0;
        for (const char *p = cases[i].hex; *p; p++)
            if (*p != ' ')
                clean[k++] = *p;
        clean[k] = 0;
        burh_cbor_err err = decode_hex(clean, BURH_CBOR_STRICT);
        if (err != cases[i].want)
            fail_msg("%s: got %s, want %s", clean, burh_cbor_errstr(err),
                     burh_cbor_errstr(cases[i].want));
        /* Everything here is well-formed, so lax decoding takes it. */
        assert_int_equal(decode_hex(clean, 0), BURH_CBOR_OK);
    }
}

static void test_depth_limit(void **state)
{
    uint8_t in[80];
    (void)state;

    memset(in, 0x81, sizeof in); /* [[[[...0...]]]] */
    in[32] = 0x00;
    assert_int_equal(decode_all(in, 33, 0, 0), BURH_CBOR_OK); /* depth 32 */
    in[33] = 0x00;
    memset(in, 0x81, 33);
    assert_int_equal(decode_all(in, 34, 0, 0), BURH_CBOR_ERR_DEPTH); /* depth 33 */
    assert_int_equal(decode_all(in, 34, 0, 33), BURH_CBOR_OK);
    assert_int_equal(decode_all(in, 34, 0, 4), BURH_CBOR_ERR_DEPTH);
    memset(in, 0x81, 32); /* an empty container nests as deep as a full one */
    in[31] = 0x80;
    assert_int_equal(decode_all(in, 32, 0, 0), BURH_CBOR_OK); /* [] at depth 32 */
    in[31] = 0x81;
    in[32] = 0xa0;
    assert_int_equal(decode_all(in, 33, 0, 0), BURH_CBOR_ERR_DEPTH); /* {} at depth 33 */
    memset(in, 0x9f, 70); /* indefinite arrays count too, and beyond the maximum */
    assert_int_equal(decode_all(in, 70, 0, 1000), BURH_CBOR_ERR_DEPTH);
    memset(in, 0xc0, 70); /* a long chain of tags is not nesting: it just ends early */
    assert_int_equal(decode_all(in, 70, 0, 0), BURH_CBOR_ERR_TRUNCATED);
    in[69] = 0x00;
    assert_int_equal(decode_all(in, 70, 0, 0), BURH_CBOR_OK);
}

static void test_sticky_error(void **state)
{
    static const uint8_t in[] = {0x82, 0x01, 0x1c, 0x02};
    burh_cbor_decoder d;
    burh_cbor_item it;
    (void)state;

    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(in, sizeof in), 0);
    assert_int_equal(burh_cbor_next(&d, &it), BURH_CBOR_OK);
    assert_int_equal(burh_cbor_next(&d, &it), BURH_CBOR_OK);
    assert_int_equal(burh_cbor_next(&d, &it), BURH_CBOR_ERR_RESERVED_AI);
    assert_int_equal(burh_cbor_next(&d, &it), BURH_CBOR_ERR_RESERVED_AI);
    assert_int_equal(burh_cbor_skip(&d), BURH_CBOR_ERR_RESERVED_AI);
    assert_int_equal(burh_cbor_decoder_error(&d), BURH_CBOR_ERR_RESERVED_AI);
    assert_int_equal(burh_cbor_decoder_finish(&d), BURH_CBOR_ERR_RESERVED_AI);
    assert_int_equal(burh_cbor_decoder_offset(&d), 2);
    for (int e = BURH_CBOR_OK; e <= BURH_CBOR_ERR_ARGS; e++)
        assert_string_not_equal(burh_cbor_errstr((burh_cbor_err)e), "unknown CBOR error");
}

static void test_scratch(void **state)
{
    static const uint8_t in[] = {0x82, 0x5f, 0x42, 1,    2,   0x41, 3,   0xff,
                                 0x7f, 0x61, 'a',  0x62, 'b', 'c',  0xff};
    uint8_t scratch[6];
    burh_cbor_decoder d;
    burh_cbor_item arr, a, b;
    (void)state;

    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(in, sizeof in), 0);
    burh_cbor_decoder_set_scratch(&d, scratch, sizeof scratch);
    assert_int_equal(burh_cbor_next(&d, &arr), BURH_CBOR_OK);
    assert_int_equal(burh_cbor_next(&d, &a), BURH_CBOR_OK);
    assert_int_equal(burh_cbor_next(&d, &b), BURH_CBOR_OK);
    assert_true(a.indefinite && a.type == BURH_CBOR_BYTES);
    assert_memory_equal(a.str.ptr, "\x01\x02\x03", 3);
    assert_true(b.type == BURH_CBOR_TEXT && b.str.len == 3);
    assert_memory_equal(b.str.ptr, "abc", 3); /* the first result is still intact */
    assert_memory_equal(a.str.ptr, "\x01\x02\x03", 3);
    assert_int_equal(burh_cbor_decoder_finish(&d), BURH_CBOR_OK);

    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(in, sizeof in), 0);
    burh_cbor_decoder_set_scratch(&d, scratch, 5);
    assert_int_equal(burh_cbor_next(&d, &arr), BURH_CBOR_OK);
    assert_int_equal(burh_cbor_next(&d, &a), BURH_CBOR_OK);
    assert_int_equal(burh_cbor_next(&d, &b), BURH_CBOR_ERR_SCRATCH_TOO_SMALL);

    /* Skipping needs no scratch. */
    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(in, sizeof in), 0);
    assert_int_equal(burh_cbor_skip(&d), BURH_CBOR_OK);
    assert_int_equal(burh_cbor_decoder_finish(&d), BURH_CBOR_OK);
}

/* ---- helpers: raw ranges, skip, maps, sequences ------------------------------------------- */

static void test_raw_and_skip(void **state)
{
    uint8_t in[64];
    size_t n = tu_unhex("83"
                        "01"
                        "a1616182029f03ff"
                        "c4"
                        "4100",
                        in, sizeof in);
    burh_cbor_decoder d;
    burh_cbor_item arr, it;
    burh_cbor_bytes raw;
    char hex[100];
    (void)state;

    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(in, n), 0);
    assert_int_equal(burh_cbor_next(&d, &arr), BURH_CBOR_OK);
    assert_int_equal(burh_cbor_next_raw(&d, &raw), BURH_CBOR_OK);
    tu_tohex(raw.ptr, raw.len, hex);
    assert_string_equal(hex, "01");
    assert_int_equal(burh_cbor_next_raw(&d, &raw), BURH_CBOR_OK);
    tu_tohex(raw.ptr, raw.len, hex);
    assert_string_equal(hex, "a1616182029f03ff");
    assert_int_equal(burh_cbor_next_raw(&d, &raw), BURH_CBOR_OK);
    tu_tohex(raw.ptr, raw.len, hex);
    assert_string_equal(hex, "c44100");
    assert_true(burh_cbor_container_done(&d, &arr));
    assert_int_equal(burh_cbor_next_raw(&d, &raw), BURH_CBOR_END);
    assert_int_equal(burh_cbor_decoder_finish(&d), BURH_CBOR_OK);

    /* skip_rest leaves the rest of a container behind */
    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(in, n), 0);
    assert_int_equal(burh_cbor_next(&d, &arr), BURH_CBOR_OK);
    assert_int_equal(burh_cbor_next(&d, &it), BURH_CBOR_OK);
    assert_int_equal(it.level, 1);
    assert_int_equal(burh_cbor_next(&d, &it), BURH_CBOR_OK);
    assert_int_equal(it.type, BURH_CBOR_MAP);
    assert_int_equal(burh_cbor_skip_rest(&d, &it), BURH_CBOR_OK);
    assert_int_equal(burh_cbor_next(&d, &it), BURH_CBOR_OK);
    assert_int_equal(it.type, BURH_CBOR_TAG);
    assert_int_equal(it.u, 4);
    assert_int_equal(burh_cbor_skip_rest(&d, &it), BURH_CBOR_OK);
    assert_int_equal(burh_cbor_next(&d, &it), BURH_CBOR_END);
    assert_int_equal(burh_cbor_decoder_finish(&d), BURH_CBOR_OK);

    /* stopping early is reported */
    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(in, n), 0);
    assert_int_equal(burh_cbor_next(&d, &arr), BURH_CBOR_OK);
    assert_int_equal(burh_cbor_decoder_finish(&d), BURH_CBOR_ERR_TRAILING);
}

static void test_map_lookup(void **state)
{
    uint8_t buf[128];
    size_t n;
    burh_cbor_encoder e;
    burh_cbor_decoder d;
    burh_cbor_bytes map, v;
    uint64_t u;
    (void)state;

    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_array_begin(&e);
    burh_cbor_enc_map_begin(&e);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("version"));
    burh_cbor_enc_uint(&e, 3);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("name"));
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("keep"));
    burh_cbor_enc_uint(&e, 7);
    burh_cbor_enc_bytes(&e, BURH_CBOR_LIT("\x01\x02"));
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("digest"));
    burh_cbor_enc_bytes(&e, BURH_CBOR_LIT("\xaa\xbb"));
    burh_cbor_enc_map_end(&e);
    burh_cbor_enc_array_end(&e);
    assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_OK);

    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(buf, n), BURH_CBOR_STRICT);
    assert_int_equal(burh_cbor_next_map(&d, &map), BURH_CBOR_ERR_TYPE); /* the array */
    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(buf + 1, n - 1), BURH_CBOR_STRICT);
    assert_int_equal(burh_cbor_next_map(&d, &map), BURH_CBOR_OK);
    assert_int_equal(burh_cbor_decoder_finish(&d), BURH_CBOR_OK);

    assert_int_equal(burh_cbor_map_get_uint(map, BURH_CBOR_LIT("version"), &u), BURH_CBOR_OK);
    assert_int_equal(u, 3);
    assert_int_equal(burh_cbor_map_get_text(map, BURH_CBOR_LIT("name"), &v), BURH_CBOR_OK);
    assert_true(v.len == 4 && memcmp(v.ptr, "keep", 4) == 0);
    assert_int_equal(burh_cbor_map_get_bytes(map, BURH_CBOR_LIT("digest"), &v), BURH_CBOR_OK);
    assert_true(v.len == 2 && memcmp(v.ptr, "\xaa\xbb", 2) == 0);
    assert_int_equal(burh_cbor_map_get_uint(map, BURH_CBOR_LIT("name"), &u), BURH_CBOR_ERR_TYPE);
    assert_int_equal(burh_cbor_map_get(map, BURH_CBOR_LIT("nam"), &v), BURH_CBOR_ERR_NOT_FOUND);
    assert_int_equal(burh_cbor_map_get(map, BURH_CBOR_LIT(""), &v), BURH_CBOR_ERR_NOT_FOUND);
}

/* Indefinite map, non-shortest key head, duplicate, not a map, broken. */
static void test_map_lookup_odd_maps(void **state)
{
    uint8_t buf[32];
    size_t n;
    burh_cbor_bytes v;
    uint64_t u;
    (void)state;

    n = tu_unhex("bf"
                 "7801"
                 "61"
                 "05"
                 "6162"
                 "06"
                 "ff",
                 buf, sizeof buf);
    assert_int_equal(burh_cbor_map_get_uint(BURH_CBOR_BYTES(buf, n), BURH_CBOR_LIT("a"), &u),
                     BURH_CBOR_OK);
    assert_int_equal(u, 5);
    n = tu_unhex("a3616101616202616103", buf, sizeof buf);
    assert_int_equal(burh_cbor_map_get(BURH_CBOR_BYTES(buf, n), BURH_CBOR_LIT("a"), &v),
                     BURH_CBOR_ERR_DUPLICATE_KEY);
    assert_int_equal(burh_cbor_map_get(BURH_CBOR_BYTES(buf, n), BURH_CBOR_LIT("b"), &v),
                     BURH_CBOR_OK);
    n = tu_unhex("816161", buf, sizeof buf);
    assert_int_equal(burh_cbor_map_get(BURH_CBOR_BYTES(buf, n), BURH_CBOR_LIT("a"), &v),
                     BURH_CBOR_ERR_TYPE);
    n = tu_unhex("a2616101", buf, sizeof buf);
    assert_int_equal(burh_cbor_map_get(BURH_CBOR_BYTES(buf, n), BURH_CBOR_LIT("a"), &v),
                     BURH_CBOR_ERR_TOO_LONG);
    n = tu_unhex("a1616101ff", buf, sizeof buf);
    assert_int_equal(burh_cbor_map_get(BURH_CBOR_BYTES(buf, n), BURH_CBOR_LIT("a"), &v),
                     BURH_CBOR_ERR_TRAILING);
}

static void test_sequence(void **state)
{
    uint8_t in[16];
    size_t n = tu_unhex("01"
                        "6161"
                        "a0"
                        "9f01ff",
                        in, sizeof in);
    burh_cbor_decoder d;
    burh_cbor_item it;
    unsigned count = 0;
    (void)state;

    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(in, n), BURH_CBOR_SEQUENCE);
    while (burh_cbor_skip(&d) == BURH_CBOR_OK)
        count++;
    assert_int_equal(count, 4);
    assert_int_equal(burh_cbor_decoder_finish(&d), BURH_CBOR_OK);

    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(in, 0), BURH_CBOR_SEQUENCE);
    assert_int_equal(burh_cbor_next(&d, &it), BURH_CBOR_END);
    assert_int_equal(burh_cbor_decoder_finish(&d), BURH_CBOR_OK);

    assert_int_equal(decode_all(in, n, 0, 0), BURH_CBOR_ERR_TRAILING);
    assert_int_equal(decode_all(in, n - 1, BURH_CBOR_SEQUENCE, 0), BURH_CBOR_ERR_TRUNCATED);
    n = tu_unhex("01ff02", in, sizeof in);
    assert_int_equal(decode_all(in, n, BURH_CBOR_SEQUENCE, 0), BURH_CBOR_ERR_BAD_BREAK);
}

/* ---- encoder errors ----------------------------------------------------------------------- */

static void test_encoder_too_small(void **state)
{
    uint8_t buf[8];
    size_t n, need;
    burh_cbor_encoder e;
    (void)state;

    /* too small: the needed size is still computed, and equals the measured one */
    burh_cbor_encoder_init(&e, NULL, 0);
    burh_cbor_enc_array_begin(&e);
    for (unsigned i = 0; i < 30; i++)
        burh_cbor_enc_uint(&e, i * 1000);
    burh_cbor_enc_array_end(&e);
    assert_int_equal(burh_cbor_encoder_finish(&e, &need), BURH_CBOR_OK);
    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_array_begin(&e);
    for (unsigned i = 0; i < 30; i++)
        burh_cbor_enc_uint(&e, i * 1000);
    burh_cbor_enc_array_end(&e);
    assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, need);
    assert_int_equal(need, 2 + 1 + 3 * 29);

    /* the head that no longer fits after the children did */
    burh_cbor_encoder_init(&e, buf, 8);
    burh_cbor_enc_array_begin(&e);
    burh_cbor_enc_bytes(&e, BURH_CBOR_LIT("1234567"));
    burh_cbor_enc_array_end(&e);
    assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 9);
}

static void test_encoder_misuse(void **state)
{
    uint8_t buf[8];
    size_t n;
    burh_cbor_encoder e;
    (void)state;

    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_array_end(&e);
    assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_ERR_UNBALANCED);
    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_map_begin(&e);
    burh_cbor_enc_array_end(&e);
    assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_ERR_UNBALANCED);
    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_array_begin(&e);
    assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_ERR_UNBALANCED);
    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_tag(&e, 5);
    assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_ERR_UNBALANCED);
    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_array_begin(&e);
    burh_cbor_enc_tag(&e, 5);
    burh_cbor_enc_array_end(&e);
    assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_ERR_UNBALANCED);

    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_map_begin(&e);
    burh_cbor_enc_uint(&e, 1);
    burh_cbor_enc_map_end(&e);
    assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_ERR_ODD_MAP);

    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_simple(&e, 24);
    burh_cbor_enc_uint(&e, 1); /* sticky: nothing more is written */
    assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_ERR_ARGS);
    assert_int_equal(n, 0);

    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_bytes(&e, BURH_CBOR_BYTES(NULL, 3));
    assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_ERR_ARGS);

    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("\xc3"));
    assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_ERR_INVALID_UTF8);

    static const char *bad_raw[] = {"", "18", "0102", "ff", "1c", "bf01ff"};
    for (size_t i = 0; i < sizeof bad_raw / sizeof bad_raw[0]; i++) {
        uint8_t raw[8];
        size_t rn = tu_unhex(bad_raw[i], raw, sizeof raw);
        burh_cbor_encoder_init(&e, buf, sizeof buf);
        burh_cbor_enc_raw(&e, BURH_CBOR_BYTES(raw, rn));
        assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_ERR_ARGS);
    }

    burh_cbor_encoder_init(&e, NULL, 0);
    for (int i = 0; i <= BURH_CBOR_ENC_MAX_DEPTH; i++)
        burh_cbor_enc_array_begin(&e);
    assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_ERR_DEPTH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_table),    cmocka_unit_test(test_strict_mode),
        cmocka_unit_test(test_depth_limit),    cmocka_unit_test(test_sticky_error),
        cmocka_unit_test(test_scratch),        cmocka_unit_test(test_raw_and_skip),
        cmocka_unit_test(test_map_lookup),     cmocka_unit_test(test_map_lookup_odd_maps),
        cmocka_unit_test(test_sequence),       cmocka_unit_test(test_encoder_too_small),
        cmocka_unit_test(test_encoder_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
