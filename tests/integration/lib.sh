# lib.sh: what the integration scripts share; `source` it first (it is not a test itself).
# Gives: the repository root as the working directory, $build, $shared, the counters, a
# temporary directory $tmp removed on exit, and pass/fail/skip/finish to count and end.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

build=${BURH_BUILD:-build/release}
shared=${BURH_SHARED_DIR:-../shared/attestation}
passed=0 failed=0 skipped=0
tmp=$(mktemp -d)
# A script that starts servers replaces this trap, keeping the rm.
trap 'rm -rf "$tmp"' EXIT

pass() {
    echo "ok: $1"
    passed=$((passed + 1))
}

# fail NAME [FILE]: counts a failure, showing the head of FILE (a command's stderr) if given.
fail() {
    echo "FAIL: $1"
    [ $# -gt 1 ] && sed 's/^/    /' "$2" | head -5
    failed=$((failed + 1))
}

skip() {
    echo "SKIP: $1"
    skipped=$((skipped + 1))
}

# finish: the summary line scripts/run-tests.sh reads, and the exit status.
finish() {
    echo "$passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ]
    exit
}

# die_unbuilt WHAT: a missing program is one failure, not a crash of the script.
die_unbuilt() {
    echo "FAIL: $1 (build first)"
    echo "0 passed, 1 failed"
    exit 1
}

# require_kvm LOADER WHAT: unless `LOADER --probe` says /dev/kvm can run keeps here, ends the
# script with one loud skip saying that WHAT was not tested.
require_kvm() {
    local why
    why=$("$1" --probe 2>&1) && return 0
    echo "=================================================================="
    echo "SKIP: /dev/kvm not usable: $why"
    echo "SKIP: $2 was NOT tested"
    echo "=================================================================="
    skipped=1
    finish
}

# find_attest: sets the array `attest` to the `burh attest` command.
find_attest() {
    if [ -x "$build/bin/burh" ] && "$build/bin/burh" attest --help >/dev/null 2>&1; then
        attest=("$build/bin/burh" attest)
    else
        die_unbuilt "'$build/bin/burh attest' does not run"
    fi
}

# expect NAME EXIT_CODE CHECK_OR_EMPTY -- ARGS...: runs "${verdict_cmd[@]}" ARGS, compares the
# exit code and, if CHECK is given, requires "FAILED CHECK:" on stderr. The last run's stdout
# and stderr stay in $tmp/out and $tmp/err.
expect() {
    local name=$1 want=$2 check=$3
    shift 4
    "${verdict_cmd[@]}" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "$name: exit $rc, expected $want" "$tmp/err"
    elif [ -n "$check" ] && ! grep -q "^FAILED $check:" "$tmp/err"; then
        fail "$name: no failed check $check" "$tmp/err"
    else
        pass "$name"
    fi
}
