#!/usr/bin/env bash
# tcb-map-code.sh MAP ELF: marks as code, in a GNU ld map, the input sections of ELF's
# executable output sections that scripts/tcb-facts.sh would miss (it sums .text*, .init and
# .fini only): e.g. the engine's bw_interp_text or glibc's __libc_freeres_fn. They are
# renamed ".text.NAME" in place. Run by mk/tcb.mk on each map it makes, with the map's output.
set -euo pipefail
map=${1:?usage: tcb-map-code.sh MAP ELF}
elf=${2:?usage: tcb-map-code.sh MAP ELF}
# readelf -SW: "[Nr] Name Type Address Off Size ES Flg Lk Inf Al"; keep allocated, executable
# sections with plain names (.plt* is made by the linker, not an input: it stays uncounted).
names=$(readelf -SW "$elf" | sed -n 's/^ *\[ *[0-9]*\] //p' |
    awk '$2 == "PROGBITS" && $7 ~ /X/ && $1 !~ /^\.(text|init|fini|plt)/ && $1 ~ /^[A-Za-z0-9_.]+$/ { print $1 }')
for n in $names; do
    sed -i -E "s/^ ${n//./\\.}( |\$)/ .text.$n\\1/" "$map"
done
