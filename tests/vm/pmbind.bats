#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# pmbind on a real three-node kernel: where pages go after each method.
# The workload's --lazy region (16 MiB) is mapped untouched; SIGUSR1 makes
# it touch every page, so the tests choose whether pages exist before or
# after pmbind runs.

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	# Automatic NUMA balancing would move pages on its own while we count.
	echo 0 >/proc/sys/kernel/numa_balancing
}

# Start a workload with a lazy region; LZ_START and LZ_END are its bounds (hex).
start_lazy() {
	local r

	start_workload --lazy "$NK_TMP/lazy"
	r=$(<"$NK_TMP/lazy")
	LZ_START=${r%-*}
	LZ_END=${r#*-}
}

# Make the workload touch its region, and wait until it has.
touch_lazy() {
	local i

	rm -f "$NK_TMP/lazy.touched"
	kill -USR1 "$WL_PID"
	for ((i = 0; i < 600; i++)); do
		[[ -e $NK_TMP/lazy.touched ]] && return 0
		sleep 0.05
	done
	echo "the workload did not touch its region"
	return 1
}

# Pages of the region per node, from move_pages(2) status: "N2=4096 absent=0".
region_pages() {
	"$PROBE" pages "$WL_PID" "$LZ_START" "$LZ_END"
}

# The region's line of numa_maps.
region_numa_maps() {
	grep "^$LZ_START " "/proc/$WL_PID/numa_maps"
}

# The target runs on, untraced.
target_fine() {
	grep -q '^TracerPid:[[:space:]]*0$' "/proc/$WL_PID/status"
	! grep -Eq '^State:[[:space:]]*[tT]' "/proc/$WL_PID/status"
}

# Pages per node as "a b c" for nodes 0 1 2 from region_pages.
node_counts() {
	local line=$1 n out=""

	for n in 0 1 2; do
		if [[ $line =~ N$n=([0-9]+) ]]; then
			out+="${BASH_REMATCH[1]} "
		else
			out+="0 "
		fi
	done
	printf '%s\n' "${out% }"
}

@test "--membind=2 --move: the region's pages move to node 2 (move_pages status, numa_maps)" {
	local before after

	start_lazy
	touch_lazy
	before=$(region_pages)
	echo "before: $before"
	[[ $before != *N2=* ]]
	run pmbind -v -p "$WL_PID" --membind=2 --move "0x$LZ_START-0x$LZ_END"
	echo "$output"
	[ "$status" -eq 0 ]
	after=$(region_pages)
	echo "after: $after; numa_maps: $(region_numa_maps)"
	[ "$after" = "N2=4096 absent=0" ]
	region_numa_maps | grep -Eq "^$LZ_START bind:2 .*N2=4096( |$)"
	! region_numa_maps | grep -Eq ' N[01]='
	target_fine
}

@test "ptrace: after binding, new faults in the region land on the bound node" {
	start_lazy
	[ "$(region_pages)" = "absent=4096" ]
	run pmbind -p "$WL_PID" --method=ptrace --membind=2 "0x$LZ_START-0x$LZ_END"
	echo "$output"
	[ "$status" -eq 0 ]
	touch_lazy
	[ "$(region_pages)" = "N2=4096 absent=0" ]
	region_numa_maps | grep -q " bind:2 "
	target_fine
}

@test "migrate: present pages move, but new faults are not bound" {
	local after

	start_lazy
	# Nothing present: nothing moves, and no policy is left behind.
	run --separate-stderr pmbind -p "$WL_PID" --method=migrate --membind=2 \
		"0x$LZ_START-0x$LZ_END"
	echo "$output / $stderr"
	[ "$status" -eq 0 ]
	[[ $output == *present=0* ]]
	[[ $stderr == *'sets no policy'* ]]
	touch_lazy
	after=$(region_pages)
	echo "after the faults: $after"
	[[ $after != *N2=* && $after == *absent=0 ]]
	region_numa_maps | grep -q "^$LZ_START default "
	# Now the pages exist: they move, and the policy stays default.
	run pmbind -p "$WL_PID" --method=migrate --membind=2 "0x$LZ_START-0x$LZ_END"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *present=4096* && $output == *N2=4096* ]]
	[ "$(region_pages)" = "N2=4096 absent=0" ]
	region_numa_maps | grep -q "^$LZ_START default "
	target_fine
}

@test "--interleave=0-2: new pages spread over the three nodes" {
	local counts a b c

	start_lazy
	run pmbind -p "$WL_PID" --interleave=0-2 "0x$LZ_START-0x$LZ_END"
	[ "$status" -eq 0 ]
	touch_lazy
	counts=$(node_counts "$(region_pages)")
	echo "pages on nodes 0 1 2: $counts; numa_maps: $(region_numa_maps)"
	read -r a b c <<<"$counts"
	((a > 0 && b > 0 && c > 0 && a + b + c == 4096))
	region_numa_maps | grep -q " interleave:0-2 "
	target_fine
}

@test "--preferred-many=2: new pages go to node 2" {
	start_lazy
	run pmbind -p "$WL_PID" --preferred-many=2 "0x$LZ_START-0x$LZ_END"
	[ "$status" -eq 0 ]
	touch_lazy
	[ "$(region_pages)" = "N2=4096 absent=0" ]
	echo "numa_maps: $(region_numa_maps)"
	region_numa_maps | grep -Fq " prefer (many):2 "
	target_fine
}

@test "--weighted-interleave=0-2: new pages spread by weight (Linux 6.9+)" {
	local counts a b c

	requires_kernel 6.9 "weighted interleave"
	start_lazy
	run pmbind -p "$WL_PID" --weighted-interleave=0-2 "0x$LZ_START-0x$LZ_END"
	echo "$output"
	[ "$status" -eq 0 ]
	touch_lazy
	counts=$(node_counts "$(region_pages)")
	echo "pages on nodes 0 1 2: $counts; numa_maps: $(region_numa_maps)"
	read -r a b c <<<"$counts"
	((a > 0 && b > 0 && c > 0 && a + b + c == 4096))
	region_numa_maps | grep -q "weighted interleave:0-2"
	target_fine
}

@test "--weighted-interleave before Linux 6.9: exit 4 naming the version" {
	kernel_at_least 6.9 && skip "this kernel has weighted interleave ($(uname -r))"
	start_lazy
	run --separate-stderr pmbind -p "$WL_PID" --weighted-interleave=0-2 "0x$LZ_START-0x$LZ_END"
	echo "$output / $stderr"
	[ "$status" -eq 4 ]
	[[ $stderr == *'6.9'* ]]
	region_numa_maps | grep -q "^$LZ_START default "
	target_fine
}
