#!/usr/bin/env bash
# `burh run` in a kvm keep against the nil keep and the in-process engine, side by side in one
# run: hello (start-up: keep boot, attestation, upload) and a compute benchmark (the engine's
# speed inside the VM). Needs /dev/kvm; prints a small table. Called by scripts/bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
burh=${BURH:-build/release/bin/burh}
runs=${KVM_RUN_BENCH_RUNS:-7}
hello=build/wasm/examples/hello.wasm
compute=build/wasm/bench/${KVM_RUN_BENCH_PROGRAM:-crc32}.wasm
if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
    echo "SKIP: /dev/kvm not usable; burh run --backend kvm not measured"
    exit 0
fi
for f in "$burh" "$hello" "$compute"; do
    [ -e "$f" ] || { echo "bench-kvm-run: $f missing (make all bench-progs)"; exit 1; }
done

# Median wall time in ms of `burh run --backend B PROGRAM`, output discarded.
median_ms() {
    local backend=$1 program=$2
    for _ in $(seq "$runs"); do
        local t0 t1
        t0=$(date +%s%N)
        "$burh" run --backend "$backend" "$program" >/dev/null 2>&1
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000))
    done | sort -n | awk '{v[NR] = $1} END {printf "%.1f", v[int((NR + 1) / 2)] / 1000}'
}

echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1);" \
    "burh run, wall-clock median of $runs"
printf '%-28s %10s %10s %10s %10s %10s\n' program process_ms nil_ms kvm_ms kvm/nil kvm/process
for program in "$hello" "$compute"; do
    p=$(median_ms process "$program")
    n=$(median_ms nil "$program")
    k=$(median_ms kvm "$program")
    awk -v name="$(basename "$program")" -v p="$p" -v n="$n" -v k="$k" \
        'BEGIN {printf "%-28s %10s %10s %10s %10.2f %10.2f\n", name, p, n, k, k / n, k / p}'
done
