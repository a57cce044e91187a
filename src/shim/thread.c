/* thread.c: cooperative threads on the one vCPU: clone, futex waits and wakes, thread exit, and
 * switches only at syscalls that may block (futex, poll, epoll, nanosleep, a full or empty
 * shim pipe). */
#include "shim/shim.h"

#define SYS_poll            7
#define SYS_nanosleep       35
#define SYS_clone           56
#define SYS_exit            60
#define SYS_gettid          186
#define SYS_futex           202
#define SYS_set_tid_address 218
#define SYS_clock_nanosleep 230
#define SYS_epoll_wait      232
#define SYS_epoll_pwait     281
#define SYS_ppoll           271
#define SYS_clone3          435

#define EAGAIN    11
#define ETIMEDOUT 110

#define CLONE_VM             0x00000100ull
#define CLONE_THREAD         0x00010000ull
#define CLONE_SETTLS         0x00080000ull
#define CLONE_PARENT_SETTID  0x00100000ull
#define CLONE_CHILD_CLEARTID 0x00200000ull
#define CLONE_CHILD_SETTID   0x01000000ull

#define THREAD_MAX     SHIM_THREAD_MAX
#define EXT_STATE_SIZE 4096 /* XSAVE area for x87/SSE/AVX (XCR0 <= 7) with room to spare */
#define POLL_SLICE_MS  10   /* a poll may not block longer while another thread waits to run */
#define SYSCALL_LEN    2    /* "syscall" is 0f 05: a restarted call re-executes it */

/* T_CHANNEL: parked in a read or write on a shim descriptor until thread_wake_channel. */
enum thread_state { T_FREE = 0, T_RUNNING, T_READY, T_FUTEX, T_CHANNEL };

struct thread {
    enum thread_state state;
    int fresh;   /* READY since a wake, a clone or another thread's blocking call ended */
    int restart; /* resume by re-executing the syscall it yielded in */
    int32_t tid;
    struct syscall_frame ctx;
    int64_t rax; /* its syscall's result when resumed without restart */
    uint64_t fs_base;
    uint64_t clear_tid; /* CLONE_CHILD_CLEARTID / set_tid_address */
    uint64_t futex_addr;
    int futex_timed;     /* its wait had a timeout: it may end with ETIMEDOUT */
    const void *channel; /* T_CHANNEL: what it waits on (a pipe, an eventfd) */
    uint64_t io_key[3];  /* the parked write (fd, buf, len) that io_done belongs to */
    uint64_t io_done;    /* bytes that write already moved before it parked */
};

static struct thread g_threads[THREAD_MAX] = {{.state = T_RUNNING, .tid = 1}};
static uint8_t g_ext[THREAD_MAX][EXT_STATE_SIZE] __attribute__((aligned(64)));
static int g_cur, g_count = 1;
static int32_t g_next_tid = 2;
static const void *g_block_channel; /* set by thread_block_on for the SHIM_BLOCKED return */
static int g_channel_waiters;       /* threads in T_CHANNEL: most wakes find none, cheaply */

int thread_slot(void)
{
    return g_cur;
}

int thread_slot_of_tid(int64_t tid)
{
    for (int i = 0; i < THREAD_MAX; i++)
        if (g_threads[i].state != T_FREE && g_threads[i].tid == tid)
            return i;
    return -1;
}

/* A signal for a parked thread: a futex wait, or a blocking call it gave way in, ends with
 * EINTR when the thread next runs (its handler runs then, at the syscall's return). */
void thread_interrupt(int slot)
{
    struct thread *t = &g_threads[slot];
    if (slot == g_cur)
        return;
    if (t->state == T_FUTEX || t->state == T_CHANNEL) {
        g_channel_waiters -= t->state == T_CHANNEL;
        t->state = T_READY;
        t->futex_timed = 0;
    } else if (!(t->state == T_READY && t->restart)) {
        return;
    }
    t->restart = 0;
    t->rax = t->io_done ? (int64_t)t->io_done : -EINTR; /* a write that moved bytes says so */
    t->io_done = 0;
    t->fresh = 1;
}

static int have_xsave(void)
{
#ifdef BURH_SHIM_HOST_TEST
    return 0;
#else
    uint64_t cr4;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    return (cr4 >> 18) & 1;
#endif
}

/* The payload's vector registers belong to the thread (the shim itself never touches them).
 * XSAVE keeps x87/SSE/AVX whole; a paravirtual host that emulates the shim (docs/kvm.md) cannot
 * emulate XSAVE or FXSAVE, so there only XMM0-15 are kept (MOVDQU), which is what code built
 * for baseline x86-64 keeps live across a syscall. */
static void save_ext(int i)
{
    uint8_t *p = g_ext[i];
    if (!g_kernel_emulated && have_xsave()) {
        __asm__ volatile("xsave64 %0" : "=m"(g_ext[i]) : "a"(7u), "d"(0u) : "memory");
        return;
    }
    cpu_xmm_save(p);
}

static void load_ext(int i)
{
    const uint8_t *p = g_ext[i];
    if (!g_kernel_emulated && have_xsave()) {
        __asm__ volatile("xrstor64 %0" : : "m"(g_ext[i]), "a"(7u), "d"(0u) : "memory");
        return;
    }
    cpu_xmm_load(p);
}

static int other_ready(int fresh_only)
{
    for (int i = 0; i < THREAD_MAX; i++)
        if (i != g_cur && g_threads[i].state == T_READY && (!fresh_only || g_threads[i].fresh))
            return 1;
    return 0;
}

/* Round robin from the current thread, preferring threads with news over ones that yielded. */
static int pick_next(void)
{
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 1; k <= THREAD_MAX; k++) {
            int i = (g_cur + k) % THREAD_MAX;
            if (g_threads[i].state == T_READY && (pass || g_threads[i].fresh))
                return i;
        }
    }
    /* Nobody can run: a timed futex wait ends first (no clock runs while nothing runs). */
    for (int k = 1; k <= THREAD_MAX; k++) {
        int i = (g_cur + k) % THREAD_MAX;
        if (g_threads[i].state == T_FUTEX && g_threads[i].futex_timed) {
            g_threads[i].rax = -ETIMEDOUT;
            return i;
        }
    }
    shim_abort("deadlock: all %d threads wait on futexes or shim pipes (one vCPU)", g_count);
}

/* Makes thread `next` current: its registers replace the frame the syscall returns through. */
static int64_t resume(struct syscall_frame *f, int next)
{
    struct thread *n = &g_threads[next];
    g_cur = next;
    n->state = T_RUNNING;
    n->fresh = 0;
    n->futex_timed = 0;
    *f = n->ctx;
    cpu_set_fs_base(n->fs_base);
    load_ext(next);
    if (n->restart) {
        n->restart = 0;
        f->user_rip -= SYSCALL_LEN;
        return (int64_t)f->nr; /* RAX = the call number again */
    }
    return n->rax;
}

/* Parks the current thread (state already set by the caller) and runs another. */
static int64_t switch_away(struct syscall_frame *f, int64_t ret, int restart)
{
    struct thread *t = &g_threads[g_cur];
    t->ctx = *f;
    t->rax = ret;
    t->restart = restart;
    t->fs_base = cpu_fs_base();
    save_ext(g_cur);
    return resume(f, pick_next());
}

static int64_t futex_wake(uint64_t addr, uint64_t max)
{
    int64_t woken = 0;
    for (int i = 0; i < THREAD_MAX && (uint64_t)woken < max; i++) {
        struct thread *t = &g_threads[i];
        if (t->state == T_FUTEX && t->futex_addr == addr) {
            t->state = T_READY;
            t->fresh = 1;
            t->rax = 0;
            t->futex_timed = 0;
            woken++;
        }
    }
    return woken;
}

static int64_t thread_futex(struct syscall_frame *f, const uint64_t a[6])
{
    int cmd = (int)(a[1] & 0x7f);
    if (cmd == 1 || cmd == 10) /* FUTEX_WAKE, FUTEX_WAKE_BITSET */
        return futex_wake(a[0], a[2] > 0x7fffffff ? 0x7fffffff : a[2]);
    if (cmd != 0 && cmd != 9)
        return -ENOSYS;
    uint32_t word;
    if ((a[0] & 3) || mm_user_ok(a[0], 4, 0) != 0)
        return (a[0] & 3) ? -EINVAL : -EFAULT;
    memcpy(&word, (const void *)(uintptr_t)a[0], 4);
    if (word != (uint32_t)a[2])
        return -EAGAIN;
    if (!other_ready(0)) {
        if (a[3]) /* a timed wait nobody can end: it times out now */
            return -ETIMEDOUT;
        shim_abort("deadlock: futex wait at %lx and no other thread can run", (unsigned long)a[0]);
    }
    g_threads[g_cur].state = T_FUTEX;
    g_threads[g_cur].futex_addr = a[0];
    g_threads[g_cur].futex_timed = a[3] != 0;
    return switch_away(f, 0, 0);
}

static int64_t thread_clone(struct syscall_frame *f, const uint64_t a[6])
{
    uint64_t flags = a[0];
    if ((flags & (CLONE_VM | CLONE_THREAD)) != (CLONE_VM | CLONE_THREAD)) {
        shim_log("clone flags %lx: only threads are offered", (unsigned long)flags);
        return -ENOSYS;
    }
    if (((flags & CLONE_PARENT_SETTID) && mm_user_ok(a[2], 4, 1) != 0) ||
        ((flags & CLONE_CHILD_SETTID) && mm_user_ok(a[3], 4, 1) != 0))
        return -EFAULT;
    int slot = 0;
    while (slot < THREAD_MAX && g_threads[slot].state != T_FREE)
        slot++;
    if (slot == THREAD_MAX || g_next_tid == 0x3fffffff)
        return -EAGAIN;
    struct thread *c = &g_threads[slot];
    memset(c, 0, sizeof(*c));
    c->tid = g_next_tid++;
    c->ctx = *f;
    if (a[1])
        c->ctx.user_rsp = a[1];
    c->fs_base = (flags & CLONE_SETTLS) ? a[4] : cpu_fs_base();
    c->clear_tid = (flags & CLONE_CHILD_CLEARTID) ? a[3] : 0;
    c->state = T_READY;
    c->fresh = 1;
    save_ext(slot); /* the child starts with the parent's vector state */
    sig_thread_start(slot, g_cur);
    if (flags & CLONE_PARENT_SETTID)
        memcpy((void *)(uintptr_t)a[2], &c->tid, 4);
    if (flags & CLONE_CHILD_SETTID)
        memcpy((void *)(uintptr_t)a[3], &c->tid, 4);
    g_count++;
    return c->tid;
}

int thread_others_alive(void)
{
    return g_count > 1;
}

void thread_block_on(const void *channel)
{
    g_block_channel = channel;
}

/* The running thread parks on the channel thread_block_on named; when woken it re-executes
 * its syscall (RIP rewound), which finds the pipe changed. */
int64_t thread_block(struct syscall_frame *f)
{
    struct thread *t = &g_threads[g_cur];
    if (g_count == 1)
        shim_abort("deadlock: a blocking read or write on a shim pipe with one thread");
    t->state = T_CHANNEL;
    t->channel = g_block_channel;
    g_channel_waiters++;
    return switch_away(f, 0, 1);
}

/* Every shim pipe read or write calls this: with nobody parked it costs one comparison (each
 * instruction counts when the shim is emulated). */
void thread_wake_channel(const void *channel)
{
    for (int i = 0; i < THREAD_MAX && g_channel_waiters; i++) {
        struct thread *t = &g_threads[i];
        if (t->state == T_CHANNEL && t->channel == channel) {
            t->state = T_READY;
            t->fresh = 1;
            g_channel_waiters--;
        }
    }
}

uint64_t thread_io_done(const uint64_t a[3])
{
    struct thread *t = &g_threads[g_cur];
    if (t->io_key[0] != a[0] || t->io_key[1] != a[1] || t->io_key[2] != a[2])
        t->io_done = 0; /* another call than the one that parked */
    return t->io_done;
}

void thread_io_set(const uint64_t a[3], uint64_t done)
{
    struct thread *t = &g_threads[g_cur];
    memcpy(t->io_key, a, sizeof(t->io_key));
    t->io_done = done;
}

/* exit of one thread while others live: clear and wake its tid word (pthread_join waits on
 * it), free the slot and run another thread. */
static int64_t thread_exit(struct syscall_frame *f)
{
    struct thread *t = &g_threads[g_cur];
    uint32_t zero = 0;
    if (t->clear_tid && mm_user_ok(t->clear_tid, 4, 1) == 0) {
        memcpy((void *)(uintptr_t)t->clear_tid, &zero, 4);
        futex_wake(t->clear_tid, 0x7fffffff);
    }
    t->state = T_FREE;
    g_count--;
    return resume(f, pick_next());
}

/* The timeout argument of a call that may block, or 0 when it cannot. */
static int64_t block_timeout(uint64_t nr, const uint64_t a[6])
{
    switch (nr) {
    case SYS_poll:
    case SYS_ppoll: /* its timeout already in milliseconds (local_ppoll_timeout) */
        return (int64_t)(int32_t)a[2];
    case SYS_epoll_wait:
    case SYS_epoll_pwait:
        return (int64_t)(int32_t)a[3];
    case SYS_nanosleep:
    case SYS_clock_nanosleep:
        return 1;
    default:
        return 0;
    }
}

int64_t thread_syscall(struct syscall_frame *f, uint64_t a[6], int *handled)
{
    uint64_t nr = f->nr;
    *handled = 1;
    if (nr == SYS_clone3)
        return -ENOSYS; /* glibc falls back to clone */
    if (nr == SYS_clone)
        return thread_clone(f, a);
    if (nr == SYS_gettid)
        return g_threads[g_cur].tid;
    if (nr == SYS_set_tid_address) {
        g_threads[g_cur].clear_tid = a[0];
        return g_threads[g_cur].tid;
    }
    *handled = 0;
    if (g_count == 1)
        return 0; /* one thread: localfd.c's futex rules, nothing to switch to */
    *handled = 1;
    if (nr == SYS_futex)
        return thread_futex(f, a);
    if (nr == SYS_exit)
        return thread_exit(f);
    *handled = 0;
    int64_t timeout = block_timeout(nr, a);
    if (timeout == 0)
        return 0;
    if (other_ready(1)) { /* let the thread with news run first; this call runs again later */
        *handled = 1;
        g_threads[g_cur].state = T_READY;
        return switch_away(f, 0, 1);
    }
    /* Threads that yielded wait their turn: block no longer than a slice. */
    if (other_ready(0) && nr != SYS_nanosleep && nr != SYS_clock_nanosleep &&
        (timeout < 0 || timeout > POLL_SLICE_MS))
        a[nr == SYS_poll || nr == SYS_ppoll ? 2 : 3] = POLL_SLICE_MS;
    return 0;
}

void thread_after_syscall(uint64_t nr, const uint64_t a[6])
{
    if (g_count == 1 || block_timeout(nr, a) == 0)
        return;
    for (int i = 0; i < THREAD_MAX; i++) /* time passed: the others may have news now */
        if (i != g_cur && g_threads[i].state == T_READY)
            g_threads[i].fresh = 1;
}
