/* Making spec-test bundles from converted scripts on disk (the writer's half; bundle.h reads). */
#ifndef BURH_TESTKIT_BUNDLE_MAKE_H
#define BURH_TESTKIT_BUNDLE_MAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "testkit/bundle.h"

/* Bundles the scripts named by `paths`, in that order: each a wast2json .json file or a
 * directory holding exactly one, with every binary module file its commands name (read from
 * the script's directory; text modules are left out, the runner never loads them). The
 * result is read back with bt_bundle_parse before it is returned. On success *out is a new
 * malloc'd buffer the caller frees; on failure `why` says which file and what. */
bool bt_bundle_make(const char *const *paths, size_t npaths, uint8_t **out, size_t *out_len,
                    char *why, size_t why_size);

#endif
