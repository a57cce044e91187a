/* The host file system behind WASI descriptors: every lookup confined by openat2. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wasi/wasi_impl.h"

static uint16_t host_err(void)
{
    return wasi_errno_from_host(errno);
}

/* Resolves `path` beneath `dirfd`. The kernel refuses "..", absolute symlinks and magic
 * links that would leave the directory; those come back as EXDEV, which the guest sees as
 * ENOTCAPABLE. */
static int host_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint16_t *werr)
{
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = flags | O_CLOEXEC;
    how.mode = mode;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    for (;;) {
        long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        if (fd >= 0)
            return (int)fd;
        if (errno == EAGAIN || errno == EINTR)
            continue; /* a concurrent rename raced the lookup; try again */
        *werr = errno == EXDEV ? WASI_ENOTCAPABLE : host_err();
        return -1;
    }
}

/* A path split into the directory holding its last component (opened beneath the start
 * directory) and that component alone, so the *at() calls below never follow a link. */
typedef struct host_at {
    int dirfd;
    bool owned;
    char *copy;
    const char *base;
} host_at;

static void host_at_done(host_at *at)
{
    if (at->owned)
        close(at->dirfd);
    free(at->copy);
}

static uint16_t host_split(int dirfd, const wasi_path *p, host_at *at)
{
    at->dirfd = dirfd;
    at->owned = false;
    at->copy = strdup(p->str);
    if (at->copy == NULL)
        return WASI_ENOMEM;
    size_t len = strlen(at->copy);
    while (len > 1 && at->copy[len - 1] == '/')
        at->copy[--len] = '\0';
    char *slash = strrchr(at->copy, '/');
    if (slash == NULL) {
        at->base = at->copy;
        return WASI_ESUCCESS;
    }
    *slash = '\0';
    at->base = slash + 1;
    uint16_t werr = WASI_ESUCCESS;
    int parent = host_openat2(dirfd, at->copy, O_PATH | O_DIRECTORY, 0, &werr);
    if (parent < 0) {
        free(at->copy);
        at->copy = NULL;
        return werr;
    }
    at->dirfd = parent;
    at->owned = true;
    return WASI_ESUCCESS;
}

static bool is_dot_or_dotdot(const char *name)
{
    return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

static uint8_t wasi_host_filetype_of_mode(mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG:
        return WASI_FILETYPE_REGULAR_FILE;
    case S_IFDIR:
        return WASI_FILETYPE_DIRECTORY;
    case S_IFLNK:
        return WASI_FILETYPE_SYMBOLIC_LINK;
    case S_IFCHR:
        return WASI_FILETYPE_CHARACTER_DEVICE;
    case S_IFBLK:
        return WASI_FILETYPE_BLOCK_DEVICE;
    case S_IFSOCK:
        return WASI_FILETYPE_SOCKET_STREAM;
    default:
        return WASI_FILETYPE_UNKNOWN;
    }
}

uint8_t wasi_host_filetype(int host_fd)
{
    struct stat st;
    if (fstat(host_fd, &st) != 0)
        return WASI_FILETYPE_UNKNOWN;
    return wasi_host_filetype_of_mode(st.st_mode);
}

static uint64_t timespec_ns(struct timespec ts)
{
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void filestat_from_host(const struct stat *st, wasi_filestat *out)
{
    out->dev = st->st_dev;
    out->ino = st->st_ino;
    out->filetype = wasi_host_filetype_of_mode(st->st_mode);
    out->nlink = st->st_nlink;
    out->size = (uint64_t)st->st_size;
    out->atim = timespec_ns(st->st_atim);
    out->mtim = timespec_ns(st->st_mtim);
    out->ctim = timespec_ns(st->st_ctim);
}

uint16_t wasi_host_open_dir(const char *host_path, wasi_node *out)
{
    int fd = open(host_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return host_err();
    out->fd = fd;
    return WASI_ESUCCESS;
}

/* ---- descriptors ---- */

/* A read or write's result as WASI sees it. */
static uint16_t io_done(ssize_t r, size_t *done)
{
    if (r < 0)
        return host_err();
    *done = (size_t)r;
    return WASI_ESUCCESS;
}

static uint16_t host_close(wasi_node n)
{
    return close(n.fd) == 0 ? WASI_ESUCCESS : host_err();
}

static uint16_t host_readv(wasi_node n, const struct iovec *iov, int iovcnt, size_t *done)
{
    ssize_t r = readv(n.fd, iov, iovcnt);
    return io_done(r, done);
}

/* Loops on short writes: a pipe takes a large write in pieces, and the guest must not lose
 * the rest. */
static uint16_t host_writev(wasi_node n, struct iovec *iov, int iovcnt, size_t *done)
{
    size_t total = 0;
    int i = 0;
    while (i < iovcnt && iov[i].iov_len == 0)
        i++;
    while (i < iovcnt) {
        ssize_t r = writev(n.fd, iov + i, iovcnt - i);
        if (r <= 0) { /* 0 would mean no progress is possible: report what was written */
            *done = total;
            return total > 0 || r == 0 ? WASI_ESUCCESS : host_err();
        }
        total += (size_t)r;
        size_t left = (size_t)r;
        while (i < iovcnt && left >= iov[i].iov_len) {
            left -= iov[i].iov_len;
            i++;
        }
        if (i < iovcnt) {
            iov[i].iov_base = (uint8_t *)iov[i].iov_base + left;
            iov[i].iov_len -= left;
        }
    }
    *done = total;
    return WASI_ESUCCESS;
}

static uint16_t host_preadv(wasi_node n, const struct iovec *iov, int iovcnt, uint64_t off,
                            size_t *done)
{
    if (off > INT64_MAX)
        return WASI_EINVAL;
    ssize_t r = preadv(n.fd, iov, iovcnt, (off_t)off);
    return io_done(r, done);
}

static uint16_t host_pwritev(wasi_node n, const struct iovec *iov, int iovcnt, uint64_t off,
                             size_t *done)
{
    if (off > INT64_MAX)
        return WASI_EINVAL;
    ssize_t r = pwritev(n.fd, iov, iovcnt, (off_t)off);
    return io_done(r, done);
}

static uint16_t host_seek(wasi_node n, int64_t off, uint8_t whence, uint64_t *newoff)
{
    static const int host_whence[] = {SEEK_SET, SEEK_CUR, SEEK_END};
    if (whence > WASI_WHENCE_END)
        return WASI_EINVAL;
    off_t r = lseek(n.fd, (off_t)off, host_whence[whence]);
    if (r < 0)
        return host_err();
    *newoff = (uint64_t)r;
    return WASI_ESUCCESS;
}

static uint16_t host_get_flags(wasi_node n, uint16_t *fdflags)
{
    int fl = fcntl(n.fd, F_GETFL);
    if (fl < 0)
        return host_err();
    uint16_t out = 0;
    if (fl & O_APPEND)
        out |= WASI_FDFLAG_APPEND;
    if (fl & O_NONBLOCK)
        out |= WASI_FDFLAG_NONBLOCK;
    /* O_SYNC includes the O_DSYNC bit on Linux, so test the wider one first. */
    if ((fl & O_SYNC) == O_SYNC)
        out |= WASI_FDFLAG_SYNC | WASI_FDFLAG_RSYNC;
    else if (fl & O_DSYNC)
        out |= WASI_FDFLAG_DSYNC;
    *fdflags = out;
    return WASI_ESUCCESS;
}

static uint16_t host_set_flags(wasi_node n, uint16_t fdflags)
{
    /* Linux cannot change the sync flags of an open file. */
    if (fdflags & (WASI_FDFLAG_DSYNC | WASI_FDFLAG_RSYNC | WASI_FDFLAG_SYNC))
        return WASI_ENOTSUP;
    int fl = fcntl(n.fd, F_GETFL);
    if (fl < 0)
        return host_err();
    fl &= ~(O_APPEND | O_NONBLOCK);
    if (fdflags & WASI_FDFLAG_APPEND)
        fl |= O_APPEND;
    if (fdflags & WASI_FDFLAG_NONBLOCK)
        fl |= O_NONBLOCK;
    return fcntl(n.fd, F_SETFL, fl) == 0 ? WASI_ESUCCESS : host_err();
}

static uint16_t host_stat(wasi_node n, wasi_filestat *out)
{
    struct stat st;
    if (fstat(n.fd, &st) != 0)
        return host_err();
    filestat_from_host(&st, out);
    return WASI_ESUCCESS;
}

static uint16_t host_set_size(wasi_node n, uint64_t size)
{
    if (size > INT64_MAX)
        return WASI_EINVAL;
    return ftruncate(n.fd, (off_t)size) == 0 ? WASI_ESUCCESS : host_err();
}

static void times_to_host(uint64_t atim, uint64_t mtim, uint16_t fst, struct timespec ts[2])
{
    const uint64_t t[2] = {atim, mtim};
    const uint16_t set[2] = {WASI_FST_ATIM, WASI_FST_MTIM};
    const uint16_t now[2] = {WASI_FST_ATIM_NOW, WASI_FST_MTIM_NOW};
    for (int i = 0; i < 2; i++) {
        if (fst & now[i]) {
            ts[i].tv_sec = 0;
            ts[i].tv_nsec = UTIME_NOW;
        } else if (fst & set[i]) {
            ts[i].tv_sec = (time_t)(t[i] / 1000000000u);
            ts[i].tv_nsec = (long)(t[i] % 1000000000u);
        } else {
            ts[i].tv_sec = 0;
            ts[i].tv_nsec = UTIME_OMIT;
        }
    }
}

static uint16_t host_set_times(wasi_node n, uint64_t atim, uint64_t mtim, uint16_t fst)
{
    struct timespec ts[2];
    times_to_host(atim, mtim, fst, ts);
    /* AT_EMPTY_PATH works for O_PATH descriptors (preopens) where futimens does not. */
    return utimensat(n.fd, "", ts, AT_EMPTY_PATH) == 0 ? WASI_ESUCCESS : host_err();
}

static uint16_t host_sync(wasi_node n, bool data_only)
{
    int r = data_only ? fdatasync(n.fd) : fsync(n.fd);
    return r == 0 ? WASI_ESUCCESS : host_err();
}

static uint16_t host_advise(wasi_node n, uint64_t off, uint64_t len, uint8_t advice)
{
    static const int host_advice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL,
                                      POSIX_FADV_RANDOM,   POSIX_FADV_WILLNEED,
                                      POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
    if (advice > 5 || off > INT64_MAX || len > INT64_MAX)
        return WASI_EINVAL;
    int r = posix_fadvise(n.fd, (off_t)off, (off_t)len, host_advice[advice]);
    return r == 0 ? WASI_ESUCCESS : wasi_errno_from_host(r);
}

static uint16_t host_allocate(wasi_node n, uint64_t off, uint64_t len)
{
    if (off > INT64_MAX || len > INT64_MAX || off + len > INT64_MAX)
        return WASI_EINVAL;
    int r = posix_fallocate(n.fd, (off_t)off, (off_t)len);
    return r == 0 ? WASI_ESUCCESS : wasi_errno_from_host(r);
}

static int host_poll_fd(wasi_node n)
{
    return n.fd;
}

/* From <dirent.h>'s DT_* values, which are the S_IFMT bits shifted right by 12. */
static uint8_t filetype_of_dtype(unsigned char d_type)
{
    if (d_type == 0)
        return WASI_FILETYPE_UNKNOWN;
    return wasi_host_filetype_of_mode((mode_t)d_type << 12);
}

struct linux_dirent64_head {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
};

static uint16_t host_readdir(wasi_node dir, uint64_t cookie, wasi_dirent_fn emit, void *arg)
{
    /* A fresh descriptor per call: preopens are O_PATH, and the cookie (the kernel's d_off)
     * says where to start, so no position is shared with anything else. */
    int fd = openat(dir.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return host_err();
    uint16_t werr = WASI_ESUCCESS;
    if (cookie > INT64_MAX || lseek(fd, (off_t)cookie, SEEK_SET) < 0) {
        werr = cookie > INT64_MAX ? WASI_EINVAL : host_err();
        close(fd);
        return werr;
    }
    _Alignas(8) char buf[8192];
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n < 0) {
            werr = host_err();
            break;
        }
        if (n == 0)
            break;
        for (long pos = 0; pos < n;) {
            struct linux_dirent64_head h;
            memcpy(&h, buf + pos, sizeof h);
            const char *name = buf + pos + 19; /* offsetof(struct linux_dirent64, d_name) */
            size_t namelen = strnlen(name, (size_t)(n - pos - 19));
            if (!emit(arg, (uint64_t)h.d_off, h.d_ino, filetype_of_dtype(h.d_type), name,
                      (uint32_t)namelen)) {
                close(fd);
                return WASI_ESUCCESS;
            }
            pos += h.d_reclen;
        }
    }
    close(fd);
    return werr;
}

/* ---- paths ---- */

static uint16_t host_open_at(wasi_node dir, const wasi_path *p, const wasi_open_req *req,
                             wasi_node *out, uint8_t *filetype)
{
    uint64_t flags = req->write ? (req->read ? O_RDWR : O_WRONLY) : O_RDONLY;
    uint64_t mode = 0;
    if (req->oflags & WASI_OFLAG_CREAT) {
        flags |= O_CREAT;
        mode = 0666;
    }
    if (req->oflags & WASI_OFLAG_DIRECTORY)
        flags |= O_DIRECTORY;
    if (req->oflags & WASI_OFLAG_EXCL)
        flags |= O_EXCL;
    if (req->oflags & WASI_OFLAG_TRUNC)
        flags |= O_TRUNC;
    if (!(req->lookupflags & WASI_LOOKUP_SYMLINK_FOLLOW))
        flags |= O_NOFOLLOW;
    if (req->fdflags & WASI_FDFLAG_APPEND)
        flags |= O_APPEND;
    if (req->fdflags & WASI_FDFLAG_NONBLOCK)
        flags |= O_NONBLOCK;
    if (req->fdflags & (WASI_FDFLAG_SYNC | WASI_FDFLAG_RSYNC))
        flags |= O_SYNC;
    else if (req->fdflags & WASI_FDFLAG_DSYNC)
        flags |= O_DSYNC;
    uint16_t werr = WASI_ESUCCESS;
    int fd = host_openat2(dir.fd, p->str, flags, mode, &werr);
    if (fd < 0)
        return werr;
    out->fd = fd;
    *filetype = wasi_host_filetype(fd);
    return WASI_ESUCCESS;
}

static uint16_t host_stat_at(wasi_node dir, const wasi_path *p, bool follow, wasi_filestat *out)
{
    uint16_t werr = WASI_ESUCCESS;
    int fd = host_openat2(dir.fd, p->str, O_PATH | (follow ? 0 : O_NOFOLLOW), 0, &werr);
    if (fd < 0)
        return werr;
    struct stat st;
    if (fstatat(fd, "", &st, AT_EMPTY_PATH) != 0)
        werr = host_err();
    else
        filestat_from_host(&st, out);
    close(fd);
    return werr;
}

static uint16_t host_set_times_at(wasi_node dir, const wasi_path *p, bool follow, uint64_t atim,
                                  uint64_t mtim, uint16_t fst)
{
    uint16_t werr = WASI_ESUCCESS;
    int fd = host_openat2(dir.fd, p->str, O_PATH | (follow ? 0 : O_NOFOLLOW), 0, &werr);
    if (fd < 0)
        return werr;
    struct timespec ts[2];
    times_to_host(atim, mtim, fst, ts);
    if (utimensat(fd, "", ts, AT_EMPTY_PATH) != 0)
        werr = host_err();
    close(fd);
    return werr;
}

static uint16_t host_mkdir_at(wasi_node dir, const wasi_path *p)
{
    host_at at;
    uint16_t werr = host_split(dir.fd, p, &at);
    if (werr != WASI_ESUCCESS)
        return werr;
    if (mkdirat(at.dirfd, at.base, 0777) != 0)
        werr = host_err();
    host_at_done(&at);
    return werr;
}

static uint16_t host_rmdir_at(wasi_node dir, const wasi_path *p)
{
    host_at at;
    uint16_t werr = host_split(dir.fd, p, &at);
    if (werr != WASI_ESUCCESS)
        return werr;
    if (unlinkat(at.dirfd, at.base, AT_REMOVEDIR) != 0)
        werr = host_err();
    host_at_done(&at);
    return werr;
}

/* With a trailing slash the path must name a directory (resolved beneath `dirfd`). */
static uint16_t host_require_dir(int dirfd, const wasi_path *p)
{
    uint16_t werr = WASI_ESUCCESS;
    int fd = host_openat2(dirfd, p->str, O_PATH | O_DIRECTORY, 0, &werr);
    if (fd < 0)
        return werr;
    close(fd);
    return WASI_ESUCCESS;
}

static uint16_t host_unlink_at(wasi_node dir, const wasi_path *p)
{
    if (p->trailing_slash) {
        uint16_t werr = host_require_dir(dir.fd, p);
        return werr != WASI_ESUCCESS ? werr : WASI_EISDIR;
    }
    host_at at;
    uint16_t werr = host_split(dir.fd, p, &at);
    if (werr != WASI_ESUCCESS)
        return werr;
    if (unlinkat(at.dirfd, at.base, 0) != 0)
        werr = host_err();
    host_at_done(&at);
    return werr;
}

static uint16_t host_readlink_at(wasi_node dir, const wasi_path *p, char *buf, size_t cap,
                                 size_t *len)
{
    if (p->trailing_slash) {
        uint16_t werr = host_require_dir(dir.fd, p);
        return werr != WASI_ESUCCESS ? werr : WASI_EINVAL;
    }
    host_at at;
    uint16_t werr = host_split(dir.fd, p, &at);
    if (werr != WASI_ESUCCESS)
        return werr;
    if (is_dot_or_dotdot(at.base)) {
        werr = WASI_EINVAL;
    } else {
        ssize_t r = readlinkat(at.dirfd, at.base, buf, cap);
        if (r < 0)
            werr = host_err();
        else
            *len = (size_t)r;
    }
    host_at_done(&at);
    return werr;
}

static uint16_t host_symlink_at(const char *target, wasi_node dir, const wasi_path *p)
{
    host_at at;
    uint16_t werr = host_split(dir.fd, p, &at);
    if (werr != WASI_ESUCCESS)
        return werr;
    if (p->trailing_slash)
        werr = WASI_ENOENT;
    else if (symlinkat(target, at.dirfd, at.base) != 0)
        werr = host_err();
    host_at_done(&at);
    return werr;
}

static uint16_t host_rename_at(wasi_node odir, const wasi_path *op, wasi_node ndir,
                               const wasi_path *np)
{
    if (op->trailing_slash || np->trailing_slash) {
        uint16_t werr = host_require_dir(odir.fd, op);
        if (werr != WASI_ESUCCESS)
            return werr;
    }
    host_at from, to;
    uint16_t werr = host_split(odir.fd, op, &from);
    if (werr != WASI_ESUCCESS)
        return werr;
    werr = host_split(ndir.fd, np, &to);
    if (werr != WASI_ESUCCESS) {
        host_at_done(&from);
        return werr;
    }
    if (is_dot_or_dotdot(from.base) || is_dot_or_dotdot(to.base))
        werr = WASI_EBUSY;
    else if (renameat(from.dirfd, from.base, to.dirfd, to.base) != 0)
        werr = host_err();
    host_at_done(&to);
    host_at_done(&from);
    return werr;
}

/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; without it, the descriptor's /proc entry is the
 * documented way to link an open inode. */
static int link_pinned(int src, int dirfd, const char *base)
{
    if (linkat(src, "", dirfd, base, AT_EMPTY_PATH) == 0)
        return 0;
    if (errno != ENOENT && errno != EPERM)
        return -1;
    char proc_path[64];
    snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", src);
    return linkat(AT_FDCWD, proc_path, dirfd, base, AT_SYMLINK_FOLLOW);
}

static uint16_t host_link_at(wasi_node odir, const wasi_path *op, bool follow, wasi_node ndir,
                             const wasi_path *np)
{
    uint16_t werr = WASI_ESUCCESS;
    /* The source is pinned by a beneath-resolved O_PATH descriptor, so following a link
     * can never reach outside; AT_EMPTY_PATH then links that very inode. */
    int src = host_openat2(odir.fd, op->str, O_PATH | (follow ? 0 : O_NOFOLLOW), 0, &werr);
    if (src < 0)
        return werr;
    host_at to;
    werr = host_split(ndir.fd, np, &to);
    if (werr == WASI_ESUCCESS) {
        struct stat st;
        bool exists = fstatat(to.dirfd, to.base, &st, AT_SYMLINK_NOFOLLOW) == 0;
        /* As Linux: "new/" names a directory, so a missing one is ENOENT, not EEXIST. */
        if (is_dot_or_dotdot(to.base) || exists)
            werr = WASI_EEXIST;
        else if (np->trailing_slash)
            werr = WASI_ENOENT;
        else if (link_pinned(src, to.dirfd, to.base) != 0)
            werr = host_err();
        host_at_done(&to);
    }
    close(src);
    return werr;
}

/* Every operation but writing, shared by host files and sockets. */
#define HOST_COMMON_OPS                                                                            \
    .close = host_close, .readv = host_readv, .preadv = host_preadv, .pwritev = host_pwritev,      \
    .seek = host_seek, .get_flags = host_get_flags, .set_flags = host_set_flags,                   \
    .stat = host_stat, .set_size = host_set_size, .set_times = host_set_times, .sync = host_sync,  \
    .advise = host_advise, .allocate = host_allocate, .readdir = host_readdir,                     \
    .poll_fd = host_poll_fd, .open_at = host_open_at, .stat_at = host_stat_at,                     \
    .set_times_at = host_set_times_at, .mkdir_at = host_mkdir_at, .rmdir_at = host_rmdir_at,       \
    .unlink_at = host_unlink_at, .readlink_at = host_readlink_at, .symlink_at = host_symlink_at,   \
    .rename_at = host_rename_at, .link_at = host_link_at

const wasi_fs_ops wasi_host_fs = {.name = "host", .writev = host_writev, HOST_COMMON_OPS};

/* Sockets write without raising SIGPIPE. */
const wasi_fs_ops wasi_host_socket_fs = {
    .name = "host socket", .writev = wasi_host_sendv, HOST_COMMON_OPS};
