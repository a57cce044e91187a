/* syscall.c: the payload's Linux syscalls: served here, forwarded (forward.c), or -ENOSYS. */
#include "shim/shim.h"

#define SYS_fstat           5
#define SYS_lseek           8
#define SYS_mmap            9
#define SYS_mprotect        10
#define SYS_munmap          11
#define SYS_brk             12
#define SYS_ioctl           16
#define SYS_sched_yield     24
#define SYS_mremap          25
#define SYS_madvise         28
#define SYS_getpid          39
#define SYS_gettimeofday    96
#define SYS_exit            60
#define SYS_uname           63
#define SYS_readlink        89
#define SYS_getuid          102
#define SYS_getgid          104
#define SYS_geteuid         107
#define SYS_getegid         108
#define SYS_getppid         110
#define SYS_arch_prctl      158
#define SYS_time            201
#define SYS_futex           202
#define SYS_clock_gettime   228
#define SYS_clock_getres    229
#define SYS_exit_group      231
#define SYS_openat          257
#define SYS_newfstatat      262
#define SYS_readlinkat      267
#define SYS_ppoll           271
#define SYS_set_robust_list 273
#define SYS_prlimit64       302
#define SYS_getrandom       318
#define SYS_rseq            334

#define MAP_SHARED          0x01
#define MAP_PRIVATE         0x02
#define MAP_FIXED           0x10
#define MAP_ANONYMOUS       0x20
#define MAP_FIXED_NOREPLACE 0x100000
#define MADV_DONTNEED       4
#define MADV_FREE           8
#define ARCH_SET_FS         0x1002
#define ARCH_GET_FS         0x1003
#define RLIMIT_STACK        3
#define KEEP_PID            1

static int page_aligned(uint64_t v)
{
    return (v & (PAGE_SIZE - 1)) == 0;
}

/* len rounded up to pages; 0 when it is 0 or would overflow. */
static uint64_t page_len(uint64_t len)
{
    return len > BURH_USER_MAX ? 0 : (len + PAGE_SIZE - 1) & PAGE_MASK;
}

static int64_t sys_mmap(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, int64_t fd)
{
    uint64_t size = page_len(len);
    uint64_t type = flags & (MAP_SHARED | MAP_PRIVATE);
    if (len && !size)
        return -ENOMEM; /* larger than the whole user address space */
    if (!size || (prot & ~7ull) || (type != MAP_SHARED && type != MAP_PRIVATE))
        return -EINVAL;
    if (!(flags & MAP_ANONYMOUS)) {
        shim_log("mmap of fd %ld: only anonymous memory is offered", (long)fd);
        return -ENODEV;
    }
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if (!page_aligned(addr) || addr < BURH_USER_MIN || addr > BURH_USER_MAX ||
            size > BURH_USER_MAX - addr)
            return -EINVAL;
        if (!mm_range_free(addr, addr + size)) {
            if (flags & MAP_FIXED_NOREPLACE)
                return -EEXIST;
            mm_unmap(addr, size);
        }
    } else if (!addr || !page_aligned(addr) || addr < BURH_USER_MIN || addr > BURH_USER_MAX ||
               size > BURH_USER_MAX - addr || !mm_range_free(addr, addr + size)) {
        addr = mm_find_gap(size); /* the hint cannot be honoured */
        if (!addr)
            return -ENOMEM;
    }
    int err = mm_map_region(addr, addr + size, (uint32_t)prot);
    return err ? err : (int64_t)addr;
}

static int64_t sys_range(uint64_t nr, uint64_t addr, uint64_t len, uint64_t arg)
{
    uint64_t size = page_len(len);
    if (!page_aligned(addr) || (len && !size))
        return -EINVAL;
    if (!size)
        return nr == SYS_munmap ? -EINVAL : 0;
    switch (nr) {
    case SYS_munmap:
        return mm_unmap(addr, size);
    case SYS_mprotect:
        return (arg & ~7ull) ? -EINVAL : mm_protect(addr, size, (uint32_t)arg);
    default: /* madvise: dropping pages must read back as zeros; other advice is a hint */
        if (arg == MADV_DONTNEED || arg == MADV_FREE)
            return mm_discard(addr, size);
        return 0;
    }
}

static int64_t sys_uname(uint64_t buf)
{
    static const char fields[6][65] = {"Linux",  "burh-keep", "6.1.0-burh", "#1 burh kvm shim",
                                       "x86_64", "(none)"};
    if (mm_user_ok(buf, sizeof(fields), 1) != 0)
        return -EFAULT;
    memcpy((void *)(uintptr_t)buf, fields, sizeof(fields));
    return 0;
}

static int64_t sys_arch_prctl(int64_t code, uint64_t addr)
{
    if (code == ARCH_SET_FS) {
        if (addr > BURH_USER_MAX) /* a non-canonical base would fault in the shim */
            return -EPERM;
        cpu_set_fs_base(addr);
        return 0;
    }
    if (code == ARCH_GET_FS) {
        uint64_t base = cpu_fs_base();
        if (mm_user_ok(addr, 8, 1) != 0)
            return -EFAULT;
        memcpy((void *)(uintptr_t)addr, &base, 8);
        return 0;
    }
    return -EINVAL;
}

static int64_t sys_getrandom(uint64_t buf, uint64_t len, uint64_t flags)
{
    if (flags & ~7ull)
        return -EINVAL;
    if (len > 0x2000000)
        len = 0x2000000; /* Linux also returns at most 32 MiB per call */
    if (mm_user_ok(buf, len, 1) != 0)
        return -EFAULT;
    if (shim_random_bytes((void *)(uintptr_t)buf, (size_t)len) != 0)
        shim_abort("the CPU's random number generator failed");
    return (int64_t)len;
}

static int64_t sys_prlimit(int64_t pid, int64_t resource, uint64_t new_limit, uint64_t old)
{
    if ((pid != 0 && pid != KEEP_PID) || resource < 0 || resource > 15)
        return -EINVAL;
    if (new_limit)
        return -EPERM;
    if (old) {
        uint64_t lim[2] = {~0ull, ~0ull};
        if (resource == RLIMIT_STACK)
            lim[0] = 8ull << 20;
        if (mm_user_ok(old, sizeof(lim), 1) != 0)
            return -EFAULT;
        memcpy((void *)(uintptr_t)old, lim, sizeof(lim));
    }
    return 0;
}

/* The clocks clock_gettime answers (realtime, monotonic and their coarse, raw and boot-time
 * variants) count in nanoseconds, from the TSC or the host's clock_gettime; CPU-time clocks are
 * not offered there, so not here either. */
static int64_t sys_clock_getres(int64_t clock_id, uint64_t out)
{
    static const int64_t one_ns[2] = {0, 1};
    if (clock_id < 0 || clock_id > 7 || clock_id == 2 || clock_id == 3)
        return -EINVAL;
    if (out) {
        if (mm_user_ok(out, sizeof(one_ns), 1) != 0)
            return -EFAULT;
        memcpy((void *)(uintptr_t)out, one_ns, sizeof(one_ns));
    }
    return 0;
}

static int64_t served_syscall(uint64_t nr, const uint64_t a[6], int *handled)
{
    *handled = 1;
    switch (nr) {
    case SYS_brk:
        return (int64_t)mm_brk(a[0]);
    case SYS_mmap:
        return sys_mmap(a[0], a[1], a[2], a[3], (int64_t)a[4]);
    case SYS_munmap:
    case SYS_mprotect:
    case SYS_madvise:
        return sys_range(nr, a[0], a[1], a[2]);
    case SYS_arch_prctl:
        return sys_arch_prctl((int64_t)a[0], a[1]);
    case SYS_set_robust_list:
        return 0;
    case SYS_getrandom:
        return sys_getrandom(a[0], a[1], a[2]);
    case SYS_clock_getres:
        return sys_clock_getres((int64_t)a[0], a[1]);
    case SYS_clock_gettime: /* from the TSC (clock.c); forwarded when the rate is unknown */
    case SYS_gettimeofday:
    case SYS_time:
        return clock_syscall(nr, a, handled);
    case SYS_uname:
        return sys_uname(a[0]);
    case SYS_getpid:
        return KEEP_PID;
    case SYS_getppid:
        return 0;
    case SYS_getuid:
    case SYS_getgid:
    case SYS_geteuid:
    case SYS_getegid:
        return 0;
    case SYS_sched_yield:
        return 0;
    case SYS_prlimit64:
        return sys_prlimit((int64_t)a[0], (int64_t)a[1], a[2], a[3]);
    case SYS_readlink:
    case SYS_readlinkat:
    case SYS_openat:
        return -ENOENT; /* the keep has no file system */
    case SYS_ioctl:
        return -ENOTTY;
    case SYS_lseek:
        return -ESPIPE;
    case SYS_exit:
    case SYS_exit_group:
        shim_exit_status((int)a[0]);
    default:
        *handled = 0;
        return -ENOSYS;
    }
}

static uint32_t g_counts[3][BURH_SC_NR_MAX];
uint64_t g_syscalls_made;

static void count(uint64_t nr, uint32_t disposition)
{
    if (nr < BURH_SC_NR_MAX && g_counts[disposition][nr] != UINT32_MAX)
        g_counts[disposition][nr]++;
}

uint32_t shim_stats_export(volatile struct burh_sc_stat *out)
{
    uint32_t n = 0;
    for (uint32_t nr = 0; nr < BURH_SC_NR_MAX; nr++) {
        for (uint32_t d = 0; d < 3; d++) {
            if (!g_counts[d][nr])
                continue;
            out[n].nr = (uint16_t)nr;
            out[n].disposition = (uint16_t)d;
            out[n].count = g_counts[d][nr];
            n++;
        }
    }
    return n;
}

static int64_t dispatch(struct syscall_frame *f, uint64_t a[6], uint32_t *disposition)
{
    int handled;
    uint64_t nr = f->nr;
    *disposition = BURH_SC_SERVED;
    if (nr == SYS_ppoll) {
        int64_t err = local_ppoll_timeout(a);
        if (err < 0)
            return err;
    }
    int64_t ret = thread_syscall(f, a, &handled);
    if (handled)
        return ret; /* possibly another thread's result: f now holds its registers */
    ret = sig_syscall(f, a, &handled);
    if (!handled)
        ret = local_syscall(nr, a, &handled);
    if (!handled)
        ret = served_syscall(nr, a, &handled);
    if (!handled) {
        *disposition = BURH_SC_FORWARDED;
        ret = fwd_syscall(nr, a, &handled);
    }
    if (!handled)
        shim_log("syscall %lu not supported: -ENOSYS", (unsigned long)nr);
    if (ret == SHIM_BLOCKED)
        return thread_block(f); /* another thread's result: f now holds its registers */
    thread_after_syscall(nr, a);
    return ret;
}

/* Called from syscall_entry (or the fault path) with the payload's registers; the result goes
 * back in RAX, unless g_sig_frame_pending says every register comes from g_sig_frame. */
int64_t shim_syscall(struct syscall_frame *f)
{
    uint64_t a[6] = {f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9};
    uint64_t nr = f->nr;
    uint32_t disposition;
    g_syscalls_made++;
    if (nr == SYS_exit || nr == SYS_exit_group)
        count(nr, BURH_SC_SERVED); /* exit_group does not come back to be counted */
    int64_t ret = dispatch(f, a, &disposition);
    if (nr != SYS_exit && nr != SYS_exit_group)
        count(nr, ret == -ENOSYS ? BURH_SC_REFUSED : disposition);
    if (g_sig_due)
        sig_after_syscall(f, ret);
    return ret;
}
