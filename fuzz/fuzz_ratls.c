/* libFuzzer target: the RA-TLS extension and claims parsers, and certificate verification. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/ratls_internal.h"
#include "burh/ratls.h"

/*
 * Input: one mode byte, then data.
 *   mode even: data is the value of extension 2.23.133.5.4.9; it is parsed directly and put into
 *              a certificate with the fixed key below, which is then verified (nil evidence
 *              allowed), so mutations of well-bound seeds reach every check. The certificate is
 *              signed only when the mode byte is 2: signing is slow, and only the accepted path
 *              needs it.
 *   mode odd:  data is a DER certificate, verified as it is.
 * The key is fixed so that the seeds' pubkey-hash claims (fuzz/seeds/fuzz_ratls) match it.
 */
static const char fixed_key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDBvD5gNWTmXZnpiYF+X\n"
    "ZEKE7+COJTkIc9umBUQQx4TToXMSbef8kIzExUB/ryx/0T6hZANiAAQq4DnuBgR6\n"
    "P3/GwstQskD1PYhxUKOjCTf4tgva4pomyrc3lhd6AeRnjnIIDpdKvtXerXVv+DBy\n"
    "PmB/2AeOc9Vy9JHwIH0RVuB6MIeVrdTHf2GA3OwXOXieL8VV7Qgcvjk=\n"
    "-----END PRIVATE KEY-----\n";

static EVP_PKEY *fixed_key;
static burh_attest_verifier *verifier;

static void init(void)
{
    static const char policy[] = "{\"allow_backends\": [\"nil\", \"kvm\"]}";
    BIO *bio = BIO_new_mem_buf(fixed_key_pem, -1);
    fixed_key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    burh_attest_policy *p = NULL;
    if (!fixed_key || burh_attest_verifier_new(&verifier, NULL) != BURH_ATTEST_OK ||
        burh_attest_policy_parse((burh_bytes){(const uint8_t *)policy, sizeof policy - 1}, &p,
                                 NULL) != BURH_ATTEST_OK)
        abort();
    burh_attest_verifier_set_policy(verifier, p);
    burh_attest_verifier_set_time(verifier, 1800000000LL);
}

static void verify(X509 *cert)
{
    static const uint8_t nonce[] = {'n', 'o', 'n', 'c', 'e'};
    burh_ratls_expect x = {.nonce = {nonce, sizeof nonce}};
    burh_ratls_result *r = NULL;
    if (burh_ratls_verify_cert(cert, &x, verifier, &r, NULL) == BURH_ATTEST_OK) {
        /* An accepted verdict must have passed the binding checks. */
        if (burh_ratls_result_accepted(r) && (burh_ratls_result_failed(r, "ratls.nonce") ||
                                              burh_ratls_result_failed(r, "ratls.report_data")))
            abort();
        burh_ratls_result_free(r);
    }
}

static X509 *cert_with_extension(const uint8_t *value, size_t len, bool sign)
{
    X509 *x = X509_new();
    ASN1_OBJECT *obj = OBJ_txt2obj(BURH_RATLS_OID_EVIDENCE, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext = NULL;
    X509_set_version(x, 2);
    ASN1_TIME_set(X509_getm_notBefore(x), 1700000000);
    ASN1_TIME_set(X509_getm_notAfter(x), 1900000000);
    X509_set_pubkey(x, fixed_key);
    if (ASN1_OCTET_STRING_set(os, value, (int)len))
        ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
    if (ext)
        X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
    if (sign && X509_sign(x, fixed_key, EVP_sha384()) <= 0) {
        X509_free(x);
        return NULL;
    }
    return x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!verifier)
        init();
    if (size < 1 || size > (1u << 16))
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;
    if (mode & 1) {
        const unsigned char *p = data;
        X509 *cert = d2i_X509(NULL, &p, (long)size);
        if (cert)
            verify(cert);
        X509_free(cert);
        return 0;
    }
    burh_ratls_tagged t;
    if (burh_ratls_tagged_parse((burh_bytes){data, size}, 2, 2, &t, NULL) == BURH_ATTEST_OK) {
        burh_ratls_claims c;
        burh_ratls_claims_parse(t.items[1], &c, NULL);
    }
    burh_ratls_tagged_parse((burh_bytes){data, size}, 1, BURH_RATLS_MAX_ENDORSEMENTS, &t, NULL);
    X509 *cert = cert_with_extension(data, size, mode == 2);
    if (cert)
        verify(cert);
    X509_free(cert);
    return 0;
}
