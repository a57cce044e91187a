# shim.mk: the freestanding kvm guest shim and the static guest test programs (tests/kvm/).
# The shim is always built with gcc and ld and never linked against host libraries.

SHIM_CC := gcc
SHIM_LD := ld
SHIM_CFLAGS := -std=c11 -Wall -Wextra -Werror -Iinclude -Isrc -O2 -g -MMD -MP \
               -ffreestanding -fno-builtin -fno-stack-protector -fpie \
               -fvisibility=hidden -mno-red-zone -mgeneral-regs-only -fcf-protection=none \
               -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
               -fno-strict-aliasing
SHIM_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments

SHIM_C_SRCS := $(wildcard src/shim/*.c)
SHIM_S_SRCS := $(wildcard src/shim/*.S)
SHIM_OBJS := $(SHIM_C_SRCS:%.c=$(B)/shim/%.o) $(SHIM_S_SRCS:%.S=$(B)/shim/%.o)
SHIM := $(B)/bin/burh-shim.elf

$(B)/shim/%.o: %.c
	@mkdir -p $(@D)
	$(SHIM_CC) $(SHIM_CFLAGS) -c $< -o $@

$(B)/shim/%.o: %.S
	@mkdir -p $(@D)
	$(SHIM_CC) $(SHIM_CFLAGS) -c $< -o $@

# The vDSO the shim maps into the payload (src/shim/vdso/): a tiny shared object, embedded in
# the shim's image by vdso_image.S, so the launch digest covers it with the shim file.
VDSO_CFLAGS := $(filter-out -fpie,$(SHIM_CFLAGS)) -fPIC
VDSO_SO := $(B)/shim/vdso.so

$(B)/shim/vdso/%.o: src/shim/vdso/%.c
	@mkdir -p $(@D)
	$(SHIM_CC) $(VDSO_CFLAGS) -c $< -o $@

$(VDSO_SO): $(B)/shim/vdso/vdso.o src/shim/vdso/vdso.lds src/shim/vdso/vdso.map
	$(SHIM_LD) -shared -nostdlib -s --hash-style=both --build-id=none -z max-page-size=4096 \
	    -z noexecstack -soname linux-vdso.so.1 --version-script=src/shim/vdso/vdso.map \
	    -T src/shim/vdso/vdso.lds $< -o $@

$(B)/shim/src/shim/vdso_image.o: $(VDSO_SO)
$(B)/shim/src/shim/vdso_image.o: SHIM_CFLAGS += -DBURH_VDSO_SO='"$(VDSO_SO)"'

$(SHIM): $(SHIM_OBJS) src/shim/shim.ld
	@mkdir -p $(@D)
	$(SHIM_LD) $(SHIM_LDFLAGS) -T src/shim/shim.ld $(SHIM_OBJS) -o $@

# Guest programs for tests/integration/kvm.sh: static glibc, as a payload would be.
KVM_GUEST_SRCS := $(wildcard tests/kvm/*.c)
KVM_GUESTS := $(KVM_GUEST_SRCS:tests/kvm/%.c=$(B)/kvm/%)

$(B)/kvm/%: tests/kvm/%.c
	@mkdir -p $(@D)
	gcc -std=gnu11 -static -O2 -Wall -Wextra -Werror $< -o $@

.PHONY: shim kvm-guests kvm-bench
shim: $(SHIM)
kvm-guests: $(KVM_GUESTS)

# Boot time (KVM_CREATE_VM to the payload's first hostcall, made at the top of main) and a
# forwarded 1-byte write round trip, each a median over many runs (see docs/kvm.md).
KVM_BENCH_RUNS ?= 31
kvm-bench: $(SHIM) $(KVM_GUESTS) $(B)/bin/burh-keepldr
	@for i in $$(seq $(KVM_BENCH_RUNS)); do \
	    $(B)/bin/burh-keepldr --backend kvm --timing $(B)/kvm/first_write 2>&1 >/dev/null | \
	        sed -n 's/.*timing: boot \([0-9]*\) ns.*/\1/p'; \
	done | sort -n | awk '{v[NR] = $$1} END {printf "kvm keep boot: median %.1f ms over %d runs\n", \
	    v[int((NR + 1) / 2)] / 1e6, NR}'
	@printf 'in a kvm keep: ' && \
	    $(B)/bin/burh-keepldr --backend kvm $(B)/kvm/writebench 2>&1 >/dev/null
	@printf 'native, for comparison: ' && $(B)/kvm/writebench 2>&1 >/dev/null

ALL_EXTRA += $(SHIM)
TEST_EXTRA += $(KVM_GUESTS)

# burh-wasmldr linked statically for the kvm keep (the shim loads static ELF files only). The
# same objects as $(B)/bin/burh-wasmldr; no libcurl in the keep, so only what it really needs.
WASMLDR_STATIC := $(B)/bin/burh-wasmldr-static
WASMLDR_STATIC_LIBS := -Wl,--start-group -levent_openssl -levent_core -levent -lssl -lcrypto \
                       -ljansson -Wl,--end-group -lm -lpthread
# Fewer kernel entries in the keep (src/keep/wasmldr_static.c): malloc tuned by a
# constructor, and process and user ids asked once (the keep never forks).
WASMLDR_STATIC_WRAP := -Wl,--wrap=getpid,--wrap=getuid,--wrap=geteuid,--wrap=getgid,--wrap=getegid
$(WASMLDR_STATIC): $(B)/obj/src/keep/main-burh-wasmldr.o $(B)/obj/src/keep/wasmldr_static.o \
                   $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -static $(WASMLDR_STATIC_WRAP) $^ $(WASMLDR_STATIC_LIBS) -o $@

.PHONY: wasmldr-static
wasmldr-static: $(WASMLDR_STATIC)
ifeq ($(VARIANT),release)
ALL_EXTRA += $(WASMLDR_STATIC)
endif
