#!/usr/bin/env bash
# Runs each example natively and under `burh run`; stdout and exit status must match exactly.
set -u
cd "$(dirname "$0")/../.."
root=$PWD
burh=$root/${BURH_BUILD:-build/release}/bin/burh
wasm=$root/build/wasm/examples
native=$root/build/native/examples
scratch=$root/build/test-scratch/examples

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }

if [ ! -x "$burh" ]; then
    echo "FAIL: $burh is not built"
    echo "0 passed, 1 failed"
    exit 1
fi
if ! make -s wasm-examples >/dev/null; then
    echo "FAIL: the examples do not build"
    echo "0 passed, 1 failed"
    exit 1
fi
rm -rf "$scratch"
mkdir -p "$scratch"

# compare NAME STDIN-FILE NATIVE-PREFIX -- WASM-OPTIONS -- ARGS...
# Runs native and Wasm builds of example NAME in their own scratch dirs and compares.
compare() {
    local name=$1 input=$2 nenv=$3
    shift 3
    local wopts=()
    while [ "$1" != "--" ]; do wopts+=("$1"); shift; done
    shift
    local dn=$scratch/$name/native dw=$scratch/$name/wasm
    rm -rf "$scratch/$name"
    mkdir -p "$dn/data" "$dw/data"
    (cd "$dn" && env -i $nenv "$native/$name" "$@" <"$input" >stdout 2>stderr; echo $? >rc)
    (cd "$dw" && "$burh" run "${wopts[@]}" "$wasm/$name.wasm" -- "$@" \
        <"$input" >stdout 2>stderr; echo $? >rc)
    local label="$name${*:+ $*}"
    if ! cmp -s "$dn/stdout" "$dw/stdout"; then
        fail "$label" "stdout differs ($(diff "$dn/stdout" "$dw/stdout" | head -3 | tr '\n' ' '))"
    elif ! cmp -s "$dn/rc" "$dw/rc"; then
        fail "$label" "exit status native $(cat "$dn/rc") vs burh $(cat "$dw/rc"): $(head -c 200 "$dw/stderr")"
    else
        pass "$label"
    fi
}

printf 'one line\nTwo Lines\n\nmixed CASE 123 \xc3\xa9\n' >"$scratch/input.txt"
seq 1 20000 >>"$scratch/input.txt"

for ex in hello floats hashmap sort strings math64 clock; do
    compare $ex /dev/null "" --
done
compare upper "$scratch/input.txt" "" --
compare echo /dev/null "" --
compare echo /dev/null "BURH_GREETING=hi FOO=bar=baz" \
    --env BURH_GREETING=hi --env FOO=bar=baz -- "one" "two words" "" "--dashed"
for code in 0 1 3 42 255; do
    compare exitcode /dev/null "" -- $code
    compare exitcode /dev/null "" -- $code via-exit
done
compare fileio /dev/null "" --dir data -- data
compare memhog /dev/null "" -- 40
# File-system examples on a host directory and on an in-memory copy of it.
for ex in fileio fstree fsseek fslinks; do
    compare $ex /dev/null "" --dir data -- data
    compare $ex /dev/null "" --mem-dir data -- data
done

# Rust programs (tests/rust, built by mk/rust.mk with Debian's rustc for wasm32-wasi).
if make -s rust-progs 2>/dev/null | grep -q '^SKIP' || [ ! -f build/wasm/rust/fs.wasm ]; then
    echo "SKIP: no rustc with the wasm32-wasi standard library; the Rust programs did not run"
else
    rwasm=$root/build/wasm/rust rnative=$root/build/native/rust
    wasm=$rwasm native=$rnative compare fs /dev/null "" --dir data -- data
    wasm=$rwasm native=$rnative compare fs /dev/null "" --mem-dir data -- data
    wasm=$rwasm native=$rnative compare envargs /dev/null "GREETING=hi" --env GREETING=hi -- \
        7 "two words"
    port=$((20000 + RANDOM % 20000))
    "$burh" run --listen "$port" "$rwasm/tcpecho.wasm" 2 >"$scratch/tcpecho.out" \
        2>"$scratch/tcpecho.err" &
    srv=$!
    sleep 0.5
    r1=$("$burh" run --connect "127.0.0.1:$port" "$wasm/netclient.wasm" "first" | head -1)
    r2=$("$burh" run --connect "127.0.0.1:$port" "$wasm/netclient.wasm" "second" | head -1)
    wait "$srv"
    rc=$?
    if [ "$r1 $r2 $rc" = "FIRST SECOND 0" ] && grep -qx "served 2" "$scratch/tcpecho.out"; then
        pass "Rust TcpListener from a pre-opened socket"
    else
        fail "Rust TcpListener from a pre-opened socket" \
            "got '$r1' '$r2' rc $rc: $(head -c 200 "$scratch/tcpecho.err")"
    fi
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
