/* Attestation policy: strict JSON parsing (unknown keys are errors) and the default policy. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/attest_internal.h"

#define PLATFORM_BIT(p) (1u << (unsigned)(p))
#define SIGNED_PLATFORMS                                                                           \
    (PLATFORM_BIT(BURH_PLATFORM_SNP) | PLATFORM_BIT(BURH_PLATFORM_TDX) |                           \
     PLATFORM_BIT(BURH_PLATFORM_SGX))
#define UNSIGNED_BACKENDS (PLATFORM_BIT(BURH_PLATFORM_NIL) | PLATFORM_BIT(BURH_PLATFORM_KVM))

static const char *const tcb_status_names[] = {
    "UpToDate",
    "SWHardeningNeeded",
    "ConfigurationNeeded",
    "ConfigurationAndSWHardeningNeeded",
    "OutOfDate",
    "OutOfDateConfigurationNeeded",
};

static const burh_attest_policy default_policy = {.platforms = SIGNED_PLATFORMS,
                                                  .snp_max_vmpl = -1,
                                                  .snp_min_guest_svn = -1,
                                                  .intel_require_qe_identity = true,
                                                  .intel_require_tcb_info = true};

const burh_attest_policy *burh_attest_policy_default(void)
{
    return &default_policy;
}

bool burh_attest_policy_allows(const burh_attest_policy *p, burh_attest_platform platform)
{
    uint32_t bit = PLATFORM_BIT(platform);
    return (bit & UNSIGNED_BACKENDS) ? (p->backends & bit) != 0 : (p->platforms & bit) != 0;
}

bool burh_attest_digest_list_contains(const burh_digest_list *list, const uint8_t *digest)
{
    for (size_t i = 0; i < list->count; i++)
        if (memcmp(list->items + i * list->width, digest, list->width) == 0)
            return true;
    return false;
}

static void digest_list_free(burh_digest_list *list)
{
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

void burh_attest_policy_free(burh_attest_policy *p)
{
    if (!p)
        return;
    burh_digest_list *lists[] = {
        &p->snp_measurement, &p->snp_host_data,  &p->snp_id_key_digest, &p->snp_author_key_digest,
        &p->tdx_mrtd,        &p->tdx_mrconfigid, &p->tdx_rtmr[0],       &p->tdx_rtmr[1],
        &p->tdx_rtmr[2],     &p->tdx_rtmr[3],    &p->sgx_mrenclave,     &p->sgx_mrsigner,
        &p->kvm_measurement};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        digest_list_free(lists[i]);
    free(p);
}

/* Parsing state: the first error sticks and later steps become no-ops. */
typedef struct policy_parser {
    burh_attest_policy *policy;
    burh_attest_error *err;
    burh_attest_status status;
} policy_parser;

static bool parser_ok(const policy_parser *pp)
{
    return pp->status == BURH_ATTEST_OK;
}

static void parser_fail(policy_parser *pp, burh_attest_status status, const char *what,
                        const char *key)
{
    if (!parser_ok(pp))
        return;
    pp->status = burh_attest_fail(pp->err, status, "policy: %s \"%s\"", what, key);
}

/* Every key of `obj` must be one of `allowed` (NULL-terminated). */
static void check_keys(policy_parser *pp, json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value)
    {
        bool known = false;
        for (size_t i = 0; allowed[i] && !known; i++)
            known = strcmp(key, allowed[i]) == 0;
        if (!known)
            parser_fail(pp, BURH_ATTEST_ERR_MALFORMED, "unknown key", key);
    }
}

static void read_digest_list(policy_parser *pp, json_t *obj, const char *key, size_t width,
                             burh_digest_list *out)
{
    json_t *arr = json_object_get(obj, key);
    if (!arr || !parser_ok(pp))
        return;
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        parser_fail(pp, BURH_ATTEST_ERR_MALFORMED, "expected a non-empty array of hex at", key);
        return;
    }
    size_t n = json_array_size(arr);
    out->width = width;
    out->items = calloc(n, width);
    if (!out->items) {
        parser_fail(pp, BURH_ATTEST_ERR_NOMEM, "out of memory at", key);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(arr, i);
        if (!json_is_string(item) ||
            !burh_attest_hex_decode(json_string_value(item), json_string_length(item),
                                    out->items + i * width, width)) {
            parser_fail(pp, BURH_ATTEST_ERR_MALFORMED, "wrong-length or non-hex digest in", key);
            return;
        }
        out->count++;
    }
}

static void read_bool(policy_parser *pp, json_t *obj, const char *key, bool *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return;
    if (!json_is_boolean(v))
        parser_fail(pp, BURH_ATTEST_ERR_MALFORMED, "expected true or false at", key);
    else
        *out = json_is_true(v);
}

static void read_small_int(policy_parser *pp, json_t *obj, const char *key, int max, int *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
        parser_fail(pp, BURH_ATTEST_ERR_MALFORMED, "integer out of range at", key);
    else
        *out = (int)json_integer_value(v);
}

static void read_platform_set(policy_parser *pp, json_t *obj, const char *key, uint32_t allowed,
                              uint32_t *out)
{
    json_t *arr = json_object_get(obj, key);
    if (!arr)
        return;
    if (!json_is_array(arr)) {
        parser_fail(pp, BURH_ATTEST_ERR_MALFORMED, "expected an array at", key);
        return;
    }
    *out = 0;
    size_t i;
    json_t *item;
    json_array_foreach(arr, i, item)
    {
        burh_attest_platform p;
        burh_bytes name = {(const uint8_t *)json_string_value(item), json_string_length(item)};
        if (!json_is_string(item) || !burh_attest_platform_from_name(name, &p) ||
            !(PLATFORM_BIT(p) & allowed)) {
            parser_fail(pp, BURH_ATTEST_ERR_MALFORMED, "unknown or misplaced platform in", key);
            return;
        }
        *out |= PLATFORM_BIT(p);
    }
}

static void read_min_tcb(policy_parser *pp, json_t *snp)
{
    static const char *const keys[] = {"fmc", "bootloader", "tee", "snp", "microcode", NULL};
    json_t *obj = json_object_get(snp, "min_tcb");
    if (!obj)
        return;
    if (!json_is_object(obj)) {
        parser_fail(pp, BURH_ATTEST_ERR_MALFORMED, "expected an object at", "min_tcb");
        return;
    }
    check_keys(pp, obj, keys);
    burh_min_tcb *m = &pp->policy->snp_min_tcb;
    *m = (burh_min_tcb){.set = true, -1, -1, -1, -1, -1};
    read_small_int(pp, obj, "fmc", 255, &m->fmc);
    read_small_int(pp, obj, "bootloader", 255, &m->bootloader);
    read_small_int(pp, obj, "tee", 255, &m->tee);
    read_small_int(pp, obj, "snp", 255, &m->snp);
    read_small_int(pp, obj, "microcode", 255, &m->microcode);
}

static json_t *section(policy_parser *pp, json_t *root, const char *key, const char *const *allowed)
{
    json_t *obj = json_object_get(root, key);
    if (!obj)
        return NULL;
    if (!json_is_object(obj)) {
        parser_fail(pp, BURH_ATTEST_ERR_MALFORMED, "expected an object at", key);
        return NULL;
    }
    check_keys(pp, obj, allowed);
    return obj;
}

static void read_snp(policy_parser *pp, json_t *root)
{
    static const char *const keys[] = {"measurement",       "host_data",     "id_key_digest",
                                       "author_key_digest", "min_tcb",       "allow_masked_chip_id",
                                       "max_vmpl",          "min_guest_svn", NULL};
    json_t *snp = section(pp, root, "snp", keys);
    if (!snp)
        return;
    burh_attest_policy *p = pp->policy;
    read_digest_list(pp, snp, "measurement", 48, &p->snp_measurement);
    read_digest_list(pp, snp, "host_data", 32, &p->snp_host_data);
    read_digest_list(pp, snp, "id_key_digest", 48, &p->snp_id_key_digest);
    read_digest_list(pp, snp, "author_key_digest", 48, &p->snp_author_key_digest);
    read_bool(pp, snp, "allow_masked_chip_id", &p->allow_masked_chip_id);
    read_small_int(pp, snp, "max_vmpl", 3, &p->snp_max_vmpl);
    read_small_int(pp, snp, "min_guest_svn", INT32_MAX, &p->snp_min_guest_svn);
    read_min_tcb(pp, snp);
}

static void read_intel(policy_parser *pp, json_t *root)
{
    static const char *const tdx_keys[] = {"mrtd",  "mrconfigid", "rtmr0", "rtmr1",
                                           "rtmr2", "rtmr3",      NULL};
    static const char *const sgx_keys[] = {"mrenclave", "mrsigner", "isv_prod_id", "min_isv_svn",
                                           NULL};
    burh_attest_policy *p = pp->policy;
    json_t *tdx = section(pp, root, "tdx", tdx_keys);
    if (tdx) {
        read_digest_list(pp, tdx, "mrtd", 48, &p->tdx_mrtd);
        read_digest_list(pp, tdx, "mrconfigid", 48, &p->tdx_mrconfigid);
        for (int i = 0; i < 4; i++)
            read_digest_list(pp, tdx, tdx_keys[2 + i], 48, &p->tdx_rtmr[i]);
    }
    json_t *sgx = section(pp, root, "sgx", sgx_keys);
    if (sgx) {
        int prod = -1, svn = 0;
        read_digest_list(pp, sgx, "mrenclave", 32, &p->sgx_mrenclave);
        read_digest_list(pp, sgx, "mrsigner", 32, &p->sgx_mrsigner);
        read_small_int(pp, sgx, "isv_prod_id", 65535, &prod);
        read_small_int(pp, sgx, "min_isv_svn", 65535, &svn);
        p->sgx_has_isv_prod_id = prod >= 0;
        p->sgx_isv_prod_id = (uint16_t)(prod >= 0 ? prod : 0);
        p->sgx_min_isv_svn = (uint16_t)svn;
    }
}

/* kvm evidence is unsigned, so this only matters once allow_backends lets kvm in: it says
 * which launch digests (burh measure --backend kvm) the keep may have. */
static void read_kvm(policy_parser *pp, json_t *root)
{
    static const char *const keys[] = {"measurement", NULL};
    json_t *kvm = section(pp, root, "kvm", keys);
    if (kvm)
        read_digest_list(pp, kvm, "measurement", 48, &pp->policy->kvm_measurement);
}

static void read_tcb_statuses(policy_parser *pp, json_t *root)
{
    json_t *arr = json_object_get(root, "tcb_statuses");
    if (!arr)
        return;
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        parser_fail(pp, BURH_ATTEST_ERR_MALFORMED, "expected a non-empty array at", "tcb_statuses");
        return;
    }
    size_t i;
    json_t *item;
    json_array_foreach(arr, i, item)
    {
        size_t k = 0, n = sizeof tcb_status_names / sizeof tcb_status_names[0];
        while (k < n &&
               !(json_is_string(item) && strcmp(json_string_value(item), tcb_status_names[k]) == 0))
            k++;
        if (k == n) {
            parser_fail(pp, BURH_ATTEST_ERR_MALFORMED, "unknown TCB status in", "tcb_statuses");
            return;
        }
        pp->policy->tcb_statuses |= 1u << k;
    }
}

static void read_report_data(policy_parser *pp, json_t *root)
{
    json_t *v = json_object_get(root, "report_data");
    if (!v)
        return;
    size_t len = json_string_length(v);
    /* Shorter values are zero-padded: evidence commonly carries a 32-byte hash then zeros. */
    if (!json_is_string(v) || len == 0 || len % 2 || len > 128 ||
        !burh_attest_hex_decode(json_string_value(v), len, pp->policy->report_data, len / 2)) {
        parser_fail(pp, BURH_ATTEST_ERR_MALFORMED, "expected up to 64 bytes of hex at",
                    "report_data");
        return;
    }
    pp->policy->has_report_data = true;
}

burh_attest_status burh_attest_policy_parse(burh_bytes json, burh_attest_policy **out,
                                            burh_attest_error *err)
{
    static const char *const keys[] = {"platforms",
                                       "allow_backends",
                                       "allow_debug",
                                       "allow_migrate",
                                       "report_data",
                                       "snp",
                                       "tdx",
                                       "sgx",
                                       "kvm",
                                       "tcb_statuses",
                                       "require_qe_identity",
                                       "require_crls",
                                       "require_tcb_info",
                                       NULL};
    if (!out || (!json.ptr && json.len))
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "burh_attest_policy_parse: no input");
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loadb((const char *)json.ptr, json.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED, "policy: not a JSON object (%s)",
                                root ? "top level" : jerr.text);
    }
    policy_parser pp = {.policy = calloc(1, sizeof(burh_attest_policy)), .err = err};
    if (!pp.policy) {
        json_decref(root);
        return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory");
    }
    pp.policy->platforms = SIGNED_PLATFORMS;
    pp.policy->snp_max_vmpl = -1;
    pp.policy->snp_min_guest_svn = -1;
    pp.policy->intel_require_qe_identity = true;
    pp.policy->intel_require_tcb_info = true;
    check_keys(&pp, root, keys);
    read_platform_set(&pp, root, "platforms", SIGNED_PLATFORMS, &pp.policy->platforms);
    read_platform_set(&pp, root, "allow_backends", UNSIGNED_BACKENDS, &pp.policy->backends);
    read_bool(&pp, root, "allow_debug", &pp.policy->allow_debug);
    read_bool(&pp, root, "allow_migrate", &pp.policy->allow_migrate);
    read_report_data(&pp, root);
    read_snp(&pp, root);
    read_intel(&pp, root);
    read_kvm(&pp, root);
    read_tcb_statuses(&pp, root);
    read_bool(&pp, root, "require_qe_identity", &pp.policy->intel_require_qe_identity);
    read_bool(&pp, root, "require_crls", &pp.policy->intel_require_crls);
    read_bool(&pp, root, "require_tcb_info", &pp.policy->intel_require_tcb_info);
    json_decref(root);
    if (!parser_ok(&pp)) {
        burh_attest_policy_free(pp.policy);
        return pp.status;
    }
    *out = pp.policy;
    return BURH_ATTEST_OK;
}
