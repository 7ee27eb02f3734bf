# SPDX-License-Identifier: GPL-2.0-or-later
#
# Loaded by every .bats file (`load helpers`).  Tests run the built binaries
# by absolute path, end every process they start by its pid, and never write
# under the host's /sys/kernel/mm/damon, online or offline memory, or touch
# dax devices (see TESTING.md).
#
# A file that defines its own teardown() must call stop_bg_all in it.

# Top of the source tree.
NK_SRC=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
# The build directory: tests/run passes it as NUMAKIT_BUILD.
NK_BUILD=${NUMAKIT_BUILD:-$NK_SRC/build}
# Every numakit binary, built or not yet.
NK_TOOLS=(pmbind spmctl cpumm mapsdump damonctl)
# A scratch directory of this test only; bats removes it after the test.
NK_TMP=${BATS_TEST_TMPDIR:-}
# Pids started by start_bg in this test, ended by stop_bg_all.
NK_BG_PIDS=()

# Run the built binary of that name (fails with status 127 until it is built).
pmbind() { "$NK_BUILD/pmbind" "$@"; }
spmctl() { "$NK_BUILD/spmctl" "$@"; }
cpumm() { "$NK_BUILD/cpumm" "$@"; }
mapsdump() { "$NK_BUILD/mapsdump" "$@"; }
damonctl() { "$NK_BUILD/damonctl" "$@"; }

# Print the names of the numakit binaries that are built, one a line.
built_tools() {
	local t

	for t in "${NK_TOOLS[@]}"; do
		[[ -x $NK_BUILD/$t ]] && printf '%s\n' "$t"
	done
	return 0
}

# Print how many numbers a kernel list such as "0-2,4" holds.
nk_list_count() {
	local part n=0 IFS=,

	for part in $1; do
		if [[ $part =~ ^([0-9]+)-([0-9]+)$ ]]; then
			((n += BASH_REMATCH[2] - BASH_REMATCH[1] + 1))
		elif [[ $part =~ ^[0-9]+$ ]]; then
			((n++))
		fi
	done
	printf '%d\n' "$n"
}

# Print how many NUMA nodes have memory (N_MEMORY), 1 when sysfs cannot tell.
nk_nodes() {
	local f list

	for f in /sys/devices/system/node/has_memory /sys/devices/system/node/online; do
		if [[ -r $f ]] && read -r list <"$f" && [[ -n $list ]]; then
			nk_list_count "$list"
			return 0
		fi
	done
	printf '1\n'
}

# Ask nk-probe about FEATURE: skip with REASON when the kernel lacks it (exit
# 1) or nk-probe is not built; fail when the probe itself fails.
nk_probe() {
	local feature=$1 reason=$2 probe=$NK_BUILD/tests/workload/nk-probe rc=0

	[[ -x $probe ]] || skip "cannot probe $feature: tests/workload/nk-probe is not built"
	"$probe" "$feature" >/dev/null || rc=$?
	((rc == 1)) && skip "$reason"
	if ((rc != 0)); then
		printf 'requires: nk-probe %s failed (exit %d)\n' "$feature" "$rc" >&2
		return 1
	fi
}

# Skip the test unless it can run here: `requires root`, `requires command
# CMD`, `requires binary NAME` (in $NK_BUILD, e.g. mapsdump or
# tests/workload/nk-workload), `requires file PATH`, `requires procmap_query`,
# `requires anon_name`, `requires nodes N`.
requires() {
	local what=${1:-} arg=${2:-} n

	case $what in
	root)
		((EUID == 0)) || skip "needs root"
		;;
	command)
		command -v "$arg" >/dev/null 2>&1 || skip "needs the command '$arg'"
		;;
	binary)
		[[ -x $NK_BUILD/$arg ]] || skip "$arg is not built in $NK_BUILD"
		;;
	file)
		[[ -e $arg ]] || skip "the kernel has no $arg"
		;;
	procmap_query)
		nk_probe procmap_query "the kernel has no PROCMAP_QUERY (Linux 6.11+)"
		;;
	anon_name)
		nk_probe anon_name "the kernel cannot name anonymous mappings (CONFIG_ANON_VMA_NAME)"
		;;
	nodes)
		n=$(nk_nodes)
		((n >= arg)) || skip "needs $arg NUMA nodes with memory, this machine has $n"
		;;
	*)
		printf 'requires: unknown requirement "%s"\n' "$what" >&2
		return 1
		;;
	esac
}

# Start CMD in the background, output to $NK_TMP/bg.*.log; NK_BG_PID is its
# pid and NK_BG_LOG its log.  CMD should exec: only that pid is ended.  Call
# it directly, not under `run` or $(...), or the pid is lost with the subshell.
start_bg() {
	NK_BG_LOG=${NK_TMP:-${BATS_FILE_TMPDIR:-/tmp}}/bg.$$.${#NK_BG_PIDS[@]}.log
	# fd 3 is bats' own: a child that kept it would make bats wait for it.
	"$@" </dev/null >"$NK_BG_LOG" 2>&1 3>&- &
	NK_BG_PID=$!
	NK_BG_PIDS+=("$NK_BG_PID")
}

# True while the pid runs (a zombie or a missing pid has ended).
nk_alive() {
	local stat

	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

# Start nk-workload ($WL, default the build's) with ARGS, under the command
# prefix in the array WL_PREFIX if set (e.g. numactl --membind=2; it must
# exec), and wait until it is ready, WL_READY_SECONDS at most (default 10);
# WL_PID is its pid.
start_workload() {
	local ready=$NK_TMP/ready.${#NK_BG_PIDS[@]} secs=${WL_READY_SECONDS:-10} i

	requires binary tests/workload/nk-workload
	start_bg ${WL_PREFIX[@]+"${WL_PREFIX[@]}"} "${WL:-$NK_BUILD/tests/workload/nk-workload}" \
		--ppid-watch --ready "$ready" "$@"
	WL_PID=$NK_BG_PID
	for ((i = 0; i < secs * 20; i++)); do
		[[ -e $ready ]] && return 0
		if ! nk_alive "$WL_PID"; then
			echo "nk-workload $* exited before it was ready:"
			cat "$NK_BG_LOG"
			return 1
		fi
		sleep 0.05
	done
	echo "nk-workload $* was not ready after $secs s"
	return 1
}

# End every process start_bg started in this test: SIGTERM (and SIGCONT, for
# one left stopped), SIGKILL after 5 s, then reap each one.
stop_bg_all() {
	local pid i

	for pid in ${NK_BG_PIDS[@]+"${NK_BG_PIDS[@]}"}; do
		kill -TERM "$pid" 2>/dev/null && kill -CONT "$pid" 2>/dev/null
	done
	for pid in ${NK_BG_PIDS[@]+"${NK_BG_PIDS[@]}"}; do
		for ((i = 0; i < 50; i++)); do
			nk_alive "$pid" || break
			sleep 0.1
		done
		nk_alive "$pid" && kill -KILL "$pid" 2>/dev/null
		# A status of 128+N is how a killed target ends: not a failure here.
		wait "$pid" 2>/dev/null || true
	done
	NK_BG_PIDS=()
	return 0
}

# Wait until PATH exists, polling every 50 ms for TIMEOUT seconds (default 10).
wait_for_file() {
	local path=$1 timeout=${2:-10} i

	for ((i = 0; i < timeout * 20; i++)); do
		[[ -e $path ]] && return 0
		sleep 0.05
	done
	printf 'wait_for_file: %s did not appear within %ss\n' "$path" "$timeout" >&2
	return 1
}

# Default teardown: end what the test started.
teardown() {
	stop_bg_all
}

# Pass if files $1 and $2 are identical, else show how they differ.
same_file() {
	cmp -s "$1" "$2" && return 0
	echo "$1 and $2 differ:"
	diff "$1" "$2" | head -n 20
	return 1
}
