/* Hostile-guest test: every WASI function called with random and edge-case arguments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "wasi/calls.h"

#define MEM_PAGES 1u
#define MEM_BYTES (MEM_PAGES * 65536u)
#define ROUNDS    200000

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Arguments a hostile guest would try: small numbers (fds, short lengths, pointers into
 * the path-like bytes at the start of memory), the edges of memory, huge values. */
static uint64_t hostile_arg(bool wide)
{
    static const uint64_t edges[] = {
        0,
        1,
        24,
        1024,
        1025,
        MEM_BYTES - 1,
        MEM_BYTES,
        MEM_BYTES + 1,
        MEM_BYTES - 8,
        MEM_BYTES - 24,
        0x7fffffff,
        0x80000000u,
        0xffffffffu,
        0xfffffff8u,
    };
    uint64_t r = rng(), pick = r % 100;
    r >>= 8;
    if (pick < 35)
        return r % 16;
    if (pick < 50)
        return edges[r % (sizeof edges / sizeof edges[0])];
    if (pick < 65)
        return r % 1024;
    if (pick < 80)
        return r % MEM_BYTES;
    return wide ? r : (uint32_t)r;
}

/* Guest memory: path-like bytes, then small numbers (usable iovecs and lengths), then
 * noise. */
static void fill_memory(uint8_t *data)
{
    static const char path_bytes[] = "ab./c";
    for (size_t i = 0; i < 256; i++)
        data[i] = (uint8_t)path_bytes[rng() % 5];
    for (size_t i = 256; i < 1024; i += 4)
        wasi_put_u32(data + i, (uint32_t)(rng() % 512));
    for (size_t i = 1024; i < MEM_BYTES; i++)
        data[i] = (uint8_t)rng();
}

/* Calls that could block, sleep or fill the disk with random arguments are left out:
 * they are tested with chosen arguments in test_wasi_calls. */
static bool excluded(const char *name)
{
    return strcmp(name, "poll_oneoff") == 0 || strcmp(name, "fd_allocate") == 0;
}

static bool has_preopen(const burh_wasi *w)
{
    for (uint32_t i = 0; i < w->nfds; i++) {
        if (w->fds[i].used && w->fds[i].preopen != NULL)
            return true;
    }
    return false;
}

static void test_random_calls_never_crash(void **state)
{
    (void)state;
    const char *seed = getenv("BURH_TEST_SEED"); /* deterministic unless asked otherwise */
    if (seed != NULL && strtoull(seed, NULL, 0) != 0)
        rng_state = strtoull(seed, NULL, 0);
    bw_store *store = bw_store_new(NULL);
    bw_memory *mem = bw_memory_new(store, (bw_limits_view){MEM_PAGES, MEM_PAGES, true});
    burh_wasi *w = burh_wasi_new();
    assert_non_null(mem);
    assert_non_null(w);
    char dir[] = "/tmp/burh-wasi-robust-XXXXXX";
    assert_non_null(mkdtemp(dir));
    bw_name host_dir = {(const uint8_t *)dir, strlen(dir)}, guest_root = {(const uint8_t *)"/", 1};
    assert_int_equal(burh_wasi_add_preopen(w, host_dir, guest_root), BURH_WASI_OK);
    /* An in-memory preopen next to it (fd 4), with a small budget to run into. */
    burh_wasi_memfs *fs = burh_wasi_memfs_new(1u << 20, 1u << 18);
    assert_non_null(fs);
    bw_name mem_root = {(const uint8_t *)"", 0}, mem_name = {(const uint8_t *)"/mem", 4};
    assert_int_equal(burh_wasi_preopen_memfs(w, fs, mem_root, mem_name), BURH_WASI_OK);
    wasi_call call = {.w = w, .mem = mem};
    /* The guest gives up stdio first, so random writes cannot reach the test's output. */
    for (int fd = 0; fd < 3; fd++)
        assert_int_equal(wasi_fd_close(w, (uint32_t)fd), WASI_ESUCCESS);

    const wasi_def *const tables[] = {wasi_defs_fd, wasi_defs_path, wasi_defs_misc, wasi_defs_sock};
    size_t ncalls = 0;
    for (int round = 0; round < ROUNDS; round++) {
        if (round % 1000 == 0) /* fresh guest memory now and then */
            fill_memory(bw_memory_data(mem));
        if (!has_preopen(w)) /* the guest closed it: give it back, to keep paths reachable */
            assert_int_equal(burh_wasi_add_preopen(w, host_dir, guest_root), BURH_WASI_OK);
        const wasi_def *t = tables[rng() % 4];
        size_t n = 0;
        while (t[n].name != NULL)
            n++;
        const wasi_def *def = &t[rng() % n];
        if (excluded(def->name))
            continue;
        bw_value args[16];
        for (size_t i = 0; def->params[i] != '\0'; i++) {
            bool wide = def->params[i] == 'I';
            args[i].type = wide ? BW_I64 : BW_I32;
            if (wide)
                args[i].of.i64 = hostile_arg(true);
            else if (i == 0 && rng() % 3 != 0) /* mostly a descriptor that may exist */
                args[i].of.i32 = (uint32_t)(rng() % 9);
            else
                args[i].of.i32 = (uint32_t)hostile_arg(false);
        }
        call.exit = false;
        uint16_t e = def->fn(&call, args);
        assert_true(e <= WASI_ENOTCAPABLE);
        assert_true(!call.exit || strcmp(def->name, "proc_exit") == 0);
        ncalls++;
    }
    assert_true(ncalls > ROUNDS / 2);
    burh_wasi_free(w);
    assert_true(burh_wasi_memfs_used(fs) <= (1u << 20));
    burh_wasi_memfs_free(fs);
    bw_store_free(store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_calls_never_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
