# tcb.mk: build-time facts for `burh tcb` (docs/tcb.md), generated into build/<variant>/gen/.
#
# tcb_facts.o (lines of code, compiler flags, hostcall/WASI/shim tables) goes into libburh.a.
# tcb_linkfacts.o (code bytes per library, from link maps of burh-wasmldr, of
# burh-wasmldr-static (the kvm keep's payload) and of the shim) is linked only into the
# programs that report it, since it is made after those are linked.

TCB_GEN := $(B)/gen
TCB_SCAN_DIRS := src/keep src/engine src/wasi src/cbor src/attest src/attest/evidence \
                 src/attest/intel src/proto src/shim include/burh src/cli src/host
TCB_SCANNED := $(foreach d,$(TCB_SCAN_DIRS),$(wildcard $(d)/*.c $(d)/*.h $(d)/*.inc $(d)/*.S))

$(TCB_GEN)/tcb_facts.c: scripts/tcb-facts.sh $(TCB_SCANNED) Makefile mk/shim.mk mk/tcb.mk
	scripts/tcb-facts.sh facts $@ $(CC) "$(CFLAGS)" "$(LDFLAGS)" "$(LDLIBS)" "$(SHIM_CFLAGS)"

# The same link as the Makefile's and shim.mk's, again with a map (the outputs are thrown
# away). A program that does not link yet gives no map, and burh tcb says "not measured".
TCB_WASMLDR_MAIN := $(B)/obj/src/keep/main-burh-wasmldr.o
$(TCB_GEN)/burh-wasmldr.map: $(LIB) $(TCB_WASMLDR_MAIN) src/tcb/tcb-map-code.sh
	@mkdir -p $(@D)
	-[ -f $(TCB_WASMLDR_MAIN) ] && $(CC) $(LDFLAGS) $(TCB_WASMLDR_MAIN) $(LIB) $(LDLIBS) \
	    -Wl,-Map=$@.$$$$ -o $(TCB_GEN)/burh-wasmldr.mapped.$$$$ && \
	    src/tcb/tcb-map-code.sh $@.$$$$ $(TCB_GEN)/burh-wasmldr.mapped.$$$$ && mv $@.$$$$ $@
	@rm -f $@.* $(TCB_GEN)/burh-wasmldr.mapped.*; touch $@

# The static link of mk/shim.mk, which is made in release only (sanitizers do not link
# statically): other variants get an empty map. ld's messages (glibc's warnings about
# getaddrinfo in static programs, which shim.mk's link shows already) go to a log.
$(TCB_GEN)/burh-wasmldr-static.map: $(LIB) $(TCB_WASMLDR_MAIN) src/tcb/tcb-map-code.sh
	@mkdir -p $(@D)
	-if [ "$(VARIANT)" = release ] && [ -f $(TCB_WASMLDR_MAIN) ]; then \
	    $(CC) $(LDFLAGS) -static $(WASMLDR_STATIC_WRAP) $(TCB_WASMLDR_MAIN) \
	    $(B)/obj/src/keep/wasmldr_static.o $(LIB) $(WASMLDR_STATIC_LIBS) \
	    -Wl,-Map=$@.$$$$ -o $(TCB_GEN)/burh-wasmldr-static.mapped.$$$$ \
	    2>$(TCB_GEN)/burh-wasmldr-static.log && \
	    src/tcb/tcb-map-code.sh $@.$$$$ $(TCB_GEN)/burh-wasmldr-static.mapped.$$$$ && \
	    mv $@.$$$$ $@; fi
	@rm -f $@.* $(TCB_GEN)/burh-wasmldr-static.mapped.*; touch $@

$(TCB_GEN)/burh-shim.map: $(SHIM) src/tcb/tcb-map-code.sh
	@mkdir -p $(@D)
	-[ -f $(SHIM) ] && $(SHIM_LD) $(SHIM_LDFLAGS) -T src/shim/shim.ld $(SHIM_OBJS) \
	    -Map=$@.$$$$ -o $(TCB_GEN)/burh-shim.mapped.$$$$ && \
	    src/tcb/tcb-map-code.sh $@.$$$$ $(TCB_GEN)/burh-shim.mapped.$$$$ && mv $@.$$$$ $@
	@rm -f $@.* $(TCB_GEN)/burh-shim.mapped.*; touch $@

# tcb-facts.sh names the first map's tables burh_tcb_link_wasmldr*: the static map goes
# through it alone and its tables are renamed (its empty shim table dropped).
$(TCB_GEN)/tcb_linkfacts.c: scripts/tcb-facts.sh $(TCB_GEN)/burh-wasmldr.map \
                            $(TCB_GEN)/burh-wasmldr-static.map $(TCB_GEN)/burh-shim.map
	scripts/tcb-facts.sh linkfacts $@.main $(TCB_GEN)/burh-wasmldr.map $(TCB_GEN)/burh-shim.map
	scripts/tcb-facts.sh linkfacts $@.static $(TCB_GEN)/burh-wasmldr-static.map /dev/null
	{ cat $@.main; sed -e '/^\/\*\|^#include\|^$$/d' -e '/burh_tcb_link_shim\[\]/,/NULL, 0}};/d' \
	    -e 's/burh_tcb_link_wasmldr/burh_tcb_link_wasmldr_static/' $@.static; } >$@.tmp
	rm -f $@.main $@.static; mv $@.tmp $@

$(TCB_GEN)/%.o: $(TCB_GEN)/%.c src/tcb/tcb_facts.h
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(TCB_GEN)/tcb_facts.o
$(B)/bin/burh $(B)/tests/test_tcb: $(TCB_GEN)/tcb_linkfacts.o
