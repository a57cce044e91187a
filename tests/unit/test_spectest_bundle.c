/* Unit tests of spec-test bundles: make, read back, find, and refuse malformed bundles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testkit/bundle.h"
#include "testkit/bundle_make.h"
#include "testkit/script_run.h"

#define LIT(s) BURH_CBOR_LIT(s)

static bool bytes_equal(burh_cbor_bytes a, const char *text)
{
    return a.len == strlen(text) && memcmp(a.ptr, text, a.len) == 0;
}

/* Encodes `b` into a new buffer (measured first), asserting that both passes agree. */
static uint8_t *encode(const bt_bundle *b, size_t *len)
{
    size_t need = 0, got = 0;
    assert_int_equal(bt_bundle_encode(b, NULL, 0, &need), BT_BUNDLE_OK);
    uint8_t *buf = malloc(need);
    assert_non_null(buf);
    assert_int_equal(bt_bundle_encode(b, buf, need, &got), BT_BUNDLE_OK);
    assert_int_equal(got, need);
    *len = got;
    return buf;
}

/* Two scripts; the first has its files out of order, the second none. */
static bt_bundle_file two_files[] = {
    {LIT("b.1.wasm"), LIT("\0asm\1\0\0\0")},
    {LIT("b.0.wasm"), LIT("")},
};
static bt_bundle_script two_scripts[] = {
    {LIT("b.json"), LIT("{\"commands\":[]}"), two_files, 2},
    {LIT("a.json"), LIT("{}"), NULL, 0},
};

static void test_round_trip(void **state)
{
    (void)state;
    bt_bundle in = {two_scripts, 2, NULL}, out;
    size_t len;
    uint8_t *buf = encode(&in, &len);
    char why[200];

    assert_int_equal(bt_bundle_parse(BURH_CBOR_BYTES(buf, len), &out, why, sizeof why),
                     BT_BUNDLE_OK);
    assert_int_equal(out.nscripts, 2);
    assert_true(bytes_equal(out.scripts[0].name, "b.json")); /* the bundle's order */
    assert_true(bytes_equal(out.scripts[1].name, "a.json"));
    assert_true(bytes_equal(out.scripts[0].json, "{\"commands\":[]}"));
    assert_int_equal(out.scripts[0].nfiles, 2);
    assert_int_equal(out.scripts[1].nfiles, 0);
    assert_true(bytes_equal(out.scripts[0].files[0].name, "b.0.wasm")); /* sorted */
    assert_int_equal(out.scripts[0].files[0].data.len, 0);
    const bt_bundle_file *f = bt_bundle_find(&out.scripts[0], LIT("b.1.wasm"));
    assert_non_null(f);
    assert_int_equal(f->data.len, 8);
    assert_memory_equal(f->data.ptr, "\0asm\1\0\0\0", 8);
    /* Ranges point into the input: no copies. */
    assert_true(f->data.ptr > buf && f->data.ptr < buf + len);
    assert_null(bt_bundle_find(&out.scripts[0], LIT("b.2.wasm")));
    assert_null(bt_bundle_find(&out.scripts[0], LIT("b.1.was")));
    assert_null(bt_bundle_find(&out.scripts[1], LIT("b.1.wasm")));
    bt_bundle_free(&out);
    assert_null(out.scripts);

    /* The encoder is deterministic, and a buffer one byte short is refused. */
    size_t len2;
    uint8_t *again = encode(&in, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(again, buf, len);
    assert_int_equal(bt_bundle_encode(&in, again, len - 1, &len2), BT_BUNDLE_ERR_ARGS);
    free(again);
    free(buf);
}

static void test_empty_bundle(void **state)
{
    (void)state;
    bt_bundle in = {NULL, 0, NULL}, out;
    size_t len;
    uint8_t *buf = encode(&in, &len);
    assert_int_equal(bt_bundle_parse(BURH_CBOR_BYTES(buf, len), &out, NULL, 0), BT_BUNDLE_OK);
    assert_int_equal(out.nscripts, 0);
    bt_bundle_free(&out);
    free(buf);
}

static void test_names(void **state)
{
    (void)state;
    assert_true(bt_bundle_name_ok(LIT("i32.0.wasm")));
    assert_true(bt_bundle_name_ok(LIT("...")));
    assert_false(bt_bundle_name_ok(LIT("")));
    assert_false(bt_bundle_name_ok(LIT(".")));
    assert_false(bt_bundle_name_ok(LIT("..")));
    assert_false(bt_bundle_name_ok(LIT("a/b")));
    assert_false(bt_bundle_name_ok(LIT("a\0b")));
    assert_false(bt_bundle_name_ok(LIT("\xff")));
    char long_name[257];
    memset(long_name, 'x', sizeof long_name);
    assert_true(bt_bundle_name_ok(BURH_CBOR_BYTES(long_name, 255)));
    assert_false(bt_bundle_name_ok(BURH_CBOR_BYTES(long_name, 256)));

    /* The encoder refuses what the parser would. */
    bt_bundle_file bad_file = {LIT("../x.wasm"), LIT("")};
    bt_bundle_script bad_script = {LIT("x.json"), LIT(""), &bad_file, 1};
    bt_bundle b = {&bad_script, 1, NULL};
    size_t len;
    assert_int_equal(bt_bundle_encode(&b, NULL, 0, &len), BT_BUNDLE_ERR_ARGS);
    bt_bundle_script no_json = {LIT("x.wast"), LIT(""), NULL, 0};
    b.scripts = &no_json;
    assert_int_equal(bt_bundle_encode(&b, NULL, 0, &len), BT_BUNDLE_ERR_ARGS);
}

/* Every proper prefix of a valid bundle is refused, and so is a trailing byte. */
static void test_truncated_and_trailing(void **state)
{
    (void)state;
    bt_bundle in = {two_scripts, 2, NULL}, out;
    size_t len;
    uint8_t *buf = encode(&in, &len);
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n + 1); /* exact size, so ASan sees any over-read */
        memcpy(copy, buf, n);
        bt_bundle_status st = bt_bundle_parse(BURH_CBOR_BYTES(copy, n), &out, NULL, 0);
        assert_int_not_equal(st, BT_BUNDLE_OK);
        assert_null(out.scripts);
        free(copy);
    }
    uint8_t *longer = malloc(len + 1);
    memcpy(longer, buf, len);
    longer[len] = 0;
    char why[200];
    assert_int_equal(bt_bundle_parse(BURH_CBOR_BYTES(longer, len + 1), &out, why, sizeof why),
                     BT_BUNDLE_ERR_CBOR);
    assert_non_null(strstr(why, "at byte"));
    free(longer);
    free(buf);
}

/* One hand-made input and the status it must get. */
typedef struct bad_case {
    const char *what;
    const char *hex;
    bt_bundle_status want;
} bad_case;

/* The hex below is split where the CBOR items are, so it stays unformatted. */
/* clang-format off */
/* 0x83 "burh-spectest-bundle" = 83 74 6275 7268 2d73 7065 6374 6573 742d 6275 6e64 6c65 */
#define HDR "8374" "627572682d73706563746573742d62756e646c65"

static const bad_case bad_cases[] = {
    {"not an array", "a0", BT_BUNDLE_ERR_FORMAT},
    {"two items", "82" "74627572682d73706563746573742d62756e646c65" "01", BT_BUNDLE_ERR_FORMAT},
    {"wrong magic", "8374627572682d73706563746573742d62756e646c66" "0180", BT_BUNDLE_ERR_FORMAT},
    {"magic as bytes", "8354627572682d73706563746573742d62756e646c65" "0180",
     BT_BUNDLE_ERR_FORMAT},
    {"version 2", HDR "0280", BT_BUNDLE_ERR_VERSION},
    {"version as text", HDR "613180", BT_BUNDLE_ERR_FORMAT},
    {"indefinite script list", HDR "019fff", BT_BUNDLE_ERR_CBOR},
    {"non-shortest count", HDR "019800", BT_BUNDLE_ERR_CBOR},
    {"65535 scripts in no bytes", HDR "0199ffff", BT_BUNDLE_ERR_CBOR},
    {"3 scripts in 5 bytes", HDR "0183" "0000000000", BT_BUNDLE_ERR_FORMAT},
    {"2^32 scripts", HDR "019b0000000100000000", BT_BUNDLE_ERR_CBOR},
    {"2^64-1 scripts", HDR "019bffffffffffffffff", BT_BUNDLE_ERR_CBOR},
    {"script of 2 items", HDR "0181" "82" "62612e" "40", BT_BUNDLE_ERR_FORMAT},
    {"script name not .json", HDR "0181" "83" "6161" "40" "80", BT_BUNDLE_ERR_NAME},
    {"script name .json only", HDR "0181" "83" "652e6a736f6e" "40" "80", BT_BUNDLE_ERR_NAME},
    {"script json as text", HDR "0181" "83" "66612e6a736f6e" "60" "80", BT_BUNDLE_ERR_FORMAT},
    {"file list as map", HDR "0181" "83" "66612e6a736f6e" "40" "a0", BT_BUNDLE_ERR_FORMAT},
    {"huge file count", HDR "0181" "83" "66612e6a736f6e" "40" "9a7fffffff", BT_BUNDLE_ERR_CBOR},
    {"file of 3 items", HDR "0181" "83" "66612e6a736f6e" "40" "81" "83" "6178" "40" "40",
     BT_BUNDLE_ERR_FORMAT},
    {"file name with slash", HDR "0181" "83" "66612e6a736f6e" "40" "81" "82" "632f6178" "40",
     BT_BUNDLE_ERR_NAME},
    {"file name ..", HDR "0181" "83" "66612e6a736f6e" "40" "81" "82" "622e2e" "40",
     BT_BUNDLE_ERR_NAME},
    {"file name empty", HDR "0181" "83" "66612e6a736f6e" "40" "81" "82" "60" "40" "00",
     BT_BUNDLE_ERR_NAME},
    {"file name invalid UTF-8", HDR "0181" "83" "66612e6a736f6e" "40" "81" "82" "61ff" "40",
     BT_BUNDLE_ERR_CBOR},
    {"file data as text", HDR "0181" "83" "66612e6a736f6e" "40" "81" "82" "6178" "60",
     BT_BUNDLE_ERR_FORMAT},
    {"file data longer than input",
     HDR "0181" "83" "66612e6a736f6e" "40" "81" "82" "6178" "5a7fffffff", BT_BUNDLE_ERR_CBOR},
    {"two files with one name",
     HDR "0181" "83" "66612e6a736f6e" "40" "82" "82" "6178" "40" "82" "6178" "4101",
     BT_BUNDLE_ERR_DUPLICATE},
    {"two scripts with one name",
     HDR "0182" "83" "66612e6a736f6e" "40" "80" "83" "66612e6a736f6e" "40" "80",
     BT_BUNDLE_ERR_DUPLICATE},
    {"indefinite bytes", HDR "0181" "83" "66612e6a736f6e" "5fff" "80", BT_BUNDLE_ERR_CBOR},
};
/* clang-format on */

static size_t from_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex) / 2;
    assert_true(n <= cap && strlen(hex) % 2 == 0);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

static void test_malformed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        uint8_t buf[256];
        char why[300];
        bt_bundle out;
        size_t n = from_hex(bad_cases[i].hex, buf, sizeof buf);
        bt_bundle_status st = bt_bundle_parse(BURH_CBOR_BYTES(buf, n), &out, why, sizeof why);
        if (st != bad_cases[i].want) {
            fail_msg("%s: got %s (%s), wanted %s", bad_cases[i].what, bt_bundle_status_name(st),
                     why, bt_bundle_status_name(bad_cases[i].want));
        }
        assert_true(strlen(why) > 0);
        assert_null(out.scripts);
    }
    /* The good form of the same hand-made bundle, so the cases above fail for their reason. */
    uint8_t buf[64];
    bt_bundle out;
    size_t n = from_hex(HDR "0181"
                            "83"
                            "66612e6a736f6e"
                            "40"
                            "81"
                            "82"
                            "6178"
                            "4101",
                        buf, sizeof buf);
    assert_int_equal(bt_bundle_parse(BURH_CBOR_BYTES(buf, n), &out, NULL, 0), BT_BUNDLE_OK);
    assert_int_equal(out.scripts[0].nfiles, 1);
    bt_bundle_free(&out);
}

/* Counts over the limits are refused before anything is allocated for them. */
static void test_too_many(void **state)
{
    (void)state;
    size_t len = 64 + (size_t)BT_BUNDLE_MAX_SCRIPTS * 5 + BT_BUNDLE_MAX_FILES;
    uint8_t *buf = calloc(1, len);
    bt_bundle out;
    assert_non_null(buf);
    char why[300];
    size_t n = from_hex(HDR "01"
                            "9a000186a1",
                        buf, len); /* 100001 scripts */
    bt_bundle_status st = bt_bundle_parse(BURH_CBOR_BYTES(buf, len), &out, why, sizeof why);
    if (st != BT_BUNDLE_ERR_TOO_MANY) {
        fail_msg("%s", why);
    }
    n = from_hex(HDR "0181"
                     "83"
                     "66612e6a736f6e"
                     "40"
                     "9a000f4241",
                 buf, len); /* 10^6 + 1 */
    memset(buf + n, 0, len - n);
    assert_int_equal(bt_bundle_parse(BURH_CBOR_BYTES(buf, len), &out, NULL, 0),
                     BT_BUNDLE_ERR_TOO_MANY);
    free(buf);
}

/* ---- making a bundle from disk ---- */

static void write_file(const char *dir, const char *name, const char *text, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static const char script_json[] =
    "{\"source_filename\": \"t.wast\", \"commands\": ["
    "{\"type\": \"module\", \"line\": 1, \"filename\": \"t.0.wasm\"},"
    "{\"type\": \"assert_malformed\", \"line\": 2, \"filename\": \"t.1.wat\","
    " \"module_type\": \"text\"},"
    "{\"type\": \"assert_invalid\", \"line\": 3, \"filename\": \"t.2.wasm\","
    " \"module_type\": \"binary\"},"
    "{\"type\": \"module\", \"line\": 4, \"filename\": \"t.0.wasm\"}]}";

/* A converted script in a fresh directory: t.json, two binary modules, one text module and a
 * file no command names. */
static void make_script_dir(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/test_spectest_bundle.XXXXXX");
    assert_non_null(mkdtemp(dir));
    write_file(dir, "t.json", script_json, sizeof script_json - 1);
    write_file(dir, "t.0.wasm", "\0asm\1\0\0\0", 8);
    write_file(dir, "t.1.wat", "(module", 7);
    write_file(dir, "t.2.wasm", "\0asm\2", 5);
    write_file(dir, "convert.log", "", 0);
}

static void remove_dir(const char *dir)
{
    static const char *const names[] = {"t.json",   "t.0.wasm",    "t.1.wat",
                                        "t.2.wasm", "convert.log", "other.json"};
    char path[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void test_make_from_disk(void **state)
{
    (void)state;
    char dir[64], json_path[128], why[512];
    uint8_t *buf = NULL;
    size_t len = 0;
    bt_bundle out;

    make_script_dir(dir, sizeof dir);
    snprintf(json_path, sizeof json_path, "%s/t.json", dir);
    const char *const by_dir[] = {dir};
    assert_true(bt_bundle_make(by_dir, 1, &buf, &len, why, sizeof why));
    assert_int_equal(bt_bundle_parse(BURH_CBOR_BYTES(buf, len), &out, why, sizeof why),
                     BT_BUNDLE_OK);
    assert_int_equal(out.nscripts, 1);
    const bt_bundle_script *s = &out.scripts[0];
    assert_true(bytes_equal(s->name, "t.json"));
    assert_true(bytes_equal(s->json, script_json));
    assert_int_equal(s->nfiles, 2); /* t.0.wasm once, t.2.wasm; no text module, no log */
    assert_non_null(bt_bundle_find(s, LIT("t.0.wasm")));
    assert_non_null(bt_bundle_find(s, LIT("t.2.wasm")));
    assert_null(bt_bundle_find(s, LIT("t.1.wat")));

    /* The runner reads the same bytes from the bundle and from the disk. */
    bt_script_source from_bundle = {NULL, s, {s->name.ptr, s->name.len}};
    bt_script_source from_disk = {dir, NULL, {(const uint8_t *)"t.json", 6}};
    static const char *const wanted[] = {"t.json", "t.0.wasm", "t.2.wasm"};
    for (size_t i = 0; i < 3; i++) {
        bw_name name = {(const uint8_t *)wanted[i], strlen(wanted[i])}, a, b;
        uint8_t *owned_a, *owned_b;
        assert_null(bt_source_read(&from_bundle, name, 1u << 20, &a, &owned_a));
        assert_null(owned_a);
        assert_null(bt_source_read(&from_disk, name, 1u << 20, &b, &owned_b));
        assert_non_null(owned_b);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.ptr, b.ptr, a.len);
        free(owned_b);
    }
    bw_name bad = {(const uint8_t *)"../t.json", 9}, missing = {(const uint8_t *)"t.1.wat", 7};
    bw_name got;
    uint8_t *owned;
    assert_non_null(bt_source_read(&from_bundle, bad, 1u << 20, &got, &owned));
    assert_non_null(bt_source_read(&from_disk, bad, 1u << 20, &got, &owned));
    assert_non_null(bt_source_read(&from_bundle, missing, 1u << 20, &got, &owned));
    assert_non_null(bt_source_read(&from_bundle, (bw_name){(const uint8_t *)"t.json", 6}, 3, &got,
                                   &owned)); /* over the size limit */
    bt_bundle_free(&out);
    free(buf);

    /* The .json path itself works too, but one script twice is refused. */
    const char *const twice[] = {json_path, dir};
    assert_false(bt_bundle_make(twice, 2, &buf, &len, why, sizeof why));
    assert_non_null(strstr(why, "two scripts"));
    remove_dir(dir);
}

static void test_make_errors(void **state)
{
    (void)state;
    char dir[64], why[512];
    uint8_t *buf = NULL;
    size_t len = 0;

    make_script_dir(dir, sizeof dir);
    const char *const one[] = {dir};
    /* A file a command names is missing. */
    char path[128];
    snprintf(path, sizeof path, "%s/t.2.wasm", dir);
    unlink(path);
    assert_false(bt_bundle_make(one, 1, &buf, &len, why, sizeof why));
    assert_non_null(strstr(why, "t.2.wasm"));
    /* Two .json files: which is the script? */
    write_file(dir, "t.2.wasm", "", 0);
    write_file(dir, "other.json", "{}", 2);
    assert_false(bt_bundle_make(one, 1, &buf, &len, why, sizeof why));
    assert_non_null(strstr(why, "exactly one"));
    /* Not a wast2json script. */
    snprintf(path, sizeof path, "%s/other.json", dir);
    const char *const other[] = {path};
    assert_false(bt_bundle_make(other, 1, &buf, &len, why, sizeof why));
    assert_non_null(strstr(why, "not a wast2json script"));
    /* No such path. */
    const char *const nothing[] = {"/nonexistent/spectest/x.json"};
    assert_false(bt_bundle_make(nothing, 1, &buf, &len, why, sizeof why));
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),     cmocka_unit_test(test_empty_bundle),
        cmocka_unit_test(test_names),          cmocka_unit_test(test_truncated_and_trailing),
        cmocka_unit_test(test_malformed),      cmocka_unit_test(test_too_many),
        cmocka_unit_test(test_make_from_disk), cmocka_unit_test(test_make_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
