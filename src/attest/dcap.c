/* Intel TDX and SGX behind the common verifier: collateral, policy mapping, verdict and claims. */
#include <string.h>
#include <time.h>

#include "attest/attest_internal.h"
#include "attest/intel/intel_internal.h"

/* TD_ATTRIBUTES bit 29: the TD may be migrated to another platform. */
#define TD_ATTR_MIGRATABLE_BYTE 3
#define TD_ATTR_MIGRATABLE_BIT  0x20

#define DCAP_KEY_TYPE_ECDSA_P256 2

bool burh_attest_dcap_detect(burh_bytes in, burh_attest_platform *platform)
{
    if (!in.ptr || in.len < INTEL_HEADER_LEN)
        return false;
    uint16_t version = (uint16_t)(in.ptr[0] | in.ptr[1] << 8);
    uint16_t key_type = (uint16_t)(in.ptr[2] | in.ptr[3] << 8);
    uint32_t tee = burh_attest_le32(in.ptr + 4);
    if (version < 3 || version > 5 || key_type != DCAP_KEY_TYPE_ECDSA_P256)
        return false;
    if (tee == BURH_INTEL_TEE_SGX)
        *platform = BURH_PLATFORM_SGX;
    else if (tee == BURH_INTEL_TEE_TDX)
        *platform = BURH_PLATFORM_TDX;
    else
        return false;
    return true;
}

static burh_attest_status intel_status(burh_intel_err e, burh_attest_error *err, const char *what)
{
    if (e == BURH_INTEL_OK)
        return BURH_ATTEST_OK;
    burh_attest_status st = e == BURH_INTEL_ERR_NOMEM  ? BURH_ATTEST_ERR_NOMEM
                            : e == BURH_INTEL_ERR_ARGS ? BURH_ATTEST_ERR_ARGS
                                                       : BURH_ATTEST_ERR_MALFORMED;
    return burh_attest_fail(err, st, "Intel %s: %s", what, burh_intel_err_name(e));
}

burh_attest_status burh_attest_verifier_add_intel(burh_attest_verifier *v,
                                                  burh_attest_intel_kind kind, burh_bytes in,
                                                  burh_attest_error *err)
{
    static burh_intel_err (*const setters[])(burh_intel_collateral *, burh_intel_bytes) = {
        [BURH_INTEL_TCB_INFO] = burh_intel_collateral_set_tcb_info,
        [BURH_INTEL_QE_IDENTITY] = burh_intel_collateral_set_qe_identity,
        [BURH_INTEL_ISSUER_CHAIN] = burh_intel_collateral_set_tcb_signing_chain,
        [BURH_INTEL_PCK_CRL] = burh_intel_collateral_set_pck_crl,
        [BURH_INTEL_ROOT_CRL] = burh_intel_collateral_set_root_crl,
        [BURH_INTEL_BUNDLE] = burh_intel_collateral_load_bundle,
    };
    static const char *const names[] = {"TCB info", "QE identity", "issuer chain",
                                        "PCK CRL",  "root CA CRL", "collateral bundle"};
    if (!v || (unsigned)kind > BURH_INTEL_BUNDLE || (!in.ptr && in.len))
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "add_intel: bad arguments");
    if (!v->intel && !(v->intel = burh_intel_collateral_new()))
        return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory");
    v->intel_dirty = true;
    return intel_status(setters[kind](v->intel, (burh_intel_bytes){in.ptr, in.len}), err,
                        names[kind]);
}

/* A CRL handed to the common verifier is Intel collateral when an Intel SGX CA issued it. */
void burh_attest_dcap_take_crl(burh_attest_verifier *v, X509_CRL *crl)
{
    char cn[128] = "";
    X509_NAME_get_text_by_NID(X509_CRL_get_issuer(crl), NID_commonName, cn, sizeof cn);
    if (strncmp(cn, "Intel SGX ", 10) != 0)
        return;
    if (!v->intel && !(v->intel = burh_intel_collateral_new()))
        return;
    X509_CRL **slot =
        strcmp(cn, "Intel SGX Root CA") == 0 ? &v->intel->root_crl : &v->intel->pck_crl;
    if (X509_CRL_up_ref(crl) != 1)
        return;
    X509_CRL_free(*slot);
    *slot = crl;
    v->intel_dirty = true;
}

static void map_policy(const burh_attest_policy *pol, burh_intel_policy *out)
{
    burh_intel_policy_default(out);
    /* Policy bit k is status k + 1 of burh_intel_tcb_status (both in Intel's order). */
    out->allowed_statuses = pol->tcb_statuses ? pol->tcb_statuses << 1
                                              : BURH_INTEL_STATUS_BIT(BURH_INTEL_TCB_UP_TO_DATE);
    out->allow_debug = pol->allow_debug;
    out->require_qe_identity = pol->intel_require_qe_identity;
    out->require_crls = pol->intel_require_crls;
    out->require_tcb_info = pol->intel_require_tcb_info;
}

static void expect_listed(burh_attest_result *r, const burh_digest_list *list, const uint8_t *have,
                          const char *check, const char *field)
{
    if (list->count && !burh_attest_digest_list_contains(list, have))
        burh_attest_result_add_failure(r, check, "%s is not in the allow-list", field);
}

static void check_tdx_policy(const burh_intel_quote *q, const burh_attest_policy *pol,
                             burh_attest_result *r)
{
    static const char *const rtmr_checks[] = {"policy.rtmr0", "policy.rtmr1", "policy.rtmr2",
                                              "policy.rtmr3"};
    const uint8_t *b = q->body;
    expect_listed(r, &pol->tdx_mrtd, b + TD_MRTD, "policy.mrtd", "MRTD");
    expect_listed(r, &pol->tdx_mrconfigid, b + TD_MRCONFIGID, "policy.mrconfigid", "MRCONFIGID");
    for (int i = 0; i < 4; i++)
        expect_listed(r, &pol->tdx_rtmr[i], b + TD_RTMR0 + 48 * i, rtmr_checks[i], "an RTMR");
    if ((b[TD_ATTRIBUTES + TD_ATTR_MIGRATABLE_BYTE] & TD_ATTR_MIGRATABLE_BIT) &&
        !pol->allow_migrate)
        burh_attest_result_add_failure(r, "tdx.td.migratable",
                                       "the TD is migratable (TD_ATTRIBUTES bit 29)");
}

static void check_sgx_policy(const burh_intel_quote *q, const burh_attest_policy *pol,
                             burh_attest_result *r)
{
    const uint8_t *b = q->body;
    uint16_t prod = (uint16_t)(b[SGX_ISVPRODID] | b[SGX_ISVPRODID + 1] << 8);
    uint16_t svn = (uint16_t)(b[SGX_ISVSVN] | b[SGX_ISVSVN + 1] << 8);
    expect_listed(r, &pol->sgx_mrenclave, b + SGX_MRENCLAVE, "policy.mrenclave", "MRENCLAVE");
    expect_listed(r, &pol->sgx_mrsigner, b + SGX_MRSIGNER, "policy.mrsigner", "MRSIGNER");
    if (pol->sgx_has_isv_prod_id && prod != pol->sgx_isv_prod_id)
        burh_attest_result_add_failure(r, "policy.isv_prod_id", "ISVPRODID %u is not %u", prod,
                                       pol->sgx_isv_prod_id);
    if (svn < pol->sgx_min_isv_svn)
        burh_attest_result_add_failure(r, "policy.isv_svn", "ISVSVN %u is below the minimum %u",
                                       svn, pol->sgx_min_isv_svn);
}

static void check_relying_party(const burh_intel_quote *q, burh_attest_platform platform,
                                const burh_attest_policy *pol, burh_attest_result *r)
{
    if (!burh_attest_policy_allows(pol, platform))
        burh_attest_result_add_failure(r, "policy.platform", "the policy does not allow %s",
                                       burh_attest_platform_name(platform));
    bool tdx = platform == BURH_PLATFORM_TDX;
    const uint8_t *rd = q->body + (tdx ? TD_REPORTDATA : SGX_REPORTDATA);
    if (pol->has_report_data && memcmp(pol->report_data, rd, 64) != 0)
        burh_attest_result_add_failure(r, "policy.report_data",
                                       "REPORT_DATA differs from the expected value");
    if (tdx)
        check_tdx_policy(q, pol, r);
    else
        check_sgx_policy(q, pol, r);
}

/* Why a check of the Intel verifier failed, for humans; the name is the stable part. */
static const char *check_detail(const char *name)
{
    static const char *const details[][2] = {
        {"quote.header", "the QE vendor ID is not Intel's"},
        {"quote.attestation_key", "the attestation key is not a P-256 point"},
        {"quote.signature", "the quote signature does not verify with the attestation key"},
        {"qe_report.binding", "the QE report does not bind the attestation key"},
        {"qe_report.signature", "the QE report signature does not verify with the PCK key"},
        {"pck.chain", "the PCK certificate chain does not verify to a trusted root"},
        {"pck.extension", "the PCK certificate lacks a readable SGX extension"},
        {"pck.revoked", "a certificate of the PCK chain is revoked"},
        {"pck.crl", "the PCK CRL is missing, not current or not signed by the PCK CA"},
        {"root.crl", "the root CA CRL is missing, not current or not signed by the root"},
        {"collateral.signing_chain", "the TCB signing chain does not verify to the root"},
        {"tcb_info.missing", "no TCB info was given"},
        {"tcb_info.signature", "the TCB info signature does not verify"},
        {"tcb_info.expired", "the TCB info is not valid at the verification time"},
        {"tcb_info.fmspc", "the TCB info is for another FMSPC, PCE ID or TEE"},
        {"qe_identity.missing", "no QE identity was given"},
        {"qe_identity.signature", "the QE identity signature does not verify"},
        {"qe_identity.expired", "the QE identity is not valid at the verification time"},
        {"qe_identity.mismatch", "the QE report does not match the QE identity"},
        {"qe_identity.tcb", "the QE ISVSVN matches no QE identity TCB level"},
        {"tdx_module.identity", "no TDX module identity for this module version"},
        {"tdx_module.mismatch", "the TDX module signer or attributes differ"},
        {"tdx_module.tcb", "the TDX module SVN matches no TCB level"},
        {"tcb.status", "the TCB status is not among the policy's tcb_statuses"},
        {"td.debug", "the TD is debuggable and the policy does not allow debug"},
        {"enclave.debug", "the enclave is debuggable and the policy does not allow debug"},
    };
    const char *dot = strchr(name, '.');
    for (size_t i = 0; dot && i < sizeof details / sizeof details[0]; i++)
        if (strcmp(dot + 1, details[i][0]) == 0)
            return details[i][1];
    return "see docs/attestation.md";
}

/* With the default clock, cached verdicts are reused for a minute of "now" (as for SNP). */
#define NOW_CACHE_SECONDS 60

/* Verifies with the verifier's roots (none given: the pinned Intel root) and clock, reusing
 * the quote-independent verdicts until the collateral, roots or time change. */
static burh_intel_err run_intel(burh_attest_verifier *v, const burh_intel_quote *q,
                                const burh_intel_policy *pol, burh_intel_result **out)
{
    STACK_OF(X509) *roots = sk_X509_num(v->trust.roots) > 0 ? v->trust.roots : NULL;
    time_t at = v->at_set ? (time_t)v->trust.at : time(NULL);
    if (!v->intel_cache && !(v->intel_cache = intel_cache_new()))
        return BURH_INTEL_ERR_NOMEM;
    time_t cached = intel_cache_time(v->intel_cache);
    if (!v->at_set && at >= cached && at - cached <= NOW_CACHE_SECONDS && !v->intel_dirty)
        at = cached;
    if (v->intel_dirty || at != cached) {
        intel_cache_flush(v->intel_cache, at);
        v->intel_dirty = false;
    }
    return intel_verify_anchored(q, v->intel, pol, at, roots, v->intel_cache, out);
}

/* Moves the Intel verdict into the common result: failures by name, claims minus duplicates. */
static bool adopt_result(const burh_intel_result *res, burh_attest_result *r)
{
    for (size_t i = 0; i < burh_intel_result_failure_count(res); i++) {
        const char *name = burh_intel_result_failure(res, i);
        burh_attest_result_add_failure(r, name, "%s", check_detail(name));
    }
    json_t *claims = json_deep_copy(burh_intel_result_claims(res));
    if (!claims)
        return false;
    json_object_del(claims, "failures");
    bool ok = json_object_update(r->claims, claims) == 0;
    json_decref(claims);
    return ok;
}

burh_attest_status burh_attest_verify_dcap(burh_attest_verifier *v, burh_attest_platform platform,
                                           burh_bytes evidence, burh_attest_result *r,
                                           burh_attest_error *err)
{
    const char *prefix = burh_attest_platform_name(platform);
    json_object_set_new(r->claims, "platform", json_string(prefix));
    burh_intel_quote *q = NULL;
    burh_intel_err e = burh_intel_quote_parse((burh_intel_bytes){evidence.ptr, evidence.len}, &q);
    if (e == BURH_INTEL_ERR_NOMEM)
        return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory");
    if (e != BURH_INTEL_OK) {
        burh_attest_result_add_failure(
            r, platform == BURH_PLATFORM_TDX ? "tdx.quote.format" : "sgx.quote.format",
            "the quote does not parse: %s", burh_intel_err_name(e));
        return BURH_ATTEST_OK;
    }
    bool is_tdx = burh_intel_quote_tee(q) == BURH_INTEL_TEE_TDX;
    if (is_tdx != (platform == BURH_PLATFORM_TDX)) {
        burh_attest_result_add_failure(r, is_tdx ? "sgx.quote.tee_type" : "tdx.quote.tee_type",
                                       "the quote is from %s", is_tdx ? "TDX" : "SGX");
        burh_intel_quote_free(q);
        return BURH_ATTEST_OK;
    }
    const burh_attest_policy *pol = burh_attest_verifier_policy(v);
    burh_intel_policy ipol;
    map_policy(pol, &ipol);
    burh_intel_result *res = NULL;
    e = run_intel(v, q, &ipol, &res);
    burh_attest_status st = intel_status(e, err, "verification");
    if (st == BURH_ATTEST_OK) {
        if (!adopt_result(res, r))
            st = burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory building claims");
        else
            check_relying_party(q, platform, pol, r);
    }
    burh_intel_result_free(res);
    burh_intel_quote_free(q);
    return st;
}
