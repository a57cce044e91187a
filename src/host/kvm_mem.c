/* kvm_mem.c: the checked guest-address translator and the boot page tables and GDT. */
#include <string.h>

#include "host/kvm.h"

#define PTE_P     (1ull << 0)
#define PTE_W     (1ull << 1)
#define PTE_PS    (1ull << 7)
#define PTE_NX    (1ull << 63)
#define HUGE_PAGE (2ull << 20)

void *kvm_guest_span(const struct kvm_guest_mem *mem, uint64_t gpa, uint64_t len)
{
    if (!mem || !mem->base || gpa > mem->size || len > mem->size - gpa)
        return NULL;
    return mem->base + gpa;
}

static int put_u64(const struct kvm_guest_mem *mem, uint64_t gpa, uint64_t value)
{
    uint8_t *p = kvm_guest_span(mem, gpa, sizeof(value));
    if (!p)
        return -1;
    memcpy(p, &value, sizeof(value));
    return 0;
}

/* One window: all guest memory at BURH_VA_DIRECT, where the shim is also linked. 2 MiB pages
 * above the shim's region are not executable. */
int kvm_build_page_tables(const struct kvm_guest_mem *mem)
{
    if (mem->size < BURH_MEM_MIN || mem->size > BURH_MEM_MAX || mem->size % HUGE_PAGE)
        return -1;
    void *tables = kvm_guest_span(mem, BURH_GPA_BOOT_GDT, BURH_GPA_TABLES_END - BURH_GPA_BOOT_GDT);
    if (!tables)
        return -1;
    memset(tables, 0, BURH_GPA_TABLES_END - BURH_GPA_BOOT_GDT);
    int err = 0;
    /* Boot GDT: null, unused, 64-bit code, data; the shim replaces it with its own at once. */
    err |= put_u64(mem, BURH_GPA_BOOT_GDT + BURH_BOOT_SEL_CODE, 0x00af9a000000ffffull);
    err |= put_u64(mem, BURH_GPA_BOOT_GDT + BURH_BOOT_SEL_DATA, 0x00cf92000000ffffull);
    err |= put_u64(mem, BURH_GPA_PML4 + BURH_PML4_DIRECT * 8, BURH_GPA_PDPT_DIRECT | PTE_P | PTE_W);
    uint64_t pages = mem->size / HUGE_PAGE;
    for (uint64_t gib = 0; gib * 512 < pages; gib++)
        err |= put_u64(mem, BURH_GPA_PDPT_DIRECT + gib * 8,
                       (BURH_GPA_PD_DIRECT + gib * 0x1000) | PTE_P | PTE_W);
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t pa = i * HUGE_PAGE;
        int shim_code = pa >= BURH_GPA_SHIM && pa < BURH_GPA_SHIM + BURH_SHIM_MAX;
        err |= put_u64(mem, BURH_GPA_PD_DIRECT + i * 8,
                       pa | PTE_P | PTE_W | PTE_PS | (shim_code ? 0 : PTE_NX));
    }
    return err ? -1 : 0;
}
