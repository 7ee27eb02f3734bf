#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The libFuzzer targets of tests/fuzz, a few seconds each: every reproducer
# of tests/fuzz/regress/NAME/ once, the seeds of tests/fuzz/corpus/NAME/,
# then fuzzing for NUMAKIT_FUZZ_SECONDS (default 3).  `make check` builds
# them (make fuzz-bins); `make fuzz` runs them longer.  Skipped without
# clang and libFuzzer's runtime.

load helpers

setup_file() {
	local reason

	if reason=$(FUZZ_CC=${FUZZ_CC:-clang} "$NK_SRC/tests/fuzz/run" --probe); then
		export NK_FUZZ_SKIP=
	else
		export NK_FUZZ_SKIP=$reason
	fi
}

fuzz() {
	local name=$1

	[[ -z $NK_FUZZ_SKIP ]] || skip "no libFuzzer here: $NK_FUZZ_SKIP"
	if [[ ! -x $NK_BUILD/fuzz/fuzz_$name ]]; then
		echo "$NK_BUILD/fuzz/fuzz_$name is not built (make fuzz-bins)" >&2
		return 1
	fi
	run env B="$NK_BUILD" FUZZ_SECONDS="${NUMAKIT_FUZZ_SECONDS:-3}" \
		"$NK_SRC/tests/fuzz/run" "$name"
	echo "$output"
	[[ $status -eq 0 ]]
	[[ ${lines[1]} == "$name "*" ok" ]]
}

@test "fuzz: every target has seeds and a test here" {
	local f name

	for f in "$NK_SRC"/tests/fuzz/fuzz_*.c; do
		name=${f##*/fuzz_}
		name=${name%.c}
		compgen -G "$NK_SRC/tests/fuzz/corpus/$name/*" >/dev/null
		grep -q "^@test \"fuzz: $name " "$BATS_TEST_FILENAME"
	done
}

@test "fuzz: parse (size, duration, address, range and number strings)" { fuzz parse; }
@test "fuzz: nodes (node and CPU lists through libnuma)" { fuzz nodes; }
@test "fuzz: bitmap (%*pb masks and %*pbl lists)" { fuzz bitmap; }
@test "fuzz: maps (/proc/PID/maps lines and the text backend)" { fuzz maps; }
@test "fuzz: numamaps (/proc/PID/numa_maps)" { fuzz numamaps; }
@test "fuzz: status (/proc/PID/status: cpumm, the ptrace checks)" { fuzz status; }
@test "fuzz: damon (DAMON sysfs files and tried_regions)" { fuzz damon; }
@test "fuzz: spec (damonctl JSON specs)" { fuzz spec; }
@test "fuzz: spm (/proc/iomem and the node, memory and dax files)" { fuzz spm; }
@test "fuzz: ranges (pmbind ranges and --ranges-from files)" { fuzz ranges; }
@test "fuzz: record (damonctl report heatmap and wss recordings)" { fuzz record; }
