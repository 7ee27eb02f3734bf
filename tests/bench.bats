#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The benchmarks of bench/ in their quick mode, once each, so that they
# cannot rot.  Only that each ran and reported is checked, never a figure:
# timings on a shared test machine say nothing (bench/RESULTS.md holds the
# figures of a full `make bench`).

bats_require_minimum_version 1.5.0
load helpers

setup() {
	requires command hyperfine
	requires command jq
	export B=$NK_BUILD
}

# After `run bench/NAME --quick`: it ran, printed its section heading and
# at least one table row of figures, and said nothing went wrong.
expect_report() {
	if ((status != 0)); then
		printf 'status %s\n--- output:\n%s\n--- stderr:\n%s\n' "$status" "$output" "${stderr:-}"
		return 1
	fi
	grep -qE '^## [0-9]\. ' <<<"$output" || { printf 'no section heading:\n%s\n' "$output"; return 1; }
	grep -qE '^\| .* \| [0-9.]+ \|' <<<"$output" || { printf 'no figures:\n%s\n' "$output"; return 1; }
}

@test "bench: startup --quick reports every tool and its peer" {
	run --separate-stderr "$NK_SRC/bench/startup" --quick
	expect_report
	for t in mapsdump pmbind cpumm spmctl damonctl; do
		grep -q "^| \`$t --version\` |" <<<"$output"
	done
	grep -q '^| `numactl --show` |' <<<"$output"
	grep -q '^| `lsmem` |' <<<"$output"
}

@test "bench: maps-cost --quick reports the mapper's latency under each scanner" {
	run --separate-stderr "$NK_SRC/bench/maps-cost" --quick
	expect_report
	grep -q '^## 1\. Cost to the target of reading its maps$' <<<"$output"
	for r in 'no scanner' '`cat /proc/PID/maps`' '`mapsdump --method=text PID`' \
		'`mapsdump --method=ioctl PID`'; do
		grep -qF "| $r | 1 | " <<<"$output"
	done
}

@test "bench: dump --quick checks mapsdump against cat, then reports cat, the floor, pmap and mapsdump" {
	requires command pmap
	run --separate-stderr "$NK_SRC/bench/dump" --quick
	expect_report
	grep -q '^## 2\. Dump throughput' <<<"$output"
	grep -q '^### 1000 VMAs (' <<<"$output"
	grep -q '^| `cat /proc/PID/maps` | .* | 1\.00 |$' <<<"$output"
	grep -q '^| `pmap -x PID` |' <<<"$output"
	grep -q '^| `bench/nk-hold /proc/PID/maps` |' <<<"$output"
	for args in "" "--method=text " "--method=ioctl " "-J " "--numa "; do
		grep -q "^| \`mapsdump ${args}PID\` |" <<<"$output" || { echo "no row for '$args'"; false; }
	done
	# The quick run leaves the system's limit alone, and its target is gone.
	[[ $output != *max_map_count* ]]
	[[ $stderr =~ timing\ cat-1000\ [^:]*:\ cat\ /proc/([0-9]+)/maps ]]
	! kill -0 "${BASH_REMATCH[1]}" 2>/dev/null
}

@test "bench: pmbind --quick reports the pause, the ranges per second and the migrate cost" {
	requires binary bench/nk-pausemeter
	run --separate-stderr "$NK_SRC/bench/pmbind" --quick
	expect_report
	grep -q '^## 3\. pmbind' <<<"$output"
	grep -qE '^\| target.s largest gap during `pmbind --method=ptrace -m 0 -p PID RANGE` \| 5 \| [0-9.]+ \| [0-9.]+ \|$' <<<"$output"
	grep -qE '^\| target.s largest gap in a window as long, no pmbind \(baseline\) \| 5 \| [0-9.]+ \| [0-9.]+ \|$' <<<"$output"
	grep -qE '^\| `pmbind --method=ptrace -m 0 -p PID RANGE` \| [0-9.]+ \|' <<<"$output"
	for n in 1 100; do
		grep -qE "^\\| $n( \\| [0-9.]+){6} \\|\$" <<<"$output"
	done
	# 64 MiB of 4 KiB pages, all present.
	grep -q '(present=16384 moved=16384)' <<<"$output"
	grep -qE '^\| `pmbind --method=migrate -m 0 -p PID RANGE # 64M` \|( [0-9.]+ \|){5}$' <<<"$output"
	grep -q '^Skipped: quick mode' <<<"$output"
	# The meters it started are gone.
	local c
	for c in /proc/[0-9]*/comm; do
		[[ $(cat "$c" 2>/dev/null) != nk-pausemeter ]] || { echo "left running: $c"; return 1; }
	done
}

@test "bench/run --quick: a header naming the machine, then the section" {
	run --separate-stderr "$NK_SRC/bench/run" --quick startup
	expect_report
	grep -q '^# numakit benchmarks' <<<"$output"
	grep -q "^- kernel: $(uname -r) " <<<"$output"
	grep -q '^## 4\. Start-up' <<<"$output"
}

@test "bench/run: an unknown benchmark is a usage error, nothing run" {
	run --separate-stderr "$NK_SRC/bench/run" --quick nosuch
	((status == 2))
	[[ $stderr == *"unknown benchmark 'nosuch'"* ]]
	[[ -z $output ]]
}
