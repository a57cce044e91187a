/* test_kvm_mem.c: the checked guest-address translator and the boot page tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "host/kvm.h"

#define PTE_P  1ull
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)

static void test_span_bounds(void **state)
{
    (void)state;
    uint8_t buf[4096];
    struct kvm_guest_mem mem = {buf, sizeof(buf)};
    assert_ptr_equal(kvm_guest_span(&mem, 0, sizeof(buf)), buf);
    assert_ptr_equal(kvm_guest_span(&mem, 4000, 96), buf + 4000);
    assert_ptr_equal(kvm_guest_span(&mem, 4096, 0), buf + 4096); /* empty span at the end */
    assert_null(kvm_guest_span(&mem, 4000, 97));
    assert_null(kvm_guest_span(&mem, 4097, 0));
    assert_null(kvm_guest_span(&mem, 0, sizeof(buf) + 1));
    /* gpa + len wraps around 2^64: must not look small */
    assert_null(kvm_guest_span(&mem, 16, UINT64_MAX - 8));
    assert_null(kvm_guest_span(&mem, UINT64_MAX, 2));
    assert_null(kvm_guest_span(NULL, 0, 1));
    struct kvm_guest_mem none = {NULL, 4096};
    assert_null(kvm_guest_span(&none, 0, 1));
}

static uint64_t entry_at(const struct kvm_guest_mem *mem, uint64_t gpa)
{
    uint64_t v;
    memcpy(&v, kvm_guest_span(mem, gpa, 8), 8);
    return v;
}

static void test_page_tables(void **state)
{
    (void)state;
    uint64_t size = 66ull << 20; /* not a power of two: the last 2 MiB page must be mapped */
    struct kvm_guest_mem mem = {calloc(1, size), size};
    assert_non_null(mem.base);
    assert_int_equal(kvm_build_page_tables(&mem), 0);
    uint64_t pml4e = entry_at(&mem, BURH_GPA_PML4 + BURH_PML4_DIRECT * 8);
    assert_int_equal(pml4e & ~0xfffull, BURH_GPA_PDPT_DIRECT);
    assert_true(pml4e & PTE_P);
    for (unsigned i = 0; i < 512; i++)
        if (i != BURH_PML4_DIRECT)
            assert_int_equal(entry_at(&mem, BURH_GPA_PML4 + i * 8), 0);
    assert_int_equal(entry_at(&mem, BURH_GPA_PDPT_DIRECT) & ~0xfffull, BURH_GPA_PD_DIRECT);
    assert_int_equal(entry_at(&mem, BURH_GPA_PDPT_DIRECT + 8), 0);
    for (uint64_t i = 0; i < 512; i++) {
        uint64_t pde = entry_at(&mem, BURH_GPA_PD_DIRECT + i * 8);
        uint64_t pa = i << 21;
        if (pa >= size) {
            assert_int_equal(pde, 0);
            continue;
        }
        assert_int_equal(pde & 0x000ffffffffff000ull, pa);
        assert_true((pde & PTE_P) && (pde & PTE_PS));
        int shim = pa >= BURH_GPA_SHIM && pa < BURH_GPA_SHIM + BURH_SHIM_MAX;
        assert_int_equal(!!(pde & PTE_NX), !shim);
    }
    assert_int_equal(entry_at(&mem, BURH_GPA_BOOT_GDT + BURH_BOOT_SEL_CODE), 0x00af9a000000ffffull);
    free(mem.base);
}

static void test_page_tables_refuse_bad_sizes(void **state)
{
    (void)state;
    static uint8_t small[1 << 16];
    struct kvm_guest_mem mem = {small, BURH_MEM_MIN - (2u << 20)};
    assert_int_equal(kvm_build_page_tables(&mem), -1);
    mem.size = BURH_MEM_MIN + 4096; /* not a whole number of 2 MiB pages */
    assert_int_equal(kvm_build_page_tables(&mem), -1);
    mem.size = BURH_MEM_MAX + (2u << 20);
    assert_int_equal(kvm_build_page_tables(&mem), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_span_bounds),
        cmocka_unit_test(test_page_tables),
        cmocka_unit_test(test_page_tables_refuse_bad_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
