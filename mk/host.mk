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

# burh-keepldr linked statically: one is started per keep, on every deploy's round trip, and
# dynamic linking of libcrypto (for the kvm launch digest) cost about 1 ms of it (2..3 ms on a
# loaded machine). keepmgr runs it when it is there (docs/keepmgr.md). Same objects as
# $(B)/bin/burh-keepldr.
KEEPLDR_STATIC := $(B)/bin/burh-keepldr-static
$(KEEPLDR_STATIC): $(B)/obj/src/host/main-burh-keepldr.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -static $^ -lcrypto -lm -lpthread -o $@

.PHONY: keepldr-static
keepldr-static: $(KEEPLDR_STATIC)
ifeq ($(VARIANT),release)
ALL_EXTRA += $(KEEPLDR_STATIC)
endif
