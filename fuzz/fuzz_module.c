/* Fuzzes module loading end to end: decode, validate, compile, instantiate with default
 * imports, and call every exported function with zero arguments under a time limit. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "burh/engine.h"

#define CALL_TIME_LIMIT_NS (20 * 1000 * 1000)
#define MAX_EXPORT_CALLS   32
#define MAX_VALUES         1000 /* the decoder's limit on params and results */

/* A watchdog thread interrupts the store whose call has run past its deadline. */
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static bw_store *watched;
static struct timespec watch_deadline;

static void *watchdog(void *arg)
{
    (void)arg;
    for (;;) {
        struct timespec tick = {0, 2 * 1000 * 1000}, now;
        nanosleep(&tick, NULL);
        clock_gettime(CLOCK_MONOTONIC, &now);
        pthread_mutex_lock(&watch_lock);
        if (watched != NULL &&
            (now.tv_sec > watch_deadline.tv_sec ||
             (now.tv_sec == watch_deadline.tv_sec && now.tv_nsec >= watch_deadline.tv_nsec)))
            bw_store_interrupt(watched);
        pthread_mutex_unlock(&watch_lock);
    }
    return NULL;
}

static void watch(bw_store *store)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += CALL_TIME_LIMIT_NS;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&watch_lock);
    watched = store;
    watch_deadline = deadline;
    pthread_mutex_unlock(&watch_lock);
}

static bw_value zero_value(uint8_t type)
{
    bw_value v;
    memset(&v, 0, sizeof v);
    v.type = type;
    return v;
}

static bw_status host_zeros(bw_call_ctx *ctx, void *env, const bw_value *args, bw_value *results)
{
    (void)ctx, (void)args;
    const bw_functype_view *type = env;
    for (uint32_t i = 0; i < type->nresults; i++)
        results[i] = zero_value(type->results[i]);
    return BW_OK;
}

/* A fresh object of the imported type; false when the store refuses it (too big). */
static bool default_import(bw_store *store, const bw_import_info *info, bw_functype_view *types,
                           bw_extern *out)
{
    out->kind = info->kind;
    switch (info->kind) {
    case BW_EXTERN_FUNC:
        *types = info->func;
        out->of.func = bw_func_new_host(store, info->func.params, info->func.nparams,
                                        info->func.results, info->func.nresults, host_zeros, types);
        break;
    case BW_EXTERN_TABLE:
        out->of.table =
            bw_table_new(store, info->table_elem, info->limits, zero_value(info->table_elem));
        break;
    case BW_EXTERN_MEMORY:
        out->of.memory = bw_memory_new(store, info->limits);
        break;
    default:
        out->of.global = bw_global_new(store, info->global_type, info->global_mutable,
                                       zero_value(info->global_type));
        break;
    }
    return out->of.func != NULL;
}

static void call_exports(bw_store *store, const bw_module *module, bw_instance *instance)
{
    static bw_value args[MAX_VALUES], results[MAX_VALUES];
    uint32_t calls = 0;
    for (uint32_t i = 0; i < bw_module_export_count(module) && calls < MAX_EXPORT_CALLS; i++) {
        bw_export_info info;
        bw_extern ext;
        if (!bw_module_export(module, i, &info) || info.kind != BW_EXTERN_FUNC ||
            bw_instance_export(instance, info.name.ptr, info.name.len, &ext) != BW_OK)
            continue;
        bw_functype_view type = bw_func_type(ext.of.func);
        if (type.nparams > MAX_VALUES || type.nresults > MAX_VALUES)
            continue;
        for (uint32_t k = 0; k < type.nparams; k++)
            args[k] = zero_value(type.params[k]);
        bw_store_clear_interrupt(store);
        watch(store);
        bw_error err;
        bw_func_call(store, ext.of.func, args, type.nparams, results, type.nresults, &err);
        calls++;
    }
}

static void run(const bw_module *module, bw_store *store)
{
    uint32_t n = bw_module_import_count(module);
    bw_extern *imports = calloc(n ? n : 1, sizeof *imports);
    bw_functype_view *types = calloc(n ? n : 1, sizeof *types);
    bool ok = imports != NULL && types != NULL;
    for (uint32_t i = 0; ok && i < n; i++) {
        bw_import_info info;
        ok = bw_module_import(module, i, &info) &&
             default_import(store, &info, &types[i], &imports[i]);
    }
    bw_instance *instance = NULL;
    bw_error err;
    if (ok) {
        watch(store); /* the start function runs inside bw_instantiate */
        if (bw_instantiate(store, module, imports, n, &instance, &err) == BW_OK)
            call_exports(store, module, instance);
    }
    watch(NULL);
    free(imports);
    free(types);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static pthread_t watchdog_thread;
    static bool started;
    if (!started) {
        started = pthread_create(&watchdog_thread, NULL, watchdog, NULL) == 0;
        if (!started)
            abort();
    }
    bw_module *module = NULL;
    bw_error err;
    if (bw_module_load(data, size, &module, &err) != BW_OK)
        return 0;
    bw_store_config config = {.max_memory_pages = 256,
                              .max_table_elems = 100000,
                              .max_call_depth = 200,
                              .max_stack_bytes = 1u << 20,
                              /* both ways of checking bounds, chosen by a bit the module's
                               * meaning does not depend on */
                              .bounds = (size & 1) ? BW_BOUNDS_SOFTWARE : BW_BOUNDS_AUTO};
    bw_store *store = bw_store_new(&config);
    if (store != NULL) {
        run(module, store);
        pthread_mutex_lock(&watch_lock);
        watched = NULL;
        pthread_mutex_unlock(&watch_lock);
        bw_store_free(store);
    }
    bw_module_free(module);
    return 0;
}
