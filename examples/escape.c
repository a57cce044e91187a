/* escape: tries to leave its preopened directory (argv[1]) every way it can; all must fail. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int escaped;

static void try_open(const char *what, const char *path)
{
    errno = 0;
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        escaped++;
        close(fd);
    }
    printf("%-28s %s (errno %d)\n", what, fd >= 0 ? "OPENED" : "refused", errno);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    char p[512];
    const char *d = argv[1];
    snprintf(p, sizeof p, "%s/../../../../etc/passwd", d);
    try_open("dotdot", p);
    try_open("absolute", "/etc/passwd");
    snprintf(p, sizeof p, "%s/abs-link", d);
    symlink("/etc/passwd", p);
    try_open("absolute symlink", p);
    snprintf(p, sizeof p, "%s/up-link", d);
    symlink("../../../../../../etc/passwd", p);
    try_open("relative symlink out", p);
    snprintf(p, sizeof p, "%s/loop-a", d);
    symlink("loop-b", p);
    snprintf(p, sizeof p, "%s/loop-b", d);
    symlink("loop-a", p);
    try_open("symlink loop", p);
    snprintf(p, sizeof p, "%s/sub/../../x", d);
    try_open("inner dotdot out", p);
    struct stat st;
    snprintf(p, sizeof p, "%s/..", d);
    errno = 0;
    int r = stat(p, &st);
    printf("%-28s %s (errno %d)\n", "stat parent", r == 0 ? "OPENED" : "refused", errno);
    escaped += r == 0;
    for (int i = 2; i < argc; i++)
        try_open(argv[i], argv[i]); /* paths the host prepared, e.g. through its own links */
    printf("escaped %d times\n", escaped);
    return escaped ? 1 : 0;
}
