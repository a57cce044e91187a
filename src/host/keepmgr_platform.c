/* keepmgr_platform.c: which keep backends this host can run, probed honestly, with the reason. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host/keepmgr.h"
#include "host/kvm.h"

/* Whether a kernel module parameter file says Y (or 1). */
static bool param_enabled(const char *path)
{
    char v[8] = "";
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    bool on = fgets(v, sizeof(v), f) && (v[0] == 'Y' || v[0] == '1');
    fclose(f);
    return on;
}

static void set(burh_platform_info *out, burh_keep_backend b, bool available, const char *why)
{
    burh_platform_backend *e = &out->backends[out->count++];
    e->backend = b;
    e->available = available;
    snprintf(e->reason, sizeof(e->reason), "%s", why);
}

void kmgr_platform_probe(burh_platform_info *out)
{
    memset(out, 0, sizeof(*out));
    set(out, BURH_BACKEND_NIL, true, "sandboxed process: no confidentiality, no real evidence");
    /* The kvm keep's evidence carries the launch digest (docs/kvm.md "Measurement"), so a
     * tenant can tell which shim and wasmldr it got; it is still unsigned. */
    const char *kvm_why = kvm_unusable_reason();
    set(out, BURH_BACKEND_KVM, kvm_why == NULL,
        kvm_why ? kvm_why
                : "micro-VM with burh's shim: isolated by the hypervisor, which the host "
                  "controls; evidence unsigned (launch digest only)");

    bool sev = access("/dev/sev", F_OK) == 0;
    bool snp = param_enabled("/sys/module/kvm_amd/parameters/sev_snp");
    if (!sev)
        set(out, BURH_BACKEND_SNP, false, "/dev/sev not present: no AMD SEV host support");
    else if (!snp)
        set(out, BURH_BACKEND_SNP, false, "/dev/sev present but kvm_amd has sev_snp off");
    else
        set(out, BURH_BACKEND_SNP, false,
            "SEV-SNP host support present, but burh-keepldr cannot launch SNP guests yet");

    if (!param_enabled("/sys/module/kvm_intel/parameters/tdx"))
        set(out, BURH_BACKEND_TDX, false, "kvm_intel has no TDX support enabled");
    else
        set(out, BURH_BACKEND_TDX, false,
            "TDX host support present, but burh-keepldr cannot launch TDX guests yet");
}
