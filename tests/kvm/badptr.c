/* badptr.c: passes bad pointers to syscalls; in a keep (and natively) each must fail with EFAULT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void expect_efault(const char *what, long ret)
{
    int ok = ret == -1 && errno == EFAULT;
    printf("%-40s %s\n", what, ok ? "EFAULT ok" : "NOT EFAULT");
    failures += !ok;
}

int main(void)
{
    void *kernel = (void *)0xffffd90000200000ul; /* where the shim lives */
    char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (none == MAP_FAILED || ro == MAP_FAILED)
        return 2;
    expect_efault("write from address 1", syscall(SYS_write, 1, (void *)1, 5));
    expect_efault("write from a kernel address", syscall(SYS_write, 1, kernel, 8));
    expect_efault("write from a PROT_NONE page", syscall(SYS_write, 1, none, 8));
    expect_efault("write with a wrapping length",
                  syscall(SYS_write, 1, (void *)(uintptr_t)ro, (size_t)-4096));
    /* stdin must be /dev/zero (as tests/integration/kvm.sh runs it), so the read has data. */
    expect_efault("read into a read-only page", syscall(SYS_read, 0, ro, 8));
    expect_efault("getrandom into a kernel address", syscall(SYS_getrandom, kernel, 16, 0));
    expect_efault("clock_gettime into an unmapped page",
                  syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)0x1000));
    expect_efault("uname into a read-only page", syscall(SYS_uname, ro));
    struct iovec {
        void *base;
        size_t len;
    } iov[2] = {{"ok", 2}, {kernel, 4}};
    expect_efault("writev with one bad vector", syscall(SYS_writev, 1, iov, 2));
    printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
