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

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
