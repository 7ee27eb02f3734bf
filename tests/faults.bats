#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Faults around every tool: an output that cannot be written (a full
# device, a closed or read-only stdout, a reader that went away), a target
# that dies in the middle of the work (NUMAKIT_TEST_KILL_AT, numakit(7)),
# damaged /proc and /sys files under --sysroot, and interrupted system calls.
# Each must end with a message and the documented status: never a crash (the
# sanitizer build checks), a hang (every run is bounded by timeout) or a
# partial result presented as success.

bats_require_minimum_version 1.5.0
load helpers

FIX=$BATS_TEST_DIRNAME/fixtures

setup() {
	WL=$NK_BUILD/tests/workload/nk-workload
	SPM3=$FIX/spm/vm-3node
	DAMON=$FIX/damon/newest
	unset NUMAKIT_TEST_KILL_AT
}

# Start nk-workload with ARGS and wait until it is ready; WL_PID is its pid.
start_workload() {
	local ready=$NK_TMP/ready.${#NK_BG_PIDS[@]} i

	requires binary tests/workload/nk-workload
	start_bg "$WL" --ppid-watch --ready "$ready" "$@"
	WL_PID=$NK_BG_PID
	for ((i = 0; i < 200; i++)); do
		[[ -e $ready ]] && return 0
		nk_alive "$WL_PID" || { cat "$NK_BG_LOG"; return 1; }
		sleep 0.05
	done
	echo "nk-workload $* was not ready after 10 s"
	return 1
}

# The data-producing commands of every tool, one a line, for target pid $1.
data_commands() {
	printf '%s\n' "mapsdump $1" "mapsdump -J $1" "pmbind --show -p $1" "cpumm $1" "cpumm -a" \
		"spmctl --sysroot $SPM3 list" "spmctl --sysroot $SPM3 show 1" \
		"spmctl --sysroot $SPM3 list -J" "damonctl --sysroot $DAMON status" \
		"damonctl --sysroot $DAMON status -J"
}

# Run "TOOL ARGS..." (a word list) with stdout as given by MODE.
out_to() {
	local mode=$1 tool=$2

	shift 2
	case $mode in
	full) timeout 60 "$NK_BUILD/$tool" "$@" >/dev/full ;;
	closed) timeout 60 "$NK_BUILD/$tool" "$@" >&- ;;
	rdonly) timeout 60 "$NK_BUILD/$tool" "$@" 1<"$NK_TMP/ro" ;;
	esac
}

# ---------------------------------------------------------------------------
# Output faults

@test "output: a full, closed or read-only stdout: exit 1 and a write error, for every tool" {
	local mode cmd bad=()

	start_workload --heap
	: >"$NK_TMP/ro"
	while read -r cmd; do
		[[ -x $NK_BUILD/${cmd%% *} ]] || continue
		for mode in full closed rdonly; do
			# shellcheck disable=SC2086 # cmd is a word list
			run --separate-stderr out_to "$mode" $cmd
			if ((status != 1)) || ! [[ $stderr =~ ^${cmd%% *}:\ write\ error:\  ]]; then
				bad+=("$cmd ($mode): status $status, stderr '$stderr'")
			fi
		done
	done < <(data_commands "$WL_PID")
	[[ ! -s $NK_TMP/ro ]] || bad+=("something was written to the read-only file")
	((${#bad[@]} == 0)) || { printf '%s\n' "${bad[@]}"; false; }
}

# Run "TOOL ARGS..." into `head -c 1` with SIGPIPE as given ("default" or
# "ignored"); print the tool's status, then its stderr.
into_head() {
	local sigpipe=$1 tool=$2 err=$NK_TMP/head.err

	shift 2
	(
		[[ $sigpipe == ignored ]] && trap '' PIPE
		timeout 60 "$NK_BUILD/$tool" "$@" 2>"$err" | head -c 1 >/dev/null
		echo "${PIPESTATUS[0]}"
	)
	cat "$err"
}

@test "output: a reader that goes away (| head): killed by SIGPIPE, or exit 1 quietly when it is ignored" {
	local cmd sp bad=()

	start_workload --many 10000
	# Outputs bigger than a pipe's buffer, so that they meet the closed pipe.
	for cmd in "mapsdump $WL_PID" "mapsdump -J $WL_PID" "mapsdump --ranges $WL_PID" \
		"pmbind --show -p $WL_PID"; do
		[[ -x $NK_BUILD/${cmd%% *} ]] || continue
		for sp in default ignored; do
			# shellcheck disable=SC2086 # cmd is a word list
			run into_head "$sp" $cmd
			if [[ $sp == default && $output != 141 ]] ||
				[[ $sp == ignored && $output != 1 ]]; then
				bad+=("$cmd (SIGPIPE $sp): got '$output'")
			fi
		done
	done
	((${#bad[@]} == 0)) || { printf '%s\n' "${bad[@]}"; false; }
}

@test "output: cpumm --watch ends when its reader has gone, even while nothing changes" {
	requires binary cpumm
	local sp

	start_workload
	for sp in default ignored; do
		run into_head "$sp" cpumm -w -i 20ms "$WL_PID"
		[[ $output == 141 || ($sp == ignored && $output == 1) ]] ||
			{ echo "SIGPIPE $sp: got '$output'"; false; }
	done
}
