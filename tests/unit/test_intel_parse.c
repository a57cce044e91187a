/* Intel quote and collateral parsers: malformed input gives the right error, never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attest/intel/intel_internal.h"

static size_t le16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
    return 2;
}

static size_t le32(uint8_t *p, uint32_t v)
{
    le16(p, v & 0xFFFF), le16(p + 2, v >> 16);
    return 4;
}

/* A structurally valid quote (signatures are not checked by the parser). */
static size_t make_quote(uint8_t *q, unsigned version, uint32_t tee, unsigned body_type)
{
    size_t n = 0, body = tee == 0 ? 384 : (body_type == 3 ? 648 : 584);
    memset(q, 0, 4096);
    le16(q, version), le16(q + 2, 2), le32(q + 4, tee);
    n = 48;
    if (version == 5) {
        n += le16(q + n, body_type);
        n += le32(q + n, (uint32_t)body);
    }
    n += body;
    size_t sd_len_at = n;
    n += 4 + 64 + 64;
    size_t inner_at = n;
    if (version != 3)
        n += 6;
    n += 384 + 64;
    n += le16(q + n, 3) + 3; /* auth data */
    n += le16(q + n, 5);
    n += le32(q + n, 5);
    memcpy(q + n, "CHAIN", 5);
    n += 5;
    if (version != 3) {
        le16(q + inner_at, 6);
        le32(q + inner_at + 2, (uint32_t)(n - inner_at - 6));
    }
    le32(q + sd_len_at, (uint32_t)(n - sd_len_at - 4));
    return n;
}

static burh_intel_err parse(const uint8_t *p, size_t n)
{
    burh_intel_quote *q = NULL;
    burh_intel_err err = burh_intel_quote_parse((burh_intel_bytes){p, n}, &q);
    assert_true((err == BURH_INTEL_OK) == (q != NULL));
    burh_intel_quote_free(q);
    return err;
}

static void test_quote_versions(void **state)
{
    (void)state;
    uint8_t q[4096];
    size_t n = make_quote(q, 3, 0, 1);
    assert_int_equal(parse(q, n), BURH_INTEL_OK);
    n = make_quote(q, 4, 0x81, 2);
    assert_int_equal(parse(q, n), BURH_INTEL_OK);
    n = make_quote(q, 5, 0x81, 3);
    assert_int_equal(parse(q, n), BURH_INTEL_OK);
    n = make_quote(q, 5, 0x81, 2);
    assert_int_equal(parse(q, n), BURH_INTEL_OK);
    q[0] = 2; /* version 2 (EPID) is not supported */
    assert_int_equal(parse(q, n), BURH_INTEL_ERR_VERSION);
    q[0] = 5, q[2] = 3; /* ECDSA-384 attestation key */
    assert_int_equal(parse(q, n), BURH_INTEL_ERR_VERSION);
    q[2] = 2, q[48] = 9; /* unknown v5 body type */
    assert_int_equal(parse(q, n), BURH_INTEL_ERR_VERSION);
    q[48] = 3; /* body type 3 with the size of type 2 */
    assert_int_equal(parse(q, n), BURH_INTEL_ERR_FORMAT);
    n = make_quote(q, 3, 0x81, 1); /* v3 must be SGX */
    assert_int_equal(parse(q, n), BURH_INTEL_ERR_FORMAT);
}

static void test_quote_lengths(void **state)
{
    (void)state;
    uint8_t q[4096];
    size_t n = make_quote(q, 4, 0x81, 2);
    size_t sd = 48 + 584;
    uint8_t saved[4];
    memcpy(saved, q + sd, 4);
    le32(q + sd, 0xFFFFFFFF); /* signature data length far past the end */
    assert_int_equal(parse(q, n), BURH_INTEL_ERR_TRUNCATED);
    memcpy(q + sd, saved, 4);
    le32(q + sd + 4 + 128 + 2, 0xFFFFFFF0); /* type-6 size past the signature data */
    assert_int_equal(parse(q, n), BURH_INTEL_ERR_TRUNCATED);
    n = make_quote(q, 4, 0x81, 2);
    le16(q + sd + 4 + 128, 4); /* certification data type 4 is not type 6 */
    assert_int_equal(parse(q, n), BURH_INTEL_ERR_FORMAT);
    n = make_quote(q, 4, 0x81, 2);
    /* Trailing bytes are allowed and counted. */
    burh_intel_quote *quote = NULL;
    assert_int_equal(burh_intel_quote_parse((burh_intel_bytes){q, n + 70}, &quote), BURH_INTEL_OK);
    assert_int_equal(burh_intel_quote_trailing(quote), 70);
    assert_int_equal(burh_intel_quote_version(quote), 4);
    assert_int_equal(burh_intel_quote_tee(quote), BURH_INTEL_TEE_TDX);
    burh_intel_quote_free(quote);
    assert_int_equal(burh_intel_quote_parse((burh_intel_bytes){NULL, 0}, &quote),
                     BURH_INTEL_ERR_TRUNCATED);
    assert_int_equal(burh_intel_quote_parse((burh_intel_bytes){NULL, 5}, &quote),
                     BURH_INTEL_ERR_ARGS);
}

static void span(const char *json, const char *key, const char *want)
{
    size_t s = 0, e = 0;
    burh_intel_err err = intel_json_member_span((const uint8_t *)json, strlen(json), key, &s, &e);
    if (!want) {
        assert_int_equal(err, BURH_INTEL_ERR_JSON);
        return;
    }
    assert_int_equal(err, BURH_INTEL_OK);
    assert_int_equal(e - s, strlen(want));
    assert_memory_equal(json + s, want, e - s);
}

static void test_json_span(void **state)
{
    (void)state;
    span("{\"tcbInfo\":{\"a\":1},\"signature\":\"ab\"}", "tcbInfo", "{\"a\":1}");
    span(" { \"x\" : [1,{\"tcbInfo\":2}] , \"tcbInfo\" :\n{\"s\":\"}\\\"{\"} }", "tcbInfo",
         "{\"s\":\"}\\\"{\"}");
    span("{\"signature\":\"ab\",\"tcbInfo\":{}}", "tcbInfo", "{}");
    span("{\"n\":12,\"k\":true}", "k", "true");
    span("{\"tcbInfo\":{\"a\":1}", "tcbInfo", "{\"a\":1}"); /* jansson rejects the whole */
    span("{\"tcbInfo\":{\"a\":[1}", "tcbInfo", NULL);
    span("{\"other\":1}", "tcbInfo", NULL);
    span("[\"tcbInfo\"]", "tcbInfo", NULL);
    span("{\"tcbInfo\":\"unterminated}", "tcbInfo", NULL);
    span("", "tcbInfo", NULL);
    /* Deep nesting is refused rather than recursed into. */
    char deep[300] = "{\"tcbInfo\":";
    size_t n = strlen(deep);
    for (int i = 0; i < 100; i++)
        deep[n++] = '[';
    deep[n] = 0;
    span(deep, "tcbInfo", NULL);
}

/* Collateral dates and hex go through the shared helpers of attest_internal.h. */
static bool at(const char *text, int64_t *t)
{
    return burh_attest_parse_rfc3339((burh_bytes){(const uint8_t *)text, strlen(text)}, t);
}

static void test_time_and_hex(void **state)
{
    (void)state;
    int64_t t;
    assert_true(at("2025-07-19T10:00:35Z", &t));
    assert_int_equal(t, 1752919235);
    assert_true(at("2025-07-19T10:00:35.123Z", &t));
    assert_int_equal(t, 1752919235);
    assert_true(at("2025-07-19T11:00:35+01:00", &t));
    assert_int_equal(t, 1752919235);
    assert_false(at("2025-07-19T10:00:35", &t));
    assert_false(at("yesterday", &t));
    uint8_t out[3];
    assert_true(burh_attest_hex_decode("00aFff", 6, out, 3));
    assert_memory_equal(out, "\x00\xaf\xff", 3);
    assert_false(burh_attest_hex_decode("00aFf", 5, out, 3));
    assert_false(burh_attest_hex_decode("00aFfg", 6, out, 3));
}

#define SIG64                                                                                      \
    "\""                                                                                           \
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" \
    "000000000000000000000000000000000000"                                                         \
    "\""
#define SGX_LEVEL_V2                                                                               \
    "{\"tcb\":{\"sgxtcbcomp01svn\":1,\"sgxtcbcomp02svn\":1,\"sgxtcbcomp03svn\":1,"                 \
    "\"sgxtcbcomp04svn\":1,\"sgxtcbcomp05svn\":1,\"sgxtcbcomp06svn\":1,\"sgxtcbcomp07svn\":1,"     \
    "\"sgxtcbcomp08svn\":1,\"sgxtcbcomp09svn\":1,\"sgxtcbcomp10svn\":1,\"sgxtcbcomp11svn\":1,"     \
    "\"sgxtcbcomp12svn\":1,\"sgxtcbcomp13svn\":1,\"sgxtcbcomp14svn\":1,\"sgxtcbcomp15svn\":1,"     \
    "\"sgxtcbcomp16svn\":1,\"pcesvn\":7},\"tcbDate\":\"2020-01-01T00:00:00Z\","                    \
    "\"tcbStatus\":\"%s\"}"

static burh_intel_err tcb_doc(const char *status, const char *extra)
{
    char doc[4096], level[1024];
    snprintf(level, sizeof(level), SGX_LEVEL_V2, status);
    snprintf(doc, sizeof(doc),
             "{\"tcbInfo\":{\"version\":2,\"issueDate\":\"2020-01-01T00:00:00Z\","
             "\"nextUpdate\":\"2020-02-01T00:00:00Z\",\"fmspc\":\"00606a000000\","
             "\"pceId\":\"0000\",\"tcbType\":0,\"tcbEvaluationDataNumber\":5%s,"
             "\"tcbLevels\":[%s]},\"signature\":" SIG64 "}",
             extra, level);
    burh_intel_collateral *col = burh_intel_collateral_new();
    burh_intel_err err =
        burh_intel_collateral_set_tcb_info(col, (burh_intel_bytes){(uint8_t *)doc, strlen(doc)});
    burh_intel_collateral_free(col);
    return err;
}

static void test_tcb_info_reader(void **state)
{
    (void)state;
    assert_int_equal(tcb_doc("UpToDate", ""), BURH_INTEL_OK); /* v2 layout */
    assert_int_equal(tcb_doc("Fine", ""), BURH_INTEL_ERR_JSON);
    assert_int_equal(tcb_doc("UpToDate", ",\"version\":3"), BURH_INTEL_ERR_JSON); /* duplicate */
    assert_int_equal(tcb_doc("UpToDate", ",\"id\":\"XYZ\""), BURH_INTEL_ERR_JSON);
    burh_intel_collateral *col = burh_intel_collateral_new();
    const char *bad[] = {
        "{\"tcbInfo\":{},\"signature\":" SIG64 "}",
        "{\"tcbInfo\":[],\"signature\":" SIG64 "}",
        "{\"tcbInfo\":{\"version\":2},\"signature\":\"abc\"}",
        "{\"enclaveIdentity\":{\"id\":\"QE\"},\"signature\":" SIG64 "}",
        "not json",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        burh_intel_bytes b = {(const uint8_t *)bad[i], strlen(bad[i])};
        assert_int_not_equal(burh_intel_collateral_set_tcb_info(col, b), BURH_INTEL_OK);
        assert_int_not_equal(burh_intel_collateral_set_qe_identity(col, b), BURH_INTEL_OK);
    }
    /* A bundle may carry only some members; malformed ones are refused. */
    const char *partial = "{\"pck_crl\":\"zz\"}";
    assert_int_equal(burh_intel_collateral_load_bundle(
                         col, (burh_intel_bytes){(const uint8_t *)partial, strlen(partial)}),
                     BURH_INTEL_ERR_CERT);
    const char *empty = "{}";
    assert_int_equal(
        burh_intel_collateral_load_bundle(col, (burh_intel_bytes){(const uint8_t *)empty, 2}),
        BURH_INTEL_OK);
    burh_intel_collateral_free(col);
}

static void test_pck_extension_reader(void **state)
{
    (void)state;
    intel_pck_ext ext;
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x05};
    assert_int_equal(intel_pck_ext_parse(junk, sizeof(junk), &ext), BURH_INTEL_ERR_FORMAT);
    static const uint8_t empty_seq[] = {0x30, 0x00};
    assert_int_equal(intel_pck_ext_parse(empty_seq, 2, &ext), BURH_INTEL_ERR_FORMAT);
    static const uint8_t long_len[] = {0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF};
    assert_int_equal(intel_pck_ext_parse(long_len, sizeof(long_len), &ext), BURH_INTEL_ERR_FORMAT);
    assert_int_equal(intel_pck_ext_parse(junk, 0, &ext), BURH_INTEL_ERR_FORMAT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_versions),  cmocka_unit_test(test_quote_lengths),
        cmocka_unit_test(test_json_span),       cmocka_unit_test(test_time_and_hex),
        cmocka_unit_test(test_tcb_info_reader), cmocka_unit_test(test_pck_extension_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
