/* Spec-test bundles: many wast2json scripts with their module files in one CBOR item. */
#ifndef BURH_TESTKIT_BUNDLE_H
#define BURH_TESTKIT_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "burh/cbor.h"

/*
 * A bundle carries converted spec scripts where there is no file system to read them from
 * (a kvm keep reads it on stdin). The format (CDDL in docs/spectest.md):
 *
 *   bundle = ["burh-spectest-bundle", 1, [* script]]
 *   script = [name: tstr, json: bstr, [* [name: tstr, data: bstr]]]
 *
 * Deterministic CBOR only (the decoder runs in strict mode: definite lengths, shortest
 * heads). A name is 1..255 bytes of UTF-8 without '/' or NUL and is not "." or "..";
 * a script's name ends in ".json"; no two scripts and no two files of a script share a name.
 */

#define BT_BUNDLE_MAGIC       "burh-spectest-bundle"
#define BT_BUNDLE_VERSION     1u
#define BT_BUNDLE_MAX_NAME    255u
#define BT_BUNDLE_MAX_SCRIPTS 100000u
#define BT_BUNDLE_MAX_FILES   1000000u /* over all scripts */

typedef enum {
    BT_BUNDLE_OK = 0,
    BT_BUNDLE_ERR_CBOR,      /* not well-formed deterministic CBOR (the message says where) */
    BT_BUNDLE_ERR_FORMAT,    /* well-formed, but not the shape above (magic, types, counts) */
    BT_BUNDLE_ERR_VERSION,   /* a version this reader does not know */
    BT_BUNDLE_ERR_NAME,      /* a script or file name that is not allowed */
    BT_BUNDLE_ERR_DUPLICATE, /* two scripts, or two files of one script, with one name */
    BT_BUNDLE_ERR_TOO_MANY,  /* more scripts or files than the limits above */
    BT_BUNDLE_ERR_NOMEM,
    BT_BUNDLE_ERR_ARGS, /* encoder: a bad name in the caller's bundle, or a CBOR error */
} bt_bundle_status;

const char *bt_bundle_status_name(bt_bundle_status status);

/* A file of a bundle. From bt_bundle_parse both ranges point into the parsed input. */
typedef struct bt_bundle_file {
    burh_cbor_bytes name;
    burh_cbor_bytes data;
} bt_bundle_file;

typedef struct bt_bundle_script {
    burh_cbor_bytes name; /* the .json file's name, e.g. "i32.json" */
    burh_cbor_bytes json; /* its contents */
    bt_bundle_file *files;
    size_t nfiles;
} bt_bundle_script;

typedef struct bt_bundle {
    bt_bundle_script *scripts;
    size_t nscripts;
    bt_bundle_file *files_storage; /* every script's files, in one block (parser-owned) */
} bt_bundle;

/* Parses a whole bundle. On success `out` borrows from `in` (keep the input alive as long as
 * `out`) and owns two arrays that bt_bundle_free releases; each script's files come sorted by
 * name. On failure `out` is empty and `why` (if not NULL) says what and where. */
bt_bundle_status bt_bundle_parse(burh_cbor_bytes in, bt_bundle *out, char *why, size_t why_size);

/* Releases what bt_bundle_parse allocated (not the input); `bundle` becomes empty. */
void bt_bundle_free(bt_bundle *bundle);

/* The file called `name` in a parsed script, or NULL. */
const bt_bundle_file *bt_bundle_find(const bt_bundle_script *script, burh_cbor_bytes name);

/* Is `name` allowed as a file name (script names also need the ".json" ending)? */
bool bt_bundle_name_ok(burh_cbor_bytes name);

/* Encodes `bundle` (the caller's, in its own order; names are checked, duplicates are the
 * parser's to find) into buf[0..cap). buf == NULL measures: *len is the size needed. */
bt_bundle_status bt_bundle_encode(const bt_bundle *bundle, uint8_t *buf, size_t cap, size_t *len);

#endif
