# SPDX-License-Identifier: GPL-2.0-or-later
# numakit: plain GNU make, no configure step.

VERSION := $(shell cat VERSION)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

B ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
PKGS := numa popt libcap smartcols json-c

# Recursive on purpose: pkg-config runs when a recipe needs it, i.e. after
# `deps` has installed the packages in the same `make check` run.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS))

override CFLAGS += -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes \
	-Wstrict-prototypes -Wno-unused-parameter -D_GNU_SOURCE -I. \
	-DNUMAKIT_VERSION='"$(VERSION)"' -MMD -MP $(PKG_CFLAGS)
override LDLIBS += $(PKG_LIBS)

ifeq ($(WERROR),1)
override CFLAGS += -Werror
endif
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ifeq ($(SANITIZE),1)
SAN_CFLAGS := $(SAN_FLAGS)
SAN_LDFLAGS := -fsanitize=address,undefined
endif

TOOLS := mapsdump pmbind damonctl spmctl cpumm
LIB_SRCS := $(sort $(wildcard lib/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
LIB := $(B)/libnumakit.a
BINS := $(TOOLS:%=$(B)/%)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:%.c=$(B)/%)
WORKLOAD_SRCS := $(sort $(wildcard tests/workload/*.c))
WORKLOAD_BINS := $(WORKLOAD_SRCS:%.c=$(B)/%)
SHIM_SRCS := $(sort $(wildcard tests/shim/*.c))
SHIM_LIBS := $(SHIM_SRCS:%.c=$(B)/%.so)
BENCH_SRCS := $(sort $(wildcard bench/*.c))
BENCH_BINS := $(BENCH_SRCS:%.c=$(B)/%)
MANS := $(patsubst man/%.scd,$(B)/man/%,$(wildcard man/*.scd))

.PHONY: all check check-unit check-bats demo deps install uninstall man clean test-bins
.PHONY: check-vm vm-shell check-all vm-deps vm-build bench bench-bins lint fuzz

all: $(BINS)

# Objects built with other switches do not mix (a SANITIZE=1 object does not
# link into a plain build): every object depends on a stamp that changes with them.
BUILD_SIG := cc=$(CC) werror=$(WERROR) sanitize=$(SANITIZE)
$(shell mkdir -p $(B) && [ "$$(cat $(B)/.build-sig 2>/dev/null)" = '$(BUILD_SIG)' ] || \
	echo '$(BUILD_SIG)' > $(B)/.build-sig)

$(B)/%.o: %.c $(B)/.build-sig
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/%: $(B)/cmd/%.o $(LIB)
	$(CC) $(LDFLAGS) $(SAN_LDFLAGS) -o $@ $^ $(LDLIBS)

# damonctl is split in two files (cmd/damonctl.h); the library comes last.
$(B)/damonctl: $(B)/cmd/damonctl.o $(B)/cmd/damonctl-report.o $(LIB)
	$(CC) $(LDFLAGS) $(SAN_LDFLAGS) -o $@ $^ $(LDLIBS)

# spmctl: list and show in spmctl.c, online and offline in -dax, run and who in -run.
$(B)/spmctl: $(B)/cmd/spmctl.o $(B)/cmd/spmctl-dax.o $(B)/cmd/spmctl-run.o $(LIB)
	$(CC) $(LDFLAGS) $(SAN_LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/unit/%: $(B)/tests/unit/%.o $(LIB)
	$(CC) $(LDFLAGS) $(SAN_LDFLAGS) -o $@ $^ $(LDLIBS)

# Test targets stay uninstrumented: the sanitizers' allocator would hide
# [heap] and add mappings of its own to the address spaces under test.
$(B)/tests/workload/%: tests/workload/%.c $(B)/.build-sig
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lpthread

# LD_PRELOAD shims that stand in for syscalls the host kernel lacks
# (process_mbind); uninstrumented like the workloads: an ASan binary loads
# them with ASAN_OPTIONS=verify_asan_link_order=0.
$(B)/tests/shim/%.so: tests/shim/%.c $(B)/.build-sig
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -shared -fPIC -o $@ $< -ldl

# Benchmark helpers (bench/*.c: the mapper, the pause meter) measure the
# tools from outside, so they stay uninstrumented like the workloads.
$(B)/bench/%: bench/%.c $(B)/.build-sig
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lpthread

bench-bins: $(BENCH_BINS)

test-bins: $(BINS) $(UNIT_BINS) $(WORKLOAD_BINS) $(SHIM_LIBS) $(BENCH_BINS)

$(B)/man/%: man/%.scd
	@mkdir -p $(@D)
	scdoc < $< > $@

man: $(MANS)

deps:
	@scripts/deps

# The whole set-up, then every test; the last line is `N passed, N failed`.
# valgrind cannot run ASan binaries: with SANITIZE=1, tests/memcheck.bats runs
# a plain copy built in $(B)/plain.
check: deps
	@$(MAKE) --no-print-directory test-bins man fuzz-bins
ifeq ($(SANITIZE),1)
	@$(MAKE) --no-print-directory B=$(B)/plain SANITIZE= all test-bins
	@B=$(B) NUMAKIT_PLAIN_BUILD=$(abspath $(B)/plain) tests/run
else
	@B=$(B) tests/run
endif

# cppcheck and clang-tidy over every C file (scripts/lint, .clang-tidy); the
# last line is `N passed, N failed`, one test per file and tool.
lint: deps
	@PKG_CONFIG='$(PKG_CONFIG)' PKGS='$(PKGS)' scripts/lint

# The benchmarks (bench/run) on a build of their own without the sanitizers,
# in $(B)/bench, and the VM lane's build for pmbind's three-node figures;
# the report goes to bench/RESULTS.md.  QUICK=1: the short runs that
# tests/bench.bats makes, the report on stdout.
bench: deps vm-deps
	@$(MAKE) --no-print-directory B=$(B)/bench SANITIZE= all test-bins
	@$(MAKE) --no-print-directory vm-build
	@B=$(B)/bench NUMAKIT_VM_B=$(B) bench/run $(if $(QUICK),--quick)

# The VM lane (tests/vm/README): a Debian kernel with three NUMA nodes in
# QEMU runs tests/vm/*.bats as root.  Its numakit is built in $(B)/vm without
# the sanitizers (SANITIZE=1 is for the host lane: the sanitizers' shadow
# memory does not suit a 2 GiB guest, nor their mappings the address-space
# tests); the guest kernels are cached in $(B)/vm-cache.  KERNEL=6.1 boots
# Debian's 6.1 kernel instead of 6.12.
vm-deps:
	@scripts/deps vm

vm-build: vm-deps
	@$(MAKE) --no-print-directory B=$(B)/vm SANITIZE= all test-bins

check-vm: vm-build
	@B=$(B) $(if $(KERNEL),KERNEL=$(KERNEL)) tests/vm/run check

vm-shell: vm-build
	@B=$(B) $(if $(KERNEL),KERNEL=$(KERNEL)) tests/vm/run shell

# check, check-vm and check-vm KERNEL=6.1, then one line adding them up.
check-all:
	@B=$(B) MAKE='$(MAKE)' tests/vm/check-all

demo: deps
	@$(MAKE) --no-print-directory all $(WORKLOAD_BINS)
	@B=$(B) scripts/demo

install: all man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
		$(DESTDIR)$(FISHCOMPDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/
	for m in $(MANS); do \
		s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	for t in $(TOOLS); do \
		install -m 644 completions/bash/$$t $(DESTDIR)$(BASHCOMPDIR)/$$t; \
		install -m 644 completions/zsh/_$$t $(DESTDIR)$(ZSHCOMPDIR)/_$$t; \
		install -m 644 completions/fish/$$t.fish $(DESTDIR)$(FISHCOMPDIR)/$$t.fish; done

uninstall:
	for t in $(TOOLS); do \
		rm -f $(DESTDIR)$(BINDIR)/$$t $(DESTDIR)$(BASHCOMPDIR)/$$t \
			$(DESTDIR)$(ZSHCOMPDIR)/_$$t $(DESTDIR)$(FISHCOMPDIR)/$$t.fish; done
	for m in $(MANS); do \
		s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done

include tests/fuzz/fuzz.mk

.SECONDARY:

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
