/* The attester's blob checks: certificate tables, TDX quote lengths, SNP report responses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attest/evidence/evidence_internal.h"

#define ENTRY 24u

static const uint8_t guid_vcek[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
                                      0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
static const uint8_t guid_vlek[16] = {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e,
                                      0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1};
static const uint8_t guid_other[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_entry(uint8_t *t, size_t i, const uint8_t *guid, uint32_t off, uint32_t len)
{
    memcpy(t + i * ENTRY, guid, 16);
    put_le32(t + i * ENTRY + 16, off);
    put_le32(t + i * ENTRY + 20, len);
}

/* Parses a copy of blob (the evidence owns its auxblob). */
static burh_attester_status parse(const uint8_t *blob, size_t len, burh_evidence *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->auxblob = malloc(len ? len : 1);
    assert_non_null(ev->auxblob);
    memcpy(ev->auxblob, blob, len);
    ev->auxblob_len = len;
    burh_attester_error err = {0};
    burh_attester_status st = burh_attester_parse_cert_table(ev, &err);
    assert_int_equal(err.status, st);
    if (st != BURH_ATTESTER_OK)
        assert_int_equal(ev->cert_count, 0);
    return st;
}

static burh_attester_status parse_and_free(const uint8_t *blob, size_t len)
{
    burh_evidence ev;
    burh_attester_status st = parse(blob, len, &ev);
    burh_evidence_free(&ev);
    return st;
}

/* A table: VCEK (short DER, 3 bytes of padding), an unknown GUID (raw), VLEK (long-form DER). */
static size_t good_table(uint8_t *t, size_t cap)
{
    const size_t table = 4 * ENTRY, vcek = 8, other = 5, vlek = 4 + 200;
    assert_true(cap >= table + vcek + other + vlek);
    memset(t, 0, cap);
    uint8_t *p = t + table;
    memcpy(p, "\x30\x03\x02\x01\x05", 5); /* SEQUENCE { INTEGER 5 } + 3 zero bytes */
    p += vcek;
    memcpy(p, "hello", other);
    p += other;
    p[0] = 0x30, p[1] = 0x82, p[2] = 0x00, p[3] = 200; /* SEQUENCE, 200 content bytes */
    memset(p + 4, 0x11, 200);
    put_entry(t, 0, guid_vcek, (uint32_t)table, (uint32_t)vcek);
    put_entry(t, 1, guid_other, (uint32_t)(table + vcek), (uint32_t)other);
    put_entry(t, 2, guid_vlek, (uint32_t)(table + vcek + other), (uint32_t)vlek);
    return table + vcek + other + vlek;
}

static void test_cert_table_good(void **state)
{
    (void)state;
    uint8_t t[512];
    size_t len = good_table(t, sizeof t);
    burh_evidence ev;
    assert_int_equal(parse(t, len, &ev), BURH_ATTESTER_OK);
    assert_int_equal(ev.cert_count, 3);
    assert_int_equal(ev.certs[0].kind, BURH_ATTESTER_CERT_VCEK);
    assert_int_equal(ev.certs[0].len, 5); /* padding trimmed */
    assert_int_equal(ev.certs[1].kind, BURH_ATTESTER_CERT_OTHER);
    assert_memory_equal(ev.certs[1].guid, guid_other, 16);
    assert_int_equal(ev.certs[1].len, 5);
    assert_memory_equal(ev.certs[1].ptr, "hello", 5);
    assert_int_equal(ev.certs[2].kind, BURH_ATTESTER_CERT_VLEK);
    assert_int_equal(ev.certs[2].len, 204);
    assert_ptr_equal(burh_evidence_find_cert(&ev, BURH_ATTESTER_CERT_VLEK), &ev.certs[2]);
    burh_evidence_free(&ev);
}

static void test_cert_table_empty(void **state)
{
    (void)state;
    uint8_t zero[4096] = {0};
    burh_evidence ev;
    assert_int_equal(parse(zero, sizeof zero, &ev), BURH_ATTESTER_OK);
    assert_int_equal(ev.cert_count, 0);
    burh_evidence_free(&ev);
    assert_int_equal(parse_and_free(zero, ENTRY), BURH_ATTESTER_OK);
}

static void test_cert_table_bad(void **state)
{
    (void)state;
    uint8_t t[512];
    size_t len = good_table(t, sizeof t);
    /* every way an entry can point wrong, on the unknown entry (whose bytes are not checked) */
    const struct {
        uint32_t off, len;
    } bad[] = {
        {96 + 8, 0},            /* empty */
        {95, 5},                /* starts inside the table */
        {0, 5},                 /* offset zero */
        {(uint32_t)len - 4, 5}, /* runs past the end */
        {0xFFFFFFF0u, 0x20},    /* offset + length wraps 32 bits */
        {96 + 8, 0xFFFFFFFFu},  /* huge length */
        {96 + 4, 5},            /* overlaps the VCEK before it */
        {96 + 8 + 5 + 100, 5},  /* overlaps the VLEK after it */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t c[512];
        memcpy(c, t, sizeof c);
        put_entry(c, 1, guid_other, bad[i].off, bad[i].len);
        assert_int_equal(parse_and_free(c, len), BURH_ATTESTER_ERR_CERT_TABLE);
    }
    uint8_t c[512];
    /* the terminator has a length */
    memcpy(c, t, sizeof c);
    put_le32(c + 3 * ENTRY + 20, 1);
    assert_int_equal(parse_and_free(c, len), BURH_ATTESTER_ERR_CERT_TABLE);
    /* two VCEKs */
    memcpy(c, t, sizeof c);
    memcpy(c + 2 * ENTRY, guid_vcek, 16);
    assert_int_equal(parse_and_free(c, len), BURH_ATTESTER_ERR_CERT_TABLE);
    /* VCEK is not DER, or its DER claims more than its slot, or its padding is not zero */
    const char *vceks[] = {"\x31\x03\x02\x01\x05", "\x30\x09\x02\x01\x05",
                           "\x30\x03\x02\x01\x05\x00\x00\x01"};
    for (size_t i = 0; i < 3; i++) {
        memcpy(c, t, sizeof c);
        memcpy(c + 4 * ENTRY, vceks[i], i == 2 ? 8 : 5);
        assert_int_equal(parse_and_free(c, len), BURH_ATTESTER_ERR_CERT_TABLE);
    }
    /* a long-form DER length of five bytes */
    memcpy(c, t, sizeof c);
    memcpy(c + 4 * ENTRY, "\x30\x85\x00\x00\x00", 5);
    assert_int_equal(parse_and_free(c, len), BURH_ATTESTER_ERR_CERT_TABLE);
    /* the blob ends inside the table, or right where the terminator should be */
    assert_int_equal(parse_and_free(t, 3 * ENTRY), BURH_ATTESTER_ERR_CERT_TABLE);
    assert_int_equal(parse_and_free(t, 3 * ENTRY + 23), BURH_ATTESTER_ERR_CERT_TABLE);
    assert_int_equal(parse_and_free(t, 10), BURH_ATTESTER_ERR_CERT_TABLE);
}

static void test_cert_table_too_many(void **state)
{
    (void)state;
    size_t n = BURH_ATTESTER_MAX_CERTS + 1, table = (n + 1) * ENTRY;
    uint8_t *t = calloc(1, table + n);
    assert_non_null(t);
    for (size_t i = 0; i < n; i++) {
        uint8_t guid[16] = {0xAB, (uint8_t)i};
        put_entry(t, i, guid, (uint32_t)(table + i), 1);
    }
    assert_int_equal(parse_and_free(t, table + n), BURH_ATTESTER_ERR_CERT_TABLE);
    /* one fewer fits */
    put_entry(t, n - 1, (const uint8_t[16]){0}, 0, 0);
    assert_int_equal(parse_and_free(t, table + n), BURH_ATTESTER_OK);
    free(t);
}

/* ---- TDX quotes ---- */

static uint8_t *tdx_quote(uint16_t version, uint16_t body_type, const uint8_t rd[64], size_t *len)
{
    size_t body = body_type == 3 ? 648 : 584, sig = 300;
    size_t body_at = version == 5 ? 54 : 48;
    *len = body_at + body + 4 + sig;
    uint8_t *q = calloc(1, *len);
    assert_non_null(q);
    q[0] = (uint8_t)version;
    q[2] = 2;
    put_le32(q + 4, 0x81);
    if (version == 5) {
        q[48] = (uint8_t)body_type;
        put_le32(q + 50, (uint32_t)body);
    }
    memcpy(q + body_at + 520, rd, 64);
    put_le32(q + body_at + body, (uint32_t)sig);
    return q;
}

static void test_tdx_quotes(void **state)
{
    (void)state;
    uint8_t rd[64], other[64] = {0};
    memset(rd, 0x5A, sizeof rd);
    const uint16_t shapes[][2] = {{4, 0}, {5, 2}, {5, 3}};
    for (size_t i = 0; i < 3; i++) {
        size_t len;
        uint8_t *q = tdx_quote(shapes[i][0], shapes[i][1], rd, &len);
        assert_int_equal(burh_attester_check_tdx_quote(q, len, rd, NULL), BURH_ATTESTER_OK);
        assert_int_equal(burh_attester_check_tdx_quote(q, len, other, NULL),
                         BURH_ATTESTER_ERR_NOT_BOUND);
        /* one byte more or less than the quote's own lengths say, or cut anywhere */
        assert_int_equal(burh_attester_check_tdx_quote(q, len - 1, rd, NULL),
                         BURH_ATTESTER_ERR_MALFORMED);
        uint8_t *longer = calloc(1, len + 1);
        memcpy(longer, q, len);
        assert_int_equal(burh_attester_check_tdx_quote(longer, len + 1, rd, NULL),
                         BURH_ATTESTER_ERR_MALFORMED);
        free(longer);
        for (size_t cut = 0; cut < len; cut += 37)
            assert_int_equal(burh_attester_check_tdx_quote(q, cut, rd, NULL),
                             BURH_ATTESTER_ERR_MALFORMED);
        free(q);
    }
    size_t len;
    uint8_t *q = tdx_quote(5, 2, rd, &len);
    put_le32(q + 50, 648); /* body type 2 with the TDX 1.5 size */
    assert_int_equal(burh_attester_check_tdx_quote(q, len, rd, NULL), BURH_ATTESTER_ERR_MALFORMED);
    free(q);
    q = tdx_quote(4, 0, rd, &len);
    put_le32(q + 4, 0); /* an SGX quote */
    assert_int_equal(burh_attester_check_tdx_quote(q, len, rd, NULL), BURH_ATTESTER_ERR_MALFORMED);
    put_le32(q + 4, 0x81);
    q[0] = 3;
    assert_int_equal(burh_attester_check_tdx_quote(q, len, rd, NULL), BURH_ATTESTER_ERR_MALFORMED);
    q[0] = 4;
    put_le32(q + 632, 0xFFFFFFFFu); /* a signature length that would wrap */
    assert_int_equal(burh_attester_check_tdx_quote(q, len, rd, NULL), BURH_ATTESTER_ERR_MALFORMED);
    free(q);
}

/* ---- SNP ---- */

static void test_snp_report_checks(void **state)
{
    (void)state;
    uint8_t report[BURH_ATTESTER_SNP_REPORT_SIZE + 1] = {0}, rd[64];
    memset(rd, 0x33, sizeof rd);
    memcpy(report + 0x50, rd, 64);
    report[0x30] = 1;
    assert_int_equal(burh_attester_check_snp_report(report, 1184, rd, false, 0, NULL),
                     BURH_ATTESTER_OK);
    assert_int_equal(burh_attester_check_snp_report(report, 1184, rd, true, 1, NULL),
                     BURH_ATTESTER_OK);
    assert_int_equal(burh_attester_check_snp_report(report, 1184, rd, true, 0, NULL),
                     BURH_ATTESTER_ERR_NOT_BOUND);
    assert_int_equal(burh_attester_check_snp_report(report, 1183, rd, false, 0, NULL),
                     BURH_ATTESTER_ERR_MALFORMED);
    assert_int_equal(burh_attester_check_snp_report(report, 1185, rd, false, 0, NULL),
                     BURH_ATTESTER_ERR_MALFORMED);
    rd[63] ^= 1;
    assert_int_equal(burh_attester_check_snp_report(report, 1184, rd, false, 0, NULL),
                     BURH_ATTESTER_ERR_NOT_BOUND);
}

static void test_report_response(void **state)
{
    (void)state;
    uint8_t resp[4000] = {0};
    const uint8_t *report = NULL;
    put_le32(resp + 4, 1184);
    resp[0x20] = 0x77;
    assert_int_equal(burh_attester_parse_report_resp(resp, sizeof resp, &report, NULL),
                     BURH_ATTESTER_OK);
    assert_ptr_equal(report, resp + 0x20);
    put_le32(resp, 0x16); /* INVALID_PARAM from the firmware */
    burh_attester_error err;
    assert_int_equal(burh_attester_parse_report_resp(resp, sizeof resp, &report, &err),
                     BURH_ATTESTER_ERR_FIRMWARE);
    assert_non_null(strstr(err.message, "0x16"));
    put_le32(resp, 0);
    put_le32(resp + 4, 4000);
    assert_int_equal(burh_attester_parse_report_resp(resp, sizeof resp, &report, NULL),
                     BURH_ATTESTER_ERR_MALFORMED);
    put_le32(resp + 4, 1184);
    assert_int_equal(burh_attester_parse_report_resp(resp, 0x20 + 1183, &report, NULL),
                     BURH_ATTESTER_ERR_MALFORMED);
    assert_int_equal(burh_attester_parse_report_resp(resp, 0x1F, &report, NULL),
                     BURH_ATTESTER_ERR_MALFORMED);
}

static void test_names(void **state)
{
    (void)state;
    for (int s = BURH_ATTESTER_OK; s <= BURH_ATTESTER_ERR_RACE; s++)
        assert_string_not_equal(burh_attester_strerror((burh_attester_status)s), "unknown error");
    assert_string_equal(burh_attester_strerror((burh_attester_status)99), "unknown error");
    assert_string_equal(burh_attester_platform_name(BURH_ATTESTER_PLATFORM_SNP), "snp");
    assert_string_equal(burh_attester_platform_name(BURH_ATTESTER_PLATFORM_TDX), "tdx");
    assert_null(burh_attester_platform_name((burh_attester_platform)9));
    assert_string_equal(burh_attester_source_name(BURH_ATTESTER_SOURCE_TSM), "configfs-tsm");
    assert_null(burh_attester_source_name((burh_attester_source)9));
    assert_string_equal(burh_attester_cert_kind_name(BURH_ATTESTER_CERT_ARK), "ark");
    assert_null(burh_attester_cert_kind_name((burh_attester_cert_kind)9));
    assert_int_equal(burh_attester_platform_of_provider("sev_guest"), BURH_ATTESTER_PLATFORM_SNP);
    assert_int_equal(burh_attester_platform_of_provider("tdx_guest"), BURH_ATTESTER_PLATFORM_TDX);
    assert_int_equal(burh_attester_platform_of_provider("sev"), BURH_ATTESTER_PLATFORM_NONE);
}

/* Random corruption of good inputs: the parsers may accept or refuse, never read out of bounds
 * (run under ASan) and never hand back a certificate outside the blob. A stand-in for a
 * libFuzzer target until one exists in fuzz/. */
static uint32_t next_random(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void test_mutations(void **state)
{
    (void)state;
    uint8_t t[512], c[512], rd[64] = {0};
    size_t len = good_table(t, sizeof t), qlen;
    uint8_t *q = tdx_quote(5, 3, rd, &qlen);
    uint8_t *qc = malloc(qlen);
    uint32_t seed = 0x1234567u;
    for (int round = 0; round < 20000; round++) {
        memcpy(c, t, sizeof c);
        size_t cut = len - next_random(&seed) % 40u;
        for (int k = 0, n = 1 + (int)(next_random(&seed) % 4u); k < n; k++)
            c[next_random(&seed) % 120u] = (uint8_t)next_random(&seed);
        burh_evidence ev;
        if (parse(c, cut, &ev) == BURH_ATTESTER_OK)
            for (size_t i = 0; i < ev.cert_count; i++)
                assert_true(ev.certs[i].ptr >= ev.auxblob &&
                            ev.certs[i].ptr + ev.certs[i].len <= ev.auxblob + ev.auxblob_len);
        burh_evidence_free(&ev);
        memcpy(qc, q, qlen);
        for (int k = 0; k < 3; k++)
            qc[next_random(&seed) % 60u] = (uint8_t)next_random(&seed);
        burh_attester_check_tdx_quote(qc, qlen - next_random(&seed) % 8u, rd, NULL);
    }
    free(q);
    free(qc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cert_table_good), cmocka_unit_test(test_cert_table_empty),
        cmocka_unit_test(test_cert_table_bad),  cmocka_unit_test(test_cert_table_too_many),
        cmocka_unit_test(test_tdx_quotes),      cmocka_unit_test(test_snp_report_checks),
        cmocka_unit_test(test_report_response), cmocka_unit_test(test_names),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
