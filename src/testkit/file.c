/* Small file and text helpers for burh's test tools. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testkit/testkit.h"

const char *bt_name_format(bw_name name, char *buf, size_t size)
{
    size_t used = 0;
    for (size_t i = 0; i < name.len && used + 8 < size; i++) {
        uint8_t c = name.ptr[i];
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
            used += (size_t)snprintf(buf + used, size - used, "\\%02x", c);
        } else {
            buf[used++] = (char)c;
        }
    }
    buf[used] = '\0';
    return buf;
}

const char *bt_read_file(const char *path, size_t max, uint8_t **out, size_t *len)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    size_t cap = 4096, used = 0;
    uint8_t *buf = NULL;
    const char *problem = NULL;

    if (f == NULL) {
        return strerror(errno);
    }
    for (;;) {
        if (used == cap || buf == NULL) {
            uint8_t *bigger;
            if (buf != NULL && cap > max) {
                problem = "file too large";
                break;
            }
            cap = buf == NULL ? cap : cap * 2;
            bigger = realloc(buf, cap);
            if (bigger == NULL) {
                problem = "out of memory";
                break;
            }
            buf = bigger;
        }
        size_t got = fread(buf + used, 1, cap - used, f);
        used += got;
        if (got == 0) {
            problem = ferror(f) ? "read error" : NULL;
            break;
        }
    }
    if (!is_stdin) {
        fclose(f);
    }
    if (problem == NULL && used > max) {
        problem = "file too large";
    }
    if (problem != NULL) {
        free(buf);
        return problem;
    }
    *out = buf;
    *len = used;
    return NULL;
}
