/* burh-bench-attest: attestation verifications per second next to bare OpenSSL ECDSA verifies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "burh/attest.h"
#include "testkit/testkit.h"

#define SNP_DIR  "amd-sev-snp/"
#define TDX_DIR  "intel-tdx/dcapqvl_v4/"
#define SNP_AT   "2026-11-27T00:00:00Z"
#define TDX_AT   "2025-07-19T10:00:34Z"
#define MAX_FILE (1u << 20)

static char shared[512];
static double seconds_per_case = 1.0;

/* Setup failures end the program: a benchmark with missing inputs has nothing to say. */
static void die(const char *what, const char *detail)
{
    fprintf(stderr, "burh-bench-attest: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(2);
}

static burh_bytes slurp(const char *rel)
{
    char path[800];
    uint8_t *buf = NULL;
    size_t n = 0;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", shared, rel) >= sizeof path)
        die("path too long", rel);
    const char *problem = bt_read_file(path, MAX_FILE, &buf, &n);
    if (problem)
        die(path, problem);
    if (n == 0)
        die(path, "empty");
    return (burh_bytes){buf, n};
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs op in batches until seconds_per_case has passed; returns operations per second. */
static double rate(int (*op)(void *), void *arg)
{
    double start = now(), elapsed;
    long done = 0;
    do {
        for (int i = 0; i < 64; i++)
            if (op(arg) != 1)
                die("a benchmarked verification failed", NULL);
        done += 64;
        elapsed = now() - start;
    } while (elapsed < seconds_per_case);
    return (double)done / elapsed;
}

/* ---- bare OpenSSL ---- */

typedef struct bare_case {
    EVP_PKEY *key;
    const EVP_MD *md;
    uint8_t *sig_der;
    size_t sig_len;
    const uint8_t *msg;
    size_t msg_len;
} bare_case;

static int bare_verify(void *arg)
{
    bare_case *c = arg;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, c->md, NULL, c->key) == 1 &&
             EVP_DigestVerify(ctx, c->sig_der, c->sig_len, c->msg, c->msg_len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

/* r and s as big-endian byte strings of n bytes each, to DER. */
static void set_sig(bare_case *c, const uint8_t *r, const uint8_t *s, int n)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *br = BN_bin2bn(r, n, NULL), *bs = BN_bin2bn(s, n, NULL);
    unsigned char *der = NULL;
    if (!sig || !br || !bs || !ECDSA_SIG_set0(sig, br, bs))
        die("ECDSA_SIG", NULL);
    int len = i2d_ECDSA_SIG(sig, &der);
    if (len <= 0)
        die("i2d_ECDSA_SIG", NULL);
    c->sig_der = der;
    c->sig_len = (size_t)len;
    ECDSA_SIG_free(sig);
}

/* The SNP report signature: P-384, SHA-384 over the first 672 bytes; R and S little-endian. */
static bare_case bare_snp(burh_bytes report, burh_bytes vcek_der)
{
    bare_case c = {.md = EVP_sha384(), .msg = report.ptr, .msg_len = BURH_SNP_SIGNED_SIZE};
    const unsigned char *p = vcek_der.ptr;
    X509 *cert = d2i_X509(NULL, &p, (long)vcek_der.len);
    if (!cert || !(c.key = X509_get_pubkey(cert)))
        die("cannot read the VCEK", NULL);
    X509_free(cert);
    uint8_t r[48], s[48];
    for (int i = 0; i < 48; i++) {
        r[i] = report.ptr[0x2A0 + 47 - i];
        s[i] = report.ptr[0x2E8 + 47 - i];
    }
    set_sig(&c, r, s, 48);
    return c;
}

/* The TDX quote signature: P-256 by the raw attestation key over header + body. */
static bare_case bare_tdx(burh_bytes quote)
{
    enum { HEADER = 48, BODY = 584 };
    const uint8_t *sig = quote.ptr + HEADER + BODY + 4, *xy = sig + 64;
    bare_case c = {.md = EVP_sha256(), .msg = quote.ptr, .msg_len = HEADER + BODY};
    uint8_t point[65] = {0x04};
    memcpy(point + 1, xy, 64);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    OSSL_PARAM *params = NULL;
    if (!bld || !ctx ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point) ||
        !(params = OSSL_PARAM_BLD_to_param(bld)) || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &c.key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        die("cannot build the attestation key", NULL);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    set_sig(&c, sig, sig + 32, 32);
    return c;
}

/* ---- burh ---- */

typedef struct burh_case {
    burh_attest_verifier *v;
    burh_bytes evidence;
} burh_case;

static int burh_verify_once(void *arg)
{
    burh_case *c = arg;
    burh_attest_result *r = NULL;
    burh_attest_error err = {0};
    if (burh_attest_verify(c->v, BURH_PLATFORM_AUTO, c->evidence, &r, &err) != BURH_ATTEST_OK)
        die("burh_attest_verify", err.message);
    int accepted = burh_attest_result_accepted(r);
    if (!accepted)
        fprintf(stderr, "rejected: %s\n", burh_attest_result_failed_name(r, 0));
    burh_attest_result_free(r);
    return accepted;
}

static void pin_time(burh_attest_verifier *v, const char *at)
{
    int64_t t;
    if (!burh_attest_parse_rfc3339((burh_bytes){(const uint8_t *)at, strlen(at)}, &t))
        die("bad time", at);
    burh_attest_verifier_set_time(v, t);
}

static burh_case snp_case(void)
{
    burh_case c = {.evidence = slurp(SNP_DIR "trustee_milan_v2/report.bin")};
    burh_attest_error err = {0};
    burh_bytes vcek = slurp(SNP_DIR "trustee_milan_v2/vcek.der");
    burh_bytes chain = slurp(SNP_DIR "roots/bundle_ask_ark_asvk_milan.pem");
    if (burh_attest_verifier_new(&c.v, &err) != BURH_ATTEST_OK ||
        burh_attest_verifier_add_certs(c.v, vcek, &err) != BURH_ATTEST_OK ||
        burh_attest_verifier_add_certs(c.v, chain, &err) != BURH_ATTEST_OK)
        die("SNP setup", err.message);
    pin_time(c.v, SNP_AT);
    free((void *)vcek.ptr);
    free((void *)chain.ptr);
    return c;
}

static burh_case tdx_case(void)
{
    burh_case c = {.evidence = slurp(TDX_DIR "quote.dat")};
    burh_attest_error err = {0};
    burh_bytes bundle = slurp(TDX_DIR "collateral.json");
    if (burh_attest_verifier_new(&c.v, &err) != BURH_ATTEST_OK ||
        burh_attest_verifier_add_intel(c.v, BURH_INTEL_BUNDLE, bundle, &err) != BURH_ATTEST_OK)
        die("TDX setup", err.message);
    pin_time(c.v, TDX_AT);
    free((void *)bundle.ptr);
    return c;
}

static void print_machine(void)
{
    char line[512], model[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            const char *colon = strchr(line, ':');
            snprintf(model, sizeof model, "%.200s", colon ? colon + 2 : line);
            model[strcspn(model, "\n")] = '\0';
            break;
        }
    if (f)
        fclose(f);
    printf("machine: %ld CPUs online, %s; %s\n", sysconf(_SC_NPROCESSORS_ONLN), model,
           OpenSSL_version(OPENSSL_VERSION));
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : getenv("BURH_SHARED_DIR");
    snprintf(shared, sizeof shared, "%s", dir && *dir ? dir : "../shared/attestation");
    const char *secs = getenv("BURH_BENCH_SECONDS");
    if (secs && atof(secs) > 0)
        seconds_per_case = atof(secs);
    burh_case snp = snp_case(), tdx = tdx_case();
    burh_bytes vcek = slurp(SNP_DIR "trustee_milan_v2/vcek.der");
    bare_case p384 = bare_snp(snp.evidence, vcek), p256 = bare_tdx(tdx.evidence);
    free((void *)vcek.ptr);
    /* One warm-up each, so chain and collateral verdicts are cached before timing. */
    burh_verify_once(&snp);
    burh_verify_once(&tdx);
    double snp_rate = rate(burh_verify_once, &snp), p384_rate = rate(bare_verify, &p384);
    double tdx_rate = rate(burh_verify_once, &tdx), p256_rate = rate(bare_verify, &p256);
    print_machine();
    printf("%-44s %12s %12s %8s\n", "case", "burh/s", "bare/s", "ratio");
    printf("%-44s %12.0f %12.0f %7.1f%%\n", "SNP report (P-384, chain cached)", snp_rate, p384_rate,
           100.0 * snp_rate / p384_rate);
    printf("%-44s %12.0f %12.0f %7.1f%%\n", "TDX quote (2x P-256, chain+collateral cached)",
           tdx_rate, p256_rate / 2, 100.0 * tdx_rate / (p256_rate / 2));
    printf("(bare = OpenSSL EVP_DigestVerify of the same signature; TDX bare = pairs of P-256 "
           "verifies per second; target ratio >= 80%%)\n");
    burh_case *cases[] = {&snp, &tdx};
    for (int i = 0; i < 2; i++) {
        burh_attest_verifier_free(cases[i]->v);
        free((void *)cases[i]->evidence.ptr);
    }
    bare_case *bares[] = {&p384, &p256};
    for (int i = 0; i < 2; i++) {
        EVP_PKEY_free(bares[i]->key);
        OPENSSL_free(bares[i]->sig_der);
    }
    return 0;
}
