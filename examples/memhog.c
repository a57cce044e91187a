/* memhog: allocates argv[1] MiB in 1 MiB pieces, touching each; for --mem-limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    long want = argc > 1 ? atol(argv[1]) : 64, got = 0;
    void *chain = NULL; /* each block points at the previous, so none can be optimised away */
    while (got < want) {
        void **block = malloc(1 << 20);
        if (!block)
            break;
        memset(block, (int)got, 1 << 20);
        block[0] = chain;
        chain = block;
        got++;
    }
    printf("allocated %ld of %ld MiB\n", got, want);
    while (chain) {
        void *prev = *(void **)chain;
        free(chain);
        chain = prev;
    }
    return got == want ? 0 : 3;
}
