/* wasmldr_files.c: writes a workload's files and secrets into a private temporary directory. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keep/wasmldr_files.h"

/* True when a seccomp filter confines us (the nil sandbox): it kills a process that makes
 * directories or creates files, so we must refuse before trying. */
static bool under_seccomp_filter(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return false;
    char line[256];
    bool filtered = false;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "Seccomp:", 8) == 0)
            filtered = atoi(line + 8) == 2;
    fclose(f);
    return filtered;
}

/* Opens (making it when missing) directory `name` inside dirfd. Returns the fd or -1. */
static int enter_dir(int dirfd, const char *name)
{
    if (mkdirat(dirfd, name, 0700) != 0 && errno != EEXIST)
        return -1;
    return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Writes `data` at the clean absolute `path` under root_fd; the file must not exist yet. */
static bool write_file(int root_fd, burh_cbor_bytes path, burh_cbor_bytes data, mode_t mode)
{
    char *copy = strndup((const char *)path.ptr + 1, path.len - 1); /* past the leading '/' */
    if (copy == NULL)
        return false;
    int dirfd = dup(root_fd);
    char *part = copy, *slash;
    while (dirfd >= 0 && (slash = strchr(part, '/')) != NULL) {
        *slash = '\0';
        int next = enter_dir(dirfd, part);
        close(dirfd);
        dirfd = next;
        part = slash + 1;
    }
    int fd = dirfd < 0 ? -1
                       : openat(dirfd, part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                mode);
    size_t done = 0;
    while (fd >= 0 && done < data.len) {
        ssize_t n = write(fd, data.ptr + done, data.len - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    bool ok = fd >= 0 && done == data.len;
    if (fd >= 0)
        close(fd);
    if (dirfd >= 0)
        close(dirfd);
    free(copy);
    return ok;
}

static bool write_secret(int root_fd, burh_workload_secret s)
{
    char path[160];
    /* The protocol allows [A-Za-z0-9_.-]+, which includes "." and "..": not file names. */
    if ((s.name.len == 1 && s.name.ptr[0] == '.') ||
        (s.name.len == 2 && memcmp(s.name.ptr, "..", 2) == 0) || s.name.len > 128)
        return false;
    int n = snprintf(path, sizeof path, "/run/secrets/%.*s", (int)s.name.len, s.name.ptr);
    return write_file(root_fd, (burh_cbor_bytes){(const uint8_t *)path, (size_t)n}, s.data, 0400);
}

bool wasmldr_files_make(const burh_workload *w, wasmldr_files *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    if (w->filec == 0 && w->secretc == 0)
        return true;
    if (under_seccomp_filter()) {
        snprintf(why, cap, "this keep's sandbox forbids creating files; files and secrets "
                           "need the in-memory file system (not done yet)");
        return false;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(out->root, sizeof out->root, "%s/burh-keep-XXXXXX",
             tmp != NULL && tmp[0] == '/' && strlen(tmp) < 64 ? tmp : "/tmp");
    if (mkdtemp(out->root) == NULL) {
        snprintf(why, cap, "mkdtemp: %s", strerror(errno));
        out->root[0] = '\0';
        return false;
    }
    int root_fd = open(out->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = root_fd >= 0;
    for (size_t i = 0; ok && i < w->filec; i++)
        if (!(ok = write_file(root_fd, w->files[i].path, w->files[i].data, 0600)))
            snprintf(why, cap, "cannot write %.*s: %s", (int)w->files[i].path.len,
                     (const char *)w->files[i].path.ptr, strerror(errno));
    for (size_t i = 0; ok && i < w->secretc; i++)
        if (!(ok = write_secret(root_fd, w->secrets[i])))
            snprintf(why, cap, "cannot write secret %.*s", (int)w->secrets[i].name.len,
                     (const char *)w->secrets[i].name.ptr);
    if (root_fd >= 0)
        close(root_fd);
    if (!ok)
        wasmldr_files_remove(out);
    return ok;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void wasmldr_files_remove(wasmldr_files *f)
{
    if (f->root[0] == '\0')
        return;
    nftw(f->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    f->root[0] = '\0';
}
