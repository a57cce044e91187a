/* test_keepmgr_sandbox.c: the nil keep's seccomp allow-list and rlimits, tried in child processes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "host/keepldr.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* Runs fn in a child under the filter; returns its wait status. _exit skips atexit work
 * (sanitizer leak checks would need ptrace, which the filter refuses). */
static int run_sandboxed(int (*fn)(void))
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (keepldr_seccomp_install(false) != 0)
            _exit(100);
        _exit(fn());
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return st;
}

static void assert_killed_by_seccomp(int st)
{
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGSYS);
}

static void assert_exit(int st, int code)
{
    if (!WIFEXITED(st))
        fail_msg("child killed by signal %d", WTERMSIG(st));
    assert_int_equal(WEXITSTATUS(st), code);
}

static int try_fork(void)
{
    pid_t p = fork();
    if (p == 0)
        _exit(0);
    return 1; /* should not get here */
}

static int try_open_for_writing(void)
{
    int fd = open("/tmp/burh-sandbox-test-escape", O_WRONLY | O_CREAT, 0600);
    return fd >= 0 ? 1 : 2;
}

static int try_ptrace(void)
{
    ptrace(PTRACE_TRACEME, 0, NULL, NULL);
    return 1;
}

static void *thread_main(void *arg)
{
    return arg;
}

/* What a server inside the keep needs keeps working; soft refusals give errors. */
static int allowed_things_work(void)
{
    char buf[16];
    int fd = open("/proc/self/stat", O_RDONLY);
    if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0)
        return 10;
    close(fd);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0 || listen(s, 1) != 0)
        return 11;
    close(s);
    if (socket(AF_NETLINK, SOCK_RAW, 0) != -1 || errno != EAFNOSUPPORT)
        return 12;
    if (socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) != -1 || errno != EAFNOSUPPORT)
        return 17; /* no UDP: sendto() would reach any host */
    s = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0)
        return 18;
    close(s);
    struct sockaddr_un {
        sa_family_t f;
        char p[108];
    } a = {AF_UNIX, "/tmp/nothing"};
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&a, sizeof(a)) != -1 || errno != EACCES)
        return 13;
    pthread_t t;
    void *ret = NULL;
    if (pthread_create(&t, NULL, thread_main, buf) != 0 || pthread_join(t, &ret) != 0 || ret != buf)
        return 14;
    void *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return 15;
    if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
        return 16;
    return 0;
}

static void test_seccomp_refusals_end_the_process(void **state)
{
    (void)state;
    assert_killed_by_seccomp(run_sandboxed(try_fork));
    assert_killed_by_seccomp(run_sandboxed(try_open_for_writing));
    assert_killed_by_seccomp(run_sandboxed(try_ptrace));
    assert_int_not_equal(access("/tmp/burh-sandbox-test-escape", F_OK), 0);
}

static void test_seccomp_allows_a_server(void **state)
{
    (void)state;
    assert_exit(run_sandboxed(allowed_things_work), 0);
}

static void test_rlimits_bound_memory(void **state)
{
    (void)state;
#ifdef UNDER_ASAN
    skip(); /* ASan's shadow already exceeds any small address-space limit */
#endif
    pid_t pid = fork();
    if (pid == 0) {
        if (keepldr_set_rlimits(16, 5) != 0)
            _exit(1);
        /* AS = 16 + 256 MiB: 512 MiB cannot be mapped, 1 MiB can */
        void *big = mmap(NULL, 512u << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        void *small = mmap(NULL, 1u << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        _exit(big == MAP_FAILED && small != MAP_FAILED ? 0 : 2);
    }
    int st;
    waitpid(pid, &st, 0);
    assert_exit(st, 0);
}

static void test_cgroup_is_optional(void **state)
{
    (void)state;
    struct keepldr_cgroup cg;
    char why[256] = "";
    if (keepldr_cgroup_create(&cg, 64, why, sizeof(why))) {
        assert_true(cg.path[0] != '\0');
        keepldr_cgroup_remove(&cg);
        assert_int_not_equal(access(cg.path, F_OK), 0);
    } else {
        assert_true(strlen(why) > 0); /* it says why, and keepldr falls back to rlimits */
        assert_int_equal(cg.path[0], '\0');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seccomp_refusals_end_the_process),
        cmocka_unit_test(test_seccomp_allows_a_server),
        cmocka_unit_test(test_rlimits_bound_memory),
        cmocka_unit_test(test_cgroup_is_optional),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
