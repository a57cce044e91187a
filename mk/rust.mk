# mk/rust.mk: builds tests/rust/*.rs as WASI programs (build/wasm/rust/X.wasm) with Debian's
# rustc and its wasm32-wasi standard library, and natively (build/native/rust/X) to compare.
# Without that toolchain the targets are skipped, and tests/integration/examples.sh says so.

RUSTC ?= /usr/bin/rustc
RUST_SRCS := $(wildcard tests/rust/*.rs)
RUST_WASM := $(RUST_SRCS:tests/rust/%.rs=build/wasm/rust/%.wasm)
RUST_NATIVE := $(RUST_SRCS:tests/rust/%.rs=build/native/rust/%)
RUST_FLAGS := --edition 2021 -O -C debuginfo=0 -D warnings

RUST_HAVE_WASI := $(shell $(RUSTC) --print sysroot 2>/dev/null | \
                    xargs -I{} test -d {}/lib/rustlib/wasm32-wasi && echo yes)

build/wasm/rust/%.wasm: tests/rust/%.rs
	@mkdir -p $(@D)
	$(RUSTC) $(RUST_FLAGS) --target wasm32-wasi -C strip=symbols $< -o $@

build/native/rust/%: tests/rust/%.rs
	@mkdir -p $(@D)
	$(RUSTC) $(RUST_FLAGS) -C strip=symbols $< -o $@

.PHONY: rust-progs
ifeq ($(RUST_HAVE_WASI),yes)
rust-progs: $(RUST_WASM) $(RUST_NATIVE)
ALL_EXTRA += rust-progs
else
rust-progs:
	@echo "SKIP: $(RUSTC) has no wasm32-wasi standard library (apt-get install rustc libstd-rust-dev-wasm32)"
endif
