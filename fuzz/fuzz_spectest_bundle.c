/* Fuzz target: the spec-test bundle reader (what burh-spectest --bundle reads in a kvm keep). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testkit/bundle.h"

static void die(const char *why)
{
    fprintf(stderr, "fuzz_spectest_bundle: %s\n", why);
    abort();
}

static bool inside(burh_cbor_bytes range, const uint8_t *data, size_t size)
{
    return range.len <= size && range.ptr >= data && (size_t)(range.ptr - data) <= size - range.len;
}

static bool same_bytes(burh_cbor_bytes a, burh_cbor_bytes b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* What a parsed bundle promises: ranges inside the input, allowed names, files sorted with
 * no duplicates and each found by bt_bundle_find. */
static void check_parsed(const bt_bundle *b, const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < b->nscripts; i++) {
        const bt_bundle_script *s = &b->scripts[i];
        if (!inside(s->name, data, size) || !inside(s->json, data, size) ||
            !bt_bundle_name_ok(s->name)) {
            die("a script's name or json is outside the input or not allowed");
        }
        for (size_t j = 0; j < s->nfiles; j++) {
            const bt_bundle_file *f = &s->files[j];
            if (!inside(f->name, data, size) || !inside(f->data, data, size) ||
                !bt_bundle_name_ok(f->name)) {
                die("a file is outside the input or has a bad name");
            }
            if (bt_bundle_find(s, f->name) != f) {
                die("bt_bundle_find does not find a file the bundle has");
            }
        }
    }
}

/* Encoding the parsed bundle and parsing that gives the same scripts and files. */
static void check_round_trip(const bt_bundle *b)
{
    size_t need = 0, len = 0;
    bt_bundle again;
    if (bt_bundle_encode(b, NULL, 0, &need) != BT_BUNDLE_OK) {
        die("a parsed bundle does not encode");
    }
    uint8_t *buf = malloc(need + 1);
    if (buf == NULL) {
        return;
    }
    if (bt_bundle_encode(b, buf, need, &len) != BT_BUNDLE_OK || len != need) {
        die("encoding differs from its measure");
    }
    if (bt_bundle_parse(BURH_CBOR_BYTES(buf, len), &again, NULL, 0) != BT_BUNDLE_OK ||
        again.nscripts != b->nscripts) {
        die("a re-encoded bundle does not parse back");
    }
    for (size_t i = 0; i < b->nscripts; i++) {
        const bt_bundle_script *x = &b->scripts[i], *y = &again.scripts[i];
        if (!same_bytes(x->name, y->name) || !same_bytes(x->json, y->json) ||
            x->nfiles != y->nfiles) {
            die("a re-encoded script differs");
        }
        for (size_t j = 0; j < x->nfiles; j++) {
            if (!same_bytes(x->files[j].name, y->files[j].name) ||
                !same_bytes(x->files[j].data, y->files[j].data)) {
                die("a re-encoded file differs");
            }
        }
    }
    bt_bundle_free(&again);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bt_bundle b;
    char why[256];

    /* A copy of exactly `size` bytes, so that any read past the end is caught. */
    uint8_t *copy = malloc(size + (size == 0));
    if (copy == NULL) {
        return 0;
    }
    memcpy(copy, data, size);
    bt_bundle_status st = bt_bundle_parse(BURH_CBOR_BYTES(copy, size), &b, why, sizeof why);
    if (st == BT_BUNDLE_OK) {
        check_parsed(&b, copy, size);
        check_round_trip(&b);
        bt_bundle_free(&b);
    } else if (b.scripts != NULL || b.nscripts != 0 || strlen(why) == 0) {
        die("a refused bundle is not empty or has no message");
    }
    free(copy);
    return 0;
}
