/* WASI fd_* functions: reading, writing and inspecting open descriptors. */
#include <stdlib.h>

#include "wasi/calls.h"

uint16_t wasi_iovs_load(wasi_call *c, uint32_t iovs, uint32_t n, struct iovec **out)
{
    *out = NULL;
    if (n > BURH_WASI_MAX_IOVS)
        return WASI_EINVAL;
    if (n == 0)
        return WASI_ESUCCESS;
    const uint8_t *raw = wasi_mem(c, iovs, (uint64_t)n * 8);
    if (raw == NULL)
        return WASI_EFAULT;
    struct iovec *iov = malloc((size_t)n * sizeof *iov);
    if (iov == NULL)
        return WASI_ENOMEM;
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t buf = wasi_get_u32(raw + 8 * i), len = wasi_get_u32(raw + 8 * i + 4);
        uint8_t *p = wasi_mem(c, buf, len);
        total += len;
        if (p == NULL || total > UINT32_MAX) {
            free(iov);
            return p == NULL ? WASI_EFAULT : WASI_EINVAL;
        }
        iov[i].iov_base = p;
        iov[i].iov_len = len;
    }
    *out = iov;
    return WASI_ESUCCESS;
}

typedef enum { IO_READ, IO_WRITE, IO_PREAD, IO_PWRITE } io_kind;

/* The four transfer calls share everything but the op they end in. */
static uint16_t fd_io(wasi_call *c, const bw_value *args, io_kind kind)
{
    static const uint64_t need[] = {WASI_R_FD_READ, WASI_R_FD_WRITE,
                                    WASI_R_FD_READ | WASI_R_FD_SEEK,
                                    WASI_R_FD_WRITE | WASI_R_FD_SEEK};
    bool positioned = kind == IO_PREAD || kind == IO_PWRITE;
    uint32_t done_ptr = positioned ? ARG32(4) : ARG32(3);
    wasi_fd *e;
    uint16_t werr = wasi_fd_get(c->w, ARG32(0), need[kind], &e);
    if (werr != WASI_ESUCCESS)
        return werr;
    if (wasi_mem(c, done_ptr, 4) == NULL)
        return WASI_EFAULT;
    if (e->filetype == WASI_FILETYPE_DIRECTORY)
        return WASI_EISDIR;
    struct iovec *iov;
    werr = wasi_iovs_load(c, ARG32(1), ARG32(2), &iov);
    if (werr != WASI_ESUCCESS)
        return werr;
    int n = (int)ARG32(2);
    size_t done = 0;
    switch (kind) {
    case IO_READ:
        werr = e->ops->readv(e->node, iov, n, &done);
        break;
    case IO_WRITE:
        werr = e->ops->writev(e->node, iov, n, &done);
        break;
    case IO_PREAD:
        werr = e->ops->preadv(e->node, iov, n, ARG64(3), &done);
        break;
    case IO_PWRITE:
        werr = e->ops->pwritev(e->node, iov, n, ARG64(3), &done);
        break;
    }
    free(iov);
    if (werr != WASI_ESUCCESS)
        return werr;
    return wasi_store_u32(c, done_ptr, (uint32_t)done);
}

static uint16_t fd_read(wasi_call *c, const bw_value *args)
{
    return fd_io(c, args, IO_READ);
}
static uint16_t fd_write(wasi_call *c, const bw_value *args)
{
    return fd_io(c, args, IO_WRITE);
}
static uint16_t fd_pread(wasi_call *c, const bw_value *args)
{
    return fd_io(c, args, IO_PREAD);
}
static uint16_t fd_pwrite(wasi_call *c, const bw_value *args)
{
    return fd_io(c, args, IO_PWRITE);
}

/* The preamble of calls that read an fd and write a result: the fd with right `need`, and
 * `len` writable guest bytes at `ptr` (checked before anything is done). */
static uint16_t fd_and_result(wasi_call *c, uint32_t fd, uint64_t need, uint32_t ptr, uint32_t len,
                              wasi_fd **e, uint8_t **out)
{
    uint16_t werr = wasi_fd_get(c->w, fd, need, e);
    if (werr != WASI_ESUCCESS)
        return werr;
    *out = wasi_mem(c, ptr, len);
    return *out == NULL ? WASI_EFAULT : WASI_ESUCCESS;
}

static uint16_t fd_seek(wasi_call *c, const bw_value *args)
{
    int64_t off = (int64_t)ARG64(1);
    uint32_t whence = ARG32(2);
    /* Asking where we are is "tell"; anything else moves, which needs "seek". */
    uint64_t need = (whence == WASI_WHENCE_CUR && off == 0) ? WASI_R_FD_TELL : WASI_R_FD_SEEK;
    wasi_fd *e;
    uint16_t werr = wasi_fd_get(c->w, ARG32(0), need, &e);
    if (werr != WASI_ESUCCESS)
        return werr;
    if (whence > WASI_WHENCE_END)
        return WASI_EINVAL;
    if (wasi_mem(c, ARG32(3), 8) == NULL)
        return WASI_EFAULT;
    uint64_t pos;
    werr = e->ops->seek(e->node, off, (uint8_t)whence, &pos);
    return werr != WASI_ESUCCESS ? werr : wasi_store_u64(c, ARG32(3), pos);
}

static uint16_t fd_tell(wasi_call *c, const bw_value *args)
{
    wasi_fd *e;
    uint8_t *out;
    uint16_t werr = fd_and_result(c, ARG32(0), WASI_R_FD_TELL, ARG32(1), 8, &e, &out);
    if (werr != WASI_ESUCCESS)
        return werr;
    uint64_t pos;
    werr = e->ops->seek(e->node, 0, WASI_WHENCE_CUR, &pos);
    return werr != WASI_ESUCCESS ? werr : wasi_store_u64(c, ARG32(1), pos);
}

static uint16_t fd_close(wasi_call *c, const bw_value *args)
{
    return wasi_fd_close(c->w, ARG32(0));
}

static uint16_t fd_renumber(wasi_call *c, const bw_value *args)
{
    return wasi_fd_renumber(c->w, ARG32(0), ARG32(1));
}

static uint16_t fd_fdstat_get(wasi_call *c, const bw_value *args)
{
    wasi_fd *e;
    uint8_t *out;
    uint16_t werr = fd_and_result(c, ARG32(0), 0, ARG32(1), 24, &e, &out);
    if (werr != WASI_ESUCCESS)
        return werr;
    uint16_t flags = 0;
    werr = e->ops->get_flags(e->node, &flags);
    if (werr != WASI_ESUCCESS)
        return werr;
    memset(out, 0, 24);
    out[0] = e->filetype;
    wasi_put_u16(out + 2, flags);
    wasi_put_u64(out + 8, e->rights_base);
    wasi_put_u64(out + 16, e->rights_inheriting);
    return WASI_ESUCCESS;
}

static uint16_t fd_fdstat_set_flags(wasi_call *c, const bw_value *args)
{
    wasi_fd *e;
    uint16_t werr = wasi_fd_get(c->w, ARG32(0), WASI_R_FD_FDSTAT_SET_FLAGS, &e);
    if (werr != WASI_ESUCCESS)
        return werr;
    if (ARG32(1) > 0x1f)
        return WASI_EINVAL;
    return e->ops->set_flags(e->node, (uint16_t)ARG32(1));
}

/* Rights can only ever shrink. */
static uint16_t fd_fdstat_set_rights(wasi_call *c, const bw_value *args)
{
    wasi_fd *e;
    uint16_t werr = wasi_fd_get(c->w, ARG32(0), 0, &e);
    if (werr != WASI_ESUCCESS)
        return werr;
    uint64_t base = ARG64(1), inheriting = ARG64(2);
    if ((base & ~e->rights_base) != 0 || (inheriting & ~e->rights_inheriting) != 0)
        return WASI_ENOTCAPABLE;
    e->rights_base = base;
    e->rights_inheriting = inheriting;
    return WASI_ESUCCESS;
}

static void filestat_put(uint8_t *out, const wasi_filestat *st)
{
    memset(out, 0, 64);
    wasi_put_u64(out + 0, st->dev);
    wasi_put_u64(out + 8, st->ino);
    out[16] = st->filetype;
    wasi_put_u64(out + 24, st->nlink);
    wasi_put_u64(out + 32, st->size);
    wasi_put_u64(out + 40, st->atim);
    wasi_put_u64(out + 48, st->mtim);
    wasi_put_u64(out + 56, st->ctim);
}

uint16_t wasi_filestat_store(wasi_call *c, uint32_t ptr, const wasi_filestat *st)
{
    uint8_t *out = wasi_mem(c, ptr, 64);
    if (out == NULL)
        return WASI_EFAULT;
    filestat_put(out, st);
    return WASI_ESUCCESS;
}

static uint16_t fd_filestat_get(wasi_call *c, const bw_value *args)
{
    wasi_fd *e;
    uint8_t *out;
    uint16_t werr = fd_and_result(c, ARG32(0), WASI_R_FD_FILESTAT_GET, ARG32(1), 64, &e, &out);
    if (werr != WASI_ESUCCESS)
        return werr;
    wasi_filestat st;
    werr = e->ops->stat(e->node, &st);
    if (werr != WASI_ESUCCESS)
        return werr;
    /* Stdio may be a pipe the host sees as a FIFO; the guest was told its type at start. */
    if (st.filetype == WASI_FILETYPE_UNKNOWN)
        st.filetype = e->filetype;
    return wasi_filestat_store(c, ARG32(1), &st);
}

static uint16_t fd_filestat_set_size(wasi_call *c, const bw_value *args)
{
    wasi_fd *e;
    uint16_t werr = wasi_fd_get(c->w, ARG32(0), WASI_R_FD_FILESTAT_SET_SIZE, &e);
    return werr != WASI_ESUCCESS ? werr : e->ops->set_size(e->node, ARG64(1));
}

/* "set" and "set to now" exclude each other. */
bool wasi_fstflags_valid(uint32_t fst)
{
    if (fst > 0xf)
        return false;
    if ((fst & WASI_FST_ATIM) && (fst & WASI_FST_ATIM_NOW))
        return false;
    return !((fst & WASI_FST_MTIM) && (fst & WASI_FST_MTIM_NOW));
}

static uint16_t fd_filestat_set_times(wasi_call *c, const bw_value *args)
{
    wasi_fd *e;
    uint16_t werr = wasi_fd_get(c->w, ARG32(0), WASI_R_FD_FILESTAT_SET_TIMES, &e);
    if (werr != WASI_ESUCCESS)
        return werr;
    if (!wasi_fstflags_valid(ARG32(3)))
        return WASI_EINVAL;
    return e->ops->set_times(e->node, ARG64(1), ARG64(2), (uint16_t)ARG32(3));
}

static uint16_t fd_sync_common(wasi_call *c, const bw_value *args, bool data_only)
{
    wasi_fd *e;
    uint64_t need = data_only ? WASI_R_FD_DATASYNC : WASI_R_FD_SYNC;
    uint16_t werr = wasi_fd_get(c->w, ARG32(0), need, &e);
    return werr != WASI_ESUCCESS ? werr : e->ops->sync(e->node, data_only);
}
static uint16_t fd_sync(wasi_call *c, const bw_value *args)
{
    return fd_sync_common(c, args, false);
}
static uint16_t fd_datasync(wasi_call *c, const bw_value *args)
{
    return fd_sync_common(c, args, true);
}

static uint16_t fd_advise(wasi_call *c, const bw_value *args)
{
    wasi_fd *e;
    uint16_t werr = wasi_fd_get(c->w, ARG32(0), WASI_R_FD_ADVISE, &e);
    if (werr != WASI_ESUCCESS)
        return werr;
    if (ARG32(3) > 5)
        return WASI_EINVAL;
    return e->ops->advise(e->node, ARG64(1), ARG64(2), (uint8_t)ARG32(3));
}

static uint16_t fd_allocate(wasi_call *c, const bw_value *args)
{
    wasi_fd *e;
    uint16_t werr = wasi_fd_get(c->w, ARG32(0), WASI_R_FD_ALLOCATE, &e);
    return werr != WASI_ESUCCESS ? werr : e->ops->allocate(e->node, ARG64(1), ARG64(2));
}

static uint16_t fd_prestat_get(wasi_call *c, const bw_value *args)
{
    wasi_fd *e;
    uint16_t werr = wasi_fd_get(c->w, ARG32(0), 0, &e);
    if (werr != WASI_ESUCCESS)
        return werr;
    if (e->preopen == NULL)
        return WASI_EBADF;
    uint8_t *out = wasi_mem(c, ARG32(1), 8);
    if (out == NULL)
        return WASI_EFAULT;
    memset(out, 0, 8);
    wasi_put_u32(out + 4, (uint32_t)e->preopen_len); /* tag 0: a directory */
    return WASI_ESUCCESS;
}

static uint16_t fd_prestat_dir_name(wasi_call *c, const bw_value *args)
{
    wasi_fd *e;
    uint16_t werr = wasi_fd_get(c->w, ARG32(0), 0, &e);
    if (werr != WASI_ESUCCESS)
        return werr;
    if (e->preopen == NULL)
        return WASI_EBADF;
    if (ARG32(2) < e->preopen_len)
        return WASI_ENAMETOOLONG;
    uint8_t *out = wasi_mem(c, ARG32(1), e->preopen_len);
    if (out == NULL)
        return WASI_EFAULT;
    memcpy(out, e->preopen, e->preopen_len);
    return WASI_ESUCCESS;
}

/* fd_readdir fills the guest buffer with dirent headers and names; the last entry may be
 * cut short, which tells the guest to call again with a larger buffer or a later cookie. */
typedef struct readdir_fill {
    uint8_t *buf;
    uint32_t cap, used;
} readdir_fill;

static void fill_bytes(readdir_fill *f, const void *src, uint32_t len)
{
    uint32_t n = f->cap - f->used < len ? f->cap - f->used : len;
    memcpy(f->buf + f->used, src, n);
    f->used += n;
}

static bool readdir_emit(void *arg, uint64_t next, uint64_t ino, uint8_t type, const char *name,
                         uint32_t namelen)
{
    readdir_fill *f = arg;
    uint8_t head[24];
    memset(head, 0, sizeof head);
    wasi_put_u64(head, next);
    wasi_put_u64(head + 8, ino);
    wasi_put_u32(head + 16, namelen);
    head[20] = type;
    fill_bytes(f, head, sizeof head);
    fill_bytes(f, name, namelen);
    return f->used < f->cap;
}

static uint16_t fd_readdir(wasi_call *c, const bw_value *args)
{
    wasi_fd *e;
    uint16_t werr = wasi_fd_get(c->w, ARG32(0), WASI_R_FD_READDIR, &e);
    if (werr != WASI_ESUCCESS)
        return werr;
    if (e->filetype != WASI_FILETYPE_DIRECTORY)
        return WASI_ENOTDIR;
    readdir_fill f = {wasi_mem(c, ARG32(1), ARG32(2)), ARG32(2), 0};
    if (f.buf == NULL || wasi_mem(c, ARG32(4), 4) == NULL)
        return WASI_EFAULT;
    if (f.cap > 0) {
        werr = e->ops->readdir(e->node, ARG64(3), readdir_emit, &f);
        if (werr != WASI_ESUCCESS)
            return werr;
    }
    return wasi_store_u32(c, ARG32(4), f.used);
}

const wasi_def wasi_defs_fd[] = {
    {"fd_read", "iiii", "i", fd_read},
    {"fd_write", "iiii", "i", fd_write},
    {"fd_pread", "iiiIi", "i", fd_pread},
    {"fd_pwrite", "iiiIi", "i", fd_pwrite},
    {"fd_seek", "iIii", "i", fd_seek},
    {"fd_tell", "ii", "i", fd_tell},
    {"fd_close", "i", "i", fd_close},
    {"fd_renumber", "ii", "i", fd_renumber},
    {"fd_fdstat_get", "ii", "i", fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii", "i", fd_fdstat_set_flags},
    {"fd_fdstat_set_rights", "iII", "i", fd_fdstat_set_rights},
    {"fd_filestat_get", "ii", "i", fd_filestat_get},
    {"fd_filestat_set_size", "iI", "i", fd_filestat_set_size},
    {"fd_filestat_set_times", "iIIi", "i", fd_filestat_set_times},
    {"fd_sync", "i", "i", fd_sync},
    {"fd_datasync", "i", "i", fd_datasync},
    {"fd_advise", "iIIi", "i", fd_advise},
    {"fd_allocate", "iII", "i", fd_allocate},
    {"fd_prestat_get", "ii", "i", fd_prestat_get},
    {"fd_prestat_dir_name", "iii", "i", fd_prestat_dir_name},
    {"fd_readdir", "iiiIi", "i", fd_readdir},
    {NULL, NULL, NULL, NULL},
};
