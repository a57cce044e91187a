#!/usr/bin/env bash
# Runs the official WebAssembly spec tests (core 2.0, no SIMD) on burh's engine.
#
#   scripts/spectest.sh [--backend kvm] DIR [FILTER...]
#
# DIR is a checkout of github.com/WebAssembly/testsuite (docs/spectest.md says which commit).
# FILTERs are shell patterns on the file name without .wast (e.g. i32 'table_*'); none = all.
# Each file is converted by wast2json into build/spectest/<name>/ and run by burh-spectest.
# SPECTEST_COMMAND_TIMEOUT / SPECTEST_FILE_TIMEOUT (seconds, default 20 / 300) bound hangs;
# SPECTEST_OUT moves the output (default build/spectest); SPECTEST_NO_HISTORY=1 turns off the
# fallback to older git revisions (for scripts that must convert as they are, like ours).
# --backend kvm bundles the converted scripts (burh-spectest --make-bundle) and runs them all
# in ONE kvm keep (burh-spectest-static --bundle - on the keep's stdin); BURH_BOUNDS=guard|
# software is passed into the keep, SPECTEST_KVM_MEM (MiB, default 1024) and
# SPECTEST_KVM_TIME_LIMIT (seconds, default 3600) size and bound it. A keep that dies costs the
# script it was on (one failure); the rest run in a new keep.
# The last line is "N passed, N failed, N skipped"; the exit status is 1 on any failure.
set -u
cd "$(dirname "$0")/.." || exit 2

backend=process
if [ "${1:-}" = --backend ]; then
    case ${2:-} in
    kvm | process) backend=$2 ;;
    *)
        echo "scripts/spectest.sh: --backend takes kvm or process" >&2
        exit 2
        ;;
    esac
    shift 2
fi
if [ $# -lt 1 ] || [ ! -d "$1" ]; then
    echo "usage: scripts/spectest.sh [--backend kvm] TESTSUITE_DIR [FILTER...]" >&2
    exit 2
fi
suite=$(cd "$1" && pwd)
shift
filters=("$@")

build=${BURH_BUILD:-build/release}
# A command running longer than this is interrupted (a failure); a whole file longer than
# the second limit is killed (one failure), so one hang cannot stall the suite.
command_timeout=${SPECTEST_COMMAND_TIMEOUT:-20}
file_timeout=${SPECTEST_FILE_TIMEOUT:-300}
runner=$build/bin/burh-spectest
out=${SPECTEST_OUT:-build/spectest}

command -v wast2json >/dev/null || {
    echo "wast2json is missing (apt-get install wabt)" >&2
    exit 2
}
# Rebuild when possible; a tree half-way through someone's edit may not build, and then the
# runner from the last good build is still worth running.
mkdir -p "$(dirname "$out")"
# build TARGET VARIANT
build() {
    if ! make -s "$1" VARIANT="$2" >/dev/null 2>"$out.make.log"; then
        if [ ! -e "$1" ]; then
            cat "$out.make.log" >&2
            echo "cannot build $1"
            echo "0 passed, 1 failed, 0 skipped"
            exit 1
        fi
        echo "warning: 'make $1' failed; using the existing one" >&2
    fi
}
build "$runner" "$(basename "$build")"
if [ "$backend" = kvm ]; then
    # The keep runs the release runner linked statically (mk/kvm-spectest.mk).
    static=build/release/bin/burh-spectest-static
    keepldr=$build/bin/burh-keepldr
    build "$keepldr" "$(basename "$build")"
    build "$build/bin/burh-shim.elf" "$(basename "$build")"
    build "$static" release
fi
mkdir -p "$out"

passed=0 failed=0 skipped=0
files_run=0 files_skipped=0 files_old=0 files_bad=0

wanted() { # name
    [ ${#filters[@]} -eq 0 ] && return 0
    local f
    for f in "${filters[@]}"; do
        # shellcheck disable=SC2053 # the filter is a pattern on purpose
        [[ $1 == $f ]] && return 0
    done
    return 1
}

is_git=false
if [ -z "${SPECTEST_NO_HISTORY:-}" ] &&
    git -C "$suite" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    is_git=true
fi

# convert NAME: writes $out/NAME/NAME.json; falls back to older revisions of the file.
convert() {
    local name=$1 dir=$out/$1 src=$suite/$1.wast commit
    rm -rf "$dir"
    mkdir -p "$dir"
    if { wast2json "$src" -o "$dir/$name.json" >"$dir/convert.log" 2>&1; } 2>/dev/null; then
        return 0
    fi
    $is_git || return 1
    # wabt 1.0.32 cannot read some newer text syntax; an older revision of the same test
    # usually tests the same instructions in syntax it can read.
    for commit in $(git -C "$suite" log --format=%H -- "$name.wast"); do
        git -C "$suite" show "$commit:./$name.wast" >"$dir/$name.wast" 2>/dev/null || continue
        if { wast2json "$dir/$name.wast" -o "$dir/$name.json" >>"$dir/convert.log" 2>&1; } \
            2>/dev/null; then
            echo "$name.wast: the current file does not convert with wabt $(wast2json --version);" \
                "using revision $commit"
            files_old=$((files_old + 1))
            return 0
        fi
    done
    return 1
}

# run NAME: runs the converted script and adds its counts. When the runner crashes or hangs,
# the command it was on counts as failed and the script resumes after it (-s), up to 20 times.
run() {
    local name=$1 log=$out/$1/run.log trace=$out/$1/trace.log line p f s rc last at
    local resume=0 rounds=0 fp=0 ff=0 fs=0 crashed=()
    while :; do
        local args=(-t -T "$command_timeout")
        for at in "${crashed[@]}"; do args+=(-s "$at"); done
        # The braces keep bash's own "Segmentation fault" notice out of the report.
        { timeout "$file_timeout" "$runner" "${args[@]}" "$out/$name/$name.json" \
            >"$log" 2>"$trace"; } 2>/dev/null
        rc=$?
        # Failure lines as they are; the counts are summed and printed below.
        grep -vE '(^|: )[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log"
        line=$(grep -E '^[^ ].*: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -1)
        if [ -n "$line" ] && [ $rc -le 1 ]; then
            read -r p f s < <(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/' \
                <<<"$line")
            fp=$((fp + p)) ff=$((ff + f)) fs=$((fs + s))
            break
        fi
        last=$(tail -1 "$trace")
        echo "  $name.wast: CRASHED or timed out (exit $rc) in: $last"
        # The trace line is "file.wast:LINE: command (P passed, F failed, S skipped)".
        read -r at p f s < <(sed -nE 's/^[^:]*:([0-9]+): .*\(([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped\)$/\1 \2 \3 \4/p' \
            <<<"$last")
        ff=$((ff + 1))
        rounds=$((rounds + 1))
        if [ -z "${at:-}" ] || [ "$at" -le "$resume" ] || [ $rounds -ge 20 ]; then
            echo "  $name.wast: gave up after $rounds crashes (the rest of the file is not run)"
            break
        fi
        fp=$((fp + p)) ff=$((ff + f)) fs=$((fs + s))
        resume=$at
        crashed+=("$at")
    done
    local note=""
    [ $rounds -gt 0 ] && note=" ($rounds crashes or hangs, resumed after each)"
    echo "$name.wast: $fp passed, $ff failed, $fs skipped$note"
    passed=$((passed + fp)) failed=$((failed + ff)) skipped=$((skipped + fs))
}

# run_in_keep NAME...: the converted scripts in one kvm keep. The runner prints each script's
# line as it finishes it, so when the keep dies the next script is the one it was on: that one
# counts as one failure and the rest go into a new keep.
run_in_keep() {
    local todo=("$@") log=$out/kvm.log err=$out/kvm.err bundle=$out/kvm.bundle rc line n
    local mem=${SPECTEST_KVM_MEM:-1024} limit=${SPECTEST_KVM_TIME_LIMIT:-3600} keeps=0 start
    local env=()
    [ -n "${BURH_BOUNDS:-}" ] && env=(--env "BURH_BOUNDS=$BURH_BOUNDS")
    while [ ${#todo[@]} -gt 0 ]; do
        local dirs=()
        for n in "${todo[@]}"; do dirs+=("$out/$n"); done
        if ! "$runner" --make-bundle "$bundle" "${dirs[@]}" 2>"$err"; then
            cat "$err"
            echo "  no bundle: the ${#todo[@]} scripts left count as failed"
            failed=$((failed + ${#todo[@]}))
            return
        fi
        keeps=$((keeps + 1))
        start=$(date +%s.%N)
        { timeout $((limit + 60)) "$keepldr" --backend kvm --mem "$mem" \
            --time-limit $((limit * 1000)) "${env[@]}" "$static" -b -T "$command_timeout" \
            --bundle - <"$bundle" >"$log" 2>"$err"; } 2>/dev/null
        rc=$?
        echo "kvm keep $keeps: ${#todo[@]} scripts, bundle $(stat -c %s "$bundle") bytes," \
            "exit $rc, $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s;" \
            "$(grep -m1 'memory bounds' "$err" | sed 's/^burh-spectest: //')"
        if ! grep -q 'memory bounds' "$err"; then
            # The runner never made a store: the keep did not boot or the bundle was refused.
            sed 's/^/  /' "$err" | head -5
            echo "  the keep did not start the runner: the ${#todo[@]} scripts count as failed"
            failed=$((failed + ${#todo[@]}))
            return
        fi
        local done_count=0 p f s
        while IFS= read -r line; do
            if [[ $line =~ ^[^\ ].*:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
                p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[3]}
                passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
                done_count=$((done_count + 1))
                echo "$line"
            elif ! [[ $line =~ ^[0-9]+\ passed,\ [0-9]+\ failed,\ [0-9]+\ skipped$ ]]; then
                echo "$line"
            fi
        done <"$log"
        if [ $rc -le 1 ] && [ "$done_count" -eq ${#todo[@]} ]; then
            return
        fi
        if [ "$done_count" -ge ${#todo[@]} ]; then
            echo "  the keep ended with status $rc after its last script: $(tail -1 "$err")"
            failed=$((failed + 1))
            return
        fi
        echo "  ${todo[$done_count]}.wast: the keep ended (status $rc) in this script:" \
            "$(grep -v 'memory bounds' "$err" | tail -1)"
        failed=$((failed + 1))
        todo=("${todo[@]:$((done_count + 1))}")
    done
}

to_bundle=()
for sub in "$suite"/*/; do
    [ -d "$sub" ] || continue
    echo "skipped directory $(basename "$sub")/: proposals and later versions, not core 2.0"
done
for src in "$suite"/*.wast; do
    name=$(basename "$src" .wast)
    wanted "$name" || continue
    case $name in
    simd_*)
        echo "skipped $name.wast: SIMD, which burh does not implement"
        files_skipped=$((files_skipped + 1))
        continue
        ;;
    esac
    if ! convert "$name"; then
        echo "$name.wast: wast2json cannot convert it (nor any older revision); see" \
            "$out/$name/convert.log"
        files_bad=$((files_bad + 1))
        failed=$((failed + 1))
        continue
    fi
    files_run=$((files_run + 1))
    if [ "$backend" = kvm ]; then
        to_bundle+=("$name")
    else
        run "$name"
    fi
done
[ "$backend" = kvm ] && [ ${#to_bundle[@]} -gt 0 ] && run_in_keep "${to_bundle[@]}"

echo
echo "files: $files_run run ($files_old from older revisions), $files_skipped skipped," \
    "$files_bad not convertible"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
