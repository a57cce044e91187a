/* fsseek: seeking past the end, sparse reads, truncation, append and timestamps in argv[1]. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[512];

static long long size_of(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 ? (long long)st.st_size : -1;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    snprintf(path, sizeof path, "%s/sparse.bin", argv[1]);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        perror("open");
        return 1;
    }
    printf("write: %zd\n", write(fd, "head", 4));
    printf("seek past end: %lld\n", (long long)lseek(fd, 100000, SEEK_SET));
    printf("size before write: %lld\n", size_of(fd));
    printf("write: %zd\n", write(fd, "tail", 4));
    printf("size: %lld\n", size_of(fd));
    char buf[16];
    printf("pread hole: %zd", pread(fd, buf, 8, 50000));
    int zeros = 1;
    for (int i = 0; i < 8; i++)
        zeros &= buf[i] == 0;
    printf(" zeros=%d\n", zeros);
    printf("seek end-4: %lld\n", (long long)lseek(fd, -4, SEEK_END));
    memset(buf, 0, sizeof buf);
    printf("read: %zd '%s'\n", read(fd, buf, 15), buf);
    errno = 0;
    long long neg = (long long)lseek(fd, -1, SEEK_SET);
    printf("seek negative: %lld (%s)\n", neg, errno == EINVAL ? "EINVAL" : "?");
    int tr = ftruncate(fd, 2);
    printf("truncate 2: %d size %lld\n", tr, size_of(fd));
    printf("position kept: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    close(fd);

    fd = open(path, O_WRONLY | O_APPEND);
    printf("append: %zd\n", write(fd, "++", 2));
    printf("size after append: %lld\n", size_of(fd));
    close(fd);

    struct timespec ts[2] = {{1000000000, 5}, {1234567890, 123456789}};
    printf("utimensat: %d\n", utimensat(AT_FDCWD, path, ts, 0));
    struct stat st;
    stat(path, &st);
    printf("atime %lld.%09ld mtime %lld.%09ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    /* "Set to now" is not shown here: this wasi-libc (2022-05) sends UTIME_NOW as time 0. */
    return 0;
}
