#!/usr/bin/env bash
# Runs the official WASI testsuite's prebuilt wasm32-wasip1 tests with `burh run`.
#
# usage: scripts/wasi-testsuite.sh [--backend process|kvm|nil|auto] DIR [FILTER]
#   --backend  passed to `burh run` (default: process, in burh itself); kvm runs every test in
#              a fresh local kvm keep (the fixture directory is then copied into the keep)
#   DIR        a checkout of the testsuite's prebuilt branch (tests/<lang>/testsuite/wasm32-wasip1)
#   FILTER     optional substring: only tests whose "<lang>/<name>" contains it
# Each test's .json (args, env, root, exit_code, stdout) is honoured; the "root" fixture is
# copied to a scratch directory first, so the checkout is never modified. Ends with the line
# "N passed, N failed" and exits non-zero when any test failed.
set -u
backend=process
if [ $# -ge 2 ] && [ "$1" = --backend ]; then
    backend=$2
    shift 2
fi
if [ $# -lt 1 ] || [ ! -d "$1/tests" ]; then
    echo "usage: $0 [--backend process|kvm|nil|auto] WASI-TESTSUITE-DIR [FILTER]" >&2
    exit 2
fi
suite=$(cd "$1" && pwd)
filter=${2:-}
cd "$(dirname "$0")/.."
root=$PWD
burh=$root/${BURH_BUILD:-build/release}/bin/burh
scratch=$root/build/test-scratch/wasi-testsuite-$backend
langs=${WASI_TESTSUITE_LANGS:-c rust assemblyscript}
limit=${WASI_TESTSUITE_TIME_LIMIT:-30}

if [ ! -x "$burh" ]; then
    echo "FAIL: $burh is not built"
    echo "0 passed, 1 failed"
    exit 1
fi
if ! command -v jq >/dev/null; then
    echo "FAIL: jq is needed to read the tests' .json files"
    echo "0 passed, 1 failed"
    exit 1
fi

passed=0 failed=0
rm -rf "$scratch"
mkdir -p "$scratch"

# run_one LANG DIR WASM: runs one test and prints PASS or FAIL with the reason.
run_one() {
    local lang=$1 dir=$2 wasm=$3
    local name=${wasm%.wasm} json=$dir/${wasm%.wasm}.json
    local work=$scratch/$lang-$name
    mkdir -p "$work"
    local cmd=("$burh" run --backend "$backend" --time-limit "$limit")
    local want_exit=0 want_stdout="" check_stdout=0
    if [ -f "$json" ]; then
        local fixture
        fixture=$(jq -r '.root // empty' "$json")
        if [ -n "$fixture" ]; then
            cp -a "$dir/$fixture" "$work/root"
            cmd+=("${WASI_TESTSUITE_DIR_OPT:---dir}" "$work/root::/")
        fi
        while IFS= read -r -d '' kv; do
            cmd+=(--env "$kv")
        done < <(jq -j '(.env // {}) | to_entries[] | "\(.key)=\(.value)\u0000"' "$json")
        want_exit=$(jq -r '.exit_code // 0' "$json")
        if jq -e 'has("stdout")' "$json" >/dev/null; then
            check_stdout=1
            want_stdout=$(jq -j '.stdout' "$json"; echo x)
            want_stdout=${want_stdout%x}
        fi
    fi
    cmd+=("$dir/$wasm" --)
    if [ -f "$json" ]; then
        while IFS= read -r -d '' a; do
            cmd+=("$a")
        done < <(jq -j '(.args // [])[] | "\(.)\u0000"' "$json")
    fi
    (cd "$work" && "${cmd[@]}" >"$work/stdout" 2>"$work/stderr" </dev/null)
    local rc=$?
    local got_stdout
    got_stdout=$(cat "$work/stdout"; echo x)
    got_stdout=${got_stdout%x}
    if [ "$rc" -ne "$want_exit" ]; then
        failed=$((failed + 1))
        echo "FAIL $lang/$name: exit $rc, wanted $want_exit: $(grep -v "^burh: note:" "$work/stderr" | head -c 300 | tr '\n' ' ')"
    elif [ "$check_stdout" -eq 1 ] && [ "$got_stdout" != "$want_stdout" ]; then
        failed=$((failed + 1))
        echo "FAIL $lang/$name: stdout $(printf %q "${got_stdout:0:200}"), wanted $(printf %q "$want_stdout")"
    else
        passed=$((passed + 1))
        echo "PASS $lang/$name"
    fi
}

for lang in $langs; do
    dir=$suite/tests/$lang/testsuite/wasm32-wasip1
    [ -d "$dir" ] || continue
    for path in "$dir"/*.wasm; do
        wasm=$(basename "$path")
        case "$lang/${wasm%.wasm}" in
            *"$filter"*) run_one "$lang" "$dir" "$wasm" ;;
        esac
    done
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
