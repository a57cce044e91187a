/* wasmldr_files.c: copies a workload's files and secrets into the guest's in-memory file system. */
#include <stdio.h>
#include <string.h>

#include "keep/wasmldr_files.h"

static bw_name name_of(const void *p, size_t len)
{
    return (bw_name){(const uint8_t *)p, len};
}

static bool add_secret(burh_wasi_memfs *fs, burh_workload_secret s, burh_wasi_status *st)
{
    char path[160];
    /* The decoder refuses "." and ".." already; this builds a path, so it checks again. */
    if ((s.name.len == 1 && s.name.ptr[0] == '.') ||
        (s.name.len == 2 && memcmp(s.name.ptr, "..", 2) == 0) || s.name.len > 128)
        return false;
    int n = snprintf(path, sizeof path, "run/secrets/%.*s", (int)s.name.len, s.name.ptr);
    *st = burh_wasi_memfs_add_file(fs, name_of(path, (size_t)n), s.data.ptr, s.data.len,
                                   BURH_WASI_MODE_RO);
    return *st == BURH_WASI_OK;
}

bool wasmldr_files_make(const burh_workload *w, burh_wasi *wasi, wasmldr_files *out, char *why,
                        size_t cap)
{
    memset(out, 0, sizeof *out);
    if (w->filec == 0 && w->secretc == 0)
        return true;
    uint64_t budget = WASMLDR_FILES_SCRATCH;
    for (size_t i = 0; i < w->filec; i++) /* each bounded by the protocol: no overflow */
        budget += w->files[i].data.len + w->files[i].path.len;
    for (size_t i = 0; i < w->secretc; i++)
        budget += w->secrets[i].data.len + w->secrets[i].name.len + 16;
    out->fs = burh_wasi_memfs_new(budget, 0);
    if (out->fs == NULL) {
        snprintf(why, cap, "out of memory for the file system");
        return false;
    }
    burh_wasi_status st = BURH_WASI_OK;
    for (size_t i = 0; st == BURH_WASI_OK && i < w->filec; i++) {
        const burh_workload_file *f = &w->files[i];
        st = burh_wasi_memfs_add_file(out->fs, name_of(f->path.ptr + 1, f->path.len - 1),
                                      f->data.ptr, f->data.len, BURH_WASI_MODE_RW);
        if (st != BURH_WASI_OK)
            snprintf(why, cap, "file %.*s: %s", (int)f->path.len, (const char *)f->path.ptr,
                     burh_wasi_status_name(st));
    }
    for (size_t i = 0; st == BURH_WASI_OK && i < w->secretc; i++)
        if (!add_secret(out->fs, w->secrets[i], &st)) {
            snprintf(why, cap, "secret %.*s: %s", (int)w->secrets[i].name.len,
                     (const char *)w->secrets[i].name.ptr,
                     st != BURH_WASI_OK ? burh_wasi_status_name(st) : "not a file name");
            st = BURH_WASI_ERR_ARG;
        }
    if (st == BURH_WASI_OK) {
        st = burh_wasi_preopen_memfs(wasi, out->fs, name_of("", 0), name_of("/", 1));
        if (st != BURH_WASI_OK)
            snprintf(why, cap, "preopen: %s", burh_wasi_status_name(st));
    }
    if (st != BURH_WASI_OK)
        wasmldr_files_free(out);
    return st == BURH_WASI_OK;
}

void wasmldr_files_free(wasmldr_files *f)
{
    burh_wasi_memfs_free(f->fs);
    f->fs = NULL;
}
