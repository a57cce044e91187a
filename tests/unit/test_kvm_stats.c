/* test_kvm_stats.c: the kvm keep's syscall counters: the shim's table is checked like any reply
 * and written in the exact text format `burh tcb` reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "host/kvm.h"

/* Writes the table to memory and returns the text (caller frees), or NULL if the writer failed. */
static char *write_text(const struct burh_sc_stat *s, uint32_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    int rc = kvm_stats_write(f, s, n);
    fclose(f);
    if (rc != 0) {
        free(text);
        return NULL;
    }
    return text;
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(kvm_syscall_name(0), "read");
    assert_string_equal(kvm_syscall_name(1), "write");
    assert_string_equal(kvm_syscall_name(15), "rt_sigreturn");
    assert_string_equal(kvm_syscall_name(231), "exit_group");
    assert_string_equal(kvm_syscall_name(262), "newfstatat");
    assert_string_equal(kvm_syscall_name(435), "clone3");
    assert_null(kvm_syscall_name(511));
    assert_null(kvm_syscall_name(100000));
}

static void test_empty_table(void **state)
{
    (void)state;
    char *text = write_text(NULL, 0);
    assert_non_null(text);
    assert_string_equal(text, "# burh kvm syscalls: 0 distinct, 0 calls\n");
    free(text);
}

/* Sorted by name, then disposition; unknown numbers as syscall_N; one syscall with two
 * dispositions counts once among the distinct ones. */
static void test_format_and_order(void **state)
{
    (void)state;
    const struct burh_sc_stat s[] = {
        {1, BURH_SC_FORWARDED, 3},          {3, BURH_SC_SERVED, 2},    {3, BURH_SC_FORWARDED, 4},
        {231, BURH_SC_SERVED, 1},           {334, BURH_SC_REFUSED, 1}, {500, BURH_SC_REFUSED, 7},
        {511, BURH_SC_SERVED, 4000000000u},
    };
    char *text = write_text(s, 7);
    assert_non_null(text);
    assert_string_equal(text, "# burh kvm syscalls: 6 distinct, 4000000018 calls\n"
                              "close forwarded 4\n"
                              "close served 2\n"
                              "exit_group served 1\n"
                              "rseq refused 1\n"
                              "syscall_500 refused 7\n"
                              "syscall_511 served 4000000000\n"
                              "write forwarded 3\n");
    free(text);
}

static void test_check_refuses_bad_tables(void **state)
{
    (void)state;
    const struct burh_sc_stat good[] = {{0, BURH_SC_SERVED, 1}, {0, BURH_SC_REFUSED, 1}};
    assert_int_equal(kvm_stats_check(good, 2), 0);
    const struct burh_sc_stat big_nr[] = {{BURH_SC_NR_MAX, BURH_SC_SERVED, 1}};
    assert_int_equal(kvm_stats_check(big_nr, 1), -1);
    const struct burh_sc_stat bad_disp[] = {{1, 3, 1}};
    assert_int_equal(kvm_stats_check(bad_disp, 1), -1);
    const struct burh_sc_stat zero[] = {{1, BURH_SC_SERVED, 0}};
    assert_int_equal(kvm_stats_check(zero, 1), -1);
    const struct burh_sc_stat dup[] = {{1, BURH_SC_SERVED, 1}, {1, BURH_SC_SERVED, 1}};
    assert_int_equal(kvm_stats_check(dup, 2), -1);
    const struct burh_sc_stat order[] = {{2, BURH_SC_SERVED, 1}, {1, BURH_SC_SERVED, 1}};
    assert_int_equal(kvm_stats_check(order, 2), -1);
    const struct burh_sc_stat order2[] = {{2, BURH_SC_REFUSED, 1}, {2, BURH_SC_SERVED, 1}};
    assert_int_equal(kvm_stats_check(order2, 2), -1);
    assert_int_equal(kvm_stats_check(good, BURH_SC_STATS_MAX + 1), -1);
    assert_null(write_text(dup, 2)); /* the writer checks too */
}

/* The largest table the shim can send: every number in every disposition. */
static void test_full_table(void **state)
{
    (void)state;
    static struct burh_sc_stat s[BURH_SC_STATS_MAX];
    for (uint32_t i = 0; i < BURH_SC_STATS_MAX; i++)
        s[i] = (struct burh_sc_stat){(uint16_t)(i / 3), (uint16_t)(i % 3), 1};
    assert_int_equal(kvm_stats_check(s, BURH_SC_STATS_MAX), 0);
    char *text = write_text(s, BURH_SC_STATS_MAX);
    assert_non_null(text);
    assert_non_null(strstr(text, "# burh kvm syscalls: 512 distinct, 1536 calls\n"));
    size_t lines = 0;
    for (const char *c = text; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 1 + BURH_SC_STATS_MAX);
    free(text);
}

static void test_write_error(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    setvbuf(f, NULL, _IONBF, 0);
    const struct burh_sc_stat s[] = {{1, BURH_SC_FORWARDED, 3}};
    assert_int_equal(kvm_stats_write(f, s, 1), -1);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_empty_table),
        cmocka_unit_test(test_format_and_order),
        cmocka_unit_test(test_check_refuses_bad_tables),
        cmocka_unit_test(test_full_table),
        cmocka_unit_test(test_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
