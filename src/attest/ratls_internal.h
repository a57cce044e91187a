/* Private declarations shared by the RA-TLS source files (and the fuzzer). */
#ifndef BURH_RATLS_INTERNAL_H
#define BURH_RATLS_INTERNAL_H

#include "attest/attest_internal.h"
#include "burh/ratls.h"

/* The OIDs, dotted. */
#define BURH_RATLS_OID_EVIDENCE     "2.23.133.5.4.9"
#define BURH_RATLS_OID_ENDORSEMENTS "2.23.133.5.4.2"
#define BURH_RATLS_OID_SGXSDK       "1.2.840.113741.1.13.1"

/* An extension value tag(T, [bstr, bstr, ...]); the ranges point into the input. */
#define BURH_RATLS_MAX_ITEMS 8u
typedef struct burh_ratls_tagged {
    uint64_t tag;
    size_t count;
    burh_bytes items[BURH_RATLS_MAX_ITEMS];
} burh_ratls_tagged;

/* Decodes a tagged array of byte strings: definite lengths only, exactly one item, between
 * min_items and max_items (<= BURH_RATLS_MAX_ITEMS) entries. */
burh_attest_status burh_ratls_tagged_parse(burh_bytes in, size_t min_items, size_t max_items,
                                           burh_ratls_tagged *out, burh_attest_error *err);
/* Encodes tag(T, [bstr items...]); *out_len is the size written (or needed when too small). */
burh_attest_status burh_ratls_tagged_encode(uint64_t tag, const burh_bytes *items, size_t count,
                                            uint8_t *out, size_t cap, size_t *out_len,
                                            burh_attest_error *err);

typedef struct burh_ratls_claims {
    uint64_t hash_alg;
    burh_bytes hash; /* into the input */
    bool has_nonce;
    burh_bytes nonce;          /* into the input */
    bool hash_entry_unwrapped; /* pubkey-hash was a bare array, not the spec's bstr */
} burh_ratls_claims;

/* Decodes the claims map (keys other than pubkey-hash and nonce are ignored; duplicates and
 * indefinite lengths are refused). */
burh_attest_status burh_ratls_claims_parse(burh_bytes in, burh_ratls_claims *out,
                                           burh_attest_error *err);

/* Digest size of an IANA hash id (0 when unsupported) and its OpenSSL digest. */
size_t burh_ratls_hash_size(uint64_t alg);
const EVP_MD *burh_ratls_hash_md(uint64_t alg);
/* Hash of the DER SubjectPublicKeyInfo of `key`; false on failure or unsupported alg. */
bool burh_ratls_spki_hash(EVP_PKEY *key, uint64_t alg, uint8_t out[64], size_t *out_len);

uint64_t burh_ratls_tag_for(burh_attest_platform platform); /* 0 when none */
/* NIL, KVM, SNP; AUTO for the Intel tag (SGX or TDX is read from the quote); false if unknown. */
bool burh_ratls_platform_for(uint64_t tag, burh_attest_platform *out);

/* ---- results ---- */
/* An evidence verdict (its failed checks, claims and platform) plus the RA-TLS claims. */
struct burh_ratls_result {
    burh_attest_result *base; /* claims: evidence claims, then "ratls", "status", ... */
    json_t *ratls;            /* the RA-TLS part of the claims */
};

burh_ratls_result *burh_ratls_result_new(void);
void burh_ratls_result_fail(burh_ratls_result *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Puts "ratls", "status" and "failed_checks" into the claims; false when out of memory. */
bool burh_ratls_result_finish(burh_ratls_result *r);

#endif
