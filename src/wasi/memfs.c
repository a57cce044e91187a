/* The in-memory file system: nodes, byte budget, confined lookups and the embedder's API. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wasi/memfs.h"

uint64_t memfs_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool memfs_charge(burh_wasi_memfs *fs, uint64_t delta)
{
    if (delta > fs->budget - fs->used)
        return false;
    fs->used += delta;
    return true;
}

void memfs_uncharge(burh_wasi_memfs *fs, uint64_t delta)
{
    fs->used = delta > fs->used ? 0 : fs->used - delta;
}

mnode *memfs_node_new(burh_wasi_memfs *fs, mnode_kind kind)
{
    mnode *n = calloc(1, sizeof *n);
    if (n == NULL)
        return NULL;
    n->fs = fs;
    n->kind = (uint8_t)kind;
    n->ino = ++fs->next_ino;
    n->atim = n->mtim = n->ctim = memfs_now();
    n->next_cookie = 3; /* 1 and 2 are "." and ".." */
    n->next = fs->all;
    if (fs->all != NULL)
        fs->all->prev = n;
    fs->all = n;
    return n;
}

static void node_destroy(mnode *n)
{
    burh_wasi_memfs *fs = n->fs;
    if (n->prev != NULL)
        n->prev->next = n->next;
    else
        fs->all = n->next;
    if (n->next != NULL)
        n->next->prev = n->prev;
    memfs_uncharge(fs, n->size);
    for (uint32_t i = 0; i < n->nents; i++) {
        memfs_uncharge(fs, n->ents[i].len);
        free(n->ents[i].name);
    }
    free(n->ents);
    free(n->data);
    free(n);
}

void memfs_node_maybe_free(mnode *n)
{
    if (n->links == 0 && n->opens == 0)
        node_destroy(n); /* a directory is empty by then: rmdir and rename demand it */
}

mnode *memfs_lookup(mnode *dir, const char *name, size_t len)
{
    for (uint32_t i = 0; i < dir->nents; i++) {
        if (dir->ents[i].len == len && memcmp(dir->ents[i].name, name, len) == 0)
            return dir->ents[i].node;
    }
    return NULL;
}

uint16_t memfs_entry_add(mnode *dir, const char *name, size_t len, mnode *node)
{
    if (dir->links == 0)
        return WASI_ENOENT; /* a removed directory someone still has open */
    if (len > BURH_WASI_MEMFS_MAX_NAME)
        return WASI_ENAMETOOLONG;
    if (node->links >= MEMFS_MAX_NLINK)
        return WASI_EMLINK;
    if (dir->nents == dir->capents) {
        uint32_t grown = dir->capents < 8 ? 8 : dir->capents * 2;
        mentry *ents = realloc(dir->ents, (size_t)grown * sizeof *ents);
        if (ents == NULL)
            return WASI_ENOMEM;
        dir->ents = ents;
        dir->capents = grown;
    }
    if (!memfs_charge(dir->fs, len))
        return WASI_ENOSPC;
    char *copy = malloc(len == 0 ? 1 : len);
    if (copy == NULL) {
        memfs_uncharge(dir->fs, len);
        return WASI_ENOMEM;
    }
    memcpy(copy, name, len);
    mentry *e = &dir->ents[dir->nents++];
    e->name = copy;
    e->len = (uint32_t)len;
    e->cookie = dir->next_cookie++;
    e->node = node;
    node->links++;
    if (node->kind == MN_DIR)
        node->parent = dir;
    dir->mtim = dir->ctim = memfs_now();
    return WASI_ESUCCESS;
}

void memfs_entry_remove(mnode *dir, const char *name, size_t len)
{
    for (uint32_t i = 0; i < dir->nents; i++) {
        mentry *e = &dir->ents[i];
        if (e->len != len || memcmp(e->name, name, len) != 0)
            continue;
        mnode *n = e->node;
        memfs_uncharge(dir->fs, e->len);
        free(e->name);
        memmove(e, e + 1, (size_t)(dir->nents - i - 1) * sizeof *e);
        dir->nents--;
        dir->mtim = dir->ctim = memfs_now();
        n->links--;
        n->ctim = dir->mtim;
        if (n->kind == MN_DIR && n->parent == dir)
            n->parent = NULL;
        memfs_node_maybe_free(n);
        return;
    }
}

uint16_t memfs_resize(mnode *n, uint64_t size)
{
    burh_wasi_memfs *fs = n->fs;
    if (fs->max_file != 0 && size > fs->max_file)
        return WASI_EFBIG;
    if (size > SIZE_MAX / 2)
        return WASI_EFBIG;
    if (size > n->size) {
        if (!memfs_charge(fs, size - n->size))
            return WASI_ENOSPC;
        if (size > n->cap) {
            /* Doubling keeps appends cheap; the slack never exceeds what the budget has
             * left, so host memory stays bounded by the budget. */
            uint64_t cap = n->cap * 2 > size ? n->cap * 2 : size;
            uint64_t room = size + (fs->budget - fs->used);
            if (cap > room)
                cap = room;
            if (fs->max_file != 0 && cap > fs->max_file)
                cap = fs->max_file;
            uint8_t *data = realloc(n->data, (size_t)cap);
            if (data == NULL) {
                memfs_uncharge(fs, size - n->size);
                return WASI_ENOMEM;
            }
            n->data = data;
            n->cap = cap;
        }
        memset(n->data + n->size, 0, (size_t)(size - n->size));
    } else {
        memfs_uncharge(fs, n->size - size);
    }
    n->size = size;
    return WASI_ESUCCESS;
}

/* ---- lookups ---- */

typedef struct walk {
    mnode **stack; /* directories from the start; ".." pops, and may not pop the start */
    size_t depth, cap;
    unsigned links;
} walk;

static uint16_t walk_push(walk *wk, mnode *dir)
{
    if (wk->depth + 1 == wk->cap) {
        size_t grown = wk->cap * 2;
        mnode **stack = realloc(wk->stack, grown * sizeof *stack);
        if (stack == NULL)
            return WASI_ENOMEM;
        wk->stack = stack;
        wk->cap = grown;
    }
    wk->stack[++wk->depth] = dir;
    return WASI_ESUCCESS;
}

/* Replaces the path being walked by `link`'s target followed by what is left after `rest`. */
static uint16_t walk_expand(walk *wk, const mnode *link, mres *r, size_t rest, size_t *n)
{
    if (++wk->links > MEMFS_MAX_LINKS)
        return WASI_ELOOP;
    if (link->size == 0)
        return WASI_ENOENT;
    if (link->data[0] == '/')
        return WASI_ENOTCAPABLE; /* an absolute target could only name the host */
    size_t tail = *n - rest;
    char *buf = malloc((size_t)link->size + tail + 1);
    if (buf == NULL)
        return WASI_ENOMEM;
    memcpy(buf, link->data, (size_t)link->size);
    memcpy(buf + link->size, r->buf + rest, tail);
    buf[link->size + tail] = '\0';
    free(r->buf);
    r->buf = buf;
    *n = (size_t)link->size + tail;
    return WASI_ESUCCESS;
}

/* One step of the walk: handles the component [start, end) of r->buf. Returns true when
 * the walk is finished (with *werr set), false to go on with *i as the next position. */
static bool walk_step(walk *wk, mres *r, size_t start, size_t end, size_t *i, size_t *n,
                      bool follow_last, uint16_t *werr)
{
    size_t j = end;
    while (j < *n && r->buf[j] == '/')
        j++;
    bool last = j == *n, slash_after = end < *n;
    const char *comp = r->buf + start;
    size_t clen = end - start;
    mnode *cur = wk->stack[wk->depth];
    *werr = WASI_ESUCCESS;
    bool dotdot = clen == 2 && comp[0] == '.' && comp[1] == '.';
    if ((clen == 1 && comp[0] == '.') || dotdot) {
        if (dotdot && wk->depth == 0)
            return *werr = WASI_ENOTCAPABLE, true;
        if (dotdot)
            wk->depth--;
        *i = j;
        if (last)
            r->node = wk->stack[wk->depth];
        return last;
    }
    if (cur->kind != MN_DIR)
        return *werr = WASI_ENOTDIR, true;
    if (clen > BURH_WASI_MEMFS_MAX_NAME)
        return *werr = WASI_ENAMETOOLONG, true;
    mnode *child = memfs_lookup(cur, comp, clen);
    if (child != NULL && child->kind == MN_LINK && (!last || follow_last || slash_after)) {
        *werr = walk_expand(wk, child, r, end, n);
        *i = 0;
        return *werr != WASI_ESUCCESS;
    }
    if (last) {
        r->dir = cur, r->name = comp, r->len = clen, r->node = child;
        r->trailing_slash = slash_after;
        return true;
    }
    if (child == NULL)
        return *werr = WASI_ENOENT, true;
    if (child->kind != MN_DIR)
        return *werr = WASI_ENOTDIR, true;
    *werr = walk_push(wk, child);
    *i = j;
    return *werr != WASI_ESUCCESS;
}

uint16_t memfs_resolve(mnode *start, const char *path, size_t len, bool follow_last, mres *r)
{
    memset(r, 0, sizeof *r);
    r->buf = malloc(len + 1);
    walk wk = {malloc(16 * sizeof(mnode *)), 0, 16, 0};
    if (r->buf == NULL || wk.stack == NULL) {
        free(wk.stack);
        return WASI_ENOMEM;
    }
    memcpy(r->buf, path, len);
    r->buf[len] = '\0';
    wk.stack[0] = start;
    size_t i = 0, n = len;
    uint16_t werr = WASI_ENOENT;
    for (;;) {
        while (i < n && r->buf[i] == '/')
            i++;
        if (i == n) { /* only slashes left: the directory reached so far */
            r->node = wk.stack[wk.depth];
            werr = WASI_ESUCCESS;
            break;
        }
        size_t start_i = i;
        while (i < n && r->buf[i] != '/')
            i++;
        if (walk_step(&wk, r, start_i, i, &i, &n, follow_last, &werr))
            break;
    }
    free(wk.stack);
    return werr;
}

void memfs_res_done(mres *r)
{
    free(r->buf);
    r->buf = NULL;
}

mhandle *memfs_handle_new(mnode *n, bool read, bool write)
{
    mhandle *h = calloc(1, sizeof *h);
    if (h == NULL)
        return NULL;
    h->node = n;
    h->read = read;
    h->write = write;
    n->opens++;
    n->fs->refs++;
    return h;
}

/* ---- the embedder's API ---- */

burh_wasi_memfs *burh_wasi_memfs_new(uint64_t budget, uint64_t max_file)
{
    burh_wasi_memfs *fs = calloc(1, sizeof *fs);
    if (fs == NULL)
        return NULL;
    fs->budget = budget;
    fs->max_file = max_file;
    fs->refs = 1;
    fs->root = memfs_node_new(fs, MN_DIR);
    if (fs->root == NULL) {
        free(fs);
        return NULL;
    }
    fs->root->links = 1;
    return fs;
}

void memfs_unref(burh_wasi_memfs *fs)
{
    if (fs == NULL || --fs->refs > 0)
        return;
    while (fs->all != NULL)
        node_destroy(fs->all);
    free(fs);
}

void burh_wasi_memfs_free(burh_wasi_memfs *fs)
{
    memfs_unref(fs);
}

uint64_t burh_wasi_memfs_used(const burh_wasi_memfs *fs)
{
    return fs->used;
}

static burh_wasi_status status_of(uint16_t werr)
{
    switch (werr) {
    case WASI_ESUCCESS:
        return BURH_WASI_OK;
    case WASI_ENOMEM:
        return BURH_WASI_ERR_NOMEM;
    case WASI_ENOSPC:
    case WASI_EFBIG:
        return BURH_WASI_ERR_NOSPACE;
    case WASI_EEXIST:
    case WASI_ENOTDIR:
    case WASI_EISDIR:
        return BURH_WASI_ERR_EXISTS;
    default:
        return BURH_WASI_ERR_ARG;
    }
}

/* Walks `path` from the root making directories; the last component is made too when
 * `make_last`, else *name is left to the caller. Embedder paths take no "." or "..". */
static uint16_t embed_walk(burh_wasi_memfs *fs, bw_name path, bool make_last, mnode **dir,
                           const char **name, size_t *len)
{
    if (memchr(path.ptr, '\0', path.len) != NULL)
        return WASI_EINVAL;
    mnode *cur = fs->root;
    const char *p = (const char *)path.ptr;
    size_t i = 0, n = path.len;
    *name = NULL, *len = 0;
    while (i < n) {
        while (i < n && p[i] == '/')
            i++;
        size_t start = i;
        while (i < n && p[i] != '/')
            i++;
        size_t clen = i - start;
        if (clen == 0)
            break;
        if ((clen == 1 && p[start] == '.') || (clen == 2 && p[start] == '.' && p[start + 1] == '.'))
            return WASI_EINVAL;
        size_t j = i;
        while (j < n && p[j] == '/')
            j++;
        if (j == n && !make_last) {
            *name = p + start, *len = clen;
            break;
        }
        mnode *child = memfs_lookup(cur, p + start, clen);
        if (child == NULL) {
            child = memfs_node_new(fs, MN_DIR);
            if (child == NULL)
                return WASI_ENOMEM;
            uint16_t werr = memfs_entry_add(cur, p + start, clen, child);
            if (werr != WASI_ESUCCESS) {
                memfs_node_maybe_free(child);
                return werr;
            }
        } else if (child->kind != MN_DIR) {
            return WASI_ENOTDIR;
        }
        cur = child;
    }
    *dir = cur;
    return WASI_ESUCCESS;
}

burh_wasi_status burh_wasi_memfs_add_dir(burh_wasi_memfs *fs, bw_name path, uint32_t mode)
{
    mnode *dir;
    const char *name;
    size_t len;
    uint16_t werr = embed_walk(fs, path, true, &dir, &name, &len);
    if (werr == WASI_ESUCCESS)
        dir->readonly = (mode & 0200u) == 0;
    return status_of(werr);
}

burh_wasi_status burh_wasi_memfs_add_file(burh_wasi_memfs *fs, bw_name path, const uint8_t *bytes,
                                          size_t len, uint32_t mode)
{
    if (bytes == NULL && len != 0)
        return BURH_WASI_ERR_ARG;
    mnode *dir;
    const char *name;
    size_t nlen;
    uint16_t werr = embed_walk(fs, path, false, &dir, &name, &nlen);
    if (werr == WASI_ESUCCESS && name == NULL)
        werr = WASI_EINVAL; /* an empty path or only slashes */
    if (werr != WASI_ESUCCESS)
        return status_of(werr);
    mnode *file = memfs_lookup(dir, name, nlen);
    bool fresh = file == NULL;
    if (fresh && (file = memfs_node_new(fs, MN_FILE)) == NULL)
        return BURH_WASI_ERR_NOMEM;
    if (file->kind != MN_FILE)
        return BURH_WASI_ERR_EXISTS;
    werr = memfs_resize(file, 0);
    if (werr == WASI_ESUCCESS)
        werr = memfs_resize(file, len);
    if (werr == WASI_ESUCCESS && fresh)
        werr = memfs_entry_add(dir, name, nlen, file);
    if (werr != WASI_ESUCCESS) {
        if (fresh)
            memfs_node_maybe_free(file);
        return status_of(werr);
    }
    if (len > 0)
        memcpy(file->data, bytes, len);
    file->readonly = (mode & 0200u) == 0;
    file->mtim = file->ctim = memfs_now();
    return BURH_WASI_OK;
}

burh_wasi_status burh_wasi_preopen_memfs(burh_wasi *w, burh_wasi_memfs *fs, bw_name dir,
                                         bw_name guest_name)
{
    if (memchr(dir.ptr, '\0', dir.len) != NULL)
        return BURH_WASI_ERR_ARG;
    mres r;
    size_t skip = 0;
    while (skip < dir.len && dir.ptr[skip] == '/')
        skip++;
    const char *path = skip == dir.len ? "." : (const char *)dir.ptr + skip;
    size_t len = skip == dir.len ? 1 : dir.len - skip;
    uint16_t werr = memfs_resolve(fs->root, path, len, true, &r);
    mnode *node = r.node;
    memfs_res_done(&r);
    if (werr != WASI_ESUCCESS || node == NULL || node->kind != MN_DIR)
        return werr == WASI_ENOMEM ? BURH_WASI_ERR_NOMEM : BURH_WASI_ERR_ARG;
    mhandle *h = memfs_handle_new(node, true, false);
    if (h == NULL)
        return BURH_WASI_ERR_NOMEM;
    wasi_node root = {.ptr = h};
    burh_wasi_status st = wasi_add_preopen_node(w, &wasi_memfs_ops, root, guest_name);
    if (st != BURH_WASI_OK)
        wasi_memfs_ops.close(root);
    return st;
}
