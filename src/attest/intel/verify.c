/* Intel DCAP quote verification: signatures, PCK chain, CRLs, collateral and TCB status. */
#include "attest/intel/verify_internal.h"

#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

static const uint8_t INTEL_QE_VENDOR[16] = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                            0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};

void intel_vctx_fail(intel_vctx *v, const char *check)
{
    char name[64];
    snprintf(name, sizeof(name), "%s.%s", v->prefix, check);
    if (!burh_intel_result_failed(v->res, name))
        json_array_append_new(v->res->failures, json_string(name));
}

void intel_vctx_skip(intel_vctx *v, const char *check)
{
    char name[64];
    snprintf(name, sizeof(name), "%s.%s", v->prefix, check);
    json_array_append_new(v->res->skipped, json_string(name));
}

static void check_quote_signature(intel_vctx *v)
{
    const burh_intel_quote *q = v->quote;
    if (memcmp(q->buf + 12, INTEL_QE_VENDOR, sizeof(INTEL_QE_VENDOR)) != 0)
        intel_vctx_fail(v, "quote.header");
    bool owned;
    EVP_PKEY *key = intel_cached_attest_key(v, &owned);
    if (!key)
        intel_vctx_fail(v, "quote.attestation_key");
    if (!key || !intel_ecdsa_p256_verify_pkey(key, q->buf, q->signed_len, q->signature))
        intel_vctx_fail(v, "quote.signature");
    if (owned)
        EVP_PKEY_free(key);
}

static void check_qe_binding(intel_vctx *v)
{
    const burh_intel_quote *q = v->quote;
    uint8_t md[32];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
              EVP_DigestUpdate(ctx, q->attest_key, INTEL_KEY_LEN) == 1 &&
              EVP_DigestUpdate(ctx, q->qe_auth, q->qe_auth_len) == 1 &&
              EVP_DigestFinal_ex(ctx, md, NULL) == 1;
    EVP_MD_CTX_free(ctx);
    const uint8_t *rd = q->qe_report + SGX_REPORTDATA;
    static const uint8_t zero[32];
    if (!ok || memcmp(rd, md, 32) != 0 || memcmp(rd + 32, zero, 32) != 0)
        intel_vctx_fail(v, "qe_report.binding");
}

/* Anchors: the caller's roots, else any certificate we hold whose hash is the pinned root. */
static void collect_anchors(intel_vctx *v, STACK_OF(X509) * roots)
{
    v->anchors = sk_X509_new_null();
    if (roots) {
        for (int i = 0; i < sk_X509_num(roots); i++)
            if (X509_up_ref(sk_X509_value(roots, i)) == 1)
                sk_X509_push(v->anchors, sk_X509_value(roots, i));
        return;
    }
    STACK_OF(X509) * pools[2] = {v->pck_chain, v->col ? v->col->signing_chain : NULL};
    for (int p = 0; p < 2; p++)
        for (int i = 0; pools[p] && i < sk_X509_num(pools[p]); i++)
            if (intel_cert_is_pinned_root(sk_X509_value(pools[p], i)))
                sk_X509_push(v->anchors, X509_dup(sk_X509_value(pools[p], i)));
}

static void check_qe_report_signature(intel_vctx *v)
{
    const burh_intel_quote *q = v->quote;
    X509 *leaf = v->pck_chain ? sk_X509_value(v->pck_chain, 0) : NULL;
    EVP_PKEY *key = leaf ? X509_get0_pubkey(leaf) : NULL;
    if (!key ||
        !intel_ecdsa_p256_verify_pkey(key, q->qe_report, INTEL_QE_REPORT_LEN, q->qe_report_sig))
        intel_vctx_fail(v, "qe_report.signature");
}

static void check_pck(intel_vctx *v)
{
    if (!v->pck_chain) {
        intel_vctx_fail(v, "pck.chain");
        return;
    }
    X509 *leaf = sk_X509_value(v->pck_chain, 0);
    if (intel_chain_verify(leaf, v->pck_chain, v->anchors, v->at) != X509_V_OK)
        intel_vctx_fail(v, "pck.chain");
    if (intel_pck_ext_from_cert(leaf, &v->pck) == BURH_INTEL_OK)
        v->have_pck = true;
    else
        intel_vctx_fail(v, "pck.extension");
}

/* The anchor or chain certificate whose subject issued crl. */
static X509 *crl_issuer(intel_vctx *v, X509_CRL *crl)
{
    STACK_OF(X509) * pools[2] = {v->anchors, v->pck_chain}; /* anchors first: never a look-alike */
    for (int p = 0; p < 2; p++)
        for (int i = 0; pools[p] && i < sk_X509_num(pools[p]); i++)
            if (!X509_NAME_cmp(X509_CRL_get_issuer(crl),
                               X509_get_subject_name(sk_X509_value(pools[p], i))))
                return sk_X509_value(pools[p], i);
    return NULL;
}

static void check_one_crl(intel_vctx *v, X509_CRL *crl, const char *name)
{
    const burh_intel_policy *pol = v->policy;
    if (!crl) {
        if (pol->require_crls)
            intel_vctx_fail(v, name);
        else
            intel_vctx_skip(v, name);
        return;
    }
    X509 *issuer = crl_issuer(v, crl);
    if (!issuer || burh_attest_crl_judge(crl, issuer, v->at) != BURH_CRL_CURRENT)
        intel_vctx_fail(v, name);
    for (int i = 0; v->pck_chain && i < sk_X509_num(v->pck_chain); i++)
        if (burh_attest_crl_revokes(crl, sk_X509_value(v->pck_chain, i)))
            intel_vctx_fail(v, "pck.revoked");
}

static void check_crls(intel_vctx *v)
{
    if (!v->pck_chain)
        return;
    check_one_crl(v, v->col ? v->col->pck_crl : NULL, "pck.crl");
    check_one_crl(v, v->col ? v->col->root_crl : NULL, "root.crl");
}

/* Collateral must be signed by a non-CA certificate the root issued directly (Intel's TCB
 * signing certificate): a PCK key, held by a platform, must never vouch for collateral. */
static bool signer_issued_by_anchor(const intel_vctx *v, X509 *signer)
{
    if (X509_check_ca(signer) != 0)
        return false;
    for (int i = 0; i < sk_X509_num(v->anchors); i++)
        if (X509_check_issued(sk_X509_value(v->anchors, i), signer) == X509_V_OK)
            return true;
    return false;
}

/* Signature by the TCB signing certificate (chained to the anchors) and validity dates. */
static bool check_signed_doc(intel_vctx *v, const intel_signed_doc *doc, const char *what)
{
    char name[48];
    bool ok = true;
    STACK_OF(X509) *chain = v->col->signing_chain;
    X509 *signer = chain ? sk_X509_value(chain, 0) : NULL;
    if (!signer || !signer_issued_by_anchor(v, signer) ||
        intel_chain_verify(signer, chain, v->anchors, v->at) != X509_V_OK) {
        intel_vctx_fail(v, "collateral.signing_chain");
        ok = false;
    }
    EVP_PKEY *key = signer ? X509_get0_pubkey(signer) : NULL;
    if (!key || !intel_ecdsa_p256_verify_pkey(key, doc->body, doc->body_len, doc->sig)) {
        snprintf(name, sizeof(name), "%s.signature", what);
        intel_vctx_fail(v, name);
        ok = false;
    }
    if (v->at < doc->issue_date || v->at >= doc->next_update) {
        snprintf(name, sizeof(name), "%s.expired", what);
        intel_vctx_fail(v, name);
        ok = false;
    }
    return ok;
}

/* check_signed_doc once per collateral when a cache is given. */
static void check_signed_doc_cached(intel_vctx *v, const intel_signed_doc *doc, const char *what,
                                    intel_memo *memo)
{
    if (memo && memo->done) {
        intel_memo_replay(v, memo);
        return;
    }
    size_t mark[2];
    intel_memo_begin(v, mark);
    check_signed_doc(v, doc, what);
    if (memo)
        intel_memo_end(v, mark, memo);
}

static void check_tcb_info(intel_vctx *v)
{
    const intel_tcb_info *tcb = v->col ? &v->col->tcb : NULL;
    if (!tcb || !tcb->doc.present) {
        if (v->policy->require_tcb_info)
            intel_vctx_fail(v, "tcb_info.missing");
        else
            intel_vctx_skip(v, "tcb_info");
        return;
    }
    check_signed_doc_cached(v, &tcb->doc, "tcb_info", v->cache ? &v->cache->tcb_doc : NULL);
    if (!v->have_pck)
        return;
    bool is_tdx = v->quote->tee_type == BURH_INTEL_TEE_TDX;
    if (tcb->is_tdx != is_tdx || memcmp(tcb->fmspc, v->pck.fmspc, 6) != 0 ||
        memcmp(tcb->pceid, v->pck.pceid, 2) != 0) {
        intel_vctx_fail(v, "tcb_info.fmspc");
        return;
    }
    const intel_tcb_level *l =
        intel_match_platform(tcb, &v->pck, is_tdx ? v->quote->body + TD_TEE_TCB_SVN : NULL);
    v->status = l ? l->status : BURH_INTEL_TCB_NOT_SUPPORTED;
    if (l)
        intel_advisories_merge(v->advisories, l->advisories);
    /* Judged even without a platform level, so the claims say what else is out of date. */
    if (is_tdx)
        intel_check_tdx_module(v, tcb);
}

static void check_qe_identity(intel_vctx *v)
{
    const intel_qe_identity *qe = v->col ? &v->col->qe : NULL;
    if (!qe || !qe->doc.present) {
        if (v->policy->require_qe_identity)
            intel_vctx_fail(v, "qe_identity.missing");
        else
            intel_vctx_skip(v, "qe_identity");
        return;
    }
    check_signed_doc_cached(v, &qe->doc, "qe_identity", v->cache ? &v->cache->qe_doc : NULL);
    const uint8_t *r = v->quote->qe_report;
    const char *want_id = v->quote->tee_type == BURH_INTEL_TEE_TDX ? "TD_QE" : "QE";
    bool match = strcmp(qe->id, want_id) == 0 && memcmp(r + SGX_MRSIGNER, qe->mrsigner, 32) == 0 &&
                 (uint16_t)(r[SGX_ISVPRODID] | r[SGX_ISVPRODID + 1] << 8) == qe->isvprodid;
    for (int i = 0; i < 4; i++)
        match = match && ((r[SGX_MISCSELECT + i] & qe->miscselect_mask[i]) ==
                          (qe->miscselect[i] & qe->miscselect_mask[i]));
    for (int i = 0; i < 16; i++)
        match = match && ((r[SGX_ATTRIBUTES + i] & qe->attributes_mask[i]) ==
                          (qe->attributes[i] & qe->attributes_mask[i]));
    if (!match)
        intel_vctx_fail(v, "qe_identity.mismatch");
    uint16_t isvsvn = (uint16_t)(r[SGX_ISVSVN] | r[SGX_ISVSVN + 1] << 8);
    const intel_tcb_level *l = intel_match_isvsvn(qe->levels, qe->nlevels, isvsvn);
    if (!l) {
        intel_vctx_fail(v, "qe_identity.tcb");
        v->qe_status = BURH_INTEL_TCB_REVOKED;
        return;
    }
    v->qe_status = l->status;
    if (l->status != BURH_INTEL_TCB_UP_TO_DATE)
        intel_advisories_merge(v->advisories, l->advisories);
}

static void vctx_free(intel_vctx *v)
{
    if (!v->borrowed_chains) {
        sk_X509_pop_free(v->pck_chain, X509_free);
        sk_X509_pop_free(v->anchors, X509_free);
    }
    json_decref(v->advisories);
}

/* The PCK chain, its extension and the CRLs: the same for every quote of one platform. */
static void check_platform(intel_vctx *v, STACK_OF(X509) * roots)
{
    const burh_intel_quote *q = v->quote;
    intel_cache *c = v->cache;
    if (c && c->platform.done && c->pck_pem_len == q->pck_pem_len &&
        memcmp(c->pck_pem, q->pck_pem, q->pck_pem_len) == 0) {
        v->pck_chain = c->pck_chain;
        v->anchors = c->anchors;
        v->borrowed_chains = true;
        v->pck = c->pck;
        v->have_pck = c->have_pck;
        intel_memo_replay(v, &c->platform);
        return;
    }
    size_t mark[2];
    intel_memo_begin(v, mark);
    v->pck_chain = intel_pem_chain_load(q->pck_pem, q->pck_pem_len);
    collect_anchors(v, roots);
    check_pck(v);
    check_crls(v);
    if (!c)
        return;
    /* The cache takes the chains over; this verification borrows them from it. */
    free(c->pck_pem);
    sk_X509_pop_free(c->pck_chain, X509_free);
    sk_X509_pop_free(c->anchors, X509_free);
    c->pck_pem = malloc(q->pck_pem_len ? q->pck_pem_len : 1);
    c->pck_chain = v->pck_chain;
    c->anchors = v->anchors;
    v->borrowed_chains = true;
    if (c->pck_pem)
        memcpy(c->pck_pem, q->pck_pem, q->pck_pem_len);
    c->pck_pem_len = c->pck_pem ? q->pck_pem_len : 0;
    c->pck = v->pck;
    c->have_pck = v->have_pck;
    intel_memo_end(v, mark, &c->platform);
    c->platform.done = c->platform.done && c->pck_pem;
}

burh_intel_err intel_verify_anchored(const burh_intel_quote *quote,
                                     const burh_intel_collateral *col,
                                     const burh_intel_policy *policy, time_t at,
                                     STACK_OF(X509) * roots, intel_cache *cache,
                                     burh_intel_result **out)
{
    if (!quote || !out)
        return BURH_INTEL_ERR_ARGS;
    burh_intel_policy def;
    burh_intel_policy_default(&def);
    intel_vctx v = {.quote = quote, .col = col, .policy = policy ? policy : &def, .cache = cache};
    v.prefix = quote->tee_type == BURH_INTEL_TEE_TDX ? "tdx" : "sgx";
    v.at = at ? at : time(NULL);
    v.res = intel_result_new();
    v.advisories = json_array();
    if (!v.res || !v.advisories) {
        burh_intel_result_free(v.res);
        json_decref(v.advisories);
        return BURH_INTEL_ERR_NOMEM;
    }
    check_quote_signature(&v);
    check_qe_binding(&v);
    check_platform(&v, roots);
    check_qe_report_signature(&v);
    check_tcb_info(&v);
    check_qe_identity(&v);
    intel_finish_status(&v);
    intel_check_policy(&v);
    burh_intel_err err = intel_build_claims(&v);
    vctx_free(&v);
    if (err != BURH_INTEL_OK) {
        burh_intel_result_free(v.res);
        return err;
    }
    *out = v.res;
    return BURH_INTEL_OK;
}

burh_intel_err burh_intel_verify(const burh_intel_quote *quote, const burh_intel_collateral *col,
                                 const burh_intel_policy *policy, const burh_intel_options *opts,
                                 burh_intel_result **out)
{
    STACK_OF(X509) *roots = NULL;
    if (opts && opts->trust_roots.ptr && opts->trust_roots.len) {
        roots = intel_pem_chain_load(opts->trust_roots.ptr, opts->trust_roots.len);
        if (!roots)
            roots = sk_X509_new_null(); /* unreadable roots trust nothing, never the pin */
    }
    burh_intel_err err =
        intel_verify_anchored(quote, col, policy, opts ? opts->at : 0, roots, NULL, out);
    sk_X509_pop_free(roots, X509_free);
    return err;
}
