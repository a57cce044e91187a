/* Benchmark: a hand-written quicksort of 32-bit integers (no libc qsort). */
#include "bench.h"

static void sort(uint32_t *v, long lo, long hi)
{
    while (lo < hi) {
        uint32_t pivot = v[lo + (hi - lo) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                uint32_t t = v[i];
                v[i++] = v[j];
                v[j--] = t;
            }
        }
        if (j - lo < hi - i) {
            sort(v, lo, j);
            lo = i;
        } else {
            sort(v, i, hi);
            hi = j;
        }
    }
}

int main(int argc, char **argv)
{
    long rounds = bench_scale(argc, argv, 10);
    long n = 1000000;
    uint32_t *v = malloc(sizeof *v * (size_t)n);
    uint64_t seed = 3, sum = 0;
    if (!v)
        return 1;
    for (long r = 0; r < rounds; r++) {
        for (long i = 0; i < n; i++)
            v[i] = bench_rand(&seed);
        sort(v, 0, n - 1);
        for (long i = 1; i < n; i++)
            if (v[i - 1] > v[i])
                return 2;
        sum = sum * 31 + v[n / 2];
    }
    bench_report("quicksort", sum);
    free(v);
    return 0;
}
