# SPDX-License-Identifier: GPL-2.0-or-later
#
# libFuzzer targets for every parser of text that comes from outside the
# program (tests/fuzz/README).  Included by the Makefile.
#
#   make fuzz                    build the targets, run each FUZZ_SECONDS (60)
#   make fuzz FUZZ_SECONDS=600   longer
#   make fuzz-bins               build only, in $(B)/fuzz
#
# clang only: the library and the cmd files a target compiles in are built
# again with clang and the fuzzer's sanitizers in $(B)/fuzz, never mixed with
# the $(CC) objects.  Without clang or its libFuzzer runtime (Debian:
# libclang-rt-14-dev) fuzz-bins says so and builds nothing; tests/fuzz.bats,
# which `make check` runs, then skips.  Every run starts from the seeds of
# tests/fuzz/corpus/NAME/; what libFuzzer adds goes to $(B)/fuzz/corpus/NAME/
# and crashes to $(B)/fuzz/crashes/NAME/ (tests/fuzz/run).

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzz/%)
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(B)/fuzz/%.o) $(B)/fuzz/tests/fuzz/fuzz.o

.PHONY: fuzz-bins

# Coverage instrumentation everywhere (fuzzer-no-link); libFuzzer's main at the link.
$(B)/fuzz/%.o: %.c $(B)/.build-sig
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(CFLAGS) -DFUZZ_SRCDIR='"$(CURDIR)"' -O1 \
		-fsanitize=fuzzer-no-link $(FUZZ_SAN) -c -o $@ $<

$(B)/fuzz/fuzz_%: $(B)/fuzz/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJS)
	$(FUZZ_CC) $(LDFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LDLIBS)

# fuzz_spec compiles cmd/damonctl.c in; the report half of damonctl comes beside it.
# fuzz_record calls the report half alone.
$(B)/fuzz/fuzz_spec $(B)/fuzz/fuzz_record: $(B)/fuzz/cmd/damonctl-report.o

fuzz-bins:
	@if reason=$$(FUZZ_CC='$(FUZZ_CC)' tests/fuzz/run --probe); then \
		$(MAKE) --no-print-directory $(FUZZ_BINS); \
	else echo "fuzz: targets not built: $$reason"; fi

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-bins
	@B=$(B) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run
