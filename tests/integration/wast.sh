#!/usr/bin/env bash
# Runs burh's own .wast tests (tests/wast/) on the engine through scripts/spectest.sh, after
# checking that burh-spectest itself reports wrong results, traps and statuses as failures.
source "$(dirname "$0")/lib.sh"

runner=$build/bin/burh-spectest
check=build/wast-selfcheck

# Every assertion but the first and the last is wrong on purpose (one is skipped: it tests
# the text format); a runner that let any of them pass would make the suites meaningless.
selfcheck() {
    rm -rf "$check"
    mkdir -p "$check"
    cat >"$check/selfcheck.wast" <<'WAST'
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "nan") (result f32) (f32.const nan:0x1))
  (func (export "spin") (loop (br 0)))
  (func (export "id") (param externref) (result externref) (local.get 0))
  (func (export "two") (result i32 i64) (i32.const 1) (i64.const 2))
  (func (export "trap") (unreachable))
)
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4))
(assert_return (invoke "nan") (f32.const nan:arithmetic))
(assert_return (invoke "nan") (f32.const nan:canonical))
(assert_trap (invoke "add" (i32.const 1) (i32.const 2)) "unreachable")
(assert_trap (invoke "trap") "integer overflow")
(assert_return (invoke "id" (ref.extern 1)) (ref.extern 2))
(assert_return (invoke "id" (ref.extern 1)) (ref.null extern))
(assert_return (invoke "two") (i32.const 1) (i64.const 3))
(assert_exhaustion (invoke "trap") "call stack exhausted")
(assert_invalid (module (func)) "type mismatch")
(assert_malformed (module binary "\00asm\01\00\00\00") "malformed")
(assert_unlinkable (module (func)) "unknown import")
(assert_trap (module (func)) "unreachable")
(assert_malformed (module quote "(func") "unexpected end")
(assert_return (invoke "spin"))
(assert_return (invoke "id" (ref.extern 5)) (ref.extern 5))
WAST
    wast2json "$check/selfcheck.wast" -o "$check/selfcheck.json" >"$check/convert.log" 2>&1 ||
        return 1
    timeout 60 "$runner" -T 1 "$check/selfcheck.json" >"$check/run.log" 2>&1
    [ $? -eq 1 ] && grep -qx 'selfcheck.wast: 3 passed, 14 failed, 1 skipped' "$check/run.log"
}

make -s "$runner" VARIANT="$(basename "$build")" >/dev/null 2>&1
if selfcheck; then
    echo "burh-spectest self-check: wrong expectations are reported as failures"
    self_passed=1 self_failed=0
else
    echo "burh-spectest self-check FAILED; its output:"
    sed 's/^/  /' "$check/convert.log" "$check/run.log" 2>/dev/null
    self_passed=0 self_failed=1
fi

SPECTEST_OUT=build/wast SPECTEST_NO_HISTORY=1 SPECTEST_FILE_TIMEOUT=${SPECTEST_FILE_TIMEOUT:-60} \
    scripts/spectest.sh tests/wast | tee "build/wast.log"
rc=${PIPESTATUS[0]}
line=$(tail -1 build/wast.log)
if ! [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
    echo "$self_passed passed, $((self_failed + 1)) failed, 0 skipped"
    exit 1
fi
passed=$((BASH_REMATCH[1] + self_passed)) failed=$((BASH_REMATCH[2] + self_failed))
echo "with the self-check: $passed passed, $failed failed, ${BASH_REMATCH[3]} skipped"
echo "$passed passed, $failed failed, ${BASH_REMATCH[3]} skipped"
[ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]
