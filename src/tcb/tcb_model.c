/* tcb_model.c: per-backend threat model and the views of the measured figures it implies. */
#include <stdlib.h>
#include <string.h>

#include "burh/hostcall_abi.h"
#include "tcb/tcb_facts.h"
#include "tcb/tcb_internal.h"

typedef struct backend_model {
    const char *boundary;
    const char *trusted;  /* what the tenant must trust, in one sentence */
    const char *protects; /* from whom, and what */
    const char *not_protected;
    const char *memory_shared;
    const char *dma;
    const char *launch; /* how this tree starts such a keep */
} backend_model;

static const backend_model models[BURH_TCB_BACKEND_COUNT] = {
    [BURH_TCB_NIL] =
        {"an ordinary host process in a sandbox (burh-keepldr)",
         "burh-wasmldr and its libraries, AND the host: its kernel, administrator, keepmgr and "
         "keepldr",
         "nothing from the host; the sandbox only shields the host from the workload, and the "
         "engine shields the keep from the Wasm guest",
         "the host sees and changes everything: code, memory, secrets, output; the evidence is "
         "unsigned and proves nothing",
         "all of it: the host kernel and root can read and write the process's memory",
         "none used (no device); irrelevant, since the host already sees all memory",
         "burh-keepldr --backend nil"},
    [BURH_TCB_KVM] =
        {"a KVM virtual machine: burh's shim (ring 0) and the payload (ring 3)",
         "burh-shim.elf and burh-wasmldr-static (with the libraries linked into it), AND the "
         "host's kernel and hypervisor",
         "isolation from other host processes and other keeps, by the hypervisor",
         "the host controls the hypervisor: it reads and changes all guest memory and registers; "
         "the evidence is unsigned",
         "the hostcall block (explicitly); all guest memory is readable by the host anyway",
         "none: keepldr registers no device (no virtio, no MMIO region); the guest reaches the "
         "host only by 32-bit port writes to 0x500-0x502 (hostcall_abi.h) and KVM_EXIT_MMIO "
         "ends the keep",
         "burh-keepldr --backend kvm"},
    /* ASSUMED for snp and tdx (neither is launched by this tree): the kvm keep's design with
     * the memory made private, as docs/snp.md and docs/ARCHITECTURE.md plan: the same shim
     * (changed for the platform) and burh-wasmldr-static, no guest Linux. */
    [BURH_TCB_SNP] =
        {"an AMD SEV-SNP VM running burh's shim and burh-wasmldr-static, as the kvm keep "
         "(ASSUMED: the design of docs/snp.md, not launched by this tree)",
         "the AMD CPU and its secure processor firmware (AMD-SP), burh-shim.elf (with the SNP "
         "changes of docs/snp.md) and burh-wasmldr-static with the libraries linked into it; "
         "no guest Linux kernel and no launch firmware (the shim is the guest kernel). If "
         "burh-wasmldr is run instead as a process on a guest Linux (the only way its "
         "configfs-tsm attester works today), that kernel, its firmware and its libraries join "
         "the TCB and burh tcb does not measure them",
         "memory encrypted and integrity-protected (RMP) against the host, its hypervisor and "
         "administrator; evidence signed by the AMD-SP (VCEK) binds the launch measurement and "
         "the keep's TLS key",
         "the host is trusted for availability only (it can stop, slow or starve the keep); it "
         "sees every hostcall (socket metadata, sizes, timing; the workload channel is TLS); "
         "side channels (cache timing, page-fault patterns, power) are out of scope",
         "the hostcall block, the one range left shared, and the GHCB page (docs/snp.md); all "
         "other guest memory is private",
         "none: the shim drives no device; the host is reached only through the hostcall block",
         "not in this tree yet: docs/snp.md plans keepldr --backend kvm with KVM_SEV_SNP_*"},
    [BURH_TCB_TDX] =
        {"an Intel TDX trust domain running burh's shim and burh-wasmldr-static (ASSUMED: the "
         "kvm keep's design, as for snp; this tree has no TDX design or launcher)",
         "the Intel CPU, the TDX module, the quoting enclave that signs quotes, burh-shim.elf "
         "(changed for TDX: TDCALL/TDVMCALL instead of port writes) and burh-wasmldr-static "
         "with its linked libraries; no guest Linux kernel. A guest-Linux deployment adds that "
         "kernel, its firmware and libraries, unmeasured, as for snp",
         "memory encrypted and integrity-protected against the host and its VMM; a quote "
         "signed through the quoting enclave binds the TD measurement and the keep's TLS key",
         "the host is trusted for availability only; it sees every hostcall (metadata, sizes, "
         "timing); side channels are out of scope",
         "the hostcall block, converted to shared (MapGPA); all other memory is private",
         "none: the shim drives no device; the host is reached only through the hostcall block",
         "not in this tree: no TDX launcher"},
};

static const char *const backend_names[BURH_TCB_BACKEND_COUNT] = {"nil", "kvm", "snp", "tdx"};

/* kvm, and (assumed, see above) snp and tdx: burh's shim running burh-wasmldr-static. */
static bool runs_shim(burh_tcb_backend b)
{
    return b != BURH_TCB_NIL;
}

const char *burh_tcb_backend_name(burh_tcb_backend backend)
{
    return backend < BURH_TCB_BACKEND_COUNT ? backend_names[backend] : "unknown";
}

static bool in_list(const char *const *list, const char *name)
{
    for (; *list != NULL; list++) {
        if (strcmp(*list, name) == 0)
            return true;
    }
    return false;
}

static json_t *string_list(const char *const *list)
{
    json_t *arr = json_array();
    for (; arr != NULL && *list != NULL; list++)
        json_array_append_new(arr, json_string(*list));
    return arr;
}

/* kvm, derived: the nil trace's syscalls, sorted by how the shim's tables would handle them. */
static void kvm_derived(const json_t *trace, json_t *view)
{
    json_t *served = json_array(), *forwarded = json_array(), *refused = json_array();
    size_t i;
    json_t *name;
    json_array_foreach(json_object_get(trace, "syscalls"), i, name)
    {
        const char *s = json_string_value(name);
        json_t *to = in_list(burh_tcb_facts_shim_served, s)      ? served
                     : in_list(burh_tcb_facts_shim_forwarded, s) ? forwarded
                                                                 : refused;
        json_array_append_new(to, json_string(s));
    }
    json_object_set_new(view, "served_locally", served);
    json_object_set_new(view, "forwarded_to_host", forwarded);
    json_object_set_new(view, "refused_enosys", refused);
}

/* kvm, counted: the names of one disposition list of the keep's own counts. */
static json_t *counted_names(const json_t *stats, const char *disposition)
{
    json_t *arr = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(stats, disposition), i, e)
        json_array_append(arr, json_object_get(e, "name"));
    return arr;
}

/* kvm: counted inside a kvm keep when possible, else derived from the nil trace; the view
 * always says which ("method"), and why it was not counted. */
static json_t *kvm_syscalls(const json_t *trace, const json_t *kvm_run)
{
    json_t *view = json_pack("{s:o,s:o}", "shim_serves", string_list(burh_tcb_facts_shim_served),
                             "shim_forwards", string_list(burh_tcb_facts_shim_forwarded));
    if (json_is_true(json_object_get(kvm_run, "counted"))) {
        const json_t *stats = json_object_get(kvm_run, "stats");
        json_object_set_new(view, "method", json_string("counted"));
        json_object_set_new(view, "note",
                            json_string(json_string_value(json_object_get(kvm_run, "method"))));
        json_object_set_new(view, "served_locally", counted_names(stats, "served"));
        json_object_set_new(view, "forwarded_to_host", counted_names(stats, "forwarded"));
        json_object_set_new(view, "refused_enosys", counted_names(stats, "refused"));
        json_object_set(view, "run", (json_t *)kvm_run);
        return view;
    }
    json_object_set(view, "why_not_counted", json_object_get(kvm_run, "why"));
    if (!json_is_true(json_object_get(trace, "measured"))) {
        json_object_set_new(view, "method", json_string("not measured"));
        return view;
    }
    json_object_set_new(view, "method", json_string("derived"));
    json_object_set_new(view, "note",
                        json_string("NOT counted in a kvm keep: the nil keep's traced syscalls of "
                                    "burh-wasmldr, sorted by how the shim's tables "
                                    "(src/shim/syscall.c, localfd.c, thread.c, forward.c) would "
                                    "handle them"));
    kvm_derived(trace, view);
    return view;
}

/* The shim runs static ELF payloads only (docs/kvm.md): burh-wasmldr-static. */
static const char *kvm_payload_note(const json_t *binaries)
{
    size_t i;
    json_t *bin;
    json_array_foreach(binaries, i, bin)
    {
        if (strcmp(json_string_value(json_object_get(bin, "name")), "burh-wasmldr-static") == 0 &&
            json_is_true(json_object_get(bin, "present")))
            return strcmp(json_string_value(json_object_get(bin, "linkage")), "static") == 0
                       ? "burh-wasmldr-static: burh-wasmldr's objects linked statically, as the "
                         "shim needs (no ld.so, no libcurl)"
                       : "burh-wasmldr-static is dynamically linked: the shim cannot load it";
    }
    return "burh-wasmldr-static is not built (release builds make it): kvm figures incomplete";
}

static json_t *syscall_view(burh_tcb_backend b, const json_t *trace, const json_t *kvm_run)
{
    if (runs_shim(b)) {
        json_t *view = kvm_syscalls(trace, kvm_run);
        if (b != BURH_TCB_KVM)
            json_object_set_new(view, "assumed",
                                json_string("the kvm keep's figures: the same shim and payload"));
        return view;
    }
    bool measured = json_is_true(json_object_get(trace, "measured"));
    return json_pack("{s:s,s:O*}", "note", "made to the host kernel (traced, nil keep)", "distinct",
                     measured ? json_object_get(trace, "syscalls") : NULL);
}

/* Code bytes in memory of the keep's binaries (PF_X segments) and of the libraries the loader
 * loaded: all of them when traced, else only its direct DT_NEEDED ones. On kvm the keep's
 * binaries are static: their libraries are inside their PF_X bytes (split in linked_code). */
static json_t *keep_code(const json_t *binaries, const json_t *io, burh_tcb_backend b)
{
    bool kvm = runs_shim(b);
    json_int_t own = 0, libs = 0;
    bool traced = !kvm && json_object_get(io, "libraries_text_bytes") != NULL;
    size_t i, j;
    json_t *bin, *lib;
    json_array_foreach(binaries, i, bin)
    {
        const char *name = json_string_value(json_object_get(bin, "name"));
        bool in_keep =
            kvm ? strcmp(name, "burh-wasmldr-static") == 0 || strcmp(name, "burh-shim.elf") == 0
                : strcmp(name, "burh-wasmldr") == 0;
        if (!in_keep || !json_is_true(json_object_get(bin, "present")))
            continue;
        own += json_integer_value(json_object_get(bin, "exec_bytes"));
        if (!kvm && !traced) {
            json_array_foreach(json_object_get(bin, "needed"), j, lib) libs +=
                json_integer_value(json_object_get(lib, "text_bytes"));
        }
    }
    if (traced)
        libs = json_integer_value(json_object_get(io, "libraries_text_bytes"));
    const char *from = kvm      ? "none loaded: both are static, their library code is counted "
                                  "in their own bytes (per library: linked_code)"
                       : traced ? "every library loaded in the trace (transitive)"
                                : "direct DT_NEEDED only (not traced)";
    return json_pack("{s:I,s:I,s:I,s:s}", "burh_binaries_exec_bytes", own, "libraries_text_bytes",
                     libs, "total_bytes", own + libs, "libraries_from", from);
}

json_t *tcb_backend_view(burh_tcb_backend b, const json_t *trace, const json_t *binaries,
                         const json_t *kvm_run)
{
    const backend_model *m = &models[b];
    json_t *trusted_bins = runs_shim(b) ? json_pack("[s,s]", "burh-shim.elf", "burh-wasmldr-static")
                                        : json_pack("[s]", "burh-wasmldr");
    json_t *shared = json_pack("{s:s}", "what", m->memory_shared);
    json_t *dma = json_pack("{s:s}", "what", m->dma);
    json_t *view_syscalls = syscall_view(b, trace, kvm_run);
    if (runs_shim(b)) {
        json_object_set_new(view_syscalls, "payload", json_string(kvm_payload_note(binaries)));
        json_object_set_new(shared, "hostcall_block_bytes",
                            json_integer((json_int_t)sizeof(struct burh_hc_block)));
    }
    if (b == BURH_TCB_KVM) {
        json_object_set_new(dma, "device_refs_in_host_code",
                            json_integer(burh_tcb_facts_kvm_device_refs));
        json_object_set_new(dma, "how_known",
                            json_string("build-time scan of src/host/*.c for KVM_IOEVENTFD, "
                                        "KVM_IRQFD, KVM_CREATE_IRQCHIP and virtio"));
    }
    return json_pack(
        "{s:s,s:s,s:{s:s,s:s,s:s},s:o,s:o,s:o,s:s,s:o,s:o,s:s}", "backend", backend_names[b],
        "keep_boundary", m->boundary, "threat_model", "trusted", m->trusted, "protects",
        m->protects, "not_protected", m->not_protected, "trusted_binaries", trusted_bins,
        "keep_code_bytes", keep_code(binaries, trace, b), "memory_shared_with_host", shared,
        "caches_shared_with_host",
        "all: CPU caches, TLBs and branch predictors are shared with the host on every backend "
        "here (no cache partitioning is used)",
        "dma", dma, "syscalls", view_syscalls, "launch", m->launch);
}

typedef struct crypto_op {
    const char *operation;
    const char *where;
    const char *symbols[4]; /* OpenSSL names looked for in the loaders' symbol tables */
    const char *constant_time;
} crypto_op;

static const crypto_op crypto_ops[] = {
    {"EC key generation, P-384",
     "the keep's TLS key, made inside the keep at start",
     {"EVP_PKEY_Q_keygen", "EVP_PKEY_keygen", "EC_KEY_generate_key", NULL},
     "not stated per function in OpenSSL's manual; see docs/tcb.md for what was found"},
    {"ECDSA P-384 signing",
     "the self-signed RA-TLS certificate and TLS 1.3 CertificateVerify",
     {"EVP_DigestSign", "X509_sign", "EVP_PKEY_sign", NULL},
     "not stated in the manual; OpenSSL blinds ECDSA signing (since 1.1.0i) and fixed a nonce "
     "timing leak as CVE-2024-13176 (docs/tcb.md)"},
    {"SHA-256 and SHA-384",
     "REPORT_DATA binding of key and nonce; certificate digests",
     {"SHA256", "SHA384", "EVP_Digest", "EVP_sha384"},
     "hashing public data: timing reveals only lengths, which are public here"},
    {"TLS 1.3 AEAD (AES-GCM, ChaCha20-Poly1305)",
     "the workload channel to the tenant",
     {"SSL_CTX_new", "TLS_server_method", NULL},
     "not stated in the manual; AES-GCM is constant time only on the AES-NI/CLMUL code path "
     "(an inference, not an OpenSSL statement)"},
};

/* One loaded binary to look for symbols in; absent when it could not be read. */
typedef struct scanned_binary {
    uint8_t *bytes;
    size_t len;
    bool have;
} scanned_binary;

static scanned_binary scan_binary(const char *bin_dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", bin_dir, name);
    scanned_binary b = {NULL, 0, false};
    b.have = tcb_read_file(path, 1u << 30, &b.bytes, &b.len) == BURH_TCB_OK;
    return b;
}

static json_t *symbols_in(const scanned_binary *b, const crypto_op *op)
{
    json_t *found = json_array();
    for (size_t s = 0; s < 4 && op->symbols[s] != NULL; s++) {
        if (b->have && tcb_elf_has_symbol(b->bytes, b->len, op->symbols[s]))
            json_array_append_new(found, json_string(op->symbols[s]));
    }
    return found;
}

/* The dynamic loader's .dynsym names what it imports; the static one's .symtab (it is not
 * stripped) names what was linked in, so both keeps' binaries are read for the same names. */
json_t *tcb_crypto(const char *bin_dir)
{
    scanned_binary dyn = scan_binary(bin_dir, "burh-wasmldr");
    scanned_binary stat = scan_binary(bin_dir, "burh-wasmldr-static");
    json_t *ops = json_array();
    for (size_t i = 0; i < sizeof crypto_ops / sizeof crypto_ops[0]; i++) {
        const crypto_op *op = &crypto_ops[i];
        json_array_append_new(ops, json_pack("{s:s,s:s,s:o,s:o,s:b,s:s}", "operation",
                                             op->operation, "where", op->where, "symbols_found",
                                             symbols_in(&dyn, op), "symbols_found_static",
                                             symbols_in(&stat, op), "constant_time_documented", 0,
                                             "constant_time", op->constant_time));
    }
    free(dyn.bytes);
    free(stat.bytes);
    return json_pack("{s:s,s:b,s:b,s:o}", "library", "OpenSSL 3 (libcrypto, libssl)",
                     "binary_scanned", dyn.have, "static_binary_scanned", stat.have, "operations",
                     ops);
}
