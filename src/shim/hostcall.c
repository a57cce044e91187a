/* hostcall.c: the shim's channel to the untrusted host: calls, console, exit reports. */
#include "shim/shim.h"

static volatile struct burh_hc_block *g_block;

void hc_init(uint64_t block_gpa)
{
    g_block = phys_to_virt(block_gpa);
}

volatile struct burh_hc_block *hc_block(void)
{
    return g_block;
}

/* Issues one call whose arguments are already in the block. `ret` is read once; a value that is
 * neither a result nor -errno in range can only come from a broken or hostile host. */
int64_t hc_call(uint32_t call)
{
    g_block->abi_version = BURH_HOSTCALL_ABI_VERSION;
    g_block->call = call;
    g_block->marks.faults = g_faults_resolved; /* published here: a hostcall exits anyway */
    g_block->marks.syscalls = g_syscalls_made;
    outl(BURH_PORT_HOSTCALL, call);
    int64_t ret = g_block->ret;
    if (ret < -(int64_t)BURH_HC_ERRNO_MAX)
        shim_abort("host reply to call %u: errno %ld out of range", call, (long)-ret);
    return ret;
}

void shim_log(const char *fmt, ...)
{
    if (!(g_boot.flags & BURH_BOOT_DEBUG_CONSOLE) || !g_block)
        return;
    char line[BURH_HC_CONSOLE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = shim_vformat(line, sizeof(line), fmt, ap);
    va_end(ap);
    for (int i = 0; i < n; i++)
        g_block->console[i] = line[i];
    outl(BURH_PORT_CONSOLE, (uint32_t)n);
}

/* Every exit hands the host the syscall counters (docs/kvm.md "Syscall counters"). */
static _Noreturn void send_exit(uint32_t kind)
{
    g_block->marks.faults = g_faults_resolved; /* the final counts, for keepldr --timing */
    g_block->marks.syscalls = g_syscalls_made;
    g_block->exit.stats_count =
        shim_stats_export((volatile struct burh_sc_stat *)(uintptr_t)g_block->data);
    for (;;) {
        outl(BURH_PORT_EXIT, kind);
        /* A host that resumes us after an exit gets nothing more from this keep. */
        __asm__ volatile("cli; hlt");
    }
}

static void put_message(const char *msg, size_t n)
{
    volatile char *dst = g_block->exit.message;
    if (n >= BURH_EXIT_MSG_MAX)
        n = BURH_EXIT_MSG_MAX - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = msg[i];
    dst[n] = '\0';
}

_Noreturn void shim_abort(const char *fmt, ...)
{
    char msg[BURH_EXIT_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = shim_vformat(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    g_block->exit.kind = BURH_EXIT_ABORT;
    put_message(msg, (size_t)n);
    send_exit(BURH_EXIT_ABORT);
}

_Noreturn void shim_exit_status(int status)
{
    g_block->exit.kind = BURH_EXIT_STATUS;
    g_block->exit.code = status & 0xff;
    put_message("exit", 4);
    send_exit(BURH_EXIT_STATUS);
}

_Noreturn void shim_exit_signal(int sig, const char *why)
{
    g_block->exit.kind = BURH_EXIT_SIGNAL;
    g_block->exit.code = sig;
    put_message(why, strnlen(why, BURH_EXIT_MSG_MAX));
    send_exit(BURH_EXIT_SIGNAL);
}

_Noreturn void shim_exit_fault(const struct trap_frame *f, uint64_t cr2, const char *what)
{
    g_block->exit.kind = BURH_EXIT_FAULT;
    g_block->exit.vector = f->vector;
    g_block->exit.error_code = f->error_code;
    g_block->exit.rip = f->rip;
    g_block->exit.cr2 = cr2;
    g_block->exit.ring = f->cs & 3;
    put_message(what, strnlen(what, BURH_EXIT_MSG_MAX));
    send_exit(BURH_EXIT_FAULT);
}
