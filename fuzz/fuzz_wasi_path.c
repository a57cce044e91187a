/* Fuzz target: the lexical guest-path checker and the memfs lookup behind it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi/memfs.h"

static void die(const char *why)
{
    fprintf(stderr, "fuzz_wasi_path: %s\n", why);
    abort();
}

/* A small tree with links that loop, climb and point at files, built once. */
static burh_wasi_memfs *tree(void)
{
    static burh_wasi_memfs *fs;
    if (fs != NULL)
        return fs;
    fs = burh_wasi_memfs_new(1u << 20, 0);
    const char *files[] = {"a/b/c", "a/f", "d/e", "top"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        bw_name p = {(const uint8_t *)files[i], strlen(files[i])};
        if (burh_wasi_memfs_add_file(fs, p, (const uint8_t *)"x", 1, 0644) != BURH_WASI_OK)
            die("setup");
    }
    static const char *const links[][2] = {
        {"a/up", ".."},   {"a/up2", "../.."}, {"loop", "loop"}, {"a/b/tofile", "../f"},
        {"ping", "pong"}, {"pong", "ping"},   {"abs", "/etc"}};
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        mres r;
        if (memfs_resolve(fs->root, links[i][0], strlen(links[i][0]), false, &r) != 0 ||
            r.dir == NULL)
            die("setup link");
        mnode *n = memfs_node_new(fs, MN_LINK);
        size_t tl = strlen(links[i][1]);
        if (n == NULL || memfs_resize(n, tl) != 0)
            die("setup link node");
        memcpy(n->data, links[i][1], tl);
        if (memfs_entry_add(r.dir, r.name, r.len, n) != 0)
            die("setup link entry");
        memfs_res_done(&r);
    }
    return fs;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wasi_path p;
    uint16_t e = wasi_path_check(data, size, &p);
    if (e > WASI_ENOTCAPABLE)
        die("errno out of range");
    if (e != WASI_ESUCCESS) {
        if (p.str != NULL)
            die("error with a path");
        return 0;
    }
    if (p.len != size || memcmp(p.str, data, size) != 0 || memchr(data, '\0', size) != NULL ||
        data[0] == '/')
        die("accepted path differs from input or is absolute");
    burh_wasi_memfs *fs = tree();
    for (int follow = 0; follow < 2; follow++) {
        mres r;
        e = memfs_resolve(fs->root, p.str, p.len, follow != 0, &r);
        if (e > WASI_ENOTCAPABLE)
            die("resolve errno out of range");
        if (e == WASI_ESUCCESS && r.node != NULL && r.node->fs != fs)
            die("resolved outside the tree");
        memfs_res_done(&r);
    }
    wasi_path_free(&p);
    return 0;
}
