#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# spmctl on the three-node boot: node 2 is CPU-less and slow (HMAT 300 ns),
# so 6.7+ puts it in a lower memory tier of its own.  `run` must put a
# command's pages there and `who` must find them.  Neither kernel has the
# SPM interfaces: run falls back to a plain policy and says so with -v.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	# Automatic NUMA balancing would move pages on its own while we count.
	echo 0 >/proc/sys/kernel/numa_balancing
}

setup() {
	# The soft-reserved boot has no memory on node 2 until spmctl onlines it.
	[[ $(nk_variant) == normal ]] || skip "needs the three-node boot"
	requires binary spmctl
	SP=$NK_BUILD/spmctl
}

# Start nk-workload under `spmctl run ARGS --` with a 16 MiB lazy region, make
# it touch the region, and wait until it has; LZ_START is the region's start.
start_run_workload() {
	local r i

	WL_PREFIX=("$SP" run "$@" --)
	start_workload --lazy "$NK_TMP/lazy"
	r=$(<"$NK_TMP/lazy")
	LZ_START=${r%-*}
	kill -USR1 "$WL_PID"
	for ((i = 0; i < 600; i++)); do
		[[ -e $NK_TMP/lazy.touched ]] && return 0
		sleep 0.05
	done
	echo "the workload did not touch its region"
	return 1
}

# Pages of the region on node $1, from its numa_maps line (0 when none).
region_pages_on() {
	local line

	line=$(grep "^$LZ_START " "/proc/$WL_PID/numa_maps")
	echo "region: $line" >&2
	if [[ $line =~ \ N$1=([0-9]+) ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo 0
	fi
}

@test "list: node 2 is CPU-less, with no CPUs, in a lower memory tier than nodes 0 and 1" {
	run --separate-stderr "$SP" list -J
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.nodes[] | select(.node == 2) | .kind' <<<"$output")" = cpuless ]
	[ "$(jq -r '.nodes[] | select(.node == 2) | .cpus' <<<"$output")" = null ]
	[ "$(jq -r '.nodes[] | select(.node == 0) | .kind' <<<"$output")" = sysram ]
	[ "$(jq -r '.nodes[] | select(.node == 1) | .kind' <<<"$output")" = sysram ]
	requires_kernel 6.7 "this kernel does not derive memory tiers from HMAT latencies"
	t0=$(jq -r '.nodes[] | select(.node == 0) | .tier' <<<"$output")
	t1=$(jq -r '.nodes[] | select(.node == 1) | .tier' <<<"$output")
	t2=$(jq -r '.nodes[] | select(.node == 2) | .tier' <<<"$output")
	[ "$t0" = "$t1" ]
	# A higher tier number is a slower tier; sysfs says the same.
	((t2 > t0))
	[ "$(<"$TIER_SYS/memory_tier$t2/nodelist")" = 2 ]
}

@test "run --nodes=2: the workload's pages land on node 2, under a bind:2 policy" {
	start_run_workload --nodes=2
	grep "^$LZ_START " "/proc/$WL_PID/numa_maps" | grep -q ' bind:2 '
	# 16 MiB of 4 KiB pages, all of them on node 2 (6.1 merges the region with
	# the anonymous pages beside it: a few more).
	(($(region_pages_on 2) >= 16 << 20 >> 12))
	[ "$(region_pages_on 0)" -eq 0 ]
	[ "$(region_pages_on 1)" -eq 0 ]
}

@test "run -v: neither kernel takes MPOL_F_SPM_NODE; the plain policy is used and said" {
	run --separate-stderr "$SP" run -v --nodes=2 -- cat /proc/self/numa_maps
	[ "$status" -eq 0 ]
	[ "$stderr" = "spmctl: the kernel refused MPOL_F_SPM_NODE (no SPM support): plain policy bind on nodes 2" ]
	[ "$(awk '{ print $2 }' <<<"$output" | sort -u)" = bind:2 ]
}

@test "run --policy=interleave --nodes=0,2 spreads the pages over nodes 0 and 2" {
	start_run_workload --nodes=0,2 --policy=interleave
	grep "^$LZ_START " "/proc/$WL_PID/numa_maps" | grep -q ' interleave:0,2 '
	n0=$(region_pages_on 0) n2=$(region_pages_on 2)
	# Interleaving page by page: about half each.
	((n0 > 1000 && n2 > 1000 && n0 + n2 >= 4096))
	[ "$(region_pages_on 1)" -eq 0 ]
}

@test "run --policy=preferred --nodes=2: the pages land on node 2 (prefer:2)" {
	start_run_workload --nodes=2 --policy=preferred
	grep "^$LZ_START " "/proc/$WL_PID/numa_maps" | grep -q ' prefer:2 '
	(($(region_pages_on 2) >= 4096))
	[ "$(region_pages_on 0)" -eq 0 ]
}

@test "run --policy=preferred with two nodes is a usage error" {
	run --separate-stderr "$SP" run --nodes=0,2 --policy=preferred -- true
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "spmctl: --policy=preferred takes exactly one node, not '0,2'" ]
}

@test "who: finds the workload run on node 2, by default (node 2 is CPU-less) and by name" {
	start_run_workload --nodes=2
	for args in "" 2; do
		run --separate-stderr "$SP" who -J $args
		echo "who $args: $output"
		[ "$status" -eq 0 ]
		row=$(jq -c --argjson pid "$WL_PID" '.processes[] | select(.pid == $pid)' <<<"$output")
		[ -n "$row" ]
		[ "$(jq -r .node <<<"$row")" = 2 ]
		[ "$(jq -r .comm <<<"$row")" = nk-workload ]
		# The region alone is 4096 pages.
		(($(jq -r .pages <<<"$row") >= 4096))
		# Only node 2 is looked at.
		[ "$(jq -r '[.processes[].node] | unique | join(",")' <<<"$output")" = 2 ]
	done
	# The largest holder of node 2 comes first; here that is the workload.
	[ "$(jq -r '.processes[0].pid' <<<"$output")" = "$WL_PID" ]
	run --separate-stderr "$SP" who -r -n -o PID,NODE,KIND 2
	grep -Fx "$WL_PID 2 cpuless" <<<"$output"
}

@test "who 0-1: the workload bound to node 2 holds none of its region there" {
	start_run_workload --nodes=2
	run --separate-stderr "$SP" who -J 0-1
	[ "$status" -eq 0 ]
	pages=$(jq -r --argjson pid "$WL_PID" \
		'[.processes[] | select(.pid == $pid) | .pages] | add // 0' <<<"$output")
	echo "pages of $WL_PID on nodes 0-1: $pages"
	# Its program and libraries may sit in the page cache of nodes 0-1; not the 16 MiB.
	((pages < 4096))
}
