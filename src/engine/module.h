/* The decoded module: what decode.c produces and compile.c and instance.c consume. */
#ifndef BURH_ENGINE_MODULE_H
#define BURH_ENGINE_MODULE_H

#include "burh/engine.h"

/* Implementation limits, enforced by the decoder (BW_ERR_MALFORMED or BW_ERR_INVALID as
 * the spec's tests expect, else BW_ERR_LIMIT). */
#define BW_MAX_TYPES      1000000u
#define BW_MAX_FUNCS      1000000u
#define BW_MAX_PARAMS     1000u
#define BW_MAX_RESULTS    1000u
#define BW_MAX_LOCALS     50000u /* params + declared locals of one function */
#define BW_MAX_IMPORTS    100000u
#define BW_MAX_EXPORTS    100000u
#define BW_MAX_GLOBALS    1000000u
#define BW_MAX_SEGMENTS   100000u
#define BW_MAX_ELEM_ITEMS 10000000u
#define BW_MAX_TABLES     100000u
#define BW_MAX_PAGES      65536u /* 4 GiB of 64 KiB pages */

typedef struct bw_functype {
    uint32_t nparams, nresults;
    uint8_t *params; /* bw_valtype each; points into the module's arena */
    uint8_t *results;
} bw_functype;

typedef struct bw_limits {
    uint32_t min, max;
    bool has_max;
} bw_limits;

typedef struct bw_tabletype {
    uint8_t elem; /* BW_FUNCREF or BW_EXTERNREF */
    bw_limits limits;
} bw_tabletype;

typedef struct bw_globaltype {
    uint8_t type;
    bool mutable_;
} bw_globaltype;

/* A constant expression: in Wasm 2.0 exactly one instruction before `end`. */
typedef enum {
    BW_CE_I32 = 1,
    BW_CE_I64,
    BW_CE_F32,
    BW_CE_F64,
    BW_CE_REF_NULL,   /* value = 0; type says funcref or externref */
    BW_CE_REF_FUNC,   /* value = function index */
    BW_CE_GLOBAL_GET, /* value = global index (an imported, immutable global) */
} bw_constexpr_kind;

typedef struct bw_constexpr {
    uint8_t kind;   /* bw_constexpr_kind */
    uint8_t type;   /* bw_valtype of the result */
    uint64_t value; /* integer value, float bits, or an index */
} bw_constexpr;

typedef struct bw_import {
    bw_name module, name;
    uint8_t kind; /* bw_extern_kind */
    union {
        uint32_t functype; /* type index */
        bw_tabletype table;
        bw_limits memory;
        bw_globaltype global;
    } of;
} bw_import;

typedef struct bw_export {
    bw_name name;
    uint8_t kind;
    uint32_t index;
} bw_export;

typedef struct bw_global_decl {
    bw_globaltype type;
    bw_constexpr init;
} bw_global_decl;

typedef enum { BW_SEG_ACTIVE = 0, BW_SEG_PASSIVE, BW_SEG_DECLARATIVE } bw_seg_mode;

typedef struct bw_elem_segment {
    uint8_t mode;        /* bw_seg_mode */
    uint8_t elem_type;   /* BW_FUNCREF or BW_EXTERNREF */
    uint32_t table;      /* active only */
    bw_constexpr offset; /* active only; i32 */
    uint32_t count;
    bw_constexpr *items; /* each ref.null, ref.func or global.get */
} bw_elem_segment;

typedef struct bw_data_segment {
    uint8_t mode; /* BW_SEG_ACTIVE or BW_SEG_PASSIVE */
    uint32_t memory;
    bw_constexpr offset;
    const uint8_t *bytes; /* into the module's copy of the binary */
    uint32_t len;
} bw_data_segment;

struct bw_compiled_func; /* compile.c's translated code, opaque to the decoder */

/* A function defined by the module (not imported). */
typedef struct bw_func_decl {
    uint32_t type;        /* type index */
    uint32_t nlocals;     /* params + declared locals */
    uint8_t *local_types; /* nlocals entries, params first */
    const uint8_t *code;  /* the body's instructions, after the local declarations */
    size_t code_len;      /* up to and including the final `end` */
    size_t code_offset;   /* of `code` within the binary, for error messages */
} bw_func_decl;

struct bw_code_cache; /* compile.c: translated code per (function, bounds mode), scratch */

struct bw_module {
    uint8_t *bytes; /* owned copy of the binary; every bw_name and code pointer points here */
    size_t len;

    uint32_t ntypes;
    bw_functype *types;

    uint32_t nimports;
    bw_import *imports;
    /* Index spaces: imports come first, in import order. */
    uint32_t nfuncs_imported, ntables_imported, nmemories_imported, nglobals_imported;

    uint32_t nfuncs;        /* total, imported included */
    uint32_t *func_types;   /* type index of every function in the index space */
    bw_func_decl *funcs;    /* nfuncs - nfuncs_imported defined functions */
    uint8_t *func_declared; /* nfuncs flags: may appear in ref.func inside code */

    uint32_t ntables;     /* total */
    bw_tabletype *tables; /* every table in the index space */
    uint32_t nmemories;   /* total; at most 1 in Wasm 2.0 */
    bw_limits *memories;
    uint32_t nglobals;       /* total */
    bw_global_decl *globals; /* every global; init unused for imported ones */

    uint32_t nexports;
    bw_export *exports;

    bool has_start;
    uint32_t start;

    uint32_t nelems;
    bw_elem_segment *elems;

    bool has_data_count;
    uint32_t data_count;
    uint32_t ndatas;
    bw_data_segment *datas;

    void *arena; /* decoder-owned allocations, freed with the module */
    /* Filled at first calls through a const module (the pointee is mutable): this is why
     * a module is used by one thread at a time. */
    struct bw_code_cache *code;
};

/* decode.c: parses and validates everything but function bodies. On success *out is a
 * new module (no code cache yet). */
bw_status bw_decode_module(const uint8_t *bytes, size_t len, bw_module **out, bw_error *err);
/* decode.c: frees the module and its code cache. */
void bw_module_destroy(bw_module *module);

/* compile.c: validates every function body without translating it (the translator with
 * emission off) and makes the module's empty code cache. BW_ERR_INVALID (or
 * BW_ERR_MALFORMED for bad encodings met inside code, BW_ERR_UNSUPPORTED for SIMD). */
bw_status bw_validate_code(bw_module *module, bw_error *err);
/* compile.c: the code of defined function `index` for a bounds mode, translated on first
 * request and cached in the module. Fails only for limits or memory (BW_ERR_LIMIT,
 * BW_ERR_NOMEM): the body was validated at load. */
bw_status bw_module_code(const bw_module *module, uint32_t index, bool guard_pages,
                         const struct bw_compiled_func **out, bw_error *err);
void bw_code_cache_free(struct bw_code_cache *cache);

/* error.c helpers: fill err (if non-NULL) and return status. */
bw_status bw_fail(bw_error *err, bw_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
