/* `burh attest`: verify attestation evidence against collateral and a policy; make unsigned
 * evidence. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "burh/attest.h"
#include "cli/cli.h"

/* `burh attest cert` lives with RA-TLS (src/cli/cmd_attest_cert.c); argv[0] is "cert". */
int burh_cmd_attest_cert(int argc, char **argv);

enum { EXIT_ACCEPTED = 0, EXIT_REJECTED = 1, EXIT_USAGE = 2 };

#define MAX_INPUT_BYTES (16u << 20)

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

/* Reads a whole file into a new buffer; returns false (with a message) on any error. */
static bool read_file(const char *path, uint8_t **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "burh attest: %s: %s\n", path, strerror(errno));
        return false;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
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
        fprintf(stderr, "burh attest: %s: cannot read (error or larger than %u bytes)\n", path,
                MAX_INPUT_BYTES);
        free(buf);
        return false;
    }
    *out = buf;
    *out_len = len;
    return true;
}

typedef burh_attest_status (*burh_loader)(burh_attest_verifier *, burh_bytes, burh_attest_error *);

static bool load_into(burh_attest_verifier *v, burh_loader load, const char *path)
{
    uint8_t *data;
    size_t len;
    if (!read_file(path, &data, &len))
        return false;
    burh_attest_error err = {0};
    burh_attest_status st = load(v, (burh_bytes){data, len}, &err);
    free(data);
    if (st != BURH_ATTEST_OK)
        fprintf(stderr, "burh attest: %s: %s\n", path, err.message);
    return st == BURH_ATTEST_OK;
}

static burh_attest_status add_tcb_info(burh_attest_verifier *v, burh_bytes in, burh_attest_error *e)
{
    return burh_attest_verifier_add_intel(v, BURH_INTEL_TCB_INFO, in, e);
}

static burh_attest_status add_qe_identity(burh_attest_verifier *v, burh_bytes in,
                                          burh_attest_error *e)
{
    return burh_attest_verifier_add_intel(v, BURH_INTEL_QE_IDENTITY, in, e);
}

static burh_attest_status add_issuer_chain(burh_attest_verifier *v, burh_bytes in,
                                           burh_attest_error *e)
{
    return burh_attest_verifier_add_intel(v, BURH_INTEL_ISSUER_CHAIN, in, e);
}

static burh_attest_status add_bundle(burh_attest_verifier *v, burh_bytes in, burh_attest_error *e)
{
    return burh_attest_verifier_add_intel(v, BURH_INTEL_BUNDLE, in, e);
}

/* --collateral DIR, Intel part (docs/attestation.md lists the names); missing ones skipped. */
static bool load_intel_dir(burh_attest_verifier *v, const char *dir)
{
    static const struct {
        const char *name;
        burh_loader load;
    } files[] = {
        {"collateral.json", add_bundle},
        {"tcb_info.json", add_tcb_info},
        {"qe_identity.json", add_qe_identity},
        {"tcb_info_issuer_chain.pem", add_issuer_chain},
        {"pck_crl.der", burh_attest_verifier_add_crl},
        {"pck_crl.pem", burh_attest_verifier_add_crl},
        {"root_ca_crl.der", burh_attest_verifier_add_crl},
        {"root_ca_crl.pem", burh_attest_verifier_add_crl},
    };
    char path[4096];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, files[i].name) >= sizeof path)
            return false;
        FILE *probe = fopen(path, "rb");
        if (!probe)
            continue;
        fclose(probe);
        if (!load_into(v, files[i].load, path))
            return false;
    }
    return true;
}

/* --collateral DIR: the KDS file names, PEM or DER; missing ones are skipped. */
static bool load_collateral_dir(burh_attest_verifier *v, const char *dir)
{
    static const char *const cert_names[] = {"vcek.der", "vcek.pem", "vlek.der",      "vlek.pem",
                                             "ask.der",  "ask.pem",  "asvk.der",      "asvk.pem",
                                             "ark.der",  "ark.pem",  "cert_chain.pem"};
    static const char *const crl_names[] = {"crl.der", "crl.pem"};
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "burh attest: %s: %s\n", dir, strerror(errno));
        return false;
    }
    closedir(d);
    char path[4096];
    for (size_t i = 0; i < sizeof cert_names / sizeof cert_names[0] + 2; i++) {
        bool is_crl = i >= sizeof cert_names / sizeof cert_names[0];
        const char *name =
            is_crl ? crl_names[i - sizeof cert_names / sizeof cert_names[0]] : cert_names[i];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
            return false;
        FILE *probe = fopen(path, "rb");
        if (!probe)
            continue;
        fclose(probe);
        if (!load_into(v, is_crl ? burh_attest_verifier_add_crl : burh_attest_verifier_add_certs,
                       path))
            return false;
    }
    return load_intel_dir(v, dir);
}

static bool load_policy(burh_attest_verifier *v, const char *path)
{
    uint8_t *data;
    size_t len;
    if (!read_file(path, &data, &len))
        return false;
    burh_attest_policy *policy = NULL;
    burh_attest_error err = {0};
    burh_attest_status st = burh_attest_policy_parse((burh_bytes){data, len}, &policy, &err);
    free(data);
    if (st != BURH_ATTEST_OK) {
        fprintf(stderr, "burh attest: %s: %s\n", path, err.message);
        return false;
    }
    burh_attest_verifier_set_policy(v, policy);
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

/* Applies one "--name value" option; returns false on a usage or load error. */
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
    if (strcmp(opt, "--vcek") == 0 || strcmp(opt, "--cert-chain") == 0)
        return load_into(v, burh_attest_verifier_add_certs, val);
    if (strcmp(opt, "--trust-store") == 0)
        return load_into(v, burh_attest_verifier_trust_roots, val);
    if (strcmp(opt, "--crl") == 0)
        return load_into(v, burh_attest_verifier_add_crl, val);
    if (strcmp(opt, "--collateral") == 0)
        return load_collateral_dir(v, val);
    if (strcmp(opt, "--policy") == 0)
        return load_policy(v, val);
    if (strcmp(opt, "--at") == 0) {
        int64_t at;
        if (!burh_attest_parse_rfc3339(text(val), &at)) {
            fprintf(stderr, "burh attest: --at wants RFC 3339, e.g. 2025-06-01T00:00:00Z\n");
            return false;
        }
        burh_attest_verifier_set_time(v, at);
        return true;
    }
    fprintf(stderr, "burh attest: unknown option %s\n", opt);
    return false;
}

static int report_verdict(const burh_attest_result *r)
{
    char *json = json_dumps(burh_attest_result_claims(r), JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!json) {
        fprintf(stderr, "burh attest: out of memory\n");
        return EXIT_USAGE;
    }
    puts(json);
    free(json);
    for (size_t i = 0; i < burh_attest_result_failed_count(r); i++)
        fprintf(stderr, "FAILED %s: %s\n", burh_attest_result_failed_name(r, i),
                burh_attest_result_failed_detail(r, i));
    bool accepted = burh_attest_result_accepted(r);
    fprintf(stderr, "%s\n", accepted ? "ACCEPTED" : "REJECTED");
    return accepted ? EXIT_ACCEPTED : EXIT_REJECTED;
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
        !read_file(evidence_path, &evidence, &len))
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

static bool hex_arg(const char *hex, uint8_t *out, size_t max, bool exact)
{
    size_t n = strlen(hex);
    if (n % 2 || n / 2 > max || (exact && n / 2 != max))
        return false;
    memset(out, 0, max);
    for (size_t i = 0; i < n / 2; i++) {
        unsigned int byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1 ||
            !strchr("0123456789abcdefABCDEF", hex[2 * i]) ||
            !strchr("0123456789abcdefABCDEF", hex[2 * i + 1]))
            return false;
        out[i] = (uint8_t)byte;
    }
    return true;
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
