#!/usr/bin/env bash
# Runs every test of burh (unit tests in release and ASan builds, integration scripts,
# a short fuzz smoke run) and ends with one line: "N passed, N failed".
set -u
cd "$(dirname "$0")/.."

passed=0 failed=0 skipped=0
failures=()
logdir=build/test-logs
mkdir -p "$logdir"

# add NAME PASSED FAILED SKIPPED
add() {
    passed=$((passed + $2)); failed=$((failed + $3)); skipped=$((skipped + $4))
    [ "$3" -gt 0 ] && failures+=("$1")
    printf '%-48s %4d passed %4d failed %4d skipped\n' "$1" "$2" "$3" "$4"
}

run_cmocka() { # binary label
    local log="$logdir/${2//\//_}.log" p f s rc
    "$1" >"$log" 2>&1; rc=$?
    p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
    f=$(grep -oE '^\[  FAILED  \] [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
    s=$(grep -oE '^\[  SKIPPED \] [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
    p=${p:-0}; f=${f:-0}; s=${s:-0}
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    grep -E '^SKIP' "$log" | sed "s|^|  $2: |"
    add "$2" "$p" "$f" "$s"
}

run_script() { # script label
    local log="$logdir/${2//\//_}.log" line p f s rc
    BURH_BUILD=build/release BURH_ASAN_BUILD=build/asan "$1" >"$log" 2>&1 </dev/null; rc=$?
    line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
    p=$(sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed.*/\2/' <<<"$line"); p=${p:-0}
    f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line"); f=${f:-0}
    s=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+'); s=${s:-0}
    [ -z "$line" ] && p=0 && f=0
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    grep -E '^SKIP' "$log" | sed "s|^|  $2: |"
    add "$2" "$p" "$f" "$s"
}

for variant in release asan; do
    for t in build/$variant/tests/test_*; do
        [ -x "$t" ] || continue
        run_cmocka "$t" "$variant/$(basename "$t")"
    done
done

for s in tests/integration/*.sh; do
    [ -x "$s" ] || continue
    run_script "$s" "integration/$(basename "$s" .sh)"
done

smoke=${FUZZ_SMOKE_SECONDS:-10}
for fz in build/fuzz/fuzz/fuzz_*; do
    [ -x "$fz" ] || continue
    name=$(basename "$fz")
    corpus=build/fuzz/corpus/$name
    mkdir -p "$corpus"
    seeds=()
    [ -d "fuzz/seeds/$name" ] && seeds=("fuzz/seeds/$name")
    if "$fz" -max_total_time="$smoke" -rss_limit_mb=4096 -timeout=10 "$corpus" "${seeds[@]}" \
        >"$logdir/$name.log" 2>&1; then
        add "fuzz-smoke/$name (${smoke}s)" 1 0 0
    else
        add "fuzz-smoke/$name (${smoke}s)" 0 1 0
    fi
done

echo
if [ ${#failures[@]} -gt 0 ]; then
    echo "failing: ${failures[*]} (logs in $logdir/)"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
