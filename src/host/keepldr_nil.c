/* keepldr_nil.c: the nil keep: burh-wasmldr in namespaces, seccomp and limits; status relay. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "burh/keep_proto.h"
#include "host/keepldr.h"
#include "host/status_relay.h"

#define INNER_ID   1000 /* the keep's uid/gid inside its user namespace */
#define STACK_SIZE (256 * 1024)

struct child_args {
    const struct keepldr_nil_config *cfg;
    int status_wr, output_wr, sync_rd;
    bool userns;
    uid_t uid;           /* outside id when there is no user namespace */
    char mem_limit[16];  /* wasmldr's --mem-limit, formatted before the clone */
    char time_limit[16]; /* wasmldr's --time-limit, "" for none */
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void log_line(const char *what, const char *detail)
{
    fprintf(stderr, "burh-keepldr[%d]: %s%s%s\n", (int)getpid(), what, detail ? ": " : "",
            detail ? detail : "");
}

/* Takes the keep's identity: an unprivileged uid, no supplementary groups. */
static int drop_identity(const struct child_args *a)
{
    uid_t id = a->userns ? INNER_ID : a->uid;
    if (!a->userns && geteuid() != 0)
        return 0; /* already unprivileged: keep who we are */
    if (!a->userns && setgroups(0, NULL) != 0)
        return -errno;
    if (setresgid(id, id, id) != 0 || setresuid(id, id, id) != 0)
        return -errno;
    return 0;
}

static _Noreturn void child_fail(const char *step, int err)
{
    fprintf(stderr, "burh-keepldr: keep setup failed at %s: %s\n", step, strerror(err));
    _exit(KEEPLDR_STATUS_SETUP);
}

static int child_main(void *arg)
{
    const struct child_args *a = arg;
    const struct keepldr_nil_config *c = a->cfg;
    char go;
    if (a->userns && read(a->sync_rd, &go, 1) != 1)
        _exit(KEEPLDR_STATUS_SETUP); /* the parent could not write our id maps */
    /* Private mounts; a /proc of our own pid namespace (best effort). */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(a->output_wr, 1) < 0 ||
        dup2(a->output_wr, 2) < 0 || dup2(a->status_wr, 3) < 0)
        child_fail("fds", errno);
    close_range(4, ~0u, 0);
    int rc = drop_identity(a);
    if (rc == 0)
        rc = keepldr_set_rlimits(c->memory_mib, c->cpu_seconds);
    if (rc != 0)
        child_fail("identity/rlimits", -rc);
    if (chdir("/") != 0)
        child_fail("chdir", errno);
    /* After the identity change, which clears it: the keep dies with its keepldr. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() == 1)
        child_fail("parent death signal", errno);
    /* The limits are given explicitly: wasmldr never guesses them from its rlimits. */
    const char *argv[] = {c->wasmldr_path, "--backend", "nil",         "--nonce", c->nonce_hex,
                          "--listen",      c->listen,   "--status-fd", "3",       "--mem-limit",
                          a->mem_limit,    NULL,        NULL,          NULL};
    if (a->time_limit[0] != '\0') {
        argv[11] = "--time-limit";
        argv[12] = a->time_limit;
    }
    const char *envp[] = {"PATH=/usr/bin:/bin", "LC_ALL=C", NULL};
    if ((rc = keepldr_seccomp_install(c->seccomp_audit)) != 0)
        child_fail("seccomp", -rc);
    execve(argv[0], (char *const *)argv, (char *const *)envp);
    child_fail("exec burh-wasmldr", errno);
}

static bool write_text(pid_t pid, const char *name, const char *text)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    close(fd);
    return ok;
}

/* Maps the keep's inner id to its outside uid, then lets it go on. */
static bool map_ids(pid_t pid, uid_t outside, int sync_wr)
{
    char map[64];
    snprintf(map, sizeof(map), "%d %u 1\n", INNER_ID, (unsigned)outside);
    bool ok = write_text(pid, "setgroups", "deny") && write_text(pid, "uid_map", map) &&
              write_text(pid, "gid_map", map);
    return ok && write(sync_wr, "g", 1) == 1;
}

/* Clones the child in as many namespaces as this host allows, saying which. */
static pid_t spawn_keep(struct child_args *a, int sync_wr)
{
    static const struct {
        int flags;
        const char *desc;
    } tries[] = {
        {CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS,
         "user+pid+mount+ipc+uts namespaces"},
        {CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS,
         "pid+mount+ipc+uts namespaces (no user namespace here)"},
        {0, "no namespaces (not permitted here): seccomp, uid and limits only"},
    };
    static char *stack;
    if (!stack && !(stack = malloc(STACK_SIZE)))
        return -1;
    for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
        a->userns = (tries[i].flags & CLONE_NEWUSER) != 0;
        pid_t pid = clone(child_main, stack + STACK_SIZE, tries[i].flags | SIGCHLD, a);
        if (pid < 0)
            continue;
        if (a->userns && !map_ids(pid, a->uid, sync_wr)) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            continue;
        }
        log_line("sandbox", tries[i].desc);
        return pid;
    }
    return -1;
}

struct relay {
    int status_rd, output_rd;
    struct status_relay s;
};

/* Reads what wasmldr wrote and relays it; false when it broke the protocol. */
static bool relay_status(struct relay *r)
{
    struct status_relay *s = &r->s;
    ssize_t n = read(r->status_rd, s->buf + s->len, sizeof(s->buf) - s->len);
    if (n <= 0)
        return n == 0 || errno == EAGAIN || errno == EINTR;
    s->len += (size_t)n;
    return status_relay_decode(s);
}

/* wasmldr's stdout/stderr, passed to our stderr (never to a file it could fill). */
static void relay_output(int fd)
{
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0 && write(STDERR_FILENO, buf, (size_t)n) < 0)
        return;
}

static int wait_keep(pid_t pid, struct relay *r)
{
    int st = 0;
    for (;;) {
        if (stop_signal && !r->s.broken) {
            kill(pid, SIGKILL);
            snprintf(r->s.reason, sizeof(r->s.reason), "stopped by signal %d", (int)stop_signal);
        }
        struct pollfd p[2] = {{r->status_rd, POLLIN, 0}, {r->output_rd, POLLIN, 0}};
        if (poll(p, 2, 200) > 0) {
            if ((p[0].revents & (POLLIN | POLLHUP)) && !r->s.broken && !relay_status(r)) {
                r->s.broken = true;
                kill(pid, SIGKILL);
            }
            if (p[1].revents & (POLLIN | POLLHUP))
                relay_output(r->output_rd);
        }
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            return -1;
    }
    if (!r->s.broken && !relay_status(r))
        r->s.broken = true;
    relay_output(r->output_rd);
    return st;
}

static void final_reason(const struct relay *r, int st, char *out, size_t cap)
{
    if (r->s.broken)
        snprintf(out, cap, "burh-wasmldr broke the status protocol");
    else if (r->s.reason[0])
        snprintf(out, cap, "%s", r->s.reason);
    else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
        snprintf(out, cap, "burh-wasmldr made a forbidden system call (seccomp)");
    else if (WIFSIGNALED(st))
        snprintf(out, cap, "burh-wasmldr killed by signal %d (%s)", WTERMSIG(st),
                 strsignal(WTERMSIG(st)));
    else
        snprintf(out, cap, "burh-wasmldr exited with status %d", WEXITSTATUS(st));
}

static void setup_signals(void)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int keepldr_nil_run(const struct keepldr_nil_config *cfg)
{
    int status_p[2], output_p[2], sync_p[2];
    char why[256];
    struct keepldr_cgroup cg;
    setup_signals();
    if (pipe2(status_p, O_CLOEXEC) || pipe2(output_p, O_CLOEXEC) || pipe2(sync_p, O_CLOEXEC)) {
        log_line("pipe", strerror(errno));
        return KEEPLDR_STATUS_SETUP;
    }
    bool have_cg = keepldr_cgroup_create(&cg, cfg->memory_mib, why, sizeof(why));
    log_line("limits", have_cg ? "cgroup v2 (memory.max, pids.max, cpu.max) and rlimits" : why);
    if (!have_cg)
        log_line("limits", "rlimits only (AS, CPU, FSIZE, NOFILE, NPROC)");
    /* A uid per keep so keeps cannot signal or ptrace one another. */
    struct child_args a = {.cfg = cfg,
                           .status_wr = status_p[1],
                           .output_wr = output_p[1],
                           .sync_rd = sync_p[0],
                           .uid = (uid_t)(100000 + (unsigned)getpid() % 60000u)};
    unsigned guest_mib =
        cfg->memory_mib < KEEPLDR_GUEST_MEM_MAX_MIB ? cfg->memory_mib : KEEPLDR_GUEST_MEM_MAX_MIB;
    snprintf(a.mem_limit, sizeof(a.mem_limit), "%u", guest_mib);
    if (cfg->time_limit_s > 0)
        snprintf(a.time_limit, sizeof(a.time_limit), "%u", cfg->time_limit_s);
    pid_t pid = spawn_keep(&a, sync_p[1]);
    close(status_p[1]);
    close(output_p[1]);
    close(sync_p[0]);
    close(sync_p[1]);
    if (pid < 0) {
        log_line("cannot start the keep", strerror(errno));
        keepldr_cgroup_remove(&cg);
        return KEEPLDR_STATUS_SETUP;
    }
    if (have_cg && !keepldr_cgroup_add(&cg, pid))
        log_line("limits", "could not move the keep into its cgroup: rlimits only");
    struct relay r = {.status_rd = status_p[0], .output_rd = output_p[0]};
    status_relay_init(&r.s, cfg->status_fd, "burh-wasmldr", log_line);
    fcntl(r.status_rd, F_SETFL, O_NONBLOCK);
    fcntl(r.output_rd, F_SETFL, O_NONBLOCK);
    int st = wait_keep(pid, &r);
    keepldr_cgroup_remove(&cg);
    burh_keep_status exit_rec = {.event = BURH_STATUS_EXIT};
    exit_rec.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    final_reason(&r, st, exit_rec.reason, sizeof(exit_rec.reason));
    if (r.s.broken)
        exit_rec.status = KEEPLDR_STATUS_PROTOCOL;
    status_relay_send(cfg->status_fd, &exit_rec);
    log_line("keep ended", exit_rec.reason);
    return (int)exit_rec.status;
}
