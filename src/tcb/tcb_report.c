/* tcb_report.c: assembles the burh tcb report (its JSON shape is documented in docs/tcb.md). */
#include <string.h>

#include "tcb/tcb_facts.h"
#include "tcb/tcb_internal.h"

#define TCB_SCHEMA "burh-tcb/1"

/* Empty link tables for programs linked without gen/tcb_linkfacts.o (see mk/tcb.mk). */
__attribute__((weak)) const burh_tcb_link_fact burh_tcb_link_wasmldr[] = {{NULL, 0}};
__attribute__((weak)) const burh_tcb_link_fact burh_tcb_link_wasmldr_components[] = {{NULL, 0}};
__attribute__((weak)) const burh_tcb_link_fact burh_tcb_link_shim[] = {{NULL, 0}};
__attribute__((weak)) const burh_tcb_link_fact burh_tcb_link_wasmldr_static[] = {{NULL, 0}};
__attribute__((weak))
const burh_tcb_link_fact burh_tcb_link_wasmldr_static_components[] = {{NULL, 0}};

/* The -O... options of a flag string, e.g. "-O2" ("" if none). */
static json_t *optimisation(const char *flags)
{
    json_t *arr = json_array();
    const char *p = flags;
    while ((p = strstr(p, "-O")) != NULL) {
        if (p == flags || p[-1] == ' ') {
            size_t n = strcspn(p, " ");
            json_array_append_new(arr, json_stringn(p, n));
        }
        p += 2;
    }
    return arr;
}

static json_t *build_facts(void)
{
    return json_pack("{s:s,s:s,s:o,s:s,s:s,s:o}", "compiler", burh_tcb_facts_cc, "cflags",
                     burh_tcb_facts_cflags, "optimisation", optimisation(burh_tcb_facts_cflags),
                     "ldflags", burh_tcb_facts_ldflags, "shim_cflags", burh_tcb_facts_shim_cflags,
                     "shim_optimisation", optimisation(burh_tcb_facts_shim_cflags));
}

static json_t *lines_of_code(void)
{
    json_t *comps = json_array();
    json_int_t trusted = 0, untrusted = 0;
    for (const burh_tcb_loc_fact *l = burh_tcb_facts_loc; l->component; l++) {
        json_array_append_new(comps, json_pack("{s:s,s:s,s:b,s:i,s:I}", "component", l->component,
                                               "dir", l->dir, "trusted", l->trusted, "files",
                                               (int)l->files, "lines", (json_int_t)l->lines));
        if (l->trusted)
            trusted += (json_int_t)l->lines;
        else
            untrusted += (json_int_t)l->lines;
    }
    return json_pack("{s:s,s:I,s:I,s:o}", "counted",
                     "non-blank lines that are not only comment, at build time", "trusted_total",
                     trusted, "untrusted_total", untrusted, "components", comps);
}

static json_t *link_table(const burh_tcb_link_fact *t, const burh_tcb_link_fact *components,
                          const char *map)
{
    json_t *libs = json_array();
    json_int_t total = 0;
    for (; t->library != NULL; t++) {
        json_array_append_new(libs, json_pack("{s:s,s:I}", "library", t->library, "code_bytes",
                                              (json_int_t)t->code_bytes));
        total += (json_int_t)t->code_bytes;
    }
    if (json_array_size(libs) == 0) {
        json_decref(libs);
        return json_pack("{s:b,s:s}", "measured", 0, "why",
                         "no link map was embedded in this program (see mk/tcb.mk)");
    }
    json_t *table = json_pack("{s:b,s:s,s:I,s:o}", "measured", 1, "source", map, "total_code_bytes",
                              total, "static_parts", libs);
    if (components != NULL) {
        json_t *by = json_object();
        for (; components->library != NULL; components++)
            json_object_set_new(by, components->library,
                                json_integer((json_int_t)components->code_bytes));
        json_object_set_new(table, "libburh_by_component", by);
    }
    return table;
}

static json_t *binaries(const char *bin_dir)
{
    return json_pack(
        "[o,o,o,o]",
        tcb_measure_binary(bin_dir, "burh-wasmldr", "keep runtime (nil keep): trusted"),
        tcb_measure_binary(bin_dir, "burh-wasmldr-static",
                           "keep runtime (kvm keep), the same objects linked statically: trusted"),
        tcb_measure_binary(bin_dir, "burh-shim.elf", "kvm guest kernel: trusted"),
        tcb_measure_binary(bin_dir, "burh", "client: trusted by the tenant, outside the keep"));
}

static json_t *backends(const burh_tcb_options *opt, const json_t *trace, const json_t *bins,
                        const json_t *kvm_run)
{
    json_t *arr = json_array();
    for (int b = 0; arr != NULL && b < BURH_TCB_BACKEND_COUNT; b++) {
        if (opt->backends[b])
            json_array_append_new(arr, tcb_backend_view((burh_tcb_backend)b, trace, bins, kvm_run));
    }
    return arr;
}

/* The kvm keep's own syscall counts, run only when a backend that uses them is reported. */
static json_t *kvm_run(const burh_tcb_options *opt)
{
    bool wanted = false;
    for (int b = BURH_TCB_KVM; b < BURH_TCB_BACKEND_COUNT; b++)
        wanted |= opt->backends[b];
    return wanted ? tcb_measure_kvm_syscalls(opt)
                  : json_pack("{s:b,s:s}", "counted", 0, "why", "no kvm, snp or tdx backend asked");
}

static json_t *linked_code(void)
{
    return json_pack(
        "{s:o,s:o,s:o}", "burh-wasmldr",
        link_table(burh_tcb_link_wasmldr, burh_tcb_link_wasmldr_components,
                   "GNU ld map of burh-wasmldr's link"),
        "burh-wasmldr-static",
        link_table(burh_tcb_link_wasmldr_static, burh_tcb_link_wasmldr_static_components,
                   "GNU ld map of burh-wasmldr-static's link (mk/shim.mk's static link)"),
        "burh-shim.elf", link_table(burh_tcb_link_shim, NULL, "GNU ld map of the shim's link"));
}

/* The trace, with the .text size of every library the loader loaded (transitively). */
static json_t *io_view(const json_t *trace)
{
    if (!json_is_true(json_object_get(trace, "measured")))
        return json_pack("{s:b,s:O,s:s}", "measured", 0, "why", json_object_get(trace, "why"),
                         "known_from_code",
                         "one TCP listener (--listen, default 127.0.0.1), one status pipe, "
                         "files under a private temporary directory, /proc/self/status");
    json_t *io = json_deep_copy(trace), *libs = json_array();
    json_int_t total = 0;
    size_t i;
    json_t *path;
    json_array_foreach(json_object_get(trace, "libraries"), i, path)
    {
        char resolved[1024];
        int64_t text = tcb_library_text_bytes(json_string_value(path), resolved, sizeof resolved);
        json_array_append_new(libs, json_pack("{s:O,s:I}", "path", path, "text_bytes",
                                              (json_int_t)(text > 0 ? text : 0)));
        total += text > 0 ? text : 0;
    }
    json_object_set_new(io, "libraries", libs);
    json_object_set_new(io, "libraries_text_bytes", json_integer(total));
    return io;
}

json_t *burh_tcb_report(const burh_tcb_options *opt)
{
    if (opt == NULL || opt->bin_dir == NULL || opt->workload == NULL)
        return NULL;
    json_t *bins = binaries(opt->bin_dir);
    json_t *trace = tcb_measure_trace(opt);
    json_t *kvm = kvm_run(opt);
    if (bins == NULL || trace == NULL || kvm == NULL) {
        json_decref(bins);
        json_decref(trace);
        json_decref(kvm);
        return NULL;
    }
    json_t *io = io_view(trace);
    json_t *report =
        json_pack("{s:s,s:s,s:o,s:o,s:O,s:o,s:o,s:o,s:o,s:o}", "schema", TCB_SCHEMA, "bin_dir",
                  opt->bin_dir, "build", build_facts(), "lines_of_code", lines_of_code(),
                  "binaries", bins, "linked_code", linked_code(), "api", tcb_api(), "io", io,
                  "crypto", tcb_crypto(opt->bin_dir), "backends", backends(opt, io, bins, kvm));
    json_decref(bins);
    json_decref(trace);
    json_decref(kvm);
    return report;
}
