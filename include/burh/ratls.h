/* burh RA-TLS: X.509 certificates that carry attestation evidence, and their verification. */
#ifndef BURH_RATLS_H
#define BURH_RATLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "burh/attest.h"

/*
 * Format (CCC "interoperable RA-TLS", docs/ratls.md)
 *   A self-signed certificate whose extension 2.23.133.5.4.9 holds the CBOR
 *   tag(T, [bstr evidence, bstr claims]); claims is the CBOR map
 *   {"pubkey-hash": bstr(<<[hash-alg, hash(DER SubjectPublicKeyInfo)]>>), ?"nonce": bstr}
 *   and the evidence's REPORT_DATA is SHA-256(claims) followed by 32 zero bytes.
 *   Endorsements (SNP VCEK/ASK/ARK) may travel in 2.23.133.5.4.2 as tag(T, [bstr DER, ...]).
 *
 * Ownership
 *   Functions that return a new object in *out give it to the caller (X509_free,
 *   EVP_PKEY_free, SSL_CTX_free, burh_ratls_result_free, burh_ratls_checker_free).
 *   OpenSSL objects passed in are only borrowed unless stated. Byte ranges are read during
 *   the call only.
 *
 * Errors
 *   Calls return a burh_attest_status and fill the burh_attest_error if given. A rejected
 *   certificate is NOT an error: the verifier returns BURH_ATTEST_OK and a result whose
 *   accepted flag is false, with every failed check named.
 */

/* CBOR tags of the evidence extension. 60000 is the Intel TEE quote of the CCC spec; the
 * burh tags sit in the first-come-first-served range ("bur" in ASCII + the platform). */
#define BURH_RATLS_TAG_INTEL_QUOTE 60000u
#define BURH_RATLS_TAG_NIL         0x62757201u
#define BURH_RATLS_TAG_KVM         0x62757202u
#define BURH_RATLS_TAG_SNP         0x62757203u

/* IANA named-information hash algorithm identifiers. */
#define BURH_RATLS_HASH_SHA256 1u
#define BURH_RATLS_HASH_SHA384 7u
#define BURH_RATLS_HASH_SHA512 8u

#define BURH_RATLS_MAX_NONCE        1024u /* longest nonce burh puts in or accepts */
#define BURH_RATLS_MAX_ENDORSEMENTS 4u
#define BURH_RATLS_CLAIMS_MAX       (BURH_RATLS_MAX_NONCE + 128u) /* claims buffer size */
#define BURH_RATLS_DEFAULT_LIFETIME 3600                          /* seconds */

/* ---- keep side ---- */

/* A new P-384 key pair for the keep; the private half never needs to leave the process. */
burh_attest_status burh_ratls_key_generate(EVP_PKEY **out, burh_attest_error *err);

/* Encodes the claims for `key` (SHA-256 pubkey-hash) and `nonce` (may be empty: no nonce
 * claim) into out[0..cap); *out_len receives the size. BURH_RATLS_CLAIMS_MAX always fits. */
burh_attest_status burh_ratls_claims_make(EVP_PKEY *key, burh_bytes nonce, uint8_t *out, size_t cap,
                                          size_t *out_len, burh_attest_error *err);

/* REPORT_DATA binding `claims`: SHA-256(claims) || 32 zero bytes. */
void burh_ratls_report_data(burh_bytes claims, uint8_t out[64]);

typedef struct burh_ratls_cert_params {
    EVP_PKEY *key;                 /* borrowed; signs the certificate and is its subject key */
    burh_attest_platform platform; /* NIL, KVM, SNP, SGX or TDX: decides the CBOR tag */
    burh_bytes evidence;           /* report or quote whose REPORT_DATA binds `claims` */
    burh_bytes claims;             /* from burh_ratls_claims_make for the same key */
    size_t endorsement_count;      /* 0..BURH_RATLS_MAX_ENDORSEMENTS DER certificates */
    burh_bytes endorsements[BURH_RATLS_MAX_ENDORSEMENTS];
    int64_t not_before, not_after; /* Unix seconds; both 0: now-60 .. now+3600 */
} burh_ratls_cert_params;

/* Makes the self-signed RA-TLS certificate (ECDSA with SHA-384, CN=burh keep). */
burh_attest_status burh_ratls_cert_make(const burh_ratls_cert_params *params, X509 **out,
                                        burh_attest_error *err);

/* The certificate as PEM (pem true) or DER in a new buffer the caller frees with free(). */
burh_attest_status burh_ratls_cert_encode(X509 *cert, bool pem, uint8_t **out, size_t *out_len,
                                          burh_attest_error *err);
/* Reads one certificate given as PEM or DER; *out is the caller's. */
burh_attest_status burh_ratls_cert_decode(burh_bytes in, X509 **out, burh_attest_error *err);

/* ---- relying-party side ---- */

typedef struct burh_ratls_expect {
    burh_bytes nonce; /* empty: no nonce expected (a nonce in the claims is only reported) */
} burh_ratls_expect;

typedef struct burh_ratls_result burh_ratls_result;

/* Verifies an RA-TLS certificate: the claims' pubkey-hash against the certificate's own
 * SubjectPublicKeyInfo ("ratls.pubkey_hash"), the nonce ("ratls.nonce"), the REPORT_DATA
 * binding ("ratls.report_data"), the self-signature and validity at the verifier's time
 * ("ratls.cert"), the extension itself ("ratls.extension"), then the evidence through
 * `verifier` and its policy. Certificates from the endorsement extension are added to the
 * verifier's collateral (trust still comes only from its roots or pins). */
burh_attest_status burh_ratls_verify_cert(X509 *cert, const burh_ratls_expect *expect,
                                          burh_attest_verifier *verifier, burh_ratls_result **out,
                                          burh_attest_error *err);

bool burh_ratls_result_accepted(const burh_ratls_result *r);
burh_attest_platform burh_ratls_result_platform(const burh_ratls_result *r);
size_t burh_ratls_result_failed_count(const burh_ratls_result *r);
const char *burh_ratls_result_failed_name(const burh_ratls_result *r, size_t i);
const char *burh_ratls_result_failed_detail(const burh_ratls_result *r, size_t i);
bool burh_ratls_result_failed(const burh_ratls_result *r, const char *check_name);
/* The evidence claims plus "ratls" {tag, pubkey_hash_alg, pubkey_hash, nonce, ...}, "status"
 * and "failed_checks". Borrowed; valid until the result is freed. */
const json_t *burh_ratls_result_claims(const burh_ratls_result *r);
void burh_ratls_result_free(burh_ratls_result *r);

/* ---- TLS handshake ---- */

/* Runs burh_ratls_verify_cert on the peer's leaf certificate inside the handshake and fails
 * the handshake when it is rejected. Borrows the verifier; copies `expect` (and its nonce).
 * One handshake at a time per checker. */
typedef struct burh_ratls_checker burh_ratls_checker;

burh_attest_status burh_ratls_checker_new(burh_attest_verifier *verifier,
                                          const burh_ratls_expect *expect, burh_ratls_checker **out,
                                          burh_attest_error *err);
void burh_ratls_checker_free(burh_ratls_checker *c);
/* Makes `ctx` (client side) verify peers with the checker: TLS 1.3 only, SSL_VERIFY_PEER, a
 * certificate verify callback and no session cache (a resumed session would skip attestation). The
 * checker must outlive the SSL_CTX's handshakes. */
burh_attest_status burh_ratls_checker_install(burh_ratls_checker *c, SSL_CTX *ctx,
                                              burh_attest_error *err);
/* The result of the last handshake's verification (borrowed; NULL before any), and why the
 * last verification could not run at all ("" when it ran). */
const burh_ratls_result *burh_ratls_checker_result(const burh_ratls_checker *c);
const char *burh_ratls_checker_error(const burh_ratls_checker *c);

/* libcurl: installs the checker through CURLOPT_SSL_CTX_FUNCTION on an easy handle (a CURL
 * *, given as void * so this header needs no curl.h), turns off host-name checks (the keep is
 * identified by its evidence) and TLS session reuse. Returns false if curl refused. */
bool burh_ratls_curl_install(void *curl_easy, burh_ratls_checker *c);

/* Server side: a TLS 1.3-only SSL_CTX presenting `cert` with `key` (both borrowed; the
 * SSL_CTX takes its own references). */
burh_attest_status burh_ratls_server_ctx_new(EVP_PKEY *key, X509 *cert, SSL_CTX **out,
                                             burh_attest_error *err);

#endif
