/* CBOR encoder: deterministic output into a caller buffer, or just the size (measure mode). */
#include <string.h>

#include "cbor/cbor_internal.h"

/* Raw items are limited so that, inside the encoder's own nesting, a map's entries can still
 * be re-read for sorting within BURH_CBOR_MAX_DEPTH. */
#define RAW_MAX_DEPTH (BURH_CBOR_MAX_DEPTH - BURH_CBOR_ENC_MAX_DEPTH)

void burh_cbor_encoder_init(burh_cbor_encoder *e, uint8_t *buf, size_t cap)
{
    e->buf = buf;
    e->cap = buf ? cap : 0;
    e->len = 0;
    e->err = BURH_CBOR_OK;
    e->depth = 0;
    e->tag_pending = false;
}

/* Still worth going on: no error, or only a full buffer (the size is still being counted). */
static bool live(const burh_cbor_encoder *e)
{
    return e->err == BURH_CBOR_OK || e->err == BURH_CBOR_ERR_BUFFER_TOO_SMALL;
}

static void fail(burh_cbor_encoder *e, burh_cbor_err err)
{
    if (e->err == BURH_CBOR_OK)
        e->err = err;
}

/* Whether bytes go to the buffer (not measuring, nothing failed). */
static bool writing(const burh_cbor_encoder *e)
{
    return e->buf != NULL && e->err == BURH_CBOR_OK;
}

static void put(burh_cbor_encoder *e, const void *p, size_t n)
{
    if (!live(e))
        return;
    if (n > SIZE_MAX - e->len) {
        e->err = BURH_CBOR_ERR_BUFFER_TOO_SMALL;
        return;
    }
    if (writing(e)) {
        if (n > e->cap - e->len)
            e->err = BURH_CBOR_ERR_BUFFER_TOO_SMALL;
        else if (n > 0)
            memcpy(e->buf + e->len, p, n);
    }
    e->len += n;
}

/* Counts a new item in its container; a tag's content is part of the tag's item. */
static bool begin_item(burh_cbor_encoder *e)
{
    if (!live(e))
        return false;
    if (e->tag_pending)
        e->tag_pending = false;
    else if (e->depth > 0)
        e->frames[e->depth - 1].count++;
    return true;
}

static void put_head(burh_cbor_encoder *e, unsigned major, uint64_t arg)
{
    uint8_t head[CBOR_HEAD_MAX];

    put(e, head, cbor_head_encode(head, major, arg));
}

void burh_cbor_enc_uint(burh_cbor_encoder *e, uint64_t v)
{
    if (begin_item(e))
        put_head(e, CBOR_MAJOR_UINT, v);
}

void burh_cbor_enc_negint(burh_cbor_encoder *e, uint64_t n)
{
    if (begin_item(e))
        put_head(e, CBOR_MAJOR_NEGINT, n);
}

void burh_cbor_enc_int(burh_cbor_encoder *e, int64_t v)
{
    if (v >= 0)
        burh_cbor_enc_uint(e, (uint64_t)v);
    else
        burh_cbor_enc_negint(e, (uint64_t)(-(v + 1))); /* -1 - v without overflow */
}

/* A range with a length must point somewhere. */
static bool range_ok(burh_cbor_encoder *e, burh_cbor_bytes b)
{
    if (b.ptr == NULL && b.len > 0) {
        fail(e, BURH_CBOR_ERR_ARGS);
        return false;
    }
    return true;
}

void burh_cbor_enc_bytes(burh_cbor_encoder *e, burh_cbor_bytes b)
{
    if (!range_ok(e, b) || !begin_item(e))
        return;
    put_head(e, CBOR_MAJOR_BYTES, b.len);
    put(e, b.ptr, b.len);
}

void burh_cbor_enc_text(burh_cbor_encoder *e, burh_cbor_bytes t)
{
    if (!live(e) || !range_ok(e, t))
        return;
    if (t.len > 0 && !burh_cbor_utf8_valid(t.ptr, t.len)) {
        fail(e, BURH_CBOR_ERR_INVALID_UTF8);
        return;
    }
    begin_item(e);
    put_head(e, CBOR_MAJOR_TEXT, t.len);
    put(e, t.ptr, t.len);
}

void burh_cbor_enc_tag(burh_cbor_encoder *e, uint64_t tag)
{
    if (!begin_item(e))
        return;
    put_head(e, CBOR_MAJOR_TAG, tag);
    e->tag_pending = true;
}

void burh_cbor_enc_simple(burh_cbor_encoder *e, uint8_t v)
{
    if (v >= 24 && v < 32) {
        fail(e, BURH_CBOR_ERR_ARGS);
        return;
    }
    if (begin_item(e))
        put_head(e, CBOR_MAJOR_SIMPLE, v);
}

void burh_cbor_enc_bool(burh_cbor_encoder *e, bool v)
{
    burh_cbor_enc_simple(e, v ? 21 : 20);
}

void burh_cbor_enc_null(burh_cbor_encoder *e)
{
    burh_cbor_enc_simple(e, 22);
}

void burh_cbor_enc_undefined(burh_cbor_encoder *e)
{
    burh_cbor_enc_simple(e, 23);
}

/* Rewrites binary64 bits in a format with exp_bits/frac_bits that holds the value exactly. */
static uint64_t narrow_float(uint64_t bits, unsigned exp_bits, unsigned frac_bits)
{
    uint64_t sign = (bits >> 63) << (exp_bits + frac_bits);
    unsigned exp = (unsigned)(bits >> 52) & 0x7ff;
    uint64_t frac = bits & 0xfffffffffffffull;
    int bias = (1 << (exp_bits - 1)) - 1, emin = 1 - bias, e;

    if (exp == 0x7ff)
        return sign | ((1ull << exp_bits) - 1) << frac_bits | frac >> (52 - frac_bits);
    if (exp == 0)
        return sign; /* only zero gets here: binary64 subnormals stay binary64 */
    e = (int)exp - 1023;
    if (e >= emin)
        return sign | (uint64_t)(e + bias) << frac_bits | frac >> (52 - frac_bits);
    return sign | (frac | 1ull << 52) >> (52 - frac_bits + (unsigned)(emin - e));
}

void burh_cbor_enc_double_bits(burh_cbor_encoder *e, uint64_t bits)
{
    uint8_t out[9];
    unsigned size = burh_cbor_float_preferred_size(bits), i;
    uint64_t wire = bits;

    if (!begin_item(e))
        return;
    if (size == 2) {
        out[0] = 0xf9;
        wire = narrow_float(bits, 5, 10);
    } else if (size == 4) {
        out[0] = 0xfa;
        wire = narrow_float(bits, 8, 23);
    } else {
        out[0] = 0xfb;
    }
    for (i = 0; i < size; i++)
        out[1 + i] = (uint8_t)(wire >> (8 * (size - 1 - i)));
    put(e, out, 1 + size);
}

void burh_cbor_enc_double(burh_cbor_encoder *e, double v)
{
    uint64_t bits;

    memcpy(&bits, &v, sizeof bits);
    burh_cbor_enc_double_bits(e, bits);
}

void burh_cbor_enc_float(burh_cbor_encoder *e, float v)
{
    uint32_t bits;

    memcpy(&bits, &v, sizeof bits);
    burh_cbor_enc_double_bits(e, burh_cbor_single_to_double_bits(bits));
}

void burh_cbor_enc_raw(burh_cbor_encoder *e, burh_cbor_bytes item)
{
    burh_cbor_decoder d;
    burh_cbor_bytes one;

    if (!live(e) || !range_ok(e, item))
        return;
    burh_cbor_decoder_init(&d, item, 0);
    burh_cbor_decoder_set_max_depth(&d, RAW_MAX_DEPTH);
    if (item.len == 0 || burh_cbor_next_raw(&d, &one) != BURH_CBOR_OK || one.len != item.len) {
        fail(e, BURH_CBOR_ERR_ARGS);
        return;
    }
    begin_item(e);
    put(e, item.ptr, item.len);
}

static void container_begin(burh_cbor_encoder *e, bool is_map)
{
    burh_cbor_enc_frame *f;

    if (!begin_item(e))
        return;
    if (e->depth >= BURH_CBOR_ENC_MAX_DEPTH) {
        fail(e, BURH_CBOR_ERR_DEPTH);
        return;
    }
    f = &e->frames[e->depth++];
    f->start = e->len;
    f->count = 0;
    f->is_map = is_map;
}

void burh_cbor_enc_array_begin(burh_cbor_encoder *e)
{
    container_begin(e, false);
}

void burh_cbor_enc_map_begin(burh_cbor_encoder *e)
{
    container_begin(e, true);
}

static void reverse(uint8_t *p, size_t n)
{
    for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
        uint8_t t = p[i];
        p[i] = p[j - 1];
        p[j - 1] = t;
    }
}

/* Moves p[a..a+b) in front of p[0..a) with no scratch: three reversals. */
static void rotate(uint8_t *p, size_t a, size_t b)
{
    reverse(p, a);
    reverse(p + a, b);
    reverse(p, a + b);
}

/* Where, in the sorted entries buf[start..end), a key belongs; 0 past it, SIZE_MAX on a
 * duplicate or an unreadable entry (err says which). */
static size_t find_slot(const uint8_t *buf, size_t start, size_t end, const uint8_t *key,
                        size_t klen, burh_cbor_err *err)
{
    size_t s = start;

    while (s < end) {
        size_t slen = cbor_item_size(buf + s, end - s), vlen;
        int c;
        if (slen == 0 || (vlen = cbor_item_size(buf + s + slen, end - s - slen)) == 0) {
            *err = BURH_CBOR_ERR_ARGS;
            return SIZE_MAX;
        }
        c = cbor_key_cmp(buf + s, slen, key, klen);
        if (c == 0) {
            *err = BURH_CBOR_ERR_DUPLICATE_KEY;
            return SIZE_MAX;
        }
        if (c > 0)
            return s;
        s += slen + vlen;
    }
    return s;
}

/* Insertion sort of the entries of buf[start..end) by encoded key, in place. Entries that
 * arrive in order cost one comparison each. */
static burh_cbor_err sort_entries(uint8_t *buf, size_t start, size_t end)
{
    size_t p = start, last = start, last_klen = 0;
    burh_cbor_err err = BURH_CBOR_OK;

    while (p < end) {
        size_t klen = cbor_item_size(buf + p, end - p), vlen, s;
        if (klen == 0 || (vlen = cbor_item_size(buf + p + klen, end - p - klen)) == 0)
            return BURH_CBOR_ERR_ARGS;
        if (p == start || cbor_key_cmp(buf + last, last_klen, buf + p, klen) < 0) {
            last = p;
            last_klen = klen;
        } else {
            s = find_slot(buf, start, p, buf + p, klen, &err);
            if (s == SIZE_MAX)
                return err;
            rotate(buf + s, p - s, klen + vlen);
            last += klen + vlen; /* the largest entry moved up behind the new one */
        }
        p += klen + vlen;
    }
    return BURH_CBOR_OK;
}

static void container_end(burh_cbor_encoder *e, bool is_map)
{
    burh_cbor_enc_frame *f;
    uint8_t head[CBOR_HEAD_MAX];
    size_t hlen;

    if (!live(e))
        return;
    if (e->depth == 0 || e->frames[e->depth - 1].is_map != is_map || e->tag_pending) {
        fail(e, BURH_CBOR_ERR_UNBALANCED);
        return;
    }
    f = &e->frames[--e->depth];
    if (is_map && f->count % 2 != 0) {
        fail(e, BURH_CBOR_ERR_ODD_MAP);
        return;
    }
    if (is_map && writing(e)) {
        burh_cbor_err err = sort_entries(e->buf, f->start, e->len);
        if (err != BURH_CBOR_OK) {
            fail(e, err);
            return;
        }
    }
    hlen = cbor_head_encode(head, is_map ? CBOR_MAJOR_MAP : CBOR_MAJOR_ARRAY,
                            is_map ? f->count / 2 : f->count);
    if (writing(e) && hlen <= e->cap - e->len) {
        memmove(e->buf + f->start + hlen, e->buf + f->start, e->len - f->start);
        memcpy(e->buf + f->start, head, hlen);
        e->len += hlen;
    } else {
        put(e, head, hlen); /* measuring or out of room: only the size matters now */
    }
}

void burh_cbor_enc_array_end(burh_cbor_encoder *e)
{
    container_end(e, false);
}

void burh_cbor_enc_map_end(burh_cbor_encoder *e)
{
    container_end(e, true);
}

burh_cbor_err burh_cbor_encoder_finish(burh_cbor_encoder *e, size_t *out_len)
{
    if (e->depth > 0 || e->tag_pending)
        fail(e, BURH_CBOR_ERR_UNBALANCED);
    if (out_len)
        *out_len = e->len;
    return e->err;
}
