/* proto_workload.c: the wasmldr API: the workload request and the response frames. */
#include <stdlib.h>
#include <string.h>

#include "proto/proto_internal.h"

/* Every array a workload can need, at the protocol's limits: one bounded allocation. */
struct workload_arrays {
    burh_cbor_bytes args[BURH_PROTO_ARGS_MAX];
    burh_workload_env env[BURH_PROTO_ENV_MAX];
    burh_workload_file files[BURH_PROTO_FILES_MAX];
    burh_workload_secret secrets[BURH_PROTO_SECRETS_MAX];
};

void burh_workload_free(burh_workload *w)
{
    if (!w)
        return;
    free(w->alloc_);
    memset(w, 0, sizeof(*w));
}

/* Why a file path is not a clean absolute one, or NULL when it is: each of its parts becomes a
 * directory or file name in the guest's file system. */
static const char *path_problem(burh_cbor_bytes p)
{
    if (memchr(p.ptr, 0, p.len))
        return "contains NUL";
    if (p.len < 2 || p.ptr[0] != '/')
        return "not absolute";
    if (p.ptr[p.len - 1] == '/')
        return "ends in \"/\"";
    size_t start = 1;
    for (size_t i = 1; i <= p.len; i++) {
        if (i < p.len && p.ptr[i] != '/')
            continue;
        size_t n = i - start;
        const uint8_t *s = p.ptr + start;
        if (n == 0)
            return "has an empty part (\"//\")";
        if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return "has a \".\" or \"..\" part";
        start = i + 1;
    }
    return NULL;
}

/* [A-Za-z0-9_.-]+ but not "." or "..": the name becomes /run/secrets/NAME in the guest. */
static bool secret_name_ok(burh_cbor_bytes n)
{
    if ((n.len == 1 && n.ptr[0] == '.') || (n.len == 2 && n.ptr[0] == '.' && n.ptr[1] == '.'))
        return false;
    for (size_t i = 0; i < n.len; i++) {
        uint8_t c = n.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return false;
    }
    return n.len > 0;
}

static bool same(burh_cbor_bytes a, burh_cbor_bytes b)
{
    return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

static void rd_args(proto_reader *r, burh_workload *w)
{
    w->argc = rd_array(r, "args", BURH_PROTO_ARGS_MAX);
    for (size_t i = 0; i < w->argc && r->err == BURH_PROTO_OK; i++) {
        w->args[i] = rd_text(r, "args[]", 0, BURH_PROTO_STRING_MAX);
        if (r->err == BURH_PROTO_OK && memchr(w->args[i].ptr, 0, w->args[i].len))
            rd_fail(r, BURH_PROTO_ERR_RANGE, "args[]", "contains NUL");
    }
}

static void rd_env(proto_reader *r, burh_workload *w)
{
    w->envc = rd_map(r, "env", BURH_PROTO_ENV_MAX);
    for (size_t i = 0; i < w->envc && r->err == BURH_PROTO_OK; i++) {
        burh_workload_env *e = &w->env[i];
        e->name = rd_text(r, "env name", 1, BURH_PROTO_STRING_MAX);
        if (r->err == BURH_PROTO_OK &&
            (memchr(e->name.ptr, '=', e->name.len) || memchr(e->name.ptr, 0, e->name.len)))
            rd_fail(r, BURH_PROTO_ERR_RANGE, "env name", "contains '=' or NUL");
        e->value = rd_text(r, "env value", 0, BURH_PROTO_STRING_MAX);
        if (r->err == BURH_PROTO_OK && memchr(e->value.ptr, 0, e->value.len))
            rd_fail(r, BURH_PROTO_ERR_RANGE, "env value", "contains NUL");
    }
}

/* One {name-ish: tstr, data: bstr} entry of "files" or "secrets". */
static void rd_named_data(proto_reader *r, const char *key, size_t name_min, size_t name_max,
                          size_t data_max, burh_cbor_bytes *name, burh_cbor_bytes *data)
{
    const char *const names[] = {key, "data"};
    uint32_t seen = 0;
    uint64_t n = rd_map(r, key, 2);
    for (uint64_t i = 0; i < n && r->err == BURH_PROTO_OK; i++) {
        int k = rd_key(r, names, 2, &seen);
        if (k == 0)
            *name = rd_text(r, key, name_min, name_max);
        else if (k == 1)
            *data = rd_bytes(r, "data", 0, data_max);
    }
    rd_require(r, seen, 3, names, 2);
}

static void rd_files(proto_reader *r, burh_workload *w)
{
    uint64_t total = 0;
    w->filec = rd_array(r, "files", BURH_PROTO_FILES_MAX);
    for (size_t i = 0; i < w->filec && r->err == BURH_PROTO_OK; i++) {
        burh_workload_file *f = &w->files[i];
        rd_named_data(r, "path", 2, BURH_PROTO_PATH_MAX, BURH_PROTO_FILES_DATA_MAX, &f->path,
                      &f->data);
        if (r->err != BURH_PROTO_OK)
            break;
        total += f->data.len;
        const char *problem = path_problem(f->path);
        if (problem != NULL)
            rd_fail(r, BURH_PROTO_ERR_RANGE, "path", problem);
        else if (total > BURH_PROTO_FILES_DATA_MAX)
            rd_fail(r, BURH_PROTO_ERR_RANGE, "files", "more than 64 MiB in all");
        for (size_t j = 0; j < i && r->err == BURH_PROTO_OK; j++)
            if (same(w->files[j].path, f->path))
                rd_fail(r, BURH_PROTO_ERR_RANGE, "path", "given twice");
    }
}

static void rd_secrets(proto_reader *r, burh_workload *w)
{
    w->secretc = rd_array(r, "secrets", BURH_PROTO_SECRETS_MAX);
    for (size_t i = 0; i < w->secretc && r->err == BURH_PROTO_OK; i++) {
        burh_workload_secret *s = &w->secrets[i];
        rd_named_data(r, "name", 1, BURH_PROTO_SECRET_NAME, BURH_PROTO_SECRET_MAX, &s->name,
                      &s->data);
        if (r->err == BURH_PROTO_OK && !secret_name_ok(s->name))
            rd_fail(r, BURH_PROTO_ERR_RANGE, "name", "not [A-Za-z0-9_.-]+, or . or ..");
        for (size_t j = 0; j < i && r->err == BURH_PROTO_OK; j++)
            if (same(w->secrets[j].name, s->name))
                rd_fail(r, BURH_PROTO_ERR_RANGE, "name", "given twice");
    }
}

burh_proto_err burh_proto_decode_workload(burh_cbor_bytes in, burh_workload *out,
                                          burh_proto_diag *diag)
{
    static const char *const names[] = {"v", "wasm", "args", "env", "files", "secrets"};
    proto_reader r;
    uint32_t seen = 0;
    memset(out, 0, sizeof(*out));
    struct workload_arrays *a = calloc(1, sizeof(*a));
    if (!a)
        return BURH_PROTO_ERR_NOMEM;
    *out = (burh_workload){
        .args = a->args, .env = a->env, .files = a->files, .secrets = a->secrets, .alloc_ = a};
    rd_init(&r, in, diag);
    uint64_t n = rd_map(&r, "workload", 6);
    for (uint64_t i = 0; i < n && r.err == BURH_PROTO_OK; i++) {
        switch (rd_key(&r, names, 6, &seen)) {
        case 0:
            rd_version(&r);
            break;
        case 1:
            out->wasm = rd_bytes(&r, "wasm", BURH_PROTO_WASM_MIN, BURH_PROTO_WASM_MAX);
            break;
        case 2:
            rd_args(&r, out);
            break;
        case 3:
            rd_env(&r, out);
            break;
        case 4:
            rd_files(&r, out);
            break;
        case 5:
            rd_secrets(&r, out);
            break;
        }
    }
    rd_require(&r, seen, 63, names, 6);
    burh_proto_err err = rd_finish(&r);
    if (err != BURH_PROTO_OK)
        burh_workload_free(out);
    return err;
}

static bool workload_ok(const burh_workload *m)
{
    return m->wasm.len >= BURH_PROTO_WASM_MIN && m->wasm.len <= BURH_PROTO_WASM_MAX &&
           m->argc <= BURH_PROTO_ARGS_MAX && m->envc <= BURH_PROTO_ENV_MAX &&
           m->filec <= BURH_PROTO_FILES_MAX && m->secretc <= BURH_PROTO_SECRETS_MAX;
}

static void enc_named_data(burh_cbor_encoder *e, const char *key, burh_cbor_bytes name,
                           burh_cbor_bytes data)
{
    burh_cbor_enc_map_begin(e);
    enc_key(e, key);
    burh_cbor_enc_text(e, name);
    enc_key(e, "data");
    burh_cbor_enc_bytes(e, data);
    burh_cbor_enc_map_end(e);
}

burh_proto_err burh_proto_encode_workload(const burh_workload *m, uint8_t *buf, size_t cap,
                                          size_t *len)
{
    if (!workload_ok(m))
        return BURH_PROTO_ERR_ARGS;
    burh_cbor_encoder e;
    burh_cbor_encoder_init(&e, buf, cap);
    burh_cbor_enc_map_begin(&e);
    enc_version(&e);
    enc_key(&e, "wasm");
    burh_cbor_enc_bytes(&e, m->wasm);
    enc_key(&e, "args");
    burh_cbor_enc_array_begin(&e);
    for (size_t i = 0; i < m->argc; i++)
        burh_cbor_enc_text(&e, m->args[i]);
    burh_cbor_enc_array_end(&e);
    enc_key(&e, "env");
    burh_cbor_enc_map_begin(&e);
    for (size_t i = 0; i < m->envc; i++) {
        burh_cbor_enc_text(&e, m->env[i].name);
        burh_cbor_enc_text(&e, m->env[i].value);
    }
    burh_cbor_enc_map_end(&e);
    enc_key(&e, "files");
    burh_cbor_enc_array_begin(&e);
    for (size_t i = 0; i < m->filec; i++)
        enc_named_data(&e, "path", m->files[i].path, m->files[i].data);
    burh_cbor_enc_array_end(&e);
    enc_key(&e, "secrets");
    burh_cbor_enc_array_begin(&e);
    for (size_t i = 0; i < m->secretc; i++)
        enc_named_data(&e, "name", m->secrets[i].name, m->secrets[i].data);
    burh_cbor_enc_array_end(&e);
    burh_cbor_enc_map_end(&e);
    return enc_finish(&e, len);
}

/* ---- frames ---- */

static const char *const frame_keys[] = {"v", "stdout", "stderr", "exit", "trap", "error"};

burh_proto_err burh_proto_encode_frame(const burh_workload_frame *m, uint8_t *buf, size_t cap,
                                       size_t *len)
{
    burh_cbor_encoder e;
    burh_cbor_encoder_init(&e, buf, cap);
    burh_cbor_enc_map_begin(&e);
    enc_version(&e);
    switch (m->kind) {
    case BURH_FRAME_STDOUT:
    case BURH_FRAME_STDERR:
        if (m->data.len < 1 || m->data.len > BURH_PROTO_OUTPUT_MAX)
            return BURH_PROTO_ERR_ARGS;
        enc_key(&e, frame_keys[1 + m->kind]);
        burh_cbor_enc_bytes(&e, m->data);
        break;
    case BURH_FRAME_EXIT:
        enc_key(&e, "exit");
        burh_cbor_enc_int(&e, m->exit);
        break;
    case BURH_FRAME_TRAP:
        if (m->data.len < 1 || m->data.len > BURH_PROTO_TRAP_MAX)
            return BURH_PROTO_ERR_ARGS;
        enc_key(&e, "trap");
        burh_cbor_enc_text(&e, m->data);
        break;
    case BURH_FRAME_ERROR:
        if (m->data.len < 1 || m->data.len > BURH_PROTO_CODE_MAX ||
            m->message.len > BURH_PROTO_MESSAGE_MAX)
            return BURH_PROTO_ERR_ARGS;
        enc_key(&e, "error");
        burh_cbor_enc_map_begin(&e);
        enc_key(&e, "code");
        burh_cbor_enc_text(&e, m->data);
        enc_key(&e, "message");
        burh_cbor_enc_text(&e, m->message);
        burh_cbor_enc_map_end(&e);
        break;
    default:
        return BURH_PROTO_ERR_ARGS;
    }
    burh_cbor_enc_map_end(&e);
    return enc_finish(&e, len);
}

/* The error frame's inner map, kept as ranges into the input. */
static void rd_frame_error(proto_reader *r, burh_workload_frame *out)
{
    static const char *const names[] = {"code", "message"};
    uint32_t seen = 0;
    uint64_t n = rd_map(r, "error", 2);
    for (uint64_t i = 0; i < n && r->err == BURH_PROTO_OK; i++) {
        int k = rd_key(r, names, 2, &seen);
        if (k == 0)
            out->data = rd_text(r, "code", 1, BURH_PROTO_CODE_MAX);
        else if (k == 1)
            out->message = rd_text(r, "message", 0, BURH_PROTO_MESSAGE_MAX);
    }
    rd_require(r, seen, 3, names, 2);
}

static void rd_frame_value(proto_reader *r, int key, burh_workload_frame *out)
{
    if (key >= 1)
        out->kind = (burh_frame_kind)(key - 1);
    switch (key) {
    case 0:
        rd_version(r);
        break;
    case 1:
    case 2:
        out->data = rd_bytes(r, frame_keys[key], 1, BURH_PROTO_OUTPUT_MAX);
        break;
    case 3:
        out->exit = rd_int(r, "exit");
        break;
    case 4:
        out->data = rd_text(r, "trap", 1, BURH_PROTO_TRAP_MAX);
        break;
    case 5:
        rd_frame_error(r, out);
        break;
    }
}

burh_proto_err burh_proto_decode_frame(burh_cbor_bytes in, burh_workload_frame *out, size_t *used,
                                       burh_proto_diag *diag)
{
    proto_reader r;
    uint32_t seen = 0;
    memset(out, 0, sizeof(*out));
    burh_proto_err err = rd_stream_begin(&r, in, used, diag);
    if (err != BURH_PROTO_OK)
        return err;
    uint64_t n = rd_map(&r, "frame", 2);
    if (r.err == BURH_PROTO_OK && n != 2)
        rd_fail(&r, BURH_PROTO_ERR_RANGE, "frame", "needs \"v\" and exactly one other key");
    for (uint64_t i = 0; i < n && r.err == BURH_PROTO_OK; i++)
        rd_frame_value(&r, rd_key(&r, frame_keys, 6, &seen), out);
    rd_require(&r, seen, 1, frame_keys, 6);
    return rd_stream_end(&r, used);
}
