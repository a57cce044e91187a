/* Intel Provisioning Certification Service client (API v4): collateral for one DCAP quote. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "attest/attest_internal.h"
#include "attest/intel/intel_internal.h"

#define PCS_DEFAULT_BASE "https://api.trustedservices.intel.com"

/* What a quote needs to know to ask PCS: its TEE, FMSPC and the CA that issued its PCK. */
typedef struct pcs_target {
    const char *tee; /* "tdx" or "sgx" */
    char fmspc[13];
    const char *ca; /* "platform" or "processor" */
} pcs_target;

static burh_attest_status read_target(burh_bytes quote, pcs_target *t, burh_attest_error *err)
{
    burh_intel_quote *q = NULL;
    burh_intel_err e = burh_intel_quote_parse((burh_intel_bytes){quote.ptr, quote.len}, &q);
    if (e != BURH_INTEL_OK)
        return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED, "PCS: the quote does not parse: %s",
                                burh_intel_err_name(e));
    t->tee = burh_intel_quote_tee(q) == BURH_INTEL_TEE_TDX ? "tdx" : "sgx";
    STACK_OF(X509) *chain = intel_pem_chain_load(q->pck_pem, q->pck_pem_len);
    burh_intel_quote_free(q);
    intel_pck_ext pck;
    X509 *leaf = chain ? sk_X509_value(chain, 0) : NULL;
    if (!leaf || intel_pck_ext_from_cert(leaf, &pck) != BURH_INTEL_OK) {
        sk_X509_pop_free(chain, X509_free);
        return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED,
                                "PCS: the quote carries no readable PCK certificate");
    }
    char issuer[128] = "";
    X509_NAME_get_text_by_NID(X509_get_issuer_name(leaf), NID_commonName, issuer, sizeof issuer);
    t->ca = strstr(issuer, "Processor") ? "processor" : "platform";
    burh_attest_hex_encode(pck.fmspc, sizeof pck.fmspc, t->fmspc);
    sk_X509_pop_free(chain, X509_free);
    return BURH_ATTEST_OK;
}

typedef struct pcs_session {
    burh_attest_verifier *v;
    char base[512];
    char cache[2048]; /* "" = no cache */
} pcs_session;

/* GETs base+path; hands the body to `kind` (or to the CRL list when kind < 0) and the issuer
 * chain header, if one is named, to the verifier as the TCB signing chain. */
static burh_attest_status fetch_one(pcs_session *s, const char *path, const char *cache_name,
                                    int kind, const char *header, const char *header_alt,
                                    burh_attest_error *err)
{
    char url[1024], cached[2200];
    if ((size_t)snprintf(url, sizeof url, "%s%s", s->base, path) >= sizeof url ||
        (size_t)snprintf(cached, sizeof cached, "%s/%s", s->cache, cache_name) >= sizeof cached)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "PCS: URL or cache path too long");
    burh_http_fetch rq = {.url = url,
                          .cache_path = s->cache[0] ? cached : NULL,
                          .header = header,
                          .header_alt = header_alt};
    burh_http_body body;
    burh_attest_status st = burh_attest_http_fetch(&rq, &body, err);
    if (st != BURH_ATTEST_OK)
        return st;
    burh_bytes in = {body.data, body.len};
    if (kind < 0)
        st = burh_attest_verifier_add_crl(s->v, in, err);
    else
        st = burh_attest_verifier_add_intel(s->v, (burh_attest_intel_kind)kind, in, err);
    if (st == BURH_ATTEST_OK && body.header_value) {
        burh_bytes chain = {(const uint8_t *)body.header_value, strlen(body.header_value)};
        st = burh_attest_verifier_add_intel(s->v, BURH_INTEL_ISSUER_CHAIN, chain, err);
    }
    burh_http_body_free(&body);
    if (st != BURH_ATTEST_OK && err)
        snprintf(err->message, sizeof err->message, "PCS: %.200s: bad response", url);
    return st;
}

burh_attest_status burh_attest_pcs_fetch(burh_attest_verifier *v, burh_bytes quote,
                                         const burh_attest_pcs *opts, burh_attest_error *err)
{
    pcs_target t;
    pcs_session s = {.v = v};
    char path[256], name[128];
    if (!v || !opts)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "PCS: bad arguments");
    burh_attest_status st = read_target(quote, &t, err);
    if (st != BURH_ATTEST_OK)
        return st;
    burh_bytes def = {(const uint8_t *)PCS_DEFAULT_BASE, strlen(PCS_DEFAULT_BASE)};
    if (!burh_attest_copy_text(opts->base_url.len ? opts->base_url : def, s.base, sizeof s.base) ||
        !burh_attest_copy_text(opts->cache_dir, s.cache, sizeof s.cache))
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "PCS: bad base URL or cache directory");
    if (s.cache[0] && mkdir(s.cache, 0700) != 0 && errno != EEXIST)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "PCS: cannot create %s", s.cache);
    snprintf(path, sizeof path, "/%s/certification/v4/tcb?fmspc=%s", t.tee, t.fmspc);
    snprintf(name, sizeof name, "pcs-%s-tcb-%s.json", t.tee, t.fmspc);
    st = fetch_one(&s, path, name, BURH_INTEL_TCB_INFO, "TCB-Info-Issuer-Chain",
                   "SGX-TCB-Info-Issuer-Chain", err);
    if (st != BURH_ATTEST_OK)
        return st;
    snprintf(path, sizeof path, "/%s/certification/v4/qe/identity", t.tee);
    snprintf(name, sizeof name, "pcs-%s-qe_identity.json", t.tee);
    st = fetch_one(&s, path, name, BURH_INTEL_QE_IDENTITY, "SGX-Enclave-Identity-Issuer-Chain",
                   NULL, err);
    if (st != BURH_ATTEST_OK)
        return st;
    /* The PCK CA itself travels in the quote, so the CRL's issuer chain header is not needed. */
    snprintf(path, sizeof path, "/sgx/certification/v4/pckcrl?ca=%s", t.ca);
    snprintf(name, sizeof name, "pcs-pckcrl-%s.crl", t.ca);
    st = fetch_one(&s, path, name, -1, NULL, NULL, err);
    if (st != BURH_ATTEST_OK)
        return st;
    return fetch_one(&s, "/sgx/certification/v4/rootcacrl", "pcs-rootcacrl.crl", -1, NULL, NULL,
                     err);
}
