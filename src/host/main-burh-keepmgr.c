/* main-burh-keepmgr.c: the host daemon that starts, supervises and lists keeps over HTTP(S). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "host/keepmgr.h"

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: burh-keepmgr --listen ADDR:PORT [options]\n"
        "  --tls-cert FILE --tls-key FILE  serve HTTPS (PEM)\n"
        "  --token-file FILE      require 'Authorization: Bearer <token in FILE>'\n"
        "  --state-dir DIR        keep records (default /var/lib/burh-keepmgr)\n"
        "  --max-keeps N          live keeps at once (default 64)\n"
        "  --launcher exec|systemd  fork/exec keepldr, or in a transient systemd scope\n"
        "  --keepldr PATH         default: burh-keepldr-static, else burh-keepldr, next to this\n"
        "  --wasmldr PATH         passed on to keepldr\n"
        "  --keep-addr ADDR       address keeps listen on and endpoints name (127.0.0.1)\n"
        "  --start-timeout S      a keep must be ready within S seconds (default 30)\n"
        "  --client-timeout S     idle/slow HTTP clients are cut after S seconds (10)\n"
        "  --log-level L          error|warn|info|debug (or env BURH_LOG_LEVEL)\n");
}

static _Noreturn void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "burh-keepmgr: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(1);
}

static unsigned parse_uint(const char *s, unsigned min, unsigned max, const char *what)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
        die("bad %s", what);
    return (unsigned)v;
}

static const char *sibling_path(const char *name)
{
    static char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
    if (n <= 0)
        die("cannot find my own path%s", "");
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    if (!slash || (size_t)(slash + 1 - path) + strlen(name) + 1 > sizeof(path))
        die("path too long: %s", path);
    strcpy(slash + 1, name);
    return path;
}

/* burh-keepldr-static when it is there and not older than burh-keepldr: it starts sooner (one
 * keepldr per keep, on every deploy's path); a stale one (only burh-keepldr rebuilt) is not
 * taken. */
static const char *default_keepldr(void)
{
    static char stat_path[PATH_MAX];
    snprintf(stat_path, sizeof(stat_path), "%s", sibling_path("burh-keepldr-static"));
    const char *dyn = sibling_path("burh-keepldr");
    struct stat st_static, st_dyn;
    if (access(stat_path, X_OK) == 0 && stat(stat_path, &st_static) == 0 &&
        (stat(dyn, &st_dyn) != 0 || st_static.st_mtime >= st_dyn.st_mtime))
        return stat_path;
    return dyn;
}

static void set_log_level(const char *name)
{
    enum kmgr_log_level l;
    if (!kmgr_parse_log_level(name, &l))
        die("unknown log level %s", name);
    kmgr_set_log_level(l);
}

static int take_option(struct kmgr_config *c, struct kmgr_http_config *h, const char *opt,
                       const char *val)
{
    if (strcmp(opt, "--listen") == 0)
        h->listen = val;
    else if (strcmp(opt, "--tls-cert") == 0)
        h->tls_cert = val;
    else if (strcmp(opt, "--tls-key") == 0)
        h->tls_key = val;
    else if (strcmp(opt, "--token-file") == 0)
        h->token_file = val;
    else if (strcmp(opt, "--state-dir") == 0)
        c->state_dir = val;
    else if (strcmp(opt, "--max-keeps") == 0)
        c->max_keeps = parse_uint(val, 1, KMGR_TABLE_MAX, "--max-keeps");
    else if (strcmp(opt, "--keepldr") == 0)
        c->keepldr_path = val;
    else if (strcmp(opt, "--wasmldr") == 0)
        c->wasmldr_path = val;
    else if (strcmp(opt, "--keep-addr") == 0)
        c->keep_addr = val;
    else if (strcmp(opt, "--start-timeout") == 0)
        c->start_timeout_s = parse_uint(val, 1, 3600, "--start-timeout");
    else if (strcmp(opt, "--client-timeout") == 0)
        h->client_timeout_s = parse_uint(val, 1, 3600, "--client-timeout");
    else if (strcmp(opt, "--log-level") == 0)
        set_log_level(val);
    else if (strcmp(opt, "--launcher") == 0 && strcmp(val, "exec") == 0)
        c->launcher_systemd = false;
    else if (strcmp(opt, "--launcher") == 0 && strcmp(val, "systemd") == 0)
        c->launcher_systemd = true;
    else
        return 0;
    return 1;
}

static void check_config(const struct kmgr_config *c, const struct kmgr_http_config *h)
{
    if (!h->listen)
        die("--listen ADDR:PORT is required%s", "");
    if (!h->tls_cert != !h->tls_key)
        die("--tls-cert and --tls-key go together%s", "");
    if (c->launcher_systemd && !kmgr_systemd_running())
        die("--launcher systemd: systemd is not running here (no /run/systemd/system); "
            "use --launcher exec%s",
            "");
    if (access(c->keepldr_path, X_OK) != 0)
        die("keepldr not executable: %s", c->keepldr_path);
    if (mkdir(c->state_dir, 0700) != 0 && errno != EEXIST)
        die("cannot create --state-dir %s", c->state_dir);
    if (access(c->state_dir, R_OK | W_OK | X_OK) != 0)
        die("--state-dir %s is not usable", c->state_dir);
}

static void on_stop(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    struct kmgr *m = arg;
    /* Keeps keep running: the next keepmgr re-adopts them from their records. */
    kmgr_log(KMGR_LOG_INFO, "stopping", "signal=%d live_keeps=%u", (int)sig, kmgr_live_count(m));
    event_base_loopbreak(m->base);
}

int main(int argc, char **argv)
{
    static struct kmgr m;
    struct kmgr_http_config h = {.client_timeout_s = 10};
    m.cfg = (struct kmgr_config){.state_dir = "/var/lib/burh-keepmgr",
                                 .keep_addr = "127.0.0.1",
                                 .max_keeps = 64,
                                 .start_timeout_s = 30};
    const char *env_level = getenv("BURH_LOG_LEVEL");
    if (env_level && *env_level)
        set_log_level(env_level);
    for (int i = 1; i < argc; i += 2) {
        if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (i + 1 >= argc || !take_option(&m.cfg, &h, argv[i], argv[i + 1])) {
            usage(stderr);
            die("unknown option or missing value: %s", argv[i]);
        }
    }
    if (!m.cfg.keepldr_path)
        m.cfg.keepldr_path = default_keepldr();
    check_config(&m.cfg, &h);
    /* A keep's wasmldr outlives a killed keepldr for a moment (parent-death signal): as the
     * subreaper we inherit and reap it; a container's PID 1 may never do so (zombies seen). */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        kmgr_log(KMGR_LOG_WARN, "subreaper", "error=\"%s\"", strerror(errno));
    signal(SIGPIPE, SIG_IGN);
    m.base = event_base_new();
    if (!m.base || kmgr_supervise_init(&m) != 0)
        die("libevent setup failed%s", "");
    int loaded = kmgr_state_load(&m);
    if (loaded < 0)
        die("cannot read --state-dir %s", m.cfg.state_dir);
    kmgr_log(KMGR_LOG_INFO, "state_loaded", "dir=%s keeps=%d live=%u", m.cfg.state_dir, loaded,
             kmgr_live_count(&m));
    kmgr_http_start(&m, &h);
    struct event *term = evsignal_new(m.base, SIGTERM, on_stop, &m);
    struct event *intr = evsignal_new(m.base, SIGINT, on_stop, &m);
    if (!term || !intr || event_add(term, NULL) || event_add(intr, NULL))
        die("libevent setup failed%s", "");
    event_base_dispatch(m.base);
    return 0;
}
