/* SNP verification on genuine hardware evidence from the shared attestation vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "burh/attest.h"
#include "testutil.h"

static bool have_shared(void)
{
    return tu_shared_exists("amd-sev-snp");
}

#define REQUIRE_SHARED()                                                                           \
    do {                                                                                           \
        if (!have_shared()) {                                                                      \
            printf("SKIP: shared attestation vectors not found at %s/amd-sev-snp "                 \
                   "(set BURH_SHARED_DIR)\n",                                                      \
                   tu_shared_dir());                                                               \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

typedef struct blob {
    uint8_t *ptr;
    size_t len;
} blob;

/* A file under amd-sev-snp/ in the shared directory; a missing one fails the test. */
static blob load(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "amd-sev-snp/%s", rel);
    blob b = {0};
    b.ptr = tu_read_shared(path, &b.len);
    if (!b.ptr)
        fail_msg("cannot open %s/%s", tu_shared_dir(), path);
    return b;
}

static burh_bytes bytes(blob b)
{
    return (burh_bytes){b.ptr, b.len};
}

static void add_certs(burh_attest_verifier *v, const char *rel)
{
    blob b = load(rel);
    burh_attest_error err;
    assert_int_equal(burh_attest_verifier_add_certs(v, bytes(b), &err), BURH_ATTEST_OK);
    free(b.ptr);
}

static burh_attest_policy *policy_from(const char *json)
{
    burh_attest_policy *p = NULL;
    burh_attest_error err;
    assert_int_equal(
        burh_attest_policy_parse((burh_bytes){(const uint8_t *)json, strlen(json)}, &p, &err),
        BURH_ATTEST_OK);
    return p;
}

/* A genuine vector: its files, its time, the checks it must fail (none = accepted). */
typedef struct vector {
    const char *dir;
    const char *leaf;  /* relative to amd-sev-snp/ */
    const char *chain; /* relative to amd-sev-snp/ */
    const char *at;    /* RFC 3339 or NULL for now */
    const char *policy;
} vector;

static const vector genuine[] = {
    {"gosevguest_milan_v2", "gosevguest_milan_v2/vcek.der", "roots/bundle_ask_ark_asvk_milan.pem",
     NULL, "{\"allow_debug\": true}"},
    {"trustee_milan_v2", "trustee_milan_v2/vcek.der", "roots/bundle_ask_ark_asvk_milan.pem", NULL,
     NULL},
    {"trustee_milan_vlek_v3", "trustee_milan_vlek_v3/vlek.der",
     "roots/bundle_asvk_ark_milan_vlek.pem", "2025-06-01T00:00:00Z", NULL},
    {"virtee_milan_v2", "virtee_milan_v2/vcek.der", "roots/bundle_ask_ark_asvk_milan.pem", NULL,
     NULL},
    {"azure_milan_v2_vtpm", "azure_milan_v2_vtpm/vcek_ask_ark_chain.pem", NULL, NULL, NULL},
    {"azure_genoa_v3_vtpm", "azure_genoa_v3_vtpm/vcek.pem", "roots/bundle_ask_ark_asvk_genoa.pem",
     NULL, NULL},
    {"trustee_e2e_genoa_v3", "trustee_e2e_genoa_v3/vcek.der", "roots/bundle_ask_ark_asvk_genoa.pem",
     NULL, NULL},
};

static burh_attest_verifier *verifier_for(const vector *vec)
{
    burh_attest_verifier *v = NULL;
    burh_attest_error err;
    assert_int_equal(burh_attest_verifier_new(&v, &err), BURH_ATTEST_OK);
    add_certs(v, vec->leaf);
    if (vec->chain)
        add_certs(v, vec->chain);
    /* "Now" in PROVENANCE.md is the collection day; pinning it keeps the test stable. */
    const char *when = vec->at ? vec->at : "2026-11-27T00:00:00Z";
    int64_t at = 0;
    assert_true(burh_attest_parse_rfc3339((burh_bytes){(const uint8_t *)when, strlen(when)}, &at));
    burh_attest_verifier_set_time(v, at);
    if (vec->policy)
        burh_attest_verifier_set_policy(v, policy_from(vec->policy));
    return v;
}

static burh_attest_result *verify_file(burh_attest_verifier *v, const char *rel)
{
    blob b = load(rel);
    burh_attest_result *r = NULL;
    burh_attest_error err;
    assert_int_equal(burh_attest_verify(v, BURH_PLATFORM_AUTO, bytes(b), &r, &err), BURH_ATTEST_OK);
    free(b.ptr);
    return r;
}

static void print_failures(const burh_attest_result *r)
{
    for (size_t i = 0; i < burh_attest_result_failed_count(r); i++)
        printf("  failed %s: %s\n", burh_attest_result_failed_name(r, i),
               burh_attest_result_failed_detail(r, i));
}

static void test_genuine_vectors_accepted(void **state)
{
    (void)state;
    REQUIRE_SHARED();
    for (size_t i = 0; i < sizeof genuine / sizeof genuine[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "%s/report.bin", genuine[i].dir);
        burh_attest_verifier *v = verifier_for(&genuine[i]);
        burh_attest_result *r = verify_file(v, rel);
        if (!burh_attest_result_accepted(r)) {
            print_failures(r);
            fail_msg("%s was rejected", genuine[i].dir);
        }
        burh_attest_result_free(r);
        burh_attest_verifier_free(v);
    }
}

static const char *claim_string(const burh_attest_result *r, const char *key)
{
    return json_string_value(json_object_get(burh_attest_result_claims(r), key));
}

static void test_genuine_claims(void **state)
{
    (void)state;
    REQUIRE_SHARED();
    burh_attest_verifier *v = verifier_for(&genuine[1]);
    burh_attest_result *r = verify_file(v, "trustee_milan_v2/report.bin");
    assert_string_equal(claim_string(r, "measurement"),
                        "a1f3930413247bb38cfc171579ea3c12d5fe4901f0c792f63fd75d98f1ef827c"
                        "23500644e0e692e6be917f9050d3d38c");
    assert_string_equal(claim_string(r, "product"), "Milan");
    assert_string_equal(claim_string(r, "signing_key"), "vcek");
    const json_t *tcb = json_object_get(burh_attest_result_claims(r), "tcb");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(tcb, "reported"), "microcode")), 115);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(tcb, "current"), "microcode")), 206);
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);

    v = verifier_for(&genuine[5]);
    r = verify_file(v, "azure_genoa_v3_vtpm/report.bin");
    assert_string_equal(claim_string(r, "product"), "Genoa");
    assert_int_equal(
        json_integer_value(json_object_get(burh_attest_result_claims(r), "report_version")), 3);
    assert_int_equal(json_integer_value(json_object_get(burh_attest_result_claims(r), "guest_svn")),
                     0x1000B);
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);

    v = verifier_for(&genuine[2]);
    r = verify_file(v, "trustee_milan_vlek_v3/report.bin");
    assert_string_equal(claim_string(r, "signing_key"), "vlek");
    assert_int_equal(json_integer_value(json_object_get(burh_attest_result_claims(r), "vmpl")), 1);
    burh_attest_result_free(r);
    burh_attest_verifier_set_policy(v, policy_from("{\"snp\": {\"max_vmpl\": 0}}"));
    r = verify_file(v, "trustee_milan_vlek_v3/report.bin");
    assert_int_equal(burh_attest_result_failed_count(r), 1);
    assert_true(burh_attest_result_failed(r, "policy.vmpl"));
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);
}

static void test_parse_fields(void **state)
{
    (void)state;
    REQUIRE_SHARED();
    blob b = load("gosevguest_milan_v2/report.bin");
    burh_snp_report rep;
    uint32_t defects = 99;
    assert_int_equal(burh_snp_report_parse(bytes(b), &rep, &defects, NULL), BURH_ATTEST_OK);
    assert_int_equal(defects, 0);
    assert_int_equal(rep.version, 2);
    assert_int_equal(rep.policy, 0xB0000);
    assert_false(rep.has_cpuid);
    static const uint8_t rd[5] = {1, 2, 3, 4, 5};
    assert_memory_equal(rep.report_data, rd, 5);
    burh_snp_tcb t = burh_snp_tcb_decode(rep.reported_tcb, BURH_SNP_PRODUCT_MILAN);
    assert_int_equal(t.bootloader, 2);
    assert_int_equal(t.snp, 5);
    assert_int_equal(t.microcode, 68);
    assert_int_equal(rep.current_major, 1);
    assert_int_equal(rep.current_minor, 49);
    assert_int_equal(rep.current_build, 3);
    free(b.ptr);

    b = load("trustee_e2e_genoa_v3/report.bin");
    assert_int_equal(burh_snp_report_parse(bytes(b), &rep, &defects, NULL), BURH_ATTEST_OK);
    assert_int_equal(rep.cpuid_model, 0xA0);
    assert_int_equal(burh_snp_report_product(&rep), BURH_SNP_PRODUCT_GENOA);
    free(b.ptr);
}

/* gosevguest's guest may be debugged: the default policy refuses it for that reason alone. */
static void test_debug_guest_refused_by_default(void **state)
{
    (void)state;
    REQUIRE_SHARED();
    vector vec = genuine[0];
    vec.policy = NULL;
    burh_attest_verifier *v = verifier_for(&vec);
    burh_attest_result *r = verify_file(v, "gosevguest_milan_v2/report.bin");
    assert_false(burh_attest_result_accepted(r));
    assert_int_equal(burh_attest_result_failed_count(r), 1);
    assert_true(burh_attest_result_failed(r, "snp.policy.debug"));
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);
}

static void test_vlek_expired_now(void **state)
{
    (void)state;
    REQUIRE_SHARED();
    vector vec = genuine[2];
    vec.at = "2026-11-27T12:00:00Z";
    burh_attest_verifier *v = verifier_for(&vec);
    burh_attest_result *r = verify_file(v, "trustee_milan_vlek_v3/report.bin");
    assert_int_equal(burh_attest_result_failed_count(r), 1);
    assert_true(burh_attest_result_failed(r, "snp.chain.validity"));
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);
}

typedef struct negative {
    const char *report;
    const char *leaf;
    const char *must_fail; /* check name */
    const char *must_pass; /* a check that must NOT fail, or NULL */
} negative;

static const negative negatives[] = {
    {"negative/derived_trustee_milan_report_byte42_plus1.bin", "trustee_milan_v2/vcek.der",
     "snp.report.signature", "snp.vcek.tcb"},
    {"negative/derived_trustee_milan_report_byte384_plus1.bin", "trustee_milan_v2/vcek.der",
     "snp.report.signature", NULL},
    {"negative/derived_trustee_milan_report_byte384_plus1.bin", "trustee_milan_v2/vcek.der",
     "snp.vcek.tcb", NULL},
    {"negative/derived_gosevguest_report_sig_r_byte0x2A0_plus1.bin", "gosevguest_milan_v2/vcek.der",
     "snp.report.signature", "snp.vcek.chip_id"},
    {"negative/derived_gosevguest_report_truncated_1183.bin", "gosevguest_milan_v2/vcek.der",
     "snp.report.length", NULL},
    {"trustee_milan_v2/report.bin", "negative/derived_trustee_milan_vcek_byte42_plus1.der",
     "snp.chain.signature", "snp.report.signature"},
    {"trustee_milan_v2/report.bin", "negative/trustee_vcek_invalid_legacy.der",
     "snp.chain.signature", NULL},
    {"trustee_milan_v2/report.bin", "negative/trustee_vcek_invalid_new.der", "snp.chain.signature",
     NULL},
    {"trustee_milan_v2/report.bin", "negative/trustee_vcek_invalid_new.der", "snp.report.signature",
     NULL},
    {"gosevguest_milan_v2/report.bin", "trustee_milan_v2/vcek.der", "snp.report.signature", NULL},
    {"gosevguest_milan_v2/report.bin", "trustee_milan_v2/vcek.der", "snp.vcek.chip_id", NULL},
};

static void test_negative_vectors(void **state)
{
    (void)state;
    REQUIRE_SHARED();
    for (size_t i = 0; i < sizeof negatives / sizeof negatives[0]; i++) {
        vector vec = {"", negatives[i].leaf, "roots/bundle_ask_ark_asvk_milan.pem", NULL,
                      "{\"allow_debug\": true}"};
        burh_attest_verifier *v = verifier_for(&vec);
        burh_attest_result *r = verify_file(v, negatives[i].report);
        assert_false(burh_attest_result_accepted(r));
        if (!burh_attest_result_failed(r, negatives[i].must_fail)) {
            print_failures(r);
            fail_msg("%s with %s: %s did not fail", negatives[i].report, negatives[i].leaf,
                     negatives[i].must_fail);
        }
        if (negatives[i].must_pass)
            assert_false(burh_attest_result_failed(r, negatives[i].must_pass));
        burh_attest_result_free(r);
        burh_attest_verifier_free(v);
    }
}

/* Every bit-flip in every signed byte of every genuine report must be caught. */
static void test_exhaustive_byte_flips(void **state)
{
    (void)state;
    REQUIRE_SHARED();
    size_t rejected = 0, total = 0;
    for (size_t i = 0; i < sizeof genuine / sizeof genuine[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "%s/report.bin", genuine[i].dir);
        blob b = load(rel);
        assert_int_equal(b.len, BURH_SNP_REPORT_SIZE);
        burh_attest_verifier *v = verifier_for(&genuine[i]);
        for (size_t off = 0; off < BURH_SNP_SIGNED_SIZE; off++) {
            uint8_t saved = b.ptr[off];
            b.ptr[off] ^= (uint8_t)(1u << (off % 8));
            burh_attest_result *r = NULL;
            assert_int_equal(burh_attest_verify(v, BURH_PLATFORM_SNP, bytes(b), &r, NULL),
                             BURH_ATTEST_OK);
            total++;
            if (!burh_attest_result_accepted(r))
                rejected++;
            else
                printf("  %s: flip at 0x%03zx accepted!\n", genuine[i].dir, off);
            burh_attest_result_free(r);
            b.ptr[off] = saved;
        }
        burh_attest_verifier_free(v);
        free(b.ptr);
    }
    printf("  %zu of %zu single-byte changes rejected\n", rejected, total);
    assert_int_equal(total, 7 * BURH_SNP_SIGNED_SIZE);
    assert_int_equal(rejected, total);
}

static void test_turin_chain(void **state)
{
    (void)state;
    REQUIRE_SHARED();
    vector vec = {"", "turin_vcek_only/vcek.der", "roots/bundle_ask_ark_asvk_turin.pem", NULL,
                  NULL};
    burh_attest_verifier *v = verifier_for(&vec);
    burh_attest_result *r = verify_file(v, "trustee_milan_v2/report.bin");
    /* The chain to ARK-Turin is fine; the report is not from that chip. */
    for (size_t i = 0; i < burh_attest_result_failed_count(r); i++)
        assert_null(strstr(burh_attest_result_failed_name(r, i), "chain"));
    assert_false(burh_attest_result_failed(r, "snp.ark.untrusted"));
    assert_true(burh_attest_result_failed(r, "snp.report.signature"));
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);
}

/* Pins: an explicit trust store replaces them; a chain to another root is then untrusted. */
static void test_trust_store_replaces_pins(void **state)
{
    (void)state;
    REQUIRE_SHARED();
    burh_attest_verifier *v = verifier_for(&genuine[1]);
    blob root = load("roots/ark_genoa.pem");
    assert_int_equal(burh_attest_verifier_trust_roots(v, bytes(root), NULL), BURH_ATTEST_OK);
    free(root.ptr);
    burh_attest_result *r = verify_file(v, "trustee_milan_v2/report.bin");
    assert_true(burh_attest_result_failed(r, "snp.chain.untrusted"));
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);

    /* Without the ARK in the collateral, nothing is pinned. */
    vector vec = {"", "trustee_milan_v2/vcek.der", "roots/ask_milan.pem", NULL, NULL};
    v = verifier_for(&vec);
    r = verify_file(v, "trustee_milan_v2/report.bin");
    assert_true(burh_attest_result_failed(r, "snp.ark.untrusted"));
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);
}

static void test_policy_on_genuine(void **state)
{
    (void)state;
    REQUIRE_SHARED();
    vector vec = genuine[3];
    vec.policy = "{\"snp\": {\"measurement\": [\"7a1e5c266c0108dbc9bb94fa926951320940915d0aafb424"
                 "64bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f\"], \"min_tcb\": {\"snp\": 8, "
                 "\"microcode\": 115}}}";
    burh_attest_verifier *v = verifier_for(&vec);
    burh_attest_result *r = verify_file(v, "virtee_milan_v2/report.bin");
    assert_true(burh_attest_result_accepted(r));
    burh_attest_result_free(r);
    burh_attest_verifier_set_policy(
        v, policy_from("{\"snp\": {\"min_tcb\": {\"microcode\": 116}}, \"report_data\": \"00\"}"));
    r = verify_file(v, "virtee_milan_v2/report.bin");
    assert_true(burh_attest_result_failed(r, "policy.min_tcb"));
    assert_true(burh_attest_result_failed(r, "policy.report_data"));
    assert_int_equal(burh_attest_result_failed_count(r), 2);
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);
}

/* Azure HCL reports: the SNP report inside, and REPORT_DATA bound to the runtime data. */
static void test_azure_hcl_reports(void **state)
{
    (void)state;
    REQUIRE_SHARED();
    static const size_t azure[] = {4, 5};
    for (size_t k = 0; k < 2; k++) {
        const vector *vec = &genuine[azure[k]];
        char rel[256];
        snprintf(rel, sizeof rel, "%s/hcl-report.bin", vec->dir);
        burh_attest_verifier *v = verifier_for(vec);
        burh_attest_result *r = verify_file(v, rel);
        if (!burh_attest_result_accepted(r))
            print_failures(r);
        assert_true(burh_attest_result_accepted(r));
        const json_t *runtime = json_object_get(burh_attest_result_claims(r), "hcl_runtime_data");
        assert_true(json_is_array(json_object_get(runtime, "keys")));
        burh_attest_result_free(r);

        blob b = load(rel);
        b.ptr[1300] ^= 1; /* inside the runtime data JSON */
        assert_int_equal(burh_attest_verify(v, BURH_PLATFORM_SNP, bytes(b), &r, NULL),
                         BURH_ATTEST_OK);
        assert_int_equal(burh_attest_result_failed_count(r), 1);
        assert_true(burh_attest_result_failed(r, "snp.hcl.report_data"));
        burh_attest_result_free(r);
        b.ptr[1300] ^= 1;
        b.ptr[1216] ^= 0x40; /* data_size no longer matches */
        assert_int_equal(burh_attest_verify(v, BURH_PLATFORM_SNP, bytes(b), &r, NULL),
                         BURH_ATTEST_OK);
        assert_true(burh_attest_result_failed(r, "snp.hcl.format"));
        burh_attest_result_free(r);
        b.len = 1000;
        assert_int_equal(burh_attest_verify(v, BURH_PLATFORM_SNP, bytes(b), &r, NULL),
                         BURH_ATTEST_OK);
        assert_true(burh_attest_result_failed(r, "snp.hcl.format"));
        burh_attest_result_free(r);
        free(b.ptr);
        burh_attest_verifier_free(v);
    }
}

int main(void)
{
    if (!have_shared())
        printf("SKIP: shared attestation vectors not found at %s (set BURH_SHARED_DIR); "
               "every test here is skipped\n",
               tu_shared_dir());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_fields),
        cmocka_unit_test(test_genuine_vectors_accepted),
        cmocka_unit_test(test_genuine_claims),
        cmocka_unit_test(test_debug_guest_refused_by_default),
        cmocka_unit_test(test_vlek_expired_now),
        cmocka_unit_test(test_negative_vectors),
        cmocka_unit_test(test_exhaustive_byte_flips),
        cmocka_unit_test(test_turin_chain),
        cmocka_unit_test(test_trust_store_replaces_pins),
        cmocka_unit_test(test_policy_on_genuine),
        cmocka_unit_test(test_azure_hcl_reports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
