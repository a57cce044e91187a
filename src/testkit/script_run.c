/* Runs wast2json scripts on burh's engine: the commands, their judging and the counts. */
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "burh/engine.h"
#include "testkit/script_run.h"
#include "testkit/testkit.h"

#define MAX_SHOWN_FAILURES 20
#define MAX_WASM_BYTES     (256u << 20)
#define MAX_RESULTS        4096u

/* One script's run: its store, names and counts (and, in main, the options for all). */
typedef struct runner {
    bw_store *store;
    bt_spectest spectest;
    bw_instance *current; /* the module that unnamed actions use; NULL when none or failed */
    bt_names named;
    bt_names registered;
    bw_module **modules; /* every loaded module; must outlive the store */
    size_t nmodules, modules_cap;
    const bt_script_source *source;
    const char *script; /* the .wast name used in reports */
    long line;          /* of the command being run */
    const char *command;
    unsigned passed, failed, skipped, shown;
    bt_run_options opt;
} runner;

/* The store whose code SIGALRM interrupts: a command running past -T traps "interrupted"
 * instead of hanging the whole file. */
static bw_store *volatile alarm_store;

void bt_on_alarm(int signo)
{
    (void)signo;
    if (alarm_store != NULL) {
        bw_store_interrupt(alarm_store);
    }
}

/* Arms (or with 0 disarms) the one-shot per-command timer. setitimer rather than alarm: its
 * failure is visible, and a kvm keep's shim does not serve it (main probes once). */
bool bt_set_command_timer(unsigned seconds)
{
    struct itimerval t;
    memset(&t, 0, sizeof t);
    t.it_value.tv_sec = (time_t)seconds;
    return setitimer(ITIMER_REAL, &t, NULL) == 0;
}

/* What running an action gave. `unsupported` means the script uses a value burh does not
 * have (v128): the assertion is skipped rather than judged. */
typedef struct outcome {
    bw_status status;
    bw_error err;
    bw_value *results; /* owned */
    uint32_t nresults;
    bool unsupported;
} outcome;

static void die(const char *what)
{
    fprintf(stderr, "burh-spectest: %s\n", what);
    exit(2);
}

static void *xrealloc(void *ptr, size_t count, size_t size)
{
    /* One spare byte, so that a zero-length request still returns a real block. */
    if (size != 0 && count > (SIZE_MAX - 1) / size) {
        die("out of memory");
    }
    void *p = realloc(ptr, count * size + 1);
    if (p == NULL) {
        die("out of memory");
    }
    return p;
}

/* Is the current command one that -s replays uncounted? */
static bool replaying(const runner *r)
{
    return r->opt.ncrashed != 0 && r->line <= r->opt.resume_line;
}

static void fail(runner *r, const char *fmt, ...)
{
    va_list ap;
    r->failed++;
    if (!r->opt.verbose && r->shown >= MAX_SHOWN_FAILURES) {
        return;
    }
    if (replaying(r)) {
        return;
    }
    r->shown++;
    printf("  %s:%ld: %s: ", r->script, r->line, r->command);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* ---- names and JSON access ---- */

static bool json_name(const json_t *obj, const char *key, bw_name *out)
{
    const json_t *s = json_object_get(obj, key);
    if (!json_is_string(s)) {
        return false;
    }
    out->ptr = (const uint8_t *)json_string_value(s);
    out->len = json_string_length(s);
    return true;
}

static bool name_equal(bw_name a, const uint8_t *b, size_t blen)
{
    return a.len == blen && (blen == 0 || memcmp(a.ptr, b, blen) == 0);
}

static void bind_or_die(bt_names *names, bw_name name, bw_instance *instance, bool spectest)
{
    if (!bt_names_bind(names, name, instance, spectest)) {
        die("out of memory");
    }
}

/* ---- modules ---- */

static bw_status runner_error(bw_error *err, bw_status status, const char *fmt, ...)
{
    va_list ap;
    memset(err, 0, sizeof *err);
    err->status = status;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

/* The one way the runner reads a script's files: from its bundle entry (no copy; *owned is
 * NULL) or from its directory (*owned is the buffer to free). NULL on success, else why not. */
const char *bt_source_read(const bt_script_source *src, bw_name name, size_t max, bw_name *bytes,
                           uint8_t **owned)
{
    static char problem[160];
    char path[4096];

    *owned = NULL;
    if (!bt_bundle_name_ok((burh_cbor_bytes){name.ptr, name.len})) {
        return "not a plain file name";
    }
    if (src->bundle != NULL) {
        const bt_bundle_file *f =
            bt_bundle_find(src->bundle, (burh_cbor_bytes){name.ptr, name.len});
        bool is_json = name_equal(src->json_name, name.ptr, name.len);
        if (f == NULL && !is_json) {
            return "not in the bundle";
        }
        *bytes = f != NULL ? (bw_name){f->data.ptr, f->data.len}
                           : (bw_name){src->bundle->json.ptr, src->bundle->json.len};
        return bytes->len > max ? "file too large" : NULL;
    }
    if ((size_t)snprintf(path, sizeof path, "%s/%.*s", src->dir, (int)name.len,
                         (const char *)name.ptr) >= sizeof path) {
        return "path too long";
    }
    size_t len = 0;
    const char *why = bt_read_file(path, max, owned, &len);
    if (why != NULL) {
        snprintf(problem, sizeof problem, "%.100s", why);
        return problem;
    }
    *bytes = (bw_name){*owned, len};
    return NULL;
}

/* Loads the command's "filename" module. On success the runner keeps it until the end. */
static bw_status load_module(runner *r, const json_t *cmd, bw_module **out, bw_error *err)
{
    bw_name file, bytes;
    uint8_t *owned;
    char shown[64];

    *out = NULL;
    if (!json_name(cmd, "filename", &file)) {
        return runner_error(err, BW_ERR_ARGS, "command has no \"filename\"");
    }
    const char *problem = bt_source_read(r->source, file, MAX_WASM_BYTES, &bytes, &owned);
    if (problem != NULL) {
        return runner_error(err, BW_ERR_ARGS, "cannot read %s: %s",
                            bt_name_format(file, shown, sizeof shown), problem);
    }
    memset(err, 0, sizeof *err);
    bw_status st = bw_module_load(bytes.ptr, bytes.len, out, err);
    free(owned);
    if (st != BW_OK) {
        err->status = st; /* the returned status is the one judged */
        *out = NULL;
        return st;
    }
    if (r->nmodules == r->modules_cap) {
        r->modules_cap = r->modules_cap ? r->modules_cap * 2 : 64;
        r->modules = xrealloc(r->modules, r->modules_cap, sizeof *r->modules);
    }
    r->modules[r->nmodules++] = *out;
    return BW_OK;
}

static bw_status instantiate(runner *r, const bw_module *module, bw_instance **out, bw_error *err)
{
    uint32_t n = bw_module_import_count(module);
    bw_extern *imports = xrealloc(NULL, n, sizeof *imports);
    char mod[64], name[64];

    *out = NULL;
    for (uint32_t i = 0; i < n; i++) {
        bw_import_info info;
        if (!bw_module_import(module, i, &info)) {
            free(imports);
            return runner_error(err, BW_ERR_ARGS, "import %u cannot be read", i);
        }
        if (!bt_resolve_import(&r->registered, &r->spectest, &info, &imports[i])) {
            free(imports);
            return runner_error(err, BW_ERR_UNLINKABLE, "unknown import \"%s\" \"%s\"",
                                bt_name_format(info.module, mod, sizeof mod),
                                bt_name_format(info.name, name, sizeof name));
        }
    }
    memset(err, 0, sizeof *err);
    bw_status st = bw_instantiate(r->store, module, imports, n, out, err);
    free(imports);
    if (st != BW_OK) {
        err->status = st;
        *out = NULL;
    }
    return st;
}

static const char *describe(const bw_error *err)
{
    static char buf[400];
    if (err->status == BW_ERR_TRAP) {
        snprintf(buf, sizeof buf, "trap \"%s\" (%s)", bw_trap_message(err->trap), err->message);
    } else {
        snprintf(buf, sizeof buf, "%s (%s)", bw_status_name(err->status), err->message);
    }
    return buf;
}

static void cmd_module(runner *r, const json_t *cmd)
{
    bw_module *module;
    bw_instance *instance = NULL;
    bw_error err;
    bw_name name;

    if (load_module(r, cmd, &module, &err) != BW_OK) {
        fail(r, "module does not load: %s", describe(&err));
    } else if (instantiate(r, module, &instance, &err) != BW_OK) {
        fail(r, "module does not instantiate: %s", describe(&err));
    } else {
        r->passed++;
    }
    r->current = instance;
    if (json_name(cmd, "name", &name)) {
        bind_or_die(&r->named, name, instance, false);
    }
}

/* The instance an action or register names, or the current one. */
static bw_instance *target_instance(runner *r, const json_t *obj, const char *key)
{
    bw_name name;
    if (!json_name(obj, key, &name)) {
        return r->current;
    }
    const bt_binding *b = bt_names_lookup(&r->named, name);
    return b != NULL ? b->instance : NULL;
}

static void cmd_register(runner *r, const json_t *cmd)
{
    bw_instance *instance = target_instance(r, cmd, "name");
    bw_name as;
    if (!json_name(cmd, "as", &as)) {
        fail(r, "no \"as\" name");
    } else if (instance == NULL) {
        fail(r, "no module to register (it failed or was never defined)");
    } else {
        bind_or_die(&r->registered, as, instance, false);
        r->passed++;
    }
}

/* Loads a module that is expected not to load; `want` is the status it should fail with. */
static void cmd_assert_bad_module(runner *r, const json_t *cmd, bw_status want)
{
    bw_name kind, text = {(const uint8_t *)"", 0};
    bw_module *module;
    bw_error err;

    if (json_name(cmd, "module_type", &kind) && name_equal(kind, (const uint8_t *)"text", 4)) {
        r->skipped++; /* tests of the text format, which burh does not parse */
        return;
    }
    json_name(cmd, "text", &text);
    if (load_module(r, cmd, &module, &err) == BW_OK) {
        fail(r, "module loaded, expected %s \"%.*s\"", bw_status_name(want), (int)text.len,
             (const char *)text.ptr);
    } else if (err.status != want) {
        fail(r, "expected %s \"%.*s\", got %s", bw_status_name(want), (int)text.len,
             (const char *)text.ptr, describe(&err));
    } else {
        r->passed++;
    }
}

/* Does the engine's trap agree with the script's text? The spec's wording is matched as a
 * prefix either way round ("uninitialized element 2" vs "uninitialized element"). */
static bool trap_matches(const bw_error *err, bw_name text)
{
    const char *got = err->trap == BW_TRAP_HOST ? err->message : bw_trap_message(err->trap);
    size_t len = strlen(got);
    size_t common = len < text.len ? len : text.len;
    return err->status == BW_ERR_TRAP && common > 0 && memcmp(got, text.ptr, common) == 0;
}

static void cmd_assert_module_fails(runner *r, const json_t *cmd, bw_status want)
{
    bw_name text = {(const uint8_t *)"", 0};
    bw_module *module;
    bw_instance *instance;
    bw_error err;

    json_name(cmd, "text", &text);
    if (load_module(r, cmd, &module, &err) != BW_OK) {
        fail(r, "module does not load: %s", describe(&err));
    } else if (instantiate(r, module, &instance, &err) == BW_OK) {
        fail(r, "module instantiated, expected %s \"%.*s\"", bw_status_name(want), (int)text.len,
             (const char *)text.ptr);
    } else if (err.status != want || (want == BW_ERR_TRAP && !trap_matches(&err, text))) {
        fail(r, "expected %s \"%.*s\", got %s", bw_status_name(want), (int)text.len,
             (const char *)text.ptr, describe(&err));
    } else {
        r->passed++;
    }
}

/* ---- actions ---- */

static bool parse_args(const json_t *list, bw_value **out, size_t *count, outcome *res)
{
    size_t n = json_array_size(list);
    bw_value *args = xrealloc(NULL, n, sizeof *args);
    for (size_t i = 0; i < n; i++) {
        const json_t *arg = json_array_get(list, i);
        bw_name type, value;
        bt_parse_status st = BT_PARSE_BAD;
        if (json_name(arg, "type", &type) && json_name(arg, "value", &value)) {
            st = bt_value_parse(type, value, &args[i]);
        }
        if (st != BT_PARSE_OK) {
            free(args);
            res->unsupported = st == BT_PARSE_UNSUPPORTED;
            runner_error(&res->err, BW_ERR_ARGS, "argument %zu is not a value burh knows", i);
            res->status = BW_ERR_ARGS;
            return false;
        }
    }
    *out = args;
    *count = n;
    return true;
}

static void invoke(runner *r, bw_func *func, const json_t *action, outcome *res)
{
    bw_value *args;
    size_t nargs;
    bw_functype_view type = bw_func_type(func);

    if (type.nresults > MAX_RESULTS) {
        res->status = runner_error(&res->err, BW_ERR_ARGS, "too many results");
        return;
    }
    if (!parse_args(json_object_get(action, "args"), &args, &nargs, res)) {
        return;
    }
    res->results = xrealloc(NULL, type.nresults, sizeof *res->results);
    memset(res->results, 0, type.nresults * sizeof *res->results);
    res->nresults = type.nresults;
    memset(&res->err, 0, sizeof res->err);
    res->status = bw_func_call(r->store, func, args, nargs, res->results, res->nresults, &res->err);
    res->err.status = res->status;
    free(args);
}

static void run_action(runner *r, const json_t *action, outcome *res)
{
    bw_instance *instance = target_instance(r, action, "module");
    bw_name type, field;
    bw_extern ext;
    char shown[64];

    memset(res, 0, sizeof *res);
    if (!json_name(action, "type", &type) || !json_name(action, "field", &field)) {
        res->status = runner_error(&res->err, BW_ERR_ARGS, "malformed action");
        return;
    }
    if (instance == NULL) {
        res->status = runner_error(&res->err, BW_ERR_NOT_FOUND, "no module (failed earlier?)");
        return;
    }
    if (bw_instance_export(instance, field.ptr, field.len, &ext) != BW_OK) {
        res->status = runner_error(&res->err, BW_ERR_NOT_FOUND, "no export \"%s\"",
                                   bt_name_format(field, shown, sizeof shown));
        return;
    }
    if (name_equal(type, (const uint8_t *)"invoke", 6) && ext.kind == BW_EXTERN_FUNC) {
        invoke(r, ext.of.func, action, res);
    } else if (name_equal(type, (const uint8_t *)"get", 3) && ext.kind == BW_EXTERN_GLOBAL) {
        res->results = xrealloc(NULL, 1, sizeof *res->results);
        res->results[0] = bw_global_get(ext.of.global);
        res->nresults = 1;
        res->status = BW_OK;
    } else {
        res->status = runner_error(&res->err, BW_ERR_ARGS, "export \"%s\" has the wrong kind",
                                   bt_name_format(field, shown, sizeof shown));
    }
}

/* Names the action in reports: invoke "field" or get "field". */
static const char *action_label(const json_t *action)
{
    static char buf[96];
    char shown[64];
    bw_name type = {(const uint8_t *)"?", 1}, field = {(const uint8_t *)"?", 1};
    json_name(action, "type", &type);
    json_name(action, "field", &field);
    snprintf(buf, sizeof buf, "%.*s \"%s\"", (int)(type.len > 10 ? 10 : type.len),
             (const char *)type.ptr, bt_name_format(field, shown, sizeof shown));
    return buf;
}

static void check_results(runner *r, const json_t *cmd, const outcome *res)
{
    const json_t *expected = json_object_get(cmd, "expected");
    size_t n = json_array_size(expected);
    char want_text[96], got_text[96];

    if (n != res->nresults) {
        fail(r, "%s: expected %zu results, got %u", action_label(json_object_get(cmd, "action")), n,
             res->nresults);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *item = json_array_get(expected, i);
        bw_name type, value;
        bt_expected want;
        bt_parse_status st = BT_PARSE_BAD;
        if (json_name(item, "type", &type) && json_name(item, "value", &value)) {
            st = bt_expected_parse(type, value, &want);
        }
        if (st == BT_PARSE_UNSUPPORTED) {
            r->skipped++;
            return;
        }
        if (st != BT_PARSE_OK) {
            fail(r, "expected result %zu is not a value burh knows", i);
            return;
        }
        if (!bt_expected_match(&want, &res->results[i])) {
            bt_expected_format(&want, want_text, sizeof want_text);
            bt_value_format(&res->results[i], got_text, sizeof got_text);
            fail(r, "%s: result %zu: expected %s, got %s",
                 action_label(json_object_get(cmd, "action")), i, want_text, got_text);
            return;
        }
    }
    r->passed++;
}

/* Runs the command's action and judges it: `mode` is the command type. */
static void cmd_action(runner *r, const json_t *cmd, const char *mode)
{
    const json_t *action = json_object_get(cmd, "action");
    bw_name text = {(const uint8_t *)"", 0};
    outcome res;

    json_name(cmd, "text", &text);
    run_action(r, action, &res);
    if (res.unsupported) {
        r->skipped++;
    } else if (strcmp(mode, "assert_return") == 0 || strcmp(mode, "action") == 0) {
        if (res.status != BW_OK) {
            fail(r, "%s: %s", action_label(action), describe(&res.err));
        } else if (strcmp(mode, "action") == 0) {
            r->passed++;
        } else {
            check_results(r, cmd, &res);
        }
    } else if (res.status != BW_ERR_TRAP || !trap_matches(&res.err, text) ||
               (strcmp(mode, "assert_exhaustion") == 0 &&
                res.err.trap != BW_TRAP_STACK_EXHAUSTED)) {
        fail(r, "%s: expected trap \"%.*s\", got %s", action_label(action), (int)text.len,
             (const char *)text.ptr, res.status == BW_OK ? "no trap" : describe(&res.err));
    } else {
        r->passed++;
    }
    free(res.results);
}

/* ---- scripts ---- */

static void dispatch(runner *r, const json_t *cmd, const char *t);

/* Before the resume line, only what changes the state runs again; never a crashed command
 * (the run that crashed counted it as failed). */
static bool worth_replaying(const runner *r, const char *type)
{
    for (unsigned i = 0; i < r->opt.ncrashed; i++) {
        if (r->opt.crashed[i] == r->line) {
            return false;
        }
    }
    return strcmp(type, "assert_invalid") != 0 && strcmp(type, "assert_malformed") != 0 &&
           strcmp(type, "assert_unlinkable") != 0;
}

static void run_command(runner *r, const json_t *cmd)
{
    bw_name type;
    r->line = (long)json_integer_value(json_object_get(cmd, "line"));
    if (!json_name(cmd, "type", &type) || memchr(type.ptr, '\0', type.len) != NULL) {
        r->command = "?";
        fail(r, "command without a type");
        return;
    }
    const char *t = (const char *)type.ptr;
    r->command = t;
    if (replaying(r) && !worth_replaying(r, t)) {
        return;
    }
    if (r->opt.trace) {
        fprintf(stderr, "%s:%ld: %s (%u passed, %u failed, %u skipped)\n", r->script, r->line, t,
                r->passed, r->failed, r->skipped);
    }
    unsigned counts[4] = {r->passed, r->failed, r->skipped, r->shown};
    if (r->opt.timeout != 0) {
        bt_set_command_timer(r->opt.timeout);
    }
    dispatch(r, cmd, t);
    if (r->opt.timeout != 0) {
        bt_set_command_timer(0);
        bw_store_clear_interrupt(r->store);
    }
    if (replaying(r)) {
        /* Replayed only to rebuild the state the resumed commands see. */
        r->passed = counts[0];
        r->failed = counts[1];
        r->skipped = counts[2];
        r->shown = counts[3];
    }
}

static void dispatch(runner *r, const json_t *cmd, const char *t)
{
    if (strcmp(t, "module") == 0) {
        cmd_module(r, cmd);
    } else if (strcmp(t, "register") == 0) {
        cmd_register(r, cmd);
    } else if (strcmp(t, "action") == 0 || strcmp(t, "assert_return") == 0 ||
               strcmp(t, "assert_exhaustion") == 0) {
        cmd_action(r, cmd, t);
    } else if (strcmp(t, "assert_trap") == 0) {
        if (json_object_get(cmd, "action") != NULL) {
            cmd_action(r, cmd, t);
        } else {
            cmd_assert_module_fails(r, cmd, BW_ERR_TRAP);
        }
    } else if (strcmp(t, "assert_uninstantiable") == 0) {
        cmd_assert_module_fails(r, cmd, BW_ERR_TRAP);
    } else if (strcmp(t, "assert_unlinkable") == 0) {
        cmd_assert_module_fails(r, cmd, BW_ERR_UNLINKABLE);
    } else if (strcmp(t, "assert_invalid") == 0) {
        cmd_assert_bad_module(r, cmd, BW_ERR_INVALID);
    } else if (strcmp(t, "assert_malformed") == 0) {
        cmd_assert_bad_module(r, cmd, BW_ERR_MALFORMED);
    } else {
        fail(r, "unknown command type");
    }
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

static void run_commands(runner *r, const json_t *commands)
{
    bw_store_config config;
    static const uint8_t spectest_name[] = "spectest";

    memset(&config, 0, sizeof config);
    r->store = bw_store_new(&config);
    if (r->store == NULL || !bt_spectest_init(&r->spectest, r->store)) {
        die("out of memory making a store");
    }
    bind_or_die(&r->registered, (bw_name){spectest_name, sizeof spectest_name - 1}, NULL, true);
    alarm_store = r->store;
    for (size_t i = 0; i < json_array_size(commands); i++) {
        run_command(r, json_array_get(commands, i));
    }
    alarm_store = NULL;
    bw_store_free(r->store);
}

/* Runs one wast2json script in a fresh store; adds its counts to `total`. */
void bt_run_script(const bt_script_source *src, const bt_run_options *options, bt_counts *total)
{
    runner r;
    json_error_t jerr;
    bw_name json;
    uint8_t *owned;
    char shown[300];

    memset(&r, 0, sizeof r);
    memset(&jerr, 0, sizeof jerr);
    r.opt = *options;
    r.source = src;
    r.script = bt_name_format(src->json_name, shown, sizeof shown);
    r.command = "script";
    json_t *root = NULL;
    const char *problem = bt_source_read(src, src->json_name, SIZE_MAX, &json, &owned);
    if (problem == NULL) {
        root = json_loadb((const char *)json.ptr, json.len, JSON_ALLOW_NUL, &jerr);
        free(owned);
    }
    const json_t *source = json_object_get(root, "source_filename");
    if (json_is_string(source)) {
        r.script = base_name(json_string_value(source));
    }
    const json_t *commands = json_object_get(root, "commands");
    if (problem != NULL) {
        fail(&r, "cannot read the script: %s", problem);
    } else if (!json_is_array(commands)) {
        r.line = jerr.line > 0 ? jerr.line : 0;
        fail(&r, "not a wast2json script: %s", root == NULL ? jerr.text : "no \"commands\"");
    } else {
        run_commands(&r, commands);
    }
    if (r.failed > r.shown) {
        printf("  %s: %u more failures not shown (-v shows all)\n", r.script, r.failed - r.shown);
    }
    printf("%s: %u passed, %u failed, %u skipped\n", r.script, r.passed, r.failed, r.skipped);
    fflush(stdout);
    for (size_t i = 0; i < r.nmodules; i++) {
        bw_module_free(r.modules[i]);
    }
    free(r.modules);
    bt_names_free(&r.named);
    bt_names_free(&r.registered);
    json_decref(root);
    total->passed += r.passed;
    total->failed += r.failed;
    total->skipped += r.skipped;
}
