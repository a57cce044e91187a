/* Helpers shared by the CBOR unit tests (test_cbor*.c): hex, whole-input verdicts, re-encoding. */
#ifndef BURH_TEST_CBOR_H
#define BURH_TEST_CBOR_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "burh/cbor.h"
#include "testutil.h"

/* ---- helpers ---------------------------------------------------------------------------- */

/* Decodes every item (skipping) and returns the final verdict. */
static inline burh_cbor_err decode_all(const uint8_t *p, size_t n, unsigned flags, unsigned depth)
{
    burh_cbor_decoder d;
    burh_cbor_err err;

    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(p, n), flags);
    if (depth)
        burh_cbor_decoder_set_max_depth(&d, depth);
    while ((err = burh_cbor_skip(&d)) == BURH_CBOR_OK)
        ;
    if (err != BURH_CBOR_END)
        return err;
    return burh_cbor_decoder_finish(&d);
}

static inline burh_cbor_err decode_hex(const char *hex, unsigned flags)
{
    uint8_t buf[512];
    size_t n = tu_unhex(hex, buf, sizeof buf);

    return decode_all(buf, n, flags, 0);
}

/* Re-encodes one decoded item (definite lengths, preferred floats). */
static inline void transcode(burh_cbor_decoder *d, burh_cbor_encoder *e)
{
    burh_cbor_item it;

    assert_int_equal(burh_cbor_next(d, &it), BURH_CBOR_OK);
    switch (it.type) {
    case BURH_CBOR_UINT:
        burh_cbor_enc_uint(e, it.u);
        break;
    case BURH_CBOR_NEGINT:
        burh_cbor_enc_negint(e, it.u);
        break;
    case BURH_CBOR_BYTES:
        burh_cbor_enc_bytes(e, it.str);
        break;
    case BURH_CBOR_TEXT:
        burh_cbor_enc_text(e, it.str);
        break;
    case BURH_CBOR_ARRAY:
    case BURH_CBOR_MAP:
        if (it.type == BURH_CBOR_MAP)
            burh_cbor_enc_map_begin(e);
        else
            burh_cbor_enc_array_begin(e);
        while (!burh_cbor_container_done(d, &it))
            transcode(d, e);
        if (it.type == BURH_CBOR_MAP)
            burh_cbor_enc_map_end(e);
        else
            burh_cbor_enc_array_end(e);
        break;
    case BURH_CBOR_TAG:
        burh_cbor_enc_tag(e, it.u);
        transcode(d, e);
        break;
    case BURH_CBOR_FLOAT:
        burh_cbor_enc_double_bits(e, it.u);
        break;
    default:
        burh_cbor_enc_simple(e, (uint8_t)it.u);
        break;
    }
}

#define ENC_HEX(e, buf, hexbuf)                                                                    \
    do {                                                                                           \
        size_t n_;                                                                                 \
        assert_int_equal(burh_cbor_encoder_finish((e), &n_), BURH_CBOR_OK);                        \
        tu_tohex((buf), n_, (hexbuf));                                                             \
    } while (0)

#endif
