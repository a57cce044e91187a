/* Certificates and CRLs shared by every platform: PEM/DER/hex loading and CRL judgement. */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "attest/attest_internal.h"

static bool all_hex(burh_bytes in)
{
    if (in.len == 0 || in.len % 2)
        return false;
    for (size_t i = 0; i < in.len; i++)
        if (!strchr("0123456789abcdefABCDEF", in.ptr[i]) || in.ptr[i] == '\0')
            return false;
    return true;
}

static X509_CRL *crl_from_der(burh_bytes in)
{
    const unsigned char *p = in.ptr;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)in.len);
    if (crl && p != in.ptr + in.len) {
        X509_CRL_free(crl);
        crl = NULL;
    }
    return crl;
}

/* Intel PCS serves the root CA CRL as hex-encoded DER. */
static X509_CRL *crl_from_hex(burh_bytes in)
{
    uint8_t *der = malloc(in.len / 2);
    X509_CRL *crl = NULL;
    if (der && burh_attest_hex_decode((const char *)in.ptr, in.len, der, in.len / 2))
        crl = crl_from_der((burh_bytes){der, in.len / 2});
    free(der);
    return crl;
}

static bool starts_with_pem(burh_bytes in)
{
    static const char marker[] = "-----BEGIN";
    for (size_t i = 0; i < in.len; i++) {
        if (in.ptr[i] == ' ' || in.ptr[i] == '\n' || in.ptr[i] == '\r' || in.ptr[i] == '\t')
            continue;
        return in.len - i >= sizeof marker - 1 &&
               memcmp(in.ptr + i, marker, sizeof marker - 1) == 0;
    }
    return false;
}

burh_attest_status burh_attest_load_certs(burh_bytes in, STACK_OF(X509) * into,
                                          burh_attest_error *err)
{
    if (!in.ptr || in.len == 0 || in.len > INT32_MAX)
        return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED, "empty certificate input");
    if (!starts_with_pem(in)) {
        const unsigned char *p = in.ptr;
        X509 *cert = d2i_X509(NULL, &p, (long)in.len);
        if (!cert || p != in.ptr + in.len) {
            X509_free(cert);
            return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED, "not a DER certificate");
        }
        if (!sk_X509_push(into, cert)) {
            X509_free(cert);
            return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory");
        }
        return BURH_ATTEST_OK;
    }
    BIO *bio = BIO_new_mem_buf(in.ptr, (int)in.len);
    if (!bio)
        return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory");
    size_t loaded = 0;
    X509 *cert;
    while ((cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (!sk_X509_push(into, cert)) {
            X509_free(cert);
            BIO_free(bio);
            return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory");
        }
        loaded++;
    }
    BIO_free(bio);
    /* Running out of PEM blocks is the normal end; anything else is a damaged block. */
    unsigned long last = ERR_peek_last_error();
    bool clean_end =
        ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE;
    ERR_clear_error();
    if (loaded == 0 || !clean_end)
        return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED,
                                loaded ? "a PEM certificate block is damaged"
                                       : "no PEM certificate found");
    return BURH_ATTEST_OK;
}

burh_attest_status burh_attest_load_crl(burh_bytes in, STACK_OF(X509_CRL) * into,
                                        burh_attest_error *err)
{
    X509_CRL *crl = NULL;
    if (!in.ptr || in.len == 0 || in.len > INT32_MAX)
        return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED, "empty CRL input");
    if (starts_with_pem(in)) {
        BIO *bio = BIO_new_mem_buf(in.ptr, (int)in.len);
        if (!bio)
            return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory");
        crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
        BIO_free(bio);
    } else if (all_hex(in)) {
        crl = crl_from_hex(in);
    } else {
        crl = crl_from_der(in);
    }
    ERR_clear_error();
    if (!crl)
        return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED, "not a CRL (PEM or DER)");
    if (!sk_X509_CRL_push(into, crl)) {
        X509_CRL_free(crl);
        return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory");
    }
    return BURH_ATTEST_OK;
}

burh_crl_verdict burh_attest_crl_judge(X509_CRL *crl, X509 *issuer, int64_t at)
{
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0)
        return BURH_CRL_WRONG_ISSUER;
    EVP_PKEY *key = X509_get0_pubkey(issuer);
    int ok = key ? X509_CRL_verify(crl, key) : 0;
    ERR_clear_error();
    if (ok != 1)
        return BURH_CRL_BAD_SIGNATURE;
    time_t t = (time_t)at;
    const ASN1_TIME *last = X509_CRL_get0_lastUpdate(crl);
    const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
    if (!last || X509_cmp_time(last, &t) > 0 || (next && X509_cmp_time(next, &t) < 0))
        return BURH_CRL_STALE;
    return BURH_CRL_CURRENT;
}

bool burh_attest_crl_revokes(X509_CRL *crl, X509 *cert)
{
    X509_REVOKED *revoked = NULL;
    return X509_NAME_cmp(X509_get_issuer_name(cert), X509_CRL_get_issuer(crl)) == 0 &&
           X509_CRL_get0_by_cert(crl, &revoked, cert) == 1;
}
