/* keepmgr_state.c: burh-keepmgr's log, keep table and crash-safe per-keep records on disk. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host/keepmgr.h"

#define RECORD_SUFFIX ".keep"
#define RECORD_MAX    2048

static enum kmgr_log_level log_level = KMGR_LOG_INFO;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

void kmgr_set_log_level(enum kmgr_log_level level)
{
    log_level = level;
}

bool kmgr_parse_log_level(const char *name, enum kmgr_log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (enum kmgr_log_level)i;
            return true;
        }
    }
    return false;
}

void kmgr_log(enum kmgr_log_level level, const char *event, const char *fmt, ...)
{
    if (level > log_level)
        return;
    char line[1024], when[32];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    int n = snprintf(line, sizeof(line), "%s.%03ldZ burh-keepmgr %s %s ", when,
                     ts.tv_nsec / 1000000, level_names[level], event);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof(line))
        vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    /* One write per line so lines from concurrent processes do not interleave. */
    size_t len = strnlen(line, sizeof(line) - 2);
    line[len] = '\n';
    if (write(STDERR_FILENO, line, len + 1) < 0)
        return;
}

struct kmgr_keep *kmgr_find(struct kmgr *m, const char *id)
{
    for (size_t i = 0; i < m->nkeeps; i++)
        if (strcmp(m->keeps[i]->info.id, id) == 0)
            return m->keeps[i];
    return NULL;
}

bool kmgr_is_live(const struct kmgr_keep *k)
{
    return k->info.state == BURH_KEEP_STARTING || k->info.state == BURH_KEEP_READY ||
           k->info.state == BURH_KEEP_RUNNING;
}

unsigned kmgr_live_count(const struct kmgr *m)
{
    unsigned n = 0;
    for (size_t i = 0; i < m->nkeeps; i++)
        n += kmgr_is_live(m->keeps[i]);
    return n;
}

int kmgr_path(const struct kmgr *m, const char *id, const char *suffix, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%s%s", m->cfg.state_dir, id, suffix);
    return n > 0 && (size_t)n < cap ? 0 : -ENAMETOOLONG;
}

burh_proto_err kmgr_record_encode(const struct kmgr_keep *k, uint8_t *buf, size_t cap, size_t *len)
{
    uint8_t keep[1024];
    size_t keep_len;
    burh_proto_err err = burh_proto_encode_keep(&k->info, keep, sizeof(keep), &keep_len);
    if (err != BURH_PROTO_OK)
        return err;
    burh_cbor_encoder e;
    burh_cbor_encoder_init(&e, buf, cap);
    burh_cbor_enc_map_begin(&e);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("v"));
    burh_cbor_enc_uint(&e, 1);
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("keep"));
    burh_cbor_enc_raw(&e, BURH_CBOR_BYTES(keep, keep_len));
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("pid"));
    burh_cbor_enc_uint(&e, (uint64_t)(k->pid > 0 ? k->pid : 0));
    burh_cbor_enc_text(&e, BURH_CBOR_LIT("start"));
    burh_cbor_enc_uint(&e, k->start_time);
    burh_cbor_enc_map_end(&e);
    burh_cbor_err ce = burh_cbor_encoder_finish(&e, len);
    if (ce == BURH_CBOR_OK)
        return BURH_PROTO_OK;
    return ce == BURH_CBOR_ERR_BUFFER_TOO_SMALL ? BURH_PROTO_ERR_BUFFER : BURH_PROTO_ERR_ARGS;
}

burh_proto_err kmgr_record_decode(const uint8_t *buf, size_t len, struct kmgr_keep *k)
{
    burh_cbor_decoder d;
    burh_cbor_bytes map, keep;
    uint64_t v = 0, pid = 0, start = 0;
    burh_cbor_decoder_init(&d, BURH_CBOR_BYTES(buf, len), BURH_CBOR_STRICT);
    burh_cbor_next_map(&d, &map);
    if (burh_cbor_decoder_finish(&d) != BURH_CBOR_OK ||
        burh_cbor_map_get_uint(map, BURH_CBOR_LIT("v"), &v) != BURH_CBOR_OK || v != 1 ||
        burh_cbor_map_get_uint(map, BURH_CBOR_LIT("pid"), &pid) != BURH_CBOR_OK ||
        burh_cbor_map_get_uint(map, BURH_CBOR_LIT("start"), &start) != BURH_CBOR_OK ||
        burh_cbor_map_get(map, BURH_CBOR_LIT("keep"), &keep) != BURH_CBOR_OK)
        return BURH_PROTO_ERR_CBOR;
    if (pid > 4194304) /* PID_MAX_LIMIT */
        return BURH_PROTO_ERR_RANGE;
    memset(k, 0, sizeof(*k));
    burh_proto_err err = burh_proto_decode_keep(keep, &k->info, NULL);
    k->pid = (pid_t)pid;
    k->start_time = start;
    k->status_fd = -1;
    return err;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = fsync(fd) == 0 ? 0 : -errno;
    close(fd);
    return rc;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -errno;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes the record through a temporary file and rename, so a reader (a restarted keepmgr)
 * sees the old or the new record whole. `durable` adds the fsyncs that keep it across a host
 * crash (about 7 ms here, see docs/keepmgr.md). */
static int record_write(const struct kmgr *m, const struct kmgr_keep *k, bool durable)
{
    uint8_t rec[RECORD_MAX];
    size_t len;
    char tmp[4096], final[4096];
    if (kmgr_record_encode(k, rec, sizeof(rec), &len) != BURH_PROTO_OK)
        return -EINVAL;
    if (kmgr_path(m, k->info.id, RECORD_SUFFIX ".tmp", tmp, sizeof(tmp)) ||
        kmgr_path(m, k->info.id, RECORD_SUFFIX, final, sizeof(final)))
        return -ENAMETOOLONG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    int rc = write_all(fd, rec, len);
    if (rc == 0 && durable && fsync(fd) != 0)
        rc = -errno;
    close(fd);
    if (rc == 0 && rename(tmp, final) != 0)
        rc = -errno;
    if (rc != 0) {
        unlink(tmp);
        return rc;
    }
    return durable ? fsync_dir(m->cfg.state_dir) : 0;
}

int kmgr_record_save(const struct kmgr *m, const struct kmgr_keep *k)
{
    return record_write(m, k, true);
}

/* A live keep's processes die with the host, so after a host crash its record is marked failed
 * on load whatever live state it says: only its creation and its end need the fsyncs. Without
 * them the ready/running updates stay off the deploy round trip. */
void kmgr_record_update(const struct kmgr *m, const struct kmgr_keep *k)
{
    int rc = record_write(m, k, !kmgr_is_live(k));
    if (rc != 0)
        kmgr_log(KMGR_LOG_ERROR, "record_not_saved", "id=%s error=\"%s\"", k->info.id,
                 strerror(-rc));
}

int kmgr_record_remove(const struct kmgr *m, const char *id)
{
    char path[4096];
    if (kmgr_path(m, id, RECORD_SUFFIX, path, sizeof(path)) == 0 && unlink(path) != 0 &&
        errno != ENOENT)
        return -errno;
    if (kmgr_path(m, id, ".fifo", path, sizeof(path)) == 0)
        unlink(path);
    return fsync_dir(m->cfg.state_dir);
}

uint64_t kmgr_proc_start_time(pid_t pid)
{
    char path[64], stat[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, stat, sizeof(stat) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    stat[n] = '\0';
    /* The command name (field 2) may hold spaces and ')': fields restart after the last ')'. */
    char *p = strrchr(stat, ')');
    if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
        return 0;
    p += 2;
    for (int field = 3; field < 22; field++) {
        p = strchr(p, ' ');
        if (!p)
            return 0;
        p++;
    }
    return strtoull(p, NULL, 10);
}

/* One record file: into the table, adopted when its keepldr is still the same process. */
static void load_one(struct kmgr *m, const char *name)
{
    char path[4096];
    uint8_t rec[RECORD_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", m->cfg.state_dir, name) >= (int)sizeof(path))
        return;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return;
    ssize_t n = read(fd, rec, sizeof(rec));
    close(fd);
    struct kmgr_keep *k = calloc(1, sizeof(*k));
    if (!k || n <= 0 || kmgr_record_decode(rec, (size_t)n, k) != BURH_PROTO_OK ||
        strncmp(name, k->info.id, BURH_PROTO_ID_LEN) != 0 || kmgr_find(m, k->info.id) ||
        m->nkeeps == KMGR_TABLE_MAX) {
        kmgr_log(KMGR_LOG_WARN, "record_unreadable", "file=%s", path);
        free(k);
        return;
    }
    m->keeps[m->nkeeps++] = k;
    if (!kmgr_is_live(k)) {
        k->pid = 0; /* ended: nothing to supervise, whatever the record says */
        return;
    }
    if (k->pid > 0 && k->start_time != 0 && kmgr_proc_start_time(k->pid) == k->start_time &&
        kmgr_watch_status(m, k) == 0) {
        kmgr_log(KMGR_LOG_INFO, "keep_adopted", "id=%s pid=%d state=%s", k->info.id, (int)k->pid,
                 burh_keep_state_name(k->info.state));
        return;
    }
    k->info.state = BURH_KEEP_FAILED;
    k->info.endpoint[0] = '\0';
    k->info.has_reason = true;
    snprintf(k->info.reason, sizeof(k->info.reason),
             "keep ended while keepmgr was down (exit status unknown)");
    k->pid = 0;
    kmgr_record_update(m, k);
    kmgr_log(KMGR_LOG_WARN, "keep_lost", "id=%s reason=\"ended while keepmgr was down\"",
             k->info.id);
}

static int by_created(const void *a, const void *b)
{
    const struct kmgr_keep *x = *(struct kmgr_keep *const *)a, *y = *(struct kmgr_keep *const *)b;
    if (x->info.created != y->info.created)
        return x->info.created < y->info.created ? -1 : 1;
    return strcmp(x->info.id, y->info.id);
}

int kmgr_state_load(struct kmgr *m)
{
    DIR *dir = opendir(m->cfg.state_dir);
    if (!dir)
        return -errno;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len == BURH_PROTO_ID_LEN + strlen(RECORD_SUFFIX) &&
            strcmp(de->d_name + BURH_PROTO_ID_LEN, RECORD_SUFFIX) == 0)
            load_one(m, de->d_name);
        else if (len > 4 && strcmp(de->d_name + len - 4, ".tmp") == 0)
            unlinkat(dirfd(dir), de->d_name, 0); /* a save cut short by a crash */
    }
    closedir(dir);
    qsort(m->keeps, m->nkeeps, sizeof(m->keeps[0]), by_created);
    return (int)m->nkeeps;
}
