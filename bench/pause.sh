# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# The pause a target sees, for bench/pmbind on the host and bench/vm-pmbind in
# the guest: sourced after bench/lib.sh, never run.  A target (nk-pausemeter)
# records every gap in its own tight loop with the time it began; the script
# notes when each command it runs starts and ends (bash's EPOCHREALTIME, the
# same realtime clock), and the gaps that began inside that window are the
# pauses the command may have caused.  Baseline windows of the same length,
# with only `sleep` running, give the pauses the machine causes anyway.
#
# Needs bash 5 (EPOCHREALTIME) and awk; no hyperfine, so that it runs in the
# VM lane's guest as well.

pause_meter=${NK_PAUSEMETER:-$B/bench/nk-pausemeter}
# Windows of this run: "LABEL START_US END_US STATUS" lines.
pause_windows=
# A command that execs the meter, e.g. (numactl --membind=0); empty: none.
meter_prefix=()

# Microseconds since the epoch.
pause_now() {
	local t=$EPOCHREALTIME

	printf '%s' "${t/[.,]/}"
}

# meter_start NAME ARGS...: start nk-pausemeter with ARGS and wait until its
# regions are mapped (60 s: 10000 of them in the TCG guest take a while).
# Sets meter_pid, meter_ready (the ranges, for --ranges-from), meter_out (its
# report once stopped) and meter_range (its first range).
meter_start() {
	local name=$1

	shift
	meter_ready=$bench_tmp/$name.ready meter_out=$bench_tmp/$name.gaps
	pause_windows=$bench_tmp/$name.windows
	: >"$pause_windows"
	bench_spawn ${meter_prefix[@]+"${meter_prefix[@]}"} "$pause_meter" --ready "$meter_ready" --out "$meter_out" "$@"
	meter_pid=$bench_pid
	bench_wait_file "$meter_ready" 60
	meter_range=$(grep -m 1 '^0x' "$meter_ready")
}

# meter_stop: end the meter by its pid and wait for its report.
meter_stop() {
	local p keep=()

	kill -TERM "$meter_pid" 2>/dev/null
	wait "$meter_pid" 2>/dev/null
	for p in "${bench_pids[@]}"; do
		[[ $p == "$meter_pid" ]] || keep+=("$p")
	done
	bench_pids=(${keep[@]+"${keep[@]}"})
	[[ -s $meter_out ]] || bench_die "nk-pausemeter $meter_pid left no report in $meter_out"
}

# window LABEL CMD...: run CMD (output to /dev/null) and note its window.
# Fails as CMD does; window_us is its wall time, seen from here.
window() {
	local label=$1 t0 t1 rc

	shift
	t0=$(pause_now)
	"$@" >/dev/null 2>&1
	rc=$?
	t1=$(pause_now)
	window_us=$((t1 - t0))
	printf '%s %s %s %s\n' "$label" "$t0" "$t1" "$rc" >>"$pause_windows"
	return "$rc"
}

# idle_window LABEL US: a window of US microseconds while only sleep runs,
# then 20 ms more so that the next window starts clear of it.
idle_window() {
	local label=$1 us=$2 t0

	t0=$(pause_now)
	printf '%s %s %s 0\n' "$label" "$t0" "$((t0 + us))" >>"$pause_windows"
	sleep "$(awk -v u="$us" 'BEGIN { printf "%.6f", u / 1e6 + 0.02 }')"
}

# inject_windows K CMD...: K times, CMD in a window labelled "cmd", then a
# baseline window of the same length labelled "base", 20 ms apart.
inject_windows() {
	local k=$1 i

	shift
	for ((i = 0; i < k; i++)); do
		window cmd "$@" || bench_die "command failed: $*"
		sleep 0.02
		idle_window base "$window_us"
	done
}

# med_max: "N MEDIAN MAX" of the numbers on stdin ("0 - -" when none).
med_max() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "0 - -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%d %.1f %.1f\n", NR, m, v[NR] }'
}

# window_gaps LABEL: for each window LABEL, the largest gap (µs) that began
# inside it, 0 when none passed the meter's threshold; one a line.
window_gaps() {
	awk -v label="$1" '
		FNR == NR { if ($1 == label) { n++; s[n] = $2; e[n] = $3 } next }
		/^#/ { next }
		{ for (i = 1; i <= n; i++) if ($1 >= s[i] && $1 <= e[i] && $2 > g[i]) g[i] = $2 }
		END { for (i = 1; i <= n; i++) printf "%.1f\n", g[i] + 0 }' "$pause_windows" "$meter_out"
}

# window_walls LABEL: the wall time (µs) of each window LABEL, one a line.
window_walls() {
	awk -v label="$1" '$1 == label { print $3 - $2 }' "$pause_windows"
}

# pause_ms US: microseconds as milliseconds, for the tables ("-" stays).
pause_ms() {
	[[ $1 == - ]] && { printf -- '-'; return; }
	bench_ms "$(awk -v u="$1" 'BEGIN { print u / 1000 }')"
}

# The meter's threshold and the number of gaps it saw, from its report.
meter_summary() {
	sed -n '1s/^# nk-pausemeter //p' "$meter_out"
}
