/* proto_status.c: status records on the keep's status pipe, and the protocol's error names. */
#include <string.h>

#include "proto/proto_internal.h"

const char *burh_proto_errstr(burh_proto_err err)
{
    switch (err) {
    case BURH_PROTO_OK:
        return "ok";
    case BURH_PROTO_ERR_CBOR:
        return "not strict, well-formed CBOR";
    case BURH_PROTO_ERR_VERSION:
        return "missing or unsupported version";
    case BURH_PROTO_ERR_MISSING:
        return "a required key is missing";
    case BURH_PROTO_ERR_UNKNOWN_KEY:
        return "unknown key";
    case BURH_PROTO_ERR_TYPE:
        return "value of the wrong type";
    case BURH_PROTO_ERR_RANGE:
        return "value outside its limits";
    case BURH_PROTO_ERR_INCOMPLETE:
        return "incomplete item";
    case BURH_PROTO_ERR_BUFFER:
        return "output buffer too small";
    case BURH_PROTO_ERR_NOMEM:
        return "out of memory";
    case BURH_PROTO_ERR_ARGS:
        return "invalid message given to the encoder";
    }
    return "unknown error";
}

static const char *const event_names[] = {"ready", "running", "exit"};
static const char *const status_keys[] = {"v", "event", "port", "status", "reason"};

/* Keys each event must have (bit i = status_keys[i]); no other key is allowed. */
static const uint32_t event_keys[] = {0x7, 0x3, 0x1b};

burh_proto_err burh_proto_encode_status(const burh_keep_status *m, uint8_t *buf, size_t cap,
                                        size_t *len)
{
    if ((unsigned)m->event > BURH_STATUS_EXIT || (m->event == BURH_STATUS_READY && m->port == 0) ||
        strnlen(m->reason, sizeof(m->reason)) == sizeof(m->reason))
        return BURH_PROTO_ERR_ARGS;
    burh_cbor_encoder e;
    burh_cbor_encoder_init(&e, buf, cap);
    burh_cbor_enc_map_begin(&e);
    enc_version(&e);
    enc_ctext(&e, "event", event_names[m->event]);
    if (m->event == BURH_STATUS_READY) {
        enc_key(&e, "port");
        burh_cbor_enc_uint(&e, m->port);
    } else if (m->event == BURH_STATUS_EXIT) {
        enc_key(&e, "status");
        burh_cbor_enc_int(&e, m->status);
        enc_ctext(&e, "reason", m->reason);
    }
    burh_cbor_enc_map_end(&e);
    return enc_finish(&e, len);
}

static void rd_event(proto_reader *r, burh_keep_status *out)
{
    burh_cbor_bytes t = rd_text(r, "event", 1, 16);
    for (unsigned i = 0; i < 3 && r->err == BURH_PROTO_OK; i++) {
        if (t.len == strlen(event_names[i]) && memcmp(t.ptr, event_names[i], t.len) == 0) {
            out->event = (burh_status_event)i;
            return;
        }
    }
    rd_fail(r, BURH_PROTO_ERR_RANGE, "event", "unknown event");
}

burh_proto_err burh_proto_decode_status(burh_cbor_bytes in, burh_keep_status *out, size_t *used,
                                        burh_proto_diag *diag)
{
    proto_reader r;
    uint32_t seen = 0;
    memset(out, 0, sizeof(*out));
    burh_proto_err err = rd_stream_begin(&r, in, used, diag);
    if (err != BURH_PROTO_OK)
        return err;
    if (*used > BURH_PROTO_STATUS_MAX)
        rd_fail(&r, BURH_PROTO_ERR_RANGE, "status", "record over 512 bytes");
    uint64_t n = rd_map(&r, "status", 4);
    for (uint64_t i = 0; i < n && r.err == BURH_PROTO_OK; i++) {
        switch (rd_key(&r, status_keys, 5, &seen)) {
        case 0:
            rd_version(&r);
            break;
        case 1:
            rd_event(&r, out);
            break;
        case 2:
            out->port = (uint16_t)rd_uint(&r, "port", 1, 65535);
            break;
        case 3:
            out->status = rd_int(&r, "status");
            break;
        case 4:
            rd_text_copy(&r, "reason", out->reason, sizeof(out->reason), 0);
            break;
        }
    }
    rd_require(&r, seen, 3, status_keys, 5);
    if (r.err == BURH_PROTO_OK && seen != event_keys[out->event])
        rd_fail(&r,
                seen & ~event_keys[out->event] ? BURH_PROTO_ERR_UNKNOWN_KEY
                                               : BURH_PROTO_ERR_MISSING,
                event_names[out->event], "keys do not match the event");
    return rd_stream_end(&r, used);
}
