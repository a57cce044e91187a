/* Lexical validation of guest paths before any of them reaches the kernel. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "wasi/wasi_impl.h"

/* The kernel (openat2 RESOLVE_BENEATH) is what actually keeps resolution beneath the
 * preopen, through symlinks too; this check gives the guest the error the WASI test suite
 * expects for paths that are wrong on their face, before any system call. */
uint16_t wasi_path_check(const uint8_t *bytes, size_t len, wasi_path *out)
{
    out->str = NULL;
    out->len = 0;
    out->trailing_slash = false;
    if (len == 0)
        return WASI_ENOENT;
    if (len >= PATH_MAX)
        return WASI_ENAMETOOLONG;
    if (memchr(bytes, '\0', len) != NULL)
        return WASI_EILSEQ;
    if (bytes[0] == '/')
        return WASI_ENOTCAPABLE;

    /* depth: components below the directory seen so far; ".." at depth 0 escapes. */
    size_t depth = 0;
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && bytes[i] != '/')
            i++;
        size_t clen = i - start;
        if (clen == 2 && bytes[start] == '.' && bytes[start + 1] == '.') {
            if (depth == 0)
                return WASI_ENOTCAPABLE;
            depth--;
        } else if (clen > 0 && !(clen == 1 && bytes[start] == '.')) {
            if (clen > NAME_MAX)
                return WASI_ENAMETOOLONG;
            depth++;
        }
        while (i < len && bytes[i] == '/')
            i++;
    }

    out->str = malloc(len + 1);
    if (out->str == NULL)
        return WASI_ENOMEM;
    memcpy(out->str, bytes, len);
    out->str[len] = '\0';
    out->len = len;
    out->trailing_slash = bytes[len - 1] == '/';
    return WASI_ESUCCESS;
}

void wasi_path_free(wasi_path *p)
{
    free(p->str);
    p->str = NULL;
    p->len = 0;
}
