/* A test AMD PKI (ARK/ASK/ASVK RSA-PSS, P-384 VCEK/VLEK) and SNP reports made at run time. */
#ifndef BURH_TEST_SNP_PKI_H
#define BURH_TEST_SNP_PKI_H

/* Functions are static inline only so a test using part of the fixture has no unused ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "burh/attest.h"
#include "test_pki.h"

#define AT   1800000000LL /* 2027-01-15: the verification time of every case */
#define YEAR (365LL * 86400)

/* What a generated certificate looks like. */
typedef struct cert_spec {
    const char *cn;
    EVP_PKEY *key;        /* subject key */
    X509 *issuer;         /* NULL: self-signed */
    EVP_PKEY *issuer_key; /* signs the certificate */
    long serial;
    int64_t not_before, not_after;
    bool ca;
    const char *product; /* productName, NULL: none */
    const uint8_t *hwid;
    size_t hwid_len;
    int spl[10]; /* 1..9; -1: omit */
} cert_spec;

typedef struct pki {
    EVP_PKEY *ark_key, *ask_key, *asvk_key, *rogue_key, *vcek_key, *vlek_key, *other_ec_key;
    X509 *ark, *ask, *asvk, *rogue_ask;
    uint8_t chip_id[64];
} pki;

static pki P;

static inline void sign_pss(X509 *cert, X509_CRL *crl, EVP_PKEY *key)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    assert_int_equal(EVP_DigestSignInit(md, &pctx, EVP_sha384(), NULL, key), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()), 1);
    if (cert)
        assert_true(X509_sign_ctx(cert, md) > 0);
    else
        assert_true(X509_CRL_sign_ctx(crl, md) > 0);
    EVP_MD_CTX_free(md);
}

static inline void add_amd_ext(X509 *x, const char *suffix, const uint8_t *value, size_t len)
{
    char oid_text[64];
    snprintf(oid_text, sizeof oid_text, "1.3.6.1.4.1.3704.1.%s", suffix);
    ASN1_OBJECT *oid = OBJ_txt2obj(oid_text, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    assert_int_equal(ASN1_OCTET_STRING_set(os, value, (int)len), 1);
    X509_EXTENSION *ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, os);
    assert_non_null(ext);
    assert_int_equal(X509_add_ext(x, ext, -1), 1);
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(oid);
}

static inline void add_amd_extensions(X509 *x, const cert_spec *s)
{
    if (s->product) {
        uint8_t ia5[34] = {0x16, (uint8_t)strlen(s->product)};
        memcpy(ia5 + 2, s->product, strlen(s->product));
        add_amd_ext(x, "2", ia5, 2 + strlen(s->product));
    }
    for (int slot = 1; slot < 10; slot++) {
        if (s->spl[slot] < 0)
            continue;
        char suffix[16];
        uint8_t der[4] = {0x02, 1, (uint8_t)s->spl[slot]};
        size_t n = 3;
        if (s->spl[slot] >= 0x80) { /* DER INTEGER needs a leading zero to stay positive */
            der[1] = 2;
            der[2] = 0;
            der[3] = (uint8_t)s->spl[slot];
            n = 4;
        }
        snprintf(suffix, sizeof suffix, "3.%d", slot);
        add_amd_ext(x, suffix, der, n);
    }
    if (s->hwid)
        add_amd_ext(x, "4", s->hwid, s->hwid_len);
}

static inline X509 *make_cert(const cert_spec *s)
{
    X509 *x = X509_new();
    assert_non_null(x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), s->serial);
    X509_NAME *name = X509_NAME_new();
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"burh test", -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)s->cn, -1, -1, 0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, s->issuer ? X509_get_subject_name(s->issuer) : name);
    X509_NAME_free(name);
    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)s->not_before);
    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)s->not_after);
    assert_int_equal(X509_set_pubkey(x, s->key), 1);
    if (s->ca)
        tu_add_ca_extensions(x, s->issuer);
    add_amd_extensions(x, s);
    sign_pss(x, NULL, s->issuer_key);
    return x;
}

static inline cert_spec vcek_spec(void)
{
    cert_spec s = {.cn = "SEV-VCEK",
                   .key = P.vcek_key,
                   .issuer = P.ask,
                   .issuer_key = P.ask_key,
                   .serial = 0,
                   .not_before = AT - YEAR,
                   .not_after = AT + YEAR,
                   .product = "Milan-B0",
                   .hwid = P.chip_id,
                   .hwid_len = 64,
                   .spl = {-1, 3, 0, 8, -1, -1, -1, -1, 115, -1}};
    return s;
}

static inline int setup_pki(void **state)
{
    (void)state;
    P.ark_key = EVP_RSA_gen(2048);
    P.ask_key = EVP_RSA_gen(2048);
    P.asvk_key = EVP_RSA_gen(2048);
    P.rogue_key = EVP_RSA_gen(2048);
    P.vcek_key = EVP_EC_gen("secp384r1");
    P.vlek_key = EVP_EC_gen("secp384r1");
    P.other_ec_key = EVP_EC_gen("secp384r1");
    if (!P.ark_key || !P.ask_key || !P.asvk_key || !P.rogue_key || !P.vcek_key || !P.vlek_key ||
        !P.other_ec_key)
        return -1;
    RAND_bytes(P.chip_id, sizeof P.chip_id);
    cert_spec ark = {.cn = "ARK-Test",
                     .key = P.ark_key,
                     .issuer_key = P.ark_key,
                     .serial = 1,
                     .not_before = AT - 2 * YEAR,
                     .not_after = AT + 20 * YEAR,
                     .ca = true,
                     .spl = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}};
    P.ark = make_cert(&ark);
    cert_spec ask = ark;
    ask.cn = "SEV-Test";
    ask.key = P.ask_key;
    ask.issuer = P.ark;
    ask.serial = 2;
    P.ask = make_cert(&ask);
    ask.cn = "SEV-VLEK-Test";
    ask.key = P.asvk_key;
    ask.serial = 3;
    P.asvk = make_cert(&ask);
    /* Same name as the ASK, different key: a forged intermediate. */
    ask.cn = "SEV-Test";
    ask.key = P.rogue_key;
    ask.issuer_key = P.rogue_key;
    ask.serial = 4;
    P.rogue_ask = make_cert(&ask);
    return 0;
}

static inline int teardown_pki(void **state)
{
    (void)state;
    X509_free(P.ark);
    X509_free(P.ask);
    X509_free(P.asvk);
    X509_free(P.rogue_ask);
    EVP_PKEY *keys[] = {P.ark_key,  P.ask_key,  P.asvk_key,    P.rogue_key,
                        P.vcek_key, P.vlek_key, P.other_ec_key};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        EVP_PKEY_free(keys[i]);
    return 0;
}

/* ---- reports ---- */

typedef struct report_spec {
    uint32_t version;
    uint64_t policy;
    uint32_t key_info;
    uint8_t family, model;
    uint64_t reported_tcb;
    bool zero_chip_id;
    EVP_PKEY *signer;
    size_t poke_offset; /* a byte set to 0xFF before signing (0: none) */
    uint32_t sig_algo;
} report_spec;

/* Milan TCB_VERSION bytes: bl, tee, 4 reserved, snp, microcode. */
static inline uint64_t milan_tcb(uint8_t bl, uint8_t tee, uint8_t snp, uint8_t ucode)
{
    return (uint64_t)bl | (uint64_t)tee << 8 | (uint64_t)snp << 48 | (uint64_t)ucode << 56;
}

static inline report_spec good_report(void)
{
    report_spec s = {.version = 3,
                     .policy = 0x30000,
                     .key_info = 0,
                     .family = 0x19,
                     .model = 0x01,
                     .reported_tcb = milan_tcb(3, 0, 8, 115),
                     .signer = P.vcek_key,
                     .sig_algo = 1};
    return s;
}

static inline void put_le(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void make_report(const report_spec *s, uint8_t out[BURH_SNP_REPORT_SIZE])
{
    memset(out, 0, BURH_SNP_REPORT_SIZE);
    put_le(out + 0x00, s->version, 4);
    put_le(out + 0x08, s->policy, 8);
    put_le(out + 0x34, s->sig_algo, 4);
    put_le(out + 0x38, s->reported_tcb, 8);
    put_le(out + 0x48, s->key_info, 4);
    memset(out + 0x50, 0xAB, 64); /* REPORT_DATA */
    memset(out + 0x90, 0xCD, 48); /* MEASUREMENT */
    put_le(out + 0x180, s->reported_tcb, 8);
    if (s->version >= 3) {
        out[0x188] = s->family;
        out[0x189] = s->model;
        out[0x18A] = 1;
    }
    if (!s->zero_chip_id)
        memcpy(out + 0x1A0, P.chip_id, 64);
    put_le(out + 0x1E0, s->reported_tcb, 8);
    put_le(out + 0x1F0, s->reported_tcb, 8);
    if (s->poke_offset)
        out[s->poke_offset] = 0xFF;
    tu_sign_snp_report(s->signer, out);
}

/* ---- verifier helpers ---- */

static inline void add_der(burh_attest_verifier *v, X509 *cert, bool as_root)
{
    unsigned char *der = NULL;
    int n = i2d_X509(cert, &der);
    assert_true(n > 0);
    burh_bytes b = {der, (size_t)n};
    burh_attest_status st = as_root ? burh_attest_verifier_trust_roots(v, b, NULL)
                                    : burh_attest_verifier_add_certs(v, b, NULL);
    assert_int_equal(st, BURH_ATTEST_OK);
    OPENSSL_free(der);
}

/* The verifier of most cases: test ARK as the trust store, ASK and the given leaf. */
static inline burh_attest_verifier *verifier_with(X509 *leaf, X509 *ask, const char *policy_json)
{
    burh_attest_verifier *v = NULL;
    assert_int_equal(burh_attest_verifier_new(&v, NULL), BURH_ATTEST_OK);
    add_der(v, P.ark, true);
    add_der(v, P.ark, false);
    add_der(v, ask, false);
    add_der(v, leaf, false);
    burh_attest_verifier_set_time(v, AT);
    if (policy_json) {
        burh_attest_policy *pol = NULL;
        burh_attest_error err;
        assert_int_equal(
            burh_attest_policy_parse(
                (burh_bytes){(const uint8_t *)policy_json, strlen(policy_json)}, &pol, &err),
            BURH_ATTEST_OK);
        burh_attest_verifier_set_policy(v, pol);
    }
    return v;
}

static inline burh_attest_result *run(burh_attest_verifier *v, const report_spec *rs)
{
    uint8_t rep[BURH_SNP_REPORT_SIZE];
    make_report(rs, rep);
    burh_attest_result *r = NULL;
    assert_int_equal(
        burh_attest_verify(v, BURH_PLATFORM_SNP, (burh_bytes){rep, sizeof rep}, &r, NULL),
        BURH_ATTEST_OK);
    return r;
}

/* Verifies and asserts the verdict: accepted when expect is NULL, else exactly that failure. */
static inline void expect_verdict(X509 *leaf, X509 *ask, const char *policy, const report_spec *rs,
                                  const char *expect)
{
    burh_attest_verifier *v = verifier_with(leaf, ask, policy);
    burh_attest_result *r = run(v, rs);
    for (size_t i = 0; i < burh_attest_result_failed_count(r); i++)
        printf("  failed %s: %s\n", burh_attest_result_failed_name(r, i),
               burh_attest_result_failed_detail(r, i));
    if (!expect) {
        assert_true(burh_attest_result_accepted(r));
    } else {
        assert_false(burh_attest_result_accepted(r));
        assert_true(burh_attest_result_failed(r, expect));
        assert_int_equal(burh_attest_result_failed_count(r), 1);
    }
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);
}

#endif
