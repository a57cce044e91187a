/* Unit tests of the CBOR codec: RFC 8949 Appendix A both ways, deterministic ordering. */
#include "test_cbor.h"

typedef struct {
    char s[8192];
    size_t len;
} diag_text;

static void emit(diag_text *o, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(o->s + o->len, sizeof o->s - o->len, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof o->s - o->len);
    o->len += (size_t)n;
}

static void emit_float(diag_text *o, const burh_cbor_item *it)
{
    char tmp[64];
    int p;

    if (isnan(it->f)) {
        emit(o, "NaN");
    } else if (isinf(it->f)) {
        emit(o, it->f < 0 ? "-Infinity" : "Infinity");
    } else {
        for (p = 1; p <= 17; p++) { /* shortest text that reads back the same */
            snprintf(tmp, sizeof tmp, "%.*g", p, it->f);
            if (strtod(tmp, NULL) == it->f)
                break;
        }
        emit(o, "%s", tmp);
    }
    emit(o, "_%d", it->float_size == 2 ? 1 : it->float_size == 4 ? 2 : 3);
}

static void render(burh_cbor_decoder *d, diag_text *o);

static void render_children(burh_cbor_decoder *d, const burh_cbor_item *c, diag_text *o)
{
    unsigned i = 0;

    if (c->indefinite)
        emit(o, "_ ");
    while (!burh_cbor_container_done(d, c)) {
        if (i > 0)
            emit(o, c->type == BURH_CBOR_MAP && i % 2 ? ": " : ", ");
        render(d, o);
        i++;
    }
}

/* Diagnostic notation (RFC 8949 8, with float widths as _1/_2/_3 and joined chunks). */
static void render(burh_cbor_decoder *d, diag_text *o)
{
    burh_cbor_item it;

    if (burh_cbor_next(d, &it) != BURH_CBOR_OK) {
        emit(o, "<error>");
        return;
    }
    switch (it.type) {
    case BURH_CBOR_UINT:
        emit(o, "%llu", (unsigned long long)it.u);
        break;
    case BURH_CBOR_NEGINT:
        if (it.u == UINT64_MAX)
            emit(o, "-18446744073709551616");
        else
            emit(o, "-%llu", (unsigned long long)it.u + 1);
        break;
    case BURH_CBOR_BYTES:
        emit(o, it.indefinite ? "(_ h'" : "h'");
        for (size_t i = 0; i < it.str.len; i++)
            emit(o, "%02x", it.str.ptr[i]);
        emit(o, it.indefinite ? "')" : "'");
        break;
    case BURH_CBOR_TEXT:
        emit(o, it.indefinite ? "(_ \"" : "\"");
        for (size_t i = 0; i < it.str.len; i++)
            emit(o, strchr("\"\\", it.str.ptr[i]) && it.str.ptr[i] ? "\\%c" : "%c", it.str.ptr[i]);
        emit(o, it.indefinite ? "\")" : "\"");
        break;
    case BURH_CBOR_ARRAY:
        emit(o, "[");
        render_children(d, &it, o);
        emit(o, "]");
        break;
    case BURH_CBOR_MAP:
        emit(o, "{");
        render_children(d, &it, o);
        emit(o, "}");
        break;
    case BURH_CBOR_TAG:
        emit(o, "%llu(", (unsigned long long)it.u);
        render(d, o);
        emit(o, ")");
        break;
    case BURH_CBOR_SIMPLE:
        emit(o, "simple(%llu)", (unsigned long long)it.u);
        break;
    case BURH_CBOR_FALSE:
        emit(o, "false");
        break;
    case BURH_CBOR_TRUE:
        emit(o, "true");
        break;
    case BURH_CBOR_NULL:
        emit(o, "null");
        break;
    case BURH_CBOR_UNDEFINED:
        emit(o, "undefined");
        break;
    case BURH_CBOR_FLOAT:
        emit_float(o, &it);
        break;
    }
}

/* ---- RFC 8949 Appendix A ---------------------------------------------------------------- */

/* canon: the bytes are the preferred (deterministic) encoding, so re-encoding gives them back
 * and strict decoding accepts them. */
static const struct {
    const char *hex, *diag;
    int canon;
} appendix[] = {
    {"00", "0", 1},
    {"01", "1", 1},
    {"0a", "10", 1},
    {"17", "23", 1},
    {"1818", "24", 1},
    {"1819", "25", 1},
    {"1864", "100", 1},
    {"1903e8", "1000", 1},
    {"1a000f4240", "1000000", 1},
    {"1b000000e8d4a51000", "1000000000000", 1},
    {"1bffffffffffffffff", "18446744073709551615", 1},
    {"c249010000000000000000", "2(h'010000000000000000')", 1},
    {"3bffffffffffffffff", "-18446744073709551616", 1},
    {"c349010000000000000000", "3(h'010000000000000000')", 1},
    {"20", "-1", 1},
    {"29", "-10", 1},
    {"3863", "-100", 1},
    {"3903e7", "-1000", 1},
    {"f90000", "0_1", 1},
    {"f98000", "-0_1", 1},
    {"f93c00", "1_1", 1},
    {"fb3ff199999999999a", "1.1_3", 1},
    {"f93e00", "1.5_1", 1},
    {"f97bff", "65504_1", 1},
    {"fa47c35000", "1e+05_2", 1},
    {"fa7f7fffff", "3.4028234663852886e+38_2", 1},
    {"fb7e37e43c8800759c", "1e+300_3", 1},
    {"f90001", "5.9604644775390625e-08_1", 1},
    {"f90400", "6.103515625e-05_1", 1},
    {"f9c400", "-4_1", 1},
    {"fbc010666666666666", "-4.1_3", 1},
    {"f97c00", "Infinity_1", 1},
    {"f97e00", "NaN_1", 1},
    {"f9fc00", "-Infinity_1", 1},
    {"fa7f800000", "Infinity_2", 0},
    {"fa7fc00000", "NaN_2", 0},
    {"faff800000", "-Infinity_2", 0},
    {"fb7ff0000000000000", "Infinity_3", 0},
    {"fb7ff8000000000000", "NaN_3", 0},
    {"fbfff0000000000000", "-Infinity_3", 0},
    {"f4", "false", 1},
    {"f5", "true", 1},
    {"f6", "null", 1},
    {"f7", "undefined", 1},
    {"f0", "simple(16)", 1},
    {"f8ff", "simple(255)", 1},
    {"c074323031332d30332d32315432303a30343a30305a", "0(\"2013-03-21T20:04:00Z\")", 1},
    {"c11a514b67b0", "1(1363896240)", 1},
    {"c1fb41d452d9ec200000", "1(1363896240.5_3)", 1},
    {"d74401020304", "23(h'01020304')", 1},
    {"d818456449455446", "24(h'6449455446')", 1},
    {"d82076687474703a2f2f7777772e6578616d706c652e636f6d", "32(\"http://www.example.com\")", 1},
    {"40", "h''", 1},
    {"4401020304", "h'01020304'", 1},
    {"60", "\"\"", 1},
    {"6161", "\"a\"", 1},
    {"6449455446", "\"IETF\"", 1},
    {"62225c", "\"\\\"\\\\\"", 1},
    {"62c3bc", "\"\xc3\xbc\"", 1},
    {"63e6b0b4", "\"\xe6\xb0\xb4\"", 1},
    {"64f0908591", "\"\xf0\x90\x85\x91\"", 1},
    {"80", "[]", 1},
    {"83010203", "[1, 2, 3]", 1},
    {"8301820203820405", "[1, [2, 3], [4, 5]]", 1},
    {"98190102030405060708090a0b0c0d0e0f101112131415161718181819",
     "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, "
     "25]",
     1},
    {"a0", "{}", 1},
    {"a201020304", "{1: 2, 3: 4}", 1},
    {"a26161016162820203", "{\"a\": 1, \"b\": [2, 3]}", 1},
    {"826161a161626163", "[\"a\", {\"b\": \"c\"}]", 1},
    {"a56161614161626142616361436164614461656145",
     "{\"a\": \"A\", \"b\": \"B\", \"c\": \"C\", \"d\": \"D\", \"e\": \"E\"}", 1},
    {"5f42010243030405ff", "(_ h'0102030405')", 0},
    {"7f657374726561646d696e67ff", "(_ \"streaming\")", 0},
    {"9fff", "[_ ]", 0},
    {"9f018202039f0405ffff", "[_ 1, [2, 3], [_ 4, 5]]", 0},
    {"9f01820203820405ff", "[_ 1, [2, 3], [4, 5]]", 0},
    {"83018202039f0405ff", "[1, [2, 3], [_ 4, 5]]", 0},
    {"83019f0203ff820405", "[1, [_ 2, 3], [4, 5]]", 0},
    {"9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
     "[_ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, "
     "24, 25]",
     0},
    {"bf61610161629f0203ffff", "{_ \"a\": 1, \"b\": [_ 2, 3]}", 0},
    {"826161bf61626163ff", "[\"a\", {_ \"b\": \"c\"}]", 0},
    {"bf6346756ef563416d7421ff", "{_ \"Fun\": true, \"Amt\": -2}", 0},
};
#define N_APPENDIX (sizeof appendix / sizeof appendix[0])

static void test_appendix_decode(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_APPENDIX; i++) {
        uint8_t in[256], scratch[256];
        size_t n = tu_unhex(appendix[i].hex, in, sizeof in);
        burh_cbor_decoder d;
        burh_cbor_item it;
        diag_text o = {.len = 0};

        burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(in, n), 0);
        burh_cbor_decoder_set_scratch(&d, scratch, sizeof scratch);
        render(&d, &o);
        assert_string_equal(o.s, appendix[i].diag);
        assert_int_equal(burh_cbor_next(&d, &it), BURH_CBOR_END);
        assert_int_equal(burh_cbor_decoder_finish(&d), BURH_CBOR_OK);
        assert_int_equal(decode_all(in, n, 0, 0), BURH_CBOR_OK);
    }
}

static void test_appendix_strict(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_APPENDIX; i++) {
        burh_cbor_err err = decode_hex(appendix[i].hex, BURH_CBOR_STRICT);
        if (appendix[i].canon)
            assert_int_equal(err, BURH_CBOR_OK);
        else
            assert_true(err == BURH_CBOR_ERR_NOT_SHORTEST || err == BURH_CBOR_ERR_INDEFINITE);
    }
}

/* Every preferred encoding of the appendix comes back byte for byte from the encoder. */
static void test_appendix_reencode(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_APPENDIX; i++) {
        uint8_t in[256], out[256], scratch[256];
        char hex[600];
        size_t n = tu_unhex(appendix[i].hex, in, sizeof in), m;
        burh_cbor_decoder d;
        burh_cbor_encoder e;

        burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(in, n), 0);
        burh_cbor_decoder_set_scratch(&d, scratch, sizeof scratch);
        burh_cbor_encoder_init(&e, out, sizeof out);
        transcode(&d, &e);
        assert_int_equal(burh_cbor_decoder_finish(&d), BURH_CBOR_OK);
        assert_int_equal(burh_cbor_encoder_finish(&e, &m), BURH_CBOR_OK);
        tu_tohex(out, m, hex);
        if (appendix[i].canon)
            assert_string_equal(hex, appendix[i].hex);
        /* Whatever went in, what comes out is deterministic. */
        assert_int_equal(decode_all(out, m, BURH_CBOR_STRICT, 0), BURH_CBOR_OK);
    }
}

static void test_encode_ints(void **state)
{
    static const struct {
        const char *hex;
        int neg; /* value is -1 - u */
        uint64_t u;
    } ints[] = {
        {"00", 0, 0},
        {"01", 0, 1},
        {"0a", 0, 10},
        {"17", 0, 23},
        {"1818", 0, 24},
        {"1819", 0, 25},
        {"1864", 0, 100},
        {"1903e8", 0, 1000},
        {"1a000f4240", 0, 1000000},
        {"1b000000e8d4a51000", 0, 1000000000000ull},
        {"1bffffffffffffffff", 0, UINT64_MAX},
        {"3bffffffffffffffff", 1, UINT64_MAX},
        {"20", 1, 0},
        {"29", 1, 9},
        {"3863", 1, 99},
        {"3903e7", 1, 999},
    };
    (void)state;
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        uint8_t buf[16];
        char hex[40];
        burh_cbor_encoder e;

        burh_cbor_encoder_init(&e, buf, sizeof buf);
        if (ints[i].neg)
            burh_cbor_enc_negint(&e, ints[i].u);
        else
            burh_cbor_enc_uint(&e, ints[i].u);
        ENC_HEX(&e, buf, hex);
        assert_string_equal(hex, ints[i].hex);
        if (ints[i].u <= INT64_MAX) {
            int64_t v = ints[i].neg ? -1 - (int64_t)ints[i].u : (int64_t)ints[i].u;
            burh_cbor_encoder_init(&e, buf, sizeof buf);
            burh_cbor_enc_int(&e, v);
            ENC_HEX(&e, buf, hex);
            assert_string_equal(hex, ints[i].hex);
        }
    }
}

static void test_encode_floats(void **state)
{
    static const struct {
        const char *hex;
        double v;
    } floats[] = {
        {"f90000", 0.0},
        {"f98000", -0.0},
        {"f93c00", 1.0},
        {"fb3ff199999999999a", 1.1},
        {"f93e00", 1.5},
        {"f97bff", 65504.0},
        {"fa47c35000", 100000.0},
        {"fa7f7fffff", 3.4028234663852886e+38},
        {"fb7e37e43c8800759c", 1.0e+300},
        {"f90001", 5.960464477539063e-8},
        {"f90400", 0.00006103515625},
        {"f9c400", -4.0},
        {"fbc010666666666666", -4.1},
        {"f97c00", INFINITY},
        {"f97e00", NAN},
        {"f9fc00", -INFINITY},
    };
    (void)state;
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++) {
        uint8_t buf[16];
        char hex[40];
        burh_cbor_encoder e;

        burh_cbor_encoder_init(&e, buf, sizeof buf);
        burh_cbor_enc_double(&e, floats[i].v);
        ENC_HEX(&e, buf, hex);
        assert_string_equal(hex, floats[i].hex);
        if ((double)(float)floats[i].v == floats[i].v || isnan(floats[i].v)) {
            burh_cbor_encoder_init(&e, buf, sizeof buf);
            burh_cbor_enc_float(&e, (float)floats[i].v);
            ENC_HEX(&e, buf, hex);
            assert_string_equal(hex, floats[i].hex);
        }
    }
}

static void test_encode_simple_tags_strings(void **state)
{
    uint8_t buf[128];
    char hex[300];
    burh_cbor_encoder e;
    static const uint8_t b4[] = {1, 2, 3, 4};
    (void)state;

    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_array_begin(&e);
    burh_cbor_enc_bool(&e, false);
    burh_cbor_enc_bool(&e, true);
    burh_cbor_enc_null(&e);
    burh_cbor_enc_undefined(&e);
    burh_cbor_enc_simple(&e, 16);
    burh_cbor_enc_simple(&e, 255);
    burh_cbor_enc_array_end(&e);
    ENC_HEX(&e, buf, hex);
    assert_string_equal(hex, "86f4f5f6f7f0f8ff");

    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_tag(&e, 0);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("2013-03-21T20:04:00Z"));
    ENC_HEX(&e, buf, hex);
    assert_string_equal(hex, "c074323031332d30332d32315432303a30343a30305a");

    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_array_begin(&e);
    burh_cbor_enc_tag(&e, 1);
    burh_cbor_enc_uint(&e, 1363896240);
    burh_cbor_enc_tag(&e, 1);
    burh_cbor_enc_double(&e, 1363896240.5);
    burh_cbor_enc_tag(&e, 23);
    burh_cbor_enc_bytes(&e, BURH_CBOR_BYTES(b4, 4));
    burh_cbor_enc_tag(&e, 32);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("http://www.example.com"));
    burh_cbor_enc_array_end(&e);
    ENC_HEX(&e, buf, hex);
    assert_string_equal(hex, "84c11a514b67b0c1fb41d452d9ec200000d74401020304"
                             "d82076687474703a2f2f7777772e6578616d706c652e636f6d");

    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_array_begin(&e);
    burh_cbor_enc_bytes(&e, BURH_CBOR_BYTES(NULL, 0));
    burh_cbor_enc_text(&e, BURH_CBOR_BYTES(NULL, 0));
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("\"\\"));
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("\xc3\xbc"));
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("\xe6\xb0\xb4"));
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("\xf0\x90\x85\x91"));
    burh_cbor_enc_array_end(&e);
    ENC_HEX(&e, buf, hex);
    assert_string_equal(hex, "86406062225c62c3bc63e6b0b464f0908591");
}

static void test_encode_containers(void **state)
{
    uint8_t buf[128];
    char hex[300];
    burh_cbor_encoder e;
    (void)state;

    /* [1, [2, 3], [4, 5]] */
    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_array_begin(&e);
    burh_cbor_enc_uint(&e, 1);
    burh_cbor_enc_array_begin(&e);
    burh_cbor_enc_uint(&e, 2);
    burh_cbor_enc_uint(&e, 3);
    burh_cbor_enc_array_end(&e);
    burh_cbor_enc_array_begin(&e);
    burh_cbor_enc_uint(&e, 4);
    burh_cbor_enc_uint(&e, 5);
    burh_cbor_enc_array_end(&e);
    burh_cbor_enc_array_end(&e);
    ENC_HEX(&e, buf, hex);
    assert_string_equal(hex, "8301820203820405");

    /* [1..25]: the count needs a one-byte argument, so the children move up. */
    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_array_begin(&e);
    for (unsigned i = 1; i <= 25; i++)
        burh_cbor_enc_uint(&e, i);
    burh_cbor_enc_array_end(&e);
    ENC_HEX(&e, buf, hex);
    assert_string_equal(hex, "98190102030405060708090a0b0c0d0e0f101112131415161718181819");

    /* {"a": "A", ..., "e": "E"} given in reverse order */
    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_map_begin(&e);
    for (char c = 'e'; c >= 'a'; c--) {
        char k[1] = {c}, v[1] = {(char)(c - 'a' + 'A')};
        burh_cbor_enc_text(&e, BURH_CBOR_BYTES(k, 1));
        burh_cbor_enc_text(&e, BURH_CBOR_BYTES(v, 1));
    }
    burh_cbor_enc_map_end(&e);
    ENC_HEX(&e, buf, hex);
    assert_string_equal(hex, "a56161614161626142616361436164614461656145");
}

/* ["a", {"b": "c"}] and {} and {"a": 1, "b": [2, 3]}: maps sort inside arrays too. */
static void test_encode_nested_containers(void **state)
{
    uint8_t buf[128];
    char hex[300];
    burh_cbor_encoder e;
    (void)state;

    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_array_begin(&e);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("a"));
    burh_cbor_enc_map_begin(&e);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("b"));
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("c"));
    burh_cbor_enc_map_end(&e);
    burh_cbor_enc_map_begin(&e);
    burh_cbor_enc_map_end(&e);
    burh_cbor_enc_map_begin(&e);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("b"));
    burh_cbor_enc_array_begin(&e);
    burh_cbor_enc_uint(&e, 2);
    burh_cbor_enc_uint(&e, 3);
    burh_cbor_enc_array_end(&e);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("a"));
    burh_cbor_enc_uint(&e, 1);
    burh_cbor_enc_map_end(&e);
    burh_cbor_enc_array_end(&e);
    ENC_HEX(&e, buf, hex);
    assert_string_equal(hex, "846161a161626163a0a26161016162820203");
}

/* ---- deterministic map ordering ----------------------------------------------------------- */

static void put_key(burh_cbor_encoder *e, int which)
{
    static const uint8_t arr100[] = {0x81, 0x18, 0x64};

    switch (which) {
    case 0:
        burh_cbor_enc_uint(e, 10);
        break;
    case 1:
        burh_cbor_enc_uint(e, 100);
        break;
    case 2:
        burh_cbor_enc_int(e, -1);
        break;
    case 3:
        burh_cbor_enc_text(e, BURH_CBOR_LIT("z"));
        break;
    case 4:
        burh_cbor_enc_text(e, BURH_CBOR_LIT("aa"));
        break;
    case 5:
        burh_cbor_enc_raw(e, BURH_CBOR_BYTES(arr100, 3));
        break;
    default:
        burh_cbor_enc_bool(e, false);
        break;
    }
}

static void test_deterministic_order(void **state)
{
    /* RFC 8949 4.2.1: bytewise order of the encoded keys. */
    static const char *want = "a70a001864012002617a03626161048118640"
                              "5f406";
    static const int orders[][7] = {
        {0, 1, 2, 3, 4, 5, 6},
        {6, 5, 4, 3, 2, 1, 0},
        {3, 6, 0, 4, 1, 5, 2},
        {1, 0, 3, 2, 5, 4, 6},
    };
    (void)state;
    for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
        uint8_t buf[64];
        char hex[200];
        size_t need;
        burh_cbor_encoder e;

        for (int pass = 0; pass < 2; pass++) { /* pass 0 measures, pass 1 writes */
            burh_cbor_encoder_init(&e, pass ? buf : NULL, sizeof buf);
            burh_cbor_enc_map_begin(&e);
            for (int k = 0; k < 7; k++) {
                put_key(&e, orders[o][k]);
                burh_cbor_enc_uint(&e, (uint64_t)orders[o][k]);
            }
            burh_cbor_enc_map_end(&e);
            if (pass == 0) {
                assert_int_equal(burh_cbor_encoder_finish(&e, &need), BURH_CBOR_OK);
                assert_int_equal(need, strlen(want) / 2);
            }
        }
        ENC_HEX(&e, buf, hex);
        assert_string_equal(hex, want);
        assert_int_equal(decode_all(buf, need, BURH_CBOR_STRICT, 0), BURH_CBOR_OK);
    }
}

static void test_encoder_duplicate_key(void **state)
{
    uint8_t buf[64];
    size_t n;
    burh_cbor_encoder e;
    (void)state;

    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_map_begin(&e);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("k"));
    burh_cbor_enc_uint(&e, 1);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("j"));
    burh_cbor_enc_uint(&e, 2);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("k"));
    burh_cbor_enc_uint(&e, 3);
    burh_cbor_enc_map_end(&e);
    assert_int_equal(burh_cbor_encoder_finish(&e, &n), BURH_CBOR_ERR_DUPLICATE_KEY);
}

static void test_nested_maps_sorted(void **state)
{
    uint8_t buf[64];
    char hex[200];
    burh_cbor_encoder e;
    (void)state;

    /* {2: {"b": 0, "a": 1}, 1: [{"y": 0, "x": 1}]} */
    burh_cbor_encoder_init(&e, buf, sizeof buf);
    burh_cbor_enc_map_begin(&e);
    burh_cbor_enc_uint(&e, 2);
    burh_cbor_enc_map_begin(&e);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("b"));
    burh_cbor_enc_uint(&e, 0);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("a"));
    burh_cbor_enc_uint(&e, 1);
    burh_cbor_enc_map_end(&e);
    burh_cbor_enc_uint(&e, 1);
    burh_cbor_enc_array_begin(&e);
    burh_cbor_enc_map_begin(&e);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("y"));
    burh_cbor_enc_uint(&e, 0);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("x"));
    burh_cbor_enc_uint(&e, 1);
    burh_cbor_enc_map_end(&e);
    burh_cbor_enc_array_end(&e);
    burh_cbor_enc_map_end(&e);
    ENC_HEX(&e, buf, hex);
    assert_string_equal(hex, "a20181a2617801617900"
                             "02a2616101616200");
}

/* ---- decoding errors ---------------------------------------------------------------------- */

static void test_truncated_everywhere(void **state)
{
    (void)state;
    /* CBOR is self-delimiting: no proper prefix of an item is an item. */
    for (size_t i = 0; i < N_APPENDIX; i++) {
        uint8_t in[256];
        size_t n = tu_unhex(appendix[i].hex, in, sizeof in);
        for (size_t cut = 0; cut < n; cut++) {
            burh_cbor_err err = decode_all(in, cut, 0, 0);
            assert_true(err == BURH_CBOR_ERR_TRUNCATED || err == BURH_CBOR_ERR_TOO_LONG);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_appendix_decode),
        cmocka_unit_test(test_appendix_strict),
        cmocka_unit_test(test_appendix_reencode),
        cmocka_unit_test(test_encode_ints),
        cmocka_unit_test(test_encode_floats),
        cmocka_unit_test(test_encode_simple_tags_strings),
        cmocka_unit_test(test_encode_containers),
        cmocka_unit_test(test_encode_nested_containers),
        cmocka_unit_test(test_deterministic_order),
        cmocka_unit_test(test_encoder_duplicate_key),
        cmocka_unit_test(test_nested_maps_sorted),
        cmocka_unit_test(test_truncated_everywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
