/* Memo of quote-independent Intel verdicts, so one verifier checks many quotes cheaply. */
#include "attest/intel/verify_internal.h"

#include <stdlib.h>
#include <string.h>

intel_cache *intel_cache_new(void)
{
    return calloc(1, sizeof(intel_cache));
}

void intel_memo_clear(intel_memo *m)
{
    json_decref(m->failed);
    json_decref(m->skipped);
    memset(m, 0, sizeof(*m));
}

void intel_cache_flush(intel_cache *c, time_t at)
{
    EVP_PKEY_free(c->key);
    free(c->pck_pem);
    sk_X509_pop_free(c->pck_chain, X509_free);
    sk_X509_pop_free(c->anchors, X509_free);
    intel_memo_clear(&c->platform);
    intel_memo_clear(&c->tcb_doc);
    intel_memo_clear(&c->qe_doc);
    memset(c, 0, sizeof(*c));
    c->at = at;
}

void intel_cache_free(intel_cache *c)
{
    if (!c)
        return;
    intel_cache_flush(c, 0);
    free(c);
}

time_t intel_cache_time(const intel_cache *c)
{
    return c->at;
}

void intel_memo_begin(const intel_vctx *v, size_t mark[2])
{
    mark[0] = json_array_size(v->res->failures);
    mark[1] = json_array_size(v->res->skipped);
}

/* Copies names[from..] without their platform prefix into *into (a new array). */
static json_t *suffixes(const json_t *names, size_t from)
{
    json_t *out = json_array();
    for (size_t i = from; out && i < json_array_size(names); i++) {
        const char *name = json_string_value(json_array_get(names, i));
        const char *dot = name ? strchr(name, '.') : NULL;
        if (dot && json_array_append_new(out, json_string(dot + 1)) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

void intel_memo_end(const intel_vctx *v, const size_t mark[2], intel_memo *m)
{
    intel_memo_clear(m);
    m->failed = suffixes(v->res->failures, mark[0]);
    m->skipped = suffixes(v->res->skipped, mark[1]);
    m->done = m->failed && m->skipped; /* out of memory: simply not remembered */
}

void intel_memo_replay(intel_vctx *v, const intel_memo *m)
{
    for (size_t i = 0; i < json_array_size(m->failed); i++)
        intel_vctx_fail(v, json_string_value(json_array_get(m->failed, i)));
    for (size_t i = 0; i < json_array_size(m->skipped); i++)
        intel_vctx_skip(v, json_string_value(json_array_get(m->skipped, i)));
}

EVP_PKEY *intel_cached_attest_key(intel_vctx *v, bool *owned)
{
    const uint8_t *xy = v->quote->attest_key;
    intel_cache *c = v->cache;
    *owned = c == NULL;
    if (!c)
        return intel_p256_key_checked(xy);
    if (!c->have_key || memcmp(c->key_xy, xy, INTEL_KEY_LEN) != 0) {
        EVP_PKEY_free(c->key);
        c->key = intel_p256_key_checked(xy);
        memcpy(c->key_xy, xy, INTEL_KEY_LEN);
        c->have_key = true;
    }
    return c->key;
}
