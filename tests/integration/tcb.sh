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
for name in burh-wasmldr burh-shim.elf burh; do
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
for name in burh-wasmldr burh-shim.elf; do
    if [ "$(q ".linked_code[\"$name\"].measured")" = true ]; then
        total=$(q ".linked_code[\"$name\"].total_code_bytes")
        text=$(q ".binaries[] | select(.name == \"$name\") | .exec_bytes")
        check "$name link-map code ($total) within 5% of its code ($text)" \
            test $((total * 100 >= text * 95 && total <= text)) = 1
    else
        skip "$name link map not measured: $(q ".linked_code[\"$name\"].why")"
    fi
done

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
    check "kvm sorts every traced syscall" jq -e \
        '(.backends[1].syscalls | (.traced_served_locally + .traced_forwarded_to_host + .traced_unsupported_enosys) | length) == (.io.syscalls | length)' "$J"
else
    skip "syscalls not traced: $(q .io.why)"
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
