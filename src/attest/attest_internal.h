/* Private declarations shared by the attestation verifier's source files. */
#ifndef BURH_ATTEST_INTERNAL_H
#define BURH_ATTEST_INTERNAL_H

#include <stdarg.h>

#include <openssl/x509.h>

#include "burh/attest.h"

/* Room for any burh_attest_error message, which RA-TLS copies into failure details. */
#define BURH_DETAIL_SIZE 256

/* Fills err (if any) and returns status; printf-style message. */
burh_attest_status burh_attest_fail(burh_attest_error *err, burh_attest_status status,
                                    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

uint32_t burh_attest_le32(const uint8_t *p);
uint64_t burh_attest_le64(const uint8_t *p);

/* ---- results ---- */

#define BURH_CHECK_NAME_SIZE 48

typedef struct burh_failed_check {
    char name[BURH_CHECK_NAME_SIZE];
    char detail[BURH_DETAIL_SIZE];
} burh_failed_check;

struct burh_attest_result {
    burh_attest_platform platform;
    size_t nfailed, cap;
    burh_failed_check *failed;
    json_t *claims;
    bool nomem; /* sticky: a failure could not be recorded */
};

burh_attest_result *burh_attest_result_new(burh_attest_platform platform);
/* Records a failed check; on allocation failure the result becomes sticky-nomem. */
void burh_attest_result_add_failure(burh_attest_result *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void burh_attest_result_add_failurev(burh_attest_result *r, const char *name, const char *fmt,
                                     va_list ap) __attribute__((format(printf, 3, 0)));
/* Adds "status" and "failed_checks" to the claims; returns false on allocation failure. */
bool burh_attest_result_finish(burh_attest_result *r);

/* Lower-case hex of n bytes as a new JSON string (NULL on allocation failure). */
json_t *burh_attest_json_hex(const uint8_t *p, size_t n);
/* Parses exactly 2*n hex digits into out. */
bool burh_attest_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t n);
/* Writes 2*n lower-case hex digits and a NUL into out (2*n+1 bytes). */
void burh_attest_hex_encode(const uint8_t *p, size_t n, char *out);

/* ---- policy ---- */

typedef struct burh_digest_list {
    size_t count;
    size_t width; /* bytes per digest */
    uint8_t *items;
} burh_digest_list;

bool burh_attest_digest_list_contains(const burh_digest_list *list, const uint8_t *digest);

typedef struct burh_min_tcb {
    bool set;
    int fmc, bootloader, tee, snp, microcode; /* -1: no minimum */
} burh_min_tcb;

struct burh_attest_policy {
    uint32_t platforms; /* bit (1 << burh_attest_platform) per signed platform allowed */
    uint32_t backends;  /* bit per unsigned backend allowed (nil, kvm) */
    bool allow_debug;
    bool allow_migrate;
    bool allow_masked_chip_id;
    bool has_report_data;
    uint8_t report_data[64]; /* zero-padded */
    burh_digest_list snp_measurement, snp_host_data, snp_id_key_digest, snp_author_key_digest;
    burh_min_tcb snp_min_tcb;
    int snp_max_vmpl;      /* -1: any */
    int snp_min_guest_svn; /* -1: any */
    burh_digest_list tdx_mrtd, tdx_mrconfigid, tdx_rtmr[4];
    burh_digest_list sgx_mrenclave, sgx_mrsigner;
    burh_digest_list kvm_measurement; /* launch digests a kvm keep may have */
    bool sgx_has_isv_prod_id;
    uint16_t sgx_isv_prod_id;
    uint16_t sgx_min_isv_svn;
    uint32_t tcb_statuses;          /* bit per accepted Intel TCB status; 0 = UpToDate only */
    bool intel_require_qe_identity; /* default true */
    bool intel_require_tcb_info;    /* default true */
    bool intel_require_crls;        /* default false */
};

/* The policy used when the caller gives none: signed platforms only, no debug, no migration. */
const burh_attest_policy *burh_attest_policy_default(void);
bool burh_attest_policy_allows(const burh_attest_policy *p, burh_attest_platform platform);

/* ---- SNP certificates ---- */

#define BURH_SNP_MAX_CHAIN_FAILURES 8
#define BURH_SNP_SPL_SLOTS          10 /* OID arcs 1.3.6.1.4.1.3704.1.3.<1..9> */

typedef struct burh_snp_leaf {
    X509 *cert;               /* borrowed from the verifier's collateral */
    uint32_t kind;            /* BURH_SNP_KEY_VCEK / VLEK; BURH_SNP_KEY_NONE if unknown */
    burh_snp_product product; /* from the issuer or productName */
    char product_name[32];    /* productName extension, "" if absent */
    size_t hwid_len;          /* 0 if absent */
    uint8_t hwid[64];
    int spl[BURH_SNP_SPL_SLOTS]; /* -1 absent, -2 malformed */
    bool key_is_p384;
    size_t nfailures;
    burh_failed_check failures[BURH_SNP_MAX_CHAIN_FAILURES];
} burh_snp_leaf;

/* Collateral and trust as the verifier holds them. */
typedef struct burh_snp_trust {
    STACK_OF(X509) * roots; /* explicit trust store; empty = use fingerprint pins */
    STACK_OF(X509) * certs; /* collateral */
    STACK_OF(X509_CRL) * crls;
    int64_t at;
} burh_snp_trust;

/* Loads one DER or any number of PEM certificates onto `into`. */
burh_attest_status burh_attest_load_certs(burh_bytes in, STACK_OF(X509) * into,
                                          burh_attest_error *err);
/* One CRL: PEM, DER or hex-encoded DER (as Intel PCS serves the root CA CRL). */
burh_attest_status burh_attest_load_crl(burh_bytes in, STACK_OF(X509_CRL) * into,
                                        burh_attest_error *err);

typedef enum {
    BURH_CRL_CURRENT = 0,
    BURH_CRL_WRONG_ISSUER,  /* issued by someone else */
    BURH_CRL_BAD_SIGNATURE, /* the issuer's key does not verify it */
    BURH_CRL_STALE,         /* not yet valid or past nextUpdate at `at` */
} burh_crl_verdict;

burh_crl_verdict burh_attest_crl_judge(X509_CRL *crl, X509 *issuer, int64_t at);
/* True when crl (of cert's issuer) lists cert. */
bool burh_attest_crl_revokes(X509_CRL *crl, X509 *cert);

/* True when the certificate is a VCEK/VLEK-like leaf (an EC key, not a CA). */
bool burh_snp_cert_is_leaf(X509 *cert);
/* Extracts the AMD extensions of `cert` and verifies its chain at trust->at, recording every
 * chain failure in leaf->failures. */
burh_attest_status burh_snp_leaf_examine(const burh_snp_trust *trust, X509 *cert,
                                         burh_snp_leaf *leaf, burh_attest_error *err);
/* Verifies the report signature (bytes 0x000..0x29F) with the leaf's P-384 key.
 * Returns 1 valid, 0 invalid, -1 crypto-library failure. */
int burh_snp_verify_signature(const burh_snp_leaf *leaf, const uint8_t *report,
                              const burh_snp_report *parsed);

/* ---- Azure HCL reports (an SNP report plus the runtime data it binds) ---- */

typedef struct burh_snp_hcl {
    burh_bytes report;       /* the 1184-byte SNP report inside */
    burh_bytes runtime_data; /* hashed into REPORT_DATA */
    uint32_t hash_type;      /* 1 SHA-256, 2 SHA-384, 3 SHA-512 */
} burh_snp_hcl;

bool burh_snp_hcl_detect(burh_bytes in);
/* On false, `why` says what is wrong. */
bool burh_snp_hcl_unwrap(burh_bytes in, burh_snp_hcl *out, char *why, size_t why_len);
/* Checks the REPORT_DATA binding ("snp.hcl.report_data") and adds the runtime data claim. */
void burh_snp_hcl_check(const burh_snp_hcl *hcl, const burh_snp_report *rep, burh_attest_result *r);

/* ---- online collateral (http.c) ---- */

typedef struct burh_http_fetch {
    const char *url;
    const char *cache_path;          /* NULL: no cache */
    bool refresh;                    /* fetch even when cached */
    const char *header, *header_alt; /* a response header to keep (e.g. an issuer chain) */
} burh_http_fetch;

typedef struct burh_http_body {
    uint8_t *data; /* NUL-terminated after len bytes */
    size_t len;
    char *header_value; /* URL-decoded; NULL when no header was asked for */
} burh_http_body;

/* GETs rq->url (or reads the cache); on success the caller frees *out with burh_http_body_free.
 * A requested header that the response lacks is an error. */
burh_attest_status burh_attest_http_fetch(const burh_http_fetch *rq, burh_http_body *out,
                                          burh_attest_error *err);
void burh_http_body_free(burh_http_body *b);
/* Copies a URL or path given as bytes into a C string; false when too long or it holds a NUL. */
bool burh_attest_copy_text(burh_bytes in, char *out, size_t out_len);

/* ---- per-platform verification ---- */

struct burh_intel_collateral;
struct intel_cache;

struct burh_attest_verifier {
    burh_snp_trust trust;
    struct burh_intel_collateral *intel; /* owned; NULL until Intel collateral is added */
    bool intel_dirty;                    /* collateral, roots or clock changed: flush the cache */
    struct intel_cache *intel_cache;     /* owned; quote-independent Intel verdicts */
    bool at_set;
    burh_attest_policy *policy; /* owned; NULL = default */
    /* Chain verdicts per leaf certificate, rebuilt when the collateral or clock changes. */
    bool leaves_dirty;
    size_t nleaves;
    burh_snp_leaf *leaves;
};

const burh_attest_policy *burh_attest_verifier_policy(const burh_attest_verifier *v);
/* The leaf certificate to check `rep` with (NULL when there is none). */
burh_attest_status burh_attest_verifier_leaf(burh_attest_verifier *v, const burh_snp_report *rep,
                                             const burh_snp_leaf **out, burh_attest_error *err);

burh_attest_status burh_attest_verify_snp(burh_attest_verifier *v, burh_bytes evidence,
                                          burh_attest_result *r, burh_attest_error *err);
/* Intel DCAP quotes (dcap.c). */
bool burh_attest_dcap_detect(burh_bytes in, burh_attest_platform *platform);
/* Files an Intel PCK or root CA CRL given through burh_attest_verifier_add_crl. */
void burh_attest_dcap_take_crl(burh_attest_verifier *v, X509_CRL *crl);
burh_attest_status burh_attest_verify_dcap(burh_attest_verifier *v, burh_attest_platform platform,
                                           burh_bytes evidence, burh_attest_result *r,
                                           burh_attest_error *err);
burh_attest_status burh_attest_verify_unsigned(burh_attest_verifier *v, burh_bytes evidence,
                                               burh_attest_platform requested,
                                               burh_attest_result *r, burh_attest_error *err);

#endif
