/* test_wasmldr_http_guard.c: the request-head scanner behind the early CBOR 413. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "keep/http_guard.h"

#define LIMIT 4096u

/* Feeds `head` in pieces of `step` bytes; returns the verdict and the bytes it used. */
static int scan(const char *head, size_t step, size_t *used_total)
{
    http_head_scan s;
    http_head_scan_init(&s, LIMIT);
    size_t len = strlen(head);
    *used_total = 0;
    for (size_t at = 0; at < len; at += step) {
        size_t n = len - at < step ? len - at : step, used = 0;
        int r = http_head_scan_feed(&s, head + at, n, &used);
        *used_total += used;
        if (r != 0)
            return r;
        assert_int_equal(used, n);
    }
    return 0;
}

/* The same verdict whatever the pieces the head arrives in. */
static int verdict(const char *head)
{
    size_t used_first = 0, used = 0;
    int first = scan(head, strlen(head), &used_first);
    for (size_t step = 1; step < 9; step++) {
        assert_int_equal(scan(head, step, &used), first);
        assert_int_equal(used, used_first);
    }
    return first;
}

static void test_content_length_over_and_under(void **state)
{
    (void)state;
    assert_int_equal(verdict("POST /v1/keeps HTTP/1.1\r\nContent-Length: 4097\r\n\r\n"), 1);
    assert_int_equal(verdict("POST /v1/keeps HTTP/1.1\r\nContent-Length: 4096\r\n\r\n"), -1);
    assert_int_equal(verdict("POST / HTTP/1.1\r\nHost: x\r\ncOnTeNt-LeNgTh:\t 999999 \r\n\r\n"), 1);
    assert_int_equal(verdict("POST / HTTP/1.1\nContent-Length:5000\n\n"), 1); /* bare LFs */
    assert_int_equal(verdict("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), -1);       /* no length */
    /* far past any integer type: saturates, still over */
    assert_int_equal(verdict("POST / HTTP/1.1\r\nContent-Length: "
                             "99999999999999999999999999999999999999999\r\n\r\n"),
                     1);
    /* any of two lengths over the limit */
    assert_int_equal(
        verdict("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 10000\r\n\r\n"), 1);
}

static void test_not_a_length(void **state)
{
    (void)state;
    /* malformed values are evhttp's to refuse; the guard does not guess */
    assert_int_equal(verdict("POST / HTTP/1.1\r\nContent-Length: 12 34567\r\n\r\n"), -1);
    assert_int_equal(verdict("POST / HTTP/1.1\r\nContent-Length: -99999\r\n\r\n"), -1);
    assert_int_equal(verdict("POST / HTTP/1.1\r\nContent-Length: 0x99999\r\n\r\n"), -1);
    assert_int_equal(verdict("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n"), -1);
    /* other headers that merely contain the name */
    assert_int_equal(verdict("POST / HTTP/1.1\r\nX-Content-Length: 99999\r\n\r\n"), -1);
    assert_int_equal(verdict("POST / HTTP/1.1\r\nContent-Lengths: 99999\r\n\r\n"), -1);
    /* the request line is not a header */
    assert_int_equal(verdict("Content-Length: 99999 HTTP/1.1\r\n\r\n"), -1);
}

static void test_head_boundaries(void **state)
{
    (void)state;
    /* blank lines before the request line are skipped, as evhttp does */
    assert_int_equal(verdict("\r\n\r\nPOST / HTTP/1.1\r\nContent-Length: 99999\r\n\r\n"), 1);
    /* the scan stops at the end of the head: a body that looks like a header is not read */
    size_t used = 0;
    const char *req = "POST / HTTP/1.1\r\nContent-Length: 40\r\n\r\nContent-Length: 99999\r\n\r\n";
    assert_int_equal(scan(req, strlen(req), &used), -1);
    assert_int_equal(used, strlen("POST / HTTP/1.1\r\nContent-Length: 40\r\n\r\n"));
    /* an unfinished head needs more bytes */
    assert_int_equal(scan("POST / HTTP/1.1\r\nContent-Length: 99999\r\n", 3, &used), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_length_over_and_under),
        cmocka_unit_test(test_not_a_length),
        cmocka_unit_test(test_head_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
