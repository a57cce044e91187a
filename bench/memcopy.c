/* Benchmark: memory-copy heavy kernel (memcpy, memmove, memset over large buffers). */
#include <string.h>

#include "bench.h"

int main(int argc, char **argv)
{
    long rounds = bench_scale(argc, argv, 2000);
    size_t len = 4 << 20;
    uint8_t *a = malloc(len), *b = malloc(len);
    uint64_t sum = 0;
    if (!a || !b)
        return 1;
    for (size_t i = 0; i < len; i++)
        a[i] = (uint8_t)(i * 13);
    for (long r = 0; r < rounds; r++) {
        memcpy(b, a, len);
        memmove(b + 1, b, len - 1);
        memset(a + (r % 4096), (int)r, 4096);
        sum = sum * 31 + b[(size_t)r * 7919 % len] + a[(size_t)r * 104729 % len];
    }
    bench_report("memcopy", sum);
    free(a);
    free(b);
    return 0;
}
