/* The workload over RA-TLS: verify the keep inside the handshake, send, relay its frames. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "burh/ratls.h"
#include "cli/cli.h"
#include "cli/deploy_send.h"
#include "keep/deploy.h"

#define PROGRESS_MIN (4u << 20)

burh_attest_verifier *deploy_make_verifier(const char *policy_file,
                                           const bool allow_unsigned[BURH_BACKEND_COUNT])
{
    json_error_t jerr;
    json_t *root = policy_file != NULL ? json_load_file(policy_file, 0, &jerr) : json_object();
    if (root == NULL || !json_is_object(root)) {
        fprintf(stderr, "burh: --policy %s: %s\n", policy_file,
                root == NULL ? jerr.text : "not a JSON object");
        json_decref(root);
        return NULL;
    }
    json_t *allow = json_object_get(root, "allow_backends");
    if (allow == NULL) {
        allow = json_array();
        json_object_set_new(root, "allow_backends", allow);
    }
    for (int b = 0; b < BURH_BACKEND_COUNT; b++)
        if (allow_unsigned[b] && json_is_array(allow))
            json_array_append_new(allow, json_string(burh_keep_backend_name(b)));
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    burh_attest_policy *policy = NULL;
    burh_attest_verifier *v = NULL;
    burh_attest_error err;
    if (text == NULL ||
        burh_attest_policy_parse((burh_bytes){(const uint8_t *)text, strlen(text)}, &policy,
                                 &err) != BURH_ATTEST_OK ||
        burh_attest_verifier_new(&v, &err) != BURH_ATTEST_OK) {
        fprintf(stderr, "burh: policy: %s\n", text == NULL ? "out of memory" : err.message);
        burh_attest_policy_free(policy);
        free(text);
        return NULL;
    }
    free(text);
    burh_attest_verifier_set_policy(v, policy);
    return v;
}

static burh_cbor_bytes text_of(const char *s, size_t len)
{
    return (burh_cbor_bytes){(const uint8_t *)s, len};
}

void deploy_workload_args(burh_workload *w, const char *file, char *const *args, int nargs,
                          char *const *envs, size_t nenvs)
{
    const char *slash = strrchr(file, '/');
    const char *argv0 = slash != NULL ? slash + 1 : file;
    w->args[w->argc++] = text_of(argv0, strlen(argv0));
    for (int i = 0; i < nargs; i++)
        w->args[w->argc++] = text_of(args[i], strlen(args[i]));
    for (size_t i = 0; i < nenvs; i++) {
        const char *eq = strchr(envs[i], '=');
        w->env[w->envc].name = text_of(envs[i], (size_t)(eq - envs[i]));
        w->env[w->envc++].value = text_of(eq + 1, strlen(eq + 1));
    }
}

void deploy_warn_unprotected(burh_keep_backend b)
{
    fprintf(stderr,
            "burh: WARNING: INSECURE %s KEEP, allowed by --insecure-allow-backend %s.\n"
            "burh: WARNING: no memory encryption: the host can read and change everything in it,\n"
            "burh: WARNING: your program, its files, secrets and output included; its evidence\n"
            "burh: WARNING: is unsigned and proves nothing. Use it only for testing.\n",
            b == BURH_BACKEND_NIL ? "NIL" : "KVM", burh_keep_backend_name(b));
}

/* One workload upload: the connection, its verifier, and what came back. */
typedef struct upload {
    CURL *curl;
    burh_ratls_checker *checker;
    bool show_evidence, quiet_unprotected, progress, progress_shown;
    long status;
    deploy_frames frames;
    deploy_buf refusal;
} upload;

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    upload *u = arg;
    if (u->status == 0)
        curl_easy_getinfo(u->curl, CURLINFO_RESPONSE_CODE, &u->status);
    if (u->status != 200)
        return deploy_buf_append(&u->refusal, data, size * n) ? size * n : 0;
    return deploy_frames_feed(&u->frames, (const uint8_t *)data, size * n) ? size * n : 0;
}

/* Runs after the handshake (so after verification) and before the first request byte. */
static int on_connected(void *arg, char *ip, char *local_ip, int port, int local_port)
{
    (void)ip;
    (void)local_ip;
    (void)port;
    (void)local_port;
    upload *u = arg;
    const burh_ratls_result *r = burh_ratls_checker_result(u->checker);
    if (r == NULL || !burh_ratls_result_accepted(r))
        return CURL_PREREQFUNC_ABORT; /* cannot happen: the handshake would have failed */
    burh_attest_platform p = burh_ratls_result_platform(r);
    if ((p == BURH_PLATFORM_NIL || p == BURH_PLATFORM_KVM) && !u->quiet_unprotected)
        deploy_warn_unprotected(p == BURH_PLATFORM_NIL ? BURH_BACKEND_NIL : BURH_BACKEND_KVM);
    if (u->show_evidence) {
        char *text = json_dumps(burh_ratls_result_claims(r), JSON_INDENT(2) | JSON_SORT_KEYS);
        fprintf(stderr, "burh: verified evidence (%s):\n%s\n", burh_attest_platform_name(p),
                text != NULL ? text : "(out of memory)");
        free(text);
    }
    return CURL_PREREQFUNC_OK;
}

static int on_progress(void *arg, curl_off_t dl_total, curl_off_t dl_now, curl_off_t ul_total,
                       curl_off_t ul_now)
{
    (void)dl_total;
    (void)dl_now;
    upload *u = arg;
    if (u->progress && ul_total > 0 && (ul_now < ul_total || u->progress_shown)) {
        fprintf(stderr, "\rburh: uploading %3d%% of %lld MiB", (int)(ul_now * 100 / ul_total),
                (long long)(ul_total >> 20));
        u->progress_shown = ul_now < ul_total;
        if (!u->progress_shown)
            fputc('\n', stderr);
    }
    return 0;
}

/* Why the connection failed: the verifier's verdict when it refused the keep. */
static int connection_failed(const upload *u, CURLcode rc, const char *endpoint)
{
    const burh_ratls_result *r = burh_ratls_checker_result(u->checker);
    const char *why = burh_ratls_checker_error(u->checker);
    if (r != NULL && !burh_ratls_result_accepted(r)) {
        fprintf(stderr, "burh: attestation of the keep at %s REFUSED; nothing was sent.\n",
                endpoint);
        for (size_t i = 0; i < burh_ratls_result_failed_count(r); i++)
            fprintf(stderr, "burh:   FAILED %s: %s\n", burh_ratls_result_failed_name(r, i),
                    burh_ratls_result_failed_detail(r, i));
        return DEPLOY_EXIT_VERIFY;
    }
    if (why != NULL && why[0] != '\0') {
        fprintf(stderr, "burh: the keep's certificate could not be verified: %s\n", why);
        return DEPLOY_EXIT_VERIFY;
    }
    fprintf(stderr, "burh: connection to the keep at %s failed: %s\n", endpoint,
            curl_easy_strerror(rc));
    return DEPLOY_EXIT_KEEP;
}

/* The program's end, as our exit status. */
static int outcome(const upload *u, CURLcode rc)
{
    const deploy_frames *f = &u->frames;
    if (u->status != 200) {
        burh_proto_error e;
        if (burh_proto_decode_error((burh_cbor_bytes){u->refusal.ptr, u->refusal.len}, &e, NULL) !=
            BURH_PROTO_OK)
            snprintf(e.code, sizeof e.code, "(no valid error body)"), e.message[0] = '\0';
        fprintf(stderr, "burh: the keep refused the workload: HTTP %ld %s: %s\n", u->status, e.code,
                e.message);
        return DEPLOY_EXIT_KEEP;
    }
    if (f->broken || !f->ended) {
        fprintf(stderr, "burh: the keep's answer broke off: %s (%s)\n",
                f->broken ? f->why : "no final frame", curl_easy_strerror(rc));
        return DEPLOY_EXIT_KEEP;
    }
    if (f->final.kind == BURH_FRAME_EXIT)
        return (int)(f->final.exit & 0xff);
    if (f->final.kind == BURH_FRAME_TRAP) {
        fprintf(stderr, "burh: trap: %s\n", f->final_text);
        return BURH_EXIT_TRAP;
    }
    fprintf(stderr, "burh: %s: %s\n", f->final_code, f->final_text);
    if (strcmp(f->final_code, "resources") == 0)
        return BURH_EXIT_TIME_LIMIT;
    return strcmp(f->final_code, "bad_module") == 0 ? BURH_EXIT_BAD_MODULE : DEPLOY_EXIT_KEEP;
}

int deploy_send_workload(const deploy_send_opts *o, burh_attest_verifier *v, const char *endpoint,
                         const uint8_t *nonce, size_t nonce_len, const uint8_t *body,
                         size_t body_len)
{
    upload u;
    memset(&u, 0, sizeof u);
    u.show_evidence = o->show_evidence;
    u.quiet_unprotected = o->quiet_unprotected;
    u.progress = body_len >= PROGRESS_MIN && isatty(2);
    u.refusal.limit = 8192;
    deploy_frames_init(&u.frames, 1, 2);
    burh_ratls_expect expect = {.nonce = {nonce, nonce_len}};
    burh_attest_error err;
    char url[400];
    snprintf(url, sizeof url, "https://%s/v1/workload", endpoint);
    u.curl = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/cbor");
    h = curl_slist_append(h, "Expect:");
    if (u.curl == NULL || h == NULL ||
        burh_ratls_checker_new(v, &expect, &u.checker, &err) != BURH_ATTEST_OK ||
        !burh_ratls_curl_install(u.curl, u.checker)) {
        fprintf(stderr, "burh: cannot set up the TLS client\n");
        curl_slist_free_all(h);
        curl_easy_cleanup(u.curl);
        burh_ratls_checker_free(u.checker);
        return DEPLOY_EXIT_KEEP;
    }
    curl_easy_setopt(u.curl, CURLOPT_URL, url);
    /* The RA-TLS checker is the only judge of the keep's certificate: loading the system CA
     * bundle would only cost time (about 20 ms, most of a hello round trip). */
    curl_easy_setopt(u.curl, CURLOPT_CAINFO, NULL);
    curl_easy_setopt(u.curl, CURLOPT_CAPATH, NULL);
    curl_easy_setopt(u.curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(u.curl, CURLOPT_POSTFIELDS, (const char *)body);
    curl_easy_setopt(u.curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    curl_easy_setopt(u.curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(u.curl, CURLOPT_WRITEDATA, &u);
    curl_easy_setopt(u.curl, CURLOPT_PREREQFUNCTION, on_connected);
    curl_easy_setopt(u.curl, CURLOPT_PREREQDATA, &u);
    curl_easy_setopt(u.curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(u.curl, CURLOPT_XFERINFODATA, &u);
    curl_easy_setopt(u.curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(u.curl, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(u.curl, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(u.curl);
    if (u.status == 0)
        curl_easy_getinfo(u.curl, CURLINFO_RESPONSE_CODE, &u.status);
    int status;
    if (rc != CURLE_OK && (u.status == 0 || rc == CURLE_PEER_FAILED_VERIFICATION))
        status = connection_failed(&u, rc, endpoint);
    else
        status = outcome(&u, rc);
    curl_slist_free_all(h);
    curl_easy_cleanup(u.curl);
    burh_ratls_checker_free(u.checker);
    deploy_frames_free(&u.frames);
    deploy_buf_free(&u.refusal);
    return status;
}
