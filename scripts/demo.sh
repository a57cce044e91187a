#!/usr/bin/env bash
# The burh demo: runs example WebAssembly programs with `burh run`, saying what each shows.
# (Until keeps can be deployed this runs on the local host; the keep flow replaces it.)
set -euo pipefail
cd "$(dirname "$0")/.."

burh=build/release/bin/burh
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "Building burh and the example programs (C compiled to wasm32-wasi)"
make -s all VARIANT=release >/dev/null
make -s wasm-examples >/dev/null
ls -l build/wasm/examples/hello.wasm build/wasm/examples/hashmap.wasm

step "hello.wasm: burh decodes, validates and runs it in its own engine, with WASI stdout"
show "$burh" run build/wasm/examples/hello.wasm

step "hashmap.wasm: a malloc-heavy program (50,000-entry hash map, 100,000-node tree)"
show "$burh" run build/wasm/examples/hashmap.wasm

step "fileio.wasm: file I/O confined to one preopened directory (--dir HOST::GUEST)"
demo_dir=build/demo-scratch
rm -rf "$demo_dir"
mkdir -p "$demo_dir"
show "$burh" run --dir "$demo_dir::/data" build/wasm/examples/fileio.wasm /data

step "escape.wasm: every attempt to leave the preopened directory is refused"
show "$burh" run --dir "$demo_dir::/data" build/wasm/examples/escape.wasm /data

step "a trap ends the guest, not burh: exit status 125"
set +e
"$burh" run build/wasm/examples/trap.wasm
echo "exit status $?"
step "a time limit stops a runaway guest: exit status 124"
"$burh" run --time-limit 1 build/wasm/examples/spin.wasm
echo "exit status $?"
set -e
rm -rf "$demo_dir"
step "done"
