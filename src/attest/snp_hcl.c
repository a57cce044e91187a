/* Azure confidential VM HCL reports: an SNP report wrapped with the runtime data it binds. */
#include <string.h>

#include <openssl/evp.h>

#include "attest/attest_internal.h"

/*
 * Layout: a 32-byte header starting "HCLA"; the 1184-byte SNP report at 32; at 1216 the IGVM
 * request data: u32 data_size, u32 version, u32 report_type (2 = SNP), u32 hash_type
 * (1 SHA-256, 2 SHA-384, 3 SHA-512), u32 variable_data_size; the runtime data (JSON) at 1236.
 * REPORT_DATA starts with the hash of the runtime data; the rest of it is zero.
 */
enum {
    HCL_REPORT_OFFSET = 32,
    HCL_REQUEST_OFFSET = HCL_REPORT_OFFSET + BURH_SNP_REPORT_SIZE,
    HCL_REQUEST_HEADER = 20,
    HCL_VARIABLE_OFFSET = HCL_REQUEST_OFFSET + HCL_REQUEST_HEADER,
    HCL_REPORT_TYPE_SNP = 2,
};

bool burh_snp_hcl_detect(burh_bytes in)
{
    return in.ptr && in.len >= 4 && memcmp(in.ptr, "HCLA", 4) == 0;
}

bool burh_snp_hcl_unwrap(burh_bytes in, burh_snp_hcl *out, char *why, size_t why_len)
{
    if (in.len < HCL_VARIABLE_OFFSET) {
        snprintf(why, why_len, "an HCL report of %zu bytes is too short", in.len);
        return false;
    }
    const uint8_t *req = in.ptr + HCL_REQUEST_OFFSET;
    uint32_t data_size = burh_attest_le32(req), report_type = burh_attest_le32(req + 8);
    uint32_t hash_type = burh_attest_le32(req + 12), variable_size = burh_attest_le32(req + 16);
    if (report_type != HCL_REPORT_TYPE_SNP) {
        snprintf(why, why_len, "HCL report type %u is not SNP (2)", report_type);
        return false;
    }
    if (hash_type < 1 || hash_type > 3) {
        snprintf(why, why_len, "HCL hash type %u is not 1, 2 or 3", hash_type);
        return false;
    }
    /* Both sizes come from the input: check them against it without overflowing. */
    if (variable_size > in.len - HCL_VARIABLE_OFFSET ||
        (uint64_t)data_size != (uint64_t)variable_size + HCL_REQUEST_HEADER) {
        snprintf(why, why_len, "HCL runtime data size %u does not fit the report", variable_size);
        return false;
    }
    out->report = (burh_bytes){in.ptr + HCL_REPORT_OFFSET, BURH_SNP_REPORT_SIZE};
    out->runtime_data = (burh_bytes){in.ptr + HCL_VARIABLE_OFFSET, variable_size};
    out->hash_type = hash_type;
    return true;
}

static const EVP_MD *hcl_digest(uint32_t hash_type)
{
    return hash_type == 1 ? EVP_sha256() : hash_type == 2 ? EVP_sha384() : EVP_sha512();
}

void burh_snp_hcl_check(const burh_snp_hcl *hcl, const burh_snp_report *rep, burh_attest_result *r)
{
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    const EVP_MD *md = hcl_digest(hcl->hash_type);
    bool ok = EVP_Digest(hcl->runtime_data.ptr, hcl->runtime_data.len, digest, &n, md, NULL) == 1;
    ok = ok && n <= sizeof rep->report_data && memcmp(rep->report_data, digest, n) == 0;
    for (size_t i = n; ok && i < sizeof rep->report_data; i++)
        ok = rep->report_data[i] == 0;
    if (!ok)
        burh_attest_result_add_failure(r, "snp.hcl.report_data",
                                       "REPORT_DATA is not the hash of the HCL runtime data");
    json_error_t jerr;
    json_t *runtime =
        json_loadb((const char *)hcl->runtime_data.ptr, hcl->runtime_data.len, 0, &jerr);
    json_object_set_new(r->claims, "hcl_runtime_data", runtime ? runtime : json_null());
}
