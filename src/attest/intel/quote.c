/* Parser for Intel DCAP ECDSA quotes: SGX v3 and TDX v4/v5, every length checked before use. */
#include "attest/intel/intel_internal.h"

#include <stdlib.h>
#include <string.h>

/* A bounded reader over the quote; the first failed read sticks. */
typedef struct reader {
    const uint8_t *p;
    size_t len;
    size_t pos;
    bool failed;
} reader;

static const uint8_t *take(reader *r, size_t n)
{
    if (r->failed || n > r->len - r->pos) {
        r->failed = true;
        return NULL;
    }
    const uint8_t *at = r->p + r->pos;
    r->pos += n;
    return at;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint16_t take16(reader *r)
{
    const uint8_t *p = take(r, 2);
    return p ? le16(p) : 0;
}

static uint32_t take32(reader *r)
{
    const uint8_t *p = take(r, 4);
    return p ? burh_attest_le32(p) : 0;
}

static burh_intel_err parse_header(reader *r, burh_intel_quote *q)
{
    const uint8_t *h = take(r, INTEL_HEADER_LEN);
    if (!h)
        return BURH_INTEL_ERR_TRUNCATED;
    q->version = le16(h);
    q->att_key_type = le16(h + 2);
    q->tee_type = burh_attest_le32(h + 4);
    q->qe_svn = le16(h + 8);
    q->pce_svn = le16(h + 10);
    if (q->att_key_type != INTEL_ATT_KEY_ECDSA256 || q->version < 3 || q->version > 5)
        return BURH_INTEL_ERR_VERSION;
    if (q->version == 3 && q->tee_type != BURH_INTEL_TEE_SGX)
        return BURH_INTEL_ERR_FORMAT;
    if ((q->version == 4 || q->version == 5) && q->tee_type != BURH_INTEL_TEE_TDX &&
        q->tee_type != BURH_INTEL_TEE_SGX)
        return BURH_INTEL_ERR_FORMAT;
    return BURH_INTEL_OK;
}

static burh_intel_err parse_body(reader *r, burh_intel_quote *q)
{
    size_t want;
    if (q->version == 5) {
        q->body_type = take16(r);
        uint32_t size = take32(r);
        if (r->failed)
            return BURH_INTEL_ERR_TRUNCATED;
        want = q->body_type == 1   ? INTEL_SGX_BODY_LEN
               : q->body_type == 2 ? INTEL_TD10_BODY_LEN
               : q->body_type == 3 ? INTEL_TD15_BODY_LEN
                                   : 0;
        if (want == 0)
            return BURH_INTEL_ERR_VERSION;
        if (size != want)
            return BURH_INTEL_ERR_FORMAT;
    } else if (q->tee_type == BURH_INTEL_TEE_SGX) {
        q->body_type = 1;
        want = INTEL_SGX_BODY_LEN;
    } else {
        q->body_type = 2;
        want = INTEL_TD10_BODY_LEN;
    }
    if ((q->body_type == 1) != (q->tee_type == BURH_INTEL_TEE_SGX))
        return BURH_INTEL_ERR_FORMAT;
    q->body = take(r, want);
    if (!q->body)
        return BURH_INTEL_ERR_TRUNCATED;
    q->body_len = want;
    q->signed_len = r->pos;
    return BURH_INTEL_OK;
}

/* QE report, its signature, the auth data and the nested type-5 PCK chain. */
static burh_intel_err parse_qe_part(reader *r, burh_intel_quote *q)
{
    q->qe_report = take(r, INTEL_QE_REPORT_LEN);
    q->qe_report_sig = take(r, INTEL_SIG_LEN);
    q->qe_auth_len = take16(r);
    q->qe_auth = take(r, q->qe_auth_len);
    uint16_t type = take16(r);
    uint32_t size = take32(r);
    if (r->failed)
        return BURH_INTEL_ERR_TRUNCATED;
    if (type != INTEL_CERT_PCK_CHAIN)
        return BURH_INTEL_ERR_FORMAT;
    q->pck_pem = take(r, size);
    if (!q->pck_pem)
        return BURH_INTEL_ERR_TRUNCATED;
    q->pck_pem_len = size;
    return BURH_INTEL_OK;
}

static burh_intel_err parse_signature_data(reader *r, burh_intel_quote *q)
{
    uint32_t sig_len = take32(r);
    if (r->failed)
        return BURH_INTEL_ERR_TRUNCATED;
    if (sig_len > r->len - r->pos)
        return BURH_INTEL_ERR_TRUNCATED;
    /* Everything below reads inside the signature data only. */
    reader s = {.p = r->p + r->pos, .len = sig_len};
    r->pos += sig_len;
    q->trailing = r->len - r->pos;
    q->signature = take(&s, INTEL_SIG_LEN);
    q->attest_key = take(&s, INTEL_KEY_LEN);
    if (s.failed)
        return BURH_INTEL_ERR_TRUNCATED;
    if (q->version == 3)
        return parse_qe_part(&s, q);
    uint16_t type = take16(&s);
    uint32_t size = take32(&s);
    if (s.failed)
        return BURH_INTEL_ERR_TRUNCATED;
    if (type != INTEL_CERT_QE_REPORT)
        return BURH_INTEL_ERR_FORMAT;
    const uint8_t *inner = take(&s, size);
    if (!inner)
        return BURH_INTEL_ERR_TRUNCATED;
    reader in = {.p = inner, .len = size};
    return parse_qe_part(&in, q);
}

burh_intel_err burh_intel_quote_parse(burh_intel_bytes in, burh_intel_quote **out)
{
    if (!out || (!in.ptr && in.len))
        return BURH_INTEL_ERR_ARGS;
    *out = NULL;
    burh_intel_quote *q = calloc(1, sizeof(*q));
    if (!q)
        return BURH_INTEL_ERR_NOMEM;
    q->buf = malloc(in.len ? in.len : 1);
    if (!q->buf) {
        free(q);
        return BURH_INTEL_ERR_NOMEM;
    }
    if (in.len)
        memcpy(q->buf, in.ptr, in.len);
    q->len = in.len;
    reader r = {.p = q->buf, .len = q->len};
    burh_intel_err err = parse_header(&r, q);
    if (err == BURH_INTEL_OK)
        err = parse_body(&r, q);
    if (err == BURH_INTEL_OK)
        err = parse_signature_data(&r, q);
    if (err != BURH_INTEL_OK) {
        burh_intel_quote_free(q);
        return err;
    }
    *out = q;
    return BURH_INTEL_OK;
}

void burh_intel_quote_free(burh_intel_quote *quote)
{
    if (!quote)
        return;
    free(quote->buf);
    free(quote);
}

burh_intel_tee burh_intel_quote_tee(const burh_intel_quote *quote)
{
    return (burh_intel_tee)quote->tee_type;
}

unsigned burh_intel_quote_version(const burh_intel_quote *quote)
{
    return quote->version;
}

size_t burh_intel_quote_trailing(const burh_intel_quote *quote)
{
    return quote->trailing;
}

const char *burh_intel_err_name(burh_intel_err err)
{
    switch (err) {
    case BURH_INTEL_OK:
        return "ok";
    case BURH_INTEL_ERR_TRUNCATED:
        return "truncated";
    case BURH_INTEL_ERR_VERSION:
        return "unsupported version";
    case BURH_INTEL_ERR_FORMAT:
        return "bad format";
    case BURH_INTEL_ERR_JSON:
        return "bad collateral JSON";
    case BURH_INTEL_ERR_CERT:
        return "bad certificate or CRL";
    case BURH_INTEL_ERR_NOMEM:
        return "out of memory";
    case BURH_INTEL_ERR_ARGS:
        return "bad arguments";
    }
    return "unknown error";
}
