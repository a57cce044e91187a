#!/usr/bin/env bash
# tcb.sh: `burh tcb --json` has its documented shape and its figures agree with binutils.
source "$(dirname "$0")/lib.sh"
BIN=$build/bin

# check NAME COMMAND...: passes when COMMAND succeeds (its output is not wanted).
check() {
    if "${@:2}" >/dev/null 2>&1; then
        passed=$((passed + 1))
    else
        fail "$1"
    fi
}

if "$BIN/burh" tcb --help >/dev/null 2>&1; then
    TCB=("$BIN/burh" tcb)
else
    echo "FAIL: '$BIN/burh tcb' does not run"
    failed=1
    finish
fi
if ! command -v jq >/dev/null; then
    skip "jq is not installed: the JSON cannot be checked"
    finish
fi

J=$tmp/tcb.json
"${TCB[@]}" --json --bin-dir "$BIN" >"$J" 2>"$tmp/err"
check "--json exits 0 and prints one JSON object" jq -e 'type == "object"' "$J"
q() { jq -r "$1" "$J"; }

check "schema is burh-tcb/1" test "$(q .schema)" = burh-tcb/1
for key in build lines_of_code binaries linked_code api io crypto backends; do
    check "top-level key $key" jq -e "has(\"$key\")" "$J"
done
check "four backends in order" test "$(q '[.backends[].backend] | join(",")')" = nil,kvm,snp,tdx
for b in 0 1 2 3; do
    for key in threat_model memory_shared_with_host caches_shared_with_host dma syscalls \
        keep_code_bytes trusted_binaries; do
        check "backend $b has $key" jq -e ".backends[$b] | has(\"$key\")" "$J"
    done
done

# Lines of code: present, non-zero for every trusted component, totals add up.
check "every trusted component has lines" \
    jq -e '[.lines_of_code.components[] | select(.trusted) | .lines > 0] | all' "$J"
check "trusted total is the sum" jq -e \
    '.lines_of_code.trusted_total == ([.lines_of_code.components[] | select(.trusted) | .lines] | add)' "$J"
engine_files=$(find src/engine -type f \( -name '*.c' -o -name '*.h' -o -name '*.inc' \) | wc -l)
check "engine file count matches the tree" test "$(q '.lines_of_code.components[] | select(.component == "engine") | .files')" = "$engine_files"
engine_raw=$(cat $(find src/engine -type f \( -name '*.c' -o -name '*.h' -o -name '*.inc' \)) | grep -c '[^[:space:]]')
engine_loc=$(q '.lines_of_code.components[] | select(.component == "engine") | .lines')
check "engine code lines are fewer than its non-blank lines" test "$engine_loc" -lt "$engine_raw"
check "optimisation flag embedded" jq -e '.build.optimisation | length > 0' "$J"

# Each binary that exists: sizes as stat and readelf see them, DT_NEEDED as readelf/ldd.
for name in burh-wasmldr burh-wasmldr-static burh-shim.elf burh; do
    f=$BIN/$name
    sel=".binaries[] | select(.name == \"$name\")"
    if [ ! -f "$f" ]; then
        check "$name reported missing" test "$(q "$sel | .present")" = false
        continue
    fi
    check "$name present" test "$(q "$sel | .present")" = true
    check "$name file size = stat" test "$(q "$sel | .file_bytes")" = "$(stat -c %s "$f")"
    exec_sum=0
    while read -r size; do exec_sum=$((exec_sum + size)); done < <(readelf -lW "$f" |
        awk '$1 == "LOAD" && ($7 == "E" || $8 == "E" || $7 ~ /E/) { print $6 }')
    check "$name executable bytes = readelf PF_X LOAD memsz" test "$(q "$sel | .exec_bytes")" = "$exec_sum"
    text_hex=$(readelf -SW "$f" | sed -n 's/.*\] \.text  *[A-Z]*  *[0-9a-f]*  *[0-9a-f]*  *\([0-9a-f]*\) .*/\1/p' | head -1)
    check "$name .text = readelf" test "$(q "$sel | .text_bytes")" = "$((16#${text_hex:-0}))"
    readelf -dW "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' >"$tmp/needed.want"
    q "$sel | .needed[].name" >"$tmp/needed.got"
    check "$name DT_NEEDED = readelf -d" cmp "$tmp/needed.want" "$tmp/needed.got"
    if [ -s "$tmp/needed.want" ]; then
        ldd "$f" >"$tmp/ldd" 2>&1
        all=1
        while read -r lib; do
            path=$(q "$sel | .needed[] | select(.name == \"$lib\") | .path")
            grep -q "$lib => $(readlink -f "$path")\|$lib => $path" "$tmp/ldd" ||
                grep -q "$lib => .*$(basename "$path")" "$tmp/ldd" || all=0
        done <"$tmp/needed.want"
        check "$name needed libraries resolve where ldd finds them" test "$all" = 1
    else
        check "$name is static" test "$(q "$sel | .linkage")" = static
    fi
    want=$(strings -n 4 "$f" | wc -l)
    got=$(q "$sel | .strings.total")
    check "$name strings within 2% of strings -n 4 ($got vs $want)" \
        test $((got * 100 >= want * 98 && got * 100 <= want * 102)) = 1
    check "$name string categories add up" jq -e \
        "$sel | .strings.total == (.strings.categories | add)" "$J"
done

# Link maps: the static parts of the keep add up to about its .text.
for name in burh-wasmldr burh-wasmldr-static burh-shim.elf; do
    if [ "$(q ".linked_code[\"$name\"].measured")" = true ]; then
        total=$(q ".linked_code[\"$name\"].total_code_bytes")
        text=$(q ".binaries[] | select(.name == \"$name\") | .exec_bytes")
        check "$name link-map code ($total) within 5% of its code ($text)" \
            test $((total * 100 >= text * 95 && total <= text)) = 1
    else
        skip "$name link map not measured: $(q ".linked_code[\"$name\"].why")"
    fi
done

# The kvm keep's payload is static: every library in it is named by the link map.
if [ "$(q '.linked_code["burh-wasmldr-static"].measured')" = true ]; then
    for lib in libcrypto.a libssl.a libevent_core.a libjansson.a libc.a libburh.a; do
        check "burh-wasmldr-static's link map has $lib code" jq -e \
            "[.linked_code[\"burh-wasmldr-static\"].static_parts[] | select(.library == \"$lib\" and .code_bytes > 0)] | length == 1" "$J"
    done
    check "burh-wasmldr-static links no libcurl" jq -e \
        '[.linked_code["burh-wasmldr-static"].static_parts[] | select(.library | test("curl"))] | length == 0' "$J"
    # The keep makes evidence and never checks any: no verifier object may be linked in.
    map=$build/gen/burh-wasmldr-static.map
    for obj in verifier.o ratls_verify.o snp_verify.o dcap.o unsigned_verify.o policy.o; do
        check "burh-wasmldr-static links no $obj" test "$(grep -c "libburh.a($obj)" "$map")" = 0
    done
fi

# Shim backends (kvm; snp and tdx assumed the same): the shim and the static payload.
for b in 1 2 3; do
    check "backend $b trusts the shim and burh-wasmldr-static" test \
        "$(q ".backends[$b].trusted_binaries | join(\",\")")" = burh-shim.elf,burh-wasmldr-static
done
check "snp and tdx say their figures are assumed" jq -e \
    '[.backends[2,3] | .syscalls.assumed | type == "string"] | all' "$J"
check "snp and tdx threat models say what is assumed" jq -e \
    '[.backends[2,3] | .keep_boundary | test("ASSUMED")] | all' "$J"
if [ -f "$BIN/burh-wasmldr-static" ] && [ -f "$BIN/burh-shim.elf" ]; then
    want=$(jq '[.binaries[] | select(.name == "burh-wasmldr-static" or .name == "burh-shim.elf") | .exec_bytes] | add' "$J")
    check "kvm keep code = shim + burh-wasmldr-static executable bytes ($want)" jq -e \
        ".backends[1].keep_code_bytes | .burh_binaries_exec_bytes == $want and .libraries_text_bytes == 0" "$J"
fi

# kvm syscalls: counted in a keep or derived from the nil trace, and the report says which.
method=$(q .backends[1].syscalls.method)
check "kvm syscall method is counted, derived or not measured ($method)" \
    grep -qxE 'counted|derived|not measured' <<<"$method"
case $method in
counted)
    check "counted: write and exit_group were seen" jq -e \
        '.backends[1].syscalls | (.served_locally + .forwarded_to_host) | (index("write") != null and index("exit_group") != null)' "$J"
    check "counted: the counts add up to the calls" jq -e \
        '.backends[1].syscalls.run.stats | .calls == ([.served[], .forwarded[], .refused[] | .count] | add)' "$J"
    check "counted: the workload completed" jq -e '.backends[1].syscalls.run.client_exit == 0' "$J"
    ;;
derived)
    check "derived: says why it was not counted" jq -e \
        '.backends[1].syscalls.why_not_counted | type == "string" and length > 0' "$J"
    check "derived: the note says NOT counted" jq -e '.backends[1].syscalls.note | test("NOT counted")' "$J"
    ;;
esac

# Cryptography: what the dynamic loader imports, the static one contains too (same objects).
if [ "$(q .crypto.binary_scanned)" = true ] && [ "$(q .crypto.static_binary_scanned)" = true ]; then
    check "crypto symbols of burh-wasmldr are in burh-wasmldr-static" jq -e \
        '[.crypto.operations[] | (.symbols_found - .symbols_found_static) | length == 0] | all' "$J"
    check "ECDSA signing symbols found in the static keep" jq -e \
        '.crypto.operations[1].symbols_found_static | length > 0' "$J"
fi

# API: counts from the sources.
hc=$(grep -cE '^ *BURH_HC_[A-Z0-9_]+ = [0-9]+' include/burh/hostcall_abi.h)
check "hostcall count = header minus NONE and COUNT" test "$(q .api.hostcalls.count)" = $((hc - 2))
check "hostcall block is 4 KiB + BURH_HC_DATA_MAX" test "$(q .api.hostcalls.shared_block_bytes)" = 69632
check "kvm shares the hostcall block" test \
    "$(q '.backends[1].memory_shared_with_host.hostcall_block_bytes')" = 69632
wasi=$(cat src/wasi/calls_*.c | grep -cE '^ *\{"[a-z_0-9]+", *"[iI]*", *"i?", *[a-z_0-9]+ *\},')
check "WASI function count = the name tables ($wasi)" test "$(q .api.wasi.count)" = "$wasi"
check "the workload endpoint and its limit" jq -e \
    '.api.http.endpoints[0].path == "/v1/workload" and .api.http.endpoints[0].max_request_bytes == 83886080' "$J"

# Syscalls, sockets and files: measured when strace and the loader are there.
if [ "$(q .io.measured)" = true ]; then
    for call in socket bind listen read write; do
        check "traced syscalls include $call" jq -e ".io.syscalls | index(\"$call\") != null" "$J"
    done
    check "the loader opened an AF_INET stream socket" jq -e \
        '[.io.sockets[] | select(.domain == "AF_INET" and .type == "SOCK_STREAM")] | length == 1' "$J"
    check "loaded libraries have code sizes" jq -e '[.io.libraries[].text_bytes > 0] | all' "$J"
    if [ "$method" = derived ]; then
        check "kvm (derived) sorts every traced syscall" jq -e \
            '(.backends[1].syscalls | (.served_locally + .forwarded_to_host + .refused_enosys) | length) == (.io.syscalls | length)' "$J"
    fi
else
    skip "syscalls not traced: $(q .io.why)"
fi

# The kvm fallbacks, with stand-ins for burh-keepldr in a copy of the bin dir: one whose --help
# lacks --syscall-stats, one that runs the real keep but writes counts that do not add up.
fake=$tmp/fakebin
mkdir -p "$fake"
for f in "$BIN"/*; do ln -s "$(readlink -f "$f")" "$fake/"; done
rm -f "$fake/burh-keepldr"
cat >"$fake/burh-keepldr" <<'STANDIN'
#!/usr/bin/env bash
# test stand-in: the real keepldr ($TCB_REAL_KEEPLDR); --syscall-stats as $TCB_FAKE_STATS says
if [ "$1" = --help ]; then
    "$TCB_REAL_KEEPLDR" --help 2>&1 | grep -v -- --syscall-stats
    [ "$TCB_FAKE_STATS" = none ] || echo "  --syscall-stats FILE"
    exit 0
fi
args=() stats=
while [ $# -gt 0 ]; do
    if [ "$1" = --syscall-stats ]; then stats=$2; shift 2; else args+=("$1"); shift; fi
done
"$TCB_REAL_KEEPLDR" "${args[@]}"
rc=$?
[ -n "$stats" ] && printf '# burh kvm syscalls: 1 distinct, 9 calls\nwrite served 1\n' >"$stats"
exit $rc
STANDIN
chmod +x "$fake/burh-keepldr"
export TCB_REAL_KEEPLDR
TCB_REAL_KEEPLDR=$(readlink -f "$BIN/burh-keepldr")
if [ ! -f "$BIN/burh-wasmldr-static" ]; then
    skip "no burh-wasmldr-static in $BIN (release builds make it): kvm fallbacks not tried"
    check "without burh-wasmldr-static: derived, and says so" jq -e \
        '.backends[1].syscalls.why_not_counted | test("burh-wasmldr-static is not built")' "$J"
else
    TCB_FAKE_STATS=none "${TCB[@]}" --json --backend kvm --bin-dir "$fake" >"$tmp/nostats.json" 2>/dev/null
    check "keepldr without --syscall-stats: derived, and says why" jq -e \
        '.backends[0].syscalls | .method == "derived" and (.why_not_counted | test("no --syscall-stats"))' \
        "$tmp/nostats.json"
    if "$BIN/burh-keepldr" --backend kvm --probe >/dev/null 2>&1; then
        TCB_FAKE_STATS=bad "${TCB[@]}" --json --backend kvm --bin-dir "$fake" >"$tmp/badstats.json" 2>/dev/null
        check "counts that do not add up: derived, and says which line" jq -e \
            '.backends[0].syscalls | .method == "derived" and (.why_not_counted | test("malformed \\(line 2"))' \
            "$tmp/badstats.json"
    else
        skip "/dev/kvm cannot run keeps here: the malformed-counts fallback is not tried"
    fi
fi

# Missing binaries are reported, never invented.
"${TCB[@]}" --json --no-trace --bin-dir "$tmp/none" >"$tmp/none.json"
check "missing bin dir: exit 0 and valid JSON" jq -e 'type == "object"' "$tmp/none.json"
check "missing binaries are marked absent with no sizes" jq -e \
    '[.binaries[] | (.present == false and (has("file_bytes") | not))] | all' "$tmp/none.json"
check "--no-trace says so" jq -e '.io.measured == false' "$tmp/none.json"

# Text output and the command line.
"${TCB[@]}" --no-trace --backend snp --bin-dir "$BIN" >"$tmp/text"
check "text names the chosen backend only" sh -c "grep -q '== backend snp' $tmp/text && ! grep -q '== backend nil' $tmp/text"
check "text shows the threat model" grep -q 'NOT protected' "$tmp/text"
"${TCB[@]}" --backend sgx >/dev/null 2>&1
check "unknown backend is a usage error (2)" test $? = 2
"${TCB[@]}" --bogus >/dev/null 2>&1
check "unknown option is a usage error (2)" test $? = 2

finish
