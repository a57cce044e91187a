/* Unit tests of the in-memory file system, stdio sinks and sockets through WASI calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "wasi/calls.h"
#include "wasi_guest.h"

#define BUDGET   (64u * 1024u)
#define MAX_FILE (16u * 1024u)

typedef struct fixture {
    bw_store *store;
    bw_memory *mem;
    burh_wasi *w;
    burh_wasi_memfs *fs;
    wasi_call call;
} fixture;

static fixture *fx;

static int setup(void **state)
{
    fx = calloc(1, sizeof *fx);
    fx->store = bw_store_new(NULL);
    fx->mem = bw_memory_new(fx->store, (bw_limits_view){2, 2, true});
    fx->w = burh_wasi_new();
    fx->fs = burh_wasi_memfs_new(BUDGET, MAX_FILE);
    assert_non_null(fx->mem);
    assert_non_null(fx->w);
    assert_non_null(fx->fs);
    const uint8_t hello[] = "hello";
    assert_int_equal(burh_wasi_memfs_add_file(fx->fs, nm("etc/greeting"), hello, 5, 0644), 0);
    assert_int_equal(burh_wasi_memfs_add_file(fx->fs, nm("run/secrets/key"), hello, 5, 0444), 0);
    assert_int_equal(burh_wasi_memfs_add_dir(fx->fs, nm("run/secrets"), 0555), 0);
    assert_int_equal(burh_wasi_preopen_memfs(fx->w, fx->fs, nm(""), nm("/")), BURH_WASI_OK);
    fx->call.w = fx->w;
    fx->call.mem = fx->mem;
    wg_call = &fx->call;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    burh_wasi_free(fx->w);
    burh_wasi_memfs_free(fx->fs);
    bw_store_free(fx->store);
    free(fx);
    return 0;
}

static uint16_t open_at(uint32_t dir, const char *path, uint32_t look, uint32_t oflags,
                        uint64_t rights, uint32_t fdflags, uint32_t *fd)
{
    uint32_t len = put(G_PATH, path);
    uint16_t e = wcall("path_open", U(dir), U(look), U(G_PATH), U(len), U(oflags), rights,
                       U(WASI_R_ALL), U(fdflags), U(G_OUT));
    if (e == WASI_ESUCCESS)
        *fd = wasi_get_u32(gmem(G_OUT));
    return e;
}

static uint16_t path1(const char *call, uint32_t dir, const char *path)
{
    uint32_t len = put(G_PATH, path);
    return wcall(call, U(dir), U(G_PATH), U(len));
}

static uint16_t path2(const char *call, const char *a, const char *b)
{
    uint32_t la = put(G_PATH, a), lb = put(G_PATH2, b);
    if (strcmp(call, "path_link") == 0)
        return wcall(call, U(3), U(0), U(G_PATH), U(la), U(3), U(G_PATH2), U(lb));
    if (strcmp(call, "path_symlink") == 0)
        return wcall(call, U(G_PATH), U(la), U(3), U(G_PATH2), U(lb));
    return wcall(call, U(3), U(G_PATH), U(la), U(3), U(G_PATH2), U(lb));
}

static uint16_t io(const char *call, uint32_t fd, uint32_t buf, uint32_t len, uint32_t *done)
{
    wasi_put_u32(gmem(G_IOV), buf);
    wasi_put_u32(gmem(G_IOV + 4), len);
    uint16_t e = wcall(call, U(fd), U(G_IOV), U(1), U(G_OUT));
    *done = wasi_get_u32(gmem(G_OUT));
    return e;
}

static uint64_t stat_u64(const char *path, uint32_t look, uint32_t field)
{
    uint32_t len = put(G_PATH, path);
    assert_int_equal(wcall("path_filestat_get", U(3), U(look), U(G_PATH), U(len), U(G_BUF)), 0);
    return wasi_get_u64(gmem(G_BUF + field));
}

#define RW                                                                                         \
    (WASI_R_FD_READ | WASI_R_FD_WRITE | WASI_R_FD_SEEK | WASI_R_FD_TELL | WASI_R_FD_ALLOCATE |     \
     WASI_R_FD_FILESTAT_SET_SIZE)

static void test_files_sparse_and_limits(void **state)
{
    (void)state;
    uint32_t fd, n;
    assert_int_equal(open_at(3, "etc/greeting", 0, 0, RW, 0, &fd), 0);
    assert_int_equal(io("fd_read", fd, G_BUF, 100, &n), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(gmem(G_BUF), "hello", 5);
    /* seek past the end, write: the gap reads as zeros */
    assert_int_equal(wcall("fd_seek", U(fd), U(10), U(WASI_WHENCE_SET), U(G_OUT)), 0);
    memcpy(gmem(G_BUF), "X", 1);
    assert_int_equal(io("fd_write", fd, G_BUF, 1, &n), 0);
    assert_int_equal(stat_u64("etc/greeting", 1, 32), 11);
    memset(gmem(G_BUF), 0xff, 16);
    wasi_put_u32(gmem(G_IOV), G_BUF);
    wasi_put_u32(gmem(G_IOV + 4), 16);
    assert_int_equal(wcall("fd_pread", U(fd), U(G_IOV), U(1), U(0), U(G_OUT)), 0);
    assert_int_equal(wasi_get_u32(gmem(G_OUT)), 11);
    assert_memory_equal(gmem(G_BUF), "hello\0\0\0\0\0X", 11);
    /* per-file limit: EFBIG, and nothing changes */
    assert_int_equal(wcall("fd_seek", U(fd), U(MAX_FILE), U(WASI_WHENCE_SET), U(G_OUT)), 0);
    assert_int_equal(io("fd_write", fd, G_BUF, 1, &n), WASI_EFBIG);
    assert_int_equal(wcall("fd_filestat_set_size", U(fd), U(3)), 0);
    assert_int_equal(stat_u64("etc/greeting", 1, 32), 3);
    assert_int_equal(wcall("fd_close", U(fd)), 0);
    /* the budget: several big files run out with ENOSPC, removing one frees space */
    char name[32];
    uint16_t e = 0;
    int made = 0;
    for (; made < 10 && e == 0; made++) {
        snprintf(name, sizeof name, "big%d", made);
        assert_int_equal(open_at(3, name, 0, WASI_OFLAG_CREAT, RW, 0, &fd), 0);
        e = wcall("fd_allocate", U(fd), U(0), U(MAX_FILE));
        wcall("fd_close", U(fd));
    }
    assert_int_equal(e, WASI_ENOSPC);
    assert_true(burh_wasi_memfs_used(fx->fs) <= BUDGET);
    assert_int_equal(path1("path_unlink_file", 3, "big0"), 0);
    assert_int_equal(open_at(3, "big0", 0, WASI_OFLAG_CREAT, RW, 0, &fd), 0);
    assert_int_equal(wcall("fd_allocate", U(fd), U(0), U(MAX_FILE)), 0);
    wcall("fd_close", U(fd));
}

static void test_read_only_secrets(void **state)
{
    (void)state;
    uint32_t fd, n;
    assert_int_equal(open_at(3, "run/secrets/key", 0, 0, RW, 0, &fd), WASI_EACCES);
    assert_int_equal(open_at(3, "run/secrets/key", 0, WASI_OFLAG_TRUNC, WASI_R_FD_READ, 0, &fd),
                     WASI_EACCES);
    assert_int_equal(open_at(3, "run/secrets/key", 0, 0, WASI_R_FD_READ, 0, &fd), 0);
    assert_int_equal(io("fd_write", fd, G_BUF, 1, &n), WASI_ENOTCAPABLE);
    assert_int_equal(io("fd_read", fd, G_BUF, 10, &n), 0);
    assert_int_equal(n, 5);
    wcall("fd_close", U(fd));
    assert_int_equal(path1("path_unlink_file", 3, "run/secrets/key"), WASI_EACCES);
    assert_int_equal(path1("path_create_directory", 3, "run/secrets/x"), WASI_EACCES);
    assert_int_equal(path2("path_rename", "run/secrets/key", "stolen"), WASI_EACCES);
}

static void test_dirs_rename_readdir(void **state)
{
    (void)state;
    uint32_t fd;
    assert_int_equal(path1("path_create_directory", 3, "a"), 0);
    assert_int_equal(path1("path_create_directory", 3, "a"), WASI_EEXIST);
    assert_int_equal(path1("path_create_directory", 3, "a/b"), 0);
    assert_int_equal(path2("path_rename", "a", "a/b/c"), WASI_EINVAL); /* into itself */
    assert_int_equal(path2("path_rename", "a", "a"), 0);
    assert_int_equal(open_at(3, "a/f", 0, WASI_OFLAG_CREAT, RW, 0, &fd), 0);
    wcall("fd_close", U(fd));
    assert_int_equal(path1("path_remove_directory", 3, "a"), WASI_ENOTEMPTY);
    assert_int_equal(path2("path_rename", "a", "z"), 0);
    assert_int_equal(path2("path_rename", "z/f", "z/b"), WASI_EISDIR);
    assert_int_equal(path2("path_rename", "z/b", "z/f"), WASI_ENOTDIR);
    assert_int_equal(path1("path_unlink_file", 3, "z/b"), WASI_EISDIR);
    /* readdir: "." "..", then entries; a cookie stays valid across a removal */
    assert_int_equal(open_at(3, "z", 0, WASI_OFLAG_DIRECTORY, WASI_R_FD_READDIR, 0, &fd), 0);
    assert_int_equal(wcall("fd_readdir", U(fd), U(G_BUF), U(4096), U(0), U(G_OUT)), 0);
    uint32_t used = wasi_get_u32(gmem(G_OUT)), pos = 0, names = 0;
    uint64_t third = 0;
    while (pos + 24 <= used) {
        uint32_t len = wasi_get_u32(gmem(G_BUF + pos + 16));
        if (++names == 3)
            third = wasi_get_u64(gmem(G_BUF + pos));
        pos += 24 + len;
    }
    assert_int_equal(names, 4);
    assert_int_equal(path1("path_remove_directory", 3, "z/b"), 0);
    assert_int_equal(wcall("fd_readdir", U(fd), U(G_BUF), U(4096), U(third), U(G_OUT)), 0);
    assert_int_equal(wasi_get_u32(gmem(G_OUT)), 24 + 1);
    assert_memory_equal(gmem(G_BUF + 24), "f", 1);
    wcall("fd_close", U(fd));
}

static void test_symlinks_links_times(void **state)
{
    (void)state;
    uint32_t fd;
    assert_int_equal(path2("path_symlink", "etc/greeting", "l1"), 0);
    assert_int_equal(path2("path_symlink", "l1", "l2"), 0);
    assert_int_equal(open_at(3, "l2", 1, 0, WASI_R_FD_READ, 0, &fd), 0);
    wcall("fd_close", U(fd));
    assert_int_equal(open_at(3, "l2", 0, 0, WASI_R_FD_READ, 0, &fd), WASI_ELOOP);
    assert_int_equal(path2("path_symlink", "loop", "loop"), 0);
    assert_int_equal(open_at(3, "loop", 1, 0, WASI_R_FD_READ, 0, &fd), WASI_ELOOP);
    assert_int_equal(path2("path_symlink", "..", "up"), 0);
    assert_int_equal(open_at(3, "up/x", 1, 0, WASI_R_FD_READ, 0, &fd), WASI_ENOTCAPABLE);
    assert_int_equal(path2("path_symlink", "../../..", "etc/up3"), 0);
    assert_int_equal(open_at(3, "etc/up3", 1, 0, WASI_R_FD_READ, 0, &fd), WASI_ENOTCAPABLE);
    /* from a subdirectory's fd, ".." through a link may not leave it either */
    uint32_t etc;
    assert_int_equal(open_at(3, "etc", 0, WASI_OFLAG_DIRECTORY, WASI_R_PATH_OPEN, 0, &etc), 0);
    assert_int_equal(path2("path_symlink", "..", "etc/parent"), 0);
    uint32_t len = put(G_PATH, "parent/etc/greeting");
    assert_int_equal(wcall("path_open", U(etc), U(1), U(G_PATH), U(len), U(0), U(WASI_R_FD_READ),
                           U(0), U(0), U(G_OUT)),
                     WASI_ENOTCAPABLE);
    wcall("fd_close", U(etc));
    /* hard links share the inode and the link count */
    assert_int_equal(path2("path_link", "etc/greeting", "hard"), 0);
    assert_int_equal(stat_u64("hard", 0, 24), 2);
    assert_int_equal(stat_u64("hard", 0, 8), stat_u64("etc/greeting", 0, 8));
    assert_int_equal(path2("path_link", "etc", "dirlink"), WASI_EPERM);
    /* timestamps: set, and set to now */
    len = put(G_PATH, "hard");
    assert_int_equal(wcall("path_filestat_set_times", U(3), U(0), U(G_PATH), U(len), U(1000),
                           U(2000), U(WASI_FST_ATIM | WASI_FST_MTIM)),
                     0);
    assert_int_equal(stat_u64("hard", 0, 40), 1000);
    assert_int_equal(stat_u64("hard", 0, 48), 2000);
    assert_int_equal(wcall("path_filestat_set_times", U(3), U(0), U(G_PATH), U(len), U(0), U(0),
                           U(WASI_FST_MTIM_NOW)),
                     0);
    assert_true(stat_u64("hard", 0, 48) > 1000000000ull * 1000000000ull / 1000000000ull);
    assert_int_equal(stat_u64("hard", 0, 40), 1000);
}

static void test_open_file_survives_unlink(void **state)
{
    (void)state;
    uint32_t fd, n;
    assert_int_equal(open_at(3, "tmp", 0, WASI_OFLAG_CREAT | WASI_OFLAG_EXCL, RW, 0, &fd), 0);
    assert_int_equal(open_at(3, "tmp", 0, WASI_OFLAG_CREAT | WASI_OFLAG_EXCL, RW, 0, &n),
                     WASI_EEXIST);
    memcpy(gmem(G_BUF), "data", 4);
    assert_int_equal(io("fd_write", fd, G_BUF, 4, &n), 0);
    assert_int_equal(path1("path_unlink_file", 3, "tmp"), 0);
    assert_int_equal(wcall("fd_seek", U(fd), U(0), U(WASI_WHENCE_SET), U(G_OUT)), 0);
    assert_int_equal(io("fd_read", fd, G_BUF + 100, 10, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(wcall("fd_close", U(fd)), 0);
}

/* ---- stdio sinks ---- */

typedef struct sink_buf {
    size_t len, calls;
    bool fail;
    uint8_t data[1 << 20];
} sink_buf;

static bool sink(void *ctx, const uint8_t *bytes, size_t len)
{
    sink_buf *b = ctx;
    if (b->fail || len > sizeof b->data - b->len)
        return false;
    memcpy(b->data + b->len, bytes, len);
    b->len += len;
    b->calls++;
    return true;
}

static void test_stdio_sinks_and_stdin(void **state)
{
    (void)state;
    static sink_buf out;
    memset(&out, 0, sizeof out);
    assert_int_equal(burh_wasi_set_stdout(fx->w, sink, &out), BURH_WASI_OK);
    assert_int_equal(burh_wasi_set_stdin(fx->w, (const uint8_t *)"in", 2), BURH_WASI_OK);
    /* a large write arrives whole */
    uint32_t n, big = 60000;
    memset(gmem(G_BUF), 'x', big);
    assert_int_equal(io("fd_write", 1, G_BUF, big, &n), 0);
    assert_int_equal(n, big);
    assert_int_equal(out.len, big);
    out.fail = true;
    assert_int_equal(io("fd_write", 1, G_BUF, 10, &n), WASI_EIO);
    assert_int_equal(io("fd_read", 0, G_BUF, 10, &n), 0);
    assert_int_equal(n, 2);
    assert_memory_equal(gmem(G_BUF), "in", 2);
    assert_int_equal(io("fd_read", 0, G_BUF, 10, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(io("fd_write", 0, G_BUF, 1, &n), WASI_ENOTCAPABLE);
}

/* ---- sockets ---- */

static void test_socket_calls(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(burh_wasi_add_socket(fx->w, sv[0], nm("peer"), false), BURH_WASI_OK);
    uint32_t s = 4, n;
    assert_int_equal(burh_wasi_add_fd_env(fx->w), BURH_WASI_OK);
    assert_string_equal(fx->w->env.items[fx->w->env.count - 2], "FD_COUNT=5");
    assert_string_equal(fx->w->env.items[fx->w->env.count - 1],
                        "FD_NAMES=stdin:stdout:stderr:/:peer");
    assert_int_equal(write(sv[1], "ping", 4), 4);
    wasi_put_u32(gmem(G_IOV), G_BUF);
    wasi_put_u32(gmem(G_IOV + 4), 10);
    assert_int_equal(wcall("sock_recv", U(s), U(G_IOV), U(1), U(1), U(G_OUT), U(G_OUT + 4)), 0);
    assert_int_equal(wasi_get_u32(gmem(G_OUT)), 4); /* peeked */
    assert_int_equal(io("fd_read", s, G_BUF, 10, &n), 0);
    assert_int_equal(n, 4);
    memcpy(gmem(G_BUF), "pong", 4);
    wasi_put_u32(gmem(G_IOV + 4), 4);
    assert_int_equal(wcall("sock_send", U(s), U(G_IOV), U(1), U(0), U(G_OUT)), 0);
    char back[8];
    assert_int_equal(read(sv[1], back, sizeof back), 4);
    assert_int_equal(wcall("sock_accept", U(s), U(0), U(G_OUT)), WASI_ENOTCAPABLE);
    assert_int_equal(wcall("sock_shutdown", U(s), U(0)), WASI_EINVAL);
    assert_int_equal(wcall("sock_shutdown", U(s), U(2)), 0);
    assert_int_equal(read(sv[1], back, sizeof back), 0); /* the peer sees the end */
    assert_int_equal(wcall("sock_shutdown", U(3), U(2)), WASI_ENOTSOCK);
    close(sv[1]);
}

static void test_accept_nonblocking(void **state)
{
    (void)state;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(l, 4), 0);
    assert_int_equal(getsockname(l, (struct sockaddr *)&a, &alen), 0);
    assert_int_equal(burh_wasi_add_socket(fx->w, l, nm("LISTEN"), true), BURH_WASI_OK);
    uint32_t lfd = 4;
    /* no client yet: a non-blocking listener says EAGAIN instead of waiting */
    assert_int_equal(wcall("fd_fdstat_set_flags", U(lfd), U(WASI_FDFLAG_NONBLOCK)), 0);
    assert_int_equal(wcall("sock_accept", U(lfd), U(0), U(G_OUT)), WASI_EAGAIN);
    assert_int_equal(wcall("sock_accept", U(lfd), U(2), U(G_OUT)), WASI_EINVAL);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof a), 0);
    /* poll_oneoff sees the waiting client as the listener being readable */
    uint8_t *sub = gmem(G_BUF);
    memset(sub, 0, 48);
    wasi_put_u64(sub, 77);
    sub[8] = 1; /* fd_read */
    wasi_put_u32(sub + 16, lfd);
    assert_int_equal(wcall("poll_oneoff", U(G_BUF), U(G_BUF + 64), U(1), U(G_OUT)), 0);
    assert_int_equal(wasi_get_u32(gmem(G_OUT)), 1);
    assert_int_equal(wasi_get_u64(gmem(G_BUF + 64)), 77);
    assert_int_equal(wcall("sock_accept", U(lfd), U(WASI_FDFLAG_NONBLOCK), U(G_OUT)), 0);
    uint32_t conn = wasi_get_u32(gmem(G_OUT)), n;
    assert_int_equal(wcall("fd_fdstat_get", U(conn), U(G_BUF)), 0);
    assert_int_equal(gmem(G_BUF)[0], WASI_FILETYPE_SOCKET_STREAM);
    assert_int_equal(wasi_get_u16(gmem(G_BUF + 2)), WASI_FDFLAG_NONBLOCK);
    assert_int_equal(wasi_get_u64(gmem(G_BUF + 8)) & WASI_R_SOCK_ACCEPT, 0);
    assert_int_equal(io("fd_read", conn, G_BUF, 10, &n), WASI_EAGAIN);
    close(c); /* the guest now reads the end, and writing gets EPIPE, not SIGPIPE */
    assert_int_equal(io("fd_read", conn, G_BUF, 10, &n), 0);
    assert_int_equal(n, 0);
    uint16_t e = 0;
    for (int i = 0; i < 4 && e == 0; i++)
        e = io("fd_write", conn, G_BUF, 10, &n);
    assert_true(e == WASI_EPIPE || e == WASI_ECONNRESET);
    assert_int_equal(wcall("fd_close", U(conn)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_files_sparse_and_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_secrets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dirs_rename_readdir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlinks_links_times, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_file_survives_unlink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stdio_sinks_and_stdin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_socket_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_nonblocking, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
