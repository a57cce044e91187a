#!/usr/bin/env bash
# `burh run` in a kvm keep against the nil keep and the in-process engine, side by side in one
# run: hello (start-up: keep boot, attestation, upload) and a compute benchmark (the engine's
# speed inside the VM). Needs /dev/kvm; prints a small table. Called by scripts/bench.sh.
#
# The runs alternate (in-process, nil, kvm, ...), so load from other work on the machine falls
# on every column alike. BURH_BASE=OTHER/burh adds a column for a kvm keep of another build
# (e.g. the last commit's, built elsewhere) measured in the same rounds: a before/after.
set -euo pipefail
cd "$(dirname "$0")/.."
burh=${BURH:-build/release/bin/burh}
base=${BURH_BASE:-}
runs=${KVM_RUN_BENCH_RUNS:-7}
hello=build/wasm/examples/hello.wasm
compute=build/wasm/bench/${KVM_RUN_BENCH_PROGRAM:-crc32}.wasm
if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
    echo "SKIP: /dev/kvm not usable; burh run --backend kvm not measured"
    exit 0
fi
for f in "$burh" "$hello" "$compute" ${base:+"$base"}; do
    [ -e "$f" ] || { echo "bench-kvm-run: $f missing (make all bench-progs)"; exit 1; }
done

# Wall time in microseconds of one `BURH run --backend B PROGRAM`, output discarded. A run that
# fails stops the whole measurement: the time of a keep that never ran means nothing.
one_us() {
    local bin=$1 backend=$2 program=$3 t0 t1 err
    err=$(mktemp)
    t0=$(date +%s%N)
    if ! "$bin" run --backend "$backend" "$program" >/dev/null 2>"$err"; then
        echo "bench-kvm-run: $bin run --backend $backend $program failed:" >&2
        cat "$err" >&2
        rm -f "$err"
        return 1
    fi
    t1=$(date +%s%N)
    rm -f "$err"
    echo $(((t1 - t0) / 1000))
}

# Median in ms of the numbers (microseconds) on stdin.
median_ms() {
    sort -n | awk '{v[NR] = $1} END {printf "%.1f", v[int((NR + 1) / 2)] / 1000}'
}

echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1);" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg); burh run, wall-clock median of $runs"
printf '%-16s %10s %10s %10s %10s %11s' program process_ms nil_ms kvm_ms kvm/nil kvm/process
[ -n "$base" ] && printf ' %11s %12s' base_kvm_ms base_kvm/nil
printf '\n'
for program in "$hello" "$compute"; do
    p=() n=() k=() b=()
    for _ in $(seq "$runs"); do
        p+=("$(one_us "$burh" process "$program")") || exit 1
        n+=("$(one_us "$burh" nil "$program")") || exit 1
        k+=("$(one_us "$burh" kvm "$program")") || exit 1
        if [ -n "$base" ]; then b+=("$(one_us "$base" kvm "$program")") || exit 1; fi
    done
    pm=$(printf '%s\n' "${p[@]}" | median_ms)
    nm=$(printf '%s\n' "${n[@]}" | median_ms)
    km=$(printf '%s\n' "${k[@]}" | median_ms)
    bm=$([ -n "$base" ] && printf '%s\n' "${b[@]}" | median_ms || true)
    awk -v name="$(basename "$program")" -v p="$pm" -v n="$nm" -v k="$km" -v b="$bm" 'BEGIN {
        printf "%-16s %10s %10s %10s %10.2f %11.2f", name, p, n, k, k / n, k / p
        if (b != "") printf " %11s %12.2f", b, b / n
        printf "\n" }'
done
