/* Measures bw_module_load + bw_instantiate of one module in-process (no process start-up):
 * the figure tests/engine/big-module.sh reports. Built by that script, not by make. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "burh/engine.h"

/* CPU time of this thread: steadier than wall time on a shared machine. */
static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *bytes = size > 0 ? malloc((size_t)size) : NULL;
    if (bytes != NULL && fread(bytes, 1, (size_t)size, f) != (size_t)size) {
        free(bytes);
        bytes = NULL;
    }
    fclose(f);
    *len = (size_t)size;
    return bytes;
}

/* Host functions for every import: none of them is called while instantiating. */
static bw_status unused_import(bw_call_ctx *ctx, void *env, const bw_value *args, bw_value *results)
{
    (void)env, (void)args, (void)results;
    return bw_ctx_trap(ctx, "not provided");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One load + instantiate; returns the milliseconds for each, or -1 on failure. */
static int measure(const uint8_t *bytes, size_t len, double *load_ms, double *inst_ms)
{
    bw_error err;
    bw_module *m = NULL;
    double t0 = now_ms();
    if (bw_module_load(bytes, len, &m, &err) != BW_OK) {
        fprintf(stderr, "load: %s\n", err.message);
        return -1;
    }
    double t1 = now_ms();
    bw_store *store = bw_store_new(NULL);
    uint32_t n = bw_module_import_count(m);
    bw_extern *imports = calloc(n + 1, sizeof *imports);
    for (uint32_t i = 0; i < n; i++) {
        bw_import_info info;
        bw_module_import(m, i, &info);
        if (info.kind != BW_EXTERN_FUNC) {
            fprintf(stderr, "import %u is not a function\n", i);
            return -1;
        }
        imports[i].kind = BW_EXTERN_FUNC;
        imports[i].of.func =
            bw_func_new_host(store, info.func.params, info.func.nparams, info.func.results,
                             info.func.nresults, unused_import, NULL);
    }
    bw_instance *inst = NULL;
    bw_status st = bw_instantiate(store, m, imports, n, &inst, &err);
    double t2 = now_ms();
    if (st != BW_OK) {
        fprintf(stderr, "instantiate: %s\n", err.message);
        return -1;
    }
    *load_ms = t1 - t0;
    *inst_ms = t2 - t1;
    free(imports);
    bw_store_free(store);
    bw_module_free(m);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: load-time MODULE.wasm [RUNS]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 30;
    if (runs < 1 || runs > 10000)
        runs = 30;
    size_t len;
    uint8_t *bytes = read_all(argv[1], &len);
    if (bytes == NULL) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    double *load = calloc((size_t)runs, sizeof *load), *inst = calloc((size_t)runs, sizeof *inst);
    for (int i = 0; i < runs; i++) {
        if (measure(bytes, len, &load[i], &inst[i]) != 0)
            return 1;
    }
    double first_load = load[0], first_inst = inst[0];
    qsort(load, (size_t)runs, sizeof *load, cmp_double);
    qsort(inst, (size_t)runs, sizeof *inst, cmp_double);
    printf("%zu bytes; CPU time, median of %d: load %.2f ms + instantiate %.2f ms; first run: %.2f "
           "+ %.2f ms\n",
           len, runs, load[runs / 2], inst[runs / 2], first_load, first_inst);
    free(load);
    free(inst);
    free(bytes);
    return 0;
}
