/* test_kvm_shim_mm.c: the shim's memory manager (src/shim/mm.c) run on the host: regions, lazy
 * backing, protections, unmapping, brk and running out of memory. */
#define BURH_SHIM_HOST_TEST 1
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim/mm.c"
#include "kvm_shim_fixture.h"

#define FREE_GPA (16ull << 20)
#define BASE     0x10000000ull

static int setup(void **state)
{
    (void)state;
    if (fixture_reset() != 0)
        return -1;
    g_boot.mem_size = PHYS_SIZE;
    g_boot.free_gpa = FREE_GPA;
    mm_init();
    return 0;
}

static uint64_t pte(uint64_t va)
{
    uint64_t *e = pte_of(va, 0, NULL);
    return e ? *e : 0;
}

static void test_lazy_backing(void **state)
{
    (void)state;
    assert_int_equal(mm_map_region(BASE, BASE + 16 * PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(pte(BASE), 0); /* nothing backed until touched */
    uint64_t before = g_frame_next;
    assert_int_equal(mm_handle_fault(BASE + 5, PF_WRITE), 0);
    uint64_t e = pte(BASE);
    assert_true((e & PTE_P) && (e & PTE_W) && (e & PTE_U) && (e & PTE_NX));
    assert_true(g_frame_next > before);
    assert_int_equal(mm_user_ok(BASE, 16 * PAGE_SIZE, 1), 0);
    assert_true(pte(BASE + 15 * PAGE_SIZE) & PTE_P);
    assert_int_equal(mm_handle_fault(BASE + 16 * PAGE_SIZE, 0), -1); /* past the region */
}

static void test_prot_none_reservation(void **state)
{
    (void)state;
    uint64_t size = 1ull << 30, r = mm_find_gap(size);
    assert_int_equal(r, 0x00007f0000000000ull - size);
    assert_int_equal(mm_map_region(r, r + size, PROT_NONE), 0);
    uint64_t before = g_frame_next;
    assert_int_equal(mm_user_ok(r + 4096, 1, 0), -1);
    assert_int_equal(mm_handle_fault(r + 4096, 0), -1);
    assert_int_equal(mm_protect(r + (64 << 20), 16 * PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(g_nregions, 3);
    assert_int_equal(mm_user_ok(r + (64 << 20), 16 * PAGE_SIZE, 1), 0);
    assert_int_equal(mm_user_ok(r + (64 << 20) - 1, 2, 0), -1); /* straddles into PROT_NONE */
    assert_true(g_frame_next - before < 32 * PAGE_SIZE);        /* 1 GiB cost almost nothing */
    assert_int_equal(mm_unmap(r, size), 0);
    assert_int_equal(g_nregions, 0);
    assert_int_equal(pte(r + (64 << 20)), 0);
}

static void test_protect_keeps_contents(void **state)
{
    (void)state;
    assert_int_equal(mm_map_region(BASE, BASE + PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(mm_user_ok(BASE, 8, 1), 0);
    uint64_t frame = pte(BASE) & PTE_ADDR;
    memcpy(phys_to_virt(frame), "secret", 6);
    assert_int_equal(mm_protect(BASE, PAGE_SIZE, PROT_NONE), 0);
    assert_false(pte(BASE) & PTE_P);
    assert_true(pte(BASE) & PTE_BACKED);
    assert_int_equal(mm_protect(BASE, PAGE_SIZE, PROT_READ), 0);
    assert_int_equal(mm_handle_fault(BASE, PF_WRITE), -1); /* read-only now */
    assert_int_equal(pte(BASE) & PTE_ADDR, frame);
    assert_memory_equal(phys_to_virt(frame), "secret", 6);
    assert_int_equal(mm_protect(BASE + PAGE_SIZE, PAGE_SIZE, PROT_READ), -ENOMEM); /* a hole */
}

static void test_unmap_splits_and_recycles(void **state)
{
    (void)state;
    assert_int_equal(mm_map_region(BASE, BASE + 8 * PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(mm_user_ok(BASE, 8 * PAGE_SIZE, 1), 0);
    uint64_t freed = pte(BASE + 3 * PAGE_SIZE) & PTE_ADDR;
    uint64_t freed_last = pte(BASE + 4 * PAGE_SIZE) & PTE_ADDR;
    memset(phys_to_virt(freed), 0xab, PAGE_SIZE);
    assert_int_equal(mm_unmap(BASE + 3 * PAGE_SIZE, 2 * PAGE_SIZE), 0);
    assert_int_equal(g_nregions, 2);
    assert_int_equal(mm_user_ok(BASE + 3 * PAGE_SIZE, 1, 0), -1);
    assert_int_equal(mm_user_ok(BASE + 5 * PAGE_SIZE, 1, 0), 0);
    /* Never-used frames come first (zero already, nothing to clear); then the free list, last
     * freed first, and a recycled frame is cleared. */
    uint64_t fresh = g_frame_next;
    assert_int_equal(mm_frame_alloc(), fresh);
    g_frame_next = g_frame_end;
    assert_int_equal(mm_frame_alloc(), freed_last);
    uint64_t again = mm_frame_alloc();
    assert_int_equal(again, freed);
    uint8_t zero[PAGE_SIZE] = {0};
    assert_memory_equal(phys_to_virt(again), zero, PAGE_SIZE);
}

static void test_fault_permissions(void **state)
{
    (void)state;
    assert_int_equal(mm_map_region(BASE, BASE + PAGE_SIZE, PROT_READ), 0);
    assert_int_equal(mm_map_region(BASE + PAGE_SIZE, BASE + 2 * PAGE_SIZE, PROT_READ | PROT_EXEC),
                     0);
    assert_int_equal(mm_handle_fault(BASE, PF_WRITE), -1);
    assert_int_equal(mm_handle_fault(BASE, PF_FETCH), -1);
    assert_int_equal(mm_handle_fault(BASE + PAGE_SIZE, PF_FETCH), 0);
    assert_false(pte(BASE + PAGE_SIZE) & PTE_NX);
    assert_int_equal(mm_handle_fault(BASE + PAGE_SIZE, PF_PRESENT | PF_WRITE), -1);
    assert_int_equal(mm_user_ok(BASE, 8, 1), -1); /* no writing through read-only pages */
}

static void test_user_pointer_bounds(void **state)
{
    (void)state;
    assert_int_equal(mm_user_ok(0, 0, 0), 0); /* empty ranges are fine, as in Linux */
    assert_int_equal(mm_user_ok(0, 1, 0), -1);
    assert_int_equal(mm_user_ok(BURH_USER_MIN - 1, 1, 0), -1);
    assert_int_equal(mm_user_ok(BURH_VA_DIRECT, 8, 0), -1);
    assert_int_equal(mm_user_ok(0x7ffffffff000ull, UINT64_MAX - 0x1000, 0), -1);
    assert_int_equal(mm_map_region(BASE, BASE + PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(mm_user_ok(BASE, UINT64_MAX, 0), -1);
    assert_int_equal(mm_map_region(BURH_USER_MAX - PAGE_SIZE, BURH_USER_MAX + PAGE_SIZE, PROT_READ),
                     -ENOMEM);
}

static void test_brk(void **state)
{
    (void)state;
    uint64_t base = 0x4a7000;
    mm_set_brk_base(base);
    assert_int_equal(mm_brk(0), base);
    assert_int_equal(mm_brk(base + 10000), base + 10000);
    assert_int_equal(mm_user_ok(base, 10000, 1), 0);
    assert_int_equal(mm_brk(base - 1), base + 10000);            /* below the start: refused */
    assert_int_equal(mm_brk(base + (2ull << 30)), base + 10000); /* above the limit */
    assert_int_equal(mm_brk(base + 100), base + 100);
    assert_int_equal(mm_user_ok(base + PAGE_SIZE, 1, 0), -1); /* shrunk away */
    assert_int_equal(mm_map_region(base + 4 * PAGE_SIZE, base + 5 * PAGE_SIZE, PROT_READ), 0);
    assert_int_equal(mm_brk(base + 8 * PAGE_SIZE), base + 100); /* would overlap a mapping */
}

static void test_discard_reads_zero(void **state)
{
    (void)state;
    assert_int_equal(mm_map_region(BASE, BASE + PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(mm_user_ok(BASE, 1, 1), 0);
    memset(phys_to_virt(pte(BASE) & PTE_ADDR), 0x77, PAGE_SIZE);
    assert_int_equal(mm_discard(BASE, PAGE_SIZE), 0);
    assert_int_equal(pte(BASE), 0);
    assert_int_equal(mm_user_ok(BASE, 1, 0), 0);
    assert_int_equal(*(uint8_t *)phys_to_virt(pte(BASE) & PTE_ADDR), 0);
}

static void test_region_table_full(void **state)
{
    (void)state;
    int err = 0;
    for (uint64_t i = 0; i < MAX_REGIONS + 8 && !err; i++)
        err = mm_map_region(BASE + 2 * i * PAGE_SIZE, BASE + (2 * i + 1) * PAGE_SIZE,
                            (i & 1) ? PROT_READ : PROT_NONE);
    assert_int_equal(err, -ENOMEM);
    assert_true(g_nregions <= MAX_REGIONS);
    /* A full table refuses cleanly (Linux: ENOMEM past vm.max_map_count) and stays usable. */
    assert_int_equal(mm_protect(BASE, PAGE_SIZE, PROT_READ), -ENOMEM);
    assert_int_equal(mm_unmap(BASE, 4 * PAGE_SIZE), 0);
    assert_int_equal(mm_map_region(BASE, BASE + PAGE_SIZE, PROT_NONE), 0);
    assert_int_equal(mm_protect(BASE, PAGE_SIZE, PROT_READ), 0);
    assert_int_equal(mm_user_ok(BASE, 1, 0), 0);
}

static void test_out_of_memory_aborts(void **state)
{
    (void)state;
    assert_int_equal(mm_map_region(BASE, BASE + (64ull << 20), PROT_READ | PROT_WRITE), 0);
    g_expect_abort = 1;
    if (setjmp(g_abort_jump) == 0) {
        mm_user_ok(BASE, 64ull << 20, 1); /* more than the 48 MiB of free frames */
        fail_msg("no abort when frames ran out");
    }
    assert_non_null(strstr(g_abort_message, "out of guest memory"));
}

/* The vDSO's pages are the shim's own frames: present at once, never writable, never freed. */
static void test_sealed_shim_pages(void **state)
{
    (void)state;
    uint64_t pa = FREE_GPA - 4 * PAGE_SIZE; /* below free memory: no frame the allocator owns */
    assert_int_equal(mm_map_shim_pages(BASE, BASE + 2 * PAGE_SIZE, PROT_READ | PROT_EXEC, pa), 0);
    uint64_t e = pte(BASE + PAGE_SIZE);
    assert_int_equal(e & PTE_ADDR, pa + PAGE_SIZE);
    assert_true((e & PTE_P) && (e & PTE_FOREIGN) && !(e & PTE_W) && !(e & PTE_NX));
    assert_int_equal(mm_protect(BASE, PAGE_SIZE, PROT_READ | PROT_WRITE), -EACCES);
    assert_int_equal(mm_protect(BASE, PAGE_SIZE, PROT_READ), -EACCES);
    assert_int_equal(mm_user_ok(BASE, 8, 1), -1); /* no syscall writes into them either */
    assert_int_equal(mm_discard(BASE, PAGE_SIZE), 0);
    assert_int_equal(g_free_list, 0);
    assert_int_equal(mm_handle_fault(BASE, PF_WRITE), -1);
    assert_int_equal(mm_handle_fault(BASE, 0), 0); /* back in place, the same frame */
    assert_int_equal(pte(BASE) & PTE_ADDR, pa);
    assert_int_equal(mm_unmap(BASE, 2 * PAGE_SIZE), 0);
    assert_int_equal(g_free_list, 0);
    assert_int_equal(g_nregions, 0);
}

/* A fault backs its aligned block of never-used entries with consecutive fresh frames, and the
 * rest of the region stays unbacked until touched. */
static void test_fault_block(void **state)
{
    (void)state;
    uint64_t pages = 2 * FAULT_AROUND / PAGE_SIZE, next = g_frame_next;
    assert_int_equal(mm_map_region(BASE, BASE + pages * PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(mm_handle_fault(BASE + FAULT_AROUND + 3, PF_WRITE), 0);
    uint64_t tables = (pte(BASE + FAULT_AROUND) & PTE_ADDR) - next; /* page tables came first */
    for (uint64_t i = pages / 2; i < pages; i++)
        assert_int_equal(pte(BASE + i * PAGE_SIZE) & PTE_ADDR,
                         next + tables + (i - pages / 2) * PAGE_SIZE);
    assert_int_equal(pte(BASE + (pages / 2 - 1) * PAGE_SIZE), 0);
    /* A block with a page kept through PROT_NONE and recycled frames on the free list: the
     * kept page keeps its frame and contents, the others get cleared frames. */
    assert_int_equal(mm_handle_fault(BASE, PF_WRITE), 0);
    uint64_t kept = pte(BASE + PAGE_SIZE) & PTE_ADDR;
    memcpy(phys_to_virt(kept), "kept", 4);
    memset(phys_to_virt(pte(BASE + 2 * PAGE_SIZE) & PTE_ADDR), 0x5a, PAGE_SIZE);
    assert_int_equal(mm_protect(BASE + PAGE_SIZE, PAGE_SIZE, PROT_NONE), 0);
    assert_int_equal(mm_unmap(BASE + 2 * PAGE_SIZE, PAGE_SIZE), 0);
    assert_int_equal(
        mm_map_region(BASE + 2 * PAGE_SIZE, BASE + 3 * PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(mm_protect(BASE + PAGE_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
    assert_true(pte(BASE + PAGE_SIZE) & PTE_P);
    assert_int_equal(pte(BASE + 2 * PAGE_SIZE), 0);
    assert_int_equal(mm_handle_fault(BASE + 2 * PAGE_SIZE, PF_WRITE), 0);
    assert_int_equal(pte(BASE + PAGE_SIZE) & PTE_ADDR, kept);
    assert_memory_equal(phys_to_virt(kept), "kept", 4);
    uint8_t zero[PAGE_SIZE] = {0};
    assert_memory_equal(phys_to_virt(pte(BASE + 2 * PAGE_SIZE) & PTE_ADDR), zero, PAGE_SIZE);
}

/* mprotect and munmap over many pages and across a page-table boundary. */
static void test_protect_across_tables(void **state)
{
    (void)state;
    uint64_t start = BASE + TABLE_SPAN - 40 * PAGE_SIZE, len = 80 * PAGE_SIZE;
    assert_int_equal(mm_map_region(start, start + len, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(mm_user_ok(start, len, 1), 0);
    uint64_t frame = pte(start + 60 * PAGE_SIZE) & PTE_ADDR;
    assert_int_equal(mm_protect(start, len, PROT_READ), 0);
    for (uint64_t va = start; va < start + len; va += PAGE_SIZE)
        assert_true((pte(va) & PTE_P) && !(pte(va) & PTE_W));
    assert_int_equal(pte(start + 60 * PAGE_SIZE) & PTE_ADDR, frame);
    assert_int_equal(mm_protect(start + 38 * PAGE_SIZE, 4 * PAGE_SIZE, PROT_NONE), 0);
    assert_false(pte(start + 39 * PAGE_SIZE) & PTE_P);
    assert_true(pte(start + 42 * PAGE_SIZE) & PTE_P);
    assert_int_equal(mm_unmap(start, len), 0);
    for (uint64_t va = start; va < start + len; va += PAGE_SIZE)
        assert_int_equal(pte(va), 0);
    int freed = 0; /* every frame went back to the free list, each once */
    for (uint64_t pa = g_free_list; pa && freed <= 80; pa = *(uint64_t *)phys_to_virt(pa))
        freed++;
    assert_int_equal(freed, 80);
}

/* munmap of a large sparse reservation finds the pages in every page directory and table,
 * and leaves the neighbours alone. */
static void test_unmap_sparse_reservation(void **state)
{
    (void)state;
    uint64_t size = 8ull << 30, r = mm_find_gap(size + PAGE_SIZE) + PAGE_SIZE;
    assert_int_equal(mm_map_region(r - PAGE_SIZE, r, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(mm_user_ok(r - PAGE_SIZE, 1, 1), 0);
    assert_int_equal(mm_map_region(r, r + size, PROT_NONE), 0);
    uint64_t spots[] = {0, TABLE_SPAN + 5 * PAGE_SIZE, (3ull << 30) - PAGE_SIZE, 7ull << 30,
                        size - PAGE_SIZE};
    for (size_t i = 0; i < sizeof(spots) / sizeof(spots[0]); i++) {
        assert_int_equal(mm_protect(r + spots[i], PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
        assert_int_equal(mm_user_ok(r + spots[i], 8, 1), 0);
        assert_true(pte(r + spots[i]) & PTE_P);
    }
    assert_int_equal(mm_unmap(r, size), 0);
    int freed = 0;
    for (uint64_t pa = g_free_list; pa && freed <= 5; pa = *(uint64_t *)phys_to_virt(pa))
        freed++;
    assert_int_equal(freed, 5);
    for (size_t i = 0; i < sizeof(spots) / sizeof(spots[0]); i++)
        assert_int_equal(pte(r + spots[i]), 0);
    assert_true(pte(r - PAGE_SIZE) & PTE_P);
    assert_int_equal(g_nregions, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lazy_backing, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_prot_none_reservation, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_protect_keeps_contents, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_unmap_splits_and_recycles, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_fault_permissions, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_user_pointer_bounds, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_brk, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_discard_reads_zero, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_region_table_full, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_out_of_memory_aborts, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_sealed_shim_pages, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_fault_block, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_protect_across_tables, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_unmap_sparse_reservation, setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
