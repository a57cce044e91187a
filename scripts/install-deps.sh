#!/usr/bin/env bash
# Installs every Debian 12 package burh's build, tests, demo and benchmarks need; idempotent.
set -euo pipefail

packages=(
    # build
    make gcc libc6-dev linux-libc-dev pkg-config git
    # libraries burh links
    libssl-dev libevent-dev libcurl4-openssl-dev libjansson-dev
    # tests: unit tests, differential CBOR checks, spec-test conversion
    libcmocka-dev libcbor-dev wabt python3 xxd
    # command-line tools the integration tests drive: HTTP client, TLS keys, sockets, processes
    curl openssl iproute2 procps binutils
    # clang for Wasm test programs and libFuzzer targets
    clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 libclang-rt-14-dev
    # burh tcb traces the keep with strace; its test reads JSON with jq
    strace jq
    # benchmarks: timing and charts
    hyperfine gnuplot-nox time
    # Rust programs built for wasm32-wasi in the WASI tests
    rustc libstd-rust-dev-wasm32
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo" >&2; exit 1; }
    sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
