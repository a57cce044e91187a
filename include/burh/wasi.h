/* burh WASI: wasi_snapshot_preview1 host functions for modules run by the burh engine. */
#ifndef BURH_WASI_H
#define BURH_WASI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "burh/engine.h"

/*
 * A burh_wasi is one guest program's view of the outside world: its arguments, its
 * environment, its file descriptors (stdio and preopened directories) and its exit code.
 * It is made once, given to burh_wasi_link for one module in one store, and freed after
 * the store (the store's host functions point into it).
 *
 * Guest pointers are always translated by bw_memory_span; a bad pointer gives the guest
 * WASI errno EFAULT, never a host crash. Guest paths are resolved only beneath the
 * directory descriptor they are relative to: by the kernel (openat2 RESOLVE_BENEATH) for host
 * directories, by the memfs itself for in-memory ones. docs/wasi.md describes it all.
 */
typedef struct burh_wasi burh_wasi;

typedef enum {
    BURH_WASI_OK = 0,
    BURH_WASI_ERR_NOMEM,    /* the host is out of memory */
    BURH_WASI_ERR_ARG,      /* a bad argument: empty name, NUL byte, too many entries */
    BURH_WASI_ERR_HOST_DIR, /* a preopen's host directory could not be opened */
    BURH_WASI_ERR_NOSPACE,  /* a memfs budget or file size limit would be exceeded */
    BURH_WASI_ERR_EXISTS,   /* a memfs path exists as something else (e.g. a file as a dir) */
} burh_wasi_status;

/* Limits on what the embedder or a guest can make the host hold. */
#define BURH_WASI_MAX_ARGS          65536u
#define BURH_WASI_MAX_ARG_BYTES     (16u << 20) /* all args (or all env entries) together */
#define BURH_WASI_MAX_FDS           65536u      /* open guest descriptors */
#define BURH_WASI_MAX_IOVS          1024u       /* per call, as Linux IOV_MAX; more -> EINVAL */
#define BURH_WASI_MAX_SUBSCRIPTIONS 65536u      /* per poll_oneoff call; more -> EINVAL */

/* A new context with stdin, stdout and stderr as guest fds 0-2 (the host's 0-2, not closed
 * by the guest's fd_close). NULL when out of memory. */
burh_wasi *burh_wasi_new(void);
/* Frees the context and closes every descriptor it opened. NULL is allowed. */
void burh_wasi_free(burh_wasi *w);

/* Appends one argument (argv[0] first). The bytes are copied; NUL bytes are refused. */
burh_wasi_status burh_wasi_add_arg(burh_wasi *w, bw_name arg);
/* Appends one environment entry, "KEY=VALUE"; copied; must contain '=' and no NUL. */
burh_wasi_status burh_wasi_add_env(burh_wasi *w, bw_name entry);
/* Opens `host_path` on the host (O_PATH|O_DIRECTORY) and gives it to the guest as the next
 * preopened directory, named `guest_name` (what the guest sees, e.g. "/data" or "."). */
burh_wasi_status burh_wasi_add_preopen(burh_wasi *w, bw_name host_path, bw_name guest_name);
const char *burh_wasi_status_name(burh_wasi_status status);

/* ---- stdio without process descriptors ----
 * A sink receives everything the guest writes to one of its stdio descriptors, in order and
 * never truncated; it returns false when it cannot take the bytes, which the guest sees as
 * EIO. `ctx` stays the caller's and must outlive the context. */
typedef bool (*burh_wasi_sink)(void *ctx, const uint8_t *bytes, size_t len);
/* Replace guest fd 1 (2) by `sink`; the host's fd 1 (2) is then never touched. */
burh_wasi_status burh_wasi_set_stdout(burh_wasi *w, burh_wasi_sink sink, void *ctx);
burh_wasi_status burh_wasi_set_stderr(burh_wasi *w, burh_wasi_sink sink, void *ctx);
/* Replace guest fd 0 by a copy of `bytes` (then end of file). NULL with 0 is an empty stdin. */
burh_wasi_status burh_wasi_set_stdin(burh_wasi *w, const uint8_t *bytes, size_t len);

/* ---- sockets ----
 * Takes ownership of `host_fd`, a connected or listening stream socket (closed by the
 * context, also on failure), and gives it to the guest as the next descriptor. `name` is
 * what FD_NAMES calls it. A listening socket gets the sock_accept right. */
burh_wasi_status burh_wasi_add_socket(burh_wasi *w, int host_fd, bw_name name, bool listening);
/* Appends FD_COUNT=N and FD_NAMES=a:b:... (as Enarx does) describing every descriptor the
 * guest starts with: stdin, stdout, stderr, each preopen's guest name, each socket's name.
 * Entry i of FD_NAMES is guest fd i. Call after the last preopen and socket. */
burh_wasi_status burh_wasi_add_fd_env(burh_wasi *w);

/* ---- in-memory file system (for keeps, which must not read host files) ----
 * A tree of directories, regular files, symlinks and hard links held in host memory, with a
 * total byte budget (file contents plus names and link targets) and a per-file size limit.
 * Symlinks resolve only inside the memfs and never above the directory a lookup starts
 * from; more than 40 links in one lookup is ELOOP. Shared by reference counts: the embedder
 * holds one (dropped by burh_wasi_memfs_free) and every guest descriptor into it another. */
typedef struct burh_wasi_memfs burh_wasi_memfs;

#define BURH_WASI_MEMFS_MAX_NAME 255u /* bytes in one path component */

/* Mode bits: only write permission (0200) matters; a file or directory without it is
 * read-only for the guest (EACCES / EROFS-like refusals; the embedder may still add). */
#define BURH_WASI_MODE_RW     0644u
#define BURH_WASI_MODE_RO     0444u
#define BURH_WASI_MODE_DIR_RW 0755u
#define BURH_WASI_MODE_DIR_RO 0555u

/* A new empty memfs (just its root directory). `budget` caps all bytes it holds, `max_file`
 * the size of one file (0: no limit but the budget). NULL when out of memory. */
burh_wasi_memfs *burh_wasi_memfs_new(uint64_t budget, uint64_t max_file);
/* Drops the embedder's reference; the memory goes when no guest descriptor uses it. */
void burh_wasi_memfs_free(burh_wasi_memfs *fs);
/* Adds (or replaces the contents of) the regular file at `path` ("a/b/c", relative to the
 * memfs root, parents created as writable directories), copying `len` bytes. */
burh_wasi_status burh_wasi_memfs_add_file(burh_wasi_memfs *fs, bw_name path, const uint8_t *bytes,
                                          size_t len, uint32_t mode);
/* Adds a directory (and its parents); an existing one just gets `mode`. */
burh_wasi_status burh_wasi_memfs_add_dir(burh_wasi_memfs *fs, bw_name path, uint32_t mode);
/* Gives the guest the memfs directory `dir` ("" or "." for the root) as the next preopen,
 * named `guest_name`. The context takes a reference to `fs`. */
burh_wasi_status burh_wasi_preopen_memfs(burh_wasi *w, burh_wasi_memfs *fs, bw_name dir,
                                         bw_name guest_name);
/* Bytes the memfs holds now (within its budget). */
uint64_t burh_wasi_memfs_used(const burh_wasi_memfs *fs);

/* Resolves every import of `module` named "wasi_snapshot_preview1" to a host function in
 * `store`, written to imports_out[i] for import i (the array has bw_module_import_count
 * entries). Imports of other modules are left untouched (the caller resolves them).
 * An unknown WASI function or a wrong signature gives BW_ERR_UNLINKABLE naming it.
 * May be called once per context. */
bw_status burh_wasi_link(burh_wasi *w, bw_store *store, const bw_module *module,
                         bw_extern *imports_out, bw_error *err);

/* True when `import` is one burh_wasi_link resolves (its module is wasi_snapshot_preview1). */
bool burh_wasi_is_wasi_import(const bw_import_info *import);

#endif
