/* http_guard.h: a CBOR 413 for an oversized Content-Length, sent before evhttp reads the body. */
#ifndef BURH_KEEP_HTTP_GUARD_H
#define BURH_KEEP_HTTP_GUARD_H

#include <stdbool.h>
#include <stddef.h>

struct bufferevent;

/*
 * libevent 2.1's evhttp refuses a body over evhttp_set_max_body_size with its own HTML 413 and
 * has no hook to answer otherwise. The guard watches a connection's (decrypted) input as it
 * arrives, in an evbuffer callback that runs before evhttp parses it: when the head of the
 * connection's first request declares a Content-Length over the limit, the guard answers 413
 * with a CBOR `error` body (code too_large), swallows whatever the client sends after that and
 * half-closes the connection once the answer is out. evhttp never sees that request.
 *
 * Scope: the first request of a connection (burh's clients send one per connection). Later
 * requests on a kept-alive connection, and chunked bodies, meet evhttp's own limit, which the
 * caller sets to the same value: also refused unread, with evhttp's plain 413.
 *
 * Call http_guard_attach from the evhttp_set_bevcb callback, on the bufferevent it returns to
 * evhttp. Nothing is allocated until the connection's first bytes arrive; from then until the
 * end of the first request's head the guard owns the connection's close callback (so it is
 * freed with the connection), then frees itself. One limit per process: the last one given.
 */
void http_guard_attach(struct bufferevent *bev, size_t max_body);

/* The guard's parser, exposed for tests and the fuzzer: it scans request-head bytes as they
 * come, byte by byte, keeping no copy of them. */
typedef enum {
    HTTP_SCAN_NAME = 0,  /* matching the line against "content-length:" */
    HTTP_SCAN_VALUE,     /* in a Content-Length value */
    HTTP_SCAN_VALUE_END, /* blanks after its digits */
    HTTP_SCAN_SKIP,      /* the rest of a line that does not matter */
} http_scan_phase;

typedef struct http_head_scan {
    size_t max_body;
    http_scan_phase phase;
    size_t matched;  /* NAME: bytes of "content-length:" matched */
    size_t line_len; /* bytes of the current line, CRs not counted */
    size_t value;    /* the value so far, saturated just above max_body */
    bool has_digits; /* VALUE: a digit was seen */
    bool request_line_seen;
    bool too_large; /* a Content-Length of this head is over max_body */
} http_head_scan;

void http_head_scan_init(http_head_scan *s, size_t max_body);
/* Returns 1 once the head ended declaring a Content-Length over max_body, -1 once it ended
 * without one, 0 while it needs more bytes. *used: the bytes of data that were scanned. */
int http_head_scan_feed(http_head_scan *s, const char *data, size_t len, size_t *used);

#endif
