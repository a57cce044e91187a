/* RA-TLS relying party: checks the certificate, its claims and binding, then the evidence. */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "attest/attest_internal.h"
#include "attest/ratls_internal.h"

/* Gramine's legacy extension: the OID 1.2.840.113741.1337.6 was encoded with its own tag and
 * length inside the content, so what is on the wire is this content (0.6.9.42.840...). */
static const uint8_t gramine_legacy_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                             0xf8, 0x4d, 0x8a, 0x39, 0x06};
static const uint8_t gramine_intended_oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf8,
                                               0x4d, 0x8a, 0x39, 0x06};

typedef struct verify_state {
    X509 *cert;
    const burh_ratls_expect *expect;
    burh_attest_verifier *verifier;
    burh_ratls_result *r;
    int64_t at;
    burh_ratls_tagged ev;      /* the evidence extension */
    burh_attest_platform plat; /* from the tag (AUTO for Intel until the quote says) */
} verify_state;

static bool oid_is(const ASN1_OBJECT *obj, const uint8_t *der, size_t len)
{
    const unsigned char *data = OBJ_get0_data(obj);
    return data && OBJ_length(obj) == len && memcmp(data, der, len) == 0;
}

/* The value of the one extension with `oid`; *dup set when it occurs more than once. */
static const ASN1_OCTET_STRING *find_ext(X509 *cert, const char *oid, bool *dup)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    const ASN1_OCTET_STRING *value = NULL;
    *dup = false;
    if (!obj)
        return NULL;
    int at = X509_get_ext_by_OBJ(cert, obj, -1);
    if (at >= 0) {
        value = X509_EXTENSION_get_data(X509_get_ext(cert, at));
        *dup = X509_get_ext_by_OBJ(cert, obj, at) >= 0;
    }
    ASN1_OBJECT_free(obj);
    return value;
}

/* Records the legacy extensions present (Gramine, Intel SGX SDK) in the "ratls" claims. */
static void note_legacy(verify_state *s)
{
    json_t *legacy = json_array();
    ASN1_OBJECT *sdk = OBJ_txt2obj(BURH_RATLS_OID_SGXSDK, 1);
    for (int i = 0; legacy && i < X509_get_ext_count(s->cert); i++) {
        const ASN1_OBJECT *obj = X509_EXTENSION_get_object(X509_get_ext(s->cert, i));
        if (oid_is(obj, gramine_legacy_oid, sizeof gramine_legacy_oid) ||
            oid_is(obj, gramine_intended_oid, sizeof gramine_intended_oid))
            json_array_append_new(legacy, json_string("gramine"));
        else if (sdk && OBJ_cmp(obj, sdk) == 0)
            json_array_append_new(legacy, json_string("intel-sgx-sdk"));
    }
    ASN1_OBJECT_free(sdk);
    if (legacy)
        json_object_set_new(s->r->ratls, "legacy_extensions", legacy);
}

static void check_cert(verify_state *s)
{
    EVP_PKEY *key = X509_get0_pubkey(s->cert);
    time_t at = (time_t)s->at;

    if (!key || X509_verify(s->cert, key) != 1)
        burh_ratls_result_fail(s->r, "ratls.cert", "the self-signature does not verify");
    ERR_clear_error();
    if (X509_cmp_time(X509_get0_notBefore(s->cert), &at) >= 0)
        burh_ratls_result_fail(s->r, "ratls.cert", "not valid yet at %lld", (long long)s->at);
    if (X509_cmp_time(X509_get0_notAfter(s->cert), &at) <= 0)
        burh_ratls_result_fail(s->r, "ratls.cert", "expired at %lld", (long long)s->at);
}

/* Compares the claims' pubkey-hash with the certificate's own SPKI, and the nonce. */
static void check_claims(verify_state *s, const burh_ratls_claims *c)
{
    uint8_t hash[64];
    size_t hash_len = 0;
    json_t *ratls = s->r->ratls;

    json_object_set_new(ratls, "pubkey_hash_alg", json_integer((json_int_t)c->hash_alg));
    json_object_set_new(ratls, "pubkey_hash", burh_attest_json_hex(c->hash.ptr, c->hash.len));
    if (c->has_nonce)
        json_object_set_new(ratls, "nonce", burh_attest_json_hex(c->nonce.ptr, c->nonce.len));
    if (!burh_ratls_hash_size(c->hash_alg))
        burh_ratls_result_fail(s->r, "ratls.pubkey_hash", "hash algorithm %llu is not supported",
                               (unsigned long long)c->hash_alg);
    else if (!burh_ratls_spki_hash(X509_get0_pubkey(s->cert), c->hash_alg, hash, &hash_len) ||
             hash_len != c->hash.len || CRYPTO_memcmp(hash, c->hash.ptr, hash_len) != 0)
        burh_ratls_result_fail(s->r, "ratls.pubkey_hash",
                               "the claimed hash is not that of the certificate's public key");

    const burh_bytes *want = &s->expect->nonce;
    if (want->len && !c->has_nonce)
        burh_ratls_result_fail(s->r, "ratls.nonce", "a nonce was expected; the claims have none");
    else if (want->len &&
             (c->nonce.len != want->len || CRYPTO_memcmp(c->nonce.ptr, want->ptr, want->len) != 0))
        burh_ratls_result_fail(s->r, "ratls.nonce", "the nonce differs from the expected one");
}

/* The evidence's 64 REPORT_DATA bytes; false when the evidence does not parse (the evidence
 * verifier then reports why). Sets s->plat for Intel quotes. */
static bool evidence_report_data(verify_state *s, uint8_t out[64])
{
    burh_bytes ev = s->ev.items[0];
    if (s->plat == BURH_PLATFORM_NIL || s->plat == BURH_PLATFORM_KVM) {
        burh_unsigned_evidence u;
        if (burh_unsigned_evidence_parse(ev, &u, NULL) != BURH_ATTEST_OK)
            return false;
        memcpy(out, u.report_data, 64);
        return true;
    }
    if (s->plat == BURH_PLATFORM_SNP) {
        burh_snp_report rep;
        uint32_t defects = 0;
        burh_snp_report_parse(ev, &rep, &defects, NULL);
        if (defects & BURH_SNP_DEFECT_LENGTH)
            return false;
        memcpy(out, rep.report_data, 64);
        return true;
    }
    burh_attest_platform detected = burh_attest_detect_platform(ev);
    if (ev.len < 48 || (detected != BURH_PLATFORM_SGX && detected != BURH_PLATFORM_TDX))
        return false;
    bool tdx = detected == BURH_PLATFORM_TDX;
    unsigned version = burh_attest_le32(ev.ptr) & 0xffffu; /* detection read the header */
    s->plat = detected;
    /* Header 48 bytes; REPORT_DATA is at 320 in the SGX report body and at 520 in the TD
     * body, which v5 quotes precede with a 2-byte type and a 4-byte size. */
    size_t off = tdx ? 48u + 520u + (version >= 5 ? 6u : 0u) : 48u + 320u;
    if (ev.len < off + 64)
        return false;
    memcpy(out, ev.ptr + off, 64);
    return true;
}

static void check_binding(verify_state *s)
{
    uint8_t want[64], got[64];
    static const uint8_t zeros[32];

    burh_ratls_report_data(s->ev.items[1], want);
    if (!evidence_report_data(s, got))
        return;
    json_object_set_new(s->r->ratls, "report_data", burh_attest_json_hex(got, 64));
    if (CRYPTO_memcmp(got, want, 32) != 0)
        burh_ratls_result_fail(s->r, "ratls.report_data",
                               "REPORT_DATA[0..32] is not SHA-256 of the claims");
    if (memcmp(got + 32, zeros, 32) != 0)
        burh_ratls_result_fail(s->r, "ratls.report_data", "REPORT_DATA[32..64] is not zero");
}

/* Endorsements for SNP evidence become verifier collateral; other platforms' are ignored. */
static void use_endorsements(verify_state *s)
{
    bool dup;
    const ASN1_OCTET_STRING *ext = find_ext(s->cert, BURH_RATLS_OID_ENDORSEMENTS, &dup);
    burh_ratls_tagged en;
    burh_attest_error e = {0};

    if (!ext)
        return;
    if (dup) {
        burh_ratls_result_fail(s->r, "ratls.endorsements", "the extension occurs twice");
        return;
    }
    if (s->plat != BURH_PLATFORM_SNP)
        return;
    burh_bytes raw = {ASN1_STRING_get0_data(ext), (size_t)ASN1_STRING_length(ext)};
    if (burh_ratls_tagged_parse(raw, 1, BURH_RATLS_MAX_ENDORSEMENTS, &en, &e) != BURH_ATTEST_OK) {
        burh_ratls_result_fail(s->r, "ratls.endorsements", "%s", e.message);
        return;
    }
    if (en.tag != s->ev.tag)
        burh_ratls_result_fail(s->r, "ratls.endorsements", "tag %llu differs from the evidence's",
                               (unsigned long long)en.tag);
    for (size_t i = 0; i < en.count; i++)
        if (burh_attest_verifier_add_certs(s->verifier, en.items[i], &e) != BURH_ATTEST_OK)
            burh_ratls_result_fail(s->r, "ratls.endorsements", "certificate %zu: %s", i, e.message);
    json_object_set_new(s->r->ratls, "endorsements", json_integer((json_int_t)en.count));
}

/* Copies another verifier's claims (all but its verdict members) into the result. */
static void merge_claims(verify_state *s, const json_t *claims)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)claims, key, value)
    {
        if (strcmp(key, "status") != 0 && strcmp(key, "failed_checks") != 0)
            json_object_set_new(s->r->base->claims, key, json_deep_copy(value));
    }
}

/* The evidence through the attestation verifier and its policy. */
static burh_attest_status verify_evidence(verify_state *s, burh_attest_error *err)
{
    burh_attest_result *ar = NULL;
    burh_attest_status st = burh_attest_verify(s->verifier, s->plat, s->ev.items[0], &ar, err);
    if (st != BURH_ATTEST_OK)
        return st;
    for (size_t i = 0; i < burh_attest_result_failed_count(ar); i++)
        burh_ratls_result_fail(s->r, burh_attest_result_failed_name(ar, i), "%s",
                               burh_attest_result_failed_detail(ar, i));
    merge_claims(s, burh_attest_result_claims(ar));
    burh_attest_result_free(ar);
    return BURH_ATTEST_OK;
}

/* Everything after the certificate checks: extension, claims, binding, evidence. */
static burh_attest_status verify_extension(verify_state *s, burh_attest_error *err)
{
    bool dup;
    burh_attest_error e = {0};
    burh_ratls_claims claims;
    const ASN1_OCTET_STRING *ext = find_ext(s->cert, BURH_RATLS_OID_EVIDENCE, &dup);

    if (!ext) {
        bool legacy = json_array_size(json_object_get(s->r->ratls, "legacy_extensions")) > 0;
        burh_ratls_result_fail(s->r, "ratls.extension", "%s",
                               legacy ? "only a legacy RA-TLS extension (not accepted)"
                                      : "no evidence extension 2.23.133.5.4.9");
        return BURH_ATTEST_OK;
    }
    burh_bytes raw = {ASN1_STRING_get0_data(ext), (size_t)ASN1_STRING_length(ext)};
    if (dup || burh_ratls_tagged_parse(raw, 2, 2, &s->ev, &e) != BURH_ATTEST_OK) {
        burh_ratls_result_fail(s->r, "ratls.extension", "%s",
                               dup ? "the evidence extension occurs twice" : e.message);
        return BURH_ATTEST_OK;
    }
    json_object_set_new(s->r->ratls, "tag", json_integer((json_int_t)s->ev.tag));
    if (!burh_ratls_platform_for(s->ev.tag, &s->plat)) {
        burh_ratls_result_fail(s->r, "ratls.extension", "unknown evidence tag %llu",
                               (unsigned long long)s->ev.tag);
        return BURH_ATTEST_OK;
    }
    if (burh_ratls_claims_parse(s->ev.items[1], &claims, &e) != BURH_ATTEST_OK)
        burh_ratls_result_fail(s->r, "ratls.claims", "%s", e.message);
    else
        check_claims(s, &claims);
    check_binding(s);
    if (s->plat == BURH_PLATFORM_AUTO) {
        burh_ratls_result_fail(s->r, "ratls.evidence", "the Intel quote does not parse");
        return BURH_ATTEST_OK;
    }
    s->r->base->platform = s->plat;
    use_endorsements(s);
    return verify_evidence(s, err);
}

burh_attest_status burh_ratls_verify_cert(X509 *cert, const burh_ratls_expect *expect,
                                          burh_attest_verifier *verifier, burh_ratls_result **out,
                                          burh_attest_error *err)
{
    static const burh_ratls_expect none;

    if (!cert || !verifier || !out)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "RA-TLS verify: bad arguments");
    verify_state s = {.cert = cert, .expect = expect ? expect : &none, .verifier = verifier};
    s.at = verifier->at_set ? verifier->trust.at : (int64_t)time(NULL);
    s.r = burh_ratls_result_new();
    if (!s.r)
        return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "RA-TLS verify: out of memory");
    note_legacy(&s);
    check_cert(&s);
    burh_attest_status st = verify_extension(&s, err);
    if (st == BURH_ATTEST_OK && !burh_ratls_result_finish(s.r))
        st = burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "RA-TLS verify: out of memory");
    if (st != BURH_ATTEST_OK) {
        burh_ratls_result_free(s.r);
        return st;
    }
    *out = s.r;
    return BURH_ATTEST_OK;
}
