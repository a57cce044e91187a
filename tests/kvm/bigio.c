/* bigio.c: reads and writes larger than one hostcall block (64 KiB), plain and vectored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define BIG (1u << 20)

int main(void)
{
    unsigned char *buf = malloc(BIG);
    if (!buf)
        return 2;
    for (unsigned i = 0; i < BIG; i++)
        buf[i] = (unsigned char)(i * 7 + (i >> 12));
    size_t done = 0;
    while (done < BIG) { /* one write call may send less than asked, as on Linux */
        ssize_t n = write(1, buf + done, BIG - done);
        if (n <= 0)
            return 3;
        done += (size_t)n;
    }
    struct iovec iov[3] = {{buf, 100000}, {buf + 200000, 1}, {buf + 300000, 70000}};
    ssize_t v = writev(1, iov, 3);
    if (v <= 0)
        return 4;
    /* stdin is /dev/zero: fill 200 KB through short reads */
    memset(buf, 0xff, 200000);
    size_t got = 0;
    while (got < 200000) {
        ssize_t n = read(0, buf + got, 200000 - got);
        if (n <= 0)
            return 5;
        got += (size_t)n;
    }
    unsigned long sum = 0;
    for (size_t i = 0; i < got; i++)
        sum += buf[i];
    fprintf(stderr, "wrote %zu + %zd bytes, read %zu bytes summing to %lu\n", done, v, got, sum);
    return 0;
}
