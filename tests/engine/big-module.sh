#!/usr/bin/env bash
# Times load (decode + validate every body) + instantiate of a ~1 MB Wasm module (generated
# C, clang-14 -O2): in-process CPU time by tests/engine/load-time.c, then `burh run` of the
# program (whose main returns at once) with hyperfine. A measurement, not part of the tests.
#
#   tests/engine/big-module.sh [BURH_BINARY [LIBBURH]]
#       defaults build/release/bin/burh and build/release/libburh.a
#   BIG_MODULE_QUICK=1 skips hyperfine (what `make bench` runs).
set -euo pipefail
cd "$(dirname "$0")/../.."
burh=${1:-build/release/bin/burh}
lib=${2:-build/release/libburh.a}
out=build/engine-big
mkdir -p "$out"

# 6000 distinct functions with loops, branches and memory traffic, all reachable from a table
# so the linker keeps them; main calls none of them unless given an argument.
gen() {
    echo '#include <stdint.h>'
    echo 'static volatile uint32_t sink[64];'
    for i in $(seq 0 5999); do
        cat <<C
uint32_t f$i(uint32_t x, uint32_t y) {
    uint32_t acc = x ^ $i;
    for (uint32_t k = 0; k < (y & 15); k++) {
        acc = acc * 2654435761u + (sink[(k + $i) & 63] ^ (acc >> 7));
        if (acc & 1) acc ^= y * $((i % 97 + 3)); else acc += x >> (k & 7);
        sink[(acc + k) & 63] = acc;
    }
    return acc + $i;
}
C
    done
    printf 'uint32_t (*const table[])(uint32_t, uint32_t) = {'
    for i in $(seq 0 5999); do printf 'f%d,' "$i"; done
    echo '};'
    echo 'int main(int argc, char **argv) { (void)argv;'
    echo '    return argc > 1 ? (int)(table[argc % 6000](1, 2) & 1) : 0; }'
}

if [ ! -f "$out/big.wasm" ]; then
    gen >"$out/big.c"
    clang-14 --target=wasm32-wasi --sysroot=/usr -O2 "$out/big.c" -o "$out/big.wasm"
fi
gcc -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude tests/engine/load-time.c "$lib" \
    -lm -lpthread -o "$out/load-time"
printf 'module: %s bytes\n' "$(stat -c %s "$out/big.wasm")"
printf 'load + instantiate (in process): '
"$out/load-time" "$out/big.wasm" 30
[ -n "${BIG_MODULE_QUICK:-}" ] && exit 0
hyperfine -N --warmup 3 --runs 30 "$burh run $out/big.wasm"
