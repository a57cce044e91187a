#!/usr/bin/env bash
# The keep demo: starts burh-keepmgr on loopback, deploys hello.wasm into a keep with the best
# backend this machine has, shows the program's output and what was verified, stops keepmgr.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=build/release/bin
app=${1:-build/wasm/examples/hello.wasm}
deploy=$bin/burh-deploy
[ -x "$deploy" ] || deploy="$bin/burh deploy"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Building burh, its keep programs and the examples"
make -s all VARIANT=release >/dev/null 2>&1 || make all VARIANT=release
make -s wasm-examples >/dev/null 2>&1 || make wasm-examples

work=$(mktemp -d /tmp/burh-demo-deploy.XXXXXX)
kpid=
cleanup() {
    [ -n "$kpid" ] && kill "$kpid" 2>/dev/null && wait "$kpid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/token" # throw-away token

step "Starting burh-keepmgr on 127.0.0.1 (a free port, bearer token, private state dir)"
$bin/burh-keepmgr --listen 127.0.0.1:0 --token-file "$work/token" --state-dir "$work/state" \
    --keepldr "$bin/burh-keepldr" --wasmldr "$bin/burh-wasmldr" --log-level warn >"$work/keepmgr.log" 2>&1 &
kpid=$!
port=
for _ in $(seq 100); do
    port=$(grep -oE 'listening addr=[^ ]+ port=[0-9]+' "$work/keepmgr.log" | grep -oE '[0-9]+$' || true)
    [ -n "$port" ] && break
    sleep 0.05
done
if [ -z "$port" ]; then # keepmgr logs "listening" at info; ask the kernel instead
    port=$(ss -ltnp 2>/dev/null | grep "pid=$kpid," | grep -oE '127\.0\.0\.1:[0-9]+' | head -1 | cut -d: -f2)
fi
[ -n "$port" ] || { echo "burh-keepmgr did not start:"; cat "$work/keepmgr.log"; exit 1; }
echo "burh-keepmgr is listening on 127.0.0.1:$port"

# The best backend: this release can only launch nil keeps, so nil it is, insecurely and loudly.
backend=nil
step "burh deploy $app (backend: $backend, allowed with --insecure-allow-backend $backend)"
set +e
$deploy --host "127.0.0.1:$port" --token-file "$work/token" --backend "$backend" \
    --insecure-allow-backend "$backend" --show-evidence "$app" 2>"$work/deploy.err"
status=$?
set -e
grep -v '^burh: verified evidence' "$work/deploy.err" | sed -n '/^{/,/^}/!p'

step "What was verified before the workload was sent"
claims=$(sed -n '/^{/,/^}/p' "$work/deploy.err")
field() { python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1" <<<"$claims" 2>/dev/null || echo "?"; }
if [ -n "$claims" ]; then
    checks=$(field '", ".join(d.get("failed_checks") or []) or "none"')
    printf '  %-26s %s\n' "evidence platform:" "$(field 'd.get("platform")')" \
        "keep backend:" "$(field 'd.get("backend")') (listed by keepmgr's /v1/platform: $(curl -s -H "Authorization: Bearer $(cat "$work/token")" "http://127.0.0.1:$port/v1/platform" | grep -aoE 'nil|kvm|snp|tdx' | sort -u | tr '\n' ' '))" \
        "measurement:" "$(field 'd.get("measurement")' | cut -c1-32)... (nil: no launch measurement)" \
        "signed:" "$(field 'd.get("signed")')" \
        "nonce (fresh, ours):" "$(field 'd["ratls"].get("nonce")')" \
        "pubkey hash:" "$(field 'd["ratls"].get("pubkey_hash")') = SHA-256 of the TLS key" \
        "report_data binding:" "$(field 'd.get("report_data")' | cut -c1-32)... = SHA-256(claims) || 32 zero bytes" \
        "policy decision:" "$(field 'd.get("status")'); failed checks: $checks" \
        "policy exception:" "backend nil allowed only by --insecure-allow-backend nil"
    echo "  The keep's key was made inside it and never left; TLS 1.3 proved possession."
    echo "  NOT protected on nil: memory is readable and writable by the host."
else
    echo "  (no claims: the deployment failed before or during verification)"
fi
echo
echo "exit status of the workload: $status"
exit "$status"
