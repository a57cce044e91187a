/* `burh attest`: verify attestation evidence against collateral and a policy; make unsigned
 * evidence. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "burh/attest.h"
#include "cli/cmd_attest.h"
#include "cli/cli.h"

enum {
    EXIT_ACCEPTED = EXIT_ATTEST_ACCEPTED,
    EXIT_REJECTED = EXIT_ATTEST_REJECTED,
    EXIT_USAGE = EXIT_ATTEST_USAGE
};

#define MAX_INPUT_BYTES (16u << 20) /* evidence, collateral and policies are far smaller */

static void usage(FILE *to)
{
    fputs("usage: burh attest verify [--platform auto|snp|tdx|sgx|nil|kvm]\n"
          "                          [--vcek F | --cert-chain F]... [--collateral DIR]\n"
          "                          [--crl F]... [--policy F] [--at RFC3339] [--trust-store F]\n"
          "                          [--fetch [--cache DIR] [--kds-url URL] [--pcs-url URL]\n"
          "                          [--fetch-crl] [--product Milan|Genoa|Turin]] EVIDENCE\n"
          "       burh attest cert CERT.pem ...   (RA-TLS certificates)\n"
          "       burh attest make-unsigned --backend nil|kvm --measurement HEX96\n"
          "                          [--report-data HEX<=128] --out FILE\n"
          "verify prints the claims as JSON on stdout and every failed check on stderr;\n"
          "exit 0 accepted, 1 rejected, 2 usage or I/O error.\n",
          to);
}

bool burh_attest_cli_read_file(const char *path, uint8_t **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "burh attest: %s: %s\n", path, strerror(errno));
        return false;
    }
    /* Grown as it fills, so small files (nearly all) cost little; a full buffer at the limit
     * means the file is larger than we take. */
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        uint8_t *grown = cap >= MAX_INPUT_BYTES ? NULL : realloc(buf, cap * 2);
        if (!grown) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    bool ok = buf && !ferror(f);
    fclose(f);
    if (!ok) {
        fprintf(stderr, "burh attest: %s: cannot read (error or %u bytes or more)\n", path,
                MAX_INPUT_BYTES);
        free(buf);
        return false;
    }
    *out = buf;
    *out_len = len;
    return true;
}

/* What a collateral or policy file is loaded as. */
typedef enum {
    LOAD_CERTS,
    LOAD_ROOTS,
    LOAD_CRL,
    LOAD_POLICY,
    LOAD_INTEL, /* with a burh_attest_intel_kind */
} load_kind;

static burh_attest_status load_bytes(burh_attest_verifier *v, load_kind kind,
                                     burh_attest_intel_kind intel, burh_bytes in,
                                     burh_attest_error *err)
{
    burh_attest_policy *policy = NULL;
    burh_attest_status st;
    switch (kind) {
    case LOAD_CERTS:
        return burh_attest_verifier_add_certs(v, in, err);
    case LOAD_ROOTS:
        return burh_attest_verifier_trust_roots(v, in, err);
    case LOAD_CRL:
        return burh_attest_verifier_add_crl(v, in, err);
    case LOAD_INTEL:
        return burh_attest_verifier_add_intel(v, intel, in, err);
    default:
        st = burh_attest_policy_parse(in, &policy, err);
        if (st == BURH_ATTEST_OK)
            burh_attest_verifier_set_policy(v, policy);
        return st;
    }
}

/* Loads the file at `path` into the verifier as `kind`; false, with a message, on error. */
static bool load_file(burh_attest_verifier *v, const char *path, load_kind kind,
                      burh_attest_intel_kind intel)
{
    uint8_t *data;
    size_t len;
    if (!burh_attest_cli_read_file(path, &data, &len))
        return false;
    burh_attest_error err = {0};
    burh_attest_status st = load_bytes(v, kind, intel, (burh_bytes){data, len}, &err);
    free(data);
    if (st != BURH_ATTEST_OK)
        fprintf(stderr, "burh attest: %s: %s\n", path, err.message);
    return st == BURH_ATTEST_OK;
}

/* --collateral DIR: the AMD KDS and Intel PCS file names (docs/attestation.md lists them), PEM
 * or DER; missing ones are skipped. */
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
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "burh attest: %s: %s\n", dir, strerror(errno));
        return false;
    }
    closedir(d);
    char path[4096];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, files[i].name) >= sizeof path) {
            fprintf(stderr, "burh attest: %s: path too long\n", dir);
            return false;
        }
        if (access(path, F_OK) != 0)
            continue;
        if (!load_file(v, path, files[i].kind, files[i].intel))
            return false;
    }
    return true;
}

static burh_bytes text(const char *s)
{
    return (burh_bytes){(const uint8_t *)s, strlen(s)};
}

/* What `verify` does besides loading files: platform choice and online collateral. */
typedef struct verify_options {
    burh_attest_platform platform;
    bool fetch;
    burh_snp_product product;
    burh_attest_kds kds;
    burh_attest_pcs pcs;
} verify_options;

static bool product_from_name(const char *name, burh_snp_product *out)
{
    for (burh_snp_product p = BURH_SNP_PRODUCT_MILAN; p <= BURH_SNP_PRODUCT_TURIN; p++)
        if (strcmp(name, burh_snp_product_name(p)) == 0) {
            *out = p;
            return true;
        }
    return false;
}

/* Options with a value that only set state; returns 0 unknown, 1 applied, -1 bad value. */
static int apply_setting(const char *opt, const char *val, verify_options *o)
{
    if (strcmp(opt, "--kds-url") == 0)
        o->kds.base_url = text(val);
    else if (strcmp(opt, "--pcs-url") == 0)
        o->pcs.base_url = text(val);
    else if (strcmp(opt, "--cache") == 0)
        o->kds.cache_dir = o->pcs.cache_dir = text(val);
    else if (strcmp(opt, "--product") == 0)
        return product_from_name(val, &o->product) ? 1 : -1;
    else
        return 0;
    return 1;
}

int burh_attest_cli_verifier_option(burh_attest_verifier *v, const char *opt, const char *val)
{
    bool ok;
    if (strcmp(opt, "--vcek") == 0 || strcmp(opt, "--cert-chain") == 0)
        ok = load_file(v, val, LOAD_CERTS, 0);
    else if (strcmp(opt, "--trust-store") == 0)
        ok = load_file(v, val, LOAD_ROOTS, 0);
    else if (strcmp(opt, "--crl") == 0)
        ok = load_file(v, val, LOAD_CRL, 0);
    else if (strcmp(opt, "--policy") == 0)
        ok = load_file(v, val, LOAD_POLICY, 0);
    else if (strcmp(opt, "--collateral") == 0)
        ok = load_collateral_dir(v, val);
    else if (strcmp(opt, "--at") == 0) {
        int64_t at;
        ok = burh_attest_parse_rfc3339(text(val), &at);
        if (ok)
            burh_attest_verifier_set_time(v, at);
        else
            fprintf(stderr, "burh attest: --at wants RFC 3339, e.g. 2025-06-01T00:00:00Z\n");
    } else
        return 0;
    return ok ? 1 : -1;
}

/* Applies one "--name value" option of `verify`; returns false on a usage or load error. */
static bool apply_option(burh_attest_verifier *v, const char *opt, const char *val,
                         verify_options *o)
{
    int setting = apply_setting(opt, val, o);
    if (setting != 0) {
        if (setting < 0)
            fprintf(stderr, "burh attest: bad value for %s: %s\n", opt, val);
        return setting > 0;
    }
    if (strcmp(opt, "--platform") == 0) {
        if (!burh_attest_platform_from_name(text(val), &o->platform)) {
            fprintf(stderr, "burh attest: unknown platform \"%s\"\n", val);
            return false;
        }
        return true;
    }
    int shared = burh_attest_cli_verifier_option(v, opt, val);
    if (shared == 0)
        fprintf(stderr, "burh attest: unknown option %s\n", opt);
    return shared > 0;
}

bool burh_attest_cli_print_claims(const json_t *claims)
{
    char *json = json_dumps(claims, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!json) {
        fprintf(stderr, "burh attest: out of memory\n");
        return false;
    }
    puts(json);
    free(json);
    return true;
}

int burh_attest_cli_verdict(bool accepted)
{
    fprintf(stderr, "%s\n", accepted ? "ACCEPTED" : "REJECTED");
    return accepted ? EXIT_ACCEPTED : EXIT_REJECTED;
}

static int report_verdict(const burh_attest_result *r)
{
    if (!burh_attest_cli_print_claims(burh_attest_result_claims(r)))
        return EXIT_USAGE;
    for (size_t i = 0; i < burh_attest_result_failed_count(r); i++)
        fprintf(stderr, "FAILED %s: %s\n", burh_attest_result_failed_name(r, i),
                burh_attest_result_failed_detail(r, i));
    return burh_attest_cli_verdict(burh_attest_result_accepted(r));
}

/* Parses the command line into v and o; the evidence path comes back in *evidence_path. */
static bool parse_verify_args(int argc, char **argv, burh_attest_verifier *v, verify_options *o,
                              const char **evidence_path)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--fetch") == 0) {
            o->fetch = true;
        } else if (strcmp(argv[i], "--fetch-crl") == 0) {
            o->kds.fetch_crl = true;
        } else if (strncmp(argv[i], "--", 2) != 0) {
            if (*evidence_path) {
                usage(stderr);
                return false;
            }
            *evidence_path = argv[i];
        } else if (i + 1 >= argc) {
            usage(stderr);
            return false;
        } else if (!apply_option(v, argv[i], argv[i + 1], o)) {
            return false;
        } else {
            i++;
        }
    }
    if (!*evidence_path) {
        usage(stderr);
        return false;
    }
    return true;
}

/* --fetch: AMD KDS for SNP reports, Intel PCS for TDX and SGX quotes. */
static bool fetch_collateral(burh_attest_verifier *v, burh_bytes ev, const verify_options *o)
{
    burh_attest_error err = {0};
    burh_attest_platform p = o->platform;
    if (p == BURH_PLATFORM_AUTO)
        p = burh_attest_detect_platform(ev);
    burh_attest_status st = BURH_ATTEST_OK;
    if (p == BURH_PLATFORM_SNP)
        st = burh_attest_kds_fetch(v, ev, o->product, &o->kds, &err);
    else if (p == BURH_PLATFORM_TDX || p == BURH_PLATFORM_SGX)
        st = burh_attest_pcs_fetch(v, ev, &o->pcs, &err);
    if (st != BURH_ATTEST_OK)
        fprintf(stderr, "burh attest: %s\n", err.message);
    return st == BURH_ATTEST_OK;
}

static int cmd_verify(int argc, char **argv)
{
    burh_attest_verifier *v = NULL;
    burh_attest_error err = {0};
    verify_options o = {.platform = BURH_PLATFORM_AUTO};
    const char *evidence_path = NULL;
    uint8_t *evidence = NULL;
    size_t len = 0;
    if (burh_attest_verifier_new(&v, &err) != BURH_ATTEST_OK) {
        fprintf(stderr, "burh attest: %s\n", err.message);
        return EXIT_USAGE;
    }
    int rc = EXIT_USAGE;
    if (!parse_verify_args(argc, argv, v, &o, &evidence_path) ||
        !burh_attest_cli_read_file(evidence_path, &evidence, &len))
        goto out;
    burh_bytes ev = {evidence, len};
    if (o.fetch && !fetch_collateral(v, ev, &o))
        goto out;
    burh_attest_result *result = NULL;
    if (burh_attest_verify(v, o.platform, ev, &result, &err) != BURH_ATTEST_OK) {
        fprintf(stderr, "burh attest: %s\n", err.message);
        goto out;
    }
    rc = report_verdict(result);
    burh_attest_result_free(result);
out:
    free(evidence);
    burh_attest_verifier_free(v);
    return rc;
}

/* An even-length hex argument of at most `max` bytes (exactly `max` when `exact`), zero-padded. */
static bool hex_arg(const char *hex, uint8_t *out, size_t max, bool exact)
{
    size_t len;
    memset(out, 0, max);
    return burh_attest_parse_hex(text(hex), out, max, &len) && (!exact || len == max);
}

static int cmd_make_unsigned(int argc, char **argv)
{
    burh_unsigned_evidence ev = {0};
    const char *out_path = NULL;
    bool have_measurement = false;
    for (int i = 0; i + 1 < argc; i += 2) {
        const char *opt = argv[i], *val = argv[i + 1];
        bool ok = true;
        if (strcmp(opt, "--backend") == 0)
            ok = burh_attest_platform_from_name(text(val), &ev.backend);
        else if (strcmp(opt, "--measurement") == 0)
            ok = have_measurement = hex_arg(val, ev.measurement, sizeof ev.measurement, true);
        else if (strcmp(opt, "--report-data") == 0)
            ok = hex_arg(val, ev.report_data, sizeof ev.report_data, false);
        else if (strcmp(opt, "--out") == 0)
            out_path = val;
        else
            ok = false;
        if (!ok) {
            fprintf(stderr, "burh attest: bad %s %s\n", opt, val);
            return EXIT_USAGE;
        }
    }
    uint8_t buf[BURH_UNSIGNED_EVIDENCE_SIZE];
    burh_attest_error err = {0};
    if (argc % 2 || !out_path || !have_measurement) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (burh_unsigned_evidence_make(&ev, buf, sizeof buf, &err) != BURH_ATTEST_OK) {
        fprintf(stderr, "burh attest: %s\n", err.message);
        return EXIT_USAGE;
    }
    FILE *f = fopen(out_path, "wb");
    bool ok = f && fwrite(buf, 1, sizeof buf, f) == sizeof buf;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok) {
        fprintf(stderr, "burh attest: %s: cannot write\n", out_path);
        return EXIT_USAGE;
    }
    return EXIT_ACCEPTED;
}

/* argv[0] is the command's own name ("attest"), argv[1] the subcommand. */
int burh_cmd_attest(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "verify") == 0)
        return cmd_verify(argc - 2, argv + 2);
    if (strcmp(argv[1], "cert") == 0)
        return burh_cmd_attest_cert(argc - 1, argv + 1);
    if (strcmp(argv[1], "make-unsigned") == 0)
        return cmd_make_unsigned(argc - 2, argv + 2);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_ACCEPTED;
    }
    usage(stderr);
    return EXIT_USAGE;
}
