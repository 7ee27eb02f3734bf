# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Shared by the benchmark scripts in bench/: sourced, never run.  A benchmark
# prints one Markdown section on stdout (its heading, the command lines, the
# figures) and its progress on stderr.  It reports and never judges: its exit
# status is 0 whenever it ran, whatever the figures, and 1 when it could not
# run (a binary missing, a command that failed).
#
# Every benchmark takes --quick (or BENCH_QUICK=1): a short run with small
# sizes, which `make check` runs once so that the benchmarks cannot rot.
#
# Environment:
#   B              the build directory (default build): the tools, the test
#                  workloads in $B/tests/workload and the benchmark helpers
#                  in $B/bench
#   BENCH_RUNS     timed runs per command (default 30; 3 with --quick)
#   BENCH_WARMUP   untimed runs before them (default 3; 1 with --quick)

set -uo pipefail

bench_prog=${0##*/}
bench_src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=${B:-$bench_src/build}
# busybox's realpath (bench/vm-pmbind runs in the VM lane's guest) has no -m.
if realpath -m / >/dev/null 2>&1; then
	B=$(realpath -m "$B")
else
	B=$(realpath "$B")
fi
BENCH_QUICK=${BENCH_QUICK:-0}
bench_pids=()
bench_tmp=
# Results of bench_time, by id: median and maximum wall time, mean user and
# system CPU time, all in milliseconds, and the command line.
declare -A bench_med bench_max bench_user bench_sys bench_cmd

bench_die() {
	printf '%s: %s\n' "$bench_prog" "$*" >&2
	exit 1
}

bench_say() {
	printf '%s: %s\n' "$bench_prog" "$*" >&2
}

# End what the benchmark started, by pid, and remove its scratch directory.
bench_cleanup() {
	local p

	for p in ${bench_pids[@]+"${bench_pids[@]}"}; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in ${bench_pids[@]+"${bench_pids[@]}"}; do
		wait "$p" 2>/dev/null
	done
	bench_pids=()
	[[ -n $bench_tmp ]] && rm -rf "$bench_tmp"
	bench_tmp=
}

# bench_init "$@": read --quick, make the scratch directory $bench_tmp, set
# the cleanup.  Sets BENCH_RUNS and BENCH_WARMUP.
bench_init() {
	local a

	for a in "$@"; do
		case $a in
		--quick) BENCH_QUICK=1 ;;
		-h | --help)
			printf 'usage: B=BUILD %s [--quick]\n' "$bench_prog"
			exit 0
			;;
		*) bench_die "unknown argument '$a': expected --quick" ;;
		esac
	done
	if ((BENCH_QUICK)); then
		BENCH_RUNS=${BENCH_RUNS:-3}
		BENCH_WARMUP=${BENCH_WARMUP:-1}
	else
		BENCH_RUNS=${BENCH_RUNS:-30}
		BENCH_WARMUP=${BENCH_WARMUP:-3}
	fi
	bench_tmp=$(mktemp -d "${TMPDIR:-/tmp}/numakit-bench.XXXXXX") || exit 1
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM HUP
}

# bench_need FILE...: each must be an executable file (a tool, a helper).
bench_need() {
	local f

	for f in "$@"; do
		[[ -x $f ]] || bench_die "$f not found: run 'make bench' (or 'make B=$B all test-bins bench-bins')"
	done
}

# bench_spawn CMD ARGS...: start CMD in the background; bench_cleanup ends
# it.  Sets $bench_pid.
bench_spawn() {
	"$@" &
	bench_pid=$!
	bench_pids+=("$bench_pid")
}

# bench_wait_file FILE [SECONDS [PID]]: wait until FILE exists (default 10 s);
# with PID, stop waiting as soon as that process (one of bench_spawn's) ended.
bench_wait_file() {
	local i

	for ((i = 0; i < ${2:-10} * 100; i++)); do
		[[ -s $1 ]] && return 0
		[[ -n ${3:-} ]] && ! kill -0 "$3" 2>/dev/null &&
			bench_die "process $3 ended before writing $1"
		sleep 0.01
	done
	bench_die "timed out waiting for $1"
}

# bench_stop PID: end PID (one of bench_spawn's) with SIGTERM and wait for it;
# bench_cleanup forgets it.  Returns its exit status (143 when the signal
# killed it).
bench_stop() {
	local p rc keep=()

	kill -TERM "$1" 2>/dev/null
	wait "$1"
	rc=$?
	for p in ${bench_pids[@]+"${bench_pids[@]}"}; do
		[[ $p == "$1" ]] || keep+=("$p")
	done
	bench_pids=(${keep[@]+"${keep[@]}"})
	return "$rc"
}

# bench_time ID CMDLINE: time CMDLINE (run by a shell when it holds shell
# syntax, directly otherwise) with hyperfine, its output to /dev/null, and
# keep the figures under ID.  A command that fails stops the benchmark.
bench_time() {
	local id=$1 cmd=$2 json shell=(-N)

	json=$bench_tmp/$id.json
	[[ $cmd == *[\|\>\<\&\;\*\$]* ]] && shell=()
	bench_say "timing $id: $cmd"
	hyperfine "${shell[@]}" --style none --warmup "$BENCH_WARMUP" --runs "$BENCH_RUNS" \
		--export-json "$json" "$cmd" >/dev/null 2>"$bench_tmp/$id.err" ||
		{ cat "$bench_tmp/$id.err" >&2; bench_die "command failed: $cmd"; }
	read -r bench_med[$id] bench_max[$id] bench_user[$id] bench_sys[$id] < <(jq -r \
		'.results[0] | [.median, .max, .user, .system] | map(. * 1000) | @tsv' "$json")
	bench_cmd[$id]=$cmd
}

# bench_time_rounds ID CMDLINE [ID CMDLINE]...: as bench_time, for commands
# compared with each other, timed in turn: BENCH_RUNS rounds of one run of
# each, their order rotated from one round to the next, after BENCH_WARMUP
# untimed rounds.  Timed one command after the other, a command's figures
# moved with the state the one before it left (the same two commands came
# out 1.08 apart in one run and 1.15 in the next); in turn, a ratio compares
# runs made side by side.
bench_time_rounds() {
	local ids=() cmds=() order=() files=() shell=(-N) r i k n json c

	while (($# >= 2)); do
		ids+=("$1")
		cmds+=("$2")
		[[ $2 == *[\|\>\<\&\;\*\$]* ]] && shell=()
		bench_say "timing $1 (in turn with the others): $2"
		shift 2
	done
	n=${#cmds[@]}
	for ((r = -BENCH_WARMUP; r < BENCH_RUNS; r++)); do
		order=()
		for ((k = 0; k < n; k++)); do
			order+=("${cmds[(k + r + BENCH_WARMUP) % n]}")
		done
		json=$bench_tmp/rounds.$r.json
		hyperfine "${shell[@]}" --style none --runs 1 --export-json "$json" "${order[@]}" \
			>/dev/null 2>"$bench_tmp/rounds.err" ||
			{ cat "$bench_tmp/rounds.err" >&2; bench_die "a command failed: ${order[*]}"; }
		((r >= 0)) && files+=("$json")
	done
	for i in "${!ids[@]}"; do
		c=${cmds[i]}
		read -r bench_med[${ids[i]}] bench_max[${ids[i]}] bench_user[${ids[i]}] \
			bench_sys[${ids[i]}] < <(jq -rs --arg c "$c" '
			[.[].results[] | select(.command == $c)] as $r |
			($r | map(.times[]) | sort) as $t | ($t | length) as $n |
			[(if $n % 2 == 1 then $t[($n - 1) / 2] else ($t[$n / 2 - 1] + $t[$n / 2]) / 2 end),
			 ($t | max), ($r | map(.user) | add / length), ($r | map(.system) | add / length)]
			| map(. * 1000) | @tsv' "${files[@]}")
		bench_cmd[${ids[i]}]=$c
	done
}

# bench_ms VALUE: milliseconds with three significant figures.
bench_ms() {
	awk -v v="$1" 'BEGIN {
		if (v >= 100) printf "%.0f", v; else if (v >= 10) printf "%.1f", v;
		else if (v >= 1) printf "%.2f", v; else printf "%.3f", v }'
}

# bench_ratio A B: A / B to two decimals ("-" when B is 0).
bench_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'
}

# The header and the rows of a table of bench_time results.
bench_table_head() {
	printf '| command | median ms | max ms | user ms | sys ms | ratio |\n'
	printf '|---|---:|---:|---:|---:|---:|\n'
}

# bench_show CMDLINE: the command line as RESULTS.md shows it, with the
# build and source directories taken off the paths.
bench_show() {
	local c=${1//"$B"\//}

	printf '%s' "${c//"$bench_src"\//}"
}

# bench_row ID [PEER_ID]: one row; the ratio is ID's median over PEER_ID's.
bench_row() {
	local id=$1 peer=${2:-} ratio='1.00'

	[[ -n $peer ]] && ratio=$(bench_ratio "${bench_med[$id]}" "${bench_med[$peer]}")
	printf '| `%s` | %s | %s | %s | %s | %s |\n' "$(bench_show "${bench_cmd[$id]}")" \
		"$(bench_ms "${bench_med[$id]}")" "$(bench_ms "${bench_max[$id]}")" \
		"$(bench_ms "${bench_user[$id]}")" "$(bench_ms "${bench_sys[$id]}")" "$ratio"
}

# bench_runs_note: the line saying how many runs each figure is made of.
bench_runs_note() {
	printf 'Each command: %s timed runs after %s warm-up runs (hyperfine %s), output to /dev/null; ' \
		"$BENCH_RUNS" "$BENCH_WARMUP" "$(hyperfine --version | awk '{ print $2 }')"
	printf 'user and sys are means; ratio is the median over the peer'"'"'s median.\n'
}
