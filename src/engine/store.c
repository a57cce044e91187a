/* Stores: configuration, the list of everything a store owns, the function-type registry,
 * interruption and the host-call context. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "engine/code.h"
#include "engine/store.h"

/* One owned allocation: either data right after the header, or a mapping to unmap. */
struct bw_alloc {
    struct bw_alloc *next;
    void *map;
    size_t map_len;
    max_align_t data[];
};

/* Open-addressed hash set of canonical function types; ids are indices into `types`. */
struct bw_type_registry {
    bw_functype *types;
    uint32_t count, cap;
    uint32_t *slots; /* id + 1, or 0 for empty */
    uint32_t nslots; /* a power of two, at least twice count */
};

/* Can this process reserve the address space a guard-page memory needs? Probed once. */
static bool guard_reservation_works(void)
{
    static int known = -1; /* not thread-safe, but every thread would compute the same */
    if (known < 0) {
        void *p = mmap(NULL, (size_t)BW_GUARD_RESERVATION, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        known = p != MAP_FAILED;
        if (p != MAP_FAILED)
            munmap(p, (size_t)BW_GUARD_RESERVATION);
    }
    return known == 1;
}

/* The one place BURH_BOUNDS is read: it overrides the configured mode, so whole test
 * suites can run in either mode. GUARD needs the reservation and the fault handler
 * (interp.c), else software is used. */
static bw_bounds_mode resolve_bounds(bw_bounds_mode asked)
{
    const char *env = getenv("BURH_BOUNDS");
    if (env != NULL && strcmp(env, "software") == 0)
        asked = BW_BOUNDS_SOFTWARE;
    else if (env != NULL && strcmp(env, "guard") == 0)
        asked = BW_BOUNDS_GUARD;
    if (asked == BW_BOUNDS_SOFTWARE)
        return BW_BOUNDS_SOFTWARE;
    return guard_reservation_works() && bw_guard_install() ? BW_BOUNDS_GUARD : BW_BOUNDS_SOFTWARE;
}

bw_store *bw_store_new(const bw_store_config *config)
{
    bw_store *store = calloc(1, sizeof *store);
    if (store == NULL)
        return NULL;
    store->types = calloc(1, sizeof *store->types);
    if (store->types == NULL) {
        free(store);
        return NULL;
    }
    if (config != NULL)
        store->config = *config;
    bw_store_config *c = &store->config;
    if (c->max_memory_pages == 0 || c->max_memory_pages > BW_MAX_PAGES)
        c->max_memory_pages = BW_MAX_PAGES;
    if (c->max_table_elems == 0)
        c->max_table_elems = 10000000u;
    if (c->max_call_depth == 0)
        c->max_call_depth = 10000u;
    if (c->max_stack_bytes == 0)
        c->max_stack_bytes = 8u * 1024 * 1024;
    if (c->max_func_insns == 0 || c->max_func_insns > BW_MAX_FUNC_INSNS)
        c->max_func_insns = BW_MAX_FUNC_INSNS;
    c->bounds = resolve_bounds(c->bounds);
    return store;
}

bw_bounds_mode bw_store_bounds(const bw_store *store)
{
    return store->config.bounds;
}

void bw_store_free(bw_store *store)
{
    if (store == NULL)
        return;
    struct bw_alloc *a = store->allocs;
    while (a != NULL) {
        struct bw_alloc *next = a->next;
        if (a->map != NULL)
            munmap(a->map, a->map_len);
        free(a);
        a = next;
    }
    free(store->types->types);
    free(store->types->slots);
    free(store->types);
    free(store->stack);
    free(store);
}

void *bw_store_alloc(bw_store *store, size_t count, size_t size)
{
    if (size != 0 && count > (SIZE_MAX - sizeof(struct bw_alloc)) / size)
        return NULL;
    struct bw_alloc *a = calloc(1, sizeof *a + count * size);
    if (a == NULL)
        return NULL;
    a->next = store->allocs;
    store->allocs = a;
    return a->data;
}

bool bw_store_own_mapping(bw_store *store, void *addr, size_t len)
{
    struct bw_alloc *a = calloc(1, sizeof *a);
    if (a == NULL)
        return false;
    a->map = addr;
    a->map_len = len;
    a->next = store->allocs;
    store->allocs = a;
    return true;
}

void bw_store_interrupt(bw_store *store)
{
    store->interrupt = 1;
}

void bw_store_clear_interrupt(bw_store *store)
{
    store->interrupt = 0;
}

static uint32_t hash_functype(const bw_functype *t)
{
    uint32_t h = 2166136261u;
    h = (h ^ t->nparams) * 16777619u;
    for (uint32_t i = 0; i < t->nparams; i++)
        h = (h ^ t->params[i]) * 16777619u;
    h = (h ^ t->nresults) * 16777619u;
    for (uint32_t i = 0; i < t->nresults; i++)
        h = (h ^ t->results[i]) * 16777619u;
    return h;
}

static bool rehash(struct bw_type_registry *r, uint32_t nslots)
{
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (slots == NULL)
        return false;
    for (uint32_t id = 0; id < r->count; id++) {
        uint32_t s = hash_functype(&r->types[id]) & (nslots - 1);
        while (slots[s] != 0)
            s = (s + 1) & (nslots - 1);
        slots[s] = id + 1;
    }
    free(r->slots);
    r->slots = slots;
    r->nslots = nslots;
    return true;
}

/* Adds a copy of `type` (arrays owned by the store); UINT32_MAX when out of memory. */
static uint32_t register_type(bw_store *store, const bw_functype *type)
{
    struct bw_type_registry *r = store->types;
    if (r->count == r->cap) {
        uint32_t cap = r->cap ? r->cap * 2 : 16;
        bw_functype *types = realloc(r->types, cap * sizeof *types);
        if (types == NULL)
            return UINT32_MAX;
        r->types = types;
        r->cap = cap;
    }
    if ((uint64_t)(r->count + 1) * 2 > r->nslots && !rehash(r, r->nslots ? r->nslots * 2 : 32))
        return UINT32_MAX;
    bw_functype copy = *type;
    copy.params = bw_store_alloc(store, type->nparams + type->nresults, 1);
    if (copy.params == NULL)
        return UINT32_MAX;
    copy.results = copy.params + type->nparams;
    if (type->nparams != 0)
        memcpy(copy.params, type->params, type->nparams);
    if (type->nresults != 0)
        memcpy(copy.results, type->results, type->nresults);
    uint32_t id = r->count++;
    r->types[id] = copy;
    uint32_t s = hash_functype(&copy) & (r->nslots - 1);
    while (r->slots[s] != 0)
        s = (s + 1) & (r->nslots - 1);
    r->slots[s] = id + 1;
    return id;
}

uint32_t bw_store_type_id(bw_store *store, const bw_functype *type)
{
    struct bw_type_registry *r = store->types;
    if (r->nslots != 0) {
        uint32_t s = hash_functype(type) & (r->nslots - 1);
        for (; r->slots[s] != 0; s = (s + 1) & (r->nslots - 1)) {
            if (bw_functype_equal(&r->types[r->slots[s] - 1], type))
                return r->slots[s] - 1;
        }
    }
    return register_type(store, type);
}

bw_functype bw_store_functype(const bw_store *store, uint32_t type_id)
{
    return store->types->types[type_id];
}

bw_memory *bw_ctx_memory(bw_call_ctx *ctx)
{
    const bw_instance *caller = ctx->caller;
    if (caller == NULL || caller->module->nmemories == 0)
        return NULL;
    return caller->memories[0];
}

bw_store *bw_ctx_store(bw_call_ctx *ctx)
{
    return ctx->store;
}

bw_status bw_ctx_trap(bw_call_ctx *ctx, const char *message)
{
    bw_error *e = &ctx->store->pending;
    e->status = BW_ERR_TRAP;
    e->trap = BW_TRAP_HOST;
    e->exit_code = 0;
    snprintf(e->message, sizeof e->message, "%s", message != NULL ? message : "host trap");
    return BW_ERR_TRAP;
}

bw_status bw_ctx_exit(bw_call_ctx *ctx, int exit_code)
{
    bw_error *e = &ctx->store->pending;
    e->status = BW_ERR_EXIT;
    e->trap = BW_TRAP_NONE;
    e->exit_code = exit_code;
    snprintf(e->message, sizeof e->message, "exit with code %d", exit_code);
    return BW_ERR_EXIT;
}
