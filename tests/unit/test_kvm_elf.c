/* test_kvm_elf.c: the kvm backend's ELF checks against well-formed, malformed and mutated files. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "host/kvm.h"

#define IMAGE_SIZE 0x3000
#define ENTRY      0x401010

struct image {
    uint8_t bytes[IMAGE_SIZE];
    Elf64_Ehdr *eh;
    Elf64_Phdr *ph; /* two program headers: PT_LOAD text, PT_LOAD data */
};

/* A minimal static executable: text at 0x401000 (file 0x1000), data+bss at 0x402000. */
static void make_payload(struct image *img)
{
    memset(img, 0, sizeof(*img));
    img->eh = (Elf64_Ehdr *)img->bytes;
    img->ph = (Elf64_Phdr *)(img->bytes + sizeof(Elf64_Ehdr));
    memcpy(img->eh->e_ident, ELFMAG, SELFMAG);
    img->eh->e_ident[EI_CLASS] = ELFCLASS64;
    img->eh->e_ident[EI_DATA] = ELFDATA2LSB;
    img->eh->e_ident[EI_VERSION] = EV_CURRENT;
    img->eh->e_type = ET_EXEC;
    img->eh->e_machine = EM_X86_64;
    img->eh->e_version = EV_CURRENT;
    img->eh->e_entry = ENTRY;
    img->eh->e_phoff = sizeof(Elf64_Ehdr);
    img->eh->e_ehsize = sizeof(Elf64_Ehdr);
    img->eh->e_phentsize = sizeof(Elf64_Phdr);
    img->eh->e_phnum = 2;
    img->ph[0] =
        (Elf64_Phdr){PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x401000, 0x100, 0x100, 0x1000};
    img->ph[1] =
        (Elf64_Phdr){PT_LOAD, PF_R | PF_W, 0x2000, 0x402000, 0x402000, 0x80, 0x5000, 0x1000};
    memset(img->bytes + 0x1000, 0x90, 0x100);
}

/* The same shape, placed the way a shim is: physical 2 MiB, linked in the direct window. */
static void make_shim(struct image *img)
{
    make_payload(img);
    img->ph[0].p_paddr = BURH_GPA_SHIM;
    img->ph[0].p_vaddr = BURH_VA_DIRECT + BURH_GPA_SHIM;
    img->ph[1].p_paddr = BURH_GPA_SHIM + 0x1000;
    img->ph[1].p_vaddr = BURH_VA_DIRECT + BURH_GPA_SHIM + 0x1000;
    img->eh->e_entry = BURH_VA_DIRECT + BURH_GPA_SHIM;
}

static enum kvm_elf_err check(const struct image *img, enum kvm_elf_kind kind)
{
    struct kvm_elf_info info;
    return kvm_elf_check(img->bytes, sizeof(img->bytes), kind, &info);
}

static void test_valid_files(void **state)
{
    (void)state;
    struct image img;
    struct kvm_elf_info info;
    make_payload(&img);
    assert_int_equal(kvm_elf_check(img.bytes, sizeof(img.bytes), KVM_ELF_PAYLOAD, &info),
                     KVM_ELF_OK);
    assert_int_equal(info.entry, ENTRY);
    assert_int_equal(info.load_count, 2);
    /* A payload is not a shim: its addresses are in user space. */
    assert_int_equal(check(&img, KVM_ELF_SHIM), KVM_ELF_ERR_PLACEMENT);
    make_shim(&img);
    assert_int_equal(check(&img, KVM_ELF_SHIM), KVM_ELF_OK);
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_PLACEMENT);
}

static void test_bad_headers(void **state)
{
    (void)state;
    struct image img;
    make_payload(&img);
    assert_int_equal(kvm_elf_check(img.bytes, sizeof(Elf64_Ehdr) - 1, KVM_ELF_PAYLOAD, NULL),
                     KVM_ELF_ERR_TRUNCATED);
    assert_int_equal(kvm_elf_check(NULL, 0, KVM_ELF_PAYLOAD, NULL), KVM_ELF_ERR_TRUNCATED);
    img.bytes[0] = 0;
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_NOT_ELF);
    make_payload(&img);
    img.eh->e_ident[EI_CLASS] = ELFCLASS32;
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_NOT_ELF);
    make_payload(&img);
    img.eh->e_machine = EM_AARCH64;
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_MACHINE);
    make_payload(&img);
    img.eh->e_type = ET_DYN;
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_TYPE);
    make_payload(&img);
    img.eh->e_phentsize = 32;
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_PHDRS);
    make_payload(&img);
    img.eh->e_phnum = 0;
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_PHDRS);
    make_payload(&img);
    img.eh->e_phnum = KVM_ELF_MAX_PHNUM + 1;
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_PHDRS);
    make_payload(&img);
    img.eh->e_phoff = IMAGE_SIZE - 8;
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_TRUNCATED);
    make_payload(&img);
    img.eh->e_phoff = UINT64_MAX - 16; /* offset + table size wraps */
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_TRUNCATED);
}

static void test_bad_segments(void **state)
{
    (void)state;
    struct image img;
    make_payload(&img);
    img.ph[1].p_filesz = img.ph[1].p_memsz + 1;
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_SEGMENT);
    make_payload(&img);
    img.ph[0].p_filesz = img.ph[0].p_memsz = IMAGE_SIZE; /* runs past the end of the file */
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_SEGMENT);
    make_payload(&img);
    img.ph[0].p_offset = UINT64_MAX - 0xff; /* offset + filesz wraps */
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_SEGMENT);
    make_payload(&img);
    img.ph[0].p_vaddr += 8; /* address and offset disagree modulo the page */
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_SEGMENT);
    make_payload(&img);
    img.ph[1].p_vaddr = 0x1000; /* below the lowest user address */
    img.ph[1].p_offset = 0x2000;
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_PLACEMENT);
    make_payload(&img);
    img.ph[1].p_vaddr = BURH_USER_MAX - 0x1000; /* runs past the top of user space */
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_PLACEMENT);
    make_payload(&img);
    img.ph[1].p_memsz = UINT64_MAX - 0x1000; /* vaddr + memsz wraps */
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_PLACEMENT);
    make_payload(&img);
    img.ph[1].p_type = PT_INTERP;
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_INTERP);
    make_payload(&img);
    img.eh->e_entry = 0x402000; /* in the data segment, which is not executable */
    assert_int_equal(check(&img, KVM_ELF_PAYLOAD), KVM_ELF_ERR_ENTRY);
    make_shim(&img);
    img.ph[1].p_vaddr += 0x1000; /* linked somewhere other than where it is loaded */
    assert_int_equal(check(&img, KVM_ELF_SHIM), KVM_ELF_ERR_PLACEMENT);
    make_shim(&img);
    img.ph[1].p_paddr = BURH_GPA_SHIM + BURH_SHIM_MAX - 0x1000; /* memsz runs past the region */
    img.ph[1].p_vaddr = BURH_VA_DIRECT + img.ph[1].p_paddr;
    assert_int_equal(check(&img, KVM_ELF_SHIM), KVM_ELF_ERR_PLACEMENT);
}

static void test_load_shim(void **state)
{
    (void)state;
    struct image img;
    make_shim(&img);
    struct kvm_guest_mem mem = {calloc(1, 8u << 20), 8u << 20};
    assert_non_null(mem.base);
    memset(mem.base + BURH_GPA_SHIM + 0x1000, 0xee, 0x5000); /* .bss must come out zero */
    uint64_t entry = 0;
    assert_int_equal(kvm_elf_load_shim(&mem, img.bytes, sizeof(img.bytes), &entry), KVM_ELF_OK);
    assert_int_equal(entry, BURH_VA_DIRECT + BURH_GPA_SHIM);
    assert_memory_equal(mem.base + BURH_GPA_SHIM, img.bytes + 0x1000, 0x100);
    for (int i = 0x80; i < 0x5000; i++)
        assert_int_equal(mem.base[BURH_GPA_SHIM + 0x1000 + i], 0);
    /* Guest memory too small for the segment: refused, nothing written out of bounds. */
    struct kvm_guest_mem small = {mem.base, BURH_GPA_SHIM + 0x800};
    assert_int_equal(kvm_elf_load_shim(&small, img.bytes, sizeof(img.bytes), &entry),
                     KVM_ELF_ERR_PLACEMENT);
    free(mem.base);
}

/* Random corruption of headers and program headers: never a crash (ASan watches the reads),
 * and whatever is accepted keeps the promises the loader relies on. */
static void test_mutations(void **state)
{
    (void)state;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    unsigned accepted = 0;
    for (int round = 0; round < 20000; round++) {
        struct image img;
        make_payload(&img);
        int flips = 1 + round % 4;
        for (int f = 0; f < flips; f++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            size_t at = (seed >> 33) % (sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr));
            img.bytes[at] = (uint8_t)(seed >> 20);
        }
        size_t size = round % 7 == 0 ? (seed >> 40) % IMAGE_SIZE : IMAGE_SIZE;
        struct kvm_elf_info info;
        if (kvm_elf_check(img.bytes, size, KVM_ELF_PAYLOAD, &info) != KVM_ELF_OK)
            continue;
        accepted++;
        assert_true(info.entry >= BURH_USER_MIN && info.entry < BURH_USER_MAX);
        assert_true(info.load_count >= 1);
    }
    assert_true(accepted > 0); /* some mutations are harmless (e.g. in padding) */
}

static void test_strerror(void **state)
{
    (void)state;
    assert_string_equal(kvm_elf_strerror(KVM_ELF_OK), "ok");
    assert_non_null(strstr(kvm_elf_strerror(KVM_ELF_ERR_INTERP), "dynamically linked"));
    assert_string_equal(kvm_elf_strerror((enum kvm_elf_err)999), "unknown ELF error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_files),  cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_bad_segments), cmocka_unit_test(test_load_shim),
        cmocka_unit_test(test_mutations),    cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
