/* RA-TLS verdicts: an evidence verdict with the RA-TLS claims added under "ratls". */
#include <stdarg.h>
#include <stdlib.h>

#include "attest/ratls_internal.h"

burh_ratls_result *burh_ratls_result_new(void)
{
    burh_ratls_result *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->base = burh_attest_result_new(BURH_PLATFORM_AUTO);
    r->ratls = json_object();
    if (!r->base || !r->ratls) {
        burh_ratls_result_free(r);
        return NULL;
    }
    return r;
}

void burh_ratls_result_fail(burh_ratls_result *r, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    burh_attest_result_add_failurev(r->base, name, fmt, ap);
    va_end(ap);
}

bool burh_ratls_result_finish(burh_ratls_result *r)
{
    return json_object_set(r->base->claims, "ratls", r->ratls) == 0 &&
           burh_attest_result_finish(r->base);
}

bool burh_ratls_result_accepted(const burh_ratls_result *r)
{
    return r && burh_attest_result_accepted(r->base);
}

burh_attest_platform burh_ratls_result_platform(const burh_ratls_result *r)
{
    return r ? burh_attest_result_platform(r->base) : BURH_PLATFORM_AUTO;
}

size_t burh_ratls_result_failed_count(const burh_ratls_result *r)
{
    return r ? burh_attest_result_failed_count(r->base) : 0;
}

const char *burh_ratls_result_failed_name(const burh_ratls_result *r, size_t i)
{
    return r ? burh_attest_result_failed_name(r->base, i) : NULL;
}

const char *burh_ratls_result_failed_detail(const burh_ratls_result *r, size_t i)
{
    return r ? burh_attest_result_failed_detail(r->base, i) : NULL;
}

bool burh_ratls_result_failed(const burh_ratls_result *r, const char *check_name)
{
    return r && burh_attest_result_failed(r->base, check_name);
}

const json_t *burh_ratls_result_claims(const burh_ratls_result *r)
{
    return r ? burh_attest_result_claims(r->base) : NULL;
}

void burh_ratls_result_free(burh_ratls_result *r)
{
    if (!r)
        return;
    burh_attest_result_free(r->base);
    json_decref(r->ratls);
    free(r);
}
