/* SNP certificate checks one by one (chain, chip id, validity, CRLs, VLEK) on a test PKI. */
#include "snp_pki.h"

static void test_good_chain_accepted(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    expect_verdict(vcek, P.ask, NULL, &rs, NULL);
    X509_free(vcek);
}

static void test_wrong_chip_id(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    uint8_t other[64];
    memcpy(other, P.chip_id, 64);
    other[63] ^= 1;
    cs.hwid = other;
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.vcek.chip_id");
    X509_free(vcek);
}

/* With several VCEKs in the collateral, the one for this chip is used. */
static void test_vcek_picked_by_chip_id(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    uint8_t other[64];
    memset(other, 0x42, sizeof other);
    cs.hwid = other;
    cs.key = P.other_ec_key;
    X509 *stranger = make_cert(&cs);
    cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    burh_attest_verifier *v = verifier_with(stranger, P.ask, NULL);
    add_der(v, vcek, false);
    report_spec rs = good_report();
    burh_attest_result *r = run(v, &rs);
    assert_true(burh_attest_result_accepted(r));
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);
    X509_free(vcek);
    X509_free(stranger);
}

static void test_masked_chip_id(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    rs.zero_chip_id = true;
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.vcek.chip_id");
    expect_verdict(vcek, P.ask, "{\"snp\": {\"allow_masked_chip_id\": true}}", &rs, NULL);
    X509_free(vcek);
}

static void test_expired_and_not_yet_valid(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    cs.not_after = AT - 10;
    X509 *expired = make_cert(&cs);
    report_spec rs = good_report();
    expect_verdict(expired, P.ask, NULL, &rs, "snp.chain.validity");
    cs = vcek_spec();
    cs.not_before = AT + 10;
    X509 *early = make_cert(&cs);
    expect_verdict(early, P.ask, NULL, &rs, "snp.chain.validity");
    X509_free(expired);
    X509_free(early);
}

static unsigned char *make_crl(X509 *issuer, EVP_PKEY *key, long revoked_serial, int64_t next,
                               int *len)
{
    X509_CRL *crl = X509_CRL_new();
    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer));
    ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)(AT - 86400));
    X509_CRL_set1_lastUpdate(crl, t);
    ASN1_TIME_set(t, (time_t)next);
    X509_CRL_set1_nextUpdate(crl, t);
    X509_REVOKED *rev = X509_REVOKED_new();
    ASN1_INTEGER *serial = ASN1_INTEGER_new();
    ASN1_INTEGER_set(serial, revoked_serial);
    X509_REVOKED_set_serialNumber(rev, serial);
    ASN1_TIME_set(t, (time_t)(AT - 86400));
    X509_REVOKED_set_revocationDate(rev, t);
    X509_CRL_add0_revoked(crl, rev);
    X509_CRL_sort(crl);
    sign_pss(NULL, crl, key);
    unsigned char *der = NULL;
    *len = i2d_X509_CRL(crl, &der);
    ASN1_INTEGER_free(serial);
    ASN1_TIME_free(t);
    X509_CRL_free(crl);
    return der;
}

static void crl_case(long revoked_serial, X509 *issuer, EVP_PKEY *key, int64_t next,
                     const char *expect)
{
    cert_spec cs = vcek_spec();
    cs.serial = 77;
    X509 *vcek = make_cert(&cs);
    burh_attest_verifier *v = verifier_with(vcek, P.ask, NULL);
    int len = 0;
    unsigned char *der = make_crl(issuer, key, revoked_serial, next, &len);
    assert_int_equal(burh_attest_verifier_add_crl(v, (burh_bytes){der, (size_t)len}, NULL),
                     BURH_ATTEST_OK);
    OPENSSL_free(der);
    report_spec rs = good_report();
    burh_attest_result *r = run(v, &rs);
    if (expect) {
        assert_true(burh_attest_result_failed(r, expect));
        assert_int_equal(burh_attest_result_failed_count(r), 1);
    } else {
        assert_true(burh_attest_result_accepted(r));
    }
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);
    X509_free(vcek);
}

static void test_crl(void **state)
{
    (void)state;
    crl_case(77, P.ask, P.ask_key, AT + YEAR, "snp.chain.revoked");   /* ASK revokes the VCEK */
    crl_case(2, P.ark, P.ark_key, AT + YEAR, "snp.chain.revoked");    /* ARK revokes the ASK */
    crl_case(78, P.ask, P.ask_key, AT + YEAR, NULL);                  /* someone else revoked */
    crl_case(77, P.ask, P.rogue_key, AT + YEAR, "snp.crl.signature"); /* forged CRL */
    crl_case(78, P.ark, P.ark_key, AT - 10, "snp.crl.stale");         /* out of date CRL */
}

static void test_wrong_key_kind(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    rs.key_info = BURH_SNP_KEY_VLEK << 2; /* the report claims a VLEK, the cert is a VCEK */
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.vcek.kind");
    X509_free(vcek);
}

static void test_vlek_accepted(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    cs.cn = "SEV-VLEK";
    cs.key = P.vlek_key;
    cs.issuer = P.asvk;
    cs.issuer_key = P.asvk_key;
    cs.hwid = NULL;
    cs.product = "Milan";
    X509 *vlek = make_cert(&cs);
    report_spec rs = good_report();
    rs.key_info = BURH_SNP_KEY_VLEK << 2;
    rs.zero_chip_id = true;
    rs.signer = P.vlek_key;
    expect_verdict(vlek, P.asvk, NULL, &rs, NULL);
    X509_free(vlek);
}

static void test_bad_chain(void **state)
{
    (void)state;
    /* The VCEK is signed by the rogue key while the real ASK is in the collateral. */
    cert_spec cs = vcek_spec();
    cs.issuer_key = P.rogue_key;
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report();
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.chain.signature");
    X509_free(vcek);
    /* A forged ASK with the real name: its self-signature is not the ARK's. */
    cs = vcek_spec();
    cs.issuer = P.rogue_ask;
    cs.issuer_key = P.rogue_key;
    vcek = make_cert(&cs);
    expect_verdict(vcek, P.rogue_ask, NULL, &rs, "snp.chain.signature");
    X509_free(vcek);
}

static void test_untrusted_root(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    X509 *vcek = make_cert(&cs);
    /* No trust store: the test ARK is not one of AMD's pinned fingerprints. */
    burh_attest_verifier *v = NULL;
    assert_int_equal(burh_attest_verifier_new(&v, NULL), BURH_ATTEST_OK);
    add_der(v, P.ark, false);
    add_der(v, P.ask, false);
    add_der(v, vcek, false);
    burh_attest_verifier_set_time(v, AT);
    report_spec rs = good_report();
    burh_attest_result *r = run(v, &rs);
    assert_true(burh_attest_result_failed(r, "snp.ark.untrusted"));
    assert_true(burh_attest_result_failed(r, "snp.chain.untrusted"));
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);
    X509_free(vcek);
}

static void test_product_mismatch_and_missing_collateral(void **state)
{
    (void)state;
    cert_spec cs = vcek_spec();
    cs.product = "Genoa";
    X509 *vcek = make_cert(&cs);
    report_spec rs = good_report(); /* CPUID says Milan */
    expect_verdict(vcek, P.ask, NULL, &rs, "snp.vcek.product");
    X509_free(vcek);

    burh_attest_verifier *v = NULL;
    assert_int_equal(burh_attest_verifier_new(&v, NULL), BURH_ATTEST_OK);
    burh_attest_result *r = run(v, &rs);
    assert_true(burh_attest_result_failed(r, "snp.collateral.missing"));
    burh_attest_result_free(r);
    burh_attest_verifier_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_chain_accepted),
        cmocka_unit_test(test_wrong_chip_id),
        cmocka_unit_test(test_vcek_picked_by_chip_id),
        cmocka_unit_test(test_masked_chip_id),
        cmocka_unit_test(test_expired_and_not_yet_valid),
        cmocka_unit_test(test_crl),
        cmocka_unit_test(test_wrong_key_kind),
        cmocka_unit_test(test_vlek_accepted),
        cmocka_unit_test(test_bad_chain),
        cmocka_unit_test(test_untrusted_root),
        cmocka_unit_test(test_product_mismatch_and_missing_collateral),
    };
    return cmocka_run_group_tests(tests, setup_pki, teardown_pki);
}
