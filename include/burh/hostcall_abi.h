/* hostcall_abi.h: the versioned ABI between the kvm keep's guest shim and its host (keepldr). */
#ifndef BURH_HOSTCALL_ABI_H
#define BURH_HOSTCALL_ABI_H

/*
 * Shared by the freestanding shim and the host, so it depends on <stdint.h> only.
 * Every field is fixed-width and every struct has its size pinned by a static assertion:
 * a change in layout is a change of BURH_HOSTCALL_ABI_VERSION.
 *
 * IN  = written by the guest, read by the host.
 * OUT = written by the host, read by the guest (and validated by it: the host is untrusted).
 */
#include <stdint.h>

#define BURH_HOSTCALL_ABI_VERSION 4u

/* ---- Guest-physical memory layout (identity offsets; see docs/kvm.md) ---- */
#define BURH_GPA_BOOT_INFO   0x00001000u /* struct burh_boot_info, one page */
#define BURH_GPA_BOOT_GDT    0x00002000u /* host-built boot GDT */
#define BURH_GPA_PML4        0x00003000u /* host-built boot page tables ... */
#define BURH_GPA_PDPT_DIRECT 0x00004000u /* PML4[BURH_PML4_DIRECT]: all guest memory */
#define BURH_GPA_PD_DIRECT   0x00006000u /* 4 page directories: up to 4 GiB, 2 MiB pages */
#define BURH_GPA_TABLES_END  0x0000a000u
#define BURH_GPA_HOSTCALL    0x00010000u /* struct burh_hc_block */
#define BURH_GPA_ARGS        0x00040000u /* argv then envp strings, NUL-terminated */
#define BURH_ARGS_MAX        0x000c0000u /* up to BURH_GPA_SHIM */
#define BURH_GPA_SHIM        0x00200000u /* the shim's image (physical load address) */
#define BURH_SHIM_MAX        0x00e00000u /* up to BURH_GPA_PAYLOAD */
#define BURH_GPA_PAYLOAD     0x01000000u /* a verbatim copy of the payload ELF file */

#define BURH_MEM_MIN (64ull << 20)
#define BURH_MEM_MAX (4ull << 30)

/* The shim's one kernel window onto guest-physical memory: va = BURH_VA_DIRECT + gpa. It is also
 * where the shim is linked (BURH_VA_DIRECT + BURH_GPA_SHIM). Not the top 2 GiB: the PVM
 * (paravirtual KVM) specification keeps guest kernels out of it. */
#define BURH_VA_DIRECT   0xffffd90000000000ull
#define BURH_PML4_DIRECT ((BURH_VA_DIRECT >> 39) & 511u)

/* The payload's user address range (ring 3, lower half); the host checks ELF segments too. */
#define BURH_USER_MIN 0x0000000000010000ull
#define BURH_USER_MAX 0x00007fffffff0000ull

/* Boot segment selectors in the host-built GDT (the shim installs its own at once). They and the
 * shim's user selectors follow Linux's layout, which the PVM specification requires. */
#define BURH_BOOT_SEL_CODE 0x10u
#define BURH_BOOT_SEL_DATA 0x18u

/* ---- Port I/O: one port per purpose; the guest writes 32 bits with `outl`. ---- */
#define BURH_PORT_HOSTCALL 0x0500u /* value: call number (also in the block) */
#define BURH_PORT_EXIT     0x0501u /* value: an exit kind; details in block.exit */
#define BURH_PORT_CONSOLE  0x0502u /* value: byte count of block.console to print */

/* ---- Boot information, written by the host before the first instruction ---- */
#define BURH_BOOT_MAGIC 0x48525542u /* "BURH" */

#define BURH_BOOT_DEBUG_CONSOLE   (1u << 0) /* the shim may log to the console port */
#define BURH_BOOT_TEST_TRIPLE     (1u << 1) /* test mode: the shim triple-faults on purpose */
#define BURH_BOOT_TEST_KERNEL_GPF (1u << 2) /* test mode: the shim takes a #GP in ring 0 */

#define BURH_LAUNCH_DIGEST_SIZE 48u
/* The shim passes launch_digest on to the payload: auxv entry BURH_AT_LAUNCH_DIGEST points to
 * its 48 bytes on the initial stack (getauxval(BURH_AT_LAUNCH_DIGEST); a number Linux does not
 * use). */
#define BURH_AT_LAUNCH_DIGEST 0x4255u

struct burh_boot_info {
    uint32_t magic;        /* BURH_BOOT_MAGIC */
    uint32_t abi_version;  /* BURH_HOSTCALL_ABI_VERSION */
    uint64_t mem_size;     /* bytes of guest-physical memory from gpa 0 */
    uint64_t payload_gpa;  /* where the payload ELF file was copied */
    uint64_t payload_size; /* its size in bytes */
    uint64_t args_gpa;     /* argc + envc NUL-terminated strings, back to back */
    uint64_t args_size;    /* bytes used at args_gpa */
    uint32_t argc;         /* argv strings first ... */
    uint32_t envc;         /* ... then envp strings */
    uint64_t hostcall_gpa; /* struct burh_hc_block */
    uint64_t free_gpa;     /* first byte the shim may use as free memory */
    uint64_t flags;        /* BURH_BOOT_* */
    uint8_t launch_digest[BURH_LAUNCH_DIGEST_SIZE]; /* SHA-384, docs/kvm.md "Measurement" */
    uint64_t tsc_khz; /* ABI v4: the vCPU's TSC rate, 0 = unknown (the vDSO's clocks) */
};
_Static_assert(sizeof(struct burh_boot_info) == 136, "boot info layout");
_Static_assert(__builtin_offsetof(struct burh_boot_info, tsc_khz) == 128, "boot info");
/* A TSC rate outside this range (kHz) is a lie: the shim stops the keep. */
#define BURH_TSC_KHZ_MIN 100000ull
#define BURH_TSC_KHZ_MAX 20000000ull
_Static_assert(__builtin_offsetof(struct burh_boot_info, hostcall_gpa) == 56, "boot info");

/* ---- Hostcall numbers ---- */
enum burh_hc_call {
    BURH_HC_NONE = 0,
    BURH_HC_READ = 1,
    BURH_HC_WRITE = 2,
    BURH_HC_SOCKET = 3,
    BURH_HC_BIND = 4,
    BURH_HC_LISTEN = 5,
    BURH_HC_ACCEPT4 = 6,
    BURH_HC_CONNECT = 7,
    BURH_HC_SETSOCKOPT = 8,
    BURH_HC_GETSOCKNAME = 9,
    BURH_HC_SHUTDOWN = 10,
    BURH_HC_CLOSE = 11,
    BURH_HC_POLL = 12,
    BURH_HC_FCNTL = 13,
    BURH_HC_CLOCK_GETTIME = 14,
    BURH_HC_NANOSLEEP = 15,
    BURH_HC_GETSOCKOPT = 16, /* ABI v3 */
    BURH_HC_SENDTO = 17,     /* ABI v3 */
    BURH_HC_RECVFROM = 18,   /* ABI v3 */
    BURH_HC_FSTAT = 19,      /* ABI v3 */
    BURH_HC_COUNT = 20
};

/* Largest payload of one call in block.data; bigger reads/writes are done in pieces. */
#define BURH_HC_DATA_MAX 0x10000u
/* Guest-visible descriptor numbers are below this (the host keeps a table). The host hands out
 * numbers below BURH_HC_FD_HOST_MAX only; the shim's own descriptors (pipes, eventfds, epoll)
 * take the numbers from there up, so the two never collide. */
#define BURH_HC_FD_MAX      1024
#define BURH_HC_FD_HOST_MAX 512
/* A reply's `ret` is either a result or -errno with errno in [1, BURH_HC_ERRNO_MAX]. */
#define BURH_HC_ERRNO_MAX    4095
#define BURH_HC_SOCKADDR_MAX 128u
#define BURH_HC_OPT_MAX      256u
#define BURH_HC_POLL_MAX     (BURH_HC_DATA_MAX / 8u)

/* READ / WRITE: data in block.data (WRITE: IN, READ: OUT). ret = bytes done, <= len. */
struct burh_hc_rw {
    int32_t fd;   /* IN */
    uint32_t len; /* IN, <= BURH_HC_DATA_MAX */
};
_Static_assert(sizeof(struct burh_hc_rw) == 8, "hc rw");

/* SOCKET: ret = a new guest fd. */
struct burh_hc_socket {
    int32_t domain;   /* IN: AF_INET, AF_INET6 or AF_UNIX */
    int32_t type;     /* IN: SOCK_STREAM/SOCK_DGRAM, optionally | SOCK_NONBLOCK | SOCK_CLOEXEC */
    int32_t protocol; /* IN */
    uint32_t pad;
};
_Static_assert(sizeof(struct burh_hc_socket) == 16, "hc socket");

/* BIND / CONNECT: the sockaddr (IN) in block.data. ret = 0. */
struct burh_hc_addr {
    int32_t fd;       /* IN */
    uint32_t addrlen; /* IN, <= BURH_HC_SOCKADDR_MAX */
};
_Static_assert(sizeof(struct burh_hc_addr) == 8, "hc addr");

/* ACCEPT4 / GETSOCKNAME: the sockaddr (OUT) in block.data. ACCEPT4: ret = a new guest fd. */
struct burh_hc_name {
    int32_t fd;           /* IN */
    int32_t flags;        /* IN, ACCEPT4 only: SOCK_NONBLOCK | SOCK_CLOEXEC */
    uint32_t addrlen_cap; /* IN, <= BURH_HC_SOCKADDR_MAX: room the guest has */
    uint32_t addrlen;     /* OUT: the address's full length (may exceed the room) */
};
_Static_assert(sizeof(struct burh_hc_name) == 16, "hc name");

/* LISTEN, SHUTDOWN, CLOSE: ret = 0. */
struct burh_hc_fd_int {
    int32_t fd;  /* IN */
    int32_t arg; /* IN: backlog (LISTEN), how (SHUTDOWN), unused (CLOSE) */
};
_Static_assert(sizeof(struct burh_hc_fd_int) == 8, "hc fd int");

/* SETSOCKOPT: the option value (IN) in block.data. ret = 0.
 * GETSOCKOPT: optlen IN is the room the guest has; the value (OUT) in block.data and
 * ret = its length, <= optlen. */
struct burh_hc_sockopt {
    int32_t fd;      /* IN */
    int32_t level;   /* IN */
    int32_t optname; /* IN */
    uint32_t optlen; /* IN, <= BURH_HC_OPT_MAX */
};
_Static_assert(sizeof(struct burh_hc_sockopt) == 16, "hc sockopt");

/* SENDTO / RECVFROM (also the shim's sendmsg/recvmsg, flattened): the address at block.data,
 * the bytes at block.data + BURH_HC_MSG_DATA. SENDTO: address and bytes IN (addrlen 0 = none).
 * RECVFROM: bytes OUT, ret = bytes received <= len; the sender's address OUT, addrlen = its
 * full length (<= BURH_HC_SOCKADDR_MAX; only addrlen_cap bytes of it are written). */
#define BURH_HC_MSG_DATA 0x100u
#define BURH_HC_MSG_MAX  (BURH_HC_DATA_MAX - BURH_HC_MSG_DATA)
struct burh_hc_msg {
    int32_t fd;           /* IN */
    int32_t flags;        /* IN: MSG_DONTWAIT, MSG_PEEK, MSG_TRUNC, MSG_WAITALL, MSG_NOSIGNAL */
    uint32_t len;         /* IN, <= BURH_HC_MSG_MAX */
    uint32_t addrlen;     /* IN (SENDTO), OUT (RECVFROM) */
    uint32_t addrlen_cap; /* IN (RECVFROM), <= BURH_HC_SOCKADDR_MAX */
    uint32_t pad;
};
_Static_assert(sizeof(struct burh_hc_msg) == 24, "hc msg");

/* FSTAT: fd_int.fd IN; ret = the file type bits only (S_IFSOCK, S_IFCHR, S_IFIFO or S_IFREG):
 * the keep learns nothing else about host files. */

/* POLL: nfds struct burh_hc_pollfd in block.data; fd/events IN, revents OUT. ret <= nfds. */
struct burh_hc_poll {
    uint32_t nfds;      /* IN, <= BURH_HC_POLL_MAX */
    int32_t timeout_ms; /* IN, -1 = no timeout */
};
_Static_assert(sizeof(struct burh_hc_poll) == 8, "hc poll");

struct burh_hc_pollfd {
    int32_t fd;      /* IN */
    int16_t events;  /* IN */
    int16_t revents; /* OUT */
};
_Static_assert(sizeof(struct burh_hc_pollfd) == 8, "hc pollfd");

/* FCNTL: F_GETFD, F_SETFD, F_GETFL, F_SETFL only. ret = the flags or 0. */
struct burh_hc_fcntl {
    int32_t fd;  /* IN */
    int32_t cmd; /* IN */
    int64_t arg; /* IN */
};
_Static_assert(sizeof(struct burh_hc_fcntl) == 16, "hc fcntl");

/* CLOCK_GETTIME: ret = 0. NANOSLEEP: sec/nsec IN, ret = 0 or -EINTR. */
struct burh_hc_time {
    int32_t clock_id; /* IN: CLOCK_REALTIME or CLOCK_MONOTONIC (CLOCK_GETTIME) */
    uint32_t pad;
    int64_t sec;  /* OUT (CLOCK_GETTIME), IN (NANOSLEEP), >= 0 */
    int64_t nsec; /* OUT (CLOCK_GETTIME), IN (NANOSLEEP), < 1e9 */
};
_Static_assert(sizeof(struct burh_hc_time) == 24, "hc time");

union burh_hc_args {
    struct burh_hc_rw rw;
    struct burh_hc_socket socket;
    struct burh_hc_addr addr;
    struct burh_hc_name name;
    struct burh_hc_fd_int fd_int;
    struct burh_hc_sockopt sockopt;
    struct burh_hc_poll poll;
    struct burh_hc_fcntl fcntl;
    struct burh_hc_time time;
    struct burh_hc_msg msg;
    uint8_t raw[32];
};
_Static_assert(sizeof(union burh_hc_args) == 32, "hc args");

/* ---- Ending the keep: the guest fills block.exit, then writes the kind to the exit port ---- */
enum burh_exit_kind {
    BURH_EXIT_STATUS = 1, /* the payload called exit/exit_group; code = its status */
    BURH_EXIT_FAULT = 2,  /* a CPU exception the shim could not resolve */
    BURH_EXIT_ABORT = 3,  /* the shim stopped the keep: bad host reply, out of memory, ... */
    BURH_EXIT_SIGNAL = 4  /* ABI v3: a signal's default action ended the payload; code = signal */
};

#define BURH_EXIT_MSG_MAX 152u

/* Syscall counters (ABI v3): on every exit the shim leaves stats_count entries in block.data,
 * one per (syscall number, disposition) it saw, for `burh tcb` (keepldr --syscall-stats). */
enum burh_sc_disposition {
    BURH_SC_SERVED = 0,    /* answered inside the shim */
    BURH_SC_FORWARDED = 1, /* passed on to the host (after the shim's checks) */
    BURH_SC_REFUSED = 2    /* not offered: -ENOSYS */
};
#define BURH_SC_NR_MAX    512u /* syscall numbers counted: [0, BURH_SC_NR_MAX) */
#define BURH_SC_STATS_MAX (BURH_SC_NR_MAX * 3u)
struct burh_sc_stat {
    uint16_t nr;          /* < BURH_SC_NR_MAX */
    uint16_t disposition; /* enum burh_sc_disposition */
    uint32_t count;       /* >= 1 */
};
_Static_assert(sizeof(struct burh_sc_stat) == 8, "sc stat");
_Static_assert(BURH_SC_STATS_MAX * 8u <= 0x10000u, "sc stats fit block.data");

struct burh_exit_record {
    uint32_t kind;        /* IN: enum burh_exit_kind */
    int32_t code;         /* IN: exit status (STATUS) */
    uint64_t vector;      /* IN: exception vector (FAULT) */
    uint64_t error_code;  /* IN: exception error code (FAULT) */
    uint64_t rip;         /* IN: faulting instruction (FAULT) */
    uint64_t cr2;         /* IN: faulting address (FAULT, vector 14) */
    uint64_t ring;        /* IN: privilege level the fault came from (FAULT) */
    uint32_t stats_count; /* IN: struct burh_sc_stat entries in block.data */
    uint32_t reserved;
    char message[BURH_EXIT_MSG_MAX]; /* IN: a NUL-terminated one-line reason */
};
_Static_assert(sizeof(struct burh_exit_record) == 56 + BURH_EXIT_MSG_MAX, "exit record");

#define BURH_HC_CONSOLE_MAX 512u

/* Boot marks (ABI v3): the shim's time-stamp counter at steps of its start, stored straight into
 * the block (no VM exit) for keepldr --timing. Measurement only: nothing trusts them. */
struct burh_boot_marks {
    uint64_t tsc_start;  /* shim_main entered */
    uint64_t tsc_cpu;    /* GDT, TSS, IDT, MSRs, extended state set up */
    uint64_t tsc_mm;     /* frame allocator and page tables ready */
    uint64_t tsc_loaded; /* payload segments mapped, initial stack built */
    uint64_t tsc_user;   /* entering ring 3 */
    uint64_t faults;     /* page faults the shim resolved so far (lazily backed pages) */
    uint64_t syscalls;   /* syscalls the payload made so far */
    uint64_t reserved;
};
_Static_assert(sizeof(struct burh_boot_marks) == 64, "boot marks");

/* The shared block at hostcall_gpa. One vCPU, so one request at a time. */
struct burh_hc_block {
    uint32_t abi_version;    /* IN: BURH_HOSTCALL_ABI_VERSION */
    uint32_t call;           /* IN: enum burh_hc_call */
    int64_t ret;             /* OUT: result or -errno */
    union burh_hc_args args; /* IN/OUT per call */
    uint8_t reserved0[0x100 - 48];
    struct burh_boot_marks marks; /* IN, at 0x100 */
    uint8_t reserved0b[0x400 - 0x100 - sizeof(struct burh_boot_marks)];
    struct burh_exit_record exit; /* IN, at 0x400 */
    uint8_t reserved1[0x400 - sizeof(struct burh_exit_record)];
    char console[BURH_HC_CONSOLE_MAX]; /* IN, at 0x800 */
    uint8_t reserved2[0x800 - BURH_HC_CONSOLE_MAX];
    uint8_t data[BURH_HC_DATA_MAX]; /* IN/OUT per call, at 0x1000 */
};
_Static_assert(__builtin_offsetof(struct burh_hc_block, ret) == 8, "hc block");
_Static_assert(__builtin_offsetof(struct burh_hc_block, args) == 16, "hc block");
_Static_assert(__builtin_offsetof(struct burh_hc_block, marks) == 0x100, "hc block");
_Static_assert(__builtin_offsetof(struct burh_hc_block, exit) == 0x400, "hc block");
_Static_assert(__builtin_offsetof(struct burh_hc_block, console) == 0x800, "hc block");
_Static_assert(__builtin_offsetof(struct burh_hc_block, data) == 0x1000, "hc block");
_Static_assert(sizeof(struct burh_hc_block) == 0x1000 + BURH_HC_DATA_MAX, "hc block");
_Static_assert(BURH_GPA_HOSTCALL + sizeof(struct burh_hc_block) <= BURH_GPA_ARGS, "layout");

#endif /* BURH_HOSTCALL_ABI_H */
