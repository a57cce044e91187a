#!/usr/bin/env bash
# Tests `burh run` as a user meets it: exit statuses, messages, limits, --env, --dir, output.
set -u
cd "$(dirname "$0")/../.."
root=$PWD
burh=$root/${BURH_BUILD:-build/release}/bin/burh
wasm=$root/build/wasm/examples
native=$root/build/native/examples
scratch=$root/build/test-scratch/run

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }

if [ ! -x "$burh" ] || ! make -s wasm-examples >/dev/null; then
    echo "FAIL: burh or the examples are not built"
    echo "0 passed, 1 failed"
    exit 1
fi
rm -rf "$scratch"
mkdir -p "$scratch"
out=$scratch/stdout err=$scratch/stderr

# expect NAME STATUS STDERR-REGEX -- COMMAND...: runs COMMAND, checks status and stderr.
expect() {
    local name=$1 want=$2 pattern=$3
    shift 4
    "$@" >"$out" 2>"$err" </dev/null
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "$name" "exit status $rc, wanted $want; stderr: $(head -c 300 "$err")"
    elif [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$err"; then
        fail "$name" "stderr does not match /$pattern/: $(head -c 300 "$err")"
    else
        pass "$name"
        return 0
    fi
    return 1
}

# prompt NAME START: the command that just passed took at most 5 s of wall-clock time.
prompt() {
    local elapsed=$(($(date +%s) - $2))
    if [ "$elapsed" -le 5 ]; then pass "$1 (${elapsed}s)"; else fail "$1" "took ${elapsed}s"; fi
}

# stdout_has NAME REGEX: checks the last command's stdout.
stdout_has() {
    if grep -Eq -- "$2" "$out"; then pass "$1"; else fail "$1" "stdout lacks /$2/: $(head -c 300 "$out")"; fi
}

# ---- success and exit codes ----
expect "hello exits 0" 0 "" -- "$burh" run "$wasm/hello.wasm"
stdout_has "hello prints its greeting" "^Hello from WebAssembly, run by burh!$"
for code in 0 1 7 42 200 255; do
    expect "proc_exit($code) gives status $code" $code "" -- "$burh" run "$wasm/exitcode.wasm" $code x
done
stdout_has "exit flushes stdio and runs atexit" "atexit handler ran"

# ---- traps ----
expect "unreachable traps with 125" 125 "^burh: trap: unreachable" -- \
    "$burh" run "$wasm/trap.wasm"
stdout_has "output before a trap survives" "about to trap"
expect "endless recursion traps with 125" 125 "^burh: trap: call stack exhausted" -- \
    "$burh" run "$wasm/recurse.wasm"

# ---- time limit ----
start=$(date +%s)
expect "time limit gives 124" 124 "^burh: time limit of 1 s exceeded$" -- \
    "$burh" run --time-limit 1 "$wasm/spin.wasm" && prompt "time limit acts promptly" $start
start=$(date +%s)
expect "time limit interrupts a sleeping guest" 124 "time limit of 1 s" -- \
    "$burh" run --time-limit=1 "$wasm/sleeper.wasm" 100 &&
    prompt "a blocked guest is stopped promptly" $start

# ---- bad modules ----
printf 'this is not wasm' >"$scratch/garbage.wasm"
: >"$scratch/empty.wasm"
head -c 100 "$wasm/hello.wasm" >"$scratch/truncated.wasm"
# wat NAME TEXT: a module written in the text format, for the cases C cannot produce.
wat() { wat2wasm -o "$scratch/$1.wasm" - <<<"$2"; }
wat unknown-wasi '(module (import "wasi_snapshot_preview1" "no_such_fn" (func)))'
wat wrong-type '(module (import "wasi_snapshot_preview1" "fd_write" (func)))'
wat env-import '(module (import "env" "f" (func)))'
wat no-start '(module (memory (export "memory") 1))'
wat too-much-memory '(module (memory (export "memory") 300) (func (export "_start")))'
wat oob '(module (memory (export "memory") 1)
         (func (export "_start") (drop (i32.load (i32.const 65535)))))'
expect "garbage is malformed (126)" 126 "^burh: .*garbage.wasm: malformed: " -- \
    "$burh" run "$scratch/garbage.wasm"
expect "empty file is malformed (126)" 126 "^burh: .*empty.wasm: malformed: " -- \
    "$burh" run "$scratch/empty.wasm"
expect "truncated module is malformed (126)" 126 "^burh: .*truncated.wasm: malformed: " -- \
    "$burh" run "$scratch/truncated.wasm"
expect "unknown WASI function is unlinkable (126)" 126 \
    "^burh: .*unknown-wasi.wasm: unlinkable: .*wasi_snapshot_preview1.no_such_fn" -- \
    "$burh" run "$scratch/unknown-wasi.wasm"
expect "wrong WASI signature is unlinkable (126)" 126 "unlinkable: .*fd_write" -- \
    "$burh" run "$scratch/wrong-type.wasm"
expect "non-WASI import is unlinkable (126)" 126 "unlinkable: unknown import env.f" -- \
    "$burh" run "$scratch/env-import.wasm"
expect "module without _start (126)" 126 "_start" -- "$burh" run "$scratch/no-start.wasm"
expect "initial memory above --mem-limit (126)" 126 "too-much-memory.wasm: limit exceeded" -- \
    "$burh" run --mem-limit 16 "$scratch/too-much-memory.wasm"
expect "out-of-bounds load traps with 125" 125 "^burh: trap: out of bounds memory access$" -- \
    "$burh" run "$scratch/oob.wasm"
expect "missing file (126)" 126 "^burh: .*nope.wasm: " -- "$burh" run "$scratch/nope.wasm"
expect "directory as module (126)" 126 "not a regular file" -- "$burh" run "$scratch"

# ---- usage ----
expect "no command is a usage error" 2 "usage: burh" -- "$burh"
expect "unknown command is a usage error" 2 "unknown command" -- "$burh" frobnicate
expect "run without a program" 2 "no program given" -- "$burh" run
expect "unknown option" 2 "unknown option '--bogus'" -- "$burh" run --bogus "$wasm/hello.wasm"
expect "bad --mem-limit" 2 "--mem-limit" -- "$burh" run --mem-limit lots "$wasm/hello.wasm"
expect "bad --time-limit" 2 "--time-limit" -- "$burh" run --time-limit -1 "$wasm/hello.wasm"
expect "--env without =" 2 "KEY=VALUE" -- "$burh" run --env NOVALUE "$wasm/hello.wasm"
expect "missing option value" 2 "--dir" -- "$burh" run --dir
expect "--version" 0 "" -- "$burh" --version
stdout_has "--version prints the version" "^burh [0-9]+\.[0-9]+"
expect "run --help" 0 "" -- "$burh" run --help
stdout_has "run --help documents exit statuses" "124 .*time limit"
expect "--help" 0 "" -- "$burh" --help
stdout_has "--help lists run" "^  run "

# ---- arguments and environment ----
expect "--env and args reach the guest" 0 "" -- "$burh" run --env BURH_GREETING=salut \
    --env ECHO_ARGV0=1 "$wasm/echo.wasm" -- a "b c" -- --x
stdout_has "guest sees --env" "^env\[[0-9]+\]=\[BURH_GREETING=salut\]$"
stdout_has "guest sees exactly its own environment" "^envc=2$"
stdout_has "argv[0] is the file's name" "^argv\[0\]=\[echo.wasm\]$"
stdout_has "args after -- pass through, even '--'" "^argv\[3\]=\[--\]$"
stdout_has "args keep their spaces" "^argv\[2\]=\[b c\]$"

# ---- preopened directories ----
mkdir -p "$scratch/jail/sub" "$scratch/outside"
echo secret >"$scratch/outside/secret.txt"
ln -s ../outside "$scratch/jail/sneaky"
ln -s "$scratch/outside/secret.txt" "$scratch/jail/sub/abs-secret"
pushd "$scratch/jail" >/dev/null
expect "no escape from --dir" 0 "" -- "$burh" run --dir . "$wasm/escape.wasm" . \
    sneaky/secret.txt sub/abs-secret ./sub/../sneaky/../outside/secret.txt
popd >/dev/null
stdout_has "every escape refused" "^escaped 0 times$"
expect "--dir HOST::GUEST maps the name" 0 "" -- \
    "$burh" run --dir "$scratch/jail::/sandbox" "$wasm/fileio.wasm" /sandbox
stdout_has "file I/O in a mapped dir works" "^read back 1000 lines"
mkdir -p "$scratch/cwd/data"
pushd "$scratch/cwd" >/dev/null
expect "--dir ./data/ is seen as data" 0 "" -- "$burh" run --dir ./data/ "$wasm/fileio.wasm" data
popd >/dev/null
stdout_has "relative paths resolve in a default-named dir" "^data: 0 entries$"
expect "--dir of a missing directory" 126 "--dir .*nowhere" -- \
    "$burh" run --dir "$scratch/nowhere" "$wasm/hello.wasm"
expect "no --dir means no files" 0 "" -- "$burh" run "$wasm/escape.wasm" .
stdout_has "without preopens nothing opens" "^escaped 0 times$"

# ---- memory limit ----
expect "--mem-limit caps malloc" 3 "" -- "$burh" run --mem-limit 16 "$wasm/memhog.wasm" 64
stdout_has "memhog stopped below 16 MiB" "^allocated ([0-9]|1[0-5]) of 64 MiB$"
expect "without --mem-limit memhog gets 64 MiB" 0 "" -- "$burh" run "$wasm/memhog.wasm" 64

# ---- large output through a pipe ----
want=$("$native/bigout" 50 | md5sum)
got=$("$burh" run "$wasm/bigout.wasm" 50 | md5sum)
size=$("$burh" run "$wasm/bigout.wasm" 50 | wc -c)
if [ "$got" = "$want" ] && [ "$size" -eq 52428800 ]; then
    pass "50 MB to a pipe arrives complete"
else
    fail "50 MB to a pipe arrives complete" "got $size bytes, md5 $got vs $want"
fi
got=$("$burh" run "$wasm/bigout.wasm" 5 | (sleep 1; md5sum))
want=$("$native/bigout" 5 | md5sum)
if [ "$got" = "$want" ]; then pass "slow reader loses nothing"; else fail "slow reader loses nothing" "md5 differs"; fi

# ---- --mem-dir: an in-memory copy of a host directory ----
mkdir -p "$scratch/memsrc/sub"
echo original >"$scratch/memsrc/sub/keep.txt"
expect "--mem-dir runs file I/O in memory" 0 "" -- \
    "$burh" run --mem-dir "$scratch/memsrc::/m" "$wasm/fileio.wasm" /m
stdout_has "file I/O in a memfs works" "^read back 1000 lines"
if [ "$(ls "$scratch/memsrc")" = "sub" ] && grep -qx original "$scratch/memsrc/sub/keep.txt"; then
    pass "--mem-dir never writes back to the host"
else
    fail "--mem-dir never writes back to the host" "$(ls "$scratch/memsrc")"
fi
expect "no escape from --mem-dir" 0 "" -- "$burh" run --mem-dir "$scratch/memsrc::m" \
    "$wasm/escape.wasm" m
stdout_has "every memfs escape refused" "^escaped 0 times$"
expect "--mem-dir of a missing directory" 126 "--mem-dir .*nowhere" -- \
    "$burh" run --mem-dir "$scratch/nowhere" "$wasm/hello.wasm"

# ---- sockets: --listen and --connect ----
port=$((20000 + RANDOM % 20000))
"$burh" run --listen "$port" "$wasm/httpserver.wasm" 2 >"$scratch/srv.out" 2>"$scratch/srv.err" &
srv=$!
reply=""
for _ in $(seq 50); do # the server is up once it accepts
    reply=$(curl -s --max-time 5 "http://127.0.0.1:$port/first" 2>/dev/null) && break
    sleep 0.1
done
reply2=$(curl -s --max-time 5 -d payload "http://127.0.0.1:$port/second")
wait "$srv"
rc=$?
if [ "$reply" = "hello from burh, request 1: GET /first HTTP/1.1" ] &&
    [ "$reply2" = "hello from burh, request 2: POST /second HTTP/1.1" ] && [ $rc -eq 0 ] &&
    grep -qx "served 2" "$scratch/srv.out"; then
    pass "HTTP server on --listen answers curl over loopback"
else
    fail "HTTP server on --listen answers curl over loopback" \
        "rc $rc, replies '$reply' '$reply2', $(head -c 200 "$scratch/srv.err")"
fi
port=$((port + 1))
"$burh" run --listen "127.0.0.1:$port@ECHO" "$wasm/httpserver.wasm" 1 echo ECHO \
    >"$scratch/srv.out" 2>"$scratch/srv.err" &
srv=$!
sleep 0.3
"$burh" run --connect "127.0.0.1:$port" "$wasm/netclient.wasm" "ping over loopback" \
    >"$out" 2>"$err"
rc=$?
wait "$srv"
if [ $rc -eq 0 ] && [ "$(head -1 "$out")" = "ping over loopback" ]; then
    pass "--connect client talks to a --listen echo server"
else
    fail "--connect client talks to a --listen echo server" "rc $rc: $(head -c 200 "$err")"
fi
expect "FD_NAMES names the sockets" 0 "" -- "$burh" run --listen "$((port + 1))" \
    --connect "127.0.0.1:$((port + 1))@PEER" "$wasm/echo.wasm"
stdout_has "FD_COUNT counts stdio and sockets" "FD_COUNT=5"
stdout_has "FD_NAMES lists them in fd order" "FD_NAMES=stdin:stdout:stderr:LISTEN:PEER"
expect "--connect to a closed port fails" 126 "refused" -- \
    "$burh" run --connect "127.0.0.1:1" "$wasm/hello.wasm"
expect "--listen needs a port" 2 "--listen" -- "$burh" run --listen

# ---- --trace-syscalls ----
expect "--trace-syscalls keeps the exit status and lists the calls" 7 \
    "^burh: syscalls: [0-9]+ distinct, [0-9]+ calls$" -- \
    "$burh" run --trace-syscalls "$wasm/exitcode.wasm" -- 7
if grep -q "^exit_group " "$err" && grep -q "^writev\|^write " "$err"; then
    pass "--trace-syscalls names exit_group and the write"
else
    fail "--trace-syscalls names exit_group and the write" "$(head -c 300 "$err")"
fi
expect "--trace-syscalls=FILE writes the report there" 0 "" -- \
    "$burh" run --trace-syscalls="$scratch/trace.txt" "$wasm/hello.wasm"
if grep -q "^burh: syscalls: " "$scratch/trace.txt" && ! grep -q "syscalls" "$err"; then
    pass "--trace-syscalls=FILE report is in the file only"
else
    fail "--trace-syscalls=FILE report is in the file only" "$(head -c 200 "$scratch/trace.txt")"
fi

# ---- stdin ----
seq 1 100000 >"$scratch/in.txt"
"$burh" run "$wasm/upper.wasm" <"$scratch/in.txt" >"$out" 2>"$err"
bytes=$(wc -c <"$scratch/in.txt")
if cmp -s "$out" "$scratch/in.txt" && grep -q "^100000 lines, $bytes bytes$" "$err"; then
    pass "stdin is read completely"
else
    fail "stdin is read completely" "$(head -c 200 "$err")"
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
