/* Loading modules (decode, then validate code) and listing what they import and export. */
#include "engine/module.h"

bw_status bw_module_load(const uint8_t *bytes, size_t len, bw_module **out, bw_error *err)
{
    *out = NULL;
    if (bytes == NULL && len != 0)
        return bw_fail(err, BW_ERR_ARGS, "no module bytes");
    bw_module *module;
    bw_status status = bw_decode_module(bytes, len, &module, err);
    if (status != BW_OK)
        return status;
    status = bw_validate_code(module, err);
    if (status != BW_OK) {
        bw_module_destroy(module);
        return status;
    }
    *out = module;
    return BW_OK;
}

void bw_module_free(bw_module *module)
{
    bw_module_destroy(module);
}

uint32_t bw_module_import_count(const bw_module *module)
{
    return module->nimports;
}

static bw_functype_view functype_view(const bw_module *module, uint32_t type)
{
    bw_functype_view view = {NULL, 0, NULL, 0};
    if (type < module->ntypes) {
        const bw_functype *t = &module->types[type];
        view = (bw_functype_view){t->params, t->nparams, t->results, t->nresults};
    }
    return view;
}

static bw_limits_view limits_view(bw_limits limits)
{
    return (bw_limits_view){limits.min, limits.max, limits.has_max};
}

bool bw_module_import(const bw_module *module, uint32_t index, bw_import_info *out)
{
    if (index >= module->nimports)
        return false;
    const bw_import *imp = &module->imports[index];
    *out = (bw_import_info){.module = imp->module, .name = imp->name, .kind = imp->kind};
    switch (imp->kind) {
    case BW_EXTERN_FUNC:
        out->func = functype_view(module, imp->of.functype);
        break;
    case BW_EXTERN_TABLE:
        out->table_elem = imp->of.table.elem;
        out->limits = limits_view(imp->of.table.limits);
        break;
    case BW_EXTERN_MEMORY:
        out->limits = limits_view(imp->of.memory);
        break;
    case BW_EXTERN_GLOBAL:
        out->global_type = imp->of.global.type;
        out->global_mutable = imp->of.global.mutable_;
        break;
    }
    return true;
}

uint32_t bw_module_export_count(const bw_module *module)
{
    return module->nexports;
}

bool bw_module_export(const bw_module *module, uint32_t index, bw_export_info *out)
{
    if (index >= module->nexports)
        return false;
    out->name = module->exports[index].name;
    out->kind = module->exports[index].kind;
    return true;
}
