/* test_proto_doc.c: every hex example in docs/protocol.md decodes and re-encodes byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "burh/keep_proto.h"

#define DOC_PATH "docs/protocol.md"

static char *read_doc(size_t *len)
{
    FILE *f = fopen(DOC_PATH, "rb");
    assert_non_null(f);
    static char buf[1 << 17];
    *len = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[*len] = '\0';
    return buf;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Hex digits up to the closing fence, whitespace ignored. Returns the byte count. */
static size_t parse_hex(const char *p, const char *end, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; p < end; p++) {
        if (*p == ' ' || *p == '\n')
            continue;
        int v = hexval(*p);
        assert_true(v >= 0);
        if (hi < 0) {
            hi = v;
        } else {
            assert_true(n < cap);
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    assert_int_equal(hi, -1);
    return n;
}

static void check_same(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, alen);
}

/* Decodes the example `name` with its decoder, encodes the result, compares. */
static void round_trip(const char *name, const uint8_t *msg, size_t len)
{
    static uint8_t out[4096];
    size_t olen = 0, used = 0;
    burh_proto_diag diag;
    burh_cbor_bytes in = BURH_CBOR_BYTES(msg, len);
    burh_proto_err err = BURH_PROTO_ERR_ARGS;
    if (strcmp(name, "error") == 0) {
        burh_proto_error m;
        if ((err = burh_proto_decode_error(in, &m, &diag)) == BURH_PROTO_OK)
            err = burh_proto_encode_error(&m, out, sizeof(out), &olen);
    } else if (strcmp(name, "platform") == 0) {
        burh_platform_info m;
        if ((err = burh_proto_decode_platform(in, &m, &diag)) == BURH_PROTO_OK)
            err = burh_proto_encode_platform(&m, out, sizeof(out), &olen);
    } else if (strncmp(name, "keep-create", 11) == 0) {
        burh_keep_create m;
        if ((err = burh_proto_decode_keep_create(in, &m, &diag)) == BURH_PROTO_OK)
            err = burh_proto_encode_keep_create(&m, out, sizeof(out), &olen);
    } else if (strncmp(name, "keep-list", 9) == 0) {
        static burh_keep_info m[4];
        size_t count;
        if ((err = burh_proto_decode_keep_list(in, m, 4, &count, &diag)) == BURH_PROTO_OK)
            err = burh_proto_encode_keep_list(m, count, out, sizeof(out), &olen);
    } else if (strncmp(name, "keep", 4) == 0) {
        burh_keep_info m;
        if ((err = burh_proto_decode_keep(in, &m, &diag)) == BURH_PROTO_OK)
            err = burh_proto_encode_keep(&m, out, sizeof(out), &olen);
    } else if (strcmp(name, "workload") == 0) {
        burh_workload m;
        if ((err = burh_proto_decode_workload(in, &m, &diag)) == BURH_PROTO_OK) {
            err = burh_proto_encode_workload(&m, out, sizeof(out), &olen);
            burh_workload_free(&m);
        }
    } else if (strncmp(name, "frame-", 6) == 0) {
        burh_workload_frame m;
        if ((err = burh_proto_decode_frame(in, &m, &used, &diag)) == BURH_PROTO_OK) {
            assert_int_equal(used, len);
            err = burh_proto_encode_frame(&m, out, sizeof(out), &olen);
        }
    } else if (strncmp(name, "status-", 7) == 0) {
        burh_keep_status m;
        if ((err = burh_proto_decode_status(in, &m, &used, &diag)) == BURH_PROTO_OK) {
            assert_int_equal(used, len);
            err = burh_proto_encode_status(&m, out, sizeof(out), &olen);
        }
    } else {
        fail_msg("example with no decoder: %s", name);
    }
    if (err != BURH_PROTO_OK)
        fail_msg("example %s: %s (%s)", name, burh_proto_errstr(err), diag.message);
    check_same(out, olen, msg, len);
}

static void test_every_doc_example_round_trips(void **state)
{
    (void)state;
    size_t len;
    const char *doc = read_doc(&len);
    const char *p = doc;
    int examples = 0;
    static uint8_t msg[4096];
    while ((p = strstr(p, "```hex ")) != NULL) {
        p += 7;
        const char *eol = strchr(p, '\n');
        assert_non_null(eol);
        char name[64];
        size_t nlen = (size_t)(eol - p);
        assert_true(nlen > 0 && nlen < sizeof(name));
        memcpy(name, p, nlen);
        name[nlen] = '\0';
        const char *end = strstr(eol, "```");
        assert_non_null(end);
        size_t mlen = parse_hex(eol + 1, end, msg, sizeof(msg));
        round_trip(name, msg, mlen);
        examples++;
        p = end + 3;
    }
    /* One example per message and per frame/status kind, as the doc promises. */
    assert_int_equal(examples, 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_doc_example_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
