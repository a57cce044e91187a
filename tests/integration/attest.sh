#!/usr/bin/env bash
# `burh attest verify` end to end: genuine SNP evidence, negative vectors, nil evidence, exit codes.
source "$(dirname "$0")/lib.sh"

snp=$shared/amd-sev-snp
find_attest
verdict_cmd=("${attest[@]}")

# claim NAME KEY VALUE: the last verify printed "KEY": "VALUE" in its claims.
claim() {
    if grep -q "\"$2\": \"$3\"" "$tmp/out"; then
        pass "$1"
    else
        fail "$1: claim $2 is not $3"
    fi
}

# ---- nil / kvm evidence (no shared data needed) ----
m48=$(printf 'ab%.0s' $(seq 48))
expect "make nil evidence" 0 "" -- make-unsigned --backend nil --measurement "$m48" \
    --report-data 0102 --out "$tmp/nil.bin"
expect "nil evidence rejected by default" 1 nil.unsigned -- verify "$tmp/nil.bin"
claim "nil claims carry the measurement" measurement "$m48"
echo '{"allow_backends": ["nil"], "report_data": "0102"}' >"$tmp/allow-nil.json"
expect "nil evidence accepted when allowed" 0 "" -- verify --policy "$tmp/allow-nil.json" "$tmp/nil.bin"
echo '{"allow_backend": ["nil"]}' >"$tmp/typo.json"
expect "policy typo is a usage error" 2 "" -- verify --policy "$tmp/typo.json" "$tmp/nil.bin"
expect "missing evidence file" 2 "" -- verify "$tmp/does-not-exist"
expect "bad --at" 2 "" -- verify --at yesterday "$tmp/nil.bin"
expect "unknown option" 2 "" -- verify --frobnicate x "$tmp/nil.bin"
expect "bad measurement length" 2 "" -- make-unsigned --backend nil --measurement abcd --out "$tmp/x"

# ---- genuine SNP evidence ----
if [ ! -d "$snp" ]; then
    echo "SKIP: shared attestation vectors not found at $snp (set BURH_SHARED_DIR)"
    skipped=$((skipped + 32))
else
    milan=$snp/roots/bundle_ask_ark_asvk_milan.pem
    genoa=$snp/roots/bundle_ask_ark_asvk_genoa.pem
    at=(--at 2026-11-27T00:00:00Z)
    echo '{"allow_debug": true}' >"$tmp/debug.json"
    expect "gosevguest_milan_v2 (debug allowed)" 0 "" -- verify "${at[@]}" --policy "$tmp/debug.json" \
        --vcek "$snp/gosevguest_milan_v2/vcek.der" --cert-chain "$milan" "$snp/gosevguest_milan_v2/report.bin"
    expect "gosevguest_milan_v2 refused: debug" 1 snp.policy.debug -- verify "${at[@]}" \
        --vcek "$snp/gosevguest_milan_v2/vcek.der" --cert-chain "$milan" "$snp/gosevguest_milan_v2/report.bin"
    expect "trustee_milan_v2" 0 "" -- verify "${at[@]}" --platform snp \
        --vcek "$snp/trustee_milan_v2/vcek.der" --cert-chain "$milan" "$snp/trustee_milan_v2/report.bin"
    claim "trustee measurement claim" measurement \
        a1f3930413247bb38cfc171579ea3c12d5fe4901f0c792f63fd75d98f1ef827c23500644e0e692e6be917f9050d3d38c
    expect "virtee_milan_v2" 0 "" -- verify "${at[@]}" \
        --vcek "$snp/virtee_milan_v2/vcek.der" --cert-chain "$milan" "$snp/virtee_milan_v2/report.bin"
    expect "azure_milan_v2_vtpm (chain in one PEM)" 0 "" -- verify "${at[@]}" \
        --cert-chain "$snp/azure_milan_v2_vtpm/vcek_ask_ark_chain.pem" "$snp/azure_milan_v2_vtpm/report.bin"
    expect "azure_milan_v2_vtpm HCL report" 0 "" -- verify "${at[@]}" \
        --cert-chain "$snp/azure_milan_v2_vtpm/vcek_ask_ark_chain.pem" "$snp/azure_milan_v2_vtpm/hcl-report.bin"
    expect "azure_genoa_v3_vtpm" 0 "" -- verify "${at[@]}" \
        --vcek "$snp/azure_genoa_v3_vtpm/vcek.pem" --cert-chain "$genoa" "$snp/azure_genoa_v3_vtpm/report.bin"
    claim "genoa product claim" product Genoa
    expect "trustee_e2e_genoa_v3" 0 "" -- verify "${at[@]}" \
        --vcek "$snp/trustee_e2e_genoa_v3/vcek.der" --cert-chain "$genoa" "$snp/trustee_e2e_genoa_v3/report.bin"
    vlek=(--vcek "$snp/trustee_milan_vlek_v3/vlek.der" --cert-chain "$snp/roots/bundle_asvk_ark_milan_vlek.pem")
    expect "trustee_milan_vlek_v3 at 2025-06-01" 0 "" -- verify --at 2025-06-01T00:00:00Z "${vlek[@]}" \
        "$snp/trustee_milan_vlek_v3/report.bin"
    expect "trustee_milan_vlek_v3 expired now" 1 snp.chain.validity -- verify "${vlek[@]}" \
        "$snp/trustee_milan_vlek_v3/report.bin"

    # --collateral DIR with the KDS file names (links, so nothing is copied).
    mkdir -p "$tmp/coll"
    ln -s "$(realpath "$snp/trustee_milan_v2/vcek.der")" "$tmp/coll/vcek.der"
    ln -s "$(realpath "$snp/roots/ask_milan.pem")" "$tmp/coll/ask.pem"
    ln -s "$(realpath "$snp/roots/ark_milan.pem")" "$tmp/coll/ark.pem"
    expect "--collateral DIR" 0 "" -- verify "${at[@]}" --collateral "$tmp/coll" "$snp/trustee_milan_v2/report.bin"
    expect "--trust-store replaces the pins" 1 snp.chain.untrusted -- verify "${at[@]}" \
        --trust-store "$snp/roots/ark_genoa.pem" --collateral "$tmp/coll" "$snp/trustee_milan_v2/report.bin"

    head -c 3000 "$milan" >"$tmp/damaged.pem"
    expect "damaged PEM collateral is an error" 2 "" -- verify "${at[@]}" --cert-chain "$tmp/damaged.pem" \
        --vcek "$snp/trustee_milan_v2/vcek.der" "$snp/trustee_milan_v2/report.bin"

    neg=$snp/negative
    expect "byte42 report" 1 snp.report.signature -- verify "${at[@]}" --collateral "$tmp/coll" \
        "$neg/derived_trustee_milan_report_byte42_plus1.bin"
    expect "byte384 report" 1 snp.vcek.tcb -- verify "${at[@]}" --collateral "$tmp/coll" \
        "$neg/derived_trustee_milan_report_byte384_plus1.bin"
    expect "truncated report" 1 snp.report.length -- verify "${at[@]}" --collateral "$tmp/coll" \
        "$neg/derived_gosevguest_report_truncated_1183.bin"
    expect "tampered VCEK" 1 snp.chain.signature -- verify "${at[@]}" --cert-chain "$milan" \
        --vcek "$neg/derived_trustee_milan_vcek_byte42_plus1.der" "$snp/trustee_milan_v2/report.bin"
    expect "azure_genoa_v3_vtpm HCL report" 0 "" -- verify "${at[@]}" --vcek "$snp/azure_genoa_v3_vtpm/vcek.pem" \
        --cert-chain "$genoa" "$snp/azure_genoa_v3_vtpm/hcl-report.bin"
    expect "sig R + 1" 1 snp.report.signature -- verify "${at[@]}" --policy "$tmp/debug.json" \
        --vcek "$snp/gosevguest_milan_v2/vcek.der" --cert-chain "$milan" \
        "$neg/derived_gosevguest_report_sig_r_byte0x2A0_plus1.bin"
    for bad in trustee_vcek_invalid_legacy trustee_vcek_invalid_new; do
        expect "$bad (chain)" 1 snp.chain.signature -- verify "${at[@]}" --cert-chain "$milan" \
            --vcek "$neg/$bad.der" "$snp/trustee_milan_v2/report.bin"
        expect "$bad (report signature)" 1 snp.report.signature -- verify "${at[@]}" \
            --cert-chain "$milan" --vcek "$neg/$bad.der" "$snp/trustee_milan_v2/report.bin"
    done
    expect "report with another chip's VCEK" 1 snp.vcek.chip_id -- verify "${at[@]}" \
        --policy "$tmp/debug.json" --collateral "$tmp/coll" "$snp/gosevguest_milan_v2/report.bin"
    claim "auto-detected as snp" platform snp

    # --fetch from a local stand-in for AMD KDS (same paths), then from the cache alone.
    if ! command -v python3 >/dev/null || ! command -v xxd >/dev/null; then
        echo "SKIP: python3 or xxd missing: KDS fetch not tested"
        skipped=$((skipped + 5))
    else
        report=$snp/trustee_milan_v2/report.bin
        hwid=$(xxd -p -s 0x1a0 -l 64 "$report" | tr -d '\n')
        mkdir -p "$tmp/kds/vcek/v1/Milan"
        ln -s "$(realpath "$snp/trustee_milan_v2/vcek.der")" "$tmp/kds/vcek/v1/Milan/$hwid"
        ln -s "$(realpath "$milan")" "$tmp/kds/vcek/v1/Milan/cert_chain"
        port=$((20000 + RANDOM % 20000))
        python3 -m http.server --bind 127.0.0.1 --directory "$tmp/kds" "$port" >"$tmp/http.log" 2>&1 &
        server=$!
        for _ in $(seq 50); do
            grep -q "Serving HTTP" "$tmp/http.log" && break
            sleep 0.1
        done
        kds=(--fetch --kds-url "http://127.0.0.1:$port" --cache "$tmp/kds-cache")
        expect "--fetch from KDS" 0 "" -- verify "${at[@]}" "${kds[@]}" --product Milan "$report"
        expect "--fetch of a v2 report needs --product" 2 "" -- verify "${at[@]}" "${kds[@]}" "$report"
        expect "--fetch of an unknown product fails" 2 "" -- verify "${at[@]}" "${kds[@]}" \
            --product Genoa "$report"
        kill "$server"
        wait "$server" 2>/dev/null
        expect "--fetch served from the cache" 0 "" -- verify "${at[@]}" "${kds[@]}" --product Milan "$report"
        expect "--fetch-crl is never cached" 2 "" -- verify "${at[@]}" "${kds[@]}" --fetch-crl \
            --product Milan "$report"
    fi
fi

finish
