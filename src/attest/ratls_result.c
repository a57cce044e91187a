/* RA-TLS verdicts: failed checks with owned names, and the claims JSON. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/ratls_internal.h"

burh_ratls_result *burh_ratls_result_new(void)
{
    burh_ratls_result *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->claims = json_object();
    r->ratls = json_object();
    if (!r->claims || !r->ratls) {
        burh_ratls_result_free(r);
        return NULL;
    }
    return r;
}

void burh_ratls_result_fail(burh_ratls_result *r, const char *name, const char *fmt, ...)
{
    char detail[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (r->nfailed == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        burh_ratls_failure *grown = realloc(r->failed, cap * sizeof *grown);
        if (!grown) {
            r->nomem = true;
            return;
        }
        r->failed = grown;
        r->cap = cap;
    }
    burh_ratls_failure *f = &r->failed[r->nfailed];
    f->name = strdup(name);
    f->detail = strdup(detail);
    if (!f->name || !f->detail) {
        free(f->name);
        free(f->detail);
        r->nomem = true;
        return;
    }
    r->nfailed++;
}

bool burh_ratls_result_finish(burh_ratls_result *r)
{
    json_t *names = json_array();
    bool ok = names != NULL && !r->nomem;
    for (size_t i = 0; ok && i < r->nfailed; i++)
        ok = json_array_append_new(names, json_string(r->failed[i].name)) == 0;
    if (!ok) {
        json_decref(names);
        return false;
    }
    ok = json_object_set(r->claims, "ratls", r->ratls) == 0 &&
         json_object_set_new(r->claims, "status",
                             json_string(r->nfailed ? "rejected" : "accepted")) == 0 &&
         json_object_set_new(r->claims, "failed_checks", names) == 0;
    return ok;
}

bool burh_ratls_result_accepted(const burh_ratls_result *r)
{
    return r && r->nfailed == 0 && !r->nomem;
}

burh_attest_platform burh_ratls_result_platform(const burh_ratls_result *r)
{
    return r ? r->platform : BURH_PLATFORM_AUTO;
}

size_t burh_ratls_result_failed_count(const burh_ratls_result *r)
{
    return r ? r->nfailed : 0;
}

const char *burh_ratls_result_failed_name(const burh_ratls_result *r, size_t i)
{
    return r && i < r->nfailed ? r->failed[i].name : NULL;
}

const char *burh_ratls_result_failed_detail(const burh_ratls_result *r, size_t i)
{
    return r && i < r->nfailed ? r->failed[i].detail : NULL;
}

bool burh_ratls_result_failed(const burh_ratls_result *r, const char *check_name)
{
    for (size_t i = 0; r && check_name && i < r->nfailed; i++)
        if (strcmp(r->failed[i].name, check_name) == 0)
            return true;
    return false;
}

const json_t *burh_ratls_result_claims(const burh_ratls_result *r)
{
    return r ? r->claims : NULL;
}

void burh_ratls_result_free(burh_ratls_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nfailed; i++) {
        free(r->failed[i].name);
        free(r->failed[i].detail);
    }
    free(r->failed);
    json_decref(r->claims);
    json_decref(r->ratls);
    free(r);
}
