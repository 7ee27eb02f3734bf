#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# cpumm on a real three-node kernel: cpu 0 is node 0, cpu 1 is node 1,
# node 2 has no CPU.  Debian's kernels have no Cpus_active_mm (the patch is
# not merged): the footprint is sampled, and its node span comes from the
# guest's own /sys/devices/system/node.  Only read: nothing here changes the
# machine but the affinity of the test's own workload.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	requires binary cpumm
	requires binary tests/workload/nk-heat
	C=$NK_BUILD/cpumm
	HEAT=$NK_BUILD/tests/workload/nk-heat
}

# Start nk-heat (threads that never sleep) on CPU list $1; HEAT_PID.  TCG is
# slow: allow 60 s.
start_heat() {
	local ready=$NK_TMP/heat.ready i

	start_bg taskset -c "$1" "$HEAT" --size 1M --hot 1M --threads 2 --ppid-watch \
		--ready "$ready"
	HEAT_PID=$NK_BG_PID
	for ((i = 0; i < 1200; i++)); do
		[[ -e $ready ]] && return 0
		nk_alive "$HEAT_PID" || { cat "$NK_BG_LOG"; return 1; }
		sleep 0.05
	done
	echo "nk-heat was not ready after 60 s"
	return 1
}

# Print the pid of a child of pid $1 (busybox has no pgrep here).
child_of() {
	local f stat ppid

	for f in /proc/[0-9]*/stat; do
		{ read -r stat <"$f"; } 2>/dev/null || continue
		stat=${stat##*) }
		read -r _ ppid _ <<<"$stat"
		[[ $ppid == "$1" ]] && { f=${f#/proc/}; printf '%s\n' "${f%/stat}"; return 0; }
	done
	return 1
}

# Move every thread of pid $1 to CPU list $2.
move() {
	taskset -a -p -c "$2" "$1" >/dev/null
}

@test "a workload on CPU 0 spans node 0, on CPU 1 node 1" {
	start_heat 0
	run --separate-stderr "$C" -r -n -o CPUS_ACTIVE_MM_LIST,NODES,SPAN,SOURCE "$HEAT_PID"
	[ "$status" -eq 0 ]
	[ "$output" = "0 0 1 sampled" ]
	move "$HEAT_PID" 1
	sleep 0.5
	run --separate-stderr "$C" -r -n -o CPUS_ACTIVE_MM_LIST,NODES,SPAN "$HEAT_PID"
	[ "$status" -eq 0 ]
	[ "$output" = "1 1 1" ]
}

@test "a workload that runs on both CPUs spans nodes 0-1" {
	start_heat 0
	start_bg "$C" -J -o PID,CPUS_ACTIVE_MM_LIST,NODES,SPAN -i 4s "$HEAT_PID"
	local cp=$NK_BG_PID log=$NK_BG_LOG rc=0
	sleep 1
	move "$HEAT_PID" 1
	wait "$cp" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$log"; false; }
	[ "$(jq -r '.processes[0].cpus_active_mm_list' "$log")" = 0-1 ]
	[ "$(jq -r '.processes[0].nodes' "$log")" = 0-1 ]
	[ "$(jq '.processes[0].span' "$log")" = 2 ]
}

@test "--watch: the footprint reaches node 1 when the workload moves there" {
	start_heat 0
	start_bg "$C" -J -w -i 300ms -c 12 "$HEAT_PID"
	local cp=$NK_BG_PID log=$NK_BG_LOG rc=0
	sleep 1.5
	move "$HEAT_PID" 1
	wait "$cp" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$log"; false; }
	[ "$(head -n 1 "$log" | jq -r .nodes)" = 0 ]
	jq -r 'select(.event == "change") | .nodes' "$log" | grep -Eqx '1|0-1' || { cat "$log"; false; }
	[ "$(tail -n 1 "$log" | jq -r .nodes)" = 0-1 ]
}

@test "-- CMD: a command moved across both CPUs reports nodes 0-1" {
	start_bg "$C" -r -n -o NODES,SPAN,SOURCE -i 100ms -- taskset -c 0 "$HEAT" --size 1M \
		--hot 1M --threads 2 --ready "$NK_TMP/ready"
	local cp=$NK_BG_PID log=$NK_BG_LOG hp rc=0
	wait_for_file "$NK_TMP/ready" 60
	hp=$(child_of "$cp")
	sleep 1
	move "$hp" 1
	sleep 1
	kill -TERM "$hp"
	wait "$cp" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$log"; false; }
	grep -Eqx '0-1 +2 +sampled' "$log" || { cat "$log"; false; }
}

@test "--source=kernel on a kernel without the patch: exit 4" {
	grep -q '^Cpus_active_mm:' /proc/self/status && skip "this kernel has Cpus_active_mm"
	run --separate-stderr "$C" --source=kernel "$$"
	[ "$status" -eq 4 ]
	[[ $stderr == *"fs/proc: Expose mm_cpumask in /proc/[pid]/status"* ]]
}
