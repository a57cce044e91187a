/* tcb_kvm_stats.h: reads the syscall counts a kvm keep writes (burh-keepldr --syscall-stats). */
#ifndef BURH_TCB_KVM_STATS_H
#define BURH_TCB_KVM_STATS_H

#include "burh/hostcall_abi.h"
#include "burh/tcb.h"

/* The file's format (docs/kvm.md, docs/tcb.md), written by burh-keepldr at the keep's end:
 *     # burh kvm syscalls: N distinct, M calls
 *     NAME DISPOSITION COUNT          (one line per syscall and disposition)
 * NAME is [a-z0-9_]{1,BURH_TCB_SYSCALL_NAME_MAX} ("syscall_N" when the keepldr has no name for
 * it), DISPOSITION is served|forwarded|refused, COUNT a decimal > 0. Fields are separated by
 * spaces or tabs (aligned columns are fine). Further lines starting with '#' and blank lines
 * are skipped, so the writer may add comments. M must be the sum of the counts; N the number
 * of distinct names (or of lines: both readings of "distinct" are accepted). */
/* Lines: as many as the shim can report (512 syscall numbers, 3 dispositions each). */
#define BURH_TCB_KVM_STATS_MAX    BURH_SC_STATS_MAX
#define BURH_TCB_SYSCALL_NAME_MAX 64u

typedef enum burh_tcb_disposition {
    BURH_TCB_SERVED = 0, /* answered inside the keep, by the shim */
    BURH_TCB_FORWARDED,  /* passed to the host as a hostcall */
    BURH_TCB_REFUSED,    /* -ENOSYS from the shim */
    BURH_TCB_DISPOSITION_COUNT
} burh_tcb_disposition;

const char *burh_tcb_disposition_name(burh_tcb_disposition d);

typedef struct burh_tcb_kvm_syscall {
    burh_tcb_bytes name; /* points into the text given to burh_tcb_kvm_stats_parse */
    burh_tcb_disposition disposition;
    uint64_t count;
} burh_tcb_kvm_syscall;

/* Caller-provided (about 50 KiB: allocate it); the names live as long as the text does. */
typedef struct burh_tcb_kvm_stats {
    uint64_t distinct_declared; /* N of the first line */
    uint64_t calls_declared;    /* M of the first line, checked against the lines */
    uint32_t distinct_names;    /* counted from the lines */
    uint32_t count;             /* entries used */
    uint32_t error_line;        /* 1-based line of the first error, 0 when OK */
    burh_tcb_kvm_syscall entries[BURH_TCB_KVM_STATS_MAX];
} burh_tcb_kvm_stats;

/* Parses the whole text. BURH_TCB_ERR_MALFORMED for a bad header, line, number, duplicate or a
 * total that does not add up; BURH_TCB_ERR_TOO_MANY past BURH_TCB_KVM_STATS_MAX lines. */
burh_tcb_status burh_tcb_kvm_stats_parse(const uint8_t *text, size_t len, burh_tcb_kvm_stats *out);

/* {"distinct", "calls", "served": [{"name","count"}], "forwarded": [...], "refused": [...]},
 * each list in the file's order. New reference; NULL when out of memory. */
json_t *burh_tcb_kvm_stats_json(const burh_tcb_kvm_stats *stats);

#endif
