/* vdso.c: the keep's vDSO: clocks read from the TSC in ring 3, without entering the shim. */
#include <stddef.h>
#include <stdint.h>

#include "shim/vdso/vclock.h"

/* Built -shared -fPIC and linked by vdso.lds into one read+exec segment with no relocations:
 * glibc only looks its symbols up, it never relocates a vDSO. The shim maps the clock pages
 * right below the image, so they are found from the ELF header's own address. */
extern const char __ehdr_start[] __attribute__((visibility("hidden")));

#define EXPORT __attribute__((visibility("default")))

#define SYS_gettimeofday  96
#define SYS_time          201
#define SYS_clock_gettime 228
#define SYS_clock_getres  229

struct vdso_timespec {
    int64_t sec, nsec;
};
struct vdso_timeval {
    int64_t sec, usec;
};
struct vdso_timezone {
    int32_t minuteswest, dsttime;
};

/* The image's load address, taken in asm: the pages below it are no C object the compiler
 * knows, so pointer arithmetic on __ehdr_start would be out of its bounds. */
static uintptr_t image_base(void)
{
    uintptr_t base;
    __asm__("lea __ehdr_start(%%rip), %0" : "=r"(base));
    return base;
}

static const volatile struct burh_vclock_data *clock_data(void)
{
    return (const volatile struct burh_vclock_data *)(image_base() - 2 * 4096);
}

static volatile struct burh_vclock_state *clock_state(void)
{
    return (volatile struct burh_vclock_state *)(image_base() - 4096);
}

/* Anything the TSC does not serve (or not yet) is the shim's, as Linux's vDSO falls back. */
static int64_t fallback(int64_t nr, uint64_t a0, uint64_t a1)
{
    int64_t ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1) : "rcx", "r11", "memory");
    return ret;
}

static int now_ns(int64_t clock_id, uint64_t *ns)
{
    const volatile struct burh_vclock_data *d = clock_data();
    if (!d->ready || !vclock_serves(clock_id))
        return -1;
    *ns = vclock_ns(d, clock_state(), vclock_is_realtime(clock_id), vclock_rdtsc());
    return 0;
}

EXPORT int __vdso_clock_gettime(int64_t clock_id, struct vdso_timespec *ts)
{
    uint64_t ns;
    if (!ts || now_ns(clock_id, &ns) != 0)
        return (int)fallback(SYS_clock_gettime, (uint64_t)clock_id, (uint64_t)(uintptr_t)ts);
    ts->sec = (int64_t)(ns / 1000000000u);
    ts->nsec = (int64_t)(ns % 1000000000u);
    return 0;
}

EXPORT int __vdso_gettimeofday(struct vdso_timeval *tv, struct vdso_timezone *tz)
{
    uint64_t ns;
    if (!tv || now_ns(0, &ns) != 0)
        return (int)fallback(SYS_gettimeofday, (uint64_t)(uintptr_t)tv, (uint64_t)(uintptr_t)tz);
    tv->sec = (int64_t)(ns / 1000000000u);
    tv->usec = (int64_t)(ns % 1000000000u / 1000u);
    if (tz) { /* the keep keeps UTC */
        tz->minuteswest = 0;
        tz->dsttime = 0;
    }
    return 0;
}

EXPORT int64_t __vdso_time(int64_t *t)
{
    uint64_t ns;
    if (now_ns(0, &ns) != 0)
        return fallback(SYS_time, (uint64_t)(uintptr_t)t, 0);
    int64_t sec = (int64_t)(ns / 1000000000u);
    if (t)
        *t = sec;
    return sec;
}

/* One vCPU: always CPU 0 on node 0. */
EXPORT int __vdso_getcpu(uint32_t *cpu, uint32_t *node, void *unused)
{
    (void)unused;
    if (cpu)
        *cpu = 0;
    if (node)
        *node = 0;
    return 0;
}

/* The TSC clocks count in nanoseconds (what the shim's clock_getres says too). */
EXPORT int __vdso_clock_getres(int64_t clock_id, struct vdso_timespec *res)
{
    if (!res || !clock_data()->ready || !vclock_serves(clock_id))
        return (int)fallback(SYS_clock_getres, (uint64_t)clock_id, (uint64_t)(uintptr_t)res);
    res->sec = 0;
    res->nsec = 1;
    return 0;
}
