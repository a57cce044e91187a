/* SEV-SNP certificates: loading, AMD VCEK/VLEK extensions, ARK pins, chain and CRL checks. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/attest_internal.h"

/* SHA-256 over the DER of the AMD Root Keys (ARK-Milan, ARK-Genoa, ARK-Turin). */
static const uint8_t ark_pins[][32] = {
    {0x69, 0xD0, 0x63, 0xB4, 0x53, 0x44, 0xD2, 0x6A, 0x2E, 0x94, 0xE1,
     0xF4, 0x21, 0x0D, 0xE4, 0x9E, 0xF5, 0x55, 0x30, 0x82, 0x87, 0xD4,
     0xC1, 0x74, 0x44, 0x5C, 0x95, 0x63, 0x9A, 0x54, 0x0B, 0xCD},
    {0x4C, 0x65, 0x98, 0xD1, 0x9C, 0x18, 0x71, 0x9C, 0x5D, 0xFD, 0x4A,
     0x7D, 0x33, 0x5F, 0x67, 0x4E, 0x5B, 0xFE, 0x1D, 0x8F, 0x80, 0x0C,
     0xEA, 0x2C, 0xF2, 0x70, 0xC1, 0x0D, 0x10, 0x3D, 0xB2, 0xF1},
    {0x1F, 0x08, 0x41, 0x61, 0xA4, 0x4B, 0xB6, 0xD9, 0x37, 0x78, 0xA9,
     0x04, 0x87, 0x7D, 0x48, 0x19, 0xCA, 0xFA, 0x5D, 0x05, 0xEF, 0x41,
     0x93, 0xB2, 0xDE, 0xD9, 0xDD, 0x9C, 0x73, 0xDD, 0x3F, 0x6A},
};

#define AMD_OID_PREFIX "1.3.6.1.4.1.3704.1."

bool burh_snp_cert_is_leaf(X509 *cert)
{
    EVP_PKEY *key = X509_get0_pubkey(cert);
    return key && EVP_PKEY_get_base_id(key) == EVP_PKEY_EC;
}

static bool common_name(X509_NAME *name, char *out, size_t out_len)
{
    int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (idx < 0)
        return false;
    ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    int n = ASN1_STRING_length(s);
    if (n <= 0 || (size_t)n >= out_len)
        return false;
    memcpy(out, ASN1_STRING_get0_data(s), (size_t)n);
    out[n] = '\0';
    return true;
}

/* The value bytes of AMD extension "1.3.6.1.4.1.3704.1.<suffix>", or NULL. */
static const ASN1_OCTET_STRING *amd_extension(X509 *cert, const char *suffix)
{
    char oid_text[64];
    snprintf(oid_text, sizeof oid_text, AMD_OID_PREFIX "%s", suffix);
    ASN1_OBJECT *oid = OBJ_txt2obj(oid_text, 1);
    if (!oid)
        return NULL;
    int idx = X509_get_ext_by_OBJ(cert, oid, -1);
    ASN1_OBJECT_free(oid);
    if (idx < 0)
        return NULL;
    return X509_EXTENSION_get_data(X509_get_ext(cert, idx));
}

/* A DER INTEGER 0..255 (SPL values are one byte); -1 absent, -2 malformed. */
static int spl_value(X509 *cert, int slot)
{
    char suffix[16];
    snprintf(suffix, sizeof suffix, "3.%d", slot);
    const ASN1_OCTET_STRING *v = amd_extension(cert, suffix);
    if (!v)
        return -1;
    const unsigned char *p = ASN1_STRING_get0_data(v);
    ASN1_INTEGER *i = d2i_ASN1_INTEGER(NULL, &p, ASN1_STRING_length(v));
    int64_t value = -2;
    if (!i || p != ASN1_STRING_get0_data(v) + ASN1_STRING_length(v) ||
        ASN1_INTEGER_get_int64(&value, i) != 1 || value < 0 || value > 255)
        value = -2;
    ASN1_INTEGER_free(i);
    ERR_clear_error();
    return (int)value;
}

/* hwID is either the raw chip id or an OCTET STRING wrapping it (both encodings occur). */
static void read_hwid(X509 *cert, burh_snp_leaf *leaf)
{
    const ASN1_OCTET_STRING *v = amd_extension(cert, "4");
    if (!v)
        return;
    const uint8_t *p = ASN1_STRING_get0_data(v);
    size_t n = (size_t)ASN1_STRING_length(v);
    if (n >= 2 && p[0] == 0x04 && p[1] == n - 2 && n - 2 <= sizeof leaf->hwid) {
        p += 2;
        n -= 2;
    }
    if (n == 0 || n > sizeof leaf->hwid)
        return;
    memcpy(leaf->hwid, p, n);
    leaf->hwid_len = n;
}

/* productName is an IA5String such as "Milan-B0" (some KDS versions omit the tag). */
static void read_product_name(X509 *cert, burh_snp_leaf *leaf)
{
    const ASN1_OCTET_STRING *v = amd_extension(cert, "2");
    if (!v)
        return;
    const uint8_t *p = ASN1_STRING_get0_data(v);
    size_t n = (size_t)ASN1_STRING_length(v);
    if (n >= 2 && (p[0] == 0x16 || p[0] == 0x0C) && p[1] == n - 2) {
        p += 2;
        n -= 2;
    }
    if (n >= sizeof leaf->product_name)
        return;
    for (size_t i = 0; i < n; i++)
        leaf->product_name[i] = (p[i] >= 0x20 && p[i] < 0x7F) ? (char)p[i] : '?';
    leaf->product_name[n] = '\0';
}

static burh_snp_product product_from_text(const char *text)
{
    static const struct {
        const char *prefix;
        burh_snp_product product;
    } known[] = {{"Milan", BURH_SNP_PRODUCT_MILAN},
                 {"Genoa", BURH_SNP_PRODUCT_GENOA},
                 {"Turin", BURH_SNP_PRODUCT_TURIN}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strncmp(text, known[i].prefix, strlen(known[i].prefix)) == 0)
            return known[i].product;
    return BURH_SNP_PRODUCT_UNKNOWN;
}

static void classify_leaf(X509 *cert, burh_snp_leaf *leaf)
{
    char cn[64], issuer[64];
    leaf->kind = BURH_SNP_KEY_NONE;
    if (common_name(X509_get_subject_name(cert), cn, sizeof cn)) {
        if (strcmp(cn, "SEV-VCEK") == 0)
            leaf->kind = BURH_SNP_KEY_VCEK;
        else if (strcmp(cn, "SEV-VLEK") == 0)
            leaf->kind = BURH_SNP_KEY_VLEK;
    }
    read_product_name(cert, leaf);
    leaf->product = product_from_text(leaf->product_name);
    if (leaf->product == BURH_SNP_PRODUCT_UNKNOWN &&
        common_name(X509_get_issuer_name(cert), issuer, sizeof issuer)) {
        const char *tail = strncmp(issuer, "SEV-VLEK-", 9) == 0 ? issuer + 9 : issuer + 4;
        if (strlen(issuer) > 4)
            leaf->product = product_from_text(tail);
    }
    EVP_PKEY *key = X509_get0_pubkey(cert);
    char group[32] = "";
    size_t glen = 0;
    leaf->key_is_p384 = key && EVP_PKEY_get_base_id(key) == EVP_PKEY_EC &&
                        EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &glen) &&
                        strcmp(group, "secp384r1") == 0;
    ERR_clear_error();
}

static void leaf_fail(burh_snp_leaf *leaf, const char *name, const char *detail)
{
    for (size_t i = 0; i < leaf->nfailures; i++)
        if (strcmp(leaf->failures[i].name, name) == 0)
            return; /* one entry per check is enough */
    if (leaf->nfailures == BURH_SNP_MAX_CHAIN_FAILURES)
        return;
    burh_failed_check *f = &leaf->failures[leaf->nfailures++];
    snprintf(f->name, sizeof f->name, "%s", name);
    snprintf(f->detail, sizeof f->detail, "%s", detail);
}

static bool is_pinned_ark(X509 *cert)
{
    uint8_t fp[32];
    unsigned int n = 0;
    if (!X509_digest(cert, EVP_sha256(), fp, &n) || n != sizeof fp)
        return false;
    for (size_t i = 0; i < sizeof ark_pins / sizeof ark_pins[0]; i++)
        if (memcmp(fp, ark_pins[i], sizeof fp) == 0)
            return true;
    return false;
}

static bool is_self_issued(X509 *cert)
{
    return X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0;
}

/* Records the failures OpenSSL reports while still walking the whole chain. */
static int collect_chain_errors(int ok, X509_STORE_CTX *ctx)
{
    if (ok)
        return 1;
    burh_snp_leaf *leaf = X509_STORE_CTX_get_app_data(ctx);
    int e = X509_STORE_CTX_get_error(ctx);
    int depth = X509_STORE_CTX_get_error_depth(ctx);
    char detail[BURH_DETAIL_SIZE];
    snprintf(detail, sizeof detail, "certificate at depth %d: %s", depth,
             X509_verify_cert_error_string(e));
    switch (e) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
    case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
        leaf_fail(leaf, "snp.chain.validity", detail);
        return 1;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
        leaf_fail(leaf, "snp.chain.signature", detail);
        return 1;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        leaf_fail(leaf, "snp.chain.untrusted", detail);
        return 0; /* no path to a trusted root: nothing further is meaningful */
    default:
        leaf_fail(leaf, "snp.chain.invalid", detail);
        return 1;
    }
}

/* Trust anchors: the explicit roots, or the pinned ARKs found in the collateral. */
static X509_STORE *make_store(const burh_snp_trust *trust, size_t *nanchors)
{
    X509_STORE *store = X509_STORE_new();
    *nanchors = 0;
    if (!store)
        return NULL;
    bool explicit_roots = sk_X509_num(trust->roots) > 0;
    STACK_OF(X509) *source = explicit_roots ? trust->roots : trust->certs;
    for (int i = 0; i < sk_X509_num(source); i++) {
        X509 *c = sk_X509_value(source, i);
        if (!is_self_issued(c) || (!explicit_roots && !is_pinned_ark(c)))
            continue;
        if (X509_STORE_add_cert(store, c) == 1)
            (*nanchors)++;
    }
    ERR_clear_error();
    return store;
}

static void check_crls(const burh_snp_trust *trust, STACK_OF(X509) * chain, burh_snp_leaf *leaf)
{
    for (int i = 0; i < sk_X509_CRL_num(trust->crls); i++) {
        X509_CRL *crl = sk_X509_CRL_value(trust->crls, i);
        X509 *issuer = NULL;
        for (int j = 0; j < sk_X509_num(chain) && !issuer; j++)
            if (X509_NAME_cmp(X509_CRL_get_issuer(crl),
                              X509_get_subject_name(sk_X509_value(chain, j))) == 0)
                issuer = sk_X509_value(chain, j);
        if (!issuer)
            continue; /* a CRL for another chain (e.g. another product) */
        burh_crl_verdict verdict = burh_attest_crl_judge(crl, issuer, trust->at);
        if (verdict == BURH_CRL_BAD_SIGNATURE) {
            leaf_fail(leaf, "snp.crl.signature",
                      "a CRL's signature does not verify with its issuer");
            continue;
        }
        if (verdict == BURH_CRL_STALE)
            leaf_fail(leaf, "snp.crl.stale", "a CRL is not current at the verification time");
        for (int j = 0; j < sk_X509_num(chain); j++)
            if (burh_attest_crl_revokes(crl, sk_X509_value(chain, j)))
                leaf_fail(leaf, "snp.chain.revoked", "a certificate in the chain is revoked");
    }
}

static burh_attest_status verify_chain(const burh_snp_trust *trust, X509 *cert, burh_snp_leaf *leaf,
                                       burh_attest_error *err)
{
    size_t nanchors = 0;
    X509_STORE *store = make_store(trust, &nanchors);
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    burh_attest_status status = BURH_ATTEST_OK;
    if (!store || !ctx || !untrusted) {
        status = burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < sk_X509_num(trust->certs); i++)
        if (sk_X509_value(trust->certs, i) != cert &&
            !sk_X509_push(untrusted, sk_X509_value(trust->certs, i))) {
            status = burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory");
            goto out;
        }
    if (nanchors == 0)
        leaf_fail(leaf, "snp.ark.untrusted",
                  sk_X509_num(trust->roots)
                      ? "no self-signed root in the trust store"
                      : "no ARK with a pinned AMD fingerprint in the collateral");
    if (X509_STORE_CTX_init(ctx, store, cert, untrusted) != 1) {
        status = burh_attest_fail(err, BURH_ATTEST_ERR_CRYPTO, "X509_STORE_CTX_init failed");
        goto out;
    }
    X509_STORE_CTX_set_app_data(ctx, leaf);
    X509_STORE_CTX_set_verify_cb(ctx, collect_chain_errors);
    X509_STORE_CTX_set_time(ctx, 0, (time_t)trust->at);
    int ok = X509_verify_cert(ctx);
    if (ok != 1 && leaf->nfailures == 0)
        leaf_fail(leaf, "snp.chain.invalid",
                  X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
    if (ok == 1)
        check_crls(trust, X509_STORE_CTX_get0_chain(ctx), leaf);
out:
    ERR_clear_error();
    sk_X509_free(untrusted);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return status;
}

burh_attest_status burh_snp_leaf_examine(const burh_snp_trust *trust, X509 *cert,
                                         burh_snp_leaf *leaf, burh_attest_error *err)
{
    memset(leaf, 0, sizeof *leaf);
    leaf->cert = cert;
    classify_leaf(cert, leaf);
    read_hwid(cert, leaf);
    for (int slot = 0; slot < BURH_SNP_SPL_SLOTS; slot++)
        leaf->spl[slot] = slot == 0 ? -1 : spl_value(cert, slot);
    return verify_chain(trust, cert, leaf, err);
}

int burh_snp_verify_signature(const burh_snp_leaf *leaf, const uint8_t *report,
                              const burh_snp_report *parsed)
{
    EVP_PKEY *key = X509_get0_pubkey(leaf->cert);
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(parsed->sig_r, sizeof parsed->sig_r, NULL);
    BIGNUM *s = BN_bin2bn(parsed->sig_s, sizeof parsed->sig_s, NULL);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char *der = NULL;
    int result = -1;
    if (!key || !sig || !r || !s || !md)
        goto out;
    if (!ECDSA_SIG_set0(sig, r, s))
        goto out;
    r = s = NULL; /* now owned by sig */
    int der_len = i2d_ECDSA_SIG(sig, &der);
    if (der_len <= 0)
        goto out;
    if (EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, key) != 1)
        goto out;
    int v = EVP_DigestVerify(md, der, (size_t)der_len, report, BURH_SNP_SIGNED_SIZE);
    result = v == 1; /* a malformed signature value (v < 0) is simply invalid */
out:
    ERR_clear_error();
    OPENSSL_free(der);
    EVP_MD_CTX_free(md);
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return result;
}
