/* main-burh-keepldr.c: builds one keep: nil (sandboxed burh-wasmldr) or kvm (a static ELF). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "burh/keep_proto.h"
#include "host/keepldr.h"
#include "host/kvm.h"

#define MAX_ENV 256

static void usage(FILE *out)
{
    fprintf(out,
            "usage: burh-keepldr --backend nil --nonce HEX --status-fd N [nil options]\n"
            "       burh-keepldr --backend kvm [kvm options] ELF [ARGS...]\n"
            "       burh-keepldr --backend kvm --nonce HEX --status-fd N [--listen ADDR:PORT]\n"
            "                    [--wasmldr PATH] [--memory-mib M] [--mem-limit MIB]\n"
            "                    [kvm options]   (burh-wasmldr-static in a keep; its Wasm linear\n"
            "                    memory is capped at --mem-limit, else at the keep's memory\n"
            "                    less %u MiB)\n"
            "nil options (a sandboxed burh-wasmldr process, docs/keepmgr.md):\n"
            "  --nonce HEX          the tenant's nonce (16..64 bytes), passed to burh-wasmldr\n"
            "  --status-fd N        where status records go (docs/protocol.md section 3)\n"
            "  --memory-mib M       the keep's memory (16..65536, default 256)\n"
            "  --listen ADDR:PORT   where burh-wasmldr listens (default 127.0.0.1:0)\n"
            "  --wasmldr PATH       default: burh-wasmldr-static next to this (nil: else "
            "burh-wasmldr)\n"
            "  --cpu-seconds S      CPU time limit (default 3600)\n"
            "  --time-limit-s S     wall-clock limit of the workload (wasmldr's; default none)\n"
            "  --seccomp-audit      log forbidden system calls instead of killing (development)\n"
            "kvm options:\n"
            "  --debug-console      print the shim's log lines on stderr\n"
            "  --mem MIB            guest memory in MiB (default %u, even, 64..4096)\n"
            "  --time-limit MS      stop the keep after MS milliseconds (default %u s; 0 = none)\n"
            "  --env NAME=VALUE     add to the payload's environment (repeatable)\n"
            "  --shim PATH          the guest shim (default: burh-shim.elf next to this program)\n"
            "  --timing             print the boot time breakdown and VM exit count on stderr\n"
            "  --syscall-stats FILE write the keep's syscall counters to FILE at its end\n"
            "  --test-mode MODE     shim test mode: triple-fault | kernel-fault\n"
            "  --probe              say whether /dev/kvm can run keeps here, then exit\n"
            "exit status: the payload's, or %d guest fault, %d shim abort, %d time limit,\n"
            "%d VM error, %d setup error, 128+N killed by signal N. The env var\n"
            "BURH_KVM_HOSTILE makes the host lie (write-ret | errno-range | addrlen | clock |\n"
            "poll | recv-len | sockopt-len | fstat) to test the shim.\n",
            KVM_WASMLDR_RESERVE_MIB, KVM_DEFAULT_MEM_MIB, KVM_DEFAULT_TIME_LIMIT, KVM_STATUS_FAULT,
            KVM_STATUS_ABORT, KVM_STATUS_TIMEOUT, KVM_STATUS_VM_ERROR, KVM_STATUS_SETUP);
}

static _Noreturn void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "burh-keepldr: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(KVM_STATUS_SETUP);
}

static unsigned long parse_number(const char *s, unsigned long max, const char *what)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v > max || s[0] == '-')
        die("bad %s", what);
    return v;
}

/* The default shim and wasmldr live next to this executable (as `make` builds them). */
static const char *sibling_path(const char *name)
{
    static char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
    if (n <= 0)
        die("cannot find my own path: %s", strerror(errno));
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    if (!slash || (size_t)(slash + 1 - path) + strlen(name) + 1 > sizeof(path))
        die("path too long: %s", path);
    strcpy(slash + 1, name);
    return path;
}

static int status_of(const struct kvm_result *res)
{
    switch (res->outcome) {
    case KVM_OUT_EXITED:
        return res->status;
    case KVM_OUT_FAULT:
        return KVM_STATUS_FAULT;
    case KVM_OUT_ABORT:
        return KVM_STATUS_ABORT;
    case KVM_OUT_TIMEOUT:
        return KVM_STATUS_TIMEOUT;
    case KVM_OUT_VM_ERROR:
        return KVM_STATUS_VM_ERROR;
    case KVM_OUT_STOPPED:
    case KVM_OUT_SIGNALED:
        return 128 + res->status;
    default:
        return KVM_STATUS_SETUP;
    }
}

struct options {
    struct kvm_keep_config cfg;
    struct keepldr_nil_config nil;
    const char *backend;
    int timing;
    FILE *syscall_stats;    /* --syscall-stats: opened before the keep runs */
    unsigned mem_limit_mib; /* kvm wasmldr keep: --mem-limit, 0 when not given */
};

/* Options that take a value; returns 0 when `opt` is not one of them. */
static int take_valued_option(struct options *o, const char *opt, const char *val)
{
    static const char *envp[MAX_ENV];
    if (strcmp(opt, "--backend") == 0) {
        o->backend = val;
    } else if (strcmp(opt, "--nonce") == 0) {
        o->nil.nonce_hex = val;
    } else if (strcmp(opt, "--status-fd") == 0) {
        o->nil.status_fd = (int)parse_number(val, 1024, "--status-fd");
    } else if (strcmp(opt, "--memory-mib") == 0) {
        o->nil.memory_mib = (unsigned)parse_number(val, BURH_PROTO_MEMORY_MAX, "--memory-mib");
    } else if (strcmp(opt, "--listen") == 0) {
        o->nil.listen = val;
    } else if (strcmp(opt, "--wasmldr") == 0) {
        o->nil.wasmldr_path = val;
    } else if (strcmp(opt, "--cpu-seconds") == 0) {
        o->nil.cpu_seconds = (unsigned)parse_number(val, 86400ul * 365, "--cpu-seconds");
    } else if (strcmp(opt, "--time-limit-s") == 0) {
        o->nil.time_limit_s = (unsigned)parse_number(val, 86400ul * 365, "--time-limit-s");
    } else if (strcmp(opt, "--mem-limit") == 0) {
        o->mem_limit_mib = (unsigned)parse_number(val, KVM_MEM_LIMIT_MAX_MIB, "--mem-limit");
        if (o->mem_limit_mib < KVM_MEM_LIMIT_MIN_MIB)
            die("--mem-limit must be 16..4096%s", "");
    } else if (strcmp(opt, "--mem") == 0) {
        o->cfg.mem_size = (uint64_t)parse_number(val, 4096, "--mem") << 20;
    } else if (strcmp(opt, "--time-limit") == 0) {
        o->cfg.time_limit_ms = (unsigned)parse_number(val, 86400000ul, "--time-limit");
    } else if (strcmp(opt, "--syscall-stats") == 0) {
        if (o->syscall_stats || !(o->syscall_stats = fopen(val, "w")))
            die("--syscall-stats: cannot write %s (or given twice)", val);
    } else if (strcmp(opt, "--shim") == 0) {
        o->cfg.shim_path = val;
    } else if (strcmp(opt, "--env") == 0) {
        if (o->cfg.envc == MAX_ENV || !strchr(val, '='))
            die("bad or too many --env: %s", val);
        envp[o->cfg.envc++] = val;
        o->cfg.envp = envp;
    } else if (strcmp(opt, "--test-mode") == 0) {
        if (strcmp(val, "triple-fault") == 0)
            o->cfg.test_flags |= BURH_BOOT_TEST_TRIPLE;
        else if (strcmp(val, "kernel-fault") == 0)
            o->cfg.test_flags |= BURH_BOOT_TEST_KERNEL_GPF;
        else
            die("unknown --test-mode %s", val);
    } else {
        return 0;
    }
    return 1;
}

/* Parses options up to the ELF path; returns the index of the ELF path in argv. */
static int parse_options(struct options *o, int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *opt = argv[i];
        if (strcmp(opt, "--") == 0)
            return i + 1;
        if (strcmp(opt, "--help") == 0) {
            usage(stdout);
            exit(0);
        } else if (strcmp(opt, "--probe") == 0) {
            const char *why = kvm_unusable_reason();
            printf("%s\n", why ? why : "kvm usable");
            exit(why ? 1 : 0);
        } else if (strcmp(opt, "--debug-console") == 0) {
            o->cfg.debug_console = 1;
        } else if (strcmp(opt, "--seccomp-audit") == 0) {
            o->nil.seccomp_audit = true;
        } else if (strcmp(opt, "--timing") == 0) {
            o->timing = 1;
        } else if (strncmp(opt, "--syscall-stats=", 16) == 0) {
            take_valued_option(o, "--syscall-stats", opt + 16);
        } else if (i + 1 < argc && take_valued_option(o, opt, argv[i + 1])) {
            i++;
        } else {
            usage(stderr);
            die("unknown option or missing value: %s", opt);
        }
    }
    return i;
}

static bool is_hex_nonce(const char *s)
{
    size_t n = strlen(s);
    if (n % 2 || n < 2 * BURH_PROTO_NONCE_MIN || n > 2 * BURH_PROTO_NONCE_MAX)
        return false;
    return strspn(s, "0123456789abcdef") == n;
}

static int run_nil(struct keepldr_nil_config *c)
{
    if (!c->nonce_hex || !is_hex_nonce(c->nonce_hex))
        die("--nonce must be 32..128 lower-case hex digits%s", "");
    if (c->status_fd < 3 || fcntl(c->status_fd, F_GETFD) < 0)
        die("--status-fd must be an open descriptor above 2%s", "");
    if (c->memory_mib < BURH_PROTO_MEMORY_MIN)
        die("--memory-mib must be 16..65536%s", "");
    if (!c->wasmldr_path) {
        /* The static build starts about 1 ms sooner (no dynamic linking of OpenSSL, libevent):
         * it is on every deploy's round trip. `make` builds it in the release variant only; a
         * stale one (older than burh-wasmldr) is not taken. */
        static char static_path[PATH_MAX];
        snprintf(static_path, sizeof(static_path), "%s", sibling_path("burh-wasmldr-static"));
        c->wasmldr_path = sibling_path("burh-wasmldr");
        struct stat st_static, st_dyn;
        if (access(static_path, X_OK) == 0 && stat(static_path, &st_static) == 0 &&
            (stat(c->wasmldr_path, &st_dyn) != 0 || st_static.st_mtime >= st_dyn.st_mtime))
            c->wasmldr_path = static_path;
    }
    static char abs_path[PATH_MAX];
    if (access(c->wasmldr_path, X_OK) != 0 || !realpath(c->wasmldr_path, abs_path))
        die("burh-wasmldr not executable: %s", c->wasmldr_path);
    c->wasmldr_path = abs_path; /* the keep starts in "/" */
    fcntl(c->status_fd, F_SETFD, FD_CLOEXEC);
    return keepldr_nil_run(c);
}

static void print_digest(const struct kvm_result *res)
{
    char hex[2 * BURH_LAUNCH_DIGEST_SIZE + 1];
    for (unsigned k = 0; k < BURH_LAUNCH_DIGEST_SIZE; k++)
        snprintf(hex + 2 * k, 3, "%02x", res->launch_digest[k]);
    fprintf(stderr, "burh-keepldr: launch digest %s\n", hex);
}

static double ms(uint64_t ns)
{
    return (double)ns / 1e6;
}

static void print_timing(const struct kvm_result *res)
{
    const struct kvm_timing *t = &res->timing;
    print_digest(res);
    fprintf(stderr,
            "burh-keepldr: timing: boot %llu ns (KVM_CREATE_VM to first hostcall), "
            "%llu hostcalls\n",
            (unsigned long long)res->boot_ns, (unsigned long long)res->hostcalls);
    fprintf(stderr,
            "burh-keepldr: timing: host: memory %.3f ms, load %.3f ms, vcpu %.3f ms; "
            "shim: cpu %.3f ms, mm %.3f ms, payload load %.3f ms; entry to main %.3f ms; "
            "before main: %llu VM exits, %llu page faults, %llu syscalls\n",
            ms(t->memory_ns), ms(t->loaded_ns - t->memory_ns), ms(t->vcpu_ns - t->loaded_ns),
            ms(t->shim_cpu_ns), ms(t->shim_mm_ns), ms(t->shim_load_ns), ms(t->shim_to_main_ns),
            (unsigned long long)t->boot_exits, (unsigned long long)t->boot_faults,
            (unsigned long long)t->boot_syscalls);
    fprintf(stderr,
            "burh-keepldr: timing: whole run %.3f ms: %llu VM exits, %llu page faults, "
            "%llu syscalls\n",
            ms(t->run_ns), (unsigned long long)t->run_exits, (unsigned long long)t->run_faults,
            (unsigned long long)t->run_syscalls);
}

/* --syscall-stats: the shim's counters, written when the keep ended through the shim. */
static void write_syscall_stats(FILE *f, const struct kvm_result *res)
{
    if (!f)
        return;
    if (!res->stats_valid)
        fprintf(stderr, "burh-keepldr: no syscall counters (the keep did not end through the "
                        "shim, or its table was malformed)\n");
    else if (kvm_stats_write(f, res->stats, res->stats_count) != 0)
        fprintf(stderr, "burh-keepldr: writing the syscall counters failed\n");
    fclose(f);
}

/* burh-wasmldr-static in a kvm keep: its listening socket is a host socket (the tenant reaches
 * the keep on the host's port) and its status records come out of guest fd 3. */
static int run_kvm_wasmldr(struct options *o)
{
    struct keepldr_nil_config *c = &o->nil;
    if (!c->nonce_hex || !is_hex_nonce(c->nonce_hex))
        die("--nonce must be 32..128 lower-case hex digits%s", "");
    if (c->status_fd < 3 || fcntl(c->status_fd, F_GETFD) < 0)
        die("--status-fd must be an open descriptor above 2%s", "");
    fcntl(c->status_fd, F_SETFD, FD_CLOEXEC);
    const char *payload = c->wasmldr_path ? c->wasmldr_path : sibling_path("burh-wasmldr-static");
    static char payload_abs[PATH_MAX];
    if (!realpath(payload, payload_abs))
        die("burh-wasmldr-static not found: %s", payload);
    o->cfg.payload_path = payload_abs;
    if (c->memory_mib != 256) { /* keepmgr's --memory-mib, unless --mem said otherwise */
        if (c->memory_mib < 64 || c->memory_mib > 4096 || c->memory_mib % 2)
            die("--memory-mib for a kvm keep must be even, 64..4096%s", "");
        o->cfg.mem_size = (uint64_t)c->memory_mib << 20;
    }
    if (!o->cfg.shim_path)
        o->cfg.shim_path = sibling_path("burh-shim.elf");
    /* wasmldr caps the Wasm program's linear memory exactly, as the nil keepldr has it do. */
    unsigned vm_mib = (unsigned)(o->cfg.mem_size >> 20), limit = o->mem_limit_mib;
    if (!limit)
        limit = vm_mib > KVM_WASMLDR_RESERVE_MIB + KVM_MEM_LIMIT_MIN_MIB
                    ? vm_mib - KVM_WASMLDR_RESERVE_MIB
                    : KVM_MEM_LIMIT_MIN_MIB;
    static char mem_limit[16];
    snprintf(mem_limit, sizeof(mem_limit), "%u", limit);
    static const char *args[12];
    unsigned n = 0;
    args[n++] = "burh-wasmldr";
    args[n++] = "--backend";
    args[n++] = "kvm";
    args[n++] = "--nonce";
    args[n++] = c->nonce_hex;
    args[n++] = "--listen";
    args[n++] = c->listen;
    args[n++] = "--status-fd";
    args[n++] = "3";
    args[n++] = "--mem-limit";
    args[n++] = mem_limit;
    o->cfg.argv = args;
    o->cfg.argc = n;
    int guest_end;
    if (kvm_relay_start(c->status_fd, &guest_end) != 0)
        die("cannot start the status relay: %s", strerror(errno));
    o->cfg.status_fd = guest_end;
    static struct kvm_result res; /* big: the syscall counters */
    kvm_keep_run(&o->cfg, &res);
    write_syscall_stats(o->syscall_stats, &res);
    fprintf(stderr, "burh-keepldr: kvm keep ended: %s\n", res.report);
    if (o->timing)
        print_timing(&res);
    else
        print_digest(&res);
    return kvm_relay_finish(guest_end, status_of(&res), res.report);
}

int main(int argc, char **argv)
{
    struct options o = {.cfg = {.mem_size = (uint64_t)KVM_DEFAULT_MEM_MIB << 20,
                                .time_limit_ms = KVM_DEFAULT_TIME_LIMIT * 1000u},
                        .nil = {.listen = "127.0.0.1:0", .memory_mib = 256, .cpu_seconds = 3600}};
    o.cfg.status_fd = -1;
    int i = parse_options(&o, argc, argv);
    if (o.backend && strcmp(o.backend, "nil") == 0) {
        if (i < argc)
            die("the nil backend takes no program argument: %s", argv[i]);
        if (o.syscall_stats || o.mem_limit_mib)
            die("--syscall-stats and --mem-limit are kvm options%s", "");
        return run_nil(&o.nil);
    }
    if (!o.backend || strcmp(o.backend, "kvm") != 0)
        die("--backend nil or kvm is required%s", "");
    if (o.nil.nonce_hex || o.nil.status_fd) {
        if (i < argc)
            die("a kvm keep with --nonce runs burh-wasmldr-static, not %s", argv[i]);
        return run_kvm_wasmldr(&o);
    }
    if (i >= argc) {
        usage(stderr);
        die("no ELF program given%s", "");
    }
    if (o.mem_limit_mib)
        die("--mem-limit applies to a wasmldr keep (--nonce) only%s", "");
    o.cfg.payload_path = argv[i];
    o.cfg.argv = (const char *const *)&argv[i];
    o.cfg.argc = (unsigned)(argc - i);
    if (!o.cfg.shim_path)
        o.cfg.shim_path = sibling_path("burh-shim.elf");
    const char *hostile = getenv("BURH_KVM_HOSTILE");
    o.cfg.hostile = kvm_hostile_parse(hostile);
    if (hostile && *hostile && o.cfg.hostile == KVM_HOSTILE_NONE)
        die("unknown BURH_KVM_HOSTILE mode %s", hostile);

    static struct kvm_result res; /* big: the syscall counters */
    kvm_keep_run(&o.cfg, &res);
    write_syscall_stats(o.syscall_stats, &res);
    if (res.outcome != KVM_OUT_EXITED || o.cfg.debug_console)
        fprintf(stderr, "burh-keepldr: %s\n", res.report);
    if (o.timing)
        print_timing(&res);
    return status_of(&res);
}
