/* RA-TLS CBOR: the tagged evidence/endorsement arrays and the custom claims map. */
#include <string.h>

#include <openssl/sha.h>
#include <openssl/x509.h>

#include "attest/attest_internal.h"
#include "attest/ratls_internal.h"
#include "burh/cbor.h"

static burh_attest_status cbor_fail(burh_attest_error *err, const char *what, burh_cbor_err ce)
{
    return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED, "RA-TLS %s: %s", what,
                            burh_cbor_errstr(ce));
}

burh_attest_status burh_ratls_tagged_parse(burh_bytes in, size_t min_items, size_t max_items,
                                           burh_ratls_tagged *out, burh_attest_error *err)
{
    burh_cbor_decoder d;
    burh_cbor_item tag, arr, it;

    if (!out || max_items > BURH_RATLS_MAX_ITEMS || min_items > max_items)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "RA-TLS: bad arguments");
    memset(out, 0, sizeof *out);
    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(in.ptr, in.len), 0);
    burh_cbor_next(&d, &tag);
    burh_cbor_next(&d, &arr);
    if (burh_cbor_decoder_error(&d) != BURH_CBOR_OK)
        return cbor_fail(err, "extension", burh_cbor_decoder_error(&d));
    if (tag.type != BURH_CBOR_TAG || arr.type != BURH_CBOR_ARRAY || arr.indefinite)
        return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED,
                                "RA-TLS extension: not a tagged definite-length array");
    if (arr.u < min_items || arr.u > max_items)
        return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED,
                                "RA-TLS extension: %llu entries, expected %zu..%zu",
                                (unsigned long long)arr.u, min_items, max_items);
    out->tag = tag.u;
    while (!burh_cbor_container_done(&d, &arr)) {
        if (burh_cbor_next(&d, &it) != BURH_CBOR_OK)
            break;
        if (it.type != BURH_CBOR_BYTES || it.indefinite)
            return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED,
                                    "RA-TLS extension: entry %zu is not a definite byte string",
                                    out->count);
        out->items[out->count++] = (burh_bytes){it.str.ptr, it.str.len};
    }
    burh_cbor_err ce = burh_cbor_decoder_finish(&d);
    if (ce != BURH_CBOR_OK)
        return cbor_fail(err, "extension", ce);
    return BURH_ATTEST_OK;
}

burh_attest_status burh_ratls_tagged_encode(uint64_t tag, const burh_bytes *items, size_t count,
                                            uint8_t *out, size_t cap, size_t *out_len,
                                            burh_attest_error *err)
{
    burh_cbor_encoder e;
    size_t len = 0;

    burh_cbor_encoder_init(&e, out, cap);
    burh_cbor_enc_tag(&e, tag);
    burh_cbor_enc_array_begin(&e);
    for (size_t i = 0; i < count; i++)
        burh_cbor_enc_bytes(&e, BURH_CBOR_BYTES(items[i].ptr, items[i].len));
    burh_cbor_enc_array_end(&e);
    burh_cbor_err ce = burh_cbor_encoder_finish(&e, &len);
    *out_len = len;
    if (ce != BURH_CBOR_OK)
        return cbor_fail(err, "encoding", ce);
    return BURH_ATTEST_OK;
}

/* hash-entry = [uint alg, bstr value], definite lengths, nothing after it. */
static burh_attest_status hash_entry_parse(burh_bytes in, burh_ratls_claims *out,
                                           burh_attest_error *err)
{
    burh_cbor_decoder d;
    burh_cbor_item arr, alg, val;

    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(in.ptr, in.len), 0);
    burh_cbor_next(&d, &arr);
    burh_cbor_next(&d, &alg);
    burh_cbor_next(&d, &val);
    if (burh_cbor_decoder_error(&d) != BURH_CBOR_OK)
        return cbor_fail(err, "pubkey-hash", burh_cbor_decoder_error(&d));
    if (arr.type != BURH_CBOR_ARRAY || arr.indefinite || arr.u != 2 || alg.type != BURH_CBOR_UINT ||
        val.type != BURH_CBOR_BYTES || val.indefinite)
        return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED,
                                "RA-TLS pubkey-hash: not [uint, bstr]");
    burh_cbor_err ce = burh_cbor_decoder_finish(&d);
    if (ce != BURH_CBOR_OK)
        return cbor_fail(err, "pubkey-hash", ce);
    out->hash_alg = alg.u;
    out->hash = (burh_bytes){val.str.ptr, val.str.len};
    return BURH_ATTEST_OK;
}

/* The value of `name` as a definite byte string; NOT_FOUND passes through as ok=false. */
static burh_cbor_err claim_bytes(burh_bytes map, const char *name, burh_bytes *out)
{
    burh_cbor_bytes v;
    burh_cbor_err ce = burh_cbor_map_get_bytes(BURH_CBOR_BYTES(map.ptr, map.len),
                                               BURH_CBOR_BYTES(name, strlen(name)), &v);
    if (ce == BURH_CBOR_OK)
        *out = (burh_bytes){v.ptr, v.len};
    return ce;
}

burh_attest_status burh_ratls_claims_parse(burh_bytes in, burh_ratls_claims *out,
                                           burh_attest_error *err)
{
    burh_cbor_decoder d;
    burh_cbor_item it;
    burh_bytes entry;

    memset(out, 0, sizeof *out);
    /* The whole map must be well formed, one item, without indefinite lengths: walk it. */
    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(in.ptr, in.len), 0);
    while (burh_cbor_next(&d, &it) == BURH_CBOR_OK) {
        if (it.indefinite)
            return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED,
                                    "RA-TLS claims: indefinite length at offset %zu", it.offset);
        if (it.level == 0 && it.type != BURH_CBOR_MAP)
            return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED, "RA-TLS claims: not a map");
    }
    burh_cbor_err ce = burh_cbor_decoder_finish(&d);
    if (ce != BURH_CBOR_OK)
        return cbor_fail(err, "claims", ce);

    ce = claim_bytes(in, "pubkey-hash", &entry);
    if (ce == BURH_CBOR_ERR_TYPE) {
        /* Tolerated: the hash-entry array itself instead of a bstr wrapping it. */
        burh_cbor_bytes raw;
        ce = burh_cbor_map_get(BURH_CBOR_BYTES(in.ptr, in.len), BURH_CBOR_LIT("pubkey-hash"), &raw);
        entry = (burh_bytes){raw.ptr, raw.len};
        out->hash_entry_unwrapped = true;
    }
    if (ce != BURH_CBOR_OK)
        return cbor_fail(err, "claims \"pubkey-hash\"", ce);
    burh_attest_status st = hash_entry_parse(entry, out, err);
    if (st != BURH_ATTEST_OK)
        return st;

    ce = claim_bytes(in, "nonce", &out->nonce);
    if (ce == BURH_CBOR_OK)
        out->has_nonce = true;
    else if (ce != BURH_CBOR_ERR_NOT_FOUND)
        return cbor_fail(err, "claims \"nonce\"", ce);
    return BURH_ATTEST_OK;
}

size_t burh_ratls_hash_size(uint64_t alg)
{
    switch (alg) {
    case BURH_RATLS_HASH_SHA256:
        return 32;
    case BURH_RATLS_HASH_SHA384:
        return 48;
    case BURH_RATLS_HASH_SHA512:
        return 64;
    default:
        return 0;
    }
}

const EVP_MD *burh_ratls_hash_md(uint64_t alg)
{
    switch (alg) {
    case BURH_RATLS_HASH_SHA256:
        return EVP_sha256();
    case BURH_RATLS_HASH_SHA384:
        return EVP_sha384();
    case BURH_RATLS_HASH_SHA512:
        return EVP_sha512();
    default:
        return NULL;
    }
}

bool burh_ratls_spki_hash(EVP_PKEY *key, uint64_t alg, uint8_t out[64], size_t *out_len)
{
    const EVP_MD *md = burh_ratls_hash_md(alg);
    unsigned char *der = NULL;
    unsigned int n = 0;

    if (!key || !md)
        return false;
    int der_len = i2d_PUBKEY(key, &der);
    if (der_len <= 0)
        return false;
    bool ok = EVP_Digest(der, (size_t)der_len, out, &n, md, NULL) == 1;
    OPENSSL_free(der);
    *out_len = n;
    return ok;
}

void burh_ratls_report_data(burh_bytes claims, uint8_t out[64])
{
    SHA256(claims.ptr, claims.len, out);
    memset(out + 32, 0, 32);
}

burh_attest_status burh_ratls_claims_make(EVP_PKEY *key, burh_bytes nonce, uint8_t *out, size_t cap,
                                          size_t *out_len, burh_attest_error *err)
{
    uint8_t hash[64], entry[80];
    size_t hash_len = 0, entry_len = 0, len = 0;
    burh_cbor_encoder e;

    if (!key || !out || !out_len || nonce.len > BURH_RATLS_MAX_NONCE || (nonce.len && !nonce.ptr))
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "RA-TLS claims: bad arguments");
    if (!burh_ratls_spki_hash(key, BURH_RATLS_HASH_SHA256, hash, &hash_len))
        return burh_attest_fail(err, BURH_ATTEST_ERR_CRYPTO, "RA-TLS claims: cannot hash key");
    burh_cbor_encoder_init(&e, entry, sizeof entry);
    burh_cbor_enc_array_begin(&e);
    burh_cbor_enc_uint(&e, BURH_RATLS_HASH_SHA256);
    burh_cbor_enc_bytes(&e, BURH_CBOR_BYTES(hash, hash_len));
    burh_cbor_enc_array_end(&e);
    burh_cbor_err ce = burh_cbor_encoder_finish(&e, &entry_len);
    if (ce != BURH_CBOR_OK)
        return cbor_fail(err, "encoding", ce);

    burh_cbor_encoder_init(&e, out, cap);
    burh_cbor_enc_map_begin(&e);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("pubkey-hash"));
    burh_cbor_enc_bytes(&e, BURH_CBOR_BYTES(entry, entry_len));
    if (nonce.len) {
        burh_cbor_enc_text(&e, BURH_CBOR_LIT("nonce"));
        burh_cbor_enc_bytes(&e, BURH_CBOR_BYTES(nonce.ptr, nonce.len));
    }
    burh_cbor_enc_map_end(&e);
    ce = burh_cbor_encoder_finish(&e, &len);
    *out_len = len;
    if (ce != BURH_CBOR_OK)
        return cbor_fail(err, "encoding", ce);
    return BURH_ATTEST_OK;
}

uint64_t burh_ratls_tag_for(burh_attest_platform platform)
{
    switch (platform) {
    case BURH_PLATFORM_NIL:
        return BURH_RATLS_TAG_NIL;
    case BURH_PLATFORM_KVM:
        return BURH_RATLS_TAG_KVM;
    case BURH_PLATFORM_SNP:
        return BURH_RATLS_TAG_SNP;
    case BURH_PLATFORM_SGX:
    case BURH_PLATFORM_TDX:
        return BURH_RATLS_TAG_INTEL_QUOTE;
    default:
        return 0;
    }
}

bool burh_ratls_platform_for(uint64_t tag, burh_attest_platform *out)
{
    switch (tag) {
    case BURH_RATLS_TAG_NIL:
        *out = BURH_PLATFORM_NIL;
        return true;
    case BURH_RATLS_TAG_KVM:
        *out = BURH_PLATFORM_KVM;
        return true;
    case BURH_RATLS_TAG_SNP:
        *out = BURH_PLATFORM_SNP;
        return true;
    case BURH_RATLS_TAG_INTEL_QUOTE:
        *out = BURH_PLATFORM_AUTO;
        return true;
    default:
        return false;
    }
}
