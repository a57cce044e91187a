/* SEV-SNP attestation report parser: fixed 1184-byte layout of the AMD SNP firmware ABI. */
#include <string.h>

#include "attest/attest_internal.h"

/* Field offsets (ABI spec 56860, ATTESTATION_REPORT structure). */
enum {
    OFF_VERSION = 0x00,
    OFF_GUEST_SVN = 0x04,
    OFF_POLICY = 0x08,
    OFF_FAMILY_ID = 0x10,
    OFF_IMAGE_ID = 0x20,
    OFF_VMPL = 0x30,
    OFF_SIG_ALGO = 0x34,
    OFF_CURRENT_TCB = 0x38,
    OFF_PLATFORM_INFO = 0x40,
    OFF_KEY_INFO = 0x48,
    OFF_REPORT_DATA = 0x50,
    OFF_MEASUREMENT = 0x90,
    OFF_HOST_DATA = 0xC0,
    OFF_ID_KEY_DIGEST = 0xE0,
    OFF_AUTHOR_KEY_DIGEST = 0x110,
    OFF_REPORT_ID = 0x140,
    OFF_REPORT_ID_MA = 0x160,
    OFF_REPORTED_TCB = 0x180,
    OFF_CPUID_FAMILY = 0x188,
    OFF_CHIP_ID = 0x1A0,
    OFF_COMMITTED_TCB = 0x1E0,
    OFF_CURRENT_VERSION = 0x1E8,
    OFF_COMMITTED_VERSION = 0x1EC,
    OFF_LAUNCH_TCB = 0x1F0,
    OFF_LAUNCH_MIT_VECTOR = 0x1F8,
    OFF_CURRENT_MIT_VECTOR = 0x200,
    OFF_SIG_R = 0x2A0,
    OFF_SIG_S = 0x2E8,
    OFF_SIG_END = 0x330,
    SIG_COMPONENT_SIZE = 72,
    SIG_SIGNIFICANT = 48,
};

/* KEY_INFO bits above SIGNING_KEY are reserved. */
#define KEY_INFO_RESERVED_MASK 0xFFFFFFE0u

uint32_t burh_attest_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t burh_attest_le64(const uint8_t *p)
{
    return (uint64_t)burh_attest_le32(p) | (uint64_t)burh_attest_le32(p + 4) << 32;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* R and S are 72-byte little-endian fields with only the low 48 bytes significant. */
static bool take_signature_component(const uint8_t *field, uint8_t big_endian[SIG_SIGNIFICANT])
{
    for (size_t i = 0; i < SIG_SIGNIFICANT; i++)
        big_endian[i] = field[SIG_SIGNIFICANT - 1 - i];
    return all_zero(field + SIG_SIGNIFICANT, SIG_COMPONENT_SIZE - SIG_SIGNIFICANT);
}

static bool reserved_areas_zero(const uint8_t *b, uint32_t version)
{
    bool ok = all_zero(b + 0x4C, 4);
    /* Version 3 put CPUID family/model/stepping at 0x188..0x18A. */
    size_t after_cpuid = version >= 3 ? 0x18B : 0x188;
    ok = ok && all_zero(b + after_cpuid, OFF_CHIP_ID - after_cpuid);
    ok = ok && b[0x1EB] == 0 && b[0x1EF] == 0;
    /* Version 5 added the two mitigation vectors at 0x1F8..0x207. */
    size_t tail = version >= 5 ? 0x208 : 0x1F8;
    ok = ok && all_zero(b + tail, OFF_SIG_R - tail);
    ok = ok && all_zero(b + OFF_SIG_END, BURH_SNP_REPORT_SIZE - OFF_SIG_END);
    return ok;
}

static void extract_fields(const uint8_t *b, burh_snp_report *r)
{
    r->version = burh_attest_le32(b + OFF_VERSION);
    r->guest_svn = burh_attest_le32(b + OFF_GUEST_SVN);
    r->policy = burh_attest_le64(b + OFF_POLICY);
    memcpy(r->family_id, b + OFF_FAMILY_ID, sizeof r->family_id);
    memcpy(r->image_id, b + OFF_IMAGE_ID, sizeof r->image_id);
    r->vmpl = burh_attest_le32(b + OFF_VMPL);
    r->signature_algo = burh_attest_le32(b + OFF_SIG_ALGO);
    r->current_tcb = burh_attest_le64(b + OFF_CURRENT_TCB);
    r->platform_info = burh_attest_le64(b + OFF_PLATFORM_INFO);
    r->key_info = burh_attest_le32(b + OFF_KEY_INFO);
    r->signing_key = (r->key_info >> 2) & 7u;
    memcpy(r->report_data, b + OFF_REPORT_DATA, sizeof r->report_data);
    memcpy(r->measurement, b + OFF_MEASUREMENT, sizeof r->measurement);
    memcpy(r->host_data, b + OFF_HOST_DATA, sizeof r->host_data);
    memcpy(r->id_key_digest, b + OFF_ID_KEY_DIGEST, sizeof r->id_key_digest);
    memcpy(r->author_key_digest, b + OFF_AUTHOR_KEY_DIGEST, sizeof r->author_key_digest);
    memcpy(r->report_id, b + OFF_REPORT_ID, sizeof r->report_id);
    memcpy(r->report_id_ma, b + OFF_REPORT_ID_MA, sizeof r->report_id_ma);
    r->reported_tcb = burh_attest_le64(b + OFF_REPORTED_TCB);
    r->has_cpuid = r->version >= 3;
    if (r->has_cpuid) {
        r->cpuid_family = b[OFF_CPUID_FAMILY];
        r->cpuid_model = b[OFF_CPUID_FAMILY + 1];
        r->cpuid_stepping = b[OFF_CPUID_FAMILY + 2];
    }
    memcpy(r->chip_id, b + OFF_CHIP_ID, sizeof r->chip_id);
    r->committed_tcb = burh_attest_le64(b + OFF_COMMITTED_TCB);
    r->current_build = b[OFF_CURRENT_VERSION];
    r->current_minor = b[OFF_CURRENT_VERSION + 1];
    r->current_major = b[OFF_CURRENT_VERSION + 2];
    r->committed_build = b[OFF_COMMITTED_VERSION];
    r->committed_minor = b[OFF_COMMITTED_VERSION + 1];
    r->committed_major = b[OFF_COMMITTED_VERSION + 2];
    r->launch_tcb = burh_attest_le64(b + OFF_LAUNCH_TCB);
    r->has_mit_vectors = r->version >= 5;
    if (r->has_mit_vectors) {
        r->launch_mit_vector = burh_attest_le64(b + OFF_LAUNCH_MIT_VECTOR);
        r->current_mit_vector = burh_attest_le64(b + OFF_CURRENT_MIT_VECTOR);
    }
}

static const char *first_defect_message(uint32_t defects)
{
    if (defects & BURH_SNP_DEFECT_LENGTH)
        return "SNP report is not 1184 bytes";
    if (defects & BURH_SNP_DEFECT_VERSION)
        return "SNP report version is not 2, 3 or 5";
    if (defects & BURH_SNP_DEFECT_SIG_ALGO)
        return "SNP report signature algorithm is not ECDSA P-384 with SHA-384";
    if (defects & BURH_SNP_DEFECT_KEY_INFO)
        return "SNP report is not signed by a VCEK or VLEK";
    return "SNP report has a non-zero reserved field";
}

burh_attest_status burh_snp_report_parse(burh_bytes in, burh_snp_report *out, uint32_t *defects,
                                         burh_attest_error *err)
{
    uint32_t found = 0;
    if (defects)
        *defects = 0;
    if (!out || (!in.ptr && in.len))
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "burh_snp_report_parse: no input");
    memset(out, 0, sizeof *out);
    if (in.len != BURH_SNP_REPORT_SIZE) {
        found = BURH_SNP_DEFECT_LENGTH;
    } else {
        const uint8_t *b = in.ptr;
        extract_fields(b, out);
        if (out->version != 2 && out->version != 3 && out->version != 5)
            found |= BURH_SNP_DEFECT_VERSION;
        if (out->signature_algo != BURH_SNP_SIG_ALGO_ECDSA_P384_SHA384)
            found |= BURH_SNP_DEFECT_SIG_ALGO;
        if (out->signing_key != BURH_SNP_KEY_VCEK && out->signing_key != BURH_SNP_KEY_VLEK)
            found |= BURH_SNP_DEFECT_KEY_INFO;
        bool reserved_ok = reserved_areas_zero(b, out->version);
        reserved_ok = reserved_ok && (out->key_info & KEY_INFO_RESERVED_MASK) == 0;
        reserved_ok = take_signature_component(b + OFF_SIG_R, out->sig_r) && reserved_ok;
        reserved_ok = take_signature_component(b + OFF_SIG_S, out->sig_s) && reserved_ok;
        if (!reserved_ok)
            found |= BURH_SNP_DEFECT_RESERVED;
    }
    if (defects)
        *defects = found;
    if (found)
        return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED, "%s", first_defect_message(found));
    return BURH_ATTEST_OK;
}

burh_snp_product burh_snp_report_product(const burh_snp_report *report)
{
    if (!report || !report->has_cpuid)
        return BURH_SNP_PRODUCT_UNKNOWN;
    uint8_t model = report->cpuid_model;
    if (report->cpuid_family == 0x19) {
        if (model <= 0x0F)
            return BURH_SNP_PRODUCT_MILAN;
        if ((model >= 0x10 && model <= 0x1F) || (model >= 0xA0 && model <= 0xAF))
            return BURH_SNP_PRODUCT_GENOA;
    }
    if (report->cpuid_family == 0x1A && model <= 0x1F)
        return BURH_SNP_PRODUCT_TURIN;
    return BURH_SNP_PRODUCT_UNKNOWN;
}

const char *burh_snp_product_name(burh_snp_product product)
{
    switch (product) {
    case BURH_SNP_PRODUCT_MILAN:
        return "Milan";
    case BURH_SNP_PRODUCT_GENOA:
        return "Genoa";
    case BURH_SNP_PRODUCT_TURIN:
        return "Turin";
    default:
        return "unknown";
    }
}

burh_snp_tcb burh_snp_tcb_decode(uint64_t raw, burh_snp_product product)
{
    burh_snp_tcb t = {.raw = raw};
    uint8_t b[8];
    for (size_t i = 0; i < 8; i++)
        b[i] = (uint8_t)(raw >> (8 * i));
    if (product == BURH_SNP_PRODUCT_TURIN) {
        /* Turin: FMC, boot loader, TEE, SNP, 3 reserved, microcode. */
        t.fmc = b[0];
        t.bootloader = b[1];
        t.tee = b[2];
        t.snp = b[3];
    } else {
        /* Milan and Genoa: boot loader, TEE, 4 reserved, SNP, microcode. */
        t.bootloader = b[0];
        t.tee = b[1];
        t.snp = b[6];
    }
    t.microcode = b[7];
    return t;
}
