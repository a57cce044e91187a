/* tcb_facts.h: the build-time facts scripts/tcb-facts.sh generates (build/<variant>/gen/). */
#ifndef BURH_TCB_FACTS_H
#define BURH_TCB_FACTS_H

#include <stddef.h>
#include <stdint.h>

/* Lines of code of one source folder: non-blank lines that are not only comment. */
typedef struct burh_tcb_loc_fact {
    const char *component;
    const char *dir;
    int trusted; /* 1: inside the keep (the TCB); 0: outside it */
    uint32_t files;
    uint64_t lines;
} burh_tcb_loc_fact;

typedef struct burh_tcb_hostcall_fact {
    const char *name; /* BURH_HC_<name> */
    uint32_t number;
} burh_tcb_hostcall_fact;

typedef struct burh_tcb_wasi_fact {
    const char *name;
    const char *params;  /* 'i' = i32, 'I' = i64 */
    const char *results; /* "i" (the errno) or "" */
} burh_tcb_wasi_fact;

/* Code bytes one input library (archive, object) contributes to a static link. */
typedef struct burh_tcb_link_fact {
    const char *library;
    uint64_t code_bytes;
} burh_tcb_link_fact;

/* Each table ends with an entry whose first member is NULL. */
extern const char burh_tcb_facts_cc[];
extern const char burh_tcb_facts_cflags[];
extern const char burh_tcb_facts_ldflags[];
extern const char burh_tcb_facts_shim_cflags[];
/* Lines of the kvm host sources (src/host) naming KVM_IOEVENTFD, KVM_IRQFD, KVM_CREATE_IRQCHIP or
 * virtio. */
extern const uint32_t burh_tcb_facts_kvm_device_refs;
extern const burh_tcb_loc_fact burh_tcb_facts_loc[];
extern const burh_tcb_hostcall_fact burh_tcb_facts_hostcalls[];
extern const burh_tcb_wasi_fact burh_tcb_facts_wasi[];
extern const char *const burh_tcb_facts_shim_served[];
extern const char *const burh_tcb_facts_shim_forwarded[];

/* From link maps; programs linked without build/<variant>/gen/tcb_linkfacts.o get empty
 * tables (weak definitions in tcb_report.c) and report the link figures as not measured. */
extern const burh_tcb_link_fact burh_tcb_link_wasmldr[];
extern const burh_tcb_link_fact burh_tcb_link_wasmldr_components[]; /* libburh.a by folder */
extern const burh_tcb_link_fact burh_tcb_link_shim[];

#endif
