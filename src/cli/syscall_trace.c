/* `burh run --trace-syscalls`: the distinct system calls a run makes, counted through ptrace. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"

#define TRACE_MAX_NR      512 /* x86-64 numbers stay below this */
#define TRACE_MAX_THREADS 64

/* Names for the calls a runtime makes; others print as their number. */
// clang-format off
#define TRACE_NAMES(X)                                                                           \
    X(read) X(write) X(open) X(close) X(stat) X(fstat) X(lstat) X(poll) X(lseek) X(mmap)         \
    X(mprotect) X(munmap) X(brk) X(rt_sigaction) X(rt_sigprocmask) X(rt_sigreturn) X(ioctl)      \
    X(pread64) X(pwrite64) X(readv) X(writev) X(access) X(pipe) X(select) X(sched_yield)         \
    X(mremap) X(madvise) X(dup) X(dup2) X(nanosleep) X(getitimer) X(setitimer) X(getpid)         \
    X(socket) X(connect) X(accept) X(sendto) X(recvfrom) X(sendmsg) X(recvmsg) X(shutdown)       \
    X(bind) X(listen) X(getsockname) X(getpeername) X(setsockopt) X(getsockopt) X(clone) X(fork) \
    X(execve) X(exit) X(wait4) X(kill) X(uname) X(fcntl) X(flock) X(fsync) X(fdatasync)          \
    X(truncate) X(ftruncate) X(getdents64) X(getcwd) X(chdir) X(rename) X(mkdir) X(rmdir)        \
    X(link) X(unlink) X(symlink) X(readlink) X(chmod) X(umask) X(gettimeofday) X(getrlimit)      \
    X(getrusage) X(sysinfo) X(getuid) X(getgid) X(geteuid) X(getegid) X(getppid) X(sigaltstack)  \
    X(arch_prctl) X(prctl) X(gettid) X(futex) X(set_tid_address) X(clock_gettime)                \
    X(clock_getres) X(clock_nanosleep) X(exit_group) X(epoll_wait) X(epoll_ctl) X(tgkill)        \
    X(openat) X(mkdirat) X(newfstatat) X(unlinkat) X(renameat) X(linkat) X(symlinkat)            \
    X(readlinkat) X(utimensat) X(fallocate) X(accept4) X(eventfd2) X(epoll_create1) X(dup3)      \
    X(pipe2) X(prlimit64) X(getrandom) X(memfd_create) X(statx) X(rseq) X(clone3) X(openat2)     \
    X(ppoll) X(pselect6) X(set_robust_list) X(fadvise64) X(renameat2) X(epoll_pwait)
// clang-format on

static const char *trace_name(long nr)
{
#define TRACE_CASE(n)                                                                              \
    case SYS_##n:                                                                                  \
        return #n;
    switch (nr) {
        TRACE_NAMES(TRACE_CASE)
    }
#undef TRACE_CASE
    return NULL;
}

typedef struct trace_state {
    uint64_t calls[TRACE_MAX_NR];
    uint64_t other_calls; /* numbers past the table */
    pid_t tids[TRACE_MAX_THREADS];
    bool in_call[TRACE_MAX_THREADS];
} trace_state;

/* Entry and exit stops look alike; a per-thread toggle tells them apart. */
static void note_stop(trace_state *t, pid_t tid)
{
    struct user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, tid, NULL, &regs) != 0)
        return;
    size_t slot = 0;
    while (slot < TRACE_MAX_THREADS && t->tids[slot] != tid && t->tids[slot] != 0)
        slot++;
    if (slot == TRACE_MAX_THREADS)
        return;
    t->tids[slot] = tid;
    t->in_call[slot] = !t->in_call[slot];
    if (!t->in_call[slot])
        return;
    long nr = (long)regs.orig_rax;
    if (nr >= 0 && nr < TRACE_MAX_NR)
        t->calls[nr]++;
    else
        t->other_calls++;
}

static void write_report(const trace_state *t, const char *path)
{
    FILE *out = strcmp(path, "-") == 0 ? stderr : fopen(path, "w");
    if (out == NULL) {
        fprintf(stderr, "burh: --trace-syscalls: cannot write %s: %s\n", path, strerror(errno));
        return;
    }
    size_t distinct = 0;
    uint64_t total = t->other_calls;
    for (long nr = 0; nr < TRACE_MAX_NR; nr++) {
        distinct += t->calls[nr] != 0;
        total += t->calls[nr];
    }
    fprintf(out, "burh: syscalls: %zu distinct, %llu calls\n", distinct, (unsigned long long)total);
    for (long nr = 0; nr < TRACE_MAX_NR; nr++) {
        if (t->calls[nr] == 0)
            continue;
        const char *name = trace_name(nr);
        if (name)
            fprintf(out, "%-20s %llu\n", name, (unsigned long long)t->calls[nr]);
        else
            fprintf(out, "syscall_%-12ld %llu\n", nr, (unsigned long long)t->calls[nr]);
    }
    if (out != stderr)
        fclose(out);
}

/* Follows the child and its threads until it ends; returns its exit status. */
static int follow(pid_t child, trace_state *t)
{
    int status;
    for (;;) {
        pid_t tid = waitpid(-1, &status, __WALL);
        if (tid < 0)
            return errno == EINTR ? (int)0 : 1; /* ECHILD: nothing left to follow */
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            if (tid == child)
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            continue;
        }
        int sig = WSTOPSIG(status), deliver = 0;
        if (sig == (SIGTRAP | 0x80))
            note_stop(t, tid);
        else if (sig != SIGTRAP && sig != SIGSTOP)
            deliver = sig; /* the program's own signals (its time limit) go through */
        ptrace(PTRACE_SYSCALL, tid, NULL, (void *)(intptr_t)deliver);
    }
}

bool burh_trace_syscalls_fork(const char *report_path, int *exit_status)
{
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "burh: --trace-syscalls: fork: %s\n", strerror(errno));
        *exit_status = 1;
        return true;
    }
    if (child == 0) {
        /* The child runs the program; it stops until the parent has set its options. */
        if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0 || raise(SIGSTOP) != 0) {
            fprintf(stderr, "burh: --trace-syscalls: ptrace: %s\n", strerror(errno));
            _exit(1);
        }
        return false;
    }
    int status;
    if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status) ||
        ptrace(PTRACE_SETOPTIONS, child, NULL,
               (void *)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL | PTRACE_O_TRACECLONE)) != 0) {
        fprintf(stderr, "burh: --trace-syscalls: cannot trace the run: %s\n", strerror(errno));
        kill(child, SIGKILL);
        *exit_status = 1;
        return true;
    }
    trace_state *t = calloc(1, sizeof *t);
    if (t == NULL) {
        kill(child, SIGKILL);
        *exit_status = 1;
        return true;
    }
    ptrace(PTRACE_SYSCALL, child, NULL, NULL);
    *exit_status = follow(child, t);
    write_report(t, report_path);
    free(t);
    return true;
}
