/* burh-ratls: make an RA-TLS certificate with unsigned (nil/kvm) evidence, or verify one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "burh/attest.h"
#include "burh/ratls.h"

int burh_cmd_attest_cert(int argc, char **argv);

static void usage(void)
{
    fputs("usage: burh-ratls make --backend nil|kvm [--nonce HEX] [--measurement HEX96]\n"
          "                       [--not-before RFC3339 --not-after RFC3339]\n"
          "                       --out CERT.pem [--key-out KEY.pem]\n"
          "       burh-ratls verify CERT.pem [options of `burh attest cert`]\n",
          stderr);
}

static bool hex_to_bytes(const char *hex, uint8_t *out, size_t cap, size_t *out_len)
{
    return burh_attest_parse_hex((burh_bytes){(const uint8_t *)hex, strlen(hex)}, out, cap,
                                 out_len);
}

typedef struct make_args {
    burh_attest_platform backend;
    uint8_t nonce[BURH_RATLS_MAX_NONCE];
    size_t nonce_len;
    uint8_t measurement[48];
    int64_t not_before, not_after;
    const char *out, *key_out;
} make_args;

static bool parse_make(int argc, char **argv, make_args *a)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *opt = argv[i], *val = argv[i + 1];
        burh_bytes text = {(const uint8_t *)val, strlen(val)};
        size_t n = 0;
        bool ok = true;
        if (strcmp(opt, "--backend") == 0)
            ok = burh_attest_platform_from_name(text, &a->backend) &&
                 (a->backend == BURH_PLATFORM_NIL || a->backend == BURH_PLATFORM_KVM);
        else if (strcmp(opt, "--nonce") == 0)
            ok = hex_to_bytes(val, a->nonce, sizeof a->nonce, &a->nonce_len);
        else if (strcmp(opt, "--measurement") == 0)
            ok = hex_to_bytes(val, a->measurement, sizeof a->measurement, &n) && n == 48;
        else if (strcmp(opt, "--not-before") == 0)
            ok = burh_attest_parse_rfc3339(text, &a->not_before);
        else if (strcmp(opt, "--not-after") == 0)
            ok = burh_attest_parse_rfc3339(text, &a->not_after);
        else if (strcmp(opt, "--out") == 0)
            a->out = val;
        else if (strcmp(opt, "--key-out") == 0)
            a->key_out = val;
        else
            ok = false;
        if (!ok) {
            fprintf(stderr, "burh-ratls: bad option or value: %s %s\n", opt, val);
            return false;
        }
    }
    return argc % 2 == 1 && a->out && a->backend != BURH_PLATFORM_AUTO;
}

static bool write_outputs(const make_args *a, X509 *cert, EVP_PKEY *key)
{
    FILE *f = fopen(a->out, "wb");
    bool ok = f && PEM_write_X509(f, cert) == 1;
    if (f)
        ok = fclose(f) == 0 && ok;
    if (ok && a->key_out) {
        f = fopen(a->key_out, "wb");
        ok = f && PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
        if (f)
            ok = fclose(f) == 0 && ok;
    }
    if (!ok)
        fprintf(stderr, "burh-ratls: cannot write %s\n", a->out);
    return ok;
}

/* The keep's steps: key, claims, REPORT_DATA, evidence, certificate. */
static int cmd_make(int argc, char **argv)
{
    make_args a = {0};
    if (!parse_make(argc, argv, &a)) {
        usage();
        return 2;
    }
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    burh_attest_error err = {0};
    uint8_t claims[BURH_RATLS_CLAIMS_MAX], evidence[BURH_UNSIGNED_EVIDENCE_SIZE];
    size_t claims_len = 0;
    burh_unsigned_evidence ev = {.backend = a.backend};
    memcpy(ev.measurement, a.measurement, sizeof ev.measurement);
    burh_attest_status st = burh_ratls_key_generate(&key, &err);
    if (st == BURH_ATTEST_OK)
        st = burh_ratls_claims_make(key, (burh_bytes){a.nonce, a.nonce_len}, claims, sizeof claims,
                                    &claims_len, &err);
    if (st == BURH_ATTEST_OK) {
        burh_ratls_report_data((burh_bytes){claims, claims_len}, ev.report_data);
        st = burh_unsigned_evidence_make(&ev, evidence, sizeof evidence, &err);
    }
    if (st == BURH_ATTEST_OK) {
        burh_ratls_cert_params p = {.key = key,
                                    .platform = a.backend,
                                    .evidence = {evidence, sizeof evidence},
                                    .claims = {claims, claims_len},
                                    .not_before = a.not_before,
                                    .not_after = a.not_after};
        st = burh_ratls_cert_make(&p, &cert, &err);
    }
    int rc = 0;
    if (st != BURH_ATTEST_OK) {
        fprintf(stderr, "burh-ratls: %s\n", err.message);
        rc = 2;
    } else if (!write_outputs(&a, cert, key)) {
        rc = 2;
    }
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "make") == 0)
        return cmd_make(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "verify") == 0) {
        argv[1] = "cert";
        return burh_cmd_attest_cert(argc - 1, argv + 1);
    }
    usage();
    return 2;
}
