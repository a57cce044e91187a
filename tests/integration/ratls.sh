#!/usr/bin/env bash
# `burh attest cert` end to end: made nil certificates, named rejections, genuine RA-TLS certs.
source "$(dirname "$0")/lib.sh"

ratls_dir=$shared/optional/ra-tls
maker=$build/bin/burh-ratls
[ -x "$maker" ] || die_unbuilt "$maker does not exist"
# Prefer the real command once the dispatcher has it; the driver runs the same code.
if [ -x "$build/bin/burh" ] && "$build/bin/burh" attest cert --help >/dev/null 2>&1; then
    verdict_cmd=("$build/bin/burh" attest cert)
else
    verdict_cmd=("$maker" verify)
fi

# no_failure NAME PATTERN: the last run failed no check matching PATTERN.
no_failure() {
    if grep -qE "^FAILED $2" "$tmp/err"; then
        grep -E "^FAILED $2" "$tmp/err" >"$tmp/unwanted"
        fail "$1" "$tmp/unwanted"
    else
        pass "$1"
    fi
}

# only_failure NAME CHECK: the last run failed CHECK and nothing else.
only_failure() {
    if grep -E "^FAILED " "$tmp/err" | grep -vq "^FAILED $2:"; then
        grep -E "^FAILED " "$tmp/err" >"$tmp/unwanted"
        fail "$1" "$tmp/unwanted"
    else
        pass "$1"
    fi
}

make_cert() { # OUT ARGS...
    local out=$1
    shift
    if ! "$maker" make --out "$out" "$@" 2>"$tmp/make-err"; then
        fail "making $out" "$tmp/make-err"
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
    pass "claims show the nonce"
else
    fail "claims show the nonce"
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
    skip "genuine RA-TLS certificates not found at $ratls_dir (set BURH_SHARED_DIR)"
fi

finish
