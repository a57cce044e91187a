/* tcb_internal.h: the parts of burh tcb that assemble its report (src/tcb/). */
#ifndef BURH_TCB_INTERNAL_H
#define BURH_TCB_INTERNAL_H

#include <sys/types.h>

#include "burh/tcb.h"

/* The nonce of the reference runs: any 16 bytes, since nil and kvm keeps sign nothing. */
#define TCB_RUN_NONCE "6275726820746362206e6f6e63652031"

/* Where `name` is on $PATH, copied into out; false when it is not there or too long. */
bool tcb_find_in_path(const char *name, char *out, size_t cap);

/* Reads a whole file (at most max bytes). The caller frees *bytes. */
burh_tcb_status tcb_read_file(const char *path, size_t max, uint8_t **bytes, size_t *len);

/* One binary's file size, code sizes, DT_NEEDED (resolved, with .text sizes) and strings;
 * {"present": false, "why"} when it is missing or unreadable. New reference. */
json_t *tcb_measure_binary(const char *bin_dir, const char *name, const char *role);

/* Whether the symbol tables of an ELF64 file (.symtab, .dynsym) name `name`, defined or
 * imported. Every offset is checked; a malformed or foreign file answers false. */
bool tcb_elf_has_symbol(const uint8_t *bytes, size_t len, const char *name);

/* .text bytes of a shared library found by path or by soname in the usual library folders;
 * -1 when not found or unreadable. */
int64_t tcb_library_text_bytes(const char *path_or_soname, char *resolved, size_t cap);

/* The workload run under strace (tcb_run.c). New reference, never NULL unless out of memory. */
json_t *tcb_measure_trace(const burh_tcb_options *opt);

/* The workload run in a kvm keep whose keepldr counts its syscalls (tcb_kvm_run.c):
 * {"counted": true, "method", "workload", "client_exit", "loader_exit", "stats": {...}} or
 * {"counted": false, "why"}. New reference, never NULL unless out of memory. */
json_t *tcb_measure_kvm_syscalls(const burh_tcb_options *opt);

/* The parts of a reference run both backends share (tcb_run.c). */
typedef struct tcb_client {
    char path[1024];
    bool is_burh; /* `burh deploy` rather than burh-deploy */
} tcb_client;

const char *tcb_find_client(const char *bin_dir, tcb_client *client);
const char *tcb_make_temp_dir(char dir[32]);
/* A free loopback "127.0.0.1:PORT" in out; returns the port, -1 when none. */
int tcb_listen_address(char *out, size_t cap);
/* Runs argv with stdin on /dev/null and stdout, stderr on out_fd, err_fd (-1: /dev/null). */
pid_t tcb_spawn(char *const argv[], int out_fd, int err_fd);
/* Waits up to timeout_ms for pid, then kills it (SIGTERM). Returns the wait status. */
int tcb_wait_or_kill(pid_t pid, long timeout_ms, bool *timed_out);
/* Starts the loader, waits until its stderr says "listening", sends the workload with
 * `burh deploy --direct ADDR` allowing `backend`, waits for both; records client_exit,
 * loader_exit and loader_killed_after_timeout in rec. Returns why it failed, or NULL. */
const char *tcb_run_reference(char *const loader_argv[], const char *addr, const char *backend,
                              const tcb_client *client, const char *workload, json_t *rec);

/* The API across the keep boundary: hostcalls, WASI, HTTP (tcb_api.c). */
json_t *tcb_api(void);

/* Per backend: threat model, shared memory, caches, DMA, syscall view (tcb_model.c).
 * trace (the nil run, with library sizes), binaries and kvm_run (tcb_measure_kvm_syscalls)
 * are the measured parts the backend view refers to. */
json_t *tcb_backend_view(burh_tcb_backend backend, const json_t *trace, const json_t *binaries,
                         const json_t *kvm_run);

/* The cryptography inside the keep, with the symbol names found in burh-wasmldr. */
json_t *tcb_crypto(const char *bin_dir);

#endif
