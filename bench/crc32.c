/* Benchmark: table-driven CRC-32 (IEEE) over a buffer, repeated. */
#include "bench.h"

static uint32_t table[256];

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

static uint32_t crc32(const uint8_t *p, size_t n, uint32_t crc)
{
    crc = ~crc;
    while (n--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

int main(int argc, char **argv)
{
    long rounds = bench_scale(argc, argv, 200);
    size_t len = 1 << 20;
    uint8_t *buf = malloc(len);
    uint64_t seed = 1;
    if (!buf)
        return 1;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)bench_rand(&seed);
    make_table();
    uint32_t crc = 0;
    for (long r = 0; r < rounds; r++)
        crc = crc32(buf, len, crc);
    bench_report("crc32", crc);
    free(buf);
    return 0;
}
