#!/usr/bin/env bash
# kvm-keep.sh: burh-wasmldr-static in a kvm keep: boot, status records, RA-TLS deploy of hello,
# the launch digest (keepldr == `burh measure` == the evidence), and clear boot failures.
set -u
cd "$(dirname "$0")/../.."
build=${BURH_BUILD:-build/release}
bin=$build/bin
ldr=$bin/burh-keepldr
wasm=build/wasm/examples
nonce=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
passed=0 failed=0 skipped=0
tmp=$(mktemp -d)
kpid=
cleanup() { [ -n "$kpid" ] && kill "$kpid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

for f in "$ldr" "$bin/burh-shim.elf" "$bin/burh-wasmldr-static" "$bin/burh-deploy" \
    "$wasm/hello.wasm"; do
    if [ ! -e "$f" ]; then
        echo "FAIL: $f is missing (run: make all tests, and the Wasm examples)"
        echo "0 passed, 1 failed"
        exit 1
    fi
done
if ! why=$("$ldr" --probe 2>&1); then
    echo "=================================================================="
    echo "SKIP: /dev/kvm not usable: $why"
    echo "=================================================================="
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; [ -f "$2" ] && sed 's/^/     | /' "$2" | tail -8; }
skip() { skipped=$((skipped + 1)); echo "SKIP $1"; }

# start_keep [keepldr options]: a kvm keep running burh-wasmldr-static; sets kpid and port.
start_keep() {
    : >"$tmp/keep.err"
    "$ldr" --backend kvm --nonce "$nonce" --status-fd 3 --listen 127.0.0.1:0 --timing \
        --time-limit 300000 "$@" 3>"$tmp/status" 2>"$tmp/keep.err" </dev/null &
    kpid=$!
    port=
    for _ in $(seq 600); do
        port=$(grep -oE 'listening on port: [0-9]+' "$tmp/keep.err" | grep -oE '[0-9]+$')
        [ -n "$port" ] && return 0
        kill -0 "$kpid" 2>/dev/null || break
        sleep 0.1
    done
    return 1
}

if start_keep; then
    ok "burh-wasmldr-static boots in a kvm keep and listens on host port $port"
else
    bad "burh-wasmldr-static boots in a kvm keep" "$tmp/keep.err"
fi
# The relayed "ready" record: CBOR {"event": "ready", "port": N}, checked by keepldr first.
if [ -n "$port" ] && grep -q ready "$tmp/status"; then
    ok "status record 'ready' relayed from guest fd 3"
else
    bad "status record 'ready' relayed" "$tmp/keep.err"
fi

if [ -n "$port" ]; then
    timeout 120 "$bin/burh-deploy" --direct "127.0.0.1:$port" --direct-nonce "$nonce" \
        --insecure-allow-backend kvm --show-evidence \
    "$wasm/hello.wasm" \
        >"$tmp/deploy.out" 2>"$tmp/deploy.err" </dev/null
    rc=$?
    if [ "$rc" -eq 0 ] && grep -qi hello "$tmp/deploy.out"; then
        ok "hello deployed over RA-TLS runs in the kvm keep"
    else
        bad "hello deployed over RA-TLS (status $rc)" "$tmp/deploy.err"
    fi
fi
[ -n "$kpid" ] && kill "$kpid" 2>/dev/null && wait "$kpid" 2>/dev/null
kpid=
if grep -q exit "$tmp/status"; then
    ok "keepldr sends the final 'exit' record"
else
    bad "keepldr sends the final 'exit' record" "$tmp/keep.err"
fi

# The launch digest: keepldr's, `burh measure`'s and the evidence's must agree.
digest=$(sed -n 's/.*launch digest \([0-9a-f]\{96\}\).*/\1/p' "$tmp/keep.err" | head -1)
if [ -z "$digest" ]; then
    bad "keepldr reports the launch digest" "$tmp/keep.err"
elif "$bin/burh" measure --help >/dev/null 2>&1; then
    m=$("$bin/burh" measure --backend kvm 2>"$tmp/measure.err")
    if [ "$m" = "$digest" ]; then
        ok "burh measure == keepldr's launch digest"
    else
        echo "     burh measure: $m, keepldr: $digest" >>"$tmp/measure.err"
        bad "burh measure == keepldr's launch digest" "$tmp/measure.err"
    fi
    m2=$("$bin/burh" measure --backend kvm --mem 128 2>/dev/null)
    if [ -n "$m2" ] && [ "$m2" != "$digest" ]; then
        ok "burh measure: the memory size is measured"
    else
        bad "burh measure: the memory size is measured" "$tmp/measure.err"
    fi
else
    skip "burh measure == keepldr's digest: 'burh measure' is not wired into burh yet"
fi
if [ -n "$digest" ] && [ -f "$tmp/deploy.err" ]; then
    if grep -qi "$digest" "$tmp/deploy.err"; then
        ok "the kvm evidence carries the launch digest"
    else
        skip "the kvm evidence carries the launch digest: burh-wasmldr does not read it yet"
    fi
fi

# The engine's guard-page bounds checks in the keep: an out-of-bounds load faults on a
# PROT_NONE page, the shim delivers SIGSEGV to the engine's handler, the workload traps cleanly
# and the keep lives on to exit normally. Its syscall counters come out with --syscall-stats.
wat2wasm -o "$tmp/oob.wasm" - <<<'(module (memory (export "memory") 1)
    (func (export "_start") (drop (i32.load (i32.const 65535)))))' 2>/dev/null
if [ ! -s "$tmp/oob.wasm" ]; then
    skip "guard-page trap in the keep: wat2wasm is missing"
elif start_keep --env BURH_BOUNDS=guard --debug-console --syscall-stats "$tmp/stats"; then
    timeout 120 "$bin/burh-deploy" --direct "127.0.0.1:$port" --direct-nonce "$nonce" \
        --insecure-allow-backend kvm "$tmp/oob.wasm" >"$tmp/deploy.out" 2>"$tmp/deploy.err" \
        </dev/null
    sleep 0.5
    kill "$kpid" 2>/dev/null && wait "$kpid" 2>/dev/null
    kpid=
    cat "$tmp/deploy.err" >>"$tmp/keep.err"
    if grep -q 'trap: out of bounds memory access' "$tmp/deploy.err" &&
        grep -q 'signal 11 for vector 14' "$tmp/keep.err" &&
        grep -q 'payload exited with status' "$tmp/keep.err"; then
        ok "BURH_BOUNDS=guard: out-of-bounds load -> SIGSEGV in the keep -> Wasm trap"
    else
        bad "BURH_BOUNDS=guard: out-of-bounds load -> SIGSEGV -> Wasm trap" "$tmp/keep.err"
    fi
    if head -1 "$tmp/stats" | grep -qE '^# burh kvm syscalls: [0-9]+ distinct, [0-9]+ calls$' &&
        grep -q '^accept4 forwarded [0-9]' "$tmp/stats" &&
        grep -q '^rt_sigaction served [0-9]' "$tmp/stats"; then
        ok "--syscall-stats of a wasmldr keep: header, accept4 forwarded, rt_sigaction served"
    else
        bad "--syscall-stats of a wasmldr keep" "$tmp/stats"
    fi
else
    bad "keep with BURH_BOUNDS=guard boots" "$tmp/keep.err"
fi

# Boot failures end with a clear message and an 'exit' record.
"$ldr" --backend kvm --nonce "$nonce" --status-fd 3 --wasmldr "$tmp/none" 3>"$tmp/status" \
    2>"$tmp/err" </dev/null
rc=$?
if [ "$rc" -eq 125 ] && grep -q 'burh-wasmldr-static not found' "$tmp/err"; then
    ok "missing burh-wasmldr-static: clear error"
else
    bad "missing burh-wasmldr-static: clear error (status $rc)" "$tmp/err"
fi
if [ -x "$bin/burh-wasmldr" ]; then
    "$ldr" --backend kvm --nonce "$nonce" --status-fd 3 --wasmldr "$bin/burh-wasmldr" \
        3>"$tmp/status" 2>"$tmp/err" </dev/null
    rc=$?
    if [ "$rc" -eq 125 ] && grep -q 'build with -static' "$tmp/err" &&
        grep -q 'build with -static' "$tmp/status"; then
        ok "dynamic burh-wasmldr refused, reason in the 'exit' record"
    else
        bad "dynamic burh-wasmldr refused (status $rc)" "$tmp/err"
    fi
fi
"$ldr" --backend kvm --nonce "$nonce" 2>"$tmp/err" </dev/null
rc=$?
if [ "$rc" -eq 125 ] && grep -q 'status-fd' "$tmp/err"; then
    ok "no --status-fd: clear error"
else
    bad "no --status-fd: clear error (status $rc)" "$tmp/err"
fi
"$ldr" --backend kvm --nonce "$nonce" --status-fd 3 "$build/kvm/hello" 3>/dev/null \
    2>"$tmp/err" </dev/null
rc=$?
if [ "$rc" -eq 125 ] && grep -q 'runs burh-wasmldr-static' "$tmp/err"; then
    ok "--nonce with an ELF argument refused"
else
    bad "--nonce with an ELF argument refused (status $rc)" "$tmp/err"
fi

# --mem-limit (wasmldr's cap on linear memory) belongs to the wasmldr keep and has a range.
"$ldr" --backend kvm --mem-limit 64 "$build/kvm/hello" 2>"$tmp/err" </dev/null
rc=$?
"$ldr" --backend kvm --nonce "$nonce" --status-fd 3 --mem-limit 8 3>/dev/null \
    2>>"$tmp/err" </dev/null
rc2=$?
if [ "$rc" -eq 125 ] && [ "$rc2" -eq 125 ] && grep -q 'applies to a wasmldr keep' "$tmp/err" &&
    grep -q 'mem-limit must be 16..4096' "$tmp/err"; then
    ok "--mem-limit: refused for an ELF keep and out of range"
else
    bad "--mem-limit: refused for an ELF keep and out of range (status $rc, $rc2)" "$tmp/err"
fi

# The whole flow: keepmgr starts a kvm keep, burh deploy verifies it and runs hello in it.
head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$tmp/token"
mport=$((20000 + RANDOM % 20000))
"$bin/burh-keepmgr" --listen "127.0.0.1:$mport" --token-file "$tmp/token" \
    --state-dir "$tmp/state" 2>"$tmp/keepmgr.log" &
mpid=$!
for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$mport/v1/platform" && break
    sleep 0.1
done
timeout 120 "$bin/burh" deploy --host "127.0.0.1:$mport" --token-file "$tmp/token" \
    --backend kvm --insecure-allow-backend kvm --show-evidence \
    "$wasm/hello.wasm" \
    >"$tmp/mgr.out" 2>"$tmp/mgr.err" </dev/null
rc=$?
if [ "$rc" -eq 0 ] && grep -qi hello "$tmp/mgr.out" && grep -q '"platform": "kvm"' "$tmp/mgr.err" &&
    { [ -z "$digest" ] || grep -qi "$digest" "$tmp/mgr.err"; }; then
    ok "burh deploy --backend kvm through keepmgr: verified kvm evidence, hello runs"
else
    bad "burh deploy --backend kvm through keepmgr (status $rc)" "$tmp/mgr.err"
fi
kill "$mpid" 2>/dev/null
wait "$mpid" 2>/dev/null

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
