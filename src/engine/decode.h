/* The module decoder's internal interface: a sticky-error byte reader over the binary. */
#ifndef BURH_ENGINE_DECODE_H
#define BURH_ENGINE_DECODE_H

#include "engine/module.h"

/* Decoding follows the spec: the whole binary is decoded first and validated after, so a
 * module that is both malformed and invalid reports "malformed". Malformed (and other fatal)
 * errors stop decoding; invalid ones are remembered (the first wins) and decoding goes on,
 * except a non-constant instruction in a constant expression, which cannot be skipped. */
typedef struct bw_decoder {
    bw_module *module;
    const uint8_t *pos;
    const uint8_t *end; /* end of the current window: the section, or the function body */
    bw_status status;   /* sticky: first fatal error */
    bw_error fatal;
    bool invalid;
    bw_error first_invalid;
    uint32_t nfuncs_defined; /* from the function section */
    bool has_code_section;
    uint64_t total_locals; /* across all bodies, to bound the memory local types take */
} bw_decoder;

/* Records a fatal error (malformed, unsupported, limit, out of memory) if none yet. */
void bw_dec_fail(bw_decoder *d, bw_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records a validation error if none yet; decoding continues. */
void bw_dec_invalid(bw_decoder *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline bool bw_dec_ok(const bw_decoder *d)
{
    return d->status == BW_OK;
}

static inline size_t bw_dec_left(const bw_decoder *d)
{
    return (size_t)(d->end - d->pos);
}

uint8_t bw_dec_byte(bw_decoder *d);
uint32_t bw_dec_u32(bw_decoder *d);
int32_t bw_dec_s32(bw_decoder *d);
int64_t bw_dec_s64(bw_decoder *d);
/* Little-endian fixed-width bytes (float immediates). */
uint64_t bw_dec_fixed(bw_decoder *d, unsigned nbytes);
/* A vector length: fails unless `count` items of at least `min_item_bytes` each can still
 * fit in the window, so a count never makes us allocate more than the input justifies. */
uint32_t bw_dec_count(bw_decoder *d, size_t min_item_bytes, uint32_t limit, const char *what);
/* A length-prefixed UTF-8 name, pointing into the module's copy of the binary. */
bw_name bw_dec_name(bw_decoder *d);
uint8_t bw_dec_valtype(bw_decoder *d);
uint8_t bw_dec_reftype(bw_decoder *d);
bw_limits bw_dec_limits(bw_decoder *d);
/* Zeroed module-owned storage for count items; NULL (with no error) when count is 0. */
void *bw_dec_alloc(bw_decoder *d, size_t count, size_t size);
void bw_arena_free(void *arena);

/* A constant expression whose result must have type `expected`; global.get may name only
 * imported, immutable globals. */
bw_constexpr bw_dec_constexpr(bw_decoder *d, uint8_t expected);

/* decode_seg.c: the element, data count, code and data sections. */
void bw_dec_elem_section(bw_decoder *d);
void bw_dec_code_section(bw_decoder *d);
void bw_dec_data_section(bw_decoder *d);

/* validate.c: module-level checks that need the whole module; they call bw_dec_invalid. */
void bw_validate_module(bw_decoder *d);

bool bw_utf8_valid(const uint8_t *s, size_t len);

#endif
