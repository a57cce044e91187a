/* libFuzzer target: the verifier's other parsers (policy JSON, unsigned evidence, times, certs). */
#include <stdint.h>
#include <stdlib.h>

#include "burh/attest.h"

/* The first byte picks the parser, so one corpus covers them all. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    burh_bytes in = {data + 1, size - 1};
    switch (data[0] % 4) {
    case 0: {
        burh_attest_policy *p = NULL;
        if (burh_attest_policy_parse(in, &p, NULL) == BURH_ATTEST_OK && !p)
            abort();
        burh_attest_policy_free(p);
        break;
    }
    case 1: {
        burh_unsigned_evidence ev;
        uint8_t again[BURH_UNSIGNED_EVIDENCE_SIZE];
        if (burh_unsigned_evidence_parse(in, &ev, NULL) == BURH_ATTEST_OK &&
            burh_unsigned_evidence_make(&ev, again, sizeof again, NULL) != BURH_ATTEST_OK)
            abort(); /* whatever parses must re-encode */
        break;
    }
    case 2: {
        int64_t t;
        burh_attest_parse_rfc3339(in, &t);
        break;
    }
    default: {
        burh_attest_verifier *v = NULL;
        if (burh_attest_verifier_new(&v, NULL) != BURH_ATTEST_OK)
            abort();
        burh_attest_verifier_add_certs(v, in, NULL);
        burh_attest_verifier_add_crl(v, in, NULL);
        burh_attest_verifier_free(v);
        break;
    }
    }
    return 0;
}
