/* Benchmark: dense double-precision matrix multiply (i-k-j loop order). */
#include <string.h>

#include "bench.h"

int main(int argc, char **argv)
{
    long rounds = bench_scale(argc, argv, 40);
    const int n = 256;
    double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n);
    double *c = malloc(sizeof(double) * n * n);
    uint64_t seed = 7, sum = 0;
    if (!a || !b || !c)
        return 1;
    for (int i = 0; i < n * n; i++) {
        a[i] = (double)(bench_rand(&seed) % 1000) / 100.0;
        b[i] = (double)(bench_rand(&seed) % 1000) / 100.0;
    }
    for (long r = 0; r < rounds; r++) {
        memset(c, 0, sizeof(double) * n * n);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++) {
                double aik = a[i * n + k];
                for (int j = 0; j < n; j++)
                    c[i * n + j] += aik * b[k * n + j];
            }
        a[r % (n * n)] += 1.0;
        for (int i = 0; i < n * n; i += 97)
            sum = sum * 31 + (uint64_t)(int64_t)c[i];
    }
    bench_report("matmul", sum);
    free(a);
    free(b);
    free(c);
    return 0;
}
