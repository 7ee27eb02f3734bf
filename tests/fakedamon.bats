#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The fake DAMON sysfs that damonctl's start, stop and tune tests stand on:
# tests/shim/fakedamon.so, preloaded into a process, makes a copy of a
# fixture under tests/fixtures/damon/ behave as the kernel's
# /sys/kernel/mm/damon/admin does (mm/damon/sysfs*.c).  It is driven here as
# a shell drives sysfs, `printf %s VALUE > FILE` (bash stores through a
# fflush() of its stdout), and through write(2) with dd.  Every test works on
# a copy in its own BATS_TEST_TMPDIR; the host's DAMON sysfs is only read, by
# no test here.

bats_require_minimum_version 1.5.0
load helpers

FIXTURES=$BATS_TEST_DIRNAME/fixtures/damon
ADMIN_PATH=sys/kernel/mm/damon/admin

setup() {
	requires binary tests/shim/fakedamon.so
	SHIM=$NK_BUILD/tests/shim/fakedamon.so
	ROOT=$NK_TMP/root
	ADMIN=$ROOT/$ADMIN_PATH
	LOG=$NK_TMP/fakedamon.log
	TMPL=
	# More FAKEDAMON_* settings for the next put, as VAR=VALUE words.
	SHIM_ENV=()
	unset LD_PRELOAD FAKEDAMON_ROOT FAKEDAMON_TEMPLATE FAKEDAMON_LOG FAKEDAMON_FAIL \
		FAKEDAMON_PID FAKEDAMON_TRIED
}

# Work on a copy of fixture NAME, with template TEMPLATE (a fixture name).
use_fixture() {
	rm -rf "$ROOT"
	mkdir -p "$ROOT"
	cp -R "$FIXTURES/$1/." "$ROOT/"
	TMPL=${2:+$FIXTURES/$2/$ADMIN_PATH}
}

# Run CMD... with the shim on the copy.
shim_run() {
	env LD_PRELOAD="$SHIM" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		FAKEDAMON_ROOT="$ROOT" FAKEDAMON_TEMPLATE="$TMPL" FAKEDAMON_LOG="$LOG" \
		${SHIM_ENV[@]+"${SHIM_ENV[@]}"} "$@"
}

# Store VALUE to admin/REL as a shell does.
put() {
	shim_run bash -c 'printf %s "$1" > "$2"' put "$2" "$ADMIN/$1"
}

# Store VALUE to admin/REL with one write(2).
put_write() {
	printf %s "$2" | shim_run dd of="$ADMIN/$1" status=none
}

# Print what cat shows of admin/REL, with a $ after each line.
got() {
	sed 's/$/$/' "$ADMIN/$1"
}

# Pass if the log holds exactly the lines given, each "REL<TAB>VALUE<TAB>RESULT".
log_is() {
	printf '%s\n' "$@" >"$NK_TMP/want.log"
	[[ -e $LOG ]] || : >"$LOG"
	same_file "$NK_TMP/want.log" "$LOG"
}

# Print the numbered entries of admin/REL, sorted, on one line.
numbered() {
	(cd "$ADMIN/$1" && find . -mindepth 1 -maxdepth 1 -name '[0-9]*' | sed 's|^\./||' |
		sort -n | tr '\n' ' ')
}

K0=kdamonds/0
C0=$K0/contexts/0
S0=$C0/schemes/0

@test "fixtures: every nr_* file counts its numbered siblings, every template is stopped" {
	local tree nr dir want have

	for tree in "$FIXTURES"/*/"$ADMIN_PATH"; do
		while IFS= read -r nr; do
			dir=${nr%/*}
			want=$(<"$nr")
			have=$(find "$dir" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*' | wc -l)
			[ "$want" -eq "$have" ] || { echo "$nr: $want, but $have directories"; false; }
		done < <(find "$tree" -type f -regextype posix-extended \
			-regex '.*/nr_(kdamonds|contexts|targets|regions|schemes|filters|goals|dests|probes)')
	done
	for tree in "$FIXTURES"/template-*/"$ADMIN_PATH"; do
		[ "$(<"$tree/$K0/state")" = off ] || { echo "$tree: not off"; false; }
		[ "$(<"$tree/$K0/pid")" = -1 ]
	done
}

@test "nr_kdamonds makes and removes kdamond directories from the template" {
	use_fixture 5.18-min template-5.18
	put kdamonds/nr_kdamonds 3
	[ "$(numbered kdamonds)" = "0 1 2 " ]
	[ "$(got kdamonds/nr_kdamonds)" = '3$' ]
	# A fresh kdamond, as the kernel makes it: stopped, no context yet.
	[ "$(got kdamonds/2/state)" = 'off$' ]
	[ "$(got kdamonds/2/pid)" = '-1$' ]
	[ "$(got kdamonds/2/contexts/nr_contexts)" = '0$' ]
	[ -z "$(numbered kdamonds/2/contexts)" ]
	put kdamonds/nr_kdamonds 1
	[ "$(numbered kdamonds)" = "0 " ]
	put kdamonds/nr_kdamonds 0
	[ -z "$(numbered kdamonds)" ]
	log_is "kdamonds/nr_kdamonds	3	ok" "kdamonds/nr_kdamonds	1	ok" "kdamonds/nr_kdamonds	0	ok"
}

@test "a new context holds the template's defaults and no numbered children" {
	use_fixture 5.18-min template-5.18
	put kdamonds/nr_kdamonds 1
	put $K0/contexts/nr_contexts 1
	[ "$(got $C0/operations)" = 'vaddr$' ]
	[ "$(got $C0/monitoring_attrs/intervals/sample_us)" = '5000$' ]
	[ "$(got $C0/monitoring_attrs/nr_regions/max)" = '1000$' ]
	[ "$(got $C0/targets/nr_targets)" = '0$' ]
	[ "$(got $C0/schemes/nr_schemes)" = '0$' ]
	[ -z "$(numbered $C0/targets)$(numbered $C0/schemes)" ]
	put $C0/schemes/nr_schemes 2
	[ "$(got $C0/schemes/1/action)" = 'stat$' ]
	[ "$(got $C0/schemes/1/watermarks/metric)" = 'none$' ]
	[ ! -e "$ADMIN/$C0/schemes/1/tried_regions" ]
}

@test "writing the same N again removes the old directories: every value is lost" {
	use_fixture newest template-newest
	[ "$(got $C0/monitoring_attrs/intervals/sample_us)" = '10000$' ]
	[ "$(got $C0/targets/0/pid_target)" = '4343$' ]
	put $K0/contexts/nr_contexts 1
	[ "$(got $C0/monitoring_attrs/intervals/sample_us)" = '5000$' ]
	[ "$(got $C0/targets/nr_targets)" = '0$' ]
	[ ! -e "$ADMIN/$C0/targets/0" ]
	use_fixture newest template-newest
	put $C0/targets/0/regions/nr_regions 1
	[ "$(got $C0/targets/0/regions/0/start)" = '0$' ]
	[ "$(got $C0/targets/0/pid_target)" = '4343$' ]
}

@test "nr_* values: base 0 numbers and one newline; bad ones change nothing" {
	use_fixture 5.18-min template-5.18
	put kdamonds/nr_kdamonds 0x2
	put $K0/contexts/nr_contexts $'1\n'
	cp "$ADMIN/kdamonds/nr_kdamonds" "$NK_TMP/before"
	for v in -1 x 2x '' $'1\n\n' 2147483648 ' 1'; do
		[[ -z $v ]] && continue
		run put kdamonds/nr_kdamonds "$v"
		[ "$status" -ne 0 ]
	done
	run put $K0/contexts/nr_contexts 2
	[ "$status" -ne 0 ]
	same_file "$NK_TMP/before" "$ADMIN/kdamonds/nr_kdamonds"
	[ "$(numbered kdamonds)" = "0 1 " ]
	[ "$(got $K0/contexts/nr_contexts)" = '1$' ]
	log_is "kdamonds/nr_kdamonds	0x2	ok" "kdamonds/0/contexts/nr_contexts	1\\n	ok" \
		"kdamonds/nr_kdamonds	-1	EINVAL" "kdamonds/nr_kdamonds	x	EINVAL" \
		"kdamonds/nr_kdamonds	2x	EINVAL" "kdamonds/nr_kdamonds	1\\n\\n	EINVAL" \
		"kdamonds/nr_kdamonds	2147483648	ERANGE" "kdamonds/nr_kdamonds	 1	EINVAL" \
		"kdamonds/0/contexts/nr_contexts	2	EINVAL"
}

@test "state on/off: the pid file follows, EBUSY and EINVAL as the kernel says" {
	use_fixture newest template-newest
	SHIM_ENV=(FAKEDAMON_PID=77)
	put $K0/state $'on\n'
	[ "$(got $K0/state)" = 'on$' ]
	[ "$(got $K0/pid)" = '77$' ]
	run put $K0/state on
	[ "$status" -ne 0 ]
	[[ $output == *"Device or resource busy"* ]]
	# echo, as people write to sysfs: bash's line-buffered stdout, and a newline.
	shim_run bash -c 'echo off > "$1"' x "$ADMIN/$K0/state"
	[ "$(got $K0/state)" = 'off$' ]
	[ "$(got $K0/pid)" = '-1$' ]
	run put $K0/state off
	[ "$status" -ne 0 ]
	run put $K0/state bogus
	[ "$status" -ne 0 ]
	# Every command but off needs exactly one context.
	put $K0/contexts/nr_contexts 0
	run put $K0/state on
	[ "$status" -ne 0 ]
	[ "$(got $K0/state)" = 'off$' ]
	log_is "kdamonds/0/state	on\\n	ok" "kdamonds/0/state	on	EBUSY" "kdamonds/0/state	off\\n	ok" \
		"kdamonds/0/state	off	EINVAL" "kdamonds/0/state	bogus	EINVAL" \
		"kdamonds/0/contexts/nr_contexts	0	ok" "kdamonds/0/state	on	EINVAL"
}

@test "nr_kdamonds fails with EBUSY while a kdamond runs, and changes nothing" {
	use_fixture newest template-newest
	put kdamonds/nr_kdamonds 2
	put kdamonds/1/contexts/nr_contexts 1
	put kdamonds/1/state on
	[ "$(got kdamonds/1/pid)" = '4242$' ]
	run put kdamonds/nr_kdamonds 2
	[ "$status" -ne 0 ]
	[[ $output == *"Device or resource busy"* ]]
	[ "$(numbered kdamonds)" = "0 1 " ]
	[ "$(got kdamonds/1/state)" = 'on$' ]
	put kdamonds/1/state off
	put kdamonds/nr_kdamonds 1
	[ "$(numbered kdamonds)" = "0 " ]
}

@test "commands need the kdamond on, but clear_schemes_tried_regions" {
	use_fixture newest template-newest
	local cmd
	for cmd in commit commit_schemes_quota_goals update_schemes_stats update_schemes_tried_bytes \
		update_schemes_tried_regions update_schemes_effective_quotas update_tuned_intervals; do
		run put $K0/state $cmd
		[ "$status" -ne 0 ] || { echo "$cmd: accepted while off"; false; }
	done
	put $K0/state clear_schemes_tried_regions
	put $K0/state on
	for cmd in commit commit_schemes_quota_goals update_schemes_stats update_schemes_tried_bytes \
		update_schemes_tried_regions clear_schemes_tried_regions \
		update_schemes_effective_quotas update_tuned_intervals; do
		put $K0/state $cmd
	done
	# A command leaves the state as it is.
	[ "$(got $K0/state)" = 'on$' ]
	[ "$(grep -c '	ok$' "$LOG")" -eq 10 ]
}

@test "commands an older ABI lacks fail with EINVAL (the template says which)" {
	use_fixture 5.18-min template-5.18
	put kdamonds/nr_kdamonds 1
	put $K0/contexts/nr_contexts 1
	put $K0/state on
	put $K0/state update_schemes_stats
	for cmd in commit update_schemes_tried_regions clear_schemes_tried_regions \
		update_schemes_tried_bytes commit_schemes_quota_goals \
		update_schemes_effective_quotas update_tuned_intervals; do
		run put $K0/state $cmd
		[ "$status" -ne 0 ] || { echo "$cmd: accepted by 5.18"; false; }
	done
	# The capture of this machine: its kdamond runs, a 6.18 one.
	use_fixture host-6.18 template-6.18
	[ "$(got $K0/pid)" = '77$' ]
	put $K0/state update_tuned_intervals
	put $K0/state commit
	run put kdamonds/nr_kdamonds 1
	[ "$status" -ne 0 ]
}

@test "update_schemes_tried_regions copies FAKEDAMON_TRIED; tried_bytes and clear" {
	use_fixture newest template-newest
	local tried=$NK_TMP/tried r
	mkdir -p "$tried/0" "$tried/1"
	echo 12288 >"$tried/total_bytes"
	printf '%s\n' 4096 >"$tried/0/start"
	printf '%s\n' 8192 >"$tried/0/end"
	printf '%s\n' 8192 >"$tried/1/start"
	printf '%s\n' 16384 >"$tried/1/end"
	for r in 0 1; do
		echo 3 >"$tried/$r/nr_accesses"
		echo 2 >"$tried/$r/age"
	done
	SHIM_ENV=(FAKEDAMON_TRIED="$tried")
	put $K0/state on
	put $K0/state update_schemes_tried_regions
	[ "$(numbered $S0/tried_regions)" = "0 1 " ]
	[ "$(got $S0/tried_regions/total_bytes)" = '12288$' ]
	[ "$(got $S0/tried_regions/1/end)" = '16384$' ]
	put $K0/state update_schemes_tried_bytes
	[ -z "$(numbered $S0/tried_regions)" ]
	[ "$(got $S0/tried_regions/total_bytes)" = '12288$' ]
	put $K0/state update_schemes_tried_regions
	put $K0/state clear_schemes_tried_regions
	[ -z "$(numbered $S0/tried_regions)" ]
	[ "$(got $S0/tried_regions/total_bytes)" = '0$' ]
}

@test "read-only files, directories and new files cannot be opened for writing" {
	use_fixture newest template-newest
	local rel
	put $K0/state on
	put $K0/state update_schemes_tried_regions
	for rel in $K0/pid $C0/avail_operations $S0/stats/nr_tried $S0/stats/sz_ops_filter_passed \
		$S0/quotas/effective_bytes $S0/tried_regions/total_bytes; do
		cp "$ADMIN/$rel" "$NK_TMP/before"
		run put "$rel" 1
		[ "$status" -ne 0 ]
		[[ $output == *"Permission denied"* ]]
		same_file "$NK_TMP/before" "$ADMIN/$rel"
	done
	run put $K0/no_such_file 1
	[[ $output == *"Permission denied"* ]]
	[ ! -e "$ADMIN/$K0/no_such_file" ]
	run put $K0/contexts 1
	[[ $output == *"Is a directory"* ]]
	# One stats file is the user's: the snapshot limit.
	put $S0/stats/max_nr_snapshots 5
	log_is "kdamonds/0/state	on	ok" "kdamonds/0/state	update_schemes_tried_regions	ok" \
		"kdamonds/0/pid		EACCES" "kdamonds/0/contexts/0/avail_operations		EACCES" \
		"$S0/stats/nr_tried		EACCES" "$S0/stats/sz_ops_filter_passed		EACCES" \
		"$S0/quotas/effective_bytes		EACCES" "$S0/tried_regions/total_bytes		EACCES" \
		"kdamonds/0/no_such_file		EACCES" "kdamonds/0/contexts		EISDIR" \
		"$S0/stats/max_nr_snapshots	5	ok"
}

@test "FAKEDAMON_FAIL: matching writes fail with the errno given and change nothing" {
	use_fixture newest template-newest
	SHIM_ENV=("FAKEDAMON_FAIL=kdamonds/0/state:on=ESRCH,kdamonds/*/contexts/0/operations=5")
	run put $K0/state on
	[ "$status" -ne 0 ]
	[[ $output == *"No such process"* ]]
	[ "$(got $K0/state)" = 'off$' ]
	[ "$(got $K0/pid)" = '-1$' ]
	run put $C0/operations paddr
	[[ $output == *"Input/output error"* ]]
	[ "$(got $C0/operations)" = 'vaddr$' ]
	log_is "kdamonds/0/state	on	ESRCH" "kdamonds/0/contexts/0/operations	paddr	EIO"
}

@test "FAKEDAMON_FAIL with a value: only that value fails" {
	use_fixture newest template-newest
	SHIM_ENV=("FAKEDAMON_FAIL=kdamonds/0/state:commit=EINVAL")
	put $K0/state on
	run put $K0/state commit
	[ "$status" -ne 0 ]
	put $K0/state off
	log_is "kdamonds/0/state	on	ok" "kdamonds/0/state	commit	EINVAL" "kdamonds/0/state	off	ok"
}

@test "operations: a word of avail_operations, or of vaddr/fvaddr/paddr without one" {
	use_fixture host-6.18 template-6.18
	run put $C0/operations vaddr
	[ "$status" -ne 0 ]
	put $C0/operations $'paddr\n'
	[ "$(got $C0/operations)" = 'paddr$' ]
	use_fixture 5.18-min template-5.18
	put kdamonds/nr_kdamonds 1
	put $K0/contexts/nr_contexts 1
	put $C0/operations fvaddr
	[ "$(got $C0/operations)" = 'fvaddr$' ]
	run put $C0/operations paddrx
	[ "$status" -ne 0 ]
}

@test "keyword files take the kernel's words, each in its own directory" {
	use_fixture newest template-newest
	local spec rel value
	for spec in "$S0/action=pageout" "$S0/action=lru_deprio" "$S0/action=migrate_hot" \
		"$S0/watermarks/metric=free_mem_rate" "$S0/quotas/goals/0/target_metric=some_mem_psi_us" \
		"$S0/quotas/goal_tuner=consist" "$S0/core_filters/0/type=target" \
		"$S0/ops_filters/0/type=unmapped" "$S0/ops_filters/0/type=hugepage_size" \
		"$C0/monitoring_attrs/probes/0/filters/0/type=anon"; do
		rel=${spec%%=*} value=${spec#*=}
		put "$rel" "$value"$'\n'
		[ "$(got "$rel")" = "$value\$" ] || { echo "$spec: $(got "$rel")"; false; }
	done
	for spec in "$S0/action=page_out" "$S0/action=Stat" "$S0/watermarks/metric=free" \
		"$S0/quotas/goals/0/target_metric=psi" "$S0/quotas/goal_tuner=fast" \
		"$S0/core_filters/0/type=anon" "$S0/ops_filters/0/type=addr" \
		"$C0/monitoring_attrs/probes/0/filters/0/type=young"; do
		rel=${spec%%=*} value=${spec#*=}
		cp "$ADMIN/$rel" "$NK_TMP/before"
		run put "$rel" "$value"
		[ "$status" -ne 0 ] || { echo "$spec: accepted"; false; }
		same_file "$NK_TMP/before" "$ADMIN/$rel"
	done
	# The deprecated filters/ directory takes both layers' types.
	put $S0/filters/nr_filters 1
	put $S0/filters/0/type addr
	put $S0/filters/0/type young
}

@test "actions that came later are refused by an older ABI" {
	use_fixture 5.18-min template-5.18
	put kdamonds/nr_kdamonds 1
	put $K0/contexts/nr_contexts 1
	put $C0/schemes/nr_schemes 1
	put $S0/action cold
	for a in lru_prio lru_deprio migrate_hot migrate_cold; do
		run put $S0/action $a
		[ "$status" -ne 0 ] || { echo "$a: accepted by 5.18"; false; }
	done
	[ "$(got $S0/action)" = 'cold$' ]
}

@test "booleans take what kstrtobool takes and read back Y or N" {
	use_fixture newest template-newest
	local f=$S0/ops_filters/0/matching v
	for v in Y y 1 yes on On; do
		put $f N
		put $f "$v"
		[ "$(got $f)" = 'Y$' ] || { echo "$v: $(got $f)"; false; }
	done
	for v in N n 0 no off; do
		put $f Y
		put $f "$v"
		[ "$(got $f)" = 'N$' ] || { echo "$v: $(got $f)"; false; }
	done
	for v in maybe o true; do
		run put $f "$v"
		[ "$status" -ne 0 ] || { echo "$v: accepted"; false; }
	done
	put $C0/pause 1
	[ "$(got $C0/pause)" = 'Y$' ]
	put $C0/targets/0/obsolete_target y
	[ "$(got $C0/targets/0/obsolete_target)" = 'Y$' ]
}

@test "numbers: kstrtoul, kstrtouint and kstrtoint, shown in decimal" {
	use_fixture newest template-newest
	put $C0/monitoring_attrs/intervals/sample_us 0x10
	[ "$(got $C0/monitoring_attrs/intervals/sample_us)" = '16$' ]
	put $C0/monitoring_attrs/intervals/aggr_us 010
	[ "$(got $C0/monitoring_attrs/intervals/aggr_us)" = '8$' ]
	put $S0/access_pattern/sz/max 18446744073709551615
	[ "$(got $S0/access_pattern/sz/max)" = '18446744073709551615$' ]
	put $C0/targets/0/pid_target -5
	[ "$(got $C0/targets/0/pid_target)" = '-5$' ]
	put $S0/target_nid +1
	[ "$(got $S0/target_nid)" = '1$' ]
	local spec rel
	for spec in "$S0/access_pattern/sz/max=18446744073709551616" \
		"$C0/monitoring_attrs/intervals/sample_us=-1" "$S0/quotas/ms=1ms" \
		"$S0/quotas/weights/sz_permil=4294967296" "$C0/addr_unit=0" \
		"$C0/targets/0/pid_target=2147483648" "$S0/dests/0/id=-1"; do
		rel=${spec%%=*}
		cp "$ADMIN/$rel" "$NK_TMP/before"
		run put "$rel" "${spec#*=}"
		[ "$status" -ne 0 ] || { echo "$spec: accepted"; false; }
		same_file "$NK_TMP/before" "$ADMIN/$rel"
	done
	grep -q "^$S0/quotas/weights/sz_permil	4294967296	ERANGE\$" "$LOG"
	grep -q "^$C0/addr_unit	0	EINVAL\$" "$LOG"
}

@test "paths keep the newline they are written with, as the kernel does" {
	use_fixture newest template-newest
	put $S0/ops_filters/0/memcg_path /workload
	[ "$(got $S0/ops_filters/0/memcg_path)" = '/workload$' ]
	put $S0/quotas/goals/0/path $'/a\n'
	[ "$(sed -n '$=' "$ADMIN/$S0/quotas/goals/0/path")" -eq 2 ]
	grep -qx "$S0/quotas/goals/0/path	/a\\\\n	ok" "$LOG"
}

@test "the RFC sample files: primitives, filter types, cpumask and tid_arr" {
	use_fixture rfc-sample template-rfc-sample
	local sample=$C0/monitoring_attrs/sample
	[ "$(got $sample/filters/0/cpumask)" = '0-1$' ]
	put $sample/primitives/page_table y
	[ "$(got $sample/primitives/page_table)" = 'Y$' ]
	put $sample/filters/nr_filters 2
	[ "$(got $sample/filters/1/type)" = 'cpumask$' ]
	[ "$(got $sample/filters/1/cpumask)" = '$' ]
	put $sample/filters/1/type threads
	put $sample/filters/1/type write
	run put $sample/filters/1/type anon
	[ "$status" -ne 0 ]
	put $sample/filters/0/cpumask 1,0
	[ "$(got $sample/filters/0/cpumask)" = '0-1$' ]
	put $sample/filters/0/cpumask 0
	[ "$(got $sample/filters/0/cpumask)" = '0$' ]
	run put $sample/filters/0/cpumask 100000
	[ "$status" -ne 0 ]
	put $sample/filters/1/tid_arr 300,100,200
	[ "$(got $sample/filters/1/tid_arr)" = '300,100,200$' ]
	run put $sample/filters/1/tid_arr none
	[ "$status" -ne 0 ]
	grep -q "tid_arr	none	ENOENT\$" "$LOG"
	grep -q "cpumask	100000	ERANGE\$" "$LOG"
}

@test "write(2): one store per write, errors from write itself" {
	use_fixture newest template-newest
	put_write $K0/state on
	[ "$(got $K0/state)" = 'on$' ]
	run put_write $K0/state on
	[ "$status" -ne 0 ]
	[[ $output == *"Device or resource busy"* ]]
	run put_write $K0/pid 1
	[[ $output == *"Permission denied"* ]]
	log_is "kdamonds/0/state	on	ok" "kdamonds/0/state	on	EBUSY" "kdamonds/0/pid		EACCES"
}

@test "a file whose directory an nr_* write removed: ENODEV" {
	use_fixture newest template-newest
	run shim_run bash -c 'exec 3>"$1" && printf 1 >"$2" && printf on >&3' x \
		"$ADMIN/$K0/state" "$ADMIN/kdamonds/nr_kdamonds"
	[ "$status" -ne 0 ]
	[[ $output == *"No such device"* ]]
	[ "$(got $K0/state)" = 'off$' ]
	log_is "kdamonds/nr_kdamonds	1	ok" "kdamonds/0/state	on	ENODEV"
}

@test "files outside admin/, and everything without FAKEDAMON_ROOT, are left alone" {
	use_fixture newest template-newest
	shim_run bash -c 'printf %s plain > "$1"' x "$ROOT/other"
	[ "$(<"$ROOT/other")" = plain ]
	[ ! -e "$LOG" ]
	# Without a root the copy is a plain tree again: anything goes, nothing is logged.
	env LD_PRELOAD="$SHIM" FAKEDAMON_LOG="$LOG" bash -c 'printf %s 42 > "$1"' x "$ADMIN/$K0/pid"
	[ "$(got $K0/pid)" = '42$' ]
	[ ! -e "$LOG" ]
}

@test "capture-damon.sh copies a tree file by file, under sh and busybox sh" {
	local shell out
	# The tree read is a fixture: the host's own is for the capture itself.
	export DAMON_ADMIN=$FIXTURES/newest/$ADMIN_PATH
	for shell in sh "busybox sh"; do
		[[ $shell == busybox* ]] && ! command -v busybox >/dev/null && continue
		out=$NK_TMP/capture-${shell// /-}
		run $shell "$FIXTURES/capture-damon.sh" "$out"
		[ "$status" -eq 0 ]
		diff -r "$FIXTURES/newest" "$out"
	done
	run sh "$FIXTURES/capture-damon.sh" /sys/kernel/mm/damon/x
	[ "$status" -eq 2 ]
	[[ $output == *"refusing to write under /sys"* ]]
	run sh "$FIXTURES/capture-damon.sh"
	[ "$status" -eq 2 ]
}
