/* test_kvm_measure.c: the kvm launch digest against its definition in docs/kvm.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "host/kvm.h"

static size_t put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return 8;
}

/* The definition written out flat: one SHA-384 over the concatenation. */
static void reference(const struct kvm_launch_inputs *in, uint8_t out[48])
{
    size_t cap = 18 + 8 + in->shim_size + 8 + in->payload_size + 24, n = 0;
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    memcpy(buf, "burh kvm launch v1", 18);
    n = 18;
    n += put64(buf + n, in->shim_size);
    memcpy(buf + n, in->shim, in->shim_size);
    n += in->shim_size;
    n += put64(buf + n, in->payload_size);
    memcpy(buf + n, in->payload, in->payload_size);
    n += in->payload_size;
    n += put64(buf + n, BURH_HOSTCALL_ABI_VERSION);
    n += put64(buf + n, in->mem_size);
    n += put64(buf + n, in->flags);
    assert_int_equal(n, cap);
    SHA384(buf, n, out);
    free(buf);
}

static void test_matches_definition(void **state)
{
    (void)state;
    uint8_t shim[300], payload[1000], got[48], want[48];
    for (size_t i = 0; i < sizeof(shim); i++)
        shim[i] = (uint8_t)(i * 7);
    for (size_t i = 0; i < sizeof(payload); i++)
        payload[i] = (uint8_t)(i * 13 + 1);
    struct kvm_launch_inputs in = {shim, sizeof(shim), payload, sizeof(payload), 256u << 20, 0};
    assert_int_equal(kvm_launch_digest(&in, got), 0);
    reference(&in, want);
    assert_memory_equal(got, want, 48);
}

/* Every input is bound, and the boundary between shim and payload cannot be shifted. */
static void test_every_input_counts(void **state)
{
    (void)state;
    uint8_t bytes[64] = {1, 2, 3}, base[48], d[48];
    struct kvm_launch_inputs in = {bytes, 32, bytes + 32, 32, 256u << 20, 0};
    assert_int_equal(kvm_launch_digest(&in, base), 0);
    struct kvm_launch_inputs shifted = {bytes, 31, bytes + 31, 33, 256u << 20, 0};
    assert_int_equal(kvm_launch_digest(&shifted, d), 0);
    assert_memory_not_equal(base, d, 48);
    in.mem_size = 512u << 20;
    assert_int_equal(kvm_launch_digest(&in, d), 0);
    assert_memory_not_equal(base, d, 48);
    in.mem_size = 256u << 20;
    in.flags = BURH_BOOT_DEBUG_CONSOLE;
    assert_int_equal(kvm_launch_digest(&in, d), 0);
    assert_memory_not_equal(base, d, 48);
    in.flags = 0;
    bytes[40] ^= 1;
    assert_int_equal(kvm_launch_digest(&in, d), 0);
    assert_memory_not_equal(base, d, 48);
}

static void test_files(void **state)
{
    (void)state;
    char shim_path[] = "/tmp/burh-measure-shim-XXXXXX", pay_path[] = "/tmp/burh-measure-pay-XXXXXX";
    int a = mkstemp(shim_path), b = mkstemp(pay_path);
    assert_true(a >= 0 && b >= 0);
    assert_int_equal(write(a, "shim image", 10), 10);
    assert_int_equal(write(b, "payload", 7), 7);
    close(a);
    close(b);
    uint8_t got[48], want[48];
    char why[256];
    assert_int_equal(
        kvm_launch_digest_files(shim_path, pay_path, 64u << 20, 0, got, why, sizeof(why)), 0);
    struct kvm_launch_inputs in = {
        (const uint8_t *)"shim image", 10, (const uint8_t *)"payload", 7, 64u << 20, 0};
    reference(&in, want);
    assert_memory_equal(got, want, 48);
    unlink(pay_path);
    assert_int_equal(
        kvm_launch_digest_files(shim_path, pay_path, 64u << 20, 0, got, why, sizeof(why)), -1);
    assert_non_null(strstr(why, pay_path));
    unlink(shim_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_definition),
        cmocka_unit_test(test_every_input_counts),
        cmocka_unit_test(test_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
