/* Attestation policy parsing, unsigned (nil/kvm) evidence, RFC 3339 times and report parsing edges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "burh/attest.h"

static burh_bytes text(const char *s)
{
    return (burh_bytes){(const uint8_t *)s, strlen(s)};
}

static burh_attest_status parse(const char *json, burh_attest_policy **out)
{
    burh_attest_error err = {0};
    burh_attest_status st = burh_attest_policy_parse(text(json), out, &err);
    if (st != BURH_ATTEST_OK)
        printf("  (policy error: %s)\n", err.message);
    return st;
}

static void test_policy_full_accepted(void **state)
{
    (void)state;
    char json[2048];
    char h48[97], h32[65];
    memset(h48, 'a', 96);
    h48[96] = '\0';
    memset(h32, 'b', 64);
    h32[64] = '\0';
    snprintf(json, sizeof json,
             "{\"platforms\": [\"snp\", \"tdx\"], \"allow_backends\": [\"nil\"], "
             "\"allow_debug\": false, \"allow_migrate\": true, \"report_data\": \"%s\", "
             "\"snp\": {\"measurement\": [\"%s\", \"%s\"], \"host_data\": [\"%s\"], "
             "\"id_key_digest\": [\"%s\"], \"author_key_digest\": [\"%s\"], "
             "\"min_tcb\": {\"bootloader\": 3, \"tee\": 0, \"snp\": 8, \"microcode\": 115, "
             "\"fmc\": 0}, \"allow_masked_chip_id\": false}, "
             "\"tdx\": {\"mrtd\": [\"%s\"], \"rtmr0\": [\"%s\"], \"mrconfigid\": [\"%s\"]}, "
             "\"sgx\": {\"mrenclave\": [\"%s\"], \"mrsigner\": [\"%s\"], \"isv_prod_id\": 1, "
             "\"min_isv_svn\": 2}, \"tcb_statuses\": [\"UpToDate\", \"SWHardeningNeeded\"], "
             "\"require_qe_identity\": false, \"require_crls\": true}",
             h32, h48, h48, h32, h48, h48, h48, h48, h48, h32, h32);
    burh_attest_policy *p = NULL;
    assert_int_equal(parse(json, &p), BURH_ATTEST_OK);
    assert_non_null(p);
    burh_attest_policy_free(p);
    assert_int_equal(parse("{}", &p), BURH_ATTEST_OK);
    burh_attest_policy_free(p);
}

static void test_policy_rejects_mistakes(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "[]",
        "{\"allow_debugg\": true}",                 /* typo at top level */
        "{\"snp\": {\"measurment\": []}}",          /* typo in a section */
        "{\"snp\": {\"min_tcb\": {\"ucode\": 1}}}", /* typo in min_tcb */
        "{\"snp\": {\"min_tcb\": {\"snp\": 256}}}", /* out of range */
        "{\"snp\": {\"measurement\": []}}",         /* empty allow-list */
        "{\"snp\": {\"measurement\": [\"abcd\"]}}", /* wrong length */
        "{\"snp\": {\"host_data\": [\"zz"
        "00000000000000000000000000000000000000000000000000000000000000\"]}}",
        "{\"platforms\": [\"nil\"]}", /* unsigned backends go elsewhere */
        "{\"allow_backends\": [\"snp\"]}",
        "{\"platforms\": \"snp\"}",
        "{\"allow_debug\": 1}",
        "{\"report_data\": \"abc\"}",
        "{\"tcb_statuses\": [\"UpToDat\"]}",
        "{\"allow_debug\": true, \"allow_debug\": false}", /* duplicate key */
        "{\"sgx\": {\"isv_prod_id\": -1}}",
        "{\"tdx\": {\"rtmr4\": []}}",
        "{\"require_crls\": \"yes\"}",
        "{\"require_qe_identity\": null}",
        "{\"tcb_statuses\": [\"Revoked\"]}", /* never acceptable */
        "{\"kvm\": {\"measurement\": []}}",
        "{\"kvm\": {\"mrtd\": [\"00\"]}}",
        "{\"kvm\": []}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        burh_attest_policy *p = (burh_attest_policy *)&p;
        if (parse(bad[i], &p) == BURH_ATTEST_OK)
            fail_msg("accepted bad policy: %s", bad[i]);
        assert_null(p);
    }
}

static void make_unsigned(burh_attest_platform backend, uint8_t out[BURH_UNSIGNED_EVIDENCE_SIZE])
{
    burh_unsigned_evidence ev = {.backend = backend};
    memset(ev.measurement, 0x11, sizeof ev.measurement);
    memset(ev.report_data, 0x22, sizeof ev.report_data);
    assert_int_equal(burh_unsigned_evidence_make(&ev, out, BURH_UNSIGNED_EVIDENCE_SIZE, NULL),
                     BURH_ATTEST_OK);
}

static burh_attest_result *verify_with(const char *policy, burh_attest_platform platform,
                                       const uint8_t *ev, size_t len)
{
    burh_attest_verifier *v = NULL;
    assert_int_equal(burh_attest_verifier_new(&v, NULL), BURH_ATTEST_OK);
    if (policy) {
        burh_attest_policy *p = NULL;
        assert_int_equal(parse(policy, &p), BURH_ATTEST_OK);
        burh_attest_verifier_set_policy(v, p);
    }
    burh_attest_result *r = NULL;
    assert_int_equal(burh_attest_verify(v, platform, (burh_bytes){ev, len}, &r, NULL),
                     BURH_ATTEST_OK);
    burh_attest_verifier_free(v);
    return r;
}

static void test_unsigned_roundtrip(void **state)
{
    (void)state;
    uint8_t buf[BURH_UNSIGNED_EVIDENCE_SIZE];
    make_unsigned(BURH_PLATFORM_KVM, buf);
    burh_unsigned_evidence ev;
    assert_int_equal(burh_unsigned_evidence_parse((burh_bytes){buf, sizeof buf}, &ev, NULL),
                     BURH_ATTEST_OK);
    assert_int_equal(ev.backend, BURH_PLATFORM_KVM);
    assert_int_equal(ev.measurement[47], 0x11);
    assert_int_equal(ev.report_data[63], 0x22);
    /* Every length but 128 and any reserved bit is refused. */
    assert_int_equal(burh_unsigned_evidence_parse((burh_bytes){buf, sizeof buf - 1}, &ev, NULL),
                     BURH_ATTEST_ERR_MALFORMED);
    buf[0x0C] = 1;
    assert_int_equal(burh_unsigned_evidence_parse((burh_bytes){buf, sizeof buf}, &ev, NULL),
                     BURH_ATTEST_ERR_MALFORMED);
    burh_unsigned_evidence snp = {.backend = BURH_PLATFORM_SNP};
    assert_int_equal(burh_unsigned_evidence_make(&snp, buf, sizeof buf, NULL),
                     BURH_ATTEST_ERR_ARGS);
}

static void test_unsigned_rejected_unless_allowed(void **state)
{
    (void)state;
    uint8_t nil[BURH_UNSIGNED_EVIDENCE_SIZE], kvm[BURH_UNSIGNED_EVIDENCE_SIZE];
    make_unsigned(BURH_PLATFORM_NIL, nil);
    make_unsigned(BURH_PLATFORM_KVM, kvm);

    burh_attest_result *r = verify_with(NULL, BURH_PLATFORM_AUTO, nil, sizeof nil);
    assert_false(burh_attest_result_accepted(r));
    assert_true(burh_attest_result_failed(r, "nil.unsigned"));
    assert_int_equal(burh_attest_result_platform(r), BURH_PLATFORM_NIL);
    burh_attest_result_free(r);

    r = verify_with("{\"allow_backends\": [\"nil\"]}", BURH_PLATFORM_AUTO, nil, sizeof nil);
    assert_true(burh_attest_result_accepted(r));
    assert_string_equal(json_string_value(json_object_get(burh_attest_result_claims(r), "status")),
                        "accepted");
    burh_attest_result_free(r);

    /* Allowing nil does not allow kvm. */
    r = verify_with("{\"allow_backends\": [\"nil\"]}", BURH_PLATFORM_AUTO, kvm, sizeof kvm);
    assert_true(burh_attest_result_failed(r, "kvm.unsigned"));
    burh_attest_result_free(r);

    r = verify_with("{\"allow_backends\": [\"kvm\"], \"report_data\": \"2222\"}", BURH_PLATFORM_KVM,
                    kvm, sizeof kvm);
    assert_true(burh_attest_result_failed(r, "policy.report_data"));
    assert_int_equal(burh_attest_result_failed_count(r), 1);
    burh_attest_result_free(r);

    /* Asked for kvm, given nil. */
    r = verify_with("{\"allow_backends\": [\"nil\", \"kvm\"]}", BURH_PLATFORM_KVM, nil, sizeof nil);
    assert_true(burh_attest_result_failed(r, "unsigned.backend"));
    burh_attest_result_free(r);

    r = verify_with("{\"allow_backends\": [\"nil\"]}", BURH_PLATFORM_NIL, nil, 100);
    assert_true(burh_attest_result_failed(r, "unsigned.format"));
    burh_attest_result_free(r);
}

/* A kvm keep's launch digest is pinned by kvm.measurement once kvm is allowed at all. */
static void test_kvm_measurement_pinned(void **state)
{
    (void)state;
    uint8_t kvm[BURH_UNSIGNED_EVIDENCE_SIZE];
    make_unsigned(BURH_PLATFORM_KVM, kvm); /* measurement: 48 bytes of 0x11 */
    char right[97], wrong[97], policy[400];
    memset(right, '1', 96);
    right[96] = '\0';
    memcpy(wrong, right, sizeof wrong);
    wrong[95] = '2';

    snprintf(policy, sizeof policy,
             "{\"allow_backends\": [\"kvm\"], \"kvm\": {\"measurement\": [\"%s\", \"%s\"]}}", wrong,
             right);
    burh_attest_result *r = verify_with(policy, BURH_PLATFORM_KVM, kvm, sizeof kvm);
    assert_true(burh_attest_result_accepted(r));
    burh_attest_result_free(r);

    snprintf(policy, sizeof policy,
             "{\"allow_backends\": [\"kvm\"], \"kvm\": {\"measurement\": [\"%s\"]}}", wrong);
    r = verify_with(policy, BURH_PLATFORM_KVM, kvm, sizeof kvm);
    assert_false(burh_attest_result_accepted(r));
    assert_true(burh_attest_result_failed(r, "kvm.measurement"));
    assert_int_equal(burh_attest_result_failed_count(r), 1);
    burh_attest_result_free(r);

    /* Pinning a digest does not let an unallowed kvm keep in. */
    snprintf(policy, sizeof policy, "{\"kvm\": {\"measurement\": [\"%s\"]}}", right);
    r = verify_with(policy, BURH_PLATFORM_KVM, kvm, sizeof kvm);
    assert_true(burh_attest_result_failed(r, "kvm.unsigned"));
    burh_attest_result_free(r);
}

static void test_snp_parse_edges(void **state)
{
    (void)state;
    uint8_t buf[BURH_SNP_REPORT_SIZE + 1] = {0};
    burh_snp_report rep;
    uint32_t defects = 0;
    assert_int_equal(burh_snp_report_parse((burh_bytes){buf, 0}, &rep, &defects, NULL),
                     BURH_ATTEST_ERR_MALFORMED);
    assert_int_equal(defects, BURH_SNP_DEFECT_LENGTH);
    assert_int_equal(burh_snp_report_parse((burh_bytes){buf, sizeof buf}, &rep, &defects, NULL),
                     BURH_ATTEST_ERR_MALFORMED);
    assert_int_equal(defects, BURH_SNP_DEFECT_LENGTH);
    /* All zero: version 0, algorithm 0; signing key 0 is a VCEK, so KEY_INFO is fine. */
    assert_int_equal(
        burh_snp_report_parse((burh_bytes){buf, BURH_SNP_REPORT_SIZE}, &rep, &defects, NULL),
        BURH_ATTEST_ERR_MALFORMED);
    assert_int_equal(defects, BURH_SNP_DEFECT_VERSION | BURH_SNP_DEFECT_SIG_ALGO);
    buf[0] = 5;
    buf[0x34] = 1;
    buf[0x1F8] = 9; /* LAUNCH_MIT_VECTOR exists in version 5 */
    buf[0x2D0] = 1; /* R above its 48 significant bytes */
    assert_int_equal(
        burh_snp_report_parse((burh_bytes){buf, BURH_SNP_REPORT_SIZE}, &rep, &defects, NULL),
        BURH_ATTEST_ERR_MALFORMED);
    assert_int_equal(defects, BURH_SNP_DEFECT_RESERVED);
    buf[0x2D0] = 0;
    assert_int_equal(
        burh_snp_report_parse((burh_bytes){buf, BURH_SNP_REPORT_SIZE}, &rep, &defects, NULL),
        BURH_ATTEST_OK);
    assert_true(rep.has_mit_vectors);
    assert_int_equal(rep.launch_mit_vector, 9);
    buf[0] = 3; /* the same byte is reserved before version 5 */
    assert_int_equal(
        burh_snp_report_parse((burh_bytes){buf, BURH_SNP_REPORT_SIZE}, &rep, &defects, NULL),
        BURH_ATTEST_ERR_MALFORMED);
    assert_int_equal(defects, BURH_SNP_DEFECT_RESERVED);
    assert_int_equal(burh_snp_report_parse((burh_bytes){NULL, 5}, &rep, &defects, NULL),
                     BURH_ATTEST_ERR_ARGS);
}

static void test_rfc3339(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_true(burh_attest_parse_rfc3339(text("1970-01-01T00:00:00Z"), &t));
    assert_int_equal(t, 0);
    assert_true(burh_attest_parse_rfc3339(text("2025-06-01T00:00:00Z"), &t));
    assert_int_equal(t, 1748736000);
    assert_true(burh_attest_parse_rfc3339(text("2025-06-01T02:00:00.123+02:00"), &t));
    assert_int_equal(t, 1748736000);
    assert_true(burh_attest_parse_rfc3339(text("2025-05-31T23:00:00-01:00"), &t));
    assert_int_equal(t, 1748736000);
    static const char *const bad[] = {"",
                                      "2025-06-01",
                                      "2025-06-01T00:00:00",
                                      "2025-13-01T00:00:00Z",
                                      "2025-06-01T24:00:00Z",
                                      "2025-06-01T00:00:00Zjunk",
                                      "2025-06-01T00:00:00.Z",
                                      "2025-06-01T00:00:00+0200"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(burh_attest_parse_rfc3339(text(bad[i]), &t));
}

static void test_platform_names_and_args(void **state)
{
    (void)state;
    burh_attest_platform p;
    assert_true(burh_attest_platform_from_name(text("snp"), &p));
    assert_int_equal(p, BURH_PLATFORM_SNP);
    assert_false(burh_attest_platform_from_name(text("sn"), &p));
    assert_null(burh_attest_platform_name((burh_attest_platform)99));
    burh_attest_verifier *v = NULL;
    assert_int_equal(burh_attest_verifier_new(&v, NULL), BURH_ATTEST_OK);
    burh_attest_result *r = NULL;
    assert_int_equal(burh_attest_verify(v, BURH_PLATFORM_SNP, (burh_bytes){NULL, 3}, &r, NULL),
                     BURH_ATTEST_ERR_ARGS);
    assert_int_equal(burh_attest_verify(v, BURH_PLATFORM_TDX, text("x"), &r, NULL), BURH_ATTEST_OK);
    assert_true(burh_attest_result_failed(r, "tdx.quote.format"));
    burh_attest_result_free(r);
    assert_int_equal(burh_attest_verify(v, BURH_PLATFORM_SGX, text("y"), &r, NULL), BURH_ATTEST_OK);
    assert_true(burh_attest_result_failed(r, "sgx.quote.format"));
    burh_attest_result_free(r);
    /* A DCAP header with an unknown TEE type is not an Intel quote; "snp" is the fallback. */
    uint8_t hdr[64] = {4, 0, 2, 0, 0x81, 0, 0, 0};
    assert_int_equal(burh_attest_detect_platform((burh_bytes){hdr, sizeof hdr}), BURH_PLATFORM_TDX);
    hdr[0] = 3, hdr[4] = 0;
    assert_int_equal(burh_attest_detect_platform((burh_bytes){hdr, sizeof hdr}), BURH_PLATFORM_SGX);
    hdr[4] = 7;
    assert_int_equal(burh_attest_detect_platform((burh_bytes){hdr, sizeof hdr}), BURH_PLATFORM_SNP);
    assert_int_equal(burh_attest_detect_platform((burh_bytes){hdr, 47}), BURH_PLATFORM_SNP);
    assert_int_equal(burh_attest_verifier_add_certs(v, text("not a certificate"), NULL),
                     BURH_ATTEST_ERR_MALFORMED);
    assert_int_equal(burh_attest_verifier_add_crl(v, text("-----BEGIN X509 CRL-----\n"), NULL),
                     BURH_ATTEST_ERR_MALFORMED);
    burh_attest_verifier_free(v);
}

static void test_kds_paths(void **state)
{
    (void)state;
    burh_snp_report rep = {0};
    char path[512];
    for (size_t i = 0; i < 64; i++)
        rep.chip_id[i] = (uint8_t)i;
    rep.reported_tcb = 3 | (uint64_t)8 << 48 | (uint64_t)115 << 56;
    assert_int_equal(
        burh_attest_kds_vcek_path(&rep, BURH_SNP_PRODUCT_GENOA, path, sizeof path, NULL),
        BURH_ATTEST_OK);
    assert_string_equal(path,
                        "/vcek/v1/Genoa/000102030405060708090a0b0c0d0e0f101112131415161718191a1b"
                        "1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e"
                        "3f?blSPL=03&teeSPL=00&snpSPL=08&ucodeSPL=115");
    /* Turin: 8-byte hwID, FMC first in TCB_VERSION. */
    rep.reported_tcb = 1 | 4 << 8 | 0 << 16 | 0x19 << 24 | (uint64_t)0x48 << 56;
    assert_int_equal(
        burh_attest_kds_vcek_path(&rep, BURH_SNP_PRODUCT_TURIN, path, sizeof path, NULL),
        BURH_ATTEST_OK);
    assert_string_equal(path,
                        "/vcek/v1/Turin/0001020304050607?fmcSPL=01&blSPL=04&teeSPL=00&snpSPL=25&"
                        "ucodeSPL=72");
    assert_int_equal(burh_attest_kds_vcek_path(&rep, BURH_SNP_PRODUCT_TURIN, path, 20, NULL),
                     BURH_ATTEST_ERR_ARGS);
    assert_int_equal(
        burh_attest_kds_vcek_path(&rep, BURH_SNP_PRODUCT_UNKNOWN, path, sizeof path, NULL),
        BURH_ATTEST_ERR_ARGS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_full_accepted),
        cmocka_unit_test(test_policy_rejects_mistakes),
        cmocka_unit_test(test_unsigned_roundtrip),
        cmocka_unit_test(test_unsigned_rejected_unless_allowed),
        cmocka_unit_test(test_kvm_measurement_pinned),
        cmocka_unit_test(test_snp_parse_edges),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_platform_names_and_args),
        cmocka_unit_test(test_kds_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
