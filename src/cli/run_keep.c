/* `burh run --backend kvm|nil`: starts burh-keepldr itself, verifies the keep, runs the program. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "burh/ratls.h"
#include "cli/cli.h"
#include "cli/deploy_send.h"
#include "cli/run_keep.h"
#include "host/kvm.h"

#define KEEP_NONCE_LEN     32u
#define KEEP_READY_TIMEOUT 120000 /* ms: a kvm boot is ~0.5 s on an emulated shim, more loaded */
#define KEEP_EXIT_GRACE    10000  /* ms keepldr may take to end after the workload's result */
#define KEEP_FAIL_GRACE    1000   /* ms: after a broken stream or an HTTP refusal */
#define KEEPLDR_LOG_TAIL   12u    /* lines of keepldr's log shown when the keep fails */

/* One local keep: the keepldr child and where its status records and log go. */
typedef struct local_keep {
    pid_t pid;
    int status_fd; /* read end of keepldr's --status-fd */
    int log_fd;    /* an unlinked file holding keepldr's (and wasmldr's) stdout and stderr */
    uint16_t port;
    char reason[BURH_PROTO_REASON_MAX + 1]; /* from an `exit` record, if one came */
    char trace_tmp[64];                     /* --trace-syscalls on stderr: keepldr's file */
} local_keep;

typedef struct keep_paths {
    char keepldr[PATH_MAX], shim[PATH_MAX], wasmldr[PATH_MAX];
} keep_paths;

static volatile sig_atomic_t keep_pid;    /* for the signal handler */
static volatile sig_atomic_t stop_signal; /* SIGINT or SIGTERM that stopped the keep */
static volatile sig_atomic_t time_up;     /* --time-limit ran out */

static void on_signal(int sig)
{
    if (sig == SIGALRM)
        time_up = 1;
    else
        stop_signal = sig;
    if (keep_pid > 0)
        kill((pid_t)keep_pid, SIGTERM); /* keepldr stops the keep and reports */
}

static void signals_install(bool on)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on ? on_signal : SIG_DFL;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
}

/* `name` in the folder of this executable, as `make` and an install lay them out. */
static bool sibling(const char *name, char *out, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", out, cap - 1);
    if (n <= 0)
        return false;
    out[n] = '\0';
    char *slash = strrchr(out, '/');
    if (slash == NULL || (size_t)(slash + 1 - out) + strlen(name) + 1 > cap)
        return false;
    memcpy(slash + 1, name, strlen(name) + 1);
    return true;
}

/* NULL when every binary the keep needs is there, else which one is missing. */
static const char *find_paths(burh_keep_backend b, keep_paths *p)
{
    if (!sibling("burh-keepldr", p->keepldr, sizeof p->keepldr) || access(p->keepldr, X_OK) != 0)
        return "burh-keepldr is not next to burh";
    if (b == BURH_BACKEND_NIL)
        return sibling("burh-wasmldr", p->wasmldr, sizeof p->wasmldr) &&
                       access(p->wasmldr, X_OK) == 0
                   ? NULL
                   : "burh-wasmldr is not next to burh";
    if (!sibling("burh-shim.elf", p->shim, sizeof p->shim) || access(p->shim, R_OK) != 0)
        return "burh-shim.elf is not next to burh";
    if (!sibling("burh-wasmldr-static", p->wasmldr, sizeof p->wasmldr) ||
        access(p->wasmldr, R_OK) != 0)
        return "burh-wasmldr-static is not next to burh";
    return NULL;
}

const char *run_keep_kvm_unusable(void)
{
    keep_paths p;
    const char *why = find_paths(BURH_BACKEND_KVM, &p);
    return why != NULL ? why : kvm_unusable_reason();
}

/* The keep's guest memory: the default, or room for --mem-limit plus wasmldr itself. */
static uint32_t keep_memory_mib(const run_keep_request *r)
{
    if (r->backend == BURH_BACKEND_NIL && r->mem_limit_mib == 0)
        return KVM_DEFAULT_MEM_MIB;     /* keepldr's default for both backends */
    if (r->backend == BURH_BACKEND_NIL) /* wasmldr applies it to linear memory exactly */
        return r->mem_limit_mib < BURH_PROTO_MEMORY_MIN ? BURH_PROTO_MEMORY_MIN : r->mem_limit_mib;
    uint32_t mib = r->mem_limit_mib != 0 ? r->mem_limit_mib + KVM_WASMLDR_RESERVE_MIB : 0;
    mib = (mib + 1) & ~1u; /* keepldr wants an even size */
    if (mib < KVM_DEFAULT_MEM_MIB)
        mib = KVM_DEFAULT_MEM_MIB;
    return mib > 4096 ? 4096 : mib;
}

/* Does this keepldr know `option`? (Asks its --help.) */
static bool keepldr_has_option(const char *keepldr, const char *option)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return false;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        dup2(p[1], 2);
        execl(keepldr, keepldr, "--help", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char text[16384];
    size_t got = 0;
    ssize_t n;
    while (pid > 0 && got < sizeof text - 1 &&
           (n = read(p[0], text + got, sizeof text - 1 - got)) > 0)
        got += (size_t)n;
    text[got] = '\0';
    close(p[0]);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    return strstr(text, option) != NULL;
}

/* ---- starting the keep ---- */

static void hex_of(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* Builds keepldr's command line in `argv` (at least 24 entries). A kvm keep's linear memory
 * is capped at --mem-limit exactly, or without one only by what the keep's memory leaves. */
static void keepldr_argv(const run_keep_request *r, const keep_paths *p, const local_keep *k,
                         const char *nonce_hex, char *mem, char *mem_limit, const char **argv)
{
    size_t n = 0;
    argv[n++] = p->keepldr;
    argv[n++] = "--backend";
    argv[n++] = burh_keep_backend_name(r->backend);
    argv[n++] = "--nonce";
    argv[n++] = nonce_hex;
    argv[n++] = "--status-fd";
    argv[n++] = "3";
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--memory-mib";
    argv[n++] = mem;
    argv[n++] = "--wasmldr";
    argv[n++] = p->wasmldr;
    if (r->backend == BURH_BACKEND_KVM) {
        argv[n++] = "--shim"; /* the very files whose digest we pin */
        argv[n++] = p->shim;
        argv[n++] = "--time-limit"; /* burh's own timer enforces --time-limit */
        argv[n++] = "0";
        uint32_t cap = r->mem_limit_mib != 0 ? r->mem_limit_mib : KVM_MEM_LIMIT_MAX_MIB;
        snprintf(mem_limit, 16, "%u", cap < KVM_MEM_LIMIT_MAX_MIB ? cap : KVM_MEM_LIMIT_MAX_MIB);
        argv[n++] = "--mem-limit";
        argv[n++] = mem_limit;
        if (r->trace_path != NULL) {
            argv[n++] = "--syscall-stats";
            argv[n++] = k->trace_tmp[0] != '\0' ? k->trace_tmp : r->trace_path;
        }
    }
    argv[n] = NULL;
}

/* Forks keepldr with fd 3 the status pipe, stdout and stderr the log, stdin /dev/null. */
static bool keep_spawn(const run_keep_request *r, const keep_paths *p, local_keep *k,
                       const char *nonce_hex)
{
    char mem[16], mem_limit[16];
    snprintf(mem, sizeof mem, "%u", keep_memory_mib(r));
    const char *argv[24];
    keepldr_argv(r, p, k, nonce_hex, mem, mem_limit, argv);
    int sp[2];
    FILE *log = tmpfile();
    if (log == NULL || pipe2(sp, O_CLOEXEC) != 0) {
        fprintf(stderr, "burh: cannot set up the keep: %s\n", strerror(errno));
        if (log != NULL)
            fclose(log);
        return false;
    }
    k->log_fd = dup(fileno(log));
    fclose(log);
    k->status_fd = sp[0];
    k->pid = fork();
    if (k->pid == 0) {
        setpgid(0, 0); /* the terminal's ^C reaches burh, which stops the keep in order */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, 0) < 0 || dup2(k->log_fd, 1) < 0 || dup2(k->log_fd, 2) < 0 ||
            dup2(sp[1], 3) < 0)
            _exit(125);
        execv(p->keepldr, (char *const *)argv);
        _exit(125);
    }
    close(sp[1]);
    if (k->pid < 0) {
        fprintf(stderr, "burh: cannot start burh-keepldr: %s\n", strerror(errno));
        return false;
    }
    keep_pid = k->pid;
    return true;
}

/* Reads status records until `ready` (true, k->port set) or the keep's end (false). */
static bool keep_wait_ready(local_keep *k)
{
    uint8_t buf[4 * BURH_PROTO_STATUS_MAX];
    size_t have = 0;
    for (int waited = 0; waited < KEEP_READY_TIMEOUT && !stop_signal;) {
        struct pollfd pfd = {.fd = k->status_fd, .events = POLLIN};
        int n = poll(&pfd, 1, 200);
        waited += 200; /* a bound, not a clock: a record ends the wait long before */
        if (n <= 0)
            continue;
        ssize_t got = read(k->status_fd, buf + have, sizeof buf - have);
        if (got <= 0)
            return false; /* keepldr is gone: its log says why */
        have += (size_t)got;
        for (;;) {
            burh_keep_status st;
            size_t used = 0;
            burh_proto_err e =
                burh_proto_decode_status((burh_cbor_bytes){buf, have}, &st, &used, NULL);
            if (e == BURH_PROTO_ERR_INCOMPLETE && have < sizeof buf)
                break;
            if (e != BURH_PROTO_OK) {
                snprintf(k->reason, sizeof k->reason, "malformed status record (%s)",
                         burh_proto_errstr(e));
                return false;
            }
            memmove(buf, buf + used, have - used);
            have -= used;
            if (st.event == BURH_STATUS_READY && st.port != 0) {
                k->port = st.port;
                return true;
            }
            if (st.event == BURH_STATUS_EXIT) {
                snprintf(k->reason, sizeof k->reason, "%s", st.reason);
                return false;
            }
        }
    }
    snprintf(k->reason, sizeof k->reason, "%s", stop_signal ? "interrupted" : "not ready in time");
    return false;
}

/* Waits for keepldr to end (stopping it if it lingers); its exit status, or -1. */
static int keep_reap(local_keep *k, int grace_ms)
{
    int st = 0, waited = 0;
    pid_t got;
    while ((got = waitpid(k->pid, &st, WNOHANG)) == 0 && waited < grace_ms + 5000) {
        if (waited == grace_ms)
            kill(k->pid, SIGTERM);
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
        waited += 10;
    }
    if (got == 0) {
        kill(k->pid, SIGKILL);
        got = waitpid(k->pid, &st, 0);
    }
    keep_pid = 0;
    if (got != k->pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Copies keepldr's log (all of it, or its last lines) to our stderr. */
static void show_log(const local_keep *k, bool all)
{
    static char text[65536];
    off_t size = lseek(k->log_fd, 0, SEEK_END);
    off_t from = size > (off_t)sizeof text - 1 ? size - (off_t)sizeof text + 1 : 0;
    ssize_t n = pread(k->log_fd, text, sizeof text - 1, from);
    if (n <= 0)
        return;
    text[n] = '\0';
    const char *start = text;
    if (!all) {
        unsigned lines = 0;
        for (ssize_t i = n - 1; i > 0; i--)
            if (text[i - 1] == '\n' && ++lines == KEEPLDR_LOG_TAIL) {
                start = text + i;
                break;
            }
    }
    for (const char *line = start; *line != '\0';) {
        const char *nl = strchr(line, '\n');
        int len = nl != NULL ? (int)(nl - line) : (int)strlen(line);
        fprintf(stderr, "burh:   | %.*s\n", len, line);
        line += len + (nl != NULL);
    }
}

/* ---- verifying and running ---- */

/* The policy of a local keep: its backend is allowed (the user is the host, so no
 * --insecure-allow-backend), and a kvm keep must have the launch digest of the very shim and
 * wasmldr burh gave keepldr. NULL after a message. */
static burh_attest_verifier *local_verifier(burh_keep_backend backend, const char *digest_hex)
{
    char json[256];
    if (backend == BURH_BACKEND_KVM)
        snprintf(json, sizeof json,
                 "{\"allow_backends\": [\"kvm\"], \"kvm\": {\"measurement\": [\"%s\"]}}",
                 digest_hex);
    else
        snprintf(json, sizeof json, "{\"allow_backends\": [\"%s\"]}",
                 burh_keep_backend_name(backend));
    burh_attest_policy *policy = NULL;
    burh_attest_verifier *v = NULL;
    burh_attest_error err;
    if (burh_attest_policy_parse((burh_bytes){(const uint8_t *)json, strlen(json)}, &policy,
                                 &err) != BURH_ATTEST_OK ||
        burh_attest_verifier_new(&v, &err) != BURH_ATTEST_OK) {
        fprintf(stderr, "burh: policy: %s\n", err.message);
        burh_attest_policy_free(policy);
        return NULL;
    }
    burh_attest_verifier_set_policy(v, policy);
    return v;
}

static void say_unprotected(burh_keep_backend b)
{
    fprintf(stderr,
            "burh: note: a local %s keep (%s): NOT hardware-protected, its evidence is "
            "unsigned\n",
            burh_keep_backend_name(b),
            b == BURH_BACKEND_KVM ? "a KVM micro-VM" : "a sandboxed process");
}

/* The keep is ready: verify it, send the workload, relay its output. */
static int keep_session(const run_keep_request *r, const local_keep *k, const uint8_t *nonce,
                        const char *digest_hex, const uint8_t *body, size_t body_len)
{
    burh_attest_verifier *v = local_verifier(r->backend, digest_hex);
    if (v == NULL)
        return DEPLOY_EXIT_KEEP;
    char endpoint[32];
    snprintf(endpoint, sizeof endpoint, "127.0.0.1:%u", (unsigned)k->port);
    if (r->verbose)
        fprintf(stderr, "burh: keep ready at %s; verifying it in the TLS handshake\n", endpoint);
    if (r->time_limit_s != 0)
        alarm(r->time_limit_s);
    deploy_send_opts send = {.quiet_unprotected = true};
    int rc = deploy_send_workload(&send, v, endpoint, nonce, KEEP_NONCE_LEN, body, body_len);
    alarm(0);
    burh_attest_verifier_free(v);
    return rc;
}

/* Prints the syscall statistics keepldr wrote when they were meant for stderr. */
static void show_trace(const local_keep *k)
{
    FILE *f = k->trace_tmp[0] != '\0' ? fopen(k->trace_tmp, "r") : NULL;
    char line[512];
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        fputs(line, stderr);
    if (f != NULL)
        fclose(f);
    if (k->trace_tmp[0] != '\0')
        unlink(k->trace_tmp);
}

/* Our exit status from the session's and keepldr's. */
static int outcome(const run_keep_request *r, const local_keep *k, int rc, int ldr_status)
{
    if (stop_signal) {
        fprintf(stderr, "burh: interrupted by signal %d; the keep was stopped\n", stop_signal);
        return 128 + stop_signal;
    }
    if (time_up) {
        fprintf(stderr, "burh: time limit of %u s exceeded\n", r->time_limit_s);
        return BURH_EXIT_TIME_LIMIT;
    }
    if (rc == DEPLOY_EXIT_KEEP) {
        fprintf(stderr, "burh: the keep failed (burh-keepldr status %d%s%s); its log ends:\n",
                ldr_status, k->reason[0] ? ": " : "", k->reason);
        show_log(k, false);
    }
    return rc;
}

/* Starts the keep (the workload is ready), runs the session, stops the keep. */
static int run_in_keep(const run_keep_request *r, const keep_paths *p, const char *digest_hex,
                       const uint8_t *body, size_t body_len)
{
    local_keep k;
    memset(&k, 0, sizeof k);
    k.status_fd = k.log_fd = -1;
    uint8_t nonce[KEEP_NONCE_LEN];
    char nonce_hex[2 * KEEP_NONCE_LEN + 1];
    if (RAND_bytes(nonce, sizeof nonce) != 1) {
        fprintf(stderr, "burh: no randomness for the nonce\n");
        return DEPLOY_EXIT_KEEP;
    }
    hex_of(nonce, sizeof nonce, nonce_hex);
    if (r->trace_path != NULL && strcmp(r->trace_path, "-") == 0) {
        snprintf(k.trace_tmp, sizeof k.trace_tmp, "/tmp/burh-syscalls-XXXXXX");
        int fd = mkstemp(k.trace_tmp);
        if (fd < 0)
            k.trace_tmp[0] = '\0';
        else
            close(fd);
    }
    signals_install(true);
    int rc = DEPLOY_EXIT_KEEP, ldr_status = -1;
    if (keep_spawn(r, p, &k, nonce_hex)) {
        if (r->verbose)
            fprintf(stderr, "burh: started burh-keepldr --backend %s (pid %d)\n",
                    burh_keep_backend_name(r->backend), (int)k.pid);
        bool ready = keep_wait_ready(&k);
        if (ready)
            rc = keep_session(r, &k, nonce, digest_hex, body, body_len);
        /* A keep that got no workload would wait for one: refused, or never ready. */
        int grace = !ready || rc == DEPLOY_EXIT_VERIFY ? 0 : KEEP_EXIT_GRACE;
        ldr_status = keep_reap(&k, rc == DEPLOY_EXIT_KEEP ? KEEP_FAIL_GRACE : grace);
        rc = outcome(r, &k, rc, ldr_status);
        if (r->verbose) {
            fprintf(stderr, "burh: burh-keepldr ended with status %d; its log:\n", ldr_status);
            show_log(&k, true);
        }
    }
    signals_install(false);
    if (r->trace_path != NULL)
        show_trace(&k);
    if (k.status_fd >= 0)
        close(k.status_fd);
    if (k.log_fd >= 0)
        close(k.log_fd);
    return rc;
}

/* What `burh measure --backend kvm` prints for the files and memory we give keepldr. */
static bool expected_digest(const run_keep_request *r, const keep_paths *p, char *hex)
{
    uint8_t digest[BURH_LAUNCH_DIGEST_SIZE];
    char why[512];
    if (kvm_launch_digest_files(p->shim, p->wasmldr, (uint64_t)keep_memory_mib(r) << 20, 0, digest,
                                why, sizeof why) != 0) {
        fprintf(stderr, "burh: cannot measure the keep: %s\n", why);
        return false;
    }
    const char *fault = getenv("BURH_RUN_TEST_FAULT"); /* tests of the pin only */
    if (fault != NULL && strcmp(fault, "wrong-digest") == 0) {
        fprintf(stderr, "burh: TEST FAULT: expecting a wrong launch digest\n");
        digest[0] ^= 1;
    }
    hex_of(digest, sizeof digest, hex);
    if (r->verbose)
        fprintf(stderr, "burh: expected launch digest %s\n", hex);
    return true;
}

int run_keep(const run_keep_request *r)
{
    keep_paths p;
    memset(&p, 0, sizeof p);
    const char *missing = find_paths(r->backend, &p);
    if (missing != NULL) {
        fprintf(stderr, "burh: cannot start a %s keep: %s\n", burh_keep_backend_name(r->backend),
                missing);
        return DEPLOY_EXIT_KEEP;
    }
    if (r->trace_path != NULL &&
        (r->backend != BURH_BACKEND_KVM || !keepldr_has_option(p.keepldr, "--syscall-stats"))) {
        fprintf(stderr, "burh run: --trace-syscalls in a keep needs --backend kvm and a "
                        "burh-keepldr with --syscall-stats\n");
        return BURH_EXIT_USAGE;
    }
    char digest_hex[2 * BURH_LAUNCH_DIGEST_SIZE + 1] = "";
    if (r->backend == BURH_BACKEND_KVM && !expected_digest(r, &p, digest_hex))
        return DEPLOY_EXIT_KEEP;
    run_keep_inputs in;
    memset(&in, 0, sizeof in);
    size_t body_len = 0;
    uint8_t *body = NULL;
    int rc = BURH_EXIT_BAD_MODULE;
    if (run_keep_load_inputs(r, &in) && (body = run_keep_encode(&in.w, &body_len)) != NULL) {
        for (size_t i = 0; i < r->ndirs; i++)
            if (!r->dir_in_mem[i])
                fprintf(stderr,
                        "burh: note: --dir %s is copied into the keep; the program's "
                        "changes are not written back\n",
                        r->dirs[i]);
        say_unprotected(r->backend);
        curl_global_init(CURL_GLOBAL_DEFAULT);
        rc = run_in_keep(r, &p, digest_hex, body, body_len);
        curl_global_cleanup();
    }
    if (body != NULL)
        OPENSSL_cleanse(body, body_len);
    free(body);
    run_keep_inputs_free(&in);
    return rc;
}
