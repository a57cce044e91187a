# kvm-spectest.mk: burh-spectest linked statically, to run the engine's spec tests inside a kvm
# keep (the shim loads static ELF files only; docs/spectest.md "In a kvm keep").
SPECTEST_STATIC := $(B)/bin/burh-spectest-static
$(SPECTEST_STATIC): $(B)/obj/tools/burh-spectest.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -static $^ -ljansson -lm -lpthread -o $@

.PHONY: spectest-static
spectest-static: $(SPECTEST_STATIC)
ifeq ($(VARIANT),release)
ALL_EXTRA += $(SPECTEST_STATIC)
endif
