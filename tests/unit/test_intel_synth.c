/* Intel verifier against a test PKI made at run time: each check fails on its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "burh/attest_intel.h"

#define AT     ((time_t)1767225600) /* 2026-01-01T00:00:00Z, the evaluation time */
#define DAY    ((time_t)86400)
#define ZERO48 "000000000000000000000000000000000000000000000000"
#define ZERO96 ZERO48 ZERO48

static const uint8_t QE_MRSIGNER[32] = {0xDC, 0x9E, 0x2A, 0x7C, 1, 2, 3, 4, 5, 6, 7};
static const uint8_t FMSPC[6] = {0x50, 0x80, 0x6f, 0, 0, 0};
static const uint8_t INTEL_VENDOR[16] = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                         0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};

/* ---- a small DER writer for the PCK SGX extension ---- */

typedef struct buf {
    uint8_t p[8192];
    size_t n;
} buf;

static void put(buf *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof(b->p));
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void tlv(buf *out, uint8_t tag, const uint8_t *v, size_t n)
{
    uint8_t hdr[4] = {tag};
    size_t h = 2;
    if (n < 0x80) {
        hdr[1] = (uint8_t)n;
    } else {
        hdr[1] = 0x82, hdr[2] = (uint8_t)(n >> 8), hdr[3] = (uint8_t)n, h = 4;
    }
    put(out, hdr, h);
    put(out, v, n);
}

static void sgx_item(buf *out, const uint8_t *arcs, size_t narcs, uint8_t tag, const uint8_t *v,
                     size_t n)
{
    uint8_t oid[16] = {0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D, 0x01, 0x0D, 0x01};
    memcpy(oid + 9, arcs, narcs);
    buf item = {.n = 0};
    tlv(&item, 0x06, oid, 9 + narcs);
    tlv(&item, tag, v, n);
    tlv(out, 0x30, item.p, item.n);
}

static void sgx_extension(buf *out, uint8_t comp_svn, uint16_t pcesvn)
{
    buf tcb = {.n = 0}, top = {.n = 0};
    uint8_t zeros[16] = {0};
    for (uint8_t i = 1; i <= 16; i++) {
        uint8_t arcs[2] = {2, i}, v[2] = {0, comp_svn};
        sgx_item(&tcb, arcs, 2, 0x02, comp_svn & 0x80 ? v : v + 1, comp_svn & 0x80 ? 2 : 1);
    }
    uint8_t arcs17[2] = {2, 17}, pv[3] = {0, (uint8_t)(pcesvn >> 8), (uint8_t)pcesvn};
    sgx_item(&tcb, arcs17, 2, 0x02, pv, 3);
    uint8_t arcs18[2] = {2, 18};
    sgx_item(&tcb, arcs18, 2, 0x04, zeros, 16);
    uint8_t a1 = 1, a2 = 2, a3 = 3, a4 = 4, a5 = 5, e0 = 0;
    sgx_item(&top, &a1, 1, 0x04, zeros, 16);
    sgx_item(&top, &a2, 1, 0x30, tcb.p, tcb.n);
    sgx_item(&top, &a3, 1, 0x04, zeros, 2);
    sgx_item(&top, &a4, 1, 0x04, FMSPC, 6);
    sgx_item(&top, &a5, 1, 0x0A, &e0, 1);
    tlv(out, 0x30, top.p, top.n);
}

/* ---- test PKI ---- */

typedef struct pki {
    EVP_PKEY *root_key, *ca_key, *pck_key, *tcb_key, *att_key;
    X509 *root, *ca, *pck, *tcb;
} pki;

static void add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    assert_non_null(ext);
    assert_true(X509_add_ext(cert, ext, -1));
    X509_EXTENSION_free(ext);
}

static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
                       long serial, bool ca, const buf *sgx_ext)
{
    X509 *c = X509_new();
    assert_non_null(c);
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
    ASN1_TIME_set(X509_getm_notBefore(c), AT - 365 * DAY);
    ASN1_TIME_set(X509_getm_notAfter(c), AT + 365 * DAY);
    X509_NAME *name = X509_get_subject_name(c);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"burh test", -1, -1,
                               0);
    X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name);
    X509_set_pubkey(c, key);
    X509 *iss = issuer ? issuer : c;
    add_ext(c, iss, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_ext(c, iss, NID_key_usage,
            ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    add_ext(c, iss, NID_subject_key_identifier, "hash");
    add_ext(c, iss, NID_authority_key_identifier, "keyid:always");
    if (sgx_ext) {
        ASN1_OBJECT *oid = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
        ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
        ASN1_OCTET_STRING_set(os, sgx_ext->p, (int)sgx_ext->n);
        X509_EXTENSION *ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, os);
        assert_true(X509_add_ext(c, ext, -1));
        X509_EXTENSION_free(ext);
        ASN1_OCTET_STRING_free(os);
        ASN1_OBJECT_free(oid);
    }
    assert_true(X509_sign(c, issuer_key, EVP_sha256()) > 0);
    return c;
}

static void pki_make(pki *k, uint8_t comp_svn)
{
    k->root_key = EVP_EC_gen("P-256");
    k->ca_key = EVP_EC_gen("P-256");
    k->pck_key = EVP_EC_gen("P-256");
    k->tcb_key = EVP_EC_gen("P-256");
    k->att_key = EVP_EC_gen("P-256");
    assert_true(k->root_key && k->ca_key && k->pck_key && k->tcb_key && k->att_key);
    buf ext = {.n = 0};
    sgx_extension(&ext, comp_svn, 11);
    k->root = make_cert("Test SGX Root CA", k->root_key, NULL, k->root_key, 1, true, NULL);
    k->ca = make_cert("Test PCK Platform CA", k->ca_key, k->root, k->root_key, 2, true, NULL);
    k->pck = make_cert("Test PCK Certificate", k->pck_key, k->ca, k->ca_key, 77, false, &ext);
    k->tcb = make_cert("Test TCB Signing", k->tcb_key, k->root, k->root_key, 3, false, NULL);
}

static void pki_free(pki *k)
{
    EVP_PKEY *keys[] = {k->root_key, k->ca_key, k->pck_key, k->tcb_key, k->att_key};
    X509 *certs[] = {k->root, k->ca, k->pck, k->tcb};
    for (size_t i = 0; i < 5; i++)
        EVP_PKEY_free(keys[i]);
    for (size_t i = 0; i < 4; i++)
        X509_free(certs[i]);
}

static void pem_of(buf *out, X509 *const *certs, size_t n)
{
    BIO *bio = BIO_new(BIO_s_mem());
    for (size_t i = 0; i < n; i++)
        PEM_write_bio_X509(bio, certs[i]);
    char *data;
    long len = BIO_get_mem_data(bio, &data);
    out->n = 0;
    put(out, data, (size_t)len);
    BIO_free(bio);
}

/* ECDSA P-256 over msg, as raw r||s. */
static void sign_rs(EVP_PKEY *key, const uint8_t *msg, size_t len, uint8_t rs[64])
{
    uint8_t der[80];
    size_t der_len = sizeof(der);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
    assert_int_equal(EVP_DigestSign(md, der, &der_len, msg, len), 1);
    EVP_MD_CTX_free(md);
    const uint8_t *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    assert_non_null(sig);
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs + 32, 32);
    ECDSA_SIG_free(sig);
}

static void le16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
    le16(p, v & 0xFFFF), le16(p + 2, v >> 16);
}

/* ---- quotes ---- */

typedef struct quote_opts {
    unsigned version; /* 3 (SGX), 4 or 5 (TDX) */
    bool debug;
    bool bad_binding;
    uint8_t qe_isvsvn;
    uint8_t module_major, module_svn; /* TEE_TCB_SVN[1], [0] (3 when major is 0) */
} quote_opts;

static void build_qe_part(const pki *k, const quote_opts *o, const uint8_t *att, buf *inner);

static void build_quote(const pki *k, const quote_opts *o, buf *q)
{
    bool sgx = o->version == 3;
    size_t body_len = sgx ? 384 : 584;
    q->n = 0;
    uint8_t hdr[48] = {0};
    le16(hdr, o->version), le16(hdr + 2, 2), le32(hdr + 4, sgx ? 0 : 0x81);
    memcpy(hdr + 12, INTEL_VENDOR, 16);
    put(q, hdr, 48);
    if (o->version == 5) {
        uint8_t d[6];
        le16(d, 2), le32(d + 2, (uint32_t)body_len);
        put(q, d, 6);
    }
    uint8_t body[584] = {0};
    if (sgx) {
        body[48] = o->debug ? 0x07 : 0x05;
        memset(body + 64, 0xE1, 32); /* MRENCLAVE */
        memset(body + 128, 0x51, 32);
    } else {
        body[0] = o->module_major ? o->module_svn : 3, body[1] = o->module_major, body[2] = 5;
        body[120] = o->debug ? 1 : 0;
        memset(body + 136, 0xAB, 48); /* MRTD */
    }
    put(q, body, body_len);
    size_t signed_len = q->n;

    uint8_t sig[64], att[65];
    size_t att_len = sizeof(att);
    EVP_PKEY_get_octet_string_param(k->att_key, OSSL_PKEY_PARAM_PUB_KEY, att, att_len, &att_len);
    sign_rs(k->att_key, q->p, signed_len, sig);
    buf inner = {.n = 0};
    build_qe_part(k, o, att + 1, &inner);
    uint8_t len16[2], len32[4];
    buf sd = {.n = 0};
    put(&sd, sig, 64), put(&sd, att + 1, 64);
    if (!sgx) {
        le16(len16, 6), le32(len32, (uint32_t)inner.n);
        put(&sd, len16, 2), put(&sd, len32, 4);
    }
    put(&sd, inner.p, inner.n);
    le32(len32, (uint32_t)sd.n);
    put(q, len32, 4), put(q, sd.p, sd.n);
}

/* QE report bound to the attestation key, its PCK signature, auth data and the PEM chain. */
static void build_qe_part(const pki *k, const quote_opts *o, const uint8_t *att, buf *inner)
{
    bool sgx = o->version == 3;
    uint8_t auth[32];
    memset(auth, 0x42, sizeof(auth));
    uint8_t qe[384] = {0};
    qe[48] = 0x11;
    memcpy(qe + 128, QE_MRSIGNER, 32);
    le16(qe + 256, sgx ? 1 : 2), le16(qe + 258, o->qe_isvsvn ? o->qe_isvsvn : 4);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    EVP_DigestUpdate(md, att, 64);
    EVP_DigestUpdate(md, auth, o->bad_binding ? 31 : 32);
    EVP_DigestFinal_ex(md, qe + 320, NULL);
    EVP_MD_CTX_free(md);
    uint8_t qe_sig[64];
    sign_rs(k->pck_key, qe, sizeof(qe), qe_sig);

    buf pem;
    X509 *chain[] = {k->pck, k->ca, k->root};
    pem_of(&pem, chain, 3);
    uint8_t len16[2], len32[4];
    put(inner, qe, sizeof(qe));
    put(inner, qe_sig, 64);
    le16(len16, sizeof(auth));
    put(inner, len16, 2);
    put(inner, auth, sizeof(auth));
    le16(len16, 5), le32(len32, (uint32_t)pem.n);
    put(inner, len16, 2), put(inner, len32, 4), put(inner, pem.p, pem.n);
}

/* ---- collateral ---- */

static void hex(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02X", p[i]);
}

static void iso(char *out, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Wraps text as a PCS response {"<member>":text,"signature":"..."} signed by the TCB key. */
static void sign_doc(const pki *k, const char *member, const char *text, buf *out, bool corrupt)
{
    uint8_t rs[64];
    char sig[129];
    sign_rs(k->tcb_key, (const uint8_t *)text, strlen(text), rs);
    if (corrupt)
        rs[10] ^= 1;
    hex(sig, rs, 64);
    out->n = (size_t)snprintf((char *)out->p, sizeof(out->p), "{\"%s\":%s,\"signature\":\"%s\"}",
                              member, text, sig);
}

static const char *COMP16 = "[{\"svn\":%d},{\"svn\":%d},{\"svn\":%d},{\"svn\":%d},{\"svn\":%d},"
                            "{\"svn\":%d},{\"svn\":%d},{\"svn\":%d},{\"svn\":0},{\"svn\":0},"
                            "{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},"
                            "{\"svn\":0}]";

#define MODULE_IDS                                                                                 \
    "\"tdxModuleIdentities\":[{\"id\":\"TDX_01\",\"mrsigner\":\"" ZERO96 "\","                     \
    "\"attributes\":\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\","                 \
    "\"tcbLevels\":[{\"tcb\":{\"isvsvn\":3},\"tcbDate\":\"2025-01-01T00:00:00Z\","                 \
    "\"tcbStatus\":\"UpToDate\"},{\"tcb\":{\"isvsvn\":1},\"tcbDate\":"                             \
    "\"2024-01-01T00:00:00Z\",\"tcbStatus\":\"OutOfDate\",\"advisoryIDs\":"                        \
    "[\"INTEL-SA-77777\"]}]}],"

static void tcb_info_text(char *out, size_t cap, bool tdx, const char *status, time_t next,
                          const uint8_t *fmspc)
{
    char issue[32], nxt[32], fm[13], comps[400], tdxc[400], levels[4096];
    iso(issue, AT - DAY), iso(nxt, next), hex(fm, fmspc, 6);
    snprintf(comps, sizeof(comps), COMP16, 5, 5, 5, 5, 5, 5, 5, 5);
    snprintf(tdxc, sizeof(tdxc), COMP16, 3, 0, 5, 0, 0, 0, 0, 0);
    /* Level 1 needs component SVN 200 (not reached by the test PCK), level 2 is `status`. */
    char hi[400];
    snprintf(hi, sizeof(hi), COMP16, 200, 5, 5, 5, 5, 5, 5, 5);
    snprintf(levels, sizeof(levels),
             "[{\"tcb\":{\"sgxtcbcomponents\":%s,\"pcesvn\":11%s%s},\"tcbDate\":\"%s\","
             "\"tcbStatus\":\"UpToDate\"},"
             "{\"tcb\":{\"sgxtcbcomponents\":%s,\"pcesvn\":11%s%s},\"tcbDate\":\"%s\","
             "\"tcbStatus\":\"%s\",\"advisoryIDs\":[\"INTEL-SA-99999\"]}]",
             hi, tdx ? ",\"tdxtcbcomponents\":" : "", tdx ? tdxc : "", issue, comps,
             tdx ? ",\"tdxtcbcomponents\":" : "", tdx ? tdxc : "", issue, status);
    snprintf(out, cap,
             "{\"id\":\"%s\",\"version\":3,\"issueDate\":\"%s\",\"nextUpdate\":\"%s\","
             "\"fmspc\":\"%s\",\"pceId\":\"0000\",\"tcbType\":0,\"tcbEvaluationDataNumber\":17,"
             "%s%s\"tcbLevels\":%s}",
             tdx ? "TDX" : "SGX", issue, nxt, fm,
             tdx ? "\"tdxModule\":{\"mrsigner\":\"" ZERO96 "\",\"attributes\":\"0000000000000000\","
                   "\"attributesMask\":\"FFFFFFFFFFFFFFFF\"},"
                 : "",
             tdx ? MODULE_IDS : "", levels);
}

static void qe_identity_text(char *out, size_t cap, bool tdx, time_t next, bool wrong_mrsigner)
{
    char issue[32], nxt[32], mrs[65];
    uint8_t mrsigner[32];
    memcpy(mrsigner, QE_MRSIGNER, 32);
    mrsigner[31] ^= wrong_mrsigner;
    iso(issue, AT - DAY), iso(nxt, next), hex(mrs, mrsigner, 32);
    snprintf(out, cap,
             "{\"id\":\"%s\",\"version\":2,\"issueDate\":\"%s\",\"nextUpdate\":\"%s\","
             "\"tcbEvaluationDataNumber\":17,\"miscselect\":\"00000000\","
             "\"miscselectMask\":\"FFFFFFFF\",\"attributes\":\"11000000000000000000000000000000\","
             "\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\",\"mrsigner\":\"%s\","
             "\"isvprodid\":%d,\"tcbLevels\":[{\"tcb\":{\"isvsvn\":4},\"tcbDate\":\"%s\","
             "\"tcbStatus\":\"UpToDate\"},{\"tcb\":{\"isvsvn\":2},\"tcbDate\":\"%s\","
             "\"tcbStatus\":\"OutOfDate\",\"advisoryIDs\":[\"INTEL-SA-88888\"]}]}",
             tdx ? "TD_QE" : "QE", issue, nxt, mrs, tdx ? 2 : 1, issue, issue);
}

static X509_CRL *make_crl(X509 *issuer, EVP_PKEY *key, X509 *revoked, time_t next)
{
    X509_CRL *crl = X509_CRL_new();
    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer));
    ASN1_TIME *t = ASN1_TIME_set(NULL, AT - DAY);
    X509_CRL_set1_lastUpdate(crl, t);
    ASN1_TIME_set(t, next);
    X509_CRL_set1_nextUpdate(crl, t);
    ASN1_TIME_free(t);
    if (revoked) {
        X509_REVOKED *r = X509_REVOKED_new();
        X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(revoked));
        ASN1_TIME *rt = ASN1_TIME_set(NULL, AT - DAY);
        X509_REVOKED_set_revocationDate(r, rt);
        ASN1_TIME_free(rt);
        X509_CRL_add0_revoked(crl, r);
    }
    assert_true(X509_CRL_sign(crl, key, EVP_sha256()) > 0);
    return crl;
}

static void set_crl(burh_intel_collateral *col, X509_CRL *crl, bool pck)
{
    uint8_t *der = NULL;
    int len = i2d_X509_CRL(crl, &der);
    burh_intel_bytes b = {der, (size_t)len};
    assert_int_equal(pck ? burh_intel_collateral_set_pck_crl(col, b)
                         : burh_intel_collateral_set_root_crl(col, b),
                     BURH_INTEL_OK);
    OPENSSL_free(der);
    X509_CRL_free(crl);
}

/* With BURH_INTEL_SEED_DIR set, the generated inputs are kept as fuzzing seeds. */
static void dump_seed(const char *sub, const char *name, const uint8_t *p, size_t n)
{
    const char *dir = getenv("BURH_INTEL_SEED_DIR");
    char path[512];
    if (!dir)
        return;
    snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(p, 1, n, f);
        fclose(f);
    }
}

/* ---- one scenario: everything valid unless a field below says otherwise ---- */

typedef struct scenario {
    quote_opts q;
    const char *status; /* tcbStatus of the matching platform level; default UpToDate */
    bool corrupt_quote_sig, corrupt_qe_sig, corrupt_tcb_sig, tcb_expired, revoke_pck;
    bool untrusted_pck_root; /* PCK chain made under a second, untrusted root */
    bool pck_signs_collateral, revoke_ca, bad_crl_sig, qe_wrong_mrsigner, wrong_fmspc;
    bool allow_debug;
    const uint8_t *expect_mrtd;
} scenario;

static burh_intel_collateral *build_collateral(const scenario *s, pki *k, bool tdx);

static burh_intel_result *run(const scenario *s, buf *quote_out)
{
    pki k, other;
    pki_make(&k, 5);
    bool tdx = s->q.version != 3;
    buf q;
    if (s->untrusted_pck_root) {
        pki_make(&other, 5);
        EVP_PKEY_free(other.att_key);
        other.att_key = k.att_key;
        build_quote(&other, &s->q, &q);
        other.att_key = NULL;
    } else {
        build_quote(&k, &s->q, &q);
    }
    size_t body_end = 48 + (s->q.version == 5 ? 6 : 0) + (tdx ? 584 : 384);
    if (s->corrupt_quote_sig)
        q.p[body_end + 4 + 3] ^= 1;
    if (s->corrupt_qe_sig)
        q.p[body_end + 4 + 128 + (tdx ? 6 : 0) + 384 + 5] ^= 1;
    if (quote_out)
        *quote_out = q;
    char seed_name[32];
    snprintf(seed_name, sizeof(seed_name), "synth_v%u.bin", s->q.version);
    dump_seed("fuzz_quote_intel", seed_name, q.p, q.n);

    burh_intel_collateral *col = build_collateral(s, &k, tdx);
    burh_intel_quote *quote = NULL;
    assert_int_equal(burh_intel_quote_parse((burh_intel_bytes){q.p, q.n}, &quote), BURH_INTEL_OK);
    buf pem;
    X509 *roots[] = {k.root};
    pem_of(&pem, roots, 1);
    burh_intel_options opts = {.at = AT, .trust_roots = {pem.p, pem.n}};
    burh_intel_policy pol;
    burh_intel_policy_default(&pol);
    pol.allow_debug = s->allow_debug;
    pol.mrtd = s->expect_mrtd;
    burh_intel_result *res = NULL;
    assert_int_equal(burh_intel_verify(quote, col, &pol, &opts, &res), BURH_INTEL_OK);
    burh_intel_quote_free(quote);
    burh_intel_collateral_free(col);
    if (s->untrusted_pck_root)
        pki_free(&other);
    pki_free(&k);
    return res;
}

/* TCB info, QE identity, signing chain and CRLs for scenario s, signed with k. */
static burh_intel_collateral *build_collateral(const scenario *s, pki *k, bool tdx)
{
    burh_intel_collateral *col = burh_intel_collateral_new();
    char text[8192];
    buf doc, pem;
    static const uint8_t other_fmspc[6] = {0x00, 0x90, 0x6e, 0, 0, 0};
    tcb_info_text(text, sizeof(text), tdx, s->status ? s->status : "UpToDate",
                  s->tcb_expired ? AT - 1 : AT + 30 * DAY, s->wrong_fmspc ? other_fmspc : FMSPC);
    if (s->pck_signs_collateral) {
        EVP_PKEY *tcb_key = k->tcb_key;
        k->tcb_key = k->pck_key;
        sign_doc(k, "tcbInfo", text, &doc, false);
        k->tcb_key = tcb_key;
    } else {
        sign_doc(k, "tcbInfo", text, &doc, s->corrupt_tcb_sig);
    }
    dump_seed("fuzz_collateral_intel", tdx ? "tcb_tdx.json" : "tcb_sgx.json", doc.p, doc.n);
    assert_int_equal(burh_intel_collateral_set_tcb_info(col, (burh_intel_bytes){doc.p, doc.n}),
                     BURH_INTEL_OK);
    qe_identity_text(text, sizeof(text), tdx, AT + 30 * DAY, s->qe_wrong_mrsigner);
    EVP_PKEY *tcb_key = k->tcb_key;
    k->tcb_key = s->pck_signs_collateral ? k->pck_key : tcb_key;
    sign_doc(k, "enclaveIdentity", text, &doc, false);
    k->tcb_key = tcb_key;
    dump_seed("fuzz_collateral_intel", "qe_identity.json", doc.p, doc.n);
    assert_int_equal(burh_intel_collateral_set_qe_identity(col, (burh_intel_bytes){doc.p, doc.n}),
                     BURH_INTEL_OK);
    X509 *signers[] = {s->pck_signs_collateral ? k->pck : k->tcb,
                       s->pck_signs_collateral ? k->ca : k->root, k->root};
    pem_of(&pem, signers, 3);
    assert_int_equal(
        burh_intel_collateral_set_tcb_signing_chain(col, (burh_intel_bytes){pem.p, pem.n}),
        BURH_INTEL_OK);
    if (!s->untrusted_pck_root) {
        set_crl(col,
                make_crl(k->ca, s->bad_crl_sig ? k->tcb_key : k->ca_key,
                         s->revoke_pck ? k->pck : NULL, AT + DAY),
                true);
        set_crl(col, make_crl(k->root, k->root_key, s->revoke_ca ? k->ca : NULL, AT + DAY), false);
    }
    return col;
}

/* Asserts the failures are exactly `want` (NULL-terminated) and returns the status name. */
static const char *expect_failures(burh_intel_result *res, const char *const *want)
{
    size_t n = 0;
    for (size_t i = 0; i < burh_intel_result_failure_count(res); i++)
        fprintf(stderr, "    failed: %s\n", burh_intel_result_failure(res, i));
    while (want[n]) {
        assert_true(burh_intel_result_failed(res, want[n]));
        n++;
    }
    assert_int_equal(burh_intel_result_failure_count(res), n);
    return burh_intel_tcb_status_name(burh_intel_result_tcb_status(res));
}

#define CHECK(sc, status_name, ...)                                                                \
    do {                                                                                           \
        burh_intel_result *r_ = run(&(sc), NULL);                                                  \
        const char *const want_[] = {__VA_ARGS__, NULL};                                           \
        assert_string_equal(expect_failures(r_, want_ + (want_[0] == NULL)), status_name);         \
        burh_intel_result_free(r_);                                                                \
    } while (0)

static void test_all_good(void **state)
{
    (void)state;
    for (unsigned v = 3; v <= 5; v++) {
        scenario s = {.q = {.version = v}};
        CHECK(s, "UpToDate", NULL);
    }
}

static void test_each_check_fails_alone(void **state)
{
    (void)state;
    scenario s;
    s = (scenario){.q = {.version = 4}, .corrupt_quote_sig = true};
    CHECK(s, "UpToDate", "tdx.quote.signature");
    s = (scenario){.q = {.version = 4}, .corrupt_qe_sig = true};
    CHECK(s, "UpToDate", "tdx.qe_report.signature");
    s = (scenario){.q = {.version = 4, .bad_binding = true}};
    CHECK(s, "UpToDate", "tdx.qe_report.binding");
    s = (scenario){.q = {.version = 4}, .untrusted_pck_root = true};
    CHECK(s, "UpToDate", "tdx.pck.chain");
    s = (scenario){.q = {.version = 4}, .revoke_pck = true};
    CHECK(s, "UpToDate", "tdx.pck.revoked");
    s = (scenario){.q = {.version = 4}, .corrupt_tcb_sig = true};
    CHECK(s, "UpToDate", "tdx.tcb_info.signature");
    s = (scenario){.q = {.version = 4}, .tcb_expired = true};
    CHECK(s, "UpToDate", "tdx.tcb_info.expired");
    s = (scenario){.q = {.version = 4, .debug = true}};
    CHECK(s, "UpToDate", "tdx.td.debug");
    s = (scenario){.q = {.version = 3, .debug = true}};
    CHECK(s, "UpToDate", "sgx.enclave.debug");
    s = (scenario){.q = {.version = 5, .debug = true}, .allow_debug = true};
    CHECK(s, "UpToDate", NULL);
    s = (scenario){.q = {.version = 4}, .revoke_ca = true};
    CHECK(s, "UpToDate", "tdx.pck.revoked");
    s = (scenario){.q = {.version = 4}, .bad_crl_sig = true};
    CHECK(s, "UpToDate", "tdx.pck.crl");
    s = (scenario){.q = {.version = 3}, .qe_wrong_mrsigner = true};
    CHECK(s, "UpToDate", "sgx.qe_identity.mismatch");
    s = (scenario){.q = {.version = 4}, .wrong_fmspc = true};
    CHECK(s, "Unknown", "tdx.tcb_info.fmspc");
    /* A PCK key (held by a platform) must not be able to vouch for collateral. */
    s = (scenario){.q = {.version = 4}, .pck_signs_collateral = true};
    CHECK(s, "UpToDate", "tdx.collateral.signing_chain");
}

static void test_tdx_module_identity(void **state)
{
    (void)state;
    scenario s = {.q = {.version = 5, .module_major = 1, .module_svn = 3}};
    CHECK(s, "UpToDate", NULL);
    s.q.module_svn = 2; /* below TDX_01's UpToDate level */
    CHECK(s, "OutOfDate", "tdx.tcb.status");
    s.q.module_svn = 0; /* below every TDX_01 level */
    CHECK(s, "OutOfDate", "tdx.tdx_module.tcb", "tdx.tcb.status");
    s.q.module_major = 2; /* no TDX_02 identity */
    CHECK(s, "UpToDate", "tdx.tdx_module.identity");
}

static void test_tcb_statuses(void **state)
{
    (void)state;
    scenario s = {.q = {.version = 4}, .status = "OutOfDate"};
    CHECK(s, "OutOfDate", "tdx.tcb.status");
    s.status = "Revoked";
    CHECK(s, "Revoked", "tdx.tcb.status");
    s.status = "SWHardeningNeeded";
    CHECK(s, "SWHardeningNeeded", NULL);
    s.status = "OutOfDateConfigurationNeeded";
    CHECK(s, "OutOfDateConfigurationNeeded", "tdx.tcb.status");
    /* An out-of-date QE makes a current platform OutOfDate. */
    s = (scenario){.q = {.version = 4, .qe_isvsvn = 3}};
    CHECK(s, "OutOfDate", "tdx.tcb.status");
    s = (scenario){.q = {.version = 4, .qe_isvsvn = 3}, .status = "ConfigurationNeeded"};
    CHECK(s, "OutOfDateConfigurationNeeded", "tdx.tcb.status");
    /* Below every QE level. */
    s = (scenario){.q = {.version = 3, .qe_isvsvn = 1}};
    CHECK(s, "Revoked", "sgx.qe_identity.tcb", "sgx.tcb.status");
}

static void test_policy_measurements(void **state)
{
    (void)state;
    uint8_t mrtd[48];
    memset(mrtd, 0xAB, sizeof(mrtd));
    scenario s = {.q = {.version = 4}, .expect_mrtd = mrtd};
    CHECK(s, "UpToDate", NULL);
    mrtd[47] = 0;
    CHECK(s, "UpToDate", "tdx.policy.mrtd");
}

/* Every prefix and every single-byte corruption of a quote is handled without a crash. */
static void test_mutations(void **state)
{
    (void)state;
    scenario s = {.q = {.version = 4}};
    buf q;
    burh_intel_result_free(run(&s, &q));
    for (size_t cut = 0; cut < q.n; cut++) {
        burh_intel_quote *quote = NULL;
        assert_int_not_equal(burh_intel_quote_parse((burh_intel_bytes){q.p, cut}, &quote),
                             BURH_INTEL_OK);
    }
    for (size_t i = 0; i < q.n; i += 7) {
        buf m = q;
        m.p[i] ^= 0x80;
        burh_intel_quote *quote = NULL;
        if (burh_intel_quote_parse((burh_intel_bytes){m.p, m.n}, &quote) != BURH_INTEL_OK)
            continue;
        burh_intel_result *res = NULL;
        burh_intel_options opts = {.at = AT};
        assert_int_equal(burh_intel_verify(quote, NULL, NULL, &opts, &res), BURH_INTEL_OK);
        /* No collateral and an untrusted root: it can never pass. */
        assert_false(burh_intel_result_ok(res));
        burh_intel_result_free(res);
        burh_intel_quote_free(quote);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_good),
        cmocka_unit_test(test_each_check_fails_alone),
        cmocka_unit_test(test_tcb_statuses),
        cmocka_unit_test(test_tdx_module_identity),
        cmocka_unit_test(test_policy_measurements),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
