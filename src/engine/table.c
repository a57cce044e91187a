/* Tables (cells reserved once, committed as they grow) and globals. */
#include <sys/mman.h>
#include <unistd.h>

#include "engine/store.h"

static uint64_t round_to_pages(uint64_t bytes)
{
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    return (bytes + page - 1) / page * page;
}

static bool is_reftype(uint8_t type)
{
    return type == BW_FUNCREF || type == BW_EXTERNREF;
}

/* Makes cells [table->size, new_size) accessible and sets them to `init`. */
static bool commit_cells(bw_table *table, uint32_t new_size, bw_cell init)
{
    uint64_t old_bytes = round_to_pages((uint64_t)table->size * sizeof(bw_cell));
    uint64_t new_bytes = round_to_pages((uint64_t)new_size * sizeof(bw_cell));
    if (new_bytes > old_bytes &&
        mprotect((uint8_t *)table->elems + old_bytes, (size_t)(new_bytes - old_bytes),
                 PROT_READ | PROT_WRITE) != 0)
        return false;
    for (uint32_t i = table->size; i < new_size; i++)
        table->elems[i] = init;
    table->size = new_size;
    return true;
}

bw_table *bw_table_new(bw_store *store, uint8_t elem_type, bw_limits_view limits, bw_value init)
{
    if (!is_reftype(elem_type) || init.type != elem_type ||
        (limits.has_max && limits.min > limits.max))
        return NULL;
    uint32_t max_elems = store->config.max_table_elems;
    if (limits.has_max && limits.max < max_elems)
        max_elems = limits.max;
    if (limits.min > max_elems)
        return NULL;
    bw_table *table = bw_store_alloc(store, 1, sizeof *table);
    if (table == NULL)
        return NULL;
    size_t reserved = (size_t)round_to_pages(((uint64_t)max_elems + 1) * sizeof(bw_cell));
    void *cells =
        mmap(NULL, reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (cells == MAP_FAILED)
        return NULL;
    if (!bw_store_own_mapping(store, cells, reserved)) {
        munmap(cells, reserved);
        return NULL;
    }
    table->elem_type = elem_type;
    table->limits = (bw_limits){limits.min, limits.max, limits.has_max};
    table->max_elems = max_elems;
    table->elems = cells;
    table->size = 0;
    if (!commit_cells(table, limits.min, bw_cell_from_value(init)))
        return NULL;
    return table;
}

int64_t bw_table_grow_cells(bw_table *table, uint32_t delta, bw_cell init)
{
    uint32_t old = table->size;
    if (delta > table->max_elems - old)
        return -1;
    if (!commit_cells(table, old + delta, init))
        return -1;
    return old;
}

uint32_t bw_table_size(const bw_table *table)
{
    return table->size;
}

uint8_t bw_table_elem_type(const bw_table *table)
{
    return table->elem_type;
}

bw_limits_view bw_table_limits(const bw_table *table)
{
    /* The current size is the minimum an importer can rely on. */
    return (bw_limits_view){table->size, table->limits.max, table->limits.has_max};
}

bool bw_table_get(const bw_table *table, uint32_t index, bw_value *out)
{
    if (index >= table->size)
        return false;
    *out = bw_value_from_cell(table->elem_type, table->elems[index]);
    return true;
}

static bool is_valtype(uint8_t type)
{
    return type == BW_I32 || type == BW_I64 || type == BW_F32 || type == BW_F64 || is_reftype(type);
}

bw_global *bw_global_new(bw_store *store, uint8_t type, bool mutable_, bw_value init)
{
    if (!is_valtype(type) || init.type != type)
        return NULL;
    bw_global *global = bw_store_alloc(store, 1, sizeof *global);
    if (global == NULL)
        return NULL;
    global->type = type;
    global->mutable_ = mutable_;
    global->value = bw_cell_from_value(init);
    return global;
}

bw_value bw_global_get(const bw_global *global)
{
    return bw_value_from_cell(global->type, global->value);
}

uint8_t bw_global_type(const bw_global *global)
{
    return global->type;
}

bool bw_global_mutable(const bw_global *global)
{
    return global->mutable_;
}

bool bw_global_set(bw_global *global, bw_value value)
{
    if (!global->mutable_ || value.type != global->type)
        return false;
    global->value = bw_cell_from_value(value);
    return true;
}
