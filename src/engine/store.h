/* The store's internal services for the runtime objects: owned allocations, mappings. */
#ifndef BURH_ENGINE_STORE_H
#define BURH_ENGINE_STORE_H

#include "engine/runtime.h"

/* Zeroed storage for count items, freed with the store; NULL when out of memory (count 0
 * gives a valid, unusable pointer). */
void *bw_store_alloc(bw_store *store, size_t count, size_t size);
/* The store takes ownership of the mapping [addr, addr+len) and unmaps it when freed. */
bool bw_store_own_mapping(bw_store *store, void *addr, size_t len);
/* The canonical copy of the type with id `type_id` (arrays owned by the store). */
bw_functype bw_store_functype(const bw_store *store, uint32_t type_id);

/* instance.c: a function type compared by structure (works across stores). */
bool bw_functype_equal(const bw_functype *a, const bw_functype *b);

/* A cell and a typed bw_value hold the same bits (i32 zero-extended). */
static inline bw_cell bw_cell_from_value(bw_value v)
{
    switch (v.type) {
    case BW_I32:
        return v.of.i32;
    case BW_I64:
        return v.of.i64;
    case BW_F32:
        return v.of.f32_bits;
    case BW_F64:
        return v.of.f64_bits;
    case BW_FUNCREF:
        return (bw_cell)(uintptr_t)v.of.funcref;
    default:
        return (bw_cell)(uintptr_t)v.of.externref;
    }
}

static inline bw_value bw_value_from_cell(uint8_t type, bw_cell c)
{
    bw_value v;
    v.type = type;
    switch (type) {
    case BW_I32:
        v.of.i32 = (uint32_t)c;
        break;
    case BW_I64:
        v.of.i64 = c;
        break;
    case BW_F32:
        v.of.f32_bits = (uint32_t)c;
        break;
    case BW_F64:
        v.of.f64_bits = c;
        break;
    case BW_FUNCREF:
        v.of.funcref = (bw_func *)(uintptr_t)c;
        break;
    default:
        v.of.externref = (void *)(uintptr_t)c;
        break;
    }
    return v;
}

#endif
