/* The attester on a fake configfs-tsm tree: reports, certificates, races, privlevel, TDX. */
#include "fake_tsm.h"

static void test_snp_report_and_certs(void **state)
{
    fake_tsm *f = *state;
    burh_attester_config cfg = config_for(f);
    uint8_t rd[64];
    make_report_data(rd);
    burh_evidence ev;
    burh_attester_error err;
    assert_int_equal(request(&cfg, rd, &ev, &err), BURH_ATTESTER_OK);
    assert_int_equal(ev.platform, BURH_ATTESTER_PLATFORM_SNP);
    assert_int_equal(ev.source, BURH_ATTESTER_SOURCE_TSM);
    assert_string_equal(ev.provider, "sev_guest");
    assert_int_equal(f->serves, 1);
    /* exactly the provider's bytes, binding our data, with a signature that still verifies */
    assert_int_equal(ev.report_len, BURH_ATTESTER_SNP_REPORT_SIZE);
    assert_memory_equal(ev.report, f->report, BURH_ATTESTER_SNP_REPORT_SIZE);
    assert_memory_equal(f->inblob, rd, 64);
    assert_memory_equal(ev.report + 0x50, rd, 64);
    assert_true(report_signature_ok(f->key, ev.report));
    /* the auxblob verbatim, and the table split into DER certificates without padding */
    assert_int_equal(ev.auxblob_len, f->auxblob_len);
    assert_memory_equal(ev.auxblob, f->auxblob, f->auxblob_len);
    assert_int_equal(ev.cert_count, 3);
    const burh_attester_cert_kind kinds[CERTS] = {BURH_ATTESTER_CERT_VCEK, BURH_ATTESTER_CERT_ASK,
                                                  BURH_ATTESTER_CERT_ARK};
    for (int i = 0; i < CERTS; i++) {
        const burh_evidence_cert *c = burh_evidence_find_cert(&ev, kinds[i]);
        assert_non_null(c);
        assert_int_equal(c->len, f->der_len[i]);
        assert_memory_equal(c->ptr, f->der[i], f->der_len[i]);
        const unsigned char *p = c->ptr;
        X509 *x = d2i_X509(NULL, &p, (long)c->len);
        assert_non_null(x);
        X509_free(x);
    }
    assert_null(burh_evidence_find_cert(&ev, BURH_ATTESTER_CERT_VLEK));
    burh_evidence_free(&ev);
    assert_null(ev.report);
    burh_evidence_free(&ev); /* twice is harmless */
}

static void test_each_call_binds_its_own_data(void **state)
{
    fake_tsm *f = *state;
    burh_attester_config cfg = config_for(f);
    for (int i = 0; i < 3; i++) {
        uint8_t rd[64];
        fill_random(rd, 64, 1000u + (unsigned)i);
        burh_evidence ev;
        burh_attester_error err;
        assert_int_equal(request(&cfg, rd, &ev, &err), BURH_ATTESTER_OK);
        assert_memory_equal(ev.report + 0x50, rd, 64);
        burh_evidence_free(&ev);
    }
    assert_int_equal(f->serves, 3);
}

static void test_no_or_empty_auxblob(void **state)
{
    fake_tsm *f = *state;
    for (int mode = 0; mode < 2; mode++) {
        f->aux = mode == 0 ? AUX_ABSENT : AUX_EMPTY;
        burh_attester_config cfg = config_for(f);
        uint8_t rd[64];
        make_report_data(rd);
        burh_evidence ev;
        burh_attester_error err;
        assert_int_equal(request(&cfg, rd, &ev, &err), BURH_ATTESTER_OK);
        assert_null(ev.auxblob);
        assert_int_equal(ev.cert_count, 0);
        assert_null(burh_evidence_find_cert(&ev, BURH_ATTESTER_CERT_VCEK));
        burh_evidence_free(&ev);
    }
}

static void test_generation_race_is_retried(void **state)
{
    fake_tsm *f = *state;
    f->races = 2;
    burh_attester_config cfg = config_for(f);
    uint8_t rd[64];
    make_report_data(rd);
    burh_evidence ev;
    burh_attester_error err;
    assert_int_equal(request(&cfg, rd, &ev, &err), BURH_ATTESTER_OK);
    assert_int_equal(f->serves, 3); /* two raced attempts, then a clean one */
    assert_memory_equal(ev.report + 0x50, rd, 64);
    burh_evidence_free(&ev);
}

static void test_generation_race_gives_up(void **state)
{
    fake_tsm *f = *state;
    f->races = 100;
    burh_attester_config cfg = config_for(f);
    cfg.max_attempts = 4;
    uint8_t rd[64];
    make_report_data(rd);
    burh_evidence ev;
    burh_attester_error err;
    assert_int_equal(request(&cfg, rd, &ev, &err), BURH_ATTESTER_ERR_RACE);
    assert_int_equal(f->serves, 4);
    assert_non_null(strstr(err.message, "generation"));
}

static void test_privlevel(void **state)
{
    fake_tsm *f = *state;
    f->honour_vmpl = true;
    burh_attester_config cfg = config_for(f);
    cfg.set_privlevel = true;
    cfg.privlevel = 2;
    uint8_t rd[64];
    make_report_data(rd);
    burh_evidence ev;
    burh_attester_error err;
    /* privlevel and inblob are two writes: the generation moves by two without a race */
    assert_int_equal(request(&cfg, rd, &ev, &err), BURH_ATTESTER_OK);
    assert_int_equal(ev.report[0x30], 2);
    burh_evidence_free(&ev);
    /* a provider that ignores the level is caught */
    f->honour_vmpl = false;
    assert_int_equal(request(&cfg, rd, &ev, &err), BURH_ATTESTER_ERR_NOT_BOUND);
    /* below the floor, and above 3 */
    f->floor = "3\n";
    assert_int_equal(request(&cfg, rd, &ev, &err), BURH_ATTESTER_ERR_ARGS);
    cfg.privlevel = 4;
    assert_int_equal(request(&cfg, rd, &ev, &err), BURH_ATTESTER_ERR_ARGS);
}

static void test_tdx_quote(void **state)
{
    fake_tsm *f = *state;
    f->provider = "tdx_guest";
    f->out = OUT_TDX;
    f->aux = AUX_ABSENT;
    burh_attester_config cfg = config_for(f);
    uint8_t rd[64];
    make_report_data(rd);
    burh_evidence ev;
    burh_attester_error err;
    assert_int_equal(request(&cfg, rd, &ev, &err), BURH_ATTESTER_OK);
    assert_int_equal(ev.platform, BURH_ATTESTER_PLATFORM_TDX);
    assert_int_equal(ev.report_len, 48 + 584 + 4 + 200);
    assert_memory_equal(ev.report + 48 + 520, rd, 64);
    assert_null(ev.auxblob);
    burh_evidence_free(&ev);
    f->out = OUT_TDX_BADLEN;
    assert_int_equal(request(&cfg, rd, &ev, &err), BURH_ATTESTER_ERR_MALFORMED);
    f->out = OUT_SNP; /* an SNP report from a "tdx_guest" provider */
    assert_int_equal(request(&cfg, rd, &ev, &err), BURH_ATTESTER_ERR_MALFORMED);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* the fake provider writes to readers that give up early */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_snp_report_and_certs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_each_call_binds_its_own_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_or_empty_auxblob, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generation_race_is_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generation_race_gives_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_privlevel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tdx_quote, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
