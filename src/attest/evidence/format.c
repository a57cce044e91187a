/* The attester's checks on kernel-supplied blobs: SNP reports, TDX quotes, certificate tables. */
#include <string.h>

#include "attest/evidence/evidence_internal.h"

/* SNP ATTESTATION_REPORT fields the attester looks at (AMD spec 56860). */
#define SNP_VMPL_OFFSET        0x30u
#define SNP_REPORT_DATA_OFFSET 0x50u

/* SNP MSG_REPORT_RSP (AMD spec 56860, "MSG_REPORT_RSP"). */
#define REPORT_RSP_HEADER 0x20u

/* Intel TDX DCAP quote v4/v5 layout. */
#define TDX_HEADER_SIZE        48u
#define TDX_TEE_TYPE           0x81u
#define TDX_BODY_V10_SIZE      584u /* TD report body of TDX 1.0 (quote v4, v5 type 2) */
#define TDX_BODY_V15_SIZE      648u /* TDX 1.5 adds TEE_TCB_SVN2 and MRSERVICETD */
#define TDX_REPORT_DATA_OFFSET 520u /* inside the body, the same for both bodies */
#define TDX_MIN_SIGNATURE_DATA 134u /* ECDSA signature 64, key 64, cert data header 6 */
#define TDX_V5_BODY_DESCRIPTOR 6u   /* u16 body type, u32 body size */

/* GHCB extended guest request certificate table. */
#define CERT_ENTRY_SIZE 24u

static const struct {
    uint8_t guid[16];
    burh_attester_cert_kind kind;
} known_guids[] = {
    {{0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac,
      0xcd},
     BURH_ATTESTER_CERT_VCEK},
    {{0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e, 0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8,
      0xa1},
     BURH_ATTESTER_CERT_VLEK},
    {{0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4, 0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7,
      0x82},
     BURH_ATTESTER_CERT_ASK},
    {{0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52, 0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0,
      0xae},
     BURH_ATTESTER_CERT_ARK},
    {{0x92, 0xf8, 0x1b, 0xc3, 0x58, 0x11, 0x4d, 0x3d, 0x97, 0xff, 0xd1, 0x9f, 0x88, 0xdc, 0x67,
      0xea},
     BURH_ATTESTER_CERT_CRL},
};

burh_attester_platform burh_attester_platform_of_provider(const char *provider)
{
    if (strcmp(provider, "sev_guest") == 0)
        return BURH_ATTESTER_PLATFORM_SNP;
    if (strcmp(provider, "tdx_guest") == 0)
        return BURH_ATTESTER_PLATFORM_TDX;
    return BURH_ATTESTER_PLATFORM_NONE;
}

burh_attester_status burh_attester_check_snp_report(const uint8_t *report, size_t len,
                                                    const uint8_t report_data[64], bool want_vmpl,
                                                    uint32_t vmpl, burh_attester_error *err)
{
    if (len != BURH_ATTESTER_SNP_REPORT_SIZE)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_MALFORMED, 0,
                                  "SNP report is %zu bytes, expected %u", len,
                                  BURH_ATTESTER_SNP_REPORT_SIZE);
    if (memcmp(report + SNP_REPORT_DATA_OFFSET, report_data, 64) != 0)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_NOT_BOUND, 0,
                                  "SNP report does not carry the requested REPORT_DATA");
    uint32_t got_vmpl = burh_attester_le32(report + SNP_VMPL_OFFSET);
    if (want_vmpl && got_vmpl != vmpl)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_NOT_BOUND, 0,
                                  "SNP report is for VMPL %u, requested %u", got_vmpl, vmpl);
    return BURH_ATTESTER_OK;
}

/* Finds the TD report body of a quote and checks that the lengths add up to len exactly. */
static burh_attester_status tdx_locate_body(const uint8_t *q, size_t len, size_t *body_at,
                                            burh_attester_error *err)
{
    uint16_t version = burh_attester_le16(q);
    uint64_t body_size, sig_at;
    if (version == 4) {
        *body_at = TDX_HEADER_SIZE;
        body_size = TDX_BODY_V10_SIZE;
    } else if (version == 5) {
        if (len < TDX_HEADER_SIZE + TDX_V5_BODY_DESCRIPTOR)
            return burh_attester_fail(err, BURH_ATTESTER_ERR_MALFORMED, 0,
                                      "TDX v5 quote too short (%zu bytes)", len);
        uint16_t body_type = burh_attester_le16(q + TDX_HEADER_SIZE);
        body_size = burh_attester_le32(q + TDX_HEADER_SIZE + 2);
        uint64_t expect = body_type == 2   ? TDX_BODY_V10_SIZE
                          : body_type == 3 ? TDX_BODY_V15_SIZE
                                           : 0;
        if (expect == 0 || body_size != expect)
            return burh_attester_fail(err, BURH_ATTESTER_ERR_MALFORMED, 0,
                                      "TDX v5 quote body type %u with size %llu", body_type,
                                      (unsigned long long)body_size);
        *body_at = TDX_HEADER_SIZE + TDX_V5_BODY_DESCRIPTOR;
    } else {
        return burh_attester_fail(err, BURH_ATTESTER_ERR_MALFORMED, 0,
                                  "TDX quote version %u (expected 4 or 5)", version);
    }
    sig_at = (uint64_t)*body_at + body_size;
    if (sig_at + 4 > len)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_MALFORMED, 0,
                                  "TDX quote too short (%zu bytes) for its body", len);
    uint64_t sig_len = burh_attester_le32(q + sig_at);
    if (sig_len < TDX_MIN_SIGNATURE_DATA || sig_at + 4 + sig_len != len)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_MALFORMED, 0,
                                  "TDX quote signature data of %llu bytes does not fit a %zu-byte "
                                  "quote",
                                  (unsigned long long)sig_len, len);
    return BURH_ATTESTER_OK;
}

burh_attester_status burh_attester_check_tdx_quote(const uint8_t *quote, size_t len,
                                                   const uint8_t report_data[64],
                                                   burh_attester_error *err)
{
    if (len < TDX_HEADER_SIZE)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_MALFORMED, 0,
                                  "TDX quote too short (%zu bytes)", len);
    uint32_t tee_type = burh_attester_le32(quote + 4);
    if (tee_type != TDX_TEE_TYPE)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_MALFORMED, 0,
                                  "quote TEE type 0x%x is not TDX (0x81)", tee_type);
    size_t body_at = 0;
    burh_attester_status st = tdx_locate_body(quote, len, &body_at, err);
    if (st != BURH_ATTESTER_OK)
        return st;
    if (memcmp(quote + body_at + TDX_REPORT_DATA_OFFSET, report_data, 64) != 0)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_NOT_BOUND, 0,
                                  "TDX quote does not carry the requested REPORT_DATA");
    return BURH_ATTESTER_OK;
}

/* The size of the DER SEQUENCE at p (header included), or 0 if there is none within len. */
static size_t der_sequence_size(const uint8_t *p, size_t len)
{
    if (len < 2 || p[0] != 0x30)
        return 0;
    size_t header = 2, content;
    if (p[1] < 0x80) {
        content = p[1];
    } else {
        size_t n = p[1] & 0x7fu;
        if (n == 0 || n > 4 || len < 2 + n)
            return 0;
        content = 0;
        for (size_t i = 0; i < n; i++)
            content = (content << 8) | p[2 + i];
        header += n;
    }
    if (content > len - header)
        return 0;
    return header + content;
}

static burh_attester_cert_kind kind_of_guid(const uint8_t *guid)
{
    for (size_t i = 0; i < sizeof known_guids / sizeof known_guids[0]; i++)
        if (memcmp(guid, known_guids[i].guid, 16) == 0)
            return known_guids[i].kind;
    return BURH_ATTESTER_CERT_OTHER;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* Counts the entries before the all-zero terminator. */
static burh_attester_status count_entries(const uint8_t *t, size_t len, size_t *count,
                                          burh_attester_error *err)
{
    for (size_t i = 0;; i++) {
        if (len / CERT_ENTRY_SIZE <= i)
            return burh_attester_fail(err, BURH_ATTESTER_ERR_CERT_TABLE, 0,
                                      "certificate table has no terminating entry");
        const uint8_t *e = t + i * CERT_ENTRY_SIZE;
        if (all_zero(e, 16)) {
            if (!all_zero(e + 16, 8))
                return burh_attester_fail(err, BURH_ATTESTER_ERR_CERT_TABLE, 0,
                                          "certificate table entry %zu has a zero GUID but an "
                                          "offset or length",
                                          i);
            *count = i;
            return BURH_ATTESTER_OK;
        }
        if (i == BURH_ATTESTER_MAX_CERTS)
            return burh_attester_fail(err, BURH_ATTESTER_ERR_CERT_TABLE, 0,
                                      "certificate table has more than %u entries",
                                      BURH_ATTESTER_MAX_CERTS);
    }
}

/* Checks entry i against the blob and the entries before it, then records it. */
static burh_attester_status add_entry(burh_evidence *ev, size_t i, size_t table_end,
                                      burh_attester_error *err)
{
    const uint8_t *e = ev->auxblob + i * CERT_ENTRY_SIZE;
    uint64_t off = burh_attester_le32(e + 16), len = burh_attester_le32(e + 20);
    if (len == 0 || off < table_end || off + len > ev->auxblob_len)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_CERT_TABLE, 0,
                                  "certificate %zu at offset %llu, length %llu is outside the "
                                  "%zu-byte blob after the table",
                                  i, (unsigned long long)off, (unsigned long long)len,
                                  ev->auxblob_len);
    for (size_t j = 0; j < i; j++) {
        const uint8_t *f = ev->auxblob + j * CERT_ENTRY_SIZE;
        uint64_t foff = burh_attester_le32(f + 16), flen = burh_attester_le32(f + 20);
        if (memcmp(e, f, 16) == 0)
            return burh_attester_fail(err, BURH_ATTESTER_ERR_CERT_TABLE, 0,
                                      "certificate table entries %zu and %zu have one GUID", j, i);
        if (off < foff + flen && foff < off + len)
            return burh_attester_fail(err, BURH_ATTESTER_ERR_CERT_TABLE, 0,
                                      "certificates %zu and %zu overlap", j, i);
    }
    burh_evidence_cert *c = &ev->certs[i];
    memcpy(c->guid, e, 16);
    c->kind = kind_of_guid(e);
    c->ptr = ev->auxblob + off;
    c->len = (size_t)len;
    if (c->kind != BURH_ATTESTER_CERT_OTHER && c->kind != BURH_ATTESTER_CERT_CRL) {
        /* Hosts pad certificates to their slot; the DER object itself is what is returned. */
        size_t der = der_sequence_size(c->ptr, c->len);
        if (der == 0 || !all_zero(c->ptr + der, c->len - der))
            return burh_attester_fail(err, BURH_ATTESTER_ERR_CERT_TABLE, 0,
                                      "%s certificate (entry %zu) is not one DER object",
                                      burh_attester_cert_kind_name(c->kind), i);
        c->len = der;
    }
    return BURH_ATTESTER_OK;
}

burh_attester_status burh_attester_parse_cert_table(burh_evidence *ev, burh_attester_error *err)
{
    ev->cert_count = 0;
    memset(ev->certs, 0, sizeof ev->certs);
    if (!ev->auxblob || ev->auxblob_len == 0)
        return BURH_ATTESTER_OK;
    size_t count = 0;
    burh_attester_status st = count_entries(ev->auxblob, ev->auxblob_len, &count, err);
    if (st != BURH_ATTESTER_OK)
        return st;
    size_t table_end = (count + 1) * CERT_ENTRY_SIZE;
    for (size_t i = 0; i < count; i++) {
        st = add_entry(ev, i, table_end, err);
        if (st != BURH_ATTESTER_OK) {
            memset(ev->certs, 0, sizeof ev->certs);
            return st;
        }
    }
    ev->cert_count = count;
    return BURH_ATTESTER_OK;
}

burh_attester_status burh_attester_parse_report_resp(const uint8_t *resp, size_t resp_len,
                                                     const uint8_t **report,
                                                     burh_attester_error *err)
{
    if (resp_len < REPORT_RSP_HEADER)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_MALFORMED, 0,
                                  "SNP report response too short (%zu bytes)", resp_len);
    uint32_t status = burh_attester_le32(resp), size = burh_attester_le32(resp + 4);
    if (status != 0)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_FIRMWARE, 0,
                                  "SEV firmware refused the report request: status 0x%x", status);
    if (size != BURH_ATTESTER_SNP_REPORT_SIZE || resp_len - REPORT_RSP_HEADER < size)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_MALFORMED, 0,
                                  "SNP report response gives a %u-byte report, expected %u", size,
                                  BURH_ATTESTER_SNP_REPORT_SIZE);
    *report = resp + REPORT_RSP_HEADER;
    return BURH_ATTESTER_OK;
}
