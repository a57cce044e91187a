/* Fuzz target: WASI host functions with fuzzed arguments on a 1-page memory and a memfs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi/calls.h"

#define MEM_BYTES 65536u
#define PREFIX    512u /* input bytes copied to the start of guest memory */
#define MAX_CALLS 64u
#define BUDGET    (256u * 1024u)
#define MAX_FILE  (64u * 1024u)

static void die(const char *why)
{
    fprintf(stderr, "fuzz_wasi_calls: %s\n", why);
    abort();
}

static bool discard(void *ctx, const uint8_t *bytes, size_t len)
{
    (void)ctx, (void)bytes;
    return len % 7 != 3; /* now and then a failing sink: the guest gets EIO */
}

/* Calls that could block or sleep on purpose are left out: poll_oneoff with a clock. */
static bool excluded(const wasi_def *d)
{
    return strcmp(d->name, "poll_oneoff") == 0;
}

static const wasi_def *pick(uint8_t b)
{
    const wasi_def *const tables[] = {wasi_defs_fd, wasi_defs_path, wasi_defs_misc, wasi_defs_sock};
    const wasi_def *t = tables[b & 3];
    size_t n = 0;
    while (t[n].name != NULL)
        n++;
    return &t[(b >> 2) % n];
}

static uint64_t take(const uint8_t **p, const uint8_t *end, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && *p < end; i++, (*p)++)
        v |= (uint64_t) * *p << (8 * i);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bw_store *store = bw_store_new(NULL);
    bw_memory *mem = bw_memory_new(store, (bw_limits_view){1, 1, true});
    burh_wasi *w = burh_wasi_new();
    burh_wasi_memfs *fs = burh_wasi_memfs_new(BUDGET, MAX_FILE);
    if (store == NULL || mem == NULL || w == NULL || fs == NULL)
        die("setup");
    const uint8_t secret[] = "s3cret";
    bw_name key = {(const uint8_t *)"run/secrets/key", 15}, dir = {(const uint8_t *)"a/b", 3};
    if (burh_wasi_memfs_add_file(fs, key, secret, 6, 0444) != BURH_WASI_OK ||
        burh_wasi_memfs_add_dir(fs, dir, 0755) != BURH_WASI_OK ||
        burh_wasi_preopen_memfs(w, fs, (bw_name){(const uint8_t *)"", 0},
                                (bw_name){(const uint8_t *)"/", 1}) != BURH_WASI_OK ||
        burh_wasi_set_stdout(w, discard, NULL) != BURH_WASI_OK ||
        burh_wasi_set_stderr(w, discard, NULL) != BURH_WASI_OK ||
        burh_wasi_set_stdin(w, data, size < 64 ? size : 64) != BURH_WASI_OK)
        die("setup fs");
    uint8_t *m = bw_memory_data(mem);
    size_t pre = size < PREFIX ? size : PREFIX;
    memcpy(m, data, pre);
    const uint8_t *p = data + pre, *end = data + size;
    wasi_call call = {.w = w, .mem = mem};
    for (unsigned n = 0; n < MAX_CALLS && p < end; n++) {
        const wasi_def *def = pick((uint8_t)take(&p, end, 1));
        if (excluded(def))
            continue;
        bw_value args[16];
        for (size_t i = 0; def->params[i] != '\0'; i++) {
            bool wide = def->params[i] == 'I';
            args[i].type = wide ? BW_I64 : BW_I32;
            /* one byte: a small value (fds, flags, offsets into the prefix); else a full word */
            uint64_t tag = take(&p, end, 1);
            uint64_t v = tag < 0xf0 ? tag : take(&p, end, wide ? 8 : 4);
            if (wide)
                args[i].of.i64 = v;
            else
                args[i].of.i32 = (uint32_t)v;
        }
        call.exit = false;
        uint16_t e = def->fn(&call, args);
        if (e > WASI_ENOTCAPABLE)
            die("errno out of range");
        if (call.exit && strcmp(def->name, "proc_exit") != 0)
            die("exit from a call other than proc_exit");
        if (burh_wasi_memfs_used(fs) > BUDGET)
            die("memfs over its budget");
    }
    /* The only host descriptors the guest may have are none: every fd is memfs or stdio. */
    for (uint32_t i = 0; i < w->nfds; i++) {
        if (w->fds[i].used && w->fds[i].ops == &wasi_host_fs)
            die("guest reached the host file system");
    }
    burh_wasi_free(w);
    burh_wasi_memfs_free(fs);
    bw_store_free(store);
    return 0;
}
