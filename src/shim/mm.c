/* mm.c: the shim's memory: physical frames, the payload's page tables and its user regions.
 * Regions record what the payload asked for; pages are backed lazily on first touch, so a large
 * PROT_NONE reservation costs nothing until parts of it are made accessible and used. */
#include "shim/shim.h"

#define PTE_P      (1ull << 0)
#define PTE_W      (1ull << 1)
#define PTE_U      (1ull << 2)
#define PTE_BACKED (1ull << 9) /* software bit: the entry has a frame, present or not */
#define PTE_FOREIGN                                                                                \
    (1ull << 10) /* software bit: the frame is not the allocator's (never freed)                   \
                  */
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define PF_PRESENT (1ull << 0)
#define PF_WRITE   (1ull << 1)
#define PF_FETCH   (1ull << 4)

#define TABLE_SPAN  (512 * PAGE_SIZE) /* what one page table maps */
#define MAX_REGIONS 1024
/* Pages backed per fault, an aligned block within one page table. On a PVM host a fault costs
 * ~0.3 ms to enter and ~5 us per page backed: 64 pages cut hello's faults from 119 (32 pages)
 * to 66 for the least total time (128 pages: 39 faults, no faster, twice the memory). */
#define FAULT_AROUND (64 * PAGE_SIZE)
#define BRK_MAX      (1ull << 30)

struct region {
    uint64_t start, end; /* page-aligned, end exclusive */
    uint32_t prot;
    uint64_t file_pa; /* 0: anonymous; else the frame of `start` in the payload file's copy */
    uint32_t sealed;  /* the shim's own frames (vDSO, clock pages): protection never changes */
};

static struct region g_regions[MAX_REGIONS];
static int g_nregions;
static uint64_t g_pml4;
static uint64_t g_frame_next, g_frame_end, g_free_list;
static uint64_t g_brk_base, g_brk_cur;

static uint64_t page_up(uint64_t v)
{
    return (v + PAGE_SIZE - 1) & PAGE_MASK;
}

/* A zeroed frame, or 0. Never-used frames are zero already (the host hands the keep zeroed
 * memory, and on this backend the host could change any frame anyway), so they go first;
 * recycled ones only when those run out, and are cleared here (a 4 KiB clear is ~1 ms when
 * emulated on a PVM host, and would keep every later fault off back_block's fast path). A
 * confidential backend must clear (validate) every frame instead. */
uint64_t mm_frame_alloc(void)
{
    uint64_t pa = 0;
    if (g_frame_next < g_frame_end) {
        pa = g_frame_next;
        g_frame_next += PAGE_SIZE;
    } else if (g_free_list) {
        pa = g_free_list;
        g_free_list = *(uint64_t *)phys_to_virt(pa);
        memset(phys_to_virt(pa), 0, PAGE_SIZE);
    }
    return pa;
}

static void frame_free(uint64_t pa)
{
    *(uint64_t *)phys_to_virt(pa) = g_free_list;
    g_free_list = pa;
}

/* The level-1 entry for va; with create, missing tables are made. NULL when absent or no
 * memory; then *skip_to is the next address that may have an entry (to skip empty tables). */
static uint64_t *pte_of(uint64_t va, int create, uint64_t *skip_to)
{
    uint64_t *table = phys_to_virt(g_pml4);
    for (int level = 3; level > 0; level--) {
        unsigned shift = 12 + 9 * (unsigned)level;
        uint64_t *e = &table[(va >> shift) & 511];
        if (!(*e & PTE_P)) {
            uint64_t f = create ? mm_frame_alloc() : 0;
            if (!f) {
                if (skip_to)
                    *skip_to = ((va >> shift) + 1) << shift;
                return NULL;
            }
            *e = f | PTE_P | PTE_W | PTE_U;
        }
        table = phys_to_virt(*e & PTE_ADDR);
    }
    return &table[(va >> 12) & 511];
}

static uint64_t prot_bits(uint32_t prot)
{
    if (prot == PROT_NONE)
        return 0;
    uint64_t bits = PTE_P | PTE_U;
    if (prot & PROT_WRITE)
        bits |= PTE_W;
    if (!(prot & PROT_EXEC))
        bits |= PTE_NX;
    return bits;
}

/* Gives the page at pte (for va) a frame, or re-enables the one it has, with the access prot
 * allows: file_frame when non-zero (a page of the payload file's copy, used in place and never
 * freed, writable ones too: the copy is the keep's own and copying a page costs ~2 ms on a PVM
 * host), else a fresh one. A page that was not present needs no INVLPG (the CPU caches no such
 * entry), which matters on a PVM host, where INVLPG is emulated. */
static void back_at(uint64_t *pte, uint64_t va, uint32_t prot, uint64_t file_frame)
{
    uint64_t old = *pte, frame = old & PTE_ADDR, foreign = old & PTE_FOREIGN;
    if (!(old & PTE_BACKED)) {
        frame = file_frame ? file_frame : mm_frame_alloc();
        foreign = file_frame ? PTE_FOREIGN : 0;
        if (!frame)
            shim_abort("out of guest memory backing va %lx", (unsigned long)va);
    }
    *pte = frame | foreign | PTE_BACKED | prot_bits(prot);
    if (old & PTE_P)
        invlpg(va);
}

static void back_file_page(uint64_t va, uint32_t prot, uint64_t file_frame)
{
    uint64_t *pte = pte_of(va, 1, NULL);
    if (!pte)
        shim_abort("out of guest memory for page tables (va %lx)", (unsigned long)va);
    back_at(pte, va, prot, file_frame);
}

static void back_page(uint64_t va, uint32_t prot)
{
    back_file_page(va, prot, 0);
}

#define PTES_RELEASE (~0ull) /* ptes_update: drop the pages (frames back to the allocator) */
#define DIR_SPAN     (512 * TABLE_SPAN) /* what one page directory maps */

/* The level-2 entry (page directory entry) for va, or NULL when its page directory is missing;
 * then *skip_to is the next address that may have one. */
static uint64_t *pde_of(uint64_t va, uint64_t *skip_to)
{
    uint64_t *table = phys_to_virt(g_pml4);
    for (unsigned shift = 39; shift > 21; shift -= 9) {
        uint64_t e = table[(va >> shift) & 511];
        if (!(e & PTE_P)) {
            *skip_to = ((va >> shift) + 1) << shift;
            return NULL;
        }
        table = phys_to_virt(e & PTE_ADDR);
    }
    return &table[(va >> 21) & 511];
}

/* ptes_update within one page table: entries from pte on, for [va, end). */
static void ptes_update_table(uint64_t *pte, uint64_t va, uint64_t end, uint64_t bits)
{
    for (; va < end; va += PAGE_SIZE, pte++) {
        uint64_t old = *pte;
        if (!(old & PTE_BACKED))
            continue;
        if (bits != PTES_RELEASE) {
            *pte = (old & (PTE_ADDR | PTE_FOREIGN)) | bits;
        } else {
            if (!(old & PTE_FOREIGN))
                frame_free(old & PTE_ADDR);
            *pte = 0;
        }
        if (old & PTE_P)
            invlpg(va);
    }
}

/* Gives every backed level-1 entry in [start, end) the access bits `bits` (keeping its frame),
 * or with PTES_RELEASE drops it. Every instruction here is emulated on a PVM host, so the walk
 * is level by level: a missing page directory skips its 1 GiB, a missing page table costs one
 * test of its directory entry, a table is walked to once (munmap of the engine's 8 GiB
 * reservation took 100 ms with a walk from the top for every 2 MiB, an mprotect of 96 pages
 * 9 ms with one per page). Entries that were present get an INVLPG each: a CR3 reload instead
 * looks cheaper but is not on a PVM host, whose shadow page tables it throws away (every page
 * touched after it faulted into the host again: 4.5 ms for 96 pages). */
static void ptes_update(uint64_t start, uint64_t end, uint64_t bits)
{
    uint64_t va = start;
    while (va < end) {
        uint64_t skip = end, *pde = pde_of(va, &skip);
        if (!pde) {
            va = skip;
            continue;
        }
        uint64_t dir_end = (va | (DIR_SPAN - 1)) + 1; /* 0 past the top: end is lower */
        if (dir_end > end || dir_end == 0)
            dir_end = end;
        for (; va < dir_end; pde++) {
            uint64_t table_end = (va | (TABLE_SPAN - 1)) + 1;
            if (table_end > dir_end)
                table_end = dir_end;
            if (*pde & PTE_P)
                ptes_update_table((uint64_t *)phys_to_virt(*pde & PTE_ADDR) + ((va >> 12) & 511),
                                  va, table_end, bits);
            va = table_end;
        }
    }
}

/* The first region that ends after addr (g_nregions if none). Regions are sorted and never
 * overlap; a binary search, as every fault and pointer check looks regions up and each step
 * is emulated on a PVM host. */
static int region_after(uint64_t addr)
{
    int lo = 0, hi = g_nregions;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (g_regions[mid].end > addr)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static int region_index(uint64_t addr)
{
    int i = region_after(addr);
    return i < g_nregions && g_regions[i].start <= addr ? i : -1;
}

/* Backs va, which lies in region i, the way the region says. */
static void back_region_page(int i, uint64_t va)
{
    const struct region *r = &g_regions[i];
    back_file_page(va, r->prot, r->file_pa ? r->file_pa + (va - r->start) : 0);
}

static int region_insert_at(int i, struct region r)
{
    if (g_nregions == MAX_REGIONS)
        return -ENOMEM;
    memmove(&g_regions[i + 1], &g_regions[i], (size_t)(g_nregions - i) * sizeof(g_regions[0]));
    g_regions[i] = r;
    g_nregions++;
    return 0;
}

/* Removes [start, end) from the region table, splitting regions that straddle it. */
static int regions_cut(uint64_t start, uint64_t end)
{
    for (int i = region_after(start); i < g_nregions; i++) {
        struct region *r = &g_regions[i];
        if (r->start >= end)
            break; /* sorted: none further can overlap */
        uint64_t tail_pa = r->file_pa ? r->file_pa + (end - r->start) : 0;
        if (r->start < start && r->end > end) {
            if (region_insert_at(i + 1,
                                 (struct region){end, r->end, r->prot, tail_pa, r->sealed}) != 0)
                return -ENOMEM;
            g_regions[i].end = start;
            return 0;
        }
        if (r->start < start) {
            r->end = start;
        } else if (r->end > end) {
            r->file_pa = tail_pa;
            r->start = end;
        } else {
            memmove(r, r + 1, (size_t)(g_nregions - i - 1) * sizeof(*r));
            g_nregions--;
            i--;
        }
    }
    return 0;
}

/* Records [start, end) with prot (backed by the file from file_pa, or anonymous when 0),
 * replacing whatever was recorded there. */
static int regions_set_file(uint64_t start, uint64_t end, uint32_t prot, uint64_t file_pa,
                            uint32_t sealed)
{
    if (g_nregions + 2 > MAX_REGIONS || regions_cut(start, end) != 0)
        return -ENOMEM;
    int i = region_after(start); /* after the cut, the first region at or past start */
    if (i > 0 && g_regions[i - 1].end == start && g_regions[i - 1].prot == prot &&
        !g_regions[i - 1].file_pa && !file_pa) {
        g_regions[i - 1].end = end;
        return 0;
    }
    return region_insert_at(i, (struct region){start, end, prot, file_pa, sealed});
}

static int regions_set(uint64_t start, uint64_t end, uint32_t prot)
{
    return regions_set_file(start, end, prot, 0, 0);
}

static int range_ok(uint64_t start, uint64_t len)
{
    return len && start >= BURH_USER_MIN && start <= BURH_USER_MAX && len <= BURH_USER_MAX - start;
}

int mm_map_region(uint64_t start, uint64_t end, uint32_t prot)
{
    if (end <= start || !range_ok(start, end - start))
        return -ENOMEM;
    return regions_set(start, end, prot);
}

int mm_unmap(uint64_t start, uint64_t len)
{
    if (!range_ok(start, len))
        return -EINVAL;
    int err = regions_cut(start, start + len);
    if (err == 0)
        ptes_update(start, start + len, PTES_RELEASE);
    return err;
}

int mm_discard(uint64_t start, uint64_t len)
{
    if (!range_ok(start, len))
        return -EINVAL;
    ptes_update(start, start + len, PTES_RELEASE);
    return 0;
}

/* mprotect: the whole range must be mapped (Linux says ENOMEM for holes). */
int mm_protect(uint64_t start, uint64_t len, uint32_t prot)
{
    if (!range_ok(start, len))
        return -ENOMEM;
    for (uint64_t cur = start; cur < start + len;) {
        int i = region_index(cur);
        if (i < 0)
            return -ENOMEM;
        if (g_regions[i].sealed)
            return -EACCES; /* the shim's own pages: never writable, and they stay present */
        cur = g_regions[i].end;
    }
    /* Piece by piece, so file-backed parts stay backed by the same file bytes. */
    int err = 0;
    for (uint64_t cur = start; cur < start + len && !err;) {
        const struct region *r = &g_regions[region_index(cur)];
        uint64_t piece_end = r->end < start + len ? r->end : start + len;
        uint64_t pa = r->file_pa ? r->file_pa + (cur - r->start) : 0;
        err = regions_set_file(cur, piece_end, prot, pa, 0);
        cur = piece_end;
    }
    if (err == 0)
        ptes_update(start, start + len, PTE_BACKED | prot_bits(prot));
    return err;
}

/* Whether no region overlaps [start, end). */
int mm_range_free(uint64_t start, uint64_t end)
{
    int i = region_after(start);
    return i == g_nregions || g_regions[i].start >= end;
}

/* Top-down first fit below the stack, like Linux's default mmap layout. */
uint64_t mm_find_gap(uint64_t len)
{
    uint64_t hi = 0x00007f0000000000ull;
    for (int i = g_nregions - 1; i >= 0; i--) {
        if (g_regions[i].start >= hi)
            continue;
        if (g_regions[i].end <= hi && hi - g_regions[i].end >= len)
            return hi - len;
        hi = g_regions[i].start;
    }
    return hi >= BURH_USER_MIN + len ? hi - len : 0;
}

/* Backs the pages of [va, end) (one page table, entries from pte on) that are not present, as
 * region r says. Every instruction here runs once per page and is emulated on a PVM host, so
 * the usual case, a block of entries never used, gets the tightest loop: consecutive frames,
 * the file's in place or never-used ones (zero already, see mm_frame_alloc), and no INVLPG
 * (nothing was present). Anything else (a frame kept through PROT_NONE, recycled frames that
 * must be cleared) goes page by page through back_at. */
static void back_block(uint64_t *pte, uint64_t va, uint64_t end, const struct region *r)
{
    uint64_t n = (end - va) / PAGE_SIZE, k = 0;
    while (k < n && !pte[k])
        k++;
    int fresh = end - va <= g_frame_end - g_frame_next;
    if (k == n && (r->file_pa || fresh)) {
        uint64_t bits = prot_bits(r->prot) | PTE_BACKED;
        uint64_t entry =
            r->file_pa ? (r->file_pa + (va - r->start)) | bits | PTE_FOREIGN : g_frame_next | bits;
        for (k = 0; k < n; k++, entry += PAGE_SIZE)
            pte[k] = entry;
        if (!r->file_pa)
            g_frame_next += n * PAGE_SIZE;
        return;
    }
    for (k = 0; k < n; k++, va += PAGE_SIZE)
        if (!(pte[k] & PTE_P))
            back_at(&pte[k], va, r->prot, r->file_pa ? r->file_pa + (va - r->start) : 0);
}

/* ELF loading: backs the recorded range [start, end) (inside one region) now, a page table's
 * worth at a time, rather than by a fault per 64 pages later: the payload's text is touched at
 * start-up anyway, and a page costs a few microseconds here against ~0.3 ms per fault on a PVM
 * host. */
void mm_populate(uint64_t start, uint64_t end)
{
    int i = region_index(start);
    if (i < 0)
        return;
    const struct region *r = &g_regions[i];
    end = end < r->end ? end : r->end;
    for (uint64_t va = start; va < end;) {
        uint64_t table_end = (va | (TABLE_SPAN - 1)) + 1;
        table_end = table_end < end ? table_end : end;
        uint64_t *pte = pte_of(va, 1, NULL);
        if (!pte)
            shim_abort("out of guest memory for page tables (va %lx)", (unsigned long)va);
        back_block(pte, va, table_end, r);
        va = table_end;
    }
}

int mm_handle_fault(uint64_t addr, uint64_t error_code)
{
    int i = region_index(addr);
    if (i < 0 || (error_code & PF_PRESENT))
        return -1;
    uint32_t prot = g_regions[i].prot;
    if (prot == PROT_NONE || ((error_code & PF_WRITE) && !(prot & PROT_WRITE)) ||
        ((error_code & PF_FETCH) && !(prot & PROT_EXEC)))
        return -1;
    /* Back the aligned block around it too: every fault is a costly entry on some hosts (PVM
     * emulates the shim), and memory is mostly touched in runs. The block lies in one page
     * table, so its entries are walked to once. */
    const struct region *r = &g_regions[i];
    uint64_t va = addr & ~(FAULT_AROUND - 1), end = va + FAULT_AROUND;
    va = va < r->start ? r->start : va;
    end = end > r->end ? r->end : end;
    uint64_t *pte = pte_of(va, 1, NULL);
    if (!pte)
        shim_abort("out of guest memory for page tables (va %lx)", (unsigned long)va);
    back_block(pte, va, end, r);
    return 0;
}

int mm_is_mapped(uint64_t addr)
{
    return region_index(addr) >= 0;
}

/* Checks that the payload may access [ptr, ptr+len) and backs every page of it, so the shim
 * can then copy directly. -1 for any hole, overflow or missing permission. */
int mm_user_ok(uint64_t ptr, uint64_t len, int write)
{
    if (len == 0)
        return 0;
    if (!range_ok(ptr, len))
        return -1;
    uint64_t end = ptr + len;
    for (uint64_t cur = ptr; cur < end;) {
        int i = region_index(cur);
        if (i < 0 || g_regions[i].prot == PROT_NONE || (write && !(g_regions[i].prot & PROT_WRITE)))
            return -1;
        cur = g_regions[i].end;
    }
    for (uint64_t va = ptr & PAGE_MASK; va < end; va += PAGE_SIZE) {
        uint64_t *pte = pte_of(va, 0, NULL);
        if (!pte || !(*pte & PTE_P))
            back_region_page(region_index(va), va);
    }
    return 0;
}

/* ELF loading: copies n bytes of src to va + offset-in-page, backing the page with prot
 * (added to what an earlier segment sharing the page asked for). */
int mm_load_page(uint64_t va, uint32_t prot, const uint8_t *src, uint64_t offset, uint64_t n)
{
    uint64_t *pte = pte_of(va, 0, NULL);
    if (pte && (*pte & PTE_BACKED)) {
        int i = region_index(va);
        prot |= i >= 0 ? g_regions[i].prot : 0;
    }
    back_page(va, prot);
    pte = pte_of(va, 0, NULL);
    memcpy((uint8_t *)phys_to_virt(*pte & PTE_ADDR) + offset, src, (size_t)n);
    return 0;
}

/* The file's last page may run past its end: those bytes are zero (free memory starts at a
 * 2 MiB boundary after the file, so no frame the allocator hands out overlaps it). */
int mm_map_file(uint64_t start, uint64_t end, uint32_t prot, uint64_t file_pa)
{
    uint64_t file_pages = page_up(g_boot.payload_size);
    if (end <= start || !range_ok(start, end - start) || (file_pa & (PAGE_SIZE - 1)) ||
        file_pa < g_boot.payload_gpa || file_pa - g_boot.payload_gpa > file_pages ||
        end - start > file_pages - (file_pa - g_boot.payload_gpa))
        return -ENOMEM;
    return regions_set_file(start, end, prot, file_pa, 0);
}

/* Maps [start, end) to the shim's own frames from pa on, present at once. The region is sealed:
 * mprotect refuses it (a writable vDSO page would be a window into the shim's image), and
 * munmap or MADV_DONTNEED never free the frames (PTE_FOREIGN). */
int mm_map_shim_pages(uint64_t start, uint64_t end, uint32_t prot, uint64_t pa)
{
    if (end <= start || !range_ok(start, end - start) || (pa & (PAGE_SIZE - 1)) ||
        regions_set_file(start, end, prot, pa, 1) != 0)
        return -ENOMEM;
    for (uint64_t va = start; va < end; va += PAGE_SIZE)
        if (mm_map_frame(va, pa + (va - start), prot) != 0)
            return -ENOMEM;
    return 0;
}

int mm_page_backed(uint64_t va)
{
    uint64_t *pte = pte_of(va, 0, NULL);
    return pte && (*pte & PTE_BACKED);
}

/* ELF loading: maps a page of the payload file's copy in place (no copy, never freed). -1 when
 * va is backed already (a page shared with another segment), so the caller copies instead. */
int mm_map_frame(uint64_t va, uint64_t pa, uint32_t prot)
{
    uint64_t *pte = pte_of(va, 1, NULL);
    if (!pte)
        shim_abort("out of guest memory for page tables (va %lx)", (unsigned long)va);
    if (*pte & PTE_BACKED)
        return -1;
    *pte = pa | PTE_FOREIGN | PTE_BACKED | prot_bits(prot);
    return 0;
}

void mm_set_brk_base(uint64_t base)
{
    g_brk_base = g_brk_cur = page_up(base);
}

/* brk: grows or shrinks the heap after the payload's image; a refusal returns the old end. */
uint64_t mm_brk(uint64_t want)
{
    if (want < g_brk_base || want - g_brk_base > BRK_MAX)
        return g_brk_cur;
    uint64_t old_end = page_up(g_brk_cur), new_end = page_up(want);
    if (new_end > old_end) {
        if (!mm_range_free(old_end, new_end) ||
            mm_map_region(old_end, new_end, PROT_READ | PROT_WRITE) != 0)
            return g_brk_cur;
    } else if (new_end < old_end) {
        mm_unmap(new_end, old_end - new_end);
    }
    g_brk_cur = want;
    return g_brk_cur;
}

/* Frames come from [free_gpa, mem_size); the payload gets a fresh PML4 whose upper half is the
 * host-built kernel windows (the lower half, user space, is ours alone). */
void mm_init(void)
{
    g_frame_next = page_up(g_boot.free_gpa);
    g_frame_end = g_boot.mem_size & PAGE_MASK;
    uint64_t old_cr3 = read_cr3();
    g_pml4 = mm_frame_alloc();
    if (!g_pml4)
        shim_abort("no memory for the page tables");
    uint64_t *old = phys_to_virt(old_cr3 & PTE_ADDR), *pml4 = phys_to_virt(g_pml4);
    for (int i = 256; i < 512; i++)
        pml4[i] = old[i];
    write_cr3(g_pml4);
}
