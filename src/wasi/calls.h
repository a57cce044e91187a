/* Shared by the WASI host-function files: the call context and guest-memory access. */
#ifndef BURH_WASI_CALLS_H
#define BURH_WASI_CALLS_H

#include <string.h>

#include "wasi/wasi_impl.h"

/* One WASI call in progress. */
typedef struct wasi_call {
    burh_wasi *w;
    bw_memory *mem; /* the calling instance's memory 0, or NULL */
    bool exit;      /* set by proc_exit */
    uint32_t exit_code;
} wasi_call;

/* A WASI function: arguments as the engine passes them; returns the WASI errno. */
typedef uint16_t (*wasi_impl_fn)(wasi_call *c, const bw_value *args);

typedef struct wasi_def {
    const char *name;
    const char *params;  /* 'i' = i32, 'I' = i64 */
    const char *results; /* "i" (the errno) or "" */
    wasi_impl_fn fn;
} wasi_def;

/* Guest range [off, off+len) as a host pointer, or NULL (the caller answers EFAULT). */
static inline uint8_t *wasi_mem(wasi_call *c, uint32_t off, uint64_t len)
{
    return c->mem == NULL ? NULL : bw_memory_span(c->mem, off, len);
}

/* Guest memory is little-endian and unaligned. */
static inline void wasi_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void wasi_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline void wasi_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint16_t wasi_get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t wasi_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t wasi_get_u64(const uint8_t *p)
{
    return (uint64_t)wasi_get_u32(p) | (uint64_t)wasi_get_u32(p + 4) << 32;
}

/* Writes a u32/u64 result to the guest, or returns EFAULT. */
static inline uint16_t wasi_store_u32(wasi_call *c, uint32_t off, uint32_t v)
{
    uint8_t *p = wasi_mem(c, off, 4);
    if (p == NULL)
        return WASI_EFAULT;
    wasi_put_u32(p, v);
    return WASI_ESUCCESS;
}
static inline uint16_t wasi_store_u64(wasi_call *c, uint32_t off, uint64_t v)
{
    uint8_t *p = wasi_mem(c, off, 8);
    if (p == NULL)
        return WASI_EFAULT;
    wasi_put_u64(p, v);
    return WASI_ESUCCESS;
}

#define ARG32(i) (args[i].of.i32)
#define ARG64(i) (args[i].of.i64)

/* The tables of each file, joined by link.c. */
extern const wasi_def wasi_defs_fd[];
extern const wasi_def wasi_defs_path[];
extern const wasi_def wasi_defs_misc[];
extern const wasi_def wasi_defs_sock[];

/* calls_fd.c: a guest iovec array as host iovecs (heap, freed by the caller); EINVAL past
 * BURH_WASI_MAX_IOVS or a total above UINT32_MAX, EFAULT for any bad range. */
uint16_t wasi_iovs_load(wasi_call *c, uint32_t iovs, uint32_t n, struct iovec **out);

/* link.c: the WASI function of that name, or NULL. */
const wasi_def *wasi_def_find(bw_name name);

/* calls_fd.c: a filestat written to the guest (EFAULT when it does not fit). */
uint16_t wasi_filestat_store(wasi_call *c, uint32_t ptr, const wasi_filestat *st);
/* calls_fd.c: fstflags with no unknown bits and no "set" together with "set to now". */
bool wasi_fstflags_valid(uint32_t fst);

/* calls_path.c: the descriptor and validated path of a path call. */
uint16_t wasi_dir_path(wasi_call *c, uint32_t fd, uint64_t need, uint32_t path, uint32_t len,
                       wasi_fd **dir, wasi_path *p);

#endif
