/* Internals of burh's WASI layer: ABI constants, the file-system seam and the fd table. */
#ifndef BURH_WASI_IMPL_H
#define BURH_WASI_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "burh/wasi.h"

/* ---- wasi_snapshot_preview1 ABI (numbers from the witx specification) ---- */

enum {
    WASI_ESUCCESS = 0,
    WASI_E2BIG = 1,
    WASI_EACCES = 2,
    WASI_EADDRINUSE = 3,
    WASI_EADDRNOTAVAIL = 4,
    WASI_EAFNOSUPPORT = 5,
    WASI_EAGAIN = 6,
    WASI_EALREADY = 7,
    WASI_EBADF = 8,
    WASI_EBADMSG = 9,
    WASI_EBUSY = 10,
    WASI_ECANCELED = 11,
    WASI_ECHILD = 12,
    WASI_ECONNABORTED = 13,
    WASI_ECONNREFUSED = 14,
    WASI_ECONNRESET = 15,
    WASI_EDEADLK = 16,
    WASI_EDESTADDRREQ = 17,
    WASI_EDOM = 18,
    WASI_EDQUOT = 19,
    WASI_EEXIST = 20,
    WASI_EFAULT = 21,
    WASI_EFBIG = 22,
    WASI_EHOSTUNREACH = 23,
    WASI_EIDRM = 24,
    WASI_EILSEQ = 25,
    WASI_EINPROGRESS = 26,
    WASI_EINTR = 27,
    WASI_EINVAL = 28,
    WASI_EIO = 29,
    WASI_EISCONN = 30,
    WASI_EISDIR = 31,
    WASI_ELOOP = 32,
    WASI_EMFILE = 33,
    WASI_EMLINK = 34,
    WASI_EMSGSIZE = 35,
    WASI_EMULTIHOP = 36,
    WASI_ENAMETOOLONG = 37,
    WASI_ENETDOWN = 38,
    WASI_ENETRESET = 39,
    WASI_ENETUNREACH = 40,
    WASI_ENFILE = 41,
    WASI_ENOBUFS = 42,
    WASI_ENODEV = 43,
    WASI_ENOENT = 44,
    WASI_ENOEXEC = 45,
    WASI_ENOLCK = 46,
    WASI_ENOLINK = 47,
    WASI_ENOMEM = 48,
    WASI_ENOMSG = 49,
    WASI_ENOPROTOOPT = 50,
    WASI_ENOSPC = 51,
    WASI_ENOSYS = 52,
    WASI_ENOTCONN = 53,
    WASI_ENOTDIR = 54,
    WASI_ENOTEMPTY = 55,
    WASI_ENOTRECOVERABLE = 56,
    WASI_ENOTSOCK = 57,
    WASI_ENOTSUP = 58,
    WASI_ENOTTY = 59,
    WASI_ENXIO = 60,
    WASI_EOVERFLOW = 61,
    WASI_EOWNERDEAD = 62,
    WASI_EPERM = 63,
    WASI_EPIPE = 64,
    WASI_EPROTO = 65,
    WASI_EPROTONOSUPPORT = 66,
    WASI_EPROTOTYPE = 67,
    WASI_ERANGE = 68,
    WASI_EROFS = 69,
    WASI_ESPIPE = 70,
    WASI_ESRCH = 71,
    WASI_ESTALE = 72,
    WASI_ETIMEDOUT = 73,
    WASI_ETXTBSY = 74,
    WASI_EXDEV = 75,
    WASI_ENOTCAPABLE = 76,
};

enum {
    WASI_FILETYPE_UNKNOWN = 0,
    WASI_FILETYPE_BLOCK_DEVICE = 1,
    WASI_FILETYPE_CHARACTER_DEVICE = 2,
    WASI_FILETYPE_DIRECTORY = 3,
    WASI_FILETYPE_REGULAR_FILE = 4,
    WASI_FILETYPE_SOCKET_DGRAM = 5,
    WASI_FILETYPE_SOCKET_STREAM = 6,
    WASI_FILETYPE_SYMBOLIC_LINK = 7,
};

enum { WASI_WHENCE_SET = 0, WASI_WHENCE_CUR = 1, WASI_WHENCE_END = 2 };

#define WASI_FDFLAG_APPEND   0x1u
#define WASI_FDFLAG_DSYNC    0x2u
#define WASI_FDFLAG_NONBLOCK 0x4u
#define WASI_FDFLAG_RSYNC    0x8u
#define WASI_FDFLAG_SYNC     0x10u

#define WASI_OFLAG_CREAT     0x1u
#define WASI_OFLAG_DIRECTORY 0x2u
#define WASI_OFLAG_EXCL      0x4u
#define WASI_OFLAG_TRUNC     0x8u

#define WASI_LOOKUP_SYMLINK_FOLLOW 0x1u

#define WASI_FST_ATIM     0x1u
#define WASI_FST_ATIM_NOW 0x2u
#define WASI_FST_MTIM     0x4u
#define WASI_FST_MTIM_NOW 0x8u

/* Rights: bit n as numbered in the witx "rights" flags. */
#define WASI_RIGHT(n)                  ((uint64_t)1 << (n))
#define WASI_R_FD_DATASYNC             WASI_RIGHT(0)
#define WASI_R_FD_READ                 WASI_RIGHT(1)
#define WASI_R_FD_SEEK                 WASI_RIGHT(2)
#define WASI_R_FD_FDSTAT_SET_FLAGS     WASI_RIGHT(3)
#define WASI_R_FD_SYNC                 WASI_RIGHT(4)
#define WASI_R_FD_TELL                 WASI_RIGHT(5)
#define WASI_R_FD_WRITE                WASI_RIGHT(6)
#define WASI_R_FD_ADVISE               WASI_RIGHT(7)
#define WASI_R_FD_ALLOCATE             WASI_RIGHT(8)
#define WASI_R_PATH_CREATE_DIRECTORY   WASI_RIGHT(9)
#define WASI_R_PATH_CREATE_FILE        WASI_RIGHT(10)
#define WASI_R_PATH_LINK_SOURCE        WASI_RIGHT(11)
#define WASI_R_PATH_LINK_TARGET        WASI_RIGHT(12)
#define WASI_R_PATH_OPEN               WASI_RIGHT(13)
#define WASI_R_FD_READDIR              WASI_RIGHT(14)
#define WASI_R_PATH_READLINK           WASI_RIGHT(15)
#define WASI_R_PATH_RENAME_SOURCE      WASI_RIGHT(16)
#define WASI_R_PATH_RENAME_TARGET      WASI_RIGHT(17)
#define WASI_R_PATH_FILESTAT_GET       WASI_RIGHT(18)
#define WASI_R_PATH_FILESTAT_SET_SIZE  WASI_RIGHT(19)
#define WASI_R_PATH_FILESTAT_SET_TIMES WASI_RIGHT(20)
#define WASI_R_FD_FILESTAT_GET         WASI_RIGHT(21)
#define WASI_R_FD_FILESTAT_SET_SIZE    WASI_RIGHT(22)
#define WASI_R_FD_FILESTAT_SET_TIMES   WASI_RIGHT(23)
#define WASI_R_PATH_SYMLINK            WASI_RIGHT(24)
#define WASI_R_PATH_REMOVE_DIRECTORY   WASI_RIGHT(25)
#define WASI_R_PATH_UNLINK_FILE        WASI_RIGHT(26)
#define WASI_R_POLL_FD_READWRITE       WASI_RIGHT(27)
#define WASI_R_SOCK_SHUTDOWN           WASI_RIGHT(28)
#define WASI_R_SOCK_ACCEPT             WASI_RIGHT(29)
#define WASI_R_ALL                     (WASI_RIGHT(30) - 1)

/* What each kind of descriptor can ever do; path_open narrows these further. */
#define WASI_RIGHTS_FILE                                                                           \
    (WASI_R_FD_DATASYNC | WASI_R_FD_READ | WASI_R_FD_SEEK | WASI_R_FD_FDSTAT_SET_FLAGS |           \
     WASI_R_FD_SYNC | WASI_R_FD_TELL | WASI_R_FD_WRITE | WASI_R_FD_ADVISE | WASI_R_FD_ALLOCATE |   \
     WASI_R_FD_FILESTAT_GET | WASI_R_FD_FILESTAT_SET_SIZE | WASI_R_FD_FILESTAT_SET_TIMES |         \
     WASI_R_POLL_FD_READWRITE)
#define WASI_RIGHTS_DIR                                                                            \
    (WASI_R_FD_FDSTAT_SET_FLAGS | WASI_R_FD_SYNC | WASI_R_FD_ADVISE |                              \
     WASI_R_PATH_CREATE_DIRECTORY | WASI_R_PATH_CREATE_FILE | WASI_R_PATH_LINK_SOURCE |            \
     WASI_R_PATH_LINK_TARGET | WASI_R_PATH_OPEN | WASI_R_FD_READDIR | WASI_R_PATH_READLINK |       \
     WASI_R_PATH_RENAME_SOURCE | WASI_R_PATH_RENAME_TARGET | WASI_R_PATH_FILESTAT_GET |            \
     WASI_R_PATH_FILESTAT_SET_SIZE | WASI_R_PATH_FILESTAT_SET_TIMES | WASI_R_FD_FILESTAT_GET |     \
     WASI_R_FD_FILESTAT_SET_TIMES | WASI_R_PATH_SYMLINK | WASI_R_PATH_REMOVE_DIRECTORY |           \
     WASI_R_PATH_UNLINK_FILE | WASI_R_POLL_FD_READWRITE)
#define WASI_RIGHTS_TTY                                                                            \
    (WASI_R_FD_READ | WASI_R_FD_FDSTAT_SET_FLAGS | WASI_R_FD_WRITE | WASI_R_FD_FILESTAT_GET |      \
     WASI_R_POLL_FD_READWRITE)

/* ---- the file-system seam ----
 * Every descriptor is a node of some file system, reached only through its ops table. The
 * host file system (fs_host.c) is the first; an in-memory one for keeps plugs in the same
 * way. Ops return a WASI errno. Paths given to path ops are already validated by
 * wasi_path_check: relative, no NUL, never lexically above the directory. */
typedef union wasi_node {
    int fd;    /* host file system: an owned host descriptor */
    void *ptr; /* other file systems: their own object */
} wasi_node;

typedef struct wasi_filestat {
    uint64_t dev, ino;
    uint8_t filetype;
    uint64_t nlink, size, atim, mtim, ctim;
} wasi_filestat;

/* Called by readdir for each entry; returns false to stop (the guest's buffer is full). */
typedef bool (*wasi_dirent_fn)(void *arg, uint64_t next_cookie, uint64_t ino, uint8_t type,
                               const char *name, uint32_t namelen);

/* A guest path after validation: NUL-terminated, relative, and safe to hand to the kernel. */
typedef struct wasi_path {
    char *str;
    size_t len;
    bool trailing_slash;
} wasi_path;

typedef struct wasi_open_req {
    uint16_t lookupflags, oflags, fdflags;
    bool read, write;
} wasi_open_req;

typedef struct wasi_fs_ops {
    const char *name;
    /* descriptors */
    uint16_t (*close)(wasi_node n);
    uint16_t (*readv)(wasi_node n, const struct iovec *iov, int iovcnt, size_t *done);
    /* Writes everything unless an error comes first (the array is used up as it goes). */
    uint16_t (*writev)(wasi_node n, struct iovec *iov, int iovcnt, size_t *done);
    uint16_t (*preadv)(wasi_node n, const struct iovec *iov, int iovcnt, uint64_t off,
                       size_t *done);
    uint16_t (*pwritev)(wasi_node n, const struct iovec *iov, int iovcnt, uint64_t off,
                        size_t *done);
    uint16_t (*seek)(wasi_node n, int64_t off, uint8_t whence, uint64_t *newoff);
    uint16_t (*get_flags)(wasi_node n, uint16_t *fdflags);
    uint16_t (*set_flags)(wasi_node n, uint16_t fdflags);
    uint16_t (*stat)(wasi_node n, wasi_filestat *st);
    uint16_t (*set_size)(wasi_node n, uint64_t size);
    uint16_t (*set_times)(wasi_node n, uint64_t atim, uint64_t mtim, uint16_t fst);
    uint16_t (*sync)(wasi_node n, bool data_only);
    uint16_t (*advise)(wasi_node n, uint64_t off, uint64_t len, uint8_t advice);
    uint16_t (*allocate)(wasi_node n, uint64_t off, uint64_t len);
    uint16_t (*readdir)(wasi_node dir, uint64_t cookie, wasi_dirent_fn emit, void *arg);
    /* A host descriptor poll() can wait on, or -1 when the node is always ready. */
    int (*poll_fd)(wasi_node n);
    /* paths, relative to the directory node `dir` */
    uint16_t (*open_at)(wasi_node dir, const wasi_path *p, const wasi_open_req *req, wasi_node *out,
                        uint8_t *filetype);
    uint16_t (*stat_at)(wasi_node dir, const wasi_path *p, bool follow, wasi_filestat *st);
    uint16_t (*set_times_at)(wasi_node dir, const wasi_path *p, bool follow, uint64_t atim,
                             uint64_t mtim, uint16_t fst);
    uint16_t (*mkdir_at)(wasi_node dir, const wasi_path *p);
    uint16_t (*rmdir_at)(wasi_node dir, const wasi_path *p);
    uint16_t (*unlink_at)(wasi_node dir, const wasi_path *p);
    uint16_t (*readlink_at)(wasi_node dir, const wasi_path *p, char *buf, size_t cap, size_t *len);
    uint16_t (*symlink_at)(const char *target, wasi_node dir, const wasi_path *p);
    /* Both directories belong to this file system (the caller checks; else EXDEV). */
    uint16_t (*rename_at)(wasi_node odir, const wasi_path *op, wasi_node ndir, const wasi_path *np);
    uint16_t (*link_at)(wasi_node odir, const wasi_path *op, bool follow, wasi_node ndir,
                        const wasi_path *np);
} wasi_fs_ops;

extern const wasi_fs_ops wasi_host_fs;
/* fs_host.c: host stream sockets (writes never raise SIGPIPE). */
extern const wasi_fs_ops wasi_host_socket_fs;
/* fs_host_sock.c: the socket table's writev (sendmsg with MSG_NOSIGNAL). */
uint16_t wasi_host_sendv(wasi_node n, struct iovec *iov, int iovcnt, size_t *done);
/* stdio.c: guest stdio backed by an embedder's sink or an in-memory stdin buffer. */
extern const wasi_fs_ops wasi_stream_fs;
/* memfs.c / memfs_ops.c: the in-memory file system. */
extern const wasi_fs_ops wasi_memfs_ops;

/* stdio.c: the rights of a socket descriptor (accepting ones also get sock_accept). */
uint64_t wasi_socket_rights(bool listening);

/* Path ops for nodes that are not directories (streams, sockets): all ENOTDIR. */
uint16_t wasi_notdir_open_at(wasi_node dir, const wasi_path *p, const wasi_open_req *req,
                             wasi_node *out, uint8_t *filetype);
uint16_t wasi_notdir_stat_at(wasi_node dir, const wasi_path *p, bool follow, wasi_filestat *st);
uint16_t wasi_notdir_set_times_at(wasi_node dir, const wasi_path *p, bool follow, uint64_t atim,
                                  uint64_t mtim, uint16_t fst);
uint16_t wasi_notdir_path(wasi_node dir, const wasi_path *p);
uint16_t wasi_notdir_readlink_at(wasi_node dir, const wasi_path *p, char *buf, size_t cap,
                                 size_t *len);
uint16_t wasi_notdir_symlink_at(const char *target, wasi_node dir, const wasi_path *p);
uint16_t wasi_notdir_two(wasi_node odir, const wasi_path *op, wasi_node ndir, const wasi_path *np);
uint16_t wasi_notdir_link_at(wasi_node odir, const wasi_path *op, bool follow, wasi_node ndir,
                             const wasi_path *np);

/* context.c: the seam for other file systems (an in-memory one for keeps): gives the guest
 * `root`, a directory node of `ops`, as the next preopen named `guest_name`. On success the
 * context owns `root` (closed with ops->close); on failure the caller still does. */
burh_wasi_status wasi_add_preopen_node(burh_wasi *w, const wasi_fs_ops *ops, wasi_node root,
                                       bw_name guest_name);

/* The host file system's own way in: wraps an existing host descriptor. */
uint16_t wasi_host_open_dir(const char *host_path, wasi_node *out);
uint8_t wasi_host_filetype(int host_fd);

/* ---- the context ---- */

typedef struct wasi_fd {
    bool used;
    bool keep_open; /* host stdio: fd_close forgets it without closing the host fd */
    uint8_t filetype;
    uint64_t rights_base, rights_inheriting;
    const wasi_fs_ops *ops;
    wasi_node node;
    char *preopen; /* guest name of a preopened directory, else NULL */
    size_t preopen_len;
    char *label; /* a socket's name for FD_NAMES, else NULL */
    size_t label_len;
} wasi_fd;

typedef struct wasi_strings {
    uint32_t count;
    size_t bytes; /* total, each string with its NUL */
    char **items;
} wasi_strings;

struct wasi_binding;

struct burh_wasi {
    wasi_strings args, env;
    wasi_fd *fds;
    uint32_t nfds;                 /* slots allocated */
    struct wasi_binding *bindings; /* one per linked import, the host functions' env */
    bool linked;
};

/* fdtable.c */
/* Looks up a descriptor holding every right in `need`: EBADF, ENOTCAPABLE or success. */
uint16_t wasi_fd_get(burh_wasi *w, uint32_t fd, uint64_t need, wasi_fd **out);
/* Puts a descriptor in the lowest free slot; EMFILE when the table is full. */
uint16_t wasi_fd_insert(burh_wasi *w, const wasi_fd *entry, uint32_t *fd_out);
uint16_t wasi_fd_close(burh_wasi *w, uint32_t fd);
uint16_t wasi_fd_renumber(burh_wasi *w, uint32_t from, uint32_t to);
void wasi_fd_release(wasi_fd *entry);

/* errno.c */
uint16_t wasi_errno_from_host(int host_errno);
const char *wasi_errno_name(uint16_t wasi_errno);

/* path.c: validates a guest path and copies it to a NUL-terminated string (*out->str is
 * malloc'd; free with wasi_path_free). EILSEQ for NUL bytes (as the WASI test suite expects),
 * ENOENT when empty, ENOTCAPABLE when absolute or when `..` climbs above the directory,
 * ENAMETOOLONG past PATH_MAX. */
uint16_t wasi_path_check(const uint8_t *bytes, size_t len, wasi_path *out);
void wasi_path_free(wasi_path *p);

#endif
