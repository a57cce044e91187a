/* tcb_print.c: the burh tcb report as text, rendered from the same JSON --json prints. */
#include <string.h>

#include "tcb/tcb_internal.h"

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "-";
}

static long long num(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* A JSON array of strings on one wrapped line. */
static void print_names(FILE *out, const char *label, const json_t *arr)
{
    fprintf(out, "    %s (%zu):", label, json_array_size(arr));
    size_t i, col = 8 + strlen(label);
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *s = json_is_string(v)                    ? json_string_value(v)
                        : json_object_get(v, "name") != NULL ? str(v, "name")
                                                             : str(v, "path");
        if (col + strlen(s) > 96) {
            fprintf(out, "\n       ");
            col = 7;
        }
        fprintf(out, " %s", s);
        col += strlen(s) + 1;
    }
    fputc('\n', out);
}

static void print_binaries(FILE *out, const json_t *bins)
{
    size_t i, j;
    json_t *b, *lib;
    fprintf(out, "binaries (measured from the files):\n");
    json_array_foreach(bins, i, b)
    {
        if (!json_is_true(json_object_get(b, "present"))) {
            fprintf(out, "  %-14s MISSING (%s): %s\n", str(b, "name"), str(b, "why"),
                    str(b, "path"));
            continue;
        }
        const json_t *s = json_object_get(b, "strings"), *c = json_object_get(s, "categories");
        fprintf(out,
                "  %-14s %s; %lld bytes on disk, %lld bytes executable in memory, .text %lld\n",
                str(b, "name"), str(b, "linkage"), num(b, "file_bytes"), num(b, "exec_bytes"),
                num(b, "text_bytes"));
        fprintf(out,
                "    strings (4+ chars): %lld = %lld messages, %lld identifiers, %lld formats, "
                "%lld paths, %lld other\n",
                num(s, "total"), num(c, "messages"), num(c, "identifiers"), num(c, "formats"),
                num(c, "paths"), num(c, "other"));
        json_array_foreach(json_object_get(b, "needed"), j, lib)
            fprintf(out, "    needs %-28s .text %lld bytes (%s)\n", str(lib, "name"),
                    num(lib, "text_bytes"), str(lib, "path"));
    }
}

static void print_code(FILE *out, const json_t *r)
{
    const json_t *loc = json_object_get(r, "lines_of_code"), *build = json_object_get(r, "build");
    size_t i;
    json_t *c;
    fprintf(out, "lines of code (%s):\n", str(loc, "counted"));
    json_array_foreach(json_object_get(loc, "components"), i, c)
        fprintf(out, "  %-8s %-14s %6lld lines in %3lld files%s\n", str(c, "component"),
                str(c, "dir"), num(c, "lines"), num(c, "files"),
                json_is_true(json_object_get(c, "trusted")) ? "" : "  (outside the keep)");
    fprintf(out, "  trusted total %lld, untrusted %lld\n", num(loc, "trusted_total"),
            num(loc, "untrusted_total"));
    fprintf(out, "build: %s\n  cflags: %s\n  shim cflags: %s\n", str(build, "compiler"),
            str(build, "cflags"), str(build, "shim_cflags"));
    const json_t *linked = json_object_get(r, "linked_code");
    const char *key;
    json_t *t;
    json_object_foreach((json_t *)linked, key, t)
    {
        if (!json_is_true(json_object_get(t, "measured"))) {
            fprintf(out, "linked code of %s: not measured (%s)\n", key, str(t, "why"));
            continue;
        }
        fprintf(out, "linked code of %s (%s): %lld bytes\n", key, str(t, "source"),
                num(t, "total_code_bytes"));
        json_array_foreach(json_object_get(t, "static_parts"), i, c)
            fprintf(out, "  %-24s %8lld\n", str(c, "library"), num(c, "code_bytes"));
        const char *comp;
        json_t *bytes;
        if (json_object_get(t, "libburh_by_component"))
            fprintf(out, "  libburh.a by component:");
        json_object_foreach(json_object_get(t, "libburh_by_component"), comp, bytes)
            fprintf(out, " %s %lld", comp, (long long)json_integer_value(bytes));
        if (json_object_get(t, "libburh_by_component"))
            fputc('\n', out);
    }
}

static void print_api(FILE *out, const json_t *api)
{
    const json_t *hc = json_object_get(api, "hostcalls"), *wasi = json_object_get(api, "wasi");
    size_t i;
    json_t *c;
    fprintf(out,
            "API across the keep boundary:\n  hostcalls (kvm; ABI v%lld, shared block %lld "
            "bytes): %lld\n",
            num(hc, "abi_version"), num(hc, "shared_block_bytes"), num(hc, "count"));
    json_array_foreach(json_object_get(hc, "calls"), i, c)
    {
        if (!json_is_string(json_object_get(c, "params")))
            fprintf(out,
                    "    %2lld %-14s (its parameters are not described in src/tcb/tcb_api.c)\n",
                    num(c, "number"), str(c, "name"));
        else
            fprintf(out, "    %2lld %-14s (%s) in <= %lld, out <= %lld bytes\n", num(c, "number"),
                    str(c, "name"), str(c, "params"), num(c, "max_in_bytes"),
                    num(c, "max_out_bytes"));
    }
    fprintf(out, "  WASI functions offered to workloads (%s): %lld\n", str(wasi, "module"),
            num(wasi, "count"));
    print_names(out, "names", json_object_get(wasi, "functions"));
    json_array_foreach(json_object_get(json_object_get(api, "http"), "endpoints"), i, c)
        fprintf(out, "  %s %s: %s, at most %lld bytes\n", str(c, "method"), str(c, "path"),
                str(c, "request"), num(c, "max_request_bytes"));
}

static void print_io(FILE *out, const json_t *io)
{
    if (!json_is_true(json_object_get(io, "measured"))) {
        fprintf(out, "keep I/O: NOT MEASURED (%s); from the code: %s\n", str(io, "why"),
                str(io, "known_from_code"));
        return;
    }
    fprintf(out, "keep I/O, traced (%s; client exit %lld, loader exit %lld):\n", str(io, "method"),
            num(io, "client_exit"), num(io, "loader_exit"));
    size_t i;
    json_t *s;
    fprintf(out, "    sockets:");
    json_array_foreach(json_object_get(io, "sockets"), i, s)
        fprintf(out, " %s/%s", str(s, "domain"), str(s, "type"));
    fputc('\n', out);
    print_names(out, "binds", json_object_get(io, "binds"));
    print_names(out, "UNIX connects", json_object_get(io, "unix_connects"));
    print_names(out, "files opened", json_object_get(io, "files"));
    print_names(out, "libraries loaded", json_object_get(io, "libraries"));
}

/* kvm (and snp, tdx): how the figures were obtained, then the three lists. */
static void print_shim_syscalls(FILE *out, const json_t *sc)
{
    const char *method = str(sc, "method");
    const json_t *run = json_object_get(sc, "run");
    const json_t *stats = json_object_get(run, "stats");
    if (strcmp(method, "counted") == 0)
        fprintf(out,
                "  syscalls COUNTED in a kvm keep (%lld distinct, %lld calls; client exit %lld, "
                "keepldr exit %lld)\n",
                num(stats, "distinct"), num(stats, "calls"), num(run, "client_exit"),
                num(run, "loader_exit"));
    else if (strcmp(method, "derived") == 0)
        fprintf(out, "  syscalls DERIVED, not counted in a kvm keep (%s): %s\n",
                str(sc, "why_not_counted"), str(sc, "note"));
    else
        fprintf(out, "  syscalls NOT MEASURED (%s)\n", str(sc, "why_not_counted"));
    if (json_object_get(sc, "assumed"))
        fprintf(out, "    assumed: %s\n", str(sc, "assumed"));
    if (json_object_get(sc, "served_locally")) {
        print_names(out, "served in the shim", json_object_get(sc, "served_locally"));
        print_names(out, "forwarded to the host", json_object_get(sc, "forwarded_to_host"));
        print_names(out, "-ENOSYS in the shim", json_object_get(sc, "refused_enosys"));
    }
    print_names(out, "shim serves", json_object_get(sc, "shim_serves"));
    print_names(out, "shim forwards", json_object_get(sc, "shim_forwards"));
}

static void print_backend(FILE *out, const json_t *b)
{
    const json_t *tm = json_object_get(b, "threat_model"), *sc = json_object_get(b, "syscalls");
    const json_t *mem = json_object_get(b, "memory_shared_with_host");
    fprintf(out, "\n== backend %s: %s\n", str(b, "backend"), str(b, "keep_boundary"));
    fprintf(out, "  trusted: %s\n  protects: %s\n  NOT protected: %s\n", str(tm, "trusted"),
            str(tm, "protects"), str(tm, "not_protected"));
    print_names(out, "trusted burh binaries", json_object_get(b, "trusted_binaries"));
    const json_t *code = json_object_get(b, "keep_code_bytes");
    fprintf(out, "  executable code: %lld bytes = %lld of burh + %lld of libraries (%s)\n",
            num(code, "total_bytes"), num(code, "burh_binaries_exec_bytes"),
            num(code, "libraries_text_bytes"), str(code, "libraries_from"));
    fprintf(out, "  memory shared with the host: %s", str(mem, "what"));
    if (json_object_get(mem, "hostcall_block_bytes"))
        fprintf(out, " (%lld bytes)", num(mem, "hostcall_block_bytes"));
    const json_t *dma = json_object_get(b, "dma");
    fprintf(out, "\n  caches shared with the host: %s\n  DMA: %s\n",
            str(b, "caches_shared_with_host"), str(dma, "what"));
    if (json_object_get(dma, "how_known"))
        fprintf(out, "    %lld device references found by a %s\n",
                num(dma, "device_refs_in_host_code"), str(dma, "how_known"));
    if (json_object_get(sc, "payload"))
        fprintf(out, "  payload: %s\n", str(sc, "payload"));
    if (json_object_get(sc, "distinct")) {
        fprintf(out, "  syscalls: %s\n", str(sc, "note"));
        print_names(out, "distinct", json_object_get(sc, "distinct"));
    }
    if (json_object_get(sc, "method"))
        print_shim_syscalls(out, sc);
    fprintf(out, "  launch: %s\n", str(b, "launch"));
}

void burh_tcb_print(FILE *out, const json_t *r)
{
    size_t i;
    json_t *v;
    fprintf(out, "burh TCB report (%s), binaries from %s\n\n", str(r, "schema"), str(r, "bin_dir"));
    print_binaries(out, json_object_get(r, "binaries"));
    print_code(out, r);
    print_api(out, json_object_get(r, "api"));
    print_io(out, json_object_get(r, "io"));
    fprintf(out, "cryptography inside the keep (%s):\n",
            str(json_object_get(r, "crypto"), "library"));
    json_array_foreach(json_object_get(json_object_get(r, "crypto"), "operations"), i, v)
    {
        fprintf(out, "  %s: %s\n    constant time: %s\n", str(v, "operation"), str(v, "where"),
                str(v, "constant_time"));
        print_names(out, "symbols found in burh-wasmldr", json_object_get(v, "symbols_found"));
        print_names(out, "in burh-wasmldr-static", json_object_get(v, "symbols_found_static"));
    }
    json_array_foreach(json_object_get(r, "backends"), i, v) print_backend(out, v);
}
