/* test_kvm_shim_elf.c: the shim's payload loader (src/shim/elf.c, over mm.c) run on the host:
 * segment mapping and refusals of bad files. (The initial stack is written through user
 * addresses, so it is checked by glibc starting up in tests/integration/kvm.sh.) */
#define BURH_SHIM_HOST_TEST 1
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shim/elf.c"
#include "shim/mm.c"
#include "kvm_shim_fixture.h"

#define FILE_SIZE 0x4000u
#define ENTRY     0x401000u

int shim_random_bytes(void *buf, size_t len)
{
    memset(buf, 0x5a, len);
    return 0;
}

uint64_t cpu_hwcap(void)
{
    return 0x178bfbffu;
}

static struct elf64_ehdr *ehdr(void)
{
    return (struct elf64_ehdr *)(burh_test_phys + BURH_GPA_PAYLOAD);
}

static struct elf64_phdr *phdr(int i)
{
    return (struct elf64_phdr *)(burh_test_phys + BURH_GPA_PAYLOAD + 64) + i;
}

/* Text (with the headers) at 0x400000 from offset 0; data at 0x403100 with 0x2f00 bytes of bss. */
static int setup(void **state)
{
    (void)state;
    if (fixture_reset() != 0)
        return -1;
    g_boot = (struct burh_boot_info){.mem_size = PHYS_SIZE,
                                     .payload_gpa = BURH_GPA_PAYLOAD,
                                     .payload_size = FILE_SIZE,
                                     .args_gpa = BURH_GPA_ARGS,
                                     .argc = 2,
                                     .envc = 1,
                                     .free_gpa = 32ull << 20};
    static const char args[] = "prog\0arg one\0K=V";
    memcpy(burh_test_phys + BURH_GPA_ARGS, args, sizeof(args));
    g_boot.args_size = sizeof(args);
    uint8_t *file = burh_test_phys + BURH_GPA_PAYLOAD;
    memset(file + 0x1000, 0xcc, 0x2000);
    memset(file + 0x3100, 0x11, 0x100);
    *ehdr() = (struct elf64_ehdr){.ident = "\177ELF\2\1\1",
                                  .type = ET_EXEC,
                                  .machine = EM_X86_64,
                                  .version = 1,
                                  .entry = ENTRY,
                                  .phoff = 64,
                                  .ehsize = 64,
                                  .phentsize = 56,
                                  .phnum = 2};
    *phdr(0) =
        (struct elf64_phdr){PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x400000, 0x3000, 0x3000, 4096};
    *phdr(1) =
        (struct elf64_phdr){PT_LOAD, PF_R | PF_W, 0x3100, 0x403100, 0x403100, 0x100, 0x3000, 4096};
    mm_init();
    return 0;
}

/* Reads user memory through the payload's page tables, as the CPU would. */
static void user_read(uint64_t va, void *dst, size_t n)
{
    uint8_t *out = dst;
    while (n) {
        uint64_t *e = pte_of(va & PAGE_MASK, 0, NULL);
        assert_non_null(e);
        assert_true(*e & PTE_P);
        size_t in_page = PAGE_SIZE - (va & (PAGE_SIZE - 1)), k = n < in_page ? n : in_page;
        memcpy(out, phys_to_virt((*e & PTE_ADDR) + (va & (PAGE_SIZE - 1))), k);
        out += k;
        va += k;
        n -= k;
    }
}

static void test_load_segments(void **state)
{
    (void)state;
    struct payload_image img = {0};
    assert_int_equal(elf_load_payload(&img), 0);
    assert_int_equal(img.entry, ENTRY);
    assert_int_equal(img.phnum, 2);
    assert_int_equal(img.phdr_va, 0x400000 + 64);
    assert_int_equal(img.brk_base, 0x406100);
    /* read-only text pages are the file's own frames, mapped in place at load (no fault) */
    uint64_t text = *pte_of(0x401000, 0, NULL);
    assert_true(text & PTE_P);
    assert_int_equal(text & PTE_ADDR, BURH_GPA_PAYLOAD + 0x1000);
    assert_true((text & PTE_FOREIGN) && !(text & PTE_W) && !(text & PTE_NX));
    assert_int_equal(mm_handle_fault(0x401000, 0x15), -1); /* present: a protection fault */
    /* data is a private copy, writable, not executable; bytes around it and bss are zero */
    uint64_t data = *pte_of(0x403000, 0, NULL);
    assert_true(!(data & PTE_FOREIGN) && (data & PTE_W) && (data & PTE_NX));
    uint8_t page[PAGE_SIZE];
    user_read(0x403000, page, sizeof(page));
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        assert_int_equal(page[i], i >= 0x100 && i < 0x200 ? 0x11 : 0);
    assert_int_equal(mm_user_ok(0x405000, PAGE_SIZE, 0), 0); /* bss: a zero page on touch */
    user_read(0x405000, page, sizeof(page));
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        assert_int_equal(page[i], 0);
    assert_int_equal(mm_user_ok(0x406000, 0x100, 1), 0); /* bss end is mapped ... */
    assert_int_equal(mm_user_ok(0x407000, 1, 0), -1);    /* ... and nothing after it */
    assert_int_equal(mm_user_ok(0x401000, 1, 1), -1);    /* text is not writable */
}

/* Text mapped in place: a kernel copy (mm_user_ok) reads the file's bytes; after mprotect to
 * writable a page is still its file page, in place; splits keep the file offsets. */
static void test_lazy_text(void **state)
{
    (void)state;
    struct payload_image img = {0};
    assert_int_equal(elf_load_payload(&img), 0);
    assert_int_equal(mm_user_ok(0x401ff0, 0x20, 0), 0); /* straddles two lazy pages */
    uint8_t bytes[0x20];
    user_read(0x401ff0, bytes, sizeof(bytes));
    for (unsigned i = 0; i < sizeof(bytes); i++)
        assert_int_equal(bytes[i], 0xcc);
    uint64_t *p2 = pte_of(0x402000, 0, NULL);
    assert_true(p2 && (*p2 & PTE_FOREIGN) && (*p2 & PTE_ADDR) == BURH_GPA_PAYLOAD + 0x2000);
    assert_int_equal(mm_protect(0x400000, 0x3000, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(mm_user_ok(0x400000, 4, 1), 0);
    uint64_t *p0 = pte_of(0x400000, 0, NULL);
    assert_true(p0 && (*p0 & PTE_P) && (*p0 & PTE_W) && (*p0 & PTE_FOREIGN));
    assert_int_equal(*p0 & PTE_ADDR, BURH_GPA_PAYLOAD);
    user_read(0x400000, bytes, 4);
    assert_memory_equal(bytes, "\177ELF", 4);
    /* a split of the file-backed region keeps each part's file offset */
    assert_int_equal(mm_unmap(0x400000, 0x1000), 0);
    assert_int_equal(mm_discard(0x401000, 0x2000), 0);
    assert_int_equal(mm_user_ok(0x402000, 1, 0), 0);
    user_read(0x402000, bytes, 1);
    assert_int_equal(bytes[0], 0xcc);
}

/* A read-only segment without bss whose file part ends mid-page at the end of the file: its
 * last page is the file's own, in place, zero past the file. */
static void test_ro_tail_in_place(void **state)
{
    (void)state;
    *phdr(1) = (struct elf64_phdr){PT_LOAD, PF_R, 0x3100, 0x403100, 0x403100, 0x100, 0x100, 4096};
    g_boot.payload_size = 0x3200;
    struct payload_image img = {0};
    assert_int_equal(elf_load_payload(&img), 0);
    assert_int_equal(mm_user_ok(0x403000, PAGE_SIZE, 0), 0);
    uint64_t *pte = pte_of(0x403000, 0, NULL);
    assert_true(pte && (*pte & PTE_FOREIGN) && !(*pte & PTE_W));
    assert_int_equal(*pte & PTE_ADDR, BURH_GPA_PAYLOAD + 0x3000);
    uint8_t page[PAGE_SIZE];
    user_read(0x403000, page, sizeof(page));
    for (unsigned i = 0x100; i < PAGE_SIZE; i++)
        assert_int_equal(page[i], i < 0x200 ? 0x11 : 0);
}

static void expect_refusal(const char *why)
{
    struct payload_image img = {0};
    g_expect_abort = 1;
    if (setjmp(g_abort_jump) == 0) {
        elf_load_payload(&img);
        fail_msg("loaded a bad payload (wanted: %s)", why);
    }
    if (!strstr(g_abort_message, why))
        fail_msg("refused with \"%s\", wanted \"%s\"", g_abort_message, why);
}

static void test_refusals(void **state)
{
    (void)state;
    phdr(1)->type = PT_INTERP;
    expect_refusal("dynamically linked");
    phdr(1)->type = PT_LOAD;
    ehdr()->entry = 0x403100;
    expect_refusal("entry point");
    ehdr()->entry = ENTRY;
    phdr(1)->filesz = 0x1000; /* 0x3100 + 0x1000 > the 0x4000-byte file */
    expect_refusal("beyond the end of the file");
    phdr(1)->filesz = 0x2000;
    phdr(1)->memsz = 0x1000;
    expect_refusal("file size above memory size");
    phdr(1)->filesz = 0x100;
    phdr(1)->memsz = 0x3000;
    phdr(1)->vaddr = 0x403180;
    expect_refusal("disagree modulo the page size");
    phdr(1)->vaddr = 0x7ffffffff100ull;
    expect_refusal("outside the user address range");
    phdr(1)->vaddr = 0x403100;
    ehdr()->phnum = 65;
    expect_refusal("bad program header table");
    ehdr()->phnum = 2;
    ehdr()->type = 3;
    expect_refusal("not a static x86-64 ELF");
    ehdr()->type = ET_EXEC;
    g_boot.payload_size = 60;
    expect_refusal("shorter than an ELF header");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load_segments, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_lazy_text, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_ro_tail_in_place, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
