#!/usr/bin/env bash
# Runs the benchmark suite side by side: native (gcc -O2) against burh (clang-14 -O2 Wasm),
# plus an optional peer engine (BENCH_PEER=/path/to/wasm3 or iwasm). Prints a table of medians
# and ratios with their geometric mean, start-up and peak memory, and writes CSV and a PNG chart.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${BENCH_RUNS:-5}
burh=${BURH:-build/release/bin/burh}
peer=${BENCH_PEER:-}
read -ra peer_cmd <<<"$peer" # BENCH_PEER may carry options, e.g. "wasm3 --stack-size 8000000"
out=build/bench
mkdir -p "$out"
csv=$out/results.csv

# median_of: the median of the numbers on stdin.
median_of() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# time_cmd EXPECTED_OUTPUT_FILE CMD...: prints "WALL CPU", the medians over $runs runs of the
# wall-clock seconds and of the CPU seconds (user + system: steadier on a shared machine). The
# output of every run must equal the expected output, or the result is FAIL or MISMATCH.
time_cmd() {
    local expect=$1; shift
    local walls=() cpus=()
    for ((i = 0; i < runs; i++)); do
        if ! /usr/bin/time -f '%e %U %S' -o "$out/last.time" "$@" >"$out/last.out" \
            2>"$out/last.err"; then
            echo "FAIL FAIL"; return
        fi
        if ! cmp -s "$out/last.out" "$expect"; then echo "MISMATCH MISMATCH"; return; fi
        read -r wall user sys <"$out/last.time"
        walls+=("$wall")
        cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')")
    done
    printf '%s %s\n' "$(printf '%s\n' "${walls[@]}" | median_of)" \
        "$(printf '%s\n' "${cpus[@]}" | median_of)"
}

peak_rss_kb() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n 1; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "runs per measurement: $runs (median); native: gcc -O2; wasm: clang-14 -O2 wasm32-wasi"
[ -n "$peer" ] && echo "peer: $peer"
echo

header="benchmark,native_s,burh_s,burh_ratio,burh_rss_kb,native_cpu_s,burh_cpu_s,burh_cpu_ratio"
[ -n "$peer" ] && header="$header,peer_s,peer_ratio,peer_cpu_s,peer_cpu_ratio"
echo "$header" >"$csv"
printf '%-11s %9s %9s %7s %9s %7s %9s' benchmark native_s burh_s ratio burh_cpu cpu_r burh_rss
[ -n "$peer" ] && printf ' %9s %7s %9s %7s' peer_s ratio peer_cpu cpu_r
echo

# ratio A B: A / B with two decimals, or NA when either is not a number.
ratio() {
    if [[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]] && awk -v b="$2" 'BEGIN {exit !(b > 0)}'; then
        awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'
    else
        echo NA
    fi
}

log_sum=0 count=0 peer_log_sum=0 peer_count=0 cpu_log_sum=0 peer_cpu_log_sum=0
for wasm in build/wasm/bench/*.wasm; do
    name=$(basename "$wasm" .wasm)
    native=build/native/bench/$name
    "$native" >"$out/$name.expected"
    read -r tn cn <<<"$(time_cmd "$out/$name.expected" "$native")"
    read -r tb cb <<<"$(time_cmd "$out/$name.expected" "$burh" run "$wasm")"
    rss=$(peak_rss_kb "$burh" run "$wasm")
    r=$(ratio "$tb" "$tn") rc=$(ratio "$cb" "$cn")
    if [ "$r" != NA ]; then
        log_sum=$(awk -v s="$log_sum" -v r="$r" 'BEGIN {print s + log(r)}'); count=$((count + 1))
        cpu_log_sum=$(awk -v s="$cpu_log_sum" -v r="$rc" 'BEGIN {print s + log(r > 0 ? r : 1)}')
    fi
    line="$name,$tn,$tb,$r,$rss,$cn,$cb,$rc"
    printf '%-11s %9s %9s %7s %9s %7s %9s' "$name" "$tn" "$tb" "$r" "$cb" "$rc" "$rss"
    if [ -n "$peer" ]; then
        read -r tp cp <<<"$(time_cmd "$out/$name.expected" "${peer_cmd[@]}" "$wasm")"
        pr=$(ratio "$tp" "$tn") prc=$(ratio "$cp" "$cn")
        if [ "$pr" != NA ]; then
            peer_log_sum=$(awk -v s="$peer_log_sum" -v r="$pr" 'BEGIN {print s + log(r)}')
            peer_count=$((peer_count + 1))
            peer_cpu_log_sum=$(awk -v s="$peer_cpu_log_sum" -v r="$prc" \
                'BEGIN {print s + log(r > 0 ? r : 1)}')
        fi
        printf ' %9s %7s %9s %7s' "$tp" "$pr" "$cp" "$prc"
        line="$line,$tp,$pr,$cp,$prc"
    fi
    echo
    echo "$line" >>"$csv"
done

if [ "$count" -gt 0 ]; then
    printf '\ngeometric mean of burh/native wall-clock ratios: %.2f (over %d benchmarks)\n' \
        "$(awk -v s="$log_sum" -v n="$count" 'BEGIN {print exp(s / n)}')" "$count"
    printf 'geometric mean of burh/native CPU-time ratios: %.2f\n' \
        "$(awk -v s="$cpu_log_sum" -v n="$count" 'BEGIN {print exp(s / n)}')"
fi
if [ -n "$peer" ] && [ "$peer_count" -gt 0 ]; then
    printf 'geometric mean of peer/native wall-clock ratios: %.2f (over %d benchmarks)\n' \
        "$(awk -v s="$peer_log_sum" -v n="$peer_count" 'BEGIN {print exp(s / n)}')" "$peer_count"
    printf 'geometric mean of peer/native CPU-time ratios: %.2f\n' \
        "$(awk -v s="$peer_cpu_log_sum" -v n="$peer_count" 'BEGIN {print exp(s / n)}')"
fi

# Start-up: hello world, many runs, with hyperfine when it is there.
hello_wasm=build/wasm/examples/hello.wasm
hello_native=build/native/examples/hello
if [ -f "$hello_wasm" ] && [ -x "$hello_native" ] && command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 5 --runs 100 --export-csv "$out/startup.csv" \
        "$hello_native" "$burh run $hello_wasm" >/dev/null 2>&1 || true
    if [ -s "$out/startup.csv" ]; then
        awk -F, 'NR == 2 {n = $3} NR == 3 {b = $3}
             END {printf "\nstart-up (hello, median of 100): native %.2f ms, burh %.2f ms, difference %.2f ms\n",
                  n * 1000, b * 1000, (b - n) * 1000}' "$out/startup.csv"
    fi
    printf 'peak RSS of burh run hello.wasm: %s KiB\n' "$(peak_rss_kb "$burh" run "$hello_wasm")"
fi

if command -v gnuplot >/dev/null; then
    gnuplot <<GP 2>/dev/null || true
set terminal pngcairo size 900,500 noenhanced
set output "$out/ratios.png"
set datafile separator ","
set style data histograms
set style fill solid 0.8
set logscale y
set ylabel "CPU time / native CPU time (log scale)"
set xtics rotate by -30
set key top left
plot "$csv" using 8:xtic(1) title "burh"$( [ -n "$peer" ] && echo ', "" using 12 title "peer"')
GP
    [ -f "$out/ratios.png" ] && echo "chart: $out/ratios.png"
fi
echo "csv: $csv"

# Load (decode + validate) + instantiate of a 1 MB module, in-process CPU time.
echo
echo "1 MB module:"
BIG_MODULE_QUICK=1 tests/engine/big-module.sh || echo "big-module: failed (see above)"

# Attestation verification throughput against bare OpenSSL, in the same run.
if [ -x scripts/bench-attest.sh ]; then
    echo
    scripts/bench-attest.sh || echo "bench-attest: failed (see above)"
fi

# The keep flow: deploy round trip, keeps per second, keepmgr memory per keep.
if [ -x scripts/bench-deploy.sh ]; then
    echo
    scripts/bench-deploy.sh || echo "bench-deploy: failed (see above)"
fi

# The kvm keep: boot time and a forwarded hostcall round trip (needs /dev/kvm).
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    echo
    make -s kvm-bench || echo "kvm-bench: failed (see above)"
    echo
    scripts/bench-kvm-run.sh || echo "bench-kvm-run: failed (see above)"
else
    echo "SKIP: /dev/kvm not usable; kvm benchmarks not run"
fi
