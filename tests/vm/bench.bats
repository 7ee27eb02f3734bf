#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The three-node part of bench/pmbind (bench/vm-pmbind) in its quick mode,
# so that it cannot rot between two `make bench`.  Only that it ran, moved
# the region each time and reported figures is checked, never a timing.

bats_require_minimum_version 1.5.0

load helpers

@test "bench/vm-pmbind --quick: each command moved the whole region, figures for each" {
	requires nodes 2
	requires binary bench/nk-pausemeter
	run --separate-stderr /numakit/bench/vm-pmbind --quick
	if ((status != 0)); then
		printf 'status %s\n--- output:\n%s\n--- stderr:\n%s\n' "$status" "$output" "$stderr"
		return 1
	fi
	# 8 MiB of 4 KiB pages on the destination node after every move.
	for cmd in 'migratepages PID 0 1`, `1 0' 'pmbind --method=migrate -m 1 -p PID RANGE`, `-m 0' \
		'pmbind --method=ptrace -m 1 --move -p PID RANGE`, `-m 0 --move'; do
		grep -qE "^\\| \`$cmd\` \\| 1( \\| [0-9.]+){5} \\| 2048 \\| [0-9.]+ \\|\$" <<<"$output" ||
			{ printf 'no figures for %s:\n%s\n' "$cmd" "$output"; return 1; }
	done
	grep -qE '^\| target.s largest gap during .* \| 2 \| [0-9.]+ \| [0-9.]+ \|$' <<<"$output"
	grep -qE '^\| pmbind.s wall time, seen from the script \| 2 \| [0-9.]+ \| [0-9.]+ \|$' <<<"$output"
	# The meters it started are gone.
	local c
	for c in /proc/[0-9]*/comm; do
		[[ $(cat "$c" 2>/dev/null) != nk-pausemeter ]] || { echo "left running: $c"; return 1; }
	done
}
