/* The workload message for a local keep: module, args, env, and --dir trees copied as files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/deploy_send.h"
#include "cli/run_keep.h"

#define RUN_KEEP_MAX_DEPTH 64u

static burh_cbor_bytes text_of(const char *s, size_t len)
{
    return (burh_cbor_bytes){(const uint8_t *)s, len};
}

/* Reads a whole regular file of at most `max` bytes into a new buffer; NULL after a message. */
static uint8_t *slurp(int dirfd, const char *name, const char *shown, size_t max, size_t *len)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    uint8_t *buf = NULL;
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "burh: %s: %s\n", shown, strerror(errno));
    } else if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
        fprintf(stderr, "burh: %s: %s\n", shown,
                S_ISREG(st.st_mode) ? "too large for a keep's workload" : "not a regular file");
    } else if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
        fprintf(stderr, "burh: %s: out of memory\n", shown);
    } else {
        size_t got = 0;
        ssize_t n = 1;
        while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
            got += (size_t)n;
        *len = got;
        if (got != (size_t)st.st_size) {
            fprintf(stderr, "burh: %s: %s\n", shown, n < 0 ? strerror(errno) : "file shrank");
            free(buf);
            buf = NULL;
        }
    }
    if (fd >= 0)
        close(fd);
    return buf;
}

static bool keep_blob(run_keep_inputs *in, uint8_t *b)
{
    if (in->nblobs == in->blob_cap) {
        size_t cap = in->blob_cap ? in->blob_cap * 2 : 16;
        uint8_t **grown = realloc(in->blobs, cap * sizeof *grown);
        if (grown == NULL) {
            free(b);
            return false;
        }
        in->blobs = grown;
        in->blob_cap = cap;
    }
    in->blobs[in->nblobs++] = b;
    return true;
}

/* Adds one host file at guest path `guest` (taken over by `in`). */
static bool add_file(run_keep_inputs *in, int dirfd, const char *name, const char *shown,
                     char *guest)
{
    if (in->w.filec >= BURH_PROTO_FILES_MAX) {
        fprintf(stderr, "burh: %s: a keep's workload holds at most %u files\n", shown,
                BURH_PROTO_FILES_MAX);
        free(guest);
        return false;
    }
    in->paths[in->npaths++] = guest;
    size_t len = 0;
    size_t room = BURH_PROTO_FILES_DATA_MAX - in->data_total;
    uint8_t *b = slurp(dirfd, name, shown, room, &len);
    if (b == NULL || !keep_blob(in, b)) {
        if (b != NULL)
            fprintf(stderr, "burh: out of memory\n");
        return false;
    }
    in->data_total += len;
    in->w.files[in->w.filec].path = text_of(guest, strlen(guest));
    in->w.files[in->w.filec++].data = (burh_cbor_bytes){b, len};
    return true;
}

static char *join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    bool slash = la > 0 && a[la - 1] != '/';
    char *s = malloc(la + slash + lb + 1);
    if (s != NULL) {
        memcpy(s, a, la);
        if (slash)
            s[la] = '/';
        memcpy(s + la + slash, b, lb + 1);
    }
    return s;
}

/* Copies the regular files beneath `host_dir` (closed here) to guest paths under `guest`. */
static bool add_tree(run_keep_inputs *in, int host_dir, const char *shown, const char *guest,
                     unsigned depth)
{
    DIR *d = depth < RUN_KEEP_MAX_DEPTH ? fdopendir(host_dir) : NULL;
    if (d == NULL) {
        fprintf(stderr, "burh: %s: %s\n", shown,
                depth < RUN_KEEP_MAX_DEPTH ? strerror(errno) : "directories nested too deep");
        close(host_dir);
        return false;
    }
    bool ok = true;
    size_t files_before = in->w.filec;
    struct dirent *de;
    while (ok && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        struct stat st;
        char *g = join(guest, de->d_name), *h = join(shown, de->d_name);
        if (g == NULL || h == NULL) {
            fprintf(stderr, "burh: out of memory\n");
            ok = false;
        } else if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            fprintf(stderr, "burh: %s: %s\n", h, strerror(errno));
            ok = false;
        } else if (S_ISDIR(st.st_mode)) {
            int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            ok = sub >= 0 ? add_tree(in, sub, h, g, depth + 1) : false;
            if (sub < 0)
                fprintf(stderr, "burh: %s: %s\n", h, strerror(errno));
        } else if (S_ISREG(st.st_mode)) {
            ok = add_file(in, dirfd(d), de->d_name, h, g);
            g = NULL; /* add_file took it */
        }             /* symlinks, devices and the like are left out, as --mem-dir does */
        free(g);
        free(h);
    }
    closedir(d);
    if (ok && in->w.filec == files_before) /* the protocol carries files, not directories */
        fprintf(stderr, "burh: note: %s holds no files, so it does not exist in the keep\n", shown);
    return ok;
}

/* The guest path of `--dir HOST[::GUEST]`: GUEST, or HOST less "./" and trailing slashes,
 * made absolute (the keep's file system is preopened as "/" and wasi-libc's working
 * directory is "/", so "data/x" and "/data/x" name the same file). */
static char *guest_root(const char *spec, size_t host_len)
{
    const char *sep = strstr(spec, "::");
    const char *g = sep != NULL ? sep + 2 : spec;
    size_t len = sep != NULL ? strlen(g) : host_len;
    while (sep == NULL && len > 2 && g[0] == '.' && g[1] == '/')
        g += 2, len -= 2;
    while (len > 1 && g[len - 1] == '/')
        len--;
    if (len == 1 && g[0] == '.')
        len = 0;
    char *out = malloc(len + 2);
    if (out != NULL) {
        size_t lead = len > 0 && g[0] == '/' ? 0 : 1;
        out[0] = '/';
        memcpy(out + lead, g, len);
        out[lead + len] = '\0';
    }
    return out;
}

static bool add_dirs(const run_keep_request *r, run_keep_inputs *in)
{
    for (size_t i = 0; i < r->ndirs; i++) {
        const char *spec = r->dirs[i], *sep = strstr(spec, "::");
        size_t host_len = sep != NULL ? (size_t)(sep - spec) : strlen(spec);
        char *host = strndup(spec, host_len), *guest = guest_root(spec, host_len);
        int fd = host != NULL ? open(host, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        bool ok = host != NULL && guest != NULL && fd >= 0;
        if (!ok)
            fprintf(stderr, "burh: %s %s: %s\n", r->dir_in_mem[i] ? "--mem-dir" : "--dir", spec,
                    host == NULL || guest == NULL ? "out of memory" : strerror(errno));
        else
            ok = add_tree(in, fd, host, guest, 0);
        free(host);
        free(guest);
        if (!ok)
            return false;
    }
    return true;
}

bool run_keep_load_inputs(const run_keep_request *r, run_keep_inputs *in)
{
    burh_workload *w = &in->w;
    in->file_cap = BURH_PROTO_FILES_MAX + 1;
    w->args = calloc((size_t)r->nargs + 1, sizeof *w->args);
    w->env = calloc(r->nenvs + 1, sizeof *w->env);
    w->files = calloc(in->file_cap, sizeof *w->files);
    in->paths = calloc(in->file_cap, sizeof *in->paths);
    if (!w->args || !w->env || !w->files || !in->paths) {
        fprintf(stderr, "burh: out of memory\n");
        return false;
    }
    size_t len = 0;
    uint8_t *wasm = slurp(AT_FDCWD, r->file, r->file, BURH_PROTO_WASM_MAX, &len);
    if (wasm == NULL || !keep_blob(in, wasm))
        return false;
    w->wasm = (burh_cbor_bytes){wasm, len};
    deploy_workload_args(w, r->file, r->args, r->nargs, r->envs, r->nenvs);
    return add_dirs(r, in);
}

void run_keep_inputs_free(run_keep_inputs *in)
{
    for (size_t i = 0; i < in->nblobs; i++)
        free(in->blobs[i]);
    for (size_t i = 0; i < in->npaths; i++)
        free(in->paths[i]);
    free(in->blobs);
    free(in->paths);
    free(in->w.args);
    free(in->w.env);
    free(in->w.files);
    memset(in, 0, sizeof *in);
}

uint8_t *run_keep_encode(const burh_workload *w, size_t *len)
{
    burh_proto_err e = burh_proto_encode_workload(w, NULL, 0, len);
    uint8_t *buf = e == BURH_PROTO_OK ? malloc(*len) : NULL;
    if (buf != NULL && burh_proto_encode_workload(w, buf, *len, len) == BURH_PROTO_OK)
        return buf;
    fprintf(stderr, "burh: the program does not fit in a keep's workload: %s\n",
            burh_proto_errstr(e != BURH_PROTO_OK ? e : BURH_PROTO_ERR_NOMEM));
    free(buf);
    return NULL;
}
