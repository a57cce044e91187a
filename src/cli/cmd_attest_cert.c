/* `burh attest cert`: verify the RA-TLS certificate a keep serves, as a TLS client would. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "burh/attest.h"
#include "burh/ratls.h"
#include "cli/cmd_attest.h"

static void usage(FILE *to)
{
    fputs("usage: burh attest cert CERT.pem [--nonce HEX] [--policy F] [--at RFC3339]\n"
          "                        [--collateral DIR] [--trust-store F] [--crl F]...\n"
          "                        [--vcek F | --cert-chain F]...\n"
          "prints the claims as JSON (with the RA-TLS claims under \"ratls\") on stdout and\n"
          "every failed check on stderr; exit 0 accepted, 1 rejected, 2 usage or I/O error.\n",
          to);
}

typedef struct cert_args {
    const char *cert_path;
    uint8_t nonce[BURH_RATLS_MAX_NONCE];
    size_t nonce_len;
} cert_args;

static bool apply_option(burh_attest_verifier *v, const char *opt, const char *val, cert_args *a)
{
    if (strcmp(opt, "--nonce") == 0) {
        burh_bytes hex = {(const uint8_t *)val, strlen(val)};
        if (burh_attest_parse_hex(hex, a->nonce, sizeof a->nonce, &a->nonce_len))
            return true;
        fprintf(stderr, "burh attest: --nonce wants even-length hex (<= %u bytes)\n",
                BURH_RATLS_MAX_NONCE);
        return false;
    }
    int shared = burh_attest_cli_verifier_option(v, opt, val);
    if (shared == 0)
        fprintf(stderr, "burh attest: unknown option %s\n", opt);
    return shared > 0;
}

static bool parse_args(int argc, char **argv, burh_attest_verifier *v, cert_args *a)
{
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0) {
            if (a->cert_path)
                return false;
            a->cert_path = argv[i];
        } else if (i + 1 >= argc || !apply_option(v, argv[i], argv[i + 1], a)) {
            return false;
        } else {
            i++;
        }
    }
    return a->cert_path != NULL;
}

static int report(const burh_ratls_result *r)
{
    if (!burh_attest_cli_print_claims(burh_ratls_result_claims(r)))
        return EXIT_ATTEST_USAGE;
    for (size_t i = 0; i < burh_ratls_result_failed_count(r); i++)
        fprintf(stderr, "FAILED %s: %s\n", burh_ratls_result_failed_name(r, i),
                burh_ratls_result_failed_detail(r, i));
    return burh_attest_cli_verdict(burh_ratls_result_accepted(r));
}

/* Reads the certificate and runs the verification; returns the exit status. */
static int verify_file(burh_attest_verifier *v, const cert_args *a)
{
    uint8_t *data;
    size_t len;
    if (!burh_attest_cli_read_file(a->cert_path, &data, &len))
        return EXIT_ATTEST_USAGE;
    X509 *cert = NULL;
    burh_attest_error err = {0};
    burh_attest_status st = burh_ratls_cert_decode((burh_bytes){data, len}, &cert, &err);
    free(data);
    if (st != BURH_ATTEST_OK) {
        fprintf(stderr, "burh attest: %s: %s\n", a->cert_path, err.message);
        return EXIT_ATTEST_USAGE;
    }
    burh_ratls_expect expect = {.nonce = {a->nonce, a->nonce_len}};
    burh_ratls_result *r = NULL;
    st = burh_ratls_verify_cert(cert, &expect, v, &r, &err);
    X509_free(cert);
    if (st != BURH_ATTEST_OK) {
        fprintf(stderr, "burh attest: %s\n", err.message);
        return EXIT_ATTEST_USAGE;
    }
    int rc = report(r);
    burh_ratls_result_free(r);
    return rc;
}

int burh_cmd_attest_cert(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return EXIT_ATTEST_ACCEPTED;
    }
    burh_attest_verifier *v = NULL;
    burh_attest_error err = {0};
    if (burh_attest_verifier_new(&v, &err) != BURH_ATTEST_OK) {
        fprintf(stderr, "burh attest: %s\n", err.message);
        return EXIT_ATTEST_USAGE;
    }
    cert_args a = {0};
    int rc = EXIT_ATTEST_USAGE;
    if (!parse_args(argc, argv, v, &a))
        usage(stderr);
    else
        rc = verify_file(v, &a);
    burh_attest_verifier_free(v);
    return rc;
}
