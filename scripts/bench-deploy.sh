#!/usr/bin/env bash
# bench-deploy.sh: keeps on loopback (nil backend): deploy round trip, keeps per second, keepmgr
# memory per live keep. Prints a table and writes build/bench/deploy.csv.
set -euo pipefail
cd "$(dirname "$0")/.."

B=${BURH_BUILD:-build/release}
MGR=$B/bin/burh-keepmgr LDR=$B/bin/burh-keepldr WASMLDR=$B/bin/burh-wasmldr
# keepmgr's and keepldr's own choices: the static builds when there are (they start sooner)
[ -x $B/bin/burh-keepldr-static ] && LDR=$B/bin/burh-keepldr-static
[ -x $B/bin/burh-wasmldr-static ] && WASMLDR=$B/bin/burh-wasmldr-static
DEPLOY=$B/bin/burh-deploy HELLO=build/wasm/examples/hello.wasm
RUNS=${BENCH_DEPLOY_RUNS:-50}   # deploy round trips (median)
CYCLES=${BENCH_KEEP_CYCLES:-50} # create + ready + delete cycles
LIVE=${BENCH_LIVE_KEEPS:-50}    # live keeps for the memory figure
for p in $MGR $LDR $WASMLDR $DEPLOY $HELLO; do
    [ -e "$p" ] || { echo "bench-deploy: missing $p (make all)" >&2; exit 1; }
done
out=build/bench
mkdir -p "$out"
work=$(mktemp -d /tmp/burh-bench-deploy.XXXXXX)
mgr_pid=
stop() {
    if [ -n "$mgr_pid" ]; then
        # keeps outlive keepmgr by design: end this run's keepldrs (its children) by group
        for pid in $(pgrep -P "$mgr_pid" 2>/dev/null); do kill -9 -- -"$pid" 2>/dev/null; done
        kill "$mgr_pid" 2>/dev/null
        wait "$mgr_pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap stop EXIT

now_ns() { date +%s%N; }
median_of() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

token=bench-token-0123456789abcdef
echo "$token" >"$work/token"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$MGR" --listen 127.0.0.1:$port --state-dir "$work/state" --token-file "$work/token" \
    --keepldr "$LDR" --wasmldr "$WASMLDR" --max-keeps $((LIVE + 8)) --log-level error \
    2>"$work/mgr.log" &
mgr_pid=$!
for _ in $(seq 100); do
    curl -s -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/platform" &&
        break
    sleep 0.05
done
url=http://127.0.0.1:$port
auth=(-H "Authorization: Bearer $token")

# ---- 1. deploy round trip: create -> verified -> output -> exit ----
"$DEPLOY" --host 127.0.0.1:$port --token-file "$work/token" --insecure-allow-backend nil \
    "$HELLO" >"$work/expect" 2>/dev/null
times=()
for ((i = 0; i < RUNS; i++)); do
    t0=$(now_ns)
    "$DEPLOY" --host 127.0.0.1:$port --token-file "$work/token" --insecure-allow-backend nil \
        "$HELLO" >"$work/last" 2>"$work/last.err" || { echo "deploy failed: $(cat "$work/last.err")"; exit 1; }
    t1=$(now_ns)
    cmp -s "$work/last" "$work/expect" || { echo "deploy output differs"; exit 1; }
    times+=($(((t1 - t0) / 1000)))
done
rt_ms=$(printf '%s\n' "${times[@]}" | median_of | awk '{printf "%.1f", $1 / 1000}')

# ---- 2. keeps per second: create, wait for ready, delete ----
# keep-create body: {"v":1,"nonce":16 bytes,"backend":"nil","memory_mib":63}
create() { # N -> keep id
    printf 'a4617601656e6f6e636550%032x676261636b656e64636e696c6a6d656d6f72795f6d6962183f' "$1" |
        xxd -r -p >"$work/req"
    curl -s -X POST "${auth[@]}" -H 'Content-Type: application/cbor' --data-binary @"$work/req" \
        "$url/v1/keeps" | grep -ao '[0-9a-f]\{32\}' | head -1
}
wait_ready() { # ID: a GET answer holds the text "ready" once it is
    for _ in $(seq 2000); do
        curl -s "${auth[@]}" "$url/v1/keeps/$1" | grep -aq ready && return 0
        sleep 0.002
    done
    echo "keep $1 never became ready" >&2
    return 1
}
t0=$(now_ns)
for ((i = 0; i < CYCLES; i++)); do
    id=$(create $((1000 + i)))
    wait_ready "$id"
    curl -s -o /dev/null -X DELETE "${auth[@]}" "$url/v1/keeps/$id"
done
t1=$(now_ns)
per_s=$(awk -v n=$CYCLES -v ns=$((t1 - t0)) 'BEGIN {printf "%.1f", n / (ns / 1e9)}')

# ---- 3. keepmgr memory: RSS with 0 and with $LIVE live keeps (ready, waiting) ----
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$mgr_pid/status"; }
rss0=$(rss_kb)
for ((i = 0; i < LIVE; i++)); do
    id=$(create $((5000 + i)))
    echo "$id" >>"$work/ids"
done
for id in $(cat "$work/ids"); do wait_ready "$id"; done
rssn=$(rss_kb)
per_keep=$(awk -v a=$rss0 -v b=$rssn -v n=$LIVE 'BEGIN {printf "%.1f", (b - a) / n}')
for id in $(cat "$work/ids"); do curl -s -o /dev/null -X DELETE "${auth[@]}" "$url/v1/keeps/$id"; done
: >"$work/ids"

machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
echo "machine: $machine; keepmgr, keepldr and burh-wasmldr on loopback, nil backend"
printf '%-44s %12s %s\n' "measure" "value" "unit"
printf '%-44s %12s %s\n' "deploy round trip, hello.wasm (median of $RUNS)" "$rt_ms" "ms (target < 50)"
printf '%-44s %12s %s\n' "keeps created+ready+deleted ($CYCLES in a row)" "$per_s" "keeps/s"
printf '%-44s %12s %s\n' "keepmgr RSS, 0 live keeps" "$rss0" "KiB"
printf '%-44s %12s %s\n' "keepmgr RSS, $LIVE live keeps" "$rssn" "KiB"
printf '%-44s %12s %s\n' "keepmgr memory per live keep" "$per_keep" "KiB"
{
    echo "measure,value,unit,machine"
    echo "deploy_round_trip_median,$rt_ms,ms,\"$machine\""
    echo "keeps_per_second,$per_s,keeps/s,\"$machine\""
    echo "keepmgr_rss_0_keeps,$rss0,KiB,\"$machine\""
    echo "keepmgr_rss_${LIVE}_keeps,$rssn,KiB,\"$machine\""
    echo "keepmgr_kib_per_keep,$per_keep,KiB,\"$machine\""
} >"$out/deploy.csv"
echo "written: $out/deploy.csv"
