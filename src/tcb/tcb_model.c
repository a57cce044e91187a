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
         "burh-shim.elf, burh-wasmldr and its libraries, AND the host's kernel and hypervisor",
         "isolation from other host processes and other keeps, by the hypervisor",
         "the host controls the hypervisor: it reads and changes all guest memory and registers; "
         "the evidence is unsigned",
         "the hostcall block (explicitly); all guest memory is readable by the host anyway",
         "none: keepldr registers no device (no virtio, no MMIO region); the guest reaches the "
         "host only by 32-bit port writes to 0x500-0x502 (hostcall_abi.h) and KVM_EXIT_MMIO "
         "ends the keep",
         "burh-keepldr --backend kvm"},
    [BURH_TCB_SNP] =
        {"an AMD SEV-SNP confidential VM (guest Linux kernel, burh-wasmldr as a process)",
         "the AMD CPU, its secure processor firmware (AMD-SP) and the VM's launch firmware, the "
         "guest Linux kernel and libraries, burh-wasmldr",
         "memory encrypted and integrity-protected (RMP) against the host, its hypervisor and "
         "administrator; evidence signed by the AMD-SP (VCEK) binds the launch measurement and "
         "the keep's TLS key",
         "the host is trusted for availability only (it can stop, slow or starve the keep); "
         "side channels (cache timing, page-fault patterns, power) are out of scope; the guest "
         "kernel is in the TCB and not measured by burh tcb",
         "the pages the guest kernel marks shared (unencrypted): its swiotlb/virtio buffers and "
         "GHCB; not measured by burh tcb",
         "the guest kernel's virtio devices use DMA through shared bounce buffers "
         "(swiotlb); burh-wasmldr itself does no DMA",
         "this tree has no SNP launcher: run burh-wasmldr --backend auto in an SNP guest"},
    [BURH_TCB_TDX] =
        {"an Intel TDX trust domain (guest Linux kernel, burh-wasmldr as a process)",
         "the Intel CPU, the TDX module and quoting enclave, the TD's launch firmware, the "
         "guest Linux kernel and libraries, burh-wasmldr",
         "memory encrypted and integrity-protected against the host and its VMM; a quote "
         "signed through the quoting enclave binds the TD measurement and the keep's TLS key",
         "the host is trusted for availability only; side channels are out of scope; the guest "
         "kernel is in the TCB and not measured by burh tcb",
         "the pages the guest kernel converts to shared (virtio buffers); not measured by "
         "burh tcb",
         "the guest kernel's virtio devices use DMA through shared bounce buffers "
         "(swiotlb); burh-wasmldr itself does no DMA",
         "this tree has no TDX launcher: run burh-wasmldr --backend auto in a TD"},
};

static const char *const backend_names[BURH_TCB_BACKEND_COUNT] = {"nil", "kvm", "snp", "tdx"};

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

/* kvm: which traced syscalls the shim would serve, forward as hostcalls, or refuse. */
static json_t *kvm_syscalls(const json_t *trace)
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
    return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o}", "note",
                     "the traced nil-keep syscalls of burh-wasmldr, sorted by how the shim's "
                     "tables (src/shim/syscall.c, forward.c) would handle them",
                     "shim_serves", string_list(burh_tcb_facts_shim_served), "shim_forwards",
                     string_list(burh_tcb_facts_shim_forwarded), "traced_served_locally", served,
                     "traced_forwarded_to_host", forwarded, "traced_unsupported_enosys", refused);
}

/* The shim runs static ELF payloads only (docs/kvm.md). */
static const char *kvm_payload_note(const json_t *binaries)
{
    size_t i;
    json_t *bin;
    json_array_foreach(binaries, i, bin)
    {
        if (strcmp(json_string_value(json_object_get(bin, "name")), "burh-wasmldr") == 0 &&
            json_is_true(json_object_get(bin, "present")))
            return strcmp(json_string_value(json_object_get(bin, "linkage")), "static") == 0
                       ? "burh-wasmldr is static, as the shim needs"
                       : "burh-wasmldr is dynamically linked: the shim loads static payloads "
                         "only, so these figures are of the nil build it would have to become";
    }
    return "burh-wasmldr is not built";
}

static json_t *syscall_view(burh_tcb_backend b, const json_t *trace)
{
    bool measured = json_is_true(json_object_get(trace, "measured"));
    if (b == BURH_TCB_KVM)
        return measured
                   ? kvm_syscalls(trace)
                   : json_pack("{s:o,s:o}", "shim_serves", string_list(burh_tcb_facts_shim_served),
                               "shim_forwards", string_list(burh_tcb_facts_shim_forwarded));
    const char *who = b == BURH_TCB_NIL ? "made to the host kernel (traced, nil keep)"
                                        : "made to the guest kernel inside the VM (traced on a "
                                          "nil keep: the same program)";
    return json_pack("{s:s,s:O*}", "note", who, "distinct",
                     measured ? json_object_get(trace, "syscalls") : NULL);
}

/* Code bytes in memory of the keep's binaries (PF_X segments) and of the libraries the loader
 * loaded: all of them when traced, else only its direct DT_NEEDED ones. */
static json_t *keep_code(const json_t *binaries, const json_t *io, burh_tcb_backend b)
{
    json_int_t own = 0, libs = 0;
    bool traced = json_object_get(io, "libraries_text_bytes") != NULL;
    size_t i, j;
    json_t *bin, *lib;
    json_array_foreach(binaries, i, bin)
    {
        const char *name = json_string_value(json_object_get(bin, "name"));
        bool loader = strcmp(name, "burh-wasmldr") == 0;
        bool in_keep = loader || (b == BURH_TCB_KVM && strcmp(name, "burh-shim.elf") == 0);
        if (!in_keep || !json_is_true(json_object_get(bin, "present")))
            continue;
        own += json_integer_value(json_object_get(bin, "exec_bytes"));
        if (loader && !traced) {
            json_array_foreach(json_object_get(bin, "needed"), j, lib) libs +=
                json_integer_value(json_object_get(lib, "text_bytes"));
        }
    }
    if (traced)
        libs = json_integer_value(json_object_get(io, "libraries_text_bytes"));
    return json_pack("{s:I,s:I,s:I,s:s}", "burh_binaries_exec_bytes", own, "libraries_text_bytes",
                     libs, "total_bytes", own + libs, "libraries_from",
                     traced ? "every library loaded in the trace (transitive)"
                            : "direct DT_NEEDED only (not traced)");
}

json_t *tcb_backend_view(burh_tcb_backend b, const json_t *trace, const json_t *binaries,
                         const char *bin_dir)
{
    (void)bin_dir;
    const backend_model *m = &models[b];
    json_t *trusted_bins = b == BURH_TCB_KVM ? json_pack("[s,s]", "burh-shim.elf", "burh-wasmldr")
                                             : json_pack("[s]", "burh-wasmldr");
    json_t *shared = json_pack("{s:s}", "what", m->memory_shared);
    json_t *dma = json_pack("{s:s}", "what", m->dma);
    json_t *view_syscalls = syscall_view(b, trace);
    if (b == BURH_TCB_KVM) {
        json_object_set_new(view_syscalls, "payload", json_string(kvm_payload_note(binaries)));
        json_object_set_new(shared, "hostcall_block_bytes",
                            json_integer((json_int_t)sizeof(struct burh_hc_block)));
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
    const char *symbols[4]; /* OpenSSL names looked for in burh-wasmldr's dynamic symbols */
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

static bool has_symbol(const uint8_t *bytes, size_t len, const char *sym)
{
    size_t n = strlen(sym) + 1; /* with its NUL, so "SHA256" does not match "SHA256_Init" */
    for (const uint8_t *p = bytes; p != NULL && (size_t)(p - bytes) + n <= len; p++) {
        p = memchr(p, sym[0], len - (size_t)(p - bytes));
        if (p == NULL || (size_t)(p - bytes) + n > len)
            break;
        if (memcmp(p, sym, n) == 0 && (p == bytes || p[-1] == '\0'))
            return true;
    }
    return false;
}

json_t *tcb_crypto(const char *bin_dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/burh-wasmldr", bin_dir);
    uint8_t *bytes = NULL;
    size_t len = 0;
    bool have = tcb_read_file(path, 1u << 30, &bytes, &len) == BURH_TCB_OK;
    json_t *ops = json_array();
    for (size_t i = 0; i < sizeof crypto_ops / sizeof crypto_ops[0]; i++) {
        const crypto_op *op = &crypto_ops[i];
        json_t *found = json_array();
        for (size_t s = 0; s < 4 && op->symbols[s] != NULL; s++) {
            if (have && has_symbol(bytes, len, op->symbols[s]))
                json_array_append_new(found, json_string(op->symbols[s]));
        }
        json_array_append_new(ops, json_pack("{s:s,s:s,s:o,s:b,s:s}", "operation", op->operation,
                                             "where", op->where, "symbols_found", found,
                                             "constant_time_documented", 0, "constant_time",
                                             op->constant_time));
    }
    free(bytes);
    return json_pack("{s:s,s:b,s:o}", "library", "OpenSSL 3 (libcrypto, libssl)", "binary_scanned",
                     have, "operations", ops);
}
