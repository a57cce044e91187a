/* The in-memory file system behind WASI descriptors: the file-system ops table. */
#include <stdlib.h>
#include <string.h>

#include "wasi/memfs.h"

static mhandle *handle_of(wasi_node n)
{
    return n.ptr;
}

static uint8_t filetype_of(const mnode *n)
{
    static const uint8_t types[] = {WASI_FILETYPE_DIRECTORY, WASI_FILETYPE_REGULAR_FILE,
                                    WASI_FILETYPE_SYMBOLIC_LINK};
    return types[n->kind];
}

static uint16_t mem_close(wasi_node n)
{
    mhandle *h = handle_of(n);
    burh_wasi_memfs *fs = h->node->fs;
    h->node->opens--;
    memfs_node_maybe_free(h->node);
    free(h);
    memfs_unref(fs);
    return WASI_ESUCCESS;
}

static uint16_t read_at(mhandle *h, const struct iovec *iov, int iovcnt, uint64_t off, size_t *done)
{
    mnode *f = h->node;
    *done = 0;
    if (!h->read)
        return WASI_EBADF;
    if (f->kind != MN_FILE)
        return WASI_EISDIR;
    for (int i = 0; i < iovcnt && off < f->size; i++) {
        uint64_t take = f->size - off < iov[i].iov_len ? f->size - off : iov[i].iov_len;
        memcpy(iov[i].iov_base, f->data + off, (size_t)take);
        off += take;
        *done += (size_t)take;
    }
    f->atim = memfs_now();
    return WASI_ESUCCESS;
}

static uint16_t write_at(mhandle *h, const struct iovec *iov, int iovcnt, uint64_t off,
                         size_t *done)
{
    mnode *f = h->node;
    *done = 0;
    if (!h->write)
        return WASI_EBADF;
    if (f->kind != MN_FILE)
        return WASI_EISDIR;
    uint64_t total = 0;
    for (int i = 0; i < iovcnt; i++)
        total += iov[i].iov_len;
    if (total == 0)
        return WASI_ESUCCESS;
    if (off > UINT64_MAX - total)
        return WASI_EFBIG;
    if (off + total > f->size) {
        uint16_t werr = memfs_resize(f, off + total);
        if (werr != WASI_ESUCCESS)
            return werr;
    }
    for (int i = 0; i < iovcnt; i++) {
        memcpy(f->data + off, iov[i].iov_base, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    *done = (size_t)total;
    f->mtim = f->ctim = memfs_now();
    return WASI_ESUCCESS;
}

static uint16_t mem_readv(wasi_node n, const struct iovec *iov, int iovcnt, size_t *done)
{
    mhandle *h = handle_of(n);
    uint16_t werr = read_at(h, iov, iovcnt, h->pos, done);
    if (werr == WASI_ESUCCESS)
        h->pos += *done;
    return werr;
}

static uint16_t mem_writev(wasi_node n, struct iovec *iov, int iovcnt, size_t *done)
{
    mhandle *h = handle_of(n);
    if (h->fdflags & WASI_FDFLAG_APPEND)
        h->pos = h->node->size;
    uint16_t werr = write_at(h, iov, iovcnt, h->pos, done);
    if (werr == WASI_ESUCCESS)
        h->pos += *done;
    return werr;
}

static uint16_t mem_preadv(wasi_node n, const struct iovec *iov, int iovcnt, uint64_t off,
                           size_t *done)
{
    if (off > INT64_MAX)
        return WASI_EINVAL;
    return read_at(handle_of(n), iov, iovcnt, off, done);
}

static uint16_t mem_pwritev(wasi_node n, const struct iovec *iov, int iovcnt, uint64_t off,
                            size_t *done)
{
    mhandle *h = handle_of(n);
    if (off > INT64_MAX)
        return WASI_EINVAL;
    /* As Linux: with O_APPEND, pwrite appends whatever the offset says. */
    if (h->fdflags & WASI_FDFLAG_APPEND)
        off = h->node->size;
    return write_at(h, iov, iovcnt, off, done);
}

static uint16_t mem_seek(wasi_node n, int64_t off, uint8_t whence, uint64_t *newoff)
{
    mhandle *h = handle_of(n);
    if (h->node->kind != MN_FILE)
        return WASI_EISDIR;
    int64_t base = whence == WASI_WHENCE_SET   ? 0
                   : whence == WASI_WHENCE_CUR ? (int64_t)h->pos
                                               : (int64_t)h->node->size;
    if (whence > WASI_WHENCE_END)
        return WASI_EINVAL;
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
        return WASI_EINVAL;
    h->pos = (uint64_t)(base + off); /* past the end is fine: a later write fills zeros */
    *newoff = h->pos;
    return WASI_ESUCCESS;
}

static uint16_t mem_get_flags(wasi_node n, uint16_t *fdflags)
{
    *fdflags = handle_of(n)->fdflags;
    return WASI_ESUCCESS;
}

static uint16_t mem_set_flags(wasi_node n, uint16_t fdflags)
{
    /* Memory is always in sync and never blocks; those flags are kept only to be reported. */
    handle_of(n)->fdflags = fdflags;
    return WASI_ESUCCESS;
}

static void stat_node(const mnode *n, wasi_filestat *st)
{
    memset(st, 0, sizeof *st);
    st->dev = MEMFS_DEV;
    st->ino = n->ino;
    st->filetype = filetype_of(n);
    st->nlink = n->kind == MN_DIR ? 1 : n->links;
    st->size = n->kind == MN_DIR ? n->nents : n->size;
    st->atim = n->atim;
    st->mtim = n->mtim;
    st->ctim = n->ctim;
}

static uint16_t mem_stat(wasi_node n, wasi_filestat *st)
{
    stat_node(handle_of(n)->node, st);
    return WASI_ESUCCESS;
}

static uint16_t mem_set_size(wasi_node n, uint64_t size)
{
    mhandle *h = handle_of(n);
    if (h->node->kind != MN_FILE)
        return WASI_EISDIR;
    if (!h->write)
        return WASI_EINVAL;
    if (size > INT64_MAX)
        return WASI_EINVAL;
    uint16_t werr = memfs_resize(h->node, size);
    if (werr == WASI_ESUCCESS)
        h->node->mtim = h->node->ctim = memfs_now();
    return werr;
}

static void times_apply(mnode *n, uint64_t atim, uint64_t mtim, uint16_t fst)
{
    uint64_t now = memfs_now();
    if (fst & WASI_FST_ATIM_NOW)
        n->atim = now;
    else if (fst & WASI_FST_ATIM)
        n->atim = atim;
    if (fst & WASI_FST_MTIM_NOW)
        n->mtim = now;
    else if (fst & WASI_FST_MTIM)
        n->mtim = mtim;
    n->ctim = now;
}

static uint16_t mem_set_times(wasi_node n, uint64_t atim, uint64_t mtim, uint16_t fst)
{
    times_apply(handle_of(n)->node, atim, mtim, fst);
    return WASI_ESUCCESS;
}

static uint16_t mem_sync(wasi_node n, bool data_only)
{
    (void)n, (void)data_only;
    return WASI_ESUCCESS;
}

static uint16_t mem_advise(wasi_node n, uint64_t off, uint64_t len, uint8_t advice)
{
    (void)off, (void)len;
    if (advice > 5)
        return WASI_EINVAL;
    return handle_of(n)->node->kind == MN_DIR ? WASI_EBADF : WASI_ESUCCESS;
}

static uint16_t mem_allocate(wasi_node n, uint64_t off, uint64_t len)
{
    mhandle *h = handle_of(n);
    if (h->node->kind != MN_FILE)
        return WASI_EBADF;
    if (off > INT64_MAX || len > INT64_MAX || off + len > INT64_MAX || len == 0)
        return WASI_EINVAL;
    if (!h->write)
        return WASI_EBADF;
    return off + len > h->node->size ? memfs_resize(h->node, off + len) : WASI_ESUCCESS;
}

/* Cookies: 1 after ".", 2 after "..", then each entry's own cookie, so an entry removed or
 * added between calls never makes another one repeat or vanish. */
static uint16_t mem_readdir(wasi_node dirn, uint64_t cookie, wasi_dirent_fn emit, void *arg)
{
    mnode *d = handle_of(dirn)->node;
    if (d->kind != MN_DIR)
        return WASI_ENOTDIR;
    if (cookie < 1 && !emit(arg, 1, d->ino, WASI_FILETYPE_DIRECTORY, ".", 1))
        return WASI_ESUCCESS;
    uint64_t up = d->parent != NULL ? d->parent->ino : d->ino;
    if (cookie < 2 && !emit(arg, 2, up, WASI_FILETYPE_DIRECTORY, "..", 2))
        return WASI_ESUCCESS;
    for (uint32_t i = 0; i < d->nents; i++) {
        const mentry *e = &d->ents[i];
        if (e->cookie <= cookie)
            continue;
        if (!emit(arg, e->cookie, e->node->ino, filetype_of(e->node), e->name, e->len))
            break;
    }
    d->atim = memfs_now();
    return WASI_ESUCCESS;
}

static int mem_poll_fd(wasi_node n)
{
    (void)n;
    return -1;
}

/* ---- paths ---- */

static uint16_t resolve(wasi_node dir, const wasi_path *p, bool follow, mres *r)
{
    return memfs_resolve(handle_of(dir)->node, p->str, p->len, follow, r);
}

/* Creates a new node named by `r` (which names nothing yet) in its directory. */
static uint16_t create_in(mres *r, mnode_kind kind, mnode **out)
{
    if (r->dir == NULL)
        return WASI_EEXIST;
    if (r->dir->readonly)
        return WASI_EACCES;
    mnode *n = memfs_node_new(r->dir->fs, kind);
    if (n == NULL)
        return WASI_ENOMEM;
    uint16_t werr = memfs_entry_add(r->dir, r->name, r->len, n);
    if (werr != WASI_ESUCCESS) {
        memfs_node_maybe_free(n);
        return werr;
    }
    *out = n;
    return WASI_ESUCCESS;
}

/* The checks open(2) makes on an existing node. */
static uint16_t open_existing(const mres *r, const wasi_open_req *req)
{
    mnode *n = r->node;
    if ((req->oflags & WASI_OFLAG_CREAT) && (req->oflags & WASI_OFLAG_EXCL))
        return WASI_EEXIST;
    if (n->kind == MN_LINK)
        return WASI_ELOOP; /* O_NOFOLLOW on a symlink */
    if (n->kind != MN_DIR && ((req->oflags & WASI_OFLAG_DIRECTORY) || r->trailing_slash))
        return WASI_ENOTDIR;
    if (n->kind == MN_DIR && (req->write || (req->oflags & WASI_OFLAG_TRUNC)))
        return WASI_EISDIR;
    if (n->readonly && (req->write || (req->oflags & WASI_OFLAG_TRUNC)))
        return WASI_EACCES;
    return WASI_ESUCCESS;
}

static uint16_t mem_open_at(wasi_node dir, const wasi_path *p, const wasi_open_req *req,
                            wasi_node *out, uint8_t *filetype)
{
    mres r;
    bool follow = (req->lookupflags & WASI_LOOKUP_SYMLINK_FOLLOW) != 0;
    uint16_t werr = resolve(dir, p, follow, &r);
    mnode *n = r.node;
    if (werr == WASI_ESUCCESS && n == NULL) {
        if (!(req->oflags & WASI_OFLAG_CREAT))
            werr = WASI_ENOENT;
        else if (r.trailing_slash || (req->oflags & WASI_OFLAG_DIRECTORY))
            werr = WASI_EISDIR;
        else
            werr = create_in(&r, MN_FILE, &n);
    } else if (werr == WASI_ESUCCESS) {
        werr = open_existing(&r, req);
        if (werr == WASI_ESUCCESS && (req->oflags & WASI_OFLAG_TRUNC) && n->size > 0) {
            werr = memfs_resize(n, 0);
            n->mtim = n->ctim = memfs_now();
        }
    }
    memfs_res_done(&r);
    if (werr != WASI_ESUCCESS)
        return werr;
    mhandle *h = memfs_handle_new(n, req->read || n->kind == MN_DIR, req->write);
    if (h == NULL) {
        memfs_node_maybe_free(n);
        return WASI_ENOMEM;
    }
    h->fdflags = req->fdflags;
    out->ptr = h;
    *filetype = filetype_of(n);
    return WASI_ESUCCESS;
}

/* Resolves `p` to an existing node (trailing slash: must be a directory). */
static uint16_t existing(wasi_node dir, const wasi_path *p, bool follow, mnode **out)
{
    mres r;
    uint16_t werr = resolve(dir, p, follow, &r);
    if (werr == WASI_ESUCCESS && r.node == NULL)
        werr = WASI_ENOENT;
    else if (werr == WASI_ESUCCESS && r.trailing_slash && r.node->kind != MN_DIR)
        werr = WASI_ENOTDIR;
    *out = r.node;
    memfs_res_done(&r);
    return werr;
}

static uint16_t mem_stat_at(wasi_node dir, const wasi_path *p, bool follow, wasi_filestat *st)
{
    mnode *n;
    uint16_t werr = existing(dir, p, follow, &n);
    if (werr == WASI_ESUCCESS)
        stat_node(n, st);
    return werr;
}

static uint16_t mem_set_times_at(wasi_node dir, const wasi_path *p, bool follow, uint64_t atim,
                                 uint64_t mtim, uint16_t fst)
{
    mnode *n;
    uint16_t werr = existing(dir, p, follow, &n);
    if (werr == WASI_ESUCCESS)
        times_apply(n, atim, mtim, fst);
    return werr;
}

static uint16_t mem_mkdir_at(wasi_node dir, const wasi_path *p)
{
    mres r;
    uint16_t werr = resolve(dir, p, false, &r);
    mnode *n;
    if (werr == WASI_ESUCCESS)
        werr = r.node != NULL ? WASI_EEXIST : create_in(&r, MN_DIR, &n);
    memfs_res_done(&r);
    return werr;
}

static uint16_t mem_rmdir_at(wasi_node dir, const wasi_path *p)
{
    mres r;
    uint16_t werr = resolve(dir, p, false, &r);
    if (werr == WASI_ESUCCESS) {
        if (r.node == NULL)
            werr = WASI_ENOENT;
        else if (r.dir == NULL)
            werr = WASI_EINVAL; /* "." or "..", as rmdir(2) */
        else if (r.node->kind != MN_DIR)
            werr = WASI_ENOTDIR;
        else if (r.node->nents > 0)
            werr = WASI_ENOTEMPTY;
        else if (r.dir->readonly)
            werr = WASI_EACCES;
        else
            memfs_entry_remove(r.dir, r.name, r.len);
    }
    memfs_res_done(&r);
    return werr;
}

static uint16_t mem_unlink_at(wasi_node dir, const wasi_path *p)
{
    mres r;
    uint16_t werr = resolve(dir, p, false, &r);
    if (werr == WASI_ESUCCESS) {
        if (r.node == NULL)
            werr = WASI_ENOENT;
        else if (r.node->kind == MN_DIR)
            werr = WASI_EISDIR;
        else if (r.trailing_slash)
            werr = WASI_ENOTDIR;
        else if (r.dir->readonly)
            werr = WASI_EACCES;
        else
            memfs_entry_remove(r.dir, r.name, r.len);
    }
    memfs_res_done(&r);
    return werr;
}

static uint16_t mem_readlink_at(wasi_node dir, const wasi_path *p, char *buf, size_t cap,
                                size_t *len)
{
    mnode *n;
    uint16_t werr = existing(dir, p, false, &n);
    if (werr != WASI_ESUCCESS)
        return werr;
    if (n->kind != MN_LINK)
        return WASI_EINVAL;
    *len = n->size < cap ? (size_t)n->size : cap;
    memcpy(buf, n->data, *len);
    return WASI_ESUCCESS;
}

static uint16_t mem_symlink_at(const char *target, wasi_node dir, const wasi_path *p)
{
    mres r;
    uint16_t werr = resolve(dir, p, false, &r);
    if (werr == WASI_ESUCCESS && (r.node != NULL || r.dir == NULL))
        werr = WASI_EEXIST;
    else if (werr == WASI_ESUCCESS && r.trailing_slash)
        werr = WASI_ENOENT;
    else if (werr == WASI_ESUCCESS && r.dir->readonly)
        werr = WASI_EACCES;
    mnode *n = NULL;
    if (werr == WASI_ESUCCESS && (n = memfs_node_new(r.dir->fs, MN_LINK)) == NULL)
        werr = WASI_ENOMEM;
    size_t tlen = strlen(target);
    /* The target counts against the budget like file bytes. */
    if (werr == WASI_ESUCCESS && (werr = memfs_resize(n, tlen)) == WASI_ESUCCESS)
        memcpy(n->data, target, tlen);
    if (werr == WASI_ESUCCESS)
        werr = memfs_entry_add(r.dir, r.name, r.len, n);
    if (werr != WASI_ESUCCESS && n != NULL)
        memfs_node_maybe_free(n);
    memfs_res_done(&r);
    return werr;
}

/* Whether directory `d` is `ancestor` or lies beneath it. */
static bool is_within(const mnode *d, const mnode *ancestor)
{
    for (; d != NULL; d = d->parent) {
        if (d == ancestor)
            return true;
    }
    return false;
}

/* The checks rename(2) makes once both names are resolved. */
static uint16_t rename_check(const mres *from, const mres *to)
{
    mnode *src = from->node, *dst = to->node;
    if (src == NULL)
        return WASI_ENOENT;
    if (from->dir == NULL || to->dir == NULL)
        return WASI_EBUSY;
    if (src->kind != MN_DIR && (from->trailing_slash || to->trailing_slash))
        return WASI_ENOTDIR;
    if (from->dir->readonly || to->dir->readonly)
        return WASI_EACCES;
    if (src->kind == MN_DIR && is_within(to->dir, src))
        return WASI_EINVAL; /* a directory cannot move beneath itself */
    if (dst == NULL || dst == src)
        return WASI_ESUCCESS;
    if (src->kind == MN_DIR && dst->kind != MN_DIR)
        return WASI_ENOTDIR;
    if (src->kind != MN_DIR && dst->kind == MN_DIR)
        return WASI_EISDIR;
    if (dst->kind == MN_DIR && dst->nents > 0)
        return WASI_ENOTEMPTY;
    return WASI_ESUCCESS;
}

static uint16_t mem_rename_at(wasi_node odir, const wasi_path *op, wasi_node ndir,
                              const wasi_path *np)
{
    mres from, to;
    uint16_t werr = resolve(odir, op, false, &from);
    if (werr != WASI_ESUCCESS) {
        memfs_res_done(&from);
        return werr;
    }
    werr = resolve(ndir, np, false, &to);
    if (werr == WASI_ESUCCESS)
        werr = rename_check(&from, &to);
    mnode *src = from.node;
    if (werr == WASI_ESUCCESS && to.node != src) {
        /* The new entry first, so running out of memory leaves the old name in place; the
         * extra link keeps the node alive while its old entry goes. */
        mnode *dst = to.node;
        if (dst != NULL)
            dst->links++;
        if (dst != NULL)
            memfs_entry_remove(to.dir, to.name, to.len);
        werr = memfs_entry_add(to.dir, to.name, to.len, src);
        if (werr == WASI_ESUCCESS) {
            memfs_entry_remove(from.dir, from.name, from.len);
            if (src->kind == MN_DIR)
                src->parent = to.dir;
        } else if (dst != NULL) {
            /* Put the old target back; this only fails when the host is out of memory. */
            (void)memfs_entry_add(to.dir, to.name, to.len, dst);
        }
        if (dst != NULL) {
            dst->links--;
            memfs_node_maybe_free(dst);
        }
    }
    memfs_res_done(&from);
    memfs_res_done(&to);
    return werr;
}

static uint16_t mem_link_at(wasi_node odir, const wasi_path *op, bool follow, wasi_node ndir,
                            const wasi_path *np)
{
    mnode *src;
    uint16_t werr = existing(odir, op, follow, &src);
    if (werr != WASI_ESUCCESS)
        return werr;
    if (src->kind == MN_DIR)
        return WASI_EPERM;
    mres to;
    werr = resolve(ndir, np, false, &to);
    if (werr == WASI_ESUCCESS && (to.node != NULL || to.dir == NULL))
        werr = WASI_EEXIST;
    else if (werr == WASI_ESUCCESS && to.trailing_slash)
        werr = WASI_ENOENT;
    else if (werr == WASI_ESUCCESS && to.dir->readonly)
        werr = WASI_EACCES;
    if (werr == WASI_ESUCCESS)
        werr = memfs_entry_add(to.dir, to.name, to.len, src);
    if (werr == WASI_ESUCCESS)
        src->ctim = memfs_now();
    memfs_res_done(&to);
    return werr;
}

const wasi_fs_ops wasi_memfs_ops = {
    .name = "memfs",
    .close = mem_close,
    .readv = mem_readv,
    .writev = mem_writev,
    .preadv = mem_preadv,
    .pwritev = mem_pwritev,
    .seek = mem_seek,
    .get_flags = mem_get_flags,
    .set_flags = mem_set_flags,
    .stat = mem_stat,
    .set_size = mem_set_size,
    .set_times = mem_set_times,
    .sync = mem_sync,
    .advise = mem_advise,
    .allocate = mem_allocate,
    .readdir = mem_readdir,
    .poll_fd = mem_poll_fd,
    .open_at = mem_open_at,
    .stat_at = mem_stat_at,
    .set_times_at = mem_set_times_at,
    .mkdir_at = mem_mkdir_at,
    .rmdir_at = mem_rmdir_at,
    .unlink_at = mem_unlink_at,
    .readlink_at = mem_readlink_at,
    .symlink_at = mem_symlink_at,
    .rename_at = mem_rename_at,
    .link_at = mem_link_at,
};
