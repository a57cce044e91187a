/* test_tcb_kvm_stats.c: the reader of a kvm keep's syscall counts (burh-keepldr --syscall-stats).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcb/tcb_kvm_stats.h"

/* As burh-keepldr writes it: sorted by name, one space between fields. */
static const char sample[] = "# burh kvm syscalls: 4 distinct, 31 calls\n"
                             "exit_group served 1\n"
                             "socket forwarded 1\n"
                             "syscall_334 refused 2\n"
                             "write forwarded 20\n"
                             "write served 7\n";

static burh_tcb_status parse(const char *text, burh_tcb_kvm_stats *st)
{
    return burh_tcb_kvm_stats_parse((const uint8_t *)text, strlen(text), st);
}

static bool name_is(const burh_tcb_kvm_syscall *e, const char *name)
{
    return e->name.len == strlen(name) && memcmp(e->name.ptr, name, e->name.len) == 0;
}

static void reads_the_keepldr_format(void **state)
{
    (void)state;
    burh_tcb_kvm_stats *st = malloc(sizeof *st);
    assert_non_null(st);
    assert_int_equal(parse(sample, st), BURH_TCB_OK);
    assert_int_equal(st->distinct_declared, 4);
    assert_int_equal(st->calls_declared, 31);
    assert_int_equal(st->distinct_names, 4);
    assert_int_equal(st->count, 5);
    assert_int_equal(st->error_line, 0);
    assert_true(name_is(&st->entries[2], "syscall_334"));
    assert_int_equal(st->entries[2].disposition, BURH_TCB_REFUSED);
    assert_int_equal(st->entries[3].count, 20);
    assert_int_equal(st->entries[4].disposition, BURH_TCB_SERVED);
    json_t *j = burh_tcb_kvm_stats_json(st);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "distinct")), 4);
    assert_int_equal(json_integer_value(json_object_get(j, "calls")), 31);
    json_t *fwd = json_object_get(j, "forwarded");
    assert_int_equal(json_array_size(fwd), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(fwd, 1), "name")),
                        "write");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(fwd, 1), "count")), 20);
    assert_int_equal(json_array_size(json_object_get(j, "served")), 2);
    assert_int_equal(json_array_size(json_object_get(j, "refused")), 1);
    json_decref(j);
    free(st);
}

static void accepts_layout_variants(void **state)
{
    (void)state;
    burh_tcb_kvm_stats *st = malloc(sizeof *st);
    assert_non_null(st);
    /* Aligned columns, tabs, CRLF, comments, blank lines, no final newline. */
    assert_int_equal(parse("# burh kvm syscalls: 2 distinct, 5 calls\r\n"
                           "# a comment the writer may add\n"
                           "\n"
                           "read      forwarded\t  3\r\n"
                           "   \t\n"
                           "brk       served       2",
                           st),
                     BURH_TCB_OK);
    assert_int_equal(st->count, 2);
    assert_true(name_is(&st->entries[1], "brk"));
    /* An empty run. */
    assert_int_equal(parse("# burh kvm syscalls: 0 distinct, 0 calls\n", st), BURH_TCB_OK);
    assert_int_equal(st->count, 0);
    /* N may count lines rather than names (both readings of "distinct"). */
    assert_int_equal(parse("# burh kvm syscalls: 2 distinct, 3 calls\n"
                           "write served 1\nwrite forwarded 2\n",
                           st),
                     BURH_TCB_OK);
    assert_int_equal(st->distinct_names, 1);
    free(st);
}

typedef struct bad_case {
    const char *text;
    burh_tcb_status want;
    uint32_t line;
} bad_case;

static void refuses_bad_files(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"", BURH_TCB_ERR_TRUNCATED, 1},
        {"write served 1\n", BURH_TCB_ERR_MALFORMED, 1},
        {"# burh kvm syscalls: 1 distinct\nwrite served 1\n", BURH_TCB_ERR_MALFORMED, 1},
        {"# burh kvm syscalls: -1 distinct, 1 calls\n", BURH_TCB_ERR_MALFORMED, 1},
        {"# burh kvm syscalls: 1 distinct, 99999999999999999999 calls\n", BURH_TCB_ERR_MALFORMED,
         1},
        {"# burh kvm syscalls: 1 distinct, 1 calls extra\n", BURH_TCB_ERR_MALFORMED, 1},
        {"# burh kvm syscalls: 1 distinct, 1 calls\nwrite sent 1\n", BURH_TCB_ERR_MALFORMED, 2},
        {"# burh kvm syscalls: 1 distinct, 0 calls\nwrite served 0\n", BURH_TCB_ERR_MALFORMED, 2},
        {"# burh kvm syscalls: 1 distinct, 1 calls\nwrite served +1\n", BURH_TCB_ERR_MALFORMED, 2},
        {"# burh kvm syscalls: 1 distinct, 1 calls\nWrite served 1\n", BURH_TCB_ERR_MALFORMED, 2},
        {"# burh kvm syscalls: 1 distinct, 1 calls\nwrite served\n", BURH_TCB_ERR_MALFORMED, 2},
        {"# burh kvm syscalls: 1 distinct, 1 calls\nwrite served 1 x\n", BURH_TCB_ERR_MALFORMED, 2},
        {"# burh kvm syscalls: 1 distinct, 2 calls\nwrite served 1\nwrite served 1\n",
         BURH_TCB_ERR_MALFORMED, 3},
        {"# burh kvm syscalls: 1 distinct, 2 calls\nwrite served 1\n", BURH_TCB_ERR_MALFORMED, 2},
        {"# burh kvm syscalls: 3 distinct, 1 calls\nwrite served 1\n", BURH_TCB_ERR_MALFORMED, 2},
        {"# burh kvm syscalls: 1 distinct, 1 calls\nwr\xc3\xa9te served 1\n",
         BURH_TCB_ERR_MALFORMED, 2},
        {"# burh kvm syscalls: 1 distinct, 1 calls\nwrite served 1\0\n", BURH_TCB_ERR_MALFORMED, 2},
    };
    burh_tcb_kvm_stats *st = malloc(sizeof *st);
    assert_non_null(st);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = strlen(cases[i].text);
        if (i == sizeof cases / sizeof cases[0] - 1)
            len += 2; /* the NUL and the newline after it are part of the input */
        burh_tcb_status got = burh_tcb_kvm_stats_parse((const uint8_t *)cases[i].text, len, st);
        if (got != cases[i].want || st->error_line != cases[i].line)
            fail_msg("case %zu: status %d line %u, want %d line %u", i, (int)got,
                     (unsigned)st->error_line, (int)cases[i].want, (unsigned)cases[i].line);
    }
    assert_int_equal(burh_tcb_kvm_stats_parse(NULL, 1, st), BURH_TCB_ERR_ARGUMENT);
    assert_int_equal(burh_tcb_kvm_stats_parse((const uint8_t *)"", 0, NULL), BURH_TCB_ERR_ARGUMENT);
    free(st);
}

static void long_names_and_too_many_lines(void **state)
{
    (void)state;
    burh_tcb_kvm_stats *st = malloc(sizeof *st);
    size_t cap = 64u * (BURH_TCB_KVM_STATS_MAX + 2u);
    char *text = malloc(cap);
    assert_non_null(st);
    assert_non_null(text);
    char name[BURH_TCB_SYSCALL_NAME_MAX + 2];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    snprintf(text, cap, "# burh kvm syscalls: 1 distinct, 1 calls\n%s served 1\n", name);
    assert_int_equal(parse(text, st), BURH_TCB_ERR_MALFORMED);
    name[BURH_TCB_SYSCALL_NAME_MAX] = '\0'; /* exactly the longest allowed */
    snprintf(text, cap, "# burh kvm syscalls: 1 distinct, 1 calls\n%s served 1\n", name);
    assert_int_equal(parse(text, st), BURH_TCB_OK);
    /* One line more than the table holds. */
    uint32_t n = BURH_TCB_KVM_STATS_MAX + 1u;
    size_t off = (size_t)snprintf(text, cap, "# burh kvm syscalls: %u distinct, %u calls\n",
                                  (unsigned)n, (unsigned)n);
    for (uint32_t i = 0; i < n; i++)
        off += (size_t)snprintf(text + off, cap - off, "syscall_%u served 1\n", (unsigned)i);
    assert_int_equal(parse(text, st), BURH_TCB_ERR_TOO_MANY);
    assert_int_equal(st->error_line, BURH_TCB_KVM_STATS_MAX + 2u);
    /* The largest table that fits is read, and its totals add up. */
    off = (size_t)snprintf(text, cap, "# burh kvm syscalls: %u distinct, %u calls\n",
                           (unsigned)(n - 1), (unsigned)(n - 1));
    for (uint32_t i = 0; i + 1 < n; i++)
        off += (size_t)snprintf(text + off, cap - off, "syscall_%u served 1\n", (unsigned)i);
    assert_int_equal(parse(text, st), BURH_TCB_OK);
    assert_int_equal(st->count, BURH_TCB_KVM_STATS_MAX);
    free(text);
    free(st);
}

/* Every prefix and every single-byte change of a valid file: an answer, never a crash. */
static void survives_truncation_and_flips(void **state)
{
    (void)state;
    burh_tcb_kvm_stats *st = malloc(sizeof *st);
    uint8_t buf[sizeof sample];
    assert_non_null(st);
    size_t len = sizeof sample - 1, ok = 0;
    for (size_t cut = 0; cut <= len; cut++)
        ok += burh_tcb_kvm_stats_parse((const uint8_t *)sample, cut, st) == BURH_TCB_OK;
    assert_true(ok >= 1); /* the whole file; a cut inside the last count breaks the total */
    for (size_t i = 0; i < len; i++) {
        for (int v = 0; v < 256; v += 17) {
            memcpy(buf, sample, len);
            buf[i] = (uint8_t)v;
            if (burh_tcb_kvm_stats_parse(buf, len, st) == BURH_TCB_OK) {
                json_t *j = burh_tcb_kvm_stats_json(st);
                assert_non_null(j);
                json_decref(j);
            } else {
                assert_true(st->error_line >= 1 && st->error_line <= 6);
            }
        }
    }
    free(st);
}

static void disposition_names(void **state)
{
    (void)state;
    assert_string_equal(burh_tcb_disposition_name(BURH_TCB_SERVED), "served");
    assert_string_equal(burh_tcb_disposition_name(BURH_TCB_FORWARDED), "forwarded");
    assert_string_equal(burh_tcb_disposition_name(BURH_TCB_REFUSED), "refused");
    assert_string_equal(burh_tcb_disposition_name(BURH_TCB_DISPOSITION_COUNT), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_the_keepldr_format),
        cmocka_unit_test(accepts_layout_variants),
        cmocka_unit_test(refuses_bad_files),
        cmocka_unit_test(long_names_and_too_many_lines),
        cmocka_unit_test(survives_truncation_and_flips),
        cmocka_unit_test(disposition_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
