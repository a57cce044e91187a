/* Benchmark: fannkuch-redux (permutations and prefix reversals). */
#include "bench.h"

static void fannkuch(int n, int64_t *checksum, int *maxflips)
{
    int perm[16], perm1[16], count[16];
    int r = n, permcount = 0;
    *checksum = 0;
    *maxflips = 0;
    for (int i = 0; i < n; i++)
        perm1[i] = i;
    for (;;) {
        for (; r != 1; r--)
            count[r - 1] = r;
        for (int i = 0; i < n; i++)
            perm[i] = perm1[i];
        int flips = 0, k;
        while ((k = perm[0]) != 0) {
            for (int i = 0, j = k; i < j; i++, j--) {
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            flips++;
        }
        if (flips > *maxflips)
            *maxflips = flips;
        *checksum += (permcount % 2 == 0) ? flips : -flips;
        for (;;) {
            if (r == n)
                return;
            int perm0 = perm1[0];
            for (int i = 0; i < r; i++)
                perm1[i] = perm1[i + 1];
            perm1[r] = perm0;
            if (--count[r] > 0)
                break;
            r++;
        }
        permcount++;
    }
}

int main(int argc, char **argv)
{
    int n = (int)bench_scale(argc, argv, 10);
    if (n > 12)
        n = 12;
    int64_t checksum;
    int maxflips;
    fannkuch(n, &checksum, &maxflips);
    printf("%lld\nPfannkuchen(%d) = %d\n", (long long)checksum, n, maxflips);
    bench_report("fannkuch", (uint64_t)checksum * 100 + (uint64_t)maxflips);
    return 0;
}
