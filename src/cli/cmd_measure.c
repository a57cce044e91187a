/* cmd_measure.c: `burh measure`: a keep's expected launch digest from the installed binaries. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/kvm.h"

#include "cli/cli.h"

#define MEASURE_EXIT_USAGE 2
#define MEASURE_EXIT_FAIL  1

static void measure_usage(FILE *out)
{
    fprintf(out,
            "usage: burh measure --backend kvm [--shim F] [--wasmldr F] [--mem MIB]\n"
            "                    [--debug-console]\n"
            "Prints the SHA-384 launch digest a kvm keep built from these files reports in its\n"
            "evidence (docs/kvm.md \"Measurement\"), without starting a VM.\n"
            "  --shim F         the guest shim (default: burh-shim.elf next to this program)\n"
            "  --wasmldr F      the payload (default: burh-wasmldr-static next to this program)\n"
            "  --mem MIB        the keep's memory as burh-keepldr gets it (default %u)\n"
            "  --debug-console  for keeps started with burh-keepldr --debug-console\n",
            KVM_DEFAULT_MEM_MIB);
}

/* `name` in the folder of this executable; false when it does not fit. */
static int next_to_me(const char *name, char *out, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", out, cap - 1);
    if (n <= 0)
        return 0;
    out[n] = '\0';
    char *slash = strrchr(out, '/');
    if (!slash || (size_t)(slash + 1 - out) + strlen(name) + 1 > cap)
        return 0;
    memcpy(slash + 1, name, strlen(name) + 1);
    return 1;
}

static int parse_mib(const char *s, uint64_t *bytes)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < 64 || v > 4096 || v % 2)
        return 0;
    *bytes = (uint64_t)v << 20;
    return 1;
}

int burh_cmd_measure(int argc, char **argv)
{
    static char shim_buf[PATH_MAX], ldr_buf[PATH_MAX];
    const char *backend = NULL, *shim = NULL, *wasmldr = NULL;
    uint64_t mem = (uint64_t)KVM_DEFAULT_MEM_MIB << 20, flags = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            measure_usage(stdout);
            return 0;
        }
        if (strcmp(a, "--debug-console") == 0) {
            flags |= BURH_BOOT_DEBUG_CONSOLE;
            continue;
        }
        int ok = v != NULL;
        if (ok && strcmp(a, "--backend") == 0)
            backend = v;
        else if (ok && strcmp(a, "--shim") == 0)
            shim = v;
        else if (ok && strcmp(a, "--wasmldr") == 0)
            wasmldr = v;
        else if (ok && strcmp(a, "--mem") == 0)
            ok = parse_mib(v, &mem);
        else
            ok = 0;
        if (!ok) {
            measure_usage(stderr);
            fprintf(stderr, "burh measure: bad option or value: %s\n", a);
            return MEASURE_EXIT_USAGE;
        }
        i++;
    }
    if (!backend || strcmp(backend, "kvm") != 0) {
        measure_usage(stderr);
        fprintf(stderr, "burh measure: --backend kvm is required (the only measured backend "
                        "burh builds itself)\n");
        return MEASURE_EXIT_USAGE;
    }
    if ((!shim && !next_to_me("burh-shim.elf", shim_buf, sizeof(shim_buf))) ||
        (!wasmldr && !next_to_me("burh-wasmldr-static", ldr_buf, sizeof(ldr_buf)))) {
        fprintf(stderr, "burh measure: cannot find my own folder; give --shim and --wasmldr\n");
        return MEASURE_EXIT_FAIL;
    }
    uint8_t digest[BURH_LAUNCH_DIGEST_SIZE];
    char why[512];
    if (kvm_launch_digest_files(shim ? shim : shim_buf, wasmldr ? wasmldr : ldr_buf, mem, flags,
                                digest, why, sizeof(why)) != 0) {
        fprintf(stderr, "burh measure: %s\n", why);
        return MEASURE_EXIT_FAIL;
    }
    for (unsigned k = 0; k < sizeof(digest); k++)
        printf("%02x", digest[k]);
    printf("\n");
    return 0;
}
