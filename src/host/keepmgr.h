/* keepmgr.h: burh-keepmgr's parts: keep table, state records, supervision, HTTP API, probes. */
#ifndef BURH_HOST_KEEPMGR_H
#define BURH_HOST_KEEPMGR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "burh/keep_proto.h"

struct event_base;
struct event;

enum kmgr_log_level { KMGR_LOG_ERROR = 0, KMGR_LOG_WARN, KMGR_LOG_INFO, KMGR_LOG_DEBUG };

/* One line to stderr: time, level, event name, then key=value pairs given in fmt. */
void kmgr_log(enum kmgr_log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void kmgr_set_log_level(enum kmgr_log_level level);
/* "error" | "warn" | "info" | "debug"; false when unknown. */
bool kmgr_parse_log_level(const char *name, enum kmgr_log_level *out);

#define KMGR_TABLE_MAX 1024 /* keep records held at once, live or ended */

struct kmgr_config {
    const char *state_dir;
    const char *keepldr_path;
    const char *wasmldr_path; /* NULL: keepldr's default */
    const char *keep_addr;    /* where keeps listen and what endpoints say */
    unsigned max_keeps;       /* live keeps (starting, ready, running) */
    unsigned start_timeout_s; /* "ready" must come within this */
    bool launcher_systemd;
};

/* A keep the manager knows: its protocol view plus what supervision needs. */
struct kmgr;
struct kmgr_keep {
    burh_keep_info info;
    struct kmgr *mgr;
    pid_t pid;           /* keepldr, leader of its own process group; 0 when ended */
    uint64_t start_time; /* field 22 of /proc/PID/stat: detects pid reuse */
    bool is_child;       /* started by this manager (else adopted after a restart) */
    int status_fd;       /* read end of the status FIFO, -1 when closed */
    struct event *status_ev;
    uint8_t status_buf[4 * BURH_PROTO_STATUS_MAX];
    size_t status_len;
    bool exit_reported; /* an "exit" record arrived */
    int64_t exit_status;
    char exit_reason[BURH_PROTO_REASON_MAX + 1];
    char kill_reason[128]; /* why the manager killed it (deadline, bad record), "" if not */
};

struct kmgr {
    struct kmgr_config cfg;
    struct event_base *base;
    struct kmgr_keep *keeps[KMGR_TABLE_MAX];
    size_t nkeeps;
    struct event *tick, *sigchld;
};

/* ---- keep table and state records (keepmgr_state.c) ---- */
struct kmgr_keep *kmgr_find(struct kmgr *m, const char *id);
unsigned kmgr_live_count(const struct kmgr *m);
bool kmgr_is_live(const struct kmgr_keep *k);
/* Writes the keep's record atomically (tmp + fsync + rename + dir fsync). 0 or -errno. */
int kmgr_record_save(const struct kmgr *m, const struct kmgr_keep *k);
/* kmgr_record_save for state changes after the fact: a failure is logged, not returned. */
void kmgr_record_update(const struct kmgr *m, const struct kmgr_keep *k);
int kmgr_record_remove(const struct kmgr *m, const char *id);
/* Encodes / decodes a record file's content (exposed for tests and the fuzzer). */
burh_proto_err kmgr_record_encode(const struct kmgr_keep *k, uint8_t *buf, size_t cap, size_t *len);
burh_proto_err kmgr_record_decode(const uint8_t *buf, size_t len, struct kmgr_keep *k);
/* Loads every record of the state dir into the table; re-adopts live keeps, marks the rest
 * failed. Returns the number loaded or -errno. */
int kmgr_state_load(struct kmgr *m);
/* Field 22 (starttime) of /proc/PID/stat, 0 when the process does not exist or is a zombie. */
uint64_t kmgr_proc_start_time(pid_t pid);
/* Path of a keep's file in the state dir: "<dir>/<id><suffix>". */
int kmgr_path(const struct kmgr *m, const char *id, const char *suffix, char *out, size_t cap);

/* ---- supervision (keepmgr_supervise.c) ---- */
/* Starts a keep: fills *k, spawns keepldr. Returns 0 or an errno with why[] set. */
int kmgr_keep_start(struct kmgr *m, const burh_keep_create *req, struct kmgr_keep **out, char *why,
                    size_t why_cap);
/* Opens the keep's status FIFO and watches it (start or re-adoption). */
int kmgr_watch_status(struct kmgr *m, struct kmgr_keep *k);
/* Kills the keep's process group, waits for it, and sets its final state. */
void kmgr_keep_kill(struct kmgr *m, struct kmgr_keep *k, const char *reason);
/* Removes a keep from the table and its files; the keep must have ended. */
void kmgr_keep_forget(struct kmgr *m, struct kmgr_keep *k);
/* Reaps ended keepldrs, applies start-up deadlines (called by SIGCHLD and a 1 s tick). */
void kmgr_supervise(struct kmgr *m);
int kmgr_supervise_init(struct kmgr *m);
/* Whether systemd is PID 1 here (--launcher systemd needs it). */
bool kmgr_systemd_running(void);

/* ---- HTTP API (keepmgr_http.c) ---- */
struct kmgr_http_config {
    const char *listen; /* ADDR:PORT */
    const char *tls_cert, *tls_key;
    const char *token_file;
    unsigned client_timeout_s;
};
/* Sets up the listener; exits the process with a message on failure (setup tier). */
void kmgr_http_start(struct kmgr *m, const struct kmgr_http_config *hc);
/* The supervisor's hook: k's state changed, or (removed) k is about to be freed. Answers the
 * GETs held for it (?while=STATE&wait=S) that no longer wait for anything. */
void kmgr_http_keep_changed(struct kmgr_keep *k, bool removed);

/* ---- platform probes (keepmgr_platform.c) ---- */
void kmgr_platform_probe(burh_platform_info *out);

#endif
