/* Peepholes folding the pair just fused with the instruction (or two) before it into one
 * (ops.h BW_OPS_TRIPLES), and the f64 read-modify-write stores. */
#include "engine/ops_translate.h"

/* `last`, an I32_ADD_AND one of whose and operands is the complement (x ^ -1) `prev` left
 * in a temporary: one I32_ADD_ANDN, d + (other & ~x). The caller checked that last's d is
 * not that temporary. */
static void fold_and_not(bw_translator *t, bw_insn *prev, const bw_insn *last)
{
    uint32_t other = last->c == prev->a ? last->b : last->c;
    if ((last->b == prev->a) == (last->c == prev->a)) { /* neither, or both */
        return;
    }
    prev->handler = (const void *)(uintptr_t)BW_OP_I32_ADD_ANDN;
    prev->c = prev->b;
    prev->b = other;
    prev->d = last->d;
    prev->a = last->a;
    prev->imm = 0;
    t->ncode--;
    bw_tr_fold_add_andn(t);
}

/* `last`, an I32_ADD_AND adding (b & c) to the three rotations `prev` left in a temporary:
 * one ROTL_XOR3_ADD_AND, the and's operands moving to c and d. */
static void fold_sigma_add_and(bw_translator *t, bw_insn *prev, const bw_insn *last)
{
    unsigned prev_op = (unsigned)(uintptr_t)prev->handler;
    if (prev_op == BW_OP_I32_XOR_IMM && (uint32_t)prev->imm == UINT32_MAX && last->d != prev->a) {
        fold_and_not(t, prev, last);
        return;
    }
    if (prev_op != BW_OP_I32_ROTL_XOR3 || last->d != prev->a || last->b == prev->a ||
        last->c == prev->a) {
        return;
    }
    prev->handler = (const void *)(uintptr_t)BW_OP_I32_ROTL_XOR3_ADD_AND;
    prev->c = last->b;
    prev->d = last->c;
    prev->a = last->a;
    t->ncode--;
}

/* The fused operation the last instruction now is (XOR_ROTL or XOR_SHR, a = d ^ f(b); or
 * ADD_AND), taking as d the value the instruction before it left in a temporary, when that
 * one is a rotation (or rotations) of the same cell: both become one ROTL_XOR form (ops.h
 * BW_OPS_TRIPLES). Not when a branch lands on the last instruction. */
static void fold_rotations(bw_translator *t)
{
    if (!bw_tr_last_two_join(t)) {
        return;
    }
    bw_insn *prev = &t->code[t->ncode - 2], *last = prev + 1;
    unsigned prev_op = (unsigned)(uintptr_t)prev->handler;
    unsigned last_op = (unsigned)(uintptr_t)last->handler, fused;
    if (prev->a < t->nlocals || prev->b == prev->a) {
        return;
    }
    uint64_t count = last->imm & 31;
    if (last_op == BW_OP_I32_ADD_AND) {
        fold_sigma_add_and(t, prev, last);
        return;
    }
    if (last->d != prev->a || prev->b != last->b) {
        return;
    }
    if (prev_op == BW_OP_I32_ROTL_IMM && last_op == BW_OP_I32_XOR_ROTL) {
        fused = BW_OP_I32_ROTL_XOR2;
        prev->imm = (prev->imm & 31) | count << 8;
    } else if (prev_op == BW_OP_I32_ROTL_XOR2 && last_op == BW_OP_I32_XOR_ROTL) {
        fused = BW_OP_I32_ROTL_XOR3;
        prev->imm |= count << 16;
    } else if (prev_op == BW_OP_I32_ROTL_XOR2 && last_op == BW_OP_I32_XOR_SHR) {
        fused = BW_OP_I32_ROTL_XOR2_SHR;
        prev->imm |= count << 16;
    } else {
        return;
    }
    prev->handler = (const void *)(uintptr_t)fused;
    prev->a = last->a;
    t->ncode--;
}

/* The XOR_AND just made, x' ^ (x & y) where x' = (x ^ y) & z came from the two
 * instructions before it (an i32 xor and an and, into temporaries): one I32_MAJ. Each
 * temporary must be a cell no later instruction of the three reads as x, y or z. */
static void fold_majority(bw_translator *t)
{
    if (t->ncode < 3 || t->label_at >= t->ncode - 2) {
        return;
    }
    bw_insn * xor = &t->code[t->ncode - 3], *and = xor+1, *last = xor+2;
    if ((unsigned)(uintptr_t) xor->handler != BW_OP_I32_XOR ||
        (unsigned)(uintptr_t) and->handler != BW_OP_I32_AND || last->d != and->a ||
        xor->a < t->nlocals || and->a < t->nlocals) {
        return;
    }
    uint32_t x = last->b, y = last->c, u = xor->a;
    bool same = (xor->b == x && xor->c == y) || (xor->b == y && xor->c == x);
    if (!same || (and->b != u && and->c != u)) {
        return;
    }
    uint32_t z = and->b == u ? and->c : and->b;
    if (u == x || u == y || u == z || and->a == x || and->a == y) {
        return;
    }
    xor->handler = (const void *)(uintptr_t)BW_OP_I32_MAJ;
    xor->a = last->a;
    xor->b = x;
    xor->c = y;
    xor->d = z;
    t->ncode -= 2;
}

/* The ADD_SHL just made (d + (b << k)) whose base d the I32_ADD_IMM before it left in a
 * temporary: one I32_ADD_SHL_IMM (base + constant + scaled index: a field of an array
 * element). */
static void fold_scaled_base(bw_translator *t)
{
    if (!bw_tr_last_two_join(t)) {
        return;
    }
    bw_insn *prev = &t->code[t->ncode - 2], *last = prev + 1;
    if ((unsigned)(uintptr_t)prev->handler != BW_OP_I32_ADD_IMM || prev->a < t->nlocals ||
        last->d != prev->a || last->b == prev->a) {
        return;
    }
    prev->handler = (const void *)(uintptr_t)BW_OP_I32_ADD_SHL_IMM;
    prev->d = prev->b;
    prev->b = last->b;
    prev->imm = (uint32_t)prev->imm | (last->imm & 31) << 32;
    prev->a = last->a;
    t->ncode--;
}

void bw_tr_fold_triple(bw_translator *t, unsigned fused)
{
    if (fused == BW_OP_I32_XOR_ROTL || fused == BW_OP_I32_XOR_SHR || fused == BW_OP_I32_ADD_AND) {
        fold_rotations(t);
    } else if (fused == BW_OP_I32_XOR_AND) {
        fold_majority(t);
    } else if (fused == BW_OP_I32_ADD_SHL) {
        fold_scaled_base(t);
    }
}

/* Is `in` an F64_MUL3 into a temporary that reads none of the cells `a` and `b`? */
static bool product_of_three(const bw_translator *t, const bw_insn *in, uint32_t a, uint32_t b)
{
    return (unsigned)(uintptr_t)in->handler == BW_OP_F64_MUL3 && in->a >= t->nlocals &&
           in->b != a && in->c != a && in->d != a && in->b != b && in->c != b && in->d != b;
}

/* `mul` (an F64_MUL3 at the end of the code) and the add or subtract after it, whose
 * address is cell `base` plus `addend` plus `offset`: one F64_ADD/SUB_MUL3_STORE. */
static void store_product(bw_translator *t, bw_insn *mul, unsigned op, uint32_t base,
                          uint32_t addend, uint32_t offset)
{
    mul->handler = (const void *)(uintptr_t)op;
    mul->a = base;
    mul->imm = offset | (uint64_t)addend << 32;
    t->ncode = (uint32_t)(mul - t->code) + 1;
}

/* The F64_ADD_STORE `store` (the last instruction) of a product of three cells the F64_MUL3
 * before it left in a temporary. (Its address is a local: the load and the store of a
 * read-modify-write cannot share a temporary.) */
static void fold_product3_store(bw_translator *t, bw_insn *mul, const bw_insn *store)
{
    if (product_of_three(t, mul, store->b, store->b) && store->d == mul->a) {
        store_product(t, mul, BW_OP_F64_ADD_MUL3_STORE, store->b, 0, (uint32_t)store->imm);
    }
}

/* The F64_MUL_ADD_STORE just made, storing at offset 0 through a local the instruction before
 * it stepped by a constant (`p += 8` between two unrolled `c[j] += x * b[j]`): one
 * F64_MUL_ADD_STORE_STEP, which steps first. Not when a branch lands on the store. */
static void fold_step_into_store(bw_translator *t)
{
    if (!bw_tr_last_two_join(t)) {
        return;
    }
    bw_insn *step = &t->code[t->ncode - 2], *store = step + 1;
    if ((unsigned)(uintptr_t)step->handler != BW_OP_I32_ADD_IMM || step->a != step->b ||
        step->a != store->a || step->a >= t->nlocals || store->imm >> 32 != 0) {
        return;
    }
    const uint64_t by = (uint32_t)step->imm;
    *step = *store;
    step->handler = (const void *)(uintptr_t)BW_OP_F64_MUL_ADD_STORE_STEP;
    step->imm = (store->imm & UINT32_MAX) | by << 32;
    t->ncode--;
}

/* The F64_MUL_ADD_STORE just made, at offsets 0 through the two locals the I32_ADD2 before
 * it computed into two different locals (matmul's `c + j` and `b + j` at the top of an
 * unrolled step): one F64_MUL_ADD_STORE_ADD2 does the adds, in order, then the
 * read-modify-write. Only when the adds' four operand cells fit in 16 bits; not when a
 * branch lands on the store. */
static void fold_adds_into_store(bw_translator *t)
{
    if (!bw_tr_last_two_join(t)) {
        return;
    }
    bw_insn *adds = &t->code[t->ncode - 2], *store = adds + 1;
    uint64_t lo = adds->imm & UINT32_MAX, hi = adds->imm >> 32;
    if ((unsigned)(uintptr_t)adds->handler != BW_OP_I32_ADD2 ||
        (unsigned)(uintptr_t)store->handler != BW_OP_F64_MUL_ADD_STORE || adds->a != store->a ||
        adds->d != store->b || adds->a == adds->d || store->c != 0 || store->imm != 0 ||
        adds->b > UINT16_MAX || adds->c > UINT16_MAX || lo > UINT16_MAX || hi > UINT16_MAX) {
        return;
    }
    adds->handler = (const void *)(uintptr_t)BW_OP_F64_MUL_ADD_STORE_ADD2;
    adds->c = adds->b | adds->c << 16;
    adds->b = store->b;
    adds->d = store->d;
    adds->imm = lo | hi << 16;
    t->ncode--;
}

/* The F64_ADD_STORE just made adding the product the instruction before it (an
 * F64_MUL_LOAD, or an F64_MUL3) left in a temporary: both become one F64_MUL_ADD_STORE
 * (the two offsets in imm's halves), or F64_ADD_MUL3_STORE. Not when a branch lands on the
 * store. */
static void fold_product_store(bw_translator *t)
{
    if (!bw_tr_last_two_join(t)) {
        return;
    }
    bw_insn *mul = &t->code[t->ncode - 2], *store = mul + 1;
    if ((unsigned)(uintptr_t)mul->handler == BW_OP_F64_MUL3) {
        fold_product3_store(t, mul, store);
        return;
    }
    if ((unsigned)(uintptr_t)mul->handler != BW_OP_F64_MUL_LOAD || mul->a < t->nlocals ||
        store->d != mul->a || store->b == mul->a) {
        return;
    }
    mul->handler = (const void *)(uintptr_t)BW_OP_F64_MUL_ADD_STORE;
    mul->a = store->b;
    mul->imm = (mul->imm & UINT32_MAX) | store->imm << 32;
    t->ncode--;
    fold_step_into_store(t);
    fold_adds_into_store(t);
}

/* An f64.store of the sum the last instruction (F64_ADD_LOAD, plain address) just made, to
 * the address and offset it loaded from: one read-modify-write F64_ADD_STORE. */
static bool accumulate_store(bw_translator *t, const bw_operand *addr, const bw_operand *value,
                             uint32_t offset)
{
    if (value->where != BW_IN_SLOT || addr->where == BW_IN_CONST || t->ndead > 0 ||
        t->status != BW_OK || t->ncode == 0 || t->label_at == t->ncode) {
        return false;
    }
    bw_insn *last = &t->code[t->ncode - 1];
    if ((unsigned)(uintptr_t)last->handler != BW_OP_F64_ADD_LOAD || last->a != value->slot ||
        last->a < t->nlocals || last->b != addr->slot || last->c != 0 || last->imm != offset) {
        return false;
    }
    last->handler = (const void *)(uintptr_t)BW_OP_F64_ADD_STORE;
    last->a = 0;
    fold_product_store(t);
    return true;
}

/* An f64.store, to the address and offset of the plain load three instructions back, of that
 * load minus the product of three cells the F64_MUL3 after it made (x[i] -= a * b * c): one
 * F64_SUB_MUL3_STORE. Every cell in between is a temporary no later one reads. */
static bool subtract_store(bw_translator *t, const bw_operand *addr, const bw_operand *value,
                           uint32_t offset)
{
    if (value->where != BW_IN_SLOT || addr->where == BW_IN_CONST || t->ndead > 0 ||
        t->status != BW_OK || t->ncode < 3 || t->label_at >= t->ncode - 2) {
        return false;
    }
    bw_insn *load = &t->code[t->ncode - 3], *mul = load + 1, *sub = load + 2;
    unsigned load_op = (unsigned)(uintptr_t)load->handler;
    if ((load_op != BW_OP_F64_LOAD && load_op != BW_OP_F64_LOAD_G) ||
        (unsigned)(uintptr_t)sub->handler != BW_OP_F64_SUB || sub->a != value->slot ||
        sub->b != load->a || sub->c != mul->a || load->a < t->nlocals || load->b != addr->slot ||
        load->imm != offset || addr->slot == load->a || addr->slot == mul->a ||
        !product_of_three(t, mul, load->a, load->a)) {
        return false;
    }
    *load = *mul;
    store_product(t, load, BW_OP_F64_SUB_MUL3_STORE, addr->slot, 0, offset);
    return true;
}

bool bw_tr_fold_f64_store(bw_translator *t, const bw_operand *addr, const bw_operand *value,
                          uint32_t offset)
{
    if (accumulate_store(t, addr, value, offset) || subtract_store(t, addr, value, offset)) {
        bw_tr_fold_store_address(t);
        return true;
    }
    return false;
}

/* Is `in` a plain i32 load or store (either bounds mode) of kind `load`? */
static bool plain_i32_access(const bw_insn *in, bool load)
{
    unsigned op = (unsigned)(uintptr_t)in->handler;
    return load ? op == BW_OP_I32_LOAD || op == BW_OP_I32_LOAD_G
                : op == BW_OP_I32_STORE || op == BW_OP_I32_STORE_G;
}

bool bw_tr_fold_swap(bw_translator *t, const bw_operand *addr, const bw_operand *value,
                     uint32_t offset)
{
    if (value->where == BW_IN_CONST || addr->where == BW_IN_CONST || t->ndead > 0 ||
        t->status != BW_OK || t->ncode < 3 || t->label_at >= t->ncode - 2 ||
        t->label_at == t->ncode) {
        return false;
    }
    bw_insn *first = &t->code[t->ncode - 3], *second = first + 1, *store = first + 2;
    uint32_t x = first->b, y = addr->slot, t1 = first->a, t2 = second->a;
    if (!plain_i32_access(first, true) || !plain_i32_access(second, true) ||
        !plain_i32_access(store, false) || t1 == t2 || value->slot != t1 || second->b != y ||
        store->a != x || store->b != t2 || store->imm != first->imm || second->imm != offset ||
        x == t1 || x == t2 || y == t1 || y == t2) {
        return false;
    }
    first->handler = (const void *)(uintptr_t)BW_OP_I32_SWAP;
    first->a = x;
    first->b = y;
    first->c = (uint32_t)first->imm;
    first->d = offset;
    first->imm = t1 | (uint64_t)t2 << 32; /* the loads' cells are written as before */
    t->ncode -= 2;
    return true;
}
