/* Spec-test bundles: the CBOR encoder and the checked, allocation-bounded reader. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testkit/bundle.h"

/* The smallest encodings, used to bound counts by the input left before allocating:
 * a script is 0x83, a 1-byte name (2), an empty bstr (1) and an empty array (1); a file is
 * 0x82, a 1-byte name (2) and an empty bstr (1). */
#define MIN_SCRIPT_BYTES 5u
#define MIN_FILE_BYTES   4u

const char *bt_bundle_status_name(bt_bundle_status status)
{
    switch (status) {
    case BT_BUNDLE_OK:
        return "ok";
    case BT_BUNDLE_ERR_CBOR:
        return "malformed CBOR";
    case BT_BUNDLE_ERR_FORMAT:
        return "not a spec-test bundle";
    case BT_BUNDLE_ERR_VERSION:
        return "unknown bundle version";
    case BT_BUNDLE_ERR_NAME:
        return "bad name";
    case BT_BUNDLE_ERR_DUPLICATE:
        return "duplicate name";
    case BT_BUNDLE_ERR_TOO_MANY:
        return "too many scripts or files";
    case BT_BUNDLE_ERR_NOMEM:
        return "out of memory";
    case BT_BUNDLE_ERR_ARGS:
        return "bad argument";
    }
    return "unknown error";
}

bool bt_bundle_name_ok(burh_cbor_bytes name)
{
    if (name.len == 0 || name.len > BT_BUNDLE_MAX_NAME || name.ptr == NULL) {
        return false;
    }
    if (memchr(name.ptr, '/', name.len) != NULL || memchr(name.ptr, '\0', name.len) != NULL) {
        return false;
    }
    bool dots = (name.len == 1 && name.ptr[0] == '.') ||
                (name.len == 2 && name.ptr[0] == '.' && name.ptr[1] == '.');
    return !dots && burh_cbor_utf8_valid(name.ptr, name.len);
}

static bool script_name_ok(burh_cbor_bytes name)
{
    static const char suffix[] = ".json";
    size_t n = sizeof suffix - 1;
    return bt_bundle_name_ok(name) && name.len > n &&
           memcmp(name.ptr + name.len - n, suffix, n) == 0;
}

/* ---- encoding ---- */

bt_bundle_status bt_bundle_encode(const bt_bundle *bundle, uint8_t *buf, size_t cap, size_t *len)
{
    burh_cbor_encoder e;

    *len = 0;
    burh_cbor_encoder_init(&e, buf, buf == NULL ? 0 : cap);
    burh_cbor_enc_array_begin(&e);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT(BT_BUNDLE_MAGIC));
    burh_cbor_enc_uint(&e, BT_BUNDLE_VERSION);
    burh_cbor_enc_array_begin(&e);
    for (size_t i = 0; i < bundle->nscripts; i++) {
        const bt_bundle_script *s = &bundle->scripts[i];
        if (!script_name_ok(s->name)) {
            return BT_BUNDLE_ERR_ARGS;
        }
        burh_cbor_enc_array_begin(&e);
        burh_cbor_enc_text(&e, s->name);
        burh_cbor_enc_bytes(&e, s->json);
        burh_cbor_enc_array_begin(&e);
        for (size_t j = 0; j < s->nfiles; j++) {
            if (!bt_bundle_name_ok(s->files[j].name)) {
                return BT_BUNDLE_ERR_ARGS;
            }
            burh_cbor_enc_array_begin(&e);
            burh_cbor_enc_text(&e, s->files[j].name);
            burh_cbor_enc_bytes(&e, s->files[j].data);
            burh_cbor_enc_array_end(&e);
        }
        burh_cbor_enc_array_end(&e);
        burh_cbor_enc_array_end(&e);
    }
    burh_cbor_enc_array_end(&e);
    burh_cbor_enc_array_end(&e);
    burh_cbor_err err = burh_cbor_encoder_finish(&e, len);
    if (buf == NULL && err == BURH_CBOR_ERR_BUFFER_TOO_SMALL) {
        err = BURH_CBOR_OK; /* measuring */
    }
    return err == BURH_CBOR_OK ? BT_BUNDLE_OK : BT_BUNDLE_ERR_ARGS;
}

/* ---- parsing ---- */

typedef struct parser {
    burh_cbor_decoder d;
    bt_bundle *out;
    size_t in_len;
    size_t *first_file; /* per script: index of its first file in out->files_storage */
    size_t nfiles, files_cap;
    size_t at; /* where the item being judged starts, for messages; SIZE_MAX: nowhere */
    char *why;
    size_t why_size;
} parser;

static bt_bundle_status refuse(parser *p, bt_bundle_status status, const char *fmt, ...)
{
    if (p->why != NULL && p->why_size > 0) {
        va_list ap;
        int n = p->at == SIZE_MAX
                    ? snprintf(p->why, p->why_size, "%s: ", bt_bundle_status_name(status))
                    : snprintf(p->why, p->why_size,
                               "%s at byte %zu: ", bt_bundle_status_name(status), p->at);
        if (n >= 0 && (size_t)n < p->why_size) {
            va_start(ap, fmt);
            vsnprintf(p->why + n, p->why_size - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return status;
}

/* The next item, which must be of `type`; CBOR errors and other types are refused. */
static bt_bundle_status expect(parser *p, burh_cbor_type type, burh_cbor_item *item,
                               const char *what)
{
    p->at = burh_cbor_decoder_offset(&p->d);
    burh_cbor_err err = burh_cbor_next(&p->d, item);
    if (err != BURH_CBOR_OK) {
        return refuse(p, err == BURH_CBOR_END ? BT_BUNDLE_ERR_FORMAT : BT_BUNDLE_ERR_CBOR, "%s: %s",
                      what, err == BURH_CBOR_END ? "missing" : burh_cbor_errstr(err));
    }
    p->at = item->offset;
    if (item->type != type) {
        return refuse(p, BT_BUNDLE_ERR_FORMAT, "%s has the wrong type", what);
    }
    return BT_BUNDLE_OK;
}

/* A container's count, bounded by the bytes left so that no allocation exceeds the input. */
static bt_bundle_status expect_count(parser *p, const burh_cbor_item *array, size_t min_bytes,
                                     uint64_t limit, const char *what)
{
    size_t left = p->in_len - burh_cbor_decoder_offset(&p->d);
    if (array->u > limit) {
        return refuse(p, BT_BUNDLE_ERR_TOO_MANY, "%llu %s (at most %llu)",
                      (unsigned long long)array->u, what, (unsigned long long)limit);
    }
    if (array->u > left / min_bytes) {
        return refuse(p, BT_BUNDLE_ERR_FORMAT, "%llu %s cannot fit in %zu bytes",
                      (unsigned long long)array->u, what, left);
    }
    return BT_BUNDLE_OK;
}

/* The head of a file or script entry: an array of `items` whose first is an allowed name. */
static bt_bundle_status expect_entry(parser *p, uint64_t items, const char *what, bool is_script,
                                     burh_cbor_item *name)
{
    burh_cbor_item entry;
    bt_bundle_status st = expect(p, BURH_CBOR_ARRAY, &entry, what);
    if (st == BT_BUNDLE_OK && entry.u != items) {
        st = refuse(p, BT_BUNDLE_ERR_FORMAT, "a %s has %llu items, not %llu", what,
                    (unsigned long long)entry.u, (unsigned long long)items);
    }
    if (st == BT_BUNDLE_OK) {
        st = expect(p, BURH_CBOR_TEXT, name, is_script ? "script name" : "file name");
    }
    if (st == BT_BUNDLE_OK &&
        !(is_script ? script_name_ok(name->str) : bt_bundle_name_ok(name->str))) {
        st = refuse(p, BT_BUNDLE_ERR_NAME,
                    is_script ? "script name not allowed (NAME.json)" : "file name not allowed");
    }
    return st;
}

static bt_bundle_status parse_file(parser *p)
{
    burh_cbor_item name, data;
    bt_bundle_status st = expect_entry(p, 2, "file entry", false, &name);
    if (st == BT_BUNDLE_OK) {
        st = expect(p, BURH_CBOR_BYTES, &data, "file data");
    }
    if (st != BT_BUNDLE_OK) {
        return st;
    }
    /* The count was bounded by the input; this is only the growth of the array. */
    if (p->nfiles == p->files_cap) {
        size_t cap = p->files_cap == 0 ? 64 : p->files_cap * 2;
        bt_bundle_file *bigger = realloc(p->out->files_storage, cap * sizeof *bigger);
        if (bigger == NULL) {
            return refuse(p, BT_BUNDLE_ERR_NOMEM, "file table");
        }
        p->out->files_storage = bigger;
        p->files_cap = cap;
    }
    p->out->files_storage[p->nfiles++] = (bt_bundle_file){name.str, data.str};
    return BT_BUNDLE_OK;
}

static bt_bundle_status parse_script(parser *p, size_t index)
{
    burh_cbor_item name, json, files;
    bt_bundle_script *s = &p->out->scripts[index];
    bt_bundle_status st = expect_entry(p, 3, "script entry", true, &name);
    if (st == BT_BUNDLE_OK) {
        st = expect(p, BURH_CBOR_BYTES, &json, "script json");
    }
    if (st == BT_BUNDLE_OK) {
        st = expect(p, BURH_CBOR_ARRAY, &files, "file list");
    }
    if (st == BT_BUNDLE_OK) {
        st = expect_count(p, &files, MIN_FILE_BYTES, BT_BUNDLE_MAX_FILES - p->nfiles, "files");
    }
    p->first_file[index] = p->nfiles;
    for (uint64_t i = 0; st == BT_BUNDLE_OK && i < files.u; i++) {
        st = parse_file(p);
    }
    if (st == BT_BUNDLE_OK) {
        s->name = name.str;
        s->json = json.str;
        s->nfiles = p->nfiles - p->first_file[index];
    }
    return st;
}

static int compare_names(burh_cbor_bytes a, burh_cbor_bytes b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n == 0 ? 0 : memcmp(a.ptr, b.ptr, n);
    return c != 0 ? c : (a.len > b.len) - (a.len < b.len);
}

static int compare_files(const void *a, const void *b)
{
    return compare_names(((const bt_bundle_file *)a)->name, ((const bt_bundle_file *)b)->name);
}

static int compare_scripts(const void *a, const void *b)
{
    return compare_names(((const bt_bundle_script *const *)a)[0]->name,
                         ((const bt_bundle_script *const *)b)[0]->name);
}

/* Points each script at its files, sorts them and refuses duplicate names. */
static bt_bundle_status finish_tables(parser *p)
{
    bt_bundle *b = p->out;
    p->at = SIZE_MAX; /* the names say which entries */
    for (size_t i = 0; i < b->nscripts; i++) {
        bt_bundle_script *s = &b->scripts[i];
        s->files = s->nfiles == 0 ? NULL : b->files_storage + p->first_file[i];
        if (s->nfiles > 1) {
            qsort(s->files, s->nfiles, sizeof *s->files, compare_files);
        }
        for (size_t j = 1; j < s->nfiles; j++) {
            if (compare_names(s->files[j - 1].name, s->files[j].name) == 0) {
                return refuse(p, BT_BUNDLE_ERR_DUPLICATE, "two files named \"%.*s\" in %.*s",
                              (int)s->files[j].name.len, (const char *)s->files[j].name.ptr,
                              (int)s->name.len, (const char *)s->name.ptr);
            }
        }
    }
    /* Script order is the run order, so duplicates are found on a sorted list of pointers. */
    const bt_bundle_script **order = malloc((b->nscripts + 1) * sizeof *order);
    if (order == NULL) {
        return refuse(p, BT_BUNDLE_ERR_NOMEM, "script table");
    }
    for (size_t i = 0; i < b->nscripts; i++) {
        order[i] = &b->scripts[i];
    }
    qsort(order, b->nscripts, sizeof *order, compare_scripts);
    bt_bundle_status st = BT_BUNDLE_OK;
    for (size_t i = 1; i < b->nscripts && st == BT_BUNDLE_OK; i++) {
        if (compare_names(order[i - 1]->name, order[i]->name) == 0) {
            st = refuse(p, BT_BUNDLE_ERR_DUPLICATE, "two scripts named \"%.*s\"",
                        (int)order[i]->name.len, (const char *)order[i]->name.ptr);
        }
    }
    free(order);
    return st;
}

static bt_bundle_status parse_header(parser *p, burh_cbor_item *scripts)
{
    burh_cbor_item top, magic, version;
    bt_bundle_status st = expect(p, BURH_CBOR_ARRAY, &top, "bundle");
    if (st == BT_BUNDLE_OK && top.u != 3) {
        st = refuse(p, BT_BUNDLE_ERR_FORMAT, "the bundle has %llu items, not 3",
                    (unsigned long long)top.u);
    }
    if (st == BT_BUNDLE_OK) {
        st = expect(p, BURH_CBOR_TEXT, &magic, "magic");
    }
    if (st == BT_BUNDLE_OK && compare_names(magic.str, BURH_CBOR_LIT(BT_BUNDLE_MAGIC)) != 0) {
        st = refuse(p, BT_BUNDLE_ERR_FORMAT, "the magic is not \"%s\"", BT_BUNDLE_MAGIC);
    }
    if (st == BT_BUNDLE_OK) {
        st = expect(p, BURH_CBOR_UINT, &version, "version");
    }
    if (st == BT_BUNDLE_OK && version.u != BT_BUNDLE_VERSION) {
        st = refuse(p, BT_BUNDLE_ERR_VERSION, "version %llu (this reader knows %u)",
                    (unsigned long long)version.u, BT_BUNDLE_VERSION);
    }
    if (st == BT_BUNDLE_OK) {
        st = expect(p, BURH_CBOR_ARRAY, scripts, "script list");
    }
    if (st == BT_BUNDLE_OK) {
        st = expect_count(p, scripts, MIN_SCRIPT_BYTES, BT_BUNDLE_MAX_SCRIPTS, "scripts");
    }
    return st;
}

bt_bundle_status bt_bundle_parse(burh_cbor_bytes in, bt_bundle *out, char *why, size_t why_size)
{
    parser p;
    burh_cbor_item scripts;

    memset(out, 0, sizeof *out);
    memset(&p, 0, sizeof p);
    p.out = out;
    p.in_len = in.len;
    p.why = why;
    p.why_size = why_size;
    if (why != NULL && why_size > 0) {
        why[0] = '\0';
    }
    burh_cbor_decoder_init(&p.d, in, BURH_CBOR_STRICT);
    bt_bundle_status st = parse_header(&p, &scripts);
    if (st == BT_BUNDLE_OK) {
        /* +1: a real block even for an empty list. */
        out->scripts = calloc((size_t)scripts.u + 1, sizeof *out->scripts);
        p.first_file = calloc((size_t)scripts.u + 1, sizeof *p.first_file);
        if (out->scripts == NULL || p.first_file == NULL) {
            st = refuse(&p, BT_BUNDLE_ERR_NOMEM, "script table");
        }
    }
    for (uint64_t i = 0; st == BT_BUNDLE_OK && i < scripts.u; i++) {
        st = parse_script(&p, (size_t)i);
        out->nscripts = (size_t)i + 1;
    }
    if (st == BT_BUNDLE_OK) {
        burh_cbor_err err = burh_cbor_decoder_finish(&p.d);
        p.at = burh_cbor_decoder_offset(&p.d);
        if (err != BURH_CBOR_OK) {
            st = refuse(&p, BT_BUNDLE_ERR_CBOR, "%s", burh_cbor_errstr(err));
        }
    }
    if (st == BT_BUNDLE_OK) {
        st = finish_tables(&p);
    }
    free(p.first_file);
    if (st != BT_BUNDLE_OK) {
        bt_bundle_free(out);
    }
    return st;
}

void bt_bundle_free(bt_bundle *bundle)
{
    free(bundle->scripts);
    free(bundle->files_storage);
    memset(bundle, 0, sizeof *bundle);
}

const bt_bundle_file *bt_bundle_find(const bt_bundle_script *script, burh_cbor_bytes name)
{
    size_t lo = 0, hi = script->nfiles;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare_names(script->files[mid].name, name);
        if (c == 0) {
            return &script->files[mid];
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}
