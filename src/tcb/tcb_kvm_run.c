/* tcb_kvm_run.c: runs the reference workload in a kvm keep and reads the syscalls it counted. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tcb/tcb_internal.h"
#include "tcb/tcb_kvm_stats.h"

#define HELP_MAX_BYTES   (64u << 10)
#define STATS_MAX_BYTES  (1u << 20) /* 1536 lines of at most ~100 bytes fit easily */
#define PROBE_TIMEOUT_MS 10000
#define STATS_OPTION     "--syscall-stats"

typedef struct kvm_paths {
    char keepldr[1024], dir[32], help[64], stats[64], status[64];
    tcb_client client;
} kvm_paths;

static json_t *not_counted(const char *why)
{
    return json_pack("{s:b,s:s}", "counted", 0, "why", why);
}

/* Runs keepldr with args, output to a file in the temporary dir; returns its exit status
 * (-1 when it did not exit in time) and leaves the output in kp->help. */
static int run_keepldr(kvm_paths *kp, char *arg1, char *arg2, char *arg3)
{
    int fd = open(kp->help, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    char *argv[] = {kp->keepldr, arg1, arg2, arg3, NULL};
    pid_t pid = tcb_spawn(argv, fd, fd);
    close(fd);
    bool timed_out = false;
    int status = pid > 0 ? tcb_wait_or_kill(pid, PROBE_TIMEOUT_MS, &timed_out) : -1;
    return pid > 0 && !timed_out && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Whether keepldr's --help mentions the option (it is K2's, issue 7; older builds lack it). */
static bool keepldr_counts_syscalls(kvm_paths *kp)
{
    run_keepldr(kp, "--help", NULL, NULL);
    uint8_t *text = NULL;
    size_t len = 0;
    bool has = tcb_read_file(kp->help, HELP_MAX_BYTES, &text, &len) == BURH_TCB_OK &&
               memmem(text, len, STATS_OPTION, strlen(STATS_OPTION)) != NULL;
    free(text);
    return has;
}

static const char *find_kvm_paths(const burh_tcb_options *opt, kvm_paths *kp)
{
    char path[1100];
    snprintf(kp->keepldr, sizeof kp->keepldr, "%s/burh-keepldr", opt->bin_dir);
    if (access(kp->keepldr, X_OK) != 0)
        return "burh-keepldr is missing from the bin dir";
    snprintf(path, sizeof path, "%s/burh-wasmldr-static", opt->bin_dir);
    if (access(path, R_OK) != 0)
        return "burh-wasmldr-static is not built (it is made in release builds only)";
    snprintf(path, sizeof path, "%s/burh-shim.elf", opt->bin_dir);
    if (access(path, R_OK) != 0)
        return "burh-shim.elf is not built";
    const char *why = tcb_find_client(opt->bin_dir, &kp->client);
    if (why != NULL)
        return why;
    if (access(opt->workload, R_OK) != 0)
        return "the reference workload is missing (make wasm-examples)";
    if ((why = tcb_make_temp_dir(kp->dir)) != NULL)
        return why;
    snprintf(kp->help, sizeof kp->help, "%s/help", kp->dir);
    snprintf(kp->stats, sizeof kp->stats, "%s/stats", kp->dir);
    snprintf(kp->status, sizeof kp->status, "%s/status", kp->dir);
    if (!keepldr_counts_syscalls(kp))
        return "this burh-keepldr has no " STATS_OPTION " option";
    if (run_keepldr(kp, "--backend", "kvm", "--probe") != 0)
        return "/dev/kvm cannot run keeps here (burh-keepldr --backend kvm --probe)";
    return NULL;
}

/* The counts file, parsed, as JSON; *why set when it is missing or malformed. */
static json_t *read_stats(const char *path, const char **why)
{
    static char message[128];
    uint8_t *text = NULL;
    size_t len = 0;
    burh_tcb_kvm_stats *stats = malloc(sizeof *stats);
    json_t *out = NULL;
    if (stats == NULL) {
        *why = "out of memory";
    } else if (tcb_read_file(path, STATS_MAX_BYTES, &text, &len) != BURH_TCB_OK) {
        *why = "the keep wrote no syscall counts";
    } else {
        burh_tcb_status st = burh_tcb_kvm_stats_parse(text, len, stats);
        if (st == BURH_TCB_OK)
            out = burh_tcb_kvm_stats_json(stats);
        const char *what = st == BURH_TCB_ERR_TOO_MANY    ? "too many lines"
                           : st == BURH_TCB_ERR_TRUNCATED ? "empty"
                                                          : "a bad line, or totals that differ";
        snprintf(message, sizeof message, "the keep's syscall counts are malformed (line %u: %s)",
                 (unsigned)stats->error_line, what);
        *why = st != BURH_TCB_OK ? message : out == NULL ? "out of memory" : NULL;
    }
    free(text);
    free(stats);
    return out;
}

static const char *run_counted(const burh_tcb_options *opt, kvm_paths *kp, json_t *rec)
{
    char addr[32], status_fd[16];
    if (tcb_listen_address(addr, sizeof addr) < 0)
        return "no free loopback port";
    /* Not close-on-exec: keepldr inherits it as the keep's status descriptor. */
    int fd = open(kp->status, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return "cannot make the status file";
    snprintf(status_fd, sizeof status_fd, "%d", fd);
    char *argv[] = {kp->keepldr, "--backend", "kvm", "--nonce",    TCB_RUN_NONCE, "--status-fd",
                    status_fd,   "--listen",  addr,  STATS_OPTION, kp->stats,     NULL};
    const char *why = tcb_run_reference(argv, addr, "kvm", &kp->client, opt->workload, rec);
    close(fd);
    if (why != NULL)
        return "the kvm keep did not start listening";
    /* Counts of a run that did not finish the workload are not the reference's figures. */
    if (json_integer_value(json_object_get(rec, "client_exit")) != 0)
        return "the reference workload did not complete in the kvm keep (client exit non-zero)";
    json_t *stats = read_stats(kp->stats, &why);
    if (stats != NULL)
        json_object_set_new(rec, "stats", stats);
    return why;
}

json_t *tcb_measure_kvm_syscalls(const burh_tcb_options *opt)
{
    if (opt->no_trace)
        return not_counted("--no-trace was given");
    kvm_paths kp;
    memset(&kp, 0, sizeof kp);
    const char *why = find_kvm_paths(opt, &kp);
    json_t *rec = NULL;
    if (why == NULL) {
        rec = json_pack("{s:b,s:s,s:s}", "counted", 1, "method",
                        "counted by the shim in a kvm keep running burh-wasmldr-static "
                        "(burh-keepldr --backend kvm " STATS_OPTION "), sent the workload by "
                        "burh deploy --direct",
                        "workload", opt->workload);
        why = rec ? run_counted(opt, &kp, rec) : "out of memory";
    }
    if (kp.dir[0] != '\0') {
        unlink(kp.help);
        unlink(kp.stats);
        unlink(kp.status);
        rmdir(kp.dir);
    }
    if (why != NULL) {
        json_decref(rec);
        return not_counted(why);
    }
    return rec;
}
