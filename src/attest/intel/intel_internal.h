/* Internal types shared by the Intel DCAP quote parser, collateral reader and verifier. */
#ifndef BURH_ATTEST_INTEL_INTERNAL_H
#define BURH_ATTEST_INTEL_INTERNAL_H

#include "burh/attest_intel.h"

#include "attest/attest_internal.h"

#include <openssl/x509.h>

#define INTEL_HEADER_LEN       48
#define INTEL_SGX_BODY_LEN     384
#define INTEL_TD10_BODY_LEN    584
#define INTEL_TD15_BODY_LEN    648
#define INTEL_QE_REPORT_LEN    384
#define INTEL_SIG_LEN          64
#define INTEL_KEY_LEN          64
#define INTEL_ATT_KEY_ECDSA256 2
#define INTEL_CERT_PCK_CHAIN   5
#define INTEL_CERT_QE_REPORT   6

/* Offsets in the SGX enclave report body (also the QE report). */
enum {
    SGX_CPUSVN = 0,
    SGX_MISCSELECT = 16,
    SGX_ATTRIBUTES = 48,
    SGX_MRENCLAVE = 64,
    SGX_MRSIGNER = 128,
    SGX_ISVPRODID = 256,
    SGX_ISVSVN = 258,
    SGX_REPORTDATA = 320,
};

/* Offsets in the TD report body. */
enum {
    TD_TEE_TCB_SVN = 0,
    TD_MRSEAM = 16,
    TD_MRSIGNERSEAM = 64,
    TD_SEAMATTRIBUTES = 112,
    TD_ATTRIBUTES = 120,
    TD_XFAM = 128,
    TD_MRTD = 136,
    TD_MRCONFIGID = 184,
    TD_MROWNER = 232,
    TD_MROWNERCONFIG = 280,
    TD_RTMR0 = 328,
    TD_REPORTDATA = 520,
    TD_TEE_TCB_SVN2 = 584,
    TD_MRSERVICETD = 600,
};

struct burh_intel_quote {
    uint8_t *buf; /* owned copy of the input */
    size_t len;
    uint16_t version;
    uint16_t att_key_type;
    uint32_t tee_type;
    uint16_t qe_svn;
    uint16_t pce_svn;
    uint16_t body_type; /* 1 SGX, 2 TD 1.0, 3 TD 1.5 */
    const uint8_t *body;
    size_t body_len;
    size_t signed_len; /* header + body, the bytes the attestation key signs */
    const uint8_t *signature;
    const uint8_t *attest_key;
    const uint8_t *qe_report;
    const uint8_t *qe_report_sig;
    const uint8_t *qe_auth;
    size_t qe_auth_len;
    const uint8_t *pck_pem;
    size_t pck_pem_len;
    size_t trailing;
};

/* PCK certificate SGX extension (OID 1.2.840.113741.1.13.1). */
typedef struct intel_pck_ext {
    uint8_t ppid[16];
    uint8_t comp_svn[16];
    uint16_t pcesvn;
    uint8_t cpusvn[16];
    uint8_t pceid[2];
    uint8_t fmspc[6];
    int sgx_type;
} intel_pck_ext;

burh_intel_err intel_pck_ext_parse(const uint8_t *der, size_t len, intel_pck_ext *out);

typedef struct intel_tcb_level {
    uint8_t sgx[16];
    uint8_t tdx[16];
    uint16_t pcesvn; /* platform levels */
    uint16_t isvsvn; /* QE identity and TDX module levels */
    burh_intel_tcb_status status;
    json_t *advisories; /* owned array of strings (may be empty) */
} intel_tcb_level;

typedef struct intel_module_identity {
    char id[16];
    uint8_t mrsigner[48];
    uint8_t attributes[8];
    uint8_t attributes_mask[8];
    intel_tcb_level *levels;
    size_t nlevels;
} intel_module_identity;

/* A signed collateral document: the exact signed text and its raw r||s signature. */
typedef struct intel_signed_doc {
    uint8_t *body;
    size_t body_len;
    uint8_t sig[INTEL_SIG_LEN];
    bool present;
    time_t issue_date;
    time_t next_update;
} intel_signed_doc;

typedef struct intel_tcb_info {
    intel_signed_doc doc;
    bool is_tdx;
    unsigned version;
    uint8_t fmspc[6];
    uint8_t pceid[2];
    intel_tcb_level *levels;
    size_t nlevels;
    bool has_tdx_module;
    intel_module_identity tdx_module; /* levels unused */
    intel_module_identity *modules;
    size_t nmodules;
} intel_tcb_info;

typedef struct intel_qe_identity {
    intel_signed_doc doc;
    char id[16];
    uint8_t miscselect[4];
    uint8_t miscselect_mask[4];
    uint8_t attributes[16];
    uint8_t attributes_mask[16];
    uint8_t mrsigner[32];
    uint16_t isvprodid;
    intel_tcb_level *levels;
    size_t nlevels;
} intel_qe_identity;

struct burh_intel_collateral {
    intel_tcb_info tcb;
    intel_qe_identity qe;
    STACK_OF(X509) * signing_chain;
    X509_CRL *pck_crl;
    X509_CRL *root_crl;
};

/* collateral.c helpers used by tests of the parser and by fuzzing */
burh_intel_err intel_json_member_span(const uint8_t *json, size_t len, const char *key,
                                      size_t *start, size_t *end);
void intel_tcb_info_clear(intel_tcb_info *tcb);
void intel_qe_identity_clear(intel_qe_identity *qe);

/* crypto.c */
bool intel_ecdsa_p256_verify_pkey(EVP_PKEY *key, const uint8_t *msg, size_t msg_len,
                                  const uint8_t sig_rs[64]);
/* A P-256 public key from raw X||Y, or NULL when the point is not on the curve. */
EVP_PKEY *intel_p256_key_checked(const uint8_t key_xy[64]);
/* The certificates of a PEM chain as a new stack, or NULL when there is none. */
STACK_OF(X509) * intel_pem_chain_load(const uint8_t *pem, size_t len);
bool intel_cert_is_pinned_root(X509 *cert);
/* Verifies leaf with the untrusted chain against anchors at time at; returns the X509 error. */
int intel_chain_verify(X509 *leaf, STACK_OF(X509) * untrusted, STACK_OF(X509) * anchors, time_t at);
burh_intel_err intel_pck_ext_from_cert(X509 *cert, intel_pck_ext *out);

/* verify.c: burh_intel_verify with the anchors as certificates; NULL roots means the pinned
 * Intel root, an empty stack trusts nothing. With a cache (NULL: none), quote-independent
 * verdicts are taken from it or stored in it; the caller flushes it whenever `at`, `col` or
 * `roots` change. */
typedef struct intel_cache intel_cache;
intel_cache *intel_cache_new(void);
void intel_cache_flush(intel_cache *c, time_t at);
void intel_cache_free(intel_cache *c);
time_t intel_cache_time(const intel_cache *c);
burh_intel_err intel_verify_anchored(const burh_intel_quote *quote,
                                     const burh_intel_collateral *col,
                                     const burh_intel_policy *policy, time_t at,
                                     STACK_OF(X509) * roots, intel_cache *cache,
                                     burh_intel_result **out);

/* tcb.c */
burh_intel_tcb_status intel_status_from_name(const char *name);
const intel_tcb_level *intel_match_platform(const intel_tcb_info *tcb, const intel_pck_ext *pck,
                                            const uint8_t *tee_tcb_svn);
const intel_tcb_level *intel_match_isvsvn(const intel_tcb_level *levels, size_t n, uint16_t isvsvn);
burh_intel_tcb_status intel_converge(burh_intel_tcb_status platform, burh_intel_tcb_status other);
void intel_advisories_merge(json_t *into, const json_t *from);

#endif
