/* Reader for the SGX extension of a PCK certificate: FMSPC, PCE ID, TCB components, PCESVN. */
#include "attest/intel/intel_internal.h"

#include <string.h>

/* 1.2.840.113741.1.13.1 as DER OID content bytes; sub-items append one or two arcs. */
static const uint8_t SGX_EXT_OID[] = {0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D, 0x01, 0x0D, 0x01};

enum { DER_INTEGER = 0x02, DER_OCTETS = 0x04, DER_OID = 0x06, DER_ENUM = 0x0A, DER_SEQ = 0x30 };

typedef struct der {
    const uint8_t *p;
    size_t len;
} der;

/* Reads one TLV from *in (short or long definite length, at most 4 length bytes). */
static bool der_next(der *in, uint8_t *tag, der *value)
{
    if (in->len < 2)
        return false;
    *tag = in->p[0];
    size_t n = in->p[1], hdr = 2;
    if (n & 0x80) {
        size_t nbytes = n & 0x7F;
        if (nbytes == 0 || nbytes > 4 || in->len < 2 + nbytes)
            return false;
        n = 0;
        for (size_t i = 0; i < nbytes; i++)
            n = (n << 8) | in->p[2 + i];
        hdr += nbytes;
    }
    if (n > in->len - hdr)
        return false;
    value->p = in->p + hdr;
    value->len = n;
    in->p += hdr + n;
    in->len -= hdr + n;
    return true;
}

/* Returns the arcs after the SGX prefix as one number (e.g. ".2.17" -> 0x0211), or -1. */
static int sgx_suffix(der oid)
{
    if (oid.len <= sizeof(SGX_EXT_OID) || oid.len > sizeof(SGX_EXT_OID) + 2 ||
        memcmp(oid.p, SGX_EXT_OID, sizeof(SGX_EXT_OID)) != 0)
        return -1;
    int v = 0;
    for (size_t i = sizeof(SGX_EXT_OID); i < oid.len; i++) {
        if (oid.p[i] & 0x80)
            return -1;
        v = (v << 8) | oid.p[i];
    }
    return v;
}

/* A small non-negative INTEGER or ENUMERATED (at most 0xFFFF). */
static bool der_small_uint(der v, unsigned *out)
{
    if (v.len == 0 || v.len > 3 || (v.p[0] & 0x80))
        return false;
    unsigned n = 0;
    for (size_t i = 0; i < v.len; i++)
        n = (n << 8) | v.p[i];
    if (n > 0xFFFF)
        return false;
    *out = n;
    return true;
}

static bool copy_octets(uint8_t tag, der v, uint8_t *out, size_t want)
{
    if (tag != DER_OCTETS || v.len != want)
        return false;
    memcpy(out, v.p, want);
    return true;
}

/* Reads one SEQUENCE { OID, value } and returns the OID suffix. */
static int read_item(der *seq, uint8_t *vtag, der *value)
{
    uint8_t tag;
    der item, oid;
    if (!der_next(seq, &tag, &item) || tag != DER_SEQ)
        return -1;
    if (!der_next(&item, &tag, &oid) || tag != DER_OID)
        return -1;
    if (!der_next(&item, vtag, value) || item.len != 0)
        return -1;
    return sgx_suffix(oid);
}

static burh_intel_err parse_tcb(der tcb, intel_pck_ext *out)
{
    unsigned seen = 0;
    while (tcb.len) {
        uint8_t tag;
        der v;
        int id = read_item(&tcb, &tag, &v);
        unsigned n;
        if (id >= 0x0201 && id <= 0x0210) {
            if (tag != DER_INTEGER || !der_small_uint(v, &n) || n > 255)
                return BURH_INTEL_ERR_FORMAT;
            out->comp_svn[id - 0x0201] = (uint8_t)n;
            seen |= 1u << (id - 0x0201);
        } else if (id == 0x0211) {
            if (tag != DER_INTEGER || !der_small_uint(v, &n))
                return BURH_INTEL_ERR_FORMAT;
            out->pcesvn = (uint16_t)n;
            seen |= 1u << 16;
        } else if (id == 0x0212) {
            if (!copy_octets(tag, v, out->cpusvn, 16))
                return BURH_INTEL_ERR_FORMAT;
        } else {
            return BURH_INTEL_ERR_FORMAT;
        }
    }
    return seen == 0x1FFFF ? BURH_INTEL_OK : BURH_INTEL_ERR_FORMAT;
}

burh_intel_err intel_pck_ext_parse(const uint8_t *p, size_t len, intel_pck_ext *out)
{
    memset(out, 0, sizeof(*out));
    der in = {p, len}, top;
    uint8_t tag;
    if (!der_next(&in, &tag, &top) || tag != DER_SEQ || in.len != 0)
        return BURH_INTEL_ERR_FORMAT;
    bool have_tcb = false, have_fmspc = false, have_pceid = false;
    while (top.len) {
        der v;
        int id = read_item(&top, &tag, &v);
        unsigned n;
        if (id < 0)
            return BURH_INTEL_ERR_FORMAT;
        if (id == 1 && !copy_octets(tag, v, out->ppid, 16))
            return BURH_INTEL_ERR_FORMAT;
        if (id == 2) {
            if (tag != DER_SEQ || parse_tcb(v, out) != BURH_INTEL_OK)
                return BURH_INTEL_ERR_FORMAT;
            have_tcb = true;
        }
        if (id == 3 && !(have_pceid = copy_octets(tag, v, out->pceid, 2)))
            return BURH_INTEL_ERR_FORMAT;
        if (id == 4 && !(have_fmspc = copy_octets(tag, v, out->fmspc, 6)))
            return BURH_INTEL_ERR_FORMAT;
        if (id == 5) {
            if (tag != DER_ENUM || !der_small_uint(v, &n))
                return BURH_INTEL_ERR_FORMAT;
            out->sgx_type = (int)n;
        }
        /* Platform instance ID (6) and configuration (7) are not needed for the verdict. */
    }
    return have_tcb && have_fmspc && have_pceid ? BURH_INTEL_OK : BURH_INTEL_ERR_FORMAT;
}
