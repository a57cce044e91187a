/* proto_read.c: the strict field reader and encoder helpers shared by every src/proto message. */
#include <stdio.h>
#include <string.h>

#include "proto/proto_internal.h"

void rd_init(proto_reader *r, burh_cbor_bytes in, burh_proto_diag *diag)
{
    burh_cbor_decoder_init(&r->d, in, BURH_CBOR_STRICT);
    burh_cbor_decoder_set_max_depth(&r->d, 8);
    r->err = BURH_PROTO_OK;
    r->diag = diag;
    if (diag)
        diag->message[0] = '\0';
}

bool rd_fail(proto_reader *r, burh_proto_err err, const char *field, const char *why)
{
    if (r->err != BURH_PROTO_OK)
        return false;
    r->err = err;
    if (r->diag)
        snprintf(r->diag->message, sizeof(r->diag->message), "%s: %s", field, why);
    return false;
}

/* The next item, which must be of type `want`. */
static bool rd_item(proto_reader *r, const char *field, burh_cbor_type want, burh_cbor_item *it)
{
    if (r->err != BURH_PROTO_OK)
        return false;
    burh_cbor_err ce = burh_cbor_next(&r->d, it);
    if (ce == BURH_CBOR_END)
        return rd_fail(r, BURH_PROTO_ERR_CBOR, field, "no item");
    if (ce != BURH_CBOR_OK)
        return rd_fail(r, BURH_PROTO_ERR_CBOR, field, burh_cbor_errstr(ce));
    if (it->type == BURH_CBOR_TAG)
        return rd_fail(r, BURH_PROTO_ERR_TYPE, field, "tags are not allowed");
    bool ok = it->type == want || (want == BURH_CBOR_FALSE && it->type == BURH_CBOR_TRUE) ||
              (want == BURH_CBOR_UINT && it->type == BURH_CBOR_NEGINT);
    if (!ok)
        return rd_fail(r, BURH_PROTO_ERR_TYPE, field, "wrong type");
    return true;
}

burh_proto_err rd_finish(proto_reader *r)
{
    if (r->err != BURH_PROTO_OK)
        return r->err;
    burh_cbor_err ce = burh_cbor_decoder_finish(&r->d);
    if (ce != BURH_CBOR_OK)
        rd_fail(r, BURH_PROTO_ERR_CBOR, "message", burh_cbor_errstr(ce));
    return r->err;
}

uint64_t rd_uint(proto_reader *r, const char *field, uint64_t min, uint64_t max)
{
    burh_cbor_item it;
    if (!rd_item(r, field, BURH_CBOR_UINT, &it))
        return 0;
    if (it.type != BURH_CBOR_UINT || it.u < min || it.u > max)
        return rd_fail(r, BURH_PROTO_ERR_RANGE, field, "out of range"), 0;
    return it.u;
}

int64_t rd_int(proto_reader *r, const char *field)
{
    burh_cbor_item it;
    if (!rd_item(r, field, BURH_CBOR_UINT, &it))
        return 0;
    if (it.u > (uint64_t)INT64_MAX)
        return rd_fail(r, BURH_PROTO_ERR_RANGE, field, "out of range"), 0;
    return it.type == BURH_CBOR_UINT ? (int64_t)it.u : -1 - (int64_t)it.u;
}

bool rd_bool(proto_reader *r, const char *field)
{
    burh_cbor_item it;
    if (!rd_item(r, field, BURH_CBOR_FALSE, &it))
        return false;
    return it.type == BURH_CBOR_TRUE;
}

static burh_cbor_bytes rd_string(proto_reader *r, const char *field, burh_cbor_type type,
                                 size_t min, size_t max)
{
    burh_cbor_item it;
    burh_cbor_bytes none = {NULL, 0};
    if (!rd_item(r, field, type, &it))
        return none;
    if (it.str.len < min || it.str.len > max)
        return rd_fail(r, BURH_PROTO_ERR_RANGE, field, "length out of range"), none;
    return it.str;
}

burh_cbor_bytes rd_text(proto_reader *r, const char *field, size_t min, size_t max)
{
    return rd_string(r, field, BURH_CBOR_TEXT, min, max);
}

burh_cbor_bytes rd_bytes(proto_reader *r, const char *field, size_t min, size_t max)
{
    return rd_string(r, field, BURH_CBOR_BYTES, min, max);
}

void rd_text_copy(proto_reader *r, const char *field, char *out, size_t cap, size_t min)
{
    burh_cbor_bytes t = rd_text(r, field, min, cap - 1);
    if (r->err != BURH_PROTO_OK)
        return;
    if (memchr(t.ptr, '\0', t.len)) {
        rd_fail(r, BURH_PROTO_ERR_RANGE, field, "contains NUL");
        return;
    }
    memcpy(out, t.ptr, t.len);
    out[t.len] = '\0';
}

static uint64_t rd_container(proto_reader *r, const char *field, burh_cbor_type type, uint64_t max)
{
    burh_cbor_item it;
    if (!rd_item(r, field, type, &it))
        return 0;
    if (it.u > max)
        return rd_fail(r, BURH_PROTO_ERR_RANGE, field, "too many entries"), 0;
    return it.u;
}

uint64_t rd_array(proto_reader *r, const char *field, uint64_t max)
{
    return rd_container(r, field, BURH_CBOR_ARRAY, max);
}

uint64_t rd_map(proto_reader *r, const char *field, uint64_t max)
{
    return rd_container(r, field, BURH_CBOR_MAP, max);
}

int rd_key(proto_reader *r, const char *const *names, int n, uint32_t *seen)
{
    burh_cbor_bytes k = rd_text(r, "key", 1, 64);
    if (r->err != BURH_PROTO_OK)
        return -1;
    for (int i = 0; i < n; i++) {
        if (strlen(names[i]) == k.len && memcmp(names[i], k.ptr, k.len) == 0) {
            if (*seen & (1u << i))
                return rd_fail(r, BURH_PROTO_ERR_CBOR, names[i], "duplicate key"), -1;
            *seen |= 1u << i;
            return i;
        }
    }
    return rd_fail(r, BURH_PROTO_ERR_UNKNOWN_KEY, "key", "not part of this message"), -1;
}

void rd_require(proto_reader *r, uint32_t seen, uint32_t required, const char *const *names, int n)
{
    for (int i = 0; i < n && r->err == BURH_PROTO_OK; i++) {
        if ((required & (1u << i)) && !(seen & (1u << i)))
            rd_fail(r,
                    i == 0 && strcmp(names[0], "v") == 0 ? BURH_PROTO_ERR_VERSION
                                                         : BURH_PROTO_ERR_MISSING,
                    names[i], "required key missing");
    }
}

void rd_version(proto_reader *r)
{
    burh_cbor_item it;
    if (rd_item(r, "v", BURH_CBOR_UINT, &it) && (it.type != BURH_CBOR_UINT || it.u != 1))
        rd_fail(r, BURH_PROTO_ERR_VERSION, "v", "unsupported version");
}

static burh_proto_err rd_first_item(burh_cbor_bytes in, burh_cbor_bytes *item,
                                    burh_proto_diag *diag)
{
    burh_cbor_decoder d;
    burh_cbor_decoder_init(&d, in, BURH_CBOR_SEQUENCE);
    burh_cbor_err ce = burh_cbor_next_raw(&d, item);
    if (ce == BURH_CBOR_OK)
        return BURH_PROTO_OK;
    if (ce == BURH_CBOR_END || ce == BURH_CBOR_ERR_TRUNCATED || ce == BURH_CBOR_ERR_TOO_LONG)
        return BURH_PROTO_ERR_INCOMPLETE;
    proto_reader r;
    rd_init(&r, in, diag);
    rd_fail(&r, BURH_PROTO_ERR_CBOR, "item", burh_cbor_errstr(ce));
    return r.err;
}

burh_proto_err rd_stream_begin(proto_reader *r, burh_cbor_bytes in, size_t *item_len,
                               burh_proto_diag *diag)
{
    burh_cbor_bytes item;
    burh_proto_err err = rd_first_item(in, &item, diag);
    if (err != BURH_PROTO_OK) {
        *item_len = 0;
        return err;
    }
    rd_init(r, item, diag);
    *item_len = item.len;
    return BURH_PROTO_OK;
}

burh_proto_err rd_stream_end(proto_reader *r, size_t *used)
{
    burh_proto_err err = rd_finish(r);
    if (err != BURH_PROTO_OK)
        *used = 0;
    return err;
}

burh_proto_err enc_finish(burh_cbor_encoder *e, size_t *len)
{
    size_t n = 0;
    burh_cbor_err ce = burh_cbor_encoder_finish(e, &n);
    if (len)
        *len = n;
    if (ce == BURH_CBOR_OK)
        return BURH_PROTO_OK;
    return ce == BURH_CBOR_ERR_BUFFER_TOO_SMALL ? BURH_PROTO_ERR_BUFFER : BURH_PROTO_ERR_ARGS;
}

void enc_key(burh_cbor_encoder *e, const char *key)
{
    burh_cbor_enc_text(e, BURH_CBOR_BYTES(key, strlen(key)));
}

void enc_ctext(burh_cbor_encoder *e, const char *key, const char *value)
{
    enc_key(e, key);
    burh_cbor_enc_text(e, BURH_CBOR_BYTES(value, strlen(value)));
}

void enc_version(burh_cbor_encoder *e)
{
    enc_key(e, "v");
    burh_cbor_enc_uint(e, BURH_PROTO_VERSION);
}
