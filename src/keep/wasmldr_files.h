/* wasmldr_files.h: the interim private directory that holds a workload's files and secrets. */
#ifndef BURH_KEEP_WASMLDR_FILES_H
#define BURH_KEEP_WASMLDR_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "burh/keep_proto.h"

/*
 * INTERIM, until WASI gets an in-memory file system: the workload's `files` are written under
 * a fresh mkdtemp() directory (mode 0700) that the guest sees as "/", its `secrets` under
 * /run/secrets/NAME in it (mode 0600). The directory is removed when the job ends.
 * What it lacks: the bytes sit in the host's file system, so on the nil backend the host can
 * read them (and a crash can leave them behind); in a confidential VM they stay in guest memory
 * only if the guest's /tmp is memory-backed.
 */
typedef struct wasmldr_files {
    char root[128]; /* "" when the workload has no files and no secrets */
} wasmldr_files;

/* Makes the directory for w's files and secrets; false with a reason in `why` otherwise
 * (a partly made directory is removed). */
bool wasmldr_files_make(const burh_workload *w, wasmldr_files *out, char *why, size_t cap);
/* Removes the directory and everything in it; safe on an empty wasmldr_files. */
void wasmldr_files_remove(wasmldr_files *f);

#endif
