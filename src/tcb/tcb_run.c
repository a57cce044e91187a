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

#define READY_TIMEOUT_MS  15000
#define CLIENT_TIMEOUT_MS 60000
#define EXIT_TIMEOUT_MS   10000
#define TRACE_MAX_BYTES   (256u << 20) /* a trace larger than this is not of our loader */

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

pid_t tcb_spawn(char *const argv[], int out_fd, int err_fd)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(out_fd >= 0 ? out_fd : null, STDOUT_FILENO);
        dup2(err_fd >= 0 ? err_fd : null, STDERR_FILENO);
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

int tcb_wait_or_kill(pid_t pid, long timeout_ms, bool *timed_out)
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

const char *tcb_find_client(const char *bin_dir, tcb_client *c)
{
    snprintf(c->path, sizeof c->path, "%s/burh-deploy", bin_dir);
    c->is_burh = access(c->path, X_OK) != 0;
    if (c->is_burh)
        snprintf(c->path, sizeof c->path, "%s/burh", bin_dir);
    return access(c->path, X_OK) == 0
               ? NULL
               : "no client (burh-deploy or burh) in the bin dir to send the workload";
}

typedef struct run_paths {
    char strace[512], wasmldr[1024], trace[64], dir[32];
    tcb_client client;
} run_paths;

const char *tcb_make_temp_dir(char dir[32])
{
    snprintf(dir, 32, "/tmp/burh-tcb-XXXXXX");
    return mkdtemp(dir) == NULL ? "cannot make a temporary directory" : NULL;
}

static const char *find_paths(const burh_tcb_options *opt, run_paths *rp)
{
    if (!tcb_find_in_path("strace", rp->strace, sizeof rp->strace))
        return "strace is not installed: syscalls, files and sockets are not measured";
    snprintf(rp->wasmldr, sizeof rp->wasmldr, "%s/burh-wasmldr", opt->bin_dir);
    if (access(rp->wasmldr, X_OK) != 0)
        return "burh-wasmldr is missing from the bin dir";
    const char *why = tcb_find_client(opt->bin_dir, &rp->client);
    if (why != NULL)
        return why;
    if (access(opt->workload, R_OK) != 0)
        return "the reference workload is missing (make wasm-examples)";
    why = tcb_make_temp_dir(rp->dir);
    snprintf(rp->trace, sizeof rp->trace, "%s/trace", rp->dir);
    return why;
}

/* The client's command line: burh deploy --direct ADDR ... WORKLOAD. */
static pid_t send_workload(const tcb_client *client, const char *addr, const char *backend,
                           const char *workload)
{
    char *argv[12], **a = argv;
    *a++ = (char *)client->path;
    if (client->is_burh)
        *a++ = "deploy";
    char *rest[] = {"--direct",
                    (char *)addr,
                    "--direct-nonce",
                    TCB_RUN_NONCE,
                    "--insecure-allow-backend",
                    (char *)backend,
                    (char *)workload,
                    NULL};
    memcpy(a, rest, sizeof rest);
    return tcb_spawn(argv, -1, -1);
}

const char *tcb_run_reference(char *const loader_argv[], const char *addr, const char *backend,
                              const tcb_client *client, const char *workload, json_t *rec)
{
    int err_pipe[2];
    if (pipe2(err_pipe, O_CLOEXEC) != 0)
        return "no pipe for the loader's messages";
    pid_t ldr = tcb_spawn(loader_argv, -1, err_pipe[1]);
    close(err_pipe[1]);
    if (ldr < 0 || !wait_listening(err_pipe[0])) {
        close(err_pipe[0]);
        if (ldr > 0) {
            bool t;
            tcb_wait_or_kill(ldr, 1, &t);
        }
        return "the loader did not start listening";
    }
    bool cli_timeout, ldr_timeout;
    pid_t cli = send_workload(client, addr, backend, workload);
    int cli_status = cli > 0 ? tcb_wait_or_kill(cli, CLIENT_TIMEOUT_MS, &cli_timeout) : -1;
    int ldr_status = tcb_wait_or_kill(ldr, EXIT_TIMEOUT_MS, &ldr_timeout);
    close(err_pipe[0]);
    json_object_set_new(
        rec, "client_exit",
        json_integer(cli > 0 && WIFEXITED(cli_status) ? WEXITSTATUS(cli_status) : -1));
    json_object_set_new(rec, "loader_exit",
                        json_integer(WIFEXITED(ldr_status) ? WEXITSTATUS(ldr_status) : -1));
    json_object_set_new(rec, "loader_killed_after_timeout", json_boolean(ldr_timeout));
    return NULL;
}

int tcb_listen_address(char *out, size_t cap)
{
    int port = free_port();
    if (port > 0)
        snprintf(out, cap, "127.0.0.1:%d", port);
    return port;
}

/* Starts burh-wasmldr under strace and sends it the workload; the outcome goes in *rec. */
static const char *run_traced(const burh_tcb_options *opt, run_paths *rp, json_t *rec)
{
    char addr[32];
    if (tcb_listen_address(addr, sizeof addr) < 0)
        return "no free loopback port";
    char *ldr_argv[] = {rp->strace,  "-f",      "-qq",         "-o",       rp->trace,
                        rp->wasmldr, "--nonce", TCB_RUN_NONCE, "--listen", addr,
                        "--backend", "nil",     NULL};
    const char *why = tcb_run_reference(ldr_argv, addr, "nil", &rp->client, opt->workload, rec);
    return why ? "burh-wasmldr did not start listening under strace" : NULL;
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
    uint8_t *text = NULL;
    if (why == NULL)
        tcb_read_file(rp.trace, TRACE_MAX_BYTES, &text, &len);
    json_t *parsed = text ? burh_tcb_trace_parse(text, len) : NULL;
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
