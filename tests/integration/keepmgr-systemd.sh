#!/usr/bin/env bash
# keepmgr-systemd.sh: `burh-keepmgr --launcher systemd` end to end, where systemd itself does not
# run (this CI): in a private mount namespace /run/systemd/system exists, and a stand-in
# systemd-run on PATH records its arguments and runs the command after `--` in place, as
# `systemd-run --scope` does. What this proves: keepmgr's scope command line (unit name,
# MemoryMax, --scope keeping our pid and fd 3) and that a keep deployed through it works. What
# it cannot: systemd's own cgroup handling (say so loudly below).
set -u
cd "$(dirname "$0")/../.."
B=${BURH_BUILD:-build/release}
MGR=$B/bin/burh-keepmgr LDR=$B/bin/burh-keepldr BURH=$B/bin/burh EX=build/wasm/examples
passed=0 failed=0 skipped=0
finish() { echo "$passed passed, $failed failed, $skipped skipped"; [ "$failed" -eq 0 ]; exit $?; }
skip() { echo "SKIP: $*"; skipped=$((skipped + 1)); finish; }
for p in $MGR $LDR $BURH $EX/hello.wasm; do
    [ -e "$p" ] || { echo "missing $p (make all)"; failed=1; finish; }
done
[ "$(id -u)" = 0 ] || skip "--launcher systemd NOT tested: needs root for a private mount namespace"
command -v unshare >/dev/null || skip "--launcher systemd NOT tested: no unshare(1)"
unshare -m true 2>/dev/null || skip "--launcher systemd NOT tested: cannot make a mount namespace"
echo "NOTE: systemd itself is not running here: a stand-in systemd-run is used;" \
    "systemd's own scope/cgroup handling is NOT exercised"

WORK=$(mktemp -d /tmp/burh-keepmgr-systemd.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/bin"
cat >"$WORK/bin/systemd-run" <<'STUB'
#!/bin/sh
# Stand-in for systemd-run --scope: record the arguments, then run the command in place.
printf '%s\n' "$@" >>"$SYSTEMD_RUN_LOG"
while [ $# -gt 0 ] && [ "$1" != "--" ]; do shift; done
[ $# -gt 0 ] || { echo "systemd-run stand-in: no --" >&2; exit 1; }
shift
exec "$@"
STUB
chmod +x "$WORK/bin/systemd-run"
echo "0123456789abcdef-systemd-token" >"$WORK/token"

# Inside the namespace: fake /run/systemd/system, start keepmgr, deploy hello, stop.
W="$WORK" MGR="$MGR" BURH="$BURH" EX="$EX" unshare -m --propagation private sh -c '
    mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system || exit 90
    port=$(python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); print(s.getsockname()[1])")
    PATH="$W/bin:$PATH" SYSTEMD_RUN_LOG="$W/args" "$MGR" --listen 127.0.0.1:$port \
        --state-dir "$W/state" --token-file "$W/token" --launcher systemd >"$W/mgr.log" 2>&1 &
    mgr=$!
    for _ in $(seq 50); do grep -q "listening" "$W/mgr.log" && break; sleep 0.1; done
    "$BURH" deploy --host 127.0.0.1:$port --token-file "$W/token" --backend nil \
        --insecure-allow-backend nil --memory 128 "$EX/hello.wasm" >"$W/out" 2>"$W/err"
    echo $? >"$W/rc"
    kill $mgr; wait $mgr 2>/dev/null
    exit 0
' 2>"$WORK/ns.err"
ns_rc=$?
if [ "$ns_rc" = 90 ]; then
    sed 's/^/     /' "$WORK/ns.err"
    skip "--launcher systemd NOT tested: cannot mount a tmpfs on /run in a namespace"
fi

check() { # NAME COMMAND...
    local name=$1; shift
    if "$@"; then
        passed=$((passed + 1)); echo "ok   $name"
    else
        failed=$((failed + 1)); echo "FAIL $name"
        for f in mgr.log err args; do [ -f "$WORK/$f" ] && sed "s/^/     $f: /" "$WORK/$f" | tail -8; done
    fi
}
check "deploy through a systemd-launched keep exits 0" test "$(cat "$WORK/rc" 2>/dev/null)" = 0
check "the program's output came back" grep -q "Hello from WebAssembly" "$WORK/out"
check "keepldr was started by systemd-run --scope" grep -qx -- "--scope" "$WORK/args"
check "the scope unit is named after the keep" grep -Eqx -- "--unit=burh-keep-[0-9a-f]+" "$WORK/args"
check "MemoryMax is the keep's memory + 64 MiB" grep -qx -- "--property=MemoryMax=192M" "$WORK/args"
check "the command after -- is burh-keepldr" sh -c "sed -n '/^--\$/{n;p;q}' '$WORK/args' | grep -q 'burh-keepldr'"
finish
