/* deploy_send.h: the client's half of a keep session, shared by `burh deploy` and `burh run`. */
#ifndef BURH_CLI_DEPLOY_SEND_H
#define BURH_CLI_DEPLOY_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "burh/attest.h"
#include "burh/keep_proto.h"

/* Exit statuses of deploy besides the program's own (docs/deploy.md). */
enum {
    DEPLOY_EXIT_KEEPMGR = 3, /* keepmgr unreachable, refused, or answered nonsense */
    DEPLOY_EXIT_KEEP = 4,    /* the keep failed to start, died, or broke the protocol */
    DEPLOY_EXIT_VERIFY = 5,  /* attestation refused: the workload was not sent */
};

typedef struct deploy_send_opts {
    bool show_evidence;     /* print the verified claims on stderr */
    bool quiet_unprotected; /* the caller already told the user the keep is unprotected */
} deploy_send_opts;

/* A verifier with the policy file's contents (NULL: the default policy), plus the unprotected
 * backends the user allowed. NULL after a message on stderr. The caller owns the result. */
burh_attest_verifier *deploy_make_verifier(const char *policy_file,
                                           const bool allow_unsigned[BURH_BACKEND_COUNT]);

/* Sets the workload's argv (argv[0] = the module file's base name, then `args`) and its
 * environment from KEY=VALUE strings (each has an '='). w->args must have room for nargs + 1
 * entries and w->env for nenvs; the workload borrows the strings. */
void deploy_workload_args(burh_workload *w, const char *file, char *const *args, int nargs,
                          char *const *envs, size_t nenvs);

/* The loud warning for a nil or kvm keep the user let through. */
void deploy_warn_unprotected(burh_keep_backend b);

/* Opens TLS to the keep at `endpoint` (HOST:PORT), verifies its evidence inside the handshake
 * against `v` and `nonce`, and only then POSTs the encoded workload `body`. The keep's stdout
 * and stderr frames go to fds 1 and 2 as they come. Returns the program's exit status,
 * BURH_EXIT_TRAP/TIME_LIMIT/BAD_MODULE, or a DEPLOY_EXIT_* after a message. Needs
 * curl_global_init. */
int deploy_send_workload(const deploy_send_opts *o, burh_attest_verifier *v, const char *endpoint,
                         const uint8_t *nonce, size_t nonce_len, const uint8_t *body,
                         size_t body_len);

#endif
