/* Benchmark: naive and memchr-free substring search over generated text. */
#include <string.h>

#include "bench.h"

static size_t count_matches(const char *text, size_t n, const char *pat, size_t m)
{
    size_t count = 0;
    for (size_t i = 0; i + m <= n; i++) {
        size_t j = 0;
        while (j < m && text[i + j] == pat[j])
            j++;
        if (j == m)
            count++;
    }
    return count;
}

int main(int argc, char **argv)
{
    long rounds = bench_scale(argc, argv, 30);
    size_t n = 1 << 20;
    char *text = malloc(n + 1);
    uint64_t seed = 11, sum = 0;
    if (!text)
        return 1;
    for (size_t i = 0; i < n; i++)
        text[i] = "abcab"[bench_rand(&seed) % 5];
    text[n] = 0;
    const char *pats[] = {"abcab", "aab", "cabcabca", "bbbb", "abcabcabcab"};
    for (long r = 0; r < rounds; r++)
        for (size_t p = 0; p < 5; p++)
            sum = sum * 31 + count_matches(text, n, pats[p], strlen(pats[p]));
    sum = sum * 31 + (uint64_t)(strstr(text, "cccc") == NULL);
    bench_report("strsearch", sum);
    free(text);
    return 0;
}
