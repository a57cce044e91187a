/* Benchmark: sieve of Eratosthenes, repeated, counting primes. */
#include <string.h>

#include "bench.h"

int main(int argc, char **argv)
{
    long rounds = bench_scale(argc, argv, 40);
    size_t n = 4000000;
    uint8_t *composite = malloc(n + 1);
    uint64_t total = 0;
    if (!composite)
        return 1;
    for (long r = 0; r < rounds; r++) {
        memset(composite, 0, n + 1);
        uint64_t count = 0;
        for (size_t i = 2; i <= n; i++) {
            if (composite[i])
                continue;
            count++;
            if (i > n / i) /* i * i would pass n (and overflow a 32-bit size_t) */
                continue;
            for (size_t j = i * i; j <= n; j += i)
                composite[j] = 1;
        }
        total = total * 31 + count;
    }
    bench_report("sieve", total);
    free(composite);
    return 0;
}
