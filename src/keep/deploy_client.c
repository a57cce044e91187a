/* deploy_client.c: keepmgr requests over libcurl and the reader of the keep's frame stream. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "keep/deploy.h"

#define KEEPMGR_RESPONSE_MAX (1u << 20)
#define KEEPMGR_TIMEOUT_S    30L

bool deploy_buf_append(deploy_buf *b, const void *data, size_t len)
{
    if (len > b->limit || b->len > b->limit - len)
        return false;
    if (b->len + len > b->cap) {
        size_t cap = b->cap < 4096 ? 4096 : b->cap;
        while (cap < b->len + len)
            cap = cap > SIZE_MAX / 2 ? b->len + len : cap * 2;
        uint8_t *p = realloc(b->ptr, cap);
        if (p == NULL)
            return false;
        b->ptr = p;
        b->cap = cap;
    }
    if (len > 0)
        memcpy(b->ptr + b->len, data, len);
    b->len += len;
    return true;
}

void deploy_buf_free(deploy_buf *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
    return deploy_buf_append(arg, data, size * n) ? size * n : 0;
}

/* The CBOR error body of a refusal, as "code: message" (or what little we know). */
static void describe_refusal(long status, const deploy_buf *resp, char *msg, size_t cap)
{
    burh_proto_error e;
    if (burh_proto_decode_error((burh_cbor_bytes){resp->ptr, resp->len}, &e, NULL) == BURH_PROTO_OK)
        snprintf(msg, cap, "HTTP %ld %s: %s", status, e.code, e.message);
    else
        snprintf(msg, cap, "HTTP %ld without a valid error body", status);
}

bool deploy_keepmgr_call(const deploy_keepmgr *m, const char *method, const char *path,
                         const uint8_t *body, size_t body_len, long *status, deploy_buf *resp,
                         char *msg, size_t cap)
{
    char url[512], auth[600];
    snprintf(url, sizeof url, "%s%s", m->base_url, path);
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    if (c == NULL) {
        snprintf(msg, cap, "cannot start libcurl");
        return false;
    }
    resp->limit = KEEPMGR_RESPONSE_MAX;
    if (m->token != NULL) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", m->token);
        h = curl_slist_append(h, auth);
    }
    if (body != NULL) {
        h = curl_slist_append(h, "Content-Type: application/cbor");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, KEEPMGR_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    *status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        snprintf(msg, cap, "keepmgr at %s unreachable: %s", m->base_url, curl_easy_strerror(rc));
        return false;
    }
    if (*status < 200 || *status > 299) {
        describe_refusal(*status, resp, msg, cap);
        return false;
    }
    return true;
}

bool deploy_platform(const deploy_keepmgr *m, burh_platform_info *out, char *msg, size_t cap)
{
    deploy_buf resp = {0};
    long status;
    burh_proto_diag diag;
    bool ok = deploy_keepmgr_call(m, "GET", "/v1/platform", NULL, 0, &status, &resp, msg, cap);
    if (ok && burh_proto_decode_platform((burh_cbor_bytes){resp.ptr, resp.len}, out, &diag) !=
                  BURH_PROTO_OK) {
        snprintf(msg, cap, "keepmgr sent a bad platform answer: %s", diag.message);
        ok = false;
    }
    deploy_buf_free(&resp);
    return ok;
}

static bool decode_keep(const deploy_buf *resp, burh_keep_info *out, char *msg, size_t cap)
{
    burh_proto_diag diag;
    if (burh_proto_decode_keep((burh_cbor_bytes){resp->ptr, resp->len}, out, &diag) ==
        BURH_PROTO_OK)
        return true;
    snprintf(msg, cap, "keepmgr sent a bad keep record: %s", diag.message);
    return false;
}

bool deploy_keep_create(const deploy_keepmgr *m, const burh_keep_create *req, burh_keep_info *out,
                        char *msg, size_t cap)
{
    uint8_t body[BURH_PROTO_KEEPMGR_BODY];
    size_t len = 0;
    if (burh_proto_encode_keep_create(req, body, sizeof body, &len) != BURH_PROTO_OK) {
        snprintf(msg, cap, "cannot encode the keep request");
        return false;
    }
    deploy_buf resp = {0};
    long status;
    bool ok = deploy_keepmgr_call(m, "POST", "/v1/keeps", body, len, &status, &resp, msg, cap) &&
              decode_keep(&resp, out, msg, cap);
    deploy_buf_free(&resp);
    return ok;
}

/* GET of one keep's record at `path`. */
static bool get_keep(const deploy_keepmgr *m, const char *path, burh_keep_info *out, char *msg,
                     size_t cap)
{
    deploy_buf resp = {0};
    long status;
    bool ok = deploy_keepmgr_call(m, "GET", path, NULL, 0, &status, &resp, msg, cap) &&
              decode_keep(&resp, out, msg, cap);
    deploy_buf_free(&resp);
    return ok;
}

bool deploy_keep_get(const deploy_keepmgr *m, const char *id, burh_keep_info *out, char *msg,
                     size_t cap)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/keeps/%.32s", id);
    return get_keep(m, path, out, msg, cap);
}

bool deploy_keep_wait(const deploy_keepmgr *m, const char *id, burh_keep_state while_state,
                      unsigned wait_s, burh_keep_info *out, char *msg, size_t cap)
{
    char path[128];
    const char *state = burh_keep_state_name(while_state);
    if (state == NULL || wait_s == 0 || wait_s >= KEEPMGR_TIMEOUT_S) {
        snprintf(msg, cap, "internal: bad wait for keep %.32s", id);
        return false;
    }
    snprintf(path, sizeof path, "/v1/keeps/%.32s?while=%s&wait=%u", id, state, wait_s);
    return get_keep(m, path, out, msg, cap);
}

bool deploy_keep_delete(const deploy_keepmgr *m, const char *id)
{
    char path[64], msg[64];
    snprintf(path, sizeof path, "/v1/keeps/%.32s", id);
    deploy_buf resp = {0};
    long status;
    bool ok = deploy_keepmgr_call(m, "DELETE", path, NULL, 0, &status, &resp, msg, sizeof msg);
    deploy_buf_free(&resp);
    return ok;
}

/* ---- the frame stream ---- */

void deploy_frames_init(deploy_frames *f, int out_fd, int err_fd)
{
    memset(f, 0, sizeof *f);
    f->out_fd = out_fd;
    f->err_fd = err_fd;
    f->pending.limit = 2u * BURH_PROTO_OUTPUT_MAX + 4096; /* one frame at most, plus a bit */
}

static bool write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static void broken(deploy_frames *f, const char *fmt, const char *detail)
{
    f->broken = true;
    snprintf(f->why, sizeof f->why, fmt, detail);
}

static void take_frame(deploy_frames *f, const burh_workload_frame *fr)
{
    if (f->ended)
        return broken(f, "a frame after the final one%s", "");
    if (fr->kind == BURH_FRAME_STDOUT || fr->kind == BURH_FRAME_STDERR) {
        int fd = fr->kind == BURH_FRAME_STDOUT ? f->out_fd : f->err_fd;
        if (!write_all(fd, fr->data.ptr, fr->data.len))
            broken(f, "cannot write the program's output: %s", strerror(errno));
        return;
    }
    f->ended = true;
    f->final = *fr;
    f->final.data = f->final.message = (burh_cbor_bytes){NULL, 0};
    const burh_cbor_bytes text = fr->kind == BURH_FRAME_ERROR ? fr->message : fr->data;
    snprintf(f->final_text, sizeof f->final_text, "%.*s", (int)text.len, (const char *)text.ptr);
    if (fr->kind == BURH_FRAME_ERROR)
        snprintf(f->final_code, sizeof f->final_code, "%.*s", (int)fr->data.len,
                 (const char *)fr->data.ptr);
}

bool deploy_frames_feed(deploy_frames *f, const uint8_t *data, size_t len)
{
    while (!f->broken && len > 0) {
        size_t room = f->pending.limit - f->pending.len;
        size_t take = len < room ? len : room;
        if (!deploy_buf_append(&f->pending, data, take)) {
            broken(f, "out of memory%s", "");
            break;
        }
        data += take;
        len -= take;
        size_t off = 0;
        while (!f->broken && off < f->pending.len) {
            burh_workload_frame fr;
            burh_proto_diag diag;
            size_t used = 0;
            burh_proto_err e = burh_proto_decode_frame(
                (burh_cbor_bytes){f->pending.ptr + off, f->pending.len - off}, &fr, &used, &diag);
            if (e == BURH_PROTO_ERR_INCOMPLETE)
                break;
            if (e != BURH_PROTO_OK)
                broken(f, "a malformed frame: %s", diag.message);
            else
                take_frame(f, &fr);
            off += used;
        }
        memmove(f->pending.ptr, f->pending.ptr + off, f->pending.len - off);
        f->pending.len -= off;
        if (!f->broken && f->pending.len == f->pending.limit)
            broken(f, "a frame larger than the protocol allows%s", "");
    }
    return !f->broken;
}

void deploy_frames_free(deploy_frames *f)
{
    deploy_buf_free(&f->pending);
}
