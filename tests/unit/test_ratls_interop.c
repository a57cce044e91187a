/* RA-TLS with signed evidence: a test-PKI SNP report with endorsements, and the genuine
 * Gramine, Intel SGX SDK and RATS-TLS certificates from shared/attestation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "burh/ratls.h"
#include "test_pki.h"
#include "testutil.h"

#define YEAR (365LL * 86400)

/* ---- a small SNP PKI: ARK and ASK (RSA-PSS), VCEK (P-384) ---- */

typedef struct snp_pki {
    EVP_PKEY *ark_key, *ask_key, *vcek_key;
    X509 *ark, *ask, *vcek;
    uint8_t chip_id[64];
} snp_pki;

static snp_pki K;

static void add_ext(X509 *x, const char *oid, const uint8_t *value, size_t len)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    assert_int_equal(ASN1_OCTET_STRING_set(os, value, (int)len), 1);
    X509_EXTENSION *ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
    assert_int_equal(X509_add_ext(x, ext, -1), 1);
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
}

/* The VCEK's AMD extensions: productName, hwID and the TCB SPLs bl 3, tee 0, snp 8, uc 115. */
static void add_vcek_extensions(X509 *x)
{
    static const uint8_t product[] = {0x16, 8, 'M', 'i', 'l', 'a', 'n', '-', 'B', '0'};
    static const struct {
        const char *oid;
        uint8_t value;
    } spl[] = {{"1.3.6.1.4.1.3704.1.3.1", 3},
               {"1.3.6.1.4.1.3704.1.3.2", 0},
               {"1.3.6.1.4.1.3704.1.3.3", 8},
               {"1.3.6.1.4.1.3704.1.3.8", 115}};
    add_ext(x, "1.3.6.1.4.1.3704.1.2", product, sizeof product);
    for (size_t i = 0; i < sizeof spl / sizeof spl[0]; i++) {
        uint8_t der[3] = {0x02, 1, spl[i].value};
        add_ext(x, spl[i].oid, der, sizeof der);
    }
    add_ext(x, "1.3.6.1.4.1.3704.1.4", K.chip_id, sizeof K.chip_id);
}

static X509 *pki_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, bool ca)
{
    X509 *x = X509_new();
    time_t now = time(NULL);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 0);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x));
    ASN1_TIME_set(X509_getm_notBefore(x), now - YEAR);
    ASN1_TIME_set(X509_getm_notAfter(x), now + YEAR);
    X509_set_pubkey(x, key);
    if (ca) {
        tu_add_ca_extensions(x, issuer);
    } else {
        add_vcek_extensions(x);
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    assert_int_equal(EVP_DigestSignInit(md, &pctx, EVP_sha384(), NULL, issuer_key), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()), 1);
    assert_true(X509_sign_ctx(x, md) > 0);
    EVP_MD_CTX_free(md);
    return x;
}

static int setup(void **state)
{
    (void)state;
    K.ark_key = EVP_RSA_gen(2048);
    K.ask_key = EVP_RSA_gen(2048);
    K.vcek_key = EVP_EC_gen("P-384");
    if (!K.ark_key || !K.ask_key || !K.vcek_key)
        return -1;
    RAND_bytes(K.chip_id, sizeof K.chip_id);
    K.ark = pki_cert("ARK-Milan", K.ark_key, NULL, K.ark_key, true);
    K.ask = pki_cert("SEV-Milan", K.ask_key, K.ark, K.ark_key, true);
    K.vcek = pki_cert("SEV-VCEK", K.vcek_key, K.ask, K.ask_key, false);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    X509_free(K.ark);
    X509_free(K.ask);
    X509_free(K.vcek);
    EVP_PKEY_free(K.ark_key);
    EVP_PKEY_free(K.ask_key);
    EVP_PKEY_free(K.vcek_key);
    return 0;
}

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A version 3 Milan report carrying report_data, signed by the VCEK key. */
static void make_report(const uint8_t report_data[64], uint8_t out[BURH_SNP_REPORT_SIZE])
{
    uint64_t tcb = 3ull | 8ull << 48 | 115ull << 56;
    memset(out, 0, BURH_SNP_REPORT_SIZE);
    put_le(out + 0x00, 3, 4);
    put_le(out + 0x08, 0x30000, 8);
    put_le(out + 0x34, 1, 4);
    put_le(out + 0x38, tcb, 8);
    memcpy(out + 0x50, report_data, 64);
    memset(out + 0x90, 0xCD, 48);
    put_le(out + 0x180, tcb, 8);
    out[0x188] = 0x19;
    out[0x189] = 0x01;
    out[0x18A] = 1;
    memcpy(out + 0x1A0, K.chip_id, 64);
    put_le(out + 0x1E0, tcb, 8);
    put_le(out + 0x1F0, tcb, 8);
    tu_sign_snp_report(K.vcek_key, out);
}

static burh_bytes der_of(X509 *x, unsigned char **buf)
{
    int n = i2d_X509(x, buf);
    assert_true(n > 0);
    return (burh_bytes){*buf, (size_t)n};
}

/* The keep side with SNP: claims, report, certificate with VCEK/ASK/ARK endorsements. */
static X509 *make_snp_cert(EVP_PKEY *key, burh_bytes nonce, bool bind)
{
    uint8_t claims[BURH_RATLS_CLAIMS_MAX], rd[64], report[BURH_SNP_REPORT_SIZE];
    size_t claims_len = 0;
    unsigned char *d[3] = {NULL, NULL, NULL};
    assert_int_equal(burh_ratls_claims_make(key, nonce, claims, sizeof claims, &claims_len, NULL),
                     BURH_ATTEST_OK);
    burh_ratls_report_data((burh_bytes){claims, claims_len}, rd);
    if (!bind)
        rd[5] ^= 0x40;
    make_report(rd, report);
    burh_ratls_cert_params p = {
        .key = key,
        .platform = BURH_PLATFORM_SNP,
        .evidence = {report, sizeof report},
        .claims = {claims, claims_len},
        .endorsement_count = 3,
        .endorsements = {der_of(K.vcek, &d[0]), der_of(K.ask, &d[1]), der_of(K.ark, &d[2])}};
    X509 *cert = NULL;
    assert_int_equal(burh_ratls_cert_make(&p, &cert, NULL), BURH_ATTEST_OK);
    for (int i = 0; i < 3; i++)
        OPENSSL_free(d[i]);
    return cert;
}

static burh_ratls_result *verify_snp(X509 *cert, burh_bytes nonce, bool trust_test_ark)
{
    burh_attest_verifier *v = NULL;
    assert_int_equal(burh_attest_verifier_new(&v, NULL), BURH_ATTEST_OK);
    if (trust_test_ark) {
        unsigned char *der = NULL;
        assert_int_equal(burh_attest_verifier_trust_roots(v, der_of(K.ark, &der), NULL),
                         BURH_ATTEST_OK);
        OPENSSL_free(der);
    }
    burh_ratls_expect x = {.nonce = nonce};
    burh_ratls_result *r = NULL;
    assert_int_equal(burh_ratls_verify_cert(cert, &x, v, &r, NULL), BURH_ATTEST_OK);
    burh_attest_verifier_free(v);
    return r;
}

static void print_failures(const burh_ratls_result *r)
{
    for (size_t i = 0; i < burh_ratls_result_failed_count(r); i++)
        print_message("  failed %s: %s\n", burh_ratls_result_failed_name(r, i),
                      burh_ratls_result_failed_detail(r, i));
}

static void test_snp_bound_report(void **state)
{
    (void)state;
    static const uint8_t nonce[] = "fresh";
    burh_bytes n = {nonce, sizeof nonce - 1};
    EVP_PKEY *key = NULL;
    assert_int_equal(burh_ratls_key_generate(&key, NULL), BURH_ATTEST_OK);
    X509 *cert = make_snp_cert(key, n, true);

    burh_ratls_result *r = verify_snp(cert, n, true);
    print_failures(r);
    assert_true(burh_ratls_result_accepted(r));
    assert_int_equal(burh_ratls_result_platform(r), BURH_PLATFORM_SNP);
    const json_t *ratls = json_object_get(burh_ratls_result_claims(r), "ratls");
    assert_int_equal(json_integer_value(json_object_get(ratls, "endorsements")), 3);
    burh_ratls_result_free(r);

    /* The test ARK is not an AMD root: without trusting it the chain fails. */
    r = verify_snp(cert, n, false);
    assert_false(burh_ratls_result_accepted(r));
    for (size_t i = 0; i < burh_ratls_result_failed_count(r); i++)
        assert_null(strstr(burh_ratls_result_failed_name(r, i), "ratls."));
    burh_ratls_result_free(r);
    X509_free(cert);

    /* A correctly signed report that binds other claims. */
    cert = make_snp_cert(key, n, false);
    r = verify_snp(cert, n, true);
    assert_int_equal(burh_ratls_result_failed_count(r), 1);
    assert_true(burh_ratls_result_failed(r, "ratls.report_data"));
    burh_ratls_result_free(r);
    X509_free(cert);
    EVP_PKEY_free(key);
}

/* ---- genuine certificates ---- */

/* Verifies a genuine certificate at `at` under `policy` (NULL: default). */
static burh_ratls_result *genuine(const char *name, const char *at, const char *policy)
{
    char rel[256];
    size_t len = 0;
    snprintf(rel, sizeof rel, "optional/ra-tls/%s", name);
    uint8_t *pem = tu_read_shared(rel, &len);
    if (!pem) {
        print_message("shared vectors not found under %s (set BURH_SHARED_DIR)\n", tu_shared_dir());
        skip();
    }
    X509 *cert = NULL;
    assert_int_equal(burh_ratls_cert_decode((burh_bytes){pem, len}, &cert, NULL), BURH_ATTEST_OK);
    free(pem);
    burh_attest_verifier *v = NULL;
    assert_int_equal(burh_attest_verifier_new(&v, NULL), BURH_ATTEST_OK);
    int64_t t;
    assert_true(burh_attest_parse_rfc3339((burh_bytes){(const uint8_t *)at, strlen(at)}, &t));
    burh_attest_verifier_set_time(v, t);
    if (policy) {
        burh_attest_policy *p = NULL;
        assert_int_equal(burh_attest_policy_parse(
                             (burh_bytes){(const uint8_t *)policy, strlen(policy)}, &p, NULL),
                         BURH_ATTEST_OK);
        burh_attest_verifier_set_policy(v, p);
    }
    burh_ratls_result *r = NULL;
    assert_int_equal(burh_ratls_verify_cert(cert, NULL, v, &r, NULL), BURH_ATTEST_OK);
    burh_attest_verifier_free(v);
    X509_free(cert);
    return r;
}

/* Checks that may fail for a genuine certificate: none but the missing collateral (no TCB
 * info or QE identity for these FMSPCs is in shared/) and, unless allowed, debug. */
static void assert_genuine(const burh_ratls_result *r, bool debug_allowed)
{
    for (size_t i = 0; i < burh_ratls_result_failed_count(r); i++) {
        const char *name = burh_ratls_result_failed_name(r, i);
        bool expected = strcmp(name, "sgx.tcb_info.missing") == 0 ||
                        (!debug_allowed && (strcmp(name, "sgx.qe_identity.missing") == 0 ||
                                            strcmp(name, "sgx.enclave.debug") == 0));
        if (!expected)
            fail_msg("unexpected failure %s", name);
    }
    assert_int_equal(burh_ratls_result_failed(r, "sgx.enclave.debug"), !debug_allowed);
    assert_int_equal(burh_ratls_result_platform(r), BURH_PLATFORM_SGX);
}

#define DEBUG_POLICY "{\"allow_debug\": true, \"require_qe_identity\": false}"
/* shared/ has no TCB info for these platforms: a relying party that accepts that says so. */
#define ACCEPT_POLICY                                                                              \
    "{\"allow_debug\": true, \"require_qe_identity\": false, \"require_tcb_info\": false}"

static void genuine_case(const char *name, const char *at)
{
    burh_ratls_result *r = genuine(name, at, NULL);
    assert_genuine(r, false);
    burh_ratls_result_free(r);
    r = genuine(name, at, DEBUG_POLICY);
    assert_genuine(r, true);
    burh_ratls_result_free(r);
    r = genuine(name, at, ACCEPT_POLICY);
    assert_int_equal(burh_ratls_result_failed_count(r), 0);
    burh_ratls_result_free(r);
}

static void test_gramine(void **state)
{
    (void)state;
    genuine_case("gramine-cert.pem", "2026-01-01T00:00:00Z");
    burh_ratls_result *r = genuine("gramine-cert.pem", "2026-01-01T00:00:00Z", DEBUG_POLICY);
    const json_t *legacy =
        json_object_get(json_object_get(burh_ratls_result_claims(r), "ratls"), "legacy_extensions");
    assert_string_equal(json_string_value(json_array_get(legacy, 0)), "gramine");
    burh_ratls_result_free(r);
}

static void test_intel_sgx_sdk(void **state)
{
    (void)state;
    genuine_case("intel-sgxsdk-cert.pem", "2026-01-01T00:00:00Z");
}

static void test_rats_tls(void **state)
{
    (void)state;
    genuine_case("rats-tls-cert.pem", "2023-06-01T00:00:00Z");
    burh_ratls_result *r = genuine("rats-tls-cert.pem", "2025-01-01T00:00:00Z", DEBUG_POLICY);
    assert_true(burh_ratls_result_failed(r, "ratls.cert"));
    burh_ratls_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snp_bound_report),
        cmocka_unit_test(test_gramine),
        cmocka_unit_test(test_intel_sgx_sdk),
        cmocka_unit_test(test_rats_tls),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
