/* math64: 64-bit integer arithmetic, bit operations and a little floating point. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

/* a*b mod m without 128-bit types (Debian's wasm32 compiler-rt lacks them usably). */
static uint64_t addmod(uint64_t a, uint64_t b, uint64_t m)
{
    return a >= m - b ? a - (m - b) : a + b;
}

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m)
{
    uint64_t r = 0;
    a %= m;
    for (; b; b >>= 1) {
        if (b & 1)
            r = addmod(r, a, m);
        a = addmod(a, a, m);
    }
    return r;
}

static uint64_t powmod(uint64_t b, uint64_t e, uint64_t m)
{
    uint64_t r = 1;
    for (b %= m; e; e >>= 1, b = mulmod(b, b, m))
        if (e & 1)
            r = mulmod(r, b, m);
    return r;
}

static int is_prime(uint64_t n)
{
    if (n < 2)
        return 0;
    static const uint64_t bases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
    uint64_t d = n - 1;
    int s = 0;
    while (!(d & 1)) {
        d >>= 1;
        s++;
    }
    for (int i = 0; i < 12; i++) {
        uint64_t a = bases[i];
        if (a % n == 0)
            return 1;
        uint64_t x = powmod(a, d, n);
        if (x == 1 || x == n - 1)
            continue;
        int comp = 1;
        for (int r = 1; r < s && comp; r++) {
            x = mulmod(x, x, n);
            if (x == n - 1)
                comp = 0;
        }
        if (comp)
            return 0;
    }
    return 1;
}

int main(void)
{
    volatile uint64_t a = 0xfedcba9876543210u, b = 0x0123456789abcdefu;
    volatile int64_t s = -9000000000000000000, t = 7;
    printf("add %016" PRIx64 " sub %016" PRIx64 " mul %016" PRIx64 "\n", a + b, a - b, a * b);
    printf("div %" PRIu64 " mod %" PRIu64 " sdiv %" PRId64 " smod %" PRId64 "\n", a / b, a % b,
           s / t, s % t);
    printf("shifts %016" PRIx64 " %016" PRIx64 " %" PRId64 "\n", a << 13, a >> 7, s >> 3);
    printf("bits pop=%d clz=%d ctz=%d bswap=%016" PRIx64 "\n", __builtin_popcountll(a),
           __builtin_clzll(b), __builtin_ctzll(a), __builtin_bswap64(a));
    printf("rot %016" PRIx64 "\n", (a << 17) | (a >> 47));
    printf("limits %" PRId64 " %" PRId64 " %" PRIu64 "\n", INT64_MIN, INT64_MAX, UINT64_MAX);

    uint64_t fib[94] = {0, 1};
    for (int i = 2; i < 94; i++)
        fib[i] = fib[i - 1] + fib[i - 2];
    printf("fib(93) = %" PRIu64 "\n", fib[93]);

    int primes = 0;
    uint64_t last = 0;
    for (uint64_t n = 1000000000000000000u; n < 1000000000000000300u; n++) {
        if (is_prime(n)) {
            primes++;
            last = n;
        }
    }
    printf("primes in [1e18, 1e18+300): %d, last %" PRIu64 "\n", primes, last);

    uint64_t h = 0;
    for (uint32_t i = 0; i < 1000000; i++) {
        h ^= (uint64_t)i * 0x9e3779b97f4a7c15u;
        h = (h << 5) | (h >> 59);
    }
    printf("hash %016" PRIx64 "\n", h);

    double x = (double)(int64_t)a;
    printf("conv %.17g %" PRId64 " %" PRIu64 "\n", x, (int64_t)(x / 3), (uint64_t)1e19);
    printf("libm %.10g %.10g %.10g %.10g %.10g\n", sin(1.0), exp(1.0), log(10.0), pow(2.0, 0.5),
           atan2(1.0, 2.0));
    return 0;
}
