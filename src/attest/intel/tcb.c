/* Intel TCB level matching and status convergence (platform, TDX module, QE identity). */
#include "attest/intel/intel_internal.h"

#include <string.h>

static const char *const STATUS_NAMES[BURH_INTEL_TCB_STATUS_COUNT] = {
    [BURH_INTEL_TCB_UNKNOWN] = "Unknown",
    [BURH_INTEL_TCB_UP_TO_DATE] = "UpToDate",
    [BURH_INTEL_TCB_SW_HARDENING_NEEDED] = "SWHardeningNeeded",
    [BURH_INTEL_TCB_CONFIGURATION_NEEDED] = "ConfigurationNeeded",
    [BURH_INTEL_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED] = "ConfigurationAndSWHardeningNeeded",
    [BURH_INTEL_TCB_OUT_OF_DATE] = "OutOfDate",
    [BURH_INTEL_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED] = "OutOfDateConfigurationNeeded",
    [BURH_INTEL_TCB_REVOKED] = "Revoked",
    [BURH_INTEL_TCB_NOT_SUPPORTED] = "TcbLevelNotSupported",
};

const char *burh_intel_tcb_status_name(burh_intel_tcb_status status)
{
    return (unsigned)status < BURH_INTEL_TCB_STATUS_COUNT ? STATUS_NAMES[status] : "Unknown";
}

/* Only the statuses Intel publishes in collateral; "Unknown" for anything else. */
burh_intel_tcb_status intel_status_from_name(const char *name)
{
    for (int s = BURH_INTEL_TCB_UP_TO_DATE; s <= BURH_INTEL_TCB_REVOKED; s++)
        if (strcmp(name, STATUS_NAMES[s]) == 0)
            return (burh_intel_tcb_status)s;
    return BURH_INTEL_TCB_UNKNOWN;
}

/*
 * The first level (Intel lists them newest first) whose every SGX component and PCESVN the
 * PCK certificate reaches; for TDX, TEE_TCB_SVN must also reach the TDX components. When
 * TEE_TCB_SVN[1] (the module's major version) is non-zero, entries 0 and 1 describe the TDX
 * module, which the module identities judge instead, so they are skipped here.
 */
const intel_tcb_level *intel_match_platform(const intel_tcb_info *tcb, const intel_pck_ext *pck,
                                            const uint8_t *tee_tcb_svn)
{
    for (size_t i = 0; i < tcb->nlevels; i++) {
        const intel_tcb_level *l = &tcb->levels[i];
        bool ok = pck->pcesvn >= l->pcesvn;
        for (int c = 0; ok && c < 16; c++)
            ok = pck->comp_svn[c] >= l->sgx[c];
        if (ok && tcb->is_tdx && tee_tcb_svn) {
            int first = tee_tcb_svn[1] > 0 ? 2 : 0;
            for (int c = first; ok && c < 16; c++)
                ok = tee_tcb_svn[c] >= l->tdx[c];
        }
        if (ok)
            return l;
    }
    return NULL;
}

const intel_tcb_level *intel_match_isvsvn(const intel_tcb_level *levels, size_t n, uint16_t isvsvn)
{
    for (size_t i = 0; i < n; i++)
        if (isvsvn >= levels[i].isvsvn)
            return &levels[i];
    return NULL;
}

/* Combines the platform status with a QE or TDX module status, after Intel's rules: an
 * out-of-date component makes a current platform OutOfDate (keeping any configuration
 * need), and a revoked one revokes everything. */
burh_intel_tcb_status intel_converge(burh_intel_tcb_status platform, burh_intel_tcb_status other)
{
    if (other == BURH_INTEL_TCB_REVOKED)
        return BURH_INTEL_TCB_REVOKED;
    if (other != BURH_INTEL_TCB_OUT_OF_DATE)
        return platform;
    switch (platform) {
    case BURH_INTEL_TCB_UP_TO_DATE:
    case BURH_INTEL_TCB_SW_HARDENING_NEEDED:
        return BURH_INTEL_TCB_OUT_OF_DATE;
    case BURH_INTEL_TCB_CONFIGURATION_NEEDED:
    case BURH_INTEL_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED:
        return BURH_INTEL_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
    default:
        return platform;
    }
}

void intel_advisories_merge(json_t *into, const json_t *from)
{
    size_t i, k;
    json_t *v, *have;
    json_array_foreach(from, i, v)
    {
        bool dup = false;
        json_array_foreach(into, k, have) dup = dup || json_equal(have, v);
        if (!dup)
            json_array_append(into, v);
    }
}
