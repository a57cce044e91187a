/* Runtime objects shared by instance.c (making them) and the interpreter (using them). */
#ifndef BURH_ENGINE_RUNTIME_H
#define BURH_ENGINE_RUNTIME_H

#include <signal.h>

#include "engine/module.h"

/* Every Wasm value lives in one 64-bit cell: i32 in the low half (upper half unspecified),
 * floats as bits, references as pointer bits (0 is null). */
typedef uint64_t bw_cell;

#define BW_PAGE_SIZE 65536u
/* The address space a memory needs for guard-page bounds checks: any u32 address plus u32
 * offset (plus the access width) lands inside it. */
#define BW_GUARD_RESERVATION ((uint64_t)8 << 30 | BW_PAGE_SIZE)
/* The default and the cap of bw_store_config.max_func_insns. */
#define BW_MAX_FUNC_INSNS (1u << 24)

struct bw_memory {
    uint8_t *data;      /* base; never moves when the memory grows */
    uint64_t size;      /* current size in bytes (pages * 64 KiB) */
    bw_limits limits;   /* as declared (or as given by bw_memory_new) */
    uint32_t max_pages; /* limits.max capped by the store's max_memory_pages */
    uint64_t reserved;  /* bytes of address space reserved at data (for munmap) */
};

struct bw_table {
    uint8_t elem_type; /* BW_FUNCREF or BW_EXTERNREF */
    uint32_t size;
    bw_limits limits;
    uint32_t max_elems; /* limits.max capped by the store's max_table_elems */
    bw_cell *elems;     /* size cells; a funcref cell holds a bw_func pointer */
};

struct bw_global {
    uint8_t type;
    bool mutable_;
    bw_cell value;
};

struct bw_func {
    uint32_t type_id;             /* canonical in the store: equal ids <=> equal types */
    bw_functype type;             /* arrays owned by the store */
    struct bw_instance *instance; /* NULL for a host function */
    const bw_func_decl *decl;     /* Wasm function: its declaration */
    /* Its translated code in the instance's bounds mode, NULL until the first call (then
     * the interpreter calls bw_func_translate); cached here, one load less per call. */
    const struct bw_compiled_func *compiled;
    /* compiled->code, set with it: a call or a return reaches the code one load sooner. */
    const struct bw_insn *entry;
    bw_host_fn host; /* host function */
    void *host_env;
};

struct bw_instance {
    const bw_module *module;
    struct bw_store *store;
    bw_func **funcs;      /* module->nfuncs, imports first */
    bw_table **tables;    /* module->ntables */
    bw_memory **memories; /* module->nmemories */
    bw_memory *memory0;   /* memories[0], or NULL: what the interpreter's loads use */
    uint8_t bounds;       /* BW_BOUNDS_GUARD or BW_BOUNDS_SOFTWARE: how its code checks */
    bw_global **globals;  /* module->nglobals */
    uint32_t *type_ids;   /* module->ntypes: module type index -> store type id */
    /* Element segments after evaluation; a dropped (or active, after instantiation, or
     * declarative) segment has count 0. */
    uint32_t *elem_counts;
    bw_cell **elem_items;
    /* Data segments: a dropped one (or an active one after instantiation) has size 0. */
    uint32_t *data_sizes;
};

struct bw_call_ctx {
    struct bw_store *store;
    struct bw_instance *caller; /* NULL when the embedder called the host function */
};

struct bw_alloc; /* instance.c: the store's list of everything it owns */
struct bw_type_registry;

struct bw_store {
    bw_store_config config; /* defaults filled in; bounds resolved to GUARD or SOFTWARE */
    volatile sig_atomic_t interrupt;
    struct bw_alloc *allocs;
    struct bw_type_registry *types;
    /* The interpreter's stack, reused across calls (made on first use). */
    bw_cell *stack;
    size_t stack_cells;
    uint32_t depth;     /* Wasm frames active now, for max_call_depth */
    size_t stack_top;   /* cells of `stack` in use by calls still running (interp.c) */
    bool guard_checked; /* the fault handler was found still ours at this store's first call */
    /* Set by bw_ctx_trap / bw_ctx_exit for the interpreter to pick up. */
    bw_error pending;
};

/* instance.c: the store's canonical id for a function type. */
uint32_t bw_store_type_id(bw_store *store, const bw_functype *type);

/* table.c: table.grow. Adds `delta` cells set to `init`; returns the old size, or -1 past
 * max_elems. Cells never move: like memories, a table's address space is reserved up to
 * max_elems when it is made and committed as it grows (so never realloc `elems`). */
int64_t bw_table_grow_cells(bw_table *table, uint32_t delta, bw_cell init);

/* instance.c: fills func->compiled and func->entry for a Wasm function at its first call:
 * the module's cached code for the instance's bounds mode, translated now if no instance
 * needed it yet. BW_ERR_LIMIT (over the store's max_func_insns) or BW_ERR_NOMEM, with err
 * filled. */
bw_status bw_func_translate(bw_func *func, bw_error *err);

/* interp.c: calls `func` with args already checked, results in `results` (as cells).
 * Host functions are called directly. Handles depth and interruption. */
bw_status bw_interp_call(bw_store *store, bw_func *func, const bw_cell *args, bw_cell *results,
                         bw_error *err);

#endif
