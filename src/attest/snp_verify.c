/* SEV-SNP verdict: every check on a report against its VCEK/VLEK and the policy, plus claims. */
#include <string.h>

#include "attest/attest_internal.h"

/* Guest policy bits above PAGE_SWAP_DISABLE (bit 25) are reserved and must be zero. */
#define GUEST_POLICY_RESERVED_HIGH (~0ull << 26)
/* KEY_INFO bit 1: the firmware was asked not to sign with the chip key (signature is zero). */
#define KEY_INFO_MASK_CHIP_KEY (1u << 1)

static const char *key_kind_name(uint32_t kind)
{
    return kind == BURH_SNP_KEY_VCEK ? "vcek" : kind == BURH_SNP_KEY_VLEK ? "vlek" : "none";
}

static void check_parse_defects(uint32_t defects, const burh_snp_report *rep, burh_attest_result *r)
{
    if (defects & BURH_SNP_DEFECT_VERSION)
        burh_attest_result_add_failure(r, "snp.report.version",
                                       "report version %u is not 2, 3 or 5", rep->version);
    if (defects & BURH_SNP_DEFECT_RESERVED)
        burh_attest_result_add_failure(r, "snp.report.reserved",
                                       "a reserved field of the report is not zero");
    if (defects & BURH_SNP_DEFECT_SIG_ALGO)
        burh_attest_result_add_failure(r, "snp.report.signature_algo",
                                       "signature algorithm %u is not 1 (ECDSA P-384 SHA-384)",
                                       rep->signature_algo);
    if (defects & BURH_SNP_DEFECT_KEY_INFO)
        burh_attest_result_add_failure(r, "snp.report.key_info",
                                       "signing key %u is neither VCEK (0) nor VLEK (1)",
                                       rep->signing_key);
    else if (rep->key_info & KEY_INFO_MASK_CHIP_KEY)
        burh_attest_result_add_failure(
            r, "snp.report.key_info", "MASK_CHIP_KEY is set: the firmware did not sign the report");
}

static void check_guest_policy(const burh_snp_report *rep, const burh_attest_policy *pol,
                               burh_attest_result *r)
{
    if (!(rep->policy & BURH_SNP_POLICY_RESERVED_ONE) || (rep->policy & GUEST_POLICY_RESERVED_HIGH))
        burh_attest_result_add_failure(r, "snp.policy.reserved",
                                       "guest policy 0x%llx: bit 17 must be 1 and bits 26-63 zero",
                                       (unsigned long long)rep->policy);
    if ((rep->policy & BURH_SNP_POLICY_DEBUG) && !pol->allow_debug)
        burh_attest_result_add_failure(r, "snp.policy.debug",
                                       "the guest allows debugging (policy bit 19)");
    if ((rep->policy & BURH_SNP_POLICY_MIGRATE_MA) && !pol->allow_migrate)
        burh_attest_result_add_failure(r, "snp.policy.migrate_ma",
                                       "the guest allows a migration agent (policy bit 18)");
}

static bool all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

static void check_chip_id(const burh_snp_report *rep, const burh_snp_leaf *leaf,
                          const burh_attest_policy *pol, burh_attest_result *r)
{
    if (rep->signing_key != BURH_SNP_KEY_VCEK)
        return; /* a VLEK is not tied to one chip; its reports carry a zero CHIP_ID */
    if (all_zero(rep->chip_id, sizeof rep->chip_id)) {
        if (!pol->allow_masked_chip_id)
            burh_attest_result_add_failure(
                r, "snp.vcek.chip_id",
                "CHIP_ID is masked (zero) and the policy does not allow that");
        return;
    }
    /* Turin hwIDs are 8 bytes; the rest of CHIP_ID is then zero. */
    if (leaf->hwid_len == 0 || memcmp(leaf->hwid, rep->chip_id, leaf->hwid_len) != 0 ||
        !all_zero(rep->chip_id + leaf->hwid_len, sizeof rep->chip_id - leaf->hwid_len))
        burh_attest_result_add_failure(r, "snp.vcek.chip_id",
                                       "CHIP_ID does not match the VCEK hwID extension");
}

static void check_tcb(const burh_snp_report *rep, const burh_snp_leaf *leaf,
                      burh_snp_product product, burh_attest_result *r)
{
    burh_snp_tcb t = burh_snp_tcb_decode(rep->reported_tcb, product);
    bool ok = leaf->spl[1] == t.bootloader && leaf->spl[2] == t.tee && leaf->spl[3] == t.snp &&
              leaf->spl[8] == t.microcode;
    if (product == BURH_SNP_PRODUCT_TURIN)
        ok = ok && leaf->spl[9] == t.fmc;
    if (!ok)
        burh_attest_result_add_failure(
            r, "snp.vcek.tcb",
            "REPORTED_TCB fmc=%u bl=%u tee=%u snp=%u ucode=%u differs from the "
            "certificate (fmc=%d bl=%d tee=%d snp=%d ucode=%d; -1 absent)",
            t.fmc, t.bootloader, t.tee, t.snp, t.microcode, leaf->spl[9], leaf->spl[1],
            leaf->spl[2], leaf->spl[3], leaf->spl[8]);
}

/* Checks that need the certificate; returns the product to decode TCBs with. */
static burh_attest_status check_with_leaf(burh_attest_verifier *v, burh_bytes evidence,
                                          const burh_snp_report *rep, burh_attest_result *r,
                                          burh_snp_product *product, burh_attest_error *err)
{
    const burh_snp_leaf *leaf = NULL;
    burh_attest_status st = burh_attest_verifier_leaf(v, rep, &leaf, err);
    if (st != BURH_ATTEST_OK)
        return st;
    if (!leaf) {
        burh_attest_result_add_failure(r, "snp.collateral.missing",
                                       "no VCEK or VLEK certificate was given");
        return BURH_ATTEST_OK;
    }
    for (size_t i = 0; i < leaf->nfailures; i++)
        burh_attest_result_add_failure(r, leaf->failures[i].name, "%s", leaf->failures[i].detail);
    if (leaf->kind != rep->signing_key)
        burh_attest_result_add_failure(r, "snp.vcek.kind",
                                       "the report says %s but the certificate is a %s",
                                       key_kind_name(rep->signing_key), key_kind_name(leaf->kind));
    if (*product == BURH_SNP_PRODUCT_UNKNOWN)
        *product = leaf->product;
    else if (leaf->product != BURH_SNP_PRODUCT_UNKNOWN && leaf->product != *product)
        burh_attest_result_add_failure(
            r, "snp.vcek.product", "the report is from %s, the certificate for %s",
            burh_snp_product_name(*product), burh_snp_product_name(leaf->product));
    if (!leaf->key_is_p384) {
        burh_attest_result_add_failure(r, "snp.vcek.key", "the certificate key is not ECDSA P-384");
    } else {
        int sig = burh_snp_verify_signature(leaf, evidence.ptr, rep);
        if (sig < 0)
            return burh_attest_fail(err, BURH_ATTEST_ERR_CRYPTO,
                                    "ECDSA verification failed to run");
        if (sig == 0)
            burh_attest_result_add_failure(
                r, "snp.report.signature",
                "the report signature does not verify with the certificate key");
    }
    check_chip_id(rep, leaf, burh_attest_verifier_policy(v), r);
    check_tcb(rep, leaf, *product, r);
    return BURH_ATTEST_OK;
}

static bool tcb_at_least(int have, int want)
{
    return want < 0 || have >= want;
}

static void check_relying_party(const burh_snp_report *rep, burh_snp_product product,
                                const burh_attest_policy *pol, burh_attest_result *r)
{
    if (!burh_attest_policy_allows(pol, BURH_PLATFORM_SNP))
        burh_attest_result_add_failure(r, "policy.platform", "the policy does not allow snp");
    if (pol->snp_measurement.count &&
        !burh_attest_digest_list_contains(&pol->snp_measurement, rep->measurement))
        burh_attest_result_add_failure(r, "policy.measurement",
                                       "MEASUREMENT is not in the allow-list");
    if (pol->snp_host_data.count &&
        !burh_attest_digest_list_contains(&pol->snp_host_data, rep->host_data))
        burh_attest_result_add_failure(r, "policy.host_data", "HOST_DATA is not in the allow-list");
    if (pol->snp_id_key_digest.count &&
        !burh_attest_digest_list_contains(&pol->snp_id_key_digest, rep->id_key_digest))
        burh_attest_result_add_failure(r, "policy.id_key_digest",
                                       "ID_KEY_DIGEST is not in the allow-list");
    if (pol->snp_author_key_digest.count &&
        !burh_attest_digest_list_contains(&pol->snp_author_key_digest, rep->author_key_digest))
        burh_attest_result_add_failure(r, "policy.author_key_digest",
                                       "AUTHOR_KEY_DIGEST is not in the allow-list");
    if (pol->snp_max_vmpl >= 0 && rep->vmpl > (uint32_t)pol->snp_max_vmpl)
        burh_attest_result_add_failure(r, "policy.vmpl", "VMPL %u is above the policy maximum %d",
                                       rep->vmpl, pol->snp_max_vmpl);
    if (pol->snp_min_guest_svn >= 0 && rep->guest_svn < (uint32_t)pol->snp_min_guest_svn)
        burh_attest_result_add_failure(r, "policy.guest_svn",
                                       "GUEST_SVN %u is below the policy minimum", rep->guest_svn);
    if (pol->has_report_data && memcmp(pol->report_data, rep->report_data, 64) != 0)
        burh_attest_result_add_failure(r, "policy.report_data",
                                       "REPORT_DATA differs from the expected value");
    if (pol->snp_min_tcb.set) {
        const burh_min_tcb *m = &pol->snp_min_tcb;
        burh_snp_tcb t = burh_snp_tcb_decode(rep->reported_tcb, product);
        if (!tcb_at_least(t.bootloader, m->bootloader) || !tcb_at_least(t.tee, m->tee) ||
            !tcb_at_least(t.snp, m->snp) || !tcb_at_least(t.microcode, m->microcode) ||
            !tcb_at_least(t.fmc, m->fmc))
            burh_attest_result_add_failure(r, "policy.min_tcb",
                                           "REPORTED_TCB is below the policy minimum");
    }
}

static json_t *tcb_json(uint64_t raw, burh_snp_product product)
{
    burh_snp_tcb t = burh_snp_tcb_decode(raw, product);
    uint8_t bytes[8];
    for (size_t i = 0; i < 8; i++)
        bytes[i] = (uint8_t)(raw >> (8 * i));
    json_t *o = json_pack("{s:i,s:i,s:i,s:i,s:o}", "bootloader", t.bootloader, "tee", t.tee, "snp",
                          t.snp, "microcode", t.microcode, "raw", burh_attest_json_hex(bytes, 8));
    if (o && product == BURH_SNP_PRODUCT_TURIN)
        json_object_set_new(o, "fmc", json_integer(t.fmc));
    return o;
}

static json_t *policy_json(uint64_t p)
{
    char raw[24];
    snprintf(raw, sizeof raw, "0x%llx", (unsigned long long)p);
    return json_pack("{s:s,s:i,s:i,s:b,s:b,s:b,s:b}", "raw", raw, "abi_major", (int)(p >> 8 & 0xff),
                     "abi_minor", (int)(p & 0xff), "smt", (p & BURH_SNP_POLICY_SMT) != 0,
                     "migrate_ma", (p & BURH_SNP_POLICY_MIGRATE_MA) != 0, "debug",
                     (p & BURH_SNP_POLICY_DEBUG) != 0, "single_socket",
                     (p & BURH_SNP_POLICY_SINGLE_SOCKET) != 0);
}

static bool add_claims(const burh_snp_report *rep, burh_snp_product product, json_t *c)
{
    char fw[32];
    snprintf(fw, sizeof fw, "%u.%u.%u", rep->current_major, rep->current_minor, rep->current_build);
    json_t *tcb = json_pack("{s:o,s:o,s:o,s:o}", "current", tcb_json(rep->current_tcb, product),
                            "reported", tcb_json(rep->reported_tcb, product), "committed",
                            tcb_json(rep->committed_tcb, product), "launch",
                            tcb_json(rep->launch_tcb, product));
    json_t *body = json_pack(
        "{s:s,s:s,s:i,s:I,s:i,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:b,s:s,s:I}",
        "platform", "snp", "product", burh_snp_product_name(product), "report_version",
        (int)rep->version, "guest_svn", (json_int_t)rep->guest_svn, "vmpl", (int)rep->vmpl,
        "measurement", burh_attest_json_hex(rep->measurement, 48), "host_data",
        burh_attest_json_hex(rep->host_data, 32), "report_data",
        burh_attest_json_hex(rep->report_data, 64), "id_key_digest",
        burh_attest_json_hex(rep->id_key_digest, 48), "author_key_digest",
        burh_attest_json_hex(rep->author_key_digest, 48), "family_id",
        burh_attest_json_hex(rep->family_id, 16), "image_id",
        burh_attest_json_hex(rep->image_id, 16), "report_id",
        burh_attest_json_hex(rep->report_id, 32), "chip_id", burh_attest_json_hex(rep->chip_id, 64),
        "policy", policy_json(rep->policy), "tcb", tcb, "signing_key",
        key_kind_name(rep->signing_key), "debug", (rep->policy & BURH_SNP_POLICY_DEBUG) != 0,
        "firmware", fw, "platform_info", (json_int_t)rep->platform_info);
    if (!body)
        return false;
    if (rep->has_cpuid)
        json_object_set_new(body, "cpuid",
                            json_pack("{s:i,s:i,s:i}", "family", rep->cpuid_family, "model",
                                      rep->cpuid_model, "stepping", rep->cpuid_stepping));
    bool ok = json_object_update(c, body) == 0;
    json_decref(body);
    return ok;
}

/* Azure wraps the report: take it out, or record why that is impossible. */
static bool unwrap_hcl(burh_bytes *evidence, burh_snp_hcl *hcl, burh_attest_result *r)
{
    char why[BURH_DETAIL_SIZE];
    if (!burh_snp_hcl_detect(*evidence))
        return true;
    if (!burh_snp_hcl_unwrap(*evidence, hcl, why, sizeof why)) {
        burh_attest_result_add_failure(r, "snp.hcl.format", "%s", why);
        return false;
    }
    *evidence = hcl->report;
    return true;
}

burh_attest_status burh_attest_verify_snp(burh_attest_verifier *v, burh_bytes evidence,
                                          burh_attest_result *r, burh_attest_error *err)
{
    burh_snp_report rep;
    burh_snp_hcl hcl = {0};
    uint32_t defects = 0;
    const burh_attest_policy *pol = burh_attest_verifier_policy(v);
    json_object_set_new(r->claims, "platform", json_string("snp"));
    if (!unwrap_hcl(&evidence, &hcl, r))
        return BURH_ATTEST_OK;
    burh_snp_report_parse(evidence, &rep, &defects, NULL);
    if (defects & BURH_SNP_DEFECT_LENGTH) {
        burh_attest_result_add_failure(r, "snp.report.length", "the report is %zu bytes, not 1184",
                                       evidence.len);
        return BURH_ATTEST_OK;
    }
    check_parse_defects(defects, &rep, r);
    burh_snp_product product = burh_snp_report_product(&rep);
    if (rep.has_cpuid && product == BURH_SNP_PRODUCT_UNKNOWN)
        burh_attest_result_add_failure(r, "snp.report.product",
                                       "CPUID family 0x%x model 0x%x is not a known product",
                                       rep.cpuid_family, rep.cpuid_model);
    burh_attest_status st = check_with_leaf(v, evidence, &rep, r, &product, err);
    if (st != BURH_ATTEST_OK)
        return st;
    check_guest_policy(&rep, pol, r);
    check_relying_party(&rep, product, pol, r);
    if (hcl.report.ptr)
        burh_snp_hcl_check(&hcl, &rep, r);
    if (!add_claims(&rep, product, r->claims))
        return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory building claims");
    return BURH_ATTEST_OK;
}
