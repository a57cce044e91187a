/* wasmldr.h: the parts of burh-wasmldr, the trusted runtime that runs one workload in a keep. */
#ifndef BURH_KEEP_WASMLDR_H
#define BURH_KEEP_WASMLDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "burh/attest.h"
#include "burh/keep_proto.h"

/*
 * Pieces and ownership
 *   wasmldr_identity   the keep's P-384 key (made here, never written anywhere) and its
 *                      RA-TLS certificate. wasmldr_identity_free releases both; OpenSSL
 *                      clears the private key's memory when it frees it.
 *   wasmldr_job        one decoded workload made ready to run: a store, a WASI context, an
 *                      optional private files directory. wasmldr_job_new takes ownership of
 *                      the workload and of the body buffer it points into.
 *   wasmldr_serve      the HTTPS server: exactly one workload, frames streamed back.
 * Errors: setup failures come back as false/NULL with a message for the caller to exit with;
 * a guest's failure is a wasmldr_outcome (an exit, trap or error frame), never a crash.
 */

/* Test-only faults: make the keep present a certificate that an honest keep never would,
 * so tests can prove the client refuses it. Chosen only by BURH_WASMLDR_TEST_FAULT. */
typedef enum {
    WASMLDR_FAULT_NONE = 0,
    WASMLDR_FAULT_WRONG_NONCE, /* claims carry a different nonce than the one given */
    WASMLDR_FAULT_WRONG_KEY,   /* claims hash another key than the certificate's */
    WASMLDR_FAULT_DEBUG_SNP,   /* fake SNP evidence: debug policy bit, unknown measurement */
} wasmldr_fault;

/* Parses a BURH_WASMLDR_TEST_FAULT value; false when it is not a known fault name. */
bool wasmldr_fault_from_name(const char *name, wasmldr_fault *out);

typedef struct wasmldr_identity {
    EVP_PKEY *key;
    X509 *cert;
    burh_attest_platform platform; /* what the evidence is */
} wasmldr_identity;

/* backend: NIL, KVM or AUTO (hardware evidence when this is an SNP/TDX guest, else nil). */
bool wasmldr_identity_make(burh_attest_platform backend, burh_bytes nonce, wasmldr_fault fault,
                           wasmldr_identity *out, char *msg, size_t msg_cap);
void wasmldr_identity_free(wasmldr_identity *id);

typedef struct wasmldr_limits {
    uint32_t mem_mib;        /* cap on the guest's linear memory; 0 = the engine's default */
    uint32_t time_s;         /* wall-clock limit of the run; 0 = none */
    size_t max_body;         /* largest request body accepted */
    uint32_t read_timeout_s; /* a client silent this long while sending is cut off */
} wasmldr_limits;

/* How a workload ended: one final frame. */
typedef struct wasmldr_outcome {
    burh_frame_kind kind; /* EXIT, TRAP or ERROR */
    int64_t exit;
    char code[BURH_PROTO_CODE_MAX + 1];    /* ERROR: bad_module, resources, internal */
    char text[BURH_PROTO_MESSAGE_MAX + 1]; /* TRAP reason or ERROR message */
} wasmldr_outcome;

typedef struct wasmldr_job wasmldr_job;

/* Loads the module and builds the guest's world. Takes ownership of *w (its arrays) and of
 * `body` (freed with free()), which w's byte ranges point into. On a bad module or a
 * world that cannot be built it returns NULL and fills *fail with the error frame. */
wasmldr_job *wasmldr_job_new(burh_workload *w, uint8_t *body, size_t body_len,
                             const wasmldr_limits *limits, wasmldr_outcome *fail);
/* Sends the guest's stdout and stderr to these descriptors (borrowed; pipes the event loop
 * reads) through WASI sinks instead of the process's fds 1 and 2. False on failure. */
bool wasmldr_job_set_output(wasmldr_job *job, int out_fd, int err_fd);
/* Runs _start to the end on the calling thread and fills *out. Once per job. */
void wasmldr_job_run(wasmldr_job *job, wasmldr_outcome *out);
/* From any thread: stop the guest at its next check because the time limit ran out. */
void wasmldr_job_time_up(wasmldr_job *job);
/* From any thread: stop the guest because nobody waits for it any more. */
void wasmldr_job_cancel(wasmldr_job *job);
/* Frees everything, removing the private files directory. NULL is allowed. */
void wasmldr_job_free(wasmldr_job *job);

/* Encodes a final frame for *o into buf[0..cap); returns the length, 0 when it cannot. */
size_t wasmldr_outcome_encode(const wasmldr_outcome *o, uint8_t *buf, size_t cap);

typedef struct wasmldr_server_config {
    const char *listen; /* "ADDR:PORT", PORT 0 = any free one */
    int status_fd;      /* -1: no status records */
    wasmldr_limits limits;
    int record_fd; /* test only (-1: off): decrypted bytes received, as decimal text */
    FILE *log;     /* wasmldr's own messages (a copy of the original stderr) */
    bool quiet;    /* only failures are logged (--log-level error) */
} wasmldr_server_config;

/* Serves until the one workload has run and its response went out (or SIGTERM). Borrows
 * `id`. Returns the exit status for the keep, so keepldr can report it: the guest's exit code
 * (0..255), 125 after a trap, 124 when a limit ran out, 126 for a bad module, 1 when no
 * workload ran (setup failure, signal, internal error). */
int wasmldr_serve(const wasmldr_server_config *cfg, const wasmldr_identity *id);

#endif
