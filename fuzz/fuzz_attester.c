/* libFuzzer target: the attester's parsers of host-supplied bytes (certificate table, TDX quote
 * header check, SNP report response). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/evidence/evidence_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The table parser keeps pointers into auxblob, so it gets a heap copy that ASan can bound
     * exactly, owned by the evidence as in real use. */
    burh_evidence ev = {0};
    ev.auxblob = malloc(size ? size : 1);
    if (!ev.auxblob)
        return 0;
    if (size)
        memcpy(ev.auxblob, data, size);
    ev.auxblob_len = size;
    burh_attester_error err = {0};
    if (burh_attester_parse_cert_table(&ev, &err) == BURH_ATTESTER_OK)
        for (size_t i = 0; i < ev.cert_count; i++)
            if (ev.certs[i].len)
                (void)*(volatile const uint8_t *)(ev.certs[i].ptr + ev.certs[i].len - 1);
    burh_evidence_free(&ev);

    uint8_t report_data[64] = {0};
    if (size >= 64)
        memcpy(report_data, data + size - 64, 64);
    (void)burh_attester_check_tdx_quote(data, size, report_data, &err);

    const uint8_t *report = NULL;
    if (burh_attester_parse_report_resp(data, size, &report, &err) == BURH_ATTESTER_OK && report)
        (void)*(volatile const uint8_t *)report;
    return 0;
}
