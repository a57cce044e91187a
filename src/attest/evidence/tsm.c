/* Evidence from Linux configfs-tsm (Documentation/ABI/testing/configfs-tsm-report). */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/evidence/evidence_internal.h"

#define SMALL_ATTR_MAX     64u /* generation, provider, privlevel_floor */
#define MKDIR_NAME_RETRIES 8u
#define BLOB_FIRST_CHUNK   4096u

static atomic_uint entry_sequence;

/* An entry made for one request; removed by tsm_entry_close. */
typedef struct tsm_entry {
    char path[PATH_MAX];
    int dirfd;
    bool made; /* the directory exists and must be removed */
    const burh_attester_tsm_hooks *hooks;
} tsm_entry;

/* mkdir a uniquely named entry: unique per process, call and (by a random part) boot. */
static burh_attester_status tsm_entry_open(const burh_attester_opts *o, tsm_entry *e,
                                           burh_attester_error *err)
{
    e->dirfd = -1;
    e->made = false;
    e->path[0] = '\0';
    e->hooks = o->hooks;
    int rc = -1, saved = 0;
    for (unsigned i = 0; i < MKDIR_NAME_RETRIES && rc != 0; i++) {
        uint32_t nonce = 0;
        if (getrandom(&nonce, sizeof nonce, GRND_NONBLOCK) != (ssize_t)sizeof nonce)
            nonce ^= (uint32_t)(uintptr_t)e ^ (uint32_t)i;
        int n = snprintf(e->path, sizeof e->path, "%s/burh-%ld-%u-%08x", o->tsm_root,
                         (long)getpid(), atomic_fetch_add(&entry_sequence, 1u), nonce);
        if (n < 0 || (size_t)n >= sizeof e->path)
            return burh_attester_fail(err, BURH_ATTESTER_ERR_ARGS, 0,
                                      "configfs-tsm root path too long");
        rc = mkdir(e->path, 0700);
        saved = errno;
        if (rc != 0 && saved != EEXIST)
            break;
    }
    if (rc != 0) {
        if (saved == ENOENT || saved == ENOTDIR)
            return burh_attester_fail(err, BURH_ATTESTER_ERR_NO_DEVICE, saved,
                                      "configfs-tsm not found at %s (needs Linux 6.7+ with "
                                      "CONFIG_TSM_REPORTS and configfs mounted)",
                                      o->tsm_root);
        if (saved == ENXIO || saved == ENODEV)
            return burh_attester_fail(err, BURH_ATTESTER_ERR_NO_PROVIDER, saved,
                                      "configfs-tsm at %s has no provider (no sev-guest or "
                                      "tdx-guest driver loaded)",
                                      o->tsm_root);
        return burh_attester_fail(err, BURH_ATTESTER_ERR_IO, saved, "mkdir %s: %s", e->path,
                                  strerror(saved));
    }
    e->made = true;
    if (e->hooks && e->hooks->entry_made && e->hooks->entry_made(e->hooks->ctx, e->path) != 0)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_IO, 0,
                                  "the configfs-tsm stand-in could not fill %s", e->path);
    e->dirfd = open(e->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (e->dirfd < 0)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_IO, errno, "open %s: %s", e->path,
                                  strerror(errno));
    return BURH_ATTESTER_OK;
}

/* Removes the entry; keeps the first failure already in st/err, else reports a failed rmdir. */
static burh_attester_status tsm_entry_close(tsm_entry *e, burh_attester_status st,
                                            burh_attester_error *err)
{
    if (e->dirfd >= 0)
        close(e->dirfd);
    e->dirfd = -1;
    if (!e->made)
        return st;
    e->made = false;
    if (e->hooks && e->hooks->entry_removing)
        e->hooks->entry_removing(e->hooks->ctx, e->path);
    if (rmdir(e->path) != 0 && st == BURH_ATTESTER_OK)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_IO, errno,
                                  "rmdir %s: %s (the entry is left behind)", e->path,
                                  strerror(errno));
    return st;
}

static burh_attester_status io_fail(burh_attester_error *err, const char *op, const char *name,
                                    int sys_errno)
{
    return burh_attester_fail(err, BURH_ATTESTER_ERR_IO, sys_errno, "%s %s: %s", op, name,
                              strerror(sys_errno));
}

/* Reads at most cap bytes of attribute `name`; more is TOO_LARGE. *out is malloc'd. */
static burh_attester_status read_blob(int dirfd, const char *name, size_t cap, uint8_t **out,
                                      size_t *out_len, burh_attester_error *err)
{
    *out = NULL;
    *out_len = 0;
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return io_fail(err, "open", name, errno);
    size_t size = cap < BLOB_FIRST_CHUNK ? cap + 1 : BLOB_FIRST_CHUNK, len = 0;
    uint8_t *buf = malloc(size);
    burh_attester_status st = BURH_ATTESTER_ERR_NOMEM;
    while (buf) {
        if (len == size) {
            if (size > cap) {
                st = BURH_ATTESTER_ERR_TOO_LARGE;
                break;
            }
            size_t grown = size * 2 > cap ? cap + 1 : size * 2;
            uint8_t *bigger = realloc(buf, grown);
            if (!bigger)
                break;
            buf = bigger;
            size = grown;
        }
        ssize_t n = read(fd, buf + len, size - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = BURH_ATTESTER_ERR_IO;
            io_fail(err, "read", name, errno);
            break;
        }
        if (n == 0) {
            close(fd);
            *out = buf;
            *out_len = len;
            return BURH_ATTESTER_OK;
        }
        len += (size_t)n;
    }
    close(fd);
    free(buf);
    if (st == BURH_ATTESTER_ERR_TOO_LARGE)
        return burh_attester_fail(err, st, 0, "%s is larger than its %zu-byte limit", name, cap);
    if (st == BURH_ATTESTER_ERR_NOMEM)
        return burh_attester_fail(err, st, 0, "out of memory reading %s", name);
    return st;
}

/* A text attribute of at most SMALL_ATTR_MAX bytes, without its trailing newline. */
static burh_attester_status read_text(int dirfd, const char *name, char *out, size_t cap,
                                      burh_attester_error *err)
{
    uint8_t *blob;
    size_t len;
    burh_attester_status st = read_blob(dirfd, name, SMALL_ATTR_MAX, &blob, &len, err);
    if (st != BURH_ATTESTER_OK)
        return st;
    if (len > 0 && blob[len - 1] == '\n')
        len--;
    if (len >= cap || memchr(blob, '\0', len)) {
        free(blob);
        return burh_attester_fail(err, BURH_ATTESTER_ERR_MALFORMED, 0,
                                  "%s is not a short line of text", name);
    }
    memcpy(out, blob, len);
    out[len] = '\0';
    free(blob);
    return BURH_ATTESTER_OK;
}

static burh_attester_status read_number(int dirfd, const char *name, uint64_t *out,
                                        burh_attester_error *err)
{
    char text[SMALL_ATTR_MAX];
    burh_attester_status st = read_text(dirfd, name, text, sizeof text, err);
    if (st != BURH_ATTESTER_OK)
        return st;
    uint64_t v = 0;
    size_t i = 0;
    for (; text[i] >= '0' && text[i] <= '9'; i++) {
        if (v > (UINT64_MAX - 9) / 10)
            break;
        v = v * 10 + (uint64_t)(text[i] - '0');
    }
    if (i == 0 || text[i] != '\0')
        return burh_attester_fail(err, BURH_ATTESTER_ERR_MALFORMED, 0,
                                  "%s is not a decimal number: \"%.20s\"", name, text);
    *out = v;
    return BURH_ATTESTER_OK;
}

/* One write and close; configfs commits a binary attribute at close, so its error counts. */
static burh_attester_status write_attr(int dirfd, const char *name, const void *data, size_t len,
                                       burh_attester_error *err)
{
    int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return io_fail(err, "open", name, errno);
    ssize_t n;
    do
        n = write(fd, data, len);
    while (n < 0 && errno == EINTR);
    int saved = errno;
    if (n < 0 || (size_t)n != len) {
        close(fd);
        return io_fail(err, "write", name, n < 0 ? saved : EIO);
    }
    if (close(fd) != 0)
        return io_fail(err, "write (close)", name, errno);
    return BURH_ATTESTER_OK;
}

/* The provider's platform, and a check of privlevel against privlevel_floor. */
static burh_attester_status tsm_prepare(int dirfd, const burh_attester_opts *o, burh_evidence *out,
                                        burh_attester_error *err)
{
    burh_attester_status st =
        read_text(dirfd, "provider", out->provider, sizeof out->provider, err);
    if (st != BURH_ATTESTER_OK)
        return st;
    out->platform = burh_attester_platform_of_provider(out->provider);
    if (out->platform == BURH_ATTESTER_PLATFORM_NONE)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_UNSUPPORTED, 0,
                                  "configfs-tsm provider \"%s\" is not supported", out->provider);
    if (!o->set_privlevel)
        return BURH_ATTESTER_OK;
    uint64_t floor = 0;
    if (faccessat(dirfd, "privlevel_floor", F_OK, 0) == 0 &&
        (st = read_number(dirfd, "privlevel_floor", &floor, err)) != BURH_ATTESTER_OK)
        return st;
    if (o->privlevel < floor)
        return burh_attester_fail(err, BURH_ATTESTER_ERR_ARGS, 0,
                                  "privilege level %u is below the provider's floor %llu",
                                  o->privlevel, (unsigned long long)floor);
    return BURH_ATTESTER_OK;
}

/* Writes the request and reads the answer; RACE when the generation moved more than our
 * writes explain. */
static burh_attester_status tsm_attempt(int dirfd, const burh_attester_opts *o,
                                        const uint8_t report_data[64], burh_evidence *out,
                                        burh_attester_error *err)
{
    uint64_t before = 0, after = 0, writes = 0;
    burh_attester_status st = read_number(dirfd, "generation", &before, err);
    if (st == BURH_ATTESTER_OK && o->set_privlevel) {
        char level[16];
        int n = snprintf(level, sizeof level, "%u\n", o->privlevel);
        st = write_attr(dirfd, "privlevel", level, (size_t)n, err);
        writes++;
    }
    if (st == BURH_ATTESTER_OK) {
        st = write_attr(dirfd, "inblob", report_data, BURH_ATTESTER_REPORT_DATA_SIZE, err);
        writes++;
    }
    if (st == BURH_ATTESTER_OK)
        st = read_blob(dirfd, "outblob", BURH_ATTESTER_MAX_OUTBLOB, &out->report, &out->report_len,
                       err);
    /* auxblob is absent when the provider never emits one (TDX). */
    if (st == BURH_ATTESTER_OK && faccessat(dirfd, "auxblob", F_OK, 0) == 0)
        st = read_blob(dirfd, "auxblob", BURH_ATTESTER_MAX_AUXBLOB, &out->auxblob,
                       &out->auxblob_len, err);
    if (st == BURH_ATTESTER_OK)
        st = read_number(dirfd, "generation", &after, err);
    if (st == BURH_ATTESTER_OK && after != before + writes)
        st = burh_attester_fail(err, BURH_ATTESTER_ERR_RACE, 0,
                                "configfs-tsm generation went from %llu to %llu across our %llu "
                                "writes: another writer used the entry",
                                (unsigned long long)before, (unsigned long long)after,
                                (unsigned long long)writes);
    return st;
}

static burh_attester_status check_evidence(const burh_attester_opts *o,
                                           const uint8_t report_data[64], burh_evidence *out,
                                           burh_attester_error *err)
{
    if (out->platform == BURH_ATTESTER_PLATFORM_TDX)
        return burh_attester_check_tdx_quote(out->report, out->report_len, report_data, err);
    burh_attester_status st = burh_attester_check_snp_report(
        out->report, out->report_len, report_data, o->set_privlevel, o->privlevel, err);
    if (st == BURH_ATTESTER_OK && out->auxblob_len == 0) {
        free(out->auxblob); /* an empty auxblob is "no certificates" */
        out->auxblob = NULL;
    }
    return st == BURH_ATTESTER_OK ? burh_attester_parse_cert_table(out, err) : st;
}

burh_attester_status burh_attester_tsm_get(const burh_attester_opts *o,
                                           const uint8_t report_data[64], burh_evidence *out,
                                           burh_attester_error *err)
{
    tsm_entry e;
    burh_attester_status st = tsm_entry_open(o, &e, err);
    if (!e.made)
        return st;
    if (st == BURH_ATTESTER_OK)
        st = tsm_prepare(e.dirfd, o, out, err);
    out->source = BURH_ATTESTER_SOURCE_TSM;
    for (unsigned attempt = 0; st == BURH_ATTESTER_OK && attempt < o->max_attempts; attempt++) {
        free(out->report);
        free(out->auxblob);
        out->report = out->auxblob = NULL;
        out->report_len = out->auxblob_len = 0;
        st = tsm_attempt(e.dirfd, o, report_data, out, err);
        if (st != BURH_ATTESTER_ERR_RACE)
            break;
        if (attempt + 1 < o->max_attempts)
            st = BURH_ATTESTER_OK;
    }
    if (st == BURH_ATTESTER_OK)
        st = check_evidence(o, report_data, out, err);
    return tsm_entry_close(&e, st, err);
}

burh_attester_status burh_attester_tsm_probe(const burh_attester_opts *o, char *provider,
                                             size_t cap, burh_attester_error *err)
{
    tsm_entry e;
    burh_attester_status st = tsm_entry_open(o, &e, err);
    if (!e.made)
        return st;
    if (st == BURH_ATTESTER_OK)
        st = read_text(e.dirfd, "provider", provider, cap, err);
    return tsm_entry_close(&e, st, err);
}
