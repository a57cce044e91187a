/* Decodes constant expressions and the element, code and data sections. */
#include "engine/decode.h"

/* Bounds the memory all local-type arrays of one module may take together. */
#define MAX_MODULE_LOCALS (64u * 1024 * 1024)

enum {
    OP_END = 0x0b,
    OP_GLOBAL_GET = 0x23,
    OP_I32_CONST = 0x41,
    OP_I64_CONST = 0x42,
    OP_F32_CONST = 0x43,
    OP_F64_CONST = 0x44,
    OP_REF_NULL = 0xd0,
    OP_REF_FUNC = 0xd2,
    OP_SIMD_PREFIX = 0xfd,
};

static bool is_constant_op(uint8_t op)
{
    return op == OP_GLOBAL_GET || (op >= OP_I32_CONST && op <= OP_F64_CONST) || op == OP_REF_NULL ||
           op == OP_REF_FUNC;
}

static void dec_global_get(bw_decoder *d, bw_constexpr *ce, uint8_t expected)
{
    const bw_module *m = d->module;
    ce->kind = BW_CE_GLOBAL_GET;
    ce->value = bw_dec_u32(d);
    ce->type = expected; /* so an unknown global reports only itself */
    if (!bw_dec_ok(d))
        return;
    /* Constant expressions see only imported globals (defined ones are not yet made). */
    if (ce->value >= m->nglobals_imported) {
        bw_dec_invalid(d, "unknown global %u", (uint32_t)ce->value);
        return;
    }
    const bw_globaltype *gt = &m->globals[ce->value].type;
    ce->type = gt->type;
    if (gt->mutable_)
        bw_dec_invalid(d, "constant expression required");
}

/* Whether `op` starts some WebAssembly 2.0 instruction; a constant expression holding any
 * other byte is malformed ("illegal opcode") rather than invalid. */
static bool is_known_opcode(uint8_t op)
{
    return op <= 0x05 || (op >= 0x0b && op <= 0x11) || (op >= 0x1a && op <= 0x1c) ||
           (op >= 0x20 && op <= 0x26) || (op >= 0x28 && op <= 0xc4) || (op >= 0xd0 && op <= 0xd2) ||
           op == 0xfc || op == OP_SIMD_PREFIX;
}

/* Reads the one instruction of a constant expression; false when it is not constant. */
static bool dec_const_instr(bw_decoder *d, uint8_t op, bw_constexpr *ce, uint8_t expected)
{
    switch (op) {
    case OP_I32_CONST:
        *ce = (bw_constexpr){BW_CE_I32, BW_I32, (uint32_t)bw_dec_s32(d)};
        return true;
    case OP_I64_CONST:
        *ce = (bw_constexpr){BW_CE_I64, BW_I64, (uint64_t)bw_dec_s64(d)};
        return true;
    case OP_F32_CONST:
        *ce = (bw_constexpr){BW_CE_F32, BW_F32, bw_dec_fixed(d, 4)};
        return true;
    case OP_F64_CONST:
        *ce = (bw_constexpr){BW_CE_F64, BW_F64, bw_dec_fixed(d, 8)};
        return true;
    case OP_REF_NULL:
        *ce = (bw_constexpr){BW_CE_REF_NULL, 0, 0};
        ce->type = bw_dec_reftype(d);
        return true;
    case OP_REF_FUNC:
        *ce = (bw_constexpr){BW_CE_REF_FUNC, BW_FUNCREF, bw_dec_u32(d)};
        if (bw_dec_ok(d) && ce->value >= d->module->nfuncs)
            bw_dec_invalid(d, "unknown function %u", (uint32_t)ce->value);
        return true;
    case OP_GLOBAL_GET:
        dec_global_get(d, ce, expected);
        return true;
    }
    return false;
}

bw_constexpr bw_dec_constexpr(bw_decoder *d, uint8_t expected)
{
    bw_constexpr ce = {0, expected, 0};
    uint8_t op = bw_dec_byte(d);
    if (!bw_dec_ok(d))
        return ce;
    if (op == OP_END) {
        bw_dec_invalid(d, "type mismatch: empty constant expression");
        return ce;
    }
    if (op == OP_SIMD_PREFIX) {
        bw_dec_fail(d, BW_ERR_UNSUPPORTED, "unsupported: SIMD");
        return ce;
    }
    if (!is_known_opcode(op)) {
        bw_dec_fail(d, BW_ERR_MALFORMED, "illegal opcode 0x%02x", op);
        return ce;
    }
    /* We cannot skip an arbitrary instruction without decoding it, so a non-constant one
     * ends decoding here (as an invalid module). */
    if (!dec_const_instr(d, op, &ce, expected)) {
        bw_dec_fail(d, BW_ERR_INVALID, "constant expression required");
        return ce;
    }
    uint8_t next = bw_dec_byte(d);
    if (!bw_dec_ok(d))
        return ce;
    if (next != OP_END && !is_known_opcode(next)) {
        bw_dec_fail(d, BW_ERR_MALFORMED, "illegal opcode 0x%02x", next);
        return ce;
    }
    if (next != OP_END) {
        bw_dec_fail(d, BW_ERR_INVALID,
                    is_constant_op(next) ? "type mismatch: constant expression leaves two values"
                                         : "constant expression required");
        return ce;
    }
    if (ce.type != expected)
        bw_dec_invalid(d, "type mismatch in constant expression");
    return ce;
}

static void dec_elem_items(bw_decoder *d, bw_elem_segment *seg, bool as_exprs)
{
    seg->count = bw_dec_count(d, 1, BW_MAX_ELEM_ITEMS, "element items");
    seg->items = bw_dec_alloc(d, seg->count, sizeof *seg->items);
    for (uint32_t i = 0; i < seg->count && bw_dec_ok(d); i++) {
        if (as_exprs) {
            seg->items[i] = bw_dec_constexpr(d, seg->elem_type);
            continue;
        }
        uint32_t func = bw_dec_u32(d);
        if (bw_dec_ok(d) && func >= d->module->nfuncs)
            bw_dec_invalid(d, "unknown function %u", func);
        seg->items[i] = (bw_constexpr){BW_CE_REF_FUNC, BW_FUNCREF, func};
    }
}

/* Flags bit 0: passive or declarative; bit 1: explicit table index (active) or declarative;
 * bit 2: items are expressions rather than function indices. */
static void dec_elem(bw_decoder *d, bw_elem_segment *seg)
{
    uint32_t flags = bw_dec_u32(d);
    if (!bw_dec_ok(d))
        return;
    if (flags > 7) {
        bw_dec_fail(d, BW_ERR_MALFORMED, "malformed elements segment kind");
        return;
    }
    bool as_exprs = (flags & 4) != 0;
    seg->mode = !(flags & 1) ? BW_SEG_ACTIVE : (flags & 2) ? BW_SEG_DECLARATIVE : BW_SEG_PASSIVE;
    seg->elem_type = BW_FUNCREF;
    if (seg->mode == BW_SEG_ACTIVE) {
        seg->table = (flags & 2) ? bw_dec_u32(d) : 0;
        seg->offset = bw_dec_constexpr(d, BW_I32);
    }
    if (flags & 3) {
        if (as_exprs) {
            seg->elem_type = bw_dec_reftype(d);
        } else if (bw_dec_byte(d) != 0x00 && bw_dec_ok(d)) {
            bw_dec_fail(d, BW_ERR_MALFORMED, "malformed elements segment kind");
            return;
        }
    }
    dec_elem_items(d, seg, as_exprs);
}

void bw_dec_elem_section(bw_decoder *d)
{
    bw_module *m = d->module;
    m->nelems = bw_dec_count(d, 3, BW_MAX_SEGMENTS, "element segments");
    m->elems = bw_dec_alloc(d, m->nelems, sizeof *m->elems);
    for (uint32_t i = 0; i < m->nelems && bw_dec_ok(d); i++)
        dec_elem(d, &m->elems[i]);
}

/* Sums the declared locals without storing them, so the array is allocated once. */
static uint64_t count_locals(bw_decoder *d, uint32_t ndecls, uint64_t total)
{
    for (uint32_t i = 0; i < ndecls && bw_dec_ok(d); i++) {
        total += bw_dec_u32(d);
        bw_dec_valtype(d);
        if (total > BW_MAX_LOCALS) {
            bw_dec_fail(d, BW_ERR_MALFORMED, "too many locals");
            return 0;
        }
    }
    return total;
}

static void dec_locals(bw_decoder *d, bw_func_decl *fn)
{
    const bw_module *m = d->module;
    const bw_functype *type = fn->type < m->ntypes ? &m->types[fn->type] : NULL;
    uint32_t nparams = type != NULL ? type->nparams : 0;
    uint32_t ndecls = bw_dec_count(d, 2, UINT32_MAX, "local declarations");
    const uint8_t *decls = d->pos;
    uint64_t total = count_locals(d, ndecls, nparams);
    if (!bw_dec_ok(d))
        return;
    d->total_locals += total;
    if (d->total_locals > MAX_MODULE_LOCALS) {
        bw_dec_fail(d, BW_ERR_LIMIT, "too many locals in the module (limit %u)", MAX_MODULE_LOCALS);
        return;
    }
    fn->nlocals = (uint32_t)total;
    fn->local_types = bw_dec_alloc(d, total, 1);
    for (uint32_t i = 0; i < nparams && bw_dec_ok(d); i++)
        fn->local_types[i] = type->params[i];
    d->pos = decls;
    uint32_t next = nparams;
    for (uint32_t i = 0; i < ndecls && bw_dec_ok(d); i++) {
        uint32_t n = bw_dec_u32(d);
        uint8_t t = bw_dec_valtype(d);
        for (uint32_t k = 0; k < n; k++)
            fn->local_types[next++] = t;
    }
}

void bw_dec_code_section(bw_decoder *d)
{
    bw_module *m = d->module;
    uint32_t n = bw_dec_count(d, 1, BW_MAX_FUNCS, "function bodies");
    if (!bw_dec_ok(d))
        return;
    if (n != d->nfuncs_defined) {
        bw_dec_fail(d, BW_ERR_MALFORMED, "function and code section have inconsistent lengths");
        return;
    }
    d->has_code_section = true;
    const uint8_t *section_end = d->end;
    for (uint32_t i = 0; i < n && bw_dec_ok(d); i++) {
        uint32_t size = bw_dec_u32(d);
        if (!bw_dec_ok(d))
            return;
        if (size > bw_dec_left(d)) {
            bw_dec_fail(d, BW_ERR_MALFORMED, "unexpected end of section or function");
            return;
        }
        const uint8_t *body_end = d->pos + size;
        d->end = body_end;
        bw_func_decl *fn = &m->funcs[i];
        dec_locals(d, fn);
        fn->code = d->pos;
        fn->code_len = (size_t)(body_end - d->pos);
        fn->code_offset = (size_t)(d->pos - m->bytes);
        d->pos = body_end;
        d->end = section_end;
    }
}

static void dec_data(bw_decoder *d, bw_data_segment *seg)
{
    uint32_t flags = bw_dec_u32(d);
    if (!bw_dec_ok(d))
        return;
    if (flags > 2) {
        bw_dec_fail(d, BW_ERR_MALFORMED, "malformed data segment kind");
        return;
    }
    seg->mode = flags == 1 ? BW_SEG_PASSIVE : BW_SEG_ACTIVE;
    if (seg->mode == BW_SEG_ACTIVE) {
        seg->memory = flags == 2 ? bw_dec_u32(d) : 0;
        seg->offset = bw_dec_constexpr(d, BW_I32);
    }
    uint32_t len = bw_dec_u32(d);
    if (!bw_dec_ok(d))
        return;
    if (len > bw_dec_left(d)) {
        bw_dec_fail(d, BW_ERR_MALFORMED, "unexpected end of section or function");
        return;
    }
    seg->bytes = d->pos;
    seg->len = len;
    d->pos += len;
}

void bw_dec_data_section(bw_decoder *d)
{
    bw_module *m = d->module;
    m->ndatas = bw_dec_count(d, 2, BW_MAX_SEGMENTS, "data segments");
    m->datas = bw_dec_alloc(d, m->ndatas, sizeof *m->datas);
    for (uint32_t i = 0; i < m->ndatas && bw_dec_ok(d); i++)
        dec_data(d, &m->datas[i]);
}
