/* tcb_run.c: runs the reference workload in burh-wasmldr under strace -f and reads the trace. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tcb/tcb_internal.h"

#define TRACE_NONCE       "6275726820746362206e6f6e63652031" /* any 16 bytes: nil keep */
#define READY_TIMEOUT_MS  15000
#define CLIENT_TIMEOUT_MS 60000
#define EXIT_TIMEOUT_MS   10000

static json_t *not_measured(const char *why)
{
    return json_pack("{s:b,s:s}", "measured", 0, "why", why);
}

/* A port on 127.0.0.1 that was free a moment ago (the kernel picks it). */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &alen) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static pid_t spawn(char *const argv[], int stderr_fd)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(stderr_fd >= 0 ? stderr_fd : null, STDERR_FILENO);
    }
    execv(argv[0], argv);
    _exit(127);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Waits up to timeout_ms for pid; kills it when the time is up. Returns the wait status. */
static int wait_or_kill(pid_t pid, long timeout_ms, bool *timed_out)
{
    long deadline = now_ms() + timeout_ms;
    int status = 0;
    *timed_out = false;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (now_ms() >= deadline) {
            *timed_out = true;
            kill(pid, SIGTERM);
            waitpid(pid, &status, 0);
            break;
        }
        usleep(20000);
    }
    return status;
}

/* Reads the loader's stderr until it says it listens (or the time is up, or it ends). */
static bool wait_listening(int fd)
{
    char buf[4096];
    size_t have = 0;
    long deadline = now_ms() + READY_TIMEOUT_MS;
    while (now_ms() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
        if (n <= 0)
            return false;
        have += (size_t)n;
        buf[have] = '\0';
        if (strstr(buf, "listening") != NULL)
            return true;
        if (have == sizeof buf - 1)
            have = 0;
    }
    return false;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb = ncap > cap ? realloc(buf, ncap) : NULL;
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

typedef struct run_paths {
    char strace[512], wasmldr[1024], client[1024], trace[64], dir[32];
    bool client_is_burh; /* `burh deploy` instead of burh-deploy */
} run_paths;

static const char *find_paths(const burh_tcb_options *opt, run_paths *rp)
{
    if (!tcb_find_in_path("strace", rp->strace, sizeof rp->strace))
        return "strace is not installed: syscalls, files and sockets are not measured";
    snprintf(rp->wasmldr, sizeof rp->wasmldr, "%s/burh-wasmldr", opt->bin_dir);
    if (access(rp->wasmldr, X_OK) != 0)
        return "burh-wasmldr is missing from the bin dir";
    snprintf(rp->client, sizeof rp->client, "%s/burh-deploy", opt->bin_dir);
    rp->client_is_burh = access(rp->client, X_OK) != 0;
    if (rp->client_is_burh)
        snprintf(rp->client, sizeof rp->client, "%s/burh", opt->bin_dir);
    if (access(rp->client, X_OK) != 0)
        return "no client (burh-deploy or burh) in the bin dir to send the workload";
    if (access(opt->workload, R_OK) != 0)
        return "the reference workload is missing (make wasm-examples)";
    snprintf(rp->dir, sizeof rp->dir, "/tmp/burh-tcb-XXXXXX");
    if (mkdtemp(rp->dir) == NULL)
        return "cannot make a temporary directory";
    snprintf(rp->trace, sizeof rp->trace, "%s/trace", rp->dir);
    return NULL;
}

/* Starts the traced loader and sends it the workload; the loader's status goes in *rec. */
static const char *run_traced(const burh_tcb_options *opt, run_paths *rp, json_t *rec)
{
    int port = free_port(), err_pipe[2];
    if (port < 0 || pipe2(err_pipe, O_CLOEXEC) != 0)
        return "no free loopback port or pipe";
    char listen[32], addr[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    char *ldr_argv[] = {rp->strace,  "-f",      "-qq",       "-o",       rp->trace,
                        rp->wasmldr, "--nonce", TRACE_NONCE, "--listen", listen,
                        "--backend", "nil",     NULL};
    pid_t ldr = spawn(ldr_argv, err_pipe[1]);
    close(err_pipe[1]);
    if (ldr < 0 || !wait_listening(err_pipe[0])) {
        close(err_pipe[0]);
        if (ldr > 0) {
            bool t;
            wait_or_kill(ldr, 1, &t);
        }
        return "burh-wasmldr did not start listening under strace";
    }
    char *cli_argv[12], **a = cli_argv;
    *a++ = rp->client;
    if (rp->client_is_burh)
        *a++ = "deploy";
    char *rest[] = {"--direct",
                    addr,
                    "--direct-nonce",
                    TRACE_NONCE,
                    "--insecure-allow-backend",
                    "nil",
                    (char *)opt->workload,
                    NULL};
    memcpy(a, rest, sizeof rest);
    bool cli_timeout, ldr_timeout;
    pid_t cli = spawn(cli_argv, -1);
    int cli_status = cli > 0 ? wait_or_kill(cli, CLIENT_TIMEOUT_MS, &cli_timeout) : -1;
    int ldr_status = wait_or_kill(ldr, EXIT_TIMEOUT_MS, &ldr_timeout);
    close(err_pipe[0]);
    json_object_set_new(
        rec, "client_exit",
        json_integer(cli > 0 && WIFEXITED(cli_status) ? WEXITSTATUS(cli_status) : -1));
    json_object_set_new(rec, "loader_exit",
                        json_integer(WIFEXITED(ldr_status) ? WEXITSTATUS(ldr_status) : -1));
    json_object_set_new(rec, "loader_killed_after_timeout", json_boolean(ldr_timeout));
    return NULL;
}

json_t *tcb_measure_trace(const burh_tcb_options *opt)
{
    if (opt->no_trace)
        return not_measured("--no-trace was given");
    run_paths rp;
    memset(&rp, 0, sizeof rp);
    const char *why = find_paths(opt, &rp);
    if (why != NULL)
        return not_measured(why);
    json_t *rec = json_pack("{s:b,s:s,s:s,s:s}", "measured", 1, "method",
                            "strace -f of burh-wasmldr --backend nil, sent the workload by "
                            "burh deploy --direct",
                            "workload", opt->workload, "tool", rp.strace);
    why = rec ? run_traced(opt, &rp, rec) : "out of memory";
    size_t len = 0;
    char *text = why == NULL ? read_all(rp.trace, &len) : NULL;
    json_t *parsed = text ? burh_tcb_trace_parse((const uint8_t *)text, len) : NULL;
    free(text);
    unlink(rp.trace);
    rmdir(rp.dir);
    if (why == NULL && parsed == NULL)
        why = "the trace could not be read";
    if (why != NULL) {
        json_decref(rec);
        json_decref(parsed);
        return not_measured(why);
    }
    json_object_update(rec, parsed);
    json_decref(parsed);
    return rec;
}
