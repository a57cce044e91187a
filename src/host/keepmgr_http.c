/* keepmgr_http.c: the keepmgr HTTP API (docs/protocol.md section 1) on libevent's evhttp. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>

#include "host/keepmgr.h"
#include "keep/http_guard.h"

#define WAIT_MAX_S  30u   /* longest ?wait= a GET may hold its answer */
#define WAITERS_MAX 4096u /* held GETs at once; past it they are answered at once */

/* A GET /v1/keeps/{id}?while=STATE&wait=S held until the keep leaves STATE or S runs out. A
 * waiter whose client went away is answered all the same: evhttp then just frees the request. */
struct waiter {
    struct waiter *next;
    struct evhttp_request *req;
    struct kmgr_keep *keep;
    burh_keep_state while_state;
    struct event *timer;
};

struct http_ctx {
    struct kmgr *m;
    SSL_CTX *ssl;
    bool auth;
    uint8_t token_hash[SHA256_DIGEST_LENGTH];
    struct waiter *waiters;
    unsigned nwaiters;
};

static struct http_ctx the_ctx; /* one API per keepmgr; the supervisor's hook needs it */

static _Noreturn void die(const char *what, const char *detail)
{
    kmgr_log(KMGR_LOG_ERROR, "setup_failed", "what=\"%s\" detail=\"%s\"", what, detail);
    exit(1);
}

static void send_cbor(struct evhttp_request *req, int status, const uint8_t *body, size_t len)
{
    struct evbuffer *out = evbuffer_new();
    if (!out) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evbuffer_add(out, body, len);
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", "application/cbor");
    evhttp_add_header(h, "Cache-Control", "no-store");
    evhttp_send_reply(req, status, NULL, out);
    evbuffer_free(out);
}

static void send_error(struct evhttp_request *req, int status, const char *code, const char *msg)
{
    burh_proto_error e;
    uint8_t body[BURH_PROTO_MESSAGE_MAX + 128];
    size_t len;
    snprintf(e.code, sizeof(e.code), "%s", code);
    snprintf(e.message, sizeof(e.message), "%s", msg);
    if (burh_proto_encode_error(&e, body, sizeof(body), &len) != BURH_PROTO_OK) {
        evhttp_send_error(req, status, NULL);
        return;
    }
    kmgr_log(KMGR_LOG_DEBUG, "request_refused", "status=%d code=%s message=\"%s\"", status, code,
             msg);
    send_cbor(req, status, body, len);
}

static void send_keep(struct evhttp_request *req, int status, const struct kmgr_keep *k)
{
    uint8_t body[1024];
    size_t len;
    if (burh_proto_encode_keep(&k->info, body, sizeof(body), &len) != BURH_PROTO_OK)
        send_error(req, 500, "internal", "keep record does not encode");
    else
        send_cbor(req, status, body, len);
}

/* Answers and frees waiter *pw (unlinking it); `gone`: its keep is being removed. */
static void waiter_answer(struct http_ctx *c, struct waiter **pw)
{
    struct waiter *w = *pw;
    *pw = w->next;
    c->nwaiters--;
    event_free(w->timer);
    send_keep(w->req, 200, w->keep);
    free(w);
}

static void on_wait_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct http_ctx *c = &the_ctx;
    for (struct waiter **pw = &c->waiters; *pw; pw = &(*pw)->next) {
        if (*pw == arg) {
            waiter_answer(c, pw);
            return;
        }
    }
}

void kmgr_http_keep_changed(struct kmgr_keep *k, bool removed)
{
    struct http_ctx *c = &the_ctx;
    for (struct waiter **pw = &c->waiters; *pw;) {
        if ((*pw)->keep == k && (removed || k->info.state != (*pw)->while_state))
            waiter_answer(c, pw);
        else
            pw = &(*pw)->next;
    }
}

/* Parses "?while=STATE&wait=S"; false (answer at once) when absent or not both valid. */
static bool wait_query(struct evhttp_request *req, burh_keep_state *state, unsigned *secs)
{
    const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
    struct evkeyvalq kv;
    if (!q || evhttp_parse_query_str(q, &kv) != 0)
        return false;
    const char *st = evhttp_find_header(&kv, "while"), *ws = evhttp_find_header(&kv, "wait");
    char *end = NULL;
    unsigned long n = ws && ws[0] >= '0' && ws[0] <= '9' ? strtoul(ws, &end, 10) : 0;
    bool ok = st && burh_keep_state_from_name(BURH_CBOR_BYTES(st, strlen(st)), state) && end &&
              *end == '\0' && n >= 1;
    *secs = n > WAIT_MAX_S ? WAIT_MAX_S : (unsigned)n;
    evhttp_clear_headers(&kv);
    return ok;
}

/* Holds a GET while the keep is in the state the client named; false: answer it now. */
static bool hold_get(struct http_ctx *c, struct evhttp_request *req, struct kmgr_keep *k)
{
    burh_keep_state state;
    unsigned secs;
    if (!wait_query(req, &state, &secs) || k->info.state != state || c->nwaiters >= WAITERS_MAX)
        return false;
    struct waiter *w = calloc(1, sizeof(*w));
    struct timeval tv = {(time_t)secs, 0};
    if (!w || !(w->timer = evtimer_new(c->m->base, on_wait_timeout, w)) ||
        evtimer_add(w->timer, &tv) != 0) {
        if (w && w->timer)
            event_free(w->timer);
        free(w);
        return false;
    }
    w->req = req;
    w->keep = k;
    w->while_state = state;
    w->next = c->waiters;
    c->waiters = w;
    c->nwaiters++;
    return true;
}

static bool authorized(struct http_ctx *c, struct evhttp_request *req)
{
    if (!c->auth)
        return true;
    const char *h = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
    if (!h || strncmp(h, "Bearer ", 7) != 0)
        return false;
    /* Hashing first makes the comparison constant-time in the token's length too. */
    uint8_t got[SHA256_DIGEST_LENGTH];
    SHA256((const uint8_t *)h + 7, strlen(h + 7), got);
    return CRYPTO_memcmp(got, c->token_hash, sizeof(got)) == 0;
}

/* Probing creates a VM to test KVM: done at most every few seconds, not per request. */
static const burh_platform_info *platform(void)
{
    static burh_platform_info cached;
    static time_t when;
    time_t now = time(NULL);
    if (when == 0 || now - when >= 5 || now < when) {
        kmgr_platform_probe(&cached);
        when = now;
    }
    return &cached;
}

static void get_platform(struct evhttp_request *req)
{
    burh_platform_info p = *platform();
    uint8_t body[2048];
    size_t len;
    if (burh_proto_encode_platform(&p, body, sizeof(body), &len) != BURH_PROTO_OK)
        send_error(req, 500, "internal", "platform info does not encode");
    else
        send_cbor(req, 200, body, len);
}

static void list_keeps(struct kmgr *m, struct evhttp_request *req)
{
    static burh_keep_info infos[KMGR_TABLE_MAX];
    for (size_t i = 0; i < m->nkeeps; i++)
        infos[i] = m->keeps[i]->info;
    size_t need = 0;
    burh_proto_encode_keep_list(infos, m->nkeeps, NULL, 0, &need);
    uint8_t *body = malloc(need ? need : 1);
    if (!body || burh_proto_encode_keep_list(infos, m->nkeeps, body, need, &need) != BURH_PROTO_OK)
        send_error(req, 500, "internal", "keep list does not encode");
    else
        send_cbor(req, 200, body, need);
    free(body);
}

static bool is_cbor(struct evhttp_request *req)
{
    const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
    size_t n = strlen("application/cbor");
    return ct && strncmp(ct, "application/cbor", n) == 0 && (ct[n] == '\0' || ct[n] == ';');
}

static void create_keep(struct kmgr *m, struct evhttp_request *req)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    if (!is_cbor(req))
        return send_error(req, 415, "unsupported_media", "Content-Type must be application/cbor");
    if (len > BURH_PROTO_KEEPMGR_BODY)
        return send_error(req, 413, "too_large", "request body over 4096 bytes");
    uint8_t body[BURH_PROTO_KEEPMGR_BODY];
    evbuffer_copyout(in, body, len);
    burh_keep_create c;
    burh_proto_diag diag;
    burh_proto_err err = burh_proto_decode_keep_create(BURH_CBOR_BYTES(body, len), &c, &diag);
    if (err != BURH_PROTO_OK)
        return send_error(req, 400, "bad_request", diag.message);
    const burh_platform_info *p = platform();
    for (size_t i = 0; i < p->count; i++)
        if (p->backends[i].backend == c.backend && !p->backends[i].available)
            return send_error(req, 422, "backend_unavailable", p->backends[i].reason);
    if (kmgr_live_count(m) >= m->cfg.max_keeps)
        return send_error(req, 429, "keep_limit", "the host runs --max-keeps keeps already");
    if (m->nkeeps >= KMGR_TABLE_MAX)
        return send_error(req, 429, "keep_limit", "too many keep records: delete ended keeps");
    struct kmgr_keep *k;
    char why[256];
    if (kmgr_keep_start(m, &c, &k, why, sizeof(why)) != 0)
        return send_error(req, 500, "internal", why);
    send_keep(req, 201, k);
}

static void one_keep(struct http_ctx *c, struct evhttp_request *req, const char *id)
{
    struct kmgr *m = c->m;
    struct kmgr_keep *k = kmgr_find(m, id);
    if (!burh_keep_id_valid(BURH_CBOR_BYTES(id, strlen(id))) || !k)
        return send_error(req, 404, "not_found", "no keep with that id");
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    if (cmd == EVHTTP_REQ_GET) {
        if (!hold_get(c, req, k))
            send_keep(req, 200, k);
        return;
    }
    if (cmd != EVHTTP_REQ_DELETE)
        return send_error(req, 405, "method_not_allowed", "use GET or DELETE");
    kmgr_keep_kill(m, k, "deleted by client");
    if (k->pid > 0) /* an adopted keepldr that did not die within a second */
        return send_error(req, 500, "internal", "the keep did not stop; try again");
    send_keep(req, 200, k);
    kmgr_log(KMGR_LOG_INFO, "keep_deleted", "id=%s", k->info.id);
    kmgr_keep_forget(m, k);
}

static void route(struct http_ctx *c, struct evhttp_request *req, const char *path)
{
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    if (strcmp(path, "/v1/platform") == 0) {
        if (cmd != EVHTTP_REQ_GET)
            return send_error(req, 405, "method_not_allowed", "use GET");
        return get_platform(req);
    }
    if (strcmp(path, "/v1/keeps") == 0) {
        if (cmd == EVHTTP_REQ_GET)
            return list_keeps(c->m, req);
        if (cmd == EVHTTP_REQ_POST)
            return create_keep(c->m, req);
        return send_error(req, 405, "method_not_allowed", "use GET or POST");
    }
    if (strncmp(path, "/v1/keeps/", 10) == 0)
        return one_keep(c, req, path + 10);
    send_error(req, 404, "not_found", "no such path");
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct http_ctx *c = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    kmgr_log(KMGR_LOG_DEBUG, "request", "method=%d path=\"%.100s\"",
             (int)evhttp_request_get_command(req), path ? path : "");
    if (!authorized(c, req))
        return send_error(req, 401, "unauthorized", "missing or wrong bearer token");
    if (!path)
        return send_error(req, 400, "bad_request", "unparsable request target");
    route(c, req, path);
}

/* Every connection's bufferevent (TLS or not) gets the guard that answers an oversized
 * Content-Length with a CBOR 413 before the body is read (keep/http_guard.h). */
static struct bufferevent *make_bev(struct event_base *base, void *arg)
{
    struct http_ctx *c = arg;
    struct bufferevent *bev;
    if (c->ssl) {
        SSL *ssl = SSL_new(c->ssl);
        if (!ssl)
            return NULL;
        bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                             BEV_OPT_CLOSE_ON_FREE);
        if (!bev)
            SSL_free(ssl);
    } else {
        bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    }
    if (bev)
        http_guard_attach(bev, BURH_PROTO_KEEPMGR_BODY);
    return bev;
}

static void setup_tls(struct http_ctx *c, const struct kmgr_http_config *hc)
{
    c->ssl = SSL_CTX_new(TLS_server_method());
    if (!c->ssl || !SSL_CTX_set_min_proto_version(c->ssl, TLS1_2_VERSION) ||
        SSL_CTX_use_certificate_chain_file(c->ssl, hc->tls_cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(c->ssl, hc->tls_key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(c->ssl) != 1)
        die("TLS certificate or key", ERR_reason_error_string(ERR_get_error()));
}

static void load_token(struct http_ctx *c, const char *file)
{
    char tok[1024];
    FILE *f = fopen(file, "re");
    if (!f)
        die("cannot open --token-file", strerror(errno));
    size_t n = fread(tok, 1, sizeof(tok), f);
    fclose(f);
    while (n > 0 && (tok[n - 1] == '\n' || tok[n - 1] == '\r'))
        n--;
    if (n < 16 || n == sizeof(tok))
        die("--token-file", "the token must be 16..1023 bytes");
    SHA256((const uint8_t *)tok, n, c->token_hash);
    OPENSSL_cleanse(tok, sizeof(tok));
    c->auth = true;
}

/* Splits "host:port" or "[v6]:port". */
static void split_listen(const char *listen, char *host, size_t cap, unsigned short *port)
{
    const char *colon = strrchr(listen, ':');
    const char *h = listen;
    size_t hl = colon ? (size_t)(colon - listen) : 0;
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    char *end;
    unsigned long p = colon ? strtoul(colon + 1, &end, 10) : 0;
    if (!colon || hl == 0 || hl >= cap || !colon[1] || *end || p > 65535)
        die("bad --listen (want ADDR:PORT)", listen);
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (unsigned short)p;
}

void kmgr_http_start(struct kmgr *m, const struct kmgr_http_config *hc)
{
    struct http_ctx *c = &the_ctx;
    c->m = m;
    struct evhttp *http = evhttp_new(m->base);
    if (!http)
        die("evhttp_new", "out of memory");
    if (hc->token_file)
        load_token(c, hc->token_file);
    if (hc->tls_cert)
        setup_tls(c, hc);
    evhttp_set_bevcb(http, make_bev, c);
    evhttp_set_max_body_size(http, BURH_PROTO_KEEPMGR_BODY);
    evhttp_set_max_headers_size(http, 8192);
    evhttp_set_timeout(http, (int)hc->client_timeout_s);
    evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_DELETE |
                                         EVHTTP_REQ_PUT | EVHTTP_REQ_PATCH);
    evhttp_set_gencb(http, on_request, c);
    char host[256];
    unsigned short port;
    split_listen(hc->listen, host, sizeof(host), &port);
    struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(http, host, port);
    if (!bs)
        die("cannot listen on", hc->listen);
    /* Answers go out in more than one write (headers, body): no Nagle delay between them. */
    int one = 1;
    setsockopt(evhttp_bound_socket_get_fd(bs), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    char addr[INET6_ADDRSTRLEN] = "?";
    unsigned bound = port;
    if (getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *a = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &a->sin_addr, addr, sizeof(addr));
            bound = ntohs(a->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &a->sin6_addr, addr, sizeof(addr));
            bound = ntohs(a->sin6_port);
        }
    }
    kmgr_log(KMGR_LOG_INFO, "listening", "addr=%s port=%u tls=%s auth=%s", addr, bound,
             hc->tls_cert ? "yes" : "no", c->auth ? "bearer" : "none");
}
