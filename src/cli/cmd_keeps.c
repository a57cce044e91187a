/* cmd_keeps.c: `burh keeps list|show|delete`: a keepmgr's keeps, over HTTP(S) with libcurl. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "burh/keep_proto.h"

/* Declared for the lead to wire into src/cli/cli.h and main-burh.c. */
int burh_cmd_keeps(int argc, char **argv);

#define RESPONSE_MAX (4u << 20)

struct keeps_opts {
    const char *action, *id, *host, *token_file, *cacert;
    bool insecure;
};

struct response {
    uint8_t *data;
    size_t len;
    bool too_big;
};

static int usage(void)
{
    fprintf(stderr, "usage: burh keeps list|show ID|delete ID --host H:P [--token-file F]\n"
                    "                  [--cacert PEM (use https)] [--insecure]\n");
    return 2;
}

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
    struct response *r = arg;
    size_t add = size * n;
    if (r->len + add > RESPONSE_MAX) {
        r->too_big = true;
        return 0;
    }
    uint8_t *grown = realloc(r->data, r->len + add);
    if (!grown)
        return 0;
    memcpy(grown + r->len, p, add);
    r->data = grown;
    r->len += add;
    return add;
}

static bool read_token(const char *file, char *out, size_t cap)
{
    FILE *f = fopen(file, "re");
    if (!f)
        return false;
    size_t n = fread(out, 1, cap - 1, f);
    fclose(f);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        n--;
    out[n] = '\0';
    return n > 0 && !strpbrk(out, "\r\n");
}

/* One request; returns the HTTP status (0 when it did not complete). */
static long request(const struct keeps_opts *o, const char *method, const char *path,
                    struct response *r)
{
    char url[512], auth[1100], token[1024];
    int url_len = snprintf(url, sizeof(url), "%s://%s%s",
                           o->cacert || o->insecure ? "https" : "http", o->host, path);
    if (url_len < 0 || (size_t)url_len >= sizeof(url)) {
        fprintf(stderr, "burh keeps: the host name is too long\n");
        return 0;
    }
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    long status = 0;
    if (!c)
        return 0;
    if (o->token_file) {
        if (!read_token(o->token_file, token, sizeof(token))) {
            fprintf(stderr, "burh keeps: cannot read a token from %s\n", o->token_file);
            curl_easy_cleanup(c);
            return 0;
        }
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
        /* curl keeps its own copy; ours should not outlive the call on the stack. */
        explicit_bzero(token, sizeof(token));
        explicit_bzero(auth, sizeof(auth));
    }
    h = curl_slist_append(h, "Accept: application/cbor");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (o->cacert)
        curl_easy_setopt(c, CURLOPT_CAINFO, o->cacert);
    if (o->insecure)
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else
        fprintf(stderr, "burh keeps: %s: %s\n", url,
                r->too_big ? "response too large" : curl_easy_strerror(rc));
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}

static void print_keep(const burh_keep_info *k, bool long_form)
{
    char exit[32] = "-";
    if (k->has_exit_status)
        snprintf(exit, sizeof(exit), "%lld", (long long)k->exit_status);
    if (!long_form) {
        printf("%s  %-8s  %-3s  %-21s  %4s  %s\n", k->id, burh_keep_state_name(k->state),
               burh_keep_backend_name(k->backend), k->endpoint[0] ? k->endpoint : "-", exit,
               k->has_reason ? k->reason : "");
        return;
    }
    printf("id:          %s\nstate:       %s\nbackend:     %s\nmemory_mib:  %u\n"
           "created:     %llu\nendpoint:    %s\nexit_status: %s\nreason:      %s\n",
           k->id, burh_keep_state_name(k->state), burh_keep_backend_name(k->backend), k->memory_mib,
           (unsigned long long)k->created, k->endpoint[0] ? k->endpoint : "-", exit,
           k->has_reason ? k->reason : "-");
}

/* A non-2xx answer: the server's CBOR error, or what we know. */
static int report_error(long status, const struct response *r)
{
    burh_proto_error e;
    if (burh_proto_decode_error(BURH_CBOR_BYTES(r->data, r->len), &e, NULL) == BURH_PROTO_OK)
        fprintf(stderr, "burh keeps: HTTP %ld %s: %s\n", status, e.code, e.message);
    else
        fprintf(stderr, "burh keeps: HTTP %ld (no error details)\n", status);
    return 1;
}

static int show_list(const struct response *r)
{
    static burh_keep_info keeps[1024];
    size_t n;
    burh_proto_diag d;
    if (burh_proto_decode_keep_list(BURH_CBOR_BYTES(r->data, r->len), keeps, 1024, &n, &d)) {
        fprintf(stderr, "burh keeps: bad keep list from the server: %s\n", d.message);
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        print_keep(&keeps[i], false);
    return 0;
}

static int show_keep(const struct response *r)
{
    burh_keep_info k;
    burh_proto_diag d;
    if (burh_proto_decode_keep(BURH_CBOR_BYTES(r->data, r->len), &k, &d) != BURH_PROTO_OK) {
        fprintf(stderr, "burh keeps: bad keep from the server: %s\n", d.message);
        return 1;
    }
    print_keep(&k, true);
    return 0;
}

static int parse(struct keeps_opts *o, int argc, char **argv)
{
    if (argc < 2)
        return -1;
    o->action = argv[1];
    int i = 2;
    if (strcmp(o->action, "show") == 0 || strcmp(o->action, "delete") == 0) {
        if (argc < 3)
            return -1;
        o->id = argv[i++];
    } else if (strcmp(o->action, "list") != 0) {
        return -1;
    }
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--insecure") == 0) {
            o->insecure = true;
            continue;
        }
        if (i + 1 >= argc)
            return -1;
        if (strcmp(argv[i], "--host") == 0)
            o->host = argv[++i];
        else if (strcmp(argv[i], "--token-file") == 0)
            o->token_file = argv[++i];
        else if (strcmp(argv[i], "--cacert") == 0)
            o->cacert = argv[++i];
        else
            return -1;
    }
    if (!o->host || strpbrk(o->host, "/?#@ "))
        return -1;
    if (o->id && !burh_keep_id_valid(BURH_CBOR_BYTES(o->id, strlen(o->id)))) {
        fprintf(stderr, "burh keeps: %s is not a keep id (32 hex digits)\n", o->id);
        return -1;
    }
    return 0;
}

int burh_cmd_keeps(int argc, char **argv)
{
    struct keeps_opts o = {0};
    if (parse(&o, argc, argv) != 0)
        return usage();
    char path[64];
    const char *method = "GET";
    if (o.id)
        snprintf(path, sizeof(path), "/v1/keeps/%s", o.id);
    else
        snprintf(path, sizeof(path), "/v1/keeps");
    if (strcmp(o.action, "delete") == 0)
        method = "DELETE";
    struct response r = {0};
    curl_global_init(CURL_GLOBAL_DEFAULT);
    long status = request(&o, method, path, &r);
    int rc;
    if (status == 0)
        rc = 1;
    else if (status < 200 || status > 299)
        rc = report_error(status, &r);
    else
        rc = o.id ? show_keep(&r) : show_list(&r);
    free(r.data);
    curl_global_cleanup();
    return rc;
}
