/* Unit tests of the module decoder and module-level validation, on hand-built binaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/module.h"

#define WASM 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00
/* A byte array literal and its size, as two arguments. */
#define BYTES(...)                   (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
#define EXPECT(status, message, ...) expect_decode(status, message, __LINE__, BYTES(__VA_ARGS__))

/* Common pieces: one type () -> (), one function of it, its empty body. */
#define TYPE_V 0x01, 0x04, 0x01, 0x60, 0x00, 0x00
#define FUNC_V 0x03, 0x02, 0x01, 0x00
#define CODE_V 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b

static void expect_decode(bw_status want, const char *message, int line, const uint8_t *bytes,
                          size_t len)
{
    bw_module *module = NULL;
    bw_error err = {0};
    bw_status got = bw_decode_module(bytes, len, &module, &err);
    if (got == BW_OK) {
        assert_non_null(module);
        bw_module_destroy(module);
    } else {
        assert_null(module);
        assert_int_equal(err.status, got);
    }
    if (got != want || (message != NULL && strstr(err.message, message) == NULL)) {
        print_error("line %d: got %s \"%s\", want %s \"%s\"\n", line, bw_status_name(got),
                    err.message, bw_status_name(want), message ? message : "");
        fail();
    }
}

static void test_header(void **state)
{
    (void)state;
    EXPECT(BW_OK, NULL, WASM);
    EXPECT(BW_ERR_MALFORMED, "magic", 0x00, 0x61, 0x73);
    EXPECT(BW_ERR_MALFORMED, "magic", 0x00, 0x61, 0x73, 0x6e, 0x01, 0x00, 0x00, 0x00);
    EXPECT(BW_ERR_MALFORMED, "version", 0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00);
    EXPECT(BW_ERR_MALFORMED, "version", 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00);
    bw_module *module = NULL;
    assert_int_equal(bw_decode_module((const uint8_t *)"", 0, &module, NULL), BW_ERR_MALFORMED);
}

static void test_leb128_u32(void **state)
{
    (void)state;
    /* memory min 1 padded to five bytes: allowed */
    EXPECT(BW_OK, NULL, WASM, 0x05, 0x07, 0x01, 0x00, 0x81, 0x80, 0x80, 0x80, 0x00);
    EXPECT(BW_ERR_MALFORMED, "integer representation too long", WASM, 0x05, 0x08, 0x01, 0x00, 0x81,
           0x80, 0x80, 0x80, 0x80, 0x00);
    EXPECT(BW_ERR_MALFORMED, "integer too large", WASM, 0x05, 0x07, 0x01, 0x00, 0x81, 0x80, 0x80,
           0x80, 0x10);
    EXPECT(BW_ERR_MALFORMED, "unexpected end", WASM, 0x05, 0x05, 0x01, 0x00, 0x81, 0x80, 0x80);
    /* the section size itself */
    EXPECT(BW_ERR_MALFORMED, "integer representation too long", WASM, 0x00, 0x80, 0x80, 0x80, 0x80,
           0x80, 0x00);
}

static void test_leb128_signed(void **state)
{
    (void)state;
    /* i32.const -1 in five bytes, 0x70000000 in five bytes */
    EXPECT(BW_OK, NULL, WASM, 0x06, 0x0a, 0x01, 0x7f, 0x00, 0x41, 0xff, 0xff, 0xff, 0xff, 0x7f,
           0x0b);
    EXPECT(BW_OK, NULL, WASM, 0x06, 0x0a, 0x01, 0x7f, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x07,
           0x0b);
    EXPECT(BW_ERR_MALFORMED, "integer too large", WASM, 0x06, 0x0a, 0x01, 0x7f, 0x00, 0x41, 0xff,
           0xff, 0xff, 0xff, 0x4f, 0x0b);
    EXPECT(BW_ERR_MALFORMED, "integer too large", WASM, 0x06, 0x0a, 0x01, 0x7f, 0x00, 0x41, 0x80,
           0x80, 0x80, 0x80, 0x70, 0x0b);
    EXPECT(BW_ERR_MALFORMED, "integer representation too long", WASM, 0x06, 0x0b, 0x01, 0x7f, 0x00,
           0x41, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x0b);
    /* i64.const -1 and 0 in ten bytes; bad tenth bytes; eleven bytes */
    EXPECT(BW_OK, NULL, WASM, 0x06, 0x0f, 0x01, 0x7e, 0x00, 0x42, 0xff, 0xff, 0xff, 0xff, 0xff,
           0xff, 0xff, 0xff, 0xff, 0x7f, 0x0b);
    EXPECT(BW_OK, NULL, WASM, 0x06, 0x0f, 0x01, 0x7e, 0x00, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80,
           0x80, 0x80, 0x80, 0x80, 0x00, 0x0b);
    EXPECT(BW_ERR_MALFORMED, "integer too large", WASM, 0x06, 0x0f, 0x01, 0x7e, 0x00, 0x42, 0xff,
           0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x0b);
    EXPECT(BW_ERR_MALFORMED, "integer too large", WASM, 0x06, 0x0f, 0x01, 0x7e, 0x00, 0x42, 0x80,
           0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02, 0x0b);
    EXPECT(BW_ERR_MALFORMED, "integer representation too long", WASM, 0x06, 0x10, 0x01, 0x7e, 0x00,
           0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b);
}

static void test_leb128_values(void **state)
{
    (void)state;
    /* i32.const -2 (one byte 0x7e) and i64.const 0x7fffffffffffffff */
    static const uint8_t bin[] = {WASM, 0x06, 0x14, 0x02, 0x7f, 0x00, 0x41, 0x7e,
                                  0x0b, 0x7e, 0x00, 0x42, 0xff, 0xff, 0xff, 0xff,
                                  0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x0b};
    bw_module *m = NULL;
    assert_int_equal(bw_decode_module(bin, sizeof bin, &m, NULL), BW_OK);
    assert_int_equal(m->nglobals, 2);
    assert_int_equal(m->globals[0].init.kind, BW_CE_I32);
    assert_int_equal((uint32_t)m->globals[0].init.value, 0xfffffffeu);
    assert_int_equal(m->globals[1].init.kind, BW_CE_I64);
    assert_true(m->globals[1].init.value == 0x7fffffffffffffffull);
    bw_module_destroy(m);
}

static void test_section_order(void **state)
{
    (void)state;
    EXPECT(BW_ERR_MALFORMED, "unexpected content after last section", WASM, TYPE_V, TYPE_V);
    EXPECT(BW_ERR_MALFORMED, "unexpected content after last section", WASM, 0x0a, 0x01, 0x00, 0x0c,
           0x01, 0x00);
    EXPECT(BW_ERR_MALFORMED, "unexpected content after last section", WASM, 0x05, 0x01, 0x00, 0x04,
           0x01, 0x00);
    EXPECT(BW_OK, NULL, WASM, 0x0c, 0x01, 0x00, 0x0a, 0x01, 0x00);
    /* custom sections anywhere, even repeated */
    EXPECT(BW_OK, NULL, WASM, 0x00, 0x02, 0x01, 0x61, TYPE_V, 0x00, 0x01, 0x00, FUNC_V, 0x00, 0x03,
           0x01, 0x62, 0xff, CODE_V, 0x00, 0x01, 0x00);
    EXPECT(BW_ERR_MALFORMED, "malformed section id", WASM, 0x0d, 0x00);
    EXPECT(BW_ERR_MALFORMED, "malformed section id", WASM, 0x7f, 0x00);
    EXPECT(BW_ERR_MALFORMED, "section size mismatch", WASM, 0x01, 0x05, 0x01, 0x60, 0x00, 0x00,
           0x00);
    EXPECT(BW_ERR_MALFORMED, "unexpected end", WASM, 0x01, 0x10, 0x01);
    EXPECT(BW_ERR_MALFORMED, "unexpected end", WASM, 0x01, 0x03, 0x01, 0x60, 0x00, 0x00);
    EXPECT(BW_ERR_MALFORMED, "unexpected end", WASM, 0x01);
}

static void test_section_counts(void **state)
{
    (void)state;
    const char *inconsistent = "function and code section have inconsistent lengths";
    EXPECT(BW_ERR_MALFORMED, inconsistent, WASM, TYPE_V, FUNC_V);
    EXPECT(BW_ERR_MALFORMED, inconsistent, WASM, TYPE_V, FUNC_V, 0x0a, 0x01, 0x00);
    EXPECT(BW_ERR_MALFORMED, inconsistent, WASM, TYPE_V, CODE_V);
    EXPECT(BW_OK, NULL, WASM, TYPE_V, FUNC_V, CODE_V);
    const char *data_inconsistent = "data count and data section have inconsistent lengths";
    EXPECT(BW_ERR_MALFORMED, data_inconsistent, WASM, 0x0c, 0x01, 0x01);
    EXPECT(BW_ERR_MALFORMED, data_inconsistent, WASM, 0x0c, 0x01, 0x02, 0x0b, 0x03, 0x01, 0x01,
           0x00);
    EXPECT(BW_OK, NULL, WASM, 0x0c, 0x01, 0x01, 0x0b, 0x03, 0x01, 0x01, 0x00);
    EXPECT(BW_OK, NULL, WASM, 0x0b, 0x03, 0x01, 0x01, 0x00);
}

static void test_utf8(void **state)
{
    (void)state;
    const char *bad = "malformed UTF-8 encoding";
    EXPECT(BW_OK, NULL, WASM, 0x00, 0x03, 0x02, 0xc3, 0xa9);
    EXPECT(BW_OK, NULL, WASM, 0x00, 0x05, 0x04, 0xf4, 0x8f, 0xbf, 0xbf);
    EXPECT(BW_ERR_MALFORMED, bad, WASM, 0x00, 0x03, 0x02, 0xc0, 0x80);
    EXPECT(BW_ERR_MALFORMED, bad, WASM, 0x00, 0x04, 0x03, 0xed, 0xa0, 0x80);
    EXPECT(BW_ERR_MALFORMED, bad, WASM, 0x00, 0x05, 0x04, 0xf4, 0x90, 0x80, 0x80);
    EXPECT(BW_ERR_MALFORMED, bad, WASM, 0x00, 0x02, 0x01, 0xe2);
    EXPECT(BW_ERR_MALFORMED, bad, WASM, 0x00, 0x02, 0x01, 0x80);
    EXPECT(BW_ERR_MALFORMED, bad, WASM, 0x00, 0x02, 0x01, 0xff);
    EXPECT(BW_ERR_MALFORMED, "length out of bounds", WASM, 0x00, 0x02, 0x05, 0x61);
    /* import names are checked too */
    EXPECT(BW_ERR_MALFORMED, bad, WASM, 0x02, 0x07, 0x01, 0x01, 0xc0, 0x01, 0x62, 0x02, 0x00, 0x00);
}

static void test_malformed_fields(void **state)
{
    (void)state;
    EXPECT(BW_ERR_MALFORMED, "malformed import kind", WASM, 0x02, 0x07, 0x01, 0x01, 0x61, 0x01,
           0x62, 0x04, 0x00);
    EXPECT(BW_ERR_MALFORMED, "malformed mutability", WASM, 0x06, 0x06, 0x01, 0x7f, 0x02, 0x41, 0x00,
           0x0b);
    EXPECT(BW_ERR_MALFORMED, "malformed reference type", WASM, 0x04, 0x04, 0x01, 0x7f, 0x00, 0x00);
    EXPECT(BW_ERR_MALFORMED, "integer too large", WASM, 0x05, 0x03, 0x01, 0x02, 0x00);
    EXPECT(BW_ERR_MALFORMED, "integer representation too long", WASM, 0x05, 0x04, 0x01, 0x81, 0x00,
           0x00);
    EXPECT(BW_ERR_MALFORMED, "integer too large", WASM, 0x04, 0x04, 0x01, 0x70, 0x08, 0x00);
    EXPECT(BW_ERR_MALFORMED, "value type", WASM, 0x01, 0x05, 0x01, 0x60, 0x01, 0x40, 0x00);
    EXPECT(BW_ERR_MALFORMED, "function type", WASM, 0x01, 0x04, 0x01, 0x61, 0x00, 0x00);
    EXPECT(BW_ERR_MALFORMED, "elements segment kind", WASM, 0x09, 0x04, 0x01, 0x08, 0x00, 0x00);
    EXPECT(BW_ERR_MALFORMED, "elements segment kind", WASM, 0x09, 0x04, 0x01, 0x01, 0x01, 0x00);
    EXPECT(BW_ERR_MALFORMED, "data segment kind", WASM, 0x0b, 0x03, 0x01, 0x03, 0x00);
    EXPECT(BW_ERR_MALFORMED, "unexpected end", WASM, 0x0b, 0x04, 0x01, 0x01, 0x05, 0x61);
    EXPECT(BW_ERR_MALFORMED, "export kind", WASM, 0x07, 0x05, 0x01, 0x01, 0x61, 0x04, 0x00);
    EXPECT(BW_ERR_MALFORMED, "malformed reference type", WASM, 0x06, 0x06, 0x01, 0x70, 0x00, 0xd0,
           0x7f, 0x0b);
    EXPECT(BW_ERR_MALFORMED, "unexpected end", WASM, 0x06, 0x05, 0x01, 0x7f, 0x00, 0x41, 0x80);
}

static void test_locals(void **state)
{
    (void)state;
    /* two declarations of 0xffffffff locals each: the sum overflows u32 */
    EXPECT(BW_ERR_MALFORMED, "too many locals", WASM, TYPE_V, FUNC_V, 0x0a, 0x10, 0x01, 0x0e, 0x02,
           0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7e, 0x0b);
    /* 50001 locals is one past our limit, 50000 is fine */
    EXPECT(BW_ERR_MALFORMED, "too many locals", WASM, TYPE_V, FUNC_V, 0x0a, 0x08, 0x01, 0x06, 0x01,
           0xd1, 0x86, 0x03, 0x7f, 0x0b);
    static const uint8_t ok[] = {WASM, TYPE_V, FUNC_V, 0x0a, 0x08, 0x01, 0x06,
                                 0x01, 0xd0,   0x86,   0x03, 0x7f, 0x0b};
    bw_module *m = NULL;
    assert_int_equal(bw_decode_module(ok, sizeof ok, &m, NULL), BW_OK);
    assert_int_equal(m->funcs[0].nlocals, 50000);
    assert_int_equal(m->funcs[0].local_types[49999], BW_I32);
    assert_int_equal(m->funcs[0].code_len, 1);
    assert_int_equal(m->funcs[0].code[0], 0x0b);
    bw_module_destroy(m);
}

/* Counts far larger than the bytes left must fail before anything is allocated. */
static void test_huge_counts(void **state)
{
    (void)state;
#define HUGE 0xff, 0xff, 0xff, 0xff, 0x0f
    for (uint8_t id = 1; id <= 11; id++) {
        if (id == 8)
            continue; /* the start section holds an index, not a count */
        const uint8_t bin[] = {WASM, id, 0x05, HUGE};
        expect_decode(BW_ERR_MALFORMED, "unexpected end", id, bin, sizeof bin);
    }
    EXPECT(BW_ERR_MALFORMED, "unexpected end", WASM, 0x01, 0x07, 0x01, 0x60, HUGE);
    EXPECT(BW_ERR_MALFORMED, "unexpected end", WASM, 0x09, 0x08, 0x01, 0x01, 0x00, HUGE);
    EXPECT(BW_ERR_MALFORMED, "unexpected end", WASM, TYPE_V, FUNC_V, 0x0a, 0x07, 0x01, 0x05, HUGE);
    /* a section size far past the end */
    EXPECT(BW_ERR_MALFORMED, "unexpected end", WASM, 0x01, HUGE);
#undef HUGE
}

/* A type with `nparams` i32 parameters, built at run time. */
static size_t build_wide_type(uint8_t *buf, uint32_t nparams)
{
    static const uint8_t header[] = {WASM};
    size_t n = 0;
    memcpy(buf, header, sizeof header);
    n += sizeof header;
    uint32_t size = 1 + 1 + 2 + nparams + 1; /* count, form, LEB of nparams, params, 0 */
    buf[n++] = 0x01;
    buf[n++] = (uint8_t)(0x80 | (size & 0x7f));
    buf[n++] = (uint8_t)(size >> 7);
    buf[n++] = 0x01;
    buf[n++] = 0x60;
    buf[n++] = (uint8_t)(0x80 | (nparams & 0x7f));
    buf[n++] = (uint8_t)(nparams >> 7);
    memset(buf + n, BW_I32, nparams);
    n += nparams;
    buf[n++] = 0x00;
    return n;
}

static void test_limits(void **state)
{
    (void)state;
    static uint8_t buf[2048];
    size_t n = build_wide_type(buf, BW_MAX_PARAMS);
    expect_decode(BW_OK, NULL, __LINE__, buf, n);
    n = build_wide_type(buf, BW_MAX_PARAMS + 1);
    expect_decode(BW_ERR_LIMIT, "too many parameters", __LINE__, buf, n);
}

static void test_invalid_module(void **state)
{
    (void)state;
    EXPECT(BW_ERR_INVALID, "unknown type", WASM, TYPE_V, 0x03, 0x02, 0x01, 0x01, CODE_V);
    EXPECT(BW_ERR_INVALID, "unknown type", WASM, 0x02, 0x07, 0x01, 0x01, 0x61, 0x01, 0x62, 0x00,
           0x00);
    EXPECT(BW_ERR_INVALID, "multiple memories", WASM, 0x05, 0x05, 0x02, 0x00, 0x01, 0x00, 0x01);
    EXPECT(BW_ERR_INVALID, "multiple memories", WASM, 0x02, 0x08, 0x01, 0x01, 0x61, 0x01, 0x62,
           0x02, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x00);
    EXPECT(BW_ERR_INVALID, "size minimum must not be greater than maximum", WASM, 0x05, 0x04, 0x01,
           0x01, 0x02, 0x01);
    EXPECT(BW_ERR_INVALID, "memory size must be at most 65536 pages", WASM, 0x05, 0x05, 0x01, 0x00,
           0x81, 0x80, 0x04);
    EXPECT(BW_ERR_INVALID, "memory size must be at most 65536 pages", WASM, 0x05, 0x06, 0x01, 0x01,
           0x00, 0x81, 0x80, 0x04);
    EXPECT(BW_OK, NULL, WASM, 0x05, 0x06, 0x01, 0x01, 0x00, 0x80, 0x80, 0x04);
    EXPECT(BW_ERR_INVALID, "size minimum must not be greater than maximum", WASM, 0x04, 0x05, 0x01,
           0x70, 0x01, 0x02, 0x01);
    EXPECT(BW_OK, NULL, WASM, 0x04, 0x09, 0x01, 0x70, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f);
}

static void test_invalid_exports_start(void **state)
{
    (void)state;
    EXPECT(BW_ERR_INVALID, "duplicate export name", WASM, 0x05, 0x03, 0x01, 0x00, 0x00, 0x07, 0x09,
           0x02, 0x01, 0x61, 0x02, 0x00, 0x01, 0x61, 0x02, 0x00);
    EXPECT(BW_OK, NULL, WASM, 0x05, 0x03, 0x01, 0x00, 0x00, 0x07, 0x09, 0x02, 0x01, 0x61, 0x02,
           0x00, 0x01, 0x62, 0x02, 0x00);
    EXPECT(BW_ERR_INVALID, "unknown function", WASM, 0x07, 0x05, 0x01, 0x01, 0x61, 0x00, 0x00);
    EXPECT(BW_ERR_INVALID, "unknown table", WASM, 0x07, 0x05, 0x01, 0x01, 0x61, 0x01, 0x00);
    EXPECT(BW_ERR_INVALID, "unknown memory", WASM, 0x07, 0x05, 0x01, 0x01, 0x61, 0x02, 0x00);
    EXPECT(BW_ERR_INVALID, "unknown global", WASM, 0x07, 0x05, 0x01, 0x01, 0x61, 0x03, 0x00);
    EXPECT(BW_ERR_INVALID, "unknown function", WASM, 0x08, 0x01, 0x00);
    EXPECT(BW_ERR_INVALID, "start function", WASM, 0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00, FUNC_V,
           0x08, 0x01, 0x00, CODE_V);
    EXPECT(BW_OK, NULL, WASM, TYPE_V, FUNC_V, 0x08, 0x01, 0x00, CODE_V);
}

static void test_invalid_segments(void **state)
{
    (void)state;
    EXPECT(BW_ERR_INVALID, "unknown table", WASM, TYPE_V, FUNC_V, 0x09, 0x07, 0x01, 0x00, 0x41,
           0x00, 0x0b, 0x01, 0x00, CODE_V);
    EXPECT(BW_ERR_INVALID, "type mismatch", WASM, TYPE_V, FUNC_V, 0x04, 0x04, 0x01, 0x6f, 0x00,
           0x01, 0x09, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x00, CODE_V);
    EXPECT(BW_OK, NULL, WASM, TYPE_V, FUNC_V, 0x04, 0x04, 0x01, 0x70, 0x00, 0x01, 0x09, 0x07, 0x01,
           0x00, 0x41, 0x00, 0x0b, 0x01, 0x00, CODE_V);
    EXPECT(BW_ERR_INVALID, "unknown function", WASM, 0x04, 0x04, 0x01, 0x70, 0x00, 0x01, 0x09, 0x07,
           0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x05);
    EXPECT(BW_ERR_INVALID, "unknown memory", WASM, 0x0b, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01,
           0x61);
    EXPECT(BW_ERR_INVALID, "unknown memory", WASM, 0x05, 0x03, 0x01, 0x00, 0x01, 0x0b, 0x07, 0x01,
           0x02, 0x01, 0x41, 0x00, 0x0b, 0x00);
    EXPECT(BW_OK, NULL, WASM, 0x05, 0x03, 0x01, 0x00, 0x01, 0x0b, 0x07, 0x01, 0x02, 0x00, 0x41,
           0x00, 0x0b, 0x00);
    /* an offset must be i32 */
    EXPECT(BW_ERR_INVALID, "type mismatch", WASM, 0x05, 0x03, 0x01, 0x00, 0x01, 0x0b, 0x06, 0x01,
           0x00, 0x42, 0x00, 0x0b, 0x00);
}

static void test_constexpr(void **state)
{
    (void)state;
    EXPECT(BW_ERR_INVALID, "type mismatch", WASM, 0x06, 0x06, 0x01, 0x7f, 0x00, 0x42, 0x00, 0x0b);
    EXPECT(BW_ERR_INVALID, "type mismatch", WASM, 0x06, 0x04, 0x01, 0x7f, 0x00, 0x0b);
    EXPECT(BW_ERR_INVALID, "type mismatch", WASM, 0x06, 0x08, 0x01, 0x7f, 0x00, 0x41, 0x00, 0x41,
           0x00, 0x0b);
    EXPECT(BW_ERR_INVALID, "constant expression required", WASM, 0x06, 0x05, 0x01, 0x7f, 0x00, 0x6a,
           0x0b);
    EXPECT(BW_ERR_INVALID, "constant expression required", WASM, 0x06, 0x07, 0x01, 0x7f, 0x00, 0x41,
           0x00, 0x01, 0x0b);
    EXPECT(BW_ERR_INVALID, "unknown global", WASM, 0x06, 0x0b, 0x02, 0x7f, 0x00, 0x41, 0x00, 0x0b,
           0x7f, 0x00, 0x23, 0x00, 0x0b);
    EXPECT(BW_ERR_INVALID, "unknown global", WASM, 0x06, 0x06, 0x01, 0x7f, 0x00, 0x23, 0x00, 0x0b);
    EXPECT(BW_ERR_INVALID, "constant expression required", WASM, 0x02, 0x08, 0x01, 0x01, 0x61, 0x01,
           0x62, 0x03, 0x7f, 0x01, 0x06, 0x06, 0x01, 0x7f, 0x00, 0x23, 0x00, 0x0b);
    EXPECT(BW_OK, NULL, WASM, 0x02, 0x08, 0x01, 0x01, 0x61, 0x01, 0x62, 0x03, 0x7f, 0x00, 0x06,
           0x06, 0x01, 0x7f, 0x00, 0x23, 0x00, 0x0b);
    EXPECT(BW_ERR_INVALID, "type mismatch", WASM, 0x02, 0x08, 0x01, 0x01, 0x61, 0x01, 0x62, 0x03,
           0x7e, 0x00, 0x06, 0x06, 0x01, 0x7f, 0x00, 0x23, 0x00, 0x0b);
    EXPECT(BW_ERR_INVALID, "unknown function", WASM, 0x06, 0x06, 0x01, 0x70, 0x00, 0xd2, 0x00,
           0x0b);
    EXPECT(BW_ERR_INVALID, "type mismatch", WASM, 0x06, 0x06, 0x01, 0x70, 0x00, 0xd0, 0x6f, 0x0b);
    EXPECT(BW_OK, NULL, WASM, 0x06, 0x09, 0x01, 0x7d, 0x00, 0x43, 0x00, 0x00, 0x80, 0x3f, 0x0b);
    EXPECT(BW_OK, NULL, WASM, 0x06, 0x0d, 0x01, 0x7c, 0x01, 0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f,
           0x0b);
    /* a byte that starts no instruction at all is malformed, not merely non-constant */
    EXPECT(BW_ERR_MALFORMED, "illegal opcode", WASM, 0x06, 0x05, 0x01, 0x7f, 0x00, 0xf3, 0x0b);
    EXPECT(BW_ERR_MALFORMED, "illegal opcode", WASM, 0x06, 0x07, 0x01, 0x7f, 0x00, 0x41, 0x00, 0x27,
           0x0b);
    /* the spec decodes everything before validating: malformed beats an earlier invalid */
    EXPECT(BW_ERR_MALFORMED, "malformed section id", WASM, TYPE_V, 0x03, 0x02, 0x01, 0x01, CODE_V,
           0x0e, 0x00);
}

static void test_simd_unsupported(void **state)
{
    (void)state;
    EXPECT(BW_ERR_UNSUPPORTED, "SIMD", WASM, 0x01, 0x05, 0x01, 0x60, 0x01, 0x7b, 0x00);
    EXPECT(BW_ERR_UNSUPPORTED, "SIMD", WASM, 0x06, 0x06, 0x01, 0x7b, 0x00, 0xfd, 0x0c, 0x0b);
    EXPECT(BW_ERR_UNSUPPORTED, "SIMD", WASM, TYPE_V, FUNC_V, 0x0a, 0x06, 0x01, 0x04, 0x01, 0x01,
           0x7b, 0x0b);
}

/* wat2wasm of:
 * (module
 *   (type $v (func)) (type $ii (func (param i32) (result i32)))
 *   (import "env" "f" (func $imp (type $ii))) (import "env" "t" (table $t0 1 funcref))
 *   (import "env" "m" (memory 1 2)) (import "env" "g" (global $g i32))
 *   (func $start (type $v))
 *   (func $id (type $ii) (local i64 i64) (local f32) (local.get 0))
 *   (table $t1 2 funcref) (table $t2 2 externref)
 *   (global $gf funcref (ref.func $id)) (global (mut i64) (i64.const -5))
 *   (export "id" (func $id)) (export "mem" (memory 0)) (start $start)
 *   (elem (i32.const 0) $id) (elem func $id) (elem (table $t1) (global.get $g) func $id $imp)
 *   (elem declare func $start) (elem (i32.const 0) funcref (ref.func $id))
 *   (elem funcref (ref.null func) (ref.func $imp))
 *   (elem (table $t2) (i32.const 0) externref (ref.null extern))
 *   (elem declare funcref (ref.func $id))
 *   (data (i32.const 0) "ab") (data "cd") (data (memory 0) (i32.const 2) "ef")
 *   (func (data.drop 1)))
 */
static const uint8_t full_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x09, 0x02, 0x60, 0x00, 0x00, 0x60, 0x01,
    0x7f, 0x01, 0x7f, 0x02, 0x26, 0x04, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x01, 0x03, 0x65,
    0x6e, 0x76, 0x01, 0x74, 0x01, 0x70, 0x00, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x6d, 0x02, 0x01,
    0x01, 0x02, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x67, 0x03, 0x7f, 0x00, 0x03, 0x04, 0x03, 0x00, 0x01,
    0x00, 0x04, 0x07, 0x02, 0x70, 0x00, 0x02, 0x6f, 0x00, 0x02, 0x06, 0x0b, 0x02, 0x70, 0x00, 0xd2,
    0x02, 0x0b, 0x7e, 0x01, 0x42, 0x7b, 0x0b, 0x07, 0x0c, 0x02, 0x02, 0x69, 0x64, 0x00, 0x02, 0x03,
    0x6d, 0x65, 0x6d, 0x02, 0x00, 0x08, 0x01, 0x01, 0x09, 0x35, 0x08, 0x00, 0x41, 0x00, 0x0b, 0x01,
    0x02, 0x01, 0x00, 0x01, 0x02, 0x02, 0x01, 0x23, 0x00, 0x0b, 0x00, 0x02, 0x02, 0x00, 0x03, 0x00,
    0x01, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x02, 0x05, 0x70, 0x02, 0xd0, 0x70, 0x0b, 0xd2, 0x00,
    0x0b, 0x06, 0x02, 0x41, 0x00, 0x0b, 0x6f, 0x01, 0xd0, 0x6f, 0x0b, 0x03, 0x00, 0x01, 0x02, 0x0c,
    0x01, 0x03, 0x0a, 0x13, 0x03, 0x02, 0x00, 0x0b, 0x08, 0x02, 0x02, 0x7e, 0x01, 0x7d, 0x20, 0x00,
    0x0b, 0x05, 0x00, 0xfc, 0x09, 0x01, 0x0b, 0x0b, 0x13, 0x03, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x61,
    0x62, 0x01, 0x02, 0x63, 0x64, 0x00, 0x41, 0x02, 0x0b, 0x02, 0x65, 0x66};

static void test_full_module(void **state)
{
    (void)state;
    bw_module *m = NULL;
    bw_error err = {0};
    assert_int_equal(bw_decode_module(full_wasm, sizeof full_wasm, &m, &err), BW_OK);
    assert_int_equal(m->ntypes, 2);
    assert_int_equal(m->types[1].nparams, 1);
    assert_int_equal(m->types[1].results[0], BW_I32);
    assert_int_equal(m->nimports, 4);
    assert_int_equal(m->imports[1].kind, BW_EXTERN_TABLE);
    assert_true(m->imports[2].of.memory.has_max);
    assert_int_equal(m->imports[2].of.memory.max, 2);
    assert_int_equal(m->imports[0].name.len, 1);
    assert_memory_equal(m->imports[0].module.ptr, "env", 3);
    assert_int_equal(m->nfuncs, 4);
    assert_int_equal(m->nfuncs_imported, 1);
    assert_int_equal(m->func_types[2], 1);
    assert_int_equal(m->ntables, 3);
    assert_int_equal(m->tables[2].elem, BW_EXTERNREF);
    assert_int_equal(m->nmemories, 1);
    assert_int_equal(m->nglobals, 3);
    assert_int_equal(m->globals[1].init.kind, BW_CE_REF_FUNC);
    assert_true(m->globals[2].type.mutable_);
    assert_true(m->globals[2].init.value == (uint64_t)-5);
    assert_int_equal(m->nexports, 2);
    assert_true(m->has_start);
    assert_int_equal(m->start, 1);
    /* the local declarations of $id: param i32, i64 i64, f32 */
    assert_int_equal(m->funcs[1].nlocals, 4);
    assert_memory_equal(m->funcs[1].local_types, ((uint8_t[]){0x7f, 0x7e, 0x7e, 0x7d}), 4);
    assert_int_equal(m->funcs[1].code_len, 3);
    assert_int_equal(m->nelems, 8);
    assert_int_equal(m->elems[1].mode, BW_SEG_PASSIVE);
    assert_int_equal(m->elems[2].table, 1);
    assert_int_equal(m->elems[2].offset.kind, BW_CE_GLOBAL_GET);
    assert_int_equal(m->elems[2].count, 2);
    assert_int_equal(m->elems[3].mode, BW_SEG_DECLARATIVE);
    assert_int_equal(m->elems[5].items[0].kind, BW_CE_REF_NULL);
    assert_int_equal(m->elems[6].elem_type, BW_EXTERNREF);
    assert_true(m->has_data_count);
    assert_int_equal(m->ndatas, 3);
    assert_int_equal(m->datas[1].mode, BW_SEG_PASSIVE);
    assert_int_equal(m->datas[2].offset.value, 2);
    assert_memory_equal(m->datas[2].bytes, "ef", 2);
    /* names, code and data point into the module's own copy */
    assert_true(m->datas[0].bytes >= m->bytes && m->datas[0].bytes < m->bytes + m->len);
    assert_true(m->funcs[0].code >= m->bytes && m->funcs[0].code < m->bytes + m->len);
    assert_int_equal(m->funcs[0].code_offset, (size_t)(m->funcs[0].code - m->bytes));
    /* C.refs: functions named by ref.func outside code */
    assert_int_equal(m->func_declared[0], 1);
    assert_int_equal(m->func_declared[1], 1);
    assert_int_equal(m->func_declared[2], 1);
    assert_int_equal(m->func_declared[3], 0);
    bw_module_destroy(m);
}

/* Element encodings 4 (active, table 0, expressions) and 7 (declarative, expressions), which
 * wat2wasm never emits; and data encoding 2 (explicit memory index). */
static void test_expression_segments(void **state)
{
    (void)state;
    static const uint8_t bin[] = {
        WASM, TYPE_V, FUNC_V, 0x04,   0x04, 0x01, 0x70, 0x00, 0x01, 0x05, 0x03, 0x01, 0x00, 0x01,
        0x09, 0x0f,   0x02,   0x04,   0x41, 0x00, 0x0b, 0x01, 0xd2, 0x00, 0x0b, 0x07, 0x70, 0x01,
        0xd0, 0x70,   0x0b,   CODE_V, 0x0b, 0x08, 0x01, 0x02, 0x00, 0x41, 0x07, 0x0b, 0x01, 0x78};
    bw_module *m = NULL;
    assert_int_equal(bw_decode_module(bin, sizeof bin, &m, NULL), BW_OK);
    assert_int_equal(m->nelems, 2);
    assert_int_equal(m->elems[0].mode, BW_SEG_ACTIVE);
    assert_int_equal(m->elems[0].elem_type, BW_FUNCREF);
    assert_int_equal(m->elems[0].items[0].kind, BW_CE_REF_FUNC);
    assert_int_equal(m->elems[1].mode, BW_SEG_DECLARATIVE);
    assert_int_equal(m->elems[1].items[0].kind, BW_CE_REF_NULL);
    assert_int_equal(m->func_declared[0], 1);
    assert_int_equal(m->datas[0].memory, 0);
    assert_int_equal(m->datas[0].offset.value, 7);
    assert_int_equal(m->datas[0].len, 1);
    bw_module_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_leb128_u32),
        cmocka_unit_test(test_leb128_signed),
        cmocka_unit_test(test_leb128_values),
        cmocka_unit_test(test_section_order),
        cmocka_unit_test(test_section_counts),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_malformed_fields),
        cmocka_unit_test(test_locals),
        cmocka_unit_test(test_huge_counts),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_invalid_module),
        cmocka_unit_test(test_invalid_exports_start),
        cmocka_unit_test(test_invalid_segments),
        cmocka_unit_test(test_constexpr),
        cmocka_unit_test(test_simd_unsupported),
        cmocka_unit_test(test_full_module),
        cmocka_unit_test(test_expression_segments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
