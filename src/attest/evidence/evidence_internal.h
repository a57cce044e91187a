/* Private declarations shared by the attester's source files (src/attest/evidence/). */
#ifndef BURH_EVIDENCE_INTERNAL_H
#define BURH_EVIDENCE_INTERNAL_H

#include <limits.h>

#include "burh/attester.h"

/* A configuration with defaults applied and paths made NUL-terminated. */
typedef struct burh_attester_opts {
    char tsm_root[PATH_MAX];
    char sev_dev[PATH_MAX];
    char tdx_dev[PATH_MAX];
    bool set_privlevel;
    uint32_t privlevel;
    bool no_tsm, no_sev_guest;
    unsigned max_attempts;
    const burh_attester_tsm_hooks *hooks;
} burh_attester_opts;

/* Fills err (if any) and returns status; printf-style message. */
burh_attester_status burh_attester_fail(burh_attester_error *err, burh_attester_status status,
                                        int sys_errno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

uint16_t burh_attester_le16(const uint8_t *p);
uint32_t burh_attester_le32(const uint8_t *p);

/* ---- formats (format.c): every check the attester makes on what the kernel handed back ---- */

/* The platform a configfs-tsm provider name stands for; NONE when burh does not know it. */
burh_attester_platform burh_attester_platform_of_provider(const char *provider);

/* A 1184-byte SNP report whose REPORT_DATA is report_data (and VMPL is vmpl if want_vmpl). */
burh_attester_status burh_attester_check_snp_report(const uint8_t *report, size_t len,
                                                    const uint8_t report_data[64], bool want_vmpl,
                                                    uint32_t vmpl, burh_attester_error *err);

/* A TDX quote (v4 or v5, TDX TEE) whose lengths add up exactly to len and whose TD report
 * carries report_data. */
burh_attester_status burh_attester_check_tdx_quote(const uint8_t *quote, size_t len,
                                                   const uint8_t report_data[64],
                                                   burh_attester_error *err);

/* Parses the GHCB certificate table in ev->auxblob[0..auxblob_len) into ev->certs. An empty
 * table (first entry all zero) gives no certificates. */
burh_attester_status burh_attester_parse_cert_table(burh_evidence *ev, burh_attester_error *err);

/* The SNP MSG_REPORT_RSP the SEV firmware returns in snp_report_resp.data: status, size and
 * the report; sets *report to point into resp. */
burh_attester_status burh_attester_parse_report_resp(const uint8_t *resp, size_t resp_len,
                                                     const uint8_t **report,
                                                     burh_attester_error *err);

/* ---- sources ---- */

/* configfs-tsm (tsm.c). */
burh_attester_status burh_attester_tsm_get(const burh_attester_opts *o,
                                           const uint8_t report_data[64], burh_evidence *out,
                                           burh_attester_error *err);
/* Makes and removes an entry to read the provider name into provider[0..cap). */
burh_attester_status burh_attester_tsm_probe(const burh_attester_opts *o, char *provider,
                                             size_t cap, burh_attester_error *err);

/* /dev/sev-guest (sev_guest.c). */
burh_attester_status burh_attester_sev_get(const burh_attester_opts *o,
                                           const uint8_t report_data[64], burh_evidence *out,
                                           burh_attester_error *err);

#endif
