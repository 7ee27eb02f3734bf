#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The soft-reserved variant (tests/vm/run, tests/vm/README): node 2's memory
# was turned into a Soft Reserved ("specific purpose") range on the kernel
# command line, dax_hmem made a dax device of it, and tests/vm/init bound the
# device to device_dax and loaded kmem.  Nothing here onlines it: spmctl's
# tests do, on this state.

bats_require_minimum_version 1.5.0
load ../helpers

# The node and size of the range tests/vm/run soft-reserves.
SR_NODE=2
SR_SIZE=$((1 << 30))

setup() {
	[[ $(nk_variant) == softreserved ]] || skip "needs the soft-reserved boot"
	DAX=(/sys/bus/dax/devices/dax*)
}

@test "/proc/iomem shows the Soft Reserved range" {
	grep -E '^ *[0-9a-f]+-[0-9a-f]+ : Soft Reserved$' /proc/iomem >"$NK_TMP/sr"
	cat "$NK_TMP/sr"
	[ "$(wc -l <"$NK_TMP/sr")" -eq 1 ]
	IFS='- ' read -r start end _ <"$NK_TMP/sr"
	[ $((16#$end - 16#$start + 1)) -eq "$SR_SIZE" ]
}

@test "dax_hmem made one dax device of it, bound to device_dax, with target_node 2" {
	[ "${#DAX[@]}" -eq 1 ]
	[ -e "${DAX[0]}" ]
	[ "$(basename "$(readlink "${DAX[0]}/driver")")" = device_dax ]
	[ "$(<"${DAX[0]}/target_node")" = "$SR_NODE" ]
	[ "$(<"${DAX[0]}/size")" = "$SR_SIZE" ]
	# The character device exists: the memory is reachable as devdax.
	[ -c "/dev/${DAX[0]##*/}" ]
	# Its range is the Soft Reserved one.
	grep -E "^ *0*$(printf '%x' "$(<"${DAX[0]}/resource")")-" /proc/iomem | grep -q 'Soft Reserved'
}

@test "the range is not online yet: node 2 has no memory, kmem is loaded and idle" {
	[ "$(<"$NODE_SYS/has_memory")" = 0-1 ]
	[ -d /sys/bus/dax/drivers/kmem ]
	[ -z "$(compgen -G '/sys/bus/dax/drivers/kmem/dax*')" ]
	run grep 'System RAM (kmem)' /proc/iomem
	[ "$status" -eq 1 ]
}
