/* signals.c: synchronous fault signals (guard pages and siglongjmp, as the Wasm engine's bounds
 * checks use them), rt_sigreturn, sigaltstack, masks and self-sent signals; output must match a
 * native run. Modes: (none) all checks; "abort": abort(); "nested": a fault in a handler with
 * the signal blocked; "badstack": a handler on an unusable alternate stack. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ROUNDS 1000

static sigjmp_buf g_env;
static volatile uintptr_t g_expect_addr;
static volatile int g_bad_info, g_handled, g_last_sig;
static volatile int g_usr1, g_usr2;
static volatile uintptr_t g_low_addr = 16; /* an address nobody maps */

static void on_fault(int sig, siginfo_t *info, void *uc_)
{
    (void)uc_;
    g_handled++;
    g_last_sig = sig;
    if (sig == SIGSEGV &&
        ((uintptr_t)info->si_addr != g_expect_addr || info->si_code != SEGV_ACCERR))
        g_bad_info++;
    siglongjmp(g_env, sig);
}

/* SIGILL from ud2: skip the two bytes and return through rt_sigreturn. */
static void on_ill(int sig, siginfo_t *info, void *uc_)
{
    ucontext_t *uc = uc_;
    (void)info;
    g_last_sig = sig;
    uc->uc_mcontext.gregs[REG_RIP] += 2;
}

static void on_usr(int sig)
{
    if (sig == SIGUSR1)
        g_usr1++;
    else
        g_usr2++;
}

static int segv_blocked(void)
{
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    return sigismember(&now, SIGSEGV);
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0) {
        perror("sigaction");
        exit(2);
    }
}

static void guard_pages(void)
{
    size_t reserve = (size_t)1 << 33; /* 8 GiB PROT_NONE, as one engine linear memory */
    uint8_t *base =
        mmap(NULL, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED || mprotect(base, 65536, PROT_READ | PROT_WRITE) != 0) {
        perror("mmap");
        exit(2);
    }
    int masked_after = 0;
    for (int i = 0; i < ROUNDS; i++) {
        volatile uint8_t *p = base + 65536 + (size_t)(i % 64) * 4096 * 1024;
        g_expect_addr = (uintptr_t)p;
        if (sigsetjmp(g_env, 1) == 0) {
            *p = 1;
            printf("no fault at round %d\n", i);
            exit(1);
        }
        masked_after += segv_blocked();
    }
    base[100] = 7; /* the accessible part still works */
    printf("guard: %d faults handled, %d with wrong siginfo, mask held SIGSEGV %d times, %d\n",
           g_handled, g_bad_info, masked_after, base[100]);
    munmap(base, reserve);
}

static void arith_and_ill(void)
{
    volatile int zero = 0, r = 0;
    g_handled = 0;
    if (sigsetjmp(g_env, 1) == 0)
        r = 10 / zero;
    printf("divide: signal %d, handled %d, r %d\n", g_last_sig, g_handled, r);
    long keep = 0x1234567890abcdefL;
    __asm__ volatile("ud2" : "+r"(keep));
    printf("ud2: signal %d, resumed with register 0x%lx\n", g_last_sig, keep);
}

static void self_signals(void)
{
    signal(SIGUSR1, on_usr);
    signal(SIGUSR2, on_usr);
    raise(SIGUSR1);
    printf("raise: SIGUSR1 handled %d\n", g_usr1);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    kill(getpid(), SIGUSR2);
    printf("blocked: SIGUSR2 handled %d\n", g_usr2);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("unblocked: SIGUSR2 handled %d\n", g_usr2);
    signal(SIGCHLD, SIG_DFL);
    raise(SIGCHLD); /* ignored by default */
    signal(SIGUSR1, SIG_IGN);
    raise(SIGUSR1);
    printf("ignored: SIGUSR1 handled %d\n", g_usr1);
}

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static volatile int g_stop, g_worker_tid, g_in_worker;

static void on_nudge(int sig)
{
    (void)sig;
    g_in_worker += gettid() == g_worker_tid;
}

static void *waiter(void *arg)
{
    (void)arg;
    g_worker_tid = gettid();
    pthread_mutex_lock(&g_lock);
    while (!g_stop)
        pthread_cond_wait(&g_cond, &g_lock); /* a futex wait the nudge interrupts */
    pthread_mutex_unlock(&g_lock);
    return NULL;
}

/* pthread_kill to a thread blocked in a futex wait: its handler runs in that thread. */
static void thread_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_nudge; /* no SA_RESTART, as wasmldr's nudge */
    sigaction(SIGUSR2, &sa, NULL);
    pthread_t th;
    pthread_create(&th, NULL, waiter, NULL);
    struct timespec ms = {0, 1000000};
    while (!g_worker_tid)
        nanosleep(&ms, NULL);
    nanosleep(&ms, NULL);
    pthread_kill(th, SIGUSR2);
    for (int i = 0; i < 1000 && !g_in_worker; i++)
        nanosleep(&ms, NULL);
    pthread_mutex_lock(&g_lock);
    g_stop = 1;
    pthread_cond_signal(&g_cond);
    pthread_mutex_unlock(&g_lock);
    pthread_join(th, NULL);
    printf("pthread_kill: handled in the target thread %d time(s)\n", g_in_worker);
}

static void alt_stack(int bad)
{
    static uint8_t stack_mem[65536];
    stack_t ss = {.ss_sp = stack_mem, .ss_size = sizeof(stack_mem), .ss_flags = 0};
    if (bad) /* readable, not writable: delivery must fail cleanly */
        ss.ss_sp = mmap(NULL, 65536, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sigaltstack(&ss, NULL) != 0) {
        perror("sigaltstack");
        exit(2);
    }
    stack_t old;
    sigaltstack(NULL, &old);
    printf("sigaltstack: size %zu, flags %d\n", old.ss_size, old.ss_flags);
    install(SIGSEGV, on_fault, SA_ONSTACK | SA_NODEFER);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    setvbuf(stdout, NULL, _IONBF, 0);
    if (strcmp(mode, "abort") == 0) {
        puts("calling abort");
        abort();
    }
    if (strcmp(mode, "nested") == 0) {
        install(SIGSEGV, on_fault, 0); /* SIGSEGV blocked in its own handler */
        g_expect_addr = 0;
        sigprocmask(SIG_BLOCK, &(sigset_t){{1ul << (SIGSEGV - 1)}}, NULL);
        puts("faulting with SIGSEGV blocked");
        *(volatile int *)g_low_addr = 1;
        return 0;
    }
    alt_stack(strcmp(mode, "badstack") == 0);
    if (strcmp(mode, "badstack") == 0) {
        puts("faulting with an unwritable alternate stack");
        *(volatile int *)g_low_addr = 1;
        return 0;
    }
    guard_pages();
    install(SIGFPE, on_fault, 0);
    install(SIGILL, on_ill, 0);
    arith_and_ill();
    self_signals();
    thread_signals();
    printf("final mask has SIGSEGV: %d\n", segv_blocked());
    return 0;
}
