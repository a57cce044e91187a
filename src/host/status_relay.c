/* status_relay.c: checks a keep's status records and passes them on to keepmgr, in order. */
#include "host/status_relay.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void status_relay_init(struct status_relay *r, int to_mgr, const char *source,
                       void (*log)(const char *what, const char *detail))
{
    memset(r, 0, sizeof(*r));
    r->to_mgr = to_mgr;
    r->source = source;
    r->log = log;
}

void status_relay_send(int fd, const burh_keep_status *s)
{
    uint8_t rec[BURH_PROTO_STATUS_MAX];
    size_t len;
    if (burh_proto_encode_status(s, rec, sizeof(rec), &len) != BURH_PROTO_OK)
        return;
    /* One write per record: the pipe keeps it whole (len <= PIPE_BUF). */
    while (write(fd, rec, len) < 0 && errno == EINTR)
        ;
}

static void relay_fail(const struct status_relay *r, const char *what, const char *detail)
{
    char line[128];
    snprintf(line, sizeof(line), "%s from %s", what, r->source);
    r->log(line, detail);
}

bool status_relay_decode(struct status_relay *r)
{
    for (;;) {
        burh_keep_status s;
        size_t used;
        burh_proto_diag diag;
        burh_proto_err err =
            burh_proto_decode_status(BURH_CBOR_BYTES(r->buf, r->len), &s, &used, &diag);
        /* A full buffer that still holds no whole record can never become one. */
        if (err == BURH_PROTO_ERR_INCOMPLETE && r->len < sizeof(r->buf))
            return true;
        if (err != BURH_PROTO_OK) {
            relay_fail(r, "bad status record", diag.message);
            return false;
        }
        memmove(r->buf, r->buf + used, r->len - used);
        r->len -= used;
        /* The keep's exit reason is kept, not sent: keepldr sends the one exit record itself. */
        if (s.event == BURH_STATUS_EXIT) {
            snprintf(r->reason, sizeof(r->reason), "%s", s.reason);
        } else if ((s.event == BURH_STATUS_READY) == r->ready) {
            relay_fail(r, "status record out of order", NULL);
            return false;
        } else {
            r->ready = true;
            status_relay_send(r->to_mgr, &s);
        }
    }
}
