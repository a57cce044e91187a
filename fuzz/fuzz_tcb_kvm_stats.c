/* Fuzz target: burh tcb's reader of the syscall counts a kvm keep writes (--syscall-stats). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tcb/tcb_kvm_stats.h"

static burh_tcb_kvm_stats stats;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    burh_tcb_status st = burh_tcb_kvm_stats_parse(data, size, &stats);
    if (st != BURH_TCB_OK) {
        if (stats.error_line == 0)
            abort(); /* every refusal names its line */
        return 0;
    }
    /* What was accepted lies inside the input, adds up, and converts to JSON. */
    uint64_t sum = 0;
    for (uint32_t i = 0; i < stats.count; i++) {
        const burh_tcb_kvm_syscall *e = &stats.entries[i];
        if (e->name.ptr < data || e->name.len == 0 || e->name.len > size ||
            e->name.ptr + e->name.len > data + size || e->count == 0 ||
            e->disposition >= BURH_TCB_DISPOSITION_COUNT)
            abort();
        sum += e->count;
    }
    if (sum != stats.calls_declared || stats.distinct_names > stats.count)
        abort();
    json_t *j = burh_tcb_kvm_stats_json(&stats);
    if (j == NULL)
        abort();
    json_decref(j);
    return 0;
}
