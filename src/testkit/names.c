/* Names a wast script gives to instances, and resolving imports through them. */
#include <stdlib.h>
#include <string.h>

#include "testkit/testkit.h"

static bool same_name(bw_name a, const uint8_t *b, size_t blen)
{
    return a.len == blen && (blen == 0 || memcmp(a.ptr, b, blen) == 0);
}

bool bt_names_bind(bt_names *names, bw_name name, bw_instance *instance, bool is_spectest)
{
    if (names->count == names->cap) {
        size_t cap = names->cap ? names->cap * 2 : 16;
        bt_binding *items =
            cap > SIZE_MAX / sizeof *items ? NULL : realloc(names->items, cap * sizeof *items);
        if (items == NULL) {
            return false;
        }
        names->items = items;
        names->cap = cap;
    }
    uint8_t *copy = malloc(name.len + 1);
    if (copy == NULL) {
        return false;
    }
    if (name.len != 0) {
        memcpy(copy, name.ptr, name.len);
    }
    bt_binding *b = &names->items[names->count++];
    b->name = copy;
    b->len = name.len;
    b->instance = instance;
    b->is_spectest = is_spectest;
    return true;
}

const bt_binding *bt_names_lookup(const bt_names *names, bw_name name)
{
    /* Newest first: a later module of the same name replaces the older one. */
    for (size_t i = names->count; i-- > 0;) {
        if (same_name(name, names->items[i].name, names->items[i].len)) {
            return &names->items[i];
        }
    }
    return NULL;
}

void bt_names_free(bt_names *names)
{
    for (size_t i = 0; i < names->count; i++) {
        free(names->items[i].name);
    }
    free(names->items);
    memset(names, 0, sizeof *names);
}

bool bt_resolve_import(const bt_names *registered, const bt_spectest *spectest,
                       const bw_import_info *info, bw_extern *out)
{
    const bt_binding *b = bt_names_lookup(registered, info->module);
    if (b == NULL) {
        return false;
    }
    if (b->is_spectest) {
        return bt_spectest_lookup(spectest, info->name, out);
    }
    return b->instance != NULL &&
           bw_instance_export(b->instance, info->name.ptr, info->name.len, out) == BW_OK;
}
