#!/usr/bin/env bash
# kvm.sh: runs static programs in kvm keeps (burh-keepldr --backend kvm) and checks their output,
# exit statuses and the reports for faults, time limits and a hostile host.
set -u
cd "$(dirname "$0")/../.."
build=${BURH_BUILD:-build/release}
ldr=$build/bin/burh-keepldr
guests=$build/kvm
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in "$ldr" "$build/bin/burh-shim.elf" "$guests/hello"; do
    if [ ! -e "$f" ]; then
        echo "FAIL: $f is missing (run: make tests)"
        echo "0 passed, 1 failed"
        exit 1
    fi
done
if ! why=$("$ldr" --probe 2>&1); then
    echo "=================================================================="
    echo "SKIP: /dev/kvm not usable: $why"
    echo "=================================================================="
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; sed 's/^/     | /' "$tmp/err" | head -5; }

# keep NAME WANT_STATUS WANT_IN_STDERR [keepldr args...]: runs a keep, checks status and report.
keep() {
    local name=$1 want=$2 pattern=$3
    shift 3
    "$ldr" --backend kvm --time-limit 60000 "$@" >"$tmp/out" 2>"$tmp/err" </dev/zero
    local status=$?
    if [ "$status" -ne "$want" ]; then
        echo "     status $status, wanted $want" >>"$tmp/err"
        bad "$name"
    elif [ -n "$pattern" ] && ! grep -qE "$pattern" "$tmp/err"; then
        echo "     stderr lacks /$pattern/" >>"$tmp/err"
        bad "$name"
    else
        ok "$name"
    fi
}

# same_as_native NAME PROGRAM ARGS...: stdout, stderr and status match a native run.
same_as_native() {
    local name=$1 prog=$2
    shift 2
    "$prog" "$@" >"$tmp/native.out" 2>"$tmp/native.err" </dev/zero
    local native=$?
    "$ldr" --backend kvm --time-limit 60000 "$prog" "$@" >"$tmp/out" 2>"$tmp/err" </dev/zero
    local inkeep=$?
    if [ "$native" -ne "$inkeep" ]; then
        echo "     status $inkeep in the keep, $native natively" >>"$tmp/err"
        bad "$name"
    elif ! cmp -s "$tmp/native.out" "$tmp/out" || ! cmp -s "$tmp/native.err" "$tmp/err"; then
        diff "$tmp/native.out" "$tmp/out" >>"$tmp/err"
        bad "$name: output differs from a native run"
    else
        ok "$name"
    fi
}

same_as_native "hello (printf, malloc, big mmap, getrandom, clocks)" "$guests/hello"
same_as_native "hello with arguments" "$guests/hello" one "two words" ""
same_as_native "bad pointers get EFAULT" "$guests/badptr"
same_as_native "sockets over loopback" "$guests/sock"
same_as_native "sendto/recvfrom, sendmsg/recvmsg, getsockopt, fstat on forwarded fds" \
    "$guests/sockmsg"
same_as_native "I/O larger than a hostcall block (write, writev, read)" "$guests/bigio"
same_as_native "shim pipes, eventfd, epoll (with a host socket), dup, futex, sysinfo" \
    "$guests/localfd"
same_as_native "threads: create, mutex, condvar, join, TLS (cooperative, one vCPU)" \
    "$guests/threads"
same_as_native "blocking pipes between threads, poll/ppoll over pipes and timeouts, clock_getres" \
    "$guests/pipewait"
same_as_native "signals: guard-page faults and siglongjmp x1000, sigreturn, sigaltstack, masks" \
    "$guests/signals"
# The vDSO: its clocks against the syscalls and the host's time; and that glibc really uses it
# (200000 readings, of which only the ~100 made by syscall reach the shim).
host_now=$(date +%s)
same_as_native "vDSO clocks: agree with syscalls, monotonic, 200 ms is 200 ms, host realtime" \
    "$guests/vdsoclock" "$host_now"
keep "vDSO clock readings stay in ring 3" 0 '' --syscall-stats "$tmp/vstats" "$guests/vdsoclock" \
    "$host_now"
n=$(sed -n 's/^clock_gettime served //p' "$tmp/vstats" 2>/dev/null)
if [ -n "$n" ] && [ "$n" -le 120 ]; then ok "vDSO: $n of 200000+ clock readings entered the shim"
else
    echo "     clock_gettime served: '${n}'" >"$tmp/err"
    bad "vDSO: clock readings entered the shim"
fi
keep "vDSO pages stay read-only (mprotect EACCES), clock page survives MADV_DONTNEED" 0 '' \
    "$guests/vdsoclock" seal
keep "abort() ends the keep as signal 6" 134 'killed by signal 6 .*default action' \
    "$guests/signals" abort
keep "fault with the signal blocked ends the keep" 121 'ring 3: page fault .*address 0x10' \
    "$guests/signals" nested
keep "unwritable alternate signal stack ends the keep" 121 'ring 3: page fault .*address 0x10' \
    "$guests/signals" badstack
keep "futex wait with one thread is a reported deadlock" 122 'deadlock: futex wait' \
    "$guests/localfd" deadlock
keep "blocking write to a full pipe with one thread is a reported deadlock" 122 \
    'deadlock: a blocking read or write on a shim pipe' "$guests/pipewait" deadlock
keep "exit status 0 passes through" 0 '' "$guests/exitcode" 0
keep "exit status 7 passes through" 7 '' "$guests/exitcode" 7
keep "exit status 255 passes through" 255 '' "$guests/exitcode" 255
# Syscall counters (--syscall-stats, both spellings): the exact format burh tcb reads.
rm -f "$tmp/stats"
keep "syscall counters written with --syscall-stats FILE" 0 '' --syscall-stats "$tmp/stats" \
    "$guests/hello"
if head -1 "$tmp/stats" 2>/dev/null |
    grep -qE '^# burh kvm syscalls: [0-9]+ distinct, [0-9]+ calls$' &&
    grep -qE '^write forwarded [1-9][0-9]*$' "$tmp/stats" &&
    grep -qE '^exit_group served 1$' "$tmp/stats" &&
    grep -qE '^rseq refused 1$' "$tmp/stats" &&
    tail -n +2 "$tmp/stats" | LC_ALL=C sort -c -k1,1 -k2,2 2>/dev/null; then
    ok "syscall counters: header, write forwarded, exit_group served, rseq refused, sorted"
else
    cp "$tmp/stats" "$tmp/err" 2>/dev/null
    bad "syscall counters: header, write forwarded, exit_group served, rseq refused, sorted"
fi
keep "--syscall-stats=FILE spelling" 0 '' --syscall-stats="$tmp/stats2" "$guests/exitcode" 0
if grep -qE '^exit_group served 1$' "$tmp/stats2" 2>/dev/null; then
    ok "--syscall-stats=FILE wrote the table"
else
    bad "--syscall-stats=FILE wrote the table"
fi
keep "--syscall-stats to an unwritable path is a setup error" 125 'syscall-stats' \
    --syscall-stats /nonexistent/dir/stats "$guests/hello"
keep "debug console prefixes shim lines" 0 '^\[keep console\] shim: ' --debug-console \
    "$guests/hello"

keep "null dereference in ring 3 ends the keep" 121 \
    'guest fault in ring 3: page fault \(vector 14.*address 0x0' "$guests/nullderef"
keep "runaway loop stops at the time limit" 123 'wall-time limit of 1000 ms' \
    --time-limit 1000 "$guests/spin"
keep "triple fault (test shim mode)" 124 'triple fault' --test-mode triple-fault "$guests/hello"
keep "shim fault in ring 0 (test shim mode)" 121 'ring 0: general protection' \
    --test-mode kernel-fault "$guests/hello"

for mode in write-ret:'host reply to write' errno-range:'errno 100000 out of range' \
    clock:'clock_gettime.*is not a time'; do
    BURH_KVM_HOSTILE=${mode%%:*} keep "hostile host: ${mode%%:*}" 122 \
        "shim stopped the keep: .*${mode#*:}" "$guests/hello"
done
BURH_KVM_HOSTILE=addrlen keep "hostile host: addrlen" 122 'address length 4096' "$guests/sock"
BURH_KVM_HOSTILE=poll keep "hostile host: poll" 122 'poll: revents .* not asked for' "$guests/sock"
BURH_KVM_HOSTILE=recv-len keep "hostile host: recv-len" 122 'recvfrom: 5 bytes, only 4 asked' \
    "$guests/sockmsg"
BURH_KVM_HOSTILE=sockopt-len keep "hostile host: sockopt-len" 122 'getsockopt: 5 bytes, only 4' \
    "$guests/sockmsg"
BURH_KVM_HOSTILE=fstat keep "hostile host: fstat" 122 'fstat: file type ffff is not' \
    "$guests/sockmsg"
BURH_KVM_HOSTILE=tsc-khz keep "hostile host: tsc-khz" 122 'TSC rate 50000000 kHz is implausible' \
    "$guests/hello"

"$ldr" --backend kvm "$guests/hello" 2>"$tmp/err" | true
status=${PIPESTATUS[0]}
if [ "$status" -eq 0 ]; then ok "closed stdout pipe gives EPIPE, keepldr survives"; else
    echo "     status $status" >>"$tmp/err"
    bad "closed stdout pipe gives EPIPE, keepldr survives"
fi

head -c 200 "$guests/hello" >"$tmp/truncated"
printf 'not an ELF file at all, just a line of text long enough to hold an ELF header\n' \
    >"$tmp/text"
keep "truncated ELF refused" 125 'payload .*: (file shorter|a loadable segment)' "$tmp/truncated"
keep "non-ELF refused" 125 'not a 64-bit little-endian ELF' "$tmp/text"
keep "dynamic (PIE) executable refused" 125 'build with -static' /bin/true
keep "missing payload refused" 125 'No such file' "$tmp/nope"
keep "missing shim refused" 125 'shim: .*No such file' --shim "$tmp/nope" "$guests/hello"
keep "bad memory size refused" 125 'memory size' --mem 63 "$guests/hello"
BURH_KVM_HOSTILE=bogus keep "unknown hostile mode refused" 125 'unknown BURH_KVM_HOSTILE' \
    "$guests/hello"

# The same host code under ASan+UBSan, when that build is there: a clean run and the lies.
asan=${BURH_ASAN_BUILD:-build/asan}
if [ -x "$asan/bin/burh-keepldr" ] && [ -e "$asan/bin/burh-shim.elf" ]; then
    ldr=$asan/bin/burh-keepldr
    keep "asan: hello" 0 '' "$guests/hello"
    keep "asan: sockets" 0 '' "$guests/sock"
    keep "asan: sendmsg/recvmsg, getsockopt, fstat" 0 '' "$guests/sockmsg"
    keep "asan: signals" 0 '' "$guests/signals"
    keep "asan: abort() as signal 6" 134 'killed by signal 6' "$guests/signals" abort
    keep "asan: syscall counters" 0 '' --syscall-stats "$tmp/stats-asan" "$guests/hello"
    BURH_KVM_HOSTILE=recv-len keep "asan: hostile recv-len" 122 'recvfrom' "$guests/sockmsg"
    BURH_KVM_HOSTILE=addrlen keep "asan: hostile addrlen" 122 'address length' "$guests/sock"
    keep "asan: truncated ELF" 125 'payload' "$tmp/truncated"
    keep "asan: time limit" 123 'wall-time limit' --time-limit 500 "$guests/spin"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
