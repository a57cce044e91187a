# mk/examples.mk: builds examples/*.c as WASI programs (build/wasm/examples/X.wasm) and as
# native programs (build/native/examples/X) so tests can compare the two byte for byte.

EXAMPLE_SRCS := $(wildcard examples/*.c)
EXAMPLE_NAMES := $(EXAMPLE_SRCS:examples/%.c=%)
WASM_EXAMPLES := $(EXAMPLE_NAMES:%=build/wasm/examples/%.wasm)
NATIVE_EXAMPLES := $(EXAMPLE_NAMES:%=build/native/examples/%)

WASM_CC := clang-14
WASM_CFLAGS := --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Werror
EXAMPLE_NATIVE_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-result -Wno-format-truncation

build/wasm/examples/%.wasm: examples/%.c
	@mkdir -p $(@D)
	$(WASM_CC) $(WASM_CFLAGS) $< -o $@ -lm

build/native/examples/%: examples/%.c
	@mkdir -p $(@D)
	gcc $(EXAMPLE_NATIVE_CFLAGS) $< -o $@ -lm

.PHONY: wasm-examples
wasm-examples: $(WASM_EXAMPLES) $(NATIVE_EXAMPLES)

ALL_EXTRA += wasm-examples
