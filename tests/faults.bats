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

# ---------------------------------------------------------------------------
# The target dies in the middle (NUMAKIT_TEST_KILL_AT, numakit(7))

# Run the tool with the target killed at POINT; ARGS follow.  Bounded.
kill_at() {
	local point=$1

	shift
	NUMAKIT_TEST_KILL_AT=$point timeout 60 "$@"
}

# After `run --separate-stderr`: status $1, stdout empty, stderr matching ERE $2.
dies_cleanly() {
	if ((status == $1)) && [[ -z $output && $stderr =~ $2 ]] && ! [[ $stderr =~ Sanitizer|runtime\ error ]]; then
		return 0
	fi
	printf 'want status %s, no stdout, stderr =~ %s; got %s\n--- stdout:\n%s\n--- stderr:\n%s\n' \
		"$1" "$2" "$status" "${output:0:500}" "$stderr"
	return 1
}

@test "mapsdump: the target dies after open, mid-walk (ioctl, text) or before the numa_maps join" {
	requires binary mapsdump
	local point method

	for point in mapsdump-open vma-ioctl-next:100 read-chunk:2 mapsdump-numa; do
		for method in ioctl text; do
			[[ $point == vma-* && $method == text ]] && continue
			[[ $method == ioctl ]] && requires procmap_query
			start_workload --many 3000
			run --separate-stderr kill_at "$point" "$NK_BUILD/mapsdump" --method="$method" \
				--numa "$WL_PID"
			echo "# $point $method" >&3
			dies_cleanly 1 "^mapsdump: (pid $WL_PID exited while its (maps|numa_maps) was read|pid $WL_PID is a zombie|cannot read maps of pid $WL_PID: No such process)"
			! nk_alive "$WL_PID" || { echo "the target still runs: the hook missed $point"; false; }
			stop_bg_all
		done
	done
}

@test "mapsdump: one of two targets dies: the other is printed, exit 3" {
	requires binary mapsdump
	local other

	start_workload --heap
	other=$WL_PID
	start_workload --heap
	run --separate-stderr env NUMAKIT_TEST_KILL_AT=mapsdump-numa:2 timeout 60 \
		"$NK_BUILD/mapsdump" --numa "$other" "$WL_PID"
	((status == 3)) || { echo "status $status: $stderr"; false; }
	[[ $stderr == "mapsdump: pid $WL_PID exited while its numa_maps was read" ]]
	[[ $output == *"[heap]"* ]]
}

# Run pmbind with the workload killed at POINT: pmbind ARGS... LAZY-RANGE.
pmbind_kill_at() {
	local point=$1

	shift
	NUMAKIT_TEST_KILL_AT=$point timeout 60 "$NK_BUILD/pmbind" -p "$WL_PID" -m 0 "$@" \
		"$(<"$NK_TMP/lazy")"
}

@test "pmbind: the target dies after seize, after the injected mbind, between ranges, between move_pages batches" {
	requires binary pmbind
	requires root
	local spec point method want extra

	# point method status [extra options]
	for spec in "inject-seized ptrace 1" "inject-returned ptrace 1" "inject-returned auto 1" \
		"pmbind-range:2 ptrace 3 --vma [heap]" "pmbind-range:2 migrate 3 --vma [heap]" \
		"migrate-batch:2 migrate 1"; do
		read -r point method want extra <<<"$spec"
		start_workload --lazy "$NK_TMP/lazy" --heap --touch
		# shellcheck disable=SC2086 # extra is a word list
		run --separate-stderr pmbind_kill_at "$point" --method="$method" $extra
		echo "# $spec" >&3
		if ((status != want)) || ! [[ $stderr =~ (^|$'\n')"pmbind: pid $WL_PID exited"$ ]] ||
			[[ $stderr =~ Sanitizer|runtime\ error|Invalid\ argument ]] ||
			! [[ $output =~ "failed: pid $WL_PID exited" ]]; then
			printf '%s: status %s (want %s)\n--- stdout:\n%s\n--- stderr:\n%s\n' "$spec" \
				"$status" "$want" "$output" "$stderr"
			false
		fi
		! nk_alive "$WL_PID" || { echo "$spec: the target still runs"; false; }
		stop_bg_all
	done
}

@test "cpumm: the target dies between samples, between watch reads, mid -a scan, under -- CMD" {
	requires binary cpumm

	start_workload --threads 2
	run --separate-stderr kill_at cpumm-sample "$NK_BUILD/cpumm" -i 200ms "$WL_PID"
	dies_cleanly 1 "^cpumm: pid $WL_PID exited while being sampled$"
	stop_bg_all

	# A watch ends when its process does: the summary says so, status 0.
	start_workload --threads 2
	run --separate-stderr kill_at cpumm-watch:3 "$NK_BUILD/cpumm" -w -i 20ms "$WL_PID"
	((status == 0)) && [[ -z $stderr && ${lines[-1]} =~ ^pid\ $WL_PID:\ .*\ over\ 3\ reads.*ended:\ exited$ ]] ||
		{ echo "status $status: $output / $stderr"; false; }
	stop_bg_all

	# -a: a process that dies mid-scan is dropped, the others are listed.
	start_workload --threads 2
	run --separate-stderr env NUMAKIT_TEST_KILL_PID="$WL_PID" NUMAKIT_TEST_KILL_AT=cpumm-scan:3 \
		timeout 60 "$NK_BUILD/cpumm" -a -i 100ms
	((status == 0)) && [[ -z $stderr && ${#lines[@]} -gt 2 ]] || { echo "status $status: $stderr"; false; }
	! grep -Eq "^ *$WL_PID " <<<"$output"
	! nk_alive "$WL_PID" || { echo "the hook did not kill $WL_PID"; false; }
	stop_bg_all

	# -- CMD: the command's status (128+9), its footprint until then.
	run --separate-stderr kill_at cpumm-sample:2 "$NK_BUILD/cpumm" -i 200ms -- sleep 10
	((status == 137)) && [[ ${lines[1]} =~ ^\ *[0-9]+\ sleep\  ]] || { echo "status $status: $output / $stderr"; false; }
}

@test "spmctl who: a process that dies mid-scan is left out, the audit goes on" {
	requires binary spmctl

	start_workload --heap --touch
	run --separate-stderr env NUMAKIT_TEST_KILL_PID="$WL_PID" NUMAKIT_TEST_KILL_AT=spmctl-who:3 \
		timeout 60 "$NK_BUILD/spmctl" who 0
	((status == 0)) && [[ ${lines[0]} =~ ^\ *PID\ COMM ]] || { echo "status $status: $stderr"; false; }
	! grep -Eq "^ *$WL_PID " <<<"$output"
	[[ ! $stderr =~ Sanitizer|runtime\ error ]]
	! nk_alive "$WL_PID" || { echo "the hook did not kill $WL_PID"; false; }
}

# ---------------------------------------------------------------------------
# Damaged /proc and /sys files under --sysroot

# Copy fixture $1 to $NK_TMP/root and damage file $2 of it as $3 says: half
# (cut in the middle of a line), empty, or garbage.
damaged_copy() {
	local f=$NK_TMP/root/$2 size

	rm -rf "$NK_TMP/root"
	cp -R "$FIX/$1" "$NK_TMP/root"
	case $3 in
	half)
		size=$(stat -c %s "$f")
		truncate -s $((size / 2)) "$f"
		# Cut in a line, not after one: a cut at a line's end looks whole.
		[[ $(tail -c 1 "$f" | od -An -c) != *'\n'* ]] || truncate -s $((size / 2 - 1)) "$f"
		;;
	empty) : >"$f" ;;
	garbage) printf '\xff\x01zz%%s\n-1 99999999999999999999999 :::: (((\n' >"$f" ;;
	esac
}

# Run "TOOL ARGS..." on every damage of every file of fixture FX that the
# test names; a bad run is noted in `bad`.  A run must end (no timeout),
# without a sanitizer report, and either succeed quietly with output or fail
# with a status of 1-4, a message "TOOL: ..." and (unless -J) no stdout.
damage_each() {
	local fx=$1 files=$2 tool=$3 f mode

	shift 3
	for f in $files; do
		for mode in half empty garbage; do
			damaged_copy "$fx" "$f" "$mode"
			run --separate-stderr timeout 30 "$NK_BUILD/$tool" --sysroot "$NK_TMP/root" "$@"
			if [[ $stderr =~ Sanitizer|runtime\ error ]] || ((status > 4)); then
				bad+=("$tool $* ($f $mode): status $status: ${stderr:0:300}")
			elif ((status != 0)) && ! [[ $stderr =~ ^$tool:\  ]]; then
				bad+=("$tool $* ($f $mode): status $status without a message")
			elif ((status == 1 || status == 2)) && [[ -n $output && $* != *-J* ]]; then
				bad+=("$tool $* ($f $mode): status $status after a table: '${output:0:200}'")
			fi
			printf '%s\n' "$status $mode $f" >>"$NK_TMP/seen"
		done
	done
}

verdict_bad() {
	((${#bad[@]} == 0)) && return 0
	printf '%s\n' "${bad[@]}"
	return 1
}

@test "sysroot: damaged maps, numa_maps, stat, comm: mapsdump and pmbind --show fail cleanly" {
	local files="proc/4242/maps proc/4242/numa_maps proc/4242/stat proc/4242/comm" bad=()

	damage_each maps-basic "$files" mapsdump 4242
	damage_each maps-basic "$files" mapsdump --numa 4242
	damage_each maps-basic "$files" mapsdump -J --numa 4242
	damage_each maps-basic "$files" pmbind --show -p 4242
	verdict_bad
	# A maps or numa_maps cut in a line is an error, never a shorter table.
	for f in maps numa_maps; do
		damaged_copy maps-basic "proc/4242/$f" half
		run --separate-stderr "$NK_BUILD/mapsdump" --numa --sysroot "$NK_TMP/root" 4242
		[[ $status == 1 && -z $output && $stderr == "mapsdump: cannot read $f of pid 4242: Invalid argument" ]] ||
			{ echo "$f cut: status $status: $stderr"; false; }
	done
}

@test "sysroot: damaged status and stat files: cpumm fails that pid, lists the others" {
	requires binary cpumm
	local fx=cpumm/cpus64 bad=() files

	files=$(cd "$FIX/$fx" && find proc sys -type f | sort)
	damage_each "$fx" "$files" cpumm 200 201 202
	damage_each "$fx" "$files" cpumm -a
	verdict_bad
	damaged_copy "$fx" proc/201/status garbage
	run --separate-stderr "$NK_BUILD/cpumm" --sysroot "$NK_TMP/root" 200 201 202
	[[ $status == 3 && $stderr =~ ^cpumm:\ pid\ 201:\  ]] || { echo "status $status: $stderr"; false; }
	[[ $output == *" 200 "* && $output == *" 202 "* && $output != *" 201 "* ]]
}

@test "sysroot: damaged node, tier, HMAT, memory block, dax and iomem files: spmctl fails cleanly" {
	requires binary spmctl
	local fx=spm/vm-3node bad=() files

	files=$(cd "$FIX/$fx" && find proc sys -type f | sort)
	damage_each "$fx" "$files" spmctl list
	damage_each "$fx" "$files" spmctl show 2
	damage_each "$fx" "$files" spmctl list -J
	verdict_bad
	# A node's size or a node list that cannot be read is an error, not a 0 or a guess.
	for f in node/node1/meminfo node/has_memory node/online; do
		damaged_copy "$fx" "sys/devices/system/$f" garbage
		run --separate-stderr "$NK_BUILD/spmctl" --sysroot "$NK_TMP/root" list
		[[ $status == 1 && -z $output && $stderr == "spmctl: cannot parse '$NK_TMP/root/sys/devices/system/$f': not in the kernel's format" ]] ||
			{ echo "$f: status $status: $output / $stderr"; false; }
	done
}

@test "sysroot: damaged DAMON files: damonctl status fails cleanly" {
	requires binary damonctl
	local fx=damon/newest bad=() files

	files=$(cd "$FIX/$fx" && find sys -type f | sort)
	damage_each "$fx" "$files" damonctl status
	damage_each "$fx" "$files" damonctl status -J
	verdict_bad
}

# ---------------------------------------------------------------------------
# Interrupted system calls

# Run CMD... under strace with the calls of open, read, write, ioctl, sleep,
# poll, wait and getdents64 that strace's inject "when=$1" picks (every
# second from the Nth: the dynamic loader's own come first) failing with
# EINTR, as a handled signal would make them fail.
eintr_run() {
	local sc=read,write,openat,ioctl,nanosleep,clock_nanosleep,poll,ppoll,wait4,waitid,pread64,getdents64

	# LeakSanitizer cannot work under ptrace.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" timeout 120 strace -f -qq \
		-o "$NK_TMP/strace" -e trace=$sc -e inject=$sc:error=EINTR:when="$1" "${@:2}"
}

@test "EINTR on every other syscall: the same output and status, for every tool" {
	requires command strace
	local cmd when bad=() want have injected

	start_workload --heap --touch
	for cmd in "mapsdump $WL_PID" "mapsdump --method=text --numa $WL_PID" "mapsdump -J --numa $WL_PID" \
		"pmbind --show -p $WL_PID" "cpumm -i 100ms $WL_PID" \
		"spmctl --sysroot $SPM3 list" "spmctl --sysroot $SPM3 show 2" \
		"damonctl --sysroot $DAMON status -J" "pmbind --method=ptrace -p $WL_PID -m 0 --vma [heap]" \
		"pmbind --method=migrate -p $WL_PID -m 0 --vma [heap]"; do
		[[ -x $NK_BUILD/${cmd%% *} ]] || continue
		# shellcheck disable=SC2086 # cmd is a word list
		want=$("$NK_BUILD"/$cmd 2>&1) || want="status $? $want"
		injected=0
		for when in 8+2 20+2 21+2 25+3; do
			# libnuma reads the nodes in its constructor, without retrying EINTR
			# (it then sees no node): not ours to fix, skipped for node lists.
			[[ $when == 8+2 && $cmd == *" -m "* ]] && continue
			# shellcheck disable=SC2086
			have=$(eintr_run "$when" "$NK_BUILD"/$cmd 2>&1) || have="status $? $have"
			# The dynamic loader's reads come first and do not retry: not ours.
			[[ $have == *"error while loading shared libraries"* ]] && continue
			# A short run may make few calls of each: one phase must inject.
			grep -q INJECTED "$NK_TMP/strace" && injected=1
			[[ $have == "$want" ]] || bad+=("$cmd ($when): got '${have:0:300}', want '${want:0:300}'")
		done
		((injected)) || bad+=("$cmd: nothing was injected")
	done
	((${#bad[@]} == 0)) || { printf '%s\n' "${bad[@]}"; false; }
}

@test "EINTR: cpumm --watch and -- CMD keep their counts and the command's status" {
	requires command strace
	requires binary cpumm

	start_workload
	run --separate-stderr eintr_run 20+2 "$NK_BUILD/cpumm" -w -c 5 -i 20ms "$WL_PID"
	((status == 0)) && [[ ${lines[-1]} == *" over 5 reads;"* ]] || { echo "$status: $output $stderr"; false; }
	run --separate-stderr eintr_run 20+2 "$NK_BUILD/cpumm" -i 20ms -- sh -c 'sleep 0.3; exit 7'
	((status == 7)) && [[ ${lines[1]} =~ ^\ *[0-9]+\ sh\  ]] || { echo "$status: $output $stderr"; false; }
}

@test "signals: a tool stopped and continued, and showered with SIGWINCH, gives the same result" {
	requires binary cpumm
	local pid i

	start_workload
	"$NK_BUILD/cpumm" -w -c 20 -i 50ms "$WL_PID" >"$NK_TMP/watch" 2>&1 3>&- &
	pid=$!
	NK_BG_PIDS+=("$pid")
	for ((i = 0; i < 40; i++)); do
		kill -WINCH "$pid" 2>/dev/null || break
		((i % 10 == 5)) && kill -STOP "$pid" && sleep 0.05 && kill -CONT "$pid"
		sleep 0.02
	done
	wait "$pid"
	grep -q " over 20 reads;" "$NK_TMP/watch" || { cat "$NK_TMP/watch"; false; }
}
