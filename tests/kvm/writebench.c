/* writebench.c: median cost of a 1-byte write(2) (run with stdout on /dev/null). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define BATCHES   51
#define PER_BATCH 200

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    double ns[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < PER_BATCH; i++)
            if (write(1, "x", 1) != 1)
                return 1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ns[b] = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / PER_BATCH;
    }
    qsort(ns, BATCHES, sizeof(ns[0]), by_value);
    fprintf(stderr, "write 1 byte: median %.0f ns over %d batches of %d\n", ns[BATCHES / 2],
            BATCHES, PER_BATCH);
    return 0;
}
