/* libFuzzer target: Intel collateral readers (TCB info, QE identity, bundle, CRL, PCK ext). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "attest/intel/intel_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The first byte picks the reader only when it is not '{', so plain JSON seeds reach both
 * document readers. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    burh_intel_collateral *col = burh_intel_collateral_new();
    if (!col)
        return 0;
    burh_intel_bytes in = {data, size};
    if (size > 0 && data[0] == '{') {
        burh_intel_collateral_set_tcb_info(col, in);
        burh_intel_collateral_set_qe_identity(col, in);
        burh_intel_collateral_load_bundle(col, in);
    } else if (size > 0) {
        burh_intel_bytes rest = {data + 1, size - 1};
        intel_pck_ext pck;
        switch (data[0] % 3) {
        case 0:
            burh_intel_collateral_set_pck_crl(col, rest);
            break;
        case 1:
            burh_intel_collateral_set_tcb_signing_chain(col, rest);
            break;
        default:
            intel_pck_ext_parse(rest.ptr, rest.len, &pck);
        }
    }
    burh_intel_collateral_free(col);
    return 0;
}
