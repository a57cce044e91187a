/* Linear memories: address space reserved once so the base never moves, pages made
 * accessible as the memory grows, and the one checked translator of guest ranges. */
#include <sys/mman.h>

#include "engine/store.h"

/* Any u32 address plus u32 offset plus an access width lands in the reservation, so
 * guarded code (code.h) needs no software bounds check; the part past the current size
 * stays PROT_NONE. */
#define FULL_RESERVATION BW_GUARD_RESERVATION

static void *reserve(uint64_t bytes)
{
    void *p =
        mmap(NULL, (size_t)bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

bw_memory *bw_memory_new(bw_store *store, bw_limits_view limits)
{
    if (limits.min > BW_MAX_PAGES || (limits.has_max && limits.max > BW_MAX_PAGES) ||
        (limits.has_max && limits.min > limits.max))
        return NULL;
    uint32_t max_pages = limits.has_max ? limits.max : BW_MAX_PAGES;
    if (max_pages > store->config.max_memory_pages)
        max_pages = store->config.max_memory_pages;
    if (limits.min > max_pages)
        return NULL;
    bw_memory *mem = bw_store_alloc(store, 1, sizeof *mem);
    if (mem == NULL)
        return NULL;
    uint64_t reserved = FULL_RESERVATION;
    uint8_t *data = reserve(reserved);
    /* A smaller reservation is checked in software (instance.c picks the mode). */
    if (data == NULL) {
        reserved = ((uint64_t)max_pages + 1) * BW_PAGE_SIZE;
        data = reserve(reserved);
    }
    if (data == NULL)
        return NULL;
    if (!bw_store_own_mapping(store, data, (size_t)reserved)) {
        munmap(data, (size_t)reserved);
        return NULL;
    }
    uint64_t bytes = (uint64_t)limits.min * BW_PAGE_SIZE;
    if (bytes != 0 && mprotect(data, (size_t)bytes, PROT_READ | PROT_WRITE) != 0)
        return NULL;
    mem->data = data;
    mem->size = bytes;
    mem->limits = (bw_limits){limits.min, limits.max, limits.has_max};
    mem->max_pages = max_pages;
    mem->reserved = reserved;
    return mem;
}

uint8_t *bw_memory_data(const bw_memory *memory)
{
    return memory->data;
}

uint64_t bw_memory_size(const bw_memory *memory)
{
    return memory->size;
}

bw_limits_view bw_memory_limits(const bw_memory *memory)
{
    /* The current size is the minimum an importer can rely on. */
    uint32_t pages = (uint32_t)(memory->size / BW_PAGE_SIZE);
    return (bw_limits_view){pages, memory->limits.max, memory->limits.has_max};
}

uint8_t *bw_memory_span(const bw_memory *memory, uint64_t offset, uint64_t len)
{
    if (offset > memory->size || len > memory->size - offset)
        return NULL;
    return memory->data + offset;
}

int64_t bw_memory_grow(bw_memory *memory, uint32_t delta)
{
    uint64_t old_pages = memory->size / BW_PAGE_SIZE;
    if (delta == 0)
        return (int64_t)old_pages;
    if (delta > memory->max_pages - old_pages)
        return -1;
    uint64_t new_size = (old_pages + delta) * BW_PAGE_SIZE;
    if (new_size > memory->reserved)
        return -1;
    if (mprotect(memory->data + memory->size, (size_t)(new_size - memory->size),
                 PROT_READ | PROT_WRITE) != 0)
        return -1;
    memory->size = new_size;
    return (int64_t)old_pages;
}
