/* tcb_elf.c: reads what burh tcb needs from an ELF64 file: DT_NEEDED, code sizes, symbols. */
#include <elf.h>
#include <string.h>

#include "tcb/tcb_internal.h"

#define EHDR_SIZE 64u
#define PHDR_SIZE 56u
#define SHDR_SIZE 64u
#define DYN_SIZE  16u
#define SYM_SIZE  24u

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

/* True when [off, off + count * size) lies inside a file of len bytes, without overflow. */
static bool table_fits(uint64_t off, uint64_t count, uint64_t size, size_t len)
{
    if (count != 0 && size > UINT64_MAX / count)
        return false;
    uint64_t bytes = count * size;
    return off <= len && bytes <= len - off;
}

typedef struct elf_view {
    const uint8_t *bytes;
    size_t len;
    uint64_t phoff, shoff;
    uint16_t phentsize, phnum, shentsize, shnum, shstrndx;
} elf_view;

/* File offset of virtual address vaddr, through the PT_LOAD that holds it in the file. */
static bool vaddr_to_offset(const elf_view *v, uint64_t vaddr, uint64_t *off, uint64_t *room)
{
    for (uint16_t i = 0; i < v->phnum; i++) {
        const uint8_t *ph = v->bytes + v->phoff + (uint64_t)i * v->phentsize;
        if (rd32(ph) != PT_LOAD)
            continue;
        uint64_t p_off = rd64(ph + 8), p_vaddr = rd64(ph + 16), p_filesz = rd64(ph + 32);
        if (vaddr < p_vaddr || vaddr - p_vaddr >= p_filesz)
            continue;
        uint64_t delta = vaddr - p_vaddr;
        if (p_off > v->len || delta > v->len - p_off)
            return false;
        *off = p_off + delta;
        *room = p_filesz - delta;
        return true;
    }
    return false;
}

static burh_tcb_status read_needed(const elf_view *v, uint64_t dyn_off, uint64_t dyn_size,
                                   burh_tcb_elf_info *out)
{
    if (!table_fits(dyn_off, dyn_size / DYN_SIZE, DYN_SIZE, v->len))
        return BURH_TCB_ERR_TRUNCATED;
    uint64_t n = dyn_size / DYN_SIZE, strtab = 0, strsz = 0;
    bool have_strtab = false;
    uint64_t needed_off[BURH_TCB_NEEDED_MAX];
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *d = v->bytes + dyn_off + i * DYN_SIZE;
        uint64_t tag = rd64(d), val = rd64(d + 8);
        if (tag == DT_NULL)
            break;
        if (tag == DT_STRTAB) {
            strtab = val;
            have_strtab = true;
        } else if (tag == DT_STRSZ) {
            strsz = val;
        } else if (tag == DT_NEEDED) {
            if (out->needed_count == BURH_TCB_NEEDED_MAX)
                return BURH_TCB_ERR_TOO_MANY;
            needed_off[out->needed_count++] = val;
        }
    }
    if (out->needed_count == 0)
        return BURH_TCB_OK;
    uint64_t str_off, room;
    if (!have_strtab || !vaddr_to_offset(v, strtab, &str_off, &room))
        return BURH_TCB_ERR_MALFORMED;
    if (strsz < room)
        room = strsz;
    if (room > v->len - str_off)
        room = v->len - str_off;
    for (uint32_t i = 0; i < out->needed_count; i++) {
        if (needed_off[i] >= room)
            return BURH_TCB_ERR_TRUNCATED;
        const uint8_t *s = v->bytes + str_off + needed_off[i];
        const uint8_t *nul = memchr(s, 0, (size_t)(room - needed_off[i]));
        if (nul == NULL)
            return BURH_TCB_ERR_TRUNCATED;
        out->needed[i] = (burh_tcb_bytes){s, (size_t)(nul - s)};
    }
    return BURH_TCB_OK;
}

static burh_tcb_status read_segments(const elf_view *v, burh_tcb_elf_info *out)
{
    if (v->phnum == 0)
        return BURH_TCB_OK;
    if (v->phentsize < PHDR_SIZE)
        return BURH_TCB_ERR_MALFORMED;
    if (!table_fits(v->phoff, v->phnum, v->phentsize, v->len))
        return BURH_TCB_ERR_TRUNCATED;
    uint64_t dyn_off = 0, dyn_size = 0;
    for (uint16_t i = 0; i < v->phnum; i++) {
        const uint8_t *ph = v->bytes + v->phoff + (uint64_t)i * v->phentsize;
        uint32_t type = rd32(ph), flags = rd32(ph + 4);
        uint64_t memsz = rd64(ph + 40);
        if (type == PT_LOAD && (flags & PF_X) != 0) {
            if (memsz > UINT64_MAX - out->exec_bytes)
                return BURH_TCB_ERR_MALFORMED;
            out->exec_bytes += memsz;
        } else if (type == PT_INTERP) {
            out->has_interp = true;
        } else if (type == PT_DYNAMIC) {
            out->has_dynamic = true;
            dyn_off = rd64(ph + 8);
            dyn_size = rd64(ph + 32);
        }
    }
    return out->has_dynamic ? read_needed(v, dyn_off, dyn_size, out) : BURH_TCB_OK;
}

/* Size of the section named ".text"; files without usable section headers give 0. */
static burh_tcb_status read_text_size(const elf_view *v, burh_tcb_elf_info *out)
{
    if (v->shnum == 0 || v->shstrndx == SHN_UNDEF || v->shstrndx >= v->shnum)
        return BURH_TCB_OK;
    if (v->shentsize < SHDR_SIZE)
        return BURH_TCB_ERR_MALFORMED;
    if (!table_fits(v->shoff, v->shnum, v->shentsize, v->len))
        return BURH_TCB_ERR_TRUNCATED;
    const uint8_t *strsh = v->bytes + v->shoff + (uint64_t)v->shstrndx * v->shentsize;
    uint64_t names_off = rd64(strsh + 0x18), names_size = rd64(strsh + 0x20);
    if (!table_fits(names_off, names_size, 1, v->len))
        return BURH_TCB_ERR_TRUNCATED;
    static const char text[] = ".text";
    for (uint16_t i = 0; i < v->shnum; i++) {
        const uint8_t *sh = v->bytes + v->shoff + (uint64_t)i * v->shentsize;
        uint32_t name = rd32(sh);
        if (name >= names_size || names_size - name < sizeof text)
            continue;
        if (memcmp(v->bytes + names_off + name, text, sizeof text) == 0 &&
            rd32(sh + 4) != SHT_NOBITS) {
            out->text_bytes = rd64(sh + 0x20);
            return BURH_TCB_OK;
        }
    }
    return BURH_TCB_OK;
}

/* The header's tables; the caller has checked the magic, class, byte order and length. */
static elf_view view_of(const uint8_t *bytes, size_t len)
{
    return (elf_view){
        .bytes = bytes,
        .len = len,
        .phoff = rd64(bytes + 0x20),
        .shoff = rd64(bytes + 0x28),
        .phentsize = rd16(bytes + 0x36),
        .phnum = rd16(bytes + 0x38),
        .shentsize = rd16(bytes + 0x3a),
        .shnum = rd16(bytes + 0x3c),
        .shstrndx = rd16(bytes + 0x3e),
    };
}

static bool is_elf64_le(const uint8_t *bytes, size_t len)
{
    return len >= EI_NIDENT && memcmp(bytes, ELFMAG, SELFMAG) == 0 &&
           bytes[EI_CLASS] == ELFCLASS64 && bytes[EI_DATA] == ELFDATA2LSB;
}

burh_tcb_status burh_tcb_elf_parse(const uint8_t *bytes, size_t len, burh_tcb_elf_info *out)
{
    if (out == NULL || (bytes == NULL && len != 0))
        return BURH_TCB_ERR_ARGUMENT;
    memset(out, 0, sizeof *out);
    if (!is_elf64_le(bytes, len))
        return BURH_TCB_ERR_NOT_ELF;
    if (len < EHDR_SIZE)
        return BURH_TCB_ERR_TRUNCATED;
    elf_view v = view_of(bytes, len);
    out->type = rd16(bytes + 0x10);
    burh_tcb_status st = read_segments(&v, out);
    if (st == BURH_TCB_OK)
        st = read_text_size(&v, out);
    return st;
}

/* Whether one SHT_SYMTAB/SHT_DYNSYM section names `name` (n bytes with its NUL). Names are
 * read through st_name offsets, so tail-merged string tables are handled. */
static bool symtab_names(const elf_view *v, const uint8_t *sh, const char *name, size_t n)
{
    uint64_t off = rd64(sh + 0x18), size = rd64(sh + 0x20), entsize = rd64(sh + 0x38);
    uint32_t link = rd32(sh + 0x28);
    if (entsize < SYM_SIZE || link >= v->shnum || !table_fits(off, size / entsize, entsize, v->len))
        return false;
    const uint8_t *strsh = v->bytes + v->shoff + (uint64_t)link * v->shentsize;
    uint64_t str_off = rd64(strsh + 0x18), str_size = rd64(strsh + 0x20);
    if (!table_fits(str_off, str_size, 1, v->len))
        return false;
    for (uint64_t k = 0; k < size / entsize; k++) {
        uint32_t st_name = rd32(v->bytes + off + k * entsize);
        if (st_name < str_size && str_size - st_name >= n &&
            memcmp(v->bytes + str_off + st_name, name, n) == 0)
            return true;
    }
    return false;
}

bool tcb_elf_has_symbol(const uint8_t *bytes, size_t len, const char *name)
{
    if (bytes == NULL || name == NULL || !is_elf64_le(bytes, len) || len < EHDR_SIZE)
        return false;
    elf_view v = view_of(bytes, len);
    if (v.shnum == 0 || v.shentsize < SHDR_SIZE ||
        !table_fits(v.shoff, v.shnum, v.shentsize, v.len))
        return false;
    size_t n = strlen(name) + 1;
    for (uint16_t i = 0; i < v.shnum; i++) {
        const uint8_t *sh = v.bytes + v.shoff + (uint64_t)i * v.shentsize;
        uint32_t type = rd32(sh + 4);
        if ((type == SHT_SYMTAB || type == SHT_DYNSYM) && symtab_names(&v, sh, name, n))
            return true;
    }
    return false;
}

const char *burh_tcb_status_name(burh_tcb_status status)
{
    switch (status) {
    case BURH_TCB_OK:
        return "ok";
    case BURH_TCB_ERR_ARGUMENT:
        return "bad argument";
    case BURH_TCB_ERR_NOT_ELF:
        return "not a 64-bit little-endian ELF file";
    case BURH_TCB_ERR_TRUNCATED:
        return "truncated ELF file";
    case BURH_TCB_ERR_MALFORMED:
        return "malformed ELF file";
    case BURH_TCB_ERR_TOO_MANY:
        return "too many DT_NEEDED entries";
    case BURH_TCB_ERR_NO_MEMORY:
        return "out of memory";
    case BURH_TCB_ERR_IO:
        return "cannot read the file";
    }
    return "unknown status";
}
