/* Instantiation (the spec's algorithm: link, allocate, initialise, start), exports, and
 * functions: host functions and calls from the embedder. */
#include <stdlib.h>
#include <string.h>

#include "engine/code.h"
#include "engine/store.h"

bool bw_functype_equal(const bw_functype *a, const bw_functype *b)
{
    return a->nparams == b->nparams && a->nresults == b->nresults &&
           (a->nparams == 0 || memcmp(a->params, b->params, a->nparams) == 0) &&
           (a->nresults == 0 || memcmp(a->results, b->results, a->nresults) == 0);
}

static bw_status trap(bw_error *err, bw_trap kind)
{
    bw_fail(err, BW_ERR_TRAP, "%s", bw_trap_message(kind));
    if (err != NULL)
        err->trap = kind;
    return BW_ERR_TRAP;
}

/* Import matching: the provided object's current size must reach the wanted minimum, and
 * if a maximum is wanted the provided object must promise one at least as tight. */
static bool limits_match(const bw_limits *want, bw_limits_view have)
{
    return have.min >= want->min && (!want->has_max || (have.has_max && have.max <= want->max));
}

static bool import_matches(const bw_module *m, const bw_import *imp, const bw_extern *ext)
{
    switch (imp->kind) {
    case BW_EXTERN_FUNC:
        return bw_functype_equal(&m->types[imp->of.functype], &ext->of.func->type);
    case BW_EXTERN_TABLE:
        return ext->of.table->elem_type == imp->of.table.elem &&
               limits_match(&imp->of.table.limits, bw_table_limits(ext->of.table));
    case BW_EXTERN_MEMORY:
        return limits_match(&imp->of.memory, bw_memory_limits(ext->of.memory));
    case BW_EXTERN_GLOBAL:
        return ext->of.global->type == imp->of.global.type &&
               ext->of.global->mutable_ == imp->of.global.mutable_;
    }
    return false;
}

static bw_status check_imports(const bw_module *m, const bw_extern *imports, size_t nimports,
                               bw_error *err)
{
    if (nimports != m->nimports || (nimports != 0 && imports == NULL))
        return bw_fail(err, BW_ERR_UNLINKABLE, "unknown import: %u imports needed, %zu given",
                       m->nimports, nimports);
    for (uint32_t i = 0; i < m->nimports; i++) {
        const bw_import *imp = &m->imports[i];
        const bw_extern *ext = &imports[i];
        if (ext->of.func == NULL)
            return bw_fail(err, BW_ERR_UNLINKABLE, "unknown import %.*s.%.*s", (int)imp->module.len,
                           (const char *)imp->module.ptr, (int)imp->name.len,
                           (const char *)imp->name.ptr);
        if (ext->kind != imp->kind || !import_matches(m, imp, ext))
            return bw_fail(err, BW_ERR_UNLINKABLE, "incompatible import type for %.*s.%.*s",
                           (int)imp->module.len, (const char *)imp->module.ptr, (int)imp->name.len,
                           (const char *)imp->name.ptr);
    }
    return BW_OK;
}

static bw_instance *alloc_instance(bw_store *store, const bw_module *m)
{
    bw_instance *inst = bw_store_alloc(store, 1, sizeof *inst);
    if (inst == NULL)
        return NULL;
    inst->module = m;
    inst->store = store;
    inst->funcs = bw_store_alloc(store, m->nfuncs, sizeof *inst->funcs);
    inst->tables = bw_store_alloc(store, m->ntables, sizeof *inst->tables);
    inst->memories = bw_store_alloc(store, m->nmemories, sizeof *inst->memories);
    inst->globals = bw_store_alloc(store, m->nglobals, sizeof *inst->globals);
    inst->type_ids = bw_store_alloc(store, m->ntypes, sizeof *inst->type_ids);
    inst->elem_counts = bw_store_alloc(store, m->nelems, sizeof *inst->elem_counts);
    inst->elem_items = bw_store_alloc(store, m->nelems, sizeof *inst->elem_items);
    inst->data_sizes = bw_store_alloc(store, m->ndatas, sizeof *inst->data_sizes);
    if (!inst->funcs || !inst->tables || !inst->memories || !inst->globals || !inst->type_ids ||
        !inst->elem_counts || !inst->elem_items || !inst->data_sizes)
        return NULL;
    return inst;
}

static void link_imports(bw_instance *inst, const bw_extern *imports)
{
    const bw_module *m = inst->module;
    uint32_t nf = 0, nt = 0, nm = 0, ng = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        switch (imports[i].kind) {
        case BW_EXTERN_FUNC:
            inst->funcs[nf++] = imports[i].of.func;
            break;
        case BW_EXTERN_TABLE:
            inst->tables[nt++] = imports[i].of.table;
            break;
        case BW_EXTERN_MEMORY:
            inst->memories[nm++] = imports[i].of.memory;
            break;
        case BW_EXTERN_GLOBAL:
            inst->globals[ng++] = imports[i].of.global;
            break;
        }
    }
}

static bw_status make_funcs(bw_store *store, bw_instance *inst, bw_error *err)
{
    const bw_module *m = inst->module;
    for (uint32_t i = 0; i < m->ntypes; i++) {
        inst->type_ids[i] = bw_store_type_id(store, &m->types[i]);
        if (inst->type_ids[i] == UINT32_MAX)
            return bw_fail(err, BW_ERR_NOMEM, "out of memory");
    }
    uint32_t ndefined = m->nfuncs - m->nfuncs_imported;
    bw_func *funcs = bw_store_alloc(store, ndefined, sizeof *funcs);
    if (funcs == NULL)
        return bw_fail(err, BW_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < ndefined; i++) {
        bw_func *f = &funcs[i];
        f->type_id = inst->type_ids[m->funcs[i].type];
        f->type = bw_store_functype(store, f->type_id);
        f->instance = inst;
        f->decl = &m->funcs[i]; /* f->compiled stays NULL until the first call */
        inst->funcs[m->nfuncs_imported + i] = f;
    }
    return BW_OK;
}

static bw_status make_tables_memories(bw_store *store, bw_instance *inst, bw_error *err)
{
    const bw_module *m = inst->module;
    for (uint32_t i = m->ntables_imported; i < m->ntables; i++) {
        const bw_tabletype *t = &m->tables[i];
        bw_value null = {.type = t->elem, .of.funcref = NULL};
        bw_limits_view limits = {t->limits.min, t->limits.max, t->limits.has_max};
        inst->tables[i] = bw_table_new(store, t->elem, limits, null);
        if (inst->tables[i] == NULL)
            return bw_fail(err, BW_ERR_LIMIT, "cannot make table %u of %u elements", i,
                           t->limits.min);
    }
    for (uint32_t i = m->nmemories_imported; i < m->nmemories; i++) {
        const bw_limits *l = &m->memories[i];
        inst->memories[i] = bw_memory_new(store, (bw_limits_view){l->min, l->max, l->has_max});
        if (inst->memories[i] == NULL)
            return bw_fail(err, BW_ERR_LIMIT, "cannot make memory %u of %u pages", i, l->min);
    }
    return BW_OK;
}

static bw_cell eval_constexpr(const bw_instance *inst, const bw_constexpr *ce)
{
    switch (ce->kind) {
    case BW_CE_I32:
        return (uint32_t)ce->value;
    case BW_CE_REF_NULL:
        return 0;
    case BW_CE_REF_FUNC:
        return (bw_cell)(uintptr_t)inst->funcs[ce->value];
    case BW_CE_GLOBAL_GET:
        return inst->globals[ce->value]->value;
    default:
        return ce->value;
    }
}

static bw_status make_globals(bw_store *store, bw_instance *inst, bw_error *err)
{
    const bw_module *m = inst->module;
    for (uint32_t i = m->nglobals_imported; i < m->nglobals; i++) {
        const bw_global_decl *g = &m->globals[i];
        bw_global *global = bw_store_alloc(store, 1, sizeof *global);
        if (global == NULL)
            return bw_fail(err, BW_ERR_NOMEM, "out of memory");
        global->type = g->type.type;
        global->mutable_ = g->type.mutable_;
        global->value = eval_constexpr(inst, &g->init);
        inst->globals[i] = global;
    }
    return BW_OK;
}

static bw_status eval_elems(bw_store *store, bw_instance *inst, bw_error *err)
{
    const bw_module *m = inst->module;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const bw_elem_segment *seg = &m->elems[i];
        inst->elem_items[i] = bw_store_alloc(store, seg->count, sizeof(bw_cell));
        if (inst->elem_items[i] == NULL)
            return bw_fail(err, BW_ERR_NOMEM, "out of memory");
        for (uint32_t k = 0; k < seg->count; k++)
            inst->elem_items[i][k] = eval_constexpr(inst, &seg->items[k]);
        inst->elem_counts[i] = seg->count;
    }
    return BW_OK;
}

/* table.init then elem.drop for each active segment, in order; a trap leaves the earlier
 * segments written. Declarative segments are only dropped. */
static bw_status init_tables(bw_instance *inst, bw_error *err)
{
    const bw_module *m = inst->module;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const bw_elem_segment *seg = &m->elems[i];
        if (seg->mode == BW_SEG_PASSIVE)
            continue;
        if (seg->mode == BW_SEG_ACTIVE) {
            bw_table *table = inst->tables[seg->table];
            uint64_t offset = (uint32_t)eval_constexpr(inst, &seg->offset);
            uint32_t n = inst->elem_counts[i];
            if (offset + n > table->size)
                return trap(err, BW_TRAP_TABLE_OOB);
            if (n != 0)
                memcpy(&table->elems[offset], inst->elem_items[i], n * sizeof(bw_cell));
        }
        inst->elem_counts[i] = 0;
    }
    return BW_OK;
}

static bw_status init_memories(bw_instance *inst, bw_error *err)
{
    const bw_module *m = inst->module;
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const bw_data_segment *seg = &m->datas[i];
        inst->data_sizes[i] = seg->len;
        if (seg->mode != BW_SEG_ACTIVE)
            continue;
        uint64_t offset = (uint32_t)eval_constexpr(inst, &seg->offset);
        uint8_t *dest = bw_memory_span(inst->memories[seg->memory], offset, seg->len);
        if (dest == NULL)
            return trap(err, BW_TRAP_MEMORY_OOB);
        if (seg->len != 0)
            memcpy(dest, seg->bytes, seg->len);
        inst->data_sizes[i] = 0;
    }
    return BW_OK;
}

static bw_status run_start(bw_store *store, bw_instance *inst, bw_error *err)
{
    const bw_module *m = inst->module;
    if (!m->has_start)
        return BW_OK;
    bw_cell none[1] = {0};
    return bw_interp_call(store, inst->funcs[m->start], none, none, err);
}

/* Guard pages need memory 0 to own the full reservation; an instance without it (or
 * whose memory came from a reservation-starved store) checks in software. */
static uint8_t instance_bounds(const bw_store *store, const bw_memory *memory0)
{
    if (store->config.bounds == BW_BOUNDS_GUARD &&
        (memory0 == NULL || memory0->reserved >= BW_GUARD_RESERVATION))
        return BW_BOUNDS_GUARD;
    return BW_BOUNDS_SOFTWARE;
}

bw_status bw_func_translate(bw_func *func, bw_error *err)
{
    const bw_instance *inst = func->instance;
    const bw_module *m = inst->module;
    uint32_t index = (uint32_t)(func->decl - m->funcs);
    const struct bw_compiled_func *code;
    bw_status status = bw_module_code(m, index, inst->bounds == BW_BOUNDS_GUARD, &code, err);
    if (status != BW_OK)
        return status;
    /* The code may be cached from a store with a larger limit: check it for this one. */
    if (code->ncode > inst->store->config.max_func_insns)
        return bw_fail(err, BW_ERR_LIMIT, "function %u too large: %u instructions, limit %u",
                       m->nfuncs_imported + index, code->ncode, inst->store->config.max_func_insns);
    func->compiled = code;
    func->entry = code->code;
    return BW_OK;
}

bw_status bw_instantiate(bw_store *store, const bw_module *module, const bw_extern *imports,
                         size_t nimports, bw_instance **out, bw_error *err)
{
    *out = NULL;
    bw_status status = check_imports(module, imports, nimports, err);
    if (status != BW_OK)
        return status;
    bw_instance *inst = alloc_instance(store, module);
    if (inst == NULL)
        return bw_fail(err, BW_ERR_NOMEM, "out of memory");
    link_imports(inst, imports);
    status = make_funcs(store, inst, err);
    if (status == BW_OK)
        status = make_tables_memories(store, inst, err);
    if (status == BW_OK) {
        inst->memory0 = module->nmemories > 0 ? inst->memories[0] : NULL;
        inst->bounds = instance_bounds(store, inst->memory0);
        status = make_globals(store, inst, err);
    }
    if (status == BW_OK)
        status = eval_elems(store, inst, err);
    if (status == BW_OK)
        status = init_tables(inst, err);
    if (status == BW_OK)
        status = init_memories(inst, err);
    if (status == BW_OK)
        status = run_start(store, inst, err);
    if (status == BW_OK)
        *out = inst;
    return status;
}

bw_status bw_instance_export(const bw_instance *instance, const uint8_t *name, size_t len,
                             bw_extern *out)
{
    const bw_module *m = instance->module;
    for (uint32_t i = 0; i < m->nexports; i++) {
        const bw_export *e = &m->exports[i];
        if (e->name.len != len || (len != 0 && memcmp(e->name.ptr, name, len) != 0))
            continue;
        out->kind = e->kind;
        switch (e->kind) {
        case BW_EXTERN_FUNC:
            out->of.func = instance->funcs[e->index];
            break;
        case BW_EXTERN_TABLE:
            out->of.table = instance->tables[e->index];
            break;
        case BW_EXTERN_MEMORY:
            out->of.memory = instance->memories[e->index];
            break;
        default:
            out->of.global = instance->globals[e->index];
            break;
        }
        return BW_OK;
    }
    return BW_ERR_NOT_FOUND;
}

bw_memory *bw_instance_memory(const bw_instance *instance)
{
    return instance->module->nmemories != 0 ? instance->memories[0] : NULL;
}

bw_bounds_mode bw_instance_bounds(const bw_instance *instance)
{
    return (bw_bounds_mode)instance->bounds;
}

static bool types_valid(const uint8_t *types, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint8_t t = types[i];
        if (t != BW_I32 && t != BW_I64 && t != BW_F32 && t != BW_F64 && t != BW_FUNCREF &&
            t != BW_EXTERNREF)
            return false;
    }
    return true;
}

bw_func *bw_func_new_host(bw_store *store, const uint8_t *params, uint32_t nparams,
                          const uint8_t *results, uint32_t nresults, bw_host_fn fn, void *env)
{
    if (fn == NULL || (nparams != 0 && params == NULL) || (nresults != 0 && results == NULL) ||
        !types_valid(params, nparams) || !types_valid(results, nresults))
        return NULL;
    bw_functype type = {nparams, nresults, (uint8_t *)params, (uint8_t *)results};
    uint32_t id = bw_store_type_id(store, &type);
    bw_func *func = id == UINT32_MAX ? NULL : bw_store_alloc(store, 1, sizeof *func);
    if (func == NULL)
        return NULL;
    func->type_id = id;
    func->type = bw_store_functype(store, id);
    func->host = fn;
    func->host_env = env;
    return func;
}

bw_functype_view bw_func_type(const bw_func *func)
{
    return (bw_functype_view){func->type.params, func->type.nparams, func->type.results,
                              func->type.nresults};
}

/* Cells for a call's arguments and results: on the C stack when few. */
#define SMALL_CALL_CELLS 16

bw_status bw_func_call(bw_store *store, bw_func *func, const bw_value *args, size_t nargs,
                       bw_value *results, size_t nresults, bw_error *err)
{
    const bw_functype *t = &func->type;
    if (nargs != t->nparams || nresults != t->nresults)
        return bw_fail(err, BW_ERR_ARGS, "expected %u arguments and %u results, got %zu and %zu",
                       t->nparams, t->nresults, nargs, nresults);
    for (uint32_t i = 0; i < t->nparams; i++) {
        if (args[i].type != t->params[i])
            return bw_fail(err, BW_ERR_ARGS, "argument %u has the wrong type", i);
    }
    size_t ncells = t->nparams + t->nresults;
    bw_cell small[SMALL_CALL_CELLS] = {0};
    bw_cell *cells = ncells <= SMALL_CALL_CELLS ? small : calloc(ncells, sizeof *cells);
    if (cells == NULL)
        return bw_fail(err, BW_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < t->nparams; i++)
        cells[i] = bw_cell_from_value(args[i]);
    bw_cell *result_cells = cells + t->nparams;
    bw_status status = bw_interp_call(store, func, cells, result_cells, err);
    for (uint32_t i = 0; status == BW_OK && i < t->nresults; i++)
        results[i] = bw_value_from_cell(t->results[i], result_cells[i]);
    if (cells != small)
        free(cells);
    return status;
}
