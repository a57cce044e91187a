#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (default 600), keeping corpora in build/fuzz/corpus.
set -u
cd "$(dirname "$0")/.."
secs=${1:-600}
status=0
for fz in build/fuzz/fuzz/fuzz_*; do
    [ -x "$fz" ] || continue
    name=$(basename "$fz")
    mkdir -p "build/fuzz/corpus/$name"
    seeds=()
    [ -d "fuzz/seeds/$name" ] && seeds=("fuzz/seeds/$name")
    echo "fuzz: $name for ${secs}s"
    "$fz" -max_total_time="$secs" -rss_limit_mb=4096 -timeout=10 -print_final_stats=1 \
        "build/fuzz/corpus/$name" "${seeds[@]}" 2>&1 | tail -n 12 || status=1
done
exit $status
