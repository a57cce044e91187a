/* fuzz_kvm_stats.c: the shim's syscall counter table as the host receives it (any bytes):
 * checked, and when accepted written as text. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/kvm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct burh_sc_stat table[BURH_SC_STATS_MAX + 1];
    uint32_t n = (uint32_t)(size / sizeof(table[0]));
    if (n > BURH_SC_STATS_MAX + 1)
        n = BURH_SC_STATS_MAX + 1;
    memcpy(table, data, (size_t)n * sizeof(table[0]));
    if (kvm_stats_check(table, n) != 0)
        return 0;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return 0;
    if (kvm_stats_write(f, table, n) != 0)
        abort(); /* a checked table always writes */
    fclose(f);
    if (len == 0 || strncmp(text, "# burh kvm syscalls: ", 21) != 0)
        abort();
    free(text);
    return 0;
}
