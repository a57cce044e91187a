/* wasmldr_job.c: one workload made runnable (module, WASI world, files) and run to its end. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "burh/engine.h"
#include "burh/wasi.h"
#include "keep/wasmldr.h"
#include "keep/wasmldr_files.h"

struct wasmldr_job {
    burh_workload w;
    uint8_t *body;
    size_t body_len;
    bw_module *module;
    bw_store *store;
    burh_wasi *wasi;
    wasmldr_files files;
    atomic_bool time_up, stopping;
    int out_fd, err_fd; /* pipes to the event loop, borrowed */
    uint32_t time_s;
};

static void outcome_error(wasmldr_outcome *o, const char *code, const char *fmt, const char *a,
                          const char *b)
{
    memset(o, 0, sizeof *o);
    o->kind = BURH_FRAME_ERROR;
    snprintf(o->code, sizeof o->code, "%s", code);
    snprintf(o->text, sizeof o->text, fmt, a, b);
}

static bw_name name_of(burh_cbor_bytes b)
{
    return (bw_name){b.ptr, b.len};
}

/* argv and environment; "K=V" is put together in a scratch buffer (each side <= 4096). */
static burh_wasi_status add_args_env(burh_wasi *wasi, const burh_workload *w)
{
    burh_wasi_status st = BURH_WASI_OK;
    for (size_t i = 0; st == BURH_WASI_OK && i < w->argc; i++)
        st = burh_wasi_add_arg(wasi, name_of(w->args[i]));
    char *entry = malloc(2 * BURH_PROTO_STRING_MAX + 2);
    if (entry == NULL)
        return BURH_WASI_ERR_NOMEM;
    for (size_t i = 0; st == BURH_WASI_OK && i < w->envc; i++) {
        const burh_workload_env *e = &w->env[i];
        if (e->name.len > BURH_PROTO_STRING_MAX || e->value.len > BURH_PROTO_STRING_MAX ||
            memchr(e->name.ptr, '=', e->name.len) != NULL) {
            st = BURH_WASI_ERR_ARG;
            break;
        }
        memcpy(entry, e->name.ptr, e->name.len);
        entry[e->name.len] = '=';
        memcpy(entry + e->name.len + 1, e->value.ptr, e->value.len);
        st = burh_wasi_add_env(wasi,
                               (bw_name){(const uint8_t *)entry, e->name.len + 1 + e->value.len});
    }
    free(entry);
    return st;
}

/* Store, WASI context and files; false with *fail filled when the world cannot be built. */
static bool build_world(wasmldr_job *job, const wasmldr_limits *limits, wasmldr_outcome *fail)
{
    bw_store_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_memory_pages = limits->mem_mib * 16u; /* 16 pages of 64 KiB per MiB */
    job->store = bw_store_new(&cfg);
    job->wasi = burh_wasi_new();
    if (job->store == NULL || job->wasi == NULL) {
        outcome_error(fail, "resources", "out of memory building the guest%s%s", "", "");
        return false;
    }
    burh_wasi_status st = add_args_env(job->wasi, &job->w);
    if (st != BURH_WASI_OK) {
        outcome_error(fail, "bad_module", "arguments or environment refused: %s%s",
                      burh_wasi_status_name(st), "");
        return false;
    }
    char why[200];
    if (!wasmldr_files_make(&job->w, job->wasi, &job->files, why, sizeof why)) {
        outcome_error(fail, "resources", "files: %s%s", why, "");
        return false;
    }
    return true;
}

wasmldr_job *wasmldr_job_new(burh_workload *w, uint8_t *body, size_t body_len,
                             const wasmldr_limits *limits, wasmldr_outcome *fail)
{
    wasmldr_job *job = calloc(1, sizeof *job);
    if (job == NULL) {
        burh_workload_free(w);
        free(body);
        outcome_error(fail, "resources", "out of memory%s%s", "", "");
        return NULL;
    }
    job->w = *w;
    memset(w, 0, sizeof *w);
    job->body = body;
    job->body_len = body_len;
    job->time_s = limits->time_s;
    atomic_init(&job->time_up, false);
    atomic_init(&job->stopping, false);
    job->out_fd = job->err_fd = -1;
    bw_error err;
    memset(&err, 0, sizeof err);
    bw_status st = bw_module_load(job->w.wasm.ptr, job->w.wasm.len, &job->module, &err);
    if (st != BW_OK) {
        outcome_error(fail, st == BW_ERR_NOMEM ? "resources" : "bad_module", "%s: %s",
                      bw_status_name(st), err.message);
    } else if (build_world(job, limits, fail)) {
        return job;
    }
    wasmldr_job_free(job);
    return NULL;
}

/* Links WASI (and nothing else), instantiates and finds _start. */
static bw_status prepare(wasmldr_job *job, bw_func **start, bw_error *err)
{
    uint32_t n = bw_module_import_count(job->module);
    bw_extern *imports = calloc(n == 0 ? 1 : n, sizeof *imports);
    if (imports == NULL)
        return BW_ERR_NOMEM;
    bw_status st = burh_wasi_link(job->wasi, job->store, job->module, imports, err);
    for (uint32_t i = 0; st == BW_OK && i < n; i++) {
        bw_import_info imp;
        if (bw_module_import(job->module, i, &imp) && !burh_wasi_is_wasi_import(&imp)) {
            snprintf(err->message, sizeof err->message, "unknown import %.*s.%.*s",
                     (int)(imp.module.len > 100 ? 100 : imp.module.len), imp.module.ptr,
                     (int)(imp.name.len > 100 ? 100 : imp.name.len), imp.name.ptr);
            st = BW_ERR_UNLINKABLE;
        }
    }
    bw_instance *inst = NULL;
    if (st == BW_OK)
        st = bw_instantiate(job->store, job->module, imports, n, &inst, err);
    free(imports);
    if (st != BW_OK)
        return st;
    bw_extern ex;
    if (bw_instance_export(inst, (const uint8_t *)"_start", 6, &ex) != BW_OK ||
        ex.kind != BW_EXTERN_FUNC) {
        snprintf(err->message, sizeof err->message, "no function export named _start");
        return BW_ERR_NOT_FOUND;
    }
    *start = ex.of.func;
    return BW_OK;
}

/* A WASI sink: the guest's bytes go down a pipe to the event loop. A full pipe blocks the
 * guest (backpressure from a slow client) until the loop drains it or the job is stopped. */
static bool write_sink(wasmldr_job *job, int fd, const uint8_t *bytes, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, bytes, len);
        if (n < 0 && errno == EINTR && !atomic_load(&job->stopping))
            continue;
        if (n <= 0)
            return false;
        bytes += n;
        len -= (size_t)n;
    }
    return true;
}

static bool stdout_sink(void *ctx, const uint8_t *bytes, size_t len)
{
    wasmldr_job *job = ctx;
    return write_sink(job, job->out_fd, bytes, len);
}

static bool stderr_sink(void *ctx, const uint8_t *bytes, size_t len)
{
    wasmldr_job *job = ctx;
    return write_sink(job, job->err_fd, bytes, len);
}

bool wasmldr_job_set_output(wasmldr_job *job, int out_fd, int err_fd)
{
    job->out_fd = out_fd;
    job->err_fd = err_fd;
    return burh_wasi_set_stdout(job->wasi, stdout_sink, job) == BURH_WASI_OK &&
           burh_wasi_set_stderr(job->wasi, stderr_sink, job) == BURH_WASI_OK;
}

void wasmldr_job_run(wasmldr_job *job, wasmldr_outcome *out)
{
    bw_error err;
    memset(&err, 0, sizeof err);
    bw_func *start = NULL;
    bw_status st = prepare(job, &start, &err);
    if (st == BW_OK)
        st = bw_func_call(job->store, start, NULL, 0, NULL, 0, &err);
    memset(out, 0, sizeof *out);
    if (st == BW_OK || st == BW_ERR_EXIT) {
        out->kind = BURH_FRAME_EXIT;
        out->exit = st == BW_OK ? 0 : err.exit_code;
    } else if (st == BW_ERR_TRAP && err.trap == BW_TRAP_INTERRUPTED && atomic_load(&job->time_up)) {
        char secs[16];
        snprintf(secs, sizeof secs, "%u", job->time_s);
        outcome_error(out, "resources", "time limit of %s s exceeded%s", secs, "");
    } else if (st == BW_ERR_TRAP && err.trap == BW_TRAP_INTERRUPTED &&
               atomic_load(&job->stopping)) {
        outcome_error(out, "internal", "stopped: nobody waits for the result%s%s", "", "");
    } else if (st == BW_ERR_TRAP) {
        out->kind = BURH_FRAME_TRAP;
        snprintf(out->text, BURH_PROTO_TRAP_MAX + 1, "%s",
                 err.message[0] != '\0' ? err.message : bw_trap_message(err.trap));
    } else if (st == BW_ERR_NOMEM || st == BW_ERR_LIMIT) {
        outcome_error(out, "resources", "%s: %s", bw_status_name(st), err.message);
    } else {
        outcome_error(out, "bad_module", "%s: %s", bw_status_name(st), err.message);
    }
}

void wasmldr_job_time_up(wasmldr_job *job)
{
    atomic_store(&job->time_up, true);
    atomic_store(&job->stopping, true);
    bw_store_interrupt(job->store);
}

void wasmldr_job_cancel(wasmldr_job *job)
{
    atomic_store(&job->stopping, true);
    bw_store_interrupt(job->store);
}

void wasmldr_job_free(wasmldr_job *job)
{
    if (job == NULL)
        return;
    bw_store_free(job->store);
    burh_wasi_free(job->wasi); /* before the memfs: it holds a reference */
    bw_module_free(job->module);
    wasmldr_files_free(&job->files);
    /* Secrets travelled in the body: clear it before it goes back to the allocator. */
    if (job->body != NULL)
        OPENSSL_cleanse(job->body, job->body_len);
    burh_workload_free(&job->w);
    free(job->body);
    free(job);
}

size_t wasmldr_outcome_encode(const wasmldr_outcome *o, uint8_t *buf, size_t cap)
{
    burh_workload_frame f;
    memset(&f, 0, sizeof f);
    f.kind = o->kind;
    f.exit = o->exit;
    if (o->kind == BURH_FRAME_TRAP) {
        size_t n = strlen(o->text);
        f.data = (burh_cbor_bytes){(const uint8_t *)(n > 0 ? o->text : "trap"), n > 0 ? n : 4};
    } else if (o->kind == BURH_FRAME_ERROR) {
        f.data = (burh_cbor_bytes){(const uint8_t *)o->code, strlen(o->code)};
        f.message = (burh_cbor_bytes){(const uint8_t *)o->text, strlen(o->text)};
    }
    size_t len = 0;
    if (burh_proto_encode_frame(&f, buf, cap, &len) != BURH_PROTO_OK)
        return 0;
    return len;
}
