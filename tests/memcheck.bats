#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Every tool's main paths under valgrind memcheck: no error, no leak of any
# kind (still reachable included).  valgrind cannot run an ASan binary, so with
# a SANITIZE=1 build these run the plain copy that `make check` then builds in
# $B/plain (NUMAKIT_PLAIN_BUILD).  What they run is the same as in the other
# files: a workload of tests/workload, the --sysroot fixtures, and for
# damonctl copies of the DAMON fixtures behind tests/shim/fakedamon.so.
#
# Debian 12's valgrind (3.19) does not know pidfd_open (syscall 434) and
# fails it with ENOSYS, as a kernel before 5.3 does: under it the tools hold
# their targets by start time (numakit(7), KERNEL FEATURES), so the paths on
# a PID run here through that fallback; the other files cover the pidfd.

bats_require_minimum_version 1.5.0
load helpers

DAMON_FX=$BATS_TEST_DIRNAME/fixtures/damon
SPM_FX=$BATS_TEST_DIRNAME/fixtures/spm
ADMIN_PATH=sys/kernel/mm/damon/admin

setup() {
	requires command valgrind
	PLAIN=${NUMAKIT_PLAIN_BUILD:-}
	if [[ -z $PLAIN ]]; then
		grep -q 'sanitize=1' "$NK_BUILD/.build-sig" 2>/dev/null &&
			skip "the build uses the sanitizers and NUMAKIT_PLAIN_BUILD is not set (make check sets it)"
		PLAIN=$NK_BUILD
	fi
	[[ -x $PLAIN/mapsdump ]] || skip "no plain build in $PLAIN"
	# start_workload's target, from the same plain build.
	WL=$PLAIN/tests/workload/nk-workload
}

# Run tool $1 of the plain build under memcheck; status 99 is valgrind's own.
vg() {
	local tool=$1

	shift
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
		--errors-for-leak-kinds=all --track-fds=no \
		--suppressions="$BATS_TEST_DIRNAME/valgrind.supp" "$PLAIN/$tool" "$@"
}

# After `run --separate-stderr vg ...`: status $1 and nothing from valgrind.
expect_clean() {
	if ((status == $1)) && ! grep -q '^==[0-9]*==' <<<"$stderr"; then
		return 0
	fi
	printf 'expected status %s, got %s\n--- stderr:\n%s\n' "$1" "$status" "$stderr"
	return 1
}

@test "memcheck: mapsdump default, -J, --numa, --check, --ranges on a workload" {
	start_workload
	for args in "" -J --numa --check --ranges; do
		# shellcheck disable=SC2086 # one option or none
		run --separate-stderr vg mapsdump $args "$WL_PID"
		expect_clean 0
		[ -n "$output" ]
	done
}

# String and argv options: opt_free() frees what popt allocated for them.
@test "memcheck: pmbind --show, -J, --dry-run, a ptrace bind and a migrate" {
	start_workload
	run --separate-stderr vg pmbind --show -p "$WL_PID"
	expect_clean 0
	run --separate-stderr vg pmbind -J --show -p "$WL_PID"
	expect_clean 0
	run --separate-stderr vg pmbind --dry-run -p "$WL_PID" --membind 0 --all
	expect_clean 0
	run --separate-stderr vg pmbind --method ptrace -p "$WL_PID" --membind 0 --vma '[heap]'
	expect_clean 0
	run --separate-stderr vg pmbind --method migrate -p "$WL_PID" --membind 0 --all
	expect_clean 0
}

@test "memcheck: cpumm PID, -J PID and -- CMD" {
	start_workload
	run --separate-stderr vg cpumm "$WL_PID"
	expect_clean 0
	run --separate-stderr vg cpumm -J "$WL_PID"
	expect_clean 0
	run --separate-stderr vg cpumm -- true
	expect_clean 0
}

@test "memcheck: cpumm -a and -J -a" {
	run --separate-stderr vg cpumm -a
	expect_clean 0
	run --separate-stderr vg cpumm -J -a
	expect_clean 0
}

@test "memcheck: spmctl list, show, who, -J on the host and on fixtures" {
	run --separate-stderr vg spmctl list
	expect_clean 0
	run --separate-stderr vg spmctl who
	expect_clean 0
	run --separate-stderr vg spmctl --sysroot "$SPM_FX/vm-3node" list
	expect_clean 0
	run --separate-stderr vg spmctl --sysroot "$SPM_FX/vm-3node" -J list
	expect_clean 0
	run --separate-stderr vg spmctl --sysroot "$SPM_FX/vm-softreserved-online" show 2
	expect_clean 0
	run --separate-stderr vg spmctl --sysroot "$SPM_FX/vm-softreserved-online" -J show 2
	expect_clean 0
}

@test "memcheck: spmctl online and offline --dry-run on the soft-reserved fixtures" {
	run --separate-stderr vg spmctl --sysroot "$SPM_FX/vm-softreserved" online --dry-run dax0.0
	expect_clean 0
	[[ $output == *online* ]]
	run --separate-stderr vg spmctl --sysroot "$SPM_FX/vm-softreserved-online" offline \
		--dry-run dax0.0
	expect_clean 0
	[[ $output == *offline* ]]
}

# A copy of DAMON fixture $1 in ROOT, the shim's template $2, as damonctl.bats.
damon_fixture() {
	ROOT=$NK_TMP/root
	mkdir -p "$ROOT"
	cp -R "$DAMON_FX/$1/." "$ROOT/"
	TMPL=${2:+$DAMON_FX/$2/$ADMIN_PATH}
}

# damonctl under memcheck with the shim, which valgrind's own preload keeps.
vgs() {
	env LD_PRELOAD="$PLAIN/tests/shim/fakedamon.so" FAKEDAMON_ROOT="$ROOT" \
		FAKEDAMON_TEMPLATE="$TMPL" FAKEDAMON_LOG="$NK_TMP/fakedamon.log" \
		FAKEDAMON_PID=4242 ${TRIED:+FAKEDAMON_TRIED="$TRIED"} \
		valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all \
		--errors-for-leak-kinds=all --track-fds=no \
		--suppressions="$BATS_TEST_DIRNAME/valgrind.supp" \
		"$PLAIN/damonctl" --sysroot "$ROOT" "$@"
}

# String and argv options: opt_free() frees what popt allocated for them.
@test "memcheck: damonctl status, -J status, start and start --dry-run on fixtures" {
	damon_fixture captured/6.12-running
	run --separate-stderr vg damonctl --sysroot "$ROOT" status
	expect_clean 0
	run --separate-stderr vg damonctl --sysroot "$ROOT" -J status
	expect_clean 0
	rm -rf "$ROOT"
	damon_fixture captured/6.12-empty captured/6.12-template
	run --separate-stderr vgs start --dry-run --pid $$ -a pageout --age 2s,max
	expect_clean 0
	[ -n "$output" ]
	run --separate-stderr vgs start --pid $$
	expect_clean 0
}

# String and argv options: opt_free() frees what popt allocated for them.
@test "memcheck: damonctl snapshot, -J snapshot and record with the shim; report" {
	damon_fixture captured/6.12-running captured/6.12-template
	mkdir -p "$ROOT/run/numakit/damonctl"
	printf '{ "kdamond": 0, "pid": 515, "start_time": %d, "started_by": 1, "what": "start" }\n' \
		"$(awk '{ print $22 }' "$ROOT/proc/515/stat")" >"$ROOT/run/numakit/damonctl/kdamond-0.json"
	TRIED=$NK_TMP/tried
	cp -R "$DAMON_FX/captured/6.12-tried/$ADMIN_PATH/kdamonds/0/contexts/0/schemes/0/tried_regions" \
		"$TRIED"
	run --separate-stderr vgs snapshot
	expect_clean 0
	run --separate-stderr vgs -J snapshot
	expect_clean 0
	run --separate-stderr vgs record -o "$NK_TMP/rec.jsonl" --interval 100ms --duration 300ms
	expect_clean 0
	[ -s "$NK_TMP/rec.jsonl" ]
	run --separate-stderr vg damonctl --sysroot "$ROOT" report wss "$NK_TMP/rec.jsonl"
	expect_clean 0
	run --separate-stderr vg damonctl --sysroot "$ROOT" report heatmap \
		"$DAMON_FX/recordings/heat-vaddr.jsonl"
	expect_clean 0
	run --separate-stderr vg damonctl --sysroot "$ROOT" -J report wss \
		"$DAMON_FX/recordings/heat-vaddr.jsonl"
	expect_clean 0
}
