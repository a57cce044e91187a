/* clock.c: the keep's clocks on the TSC: the vDSO with its clock pages, and the clock syscalls. */
#include "shim/shim.h"
#include "shim/vdso/vclock.h"

#define SYS_gettimeofday  96
#define SYS_time          201
#define SYS_clock_gettime 228
#define NS_PER_SEC        1000000000ull

/* vdso_image.S: the vDSO file, page-aligned and zero-padded to whole pages. */
extern const uint8_t vdso_image_start[], vdso_image_end[];

static volatile struct burh_vclock_data *g_vdata;
static volatile struct burh_vclock_state *g_vstate;
static uint64_t g_mult; /* ns = ticks * g_mult >> 32; 0: no TSC rate, every reading is the host's */

static uint64_t ticks_ns(uint64_t ticks)
{
    return (uint64_t)(((unsigned __int128)ticks * g_mult) >> 32);
}

/* Checks the host's TSC rate, then maps (from low to high) the clock data page, read-only,
 * the payload's clock state page and the vDSO image, read+exec, in one gap. Returns the
 * vDSO's address for AT_SYSINFO_EHDR. */
uint64_t clock_init(void)
{
    uint64_t khz = g_boot.tsc_khz;
    if (khz && (khz < BURH_TSC_KHZ_MIN || khz > BURH_TSC_KHZ_MAX))
        shim_abort("boot info: TSC rate %lu kHz is implausible", (unsigned long)khz);
    if (khz)
        g_mult = (1000000ull << 32) / khz;
    uint64_t data_pa = mm_frame_alloc(), state_pa = mm_frame_alloc();
    uint64_t image_pa = (uint64_t)(uintptr_t)vdso_image_start - BURH_VA_DIRECT;
    uint64_t image_len = (uint64_t)(vdso_image_end - vdso_image_start);
    uint64_t len = BURH_VCLOCK_PAGES * PAGE_SIZE + image_len;
    uint64_t at = mm_find_gap(len);
    if (!data_pa || !state_pa || !at ||
        mm_map_shim_pages(at, at + PAGE_SIZE, PROT_READ, data_pa) != 0 ||
        mm_map_shim_pages(at + PAGE_SIZE, at + 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, state_pa) !=
            0 ||
        mm_map_shim_pages(at + 2 * PAGE_SIZE, at + len, PROT_READ | PROT_EXEC, image_pa) != 0)
        shim_abort("no room for the vDSO");
    g_vdata = phys_to_virt(data_pa);
    g_vstate = phys_to_virt(state_pa);
    return at + 2 * PAGE_SIZE;
}

/* Nanoseconds of a host reading, which must be a plausible time (the sums in vclock.h rely on
 * it); the reading's shape (nsec < 1e9) is checked by fwd_host_clock. */
static uint64_t host_ns(const int64_t t[2])
{
    if ((uint64_t)t[0] >= BURH_VCLOCK_SEC_MAX)
        shim_abort("host reply to clock_gettime: %ld s is no plausible time", (long)t[0]);
    return (uint64_t)t[0] * NS_PER_SEC + (uint64_t)t[1];
}

/* At the first reading: the host's monotonic and realtime clocks, each placed at the TSC in
 * the middle of its hostcall. From then on only the TSC counts (docs/kvm.md "vDSO"). */
static int64_t clock_start(void)
{
    int64_t mono[2], real[2];
    uint64_t t0 = vclock_rdtsc();
    int64_t err = fwd_host_clock(1, &mono[0], &mono[1]);
    uint64_t t1 = vclock_rdtsc();
    if (err == 0)
        err = fwd_host_clock(0, &real[0], &real[1]);
    uint64_t t2 = vclock_rdtsc();
    if (err != 0)
        return err;
    uint64_t base = t1 > t0 ? t0 + (t1 - t0) / 2 : t1;
    uint64_t real_at = t2 > t1 ? t1 + (t2 - t1) / 2 : base;
    uint64_t real_ns = host_ns(real), since = real_at > base ? ticks_ns(real_at - base) : 0;
    g_vdata->tsc_base = base;
    g_vdata->mult = g_mult;
    g_vdata->mono_base_ns = host_ns(mono);
    g_vdata->real_base_ns = real_ns > since ? real_ns - since : 0;
    __asm__ volatile("" ::: "memory"); /* the fields before the flag (one CPU: order suffices) */
    g_vdata->ready = 1;
    return 0;
}

/* clock_gettime, gettimeofday and time from the TSC once a rate is known; without one they
 * are left to forward.c (each reading a hostcall), as before the vDSO. */
int64_t clock_syscall(uint64_t nr, const uint64_t a[6], int *handled)
{
    *handled = g_mult && (nr == SYS_clock_gettime || nr == SYS_gettimeofday || nr == SYS_time);
    if (!*handled)
        return -ENOSYS;
    int64_t clock_id = nr == SYS_clock_gettime ? (int64_t)a[0] : 0;
    uint64_t out = nr == SYS_clock_gettime ? a[1] : a[0], size = nr == SYS_time ? 8 : 16;
    if (out && mm_user_ok(out, size, 1) != 0)
        return -EFAULT;
    if (nr == SYS_gettimeofday && a[1] && mm_user_ok(a[1], 8, 1) != 0)
        return -EFAULT;
    if (!vclock_serves(clock_id))
        return -EINVAL;
    if (!g_vdata->ready) {
        int64_t err = clock_start();
        if (err != 0)
            return err;
    }
    uint64_t ns = vclock_ns(g_vdata, g_vstate, vclock_is_realtime(clock_id), vclock_rdtsc());
    int64_t t[2] = {(int64_t)(ns / NS_PER_SEC), (int64_t)(ns % NS_PER_SEC)};
    if (nr == SYS_gettimeofday) {
        t[1] /= 1000;
        if (a[1]) /* the keep keeps UTC: no time zone */
            memset((void *)(uintptr_t)a[1], 0, 8);
    }
    if (out)
        memcpy((void *)(uintptr_t)out, t, (size_t)size);
    return nr == SYS_time ? t[0] : 0;
}
