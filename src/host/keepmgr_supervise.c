/* keepmgr_supervise.c: starting keepldr per keep, reading its status FIFO, reaping, deadlines. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "host/keepmgr.h"

#define MAX_ARGS 32

bool kmgr_systemd_running(void)
{
    /* sd_booted(): systemd creates this directory when it is PID 1. */
    struct stat st;
    return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

static int new_keep_id(char out[BURH_PROTO_ID_LEN + 1])
{
    uint8_t raw[BURH_PROTO_ID_LEN / 2];
    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
        return -EIO;
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

static void hex_encode(burh_cbor_bytes b, char *out)
{
    for (size_t i = 0; i < b.len; i++)
        snprintf(out + 2 * i, 3, "%02x", b.ptr[i]);
}

/* The keepldr command line (with the systemd-run --scope prefix when asked for). */
static int build_argv(struct kmgr *m, const struct kmgr_keep *k, const burh_keep_create *req,
                      const char *nonce_hex, char bufs[5][320], const char *argv[MAX_ARGS])
{
    int n = 0;
    if (m->cfg.launcher_systemd) {
        snprintf(bufs[0], sizeof(bufs[0]), "--unit=burh-keep-%s", k->info.id);
        snprintf(bufs[1], sizeof(bufs[1]), "--property=MemoryMax=%uM", k->info.memory_mib + 64);
        const char *pre[] = {"systemd-run", "--scope", "--quiet", bufs[0], bufs[1], "--"};
        for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
            argv[n++] = pre[i];
    }
    snprintf(bufs[2], sizeof(bufs[2]), "%u", k->info.memory_mib);
    snprintf(bufs[3], sizeof(bufs[3]), "%s:0", m->cfg.keep_addr);
    const char *args[] = {m->cfg.keepldr_path,
                          "--backend",
                          burh_keep_backend_name(k->info.backend),
                          "--nonce",
                          nonce_hex,
                          "--status-fd",
                          "3",
                          "--memory-mib",
                          bufs[2],
                          "--listen",
                          bufs[3]};
    for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++)
        argv[n++] = args[i];
    /* The tenant's time limit: wasmldr's own for nil (a clean "resources" frame at the end);
     * the VM's run time for kvm (keepldr --time-limit takes milliseconds). */
    if (req->time_limit_s != 0) {
        bool nil = k->info.backend == BURH_BACKEND_NIL;
        snprintf(bufs[4], sizeof(bufs[4]), "%llu",
                 (unsigned long long)req->time_limit_s * (nil ? 1u : 1000u));
        argv[n++] = nil ? "--time-limit-s" : "--time-limit";
        argv[n++] = bufs[4];
    }
    /* --wasmldr names the nil backend's program; a kvm keep loads burh-wasmldr-static. */
    if (m->cfg.wasmldr_path && k->info.backend == BURH_BACKEND_NIL) {
        argv[n++] = "--wasmldr";
        argv[n++] = m->cfg.wasmldr_path;
    }
    argv[n] = NULL;
    return n;
}

/* Forks keepldr in a process group of its own with the status FIFO as fd 3. */
static pid_t spawn(const char *const argv[], int status_wr)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    setsid();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(status_wr, 3) < 0)
        _exit(127);
    close_range(4, ~0u, 0);
    const char *prog = argv[0];
    if (strchr(prog, '/'))
        execv(prog, (char *const *)argv);
    else
        execvp(prog, (char *const *)argv);
    _exit(127);
}

static int open_fifo(struct kmgr *m, const char *id, bool create, int flags)
{
    char path[4096];
    if (kmgr_path(m, id, ".fifo", path, sizeof(path)))
        return -ENAMETOOLONG;
    if (create && mkfifo(path, 0600) != 0 && errno != EEXIST)
        return -errno;
    /* O_RDWR: neither side blocks or sees EOF/EPIPE while the other is away (restarts). */
    int fd = open(path, O_RDWR | O_NONBLOCK | O_NOFOLLOW | flags);
    return fd < 0 ? -errno : fd;
}

int kmgr_keep_start(struct kmgr *m, const burh_keep_create *req, struct kmgr_keep **out, char *why,
                    size_t why_cap)
{
    struct kmgr_keep *k = calloc(1, sizeof(*k));
    char nonce_hex[2 * BURH_PROTO_NONCE_MAX + 1] = "", bufs[5][320];
    const char *argv[MAX_ARGS];
    if (!k)
        return snprintf(why, why_cap, "out of memory"), ENOMEM;
    k->status_fd = -1;
    k->mgr = m;
    k->info = (burh_keep_info){.backend = req->backend,
                               .state = BURH_KEEP_STARTING,
                               .memory_mib = req->memory_mib,
                               .created = (uint64_t)time(NULL)};
    hex_encode(req->nonce, nonce_hex);
    int rc = new_keep_id(k->info.id);
    int wr = rc ? rc : open_fifo(m, k->info.id, true, 0);
    if (wr < 0) {
        snprintf(why, why_cap, "status fifo: %s", strerror(-wr));
        free(k);
        return -wr;
    }
    build_argv(m, k, req, nonce_hex, bufs, argv);
    k->pid = spawn(argv, wr);
    close(wr);
    if (k->pid < 0) {
        rc = errno;
        snprintf(why, why_cap, "fork: %s", strerror(rc));
        kmgr_record_remove(m, k->info.id);
        free(k);
        return rc;
    }
    k->is_child = true;
    k->start_time = kmgr_proc_start_time(k->pid);
    m->keeps[m->nkeeps++] = k;
    if ((rc = kmgr_watch_status(m, k)) != 0 || (rc = kmgr_record_save(m, k)) != 0) {
        snprintf(why, why_cap, "state dir: %s", strerror(-rc));
        kmgr_keep_kill(m, k, "could not record the keep");
        kmgr_keep_forget(m, k);
        return -rc;
    }
    kmgr_log(KMGR_LOG_INFO, "keep_started", "id=%s backend=%s pid=%d memory_mib=%u", k->info.id,
             burh_keep_backend_name(k->info.backend), (int)k->pid, k->info.memory_mib);
    *out = k;
    return 0;
}

static void kill_group(struct kmgr_keep *k, const char *reason)
{
    if (k->pid <= 0 || kmgr_proc_start_time(k->pid) != k->start_time)
        return; /* gone, or the pid now belongs to someone else */
    if (!k->kill_reason[0])
        snprintf(k->kill_reason, sizeof(k->kill_reason), "%s", reason);
    kill(-k->pid, SIGKILL);
    kill(k->pid, SIGKILL);
}

static void apply_status(struct kmgr *m, struct kmgr_keep *k, const burh_keep_status *s)
{
    if (s->event == BURH_STATUS_READY && k->info.state == BURH_KEEP_STARTING) {
        k->info.state = BURH_KEEP_READY;
        snprintf(k->info.endpoint, sizeof(k->info.endpoint), "%s:%u", m->cfg.keep_addr,
                 (unsigned)s->port);
        kmgr_log(KMGR_LOG_INFO, "keep_ready", "id=%s endpoint=%s", k->info.id, k->info.endpoint);
    } else if (s->event == BURH_STATUS_RUNNING && k->info.state == BURH_KEEP_READY) {
        k->info.state = BURH_KEEP_RUNNING;
        kmgr_log(KMGR_LOG_INFO, "keep_running", "id=%s", k->info.id);
    } else if (s->event == BURH_STATUS_EXIT) {
        k->exit_reported = true;
        k->exit_status = s->status;
        snprintf(k->exit_reason, sizeof(k->exit_reason), "%s", s->reason);
        return;
    } else {
        kill_group(k, "status record out of order");
        return;
    }
    kmgr_http_keep_changed(k, false);
    kmgr_record_update(m, k);
}

/* Reads what the FIFO holds and applies every complete record. */
static void read_status(struct kmgr *m, struct kmgr_keep *k)
{
    while (k->status_fd >= 0) {
        ssize_t n = read(k->status_fd, k->status_buf + k->status_len,
                         sizeof(k->status_buf) - k->status_len);
        if (n <= 0)
            break;
        k->status_len += (size_t)n;
        for (;;) {
            burh_keep_status s;
            size_t used;
            burh_proto_diag diag;
            burh_proto_err err = burh_proto_decode_status(
                BURH_CBOR_BYTES(k->status_buf, k->status_len), &s, &used, &diag);
            if (err == BURH_PROTO_ERR_INCOMPLETE && k->status_len < sizeof(k->status_buf))
                break;
            if (err != BURH_PROTO_OK) {
                kmgr_log(KMGR_LOG_WARN, "bad_status_record", "id=%s why=\"%s\"", k->info.id,
                         diag.message);
                kill_group(k, "malformed status record");
                k->status_len = 0;
                return;
            }
            apply_status(m, k, &s);
            memmove(k->status_buf, k->status_buf + used, k->status_len - used);
            k->status_len -= used;
        }
    }
}

static void on_status(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct kmgr_keep *k = arg;
    read_status(k->mgr, k);
}

int kmgr_watch_status(struct kmgr *m, struct kmgr_keep *k)
{
    k->mgr = m;
    if (k->status_fd < 0) {
        int fd = open_fifo(m, k->info.id, false, O_CLOEXEC);
        if (fd < 0)
            return fd;
        k->status_fd = fd;
    }
    k->status_ev = event_new(m->base, k->status_fd, EV_READ | EV_PERSIST, on_status, k);
    if (!k->status_ev || event_add(k->status_ev, NULL) != 0)
        return -ENOMEM;
    return 0;
}

static void close_status(struct kmgr_keep *k)
{
    if (k->status_ev) {
        event_free(k->status_ev);
        k->status_ev = NULL;
    }
    if (k->status_fd >= 0) {
        close(k->status_fd);
        k->status_fd = -1;
    }
}

/* 128+N for a signal, as a shell reports it. */
static int64_t wait_code(int st)
{
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The keepldr is gone: collect the last records and set the final state. */
static void keep_ended(struct kmgr *m, struct kmgr_keep *k, bool have_status, int st)
{
    read_status(m, k);
    close_status(k);
    burh_keep_info *i = &k->info;
    i->endpoint[0] = '\0';
    i->has_reason = true;
    /* A keep that never became ready failed, whatever it reported. */
    if (k->exit_reported && !k->kill_reason[0] && i->state != BURH_KEEP_STARTING) {
        i->state = BURH_KEEP_EXITED;
        i->has_exit_status = true;
        i->exit_status = k->exit_status;
        snprintf(i->reason, sizeof(i->reason), "%s", k->exit_reason);
    } else {
        i->state = BURH_KEEP_FAILED;
        i->has_exit_status = have_status;
        i->exit_status = have_status ? wait_code(st) : 0;
        if (k->kill_reason[0])
            snprintf(i->reason, sizeof(i->reason), "%s", k->kill_reason);
        else if (k->exit_reported)
            snprintf(i->reason, sizeof(i->reason), "%s", k->exit_reason);
        else if (!have_status)
            snprintf(i->reason, sizeof(i->reason), "keepldr ended (exit status unknown)");
        else if (WIFSIGNALED(st))
            snprintf(i->reason, sizeof(i->reason), "keepldr killed by signal %d (%s)", WTERMSIG(st),
                     strsignal(WTERMSIG(st)));
        else
            snprintf(i->reason, sizeof(i->reason),
                     "keepldr exited with status %d without "
                     "reporting the keep's exit",
                     WEXITSTATUS(st));
    }
    k->pid = 0;
    char path[4096];
    if (kmgr_path(m, i->id, ".fifo", path, sizeof(path)) == 0)
        unlink(path);
    kmgr_http_keep_changed(k, false);
    kmgr_record_update(m, k);
    kmgr_log(i->state == BURH_KEEP_EXITED ? KMGR_LOG_INFO : KMGR_LOG_WARN, "keep_ended",
             "id=%s state=%s exit_status=%lld reason=\"%s\"", i->id, burh_keep_state_name(i->state),
             (long long)i->exit_status, i->reason);
}

/* Whether the keep's keepldr has ended (reaping it when it is our child). */
static bool check_ended(struct kmgr_keep *k, bool block, bool *have_status, int *st)
{
    *have_status = false;
    if (k->is_child) {
        pid_t r = waitpid(k->pid, st, block ? 0 : WNOHANG);
        if (r == k->pid) {
            *have_status = true;
            return true;
        }
        return r < 0 && errno == ECHILD;
    }
    for (int i = 0; i < (block ? 100 : 1); i++) {
        if (kmgr_proc_start_time(k->pid) != k->start_time)
            return true;
        if (block)
            usleep(10000);
    }
    return false;
}

void kmgr_keep_kill(struct kmgr *m, struct kmgr_keep *k, const char *reason)
{
    if (k->pid <= 0)
        return;
    kill_group(k, reason);
    bool have_status;
    int st = 0;
    if (check_ended(k, true, &have_status, &st))
        keep_ended(m, k, have_status, st);
}

void kmgr_keep_forget(struct kmgr *m, struct kmgr_keep *k)
{
    kmgr_http_keep_changed(k, true);
    close_status(k);
    kmgr_record_remove(m, k->info.id);
    for (size_t i = 0; i < m->nkeeps; i++) {
        if (m->keeps[i] == k) {
            memmove(&m->keeps[i], &m->keeps[i + 1], (m->nkeeps - i - 1) * sizeof(m->keeps[0]));
            m->nkeeps--;
            break;
        }
    }
    free(k);
}

void kmgr_supervise(struct kmgr *m)
{
    uint64_t now = (uint64_t)time(NULL);
    for (size_t i = 0; i < m->nkeeps; i++) {
        struct kmgr_keep *k = m->keeps[i];
        if (k->pid <= 0)
            continue;
        bool have_status;
        int st = 0;
        if (check_ended(k, false, &have_status, &st)) {
            keep_ended(m, k, have_status, st);
        } else if (k->info.state == BURH_KEEP_STARTING &&
                   now >= k->info.created + m->cfg.start_timeout_s) {
            char why[128];
            snprintf(why, sizeof(why), "not ready within %u s", m->cfg.start_timeout_s);
            kmgr_log(KMGR_LOG_WARN, "keep_deadline", "id=%s", k->info.id);
            kill_group(k, why);
        }
    }
    /* Children no keep owns any more (none expected): reap so none stays a zombie. */
    for (;;) {
        int st;
        pid_t r = waitpid(-1, &st, WNOHANG);
        if (r <= 0)
            break;
        for (size_t i = 0; i < m->nkeeps; i++) {
            struct kmgr_keep *k = m->keeps[i];
            if (k->pid == r && k->is_child) {
                keep_ended(m, k, true, st);
                break;
            }
        }
    }
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    kmgr_supervise(arg);
}

int kmgr_supervise_init(struct kmgr *m)
{
    struct timeval one = {1, 0};
    m->tick = event_new(m->base, -1, EV_PERSIST, on_tick, m);
    m->sigchld = evsignal_new(m->base, SIGCHLD, on_tick, m);
    if (!m->tick || !m->sigchld || event_add(m->tick, &one) || event_add(m->sigchld, NULL))
        return -ENOMEM;
    return 0;
}
