/* shim.h: internal interfaces of the freestanding kvm guest shim (no libc, ring 0). */
#ifndef BURH_SHIM_H
#define BURH_SHIM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "burh/hostcall_abi.h"

/* Everything is in one static image: hidden symbols are reached RIP-relative, without a GOT. */
#ifndef BURH_SHIM_HOST_TEST
#pragma GCC visibility push(hidden)
#endif

#define PAGE_SIZE 4096ull
#define PAGE_MASK (~(PAGE_SIZE - 1))

/* Linux errno values the shim returns to the payload. */
#define EPERM  1
#define ENOENT 2
#define EINTR  4
#define EBADF  9
#define ENOMEM 12
#define EEXIST 17
#define ENODEV 19
#define EACCES 13
#define EFAULT 14
#define EINVAL 22
#define ENOTTY 25
#define ESPIPE 29
#define ERANGE 34
#define ENOSYS 38

/* Segment selectors of the shim's own GDT (user ones include RPL 3). */
#define SEL_KCODE   0x10u
#define SEL_KDATA   0x18u
#define SEL_UCODE32 0x23u
#define SEL_UDATA   0x2bu
#define SEL_UCODE   0x33u
#define SEL_TSS     0x38u

#ifdef BURH_SHIM_HOST_TEST
/* tests/unit/test_kvm_shim_mm.c runs mm.c as a host program: guest memory is a plain buffer and
 * the privileged instructions are stand-ins. */
extern uint8_t *burh_test_phys;
static inline void *phys_to_virt(uint64_t pa)
{
    return burh_test_phys + pa;
}
static inline void invlpg(uint64_t va)
{
    (void)va;
}
static inline uint64_t read_cr3(void)
{
    return BURH_GPA_PML4;
}
static inline void write_cr3(uint64_t pa)
{
    (void)pa;
}
#else
static inline void *phys_to_virt(uint64_t pa)
{
    return (void *)(uintptr_t)(BURH_VA_DIRECT + pa);
}
static inline void invlpg(uint64_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}
static inline uint64_t read_cr3(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
static inline void write_cr3(uint64_t pa)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(pa) : "memory");
}
#endif

/* Registers saved by the exception stubs in entry.S, lowest address first. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};

/* Registers saved by syscall_entry in entry.S, lowest address first. The layout is the
 * trap_frame's, register for register, so a syscall that arrives as a page fault (PVM, see
 * cpu.c) is served in place, without copying every register into this shape and back (each
 * copy an emulated instruction there). The exception-only slots are unused on this path. */
struct syscall_frame {
    uint64_t r15, r14, r13, r12;
    uint64_t user_rflags; /* R11, as SYSCALL leaves it */
    uint64_t r10, r9, r8, rbp, rdi, rsi, rdx;
    uint64_t user_rip; /* RCX, as SYSCALL leaves it */
    uint64_t rbx;
    uint64_t nr; /* RAX */
    uint64_t unused_vector, unused_error_code, unused_rip, unused_cs, unused_rflags;
    uint64_t user_rsp;
    uint64_t unused_ss;
};
_Static_assert(sizeof(struct syscall_frame) == sizeof(struct trap_frame), "frame layout");
_Static_assert(offsetof(struct syscall_frame, user_rflags) == offsetof(struct trap_frame, r11),
               "frame layout");
_Static_assert(offsetof(struct syscall_frame, user_rip) == offsetof(struct trap_frame, rcx),
               "frame layout");
_Static_assert(offsetof(struct syscall_frame, nr) == offsetof(struct trap_frame, rax),
               "frame layout");
_Static_assert(offsetof(struct syscall_frame, rdi) == offsetof(struct trap_frame, rdi),
               "frame layout");
_Static_assert(offsetof(struct syscall_frame, user_rsp) == offsetof(struct trap_frame, rsp),
               "frame layout");

/* The boot information, copied once out of guest memory and checked by shim_main. */
extern struct burh_boot_info g_boot;

/* lib.c */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strnlen(const char *s, size_t max);
int shim_vformat(char *buf, size_t cap, const char *fmt, va_list ap);
int shim_format(char *buf, size_t cap, const char *fmt, ...);
int shim_random_bytes(void *buf, size_t len);

/* hostcall.c: the port I/O channel to the host */
void hc_init(uint64_t block_gpa);
volatile struct burh_hc_block *hc_block(void);
int64_t hc_call(uint32_t call);
void shim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void shim_abort(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void shim_exit_status(int status);
_Noreturn void shim_exit_fault(const struct trap_frame *f, uint64_t cr2, const char *what);
/* A signal's default action ended the payload (kill/tgkill to itself, e.g. abort()). */
_Noreturn void shim_exit_signal(int sig, const char *why);

/* cpu.c */
/* Set once a syscall arrives through the fault path: the host emulates the shim (PVM), which
 * cannot emulate every instruction (XSAVE, FXSAVE). */
extern int g_kernel_emulated;
void cpu_init(void);
_Noreturn void cpu_test_triple_fault(void);
uint64_t cpu_hwcap(void);
void cpu_set_fs_base(uint64_t base);
uint64_t cpu_fs_base(void);

/* entry.S */
_Noreturn void enter_user(uint64_t rip, uint64_t rsp);
void syscall_entry(void);
extern const uint64_t exception_stubs[32];

/* mm.c: frames, page tables, user regions */
#define PROT_NONE  0x0
#define PROT_READ  0x1
#define PROT_WRITE 0x2
#define PROT_EXEC  0x4

void mm_init(void);
uint64_t mm_frame_alloc(void);
int mm_map_region(uint64_t start, uint64_t end, uint32_t prot);
int mm_unmap(uint64_t start, uint64_t len);
int mm_protect(uint64_t start, uint64_t len, uint32_t prot);
int mm_discard(uint64_t start, uint64_t len);
uint64_t mm_find_gap(uint64_t len);
int mm_range_free(uint64_t start, uint64_t end);
int mm_handle_fault(uint64_t addr, uint64_t error_code);
int mm_map_frame(uint64_t va, uint64_t pa, uint32_t prot);
/* ELF loading: records [start, end) as backed lazily, page by page in place, by the payload
 * file's copy from guest-physical file_pa (inside guest memory). 0 or -ENOMEM. */
int mm_map_file(uint64_t start, uint64_t end, uint32_t prot, uint64_t file_pa);
int mm_map_shim_pages(uint64_t start, uint64_t end, uint32_t prot, uint64_t pa);
void mm_populate(uint64_t start, uint64_t end);
int mm_page_backed(uint64_t va);
int mm_load_page(uint64_t va, uint32_t prot, const uint8_t *src, uint64_t offset, uint64_t n);
int mm_user_ok(uint64_t ptr, uint64_t len, int write);
/* 1 when addr lies in a region the payload mapped (whatever its protection). */
int mm_is_mapped(uint64_t addr);
uint64_t mm_brk(uint64_t want);
void mm_set_brk_base(uint64_t base);

/* elf.c */
struct payload_image {
    uint64_t entry;
    uint64_t phdr_va;
    uint64_t phnum;
    uint64_t brk_base;
    uint64_t vdso; /* AT_SYSINFO_EHDR: the vDSO's address in user space */
};
int elf_load_payload(struct payload_image *img);
uint64_t elf_build_stack(const struct payload_image *img);

/* clock.c: the vDSO, its clock pages, and the clock syscalls served from the TSC. */
/* Checks the TSC rate and maps the clock pages and the vDSO; returns the vDSO's address. */
uint64_t clock_init(void);
int64_t clock_syscall(uint64_t nr, const uint64_t a[6], int *handled);

/* syscall.c, hostcall.c */
int64_t shim_syscall(struct syscall_frame *f);
/* Per syscall number and disposition (BURH_SC_*): how often the payload made it. Writes the
 * used entries to out (room for BURH_SC_STATS_MAX) and returns their number. */
uint32_t shim_stats_export(volatile struct burh_sc_stat *out);
int64_t fwd_syscall(uint64_t nr, const uint64_t a[6], int *handled);
/* The host's CLOCK_REALTIME (0) or CLOCK_MONOTONIC (1), its shape checked; 0 or -errno. */
int64_t fwd_host_clock(int64_t clock_id, int64_t *sec, int64_t *nsec);
/* fstat/newfstatat: 0 when the call names its fd (not a path), else -errno. */
int64_t fwd_stat_target(uint64_t nr, const uint64_t a[6]);
/* Writes a struct stat of the given file type bits to the payload's buf; 0 or -EFAULT. */
int64_t fwd_fill_stat(uint64_t buf, uint32_t mode);
/* Polls host descriptors held in shim memory (epoll); replies checked as for poll. */
int64_t fwd_poll_host(struct burh_hc_pollfd *fds, uint32_t nfds, int64_t timeout);
/* thread.c: clone, futex, thread exit and switches at blocking calls. May replace *f with
 * another thread's registers (its result is returned); may lower a poll timeout in a[]. */
int64_t thread_syscall(struct syscall_frame *f, uint64_t a[6], int *handled);
void thread_after_syscall(uint64_t nr, const uint64_t a[6]);
#define SHIM_THREAD_MAX 16
/* Returned by local_syscall when the call must wait: dispatch parks the thread on the channel
 * named by thread_block_on (never a value the payload sees: not an -errno). */
#define SHIM_BLOCKED (-((int64_t)1 << 40))
int thread_others_alive(void);
void thread_block_on(const void *channel);
int64_t thread_block(struct syscall_frame *f);
void thread_wake_channel(const void *channel);
/* A blocking write continued after a park: the bytes it moved so far, kept per thread and
 * keyed by its (fd, buf, len) so another call never inherits them. */
uint64_t thread_io_done(const uint64_t a[3]);
void thread_io_set(const uint64_t a[3], uint64_t done);
/* The running thread's slot in [0, SHIM_THREAD_MAX); the slot of a live thread's tid, or -1. */
int thread_slot(void);
int thread_slot_of_tid(int64_t tid);
void thread_interrupt(int slot);
/* signal.c: actions, per-thread masks and alternate stacks, delivery, rt_sigreturn. */
void sig_init(void);
void sig_thread_start(int slot, int parent);
int64_t sig_syscall(struct syscall_frame *f, const uint64_t a[6], int *handled);
/* A ring-3 exception the shim did not resolve: 0 when f now enters the payload's handler. */
int sig_fault(struct trap_frame *f, uint64_t cr2);
/* Delivers a due signal at syscall return by filling g_sig_frame (and g_sig_frame_pending). */
void sig_after_syscall(const struct syscall_frame *s, int64_t ret);
/* When set, the return to ring 3 restores every register from g_sig_frame (iretq), not from
 * the syscall frame; whoever returns clears it. */
extern struct trap_frame g_sig_frame;
extern int g_sig_frame_pending;
/* Set whenever a signal may have become deliverable (pending, or a mask or thread changed):
 * sig_after_syscall runs only then, as every instruction on the syscall path is emulated on a
 * PVM host. */
extern int g_sig_due;
/* Running counts for the boot marks, published to the block at each hostcall. */
extern uint64_t g_faults_resolved, g_syscalls_made;
/* localfd.c: pipes, eventfds, epoll, dup of stdio, futex, sysinfo */
int64_t local_syscall(uint64_t nr, const uint64_t a[6], int *handled);
/* ppoll: checks its sigmask and timeout and replaces a[2] by the timeout in milliseconds
 * (-1 forever), so it runs as poll does; 0 or -errno. */
int64_t local_ppoll_timeout(uint64_t a[6]);

static inline void outl(uint16_t port, uint32_t value)
{
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

static inline uint64_t read_cr2(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

#ifndef BURH_SHIM_HOST_TEST
#pragma GCC visibility pop
#endif

/* XMM0-15 to or from 256 bytes at p (the part of the FP state the shim switches without
 * XSAVE; the compiler never touches these registers in shim code: -mgeneral-regs-only). */
static inline void cpu_xmm_save(uint8_t *p)
{
    __asm__ volatile("movdqu %%xmm0, 0(%0); movdqu %%xmm1, 16(%0); movdqu %%xmm2, 32(%0);"
                     "movdqu %%xmm3, 48(%0); movdqu %%xmm4, 64(%0); movdqu %%xmm5, 80(%0);"
                     "movdqu %%xmm6, 96(%0); movdqu %%xmm7, 112(%0); movdqu %%xmm8, 128(%0);"
                     "movdqu %%xmm9, 144(%0); movdqu %%xmm10, 160(%0); movdqu %%xmm11, 176(%0);"
                     "movdqu %%xmm12, 192(%0); movdqu %%xmm13, 208(%0);"
                     "movdqu %%xmm14, 224(%0); movdqu %%xmm15, 240(%0)"
                     :
                     : "r"(p)
                     : "memory");
}

static inline void cpu_xmm_load(const uint8_t *p)
{
    __asm__ volatile("movdqu 0(%0), %%xmm0; movdqu 16(%0), %%xmm1; movdqu 32(%0), %%xmm2;"
                     "movdqu 48(%0), %%xmm3; movdqu 64(%0), %%xmm4; movdqu 80(%0), %%xmm5;"
                     "movdqu 96(%0), %%xmm6; movdqu 112(%0), %%xmm7; movdqu 128(%0), %%xmm8;"
                     "movdqu 144(%0), %%xmm9; movdqu 160(%0), %%xmm10; movdqu 176(%0), %%xmm11;"
                     "movdqu 192(%0), %%xmm12; movdqu 208(%0), %%xmm13;"
                     "movdqu 224(%0), %%xmm14; movdqu 240(%0), %%xmm15"
                     :
                     : "r"(p)
                     : "memory");
}

#endif /* BURH_SHIM_H */
