#!/usr/bin/env bash
# Runs the official WASI testsuite (scripts/wasi-testsuite.sh) when WASI_TESTSUITE_DIR names a
# checkout of its prebuilt branch: once on host directories (--dir), once in memory (--mem-dir).
set -u
cd "$(dirname "$0")/../.."
if [ -z "${WASI_TESTSUITE_DIR:-}" ] || [ ! -d "${WASI_TESTSUITE_DIR}/tests" ]; then
    echo "SKIP: WASI_TESTSUITE_DIR is not set to a wasi-testsuite checkout (prebuilt branch);"
    echo "SKIP: the official WASI conformance tests did NOT run"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
passed=0 failed=0
for mode in --dir --mem-dir; do
    out=$(WASI_TESTSUITE_DIR_OPT=$mode scripts/wasi-testsuite.sh "$WASI_TESTSUITE_DIR" 2>&1)
    sed "s|^|$mode: |" <<<"$out" | grep -v ': PASS ' || true
    line=$(tail -1 <<<"$out")
    p=$(grep -oE '^[0-9]+' <<<"$line"); f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
    if [ -z "$p" ] || [ -z "$f" ]; then
        echo "FAIL $mode: no summary line from scripts/wasi-testsuite.sh"
        failed=$((failed + 1))
        continue
    fi
    echo "$mode: $p passed, $f failed"
    passed=$((passed + p)); failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
