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
