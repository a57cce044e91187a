/* fileio: file I/O in a directory given as argv[1]: write, read back, list, rename, delete. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char path_buf[4][512];

static const char *at(int slot, const char *dir, const char *name)
{
    snprintf(path_buf[slot], sizeof path_buf[slot], "%s/%s", dir, name);
    return path_buf[slot];
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the directory's entries sorted, each with its type, size and link target. */
static void list(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        printf("opendir %s failed\n", dir);
        return;
    }
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp_names);
    printf("%s: %d entries\n", dir, n);
    for (int i = 0; i < n; i++) {
        struct stat st;
        char full[600];
        snprintf(full, sizeof full, "%s/%s", dir, names[i]);
        lstat(full, &st);
        char kind = S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : 'f';
        printf("  %c %s", kind, names[i]);
        if (kind == 'f')
            printf(" %lld bytes", (long long)st.st_size);
        if (kind == 'l') {
            char target[256];
            ssize_t len = readlink(full, target, sizeof target - 1);
            target[len < 0 ? 0 : len] = '\0';
            printf(" -> %s", target);
        }
        printf("\n");
        free(names[i]);
    }
}

static void write_and_check(const char *dir)
{
    FILE *f = fopen(at(0, dir, "a.txt"), "w");
    for (int i = 0; i < 1000; i++)
        fprintf(f, "line %d: %d\n", i, i * i);
    fclose(f);
    f = fopen(at(0, dir, "a.txt"), "r");
    char line[64];
    long lines = 0, sum = 0;
    while (fgets(line, sizeof line, f)) {
        lines++;
        sum += atol(strchr(line, ':') + 1);
    }
    fclose(f);
    printf("read back %ld lines, sum %ld\n", lines, sum);
    f = fopen(at(0, dir, "a.txt"), "a");
    fputs("appended\n", f);
    fclose(f);
    struct stat st;
    stat(at(0, dir, "a.txt"), &st);
    printf("size after append %lld\n", (long long)st.st_size);

    int fd = open(at(0, dir, "a.txt"), O_RDWR);
    char buf[16] = {0};
    ssize_t got = pread(fd, buf, 10, 100);
    printf("pread %zd: '%.10s'\n", got, buf);
    pwrite(fd, "XXXX", 4, 0);
    off_t end = lseek(fd, 0, SEEK_END);
    ftruncate(fd, end / 2);
    fstat(fd, &st);
    printf("end %lld, truncated to %lld\n", (long long)end, (long long)st.st_size);
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: fileio DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    if (mkdir(at(0, dir, "sub"), 0755) != 0)
        printf("mkdir failed\n");
    write_and_check(dir);
    FILE *f = fopen(at(0, dir, "sub/data.bin"), "wb");
    unsigned char block[4096];
    for (int i = 0; i < 4096; i++)
        block[i] = (unsigned char)(i * 7);
    for (int i = 0; i < 64; i++)
        fwrite(block, 1, sizeof block, f);
    fclose(f);
    symlink("data.bin", at(0, dir, "sub/link"));
    list(dir);
    list(at(1, dir, "sub"));

    printf("rename: %d\n", rename(at(0, dir, "a.txt"), at(1, dir, "sub/b.txt")));
    errno = 0;
    int opened = open(at(0, dir, "a.txt"), O_RDONLY) >= 0;
    printf("open missing: %d enoent=%d\n", opened, errno == ENOENT);
    int removed = rmdir(at(0, dir, "sub"));
    printf("rmdir non-empty: %d enotempty=%d\n", removed, errno == ENOTEMPTY);
    list(at(1, dir, "sub"));
    printf("unlink: %d %d %d\n", unlink(at(0, dir, "sub/b.txt")),
           unlink(at(1, dir, "sub/data.bin")), unlink(at(2, dir, "sub/link")));
    printf("rmdir: %d\n", rmdir(at(0, dir, "sub")));
    list(dir);
    return 0;
}
