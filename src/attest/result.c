/* Verdicts, error values, names, hex and time helpers of the attestation verifier. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/attest_internal.h"

burh_attest_status burh_attest_fail(burh_attest_error *err, burh_attest_status status,
                                    const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->status = status;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

static const char *const platform_names[] = {"auto", "nil", "kvm", "snp", "tdx", "sgx"};

const char *burh_attest_platform_name(burh_attest_platform platform)
{
    if ((unsigned)platform >= sizeof platform_names / sizeof platform_names[0])
        return NULL;
    return platform_names[platform];
}

bool burh_attest_platform_from_name(burh_bytes name, burh_attest_platform *out)
{
    for (size_t i = 0; i < sizeof platform_names / sizeof platform_names[0]; i++) {
        size_t n = strlen(platform_names[i]);
        if (name.len == n && name.ptr && memcmp(name.ptr, platform_names[i], n) == 0) {
            *out = (burh_attest_platform)i;
            return true;
        }
    }
    return false;
}

burh_attest_result *burh_attest_result_new(burh_attest_platform platform)
{
    burh_attest_result *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->platform = platform;
    r->claims = json_object();
    if (!r->claims) {
        free(r);
        return NULL;
    }
    return r;
}

void burh_attest_result_add_failurev(burh_attest_result *r, const char *name, const char *fmt,
                                     va_list ap)
{
    if (r->nfailed == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        burh_failed_check *grown = realloc(r->failed, cap * sizeof *grown);
        if (!grown) {
            r->nomem = true;
            return;
        }
        r->failed = grown;
        r->cap = cap;
    }
    burh_failed_check *f = &r->failed[r->nfailed++];
    snprintf(f->name, sizeof f->name, "%s", name);
    vsnprintf(f->detail, sizeof f->detail, fmt, ap);
}

void burh_attest_result_add_failure(burh_attest_result *r, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    burh_attest_result_add_failurev(r, name, fmt, ap);
    va_end(ap);
}

bool burh_attest_result_finish(burh_attest_result *r)
{
    json_t *names = json_array();
    if (!names)
        return false;
    for (size_t i = 0; i < r->nfailed; i++)
        if (json_array_append_new(names, json_string(r->failed[i].name)) != 0) {
            json_decref(names);
            return false;
        }
    bool ok = json_object_set_new(r->claims, "failed_checks", names) == 0;
    ok = ok && json_object_set_new(r->claims, "status",
                                   json_string(r->nfailed ? "rejected" : "accepted")) == 0;
    return ok && !r->nomem;
}

bool burh_attest_result_accepted(const burh_attest_result *r)
{
    return r && r->nfailed == 0 && !r->nomem;
}

burh_attest_platform burh_attest_result_platform(const burh_attest_result *r)
{
    return r ? r->platform : BURH_PLATFORM_AUTO;
}

size_t burh_attest_result_failed_count(const burh_attest_result *r)
{
    return r ? r->nfailed : 0;
}

const char *burh_attest_result_failed_name(const burh_attest_result *r, size_t i)
{
    return r && i < r->nfailed ? r->failed[i].name : NULL;
}

const char *burh_attest_result_failed_detail(const burh_attest_result *r, size_t i)
{
    return r && i < r->nfailed ? r->failed[i].detail : NULL;
}

bool burh_attest_result_failed(const burh_attest_result *r, const char *check_name)
{
    for (size_t i = 0; r && check_name && i < r->nfailed; i++)
        if (strcmp(r->failed[i].name, check_name) == 0)
            return true;
    return false;
}

const json_t *burh_attest_result_claims(const burh_attest_result *r)
{
    return r ? r->claims : NULL;
}

void burh_attest_result_free(burh_attest_result *r)
{
    if (!r)
        return;
    json_decref(r->claims);
    free(r->failed);
    free(r);
}

void burh_attest_hex_encode(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

json_t *burh_attest_json_hex(const uint8_t *p, size_t n)
{
    char buf[2 * 128 + 1];
    if (n > 128)
        return NULL;
    burh_attest_hex_encode(p, n, buf);
    return json_string(buf);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool burh_attest_parse_hex(burh_bytes hex, uint8_t *out, size_t cap, size_t *out_len)
{
    if (!hex.ptr || hex.len % 2 || hex.len / 2 > cap)
        return false;
    for (size_t i = 0; i < hex.len / 2; i++) {
        int hi = hex_value((char)hex.ptr[2 * i]), lo = hex_value((char)hex.ptr[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *out_len = hex.len / 2;
    return true;
}

bool burh_attest_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t n)
{
    size_t len;
    return n <= SIZE_MAX / 2 && hex_len == 2 * n &&
           burh_attest_parse_hex((burh_bytes){(const uint8_t *)hex, hex_len}, out, n, &len);
}

/* Reads exactly `width` decimal digits at *pos. */
static bool take_digits(burh_bytes t, size_t *pos, size_t width, int *value)
{
    int v = 0;
    if (*pos > t.len || t.len - *pos < width)
        return false;
    for (size_t i = 0; i < width; i++) {
        uint8_t c = t.ptr[*pos + i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *pos += width;
    *value = v;
    return true;
}

static bool take_char(burh_bytes t, size_t *pos, const char *choices, uint8_t *got)
{
    if (*pos >= t.len || !strchr(choices, t.ptr[*pos]) || t.ptr[*pos] == '\0')
        return false;
    *got = t.ptr[(*pos)++];
    return true;
}

bool burh_attest_parse_rfc3339(burh_bytes t, int64_t *unix_seconds)
{
    size_t pos = 0;
    int y, mo, d, h, mi, s, oh = 0, om = 0;
    uint8_t c;
    if (!t.ptr || !unix_seconds)
        return false;
    if (!take_digits(t, &pos, 4, &y) || !take_char(t, &pos, "-", &c) ||
        !take_digits(t, &pos, 2, &mo) || !take_char(t, &pos, "-", &c) ||
        !take_digits(t, &pos, 2, &d) || !take_char(t, &pos, "Tt ", &c) ||
        !take_digits(t, &pos, 2, &h) || !take_char(t, &pos, ":", &c) ||
        !take_digits(t, &pos, 2, &mi) || !take_char(t, &pos, ":", &c) ||
        !take_digits(t, &pos, 2, &s))
        return false;
    if (pos < t.len && t.ptr[pos] == '.') {
        pos++;
        size_t start = pos;
        while (pos < t.len && t.ptr[pos] >= '0' && t.ptr[pos] <= '9')
            pos++;
        if (pos == start)
            return false;
    }
    if (!take_char(t, &pos, "Zz+-", &c))
        return false;
    if (c == '+' || c == '-') {
        uint8_t colon;
        if (!take_digits(t, &pos, 2, &oh) || !take_char(t, &pos, ":", &colon) ||
            !take_digits(t, &pos, 2, &om) || oh > 23 || om > 59)
            return false;
    }
    if (pos != t.len || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return false;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = s == 60 ? 59 : s};
    int64_t base = (int64_t)timegm(&tm);
    int64_t offset = (int64_t)oh * 3600 + (int64_t)om * 60;
    *unix_seconds = c == '-' ? base + offset : (c == '+' ? base - offset : base);
    return true;
}
