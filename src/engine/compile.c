/* Function bodies: the translator's reader, operand stack and emitter, and the driver. */
#include <stdlib.h>
#include <string.h>

#include "engine/ops_translate.h"

/* Translated code past this many instructions is refused (BW_ERR_LIMIT). */
#define MAX_CODE (1u << 24)

void bw_tr_fail(bw_translator *t, bw_status status, const char *message)
{
    if (t->status == BW_OK) {
        size_t at = (size_t)(t->p - t->decl->code) + t->decl->code_offset;
        t->status = status;
        bw_fail(t->err, status, "%s (at byte %zu)", message, at);
    }
    t->p = t->end;
}

/* Makes room for `need` elements of `size` bytes in *buf (capacity *cap). */
bool bw_tr_reserve(bw_translator *t, void **buf, uint32_t *cap, size_t size, uint64_t need)
{
    if (need <= *cap) {
        return true;
    }
    uint64_t ncap = *cap ? (uint64_t)*cap * 2 : 64;
    while (ncap < need) {
        ncap *= 2;
    }
    if (ncap > UINT32_MAX / 2) {
        bw_tr_fail(t, BW_ERR_LIMIT, "function too large");
        return false;
    }
    void *grown = realloc(*buf, (size_t)ncap * size);
    if (grown == NULL) {
        bw_tr_fail(t, BW_ERR_NOMEM, "out of memory");
        return false;
    }
    *buf = grown;
    *cap = (uint32_t)ncap;
    return true;
}

bool bw_tr_byte(bw_translator *t, uint8_t *out)
{
    if (t->p >= t->end) {
        bw_tr_fail(t, BW_ERR_MALFORMED, "unexpected end");
        *out = 0;
        return false;
    }
    *out = *t->p++;
    return true;
}

/* Reads a LEB128 integer of at most `bits` bits; `is_signed` checks the unused high bits
 * of the last byte are a sign extension, else that they are zero. */
static bool read_leb(bw_translator *t, unsigned bits, bool is_signed, uint64_t *out)
{
    uint64_t value = 0;
    unsigned shift = 0;
    uint8_t byte;
    for (;;) {
        if (!bw_tr_byte(t, &byte)) {
            return false;
        }
        if (shift + 7 >= bits) { /* the last byte this width allows */
            unsigned used = bits - shift;
            if (byte & 0x80) {
                bw_tr_fail(t, BW_ERR_MALFORMED, "integer representation too long");
                return false;
            }
            uint8_t rest = (uint8_t)(byte & 0x7f) >> (used - (is_signed ? 1 : 0));
            uint8_t all = (uint8_t)(0x7f >> (used - (is_signed ? 1 : 0)));
            if (rest != 0 && !(is_signed && rest == all)) {
                bw_tr_fail(t, BW_ERR_MALFORMED, "integer too large");
                return false;
            }
        }
        value |= (uint64_t)(byte & 0x7f) << shift;
        shift += 7;
        if (!(byte & 0x80)) {
            break;
        }
    }
    if (is_signed && shift < 64 && (byte & 0x40)) {
        value |= ~(uint64_t)0 << shift;
    }
    *out = value;
    return true;
}

bool bw_tr_u32(bw_translator *t, uint32_t *out)
{
    uint64_t v = 0;
    bool ok = read_leb(t, 32, false, &v);
    *out = (uint32_t)v;
    return ok;
}

bool bw_tr_s32(bw_translator *t, int32_t *out)
{
    uint64_t v = 0;
    bool ok = read_leb(t, 32, true, &v);
    *out = (int32_t)(uint32_t)v;
    return ok;
}

bool bw_tr_s64(bw_translator *t, int64_t *out)
{
    uint64_t v = 0;
    bool ok = read_leb(t, 64, true, &v);
    memcpy(out, &v, sizeof v);
    return ok;
}

/* Block types are s33: negative one-byte forms are value types, others type indices. */
bool bw_tr_s33(bw_translator *t, int64_t *out)
{
    uint64_t v = 0;
    bool ok = read_leb(t, 33, true, &v);
    memcpy(out, &v, sizeof v);
    return ok;
}

bool bw_tr_is_ref(uint8_t type)
{
    return type == BW_FUNCREF || type == BW_EXTERNREF;
}

bool bw_tr_valtype(uint8_t type)
{
    return type == BW_I32 || type == BW_I64 || type == BW_F32 || type == BW_F64 ||
           bw_tr_is_ref(type);
}

uint32_t bw_tr_emit(bw_translator *t, unsigned op, uint32_t a, uint32_t b, uint32_t c, uint32_t d,
                    uint64_t imm)
{
    if (t->ndead > 0 || t->status != BW_OK) {
        return BW_NO_PATCH;
    }
    if (t->ncode >= MAX_CODE) {
        bw_tr_fail(t, BW_ERR_LIMIT, "function too large");
        return BW_NO_PATCH;
    }
    if (!bw_tr_reserve(t, (void **)&t->code, &t->code_cap, sizeof *t->code,
                       (uint64_t)t->ncode + 1)) {
        return BW_NO_PATCH;
    }
    bw_insn *in = &t->code[t->ncode];
    in->handler = (const void *)(uintptr_t)op;
    in->a = a;
    in->b = b;
    in->c = c;
    in->d = d;
    in->imm = imm;
    return t->ncode++;
}

bw_operand bw_tr_pop(bw_translator *t, uint8_t expect)
{
    const bw_ctrl *f = &t->ctrls[t->nctrl - 1];
    bw_operand op = {expect, BW_IN_SLOT, t->nlocals + t->sp, 0};
    if (t->sp == f->height) {
        if (!f->unreachable) {
            bw_tr_fail(t, BW_ERR_INVALID, "type mismatch");
        }
        return op;
    }
    op = t->stack[--t->sp];
    if (op.type == BW_UNKNOWN) {
        op.type = expect;
    } else if (expect != BW_UNKNOWN && op.type != expect) {
        bw_tr_fail(t, BW_ERR_INVALID, "type mismatch");
    }
    return op;
}

static bw_operand *push_entry(bw_translator *t, uint8_t type)
{
    static bw_operand sink;
    if (!bw_tr_reserve(t, (void **)&t->stack, &t->stack_cap, sizeof *t->stack,
                       (uint64_t)t->sp + 1)) {
        return &sink;
    }
    bw_operand *op = &t->stack[t->sp];
    op->type = type;
    op->where = BW_IN_SLOT;
    op->slot = t->nlocals + t->sp;
    op->value = 0;
    t->sp++;
    if (t->sp > t->max_height) {
        t->max_height = t->sp;
    }
    return op;
}

uint32_t bw_tr_push(bw_translator *t, uint8_t type)
{
    return push_entry(t, type)->slot;
}

void bw_tr_push_const(bw_translator *t, uint8_t type, uint64_t value)
{
    bw_operand *op = push_entry(t, type);
    op->where = BW_IN_CONST;
    op->value = value;
}

static unsigned const_op(uint8_t type)
{
    return (type == BW_I32 || type == BW_F32) ? BW_OP_CONST32 : BW_OP_CONST64;
}

uint32_t bw_tr_use(bw_translator *t, const bw_operand *op)
{
    if (op->where == BW_IN_CONST) {
        bw_tr_emit(t, const_op(op->type), op->slot, 0, 0, 0, op->value);
    }
    return op->slot;
}

/* Writes `op`'s value to cell `dst` unless it is already there. */
void bw_tr_move(bw_translator *t, const bw_operand *op, uint32_t dst)
{
    if (op->where == BW_IN_CONST) {
        bw_tr_emit(t, const_op(op->type), dst, 0, 0, 0, op->value);
    } else if (op->slot != dst) {
        bw_tr_emit(t, BW_OP_MOV, dst, op->slot, 0, 0, 0);
    }
}

/* Gives stack entry `index` its own cell. */
void bw_tr_materialize(bw_translator *t, uint32_t index)
{
    bw_operand *op = &t->stack[index];
    if (op->where != BW_IN_SLOT) {
        uint32_t slot = t->nlocals + index;
        bw_tr_move(t, op, slot);
        op->where = BW_IN_SLOT;
        op->slot = slot;
    }
}

void bw_compiled_func_free(struct bw_compiled_func *compiled)
{
    if (compiled != NULL) {
        free(compiled->code);
        free(compiled->br_tables);
        free(compiled);
    }
}

/* Swaps operation numbers for handler addresses and hands the buffers to a compiled func. */
static struct bw_compiled_func *finish(bw_translator *t)
{
    struct bw_compiled_func *cf = calloc(1, sizeof *cf);
    if (cf == NULL) {
        bw_tr_fail(t, BW_ERR_NOMEM, "out of memory");
        return NULL;
    }
    const void *const *handlers = bw_interp_handlers();
    for (uint32_t i = 0; i < t->ncode; i++) {
        t->code[i].handler = handlers[(uintptr_t)t->code[i].handler];
    }
    cf->code = t->code;
    cf->ncode = t->ncode;
    cf->br_tables = t->tables;
    cf->nbr_tables = t->ntables;
    cf->nparams = t->type->nparams;
    cf->nlocals = t->nlocals;
    cf->nresults = t->type->nresults;
    cf->frame_cells = t->nlocals + t->max_height;
    if (cf->frame_cells < cf->nresults) {
        cf->frame_cells = cf->nresults;
    }
    t->code = NULL;
    t->tables = NULL;
    return cf;
}

static bw_status translate(const bw_module *module, bw_func_decl *decl, bw_error *err)
{
    bw_translator t;
    memset(&t, 0, sizeof t);
    t.module = module;
    t.decl = decl;
    t.type = &module->types[decl->type];
    t.p = decl->code;
    t.end = decl->code + decl->code_len;
    t.err = err;
    t.nlocals = decl->nlocals;
    bw_tr_open_function(&t);
    while (t.status == BW_OK && t.nctrl > 0) {
        uint8_t op;
        if (!bw_tr_byte(&t, &op)) {
            break;
        }
        bw_tr_instruction(&t, op);
    }
    if (t.status == BW_OK && t.p != t.end) {
        bw_tr_fail(&t, BW_ERR_MALFORMED, "section size mismatch");
    }
    if (t.status == BW_OK) {
        decl->compiled = finish(&t);
    }
    free(t.stack);
    free(t.ctrls);
    free(t.code);
    free(t.tables);
    return t.status;
}

bw_status bw_compile_module(bw_module *module, bw_error *err)
{
    uint32_t ndefined = module->nfuncs - module->nfuncs_imported;
    for (uint32_t i = 0; i < ndefined; i++) {
        bw_status status = translate(module, &module->funcs[i], err);
        if (status != BW_OK) {
            return status;
        }
    }
    return BW_OK;
}
