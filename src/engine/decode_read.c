/* The decoder's reader: LEB128 with the spec's exact rules, names, types, limits, storage. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/decode.h"

/* Module-owned allocations form a list hung off module->arena. */
typedef struct arena_block {
    struct arena_block *next;
    max_align_t data[];
} arena_block;

void bw_dec_fail(bw_decoder *d, bw_status status, const char *fmt, ...)
{
    if (d->status != BW_OK)
        return;
    va_list ap;
    va_start(ap, fmt);
    d->status = status;
    d->fatal.status = status;
    d->fatal.trap = BW_TRAP_NONE;
    vsnprintf(d->fatal.message, sizeof d->fatal.message, fmt, ap);
    va_end(ap);
}

void bw_dec_invalid(bw_decoder *d, const char *fmt, ...)
{
    if (d->invalid)
        return;
    va_list ap;
    va_start(ap, fmt);
    d->invalid = true;
    d->first_invalid.status = BW_ERR_INVALID;
    d->first_invalid.trap = BW_TRAP_NONE;
    vsnprintf(d->first_invalid.message, sizeof d->first_invalid.message, fmt, ap);
    va_end(ap);
}

uint8_t bw_dec_byte(bw_decoder *d)
{
    if (!bw_dec_ok(d))
        return 0;
    if (d->pos >= d->end) {
        bw_dec_fail(d, BW_ERR_MALFORMED, "unexpected end");
        return 0;
    }
    return *d->pos++;
}

/* Unsigned LEB128 of at most `bits` bits: at most ceil(bits/7) bytes, and the unused high
 * bits of the last byte must be zero. */
static uint64_t read_uleb(bw_decoder *d, unsigned bits)
{
    uint64_t value = 0;
    for (unsigned shift = 0;; shift += 7) {
        uint8_t b = bw_dec_byte(d);
        if (!bw_dec_ok(d))
            return 0;
        bool last_allowed = shift + 7 >= bits;
        if (last_allowed) {
            if (b & 0x80) {
                bw_dec_fail(d, BW_ERR_MALFORMED, "integer representation too long");
                return 0;
            }
            if ((b & 0x7f) >> (bits - shift)) {
                bw_dec_fail(d, BW_ERR_MALFORMED, "integer too large");
                return 0;
            }
        }
        value |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return value;
    }
}

/* Signed LEB128: in the last possible byte, the unused bits must repeat the sign bit. */
static int64_t read_sleb(bw_decoder *d, unsigned bits)
{
    uint64_t value = 0;
    for (unsigned shift = 0;; shift += 7) {
        uint8_t b = bw_dec_byte(d);
        if (!bw_dec_ok(d))
            return 0;
        if (shift + 7 >= bits) {
            unsigned used = bits - shift; /* 1..7 payload bits that count */
            uint8_t mask = (uint8_t)(0x7f & ~((1u << (used - 1)) - 1));
            if (b & 0x80) {
                bw_dec_fail(d, BW_ERR_MALFORMED, "integer representation too long");
                return 0;
            }
            if ((b & mask) != 0 && (b & mask) != mask) {
                bw_dec_fail(d, BW_ERR_MALFORMED, "integer too large");
                return 0;
            }
        }
        value |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            if (shift + 7 < 64 && (b & 0x40))
                value |= ~(uint64_t)0 << (shift + 7);
            return (int64_t)value;
        }
    }
}

uint32_t bw_dec_u32(bw_decoder *d)
{
    return (uint32_t)read_uleb(d, 32);
}

int32_t bw_dec_s32(bw_decoder *d)
{
    return (int32_t)(uint32_t)(uint64_t)read_sleb(d, 32);
}

int64_t bw_dec_s64(bw_decoder *d)
{
    return read_sleb(d, 64);
}

uint64_t bw_dec_fixed(bw_decoder *d, unsigned nbytes)
{
    if (bw_dec_left(d) < nbytes) {
        bw_dec_fail(d, BW_ERR_MALFORMED, "unexpected end");
        return 0;
    }
    uint64_t value = 0;
    for (unsigned i = 0; i < nbytes; i++)
        value |= (uint64_t)d->pos[i] << (8 * i);
    d->pos += nbytes;
    return value;
}

uint32_t bw_dec_count(bw_decoder *d, size_t min_item_bytes, uint32_t limit, const char *what)
{
    uint32_t count = bw_dec_u32(d);
    if (!bw_dec_ok(d))
        return 0;
    if (count > bw_dec_left(d) / min_item_bytes) {
        bw_dec_fail(d, BW_ERR_MALFORMED, "unexpected end: %u %s cannot fit", count, what);
        return 0;
    }
    if (count > limit) {
        bw_dec_fail(d, BW_ERR_LIMIT, "too many %s: %u (limit %u)", what, count, limit);
        return 0;
    }
    return count;
}

bool bw_utf8_valid(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp, min;
        if ((c & 0xe0) == 0xc0) {
            n = 2, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 3, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n > len - i)
            return false;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n;
    }
    return true;
}

bw_name bw_dec_name(bw_decoder *d)
{
    bw_name name = {NULL, 0};
    uint32_t len = bw_dec_u32(d);
    if (!bw_dec_ok(d))
        return name;
    if (len > bw_dec_left(d)) {
        bw_dec_fail(d, BW_ERR_MALFORMED, "length out of bounds");
        return name;
    }
    if (!bw_utf8_valid(d->pos, len)) {
        bw_dec_fail(d, BW_ERR_MALFORMED, "malformed UTF-8 encoding");
        return name;
    }
    name.ptr = d->pos;
    name.len = len;
    d->pos += len;
    return name;
}

uint8_t bw_dec_valtype(bw_decoder *d)
{
    uint8_t b = bw_dec_byte(d);
    switch (b) {
    case BW_I32:
    case BW_I64:
    case BW_F32:
    case BW_F64:
    case BW_FUNCREF:
    case BW_EXTERNREF:
        return b;
    case BW_V128:
        bw_dec_fail(d, BW_ERR_UNSUPPORTED, "unsupported: SIMD");
        return 0;
    default:
        bw_dec_fail(d, BW_ERR_MALFORMED, "malformed value type 0x%02x", b);
        return 0;
    }
}

uint8_t bw_dec_reftype(bw_decoder *d)
{
    uint8_t b = bw_dec_byte(d);
    if (bw_dec_ok(d) && b != BW_FUNCREF && b != BW_EXTERNREF) {
        bw_dec_fail(d, BW_ERR_MALFORMED, "malformed reference type");
        return 0;
    }
    return b;
}

bw_limits bw_dec_limits(bw_decoder *d)
{
    bw_limits limits = {0, 0, false};
    uint8_t flags = bw_dec_byte(d);
    if (!bw_dec_ok(d))
        return limits;
    if (flags & 0x80) {
        bw_dec_fail(d, BW_ERR_MALFORMED, "integer representation too long");
        return limits;
    }
    if (flags > 1) {
        bw_dec_fail(d, BW_ERR_MALFORMED, "integer too large");
        return limits;
    }
    limits.min = bw_dec_u32(d);
    if (flags == 1) {
        limits.has_max = true;
        limits.max = bw_dec_u32(d);
    }
    return limits;
}

void *bw_dec_alloc(bw_decoder *d, size_t count, size_t size)
{
    if (!bw_dec_ok(d) || count == 0)
        return NULL;
    if (size != 0 && count > (SIZE_MAX - sizeof(arena_block)) / size) {
        bw_dec_fail(d, BW_ERR_NOMEM, "out of memory");
        return NULL;
    }
    arena_block *block = calloc(1, sizeof(arena_block) + count * size);
    if (block == NULL) {
        bw_dec_fail(d, BW_ERR_NOMEM, "out of memory");
        return NULL;
    }
    block->next = d->module->arena;
    d->module->arena = block;
    return block->data;
}

void bw_arena_free(void *arena)
{
    arena_block *block = arena;
    while (block != NULL) {
        arena_block *next = block->next;
        free(block);
        block = next;
    }
}
