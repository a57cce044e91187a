/* keepldr.h: burh-keepldr's nil backend: a sandboxed burh-wasmldr process and its status relay. */
#ifndef BURH_HOST_KEEPLDR_H
#define BURH_HOST_KEEPLDR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Exit statuses of burh-keepldr itself (the keep's own status otherwise). */
#define KEEPLDR_STATUS_SETUP    70 /* the keep could not be built */
#define KEEPLDR_STATUS_PROTOCOL 76 /* wasmldr broke the status protocol */

/* Memory for burh-wasmldr itself on top of the keep's memory_mib (which is all the guest's
 * linear memory): code, thread stacks, TLS buffers, the workload body (up to 80 MiB) and its
 * in-memory file system copy. */
#define KEEPLDR_RUNTIME_MIB 384u
/* wasm32 linear memory cannot exceed 4 GiB: the guest's cap never goes above this. */
#define KEEPLDR_GUEST_MEM_MAX_MIB 4096u

struct keepldr_nil_config {
    const char *wasmldr_path;
    const char *nonce_hex;
    const char *listen; /* ADDR:PORT wasmldr binds */
    unsigned memory_mib;
    unsigned cpu_seconds;
    unsigned time_limit_s; /* wall-clock limit of the workload (wasmldr --time-limit); 0 = none */
    int status_fd;         /* to keepmgr */
    bool seccomp_audit;    /* log violations instead of killing (development only) */
};

/* Runs the keep to its end; returns keepldr's exit status (the keep's, or one above). */
int keepldr_nil_run(const struct keepldr_nil_config *cfg);

/* ---- sandbox pieces (keepldr_sandbox.c) ---- */

/* A cgroup v2 group for one keep, when the hierarchy is writable here. */
struct keepldr_cgroup {
    char path[512]; /* "" when not used */
};
/* Creates the group with memory.max, pids.max, cpu.max; false (and why) when not possible. */
bool keepldr_cgroup_create(struct keepldr_cgroup *cg, unsigned memory_mib, char *why,
                           size_t why_cap);
bool keepldr_cgroup_add(const struct keepldr_cgroup *cg, pid_t pid);
void keepldr_cgroup_remove(struct keepldr_cgroup *cg);

/* In the child, before exec: rlimits (AS, CPU, FSIZE, NOFILE, NPROC, CORE). 0 or -errno. */
int keepldr_set_rlimits(unsigned memory_mib, unsigned cpu_seconds);
/* In the child, last step before exec: PR_SET_NO_NEW_PRIVS and the seccomp allow-list. */
int keepldr_seccomp_install(bool audit);

#endif
