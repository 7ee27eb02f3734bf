#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The guest's NUMA topology is the one tests/vm/run asked QEMU for: node 0
# with cpu 0, node 1 with cpu 1, node 2 CPU-less; SLIT distances 10 local,
# 20 between nodes 0 and 1, 30 to node 2; HMAT latencies 80/130/300 ns, from
# which Linux 6.7+ puts node 2 in a lower memory tier of its own.  Every
# later VM test relies on this.

bats_require_minimum_version 1.5.0
load helpers

@test "three nodes online with memory, node 2 has no CPUs" {
	[ "$(<"$NODE_SYS/online")" = 0-2 ]
	[ "$(<"$NODE_SYS/has_memory")" = 0-2 ]
	[ "$(<"$NODE_SYS/has_cpu")" = 0-1 ]
	[ "$(<"$NODE_SYS/node0/cpulist")" = 0 ]
	[ "$(<"$NODE_SYS/node1/cpulist")" = 1 ]
	[ -z "$(<"$NODE_SYS/node2/cpulist")" ]
}

@test "numactl -H: three nodes, node 2 CPU-less, SLIT distances 10/20/30" {
	run numactl -H
	[ "$status" -eq 0 ]
	grep -Fx 'available: 3 nodes (0-2)' <<<"$output"
	grep -Fx 'node 0 cpus: 0' <<<"$output"
	grep -Fx 'node 1 cpus: 1' <<<"$output"
	grep -Fx 'node 2 cpus:' <<<"$output"
	# The distance table: the rows after "node distances:" and its header.
	sed -n '/^node distances:/,$p' <<<"$output" | tail -n +3 |
		sed -E 's/ +/ /g; s/^ //; s/ $//' >"$NK_TMP/dist"
	printf '%s\n' '0: 10 20 30' '1: 20 10 30' '2: 30 30 10' >"$NK_TMP/expect"
	same_file "$NK_TMP/expect" "$NK_TMP/dist"
	# sysfs says the same.
	printf '%s\n' '0: 10 20 30' '1: 20 10 30' '2: 30 30 10' >"$NK_TMP/expect"
	sys_distances >"$NK_TMP/sys"
	same_file "$NK_TMP/expect" "$NK_TMP/sys"
}

@test "HMAT: read latency 80 ns from a CPU node to itself, 300 ns to node 2" {
	requires file "$NODE_SYS/node2/access0/initiators/read_latency"
	[ "$(<"$NODE_SYS/node0/access0/initiators/read_latency")" = 80 ]
	[ "$(<"$NODE_SYS/node1/access0/initiators/read_latency")" = 80 ]
	[ "$(<"$NODE_SYS/node2/access0/initiators/read_latency")" = 300 ]
	# Node 2's initiator is node 0 (QEMU: initiator=0).
	[ -e "$NODE_SYS/node2/access0/initiators/node0" ]
}

@test "memory tiers: nodes 0-1 in one tier, CPU-less node 2 in a lower one" {
	requires file "$TIER_SYS"
	requires_kernel 6.7 "this kernel does not derive memory tiers from HMAT latencies"
	memory_tiers >"$NK_TMP/tiers"
	cat "$NK_TMP/tiers"
	mapfile -t tiers <"$NK_TMP/tiers"
	[ "${#tiers[@]}" -eq 2 ]
	# Sorted by tier number: a higher number is a slower tier.
	[ "${tiers[0]#* }" = 0-1 ]
	[ "${tiers[1]#* }" = 2 ]
}

@test "memory tiers before HMAT tiering (Linux < 6.7): one tier holding nodes 0-2" {
	requires file "$TIER_SYS"
	kernel_at_least 6.7 && skip "Linux $(uname -r) derives tiers from HMAT (tested above)"
	memory_tiers >"$NK_TMP/tiers"
	cat "$NK_TMP/tiers"
	mapfile -t tiers <"$NK_TMP/tiers"
	[ "${#tiers[@]}" -eq 1 ]
	[ "${tiers[0]#* }" = 0-2 ]
}
