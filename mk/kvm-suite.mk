# kvm-suite.mk: `make kvm-suite`: the Wasm programs of the tree and the official WASI testsuite,
# each in a fresh local kvm keep through `burh run --backend kvm` (docs/cli.md). Opt-in: one keep
# boot per program makes it several minutes long on an emulated /dev/kvm, too long for `check`.
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
