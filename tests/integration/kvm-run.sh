#!/usr/bin/env bash
# kvm-run.sh: `burh run --backend kvm|nil|auto`: the program in a local keep, verified and pinned
# to the launch digest, gives the output and exit status an in-process run gives.
# `kvm-run.sh --suite` (make kvm-suite) instead runs the tree's Wasm programs in kvm keeps: every
# deterministic example and Rust program against an in-process run, every benchmark's checksum
# against its native build.
source "$(dirname "$0")/lib.sh"
burh=$build/bin/burh
ldr=$build/bin/burh-keepldr
wasm=build/wasm/examples
kpid=
trap '[ -n "$kpid" ] && kill "$kpid" 2>/dev/null; rm -rf "$tmp"' EXIT

for f in "$burh" "$ldr" "$build/bin/burh-shim.elf" "$build/bin/burh-wasmldr-static" \
    "$wasm/hello.wasm"; do
    [ -e "$f" ] || die_unbuilt "$f is missing (make all and make wasm-examples)"
done
require_kvm "$ldr" "burh run --backend kvm"

# same NAME ARGS...: a kvm keep's stdout and status equal an in-process run's.
same() {
    local name=$1
    shift
    "$burh" run "$@" >"$tmp/p.out" 2>"$tmp/p.err" </dev/null
    local want=$?
    timeout 120 "$burh" run --backend kvm "$@" >"$tmp/k.out" 2>"$tmp/k.err" </dev/null
    local got=$?
    if [ "$got" -ne "$want" ]; then
        echo "    status $got in the keep, $want in process" >>"$tmp/k.err"
        fail "$name" "$tmp/k.err"
    elif ! cmp -s "$tmp/p.out" "$tmp/k.out"; then
        diff "$tmp/p.out" "$tmp/k.out" | head -5 >>"$tmp/k.err"
        fail "$name: stdout differs from an in-process run" "$tmp/k.err"
    else
        pass "$name (status $got, same stdout as in process)"
    fi
}

# expect NAME STATUS STDERR-REGEX ARGS...: `burh run ARGS` ends with STATUS and says REGEX.
expect() {
    local name=$1 want=$2 pattern=$3
    shift 3
    timeout 120 "$burh" run "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "    status $rc, wanted $want" >>"$tmp/err"
        fail "$name" "$tmp/err"
    elif [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$tmp/err"; then
        echo "    stderr does not match /$pattern/" >>"$tmp/err"
        fail "$name" "$tmp/err"
    else
        pass "$name"
    fi
}

# bench NAME SCALE: the checksum line of bench/NAME.c in a keep equals the native build's.
bench() {
    local native=build/native/bench/$1 w=build/wasm/bench/$1.wasm
    if [ ! -x "$native" ] || [ ! -f "$w" ]; then
        skip "bench $1: not built (make bench-progs)"
        return
    fi
    local want
    want=$("$native" "$2" | grep checksum)
    timeout 300 "$burh" run --backend kvm "$w" -- "$2" >"$tmp/k.out" 2>"$tmp/k.err" </dev/null
    if [ -n "$want" ] && [ "$(grep checksum "$tmp/k.out")" = "$want" ]; then
        pass "bench $1 $2: $want"
    else
        echo "    wanted '$want', got '$(grep checksum "$tmp/k.out")'" >>"$tmp/k.err"
        fail "bench $1 $2" "$tmp/k.err"
    fi
}

# The tree's Wasm programs in keeps (make kvm-suite); the spec tests need the in-process runner.
suite() {
    local ex
    for ex in hello floats hashmap math64 recurse sort strings trap; do
        same "example $ex" "$wasm/$ex.wasm"
    done
    same "example echo" --env BURH_GREETING=hi "$wasm/echo.wasm" -- one "two words" ""
    for code in 0 1 42 255; do
        same "example exitcode $code" "$wasm/exitcode.wasm" -- $code via-exit
    done
    same "example memhog 40" "$wasm/memhog.wasm" -- 40
    same "example bigout 1 (1 MB through the output pipes)" "$wasm/bigout.wasm" -- 1
    # Not empty: a keep's workload carries files only, so an empty directory would be missing.
    # (escape is left out: the keep preopens its whole file system, the workload's own files,
    # as "/", so "data/.." is no escape there.)
    for ex in fileio fstree fsseek fslinks; do
        rm -rf "$tmp/data" && mkdir -p "$tmp/data" && echo x >"$tmp/data/keep.txt"
        same "example $ex on a copied directory" --mem-dir "$tmp/data::data" "$wasm/$ex.wasm" -- data
    done
    local start=$SECONDS
    timeout 60 "$burh" run --backend kvm "$wasm/sleeper.wasm" 5 >"$tmp/k.out" 2>"$tmp/k.err"
    if [ $((SECONDS - start)) -ge 5 ] && grep -q 'woke up' "$tmp/k.out"; then
        pass "sleeper 5 sleeps 5 s in a keep ($((SECONDS - start)) s)"
    else
        echo "    the run took $((SECONDS - start)) s" >>"$tmp/k.err"
        fail "sleeper 5 sleeps 5 s in a keep" "$tmp/k.err"
    fi
    if [ -f build/wasm/rust/envargs.wasm ]; then
        same "rust envargs" --env GREETING=hi build/wasm/rust/envargs.wasm -- 7 "two words"
        # Rust's std finds preopens by path prefix only: a relative path misses the keep's "/".
        rm -rf "$tmp/data" && mkdir -p "$tmp/data" && echo x >"$tmp/data/keep.txt"
        same "rust fs on a copied directory" --mem-dir "$tmp/data::/data" build/wasm/rust/fs.wasm \
            -- /data
    else
        skip "the Rust programs are not built (make rust-progs)"
    fi
    for ex in bytecode crc32 fannkuch fib matmul memcopy nbody quicksort sha256 sieve strsearch; do
        bench $ex "${KVM_SUITE_BENCH_SCALE:-1}"
    done
}
if [ "${1:-}" = --suite ]; then
    suite
    finish
fi

same "hello" "$wasm/hello.wasm"
if grep -q 'NOT hardware-protected' "$tmp/k.err"; then
    pass "the keep is said not to be hardware-protected"
else
    fail "the keep is said not to be hardware-protected" "$tmp/k.err"
fi
same "args" "$wasm/echo.wasm" -- one "two words" '--three'
same "env" --env BURH_GREETING=hi --env EMPTY= "$wasm/echo.wasm"
same "exit status" "$wasm/exitcode.wasm" -- 7
expect "trap: 125 and its reason" 125 '^burh: trap: unreachable' --backend kvm "$wasm/trap.wasm"
printf 'not a WebAssembly module' >"$tmp/bad.wasm"
expect "bad module: 126" 126 'bad_module: malformed' --backend kvm "$tmp/bad.wasm"

# Files: a module reading data/sub/b.txt beneath its preopen, given as a copied --dir tree.
mkdir -p "$tmp/root/data/sub" "$tmp/root/data/empty"
printf 'file in a keep\n' >"$tmp/root/data/sub/b.txt"
printf 'other\n' >"$tmp/root/data/a.txt"
cat >"$tmp/cat.wat" <<'EOF'
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "data/sub/b.txt")
  (func (export "_start") (local $e i32)
    (local.set $e (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 14)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 64)))
    (if (local.get $e) (then (call $exit (i32.add (i32.const 100) (local.get $e)))))
    (i32.store (i32.const 80) (i32.const 1024))
    (i32.store (i32.const 84) (i32.const 4096))
    (if (call $read (i32.load (i32.const 64)) (i32.const 80) (i32.const 1) (i32.const 88))
      (then (call $exit (i32.const 99))))
    (i32.store (i32.const 84) (i32.load (i32.const 88)))
    (drop (call $write (i32.const 1) (i32.const 80) (i32.const 1) (i32.const 92)))))
EOF
if command -v wat2wasm >/dev/null && wat2wasm "$tmp/cat.wat" -o "$tmp/cat.wasm"; then
    same "files: --dir tree copied into the keep" --dir "$tmp/root::/" "$tmp/cat.wasm"
    if grep -q 'is copied into the keep' "$tmp/k.err" && grep -q 'file in a keep' "$tmp/k.out"; then
        pass "files: the copy is announced and the file read"
    else
        fail "files: the copy is announced and the file read" "$tmp/k.err"
    fi
    same "files: --mem-dir" --mem-dir "$tmp/root::/" "$tmp/cat.wasm"
else
    skip "files: wat2wasm (Debian wabt) is not installed"
fi

# stdin is not forwarded: the program reads end-of-file.
echo "some input" | timeout 60 "$burh" run --backend kvm "$wasm/upper.wasm" >"$tmp/out" 2>"$tmp/err"
if grep -q '^0 lines, 0 bytes' "$tmp/err" && [ ! -s "$tmp/out" ]; then
    pass "stdin is not forwarded: the program reads end-of-file"
else
    fail "stdin is not forwarded" "$tmp/err"
fi

# The keep is pinned to the launch digest of the binaries burh starts.
BURH_RUN_TEST_FAULT=wrong-digest expect "a keep with another launch digest is refused: 5" 5 \
    'FAILED kvm.measurement' --backend kvm "$wasm/hello.wasm"
expect "--mem-limit sizes the keep (and its measured digest)" 0 '' --backend kvm \
    --mem-limit 100 "$wasm/hello.wasm"
expect "--backend kvm: --mem-limit caps linear memory exactly" 3 '' --backend kvm \
    --mem-limit 64 "$wasm/memhog.wasm" -- 200
grep -q 'allocated 63 of 200 MiB' "$tmp/out" || fail "--backend kvm: memhog stopped at 63 MiB" "$tmp/err"
expect "--verbose names the expected digest" 0 'expected launch digest [0-9a-f]{96}' \
    --backend kvm -v "$wasm/hello.wasm"
want=$("$burh" measure --backend kvm 2>/dev/null)
if [ -n "$want" ] && grep -q "expected launch digest $want" "$tmp/err"; then
    pass "the pinned digest is burh measure's"
else
    fail "the pinned digest is burh measure's ($want)" "$tmp/err"
fi

# Limits and signals.
expect "time limit: 124" 124 'time limit of 2 s exceeded' --backend kvm --time-limit 2 \
    "$wasm/spin.wasm"
"$burh" run --backend kvm "$wasm/spin.wasm" >"$tmp/out" 2>"$tmp/err" </dev/null &
bpid=$!
kpid=
for _ in $(seq 100); do
    kpid=$(pgrep -P "$bpid" -x burh-keepldr)
    [ -n "$kpid" ] && grep -q NOT "$tmp/err" && break
    sleep 0.1
done
sleep 1
kill -INT "$bpid"
wait "$bpid"
rc=$?
sleep 0.2
if [ "$rc" -eq 130 ] && grep -q 'interrupted by signal 2' "$tmp/err" &&
    { [ -z "$kpid" ] || ! kill -0 "$kpid" 2>/dev/null; }; then
    pass "SIGINT stops the keep: 130, no keepldr left"
else
    echo "    status $rc, keepldr $kpid" >>"$tmp/err"
    fail "SIGINT stops the keep" "$tmp/err"
fi
kpid=

# --backend auto and nil; what a keep cannot do is refused clearly.
expect "--backend auto picks kvm here" 0 'backend auto: kvm' --backend auto -v "$wasm/hello.wasm"
expect "--backend auto with sockets runs in process" 0 'backend auto: process' --backend auto \
    -v --listen 127.0.0.1:0 "$wasm/hello.wasm"
expect "--backend nil: a local sandboxed keep" 0 'nil keep' --backend nil "$wasm/hello.wasm"
expect "--backend nil: --mem-limit caps linear memory exactly" 3 '' --backend nil --mem-limit 64 \
    "$wasm/memhog.wasm" -- 200
grep -q 'allocated 63 of 200 MiB' "$tmp/out" || fail "--backend nil: memhog stopped at 63 MiB" "$tmp/err"
expect "--listen in a keep is refused" 2 'cannot be used in a keep' --backend kvm --listen 0 \
    "$wasm/hello.wasm"
expect "--connect in a keep is refused" 2 'cannot be used in a keep' --backend kvm \
    --connect 127.0.0.1:9 "$wasm/hello.wasm"
expect "an unknown backend is a usage error" 2 'backend needs' --backend sgx "$wasm/hello.wasm"
expect "--trace-syscalls on nil is refused" 2 'needs --backend kvm' --backend nil \
    --trace-syscalls "$wasm/hello.wasm"
if "$ldr" --help 2>&1 | grep -q -- --syscall-stats; then
    expect "--trace-syscalls in a kvm keep" 0 '^# burh kvm syscalls: [0-9]+ distinct' \
        --backend kvm --trace-syscalls "$wasm/hello.wasm"
    timeout 120 "$burh" run --backend kvm --trace-syscalls="$tmp/stats" "$wasm/hello.wasm" \
        >/dev/null 2>"$tmp/err"
    if grep -Eq '^[a-z0-9_]+ (served|forwarded|refused) [0-9]+$' "$tmp/stats" 2>/dev/null; then
        pass "--trace-syscalls=FILE writes keepldr's statistics"
    else
        fail "--trace-syscalls=FILE writes keepldr's statistics" "$tmp/err"
    fi
else
    expect "--trace-syscalls: refused while keepldr lacks --syscall-stats" 2 'syscall-stats' \
        --backend kvm --trace-syscalls "$wasm/hello.wasm"
fi
finish
