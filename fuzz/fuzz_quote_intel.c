/* libFuzzer target: the Intel DCAP quote parser and verifier, directly and through burh_attest. */
#include <stddef.h>
#include <stdint.h>

#include "burh/attest.h"
#include "burh/attest_intel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fixed time keeps runs reproducible. */
#define FUZZ_TIME 1767225600

/* The common entry point: platform detection, the DCAP glue, policy checks and claims. */
static void verify_common(const uint8_t *data, size_t size)
{
    burh_attest_verifier *v = NULL;
    if (burh_attest_verifier_new(&v, NULL) != BURH_ATTEST_OK)
        return;
    burh_attest_verifier_set_time(v, FUZZ_TIME);
    burh_attest_result *r = NULL;
    if (burh_attest_verify(v, BURH_PLATFORM_AUTO, (burh_bytes){data, size}, &r, NULL) ==
        BURH_ATTEST_OK)
        burh_attest_result_free(r);
    burh_attest_verifier_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    burh_intel_quote *quote = NULL;
    if (burh_intel_quote_parse((burh_intel_bytes){data, size}, &quote) != BURH_INTEL_OK) {
        verify_common(data, size);
        return 0;
    }
    /* The PEM chain, certificate extension and signature checks all run on fuzzed bytes. */
    burh_intel_options opts = {.at = FUZZ_TIME};
    burh_intel_result *res = NULL;
    if (burh_intel_verify(quote, NULL, NULL, &opts, &res) == BURH_INTEL_OK) {
        (void)burh_intel_result_claims(res);
        burh_intel_result_free(res);
    }
    burh_intel_quote_free(quote);
    verify_common(data, size);
    return 0;
}
