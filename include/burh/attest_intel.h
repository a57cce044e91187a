/* burh attest_intel: the Intel DCAP layer under burh_attest (SGX v3, TDX v4/v5 quotes and their
 * collateral). Relying parties use include/burh/attest.h, which verifies TDX and SGX with the
 * common policy, results and claims; this header is for the quote parser, collateral readers,
 * tests and fuzzing. */
#ifndef BURH_ATTEST_INTEL_H
#define BURH_ATTEST_INTEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

/*
 * Objects and ownership
 *   burh_intel_quote       a parsed quote; owns a copy of the input bytes.
 *   burh_intel_collateral  TCB info, QE identity, the TCB signing chain and CRLs; owns copies
 *                          of everything set into it.
 *   burh_intel_result      what burh_intel_verify found: every failed check by a stable name,
 *                          the TCB status, advisories and the claims JSON.
 * Inputs are {ptr,len} byte ranges (burh_intel_bytes); nothing is NUL-terminated.
 * Every call that can fail returns a burh_intel_err. A bad quote or collateral is an error
 * value, never a crash; verification failures are listed in the result, not returned.
 */
typedef struct burh_intel_quote burh_intel_quote;
typedef struct burh_intel_collateral burh_intel_collateral;
typedef struct burh_intel_result burh_intel_result;

typedef struct burh_intel_bytes {
    const uint8_t *ptr;
    size_t len;
} burh_intel_bytes;

typedef enum {
    BURH_INTEL_OK = 0,
    BURH_INTEL_ERR_TRUNCATED, /* a length points past the end of the input */
    BURH_INTEL_ERR_VERSION,   /* unknown quote version, body type or key type */
    BURH_INTEL_ERR_FORMAT,    /* a field holds a value the format does not allow */
    BURH_INTEL_ERR_JSON,      /* collateral JSON is malformed or lacks a member */
    BURH_INTEL_ERR_CERT,      /* a certificate, chain or CRL does not decode */
    BURH_INTEL_ERR_NOMEM,     /* out of memory */
    BURH_INTEL_ERR_ARGS,      /* the caller passed a NULL or empty argument */
} burh_intel_err;

const char *burh_intel_err_name(burh_intel_err err);

/* ---- quotes ---- */

typedef enum {
    BURH_INTEL_TEE_SGX = 0,
    BURH_INTEL_TEE_TDX = 0x81,
} burh_intel_tee;

/* Parses a quote. Bytes after the signature data are allowed (real quotes carry padding). */
burh_intel_err burh_intel_quote_parse(burh_intel_bytes in, burh_intel_quote **out);
void burh_intel_quote_free(burh_intel_quote *quote);
burh_intel_tee burh_intel_quote_tee(const burh_intel_quote *quote);
unsigned burh_intel_quote_version(const burh_intel_quote *quote);
/* The bytes after the signature data; zero for an exact quote. */
size_t burh_intel_quote_trailing(const burh_intel_quote *quote);

/* ---- collateral ---- */

burh_intel_collateral *burh_intel_collateral_new(void);
void burh_intel_collateral_free(burh_intel_collateral *col);
/* Intel PCS response bodies: {"tcbInfo":{...},"signature":"hex"} and
 * {"enclaveIdentity":{...},"signature":"hex"}. The signature is checked over the exact bytes. */
burh_intel_err burh_intel_collateral_set_tcb_info(burh_intel_collateral *col, burh_intel_bytes in);
burh_intel_err burh_intel_collateral_set_qe_identity(burh_intel_collateral *col,
                                                     burh_intel_bytes in);
/* PEM: the TCB signing certificate (and optionally its issuers). */
burh_intel_err burh_intel_collateral_set_tcb_signing_chain(burh_intel_collateral *col,
                                                           burh_intel_bytes pem);
/* A CRL in DER, PEM or hex-encoded DER. */
burh_intel_err burh_intel_collateral_set_pck_crl(burh_intel_collateral *col, burh_intel_bytes in);
burh_intel_err burh_intel_collateral_set_root_crl(burh_intel_collateral *col, burh_intel_bytes in);
/* A JSON bundle with the members tcb_info, tcb_info_signature, qe_identity,
 * qe_identity_signature, tcb_info_issuer_chain, pck_crl, root_ca_crl (all strings; the
 * *_info / *_identity strings are the signed text). Missing members are left unset. */
burh_intel_err burh_intel_collateral_load_bundle(burh_intel_collateral *col, burh_intel_bytes in);

/* ---- policy ---- */

typedef enum {
    BURH_INTEL_TCB_UNKNOWN = 0, /* no TCB info to evaluate against */
    BURH_INTEL_TCB_UP_TO_DATE,
    BURH_INTEL_TCB_SW_HARDENING_NEEDED,
    BURH_INTEL_TCB_CONFIGURATION_NEEDED,
    BURH_INTEL_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED,
    BURH_INTEL_TCB_OUT_OF_DATE,
    BURH_INTEL_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED,
    BURH_INTEL_TCB_REVOKED,
    BURH_INTEL_TCB_NOT_SUPPORTED, /* the platform matches no TCB level */
    BURH_INTEL_TCB_STATUS_COUNT
} burh_intel_tcb_status;

/* Intel's spelling ("UpToDate", ...), or "Unknown" / "TcbLevelNotSupported". */
const char *burh_intel_tcb_status_name(burh_intel_tcb_status status);
#define BURH_INTEL_STATUS_BIT(s) (1u << (s))

typedef struct burh_intel_policy {
    uint32_t allowed_statuses; /* BURH_INTEL_STATUS_BIT() set; "X.tcb.status" otherwise */
    bool allow_debug;          /* else a debug TD / enclave fails "X.debug" */
    bool require_qe_identity;  /* else missing QE identity is only listed as skipped */
    bool require_tcb_info; /* else missing TCB info is only listed as skipped (status Unknown) */
    bool require_crls;     /* else missing CRLs are only listed as skipped */
    /* Expected measurements; a NULL pointer means "any". Each points at the field's size. */
    const uint8_t *mrtd;        /* 48 bytes (TDX) */
    const uint8_t *mrenclave;   /* 32 bytes (SGX) */
    const uint8_t *mrsigner;    /* 32 bytes (SGX) */
    const uint8_t *report_data; /* 64 bytes */
} burh_intel_policy;

/* UpToDate, SWHardeningNeeded, ConfigurationNeeded, ConfigurationAndSWHardeningNeeded
 * allowed; debug refused; QE identity required; CRLs optional; no expected measurements. */
void burh_intel_policy_default(burh_intel_policy *policy);

typedef struct burh_intel_options {
    time_t at;                    /* evaluation time; 0 means now */
    burh_intel_bytes trust_roots; /* PEM roots; empty means the pinned Intel SGX Root CA */
} burh_intel_options;

/* ---- verification ---- */

/* Verifies quote against col (may be NULL) under policy (NULL: the default). On success
 * *out is a result to free with burh_intel_result_free, whatever the verdict. */
burh_intel_err burh_intel_verify(const burh_intel_quote *quote, const burh_intel_collateral *col,
                                 const burh_intel_policy *policy, const burh_intel_options *opts,
                                 burh_intel_result **out);
void burh_intel_result_free(burh_intel_result *res);
/* True when no check failed. */
bool burh_intel_result_ok(const burh_intel_result *res);
size_t burh_intel_result_failure_count(const burh_intel_result *res);
/* The stable name of failed check i, e.g. "tdx.quote.signature"; NULL past the end. */
const char *burh_intel_result_failure(const burh_intel_result *res, size_t i);
/* True when the check named name failed. */
bool burh_intel_result_failed(const burh_intel_result *res, const char *name);
/* Checks that could not run for want of collateral (names as for failures). */
size_t burh_intel_result_skipped_count(const burh_intel_result *res);
const char *burh_intel_result_skipped(const burh_intel_result *res, size_t i);
burh_intel_tcb_status burh_intel_result_tcb_status(const burh_intel_result *res);
/* Borrowed; valid until the result is freed. Members: platform, quote_version, tee_tcb_svn,
 * measurements, report_data, debug, fmspc, pce_id, tcb_status, advisories, failures, skipped. */
const json_t *burh_intel_result_claims(const burh_intel_result *res);

#endif
