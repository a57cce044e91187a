/* fstree: directories in argv[1]: make a tree, rename files and directories, list it sorted. */
#include <dirent.h>
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

static void check(const char *what, int rc)
{
    printf("%-28s %s\n", what, rc == 0 ? "ok" : strerror(errno));
}

static void put(const char *rel, const char *text)
{
    FILE *f = fopen(at(rel), "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
        printf("write %s: %s\n", rel, strerror(errno));
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the tree under `rel` depth first, names sorted, files with their sizes. */
static void list(const char *rel, int depth)
{
    DIR *d = opendir(at(rel));
    if (d == NULL) {
        printf("opendir %s: %s\n", rel, strerror(errno));
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp);
    for (int i = 0; i < n; i++) {
        char child[512];
        snprintf(child, sizeof child, "%s/%s", rel, names[i]);
        struct stat st;
        if (stat(at(child), &st) == 0 && S_ISDIR(st.st_mode)) {
            printf("%*s%s/\n", depth * 2, "", names[i]);
            list(child, depth + 1);
        } else {
            printf("%*s%s (%lld bytes)\n", depth * 2, "", names[i], (long long)st.st_size);
        }
        free(names[i]);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    root = argv[1];
    check("mkdir t", mkdir(at("t"), 0755));
    check("mkdir t again", mkdir(at("t"), 0755));
    check("mkdir t/a/b (no t/a)", mkdir(at("t/a/b"), 0755));
    check("mkdir t/a", mkdir(at("t/a"), 0755));
    check("mkdir t/a/b", mkdir(at("t/a/b"), 0755));
    put("t/a/one.txt", "one\n");
    put("t/a/b/two.txt", "two two\n");
    put("t/top.txt", "top level\n");
    check("rename file", rename(at("t/a/one.txt"), at("t/a/b/uno.txt")));
    check("rename dir", rename(at("t/a/b"), at("t/bee")));
    check("rename dir into itself", rename(at("t/a"), at("t/a/inner")));
    check("rename over file", rename(at("t/top.txt"), at("t/bee/two.txt")));
    check("rmdir non-empty", rmdir(at("t/bee")));
    check("unlink a dir", unlink(at("t/a")));
    for (int i = 0; i < 20; i++) {
        char name[32];
        snprintf(name, sizeof name, "t/a/f%02d", i);
        put(name, "x");
    }
    for (int i = 0; i < 20; i += 2) {
        char name[32];
        snprintf(name, sizeof name, "t/a/f%02d", i);
        unlink(at(name));
    }
    list("t", 0);
    check("rmdir t/a (not empty)", rmdir(at("t/a")));
    return 0;
}
