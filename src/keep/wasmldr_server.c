/* wasmldr_server.c: the keep's HTTPS endpoint: accepts one workload, streams its frames back. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/ssl.h>

#include "burh/ratls.h"
#include "keep/http_guard.h"
#include "keep/wasmldr.h"

#define CHUNK_MAX        BURH_PROTO_OUTPUT_MAX
#define FRAME_CAP        (CHUNK_MAX + 64)
#define BACKLOG_MAX      (8u << 20) /* unsent response bytes before we stop reading the guest */
#define EXIT_NO_WORKLOAD 1

typedef enum { SRV_IDLE = 0, SRV_RUNNING, SRV_FINISHING, SRV_DONE } srv_state;

typedef struct server {
    const wasmldr_server_config *cfg;
    struct event_base *base;
    struct evhttp *http;
    SSL_CTX *tls;
    srv_state state;
    int exit_status;
    char end_reason[BURH_PROTO_REASON_MAX + 1]; /* the first cause of our end wins */
    uint64_t received; /* decrypted request bytes, for the test-only record */
    /* the one workload */
    struct evhttp_request *req; /* NULL once the client went away */
    struct bufferevent *bev;
    wasmldr_job *job;
    wasmldr_outcome outcome;
    pthread_t worker;
    bool worker_started;
    int out_rd, out_wr, err_rd, err_wr, notify_rd, notify_wr;
    struct event *out_ev, *err_ev, *notify_ev, *limit_ev, *resume_ev, *term_ev, *drain_ev;
    bool drain_waiting; /* the reply's tail is being flushed after evhttp's early "sent" */
    uint8_t frame[FRAME_CAP];
} server;

static void logf_(const server *s, const char *what, const char *detail)
{
    fprintf(s->cfg->log, "burh-wasmldr: %s%s%s\n", what, detail[0] != '\0' ? ": " : "", detail);
    fflush(s->cfg->log);
}

/* Informational lines are dropped with --log-level error; failures are always logged. */
static void log_info(const server *s, const char *what, const char *detail)
{
    if (!s->cfg->quiet)
        logf_(s, what, detail);
}

/* ---- status records and the test-only byte record ---- */

static void send_status(const server *s, const burh_keep_status *st)
{
    uint8_t rec[BURH_PROTO_STATUS_MAX];
    size_t len = 0;
    if (s->cfg->status_fd < 0)
        return;
    if (burh_proto_encode_status(st, rec, sizeof rec, &len) != BURH_PROTO_OK ||
        write(s->cfg->status_fd, rec, len) != (ssize_t)len)
        logf_(s, "cannot write a status record", strerror(errno));
}

/* Appends text to the end reason, cutting it at the record's limit (the frame has it all). */
static void append_reason(server *s, const char *text)
{
    size_t have = strlen(s->end_reason), room = sizeof s->end_reason - 1 - have;
    size_t n = strnlen(text, room);
    memcpy(s->end_reason + have, text, n);
    s->end_reason[have + n] = '\0';
}

/* Records why the keep ends, for the exit record keepldr and keepmgr report; first one wins. */
static void note_end(server *s, const char *why, const char *detail)
{
    if (s->end_reason[0] != '\0')
        return;
    append_reason(s, why);
    if (detail[0] != '\0') {
        append_reason(s, ": ");
        append_reason(s, detail);
    }
}

static void note_outcome(server *s, const wasmldr_outcome *o)
{
    char n[BURH_PROTO_CODE_MAX + 32];
    if (o->kind == BURH_FRAME_EXIT) {
        snprintf(n, sizeof n, "workload exited with status %lld", (long long)o->exit);
        note_end(s, n, "");
    } else if (o->kind == BURH_FRAME_TRAP) {
        note_end(s, "workload trapped", o->text);
    } else {
        snprintf(n, sizeof n, "workload error %s", o->code);
        note_end(s, n, o->text);
    }
}

static void count_received(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    (void)buf;
    server *s = arg;
    if (info->n_added == 0)
        return;
    s->received += info->n_added;
    char text[24];
    int n = snprintf(text, sizeof text, "%020llu\n", (unsigned long long)s->received);
    if (pwrite(s->cfg->record_fd, text, (size_t)n, 0) != n)
        logf_(s, "cannot write the byte record", strerror(errno));
}

/* ---- plain responses ---- */

static void send_error(struct evhttp_request *req, int status, const char *code,
                       const char *message)
{
    burh_proto_error e;
    memset(&e, 0, sizeof e);
    snprintf(e.code, sizeof e.code, "%s", code);
    snprintf(e.message, sizeof e.message, "%s", message);
    uint8_t body[BURH_PROTO_MESSAGE_MAX + BURH_PROTO_CODE_MAX + 32];
    size_t len = 0;
    struct evbuffer *out = evbuffer_new();
    if (out != NULL && burh_proto_encode_error(&e, body, sizeof body, &len) == BURH_PROTO_OK)
        evbuffer_add(out, body, len);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/cbor");
    evhttp_send_reply(req, status, code, out);
    if (out != NULL)
        evbuffer_free(out);
}

/* ---- streaming ---- */

static void send_frame(server *s, const burh_workload_frame *f)
{
    size_t len = 0;
    if (s->req == NULL ||
        burh_proto_encode_frame(f, s->frame, sizeof s->frame, &len) != BURH_PROTO_OK)
        return;
    struct evbuffer *chunk = evbuffer_new();
    if (chunk == NULL)
        return;
    evbuffer_add(chunk, s->frame, len);
    evhttp_send_reply_chunk(s->req, chunk);
    evbuffer_free(chunk);
}

/* Bytes the connection has not sent yet: when the client reads slowly, stop reading the
 * guest's pipes so it blocks on its own writes instead of our memory growing. */
static size_t backlog(const server *s)
{
    return s->bev != NULL ? evbuffer_get_length(bufferevent_get_output(s->bev)) : 0;
}

/* Reads what the guest wrote on one pipe and forwards it; false at end of file. */
static bool pump(server *s, int fd, burh_frame_kind kind)
{
    static uint8_t data[CHUNK_MAX];
    ssize_t n = read(fd, data, sizeof data);
    if (n <= 0)
        return n < 0 && (errno == EAGAIN || errno == EINTR);
    burh_workload_frame f;
    memset(&f, 0, sizeof f);
    f.kind = kind;
    f.data = (burh_cbor_bytes){data, (size_t)n};
    send_frame(s, &f);
    return true;
}

static void on_output(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    server *s = arg;
    bool is_out = fd == s->out_rd;
    if (!pump(s, fd, is_out ? BURH_FRAME_STDOUT : BURH_FRAME_STDERR))
        event_del(is_out ? s->out_ev : s->err_ev);
    if (backlog(s) > BACKLOG_MAX) {
        event_del(s->out_ev);
        event_del(s->err_ev);
        struct timeval tv = {0, 50000};
        evtimer_add(s->resume_ev, &tv);
    }
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    server *s = arg;
    struct timeval tv = {0, 50000};
    if (backlog(s) > BACKLOG_MAX / 2) {
        evtimer_add(s->resume_ev, &tv);
        return;
    }
    event_add(s->out_ev, NULL);
    event_add(s->err_ev, NULL);
}

static int exit_status_of(const wasmldr_outcome *o)
{
    if (o->kind == BURH_FRAME_EXIT)
        return (int)(o->exit & 0xff);
    if (o->kind == BURH_FRAME_TRAP)
        return 125;
    if (strcmp(o->code, "resources") == 0)
        return 124;
    return strcmp(o->code, "bad_module") == 0 ? 126 : EXIT_NO_WORKLOAD;
}

/*
 * Ending: evhttp reports the reply sent (on_sent) from bufferevent_openssl's write callback, and
 * libevent 2.1's bufferevent_openssl always runs that callback deferred (do_write triggers it
 * with BEV_OPT_DEFER_CALLBACKS), to a later loop turn. evhttp_write_cb does not look at the
 * output again, so a callback deferred after an earlier chunk drained, running after
 * finish() queued the final frame and the chunk terminator, reports the reply "sent" while
 * that tail still sits in the output; evhttp then disables EV_WRITE to read a next request and
 * the tail stays queued (about 1 deploy in 10 under load). Mid-stream the stale callback is
 * harmless (evhttp has no completion callback set then). So the end is not taken from evhttp:
 * on_sent only starts on_drained, which re-enables writing if bytes remain and waits for the
 * output buffer's own drain (an evbuffer callback, run synchronously when bytes leave it).
 */
static void on_output_drained(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    server *s = arg;
    if (info->n_deleted > 0 && evbuffer_get_length(buf) == 0)
        event_active(s->drain_ev, EV_TIMEOUT, 0);
}

static void on_drained(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    server *s = arg;
    struct timeval linger = {0, 100000}, deadline = {(time_t)s->cfg->limits.read_timeout_s, 0};
    if (s->bev == NULL) { /* the client read everything and closed: nothing to wait for */
        event_base_loopexit(s->base, NULL);
        return;
    }
    bool empty = evbuffer_get_length(bufferevent_get_output(s->bev)) == 0;
    if (empty || s->drain_waiting) {
        /* All sent, or the client stopped reading: give it a moment to close first (our close
         * with its bytes unread would be a reset), then end; its close ends us sooner. */
        event_base_loopexit(s->base, &linger);
        return;
    }
    /* evhttp disabled writing after its early "sent": turn it back on until the output is
     * empty, for at most the read timeout (a client that stops reading is not waited for). */
    s->drain_waiting = true;
    evbuffer_add_cb(bufferevent_get_output(s->bev), on_output_drained, s);
    bufferevent_enable(s->bev, EV_WRITE);
    evtimer_add(s->drain_ev, &deadline);
}

static void on_sent(struct evhttp_request *req, void *arg)
{
    (void)req;
    server *s = arg;
    s->state = SRV_DONE;
    /* From a fresh loop turn: evhttp disables EV_WRITE only after this callback returns. */
    struct timeval now = {0, 0};
    evtimer_add(s->drain_ev, &now);
}

static void on_client_gone(struct evhttp_connection *conn, void *arg)
{
    (void)conn;
    server *s = arg;
    s->bev = NULL; /* freed with the connection */
    if (s->state == SRV_DONE) {
        event_active(s->drain_ev, EV_TIMEOUT, 0);
        return;
    }
    s->req = NULL;
    note_end(s, "client went away", "");
    log_info(s, "the client went away", "stopping the workload");
    if (s->job != NULL && s->worker_started) {
        wasmldr_job_cancel(s->job);
        pthread_kill(s->worker, SIGUSR1);
    }
    if (s->state == SRV_FINISHING)
        on_sent(NULL, s);
}

/* Sends the final frame and ends the response (or the loop, if nobody listens). */
static void finish(server *s)
{
    s->exit_status = exit_status_of(&s->outcome);
    note_outcome(s, &s->outcome);
    size_t len = wasmldr_outcome_encode(&s->outcome, s->frame, sizeof s->frame);
    s->state = SRV_FINISHING;
    if (s->req == NULL) {
        on_sent(NULL, s);
        return;
    }
    struct evbuffer *chunk = evbuffer_new();
    if (chunk != NULL && len > 0) {
        evbuffer_add(chunk, s->frame, len);
        evhttp_send_reply_chunk(s->req, chunk);
    }
    if (chunk != NULL)
        evbuffer_free(chunk);
    evhttp_request_set_on_complete_cb(s->req, on_sent, s);
    evhttp_send_reply_end(s->req);
    s->req = NULL;
}

static void on_worker_done(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    server *s = arg;
    char b;
    if (read(fd, &b, 1) != 1)
        return;
    pthread_join(s->worker, NULL);
    s->worker_started = false;
    event_del(s->limit_ev);
    event_del(s->resume_ev);
    /* Close the pipes' write ends, then forward what is left in them. */
    close(s->out_wr);
    close(s->err_wr);
    s->out_wr = s->err_wr = -1;
    event_del(s->out_ev);
    event_del(s->err_ev);
    while (pump(s, s->out_rd, BURH_FRAME_STDOUT))
        ;
    while (pump(s, s->err_rd, BURH_FRAME_STDERR))
        ;
    wasmldr_job_free(s->job);
    s->job = NULL;
    finish(s);
}

static void on_time_limit(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    server *s = arg;
    wasmldr_job_time_up(s->job);
    pthread_kill(s->worker, SIGUSR1); /* wakes a guest blocked in a sleep or read */
    struct timeval again = {0, 200000};
    evtimer_add(s->limit_ev, &again); /* it may have been just entering a blocking call */
}

static void *worker_main(void *arg)
{
    server *s = arg;
    wasmldr_job_run(s->job, &s->outcome);
    char b = 'd';
    if (write(s->notify_wr, &b, 1) != 1)
        abort(); /* the event loop could never learn the guest ended */
    return NULL;
}

static void on_wake(int sig)
{
    (void)sig; /* only interrupts a blocking system call of the guest's thread */
}

/* Two pipes the guest's stdout and stderr sinks write into; the event loop forwards them. */
static bool capture_output(server *s)
{
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0)
        return false;
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(out[0]);
        close(out[1]);
        return false;
    }
    s->out_rd = out[0];
    s->out_wr = out[1];
    s->err_rd = err[0];
    s->err_wr = err[1];
    fcntl(s->out_rd, F_SETFL, O_NONBLOCK);
    fcntl(s->err_rd, F_SETFL, O_NONBLOCK);
    s->out_ev = event_new(s->base, s->out_rd, EV_READ | EV_PERSIST, on_output, s);
    s->err_ev = event_new(s->base, s->err_rd, EV_READ | EV_PERSIST, on_output, s);
    return wasmldr_job_set_output(s->job, s->out_wr, s->err_wr) && s->out_ev != NULL &&
           s->err_ev != NULL && event_add(s->out_ev, NULL) == 0 && event_add(s->err_ev, NULL) == 0;
}

static bool start_worker(server *s)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_wake; /* no SA_RESTART: the blocked call returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    if (!capture_output(s))
        return false;
    if (s->cfg->limits.time_s > 0) {
        struct timeval tv = {(time_t)s->cfg->limits.time_s, 0};
        evtimer_add(s->limit_ev, &tv);
    }
    s->worker_started = pthread_create(&s->worker, NULL, worker_main, s) == 0;
    return s->worker_started;
}

/* ---- the request ---- */

static bool is_cbor(struct evhttp_request *req)
{
    const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
    if (ct == NULL)
        return false;
    size_t n = strcspn(ct, "; \t");
    return n == 16 && strncasecmp(ct, "application/cbor", 16) == 0;
}

/* Decodes the body and makes the job; false after answering a plain error response. */
static bool take_workload(server *s, struct evhttp_request *req)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    if (len > s->cfg->limits.max_body) {
        send_error(req, 413, "too_large", "the workload is larger than this keep accepts");
        return false;
    }
    uint8_t *body = malloc(len == 0 ? 1 : len);
    if (body == NULL) {
        send_error(req, 413, "too_large", "out of memory for the workload");
        return false;
    }
    evbuffer_remove(in, body, len);
    burh_workload w;
    burh_proto_diag diag;
    burh_proto_err perr = burh_proto_decode_workload((burh_cbor_bytes){body, len}, &w, &diag);
    if (perr != BURH_PROTO_OK) {
        char msg[BURH_PROTO_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "workload: %s: %s", burh_proto_errstr(perr), diag.message);
        send_error(req, perr == BURH_PROTO_ERR_NOMEM ? 413 : 400,
                   perr == BURH_PROTO_ERR_NOMEM ? "too_large" : "bad_request", msg);
        OPENSSL_cleanse(body, len);
        free(body);
        return false;
    }
    s->job = wasmldr_job_new(&w, body, len, &s->cfg->limits, &s->outcome);
    return true;
}

static void begin_response(server *s)
{
    /* The request is in: from now on a quiet program is no idle client. Only a client that
     * stops reading (output pending for the timeout) is cut off, which stops the guest. */
    struct timeval write_timeout = {(time_t)s->cfg->limits.read_timeout_s, 0};
    if (s->bev != NULL)
        bufferevent_set_timeouts(s->bev, NULL, &write_timeout);
    evhttp_add_header(evhttp_request_get_output_headers(s->req), "Content-Type",
                      "application/cbor-seq");
    evhttp_send_reply_start(s->req, 200, "OK");
    if (s->job == NULL) { /* a bad module: the error frame says why */
        finish(s);
        return;
    }
    if (!start_worker(s)) {
        wasmldr_job_free(s->job);
        s->job = NULL;
        s->outcome = (wasmldr_outcome){.kind = BURH_FRAME_ERROR, .code = "internal"};
        snprintf(s->outcome.text, sizeof s->outcome.text, "cannot start the workload: %s",
                 strerror(errno));
        finish(s);
    }
}

static void on_request(struct evhttp_request *req, void *arg)
{
    server *s = arg;
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    if (path == NULL || strcmp(path, "/v1/workload") != 0)
        return send_error(req, 404, "not_found", "the keep serves only POST /v1/workload");
    if (evhttp_request_get_command(req) != EVHTTP_REQ_POST)
        return send_error(req, 405, "method_not_allowed", "use POST");
    if (s->state != SRV_IDLE)
        return send_error(req, 409, "busy", "this keep has taken its one workload already");
    if (!is_cbor(req))
        return send_error(req, 415, "unsupported_media", "the body must be application/cbor");
    if (!take_workload(s, req))
        return;
    s->state = SRV_RUNNING;
    s->req = req;
    s->bev = evhttp_connection_get_bufferevent(evhttp_request_get_connection(req));
    send_status(s, &(burh_keep_status){.event = BURH_STATUS_RUNNING});
    evhttp_connection_set_closecb(evhttp_request_get_connection(req), on_client_gone, s);
    begin_response(s);
}

/* ---- set-up ---- */

static struct bufferevent *make_tls_bev(struct event_base *base, void *arg)
{
    server *s = arg;
    SSL *ssl = SSL_new(s->tls);
    if (ssl == NULL)
        return NULL;
    struct bufferevent *bev = bufferevent_openssl_socket_new(
        base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL)
        return NULL;
    bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    http_guard_attach(bev, s->cfg->limits.max_body);
    if (s->cfg->record_fd >= 0)
        evbuffer_add_cb(bufferevent_get_input(bev), count_received, s);
    return bev;
}

/* Binds ADDR:PORT (IPv4 or [IPv6]); returns the bound port, 0 on failure. */
static uint16_t bind_listener(server *s, char *msg, size_t cap)
{
    char host[128];
    const char *colon = strrchr(s->cfg->listen, ':');
    size_t hl = colon != NULL ? (size_t)(colon - s->cfg->listen) : 0;
    char *end = NULL;
    long port = colon != NULL ? strtol(colon + 1, &end, 10) : -1;
    if (colon == NULL || hl == 0 || hl >= sizeof host || *end != '\0' || port < 0 || port > 65535) {
        snprintf(msg, cap, "--listen needs ADDR:PORT, not '%s'", s->cfg->listen);
        return 0;
    }
    const char *h = s->cfg->listen;
    if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    struct evhttp_bound_socket *bound =
        evhttp_bind_socket_with_handle(s->http, host, (uint16_t)port);
    if (bound == NULL) {
        snprintf(msg, cap, "cannot listen on %s: %s", s->cfg->listen, strerror(errno));
        return 0;
    }
    /* Frames are small writes: without TCP_NODELAY (inherited by accepted sockets) Nagle's
     * algorithm holds each one until the client's delayed ACK, 40 ms per round. */
    int one = 1;
    setsockopt(evhttp_bound_socket_get_fd(bound), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&ss, &len) != 0)
        return 0;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void on_terminate(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    server *s = arg;
    logf_(s, "terminated by a signal", "");
    note_end(s, "terminated by a signal", "");
    event_base_loopbreak(s->base);
}

static bool make_events(server *s)
{
    int notify[2];
    if (pipe2(notify, O_CLOEXEC) != 0)
        return false;
    s->notify_rd = notify[0];
    s->notify_wr = notify[1];
    s->notify_ev = event_new(s->base, s->notify_rd, EV_READ | EV_PERSIST, on_worker_done, s);
    s->limit_ev = evtimer_new(s->base, on_time_limit, s);
    s->resume_ev = evtimer_new(s->base, on_resume, s);
    s->term_ev = evsignal_new(s->base, SIGTERM, on_terminate, s);
    s->drain_ev = evtimer_new(s->base, on_drained, s);
    return s->notify_ev != NULL && s->limit_ev != NULL && s->resume_ev != NULL &&
           s->term_ev != NULL && s->drain_ev != NULL && event_add(s->notify_ev, NULL) == 0 &&
           event_add(s->term_ev, NULL) == 0;
}

static bool setup(server *s, const wasmldr_identity *id, char *msg, size_t cap)
{
    burh_attest_error aerr;
    if (burh_ratls_server_ctx_new(id->key, id->cert, &s->tls, &aerr) != BURH_ATTEST_OK) {
        snprintf(msg, cap, "TLS: %s", aerr.message);
        return false;
    }
    /* No session tickets or cache: every connection is attested afresh (a resumed session
     * would skip the certificate, and with it the client's check of the evidence). */
    SSL_CTX_set_num_tickets(s->tls, 0);
    SSL_CTX_set_session_cache_mode(s->tls, SSL_SESS_CACHE_OFF);
    s->base = event_base_new();
    s->http = s->base != NULL ? evhttp_new(s->base) : NULL;
    if (s->http == NULL || !make_events(s)) {
        snprintf(msg, cap, "cannot set up the event loop");
        return false;
    }
    evhttp_set_bevcb(s->http, make_tls_bev, s);
    evhttp_set_gencb(s->http, on_request, s);
    evhttp_set_max_body_size(s->http, (ev_ssize_t)s->cfg->limits.max_body);
    evhttp_set_max_headers_size(s->http, 16384);
    evhttp_set_timeout(s->http, (int)s->cfg->limits.read_timeout_s);
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                            EVHTTP_REQ_DELETE | EVHTTP_REQ_HEAD);
    uint16_t port = bind_listener(s, msg, cap);
    if (port == 0)
        return false;
    send_status(s, &(burh_keep_status){.event = BURH_STATUS_READY, .port = port});
    char p[8];
    snprintf(p, sizeof p, "%u", port);
    log_info(s, "listening on port", p);
    return true;
}

static void teardown(server *s)
{
    struct event *evs[] = {s->out_ev,    s->err_ev,  s->notify_ev, s->limit_ev,
                           s->resume_ev, s->term_ev, s->drain_ev};
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
        if (evs[i] != NULL) /* libevent's event_free does not take NULL */
            event_free(evs[i]);
    if (s->http != NULL)
        evhttp_free(s->http);
    if (s->base != NULL)
        event_base_free(s->base);
    SSL_CTX_free(s->tls);
    int fds[] = {s->out_rd, s->out_wr, s->err_rd, s->err_wr, s->notify_rd, s->notify_wr};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* The last status record: our exit status and why, so the keep's owner learns the cause. */
static void send_exit_record(server *s)
{
    burh_keep_status st = {.event = BURH_STATUS_EXIT, .status = s->exit_status};
    snprintf(st.reason, sizeof st.reason, "%s", s->end_reason);
    send_status(s, &st);
}

int wasmldr_serve(const wasmldr_server_config *cfg, const wasmldr_identity *id)
{
    server s;
    memset(&s, 0, sizeof s);
    s.cfg = cfg;
    s.exit_status = EXIT_NO_WORKLOAD;
    s.out_rd = s.out_wr = s.err_rd = s.err_wr = s.notify_rd = s.notify_wr = -1;
    signal(SIGPIPE, SIG_IGN);
    char msg[300] = "";
    if (!setup(&s, id, msg, sizeof msg)) {
        logf_(&s, "setup failed", msg);
        note_end(&s, "setup failed", msg);
        send_exit_record(&s);
        teardown(&s);
        return EXIT_NO_WORKLOAD;
    }
    event_base_dispatch(s.base);
    if (s.worker_started) {
        /* Stopped by a signal mid-run: end the guest before its memory goes away. */
        wasmldr_job_cancel(s.job);
        pthread_kill(s.worker, SIGUSR1);
        pthread_join(s.worker, NULL);
    }
    wasmldr_job_free(s.job);
    note_end(&s, "ended without a workload", "");
    send_exit_record(&s);
    teardown(&s);
    return s.exit_status;
}
