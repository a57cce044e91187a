/* RA-TLS: certificates with nil evidence made and verified; each named check made to fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/x509v3.h>

#include "attest/ratls_internal.h"
#include "burh/ratls.h"

#define ALLOW_NIL "{\"allow_backends\": [\"nil\"]}"

static const uint8_t NONCE[] = {0x6e, 0x6f, 0x6e, 0x63, 0x65, 0x2d, 0x31};

/* How a test certificate departs from a good one. */
typedef struct cert_recipe {
    burh_bytes nonce;      /* put in the claims */
    EVP_PKEY *claims_key;  /* NULL: the certificate key */
    bool break_binding;    /* REPORT_DATA[0] flipped */
    bool dirty_tail;       /* REPORT_DATA[40] set */
    int64_t nb, na;        /* 0, 0: default validity */
    EVP_PKEY *signing_key; /* NULL: the certificate key (self-signed) */
} cert_recipe;

static EVP_PKEY *new_key(void)
{
    EVP_PKEY *k = NULL;
    assert_int_equal(burh_ratls_key_generate(&k, NULL), BURH_ATTEST_OK);
    return k;
}

static X509 *make_nil_cert(EVP_PKEY *key, const cert_recipe *rc)
{
    uint8_t claims[BURH_RATLS_CLAIMS_MAX], ev[BURH_UNSIGNED_EVIDENCE_SIZE];
    size_t claims_len = 0;
    burh_unsigned_evidence u = {.backend = BURH_PLATFORM_NIL};
    EVP_PKEY *ck = rc->claims_key ? rc->claims_key : key;

    assert_int_equal(
        burh_ratls_claims_make(ck, rc->nonce, claims, sizeof claims, &claims_len, NULL),
        BURH_ATTEST_OK);
    burh_ratls_report_data((burh_bytes){claims, claims_len}, u.report_data);
    if (rc->break_binding)
        u.report_data[0] ^= 1;
    if (rc->dirty_tail)
        u.report_data[40] = 7;
    assert_int_equal(burh_unsigned_evidence_make(&u, ev, sizeof ev, NULL), BURH_ATTEST_OK);
    burh_ratls_cert_params p = {.key = key,
                                .platform = BURH_PLATFORM_NIL,
                                .evidence = {ev, sizeof ev},
                                .claims = {claims, claims_len},
                                .not_before = rc->nb,
                                .not_after = rc->na};
    X509 *cert = NULL;
    assert_int_equal(burh_ratls_cert_make(&p, &cert, NULL), BURH_ATTEST_OK);
    if (rc->signing_key)
        assert_true(X509_sign(cert, rc->signing_key, EVP_sha384()) > 0);
    return cert;
}

static burh_attest_verifier *verifier(const char *policy_json)
{
    burh_attest_verifier *v = NULL;
    assert_int_equal(burh_attest_verifier_new(&v, NULL), BURH_ATTEST_OK);
    if (policy_json) {
        burh_attest_policy *p = NULL;
        assert_int_equal(
            burh_attest_policy_parse(
                (burh_bytes){(const uint8_t *)policy_json, strlen(policy_json)}, &p, NULL),
            BURH_ATTEST_OK);
        burh_attest_verifier_set_policy(v, p);
    }
    return v;
}

/* Verifies and returns the result (caller frees). */
static burh_ratls_result *check(X509 *cert, burh_bytes expected_nonce, const char *policy)
{
    burh_attest_verifier *v = verifier(policy);
    burh_ratls_expect x = {.nonce = expected_nonce};
    burh_ratls_result *r = NULL;
    burh_attest_error err = {0};
    assert_int_equal(burh_ratls_verify_cert(cert, &x, v, &r, &err), BURH_ATTEST_OK);
    burh_attest_verifier_free(v);
    return r;
}

/* Asserts that exactly the named check failed (possibly several times) and nothing else. */
static void assert_only_failure(const burh_ratls_result *r, const char *name)
{
    assert_false(burh_ratls_result_accepted(r));
    for (size_t i = 0; i < burh_ratls_result_failed_count(r); i++)
        if (strcmp(burh_ratls_result_failed_name(r, i), name) != 0)
            fail_msg("unexpected failure %s (%s)", burh_ratls_result_failed_name(r, i),
                     burh_ratls_result_failed_detail(r, i));
    assert_true(burh_ratls_result_failed(r, name));
}

static void test_nil_needs_policy(void **state)
{
    (void)state;
    EVP_PKEY *key = new_key();
    cert_recipe rc = {.nonce = {NONCE, sizeof NONCE}};
    X509 *cert = make_nil_cert(key, &rc);

    burh_ratls_result *r = check(cert, rc.nonce, NULL);
    assert_only_failure(r, "nil.unsigned");
    burh_ratls_result_free(r);

    r = check(cert, rc.nonce, ALLOW_NIL);
    assert_true(burh_ratls_result_accepted(r));
    assert_int_equal(burh_ratls_result_platform(r), BURH_PLATFORM_NIL);
    const json_t *ratls = json_object_get(burh_ratls_result_claims(r), "ratls");
    assert_string_equal(json_string_value(json_object_get(ratls, "nonce")), "6e6f6e63652d31");
    assert_int_equal(json_integer_value(json_object_get(ratls, "tag")), BURH_RATLS_TAG_NIL);
    assert_string_equal(json_string_value(json_object_get(burh_ratls_result_claims(r), "status")),
                        "accepted");
    burh_ratls_result_free(r);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static void test_nonce(void **state)
{
    (void)state;
    static const uint8_t other[] = {1, 2, 3};
    EVP_PKEY *key = new_key();
    cert_recipe rc = {.nonce = {NONCE, sizeof NONCE}};
    X509 *cert = make_nil_cert(key, &rc);
    burh_ratls_result *r = check(cert, (burh_bytes){other, sizeof other}, ALLOW_NIL);
    assert_only_failure(r, "ratls.nonce");
    burh_ratls_result_free(r);
    /* No nonce expected: the claimed one is only reported. */
    r = check(cert, (burh_bytes){NULL, 0}, ALLOW_NIL);
    assert_true(burh_ratls_result_accepted(r));
    burh_ratls_result_free(r);
    X509_free(cert);

    cert_recipe none = {0};
    cert = make_nil_cert(key, &none);
    r = check(cert, (burh_bytes){NONCE, sizeof NONCE}, ALLOW_NIL);
    assert_only_failure(r, "ratls.nonce");
    burh_ratls_result_free(r);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static void test_wrong_key(void **state)
{
    (void)state;
    EVP_PKEY *key = new_key(), *other = new_key();
    cert_recipe rc = {.nonce = {NONCE, sizeof NONCE}, .claims_key = other};
    X509 *cert = make_nil_cert(key, &rc);
    burh_ratls_result *r = check(cert, rc.nonce, ALLOW_NIL);
    assert_only_failure(r, "ratls.pubkey_hash");
    burh_ratls_result_free(r);
    X509_free(cert);
    EVP_PKEY_free(key);
    EVP_PKEY_free(other);
}

static void test_report_data(void **state)
{
    (void)state;
    EVP_PKEY *key = new_key();
    cert_recipe rc = {.nonce = {NONCE, sizeof NONCE}, .break_binding = true};
    X509 *cert = make_nil_cert(key, &rc);
    burh_ratls_result *r = check(cert, rc.nonce, ALLOW_NIL);
    assert_only_failure(r, "ratls.report_data");
    burh_ratls_result_free(r);
    X509_free(cert);

    rc.break_binding = false;
    rc.dirty_tail = true;
    cert = make_nil_cert(key, &rc);
    r = check(cert, rc.nonce, ALLOW_NIL);
    assert_only_failure(r, "ratls.report_data");
    assert_string_equal(burh_ratls_result_failed_detail(r, 0), "REPORT_DATA[32..64] is not zero");
    burh_ratls_result_free(r);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static void test_cert_validity_and_signature(void **state)
{
    (void)state;
    EVP_PKEY *key = new_key(), *other = new_key();
    int64_t now = (int64_t)time(NULL);
    cert_recipe rc = {.nb = now - 7200, .na = now - 3600};
    X509 *cert = make_nil_cert(key, &rc);
    burh_ratls_result *r = check(cert, (burh_bytes){NULL, 0}, ALLOW_NIL);
    assert_only_failure(r, "ratls.cert");
    burh_ratls_result_free(r);
    X509_free(cert);

    cert_recipe future = {.nb = now + 3600, .na = now + 7200};
    cert = make_nil_cert(key, &future);
    r = check(cert, (burh_bytes){NULL, 0}, ALLOW_NIL);
    assert_only_failure(r, "ratls.cert");
    burh_ratls_result_free(r);
    X509_free(cert);

    cert_recipe forged = {.signing_key = other};
    cert = make_nil_cert(key, &forged);
    r = check(cert, (burh_bytes){NULL, 0}, ALLOW_NIL);
    assert_only_failure(r, "ratls.cert");
    burh_ratls_result_free(r);
    X509_free(cert);
    EVP_PKEY_free(key);
    EVP_PKEY_free(other);
}

/* A self-signed certificate with one extension of raw content (or none). */
static X509 *cert_with_extension(EVP_PKEY *key, const char *oid, const uint8_t *value, size_t len)
{
    X509 *x = X509_new();
    time_t now = time(NULL);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *)"test", -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    ASN1_TIME_set(X509_getm_notBefore(x), now - 60);
    ASN1_TIME_set(X509_getm_notAfter(x), now + 600);
    X509_set_pubkey(x, key);
    if (oid) {
        ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
        ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
        ASN1_OCTET_STRING_set(os, value, (int)len);
        X509_EXTENSION *ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
        assert_int_equal(X509_add_ext(x, ext, -1), 1);
        X509_EXTENSION_free(ext);
        ASN1_OCTET_STRING_free(os);
        ASN1_OBJECT_free(obj);
    }
    assert_true(X509_sign(x, key, EVP_sha384()) > 0);
    return x;
}

static void expect_extension_failure(EVP_PKEY *key, const char *oid, const uint8_t *value,
                                     size_t len, const char *check_name)
{
    X509 *cert = cert_with_extension(key, oid, value, len);
    burh_ratls_result *r = check(cert, (burh_bytes){NULL, 0}, ALLOW_NIL);
    assert_only_failure(r, check_name);
    burh_ratls_result_free(r);
    X509_free(cert);
}

static void test_malformed_and_missing(void **state)
{
    (void)state;
    EVP_PKEY *key = new_key();
    static const uint8_t not_cbor[] = {0xff, 0x00};
    static const uint8_t untagged[] = {0x82, 0x41, 0x00, 0x41, 0x00};
    static const uint8_t truncated[] = {0xd9, 0xea, 0x60, 0x82, 0x59, 0x12};
    static const uint8_t three[] = {0xd9, 0xea, 0x60, 0x83, 0x40, 0x40, 0x40};
    static const uint8_t indefinite[] = {0xd9, 0xea, 0x60, 0x9f, 0x40, 0x40, 0xff};
    static const uint8_t trailing[] = {0xd9, 0xea, 0x60, 0x82, 0x40, 0x40, 0x00};
    static const uint8_t unknown_tag[] = {0xd9, 0x12, 0x34, 0x82, 0x40, 0x40};
    expect_extension_failure(key, NULL, NULL, 0, "ratls.extension");
    expect_extension_failure(key, BURH_RATLS_OID_EVIDENCE, not_cbor, sizeof not_cbor,
                             "ratls.extension");
    expect_extension_failure(key, BURH_RATLS_OID_EVIDENCE, untagged, sizeof untagged,
                             "ratls.extension");
    expect_extension_failure(key, BURH_RATLS_OID_EVIDENCE, truncated, sizeof truncated,
                             "ratls.extension");
    expect_extension_failure(key, BURH_RATLS_OID_EVIDENCE, three, sizeof three, "ratls.extension");
    expect_extension_failure(key, BURH_RATLS_OID_EVIDENCE, indefinite, sizeof indefinite,
                             "ratls.extension");
    expect_extension_failure(key, BURH_RATLS_OID_EVIDENCE, trailing, sizeof trailing,
                             "ratls.extension");
    expect_extension_failure(key, BURH_RATLS_OID_EVIDENCE, unknown_tag, sizeof unknown_tag,
                             "ratls.extension");
    /* Legacy-only (the SGX SDK's OID) is not accepted. */
    expect_extension_failure(key, BURH_RATLS_OID_SGXSDK, three, sizeof three, "ratls.extension");
    /* Gramine's mis-encoded OID: the bytes 06 09 2a 86 48 86 f8 4d 8a 39 06 read as arcs. */
    X509 *cert = cert_with_extension(key, "0.6.9.42.840.113741.1337.6", three, sizeof three);
    burh_ratls_result *r = check(cert, (burh_bytes){NULL, 0}, ALLOW_NIL);
    assert_only_failure(r, "ratls.extension");
    const json_t *legacy =
        json_object_get(json_object_get(burh_ratls_result_claims(r), "ratls"), "legacy_extensions");
    assert_string_equal(json_string_value(json_array_get(legacy, 0)), "gramine");
    burh_ratls_result_free(r);
    X509_free(cert);
    EVP_PKEY_free(key);
}

/* Evidence with a good nil binding of `claims`, wrapped with the nil tag. */
static X509 *cert_with_claims(EVP_PKEY *key, const uint8_t *claims, size_t claims_len)
{
    uint8_t ev[BURH_UNSIGNED_EVIDENCE_SIZE], ext[512];
    burh_unsigned_evidence u = {.backend = BURH_PLATFORM_NIL};
    size_t ext_len = 0;
    burh_ratls_report_data((burh_bytes){claims, claims_len}, u.report_data);
    assert_int_equal(burh_unsigned_evidence_make(&u, ev, sizeof ev, NULL), BURH_ATTEST_OK);
    burh_bytes items[2] = {{ev, sizeof ev}, {claims, claims_len}};
    assert_int_equal(
        burh_ratls_tagged_encode(BURH_RATLS_TAG_NIL, items, 2, ext, sizeof ext, &ext_len, NULL),
        BURH_ATTEST_OK);
    return cert_with_extension(key, BURH_RATLS_OID_EVIDENCE, ext, ext_len);
}

static void test_malformed_claims(void **state)
{
    (void)state;
    EVP_PKEY *key = new_key();
    /* {"pubkey-hash": h'', "pubkey-hash": h''}: a duplicate key. */
    static const uint8_t dup[] = {0xa2, 0x6b, 'p', 'u', 'b',  'k',  'e', 'y', '-',
                                  'h',  'a',  's', 'h', 0x40, 0x6b, 'p', 'u', 'b',
                                  'k',  'e',  'y', '-', 'h',  'a',  's', 'h', 0x40};
    static const uint8_t no_hash[] = {0xa1, 0x65, 'n', 'o', 'n', 'c', 'e', 0x40};
    static const uint8_t indefinite[] = {0xbf, 0x65, 'n', 'o', 'n', 'c', 'e', 0x40, 0xff};
    static const uint8_t not_map[] = {0x80};
    const struct {
        const uint8_t *p;
        size_t n;
    } cases[] = {{dup, sizeof dup},
                 {no_hash, sizeof no_hash},
                 {indefinite, sizeof indefinite},
                 {not_map, sizeof not_map}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        X509 *cert = cert_with_claims(key, cases[i].p, cases[i].n);
        burh_ratls_result *r = check(cert, (burh_bytes){NULL, 0}, ALLOW_NIL);
        assert_only_failure(r, "ratls.claims");
        burh_ratls_result_free(r);
        X509_free(cert);
    }
    EVP_PKEY_free(key);
}

/* The bare-array pubkey-hash and extra claims are tolerated; unknown hash ids are not. */
static void test_claims_variants(void **state)
{
    (void)state;
    EVP_PKEY *key = new_key();
    uint8_t hash[64], claims[160];
    size_t hash_len = 0;
    assert_true(burh_ratls_spki_hash(key, BURH_RATLS_HASH_SHA384, hash, &hash_len));
    /* {"extra": 1, "pubkey-hash": [7, h'<48>']} (not sorted: "pubkey-hash" is longer) */
    size_t n = 0;
    claims[n++] = 0xa2;
    claims[n++] = 0x6b;
    memcpy(claims + n, "pubkey-hash", 11);
    n += 11;
    claims[n++] = 0x82;
    claims[n++] = BURH_RATLS_HASH_SHA384;
    claims[n++] = 0x58;
    claims[n++] = (uint8_t)hash_len;
    memcpy(claims + n, hash, hash_len);
    n += hash_len;
    static const uint8_t extra[] = {0x65, 'e', 'x', 't', 'r', 'a', 0x01};
    memcpy(claims + n, extra, sizeof extra);
    n += sizeof extra;
    X509 *cert = cert_with_claims(key, claims, n);
    burh_ratls_result *r = check(cert, (burh_bytes){NULL, 0}, ALLOW_NIL);
    assert_true(burh_ratls_result_accepted(r));
    burh_ratls_result_free(r);
    X509_free(cert);

    claims[14] = 9; /* an unsupported hash id */
    cert = cert_with_claims(key, claims, n);
    r = check(cert, (burh_bytes){NULL, 0}, ALLOW_NIL);
    assert_only_failure(r, "ratls.pubkey_hash");
    burh_ratls_result_free(r);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static void test_encode_decode(void **state)
{
    (void)state;
    EVP_PKEY *key = new_key();
    cert_recipe rc = {0};
    X509 *cert = make_nil_cert(key, &rc);
    for (int pem = 0; pem < 2; pem++) {
        uint8_t *buf = NULL;
        size_t len = 0;
        assert_int_equal(burh_ratls_cert_encode(cert, pem, &buf, &len, NULL), BURH_ATTEST_OK);
        X509 *back = NULL;
        assert_int_equal(burh_ratls_cert_decode((burh_bytes){buf, len}, &back, NULL),
                         BURH_ATTEST_OK);
        assert_int_equal(X509_cmp(cert, back), 0);
        /* DER with a byte more is refused. */
        if (!pem) {
            uint8_t *longer = malloc(len + 1);
            memcpy(longer, buf, len);
            longer[len] = 0;
            X509 *bad = NULL;
            assert_int_equal(burh_ratls_cert_decode((burh_bytes){longer, len + 1}, &bad, NULL),
                             BURH_ATTEST_ERR_MALFORMED);
            free(longer);
        }
        X509_free(back);
        free(buf);
    }
    X509_NAME *subject = X509_get_subject_name(cert);
    char cn[32];
    X509_NAME_get_text_by_NID(subject, NID_commonName, cn, sizeof cn);
    assert_string_equal(cn, "burh keep");
    assert_int_equal(X509_get_signature_nid(cert), NID_ecdsa_with_SHA384);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    EVP_PKEY *key = new_key();
    uint8_t claims[BURH_RATLS_CLAIMS_MAX];
    size_t len = 0;
    static uint8_t big[BURH_RATLS_MAX_NONCE + 1];
    assert_int_equal(burh_ratls_claims_make(key, (burh_bytes){big, sizeof big}, claims,
                                            sizeof claims, &len, NULL),
                     BURH_ATTEST_ERR_ARGS);
    assert_int_equal(burh_ratls_claims_make(key, (burh_bytes){NULL, 0}, claims, 10, &len, NULL),
                     BURH_ATTEST_ERR_MALFORMED);
    burh_ratls_cert_params p = {.key = key, .platform = BURH_PLATFORM_AUTO};
    X509 *cert = NULL;
    assert_int_equal(burh_ratls_cert_make(&p, &cert, NULL), BURH_ATTEST_ERR_ARGS);
    burh_ratls_result *r = NULL;
    assert_int_equal(burh_ratls_verify_cert(NULL, NULL, NULL, &r, NULL), BURH_ATTEST_ERR_ARGS);
    EVP_PKEY_free(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nil_needs_policy),
        cmocka_unit_test(test_nonce),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_report_data),
        cmocka_unit_test(test_cert_validity_and_signature),
        cmocka_unit_test(test_malformed_and_missing),
        cmocka_unit_test(test_malformed_claims),
        cmocka_unit_test(test_claims_variants),
        cmocka_unit_test(test_encode_decode),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
