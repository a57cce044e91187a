/* CBOR helpers shared by encoder and decoder: error messages, heads, exact floats, UTF-8. */
#include <string.h>

#include "cbor/cbor_internal.h"

const char *burh_cbor_errstr(burh_cbor_err err)
{
    switch (err) {
    case BURH_CBOR_OK:
        return "ok";
    case BURH_CBOR_END:
        return "no more items";
    case BURH_CBOR_ERR_BUFFER_TOO_SMALL:
        return "output buffer too small";
    case BURH_CBOR_ERR_TRUNCATED:
        return "input ends inside an item";
    case BURH_CBOR_ERR_TOO_LONG:
        return "length or count larger than the input left";
    case BURH_CBOR_ERR_RESERVED_AI:
        return "reserved additional information (28..30)";
    case BURH_CBOR_ERR_BAD_INDEFINITE:
        return "indefinite length on a type that has none";
    case BURH_CBOR_ERR_BAD_BREAK:
        return "break outside an indefinite-length item";
    case BURH_CBOR_ERR_BAD_CHUNK:
        return "indefinite string chunk of the wrong type";
    case BURH_CBOR_ERR_BAD_SIMPLE:
        return "two-byte simple value below 32";
    case BURH_CBOR_ERR_ODD_MAP:
        return "map key without a value";
    case BURH_CBOR_ERR_INVALID_UTF8:
        return "text string is not valid UTF-8";
    case BURH_CBOR_ERR_DEPTH:
        return "nesting too deep";
    case BURH_CBOR_ERR_NOT_SHORTEST:
        return "not the shortest encoding (strict)";
    case BURH_CBOR_ERR_INDEFINITE:
        return "indefinite length (strict)";
    case BURH_CBOR_ERR_UNSORTED_KEYS:
        return "map keys not in order (strict)";
    case BURH_CBOR_ERR_DUPLICATE_KEY:
        return "duplicate map key";
    case BURH_CBOR_ERR_TRAILING:
        return "bytes left after the item";
    case BURH_CBOR_ERR_SCRATCH_TOO_SMALL:
        return "scratch buffer too small for the string";
    case BURH_CBOR_ERR_TYPE:
        return "item of another type";
    case BURH_CBOR_ERR_NOT_FOUND:
        return "no such key";
    case BURH_CBOR_ERR_UNBALANCED:
        return "unbalanced containers or tag without content";
    case BURH_CBOR_ERR_ARGS:
        return "bad argument";
    }
    return "unknown CBOR error";
}

size_t cbor_head_encode(uint8_t out[CBOR_HEAD_MAX], unsigned major, uint64_t arg)
{
    unsigned size, i;
    uint8_t ai;

    if (arg < 24) {
        out[0] = (uint8_t)(major << 5 | arg);
        return 1;
    }
    if (arg <= 0xff) {
        size = 1, ai = 24;
    } else if (arg <= 0xffff) {
        size = 2, ai = 25;
    } else if (arg <= 0xffffffffu) {
        size = 4, ai = 26;
    } else {
        size = 8, ai = 27;
    }
    out[0] = (uint8_t)(major << 5 | ai);
    for (i = 0; i < size; i++)
        out[1 + i] = (uint8_t)(arg >> (8 * (size - 1 - i)));
    return 1 + size;
}

int cbor_key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;

    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen;
}

size_t cbor_item_size(const uint8_t *p, size_t n)
{
    burh_cbor_decoder d;
    burh_cbor_bytes raw;

    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(p, n), BURH_CBOR_SEQUENCE);
    burh_cbor_decoder_set_max_depth(&d, BURH_CBOR_MAX_DEPTH);
    if (burh_cbor_next_raw(&d, &raw) != BURH_CBOR_OK)
        return 0;
    return raw.len;
}

/* Half: 1 sign, 5 exponent (bias 15), 10 fraction. Subnormals are fraction * 2^-24. */
uint64_t burh_cbor_half_to_double_bits(uint16_t half)
{
    uint64_t sign = (uint64_t)(half >> 15) << 63;
    unsigned exp = (half >> 10) & 0x1f;
    uint64_t frac = half & 0x3ff;
    int e;

    if (exp == 0x1f)
        return sign | 0x7ff0000000000000ull | frac << 42;
    if (exp == 0 && frac == 0)
        return sign;
    if (exp == 0) {
        /* Normalise: value = frac * 2^-24 = 1.xxx * 2^e. */
        e = -14;
        while (!(frac & 0x400)) {
            frac <<= 1;
            e--;
        }
        frac &= 0x3ff;
        return sign | (uint64_t)(e + 1023) << 52 | frac << 42;
    }
    return sign | (uint64_t)((int)exp - 15 + 1023) << 52 | frac << 42;
}

uint64_t burh_cbor_single_to_double_bits(uint32_t single)
{
    uint64_t sign = (uint64_t)(single >> 31) << 63;
    unsigned exp = (single >> 23) & 0xff;
    uint64_t frac = single & 0x7fffff;
    int e;

    if (exp == 0xff)
        return sign | 0x7ff0000000000000ull | frac << 29;
    if (exp == 0 && frac == 0)
        return sign;
    if (exp == 0) {
        e = -126;
        while (!(frac & 0x800000)) {
            frac <<= 1;
            e--;
        }
        frac &= 0x7fffff;
        return sign | (uint64_t)(e + 1023) << 52 | frac << 29;
    }
    return sign | (uint64_t)((int)exp - 127 + 1023) << 52 | frac << 29;
}

/* True if the finite, nonzero binary64 (unbiased exponent e, 53-bit significand sig) fits a
 * format with `frac_bits` fraction bits, minimum normal exponent emin and maximum emax. */
static bool fits_format(int e, uint64_t sig, unsigned frac_bits, int emin, int emax)
{
    int drop;

    if (e > emax)
        return false;
    if (e >= emin)
        drop = 52 - (int)frac_bits;
    else
        drop = 52 - (int)frac_bits + (emin - e); /* subnormal: fewer bits of precision */
    if (drop > 52)
        return false;
    return (sig & ((1ull << drop) - 1)) == 0;
}

unsigned burh_cbor_float_preferred_size(uint64_t bits)
{
    unsigned exp = (unsigned)(bits >> 52) & 0x7ff;
    uint64_t frac = bits & 0xfffffffffffffull;
    int e;
    uint64_t sig;

    if (exp == 0x7ff) { /* infinity or NaN: keep the payload's significant bits */
        if ((frac & ((1ull << 42) - 1)) == 0)
            return 2;
        return (frac & ((1ull << 29) - 1)) == 0 ? 4 : 8;
    }
    if (exp == 0 && frac == 0)
        return 2;
    if (exp == 0)
        return 8; /* binary64 subnormals are far below the other formats' range */
    e = (int)exp - 1023;
    sig = frac | 1ull << 52;
    if (fits_format(e, sig, 10, -14, 15))
        return 2;
    if (fits_format(e, sig, 23, -126, 127))
        return 4;
    return 8;
}

/* Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. */
bool burh_cbor_utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        uint8_t c = p[i];
        size_t need;
        uint8_t lo = 0x80, hi = 0xbf;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            if (c == 0xe0)
                lo = 0xa0;
            else if (c == 0xed)
                hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            if (c == 0xf0)
                lo = 0x90;
            else if (c == 0xf4)
                hi = 0x8f;
        } else {
            return false;
        }
        if (n - i - 1 < need)
            return false;
        if (p[i + 1] < lo || p[i + 1] > hi)
            return false;
        for (size_t k = 2; k <= need; k++)
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
        i += need + 1;
    }
    return true;
}
