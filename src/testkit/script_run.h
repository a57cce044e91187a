/* The spec-script runner behind burh-spectest: one wast2json script per call, in a fresh store. */
#ifndef BURH_TESTKIT_SCRIPT_RUN_H
#define BURH_TESTKIT_SCRIPT_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "burh/engine.h"
#include "testkit/bundle.h"

#define BT_MAX_CRASHED 64u

/* Where a script and its module files come from: a directory on disk, or a bundle that was
 * read whole (a kvm keep has no file system; docs/spectest.md). */
typedef struct bt_script_source {
    const char *dir;                /* disk: the script's directory */
    const bt_bundle_script *bundle; /* bundle: the script's entry (borrowed), else NULL */
    bw_name json_name;              /* the .json file's name */
} bt_script_source;

typedef struct bt_run_options {
    bool verbose;     /* report every failure, not the first 20 per script */
    bool trace;       /* each command on stderr before it runs */
    unsigned timeout; /* seconds per command through SIGALRM (bt_on_alarm), 0 = none */
    /* -s: lines of commands that crashed earlier runs. Commands before the last of them are
     * replayed silently to rebuild the state; the crashed ones are not run again. */
    long crashed[BT_MAX_CRASHED];
    unsigned ncrashed;
    long resume_line; /* the largest of crashed[] */
} bt_run_options;

typedef struct bt_counts {
    unsigned passed, failed, skipped;
} bt_counts;

/* Runs every command of the script, prints its failures and its line "NAME.wast: N passed,
 * N failed, N skipped" on stdout, and adds its counts to `total`. Exits the process (status
 * 2) only when out of memory. */
void bt_run_script(const bt_script_source *src, const bt_run_options *options, bt_counts *total);

/* The one way the runner reads a script's files: `name` must be a plain file name. From a
 * bundle *bytes points into it and *owned is NULL; from disk *owned is the malloc'd buffer
 * *bytes spans (the caller frees it). NULL on success, else why not (a static string). */
const char *bt_source_read(const bt_script_source *src, bw_name name, size_t max, bw_name *bytes,
                           uint8_t **owned);

/* The SIGALRM handler: interrupts the store of the script running. */
void bt_on_alarm(int signo);
/* Arms (seconds > 0) or disarms the per-command timer; false when setitimer fails. */
bool bt_set_command_timer(unsigned seconds);

#endif
