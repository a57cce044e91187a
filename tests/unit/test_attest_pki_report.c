/* SNP report checks one by one (TCB, guest policy, format, signature, Turin) on a test PKI. */
#include "snp_pki.h"

static void test_tcb_mismatch(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    rs.reported_tcb = milan_tcb(3, 0, 8, 116);
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.vcek.tcb");
    cs.spl[8] = -1; /* a VCEK without the microcode SPL cannot vouch for it */
    X509 *partial = make_cert(&cs);
    rs = good_report();
    expect_verdict(partial, P.ask, NULL, &rs, "snp.vcek.tcb");
    X509_free(partial);
    X509_free(vcek);
}

static void test_guest_policy_bits(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    rs.policy = 0x30000 | BURH_SNP_POLICY_DEBUG;
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.policy.debug");
    expect_verdict(vcek, P.ask, "{\"allow_debug\": true}", &rs, NULL);
    rs.policy = 0x30000 | BURH_SNP_POLICY_MIGRATE_MA;
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.policy.migrate_ma");
    expect_verdict(vcek, P.ask, "{\"allow_migrate\": true}", &rs, NULL);
    rs.policy = 0x10000; /* bit 17 clear */
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.policy.reserved");
    rs.policy = 0x30000 | (1ull << 40);
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.policy.reserved");
    X509_free(vcek);
}

static void test_report_format_checks(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    rs.poke_offset = 0x4C; /* reserved after KEY_INFO */
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.report.reserved");
    rs.poke_offset = 0x250; /* reserved tail of the signed area */
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.report.reserved");
    rs = good_report();
    rs.version = 4;
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.report.version");
    rs = good_report();
    rs.sig_algo = 2;
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.report.signature_algo");
    rs = good_report();
    rs.key_info = 2; /* MASK_CHIP_KEY */
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.report.key_info");
    rs = good_report();
    rs.key_info = 7 << 2; /* no signing key */
    burh_attest_verifier *v = verifier_with(vcek, P.ask, NULL);
    burh_attest_result *r = run(v, &rs);
    assert_true(burh_attest_result_failed(r, "snp.report.key_info"));
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);
    X509_free(vcek);
}

static void test_wrong_signature(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    rs.signer = P.other_ec_key;
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.report.signature");
    X509_free(vcek);
}

static void test_turin_layout(void **state)
{
    (void)state;
    static const uint8_t hwid8[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    cert_spec cs = vcek_spec();
    cs.product = "Turin";
    cs.hwid = hwid8;
    cs.hwid_len = 8;
    cs.spl[9] = 2; /* fmc */
    cs.spl[1] = 3;
    cs.spl[2] = 0;
    cs.spl[3] = 0x20;
    cs.spl[8] = 0xD0;
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    rs.family = 0x1A;
    rs.model = 0x02;
    /* Turin TCB_VERSION: fmc, bl, tee, snp, 3 reserved, microcode. */
    rs.reported_tcb = 2 | 3 << 8 | 0 << 16 | 0x20 << 24 | (uint64_t)0xD0 << 56;
    uint8_t saved[64];
    memcpy(saved, P.chip_id, 64);
    memset(P.chip_id, 0, 64);
    memcpy(P.chip_id, hwid8, 8);
    expect_verdict(vcek, P.ask, NULL, &rs, NULL);
    rs.reported_tcb ^= 1; /* fmc 3 */
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.vcek.tcb");
    memcpy(P.chip_id, saved, 64);
    X509_free(vcek);
}

static void test_relying_party_policy(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    char policy[512];
    snprintf(policy, sizeof policy, "{\"snp\": {\"measurement\": [\"%0*d\"]}}", 96, 0);
    expect_verdict(vcek, P.ask, policy, &rs, "policy.measurement");
    expect_verdict(vcek, P.ask,
                   "{\"snp\": {\"host_data\": [\""
                   "0000000000000000000000000000000000000000000000000000000000000001"
                   "\"]}}",
                   &rs, "policy.host_data");
    expect_verdict(vcek, P.ask, "{\"platforms\": [\"tdx\"]}", &rs, "policy.platform");
    expect_verdict(vcek, P.ask, "{\"snp\": {\"min_guest_svn\": 1}}", &rs, "policy.guest_svn");
    expect_verdict(vcek, P.ask, "{\"snp\": {\"max_vmpl\": 0, \"min_guest_svn\": 0}}", &rs, NULL);
    expect_verdict(vcek, P.ask, "{\"snp\": {\"min_tcb\": {\"bootloader\": 4}}}", &rs,
                   "policy.min_tcb");
    expect_verdict(vcek, P.ask, "{\"snp\": {\"min_tcb\": {\"bootloader\": 3, \"microcode\": 115}}}",
                   &rs, NULL);
    char good[512], cd[97];
    memset(cd, 'c', 96);
    for (int i = 0; i < 96; i += 2)
        cd[i + 1] = 'd';
    cd[96] = '\0';
    snprintf(good, sizeof good, "{\"snp\": {\"measurement\": [\"%s\"]}, \"report_data\": \"abab\"}",
             cd);
    expect_verdict(vcek, P.ask, good, &rs, "policy.report_data"); /* abab then zeros != ab..ab */
    X509_free(vcek);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcb_mismatch),         cmocka_unit_test(test_guest_policy_bits),
        cmocka_unit_test(test_report_format_checks), cmocka_unit_test(test_wrong_signature),
        cmocka_unit_test(test_turin_layout),         cmocka_unit_test(test_relying_party_policy),
    };
    return cmocka_run_group_tests(tests, setup_pki, teardown_pki);
}
