/* test_keepmgr.c: keepmgr's state records, re-adoption after a restart, and platform probes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "host/keepmgr.h"
#include "host/kvm.h"

static struct kmgr_keep sample(const char *id, burh_keep_state state)
{
    struct kmgr_keep k = {.status_fd = -1, .pid = 1234, .start_time = 987654321};
    snprintf(k.info.id, sizeof(k.info.id), "%s", id);
    k.info.state = state;
    k.info.backend = BURH_BACKEND_NIL;
    k.info.memory_mib = 128;
    k.info.created = 1800000000;
    if (state == BURH_KEEP_READY)
        snprintf(k.info.endpoint, sizeof(k.info.endpoint), "127.0.0.1:4242");
    return k;
}

static void test_record_round_trip(void **state)
{
    (void)state;
    struct kmgr_keep k = sample("00112233445566778899aabbccddeeff", BURH_KEEP_READY), back;
    uint8_t buf[2048];
    size_t len;
    assert_int_equal(kmgr_record_encode(&k, buf, sizeof(buf), &len), BURH_PROTO_OK);
    assert_int_equal(kmgr_record_decode(buf, len, &back), BURH_PROTO_OK);
    assert_int_equal(back.pid, 1234);
    assert_int_equal(back.start_time, 987654321);
    assert_memory_equal(&back.info, &k.info, sizeof(k.info));
    for (size_t cut = 0; cut < len; cut++)
        assert_int_not_equal(kmgr_record_decode(buf, cut, &back), BURH_PROTO_OK);
    buf[len - 1] ^= 0x40; /* the start time's last byte: still valid CBOR, other value */
    assert_int_equal(kmgr_record_decode(buf, len, &back), BURH_PROTO_OK);
    assert_int_not_equal(back.start_time, 987654321);
}

static void test_proc_start_time(void **state)
{
    (void)state;
    assert_true(kmgr_proc_start_time(getpid()) > 0);
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);
    assert_int_equal(kmgr_proc_start_time(child), 0); /* gone */
    assert_int_equal(kmgr_proc_start_time(0), 0);
}

struct fixture {
    char dir[64];
    struct kmgr m;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/burh-test-keepmgr.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->m.cfg = (struct kmgr_config){
        .state_dir = f->dir, .keep_addr = "127.0.0.1", .max_keeps = 4, .start_timeout_s = 30};
    f->m.base = event_base_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];
    for (size_t i = 0; i < f->m.nkeeps; i++)
        free(f->m.keeps[i]);
    event_base_free(f->m.base);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void write_file(const char *dir, const char *name, const char *content)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static void test_save_is_atomic_and_load_readopts(void **state)
{
    struct fixture *f = *state;
    pid_t live = fork();
    if (live == 0) {
        setsid();
        pause();
        _exit(0);
    }
    usleep(20000);
    struct kmgr_keep a = sample("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", BURH_KEEP_READY);
    struct kmgr_keep b = sample("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", BURH_KEEP_STARTING);
    struct kmgr_keep c = sample("cccccccccccccccccccccccccccccccc", BURH_KEEP_EXITED);
    struct kmgr_keep d = sample("dddddddddddddddddddddddddddddddd", BURH_KEEP_RUNNING);
    a.pid = live;
    a.start_time = kmgr_proc_start_time(live);
    b.pid = live; /* same pid, other start time: a reused pid must not be adopted */
    b.start_time = a.start_time + 1;
    d.pid = 0;
    assert_int_equal(kmgr_record_save(&f->m, &a), 0);
    assert_int_equal(kmgr_record_save(&f->m, &b), 0);
    assert_int_equal(kmgr_record_save(&f->m, &c), 0);
    assert_int_equal(kmgr_record_save(&f->m, &d), 0);
    char path[256];
    snprintf(path, sizeof(path), "%s/%s.fifo", f->dir, a.info.id);
    assert_int_equal(mkfifo(path, 0600), 0);
    write_file(f->dir, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.keep.tmp", "junk"); /* a cut save */
    write_file(f->dir, "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.keep", "\xa1");     /* unreadable */

    assert_int_equal(kmgr_state_load(&f->m), 4);
    struct kmgr_keep *ka = kmgr_find(&f->m, a.info.id), *kb = kmgr_find(&f->m, b.info.id);
    struct kmgr_keep *kc = kmgr_find(&f->m, c.info.id), *kd = kmgr_find(&f->m, d.info.id);
    assert_non_null(ka);
    assert_int_equal(ka->info.state, BURH_KEEP_READY);
    assert_string_equal(ka->info.endpoint, "127.0.0.1:4242");
    assert_true(ka->status_fd >= 0);
    assert_int_equal(kb->info.state, BURH_KEEP_FAILED);
    assert_non_null(strstr(kb->info.reason, "keepmgr was down"));
    assert_int_equal(kc->info.state, BURH_KEEP_EXITED);
    assert_int_equal(kd->info.state, BURH_KEEP_FAILED);
    assert_int_equal(kmgr_live_count(&f->m), 1);
    snprintf(path, sizeof(path), "%s/%s.keep.tmp", f->dir, a.info.id);
    assert_int_not_equal(access(path, F_OK), 0);
    /* the failed verdict was written back: a second load agrees */
    struct kmgr_keep again;
    uint8_t rec[2048];
    snprintf(path, sizeof(path), "%s/%s.keep", f->dir, b.info.id);
    FILE *r = fopen(path, "rb");
    size_t n = fread(rec, 1, sizeof(rec), r);
    fclose(r);
    assert_int_equal(kmgr_record_decode(rec, n, &again), BURH_PROTO_OK);
    assert_int_equal(again.info.state, BURH_KEEP_FAILED);

    /* the adopted keep ends: supervision notices through /proc, no waitpid possible */
    ka->is_child = false;
    kill(live, SIGKILL);
    waitpid(live, NULL, 0);
    kmgr_supervise(&f->m);
    assert_int_equal(ka->info.state, BURH_KEEP_FAILED);
    assert_int_equal(ka->info.endpoint[0], '\0');
    assert_int_equal(ka->status_fd, -1);
    assert_int_equal(kc->info.state, BURH_KEEP_EXITED); /* ended keeps are left alone */
}

static void test_platform_probe(void **state)
{
    (void)state;
    burh_platform_info p;
    kmgr_platform_probe(&p);
    assert_int_equal(p.count, 4);
    assert_int_equal(p.backends[0].backend, BURH_BACKEND_NIL);
    assert_true(p.backends[0].available);
    for (size_t i = 1; i < p.count; i++) {
        /* kvm runs wasmldr whenever /dev/kvm works; snp and tdx keeps are not built yet. */
        bool want = p.backends[i].backend == BURH_BACKEND_KVM && kvm_unusable_reason() == NULL;
        assert_int_equal(p.backends[i].available, want);
        assert_true(strlen(p.backends[i].reason) > 0);
    }
}

static void test_log_levels(void **state)
{
    (void)state;
    enum kmgr_log_level l;
    assert_true(kmgr_parse_log_level("debug", &l));
    assert_int_equal(l, KMGR_LOG_DEBUG);
    assert_false(kmgr_parse_log_level("verbose", &l));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_round_trip),
        cmocka_unit_test(test_proc_start_time),
        cmocka_unit_test_setup_teardown(test_save_is_atomic_and_load_readopts, setup, teardown),
        cmocka_unit_test(test_platform_probe),
        cmocka_unit_test(test_log_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
