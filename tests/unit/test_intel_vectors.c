/* Genuine Intel SGX/TDX quotes from shared/attestation get their verdicts through burh_attest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "burh/attest.h"
#include "burh/attest_intel.h"
#include "testutil.h"

static bool have_shared(void)
{
    return tu_shared_exists("intel-tdx/roots/Intel_SGX_RootCA.pem");
}

#define SKIP_WITHOUT_SHARED()                                                                      \
    do {                                                                                           \
        if (!have_shared()) {                                                                      \
            fprintf(stderr, "SKIP: Intel vectors not found in %s (set BURH_SHARED_DIR)\n",         \
                    tu_shared_dir());                                                              \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* A file under the shared directory; a missing one fails the test. */
static burh_bytes slurp(const char *rel)
{
    size_t len = 0;
    uint8_t *buf = tu_read_shared(rel, &len);
    if (!buf)
        fail_msg("cannot open %s/%s", tu_shared_dir(), rel);
    return (burh_bytes){buf, len};
}

typedef struct vector {
    const char *quote;
    const char *bundle, *tcb, *qe, *chain, *pck_crl, *root_crl;
    const char *at; /* RFC 3339 */
    bool allow_debug, no_qe_identity;
    const char *status;
    const char *failures[6];
    const char *advisories[4];
} vector;

#define ROOTS       "intel-tdx/roots/"
#define CHAIN_OLD   ROOTS "tcb_signing_chain_2018-2025_from_gotdxguest.pem"
#define CHAIN_NEW   ROOTS "tcb_signing_chain_2025-2032_from_dcapqvl.pem"
#define SPR         "intel-tdx/gotdxguest_v4_spr/"
#define FMSPC00A06D "intel-tdx/trustee_v4_fmspc00A06D080000/"
/* The Sapphire Rapids collateral gotdxguest collected, which several quotes share. */
#define SPR_COLLATERAL                                                                             \
    .tcb = SPR "tcbinfo.json", .qe = SPR "qe_identity.json", .chain = CHAIN_OLD,                   \
    .pck_crl = SPR "pck_platform_crl.der", .root_crl = SPR "root_ca_crl.der"

static void load(burh_attest_verifier *v, const char *rel, burh_attest_intel_kind kind)
{
    if (!rel)
        return;
    burh_bytes b = slurp(rel);
    burh_attest_error err = {0};
    assert_int_equal(burh_attest_verifier_add_intel(v, kind, b, &err), BURH_ATTEST_OK);
    free((void *)b.ptr);
}

/* CRLs go in through the common entry point, which files them by issuer. */
static void load_crl(burh_attest_verifier *v, const char *rel)
{
    if (!rel)
        return;
    burh_bytes b = slurp(rel);
    assert_int_equal(burh_attest_verifier_add_crl(v, b, NULL), BURH_ATTEST_OK);
    free((void *)b.ptr);
}

/* The Intel verifier's former default: the four statuses short of OutOfDate are accepted. */
static void set_policy(burh_attest_verifier *v, const vector *vec, const char *extra)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"tcb_statuses\": [\"UpToDate\", \"SWHardeningNeeded\", \"ConfigurationNeeded\", "
             "\"ConfigurationAndSWHardeningNeeded\"], \"allow_debug\": %s, "
             "\"require_qe_identity\": %s%s}",
             vec->allow_debug ? "true" : "false", vec->no_qe_identity ? "false" : "true",
             extra ? extra : "");
    burh_attest_policy *pol = NULL;
    burh_attest_error err = {0};
    assert_int_equal(
        burh_attest_policy_parse((burh_bytes){(const uint8_t *)json, strlen(json)}, &pol, &err),
        BURH_ATTEST_OK);
    burh_attest_verifier_set_policy(v, pol);
}

static burh_attest_result *run_vector_with(const vector *vec, const char *roots_rel,
                                           const char *policy_extra)
{
    burh_attest_verifier *v = NULL;
    assert_int_equal(burh_attest_verifier_new(&v, NULL), BURH_ATTEST_OK);
    load(v, vec->bundle, BURH_INTEL_BUNDLE);
    load(v, vec->tcb, BURH_INTEL_TCB_INFO);
    load(v, vec->qe, BURH_INTEL_QE_IDENTITY);
    load(v, vec->chain, BURH_INTEL_ISSUER_CHAIN);
    load_crl(v, vec->pck_crl);
    load_crl(v, vec->root_crl);
    if (roots_rel) {
        burh_bytes r = slurp(roots_rel);
        assert_int_equal(burh_attest_verifier_trust_roots(v, r, NULL), BURH_ATTEST_OK);
        free((void *)r.ptr);
    }
    set_policy(v, vec, policy_extra);
    if (vec->at) {
        int64_t at;
        assert_true(burh_attest_parse_rfc3339(
            (burh_bytes){(const uint8_t *)vec->at, strlen(vec->at)}, &at));
        burh_attest_verifier_set_time(v, at);
    }
    burh_bytes qb = slurp(vec->quote);
    burh_attest_result *res = NULL;
    burh_attest_error err = {0};
    assert_int_equal(burh_attest_verify(v, BURH_PLATFORM_AUTO, qb, &res, &err), BURH_ATTEST_OK);
    free((void *)qb.ptr);
    burh_attest_verifier_free(v);
    return res;
}

static burh_attest_result *run_vector(const vector *vec)
{
    return run_vector_with(vec, NULL, NULL);
}

static const char *claim_str(const burh_attest_result *res, const char *key)
{
    return json_string_value(json_object_get(burh_attest_result_claims(res), key));
}

static void check_vector(const vector *v)
{
    burh_attest_result *res = run_vector(v);
    size_t nfail = 0;
    while (nfail < 6 && v->failures[nfail])
        nfail++;
    for (size_t i = 0; i < burh_attest_result_failed_count(res); i++)
        fprintf(stderr, "  %s: failed %s\n", v->quote, burh_attest_result_failed_name(res, i));
    assert_int_equal(burh_attest_result_failed_count(res), nfail);
    assert_int_equal(burh_attest_result_accepted(res), nfail == 0);
    for (size_t i = 0; i < nfail; i++)
        assert_true(burh_attest_result_failed(res, v->failures[i]));
    assert_string_equal(claim_str(res, "tcb_status"), v->status);
    assert_string_equal(claim_str(res, "status"), nfail ? "rejected" : "accepted");
    const json_t *adv = json_object_get(burh_attest_result_claims(res), "advisories");
    size_t nadv = 0;
    while (nadv < 4 && v->advisories[nadv]) {
        assert_string_equal(json_string_value(json_array_get(adv, nadv)), v->advisories[nadv]);
        nadv++;
    }
    assert_int_equal(json_array_size(adv), nadv);
    burh_attest_result_free(res);
}

static const vector VECTORS[] = {
    /* PH asserts ConfigurationAndSWHardeningNeeded with these two advisories. */
    {.quote = "intel-sgx/dcapqvl_v3/quote.dat",
     .bundle = "intel-sgx/dcapqvl_v3/collateral.json",
     .at = "2025-07-19T10:01:17Z",
     .status = "ConfigurationAndSWHardeningNeeded",
     .advisories = {"INTEL-SA-00289", "INTEL-SA-00615"}},
    /* PH asserts UpToDate, no advisories. */
    {.quote = "intel-tdx/dcapqvl_v4/quote.dat",
     .bundle = "intel-tdx/dcapqvl_v4/collateral.json",
     .at = "2025-07-19T10:00:34Z",
     .status = "UpToDate"},
    /* No platform level matches (component 8 below every level). */
    {.quote = "intel-tdx/dcapqvl_v5_outdated/quote.dat",
     .bundle = "intel-tdx/dcapqvl_v5_outdated/collateral.json",
     .at = "2026-03-20T10:41:14Z",
     .status = "TcbLevelNotSupported",
     .failures = {"tdx.tcb.status"}},
    /* GT's own collateral: TCB level not supported, everything else verifies. */
    {.quote = SPR "quote.dat",
     SPR_COLLATERAL,
     .at = "2023-07-01T01:00:00Z",
     .status = "TcbLevelNotSupported",
     .failures = {"tdx.tcb.status"}},
    /* Same platform type: UpToDate, but a debug TD. */
    {.quote = "intel-tdx/trustee_v4/quote.dat",
     SPR_COLLATERAL,
     .at = "2023-07-01T01:00:00Z",
     .status = "UpToDate",
     .failures = {"tdx.td.debug"}},
    {.quote = "intel-tdx/trustee_v4/quote.dat",
     SPR_COLLATERAL,
     .at = "2023-07-01T01:00:00Z",
     .allow_debug = true,
     .status = "UpToDate"},
    /* v5, TD 1.5 body; TDX_01 isvsvn 11 UpToDate. */
    {.quote = "intel-tdx/gotdxguest_v5/quote.dat",
     .tcb = "intel-tdx/gotdxguest_v5/tcbinfo.json",
     .chain = CHAIN_NEW,
     .at = "2026-02-03T01:00:00Z",
     .no_qe_identity = true,
     .status = "UpToDate"},
    /* No platform level; TDX_01 isvsvn 5 is OutOfDate with two advisories. */
    {.quote = "intel-tdx/trustee_v5/quote.dat",
     .tcb = "intel-tdx/gotdxguest_v5/tcbinfo.json",
     .chain = CHAIN_NEW,
     .at = "2026-02-03T01:00:00Z",
     .no_qe_identity = true,
     .status = "TcbLevelNotSupported",
     .failures = {"tdx.tcb.status"},
     .advisories = {"INTEL-SA-01036", "INTEL-SA-01099"}},
    /* PCESVN 11 < 13: only the OutOfDate level matches. */
    {.quote = FMSPC00A06D "quote.dat",
     .tcb = FMSPC00A06D "tcbinfo.json",
     .qe = FMSPC00A06D "qe_identity.json",
     .chain = CHAIN_NEW,
     .at = "2025-11-01T00:00:00Z",
     .status = "OutOfDate",
     .failures = {"tdx.tcb.status"}},
    /* No collateral: every quote check passes, the TCB cannot be judged. */
    {.quote = "intel-tdx/azure_tdx_v4_vtpm/quote.dat",
     .at = "2026-11-27T00:00:00Z",
     .status = "Unknown",
     .failures = {"tdx.tcb_info.missing", "tdx.qe_identity.missing"}},
    {.quote = "intel-tdx/gotdxguest_cos113_v4/quote.dat",
     .at = "2026-11-27T00:00:00Z",
     .status = "Unknown",
     .failures = {"tdx.tcb_info.missing", "tdx.qe_identity.missing"}},
    {.quote = "intel-sgx/trustee_occlum_v3/quote.dat",
     .at = "2026-11-27T00:00:00Z",
     .status = "Unknown",
     .failures = {"sgx.tcb_info.missing", "sgx.qe_identity.missing", "sgx.enclave.debug"}},
    /* Negative vectors: each rejected by the check it targets. */
    {.quote = "intel-tdx/negative/derived_gotdxguest_v4_reportdata_byte568_plus1.dat",
     .tcb = SPR "tcbinfo.json",
     .qe = SPR "qe_identity.json",
     .chain = CHAIN_OLD,
     .at = "2023-07-01T01:00:00Z",
     .status = "TcbLevelNotSupported",
     .failures = {"tdx.quote.signature", "tdx.tcb.status"}},
    {.quote = "intel-tdx/negative/derived_gotdxguest_v4_qereport_byte770_plus1.dat",
     .tcb = SPR "tcbinfo.json",
     .qe = SPR "qe_identity.json",
     .chain = CHAIN_OLD,
     .at = "2023-07-01T01:00:00Z",
     .status = "TcbLevelNotSupported",
     .failures = {"tdx.qe_report.signature", "tdx.tcb.status"}},
    {.quote = "intel-tdx/negative/derived_gotdxguest_v4_attestkey_byte700_plus1.dat",
     .tcb = SPR "tcbinfo.json",
     .qe = SPR "qe_identity.json",
     .chain = CHAIN_OLD,
     .at = "2023-07-01T01:00:00Z",
     .status = "TcbLevelNotSupported",
     .failures = {"tdx.quote.attestation_key", "tdx.quote.signature", "tdx.qe_report.binding",
                  "tdx.tcb.status"}},
    {.quote = "intel-sgx/negative/derived_dcapqvl_v3_mrenclave_byte112_plus1.dat",
     .bundle = "intel-sgx/dcapqvl_v3/collateral.json",
     .at = "2025-07-19T10:01:17Z",
     .status = "ConfigurationAndSWHardeningNeeded",
     .failures = {"sgx.quote.signature"},
     .advisories = {"INTEL-SA-00289", "INTEL-SA-00615"}},
    /* Collateral issued in 2026 checked with the TCB signing certificate that expired in 2025. */
    {.quote = "intel-tdx/gotdxguest_v5/quote.dat",
     .tcb = "intel-tdx/gotdxguest_v5/tcbinfo.json",
     .chain = CHAIN_OLD,
     .at = "2026-02-03T01:00:00Z",
     .no_qe_identity = true,
     .status = "UpToDate",
     .failures = {"tdx.collateral.signing_chain"}},
    /* SGX quotes cut out of RA-TLS certificates: all debug enclaves, no collateral. */
    {.quote = "optional/ra-tls/gramine-cert_legacy_quote.dat",
     .at = "2026-11-27T00:00:00Z",
     .status = "Unknown",
     .failures = {"sgx.tcb_info.missing", "sgx.qe_identity.missing", "sgx.enclave.debug"}},
    {.quote = "optional/ra-tls/intel-sgxsdk-cert_tagged_quote.dat",
     .at = "2026-11-27T00:00:00Z",
     .status = "Unknown",
     .failures = {"sgx.tcb_info.missing", "sgx.qe_identity.missing", "sgx.enclave.debug"}},
    {.quote = "optional/ra-tls/rats-tls-cert_tagged_quote.dat",
     .at = "2026-11-27T00:00:00Z",
     .status = "Unknown",
     .failures = {"sgx.tcb_info.missing", "sgx.qe_identity.missing", "sgx.enclave.debug"}},
    /* Evaluated after nextUpdate: collateral and CRLs are stale. */
    {.quote = "intel-tdx/dcapqvl_v4/quote.dat",
     .bundle = "intel-tdx/dcapqvl_v4/collateral.json",
     .at = "2026-11-27T00:00:00Z",
     .status = "UpToDate",
     .failures = {"tdx.tcb_info.expired", "tdx.qe_identity.expired", "tdx.pck.crl",
                  "tdx.root.crl"}},
};

static void test_genuine_vectors(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    for (size_t i = 0; i < sizeof(VECTORS) / sizeof(VECTORS[0]); i++)
        check_vector(&VECTORS[i]);
}

static void test_claims(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    burh_attest_result *res = run_vector(&VECTORS[4]);
    const json_t *c = burh_attest_result_claims(res), *m = json_object_get(c, "measurements");
    assert_int_equal(burh_attest_result_platform(res), BURH_PLATFORM_TDX);
    assert_string_equal(claim_str(res, "platform"), "tdx");
    assert_int_equal(json_integer_value(json_object_get(c, "quote_version")), 4);
    assert_string_equal(json_string_value(json_object_get(m, "mrtd")),
                        "705ee9381b8633a9fbe532b52345e8433343d2868959f57889d84ca377c395b6"
                        "89cac1599ccea1b7d420483a9ce5f031");
    assert_string_equal(claim_str(res, "fmspc"), "50806f000000");
    assert_string_equal(claim_str(res, "tee_tcb_svn"), "03000500000000000000000000000000");
    assert_true(json_is_true(json_object_get(c, "debug")));
    assert_null(json_object_get(c, "failures")); /* the common "failed_checks" says it */
    assert_true(json_is_array(json_object_get(c, "failed_checks")));
    burh_attest_result_free(res);

    res = run_vector(&VECTORS[0]);
    c = burh_attest_result_claims(res);
    m = json_object_get(c, "measurements");
    assert_int_equal(burh_attest_result_platform(res), BURH_PLATFORM_SGX);
    assert_string_equal(json_string_value(json_object_get(m, "mrenclave")),
                        "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
    assert_string_equal(json_string_value(json_object_get(m, "mrsigner")),
                        "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6");
    assert_memory_equal(claim_str(res, "report_data"), "48656c6c6f2c20776f726c6421000000", 32);
    assert_true(json_is_false(json_object_get(c, "debug")));
    burh_attest_result_free(res);
}

/* Runs vector i under extra policy text and checks which single check fails (NULL: none). */
static void policy_case(size_t i, const char *extra, const char *want_failed)
{
    burh_attest_result *res = run_vector_with(&VECTORS[i], NULL, extra);
    for (size_t k = 0; k < burh_attest_result_failed_count(res); k++)
        fprintf(stderr, "  policy %s: failed %s\n", extra, burh_attest_result_failed_name(res, k));
    if (want_failed) {
        assert_int_equal(burh_attest_result_failed_count(res), 1);
        assert_true(burh_attest_result_failed(res, want_failed));
    } else {
        assert_true(burh_attest_result_accepted(res));
    }
    burh_attest_result_free(res);
}

#define ZERO48                                                                                     \
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" \
    "0000"
#define ZERO32 "0000000000000000000000000000000000000000000000000000000000000000"
#define MRTD_V4                                                                                    \
    "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b25388731" \
    "18b7"
#define MRENCLAVE_V3 "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb"
#define MRSIGNER_V3  "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6"

/* Every TDX and SGX policy key is enforced through the common policy. */
static void test_policy_keys(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    /* VECTORS[1] is dcapqvl_v4 (TDX, accepted); VECTORS[0] dcapqvl_v3 (SGX, accepted). */
    policy_case(1, ", \"tdx\": {\"mrtd\": [\"" ZERO48 "\", \"" MRTD_V4 "\"]}", NULL);
    policy_case(1, ", \"tdx\": {\"mrtd\": [\"" ZERO48 "\"]}", "policy.mrtd");
    policy_case(1, ", \"tdx\": {\"mrconfigid\": [\"" ZERO48 "\"]}", NULL);
    policy_case(1, ", \"tdx\": {\"rtmr2\": [\"" ZERO48 "\"]}", "policy.rtmr2");
    policy_case(1, ", \"report_data\": \"9a9d48e7\"", "policy.report_data");
    policy_case(1, ", \"platforms\": [\"snp\", \"sgx\"]", "policy.platform");
    policy_case(0,
                ", \"sgx\": {\"mrenclave\": [\"" MRENCLAVE_V3 "\"], \"mrsigner\": [\"" MRSIGNER_V3
                "\"], \"isv_prod_id\": 0, \"min_isv_svn\": 0}",
                NULL);
    policy_case(0, ", \"sgx\": {\"mrenclave\": [\"" ZERO32 "\"]}", "policy.mrenclave");
    policy_case(0, ", \"sgx\": {\"mrsigner\": [\"" ZERO32 "\"]}", "policy.mrsigner");
    policy_case(0, ", \"sgx\": {\"isv_prod_id\": 7}", "policy.isv_prod_id");
    policy_case(0, ", \"sgx\": {\"min_isv_svn\": 1}", "policy.isv_svn");
    policy_case(0, ", \"report_data\": \"48656c6c6f2c20776f726c6421\"", NULL);
    policy_case(0, ", \"require_crls\": true", NULL); /* the bundle carries both CRLs */
}

/* tcb_statuses decides: dcapqvl_v3 is ConfigurationAndSWHardeningNeeded. */
static void test_tcb_statuses(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    burh_attest_verifier *v = NULL;
    assert_int_equal(burh_attest_verifier_new(&v, NULL), BURH_ATTEST_OK);
    load(v, "intel-sgx/dcapqvl_v3/collateral.json", BURH_INTEL_BUNDLE);
    int64_t at;
    assert_true(
        burh_attest_parse_rfc3339((burh_bytes){(const uint8_t *)"2025-07-19T10:01:17Z", 20}, &at));
    burh_attest_verifier_set_time(v, at);
    burh_bytes q = slurp("intel-sgx/dcapqvl_v3/quote.dat");
    burh_attest_result *res = NULL;
    /* The default policy accepts UpToDate only. */
    assert_int_equal(burh_attest_verify(v, BURH_PLATFORM_SGX, q, &res, NULL), BURH_ATTEST_OK);
    assert_int_equal(burh_attest_result_failed_count(res), 1);
    assert_true(burh_attest_result_failed(res, "sgx.tcb.status"));
    burh_attest_result_free(res);
    /* Asking for TDX verification of an SGX quote is a rejection, not a crash. */
    assert_int_equal(burh_attest_verify(v, BURH_PLATFORM_TDX, q, &res, NULL), BURH_ATTEST_OK);
    assert_true(burh_attest_result_failed(res, "tdx.quote.tee_type"));
    burh_attest_result_free(res);
    /* A truncated quote is a named rejection. */
    burh_bytes cut = {q.ptr, 1000};
    assert_int_equal(burh_attest_verify(v, BURH_PLATFORM_AUTO, cut, &res, NULL), BURH_ATTEST_OK);
    assert_true(burh_attest_result_failed(res, "sgx.quote.format"));
    burh_attest_result_free(res);
    free((void *)q.ptr);
    burh_attest_verifier_free(v);
}

/* The signature-data length, not the file length, ends the quote. */
static void test_trailing_and_truncation(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    static const struct {
        const char *path;
        size_t trailing;
    } T[] = {{SPR "quote.dat", 39},
             {"intel-tdx/gotdxguest_cos113_v4/quote.dat", 3065},
             {"intel-tdx/trustee_v4/quote.dat", 0},
             {"intel-tdx/trustee_v5/quote.dat", 0}};
    for (size_t i = 0; i < sizeof(T) / sizeof(T[0]); i++) {
        burh_bytes raw = slurp(T[i].path);
        burh_intel_bytes b = {raw.ptr, raw.len};
        burh_intel_quote *q = NULL;
        assert_int_equal(burh_intel_quote_parse(b, &q), BURH_INTEL_OK);
        assert_int_equal(burh_intel_quote_trailing(q), T[i].trailing);
        size_t end = b.len - T[i].trailing;
        burh_intel_quote_free(q);
        for (size_t cut = 0; cut < end; cut++) {
            burh_intel_bytes part = {b.ptr, cut};
            q = NULL;
            assert_int_not_equal(burh_intel_quote_parse(part, &q), BURH_INTEL_OK);
            assert_null(q);
        }
        free((void *)b.ptr);
    }
}

static burh_attest_result *verify_rel(burh_attest_verifier *v, const char *rel)
{
    burh_bytes q = slurp(rel);
    burh_attest_result *res = NULL;
    assert_int_equal(burh_attest_verify(v, BURH_PLATFORM_AUTO, q, &res, NULL), BURH_ATTEST_OK);
    free((void *)q.ptr);
    return res;
}

/* One verifier, many quotes: cached chain and collateral verdicts never hide a per-quote
 * failure, and a new policy or clock is honoured. */
static void test_cache_consistency(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    vector vec = {.allow_debug = true};
    burh_attest_verifier *v = NULL;
    assert_int_equal(burh_attest_verifier_new(&v, NULL), BURH_ATTEST_OK);
    load(v, SPR "tcbinfo.json", BURH_INTEL_TCB_INFO);
    load(v, SPR "qe_identity.json", BURH_INTEL_QE_IDENTITY);
    load(v, CHAIN_OLD, BURH_INTEL_ISSUER_CHAIN);
    set_policy(v, &vec, NULL);
    burh_attest_verifier_set_time(v, 1688173200); /* 2023-07-01T01:00:00Z */
    for (int round = 0; round < 2; round++) {
        burh_attest_result *res = verify_rel(v, "intel-tdx/trustee_v4/quote.dat");
        assert_true(burh_attest_result_accepted(res));
        burh_attest_result_free(res);
        res = verify_rel(v, "intel-tdx/negative/derived_gotdxguest_v4_qereport_byte770_plus1.dat");
        assert_true(burh_attest_result_failed(res, "tdx.qe_report.signature"));
        burh_attest_result_free(res);
        res = verify_rel(v, "intel-tdx/negative/derived_gotdxguest_v4_attestkey_byte700_plus1.dat");
        assert_true(burh_attest_result_failed(res, "tdx.quote.attestation_key"));
        burh_attest_result_free(res);
    }
    set_policy(v, &vec, ", \"require_crls\": true");
    burh_attest_result *res = verify_rel(v, "intel-tdx/trustee_v4/quote.dat");
    assert_true(burh_attest_result_failed(res, "tdx.pck.crl"));
    assert_true(burh_attest_result_failed(res, "tdx.root.crl"));
    burh_attest_result_free(res);
    burh_attest_verifier_set_time(v, 1900000000); /* 2030: the collateral has expired */
    res = verify_rel(v, "intel-tdx/trustee_v4/quote.dat");
    assert_true(burh_attest_result_failed(res, "tdx.tcb_info.expired"));
    burh_attest_result_free(res);
    burh_attest_verifier_free(v);
}

/* An explicit trust store replaces the pin: Intel's root works, another root does not. */
static void test_trust_store(void **state)
{
    (void)state;
    SKIP_WITHOUT_SHARED();
    burh_attest_result *res = run_vector_with(&VECTORS[1], ROOTS "Intel_SGX_RootCA.pem", NULL);
    assert_true(burh_attest_result_accepted(res));
    burh_attest_result_free(res);
    res = run_vector_with(&VECTORS[1], "amd-sev-snp/roots/ark_milan.pem", NULL);
    assert_true(burh_attest_result_failed(res, "tdx.pck.chain"));
    assert_true(burh_attest_result_failed(res, "tdx.collateral.signing_chain"));
    burh_attest_result_free(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_genuine_vectors),
        cmocka_unit_test(test_claims),
        cmocka_unit_test(test_trailing_and_truncation),
        cmocka_unit_test(test_trust_store),
        cmocka_unit_test(test_policy_keys),
        cmocka_unit_test(test_tcb_statuses),
        cmocka_unit_test(test_cache_consistency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
