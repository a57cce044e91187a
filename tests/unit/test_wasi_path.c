/* Unit tests of WASI path validation and host errno -> WASI errno mapping. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "wasi/wasi_impl.h"

static uint16_t check(const char *s)
{
    wasi_path p;
    uint16_t e = wasi_path_check((const uint8_t *)s, strlen(s), &p);
    if (e == WASI_ESUCCESS) {
        assert_non_null(p.str);
        assert_string_equal(p.str, s);
    } else {
        assert_null(p.str);
    }
    wasi_path_free(&p);
    return e;
}

static void test_plain_paths_pass(void **state)
{
    (void)state;
    assert_int_equal(check("a"), WASI_ESUCCESS);
    assert_int_equal(check("a/b/c.txt"), WASI_ESUCCESS);
    assert_int_equal(check("."), WASI_ESUCCESS);
    assert_int_equal(check("./a/./b"), WASI_ESUCCESS);
    assert_int_equal(check("a//b///"), WASI_ESUCCESS);
    assert_int_equal(check("a/../b"), WASI_ESUCCESS);
    assert_int_equal(check("a/b/../../c"), WASI_ESUCCESS);
    assert_int_equal(check("..."), WASI_ESUCCESS); /* a name, not a parent */
    assert_int_equal(check("..a/b.."), WASI_ESUCCESS);
}

static void test_escapes_are_not_capable(void **state)
{
    (void)state;
    assert_int_equal(check(".."), WASI_ENOTCAPABLE);
    assert_int_equal(check("../x"), WASI_ENOTCAPABLE);
    assert_int_equal(check("a/../.."), WASI_ENOTCAPABLE);
    assert_int_equal(check("a/../../b"), WASI_ENOTCAPABLE);
    assert_int_equal(check("./../a"), WASI_ENOTCAPABLE);
    assert_int_equal(check("a/./b/../../../etc/passwd"), WASI_ENOTCAPABLE);
    assert_int_equal(check("/etc/passwd"), WASI_ENOTCAPABLE);
    assert_int_equal(check("/"), WASI_ENOTCAPABLE);
}

static void test_bad_bytes_and_lengths(void **state)
{
    (void)state;
    wasi_path p;
    assert_int_equal(wasi_path_check((const uint8_t *)"", 0, &p), WASI_ENOENT);
    assert_int_equal(wasi_path_check((const uint8_t *)"a\0b", 3, &p), WASI_EILSEQ);
    static char longname[NAME_MAX + 2];
    memset(longname, 'x', NAME_MAX + 1);
    assert_int_equal(check(longname), WASI_ENAMETOOLONG);
    longname[NAME_MAX] = '\0';
    assert_int_equal(check(longname), WASI_ESUCCESS);
    static char longpath[PATH_MAX + 10];
    for (size_t i = 0; i < PATH_MAX + 8; i += 2)
        memcpy(longpath + i, "a/", 2);
    longpath[PATH_MAX + 8] = '\0';
    assert_int_equal(check(longpath), WASI_ENAMETOOLONG);
}

static void test_trailing_slash_is_noted(void **state)
{
    (void)state;
    wasi_path p;
    assert_int_equal(wasi_path_check((const uint8_t *)"dir/", 4, &p), WASI_ESUCCESS);
    assert_true(p.trailing_slash);
    wasi_path_free(&p);
    assert_int_equal(wasi_path_check((const uint8_t *)"dir/file", 8, &p), WASI_ESUCCESS);
    assert_false(p.trailing_slash);
    wasi_path_free(&p);
    /* The copy is bounded by the given length, not by a NUL in the guest's memory. */
    assert_int_equal(wasi_path_check((const uint8_t *)"abcdef", 3, &p), WASI_ESUCCESS);
    assert_string_equal(p.str, "abc");
    wasi_path_free(&p);
}

static void test_errno_mapping(void **state)
{
    (void)state;
    /* Numbers from the wasi_snapshot_preview1 witx definition of `errno`. */
    assert_int_equal(wasi_errno_from_host(0), 0);
    assert_int_equal(wasi_errno_from_host(E2BIG), 1);
    assert_int_equal(wasi_errno_from_host(EACCES), 2);
    assert_int_equal(wasi_errno_from_host(EAGAIN), 6);
    assert_int_equal(wasi_errno_from_host(EWOULDBLOCK), 6);
    assert_int_equal(wasi_errno_from_host(EBADF), 8);
    assert_int_equal(wasi_errno_from_host(EEXIST), 20);
    assert_int_equal(wasi_errno_from_host(EFAULT), 21);
    assert_int_equal(wasi_errno_from_host(EINTR), 27);
    assert_int_equal(wasi_errno_from_host(EINVAL), 28);
    assert_int_equal(wasi_errno_from_host(EISDIR), 31);
    assert_int_equal(wasi_errno_from_host(ELOOP), 32);
    assert_int_equal(wasi_errno_from_host(ENAMETOOLONG), 37);
    assert_int_equal(wasi_errno_from_host(ENOENT), 44);
    assert_int_equal(wasi_errno_from_host(ENOSPC), 51);
    assert_int_equal(wasi_errno_from_host(ENOSYS), 52);
    assert_int_equal(wasi_errno_from_host(ENOTDIR), 54);
    assert_int_equal(wasi_errno_from_host(ENOTEMPTY), 55);
    assert_int_equal(wasi_errno_from_host(ENOTSUP), 58);
    assert_int_equal(wasi_errno_from_host(EOPNOTSUPP), 58);
    assert_int_equal(wasi_errno_from_host(ENOTTY), 59);
    assert_int_equal(wasi_errno_from_host(EPERM), 63);
    assert_int_equal(wasi_errno_from_host(EPIPE), 64);
    assert_int_equal(wasi_errno_from_host(EROFS), 69);
    assert_int_equal(wasi_errno_from_host(ESPIPE), 70);
    assert_int_equal(wasi_errno_from_host(EXDEV), 75);
    /* Host errors WASI has no name for become EIO rather than a wrong specific code. */
    assert_int_equal(wasi_errno_from_host(ENOMEDIUM), WASI_EIO);
    assert_int_equal(wasi_errno_from_host(123456), WASI_EIO);
}

static void test_errno_names(void **state)
{
    (void)state;
    assert_string_equal(wasi_errno_name(WASI_ESUCCESS), "success");
    assert_string_equal(wasi_errno_name(WASI_ENOENT), "noent");
    assert_string_equal(wasi_errno_name(WASI_ENOTCAPABLE), "notcapable");
    assert_string_equal(wasi_errno_name(77), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_paths_pass),
        cmocka_unit_test(test_escapes_are_not_capable),
        cmocka_unit_test(test_bad_bytes_and_lengths),
        cmocka_unit_test(test_trailing_slash_is_noted),
        cmocka_unit_test(test_errno_mapping),
        cmocka_unit_test(test_errno_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
