/* The verifier object: trust, collateral, clock and policy; dispatches evidence by platform. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

#include "attest/attest_internal.h"
#include "attest/intel/intel_internal.h"

burh_attest_status burh_attest_verifier_new(burh_attest_verifier **out, burh_attest_error *err)
{
    if (!out)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "burh_attest_verifier_new: no out");
    burh_attest_verifier *v = calloc(1, sizeof *v);
    if (!v)
        return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory");
    v->trust.roots = sk_X509_new_null();
    v->trust.certs = sk_X509_new_null();
    v->trust.crls = sk_X509_CRL_new_null();
    v->leaves_dirty = true;
    if (!v->trust.roots || !v->trust.certs || !v->trust.crls) {
        burh_attest_verifier_free(v);
        return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory");
    }
    *out = v;
    return BURH_ATTEST_OK;
}

void burh_attest_verifier_free(burh_attest_verifier *v)
{
    if (!v)
        return;
    sk_X509_pop_free(v->trust.roots, X509_free);
    sk_X509_pop_free(v->trust.certs, X509_free);
    sk_X509_CRL_pop_free(v->trust.crls, X509_CRL_free);
    burh_attest_policy_free(v->policy);
    burh_intel_collateral_free(v->intel);
    intel_cache_free(v->intel_cache);
    free(v->leaves);
    free(v);
}

burh_attest_status burh_attest_verifier_trust_roots(burh_attest_verifier *v, burh_bytes certs,
                                                    burh_attest_error *err)
{
    if (!v)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "no verifier");
    v->leaves_dirty = true;
    v->intel_dirty = true;
    return burh_attest_load_certs(certs, v->trust.roots, err);
}

burh_attest_status burh_attest_verifier_add_certs(burh_attest_verifier *v, burh_bytes certs,
                                                  burh_attest_error *err)
{
    if (!v)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "no verifier");
    v->leaves_dirty = true;
    return burh_attest_load_certs(certs, v->trust.certs, err);
}

burh_attest_status burh_attest_verifier_add_crl(burh_attest_verifier *v, burh_bytes crl,
                                                burh_attest_error *err)
{
    if (!v)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "no verifier");
    v->leaves_dirty = true;
    burh_attest_status st = burh_attest_load_crl(crl, v->trust.crls, err);
    if (st == BURH_ATTEST_OK)
        burh_attest_dcap_take_crl(
            v, sk_X509_CRL_value(v->trust.crls, sk_X509_CRL_num(v->trust.crls) - 1));
    return st;
}

void burh_attest_verifier_set_time(burh_attest_verifier *v, int64_t unix_seconds)
{
    if (!v)
        return;
    v->trust.at = unix_seconds;
    v->at_set = true;
    v->leaves_dirty = true;
    v->intel_dirty = true;
}

void burh_attest_verifier_set_policy(burh_attest_verifier *v, burh_attest_policy *policy)
{
    if (!v) {
        burh_attest_policy_free(policy);
        return;
    }
    burh_attest_policy_free(v->policy);
    v->policy = policy;
    v->intel_dirty = true; /* cached Intel verdicts depend on require_crls */
}

const burh_attest_policy *burh_attest_verifier_policy(const burh_attest_verifier *v)
{
    return v->policy ? v->policy : burh_attest_policy_default();
}

/* Examines every leaf certificate of the collateral once per collateral/clock change. */
static burh_attest_status rebuild_leaves(burh_attest_verifier *v, burh_attest_error *err)
{
    if (!v->at_set)
        v->trust.at = (int64_t)time(NULL);
    free(v->leaves);
    v->leaves = NULL;
    v->nleaves = 0;
    int n = sk_X509_num(v->trust.certs);
    if (n > 0) {
        v->leaves = calloc((size_t)n, sizeof *v->leaves);
        if (!v->leaves)
            return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        X509 *c = sk_X509_value(v->trust.certs, i);
        if (!burh_snp_cert_is_leaf(c))
            continue;
        burh_attest_status st = burh_snp_leaf_examine(&v->trust, c, &v->leaves[v->nleaves], err);
        if (st != BURH_ATTEST_OK)
            return st;
        v->nleaves++;
    }
    v->leaves_dirty = false;
    return BURH_ATTEST_OK;
}

/* With the default clock, chain verdicts are reused for a minute of "now". */
#define NOW_CACHE_SECONDS 60

/* A leaf of the report's kind, preferring the one whose hwID is the report's CHIP_ID. */
static const burh_snp_leaf *pick_leaf(const burh_attest_verifier *v, const burh_snp_report *rep)
{
    const burh_snp_leaf *same_kind = NULL;
    for (size_t i = 0; i < v->nleaves; i++) {
        const burh_snp_leaf *l = &v->leaves[i];
        if (l->kind != rep->signing_key)
            continue;
        if (l->hwid_len && memcmp(l->hwid, rep->chip_id, l->hwid_len) == 0)
            return l;
        if (!same_kind)
            same_kind = l;
    }
    /* A leaf of the wrong kind still gets verified, and then fails "snp.vcek.kind". */
    return same_kind ? same_kind : (v->nleaves ? &v->leaves[0] : NULL);
}

burh_attest_status burh_attest_verifier_leaf(burh_attest_verifier *v, const burh_snp_report *rep,
                                             const burh_snp_leaf **out, burh_attest_error *err)
{
    *out = NULL;
    if (!v->at_set) {
        int64_t now = (int64_t)time(NULL);
        if (now - v->trust.at > NOW_CACHE_SECONDS || now < v->trust.at)
            v->leaves_dirty = true;
    }
    if (v->leaves_dirty) {
        burh_attest_status st = rebuild_leaves(v, err);
        if (st != BURH_ATTEST_OK)
            return st;
    }
    *out = pick_leaf(v, rep);
    return BURH_ATTEST_OK;
}

burh_attest_platform burh_attest_detect_platform(burh_bytes evidence)
{
    burh_attest_platform dcap;
    if (burh_attest_dcap_detect(evidence, &dcap))
        return dcap;
    if (burh_unsigned_evidence_detect(evidence)) {
        burh_unsigned_evidence ev;
        if (burh_unsigned_evidence_parse(evidence, &ev, NULL) == BURH_ATTEST_OK)
            return ev.backend;
        return BURH_PLATFORM_NIL; /* reported as a malformed unsigned evidence */
    }
    return BURH_PLATFORM_SNP;
}

burh_attest_status burh_attest_verify(burh_attest_verifier *v, burh_attest_platform platform,
                                      burh_bytes evidence, burh_attest_result **out,
                                      burh_attest_error *err)
{
    if (!v || !out || (!evidence.ptr && evidence.len) || !burh_attest_platform_name(platform))
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "burh_attest_verify: bad arguments");
    *out = NULL;
    if (platform == BURH_PLATFORM_AUTO)
        platform = burh_attest_detect_platform(evidence);
    burh_attest_result *r = burh_attest_result_new(platform);
    if (!r)
        return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory");
    burh_attest_status st = BURH_ATTEST_OK;
    switch (platform) {
    case BURH_PLATFORM_SNP:
        st = burh_attest_verify_snp(v, evidence, r, err);
        break;
    case BURH_PLATFORM_NIL:
    case BURH_PLATFORM_KVM:
        st = burh_attest_verify_unsigned(v, evidence, platform, r, err);
        break;
    default:
        st = burh_attest_verify_dcap(v, platform, evidence, r, err);
        break;
    }
    ERR_clear_error();
    if (st == BURH_ATTEST_OK && !burh_attest_result_finish(r))
        st = burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "out of memory");
    if (st != BURH_ATTEST_OK) {
        burh_attest_result_free(r);
        return st;
    }
    *out = r;
    return BURH_ATTEST_OK;
}
