/* `burh run`: loads a Wasm program, links WASI and calls its _start on this host. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "burh/engine.h"
#include "burh/wasi.h"
#include "cli/cli.h"
#include "cli/run_keep.h"

#define RUN_MAX_MODULE_BYTES (512u << 20)
#define RUN_MAX_MEM_MIB      4096u /* the whole 32-bit address space */
#define RUN_MAX_TIME_LIMIT   31536000u
#define RUN_MEMFS_BUDGET     (1ull << 30) /* --mem-dir: all in-memory files together */
#define RUN_MEMFS_MAX_DEPTH  64u

static const char run_help[] =
    "usage: burh run [OPTIONS] APP.wasm [--] [ARGS...]\n"
    "\n"
    "Runs the WASI command APP.wasm (its _start export) on this host, in burh's own\n"
    "WebAssembly engine. The program sees ARGS with argv[0] = the file's name.\n"
    "\n"
    "options:\n"
    "  --env KEY=VALUE        give the program an environment variable (repeatable)\n"
    "  --dir HOST[::GUEST]    let the program use host directory HOST, seen as GUEST\n"
    "                         (default: HOST without a leading ./ or trailing /);\n"
    "                         nothing outside it is reachable, through '..' or\n"
    "                         symlinks (repeatable)\n"
    "  --mem-dir HOST[::GUEST] like --dir, but a copy of HOST held in memory: the\n"
    "                         program's changes are never written back (repeatable)\n"
    "  --listen [ADDR:]PORT   give the program a TCP socket listening on ADDR (default\n"
    "                         127.0.0.1) as the next fd, for sock_accept (repeatable)\n"
    "  --connect HOST:PORT    give the program a TCP connection to HOST:PORT as the\n"
    "                         next fd (repeatable); FD_COUNT and FD_NAMES describe them\n"
    "  --mem-limit MIB        cap the program's linear memory at MIB mebibytes\n"
    "  --time-limit SEC       stop the program after SEC seconds of wall-clock time\n"
    "  --trace-syscalls[=FILE] list the distinct system calls the run makes, with\n"
    "                         counts, on stderr (or in FILE) when it ends\n"
    "  --backend B            where the program runs: process (default: in burh itself),\n"
    "                         kvm (a local KVM keep), nil (a local sandboxed keep), or\n"
    "                         auto (kvm when /dev/kvm is usable, else process). In a keep,\n"
    "                         --dir and --mem-dir are copied in, sockets are refused and\n"
    "                         stdin is not forwarded (docs/cli.md)\n"
    "  -v, --verbose          say which backend runs the program and how the keep went\n"
    "  -h, --help             show this text\n"
    "\n"
    "exit status:\n"
    "  N     the program's own exit code (proc_exit(N), or 0 when _start returns)\n"
    "  2     bad command line\n"
    "  4, 5  (keeps) the keep failed or died; its attestation was refused\n"
    "  124   the time limit ran out ('burh: time limit of N s exceeded')\n"
    "  125   the program trapped ('burh: trap: REASON')\n"
    "  126   APP.wasm could not be read, is malformed or invalid, or needs imports burh\n"
    "        does not provide ('burh: FILE: STATUS: MESSAGE')\n";

/* Where the program runs: in this process, or in a local keep (run_keep.c). */
typedef enum run_backend {
    RUN_BACKEND_PROCESS = 0,
    RUN_BACKEND_KVM,
    RUN_BACKEND_NIL,
    RUN_BACKEND_AUTO,
} run_backend;

typedef struct run_opts {
    const char *file;
    run_backend backend;
    bool verbose;
    char **envs, **dirs, **socks;
    bool *dir_in_mem, *sock_listen;
    size_t nenvs, ndirs, nsocks;
    uint32_t mem_limit_mib; /* 0: the engine's default */
    uint32_t time_limit_s;  /* 0: none */
    const char *trace_path; /* --trace-syscalls: NULL, "-" for stderr, or a file */
    char **args;
    int nargs;
} run_opts;

static int usage_error(const char *fmt, const char *what)
{
    fprintf(stderr, "burh run: ");
    fprintf(stderr, fmt, what);
    fprintf(stderr, "\n\n%s", run_help);
    return BURH_EXIT_USAGE;
}

static bool parse_u32(const char *s, uint32_t max, uint32_t *out)
{
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* An option's value: "--opt=VALUE" or the next argument. NULL when missing. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt)
{
    size_t len = strlen(opt);
    if (argv[*i][len] == '=')
        return argv[*i] + len + 1;
    if (argv[*i][len] != '\0' || *i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static bool opt_is(const char *arg, const char *opt)
{
    size_t len = strlen(opt);
    return strncmp(arg, opt, len) == 0 && (arg[len] == '\0' || arg[len] == '=');
}

static bool parse_backend(const char *v, run_opts *o)
{
    static const char *const names[] = {"process", "kvm", "nil", "auto"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(v, names[k]) == 0) {
            o->backend = (run_backend)k;
            return true;
        }
    return false;
}

/* Returns -1 when the options are good, else the exit status to end with. */
static int parse_opts(int argc, char **argv, run_opts *o)
{
    int i = 1;
    for (; i < argc && o->file == NULL; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(run_help, stdout);
            return 0;
        } else if (opt_is(a, "--env")) {
            if ((v = opt_value(argc, argv, &i, "--env")) == NULL || strchr(v, '=') == NULL ||
                v[0] == '=')
                return usage_error("--env needs KEY=VALUE%s", "");
            o->envs[o->nenvs++] = (char *)v;
        } else if (opt_is(a, "--dir")) {
            if ((v = opt_value(argc, argv, &i, "--dir")) == NULL || v[0] == '\0')
                return usage_error("--dir needs HOST[::GUEST]%s", "");
            o->dirs[o->ndirs++] = (char *)v;
        } else if (opt_is(a, "--mem-dir")) {
            if ((v = opt_value(argc, argv, &i, "--mem-dir")) == NULL || v[0] == '\0')
                return usage_error("--mem-dir needs HOST[::GUEST]%s", "");
            o->dir_in_mem[o->ndirs] = true;
            o->dirs[o->ndirs++] = (char *)v;
        } else if (opt_is(a, "--listen") || opt_is(a, "--connect")) {
            bool listen_opt = opt_is(a, "--listen");
            v = opt_value(argc, argv, &i, listen_opt ? "--listen" : "--connect");
            if (v == NULL || v[0] == '\0')
                return usage_error("%s needs an address", listen_opt ? "--listen" : "--connect");
            o->socks[o->nsocks++] = (char *)v;
            o->sock_listen[o->nsocks - 1] = listen_opt;
        } else if (opt_is(a, "--mem-limit")) {
            v = opt_value(argc, argv, &i, "--mem-limit");
            if (v == NULL || !parse_u32(v, RUN_MAX_MEM_MIB, &o->mem_limit_mib) ||
                o->mem_limit_mib == 0)
                return usage_error("--mem-limit needs a size in MiB, 1 to 4096%s", "");
        } else if (opt_is(a, "--time-limit")) {
            v = opt_value(argc, argv, &i, "--time-limit");
            if (v == NULL || !parse_u32(v, RUN_MAX_TIME_LIMIT, &o->time_limit_s) ||
                o->time_limit_s == 0)
                return usage_error("--time-limit needs a number of seconds%s", "");
        } else if (opt_is(a, "--backend")) {
            if ((v = opt_value(argc, argv, &i, "--backend")) == NULL || !parse_backend(v, o))
                return usage_error("--backend needs process, kvm, nil or auto%s", "");
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o->verbose = true;
        } else if (strcmp(a, "--trace-syscalls") == 0) {
            o->trace_path = "-";
        } else if (strncmp(a, "--trace-syscalls=", 17) == 0 && a[17] != '\0') {
            o->trace_path = a + 17;
        } else if (strcmp(a, "--") == 0 || (a[0] == '-' && a[1] != '\0')) {
            return usage_error("unknown option '%s'", a);
        } else {
            o->file = a;
        }
    }
    if (o->file == NULL)
        return usage_error("no program given%s", "");
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    o->args = argv + i;
    o->nargs = argc - i;
    return -1;
}

static int bad_module(const char *file, bw_status status, const char *message)
{
    fprintf(stderr, "burh: %s: %s: %s\n", file, bw_status_name(status), message);
    return BURH_EXIT_BAD_MODULE;
}

/* Reads the whole module; NULL (after a message) when it cannot. */
static uint8_t *read_module(const char *file, size_t *len)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "burh: %s: %s\n", file, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > (off_t)RUN_MAX_MODULE_BYTES) {
        fprintf(stderr, "burh: %s: %s\n", file,
                S_ISREG(st.st_mode) ? "larger than 512 MiB" : "not a regular file");
        close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size, got = 0;
    uint8_t *bytes = malloc(size == 0 ? 1 : size);
    if (bytes == NULL)
        fprintf(stderr, "burh: %s: out of memory\n", file);
    while (bytes != NULL && got < size) {
        ssize_t n = read(fd, bytes + got, size - got);
        if (n <= 0) {
            fprintf(stderr, "burh: %s: %s\n", file, n < 0 ? strerror(errno) : "file shrank");
            free(bytes);
            bytes = NULL;
        } else {
            got += (size_t)n;
        }
    }
    close(fd);
    *len = size;
    return bytes;
}

static bw_name name_of(const char *s, size_t len)
{
    bw_name n = {(const uint8_t *)s, len};
    return n;
}

/* The guest's name for `--dir HOST`: HOST without a leading "./" or trailing slashes, the
 * form wasi-libc matches relative paths against ("./data/" becomes "data"). */
static bw_name default_guest_name(const char *host, size_t len)
{
    while (len > 2 && host[0] == '.' && host[1] == '/') {
        host += 2;
        len -= 2;
        while (len > 1 && host[0] == '/') {
            host++;
            len--;
        }
    }
    while (len > 1 && host[len - 1] == '/')
        len--;
    return name_of(host, len);
}

/* ---- --mem-dir: a host directory copied into an in-memory file system ---- */

static bool mem_load_file(burh_wasi_memfs *fs, int dirfd, const char *name, const char *path)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size > (off_t)RUN_MEMFS_BUDGET) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    size_t size = (size_t)st.st_size, got = 0;
    uint8_t *bytes = malloc(size == 0 ? 1 : size);
    while (bytes != NULL && got < size) {
        ssize_t n = read(fd, bytes + got, size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    bool ok = bytes != NULL && got == size &&
              burh_wasi_memfs_add_file(fs, name_of(path, strlen(path)), bytes, size,
                                       st.st_mode & 0777) == BURH_WASI_OK;
    free(bytes);
    return ok;
}

/* Copies directory `host_dir` (closed here) to `prefix` in `fs`: files and directories only. */
static bool mem_load_dir(burh_wasi_memfs *fs, int host_dir, const char *prefix, unsigned depth)
{
    DIR *d = depth < RUN_MEMFS_MAX_DEPTH ? fdopendir(host_dir) : NULL;
    if (d == NULL) {
        close(host_dir);
        return false;
    }
    bool ok = true;
    struct dirent *de;
    while (ok && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char path[4096];
        int len = snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "/" : "", de->d_name);
        struct stat st;
        if (len < 0 || (size_t)len >= sizeof path ||
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            ok = false;
        } else if (S_ISDIR(st.st_mode)) {
            int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            ok = sub >= 0 &&
                 burh_wasi_memfs_add_dir(fs, name_of(path, (size_t)len), st.st_mode & 0777) ==
                     BURH_WASI_OK &&
                 mem_load_dir(fs, sub, path, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            ok = mem_load_file(fs, dirfd(d), de->d_name, path);
        } /* other kinds (symlinks, devices) are left out */
    }
    closedir(d);
    return ok;
}

static burh_wasi_status add_mem_dir(burh_wasi *w, const char *host, bw_name guest)
{
    burh_wasi_memfs *fs = burh_wasi_memfs_new(RUN_MEMFS_BUDGET, 0);
    if (fs == NULL)
        return BURH_WASI_ERR_NOMEM;
    int fd = open(host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    burh_wasi_status st = BURH_WASI_ERR_HOST_DIR;
    if (fd >= 0 && mem_load_dir(fs, fd, "", 0))
        st = burh_wasi_preopen_memfs(w, fs, name_of("", 0), guest);
    burh_wasi_memfs_free(fs); /* the preopen holds its own reference */
    return st;
}

/* ---- --listen and --connect ---- */

/* Splits "[HOST:]PORT" (HOST may be [v6]); the port is required. */
static bool split_addr(const char *spec, bool host_required, char *host, size_t cap,
                       const char **port)
{
    const char *colon = strrchr(spec, ':');
    const char *h = spec;
    size_t hlen = colon != NULL ? (size_t)(colon - spec) : 0;
    *port = colon != NULL ? colon + 1 : spec;
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']')
        h++, hlen -= 2;
    if ((host_required && hlen == 0) || hlen >= cap || **port == '\0')
        return false;
    memcpy(host, hlen > 0 ? h : "127.0.0.1", hlen > 0 ? hlen : 10);
    host[hlen > 0 ? hlen : 9] = '\0';
    return true;
}

/* A listening or connected TCP socket for `spec`, or -1 after a message. */
static int open_socket(const char *spec, bool listening)
{
    char host[256];
    const char *port;
    if (!split_addr(spec, !listening, host, sizeof host, &port)) {
        fprintf(stderr, "burh: %s %s: want %s\n", listening ? "--listen" : "--connect", spec,
                listening ? "[ADDR:]PORT" : "HOST:PORT");
        return -1;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = listening ? AI_PASSIVE : 0;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0) {
        fprintf(stderr, "burh: %s: %s\n", spec, gai_strerror(gai));
        return -1;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        int one = 1;
        if (fd >= 0 && listening)
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (fd >= 0 &&
            (listening ? bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0
                       : connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        fprintf(stderr, "burh: %s: %s\n", spec, strerror(saved));
    return fd;
}

/* Opens every --listen and --connect socket ("SPEC[@NAME]"; the name defaults to LISTEN or
 * CONNECT, as in Enarx's examples) and then sets FD_COUNT and FD_NAMES. */
static bool add_sockets(burh_wasi *w, const run_opts *o)
{
    for (size_t i = 0; i < o->nsocks; i++) {
        char spec[512];
        const char *at = strrchr(o->socks[i], '@');
        size_t len = at != NULL ? (size_t)(at - o->socks[i]) : strlen(o->socks[i]);
        if (len >= sizeof spec) {
            fprintf(stderr, "burh: %s: address too long\n", o->socks[i]);
            return false;
        }
        memcpy(spec, o->socks[i], len);
        spec[len] = '\0';
        const char *name = at != NULL ? at + 1 : o->sock_listen[i] ? "LISTEN" : "CONNECT";
        int fd = open_socket(spec, o->sock_listen[i]);
        if (fd < 0)
            return false;
        burh_wasi_status st =
            burh_wasi_add_socket(w, fd, name_of(name, strlen(name)), o->sock_listen[i]);
        if (st != BURH_WASI_OK) {
            fprintf(stderr, "burh: %s: %s\n", o->socks[i], burh_wasi_status_name(st));
            return false;
        }
    }
    burh_wasi_status st = burh_wasi_add_fd_env(w);
    if (st != BURH_WASI_OK)
        fprintf(stderr, "burh: FD_NAMES: %s\n", burh_wasi_status_name(st));
    return st == BURH_WASI_OK;
}

/* Builds the guest's WASI context; NULL (after a message) on failure. */
static burh_wasi *make_wasi(const run_opts *o)
{
    burh_wasi *w = burh_wasi_new();
    if (w == NULL) {
        fprintf(stderr, "burh: out of memory\n");
        return NULL;
    }
    const char *slash = strrchr(o->file, '/');
    const char *argv0 = slash != NULL ? slash + 1 : o->file;
    burh_wasi_status st = burh_wasi_add_arg(w, name_of(argv0, strlen(argv0)));
    for (int i = 0; st == BURH_WASI_OK && i < o->nargs; i++)
        st = burh_wasi_add_arg(w, name_of(o->args[i], strlen(o->args[i])));
    for (size_t i = 0; st == BURH_WASI_OK && i < o->nenvs; i++)
        st = burh_wasi_add_env(w, name_of(o->envs[i], strlen(o->envs[i])));
    if (st != BURH_WASI_OK) {
        fprintf(stderr, "burh: arguments or environment: %s\n", burh_wasi_status_name(st));
        burh_wasi_free(w);
        return NULL;
    }
    for (size_t i = 0; i < o->ndirs; i++) {
        const char *spec = o->dirs[i], *sep = strstr(spec, "::");
        size_t host_len = sep != NULL ? (size_t)(sep - spec) : strlen(spec);
        bw_name guest =
            sep != NULL ? name_of(sep + 2, strlen(sep + 2)) : default_guest_name(spec, host_len);
        if (o->dir_in_mem[i]) {
            char *host = strndup(spec, host_len);
            st = host != NULL ? add_mem_dir(w, host, guest) : BURH_WASI_ERR_NOMEM;
            free(host);
        } else {
            st = burh_wasi_add_preopen(w, name_of(spec, host_len), guest);
        }
        if (st != BURH_WASI_OK) {
            fprintf(stderr, "burh: %s %s: %s%s%s\n", o->dir_in_mem[i] ? "--mem-dir" : "--dir", spec,
                    burh_wasi_status_name(st), st == BURH_WASI_ERR_HOST_DIR ? ": " : "",
                    st == BURH_WASI_ERR_HOST_DIR ? strerror(errno) : "");
            burh_wasi_free(w);
            return NULL;
        }
    }
    if (o->nsocks > 0 && !add_sockets(w, o)) {
        burh_wasi_free(w);
        return NULL;
    }
    return w;
}

/* ---- the time limit: SIGALRM asks the engine to stop at its next check ---- */

static bw_store *volatile limited_store;
static volatile sig_atomic_t time_up;

static void on_alarm(int sig)
{
    (void)sig;
    time_up = 1;
    if (limited_store != NULL)
        bw_store_interrupt(limited_store);
}

static void time_limit_start(bw_store *store, uint32_t seconds)
{
    if (seconds == 0)
        return;
    limited_store = store;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocked read or sleep returns to the guest */
    sigaction(SIGALRM, &sa, NULL);
    /* After the first expiry the signal repeats, so a guest that was just entering a
     * blocking call when it came is still woken soon after. */
    struct itimerval it;
    memset(&it, 0, sizeof it);
    it.it_value.tv_sec = seconds;
    it.it_interval.tv_usec = 200000;
    setitimer(ITIMER_REAL, &it, NULL);
}

static void time_limit_stop(void)
{
    struct itimerval it;
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    limited_store = NULL;
}

/* The exit status for how the guest ended. */
static int guest_outcome(const run_opts *o, bw_status status, const bw_error *err)
{
    if (status == BW_OK)
        return 0;
    if (status == BW_ERR_EXIT)
        return err->exit_code & 0xff;
    if (status == BW_ERR_TRAP && err->trap == BW_TRAP_INTERRUPTED && time_up) {
        fprintf(stderr, "burh: time limit of %u s exceeded\n", o->time_limit_s);
        return BURH_EXIT_TIME_LIMIT;
    }
    if (status == BW_ERR_TRAP) {
        const char *reason = err->message[0] != '\0' ? err->message : bw_trap_message(err->trap);
        fprintf(stderr, "burh: trap: %s\n", reason);
        return BURH_EXIT_TRAP;
    }
    return bad_module(o->file, status, err->message);
}

/* Resolves imports (WASI only), instantiates and finds _start. */
static bw_status prepare(const run_opts *o, burh_wasi *w, bw_store *store, bw_module *module,
                         bw_func **start, bw_error *err)
{
    uint32_t n = bw_module_import_count(module);
    bw_extern *imports = calloc(n == 0 ? 1 : n, sizeof *imports);
    if (imports == NULL)
        return BW_ERR_NOMEM;
    bw_status st = burh_wasi_link(w, store, module, imports, err);
    for (uint32_t i = 0; st == BW_OK && i < n; i++) {
        bw_import_info imp;
        if (bw_module_import(module, i, &imp) && !burh_wasi_is_wasi_import(&imp)) {
            snprintf(err->message, sizeof err->message, "unknown import %.*s.%.*s",
                     (int)(imp.module.len > 100 ? 100 : imp.module.len), imp.module.ptr,
                     (int)(imp.name.len > 100 ? 100 : imp.name.len), imp.name.ptr);
            st = BW_ERR_UNLINKABLE;
        }
    }
    bw_instance *inst = NULL;
    if (st == BW_OK) {
        time_limit_start(store, o->time_limit_s); /* the start function counts too */
        st = bw_instantiate(store, module, imports, n, &inst, err);
    }
    free(imports);
    if (st != BW_OK)
        return st;
    if (o->verbose)
        fprintf(stderr, "burh: bounds checks: %s\n",
                bw_instance_bounds(inst) == BW_BOUNDS_GUARD ? "guard pages" : "software");
    bw_extern ex;
    if (bw_instance_export(inst, (const uint8_t *)"_start", 6, &ex) != BW_OK ||
        ex.kind != BW_EXTERN_FUNC) {
        snprintf(err->message, sizeof err->message, "no function export named _start");
        return BW_ERR_NOT_FOUND;
    }
    *start = ex.of.func;
    return BW_OK;
}

static int run_module(const run_opts *o, bw_module *module)
{
    bw_store_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_memory_pages = o->mem_limit_mib * 16u; /* 16 pages of 64 KiB per MiB */
    bw_store *store = bw_store_new(&cfg);
    burh_wasi *w = store != NULL ? make_wasi(o) : NULL;
    if (store == NULL || w == NULL) {
        if (store == NULL)
            fprintf(stderr, "burh: out of memory\n");
        bw_store_free(store);
        return BURH_EXIT_BAD_MODULE;
    }
    bw_error err;
    memset(&err, 0, sizeof err);
    bw_func *start = NULL;
    bw_status st = prepare(o, w, store, module, &start, &err);
    if (st == BW_OK)
        st = bw_func_call(store, start, NULL, 0, NULL, 0, &err);
    time_limit_stop();
    int rc = guest_outcome(o, st, &err);
    bw_store_free(store);
    burh_wasi_free(w);
    return rc;
}

/* --backend kvm|nil|auto: -1 to run in this process after all, else the exit status. */
static int run_elsewhere(const run_opts *o)
{
    if (o->backend == RUN_BACKEND_AUTO) {
        /* Sockets exist only in this process, so they decide before /dev/kvm does. */
        const char *why =
            o->nsocks > 0 ? "--listen/--connect need the host" : run_keep_kvm_unusable();
        if (o->verbose && why == NULL)
            fprintf(stderr, "burh: --backend auto: kvm\n");
        else if (o->verbose)
            fprintf(stderr, "burh: --backend auto: process (no kvm keep: %s)\n", why);
        if (why != NULL)
            return -1;
    }
    if (o->nsocks > 0) {
        fprintf(stderr, "burh run: --listen and --connect cannot be used in a keep: sockets are "
                        "not forwarded into it (use --backend process)\n");
        return BURH_EXIT_USAGE;
    }
    run_keep_request r = {
        .backend = o->backend == RUN_BACKEND_NIL ? BURH_BACKEND_NIL : BURH_BACKEND_KVM,
        .file = o->file,
        .args = o->args,
        .nargs = o->nargs,
        .envs = o->envs,
        .nenvs = o->nenvs,
        .dirs = o->dirs,
        .dir_in_mem = o->dir_in_mem,
        .ndirs = o->ndirs,
        .mem_limit_mib = o->mem_limit_mib,
        .time_limit_s = o->time_limit_s,
        .trace_path = o->trace_path,
        .verbose = o->verbose,
    };
    if (o->verbose && o->backend != RUN_BACKEND_AUTO)
        fprintf(stderr, "burh: --backend %s\n", burh_keep_backend_name(r.backend));
    return run_keep(&r);
}

int burh_cmd_run(int argc, char **argv)
{
    run_opts o;
    memset(&o, 0, sizeof o);
    o.envs = calloc((size_t)argc + 1, sizeof *o.envs);
    o.dirs = calloc((size_t)argc + 1, sizeof *o.dirs);
    o.socks = calloc((size_t)argc + 1, sizeof *o.socks);
    o.dir_in_mem = calloc((size_t)argc + 1, sizeof *o.dir_in_mem);
    o.sock_listen = calloc((size_t)argc + 1, sizeof *o.sock_listen);
    int rc = BURH_EXIT_BAD_MODULE;
    if (o.envs == NULL || o.dirs == NULL || o.socks == NULL || o.dir_in_mem == NULL ||
        o.sock_listen == NULL) {
        fprintf(stderr, "burh: out of memory\n");
        goto done;
    }
    rc = parse_opts(argc, argv, &o);
    if (rc >= 0)
        goto done;
    if (o.backend != RUN_BACKEND_PROCESS && (rc = run_elsewhere(&o)) >= 0)
        goto done;
    if (o.trace_path != NULL && burh_trace_syscalls_fork(o.trace_path, &rc))
        goto done;
    size_t len = 0;
    uint8_t *bytes = read_module(o.file, &len);
    rc = BURH_EXIT_BAD_MODULE;
    if (bytes == NULL)
        goto done;
    bw_module *module = NULL;
    bw_error err;
    memset(&err, 0, sizeof err);
    bw_status st = bw_module_load(bytes, len, &module, &err);
    free(bytes);
    if (st != BW_OK) {
        rc = bad_module(o.file, st, err.message);
        goto done;
    }
    rc = run_module(&o, module);
    bw_module_free(module);
done:
    free(o.envs);
    free(o.dirs);
    free(o.socks);
    free(o.dir_in_mem);
    free(o.sock_listen);
    return rc;
}
