/* kvm_shim_fixture.h: what the host-run shim tests share: guest memory as a plain buffer and
 * stand-ins for the shim's abort and log (include once per test, after "shim/mm.c"). */
#ifndef BURH_TEST_KVM_SHIM_FIXTURE_H
#define BURH_TEST_KVM_SHIM_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PHYS_SIZE (64ull << 20)

/* Declared by shim.h, so defined here (each test is a single translation unit). */
uint8_t *burh_test_phys;
struct burh_boot_info g_boot;

/* A test that expects a refusal sets g_expect_abort and setjmps on g_abort_jump. */
static jmp_buf g_abort_jump;
static int g_expect_abort;
static char g_abort_message[256];

void shim_abort(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_abort_message, sizeof(g_abort_message), fmt, ap);
    va_end(ap);
    if (g_expect_abort)
        longjmp(g_abort_jump, 1);
    fail_msg("unexpected shim_abort: %s", g_abort_message);
    abort();
}

void shim_log(const char *fmt, ...)
{
    (void)fmt;
}

/* Fresh zeroed guest memory and an empty memory manager; 0, or -1 without memory. */
static inline int fixture_reset(void)
{
    burh_test_phys = calloc(1, PHYS_SIZE);
    if (!burh_test_phys)
        return -1;
    memset(g_regions, 0, sizeof(g_regions));
    g_nregions = 0;
    g_free_list = 0;
    g_expect_abort = 0;
    return 0;
}

static inline int fixture_teardown(void **state)
{
    (void)state;
    free(burh_test_phys);
    return 0;
}

#endif /* BURH_TEST_KVM_SHIM_FIXTURE_H */
