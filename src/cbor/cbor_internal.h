/* Internal helpers shared by the CBOR encoder, decoder and map lookups. */
#ifndef BURH_CBOR_INTERNAL_H
#define BURH_CBOR_INTERNAL_H

#include "burh/cbor.h"

enum {
    CBOR_MAJOR_UINT = 0,
    CBOR_MAJOR_NEGINT = 1,
    CBOR_MAJOR_BYTES = 2,
    CBOR_MAJOR_TEXT = 3,
    CBOR_MAJOR_ARRAY = 4,
    CBOR_MAJOR_MAP = 5,
    CBOR_MAJOR_TAG = 6,
    CBOR_MAJOR_SIMPLE = 7,
};

#define CBOR_HEAD_MAX 9

/* Writes the shortest head for (major, arg) into out and returns its size (1..9). */
size_t cbor_head_encode(uint8_t out[CBOR_HEAD_MAX], unsigned major, uint64_t arg);

/* Bytewise order of two encoded map keys (RFC 8949 4.2.1); as distinct well-formed items are
 * never prefixes of each other, only equal keys compare equal. */
int cbor_key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* The size of one well-formed item at the start of p[0..n) (any encoding), or 0 if there is
 * none. */
size_t cbor_item_size(const uint8_t *p, size_t n);

#endif
