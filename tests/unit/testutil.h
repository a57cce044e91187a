/* Helpers shared by the unit tests: the shared test-vector directory, whole files, hex. */
#ifndef BURH_TEST_TESTUTIL_H
#define BURH_TEST_TESTUTIL_H

/* Include after <cmocka.h> and its prerequisites; functions are static inline so that a test
 * using only some of them has no unused ones. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Where the shared attestation vectors live: $BURH_SHARED_DIR, else next to the checkout. */
static inline const char *tu_shared_dir(void)
{
    const char *dir = getenv("BURH_SHARED_DIR");
    return dir && *dir ? dir : "../shared/attestation";
}

/* The path of `rel` under the shared directory, in `out` (asserts that it fits). */
static inline void tu_shared_path(const char *rel, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%s", tu_shared_dir(), rel);
    assert_true(n > 0 && (size_t)n < cap);
}

/* True when `rel` (a file or a directory) exists under the shared directory. */
static inline bool tu_shared_exists(const char *rel)
{
    char path[1024];
    struct stat st;
    tu_shared_path(rel, path, sizeof path);
    return stat(path, &st) == 0;
}

/* Reads the whole file at `path` into a new buffer the caller frees; NULL when it cannot be
 * opened. A read error or a file over 16 MiB fails the test rather than being cut short. */
static inline uint8_t *tu_read_file(const char *path, size_t *len)
{
    const size_t max = (size_t)16 << 20;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = malloc(max + 1);
    assert_non_null(buf);
    *len = fread(buf, 1, max + 1, f);
    assert_false(ferror(f));
    fclose(f);
    assert_true(*len <= max);
    return buf;
}

/* tu_read_file on `rel` under the shared directory. */
static inline uint8_t *tu_read_shared(const char *rel, size_t *len)
{
    char path[1024];
    tu_shared_path(rel, path, sizeof path);
    return tu_read_file(path, len);
}

/* Decodes hex pairs into `out` (asserts they are hex and fit); returns the byte count. */
static inline size_t tu_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (; hex[0] && hex[1]; hex += 2) {
        unsigned v;
        assert_true(n < cap);
        assert_int_equal(sscanf(hex, "%2x", &v), 1);
        out[n++] = (uint8_t)v;
    }
    return n;
}

/* Lower-case hex of `n` bytes into `out` (2n + 1 bytes). */
static inline void tu_tohex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

#endif
