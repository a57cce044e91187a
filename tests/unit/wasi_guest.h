/* wasi_guest.h: unit tests call WASI host functions directly, on a real guest memory. */
#ifndef BURH_TEST_WASI_GUEST_H
#define BURH_TEST_WASI_GUEST_H

/* Include after <cmocka.h> and its prerequisites, and "wasi/calls.h". Functions are static
 * inline so a test that uses only some of them has no unused ones. */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

/* Guest memory layout used by the tests. */
#define G_PATH  1024u  /* a path string */
#define G_PATH2 2048u  /* a second path string */
#define G_OUT   4096u  /* results */
#define G_IOV   8192u  /* iovec arrays */
#define G_BUF   16384u /* data buffers */

#define U(x) ((uint64_t)(x))

/* The call context of the running test: its setup points this at its fixture's. */
static wasi_call *wg_call;

static inline bw_name nm(const char *s)
{
    return (bw_name){(const uint8_t *)s, strlen(s)};
}

static inline uint8_t *gmem(uint32_t off)
{
    return bw_memory_data(wg_call->mem) + off;
}

/* Copies `s` (without its NUL) to guest offset `off`; returns its length. */
static inline uint32_t put(uint32_t off, const char *s)
{
    memcpy(gmem(off), s, strlen(s));
    return (uint32_t)strlen(s);
}

/* Calls WASI function `name` with integer arguments (pass each as uint64_t, e.g. with U()),
 * typed by its signature. Returns the WASI errno. */
static inline uint16_t wcall(const char *name, ...)
{
    const wasi_def *def = wasi_def_find(nm(name));
    assert_non_null(def);
    bw_value args[16];
    va_list ap;
    va_start(ap, name);
    for (size_t i = 0; def->params[i] != '\0'; i++) {
        uint64_t v = va_arg(ap, uint64_t);
        args[i].type = def->params[i] == 'I' ? BW_I64 : BW_I32;
        if (def->params[i] == 'I')
            args[i].of.i64 = v;
        else
            args[i].of.i32 = (uint32_t)v;
    }
    va_end(ap);
    return def->fn(wg_call, args);
}

#endif
