/* testkit: helpers shared by burh's Wasm test tools (wast values, the "spectest" module). */
#ifndef BURH_TESTKIT_H
#define BURH_TESTKIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "burh/engine.h"

/* What an assertion accepts as one result. */
typedef enum {
    BT_EXPECT_EXACT = 0,      /* these exact bits (or this exact reference) */
    BT_EXPECT_NAN_CANONICAL,  /* a NaN with only the quiet bit set in the payload */
    BT_EXPECT_NAN_ARITHMETIC, /* a NaN with the quiet bit set, any other payload bits */
    BT_EXPECT_NONNULL_FUNC,   /* any non-null funcref ("ref.func" in the script) */
} bt_expect_kind;

typedef struct bt_expected {
    uint8_t kind; /* bt_expect_kind */
    bw_value value;
} bt_expected;

typedef enum {
    BT_PARSE_OK = 0,
    BT_PARSE_BAD,         /* the text is not a value of that type */
    BT_PARSE_UNSUPPORTED, /* a type burh does not run (v128); the assertion is skipped */
} bt_parse_status;

/* Parses one wast2json value: `type` is "i32", "i64", "f32", "f64", "funcref", "externref"
 * (or "v128", refused as unsupported); `text` is the decimal integer (floats as their bit
 * pattern) or "null". Externref N becomes bt_externref(N). */
bt_parse_status bt_value_parse(bw_name type, bw_name text, bw_value *out);

/* As bt_value_parse, plus "nan:canonical" / "nan:arithmetic" for floats and any non-null
 * value text for funcref. */
bt_parse_status bt_expected_parse(bw_name type, bw_name text, bt_expected *out);

bool bt_expected_match(const bt_expected *want, const bw_value *got);

/* The host pointer standing for `ref.extern N`: distinct and non-NULL for every N. */
void *bt_externref(uint32_t n);

/* Human-readable forms for failure reports; always NUL-terminate `buf` (size > 0). */
void bt_value_format(const bw_value *value, char *buf, size_t size);
void bt_expected_format(const bt_expected *want, char *buf, size_t size);

/* Printable form of a Wasm name for reports: control bytes, quotes and backslashes escaped
 * as \xx, cut to fit; returns `buf` (size > 8). */
const char *bt_name_format(bw_name name, char *buf, size_t size);

/* Reads a whole file of at most `max` bytes into a new malloc'd buffer (the caller frees
 * *out); "-" reads standard input to its end. Returns NULL on success, else what went wrong. */
const char *bt_read_file(const char *path, size_t max, uint8_t **out, size_t *len);

/* The "spectest" module of the spec interpreter, made in one store. */
#define BT_SPECTEST_EXPORTS 13

typedef struct bt_spectest {
    bw_extern exports[BT_SPECTEST_EXPORTS]; /* the objects belong to the store */
} bt_spectest;

/* Creates the spectest functions, globals, table and memory in `store`. False when the
 * store runs out of memory. */
bool bt_spectest_init(bt_spectest *spectest, bw_store *store);

/* Finds the export called `name`; false when there is none. */
bool bt_spectest_lookup(const bt_spectest *spectest, bw_name name, bw_extern *out);

/* Names bound to instances in one script: the "$name"s of module commands, or the names
 * registered for imports ("spectest" among them). */
typedef struct bt_binding {
    uint8_t *name; /* owned copy */
    size_t len;
    bw_instance *instance; /* NULL when the module it names failed */
    bool is_spectest;
} bt_binding;

typedef struct bt_names {
    bt_binding *items;
    size_t count, cap;
} bt_names;

/* Copies `name`; false when out of memory. */
bool bt_names_bind(bt_names *names, bw_name name, bw_instance *instance, bool is_spectest);
/* The newest binding of `name`, or NULL. */
const bt_binding *bt_names_lookup(const bt_names *names, bw_name name);
void bt_names_free(bt_names *names);

/* Finds the extern `info` imports among the registered names; false when there is none. */
bool bt_resolve_import(const bt_names *registered, const bt_spectest *spectest,
                       const bw_import_info *info, bw_extern *out);

#endif
