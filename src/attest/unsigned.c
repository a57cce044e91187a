/* Unsigned evidence of the nil and kvm backends: a fixed 128-byte record, never trusted by default.
 */
#include <string.h>

#include "attest/attest_internal.h"

static const uint8_t unsigned_magic[8] = {'B', 'U', 'R', 'H', 'U', 'E', 'V', '1'};

enum {
    OFF_MAGIC = 0x00,
    OFF_FORMAT = 0x08,
    OFF_BACKEND = 0x0A,
    OFF_RESERVED = 0x0C,
    OFF_MEASUREMENT = 0x10,
    OFF_REPORT_DATA = 0x40,
};

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static uint16_t get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

burh_attest_status burh_unsigned_evidence_make(const burh_unsigned_evidence *ev, uint8_t *out,
                                               size_t out_len, burh_attest_error *err)
{
    if (!ev || !out || out_len < BURH_UNSIGNED_EVIDENCE_SIZE)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "unsigned evidence: buffer too small");
    if (ev->backend != BURH_PLATFORM_NIL && ev->backend != BURH_PLATFORM_KVM)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS,
                                "unsigned evidence: backend must be nil or kvm");
    memset(out, 0, BURH_UNSIGNED_EVIDENCE_SIZE);
    memcpy(out + OFF_MAGIC, unsigned_magic, sizeof unsigned_magic);
    put_le16(out + OFF_FORMAT, BURH_UNSIGNED_EVIDENCE_VERSION);
    put_le16(out + OFF_BACKEND, (uint16_t)ev->backend);
    memcpy(out + OFF_MEASUREMENT, ev->measurement, sizeof ev->measurement);
    memcpy(out + OFF_REPORT_DATA, ev->report_data, sizeof ev->report_data);
    return BURH_ATTEST_OK;
}

bool burh_unsigned_evidence_detect(burh_bytes in)
{
    return in.ptr && in.len >= sizeof unsigned_magic &&
           memcmp(in.ptr, unsigned_magic, sizeof unsigned_magic) == 0;
}

burh_attest_status burh_unsigned_evidence_parse(burh_bytes in, burh_unsigned_evidence *out,
                                                burh_attest_error *err)
{
    if (!out || (!in.ptr && in.len))
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "unsigned evidence: no input");
    if (in.len != BURH_UNSIGNED_EVIDENCE_SIZE || !burh_unsigned_evidence_detect(in))
        return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED,
                                "unsigned evidence: not 128 bytes with the BURHUEV1 magic");
    const uint8_t *b = in.ptr;
    uint16_t backend = get_le16(b + OFF_BACKEND);
    if (get_le16(b + OFF_FORMAT) != BURH_UNSIGNED_EVIDENCE_VERSION)
        return burh_attest_fail(err, BURH_ATTEST_ERR_UNSUPPORTED,
                                "unsigned evidence: unknown version");
    if (backend != BURH_PLATFORM_NIL && backend != BURH_PLATFORM_KVM)
        return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED,
                                "unsigned evidence: unknown backend");
    if (burh_attest_le32(b + OFF_RESERVED) != 0)
        return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED,
                                "unsigned evidence: reserved not zero");
    out->backend = (burh_attest_platform)backend;
    memcpy(out->measurement, b + OFF_MEASUREMENT, sizeof out->measurement);
    memcpy(out->report_data, b + OFF_REPORT_DATA, sizeof out->report_data);
    return BURH_ATTEST_OK;
}

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
