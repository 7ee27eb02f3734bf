#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A kernel without pidfd_open (before 5.3): the tools hold a target by its
# start time instead.  NUMAKIT_TEST_NO_PIDFD=1 (numakit(7)) makes pidfd_open
# answer ENOSYS, as such a kernel (and valgrind 3.19) does.

bats_require_minimum_version 1.5.0
load helpers

MSG_RE='pidfd_open: not supported by this kernel \(Linux 5\.3\): '
MSG_RE+='guarding pid [0-9]+ by its start time'

setup() {
	requires binary tests/workload/nk-workload
	export NUMAKIT_TEST_NO_PIDFD=1
}

# How many lines of $stderr say the fallback.
said() {
	grep -cE "$MSG_RE" <<<"$stderr" || true
}

@test "no pidfd_open: mapsdump PID is /proc/PID/maps, and -v says the fallback once" {
	start_workload
	run --separate-stderr mapsdump -v "$WL_PID"
	[ "$status" -eq 0 ]
	[ "$(said)" -eq 1 ]
	[ "$output" = "$(cat "/proc/$WL_PID/maps")" ]
	run --separate-stderr mapsdump "$WL_PID"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "no pidfd_open: pmbind --method=ptrace binds, auto skips process_mbind" {
	start_workload
	run --separate-stderr pmbind -v --method=ptrace -p "$WL_PID" --membind 0 --vma '[heap]'
	[ "$status" -eq 0 ]
	[ "$(said)" -eq 1 ]
	heap=$(awk '$NF == "[heap]" { split($1, a, "-"); print a[1]; exit }' "/proc/$WL_PID/maps")
	grep -q "^$heap bind:0 " "/proc/$WL_PID/numa_maps"
	nk_alive "$WL_PID"
	# process_mbind takes a pidfd: with none, auto goes on to ptrace.
	run --separate-stderr pmbind -v --syscall-nr 999 -p "$WL_PID" --interleave 0 --vma '[heap]'
	[ "$status" -eq 0 ]
	[[ $stderr == *"no process_mbind in this kernel"* ]]
	grep -q "^$heap interleave:0 " "/proc/$WL_PID/numa_maps"
	run --separate-stderr pmbind --method=syscall --syscall-nr 999 -p "$WL_PID" --membind 0 --all
	[ "$status" -eq 4 ]
}

@test "no pidfd_open: cpumm PID and -- CMD, -v says it once for two PIDs" {
	start_workload
	run --separate-stderr cpumm -v -J "$WL_PID" "$$"
	[ "$status" -eq 0 ]
	[ "$(said)" -eq 1 ]
	[ "$(jq length <<<"$output")" -ge 1 ]
	[[ $output == *"\"pid\": $WL_PID"* || $output == *"\"pid\":$WL_PID"* ]]
	# Without a pidfd the wrapped command's end is seen through waitid.
	SECONDS=0
	run --separate-stderr cpumm -i 5 -- sh -c 'sleep 0.3; exit 7'
	[ "$status" -eq 7 ]
	((SECONDS < 4))
}

@test "no pidfd_open: a PID recycled while cpumm -w watches it ends the watch" {
	requires command unshare
	# A PID namespace of our own, where ns_last_pid hands the PID out again.
	cat >"$NK_TMP/reuse" <<-'EOS'
	"$1" 30 & a=$!
	"$2" -w -i 0.2 -c 10 "$a" >"$3" 2>&1 & c=$!
	for ((i = 0; i < 100; i++)); do grep -q active "$3" && break; sleep 0.05; done
	kill -STOP "$c"
	kill "$a"; wait "$a"
	echo $((a - 1)) >/proc/sys/kernel/ns_last_pid
	"$1" 30 & b=$!
	kill -CONT "$c"
	wait "$c"; rc=$?
	kill "$b"; wait "$b"
	echo "a=$a b=$b rc=$rc"
	EOS
	run unshare --pid --fork --mount-proc bash "$NK_TMP/reuse" "$(command -v sleep)" \
		"$NK_BUILD/cpumm" "$NK_TMP/out" 3>&-
	cat "$NK_TMP/out"
	[[ $output =~ a=([0-9]+)\ b=([0-9]+)\ rc=0 ]]
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
	# Watching the new process under the old PID would run to -c 10.
	grep -q 'ended: exited' "$NK_TMP/out"
}
