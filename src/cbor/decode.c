/* CBOR pull decoder: one item per call, iterative (no recursion), every length checked. */
#include <string.h>

#include "cbor/cbor_internal.h"

enum { BREAK_NONE, BREAK_TAKEN };

/* A head as read from the wire. */
typedef struct {
    unsigned major, ai;
    uint64_t arg;
    size_t size; /* bytes of the head */
    bool indefinite;
} cbor_head;

static burh_cbor_err fail(burh_cbor_decoder *d, burh_cbor_err err)
{
    if (d->err == BURH_CBOR_OK)
        d->err = err;
    return d->err;
}

void burh_cbor_decoder_init(burh_cbor_decoder *d, burh_cbor_bytes in, unsigned flags)
{
    d->in = in.ptr;
    d->len = in.ptr ? in.len : 0;
    d->pos = 0;
    d->flags = flags;
    d->max_depth = BURH_CBOR_DEFAULT_DEPTH;
    d->depth = 0;
    d->pending_tags = 0;
    d->top_items = 0;
    d->err = BURH_CBOR_OK;
    d->scratch = NULL;
    d->scratch_cap = d->scratch_used = 0;
    d->skipping = false;
}

void burh_cbor_decoder_set_max_depth(burh_cbor_decoder *d, unsigned max_depth)
{
    if (max_depth < 1)
        max_depth = 1;
    if (max_depth > BURH_CBOR_MAX_DEPTH)
        max_depth = BURH_CBOR_MAX_DEPTH;
    d->max_depth = max_depth;
}

void burh_cbor_decoder_set_scratch(burh_cbor_decoder *d, uint8_t *buf, size_t cap)
{
    d->scratch = buf;
    d->scratch_cap = buf ? cap : 0;
    d->scratch_used = 0;
}

burh_cbor_err burh_cbor_decoder_error(const burh_cbor_decoder *d)
{
    return d->err;
}

size_t burh_cbor_decoder_offset(const burh_cbor_decoder *d)
{
    return d->pos;
}

static bool strict(const burh_cbor_decoder *d)
{
    return (d->flags & BURH_CBOR_STRICT) != 0;
}

/* Reads the head at d->pos without consuming it. */
static burh_cbor_err peek_head(burh_cbor_decoder *d, size_t at, cbor_head *h)
{
    size_t left = d->len - at, n, i;
    uint8_t b;

    if (left == 0)
        return BURH_CBOR_ERR_TRUNCATED;
    b = d->in[at];
    h->major = b >> 5;
    h->ai = b & 31;
    h->arg = h->ai;
    h->indefinite = false;
    h->size = 1;
    if (h->ai < 24)
        return BURH_CBOR_OK;
    if (h->ai >= 28 && h->ai <= 30)
        return BURH_CBOR_ERR_RESERVED_AI;
    if (h->ai == 31) {
        if (h->major == CBOR_MAJOR_SIMPLE)
            return BURH_CBOR_ERR_BAD_BREAK;
        if (h->major < CBOR_MAJOR_BYTES || h->major == CBOR_MAJOR_TAG)
            return BURH_CBOR_ERR_BAD_INDEFINITE;
        if (strict(d))
            return BURH_CBOR_ERR_INDEFINITE;
        h->indefinite = true;
        h->arg = 0;
        return BURH_CBOR_OK;
    }
    n = (size_t)1 << (h->ai - 24);
    if (left - 1 < n)
        return BURH_CBOR_ERR_TRUNCATED;
    h->arg = 0;
    for (i = 0; i < n; i++)
        h->arg = h->arg << 8 | d->in[at + 1 + i];
    h->size = 1 + n;
    /* Floats and simple values have their own shortest-form rules. */
    if (strict(d) && h->major != CBOR_MAJOR_SIMPLE) {
        uint64_t floor = n == 1 ? 24 : n == 2 ? 0x100 : n == 4 ? 0x10000 : 0x100000000ull;
        if (h->arg < floor)
            return BURH_CBOR_ERR_NOT_SHORTEST;
    }
    return BURH_CBOR_OK;
}

/* An item (or its first tag) starts at `at`: it takes a slot of the enclosing container. */
static burh_cbor_err begin_slot(burh_cbor_decoder *d, size_t at)
{
    burh_cbor_dec_frame *f;

    if (d->pending_tags > 0 || d->depth == 0)
        return BURH_CBOR_OK;
    f = &d->frames[d->depth - 1];
    if (!f->is_map)
        return BURH_CBOR_OK;
    if (f->seen % 2 == 0) {
        f->key_start = at;
        return BURH_CBOR_OK;
    }
    if (strict(d)) {
        size_t klen = at - f->key_start;
        if (f->has_prev_key) {
            int c = cbor_key_cmp(d->in + f->prev_key_start, f->prev_key_len, d->in + f->key_start,
                                 klen);
            if (c == 0)
                return BURH_CBOR_ERR_DUPLICATE_KEY;
            if (c > 0)
                return BURH_CBOR_ERR_UNSORTED_KEYS;
        }
        f->prev_key_start = f->key_start;
        f->prev_key_len = klen;
        f->has_prev_key = true;
    }
    return BURH_CBOR_OK;
}

/* An item (scalar, or a container now closed) is complete: count it in its parents. */
static void end_item(burh_cbor_decoder *d)
{
    d->pending_tags = 0;
    while (d->depth > 0) {
        burh_cbor_dec_frame *f = &d->frames[d->depth - 1];
        f->seen++;
        if (f->indefinite || f->seen < f->total)
            return;
        d->depth--;
    }
    d->top_items++;
}

/* A break closing the innermost indefinite container, if one is next. */
static int take_break(burh_cbor_decoder *d)
{
    burh_cbor_dec_frame *f;

    if (d->err || d->pos >= d->len || d->in[d->pos] != 0xff)
        return BREAK_NONE;
    if (d->depth == 0 && d->pending_tags == 0 && d->top_items > 0 &&
        !(d->flags & BURH_CBOR_SEQUENCE))
        return BREAK_NONE; /* after the one item: finish reports the byte as trailing */
    if (d->depth == 0 || d->pending_tags > 0 || !d->frames[d->depth - 1].indefinite) {
        fail(d, BURH_CBOR_ERR_BAD_BREAK);
        return BREAK_NONE;
    }
    f = &d->frames[d->depth - 1];
    if (f->is_map && f->seen % 2 != 0) {
        fail(d, BURH_CBOR_ERR_ODD_MAP);
        return BREAK_NONE;
    }
    d->pos++;
    d->depth--;
    end_item(d);
    return BREAK_TAKEN;
}

static burh_cbor_err push_frame(burh_cbor_decoder *d, const cbor_head *h, bool is_map)
{
    burh_cbor_dec_frame *f;
    uint64_t total = h->arg;

    /* An empty container nests as deep as any other (the encoder counts it too), though it
     * needs no frame here. */
    if (d->depth >= d->max_depth)
        return BURH_CBOR_ERR_DEPTH;
    if (!h->indefinite) {
        /* Each child needs at least one byte: refuse counts the input cannot hold. */
        if (total > d->len - d->pos || (is_map && total > (d->len - d->pos) / 2))
            return BURH_CBOR_ERR_TOO_LONG;
        if (is_map)
            total *= 2;
        if (total == 0) {
            end_item(d);
            return BURH_CBOR_OK;
        }
    }
    f = &d->frames[d->depth++];
    f->total = total;
    f->seen = 0;
    f->is_map = is_map;
    f->indefinite = h->indefinite;
    f->has_prev_key = false;
    f->key_start = f->prev_key_start = f->prev_key_len = 0;
    return BURH_CBOR_OK;
}

/* Joins the chunks of an indefinite string (the head is consumed) into the scratch. */
static burh_cbor_err join_chunks(burh_cbor_decoder *d, unsigned major, burh_cbor_bytes *out)
{
    uint8_t *dst = d->scratch ? d->scratch + d->scratch_used : NULL;
    size_t total = 0;
    cbor_head h;
    burh_cbor_err err;

    for (;;) {
        if (d->pos >= d->len)
            return BURH_CBOR_ERR_TRUNCATED;
        if (d->in[d->pos] == 0xff) {
            d->pos++;
            break;
        }
        err = peek_head(d, d->pos, &h);
        if (err == BURH_CBOR_OK && (h.major != major || h.indefinite))
            err = BURH_CBOR_ERR_BAD_CHUNK;
        if (err != BURH_CBOR_OK)
            return err;
        d->pos += h.size;
        if (h.arg > d->len - d->pos)
            return BURH_CBOR_ERR_TOO_LONG;
        if (major == CBOR_MAJOR_TEXT && !burh_cbor_utf8_valid(d->in + d->pos, (size_t)h.arg))
            return BURH_CBOR_ERR_INVALID_UTF8;
        if (!d->skipping) {
            if (h.arg > d->scratch_cap - d->scratch_used - total)
                return BURH_CBOR_ERR_SCRATCH_TOO_SMALL;
            if (h.arg > 0)
                memcpy(dst + total, d->in + d->pos, (size_t)h.arg);
            total += (size_t)h.arg;
        }
        d->pos += (size_t)h.arg;
    }
    d->scratch_used += total;
    *out = BURH_CBOR_BYTES(dst && total ? dst : d->in + d->pos - 1, total);
    return BURH_CBOR_OK;
}

static burh_cbor_err read_string(burh_cbor_decoder *d, const cbor_head *h, burh_cbor_item *it)
{
    burh_cbor_err err;

    it->type = h->major == CBOR_MAJOR_TEXT ? BURH_CBOR_TEXT : BURH_CBOR_BYTES;
    if (h->indefinite) {
        it->indefinite = true;
        err = join_chunks(d, h->major, &it->str);
        if (err == BURH_CBOR_OK)
            end_item(d);
        return err;
    }
    if (h->arg > d->len - d->pos)
        return BURH_CBOR_ERR_TOO_LONG;
    it->str = BURH_CBOR_BYTES(d->in + d->pos, (size_t)h->arg);
    if (h->major == CBOR_MAJOR_TEXT && !burh_cbor_utf8_valid(it->str.ptr, it->str.len))
        return BURH_CBOR_ERR_INVALID_UTF8;
    d->pos += (size_t)h->arg;
    end_item(d);
    return BURH_CBOR_OK;
}

static burh_cbor_err read_simple(burh_cbor_decoder *d, const cbor_head *h, burh_cbor_item *it)
{
    it->u = h->arg;
    if (h->ai >= 25) { /* 25, 26, 27: half, single, double */
        uint64_t bits = h->ai == 25   ? burh_cbor_half_to_double_bits((uint16_t)h->arg)
                        : h->ai == 26 ? burh_cbor_single_to_double_bits((uint32_t)h->arg)
                                      : h->arg;
        it->type = BURH_CBOR_FLOAT;
        it->float_size = (uint8_t)(h->size - 1);
        it->u = bits;
        memcpy(&it->f, &bits, sizeof it->f);
        if (strict(d) && burh_cbor_float_preferred_size(bits) < it->float_size)
            return BURH_CBOR_ERR_NOT_SHORTEST;
    } else if (h->ai == 24 && h->arg < 32) {
        return BURH_CBOR_ERR_BAD_SIMPLE;
    } else {
        static const burh_cbor_type named[4] = {BURH_CBOR_FALSE, BURH_CBOR_TRUE, BURH_CBOR_NULL,
                                                BURH_CBOR_UNDEFINED};
        it->type = h->arg >= 20 && h->arg <= 23 ? named[h->arg - 20] : BURH_CBOR_SIMPLE;
    }
    end_item(d);
    return BURH_CBOR_OK;
}

/* Reads one item head (and a string's bytes) at d->pos; no break is pending there. */
static burh_cbor_err read_item(burh_cbor_decoder *d, burh_cbor_item *it)
{
    cbor_head h;
    burh_cbor_err err;

    if (d->depth == 0 && d->pending_tags == 0) {
        bool seq = (d->flags & BURH_CBOR_SEQUENCE) != 0;
        if (d->top_items > 0 && !seq)
            return BURH_CBOR_END;
        if (d->pos == d->len)
            return d->top_items > 0 || seq ? BURH_CBOR_END : fail(d, BURH_CBOR_ERR_TRUNCATED);
    }
    memset(it, 0, sizeof *it);
    it->offset = d->pos;
    it->level = d->depth;
    err = peek_head(d, d->pos, &h);
    if (err == BURH_CBOR_OK)
        err = begin_slot(d, d->pos);
    if (err != BURH_CBOR_OK)
        return fail(d, err);
    d->pos += h.size;
    it->u = h.arg;
    it->indefinite = h.indefinite;
    switch (h.major) {
    case CBOR_MAJOR_UINT:
    case CBOR_MAJOR_NEGINT:
        it->type = h.major == CBOR_MAJOR_UINT ? BURH_CBOR_UINT : BURH_CBOR_NEGINT;
        end_item(d);
        break;
    case CBOR_MAJOR_BYTES:
    case CBOR_MAJOR_TEXT:
        err = read_string(d, &h, it);
        break;
    case CBOR_MAJOR_ARRAY:
    case CBOR_MAJOR_MAP:
        it->type = h.major == CBOR_MAJOR_MAP ? BURH_CBOR_MAP : BURH_CBOR_ARRAY;
        d->pending_tags = 0;
        err = push_frame(d, &h, h.major == CBOR_MAJOR_MAP);
        break;
    case CBOR_MAJOR_TAG:
        it->type = BURH_CBOR_TAG;
        d->pending_tags++;
        break;
    default:
        err = read_simple(d, &h, it);
        break;
    }
    return err == BURH_CBOR_OK ? BURH_CBOR_OK : fail(d, err);
}

burh_cbor_err burh_cbor_next(burh_cbor_decoder *d, burh_cbor_item *item)
{
    if (d->err)
        return d->err;
    while (take_break(d) == BREAK_TAKEN)
        ;
    if (d->err)
        return d->err;
    return read_item(d, item);
}

bool burh_cbor_container_done(burh_cbor_decoder *d, const burh_cbor_item *container)
{
    if (d->err)
        return true;
    if (d->depth > container->level + 1 || d->pending_tags > 0)
        return false; /* the caller is still inside a child */
    if (d->depth == container->level + 1)
        take_break(d);
    return d->err != BURH_CBOR_OK || d->depth <= container->level;
}

/* Reads until the decoder is back at `level` with no tag waiting for its content. */
static burh_cbor_err skip_to_level(burh_cbor_decoder *d, unsigned level)
{
    burh_cbor_item tmp;
    burh_cbor_err err;

    while (d->depth > level || d->pending_tags > 0) {
        if (take_break(d) == BREAK_TAKEN)
            continue;
        if (d->err)
            return d->err;
        err = read_item(d, &tmp);
        if (err == BURH_CBOR_END)
            return fail(d, BURH_CBOR_ERR_TRUNCATED);
        if (err != BURH_CBOR_OK)
            return err;
    }
    return d->err;
}

burh_cbor_err burh_cbor_skip_rest(burh_cbor_decoder *d, const burh_cbor_item *item)
{
    burh_cbor_err err;

    if (d->err)
        return d->err;
    d->skipping = true;
    err = skip_to_level(d, item->level);
    d->skipping = false;
    return err;
}

burh_cbor_err burh_cbor_skip(burh_cbor_decoder *d)
{
    burh_cbor_bytes raw;

    return burh_cbor_next_raw(d, &raw);
}

burh_cbor_err burh_cbor_next_raw(burh_cbor_decoder *d, burh_cbor_bytes *raw)
{
    burh_cbor_item it;
    burh_cbor_err err;

    d->skipping = true;
    err = burh_cbor_next(d, &it);
    if (err == BURH_CBOR_OK)
        err = skip_to_level(d, it.level);
    d->skipping = false;
    if (err != BURH_CBOR_OK)
        return err;
    *raw = BURH_CBOR_BYTES(d->in + it.offset, d->pos - it.offset);
    return BURH_CBOR_OK;
}

burh_cbor_err burh_cbor_next_map(burh_cbor_decoder *d, burh_cbor_bytes *map)
{
    burh_cbor_bytes raw;
    burh_cbor_err err = burh_cbor_next_raw(d, &raw);

    if (err != BURH_CBOR_OK)
        return err;
    if ((raw.ptr[0] >> 5) != CBOR_MAJOR_MAP)
        return fail(d, BURH_CBOR_ERR_TYPE);
    *map = raw;
    return BURH_CBOR_OK;
}

burh_cbor_err burh_cbor_decoder_finish(burh_cbor_decoder *d)
{
    if (d->err)
        return d->err;
    if (d->depth > 0 || d->pending_tags > 0)
        return d->pos == d->len ? BURH_CBOR_ERR_TRUNCATED : BURH_CBOR_ERR_TRAILING;
    if (d->top_items == 0 && !(d->flags & BURH_CBOR_SEQUENCE))
        return d->pos == d->len ? BURH_CBOR_ERR_TRUNCATED : BURH_CBOR_ERR_TRAILING;
    if (d->pos < d->len)
        return BURH_CBOR_ERR_TRAILING;
    return BURH_CBOR_OK;
}
