/* tcb_trace.c: turns `strace -f` output into the syscalls, files and sockets a process used. */
#include <stdlib.h>
#include <string.h>

#include "burh/tcb.h"

#define NAME_MAX_LEN 64u
#define TEXT_MAX_LEN 300u /* longest path or address kept from one line */

typedef struct span {
    const char *p;
    size_t n;
} span;

/* The sets being filled; objects keyed by name so each appears once. */
typedef struct trace_sets {
    json_t *syscalls, *files, *sockets, *unix_connects, *binds, *libraries;
    size_t lines;
    bool oom;
} trace_sets;

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static bool span_has(span s, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n <= s.n && i <= s.n - n; i++) {
        if (memcmp(s.p + i, needle, n) == 0)
            return true;
    }
    return false;
}

static void set_add(trace_sets *t, json_t *set, span key, json_t *value)
{
    if (value == NULL) {
        t->oom = true;
        return;
    }
    if (key.n == 0 || key.n > TEXT_MAX_LEN) {
        json_decref(value);
        return;
    }
    char buf[TEXT_MAX_LEN + 1];
    memcpy(buf, key.p, key.n);
    buf[key.n] = '\0';
    /* strace escapes non-ASCII bytes, but a NUL or bad UTF-8 key is dropped, not fatal. */
    if (strlen(buf) != key.n || json_object_get(set, buf) != NULL) {
        json_decref(value);
        return;
    }
    /* jansson takes the reference even when it refuses the key (invalid UTF-8: skipped). */
    json_object_set_new(set, buf, value);
}

/* The first double-quoted argument after the opening parenthesis (escapes kept as text). */
static span first_quoted(span args)
{
    const char *q = memchr(args.p, '"', args.n);
    if (q == NULL)
        return (span){NULL, 0};
    const char *end = args.p + args.n;
    for (const char *c = q + 1; c < end; c++) {
        if (*c == '\\' && c + 1 < end)
            c++;
        else if (*c == '"')
            return (span){q + 1, (size_t)(c - q - 1)};
    }
    return (span){NULL, 0};
}

/* The n-th comma-separated argument (0-based), cut at '|' too: "AF_INET", "SOCK_STREAM". */
static span nth_flag(span args, int n)
{
    size_t i = 0;
    for (int k = 0; k < n; k++) {
        while (i < args.n && args.p[i] != ',')
            i++;
        if (i == args.n)
            return (span){NULL, 0};
        i++;
    }
    while (i < args.n && args.p[i] == ' ')
        i++;
    size_t start = i;
    while (i < args.n && args.p[i] != ',' && args.p[i] != '|' && args.p[i] != ')')
        i++;
    return (span){args.p + start, i - start};
}

static const char *result_of(span args)
{
    if (span_has(args, "<unfinished ...>"))
        return "unknown";
    for (size_t i = args.n; i >= 3; i--) {
        if (memcmp(args.p + i - 3, ") =", 3) == 0)
            return i + 1 < args.n && args.p[i + 1] == '-' ? "error" : "ok";
    }
    return "unknown";
}

/* "libx.so", "libx.so.6": ".so" at the end or before a version (not "ld.so.cache"). */
static bool is_shared_object(span path)
{
    for (size_t i = 0; i + 3 <= path.n; i++) {
        if (memcmp(path.p + i, ".so", 3) == 0 &&
            (i + 3 == path.n || (i + 4 < path.n && path.p[i + 3] == '.' && path.p[i + 4] >= '0' &&
                                 path.p[i + 4] <= '9')))
            return true;
    }
    return false;
}

static void note_call(trace_sets *t, span name, span args)
{
    set_add(t, t->syscalls, name, json_true());
    bool opens = (name.n == 6 && memcmp(name.p, "openat", 6) == 0) ||
                 (name.n == 4 && memcmp(name.p, "open", 4) == 0);
    if (opens) {
        span path = first_quoted(args);
        const char *res = result_of(args);
        set_add(t, t->files, path, json_string(res));
        if (strcmp(res, "ok") == 0 && is_shared_object(path))
            set_add(t, t->libraries, path, json_true());
    } else if (name.n == 6 && memcmp(name.p, "socket", 6) == 0) {
        span dom = nth_flag(args, 0), type = nth_flag(args, 1);
        char key[2 * NAME_MAX_LEN + 2];
        if (dom.n > 0 && type.n > 0 && dom.n < NAME_MAX_LEN && type.n < NAME_MAX_LEN) {
            memcpy(key, dom.p, dom.n);
            key[dom.n] = ' ';
            memcpy(key + dom.n + 1, type.p, type.n);
            set_add(t, t->sockets, (span){key, dom.n + 1 + type.n},
                    json_pack("{s:s%,s:s%}", "domain", dom.p, dom.n, "type", type.p, type.n));
        }
    } else if (name.n == 7 && memcmp(name.p, "connect", 7) == 0 && span_has(args, "sun_path=")) {
        set_add(t, t->unix_connects, first_quoted(args), json_string(result_of(args)));
    } else if (name.n == 4 && memcmp(name.p, "bind", 4) == 0) {
        const char *open = memchr(args.p, '{', args.n);
        const char *close = open ? memchr(open, '}', (size_t)(args.p + args.n - open)) : NULL;
        if (open != NULL && close != NULL)
            set_add(t, t->binds, (span){open + 1, (size_t)(close - open - 1)}, json_true());
    }
}

/* One line: "PID name(args) = ret", "PID <... name resumed>...", or "name(...)" without -f. */
static void parse_line(trace_sets *t, span line)
{
    size_t i = 0;
    while (i < line.n && line.p[i] >= '0' && line.p[i] <= '9')
        i++;
    while (i < line.n && line.p[i] == ' ')
        i++;
    if (line.n - i >= 5 && memcmp(line.p + i, "<... ", 5) == 0)
        return; /* the call was counted on its "unfinished" line */
    size_t start = i;
    while (i < line.n && is_name_char(line.p[i]))
        i++;
    if (i == start || i - start > NAME_MAX_LEN || i >= line.n || line.p[i] != '(')
        return; /* signals, exits, noise */
    t->lines++;
    note_call(t, (span){line.p + start, i - start}, (span){line.p + i + 1, line.n - i - 1});
}

/* The keys of a set as a sorted array (jansson objects are unordered), or the set itself. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *sorted_keys(json_t *set, bool with_values, const char *key_name,
                           const char *value_name)
{
    size_t n = json_object_size(set);
    const char **keys = calloc(n ? n : 1, sizeof *keys);
    json_t *arr = json_array();
    if (keys == NULL || arr == NULL) {
        free(keys);
        json_decref(arr);
        return NULL;
    }
    size_t k = 0;
    const char *key;
    json_t *value;
    json_object_foreach(set, key, value) keys[k++] = key;
    qsort(keys, n, sizeof *keys, cmp_str);
    for (k = 0; k < n; k++) {
        json_t *v = json_object_get(set, keys[k]);
        json_t *item = !with_values ? json_string(keys[k])
                       : value_name == NULL
                           ? json_incref(v)
                           : json_pack("{s:s,s:O}", key_name, keys[k], value_name, v);
        if (item == NULL || json_array_append_new(arr, item) != 0) {
            free(keys);
            json_decref(arr);
            return NULL;
        }
    }
    free(keys);
    return arr;
}

static json_t *trace_result(trace_sets *t)
{
    return json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "lines", (json_int_t)t->lines, "syscalls",
                     sorted_keys(t->syscalls, false, NULL, NULL), "files",
                     sorted_keys(t->files, true, "path", "result"), "sockets",
                     sorted_keys(t->sockets, true, NULL, NULL), "unix_connects",
                     sorted_keys(t->unix_connects, true, "path", "result"), "binds",
                     sorted_keys(t->binds, false, NULL, NULL), "libraries",
                     sorted_keys(t->libraries, false, NULL, NULL));
}

json_t *burh_tcb_trace_parse(const uint8_t *text, size_t len)
{
    trace_sets t = {
        json_object(), json_object(), json_object(), json_object(), json_object(), json_object(), 0,
        false};
    json_t *result = NULL;
    if (t.syscalls && t.files && t.sockets && t.unix_connects && t.binds && t.libraries) {
        const char *p = (const char *)text, *end = p + (text ? len : 0);
        while (p < end && !t.oom) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *stop = nl ? nl : end;
            parse_line(&t, (span){p, (size_t)(stop - p)});
            p = nl ? nl + 1 : end;
        }
        if (!t.oom)
            result = trace_result(&t);
    }
    json_decref(t.syscalls);
    json_decref(t.files);
    json_decref(t.sockets);
    json_decref(t.unix_connects);
    json_decref(t.binds);
    json_decref(t.libraries);
    return result;
}
