#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# pmbind on the host lane: one NUMA node (node 0), no process_mbind.  The
# targets are tests/workload/nk-safety processes, which map touched regions
# of their own (a VMA each, a PROT_NONE page on each side, a hole above) and
# check their own registers, red zone, signal mask and blocking calls while
# pmbind works on them; their report says what they saw.  The reference for
# what pmbind did is the kernel: /proc/PID/numa_maps and /proc/PID/maps read
# afterwards, and /proc/PID/status (State, TracerPid, the signal masks).
# process_mbind itself is played by tests/shim/process_mbind_shim.so, which
# records each call (pidfd's pid, iovec, mode, nodemask, flags).

bats_require_minimum_version 1.5.0
load helpers

# The pid of no process: above pid_max (at most 2^22).
NO_PID=4194303
# Mode and flag values of the kernel ABI (include/uapi/linux/mempolicy.h).
MPOL_DEFAULT=0 MPOL_PREFERRED=1 MPOL_BIND=2 MPOL_INTERLEAVE=3 MPOL_LOCAL=4
MPOL_PREFERRED_MANY=5 MPOL_WEIGHTED_INTERLEAVE=6
MPOL_F_STATIC_NODES=$((1 << 15)) MPOL_F_RELATIVE_NODES=$((1 << 14)) MPOL_F_SPM_NODE=$((1 << 12))
MPOL_MF_STRICT=1 MPOL_MF_MOVE=2 MPOL_MF_MOVE_ALL=4
# Any number: the shim answers it, the kernel never sees it.
SHIM_NR=1000
PAGE=$(getconf PAGESIZE)
MIB=$((1 << 20))

setup_file() {
	# The shim, as make builds it, or built here.
	local built=$NK_BUILD/tests/shim/process_mbind_shim.so

	if [[ -f $built ]]; then
		export NK_SHIM=$built
	else
		export NK_SHIM=$BATS_FILE_TMPDIR/process_mbind_shim.so
		"${CC:-cc}" -O2 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -shared -fPIC \
			-o "$NK_SHIM" "$BATS_TEST_DIRNAME/shim/process_mbind_shim.c" -ldl ||
			NK_SHIM=
	fi
}

setup() {
	requires binary pmbind
	requires binary tests/workload/nk-safety
	requires file "/proc/$$/numa_maps"
	PMBIND=$NK_BUILD/pmbind
	SAFETY=$NK_BUILD/tests/workload/nk-safety
	# Nothing from the caller's environment may choose for pmbind.
	unset PMBIND_SYSCALL_NR NUMAKIT_TEST_INJECT_DELAY_MS PMBIND_SHIM_NR PMBIND_SHIM_LOG \
		PMBIND_SHIM_ERRNO LD_PRELOAD
	NOBODY_DIR= T_BIN=
	T_PREFIX=()
	T_DIR=$NK_TMP
}

teardown() {
	stop_bg_all
	if [[ -n $NOBODY_DIR ]]; then
		rm -rf "$NOBODY_DIR"
	fi
	return 0
}

# ---------------------------------------------------------------------------
# Helpers

# Print one field of /proc/PID/status ("State" gives the letter).
proc_field() {
	awk -v k="$2:" '$1 == k { print $2; exit }' "/proc/$1/status" 2>/dev/null
}

# Forget pid $1 in NK_BG_PIDS: it was reaped, its number may come back.
forget_bg() {
	local i

	for i in "${!NK_BG_PIDS[@]}"; do
		[[ ${NK_BG_PIDS[i]} == "$1" ]] && unset 'NK_BG_PIDS[i]'
	done
	NK_BG_PIDS=(${NK_BG_PIDS[@]+"${NK_BG_PIDS[@]}"})
	return 0
}

# Wait up to $2 seconds (default 10) for the child $1 to end and reap it:
# REAP_RC is its status.
reap() {
	local pid=$1 timeout=${2:-10} i

	for ((i = 0; i < timeout * 20; i++)); do
		nk_alive "$pid" || break
		sleep 0.05
	done
	if nk_alive "$pid"; then
		echo "pid $pid still runs after ${timeout}s (State $(proc_field "$pid" State))"
		return 1
	fi
	REAP_RC=0
	wait "$pid" || REAP_RC=$?
	forget_bg "$pid"
}

# Start nk-safety --mode MODE [ARGS...] (prefixed by T_PREFIX, files in
# T_DIR) and wait until it is ready.  T_PID, T_LOG, T_REPORT; T_REGIONS the
# regions as "start-end" (hex); T_START, T_END, T_RANGE the first one.
start_target() {
	local ready=$T_DIR/ready.${#NK_BG_PIDS[@]} line i bin=$SAFETY

	T_REPORT=$T_DIR/report.${#NK_BG_PIDS[@]}
	[[ -n $T_BIN ]] && bin=$T_BIN
	start_bg ${T_PREFIX[@]+"${T_PREFIX[@]}"} "$bin" --mode "$@" --ready "$ready" \
		--report "$T_REPORT"
	T_PID=$NK_BG_PID T_LOG=$NK_BG_LOG
	for ((i = 0; i < 200; i++)); do
		[[ -e $ready ]] && break
		if ! nk_alive "$T_PID"; then
			reap "$T_PID"
			((REAP_RC != 4)) || skip "nk-safety --mode $*: $(cat "$T_LOG")"
			echo "nk-safety --mode $* exited ($REAP_RC) before it was ready:"
			cat "$T_LOG"
			return 1
		fi
		sleep 0.05
	done
	[[ -e $ready ]] || { echo "nk-safety --mode $* was not ready after 10 s"; return 1; }
	read -r line <"$ready"
	read -ra T_REGIONS <<<"${line#ready }"
	T_START=${T_REGIONS[0]%-*} T_END=${T_REGIONS[0]#*-}
	T_RANGE=0x$T_START-0x$T_END
}

# SIGTERM the target (default T_PID, its report T_REPORT), reap it and read
# its report: R_ITER R_EINTR R_CORRUPT R_BADRET R_USR1, REPORT the line.
stop_target() {
	local pid=${1:-$T_PID} report=${2:-$T_REPORT} re

	kill -TERM "$pid" 2>/dev/null
	reap "$pid" 10 || return 1
	if [[ ! -s $report ]]; then
		echo "pid $pid left no report (status $REAP_RC); its output:"
		cat "$T_LOG"
		return 1
	fi
	read -r REPORT <"$report"
	re='^iterations=([0-9]+) eintr=([0-9]+) corrupt=([0-9]+) badret=([0-9]+) usr1=([0-9]+)$'
	[[ $REPORT =~ $re ]] || { echo "not a report: '$REPORT'"; return 1; }
	R_ITER=${BASH_REMATCH[1]} R_EINTR=${BASH_REMATCH[2]} R_CORRUPT=${BASH_REMATCH[3]}
	R_BADRET=${BASH_REMATCH[4]} R_USR1=${BASH_REMATCH[5]}
}

# Stop the target and require a clean report: it ran, and saw nothing wrong.
stop_target_clean() {
	stop_target "$@" || return 1
	if ((REAP_RC != 0 || R_ITER == 0 || R_EINTR || R_CORRUPT || R_BADRET)); then
		echo "the target saw something wrong (status $REAP_RC): $REPORT"
		cat "$T_LOG"
		return 1
	fi
}

# Check that pid $1 runs free: not stopped, not traced.  $2 says when.
check_free() {
	local pid=${1:-$T_PID} state tracer

	state=$(proc_field "$pid" State)
	tracer=$(proc_field "$pid" TracerPid)
	if [[ -z $state || $state == [tTZX] || $tracer != 0 ]]; then
		echo "pid $pid ${2:-}: State '$state', TracerPid '$tracer'"
		return 1
	fi
}

# Wait (up to 10 s) until pid $1 is traced; TRACER is the tracer's pid.
wait_traced() {
	local i

	for ((i = 0; i < 1000; i++)); do
		TRACER=$(proc_field "$1" TracerPid)
		[[ -n $TRACER && $TRACER != 0 ]] && return 0
		sleep 0.01
	done
	echo "pid $1 was not traced within 10 s"
	return 1
}

# While process $2 runs, print "STATE TRACERPID" of pid $1 every 2 ms, each
# pair once.  Perl, to sample fast: bats slows every shell command down.
watch_target() {
	perl -e 'use Time::HiRes qw(usleep); my ($t, $p) = @ARGV; my %seen;
		while (1) {
			open(my $f, "<", "/proc/$p/stat") or last;
			my $st = <$f>; close $f;
			last if !defined $st || $st =~ /\) Z /;
			open($f, "<", "/proc/$t/status") or last;
			my ($s, $tr) = ("?", "?");
			while (<$f>) {
				$s = $1 if /^State:\s+(\S)/;
				$tr = $1 if /^TracerPid:\s+(\d+)/;
			}
			close $f;
			print "$s $tr\n" unless $seen{"$s $tr"}++;
			usleep(2000);
		}' "$1" "$2"
}

# Print "START POLICY" for every VMA of numa_maps of pid $1 (the policy as
# the kernel prints it, spaces included: "prefer (many):0").
numa_table() {
	perl -ne 'print "$1 $2\n" if /^([0-9a-f]+)[ ](.*?)(?=[ ](?:heap|stack|huge|N\d+=|
		(?:file|anon|dirty|mapped|mapmax|swapcache|active|writeback|kernelpagesize_kB)=)|
		[ ]*$)/x' \
		"/proc/$1/numa_maps"
}

# Print the policy of the VMA that starts at hex $2 in numa_maps of pid $1.
numa_policy() {
	numa_table "$1" | awk -v s="$2" '$1 == s { sub(/^[^ ]+ /, ""); print; exit }'
}

# Print the pages on node 0 of the VMA at hex $2 in numa_maps of pid $1.
numa_n0() {
	awk -v s="$2" '$1 == s { for (i = 3; i <= NF; i++) if ($i ~ /^N0=/) print substr($i, 4) }' \
		"/proc/$1/numa_maps"
}

# Check that numa_maps of pid $1 is the table in file $2 but for the VMAs
# given as "START=POLICY" in $3...: only those changed, to that policy.
check_only() {
	local pid=$1 before=$2 pair
	shift 2

	cp "$before" "$NK_TMP/expect"
	for pair in "$@"; do
		grep -q "^${pair%%=*} " "$NK_TMP/expect" ||
			{ echo "no VMA at ${pair%%=*} in $before"; return 1; }
		sed -i "s|^${pair%%=*} .*|${pair%%=*} ${pair#*=}|" "$NK_TMP/expect"
	done
	numa_table "$pid" >"$NK_TMP/after"
	same_file "$NK_TMP/expect" "$NK_TMP/after"
}

# After `run`: require status $1, else show what pmbind said.
expect_status() {
	((status == $1)) && return 0
	printf 'expected status %s, got %s\n--- stdout:\n%s\n--- stderr:\n%s\n' "$1" "$status" \
		"$output" "${stderr:-}"
	return 1
}

# After `run`: require that stdout carries line $1.
expect_line() {
	printf '%s\n' "${lines[@]}" | grep -Fxq -- "$1" && return 0
	printf 'no line "%s" on stdout:\n%s\n--- stderr:\n%s\n' "$1" "$output" "${stderr:-}"
	return 1
}

# Print "START END file" or "START END anon" for each VMA of maps of pid $1
# but the special ones mbind refuses ([vdso], [vvar]...); hex as maps has it.
maps_kinds() {
	awk '$NF ~ /^\[(vsyscall|vdso|vvar|vvar_vclock|uprobes)\]$/ { next }
		{ split($1, r, "-")
		  print r[1], r[2], ($4 != "00:00" || $5 != 0) ? "file" : "anon" }' \
		"/proc/$1/maps"
}

# After `run`: require every stdout line to be a range result as the contract
# has them: "0xSTART-0xEND ok[ ...]" or "0xSTART-0xEND failed: REASON".
expect_range_lines() {
	local l

	for l in ${lines[@]+"${lines[@]}"}; do
		[[ $l =~ ^0x[0-9a-f]+-0x[0-9a-f]+\ (ok( .*)?|failed:\ .+)$ ]] ||
			{ echo "not a range result: '$l'"; return 1; }
	done
}

# Print hex of $1, without 0x.
hex() {
	printf '%x' "$1"
}

# True if the running kernel is at least $1.$2.
kernel_at_least() {
	local v

	v=$(uname -r)
	[[ $v =~ ^([0-9]+)\.([0-9]+) ]] || return 1
	((BASH_REMATCH[1] > $1 || (BASH_REMATCH[1] == $1 && BASH_REMATCH[2] >= $2)))
}

# Run pmbind with the shim standing in for syscall $SHIM_NR (ENV... are more
# variables, then --, then pmbind's arguments); its calls land in $SHIM_LOG.
run_shim() {
	local env=()

	[[ -n $NK_SHIM ]] || { echo "tests/shim/process_mbind_shim.c did not build"; return 1; }
	while [[ $1 != -- ]]; do
		env+=("$1")
		shift
	done
	shift
	SHIM_LOG=$NK_TMP/shim.log
	rm -f "$SHIM_LOG"
	# An ASan pmbind accepts a preloaded object only with this option.
	run --separate-stderr env LD_PRELOAD="$NK_SHIM" PMBIND_SHIM_LOG="$SHIM_LOG" \
		PMBIND_SHIM_NR="$SHIM_NR" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		${env[@]+"${env[@]}"} "$PMBIND" "$@"
}

# Print the shim's log, or nothing.
shim_log() {
	cat "$SHIM_LOG" 2>/dev/null || true
}

# Run pmbind --method=ptrace with ARGS $N times on the target's first region,
# bind and interleave in turn, each checked in numa_maps, the target free
# after each; between runs a pause of up to $PAUSE_MS ms (default 0).
inject_loop() {
	local n=$1 round opt want pause=${PAUSE_MS:-0} got

	# Not "i": bats' `run --separate-stderr` sets a global i.
	for ((round = 0; round < n; round++)); do
		if ((round % 2)); then
			opt=-i want=interleave:0
		else
			opt=-m want=bind:0
		fi
		run --separate-stderr "$PMBIND" --method=ptrace -p "$T_PID" "$opt" 0 "$T_RANGE"
		expect_status 0 || { echo "(run $round of $n)"; return 1; }
		check_free "$T_PID" "after run $round" || return 1
		got=$(numa_policy "$T_PID" "$T_START")
		[[ $got == "$want" ]] ||
			{ echo "run $round: policy '$got', not '$want'"; return 1; }
		if ((pause > 0)); then
			sleep "$(printf '0.%03d' $((RANDOM % pause)))"
		fi
	done
}

# A directory nobody can read, with copies of pmbind and nk-safety, and a
# subdirectory out/ anyone can write; removed by teardown.
make_nobody_dir() {
	requires root
	requires command setpriv
	NOBODY_DIR=$(mktemp -d /tmp/nk-pmbind.XXXXXX)
	chmod 755 "$NOBODY_DIR"
	cp "$PMBIND" "$SAFETY" "$NOBODY_DIR/"
	mkdir -m 1777 "$NOBODY_DIR/out"
	AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
}

# ---------------------------------------------------------------------------
# Policies through ptrace, as numa_maps shows them

@test "ptrace: each policy shows in numa_maps on exactly the VMA asked" {
	start_target nanosleep --regions 3
	numa_table "$T_PID" >"$NK_TMP/before"
	r2=${T_REGIONS[1]}
	s2=${r2%-*}
	[ "$(numa_policy "$T_PID" "$s2")" = default ]
	# Option, then what numa_maps prints for it.
	specs=("-m 0:bind:0" "-i 0:interleave:0" "--preferred 0:prefer:0"
		"-P 0:prefer (many):0" "-l:local" "-m 0 --static:bind=static:0"
		"-m 0 --relative:bind=relative:0" "-i 0 --static:interleave=static:0"
		"--preferred=0 --static:prefer=static:0" "--membind=0:bind:0" "--default:default")
	if kernel_at_least 6 9; then
		specs+=("-w 0:weighted interleave:0"
			"--weighted-interleave=0 --static:weighted interleave=static:0")
	fi
	specs+=("--default:default")
	for spec in "${specs[@]}"; do
		read -ra args <<<"${spec%%:*}"
		want=${spec#*:}
		run --separate-stderr "$PMBIND" --method=ptrace -p "$T_PID" "${args[@]}" "0x$r2"
		expect_status 0 || { echo "for ${args[*]}"; false; }
		expect_line "0x${r2/-/-0x} ok"
		check_only "$T_PID" "$NK_TMP/before" "$s2=$want" ||
			{ echo "for ${args[*]}"; false; }
		check_free
	done
	stop_target_clean
}

@test "ptrace: a range in the middle of a region splits it as mbind does" {
	start_target nanosleep --region-mb 16
	s=$((16#$T_START))
	a=$(hex $((s + 4 * MIB))) b=$(hex $((s + 12 * MIB)))
	run --separate-stderr "$PMBIND" --method=ptrace -p "$T_PID" -m 0 "0x$a+8M"
	expect_status 0
	expect_line "0x$a-0x$b ok"
	# Three VMAs where there was one, the middle one bound.
	grep -E "^($T_START|$a|$b)-" "/proc/$T_PID/maps" | cut -d' ' -f1,2 >"$NK_TMP/got"
	printf '%s rw-p\n' "$T_START-$a" "$a-$b" "$b-$T_END" >"$NK_TMP/want"
	same_file "$NK_TMP/want" "$NK_TMP/got"
	[ "$(numa_policy "$T_PID" "$T_START")" = default ]
	[ "$(numa_policy "$T_PID" "$a")" = bind:0 ]
	[ "$(numa_policy "$T_PID" "$b")" = default ]
	[ "$(numa_n0 "$T_PID" "$a")" = $((8 * MIB / PAGE)) ]
	# START+LEN in decimal, and a range as START-END without 0x.
	c=$(hex $((s + 14 * MIB)))
	run --separate-stderr "$PMBIND" --method=ptrace -p "$T_PID" -i 0 "$b+$((MIB))" "$c-$T_END"
	expect_status 0
	expect_line "0x$b-0x$(hex $((s + 13 * MIB))) ok"
	expect_line "0x$c-0x$T_END ok"
	[ "$(numa_policy "$T_PID" "$b")" = interleave:0 ]
	[ "$(numa_policy "$T_PID" "$c")" = interleave:0 ]
	[ "$(numa_policy "$T_PID" "$(hex $((s + 13 * MIB)))")" = default ]
	check_free
	stop_target_clean
}

@test "--vma '[heap]': the heap alone" {
	start_target nanosleep
	numa_table "$T_PID" >"$NK_TMP/before"
	heap=$(awk '$NF == "[heap]" { print $1 }' "/proc/$T_PID/maps")
	[ -n "$heap" ]
	run --separate-stderr "$PMBIND" -p "$T_PID" --method=ptrace -m 0 --vma '[heap]'
	expect_status 0
	expect_line "0x${heap%-*}-0x${heap#*-} ok"
	check_only "$T_PID" "$NK_TMP/before" "${heap%-*}=bind:0"
	stop_target_clean
}

@test "--vma anon: every anonymous VMA, no file-backed one" {
	start_target nanosleep --regions 2
	run --separate-stderr "$PMBIND" -p "$T_PID" --method=ptrace -P 0 --vma anon
	expect_status 0
	# From maps: file-backed or anonymous; the special VMAs are neither.
	maps_kinds "$T_PID" >"$NK_TMP/kinds"
	[ "$(grep -c ' anon$' "$NK_TMP/kinds")" -ge 6 ]
	[ "$(grep -c ' file$' "$NK_TMP/kinds")" -ge 4 ]
	while read -r start _ kind; do
		pol=$(numa_policy "$T_PID" "$start")
		if [[ $kind == anon ]]; then
			[[ $pol == 'prefer (many):0' ]] ||
				{ echo "anonymous $start: '$pol'"; false; }
		else
			[[ $pol == default ]] || { echo "file-backed $start: '$pol'"; false; }
		fi
	done <"$NK_TMP/kinds"
	# One ok line per anonymous VMA, none other.
	awk '$3 == "anon" { print "0x" $1 "-0x" $2 " ok" }' "$NK_TMP/kinds" | sort >"$NK_TMP/want"
	printf '%s\n' "${lines[@]}" | sort >"$NK_TMP/got"
	same_file "$NK_TMP/want" "$NK_TMP/got"
	stop_target_clean
}

@test "--vma with no match: exit 1, no VMA matches" {
	start_target nanosleep
	run --separate-stderr "$PMBIND" -p "$T_PID" --method=ptrace -m 0 --vma '/no/such/file*'
	expect_status 1
	[[ $stderr == *"no VMA matches '/no/such/file*' in pid $T_PID"* ]]
	stop_target_clean
}

@test "--ranges-from a file of mapsdump --ranges, and from stdin" {
	requires binary mapsdump
	start_target nanosleep --regions 2
	numa_table "$T_PID" >"$NK_TMP/before"
	mapsdump --ranges --name '[heap]' "$T_PID" >"$NK_TMP/heap.ranges"
	heap=$(awk '$NF == "[heap]" { print $1 }' "/proc/$T_PID/maps")
	[ "$(cat "$NK_TMP/heap.ranges")" = "0x${heap%-*}-0x${heap#*-}" ]
	run --separate-stderr "$PMBIND" -p "$T_PID" --method=ptrace -m 0 \
		--ranges-from "$NK_TMP/heap.ranges"
	expect_status 0
	check_only "$T_PID" "$NK_TMP/before" "${heap%-*}=bind:0"
	# From stdin, with a comment and blank lines: both regions.
	printf '# the regions\n\n0x%s\n\n0x%s\n' "${T_REGIONS[0]/-/-0x}" "${T_REGIONS[1]/-/-0x}" \
		>"$NK_TMP/regions.ranges"
	run --separate-stderr "$PMBIND" -p "$T_PID" --method=ptrace -i 0 --ranges-from - \
		<"$NK_TMP/regions.ranges"
	expect_status 0
	check_only "$T_PID" "$NK_TMP/before" "${heap%-*}=bind:0" \
		"${T_REGIONS[0]%-*}=interleave:0" "${T_REGIONS[1]%-*}=interleave:0"
	stop_target_clean
}

@test "--all: every VMA but the special ones gets the policy; the target still works" {
	start_target nanosleep
	run --separate-stderr "$PMBIND" -p "$T_PID" --method=ptrace -m 0 --all
	expect_status 0
	printf '%s\n' "${lines[@]}" >"$NK_TMP/out"
	maps_kinds "$T_PID" >"$NK_TMP/kinds"
	[ "$(wc -l <"$NK_TMP/kinds")" -gt 10 ]
	while read -r start _ kind; do
		pol=$(numa_policy "$T_PID" "$start")
		[[ $pol == bind:0 ]] || { echo "$kind $start: '$pol'"; false; }
	done <"$NK_TMP/kinds"
	# numa_maps shows some special VMAs too: left alone.
	grep -E ' \[(vvar|vvar_vclock|vdso)\]$' "/proc/$T_PID/maps" | cut -d- -f1 >"$NK_TMP/special"
	while read -r start; do
		pol=$(numa_policy "$T_PID" "$start")
		[[ -z $pol || $pol == default ]] || { echo "special $start: '$pol'"; false; }
	done <"$NK_TMP/special"
	# One ok line per VMA but the special ones mbind refuses, never asked for.
	awk '{ print "0x" $1 "-0x" $2 " ok" }' "$NK_TMP/kinds" | sort >"$NK_TMP/want"
	sort "$NK_TMP/out" >"$NK_TMP/got"
	same_file "$NK_TMP/want" "$NK_TMP/got"
	sleep 0.3
	check_free
	stop_target_clean
}

@test "--pidfd FD: the process of an inherited pidfd" {
	requires command perl
	start_target nanosleep
	# pidfd_open is syscall 434 on every architecture; the fd is close-on-exec.
	run --separate-stderr perl -MFcntl -e 'my $fd = syscall(434, $ARGV[0] + 0, 0);
		die "pidfd_open: $!\n" if $fd < 0;
		open(my $fh, "<&=", $fd) or die "fdopen: $!\n";
		fcntl($fh, F_SETFD, 0) or die "fcntl: $!\n";
		exec { $ARGV[1] } $ARGV[1], "--pidfd", $fd, splice(@ARGV, 2) or die "exec: $!\n";' \
		"$T_PID" "$PMBIND" --method=ptrace -m 0 "$T_RANGE"
	expect_status 0
	[ "$(numa_policy "$T_PID" "$T_START")" = bind:0 ]
	stop_target_clean
}

# ---------------------------------------------------------------------------
# Mode flags

@test "--static and --relative show as =static: and =relative: in numa_maps" {
	start_target nanosleep
	run --separate-stderr "$PMBIND" -p "$T_PID" --method=ptrace --static -m 0 "$T_RANGE"
	expect_status 0
	[ "$(numa_policy "$T_PID" "$T_START")" = bind=static:0 ]
	run --separate-stderr "$PMBIND" -p "$T_PID" --method=ptrace --relative -i 0 "$T_RANGE"
	expect_status 0
	[ "$(numa_policy "$T_PID" "$T_START")" = interleave=relative:0 ]
	stop_target_clean
}

@test "--spm without --static, and --static with --relative: exit 2, nothing done" {
	start_target nanosleep
	run --separate-stderr "$PMBIND" -p "$T_PID" --spm -m 0 "$T_RANGE"
	expect_status 2
	[ -z "$output" ]
	[[ $stderr == *'--spm needs --static'* ]]
	run --separate-stderr "$PMBIND" -p "$T_PID" --static --relative -m 0 "$T_RANGE"
	expect_status 2
	[ -z "$output" ]
	[[ $stderr == pmbind:*--static*--relative* || $stderr == pmbind:*--relative*--static* ]]
	[ "$(numa_policy "$T_PID" "$T_START")" = default ]
	stop_target_clean
}

# ---------------------------------------------------------------------------
# The syscall method, through the shim

@test "syscall (--syscall-nr): one call per range with the pidfd, iovec, mode, nodemask, flags" {
	start_target nanosleep --regions 2
	numa_table "$T_PID" >"$NK_TMP/before"
	r1=${T_REGIONS[0]} r2=${T_REGIONS[1]}
	run_shim -- --method=syscall --syscall-nr "$SHIM_NR" -v -p "$T_PID" -m 0 "0x${r1/-/-0x}" \
		"0x${r2/-/-0x}"
	expect_status 0
	expect_line "0x${r1/-/-0x} ok"
	expect_line "0x${r2/-/-0x} ok"
	printf '%s\n' "${stderr_lines[@]}" | grep -Fx "pmbind: pid $T_PID: method syscall"
	for r in "$r1" "$r2"; do
		printf 'pid=%d vlen=1 iov=0x%s+%d mode=%d nodes=0 flags=0\n' "$T_PID" "${r%-*}" \
			$((16#${r#*-} - 16#${r%-*})) "$MPOL_BIND"
	done | sort >"$NK_TMP/want"
	# In any order.
	shim_log | sort >"$NK_TMP/got"
	same_file "$NK_TMP/want" "$NK_TMP/got"
	# The shim did nothing: nor may pmbind have, by another method.
	check_only "$T_PID" "$NK_TMP/before"
	check_free
	stop_target_clean
}

@test "syscall (PMBIND_SYSCALL_NR): mode values, mode flags and move flags as the ABI has them" {
	start_target nanosleep
	len=$((16#$T_END - 16#$T_START))
	# Options, then the mode and flags process_mbind must get.
	specs=("-m 0:$MPOL_BIND:0" "-i 0:$MPOL_INTERLEAVE:0"
		"-w 0:$MPOL_WEIGHTED_INTERLEAVE:0" "-P 0:$MPOL_PREFERRED_MANY:0"
		"--preferred 0:$MPOL_PREFERRED:0"
		"-m 0 --static:$((MPOL_BIND | MPOL_F_STATIC_NODES)):0"
		"-i 0 --relative:$((MPOL_INTERLEAVE | MPOL_F_RELATIVE_NODES)):0"
		"-m 0 --static --spm:$((MPOL_BIND | MPOL_F_STATIC_NODES | MPOL_F_SPM_NODE)):0"
		"-m 0 --move:$MPOL_BIND:$MPOL_MF_MOVE"
		"-m 0 --move-all:$MPOL_BIND:$MPOL_MF_MOVE_ALL"
		"-m 0 --strict --move:$MPOL_BIND:$((MPOL_MF_STRICT | MPOL_MF_MOVE))"
		"-m all:$MPOL_BIND:0")
	for spec in "${specs[@]}"; do
		IFS=: read -r opts mode flags <<<"$spec"
		read -ra args <<<"$opts"
		run_shim PMBIND_SYSCALL_NR="$SHIM_NR" -- --method=syscall -p "$T_PID" "${args[@]}" \
			"$T_RANGE"
		expect_status 0 || { echo "for $opts"; false; }
		want="pid=$T_PID vlen=1 iov=0x$T_START+$len mode=$mode nodes=0 flags=$flags"
		[ "$(shim_log)" = "$want" ] ||
			{ echo "for $opts: want '$want', got '$(shim_log)'"; false; }
	done
	# No nodes for local and default: an empty mask or none at all.
	for spec in "-l:$MPOL_LOCAL" "--default:$MPOL_DEFAULT"; do
		run_shim PMBIND_SYSCALL_NR="$SHIM_NR" -- --method=syscall -p "$T_PID" "${spec%:*}" \
			"$T_RANGE"
		expect_status 0
		re="^pid=$T_PID vlen=1 iov=0x$T_START\\+$len mode=${spec#*:}"
		re+=" nodes=(none|null) flags=0\$"
		[[ $(shim_log) =~ $re ]] || { echo "for ${spec%:*}: $(shim_log)"; false; }
	done
	[ "$(numa_policy "$T_PID" "$T_START")" = default ]
	stop_target_clean
}

@test "syscall: ENOSYS with --method=syscall: exit 4 and a message; nothing else tried" {
	start_target nanosleep
	run_shim PMBIND_SHIM_ERRNO=ENOSYS -- --method=syscall --syscall-nr "$SHIM_NR" -p "$T_PID" \
		-m 0 "$T_RANGE"
	expect_status 4
	[[ ${stderr_lines[0]} == pmbind:* ]]
	[ "$(shim_log | wc -l)" -ge 1 ]
	[ "$(numa_policy "$T_PID" "$T_START")" = default ]
	check_free
	stop_target_clean
}

@test "syscall: ENOSYS with --method=auto falls to ptrace; the policy is really set" {
	start_target nanosleep
	run_shim PMBIND_SHIM_ERRNO=38 -- -v --syscall-nr "$SHIM_NR" -p "$T_PID" -m 0 "$T_RANGE"
	expect_status 0
	expect_line "$T_RANGE ok"
	[ "$(shim_log | wc -l)" -ge 1 ]
	printf '%s\n' "${stderr_lines[@]}" | grep -Fx "pmbind: pid $T_PID: method ptrace"
	[ "$(numa_policy "$T_PID" "$T_START")" = bind:0 ]
	check_free
	stop_target_clean
}

@test "syscall: EPERM from process_mbind fails the range with its reason" {
	start_target nanosleep
	run_shim PMBIND_SHIM_ERRNO=EPERM -- --method=syscall --syscall-nr "$SHIM_NR" -p "$T_PID" \
		-m 0 "$T_RANGE"
	expect_status 1
	[[ "$output$stderr" == *'Operation not permitted'* ]]
	[ "$(numa_policy "$T_PID" "$T_START")" = default ]
	stop_target_clean
}

@test "syscall: no number known: --method=syscall exits 4 saying how to give it; no guess" {
	if grep -rqs __NR_process_mbind /usr/include; then
		skip "the system headers define __NR_process_mbind"
	fi
	start_target nanosleep
	SHIM_NR=457
	run_shim -- --method=syscall -p "$T_PID" -m 0 "$T_RANGE"
	expect_status 4
	[[ $stderr == *--syscall-nr* || $stderr == *PMBIND_SYSCALL_NR* ]]
	[ -z "$(shim_log)" ]
	# auto goes on to ptrace, without calling 457 (statmount) either.
	run_shim -- -v -p "$T_PID" -m 0 "$T_RANGE"
	expect_status 0
	[ -z "$(shim_log)" ]
	printf '%s\n' "${stderr_lines[@]}" | grep -Fx "pmbind: pid $T_PID: method ptrace"
	[ "$(numa_policy "$T_PID" "$T_START")" = bind:0 ]
	stop_target_clean
}

# ---------------------------------------------------------------------------
# The migrate method

@test "migrate: pages present counted per node, a warning, no policy set" {
	requires command jq
	start_target nanosleep
	pages=$(((16#$T_END - 16#$T_START) / PAGE))
	[ "$(numa_n0 "$T_PID" "$T_START")" = "$pages" ]
	numa_table "$T_PID" >"$NK_TMP/before"
	run --separate-stderr "$PMBIND" --method=migrate -p "$T_PID" -m 0 "$T_RANGE"
	expect_status 0
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "$T_RANGE ok "* ]]
	[[ " ${lines[0]} " == *" N0=$pages "* ]]
	[[ " ${lines[0]} " =~ \ moved=[0-9]+\  ]]
	warning="migrate moves the pages present now; it sets no policy,"
	warning+=" future faults are not bound"
	[[ $stderr == *'pmbind: '*"$warning"* ]]
	check_only "$T_PID" "$NK_TMP/before"
	# -J: the same counts, per range.
	run --separate-stderr "$PMBIND" --method=migrate -J -p "$T_PID" -m 0 "$T_RANGE"
	expect_status 0
	jq -e --argjson pid "$T_PID" --argjson s $((16#$T_START)) --argjson e $((16#$T_END)) \
		--argjson n "$pages" '.pid == $pid and .method == "migrate" and
		(.ranges | length) == 1 and .ranges[0].start == $s and .ranges[0].end == $e and
		.ranges[0].status == "ok" and .ranges[0].pages.nodes == {"0": $n} and
		.ranges[0].pages.failed == 0 and
		(.ranges[0].pages.moved >= 0 and .ranges[0].pages.moved <= $n)' <<<"$output"
	check_only "$T_PID" "$NK_TMP/before"
	check_free
	stop_target_clean
}

@test "migrate: --localalloc and --default are refused (exit 2)" {
	start_target nanosleep
	for p in -l --default; do
		run --separate-stderr "$PMBIND" --method=migrate -p "$T_PID" "$p" "$T_RANGE"
		expect_status 2 || { echo "for $p"; false; }
		[ -z "$output" ]
	done
	stop_target_clean
}

# ---------------------------------------------------------------------------
# --show, --dry-run, -v, -J

@test "--show: the table and -J agree with numa_maps" {
	requires command jq
	start_target nanosleep --regions 2
	run --separate-stderr "$PMBIND" -p "$T_PID" --method=ptrace -m 0 "$T_RANGE"
	expect_status 0
	run --separate-stderr "$PMBIND" --show -p "$T_PID"
	expect_status 0
	[ "$(awk '{ $1 = $1 } 1' <<<"${lines[0]}")" = "START END PERMS POLICY NODES NAME" ]
	n=$((16#$T_END - 16#$T_START))
	row=$(printf '%s\n' "${lines[@]}" | awk -v s="$T_START" '$1 == s { $1 = $1; print }')
	[ "$row" = "$T_START $T_END rw-p bind:0 N0=$((n / PAGE))" ] ||
		{ echo "row: '$row'"; false; }
	r2=${T_REGIONS[1]}
	row=$(printf '%s\n' "${lines[@]}" | awk -v s="${r2%-*}" '$1 == s { $1 = $1; print }')
	[ "$row" = "${r2%-*} ${r2#*-} rw-p default N0=$((n / PAGE))" ] ||
		{ echo "row: '$row'"; false; }
	# -J: every VMA of numa_maps, with its policy and pages per node.
	"$PMBIND" --show -J -p "$T_PID" >"$NK_TMP/json"
	perl -ne 'next unless /^([0-9a-f]+) (\S+)/; my ($s, $p) = (hex $1, $2);
		my @n = map { /^N(\d+)=(\d+)$/ ? "$1:$2" : () } split;
		print join(" ", $s, $p, @n), "\n"' "/proc/$T_PID/numa_maps" |
		LC_ALL=C sort >"$NK_TMP/want"
	jq -r '[.. | objects | select(has("start") and has("policy"))][] |
		"\(.start) \(.policy) " + ((.nodes // {}) | to_entries |
		map("\(.key):\(.value)") | join(" "))' "$NK_TMP/json" | sed 's/ $//' |
		LC_ALL=C sort >"$NK_TMP/all"
	[ "$(wc -l <"$NK_TMP/want")" -gt 10 ]
	# The VMAs numa_maps leaves out ([vvar], [vdso]...) may be listed as well.
	LC_ALL=C join -j 1 <(cut -d' ' -f1 "$NK_TMP/want") "$NK_TMP/all" | LC_ALL=C sort \
		>"$NK_TMP/got"
	same_file "$NK_TMP/want" "$NK_TMP/got"
	# Limited by --vma: the heap alone.
	heap=$(awk '$NF == "[heap]" { print $1 }' "/proc/$T_PID/maps")
	run --separate-stderr "$PMBIND" --show -J -p "$T_PID" --vma '[heap]'
	expect_status 0
	jq -e --argjson s $((16#${heap%-*})) '[.. | objects | select(has("start") and
		has("policy"))] | length == 1 and .[0].start == $s and .[0].policy == "default"' \
		<<<"$output"
	check_free
	stop_target_clean
}

@test "--dry-run: says what it would do, changes nothing, never stops the target" {
	start_target nanosleep
	numa_table "$T_PID" >"$NK_TMP/before"
	# The watcher sees a real injection held for 500 ms...
	start_bg env NUMAKIT_TEST_INJECT_DELAY_MS=500 "$PMBIND" --method=ptrace -p "$T_PID" -m 0 \
		"$T_RANGE"
	pm=$NK_BG_PID
	watch_target "$T_PID" "$pm" >"$NK_TMP/watch.real"
	reap "$pm"
	[ "$REAP_RC" -eq 0 ]
	grep -qv ' 0$' "$NK_TMP/watch.real" || { echo "the watcher saw no tracer"; false; }
	run --separate-stderr "$PMBIND" --method=ptrace -p "$T_PID" --default "$T_RANGE"
	expect_status 0
	# ...and nothing of the kind during --dry-run.
	start_bg env NUMAKIT_TEST_INJECT_DELAY_MS=500 "$PMBIND" --dry-run -p "$T_PID" --static \
		-m 0 --move "$T_RANGE"
	pm=$NK_BG_PID log=$NK_BG_LOG
	watch_target "$T_PID" "$pm" >"$NK_TMP/watch.dry"
	reap "$pm"
	[ "$REAP_RC" -eq 0 ] || { cat "$log"; false; }
	run grep -Ev '^[^tT] 0$' "$NK_TMP/watch.dry"
	[ -z "$output" ] || { echo "during --dry-run: $output"; false; }
	check_free
	check_only "$T_PID" "$NK_TMP/before"
	# What would be done: the range, the method, the mode and its flags.
	grep -F "$T_RANGE" "$log"
	grep -w ptrace "$log"
	# By name or by value: MPOL_BIND|MPOL_F_STATIC_NODES, MPOL_MF_MOVE.
	grep -Ew 'bind|0x8002|32770' "$log" || { echo "no mode in:"; cat "$log"; false; }
	grep -Ew 'static|0x8002|32770' "$log" || { echo "no mode flag in:"; cat "$log"; false; }
	grep -Eiw 'move|flags:? *(0x)?2' "$log" || { echo "no move flag in:"; cat "$log"; false; }
	stop_target_clean
}

@test "-v names the method: ptrace, migrate" {
	start_target nanosleep
	for m in ptrace migrate; do
		run --separate-stderr "$PMBIND" -v --method=$m -p "$T_PID" -m 0 "$T_RANGE"
		expect_status 0
		printf '%s\n' "${stderr_lines[@]}" | grep -Fx "pmbind: pid $T_PID: method $m" ||
			{ echo "$stderr"; false; }
	done
	# auto, without a process_mbind number: ptrace.
	run --separate-stderr "$PMBIND" -v -p "$T_PID" -m 0 "$T_RANGE"
	expect_status 0
	printf '%s\n' "${stderr_lines[@]}" | grep -Fx "pmbind: pid $T_PID: method ptrace"
	stop_target_clean
}

@test "-J: pid, method, policy and a record per range, a failed one with its error" {
	requires command jq
	start_target nanosleep --regions 2
	r2=${T_REGIONS[1]}
	hole=$((16#$T_END + PAGE))
	if grep -q "^$(hex "$hole")-" "/proc/$T_PID/maps"; then
		echo "the hole above the region is mapped"
		false
	fi
	run --separate-stderr "$PMBIND" -J --method=ptrace -p "$T_PID" --static -m 0 --move \
		"$T_RANGE" "0x$(hex "$hole")+4K" "0x${r2/-/-0x}"
	expect_status 3
	jq -e --argjson pid "$T_PID" --argjson s1 $((16#$T_START)) --argjson e1 $((16#$T_END)) \
		--argjson h "$hole" --argjson s2 $((16#${r2%-*})) --argjson e2 $((16#${r2#*-})) '
		.pid == $pid and .method == "ptrace" and
		.policy.mode == "bind" and .policy.nodes == "0" and .policy.flags == ["static"] and
		.policy.move_flags == ["move"] and (.ranges | length) == 3 and
		([.ranges[] | keys == ["end", "error", "start", "status"]] | all) and
		# In any order.
		([.ranges[] | select(.start == $s1)][0] | .end == $e1 and .status == "ok" and
			.error == null) and
		([.ranges[] | select(.start == $h)][0] | .end == $h + 4096 and
			.status == "failed" and (.error | type) == "string" and
			(.error | test("not mapped in pid \($pid)"))) and
		([.ranges[] | select(.start == $s2)][0] | .end == $e2 and .status == "ok" and
			.error == null)' <<<"$output"
	[ "$(numa_policy "$T_PID" "$T_START")" = bind=static:0 ]
	[ "$(numa_policy "$T_PID" "${r2%-*}")" = bind=static:0 ]
	stop_target_clean
}

# ---------------------------------------------------------------------------
# Safety of the ptrace method: the target checks itself

@test "safety: registers, xmm and red zone of a target in a tight loop" {
	start_target regs
	inject_loop 40
	stop_target_clean
}

@test "safety: a target blocked in read(2) on a FIFO, fed slowly" {
	mkfifo "$NK_TMP/fifo"
	start_target read --fifo "$NK_TMP/fifo"
	start_bg "$SAFETY" --mode feed --fifo "$NK_TMP/fifo" --interval-ms 50
	feeder=$NK_BG_PID
	PAUSE_MS=60 inject_loop 30
	kill -TERM "$feeder"
	reap "$feeder"
	[ "$REAP_RC" -eq 0 ]
	stop_target_clean
	# It read most of what was fed (30 runs take more than a second).
	((R_ITER >= 10)) || { echo "only $R_ITER reads: $REPORT"; false; }
}

@test "safety: a target in nanosleep (each 100 ms, never short, never EINTR)" {
	start_target nanosleep
	PAUSE_MS=80 inject_loop 30
	stop_target_clean
}

@test "safety: a target in pthread_cond_timedwait and FUTEX_WAIT with timeouts" {
	start_target futex
	PAUSE_MS=100 inject_loop 24
	stop_target_clean
}

@test "safety: a target in epoll_wait (300 ms, empty set: returns 0, never EINTR)" {
	start_target epoll
	PAUSE_MS=120 inject_loop 24
	stop_target_clean
}

@test "safety: a multithreaded target, 4 threads in the register loop" {
	start_target threads --threads 4
	[ "$(ls "/proc/$T_PID/task" | wc -l)" -ge 6 ]
	inject_loop 30
	stop_target_clean
}

@test "safety: signals sent during the injection are delivered once each; mask and pending kept" {
	start_target signals
	blk=$(proc_field "$T_PID" SigBlk) pnd=$(proc_field "$T_PID" SigPnd)
	shd=$(proc_field "$T_PID" ShdPnd)
	# SIGUSR2 (bit 11) blocked and pending, per thread and process-wide.
	((16#$blk & 0x800 && 16#$pnd & 0x800 && 16#$shd & 0x800)) ||
		{ echo "SigBlk $blk SigPnd $pnd ShdPnd $shd"; false; }
	k=5 held=0
	for ((round = 0; round < k; round++)); do
		start_bg env NUMAKIT_TEST_INJECT_DELAY_MS=200 "$PMBIND" --method=ptrace \
			-p "$T_PID" -m 0 "$T_RANGE"
		pm=$NK_BG_PID log=$NK_BG_LOG
		wait_traced "$T_PID"
		sleep 0.05
		[[ $(proc_field "$T_PID" TracerPid) == 0 ]] || ((++held))
		kill -USR1 "$T_PID"
		reap "$pm" 20
		[ "$REAP_RC" -eq 0 ] || { echo "run $round: status $REAP_RC"; cat "$log"; false; }
		check_free "$T_PID" "after run $round"
		# The handler ran: SIGUSR1 (bit 9) is no longer pending.
		for ((try = 0; try < 50; try++)); do
			((16#$(proc_field "$T_PID" SigPnd) & 0x200 ||
				16#$(proc_field "$T_PID" ShdPnd) & 0x200)) || break
			sleep 0.02
		done
		[ "$(proc_field "$T_PID" SigBlk)" = "$blk" ]
		[ "$(proc_field "$T_PID" SigPnd)" = "$pnd" ] ||
			{ echo "run $round: SigPnd now $(proc_field "$T_PID" SigPnd)"; false; }
		[ "$(proc_field "$T_PID" ShdPnd)" = "$shd" ] ||
			{ echo "run $round: ShdPnd now $(proc_field "$T_PID" ShdPnd)"; false; }
	done
	# Some signal at least came while pmbind held the target.
	((held > 0)) || { echo "no SIGUSR1 was sent while pmbind held the target"; false; }
	[ "$(numa_policy "$T_PID" "$T_START")" = bind:0 ]
	inject_loop 10
	stop_target_clean
	[ "$R_USR1" -eq "$k" ] || { echo "$k SIGUSR1 sent, $R_USR1 handled: $REPORT"; false; }
}

# Start pmbind in the background with SIGINT, SIGTERM and SIGHUP at their
# defaults, through perl, which writes how it ended ("exit N" or "signal N")
# to $NK_TMP/how; PM is pmbind's pid.  Arguments: pmbind's.
start_pmbind_watched() {
	rm -f "$NK_TMP/how" "$NK_TMP/pm.pid"
	start_bg perl -e '$SIG{$_} = "DEFAULT" for qw(INT TERM HUP);
		my ($how, $pidf) = (shift, shift);
		my $pid = fork // die "fork: $!\n";
		if (!$pid) { exec { $ARGV[0] } @ARGV or die "exec: $!\n" }
		open(my $f, ">", "$pidf.tmp") or die; print $f "$pid\n"; close $f;
		rename("$pidf.tmp", $pidf) or die;
		waitpid($pid, 0);
		my $r = ($? & 127) ? "signal " . ($? & 127) : "exit " . ($? >> 8);
		open($f, ">", "$how.tmp") or die; print $f "$r\n"; close $f;
		rename("$how.tmp", $how) or die;' "$NK_TMP/how" "$NK_TMP/pm.pid" "$@"
	PM_RUNNER=$NK_BG_PID PM_LOG=$NK_BG_LOG
	wait_for_file "$NK_TMP/pm.pid" || return 1
	PM=$(cat "$NK_TMP/pm.pid")
	# teardown ends it too, should it outlive the test.
	NK_BG_PIDS+=("$PM")
}

# pmbind gets signal $1 300 ms into an injection held for 1 s: it must finish
# with the target (detached, intact) and then exit 128+signal.
signal_mid_injection() {
	local sig=$1 num pol how

	num=$(kill -l "$sig")
	start_target regs
	start_pmbind_watched env NUMAKIT_TEST_INJECT_DELAY_MS=1000 "$PMBIND" --method=ptrace \
		-p "$T_PID" -m 0 "$T_RANGE"
	wait_traced "$T_PID"
	[ "$TRACER" = "$PM" ] || { echo "traced by $TRACER, not by pmbind ($PM)"; false; }
	sleep 0.3
	kill -"$sig" "$PM"
	reap "$PM_RUNNER" 20
	forget_bg "$PM"
	# 128+signal as a shell sees it: exit(128+signal), or death by the
	# signal raised again once the target is free.
	how=$(cat "$NK_TMP/how")
	[[ $how == "exit $((128 + num))" || $how == "signal $num" ]] ||
		{ echo "pmbind: $how, want exit $((128 + num)):"; cat "$PM_LOG"; false; }
	check_free "$T_PID" "after pmbind got SIG$sig"
	# All of the policy or none of it: the region is still one VMA.
	pol=$(numa_policy "$T_PID" "$T_START")
	[[ $pol == bind:0 || $pol == default ]] || { echo "policy '$pol'"; false; }
	grep -q "^$T_START-$T_END " "/proc/$T_PID/maps"
	sleep 0.2
	stop_target_clean
}

@test "pmbind gets SIGINT mid-injection: target detached intact, then exit 130" {
	signal_mid_injection INT
}

@test "pmbind gets SIGTERM mid-injection: target detached intact, then exit 143" {
	signal_mid_injection TERM
}

@test "pmbind gets SIGHUP mid-injection: target detached intact, then exit 129" {
	signal_mid_injection HUP
}

@test "the target is killed mid-injection: pmbind exits 1 with a message, no hang" {
	start_target regs
	start_bg env NUMAKIT_TEST_INJECT_DELAY_MS=1000 "$PMBIND" --method=ptrace -p "$T_PID" \
		-m 0 "$T_RANGE"
	pm=$NK_BG_PID log=$NK_BG_LOG
	wait_traced "$T_PID"
	sleep 0.2
	kill -KILL "$T_PID"
	reap "$pm" 20
	[ "$REAP_RC" -eq 1 ] || { echo "status $REAP_RC:"; cat "$log"; false; }
	grep -Eiq "^pmbind: .*($T_PID|exit|gone|died|vanish)" "$log" || { cat "$log"; false; }
	reap "$T_PID"
	[ "$REAP_RC" -eq $((128 + 9)) ]
}

# ---------------------------------------------------------------------------
# mbind failing inside the target

@test "mbind fails inside the target ([vsyscall]: EFAULT): that range fails, the target is fine" {
	start_target regs
	vsys=$(awk '$NF == "[vsyscall]" { print $1 }' "/proc/$T_PID/maps")
	[ -n "$vsys" ] || skip "no [vsyscall] here"
	range=0x${vsys/-/-0x}
	run --separate-stderr "$PMBIND" --method=ptrace -p "$T_PID" -m 0 "$range"
	expect_status 1
	[[ ${lines[0]} == "$range failed: "*'Bad address' ]] || { echo "${lines[0]}"; false; }
	check_free
	# With a good range: status 3, the failed one named on stderr.
	run --separate-stderr "$PMBIND" --method=ptrace -p "$T_PID" -m 0 "$T_RANGE" "$range"
	expect_status 3
	expect_line "$T_RANGE ok"
	printf '%s\n' "${lines[@]}" | grep -qx -- "$range failed: .*Bad address"
	[[ $stderr == *"$range"* ]]
	[ "$(numa_policy "$T_PID" "$T_START")" = bind:0 ]
	check_free
	stop_target_clean
}

@test "mbind fails inside the target (MPOL_F_SPM_NODE, unknown here: EINVAL)" {
	start_target regs
	run --separate-stderr "$PMBIND" --method=ptrace -p "$T_PID" --static --spm -m 0 "$T_RANGE"
	# 4: the flag is one this kernel does not support.
	((status == 1 || status == 4)) || expect_status 1
	[[ ${lines[0]} == "$T_RANGE failed: "*'Invalid argument' ]] ||
		{ echo "${lines[0]}"; false; }
	[ "$(numa_policy "$T_PID" "$T_START")" = default ]
	check_free
	stop_target_clean
}

@test "mbind fails inside the target (--move-all, the target lacks CAP_SYS_NICE: EPERM)" {
	make_nobody_dir
	T_PREFIX=("${AS_NOBODY[@]}") T_DIR=$NOBODY_DIR/out T_BIN=$NOBODY_DIR/nk-safety
	start_target regs
	[ "$(proc_field "$T_PID" Uid)" = 65534 ]
	run --separate-stderr "$PMBIND" --method=ptrace -p "$T_PID" -m 0 --move-all "$T_RANGE"
	expect_status 1
	[[ ${lines[0]} == "$T_RANGE failed: "* ]]
	[[ "$output$stderr" == *'Operation not permitted'* || "$output$stderr" == *CAP_SYS_NICE* ]]
	[ "$(numa_policy "$T_PID" "$T_START")" = default ]
	check_free
	# Without --move-all the same target is bound.
	run --separate-stderr "$PMBIND" --method=ptrace -p "$T_PID" -m 0 "$T_RANGE"
	expect_status 0
	[ "$(numa_policy "$T_PID" "$T_START")" = bind:0 ]
	stop_target_clean
}

# ---------------------------------------------------------------------------
# Targets ptrace must not touch, and permissions

@test "seccomp filter that denies mbind: ptrace refused in one line; auto migrates (-v says why)" {
	start_target regs --seccomp=deny-mbind
	[ "$(proc_field "$T_PID" Seccomp)" = 2 ]
	run --separate-stderr "$PMBIND" --method=ptrace -p "$T_PID" -m 0 "$T_RANGE"
	[ "$status" -ne 0 ] || { echo "status 0: $output"; false; }
	[ "${#stderr_lines[@]}" -eq 1 ] || { echo "$stderr"; false; }
	[[ $stderr == pmbind:*seccomp* ]]
	expect_range_lines
	check_free
	[ "$(numa_policy "$T_PID" "$T_START")" = default ]
	run --separate-stderr "$PMBIND" -v -p "$T_PID" -m 0 "$T_RANGE"
	expect_status 0
	printf '%s\n' "${stderr_lines[@]}" | grep -Fx "pmbind: pid $T_PID: method migrate"
	printf '%s\n' "${stderr_lines[@]}" | grep -v 'method migrate' | grep -q seccomp ||
		{ echo "-v does not say why: $stderr"; false; }
	[[ ${lines[0]} == "$T_RANGE ok "*moved=* ]]
	[ "$(numa_policy "$T_PID" "$T_START")" = default ]
	check_free
	stop_target_clean
}

@test "seccomp filter that kills on mbind: ptrace refused, the target lives" {
	start_target regs --seccomp=kill-mbind
	run --separate-stderr "$PMBIND" --method=ptrace -p "$T_PID" -m 0 "$T_RANGE"
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ] || { echo "$stderr"; false; }
	[[ $stderr == pmbind:*seccomp* ]]
	expect_range_lines
	sleep 0.2
	check_free
	stop_target_clean
}

@test "seccomp filter that allows mbind, readable by root: ptrace goes ahead" {
	requires root
	start_target regs --seccomp=allow-mbind
	[ "$(proc_field "$T_PID" Seccomp)" = 2 ]
	run --separate-stderr "$PMBIND" --method=ptrace -p "$T_PID" -m 0 "$T_RANGE"
	expect_status 0
	[ "$(numa_policy "$T_PID" "$T_START")" = bind:0 ]
	check_free
	stop_target_clean
}

@test "a job-control-stopped target: ptrace refused, the target stays stopped and untraced" {
	start_target regs
	kill -STOP "$T_PID"
	for ((try = 0; try < 100; try++)); do
		[ "$(proc_field "$T_PID" State)" = T ] && break
		sleep 0.02
	done
	[ "$(proc_field "$T_PID" State)" = T ]
	run --separate-stderr "$PMBIND" --method=ptrace -p "$T_PID" -m 0 "$T_RANGE"
	[ "$status" -ne 0 ] || { echo "status 0: $output"; false; }
	[[ $stderr == pmbind:* ]]
	expect_range_lines
	[ "$(proc_field "$T_PID" State)" = T ]
	[ "$(proc_field "$T_PID" TracerPid)" = 0 ]
	[ "$(numa_policy "$T_PID" "$T_START")" = default ]
	kill -CONT "$T_PID"
	sleep 0.2
	check_free
	stop_target_clean
}

@test "as nobody, against root's target: a hint naming the capability, non-zero exit" {
	make_nobody_dir
	start_target regs
	for m in ptrace auto; do
		run --separate-stderr "${AS_NOBODY[@]}" "$NOBODY_DIR/pmbind" --method=$m \
			-p "$T_PID" -m 0 "$T_RANGE"
		[ "$status" -ne 0 ] || { echo "--method=$m: status 0"; false; }
		[[ ${stderr_lines[0]} == pmbind:* ]]
		[[ $stderr == *CAP_SYS_PTRACE* || $stderr == *CAP_SYS_NICE* ]] ||
			{ echo "--method=$m: no hint: $stderr"; false; }
		check_free
		[ "$(numa_policy "$T_PID" "$T_START")" = default ]
	done
	run --separate-stderr "${AS_NOBODY[@]}" "$NOBODY_DIR/pmbind" --method=ptrace -p "$T_PID" \
		-m 0 "$T_RANGE"
	[[ $stderr == *CAP_SYS_PTRACE* ]] || { echo "ptrace without its hint: $stderr"; false; }
	stop_target_clean
}

# ---------------------------------------------------------------------------
# Bad input

@test "bad ranges: exit 2 before anything is done" {
	start_target nanosleep
	s=$((16#$T_START))
	numa_table "$T_PID" >"$NK_TMP/before"
	run --separate-stderr "$PMBIND" -p "$T_PID" -m 0 "$T_RANGE" 0x1001-0x2000
	expect_status 2
	[ -z "$output" ]
	[[ $stderr =~ pmbind:\ range\ \'?0x1001-0x2000\'?:\ start\ is\ not\ page-aligned ]]
	# The last: END rounded up to a page would wrap past 2^64 (to 0).
	for bad in 0x2000-0x1000 0x2000-0x2000 "0x$(hex $((s + PAGE)))-0x$(hex "$s")" \
		"0x$T_START-0xfffffffffffff001"; do
		run --separate-stderr "$PMBIND" -p "$T_PID" -m 0 "$T_RANGE" "$bad"
		expect_status 2 || { echo "for $bad"; false; }
		[ -z "$output" ]
		[[ ${stderr_lines[0]} == pmbind:*"${bad%%-*}"* ]] ||
			{ echo "$bad: $stderr"; false; }
	done
	# Overlapping, once END is rounded up to a page.
	for pair in "0x$T_START+8K 0x$(hex $((s + PAGE)))+8K" \
		"0x$T_START-0x$(hex $((s + PAGE + 1))) 0x$(hex $((s + PAGE)))+4K" \
		"$T_RANGE 0x$(hex $((s + 2 * MIB)))+4K"; do
		read -ra args <<<"$pair"
		run --separate-stderr "$PMBIND" -p "$T_PID" -m 0 "${args[@]}"
		expect_status 2 || { echo "for $pair"; false; }
		[ -z "$output" ]
		[[ $stderr == pmbind:* ]]
	done
	# Not ranges at all.
	for bad in xyz 0x1000 0x1000- -0x1000 0x1000+ 0x1000+4Q 0x1000-0x2000junk; do
		run --separate-stderr "$PMBIND" -p "$T_PID" -m 0 -- "$bad"
		expect_status 2 || { echo "for '$bad'"; false; }
		[[ $stderr == *"$bad"* ]] || { echo "'$bad' not named: $stderr"; false; }
	done
	check_only "$T_PID" "$NK_TMP/before"
	check_free
	stop_target_clean
}

@test "a range not mapped fails by itself: exit 1 alone, 3 with a good one" {
	start_target nanosleep
	hole=$(hex $((16#$T_END + PAGE)))
	if grep -q "^$hole-" "/proc/$T_PID/maps"; then
		echo "the hole above the region is mapped"
		false
	fi
	run --separate-stderr "$PMBIND" --method=ptrace -p "$T_PID" -m 0 "0x$hole+4K"
	expect_status 1
	[[ "$output$stderr" == *"not mapped in pid $T_PID"* ]]
	# Partly mapped: the region, its guard page and the hole.
	partly="0x$T_START-0x$(hex $((16#$hole + PAGE)))"
	run --separate-stderr "$PMBIND" --method=ptrace -p "$T_PID" -m 0 "$partly"
	expect_status 1
	[[ "$output$stderr" == *"not mapped in pid $T_PID"* ]]
	[ "$(numa_policy "$T_PID" "$T_START")" = default ]
	run --separate-stderr "$PMBIND" --method=ptrace -p "$T_PID" -m 0 "$T_RANGE" "0x$hole+4K"
	expect_status 3
	expect_line "$T_RANGE ok"
	[[ $stderr == *"0x$hole"* ]]
	[ "$(numa_policy "$T_PID" "$T_START")" = bind:0 ]
	stop_target_clean
}

@test "policies: none, two, a node not online: exit 2" {
	start_target nanosleep
	run --separate-stderr "$PMBIND" -p "$T_PID" "$T_RANGE"
	expect_status 2
	[[ $stderr == pmbind:* ]]
	for two in "-m 0 -i 0" "-l --default" "--preferred 0 -P 0" "-w 0 -m 0"; do
		read -ra args <<<"$two"
		run --separate-stderr "$PMBIND" -p "$T_PID" "${args[@]}" "$T_RANGE"
		expect_status 2 || { echo "for $two"; false; }
		[ -z "$output" ]
	done
	if [[ ! -e /sys/devices/system/node/node1 ]]; then
		for opt in "-m 1" "-i 0,1" "--preferred 1" "-P 1"; do
			read -ra args <<<"$opt"
			run --separate-stderr "$PMBIND" -p "$T_PID" "${args[@]}" "$T_RANGE"
			expect_status 2 || { echo "for $opt"; false; }
			[[ $stderr == pmbind:*1* ]] || { echo "$opt: $stderr"; false; }
		done
	fi
	[ "$(numa_policy "$T_PID" "$T_START")" = default ]
	stop_target_clean
}

@test "no ranges at all: exit 2" {
	start_target nanosleep
	run --separate-stderr "$PMBIND" -p "$T_PID" -m 0
	expect_status 2
	[ -z "$output" ]
	[[ $stderr == pmbind:* ]]
	run --separate-stderr "$PMBIND" -m 0 "$T_RANGE"
	expect_status 2
	stop_target_clean
}

@test "pids: garbage (2), vanished (1), a kernel thread (1), a zombie (1)" {
	for pid in abc 12x -5 '' 0x10 99999999999999999999; do
		run --separate-stderr "$PMBIND" -p "$pid" -m 0 0x1000-0x2000
		expect_status 2 || { echo "pid '$pid'"; false; }
		[ -z "$output" ]
		[ "${stderr_lines[0]}" = "pmbind: invalid pid '$pid'" ] ||
			{ echo "pid '$pid': $stderr"; false; }
	done
	true &
	gone=$!
	wait "$gone"
	run --separate-stderr "$PMBIND" -p "$gone" -m 0 0x1000-0x2000
	expect_status 1
	[ "$stderr" = "pmbind: cannot open pid $gone: No such process" ]
	run --separate-stderr "$PMBIND" -p "$NO_PID" -m 0 0x1000-0x2000
	expect_status 1
	[ "$stderr" = "pmbind: cannot open pid $NO_PID: No such process" ]
	if [[ $(cat /proc/2/comm 2>/dev/null) == kthreadd ]]; then
		run --separate-stderr "$PMBIND" -p 2 -m 0 0x1000-0x2000
		expect_status 1
		[ "$stderr" = "pmbind: pid 2 is a kernel thread: it has no address space" ]
	fi
	requires binary tests/workload/nk-workload
	start_bg "$NK_BUILD/tests/workload/nk-workload" --ppid-watch --zombie "$NK_TMP/zombie" \
		--ready "$NK_TMP/wl.ready"
	wait_for_file "$NK_TMP/wl.ready"
	z=$(cat "$NK_TMP/zombie")
	[ "$(proc_field "$z" State)" = Z ]
	run --separate-stderr "$PMBIND" -p "$z" -m 0 0x1000-0x2000
	expect_status 1
	[[ $stderr == "pmbind: "*"$z"*zombie* ]]
}

@test "bad --method and --syscall-nr values: exit 2 naming the value" {
	start_target nanosleep
	for args in "--method=frob" "--method=" "--syscall-nr=abc" "--syscall-nr=-1" \
		"--syscall-nr=12x" "--syscall-nr="; do
		value=${args#*=}
		run --separate-stderr "$PMBIND" "$args" -p "$T_PID" -m 0 "$T_RANGE"
		expect_status 2 || { echo "for $args"; false; }
		[ -z "$output" ]
		[[ ${stderr_lines[0]} == pmbind:*"'$value'"* ]] || { echo "$args: $stderr"; false; }
	done
	run --separate-stderr env PMBIND_SYSCALL_NR=abc "$PMBIND" -p "$T_PID" -m 0 "$T_RANGE"
	expect_status 2
	[[ $stderr == pmbind:*abc* ]]
	[ "$(numa_policy "$T_PID" "$T_START")" = default ]
	stop_target_clean
}

@test "--ranges-from: a missing file, and a bad line named FILE:LINE" {
	start_target nanosleep
	run --separate-stderr "$PMBIND" -p "$T_PID" -m 0 --ranges-from "$NK_TMP/none"
	expect_status 2
	[[ $stderr == pmbind:*"$NK_TMP/none"*'No such file or directory'* ]]
	printf '# ranges\n%s\n\nbogus line\n' "$T_RANGE" >"$NK_TMP/bad.ranges"
	run --separate-stderr "$PMBIND" -p "$T_PID" -m 0 --ranges-from "$NK_TMP/bad.ranges"
	expect_status 2
	[[ $stderr == pmbind:*"$NK_TMP/bad.ranges:4"* ]]
	# Nothing done, not even the good line.
	[ "$(numa_policy "$T_PID" "$T_START")" = default ]
	stop_target_clean
}
