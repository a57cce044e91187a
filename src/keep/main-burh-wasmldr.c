/* main-burh-wasmldr.c: the trusted runtime in a keep: key, evidence, RA-TLS, one workload. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keep/wasmldr.h"

#define MAX_BODY_MIB   80u
#define READ_TIMEOUT_S 30u

static const char usage_text[] =
    "usage: burh-wasmldr --nonce HEX [--listen ADDR:PORT] [--status-fd N]\n"
    "                    [--backend nil|kvm|auto] [--max-body MIB] [--time-limit SEC]\n"
    "                    [--mem-limit MIB] [--read-timeout SEC] [--log-level error|info]\n"
    "\n"
    "Runs inside a keep (started by burh-keepldr): makes a P-384 key that never leaves this\n"
    "process, evidence binding it and the tenant's nonce, an RA-TLS certificate, and serves\n"
    "HTTPS (TLS 1.3) until it has run exactly one workload (docs/protocol.md, docs/deploy.md).\n"
    "\n"
    "  --listen ADDR:PORT   default 127.0.0.1:0 (any free port, reported in 'ready')\n"
    "  --nonce HEX          the tenant's nonce, 16..64 bytes, bound into the evidence\n"
    "  --status-fd N        write status records (ready, running) to descriptor N\n"
    "  --backend B          evidence kind: nil or kvm (unsigned), auto (SNP/TDX if this is\n"
    "                       such a guest, else nil); default auto\n"
    "  --max-body MIB       largest workload request (default 80)\n"
    "  --time-limit SEC     wall-clock limit of the workload (default none)\n"
    "  --mem-limit MIB      cap on the guest's linear memory (default the engine's)\n"
    "  --read-timeout SEC   cut off a client that stops sending for SEC s (default 30)\n"
    "\n"
    "test-only environment (never set in production):\n"
    "  BURH_WASMLDR_RECORD=FILE      keep FILE updated with the number of decrypted request\n"
    "                                bytes received (proves a refused client sent nothing)\n"
    "  BURH_WASMLDR_TEST_FAULT=F     present a dishonest certificate: wrong-nonce, wrong-key,\n"
    "                                debug-snp (fake debuggable SNP evidence)\n";

static _Noreturn void die(const char *what, const char *detail)
{
    fprintf(stderr, "burh-wasmldr: %s%s\n\n%s", what, detail, usage_text);
    exit(2);
}

static uint32_t parse_u32(const char *opt, const char *v, uint32_t min, uint32_t max)
{
    char *end = NULL;
    errno = 0;
    unsigned long long n = v != NULL && v[0] >= '0' && v[0] <= '9' ? strtoull(v, &end, 10) : 0;
    if (v == NULL || end == NULL || *end != '\0' || errno != 0 || n < min || n > max)
        die(opt, ": needs a number in range");
    return (uint32_t)n;
}

static size_t parse_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex);
    if (n % 2 != 0 || n / 2 > cap)
        return 0;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1 || hex[2 * i] == '+' || hex[2 * i] == '-')
            return 0;
        out[i] = (uint8_t)v;
    }
    return n / 2;
}

typedef struct options {
    wasmldr_server_config cfg;
    uint8_t nonce[BURH_PROTO_NONCE_MAX];
    size_t nonce_len;
    burh_attest_platform backend;
    bool quiet;
} options;

static void parse_options(int argc, char **argv, options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            exit(0);
        }
        if (v == NULL || strncmp(a, "--", 2) != 0)
            die("unknown or incomplete option: ", a);
        i++;
        if (strcmp(a, "--listen") == 0)
            o->cfg.listen = v;
        else if (strcmp(a, "--nonce") == 0)
            o->nonce_len = parse_hex(v, o->nonce, sizeof o->nonce);
        else if (strcmp(a, "--status-fd") == 0)
            o->cfg.status_fd = (int)parse_u32(a, v, 3, 1023);
        else if (strcmp(a, "--backend") == 0 && strcmp(v, "auto") == 0)
            o->backend = BURH_PLATFORM_AUTO;
        else if (strcmp(a, "--backend") == 0 && strcmp(v, "nil") == 0)
            o->backend = BURH_PLATFORM_NIL;
        else if (strcmp(a, "--backend") == 0 && strcmp(v, "kvm") == 0)
            o->backend = BURH_PLATFORM_KVM;
        else if (strcmp(a, "--max-body") == 0)
            o->cfg.limits.max_body = (size_t)parse_u32(a, v, 1, MAX_BODY_MIB) << 20;
        else if (strcmp(a, "--time-limit") == 0)
            o->cfg.limits.time_s = parse_u32(a, v, 1, 31536000);
        else if (strcmp(a, "--mem-limit") == 0)
            o->cfg.limits.mem_mib = parse_u32(a, v, 1, 4096);
        else if (strcmp(a, "--read-timeout") == 0)
            o->cfg.limits.read_timeout_s = parse_u32(a, v, 1, 3600);
        else if (strcmp(a, "--log-level") == 0)
            o->quiet = strcmp(v, "error") == 0;
        else
            die("unknown option or value: ", a);
    }
    if (o->nonce_len < BURH_PROTO_NONCE_MIN)
        die("--nonce needs 16 to 64 bytes in hex", "");
}

/* Test-only knobs from the environment; a set but unknown fault is a setup failure. */
static wasmldr_fault test_knobs(options *o)
{
    const char *record = getenv("BURH_WASMLDR_RECORD");
    const char *fault_name = getenv("BURH_WASMLDR_TEST_FAULT");
    wasmldr_fault fault = WASMLDR_FAULT_NONE;
    if (record != NULL && record[0] != '\0') {
        o->cfg.record_fd = open(record, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (o->cfg.record_fd < 0 || write(o->cfg.record_fd, "00000000000000000000\n", 21) != 21)
            die("BURH_WASMLDR_RECORD: cannot write ", record);
    }
    if (fault_name != NULL && fault_name[0] != '\0') {
        if (!wasmldr_fault_from_name(fault_name, &fault))
            die("BURH_WASMLDR_TEST_FAULT: unknown fault ", fault_name);
        fprintf(stderr, "burh-wasmldr: TEST FAULT '%s': presenting a dishonest certificate\n",
                fault_name);
    }
    return fault;
}

int main(int argc, char **argv)
{
    options o;
    memset(&o, 0, sizeof o);
    o.cfg.listen = "127.0.0.1:0";
    o.cfg.status_fd = -1;
    o.cfg.record_fd = -1;
    o.cfg.limits.max_body = (size_t)MAX_BODY_MIB << 20;
    o.cfg.limits.read_timeout_s = READ_TIMEOUT_S;
    o.backend = BURH_PLATFORM_AUTO;
    parse_options(argc, argv, &o);
    wasmldr_fault fault = test_knobs(&o);
    /* The guest's memory is --mem-limit, which keepldr sets from the keep's memory_mib. */
    if (o.cfg.status_fd >= 0 && fcntl(o.cfg.status_fd, F_SETFD, FD_CLOEXEC) != 0)
        die("--status-fd: not an open descriptor", "");
    /* The guest's output never touches our fds 1 and 2 (WASI sinks); the log is a copy of
     * stderr so a later redirection of fd 2 cannot mix the two. */
    int log_fd = dup(2);
    o.cfg.log = log_fd >= 0 ? fdopen(log_fd, "w") : NULL;
    if (o.cfg.log == NULL)
        die("cannot keep a log stream", "");
    o.cfg.quiet = o.quiet;
    wasmldr_identity id;
    char msg[300];
    if (!wasmldr_identity_make(o.backend, (burh_bytes){o.nonce, o.nonce_len}, fault, &id, msg,
                               sizeof msg)) {
        fprintf(stderr, "burh-wasmldr: %s\n", msg);
        return 1;
    }
    if (!o.quiet)
        fprintf(o.cfg.log, "burh-wasmldr: evidence: %s\n", burh_attest_platform_name(id.platform));
    int status = wasmldr_serve(&o.cfg, &id);
    wasmldr_identity_free(&id);
    return status;
}
