/* test_kvm_relay.c: the kvm keep's status relay: order, the final exit record, protocol breaks. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "burh/keep_proto.h"
#include "host/kvm.h"

static void put_record(int fd, const burh_keep_status *s)
{
    uint8_t rec[BURH_PROTO_STATUS_MAX];
    size_t len;
    assert_int_equal(burh_proto_encode_status(s, rec, sizeof(rec), &len), BURH_PROTO_OK);
    assert_int_equal(write(fd, rec, len), (ssize_t)len);
}

/* Decodes every record keepmgr would have received; returns how many. */
static size_t take_records(int fd, burh_keep_status *out, size_t cap)
{
    uint8_t buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf));
    size_t at = 0, count = 0;
    while (n > 0 && at < (size_t)n && count < cap) {
        size_t used;
        burh_proto_diag diag;
        assert_int_equal(burh_proto_decode_status(BURH_CBOR_BYTES(buf + at, (size_t)n - at),
                                                  &out[count], &used, &diag),
                         BURH_PROTO_OK);
        at += used;
        count++;
    }
    return count;
}

static void test_ready_running_exit(void **state)
{
    (void)state;
    int mgr[2], guest;
    assert_int_equal(pipe(mgr), 0);
    assert_int_equal(kvm_relay_start(mgr[1], &guest), 0);
    put_record(guest, &(burh_keep_status){.event = BURH_STATUS_READY, .port = 4242});
    put_record(guest, &(burh_keep_status){.event = BURH_STATUS_RUNNING});
    burh_keep_status ex = {.event = BURH_STATUS_EXIT, .status = 3};
    strcpy(ex.reason, "workload done");
    put_record(guest, &ex);
    assert_int_equal(kvm_relay_finish(guest, 0, "payload exited with status 0"), 0);
    burh_keep_status got[4];
    assert_int_equal(take_records(mgr[0], got, 4), 3);
    assert_int_equal(got[0].event, BURH_STATUS_READY);
    assert_int_equal(got[0].port, 4242);
    assert_int_equal(got[1].event, BURH_STATUS_RUNNING);
    assert_int_equal(got[2].event, BURH_STATUS_EXIT); /* keepldr's, with the keep's reason */
    assert_int_equal(got[2].status, 0);
    assert_string_equal(got[2].reason, "workload done");
    close(mgr[0]);
    close(mgr[1]);
}

static void test_report_when_keep_gave_no_reason(void **state)
{
    (void)state;
    int mgr[2], guest;
    assert_int_equal(pipe(mgr), 0);
    assert_int_equal(kvm_relay_start(mgr[1], &guest), 0);
    assert_int_equal(kvm_relay_finish(guest, 121, "guest fault: page fault"), 121);
    burh_keep_status got[2];
    assert_int_equal(take_records(mgr[0], got, 2), 1);
    assert_int_equal(got[0].event, BURH_STATUS_EXIT);
    assert_int_equal(got[0].status, 121);
    assert_string_equal(got[0].reason, "guest fault: page fault");
    close(mgr[0]);
    close(mgr[1]);
}

static void test_out_of_order_and_garbage(void **state)
{
    (void)state;
    int mgr[2], guest;
    assert_int_equal(pipe(mgr), 0);
    assert_int_equal(kvm_relay_start(mgr[1], &guest), 0);
    put_record(guest, &(burh_keep_status){.event = BURH_STATUS_RUNNING}); /* before ready */
    assert_int_equal(kvm_relay_finish(guest, 0, "exited"), KVM_STATUS_PROTOCOL);
    burh_keep_status got[2];
    assert_int_equal(take_records(mgr[0], got, 2), 1);
    assert_int_equal(got[0].status, KVM_STATUS_PROTOCOL);

    assert_int_equal(kvm_relay_start(mgr[1], &guest), 0);
    assert_int_equal(write(guest, "\xff\xff\xff\xff garbage", 12), 12);
    assert_int_equal(kvm_relay_finish(guest, 0, "exited"), KVM_STATUS_PROTOCOL);
    assert_int_equal(take_records(mgr[0], got, 2), 1);
    assert_non_null(strstr(got[0].reason, "protocol"));
    close(mgr[0]);
    close(mgr[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ready_running_exit),
        cmocka_unit_test(test_report_when_keep_gave_no_reason),
        cmocka_unit_test(test_out_of_order_and_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
