/* Shared helpers of the benchmark programs: the scale argument and the checksum line. */
#ifndef BURH_BENCH_H
#define BURH_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Every benchmark takes an optional repeat count so `make bench` can size runs. */
static inline long bench_scale(int argc, char **argv, long fallback)
{
    if (argc > 1) {
        long n = strtol(argv[1], NULL, 10);
        if (n > 0)
            return n;
    }
    return fallback;
}

static inline void bench_report(const char *name, uint64_t checksum)
{
    printf("%s checksum %016llx\n", name, (unsigned long long)checksum);
}

/* A small deterministic generator, so native and Wasm runs see the same data. */
static inline uint32_t bench_rand(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*state >> 33);
}

#endif
