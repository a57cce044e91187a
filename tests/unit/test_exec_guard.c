/* Tests of guard-page bounds checks: faults become traps, the store lives on, others' faults pass.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "burh/engine.h"
#include "engine/code.h"

#include "exec_util.h"

static const char edge_module[] =
    "(module (memory (export \"mem\") 1 4)\n"
    " (data (i32.const 65532) \"\\11\\22\\33\\44\")\n"
    " (func (export \"load\") (param i32) (result i32) (i32.load (local.get 0)))\n"
    " (func (export \"load_far\") (param i32) (result i64)\n"
    "   (i64.load offset=0xffffffff (local.get 0)))\n"
    " (func (export \"load_ar\") (param i32 i32) (result i32)\n"
    "   (i32.load16_u offset=2 (i32.add (local.get 0) (local.get 1))))\n"
    " (func (export \"load_ai\") (param i32) (result i32)\n"
    "   (i32.load8_s offset=1 (i32.add (local.get 0) (i32.const -4))))\n"
    " (func (export \"store\") (param i32 i32) (i32.store (local.get 0) (local.get 1)))\n"
    " (func (export \"store_ai\") (param i32)\n"
    "   (i64.store offset=4 (i32.add (local.get 0) (i32.const 8)) (i64.const -1)))\n"
    " (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))\n"
    " (func (export \"grow_load\") (param i32) (result i32)\n"
    "   (drop (memory.grow (i32.const 1))) (i32.load (local.get 0)))\n"
    " (func (export \"fill\") (param i32 i32) (memory.fill (local.get 0) (i32.const 7) (local.get "
    "1)))\n"
    ")\n";

/* Loads the edge module in a store asking for guard pages; false when this machine cannot
 * reserve 8 GiB of address space (the instance then checks in software: nothing to test). */
static bool load_guarded(fixture *fx)
{
    bw_store_config config = {0};
    config.bounds = BW_BOUNDS_GUARD;
    load(fx, edge_module, &config, NULL, 0);
    return bw_instance_bounds(fx->instance) == BW_BOUNDS_GUARD;
}

/* Guard mode, or the test is skipped (no 8 GiB reservation or no signal handler here). */
static void load_guarded_or_skip(fixture *fx)
{
    if (!load_guarded(fx)) {
        unload(fx);
        skip();
    }
}

static void test_guard_traps_and_store_survives(void **state)
{
    (void)state;
    fixture fx;
    load_guarded_or_skip(&fx);
    assert_int_equal(call1(&fx, "load", 1, I32(65532)), 0x44332211);
    uint64_t before = bw_guard_trap_count();
    for (int round = 0; round < 3; round++) { /* the same store, again and again */
        expect_trap(&fx, "load", BW_TRAP_MEMORY_OOB, 1, I32(65533));
        expect_trap(&fx, "load", BW_TRAP_MEMORY_OOB, 1, I32(0xFFFFFFFF));
        expect_trap(&fx, "load_far", BW_TRAP_MEMORY_OOB, 1, I32(0xFFFFFFFF));
        expect_trap(&fx, "load_ar", BW_TRAP_MEMORY_OOB, 2, I32(65530), I32(5));
        assert_int_equal(call1(&fx, "load", 1, I32(0)), 0);
    }
    /* The access straddling the end (65533) traps by a fault; those starting past it are
     * stopped by the compare that bounds speculation (interp.c GUARDED). */
    assert_true(bw_guard_trap_count() >= before + 3);
    /* Folded addresses wrap at 32 bits before the offset, as the separate add would. */
    assert_int_equal(call1(&fx, "load_ar", 2, I32(65530), I32(0)), 0x2211);
    assert_int_equal(call1(&fx, "load_ai", 1, I32(65535)), 0x11);
    expect_trap(&fx, "load_ai", BW_TRAP_MEMORY_OOB, 1, I32(2));
    assert_int_equal(call1(&fx, "load_ai", 1, I32(65538)), 0x44);
    unload(&fx);
}

static void test_guard_store_writes_nothing(void **state)
{
    (void)state;
    fixture fx;
    load_guarded_or_skip(&fx);
    /* An access straddling the end must trap before any byte of it is written. */
    expect_trap(&fx, "store", BW_TRAP_MEMORY_OOB, 2, I32(65534), I32(0xAABBCCDD));
    expect_trap(&fx, "store_ai", BW_TRAP_MEMORY_OOB, 1, I32(65520));
    assert_int_equal(call1(&fx, "load", 1, I32(65532)), 0x44332211);
    /* Bulk operations keep their explicit check: nothing written either. */
    bw_value args[2] = {I32(65530), I32(7)};
    assert_int_equal(call(&fx, "fill", args, 2, NULL, 0), BW_ERR_TRAP);
    assert_int_equal(fx.err.trap, BW_TRAP_MEMORY_OOB);
    assert_int_equal(call1(&fx, "load", 1, I32(65532)), 0x44332211);
    unload(&fx);
}

static void test_guard_grow_opens_pages(void **state)
{
    (void)state;
    fixture fx;
    load_guarded_or_skip(&fx);
    expect_trap(&fx, "load", BW_TRAP_MEMORY_OOB, 1, I32(65536));
    assert_int_equal(call1(&fx, "grow", 1, I32(1)), 1);
    assert_int_equal(call1(&fx, "load", 1, I32(65536)), 0);
    bw_value args[2] = {I32(131068), I32(0x01020304)};
    assert_int_equal(call(&fx, "store", args, 2, NULL, 0), BW_OK);
    assert_int_equal(call1(&fx, "load", 1, I32(131068)), 0x01020304);
    expect_trap(&fx, "load", BW_TRAP_MEMORY_OOB, 1, I32(131069));
    /* Past the maximum grow fails and the guard stays where it was. */
    assert_int_equal(call1(&fx, "grow", 1, I32(3)), 0xFFFFFFFF);
    expect_trap(&fx, "load", BW_TRAP_MEMORY_OOB, 1, I32(131072));
    unload(&fx);
}

/* A grow inside the running function: the interpreter's copy of the size lags behind it,
 * yet the new page is usable at once and the end still traps. */
static void test_guard_grow_in_same_run(void **state)
{
    (void)state;
    fixture fx;
    load_guarded_or_skip(&fx);
    assert_int_equal(call1(&fx, "grow_load", 1, I32(65536)), 0);          /* 2 pages */
    assert_int_equal(call1(&fx, "grow_load", 1, I32(3 * 65536 - 4)), 0);  /* 3 pages */
    expect_trap(&fx, "grow_load", BW_TRAP_MEMORY_OOB, 1, I32(4 * 65536)); /* now 4 */
    expect_trap(&fx, "grow_load", BW_TRAP_MEMORY_OOB, 1, I32(4 * 65536)); /* grow fails */
    unload(&fx);
}

/* A host function calling back into Wasm that traps by a fault: only the inner run ends. */
static bw_status host_probe(bw_call_ctx *ctx, void *env, const bw_value *args, bw_value *results)
{
    bw_func *oob = *(bw_func **)env;
    bw_value arg = args[0], res;
    bw_error err;
    bw_status status = bw_func_call(bw_ctx_store(ctx), oob, &arg, 1, &res, 1, &err);
    if (status == BW_OK) {
        results[0] = I32(res.of.i32);
    } else {
        results[0] = I32(status == BW_ERR_TRAP && err.trap == BW_TRAP_MEMORY_OOB ? 7 : 9);
    }
    return BW_OK;
}

static void test_guard_nested_runs(void **state)
{
    (void)state;
    fixture fx;
    size_t len;
    uint8_t *bytes =
        wat_to_wasm("(module (import \"env\" \"probe\" (func $probe (param i32) (result i32)))\n"
                    " (memory 1)\n"
                    " (func (export \"load\") (param i32) (result i32) (i32.load (local.get 0)))\n"
                    " (func (export \"outer\") (param i32) (result i32)\n"
                    "   (i32.store (i32.const 8) (i32.const 100))\n"
                    "   (i32.add (call $probe (local.get 0)) (i32.load (i32.const 8))))\n"
                    ")\n",
                    &len);
    memset(&fx, 0, sizeof fx);
    assert_int_equal(bw_module_load(bytes, len, &fx.module, &fx.err), BW_OK);
    free(bytes);
    bw_store_config config = {0};
    config.bounds = BW_BOUNDS_GUARD;
    fx.store = bw_store_new(&config);
    bw_func *oob = NULL;
    static const uint8_t i[] = {BW_I32};
    bw_extern import = {.kind = BW_EXTERN_FUNC};
    import.of.func = bw_func_new_host(fx.store, i, 1, i, 1, host_probe, &oob);
    assert_int_equal(bw_instantiate(fx.store, fx.module, &import, 1, &fx.instance, &fx.err), BW_OK);
    if (bw_instance_bounds(fx.instance) != BW_BOUNDS_GUARD) {
        unload(&fx);
        skip();
    }
    oob = export_func(&fx, "load");
    assert_int_equal(call1(&fx, "outer", 1, I32(8)), 200);     /* inner run fine */
    assert_int_equal(call1(&fx, "outer", 1, I32(70000)), 107); /* inner trapped, outer not */
    expect_trap(&fx, "load", BW_TRAP_MEMORY_OOB, 1, I32(65536));
    assert_int_equal(call1(&fx, "outer", 1, I32(0)), 100);
    unload(&fx);
}

/* In a forked child: faults on a fresh PROT_NONE page, which is no guest's memory; a handler
 * ends the child. Exits 44 if the page cannot be made, 0 if the fault was survived. */
static void touch_unmapped_page(void)
{
    volatile uint8_t *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        _exit(44);
    }
    page[0] = 1;
    _exit(0);
}

/* Waits for the child `pid`: exit status 43 means guard mode is unavailable (skip). */
static void expect_child_exit(pid_t pid, int want)
{
    int wstatus;
    assert_int_equal(waitpid(pid, &wstatus, 0), pid);
    assert_true(WIFEXITED(wstatus));
    if (WEXITSTATUS(wstatus) == 43) {
        skip();
    }
    assert_int_equal(WEXITSTATUS(wstatus), want);
}

static void on_foreign_fault(int sig)
{
    (void)sig;
    _exit(42);
}

/* A fault outside guest code reaches the handler installed before ours. Runs in a child,
 * since the fault ends it. */
static void test_guard_passes_other_faults(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGSEGV, on_foreign_fault);
        fixture fx;
        if (!load_guarded(&fx)) {
            _exit(43);
        }
        expect_trap(&fx, "load", BW_TRAP_MEMORY_OOB, 1, I32(65536)); /* ours */
        touch_unmapped_page(); /* not a guest access, though a guarded run happened here */
    }
    expect_child_exit(pid, 42);
}

/* A harness that swaps the SIGSEGV handler after the store is made (cmocka does, around every
 * test): the store's first call puts ours back in front, so guest faults still trap, and
 * hands other faults on to the swapped-in handler. Runs in a child, since that fault ends it. */
static volatile sig_atomic_t retake_phase; /* 1: in the guest call, 2: touching the page */

static void on_fault_after_retake(int sig)
{
    (void)sig;
    _exit(retake_phase == 2 ? 42 : 46); /* 46: a guest fault reached the harness's handler */
}

static void test_guard_first_call_retakes_handler(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fixture fx;
        if (!load_guarded(&fx)) {
            _exit(43);
        }
        signal(SIGSEGV, on_fault_after_retake); /* after the store, before its first call */
        retake_phase = 1;
        bw_value arg = I32(65536), result;
        if (call(&fx, "load", &arg, 1, &result, 1) != BW_ERR_TRAP ||
            fx.err.trap != BW_TRAP_MEMORY_OOB) {
            _exit(45);
        }
        retake_phase = 2;
        touch_unmapped_page(); /* not a guest access: goes on to the harness's handler */
    }
    expect_child_exit(pid, 42);
}

/* Host code touching the guard region while a guarded run is active: not a guest trap. */
static bw_status host_poke(bw_call_ctx *ctx, void *env, const bw_value *args, bw_value *results)
{
    (void)env, (void)args, (void)results;
    volatile uint8_t *mem = bw_memory_data(bw_ctx_memory(ctx));
    mem[bw_memory_size(bw_ctx_memory(ctx))] = 1;
    return BW_OK;
}

static void test_guard_host_fault_not_a_trap(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGSEGV, on_foreign_fault);
        fixture fx;
        size_t len;
        uint8_t *bytes = wat_to_wasm("(module (import \"env\" \"poke\" (func $poke))\n"
                                     " (memory 1) (func (export \"run\") (call $poke)))\n",
                                     &len);
        memset(&fx, 0, sizeof fx);
        bw_store_config config = {0};
        config.bounds = BW_BOUNDS_GUARD;
        if (bw_module_load(bytes, len, &fx.module, &fx.err) != BW_OK) {
            _exit(45);
        }
        fx.store = bw_store_new(&config);
        bw_extern import = {.kind = BW_EXTERN_FUNC};
        import.of.func = bw_func_new_host(fx.store, NULL, 0, NULL, 0, host_poke, NULL);
        if (bw_instantiate(fx.store, fx.module, &import, 1, &fx.instance, &fx.err) != BW_OK) {
            _exit(45);
        }
        if (bw_instance_bounds(fx.instance) != BW_BOUNDS_GUARD) {
            _exit(43);
        }
        bw_func_call(fx.store, export_func(&fx, "run"), NULL, 0, NULL, 0, &fx.err);
        _exit(0);
    }
    int wstatus;
    assert_int_equal(waitpid(pid, &wstatus, 0), pid);
    assert_true(WIFEXITED(wstatus));
    if (WEXITSTATUS(wstatus) == 43) {
        skip();
    }
    assert_int_equal(WEXITSTATUS(wstatus), 42);
}

static void test_software_mode_checks(void **state)
{
    (void)state;
    fixture fx;
    bw_store_config config = {0};
    config.bounds = BW_BOUNDS_SOFTWARE;
    if (getenv("BURH_BOUNDS") != NULL) { /* the environment overrides the config */
        skip();
    }
    load(&fx, edge_module, &config, NULL, 0);
    assert_int_equal(bw_instance_bounds(fx.instance), BW_BOUNDS_SOFTWARE);
    uint64_t before = bw_guard_trap_count();
    expect_trap(&fx, "load", BW_TRAP_MEMORY_OOB, 1, I32(65533));
    expect_trap(&fx, "store", BW_TRAP_MEMORY_OOB, 2, I32(65534), I32(1));
    expect_trap(&fx, "load_far", BW_TRAP_MEMORY_OOB, 1, I32(0xFFFFFFFF));
    assert_int_equal(bw_guard_trap_count(), before);
    assert_int_equal(call1(&fx, "load", 1, I32(65532)), 0x44332211);
    unload(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guard_traps_and_store_survives),
        cmocka_unit_test(test_guard_store_writes_nothing),
        cmocka_unit_test(test_guard_grow_opens_pages),
        cmocka_unit_test(test_guard_grow_in_same_run),
        cmocka_unit_test(test_guard_nested_runs),
        cmocka_unit_test(test_guard_passes_other_faults),
        cmocka_unit_test(test_guard_first_call_retakes_handler),
        cmocka_unit_test(test_guard_host_fault_not_a_trap),
        cmocka_unit_test(test_software_mode_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
