/* Fuzz target: decode anything; what decodes must re-encode deterministically and stably. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "burh/cbor.h"

#define MAX_OUT (1u << 20)

static void die(const char *why)
{
    fprintf(stderr, "fuzz_cbor: %s\n", why);
    abort();
}

/* The verdict of decoding everything in `in` (skipping, so no scratch is needed). */
static burh_cbor_err verdict(burh_cbor_bytes in, unsigned flags)
{
    burh_cbor_decoder d;
    burh_cbor_err err;

    burh_cbor_decoder_init(&d, in, flags);
    while ((err = burh_cbor_skip(&d)) == BURH_CBOR_OK)
        ;
    return err == BURH_CBOR_END ? burh_cbor_decoder_finish(&d) : err;
}

static void encode_scalar(burh_cbor_encoder *e, const burh_cbor_item *it)
{
    switch (it->type) {
    case BURH_CBOR_UINT:
        burh_cbor_enc_uint(e, it->u);
        break;
    case BURH_CBOR_NEGINT:
        burh_cbor_enc_negint(e, it->u);
        break;
    case BURH_CBOR_BYTES:
        burh_cbor_enc_bytes(e, it->str);
        break;
    case BURH_CBOR_TEXT:
        burh_cbor_enc_text(e, it->str);
        break;
    case BURH_CBOR_TAG:
        burh_cbor_enc_tag(e, it->u);
        break;
    case BURH_CBOR_FLOAT:
        burh_cbor_enc_double_bits(e, it->u);
        break;
    default:
        burh_cbor_enc_simple(e, (uint8_t)it->u);
        break;
    }
}

/* Re-encodes one top-level item, iteratively (tag chains may be long). */
static burh_cbor_err transcode(burh_cbor_bytes in, uint8_t *scratch, uint8_t *out, size_t cap,
                               size_t *out_len)
{
    burh_cbor_decoder d;
    burh_cbor_encoder e;
    burh_cbor_item open[BURH_CBOR_DEFAULT_DEPTH], it;
    unsigned sp = 0;
    bool after_tag = false, started = false;
    burh_cbor_err err;

    burh_cbor_decoder_init(&d, in, 0);
    burh_cbor_decoder_set_scratch(&d, scratch, in.len);
    burh_cbor_encoder_init(&e, out, cap);
    for (;;) {
        while (sp > 0 && burh_cbor_container_done(&d, &open[sp - 1])) {
            sp--;
            if (open[sp].type == BURH_CBOR_MAP)
                burh_cbor_enc_map_end(&e);
            else
                burh_cbor_enc_array_end(&e);
        }
        if (started && sp == 0 && !after_tag)
            break;
        if ((err = burh_cbor_next(&d, &it)) != BURH_CBOR_OK)
            return err;
        started = true;
        after_tag = it.type == BURH_CBOR_TAG;
        if (it.type == BURH_CBOR_ARRAY || it.type == BURH_CBOR_MAP) {
            if (it.type == BURH_CBOR_MAP)
                burh_cbor_enc_map_begin(&e);
            else
                burh_cbor_enc_array_begin(&e);
            open[sp++] = it; /* the decoder's depth limit keeps sp in range */
        } else {
            encode_scalar(&e, &it);
        }
    }
    if ((err = burh_cbor_decoder_finish(&d)) != BURH_CBOR_OK)
        return err;
    return burh_cbor_encoder_finish(&e, out_len);
}

/* Whether two items carry the same value (counts of indefinite containers aside). */
static bool same_value(const burh_cbor_item *a, const burh_cbor_item *b)
{
    if (a->type != b->type || a->level != b->level)
        return false;
    if (a->type == BURH_CBOR_BYTES || a->type == BURH_CBOR_TEXT)
        return a->str.len == b->str.len &&
               (a->str.len == 0 || memcmp(a->str.ptr, b->str.ptr, a->str.len) == 0);
    if ((a->type == BURH_CBOR_ARRAY || a->type == BURH_CBOR_MAP) && a->indefinite)
        return true;
    return a->u == b->u; /* floats: the exact binary64 bits */
}

/* Decodes the input and its re-encoding side by side: item for item the same values. Maps
 * with two or more pairs may be reordered by the encoder, so such inputs are not compared. */
static void same_items(burh_cbor_bytes in, burh_cbor_bytes out, uint8_t *scratch)
{
    burh_cbor_decoder a, b;
    burh_cbor_item x, y;
    uint8_t *scratch_b = malloc(out.len + 1);
    burh_cbor_err ea, eb;

    burh_cbor_decoder_init(&a, in, 0);
    burh_cbor_decoder_set_scratch(&a, scratch, in.len);
    while ((ea = burh_cbor_next(&a, &x)) == BURH_CBOR_OK)
        if (x.type == BURH_CBOR_MAP && (x.indefinite || x.u > 1))
            goto out;
    burh_cbor_decoder_init(&a, in, 0);
    burh_cbor_decoder_set_scratch(&a, scratch, in.len);
    burh_cbor_decoder_init(&b, out, BURH_CBOR_STRICT);
    burh_cbor_decoder_set_scratch(&b, scratch_b, out.len);
    do {
        ea = burh_cbor_next(&a, &x);
        eb = burh_cbor_next(&b, &y);
        if (ea != eb || (ea == BURH_CBOR_OK && !same_value(&x, &y)))
            die("re-encoded items differ from the input's");
    } while (ea == BURH_CBOR_OK);
out:
    free(scratch_b);
}

/* Exercises the lookup and raw-range helpers; they must agree with the verdict. */
static void poke_helpers(burh_cbor_bytes in, burh_cbor_err lax)
{
    burh_cbor_decoder d;
    burh_cbor_bytes map, v;
    uint64_t u;

    burh_cbor_decoder_init(&d, in, 0);
    if (burh_cbor_next_map(&d, &map) == BURH_CBOR_OK) {
        burh_cbor_err err = burh_cbor_map_get(map, BURH_CBOR_LIT("a"), &v);
        if (err == BURH_CBOR_OK && (v.ptr < map.ptr || v.ptr + v.len > map.ptr + map.len))
            die("value outside its map");
        (void)burh_cbor_map_get_uint(map, BURH_CBOR_LIT("b"), &u);
        if (lax == BURH_CBOR_OK && map.len != in.len)
            die("raw map range is not the whole item");
    }
    burh_cbor_decoder_init(&d, in, BURH_CBOR_SEQUENCE);
    while (burh_cbor_next_raw(&d, &v) == BURH_CBOR_OK)
        if (v.len == 0 || v.ptr < in.ptr || v.ptr + v.len > in.ptr + in.len)
            die("raw range outside the input");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out1[MAX_OUT], out2[MAX_OUT];
    burh_cbor_bytes in = BURH_CBOR_BYTES(data, size);
    burh_cbor_err lax = verdict(in, 0), strict = verdict(in, BURH_CBOR_STRICT), err;
    uint8_t *scratch = malloc(size + 1);
    size_t n1, n2;

    (void)verdict(in, BURH_CBOR_SEQUENCE);
    poke_helpers(in, lax);
    if (strict == BURH_CBOR_OK && lax != BURH_CBOR_OK)
        die("strict accepts what lax refuses");
    if (lax == BURH_CBOR_OK) {
        err = transcode(in, scratch, out1, sizeof out1, &n1);
        if (err == BURH_CBOR_ERR_DUPLICATE_KEY && strict != BURH_CBOR_OK)
            goto done; /* equal keys once normalised: refusing them is right */
        if (err != BURH_CBOR_OK)
            die("lax input does not transcode");
        if (strict == BURH_CBOR_OK && (n1 != size || memcmp(out1, data, size) != 0))
            die("deterministic input did not come back byte for byte");
        if (verdict(BURH_CBOR_BYTES(out1, n1), BURH_CBOR_STRICT) != BURH_CBOR_OK)
            die("encoder output is not deterministic");
        same_items(in, BURH_CBOR_BYTES(out1, n1), scratch);
        err = transcode(BURH_CBOR_BYTES(out1, n1), scratch, out2, sizeof out2, &n2);
        if (err != BURH_CBOR_OK || n1 != n2 || memcmp(out1, out2, n1) != 0)
            die("re-encoding is not stable");
    }
done:
    free(scratch);
    return 0;
}
