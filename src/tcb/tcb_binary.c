/* tcb_binary.c: measures one installed binary: sizes, code in memory, libraries, strings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcb/tcb_internal.h"

#define BINARY_MAX (1ull << 31) /* larger files are not ours: refuse rather than read them */

static const char *const library_dirs[] = {"/lib/x86_64-linux-gnu",
                                           "/usr/lib/x86_64-linux-gnu",
                                           "/lib64",
                                           "/usr/lib64",
                                           "/lib",
                                           "/usr/lib",
                                           NULL};

bool tcb_find_in_path(const char *name, char *out, size_t cap)
{
    const char *path = getenv("PATH");
    if (path == NULL)
        path = "/usr/bin:/bin";
    while (*path != '\0') {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        int w = snprintf(out, cap, "%.*s/%s", (int)n, path, name);
        if (n > 0 && w > 0 && (size_t)w < cap && access(out, X_OK) == 0)
            return true;
        path += n + (colon ? 1 : 0);
    }
    return false;
}

burh_tcb_status tcb_read_file(const char *path, size_t max, uint8_t **bytes, size_t *len)
{
    *bytes = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return BURH_TCB_ERR_IO;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
        fclose(f);
        return BURH_TCB_ERR_IO;
    }
    size_t size = (size_t)st.st_size;
    uint8_t *buf = malloc(size ? size : 1);
    if (buf == NULL) {
        fclose(f);
        return BURH_TCB_ERR_NO_MEMORY;
    }
    size_t got = fread(buf, 1, size, f);
    fclose(f);
    if (got != size) {
        free(buf);
        return BURH_TCB_ERR_IO;
    }
    *bytes = buf;
    *len = size;
    return BURH_TCB_OK;
}

int64_t tcb_library_text_bytes(const char *lib, char *resolved, size_t cap)
{
    if (strchr(lib, '/') != NULL) {
        snprintf(resolved, cap, "%s", lib);
    } else {
        const char *const *d = library_dirs;
        for (; *d != NULL; d++) {
            int w = snprintf(resolved, cap, "%s/%s", *d, lib);
            if (w > 0 && (size_t)w < cap && access(resolved, R_OK) == 0)
                break;
        }
        if (*d == NULL)
            return -1;
    }
    uint8_t *bytes;
    size_t len;
    if (tcb_read_file(resolved, BINARY_MAX, &bytes, &len) != BURH_TCB_OK)
        return -1;
    burh_tcb_elf_info info;
    burh_tcb_status st = burh_tcb_elf_parse(bytes, len, &info);
    free(bytes);
    return st == BURH_TCB_OK ? (int64_t)info.text_bytes : -1;
}

static json_t *needed_list(const burh_tcb_elf_info *info)
{
    json_t *arr = json_array();
    for (uint32_t i = 0; arr != NULL && i < info->needed_count; i++) {
        char name[256], resolved[1024];
        snprintf(name, sizeof name, "%.*s", (int)info->needed[i].len,
                 (const char *)info->needed[i].ptr);
        int64_t text = tcb_library_text_bytes(name, resolved, sizeof resolved);
        json_t *item = text >= 0 ? json_pack("{s:s,s:s,s:I}", "name", name, "path", resolved,
                                             "text_bytes", (json_int_t)text)
                                 : json_pack("{s:s,s:n}", "name", name, "path");
        json_array_append_new(arr, item);
    }
    return arr;
}

static json_t *strings_json(const uint8_t *bytes, size_t len)
{
    burh_tcb_strings s;
    burh_tcb_strings_count(bytes, len, &s);
    return json_pack("{s:I,s:{s:I,s:I,s:I,s:I,s:I}}", "total", (json_int_t)s.total, "categories",
                     "messages", (json_int_t)s.messages, "identifiers", (json_int_t)s.identifiers,
                     "formats", (json_int_t)s.formats, "paths", (json_int_t)s.paths, "other",
                     (json_int_t)s.other);
}

static json_t *absent(const char *name, const char *role, const char *path, const char *why)
{
    return json_pack("{s:s,s:s,s:s,s:b,s:s}", "name", name, "role", role, "path", path, "present",
                     0, "why", why);
}

json_t *tcb_measure_binary(const char *bin_dir, const char *name, const char *role)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", bin_dir, name);
    uint8_t *bytes;
    size_t len;
    burh_tcb_status st = tcb_read_file(path, BINARY_MAX, &bytes, &len);
    if (st != BURH_TCB_OK)
        return absent(name, role, path, errno == ENOENT ? "not built" : burh_tcb_status_name(st));
    burh_tcb_elf_info info;
    st = burh_tcb_elf_parse(bytes, len, &info);
    if (st != BURH_TCB_OK) {
        free(bytes);
        return absent(name, role, path, burh_tcb_status_name(st));
    }
    bool dynamic = info.has_interp || info.needed_count > 0;
    json_t *bin = json_pack("{s:s,s:s,s:s,s:b,s:I,s:I,s:I,s:s,s:o,s:o}", "name", name, "role", role,
                            "path", path, "present", 1, "file_bytes", (json_int_t)len, "exec_bytes",
                            (json_int_t)info.exec_bytes, "text_bytes", (json_int_t)info.text_bytes,
                            "linkage", dynamic ? "dynamic" : "static", "needed", needed_list(&info),
                            "strings", strings_json(bytes, len));
    free(bytes);
    return bin;
}
