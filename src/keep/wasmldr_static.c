/* wasmldr_static.c: start-up tuning linked into burh-wasmldr-static only (fewer kernel entries). */
#include <malloc.h>
#include <sys/types.h>
#include <unistd.h>

/*
 * In a kvm keep every syscall is a trip into the shim, which costs ~0.65 ms on a host that
 * emulates the shim (docs/kvm.md "Quirks and measurements"). mk/shim.mk links this object, and
 * `-Wl,--wrap=` for the calls below, into the static keep build only: the nil and in-process
 * builds of burh-wasmldr are untouched.
 */

/* malloc: one arena (one vCPU, so no contention to spread), a heap that grows by 16 MiB at a
 * time and never shrinks (the shim backs pages lazily, so unused top costs no memory until
 * touched), and no mmap for blocks below 32 MiB (each would be an mmap and a munmap). */
__attribute__((constructor)) static void tune_malloc(void)
{
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_TOP_PAD, 16 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

/* The keep never forks (the shim refuses a fork-like clone) and never changes its ids, so a
 * process id or user id asked once stays true; OpenSSL and libevent ask again and again. */
pid_t __real_getpid(void);
uid_t __real_getuid(void);
uid_t __real_geteuid(void);
gid_t __real_getgid(void);
gid_t __real_getegid(void);
pid_t __wrap_getpid(void);
uid_t __wrap_getuid(void);
uid_t __wrap_geteuid(void);
gid_t __wrap_getgid(void);
gid_t __wrap_getegid(void);

pid_t __wrap_getpid(void)
{
    static pid_t pid;
    if (!pid)
        pid = __real_getpid();
    return pid;
}

/* The four ids, asked together the first time any is wanted. */
static uid_t cached_id(int which)
{
    static int asked;
    static uid_t ids[4];
    if (!asked) {
        ids[0] = __real_getuid();
        ids[1] = __real_geteuid();
        ids[2] = __real_getgid();
        ids[3] = __real_getegid();
        asked = 1;
    }
    return ids[which];
}

uid_t __wrap_getuid(void)
{
    return cached_id(0);
}

uid_t __wrap_geteuid(void)
{
    return cached_id(1);
}

gid_t __wrap_getgid(void)
{
    return (gid_t)cached_id(2);
}

gid_t __wrap_getegid(void)
{
    return (gid_t)cached_id(3);
}
