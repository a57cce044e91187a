/* Test PKI bits shared by the attestation tests: CA extensions and SNP report signatures. */
#ifndef BURH_TEST_PKI_H
#define BURH_TEST_PKI_H

/* Include after <cmocka.h>; static inline so that a test using one of them compiles alone. */
#include <stdint.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

/* SNP ABI: the signature covers bytes 0x000..0x29F; R and S follow, 72 bytes little-endian. */
#define TU_SNP_SIGNED_SIZE 0x2A0
#define TU_SNP_SIG_R       0x2A0
#define TU_SNP_SIG_S       0x2E8
#define TU_SNP_SIG_PART    72

/* Marks `x` (issued by `issuer`, NULL: self-signed) as a CA: critical basicConstraints CA:TRUE
 * and keyUsage keyCertSign, cRLSign. */
static inline void tu_add_ca_extensions(X509 *x, X509 *issuer)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    X509_EXTENSION *bc = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");
    X509_EXTENSION *ku =
        X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    assert_non_null(bc);
    assert_non_null(ku);
    X509_add_ext(x, bc, -1);
    X509_add_ext(x, ku, -1);
    X509_EXTENSION_free(bc);
    X509_EXTENSION_free(ku);
}

/* Signs an SNP report in place with ECDSA P-384/SHA-384 under `key`. */
static inline void tu_sign_snp_report(EVP_PKEY *key, uint8_t *report)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char der[160];
    size_t der_len = sizeof der;
    assert_non_null(md);
    assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, key), 1);
    assert_int_equal(EVP_DigestSign(md, der, &der_len, report, TU_SNP_SIGNED_SIZE), 1);
    EVP_MD_CTX_free(md);
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    assert_non_null(sig);
    assert_int_equal(BN_bn2lebinpad(ECDSA_SIG_get0_r(sig), report + TU_SNP_SIG_R, TU_SNP_SIG_PART),
                     TU_SNP_SIG_PART);
    assert_int_equal(BN_bn2lebinpad(ECDSA_SIG_get0_s(sig), report + TU_SNP_SIG_S, TU_SNP_SIG_PART),
                     TU_SNP_SIG_PART);
    ECDSA_SIG_free(sig);
}

#endif
