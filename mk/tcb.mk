# tcb.mk: build-time facts for `burh tcb` (docs/tcb.md), generated into build/<variant>/gen/.
#
# tcb_facts.o (lines of code, compiler flags, hostcall/WASI/shim tables) goes into libburh.a.
# tcb_linkfacts.o (code bytes per library, from link maps of burh-wasmldr and the shim) is
# linked only into the programs that report it, since it is made after burh-wasmldr is linked.

TCB_GEN := $(B)/gen
TCB_SCAN_DIRS := src/keep src/engine src/wasi src/cbor src/attest src/attest/evidence \
                 src/attest/intel src/proto src/shim include/burh src/cli src/host
TCB_SCANNED := $(foreach d,$(TCB_SCAN_DIRS),$(wildcard $(d)/*.c $(d)/*.h $(d)/*.inc $(d)/*.S))

$(TCB_GEN)/tcb_facts.c: scripts/tcb-facts.sh $(TCB_SCANNED) Makefile mk/shim.mk mk/tcb.mk
	scripts/tcb-facts.sh facts $@ $(CC) "$(CFLAGS)" "$(LDFLAGS)" "$(LDLIBS)" "$(SHIM_CFLAGS)"

# The same link as the Makefile's and shim.mk's, again with a map (the outputs are thrown
# away). A program that does not link yet gives no map, and burh tcb says "not measured".
TCB_WASMLDR_MAIN := $(B)/obj/src/keep/main-burh-wasmldr.o
$(TCB_GEN)/burh-wasmldr.map: $(LIB) $(wildcard $(B)/bin/burh-wasmldr)
	@mkdir -p $(@D)
	-[ -f $(TCB_WASMLDR_MAIN) ] && $(CC) $(LDFLAGS) $(TCB_WASMLDR_MAIN) $(LIB) $(LDLIBS) \
	    -Wl,-Map=$@.$$$$ -o $(TCB_GEN)/burh-wasmldr.mapped.$$$$ && mv $@.$$$$ $@
	@rm -f $@.* $(TCB_GEN)/burh-wasmldr.mapped.*; touch $@

$(TCB_GEN)/burh-shim.map: $(wildcard $(SHIM))
	@mkdir -p $(@D)
	-[ -f $(SHIM) ] && $(SHIM_LD) $(SHIM_LDFLAGS) -T src/shim/shim.ld $(SHIM_OBJS) \
	    -Map=$@.$$$$ -o $(TCB_GEN)/burh-shim.mapped.$$$$ && mv $@.$$$$ $@
	@rm -f $@.* $(TCB_GEN)/burh-shim.mapped.*; touch $@

$(TCB_GEN)/tcb_linkfacts.c: scripts/tcb-facts.sh $(TCB_GEN)/burh-wasmldr.map $(TCB_GEN)/burh-shim.map
	scripts/tcb-facts.sh linkfacts $@ $(TCB_GEN)/burh-wasmldr.map $(TCB_GEN)/burh-shim.map

$(TCB_GEN)/%.o: $(TCB_GEN)/%.c src/tcb/tcb_facts.h
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(TCB_GEN)/tcb_facts.o
$(B)/bin/burh $(B)/tests/test_tcb: $(TCB_GEN)/tcb_linkfacts.o
