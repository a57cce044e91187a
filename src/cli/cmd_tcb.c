/* `burh tcb`: measures and prints burh's trusted computing base per backend (docs/tcb.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "burh/tcb.h"

#include "cli/cli.h"

static const char tcb_help[] =
    "usage: burh tcb [--backend nil|kvm|snp|tdx] [--json] [--bin-dir DIR] [--workload F]\n"
    "                [--no-trace]\n"
    "\n"
    "Measures burh's trusted computing base from the installed binaries and the facts\n"
    "embedded at build time: threat model, API across the keep boundary, sockets and\n"
    "files, libraries, lines of code, code sizes, shared memory, syscalls, strings and\n"
    "cryptography, per backend (all four unless --backend is given; repeatable).\n"
    "\n"
    "options:\n"
    "  --backend B     report backend B (nil, kvm, snp or tdx)\n"
    "  --json          print one JSON object (shape in docs/tcb.md)\n"
    "  --bin-dir DIR   where burh-wasmldr, burh-shim.elf and burh are (default: the\n"
    "                  folder of this program)\n"
    "  --workload F    the reference workload, run in a nil keep under strace and, for\n"
    "                  kvm/snp/tdx, in a kvm keep that counts its syscalls (burh-keepldr\n"
    "                  --syscall-stats; default build/wasm/examples/hello.wasm)\n"
    "  --no-trace      do not run the workload (no syscall, file or socket figures)\n"
    "  -h, --help      show this text\n";

static int usage(const char *what, const char *arg)
{
    fprintf(stderr, "burh tcb: %s%s\n\n%s", what, arg, tcb_help);
    return 2;
}

/* The folder this program was run from, for the default --bin-dir. */
static void own_dir(char *out, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", out, cap - 1);
    if (n <= 0) {
        snprintf(out, cap, ".");
        return;
    }
    out[n] = '\0';
    char *slash = strrchr(out, '/');
    if (slash != NULL && slash != out)
        *slash = '\0';
}

static bool parse_backend(const char *name, burh_tcb_options *opt)
{
    for (int b = 0; b < BURH_TCB_BACKEND_COUNT; b++) {
        if (strcmp(name, burh_tcb_backend_name((burh_tcb_backend)b)) == 0) {
            opt->backends[b] = true;
            return true;
        }
    }
    return false;
}

int burh_cmd_tcb(int argc, char **argv)
{
    static char bin_dir[4096];
    own_dir(bin_dir, sizeof bin_dir);
    burh_tcb_options opt = {.bin_dir = bin_dir, .workload = "build/wasm/examples/hello.wasm"};
    bool json = false, any_backend = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(tcb_help, stdout);
            return 0;
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if (strcmp(a, "--no-trace") == 0) {
            opt.no_trace = true;
        } else if (strcmp(a, "--backend") == 0 && has_value) {
            if (!parse_backend(argv[++i], &opt))
                return usage("unknown backend: ", argv[i]);
            any_backend = true;
        } else if (strcmp(a, "--bin-dir") == 0 && has_value) {
            opt.bin_dir = argv[++i];
        } else if (strcmp(a, "--workload") == 0 && has_value) {
            opt.workload = argv[++i];
        } else {
            return usage("bad option or missing value: ", a);
        }
    }
    for (int b = 0; !any_backend && b < BURH_TCB_BACKEND_COUNT; b++)
        opt.backends[b] = true;
    json_t *report = burh_tcb_report(&opt);
    if (report == NULL) {
        fprintf(stderr, "burh tcb: out of memory\n");
        return 1;
    }
    if (json) {
        json_dumpf(report, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
    } else {
        burh_tcb_print(stdout, report);
    }
    json_decref(report);
    return fflush(stdout) == 0 ? 0 : 1;
}
