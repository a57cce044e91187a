/* Collateral setters for the TCB signing chain and CRLs, and the one-file JSON bundle loader. */
#include "attest/intel/intel_internal.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define MAX_CRL_LEN (4u << 20)

/* DER, PEM or hex-encoded DER (as some collateral bundles carry it). */
static burh_intel_err load_crl(burh_intel_bytes in, X509_CRL **slot)
{
    if (!in.ptr || !in.len || in.len > MAX_CRL_LEN)
        return BURH_INTEL_ERR_ARGS;
    STACK_OF(X509_CRL) *one = sk_X509_CRL_new_null();
    if (!one)
        return BURH_INTEL_ERR_NOMEM;
    burh_attest_status st = burh_attest_load_crl((burh_bytes){in.ptr, in.len}, one, NULL);
    if (st != BURH_ATTEST_OK) {
        sk_X509_CRL_free(one);
        return st == BURH_ATTEST_ERR_NOMEM ? BURH_INTEL_ERR_NOMEM : BURH_INTEL_ERR_CERT;
    }
    X509_CRL_free(*slot);
    *slot = sk_X509_CRL_pop(one);
    sk_X509_CRL_free(one);
    return BURH_INTEL_OK;
}

burh_intel_err burh_intel_collateral_set_pck_crl(burh_intel_collateral *col, burh_intel_bytes in)
{
    return col ? load_crl(in, &col->pck_crl) : BURH_INTEL_ERR_ARGS;
}

burh_intel_err burh_intel_collateral_set_root_crl(burh_intel_collateral *col, burh_intel_bytes in)
{
    return col ? load_crl(in, &col->root_crl) : BURH_INTEL_ERR_ARGS;
}

burh_intel_err burh_intel_collateral_set_tcb_signing_chain(burh_intel_collateral *col,
                                                           burh_intel_bytes pem)
{
    if (!col || !pem.ptr || !pem.len)
        return BURH_INTEL_ERR_ARGS;
    STACK_OF(X509) *chain = intel_pem_chain_load(pem.ptr, pem.len);
    if (!chain)
        return BURH_INTEL_ERR_CERT;
    sk_X509_pop_free(col->signing_chain, X509_free);
    col->signing_chain = chain;
    return BURH_INTEL_OK;
}

static burh_intel_err bundle_doc(burh_intel_collateral *col, const json_t *b, const char *text_key,
                                 const char *sig_key, const char *wrap)
{
    const json_t *text = json_object_get(b, text_key), *sig = json_object_get(b, sig_key);
    if (!text && !sig)
        return BURH_INTEL_OK;
    if (!json_is_string(text) || !json_is_string(sig))
        return BURH_INTEL_ERR_JSON;
    /* Rebuild the PCS response around the signed text verbatim; the text is not re-serialised. */
    json_t *s = json_string(json_string_value(sig));
    char *sig_json = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
    json_decref(s);
    size_t tlen = json_string_length(text), slen = sig_json ? strlen(sig_json) : 0;
    size_t wlen = strlen(wrap), cap = tlen + slen + wlen + 32;
    char *buf = sig_json && tlen < (1u << 24) ? malloc(cap) : NULL;
    burh_intel_err err = BURH_INTEL_ERR_NOMEM;
    if (buf) {
        size_t n = (size_t)snprintf(buf, cap, "{\"%s\":", wrap);
        memcpy(buf + n, json_string_value(text), tlen);
        n += tlen;
        n += (size_t)snprintf(buf + n, cap - n, ",\"signature\":%s}", sig_json);
        burh_intel_bytes doc = {(const uint8_t *)buf, n};
        err = strcmp(wrap, "tcbInfo") == 0 ? burh_intel_collateral_set_tcb_info(col, doc)
                                           : burh_intel_collateral_set_qe_identity(col, doc);
    }
    free(buf);
    free(sig_json);
    return err;
}

static burh_intel_err bundle_string(burh_intel_collateral *col, const json_t *b, const char *key,
                                    burh_intel_err (*set)(burh_intel_collateral *,
                                                          burh_intel_bytes))
{
    const json_t *v = json_object_get(b, key);
    if (!v)
        return BURH_INTEL_OK;
    if (!json_is_string(v))
        return BURH_INTEL_ERR_JSON;
    burh_intel_bytes in = {(const uint8_t *)json_string_value(v), json_string_length(v)};
    return set(col, in);
}

burh_intel_err burh_intel_collateral_load_bundle(burh_intel_collateral *col, burh_intel_bytes in)
{
    if (!col || !in.ptr || !in.len)
        return BURH_INTEL_ERR_ARGS;
    json_t *b = json_loadb((const char *)in.ptr, in.len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(b)) {
        json_decref(b);
        return BURH_INTEL_ERR_JSON;
    }
    burh_intel_err err = bundle_doc(col, b, "tcb_info", "tcb_info_signature", "tcbInfo");
    if (err == BURH_INTEL_OK)
        err = bundle_doc(col, b, "qe_identity", "qe_identity_signature", "enclaveIdentity");
    if (err == BURH_INTEL_OK)
        err = bundle_string(col, b, "tcb_info_issuer_chain",
                            burh_intel_collateral_set_tcb_signing_chain);
    if (err == BURH_INTEL_OK)
        err = bundle_string(col, b, "pck_crl", burh_intel_collateral_set_pck_crl);
    if (err == BURH_INTEL_OK)
        err = bundle_string(col, b, "root_ca_crl", burh_intel_collateral_set_root_crl);
    json_decref(b);
    return err;
}
