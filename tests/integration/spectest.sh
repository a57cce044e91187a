#!/usr/bin/env bash
# Runs the official WebAssembly spec suite when WASM_SPEC_DIR points at a checkout of it.
set -u
cd "$(dirname "$0")/../.." || exit 2

if [ -z "${WASM_SPEC_DIR:-}" ]; then
    echo "SKIP: WASM_SPEC_DIR is not set; the official spec suite was not run"
    echo "      (see docs/spectest.md; e.g. WASM_SPEC_DIR=/work/wasm-testsuite)"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
exec scripts/spectest.sh "$WASM_SPEC_DIR"
