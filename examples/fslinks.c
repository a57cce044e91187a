/* fslinks: symbolic and hard links in argv[1]: create, read, follow, loop, remove. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *root;

static const char *at(const char *rel)
{
    static char buf[4][512];
    static int slot;
    slot = (slot + 1) % 4;
    snprintf(buf[slot], sizeof buf[slot], "%s/%s", root, rel);
    return buf[slot];
}

/* errno names, the same under glibc and wasi-libc (their messages differ). */
static const char *err_name(int e)
{
    switch (e) {
    case ENOENT:
        return "ENOENT";
    case EEXIST:
        return "EEXIST";
    case EINVAL:
        return "EINVAL";
    case ELOOP:
        return "ELOOP";
    case EPERM:
        return "EPERM";
    case EISDIR:
        return "EISDIR";
    case ENOTDIR:
        return "ENOTDIR";
    default:
        return strerror(e);
    }
}

static void check(const char *what, int rc)
{
    printf("%-26s %s\n", what, rc >= 0 ? "ok" : err_name(errno));
}

static void show(const char *rel)
{
    char buf[64] = {0};
    int fd = open(at(rel), O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    printf("read %-21s %s\n", rel, n >= 0 ? buf : err_name(errno));
    if (fd >= 0)
        close(fd);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    root = argv[1];
    mkdir(at("l"), 0755);
    mkdir(at("l/sub"), 0755);
    FILE *f = fopen(at("l/target.txt"), "w");
    fputs("the target\n", f);
    fclose(f);
    check("symlink", symlink("target.txt", at("l/link")));
    check("symlink to dir", symlink("sub", at("l/dirlink")));
    check("symlink in sub", symlink("../target.txt", at("l/sub/up")));
    check("symlink exists", symlink("x", at("l/link")));
    char buf[64] = {0};
    ssize_t n = readlink(at("l/link"), buf, sizeof buf - 1);
    printf("readlink: %zd %s\n", n, buf);
    n = readlink(at("l/target.txt"), buf, sizeof buf);
    printf("readlink file: %zd %s\n", n, err_name(errno));
    show("l/link");
    show("l/sub/up");
    show("l/dirlink/up");
    struct stat st;
    lstat(at("l/link"), &st);
    int is_link = S_ISLNK(st.st_mode);
    int is_file = stat(at("l/link"), &st) == 0 && S_ISREG(st.st_mode);
    printf("lstat is link: %d, stat is file: %d\n", is_link, is_file);
    check("loop a->b", symlink("b", at("l/a")));
    check("loop b->a", symlink("a", at("l/b")));
    show("l/a");
    check("dangling", symlink("nowhere", at("l/dangling")));
    show("l/dangling");
    check("hard link", link(at("l/target.txt"), at("l/hard")));
    stat(at("l/hard"), &st);
    printf("nlink: %ld\n", (long)st.st_nlink);
    check("unlink original", unlink(at("l/target.txt")));
    show("l/hard");
    show("l/link");
    stat(at("l/hard"), &st);
    printf("nlink: %ld\n", (long)st.st_nlink);
    check("hard link to dir", link(at("l/sub"), at("l/subhard")));
    check("unlink symlink", unlink(at("l/link")));
    return 0;
}
