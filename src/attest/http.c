/* Online collateral transport shared by AMD KDS and Intel PCS: libcurl GET with a file cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "attest/attest_internal.h"

#define HTTP_MAX_RESPONSE    (4u << 20)
#define HTTP_MAX_HEADER      (64u << 10)
#define HTTP_TIMEOUT_SECONDS 30L

typedef struct download {
    burh_http_body *body;
    const char *header, *header_alt; /* the header to keep (either name), or NULL */
    bool too_big;
    bool nomem;
} download;

static bool append(uint8_t **buf, size_t *len, const char *chunk, size_t n, size_t max, bool *big)
{
    if (n > max - *len) {
        *big = true;
        return false;
    }
    uint8_t *grown = realloc(*buf, *len + n + 1);
    if (!grown)
        return false;
    memcpy(grown + *len, chunk, n);
    *len += n;
    grown[*len] = '\0';
    *buf = grown;
    return true;
}

static size_t on_body(char *chunk, size_t size, size_t count, void *opaque)
{
    download *d = opaque;
    size_t n = size * count; /* curl guarantees size == 1 */
    return append(&d->body->data, &d->body->len, chunk, n, HTTP_MAX_RESPONSE, &d->too_big) ? n : 0;
}

/* Keeps the value of d->header, URL-decoded (PCS sends PEM chains percent-encoded). */
static bool header_is(const char *line, size_t n, const char *name)
{
    size_t name_len = name ? strlen(name) : 0;
    return name && n > name_len && line[name_len] == ':' && strncasecmp(line, name, name_len) == 0;
}

static size_t on_header(char *line, size_t size, size_t count, void *opaque)
{
    download *d = opaque;
    size_t n = size * count, name_len;
    if (header_is(line, n, d->header))
        name_len = strlen(d->header);
    else if (header_is(line, n, d->header_alt))
        name_len = strlen(d->header_alt);
    else
        return n;
    size_t start = name_len + 1, end = n;
    while (start < end && (line[start] == ' ' || line[start] == '\t'))
        start++;
    while (end > start && (line[end - 1] == '\r' || line[end - 1] == '\n' || line[end - 1] == ' '))
        end--;
    if (end - start > HTTP_MAX_HEADER)
        return n;
    int out_len = 0;
    char *decoded = curl_easy_unescape(NULL, line + start, (int)(end - start), &out_len);
    if (!decoded) {
        d->nomem = true;
        return n;
    }
    free(d->body->header_value);
    d->body->header_value = malloc((size_t)out_len + 1);
    if (d->body->header_value) {
        memcpy(d->body->header_value, decoded, (size_t)out_len);
        d->body->header_value[out_len] = '\0';
    }
    curl_free(decoded);
    return n;
}

static burh_attest_status http_get(const burh_http_fetch *rq, burh_http_body *out,
                                   burh_attest_error *err)
{
    CURL *curl = curl_easy_init();
    if (!curl)
        return burh_attest_fail(err, BURH_ATTEST_ERR_NOMEM, "cannot start libcurl");
    download d = {.body = out, .header = rq->header, .header_alt = rq->header_alt};
    curl_easy_setopt(curl, CURLOPT_URL, rq->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, HTTP_TIMEOUT_SECONDS);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &d);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &d);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK || d.nomem || !out->data) {
        burh_http_body_free(out);
        return burh_attest_fail(err, BURH_ATTEST_ERR_UNSUPPORTED, "%s: %s", rq->url,
                                d.too_big        ? "response too large"
                                : d.nomem        ? "out of memory"
                                : rc != CURLE_OK ? curl_easy_strerror(rc)
                                                 : "empty response");
    }
    return BURH_ATTEST_OK;
}

static bool read_whole(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    struct stat st;
    bool ok =
        fstat(fileno(f), &st) == 0 && st.st_size > 0 && (uint64_t)st.st_size <= HTTP_MAX_RESPONSE;
    if (ok) {
        *data = malloc((size_t)st.st_size + 1);
        ok = *data && fread(*data, 1, (size_t)st.st_size, f) == (size_t)st.st_size;
        if (ok) {
            *len = (size_t)st.st_size;
            (*data)[*len] = '\0';
        }
    }
    fclose(f);
    if (!ok) {
        free(*data);
        *data = NULL;
    }
    return ok;
}

/* Writes through a temporary name so a crash never leaves a half-written cache entry. */
static void write_whole(const char *path, const void *data, size_t len)
{
    char tmp[4200];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp)
        return;
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return;
    bool ok = fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);
}

static bool read_cached(const burh_http_fetch *rq, const char *chain_path, burh_http_body *out)
{
    if (!read_whole(rq->cache_path, &out->data, &out->len))
        return false;
    if (!rq->header)
        return true;
    uint8_t *chain = NULL;
    size_t chain_len = 0;
    if (!read_whole(chain_path, &chain, &chain_len)) {
        burh_http_body_free(out);
        return false; /* a body without its chain is useless: fetch both again */
    }
    out->header_value = (char *)chain;
    return true;
}

burh_attest_status burh_attest_http_fetch(const burh_http_fetch *rq, burh_http_body *out,
                                          burh_attest_error *err)
{
    char chain_path[4200];
    memset(out, 0, sizeof *out);
    if (rq->cache_path && (size_t)snprintf(chain_path, sizeof chain_path, "%s.chain",
                                           rq->cache_path) >= sizeof chain_path)
        return burh_attest_fail(err, BURH_ATTEST_ERR_ARGS, "cache path too long");
    if (rq->cache_path && !rq->refresh && read_cached(rq, chain_path, out))
        return BURH_ATTEST_OK;
    burh_attest_status st = http_get(rq, out, err);
    if (st != BURH_ATTEST_OK)
        return st;
    if (rq->header && !out->header_value) {
        burh_http_body_free(out);
        return burh_attest_fail(err, BURH_ATTEST_ERR_MALFORMED, "%s: no %s header", rq->url,
                                rq->header);
    }
    if (rq->cache_path) {
        write_whole(rq->cache_path, out->data, out->len);
        if (rq->header)
            write_whole(chain_path, out->header_value, strlen(out->header_value));
    }
    return BURH_ATTEST_OK;
}

bool burh_attest_copy_text(burh_bytes in, char *out, size_t out_len)
{
    if (in.len >= out_len || (in.len && !in.ptr) || (in.len && memchr(in.ptr, 0, in.len)))
        return false;
    if (in.len)
        memcpy(out, in.ptr, in.len);
    out[in.len] = '\0';
    return true;
}

void burh_http_body_free(burh_http_body *b)
{
    free(b->data);
    free(b->header_value);
    memset(b, 0, sizeof *b);
}
