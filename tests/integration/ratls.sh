#!/usr/bin/env bash
# `burh attest cert` end to end: made nil certificates, named rejections, genuine RA-TLS certs.
set -u
cd "$(dirname "$0")/../.."

build=${BURH_BUILD:-build/release}
shared=${BURH_SHARED_DIR:-../shared/attestation}
ratls_dir=$shared/optional/ra-tls
passed=0 failed=0 skipped=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

maker=$build/bin/burh-ratls
if [ ! -x "$maker" ]; then
    echo "FAIL: $maker does not exist (build first)"
    echo "0 passed, 1 failed"
    exit 1
fi
# Prefer the real command once the dispatcher has it; the driver runs the same code.
if [ -x "$build/bin/burh" ] && "$build/bin/burh" attest cert --help >/dev/null 2>&1; then
    cert_cmd=("$build/bin/burh" attest cert)
else
    cert_cmd=("$maker" verify)
fi

# expect NAME EXIT_CODE CHECK_OR_EMPTY -- ARGS...: runs the verifier, compares the exit code
# and, if given, requires "FAILED CHECK:" on stderr.
expect() {
    local name=$1 want=$2 check=$3
    shift 4
    "${cert_cmd[@]}" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL: $name: exit $rc, expected $want"; sed 's/^/    /' "$tmp/err" | head -5
        failed=$((failed + 1)); return
    fi
    if [ -n "$check" ] && ! grep -q "^FAILED $check:" "$tmp/err"; then
        echo "FAIL: $name: no failed check $check"; sed 's/^/    /' "$tmp/err" | head -5
        failed=$((failed + 1)); return
    fi
    echo "ok: $name"
    passed=$((passed + 1))
}

# no_failure NAME PATTERN: the last run failed no check matching PATTERN.
no_failure() {
    if grep -qE "^FAILED $2" "$tmp/err"; then
        echo "FAIL: $1"; grep -E "^FAILED $2" "$tmp/err" | sed 's/^/    /'
        failed=$((failed + 1))
    else
        echo "ok: $1"; passed=$((passed + 1))
    fi
}

# only_failure NAME CHECK: the last run failed CHECK and nothing else.
only_failure() {
    if grep -E "^FAILED " "$tmp/err" | grep -vq "^FAILED $2:"; then
        echo "FAIL: $1"; grep -E "^FAILED " "$tmp/err" | sed 's/^/    /'
        failed=$((failed + 1))
    else
        echo "ok: $1"; passed=$((passed + 1))
    fi
}

make_cert() { # OUT ARGS...
    local out=$1
    shift
    if ! "$maker" make --out "$out" "$@" 2>"$tmp/make-err"; then
        echo "FAIL: making $out"; cat "$tmp/make-err"; failed=$((failed + 1))
    fi
}

# ---- made here: nil evidence ----
echo '{"allow_backends": ["nil"]}' >"$tmp/allow-nil.json"
make_cert "$tmp/good.pem" --backend nil --nonce 00112233
expect "nil cert rejected by the default policy" 1 nil.unsigned -- "$tmp/good.pem" --nonce 00112233
only_failure "nil cert: every RA-TLS check passes" nil.unsigned
expect "nil cert accepted when nil is allowed" 0 "" -- "$tmp/good.pem" --nonce 00112233 \
    --policy "$tmp/allow-nil.json"
if grep -q '"nonce": "00112233"' "$tmp/out"; then
    echo "ok: claims show the nonce"; passed=$((passed + 1))
else
    echo "FAIL: claims show the nonce"; failed=$((failed + 1))
fi
expect "wrong nonce" 1 ratls.nonce -- "$tmp/good.pem" --nonce 0011 --policy "$tmp/allow-nil.json"
expect "expired (evaluated later)" 1 ratls.cert -- "$tmp/good.pem" --at 2099-01-01T00:00:00Z \
    --policy "$tmp/allow-nil.json"
make_cert "$tmp/old.pem" --backend nil --not-before 2020-01-01T00:00:00Z \
    --not-after 2020-02-01T00:00:00Z
expect "expired cert" 1 ratls.cert -- "$tmp/old.pem" --policy "$tmp/allow-nil.json"
expect "valid inside its window" 0 "" -- "$tmp/old.pem" --at 2020-01-15T00:00:00Z \
    --policy "$tmp/allow-nil.json"

# ---- usage and input errors ----
expect "no certificate given" 2 "" -- --nonce 00
expect "odd-length nonce" 2 "" -- "$tmp/good.pem" --nonce 123
expect "missing file" 2 "" -- "$tmp/absent.pem"
printf 'not a certificate' >"$tmp/junk.pem"
expect "junk file" 2 "" -- "$tmp/junk.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=plain \
    -keyout "$tmp/plain.key" -out "$tmp/plain.pem" -days 1 >/dev/null 2>&1
if [ -s "$tmp/plain.pem" ]; then
    expect "plain TLS cert: no evidence extension" 1 ratls.extension -- "$tmp/plain.pem"
fi

# ---- genuine certificates (CCC interoperability tests) ----
if [ -r "$ratls_dir/gramine-cert.pem" ]; then
    echo '{"allow_debug": true, "require_qe_identity": false}' >"$tmp/debug.json"
    for c in gramine-cert:2026-01-01T00:00:00Z intel-sgxsdk-cert:2026-01-01T00:00:00Z \
        rats-tls-cert:2023-06-01T00:00:00Z; do
        name=${c%%:*} at=${c#*:}
        expect "$name: debug enclave refused by default" 1 sgx.enclave.debug -- \
            "$ratls_dir/$name.pem" --at "$at"
        no_failure "$name: RA-TLS binding holds" 'ratls\.'
        expect "$name: with debug allowed only collateral is missing" 1 sgx.tcb_info.missing -- \
            "$ratls_dir/$name.pem" --at "$at" --policy "$tmp/debug.json"
        only_failure "$name: quote, QE, PCK chain and RA-TLS binding verify" sgx.tcb_info.missing
    done
    expect "rats-tls cert has expired" 1 ratls.cert -- "$ratls_dir/rats-tls-cert.pem"
else
    echo "SKIP: genuine RA-TLS certificates not found at $ratls_dir (set BURH_SHARED_DIR)"
    skipped=$((skipped + 1))
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
