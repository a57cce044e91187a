/* Makes a spec-test bundle from converted scripts on disk (wast2json .json + module files). */
#include <dirent.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testkit/bundle_make.h"
#include "testkit/testkit.h"

#define MAX_SCRIPT_BYTES (256u << 20)
#define MAX_FILE_BYTES   (256u << 20)

typedef struct maker {
    bt_bundle bundle; /* scripts[].files are malloc'd per script; names and data too */
    size_t scripts_cap;
    char *why;
    size_t why_size;
} maker;

static bool complain(maker *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->why, m->why_size, fmt, ap);
    va_end(ap);
    return false;
}

static burh_cbor_bytes copy_text(const char *text, size_t len)
{
    uint8_t *p = malloc(len + 1);
    if (p == NULL) {
        return (burh_cbor_bytes){NULL, 0};
    }
    memcpy(p, text, len);
    p[len] = '\0';
    return (burh_cbor_bytes){p, len};
}

/* `path` itself when it is a file, else the one *.json file inside the directory. */
static bool script_path(maker *m, const char *path, char *out, size_t size)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        return complain(m, "%s: no such file or directory", path);
    }
    if (!S_ISDIR(st.st_mode)) {
        return (size_t)snprintf(out, size, "%s", path) < size ||
               complain(m, "%s: path too long", path);
    }
    DIR *dir = opendir(path);
    if (dir == NULL) {
        return complain(m, "%s: cannot open the directory", path);
    }
    unsigned found = 0;
    for (struct dirent *e = readdir(dir); e != NULL; e = readdir(dir)) {
        size_t n = strlen(e->d_name);
        if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0 && found++ == 0 &&
            (size_t)snprintf(out, size, "%s/%s", path, e->d_name) >= size) {
            found = 99; /* too long: reported below as unusable */
        }
    }
    closedir(dir);
    return found == 1 || complain(m, "%s: %s", path,
                                  found == 0 ? "no .json script in the directory"
                                             : "not exactly one usable .json script in it");
}

static bool has_file(const bt_bundle_script *s, const char *name, size_t len)
{
    for (size_t i = 0; i < s->nfiles; i++) {
        if (s->files[i].name.len == len && memcmp(s->files[i].name.ptr, name, len) == 0) {
            return true;
        }
    }
    return false;
}

/* Adds the module file a command names (binary modules only: text ones are never loaded). */
static bool add_module_file(maker *m, bt_bundle_script *s, const char *dir, const json_t *cmd,
                            size_t *cap)
{
    const json_t *file = json_object_get(cmd, "filename");
    const char *type = json_string_value(json_object_get(cmd, "module_type"));
    if (!json_is_string(file) || (type != NULL && strcmp(type, "text") == 0)) {
        return true;
    }
    const char *name = json_string_value(file);
    size_t len = json_string_length(file);
    char path[4096];
    if (!bt_bundle_name_ok(BURH_CBOR_BYTES(name, len)) || strlen(name) != len) {
        return complain(m, "%s: a command names the file \"%s\", which is not allowed", dir, name);
    }
    if (has_file(s, name, len)) {
        return true;
    }
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        return complain(m, "%s/%s: path too long", dir, name);
    }
    if (s->nfiles == *cap) {
        *cap = *cap == 0 ? 64 : *cap * 2;
        bt_bundle_file *bigger = realloc(s->files, *cap * sizeof *bigger);
        if (bigger == NULL) {
            return complain(m, "out of memory");
        }
        s->files = bigger;
    }
    bt_bundle_file *f = &s->files[s->nfiles];
    uint8_t *data = NULL;
    const char *problem = bt_read_file(path, MAX_FILE_BYTES, &data, &f->data.len);
    if (problem != NULL) {
        return complain(m, "cannot read %s: %s", path, problem);
    }
    f->data.ptr = data;
    f->name = copy_text(name, len);
    s->nfiles++;
    return f->name.ptr != NULL || complain(m, "out of memory");
}

static bool add_script(maker *m, const char *arg)
{
    char path[4096];
    uint8_t *json = NULL;
    size_t json_len = 0, files_cap = 0;
    json_error_t jerr;

    if (!script_path(m, arg, path, sizeof path)) {
        return false;
    }
    const char *problem = bt_read_file(path, MAX_SCRIPT_BYTES, &json, &json_len);
    if (problem != NULL) {
        return complain(m, "cannot read %s: %s", path, problem);
    }
    if (m->bundle.nscripts == m->scripts_cap) {
        m->scripts_cap = m->scripts_cap == 0 ? 16 : m->scripts_cap * 2;
        bt_bundle_script *bigger = realloc(m->bundle.scripts, m->scripts_cap * sizeof *bigger);
        if (bigger == NULL) {
            free(json);
            return complain(m, "out of memory");
        }
        m->bundle.scripts = bigger;
    }
    bt_bundle_script *s = &m->bundle.scripts[m->bundle.nscripts++];
    const char *slash = strrchr(path, '/');
    const char *base = slash != NULL ? slash + 1 : path;
    memset(s, 0, sizeof *s);
    s->json = (burh_cbor_bytes){json, json_len};
    s->name = copy_text(base, strlen(base));
    if (s->name.ptr == NULL) {
        return complain(m, "out of memory");
    }
    if (slash != NULL) {
        path[slash - path] = '\0';
    } else {
        strcpy(path, ".");
    }
    json_t *root = json_loadb((const char *)json, json_len, JSON_ALLOW_NUL, &jerr);
    const json_t *commands = json_object_get(root, "commands");
    bool ok =
        json_is_array(commands) || complain(m, "%s/%s: not a wast2json script (%s)", path, base,
                                            root == NULL ? jerr.text : "no \"commands\"");
    for (size_t i = 0; ok && i < json_array_size(commands); i++) {
        ok = add_module_file(m, s, path, json_array_get(commands, i), &files_cap);
    }
    json_decref(root);
    return ok;
}

static void maker_free(maker *m)
{
    for (size_t i = 0; i < m->bundle.nscripts; i++) {
        bt_bundle_script *s = &m->bundle.scripts[i];
        for (size_t j = 0; j < s->nfiles; j++) {
            free((void *)s->files[j].name.ptr);
            free((void *)s->files[j].data.ptr);
        }
        free(s->files);
        free((void *)s->name.ptr);
        free((void *)s->json.ptr);
    }
    free(m->bundle.scripts);
}

/* Encodes, then reads the result back: a bundle the reader would refuse is never written. */
static bool encode_checked(maker *m, uint8_t **out, size_t *out_len)
{
    size_t need = 0, len = 0;
    bt_bundle check;
    if (bt_bundle_encode(&m->bundle, NULL, 0, &need) != BT_BUNDLE_OK) {
        return complain(m, "a script or file name cannot go into a bundle");
    }
    uint8_t *buf = malloc(need + 1);
    if (buf == NULL) {
        return complain(m, "out of memory (%zu bytes)", need);
    }
    bt_bundle_status st = bt_bundle_encode(&m->bundle, buf, need, &len);
    if (st == BT_BUNDLE_OK) {
        st = bt_bundle_parse(BURH_CBOR_BYTES(buf, len), &check, m->why, m->why_size);
        bt_bundle_free(&check);
    } else {
        complain(m, "encoding failed: %s", bt_bundle_status_name(st));
    }
    if (st != BT_BUNDLE_OK) {
        free(buf);
        return false;
    }
    *out = buf;
    *out_len = len;
    return true;
}

bool bt_bundle_make(const char *const *paths, size_t npaths, uint8_t **out, size_t *out_len,
                    char *why, size_t why_size)
{
    maker m;
    memset(&m, 0, sizeof m);
    m.why = why;
    m.why_size = why_size;
    bool ok = true;
    for (size_t i = 0; ok && i < npaths; i++) {
        ok = add_script(&m, paths[i]);
    }
    ok = ok && encode_checked(&m, out, out_len);
    maker_free(&m);
    return ok;
}
