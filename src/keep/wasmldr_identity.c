/* wasmldr_identity.c: the keep's key, its evidence bound to {pubkey-hash, nonce}, its cert. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "burh/attester.h"
#include "burh/hostcall_abi.h"
#include "burh/ratls.h"
#include "keep/wasmldr.h"

#define SNP_OFF_VERSION     0x00
#define SNP_OFF_POLICY      0x08
#define SNP_OFF_SIG_ALGO    0x34
#define SNP_OFF_REPORT_DATA 0x50
#define SNP_OFF_MEASUREMENT 0x90

bool wasmldr_fault_from_name(const char *name, wasmldr_fault *out)
{
    static const struct {
        const char *name;
        wasmldr_fault fault;
    } faults[] = {{"wrong-nonce", WASMLDR_FAULT_WRONG_NONCE},
                  {"wrong-key", WASMLDR_FAULT_WRONG_KEY},
                  {"debug-snp", WASMLDR_FAULT_DEBUG_SNP}};
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
        if (strcmp(name, faults[i].name) == 0) {
            *out = faults[i].fault;
            return true;
        }
    return false;
}

/* Hardware evidence (SNP report or TDX quote) for report_data, when this is such a guest.
 * Returns false with *found false when there is no hardware, with a message on failure. */
static bool hardware_evidence(const uint8_t report_data[64], burh_evidence *ev, bool *found,
                              burh_attest_platform *platform, char *msg, size_t cap)
{
    burh_attester_config cfg;
    memset(&cfg, 0, sizeof cfg);
    burh_attester_detection det;
    burh_attester_error aerr;
    *found = false;
    if (burh_attester_detect(&cfg, &det, &aerr) != BURH_ATTESTER_OK ||
        det.platform == BURH_ATTESTER_PLATFORM_NONE)
        return true; /* no hardware evidence here: the caller falls back to nil */
    *found = true;
    *platform = det.platform == BURH_ATTESTER_PLATFORM_SNP ? BURH_PLATFORM_SNP : BURH_PLATFORM_TDX;
    if (burh_attester_get_evidence(&cfg, report_data, ev, &aerr) != BURH_ATTESTER_OK) {
        snprintf(msg, cap, "evidence: %s", aerr.message);
        return false;
    }
    return true;
}

/* Fake SNP evidence for the debug-snp test fault: well-formed, debuggable, unsigned. */
static void fake_snp_report(const uint8_t report_data[64], uint8_t out[BURH_SNP_REPORT_SIZE])
{
    memset(out, 0, BURH_SNP_REPORT_SIZE);
    out[SNP_OFF_VERSION] = 2;
    uint64_t policy = BURH_SNP_POLICY_RESERVED_ONE | BURH_SNP_POLICY_DEBUG;
    for (int i = 0; i < 8; i++)
        out[SNP_OFF_POLICY + i] = (uint8_t)(policy >> (8 * i));
    out[SNP_OFF_SIG_ALGO] = BURH_SNP_SIG_ALGO_ECDSA_P384_SHA384;
    memcpy(out + SNP_OFF_REPORT_DATA, report_data, 64);
    memset(out + SNP_OFF_MEASUREMENT, 0xee, 48);
}

/* The claims for the certificate; the faults bend exactly one thing. */
static bool make_claims(EVP_PKEY *key, burh_bytes nonce, wasmldr_fault fault, uint8_t *claims,
                        size_t *claims_len, char *msg, size_t cap)
{
    burh_attest_error err;
    uint8_t bent_nonce[BURH_PROTO_NONCE_MAX];
    EVP_PKEY *other = NULL;
    if (fault == WASMLDR_FAULT_WRONG_NONCE && nonce.len > 0 && nonce.len <= sizeof bent_nonce) {
        memcpy(bent_nonce, nonce.ptr, nonce.len);
        bent_nonce[0] ^= 0x01;
        nonce.ptr = bent_nonce;
    }
    if (fault == WASMLDR_FAULT_WRONG_KEY &&
        burh_ratls_key_generate(&other, &err) != BURH_ATTEST_OK) {
        snprintf(msg, cap, "key: %s", err.message);
        return false;
    }
    burh_attest_status st = burh_ratls_claims_make(other != NULL ? other : key, nonce, claims,
                                                   BURH_RATLS_CLAIMS_MAX, claims_len, &err);
    EVP_PKEY_free(other);
    if (st != BURH_ATTEST_OK)
        snprintf(msg, cap, "claims: %s", err.message);
    return st == BURH_ATTEST_OK;
}

/* Evidence for report_data from the backend: hardware, or unsigned nil/kvm evidence. */
static bool make_evidence(burh_attest_platform backend, wasmldr_fault fault,
                          const uint8_t report_data[64], burh_evidence *hw, uint8_t *soft,
                          burh_bytes *evidence, burh_attest_platform *platform, char *msg,
                          size_t cap)
{
    if (fault == WASMLDR_FAULT_DEBUG_SNP) {
        fake_snp_report(report_data, soft);
        *evidence = (burh_bytes){soft, BURH_SNP_REPORT_SIZE};
        *platform = BURH_PLATFORM_SNP;
        return true;
    }
    bool found = false;
    /* Only "auto" probes: the probe makes a configfs entry, which a nil sandbox forbids. */
    if (backend == BURH_PLATFORM_AUTO &&
        !hardware_evidence(report_data, hw, &found, platform, msg, cap))
        return false;
    if (found) {
        *evidence = (burh_bytes){hw->report, hw->report_len};
        return true;
    }
    burh_unsigned_evidence uev;
    memset(&uev, 0, sizeof uev);
    uev.backend = backend == BURH_PLATFORM_KVM ? BURH_PLATFORM_KVM : BURH_PLATFORM_NIL;
    memcpy(uev.report_data, report_data, 64);
    /* In a kvm keep the shim hands over the launch digest keepldr measured (docs/kvm.md). */
    const uint8_t *digest = (const uint8_t *)getauxval(BURH_AT_LAUNCH_DIGEST);
    if (uev.backend == BURH_PLATFORM_KVM && digest != NULL)
        memcpy(uev.measurement, digest, sizeof uev.measurement);
    burh_attest_error err;
    if (burh_unsigned_evidence_make(&uev, soft, BURH_UNSIGNED_EVIDENCE_SIZE, &err) !=
        BURH_ATTEST_OK) {
        snprintf(msg, cap, "evidence: %s", err.message);
        return false;
    }
    *evidence = (burh_bytes){soft, BURH_UNSIGNED_EVIDENCE_SIZE};
    *platform = uev.backend;
    return true;
}

bool wasmldr_identity_make(burh_attest_platform backend, burh_bytes nonce, wasmldr_fault fault,
                           wasmldr_identity *out, char *msg, size_t msg_cap)
{
    memset(out, 0, sizeof *out);
    burh_attest_error err;
    if (burh_ratls_key_generate(&out->key, &err) != BURH_ATTEST_OK) {
        snprintf(msg, msg_cap, "key: %s", err.message);
        return false;
    }
    uint8_t claims[BURH_RATLS_CLAIMS_MAX], report_data[64], soft[BURH_SNP_REPORT_SIZE];
    size_t claims_len = 0;
    burh_evidence hw;
    memset(&hw, 0, sizeof hw);
    burh_bytes evidence = {NULL, 0};
    bool ok = make_claims(out->key, nonce, fault, claims, &claims_len, msg, msg_cap);
    if (ok) {
        burh_ratls_report_data((burh_bytes){claims, claims_len}, report_data);
        ok = make_evidence(backend, fault, report_data, &hw, soft, &evidence, &out->platform, msg,
                           msg_cap);
    }
    if (ok) {
        burh_ratls_cert_params p;
        memset(&p, 0, sizeof p);
        p.key = out->key;
        p.platform = out->platform;
        p.evidence = evidence;
        p.claims = (burh_bytes){claims, claims_len};
        for (size_t i = 0; i < hw.cert_count && p.endorsement_count < BURH_RATLS_MAX_ENDORSEMENTS;
             i++)
            p.endorsements[p.endorsement_count++] = (burh_bytes){hw.certs[i].ptr, hw.certs[i].len};
        ok = burh_ratls_cert_make(&p, &out->cert, &err) == BURH_ATTEST_OK;
        if (!ok)
            snprintf(msg, msg_cap, "certificate: %s", err.message);
    }
    burh_evidence_free(&hw);
    if (!ok)
        wasmldr_identity_free(out);
    return ok;
}

void wasmldr_identity_free(wasmldr_identity *id)
{
    /* EVP_PKEY_free clears the private scalar (OpenSSL's BN_clear_free) before releasing it. */
    EVP_PKEY_free(id->key);
    X509_free(id->cert);
    id->key = NULL;
    id->cert = NULL;
}
