#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# spmctl online and offline on the soft-reserved boot (tests/vm/README):
# dax0.0 (1 GiB, target_node 2) is on device_dax, kmem is loaded, node 2 has
# no memory, and the kernel onlines hot-added memory into ZONE_MOVABLE by
# itself (memhp_default_state=online_movable).  Each test starts from that
# state and puts it back, except the last: a block that refuses to go
# offline stays online until the next reboot, so that test comes last.

bats_require_minimum_version 1.5.0
load ../helpers

DAX=dax0.0
DAX_SYS=/sys/bus/dax/devices/$DAX
MEM_SYS=/sys/devices/system/memory

setup() {
	[[ $(nk_variant) == softreserved ]] || skip "needs the soft-reserved boot"
	requires binary spmctl
	SP=$NK_BUILD/spmctl
}

# The driver dax0.0 is bound to, or "none".
dax_driver() {
	if [[ -e $DAX_SYS/driver ]]; then
		basename "$(readlink "$DAX_SYS/driver")"
	else
		echo none
	fi
}

# "state zone" of each memory block of node 2's range (memory32..39: 128 MiB
# blocks from 4 GiB), one a line; "absent" for a block that does not exist.
blocks() {
	local i z

	for i in $(seq 32 39); do
		if [[ -e $MEM_SYS/memory$i/state ]]; then
			z=$(<"$MEM_SYS/memory$i/valid_zones")
			printf '%s %s\n' "$(<"$MEM_SYS/memory$i/state")" "${z%% *}"
		else
			echo absent
		fi
	done
}

# The state the boot left: device_dax, node 2 without memory, no block.
assert_devdax() {
	[ "$(dax_driver)" = device_dax ]
	[ "$(<"$NODE_SYS/has_memory")" = 0-1 ]
	! grep -q 'System RAM (kmem)' /proc/iomem
	[ "$(blocks | sort -u)" = absent ]
}

# Put the boot's state back if a test left dax0.0 online.
teardown() {
	stop_bg_all
	if [[ $(dax_driver) == kmem ]]; then
		"$SP" offline "$DAX" || echo "teardown: spmctl offline $DAX failed"
	fi
}

@test "the boot's state: dax0.0 on device_dax, node 2 without memory" {
	assert_devdax
}

@test "online dax0.0: node 2 appears, CPU-less, 1 GiB, in a lower memory tier, from dax0.0" {
	run --separate-stderr "$SP" online -v "$DAX"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(dax_driver)" = kmem ]
	[ "$(<"$NODE_SYS/has_memory")" = 0-2 ]
	[ "$(<"$NODE_SYS/has_cpu")" = 0-1 ]
	grep -q 'System RAM (kmem)' /proc/iomem
	# The kernel onlined the blocks itself (online_movable): spmctl says so.
	grep -Fxq "spmctl: $DAX is online as node 2: 1G in 8 memory blocks (memory32-39), onlined by the kernel into zone Movable" <<<"$stderr"
	[ "$(blocks | sort -u)" = "online Movable" ]
	run --separate-stderr "$SP" list -J
	echo "$output"
	node=$(jq -c '.nodes[] | select(.node == 2)' <<<"$output")
	[ "$(jq -r .kind <<<"$node")" = cpuless ]
	[ "$(jq -r .cpus <<<"$node")" = null ]
	size=$(jq -r .size <<<"$node")
	((size > (1 << 30) - (16 << 20) && size <= (1 << 30)))
	[ "$(jq -r .zone <<<"$node")" = Movable ]
	[[ $(jq -r .source <<<"$node") == "$DAX "* ]]
	tier=$(jq -r .tier <<<"$node")
	tier0=$(jq -r '.nodes[] | select(.node == 0) | .tier' <<<"$output")
	((tier > tier0))
	[ "$(<"/sys/devices/virtual/memory_tiering/memory_tier$tier/nodelist")" = 2 ]
	# The node takes allocations.
	run "$SP" run --nodes=2 -- memhog -r1 64M
	[ "$status" -eq 0 ]
}

@test "offline dax0.0: every block offline, kmem lets go, dax0.0 back on device_dax" {
	"$SP" online "$DAX"
	[ "$(dax_driver)" = kmem ]
	run --separate-stderr "$SP" offline -v "$DAX"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	grep -Fxq "spmctl: $DAX is offline: 1G of node 2 returned in 8 memory blocks, the device is on device_dax" <<<"$stderr"
	assert_devdax
	# Again: a second round trip works the same.
	"$SP" online "$DAX"
	[ "$(<"$NODE_SYS/has_memory")" = 0-2 ]
	"$SP" offline "$DAX"
	assert_devdax
}

@test "online -J and offline -J: the device and its blocks, as daxctl names them" {
	run --separate-stderr "$SP" online -J "$DAX"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .device <<<"$output")" = "$DAX" ]
	[ "$(jq -r .mode <<<"$output")" = system-ram ]
	[ "$(jq -r .driver <<<"$output")" = kmem ]
	[ "$(jq -r .target_node <<<"$output")" = 2 ]
	[ "$(jq -r .size <<<"$output")" -eq $((1 << 30)) ]
	[ "$(jq -r .online_memblocks <<<"$output")" = 8 ]
	[ "$(jq -r .total_memblocks <<<"$output")" = 8 ]
	[ "$(jq -r '[.memblocks[].name] | join(",")' <<<"$output")" = \
		memory32,memory33,memory34,memory35,memory36,memory37,memory38,memory39 ]
	[ "$(jq -r '[.memblocks[] | .state + "/" + .zone] | unique | join(",")' <<<"$output")" = \
		online/Movable ]
	run --separate-stderr "$SP" offline -J "$DAX"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .mode <<<"$output")" = devdax ]
	[ "$(jq -r .driver <<<"$output")" = device_dax ]
	[ "$(jq -r .online_memblocks <<<"$output")" = 0 ]
	[ "$(jq -r '[.memblocks[] | select(.changed) | .state] | unique | join(",")' <<<"$output")" = removed ]
	assert_devdax
}

@test "online of dax0.0 already online: 1, nothing changed; offline of dax0.0 not online: 1" {
	"$SP" online "$DAX"
	run --separate-stderr "$SP" online "$DAX"
	[ "$status" -eq 1 ]
	[ "$stderr" = "spmctl: $DAX is already online as node 2" ]
	[ "$(blocks | sort -u)" = "online Movable" ]
	"$SP" offline "$DAX"
	run --separate-stderr "$SP" offline "$DAX"
	[ "$status" -eq 1 ]
	[ "$stderr" = "spmctl: $DAX is not online (bound to device_dax)" ]
	assert_devdax
}

@test "online --dry-run and offline --dry-run write nothing" {
	run --separate-stderr "$SP" online --dry-run "$DAX"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "echo $DAX > /sys/bus/dax/drivers/device_dax/unbind" ]
	[ "${lines[1]}" = "echo $DAX > /sys/bus/dax/drivers/kmem/bind" ]
	[ "${#lines[@]}" -eq 10 ]
	assert_devdax
	"$SP" online "$DAX"
	run --separate-stderr "$SP" offline --dry-run "$DAX"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 10 ]
	[ "$(dax_driver)" = kmem ]
	[ "$(blocks | sort -u)" = "online Movable" ]
}

@test "online --spm: this kernel has no spm_node attribute: 4, and nothing changed" {
	[[ ! -e $DAX_SYS/spm_node ]] || skip "this kernel has the SPM RFC's spm_node"
	run --separate-stderr "$SP" online --spm "$DAX"
	[ "$status" -eq 4 ]
	[[ ${stderr_lines[0]} == "spmctl: $DAX has no spm_node attribute: "*RFC* ]]
	assert_devdax
}

@test "online of a device on kmem with its blocks offline onlines the blocks" {
	local policy

	# kmem alone, with the kernel told not to online anything (as an
	# interrupted offline, or a kernel without auto-onlining, leaves it).
	policy=$(<"$MEM_SYS/auto_online_blocks")
	echo offline >"$MEM_SYS/auto_online_blocks"
	echo "$DAX" >/sys/bus/dax/drivers/device_dax/unbind
	echo "$DAX" >/sys/bus/dax/drivers/kmem/bind
	echo "$policy" >"$MEM_SYS/auto_online_blocks"
	[ "$(blocks | cut -d' ' -f1 | sort -u)" = offline ]
	run --separate-stderr "$SP" online -v "$DAX"
	echo "$stderr"
	[ "$status" -eq 0 ]
	grep -Fxq "spmctl: $DAX is bound to kmem with 8 of 8 blocks offline: onlining them" <<<"$stderr"
	grep -Fxq "spmctl: $DAX is online as node 2: 1G in 8 memory blocks (memory32-39), onlined by spmctl into zone Movable" <<<"$stderr"
	[ "$(blocks | sort -u)" = "online Movable" ]
	"$SP" offline "$DAX"
	assert_devdax
}

# Run spmctl ARGS... with a pause after each sysfs write; once its stderr
# shows a line matching $1, SIGTERM it.  SP_STATUS is its exit status, its
# stderr is printed and left in $NK_TMP/err.
interrupt_at() {
	local pattern=$1 pid i

	shift
	NUMAKIT_TEST_SPM_WRITE_DELAY_MS=250 "$SP" "$@" 2>"$NK_TMP/err" &
	pid=$!
	for ((i = 0; i < 1200; i++)); do
		grep -q -- "$pattern" "$NK_TMP/err" && break
		sleep 0.05
	done
	kill -TERM "$pid"
	SP_STATUS=0
	wait "$pid" || SP_STATUS=$?
	cat "$NK_TMP/err"
}

@test "online interrupted by SIGTERM after kmem took dax0.0: undone, dax0.0 back on device_dax" {
	interrupt_at 'kmem/bind$' online -vv "$DAX"
	[ "$SP_STATUS" -eq 1 ]
	grep -Fxq "spmctl: interrupted by signal 15" "$NK_TMP/err"
	# The undo, after the interruption: the blocks kmem added (the kernel
	# onlined them), then kmem, then device_dax again.
	sed -n '/interrupted by signal/,$p' "$NK_TMP/err" | grep '^spmctl: echo' >"$NK_TMP/undo"
	{
		for i in $(seq 32 39); do
			echo "spmctl: echo offline > /sys/devices/system/memory/memory$i/state"
		done
		echo "spmctl: echo $DAX > /sys/bus/dax/drivers/kmem/unbind"
		echo "spmctl: echo $DAX > /sys/bus/dax/drivers/device_dax/bind"
	} >"$NK_TMP/expect"
	same_file "$NK_TMP/expect" "$NK_TMP/undo"
	assert_devdax
}

@test "online interrupted by SIGTERM right after device_dax let go: dax0.0 back on device_dax" {
	interrupt_at 'unbound from device_dax$' online -v "$DAX"
	[ "$SP_STATUS" -eq 1 ]
	grep -Fxq "spmctl: interrupted by signal 15" "$NK_TMP/err"
	assert_devdax
}

@test "offline interrupted by SIGTERM half-way through the blocks: they are back online" {
	"$SP" online "$DAX"
	interrupt_at 'memory35/state$' offline -vv "$DAX"
	[ "$SP_STATUS" -eq 1 ]
	grep -Fxq "spmctl: interrupted by signal 15" "$NK_TMP/err"
	grep -Fxq "spmctl: $DAX stays online: the blocks offlined meanwhile are back online" "$NK_TMP/err"
	[ "$(dax_driver)" = kmem ]
	[ "$(blocks | sort -u)" = "online Movable" ]
	"$SP" offline "$DAX"
	assert_devdax
}

# Last: memory in ZONE_NORMAL takes unmovable kernel allocations, and a block
# holding one stays online until the next reboot (tests/fixtures/spm/README:
# vm-softreserved-stuck).  Nothing runs after this test in this boot.
@test "offline names the blocks that refuse, puts the others back online, and leaves dax0.0 on kmem" {
	run --separate-stderr "$SP" online -v --normal "$DAX"
	echo "$stderr"
	[ "$status" -eq 0 ]
	# The kernel onlined them into ZONE_MOVABLE; spmctl moved them to ZONE_NORMAL.
	[ "$(blocks | sort -u)" = "online Normal" ]
	# A process on node 2: its page tables and VMAs are unmovable kernel memory there.
	WL_PREFIX=("$SP" run --nodes=2 --)
	start_workload --many 3000 --lazy "$NK_TMP/lazy"
	kill -USR1 "$WL_PID"
	wait_for_file "$NK_TMP/lazy.touched" 60
	run --separate-stderr "$SP" offline -J "$DAX"
	echo "$stderr"
	echo "$output"
	[ "$status" -eq 1 ]
	refused=$(jq -r '[.memblocks[] | select(.error)] | length' <<<"$output")
	((refused >= 1 && refused <= 8))
	# One line per block that refused: its name, range, zone and the kernel's reason.
	[ "$(grep -Ec "^spmctl: memory block memory3[2-9] \(0x1[0-9a-f]{8}-0x1[0-9a-f]{8}, zone Normal\) of $DAX refused to go offline: Device or resource busy\$" <<<"$stderr")" -eq "$refused" ]
	for b in $(jq -r '.memblocks[] | select(.error) | .name' <<<"$output"); do
		grep -q "^spmctl: memory block $b " <<<"$stderr"
	done
	grep -Fxq "spmctl: $DAX stays online: $refused of 8 memory blocks refused to go offline, the others are back online" <<<"$stderr"
	# Everything as it was before the offline.
	[ "$(dax_driver)" = kmem ]
	[ "$(blocks | sort -u)" = "online Normal" ]
	[ "$(<"$NODE_SYS/has_memory")" = 0-2 ]
}
