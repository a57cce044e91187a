/* kvm_vm.c: builds a kvm keep (VM, memory, shim, payload, boot info, vCPU in long mode) and
 * runs it to its end; every way a keep can end becomes an outcome with a one-line report. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "host/kvm.h"

#define CR0_PE            (1ull << 0)
#define CR0_MP            (1ull << 1)
#define CR0_ET            (1ull << 4)
#define CR0_NE            (1ull << 5)
#define CR0_WP            (1ull << 16)
#define CR0_PG            (1ull << 31)
#define CR4_PAE           (1ull << 5)
#define CR4_OSFXSR        (1ull << 9)
#define CR4_OSXMMEXCPT    (1ull << 10)
#define EFER_LME          (1ull << 8)
#define EFER_LMA          (1ull << 10)
#define EFER_NXE          (1ull << 11)
#define CPUID_MAX_ENTRIES 256

struct keep {
    int kvm_fd, vm_fd, vcpu_fd;
    struct kvm_run *run;
    size_t run_size;
    struct kvm_guest_mem mem;
    uint64_t shim_entry;
    struct kvm_hostcall_ctx hc;
    struct kvm_result *res;
    uint64_t t_create_ns;
    uint64_t t_run_ns; /* just before the first KVM_RUN */
    long tsc_khz;      /* the vCPU's TSC rate, for the shim's boot marks; 0 = unknown */
};

static volatile sig_atomic_t g_timed_out;
static volatile sig_atomic_t g_stop_signal; /* SIGTERM, SIGINT or SIGHUP: stop the keep */
static struct kvm_run *volatile g_run_for_signal;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Records how the keep ended (each path ends it once); returns -1 for the caller to pass up. */
static int end_keep(struct keep *k, enum kvm_outcome outcome, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int end_keep(struct keep *k, enum kvm_outcome outcome, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    k->res->outcome = outcome;
    vsnprintf(k->res->report, sizeof(k->res->report), fmt, ap);
    va_end(ap);
    return -1;
}

/* The alarm only has to knock the vCPU out of KVM_RUN (or a blocking hostcall) with EINTR. */
static void on_alarm(int sig)
{
    (void)sig;
    g_timed_out = 1;
    if (g_run_for_signal)
        g_run_for_signal->immediate_exit = 1;
}

/* keepmgr stops a keep with SIGTERM: end it the same way, so the report and status go out. */
static void on_stop(int sig)
{
    g_stop_signal = sig;
    if (g_run_for_signal)
        g_run_for_signal->immediate_exit = 1;
}

static int arm_time_limit(unsigned ms)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm; /* no SA_RESTART: interrupted calls must return */
    if (sigaction(SIGALRM, &sa, NULL) != 0)
        return -1;
    sa.sa_handler = on_stop;
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0 ||
        sigaction(SIGHUP, &sa, NULL) != 0)
        return -1;
    struct itimerval it = {{0, 0}, {ms / 1000, (long)(ms % 1000) * 1000}};
    return ms ? setitimer(ITIMER_REAL, &it, NULL) : 0;
}

static void disarm_time_limit(void)
{
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    g_run_for_signal = NULL;
}

const char *kvm_unusable_reason(void)
{
    static char why[160];
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, sizeof(why), "cannot open /dev/kvm: %s", strerror(errno));
        return why;
    }
    int version = ioctl(fd, KVM_GET_API_VERSION, 0);
    int vm = version == KVM_API_VERSION ? ioctl(fd, KVM_CREATE_VM, 0) : -1;
    const char *r = NULL;
    if (version != KVM_API_VERSION) {
        snprintf(why, sizeof(why), "KVM API version %d, need %d", version, KVM_API_VERSION);
        r = why;
    } else if (vm < 0) {
        snprintf(why, sizeof(why), "KVM_CREATE_VM failed: %s", strerror(errno));
        r = why;
    }
    if (vm >= 0)
        close(vm);
    close(fd);
    return r;
}

static int open_vm(struct keep *k)
{
    k->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (k->kvm_fd < 0)
        return end_keep(k, KVM_OUT_SETUP, "cannot open /dev/kvm: %s", strerror(errno));
    int version = ioctl(k->kvm_fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION)
        return end_keep(k, KVM_OUT_SETUP, "KVM API version %d, need %d", version, KVM_API_VERSION);
    static const struct {
        int cap;
        const char *name;
    } needed[] = {
        {KVM_CAP_USER_MEMORY, "USER_MEMORY"},
        {KVM_CAP_EXT_CPUID, "EXT_CPUID"},
        {KVM_CAP_IMMEDIATE_EXIT, "IMMEDIATE_EXIT"},
    };
    for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
        if (ioctl(k->kvm_fd, KVM_CHECK_EXTENSION, needed[i].cap) <= 0)
            return end_keep(k, KVM_OUT_SETUP, "KVM lacks capability %s", needed[i].name);
    k->t_create_ns = now_ns();
    k->vm_fd = ioctl(k->kvm_fd, KVM_CREATE_VM, 0);
    if (k->vm_fd < 0)
        return end_keep(k, KVM_OUT_SETUP, "KVM_CREATE_VM: %s", strerror(errno));
    return 0;
}

static int setup_memory(struct keep *k, uint64_t size)
{
    if (size < BURH_MEM_MIN || size > BURH_MEM_MAX || size % (2u << 20))
        return end_keep(k, KVM_OUT_SETUP,
                        "memory size %llu MiB is not a multiple of 2 in "
                        "[%llu, %llu]",
                        (unsigned long long)(size >> 20), BURH_MEM_MIN >> 20, BURH_MEM_MAX >> 20);
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED)
        return end_keep(k, KVM_OUT_SETUP, "guest memory: %s", strerror(errno));
    k->mem.base = p;
    k->mem.size = size;
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = size, .userspace_addr = (uintptr_t)p};
    if (ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) != 0)
        return end_keep(k, KVM_OUT_SETUP, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
    if (kvm_build_page_tables(&k->mem) != 0)
        return end_keep(k, KVM_OUT_SETUP, "cannot build the boot page tables");
    return 0;
}

static uint64_t boot_flags(const struct kvm_keep_config *cfg)
{
    return (cfg->debug_console ? BURH_BOOT_DEBUG_CONSOLE : 0) | cfg->test_flags;
}

/* The shim at its link address, the payload file verbatim at BURH_GPA_PAYLOAD (read straight
 * into guest memory, then checked and measured there: the vCPU does not run yet, so the bytes
 * cannot change under us; the shim loads it into user pages after checking it again),
 * argv/envp strings at BURH_GPA_ARGS. */
static int load_images(struct keep *k, const struct kvm_keep_config *cfg, uint64_t *free_gpa,
                       uint64_t *payload_bytes)
{
    char why[256];
    uint8_t *shim = NULL;
    size_t shim_size = 0, payload_size = 0;
    if (kvm_read_image(cfg->shim_path, &shim, &shim_size, why, sizeof(why)) != 0)
        return end_keep(k, KVM_OUT_SETUP, "shim: %s", why);
    enum kvm_elf_err err = kvm_elf_load_shim(&k->mem, shim, shim_size, &k->shim_entry);
    if (err != KVM_ELF_OK) {
        free(shim);
        return end_keep(k, KVM_OUT_SETUP, "shim %s: %s", cfg->shim_path, kvm_elf_strerror(err));
    }
    /* Leave the shim at least 16 MiB of free frames for page tables, heap and stack. */
    uint64_t room = k->mem.size - BURH_GPA_PAYLOAD - (16u << 20);
    uint8_t *dst = kvm_guest_span(&k->mem, BURH_GPA_PAYLOAD, room);
    if (!dst ||
        kvm_read_image_into(cfg->payload_path, dst, room, &payload_size, why, sizeof(why)) != 0) {
        free(shim);
        return end_keep(k, KVM_OUT_SETUP, "payload: %s (guest memory %llu MiB)", why,
                        (unsigned long long)(k->mem.size >> 20));
    }
    /* Measured from the very bytes loaded, so the digest cannot drift from what runs. */
    struct kvm_launch_inputs in = {shim,         shim_size,     dst,
                                   payload_size, cfg->mem_size, boot_flags(cfg)};
    int measured = kvm_launch_digest(&in, k->res->launch_digest);
    free(shim);
    if (measured != 0)
        return end_keep(k, KVM_OUT_SETUP, "cannot compute the launch digest");
    err = kvm_elf_check(dst, payload_size, KVM_ELF_PAYLOAD, NULL);
    if (err != KVM_ELF_OK)
        return end_keep(k, KVM_OUT_SETUP, "payload %s: %s", cfg->payload_path,
                        kvm_elf_strerror(err));
    uint64_t end = (BURH_GPA_PAYLOAD + payload_size + 0x1fffff) & ~0x1fffffull;
    if (end + (16u << 20) > k->mem.size)
        return end_keep(k, KVM_OUT_SETUP,
                        "payload of %zu bytes does not fit %llu MiB of guest "
                        "memory",
                        payload_size, (unsigned long long)(k->mem.size >> 20));
    *free_gpa = end;
    *payload_bytes = payload_size;
    return 0;
}

static int write_args(struct keep *k, const struct kvm_keep_config *cfg, uint64_t *used)
{
    uint8_t *area = kvm_guest_span(&k->mem, BURH_GPA_ARGS, BURH_ARGS_MAX);
    uint64_t at = 0;
    for (unsigned i = 0; area && i < cfg->argc + cfg->envc; i++) {
        const char *s = i < cfg->argc ? cfg->argv[i] : cfg->envp[i - cfg->argc];
        size_t n = strlen(s) + 1;
        if (n > BURH_ARGS_MAX - at)
            return end_keep(k, KVM_OUT_SETUP, "arguments and environment exceed %u KiB",
                            BURH_ARGS_MAX >> 10);
        memcpy(area + at, s, n);
        at += n;
    }
    *used = at;
    return area ? 0 : end_keep(k, KVM_OUT_SETUP, "no room for the argument block");
}

static int write_boot_info(struct keep *k, const struct kvm_keep_config *cfg, uint64_t free_gpa,
                           uint64_t payload_size, uint64_t args_size)
{
    struct burh_boot_info bi = {
        .magic = BURH_BOOT_MAGIC,
        .abi_version = BURH_HOSTCALL_ABI_VERSION,
        .mem_size = k->mem.size,
        .payload_gpa = BURH_GPA_PAYLOAD,
        .payload_size = payload_size,
        .args_gpa = BURH_GPA_ARGS,
        .args_size = args_size,
        .argc = cfg->argc,
        .envc = cfg->envc,
        .hostcall_gpa = BURH_GPA_HOSTCALL,
        .free_gpa = free_gpa,
        .flags = boot_flags(cfg),
    };
    memcpy(bi.launch_digest, k->res->launch_digest, sizeof(bi.launch_digest));
    void *dst = kvm_guest_span(&k->mem, BURH_GPA_BOOT_INFO, sizeof(bi));
    if (!dst)
        return end_keep(k, KVM_OUT_SETUP, "no room for the boot info");
    memcpy(dst, &bi, sizeof(bi));
    return 0;
}

/* The TSC rate is known only once the vCPU exists, after the rest of the boot info; the shim
 * scales the TSC by it for the vDSO's clocks (0: it asks the host for every reading). */
static void write_boot_tsc(struct keep *k, enum kvm_hostile hostile)
{
    uint64_t khz = k->tsc_khz > 0 ? (uint64_t)k->tsc_khz : 0;
    if (hostile == KVM_HOSTILE_TSC_KHZ)
        khz = 50000000;
    void *dst = kvm_guest_span(
        &k->mem, BURH_GPA_BOOT_INFO + offsetof(struct burh_boot_info, tsc_khz), sizeof(khz));
    if (dst)
        memcpy(dst, &khz, sizeof(khz));
}

/* The guest sees the host CPU's features (as KVM can virtualise them) so glibc picks the
 * same string functions inside the keep as outside. */
static int setup_cpuid(struct keep *k)
{
    size_t bytes = sizeof(struct kvm_cpuid2) + CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2);
    struct kvm_cpuid2 *cpuid = calloc(1, bytes);
    if (!cpuid)
        return end_keep(k, KVM_OUT_SETUP, "out of memory");
    cpuid->nent = CPUID_MAX_ENTRIES;
    int rc = ioctl(k->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid);
    if (rc == 0)
        rc = ioctl(k->vcpu_fd, KVM_SET_CPUID2, cpuid);
    free(cpuid);
    return rc == 0 ? 0 : end_keep(k, KVM_OUT_SETUP, "CPUID set-up: %s", strerror(errno));
}

static void flat_segment(struct kvm_segment *seg, uint16_t selector, uint8_t type, int code)
{
    memset(seg, 0, sizeof(*seg));
    seg->base = 0;
    seg->limit = 0xffffffff;
    seg->selector = selector;
    seg->type = type;
    seg->present = 1;
    seg->s = 1;
    seg->g = 1;
    seg->l = code ? 1 : 0;
    seg->db = code ? 0 : 1;
}

/* Long mode from the first instruction: paging on, the boot GDT's flat 64-bit segments, and
 * RDI = the boot info's address (the System V first argument of the shim's entry). */
static int setup_vcpu(struct keep *k)
{
    k->vcpu_fd = ioctl(k->vm_fd, KVM_CREATE_VCPU, 0);
    if (k->vcpu_fd < 0)
        return end_keep(k, KVM_OUT_SETUP, "KVM_CREATE_VCPU: %s", strerror(errno));
    int size = ioctl(k->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size < (int)sizeof(struct kvm_run))
        return end_keep(k, KVM_OUT_SETUP, "KVM_GET_VCPU_MMAP_SIZE: %d", size);
    void *run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, k->vcpu_fd, 0);
    if (run == MAP_FAILED)
        return end_keep(k, KVM_OUT_SETUP, "mapping kvm_run: %s", strerror(errno));
    k->run = run;
    k->run_size = (size_t)size;
    if (setup_cpuid(k) != 0)
        return -1;
    struct kvm_sregs sregs;
    if (ioctl(k->vcpu_fd, KVM_GET_SREGS, &sregs) != 0)
        return end_keep(k, KVM_OUT_SETUP, "KVM_GET_SREGS: %s", strerror(errno));
    flat_segment(&sregs.cs, BURH_BOOT_SEL_CODE, 11, 1);
    flat_segment(&sregs.ds, BURH_BOOT_SEL_DATA, 3, 0);
    sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
    sregs.gdt.base = BURH_VA_DIRECT + BURH_GPA_BOOT_GDT;
    sregs.gdt.limit = BURH_BOOT_SEL_DATA + 8 - 1;
    sregs.idt.base = 0;
    sregs.idt.limit = 0;
    sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
    sregs.cr3 = BURH_GPA_PML4;
    sregs.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    sregs.efer = EFER_LME | EFER_LMA | EFER_NXE;
    if (ioctl(k->vcpu_fd, KVM_SET_SREGS, &sregs) != 0)
        return end_keep(k, KVM_OUT_SETUP, "KVM_SET_SREGS: %s", strerror(errno));
    struct kvm_regs regs;
    memset(&regs, 0, sizeof(regs));
    regs.rip = k->shim_entry;
    regs.rdi = BURH_GPA_BOOT_INFO;
    regs.rflags = 0x2;
    if (ioctl(k->vcpu_fd, KVM_SET_REGS, &regs) != 0)
        return end_keep(k, KVM_OUT_SETUP, "KVM_SET_REGS: %s", strerror(errno));
    return 0;
}

/* Prints one console line from the shim, with control characters made visible. */
static void print_console(struct keep *k, uint32_t len, int enabled)
{
    const volatile char *src =
        kvm_guest_span(&k->mem, BURH_GPA_HOSTCALL + 0x800, BURH_HC_CONSOLE_MAX);
    char line[BURH_HC_CONSOLE_MAX + 1];
    if (!enabled || !src)
        return;
    if (len > BURH_HC_CONSOLE_MAX)
        len = BURH_HC_CONSOLE_MAX;
    for (uint32_t i = 0; i < len; i++) {
        char c = src[i];
        line[i] = c >= 0x20 && c < 0x7f ? c : '?';
    }
    line[len] = '\0';
    fprintf(stderr, "[keep console] %s\n", line);
}

/* The shim's syscall counters in block.data, copied once and checked like any reply; a bad
 * table is dropped (the keep's outcome stands). */
static void take_stats(struct keep *k, uint32_t count)
{
    const void *src =
        count <= BURH_SC_STATS_MAX
            ? kvm_guest_span(&k->mem, BURH_GPA_HOSTCALL + offsetof(struct burh_hc_block, data),
                             (uint64_t)count * sizeof(struct burh_sc_stat))
            : NULL;
    if (!src)
        return;
    memcpy(k->res->stats, src, (size_t)count * sizeof(struct burh_sc_stat));
    if (kvm_stats_check(k->res->stats, count) == 0) {
        k->res->stats_count = count;
        k->res->stats_valid = 1;
    }
}

/* The shim's TSC marks, read once at the first hostcall; implausible values are left out. */
static void take_boot_marks(struct keep *k, uint64_t now)
{
    struct kvm_timing *t = &k->res->timing;
    struct burh_boot_marks m;
    const void *src = kvm_guest_span(
        &k->mem, BURH_GPA_HOSTCALL + offsetof(struct burh_hc_block, marks), sizeof(m));
    t->first_hc_ns = now - k->t_create_ns;
    if (!src)
        return;
    memcpy(&m, src, sizeof(m));
    t->boot_faults = m.faults;
    t->boot_syscalls = m.syscalls;
    if (k->tsc_khz <= 0 || !(m.tsc_start && m.tsc_start <= m.tsc_cpu && m.tsc_cpu <= m.tsc_mm &&
                             m.tsc_mm <= m.tsc_loaded && m.tsc_loaded <= m.tsc_user))
        return;
    double ns_per_tick = 1e6 / (double)k->tsc_khz;
    t->shim_cpu_ns = (uint64_t)((double)(m.tsc_cpu - m.tsc_start) * ns_per_tick);
    t->shim_mm_ns = (uint64_t)((double)(m.tsc_mm - m.tsc_cpu) * ns_per_tick);
    t->shim_load_ns = (uint64_t)((double)(m.tsc_loaded - m.tsc_mm) * ns_per_tick);
    uint64_t shim_ns = (uint64_t)((double)(m.tsc_user - m.tsc_start) * ns_per_tick);
    uint64_t guest_ns = now - k->t_run_ns;
    t->shim_to_main_ns = guest_ns > shim_ns ? guest_ns - shim_ns : 0;
}

/* The guest's exit record, copied once; the message is cut at NUL and made printable. */
static void take_exit(struct keep *k, uint32_t port_kind)
{
    struct burh_exit_record rec;
    const void *src = kvm_guest_span(
        &k->mem, BURH_GPA_HOSTCALL + offsetof(struct burh_hc_block, exit), sizeof(rec));
    if (!src) {
        end_keep(k, KVM_OUT_VM_ERROR, "exit record outside guest memory");
        return;
    }
    memcpy(&rec, src, sizeof(rec));
    take_stats(k, rec.stats_count);
    const struct burh_boot_marks *marks = kvm_guest_span(
        &k->mem, BURH_GPA_HOSTCALL + offsetof(struct burh_hc_block, marks), sizeof(*marks));
    if (marks) { /* the shim's final counts, for --timing only */
        k->res->timing.run_faults = marks->faults;
        k->res->timing.run_syscalls = marks->syscalls;
    }
    rec.message[BURH_EXIT_MSG_MAX - 1] = '\0';
    for (char *c = rec.message; *c; c++)
        if (*c < 0x20 || *c >= 0x7f)
            *c = '?';
    if (rec.kind != port_kind) {
        end_keep(k, KVM_OUT_VM_ERROR, "guest exit record says %u, port says %u", rec.kind,
                 port_kind);
        return;
    }
    switch (rec.kind) {
    case BURH_EXIT_STATUS:
        end_keep(k, KVM_OUT_EXITED, "payload exited with status %d", rec.code & 0xff);
        k->res->status = rec.code & 0xff;
        return;
    case BURH_EXIT_FAULT:
        end_keep(k, KVM_OUT_FAULT,
                 "guest fault in ring %llu: %s (vector %llu, error code 0x%llx)"
                 " at rip 0x%llx%s0x%llx",
                 (unsigned long long)rec.ring, rec.message, (unsigned long long)rec.vector,
                 (unsigned long long)rec.error_code, (unsigned long long)rec.rip,
                 rec.vector == 14 ? ", address " : ", cr2 ", (unsigned long long)rec.cr2);
        return;
    case BURH_EXIT_ABORT:
        end_keep(k, KVM_OUT_ABORT, "shim stopped the keep: %s", rec.message);
        return;
    case BURH_EXIT_SIGNAL:
        if (rec.code < 1 || rec.code > 64) {
            end_keep(k, KVM_OUT_VM_ERROR, "guest reports signal %d", rec.code);
            return;
        }
        end_keep(k, KVM_OUT_SIGNALED, "payload killed by signal %d (%s): %s", rec.code,
                 strsignal(rec.code), rec.message);
        k->res->status = rec.code;
        return;
    default:
        end_keep(k, KVM_OUT_VM_ERROR, "guest sent unknown exit kind %u", rec.kind);
    }
}

/* Port I/O is the guest's only way to talk to us: one 32-bit OUT to a known port. Returns 1 to
 * keep running, 0 when the keep has ended. */
static int handle_io(struct keep *k, const struct kvm_keep_config *cfg)
{
    const struct kvm_run *run = k->run;
    uint32_t value;
    if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4 || run->io.count != 1 ||
        run->io.data_offset > k->run_size - sizeof(value)) {
        end_keep(k, KVM_OUT_VM_ERROR, "guest did unsupported port I/O on port 0x%x", run->io.port);
        return 0;
    }
    memcpy(&value, (const uint8_t *)run + run->io.data_offset, sizeof(value));
    switch (run->io.port) {
    case BURH_PORT_HOSTCALL:
        if (!k->res->boot_ns) {
            uint64_t now = now_ns();
            k->res->boot_ns = now - k->t_create_ns;
            take_boot_marks(k, now);
        }
        if (kvm_hostcall_handle(&k->hc) != 0) {
            end_keep(k, KVM_OUT_VM_ERROR, "hostcall block outside guest memory");
            return 0;
        }
        return 1;
    case BURH_PORT_CONSOLE:
        print_console(k, value, cfg->debug_console);
        return 1;
    case BURH_PORT_EXIT:
        take_exit(k, value);
        return 0;
    default:
        end_keep(k, KVM_OUT_VM_ERROR, "guest wrote to unknown port 0x%x", run->io.port);
        return 0;
    }
}

static void run_loop(struct keep *k, const struct kvm_keep_config *cfg)
{
    for (;;) {
        if (g_stop_signal) {
            k->res->status = g_stop_signal;
            end_keep(k, KVM_OUT_STOPPED, "keep stopped by signal %d (%s)", (int)g_stop_signal,
                     strsignal(g_stop_signal));
            return;
        }
        if (g_timed_out) {
            struct kvm_regs regs;
            memset(&regs, 0, sizeof(regs));
            ioctl(k->vcpu_fd, KVM_GET_REGS, &regs);
            end_keep(k, KVM_OUT_TIMEOUT,
                     "wall-time limit of %u ms passed; keep stopped at "
                     "rip 0x%llx",
                     cfg->time_limit_ms, (unsigned long long)regs.rip);
            return;
        }
        if (ioctl(k->vcpu_fd, KVM_RUN, 0) != 0) {
            if (errno == EINTR || errno == EAGAIN) {
                k->run->immediate_exit = 0;
                continue;
            }
            end_keep(k, KVM_OUT_VM_ERROR, "KVM_RUN: %s", strerror(errno));
            return;
        }
        const struct kvm_run *run = k->run;
        if (!k->res->boot_ns)
            k->res->timing.boot_exits++;
        k->res->timing.run_exits++;
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
            if (!handle_io(k, cfg))
                return;
            break;
        case KVM_EXIT_HLT:
            end_keep(k, KVM_OUT_VM_ERROR, "guest halted without an exit report");
            return;
        case KVM_EXIT_SHUTDOWN:
            end_keep(k, KVM_OUT_VM_ERROR, "guest triple fault (VM shutdown)");
            return;
        case KVM_EXIT_FAIL_ENTRY:
            end_keep(k, KVM_OUT_VM_ERROR, "VM entry failed, hardware reason 0x%llx",
                     (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
            return;
        case KVM_EXIT_INTERNAL_ERROR:
            end_keep(k, KVM_OUT_VM_ERROR, "KVM internal error, suberror %u",
                     run->internal.suberror);
            return;
        case KVM_EXIT_MMIO:
            end_keep(k, KVM_OUT_VM_ERROR,
                     "guest touched physical address 0x%llx outside its "
                     "memory",
                     (unsigned long long)run->mmio.phys_addr);
            return;
        default:
            end_keep(k, KVM_OUT_VM_ERROR, "unexpected KVM exit reason %u", run->exit_reason);
            return;
        }
    }
}

static void teardown(struct keep *k)
{
    if (k->run)
        munmap(k->run, k->run_size);
    if (k->mem.base)
        munmap(k->mem.base, k->mem.size);
    if (k->vcpu_fd >= 0)
        close(k->vcpu_fd);
    if (k->vm_fd >= 0)
        close(k->vm_fd);
    if (k->kvm_fd >= 0)
        close(k->kvm_fd);
}

void kvm_keep_run(const struct kvm_keep_config *cfg, struct kvm_result *res)
{
    static struct keep k; /* big (the fd table); one keep per keepldr process */
    memset(res, 0, sizeof(*res));
    memset(&k, 0, sizeof(k));
    k.kvm_fd = k.vm_fd = k.vcpu_fd = -1;
    k.res = res;
    res->outcome = KVM_OUT_SETUP;
    g_timed_out = 0;
    g_stop_signal = 0;
    uint64_t free_gpa = 0, payload_size = 0, args_size = 0;
    struct kvm_timing *t = &res->timing;
    if (open_vm(&k) == 0 && setup_memory(&k, cfg->mem_size) == 0 &&
        (t->memory_ns = now_ns() - k.t_create_ns) != 0 &&
        load_images(&k, cfg, &free_gpa, &payload_size) == 0 &&
        write_args(&k, cfg, &args_size) == 0 &&
        write_boot_info(&k, cfg, free_gpa, payload_size, args_size) == 0 &&
        (t->loaded_ns = now_ns() - k.t_create_ns) != 0 && setup_vcpu(&k) == 0) {
        k.tsc_khz = ioctl(k.vcpu_fd, KVM_GET_TSC_KHZ, 0);
        write_boot_tsc(&k, cfg->hostile);
        k.hc.mem = &k.mem;
        k.hc.hostile = cfg->hostile;
        kvm_fdtab_init(&k.hc.fds);
        int status_dup = cfg->status_fd >= 0 ? fcntl(cfg->status_fd, F_DUPFD_CLOEXEC, 3) : -1;
        if (status_dup >= 0 && kvm_fdtab_install(&k.hc.fds, 3, status_dup) != 0)
            close(status_dup);
        /* A peer that goes away must give the keep EPIPE, not kill keepldr. */
        signal(SIGPIPE, SIG_IGN);
        g_run_for_signal = k.run;
        k.t_run_ns = now_ns();
        t->vcpu_ns = k.t_run_ns - k.t_create_ns;
        if (arm_time_limit(cfg->time_limit_ms) != 0)
            end_keep(&k, KVM_OUT_SETUP, "cannot arm the time limit: %s", strerror(errno));
        else
            run_loop(&k, cfg);
        t->run_ns = now_ns() - k.t_run_ns;
        disarm_time_limit();
        res->hostcalls = k.hc.calls;
        kvm_fdtab_close_all(&k.hc.fds);
    }
    teardown(&k);
}
