/* Checking unsigned (nil, kvm) evidence against a policy; apart so the keep links none of it. */
#include <string.h>

#include "attest/attest_internal.h"

burh_attest_status burh_attest_verify_unsigned(burh_attest_verifier *v, burh_bytes evidence,
                                               burh_attest_platform requested,
                                               burh_attest_result *r, burh_attest_error *err)
{
    const burh_attest_policy *pol = burh_attest_verifier_policy(v);
    const char *name = burh_attest_platform_name(requested);
    burh_unsigned_evidence ev;
    burh_attest_error perr;
    json_object_set_new(r->claims, "platform", json_string(name));
    if (burh_unsigned_evidence_parse(evidence, &ev, &perr) != BURH_ATTEST_OK) {
        burh_attest_result_add_failure(r, "unsigned.format", "%s", perr.message);
        return BURH_ATTEST_OK;
    }
    if (ev.backend != requested)
        burh_attest_result_add_failure(r, "unsigned.backend",
                                       "the evidence is from the %s backend, not %s",
                                       burh_attest_platform_name(ev.backend), name);
    /* Nothing vouches for these bytes: only an explicit opt-in accepts them. */
    if (!burh_attest_policy_allows(pol, ev.backend))
        burh_attest_result_add_failure(
            r, ev.backend == BURH_PLATFORM_NIL ? "nil.unsigned" : "kvm.unsigned",
            "%s evidence is unsigned and the policy does not list it in "
            "allow_backends",
            burh_attest_platform_name(ev.backend));
    if (ev.backend == BURH_PLATFORM_KVM && pol->kvm_measurement.count &&
        !burh_attest_digest_list_contains(&pol->kvm_measurement, ev.measurement))
        burh_attest_result_add_failure(r, "kvm.measurement",
                                       "the launch digest is not one the policy lists");
    if (pol->has_report_data && memcmp(pol->report_data, ev.report_data, 64) != 0)
        burh_attest_result_add_failure(r, "policy.report_data",
                                       "REPORT_DATA differs from the expected value");
    json_t *claims =
        json_pack("{s:s,s:o,s:o,s:b}", "backend", burh_attest_platform_name(ev.backend),
                  "measurement", burh_attest_json_hex(ev.measurement, 48), "report_data",
                  burh_attest_json_hex(ev.report_data, 64), "signed", 0);
    if (!claims || json_object_update(r->claims, claims) != 0) {
        json_decref(claims);
        return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory building claims");
    }
    json_decref(claims);
    return BURH_ATTEST_OK;
}
