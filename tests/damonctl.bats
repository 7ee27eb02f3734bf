#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# damonctl on the host lane, on DAMON sysfs trees only.  This machine runs a
# kdamond of its own: every damonctl here gets --sysroot with a copy of a
# fixture of tests/fixtures/damon in this test's BATS_TEST_TMPDIR, and what
# damonctl writes goes through tests/shim/fakedamon.so, which makes the copy
# behave as the kernel's /sys/kernel/mm/damon/admin does and logs every write
# (FAKEDAMON_LOG).  That log, and `diff -r` of the copy against a pristine
# one, are the reference for what damonctl wrote.  The trees:
#   captured/6.12-*    real Linux 6.12 trees (running kdamonds of another tool)
#   host-6.18          this machine's tree: one foreign kdamond, running
#   newest, rfc-sample every file of the current ABI (and of the sample RFC)
#   5.18-min           the first ABI, no kdamond
#   template-*         what fakedamon creates directories from
# and recordings/*.jsonl for `report`.  jq 1.6 reads numbers as doubles:
# values above 2^53 (sz max) are compared as text, never through jq.

bats_require_minimum_version 1.5.0
load helpers

FIXTURES=$BATS_TEST_DIRNAME/fixtures/damon
ADMIN_PATH=sys/kernel/mm/damon/admin
SYS_ADMIN=/sys/kernel/mm/damon/admin
K0=kdamonds/0
C0=$K0/contexts/0
S0=$C0/schemes/0
S1=$C0/schemes/1
U64_MAX=18446744073709551615
U32_MAX=4294967295

setup() {
	requires binary damonctl
	requires binary tests/shim/fakedamon.so
	requires command jq
	DC=$NK_BUILD/damonctl
	SHIM=$NK_BUILD/tests/shim/fakedamon.so
	ROOT=$NK_TMP/root
	ADMIN=$ROOT/$ADMIN_PATH
	PRISTINE=$NK_TMP/pristine
	LOG=$NK_TMP/fakedamon.log
	TMPL=
	# More FAKEDAMON_* settings for the next dcs, as VAR=VALUE words.
	SHIM_ENV=(FAKEDAMON_PID=4242)
	unset LD_PRELOAD FAKEDAMON_ROOT FAKEDAMON_TEMPLATE FAKEDAMON_LOG FAKEDAMON_FAIL \
		FAKEDAMON_PID FAKEDAMON_TRIED
}

# ---------------------------------------------------------------------------
# Helpers

# Work on a copy of fixture NAME in ROOT, with fixture TEMPLATE as the shim's
# template; PRISTINE is a second copy, to diff against.
use_fixture() {
	rm -rf "$ROOT" "$PRISTINE" "$LOG"
	mkdir -p "$ROOT"
	cp -R "$FIXTURES/$1/." "$ROOT/"
	cp -R "$ROOT" "$PRISTINE"
	FX=$FIXTURES/$1/$ADMIN_PATH
	TMPL=${2:+$FIXTURES/$2/$ADMIN_PATH}
}

# Take the copy as it is now as the pristine one, and forget the log.
mark_pristine() {
	rm -rf "$PRISTINE" "$LOG"
	cp -R "$ROOT" "$PRISTINE"
}

# damonctl on the copy, without the shim: for what only reads.
dc() {
	[[ -d $ROOT/sys ]] || { echo "dc: no fixture copy in $ROOT" >&2; return 99; }
	"$DC" --sysroot "$ROOT" "$@"
}

# damonctl on the copy, with the shim.
dcs() {
	[[ -d $ROOT/sys ]] || { echo "dcs: no fixture copy in $ROOT" >&2; return 99; }
	# The shim is not built with the sanitizers: ASan must not insist on coming first.
	env LD_PRELOAD="$SHIM" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		FAKEDAMON_ROOT="$ROOT" FAKEDAMON_TEMPLATE="$TMPL" FAKEDAMON_LOG="$LOG" \
		${SHIM_ENV[@]+"${SHIM_ENV[@]}"} "$DC" --sysroot "$ROOT" "$@"
}

# Record kdamond K as started by damonctl, running as PID (default 4242)
# since START (field 22 of /proc/PID/stat; 0: unknown), as damonctl does.
own_kdamond() {
	local dir=$ROOT/run/numakit/damonctl

	mkdir -p "$dir"
	printf '{ "kdamond": %d, "pid": %d, "start_time": %d, "started_by": 1, %s }\n' \
		"$1" "${2:-4242}" "${3:-0}" '"what": "start"' >"$dir/kdamond-$1.json"
}

record_of() {
	printf '%s\n' "$ROOT/run/numakit/damonctl/kdamond-$1.json"
}

# After `run`: require status $1, else show what damonctl said.
expect_status() {
	((status == $1)) && return 0
	printf 'expected status %s, got %s\n--- stdout:\n%s\n--- stderr:\n%s\n' "$1" "$status" \
		"$output" "${stderr:-}"
	[[ -s $LOG ]] && printf -- '--- writes:\n%s\n' "$(<"$LOG")"
	return 1
}

# After `run`: require that stdout carries line $1.
expect_line() {
	printf '%s\n' "${lines[@]}" | grep -Fxq -- "$1" && return 0
	printf 'no line "%s" on stdout:\n%s\n--- stderr:\n%s\n' "$1" "$output" "${stderr:-}"
	return 1
}

# After `run --separate-stderr`: require that stderr says $1.
expect_err() {
	[[ ${stderr:-} == *"$1"* ]] && return 0
	printf 'stderr does not say "%s":\n%s\n' "$1" "${stderr:-}"
	return 1
}

# Pass if nothing was written through the shim.
no_writes() {
	[[ ! -s $LOG ]] && return 0
	echo "expected no write, got:"
	cat "$LOG"
	return 1
}

# Pass if the log holds exactly the lines given, each "REL<TAB>VALUE<TAB>RESULT".
log_is() {
	printf '%s\n' "$@" >"$NK_TMP/want.log"
	[[ -e $LOG ]] || : >"$LOG"
	same_file "$NK_TMP/want.log" "$LOG"
}

# Pass if the log has line $1 (REL<TAB>VALUE<TAB>RESULT).
logged() {
	[[ -e $LOG ]] && grep -Fxq -- "$1" "$LOG" && return 0
	echo "no write '$1' in the log:"
	cat "$LOG" 2>/dev/null
	return 1
}

# Pass if the copy holds what the pristine copy holds (but run/, damonctl's
# own records and lock).
same_tree() {
	diff -r -x run "$PRISTINE" "$ROOT"
}

# What file admin/REL of the copy holds.
val() {
	printf '%s\n' "$(<"$ADMIN/$1")"
}

# Pass if admin/REL of the copy holds VALUE.
file_is() {
	local have

	have=$(<"$ADMIN/$1") || return 1
	[[ $have == "$2" ]] && return 0
	echo "$1 holds '$have', expected '$2'"
	return 1
}

# Pass if jq FILTER of $output prints what fixture file REL holds (FX is the
# fixture's admin directory); booleans compare as the kernel's Y/N.
json_is_file() {
	local want have

	want=$(<"$FX/$2") || return 1
	have=$(jq -r "$1"' | if type == "boolean" then (if . then "Y" else "N" end) else . end' \
		<<<"$output") || return 1
	[[ $have == "$want" ]] && return 0
	echo "$1 is '$have', but $2 holds '$want'"
	return 1
}

# Pass if jq FILTER of $output prints VALUE.
json_is() {
	local have

	have=$(jq -r "$1" <<<"$output") || return 1
	[[ $have == "$2" ]] && return 0
	echo "$1 is '$have', expected '$2'"
	return 1
}

# The tried_regions of captured/6.12-tried (12 regions, total_bytes), copied
# for FAKEDAMON_TRIED: TRIED is the copy.
use_tried() {
	TRIED=$NK_TMP/tried
	rm -rf "$TRIED"
	cp -R "$FIXTURES/captured/6.12-tried/$ADMIN_PATH/$S0/tried_regions" "$TRIED"
	SHIM_ENV+=(FAKEDAMON_TRIED="$TRIED")
}

# A copy of captured/6.12-running whose kdamond damonctl started: the record
# names its pid and the start time its /proc/515/stat shows.
use_owned_running() {
	use_fixture captured/6.12-running captured/6.12-template
	own_kdamond 0 515 "$(awk '{ print $22 }' "$ROOT/proc/515/stat")"
	mark_pristine
}

# The writes of `start --pid PID` of a stat scheme alone on an empty 6.12 tree:
# what capture-6.12.sh wrote to make 6.12-running, in the same order.
start_log_6_12() {
	local p=$S0/access_pattern

	printf '%s\n' \
		"kdamonds/nr_kdamonds	1	ok" \
		"$K0/contexts/nr_contexts	1	ok" \
		"$C0/operations	vaddr	ok" \
		"$C0/targets/nr_targets	1	ok" \
		"$C0/targets/0/pid_target	$1	ok" \
		"$C0/schemes/nr_schemes	1	ok" \
		"$S0/action	stat	ok" \
		"$p/sz/min	0	ok" \
		"$p/sz/max	$U64_MAX	ok" \
		"$p/nr_accesses/min	0	ok" \
		"$p/nr_accesses/max	$U32_MAX	ok" \
		"$p/age/min	0	ok" \
		"$p/age/max	$U32_MAX	ok" \
		"$K0/state	on	ok"
}

# ---------------------------------------------------------------------------
# status

@test "status: the captured 6.12 trees as text" {
	use_fixture captured/6.12-empty
	run --separate-stderr dc status
	expect_status 0
	[ "$output" = "no kdamond" ]

	for tree in 6.12-running 6.12-tried; do
		use_fixture captured/$tree
		run --separate-stderr dc status
		expect_status 0
		expect_line "kdamond 0: on, pid 515, not started by damonctl (stats as last refreshed)"
		expect_line "  context 0: vaddr, sample 5ms, aggr 100ms, update 60s, regions 10..1000"
		expect_line "    target 0: pid 464"
		expect_line "    scheme 0: stat sz 0B..max nr_accesses 0..max age 0..max"
		expect_line "      stats: tried 376 regions (11.3G), applied 0 regions (0B), quota exceeded 0 times"
		[ "${#lines[@]}" -eq 5 ]
	done
	# -b: sizes in bytes, as the stats files hold them.
	run --separate-stderr dc status -b
	expect_status 0
	expect_line "      stats: tried 376 regions (12152913920), applied 0 regions (0), quota exceeded 0 times"

	use_fixture captured/6.12-paddr-running
	run --separate-stderr dc status
	expect_status 0
	expect_line "kdamond 0: on, pid 1651, not started by damonctl (stats as last refreshed)"
	expect_line "  context 0: paddr, sample 5ms, aggr 100ms, update 60s, regions 10..1000"
	expect_line "    target 0: 0x100000-0x7ffe0000"
	expect_line "    scheme 0: stat sz 0B..max nr_accesses 0..max age 0..max"
	expect_line "      stats: tried 294 regions (58G), applied 0 regions (0B), quota exceeded 0 times"
}

@test "status -J: the captured 6.12 trees, values as the files hold them" {
	local c=.kdamonds[0].contexts[0] s=.kdamonds[0].contexts[0].schemes[0]

	use_fixture captured/6.12-empty
	run --separate-stderr dc status -J
	expect_status 0
	json_is '.kdamonds | length' 0

	for tree in 6.12-running 6.12-tried 6.12-paddr-running; do
		use_fixture captured/$tree
		run --separate-stderr dc status -J
		expect_status 0
		json_is '.kdamonds | length' 1
		json_is '.kdamonds[0].index' 0
		json_is '.kdamonds[0].owned' false
		json_is_file '.kdamonds[0].state' $K0/state
		json_is_file '.kdamonds[0].pid' $K0/pid
		json_is_file "$c.operations" $C0/operations
		json_is_file "$c.avail_operations" $C0/avail_operations
		for f in sample_us aggr_us update_us; do
			json_is_file "$c.monitoring_attrs.intervals.$f" \
				$C0/monitoring_attrs/intervals/$f
		done
		json_is_file "$c.monitoring_attrs.nr_regions.max" \
			$C0/monitoring_attrs/nr_regions/max
		json_is_file "$c.targets[0].pid_target" $C0/targets/0/pid_target
		json_is_file "$s.action" $S0/action
		json_is_file "$s.target_nid" $S0/target_nid
		json_is_file "$s.access_pattern.age.max" $S0/access_pattern/age/max
		for f in nr_tried sz_tried nr_applied sz_applied qt_exceeds; do
			json_is_file "$s.stats.$f" $S0/stats/$f
		done
		json_is_file "$s.tried_regions.total_bytes" $S0/tried_regions/total_bytes
		# Above 2^53: as text, not through jq.
		[[ $output == *"\"max\":$U64_MAX"* ]]
		# 6.12 has no file of later releases: no key for them.
		json_is '.kdamonds[0] | has("refresh_ms")' false
		json_is "$s"' | has("dests") or has("core_filters")' false
	done
	json_is_file "$c.targets[0].regions[0].start" $C0/targets/0/regions/0/start
	json_is_file "$c.targets[0].regions[0].end" $C0/targets/0/regions/0/end

	use_fixture captured/6.12-tried
	run --separate-stderr dc status -J
	expect_status 0
	json_is "$s.tried_regions.regions | length" 12
	for r in 0 7 11; do
		for f in start end nr_accesses age; do
			json_is_file "$s.tried_regions.regions[$r].$f" $S0/tried_regions/$r/$f
		done
	done
	use_fixture captured/6.12-running
	run --separate-stderr dc status -J
	json_is "$s.tried_regions.regions | length" 0
}

@test "status: host-6.18, newest and rfc-sample as text" {
	use_fixture host-6.18
	run --separate-stderr dc status
	expect_status 0
	expect_line "kdamond 0: on, pid 77, not started by damonctl (stats as last refreshed)"
	expect_line "  context 0: paddr, sample 500ms, aggr 5s, update 60s, regions 1024..8192"
	expect_line "    target 0: 0x100000000-0x1a0000000"
	expect_line "    scheme 0: pageout sz 0B..max nr_accesses 0..1 age 12..max"
	expect_line "      quotas: 800ms, 2G per 1s, weights sz 0 nr_accesses 0 age 1000, effective 0B"
	expect_line "      ops filters: reject anon; allow unmapped"

	for tree in newest rfc-sample; do
		use_fixture $tree
		run --separate-stderr dc status
		expect_status 0
		expect_line "kdamond 0: off, not started by damonctl"
		expect_line "  context 0: vaddr, sample 10ms, aggr 200ms, update 2s, regions 20..2000"
		expect_line "    target 0: pid 4343 0x1000-0x40000000"
		expect_line "    scheme 0: migrate_cold to node 1 sz 4K..max nr_accesses 0..2 age 50..max, every 1s"
		expect_line "      quotas: 20ms, 256M per 1s, weights sz 100 nr_accesses 200 age 700, effective 0B"
		expect_line "      goal 0: node_mem_used_bp target 9970 current 0"
		expect_line "      watermarks: free_mem_rate every 5s, high 500 mid 400 low 200"
		expect_line "      core filters: allow addr 0x1000-0x20000000"
		expect_line "      ops filters: reject anon"
		expect_line "      dests: node 1 weight 3"
	done
}

@test "status -J: host-6.18, newest and rfc-sample, values as the files hold them" {
	local s=.kdamonds[0].contexts[0].schemes[0] c=.kdamonds[0].contexts[0]

	use_fixture host-6.18
	run --separate-stderr dc status -J
	expect_status 0
	json_is '.kdamonds[0] | [.index, .owned] | @csv' '0,false'
	json_is_file '.kdamonds[0].pid' $K0/pid
	json_is_file "$c.avail_operations" $C0/avail_operations
	json_is_file "$c.monitoring_attrs.intervals.sample_us" \
		$C0/monitoring_attrs/intervals/sample_us
	json_is_file "$s.action" $S0/action
	json_is_file "$s.quotas.ms" $S0/quotas/ms
	json_is_file "$s.quotas.bytes" $S0/quotas/bytes
	json_is_file "$s.quotas.weights.age_permil" $S0/quotas/weights/age_permil
	json_is "$s.ops_filters | map(.type) | join(\",\")" anon,unmapped
	json_is_file "$s.ops_filters[1].allow" $S0/ops_filters/1/allow
	json_is_file "$s.stats.sz_ops_filter_passed" $S0/stats/sz_ops_filter_passed

	for tree in newest rfc-sample; do
		use_fixture $tree
		run --separate-stderr dc status -J
		expect_status 0
		json_is '.kdamonds[0] | [.index, .owned, .state] | @csv' '0,false,"off"'
		json_is_file '.kdamonds[0].refresh_ms' $K0/refresh_ms
		json_is_file "$c.addr_unit" $C0/addr_unit
		json_is_file "$c.pause" $C0/pause
		json_is_file "$c.monitoring_attrs.intervals.intervals_goal.access_bp" \
			$C0/monitoring_attrs/intervals/intervals_goal/access_bp
		json_is_file "$c.monitoring_attrs.probes[0].weight" \
			$C0/monitoring_attrs/probes/0/weight
		json_is_file "$c.monitoring_attrs.probes[0].filters[0].path" \
			$C0/monitoring_attrs/probes/0/filters/0/path
		json_is_file "$c.targets[0].obsolete_target" $C0/targets/0/obsolete_target
		json_is_file "$s.target_nid" $S0/target_nid
		json_is_file "$s.apply_interval_us" $S0/apply_interval_us
		json_is_file "$s.quotas.goal_tuner" $S0/quotas/goal_tuner
		json_is_file "$s.quotas.fail_charge_denom" $S0/quotas/fail_charge_denom
		json_is_file "$s.quotas.goals[0].target_metric" $S0/quotas/goals/0/target_metric
		json_is_file "$s.quotas.goals[0].nid" $S0/quotas/goals/0/nid
		json_is_file "$s.watermarks.metric" $S0/watermarks/metric
		json_is_file "$s.core_filters[0].addr_end" $S0/core_filters/0/addr_end
		json_is_file "$s.ops_filters[0].type" $S0/ops_filters/0/type
		json_is "$s.filters | length" 0
		json_is_file "$s.dests[0].id" $S0/dests/0/id
		json_is_file "$s.dests[0].weight" $S0/dests/0/weight
		json_is_file "$s.stats.max_nr_snapshots" $S0/stats/max_nr_snapshots
	done
	json_is_file "$c.monitoring_attrs.sample.primitives.page_table" \
		$C0/monitoring_attrs/sample/primitives/page_table
	json_is_file "$c.monitoring_attrs.sample.primitives.page_fault" \
		$C0/monitoring_attrs/sample/primitives/page_fault
	json_is_file "$c.monitoring_attrs.sample.filters[0].cpumask" \
		$C0/monitoring_attrs/sample/filters/0/cpumask
	json_is_file "$c.monitoring_attrs.sample.filters[0].type" \
		$C0/monitoring_attrs/sample/filters/0/type
}

@test "status KDAMOND: one kdamond in the same document shape; no such kdamond: exit 2" {
	use_fixture captured/6.12-running
	run --separate-stderr dc status -J 0
	expect_status 0
	json_is '.kdamonds | length' 1
	json_is '.kdamonds[0].index' 0
	json_is '.kdamonds[0].pid' 515
	run --separate-stderr dc status -J -k 0
	expect_status 0
	json_is '.kdamonds[0].index' 0
	run --separate-stderr dc status 1
	expect_status 2
	expect_err "no kdamond '1' (the kernel has 1)"
	run --separate-stderr dc status 0 1
	expect_status 2
}

@test "status never writes to a foreign kdamond; --force refreshes its stats" {
	local t

	for t in captured/6.12-running:captured/6.12-template \
		captured/6.12-tried:captured/6.12-template \
		captured/6.12-paddr-running:captured/6.12-template host-6.18:template-6.18 \
		newest:template-newest rfc-sample:template-rfc-sample; do
		use_fixture "${t%%:*}" "${t#*:}"
		run --separate-stderr dcs status
		expect_status 0
		run --separate-stderr dcs status -J
		expect_status 0
		no_writes
		# Not even damonctl's state directory.
		diff -r "$PRISTINE" "$ROOT"
	done
	for t in captured/6.12-running:captured/6.12-template host-6.18:template-6.18; do
		use_fixture "${t%%:*}" "${t#*:}"
		run --separate-stderr dcs status --force
		expect_status 0
		log_is "$K0/state	update_schemes_stats	ok"
		# Refreshed: no "as last refreshed" note.
		[[ ${lines[0]} == "kdamond 0: on, pid "*", not started by damonctl" ]]
	done
}

# ---------------------------------------------------------------------------
# start and stop

@test "start --pid on an empty 6.12 tree: every write, in order, then the record" {
	use_fixture captured/6.12-empty captured/6.12-template
	run --separate-stderr dcs start --pid $$
	expect_status 0
	[ -z "$output" ]
	start_log_6_12 $$ >"$NK_TMP/want.log"
	same_file "$NK_TMP/want.log" "$LOG"
	file_is $K0/state on
	file_is $K0/pid 4242
	# The record: the kdamond's index and pid (FAKEDAMON_PID), and damonctl's.
	[ -f "$(record_of 0)" ]
	jq -e '.kdamond == 0 and .pid == 4242 and .what == "start" and
		(.started_by | type) == "number"' \
		"$(record_of 0)"

	rm -f "$LOG"
	run --separate-stderr dcs status
	expect_status 0
	[ "${lines[0]}" = "kdamond 0: on, pid 4242, started by damonctl" ]
	expect_line "    target 0: pid $$"
	expect_line "    scheme 0: stat sz 0B..max nr_accesses 0..max age 0..max"
	# Its own kdamond: status refreshes the stats.
	log_is "$K0/state	update_schemes_stats	ok"
	run --separate-stderr dcs status -J
	json_is '.kdamonds[0].owned' true
}

@test "start --pid: a target that exits before on is named; nothing stays configured" {
	use_fixture captured/6.12-empty captured/6.12-template
	# A grandchild, so that its parent reaps it at once: a zombie has a pid still.
	start_bg bash -c 'sleep 600 & echo $! >"$1"; wait' _ "$NK_TMP/victim"
	for ((i = 0; i < 100; i++)); do [[ -s $NK_TMP/victim ]] && break; sleep 0.05; done
	victim=$(<"$NK_TMP/victim")
	# The shim refuses a dead pid at on, as the kernel does.
	# Under --sysroot the hook kills only the pid it is given.
	SHIM_ENV+=(FAKEDAMON_CHECK_PIDS=1 NUMAKIT_TEST_KILL_AT=damonctl-before-on
		NUMAKIT_TEST_KILL_PID="$victim")
	run --separate-stderr dcs start --pid "$victim"
	expect_status 1
	[[ $stderr == *"damonctl: pid $victim exited before monitoring began"* ]]
	! kill -0 "$victim" 2>/dev/null
	logged "$K0/state	on	EINVAL"
	# Every value written was put back, and no record says damonctl owns it.
	same_tree
	[ ! -e "$(record_of 0)" ]
}

@test "start -J prints the kdamonds started" {
	use_fixture captured/6.12-empty captured/6.12-template
	run --separate-stderr dcs start -J --pid $$
	expect_status 0
	json_is '.kdamonds | map("\(.index):\(.pid)") | join(",")' 0:4242
}

@test "stop: off, the record kept; a second start reuses the stopped kdamond" {
	use_fixture captured/6.12-empty captured/6.12-template
	run --separate-stderr dcs start --pid $$
	expect_status 0
	rm -f "$LOG"
	run --separate-stderr dcs stop
	expect_status 0
	log_is "$K0/state	off	ok"
	file_is $K0/state off
	file_is $K0/pid -1
	# The record stays (damonctl(8), FILES): the directory is damonctl's.
	[ -f "$(record_of 0)" ]
	rm -f "$LOG"
	run --separate-stderr dcs status
	expect_status 0
	[ "${lines[0]}" = "kdamond 0: off, started by damonctl" ]
	# Stopped already: stop again is no error and writes nothing.
	run --separate-stderr dcs stop
	expect_status 0
	run --separate-stderr dcs stop 0
	expect_status 0
	no_writes

	# Reused, with no nr_kdamonds write (the kernel would recreate every kdamond).
	run --separate-stderr dcs start --pid $$ -a pageout --nr-accesses 0,0
	expect_status 0
	! grep -q '^kdamonds/nr_kdamonds' "$LOG" || false
	[ "$(tail -n 1 "$LOG")" = "$K0/state	on	ok" ]
	[ "$(val kdamonds/nr_kdamonds)" = 1 ]
	file_is $C0/targets/0/pid_target $$
	file_is $S0/action pageout
	file_is $S1/action stat
	[ -f "$(record_of 0)" ]
}

@test "stop with nothing of damonctl's running: exit 1, nothing written" {
	use_fixture captured/6.12-empty captured/6.12-template
	run --separate-stderr dcs stop
	expect_status 1
	expect_err "no kdamond started by damonctl is running"
	no_writes
}

# Print the log's writes as the shell lines of a dry run.
log_as_shell() {
	awk -F '\t' -v a=$SYS_ADMIN '$3 == "ok" { print "echo " $2 " > " a "/" $1 }' "$LOG"
}

@test "start --dry-run prints the writes of a real start as shell lines, writes nothing" {
	local args=(--pid $$ -a pageout --nr-accesses 0,0 --age 2s,max --quota-size 1G)

	use_fixture captured/6.12-empty captured/6.12-template
	run --separate-stderr dcs start --dry-run "${args[@]}"
	expect_status 0
	no_writes
	diff -r "$PRISTINE" "$ROOT"
	[ "${lines[0]}" = "echo 1 > $SYS_ADMIN/kdamonds/nr_kdamonds" ]
	[ "${lines[-1]}" = "echo on > $SYS_ADMIN/$K0/state" ]
	for line in "${lines[@]}"; do
		[[ $line =~ ^echo\ [^\ ]+\ \>\ $SYS_ADMIN/[a-z0-9_/]+$ ]] ||
			{ echo "not an echo line: $line"; false; }
	done
	printf '%s\n' "${lines[@]}" >"$NK_TMP/dry"
	# The same start for real writes exactly those values to those files.
	run --separate-stderr dcs start "${args[@]}"
	expect_status 0
	log_as_shell >"$NK_TMP/real"
	same_file "$NK_TMP/dry" "$NK_TMP/real"
}

@test "start paddr without --region monitors the largest top-level System RAM of /proc/iomem" {
	use_fixture captured/6.12-empty captured/6.12-template
	mkdir -p "$ROOT/proc"
	# Nested and kmem ranges are not the one; neither is a larger other name.
	printf '%s\n' "00000000-00000fff : Reserved" "00001000-0009efff : System RAM" \
		"00100000-7ffdffff : System RAM" "  01000000-01ffffff : Kernel code" \
		"100000000-2ffffffff : Soft Reserved" "  100000000-2ffffffff : dax0.0" \
		"    100000000-2ffffffff : System RAM (kmem)" >"$ROOT/proc/iomem"
	run --separate-stderr dcs start --dry-run paddr
	expect_status 0
	grep -qx "echo 1048576 > $SYS_ADMIN/$C0/targets/0/regions/0/start" <<<"$output"
	grep -qx "echo 2147352576 > $SYS_ADMIN/$C0/targets/0/regions/0/end" <<<"$output"
	# A reader without CAP_SYS_ADMIN sees zeros: no range, said so.
	printf '%s\n' "00000000-00000000 : System RAM" >"$ROOT/proc/iomem"
	run --separate-stderr dcs start --dry-run paddr
	expect_status 1
	[[ $stderr == *"cannot find a System RAM range in /proc/iomem"* ]]
}

@test "start --dry-run on an idle kdamond of damonctl's: filters where 6.12 has them" {
	local args=(--pid $$ -a pageout --filter memcg=/a/b --filter addr=0x1000-0x2000)

	use_fixture captured/6.12-template captured/6.12-template
	own_kdamond 0
	mark_pristine
	run --separate-stderr dcs start -n "${args[@]}"
	expect_status 0
	no_writes
	diff -r "$PRISTINE" "$ROOT"
	expect_line "echo memcg > $SYS_ADMIN/$S0/filters/0/type"
	expect_line "echo /a/b > $SYS_ADMIN/$S0/filters/0/memcg_path"
	expect_line "echo 4096 > $SYS_ADMIN/$S0/filters/1/addr_start"
	printf '%s\n' "${lines[@]}" >"$NK_TMP/dry"
	run --separate-stderr dcs start "${args[@]}"
	expect_status 0
	log_as_shell >"$NK_TMP/real"
	same_file "$NK_TMP/dry" "$NK_TMP/real"
}

@test "scheme options on the newest ABI: each value in its file, filters split core/ops" {
	use_fixture captured/6.12-empty template-newest
	run --separate-stderr dcs start --pid $$ -a migrate_cold --target-nid 1 --age 5s,max \
		--nr-accesses 0,10% --sz 4K,2M --quota-time 10ms --quota-size 128M \
		--quota-reset 1s --quota-weights 1,2,3 --watermarks free_mem_rate,5s,500,400,200 \
		--filter '!anon:allow' --filter addr=0x1000-0x2000 --filter memcg=/a --dest 1:3 \
		--apply-interval 1s --quota-goal node_mem_used_bp=9000,nid=1
	expect_status 0
	file_is $S0/action migrate_cold
	file_is $S0/target_nid 1
	file_is $S0/apply_interval_us 1000000
	file_is $S0/access_pattern/sz/min 4096
	file_is $S0/access_pattern/sz/max 2097152
	# 10% of aggr/sample = 100 ms / 5 ms = 20 samples.
	file_is $S0/access_pattern/nr_accesses/min 0
	file_is $S0/access_pattern/nr_accesses/max 2
	# 5 s in aggregation intervals of 100 ms.
	file_is $S0/access_pattern/age/min 50
	file_is $S0/access_pattern/age/max $U32_MAX
	file_is $S0/quotas/ms 10
	file_is $S0/quotas/bytes 134217728
	file_is $S0/quotas/reset_interval_ms 1000
	file_is $S0/quotas/weights/sz_permil 1
	file_is $S0/quotas/weights/nr_accesses_permil 2
	file_is $S0/quotas/weights/age_permil 3
	file_is $S0/quotas/goals/nr_goals 1
	file_is $S0/quotas/goals/0/target_metric node_mem_used_bp
	file_is $S0/quotas/goals/0/target_value 9000
	file_is $S0/quotas/goals/0/nid 1
	file_is $S0/watermarks/metric free_mem_rate
	file_is $S0/watermarks/interval_us 5000000
	file_is $S0/watermarks/high 500
	file_is $S0/watermarks/mid 400
	file_is $S0/watermarks/low 200
	# addr is DAMON core's filter; anon and memcg the operations layer's.
	file_is $S0/core_filters/nr_filters 1
	file_is $S0/core_filters/0/type addr
	file_is $S0/core_filters/0/matching Y
	file_is $S0/core_filters/0/allow N
	file_is $S0/core_filters/0/addr_start 4096
	file_is $S0/core_filters/0/addr_end 8192
	file_is $S0/ops_filters/nr_filters 2
	file_is $S0/ops_filters/0/type anon
	file_is $S0/ops_filters/0/matching N
	file_is $S0/ops_filters/0/allow Y
	file_is $S0/ops_filters/1/type memcg
	file_is $S0/ops_filters/1/matching Y
	file_is $S0/ops_filters/1/allow N
	file_is $S0/ops_filters/1/memcg_path /a
	file_is $S0/filters/nr_filters 0
	file_is $S0/dests/nr_dests 1
	file_is $S0/dests/0/id 1
	file_is $S0/dests/0/weight 3
	# The snapshot scheme comes after those of the command line.
	file_is $C0/schemes/nr_schemes 2
	file_is $S1/action stat
	file_is $S1/access_pattern/sz/max $U64_MAX
	file_is $K0/state on
	# Every write went through, once each.
	! grep -v '	ok$' "$LOG" || false
	[ "$(cut -f 1 "$LOG" | sort | uniq -d)" = "" ]
}

@test "scheme options on 6.12: filters go to filters/, in command-line order" {
	use_fixture captured/6.12-empty captured/6.12-template
	# Before 6.17 only paddr migrates.
	run --separate-stderr dcs start paddr --region 0x100000-0x7ffe0000 -a migrate_cold --target-nid 1 --age 5s,max \
		--nr-accesses 0,10% --sz 4K,2M --quota-time 10ms --quota-size 128M \
		--quota-reset 1s --quota-weights 1,2,3 --watermarks free_mem_rate,5s,500,400,200 \
		--filter '!anon' --filter addr=0x1000-0x2000 --filter memcg=/a --apply-interval 1s \
		--quota-goal node_mem_used_bp=9000
	expect_status 0
	file_is $S0/action migrate_cold
	file_is $S0/target_nid 1
	file_is $S0/apply_interval_us 1000000
	file_is $S0/access_pattern/nr_accesses/max 2
	file_is $S0/access_pattern/age/min 50
	file_is $S0/quotas/bytes 134217728
	file_is $S0/quotas/goals/0/target_metric node_mem_used_bp
	file_is $S0/quotas/goals/0/target_value 9000
	file_is $S0/watermarks/metric free_mem_rate
	file_is $S0/filters/nr_filters 3
	file_is $S0/filters/0/type anon
	file_is $S0/filters/0/matching N
	file_is $S0/filters/1/type addr
	file_is $S0/filters/1/matching Y
	file_is $S0/filters/1/addr_start 4096
	file_is $S0/filters/1/addr_end 8192
	file_is $S0/filters/2/type memcg
	file_is $S0/filters/2/memcg_path /a
	[ ! -e "$ADMIN/$S0/core_filters" ]
	file_is $K0/state on
	! grep -v '	ok$' "$LOG" || false
}

# ---------------------------------------------------------------------------
# Feature detection

# Options that need a later kernel than 5.18, as "RELEASE OPTIONS...".
FEATURES_518=("6.7 -a stat --apply-interval 1s" "6.3 -a stat --filter anon"
	"6.8 -a stat --quota-goal user_input=100" "6.11 -a migrate_cold --target-nid 1"
	"6.17 -a stat --dest 1:3" "6.17 --refresh 1s" "6.18 --addr-unit 2"
	"6.15 --intervals-goal 40,3,5ms,10s")

@test "5.18, an idle kdamond of damonctl's: later options exit 4 naming the release, no write" {
	local f rel

	for f in "${FEATURES_518[@]}"; do
		use_fixture template-5.18 template-5.18
		own_kdamond 0
		rel=${f%% *}
		run --separate-stderr dcs start --pid $$ ${f#* }
		expect_status 4
		expect_err "needs Linux $rel: this kernel has no $SYS_ADMIN/"
		no_writes
		same_tree
	done
}

@test "5.18 with no kdamond: later options exit 4 naming the release, the tree as before" {
	local f rel

	for f in "${FEATURES_518[@]}"; do
		use_fixture 5.18-min template-5.18
		rel=${f%% *}
		run --separate-stderr dcs start --pid $$ ${f#* }
		expect_status 4
		expect_err "needs Linux $rel: this kernel has no $SYS_ADMIN/"
		# With no kdamond directory to show the ABI, damonctl finds out by
		# creating one; whatever it wrote is undone, and nothing was started.
		same_tree
		! grep -q '/state	' "$LOG" || false
	done
}

@test "snapshot on a 6.12 tree without tried_regions: exit 4 naming 6.2, nothing written" {
	use_owned_running
	rm -rf "${ADMIN:?}/$S0/tried_regions"
	mark_pristine
	run --separate-stderr dcs snapshot
	expect_status 4
	expect_err "need Linux 6.2"
	no_writes
	same_tree
}

@test "--sample-primitive: exit 4 naming the RFC on 6.12; written on rfc-sample" {
	use_fixture captured/6.12-template captured/6.12-template
	own_kdamond 0
	mark_pristine
	run --separate-stderr dcs start --pid $$ --sample-primitive page_fault
	expect_status 4
	expect_err "RFC per-CPUs/threads/write/read monitoring"
	no_writes
	same_tree

	use_fixture rfc-sample template-rfc-sample
	own_kdamond 0
	run --separate-stderr dcs start --pid $$ --sample-primitive page_fault \
		--sample-filter '!threads=5,6:reject'
	expect_status 0
	logged "$C0/monitoring_attrs/sample/primitives/page_table	N	ok"
	logged "$C0/monitoring_attrs/sample/primitives/page_fault	Y	ok"
	file_is $C0/monitoring_attrs/sample/primitives/page_table N
	file_is $C0/monitoring_attrs/sample/primitives/page_fault Y
	file_is $C0/monitoring_attrs/sample/filters/nr_filters 1
	file_is $C0/monitoring_attrs/sample/filters/0/type threads
	file_is $C0/monitoring_attrs/sample/filters/0/matching N
	file_is $C0/monitoring_attrs/sample/filters/0/allow N
	file_is $C0/monitoring_attrs/sample/filters/0/tid_arr 5,6
	file_is $K0/state on
}

# Save `status -J` of the newest fixture as $NK_TMP/newest.json.
save_newest_spec() {
	use_fixture newest
	dc status -J >"$NK_TMP/newest.json"
	jq -e '.kdamonds | length == 1' "$NK_TMP/newest.json" >/dev/null
}

# Apply jq FILTER to the saved spec into FILE; the numbers jq 1.6 rounded
# (2^64 - 1) are put back.
edit_spec() {
	jq "$1" "$NK_TMP/newest.json" | sed "s/18446744073709552000/$U64_MAX/g" >"$2"
}

@test "a spec saved from newest starts on 6.12 when the newer keys hold their neutral values" {
	save_newest_spec
	# Every key 6.12 lacks, at the value a new kernel object has (template-newest).
	# Saved while it ran (a kdamond saved off is not started), and on paddr:
	# migrate_cold on vaddr is itself a 6.17 feature.
	edit_spec '.kdamonds[0].state = "on" | .kdamonds[0].refresh_ms = 0 |
		.kdamonds[0].contexts[0] |= (.operations = "paddr" |
		.monitoring_attrs.intervals.intervals_goal |= map_values(0) |
		.monitoring_attrs.probes = [] | .addr_unit = 1 | .pause = false |
		.targets[0].obsolete_target = false |
		.schemes[0] |= (.dests = [] | .stats.max_nr_snapshots = 0 |
			.quotas.goal_tuner = "consist" | .quotas.fail_charge_num = 0 |
			.quotas.fail_charge_denom = 0 |
			.quotas.goals[0].nid = 0 | .quotas.goals[0].path = "" |
			.core_filters[0].allow = false))' "$NK_TMP/neutral.json"
	use_fixture captured/6.12-template captured/6.12-template
	own_kdamond 0
	run --separate-stderr dcs start --spec "$NK_TMP/neutral.json"
	expect_status 0
	file_is $C0/monitoring_attrs/intervals/sample_us 10000
	file_is $C0/targets/0/pid_target 4343
	file_is $C0/targets/0/regions/0/end 1073741824
	file_is $S0/action migrate_cold
	file_is $S0/access_pattern/sz/max $U64_MAX
	file_is $S0/quotas/goals/0/target_value 9970
	# core_filters and ops_filters land in 6.12's filters/.
	file_is $S0/filters/nr_filters 2
	file_is $S0/filters/0/type addr
	file_is $S0/filters/0/addr_end 536870912
	file_is $S0/filters/1/type anon
	# A spec is the whole configuration: no snapshot scheme added.
	file_is $C0/schemes/nr_schemes 1
	file_is $K0/state on
}

@test "a spec saved from newest fails on 6.12 with exit 4 when a newer key is in use" {
	save_newest_spec
	use_fixture captured/6.12-template captured/6.12-template
	own_kdamond 0
	mark_pristine
	# As saved: off, and so nothing to start.
	run --separate-stderr dcs start --spec "$NK_TMP/newest.json"
	expect_status 2
	expect_err "every kdamond of the spec is off"
	no_writes
	# As if saved while it ran: refresh_ms 1000 (6.17) and more.
	edit_spec '.kdamonds[0].state = "on"' "$NK_TMP/on.json"
	run --separate-stderr dcs start --spec "$NK_TMP/on.json"
	expect_status 4
	expect_err "needs Linux 6.17"
	no_writes
	same_tree
	# Only a destination in use.
	edit_spec '.kdamonds[0].state = "on" | .kdamonds[0].refresh_ms = 0 |
		.kdamonds[0].contexts[0] |= (del(.monitoring_attrs.intervals.intervals_goal) | .monitoring_attrs.probes = [] |
		.schemes[0] |= (del(.quotas.goal_tuner) | .quotas.fail_charge_num = 0 |
			.quotas.fail_charge_denom = 0 | .stats.max_nr_snapshots = 0 |
			.quotas.goals[0].nid = 0 | .core_filters[0].allow = false |
			del(.core_filters[0].min, .core_filters[0].max, .ops_filters[0].min,
			    .ops_filters[0].max)))' "$NK_TMP/dests.json"
	run --separate-stderr dcs start --spec "$NK_TMP/dests.json"
	expect_status 4
	expect_err "action destinations needs Linux 6.17"
	no_writes
	same_tree
}

# ---------------------------------------------------------------------------
# Ownership: host-6.18 runs the machine's kdamond

@test "start next to a running foreign kdamond: exit 1, EBUSY explained, nothing written" {
	use_fixture host-6.18 template-6.18
	run --separate-stderr dcs start paddr --region 0x100000000-0x110000000
	expect_status 1
	expect_err "cannot add a kdamond: Device or resource busy"
	expect_err "refuses to change nr_kdamonds while any kdamond runs"
	expect_err "and kdamond 0 (pid 77) is running"
	expect_err "not started by damonctl"
	no_writes
	same_tree
	run --separate-stderr dcs start --pid $$
	expect_status 1
	no_writes
}

@test "stop, tune and snapshot of a foreign kdamond refuse without --force, write nothing" {
	use_fixture host-6.18 template-6.18
	use_tried
	run --separate-stderr dcs stop 0
	expect_status 1
	expect_err "kdamond 0 was not started by damonctl: not stopping it"
	run --separate-stderr dcs tune -k 0 --aggr 1s
	expect_status 1
	expect_err "kdamond 0 was not started by damonctl: not tuning it"
	run --separate-stderr dcs snapshot -k 0
	expect_status 1
	expect_err "kdamond 0 was not started by damonctl: not updating the tried regions of it"
	run --separate-stderr dcs snapshot -k 0 --scheme 0
	expect_status 1
	run --separate-stderr dcs record -k 0 --scheme 0 -o "$NK_TMP/rec.jsonl" -d 100ms
	expect_status 1
	expect_err "not started by damonctl"
	no_writes
	same_tree
}

@test "a record whose pid runs with another start time is not damonctl's" {
	use_fixture captured/6.12-running captured/6.12-template
	use_tried
	own_kdamond 0 515 12345
	run --separate-stderr dcs snapshot
	expect_status 1
	expect_err "not started by damonctl"
	no_writes
	# The stale record is dropped.
	[ ! -e "$(record_of 0)" ]
}

@test "--force: stop writes off, tune writes aggr_us and commits, snapshot updates tried regions" {
	use_fixture host-6.18 template-6.18
	use_tried
	run --separate-stderr dcs tune -k 0 --aggr 1s --force
	expect_status 0
	log_is "$C0/monitoring_attrs/intervals/aggr_us	1000000	ok" "$K0/state	commit	ok"
	file_is $C0/monitoring_attrs/intervals/aggr_us 1000000

	rm -f "$LOG"
	run --separate-stderr dcs snapshot -k 0 --scheme 0 --force
	expect_status 0
	log_is "$K0/state	update_schemes_tried_regions	ok"
	[ "$(grep -c '^0x' <<<"$output")" -eq 12 ]

	rm -f "$LOG"
	run --separate-stderr dcs stop 0 --force
	expect_status 0
	log_is "$K0/state	off	ok"
	file_is $K0/state off
	file_is $K0/pid -1
}

@test "--force snapshot of the machine's kdamond made a snapshot scheme" {
	# host-6.18 with its pageout scheme turned into one that matches every
	# region and does nothing: what snapshot picks by itself.
	use_fixture host-6.18 template-6.18
	use_tried
	echo stat >"$ADMIN/$S0/action"
	echo $U32_MAX >"$ADMIN/$S0/access_pattern/nr_accesses/max"
	echo 0 >"$ADMIN/$S0/access_pattern/age/min"
	run --separate-stderr dcs snapshot -k 0 --force
	expect_status 0
	log_is "$K0/state	update_schemes_tried_regions	ok"
	[ "${lines[0]}" = "kdamond 0, paddr: 12 regions, 413.9M, sample 500ms, aggr 5s" ]
	[ "$(grep -c '^0x' <<<"$output")" -eq 12 ]
	run --separate-stderr dcs snapshot -k 0 --force -J
	expect_status 0
	json_is '[.scheme, .ops, (.targets | length)] | @csv' '0,"paddr",0'
	json_is_file .aggr_us $C0/monitoring_attrs/intervals/aggr_us

	rm -f "$LOG"
	run --separate-stderr dcs stop 0 --force
	expect_status 0
	log_is "$K0/state	off	ok"
	file_is $K0/state off
	file_is $K0/pid -1
}

# ---------------------------------------------------------------------------
# Rollback

@test "start: a refused 'on' leaves the tree as it was" {
	use_fixture captured/6.12-empty captured/6.12-template
	SHIM_ENV+=(FAKEDAMON_FAIL=kdamonds/0/state:on=EINVAL)
	run --separate-stderr dcs start --pid $$
	expect_status 1
	expect_err "cannot start kdamond 0: Invalid argument"
	logged "$K0/state	on	EINVAL"
	same_tree
	[ ! -e "$(record_of 0)" ]
}

@test "start: a refused scheme write leaves the tree as it was, nothing started" {
	use_fixture captured/6.12-empty captured/6.12-template
	SHIM_ENV+=(FAKEDAMON_FAIL="$S1/access_pattern/age/max=EINVAL")
	run --separate-stderr dcs start --pid $$ -a pageout --nr-accesses 0,0
	expect_status 1
	expect_err "$S1/access_pattern/age/max"
	same_tree
	! grep -q "^$K0/state	" "$LOG" || false
	[ ! -e "$(record_of 0)" ]
}

@test "start: a refused 'on' in a reused kdamond puts its old configuration back" {
	# An idle kdamond that damonctl started: configured as 6.12-template is.
	use_fixture captured/6.12-template captured/6.12-template
	own_kdamond 0
	mark_pristine
	SHIM_ENV+=(FAKEDAMON_FAIL=kdamonds/0/state:on=EINVAL)
	run --separate-stderr dcs start --pid $$ -a pageout --sz 4K,max
	expect_status 1
	logged "$K0/state	on	EINVAL"
	same_tree
}

@test "tune: a refused commit puts back every file it changed" {
	use_fixture captured/6.12-empty captured/6.12-template
	run --separate-stderr dcs start --pid $$
	expect_status 0
	mark_pristine
	SHIM_ENV+=(FAKEDAMON_FAIL=kdamonds/0/state:commit=EINVAL)
	run --separate-stderr dcs tune --sample 10ms --aggr 200ms --regions 20,2000 \
		-a pageout --nr-accesses 0,0 --age 2s,max
	expect_status 1
	expect_err "kdamond 0 refused the new configuration"
	# It did write: the new values, the new schemes, then the commit.
	logged "$C0/monitoring_attrs/intervals/aggr_us	200000	ok"
	logged "$S0/access_pattern/age/min	10	ok"
	logged "$K0/state	commit	EINVAL"
	same_tree
	file_is $K0/state on
	[ -f "$(record_of 0)" ]
}

@test "tune: the new values, only those that change, then commit" {
	use_fixture captured/6.12-empty captured/6.12-template
	run --separate-stderr dcs start --pid $$
	expect_status 0
	rm -f "$LOG"
	run --separate-stderr dcs tune --aggr 200ms --sample 5ms
	expect_status 0
	log_is "$C0/monitoring_attrs/intervals/aggr_us	200000	ok" "$K0/state	commit	ok"
	# Nothing changes: nothing to commit.
	rm -f "$LOG"
	run --separate-stderr dcs tune --aggr 200ms
	expect_status 0
	no_writes
}

# ---------------------------------------------------------------------------
# snapshot and record

@test "snapshot: a header, then a line per region with a heat bar" {
	use_owned_running
	use_tried
	run --separate-stderr dcs snapshot
	expect_status 0
	log_is "$K0/state	update_schemes_tried_regions	ok"
	[ "${lines[0]}" = "kdamond 0, vaddr pid 464: 12 regions, 413.9M, sample 5ms, aggr 100ms" ]
	[[ ${lines[1]} =~ ^START\ +END\ +SIZE\ +ACCESSES\ +AGE\ +HEAT$ ]]
	[ "${#lines[@]}" -eq 14 ]
	for line in "${lines[@]:2}"; do
		[[ $line =~ ^0x[0-9a-f]+\ 0x[0-9a-f]+\ .*\ [0-9]+/20\ .*\ \|.{20}\|$ ]] ||
			{ echo "not a region line: $line"; false; }
	done
	# The hot region (nr_accesses 20 of 20) has a full bar, the cold ones none.
	expect_line "0x7f1d62200000 0x7f1d631fa000   16M    20/20 500ms |####################|"
	[ "$(grep -c '|\.\{20\}|$' <<<"$output")" -eq 11 ]

	run --separate-stderr dcs snapshot --bar-width 0
	expect_status 0
	[[ ${lines[1]} != *HEAT* ]]
	[[ $output != *"|"* ]]
}

@test "snapshot -J: the regions sorted, intervals and target from the tree" {
	use_owned_running
	use_tried
	run --separate-stderr dcs snapshot -J
	expect_status 0
	json_is '[.kdamond, .context, .scheme, .ops] | @csv' '0,0,0,"vaddr"'
	json_is_file .sample_us $C0/monitoring_attrs/intervals/sample_us
	json_is_file .aggr_us $C0/monitoring_attrs/intervals/aggr_us
	json_is_file '.targets[0]' $C0/targets/0/pid_target
	json_is '.regions | length' 12
	json_is '[.regions[].start] == ([.regions[].start] | sort)' true
	json_is '[.regions[] | .end > .start] | all' true
	json_is '[.regions[] | .end - .start] | add' "$(<"$TRIED/total_bytes")"
	json_is .total_bytes "$(<"$TRIED/total_bytes")"
	for f in start end nr_accesses age; do
		json_is ".regions[7].$f" "$(<"$TRIED/7/$f")"
	done
	json_is '.time_ns > 0 and .elapsed_ns == 0' true
}

@test "snapshot --scheme N reads that scheme; with no stat scheme, a clear error" {
	use_fixture captured/6.12-empty captured/6.12-template
	use_tried
	run --separate-stderr dcs start --pid $$ -a pageout --nr-accesses 0,0
	expect_status 0
	# The snapshot scheme (1, after pageout) by default; --scheme 0 for the other.
	run --separate-stderr dcs snapshot -J
	expect_status 0
	json_is .scheme 1
	run --separate-stderr dcs snapshot -J --scheme 0
	expect_status 0
	json_is .scheme 0
	json_is '.regions | length' 12
	run --separate-stderr dcs snapshot --scheme 2
	expect_status 1
	expect_err "kdamond 0 has no scheme 2"

	use_fixture captured/6.12-empty captured/6.12-template
	use_tried
	run --separate-stderr dcs start --pid $$ --no-snapshot-scheme -a pageout --nr-accesses 0,0
	expect_status 0
	file_is $C0/schemes/nr_schemes 1
	rm -f "$LOG"
	run --separate-stderr dcs snapshot
	expect_status 1
	expect_err "kdamond 0 has no stat scheme that matches every region"
	expect_err "--scheme N"
	no_writes

	# The machine's kdamond has a pageout scheme only.
	use_fixture host-6.18 template-6.18
	run --separate-stderr dcs snapshot -k 0 --force
	expect_status 1
	expect_err "kdamond 0 has no stat scheme that matches every region"
	no_writes
}

@test "record: a JSON line per snapshot, elapsed_ns increasing; report reads it" {
	use_owned_running
	use_tried
	run --separate-stderr dcs record -o "$NK_TMP/rec.jsonl" --interval 100ms --duration 500ms
	expect_status 0
	[ -z "$output" ]
	n=$(wc -l <"$NK_TMP/rec.jsonl")
	((n >= 3 && n <= 7)) || { echo "$n snapshots in 500 ms at 100 ms"; false; }
	[ "$(grep -c "^$K0/state	update_schemes_tried_regions	ok\$" "$LOG")" -eq "$n" ]
	prev=-1
	while IFS= read -r line; do
		jq -e '.regions | length == 12' <<<"$line" >/dev/null
		ns=$(jq -r .elapsed_ns <<<"$line")
		((ns > prev)) || { echo "elapsed_ns $ns after $prev"; false; }
		prev=$ns
	done <"$NK_TMP/rec.jsonl"
	((prev >= 400000000 && prev < 2000000000))
	run --separate-stderr dc report wss -J "$NK_TMP/rec.jsonl"
	expect_status 0
	json_is .snapshots "$n"
}

@test "record -o /dev/full: exit 1" {
	use_owned_running
	use_tried
	run --separate-stderr dcs record -o /dev/full --interval 100ms --duration 300ms
	expect_status 1
	expect_err "cannot write '/dev/full'"
}

# record -o - with no duration into `head -c 1`, SIGPIPE as $1; prints its status.
record_into_head() {
	(
		[[ $1 == ignored ]] && trap '' PIPE
		# The duration bounds a run that would not notice: it would end with 0.
		dcs record -o - --interval 10ms --duration 20s 2>"$NK_TMP/rec.err" | head -c 1 >/dev/null
		echo "${PIPESTATUS[0]}"
	)
}

record_to_full() {
	dcs record -o - --interval 10ms --duration 50ms >/dev/full
}

@test "record -o - into a reader that goes away: ends, quietly, not with success" {
	use_owned_running
	use_tried
	run record_into_head default
	[ "$output" = 141 ] || { echo "SIGPIPE default: $output"; cat "$NK_TMP/rec.err"; false; }
	run record_into_head ignored
	[ "$output" = 1 ] || { echo "SIGPIPE ignored: $output"; cat "$NK_TMP/rec.err"; false; }
	[ ! -s "$NK_TMP/rec.err" ]
	# A full stdout: one message, exit 1.
	run --separate-stderr record_to_full
	expect_status 1
	[ "$(grep -c . <<<"$stderr")" -eq 1 ] || { echo "$stderr"; false; }
}

@test "record: no -o, or a bad interval: exit 2, nothing written" {
	use_owned_running
	use_tried
	run --separate-stderr dcs record --interval 100ms --duration 300ms
	expect_status 2
	run --separate-stderr dcs record -o "$NK_TMP/r" --interval 0s
	expect_status 2
	run --separate-stderr dcs record -o "$NK_TMP/r" --interval 100
	expect_status 2
	no_writes
	[ ! -e "$NK_TMP/r" ]
}

# ---------------------------------------------------------------------------
# report

REC=$BATS_TEST_DIRNAME/fixtures/damon/recordings

# report reads no sysfs; it gets a --sysroot all the same, as every damonctl here.
use_report_root() {
	use_fixture captured/6.12-empty
}

@test "report heatmap: the mmap area, its hot band throughout, the warm band from 15 s" {
	use_report_root
	run --separate-stderr dc report heatmap "$REC/heat-vaddr.jsonl"
	expect_status 0
	[ "${lines[0]}" = "range 0x7f3a40000000-0x7f3a48000000 (128M): most accessed of 3 areas; others:" ]
	# A row per snapshot, 64 columns: the first 16M of 128M are the first 8.
	rows=$(grep -cE '^ *[0-9]+s \|.{64}\|$' <<<"$output")
	[ "$rows" -eq 30 ]
	while IFS= read -r row; do
		[[ ${row:0:8} =~ ^[#%@]{8}$ ]] || { echo "not hot: $row"; false; }
	done < <(sed -nE 's/^ *[0-9]+s \|(.{64})\|$/\1/p' <<<"$output")
	[[ ${lines[-1]} == "scale: ' '=0 "*" of 20 accesses" ]]

	run --separate-stderr dc report heatmap -J "$REC/heat-vaddr.jsonl"
	expect_status 0
	json_is '[.addr_start, .addr_end, .cols, .max_nr_accesses] | @csv' \
		"$((0x7f3a40000000)),$((0x7f3a48000000)),64,20"
	json_is '.rows | length' 30
	json_is '[.rows[].cells | length == 64] | all' true
	json_is '[.rows[].cells[0:8] | min >= 8] | all' true
	# 64M-80M: columns 32-39, cold before 15 s, warm after.
	json_is '[.rows[] | select(.elapsed_ns < 15e9) | .cells[32:40] | max <= 1] | all' true
	json_is '[.rows[] | select(.elapsed_ns >= 15e9) | .cells[32:40] | min >= 3] | all' true
	json_is '[.rows[] | select(.elapsed_ns >= 15e9)] | length' 15
}

@test "report heatmap: the paddr and high-address recordings" {
	use_report_root
	run --separate-stderr dc report heatmap "$REC/paddr.jsonl"
	expect_status 0
	[ "${lines[0]}" = "range 0x100000000-0x480000000 (14G): the only monitored area" ]
	run --separate-stderr dc report heatmap -J "$REC/high-addr.jsonl"
	expect_status 0
	json_is '.rows | length' 3
	run --separate-stderr dc report heatmap --addr 0xffffffffff600000-0xffffffffff601000 \
		"$REC/high-addr.jsonl"
	expect_status 0
}

@test "report wss: seven percentiles, text and JSON" {
	use_report_root
	run --separate-stderr dc report wss "$REC/heat-vaddr.jsonl"
	expect_status 0
	[[ ${lines[0]} =~ ^PERCENTILE\ +WSS$ ]]
	[ "${#lines[@]}" -eq 8 ]
	[ "$(awk 'NR > 1 { printf "%s ", $1 }' <<<"$output")" = "0 1 25 50 75 99 100 " ]

	run --separate-stderr dc report wss -J "$REC/heat-vaddr.jsonl"
	expect_status 0
	json_is .snapshots 30
	json_is .duration_ns 29000000000
	json_is .min_accesses 1
	json_is '[.percentiles[].percentile] | map(tostring) | join(",")' 0,1,25,50,75,99,100
	json_is '[.percentiles[].wss] == ([.percentiles[].wss] | sort)' true
	json_is '.percentiles[0].wss > 0 and .percentiles[6].wss <= 134414336' true
	# From 16 accesses: the hot 16M and the 132K stack.
	run --separate-stderr dc report wss -J --min-accesses 16 "$REC/heat-vaddr.jsonl"
	expect_status 0
	json_is "[.percentiles[].wss | . >= $((16 << 20)) and . <= $((16648 << 10))] | all" true
	run --separate-stderr dc report wss -J "$REC/paddr.jsonl"
	expect_status 0
	json_is .snapshots 20
}

@test "report on a real 6.12 recording: the working set is nk-heat's hot 16M" {
	use_report_root
	run --separate-stderr dc report wss -J "$REC/vm-6.12-heat.jsonl"
	expect_status 0
	json_is .snapshots 41
	# Every snapshot's working set is the hot band, within a MiB.
	json_is "[.percentiles[].wss | . >= $((15 << 20)) and . <= $((17 << 20))] | all" true
	read -r start _ hot_start hot_end <"$REC/vm-6.12-heat.heat"
	run --separate-stderr dc report heatmap -J --cols 64 \
		--addr "$start-$(printf '0x%x' $((hot_start + (128 << 20))))" "$REC/vm-6.12-heat.jsonl"
	expect_status 0
	# The 8 columns of the hot 16M are hot in every row; the rest of the 128M is not.
	json_is '[.rows[].cells[0:7] | min] | min >= 8' true
	json_is '[.rows[].cells[9:64] | max] | max <= 1' true
}

@test "report: malformed recordings exit 2 naming FILE:LINE; a missing file exit 1" {
	local verb

	use_report_root

	for verb in heatmap wss; do
		run --separate-stderr dc report $verb "$REC/bad-type.jsonl"
		expect_status 2
		expect_err "bad-type.jsonl:2'"
		expect_err "nr_accesses"
		run --separate-stderr dc report $verb "$REC/bad-order.jsonl"
		expect_status 2
		expect_err "bad-order.jsonl:2'"
		run --separate-stderr dc report $verb "$REC/truncated.jsonl"
		expect_status 2
		expect_err "truncated.jsonl:3'"
		run --separate-stderr dc report $verb "$REC/empty.jsonl"
		expect_status 2
		expect_err "no snapshot in"
		run --separate-stderr dc report $verb "$NK_TMP/none.jsonl"
		expect_status 1
		expect_err "cannot open '$NK_TMP/none.jsonl'"
		[ -z "$output" ]
	done
	run --separate-stderr dc report
	expect_status 2
	run --separate-stderr dc report frob "$REC/paddr.jsonl"
	expect_status 2
}

# ---------------------------------------------------------------------------
# Bad input: exit 2, nothing written

@test "bad option values: exit 2, nothing written" {
	local args

	use_fixture captured/6.12-empty captured/6.12-template
	for args in "-a frob" "--sample 5" "--sample 5x" "--aggr 1ms --sample 5ms" \
		"-a stat --sz 2M,1M" "-a stat --sz 1x,2M" "--regions 1,2" "--regions 10" \
		"--regions 20,10" "-a stat --nr-accesses 200%,max" "-a stat --nr-accesses 5,2" \
		"-a stat --age 1,x" "--sz 1,2" "-a stat --quota-weights 1,2" \
		"-a stat --watermarks free_mem_rate,5s,100,200,300" "-a stat --filter frob" \
		"-a stat --filter memcg" "-a stat --filter addr=2-1" "-a stat --quota-goal frob=1" \
		"-a stat --dest x" "-a stat --target-nid -1" "--intervals-goal 1,2" \
		"--ops frob" "-a stat --watermarks free_mem_rate,5s,500,400,200,9" \
		"-a stat --quota-weights 1,,3" "--intervals-goal 4,3,5ms,10s,1"; do
		run --separate-stderr dcs start --pid $$ $args
		[ "$status" -eq 2 ] || { echo "start --pid $$ $args: status $status"; false; }
		[[ $stderr == "damonctl: "* ]] || { echo "$args: stderr '$stderr'"; false; }
		[[ -z $output ]]
	done
	run --separate-stderr dcs start --pid 0x
	expect_status 2
	expect_err "invalid value '0x' for --pid"
	run --separate-stderr dcs frobnicate
	expect_status 2
	expect_err "damonctl: unknown command 'frobnicate'"
	expect_err "Try 'damonctl --help' for more information."
	run --separate-stderr dcs start --pid $$ --frob
	expect_status 2
	[ "${#stderr_lines[@]}" -eq 2 ]
	expect_err "damonctl: unrecognized option '--frob'"
	no_writes
	diff -r "$PRISTINE" "$ROOT"
}

# Write spec $NK_TMP/NAME.json: one kdamond, one vaddr context on pid 5 with
# the JSON members MORE (",..." or "").
spec_file() {
	printf '{"kdamonds": [{"contexts": [{"operations": "vaddr", %s%s}]}]}\n' \
		'"targets": [{"pid_target": 5}]' "$2" >"$NK_TMP/$1.json"
}

@test "bad spec files: wrong types, unknown keys, min above max, not JSON: exit 2" {
	local spec

	use_fixture captured/6.12-empty captured/6.12-template
	spec_file ok ""
	sed 's/"pid_target": 5/"pid_target": "5"/' "$NK_TMP/ok.json" >"$NK_TMP/type.json"
	spec_file key ', "frob": 1'
	spec_file minmax ', "schemes": [{"action": "stat",
		"access_pattern": {"sz": {"min": 10, "max": 5}}}]'
	spec_file negative ', "monitoring_attrs": {"nr_regions": {"min": -1, "max": 5}}'
	spec_file word ', "schemes": [{"action": "frob"}]'
	spec_file bool ', "pause": 1'
	printf '%s\n' '{"kdamonds": []}' >"$NK_TMP/none.json"
	printf '%s' '{"kdamonds": [' >"$NK_TMP/cut.json"
	printf '%s\n' 'not json' >"$NK_TMP/text.json"
	for spec in type:"pid_target: expected an integer" key:"frob: unknown key" \
		minmax:"min 10 is above max 5" negative:"min: expected an unsigned integer" \
		word:"unknown scheme action 'frob'" bool:"pause: expected true or false" \
		none:"no kdamond" cut:"cannot parse the spec" text:"cannot parse the spec"; do
		run --separate-stderr dcs start --spec "$NK_TMP/${spec%%:*}.json"
		expect_status 2
		expect_err "${spec#*:}"
		# One message a line: no empty line (which `run` would strip at the end).
		dcs start --spec "$NK_TMP/${spec%%:*}.json" 2>"$NK_TMP/err" || true
		if grep -qx '' "$NK_TMP/err"; then
			echo "${spec%%:*}: an empty line on stderr:"
			cat -A "$NK_TMP/err"
			false
		fi
	done
	run --separate-stderr dcs start --spec "$NK_TMP/nothere.json"
	expect_status 1
	expect_err "cannot read the spec"
	# --spec sets everything.
	run --separate-stderr dcs start --spec "$NK_TMP/ok.json" --pid $$
	expect_status 2
	expect_err "--spec sets everything"
	no_writes
	diff -r "$PRISTINE" "$ROOT"
	# The good one, for comparison, starts.
	run --separate-stderr dcs start --spec "$NK_TMP/ok.json"
	expect_status 0
	file_is $C0/targets/0/pid_target 5
}

@test "misplaced arguments: exit 2, nothing written, no command run" {
	use_fixture captured/6.12-empty captured/6.12-template
	run --separate-stderr dcs start
	expect_status 2
	expect_err "nothing to monitor"
	run --separate-stderr dcs start --pid $$ -- touch "$NK_TMP/ran"
	expect_status 2
	expect_err "--pid and a command are mutually exclusive"
	run --separate-stderr dcs start paddr --pid $$
	expect_status 2
	run --separate-stderr dcs start --pid $$ extra
	expect_status 2
	run --separate-stderr dcs start --pid $$ --
	expect_status 2
	local verb
	for verb in status stop tune snapshot record report; do
		run --separate-stderr dcs $verb -- touch "$NK_TMP/ran"
		expect_status 2
		expect_err "a command after -- is for start"
	done
	for verb in status stop snapshot record report; do
		run --separate-stderr dcs $verb -a stat --sz 1,2
		expect_status 2
		expect_err "scheme options are for start and tune"
		run --separate-stderr dcs $verb --quota-size 1M
		expect_status 2
		expect_err "scheme options are for start and tune"
	done
	run --separate-stderr dcs tune extra
	expect_status 2
	run --separate-stderr dcs snapshot extra
	expect_status 2
	[ ! -e "$NK_TMP/ran" ]
	no_writes
	diff -r "$PRISTINE" "$ROOT"
}
