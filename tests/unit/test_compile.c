/* Tests of function-body validation: each error class, and garbage never crashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "burh/engine.h"

enum { WITH_MEMORY = 1, WITH_GLOBAL = 2, WITH_TABLE = 4 };

typedef struct bytes {
    uint8_t data[512];
    size_t len;
} bytes;

static void put(bytes *b, const uint8_t *p, size_t n)
{
    assert_true(b->len + n <= sizeof b->data);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_section(bytes *b, uint8_t id, const uint8_t *p, size_t n)
{
    assert_true(n < 128);
    uint8_t head[2] = {id, (uint8_t)n};
    put(b, head, 2);
    put(b, p, n);
}

/* A module of one function of type `sig` (a functype's bytes after 0x60) and `body`
 * (instructions through the final end; no locals), plus what `with` asks for. */
static bytes module_of(const uint8_t *sig, size_t sig_len, const uint8_t *body, size_t body_len,
                       int with)
{
    bytes b = {.len = 0};
    static const uint8_t header[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    put(&b, header, sizeof header);
    uint8_t types[64] = {1, 0x60};
    memcpy(types + 2, sig, sig_len);
    put_section(&b, 1, types, sig_len + 2);
    static const uint8_t funcs[] = {1, 0};
    put_section(&b, 3, funcs, sizeof funcs);
    if (with & WITH_TABLE) {
        static const uint8_t table[] = {1, 0x70, 0, 1};
        put_section(&b, 4, table, sizeof table);
    }
    if (with & WITH_MEMORY) {
        static const uint8_t memory[] = {1, 0, 1};
        put_section(&b, 5, memory, sizeof memory);
    }
    if (with & WITH_GLOBAL) {
        static const uint8_t global[] = {1, 0x7f, 0, 0x41, 0, 0x0b}; /* immutable i32 */
        put_section(&b, 6, global, sizeof global);
    }
    uint8_t code[256] = {1, (uint8_t)(body_len + 1), 0};
    assert_true(body_len + 3 <= sizeof code && body_len + 1 < 128);
    memcpy(code + 3, body, body_len);
    put_section(&b, 10, code, body_len + 3);
    return b;
}

static const uint8_t void_sig[] = {0, 0};
static const uint8_t i32_result[] = {0, 1, 0x7f};

/* Loads the module and checks the status and the start of the message. */
static void expect(const uint8_t *sig, size_t sig_len, const uint8_t *body, size_t body_len,
                   int with, bw_status status, const char *message)
{
    bytes b = module_of(sig, sig_len, body, body_len, with);
    bw_module *module = NULL;
    bw_error err;
    memset(&err, 0, sizeof err);
    bw_status got = bw_module_load(b.data, b.len, &module, &err);
    if (got != status) {
        fail_msg("expected %s, got %s (%s)", bw_status_name(status), bw_status_name(got),
                 got == BW_OK ? "" : err.message);
    }
    if (got == BW_OK) {
        bw_module_free(module);
    } else if (strncmp(err.message, message, strlen(message)) != 0) {
        fail_msg("expected \"%s\", got \"%s\"", message, err.message);
    }
}

#define EXPECT(sig, with, status, message, ...)                                                    \
    do {                                                                                           \
        static const uint8_t body_[] = {__VA_ARGS__};                                              \
        expect(sig, sizeof sig, body_, sizeof body_, with, status, message);                       \
    } while (0)

static void test_valid_bodies(void **state)
{
    (void)state;
    EXPECT(void_sig, 0, BW_OK, "", 0x0b);
    EXPECT(i32_result, 0, BW_OK, "", 0x41, 0x07, 0x0b);
    /* after unreachable the stack is polymorphic: i32.add on nothing is fine */
    EXPECT(void_sig, 0, BW_OK, "", 0x00, 0x6a, 0x1a, 0x0b);
    /* br_table to labels of different types in unreachable code */
    EXPECT(void_sig, 0, BW_OK, "", 0x02, 0x7c, 0x02, 0x7d, 0x00, 0x41, 0x01, 0x0e, 0x02, 0x00, 0x01,
           0x01, 0x0b, 0x1a, 0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b, 0x1a, 0x0b);
    /* typed select on references */
    EXPECT(void_sig, 0, BW_OK, "", 0xd0, 0x70, 0xd0, 0x70, 0x41, 0x01, 0x1c, 0x01, 0x70, 0x1a,
           0x0b);
    /* memory access with natural alignment */
    EXPECT(void_sig, WITH_MEMORY, BW_OK, "", 0x41, 0x00, 0x28, 0x02, 0x00, 0x1a, 0x0b);
}

static void test_invalid_bodies(void **state)
{
    (void)state;
    EXPECT(void_sig, 0, BW_ERR_INVALID, "type mismatch", 0x41, 0x00, 0x42, 0x00, 0x6a, 0x1a, 0x0b);
    EXPECT(i32_result, 0, BW_ERR_INVALID, "type mismatch", 0x0b);
    EXPECT(void_sig, 0, BW_ERR_INVALID, "type mismatch", 0x41, 0x00, 0x0b);
    EXPECT(void_sig, 0, BW_ERR_INVALID, "unknown local", 0x20, 0x05, 0x1a, 0x0b);
    EXPECT(void_sig, WITH_GLOBAL, BW_ERR_INVALID, "global is immutable", 0x41, 0x01, 0x24, 0x00,
           0x0b);
    EXPECT(void_sig, 0, BW_ERR_INVALID, "unknown global", 0x23, 0x00, 0x1a, 0x0b);
    EXPECT(void_sig, WITH_MEMORY, BW_ERR_INVALID, "alignment must not be larger than natural", 0x41,
           0x00, 0x28, 0x03, 0x00, 0x1a, 0x0b);
    EXPECT(void_sig, 0, BW_ERR_INVALID, "unknown memory", 0x3f, 0x00, 0x1a, 0x0b);
    EXPECT(void_sig, 0, BW_ERR_INVALID, "unknown label", 0x0c, 0x01, 0x0b);
    EXPECT(void_sig, 0, BW_ERR_INVALID, "unknown function", 0x10, 0x07, 0x0b);
    EXPECT(void_sig, 0, BW_ERR_INVALID, "unknown table", 0x41, 0x00, 0x11, 0x00, 0x00, 0x0b);
    /* untyped select on references */
    EXPECT(void_sig, 0, BW_ERR_INVALID, "type mismatch", 0xd0, 0x70, 0xd0, 0x70, 0x41, 0x01, 0x1b,
           0x1a, 0x0b);
    /* ref.func of a function no element segment or export declares */
    EXPECT(void_sig, 0, BW_ERR_INVALID, "undeclared function reference", 0xd2, 0x00, 0x1a, 0x0b);
    /* br_if to a label whose arity the stack does not match */
    EXPECT(void_sig, 0, BW_ERR_INVALID, "type mismatch", 0x02, 0x7f, 0x41, 0x01, 0x0d, 0x00, 0x0b,
           0x1a, 0x0b);
    /* an if without else must give back its params as results */
    EXPECT(void_sig, 0, BW_ERR_INVALID, "type mismatch", 0x41, 0x01, 0x04, 0x7f, 0x41, 0x01, 0x0b,
           0x1a, 0x0b);
    EXPECT(void_sig, 0, BW_ERR_INVALID, "unknown type", 0x02, 0x05, 0x0b, 0x0b);
    EXPECT(void_sig, WITH_TABLE, BW_ERR_INVALID, "type mismatch", 0x41, 0x00, 0x25, 0x00, 0x0b);
}

static void test_malformed_bodies(void **state)
{
    (void)state;
    EXPECT(void_sig, 0, BW_ERR_MALFORMED, "illegal opcode", 0xff, 0x0b);
    EXPECT(void_sig, 0, BW_ERR_MALFORMED, "illegal opcode", 0x05, 0x0b);
    EXPECT(void_sig, 0, BW_ERR_UNSUPPORTED, "unsupported: SIMD", 0xfd, 0x0c, 0x0b);
    EXPECT(void_sig, WITH_MEMORY, BW_ERR_MALFORMED, "zero byte expected", 0x3f, 0x01, 0x1a, 0x0b);
    EXPECT(void_sig, 0, BW_ERR_MALFORMED, "unexpected end", 0x41);
    EXPECT(void_sig, 0, BW_ERR_MALFORMED, "unexpected end", 0x02, 0x40, 0x0b);
    EXPECT(void_sig, 0, BW_ERR_MALFORMED, "integer representation too long", 0x41, 0x80, 0x80, 0x80,
           0x80, 0x80, 0x00, 0x1a, 0x0b);
    EXPECT(void_sig, 0, BW_ERR_MALFORMED, "integer too large", 0x41, 0x80, 0x80, 0x80, 0x80, 0x10,
           0x1a, 0x0b);
    EXPECT(void_sig, 0, BW_ERR_MALFORMED, "illegal opcode", 0xfc, 0x20, 0x0b);
    EXPECT(void_sig, 0, BW_ERR_MALFORMED, "unexpected end", 0x43, 0x00, 0x00);
}

/* Every corruption of a valid body loads or fails cleanly (the ASan build watches). */
static void test_mutations_never_crash(void **state)
{
    (void)state;
    static const uint8_t body[] = {0x02, 0x7f, 0x41, 0x05, 0x03, 0x40, 0x20, 0x00, 0x41,
                                   0x01, 0x6a, 0x21, 0x00, 0x20, 0x00, 0x41, 0x0a, 0x49,
                                   0x0d, 0x00, 0x0b, 0x20, 0x00, 0x0e, 0x01, 0x00, 0x00,
                                   0x0b, 0x41, 0x00, 0x28, 0x02, 0x00, 0x6a, 0x0b};
    static const uint8_t sig[] = {1, 0x7f, 1, 0x7f};
    bytes good = module_of(sig, sizeof sig, body, sizeof body, WITH_MEMORY);
    bw_module *module = NULL;
    bw_error err;
    assert_int_equal(bw_module_load(good.data, good.len, &module, &err), BW_OK);
    bw_module_free(module);
    size_t start = good.len - sizeof body - 1;
    srand(7);
    int loaded = 0, refused = 0;
    for (int round = 0; round < 20000; round++) {
        bytes b = good;
        int edits = 1 + rand() % 3;
        for (int e = 0; e < edits; e++) {
            b.data[start + (size_t)rand() % (sizeof body + 1)] = (uint8_t)rand();
        }
        module = NULL;
        if (bw_module_load(b.data, b.len, &module, &err) == BW_OK) {
            loaded++;
            bw_module_free(module);
        } else {
            assert_true(err.message[0] != '\0');
            refused++;
        }
    }
    assert_int_equal(loaded + refused, 20000);
    assert_true(refused > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_bodies),
        cmocka_unit_test(test_invalid_bodies),
        cmocka_unit_test(test_malformed_bodies),
        cmocka_unit_test(test_mutations_never_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
