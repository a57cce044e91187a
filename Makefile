# Makefile: builds, tests, fuzzes and benchmarks burh. `make help` lists the targets.
#
# Layout it relies on (so adding a file needs no edit here):
#   src/<component>/*.c        library code, all linked into build/<variant>/libburh.a
#   src/<component>/main-X.c   the main of program X  -> build/<variant>/bin/X
#   tools/X.c                  a developer tool        -> build/<variant>/bin/X
#   tests/unit/test_X.c        a cmocka unit test      -> build/<variant>/tests/test_X
#   fuzz/fuzz_X.c              a libFuzzer target      -> build/fuzz/fuzz/fuzz_X
#   mk/*.mk                    extra rules per component (Wasm examples, benchmarks, ...)
# src/shim/ is freestanding guest code and is built by its own rules in mk/.

.DEFAULT_GOAL := all
SHELL := /bin/bash

VARIANT ?= release
B := build/$(VARIANT)

ifeq ($(VARIANT),fuzz)
CC := clang-14
endif
CC ?= cc
ifeq ($(CC),cc)
CC := gcc
endif

CFLAGS_COMMON := -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude -Isrc -MMD -MP -g \
                 -fno-strict-aliasing
LDLIBS := -Wl,--as-needed -lcurl -levent_openssl -levent -lssl -lcrypto -ljansson -lm -lpthread

ifeq ($(VARIANT),release)
CFLAGS_VARIANT := -O2
else ifeq ($(VARIANT),asan)
CFLAGS_VARIANT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
                  -fno-sanitize-recover=all
LDFLAGS_VARIANT := -fsanitize=address,undefined
else ifeq ($(VARIANT),fuzz)
CFLAGS_VARIANT := -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
                  -fno-sanitize-recover=all -DBURH_FUZZING=1
LDFLAGS_VARIANT := -fsanitize=fuzzer,address,undefined
else
$(error VARIANT must be release, asan or fuzz)
endif

CFLAGS += $(CFLAGS_COMMON) $(CFLAGS_VARIANT)
LDFLAGS += $(LDFLAGS_VARIANT)

ALL_SRCS := $(filter-out src/shim/%,$(wildcard src/*/*.c src/*/*/*.c))
LIB_SRCS := $(foreach f,$(ALL_SRCS),$(if $(filter main-%,$(notdir $(f))),,$(f)))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/obj/%.o)
LIB := $(B)/libburh.a

PROG_MAINS := $(wildcard src/*/main-*.c)
PROGS := $(foreach m,$(PROG_MAINS),$(B)/bin/$(patsubst main-%.c,%,$(notdir $(m))))
TOOL_SRCS := $(wildcard tools/*.c)
TOOLS := $(TOOL_SRCS:tools/%.c=$(B)/bin/%)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNITS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
FUZZ_SRCS := $(wildcard fuzz/fuzz_*.c)
FUZZERS := $(FUZZ_SRCS:fuzz/%.c=build/fuzz/fuzz/%)

# Extra targets that component fragments add to `all` and `tests`.
ALL_EXTRA :=
TEST_EXTRA :=

# Keep objects that pattern rules make on the way (fuzz objects would be rebuilt every time).
.SECONDARY:

.PHONY: all tests check demo bench fuzz fuzz-smoke deps install clean help format

all: $(LIB) $(PROGS) $(TOOLS)
tests: all $(UNITS)

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(B)/bin/%: $(B)/obj/tools/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

define prog_rule
$(B)/bin/$(patsubst main-%.c,%,$(notdir $(1))): $(B)/obj/$(1:.c=.o) $(LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) $$^ $$(LDLIBS) -o $$@
endef
$(foreach m,$(PROG_MAINS),$(eval $(call prog_rule,$(m))))

$(B)/tests/%: $(B)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ -lcmocka $(LDLIBS) -o $@

build/fuzz/fuzz/%: build/fuzz/obj/fuzz/%.o build/fuzz/libburh.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

include $(wildcard mk/*.mk)

all: $(ALL_EXTRA)
tests: $(TEST_EXTRA)

deps:
	@scripts/install-deps.sh

# The README's second command: dependencies, both builds, every test.
check: deps
	$(MAKE) tests VARIANT=release
	$(MAKE) tests VARIANT=asan
	$(MAKE) fuzzers VARIANT=fuzz
	scripts/run-tests.sh

# The README's first command.
demo: deps
	$(MAKE) all VARIANT=release
	scripts/demo-deploy.sh

fuzzers: $(FUZZERS)

# Long fuzzing: FUZZ_SECONDS per target (default 600).
fuzz: deps
	$(MAKE) fuzzers VARIANT=fuzz
	scripts/fuzz.sh $${FUZZ_SECONDS:-600}

bench: deps
	$(MAKE) all VARIANT=release
	$(MAKE) bench-progs
	scripts/bench.sh

PREFIX ?= /usr/local
install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(PROGS) $(DESTDIR)$(PREFIX)/bin/

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

help:
	@echo "make demo    install deps, build, run the main job"
	@echo "make check   install deps, build (release, ASan+UBSan, fuzz), run every test"
	@echo "make bench   run the benchmarks"
	@echo "make fuzz    fuzz every parser (FUZZ_SECONDS per target)"
	@echo "make all | tests | install | clean | format"

-include $(shell find build/$(VARIANT) -name '*.d' 2>/dev/null)
