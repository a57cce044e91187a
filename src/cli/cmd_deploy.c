/* `burh deploy`: gets a keep from a keepmgr, verifies it in the TLS handshake, runs a workload. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "burh/ratls.h"
#include "cli/cli.h"
#include "cli/deploy_send.h"
#include "keep/deploy.h"

#define NONCE_LEN        32u
#define READY_TIMEOUT_MS 60000
#define FILE_MAX         (64u << 20)

static const char deploy_help[] =
    "usage: burh deploy --host HOST:PORT [OPTIONS] APP.wasm [-- ARGS...]\n"
    "\n"
    "Asks the keep manager at HOST:PORT for a keep, checks the keep's attestation evidence\n"
    "inside the TLS handshake (fresh nonce, key binding, evidence, policy) and only then sends\n"
    "APP.wasm with its arguments, environment, files and secrets. The program's output comes\n"
    "back as it runs; its exit status becomes ours.\n"
    "\n"
    "options:\n"
    "  --host HOST:PORT            the keep manager (http://, or https:// if given so)\n"
    "  --token-file F              bearer token for the keep manager\n"
    "  --backend B                 nil, kvm, snp, tdx or auto (default: the best available)\n"
    "  --policy F                  attestation policy JSON (docs/attestation.md)\n"
    "  --insecure-allow-backend B  accept an unprotected nil or kvm keep (NOT confidential)\n"
    "  --file LOCAL::GUEST         give the program file LOCAL at absolute path GUEST\n"
    "  --secret NAME=FILE          give the program FILE as /run/secrets/NAME\n"
    "  --env K=V                   an environment variable (repeatable)\n"
    "  --memory MIB                the keep's memory (default 256)\n"
    "  --time-limit SEC            end the program after SEC seconds (1..86400; default none)\n"
    "  --show-evidence             print the verified claims (JSON) on stderr\n"
    "  --log-level error|info      info also tells each step on stderr (default error)\n"
    "  --direct ADDR:PORT --direct-nonce HEX\n"
    "                              TESTING ONLY: talk to a burh-wasmldr started by hand with\n"
    "                              that nonce, without a keep manager (no fresh nonce)\n"
    "\n"
    "exit status: the program's own; 2 usage; 3 keep manager error; 4 keep failed;\n"
    "5 attestation refused (nothing was sent); 124 resource limit; 125 trap; 126 bad module\n";

typedef struct deploy_opts {
    const char *host, *token_file, *policy_file, *file;
    const char *direct, *direct_nonce; /* testing: a keep we started ourselves, no keepmgr */
    burh_keep_backend backend;
    bool backend_auto, show_evidence, verbose;
    bool allow_unsigned[BURH_BACKEND_COUNT];
    char **files, **secrets, **envs;
    size_t nfiles, nsecrets, nenvs;
    uint32_t memory_mib;
    uint32_t time_limit_s; /* 0: none */
    char **args;
    int nargs;
} deploy_opts;

/* Everything read from disk for the workload; freed at the end. */
typedef struct deploy_inputs {
    burh_workload w;
    uint8_t **blobs; /* file, secret and module contents */
    size_t nblobs;
} deploy_inputs;

static int usage(const char *what, const char *detail)
{
    fprintf(stderr, "burh deploy: %s%s\n\n%s", what, detail, deploy_help);
    return BURH_EXIT_USAGE;
}

static bool backend_named(const char *name, burh_keep_backend *out)
{
    return burh_keep_backend_from_name((burh_cbor_bytes){(const uint8_t *)name, strlen(name)}, out);
}

static const char *next_value(int argc, char **argv, int *i)
{
    return *i + 1 < argc ? argv[++*i] : NULL;
}

/* One option with its value; returns -1 when fine, else an exit status. */
static int parse_one(deploy_opts *o, const char *a, const char *v)
{
    burh_keep_backend b;
    if (v == NULL)
        return usage("option needs a value: ", a);
    if (strcmp(a, "--host") == 0)
        o->host = v;
    else if (strcmp(a, "--direct") == 0)
        o->direct = v;
    else if (strcmp(a, "--direct-nonce") == 0)
        o->direct_nonce = v;
    else if (strcmp(a, "--token-file") == 0)
        o->token_file = v;
    else if (strcmp(a, "--policy") == 0)
        o->policy_file = v;
    else if (strcmp(a, "--backend") == 0 && strcmp(v, "auto") == 0)
        o->backend_auto = true;
    else if (strcmp(a, "--backend") == 0 && backend_named(v, &o->backend))
        o->backend_auto = false;
    else if (strcmp(a, "--insecure-allow-backend") == 0 && backend_named(v, &b) &&
             (b == BURH_BACKEND_NIL || b == BURH_BACKEND_KVM))
        o->allow_unsigned[b] = true;
    else if (strcmp(a, "--file") == 0 && strstr(v, "::") != NULL)
        o->files[o->nfiles++] = (char *)v;
    else if (strcmp(a, "--secret") == 0 && strchr(v, '=') != NULL && v[0] != '=')
        o->secrets[o->nsecrets++] = (char *)v;
    else if (strcmp(a, "--env") == 0 && strchr(v, '=') != NULL && v[0] != '=')
        o->envs[o->nenvs++] = (char *)v;
    else if (strcmp(a, "--memory") == 0 && atoi(v) >= (int)BURH_PROTO_MEMORY_MIN &&
             atoi(v) <= (int)BURH_PROTO_MEMORY_MAX)
        o->memory_mib = (uint32_t)atoi(v);
    else if (strcmp(a, "--time-limit") == 0 && strspn(v, "0123456789") == strlen(v) &&
             strlen(v) <= 5 && atoi(v) >= 1 && atoi(v) <= (int)BURH_PROTO_TIME_LIMIT_MAX)
        o->time_limit_s = (uint32_t)atoi(v);
    else if (strcmp(a, "--log-level") == 0 && (strcmp(v, "error") == 0 || strcmp(v, "info") == 0))
        o->verbose = strcmp(v, "info") == 0;
    else
        return usage("bad option or value: ", a);
    return -1;
}

static int parse_opts(int argc, char **argv, deploy_opts *o)
{
    int i = 1;
    for (; i < argc && o->file == NULL; i++) {
        const char *a = argv[i];
        int rc = -1;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(deploy_help, stdout);
            return 0;
        } else if (strcmp(a, "--show-evidence") == 0) {
            o->show_evidence = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            rc = parse_one(o, a, next_value(argc, argv, &i));
        } else {
            o->file = a;
        }
        if (rc >= 0)
            return rc;
    }
    if (o->host == NULL && (o->direct == NULL || o->direct_nonce == NULL))
        return usage("--host is required", "");
    if (o->file == NULL)
        return usage("no program given", "");
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    o->args = argv + i;
    o->nargs = argc - i;
    return -1;
}

/* Reads a whole regular file of at most `max` bytes into a new buffer. */
static uint8_t *read_file(const char *path, size_t max, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    uint8_t *buf = NULL;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
        fprintf(stderr, "burh: %s: %s\n", path,
                fd < 0 ? strerror(errno) : "not a regular file or too large");
    } else if ((buf = malloc((size_t)st.st_size + 1)) != NULL) {
        size_t got = 0;
        ssize_t n = 1;
        while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
            got += (size_t)n;
        *len = got;
        if (got != (size_t)st.st_size) {
            fprintf(stderr, "burh: %s: read failed\n", path);
            free(buf);
            buf = NULL;
        }
    }
    if (fd >= 0)
        close(fd);
    return buf;
}

static burh_cbor_bytes text_of(const char *s, size_t len)
{
    return (burh_cbor_bytes){(const uint8_t *)s, len};
}

/* Reads one file into the inputs; false after a message. */
static bool load_blob(deploy_inputs *in, const char *path, size_t max, burh_cbor_bytes *out)
{
    size_t len = 0;
    uint8_t *b = read_file(path, max, &len);
    if (b == NULL)
        return false;
    in->blobs[in->nblobs++] = b;
    *out = (burh_cbor_bytes){b, len};
    return true;
}

/* Builds the workload message from the options (sizes are checked again by the encoder). */
static bool load_inputs(const deploy_opts *o, deploy_inputs *in)
{
    burh_workload *w = &in->w;
    in->blobs = calloc(o->nfiles + o->nsecrets + 1, sizeof *in->blobs);
    w->args = calloc((size_t)o->nargs + 1, sizeof *w->args);
    w->env = calloc(o->nenvs + 1, sizeof *w->env);
    w->files = calloc(o->nfiles + 1, sizeof *w->files);
    w->secrets = calloc(o->nsecrets + 1, sizeof *w->secrets);
    if (!in->blobs || !w->args || !w->env || !w->files || !w->secrets)
        return false;
    if (!load_blob(in, o->file, BURH_PROTO_WASM_MAX, &w->wasm))
        return false;
    deploy_workload_args(w, o->file, o->args, o->nargs, o->envs, o->nenvs);
    for (size_t i = 0; i < o->nfiles; i++) {
        char *sep = strstr(o->files[i], "::");
        *sep = '\0'; /* our own argv: LOCAL ends here */
        w->files[w->filec].path = text_of(sep + 2, strlen(sep + 2));
        if (!load_blob(in, o->files[i], FILE_MAX, &w->files[w->filec++].data))
            return false;
    }
    for (size_t i = 0; i < o->nsecrets; i++) {
        char *eq = strchr(o->secrets[i], '=');
        w->secrets[w->secretc].name = text_of(o->secrets[i], (size_t)(eq - o->secrets[i]));
        if (!load_blob(in, eq + 1, BURH_PROTO_SECRET_MAX, &w->secrets[w->secretc++].data))
            return false;
    }
    return true;
}

static void free_inputs(deploy_inputs *in)
{
    for (size_t i = 0; i < in->nblobs; i++)
        free(in->blobs[i]);
    free(in->blobs);
    free(in->w.args);
    free(in->w.env);
    free(in->w.files);
    free(in->w.secrets);
}

/* The encoded workload in a new buffer; NULL after a message. */
static uint8_t *encode_workload(const burh_workload *w, size_t *len)
{
    burh_proto_err e = burh_proto_encode_workload(w, NULL, 0, len);
    uint8_t *buf = e == BURH_PROTO_OK ? malloc(*len) : NULL;
    if (buf != NULL && burh_proto_encode_workload(w, buf, *len, len) == BURH_PROTO_OK)
        return buf;
    fprintf(stderr, "burh: the workload breaks the protocol's limits: %s\n",
            burh_proto_errstr(e != BURH_PROTO_OK ? e : BURH_PROTO_ERR_NOMEM));
    free(buf);
    return NULL;
}

/* ---- attestation policy ---- */

/* The policy file (or the default), plus the unsigned backends the user let in by name. */
static int choose_backend(deploy_opts *o, const deploy_keepmgr *m)
{
    if (!o->backend_auto) {
        if ((o->backend == BURH_BACKEND_NIL || o->backend == BURH_BACKEND_KVM) &&
            !o->allow_unsigned[o->backend]) {
            fprintf(stderr,
                    "burh: the %s backend gives no confidentiality; refusing it without "
                    "--insecure-allow-backend %s\n",
                    burh_keep_backend_name(o->backend), burh_keep_backend_name(o->backend));
            return DEPLOY_EXIT_VERIFY;
        }
        return -1;
    }
    burh_platform_info info;
    char msg[400];
    if (!deploy_platform(m, &info, msg, sizeof msg)) {
        fprintf(stderr, "burh: %s\n", msg);
        return DEPLOY_EXIT_KEEPMGR;
    }
    static const burh_keep_backend best_first[] = {BURH_BACKEND_SNP, BURH_BACKEND_TDX,
                                                   BURH_BACKEND_KVM, BURH_BACKEND_NIL};
    for (size_t k = 0; k < 4; k++)
        for (size_t i = 0; i < info.count; i++) {
            burh_keep_backend b = info.backends[i].backend;
            bool unsigned_ok =
                (b != BURH_BACKEND_NIL && b != BURH_BACKEND_KVM) || o->allow_unsigned[b];
            if (b == best_first[k] && info.backends[i].available && unsigned_ok) {
                o->backend = b;
                return -1;
            }
        }
    fprintf(stderr, "burh: this host offers no backend you accept (nil and kvm are not "
                    "confidential: see --insecure-allow-backend)\n");
    return DEPLOY_EXIT_VERIFY;
}

/* ---- the keep ---- */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Creates the keep and waits for "ready"; -1 when it is, else an exit status. */
static int start_keep(const deploy_opts *o, const deploy_keepmgr *m, const uint8_t *nonce,
                      burh_keep_info *keep)
{
    burh_keep_create req = {.backend = o->backend,
                            .nonce = {nonce, NONCE_LEN},
                            .memory_mib = o->memory_mib,
                            .time_limit_s = o->time_limit_s};
    char msg[400];
    if (!deploy_keep_create(m, &req, keep, msg, sizeof msg)) {
        fprintf(stderr, "burh: cannot create a keep: %s\n", msg);
        return DEPLOY_EXIT_KEEPMGR;
    }
    if (o->verbose)
        fprintf(stderr, "burh: keep %s (%s) starting\n", keep->id,
                burh_keep_backend_name(keep->backend));
    /* keepmgr holds each GET until the keep leaves "starting" (or 10 s pass): "ready" reaches
     * us the moment keepmgr learns it. An answer that comes back still "starting" (the hold
     * ran out, or a keepmgr without holds) is followed by a short pause, growing to 100 ms. */
    long step = 5;
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (keep->state == BURH_KEEP_STARTING) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 >=
            READY_TIMEOUT_MS) {
            fprintf(stderr, "burh: keep %s did not become ready in %d s\n", keep->id,
                    READY_TIMEOUT_MS / 1000);
            deploy_keep_delete(m, keep->id);
            return DEPLOY_EXIT_KEEP;
        }
        if (!deploy_keep_wait(m, keep->id, BURH_KEEP_STARTING, 10, keep, msg, sizeof msg)) {
            fprintf(stderr, "burh: keep %s: %s\n", keep->id, msg);
            return DEPLOY_EXIT_KEEPMGR;
        }
        if (keep->state == BURH_KEEP_STARTING) {
            sleep_ms(step);
            step = step * 2 > 100 ? 100 : step * 2;
        }
    }
    if (keep->state != BURH_KEEP_READY || keep->endpoint[0] == '\0') {
        fprintf(stderr, "burh: keep %s failed to start (%s): %s\n", keep->id,
                burh_keep_state_name(keep->state), keep->has_reason ? keep->reason : "no reason");
        return DEPLOY_EXIT_KEEP;
    }
    return -1;
}

/* ---- the command ---- */

/* Reads the bearer token: the file's first line, at most 4 KiB. NULL after a message. */
static char *read_token(const char *path)
{
    size_t len = 0;
    char *t = (char *)read_file(path, 4096, &len);
    if (t == NULL)
        return NULL;
    t[len] = '\0';
    t[strcspn(t, "\r\n")] = '\0';
    if (t[0] == '\0') {
        fprintf(stderr, "burh: %s: empty token\n", path);
        free(t);
        return NULL;
    }
    return t;
}

static bool parse_nonce(const char *hex, uint8_t *out, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2 != 0 || n / 2 < BURH_PROTO_NONCE_MIN || n / 2 > BURH_PROTO_NONCE_MAX)
        return false;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return false;
        out[i] = (uint8_t)v;
    }
    *len = n / 2;
    return true;
}

/* After a failed upload or a broken stream: what keepmgr saw (e.g. the keepldr was killed).
 * keepmgr notices a keep's end within its 1 s tick: hold a GET while the keep still looks
 * live, for up to 2 s in all. */
static void report_keep_end(const deploy_keepmgr *m, const char *id)
{
    burh_keep_info k;
    char msg[400];
    if (!deploy_keep_get(m, id, &k, msg, sizeof msg))
        return;
    for (int tries = 0; tries < 3 && k.state != BURH_KEEP_EXITED && k.state != BURH_KEEP_FAILED;
         tries++)
        if (!deploy_keep_wait(m, id, k.state, 1, &k, msg, sizeof msg))
            return;
    if (k.state == BURH_KEEP_EXITED || k.state == BURH_KEEP_FAILED)
        fprintf(stderr, "burh: keep %s %s: %s\n", id, burh_keep_state_name(k.state),
                k.has_reason ? k.reason : "no reason given");
}

/* With the workload encoded and the verifier ready: the keep, then the upload. */
static int deploy(deploy_opts *o, burh_attest_verifier *v, const char *token, const uint8_t *body,
                  size_t body_len)
{
    uint8_t nonce[BURH_PROTO_NONCE_MAX];
    size_t nonce_len = NONCE_LEN;
    deploy_send_opts send = {.show_evidence = o->show_evidence};
    if (o->direct != NULL) {
        if (!parse_nonce(o->direct_nonce, nonce, &nonce_len))
            return usage("--direct-nonce needs 16..64 bytes in hex", "");
        fprintf(stderr, "burh: TESTING: --direct keep %s, nonce not fresh\n", o->direct);
        return deploy_send_workload(&send, v, o->direct, nonce, nonce_len, body, body_len);
    }
    if (RAND_bytes(nonce, NONCE_LEN) != 1) {
        fprintf(stderr, "burh: no randomness for the nonce\n");
        return DEPLOY_EXIT_KEEP;
    }
    deploy_keepmgr m = {.token = token};
    bool has_scheme = strncmp(o->host, "http://", 7) == 0 || strncmp(o->host, "https://", 8) == 0;
    snprintf(m.base_url, sizeof m.base_url, "%s%s", has_scheme ? "" : "http://", o->host);
    int rc = choose_backend(o, &m);
    burh_keep_info keep;
    if (rc < 0)
        rc = start_keep(o, &m, nonce, &keep);
    if (rc >= 0)
        return rc;
    if (o->verbose)
        fprintf(stderr, "burh: keep %s ready at %s; verifying it in the TLS handshake\n", keep.id,
                keep.endpoint);
    rc = deploy_send_workload(&send, v, keep.endpoint, nonce, nonce_len, body, body_len);
    if (rc == DEPLOY_EXIT_KEEP)
        report_keep_end(&m, keep.id);
    if (rc == DEPLOY_EXIT_VERIFY || rc == DEPLOY_EXIT_KEEP)
        deploy_keep_delete(&m, keep.id); /* it would wait for a workload forever */
    return rc;
}

int burh_cmd_deploy(int argc, char **argv)
{
    deploy_opts o;
    memset(&o, 0, sizeof o);
    o.backend_auto = true;
    o.memory_mib = 256;
    o.files = calloc((size_t)argc + 1, sizeof *o.files);
    o.secrets = calloc((size_t)argc + 1, sizeof *o.secrets);
    o.envs = calloc((size_t)argc + 1, sizeof *o.envs);
    deploy_inputs in;
    memset(&in, 0, sizeof in);
    char *token = NULL;
    uint8_t *body = NULL;
    size_t body_len = 0;
    burh_attest_verifier *v = NULL;
    int rc = BURH_EXIT_USAGE;
    if (o.files == NULL || o.secrets == NULL || o.envs == NULL)
        goto done;
    if ((rc = parse_opts(argc, argv, &o)) >= 0)
        goto done;
    rc = BURH_EXIT_USAGE;
    if (o.token_file != NULL && (token = read_token(o.token_file)) == NULL)
        goto done;
    if (!load_inputs(&o, &in) || (body = encode_workload(&in.w, &body_len)) == NULL)
        goto done;
    if ((v = deploy_make_verifier(o.policy_file, o.allow_unsigned)) == NULL)
        goto done;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = deploy(&o, v, token, body, body_len);
    curl_global_cleanup();
done:
    for (size_t i = 0; i < in.w.secretc; i++)
        OPENSSL_cleanse((void *)in.w.secrets[i].data.ptr, in.w.secrets[i].data.len);
    if (body != NULL)
        OPENSSL_cleanse(body, body_len);
    free(body);
    free_inputs(&in);
    burh_attest_verifier_free(v);
    free(token);
    free(o.files);
    free(o.secrets);
    free(o.envs);
    return rc;
}
