/* run_keep.h: `burh run --backend kvm|nil`: the program in a local keep we start ourselves. */
#ifndef BURH_CLI_RUN_KEEP_H
#define BURH_CLI_RUN_KEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "burh/keep_proto.h"

/* What `burh run` was asked for, as far as a keep can do it. Borrowed from the caller. */
typedef struct run_keep_request {
    burh_keep_backend backend; /* BURH_BACKEND_KVM or BURH_BACKEND_NIL */
    const char *file;          /* APP.wasm */
    char *const *args;         /* after argv[0] */
    int nargs;
    char *const *envs; /* KEY=VALUE */
    size_t nenvs;
    char *const *dirs; /* HOST[::GUEST]: copied into the keep's in-memory file system */
    const bool *dir_in_mem;
    size_t ndirs;
    uint32_t mem_limit_mib; /* 0: the keep's default memory */
    uint32_t time_limit_s;  /* 0: none */
    const char *trace_path; /* --trace-syscalls: NULL, "-" (stderr) or a file */
    bool verbose;
} run_keep_request;

/* Everything read from disk for the workload, and the arrays that point into it. */
typedef struct run_keep_inputs {
    burh_workload w;
    uint8_t **blobs; /* module and file contents */
    size_t nblobs, blob_cap;
    char **paths; /* guest paths of the uploaded files */
    size_t npaths;
    size_t file_cap; /* entries in w.files */
    size_t data_total;
} run_keep_inputs;

/* Runs the request in a fresh local keep and returns `burh run`'s exit status (docs/cli.md). */
int run_keep(const run_keep_request *r);

/* NULL when a kvm keep can be started from this burh (a usable /dev/kvm and the keep's
 * binaries next to burh), else why not (a static string). */
const char *run_keep_kvm_unusable(void);

/* run_workload.c: reads the module, the directories' files, args and env into `in`; false
 * after a message. run_keep_inputs_free releases it (also after a failure). */
bool run_keep_load_inputs(const run_keep_request *r, run_keep_inputs *in);
void run_keep_inputs_free(run_keep_inputs *in);
/* The encoded workload in a new buffer (the caller clears and frees it); NULL after a message. */
uint8_t *run_keep_encode(const burh_workload *w, size_t *len);

#endif
