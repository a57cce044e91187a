/* burh engine: the public interface of burh's WebAssembly 2.0 engine (no SIMD yet). */
#ifndef BURH_ENGINE_H
#define BURH_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BW_ENGINE_API_VERSION 1

/*
 * Objects and ownership
 *   bw_module   decoded and validated code, translated lazily; may be instantiated many
 *               times, in any store. Freed by bw_module_free, after every store using it.
 *   bw_store    owns every runtime object made in it: instances, functions, memories,
 *               tables, globals. They live until bw_store_free; there is no per-object free.
 *               A store is used by one thread at a time (bw_store_interrupt excepted).
 * Every call that can fail returns a bw_status and, when given a bw_error, fills it.
 * Strings from the API are {ptr,len} byte ranges (bw_name), never NUL-terminated.
 */
typedef struct bw_module bw_module;
typedef struct bw_store bw_store;
typedef struct bw_instance bw_instance;
typedef struct bw_func bw_func;
typedef struct bw_memory bw_memory;
typedef struct bw_table bw_table;
typedef struct bw_global bw_global;
typedef struct bw_call_ctx bw_call_ctx;

typedef enum {
    BW_OK = 0,
    BW_ERR_MALFORMED,   /* the binary does not decode */
    BW_ERR_INVALID,     /* it decodes but does not validate */
    BW_ERR_UNSUPPORTED, /* valid, but uses a feature burh does not implement (SIMD) */
    BW_ERR_UNLINKABLE,  /* imports missing or of the wrong type */
    BW_ERR_TRAP,        /* execution trapped; bw_error.trap says why */
    BW_ERR_EXIT,        /* a host function ended the program; bw_error.exit_code */
    BW_ERR_NOMEM,       /* the host is out of memory */
    BW_ERR_LIMIT,       /* a limit set by the embedder was exceeded before running */
    BW_ERR_NOT_FOUND,   /* no such export */
    BW_ERR_ARGS,        /* the embedder passed wrong arguments (count, type) */
} bw_status;

typedef enum {
    BW_TRAP_NONE = 0,
    BW_TRAP_UNREACHABLE,        /* "unreachable" */
    BW_TRAP_MEMORY_OOB,         /* "out of bounds memory access" */
    BW_TRAP_TABLE_OOB,          /* "out of bounds table access" */
    BW_TRAP_UNDEFINED_ELEMENT,  /* "undefined element" (call_indirect index past table) */
    BW_TRAP_UNINITIALIZED_ELEM, /* "uninitialized element" (call_indirect on null) */
    BW_TRAP_INDIRECT_MISMATCH,  /* "indirect call type mismatch" */
    BW_TRAP_DIV_ZERO,           /* "integer divide by zero" */
    BW_TRAP_INT_OVERFLOW,       /* "integer overflow" */
    BW_TRAP_BAD_CONVERSION,     /* "invalid conversion to integer" */
    BW_TRAP_STACK_EXHAUSTED,    /* "call stack exhausted" */
    BW_TRAP_INTERRUPTED,        /* "interrupted" (bw_store_interrupt, e.g. a time limit) */
    BW_TRAP_HOST,               /* raised by a host function with its own message */
} bw_trap;

typedef struct bw_error {
    bw_status status;
    bw_trap trap;      /* when status == BW_ERR_TRAP */
    int exit_code;     /* when status == BW_ERR_EXIT */
    char message[256]; /* human-readable, NUL-terminated */
} bw_error;

/* Value types carry their binary encoding. */
typedef enum {
    BW_I32 = 0x7f,
    BW_I64 = 0x7e,
    BW_F32 = 0x7d,
    BW_F64 = 0x7c,
    BW_V128 = 0x7b, /* recognised only to be refused */
    BW_FUNCREF = 0x70,
    BW_EXTERNREF = 0x6f,
} bw_valtype;

/* Floats travel as their bit patterns so NaN payloads survive. A null reference is NULL;
 * an externref is any non-NULL pointer the embedder chooses. */
typedef struct bw_value {
    uint8_t type; /* bw_valtype */
    union {
        uint32_t i32;
        uint64_t i64;
        uint32_t f32_bits;
        uint64_t f64_bits;
        bw_func *funcref;
        void *externref;
    } of;
} bw_value;

typedef struct bw_name {
    const uint8_t *ptr;
    size_t len;
} bw_name;

typedef enum {
    BW_EXTERN_FUNC = 0,
    BW_EXTERN_TABLE = 1,
    BW_EXTERN_MEMORY = 2,
    BW_EXTERN_GLOBAL = 3,
} bw_extern_kind;

typedef struct bw_extern {
    uint8_t kind; /* bw_extern_kind */
    union {
        bw_func *func;
        bw_table *table;
        bw_memory *memory;
        bw_global *global;
    } of;
} bw_extern;

typedef struct bw_functype_view {
    const uint8_t *params; /* bw_valtype each */
    uint32_t nparams;
    const uint8_t *results;
    uint32_t nresults;
} bw_functype_view;

typedef struct bw_limits_view {
    uint32_t min;
    uint32_t max;
    bool has_max;
} bw_limits_view;

/* What a module imports or exports, for the embedder to resolve imports by name. */
typedef struct bw_import_info {
    bw_name module;
    bw_name name;
    uint8_t kind;          /* bw_extern_kind */
    bw_functype_view func; /* BW_EXTERN_FUNC */
    uint8_t table_elem;    /* BW_EXTERN_TABLE: BW_FUNCREF or BW_EXTERNREF */
    bw_limits_view limits; /* BW_EXTERN_TABLE, BW_EXTERN_MEMORY */
    uint8_t global_type;   /* BW_EXTERN_GLOBAL */
    bool global_mutable;   /* BW_EXTERN_GLOBAL */
} bw_import_info;

typedef struct bw_export_info {
    bw_name name;
    uint8_t kind; /* bw_extern_kind */
} bw_export_info;

/* How the code of a store checks linear-memory bounds. The environment variable
 * BURH_BOUNDS=software|guard, when set, overrides the choice of every store. */
typedef enum {
    BW_BOUNDS_AUTO = 0, /* guard pages when the 8 GiB reservation and the fault handler work */
    BW_BOUNDS_GUARD,    /* unchecked accesses; out-of-bounds ones fault on guard pages */
    BW_BOUNDS_SOFTWARE, /* every access compares against the memory's size */
} bw_bounds_mode;

/* Engine-wide limits, fixed when a store is made. Zero means "the default". */
typedef struct bw_store_config {
    uint32_t max_memory_pages; /* caps every memory of the store (64 KiB pages); default 65536 */
    uint32_t max_table_elems;  /* default 10,000,000 */
    uint32_t
        max_call_depth; /* Wasm frames; deeper calls trap "call stack exhausted"; default 10000 */
    size_t max_stack_bytes; /* value stack for all frames; default 8 MiB */
    /* Translated instructions of one function; a call of a function over it fails with
     * BW_ERR_LIMIT (functions are translated at their first call). Default and cap 16 M. */
    uint32_t max_func_insns;
    bw_bounds_mode bounds; /* default BW_BOUNDS_AUTO */
} bw_store_config;

/* ---- modules ---- */

/* Decodes and validates a binary module, every function body included. Does not keep
 * `bytes`: the module copies what it needs. On success *out is a new module owned by the
 * caller. Function bodies are translated to internal code at their first call and the code
 * is cached in the module, so a module (and every store using it) is used by one thread at
 * a time. */
bw_status bw_module_load(const uint8_t *bytes, size_t len, bw_module **out, bw_error *err);
void bw_module_free(bw_module *module);

uint32_t bw_module_import_count(const bw_module *module);
/* Views stay valid as long as the module. */
bool bw_module_import(const bw_module *module, uint32_t index, bw_import_info *out);
uint32_t bw_module_export_count(const bw_module *module);
bool bw_module_export(const bw_module *module, uint32_t index, bw_export_info *out);

/* ---- stores and instances ---- */

bw_store *bw_store_new(const bw_store_config *config); /* NULL when out of memory */
void bw_store_free(bw_store *store);

/* Asks running code in `store` to stop with BW_TRAP_INTERRUPTED at its next loop back-edge
 * or call. Async-signal-safe and thread-safe; the request stays until bw_store_clear_interrupt. */
void bw_store_interrupt(bw_store *store);
void bw_store_clear_interrupt(bw_store *store);

/* Instantiates `module` in `store`. `imports` holds one extern per module import, in import
 * order. Runs the start function, if any. The instance belongs to the store; the module must
 * outlive the store. A trap in the start function gives BW_ERR_TRAP, and the instance is not
 * returned (tables and memories it already initialised stay changed, as the spec says). */
bw_status bw_instantiate(bw_store *store, const bw_module *module, const bw_extern *imports,
                         size_t nimports, bw_instance **out, bw_error *err);

bw_status bw_instance_export(const bw_instance *instance, const uint8_t *name, size_t len,
                             bw_extern *out);
/* The instance's memory 0, or NULL when it has none. */
bw_memory *bw_instance_memory(const bw_instance *instance);
/* The bounds mode the instance's code runs in: BW_BOUNDS_GUARD or BW_BOUNDS_SOFTWARE (a
 * guard store falls back to software for an instance whose memory lacks the full
 * reservation). */
bw_bounds_mode bw_instance_bounds(const bw_instance *instance);
/* The mode a store resolved BW_BOUNDS_AUTO and BURH_BOUNDS to. */
bw_bounds_mode bw_store_bounds(const bw_store *store);

/* ---- functions ---- */

/* Called with args already type-checked against the declared params; writes exactly
 * `nresults` results. Return BW_OK, or the status of bw_ctx_trap / bw_ctx_exit. */
typedef bw_status (*bw_host_fn)(bw_call_ctx *ctx, void *env, const bw_value *args,
                                bw_value *results);

/* A host function in `store`. The type arrays are copied; `env` is the caller's and is passed
 * back on every call (not freed by the store). */
bw_func *bw_func_new_host(bw_store *store, const uint8_t *params, uint32_t nparams,
                          const uint8_t *results, uint32_t nresults, bw_host_fn fn, void *env);

bw_functype_view bw_func_type(const bw_func *func);

/* Calls `func`. args are checked against its type (BW_ERR_ARGS on mismatch). */
bw_status bw_func_call(bw_store *store, bw_func *func, const bw_value *args, size_t nargs,
                       bw_value *results, size_t nresults, bw_error *err);

/* Inside a host function: the memory 0 of the instance whose code made the call (NULL when
 * it has none, or when the embedder called the host function directly). */
bw_memory *bw_ctx_memory(bw_call_ctx *ctx);
bw_store *bw_ctx_store(bw_call_ctx *ctx);
/* Return the result of these from the host function. The message is copied. */
bw_status bw_ctx_trap(bw_call_ctx *ctx, const char *message);
bw_status bw_ctx_exit(bw_call_ctx *ctx, int exit_code);

/* ---- memories ---- */

bw_memory *bw_memory_new(bw_store *store, bw_limits_view limits); /* NULL on failure */
uint8_t *bw_memory_data(const bw_memory *memory);
uint64_t bw_memory_size(const bw_memory *memory); /* in bytes */
bw_limits_view bw_memory_limits(const bw_memory *memory);
/* The one checked translator from a guest range to a host pointer: NULL unless
 * [offset, offset+len) lies inside the memory (overflow-safe). The pointer is valid until
 * the memory grows. len 0 at offset == size is allowed. */
uint8_t *bw_memory_span(const bw_memory *memory, uint64_t offset, uint64_t len);
/* Grows by `delta` pages; returns the old size in pages, or -1. */
int64_t bw_memory_grow(bw_memory *memory, uint32_t delta);

/* ---- tables ---- */

bw_table *bw_table_new(bw_store *store, uint8_t elem_type, bw_limits_view limits, bw_value init);
uint32_t bw_table_size(const bw_table *table);
uint8_t bw_table_elem_type(const bw_table *table);
bw_limits_view bw_table_limits(const bw_table *table);
bool bw_table_get(const bw_table *table, uint32_t index, bw_value *out);

/* ---- globals ---- */

bw_global *bw_global_new(bw_store *store, uint8_t type, bool mutable_, bw_value init);
bw_value bw_global_get(const bw_global *global);
uint8_t bw_global_type(const bw_global *global);
bool bw_global_mutable(const bw_global *global);
/* Fails (false) on an immutable global or a value of the wrong type. */
bool bw_global_set(bw_global *global, bw_value value);

const char *bw_status_name(bw_status status);
const char *bw_trap_message(bw_trap trap); /* the spec's wording, e.g. "unreachable" */

#endif
