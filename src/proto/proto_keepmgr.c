/* proto_keepmgr.c: the keepmgr API messages: error, platform-info, keep-create, keep, keep-list. */
#include <string.h>

#include "proto/proto_internal.h"

static const char *const backend_names[BURH_BACKEND_COUNT] = {"nil", "kvm", "snp", "tdx"};
static const char *const state_names[BURH_KEEP_STATE_COUNT] = {"starting", "ready", "running",
                                                               "exited", "failed"};

static bool name_lookup(const char *const *names, int n, burh_cbor_bytes name, int *out)
{
    for (int i = 0; i < n; i++) {
        if (name.len == strlen(names[i]) && memcmp(name.ptr, names[i], name.len) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

const char *burh_keep_backend_name(burh_keep_backend b)
{
    return (unsigned)b < BURH_BACKEND_COUNT ? backend_names[b] : NULL;
}

bool burh_keep_backend_from_name(burh_cbor_bytes name, burh_keep_backend *out)
{
    int i;
    if (!name_lookup(backend_names, BURH_BACKEND_COUNT, name, &i))
        return false;
    *out = (burh_keep_backend)i;
    return true;
}

const char *burh_keep_state_name(burh_keep_state s)
{
    return (unsigned)s < BURH_KEEP_STATE_COUNT ? state_names[s] : NULL;
}

bool burh_keep_state_from_name(burh_cbor_bytes name, burh_keep_state *out)
{
    int i;
    if (!name_lookup(state_names, BURH_KEEP_STATE_COUNT, name, &i))
        return false;
    *out = (burh_keep_state)i;
    return true;
}

bool burh_keep_id_valid(burh_cbor_bytes id)
{
    if (!id.ptr || id.len != BURH_PROTO_ID_LEN)
        return false;
    for (size_t i = 0; i < id.len; i++) {
        uint8_t c = id.ptr[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

static burh_keep_backend rd_backend(proto_reader *r, const char *field)
{
    burh_keep_backend b = BURH_BACKEND_NIL;
    burh_cbor_bytes t = rd_text(r, field, 1, 16);
    if (r->err == BURH_PROTO_OK && !burh_keep_backend_from_name(t, &b))
        rd_fail(r, BURH_PROTO_ERR_RANGE, field, "unknown backend");
    return b;
}

/* ---- error ---- */

burh_proto_err burh_proto_encode_error(const burh_proto_error *m, uint8_t *buf, size_t cap,
                                       size_t *len)
{
    burh_cbor_encoder e;
    burh_cbor_encoder_init(&e, buf, cap);
    burh_cbor_enc_map_begin(&e);
    enc_version(&e);
    enc_ctext(&e, "code", m->code);
    enc_ctext(&e, "message", m->message);
    burh_cbor_enc_map_end(&e);
    return enc_finish(&e, len);
}

void rd_error_body(proto_reader *r, uint64_t n, bool versioned, burh_proto_error *out)
{
    static const char *const names[] = {"v", "code", "message"};
    uint32_t seen = versioned ? 0 : 1;
    memset(out, 0, sizeof(*out));
    for (uint64_t i = 0; i < n && r->err == BURH_PROTO_OK; i++) {
        switch (rd_key(r, names, 3, &seen)) {
        case 0:
            rd_version(r);
            break;
        case 1:
            rd_text_copy(r, "code", out->code, sizeof(out->code), 1);
            break;
        case 2:
            rd_text_copy(r, "message", out->message, sizeof(out->message), 0);
            break;
        }
    }
    rd_require(r, seen, 7, names, 3);
}

burh_proto_err burh_proto_decode_error(burh_cbor_bytes in, burh_proto_error *out,
                                       burh_proto_diag *diag)
{
    proto_reader r;
    rd_init(&r, in, diag);
    rd_error_body(&r, rd_map(&r, "error", 3), true, out);
    return rd_finish(&r);
}

/* ---- platform-info ---- */

burh_proto_err burh_proto_encode_platform(const burh_platform_info *m, uint8_t *buf, size_t cap,
                                          size_t *len)
{
    if (m->count < 1 || m->count > BURH_PROTO_BACKENDS_MAX)
        return BURH_PROTO_ERR_ARGS;
    burh_cbor_encoder e;
    burh_cbor_encoder_init(&e, buf, cap);
    burh_cbor_enc_map_begin(&e);
    enc_version(&e);
    enc_key(&e, "backends");
    burh_cbor_enc_array_begin(&e);
    for (size_t i = 0; i < m->count; i++) {
        const burh_platform_backend *b = &m->backends[i];
        const char *name = burh_keep_backend_name(b->backend);
        if (!name)
            return BURH_PROTO_ERR_ARGS;
        burh_cbor_enc_map_begin(&e);
        enc_ctext(&e, "name", name);
        enc_key(&e, "available");
        burh_cbor_enc_bool(&e, b->available);
        enc_ctext(&e, "reason", b->reason);
        burh_cbor_enc_map_end(&e);
    }
    burh_cbor_enc_array_end(&e);
    burh_cbor_enc_map_end(&e);
    return enc_finish(&e, len);
}

static void rd_platform_backend(proto_reader *r, burh_platform_backend *b)
{
    static const char *const names[] = {"name", "available", "reason"};
    uint32_t seen = 0;
    uint64_t n = rd_map(r, "backends[]", 3);
    for (uint64_t i = 0; i < n && r->err == BURH_PROTO_OK; i++) {
        switch (rd_key(r, names, 3, &seen)) {
        case 0:
            b->backend = rd_backend(r, "name");
            break;
        case 1:
            b->available = rd_bool(r, "available");
            break;
        case 2:
            rd_text_copy(r, "reason", b->reason, sizeof(b->reason), 0);
            break;
        }
    }
    rd_require(r, seen, 7, names, 3);
}

burh_proto_err burh_proto_decode_platform(burh_cbor_bytes in, burh_platform_info *out,
                                          burh_proto_diag *diag)
{
    static const char *const names[] = {"v", "backends"};
    proto_reader r;
    uint32_t seen = 0;
    rd_init(&r, in, diag);
    memset(out, 0, sizeof(*out));
    uint64_t n = rd_map(&r, "platform-info", 2);
    for (uint64_t i = 0; i < n && r.err == BURH_PROTO_OK; i++) {
        switch (rd_key(&r, names, 2, &seen)) {
        case 0:
            rd_version(&r);
            break;
        case 1:
            out->count = rd_array(&r, "backends", BURH_PROTO_BACKENDS_MAX);
            if (r.err == BURH_PROTO_OK && out->count == 0)
                rd_fail(&r, BURH_PROTO_ERR_RANGE, "backends", "empty");
            for (size_t k = 0; k < out->count && r.err == BURH_PROTO_OK; k++)
                rd_platform_backend(&r, &out->backends[k]);
            break;
        }
    }
    rd_require(&r, seen, 3, names, 2);
    return rd_finish(&r);
}

/* ---- keep-create ---- */

burh_proto_err burh_proto_encode_keep_create(const burh_keep_create *m, uint8_t *buf, size_t cap,
                                             size_t *len)
{
    const char *backend = burh_keep_backend_name(m->backend);
    if (!backend || m->nonce.len < BURH_PROTO_NONCE_MIN || m->nonce.len > BURH_PROTO_NONCE_MAX ||
        m->memory_mib < BURH_PROTO_MEMORY_MIN || m->memory_mib > BURH_PROTO_MEMORY_MAX ||
        m->time_limit_s > BURH_PROTO_TIME_LIMIT_MAX)
        return BURH_PROTO_ERR_ARGS;
    burh_cbor_encoder e;
    burh_cbor_encoder_init(&e, buf, cap);
    burh_cbor_enc_map_begin(&e);
    enc_version(&e);
    enc_ctext(&e, "backend", backend);
    enc_key(&e, "nonce");
    burh_cbor_enc_bytes(&e, m->nonce);
    enc_key(&e, "memory_mib");
    burh_cbor_enc_uint(&e, m->memory_mib);
    if (m->time_limit_s != 0) {
        enc_key(&e, "time_limit_s");
        burh_cbor_enc_uint(&e, m->time_limit_s);
    }
    burh_cbor_enc_map_end(&e);
    return enc_finish(&e, len);
}

burh_proto_err burh_proto_decode_keep_create(burh_cbor_bytes in, burh_keep_create *out,
                                             burh_proto_diag *diag)
{
    static const char *const names[] = {"v", "backend", "nonce", "memory_mib", "time_limit_s"};
    proto_reader r;
    uint32_t seen = 0;
    rd_init(&r, in, diag);
    memset(out, 0, sizeof(*out));
    uint64_t n = rd_map(&r, "keep-create", 5);
    for (uint64_t i = 0; i < n && r.err == BURH_PROTO_OK; i++) {
        switch (rd_key(&r, names, 5, &seen)) {
        case 0:
            rd_version(&r);
            break;
        case 1:
            out->backend = rd_backend(&r, "backend");
            break;
        case 2:
            out->nonce = rd_bytes(&r, "nonce", BURH_PROTO_NONCE_MIN, BURH_PROTO_NONCE_MAX);
            break;
        case 3:
            out->memory_mib =
                (uint32_t)rd_uint(&r, "memory_mib", BURH_PROTO_MEMORY_MIN, BURH_PROTO_MEMORY_MAX);
            break;
        case 4:
            out->time_limit_s = (uint32_t)rd_uint(&r, "time_limit_s", 1, BURH_PROTO_TIME_LIMIT_MAX);
            break;
        }
    }
    rd_require(&r, seen, 15, names, 5);
    return rd_finish(&r);
}

/* ---- keep, keep-list ---- */

static void enc_keep(burh_cbor_encoder *e, const burh_keep_info *m)
{
    burh_cbor_enc_map_begin(e);
    enc_version(e);
    enc_ctext(e, "id", m->id);
    enc_ctext(e, "backend", burh_keep_backend_name(m->backend));
    enc_ctext(e, "state", burh_keep_state_name(m->state));
    enc_key(e, "memory_mib");
    burh_cbor_enc_uint(e, m->memory_mib);
    enc_key(e, "created");
    burh_cbor_enc_uint(e, m->created);
    if (m->endpoint[0])
        enc_ctext(e, "endpoint", m->endpoint);
    if (m->has_exit_status) {
        enc_key(e, "exit_status");
        burh_cbor_enc_int(e, m->exit_status);
    }
    if (m->has_reason)
        enc_ctext(e, "reason", m->reason);
    burh_cbor_enc_map_end(e);
}

static bool keep_info_ok(const burh_keep_info *m)
{
    return burh_keep_backend_name(m->backend) && burh_keep_state_name(m->state) &&
           burh_keep_id_valid(BURH_CBOR_BYTES(m->id, strnlen(m->id, sizeof(m->id)))) &&
           strnlen(m->endpoint, sizeof(m->endpoint)) < sizeof(m->endpoint) &&
           strnlen(m->reason, sizeof(m->reason)) < sizeof(m->reason);
}

burh_proto_err burh_proto_encode_keep(const burh_keep_info *m, uint8_t *buf, size_t cap,
                                      size_t *len)
{
    if (!keep_info_ok(m))
        return BURH_PROTO_ERR_ARGS;
    burh_cbor_encoder e;
    burh_cbor_encoder_init(&e, buf, cap);
    enc_keep(&e, m);
    return enc_finish(&e, len);
}

burh_proto_err burh_proto_encode_keep_list(const burh_keep_info *keeps, size_t count, uint8_t *buf,
                                           size_t cap, size_t *len)
{
    burh_cbor_encoder e;
    burh_cbor_encoder_init(&e, buf, cap);
    burh_cbor_enc_map_begin(&e);
    enc_version(&e);
    enc_key(&e, "keeps");
    burh_cbor_enc_array_begin(&e);
    for (size_t i = 0; i < count; i++) {
        if (!keep_info_ok(&keeps[i]))
            return BURH_PROTO_ERR_ARGS;
        enc_keep(&e, &keeps[i]);
    }
    burh_cbor_enc_array_end(&e);
    burh_cbor_enc_map_end(&e);
    return enc_finish(&e, len);
}

static void rd_keep_id(proto_reader *r, char *out)
{
    rd_text_copy(r, "id", out, BURH_PROTO_ID_LEN + 1, BURH_PROTO_ID_LEN);
    if (r->err == BURH_PROTO_OK && !burh_keep_id_valid(BURH_CBOR_BYTES(out, strlen(out))))
        rd_fail(r, BURH_PROTO_ERR_RANGE, "id", "not 32 lower-case hex digits");
}

static void rd_keep_field(proto_reader *r, int key, burh_keep_info *out)
{
    burh_cbor_bytes t;
    switch (key) {
    case 0:
        rd_version(r);
        break;
    case 1:
        rd_keep_id(r, out->id);
        break;
    case 2:
        out->backend = rd_backend(r, "backend");
        break;
    case 3:
        t = rd_text(r, "state", 1, 16);
        if (r->err == BURH_PROTO_OK && !burh_keep_state_from_name(t, &out->state))
            rd_fail(r, BURH_PROTO_ERR_RANGE, "state", "unknown state");
        break;
    case 4:
        out->memory_mib = (uint32_t)rd_uint(r, "memory_mib", 0, BURH_PROTO_MEMORY_MAX);
        break;
    case 5:
        out->created = rd_uint(r, "created", 0, UINT64_MAX);
        break;
    case 6:
        rd_text_copy(r, "endpoint", out->endpoint, sizeof(out->endpoint), 3);
        break;
    case 7:
        out->exit_status = rd_int(r, "exit_status");
        out->has_exit_status = true;
        break;
    case 8:
        rd_text_copy(r, "reason", out->reason, sizeof(out->reason), 0);
        out->has_reason = true;
        break;
    }
}

static void rd_keep(proto_reader *r, burh_keep_info *out)
{
    static const char *const names[] = {"v",       "id",       "backend",     "state", "memory_mib",
                                        "created", "endpoint", "exit_status", "reason"};
    uint32_t seen = 0;
    memset(out, 0, sizeof(*out));
    uint64_t n = rd_map(r, "keep", 9);
    for (uint64_t i = 0; i < n && r->err == BURH_PROTO_OK; i++) {
        int key = rd_key(r, names, 9, &seen);
        if (key >= 0)
            rd_keep_field(r, key, out);
    }
    rd_require(r, seen, 63, names, 9);
}

burh_proto_err burh_proto_decode_keep(burh_cbor_bytes in, burh_keep_info *out,
                                      burh_proto_diag *diag)
{
    proto_reader r;
    rd_init(&r, in, diag);
    rd_keep(&r, out);
    return rd_finish(&r);
}

burh_proto_err burh_proto_decode_keep_list(burh_cbor_bytes in, burh_keep_info *out, size_t cap,
                                           size_t *count, burh_proto_diag *diag)
{
    static const char *const names[] = {"v", "keeps"};
    proto_reader r;
    uint32_t seen = 0;
    rd_init(&r, in, diag);
    *count = 0;
    uint64_t n = rd_map(&r, "keep-list", 2);
    for (uint64_t i = 0; i < n && r.err == BURH_PROTO_OK; i++) {
        switch (rd_key(&r, names, 2, &seen)) {
        case 0:
            rd_version(&r);
            break;
        case 1: {
            uint64_t k = rd_array(&r, "keeps", cap);
            for (uint64_t j = 0; j < k && r.err == BURH_PROTO_OK; j++)
                rd_keep(&r, &out[j]);
            if (r.err == BURH_PROTO_OK)
                *count = (size_t)k;
            break;
        }
        }
    }
    rd_require(&r, seen, 3, names, 2);
    return rd_finish(&r);
}
