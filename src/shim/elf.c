/* elf.c: loads the static payload ELF (copied into guest memory by the host, so re-checked here)
 * into user pages and builds its initial stack: argc, argv, envp, auxv. */
#include "shim/shim.h"

#define ET_EXEC    2
#define EM_X86_64  62
#define PT_LOAD    1
#define PT_INTERP  3
#define PT_PHDR    6
#define PF_X       1
#define PF_W       2
#define PF_R       4
#define MAX_PHNUM  64
#define STACK_TOP  0x00007ffffffde000ull
#define STACK_SIZE (8ull << 20)

struct elf64_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static uint32_t segment_prot(uint32_t flags)
{
    return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
           ((flags & PF_X) ? PROT_EXEC : 0);
}

static const char *check_segment(const struct elf64_phdr *ph, uint64_t file_size)
{
    if (ph->filesz > ph->memsz)
        return "segment file size above memory size";
    if (ph->offset > file_size || ph->filesz > file_size - ph->offset)
        return "segment beyond the end of the file";
    if (ph->memsz == 0 || ph->vaddr < BURH_USER_MIN || ph->vaddr > BURH_USER_MAX ||
        ph->memsz > BURH_USER_MAX - ph->vaddr)
        return "segment outside the user address range";
    if ((ph->vaddr & (PAGE_SIZE - 1)) != (ph->offset & (PAGE_SIZE - 1)))
        return "segment offset and address disagree modulo the page size";
    return NULL;
}

/* Copies the file bytes of ph that fall in page va into a fresh frame (the rest zero), keeping
 * the union of protections when the page is shared with the previous segment. */
static void copy_page(const uint8_t *file, const struct elf64_phdr *ph, uint64_t va, uint32_t prot)
{
    uint64_t file_end = ph->vaddr + ph->filesz;
    uint64_t lo = va > ph->vaddr ? va : ph->vaddr;
    uint64_t hi = va + PAGE_SIZE < file_end ? va + PAGE_SIZE : file_end;
    uint64_t n = hi > lo ? hi - lo : 0;
    mm_load_page(va, prot, file + ph->offset + (lo - ph->vaddr), lo - va, n);
}

/* Loads one PT_LOAD segment without copying most of its pages: those wholly inside the file
 * are backed by the host's copy of the file, in place (writable ones too: each file page is
 * mapped once, so the copy acts as the private copy Linux would make), read-only ones at once,
 * writable ones on first touch, the bss past the file as zero pages on first touch. Copied now: a
 * page shared with the previous segment, a writable segment's first page when it starts mid-page
 * (its file page is the previous segment's last) and, before bss, the page where the file part
 * ends. Every page of work is emulated, hence slow, on a PVM host (docs/kvm.md). */
static void load_segment(const uint8_t *file, const struct elf64_phdr *ph)
{
    uint32_t prot = segment_prot(ph->flags);
    uint64_t start = ph->vaddr & PAGE_MASK,
             end = (ph->vaddr + ph->memsz + PAGE_SIZE - 1) & PAGE_MASK;
    uint64_t file_end = ph->vaddr + ph->filesz, part = file_end & PAGE_MASK;
    /* A read-only segment without bss is mapped to its end, as Linux does: the bytes after it
     * in its last page are the file's (or zero past the file's end). */
    int part_lazy = !(prot & PROT_WRITE) && ph->memsz == ph->filesz;
    uint64_t lazy_lo = start, lazy_hi = part_lazy ? end : part;
    if (mm_page_backed(start) || ((prot & PROT_WRITE) && (ph->vaddr & (PAGE_SIZE - 1)))) {
        copy_page(file, ph, start, prot);
        lazy_lo = start + PAGE_SIZE;
    }
    if ((file_end & (PAGE_SIZE - 1)) && !part_lazy && part >= lazy_lo)
        copy_page(file, ph, part, prot);
    /* A page shared with the previous segment keeps the union of both protections. */
    if (mm_map_region(start, end, prot) != 0)
        shim_abort("payload: no room to record segment at %lx", (unsigned long)start);
    uint64_t file_pa = g_boot.payload_gpa + ph->offset - (ph->vaddr - lazy_lo);
    if (lazy_hi > lazy_lo && mm_map_file(lazy_lo, lazy_hi, prot, file_pa) != 0)
        shim_abort("payload: no room to record segment at %lx", (unsigned long)lazy_lo);
    /* Text and read-only data are mapped now, in place (a few microseconds a page; most of
     * wasmldr's are touched anyway, at ~0.3 ms a fault): hello's faults 66 -> 47. Writable
     * pages stay lazy. */
    if (lazy_hi > lazy_lo && !(prot & PROT_WRITE))
        mm_populate(lazy_lo, lazy_hi);
}

int elf_load_payload(struct payload_image *img)
{
    const uint8_t *file = phys_to_virt(g_boot.payload_gpa);
    uint64_t size = g_boot.payload_size;
    struct elf64_ehdr eh;
    if (size < sizeof(eh))
        shim_abort("payload: shorter than an ELF header");
    memcpy(&eh, file, sizeof(eh));
    if (memcmp(eh.ident, "\177ELF\2\1\1", 7) != 0 || eh.type != ET_EXEC ||
        eh.machine != EM_X86_64 || eh.phentsize != sizeof(struct elf64_phdr))
        shim_abort("payload: not a static x86-64 ELF executable");
    if (eh.phnum == 0 || eh.phnum > MAX_PHNUM || eh.phoff > size ||
        (uint64_t)eh.phnum * sizeof(struct elf64_phdr) > size - eh.phoff)
        shim_abort("payload: bad program header table");
    struct elf64_phdr ph[MAX_PHNUM];
    memcpy(ph, file + eh.phoff, eh.phnum * sizeof(ph[0]));
    uint64_t top = 0, first_load = 0;
    int entry_ok = 0;
    for (int i = 0; i < eh.phnum; i++) {
        if (ph[i].type == PT_INTERP)
            shim_abort("payload: dynamically linked (PT_INTERP), only static ELF runs");
        if (ph[i].type == PT_PHDR)
            img->phdr_va = ph[i].vaddr;
        if (ph[i].type != PT_LOAD)
            continue;
        const char *why = check_segment(&ph[i], size);
        if (why)
            shim_abort("payload: %s (program header %d)", why, i);
        if (ph[i].vaddr + ph[i].memsz > top)
            top = ph[i].vaddr + ph[i].memsz;
        if (!first_load && ph[i].offset == 0)
            first_load = ph[i].vaddr;
        if ((ph[i].flags & PF_X) && eh.entry >= ph[i].vaddr && eh.entry - ph[i].vaddr < ph[i].memsz)
            entry_ok = 1;
        load_segment(file, &ph[i]);
    }
    if (!entry_ok)
        shim_abort("payload: entry point %lx is not in an executable segment",
                   (unsigned long)eh.entry);
    if (!img->phdr_va && first_load)
        img->phdr_va = first_load + eh.phoff;
    img->entry = eh.entry;
    img->phnum = eh.phnum;
    img->brk_base = top;
    return 0;
}

/* Pushes bytes below *sp in user memory (the stack region is ours and writable). */
static uint64_t push_bytes(uint64_t *sp, const void *src, uint64_t n)
{
    *sp -= n;
    if (mm_user_ok(*sp, n, 1) != 0)
        shim_abort("payload: arguments do not fit the stack");
    memcpy((void *)(uintptr_t)*sp, src, (size_t)n);
    return *sp;
}

enum {
    AT_NULL = 0,
    AT_PHDR = 3,
    AT_PHENT = 4,
    AT_PHNUM = 5,
    AT_PAGESZ = 6,
    AT_ENTRY = 9,
    AT_UID = 11,
    AT_EUID = 12,
    AT_GID = 13,
    AT_EGID = 14,
    AT_PLATFORM = 15,
    AT_HWCAP = 16,
    AT_CLKTCK = 17,
    AT_SECURE = 23,
    AT_RANDOM = 25,
    AT_HWCAP2 = 26,
    AT_EXECFN = 31,
    AT_SYSINFO_EHDR = 33,
    /* burh's own entry (hostcall_abi.h): the launch digest, for the payload's evidence */
    AT_BURH_LAUNCH_DIGEST = BURH_AT_LAUNCH_DIGEST
};

#define MAX_STRINGS 4096

/* The System V x86-64 start-up stack: argc, argv[], 0, envp[], 0, auxv pairs, AT_NULL. */
uint64_t elf_build_stack(const struct payload_image *img)
{
    if (mm_map_region(STACK_TOP - STACK_SIZE, STACK_TOP, PROT_READ | PROT_WRITE) != 0)
        shim_abort("payload: cannot map the stack");
    static uint64_t ptrs[MAX_STRINGS + 2];
    uint64_t count = (uint64_t)g_boot.argc + g_boot.envc, sp = STACK_TOP;
    if (count > MAX_STRINGS || g_boot.args_size > BURH_ARGS_MAX)
        shim_abort("payload: too many arguments");
    const char *s = phys_to_virt(g_boot.args_gpa), *end = s + g_boot.args_size;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t n = strnlen(s, (size_t)(end - s));
        if (n == (uint64_t)(end - s))
            shim_abort("payload: argument %lu is not terminated", (unsigned long)i);
        ptrs[i] = push_bytes(&sp, s, n + 1);
        s += n + 1;
    }
    uint8_t random[16];
    if (shim_random_bytes(random, sizeof(random)) != 0)
        shim_abort("no CPU random number generator for AT_RANDOM");
    uint64_t at_random = push_bytes(&sp, random, sizeof(random));
    uint64_t at_digest = push_bytes(&sp, g_boot.launch_digest, sizeof(g_boot.launch_digest));
    uint64_t platform = push_bytes(&sp, "x86_64", 7);
    /* one auxv pair per line */
    /* clang-format off */
    uint64_t auxv[] = {AT_PHDR,     img->phdr_va,
                       AT_PHENT,    56,
                       AT_PHNUM,    img->phnum,
                       AT_PAGESZ,   PAGE_SIZE,
                       AT_ENTRY,    img->entry,
                       AT_UID,      0,
                       AT_EUID,     0,
                       AT_GID,      0,
                       AT_EGID,     0,
                       AT_SECURE,   0,
                       AT_CLKTCK,   100,
                       AT_HWCAP,    cpu_hwcap(),
                       AT_HWCAP2,   0,
                       AT_RANDOM,   at_random,
                       AT_PLATFORM, platform,
                       AT_EXECFN,   g_boot.argc ? ptrs[0] : 0,
                       AT_SYSINFO_EHDR, img->vdso,
                       AT_BURH_LAUNCH_DIGEST, at_digest,
                       AT_NULL,     0};
    /* clang-format on */
    uint64_t words = 1 + g_boot.argc + 1 + g_boot.envc + 1 + sizeof(auxv) / 8;
    sp = (sp - words * 8) & ~15ull; /* the ABI wants RSP 16-byte aligned at _start */
    uint64_t at = sp, argc = g_boot.argc;
    if (mm_user_ok(sp, words * 8, 1) != 0)
        shim_abort("payload: arguments do not fit the stack");
    memcpy((void *)(uintptr_t)at, &argc, 8);
    for (uint64_t i = 0; i < argc; i++)
        memcpy((void *)(uintptr_t)(at + 8 + i * 8), &ptrs[i], 8);
    uint64_t *w = (uint64_t *)(uintptr_t)(at + 8 + argc * 8);
    *w++ = 0;
    for (uint64_t i = 0; i < g_boot.envc; i++)
        *w++ = ptrs[argc + i];
    *w++ = 0;
    memcpy(w, auxv, sizeof(auxv));
    return sp;
}
