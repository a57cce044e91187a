# kvm-suite.mk: `make kvm-suite`: the Wasm programs of the tree and the official WASI testsuite,
# each in a fresh local kvm keep through `burh run --backend kvm` (docs/cli.md), and the official
# Wasm spec suite in one keep per bounds mode (kvm-spectest-suite). Opt-in: one keep boot per
# program makes it several minutes long on an emulated /dev/kvm, too long for `check`.
# WASI_TESTSUITE_DIR names a checkout of the testsuite's prebuilt branch (default below).

WASI_TESTSUITE_DIR ?= /work/wasi-testsuite

.PHONY: kvm-suite
kvm-suite: all wasm-examples bench-progs
	BURH_BUILD=$(B) tests/integration/kvm-run.sh --suite
	@if [ -d "$(WASI_TESTSUITE_DIR)/tests" ]; then \
	    BURH_BUILD=$(B) scripts/wasi-testsuite.sh --backend kvm "$(WASI_TESTSUITE_DIR)"; \
	else \
	    echo "SKIP: WASI_TESTSUITE_DIR=$(WASI_TESTSUITE_DIR) is not a wasi-testsuite checkout"; \
	fi

# The official Wasm spec suite inside kvm keeps (docs/spectest.md): every script converted,
# bundled and run in ONE keep per bounds mode; the counts must equal an in-process run's.
WASM_SPEC_DIR ?= /work/wasm-testsuite

.PHONY: kvm-spectest-suite
kvm-suite: kvm-spectest-suite
kvm-spectest-suite: all
	@if [ -d "$(WASM_SPEC_DIR)" ]; then \
	    for bounds in guard software; do \
	        BURH_BOUNDS=$$bounds BURH_BUILD=$(B) SPECTEST_OUT=build/kvm-spectest/full \
	            scripts/spectest.sh --backend kvm "$(WASM_SPEC_DIR)" || exit 1; \
	    done; \
	else \
	    echo "SKIP: WASM_SPEC_DIR=$(WASM_SPEC_DIR) is not a checkout of the spec testsuite"; \
	fi
