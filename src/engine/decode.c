/* Decodes a WebAssembly 2.0 binary module (no SIMD) into a bw_module: the section walk and
 * the sections before the element section. */
#include <stdlib.h>
#include <string.h>

#include "engine/decode.h"

/* Position of each section id in the required order; custom (0) may appear anywhere. */
static int section_rank(uint8_t id)
{
    static const int rank[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
    return id <= 12 ? rank[id] : -1;
}

static void dec_functype(bw_decoder *d, bw_functype *type)
{
    uint8_t form = bw_dec_byte(d);
    if (bw_dec_ok(d) && form != 0x60) {
        bw_dec_fail(d, BW_ERR_MALFORMED, "malformed function type 0x%02x", form);
        return;
    }
    type->nparams = bw_dec_count(d, 1, BW_MAX_PARAMS, "parameters");
    type->params = bw_dec_alloc(d, type->nparams, 1);
    for (uint32_t i = 0; i < type->nparams && bw_dec_ok(d); i++)
        type->params[i] = bw_dec_valtype(d);
    type->nresults = bw_dec_count(d, 1, BW_MAX_RESULTS, "results");
    type->results = bw_dec_alloc(d, type->nresults, 1);
    for (uint32_t i = 0; i < type->nresults && bw_dec_ok(d); i++)
        type->results[i] = bw_dec_valtype(d);
}

static void dec_type_section(bw_decoder *d)
{
    bw_module *m = d->module;
    m->ntypes = bw_dec_count(d, 3, BW_MAX_TYPES, "types");
    m->types = bw_dec_alloc(d, m->ntypes, sizeof *m->types);
    for (uint32_t i = 0; i < m->ntypes && bw_dec_ok(d); i++)
        dec_functype(d, &m->types[i]);
}

static uint32_t dec_typeidx(bw_decoder *d)
{
    uint32_t index = bw_dec_u32(d);
    if (bw_dec_ok(d) && index >= d->module->ntypes)
        bw_dec_invalid(d, "unknown type %u", index);
    return index;
}

static bw_globaltype dec_globaltype(bw_decoder *d)
{
    bw_globaltype type;
    type.type = bw_dec_valtype(d);
    uint8_t mut = bw_dec_byte(d);
    if (bw_dec_ok(d) && mut > 1)
        bw_dec_fail(d, BW_ERR_MALFORMED, "malformed mutability");
    type.mutable_ = mut == 1;
    return type;
}

static void dec_import(bw_decoder *d, bw_import *imp)
{
    bw_module *m = d->module;
    imp->module = bw_dec_name(d);
    imp->name = bw_dec_name(d);
    imp->kind = bw_dec_byte(d);
    if (!bw_dec_ok(d))
        return;
    switch (imp->kind) {
    case BW_EXTERN_FUNC:
        imp->of.functype = dec_typeidx(d);
        m->nfuncs_imported++;
        break;
    case BW_EXTERN_TABLE:
        imp->of.table.elem = bw_dec_reftype(d);
        imp->of.table.limits = bw_dec_limits(d);
        m->ntables_imported++;
        break;
    case BW_EXTERN_MEMORY:
        imp->of.memory = bw_dec_limits(d);
        m->nmemories_imported++;
        break;
    case BW_EXTERN_GLOBAL:
        imp->of.global = dec_globaltype(d);
        m->nglobals_imported++;
        break;
    default:
        bw_dec_fail(d, BW_ERR_MALFORMED, "malformed import kind");
    }
}

/* Fills the index spaces with the imported entries, in import order. */
static void index_imports(bw_decoder *d)
{
    bw_module *m = d->module;
    m->func_types = bw_dec_alloc(d, m->nfuncs_imported, sizeof *m->func_types);
    m->tables = bw_dec_alloc(d, m->ntables_imported, sizeof *m->tables);
    m->memories = bw_dec_alloc(d, m->nmemories_imported, sizeof *m->memories);
    m->globals = bw_dec_alloc(d, m->nglobals_imported, sizeof *m->globals);
    m->nfuncs = m->ntables = m->nmemories = m->nglobals = 0;
    for (uint32_t i = 0; i < m->nimports && bw_dec_ok(d); i++) {
        const bw_import *imp = &m->imports[i];
        if (imp->kind == BW_EXTERN_FUNC)
            m->func_types[m->nfuncs++] = imp->of.functype;
        else if (imp->kind == BW_EXTERN_TABLE)
            m->tables[m->ntables++] = imp->of.table;
        else if (imp->kind == BW_EXTERN_MEMORY)
            m->memories[m->nmemories++] = imp->of.memory;
        else
            m->globals[m->nglobals++].type = imp->of.global;
    }
}

static void dec_import_section(bw_decoder *d)
{
    bw_module *m = d->module;
    m->nimports = bw_dec_count(d, 4, BW_MAX_IMPORTS, "imports");
    m->imports = bw_dec_alloc(d, m->nimports, sizeof *m->imports);
    for (uint32_t i = 0; i < m->nimports && bw_dec_ok(d); i++)
        dec_import(d, &m->imports[i]);
    index_imports(d);
}

/* Grows an index-space array to hold `extra` more entries after the imported ones. */
static void *extend(bw_decoder *d, void *old, size_t nold, size_t extra, size_t size)
{
    void *grown = bw_dec_alloc(d, nold + extra, size);
    if (grown != NULL && nold != 0)
        memcpy(grown, old, nold * size);
    return grown;
}

/* A section that adds to what imports gave (`have` so far): reads its count into *n,
 * checks the total against `max`, and returns `array` grown to hold it (after an error *n
 * is 0). */
static void *dec_more(bw_decoder *d, uint32_t min_bytes, uint32_t max, uint32_t have,
                      const char *what, void *array, size_t size, uint32_t *n)
{
    *n = bw_dec_count(d, min_bytes, max, what);
    if (*n > max - have) {
        bw_dec_fail(d, BW_ERR_LIMIT, "too many %s", what);
        *n = 0;
        return array;
    }
    return extend(d, array, have, *n, size);
}

static void dec_function_section(bw_decoder *d)
{
    bw_module *m = d->module;
    uint32_t n;
    m->func_types = dec_more(d, 1, BW_MAX_FUNCS, m->nfuncs, "functions", m->func_types,
                             sizeof *m->func_types, &n);
    m->funcs = bw_dec_alloc(d, n, sizeof *m->funcs);
    for (uint32_t i = 0; i < n && bw_dec_ok(d); i++) {
        uint32_t type = dec_typeidx(d);
        m->func_types[m->nfuncs + i] = type;
        m->funcs[i].type = type;
    }
    if (bw_dec_ok(d)) {
        m->nfuncs += n;
        d->nfuncs_defined = n;
    }
}

static void dec_table_section(bw_decoder *d)
{
    bw_module *m = d->module;
    uint32_t n;
    m->tables =
        dec_more(d, 3, BW_MAX_TABLES, m->ntables, "tables", m->tables, sizeof *m->tables, &n);
    for (uint32_t i = 0; i < n && bw_dec_ok(d); i++) {
        bw_tabletype *t = &m->tables[m->ntables + i];
        t->elem = bw_dec_reftype(d);
        t->limits = bw_dec_limits(d);
    }
    if (bw_dec_ok(d))
        m->ntables += n;
}

static void dec_memory_section(bw_decoder *d)
{
    bw_module *m = d->module;
    /* Only one memory is valid, but several must still decode (then fail validation). */
    uint32_t n;
    m->memories = dec_more(d, 2, BW_MAX_TABLES, m->nmemories, "memories", m->memories,
                           sizeof *m->memories, &n);
    for (uint32_t i = 0; i < n && bw_dec_ok(d); i++)
        m->memories[m->nmemories + i] = bw_dec_limits(d);
    if (bw_dec_ok(d))
        m->nmemories += n;
}

static void dec_global_section(bw_decoder *d)
{
    bw_module *m = d->module;
    uint32_t n;
    m->globals =
        dec_more(d, 3, BW_MAX_GLOBALS, m->nglobals, "globals", m->globals, sizeof *m->globals, &n);
    for (uint32_t i = 0; i < n && bw_dec_ok(d); i++) {
        bw_global_decl *g = &m->globals[m->nglobals + i];
        g->type = dec_globaltype(d);
        g->init = bw_dec_constexpr(d, g->type.type);
    }
    if (bw_dec_ok(d))
        m->nglobals += n;
}

static void dec_export_section(bw_decoder *d)
{
    bw_module *m = d->module;
    m->nexports = bw_dec_count(d, 3, BW_MAX_EXPORTS, "exports");
    m->exports = bw_dec_alloc(d, m->nexports, sizeof *m->exports);
    for (uint32_t i = 0; i < m->nexports && bw_dec_ok(d); i++) {
        bw_export *e = &m->exports[i];
        e->name = bw_dec_name(d);
        e->kind = bw_dec_byte(d);
        if (bw_dec_ok(d) && e->kind > BW_EXTERN_GLOBAL)
            bw_dec_fail(d, BW_ERR_MALFORMED, "malformed export kind");
        e->index = bw_dec_u32(d);
    }
}

static void dec_datacount_section(bw_decoder *d)
{
    d->module->data_count = bw_dec_u32(d);
    d->module->has_data_count = bw_dec_ok(d);
}

static void dec_section_body(bw_decoder *d, uint8_t id)
{
    switch (id) {
    case 0: /* custom: a name, then bytes we do not interpret */
        bw_dec_name(d);
        d->pos = d->end;
        break;
    case 1:
        dec_type_section(d);
        break;
    case 2:
        dec_import_section(d);
        break;
    case 3:
        dec_function_section(d);
        break;
    case 4:
        dec_table_section(d);
        break;
    case 5:
        dec_memory_section(d);
        break;
    case 6:
        dec_global_section(d);
        break;
    case 7:
        dec_export_section(d);
        break;
    case 8:
        d->module->start = bw_dec_u32(d);
        d->module->has_start = bw_dec_ok(d);
        break;
    case 9:
        bw_dec_elem_section(d);
        break;
    case 10:
        bw_dec_code_section(d);
        break;
    case 11:
        bw_dec_data_section(d);
        break;
    case 12:
        dec_datacount_section(d);
        break;
    }
}

static void dec_sections(bw_decoder *d)
{
    int last_rank = 0;
    const uint8_t *file_end = d->end;
    while (d->pos < file_end && bw_dec_ok(d)) {
        uint8_t id = bw_dec_byte(d);
        uint32_t size = bw_dec_u32(d);
        if (!bw_dec_ok(d))
            return;
        int rank = section_rank(id);
        if (rank < 0) {
            bw_dec_fail(d, BW_ERR_MALFORMED, "malformed section id");
            return;
        }
        if (size > bw_dec_left(d)) {
            bw_dec_fail(d, BW_ERR_MALFORMED, "unexpected end of section or function");
            return;
        }
        if (rank != 0 && rank <= last_rank) {
            bw_dec_fail(d, BW_ERR_MALFORMED, "unexpected content after last section");
            return;
        }
        if (rank != 0)
            last_rank = rank;
        const uint8_t *section_end = d->pos + size;
        d->end = section_end;
        dec_section_body(d, id);
        if (bw_dec_ok(d) && d->pos != section_end)
            bw_dec_fail(d, BW_ERR_MALFORMED, "section size mismatch");
        d->pos = section_end;
        d->end = file_end;
    }
}

static void check_counts(bw_decoder *d)
{
    const bw_module *m = d->module;
    if (!bw_dec_ok(d))
        return;
    if (d->nfuncs_defined != 0 && !d->has_code_section)
        bw_dec_fail(d, BW_ERR_MALFORMED, "function and code section have inconsistent lengths");
    else if (m->has_data_count && m->data_count != m->ndatas)
        bw_dec_fail(d, BW_ERR_MALFORMED, "data count and data section have inconsistent lengths");
}

static void dec_header(bw_decoder *d)
{
    static const uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6d};
    static const uint8_t version[4] = {0x01, 0x00, 0x00, 0x00};
    if (bw_dec_left(d) < 4 || memcmp(d->pos, magic, 4) != 0) {
        bw_dec_fail(d, BW_ERR_MALFORMED, "magic header not detected");
        return;
    }
    d->pos += 4;
    if (bw_dec_left(d) < 4 || memcmp(d->pos, version, 4) != 0) {
        bw_dec_fail(d, BW_ERR_MALFORMED, "unknown binary version");
        return;
    }
    d->pos += 4;
}

bw_status bw_decode_module(const uint8_t *bytes, size_t len, bw_module **out, bw_error *err)
{
    *out = NULL;
    bw_module *m = calloc(1, sizeof *m);
    uint8_t *copy = malloc(len > 0 ? len : 1);
    if (m == NULL || copy == NULL) {
        free(m);
        free(copy);
        return bw_fail(err, BW_ERR_NOMEM, "out of memory");
    }
    if (len > 0)
        memcpy(copy, bytes, len);
    m->bytes = copy;
    m->len = len;
    bw_decoder d = {.module = m, .pos = copy, .end = copy + len};
    dec_header(&d);
    dec_sections(&d);
    check_counts(&d);
    if (bw_dec_ok(&d))
        bw_validate_module(&d);
    bw_status status = d.status;
    if (status == BW_OK && d.invalid)
        status = BW_ERR_INVALID;
    if (status != BW_OK) {
        if (err != NULL)
            *err = d.status != BW_OK ? d.fatal : d.first_invalid;
        bw_module_destroy(m);
        return status;
    }
    *out = m;
    return BW_OK;
}

void bw_module_destroy(bw_module *module)
{
    if (module == NULL)
        return;
    bw_code_cache_free(module->code);
    bw_arena_free(module->arena);
    free(module->bytes);
    free(module);
}
