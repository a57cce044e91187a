/* Binds a module's wasi_snapshot_preview1 imports to burh's host functions by name. */
#include <stdio.h>
#include <stdlib.h>

#include "wasi/calls.h"

#define WASI_MODULE_NAME "wasi_snapshot_preview1"

/* What each host function gets as its env: the context and the function's definition. */
struct wasi_binding {
    burh_wasi *w;
    const wasi_def *def;
};

static bool name_is(bw_name name, const char *s)
{
    size_t len = strlen(s);
    return name.len == len && memcmp(name.ptr, s, len) == 0;
}

bool burh_wasi_is_wasi_import(const bw_import_info *import)
{
    return name_is(import->module, WASI_MODULE_NAME);
}

const wasi_def *wasi_def_find(bw_name name)
{
    const wasi_def *const tables[] = {wasi_defs_fd, wasi_defs_path, wasi_defs_misc, wasi_defs_sock};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        for (const wasi_def *d = tables[t]; d->name != NULL; d++) {
            if (name_is(name, d->name))
                return d;
        }
    }
    return NULL;
}

static bool types_from_sig(const char *sig, uint8_t *out, uint32_t *n)
{
    *n = 0;
    for (; *sig != '\0'; sig++) {
        if (*n >= 16)
            return false;
        out[(*n)++] = *sig == 'I' ? BW_I64 : BW_I32;
    }
    return true;
}

static bool same_types(const uint8_t *a, uint32_t na, const uint8_t *b, uint32_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na) == 0);
}

static bw_status wasi_trampoline(bw_call_ctx *ctx, void *env, const bw_value *args,
                                 bw_value *results)
{
    const struct wasi_binding *b = env;
    wasi_call call = {.w = b->w, .mem = bw_ctx_memory(ctx), .exit = false, .exit_code = 0};
    uint16_t werr = b->def->fn(&call, args);
    if (call.exit)
        return bw_ctx_exit(ctx, (int)call.exit_code);
    if (b->def->results[0] != '\0') {
        results[0].type = BW_I32;
        results[0].of.i32 = werr;
    }
    return BW_OK;
}

static bw_status link_fail(bw_error *err, bw_status status, const bw_import_info *imp,
                           const char *why)
{
    if (err != NULL) {
        err->status = status;
        err->trap = BW_TRAP_NONE;
        err->exit_code = 0;
        snprintf(err->message, sizeof err->message, "%s " WASI_MODULE_NAME ".%.*s", why,
                 (int)(imp->name.len > 128 ? 128 : imp->name.len), (const char *)imp->name.ptr);
    }
    return status;
}

/* Makes the host function for one import after checking its name and type. */
static bw_status link_one(burh_wasi *w, bw_store *store, const bw_import_info *imp,
                          struct wasi_binding *b, bw_extern *out, bw_error *err)
{
    if (imp->kind != BW_EXTERN_FUNC)
        return link_fail(err, BW_ERR_UNLINKABLE, imp, "WASI exports only functions, not");
    const wasi_def *def = wasi_def_find(imp->name);
    if (def == NULL)
        return link_fail(err, BW_ERR_UNLINKABLE, imp, "unknown WASI function");
    uint8_t params[16], results[1];
    uint32_t np, nr;
    if (!types_from_sig(def->params, params, &np) || !types_from_sig(def->results, results, &nr))
        return link_fail(err, BW_ERR_UNLINKABLE, imp, "internal signature error for");
    if (!same_types(params, np, imp->func.params, imp->func.nparams) ||
        !same_types(results, nr, imp->func.results, imp->func.nresults))
        return link_fail(err, BW_ERR_UNLINKABLE, imp, "wrong type for");
    b->w = w;
    b->def = def;
    bw_func *f = bw_func_new_host(store, params, np, results, nr, wasi_trampoline, b);
    if (f == NULL)
        return link_fail(err, BW_ERR_NOMEM, imp, "out of memory linking");
    out->kind = BW_EXTERN_FUNC;
    out->of.func = f;
    return BW_OK;
}

bw_status burh_wasi_link(burh_wasi *w, bw_store *store, const bw_module *module,
                         bw_extern *imports_out, bw_error *err)
{
    uint32_t n = bw_module_import_count(module);
    if (w->linked) {
        bw_import_info none = {.name = {(const uint8_t *)"", 0}};
        return link_fail(err, BW_ERR_ARGS, &none, "context already linked:");
    }
    w->bindings = calloc(n == 0 ? 1 : n, sizeof *w->bindings);
    if (w->bindings == NULL) {
        bw_import_info none = {.name = {(const uint8_t *)"", 0}};
        return link_fail(err, BW_ERR_NOMEM, &none, "out of memory linking");
    }
    w->linked = true;
    for (uint32_t i = 0; i < n; i++) {
        bw_import_info imp;
        if (!bw_module_import(module, i, &imp) || !burh_wasi_is_wasi_import(&imp))
            continue;
        bw_status st = link_one(w, store, &imp, &w->bindings[i], &imports_out[i], err);
        if (st != BW_OK)
            return st;
    }
    return BW_OK;
}
