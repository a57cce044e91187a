/* The attester on a fake configfs-tsm tree: bad blobs, unknown providers, bad arguments. */
#include "fake_tsm.h"

static void test_bad_outblobs(void **state)
{
    assert_int_equal(run_mode(state, OUT_SHORT, AUX_CERTS), BURH_ATTESTER_ERR_MALFORMED);
    assert_int_equal(run_mode(state, OUT_EMPTY, AUX_CERTS), BURH_ATTESTER_ERR_MALFORMED);
    assert_int_equal(run_mode(state, OUT_OVERSIZED, AUX_CERTS), BURH_ATTESTER_ERR_TOO_LARGE);
    assert_int_equal(run_mode(state, OUT_GARBAGE, AUX_CERTS), BURH_ATTESTER_ERR_NOT_BOUND);
    assert_int_equal(run_mode(state, OUT_SNP_STALE, AUX_CERTS), BURH_ATTESTER_ERR_NOT_BOUND);
}

static void test_bad_auxblobs(void **state)
{
    const aux_mode bad[] = {AUX_OUTSIDE, AUX_IN_TABLE,  AUX_OVERLAP,
                            AUX_NO_END,  AUX_DUPLICATE, AUX_NOT_DER};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(run_mode(state, OUT_SNP, bad[i]), BURH_ATTESTER_ERR_CERT_TABLE);
    assert_int_equal(run_mode(state, OUT_SNP, AUX_OVERSIZED), BURH_ATTESTER_ERR_TOO_LARGE);
}

static void test_unknown_provider(void **state)
{
    fake_tsm *f = *state;
    f->provider = "arm_cca_guest";
    burh_attester_config cfg = config_for(f);
    uint8_t rd[64] = {0};
    burh_evidence ev;
    burh_attester_error err;
    assert_int_equal(request(&cfg, rd, &ev, &err), BURH_ATTESTER_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.message, "arm_cca_guest"));
    assert_int_equal(f->serves, 0);
}

static void test_detect(void **state)
{
    fake_tsm *f = *state;
    burh_attester_config cfg = config_for(f);
    burh_attester_detection d;
    burh_attester_error err;
    assert_int_equal(burh_attester_detect(&cfg, &d, &err), BURH_ATTESTER_OK);
    assert_int_equal(d.platform, BURH_ATTESTER_PLATFORM_SNP);
    assert_int_equal(d.source, BURH_ATTESTER_SOURCE_TSM);
    assert_string_equal(d.provider, "sev_guest");
    assert_true(d.tsm_present);
}

static int failing_entry_made(void *ctx, const char *path)
{
    (void)ctx;
    (void)path;
    return -1;
}

static void test_bad_arguments(void **state)
{
    fake_tsm *f = *state;
    burh_attester_config cfg = config_for(f);
    uint8_t rd[64] = {0};
    burh_evidence ev;
    burh_attester_error err;
    assert_int_equal(burh_attester_get_evidence(&cfg, NULL, &ev, &err), BURH_ATTESTER_ERR_ARGS);
    assert_int_equal(burh_attester_get_evidence(&cfg, rd, NULL, &err), BURH_ATTESTER_ERR_ARGS);
    assert_int_equal(burh_attester_detect(&cfg, NULL, &err), BURH_ATTESTER_ERR_ARGS);
    cfg.tsm_root = (burh_attester_str){"/tmp\0x", 6};
    assert_int_equal(burh_attester_get_evidence(&cfg, rd, &ev, NULL), BURH_ATTESTER_ERR_ARGS);
    /* a stand-in that cannot fill the entry: an IO error, and the entry is still removed */
    cfg = config_for(f);
    burh_attester_tsm_hooks broken = {f, failing_entry_made, NULL};
    cfg.tsm_hooks = &broken;
    assert_int_equal(burh_attester_get_evidence(&cfg, rd, &ev, &err), BURH_ATTESTER_ERR_IO);
    assert_string_equal(burh_attester_strerror(BURH_ATTESTER_ERR_RACE),
                        "another writer raced every attempt");
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* the fake provider writes to readers that give up early */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bad_outblobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_auxblobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_provider, setup, teardown),
        cmocka_unit_test_setup_teardown(test_detect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
