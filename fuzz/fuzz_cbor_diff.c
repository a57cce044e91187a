/* Fuzz target: burh's CBOR decoder against Debian's libcbor (verdicts and decoded values). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "burh/cbor.h"

/*
 * Known, intended differences (see docs/cbor.md):
 *  - burh refuses text strings that are not valid UTF-8; libcbor 0.8 does not check.
 *  - burh limits nesting (64 here); libcbor does not, but it gives up with a memory error
 *    (CBOR_ERR_MEMERROR) past its own stack limit, which tag chains also reach.
 *  - Indefinite strings: libcbor keeps the chunks, burh joins them (compared joined).
 *  - libcbor 0.8 refuses the unassigned simple values (0..19 in 0xe0..0xf3, and the two-byte
 *    form 0xf8 32..255), which RFC 8949 calls well-formed; burh accepts them.
 *  - libcbor 0.8 also refuses tags 6..20 in their one-byte form (0xc6..0xd4).
 * Anything else that differs is a bug in one of the two, and stops the fuzzer.
 */

#define DEPTH BURH_CBOR_MAX_DEPTH

static void mismatch(const char *what)
{
    fprintf(stderr, "fuzz_cbor_diff: %s\n", what);
    abort();
}

/* libcbor allocates what a definite array or map claims before reading it; walk the heads
 * first and keep it away from claims the input cannot hold (both must call those broken). */
typedef struct {
    size_t left;
    bool too_big;
} claim_check;

static void check_array(void *ctx, size_t n)
{
    claim_check *c = ctx;
    if (n > c->left)
        c->too_big = true;
}

static void check_map(void *ctx, size_t n)
{
    claim_check *c = ctx;
    if (n > c->left / 2)
        c->too_big = true;
}

static bool claims_fit(const uint8_t *p, size_t n)
{
    struct cbor_callbacks cb = cbor_empty_callbacks;
    claim_check c = {0, false};
    size_t off = 0;

    cb.array_start = check_array;
    cb.map_start = check_map;
    while (off < n && !c.too_big) {
        struct cbor_decoder_result r;
        c.left = n - off;
        r = cbor_stream_decode(p + off, n - off, &cb, &c);
        if (r.status != CBOR_DECODER_FINISHED || r.read == 0)
            break;
        off += r.read;
    }
    return !c.too_big;
}

static burh_cbor_err our_verdict(const uint8_t *p, size_t n)
{
    burh_cbor_decoder d;
    burh_cbor_err err;

    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(p, n), 0);
    burh_cbor_decoder_set_max_depth(&d, DEPTH);
    while ((err = burh_cbor_skip(&d)) == BURH_CBOR_OK)
        ;
    return err == BURH_CBOR_END ? burh_cbor_decoder_finish(&d) : err;
}

/* Whether the (burh-accepted) input holds a simple value or tag libcbor 0.8 refuses. */
static bool has_libcbor_gap(const uint8_t *p, size_t n)
{
    burh_cbor_decoder d;
    burh_cbor_item it;
    uint8_t *scratch = malloc(n + 1);
    bool gap = false;

    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(p, n), 0);
    burh_cbor_decoder_set_max_depth(&d, DEPTH);
    burh_cbor_decoder_set_scratch(&d, scratch, n);
    while (!gap && burh_cbor_next(&d, &it) == BURH_CBOR_OK) {
        if (it.type == BURH_CBOR_SIMPLE)
            gap = true;
        if (it.type == BURH_CBOR_TAG && p[it.offset] >= 0xc6 && p[it.offset] <= 0xd4)
            gap = true;
    }
    free(scratch);
    return gap;
}

/* Compares libcbor's string (maybe chunked) with burh's joined one. */
static void same_string(cbor_item_t *s, const burh_cbor_item *it, bool text)
{
    bool definite = text ? cbor_string_is_definite(s) : cbor_bytestring_is_definite(s);
    size_t at = 0;

    if (definite == it->indefinite)
        mismatch("string definiteness");
    if (definite) {
        size_t len = text ? cbor_string_length(s) : cbor_bytestring_length(s);
        const uint8_t *p = text ? cbor_string_handle(s) : cbor_bytestring_handle(s);
        if (len != it->str.len || (len && memcmp(p, it->str.ptr, len) != 0))
            mismatch("string bytes");
        return;
    }
    size_t count = text ? cbor_string_chunk_count(s) : cbor_bytestring_chunk_count(s);
    cbor_item_t **chunks = text ? cbor_string_chunks_handle(s) : cbor_bytestring_chunks_handle(s);
    for (size_t i = 0; i < count; i++) {
        size_t len = text ? cbor_string_length(chunks[i]) : cbor_bytestring_length(chunks[i]);
        const uint8_t *p = text ? cbor_string_handle(chunks[i]) : cbor_bytestring_handle(chunks[i]);
        if (len > it->str.len - at || (len && memcmp(p, it->str.ptr + at, len) != 0))
            mismatch("chunk bytes");
        at += len;
    }
    if (at != it->str.len)
        mismatch("joined length");
}

static void same_float_ctrl(cbor_item_t *x, const burh_cbor_item *it)
{
    static const burh_cbor_type named[4] = {BURH_CBOR_FALSE, BURH_CBOR_TRUE, BURH_CBOR_NULL,
                                            BURH_CBOR_UNDEFINED};
    cbor_float_width w = cbor_float_get_width(x);
    double v;

    if (w == CBOR_FLOAT_0) {
        uint8_t c = cbor_ctrl_value(x);
        burh_cbor_type want = c >= 20 && c <= 23 ? named[c - 20] : BURH_CBOR_SIMPLE;
        if (it->type != want || it->u != c)
            mismatch("simple value");
        return;
    }
    if (it->type != BURH_CBOR_FLOAT || it->float_size != (w == CBOR_FLOAT_16   ? 2
                                                          : w == CBOR_FLOAT_32 ? 4
                                                                               : 8))
        mismatch("float width");
    v = cbor_float_get_float(x);
    if (isnan(v) != isnan(it->f) || (!isnan(v) && (v != it->f || signbit(v) != signbit(it->f))))
        mismatch("float value");
}

static void same_item(burh_cbor_decoder *d, cbor_item_t *x);

static void same_children(burh_cbor_decoder *d, cbor_item_t *x, const burh_cbor_item *it)
{
    if (cbor_isa_array(x)) {
        cbor_item_t **kids = cbor_array_handle(x);
        if (it->type != BURH_CBOR_ARRAY || cbor_array_is_indefinite(x) != it->indefinite ||
            (!it->indefinite && it->u != cbor_array_size(x)))
            mismatch("array head");
        for (size_t i = 0; i < cbor_array_size(x); i++)
            same_item(d, kids[i]);
    } else {
        struct cbor_pair *pairs = cbor_map_handle(x);
        if (it->type != BURH_CBOR_MAP || cbor_map_is_indefinite(x) != it->indefinite ||
            (!it->indefinite && it->u != cbor_map_size(x)))
            mismatch("map head");
        for (size_t i = 0; i < cbor_map_size(x); i++) {
            same_item(d, pairs[i].key);
            same_item(d, pairs[i].value);
        }
    }
    if (!burh_cbor_container_done(d, it))
        mismatch("container has more children in burh");
}

static void same_item(burh_cbor_decoder *d, cbor_item_t *x)
{
    burh_cbor_item it;

    if (burh_cbor_next(d, &it) != BURH_CBOR_OK)
        mismatch("burh ran out of items");
    switch (cbor_typeof(x)) {
    case CBOR_TYPE_UINT:
    case CBOR_TYPE_NEGINT:
        if (it.type != (cbor_isa_uint(x) ? BURH_CBOR_UINT : BURH_CBOR_NEGINT) ||
            it.u != cbor_get_int(x))
            mismatch("integer");
        break;
    case CBOR_TYPE_BYTESTRING:
    case CBOR_TYPE_STRING:
        if (it.type != (cbor_isa_string(x) ? BURH_CBOR_TEXT : BURH_CBOR_BYTES))
            mismatch("string type");
        same_string(x, &it, cbor_isa_string(x));
        break;
    case CBOR_TYPE_ARRAY:
    case CBOR_TYPE_MAP:
        same_children(d, x, &it);
        break;
    case CBOR_TYPE_TAG: {
        cbor_item_t *content = cbor_tag_item(x);
        if (it.type != BURH_CBOR_TAG || it.u != cbor_tag_value(x))
            mismatch("tag");
        same_item(d, content);
        cbor_decref(&content);
        break;
    }
    case CBOR_TYPE_FLOAT_CTRL:
        same_float_ctrl(x, &it);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    burh_cbor_err ours = our_verdict(data, size);
    struct cbor_load_result res;
    cbor_item_t *x = NULL;
    bool theirs;

    if (!claims_fit(data, size)) {
        if (ours == BURH_CBOR_OK)
            mismatch("burh accepts a count larger than the input");
        return 0;
    }
    x = cbor_load(data, size, &res);
    theirs = x != NULL && res.error.code == CBOR_ERR_NONE && res.read == size;
    if (ours == BURH_CBOR_ERR_INVALID_UTF8 || ours == BURH_CBOR_ERR_DEPTH ||
        (!theirs && res.error.code == CBOR_ERR_MEMERROR) ||
        (ours == BURH_CBOR_OK && !theirs && res.error.code == CBOR_ERR_MALFORMATED &&
         has_libcbor_gap(data, size))) {
        /* known differences: nothing to compare */
    } else if ((ours == BURH_CBOR_OK) != theirs) {
        fprintf(stderr, "burh: %s; libcbor: %s (error %d, read %zu of %zu)\n",
                burh_cbor_errstr(ours), theirs ? "ok" : "refused", (int)res.error.code, res.read,
                size);
        mismatch("well-formedness verdicts differ");
    } else if (theirs) {
        burh_cbor_decoder d;
        uint8_t *scratch = malloc(size + 1);
        burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(data, size), 0);
        burh_cbor_decoder_set_max_depth(&d, DEPTH);
        burh_cbor_decoder_set_scratch(&d, scratch, size);
        same_item(&d, x);
        if (burh_cbor_decoder_finish(&d) != BURH_CBOR_OK)
            mismatch("burh did not finish cleanly");
        free(scratch);
    }
    if (x)
        cbor_decref(&x);
    return 0;
}
