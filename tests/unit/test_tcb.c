/* test_tcb.c: burh tcb's ELF reader, strings counter, strace parser and build-time facts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "burh/hostcall_abi.h"
#include "burh/tcb.h"
#include "tcb/tcb_facts.h"
#include "tcb/tcb_internal.h"

/* ---- a hand-made ELF: header, PT_LOAD (R+X), PT_LOAD (RW, holds dynamic and strtab),
 * PT_DYNAMIC; two DT_NEEDED names ---- */
#define ELF_LEN    0x400u
#define PH_OFF     0x40u
#define DYN_OFF    0x200u
#define STR_OFF    0x300u
#define DATA_VADDR 0x10000u

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static void put_phdr(uint8_t *ph, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
                     uint64_t filesz, uint64_t memsz)
{
    put32(ph, type);
    put32(ph + 4, flags);
    put64(ph + 8, off);
    put64(ph + 16, vaddr);
    put64(ph + 32, filesz);
    put64(ph + 40, memsz);
}

static void make_elf(uint8_t *e)
{
    memset(e, 0, ELF_LEN);
    memcpy(e, "\177ELF", 4);
    e[4] = 2; /* ELFCLASS64 */
    e[5] = 1; /* little-endian */
    e[6] = 1;
    put16(e + 0x10, 3); /* ET_DYN */
    put64(e + 0x20, PH_OFF);
    put16(e + 0x36, 56);
    put16(e + 0x38, 3);
    put_phdr(e + PH_OFF, 1, 5, 0, 0, 0x100, 0x1234);                       /* PT_LOAD R+X */
    put_phdr(e + PH_OFF + 56, 1, 6, DYN_OFF, DATA_VADDR, 0x200, 0x200);    /* PT_LOAD RW */
    put_phdr(e + PH_OFF + 112, 2, 6, DYN_OFF, DATA_VADDR, 5 * 16, 5 * 16); /* PT_DYNAMIC */
    static const char strtab[] = "\0libfoo.so.1\0libc.so.6\0";
    memcpy(e + STR_OFF, strtab, sizeof strtab);
    uint64_t dyn[][2] = {
        {1, 1}, {1, 13}, {5, DATA_VADDR + (STR_OFF - DYN_OFF)}, {10, sizeof strtab}, {0, 0}};
    for (size_t i = 0; i < 5; i++) {
        put64(e + DYN_OFF + i * 16, dyn[i][0]);
        put64(e + DYN_OFF + i * 16 + 8, dyn[i][1]);
    }
}

static void elf_reads_needed_and_code(void **state)
{
    (void)state;
    uint8_t e[ELF_LEN];
    make_elf(e);
    burh_tcb_elf_info info;
    assert_int_equal(burh_tcb_elf_parse(e, sizeof e, &info), BURH_TCB_OK);
    assert_true(info.has_dynamic);
    assert_false(info.has_interp);
    assert_int_equal(info.exec_bytes, 0x1234);
    assert_int_equal(info.needed_count, 2);
    assert_int_equal(info.needed[0].len, strlen("libfoo.so.1"));
    assert_memory_equal(info.needed[0].ptr, "libfoo.so.1", info.needed[0].len);
    assert_memory_equal(info.needed[1].ptr, "libc.so.6", info.needed[1].len);
}

static void elf_refuses_bad_input(void **state)
{
    (void)state;
    uint8_t e[ELF_LEN];
    burh_tcb_elf_info info;
    make_elf(e);
    e[4] = 1; /* 32-bit */
    assert_int_equal(burh_tcb_elf_parse(e, sizeof e, &info), BURH_TCB_ERR_NOT_ELF);
    make_elf(e);
    put16(e + 0x38, 0xffff); /* more program headers than the file holds */
    assert_int_equal(burh_tcb_elf_parse(e, sizeof e, &info), BURH_TCB_ERR_TRUNCATED);
    make_elf(e);
    put64(e + DYN_OFF + 8, 0x7fffffffffffffffull); /* DT_NEEDED name far past the strtab */
    assert_int_equal(burh_tcb_elf_parse(e, sizeof e, &info), BURH_TCB_ERR_TRUNCATED);
    make_elf(e);
    put64(e + DYN_OFF + 2 * 16 + 8, 0x999999); /* DT_STRTAB in no segment */
    assert_int_equal(burh_tcb_elf_parse(e, sizeof e, &info), BURH_TCB_ERR_MALFORMED);
    make_elf(e);
    put64(e + PH_OFF + 40, UINT64_MAX); /* memsz that would overflow the sum */
    put_phdr(e + PH_OFF + 112, 1, 5, 0, 0, 0, 16);
    assert_int_equal(burh_tcb_elf_parse(e, sizeof e, &info), BURH_TCB_ERR_MALFORMED);
    assert_int_equal(burh_tcb_elf_parse(NULL, 4, &info), BURH_TCB_ERR_ARGUMENT);
}

/* Every prefix and every single-byte corruption gives an answer, never a crash (ASan). */
static void elf_survives_truncation_and_flips(void **state)
{
    (void)state;
    uint8_t e[ELF_LEN];
    burh_tcb_elf_info info;
    make_elf(e);
    for (size_t n = 0; n < ELF_LEN; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, e, n);
        burh_tcb_status st = burh_tcb_elf_parse(copy, n, &info);
        assert_true(st != BURH_TCB_OK || n >= STR_OFF);
        free(copy);
    }
    for (size_t i = 0; i < ELF_LEN; i++) {
        make_elf(e);
        e[i] ^= 0xff;
        (void)burh_tcb_elf_parse(e, sizeof e, &info);
    }
}

static void elf_reads_own_binary(void **state)
{
    (void)state;
    uint8_t *bytes;
    size_t len;
    assert_int_equal(tcb_read_file("/proc/self/exe", 1u << 30, &bytes, &len), BURH_TCB_OK);
    burh_tcb_elf_info info;
    assert_int_equal(burh_tcb_elf_parse(bytes, len, &info), BURH_TCB_OK);
    assert_true(info.has_interp);
    assert_true(info.exec_bytes >= info.text_bytes && info.text_bytes > 0);
    bool libc = false;
    for (uint32_t i = 0; i < info.needed_count; i++)
        libc |= info.needed[i].len == 9 && memcmp(info.needed[i].ptr, "libc.so.6", 9) == 0;
    assert_true(libc);
    free(bytes);
    assert_int_equal(tcb_read_file("/nonexistent/x", 1u << 30, &bytes, &len), BURH_TCB_ERR_IO);
    assert_null(bytes);
}

/* Symbols by name through .symtab/.dynsym: defined ones, imported ones, and no substrings. */
static void elf_finds_symbols(void **state)
{
    (void)state;
    uint8_t *bytes;
    size_t len;
    assert_int_equal(tcb_read_file("/proc/self/exe", 1u << 30, &bytes, &len), BURH_TCB_OK);
    assert_true(tcb_elf_has_symbol(bytes, len, "elf_finds_symbols"));       /* defined here */
    assert_true(tcb_elf_has_symbol(bytes, len, "_cmocka_run_group_tests")); /* imported */
    assert_false(tcb_elf_has_symbol(bytes, len, "elf_finds_symbol"));       /* a prefix only */
    assert_false(tcb_elf_has_symbol(bytes, len, "lf_finds_symbols"));       /* a suffix only */
    assert_false(tcb_elf_has_symbol(bytes, len, "no_such_symbol_in_test_tcb"));
    /* Cut anywhere (sampled), the file still gets an answer and never a read past its end. */
    for (size_t cut = 0; cut < len; cut += len / 97 + 1)
        (void)tcb_elf_has_symbol(bytes, cut, "elf_finds_symbols");
    assert_false(tcb_elf_has_symbol(bytes, 63, "elf_finds_symbols"));
    assert_false(tcb_elf_has_symbol(NULL, 0, "x"));
    free(bytes);
}

static void strings_counts_and_sorts(void **state)
{
    (void)state;
    static const uint8_t blob[] = "abc\0/etc/passwd\0bad value %d\0no such file\0"
                                  "SSL_CTX_new\0\x01\x02xyzw!!\0a\tb c\0\x7f\x80"
                                  "1234";
    burh_tcb_strings s;
    burh_tcb_strings_count(blob, sizeof blob - 1, &s);
    assert_int_equal(s.total, 7); /* "abc" is too short */
    assert_int_equal(s.paths, 1);
    assert_int_equal(s.formats, 1);
    assert_int_equal(s.messages, 2); /* "no such file", "a\tb c" */
    assert_int_equal(s.identifiers, 1);
    assert_int_equal(s.other, 2); /* "xyzw!!", "1234" (at the very end) */
    burh_tcb_strings_count(NULL, 10, &s);
    assert_int_equal(s.total, 0);
}

static const char trace_text[] =
    "100 execve(\"/bin/burh-wasmldr\", [\"x\"], 0x7ffd /* 3 vars */) = 0\n"
    "100 openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3\n"
    "100 openat(AT_FDCWD, \"/lib/x86_64-linux-gnu/libc.so.6\", O_RDONLY|O_CLOEXEC) = 3\n"
    "100 openat(AT_FDCWD, \"/nope\", O_RDONLY) = -1 ENOENT (No such file or directory)\n"
    "100 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 9\n"
    "100 bind(9, {sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = "
    "0\n"
    "100 connect(11, {sa_family=AF_UNIX, sun_path=\"/var/run/nscd/socket\"}, 110) = -1 ENOENT\n"
    "101 read(3,  <unfinished ...>\n"
    "100 write(1, \"hi\", 2) = 2\n"
    "101 <... read resumed>\"x\", 1) = 1\n"
    "100 --- SIGCHLD {si_signo=SIGCHLD} ---\n"
    "100 +++ exited with 0 +++\n"
    "garbage line without a call\n"
    "100 write(1, \"again\", 5) = 5";

static void trace_parses_calls_files_sockets(void **state)
{
    (void)state;
    json_t *t = burh_tcb_trace_parse((const uint8_t *)trace_text, strlen(trace_text));
    assert_non_null(t);
    assert_int_equal(json_integer_value(json_object_get(t, "lines")), 10);
    json_t *calls = json_object_get(t, "syscalls");
    assert_int_equal(json_array_size(calls), 7);
    static const char *const want[] = {"bind", "connect", "execve", "openat",
                                       "read", "socket",  "write"};
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(json_string_value(json_array_get(calls, i)), want[i]);
    json_t *files = json_object_get(t, "files");
    assert_int_equal(json_array_size(files), 3);
    json_t *nope = json_array_get(files, 2);
    assert_string_equal(json_string_value(json_object_get(nope, "path")), "/nope");
    assert_string_equal(json_string_value(json_object_get(nope, "result")), "error");
    json_t *libs = json_object_get(t, "libraries");
    assert_int_equal(json_array_size(libs), 1); /* ld.so.cache is not a library */
    json_t *sock = json_array_get(json_object_get(t, "sockets"), 0);
    assert_string_equal(json_string_value(json_object_get(sock, "domain")), "AF_INET");
    assert_string_equal(json_string_value(json_object_get(sock, "type")), "SOCK_STREAM");
    json_t *unix_c = json_array_get(json_object_get(t, "unix_connects"), 0);
    assert_string_equal(json_string_value(json_object_get(unix_c, "path")), "/var/run/nscd/socket");
    assert_int_equal(json_array_size(json_object_get(t, "binds")), 1);
    json_decref(t);
}

static void trace_survives_junk(void **state)
{
    (void)state;
    char junk[512];
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof junk; i++)
            junk[i] = (char)((i * 7919u + (size_t)round * 104729u) >> 3);
        json_t *t = burh_tcb_trace_parse((const uint8_t *)junk, sizeof junk);
        assert_non_null(t);
        json_decref(t);
    }
    for (size_t n = 0; n <= strlen(trace_text); n += 7) {
        json_t *t = burh_tcb_trace_parse((const uint8_t *)trace_text, n);
        assert_non_null(t);
        json_decref(t);
    }
    json_t *t = burh_tcb_trace_parse(NULL, 0);
    assert_int_equal(json_array_size(json_object_get(t, "syscalls")), 0);
    json_decref(t);
}

static void facts_match_the_headers(void **state)
{
    (void)state;
    size_t n = 0;
    for (const burh_tcb_hostcall_fact *h = burh_tcb_facts_hostcalls; h->name; h++, n++)
        assert_int_equal(h->number, n + 1);
    assert_int_equal(n, BURH_HC_COUNT - 1);
    bool fd_write = false;
    for (const burh_tcb_wasi_fact *w = burh_tcb_facts_wasi; w->name; w++)
        fd_write |= strcmp(w->name, "fd_write") == 0 && strcmp(w->params, "iiii") == 0;
    assert_true(fd_write);
    uint64_t trusted = 0;
    for (const burh_tcb_loc_fact *l = burh_tcb_facts_loc; l->component; l++)
        trusted += l->trusted ? l->lines : 0;
    assert_true(trusted > 1000);
    assert_non_null(strstr(burh_tcb_facts_cflags, "-O"));
    assert_non_null(burh_tcb_facts_shim_served[0]);
    assert_non_null(burh_tcb_facts_shim_forwarded[0]);
}

/* A hostcall added to the ABI without its shape in tcb_api.c would be reported as unknown. */
static void api_describes_every_hostcall(void **state)
{
    (void)state;
    json_t *api = tcb_api();
    assert_non_null(api);
    json_t *hc = json_object_get(api, "hostcalls");
    assert_int_equal(json_integer_value(json_object_get(hc, "count")), BURH_HC_COUNT - 1);
    size_t i;
    json_t *call;
    json_array_foreach(json_object_get(hc, "calls"), i, call)
    {
        if (!json_is_string(json_object_get(call, "params")))
            fail_msg("hostcall %s has no shape in src/tcb/tcb_api.c",
                     json_string_value(json_object_get(call, "name")));
        assert_true(json_integer_value(json_object_get(call, "max_in_bytes")) <= BURH_HC_DATA_MAX);
        assert_true(json_integer_value(json_object_get(call, "max_out_bytes")) <= BURH_HC_DATA_MAX);
    }
    json_decref(api);
}

/* The kvm view uses the keep's own counts when there are some, else the nil trace, and says
 * which; snp and tdx repeat it as an assumption. */
static void kvm_view_says_how_syscalls_were_measured(void **state)
{
    (void)state;
    json_t *trace =
        json_pack("{s:b,s:[s,s,s]}", "measured", 1, "syscalls", "bind", "write", "no_such_call");
    json_t *bins = json_array();
    json_t *counted =
        json_pack("{s:b,s:s,s:i,s:{s:i,s:i,s:[{s:s,s:i}],s:[{s:s,s:i},{s:s,s:i}],s:[]}}", "counted",
                  1, "method", "counted by the shim", "client_exit", 0, "stats", "distinct", 2,
                  "calls", 6, "served", "name", "write", "count", 1, "forwarded", "name", "write",
                  "count", 2, "name", "bind", "count", 3, "refused");
    assert_non_null(counted);
    json_t *view = tcb_backend_view(BURH_TCB_KVM, trace, bins, counted);
    json_t *sc = json_object_get(view, "syscalls");
    assert_string_equal(json_string_value(json_object_get(sc, "method")), "counted");
    assert_int_equal(json_array_size(json_object_get(sc, "served_locally")), 1);
    assert_int_equal(json_array_size(json_object_get(sc, "forwarded_to_host")), 2);
    assert_int_equal(json_array_size(json_object_get(sc, "refused_enosys")), 0);
    assert_null(json_object_get(sc, "assumed"));
    json_decref(view);

    json_t *uncounted = json_pack("{s:b,s:s}", "counted", 0, "why", "no kvm here");
    view = tcb_backend_view(BURH_TCB_SNP, trace, bins, uncounted);
    sc = json_object_get(view, "syscalls");
    assert_string_equal(json_string_value(json_object_get(sc, "method")), "derived");
    assert_string_equal(json_string_value(json_object_get(sc, "why_not_counted")), "no kvm here");
    assert_non_null(json_object_get(sc, "assumed"));
    size_t sorted = json_array_size(json_object_get(sc, "served_locally")) +
                    json_array_size(json_object_get(sc, "forwarded_to_host")) +
                    json_array_size(json_object_get(sc, "refused_enosys"));
    assert_int_equal(sorted, 3);
    json_t *unknown = json_object_get(sc, "refused_enosys");
    assert_string_equal(json_string_value(json_array_get(unknown, 0)), "no_such_call");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(view, "trusted_binaries"), 1)),
        "burh-wasmldr-static");
    json_decref(view);

    json_t *untraced = json_pack("{s:b}", "measured", 0);
    view = tcb_backend_view(BURH_TCB_KVM, untraced, bins, uncounted);
    sc = json_object_get(view, "syscalls");
    assert_string_equal(json_string_value(json_object_get(sc, "method")), "not measured");
    assert_null(json_object_get(sc, "served_locally"));
    json_decref(view);
    json_decref(untraced);
    json_decref(uncounted);
    json_decref(counted);
    json_decref(bins);
    json_decref(trace);
}

static void report_without_binaries_says_missing(void **state)
{
    (void)state;
    burh_tcb_options opt = {.bin_dir = "/nonexistent-burh-bin",
                            .workload = "/none.wasm",
                            .backends = {true, true, false, false}};
    json_t *r = burh_tcb_report(&opt);
    assert_non_null(r);
    json_t *bin = json_array_get(json_object_get(r, "binaries"), 0);
    assert_false(json_is_true(json_object_get(bin, "present")));
    assert_null(json_object_get(bin, "file_bytes"));
    json_t *io = json_object_get(r, "io");
    assert_false(json_is_true(json_object_get(io, "measured")));
    assert_int_equal(json_array_size(json_object_get(r, "backends")), 2);
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(elf_reads_needed_and_code),
        cmocka_unit_test(elf_refuses_bad_input),
        cmocka_unit_test(elf_survives_truncation_and_flips),
        cmocka_unit_test(elf_reads_own_binary),
        cmocka_unit_test(elf_finds_symbols),
        cmocka_unit_test(strings_counts_and_sorts),
        cmocka_unit_test(trace_parses_calls_files_sockets),
        cmocka_unit_test(trace_survives_junk),
        cmocka_unit_test(facts_match_the_headers),
        cmocka_unit_test(api_describes_every_hostcall),
        cmocka_unit_test(kvm_view_says_how_syscalls_were_measured),
        cmocka_unit_test(report_without_binaries_says_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
