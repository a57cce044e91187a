#!/usr/bin/env bash
# The attester: its unit tests (release and ASan builds) and, when this machine is a
# confidential VM, the real configfs-tsm / sev-guest path; loudly SKIPPED otherwise.
source "$(dirname "$0")/lib.sh"

asan=${BURH_ASAN_BUILD:-build/asan}
log=$tmp/log

# run BINARY: adds cmocka's passed/failed/skipped counts; a crash counts as a failure.
run() {
    local bin=$1 rc p f s
    if [ ! -x "$bin" ]; then
        echo "FAIL: $bin is not built (make $bin)"
        failed=$((failed + 1)); return
    fi
    timeout 300 "$bin" >"$log" 2>&1; rc=$?
    p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
    f=$(grep -oE '^\[  FAILED  \] [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
    s=$(grep -oE '^\[  SKIPPED \] [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
    p=${p:-0} f=${f:-0} s=${s:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    [ "$f" -gt 0 ] && { echo "FAIL: $bin (exit $rc)"; grep -E 'ERROR|FAILED|LINE' "$log" | head -10; }
    grep -E '^(SKIP|real )' "$log"
    echo "$bin: $p passed, $f failed, $s skipped"
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

for variant in "$build" "$asan"; do
    for t in test_attester test_attester_errors test_attester_parse test_attester_device; do
        if [ "$variant" = "$asan" ] && [ ! -x "$asan/tests/$t" ]; then
            skip "$asan/tests/$t not built (make VARIANT=asan tests)"
            continue
        fi
        run "$variant/tests/$t"
    done
done

if [ ! -d /sys/kernel/config/tsm/report ] && [ ! -e /dev/sev-guest ] && [ ! -e /dev/tdx_guest ]; then
    echo "SKIP: *** the REAL-HARDWARE attester path was NOT exercised: this machine has no"
    echo "SKIP: *** /sys/kernel/config/tsm/report, /dev/sev-guest or /dev/tdx_guest; only the"
    echo "SKIP: *** fake configfs-tsm tree was tested. Run this script inside an SNP/TDX guest."
fi

finish
