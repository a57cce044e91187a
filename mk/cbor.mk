# mk/cbor.mk: the CBOR differential fuzzer also links Debian's libcbor (that target only).
build/fuzz/fuzz/fuzz_cbor_diff: LDLIBS += -lcbor
