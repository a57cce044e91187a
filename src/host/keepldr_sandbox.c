/* keepldr_sandbox.c: the nil keep's walls: seccomp-BPF allow-list, rlimits and a cgroup v2 group.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/sched.h>

#include "host/keepldr.h"

/* ---- seccomp ---------------------------------------------------------------------------- */

/* Syscalls burh-wasmldr may make with any arguments: memory, time, threads, and serving
 * HTTPS on an already permitted socket. Everything not listed (and not checked below) ends
 * the keep: no fork, no connect, no ptrace, no mount, no writes to files. */
static const unsigned plain_syscalls[] = {
    SYS_read,
    SYS_write,
    SYS_readv,
    SYS_writev,
    SYS_pread64,
    SYS_pwrite64,
    SYS_close,
    SYS_fstat,
    SYS_newfstatat,
    SYS_statx,
    SYS_lseek,
    SYS_mmap,
    SYS_munmap,
    SYS_mprotect,
    SYS_mremap,
    SYS_madvise,
    SYS_brk,
    SYS_rt_sigaction,
    SYS_rt_sigprocmask,
    SYS_rt_sigreturn,
    SYS_sigaltstack,
    SYS_poll,
    SYS_ppoll,
    SYS_select,
    SYS_pselect6,
    SYS_epoll_create1,
    SYS_epoll_ctl,
    SYS_epoll_wait,
    SYS_epoll_pwait,
    SYS_bind,
    SYS_listen,
    SYS_accept,
    SYS_accept4,
    SYS_getsockname,
    SYS_getpeername,
    SYS_setsockopt,
    SYS_getsockopt,
    SYS_shutdown,
    SYS_sendto,
    SYS_recvfrom,
    SYS_sendmsg,
    SYS_recvmsg,
    SYS_fcntl,
    SYS_dup,
    SYS_dup2,
    SYS_dup3,
    SYS_pipe2,
    SYS_eventfd2,
    SYS_clock_gettime,
    SYS_clock_getres,
    SYS_clock_nanosleep,
    SYS_nanosleep,
    SYS_gettimeofday,
    SYS_getrandom,
    SYS_getpid,
    SYS_gettid,
    SYS_getppid,
    SYS_getuid,
    SYS_geteuid,
    SYS_getgid,
    SYS_getegid,
    SYS_exit,
    SYS_exit_group,
    SYS_futex,
    SYS_set_robust_list,
    SYS_get_robust_list,
    SYS_rseq,
    SYS_set_tid_address,
    SYS_arch_prctl,
    SYS_sched_yield,
    SYS_sched_getaffinity,
    SYS_getdents64,
    SYS_access,
    SYS_faccessat,
    SYS_faccessat2,
    SYS_readlink,
    SYS_readlinkat,
    SYS_getcwd,
    SYS_uname,
    SYS_sysinfo,
    SYS_tgkill,
    SYS_membarrier,
    SYS_timerfd_create,
    SYS_timerfd_settime,
    SYS_timerfd_gettime,
    SYS_execve,
    SYS_getrlimit,
    SYS_socketpair,
    SYS_pause,
    SYS_rt_sigsuspend,
};

#define LOAD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define LOAD_ARG(i)                                                                                \
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args) + 8 * (i))
#define ALLOW    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define MAX_PROG 256

struct prog {
    struct sock_filter f[MAX_PROG];
    unsigned n;
};

static void emit(struct prog *p, struct sock_filter s)
{
    if (p->n < MAX_PROG)
        p->f[p->n++] = s;
}

/* `nr` allowed when the low 32 bits of argument `arg`, masked, equal `value`. */
static void allow_if_arg(struct prog *p, unsigned nr, unsigned arg, uint32_t mask, uint32_t value,
                         uint32_t deny)
{
    emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 5));
    emit(p, (struct sock_filter)LOAD_ARG(arg));
    emit(p, (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K, mask));
    emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, value, 0, 1));
    emit(p, (struct sock_filter)ALLOW);
    emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, deny));
}

/* `nr` allowed when argument `arg` (low 32 bits) is one of vals[0..n). */
static void allow_if_arg_in(struct prog *p, unsigned nr, unsigned arg, const uint32_t *vals,
                            unsigned n, uint32_t deny)
{
    emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, (uint8_t)(n + 3)));
    emit(p, (struct sock_filter)LOAD_ARG(arg));
    for (unsigned i = 0; i < n; i++)
        emit(p,
             (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, vals[i], (uint8_t)(n - i), 0));
    emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, deny));
    emit(p, (struct sock_filter)ALLOW);
}

/* socket(): stream sockets of AF_UNIX/INET/INET6 only (no UDP: sendto could reach any host).
 * Other kinds (getaddrinfo's netlink probe) and connect (its nscd probe, below) fail softly:
 * libc falls back, and the keep still reaches nothing. */
static void allow_stream_sockets(struct prog *p)
{
    const struct sock_filter block[] = {
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, 9),
        LOAD_ARG(0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 0, 3),
        LOAD_ARG(1),
        BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf), /* the type without SOCK_NONBLOCK/CLOEXEC */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SOCK_STREAM, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EAFNOSUPPORT),
        ALLOW,
    };
    for (size_t i = 0; i < sizeof(block) / sizeof(block[0]); i++)
        emit(p, block[i]);
}

static void build_filter(struct prog *p, uint32_t deny)
{
    p->n = 0;
    /* Only x86-64 calls; x32 numbers (bit 30) would alias and are refused. */
    emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                         offsetof(struct seccomp_data, arch)));
    emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
    emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
    emit(p, (struct sock_filter)LOAD_NR);
    emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1));
    emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
    for (size_t i = 0; i < sizeof(plain_syscalls) / sizeof(plain_syscalls[0]); i++) {
        emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, plain_syscalls[i], 0, 1));
        emit(p, (struct sock_filter)ALLOW);
    }
    /* Threads only: a clone without CLONE_THREAD would be a new process. */
    allow_if_arg(p, SYS_clone, 0, CLONE_THREAD, CLONE_THREAD, deny);
    emit(p, (struct sock_filter)LOAD_NR);
    /* clone3 hides its flags in memory: ENOSYS makes libc fall back to clone. */
    emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1));
    emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS));
    /* Files: read-only opens (libraries, /dev/urandom); the workload's files live in memory. */
    allow_if_arg(p, SYS_openat, 2, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY, deny);
    emit(p, (struct sock_filter)LOAD_NR);
    allow_if_arg(p, SYS_open, 1, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY, deny);
    emit(p, (struct sock_filter)LOAD_NR);
    allow_stream_sockets(p);
    emit(p, (struct sock_filter)LOAD_NR);
    emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_connect, 0, 1));
    emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES));
    static const uint32_t ioctls[] = {FIONREAD, FIONBIO, FIOCLEX, TCGETS};
    allow_if_arg_in(p, SYS_ioctl, 1, ioctls, 4, SECCOMP_RET_ERRNO | ENOTTY);
    emit(p, (struct sock_filter)LOAD_NR);
    /* prlimit64 only to read limits: new_limit (arg 2) NULL. */
    allow_if_arg(p, SYS_prlimit64, 2, 0xffffffffu, 0, deny);
    emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, deny));
}

int keepldr_seccomp_install(bool audit)
{
    static struct prog p;
    build_filter(&p, audit ? SECCOMP_RET_LOG : SECCOMP_RET_KILL_PROCESS);
    if (p.n >= MAX_PROG)
        return -E2BIG;
    struct sock_fprog fprog = {.len = (unsigned short)p.n, .filter = p.f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return -errno;
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0)
        return -errno;
    return 0;
}

/* ---- rlimits ---------------------------------------------------------------------------- */

int keepldr_set_rlimits(unsigned memory_mib, unsigned cpu_seconds)
{
    /* Address space: the guest's memory (wasmldr's --mem-limit) plus wasmldr's own. */
    rlim_t as = ((rlim_t)memory_mib + KEEPLDR_RUNTIME_MIB) << 20;
    const struct {
        int res;
        rlim_t v;
    } lim[] = {
        {RLIMIT_AS, as},    {RLIMIT_CPU, cpu_seconds}, {RLIMIT_FSIZE, 0},   {RLIMIT_NOFILE, 256},
        {RLIMIT_NPROC, 64}, {RLIMIT_CORE, 0},          {RLIMIT_MEMLOCK, 0}, {RLIMIT_MSGQUEUE, 0},
    };
    for (size_t i = 0; i < sizeof(lim) / sizeof(lim[0]); i++) {
        struct rlimit r = {lim[i].v, lim[i].v};
        if (setrlimit(lim[i].res, &r) != 0)
            return -errno;
    }
    return 0;
}

/* ---- cgroup v2 -------------------------------------------------------------------------- */

static bool write_file(const char *dir, const char *name, const char *value)
{
    char path[640];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
    close(fd);
    return ok;
}

/* The cgroup2 mount point: /sys/fs/cgroup (unified) or /sys/fs/cgroup/unified (hybrid). */
static const char *cgroup2_root(void)
{
    static const char *const roots[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
    char path[128];
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/cgroup.controllers", roots[i]);
        if (access(path, R_OK) == 0)
            return roots[i];
    }
    return NULL;
}

/* Our own group: the "0::/path" line of /proc/self/cgroup. */
static bool own_group(char *out, size_t cap)
{
    char line[512];
    FILE *f = fopen("/proc/self/cgroup", "re");
    bool found = false;
    while (f && !found && fgets(line, sizeof(line), f)) {
        if (strncmp(line, "0::", 3) == 0) {
            line[strcspn(line, "\n")] = '\0';
            const char *g = strcmp(line + 3, "/") == 0 ? "" : line + 3;
            found = strlen(g) < cap;
            if (found)
                memcpy(out, g, strlen(g) + 1);
        }
    }
    if (f)
        fclose(f);
    return found;
}

bool keepldr_cgroup_create(struct keepldr_cgroup *cg, unsigned memory_mib, char *why,
                           size_t why_cap)
{
    char own[256], value[64], controllers[256] = "";
    cg->path[0] = '\0';
    const char *root = cgroup2_root();
    if (!root || !own_group(own, sizeof(own)))
        return snprintf(why, why_cap, "no cgroup v2 hierarchy"), false;
    char ctl[640];
    snprintf(ctl, sizeof(ctl), "%s%s/cgroup.controllers", root, own);
    FILE *f = fopen(ctl, "re");
    if (f) {
        if (!fgets(controllers, sizeof(controllers), f))
            controllers[0] = '\0';
        fclose(f);
    }
    if (!strstr(controllers, "memory") || !strstr(controllers, "pids"))
        return snprintf(why, why_cap, "cgroup v2 memory/pids controllers not delegated here"),
               false;
    snprintf(cg->path, sizeof(cg->path), "%s%s/burh-keep-%d", root, own, (int)getpid());
    if (mkdir(cg->path, 0755) != 0) {
        snprintf(why, why_cap, "cannot create %s: %s", cg->path, strerror(errno));
        cg->path[0] = '\0';
        return false;
    }
    snprintf(value, sizeof(value), "%llu",
             (unsigned long long)(memory_mib + KEEPLDR_RUNTIME_MIB) << 20);
    bool ok = write_file(cg->path, "memory.max", value) && write_file(cg->path, "pids.max", "64");
    if (ok && strstr(controllers, "cpu"))
        ok = write_file(cg->path, "cpu.max", "100000 100000"); /* one CPU at most */
    if (!ok) {
        snprintf(why, why_cap, "cgroup limits not writable in %s", cg->path);
        keepldr_cgroup_remove(cg);
    }
    return ok;
}

bool keepldr_cgroup_add(const struct keepldr_cgroup *cg, pid_t pid)
{
    char v[32];
    snprintf(v, sizeof(v), "%d", (int)pid);
    return cg->path[0] && write_file(cg->path, "cgroup.procs", v);
}

void keepldr_cgroup_remove(struct keepldr_cgroup *cg)
{
    if (cg->path[0])
        rmdir(cg->path);
    cg->path[0] = '\0';
}
