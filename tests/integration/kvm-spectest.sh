#!/usr/bin/env bash
# kvm-spectest.sh: the engine's spec tests inside a kvm keep. burh's own .wast tests and (with
# WASM_SPEC_DIR) the whole official suite are bundled and run in one keep each, with
# BURH_BOUNDS=guard and =software; every script's counts must equal an in-process run's. Also:
# a script that hangs costs itself only, and a malformed or truncated bundle is a clear error
# in the keep. KVM_SPECTEST_FILES="i32 memory ..." narrows the official part (docs/spectest.md).
source "$(dirname "$0")/lib.sh"

ldr=$build/bin/burh-keepldr
static=build/release/bin/burh-spectest-static
runner=$build/bin/burh-spectest
out=build/kvm-spectest
# All of it by default: 27,424 assertions take about 7 s per keep here (docs/spectest.md).
read -r -a official <<<"${KVM_SPECTEST_FILES:-}"

for f in "$ldr" "$build/bin/burh-shim.elf" "$static" "$runner"; do
    [ -x "$f" ] || die_unbuilt "$f is missing (make all)"
done
require_kvm "$ldr" "the spec suite in a kvm keep"
command -v wast2json >/dev/null || die_unbuilt "wast2json (apt-get install wabt)"

# script_lines LOG: each script's count line, sorted (the keep runs them in the same order,
# but the comparison need not depend on it).
script_lines() {
    grep -E '^[^ ]+\.wast: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$1" | sort
}

# compare SET SUITE_DIR [FILTER...]: the set in process, then in a keep per bounds mode.
compare() {
    local set=$1 dir=$2 history=
    shift 2
    [ "$set" = wast ] && history=1
    SPECTEST_NO_HISTORY=$history SPECTEST_OUT=$out/$set scripts/spectest.sh "$dir" "$@" \
        >"$tmp/$set.process" 2>&1
    local want
    want=$(tail -1 "$tmp/$set.process")
    if ! [[ $want =~ ^([0-9]+)\ passed ]] || [ "${BASH_REMATCH[1]}" -eq 0 ]; then
        fail "$set in process: no result ($want)" "$tmp/$set.process"
        return
    fi
    local mode
    for mode in guard software; do
        local log=$tmp/$set.$mode
        SPECTEST_NO_HISTORY=$history SPECTEST_OUT=$out/$set BURH_BOUNDS=$mode \
            SPECTEST_KVM_TIME_LIMIT=300 scripts/spectest.sh --backend kvm "$dir" "$@" \
            >"$log" 2>&1
        local got keep
        got=$(tail -1 "$log")
        keep=$(grep -m1 '^kvm keep 1:' "$log")
        if [ "$(grep -c '^kvm keep' "$log")" -ne 1 ] || [[ $keep != *"memory bounds: $mode" ]]; then
            echo "    wanted one keep with memory bounds: $mode; got: ${keep:-no keep}" >>"$log"
            fail "$set in a kvm keep, $mode" "$log"
        elif [ "$got" != "$want" ] || ! diff <(script_lines "$tmp/$set.process") \
            <(script_lines "$log") >"$tmp/diff"; then
            echo "    in process: $want; in the keep: $got" >"$tmp/why"
            cat "$tmp/diff" >>"$tmp/why"
            fail "$set in a kvm keep, $mode: counts differ from in process" "$tmp/why"
        else
            pass "$set in a kvm keep, $mode bounds: $got, per script as in process (${keep#*exit 0, })"
        fi
    done
}

compare wast tests/wast

if [ -z "${WASM_SPEC_DIR:-}" ] || [ ! -d "${WASM_SPEC_DIR:-}" ]; then
    skip "official spec tests in a kvm keep: WASM_SPEC_DIR is unset or not a directory"
else
    compare official "$WASM_SPEC_DIR" "${official[@]}"
fi

# A script that never ends: no per-command timer in a keep, so the keep's time limit stops it;
# that script costs one failure and the scripts after it run in a new keep.
mkdir -p "$tmp/hang"
for name in a c; do
    printf '(module (func (export "one") (result i32) (i32.const 1)))\n%s\n' \
        '(assert_return (invoke "one") (i32.const 1))' >"$tmp/hang/$name.wast"
done
printf '%s\n' '(module (func (export "spin") (loop (br 0))))' '(assert_return (invoke "spin"))' \
    >"$tmp/hang/b.wast"
SPECTEST_NO_HISTORY=1 SPECTEST_OUT=$out/hang SPECTEST_KVM_TIME_LIMIT=2 \
    scripts/spectest.sh --backend kvm "$tmp/hang" >"$tmp/hang.log" 2>&1
rc=$?
if [ $rc -eq 1 ] && [ "$(tail -1 "$tmp/hang.log")" = "4 passed, 1 failed, 0 skipped" ] &&
    grep -q '^  b.wast: the keep ended (status 123)' "$tmp/hang.log" &&
    grep -q '^kvm keep 2: 1 scripts' "$tmp/hang.log" && grep -q '^c.wast: 2 passed' "$tmp/hang.log"; then
    pass "a script that hangs in a keep: the time limit ends it, one failure, the next keep runs the rest"
else
    fail "a script that hangs in a keep (status $rc)" "$tmp/hang.log"
fi

# A bundle the runner refuses ends the keep with status 2 and says why; it never crashes.
bundle=$out/wast/kvm.bundle
if [ -f "$bundle" ]; then
    head -c $(($(stat -c %s "$bundle") / 2)) "$bundle" >"$tmp/truncated"
    printf 'not a bundle at all' >"$tmp/garbage"
    for bad in truncated garbage; do
        "$ldr" --backend kvm --time-limit 60000 "$static" --bundle - <"$tmp/$bad" \
            >"$tmp/out" 2>"$tmp/err"
        rc=$?
        if [ $rc -eq 2 ] && grep -q 'is not a usable bundle: ' "$tmp/err"; then
            pass "a $bad bundle in a keep: status 2, $(grep -m1 -o 'usable bundle: .*' "$tmp/err")"
        else
            echo "    status $rc" >>"$tmp/err"
            fail "a $bad bundle in a keep: wanted status 2 and a clear error" "$tmp/err"
        fi
    done
else
    fail "no bundle was made for tests/wast ($bundle)"
fi
finish
