/* Guest stdio without process descriptors: output sinks, an in-memory stdin, sockets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasi/wasi_impl.h"

/* One stdio stream: either a sink (output) or a buffer being read (input). */
typedef struct wasi_stream {
    burh_wasi_sink sink;
    void *ctx;
    uint8_t *data;
    size_t len, pos;
} wasi_stream;

static wasi_stream *stream_of(wasi_node n)
{
    return n.ptr;
}

static uint16_t stream_close(wasi_node n)
{
    wasi_stream *s = stream_of(n);
    free(s->data);
    free(s);
    return WASI_ESUCCESS;
}

static uint16_t stream_readv(wasi_node n, const struct iovec *iov, int iovcnt, size_t *done)
{
    wasi_stream *s = stream_of(n);
    *done = 0;
    if (s->sink != NULL)
        return WASI_EBADF;
    for (int i = 0; i < iovcnt && s->pos < s->len; i++) {
        size_t take = s->len - s->pos < iov[i].iov_len ? s->len - s->pos : iov[i].iov_len;
        memcpy(iov[i].iov_base, s->data + s->pos, take);
        s->pos += take;
        *done += take;
    }
    return WASI_ESUCCESS;
}

static uint16_t stream_writev(wasi_node n, struct iovec *iov, int iovcnt, size_t *done)
{
    wasi_stream *s = stream_of(n);
    *done = 0;
    if (s->sink == NULL)
        return WASI_EBADF;
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len == 0)
            continue;
        if (!s->sink(s->ctx, iov[i].iov_base, iov[i].iov_len))
            return WASI_EIO;
        *done += iov[i].iov_len;
    }
    return WASI_ESUCCESS;
}

static uint16_t stream_preadv(wasi_node n, const struct iovec *iov, int iovcnt, uint64_t off,
                              size_t *done)
{
    (void)n, (void)iov, (void)iovcnt, (void)off, (void)done;
    return WASI_ESPIPE;
}

static uint16_t stream_pwritev(wasi_node n, const struct iovec *iov, int iovcnt, uint64_t off,
                               size_t *done)
{
    (void)n, (void)iov, (void)iovcnt, (void)off, (void)done;
    return WASI_ESPIPE;
}

static uint16_t stream_seek(wasi_node n, int64_t off, uint8_t whence, uint64_t *newoff)
{
    (void)n, (void)off, (void)whence, (void)newoff;
    return WASI_ESPIPE;
}

static uint16_t stream_get_flags(wasi_node n, uint16_t *fdflags)
{
    (void)n;
    *fdflags = 0;
    return WASI_ESUCCESS;
}

static uint16_t stream_set_flags(wasi_node n, uint16_t fdflags)
{
    (void)n;
    /* Neither kind ever blocks, so NONBLOCK changes nothing; the rest cannot apply. */
    return (fdflags & ~WASI_FDFLAG_NONBLOCK) == 0 ? WASI_ESUCCESS : WASI_ENOTSUP;
}

static uint16_t stream_stat(wasi_node n, wasi_filestat *st)
{
    memset(st, 0, sizeof *st);
    st->filetype = WASI_FILETYPE_UNKNOWN; /* a pipe, as the guest was told */
    st->nlink = 1;
    st->size = stream_of(n)->sink == NULL ? stream_of(n)->len - stream_of(n)->pos : 0;
    return WASI_ESUCCESS;
}

static uint16_t stream_set_size(wasi_node n, uint64_t size)
{
    (void)n, (void)size;
    return WASI_EINVAL;
}

static uint16_t stream_set_times(wasi_node n, uint64_t atim, uint64_t mtim, uint16_t fst)
{
    (void)n, (void)atim, (void)mtim, (void)fst;
    return WASI_ENOTSUP;
}

static uint16_t stream_sync(wasi_node n, bool data_only)
{
    (void)n, (void)data_only;
    return WASI_EINVAL;
}

static uint16_t stream_advise(wasi_node n, uint64_t off, uint64_t len, uint8_t advice)
{
    (void)n, (void)off, (void)len, (void)advice;
    return WASI_ESPIPE;
}

static uint16_t stream_allocate(wasi_node n, uint64_t off, uint64_t len)
{
    (void)n, (void)off, (void)len;
    return WASI_ESPIPE;
}

static uint16_t stream_readdir(wasi_node dir, uint64_t cookie, wasi_dirent_fn emit, void *arg)
{
    (void)dir, (void)cookie, (void)emit, (void)arg;
    return WASI_ENOTDIR;
}

static int stream_poll_fd(wasi_node n)
{
    (void)n;
    return -1; /* never blocks: always ready */
}

/* ---- path ops on a node that is no directory ---- */

uint16_t wasi_notdir_open_at(wasi_node dir, const wasi_path *p, const wasi_open_req *req,
                             wasi_node *out, uint8_t *filetype)
{
    (void)dir, (void)p, (void)req, (void)out, (void)filetype;
    return WASI_ENOTDIR;
}
uint16_t wasi_notdir_stat_at(wasi_node dir, const wasi_path *p, bool follow, wasi_filestat *st)
{
    (void)dir, (void)p, (void)follow, (void)st;
    return WASI_ENOTDIR;
}
uint16_t wasi_notdir_set_times_at(wasi_node dir, const wasi_path *p, bool follow, uint64_t atim,
                                  uint64_t mtim, uint16_t fst)
{
    (void)dir, (void)p, (void)follow, (void)atim, (void)mtim, (void)fst;
    return WASI_ENOTDIR;
}
uint16_t wasi_notdir_path(wasi_node dir, const wasi_path *p)
{
    (void)dir, (void)p;
    return WASI_ENOTDIR;
}
uint16_t wasi_notdir_readlink_at(wasi_node dir, const wasi_path *p, char *buf, size_t cap,
                                 size_t *len)
{
    (void)dir, (void)p, (void)buf, (void)cap, (void)len;
    return WASI_ENOTDIR;
}
uint16_t wasi_notdir_symlink_at(const char *target, wasi_node dir, const wasi_path *p)
{
    (void)target, (void)dir, (void)p;
    return WASI_ENOTDIR;
}
uint16_t wasi_notdir_two(wasi_node odir, const wasi_path *op, wasi_node ndir, const wasi_path *np)
{
    (void)odir, (void)op, (void)ndir, (void)np;
    return WASI_ENOTDIR;
}
uint16_t wasi_notdir_link_at(wasi_node odir, const wasi_path *op, bool follow, wasi_node ndir,
                             const wasi_path *np)
{
    (void)odir, (void)op, (void)follow, (void)ndir, (void)np;
    return WASI_ENOTDIR;
}

const wasi_fs_ops wasi_stream_fs = {
    .name = "stream",
    .close = stream_close,
    .readv = stream_readv,
    .writev = stream_writev,
    .preadv = stream_preadv,
    .pwritev = stream_pwritev,
    .seek = stream_seek,
    .get_flags = stream_get_flags,
    .set_flags = stream_set_flags,
    .stat = stream_stat,
    .set_size = stream_set_size,
    .set_times = stream_set_times,
    .sync = stream_sync,
    .advise = stream_advise,
    .allocate = stream_allocate,
    .readdir = stream_readdir,
    .poll_fd = stream_poll_fd,
    .open_at = wasi_notdir_open_at,
    .stat_at = wasi_notdir_stat_at,
    .set_times_at = wasi_notdir_set_times_at,
    .mkdir_at = wasi_notdir_path,
    .rmdir_at = wasi_notdir_path,
    .unlink_at = wasi_notdir_path,
    .readlink_at = wasi_notdir_readlink_at,
    .symlink_at = wasi_notdir_symlink_at,
    .rename_at = wasi_notdir_two,
    .link_at = wasi_notdir_link_at,
};

/* Puts `s` in guest slot `fd` (0-2), releasing what was there. Takes ownership of `s`. */
static burh_wasi_status stdio_replace(burh_wasi *w, uint32_t fd, wasi_stream *s, uint64_t rights)
{
    if (fd >= w->nfds) {
        stream_close((wasi_node){.ptr = s});
        return BURH_WASI_ERR_ARG;
    }
    wasi_fd_release(&w->fds[fd]);
    wasi_fd *e = &w->fds[fd];
    e->used = true;
    e->ops = &wasi_stream_fs;
    e->node.ptr = s;
    /* Like a pipe: not a terminal to wasi-libc (it has seek and tell), so output is fully
     * buffered and reaches the sink in large pieces. */
    e->filetype = WASI_FILETYPE_UNKNOWN;
    e->rights_base = rights | WASI_R_FD_SEEK | WASI_R_FD_TELL | WASI_R_FD_FILESTAT_GET |
                     WASI_R_FD_FDSTAT_SET_FLAGS | WASI_R_POLL_FD_READWRITE;
    e->rights_inheriting = 0;
    return BURH_WASI_OK;
}

static burh_wasi_status set_sink(burh_wasi *w, uint32_t fd, burh_wasi_sink sink, void *ctx)
{
    if (sink == NULL)
        return BURH_WASI_ERR_ARG;
    wasi_stream *s = calloc(1, sizeof *s);
    if (s == NULL)
        return BURH_WASI_ERR_NOMEM;
    s->sink = sink;
    s->ctx = ctx;
    return stdio_replace(w, fd, s, WASI_R_FD_WRITE);
}

burh_wasi_status burh_wasi_set_stdout(burh_wasi *w, burh_wasi_sink sink, void *ctx)
{
    return set_sink(w, 1, sink, ctx);
}

burh_wasi_status burh_wasi_set_stderr(burh_wasi *w, burh_wasi_sink sink, void *ctx)
{
    return set_sink(w, 2, sink, ctx);
}

burh_wasi_status burh_wasi_set_stdin(burh_wasi *w, const uint8_t *bytes, size_t len)
{
    if (bytes == NULL && len != 0)
        return BURH_WASI_ERR_ARG;
    wasi_stream *s = calloc(1, sizeof *s);
    uint8_t *copy = malloc(len == 0 ? 1 : len);
    if (s == NULL || copy == NULL) {
        free(s);
        free(copy);
        return BURH_WASI_ERR_NOMEM;
    }
    if (len > 0)
        memcpy(copy, bytes, len);
    s->data = copy;
    s->len = len;
    return stdio_replace(w, 0, s, WASI_R_FD_READ);
}

/* ---- sockets: host descriptors behind the host file system's ops ---- */

#define WASI_RIGHTS_SOCKET                                                                         \
    (WASI_R_FD_READ | WASI_R_FD_WRITE | WASI_R_FD_FDSTAT_SET_FLAGS | WASI_R_FD_FILESTAT_GET |      \
     WASI_R_POLL_FD_READWRITE | WASI_R_SOCK_SHUTDOWN)

uint64_t wasi_socket_rights(bool listening)
{
    return WASI_RIGHTS_SOCKET | (listening ? WASI_R_SOCK_ACCEPT : 0);
}

burh_wasi_status burh_wasi_add_socket(burh_wasi *w, int host_fd, bw_name name, bool listening)
{
    if (host_fd < 0)
        return BURH_WASI_ERR_ARG;
    if (name.len == 0 || name.len > 255 || memchr(name.ptr, '\0', name.len) != NULL ||
        memchr(name.ptr, ':', name.len) != NULL) {
        close(host_fd);
        return BURH_WASI_ERR_ARG;
    }
    wasi_fd e;
    memset(&e, 0, sizeof e);
    e.ops = &wasi_host_socket_fs;
    e.node.fd = host_fd;
    e.filetype = WASI_FILETYPE_SOCKET_STREAM;
    e.rights_base = wasi_socket_rights(listening);
    e.label = malloc(name.len);
    e.label_len = name.len;
    uint32_t fd;
    if (e.label == NULL || wasi_fd_insert(w, &e, &fd) != WASI_ESUCCESS) {
        free(e.label);
        close(host_fd);
        return BURH_WASI_ERR_NOMEM;
    }
    memcpy(w->fds[fd].label, name.ptr, name.len);
    return BURH_WASI_OK;
}

/* The name FD_NAMES gives slot i. */
static void fd_label(const wasi_fd *e, uint32_t i, const char **name, size_t *len)
{
    static const char *const std_names[] = {"stdin", "stdout", "stderr"};
    if (e->label != NULL) {
        *name = e->label, *len = e->label_len;
    } else if (e->preopen != NULL) {
        *name = e->preopen, *len = e->preopen_len;
    } else if (i < 3) {
        *name = std_names[i], *len = strlen(std_names[i]);
    } else {
        *name = "", *len = 0;
    }
}

burh_wasi_status burh_wasi_add_fd_env(burh_wasi *w)
{
    uint32_t count = 0;
    size_t bytes = sizeof "FD_NAMES=";
    for (uint32_t i = 0; i < w->nfds && w->fds[i].used; i++) {
        const char *name;
        size_t len;
        fd_label(&w->fds[i], i, &name, &len);
        bytes += len + 1;
        count = i + 1;
    }
    char *names = malloc(bytes), countbuf[32];
    if (names == NULL)
        return BURH_WASI_ERR_NOMEM;
    size_t used = (size_t)snprintf(names, bytes, "FD_NAMES=");
    for (uint32_t i = 0; i < count; i++) {
        const char *name;
        size_t len;
        fd_label(&w->fds[i], i, &name, &len);
        if (i > 0)
            names[used++] = ':';
        memcpy(names + used, name, len);
        used += len;
    }
    int clen = snprintf(countbuf, sizeof countbuf, "FD_COUNT=%u", count);
    burh_wasi_status st = burh_wasi_add_env(w, (bw_name){(const uint8_t *)countbuf, (size_t)clen});
    if (st == BURH_WASI_OK)
        st = burh_wasi_add_env(w, (bw_name){(const uint8_t *)names, used});
    free(names);
    return st;
}
