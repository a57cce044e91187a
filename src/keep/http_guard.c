/* http_guard.c: answers an oversized Content-Length with a CBOR 413 before evhttp reads the body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "burh/keep_proto.h"
#include "keep/http_guard.h"

static const char cl_name[] = "content-length:";
#define CL_NAME_LEN (sizeof cl_name - 1)

/* ---- the parser ---- */

void http_head_scan_init(http_head_scan *s, size_t max_body)
{
    memset(s, 0, sizeof *s);
    s->max_body = max_body;
}

/* A line ended: the request line, a header line, or the blank line that ends the head. */
static int end_line(http_head_scan *s)
{
    bool blank = s->line_len == 0;
    if ((s->phase == HTTP_SCAN_VALUE || s->phase == HTTP_SCAN_VALUE_END) && s->has_digits &&
        s->value > s->max_body)
        s->too_large = true;
    s->phase = HTTP_SCAN_NAME;
    s->matched = s->line_len = s->value = 0;
    s->has_digits = false;
    if (!s->request_line_seen) {
        s->request_line_seen = !blank; /* blank lines before a request line are skipped */
        return 0;
    }
    if (!blank)
        return 0;
    return s->too_large ? 1 : -1;
}

static void scan_byte(http_head_scan *s, char c)
{
    bool blank = c == ' ' || c == '\t';
    switch (s->phase) {
    case HTTP_SCAN_NAME: {
        char lower = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        if (lower != cl_name[s->matched])
            s->phase = HTTP_SCAN_SKIP;
        else if (++s->matched == CL_NAME_LEN)
            s->phase = HTTP_SCAN_VALUE;
        break;
    }
    case HTTP_SCAN_VALUE:
        if (c >= '0' && c <= '9') {
            s->has_digits = true;
            if (s->value <= s->max_body) /* saturates: never overflows */
                s->value = s->value * 10 + (size_t)(c - '0');
        } else if (blank && s->has_digits) {
            s->phase = HTTP_SCAN_VALUE_END;
        } else if (!blank) {
            s->phase = HTTP_SCAN_SKIP; /* not a number: evhttp refuses it as it sees fit */
        }
        break;
    case HTTP_SCAN_VALUE_END:
        if (!blank)
            s->phase = HTTP_SCAN_SKIP;
        break;
    case HTTP_SCAN_SKIP:
        break;
    }
}

int http_head_scan_feed(http_head_scan *s, const char *data, size_t len, size_t *used)
{
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (c == '\n') {
            int r = end_line(s);
            if (r != 0) {
                *used = i + 1;
                return r;
            }
        } else if (c != '\r') {
            s->line_len++;
            if (s->request_line_seen)
                scan_byte(s, c);
        }
    }
    *used = len;
    return 0;
}

/* ---- the guard on a connection ---- */

typedef struct http_guard {
    http_head_scan scan;
    struct bufferevent *bev;
    struct evhttp_connection *conn;
    bool refused; /* the 413 is queued: swallow all input, close once it is out */
    bool shut;    /* our side is half-closed */
} http_guard;

static size_t guard_max_body;

static void on_input(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg);
static void on_output(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg);

static void guard_free(http_guard *g)
{
    evbuffer_remove_cb(bufferevent_get_input(g->bev), on_input, g);
    evbuffer_remove_cb(bufferevent_get_output(g->bev), on_output, g);
    evhttp_connection_set_closecb(g->conn, NULL, NULL);
    free(g);
}

static void on_close(struct evhttp_connection *conn, void *arg)
{
    (void)conn;
    guard_free(arg);
}

static void on_output(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    (void)info;
    http_guard *g = arg;
    if (g->refused && !g->shut && evbuffer_get_length(buf) == 0) {
        g->shut = true; /* the client reads the answer, then sees the end */
        shutdown(bufferevent_getfd(g->bev), SHUT_WR);
    }
}

/* Queues the 413 answer and takes the connection away from evhttp's parser. */
static void refuse(http_guard *g, struct evbuffer *in)
{
    burh_proto_error e = {.code = "too_large"};
    snprintf(e.message, sizeof e.message, "the request body is over %zu bytes", g->scan.max_body);
    uint8_t body[BURH_PROTO_MESSAGE_MAX + 128];
    size_t len = 0;
    char head[200];
    if (burh_proto_encode_error(&e, body, sizeof body, &len) != BURH_PROTO_OK)
        len = 0;
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/cbor\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     len);
    g->refused = true;
    evbuffer_drain(in, evbuffer_get_length(in));
    evbuffer_add_cb(bufferevent_get_output(g->bev), on_output, g);
    bufferevent_write(g->bev, head, (size_t)n);
    bufferevent_write(g->bev, body, len);
    bufferevent_enable(g->bev, EV_WRITE);
}

static void on_input(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    http_guard *g = arg;
    if (info->n_added == 0)
        return;
    if (g->refused) {
        evbuffer_drain(buf, evbuffer_get_length(buf));
        return;
    }
    struct evbuffer_ptr pos;
    if (evbuffer_ptr_set(buf, &pos, evbuffer_get_length(buf) - info->n_added, EVBUFFER_PTR_SET) !=
        0)
        return;
    char chunk[512];
    for (size_t left = info->n_added; left > 0;) {
        size_t want = left < sizeof chunk ? left : sizeof chunk, used = 0;
        ev_ssize_t got = evbuffer_copyout_from(buf, &pos, chunk, want);
        if (got <= 0)
            return;
        int r = http_head_scan_feed(&g->scan, chunk, (size_t)got, &used);
        if (r > 0)
            return refuse(g, buf);
        if (r < 0)
            return guard_free(g); /* a head within the limit: evhttp takes it from here */
        left -= (size_t)got;
        evbuffer_ptr_set(buf, &pos, (size_t)got, EVBUFFER_PTR_ADD);
    }
}

/* The connection's first bytes: evhttp has set it up by now, so its close callback can carry
 * the guard's end. Registered with the bufferevent as its argument; nothing allocated yet. */
static void on_first_input(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    struct bufferevent *bev = arg;
    if (info->n_added == 0)
        return;
    evbuffer_remove_cb(buf, on_first_input, bev);
    void *cbarg = NULL;
    bufferevent_getcb(bev, NULL, NULL, NULL, &cbarg);
    http_guard *g = cbarg != NULL ? calloc(1, sizeof *g) : NULL;
    if (g == NULL)
        return; /* unguarded: evhttp's own limit still refuses the body unread */
    http_head_scan_init(&g->scan, guard_max_body);
    g->bev = bev;
    g->conn = cbarg; /* evhttp's bufferevent callbacks carry its connection */
    evhttp_connection_set_closecb(g->conn, on_close, g);
    evbuffer_add_cb(buf, on_input, g);
    on_input(buf, info, g);
}

void http_guard_attach(struct bufferevent *bev, size_t max_body)
{
    guard_max_body = max_body;
    evbuffer_add_cb(bufferevent_get_input(bev), on_first_input, bev);
}
