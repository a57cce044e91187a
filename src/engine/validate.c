/* Module-level validation after decoding: limits, indices, exports, start, segments, and
 * the set of functions that code may name with ref.func. */
#include <stdlib.h>
#include <string.h>

#include "engine/decode.h"

static void check_limits(bw_decoder *d, const bw_limits *limits, uint64_t bound,
                         const char *too_big)
{
    if (limits->min > bound || (limits->has_max && limits->max > bound))
        bw_dec_invalid(d, "%s", too_big);
    else if (limits->has_max && limits->min > limits->max)
        bw_dec_invalid(d, "size minimum must not be greater than maximum");
}

static void check_memories_tables(bw_decoder *d)
{
    const bw_module *m = d->module;
    if (m->nmemories > 1)
        bw_dec_invalid(d, "multiple memories");
    for (uint32_t i = 0; i < m->nmemories; i++)
        check_limits(d, &m->memories[i], BW_MAX_PAGES,
                     "memory size must be at most 65536 pages (4GiB)");
    for (uint32_t i = 0; i < m->ntables; i++)
        check_limits(d, &m->tables[i].limits, UINT32_MAX, "table size too large");
}

static void declare_func(bw_module *m, const bw_constexpr *ce)
{
    if (ce->kind == BW_CE_REF_FUNC && ce->value < m->nfuncs)
        m->func_declared[ce->value] = 1;
}

static int compare_names(const void *a, const void *b)
{
    const bw_name *x = *(const bw_name *const *)a;
    const bw_name *y = *(const bw_name *const *)b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->len == 0 ? 0 : memcmp(x->ptr, y->ptr, x->len);
}

/* Sorting makes the uniqueness check O(n log n) for modules with many exports. */
static void check_export_names(bw_decoder *d)
{
    const bw_module *m = d->module;
    if (m->nexports < 2)
        return;
    const bw_name **sorted = malloc(m->nexports * sizeof *sorted);
    if (sorted == NULL) {
        bw_dec_fail(d, BW_ERR_NOMEM, "out of memory");
        return;
    }
    for (uint32_t i = 0; i < m->nexports; i++)
        sorted[i] = &m->exports[i].name;
    qsort(sorted, m->nexports, sizeof *sorted, compare_names);
    for (uint32_t i = 1; i < m->nexports; i++) {
        if (compare_names(&sorted[i - 1], &sorted[i]) == 0) {
            bw_dec_invalid(d, "duplicate export name");
            break;
        }
    }
    free(sorted);
}

static void check_exports(bw_decoder *d)
{
    bw_module *m = d->module;
    static const char *const kind_names[] = {"function", "table", "memory", "global"};
    for (uint32_t i = 0; i < m->nexports; i++) {
        const bw_export *e = &m->exports[i];
        uint32_t count = e->kind == BW_EXTERN_FUNC     ? m->nfuncs
                         : e->kind == BW_EXTERN_TABLE  ? m->ntables
                         : e->kind == BW_EXTERN_MEMORY ? m->nmemories
                                                       : m->nglobals;
        if (e->index >= count)
            bw_dec_invalid(d, "unknown %s %u", kind_names[e->kind], e->index);
        else if (e->kind == BW_EXTERN_FUNC)
            m->func_declared[e->index] = 1;
    }
    check_export_names(d);
}

static void check_start(bw_decoder *d)
{
    const bw_module *m = d->module;
    if (!m->has_start)
        return;
    if (m->start >= m->nfuncs) {
        bw_dec_invalid(d, "unknown function %u", m->start);
        return;
    }
    uint32_t type = m->func_types[m->start];
    if (type < m->ntypes && (m->types[type].nparams != 0 || m->types[type].nresults != 0))
        bw_dec_invalid(d, "start function must have type [] -> []");
}

static void check_elems(bw_decoder *d)
{
    bw_module *m = d->module;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const bw_elem_segment *seg = &m->elems[i];
        if (seg->mode == BW_SEG_ACTIVE) {
            if (seg->table >= m->ntables)
                bw_dec_invalid(d, "unknown table %u", seg->table);
            else if (m->tables[seg->table].elem != seg->elem_type)
                bw_dec_invalid(d, "type mismatch: element segment and table types differ");
        }
        for (uint32_t k = 0; k < seg->count; k++)
            declare_func(m, &seg->items[k]);
    }
}

static void check_datas(bw_decoder *d)
{
    const bw_module *m = d->module;
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const bw_data_segment *seg = &m->datas[i];
        if (seg->mode == BW_SEG_ACTIVE && seg->memory >= m->nmemories)
            bw_dec_invalid(d, "unknown memory %u", seg->memory);
    }
}

void bw_validate_module(bw_decoder *d)
{
    bw_module *m = d->module;
    m->func_declared = bw_dec_alloc(d, m->nfuncs, 1);
    if (!bw_dec_ok(d))
        return;
    check_memories_tables(d);
    for (uint32_t i = m->nglobals_imported; i < m->nglobals; i++)
        declare_func(m, &m->globals[i].init);
    check_exports(d);
    check_start(d);
    check_elems(d);
    check_datas(d);
}
