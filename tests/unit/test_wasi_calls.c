/* Unit tests of WASI host functions called directly on a real memory and a scratch dir. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "wasi/calls.h"
#include "wasi_guest.h"

typedef struct fixture {
    bw_store *store;
    bw_memory *mem;
    burh_wasi *w;
    char dir[64];
    uint32_t dirfd; /* the guest fd of the preopen */
    wasi_call call;
} fixture;

static fixture *fx;

static int setup(void **state)
{
    fx = calloc(1, sizeof *fx);
    fx->store = bw_store_new(NULL);
    assert_non_null(fx->store);
    fx->mem = bw_memory_new(fx->store, (bw_limits_view){2, 2, true});
    assert_non_null(fx->mem);
    fx->w = burh_wasi_new();
    assert_non_null(fx->w);
    strcpy(fx->dir, "/tmp/burh-wasi-test-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    bw_name host = {(const uint8_t *)fx->dir, strlen(fx->dir)};
    bw_name guest = {(const uint8_t *)"/sandbox", 8};
    assert_int_equal(burh_wasi_add_preopen(fx->w, host, guest), BURH_WASI_OK);
    fx->dirfd = 3;
    fx->call.w = fx->w;
    fx->call.mem = fx->mem;
    wg_call = &fx->call;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", fx->dir);
    burh_wasi_free(fx->w);
    bw_store_free(fx->store);
    free(fx);
    return 0;
}

/* path_open relative to the preopen; returns the errno, the new fd in *fd. */
static uint16_t open_path(const char *path, uint32_t oflags, uint64_t rights, uint32_t *fd)
{
    uint32_t len = put(G_PATH, path);
    uint16_t e = wcall("path_open", U(fx->dirfd), U(0), U(G_PATH), U(len), U(oflags), rights,
                       U(WASI_R_ALL), U(0), U(G_OUT));
    if (e == WASI_ESUCCESS)
        *fd = wasi_get_u32(gmem(G_OUT));
    return e;
}

static void host_file(const char *name, const char *content)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", fx->dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static void set_iov(uint32_t i, uint32_t buf, uint32_t len)
{
    wasi_put_u32(gmem(G_IOV + 8 * i), buf);
    wasi_put_u32(gmem(G_IOV + 8 * i + 4), len);
}

static void test_write_then_read_back(void **state)
{
    (void)state;
    uint32_t fd;
    uint64_t rw =
        WASI_R_FD_READ | WASI_R_FD_WRITE | WASI_R_FD_SEEK | WASI_R_FD_TELL | WASI_R_FD_FILESTAT_GET;
    assert_int_equal(open_path("f.txt", WASI_OFLAG_CREAT, rw, &fd), WASI_ESUCCESS);
    memcpy(gmem(G_BUF), "hello, world", 12);
    set_iov(0, G_BUF, 5);
    set_iov(1, G_BUF + 5, 7);
    assert_int_equal(wcall("fd_write", U(fd), U(G_IOV), U(2), U(G_OUT)), WASI_ESUCCESS);
    assert_int_equal(wasi_get_u32(gmem(G_OUT)), 12);
    assert_int_equal(wcall("fd_seek", U(fd), U(7), U(WASI_WHENCE_SET), U(G_OUT)), 0);
    assert_int_equal(wasi_get_u64(gmem(G_OUT)), 7);
    set_iov(0, G_BUF + 100, 64);
    assert_int_equal(wcall("fd_read", U(fd), U(G_IOV), U(1), U(G_OUT)), WASI_ESUCCESS);
    assert_int_equal(wasi_get_u32(gmem(G_OUT)), 5);
    assert_memory_equal(gmem(G_BUF + 100), "world", 5);
    assert_int_equal(wcall("fd_tell", U(fd), U(G_OUT)), WASI_ESUCCESS);
    assert_int_equal(wasi_get_u64(gmem(G_OUT)), 12);
    assert_int_equal(wcall("fd_pread", U(fd), U(G_IOV), U(1), U(0), U(G_OUT)), WASI_ESUCCESS);
    assert_int_equal(wasi_get_u32(gmem(G_OUT)), 12);
    assert_int_equal(wcall("fd_filestat_get", U(fd), U(G_OUT)), WASI_ESUCCESS);
    assert_int_equal(gmem(G_OUT)[16], WASI_FILETYPE_REGULAR_FILE);
    assert_int_equal(wasi_get_u64(gmem(G_OUT + 32)), 12);
    assert_int_equal(wcall("fd_close", U(fd)), WASI_ESUCCESS);
    assert_int_equal(wcall("fd_close", U(fd)), WASI_EBADF);
}

static void test_iovec_limits_and_bad_pointers(void **state)
{
    (void)state;
    uint32_t fd;
    assert_int_equal(open_path("g.txt", WASI_OFLAG_CREAT, WASI_R_FD_WRITE, &fd), 0);
    for (uint32_t i = 0; i < 1025; i++)
        set_iov(i, G_BUF, 1);
    assert_int_equal(wcall("fd_write", U(fd), U(G_IOV), U(1025), U(G_OUT)), WASI_EINVAL);
    assert_int_equal(wcall("fd_write", U(fd), U(G_IOV), U(1024), U(G_OUT)), WASI_ESUCCESS);
    assert_int_equal(wasi_get_u32(gmem(G_OUT)), 1024);
    /* A buffer running past the end of memory, an iovec array outside it, a bad result
     * pointer: each is EFAULT, and nothing is written. */
    set_iov(0, 2 * 65536 - 4, 8);
    assert_int_equal(wcall("fd_write", U(fd), U(G_IOV), U(1), U(G_OUT)), WASI_EFAULT);
    assert_int_equal(wcall("fd_write", U(fd), U(0xfffffff8u), U(1), U(G_OUT)), WASI_EFAULT);
    set_iov(0, G_BUF, 1);
    assert_int_equal(wcall("fd_write", U(fd), U(G_IOV), U(1), U(2 * 65536 - 2)), WASI_EFAULT);
    assert_int_equal(wcall("fd_fdstat_get", U(fd), U(2 * 65536 - 8)), WASI_EFAULT);
    assert_int_equal(wcall("random_get", U(2 * 65536 - 8), U(16)), WASI_EFAULT);
    /* Not opened for reading. */
    assert_int_equal(wcall("fd_read", U(fd), U(G_IOV), U(1), U(G_OUT)), WASI_ENOTCAPABLE);
    assert_int_equal(wcall("fd_write", U(77), U(G_IOV), U(1), U(G_OUT)), WASI_EBADF);
}

static void test_escapes_refused(void **state)
{
    (void)state;
    char p[256];
    uint32_t fd;
    snprintf(p, sizeof p, "%s/abs", fx->dir);
    assert_int_equal(symlink("/etc/passwd", p), 0);
    snprintf(p, sizeof p, "%s/up", fx->dir);
    assert_int_equal(symlink("../../../../../../../etc", p), 0);
    snprintf(p, sizeof p, "%s/loop1", fx->dir);
    assert_int_equal(symlink("loop2", p), 0);
    snprintf(p, sizeof p, "%s/loop2", fx->dir);
    assert_int_equal(symlink("loop1", p), 0);
    snprintf(p, sizeof p, "%s/sub", fx->dir);
    assert_int_equal(mkdir(p, 0755), 0);
    uint64_t r = WASI_R_FD_READ;
    assert_int_equal(open_path("../etc/passwd", 0, r, &fd), WASI_ENOTCAPABLE);
    assert_int_equal(open_path("sub/../../x", 0, r, &fd), WASI_ENOTCAPABLE);
    assert_int_equal(open_path("/etc/passwd", 0, r, &fd), WASI_ENOTCAPABLE);
    assert_int_equal(wcall("path_open", U(fx->dirfd), U(WASI_LOOKUP_SYMLINK_FOLLOW), U(G_PATH),
                           U(put(G_PATH, "abs")), U(0), r, U(0), U(0), U(G_OUT)),
                     WASI_ENOTCAPABLE);
    assert_int_equal(wcall("path_open", U(fx->dirfd), U(WASI_LOOKUP_SYMLINK_FOLLOW), U(G_PATH),
                           U(put(G_PATH, "up/passwd")), U(0), r, U(0), U(0), U(G_OUT)),
                     WASI_ENOTCAPABLE);
    assert_int_equal(wcall("path_open", U(fx->dirfd), U(WASI_LOOKUP_SYMLINK_FOLLOW), U(G_PATH),
                           U(put(G_PATH, "loop1")), U(0), r, U(0), U(0), U(G_OUT)),
                     WASI_ELOOP);
    /* Not following the final link: opening the link itself is refused by the kernel. */
    assert_int_equal(open_path("abs", 0, r, &fd), WASI_ELOOP);
    /* Other path calls go through the same resolution. */
    assert_int_equal(wcall("path_filestat_get", U(fx->dirfd), U(WASI_LOOKUP_SYMLINK_FOLLOW),
                           U(G_PATH), U(put(G_PATH, "up/.")), U(G_OUT)),
                     WASI_ENOTCAPABLE);
    assert_int_equal(
        wcall("path_create_directory", U(fx->dirfd), U(G_PATH), U(put(G_PATH, "up/newdir"))),
        WASI_ENOTCAPABLE);
    assert_int_equal(wcall("path_unlink_file", U(fx->dirfd), U(G_PATH), U(put(G_PATH, "../x"))),
                     WASI_ENOTCAPABLE);
    /* A symlink stats as a symlink without following. */
    assert_int_equal(
        wcall("path_filestat_get", U(fx->dirfd), U(0), U(G_PATH), U(put(G_PATH, "abs")), U(G_OUT)),
        WASI_ESUCCESS);
    assert_int_equal(gmem(G_OUT)[16], WASI_FILETYPE_SYMBOLIC_LINK);
    /* Creating a link with an absolute target is refused up front. */
    uint32_t tl = put(G_PATH2, "/etc/shadow");
    assert_int_equal(
        wcall("path_symlink", U(G_PATH2), U(tl), U(fx->dirfd), U(G_PATH), U(put(G_PATH, "new"))),
        WASI_ENOTCAPABLE);
}

/* Reads the whole directory through fd_readdir with a small buffer, collecting names. */
static int read_names(uint32_t fd, uint32_t bufsize, char names[][32], int max)
{
    uint64_t cookie = 0;
    int n = 0;
    for (;;) {
        assert_int_equal(wcall("fd_readdir", U(fd), U(G_BUF), U(bufsize), cookie, U(G_OUT)), 0);
        uint32_t used = wasi_get_u32(gmem(G_OUT)), pos = 0;
        while (pos + 24 <= used) {
            uint32_t namelen = wasi_get_u32(gmem(G_BUF + pos + 16));
            if (pos + 24 + namelen > used)
                break; /* cut short: ask again from this entry's cookie */
            assert_true(n < max && namelen < 32);
            memcpy(names[n], gmem(G_BUF + pos + 24), namelen);
            names[n++][namelen] = '\0';
            cookie = wasi_get_u64(gmem(G_BUF + pos));
            pos += 24 + namelen;
        }
        if (used < bufsize)
            return n;
    }
}

static void test_readdir_small_buffer(void **state)
{
    (void)state;
    char name[32];
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof name, "file%02d", i);
        host_file(name, "x");
    }
    char names[64][32];
    int n = read_names(fx->dirfd, 40, names, 64); /* one entry at a time, at most */
    int seen = 0;
    for (int i = 0; i < n; i++)
        seen += strncmp(names[i], "file", 4) == 0;
    assert_int_equal(seen, 20);
    assert_int_equal(n, 22); /* with "." and ".." */
    uint32_t fd;
    /* A file never gets the readdir right, whatever was asked for. */
    assert_int_equal(open_path("file00", 0, WASI_R_FD_READ | WASI_R_FD_READDIR, &fd), 0);
    assert_int_equal(wcall("fd_readdir", U(fd), U(G_BUF), U(100), U(0), U(G_OUT)),
                     WASI_ENOTCAPABLE);
    assert_int_equal(wcall("fd_filestat_get", U(fd), U(G_OUT)), WASI_ENOTCAPABLE);
}

static void test_path_calls(void **state)
{
    (void)state;
    host_file("a", "content");
    assert_int_equal(wcall("path_create_directory", U(fx->dirfd), U(G_PATH), U(put(G_PATH, "d"))),
                     0);
    assert_int_equal(wcall("path_create_directory", U(fx->dirfd), U(G_PATH), U(put(G_PATH, "d"))),
                     WASI_EEXIST);
    uint32_t l1 = put(G_PATH, "a"), l2 = put(G_PATH2, "d/b");
    assert_int_equal(
        wcall("path_rename", U(fx->dirfd), U(G_PATH), U(l1), U(fx->dirfd), U(G_PATH2), U(l2)), 0);
    assert_int_equal(wcall("path_link", U(fx->dirfd), U(0), U(G_PATH2), U(l2), U(fx->dirfd),
                           U(G_PATH), U(put(G_PATH, "c"))),
                     0);
    assert_int_equal(
        wcall("path_filestat_get", U(fx->dirfd), U(0), U(G_PATH), U(put(G_PATH, "c")), U(G_OUT)),
        0);
    assert_int_equal(wasi_get_u64(gmem(G_OUT + 24)), 2); /* nlink */
    assert_int_equal(wcall("path_remove_directory", U(fx->dirfd), U(G_PATH), U(put(G_PATH, "d"))),
                     WASI_ENOTEMPTY);
    assert_int_equal(wcall("path_unlink_file", U(fx->dirfd), U(G_PATH), U(put(G_PATH, "d/b/"))),
                     WASI_ENOTDIR);
    assert_int_equal(wcall("path_unlink_file", U(fx->dirfd), U(G_PATH), U(put(G_PATH, "d/b"))), 0);
    assert_int_equal(wcall("path_unlink_file", U(fx->dirfd), U(G_PATH), U(put(G_PATH, "d"))),
                     WASI_EISDIR);
    assert_int_equal(wcall("path_remove_directory", U(fx->dirfd), U(G_PATH), U(put(G_PATH, "d/"))),
                     0);
    uint32_t tl = put(G_PATH2, "c");
    assert_int_equal(
        wcall("path_symlink", U(G_PATH2), U(tl), U(fx->dirfd), U(G_PATH), U(put(G_PATH, "s"))), 0);
    assert_int_equal(wcall("path_readlink", U(fx->dirfd), U(G_PATH), U(put(G_PATH, "s")), U(G_BUF),
                           U(64), U(G_OUT)),
                     0);
    assert_int_equal(wasi_get_u32(gmem(G_OUT)), 1);
    assert_int_equal(gmem(G_BUF)[0], 'c');
    assert_int_equal(wcall("path_readlink", U(fx->dirfd), U(G_PATH), U(put(G_PATH, "c")), U(G_BUF),
                           U(64), U(G_OUT)),
                     WASI_EINVAL);
    assert_int_equal(wcall("path_filestat_set_times", U(fx->dirfd), U(0), U(G_PATH),
                           U(put(G_PATH, "c")), U(5000000000u), U(7000000000u),
                           U(WASI_FST_ATIM | WASI_FST_MTIM)),
                     0);
    assert_int_equal(
        wcall("path_filestat_get", U(fx->dirfd), U(0), U(G_PATH), U(put(G_PATH, "c")), U(G_OUT)),
        0);
    assert_int_equal(wasi_get_u64(gmem(G_OUT + 48)), 7000000000u);
    assert_int_equal(wcall("path_filestat_set_times", U(fx->dirfd), U(0), U(G_PATH),
                           U(put(G_PATH, "c")), U(0), U(0), U(WASI_FST_ATIM | WASI_FST_ATIM_NOW)),
                     WASI_EINVAL);
}

static void test_preopen_and_fd_table(void **state)
{
    (void)state;
    assert_int_equal(wcall("fd_prestat_get", U(fx->dirfd), U(G_OUT)), 0);
    assert_int_equal(gmem(G_OUT)[0], 0);
    assert_int_equal(wasi_get_u32(gmem(G_OUT + 4)), 8);
    assert_int_equal(wcall("fd_prestat_dir_name", U(fx->dirfd), U(G_BUF), U(8)), 0);
    assert_memory_equal(gmem(G_BUF), "/sandbox", 8);
    assert_int_equal(wcall("fd_prestat_dir_name", U(fx->dirfd), U(G_BUF), U(3)), WASI_ENAMETOOLONG);
    assert_int_equal(wcall("fd_prestat_get", U(1), U(G_OUT)), WASI_EBADF);
    assert_int_equal(wcall("fd_prestat_get", U(4), U(G_OUT)), WASI_EBADF);
    uint32_t a, b;
    host_file("x", "abc");
    assert_int_equal(open_path("x", 0, WASI_R_FD_READ | WASI_R_FD_SEEK, &a), 0);
    assert_int_equal(open_path("x", 0, WASI_R_FD_READ, &b), 0);
    assert_int_equal(a, 4);
    assert_int_equal(b, 5);
    assert_int_equal(wcall("fd_renumber", U(a), U(b)), 0);
    assert_int_equal(wcall("fd_seek", U(b), U(1), U(WASI_WHENCE_SET), U(G_OUT)), 0);
    assert_int_equal(wcall("fd_seek", U(b), U(0), U(9), U(G_OUT)), WASI_EINVAL);
    assert_int_equal(wcall("fd_close", U(a)), WASI_EBADF);
    assert_int_equal(wcall("fd_renumber", U(b), U(40)), WASI_EBADF);
    /* Rights only shrink. */
    assert_int_equal(wcall("fd_fdstat_set_rights", U(b), U(WASI_R_FD_READ), U(0)), 0);
    assert_int_equal(wcall("fd_seek", U(b), U(1), U(WASI_WHENCE_SET), U(G_OUT)), WASI_ENOTCAPABLE);
    assert_int_equal(wcall("fd_fdstat_set_rights", U(b), U(WASI_R_FD_READ | WASI_R_FD_SEEK), U(0)),
                     WASI_ENOTCAPABLE);
    assert_int_equal(wcall("fd_fdstat_get", U(b), U(G_OUT)), 0);
    assert_int_equal(gmem(G_OUT)[0], WASI_FILETYPE_REGULAR_FILE);
    assert_int_equal(wasi_get_u64(gmem(G_OUT + 8)), WASI_R_FD_READ);
    /* A preopen is a directory with directory rights. */
    assert_int_equal(wcall("fd_fdstat_get", U(fx->dirfd), U(G_OUT)), 0);
    assert_int_equal(gmem(G_OUT)[0], WASI_FILETYPE_DIRECTORY);
    assert_true(wasi_get_u64(gmem(G_OUT + 8)) & WASI_R_PATH_OPEN);
}

static void test_args_env_clock_random_exit(void **state)
{
    (void)state;
    assert_int_equal(burh_wasi_add_arg(fx->w, (bw_name){(const uint8_t *)"prog", 4}), 0);
    assert_int_equal(burh_wasi_add_arg(fx->w, (bw_name){(const uint8_t *)"x y", 3}), 0);
    assert_int_equal(burh_wasi_add_arg(fx->w, (bw_name){(const uint8_t *)"a\0b", 3}),
                     BURH_WASI_ERR_ARG);
    assert_int_equal(burh_wasi_add_env(fx->w, (bw_name){(const uint8_t *)"NOEQUALS", 8}),
                     BURH_WASI_ERR_ARG);
    assert_int_equal(burh_wasi_add_env(fx->w, (bw_name){(const uint8_t *)"K=V", 3}), 0);
    assert_int_equal(wcall("args_sizes_get", U(G_OUT), U(G_OUT + 4)), 0);
    assert_int_equal(wasi_get_u32(gmem(G_OUT)), 2);
    assert_int_equal(wasi_get_u32(gmem(G_OUT + 4)), 9);
    assert_int_equal(wcall("args_get", U(G_OUT), U(G_BUF)), 0);
    assert_int_equal(wasi_get_u32(gmem(G_OUT)), G_BUF);
    assert_int_equal(wasi_get_u32(gmem(G_OUT + 4)), G_BUF + 5);
    assert_memory_equal(gmem(G_BUF), "prog\0x y\0", 9);
    assert_int_equal(wcall("args_get", U(G_OUT), U(2 * 65536 - 4)), WASI_EFAULT);
    assert_int_equal(wcall("environ_get", U(G_OUT), U(G_BUF)), 0);
    assert_memory_equal(gmem(G_BUF), "K=V\0", 4);

    assert_int_equal(wcall("clock_time_get", U(1), U(0), U(G_OUT)), 0);
    uint64_t t1 = wasi_get_u64(gmem(G_OUT));
    assert_int_equal(wcall("clock_time_get", U(1), U(0), U(G_OUT)), 0);
    assert_true(wasi_get_u64(gmem(G_OUT)) >= t1);
    assert_int_equal(wcall("clock_time_get", U(9), U(0), U(G_OUT)), WASI_EINVAL);
    assert_int_equal(wcall("clock_res_get", U(0), U(G_OUT)), 0);
    assert_true(wasi_get_u64(gmem(G_OUT)) > 0);
    for (uint32_t id = 0; id < 4; id++)
        assert_int_equal(wcall("clock_time_get", U(id), U(1), U(G_OUT)), 0);

    memset(gmem(G_BUF), 0, 64);
    assert_int_equal(wcall("random_get", U(G_BUF), U(64)), 0);
    int nonzero = 0;
    for (int i = 0; i < 64; i++)
        nonzero += gmem(G_BUF)[i] != 0;
    assert_true(nonzero > 32);

    assert_false(fx->call.exit);
    wcall("proc_exit", U(42));
    assert_true(fx->call.exit);
    assert_int_equal(fx->call.exit_code, 42);
    fx->call.exit = false;
    assert_int_equal(wcall("sock_shutdown", U(1), U(3)), WASI_ENOTSOCK); /* stdout */
    assert_int_equal(wcall("sock_shutdown", U(99), U(3)), WASI_EBADF);
    assert_int_equal(wcall("sched_yield"), 0);
}

static void test_poll_clock(void **state)
{
    (void)state;
    uint8_t *sub = gmem(G_BUF);
    memset(sub, 0, 96);
    wasi_put_u64(sub, 0x1111);       /* userdata */
    sub[8] = 0;                      /* clock */
    wasi_put_u32(sub + 16, 1);       /* monotonic */
    wasi_put_u64(sub + 24, 2000000); /* 2 ms */
    wasi_put_u64(sub + 48, 0x2222);
    sub[56] = 0;
    wasi_put_u32(sub + 64, 1);
    wasi_put_u64(sub + 72, 60000000000u); /* 60 s: must not be waited for */
    assert_int_equal(wcall("poll_oneoff", U(G_BUF), U(G_OUT), U(2), U(G_PATH)), 0);
    assert_int_equal(wasi_get_u32(gmem(G_PATH)), 1);
    assert_int_equal(wasi_get_u64(gmem(G_OUT)), 0x1111);
    assert_int_equal(gmem(G_OUT)[10], 0);
    assert_int_equal(wcall("poll_oneoff", U(G_BUF), U(G_OUT), U(0), U(G_PATH)), WASI_EINVAL);
    assert_int_equal(
        wcall("poll_oneoff", U(0), U(0), U(BURH_WASI_MAX_SUBSCRIPTIONS + 1), U(G_PATH)),
        WASI_EINVAL);
    assert_int_equal(wcall("poll_oneoff", U(G_BUF), U(2 * 65536 - 40), U(2), U(G_PATH)),
                     WASI_EFAULT);
    /* An fd subscription for a regular file is ready at once. */
    uint32_t fd;
    host_file("p", "data");
    assert_int_equal(open_path("p", 0, WASI_R_FD_READ, &fd), 0);
    sub[56] = 1; /* fd_read */
    wasi_put_u32(sub + 64, fd);
    assert_int_equal(wcall("poll_oneoff", U(G_BUF + 48), U(G_OUT), U(1), U(G_PATH)), 0);
    assert_int_equal(wasi_get_u32(gmem(G_PATH)), 1);
    assert_int_equal(gmem(G_OUT)[10], 1);
    assert_int_equal(wasi_get_u16(gmem(G_OUT + 8)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_then_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iovec_limits_and_bad_pointers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escapes_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readdir_small_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_path_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_preopen_and_fd_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_args_env_clock_random_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll_clock, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
