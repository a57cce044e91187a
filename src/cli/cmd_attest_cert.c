/* `burh attest cert`: verify the RA-TLS certificate a keep serves, as a TLS client would. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "burh/attest.h"
#include "burh/ratls.h"

int burh_cmd_attest_cert(int argc, char **argv);

enum { CERT_ACCEPTED = 0, CERT_REJECTED = 1, CERT_USAGE = 2 };

#define CERT_MAX_FILE (16u << 20)

static void usage(FILE *to)
{
    fputs("usage: burh attest cert CERT.pem [--nonce HEX] [--policy F] [--at RFC3339]\n"
          "                        [--collateral DIR] [--trust-store F]\n"
          "prints the claims as JSON (with the RA-TLS claims under \"ratls\") on stdout and\n"
          "every failed check on stderr; exit 0 accepted, 1 rejected, 2 usage or I/O error.\n",
          to);
}

/* Reads a whole file (at most CERT_MAX_FILE bytes) into a new buffer. */
static bool slurp(const char *path, uint8_t **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "burh attest cert: %s: %s\n", path, strerror(errno));
        return false;
    }
    uint8_t *buf = malloc(CERT_MAX_FILE + 1);
    size_t len = buf ? fread(buf, 1, CERT_MAX_FILE + 1, f) : 0;
    bool ok = buf && !ferror(f) && len <= CERT_MAX_FILE;
    fclose(f);
    if (!ok) {
        fprintf(stderr, "burh attest cert: %s: unreadable or larger than %u bytes\n", path,
                CERT_MAX_FILE);
        free(buf);
        return false;
    }
    *out = buf;
    *out_len = len;
    return true;
}

typedef enum { LOAD_CERTS, LOAD_ROOTS, LOAD_CRL, LOAD_POLICY, LOAD_INTEL } load_kind;

/* Loads one file into the verifier as `kind` (intel_kind for LOAD_INTEL). */
static bool load(burh_attest_verifier *v, const char *path, load_kind kind,
                 burh_attest_intel_kind intel_kind)
{
    uint8_t *data;
    size_t len;
    if (!slurp(path, &data, &len))
        return false;
    burh_bytes in = {data, len};
    burh_attest_error err = {0};
    burh_attest_policy *policy = NULL;
    burh_attest_status st;
    switch (kind) {
    case LOAD_CERTS:
        st = burh_attest_verifier_add_certs(v, in, &err);
        break;
    case LOAD_ROOTS:
        st = burh_attest_verifier_trust_roots(v, in, &err);
        break;
    case LOAD_CRL:
        st = burh_attest_verifier_add_crl(v, in, &err);
        break;
    case LOAD_INTEL:
        st = burh_attest_verifier_add_intel(v, intel_kind, in, &err);
        break;
    default:
        st = burh_attest_policy_parse(in, &policy, &err);
        if (st == BURH_ATTEST_OK)
            burh_attest_verifier_set_policy(v, policy);
    }
    free(data);
    if (st != BURH_ATTEST_OK)
        fprintf(stderr, "burh attest cert: %s: %s\n", path, err.message);
    return st == BURH_ATTEST_OK;
}

/* --collateral DIR: the same file names as `burh attest verify`; missing ones are skipped. */
static bool load_collateral_dir(burh_attest_verifier *v, const char *dir)
{
    static const struct {
        const char *name;
        load_kind kind;
        burh_attest_intel_kind intel;
    } files[] = {
        {"vcek.der", LOAD_CERTS, 0},
        {"vcek.pem", LOAD_CERTS, 0},
        {"vlek.der", LOAD_CERTS, 0},
        {"vlek.pem", LOAD_CERTS, 0},
        {"ask.der", LOAD_CERTS, 0},
        {"ask.pem", LOAD_CERTS, 0},
        {"asvk.der", LOAD_CERTS, 0},
        {"asvk.pem", LOAD_CERTS, 0},
        {"ark.der", LOAD_CERTS, 0},
        {"ark.pem", LOAD_CERTS, 0},
        {"cert_chain.pem", LOAD_CERTS, 0},
        {"crl.der", LOAD_CRL, 0},
        {"crl.pem", LOAD_CRL, 0},
        {"collateral.json", LOAD_INTEL, BURH_INTEL_BUNDLE},
        {"tcb_info.json", LOAD_INTEL, BURH_INTEL_TCB_INFO},
        {"qe_identity.json", LOAD_INTEL, BURH_INTEL_QE_IDENTITY},
        {"tcb_info_issuer_chain.pem", LOAD_INTEL, BURH_INTEL_ISSUER_CHAIN},
        {"pck_crl.der", LOAD_CRL, 0},
        {"pck_crl.pem", LOAD_CRL, 0},
        {"root_ca_crl.der", LOAD_CRL, 0},
        {"root_ca_crl.pem", LOAD_CRL, 0},
    };
    char path[4096];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, files[i].name) >= sizeof path)
            return false;
        FILE *probe = fopen(path, "rb");
        if (!probe)
            continue;
        fclose(probe);
        if (!load(v, path, files[i].kind, files[i].intel))
            return false;
    }
    return true;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parses an even-length hex string of at most BURH_RATLS_MAX_NONCE bytes. */
static bool parse_nonce(const char *hex, uint8_t *out, size_t *out_len)
{
    size_t n = strlen(hex);
    if (n % 2 || n / 2 > BURH_RATLS_MAX_NONCE)
        return false;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *out_len = n / 2;
    return true;
}

typedef struct cert_args {
    const char *cert_path;
    uint8_t nonce[BURH_RATLS_MAX_NONCE];
    size_t nonce_len;
} cert_args;

static bool apply_option(burh_attest_verifier *v, const char *opt, const char *val, cert_args *a)
{
    if (strcmp(opt, "--nonce") == 0) {
        if (parse_nonce(val, a->nonce, &a->nonce_len))
            return true;
        fprintf(stderr, "burh attest cert: --nonce wants even-length hex (<= %u bytes)\n",
                BURH_RATLS_MAX_NONCE);
        return false;
    }
    if (strcmp(opt, "--policy") == 0)
        return load(v, val, LOAD_POLICY, 0);
    if (strcmp(opt, "--trust-store") == 0)
        return load(v, val, LOAD_ROOTS, 0);
    if (strcmp(opt, "--collateral") == 0)
        return load_collateral_dir(v, val);
    if (strcmp(opt, "--at") == 0) {
        int64_t at;
        if (!burh_attest_parse_rfc3339((burh_bytes){(const uint8_t *)val, strlen(val)}, &at)) {
            fprintf(stderr, "burh attest cert: --at wants RFC 3339, e.g. 2024-01-01T00:00:00Z\n");
            return false;
        }
        burh_attest_verifier_set_time(v, at);
        return true;
    }
    fprintf(stderr, "burh attest cert: unknown option %s\n", opt);
    return false;
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
    char *json = json_dumps(burh_ratls_result_claims(r), JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!json) {
        fprintf(stderr, "burh attest cert: out of memory\n");
        return CERT_USAGE;
    }
    puts(json);
    free(json);
    for (size_t i = 0; i < burh_ratls_result_failed_count(r); i++)
        fprintf(stderr, "FAILED %s: %s\n", burh_ratls_result_failed_name(r, i),
                burh_ratls_result_failed_detail(r, i));
    bool accepted = burh_ratls_result_accepted(r);
    fprintf(stderr, "%s\n", accepted ? "ACCEPTED" : "REJECTED");
    return accepted ? CERT_ACCEPTED : CERT_REJECTED;
}

/* Reads the certificate and runs the verification; returns the exit status. */
static int verify_file(burh_attest_verifier *v, const cert_args *a)
{
    uint8_t *data;
    size_t len;
    if (!slurp(a->cert_path, &data, &len))
        return CERT_USAGE;
    X509 *cert = NULL;
    burh_attest_error err = {0};
    burh_attest_status st = burh_ratls_cert_decode((burh_bytes){data, len}, &cert, &err);
    free(data);
    if (st != BURH_ATTEST_OK) {
        fprintf(stderr, "burh attest cert: %s: %s\n", a->cert_path, err.message);
        return CERT_USAGE;
    }
    burh_ratls_expect expect = {.nonce = {a->nonce, a->nonce_len}};
    burh_ratls_result *r = NULL;
    st = burh_ratls_verify_cert(cert, &expect, v, &r, &err);
    X509_free(cert);
    if (st != BURH_ATTEST_OK) {
        fprintf(stderr, "burh attest cert: %s\n", err.message);
        return CERT_USAGE;
    }
    int rc = report(r);
    burh_ratls_result_free(r);
    return rc;
}

int burh_cmd_attest_cert(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return CERT_ACCEPTED;
    }
    burh_attest_verifier *v = NULL;
    burh_attest_error err = {0};
    if (burh_attest_verifier_new(&v, &err) != BURH_ATTEST_OK) {
        fprintf(stderr, "burh attest cert: %s\n", err.message);
        return CERT_USAGE;
    }
    cert_args *a = calloc(1, sizeof *a);
    int rc = CERT_USAGE;
    if (!a)
        fprintf(stderr, "burh attest cert: out of memory\n");
    else if (!parse_args(argc, argv, v, a))
        usage(stderr);
    else
        rc = verify_file(v, a);
    free(a);
    burh_attest_verifier_free(v);
    return rc;
}
