#!/usr/bin/env bash
# Attestation verification speed: SNP and TDX through burh_attest next to bare OpenSSL ECDSA in
# the same run (tools/burh-bench-attest.c). BENCH_ATTEST_SECONDS sets the time per case.
set -euo pipefail
cd "$(dirname "$0")/.."

tool=${BURH_BUILD:-build/release}/bin/burh-bench-attest
shared=${BURH_SHARED_DIR:-../shared/attestation}
if [ ! -x "$tool" ]; then
    echo "bench-attest: $tool is not built (make $tool)" >&2
    exit 2
fi
if [ ! -d "$shared/amd-sev-snp" ] || [ ! -d "$shared/intel-tdx" ]; then
    echo "bench-attest: SKIP: attestation vectors not found in $shared (set BURH_SHARED_DIR)"
    exit 0
fi
echo "== attestation verification (nproc $(nproc))"
BURH_BENCH_SECONDS=${BENCH_ATTEST_SECONDS:-2} "$tool" "$shared" | tee build/bench-attest.txt
# The target is a ratio of at least 80% on both rows; say so plainly either way.
if awk '/%$/ && $NF + 0 < 80 { low = 1 } END { exit low }' build/bench-attest.txt; then
    echo "bench-attest: both ratios meet the 80% target"
else
    echo "bench-attest: below the 80% target (see docs/attestation.md, Performance)"
fi
