#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# cpumm on the host lane.  The host's kernel has no Cpus_active_mm: the
# kernel source is checked on the trees of tests/fixtures/cpumm (made by
# make-fixtures.sh there, in the format of the patch), the sampling source
# on real processes, moved between the host's two CPUs with taskset.

bats_require_minimum_version 1.5.0
load helpers

FIXTURES=$BATS_TEST_DIRNAME/fixtures/cpumm

setup() {
	requires binary cpumm
	requires command jq
	C=$NK_BUILD/cpumm
	HEAT=$NK_BUILD/tests/workload/nk-heat
}

# ---------------------------------------------------------------------------
# Helpers

# After `run`: require status $1, else show what cpumm said.
expect_status() {
	((status == $1)) && return 0
	printf 'expected status %s, got %s\n--- stdout:\n%s\n--- stderr:\n%s\n' "$1" "$status" \
		"$output" "${stderr:-}"
	return 1
}

# After `run --separate-stderr`: require that stderr says $1.
expect_err() {
	[[ ${stderr:-} == *"$1"* ]] && return 0
	printf 'stderr does not say "%s":\n%s\n' "$1" "${stderr:-}"
	return 1
}

# After `run`: require that stdout carries line $1 (blanks squeezed).
expect_line() {
	printf '%s\n' "${lines[@]}" | sed -E 's/ +/ /g; s/^ //; s/ $//' | grep -Fxq -- "$1" &&
		return 0
	printf 'no line "%s" on stdout:\n%s\n--- stderr:\n%s\n' "$1" "$output" "${stderr:-}"
	return 1
}

# A usage error: exit 2, nothing on stdout, the message and the --help hint.
expect_usage() {
	expect_status 2
	[[ -z $output ]] || { printf 'stdout not empty:\n%s\n' "$output"; return 1; }
	expect_err "$1"
	expect_err "Try 'cpumm --help' for more information."
}

# cpumm on fixture tree $1.
on() {
	local fx=$1

	shift
	"$C" --sysroot "$FIXTURES/$fx" "$@"
}

# The value of status field $3 of pid $2 in fixture $1, as the kernel printed it.
field() {
	sed -n "s/^$3:\t//p" "$FIXTURES/$1/proc/$2/status"
}

# Two CPUs to move a workload between, or skip.
requires_two_cpus() {
	requires command taskset
	requires binary tests/workload/nk-heat
	taskset -c 0 true 2>/dev/null && taskset -c 1 true 2>/dev/null ||
		skip "needs CPUs 0 and 1 in this task's affinity"
}

# Start nk-heat (threads that never sleep) pinned to CPU 0; HEAT_PID.
start_heat() {
	local ready=$NK_TMP/heat.ready i

	start_bg taskset -c 0 "$HEAT" --size 1M --hot 1M --threads "${1:-3}" --ppid-watch \
		--ready "$ready"
	HEAT_PID=$NK_BG_PID
	for ((i = 0; i < 200; i++)); do
		[[ -e $ready ]] && return 0
		nk_alive "$HEAT_PID" || { cat "$NK_BG_LOG"; return 1; }
		sleep 0.05
	done
	echo "nk-heat was not ready after 10 s"
	return 1
}

# Move every thread of pid $1 to CPU list $2.
move() {
	taskset -a -p -c "$2" "$1" >/dev/null
}

# Wait for background pid $1 (started by start_bg) and set status to its exit.
wait_bg() {
	status=0
	wait "$1" || status=$?
}

# ---------------------------------------------------------------------------
# The kernel's fields, from fixtures

@test "2 CPUs: the kernel's mask and list, nodes, source" {
	run --separate-stderr on cpus2 -r -o PID,CPUS_ACTIVE_MM,CPUS_ACTIVE_MM_LIST,CPUS_ALLOWED,NODES,SPAN,SOURCE 100 101
	expect_status 0
	expect_line "PID CPUS_ACTIVE_MM CPUS_ACTIVE_MM_LIST CPUS_ALLOWED NODES SPAN SOURCE"
	expect_line "100 3 0-1 3 0 1 kernel"
	expect_line "101 2 1 2 0 1 kernel"
	[[ -z $stderr ]]
}

@test "64 CPUs on two nodes: two words, the span, the stale CPUs of a moved process" {
	run --separate-stderr on cpus64 -r -n -o PID,CPUS_ACTIVE_MM,CPUS_ACTIVE_MM_LIST,CPUS_ALLOWED_LIST,NODES,SPAN,STALE,NSTALE 200 201 202
	expect_status 0
	expect_line "200 00000001,80000001 0,31-32 0-63 0-1 2 0"
	expect_line "201 00000100,00000030 4-5,40 32-63 0-1 2 4-5 2"
	expect_line "202 00000000,00000100 8 0-63 0 1 0"
}

@test "256 CPUs: an eight-word mask comes out as the kernel printed it" {
	run --separate-stderr on cpus256 -J -o PID,CPUS_ACTIVE_MM,CPUS_ACTIVE_MM_LIST,CPUS_ALLOWED,NODES,SPAN 300 301
	expect_status 0
	[[ $(jq -r '.processes[0].cpus_active_mm' <<<"$output") == "$(field cpus256 300 Cpus_active_mm)" ]]
	[[ $(jq -r '.processes[0].cpus_active_mm' <<<"$output") == 80000000,00000100,00000000,00000000,00000010,00000000,00000000,00000001 ]]
	[[ $(jq -r '.processes[0].cpus_allowed' <<<"$output") == "$(field cpus256 300 Cpus_allowed)" ]]
	[[ $(jq -r '.processes[0].cpus_active_mm_list' <<<"$output") == 0,100,200,255 ]]
	[[ $(jq -r '.processes[0].nodes' <<<"$output") == 0-1,3 ]]
	[[ $(jq '.processes[0].span' <<<"$output") == 3 ]]
	[[ $(jq -r '.processes[1].nodes' <<<"$output") == 1 ]]
}

@test "4096 CPUs: 128 words, nodes 0,4,7, stale CPUs outside the allowed half" {
	run --separate-stderr on cpus4096 -J --output-all 4000 4001
	expect_status 0
	local mask
	mask=$(jq -r '.processes[0].cpus_active_mm' <<<"$output")
	[[ $mask == "$(field cpus4096 4000 Cpus_active_mm)" ]]
	[[ $(tr -cd , <<<"$mask" | wc -c) == 127 ]]
	[[ $(jq -r '.processes[0].cpus_allowed' <<<"$output") == "$(field cpus4096 4000 Cpus_allowed)" ]]
	[[ $(jq -r '.processes[0].cpus_active_mm_list' <<<"$output") == 0-3,2048,4095 ]]
	[[ $(jq -r '.processes[0].nodes' <<<"$output") == 0,4,7 ]]
	[[ $(jq -r '.processes[0].stale' <<<"$output") == 2048,4095 ]]
	[[ $(jq '.processes[0].nstale' <<<"$output") == 2 ]]
	[[ $(jq '.processes[0].nactive' <<<"$output") == 6 ]]
	[[ $(jq '.processes[0].mismatch' <<<"$output") == false ]]
	[[ $(jq '.processes[1].stale' <<<"$output") == null ]]
	[[ $(jq -r '.processes[1].cpus_active_mm' <<<"$output") == "$(field cpus4096 4001 Cpus_active_mm)" ]]
}

@test "sparse masks: every other CPU, and CPUs far apart" {
	run --separate-stderr on sparse -r -n -o PID,CPUS_ACTIVE_MM,CPUS_ACTIVE_MM_LIST,NODES,NACTIVE 500 501
	expect_status 0
	expect_line "500 00000000,00055555 0,2,4,6,8,10,12,14,16,18 0-1 10"
	expect_line "501 80000002,00000002 1,33,63 0,2-3 3"
}

@test "a mask and a list that disagree: a warning naming both, and mismatch in JSON" {
	run --separate-stderr on mismatch -J -o PID,CPUS_ACTIVE_MM,CPUS_ACTIVE_MM_LIST,NACTIVE,NODES,MISMATCH 600
	expect_status 0
	expect_err "pid 600: Cpus_active_mm 'f' and Cpus_active_mm_list '0-2' disagree"
	expect_err "only in the mask: 3"
	[[ $(jq '.processes[0].mismatch' <<<"$output") == true ]]
	[[ $(jq -r '.processes[0].cpus_active_mm' <<<"$output") == f ]]
	[[ $(jq -r '.processes[0].cpus_active_mm_list' <<<"$output") == 0-2 ]]
	# Both are kept: CPU 3 counts, and its node.
	[[ $(jq '.processes[0].nactive' <<<"$output") == 4 ]]
	[[ $(jq -r '.processes[0].nodes' <<<"$output") == 0-1 ]]
	run --separate-stderr on mismatch -r -n -o PID,MISMATCH 600
	expect_line "600 yes"
}

@test "agreeing masks say mismatch false, and no warning" {
	run --separate-stderr on cpus64 -J -o PID,MISMATCH 200
	expect_status 0
	[[ $(jq '.processes[0].mismatch' <<<"$output") == false ]]
	[[ -z $stderr ]]
}

@test "--source=kernel without the field: exit 4, naming the patch" {
	run --separate-stderr on missing --source=kernel 700
	expect_status 4
	[[ -z $output ]]
	expect_err "pid 700: /proc/700/status has no Cpus_active_mm"
	expect_err "fs/proc: Expose mm_cpumask in /proc/[pid]/status"
	expect_err "--source=sample"
	run --separate-stderr on missing --source=kernel -a
	expect_status 4
	expect_err "fs/proc: Expose mm_cpumask in /proc/[pid]/status"
}

@test "the field missing: auto samples the threads' CPUs and says so" {
	run --separate-stderr on missing -J --output-all 700
	expect_status 0
	[[ $(jq -r '.processes[0].source' <<<"$output") == sampled ]]
	[[ $(jq -r '.processes[0].cpus_active_mm_list' <<<"$output") == 0,3 ]]
	[[ $(jq -r '.processes[0].cpus_active_mm' <<<"$output") == 9 ]]
	[[ $(jq '.processes[0].threads' <<<"$output") == 2 ]]
	[[ $(jq -r '.processes[0].nodes' <<<"$output") == 0-1 ]]
	[[ $(jq '.processes[0].mismatch' <<<"$output") == null ]]
}

@test "--source=sample with the field there: sampled, not the kernel's mask" {
	run --separate-stderr on cpus64 -r -n -o PID,CPUS_ACTIVE_MM_LIST,SOURCE --source=sample 201
	expect_status 0
	expect_line "201 40 sampled"
}

@test "-a: every process of the tree, kernel threads skipped" {
	run --separate-stderr on missing -r -n -o PID,COMM,SOURCE -a
	expect_status 0
	expect_line "700 plain sampled"
	expect_line "710 single sampled"
	[[ $output != *kthreadd* ]]
	[[ -z $stderr ]]
}

@test "--sort: span (widest first), stale (most first), pid" {
	run --separate-stderr on cpus64 -r -n -o PID -a --sort=span
	expect_status 0
	[[ ${lines[*]} == "200 201 202" ]]
	run --separate-stderr on cpus64 -r -n -o PID -a --sort=stale
	[[ ${lines[*]} == "201 200 202" ]]
	run --separate-stderr on cpus64 -r -n -o PID --sort=pid 202 200 201
	[[ ${lines[*]} == "200 201 202" ]]
	run --separate-stderr on sparse -r -n -o PID,SPAN -a --sort=span
	[[ ${lines[0]} == "501 3" ]]
}

@test "a kernel thread named: exit 1, it has no address space" {
	run --separate-stderr on missing 2
	expect_status 1
	expect_err "pid 2 is a kernel thread: it has no address space"
}

@test "--watch on the kernel's field: the initial line, the summary after COUNT reads" {
	run --separate-stderr on cpus64 -w -i 10ms -c 3 201
	expect_status 0
	[[ ${lines[0]} =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+\ pid\ 201\ active\ 4-5,40\ nodes\ 0-1\ added\ 4-5,40\ dropped\ -\ \(kernel\)$ ]]
	[[ ${lines[1]} == "pid 201: 0 changes in "*" s (0.00 changes/s) over 3 reads; active over the run 4-5,40 nodes 0-1 (kernel); ended: count" ]]
	run --separate-stderr on mismatch -J -w -i 10ms -c 2 600
	expect_status 0
	[[ $(head -n 1 <<<"$output" | jq .mismatch) == true ]]
	[[ $(tail -n 1 <<<"$output" | jq -r .source) == kernel ]]
	expect_err "disagree"
}

# ---------------------------------------------------------------------------
# Sampling real processes

@test "sampling: a workload pinned to CPU 0 then moved to CPU 1 is seen on 0-1" {
	requires_two_cpus
	start_heat 3
	run --separate-stderr "$C" -r -n -o CPUS_ACTIVE_MM_LIST,SOURCE,THREADS "$HEAT_PID"
	expect_status 0
	expect_line "0 sampled 3"
	start_bg "$C" -r -n -o CPUS_ACTIVE_MM_LIST,STALE,SOURCE -i 2s "$HEAT_PID"
	local cp=$NK_BG_PID log=$NK_BG_LOG
	sleep 0.5
	move "$HEAT_PID" 1
	wait_bg "$cp"
	expect_status 0
	[[ $(<"$log") =~ ^0-1\ +1\ +sampled$ ]] || { cat "$log"; false; }
	# Now only CPU 1; nothing stale once the threads run where allowed.
	run --separate-stderr "$C" -r -n -o CPUS_ACTIVE_MM_LIST,CPUS_ALLOWED_LIST,STALE "$HEAT_PID"
	expect_line "1 1"
}

@test "--watch sees the move: a line adding CPU 1, then the summary" {
	requires_two_cpus
	start_heat 2
	start_bg "$C" -w -i 100ms -c 20 "$HEAT_PID"
	local cp=$NK_BG_PID log=$NK_BG_LOG
	sleep 0.6
	move "$HEAT_PID" 1
	wait_bg "$cp"
	expect_status 0
	grep -Eq " pid $HEAT_PID active 0 nodes 0 added 0 dropped - \(sampled\)$" "$log" ||
		{ cat "$log"; false; }
	grep -Eq "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+ pid $HEAT_PID active (0-)?1 .*added 1" "$log" ||
		{ cat "$log"; false; }
	grep -Eq "^pid $HEAT_PID: [1-9][0-9]* changes in [0-9.]+ s \([0-9.]+ changes/s\) over 20 reads.*ended: count$" "$log" ||
		{ cat "$log"; false; }
}

@test "--watch -J: JSON lines, the change, the summary" {
	requires_two_cpus
	start_heat 2
	start_bg "$C" -J -w -i 100ms -c 15 "$HEAT_PID"
	local cp=$NK_BG_PID log=$NK_BG_LOG
	sleep 0.5
	move "$HEAT_PID" 1
	wait_bg "$cp"
	expect_status 0
	[[ $(head -n 1 "$log" | jq -r .event) == initial ]]
	[[ $(jq -r 'select(.event == "change") | .added' "$log" | head -n 1) == 1 ]]
	[[ $(tail -n 1 "$log" | jq -r .event) == summary ]]
	[[ $(tail -n 1 "$log" | jq -r .end) == count ]]
	[[ $(tail -n 1 "$log" | jq '.changes >= 1 and .changes_per_second > 0') == true ]]
	[[ $(tail -n 1 "$log" | jq -r .cpus_active_mm_list) == 0-1 ]]
}

@test "--watch ends on SIGINT with the summary, exit 0" {
	requires binary tests/workload/nk-heat
	start_heat 1
	start_bg "$C" -w -i 100ms "$HEAT_PID"
	local cp=$NK_BG_PID log=$NK_BG_LOG
	sleep 0.5
	kill -INT "$cp"
	wait_bg "$cp"
	expect_status 0
	grep -q "changes/s.*ended: signal$" "$log" || { cat "$log"; false; }
}

@test "--watch ends when the target exits, with the summary" {
	start_bg sleep 1
	local sp=$NK_BG_PID
	run --separate-stderr "$C" -w -i 100ms "$sp"
	expect_status 0
	[[ ${lines[-1]} == "pid $sp: "*"changes/s"*"ended: exited" ]]
}

# ---------------------------------------------------------------------------
# cpumm -- CMD ARGS

@test "-- CMD: the footprint when it exits, and the command's status" {
	run --separate-stderr "$C" -r -n -o COMM,SOURCE -- sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit 3'
	expect_status 3
	expect_line "sh sampled"
}

@test "-- CMD: -J report; a command killed by a signal gives 128+N" {
	run --separate-stderr "$C" -J -- sh -c 'sleep 0.3; kill -TERM $$'
	expect_status 143
	[[ $(jq -r '.processes[0].source' <<<"$output") == sampled ]]
	[[ -n $(jq -r '.processes[0].cpus_active_mm_list' <<<"$output") ]]
}

@test "-- CMD: a multithreaded command moved between CPUs reports 0-1" {
	requires_two_cpus
	start_bg "$C" -r -n -o CPUS_ACTIVE_MM_LIST,SOURCE -i 50ms -- taskset -c 0 "$HEAT" \
		--size 1M --hot 1M --threads 2 --ready "$NK_TMP/ready"
	local cp=$NK_BG_PID log=$NK_BG_LOG hp
	wait_for_file "$NK_TMP/ready"
	hp=$(pgrep -P "$cp" nk-heat)
	sleep 0.3
	move "$hp" 1
	sleep 0.3
	kill -TERM "$hp"
	wait_bg "$cp"
	expect_status 0
	grep -Eq "^0-1 +sampled$" "$log" || { cat "$log"; false; }
}

@test "-- CMD that cannot run: 127 when not found, 126 when not executable" {
	run -127 --separate-stderr "$C" -- /nonexistent/cmd
	expect_status 127
	expect_err "cannot run '/nonexistent/cmd'"
	printf 'not a program\n' >"$NK_TMP/noexec"
	chmod 644 "$NK_TMP/noexec"
	run -126 --separate-stderr "$C" -- "$NK_TMP/noexec"
	expect_status 126
}

# ---------------------------------------------------------------------------
# The whole machine

@test "-a over every process completes while processes come and go" {
	start_bg bash -c 'while :; do /bin/true; /bin/true & wait; done'
	local round
	# Not i: bats' run uses a variable of that name.
	for round in 1 2 3 4 5 6 7 8 9 10; do
		run --separate-stderr "$C" -a -i 20ms
		expect_status 0
		[[ -z $stderr ]] || { echo "$stderr"; false; }
		((${#lines[@]} > 2))
	done
	run --separate-stderr "$C" -a -J --sort=span
	expect_status 0
	jq -e '.processes | length > 1' <<<"$output" >/dev/null
}

@test "-a --source=kernel on a kernel without the field: exit 4" {
	grep -q '^Cpus_active_mm:' /proc/self/status && skip "this kernel has Cpus_active_mm"
	run --separate-stderr "$C" -a --source=kernel
	expect_status 4
	expect_err "the kernel lacks the patch"
}

@test "named processes: a missing one fails, with the others shown (exit 3)" {
	run --separate-stderr "$C" -r -n -o PID "$$" 4194304
	expect_status 3
	expect_line "$$"
	expect_err "pid 4194304: no such process"
	run --separate-stderr "$C" 4194304
	expect_status 1
}

# ---------------------------------------------------------------------------
# Bad input

@test "bad input: exit 2 with the reason" {
	run --separate-stderr "$C" 12abc
	expect_usage "invalid pid '12abc'"
	run --separate-stderr "$C" 0
	expect_usage "invalid pid '0'"
	run --separate-stderr "$C" -i 0 "$$"
	expect_usage "invalid interval '0'"
	run --separate-stderr "$C" -i 10parsecs "$$"
	expect_usage "invalid interval '10parsecs'"
	run --separate-stderr "$C" -a --sort=size
	expect_usage "invalid sort key 'size'"
	run --separate-stderr "$C" -o PID,NOPE "$$"
	expect_usage "unknown column 'NOPE'"
	run --separate-stderr "$C" --source=guess "$$"
	expect_usage "invalid source 'guess'"
	run --separate-stderr "$C" -w -c -1 "$$"
	expect_usage "invalid count '-1'"
}

@test "bad combinations: exit 2" {
	run --separate-stderr "$C"
	expect_usage "no process given"
	run --separate-stderr "$C" -a "$$"
	expect_usage "mutually exclusive"
	run --separate-stderr "$C" -w "$$" 1
	expect_usage "--watch follows one process"
	run --separate-stderr "$C" -c 3 "$$"
	expect_usage "--count is for --watch"
	run --separate-stderr "$C" "$$" -- true
	expect_usage "a command after -- is followed alone"
	run --separate-stderr "$C" --sysroot "$FIXTURES/cpus2" -- true
	expect_usage "not with --sysroot"
	# An unknown column is refused before the command runs.
	run --separate-stderr "$C" -o NOPE -- touch "$NK_TMP/ran"
	expect_usage "unknown column 'NOPE'"
	[[ ! -e $NK_TMP/ran ]]
}

@test "a full stdout fails: exit 1" {
	run --separate-stderr bash -c '"$0" --sysroot "$1" -a >/dev/full' "$C" "$FIXTURES/cpus64"
	expect_status 1
	expect_err "write error"
}
