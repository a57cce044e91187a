/* SNP checks one by one, on a test PKI (ARK/ASK/VCEK look-alikes) generated at run time. */
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

static void sign_pss(X509 *cert, X509_CRL *crl, EVP_PKEY *key)
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

static void add_amd_ext(X509 *x, const char *suffix, const uint8_t *value, size_t len)
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

static void add_amd_extensions(X509 *x, const cert_spec *s)
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

static X509 *make_cert(const cert_spec *s)
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
    if (s->ca) {
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, s->issuer ? s->issuer : x, x, NULL, NULL, 0);
        X509_EXTENSION *bc =
            X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");
        X509_EXTENSION *ku =
            X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
        X509_add_ext(x, bc, -1);
        X509_add_ext(x, ku, -1);
        X509_EXTENSION_free(bc);
        X509_EXTENSION_free(ku);
    }
    add_amd_extensions(x, s);
    sign_pss(x, NULL, s->issuer_key);
    return x;
}

static cert_spec vcek_spec(void)
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

static int setup_pki(void **state)
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

static int teardown_pki(void **state)
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
static uint64_t milan_tcb(uint8_t bl, uint8_t tee, uint8_t snp, uint8_t ucode)
{
    return (uint64_t)bl | (uint64_t)tee << 8 | (uint64_t)snp << 48 | (uint64_t)ucode << 56;
}

static report_spec good_report(void)
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

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void make_report(const report_spec *s, uint8_t out[BURH_SNP_REPORT_SIZE])
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
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t der_len = 0;
    unsigned char der[160];
    assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, s->signer), 1);
    der_len = sizeof der;
    assert_int_equal(EVP_DigestSign(md, der, &der_len, out, BURH_SNP_SIGNED_SIZE), 1);
    EVP_MD_CTX_free(md);
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    assert_non_null(sig);
    assert_true(BN_bn2lebinpad(ECDSA_SIG_get0_r(sig), out + 0x2A0, 72) == 72);
    assert_true(BN_bn2lebinpad(ECDSA_SIG_get0_s(sig), out + 0x2E8, 72) == 72);
    ECDSA_SIG_free(sig);
}

/* ---- verifier helpers ---- */

static void add_der(burh_attest_verifier *v, X509 *cert, bool as_root)
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
static burh_attest_verifier *verifier_with(X509 *leaf, X509 *ask, const char *policy_json)
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

static burh_attest_result *run(burh_attest_verifier *v, const report_spec *rs)
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
static void expect_verdict(X509 *leaf, X509 *ask, const char *policy, const report_spec *rs,
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

static void test_good_chain_accepted(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    expect_verdict(vcek, P.ask, NULL, &rs, NULL);
    X509_free(vcek);
}

static void test_wrong_chip_id(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    uint8_t other[64];
    memcpy(other, P.chip_id, 64);
    other[63] ^= 1;
    cs.hwid = other;
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.vcek.chip_id");
    X509_free(vcek);
}

/* With several VCEKs in the collateral, the one for this chip is used. */
static void test_vcek_picked_by_chip_id(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    uint8_t other[64];
    memset(other, 0x42, sizeof other);
    cs.hwid = other;
    cs.key = P.other_ec_key;
    X509 *stranger = make_cert(&cs);
    cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    burh_attest_verifier *v = verifier_with(stranger, P.ask, NULL);
    add_der(v, vcek, false);
    report_spec rs = good_report();
    burh_attest_result *r = run(v, &rs);
    assert_true(burh_attest_result_accepted(r));
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);
    X509_free(vcek);
    X509_free(stranger);
}

static void test_masked_chip_id(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    rs.zero_chip_id = true;
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.vcek.chip_id");
    expect_verdict(vcek, P.ask, "{\"snp\": {\"allow_masked_chip_id\": true}}", &rs, NULL);
    X509_free(vcek);
}

static void test_tcb_mismatch(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    rs.reported_tcb = milan_tcb(3, 0, 8, 116);
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.vcek.tcb");
    cs.spl[8] = -1; /* a VCEK without the microcode SPL cannot vouch for it */
    X509 *partial = make_cert(&cs);
    rs = good_report();
    expect_verdict(partial, P.ask, NULL, &rs, "snp.vcek.tcb");
    X509_free(partial);
    X509_free(vcek);
}

static void test_expired_and_not_yet_valid(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    cs.not_after = AT - 10;
    X509 *expired = make_cert(&cs);
    report_spec rs = good_report();
    expect_verdict(expired, P.ask, NULL, &rs, "snp.chain.validity");
    cs = vcek_spec();
    cs.not_before = AT + 10;
    X509 *early = make_cert(&cs);
    expect_verdict(early, P.ask, NULL, &rs, "snp.chain.validity");
    X509_free(expired);
    X509_free(early);
}

static unsigned char *make_crl(X509 *issuer, EVP_PKEY *key, long revoked_serial, int64_t next,
                               int *len)
{
    X509_CRL *crl = X509_CRL_new();
    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer));
    ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)(AT - 86400));
    X509_CRL_set1_lastUpdate(crl, t);
    ASN1_TIME_set(t, (time_t)next);
    X509_CRL_set1_nextUpdate(crl, t);
    X509_REVOKED *rev = X509_REVOKED_new();
    ASN1_INTEGER *serial = ASN1_INTEGER_new();
    ASN1_INTEGER_set(serial, revoked_serial);
    X509_REVOKED_set_serialNumber(rev, serial);
    ASN1_TIME_set(t, (time_t)(AT - 86400));
    X509_REVOKED_set_revocationDate(rev, t);
    X509_CRL_add0_revoked(crl, rev);
    X509_CRL_sort(crl);
    sign_pss(NULL, crl, key);
    unsigned char *der = NULL;
    *len = i2d_X509_CRL(crl, &der);
    ASN1_INTEGER_free(serial);
    ASN1_TIME_free(t);
    X509_CRL_free(crl);
    return der;
}

static void crl_case(long revoked_serial, X509 *issuer, EVP_PKEY *key, int64_t next,
                     const char *expect)
{
    cert_spec cs = vcek_spec();
    cs.serial = 77;
    X509 *vcek = make_cert(&cs);
    burh_attest_verifier *v = verifier_with(vcek, P.ask, NULL);
    int len = 0;
    unsigned char *der = make_crl(issuer, key, revoked_serial, next, &len);
    assert_int_equal(burh_attest_verifier_add_crl(v, (burh_bytes){der, (size_t)len}, NULL),
                     BURH_ATTEST_OK);
    OPENSSL_free(der);
    report_spec rs = good_report();
    burh_attest_result *r = run(v, &rs);
    if (expect) {
        assert_true(burh_attest_result_failed(r, expect));
        assert_int_equal(burh_attest_result_failed_count(r), 1);
    } else {
        assert_true(burh_attest_result_accepted(r));
    }
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);
    X509_free(vcek);
}

static void test_crl(void **state)
{
    (void)state;
    crl_case(77, P.ask, P.ask_key, AT + YEAR, "snp.chain.revoked");   /* ASK revokes the VCEK */
    crl_case(2, P.ark, P.ark_key, AT + YEAR, "snp.chain.revoked");    /* ARK revokes the ASK */
    crl_case(78, P.ask, P.ask_key, AT + YEAR, NULL);                  /* someone else revoked */
    crl_case(77, P.ask, P.rogue_key, AT + YEAR, "snp.crl.signature"); /* forged CRL */
    crl_case(78, P.ark, P.ark_key, AT - 10, "snp.crl.stale");         /* out of date CRL */
}

static void test_guest_policy_bits(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    rs.policy = 0x30000 | BURH_SNP_POLICY_DEBUG;
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.policy.debug");
    expect_verdict(vcek, P.ask, "{\"allow_debug\": true}", &rs, NULL);
    rs.policy = 0x30000 | BURH_SNP_POLICY_MIGRATE_MA;
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.policy.migrate_ma");
    expect_verdict(vcek, P.ask, "{\"allow_migrate\": true}", &rs, NULL);
    rs.policy = 0x10000; /* bit 17 clear */
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.policy.reserved");
    rs.policy = 0x30000 | (1ull << 40);
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.policy.reserved");
    X509_free(vcek);
}

static void test_report_format_checks(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    rs.poke_offset = 0x4C; /* reserved after KEY_INFO */
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.report.reserved");
    rs.poke_offset = 0x250; /* reserved tail of the signed area */
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.report.reserved");
    rs = good_report();
    rs.version = 4;
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.report.version");
    rs = good_report();
    rs.sig_algo = 2;
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.report.signature_algo");
    rs = good_report();
    rs.key_info = 2; /* MASK_CHIP_KEY */
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.report.key_info");
    rs = good_report();
    rs.key_info = 7 << 2; /* no signing key */
    burh_attest_verifier *v = verifier_with(vcek, P.ask, NULL);
    burh_attest_result *r = run(v, &rs);
    assert_true(burh_attest_result_failed(r, "snp.report.key_info"));
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);
    X509_free(vcek);
}

static void test_wrong_key_kind(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    rs.key_info = BURH_SNP_KEY_VLEK << 2; /* the report claims a VLEK, the cert is a VCEK */
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.vcek.kind");
    X509_free(vcek);
}

static void test_vlek_accepted(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    cs.cn = "SEV-VLEK";
    cs.key = P.vlek_key;
    cs.issuer = P.asvk;
    cs.issuer_key = P.asvk_key;
    cs.hwid = NULL;
    cs.product = "Milan";
    X509 *vlek = make_cert(&cs);
    report_spec rs = good_report();
    rs.key_info = BURH_SNP_KEY_VLEK << 2;
    rs.zero_chip_id = true;
    rs.signer = P.vlek_key;
    expect_verdict(vlek, P.asvk, NULL, &rs, NULL);
    X509_free(vlek);
}

static void test_wrong_signature(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    rs.signer = P.other_ec_key;
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.report.signature");
    X509_free(vcek);
}

static void test_bad_chain(void **state)
{
    (void)state;
    /* The VCEK is signed by the rogue key while the real ASK is in the collateral. */
    cert_spec cs = vcek_spec();
    cs.issuer_key = P.rogue_key;
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.chain.signature");
    X509_free(vcek);
    /* A forged ASK with the real name: its self-signature is not the ARK's. */
    cs = vcek_spec();
    cs.issuer = P.rogue_ask;
    cs.issuer_key = P.rogue_key;
    vcek = make_cert(&cs);
    expect_verdict(vcek, P.rogue_ask, NULL, &rs, "snp.chain.signature");
    X509_free(vcek);
}

static void test_untrusted_root(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    /* No trust store: the test ARK is not one of AMD's pinned fingerprints. */
    burh_attest_verifier *v = NULL;
    assert_int_equal(burh_attest_verifier_new(&v, NULL), BURH_ATTEST_OK);
    add_der(v, P.ark, false);
    add_der(v, P.ask, false);
    add_der(v, vcek, false);
    burh_attest_verifier_set_time(v, AT);
    report_spec rs = good_report();
    burh_attest_result *r = run(v, &rs);
    assert_true(burh_attest_result_failed(r, "snp.ark.untrusted"));
    assert_true(burh_attest_result_failed(r, "snp.chain.untrusted"));
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);
    X509_free(vcek);
}

static void test_product_mismatch_and_missing_collateral(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    cs.product = "Genoa";
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report(); /* CPUID says Milan */
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.vcek.product");
    X509_free(vcek);

    burh_attest_verifier *v = NULL;
    assert_int_equal(burh_attest_verifier_new(&v, NULL), BURH_ATTEST_OK);
    burh_attest_result *r = run(v, &rs);
    assert_true(burh_attest_result_failed(r, "snp.collateral.missing"));
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);
}

static void test_turin_layout(void **state)
{
    (void)state;
    static const uint8_t hwid8[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    cert_spec cs = vcek_spec();
    cs.product = "Turin";
    cs.hwid = hwid8;
    cs.hwid_len = 8;
    cs.spl[9] = 2; /* fmc */
    cs.spl[1] = 3;
    cs.spl[2] = 0;
    cs.spl[3] = 0x20;
    cs.spl[8] = 0xD0;
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    rs.family = 0x1A;
    rs.model = 0x02;
    /* Turin TCB_VERSION: fmc, bl, tee, snp, 3 reserved, microcode. */
    rs.reported_tcb = 2 | 3 << 8 | 0 << 16 | 0x20 << 24 | (uint64_t)0xD0 << 56;
    uint8_t saved[64];
    memcpy(saved, P.chip_id, 64);
    memset(P.chip_id, 0, 64);
    memcpy(P.chip_id, hwid8, 8);
    expect_verdict(vcek, P.ask, NULL, &rs, NULL);
    rs.reported_tcb ^= 1; /* fmc 3 */
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.vcek.tcb");
    memcpy(P.chip_id, saved, 64);
    X509_free(vcek);
}

static void test_relying_party_policy(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    char policy[512];
    snprintf(policy, sizeof policy, "{\"snp\": {\"measurement\": [\"%0*d\"]}}", 96, 0);
    expect_verdict(vcek, P.ask, policy, &rs, "policy.measurement");
    expect_verdict(vcek, P.ask,
                   "{\"snp\": {\"host_data\": [\""
                   "0000000000000000000000000000000000000000000000000000000000000001"
                   "\"]}}",
                   &rs, "policy.host_data");
    expect_verdict(vcek, P.ask, "{\"platforms\": [\"tdx\"]}", &rs, "policy.platform");
    expect_verdict(vcek, P.ask, "{\"snp\": {\"min_guest_svn\": 1}}", &rs, "policy.guest_svn");
    expect_verdict(vcek, P.ask, "{\"snp\": {\"max_vmpl\": 0, \"min_guest_svn\": 0}}", &rs, NULL);
    expect_verdict(vcek, P.ask, "{\"snp\": {\"min_tcb\": {\"bootloader\": 4}}}", &rs,
                   "policy.min_tcb");
    expect_verdict(vcek, P.ask, "{\"snp\": {\"min_tcb\": {\"bootloader\": 3, \"microcode\": 115}}}",
                   &rs, NULL);
    char good[512], cd[97];
    memset(cd, 'c', 96);
    for (int i = 0; i < 96; i += 2)
        cd[i + 1] = 'd';
    cd[96] = '\0';
    snprintf(good, sizeof good, "{\"snp\": {\"measurement\": [\"%s\"]}, \"report_data\": \"abab\"}",
             cd);
    expect_verdict(vcek, P.ask, good, &rs, "policy.report_data"); /* abab then zeros != ab..ab */
    X509_free(vcek);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_chain_accepted),
        cmocka_unit_test(test_wrong_chip_id),
        cmocka_unit_test(test_vcek_picked_by_chip_id),
        cmocka_unit_test(test_masked_chip_id),
        cmocka_unit_test(test_tcb_mismatch),
        cmocka_unit_test(test_expired_and_not_yet_valid),
        cmocka_unit_test(test_crl),
        cmocka_unit_test(test_guest_policy_bits),
        cmocka_unit_test(test_report_format_checks),
        cmocka_unit_test(test_wrong_key_kind),
        cmocka_unit_test(test_vlek_accepted),
        cmocka_unit_test(test_wrong_signature),
        cmocka_unit_test(test_bad_chain),
        cmocka_unit_test(test_untrusted_root),
        cmocka_unit_test(test_product_mismatch_and_missing_collateral),
        cmocka_unit_test(test_turin_layout),
        cmocka_unit_test(test_relying_party_policy),
    };
    return cmocka_run_group_tests(tests, setup_pki, teardown_pki);
}
