#!/usr/bin/env bash
# Tests burh-wasmldr and `burh deploy` with real processes on loopback: the happy path against
# `burh run`, every attestation refusal (with proof that no workload byte arrived), bad
# requests, traps and limits as frames, and (when keepmgr works) the whole keepmgr path.
set -u
cd "$(dirname "$0")/../.."
root=$PWD
bin=$root/${BURH_BUILD:-build/release}/bin
wasm=$root/build/wasm/examples
scratch=$root/build/test-scratch/deploy
wasmldr=$bin/burh-wasmldr
deploy=$bin/burh-deploy
nonce=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }
skip() { skipped=$((skipped + 1)); echo "SKIP $1: $2"; }

if [ ! -x "$wasmldr" ] || [ ! -x "$deploy" ] || [ ! -f "$wasm/hello.wasm" ]; then
    echo "FAIL: burh-wasmldr, burh-deploy or the Wasm examples are not built"
    echo "0 passed, 1 failed"
    exit 1
fi
rm -rf "$scratch"
mkdir -p "$scratch"
out=$scratch/stdout err=$scratch/stderr log=$scratch/wasmldr.log record=$scratch/record
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT

# start_keep [ENV=V...] -- [wasmldr options]: starts wasmldr directly; sets wpid and port.
start_keep() {
    local envs=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    : >"$log"
    env "${envs[@]}" BURH_WASMLDR_RECORD="$record" \
        "$wasmldr" --backend nil --nonce "$nonce" --listen 127.0.0.1:0 "$@" 2>"$log" &
    wpid=$!
    pids+=("$wpid")
    port=
    for _ in $(seq 100); do
        port=$(grep -oE 'listening on port: [0-9]+' "$log" | grep -oE '[0-9]+$')
        [ -n "$port" ] && return 0
        sleep 0.05
    done
    echo "wasmldr did not start: $(cat "$log")"
    return 1
}

# received: decrypted request bytes the running keep has seen so far.
received() { sed 's/^0*//; s/^$/0/' "$record"; }

# run_deploy [deploy options...]: against the keep from start_keep; rc in $rc.
run_deploy() {
    timeout 60 "$deploy" --direct "127.0.0.1:$port" --direct-nonce "$nonce" "$@" \
        >"$out" 2>"$err" </dev/null
    rc=$?
}

# same_as_run NAME APP ARGS...: deploy's stdout and status equal `burh run`'s.
same_as_run() {
    local name=$1 app=$2
    shift 2
    "$bin/burh" run "$wasm/$app" "$@" >"$scratch/run.out" 2>/dev/null </dev/null
    local want=$?
    start_keep -- || { fail "$name" "no keep"; return; }
    run_deploy --insecure-allow-backend nil "$wasm/$app" -- "$@"
    if [ "$rc" -ne "$want" ]; then
        fail "$name" "exit $rc, burh run gave $want; $(head -c 300 "$err")"
    elif ! cmp -s "$out" "$scratch/run.out"; then
        fail "$name" "stdout differs from burh run ($(wc -c <"$out") vs $(wc -c <"$scratch/run.out") bytes)"
    else
        pass "$name"
    fi
    wait "$wpid"
    local kept=$?
    [ "$kept" -eq "$want" ] && pass "$name: wasmldr exits $want" ||
        fail "$name: wasmldr exit" "$kept, wanted $want"
}

# expect_rc NAME WANT STDERR-REGEX: checks the last deploy.
expect_rc() {
    if [ "$rc" -ne "$2" ]; then
        fail "$1" "exit $rc, wanted $2; $(head -c 400 "$err")"
    elif [ -n "$3" ] && ! grep -Eq -- "$3" "$err"; then
        fail "$1" "stderr lacks /$3/: $(head -c 400 "$err")"
    else
        pass "$1"
    fi
}

# ---- the happy path, compared with burh run ----
same_as_run "hello" hello.wasm
same_as_run "exit code and args" exitcode.wasm 7
same_as_run "exit() with buffered output" exitcode.wasm 3 via-exit
same_as_run "5 MB of output streamed" bigout.wasm 5

start_keep -- && run_deploy --insecure-allow-backend nil --env GREETING=hi "$wasm/echo.wasm" -- one two
expect_rc "echo with env" 0 ""
grep -q "one" "$out" && pass "echo: arguments arrive" || fail "echo: arguments" "$(head -c 200 "$out")"
grep -q "WARNING: INSECURE NIL KEEP" "$err" && pass "insecure warning shown" ||
    fail "insecure warning" "missing"
wait "$wpid"

start_keep -- && run_deploy --insecure-allow-backend nil --show-evidence "$wasm/hello.wasm"
expect_rc "--show-evidence" 0 '"nonce": "'"$nonce"'"'
wait "$wpid"

# files and secrets land in the guest's in-memory file system
echo "tenant data" >"$scratch/in.txt"
echo "hunter2" >"$scratch/pw"
start_keep -- && run_deploy --insecure-allow-backend nil --file "$scratch/in.txt::/data/in.txt" \
    --secret db-password="$scratch/pw" "$wasm/fileio.wasm" -- /data
expect_rc "files: fileio in /data" 0 ""
grep -q "in.txt" "$out" && pass "files: the guest lists the tenant's file" ||
    fail "files: listing" "$(head -c 300 "$out")"
wait "$wpid"

# ---- traps, limits and bad modules arrive as frames ----
start_keep -- && run_deploy --insecure-allow-backend nil "$wasm/trap.wasm"
expect_rc "trap frame" 125 "^burh: trap: unreachable"
grep -q "about to trap" "$out" && pass "output before the trap" || fail "output before trap" "lost"
wait "$wpid"; [ $? -eq 125 ] && pass "wasmldr exit after trap" || fail "wasmldr exit after trap" "not 125"

start_keep -- --time-limit 1 && start=$(date +%s) && run_deploy --insecure-allow-backend nil "$wasm/spin.wasm"
expect_rc "time limit (spinning)" 124 "resources: time limit of 1 s"
[ $(($(date +%s) - start)) -le 5 ] && pass "time limit prompt" || fail "time limit" "slow"
wait "$wpid"

start_keep -- --time-limit 1 && start=$(date +%s) && run_deploy --insecure-allow-backend nil "$wasm/sleeper.wasm" 100
expect_rc "time limit (blocked in sleep)" 124 "time limit"
[ $(($(date +%s) - start)) -le 5 ] && pass "sleep interrupted promptly" || fail "sleep" "not interrupted"
wait "$wpid"

start_keep -- --mem-limit 16 && run_deploy --insecure-allow-backend nil "$wasm/memhog.wasm" 64
[ "$rc" -ne 0 ] && pass "memory limit holds (exit $rc)" || fail "memory limit" "memhog succeeded"
wait "$wpid"

printf '\0asm\1\0\0\0\xff\xff' >"$scratch/bad.wasm"
start_keep -- && run_deploy --insecure-allow-backend nil "$scratch/bad.wasm"
expect_rc "bad module frame" 126 "^burh: bad_module: "
wait "$wpid"

# ---- attestation refusals: nothing reaches the keep ----
# refused NAME CHECK-REGEX WANT-RC [ENV=V...] -- [deploy options]
refused() {
    local name=$1 check=$2 want=$3
    shift 3
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    start_keep "${envs[@]}" -- || { fail "$name" "no keep"; return; }
    run_deploy "$@" "$wasm/hello.wasm"
    expect_rc "$name: refused" "$want" "$check"
    local got
    got=$(received)
    [ "$got" = 0 ] && pass "$name: 0 workload bytes reached the keep" ||
        fail "$name: bytes reached the keep" "$got"
    kill "$wpid" 2>/dev/null
    wait "$wpid" 2>/dev/null
}
echo '{"snp": {"measurement": ["'"$(printf '00%.0s' $(seq 48))"'"]}}' >"$scratch/policy.json"
refused "nil without --insecure-allow-backend" "FAILED nil.unsigned" 5 -- 
refused "wrong nonce (keep)" "FAILED ratls.nonce" 5 BURH_WASMLDR_TEST_FAULT=wrong-nonce -- \
    --insecure-allow-backend nil
refused "wrong key" "FAILED ratls.pubkey_hash" 5 BURH_WASMLDR_TEST_FAULT=wrong-key -- \
    --insecure-allow-backend nil
refused "debug evidence" "FAILED snp.policy.debug" 5 BURH_WASMLDR_TEST_FAULT=debug-snp -- \
    --policy "$scratch/policy.json"
grep -q "FAILED policy.measurement" "$err" && pass "wrong measurement named" ||
    fail "wrong measurement" "not among the failed checks: $(head -c 600 "$err")"
start_keep -- && timeout 30 "$deploy" --direct "127.0.0.1:$port" --direct-nonce "ff${nonce:2}" \
    --insecure-allow-backend nil "$wasm/hello.wasm" >"$out" 2>"$err"
rc=$?
expect_rc "wrong nonce (client expects another)" 5 "FAILED ratls.nonce"
[ "$(received)" = 0 ] && pass "wrong nonce: 0 bytes reached the keep" || fail "wrong nonce bytes" "$(received)"
kill "$wpid"; wait "$wpid" 2>/dev/null

# ---- bad requests straight to wasmldr (curl -k: a raw client that skips attestation) ----
# http NAME WANT-STATUS WANT-CODE [curl args]: one request to the running keep.
http() {
    local name=$1 want=$2 code=$3
    shift 3
    local got
    got=$(curl -sk -o "$scratch/body" -w '%{http_code}' --max-time 20 "$@")
    if [ "$got" != "$want" ]; then
        fail "$name" "HTTP $got, wanted $want"
    elif [ -n "$code" ] && ! grep -aq "$code" "$scratch/body"; then
        fail "$name" "body lacks CBOR error code $code: $(head -c 100 "$scratch/body" | od -c | head -3)"
    else
        pass "$name"
    fi
}
start_keep -- --max-body 1 --read-timeout 1
url=https://127.0.0.1:$port/v1/workload
http "unknown path 404" 404 not_found "https://127.0.0.1:$port/v1/other"
http "GET 405" 405 method_not_allowed "$url"
http "no content type 415" 415 unsupported_media -X POST --data-binary garbage -H 'Content-Type:' "$url"
http "garbage body 400" 400 bad_request -X POST --data-binary garbage -H 'Content-Type: application/cbor' "$url"
head -c 2000000 /dev/zero >"$scratch/big"
http "oversized body 413" 413 too_large -X POST --data-binary @"$scratch/big" -H 'Content-Type: application/cbor' "$url"
python3 - "$port" >"$scratch/huge.out" 2>&1 <<'EOF'
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5))
s.sendall(b"POST /v1/workload HTTP/1.1\r\nHost: k\r\nContent-Type: application/cbor\r\n"
          b"Content-Length: 1000000000\r\n\r\n")
out = b""
try:
    while True:
        c = s.recv(4096)
        if not c:
            break
        out += c
except (ssl.SSLError, OSError):
    pass
sys.exit(0 if out.startswith(b"HTTP/1.1 413") and b"too_large" in out else 1)
EOF
[ $? = 0 ] && pass "1 GB Content-Length, no body sent: CBOR 413 at once" ||
    fail "1 GB Content-Length" "$(head -c 300 "$scratch/huge.out")"
python3 - "$port" >"$scratch/slow.out" 2>&1 <<'EOF'
import socket, ssl, sys, time
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
def conn():
    return ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))))
# truncated: promises 1000 bytes, sends 10, hangs up
s = conn()
s.sendall(b"POST /v1/workload HTTP/1.1\r\nHost: k\r\nContent-Type: application/cbor\r\n"
          b"Content-Length: 1000\r\n\r\n0123456789")
s.close()
# slow: half a request line, then silence; the keep must cut us off
s = conn()
s.sendall(b"POST /v1/work")
start = time.time()
s.settimeout(10)
try:
    data = s.recv(100)
except Exception as e:
    data = repr(e).encode()
print("slow client cut off after %.1f s: %r" % (time.time() - start, data[:40]))
# silent in the TLS handshake: a TCP connection that never says hello, then half a hello
for first in (b"", b"\x16\x03\x01\x00\x50"):
    raw = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    raw.sendall(first)
    raw.settimeout(10)
    start = time.time()
    try:
        raw.recv(10)
    except Exception:
        pass
    print("handshake staller cut off after %.1f s" % (time.time() - start))
EOF
grep -qE "slow client cut off after [0-4]\." "$scratch/slow.out" && pass "slow client cut off" ||
    fail "slow client" "$(cat "$scratch/slow.out")"
[ "$(grep -cE "handshake staller cut off after [0-4]\." "$scratch/slow.out")" = 2 ] &&
    pass "clients stalling the TLS handshake cut off" || fail "handshake stall" "$(cat "$scratch/slow.out")"
kill -0 "$wpid" 2>/dev/null && pass "keep survives bad requests" || fail "keep" "died on bad requests"
run_deploy --insecure-allow-backend nil "$wasm/hello.wasm"
expect_rc "a good workload after all that" 0 ""
wait "$wpid"

start_keep --
(run_deploy --insecure-allow-backend nil "$wasm/sleeper.wasm" 2) &
dpid=$!
sleep 0.7
http "second workload 409" 409 busy -X POST --data-binary x -H 'Content-Type: application/cbor' \
    "https://127.0.0.1:$port/v1/workload"
wait "$dpid"
wait "$wpid"

# a program quiet for longer than the read timeout is not an idle client
start_keep -- --read-timeout 1 && run_deploy --insecure-allow-backend nil "$wasm/sleeper.wasm" 3
expect_rc "quiet program outlives --read-timeout" 0 ""
wait "$wpid"

# the client vanishes mid-run: the keep stops the guest and ends
start_keep --
"$deploy" --direct "127.0.0.1:$port" --direct-nonce "$nonce" --insecure-allow-backend nil \
    "$wasm/sleeper.wasm" 60 >/dev/null 2>&1 &
dpid=$!
sleep 1
kill -KILL "$dpid"
start=$(date +%s)
wait "$wpid"
kept=$?
[ $(($(date +%s) - start)) -le 5 ] && [ "$kept" -eq 1 ] && pass "client gone: keep ends (exit 1)" ||
    fail "client gone" "keep exit $kept after $(($(date +%s) - start)) s"
wait "$dpid" 2>/dev/null

# SIGTERM mid-run: a clean end, and the client says the answer broke off
start_keep --
(run_deploy --insecure-allow-backend nil "$wasm/sleeper.wasm" 60; echo "$rc" >"$scratch/rc") &
dpid=$!
sleep 1
kill -TERM "$wpid"
wait "$wpid"
kept=$?
wait "$dpid"
[ "$kept" -eq 1 ] && [ "$(cat "$scratch/rc")" = 4 ] && grep -q "broke off" "$err" &&
    pass "SIGTERM mid-run" || fail "SIGTERM mid-run" "keep $kept, deploy $(cat "$scratch/rc")"

# ---- through burh-keepmgr and burh-keepldr ----
if [[ "$bin" == *asan* ]]; then
    skip "through keepmgr" "ASan's runtime makes system calls the nil sandbox forbids"
elif [ -x "$bin/burh-keepmgr" ] && [ -x "$bin/burh-keepldr" ]; then
    echo "test-token-$$-$RANDOM-$RANDOM" >"$scratch/token"
    "$bin/burh-keepmgr" --listen 127.0.0.1:0 --token-file "$scratch/token" \
        --state-dir "$scratch/keepmgr-state" --wasmldr "$wasmldr" >"$scratch/keepmgr.log" 2>&1 &
    kpid=$!
    pids+=("$kpid")
    kport=
    for _ in $(seq 100); do
        kport=$(grep -oE 'listening addr=[^ ]+ port=[0-9]+' "$scratch/keepmgr.log" | grep -oE '[0-9]+$')
        [ -n "$kport" ] && break
        sleep 0.05
    done
    if [ -z "$kport" ]; then
        skip "through keepmgr" "keepmgr did not report its port: $(head -c 200 "$scratch/keepmgr.log")"
    else
        timeout 60 "$deploy" --host "127.0.0.1:$kport" --token-file "$scratch/token" \
            --insecure-allow-backend nil "$wasm/exitcode.wasm" -- 5 >"$out" 2>"$err"
        rc=$?
        expect_rc "through keepmgr: exit code" 5 ""
        grep -q "exiting with 5" "$out" && pass "through keepmgr: output" ||
            fail "through keepmgr: output" "$(head -c 300 "$out")"
        timeout 60 "$deploy" --host "127.0.0.1:$kport" --token-file "$scratch/token" \
            "$wasm/hello.wasm" >"$out" 2>"$err"
        rc=$?
        expect_rc "through keepmgr: nil refused without the flag" 5 ""
        timeout 60 "$deploy" --host "127.0.0.1:$kport" --insecure-allow-backend nil \
            "$wasm/hello.wasm" >"$out" 2>"$err"
        rc=$?
        expect_rc "through keepmgr: no token" 3 "unauthorized"
        # keep-create's time_limit_s, passed by keepmgr and keepldr to wasmldr
        start=$(date +%s)
        timeout 60 "$deploy" --host "127.0.0.1:$kport" --token-file "$scratch/token" \
            --insecure-allow-backend nil --time-limit 1 "$wasm/sleeper.wasm" 30 >"$out" 2>"$err"
        rc=$?
        expect_rc "through keepmgr: --time-limit 1" 124 "time limit of 1 s exceeded"
        [ $(($(date +%s) - start)) -lt 10 ] && pass "through keepmgr: time limit ends it early" ||
            fail "through keepmgr: time limit" "took $(($(date +%s) - start)) s"
    fi
    kill "$kpid" 2>/dev/null
    wait "$kpid" 2>/dev/null
else
    skip "through keepmgr" "burh-keepmgr or burh-keepldr not built"
fi
timeout 10 "$deploy" --host 127.0.0.1:1 --insecure-allow-backend nil "$wasm/hello.wasm" >"$out" 2>"$err"
rc=$?
expect_rc "keepmgr unreachable" 3 "unreachable"

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
