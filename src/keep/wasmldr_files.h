/* wasmldr_files.h: a workload's files and secrets, in an in-memory file system for the guest. */
#ifndef BURH_KEEP_WASMLDR_FILES_H
#define BURH_KEEP_WASMLDR_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "burh/keep_proto.h"
#include "burh/wasi.h"

/*
 * The workload's `files` and `secrets` never touch the host's file system: they are copied
 * into a WASI memfs (keep memory only) that the guest sees as its preopened directory "/",
 * files at their absolute paths (writable), secrets read-only at /run/secrets/NAME. The guest
 * may write up to WASMLDR_FILES_SCRATCH more bytes into it.
 */
#define WASMLDR_FILES_SCRATCH (64u << 20)

typedef struct wasmldr_files {
    burh_wasi_memfs *fs; /* NULL when the workload has no files and no secrets */
} wasmldr_files;

/* Builds the memfs for w's files and secrets and preopens it in `wasi` as "/"; false with a
 * reason in `why` otherwise. */
bool wasmldr_files_make(const burh_workload *w, burh_wasi *wasi, wasmldr_files *out, char *why,
                        size_t cap);
/* Drops our reference to the memfs (the WASI context holds its own until it is freed). */
void wasmldr_files_free(wasmldr_files *f);

#endif
