/* Intel verification result: TDX module judgement, final status, policy and the claims JSON. */
#include "attest/intel/verify_internal.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

burh_intel_result *intel_result_new(void)
{
    burh_intel_result *res = calloc(1, sizeof(*res));
    if (!res)
        return NULL;
    res->failures = json_array();
    res->skipped = json_array();
    if (!res->failures || !res->skipped) {
        burh_intel_result_free(res);
        return NULL;
    }
    return res;
}

void burh_intel_result_free(burh_intel_result *res)
{
    if (!res)
        return;
    json_decref(res->failures);
    json_decref(res->skipped);
    json_decref(res->claims);
    free(res);
}

bool burh_intel_result_ok(const burh_intel_result *res)
{
    return json_array_size(res->failures) == 0;
}

size_t burh_intel_result_failure_count(const burh_intel_result *res)
{
    return json_array_size(res->failures);
}

const char *burh_intel_result_failure(const burh_intel_result *res, size_t i)
{
    return json_string_value(json_array_get(res->failures, i));
}

bool burh_intel_result_failed(const burh_intel_result *res, const char *name)
{
    for (size_t i = 0; i < json_array_size(res->failures); i++)
        if (strcmp(json_string_value(json_array_get(res->failures, i)), name) == 0)
            return true;
    return false;
}

size_t burh_intel_result_skipped_count(const burh_intel_result *res)
{
    return json_array_size(res->skipped);
}

const char *burh_intel_result_skipped(const burh_intel_result *res, size_t i)
{
    return json_string_value(json_array_get(res->skipped, i));
}

burh_intel_tcb_status burh_intel_result_tcb_status(const burh_intel_result *res)
{
    return res->status;
}

const json_t *burh_intel_result_claims(const burh_intel_result *res)
{
    return res->claims;
}

void burh_intel_policy_default(burh_intel_policy *policy)
{
    memset(policy, 0, sizeof(*policy));
    policy->allowed_statuses =
        BURH_INTEL_STATUS_BIT(BURH_INTEL_TCB_UP_TO_DATE) |
        BURH_INTEL_STATUS_BIT(BURH_INTEL_TCB_SW_HARDENING_NEEDED) |
        BURH_INTEL_STATUS_BIT(BURH_INTEL_TCB_CONFIGURATION_NEEDED) |
        BURH_INTEL_STATUS_BIT(BURH_INTEL_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED);
    policy->require_qe_identity = true;
    policy->require_tcb_info = true;
}

static bool module_matches(const intel_module_identity *m, const uint8_t *body)
{
    if (memcmp(m->mrsigner, body + TD_MRSIGNERSEAM, 48) != 0)
        return false;
    for (int i = 0; i < 8; i++)
        if ((body[TD_SEAMATTRIBUTES + i] & m->attributes_mask[i]) !=
            (m->attributes[i] & m->attributes_mask[i]))
            return false;
    return true;
}

/* TEE_TCB_SVN[1] is the module's major version; [0] its SVN, judged by "TDX_<major>". */
void intel_check_tdx_module(intel_vctx *v, const intel_tcb_info *tcb)
{
    const uint8_t *body = v->quote->body, *svn = body + TD_TEE_TCB_SVN;
    const intel_module_identity *m = NULL;
    char id[16];
    snprintf(id, sizeof(id), "TDX_%02u", (unsigned)svn[1]);
    for (size_t i = 0; svn[1] > 0 && i < tcb->nmodules; i++)
        if (strcmp(tcb->modules[i].id, id) == 0)
            m = &tcb->modules[i];
    if (!m) {
        if (svn[1] > 0 && tcb->nmodules > 0)
            intel_vctx_fail(v, "tdx_module.identity");
        else if (tcb->has_tdx_module && !module_matches(&tcb->tdx_module, body))
            intel_vctx_fail(v, "tdx_module.mismatch");
        return;
    }
    if (!module_matches(m, body))
        intel_vctx_fail(v, "tdx_module.mismatch");
    const intel_tcb_level *l = intel_match_isvsvn(m->levels, m->nlevels, svn[0]);
    if (!l) {
        intel_vctx_fail(v, "tdx_module.tcb");
        v->module_status = BURH_INTEL_TCB_OUT_OF_DATE;
        return;
    }
    v->module_status = l->status;
    intel_advisories_merge(v->advisories, l->advisories);
}

void intel_finish_status(intel_vctx *v)
{
    burh_intel_tcb_status s = v->status;
    if (s != BURH_INTEL_TCB_UNKNOWN && s != BURH_INTEL_TCB_NOT_SUPPORTED) {
        if (v->module_status != BURH_INTEL_TCB_UNKNOWN)
            s = intel_converge(s, v->module_status);
        if (v->qe_status != BURH_INTEL_TCB_UNKNOWN)
            s = intel_converge(s, v->qe_status);
    }
    v->res->status = s;
}

static bool is_debug(const burh_intel_quote *q)
{
    if (q->tee_type == BURH_INTEL_TEE_TDX)
        return q->body[TD_ATTRIBUTES] & 0x01; /* TUD.DEBUG */
    return q->body[SGX_ATTRIBUTES] & 0x02;    /* ATTRIBUTES.DEBUG */
}

static void expect(intel_vctx *v, const uint8_t *want, size_t off, size_t len, bool applies,
                   const char *name)
{
    if (want && (!applies || memcmp(v->quote->body + off, want, len) != 0))
        intel_vctx_fail(v, name);
}

void intel_check_policy(intel_vctx *v)
{
    const burh_intel_policy *p = v->policy;
    burh_intel_tcb_status s = v->res->status;
    if (s != BURH_INTEL_TCB_UNKNOWN && !(p->allowed_statuses & BURH_INTEL_STATUS_BIT(s)))
        intel_vctx_fail(v, "tcb.status");
    bool tdx = v->quote->tee_type == BURH_INTEL_TEE_TDX;
    if (is_debug(v->quote) && !p->allow_debug)
        intel_vctx_fail(v, tdx ? "td.debug" : "enclave.debug");
    expect(v, p->mrtd, TD_MRTD, 48, tdx, "policy.mrtd");
    expect(v, p->mrenclave, SGX_MRENCLAVE, 32, !tdx, "policy.mrenclave");
    expect(v, p->mrsigner, SGX_MRSIGNER, 32, !tdx, "policy.mrsigner");
    expect(v, p->report_data, tdx ? TD_REPORTDATA : SGX_REPORTDATA, 64, true, "policy.report_data");
}

static void put_hex(json_t *obj, const char *key, const uint8_t *p, size_t n)
{
    json_object_set_new(obj, key, burh_attest_json_hex(p, n));
}

static json_t *td_measurements(const uint8_t *b, bool td15)
{
    json_t *m = json_object();
    put_hex(m, "mrtd", b + TD_MRTD, 48);
    for (unsigned i = 0; i < 4; i++) {
        char key[16];
        snprintf(key, sizeof(key), "rtmr%u", i);
        put_hex(m, key, b + TD_RTMR0 + 48 * i, 48);
    }
    put_hex(m, "mrconfigid", b + TD_MRCONFIGID, 48);
    put_hex(m, "mrowner", b + TD_MROWNER, 48);
    put_hex(m, "mrownerconfig", b + TD_MROWNERCONFIG, 48);
    put_hex(m, "mrseam", b + TD_MRSEAM, 48);
    put_hex(m, "mrsignerseam", b + TD_MRSIGNERSEAM, 48);
    put_hex(m, "seam_attributes", b + TD_SEAMATTRIBUTES, 8);
    put_hex(m, "td_attributes", b + TD_ATTRIBUTES, 8);
    put_hex(m, "xfam", b + TD_XFAM, 8);
    if (td15) {
        put_hex(m, "tee_tcb_svn2", b + TD_TEE_TCB_SVN2, 16);
        put_hex(m, "mrservicetd", b + TD_MRSERVICETD, 48);
    }
    return m;
}

static json_t *sgx_measurements(const uint8_t *b)
{
    json_t *m = json_object();
    put_hex(m, "mrenclave", b + SGX_MRENCLAVE, 32);
    put_hex(m, "mrsigner", b + SGX_MRSIGNER, 32);
    json_object_set_new(m, "isv_prod_id",
                        json_integer(b[SGX_ISVPRODID] | b[SGX_ISVPRODID + 1] << 8));
    json_object_set_new(m, "isv_svn", json_integer(b[SGX_ISVSVN] | b[SGX_ISVSVN + 1] << 8));
    put_hex(m, "attributes", b + SGX_ATTRIBUTES, 16);
    put_hex(m, "miscselect", b + SGX_MISCSELECT, 4);
    put_hex(m, "cpusvn", b + SGX_CPUSVN, 16);
    return m;
}

/* The statuses that were combined, and the SVNs they were judged on. */
static json_t *tcb_parts(const intel_vctx *v)
{
    const uint8_t *qe = v->quote->qe_report;
    json_t *t = json_object();
    json_object_set_new(t, "platform", json_string(burh_intel_tcb_status_name(v->status)));
    json_object_set_new(t, "tdx_module", json_string(burh_intel_tcb_status_name(v->module_status)));
    json_object_set_new(t, "qe", json_string(burh_intel_tcb_status_name(v->qe_status)));
    json_object_set_new(t, "qe_isvsvn", json_integer(qe[SGX_ISVSVN] | qe[SGX_ISVSVN + 1] << 8));
    if (v->have_pck) {
        json_object_set_new(t, "pcesvn", json_integer(v->pck.pcesvn));
        put_hex(t, "sgx_components", v->pck.comp_svn, 16);
    }
    return t;
}

burh_intel_err intel_build_claims(intel_vctx *v)
{
    const burh_intel_quote *q = v->quote;
    bool tdx = q->tee_type == BURH_INTEL_TEE_TDX;
    json_t *c = json_object();
    if (!c)
        return BURH_INTEL_ERR_NOMEM;
    json_object_set_new(c, "platform", json_string(tdx ? "tdx" : "sgx"));
    json_object_set_new(c, "quote_version", json_integer(q->version));
    json_object_set_new(c, "qe_svn", json_integer(q->qe_svn));
    json_object_set_new(c, "pce_svn", json_integer(q->pce_svn));
    if (tdx) {
        put_hex(c, "tee_tcb_svn", q->body + TD_TEE_TCB_SVN, 16);
        json_object_set_new(c, "measurements", td_measurements(q->body, q->body_type == 3));
    } else {
        json_object_set_new(c, "measurements", sgx_measurements(q->body));
    }
    put_hex(c, "report_data", q->body + (tdx ? TD_REPORTDATA : SGX_REPORTDATA), 64);
    json_object_set_new(c, "debug", json_boolean(is_debug(q)));
    if (v->have_pck) {
        put_hex(c, "fmspc", v->pck.fmspc, 6);
        put_hex(c, "pce_id", v->pck.pceid, 2);
    }
    json_object_set_new(c, "tcb_status", json_string(burh_intel_tcb_status_name(v->res->status)));
    json_object_set_new(c, "tcb_parts", tcb_parts(v));
    json_object_set(c, "advisories", v->advisories);
    json_object_set(c, "failures", v->res->failures);
    json_object_set(c, "skipped", v->res->skipped);
    v->res->claims = c;
    return BURH_INTEL_OK;
}
