/* burh CBOR codec (RFC 8949, RFC 8742 sequences): no allocation, caller-provided buffers. */
#ifndef BURH_CBOR_H
#define BURH_CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Ownership and memory
 *   The codec never allocates. The encoder writes into a buffer the caller owns; the decoder
 *   reads an input the caller owns and returns strings as {ptr,len} ranges that point INTO
 *   that input (or into the caller's scratch buffer for indefinite-length strings), so they
 *   live as long as the caller keeps those buffers.
 *   burh_cbor_encoder and burh_cbor_decoder are declared here only so they can live on the
 *   caller's stack; their fields are private: use the functions.
 *
 * Errors
 *   Both sides keep a sticky error: the first failure is recorded, later calls do nothing and
 *   return it, and one check at the end (burh_cbor_encoder_finish / burh_cbor_decoder_finish)
 *   is enough. burh_cbor_errstr gives a message for each value.
 */

typedef enum {
    BURH_CBOR_OK = 0,
    BURH_CBOR_END,                   /* no more items (not an error; never sticky) */
    BURH_CBOR_ERR_BUFFER_TOO_SMALL,  /* encoder output does not fit; the needed size is known */
    BURH_CBOR_ERR_TRUNCATED,         /* the input ends inside an item */
    BURH_CBOR_ERR_TOO_LONG,          /* a length or count is larger than the input left */
    BURH_CBOR_ERR_RESERVED_AI,       /* additional information 28, 29 or 30 */
    BURH_CBOR_ERR_BAD_INDEFINITE,    /* indefinite length on an integer, a tag or a simple */
    BURH_CBOR_ERR_BAD_BREAK,         /* a break (0xff) outside an indefinite-length item */
    BURH_CBOR_ERR_BAD_CHUNK,         /* a chunk of an indefinite string of another type */
    BURH_CBOR_ERR_BAD_SIMPLE,        /* a two-byte simple value below 32 */
    BURH_CBOR_ERR_ODD_MAP,           /* a map with a key and no value */
    BURH_CBOR_ERR_INVALID_UTF8,      /* a text string that is not valid UTF-8 */
    BURH_CBOR_ERR_DEPTH,             /* nesting deeper than the configured limit */
    BURH_CBOR_ERR_NOT_SHORTEST,      /* strict: a head, length or float not in shortest form */
    BURH_CBOR_ERR_INDEFINITE,        /* strict: an indefinite-length item */
    BURH_CBOR_ERR_UNSORTED_KEYS,     /* strict: map keys not in bytewise order of encodings */
    BURH_CBOR_ERR_DUPLICATE_KEY,     /* two equal map keys (strict decoding, encoder, lookup) */
    BURH_CBOR_ERR_TRAILING,          /* bytes left after the item (finish) */
    BURH_CBOR_ERR_SCRATCH_TOO_SMALL, /* indefinite string longer than the scratch left */
    BURH_CBOR_ERR_TYPE,              /* the item is not of the type asked for */
    BURH_CBOR_ERR_NOT_FOUND,         /* no such key in the map */
    BURH_CBOR_ERR_UNBALANCED,        /* encoder: end without begin, open items, dangling tag */
    BURH_CBOR_ERR_ARGS,              /* a bad argument (e.g. simple value 24..31, bad raw item) */
} burh_cbor_err;

/* A message for an error value; never NULL. */
const char *burh_cbor_errstr(burh_cbor_err err);

/* A byte range; the codec never owns what it points to. */
typedef struct burh_cbor_bytes {
    const uint8_t *ptr;
    size_t len;
} burh_cbor_bytes;

#define BURH_CBOR_BYTES(p, n) ((burh_cbor_bytes){(const uint8_t *)(p), (n)})
/* A range over a string literal, without its NUL. */
#define BURH_CBOR_LIT(s) ((burh_cbor_bytes){(const uint8_t *)(s), sizeof(s) - 1})

/* ------------------------------------------------------------------------------------------
 * Encoder: always deterministic (RFC 8949 4.2.1): shortest heads, definite lengths,
 * preferred (shortest exact) floats, map entries sorted by their encoded keys.
 * ------------------------------------------------------------------------------------------ */

#define BURH_CBOR_ENC_MAX_DEPTH 32

typedef struct burh_cbor_enc_frame {
    size_t start;   /* offset of the first child */
    uint64_t count; /* children so far (keys and values for a map) */
    bool is_map;
} burh_cbor_enc_frame;

typedef struct burh_cbor_encoder {
    uint8_t *buf;
    size_t cap;
    size_t len; /* bytes written, or needed when buf is NULL or too small */
    burh_cbor_err err;
    unsigned depth;
    bool tag_pending; /* a tag was written and its content not yet begun */
    burh_cbor_enc_frame frames[BURH_CBOR_ENC_MAX_DEPTH];
} burh_cbor_encoder;

/* Starts encoding into buf[0..cap). buf == NULL is "measure" mode: nothing is written, the
 * size is computed (no sorting, so duplicate map keys are not detected in that mode). */
void burh_cbor_encoder_init(burh_cbor_encoder *e, uint8_t *buf, size_t cap);

void burh_cbor_enc_uint(burh_cbor_encoder *e, uint64_t v);
void burh_cbor_enc_int(burh_cbor_encoder *e, int64_t v);
/* Encodes the negative integer -1 - n, which reaches -2^64 with n = UINT64_MAX. */
void burh_cbor_enc_negint(burh_cbor_encoder *e, uint64_t n);
void burh_cbor_enc_bytes(burh_cbor_encoder *e, burh_cbor_bytes b);
/* The text must be valid UTF-8 (else BURH_CBOR_ERR_INVALID_UTF8). */
void burh_cbor_enc_text(burh_cbor_encoder *e, burh_cbor_bytes t);
/* A tag; the next item written is its content. */
void burh_cbor_enc_tag(burh_cbor_encoder *e, uint64_t tag);
/* A simple value 0..19 or 32..255 (20..23 are false/true/null/undefined; 24..31 refused). */
void burh_cbor_enc_simple(burh_cbor_encoder *e, uint8_t v);
void burh_cbor_enc_bool(burh_cbor_encoder *e, bool v);
void burh_cbor_enc_null(burh_cbor_encoder *e);
void burh_cbor_enc_undefined(burh_cbor_encoder *e);
/* Floats in the shortest of half/single/double that holds the value exactly (NaN payload
 * kept; a default NaN and the infinities become half floats). */
void burh_cbor_enc_double(burh_cbor_encoder *e, double v);
void burh_cbor_enc_float(burh_cbor_encoder *e, float v);
void burh_cbor_enc_double_bits(burh_cbor_encoder *e, uint64_t ieee754_binary64);
/* One complete, well-formed, pre-encoded item copied as is (checked; else ERR_ARGS). */
void burh_cbor_enc_raw(burh_cbor_encoder *e, burh_cbor_bytes item);

/* Containers: begin, write the children, end. The count is written by the end call (the
 * children are moved up by the head's size). Map children are key, value, key, value, ...
 * in any order: burh_cbor_enc_map_end sorts the entries in place by encoded key and refuses
 * equal keys with BURH_CBOR_ERR_DUPLICATE_KEY. */
void burh_cbor_enc_array_begin(burh_cbor_encoder *e);
void burh_cbor_enc_array_end(burh_cbor_encoder *e);
void burh_cbor_enc_map_begin(burh_cbor_encoder *e);
void burh_cbor_enc_map_end(burh_cbor_encoder *e);

/* The sticky error, and the size written (or needed, in measure mode or after
 * BURH_CBOR_ERR_BUFFER_TOO_SMALL). Refuses open containers and a tag with no content. */
burh_cbor_err burh_cbor_encoder_finish(burh_cbor_encoder *e, size_t *out_len);

/* ------------------------------------------------------------------------------------------
 * Decoder: pull style. Each burh_cbor_next returns one item: a container's head first, then
 * its children; a tag as its own item, followed by its content at the same level.
 * ------------------------------------------------------------------------------------------ */

#define BURH_CBOR_MAX_DEPTH     64 /* the largest depth limit that can be set */
#define BURH_CBOR_DEFAULT_DEPTH 32

/* Decoder flags */
#define BURH_CBOR_STRICT   0x1u /* refuse non-deterministic encodings (see docs/cbor.md) */
#define BURH_CBOR_SEQUENCE 0x2u /* the input is a CBOR sequence (RFC 8742): many top items */

typedef enum {
    BURH_CBOR_UINT,      /* value in u */
    BURH_CBOR_NEGINT,    /* the value is -1 - u */
    BURH_CBOR_BYTES,     /* str */
    BURH_CBOR_TEXT,      /* str, valid UTF-8 */
    BURH_CBOR_ARRAY,     /* u = element count (0 when indefinite) */
    BURH_CBOR_MAP,       /* u = pair count (0 when indefinite) */
    BURH_CBOR_TAG,       /* u = tag number; the content is the next item */
    BURH_CBOR_SIMPLE,    /* u = simple value (not 20..23) */
    BURH_CBOR_FALSE,     /* u = 20 */
    BURH_CBOR_TRUE,      /* u = 21 */
    BURH_CBOR_NULL,      /* u = 22 */
    BURH_CBOR_UNDEFINED, /* u = 23 */
    BURH_CBOR_FLOAT,     /* f, and u = its binary64 bits (exact, NaN payload kept) */
} burh_cbor_type;

typedef struct burh_cbor_item {
    burh_cbor_type type;
    unsigned level;     /* 0 for a top-level item, parent's level + 1 inside a container */
    bool indefinite;    /* an indefinite-length string, array or map */
    uint8_t float_size; /* FLOAT: 2, 4 or 8 bytes on the wire */
    uint64_t u;
    double f;
    burh_cbor_bytes str; /* BYTES/TEXT: into the input, or the scratch when indefinite */
    size_t offset;       /* offset of the item's head in the input */
} burh_cbor_item;

typedef struct burh_cbor_dec_frame {
    uint64_t total; /* children expected (2 per pair); unused when indefinite */
    uint64_t seen;  /* children begun */
    size_t key_start, prev_key_start, prev_key_len; /* strict map key checks */
    bool is_map, indefinite, has_prev_key;
} burh_cbor_dec_frame;

typedef struct burh_cbor_decoder {
    const uint8_t *in;
    size_t len, pos;
    unsigned flags, max_depth, depth;
    uint64_t pending_tags; /* tags read whose content has not begun */
    uint64_t top_items;    /* complete top-level items */
    burh_cbor_err err;
    uint8_t *scratch;
    size_t scratch_cap, scratch_used;
    bool skipping; /* indefinite strings are checked, not joined */
    burh_cbor_dec_frame frames[BURH_CBOR_MAX_DEPTH];
} burh_cbor_decoder;

/* Starts decoding `in` (BURH_CBOR_STRICT, BURH_CBOR_SEQUENCE). Depth limit 32, no scratch. */
void burh_cbor_decoder_init(burh_cbor_decoder *d, burh_cbor_bytes in, unsigned flags);
/* Nesting limit (1..BURH_CBOR_MAX_DEPTH, clamped): containers nested deeper are refused. */
void burh_cbor_decoder_set_max_depth(burh_cbor_decoder *d, unsigned max_depth);
/* Scratch where indefinite-length strings are joined; each such string takes a fresh part
 * of it, so earlier results stay valid. Without scratch, only empty ones decode. */
void burh_cbor_decoder_set_scratch(burh_cbor_decoder *d, uint8_t *buf, size_t cap);

/* The next item. BURH_CBOR_END when the (single, or in SEQUENCE mode last) top-level item
 * is done; any error is sticky. */
burh_cbor_err burh_cbor_next(burh_cbor_decoder *d, burh_cbor_item *item);
/* After burh_cbor_next returned `container` (array or map), whether all its children have
 * been read; consumes the break of an indefinite one. True on any error too (so loops end;
 * the error stays sticky). Loop: while (!burh_cbor_container_done(d, &c)) read a child. */
bool burh_cbor_container_done(burh_cbor_decoder *d, const burh_cbor_item *container);
/* Skips the next item entirely (with its tags and everything inside it). Skipping and
 * burh_cbor_next_raw check indefinite strings without joining them (no scratch needed). */
burh_cbor_err burh_cbor_skip(burh_cbor_decoder *d);
/* After burh_cbor_next returned `item` (a container or tag), skips what is left of it. */
burh_cbor_err burh_cbor_skip_rest(burh_cbor_decoder *d, const burh_cbor_item *item);
/* Reads the next item entirely and gives its exact encoded bytes (tags included). */
burh_cbor_err burh_cbor_next_raw(burh_cbor_decoder *d, burh_cbor_bytes *raw);
/* As burh_cbor_next_raw, but the item must be a map (else BURH_CBOR_ERR_TYPE, sticky). */
burh_cbor_err burh_cbor_next_map(burh_cbor_decoder *d, burh_cbor_bytes *map);

burh_cbor_err burh_cbor_decoder_error(const burh_cbor_decoder *d);
size_t burh_cbor_decoder_offset(const burh_cbor_decoder *d);
/* The sticky error, else TRUNCATED if the input ended inside an item (or was empty), else
 * TRAILING if bytes are left unread. */
burh_cbor_err burh_cbor_decoder_finish(burh_cbor_decoder *d);

/* ------------------------------------------------------------------------------------------
 * Map lookups on a complete encoded map (e.g. from burh_cbor_next_map). Each call checks
 * the whole map and finds the value whose key is the text string `name`; a key present twice
 * is BURH_CBOR_ERR_DUPLICATE_KEY, none is BURH_CBOR_ERR_NOT_FOUND.
 * ------------------------------------------------------------------------------------------ */
burh_cbor_err burh_cbor_map_get(burh_cbor_bytes map, burh_cbor_bytes name, burh_cbor_bytes *value);
burh_cbor_err burh_cbor_map_get_uint(burh_cbor_bytes map, burh_cbor_bytes name, uint64_t *out);
/* Definite-length strings only; the result points into `map`. */
burh_cbor_err burh_cbor_map_get_text(burh_cbor_bytes map, burh_cbor_bytes name,
                                     burh_cbor_bytes *out);
burh_cbor_err burh_cbor_map_get_bytes(burh_cbor_bytes map, burh_cbor_bytes name,
                                      burh_cbor_bytes *out);

/* ------------------------------------------------------------------------------------------
 * Float and text helpers shared by both sides (exact, bit-level: no libm).
 * ------------------------------------------------------------------------------------------ */
uint64_t burh_cbor_half_to_double_bits(uint16_t half);
uint64_t burh_cbor_single_to_double_bits(uint32_t single);
/* The shortest wire size (2, 4 or 8) that holds the binary64 value exactly. */
unsigned burh_cbor_float_preferred_size(uint64_t ieee754_binary64);
bool burh_cbor_utf8_valid(const uint8_t *p, size_t n);

#endif
