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
    const char *kvm_why = kvm_unusable_reason();
    char why[BURH_PROTO_REASON_MAX + 1];
    /* burh-wasmldr-static runs workloads in a kvm keep (tests/integration/kvm-keep.sh), but its
     * kvm evidence does not carry the launch digest yet (docs/kvm.md "Measurement"): until it
     * does, a tenant could not tell which shim and wasmldr it got, so keeps are not offered. */
    snprintf(why, sizeof(why), "%s",
             kvm_why ? kvm_why
                     : "/dev/kvm usable and burh-wasmldr-static runs in a kvm keep, but its "
                       "evidence does not carry the launch digest yet");
    set(out, BURH_BACKEND_KVM, false, why);

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
