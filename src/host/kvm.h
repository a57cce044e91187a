/* kvm.h: the kvm backend of burh-keepldr: guest memory, ELF checks, hostcalls and the vCPU. */
#ifndef BURH_HOST_KVM_H
#define BURH_HOST_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "burh/hostcall_abi.h"

/* ---- Errors (setup failures; a guest's misbehaviour is a kvm_outcome, not an error) ---- */
enum kvm_err {
    KVM_OK = 0,
    KVM_ERR_DEVICE, /* /dev/kvm missing, unusable, wrong API version or capability */
    KVM_ERR_MEMORY, /* guest memory could not be made or is of a bad size */
    KVM_ERR_FILE,   /* the shim or payload file could not be read */
    KVM_ERR_ELF,    /* the shim or payload is not an ELF we accept (see kvm_elf_err) */
    KVM_ERR_ARGS,   /* argv/envp do not fit the argument block */
    KVM_ERR_VCPU    /* vCPU creation or register set-up failed */
};

/* ---- Guest memory and the one checked translator ---- */
struct kvm_guest_mem {
    uint8_t *base; /* host mapping of guest-physical 0 */
    uint64_t size; /* bytes */
};

/* The host pointer for guest-physical [gpa, gpa+len), or NULL if any byte of it is outside
 * guest memory (overflow-safe). Every host access to guest memory goes through here. */
void *kvm_guest_span(const struct kvm_guest_mem *mem, uint64_t gpa, uint64_t len);

/* Writes the boot GDT and the identity/kernel-window page tables (2 MiB pages). */
int kvm_build_page_tables(const struct kvm_guest_mem *mem);

/* ---- ELF validation and loading ---- */
enum kvm_elf_err {
    KVM_ELF_OK = 0,
    KVM_ELF_ERR_TRUNCATED, /* shorter than its headers say */
    KVM_ELF_ERR_NOT_ELF,   /* bad magic, class, data order or version */
    KVM_ELF_ERR_MACHINE,   /* not x86-64 */
    KVM_ELF_ERR_TYPE,      /* not ET_EXEC */
    KVM_ELF_ERR_PHDRS,     /* program header table malformed or too large */
    KVM_ELF_ERR_SEGMENT,   /* a PT_LOAD segment inconsistent with the file */
    KVM_ELF_ERR_PLACEMENT, /* a PT_LOAD segment outside the addresses allowed for its kind */
    KVM_ELF_ERR_INTERP,    /* dynamically linked (PT_INTERP) */
    KVM_ELF_ERR_ENTRY      /* entry point not inside an executable segment */
};

enum kvm_elf_kind {
    KVM_ELF_SHIM,   /* linked at BURH_VA_DIRECT + its load address, inside the shim's region */
    KVM_ELF_PAYLOAD /* a static executable inside the user address range */
};

#define KVM_ELF_MAX_PHNUM 64

struct kvm_elf_info {
    uint64_t entry;
    unsigned load_count;
};

/* Checks every header field and PT_LOAD segment against `size` and the kind's address range.
 * Reads only file[0, size). Returns KVM_ELF_OK or the first problem found. */
enum kvm_elf_err kvm_elf_check(const uint8_t *file, size_t size, enum kvm_elf_kind kind,
                               struct kvm_elf_info *info);
const char *kvm_elf_strerror(enum kvm_elf_err err);

/* Copies a checked shim ELF's segments to their physical addresses (zeroing .bss). */
enum kvm_elf_err kvm_elf_load_shim(const struct kvm_guest_mem *mem, const uint8_t *file,
                                   size_t size, uint64_t *entry);

/* ---- Hostcalls ---- */
/* Test knob (env BURH_KVM_HOSTILE): the host lies in replies so tests can watch the shim
 * refuse. The host is untrusted anyway, so this adds no power a real host lacks. */
enum kvm_hostile {
    KVM_HOSTILE_NONE = 0,
    KVM_HOSTILE_WRITE_RET,   /* "write-ret": write claims one byte more than asked */
    KVM_HOSTILE_ERRNO_RANGE, /* "errno-range": every call fails with errno 100000 */
    KVM_HOSTILE_ADDRLEN,     /* "addrlen": accept4/getsockname/recvfrom: a 4 KiB address */
    KVM_HOSTILE_CLOCK,       /* "clock": clock_gettime returns 2e9 nanoseconds */
    KVM_HOSTILE_POLL,        /* "poll": poll reports events nobody asked for */
    KVM_HOSTILE_RECV_LEN,    /* "recv-len": recvfrom claims one byte more than asked */
    KVM_HOSTILE_SOCKOPT_LEN, /* "sockopt-len": getsockopt claims a value longer than the room */
    KVM_HOSTILE_FSTAT,       /* "fstat": fstat answers with a file type the ABI does not know */
    KVM_HOSTILE_TSC_KHZ      /* "tsc-khz": the boot info claims a 50 GHz TSC */
};

enum kvm_hostile kvm_hostile_parse(const char *name);

/* Guest fd -> host fd; guest fds 0..2 are the keep's stdio, the rest sockets it opened. */
struct kvm_fdtab {
    int host[BURH_HC_FD_MAX]; /* -1 = free */
};

void kvm_fdtab_init(struct kvm_fdtab *tab);
/* Makes guest fd `guest_fd` (3..BURH_HC_FD_HOST_MAX-1) name host fd `fd`; takes ownership of
 * `fd`. 0, or -1 when the number is taken or out of range. */
int kvm_fdtab_install(struct kvm_fdtab *tab, int guest_fd, int fd);
/* Closes every socket the keep opened (stdio stays open). */
void kvm_fdtab_close_all(struct kvm_fdtab *tab);

struct kvm_hostcall_ctx {
    const struct kvm_guest_mem *mem;
    struct kvm_fdtab fds;
    enum kvm_hostile hostile;
    uint64_t calls;
};

/* Serves the request in the block at BURH_GPA_HOSTCALL: copies it out once, validates it,
 * performs it and writes the reply. A bad request gets -errno; only a block outside guest
 * memory (impossible once set up) returns -1. */
int kvm_hostcall_handle(struct kvm_hostcall_ctx *ctx);

/* ---- The launch digest (docs/kvm.md "Measurement") ---- */
struct kvm_launch_inputs {
    const uint8_t *shim; /* the shim ELF file, verbatim */
    size_t shim_size;
    const uint8_t *payload; /* the payload ELF file, verbatim */
    size_t payload_size;
    uint64_t mem_size; /* guest memory in bytes */
    uint64_t flags;    /* BURH_BOOT_* as in the boot info */
};

/* SHA-384 of everything keepldr loads that is the same on every launch; 0 or -1. The one
 * definition shared by burh-keepldr and `burh measure`. */
int kvm_launch_digest(const struct kvm_launch_inputs *in, uint8_t out[BURH_LAUNCH_DIGEST_SIZE]);
/* Reads a whole regular file (<= 256 MiB); the caller frees *data. 0, or -1 and why. */
int kvm_read_image(const char *path, uint8_t **data, size_t *size, char *why, size_t cap);
/* Reads a whole regular file straight into dst (room bytes): no second copy. 0, or -1 and why
 * (also when it does not fit). */
int kvm_read_image_into(const char *path, uint8_t *dst, size_t room, size_t *size, char *why,
                        size_t cap);
/* kvm_launch_digest of two files. 0, or -1 and why. */
int kvm_launch_digest_files(const char *shim_path, const char *payload_path, uint64_t mem_size,
                            uint64_t flags, uint8_t out[BURH_LAUNCH_DIGEST_SIZE], char *why,
                            size_t cap);

/* ---- Running a keep ---- */
enum kvm_outcome {
    KVM_OUT_EXITED = 0, /* the payload exited; `status` is its status */
    KVM_OUT_FAULT,      /* an unresolved CPU exception in the guest */
    KVM_OUT_ABORT,      /* the shim stopped the keep (e.g. a bad host reply) */
    KVM_OUT_TIMEOUT,    /* the wall-time limit passed */
    KVM_OUT_VM_ERROR,   /* triple fault, failed entry, internal error, unknown exit */
    KVM_OUT_SETUP,      /* the keep could not be built; `report` says why */
    KVM_OUT_STOPPED,    /* SIGTERM/SIGINT/SIGHUP to keepldr; `status` is the signal */
    KVM_OUT_SIGNALED    /* a signal's default action ended the payload; `status` is the signal */
};

/* burh-keepldr's exit status for each outcome other than KVM_OUT_EXITED. */
#define KVM_STATUS_FAULT    121
#define KVM_STATUS_ABORT    122
#define KVM_STATUS_TIMEOUT  123
#define KVM_STATUS_VM_ERROR 124
#define KVM_STATUS_SETUP    125

#define KVM_DEFAULT_MEM_MIB    256u
#define KVM_DEFAULT_TIME_LIMIT 3600u
/* A wasmldr keep: guest memory burh-wasmldr-static itself needs besides the Wasm program's
 * linear memory; keepldr caps linear memory at the rest unless --mem-limit says exactly. */
#define KVM_WASMLDR_RESERVE_MIB 192u
#define KVM_MEM_LIMIT_MIN_MIB   16u
#define KVM_MEM_LIMIT_MAX_MIB   4096u /* wasmldr's largest --mem-limit */

struct kvm_keep_config {
    const char *shim_path;
    const char *payload_path;
    const char *const *argv; /* argc strings, argv[0] = the program name */
    unsigned argc;
    const char *const *envp;
    unsigned envc;
    uint64_t mem_size;      /* bytes, a multiple of 2 MiB in [BURH_MEM_MIN, BURH_MEM_MAX] */
    unsigned time_limit_ms; /* 0 = none */
    int debug_console;      /* print the shim's log lines on stderr */
    uint64_t test_flags;    /* BURH_BOOT_TEST_* */
    enum kvm_hostile hostile;
    int status_fd; /* >= 0: guest fd 3 writes here (a pipe keepldr relays); -1: none */
};

/* A keep's boot, for --timing. Host clock: nanoseconds from KVM_CREATE_VM to the end of each
 * host step (0 = not reached). Shim steps: durations from the shim's TSC marks converted with
 * the vCPU's TSC rate (0 when unavailable or implausible). */
struct kvm_timing {
    uint64_t memory_ns;       /* guest memory mapped, boot page tables written */
    uint64_t loaded_ns;       /* shim and payload loaded, digest, argv and boot info written */
    uint64_t vcpu_ns;         /* vCPU created and set up: the first KVM_RUN follows */
    uint64_t first_hc_ns;     /* the payload's first hostcall (in main for our payloads) */
    uint64_t shim_cpu_ns;     /* shim: boot info check, GDT/IDT/MSRs/extended state */
    uint64_t shim_mm_ns;      /* shim: frame allocator, page tables */
    uint64_t shim_load_ns;    /* shim: payload segments and initial stack */
    uint64_t shim_to_main_ns; /* ring 3 entry to the first hostcall (libc start-up) */
    uint64_t boot_exits;      /* VM exits (KVM_RUN returns) before the first hostcall */
    uint64_t boot_faults;     /* page faults the shim resolved before it (its count) */
    uint64_t boot_syscalls;   /* syscalls the payload made before it (the shim's count) */
    uint64_t run_ns;          /* first KVM_RUN to the keep's end */
    uint64_t run_exits;       /* VM exits (KVM_RUN returns) in the whole run */
    uint64_t run_faults;      /* page faults the shim resolved in the whole run (its count) */
    uint64_t run_syscalls;    /* syscalls the payload made in the whole run (its count) */
};

struct kvm_result {
    enum kvm_outcome outcome;
    int status;         /* KVM_OUT_EXITED: the payload's exit status */
    char report[384];   /* one line saying what happened */
    uint64_t boot_ns;   /* KVM_CREATE_VM to the first hostcall (0 if none) */
    uint64_t hostcalls; /* hostcalls served */
    uint8_t launch_digest[BURH_LAUNCH_DIGEST_SIZE]; /* as given to the guest */
    struct kvm_timing timing;                       /* host-side boot breakdown */
    /* The shim's syscall counters, copied and checked at its exit (stats_valid); not there when
     * the keep ended otherwise (time limit, VM error) or the table was malformed. */
    int stats_valid;
    uint32_t stats_count;
    struct burh_sc_stat stats[BURH_SC_STATS_MAX];
};

/* Builds the keep, runs it to its end and fills `res`. Never exits the process. */
void kvm_keep_run(const struct kvm_keep_config *cfg, struct kvm_result *res);

/* ---- Status records of a keep running burh-wasmldr (kvm_relay.c) ---- */
#define KVM_STATUS_PROTOCOL 76 /* the keep broke the status protocol (as keepldr.h's) */

/* Starts relaying records from a new pipe to `to_mgr`; *guest_end is the pipe's write end, to
 * be given to the guest (kvm_keep_config.status_fd). 0 or -1. */
int kvm_relay_start(int to_mgr, int *guest_end);
/* Closes guest_end, drains the pipe and sends the final "exit" record (the keep's own reason
 * if it gave one, else `report`). Returns the status to exit with. */
int kvm_relay_finish(int guest_end, int status, const char *report);

/* ---- Syscall counters (kvm_stats.c) ---- */
/* The x86-64 Linux name of syscall `nr`, or NULL when unknown. */
const char *kvm_syscall_name(unsigned nr);
/* Checks a table from the shim: n <= BURH_SC_STATS_MAX, every nr < BURH_SC_NR_MAX, a known
 * disposition, counts >= 1, entries in strictly increasing (nr, disposition) order. 0 or -1. */
int kvm_stats_check(const struct burh_sc_stat *s, uint32_t n);
/* Writes the table as text (docs/kvm.md "Syscall counters"): a header line
 * `# burh kvm syscalls: N distinct, M calls`, then `NAME DISPOSITION COUNT` lines sorted by
 * name and disposition. The table must have passed kvm_stats_check. 0, or -1 on a write error
 * or when n is too large. */
int kvm_stats_write(FILE *out, const struct burh_sc_stat *s, uint32_t n);

/* Why /dev/kvm cannot run keeps here, or NULL when it can (for tests' skip messages). */
const char *kvm_unusable_reason(void);

#endif /* BURH_HOST_KVM_H */
