/* test_wasmldr.c: burh-wasmldr's workload handling (job, outcomes, files) and deploy's frame
 * reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <fcntl.h>
#include <cmocka.h>

#include "keep/deploy.h"
#include "keep/wasmldr.h"

/* Hand-assembled modules (WebAssembly binary format). */
#define MAGIC        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00
#define VOID_TYPE    0x01, 0x04, 0x01, 0x60, 0x00, 0x00
#define ONE_FUNC     0x03, 0x02, 0x01, 0x00
#define EXPORT_START 0x07, 0x0a, 0x01, 0x06, '_', 's', 't', 'a', 'r', 't', 0x00, 0x00

static const uint8_t mod_return[] = {MAGIC, VOID_TYPE, ONE_FUNC, EXPORT_START, 0x0a,
                                     0x04,  0x01,      0x02,     0x00,         0x0b};
static const uint8_t mod_trap[] = {MAGIC, VOID_TYPE, ONE_FUNC, EXPORT_START, 0x0a, 0x05,
                                   0x01,  0x03,      0x00,     0x00,         0x0b};
static const uint8_t mod_spin[] = {MAGIC, VOID_TYPE, ONE_FUNC, EXPORT_START, 0x0a, 0x09, 0x01, 0x07,
                                   0x00,  0x03,      0x40,     0x0c,         0x00, 0x0b, 0x0b};
static const uint8_t mod_unknown_import[] = {
    MAGIC, VOID_TYPE, 0x02,     0x09, 0x01, 0x03, 'e',  'n',  'v',  0x01, 'f',
    0x00,  0x00,      ONE_FUNC, 0x07, 0x0a, 0x01, 0x06, '_',  's',  't',  'a',
    'r',   't',       0x00,     0x01, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b};
/* fd_write(1, iov@8 = {16, 2}, 1, 0) with "hi" at 16. */
static const uint8_t mod_hello[] = {
    MAGIC, 0x01, 0x0c, 0x02, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00,
    0x02,  0x23, 0x01, 0x16, 'w',  'a',  's',  'i',  '_',  's',  'n',  'a',  'p',  's',  'h',
    'o',   't',  '_',  'p',  'r',  'e',  'v',  'i',  'e',  'w',  '1',  0x08, 'f',  'd',  '_',
    'w',   'r',  'i',  't',  'e',  0x00, 0x00, 0x03, 0x02, 0x01, 0x01, 0x05, 0x03, 0x01, 0x00,
    0x01,  0x07, 0x13, 0x02, 0x06, 'm',  'e',  'm',  'o',  'r',  'y',  0x02, 0x00, 0x06, '_',
    's',   't',  'a',  'r',  't',  0x00, 0x01, 0x0a, 0x0f, 0x01, 0x0d, 0x00, 0x41, 0x01, 0x41,
    0x08,  0x41, 0x01, 0x41, 0x00, 0x10, 0x00, 0x1a, 0x0b, 0x0b, 0x10, 0x01, 0x00, 0x41, 0x08,
    0x0b,  0x0a, 0x10, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 'h',  'i'};

static const wasmldr_limits no_limits = {0, 0, 1u << 20, 5};

/* Encodes a workload for `wasm` and decodes it again, as the server does; the job then owns
 * both. `secret_name` adds one secret when not NULL; `file_path` one file. */
static wasmldr_job *make_job(const uint8_t *wasm, size_t len, const char *secret_name,
                             const char *file_path, wasmldr_outcome *fail)
{
    burh_cbor_bytes arg = {(const uint8_t *)"app.wasm", 8};
    burh_workload_secret secret = {
        {(const uint8_t *)secret_name, secret_name ? strlen(secret_name) : 0},
        {(const uint8_t *)"pw", 2}};
    burh_workload_file file = {{(const uint8_t *)file_path, file_path ? strlen(file_path) : 0},
                               {(const uint8_t *)"data", 4}};
    burh_workload w;
    memset(&w, 0, sizeof w);
    w.wasm = (burh_cbor_bytes){wasm, len};
    w.argc = 1;
    w.args = &arg;
    w.secretc = secret_name != NULL;
    w.secrets = &secret;
    w.filec = file_path != NULL;
    w.files = &file;
    size_t need = 0;
    assert_int_equal(burh_proto_encode_workload(&w, NULL, 0, &need), BURH_PROTO_OK);
    uint8_t *body = malloc(need);
    assert_non_null(body);
    assert_int_equal(burh_proto_encode_workload(&w, body, need, &need), BURH_PROTO_OK);
    burh_workload decoded;
    assert_int_equal(burh_proto_decode_workload((burh_cbor_bytes){body, need}, &decoded, NULL),
                     BURH_PROTO_OK);
    return wasmldr_job_new(&decoded, body, need, &no_limits, fail);
}

static void run(const uint8_t *wasm, size_t len, wasmldr_outcome *out)
{
    wasmldr_outcome fail;
    wasmldr_job *job = make_job(wasm, len, NULL, NULL, &fail);
    assert_non_null(job);
    wasmldr_job_run(job, out);
    wasmldr_job_free(job);
}

static void test_return_is_exit_0(void **state)
{
    (void)state;
    wasmldr_outcome o;
    run(mod_return, sizeof mod_return, &o);
    assert_int_equal(o.kind, BURH_FRAME_EXIT);
    assert_int_equal(o.exit, 0);
}

static void test_unreachable_is_a_trap(void **state)
{
    (void)state;
    wasmldr_outcome o;
    run(mod_trap, sizeof mod_trap, &o);
    assert_int_equal(o.kind, BURH_FRAME_TRAP);
    assert_string_equal(o.text, "unreachable");
}

static void test_bad_modules_are_error_frames(void **state)
{
    (void)state;
    static const uint8_t truncated[] = {MAGIC, 0x01, 0x04, 0x01};
    wasmldr_outcome o;
    assert_null(make_job(truncated, sizeof truncated, NULL, NULL, &o));
    assert_int_equal(o.kind, BURH_FRAME_ERROR);
    assert_string_equal(o.code, "bad_module");
    run(mod_unknown_import, sizeof mod_unknown_import, &o);
    assert_int_equal(o.kind, BURH_FRAME_ERROR);
    assert_string_equal(o.code, "bad_module");
    assert_non_null(strstr(o.text, "env.f"));
}

static void test_output_goes_to_the_sink_pipe(void **state)
{
    (void)state;
    int out[2], err[2];
    assert_int_equal(pipe(out), 0);
    assert_int_equal(pipe(err), 0);
    wasmldr_outcome o;
    wasmldr_job *job = make_job(mod_hello, sizeof mod_hello, NULL, NULL, &o);
    assert_non_null(job);
    assert_true(wasmldr_job_set_output(job, out[1], err[1]));
    wasmldr_job_run(job, &o);
    wasmldr_job_free(job);
    close(out[1]);
    close(err[1]);
    char buf[16] = {0};
    assert_int_equal(read(out[0], buf, sizeof buf), 2);
    assert_string_equal(buf, "hi");
    assert_int_equal(read(err[0], buf, sizeof buf), 0);
    assert_int_equal(o.kind, BURH_FRAME_EXIT);
    close(out[0]);
    close(err[0]);
}

static void *stop_later(void *arg)
{
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    wasmldr_job_time_up(arg);
    return NULL;
}

static void test_time_limit_is_a_resources_error(void **state)
{
    (void)state;
    wasmldr_outcome o;
    wasmldr_job *job = make_job(mod_spin, sizeof mod_spin, NULL, NULL, &o);
    assert_non_null(job);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, stop_later, job), 0);
    wasmldr_job_run(job, &o);
    pthread_join(t, NULL);
    wasmldr_job_free(job);
    assert_int_equal(o.kind, BURH_FRAME_ERROR);
    assert_string_equal(o.code, "resources");
}

static void test_files_and_secrets(void **state)
{
    (void)state;
    wasmldr_outcome o;
    wasmldr_job *job = make_job(mod_return, sizeof mod_return, "db-pass", "/data/in.txt", &o);
    assert_non_null(job);
    wasmldr_job_free(job);
    /* ".." is in the protocol's character set but no file name: the decoder refuses it,
     * before any job exists (test_proto.c has the other names and paths). */
    burh_workload_secret dots = {{(const uint8_t *)"..", 2}, {(const uint8_t *)"pw", 2}};
    burh_cbor_bytes arg = {(const uint8_t *)"app.wasm", 8};
    burh_workload w = {.wasm = {mod_return, sizeof mod_return},
                       .argc = 1,
                       .args = &arg,
                       .secretc = 1,
                       .secrets = &dots};
    uint8_t body[512];
    size_t len = 0;
    assert_int_equal(burh_proto_encode_workload(&w, body, sizeof body, &len), BURH_PROTO_OK);
    burh_workload decoded;
    burh_proto_diag diag;
    assert_int_equal(burh_proto_decode_workload((burh_cbor_bytes){body, len}, &decoded, &diag),
                     BURH_PROTO_ERR_RANGE);
    assert_non_null(strstr(diag.message, "name"));
}

static void test_outcome_encodes_to_valid_final_frames(void **state)
{
    (void)state;
    wasmldr_outcome cases[3] = {{.kind = BURH_FRAME_EXIT, .exit = 7},
                                {.kind = BURH_FRAME_TRAP, .text = "integer divide by zero"},
                                {.kind = BURH_FRAME_ERROR, .code = "resources", .text = "t"}};
    for (size_t i = 0; i < 3; i++) {
        uint8_t buf[2048];
        size_t len = wasmldr_outcome_encode(&cases[i], buf, sizeof buf), used = 0;
        assert_true(len > 0);
        burh_workload_frame f;
        assert_int_equal(burh_proto_decode_frame((burh_cbor_bytes){buf, len}, &f, &used, NULL),
                         BURH_PROTO_OK);
        assert_int_equal(used, len);
        assert_int_equal(f.kind, cases[i].kind);
    }
}

/* deploy's reader: frames split at every byte still come out whole, in order. */
static void test_frames_reassembled_byte_by_byte(void **state)
{
    (void)state;
    uint8_t stream[256];
    size_t len = 0, n = 0;
    burh_workload_frame f = {.kind = BURH_FRAME_STDOUT, .data = {(const uint8_t *)"abc", 3}};
    assert_int_equal(burh_proto_encode_frame(&f, stream, sizeof stream, &n), BURH_PROTO_OK);
    len += n;
    wasmldr_outcome exit3 = {.kind = BURH_FRAME_EXIT, .exit = 3};
    len += wasmldr_outcome_encode(&exit3, stream + len, sizeof stream - len);
    int p[2];
    assert_int_equal(pipe(p), 0);
    deploy_frames fr;
    deploy_frames_init(&fr, p[1], p[1]);
    for (size_t i = 0; i < len; i++)
        assert_true(deploy_frames_feed(&fr, stream + i, 1));
    assert_true(fr.ended);
    assert_int_equal(fr.final.exit, 3);
    char got[8] = {0};
    assert_int_equal(read(p[0], got, sizeof got), 3);
    assert_string_equal(got, "abc");
    /* anything after the final frame breaks the stream */
    assert_false(deploy_frames_feed(&fr, stream, n));
    assert_true(fr.broken);
    deploy_frames_free(&fr);
    close(p[0]);
    close(p[1]);
}

static void test_garbage_stream_is_refused(void **state)
{
    (void)state;
    deploy_frames fr;
    deploy_frames_init(&fr, -1, -1);
    static const uint8_t garbage[] = {0xa2, 0x61, 0x76, 0x02, 0x66, 's',
                                      't',  'd',  'o',  'u',  't',  0x40};
    assert_false(deploy_frames_feed(&fr, garbage, sizeof garbage));
    assert_true(fr.broken);
    assert_false(fr.ended);
    deploy_frames_free(&fr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_return_is_exit_0),
        cmocka_unit_test(test_unreachable_is_a_trap),
        cmocka_unit_test(test_bad_modules_are_error_frames),
        cmocka_unit_test(test_output_goes_to_the_sink_pipe),
        cmocka_unit_test(test_time_limit_is_a_resources_error),
        cmocka_unit_test(test_files_and_secrets),
        cmocka_unit_test(test_outcome_encodes_to_valid_final_frames),
        cmocka_unit_test(test_frames_reassembled_byte_by_byte),
        cmocka_unit_test(test_garbage_stream_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
