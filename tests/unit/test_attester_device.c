/* The attester without configfs-tsm: missing trees, the sev-guest fallback, detection, and the
 * real hardware when this machine is a confidential VM. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "burh/attester.h"

static const char *const missing_root = "/nonexistent/burh/tsm/report";
static const char *const missing_dev = "/nonexistent/burh/guest-device";

static burh_attester_str str(const char *s)
{
    return (burh_attester_str){s, strlen(s)};
}

/* A regular file standing where a device node would be: it exists, but ioctls get ENOTTY. */
static void make_fake_device(char *path, size_t cap)
{
    snprintf(path, cap, "/tmp/burh-attester-dev-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
}

static void test_missing_tree(void **state)
{
    (void)state;
    burh_attester_config cfg = {0};
    cfg.tsm_root = str(missing_root);
    cfg.no_sev_guest = true;
    uint8_t rd[64] = {0};
    burh_evidence ev;
    burh_attester_error err;
    assert_int_equal(burh_attester_get_evidence(&cfg, rd, &ev, &err), BURH_ATTESTER_ERR_NO_DEVICE);
    assert_int_equal(err.status, BURH_ATTESTER_ERR_NO_DEVICE);
    assert_non_null(strstr(err.message, missing_root));
    assert_null(ev.report);
    /* the fallback device is missing too: both are named */
    cfg.no_sev_guest = false;
    cfg.sev_guest_dev = cfg.tdx_guest_dev = str(missing_dev);
    assert_int_equal(burh_attester_get_evidence(&cfg, rd, &ev, &err), BURH_ATTESTER_ERR_NO_DEVICE);
    assert_non_null(strstr(err.message, missing_root));
    assert_non_null(strstr(err.message, missing_dev));
    /* a root that is a file, not a directory */
    cfg.tsm_root = str("/etc/hostname");
    assert_int_equal(burh_attester_get_evidence(&cfg, rd, &ev, &err), BURH_ATTESTER_ERR_NO_DEVICE);
}

static void test_sev_guest_fallback_fails_cleanly(void **state)
{
    (void)state;
    char dev[64];
    make_fake_device(dev, sizeof dev);
    burh_attester_config cfg = {0};
    cfg.tsm_root = str(missing_root);
    cfg.sev_guest_dev = str(dev);
    uint8_t rd[64] = {0};
    burh_evidence ev;
    burh_attester_error err;
    assert_int_equal(burh_attester_get_evidence(&cfg, rd, &ev, &err), BURH_ATTESTER_ERR_IO);
    assert_int_equal(err.sys_errno, ENOTTY);
    assert_non_null(strstr(err.message, "SNP_GET_REPORT"));
    assert_null(ev.report);
    assert_null(ev.auxblob);
    burh_attester_detection d;
    assert_int_equal(burh_attester_detect(&cfg, &d, &err), BURH_ATTESTER_OK);
    assert_int_equal(d.platform, BURH_ATTESTER_PLATFORM_SNP);
    assert_int_equal(d.source, BURH_ATTESTER_SOURCE_SEV_GUEST);
    assert_false(d.tsm_present);
    assert_true(d.sev_guest_present);
    /* told not to use the device: nothing is left */
    cfg.no_sev_guest = true;
    cfg.tdx_guest_dev = str(missing_dev);
    assert_int_equal(burh_attester_get_evidence(&cfg, rd, &ev, &err), BURH_ATTESTER_ERR_NO_DEVICE);
    unlink(dev);
}

static void test_tdx_device_without_tsm(void **state)
{
    (void)state;
    char dev[64];
    make_fake_device(dev, sizeof dev);
    burh_attester_config cfg = {0};
    cfg.tsm_root = str(missing_root);
    cfg.sev_guest_dev = str(missing_dev);
    cfg.tdx_guest_dev = str(dev);
    uint8_t rd[64] = {0};
    burh_evidence ev;
    burh_attester_error err;
    assert_int_equal(burh_attester_get_evidence(&cfg, rd, &ev, &err),
                     BURH_ATTESTER_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.message, "configfs-tsm"));
    burh_attester_detection d;
    assert_int_equal(burh_attester_detect(&cfg, &d, &err), BURH_ATTESTER_OK);
    assert_int_equal(d.platform, BURH_ATTESTER_PLATFORM_TDX);
    assert_int_equal(d.source, BURH_ATTESTER_SOURCE_TDX_GUEST);
    unlink(dev);
}

static void test_detect_nothing(void **state)
{
    (void)state;
    burh_attester_config cfg = {0};
    cfg.tsm_root = cfg.sev_guest_dev = cfg.tdx_guest_dev = str(missing_dev);
    burh_attester_detection d;
    burh_attester_error err;
    /* not an error: the caller picks the nil or kvm backend */
    assert_int_equal(burh_attester_detect(&cfg, &d, &err), BURH_ATTESTER_OK);
    assert_int_equal(d.platform, BURH_ATTESTER_PLATFORM_NONE);
    assert_int_equal(d.source, BURH_ATTESTER_SOURCE_NONE);
    assert_false(d.tsm_present || d.sev_guest_present || d.tdx_guest_present);
    assert_string_equal(d.provider, "");
    assert_string_equal(burh_attester_platform_name(d.platform), "none");
}

static void test_config_errors(void **state)
{
    (void)state;
    uint8_t rd[64] = {0};
    burh_evidence ev;
    burh_attester_error err;
    burh_attester_config cfg = {0};
    cfg.tsm_root = (burh_attester_str){NULL, 5};
    assert_int_equal(burh_attester_get_evidence(&cfg, rd, &ev, &err), BURH_ATTESTER_ERR_ARGS);
    char *huge = malloc(8192);
    assert_non_null(huge);
    memset(huge, 'a', 8192);
    cfg.tsm_root = (burh_attester_str){huge, 8192};
    assert_int_equal(burh_attester_get_evidence(&cfg, rd, &ev, &err), BURH_ATTESTER_ERR_ARGS);
    assert_int_equal(burh_attester_detect(&cfg, &(burh_attester_detection){0}, &err),
                     BURH_ATTESTER_ERR_ARGS);
    free(huge);
    burh_evidence_free(NULL);
    assert_null(burh_evidence_find_cert(NULL, BURH_ATTESTER_CERT_VCEK));
}

/* The real thing, when this machine is a confidential VM; otherwise a loud skip. */
static void test_real_hardware(void **state)
{
    (void)state;
    burh_attester_detection d;
    burh_attester_error err;
    assert_int_equal(burh_attester_detect(NULL, &d, &err), BURH_ATTESTER_OK);
    if (d.platform == BURH_ATTESTER_PLATFORM_NONE) {
        printf("SKIP: real-hardware attester path NOT exercised: no configfs-tsm provider, "
               "%s or %s here\n",
               BURH_ATTESTER_DEFAULT_SEV_DEV, BURH_ATTESTER_DEFAULT_TDX_DEV);
        skip();
    }
    uint8_t rd[64];
    srand((unsigned)time(NULL));
    for (size_t i = 0; i < sizeof rd; i++)
        rd[i] = (uint8_t)rand();
    burh_evidence ev;
    if (burh_attester_get_evidence(NULL, rd, &ev, &err) != BURH_ATTESTER_OK)
        fail_msg("%s via %s: %s", burh_attester_platform_name(d.platform),
                 burh_attester_source_name(d.source), err.message);
    assert_int_equal(ev.platform, d.platform);
    size_t at = ev.platform == BURH_ATTESTER_PLATFORM_SNP ? 0x50 : 48 + 520;
    if (ev.platform == BURH_ATTESTER_PLATFORM_TDX && ev.report[0] == 5)
        at += 6;
    assert_memory_equal(ev.report + at, rd, 64);
    printf("real %s evidence via %s: %zu bytes, %zu certificates\n",
           burh_attester_platform_name(ev.platform), burh_attester_source_name(ev.source),
           ev.report_len, ev.cert_count);
    burh_evidence_free(&ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_tree),
        cmocka_unit_test(test_sev_guest_fallback_fails_cleanly),
        cmocka_unit_test(test_tdx_device_without_tsm),
        cmocka_unit_test(test_detect_nothing),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_real_hardware),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
