/* kvm_stats.c: checks the shim's syscall counters and writes them as the plain text that
 * `burh run --trace-syscalls` and `burh tcb` read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/kvm.h"

static const char *const k_dispositions[3] = {"served", "forwarded", "refused"};

int kvm_stats_check(const struct burh_sc_stat *s, uint32_t n)
{
    if (n > BURH_SC_STATS_MAX)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        if (s[i].nr >= BURH_SC_NR_MAX || s[i].disposition > BURH_SC_REFUSED || s[i].count == 0)
            return -1;
        uint32_t key = (uint32_t)s[i].nr * 3u + s[i].disposition;
        if (i > 0 && key <= (uint32_t)s[i - 1].nr * 3u + s[i - 1].disposition)
            return -1; /* out of order or repeated: the shim never sends that */
    }
    return 0;
}

struct stat_line {
    char name[24];
    const char *disposition;
    uint32_t count;
};

static int line_order(const void *a, const void *b)
{
    const struct stat_line *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->disposition, y->disposition);
}

int kvm_stats_write(FILE *out, const struct burh_sc_stat *s, uint32_t n)
{
    if (n > BURH_SC_STATS_MAX || kvm_stats_check(s, n) != 0)
        return -1;
    struct stat_line *lines = calloc(n ? n : 1, sizeof(*lines));
    if (!lines)
        return -1;
    unsigned long long calls = 0;
    unsigned distinct = 0;
    for (uint32_t i = 0; i < n; i++) {
        const char *name = kvm_syscall_name(s[i].nr);
        if (name)
            snprintf(lines[i].name, sizeof(lines[i].name), "%s", name);
        else
            snprintf(lines[i].name, sizeof(lines[i].name), "syscall_%u", (unsigned)s[i].nr);
        lines[i].disposition = k_dispositions[s[i].disposition];
        lines[i].count = s[i].count;
        calls += s[i].count;
        distinct += i == 0 || s[i].nr != s[i - 1].nr; /* sorted by number: count changes */
    }
    qsort(lines, n, sizeof(*lines), line_order);
    int bad = fprintf(out, "# burh kvm syscalls: %u distinct, %llu calls\n", distinct, calls) < 0;
    for (uint32_t i = 0; i < n && !bad; i++)
        bad = fprintf(out, "%s %s %u\n", lines[i].name, lines[i].disposition, lines[i].count) < 0;
    free(lines);
    return bad || ferror(out) ? -1 : 0;
}
