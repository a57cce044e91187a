/* test_proto.c: keep protocol messages: round trips, limits, and refusal of every kind of bad
 * input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "burh/keep_proto.h"
#include "testutil.h"

static uint8_t buf[1 << 16];

static burh_cbor_bytes hex(const char *h)
{
    static uint8_t out[1024];
    return BURH_CBOR_BYTES(out, tu_unhex(h, out, sizeof out));
}

static burh_keep_create sample_create(void)
{
    static const uint8_t nonce[32] = {1, 2, 3};
    return (burh_keep_create){.backend = BURH_BACKEND_KVM,
                              .nonce = BURH_CBOR_BYTES(nonce, sizeof(nonce)),
                              .memory_mib = 512};
}

static void test_keep_create_round_trip(void **state)
{
    (void)state;
    burh_keep_create m = sample_create(), back;
    size_t len;
    assert_int_equal(burh_proto_encode_keep_create(&m, buf, sizeof(buf), &len), BURH_PROTO_OK);
    assert_int_equal(burh_proto_decode_keep_create(BURH_CBOR_BYTES(buf, len), &back, NULL),
                     BURH_PROTO_OK);
    assert_int_equal(back.backend, BURH_BACKEND_KVM);
    assert_int_equal(back.memory_mib, 512);
    assert_int_equal(back.nonce.len, 32);
    assert_memory_equal(back.nonce.ptr, m.nonce.ptr, 32);
    /* measuring and a short buffer report the same size */
    size_t need;
    assert_int_equal(burh_proto_encode_keep_create(&m, NULL, 0, &need), BURH_PROTO_OK);
    assert_int_equal(need, len);
    assert_int_equal(burh_proto_encode_keep_create(&m, buf, len - 1, &need), BURH_PROTO_ERR_BUFFER);
    assert_int_equal(need, len);
}

static void test_keep_create_refusals(void **state)
{
    (void)state;
    burh_keep_create m;
    burh_proto_diag d;
    /* nonce 15 bytes */
    assert_int_equal(burh_proto_decode_keep_create(
                         hex("a4617601656e6f6e63654f000102030405060708090a0b0c0d0e676261636b656e"
                             "64636e696c6a6d656d6f72795f6d6962190100"),
                         &m, &d),
                     BURH_PROTO_ERR_RANGE);
    assert_non_null(strstr(d.message, "nonce"));
    /* version 2 */
    assert_int_equal(burh_proto_decode_keep_create(
                         hex("a4617602656e6f6e636550000102030405060708090a0b0c0d0e0f676261636b"
                             "656e64636e696c6a6d656d6f72795f6d6962190100"),
                         &m, &d),
                     BURH_PROTO_ERR_VERSION);
    /* backend "xen" */
    assert_int_equal(burh_proto_decode_keep_create(
                         hex("a4617601656e6f6e636550000102030405060708090a0b0c0d0e0f676261636b"
                             "656e646378656e6a6d656d6f72795f6d6962190100"),
                         &m, &d),
                     BURH_PROTO_ERR_RANGE);
    /* memory_mib missing (3 entries) */
    assert_int_equal(burh_proto_decode_keep_create(
                         hex("a3617601656e6f6e636550000102030405060708090a0b0c0d0e0f676261636b"
                             "656e64636e696c"),
                         &m, &d),
                     BURH_PROTO_ERR_MISSING);
    /* unknown key "x" (sorted first) */
    assert_int_equal(burh_proto_decode_keep_create(hex("a2617801617601"), &m, &d),
                     BURH_PROTO_ERR_UNKNOWN_KEY);
    /* memory_mib as a text string */
    assert_int_equal(burh_proto_decode_keep_create(
                         hex("a4617601656e6f6e636550000102030405060708090a0b0c0d0e0f676261636b"
                             "656e64636e696c6a6d656d6f72795f6d69626131"),
                         &m, &d),
                     BURH_PROTO_ERR_TYPE);
    /* not strict: keys out of order, non-shortest int, indefinite map, trailing byte */
    assert_int_equal(burh_proto_decode_keep_create(
                         hex("a2656e6f6e636550000102030405060708090a0b0c0d0e0f617601"), &m, &d),
                     BURH_PROTO_ERR_CBOR);
    assert_int_equal(burh_proto_decode_keep_create(hex("a161761801"), &m, &d), BURH_PROTO_ERR_CBOR);
    assert_int_equal(burh_proto_decode_keep_create(hex("bf617601ff"), &m, &d), BURH_PROTO_ERR_CBOR);
    assert_int_equal(burh_proto_decode_error(hex("a361760164636f64656178676d65737361676560"
                                                 "00"),
                                             &(burh_proto_error){0}, &d),
                     BURH_PROTO_ERR_CBOR);
    /* empty and truncated input */
    assert_int_not_equal(burh_proto_decode_keep_create(BURH_CBOR_BYTES(buf, 0), &m, &d),
                         BURH_PROTO_OK);
    assert_int_equal(burh_proto_decode_keep_create(hex("a46176"), &m, &d), BURH_PROTO_ERR_CBOR);
    /* a tag on a value */
    assert_int_equal(burh_proto_decode_keep_create(hex("a16176c101"), &m, &d), BURH_PROTO_ERR_TYPE);
}

static void test_encoder_refuses_bad_messages(void **state)
{
    (void)state;
    burh_keep_create m = sample_create();
    size_t len;
    m.memory_mib = 8;
    assert_int_equal(burh_proto_encode_keep_create(&m, buf, sizeof(buf), &len),
                     BURH_PROTO_ERR_ARGS);
    m = sample_create();
    m.nonce.len = 65;
    assert_int_equal(burh_proto_encode_keep_create(&m, buf, sizeof(buf), &len),
                     BURH_PROTO_ERR_ARGS);
    burh_keep_info k = {.id = "not-an-id"};
    assert_int_equal(burh_proto_encode_keep(&k, buf, sizeof(buf), &len), BURH_PROTO_ERR_ARGS);
    burh_keep_status s = {.event = BURH_STATUS_READY, .port = 0};
    assert_int_equal(burh_proto_encode_status(&s, buf, sizeof(buf), &len), BURH_PROTO_ERR_ARGS);
}

static burh_keep_info sample_keep(int i)
{
    burh_keep_info k = {.backend = BURH_BACKEND_NIL,
                        .state = BURH_KEEP_FAILED,
                        .memory_mib = 64,
                        .created = 1700000000u + (unsigned)i,
                        .has_exit_status = true,
                        .exit_status = -5,
                        .has_reason = true};
    snprintf(k.id, sizeof(k.id), "%032x", i);
    snprintf(k.reason, sizeof(k.reason), "killed by signal %d", i);
    snprintf(k.endpoint, sizeof(k.endpoint), "127.0.0.1:%d", 1000 + i);
    return k;
}

static void test_keep_list_round_trip_and_cap(void **state)
{
    (void)state;
    burh_keep_info keeps[5], back[5];
    for (int i = 0; i < 5; i++)
        keeps[i] = sample_keep(i);
    size_t len, count;
    assert_int_equal(burh_proto_encode_keep_list(keeps, 5, buf, sizeof(buf), &len), BURH_PROTO_OK);
    assert_int_equal(burh_proto_decode_keep_list(BURH_CBOR_BYTES(buf, len), back, 5, &count, NULL),
                     BURH_PROTO_OK);
    assert_int_equal(count, 5);
    assert_memory_equal(&back[3], &keeps[3], sizeof(back[3]));
    assert_int_equal(burh_proto_decode_keep_list(BURH_CBOR_BYTES(buf, len), back, 4, &count, NULL),
                     BURH_PROTO_ERR_RANGE);
    /* every strict prefix of a valid message is refused */
    for (size_t cut = 0; cut < len; cut++)
        assert_int_not_equal(
            burh_proto_decode_keep_list(BURH_CBOR_BYTES(buf, cut), back, 5, &count, NULL),
            BURH_PROTO_OK);
}

static void test_keep_id_rules(void **state)
{
    (void)state;
    assert_true(burh_keep_id_valid(BURH_CBOR_LIT("0123456789abcdef0123456789abcdef")));
    assert_false(burh_keep_id_valid(BURH_CBOR_LIT("0123456789ABCDEF0123456789abcdef")));
    assert_false(burh_keep_id_valid(BURH_CBOR_LIT("0123456789abcdef0123456789abcde")));
    assert_false(burh_keep_id_valid(BURH_CBOR_LIT("../../../../etc/passwd/0123456789")));
}

static burh_workload sample_workload(burh_cbor_bytes *args, burh_workload_env *env,
                                     burh_workload_file *files, burh_workload_secret *secrets)
{
    static const uint8_t wasm[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    args[0] = BURH_CBOR_LIT("prog");
    args[1] = BURH_CBOR_LIT("");
    env[0] = (burh_workload_env){BURH_CBOR_LIT("A"), BURH_CBOR_LIT("1")};
    files[0] = (burh_workload_file){BURH_CBOR_LIT("/a/b"), BURH_CBOR_LIT("data")};
    secrets[0] = (burh_workload_secret){BURH_CBOR_LIT("key.1"), BURH_CBOR_LIT("\x00\x01")};
    return (burh_workload){.wasm = BURH_CBOR_BYTES(wasm, 8),
                           .argc = 2,
                           .args = args,
                           .envc = 1,
                           .env = env,
                           .filec = 1,
                           .files = files,
                           .secretc = 1,
                           .secrets = secrets};
}

static burh_proto_err workload_with_path(const char *path)
{
    burh_cbor_bytes args[2];
    burh_workload_env env[1];
    burh_workload_file files[1];
    burh_workload_secret secrets[1];
    burh_workload w = sample_workload(args, env, files, secrets), back;
    files[0].path = BURH_CBOR_BYTES(path, strlen(path));
    size_t len;
    assert_int_equal(burh_proto_encode_workload(&w, buf, sizeof(buf), &len), BURH_PROTO_OK);
    burh_proto_err err = burh_proto_decode_workload(BURH_CBOR_BYTES(buf, len), &back, NULL);
    burh_workload_free(&back);
    return err;
}

static void test_workload_round_trip_and_paths(void **state)
{
    (void)state;
    burh_cbor_bytes args[2];
    burh_workload_env env[1];
    burh_workload_file files[1];
    burh_workload_secret secrets[1];
    burh_workload w = sample_workload(args, env, files, secrets), back;
    size_t len, len2;
    assert_int_equal(burh_proto_encode_workload(&w, buf, sizeof(buf), &len), BURH_PROTO_OK);
    assert_int_equal(burh_proto_decode_workload(BURH_CBOR_BYTES(buf, len), &back, NULL),
                     BURH_PROTO_OK);
    assert_int_equal(back.argc, 2);
    assert_int_equal(back.args[1].len, 0);
    assert_int_equal(back.secretc, 1);
    assert_memory_equal(back.secrets[0].data.ptr, "\x00\x01", 2);
    static uint8_t again[1 << 16];
    assert_int_equal(burh_proto_encode_workload(&back, again, sizeof(again), &len2), BURH_PROTO_OK);
    assert_int_equal(len, len2);
    assert_memory_equal(buf, again, len);
    burh_workload_free(&back);
    assert_int_equal(workload_with_path("/ok/path.txt"), BURH_PROTO_OK);
    assert_int_equal(workload_with_path("relative"), BURH_PROTO_ERR_RANGE);
    assert_int_equal(workload_with_path("/a/../etc"), BURH_PROTO_ERR_RANGE);
    assert_int_equal(workload_with_path("/a//b"), BURH_PROTO_ERR_RANGE);
    assert_int_equal(workload_with_path("/a/."), BURH_PROTO_ERR_RANGE);
    assert_int_equal(workload_with_path("/dir/"), BURH_PROTO_ERR_RANGE);
}

/* A sample workload with this file path and secret name; the decoder's verdict and diag. */
static burh_proto_err workload_with_names(burh_cbor_bytes path, burh_cbor_bytes secret,
                                          burh_proto_diag *diag)
{
    burh_cbor_bytes args[2];
    burh_workload_env env[1];
    burh_workload_file files[1];
    burh_workload_secret secrets[1];
    burh_workload w = sample_workload(args, env, files, secrets), back;
    files[0].path = path;
    secrets[0].name = secret;
    size_t len;
    assert_int_equal(burh_proto_encode_workload(&w, buf, sizeof(buf), &len), BURH_PROTO_OK);
    burh_proto_err err = burh_proto_decode_workload(BURH_CBOR_BYTES(buf, len), &back, diag);
    burh_workload_free(&back);
    return err;
}

static void test_file_and_secret_names(void **state)
{
    (void)state;
    burh_proto_diag d;
    const burh_cbor_bytes ok_path = BURH_CBOR_LIT("/a/b"), ok_name = BURH_CBOR_LIT("db.key");
    assert_int_equal(workload_with_names(ok_path, ok_name, &d), BURH_PROTO_OK);
    assert_int_equal(workload_with_names(ok_path, BURH_CBOR_LIT("..."), &d), BURH_PROTO_OK);
    /* secret names: ".", "..", empty, NUL, a slash */
    static const struct {
        const char *name;
        size_t len;
    } bad_names[] = {{".", 1}, {"..", 2}, {"", 0}, {"a\0b", 3}, {"a/b", 3}, {"../x", 4}};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        burh_cbor_bytes n = BURH_CBOR_BYTES(bad_names[i].name, bad_names[i].len);
        assert_int_equal(workload_with_names(ok_path, n, &d), BURH_PROTO_ERR_RANGE);
        assert_non_null(strstr(d.message, "name"));
    }
    assert_int_equal(workload_with_names(ok_path, BURH_CBOR_LIT(".."), &d), BURH_PROTO_ERR_RANGE);
    assert_string_equal(d.message, "name: not [A-Za-z0-9_.-]+, or . or ..");
    /* file paths: each refusal names its reason */
    static const struct {
        const char *path;
        size_t len;
        const char *why;
    } bad_paths[] = {
        {"/a\0b", 4, "path: contains NUL"},
        {"/", 1, "path: length out of range"},
        {"a/b", 3, "path: not absolute"},
        {"/a/", 3, "path: ends in \"/\""},
        {"/a//b", 5, "path: has an empty part (\"//\")"},
        {"/a/./b", 6, "path: has a \".\" or \"..\" part"},
        {"/..", 3, "path: has a \".\" or \"..\" part"},
    };
    for (size_t i = 0; i < sizeof bad_paths / sizeof bad_paths[0]; i++) {
        burh_cbor_bytes p = BURH_CBOR_BYTES(bad_paths[i].path, bad_paths[i].len);
        assert_int_equal(workload_with_names(p, ok_name, &d), BURH_PROTO_ERR_RANGE);
        assert_string_equal(d.message, bad_paths[i].why);
    }
    /* an empty path is under the size limit (2..1024): refused as such */
    assert_int_equal(workload_with_names(BURH_CBOR_LIT(""), ok_name, &d), BURH_PROTO_ERR_RANGE);
}

static void test_keep_create_time_limit(void **state)
{
    (void)state;
    burh_keep_create m = sample_create(), back;
    size_t len;
    assert_int_equal(burh_proto_encode_keep_create(&m, buf, sizeof(buf), &len), BURH_PROTO_OK);
    assert_null(memmem(buf, len, "time_limit_s", 12)); /* absent when 0 */
    m.time_limit_s = 300;
    assert_int_equal(burh_proto_encode_keep_create(&m, buf, sizeof(buf), &len), BURH_PROTO_OK);
    assert_int_equal(burh_proto_decode_keep_create(BURH_CBOR_BYTES(buf, len), &back, NULL),
                     BURH_PROTO_OK);
    assert_int_equal(back.time_limit_s, 300);
    m.time_limit_s = BURH_PROTO_TIME_LIMIT_MAX + 1;
    assert_int_equal(burh_proto_encode_keep_create(&m, buf, sizeof(buf), &len),
                     BURH_PROTO_ERR_ARGS);
    burh_proto_diag d;
    /* {"v":1,"nonce":16 bytes,"backend":"nil","memory_mib":256,"time_limit_s":0} and 86401 */
    const char *head = "a5617601656e6f6e636550000102030405060708090a0b0c0d0e0f676261636b656e64636e"
                       "696c6a6d656d6f72795f6d69621901006c74696d655f6c696d69745f73";
    char hexbuf[300];
    snprintf(hexbuf, sizeof hexbuf, "%s00", head);
    assert_int_equal(burh_proto_decode_keep_create(hex(hexbuf), &back, &d), BURH_PROTO_ERR_RANGE);
    assert_non_null(strstr(d.message, "time_limit_s"));
    snprintf(hexbuf, sizeof hexbuf, "%s1a00015181", head);
    assert_int_equal(burh_proto_decode_keep_create(hex(hexbuf), &back, &d), BURH_PROTO_ERR_RANGE);
    snprintf(hexbuf, sizeof hexbuf, "%s1a00015180", head);
    assert_int_equal(burh_proto_decode_keep_create(hex(hexbuf), &back, &d), BURH_PROTO_OK);
    assert_int_equal(back.time_limit_s, 86400);
}

static void test_workload_limits(void **state)
{
    (void)state;
    static burh_cbor_bytes args[BURH_PROTO_ARGS_MAX + 1];
    burh_workload_env env[1];
    burh_workload_file files[1];
    burh_workload_secret secrets[1];
    burh_workload w = sample_workload(args, env, files, secrets), back;
    for (size_t i = 0; i <= BURH_PROTO_ARGS_MAX; i++)
        args[i] = BURH_CBOR_LIT("x");
    w.argc = BURH_PROTO_ARGS_MAX;
    size_t len;
    assert_int_equal(burh_proto_encode_workload(&w, buf, sizeof(buf), &len), BURH_PROTO_OK);
    assert_int_equal(burh_proto_decode_workload(BURH_CBOR_BYTES(buf, len), &back, NULL),
                     BURH_PROTO_OK);
    burh_workload_free(&back);
    w.argc = BURH_PROTO_ARGS_MAX + 1;
    assert_int_equal(burh_proto_encode_workload(&w, buf, sizeof(buf), &len), BURH_PROTO_ERR_ARGS);
    /* a hand-made map claiming 1025 args that are not there: refused before reading them */
    assert_int_not_equal(burh_proto_decode_workload(hex("a2617601646172677399040100"), &back, NULL),
                         BURH_PROTO_OK);
    /* env name with '=' */
    env[0].name = BURH_CBOR_LIT("A=B");
    w.argc = 1;
    assert_int_equal(burh_proto_encode_workload(&w, buf, sizeof(buf), &len), BURH_PROTO_OK);
    assert_int_equal(burh_proto_decode_workload(BURH_CBOR_BYTES(buf, len), &back, NULL),
                     BURH_PROTO_ERR_RANGE);
    env[0].name = BURH_CBOR_LIT("A");
    secrets[0].name = BURH_CBOR_LIT("bad name");
    assert_int_equal(burh_proto_encode_workload(&w, buf, sizeof(buf), &len), BURH_PROTO_OK);
    assert_int_equal(burh_proto_decode_workload(BURH_CBOR_BYTES(buf, len), &back, NULL),
                     BURH_PROTO_ERR_RANGE);
    assert_null(back.alloc_);
}

static void test_frames_as_a_stream(void **state)
{
    (void)state;
    burh_workload_frame frames[3] = {
        {.kind = BURH_FRAME_STDOUT, .data = BURH_CBOR_LIT("hello\n")},
        {.kind = BURH_FRAME_STDERR, .data = BURH_CBOR_LIT("e")},
        {.kind = BURH_FRAME_EXIT, .exit = -3},
    };
    size_t total = 0, len, used;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(
            burh_proto_encode_frame(&frames[i], buf + total, sizeof(buf) - total, &len),
            BURH_PROTO_OK);
        total += len;
    }
    burh_workload_frame f;
    size_t pos = 0;
    for (int i = 0; i < 3; i++) {
        /* one byte short of the frame: incomplete, not an error */
        burh_proto_err err =
            burh_proto_decode_frame(BURH_CBOR_BYTES(buf + pos, 1), &f, &used, NULL);
        assert_int_equal(err, BURH_PROTO_ERR_INCOMPLETE);
        assert_int_equal(
            burh_proto_decode_frame(BURH_CBOR_BYTES(buf + pos, total - pos), &f, &used, NULL),
            BURH_PROTO_OK);
        assert_int_equal(f.kind, frames[i].kind);
        pos += used;
    }
    assert_int_equal(pos, total);
    assert_int_equal(f.exit, -3);
    /* two result keys in one frame */
    assert_int_equal(
        burh_proto_decode_frame(hex("a3617601646578697400667374646f75744161"), &f, &used, NULL),
        BURH_PROTO_ERR_RANGE);
    /* empty stdout */
    assert_int_equal(burh_proto_decode_frame(hex("a2617601667374646f757440"), &f, &used, NULL),
                     BURH_PROTO_ERR_RANGE);
}

static void test_status_records(void **state)
{
    (void)state;
    burh_keep_status s = {.event = BURH_STATUS_EXIT, .status = 137};
    strcpy(s.reason, "killed by signal 9");
    size_t len, used;
    assert_int_equal(burh_proto_encode_status(&s, buf, sizeof(buf), &len), BURH_PROTO_OK);
    burh_keep_status back;
    assert_int_equal(burh_proto_decode_status(BURH_CBOR_BYTES(buf, len), &back, &used, NULL),
                     BURH_PROTO_OK);
    assert_int_equal(back.status, 137);
    assert_string_equal(back.reason, "killed by signal 9");
    /* ready without port; ready with port 0; running with a port; unknown event */
    assert_int_equal(
        burh_proto_decode_status(hex("a2617601656576656e74657265616479"), &back, &used, NULL),
        BURH_PROTO_ERR_MISSING);
    assert_int_equal(burh_proto_decode_status(hex("a361760164706f727400656576656e74657265616479"),
                                              &back, &used, NULL),
                     BURH_PROTO_ERR_RANGE);
    assert_int_equal(
        burh_proto_decode_status(hex("a361760164706f727401656576656e746772756e6e696e67"), &back,
                                 &used, NULL),
        BURH_PROTO_ERR_UNKNOWN_KEY);
    assert_int_equal(
        burh_proto_decode_status(hex("a2617601656576656e7463626f6f"), &back, &used, NULL),
        BURH_PROTO_ERR_RANGE);
    /* a reason of 257 bytes is refused */
    memset(s.reason, 'r', sizeof(s.reason));
    assert_int_equal(burh_proto_encode_status(&s, buf, sizeof(buf), &len), BURH_PROTO_ERR_ARGS);
}

static void test_platform_and_error(void **state)
{
    (void)state;
    burh_platform_info p = {.count = 2};
    p.backends[0] = (burh_platform_backend){BURH_BACKEND_NIL, true, "always"};
    p.backends[1] = (burh_platform_backend){BURH_BACKEND_SNP, false, "no /dev/sev"};
    size_t len;
    assert_int_equal(burh_proto_encode_platform(&p, buf, sizeof(buf), &len), BURH_PROTO_OK);
    burh_platform_info back;
    assert_int_equal(burh_proto_decode_platform(BURH_CBOR_BYTES(buf, len), &back, NULL),
                     BURH_PROTO_OK);
    assert_int_equal(back.count, 2);
    assert_int_equal(back.backends[1].backend, BURH_BACKEND_SNP);
    assert_false(back.backends[1].available);
    assert_string_equal(back.backends[1].reason, "no /dev/sev");
    burh_proto_error e = {"not_found", "no keep"}, eb;
    assert_int_equal(burh_proto_encode_error(&e, buf, sizeof(buf), &len), BURH_PROTO_OK);
    assert_int_equal(burh_proto_decode_error(BURH_CBOR_BYTES(buf, len), &eb, NULL), BURH_PROTO_OK);
    assert_string_equal(eb.code, "not_found");
    /* an error with an empty code */
    assert_int_equal(
        burh_proto_decode_error(hex("a361760164636f646560676d65737361676560"), &eb, NULL),
        BURH_PROTO_ERR_RANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keep_create_round_trip),
        cmocka_unit_test(test_keep_create_refusals),
        cmocka_unit_test(test_encoder_refuses_bad_messages),
        cmocka_unit_test(test_keep_list_round_trip_and_cap),
        cmocka_unit_test(test_keep_id_rules),
        cmocka_unit_test(test_workload_round_trip_and_paths),
        cmocka_unit_test(test_file_and_secret_names),
        cmocka_unit_test(test_keep_create_time_limit),
        cmocka_unit_test(test_workload_limits),
        cmocka_unit_test(test_frames_as_a_stream),
        cmocka_unit_test(test_status_records),
        cmocka_unit_test(test_platform_and_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
