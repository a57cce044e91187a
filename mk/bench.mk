# Benchmark programs: each bench/X.c built natively (gcc -O2) and for wasm32-wasi (clang-14 -O2).
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_NATIVE := $(BENCH_SRCS:bench/%.c=build/native/bench/%)
BENCH_WASM := $(BENCH_SRCS:bench/%.c=build/wasm/bench/%.wasm)
# -mbulk-memory lets clang turn memcpy/memset into memory.copy/memory.fill.
BENCH_WASM_CC := clang-14 --target=wasm32-wasi --sysroot=/usr -mbulk-memory

.PHONY: bench-progs
bench-progs: $(BENCH_NATIVE) $(BENCH_WASM)

build/native/bench/%: bench/%.c bench/bench.h mk/bench.mk
	@mkdir -p $(@D)
	gcc -std=c11 -O2 -Wall -Wextra -Werror $< -o $@ -lm

build/wasm/bench/%.wasm: bench/%.c bench/bench.h mk/bench.mk
	@mkdir -p $(@D)
	$(BENCH_WASM_CC) -std=c11 -O2 -Wall -Wextra -Werror $< -o $@
