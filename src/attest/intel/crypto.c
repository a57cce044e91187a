/* OpenSSL 3 primitives for Intel attestation: raw P-256 ECDSA, chains, CRLs, the pinned root. */
#include "attest/intel/intel_internal.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <string.h>

/* SHA-256 over the DER of the Intel SGX Root CA (valid 2018-05-21 to 2049-12-31). */
static const uint8_t INTEL_ROOT_SHA256[32] = {
    0x44, 0xA0, 0x19, 0x6B, 0x2B, 0x99, 0xF8, 0x89, 0xB8, 0xE1, 0x49, 0xE9, 0x5B, 0x80, 0x7A, 0x35,
    0x0E, 0x74, 0x24, 0x96, 0x43, 0x99, 0xE8, 0x85, 0xA7, 0xCB, 0xB8, 0xCC, 0xFA, 0xB6, 0x74, 0xD3};

static EVP_PKEY *p256_key_from_xy(const uint8_t key_xy[64])
{
    uint8_t point[65];
    point[0] = 0x04; /* uncompressed */
    memcpy(point + 1, key_xy, 64);
    EVP_PKEY *key = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (!bld || !ctx ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)))
        goto out;
    params = OSSL_PARAM_BLD_to_param(bld);
    if (!params || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        key = NULL;
out:
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    return key;
}

EVP_PKEY *intel_p256_key_checked(const uint8_t key_xy[64])
{
    EVP_PKEY *key = p256_key_from_xy(key_xy);
    if (!key)
        return NULL;
    /* fromdata does not always check the point is on the curve; ask explicitly. */
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    bool ok = ctx && EVP_PKEY_public_check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    if (!ok) {
        EVP_PKEY_free(key);
        return NULL;
    }
    return key;
}

/* Wraps a raw r||s signature as the DER ECDSA-Sig-Value OpenSSL verifies. */
static int rs_to_der(const uint8_t sig_rs[64], uint8_t **der)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig_rs, 32, NULL), *s = BN_bin2bn(sig_rs + 32, 32, NULL);
    if (!sig || !r || !s || !ECDSA_SIG_set0(sig, r, s)) {
        ECDSA_SIG_free(sig);
        BN_free(r);
        BN_free(s);
        return -1;
    }
    int len = i2d_ECDSA_SIG(sig, der);
    ECDSA_SIG_free(sig);
    return len;
}

bool intel_ecdsa_p256_verify_pkey(EVP_PKEY *key, const uint8_t *msg, size_t msg_len,
                                  const uint8_t sig_rs[64])
{
    uint8_t *der = NULL;
    int der_len = rs_to_der(sig_rs, &der);
    if (der_len <= 0)
        return false;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
              EVP_DigestVerify(md, der, (size_t)der_len, msg, msg_len) == 1;
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    return ok;
}

STACK_OF(X509) * intel_pem_chain_load(const uint8_t *pem, size_t len)
{
    STACK_OF(X509) *chain = sk_X509_new_null();
    if (chain && burh_attest_load_certs((burh_bytes){pem, len}, chain, NULL) == BURH_ATTEST_OK)
        return chain;
    sk_X509_pop_free(chain, X509_free);
    return NULL;
}

bool intel_cert_is_pinned_root(X509 *cert)
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned md_len = 0;
    if (!X509_digest(cert, EVP_sha256(), md, &md_len) || md_len != 32)
        return false;
    return memcmp(md, INTEL_ROOT_SHA256, 32) == 0;
}

int intel_chain_verify(X509 *leaf, STACK_OF(X509) * untrusted, STACK_OF(X509) * anchors, time_t at)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    int err = X509_V_ERR_UNSPECIFIED;
    if (!store || !ctx)
        goto out;
    for (int i = 0; i < sk_X509_num(anchors); i++)
        if (!X509_STORE_add_cert(store, sk_X509_value(anchors, i)))
            goto out;
    if (!X509_STORE_CTX_init(ctx, store, leaf, untrusted))
        goto out;
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_time(param, at);
    /* Only the anchors given are trusted, never a self-signed cert inside the quote. */
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
    err = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
out:
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    ERR_clear_error();
    return err;
}

burh_intel_err intel_pck_ext_from_cert(X509 *cert, intel_pck_ext *out)
{
    ASN1_OBJECT *oid = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
    if (!oid)
        return BURH_INTEL_ERR_NOMEM;
    int idx = X509_get_ext_by_OBJ(cert, oid, -1);
    ASN1_OBJECT_free(oid);
    if (idx < 0)
        return BURH_INTEL_ERR_FORMAT;
    ASN1_OCTET_STRING *data = X509_EXTENSION_get_data(X509_get_ext(cert, idx));
    if (!data)
        return BURH_INTEL_ERR_FORMAT;
    return intel_pck_ext_parse(ASN1_STRING_get0_data(data), (size_t)ASN1_STRING_length(data), out);
}
