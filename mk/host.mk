# mk/host.mk: test programs for the keepldr/keepmgr tests (never installed): the burh-wasmldr
# test double and a driver for `burh keeps` until it is wired into the burh CLI.
KEEP_TEST_PROGS := $(B)/tests/fake-wasmldr $(B)/tests/keeps-cli

$(B)/tests/fake-wasmldr: $(B)/obj/tests/keep/fake-wasmldr.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(B)/tests/keeps-cli: $(B)/obj/tests/keep/keeps-cli.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

.PHONY: keep-test-doubles
keep-test-doubles: $(KEEP_TEST_PROGS)

TEST_EXTRA += keep-test-doubles
