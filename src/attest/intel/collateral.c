/* Reader for Intel collateral: TCB info (v2/v3) and QE identity JSON, signing chain and CRLs. */
#include "attest/intel/intel_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define MAX_LEVELS  256
#define MAX_MODULES 32
#define MAX_DEPTH   64

static size_t skip_ws(const uint8_t *p, size_t len, size_t i)
{
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
        i++;
    return i;
}

/* p[i] is '"'; returns the index after the closing quote, or 0. */
static size_t skip_string(const uint8_t *p, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (p[i] == '\\')
            i++;
        else if (p[i] == '"')
            return i + 1;
    }
    return 0;
}

/* Returns the index after the JSON value starting at p[i], or 0. Full validation is
 * jansson's job; this only has to find the same end. */
static size_t skip_value(const uint8_t *p, size_t len, size_t i)
{
    if (i >= len)
        return 0;
    if (p[i] == '"')
        return skip_string(p, len, i);
    if (p[i] != '{' && p[i] != '[') {
        while (i < len && p[i] != ',' && p[i] != '}' && p[i] != ']' && !isspace(p[i]))
            i++;
        return i;
    }
    unsigned depth = 0;
    while (i < len) {
        if (p[i] == '"') {
            i = skip_string(p, len, i);
            if (i == 0)
                return 0;
            continue;
        }
        if (p[i] == '{' || p[i] == '[') {
            if (++depth > MAX_DEPTH)
                return 0;
        } else if (p[i] == '}' || p[i] == ']') {
            if (--depth == 0)
                return i + 1;
        }
        i++;
    }
    return 0;
}

burh_intel_err intel_json_member_span(const uint8_t *p, size_t len, const char *key, size_t *start,
                                      size_t *end)
{
    size_t klen = strlen(key);
    size_t i = skip_ws(p, len, 0);
    if (i >= len || p[i] != '{')
        return BURH_INTEL_ERR_JSON;
    i = skip_ws(p, len, i + 1);
    while (i < len && p[i] == '"') {
        size_t kend = skip_string(p, len, i);
        if (kend == 0)
            return BURH_INTEL_ERR_JSON;
        bool match = kend - i - 2 == klen && memcmp(p + i + 1, key, klen) == 0;
        i = skip_ws(p, len, kend);
        if (i >= len || p[i] != ':')
            return BURH_INTEL_ERR_JSON;
        size_t vstart = skip_ws(p, len, i + 1);
        size_t vend = skip_value(p, len, vstart);
        if (vend == 0 || vend == vstart)
            return BURH_INTEL_ERR_JSON;
        if (match) {
            *start = vstart;
            *end = vend;
            return BURH_INTEL_OK;
        }
        i = skip_ws(p, len, vend);
        if (i < len && p[i] == ',')
            i = skip_ws(p, len, i + 1);
    }
    return BURH_INTEL_ERR_JSON;
}

/* Sticky-error helpers over a jansson object. */
typedef struct jread {
    bool failed;
} jread;

static const char *jstr(jread *r, const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s)
        r->failed = true;
    return s ? s : "";
}

static void jhex(jread *r, const json_t *obj, const char *key, uint8_t *out, size_t n)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_string(v) ||
        !burh_attest_hex_decode(json_string_value(v), json_string_length(v), out, n))
        r->failed = true;
}

static unsigned juint(jread *r, const json_t *obj, const char *key, unsigned max)
{
    json_int_t v = json_integer_value(json_object_get(obj, key));
    if (!json_is_integer(json_object_get(obj, key)) || v < 0 || (unsigned long long)v > max) {
        r->failed = true;
        return 0;
    }
    return (unsigned)v;
}

static void jtime(jread *r, const json_t *obj, const char *key, time_t *out)
{
    const json_t *v = json_object_get(obj, key);
    int64_t t = 0;
    if (!json_is_string(v) ||
        !burh_attest_parse_rfc3339(
            (burh_bytes){(const uint8_t *)json_string_value(v), json_string_length(v)}, &t))
        r->failed = true;
    *out = (time_t)t;
}

static void free_levels(intel_tcb_level *levels, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_decref(levels[i].advisories);
    free(levels);
}

/* A 16-entry component array, v3 style [{"svn":N},...] or v2 style sgxtcbcompNNsvn keys. */
static void read_components(jread *r, const json_t *tcb, const char *key, uint8_t out[16])
{
    const json_t *arr = json_object_get(tcb, key);
    if (json_is_array(arr)) {
        if (json_array_size(arr) != 16) {
            r->failed = true;
            return;
        }
        for (size_t i = 0; i < 16; i++)
            out[i] = (uint8_t)juint(r, json_array_get(arr, i), "svn", 255);
        return;
    }
    for (int i = 0; i < 16; i++) {
        char name[32];
        snprintf(name, sizeof(name), "sgxtcbcomp%02dsvn", i + 1);
        out[i] = (uint8_t)juint(r, tcb, name, 255);
    }
}

/* kind: 0 platform (SGX), 1 platform (TDX), 2 isvsvn levels */
static intel_tcb_level *read_levels(jread *r, const json_t *arr, int kind, size_t *n)
{
    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > MAX_LEVELS) {
        r->failed = true;
        return NULL;
    }
    size_t count = json_array_size(arr);
    intel_tcb_level *levels = calloc(count, sizeof(*levels));
    if (!levels) {
        r->failed = true;
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        const json_t *lv = json_array_get(arr, i), *tcb = json_object_get(lv, "tcb");
        intel_tcb_level *l = &levels[i];
        if (!json_is_object(tcb))
            r->failed = true;
        if (kind == 2) {
            l->isvsvn = (uint16_t)juint(r, tcb, "isvsvn", 0xFFFF);
        } else {
            read_components(r, tcb, "sgxtcbcomponents", l->sgx);
            l->pcesvn = (uint16_t)juint(r, tcb, "pcesvn", 0xFFFF);
            if (kind == 1)
                read_components(r, tcb, "tdxtcbcomponents", l->tdx);
        }
        l->status = intel_status_from_name(jstr(r, lv, "tcbStatus"));
        if (l->status == BURH_INTEL_TCB_UNKNOWN || l->status == BURH_INTEL_TCB_NOT_SUPPORTED)
            r->failed = true;
        const json_t *adv = json_object_get(lv, "advisoryIDs");
        l->advisories = json_array();
        for (size_t k = 0; json_is_array(adv) && k < json_array_size(adv); k++) {
            if (!json_is_string(json_array_get(adv, k)))
                r->failed = true;
            else
                json_array_append(l->advisories, json_array_get(adv, k));
        }
    }
    *n = count;
    return levels;
}

static void read_module(jread *r, const json_t *m, intel_module_identity *out, bool levels)
{
    jhex(r, m, "mrsigner", out->mrsigner, 48);
    jhex(r, m, "attributes", out->attributes, 8);
    jhex(r, m, "attributesMask", out->attributes_mask, 8);
    if (!levels)
        return;
    const char *id = jstr(r, m, "id");
    if (strlen(id) >= sizeof(out->id))
        r->failed = true;
    else
        memcpy(out->id, id, strlen(id) + 1);
    out->levels = read_levels(r, json_object_get(m, "tcbLevels"), 2, &out->nlevels);
}

void intel_tcb_info_clear(intel_tcb_info *tcb)
{
    free(tcb->doc.body);
    free_levels(tcb->levels, tcb->nlevels);
    for (size_t i = 0; i < tcb->nmodules; i++)
        free_levels(tcb->modules[i].levels, tcb->modules[i].nlevels);
    free(tcb->modules);
    memset(tcb, 0, sizeof(*tcb));
}

void intel_qe_identity_clear(intel_qe_identity *qe)
{
    free(qe->doc.body);
    free_levels(qe->levels, qe->nlevels);
    memset(qe, 0, sizeof(*qe));
}

static void read_tcb_modules(jread *r, const json_t *ti, intel_tcb_info *out)
{
    const json_t *mod = json_object_get(ti, "tdxModule");
    if (json_is_object(mod)) {
        out->has_tdx_module = true;
        read_module(r, mod, &out->tdx_module, false);
    }
    const json_t *ids = json_object_get(ti, "tdxModuleIdentities");
    if (!ids)
        return;
    if (!json_is_array(ids) || json_array_size(ids) > MAX_MODULES) {
        r->failed = true;
        return;
    }
    out->modules = calloc(json_array_size(ids) + 1, sizeof(*out->modules));
    if (!out->modules) {
        r->failed = true;
        return;
    }
    for (size_t i = 0; i < json_array_size(ids); i++) {
        read_module(r, json_array_get(ids, i), &out->modules[i], true);
        out->nmodules = i + 1;
    }
}

static burh_intel_err read_tcb_info(const json_t *ti, intel_tcb_info *out)
{
    jread r = {0};
    const json_t *id = json_object_get(ti, "id");
    out->is_tdx = json_is_string(id) && strcmp(json_string_value(id), "TDX") == 0;
    if (id && !out->is_tdx && !(json_is_string(id) && !strcmp(json_string_value(id), "SGX")))
        r.failed = true;
    out->version = juint(&r, ti, "version", 3);
    if (out->version < 2 || (out->is_tdx && out->version != 3))
        r.failed = true;
    jtime(&r, ti, "issueDate", &out->doc.issue_date);
    jtime(&r, ti, "nextUpdate", &out->doc.next_update);
    jhex(&r, ti, "fmspc", out->fmspc, 6);
    jhex(&r, ti, "pceId", out->pceid, 2);
    out->levels =
        read_levels(&r, json_object_get(ti, "tcbLevels"), out->is_tdx ? 1 : 0, &out->nlevels);
    if (out->is_tdx)
        read_tcb_modules(&r, ti, out);
    return r.failed ? BURH_INTEL_ERR_JSON : BURH_INTEL_OK;
}

static burh_intel_err read_qe_identity(const json_t *qi, intel_qe_identity *out)
{
    jread r = {0};
    const char *id = jstr(&r, qi, "id");
    if (strlen(id) >= sizeof(out->id))
        r.failed = true;
    else
        memcpy(out->id, id, strlen(id) + 1);
    if (juint(&r, qi, "version", 2) != 2)
        r.failed = true;
    jtime(&r, qi, "issueDate", &out->doc.issue_date);
    jtime(&r, qi, "nextUpdate", &out->doc.next_update);
    jhex(&r, qi, "miscselect", out->miscselect, 4);
    jhex(&r, qi, "miscselectMask", out->miscselect_mask, 4);
    jhex(&r, qi, "attributes", out->attributes, 16);
    jhex(&r, qi, "attributesMask", out->attributes_mask, 16);
    jhex(&r, qi, "mrsigner", out->mrsigner, 32);
    out->isvprodid = (uint16_t)juint(&r, qi, "isvprodid", 0xFFFF);
    out->levels = read_levels(&r, json_object_get(qi, "tcbLevels"), 2, &out->nlevels);
    return r.failed ? BURH_INTEL_ERR_JSON : BURH_INTEL_OK;
}

/* Parses the signed text body and fills doc and the typed document (tcb info or identity). */
static burh_intel_err load_signed(const uint8_t *body, size_t body_len, const char *sig_hex,
                                  size_t sig_hex_len, bool is_tcb, burh_intel_collateral *col)
{
    uint8_t sig[INTEL_SIG_LEN];
    if (!burh_attest_hex_decode(sig_hex, sig_hex_len, sig, sizeof(sig)))
        return BURH_INTEL_ERR_JSON;
    json_t *doc = json_loadb((const char *)body, body_len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return BURH_INTEL_ERR_JSON;
    }
    intel_signed_doc *sd = is_tcb ? &col->tcb.doc : &col->qe.doc;
    if (is_tcb)
        intel_tcb_info_clear(&col->tcb);
    else
        intel_qe_identity_clear(&col->qe);
    burh_intel_err err = is_tcb ? read_tcb_info(doc, &col->tcb) : read_qe_identity(doc, &col->qe);
    json_decref(doc);
    sd->body = malloc(body_len ? body_len : 1);
    if (err == BURH_INTEL_OK && !sd->body)
        err = BURH_INTEL_ERR_NOMEM;
    if (err != BURH_INTEL_OK) {
        if (is_tcb)
            intel_tcb_info_clear(&col->tcb);
        else
            intel_qe_identity_clear(&col->qe);
        return err;
    }
    memcpy(sd->body, body, body_len);
    sd->body_len = body_len;
    memcpy(sd->sig, sig, sizeof(sig));
    sd->present = true;
    return BURH_INTEL_OK;
}

static burh_intel_err set_pcs_doc(burh_intel_collateral *col, burh_intel_bytes in,
                                  const char *member, bool is_tcb)
{
    if (!col || !in.ptr || !in.len)
        return BURH_INTEL_ERR_ARGS;
    json_t *whole = json_loadb((const char *)in.ptr, in.len, JSON_REJECT_DUPLICATES, NULL);
    const json_t *sig = json_object_get(whole, "signature");
    size_t start, end;
    burh_intel_err err = BURH_INTEL_ERR_JSON;
    if (json_is_object(whole) && json_is_string(sig) &&
        intel_json_member_span(in.ptr, in.len, member, &start, &end) == BURH_INTEL_OK)
        err = load_signed(in.ptr + start, end - start, json_string_value(sig),
                          json_string_length(sig), is_tcb, col);
    json_decref(whole);
    return err;
}

burh_intel_err burh_intel_collateral_set_tcb_info(burh_intel_collateral *col, burh_intel_bytes in)
{
    return set_pcs_doc(col, in, "tcbInfo", true);
}

burh_intel_err burh_intel_collateral_set_qe_identity(burh_intel_collateral *col,
                                                     burh_intel_bytes in)
{
    return set_pcs_doc(col, in, "enclaveIdentity", false);
}

burh_intel_collateral *burh_intel_collateral_new(void)
{
    return calloc(1, sizeof(burh_intel_collateral));
}

void burh_intel_collateral_free(burh_intel_collateral *col)
{
    if (!col)
        return;
    intel_tcb_info_clear(&col->tcb);
    intel_qe_identity_clear(&col->qe);
    sk_X509_pop_free(col->signing_chain, X509_free);
    X509_CRL_free(col->pck_crl);
    X509_CRL_free(col->root_crl);
    free(col);
}
