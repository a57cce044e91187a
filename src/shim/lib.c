/* lib.c: the few libc-like helpers the freestanding shim needs: memory, formatting, entropy. */
#include "shim/shim.h"

/* String instructions: one instruction per copy, which matters when the shim's instructions
 * are emulated one by one (KVM on a PVM host, see docs/kvm.md). */
void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    size_t words = n / 8, rest = n % 8;
    __asm__ volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(words) : : "memory");
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(rest) : : "memory");
    return dst;
}

/* Forwards unless dst lies inside (src, src + n); then backwards with the direction flag set,
 * the odd bytes at the top first, then whole words. (It was a byte loop: inserting a region
 * into the shim's sorted table cost ~1 ms when emulated.) */
void *memmove(void *dst, const void *src, size_t n)
{
    if ((uintptr_t)dst - (uintptr_t)src >= n)
        return memcpy(dst, src, n);
    size_t words = n / 8, rest = n % 8;
    uint8_t *d = (uint8_t *)dst + n - 1;
    const uint8_t *s = (const uint8_t *)src + n - 1;
    __asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(rest) : : "memory");
    d -= 7; /* now at the last whole word still to copy */
    s -= 7;
    __asm__ volatile("std; rep movsq; cld" : "+D"(d), "+S"(s), "+c"(words) : : "memory");
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    size_t words = n / 8, rest = n % 8;
    uint64_t pattern = (uint8_t)c * 0x0101010101010101ull;
    __asm__ volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(pattern) : "memory");
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(rest) : "a"(pattern) : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

/* A bounded writer: output past the capacity is dropped, the result always terminated. */
struct out {
    char *buf;
    size_t cap, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len++] = c;
}

static void put_unsigned(struct out *o, uint64_t v, unsigned base, int min_digits)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v && n < (int)sizeof(digits));
    while (n < min_digits && n < (int)sizeof(digits))
        digits[n++] = '0';
    while (n)
        put(o, digits[--n]);
}

/* Supports %s %c %d %u %x %p with an optional l/ll and a zero-padded width: what logs need. */
int shim_vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
    struct out o = {buf, cap, 0};
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        int width = 0, is_long = 0;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') {
            is_long = 1;
            fmt++;
        }
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            while (s && *s)
                put(&o, *s++);
            break;
        }
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case 'd': {
            int64_t v = is_long ? va_arg(ap, int64_t) : va_arg(ap, int);
            if (v < 0) {
                put(&o, '-');
                put_unsigned(&o, (uint64_t)0 - (uint64_t)v, 10, width);
            } else {
                put_unsigned(&o, (uint64_t)v, 10, width);
            }
            break;
        }
        case 'u':
            put_unsigned(&o, is_long ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width);
            break;
        case 'x':
            put_unsigned(&o, is_long ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width);
            break;
        case 'p':
            put(&o, '0');
            put(&o, 'x');
            put_unsigned(&o, (uint64_t)(uintptr_t)va_arg(ap, void *), 16, 1);
            break;
        case '\0':
            fmt--;
            break;
        default:
            put(&o, *fmt);
        }
    }
    if (cap)
        buf[o.len] = '\0';
    return (int)o.len;
}

int shim_format(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = shim_vformat(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

static int rdseed64(uint64_t *v)
{
    unsigned char ok;
    __asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
    return ok;
}

static int rdrand64(uint64_t *v)
{
    unsigned char ok;
    __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
    return ok;
}

/* One 64-bit word from the CPU, RDSEED first; both can transiently fail, so retry a bit. */
static int random_word(uint64_t *v)
{
    static int have_rdseed = -1, have_rdrand = -1;
    if (have_rdseed < 0) {
        uint32_t a, b, c, d;
        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
        have_rdseed = (b >> 18) & 1;
        __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
        have_rdrand = (c >> 30) & 1;
    }
    for (int i = 0; i < 64; i++) {
        if (have_rdseed && rdseed64(v))
            return 0;
        if (have_rdrand && rdrand64(v))
            return 0;
    }
    return -1;
}

/* Fills buf from the CPU's generator (never from the host). -1 when the CPU gives none. */
int shim_random_bytes(void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len) {
        uint64_t w;
        if (random_word(&w) != 0)
            return -1;
        size_t n = len < 8 ? len : 8;
        memcpy(p, &w, n);
        p += n;
        len -= n;
    }
    return 0;
}
