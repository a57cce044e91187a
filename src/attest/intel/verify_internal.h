/* State of one Intel quote verification, shared by verify.c and result.c. */
#ifndef BURH_ATTEST_INTEL_VERIFY_INTERNAL_H
#define BURH_ATTEST_INTEL_VERIFY_INTERNAL_H

#include "attest/intel/intel_internal.h"

struct burh_intel_result {
    json_t *failures; /* array of check names */
    json_t *skipped;  /* array of check names */
    json_t *claims;   /* object */
    burh_intel_tcb_status status;
};

/* The failed and skipped checks one stage recorded (names without the "tdx."/"sgx." prefix),
 * so that a cached stage can replay its verdict. */
typedef struct intel_memo {
    bool done;
    json_t *failed, *skipped;
} intel_memo;

/* Quote-independent verdicts kept between verifications of one verifier: the attestation key,
 * the PCK chain and CRL checks of one platform, and the collateral signature checks. Valid for
 * one evaluation time, one collateral and one set of roots (the owner flushes it). */
struct intel_cache {
    time_t at;
    bool have_key;
    uint8_t key_xy[INTEL_KEY_LEN];
    EVP_PKEY *key; /* NULL: not a valid P-256 point */
    uint8_t *pck_pem;
    size_t pck_pem_len;
    STACK_OF(X509) * pck_chain, *anchors;
    intel_pck_ext pck;
    bool have_pck;
    intel_memo platform, tcb_doc, qe_doc;
};

typedef struct intel_vctx {
    const burh_intel_quote *quote;
    const burh_intel_collateral *col;
    const burh_intel_policy *policy;
    const char *prefix; /* "tdx" or "sgx" */
    time_t at;
    burh_intel_result *res;
    STACK_OF(X509) * pck_chain;
    STACK_OF(X509) * anchors;
    intel_pck_ext pck;
    bool have_pck;
    burh_intel_tcb_status status;        /* platform */
    burh_intel_tcb_status module_status; /* TDX module, UNKNOWN if not judged */
    burh_intel_tcb_status qe_status;     /* UNKNOWN if not judged */
    json_t *advisories;
    intel_cache *cache;   /* NULL: nothing is remembered */
    bool borrowed_chains; /* pck_chain and anchors belong to the cache */
} intel_vctx;

/* cache.c */
void intel_memo_begin(const intel_vctx *v, size_t mark[2]);
void intel_memo_end(const intel_vctx *v, const size_t mark[2], intel_memo *m);
void intel_memo_replay(intel_vctx *v, const intel_memo *m);
void intel_memo_clear(intel_memo *m);
/* The attestation key as a checked P-256 key (NULL when invalid); *owned says who frees it. */
EVP_PKEY *intel_cached_attest_key(intel_vctx *v, bool *owned);

void intel_vctx_fail(intel_vctx *v, const char *check);
void intel_vctx_skip(intel_vctx *v, const char *check);
burh_intel_result *intel_result_new(void);
void intel_check_tdx_module(intel_vctx *v, const intel_tcb_info *tcb);
void intel_finish_status(intel_vctx *v);
void intel_check_policy(intel_vctx *v);
burh_intel_err intel_build_claims(intel_vctx *v);

#endif
