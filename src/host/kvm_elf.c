/* kvm_elf.c: validation of the shim and payload ELF files (hostile input) and shim loading. */
#include <elf.h>
#include <string.h>

#include "host/kvm.h"

static const char *const k_elf_messages[] = {
    [KVM_ELF_OK] = "ok",
    [KVM_ELF_ERR_TRUNCATED] = "file shorter than its ELF headers",
    [KVM_ELF_ERR_NOT_ELF] = "not a 64-bit little-endian ELF file",
    [KVM_ELF_ERR_MACHINE] = "not an x86-64 ELF file",
    [KVM_ELF_ERR_TYPE] = "not an ELF executable (ET_EXEC); build with -static",
    [KVM_ELF_ERR_PHDRS] = "malformed program header table",
    [KVM_ELF_ERR_SEGMENT] = "a loadable segment is inconsistent with the file",
    [KVM_ELF_ERR_PLACEMENT] = "a loadable segment is outside the allowed addresses",
    [KVM_ELF_ERR_INTERP] = "dynamically linked (PT_INTERP); only static executables run",
    [KVM_ELF_ERR_ENTRY] = "entry point is not inside an executable segment",
};

const char *kvm_elf_strerror(enum kvm_elf_err err)
{
    if ((unsigned)err >= sizeof(k_elf_messages) / sizeof(k_elf_messages[0]))
        return "unknown ELF error";
    return k_elf_messages[err];
}

/* Whether [vaddr, vaddr+memsz) lies inside the range allowed for this kind of file. */
static int placement_ok(const Elf64_Phdr *ph, enum kvm_elf_kind kind)
{
    if (kind == KVM_ELF_PAYLOAD)
        return ph->p_vaddr >= BURH_USER_MIN && ph->p_vaddr <= BURH_USER_MAX &&
               ph->p_memsz <= BURH_USER_MAX - ph->p_vaddr;
    return ph->p_paddr >= BURH_GPA_SHIM && ph->p_paddr <= BURH_GPA_SHIM + BURH_SHIM_MAX &&
           ph->p_memsz <= BURH_GPA_SHIM + BURH_SHIM_MAX - ph->p_paddr &&
           ph->p_vaddr == BURH_VA_DIRECT + ph->p_paddr;
}

static enum kvm_elf_err check_load(const Elf64_Phdr *ph, size_t size, enum kvm_elf_kind kind)
{
    if (ph->p_filesz > ph->p_memsz || ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
        return KVM_ELF_ERR_SEGMENT;
    if (ph->p_memsz == 0 || (ph->p_vaddr % 4096) != (ph->p_offset % 4096))
        return KVM_ELF_ERR_SEGMENT;
    return placement_ok(ph, kind) ? KVM_ELF_OK : KVM_ELF_ERR_PLACEMENT;
}

static enum kvm_elf_err check_header(const Elf64_Ehdr *eh, size_t size)
{
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_ident[EI_VERSION] != EV_CURRENT)
        return KVM_ELF_ERR_NOT_ELF;
    if (eh->e_machine != EM_X86_64)
        return KVM_ELF_ERR_MACHINE;
    if (eh->e_type != ET_EXEC)
        return KVM_ELF_ERR_TYPE;
    if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
        eh->e_phnum > KVM_ELF_MAX_PHNUM)
        return KVM_ELF_ERR_PHDRS;
    if (eh->e_phoff > size || (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > size - eh->e_phoff)
        return KVM_ELF_ERR_TRUNCATED;
    return KVM_ELF_OK;
}

enum kvm_elf_err kvm_elf_check(const uint8_t *file, size_t size, enum kvm_elf_kind kind,
                               struct kvm_elf_info *info)
{
    Elf64_Ehdr eh;
    if (!file || size < sizeof(eh))
        return KVM_ELF_ERR_TRUNCATED;
    memcpy(&eh, file, sizeof(eh));
    enum kvm_elf_err err = check_header(&eh, size);
    if (err != KVM_ELF_OK)
        return err;
    int entry_ok = 0;
    unsigned loads = 0;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, file + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        if (ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC)
            return KVM_ELF_ERR_INTERP;
        if (ph.p_type != PT_LOAD)
            continue;
        err = check_load(&ph, size, kind);
        if (err != KVM_ELF_OK)
            return err;
        loads++;
        if ((ph.p_flags & PF_X) && eh.e_entry >= ph.p_vaddr && eh.e_entry - ph.p_vaddr < ph.p_memsz)
            entry_ok = 1;
    }
    if (!loads)
        return KVM_ELF_ERR_PHDRS;
    if (!entry_ok)
        return KVM_ELF_ERR_ENTRY;
    if (info) {
        info->entry = eh.e_entry;
        info->load_count = loads;
    }
    return KVM_ELF_OK;
}

enum kvm_elf_err kvm_elf_load_shim(const struct kvm_guest_mem *mem, const uint8_t *file,
                                   size_t size, uint64_t *entry)
{
    struct kvm_elf_info info;
    enum kvm_elf_err err = kvm_elf_check(file, size, KVM_ELF_SHIM, &info);
    if (err != KVM_ELF_OK)
        return err;
    Elf64_Ehdr eh;
    memcpy(&eh, file, sizeof(eh));
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, file + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        if (ph.p_type != PT_LOAD)
            continue;
        uint8_t *dst = kvm_guest_span(mem, ph.p_paddr, ph.p_memsz);
        if (!dst)
            return KVM_ELF_ERR_PLACEMENT;
        memcpy(dst, file + ph.p_offset, ph.p_filesz);
        memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
    }
    *entry = info.entry;
    return KVM_ELF_OK;
}
