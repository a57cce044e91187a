/* cpu.c: the shim's GDT, TSS, IDT, SYSCALL MSRs, CPU feature set-up and exception reports. */
#include "shim/shim.h"

#define MSR_EFER    0xc0000080u
#define MSR_STAR    0xc0000081u
#define MSR_LSTAR   0xc0000082u
#define MSR_SFMASK  0xc0000084u
#define MSR_FS_BASE 0xc0000100u
#define EFER_SCE    (1ull << 0)
#define CR4_OSXSAVE (1ull << 18)
#define CR4_SMEP    (1ull << 20)
/* RFLAGS bits cleared on SYSCALL: TF, IF, DF, IOPL, NT, AC (the kernel runs with a known state). */
#define SYSCALL_RFLAGS_MASK 0x47700ull

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "tss");

struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t zero;
};
_Static_assert(sizeof(struct idt_gate) == 16, "idt gate");

struct table_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

extern char boot_stack_top[], fault_stack_top[];

static struct tss g_tss __attribute__((aligned(16)));
static struct idt_gate g_idt[256] __attribute__((aligned(16)));
/* Linux's layout: null, unused, kernel code, kernel data, user code32 (the SYSRET base), user
 * data, user code, TSS (two slots). */
static uint64_t g_gdt[9] __attribute__((aligned(16))) = {
    0,
    0,
    0x00af9a000000ffffull,
    0x00cf92000000ffffull,
    0x00cffa000000ffffull,
    0x00cff2000000ffffull,
    0x00affa000000ffffull,
    0,
    0,
};

static void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

static void load_gdt_and_tss(void)
{
    uint64_t base = (uint64_t)(uintptr_t)&g_tss, limit = sizeof(g_tss) - 1;
    g_tss.rsp[0] = (uint64_t)(uintptr_t)boot_stack_top;
    g_tss.ist[0] = (uint64_t)(uintptr_t)fault_stack_top;
    g_tss.iomap_base = sizeof(g_tss); /* no I/O bitmap: ring 3 gets no port access */
    g_gdt[7] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
               ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
    g_gdt[8] = base >> 32;
    struct table_ptr gdtr = {sizeof(g_gdt) - 1, (uint64_t)(uintptr_t)g_gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movw %w2, %%ax\n\t"
                     "movw %%ax, %%ds\n\t"
                     "movw %%ax, %%es\n\t"
                     "movw %%ax, %%ss\n\t"
                     "xorl %%eax, %%eax\n\t"
                     "movw %%ax, %%fs\n\t"
                     "movw %%ax, %%gs\n\t"
                     "ltr %w3"
                     :
                     : "m"(gdtr), "i"((uint64_t)SEL_KCODE), "r"(SEL_KDATA), "r"(SEL_TSS)
                     : "rax", "memory");
}

static void load_idt(void)
{
    for (int v = 0; v < 32; v++) {
        uint64_t off = exception_stubs[v];
        g_idt[v].offset_low = (uint16_t)off;
        g_idt[v].selector = SEL_KCODE;
        /* A double fault may come from a broken stack, so it gets a stack of its own. */
        g_idt[v].ist = v == 8 ? 1 : 0;
        g_idt[v].type_attr = 0x8e; /* present, DPL 0, interrupt gate */
        g_idt[v].offset_mid = (uint16_t)(off >> 16);
        g_idt[v].offset_high = (uint32_t)(off >> 32);
    }
    struct table_ptr idtr = {sizeof(g_idt) - 1, (uint64_t)(uintptr_t)g_idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

static void cr4_set(uint64_t bits)
{
    uint64_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | bits));
}

/* The payload uses SSE and maybe AVX: enable the state the CPU offers so glibc may use it. */
static void enable_extended_state(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[2] & (1u << 26)))
        return;
    cr4_set(CR4_OSXSAVE);
    cpuid(0xd, 0, r);
    uint64_t xcr0 = r[0] & 0x7u; /* x87, SSE, AVX: what glibc's string functions need */
    __asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)xcr0), "d"(0));
}

static void enable_smep(void)
{
    uint32_t r[4];
    cpuid(7, 0, r);
    if (!(r[1] & (1u << 7)))
        return;
    cr4_set(CR4_SMEP);
}

void cpu_init(void)
{
    load_gdt_and_tss();
    load_idt();
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    /* SYSCALL loads CS=0x10/SS=0x18; SYSRET loads CS=0x23+16 and SS=0x23+8, both RPL 3. */
    wrmsr(MSR_STAR, ((uint64_t)SEL_UCODE32 << 48) | ((uint64_t)SEL_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    wrmsr(MSR_SFMASK, SYSCALL_RFLAGS_MASK);
    enable_extended_state();
    enable_smep();
}

uint64_t cpu_hwcap(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    return r[3];
}

void cpu_set_fs_base(uint64_t base)
{
    wrmsr(MSR_FS_BASE, base);
}

uint64_t cpu_fs_base(void)
{
    return rdmsr(MSR_FS_BASE);
}

/* Test mode: with an empty IDT any exception escalates to a triple fault (VM shutdown). */
_Noreturn void cpu_test_triple_fault(void)
{
    struct table_ptr idtr = {0, 0};
    __asm__ volatile("lidt %0\n\tud2" : : "m"(idtr));
    for (;;)
        __asm__ volatile("hlt");
}

static const char *const k_vector_names[32] = {"divide error",
                                               "debug",
                                               "NMI",
                                               "breakpoint",
                                               "overflow",
                                               "bound range",
                                               "invalid opcode",
                                               "device not available",
                                               "double fault",
                                               "coprocessor overrun",
                                               "invalid TSS",
                                               "segment not present",
                                               "stack fault",
                                               "general protection",
                                               "page fault",
                                               "reserved",
                                               "x87 error",
                                               "alignment check",
                                               "machine check",
                                               "SIMD error",
                                               "virtualization",
                                               "control protection",
                                               "reserved",
                                               "reserved",
                                               "reserved",
                                               "reserved",
                                               "reserved",
                                               "reserved",
                                               "hypervisor injection",
                                               "VMM communication",
                                               "security",
                                               "reserved"};

/* Some paravirtual KVM hosts (PVM) run SYSCALL's jump to LSTAR but leave the CPU in user mode,
 * so fetching syscall_entry faults from ring 3. The frame then holds everything SYSCALL would
 * have given us (RCX = return RIP, R11 = RFLAGS), so the syscall is served from here. */
int g_kernel_emulated;

/* The trap frame is served as the syscall frame in place (same layout, shim.h): RCX, R11 and
 * RSP already hold what SYSCALL would have left. A thread switch rewrites the register slots;
 * the return address, flags and selectors for IRETQ are set from them here. */
static void syscall_from_fault(struct trap_frame *f)
{
    g_kernel_emulated = 1;
    struct syscall_frame *s = (struct syscall_frame *)f;
    int64_t ret = shim_syscall(s);
    if (g_sig_frame_pending) { /* rt_sigreturn or a signal: every register is new */
        g_sig_frame_pending = 0;
        *f = g_sig_frame;
        return;
    }
    f->rax = (uint64_t)ret;
    f->rip = f->rcx;
    f->cs = SEL_UCODE;
    f->ss = SEL_UDATA;
    /* R11 is the payload's own value if it jumped here: arithmetic, TF, DF, AC, ID only, never
     * IOPL. */
    f->rflags = (f->r11 & 0x240fd5u) | 0x202u;
}

uint64_t g_faults_resolved;

/* Called by exc_common. A user page fault on a lazily backed range is resolved; anything else
 * ends the keep with the vector, error code and RIP (the payload's or the shim's). */
void shim_exception(struct trap_frame *f)
{
    uint64_t cr2 = f->vector == 14 ? read_cr2() : 0;
    int from_user = (f->cs & 3) == 3;
    if (f->vector == 14 && from_user && f->rip == (uint64_t)(uintptr_t)syscall_entry &&
        cr2 == f->rip) {
        syscall_from_fault(f);
        return;
    }
    if (f->vector == 14 && from_user && mm_handle_fault(cr2, f->error_code) == 0) {
        g_faults_resolved++; /* for keepldr --timing: each is a costly guest entry */
        return;
    }
    if (from_user && sig_fault(f, cr2) == 0)
        return; /* on to the payload's handler */
    shim_exit_fault(f, cr2, f->vector < 32 ? k_vector_names[f->vector] : "unknown");
}
