/* hello.c: a static glibc program that must print the same inside a kvm keep as natively. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>

int main(int argc, char **argv)
{
    printf("hello from %s with %d argument(s)\n", argc > 0 ? "a static program" : "?", argc - 1);
    for (int i = 1; i < argc; i++)
        printf("argv[%d] = %s\n", i, argv[i]);

    /* malloc: small, and big enough to be mmapped by glibc */
    char *small = malloc(100), *big = malloc(1 << 20);
    if (!small || !big)
        return 10;
    memset(big, 0x5a, 1 << 20);
    snprintf(small, 100, "malloc ok, big[%d] = 0x%02x", (1 << 20) - 1,
             (unsigned char)big[(1 << 20) - 1]);
    puts(small);
    free(big);
    free(small);

    /* a 1 GiB PROT_NONE reservation, made accessible in part, as allocators do */
    size_t reserve = 1ul << 30;
    unsigned char *r = mmap(NULL, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r == MAP_FAILED || mprotect(r + (64 << 20), 2 << 20, PROT_READ | PROT_WRITE) != 0)
        return 11;
    unsigned long sum = 0;
    for (size_t off = 0; off < (2 << 20); off += 4096) {
        r[(64 << 20) + off] = (unsigned char)(off >> 12);
        sum += r[(64 << 20) + off];
    }
    printf("big mmap ok, checksum %lu\n", sum);
    if (munmap(r, reserve) != 0)
        return 12;

    unsigned char rnd[32];
    ssize_t got = getrandom(rnd, sizeof(rnd), 0);
    int nonzero = 0;
    for (int i = 0; i < (int)sizeof(rnd); i++)
        nonzero |= rnd[i];
    printf("getrandom ok: %zd bytes, %s\n", got, nonzero ? "not all zero" : "ALL ZERO");

    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    clock_gettime(CLOCK_MONOTONIC, &b);
    time_t now = time(NULL);
    printf("time ok: monotonic %s, wall clock after 2020: %s\n",
           (b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec)) ? "yes" : "NO",
           now > 1577836800 ? "yes" : "NO");
    fprintf(stderr, "hello on stderr\n");
    return 0;
}
