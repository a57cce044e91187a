/* tcb_internal.h: the parts of burh tcb that assemble its report (src/tcb/). */
#ifndef BURH_TCB_INTERNAL_H
#define BURH_TCB_INTERNAL_H

#include "burh/tcb.h"

/* Where `name` is on $PATH, copied into out; false when it is not there or too long. */
bool tcb_find_in_path(const char *name, char *out, size_t cap);

/* Reads a whole file (at most max bytes). The caller frees *bytes. */
burh_tcb_status tcb_read_file(const char *path, size_t max, uint8_t **bytes, size_t *len);

/* One binary's file size, code sizes, DT_NEEDED (resolved, with .text sizes) and strings;
 * {"present": false, "why"} when it is missing or unreadable. New reference. */
json_t *tcb_measure_binary(const char *bin_dir, const char *name, const char *role);

/* .text bytes of a shared library found by path or by soname in the usual library folders;
 * -1 when not found or unreadable. */
int64_t tcb_library_text_bytes(const char *path_or_soname, char *resolved, size_t cap);

/* The workload run under strace (tcb_run.c). New reference, never NULL unless out of memory. */
json_t *tcb_measure_trace(const burh_tcb_options *opt);

/* The API across the keep boundary: hostcalls, WASI, HTTP (tcb_api.c). */
json_t *tcb_api(void);

/* Per backend: threat model, shared memory, caches, DMA, syscall view (tcb_model.c).
 * trace and binaries are the measured parts the backend view refers to. */
json_t *tcb_backend_view(burh_tcb_backend backend, const json_t *trace, const json_t *binaries,
                         const char *bin_dir);

/* The cryptography inside the keep, with the symbol names found in burh-wasmldr. */
json_t *tcb_crypto(const char *bin_dir);

#endif
