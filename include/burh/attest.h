/* burh attest: verify confidential-computing evidence (AMD SEV-SNP, Intel TDX and SGX, and the
 * unsigned nil/kvm backends) against collateral and a policy. */
#ifndef BURH_ATTEST_H
#define BURH_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/*
 * Objects and ownership
 *   burh_attest_policy    what a relying party accepts; parsed from JSON, immutable.
 *   burh_attest_verifier  trust anchors + collateral (certificates, CRLs) + a clock + a policy.
 *                         It caches the certificate-chain verdict, so one verifier checks many
 *                         reports from one platform cheaply. One thread at a time.
 *   burh_attest_result    the verdict for one piece of evidence: every failed check by a stable
 *                         name, plus the normalised claims as JSON. Freed by
 *                         burh_attest_result_free.
 * Calls that can fail return a burh_attest_status and fill the burh_attest_error if given one.
 * A "rejected" verdict is NOT an error: burh_attest_verify returns BURH_ATTEST_OK and a result
 * whose accepted flag is false.
 */
typedef struct burh_attest_policy burh_attest_policy;
typedef struct burh_attest_verifier burh_attest_verifier;
typedef struct burh_attest_result burh_attest_result;

typedef enum {
    BURH_ATTEST_OK = 0,
    BURH_ATTEST_ERR_ARGS,        /* the caller passed wrong arguments */
    BURH_ATTEST_ERR_NOMEM,       /* out of memory */
    BURH_ATTEST_ERR_MALFORMED,   /* evidence, certificate, CRL or policy does not parse */
    BURH_ATTEST_ERR_UNSUPPORTED, /* well formed, but a platform/version burh cannot verify */
    BURH_ATTEST_ERR_CRYPTO,      /* the crypto library failed for a reason not due to input */
} burh_attest_status;

typedef struct burh_attest_error {
    burh_attest_status status;
    char message[256]; /* human-readable, NUL-terminated */
} burh_attest_error;

/* A byte range the callee only reads during the call. */
typedef struct burh_bytes {
    const uint8_t *ptr;
    size_t len;
} burh_bytes;

/* Where evidence comes from. Unsigned backends (nil, kvm) prove nothing by themselves. */
typedef enum {
    BURH_PLATFORM_AUTO = 0, /* only as an argument: detect from the evidence */
    BURH_PLATFORM_NIL = 1,
    BURH_PLATFORM_KVM = 2,
    BURH_PLATFORM_SNP = 3,
    BURH_PLATFORM_TDX = 4, /* Intel DCAP quote v4/v5 with a TD report body */
    BURH_PLATFORM_SGX = 5, /* Intel DCAP quote v3 with an enclave report body */
} burh_attest_platform;

/* "nil", "kvm", "snp", "tdx", "sgx" ("auto" for BURH_PLATFORM_AUTO); NULL when out of range. */
const char *burh_attest_platform_name(burh_attest_platform platform);
/* Returns false when the name is not one of the above. */
bool burh_attest_platform_from_name(burh_bytes name, burh_attest_platform *out);

/* ---- AMD SEV-SNP attestation report (ABI spec 56860, ATTESTATION_REPORT) ---- */

#define BURH_SNP_REPORT_SIZE                1184u /* 0x4A0 */
#define BURH_SNP_SIGNED_SIZE                672u  /* bytes 0x000..0x29F are signed */
#define BURH_SNP_SIG_ALGO_ECDSA_P384_SHA384 1u
#define BURH_SNP_KEY_VCEK                   0u
#define BURH_SNP_KEY_VLEK                   1u
#define BURH_SNP_KEY_NONE                   7u

/* Guest policy bits (POLICY, offset 0x08). */
#define BURH_SNP_POLICY_SMT           (1ull << 16)
#define BURH_SNP_POLICY_RESERVED_ONE  (1ull << 17) /* must be 1 */
#define BURH_SNP_POLICY_MIGRATE_MA    (1ull << 18)
#define BURH_SNP_POLICY_DEBUG         (1ull << 19)
#define BURH_SNP_POLICY_SINGLE_SOCKET (1ull << 20)

/* Problems the parser found; several can be set at once (bitmask). */
#define BURH_SNP_DEFECT_LENGTH   (1u << 0) /* not exactly 1184 bytes: nothing else parsed */
#define BURH_SNP_DEFECT_VERSION  (1u << 1) /* not version 2, 3 or 5 */
#define BURH_SNP_DEFECT_RESERVED (1u << 2) /* a reserved field is not zero */
#define BURH_SNP_DEFECT_SIG_ALGO (1u << 3) /* SIGNATURE_ALGO is not 1 */
#define BURH_SNP_DEFECT_KEY_INFO (1u << 4) /* SIGNING_KEY is neither VCEK nor VLEK */

/* Which CPU generation produced a report; decides the TCB_VERSION layout. */
typedef enum {
    BURH_SNP_PRODUCT_UNKNOWN = 0,
    BURH_SNP_PRODUCT_MILAN,
    BURH_SNP_PRODUCT_GENOA,
    BURH_SNP_PRODUCT_TURIN,
} burh_snp_product;

const char *burh_snp_product_name(burh_snp_product product); /* "Milan", ..., "unknown" */

/* A TCB_VERSION decoded for one product. Turin adds FMC and moves the other fields. */
typedef struct burh_snp_tcb {
    uint64_t raw; /* the 8 bytes as a little-endian integer */
    uint8_t fmc;  /* Turin only; 0 before */
    uint8_t bootloader;
    uint8_t tee;
    uint8_t snp;
    uint8_t microcode;
} burh_snp_tcb;

burh_snp_tcb burh_snp_tcb_decode(uint64_t raw, burh_snp_product product);

typedef struct burh_snp_report {
    uint32_t version;
    uint32_t guest_svn;
    uint64_t policy;
    uint8_t family_id[16];
    uint8_t image_id[16];
    uint32_t vmpl;
    uint32_t signature_algo;
    uint64_t current_tcb;
    uint64_t platform_info;
    uint32_t key_info;    /* bit 0 AUTHOR_KEY_EN, bit 1 MASK_CHIP_KEY, bits 4:2 SIGNING_KEY */
    uint32_t signing_key; /* BURH_SNP_KEY_* (bits 4:2 of key_info) */
    uint8_t report_data[64];
    uint8_t measurement[48];
    uint8_t host_data[32];
    uint8_t id_key_digest[48];
    uint8_t author_key_digest[48];
    uint8_t report_id[32];
    uint8_t report_id_ma[32];
    uint64_t reported_tcb;
    bool has_cpuid; /* version >= 3 */
    uint8_t cpuid_family, cpuid_model, cpuid_stepping;
    uint8_t chip_id[64];
    uint64_t committed_tcb;
    uint8_t current_build, current_minor, current_major;
    uint8_t committed_build, committed_minor, committed_major;
    uint64_t launch_tcb;
    bool has_mit_vectors; /* version >= 5 */
    uint64_t launch_mit_vector, current_mit_vector;
    uint8_t sig_r[48]; /* big-endian, ready for a bignum */
    uint8_t sig_s[48];
} burh_snp_report;

/* Parses exactly BURH_SNP_REPORT_SIZE bytes into *out. *defects (may be NULL) receives every
 * BURH_SNP_DEFECT_* found. Returns BURH_ATTEST_OK only when there are none; on any defect but
 * LENGTH, *out is still filled so that a verifier can report every problem at once. */
burh_attest_status burh_snp_report_parse(burh_bytes in, burh_snp_report *out, uint32_t *defects,
                                         burh_attest_error *err);

/* The product from CPUID (version >= 3); UNKNOWN for version 2 reports. */
burh_snp_product burh_snp_report_product(const burh_snp_report *report);

/* ---- Unsigned evidence of the nil and kvm backends ----
 * 128 bytes, little-endian:
 *   0x00 magic "BURHUEV1" (8)   0x08 u16 format version (1)   0x0A u16 backend (1 nil, 2 kvm)
 *   0x0C u32 reserved, zero      0x10 measurement (48, SHA-384)  0x40 report_data (64)
 * Nothing signs it, so a verifier rejects it ("nil.unsigned" / "kvm.unsigned") unless the policy
 * lists the backend in "allow_backends". */
#define BURH_UNSIGNED_EVIDENCE_SIZE    128u
#define BURH_UNSIGNED_EVIDENCE_VERSION 1u

typedef struct burh_unsigned_evidence {
    burh_attest_platform backend; /* NIL or KVM */
    uint8_t measurement[48];
    uint8_t report_data[64];
} burh_unsigned_evidence;

/* Writes the 128-byte encoding into out[0..BURH_UNSIGNED_EVIDENCE_SIZE). */
burh_attest_status burh_unsigned_evidence_make(const burh_unsigned_evidence *ev, uint8_t *out,
                                               size_t out_len, burh_attest_error *err);
burh_attest_status burh_unsigned_evidence_parse(burh_bytes in, burh_unsigned_evidence *out,
                                                burh_attest_error *err);
/* True when the bytes start with the unsigned-evidence magic (used by platform detection). */
bool burh_unsigned_evidence_detect(burh_bytes in);

/* ---- Policy (JSON; format in docs/attestation.md). Unknown keys are an error. ---- */

/* On success *out is a new policy the caller owns. */
burh_attest_status burh_attest_policy_parse(burh_bytes json, burh_attest_policy **out,
                                            burh_attest_error *err);
void burh_attest_policy_free(burh_attest_policy *policy);

/* ---- Verifier ---- */

burh_attest_status burh_attest_verifier_new(burh_attest_verifier **out, burh_attest_error *err);
void burh_attest_verifier_free(burh_attest_verifier *v);

/* Trust exactly the self-signed roots in `pem` (one or more PEM or one DER certificate) instead
 * of the built-in AMD ARK fingerprint pins. For tests and private PKIs. May be called again to
 * add more roots. */
burh_attest_status burh_attest_verifier_trust_roots(burh_attest_verifier *v, burh_bytes certs,
                                                    burh_attest_error *err);
/* Adds collateral certificates (VCEK, VLEK, ASK, ASVK, ARK; PEM bundle or one DER). An ARK
 * given here is trusted only if its SHA-256 fingerprint is pinned (or it is in the roots). */
burh_attest_status burh_attest_verifier_add_certs(burh_attest_verifier *v, burh_bytes certs,
                                                  burh_attest_error *err);
/* Adds a CRL (PEM or DER). It is used only when its signature verifies with a chain CA. */
burh_attest_status burh_attest_verifier_add_crl(burh_attest_verifier *v, burh_bytes crl,
                                                burh_attest_error *err);
/* Intel DCAP collateral (TDX and SGX). Intel PCS v4 response bodies, byte for byte: the TCB
 * info and QE identity signatures are checked over the exact bytes given. */
typedef enum {
    BURH_INTEL_TCB_INFO = 0, /* {"tcbInfo":{...},"signature":"..."} */
    BURH_INTEL_QE_IDENTITY,  /* {"enclaveIdentity":{...},"signature":"..."} */
    BURH_INTEL_ISSUER_CHAIN, /* PEM: TCB signing certificate (+ root), from TCB-Info-Issuer-Chain */
    BURH_INTEL_PCK_CRL,      /* PEM, DER or hex DER; signed by the PCK Platform/Processor CA */
    BURH_INTEL_ROOT_CRL,     /* PEM, DER or hex DER; signed by the Intel SGX Root CA */
    BURH_INTEL_BUNDLE,       /* JSON: tcb_info, tcb_info_signature, qe_identity, ..., pck_crl */
} burh_attest_intel_kind;

/* Adds (replaces) one piece of Intel collateral. A CRL given to burh_attest_verifier_add_crl
 * whose issuer is an Intel SGX CA is filed here too. Trust: the roots given to
 * burh_attest_verifier_trust_roots, else the pinned Intel SGX Root CA. */
burh_attest_status burh_attest_verifier_add_intel(burh_attest_verifier *v,
                                                  burh_attest_intel_kind kind, burh_bytes in,
                                                  burh_attest_error *err);

/* The time at which certificates must be valid (seconds since the epoch); default: now. */
void burh_attest_verifier_set_time(burh_attest_verifier *v, int64_t unix_seconds);
/* Takes ownership of `policy` (NULL = the default policy: SNP only, no debug, no migration). */
void burh_attest_verifier_set_policy(burh_attest_verifier *v, burh_attest_policy *policy);

/* The platform the evidence bytes look like: unsigned evidence by its magic, an Intel DCAP quote
 * by its header (version 3-5, ECDSA P-256, TEE type), anything else SNP (plain or Azure HCL). */
burh_attest_platform burh_attest_detect_platform(burh_bytes evidence);

/* Verifies `evidence` and on BURH_ATTEST_OK gives a new result in *out (caller frees), accepted
 * or not. Errors are only for wrong arguments, memory or crypto-library failures. */
burh_attest_status burh_attest_verify(burh_attest_verifier *v, burh_attest_platform platform,
                                      burh_bytes evidence, burh_attest_result **out,
                                      burh_attest_error *err);

bool burh_attest_result_accepted(const burh_attest_result *r);
burh_attest_platform burh_attest_result_platform(const burh_attest_result *r);
size_t burh_attest_result_failed_count(const burh_attest_result *r);
/* A stable check name such as "snp.report.signature"; NULL past the end. */
const char *burh_attest_result_failed_name(const burh_attest_result *r, size_t i);
/* Why it failed, for humans; NULL past the end. */
const char *burh_attest_result_failed_detail(const burh_attest_result *r, size_t i);
/* True when the named check is among the failed ones. */
bool burh_attest_result_failed(const burh_attest_result *r, const char *check_name);
/* The claims; borrowed, valid until the result is freed. */
const json_t *burh_attest_result_claims(const burh_attest_result *r);
void burh_attest_result_free(burh_attest_result *r);

/* ---- AMD Key Distribution Service (online collateral) ---- */

typedef struct burh_attest_kds {
    burh_bytes base_url;  /* empty: https://kdsintf.amd.com */
    burh_bytes cache_dir; /* empty: no cache; else VCEKs and chains are reused from there */
    bool fetch_crl;       /* also fetch the CRL (always refreshed, never served from cache) */
} burh_attest_kds;

/* Writes the KDS path (after the base URL) of the VCEK for `report`, e.g.
 * "/vcek/v1/Milan/<hwid>?blSPL=03&teeSPL=00&snpSPL=08&ucodeSPL=115". */
burh_attest_status burh_attest_kds_vcek_path(const burh_snp_report *report,
                                             burh_snp_product product, char *out, size_t out_len,
                                             burh_attest_error *err);
/* Fetches the collateral `report` needs (VCEK unless it is VLEK-signed, cert_chain, CRL if asked)
 * and adds it to the verifier. `product` may be UNKNOWN for version 3+ reports (CPUID says it). */
burh_attest_status burh_attest_kds_fetch(burh_attest_verifier *v, burh_bytes report,
                                         burh_snp_product product, const burh_attest_kds *opts,
                                         burh_attest_error *err);

/* ---- Intel Provisioning Certification Service (online collateral, API v4) ---- */

typedef struct burh_attest_pcs {
    burh_bytes base_url;  /* empty: https://api.trustedservices.intel.com */
    burh_bytes cache_dir; /* empty: no cache; else every response (and its issuer chain) is
                             kept there and reused; expiry is then judged by the verifier */
} burh_attest_pcs;

/* Fetches what `quote` needs from PCS: TCB info for its FMSPC (TDX or SGX), QE identity, the PCK
 * CRL of its PCK CA (platform or processor) and the root CA CRL, with the issuer chains from the
 * response headers, and adds them to the verifier. */
burh_attest_status burh_attest_pcs_fetch(burh_attest_verifier *v, burh_bytes quote,
                                         const burh_attest_pcs *opts, burh_attest_error *err);

/* Parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)" (RFC 3339). */
bool burh_attest_parse_rfc3339(burh_bytes text, int64_t *unix_seconds);

/* Decodes even-length hex (either case, nothing else) of at most `cap` bytes into `out` and
 * sets *out_len; false, with `out` partly written, on anything else. */
bool burh_attest_parse_hex(burh_bytes hex, uint8_t *out, size_t cap, size_t *out_len);

#endif
