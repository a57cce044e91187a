/* burh-spectest: runs wast2json scripts (official Wasm spec tests and ours) on burh's engine. */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "burh/engine.h"
#include "testkit/bundle.h"
#include "testkit/bundle_make.h"
#include "testkit/script_run.h"
#include "testkit/testkit.h"

#define MAX_BUNDLE_BYTES (1u << 30)

static void die(const char *what)
{
    fprintf(stderr, "burh-spectest: %s\n", what);
    exit(2);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

/* -b: the bounds mode every store of this process resolves to (BURH_BOUNDS or the default).
 * Printed once the scripts are at hand, so it also says that the runner got that far. */
static void show_bounds(void)
{
    bw_store_config config;
    memset(&config, 0, sizeof config);
    bw_store *store = bw_store_new(&config);
    if (store == NULL) {
        die("out of memory making a store");
    }
    fprintf(stderr, "burh-spectest: memory bounds: %s\n",
            bw_store_bounds(store) == BW_BOUNDS_GUARD ? "guard" : "software");
    bw_store_free(store);
}

/* A script file on disk: its directory and name. */
static void run_path(const char *path, const bt_run_options *options, bt_counts *total)
{
    char dir[4096];
    const char *base = base_name(path);
    bt_script_source src = {".", NULL, {(const uint8_t *)base, strlen(base)}};
    if (base != path) {
        size_t dir_len = (size_t)(base - path - 1);
        if (dir_len >= sizeof dir) {
            die("a script's directory name is too long");
        }
        memcpy(dir, path, dir_len);
        dir[dir_len] = '\0';
        src.dir = dir_len == 0 ? "/" : dir;
    }
    bt_run_script(&src, options, total);
}

/* Every script of a bundle, in its order, in one process. */
static void run_bundle(const char *path, bool show, const bt_run_options *options, bt_counts *total)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    bt_bundle bundle;
    char why[300];

    const char *problem = bt_read_file(path, MAX_BUNDLE_BYTES, &bytes, &len);
    if (problem != NULL) {
        fprintf(stderr, "burh-spectest: cannot read the bundle %s: %s\n", path, problem);
        exit(2);
    }
    bt_bundle_status st = bt_bundle_parse(BURH_CBOR_BYTES(bytes, len), &bundle, why, sizeof why);
    if (st != BT_BUNDLE_OK) {
        fprintf(stderr, "burh-spectest: %s is not a usable bundle: %s\n", path, why);
        exit(2);
    }
    if (show) {
        show_bounds();
    }
    for (size_t i = 0; i < bundle.nscripts; i++) {
        const bt_bundle_script *s = &bundle.scripts[i];
        bt_script_source src = {NULL, s, {s->name.ptr, s->name.len}};
        bt_run_script(&src, options, total);
    }
    bt_bundle_free(&bundle);
    free(bytes);
}

/* --make-bundle OUT PATH...: OUT "-" is standard output. */
static int make_bundle(const char *out, const char *const *paths, size_t npaths)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    char why[512];

    if (!bt_bundle_make(paths, npaths, &bytes, &len, why, sizeof why)) {
        fprintf(stderr, "burh-spectest: no bundle made: %s\n", why);
        return 2;
    }
    bool to_stdout = strcmp(out, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(out, "wb");
    bool ok = f != NULL && fwrite(bytes, 1, len, f) == len;
    ok = (to_stdout ? fflush(f) == 0 : f != NULL && fclose(f) == 0) && ok;
    free(bytes);
    if (!ok) {
        fprintf(stderr, "burh-spectest: cannot write %s: %s\n", out, strerror(errno));
        return 2;
    }
    return 0;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: burh-spectest [-v] [-t] [-b] [-T SECONDS] [-s LINE] FILE.json...\n"
            "       burh-spectest [-v] [-t] [-b] [-T SECONDS] --bundle FILE|-\n"
            "       burh-spectest --make-bundle OUT|- SCRIPT.json|DIR...\n"
            "  runs wast2json scripts on burh's engine\n"
            "  -v  show every failure (default: the first 20 per file)\n"
            "  -t  trace each command to stderr before running it\n"
            "  -b  say on stderr which memory bounds checks the stores use\n"
            "  -T  interrupt a command running longer than SECONDS (where setitimer works)\n"
            "  -s  resume after a crash at LINE (repeatable): commands before the\n"
            "      last LINE run uncounted, those at a LINE are skipped (one FILE)\n"
            "  --bundle       run every script of a bundle (\"-\": standard input)\n"
            "  --make-bundle  bundle scripts (a .json, or a directory with one) and the\n"
            "                 module files they name into OUT (\"-\": standard output)\n");
    return 2;
}

typedef struct cli {
    bt_run_options run;
    const char *bundle; /* --bundle FILE, else NULL */
    bool show_bounds;   /* -b */
} cli;

/* The options before the scripts; returns the index of the first non-option, or -1. */
static int parse_options(int argc, char **argv, cli *c)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        char *end;
        if (strcmp(argv[i], "-v") == 0) {
            c->run.verbose = true;
        } else if (strcmp(argv[i], "-t") == 0) {
            c->run.trace = true;
        } else if (strcmp(argv[i], "-b") == 0) {
            c->show_bounds = true;
        } else if (strcmp(argv[i], "--bundle") == 0 && i + 1 < argc && c->bundle == NULL) {
            c->bundle = argv[++i];
        } else if (strcmp(argv[i], "-T") == 0 && i + 1 < argc) {
            unsigned long seconds = strtoul(argv[++i], &end, 10);
            if (*end != '\0' || seconds == 0 || seconds > 86400) {
                return -1;
            }
            c->run.timeout = (unsigned)seconds;
        } else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            long line = strtol(argv[++i], &end, 10);
            if (*end != '\0' || line <= 0 || c->run.ncrashed == BT_MAX_CRASHED) {
                return -1;
            }
            c->run.crashed[c->run.ncrashed++] = line;
            if (line > c->run.resume_line) {
                c->run.resume_line = line;
            }
        } else {
            return -1;
        }
    }
    return i;
}

/* SIGALRM interrupts a command past -T. Where the timer cannot be set (a kvm keep's shim
 * serves no setitimer), commands run unbounded and the keep's --time-limit bounds the run. */
static void setup_timeout(bt_run_options *options)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = bt_on_alarm;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL) != 0) {
        die("cannot install the SIGALRM handler");
    }
    if (!bt_set_command_timer(0)) {
        fprintf(stderr, "burh-spectest: -T %u ignored: no interval timer here (%s)\n",
                options->timeout, strerror(errno));
        options->timeout = 0;
    }
}

int main(int argc, char **argv)
{
    cli c;
    bt_counts total = {0, 0, 0};

    if (argc >= 2 && strcmp(argv[1], "--make-bundle") == 0) {
        if (argc < 4) {
            return usage();
        }
        return make_bundle(argv[2], (const char *const *)argv + 3, (size_t)argc - 3);
    }
    /* Keep freed heap memory for reuse instead of giving it back: in a kvm keep every brk,
     * mmap and munmap is an emulated syscall and every page touched again a fresh fault. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_TOP_PAD, 4 << 20);
    memset(&c, 0, sizeof c);
    int first = parse_options(argc, argv, &c);
    bool scripts_given = first >= 0 && first < argc;
    if (first < 0 || scripts_given == (c.bundle != NULL) ||
        (c.bundle != NULL && c.run.ncrashed != 0)) {
        return usage();
    }
    if (c.run.timeout != 0) {
        setup_timeout(&c.run);
    }
    if (c.bundle != NULL) {
        run_bundle(c.bundle, c.show_bounds, &c.run, &total);
    } else if (c.show_bounds) {
        show_bounds();
    }
    for (int i = first; scripts_given && i < argc; i++) {
        run_path(argv[i], &c.run, &total);
    }
    printf("%u passed, %u failed, %u skipped\n", total.passed, total.failed, total.skipped);
    return total.failed != 0 ? 1 : 0;
}
