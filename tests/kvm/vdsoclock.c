/* vdsoclock.c: the keep's vDSO clocks against the syscalls, for monotonicity, rate and realtime. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Run natively and in a keep by tests/integration/kvm.sh, which wants the same output from
 * both: every line says only whether a check held. `vdsoclock HOST_SECONDS` checks the
 * realtime clock against the host's; `vdsoclock seal` (keep only) checks that the vDSO's
 * pages cannot be made writable and that dropping the clock page is harmless. */

static int failures;

static void check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    failures += !ok;
}

static int64_t ns_of(const struct timespec *t)
{
    return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int64_t via_libc(clockid_t id)
{
    struct timespec t;
    return clock_gettime(id, &t) == 0 ? ns_of(&t) : -1;
}

static int64_t via_syscall(clockid_t id)
{
    struct timespec t;
    return syscall(SYS_clock_gettime, id, &t) == 0 ? ns_of(&t) : -1;
}

/* Each clock the vDSO serves agrees with the syscall to within 50 ms (a syscall costs ~1 ms
 * in a keep on an emulating host; coarse clocks lag by a tick natively). */
static void check_against_syscall(void)
{
    static const clockid_t ids[] = {CLOCK_REALTIME,         CLOCK_MONOTONIC,
                                    CLOCK_MONOTONIC_RAW,    CLOCK_REALTIME_COARSE,
                                    CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME};
    int agree = 1;
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        int64_t a = via_libc(ids[i]), b = via_syscall(ids[i]), c = via_libc(ids[i]);
        if (a < 0 || b < 0 || c < 0 || llabs(b - a) > 50000000 || llabs(c - b) > 50000000) {
            fprintf(stderr, "clock %d: libc %lld, syscall %lld, libc %lld\n", (int)ids[i],
                    (long long)a, (long long)b, (long long)c);
            agree = 0;
        }
    }
    check(agree, "clock_gettime agrees with the syscall for six clocks");
}

static void check_monotonic(void)
{
    int64_t last = via_libc(CLOCK_MONOTONIC), now;
    int steady = last >= 0;
    for (int i = 1; i <= 200000 && steady; i++) {
        now = i % 2000 == 0 ? via_syscall(CLOCK_MONOTONIC) : via_libc(CLOCK_MONOTONIC);
        steady = now >= last;
        last = now;
    }
    check(steady, "CLOCK_MONOTONIC never goes back (200000 readings, some by syscall)");
}

/* The TSC rate is right: a 200 ms sleep (the host's) measures 200 ms on our clocks. */
static void check_rate(void)
{
    struct timespec nap = {0, 200000000};
    int64_t m0 = via_libc(CLOCK_MONOTONIC), r0 = via_libc(CLOCK_REALTIME);
    nanosleep(&nap, NULL);
    int64_t m1 = via_libc(CLOCK_MONOTONIC), r1 = via_libc(CLOCK_REALTIME);
    int64_t dm = m1 - m0, dr = r1 - r0;
    if (dm < 195000000 || dm > 2000000000 || llabs(dr - dm) > 20000000)
        fprintf(stderr, "200 ms sleep: monotonic %lld ns, realtime %lld ns\n", (long long)dm,
                (long long)dr);
    check(dm >= 195000000 && dm <= 2000000000, "a 200 ms sleep lasts 200 ms on CLOCK_MONOTONIC");
    check(llabs(dr - dm) <= 20000000, "realtime advances with monotonic");
}

static void check_realtime(long long host_sec)
{
    struct timespec t;
    struct timeval tv;
    clock_gettime(CLOCK_REALTIME, &t);
    gettimeofday(&tv, NULL);
    time_t now = time(NULL);
    int64_t tv_ns = (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
    check(llabs(tv_ns - ns_of(&t)) < 50000000, "gettimeofday agrees with CLOCK_REALTIME");
    check(llabs((long long)now - (long long)t.tv_sec) <= 1, "time() agrees with CLOCK_REALTIME");
    check(llabs((long long)t.tv_sec - host_sec) <= 10, "CLOCK_REALTIME is the host's time");
}

static void check_misc(void)
{
    struct timespec res = {-1, -1};
    check(getauxval(AT_SYSINFO_EHDR) != 0, "AT_SYSINFO_EHDR names a vDSO");
    check(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec == 1,
          "clock_getres(CLOCK_MONOTONIC) is 1 ns");
    check(sched_getcpu() >= 0, "sched_getcpu answers");
}

/* In a keep only: the vDSO's pages are the shim's and must stay read-only. */
static int check_seal(void)
{
    uintptr_t vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
    int64_t before = via_libc(CLOCK_MONOTONIC);
    int r1 = mprotect((void *)vdso, 4096, PROT_READ | PROT_WRITE);
    int e1 = errno;
    int r2 = mprotect((void *)(vdso - 8192), 4096, PROT_READ | PROT_WRITE);
    int e2 = errno;
    int r3 = madvise((void *)(vdso - 8192), 4096, MADV_DONTNEED);
    int64_t after = via_libc(CLOCK_MONOTONIC);
    check(r1 == -1 && e1 == EACCES, "mprotect of the vDSO image to writable: EACCES");
    check(r2 == -1 && e2 == EACCES, "mprotect of the clock page to writable: EACCES");
    check(r3 == 0 && after >= before && after - before < 1000000000,
          "clocks still right after MADV_DONTNEED of the clock page");
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "seal") == 0)
        return check_seal();
    if (argc != 2) {
        fprintf(stderr, "usage: vdsoclock HOST_SECONDS | seal\n");
        return 2;
    }
    check_misc();
    check_against_syscall();
    check_monotonic();
    check_rate();
    check_realtime(atoll(argv[1]));
    return failures ? 1 : 0;
}
