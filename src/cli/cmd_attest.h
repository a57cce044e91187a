/* What `burh attest verify` (cmd_attest.c) and `burh attest cert` (cmd_attest_cert.c) share. */
#ifndef BURH_CLI_CMD_ATTEST_H
#define BURH_CLI_CMD_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "burh/attest.h"

/* The exit statuses of both: accepted, rejected, or a usage or I/O error. */
enum { EXIT_ATTEST_ACCEPTED = 0, EXIT_ATTEST_REJECTED = 1, EXIT_ATTEST_USAGE = 2 };

/* `burh attest cert CERT.pem ...`; argv[0] is "cert". */
int burh_cmd_attest_cert(int argc, char **argv);

/* Reads a whole input file (under 16 MiB) into a new buffer the caller frees; false, with a
 * message on stderr, on any error. */
bool burh_attest_cli_read_file(const char *path, uint8_t **out, size_t *out_len);

/* Applies one of the options both commands take (--vcek, --cert-chain, --crl, --trust-store,
 * --collateral, --policy, --at) to `v`. Returns 1 when applied, 0 when `opt` is none of them,
 * -1 (with a message) on a bad value or file. */
int burh_attest_cli_verifier_option(burh_attest_verifier *v, const char *opt, const char *val);

/* Prints the claims as JSON on stdout; false (with a message) when out of memory. */
bool burh_attest_cli_print_claims(const json_t *claims);

/* Prints the verdict on stderr, after the failed checks; returns the exit status for it. */
int burh_attest_cli_verdict(bool accepted);

#endif
