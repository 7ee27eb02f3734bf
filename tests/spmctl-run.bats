#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# spmctl run, who, online and offline on the host lane: one NUMA node, no
# SPM interface, no dax device.  run and who work on real processes on node
# 0; who's node kinds and page sums are also checked on a captured tree with
# made-up /proc/PID/numa_maps.  online and offline never touch this host:
# they run on copies of the trees of tests/fixtures/spm/ (captured in the VM
# lane's guest), with --dry-run for what they would write, and without it
# only where they must refuse before any write.  tests/vm/spmctl.bats and
# tests/vm/softreserved/spmctl.bats do it for real.

bats_require_minimum_version 1.5.0
load helpers

FIX=$NK_SRC/tests/fixtures/spm
MIB=$((1 << 20))

setup() {
	requires binary spmctl
	SP=$NK_BUILD/spmctl
	WL=$NK_BUILD/tests/workload/nk-workload
	PAGE=$(getconf PAGESIZE)
}

# A copy of fixture tree $1 in $NK_TMP/$1 (a test never writes to the
# committed tree); TREE is its path.
fixture() {
	[[ -d $FIX/$1/sys ]] || skip "no fixture tree tests/fixtures/spm/$1"
	cp -a "$FIX/$1" "$NK_TMP/$1"
	TREE=$NK_TMP/$1
}

# The directory of dax0.0 in TREE (the bus link points into /sys/devices).
dax_dir() {
	realpath "$TREE/sys/bus/dax/devices/dax0.0"
}

# Checksums of every file and link of TREE, to prove nothing was written.
tree_sum() {
	(cd "$TREE" && find . -type f -exec md5sum {} + | sort && find . -type l -printf '%p %l\n' | sort)
}

# Start nk-workload with a 16 MiB region it touches on SIGUSR1; wait until
# the region's pages exist.  WL_PID is its pid.
start_touched() {
	local i

	requires binary tests/workload/nk-workload
	start_bg "$WL" --lazy "$NK_TMP/lazy" --ready "$NK_TMP/ready"
	WL_PID=$NK_BG_PID
	wait_for_file "$NK_TMP/ready"
	kill -USR1 "$WL_PID"
	wait_for_file "$NK_TMP/lazy.touched"
}

# ---- who ----

@test "who 0 finds a workload that touched 16 MiB, with its pages, comm and size" {
	requires file /proc/self/numa_maps
	start_touched
	run --separate-stderr "$SP" who -J 0
	[ "$status" -eq 0 ]
	jq -e --argjson pid "$WL_PID" '.processes[] | select(.pid == $pid)' <<<"$output" \
		>"$NK_TMP/row"
	cat "$NK_TMP/row"
	[ "$(jq -r .comm "$NK_TMP/row")" = nk-workload ]
	[ "$(jq -r .node "$NK_TMP/row")" = 0 ]
	# The region alone is 16 MiB; the rest of the process adds a little.
	pages=$(jq -r .pages "$NK_TMP/row")
	((pages >= 16 * MIB / PAGE && pages < 64 * MIB / PAGE))
	[ "$(jq -r .size "$NK_TMP/row")" -eq $((pages * PAGE)) ]
	# The text table says the same.
	run --separate-stderr "$SP" who -r -n -o PID,COMM,NODE,PAGES 0
	[ "$status" -eq 0 ]
	grep -Fx "$WL_PID nk-workload 0 $pages" <<<"$output"
}

@test "who: rows sorted by pages, largest first; spmctl itself is not listed" {
	requires file /proc/self/numa_maps
	start_touched
	run --separate-stderr "$SP" who -J 0
	[ "$status" -eq 0 ]
	jq -r '.processes[].pages' <<<"$output" >"$NK_TMP/pages"
	sort -rn "$NK_TMP/pages" >"$NK_TMP/sorted"
	same_file "$NK_TMP/sorted" "$NK_TMP/pages"
	[ "$(wc -l <"$NK_TMP/pages")" -ge 2 ]
	! jq -e '.processes[] | select(.comm == "spmctl")' <<<"$output"
}

@test "who: default columns, and every column with --output-all" {
	requires file /proc/self/numa_maps
	run --separate-stderr "$SP" who 0
	[ "$status" -eq 0 ]
	read -r -a head <<<"${lines[0]}"
	[ "${head[*]}" = "PID COMM NODE PAGES SIZE" ]
	run --separate-stderr "$SP" who --output-all 0
	[ "$status" -eq 0 ]
	read -r -a head <<<"${lines[0]}"
	[ "${head[*]}" = "PID COMM NODE KIND PAGES SIZE PERCENT" ]
	run --separate-stderr "$SP" who -o PID,FROB 0
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "spmctl: unknown column 'FROB'" ]
}

@test "who: processes that exit during the scan are skipped silently" {
	requires file /proc/self/numa_maps
	# Short-lived processes, started and ended all the time while who scans.
	start_bg bash -c 'while :; do for i in 1 2 3 4 5 6 7 8; do /bin/true & done; wait; done'
	for i in 1 2 3 4 5 6 7 8 9 10; do
		run --separate-stderr "$SP" who 0
		[ "$status" -eq 0 ]
		if grep -E 'No such process|cannot read' <<<"$stderr" | grep -v 'Permission denied'; then
			echo "who $i said: $stderr"
			return 1
		fi
	done
}

@test "who as an unprivileged user: unreadable processes counted once on stderr" {
	requires root
	requires command setpriv
	local dir

	start_touched
	dir=$(mktemp -d /tmp/nk-spmctl.XXXXXX)
	chmod 755 "$dir"
	cp "$SP" "$dir/"
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$dir/spmctl" who -J 0
	rm -rf "$dir"
	echo "$stderr"
	[ "$status" -eq 0 ]
	# root's workload cannot be read by nobody: it is not listed...
	! jq -e --argjson pid "$WL_PID" '.processes[] | select(.pid == $pid)' <<<"$output"
	# ...and said once, with the count.
	[ "$(grep -c 'cannot read the numa_maps of' <<<"$stderr")" -eq 1 ]
	grep -Eq '^spmctl: warning: cannot read the numa_maps of [0-9]+ of [0-9]+ processes: Permission denied$' <<<"$stderr"
	grep -Fxq 'spmctl: hint: run as root to see every process' <<<"$stderr"
}

@test "who: an unknown node or a malformed list is a usage error" {
	for list in 7 0-7 abc 0, "" 1-0; do
		run --separate-stderr "$SP" who "$list"
		echo "'$list': $status $stderr"
		[ "$status" -eq 2 ]
		[[ ${stderr_lines[0]} == "spmctl: invalid node list '$list'"* ]]
		[ "${stderr_lines[1]}" = "Try 'spmctl --help' for more information." ]
		[ -z "$output" ]
	done
}

# A captured three-node tree (node 2 CPU-less) with made-up processes:
# 4242 with 1500 pages on node 2, 4243 with 100 on node 0 and 50 on node 2,
# 4244 with two 2 MiB huge pages on node 2, 4245 on node 0 only, and 4246
# with an empty numa_maps (a kernel thread).
make_who_tree() {
	local p

	fixture vm-3node
	for p in 4242 4243 4244 4245 4246; do
		mkdir -p "$TREE/proc/$p"
	done
	echo spm-user >"$TREE/proc/4242/comm"
	printf '%s\n' '7f0000000000 bind:2 anon=1000 dirty=1000 N2=1000 kernelpagesize_kB=4' \
		'7f0000400000 bind:2 anon=500 dirty=500 N2=500 kernelpagesize_kB=4' \
		>"$TREE/proc/4242/numa_maps"
	echo mixed >"$TREE/proc/4243/comm"
	printf '%s\n' '7f0000000000 interleave:0,2 anon=150 dirty=150 N0=100 N2=50 kernelpagesize_kB=4' \
		>"$TREE/proc/4243/numa_maps"
	echo huge >"$TREE/proc/4244/comm"
	printf '%s\n' '7f0000000000 default file=/dev/hugepages/x huge dirty=2 N2=2 kernelpagesize_kB=2048' \
		>"$TREE/proc/4244/numa_maps"
	echo sysram-only >"$TREE/proc/4245/comm"
	printf '%s\n' '55d000000000 default heap anon=10 dirty=10 N0=7 N1=3 kernelpagesize_kB=4' \
		>"$TREE/proc/4245/numa_maps"
	echo kthreadd >"$TREE/proc/4246/comm"
	: >"$TREE/proc/4246/numa_maps"
}

@test "who (default): the CPU-less node of a captured tree, huge pages in base pages, sorted" {
	[ "$PAGE" -eq 4096 ] || skip "the expected values assume 4 KiB pages"
	make_who_tree
	run --separate-stderr "$SP" --sysroot "$TREE" who -J --output-all
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	jq -c '.processes[]' <<<"$output" >"$NK_TMP/got"
	cat >"$NK_TMP/expect" <<-'EOF'
	{"pid":4242,"comm":"spm-user","node":2,"kind":"cpuless","pages":1500,"size":6144000,"percent":100.0}
	{"pid":4244,"comm":"huge","node":2,"kind":"cpuless","pages":1024,"size":4194304,"percent":100.0}
	{"pid":4243,"comm":"mixed","node":2,"kind":"cpuless","pages":50,"size":204800,"percent":33.3}
	EOF
	jq -c . "$NK_TMP/expect" >"$NK_TMP/expect.c"
	same_file "$NK_TMP/expect.c" "$NK_TMP/got"
	# The text form, sizes human-readable.
	run --separate-stderr "$SP" --sysroot "$TREE" who
	[ "$status" -eq 0 ]
	printf '%s\n' '  PID COMM     NODE PAGES   SIZE' \
		' 4242 spm-user    2  1500   5.9M' \
		' 4244 huge        2  1024     4M' \
		' 4243 mixed       2    50   200K' >"$NK_TMP/expect"
	printf '%s\n' "${lines[@]}" >"$NK_TMP/got"
	same_file "$NK_TMP/expect" "$NK_TMP/got"
}

@test "who NODES on a captured tree: the kernel's list format, checked against the tree's nodes" {
	make_who_tree
	run --separate-stderr "$SP" --sysroot "$TREE" who -r -n -o PID,NODE,PAGES 0 2
	[ "$status" -eq 0 ]
	printf '%s\n' '4242 2 1500' '4244 2 1024' '4243 0 100' '4243 2 50' '4245 0 7' \
		>"$NK_TMP/expect"
	printf '%s\n' "${lines[@]}" >"$NK_TMP/got"
	same_file "$NK_TMP/expect" "$NK_TMP/got"
	run --separate-stderr "$SP" --sysroot "$TREE" who 5
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "spmctl: invalid node list '5': no node 5 in $TREE" ]
}

@test "who on a one-node machine: no SPM, private or CPU-less node to look at" {
	fixture host-1node
	run --separate-stderr "$SP" --sysroot "$TREE" who
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$stderr" = "spmctl: no spm, private or cpuless node here: nothing to look for (name nodes: who NODES)" ]
	run --separate-stderr "$SP" --sysroot "$TREE" who -J
	[ "$status" -eq 0 ]
	[ "$(jq -c . <<<"$output")" = '{"processes":[]}' ]
}

# ---- run ----

@test "run: exits with the command's status, and with 128+N when a signal ends it" {
	run "$SP" run --nodes=0 -- sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run "$SP" run --nodes=0 -- true
	[ "$status" -eq 0 ]
	run "$SP" run --nodes=0 -- sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
}

@test "run: the command takes spmctl's place (same pid), its output is its own" {
	local pid out=$NK_TMP/out

	"$SP" run --nodes=0 -- sh -c 'echo $$; echo to-stderr >&2' >"$out" 2>&1 &
	pid=$!
	wait "$pid"
	printf '%s\n' "$pid" to-stderr >"$NK_TMP/expect"
	same_file "$NK_TMP/expect" "$out"
}

@test "run: 127 for a command that is not found, 126 for one that cannot run" {
	run -127 --separate-stderr "$SP" run --nodes=0 -- "$NK_TMP/no-such-command"
	[ "$status" -eq 127 ]
	[ "$stderr" = "spmctl: cannot run '$NK_TMP/no-such-command': No such file or directory" ]
	run -127 --separate-stderr "$SP" run --nodes=0 -- nk-no-such-command-on-path
	[ "$status" -eq 127 ]
	printf 'not a program\n' >"$NK_TMP/data"
	chmod 644 "$NK_TMP/data"
	run --separate-stderr "$SP" run --nodes=0 -- "$NK_TMP/data"
	[ "$status" -eq 126 ]
	[ "$stderr" = "spmctl: cannot run '$NK_TMP/data': Permission denied" ]
	run --separate-stderr "$SP" run --nodes=0 -- "$NK_TMP"
	[ "$status" -eq 126 ]
}

@test "run: no command, an empty command, no --nodes: usage errors" {
	for args in "--nodes=0 --" "--nodes=0" "-- true" "--nodes=0 -- ''"; do
		eval "set -- $args"
		run --separate-stderr "$SP" run "$@"
		echo "$args: $status $stderr"
		[ "$status" -eq 2 ]
		[ "${stderr_lines[1]}" = "Try 'spmctl --help' for more information." ]
	done
	run --separate-stderr "$SP" run --nodes=0 true
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "spmctl: unexpected argument 'true' (the command goes after --)" ]
}

@test "run: an unknown node or a malformed list is a usage error, and nothing runs" {
	for list in 7 0-7 abc "" 0x; do
		run --separate-stderr "$SP" run --nodes="$list" -- touch "$NK_TMP/ran"
		echo "'$list': $status $stderr"
		[ "$status" -eq 2 ]
		[ ! -e "$NK_TMP/ran" ]
	done
	run --separate-stderr "$SP" run --nodes=7 -- true
	[[ ${stderr_lines[0]} == "spmctl: invalid node list '7': "* ]]
}

@test "run --policy: bind, preferred and interleave as numa_maps shows them; others refused" {
	requires file /proc/self/numa_maps
	local policy want

	for policy in bind preferred interleave; do
		case $policy in
		bind) want=bind:0 ;;
		preferred) want=prefer:0 ;;
		interleave) want=interleave:0 ;;
		esac
		run --separate-stderr "$SP" run --nodes=0 --policy="$policy" -- cat /proc/self/numa_maps
		[ "$status" -eq 0 ]
		# Every mapping of the command has the task policy (no VMA policy of its own).
		awk '{ print $2 }' <<<"$output" | sort -u >"$NK_TMP/policies"
		echo "$want" >"$NK_TMP/expect"
		same_file "$NK_TMP/expect" "$NK_TMP/policies"
	done
	# bind is the default.
	run --separate-stderr "$SP" run --nodes=0 -- cat /proc/self/numa_maps
	[ "$(awk '{ print $2 }' <<<"$output" | sort -u)" = bind:0 ]
	for policy in frob BIND local "" preferred-many; do
		run --separate-stderr "$SP" run --nodes=0 --policy="$policy" -- true
		[ "$status" -eq 2 ]
		[ "${stderr_lines[0]}" = "spmctl: invalid policy '$policy': use bind, preferred or interleave" ]
	done
}

@test "run -v: this kernel refuses MPOL_F_SPM_NODE, so the policy is the plain one, and says so" {
	run --separate-stderr "$SP" run -v --nodes=0 -- true
	[ "$status" -eq 0 ]
	[ "$stderr" = "spmctl: the kernel refused MPOL_F_SPM_NODE (no SPM support): plain policy bind on nodes 0" ]
	# Without -v, nothing.
	run --separate-stderr "$SP" run --nodes=0 -- true
	[ -z "$stderr" ]
}

@test "run --dry-run: the policy the kernel takes and the command, quoted; nothing runs" {
	run --separate-stderr "$SP" run --dry-run --nodes=0 --policy=interleave -- \
		touch "$NK_TMP/ran" "a b" "it's"
	[ "$status" -eq 0 ]
	[ ! -e "$NK_TMP/ran" ]
	printf '%s\n' 'policy: interleave nodes 0' \
		"exec: touch $NK_TMP/ran 'a b' 'it'\\''s'" >"$NK_TMP/expect"
	printf '%s\n' "${lines[@]}" >"$NK_TMP/got"
	same_file "$NK_TMP/expect" "$NK_TMP/got"
	# -n is --dry-run for run.
	run --separate-stderr "$SP" run -n --nodes=0 -- touch "$NK_TMP/ran"
	[ "$status" -eq 0 ]
	[ ! -e "$NK_TMP/ran" ]
}

# ---- online / offline, on copies of captured trees ----

@test "online/offline: a dax device that does not exist is a usage error (2)" {
	fixture vm-softreserved
	for verb in online offline; do
		for dev in dax9.9 dax0 ../dax0.0 ""; do
			run --separate-stderr "$SP" --sysroot "$TREE" "$verb" "$dev"
			echo "$verb '$dev': $status $stderr"
			[ "$status" -eq 2 ]
			[ "${stderr_lines[0]}" = "spmctl: no dax device '$dev'" ]
		done
	done
}

@test "online/offline on a machine without dax devices: 2, and the hint says there are none" {
	fixture host-1node
	run --separate-stderr "$SP" --sysroot "$TREE" online dax0.0
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "spmctl: no dax device 'dax0.0'" ]
	[[ ${stderr_lines[1]} == "spmctl: hint: this system has no dax device"* ]]
}

@test "online of a device already online (bound to kmem, every block online): 1" {
	fixture vm-softreserved-online
	tree_sum >"$NK_TMP/before"
	run --separate-stderr "$SP" --sysroot "$TREE" online dax0.0
	[ "$status" -eq 1 ]
	[ "$stderr" = "spmctl: dax0.0 is already online as node 2" ]
	run --separate-stderr "$SP" --sysroot "$TREE" online --dry-run dax0.0
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	tree_sum >"$NK_TMP/after"
	same_file "$NK_TMP/before" "$NK_TMP/after"
}

@test "offline of a device that is not online (on device_dax): 1" {
	fixture vm-softreserved
	run --separate-stderr "$SP" --sysroot "$TREE" offline dax0.0
	[ "$status" -eq 1 ]
	[ "$stderr" = "spmctl: dax0.0 is not online (bound to device_dax)" ]
}

@test "online --dry-run: device_dax/unbind, kmem/bind, every block online_movable (or online_kernel)" {
	fixture vm-softreserved
	tree_sum >"$NK_TMP/before"
	run --separate-stderr "$SP" --sysroot "$TREE" online --dry-run dax0.0
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	{
		echo 'echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind'
		echo 'echo dax0.0 > /sys/bus/dax/drivers/kmem/bind'
		for i in $(seq 32 39); do
			echo "echo online_movable > /sys/devices/system/memory/memory$i/state"
		done
	} >"$NK_TMP/expect"
	printf '%s\n' "${lines[@]}" >"$NK_TMP/got"
	same_file "$NK_TMP/expect" "$NK_TMP/got"
	run --separate-stderr "$SP" --sysroot "$TREE" online -n --normal dax0.0
	[ "$status" -eq 0 ]
	sed 's/online_movable/online_kernel/' "$NK_TMP/expect" >"$NK_TMP/expect2"
	printf '%s\n' "${lines[@]}" >"$NK_TMP/got"
	same_file "$NK_TMP/expect2" "$NK_TMP/got"
	tree_sum >"$NK_TMP/after"
	same_file "$NK_TMP/before" "$NK_TMP/after"
}

@test "offline --dry-run: every block offline, kmem/unbind, device_dax/bind" {
	fixture vm-softreserved-online
	run --separate-stderr "$SP" --sysroot "$TREE" offline --dry-run dax0.0
	[ "$status" -eq 0 ]
	{
		for i in $(seq 32 39); do
			echo "echo offline > /sys/devices/system/memory/memory$i/state"
		done
		echo 'echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind'
		echo 'echo dax0.0 > /sys/bus/dax/drivers/device_dax/bind'
	} >"$NK_TMP/expect"
	printf '%s\n' "${lines[@]}" >"$NK_TMP/got"
	same_file "$NK_TMP/expect" "$NK_TMP/got"
}

@test "online/offline of a tree without --dry-run: refused before any write (2)" {
	fixture vm-softreserved
	tree_sum >"$NK_TMP/before"
	run --separate-stderr "$SP" --sysroot "$TREE" online dax0.0
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "spmctl: a --sysroot tree cannot bind drivers or online memory: add --dry-run to see the writes" ]
	tree_sum >"$NK_TMP/after"
	same_file "$NK_TMP/before" "$NK_TMP/after"
	rm -rf "$TREE"
	fixture vm-softreserved-online
	tree_sum >"$NK_TMP/before"
	run --separate-stderr "$SP" --sysroot "$TREE" offline dax0.0
	[ "$status" -eq 2 ]
	tree_sum >"$NK_TMP/after"
	same_file "$NK_TMP/before" "$NK_TMP/after"
}

@test "online --spm: exit 4 naming the RFC where dax devices have no spm_node" {
	fixture vm-softreserved
	run --separate-stderr "$SP" --sysroot "$TREE" online --spm --dry-run dax0.0
	[ "$status" -eq 4 ]
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = 'spmctl: dax0.0 has no spm_node attribute: marking memory SPM needs the "Specific Purpose Memory NUMA nodes" RFC (v2)' ]
}

@test "online --spm with the spm_node attribute (SPM RFC v2): spm_node is written first" {
	fixture vm-softreserved
	echo 0 >"$(dax_dir)/spm_node"
	run --separate-stderr "$SP" --sysroot "$TREE" online --spm --dry-run dax0.0
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "echo 1 > /sys/bus/dax/devices/dax0.0/spm_node" ]
	[ "${lines[1]}" = "echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind" ]
	[ "${#lines[@]}" -eq 11 ]
	# Already 1: nothing to write; without --spm it is left alone.
	echo 1 >"$(dax_dir)/spm_node"
	run --separate-stderr "$SP" --sysroot "$TREE" online --spm --dry-run dax0.0
	[ "${lines[0]}" = "echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind" ]
	echo 0 >"$(dax_dir)/spm_node"
	run --separate-stderr "$SP" --sysroot "$TREE" online --dry-run dax0.0
	[ "${lines[0]}" = "echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind" ]
}

@test "online without the kmem driver: 4, with the module to load" {
	fixture vm-softreserved
	rm -rf "$TREE/sys/bus/dax/drivers/kmem"
	run --separate-stderr "$SP" --sysroot "$TREE" online --dry-run dax0.0
	[ "$status" -eq 4 ]
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "spmctl: no kmem driver (/sys/bus/dax/drivers/kmem)" ]
	[ "${stderr_lines[1]}" = "spmctl: hint: load it: modprobe kmem (CONFIG_DEV_DAX_KMEM)" ]
}

@test "online of a device on kmem whose blocks are offline: only the blocks are onlined" {
	fixture vm-softreserved-kmem-offline
	run --separate-stderr "$SP" --sysroot "$TREE" online --dry-run dax0.0
	[ "$status" -eq 0 ]
	for i in $(seq 32 39); do
		echo "echo online_movable > /sys/devices/system/memory/memory$i/state"
	done >"$NK_TMP/expect"
	printf '%s\n' "${lines[@]}" >"$NK_TMP/got"
	same_file "$NK_TMP/expect" "$NK_TMP/got"
}

@test "online/offline with -J and --dry-run, or with an option of another command: usage errors" {
	fixture vm-softreserved
	run --separate-stderr "$SP" --sysroot "$TREE" online -J --dry-run dax0.0
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "spmctl: --dry-run prints shell commands: not with -J" ]
	run --separate-stderr "$SP" --sysroot "$TREE" online --movable --normal dax0.0
	[ "$status" -eq 2 ]
	run --separate-stderr "$SP" --sysroot "$TREE" offline --spm dax0.0
	[ "$status" -eq 2 ]
	run --separate-stderr "$SP" --sysroot "$TREE" online dax0.0 dax1.0
	[ "$status" -eq 2 ]
}

@test "online/offline of a device whose memory kmem left behind (stuck): 1, and why" {
	fixture vm-softreserved-stuck
	for verb in online offline; do
		run --separate-stderr "$SP" --sysroot "$TREE" "$verb" --dry-run dax0.0
		[ "$status" -eq 1 ]
		[ -z "$output" ]
		[ "${stderr_lines[0]}" = "spmctl: the memory of dax0.0 is still in the page allocator (1 of 8 blocks online: memory32) but kmem does not hold it" ]
		[[ ${stderr_lines[1]} == "spmctl: hint: kmem was unbound while blocks were online: the kernel keeps the range until the next reboot"* ]]
	done
}
