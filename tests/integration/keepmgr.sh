#!/usr/bin/env bash
# keepmgr.sh: burh-keepmgr + burh-keepldr (nil) + the fake-wasmldr test double on loopback:
# API, auth, bad requests, supervision, restart re-adoption, limits, 50 keeps at once.
set -u
cd "$(dirname "$0")/../.."
B=${BURH_BUILD:-build/release}
MGR=$B/bin/burh-keepmgr LDR=$B/bin/burh-keepldr FAKE=$B/tests/fake-wasmldr CLI=$B/tests/keeps-cli
# The keep's address-space limit leaves no room for ASan's shadow: the double is never ASan.
[ -x build/release/tests/fake-wasmldr ] && FAKE=build/release/tests/fake-wasmldr
passed=0 failed=0
for p in $MGR $LDR $FAKE $CLI; do
    [ -x "$p" ] || { echo "missing $p (make tests)"; echo "0 passed, 1 failed"; exit 1; }
done

WORK=$(mktemp -d /tmp/burh-keepmgr-test.XXXXXX)
MGR_PID=
cleanup() {
    [ -n "$MGR_PID" ] && kill "$MGR_PID" 2>/dev/null
    # Keeps outlive keepmgr by design: end the ones this test started, by their pids.
    for pid in $(cat "$WORK"/ldr-pids 2>/dev/null); do kill -9 -- -"$pid" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT

check() { # NAME COMMAND...
    local name=$1; shift
    if "$@" >"$WORK/check.out" 2>&1; then
        passed=$((passed + 1)); echo "ok   $name"
    else
        failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/     /' "$WORK/check.out" | head -20
    fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

TOKEN=0123456789abcdef-test-token
echo "$TOKEN" >"$WORK/token"
start_mgr() { # extra args...
    PORT=$(free_port)
    $MGR --listen 127.0.0.1:$PORT --state-dir "$WORK/state" --token-file "$WORK/token" \
        --keepldr $LDR --wasmldr $FAKE --start-timeout 3 --client-timeout 2 "$@" \
        >>"$WORK/mgr.log" 2>&1 &
    MGR_PID=$!
    for _ in $(seq 50); do
        grep -q "listening.*port=$PORT" "$WORK/mgr.log" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
stop_mgr() { kill "$MGR_PID"; wait "$MGR_PID" 2>/dev/null; MGR_PID=; }

URL() { echo "http://127.0.0.1:$PORT$1"; }
AUTH=(-H "Authorization: Bearer $TOKEN")
# status code of a request: METHOD PATH [curl args...]
code() { local m=$1 p=$2; shift 2; curl -s -o "$WORK/body" -w '%{http_code}' -X "$m" "$@" "$(URL "$p")"; }

# keep-create body for a 16-byte nonce given as 32 hex digits, backend nil, 64 MiB
create_body() { printf 'a4617601656e6f6e636550%s676261636b656e64636e696c6a6d656d6f72795f6d6962183f' "$1" | xxd -r -p; }
nonce() { printf '%s%0*d' "$1" $((32 - ${#1})) "$2"; } # PREFIX N -> 32 hex digits
create() { # NONCE -> prints the id
    create_body "$1" >"$WORK/req.$1"
    curl -s -X POST "${AUTH[@]}" -H 'Content-Type: application/cbor' --data-binary @"$WORK/req.$1" \
        "$(URL /v1/keeps)" | grep -ao '[0-9a-f]\{32\}' | head -1
    pgrep -f -- "burh-keepldr --backend nil --nonce $1" >>"$WORK/ldr-pids"
}
field() { $CLI show "$1" --host 127.0.0.1:$PORT --token-file "$WORK/token" | sed -n "s/^$2: *//p"; }
wait_state() { # ID STATE [tries]
    for _ in $(seq "${3:-50}"); do [ "$(field "$1" state)" = "$2" ] && return 0; sleep 0.1; done
    echo "keep $1 is $(field "$1" state), wanted $2 ($(field "$1" reason))"; return 1
}
ldr_pid() { pgrep -f -- "burh-keepldr --backend nil --nonce $1"; }

check "keepmgr starts" start_mgr --max-keeps 8

# ---- auth ----
check "no token: 401" test "$(code GET /v1/keeps)" = 401
check "wrong token: 401" test "$(code GET /v1/keeps -H 'Authorization: Bearer nope')" = 401
check "401 body is a CBOR error" grep -aq unauthorized "$WORK/body"
check "right token: 200" test "$(code GET /v1/platform "${AUTH[@]}")" = 200
check "platform lists nil available" grep -aq 'sandboxed process' "$WORK/body"

# ---- create / list / show / reach / delete ----
N1=$(nonce 00 1)
ID1=$(create "$N1")
check "create returns an id" test -n "$ID1"
check "keep becomes ready" wait_state "$ID1" ready
EP1=$(field "$ID1" endpoint)
check "endpoint answers with our nonce" sh -c "curl -s http://$EP1/ | grep -q 'nonce=$N1'"
check "keep runs as an unprivileged uid" sh -c "curl -s http://$EP1/ | grep -q 'uid=1000'"
check "list shows the keep" sh -c "$CLI list --host 127.0.0.1:$PORT --token-file $WORK/token | grep -q '$ID1  ready'"
check "record file written" test -f "$WORK/state/$ID1.keep"

# ---- bad requests leave keepmgr serving ----
check "garbage body: 400" test "$(code POST /v1/keeps "${AUTH[@]}" -H 'Content-Type: application/cbor' --data-binary 'hello garbage')" = 400
check "truncated CBOR: 400" test "$(code POST /v1/keeps "${AUTH[@]}" -H 'Content-Type: application/cbor' --data-binary @<(head -c 20 "$WORK/req.$N1"))" = 400
check "wrong content type: 415" test "$(code POST /v1/keeps "${AUTH[@]}" --data-binary @"$WORK/req.$N1")" = 415
check "5000-byte body: 413" test "$(code POST /v1/keeps "${AUTH[@]}" -H 'Content-Type: application/cbor' --data-binary @<(head -c 5000 /dev/zero))" = 413
check "1 MiB body: 413" test "$(code POST /v1/keeps "${AUTH[@]}" -H 'Content-Type: application/cbor' --data-binary @<(head -c 1048576 /dev/zero))" = 413
check "1 MiB body: CBOR too_large error" grep -aq too_large "$WORK/body"
# a declared Content-Length of 1 GB and no body at all: answered from the head alone
huge_cl() {
    python3 - "$PORT" "$TOKEN" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"POST /v1/keeps HTTP/1.1\r\nHost: k\r\nAuthorization: Bearer " + sys.argv[2].encode() +
          b"\r\nContent-Type: application/cbor\r\nContent-Length: 1000000000\r\n\r\n")
out = b""
while True:
    c = s.recv(4096)
    if not c:
        break
    out += c
sys.exit(0 if out.startswith(b"HTTP/1.1 413") and b"too_large" in out else 1)
PY
}
check "1 GB Content-Length, no body sent: CBOR 413 at once" huge_cl
# held GETs (?while=STATE&wait=S): kept until the state changes, or S seconds
held_timeout() { # a ready keep held "while ready" for 1 s: answered after the hold, still ready
    local t
    t=$(curl -s -o "$WORK/held" -w '%{time_total}' --max-time 5 "${AUTH[@]}" \
        "$(URL "/v1/keeps/$ID1")?while=ready&wait=1") || return 1
    awk -v t="$t" 'BEGIN {exit !(t >= 0.9 && t < 4)}' || { echo "answered after $t s"; return 1; }
    grep -aq ready "$WORK/held"
}
check "held GET: answered when the hold runs out" held_timeout
held_change() { # a new keep held "while starting": answered as soon as it is ready
    local n id t
    n=$(nonce cc 7)
    id=$(create "$n")
    t=$(curl -s -o "$WORK/held" -w '%{time_total}' --max-time 20 "${AUTH[@]}" \
        "$(URL "/v1/keeps/$id")?while=starting&wait=15") || return 1
    grep -aq ready "$WORK/held" || { echo "not ready after $t s"; return 1; }
    awk -v t="$t" 'BEGIN {exit !(t < 10)}' || { echo "answered after $t s"; return 1; }
    curl -s -o /dev/null -X DELETE "${AUTH[@]}" "$(URL "/v1/keeps/$id")"
}
check "held GET: answered when the keep becomes ready" held_change
held_delete() { # a GET held for a ready keep is answered with its end when it is deleted
    local n id
    n=$(nonce cc 8)
    id=$(create "$n")
    wait_state "$id" ready || return 1
    curl -s -o "$WORK/held" --max-time 20 "${AUTH[@]}" \
        "$(URL "/v1/keeps/$id")?while=ready&wait=15" &
    local c=$!
    sleep 0.3
    curl -s -o /dev/null -X DELETE "${AUTH[@]}" "$(URL "/v1/keeps/$id")"
    wait "$c" || return 1
    grep -aq "deleted by client" "$WORK/held" || { echo "held answer: $(head -c 200 "$WORK/held")"; return 1; }
}
check "held GET: answered with the end when the keep is deleted" held_delete
check "held GET: a bad hold is answered at once" test "$(code GET "/v1/keeps/$ID1?while=nonsense&wait=5" "${AUTH[@]}")" = 200
check "unknown path: 404" test "$(code GET /v1/nothing "${AUTH[@]}")" = 404
check "bad keep id: 404" test "$(code GET /v1/keeps/../../etc "${AUTH[@]}")" = 404
check "PUT: 405" test "$(code PUT /v1/keeps "${AUTH[@]}")" = 405
check "snp keep refused honestly here: 422" test "$(code POST /v1/keeps "${AUTH[@]}" -H 'Content-Type: application/cbor' --data-binary @<(printf 'a4617601656e6f6e636550%s676261636b656e6463736e706a6d656d6f72795f6d6962183f' "$N1" | xxd -r -p))" = 422
# slow clients: half a request line, then silence; and a raw garbage connection
(exec 3<>/dev/tcp/127.0.0.1/$PORT; printf 'GET /v1/ke' >&3; sleep 4) &
SLOW=$!
(exec 3<>/dev/tcp/127.0.0.1/$PORT; head -c 3000 /dev/urandom >&3; sleep 1) 2>/dev/null &
sleep 0.3
check "served while a slow client hangs" test "$(code GET /v1/keeps "${AUTH[@]}")" = 200
check "slow client cut after --client-timeout" sh -c "sleep 2.5; ! ss -tn state established '( dport = :$PORT )' | grep -q 127.0.0.1"
kill $SLOW 2>/dev/null
check "still serving after all that" test "$(code GET /v1/keeps/$ID1 "${AUTH[@]}")" = 200

# ---- supervision ----
N2=$(nonce 00 2); ID2=$(create "$N2")
check "second keep ready" wait_state "$ID2" ready
kill -9 "$(ldr_pid "$N2")"
check "killed keepldr: failed" wait_state "$ID2" failed
check "reason names the signal" sh -c "$CLI show $ID2 --host 127.0.0.1:$PORT --token-file $WORK/token | grep -q 'killed by signal 9'"
check "other keep untouched" test "$(field "$ID1" state)" = ready
check "killed keepldr's wasmldr gone too" sh -c "sleep 0.3; ! pgrep -f '[f]ake-wasmldr.*--nonce $N2'"
ID3=$(create "$(nonce e107 3)")
check "keep exit: exited" wait_state "$ID3" exited
check "keep exit status 7" test "$(field "$ID3" exit_status)" = 7
ID4=$(create "$(nonce e2 4)")
check "never ready: failed at the start-up deadline" wait_state "$ID4" failed 60
check "deadline reason" sh -c "$CLI show $ID4 --host 127.0.0.1:$PORT --token-file $WORK/token | grep -q 'not ready within 3 s'"
ID5=$(create "$(nonce e3 5)")
check "garbage status records: failed" wait_state "$ID5" failed
ID6=$(create "$(nonce e5 6)")
check "fork in the keep: ended" wait_state "$ID6" exited
check "fork in the keep: seccomp named" sh -c "$CLI show $ID6 --host 127.0.0.1:$PORT --token-file $WORK/token | grep -q 'forbidden system call'"
ID7=$(create "$(nonce e6 7)")
check "file write in the keep: ended" wait_state "$ID7" exited
check "no file escaped the sandbox" test ! -e /tmp/fake-wasmldr-escape
ID8=$(create "$(nonce e4 8)")
check "crashing keep: exited with 139" sh -c "$(declare -f field wait_state); CLI=$CLI PORT=$PORT WORK=$WORK; wait_state $ID8 exited && test \"\$(field $ID8 exit_status)\" = 139"

# ---- delete ----
NDEL=$(nonce 00 9); IDDEL=$(create "$NDEL")
wait_state "$IDDEL" ready >/dev/null
PDEL=$(ldr_pid "$NDEL")
check "delete: 200" test "$(code DELETE /v1/keeps/$IDDEL "${AUTH[@]}")" = 200
check "deleted keep: 404" test "$(code GET /v1/keeps/$IDDEL "${AUTH[@]}")" = 404
check "deleted keep's process gone" sh -c "! kill -0 $PDEL 2>/dev/null"
check "deleted keep's files gone" sh -c "! ls $WORK/state | grep -q $IDDEL"

check "burh keeps delete shows the final state" sh -c "$CLI delete $ID7 --host 127.0.0.1:$PORT --token-file $WORK/token | grep -q '^state: *exited'"
check "burh keeps show of a deleted keep: 404" sh -c "$CLI show $ID7 --host 127.0.0.1:$PORT --token-file $WORK/token 2>&1 | grep -q 'HTTP 404 not_found'"
check "burh keeps refuses a bad id locally" sh -c "! $CLI show ../x --host 127.0.0.1:$PORT 2>/dev/null"

# ---- restart: live keeps are re-adopted, dead ones marked failed ----
N10=$(nonce 00 10); ID10=$(create "$N10")
check "keep for restart ready" wait_state "$ID10" ready
stop_mgr
kill -9 "$(ldr_pid "$N10")"
sleep 0.3
check "keepmgr restarts" start_mgr --max-keeps 8
check "ready keep re-adopted" wait_state "$ID1" ready
check "re-adopted keep still answers" sh -c "curl -s http://$EP1/ | grep -q 'nonce=$N1'"
check "keep that died while down: failed" wait_state "$ID10" failed
check "exited keep still reported" test "$(field "$ID3" exit_status)" = 7
kill -9 "$(ldr_pid "$N1")"
check "re-adopted keep's death noticed" wait_state "$ID1" failed 30

# ---- limits and 50 keeps at once ----
stop_mgr
rm -rf "$WORK/state"
check "keepmgr with --max-keeps 50" start_mgr --max-keeps 50 --start-timeout 60
pids=()
for i in $(seq 100 149); do create "$(nonce 00 $i)" >>"$WORK/ids" & pids+=($!); done
wait "${pids[@]}"
check "50 ids returned" test "$(sort -u "$WORK/ids" | grep -c .)" = 50
all_ready() {
    for _ in $(seq 300); do
        n=$($CLI list --host 127.0.0.1:$PORT --token-file "$WORK/token" | grep -c ' ready ')
        [ "$n" = 50 ] && return 0; sleep 0.2
    done
    echo "$n of 50 ready"; return 1
}
check "50 keeps ready" all_ready
check "51st keep: 429" test "$(code POST /v1/keeps "${AUTH[@]}" -H 'Content-Type: application/cbor' --data-binary @"$WORK/req.$N1")" = 429
check "429 body says keep_limit" grep -aq keep_limit "$WORK/body"
pids=()
for id in $(cat "$WORK/ids"); do curl -s -o /dev/null -X DELETE "${AUTH[@]}" "$(URL /v1/keeps/$id)" & pids+=($!); done
wait "${pids[@]}"
check "all 50 deleted" test "$($CLI list --host 127.0.0.1:$PORT --token-file "$WORK/token" | grep -c .)" = 0
check "keepmgr still alive" kill -0 "$MGR_PID"

stop_mgr

# ---- TLS (bufferevent_openssl) and the CLI over https ----
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
check "keepmgr with TLS" start_mgr --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem"
check "https request verified against the cert: 200" test "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$WORK/cert.pem" "${AUTH[@]}" https://127.0.0.1:$PORT/v1/platform)" = 200
check "plain http to the TLS port gets nothing" sh -c "! curl -s -m 3 http://127.0.0.1:$PORT/v1/platform"
check "burh keeps list over https" $CLI list --host 127.0.0.1:$PORT --token-file "$WORK/token" --cacert "$WORK/cert.pem"
echo wrong-token-wrong-token >"$WORK/bad"
check "burh keeps: wrong token fails" sh -c "! $CLI list --host 127.0.0.1:$PORT --token-file $WORK/bad --cacert $WORK/cert.pem"
check "burh keeps: says 401 unauthorized" sh -c "$CLI list --host 127.0.0.1:$PORT --token-file $WORK/bad --cacert $WORK/cert.pem 2>&1 | grep -q 'HTTP 401 unauthorized'"
check "still serving after a TLS garbage connection" sh -c "head -c 2000 /dev/urandom | timeout 3 bash -c 'cat >/dev/tcp/127.0.0.1/$PORT' 2>/dev/null; curl -s -o /dev/null -w '%{http_code}' --cacert $WORK/cert.pem -H 'Authorization: Bearer $TOKEN' https://127.0.0.1:$PORT/v1/keeps | grep -q 200"
stop_mgr

# ---- the real burh-wasmldr (not the double): 50 deploys at once, restart, a killed keepldr ----
REAL=build/release/bin/burh-wasmldr DEPLOY=build/release/bin/burh-deploy EX=build/wasm/examples
if [ -x $REAL ] && [ -x $DEPLOY ] && [ -f $EX/hello.wasm ] && [ -f $EX/sleeper.wasm ]; then
    rm -rf "$WORK/state"
    check "keepmgr with the real wasmldr" start_mgr --wasmldr $REAL --max-keeps 60 --start-timeout 60
    dep() { timeout 120 $DEPLOY --host 127.0.0.1:$PORT --token-file "$WORK/token" \
        --insecure-allow-backend nil "$@"; }
    # while bad clients hold keepmgr: garbage, an oversized body, a slow request
    head -c 100000 /dev/urandom | timeout 5 bash -c "cat >/dev/tcp/127.0.0.1/$PORT" 2>/dev/null &
    head -c 300000 /dev/zero | timeout 5 curl -s -o /dev/null -X POST "${AUTH[@]}" \
        -H 'Content-Type: application/cbor' --data-binary @- "$(URL /v1/keeps)" &
    (printf 'POST /v1/keeps HTTP/1.1\r\nHost: x\r\n'; sleep 4) |
        timeout 6 bash -c "cat >/dev/tcp/127.0.0.1/$PORT" 2>/dev/null &
    pids=()
    for i in $(seq 50); do
        (dep $EX/hello.wasm >"$WORK/d$i.out" 2>"$WORK/d$i.err"; echo $? >"$WORK/d$i.rc") &
        pids+=($!)
    done
    wait "${pids[@]}"
    all_hello() {
        for i in $(seq "$1"); do
            [ "$(cat "$WORK/d$i.rc")" = 0 ] && grep -q "Hello from WebAssembly" "$WORK/d$i.out" ||
                { echo "deploy $i: rc $(cat "$WORK/d$i.rc"): $(head -c 300 "$WORK/d$i.err")"; return 1; }
        done
    }
    check "50 deploys of hello at once: every output and status" all_hello 50
    ended_ok() { # every keep exited 0 with wasmldr's own reason
        $CLI list --host 127.0.0.1:$PORT --token-file "$WORK/token" >"$WORK/list" || return 1
        [ "$(grep -c ' exited ' "$WORK/list")" -ge 50 ] || { cat "$WORK/list"; return 1; }
    }
    check "50 keeps exited" ended_ok
    check "exit reason from wasmldr" grep -q "exited .* 0  workload exited with status 0$" "$WORK/list"

    # 100 deploys in a row: every response arrives whole (the TLS stream is never cut short)
    seq_hello() {
        for i in $(seq 100); do
            dep $EX/hello.wasm >"$WORK/s.out" 2>"$WORK/s.err" &&
                grep -q "Hello from WebAssembly" "$WORK/s.out" ||
                { echo "deploy $i: $(head -c 300 "$WORK/s.err")"; return 1; }
        done
    }
    check "100 deploys in a row, every output whole" timeout 300 bash -c "$(declare -f dep seq_hello); PORT=$PORT WORK=$WORK DEPLOY=$DEPLOY EX=$EX seq_hello"

    # keepmgr restarted while a real keep waits for its workload: re-adopted, still deployable
    RN=$(nonce aa 1); RID=$(create "$RN")
    check "real keep ready" wait_state "$RID" ready 100
    REP=$(field "$RID" endpoint)
    stop_mgr
    check "keepmgr restarts with a live real keep" start_mgr --wasmldr $REAL --max-keeps 60
    check "real keep re-adopted as ready" wait_state "$RID" ready
    check "deploy to the re-adopted keep" sh -c "timeout 60 $DEPLOY --direct $REP --direct-nonce $RN --insecure-allow-backend nil $EX/hello.wasm 2>/dev/null | grep -q 'Hello from WebAssembly'"
    check "re-adopted keep's end seen" wait_state "$RID" exited 50

    running() { for _ in $(seq 100); do
        [ "$($CLI list --host 127.0.0.1:$PORT --token-file "$WORK/token" | grep -c ' running ')" = "$1" ] && return 0
        sleep 0.1; done; echo "not $1 running"; return 1; }
    # a client that goes away mid-run: the program is stopped and the keep says why
    $DEPLOY --host 127.0.0.1:$PORT --token-file "$WORK/token" --insecure-allow-backend nil \
        $EX/sleeper.wasm 30 >/dev/null 2>&1 &
    C1=$!
    check "sleeper for a vanishing client running" running 1
    GONE=$($CLI list --host 127.0.0.1:$PORT --token-file "$WORK/token" | awk '/ running /{print $1}')
    kill -9 "$C1"
    wait "$C1" 2>/dev/null
    check "client went away: keep exited with that reason" wait_state "$GONE" exited 50
    check "client went away: reason" sh -c "$CLI show $GONE --host 127.0.0.1:$PORT --token-file $WORK/token | grep -q 'reason: *client went away'"

    # a killed keepldr: its client gets a clear error, the other keep goes on
    (dep $EX/sleeper.wasm 30 >"$WORK/k1.out" 2>"$WORK/k1.err"; echo $? >"$WORK/k1.rc") &
    K1=$!
    check "first sleeper running" running 1
    VICTIM=$(pgrep -P "$MGR_PID" -f burh-keepldr | head -1)
    (dep $EX/sleeper.wasm 2 >"$WORK/k2.out" 2>"$WORK/k2.err"; echo $? >"$WORK/k2.rc") &
    K2=$!
    check "second sleeper running" running 2
    kill -9 "$VICTIM"
    wait "$K1" "$K2"
    check "killed keepldr: deploy exits 4" test "$(cat "$WORK/k1.rc")" = 4
    check "killed keepldr: the error names the cause" grep -q "keepldr killed by signal 9" "$WORK/k1.err"
    check "the other keep finished normally" sh -c "test \"\$(cat $WORK/k2.rc)\" = 0 && grep -q 'woke up' $WORK/k2.out"
    check "keepmgr still alive" kill -0 "$MGR_PID"
    stop_mgr
else
    echo "SKIP real wasmldr tests: burh-wasmldr, burh-deploy or the Wasm examples are not built"
fi

# ---- launcher systemd: refused clearly where systemd does not run ----
if [ -d /run/systemd/system ]; then
    echo "SKIP --launcher systemd refusal: systemd runs here"
else
    check "--launcher systemd refused without systemd" sh -c "! $MGR --listen 127.0.0.1:1 --state-dir $WORK/s2 --keepldr $LDR --launcher systemd 2>$WORK/sd.err && grep -q 'systemd is not running' $WORK/sd.err"
fi
check "bad --listen refused" sh -c "! $MGR --listen nonsense --state-dir $WORK/s3 --keepldr $LDR 2>/dev/null"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
