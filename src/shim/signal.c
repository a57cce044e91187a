/* signal.c: Linux signals for the payload: actions, per-thread masks, sigaltstack, delivery of
 * synchronous faults and self-sent signals on a Linux-shaped rt_sigframe, rt_sigreturn. */
#include "shim/shim.h"

#define SYS_rt_sigaction   13
#define SYS_rt_sigprocmask 14
#define SYS_rt_sigreturn   15
#define SYS_kill           62
#define SYS_sigaltstack    131
#define SYS_tkill          200
#define SYS_tgkill         234

#define ESRCH 3

#define SIGILL  4
#define SIGTRAP 5
#define SIGBUS  7
#define SIGFPE  8
#define SIGKILL 9
#define SIGSEGV 11
#define SIGSTOP 19
#define NSIG    64

#define SIG_DFL      0ull
#define SIG_IGN      1ull
#define SA_ONSTACK   0x08000000ull
#define SA_RESTORER  0x04000000ull
#define SA_NODEFER   0x40000000ull
#define SA_RESETHAND 0x80000000ull
#define SA_RESTART   0x10000000ull

#define SS_ONSTACK    1
#define SS_DISABLE    2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ   2048

#define SI_USER     0
#define SI_KERNEL   0x80
#define SI_TKILL    (-6)
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define ILL_ILLOPN  2
#define FPE_INTDIV  1
#define FPE_FLTINV  7
#define BUS_ADRALN  1
#define TRAP_BRKPT  1

#define RED_ZONE        128
#define FXSAVE_SIZE     512
#define MXCSR_WRITABLE  0xffffu
#define USER_FLAGS_MASK 0x240fd5ull /* CF PF AF ZF SF TF IF DF OF AC ID, never IOPL */
#define UNBLOCKABLE     ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))

struct sigaction_record {
    uint64_t handler, flags, restorer, mask;
};

struct stack_user {
    uint64_t sp;
    int32_t flags;
    int32_t pad;
    uint64_t size;
};

/* Linux's struct sigcontext (x86-64); glibc's gregs are its first 23 words. */
struct sigcontext_user {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, rflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate;
    uint64_t reserved[8];
};
_Static_assert(sizeof(struct sigcontext_user) == 256, "sigcontext");

struct ucontext_user {
    uint64_t flags, link;
    struct stack_user stack;
    struct sigcontext_user mc;
    uint64_t sigmask;
};
_Static_assert(sizeof(struct ucontext_user) == 304, "ucontext");

struct siginfo_user {
    int32_t signo, errno_, code, pad;
    uint64_t addr; /* si_addr (faults); si_pid and si_uid (kill) share it */
    uint8_t rest[104];
};
_Static_assert(sizeof(struct siginfo_user) == 128, "siginfo");

/* The frame the handler finds at its RSP: the restorer as its return address. */
struct rt_sigframe {
    uint64_t pretcode;
    struct ucontext_user uc;
    struct siginfo_user info;
};

struct sig_thread {
    uint64_t mask, pending;
    struct stack_user alt; /* flags SS_DISABLE when none */
    struct siginfo_user pending_info[NSIG];
};

static struct sigaction_record g_actions[NSIG];
static struct sig_thread g_threads[SHIM_THREAD_MAX];

/* A frame every register comes back from (iretq), when rt_sigreturn or a delivery at syscall
 * return changed more than SYSRET restores. Read by entry.S. */
struct trap_frame g_sig_frame;
int g_sig_frame_pending;
int g_sig_due;

static struct sig_thread *cur(void)
{
    return &g_threads[thread_slot()];
}

void sig_thread_start(int slot, int parent)
{
    g_threads[slot].mask = g_threads[parent].mask;
    g_threads[slot].pending = 0;
    g_threads[slot].alt = (struct stack_user){0, SS_DISABLE, 0, 0};
}

void sig_init(void)
{
    for (int i = 0; i < SHIM_THREAD_MAX; i++)
        g_threads[i].alt.flags = SS_DISABLE;
}

static int default_ignored(int sig)
{
    /* SIGCHLD, SIGCONT, SIGURG, SIGWINCH; stop signals too, as there is no job control. */
    return sig == 17 || sig == 18 || sig == 23 || sig == 28 || (sig >= 19 && sig <= 22);
}

static int on_alt_stack(const struct sig_thread *t, uint64_t sp)
{
    return !(t->alt.flags & SS_DISABLE) && sp > t->alt.sp && sp - t->alt.sp <= t->alt.size;
}

/* XMM0-15 and MXCSR in FXSAVE layout (the x87 part reads as a reset FPU). The shim never uses
 * vector registers, so they still hold the payload's values here. The PVM host cannot emulate
 * XSAVE, FXSAVE or (it turns out) STMXCSR/LDMXCSR, so there the registers are moved one by one
 * and MXCSR is left alone (it keeps the payload's value across the handler). */
static void save_fp(uint8_t *area)
{
    uint32_t mxcsr = 0x1f80; /* the reset value, where MXCSR cannot be read (PVM) */
    memset(area, 0, FXSAVE_SIZE);
    area[0] = 0x7f; /* FCW 0x037f */
    area[1] = 0x03;
    if (!g_kernel_emulated)
        __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    memcpy(area + 24, &mxcsr, 4);
    uint32_t mask = MXCSR_WRITABLE;
    memcpy(area + 28, &mask, 4);
    uint8_t *x = area + 160;
    cpu_xmm_save(x);
}

static void restore_fp(const uint8_t *user_area)
{
    uint8_t area[FXSAVE_SIZE];
    uint32_t mxcsr;
    memcpy(area, user_area, sizeof(area)); /* one copy: the payload may change it meanwhile */
    memcpy(&mxcsr, area + 24, 4);
    mxcsr &= MXCSR_WRITABLE; /* a reserved bit set would #GP in the shim */
    if (!g_kernel_emulated)
        __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
    const uint8_t *x = area + 160;
    cpu_xmm_load(x);
}

static void fill_mcontext(struct sigcontext_user *mc, const struct trap_frame *f, uint64_t cr2,
                          uint64_t oldmask)
{
    memset(mc, 0, sizeof(*mc));
    mc->r8 = f->r8, mc->r9 = f->r9, mc->r10 = f->r10, mc->r11 = f->r11;
    mc->r12 = f->r12, mc->r13 = f->r13, mc->r14 = f->r14, mc->r15 = f->r15;
    mc->rdi = f->rdi, mc->rsi = f->rsi, mc->rbp = f->rbp, mc->rbx = f->rbx;
    mc->rdx = f->rdx, mc->rax = f->rax, mc->rcx = f->rcx, mc->rsp = f->rsp;
    mc->rip = f->rip, mc->rflags = f->rflags;
    mc->cs = SEL_UCODE, mc->ss = SEL_UDATA;
    mc->err = f->error_code, mc->trapno = f->vector, mc->oldmask = oldmask, mc->cr2 = cr2;
}

/* Ends the keep the way Linux's default action ends a process. */
static _Noreturn void die_by_signal(int sig, const char *why)
{
    shim_exit_signal(sig, why);
}

/* Builds the rt_sigframe and points f at the handler. 0, or -1 when the handler or the stack
 * cannot take it (the caller ends the keep). */
static int push_frame(struct trap_frame *f, int sig, const struct siginfo_user *info, uint64_t cr2)
{
    struct sig_thread *t = cur();
    const struct sigaction_record *act = &g_actions[sig - 1];
    if (!(act->flags & SA_RESTORER) || act->restorer > BURH_USER_MAX ||
        act->handler > BURH_USER_MAX)
        return -1;
    int on_alt = on_alt_stack(t, f->rsp);
    uint64_t sp = f->rsp - RED_ZONE;
    if ((act->flags & SA_ONSTACK) && !(t->alt.flags & SS_DISABLE) && !on_alt)
        sp = t->alt.sp + t->alt.size;
    if (sp < BURH_USER_MIN + 4096 || sp > BURH_USER_MAX)
        return -1;
    uint64_t fp = (sp - FXSAVE_SIZE) & ~63ull;
    uint64_t frame = ((fp - sizeof(struct rt_sigframe)) & ~15ull) - 8;
    if (mm_user_ok(frame, sp - frame, 1) != 0)
        return -1;
    struct rt_sigframe *fr = (struct rt_sigframe *)(uintptr_t)frame;
    save_fp((uint8_t *)(uintptr_t)fp);
    memset(fr, 0, sizeof(*fr));
    fr->pretcode = act->restorer;
    fr->uc.stack = t->alt;
    if (!(t->alt.flags & SS_DISABLE))
        fr->uc.stack.flags = on_alt ? SS_ONSTACK : 0;
    fill_mcontext(&fr->uc.mc, f, cr2, t->mask);
    fr->uc.mc.fpstate = fp;
    fr->uc.sigmask = t->mask;
    fr->info = *info;
    if (t->alt.flags & SS_AUTODISARM && (act->flags & SA_ONSTACK) && !on_alt)
        t->alt = (struct stack_user){0, SS_DISABLE, 0, 0};
    t->mask |= act->mask | (act->flags & SA_NODEFER ? 0 : 1ull << (sig - 1));
    t->mask &= ~UNBLOCKABLE;
    if (act->flags & SA_RESETHAND)
        g_actions[sig - 1].handler = SIG_DFL;
    f->rip = act->handler;
    f->rsp = frame;
    f->rdi = (uint64_t)sig;
    f->rsi = frame + __builtin_offsetof(struct rt_sigframe, info);
    f->rdx = frame + __builtin_offsetof(struct rt_sigframe, uc);
    f->rax = 0;
    f->rflags &= ~0x500ull; /* TF, DF: the handler starts with a clean direction */
    f->cs = SEL_UCODE;
    f->ss = SEL_UDATA;
    return 0;
}

/* A CPU exception from ring 3 that the shim did not resolve: deliver the Linux signal it maps to
 * if the payload handles it and does not block it; otherwise the keep ends with the fault. */
int sig_fault(struct trap_frame *f, uint64_t cr2)
{
    struct siginfo_user info = {0};
    switch (f->vector) {
    case 14:
        /* Linux: a mapped page the access may not touch (PROT_NONE too) is ACCERR. */
        info = (struct siginfo_user){SIGSEGV, 0,   mm_is_mapped(cr2) ? SEGV_ACCERR : SEGV_MAPERR,
                                     0,       cr2, {0}};
        break;
    case 13:
    case 4:
        info = (struct siginfo_user){SIGSEGV, 0, SI_KERNEL, 0, 0, {0}};
        break;
    case 0:
        info = (struct siginfo_user){SIGFPE, 0, FPE_INTDIV, 0, f->rip, {0}};
        break;
    case 16:
    case 19:
        info = (struct siginfo_user){SIGFPE, 0, FPE_FLTINV, 0, f->rip, {0}};
        break;
    case 6:
        info = (struct siginfo_user){SIGILL, 0, ILL_ILLOPN, 0, f->rip, {0}};
        break;
    case 12:
    case 17:
        info = (struct siginfo_user){SIGBUS, 0, BUS_ADRALN, 0, 0, {0}};
        break;
    case 1:
    case 3:
        info = (struct siginfo_user){SIGTRAP, 0, TRAP_BRKPT, 0, f->rip, {0}};
        break;
    default:
        return -1;
    }
    int sig = info.signo;
    uint64_t handler = g_actions[sig - 1].handler;
    if (handler == SIG_DFL || handler == SIG_IGN || (cur()->mask >> (sig - 1) & 1))
        return -1;
    shim_log("signal %d for vector %lu at rip %lx, address %lx", sig, (unsigned long)f->vector,
             (unsigned long)f->rip, (unsigned long)cr2);
    return push_frame(f, sig, &info, cr2);
}

/* Runs at every return to ring 3 from a syscall: delivers the lowest pending unblocked signal
 * of the running thread. Returns 1 when f was changed. */
static int deliver_pending(struct trap_frame *f)
{
    struct sig_thread *t = cur();
    uint64_t ready = t->pending & ~t->mask;
    while (ready) {
        int sig = __builtin_ctzll(ready) + 1;
        t->pending &= ~(1ull << (sig - 1));
        ready &= ~(1ull << (sig - 1));
        uint64_t handler = g_actions[sig - 1].handler;
        if (handler == SIG_IGN || (handler == SIG_DFL && default_ignored(sig)))
            continue;
        if (handler == SIG_DFL)
            die_by_signal(sig, "default action");
        if (push_frame(f, sig, &t->pending_info[sig - 1], 0) != 0)
            die_by_signal(SIGSEGV, "cannot build a signal frame on the payload's stack");
        return 1;
    }
    return 0;
}

/* After a syscall: if a signal is due (or rt_sigreturn ran), the return takes every register
 * from g_sig_frame. */
void sig_after_syscall(const struct syscall_frame *s, int64_t ret)
{
    g_sig_due = 0;
    for (int i = 0; i < SHIM_THREAD_MAX; i++) /* other threads' signals wait for their turn */
        if (i != thread_slot() && (g_threads[i].pending & ~g_threads[i].mask))
            g_sig_due = 1;
    if (g_sig_frame_pending || !(cur()->pending & ~cur()->mask))
        return;
    struct trap_frame *f = &g_sig_frame;
    memset(f, 0, sizeof(*f));
    f->r15 = s->r15, f->r14 = s->r14, f->r13 = s->r13, f->r12 = s->r12;
    f->rbp = s->rbp, f->rbx = s->rbx, f->r9 = s->r9, f->r8 = s->r8;
    f->r10 = s->r10, f->rdx = s->rdx, f->rsi = s->rsi, f->rdi = s->rdi;
    f->rax = (uint64_t)ret;
    f->rcx = s->user_rip; /* as SYSCALL left them */
    f->r11 = s->user_rflags;
    f->rip = s->user_rip;
    f->rsp = s->user_rsp;
    f->rflags = (s->user_rflags & USER_FLAGS_MASK) | 0x202u;
    f->cs = SEL_UCODE;
    f->ss = SEL_UDATA;
    if (deliver_pending(f))
        g_sig_frame_pending = 1;
}

static uint64_t canonical_user(uint64_t v)
{
    return v <= BURH_USER_MAX;
}

/* rt_sigreturn: the restorer's SYSCALL comes with RSP just past pretcode. A frame that is not
 * readable or would put the CPU in a state the shim cannot return to ends the keep. */
static int64_t sys_sigreturn(const struct syscall_frame *s)
{
    uint64_t frame = s->user_rsp - 8;
    struct ucontext_user uc;
    if (s->user_rsp < 8 || mm_user_ok(frame, sizeof(struct rt_sigframe), 0) != 0)
        die_by_signal(SIGSEGV, "rt_sigreturn: unreadable signal frame");
    memcpy(&uc, &((const struct rt_sigframe *)(uintptr_t)frame)->uc, sizeof(uc));
    const struct sigcontext_user *mc = &uc.mc;
    if (!canonical_user(mc->rip) || !canonical_user(mc->rsp))
        die_by_signal(SIGSEGV, "rt_sigreturn: non-canonical rip or rsp");
    if (mc->fpstate) {
        if ((mc->fpstate & 15) || mm_user_ok(mc->fpstate, FXSAVE_SIZE, 0) != 0)
            die_by_signal(SIGSEGV, "rt_sigreturn: bad fpstate pointer");
        restore_fp((const uint8_t *)(uintptr_t)mc->fpstate);
    }
    struct trap_frame *f = &g_sig_frame;
    f->r8 = mc->r8, f->r9 = mc->r9, f->r10 = mc->r10, f->r11 = mc->r11;
    f->r12 = mc->r12, f->r13 = mc->r13, f->r14 = mc->r14, f->r15 = mc->r15;
    f->rdi = mc->rdi, f->rsi = mc->rsi, f->rbp = mc->rbp, f->rbx = mc->rbx;
    f->rdx = mc->rdx, f->rax = mc->rax, f->rcx = mc->rcx, f->rsp = mc->rsp;
    f->rip = mc->rip;
    f->rflags = (mc->rflags & USER_FLAGS_MASK) | 0x202u;
    f->cs = SEL_UCODE;
    f->ss = SEL_UDATA;
    f->vector = f->error_code = 0;
    cur()->mask = uc.sigmask & ~UNBLOCKABLE;
    g_sig_frame_pending = 1;
    g_sig_due = 1;
    deliver_pending(f); /* a signal unblocked by the restored mask runs now */
    return (int64_t)mc->rax;
}

static int64_t sys_sigaction(int64_t sig, uint64_t act, uint64_t old, uint64_t setsize)
{
    if (sig < 1 || sig > NSIG || setsize != 8)
        return -EINVAL;
    struct sigaction_record *rec = &g_actions[sig - 1], next;
    if (act) {
        if (sig == SIGKILL || sig == SIGSTOP)
            return -EINVAL;
        if (mm_user_ok(act, sizeof(next), 0) != 0)
            return -EFAULT;
        memcpy(&next, (const void *)(uintptr_t)act, sizeof(next));
        next.mask &= ~UNBLOCKABLE;
    }
    if (old) {
        if (mm_user_ok(old, sizeof(*rec), 1) != 0)
            return -EFAULT;
        memcpy((void *)(uintptr_t)old, rec, sizeof(*rec));
    }
    if (act) {
        *rec = next;
        if (next.handler == SIG_IGN || (next.handler == SIG_DFL && default_ignored((int)sig)))
            for (int i = 0; i < SHIM_THREAD_MAX; i++) /* Linux drops them at once too */
                g_threads[i].pending &= ~(1ull << (sig - 1));
    }
    return 0;
}

static int64_t sys_sigprocmask(int64_t how, uint64_t set, uint64_t old, uint64_t setsize)
{
    struct sig_thread *t = cur();
    uint64_t mask = 0;
    if (setsize != 8 || how < 0 || how > 2)
        return -EINVAL;
    if (set) {
        if (mm_user_ok(set, 8, 0) != 0)
            return -EFAULT;
        memcpy(&mask, (const void *)(uintptr_t)set, 8);
    }
    if (old) {
        if (mm_user_ok(old, 8, 1) != 0)
            return -EFAULT;
        memcpy((void *)(uintptr_t)old, &t->mask, 8);
    }
    if (set)
        t->mask = how == 0 ? t->mask | mask : how == 1 ? t->mask & ~mask : mask;
    t->mask &= ~UNBLOCKABLE;
    g_sig_due = 1;
    return 0;
}

static int64_t sys_sigaltstack(uint64_t ss, uint64_t old, uint64_t user_rsp)
{
    struct sig_thread *t = cur();
    int on_alt = on_alt_stack(t, user_rsp);
    struct stack_user next;
    if (ss) {
        if (mm_user_ok(ss, sizeof(next), 0) != 0)
            return -EFAULT;
        memcpy(&next, (const void *)(uintptr_t)ss, sizeof(next));
    }
    if (old) {
        struct stack_user cur_alt = t->alt;
        if (!(cur_alt.flags & SS_DISABLE))
            cur_alt.flags = (cur_alt.flags & (int32_t)SS_AUTODISARM) | (on_alt ? SS_ONSTACK : 0);
        else
            cur_alt = (struct stack_user){0, SS_DISABLE, 0, 0};
        if (mm_user_ok(old, sizeof(cur_alt), 1) != 0)
            return -EFAULT;
        memcpy((void *)(uintptr_t)old, &cur_alt, sizeof(cur_alt));
    }
    if (!ss)
        return 0;
    if (on_alt)
        return -EPERM;
    uint32_t mode = (uint32_t)next.flags & ~SS_AUTODISARM;
    if (mode == SS_DISABLE) {
        t->alt = (struct stack_user){0, SS_DISABLE, 0, 0};
        return 0;
    }
    if (mode != 0 && mode != SS_ONSTACK)
        return -EINVAL;
    if (next.size < MINSIGSTKSZ)
        return -ENOMEM;
    if (next.sp < BURH_USER_MIN || next.sp > BURH_USER_MAX || next.size > BURH_USER_MAX - next.sp)
        return -EFAULT; /* Linux accepts it and fails at delivery; the end is the same */
    t->alt =
        (struct stack_user){next.sp, (int32_t)((uint32_t)next.flags & SS_AUTODISARM), 0, next.size};
    return 0;
}

/* kill/tkill/tgkill: the keep is one process (pid 1); threads are named by their tids. The
 * signal becomes pending on its thread and runs when that thread next returns from a syscall. */
static int64_t sys_kill(int64_t slot, int64_t sig, int32_t code)
{
    if (sig < 0 || sig > NSIG)
        return -EINVAL;
    if (slot < 0)
        return -ESRCH;
    if (sig == 0)
        return 0;
    struct sig_thread *t = &g_threads[slot];
    uint64_t handler = g_actions[sig - 1].handler;
    if (handler == SIG_IGN || (handler == SIG_DFL && default_ignored((int)sig)))
        return 0;
    t->pending |= 1ull << (sig - 1);
    g_sig_due = 1;
    t->pending_info[sig - 1] = (struct siginfo_user){(int32_t)sig, 0, code, 0, 1, {0}};
    if (handler != SIG_DFL && !(t->mask >> (sig - 1) & 1) &&
        !(g_actions[sig - 1].flags & SA_RESTART))
        thread_interrupt((int)slot); /* e.g. wasmldr's SIGUSR1 to a blocked workload */
    return 0;
}

static int keep_pid(int64_t pid)
{
    return pid == 1 || pid == 0 || pid == -1;
}

int64_t sig_syscall(struct syscall_frame *f, const uint64_t a[6], int *handled)
{
    int64_t s0 = (int64_t)a[0];
    *handled = 1;
    switch (f->nr) {
    case SYS_rt_sigaction:
        return sys_sigaction(s0, a[1], a[2], a[3]);
    case SYS_rt_sigprocmask:
        return sys_sigprocmask(s0, a[1], a[2], a[3]);
    case SYS_rt_sigreturn:
        return sys_sigreturn(f);
    case SYS_sigaltstack:
        return sys_sigaltstack(a[0], a[1], f->user_rsp);
    case SYS_kill:
        return sys_kill(keep_pid(s0) ? thread_slot() : -1, (int64_t)a[1], SI_USER);
    case SYS_tkill:
        return sys_kill(thread_slot_of_tid(s0), (int64_t)a[1], SI_TKILL);
    case SYS_tgkill:
        return sys_kill(keep_pid(s0) && s0 > 0 ? thread_slot_of_tid((int64_t)a[1]) : -1,
                        (int64_t)a[2], SI_TKILL);
    default:
        *handled = 0;
        return -ENOSYS;
    }
}
