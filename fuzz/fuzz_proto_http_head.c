/* fuzz_proto_http_head.c: the request-head scanner behind the early CBOR 413 (keep/http_guard.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keep/http_guard.h"

/*
 * The first byte picks the piece size the rest arrives in (as a slow client sends it) and the
 * second the limit's scale. The verdict must not depend on the pieces: the input is scanned
 * whole and in pieces, and both must agree on the verdict and on where the head ended.
 */
static int scan(const uint8_t *data, size_t size, size_t step, size_t limit, size_t *used_total)
{
    http_head_scan s;
    http_head_scan_init(&s, limit);
    *used_total = 0;
    for (size_t at = 0; at < size; at += step) {
        size_t n = size - at < step ? size - at : step, used = 0;
        int r = http_head_scan_feed(&s, (const char *)data + at, n, &used);
        if (used > n)
            abort();
        *used_total += used;
        if (r != 0)
            return r;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t step = (size_t)data[0] % 16 + 1, limit = (size_t)1 << (data[1] % 30);
    size_t used_whole = 0, used_pieces = 0;
    int whole = scan(data + 2, size - 2, size, limit, &used_whole);
    int pieces = scan(data + 2, size - 2, step, limit, &used_pieces);
    if (whole != pieces || used_whole != used_pieces)
        abort();
    return 0;
}
