#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# mapsdump on a real multi-node kernel: byte parity with /proc/PID/maps
# through the backend the kernel has (PROCMAP_QUERY on 6.11+, the text file
# before), the exit status 4 of --method=ioctl where the ioctl is missing,
# and --numa on a workload whose memory numactl bound to the CPU-less node 2.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	requires binary mapsdump
	WL_PREFIX=()
}

# Run mapsdump ARGS... PID into $NK_TMP/out, then copy /proc/PID/maps into
# $NK_TMP/ref.  Fails if mapsdump fails or says anything on stderr.
dump_and_ref() {
	local pid=${*: -1} rc=0

	mapsdump "$@" >"$NK_TMP/out" 2>"$NK_TMP/err" || rc=$?
	cat "/proc/$pid/maps" >"$NK_TMP/ref"
	if ((rc != 0)) || [[ -s $NK_TMP/err ]]; then
		echo "mapsdump $* exited with $rc; stderr:"
		cat "$NK_TMP/err"
		return 1
	fi
}

@test "--method=ioctl is /proc/PID/maps byte for byte (PROCMAP_QUERY, 2000+ VMAs)" {
	requires procmap_query
	start_workload --heap --many 2000
	dump_and_ref --method=ioctl "$WL_PID"
	(($(wc -l <"$NK_TMP/ref") > 2000))
	grep -q ' \[heap\]$' "$NK_TMP/ref"
	same_file "$NK_TMP/ref" "$NK_TMP/out"
}

@test "--method=text is /proc/PID/maps byte for byte (2000+ VMAs)" {
	start_workload --heap --many 2000
	dump_and_ref --method=text "$WL_PID"
	(($(wc -l <"$NK_TMP/ref") > 2000))
	grep -q ' \[heap\]$' "$NK_TMP/ref"
	same_file "$NK_TMP/ref" "$NK_TMP/out"
}

@test "auto reads the text for a whole dump, the ioctl for --addr where the kernel has it" {
	local method=ioctl rc=0 addr

	requires binary tests/workload/nk-probe
	"$PROBE" procmap_query >/dev/null || rc=$?
	((rc <= 1)) || { echo "nk-probe procmap_query failed with status $rc"; false; }
	((rc == 0)) || method=text
	start_workload --heap --many 2000
	mapsdump -v "$WL_PID" >"$NK_TMP/out" 2>"$NK_TMP/err"
	cat "/proc/$WL_PID/maps" >"$NK_TMP/ref"
	cat "$NK_TMP/err"
	[ "$(<"$NK_TMP/err")" = "mapsdump: pid $WL_PID: method text" ]
	same_file "$NK_TMP/ref" "$NK_TMP/out"
	# One VMA looked up: the ioctl where the kernel has it (mapsdump(1)).
	addr=$(awk 'NR == 1 { split($1, a, "-"); print "0x" a[1] }' "$NK_TMP/ref")
	mapsdump -v --addr "$addr" "$WL_PID" >"$NK_TMP/out" 2>"$NK_TMP/err"
	cat "$NK_TMP/err"
	[ "$(<"$NK_TMP/err")" = "mapsdump: pid $WL_PID: method $method" ]
	[ "$(<"$NK_TMP/out")" = "$(head -n 1 "$NK_TMP/ref")" ]
}

@test "without PROCMAP_QUERY (Linux < 6.11): --method=ioctl exits 4 naming Linux 6.11" {
	local rc=0

	requires binary tests/workload/nk-probe
	"$PROBE" procmap_query >/dev/null || rc=$?
	((rc != 0)) || skip "Linux $(uname -r) has PROCMAP_QUERY"
	((rc == 1))
	start_workload --heap
	run --separate-stderr mapsdump --method=ioctl "$WL_PID"
	echo "status $status, stderr: $stderr"
	[ "$status" -eq 4 ]
	[ -z "$output" ]
	[[ $stderr == mapsdump:* && $stderr == *'6.11'* ]]
}

@test "numactl --membind=2: mapsdump --numa shows the anonymous pages on node 2 only" {
	local heap

	requires file /proc/self/numa_maps
	WL_PREFIX=(numactl --membind=2)
	start_workload --heap --many 64 --touch
	mapsdump --numa -J "$WL_PID" >"$NK_TMP/json"
	cat "/proc/$WL_PID/numa_maps" >"$NK_TMP/numa"
	# Anonymous VMAs (no file, no device) with pages: [heap], [stack], the
	# --many area.  Their pages were all allocated under the binding.  One
	# line each: "START POLICY Nn=PAGES...", START in hex as numa_maps has it.
	jq -r '.processes[0].vmas[] | select(.inode == 0 and .dev == "00:00" and
		((.nodes // {}) | length) > 0) |
		"\(.start) \(.policy)" + (.nodes | to_entries | sort_by(.key | tonumber) |
			map(" N\(.key)=\(.value)") | join(""))' "$NK_TMP/json" |
		while read -r start rest; do
			printf '%x %s\n' "$start" "$rest"
		done >"$NK_TMP/anon"
	(($(wc -l <"$NK_TMP/anon") >= 3))
	# Node 2 and no other.
	if grep -vE '^[0-9a-f]+ [^ ]+ N2=[0-9]+$' "$NK_TMP/anon"; then
		echo "anonymous pages outside node 2 (above)"
		false
	fi
	# The heap holds at least the 256 pages --heap wrote.
	heap=$(jq -r '.processes[0].vmas[] | select(.name == "[heap]") | .nodes["2"]' "$NK_TMP/json")
	((heap >= 256))
	# The same policy and pages per node as numa_maps, VMA by VMA.
	cut -d' ' -f1 "$NK_TMP/anon" | while read -r start; do
		grep -E "^$start " "$NK_TMP/numa" | awk '{
			line = $1 " " $2
			for (i = 3; i <= NF; i++)
				if ($i ~ /^N[0-9]+=/)
					line = line " " $i
			print line }'
	done >"$NK_TMP/numa.anon"
	same_file "$NK_TMP/numa.anon" "$NK_TMP/anon"
	# And numa_maps has no anonymous page outside node 2 at all.
	if grep -v ' file=' "$NK_TMP/numa" | grep ' anon=' | grep -E ' N([013-9]|[0-9]{2,})='; then
		echo "numa_maps shows anonymous pages outside node 2 (above)"
		false
	fi
}
