/* bigout: writes N MB (argv[1], default 50) of numbered lines to stdout in large writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long mb = argc > 1 ? atol(argv[1]) : 50;
    size_t chunk = 1 << 20;
    char *buf = malloc(chunk);
    for (size_t i = 0; i < chunk; i++)
        buf[i] = (char)('a' + i % 26);
    for (size_t i = 63; i < chunk; i += 64)
        buf[i] = '\n';
    for (long i = 0; i < mb; i++) {
        memcpy(buf, "chunk ", 6);
        buf[6] = (char)('0' + i % 10);
        size_t off = 0;
        while (off < chunk) {
            ssize_t n = write(1, buf + off, chunk - off);
            if (n <= 0)
                return 1;
            off += (size_t)n;
        }
    }
    free(buf);
    return 0;
}
