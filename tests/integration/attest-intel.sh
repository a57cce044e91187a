#!/usr/bin/env bash
# `burh attest verify` on Intel TDX and SGX quotes: collateral directories, policies, PCS fetch.
source "$(dirname "$0")/lib.sh"

S=$shared
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"' EXIT
find_attest
if [ ! -f "$S/intel-tdx/roots/Intel_SGX_RootCA.pem" ]; then
    echo "SKIP: Intel vectors not found in $S (set BURH_SHARED_DIR); all cases skipped"
    echo "0 passed, 0 failed, 24 skipped"
    exit 0
fi

R=$S/intel-tdx/roots
SPR=$S/intel-tdx/gotdxguest_v4_spr
F6D=$S/intel-tdx/trustee_v4_fmspc00A06D080000

# coll NAME FILE=TARGET...: a --collateral directory of links under the documented names.
coll() {
    local dir=$tmp/coll-$1 pair
    shift
    mkdir -p "$dir"
    for pair in "$@"; do
        ln -sf "$(realpath "${pair#*=}")" "$dir/${pair%%=*}"
    done
    echo "$dir"
}

# policy NAME JSON: writes a policy file and prints its path.
policy() {
    echo "$2" >"$tmp/policy-$1.json"
    echo "$tmp/policy-$1.json"
}

# check NAME EXIT STATUS FAILURES -- ARGS...: FAILURES is the sorted, comma-joined list of the
# "FAILED name:" lines on stderr; STATUS the tcb_status claim ("-" for none).
check() {
    local name=$1 want_rc=$2 want_status=$3 want_fail=$4 rc status fails
    shift 5
    "${attest[@]}" verify "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    status=$(sed -n 's/^  "tcb_status": "\(.*\)",\{0,1\}$/\1/p' "$tmp/out")
    fails=$(sed -n 's/^FAILED \([^:]*\):.*/\1/p' "$tmp/err" | sort | paste -sd, -)
    if [ "$rc" = "$want_rc" ] && [ "${status:--}" = "$want_status" ] && [ "$fails" = "$want_fail" ]
    then
        passed=$((passed + 1))
        echo "ok   $name: exit $rc, ${status:--}${fails:+, failed $fails}"
    else
        failed=$((failed + 1))
        echo "FAIL $name: exit $rc (want $want_rc), status '${status:--}' (want '$want_status')," \
             "failed '$fails' (want '$want_fail')"
        head -3 "$tmp/err"
    fi
}

lenient=$(policy lenient '{"tcb_statuses": ["UpToDate", "SWHardeningNeeded",
  "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded"]}')
lenient_debug=$(policy lenient-debug '{"allow_debug": true, "tcb_statuses": ["UpToDate"]}')
no_qe=$(policy no-qe '{"require_qe_identity": false}')
strict_crl=$(policy strict-crl '{"require_crls": true}')
sgx_v3=$(coll sgx_v3 collateral.json="$S/intel-sgx/dcapqvl_v3/collateral.json")
tdx_v4=$(coll tdx_v4 collateral.json="$S/intel-tdx/dcapqvl_v4/collateral.json")
tdx_v5o=$(coll tdx_v5o collateral.json="$S/intel-tdx/dcapqvl_v5_outdated/collateral.json")
gt=$(coll gt tcb_info.json="$SPR/tcbinfo.json" qe_identity.json="$SPR/qe_identity.json" \
     tcb_info_issuer_chain.pem="$R/tcb_signing_chain_2018-2025_from_gotdxguest.pem" \
     pck_crl.der="$SPR/pck_platform_crl.der" root_ca_crl.der="$SPR/root_ca_crl.der")
gt5=$(coll gt5 tcb_info.json="$S/intel-tdx/gotdxguest_v5/tcbinfo.json" \
      tcb_info_issuer_chain.pem="$R/tcb_signing_chain_2025-2032_from_dcapqvl.pem")
f6d=$(coll f6d tcb_info.json="$F6D/tcbinfo.json" qe_identity.json="$F6D/qe_identity.json" \
      tcb_info_issuer_chain.pem="$R/tcb_signing_chain_2025-2032_from_dcapqvl.pem")
at_gt=(--at 2023-07-01T01:00:00Z)

# Verdicts PROVENANCE.md records, by auto-detection and by explicit platform.
check dcapqvl_v3 0 ConfigurationAndSWHardeningNeeded "" -- --policy "$lenient" \
    --collateral "$sgx_v3" --at 2025-07-19T10:01:17Z "$S/intel-sgx/dcapqvl_v3/quote.dat"
check dcapqvl_v3_default_policy 1 ConfigurationAndSWHardeningNeeded "sgx.tcb.status" -- \
    --collateral "$sgx_v3" --at 2025-07-19T10:01:17Z "$S/intel-sgx/dcapqvl_v3/quote.dat"
check dcapqvl_v4 0 UpToDate "" -- --platform tdx --collateral "$tdx_v4" \
    --at 2025-07-19T10:00:34Z "$S/intel-tdx/dcapqvl_v4/quote.dat"
check dcapqvl_v4_crls_required 0 UpToDate "" -- --policy "$strict_crl" --collateral "$tdx_v4" \
    --at 2025-07-19T10:00:34Z "$S/intel-tdx/dcapqvl_v4/quote.dat"
check dcapqvl_v4_now 1 UpToDate \
    "tdx.pck.crl,tdx.qe_identity.expired,tdx.root.crl,tdx.tcb_info.expired" -- \
    --collateral "$tdx_v4" --at 2026-11-27T00:00:00Z "$S/intel-tdx/dcapqvl_v4/quote.dat"
check dcapqvl_v5_outdated 1 TcbLevelNotSupported "tdx.tcb.status" -- --collateral "$tdx_v5o" \
    --at 2026-03-20T10:41:14Z "$S/intel-tdx/dcapqvl_v5_outdated/quote.dat"
check gotdxguest_v4_spr 1 TcbLevelNotSupported "tdx.tcb.status" -- --collateral "$gt" \
    "${at_gt[@]}" "$SPR/quote.dat"
check trustee_v4_debug 1 UpToDate "tdx.td.debug" -- --collateral "$gt" "${at_gt[@]}" \
    "$S/intel-tdx/trustee_v4/quote.dat"
check trustee_v4_allow_debug 0 UpToDate "" -- --policy "$lenient_debug" --collateral "$gt" \
    "${at_gt[@]}" "$S/intel-tdx/trustee_v4/quote.dat"
check gotdxguest_v5 0 UpToDate "" -- --policy "$no_qe" --collateral "$gt5" \
    --at 2026-02-03T01:00:00Z "$S/intel-tdx/gotdxguest_v5/quote.dat"
check trustee_v5_module_outdated 1 TcbLevelNotSupported "tdx.tcb.status" -- --policy "$no_qe" \
    --collateral "$gt5" --at 2026-02-03T01:00:00Z "$S/intel-tdx/trustee_v5/quote.dat"
check trustee_fmspc00A06D 1 OutOfDate "tdx.tcb.status" -- --collateral "$f6d" \
    --at 2025-11-01T00:00:00Z "$F6D/quote.dat"
check azure_tdx_no_collateral 1 Unknown "tdx.qe_identity.missing,tdx.tcb_info.missing" -- \
    --at 2026-11-27T00:00:00Z "$S/intel-tdx/azure_tdx_v4_vtpm/quote.dat"
check cos113_no_collateral 1 Unknown "tdx.qe_identity.missing,tdx.tcb_info.missing" -- \
    --at 2026-11-27T00:00:00Z "$S/intel-tdx/gotdxguest_cos113_v4/quote.dat"
check occlum_debug 1 Unknown "sgx.enclave.debug,sgx.qe_identity.missing,sgx.tcb_info.missing" \
    -- --at 2026-11-27T00:00:00Z "$S/intel-sgx/trustee_occlum_v3/quote.dat"

# Negative vectors: each rejected by the check it targets.
N=$S/intel-tdx/negative
check neg_reportdata 1 TcbLevelNotSupported "tdx.quote.signature,tdx.tcb.status" -- \
    --collateral "$gt" "${at_gt[@]}" "$N/derived_gotdxguest_v4_reportdata_byte568_plus1.dat"
check neg_qereport 1 TcbLevelNotSupported "tdx.qe_report.signature,tdx.tcb.status" -- \
    --collateral "$gt" "${at_gt[@]}" "$N/derived_gotdxguest_v4_qereport_byte770_plus1.dat"
check neg_attestkey 1 TcbLevelNotSupported \
    "tdx.qe_report.binding,tdx.quote.attestation_key,tdx.quote.signature,tdx.tcb.status" -- \
    --collateral "$gt" "${at_gt[@]}" "$N/derived_gotdxguest_v4_attestkey_byte700_plus1.dat"
check neg_mrenclave 1 ConfigurationAndSWHardeningNeeded "sgx.quote.signature" -- \
    --policy "$lenient" --collateral "$sgx_v3" --at 2025-07-19T10:01:17Z \
    "$S/intel-sgx/negative/derived_dcapqvl_v3_mrenclave_byte112_plus1.dat"
head -c 1000 "$SPR/quote.dat" >"$tmp/truncated.dat"
check truncated_quote 1 - "tdx.quote.format" -- "$tmp/truncated.dat"
check wrong_platform 1 - "tdx.quote.tee_type" -- --platform tdx "$S/intel-sgx/dcapqvl_v3/quote.dat"

# --fetch from a local stand-in for Intel PCS: v4 paths, issuer chains in URL-encoded headers.
if ! command -v python3 >/dev/null; then
    echo "SKIP: python3 missing: PCS fetch not tested"
    skipped=$((skipped + 3))
else
    python3 - "$S/intel-tdx/dcapqvl_v4/collateral.json" "$tmp/pcs" <<'PY'
import json, os, sys, urllib.parse
c = json.load(open(sys.argv[1])); root = sys.argv[2]
def put(path, body, header=None):
    f = os.path.join(root, path.lstrip("/").replace("?", "@"))
    os.makedirs(os.path.dirname(f), exist_ok=True)
    open(f, "w").write(body)
    if header:
        open(f + ".headers", "w").write("%s: %s\n" % (header[0], urllib.parse.quote(header[1])))
put("/tdx/certification/v4/tcb?fmspc=b0c06f000000",
    '{"tcbInfo":%s,"signature":"%s"}' % (c["tcb_info"], c["tcb_info_signature"]),
    ("TCB-Info-Issuer-Chain", c["tcb_info_issuer_chain"]))
put("/tdx/certification/v4/qe/identity",
    '{"enclaveIdentity":%s,"signature":"%s"}' % (c["qe_identity"], c["qe_identity_signature"]),
    ("SGX-Enclave-Identity-Issuer-Chain", c["qe_identity_issuer_chain"]))
put("/sgx/certification/v4/pckcrl?ca=platform", c["pck_crl"],
    ("SGX-PCK-CRL-Issuer-Chain", c["pck_crl_issuer_chain"]))
put("/sgx/certification/v4/rootcacrl", c["root_ca_crl"])
PY
    cat >"$tmp/pcs.py" <<'PY'
import http.server, os, sys
root = sys.argv[1]
class PCS(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        f = os.path.join(root, self.path.lstrip("/").replace("?", "@"))
        if ".." in self.path or not os.path.isfile(f):
            self.send_error(404); return
        body = open(f, "rb").read()
        self.send_response(200)
        if os.path.isfile(f + ".headers"):
            for line in open(f + ".headers"):
                name, value = line.rstrip("\n").split(": ", 1)
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
server = http.server.HTTPServer(("127.0.0.1", 0), PCS)
print("port", server.server_address[1], flush=True)
server.serve_forever()
PY
    python3 "$tmp/pcs.py" "$tmp/pcs" >"$tmp/pcs.log" 2>&1 &
    server=$!
    for _ in $(seq 50); do
        grep -q "^port" "$tmp/pcs.log" && break
        sleep 0.1
    done
    port=$(sed -n 's/^port //p' "$tmp/pcs.log")
    pcs=(--fetch --pcs-url "http://127.0.0.1:$port" --cache "$tmp/pcs-cache")
    check pcs_fetch 0 UpToDate "" -- "${pcs[@]}" --policy "$strict_crl" \
        --at 2025-07-19T10:00:34Z "$S/intel-tdx/dcapqvl_v4/quote.dat"
    kill "$server"
    wait "$server" 2>/dev/null
    server=
    check pcs_from_cache 0 UpToDate "" -- "${pcs[@]}" --policy "$strict_crl" \
        --at 2025-07-19T10:00:34Z "$S/intel-tdx/dcapqvl_v4/quote.dat"
    check pcs_unreachable 2 - "" -- --fetch --pcs-url "http://127.0.0.1:$port" \
        --at 2025-07-19T10:00:34Z "$S/intel-tdx/dcapqvl_v4/quote.dat"
fi

finish
