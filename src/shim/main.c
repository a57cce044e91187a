/* main.c: the shim's start: check the boot info, set up the CPU and memory, load the payload,
 * enter ring 3. Everything after that happens in syscall and exception handlers. */
#include "shim/shim.h"

struct burh_boot_info g_boot;

/* The boot info comes from the host: copied once, then every field checked before use. */
static void check_boot_info(void)
{
    if (g_boot.hostcall_gpa != BURH_GPA_HOSTCALL) {
        for (;;) /* no channel to report on: a dead keep is the only safe answer */
            __asm__ volatile("cli; hlt");
    }
    hc_init(g_boot.hostcall_gpa);
    if (g_boot.magic != BURH_BOOT_MAGIC || g_boot.abi_version != BURH_HOSTCALL_ABI_VERSION)
        shim_abort("boot info: bad magic or ABI version %u", g_boot.abi_version);
    if (g_boot.mem_size < BURH_MEM_MIN || g_boot.mem_size > BURH_MEM_MAX)
        shim_abort("boot info: memory size %lx out of range", (unsigned long)g_boot.mem_size);
    if (g_boot.args_gpa != BURH_GPA_ARGS || g_boot.args_size > BURH_ARGS_MAX)
        shim_abort("boot info: bad argument block");
    if (g_boot.payload_gpa != BURH_GPA_PAYLOAD || g_boot.payload_size > g_boot.mem_size ||
        g_boot.payload_gpa > g_boot.mem_size - g_boot.payload_size)
        shim_abort("boot info: payload outside guest memory");
    if (g_boot.free_gpa < g_boot.payload_gpa + g_boot.payload_size ||
        g_boot.free_gpa >= g_boot.mem_size)
        shim_abort("boot info: free memory start %lx invalid", (unsigned long)g_boot.free_gpa);
}

void shim_main(uint64_t boot_info_gpa);

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

void shim_main(uint64_t boot_info_gpa)
{
    if (boot_info_gpa != BURH_GPA_BOOT_INFO)
        for (;;)
            __asm__ volatile("cli; hlt");
    uint64_t tsc_start = rdtsc();
    memcpy(&g_boot, phys_to_virt(boot_info_gpa), sizeof(g_boot));
    check_boot_info();
    volatile struct burh_boot_marks *marks = &hc_block()->marks;
    marks->tsc_start = tsc_start;
    cpu_init();
    marks->tsc_cpu = rdtsc();
    sig_init();
    shim_log("shim: ABI %u, %lu MiB, payload %lu bytes", BURH_HOSTCALL_ABI_VERSION,
             (unsigned long)(g_boot.mem_size >> 20), (unsigned long)g_boot.payload_size);
    if (g_boot.flags & BURH_BOOT_TEST_TRIPLE)
        cpu_test_triple_fault();
    if (g_boot.flags & BURH_BOOT_TEST_KERNEL_GPF)
        __asm__ volatile("movq (%0), %%rax" : : "r"(0x8000000000000000ull) : "rax");
    mm_init();
    marks->tsc_mm = rdtsc();
    struct payload_image img = {0};
    elf_load_payload(&img);
    mm_set_brk_base(img.brk_base);
    img.vdso = clock_init();
    uint64_t sp = elf_build_stack(&img);
    marks->tsc_loaded = rdtsc();
    shim_log("shim: entering payload at %lx, stack %lx", (unsigned long)img.entry,
             (unsigned long)sp);
    marks->tsc_user = rdtsc();
    enter_user(img.entry, sp);
}
