/* RA-TLS keep side: the key pair and the self-signed certificate that carries the evidence. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "attest/attest_internal.h"
#include "attest/ratls_internal.h"

#define SERIAL_BYTES 16

burh_attest_status burh_ratls_key_generate(EVP_PKEY **out, burh_attest_error *err)
{
    if (!out)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "RA-TLS key: no output");
    *out = EVP_EC_gen("P-384");
    if (!*out)
        return burh_attest_fail(err, BURH_ATTEST_ERR_CRYPTO, "RA-TLS key: P-384 generation failed");
    return BURH_ATTEST_OK;
}

/* Adds a non-critical extension whose OCTET STRING content is `value`. */
static bool add_raw_extension(X509 *cert, const char *oid, const uint8_t *value, size_t len)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *data = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext = NULL;
    bool ok = false;

    if (obj && data && len <= INT32_MAX && ASN1_OCTET_STRING_set(data, value, (int)len))
        ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, data);
    if (ext)
        ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(data);
    ASN1_OBJECT_free(obj);
    return ok;
}

/* Encodes tag(T, [bstr...]) into a new buffer and adds it as extension `oid`. */
static burh_attest_status add_tagged_extension(X509 *cert, const char *oid, uint64_t tag,
                                               const burh_bytes *items, size_t count,
                                               burh_attest_error *err)
{
    size_t need = 0;
    burh_ratls_tagged_encode(tag, items, count, NULL, 0, &need, NULL);
    uint8_t *buf = need ? malloc(need) : NULL;
    if (!buf)
        return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "RA-TLS certificate: out of memory");
    size_t len = 0;
    burh_attest_status st = burh_ratls_tagged_encode(tag, items, count, buf, need, &len, err);
    if (st == BURH_ATTEST_OK && !add_raw_extension(cert, oid, buf, len))
        st = burh_attest_fail(err, BURH_ATTEST_ERR_CRYPTO, "RA-TLS certificate: extension %s", oid);
    free(buf);
    return st;
}

static bool set_serial_name_validity(X509 *cert, int64_t not_before, int64_t not_after)
{
    uint8_t serial[SERIAL_BYTES];
    if (RAND_bytes(serial, sizeof serial) != 1)
        return false;
    serial[0] &= 0x7f; /* positive */
    serial[0] |= 0x01; /* and never shorter than SERIAL_BYTES */
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
    BN_free(bn);

    X509_NAME *name = X509_get_subject_name(cert);
    ok = ok && X509_set_version(cert, 2) &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"burh keep",
                                    -1, -1, 0) &&
         X509_set_issuer_name(cert, name);
    ok = ok && ASN1_TIME_set(X509_getm_notBefore(cert), (time_t)not_before) &&
         ASN1_TIME_set(X509_getm_notAfter(cert), (time_t)not_after);
    return ok;
}

static burh_attest_status check_params(const burh_ratls_cert_params *p, burh_attest_error *err)
{
    if (!p || !p->key || !p->evidence.ptr || !p->evidence.len || !p->claims.ptr || !p->claims.len)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "RA-TLS certificate: missing input");
    if (!burh_ratls_tag_for(p->platform))
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "RA-TLS certificate: bad platform");
    if (p->endorsement_count > BURH_RATLS_MAX_ENDORSEMENTS)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS,
                                "RA-TLS certificate: too many "
                                "endorsements");
    if ((p->not_before || p->not_after) && p->not_after <= p->not_before)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "RA-TLS certificate: empty validity");
    if (EVP_PKEY_get_base_id(p->key) != EVP_PKEY_EC)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "RA-TLS certificate: not an EC key");
    return BURH_ATTEST_OK;
}

burh_attest_status burh_ratls_cert_make(const burh_ratls_cert_params *p, X509 **out,
                                        burh_attest_error *err)
{
    burh_attest_status st = check_params(p, err);
    if (st != BURH_ATTEST_OK)
        return st;
    int64_t now = (int64_t)time(NULL);
    int64_t nb = p->not_before, na = p->not_after;
    if (!nb && !na) {
        nb = now - 60;
        na = now + BURH_RATLS_DEFAULT_LIFETIME;
    }
    X509 *cert = X509_new();
    if (!cert || !set_serial_name_validity(cert, nb, na) || !X509_set_pubkey(cert, p->key)) {
        X509_free(cert);
        return burh_attest_fail(err, BURH_ATTEST_ERR_CRYPTO, "RA-TLS certificate: setup failed");
    }
    uint64_t tag = burh_ratls_tag_for(p->platform);
    burh_bytes pair[2] = {p->evidence, p->claims};
    st = add_tagged_extension(cert, BURH_RATLS_OID_EVIDENCE, tag, pair, 2, err);
    if (st == BURH_ATTEST_OK && p->endorsement_count)
        st = add_tagged_extension(cert, BURH_RATLS_OID_ENDORSEMENTS, tag, p->endorsements,
                                  p->endorsement_count, err);
    if (st == BURH_ATTEST_OK && X509_sign(cert, p->key, EVP_sha384()) <= 0)
        st = burh_attest_fail(err, BURH_ATTEST_ERR_CRYPTO, "RA-TLS certificate: signing failed");
    if (st != BURH_ATTEST_OK) {
        X509_free(cert);
        return st;
    }
    *out = cert;
    return BURH_ATTEST_OK;
}

burh_attest_status burh_ratls_cert_encode(X509 *cert, bool pem, uint8_t **out, size_t *out_len,
                                          burh_attest_error *err)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;

    if (!cert || !out || !out_len || !bio) {
        BIO_free(bio);
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "RA-TLS encode: bad arguments");
    }
    int ok = pem ? PEM_write_bio_X509(bio, cert) : i2d_X509_bio(bio, cert);
    long len = BIO_get_mem_data(bio, &data);
    uint8_t *copy = ok && len > 0 ? malloc((size_t)len) : NULL;
    if (copy)
        memcpy(copy, data, (size_t)len);
    BIO_free(bio);
    if (!copy)
        return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "RA-TLS encode: failed");
    *out = copy;
    *out_len = (size_t)len;
    return BURH_ATTEST_OK;
}

burh_attest_status burh_ratls_cert_decode(burh_bytes in, X509 **out, burh_attest_error *err)
{
    static const char pem_start[] = "-----BEGIN";
    X509 *cert = NULL;

    if (!out || !in.ptr || !in.len || in.len > INT32_MAX)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "RA-TLS decode: no input");
    if (in.len >= sizeof pem_start - 1 && memmem(in.ptr, in.len, pem_start, sizeof pem_start - 1)) {
        BIO *bio = BIO_new_mem_buf(in.ptr, (int)in.len);
        cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
    } else {
        const unsigned char *p = in.ptr;
        cert = d2i_X509(NULL, &p, (long)in.len);
        if (cert && p != in.ptr + in.len) {
            X509_free(cert);
            cert = NULL;
        }
    }
    if (!cert)
        return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED,
                                "RA-TLS: not a PEM or DER certificate");
    *out = cert;
    return BURH_ATTEST_OK;
}
