#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# mapsdump against real processes (tests/workload/nk-workload) and against a
# captured tree (tests/fixtures/maps-basic, made by capture-proc.sh beside
# it).  The reference is the kernel itself: /proc/PID/maps and numa_maps read
# right after mapsdump, while the workload is idle and its address space does
# not change.  Addresses above 2^63 ([vsyscall]) do not fit bash arithmetic
# and those above 2^53 do not survive jq 1.6: such values are compared as
# text, or by perl.

bats_require_minimum_version 1.5.0
load helpers

FIXTURE=$BATS_TEST_DIRNAME/fixtures/maps-basic
FIXTURE_PID=4242
# One maps line: start, end, perms, offset, dev, inode, name (maybe empty).
MAPS_HEAD='([0-9a-f]+)-([0-9a-f]+) ([-r][-w][-x][sp]) ([0-9a-f]+) ([0-9a-f]+:[0-9a-f]+) ([0-9]+)'
MAPS_RE="^$MAPS_HEAD *(.*)\$"
# The pid of no process: above pid_max (at most 2^22).
NO_PID=4194303
TWO_53=9007199254740992

setup() {
	requires binary mapsdump
	WL=$NK_BUILD/tests/workload/nk-workload
	PROBE=$NK_BUILD/tests/workload/nk-probe
}

# True if the kernel can name anonymous mappings (CONFIG_ANON_VMA_NAME).
have_anon_name() {
	[[ -x $PROBE ]] && "$PROBE" anon_name >/dev/null 2>&1
}

# A workload with every kind of mapping and N (default 10000) small VMAs.
start_full_workload() {
	local extra=()

	head -c 16384 /dev/urandom >"$NK_TMP/data"
	have_anon_name && extra+=(--anon-name nk-test)
	start_workload --heap --file "$NK_TMP/data" --deleted "$NK_TMP" --space-name "$NK_TMP" \
		--newline-name "$NK_TMP" --shared-anon --threads 3 --huge --touch \
		--many "${1:-10000}" "${extra[@]}"
}

# Check that maps file $1 shows what start_full_workload mapped, so that a
# comparison with it cannot pass on a trivial address space.
check_full_maps() {
	local f=$1 min=$2 n

	n=$(wc -l <"$f")
	((n >= min)) || { echo "$f has $n lines, expected at least $min"; return 1; }
	grep -q ' \[heap\]$' "$f"
	grep -q ' \[stack\]$' "$f"
	grep -q " $NK_TMP/data\$" "$f"
	grep -q " $NK_TMP/nk-deleted-$WL_PID (deleted)\$" "$f"
	grep -qF " $NK_TMP/nk space name $WL_PID" "$f"
	grep -qF " $NK_TMP/nk\\012newline $WL_PID" "$f"
	grep -q ' rw-s .* /dev/zero (deleted)$' "$f"
	if have_anon_name; then
		grep -qF ' [anon:nk-test]' "$f"
	fi
	# The 4 MiB MADV_HUGEPAGE mapping: 2 MiB-aligned, a VMA of its own.
	grep -E '^[0-9a-f]*[02468ace]00000-[0-9a-f]+ rw-p 0+ 00:00 0 +$' "$f" | cut -d' ' -f1 |
		tr - ' ' | while read -r s e; do
			(((16#$e - 16#$s) == 4 << 20 && (16#$s & ((2 << 20) - 1)) == 0)) &&
				echo huge
		done | grep -q huge || { echo "no 2 MiB-aligned 4 MiB VMA in $f"; return 1; }
}

# Run mapsdump ARGS... PID into $NK_TMP/out (stderr $NK_TMP/err), then copy
# /proc/PID/maps into $NK_TMP/ref.  Fails if mapsdump fails or says anything.
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

# Print the maps lines of file $1 for which predicate $2 (a function that
# sees m_start m_end m_perms m_off m_dev m_inode m_name) is true.
maps_select() {
	local line

	while IFS= read -r line; do
		if [[ ! $line =~ $MAPS_RE ]]; then
			echo "not a maps line: $line" >&2
			return 1
		fi
		m_start=${BASH_REMATCH[1]} m_end=${BASH_REMATCH[2]} m_perms=${BASH_REMATCH[3]}
		m_off=${BASH_REMATCH[4]} m_dev=${BASH_REMATCH[5]} m_inode=${BASH_REMATCH[6]}
		m_name=${BASH_REMATCH[7]}
		"$2" && printf '%s\n' "$line"
	done <"$1"
	return 0
}

is_file() { [[ $m_dev != 00:00 || $m_inode != 0 ]]; }
is_anon() {
	! is_file && [[ -z $m_name || $m_name == '[heap]' || $m_name == '[stack]' ||
		$m_name == '[anon:'*']' ]]
}
is_heap() { [[ $m_name == '[heap]' ]]; }
is_r_xp() { [[ $m_perms == r-xp ]]; }
has_x() { [[ $m_perms == *x* ]]; }
has_rw() { [[ $m_perms == rw* ]]; }
is_shared() { [[ $m_perms == *s ]]; }
is_libc() { [[ $m_name == *libc* ]]; }
is_anon_rw() { is_anon && has_rw; }
is_file_rx() { is_file && has_x; }

# Print the selected lines of file $1 as --ranges does.
as_ranges() {
	sed -E 's/^([0-9a-f]+)-([0-9a-f]+) .*/0x\1-0x\2/' "$1"
}

# Print the name of each line of maps file $1, "null" for none.
maps_names() {
	sed -E 's/^([^ ]+ +){5}//; s/^$/null/' "$1"
}

# Print "start end size perms offset dev inode" (tab separated, decimal) for
# each line of maps file $1; json_fields prints the same from the JSON in $1
# for process $2 (default 0).  Values that jq 1.6 cannot hold exactly (2^53
# and above) are "big".  Perl, for its 64-bit hex() and its speed: a bash
# loop crawls under bats' debug trap.
maps_fields() {
	requires command perl
	HEAD=$MAPS_HEAD perl -ne 'no warnings "portable";
		/^$ENV{HEAD} / or die "not a maps line: $_";
		my @n = map { my $v = hex; $v >= 2**53 ? "big" : $v } ($1, $2, $4);
		print join("\t", $n[0], $n[1], hex($2) - hex($1), $3, $n[2], $5, $6), "\n";' "$1"
}

json_fields() {
	jq -r --argjson i "${2:-0}" --argjson big "$TWO_53" '.processes[$i].vmas[] |
		[.start, .end, .size, .perms, .offset, .dev, .inode] |
		map(if type == "number" and . >= $big then "big" else . end) | @tsv' "$1"
}

# Check that JSON file $1 (process $3, default 0) describes maps file $2:
# same VMAs in the same order, every key, numbers equal to the maps values.
check_json_vs_maps() {
	local json=$1 maps=$2 i=${3:-0} n

	n=$(wc -l <"$maps")
	jq -e --argjson i "$i" --argjson n "$n" '.processes[$i].vmas | length == $n' \
		"$json" >/dev/null || { echo "not $n vmas in $json"; return 1; }
	jq -e --argjson i "$i" '[.processes[$i].vmas[] |
		(keys == ["dev", "end", "inode", "name", "offset", "perms", "size", "start"]) and
		(.start | type) == "number" and (.end | type) == "number" and
		(.size | type) == "number" and (.offset | type) == "number" and
		(.inode | type) == "number" and (.perms | type) == "string" and
		(.dev | type) == "string" and
		(.name == null or (.name | type) == "string")] | all' "$json" >/dev/null ||
		{ echo "a vma lacks a key or has a wrong type"; return 1; }
	maps_fields "$maps" >"$NK_TMP/fields.maps" || return 1
	json_fields "$json" "$i" >"$NK_TMP/fields.json"
	same_file "$NK_TMP/fields.maps" "$NK_TMP/fields.json"
	# Names: null for none, else the name as maps prints it (those with an
	# escape are left out: the JSON may hold the byte itself).
	maps_names "$maps" | grep -v '\\' >"$NK_TMP/names.maps" || true
	jq -r --argjson i "$i" '.processes[$i].vmas[] | .name // "null"' "$json" |
		grep -v '\\' >"$NK_TMP/names.json" || true
	same_file "$NK_TMP/names.maps" "$NK_TMP/names.json"
}

# From numa_maps file $1, print "START_DECIMAL POLICY N0=x ... anon=a dirty=d
# mapped=m kp=k" for each VMA with pages on some node (empty fields when
# numa_maps does not show them); numa_json prints the same from the JSON $2.
numa_expect() {
	local start policy rest tok nodes anon dirty mapped kp toks

	while read -r start policy rest; do
		nodes='' anon='' dirty='' mapped='' kp=''
		read -ra toks <<<"$rest"
		for tok in "${toks[@]}"; do
			case $tok in
			N[0-9]*=*) nodes+=" $tok" ;;
			anon=*) anon=${tok#*=} ;;
			dirty=*) dirty=${tok#*=} ;;
			mapped=*) mapped=${tok#*=} ;;
			kernelpagesize_kB=*) kp=${tok#*=} ;;
			esac
		done
		[[ -n $nodes ]] || continue
		printf '%s %s%s anon=%s dirty=%s mapped=%s kp=%s\n' $((16#$start)) "$policy" \
			"$nodes" "$anon" "$dirty" "$mapped" "$kp"
	done <"$1"
}

numa_json() {
	jq -r '.processes[0].vmas[] | select((.nodes // {}) | length > 0) |
		"\(.start) \(.policy)" +
		(.nodes | to_entries | sort_by(.key | tonumber) | map(" N\(.key)=\(.value)") |
			join("")) +
		" anon=\(.anon // "") dirty=\(.dirty // "") mapped=\(.mapped // "")" +
		" kp=\(.kernelpagesize_kb // "")"' "$1"
}

# Check the --numa JSON $1 against numa_maps file $2.
check_numa_json() {
	local n

	numa_expect "$2" | sort >"$NK_TMP/numa.expect"
	numa_json "$1" | sort >"$NK_TMP/numa.json"
	n=$(wc -l <"$NK_TMP/numa.expect")
	((n > 0)) || { echo "no VMA with pages in $2"; return 1; }
	same_file "$NK_TMP/numa.expect" "$NK_TMP/numa.json"
	# Every VMA of numa_maps has its policy.
	awk '{ print $1, $2 }' "$2" | while read -r s p; do echo "$((16#$s)) $p"; done |
		LC_ALL=C sort >"$NK_TMP/policy.expect"
	jq -r '.processes[0].vmas[] | "\(.start) \(.policy)"' "$1" | LC_ALL=C sort |
		LC_ALL=C join -o 1.1,1.2 - "$NK_TMP/policy.expect" >"$NK_TMP/policy.json" || true
	same_file "$NK_TMP/policy.expect" "$NK_TMP/policy.json"
}

# Print the ELF build id of file $1.
build_id_of() {
	readelf -n "$1" | sed -n 's/^ *Build ID: *\([0-9a-f]*\)$/\1/p'
}

# ---------------------------------------------------------------------------
# Byte-for-byte parity with /proc/PID/maps

@test "default output is /proc/PID/maps byte for byte (10000+ VMAs, every kind)" {
	start_full_workload 10000
	dump_and_ref "$WL_PID"
	check_full_maps "$NK_TMP/ref" 10000
	same_file "$NK_TMP/ref" "$NK_TMP/out"
}

@test "--method=ioctl output is /proc/PID/maps byte for byte, [vsyscall] included" {
	requires procmap_query
	start_full_workload 10000
	dump_and_ref --method=ioctl "$WL_PID"
	check_full_maps "$NK_TMP/ref" 10000
	same_file "$NK_TMP/ref" "$NK_TMP/out"
	if grep -q '\[vsyscall\]$' "$NK_TMP/ref"; then
		tail -n 1 "$NK_TMP/out" |
			grep -q '^ffffffffff600000-ffffffffff601000 .* \[vsyscall\]$'
	fi
}

@test "--method=text output is /proc/PID/maps byte for byte" {
	start_full_workload 10000
	dump_and_ref --method=text "$WL_PID"
	check_full_maps "$NK_TMP/ref" 10000
	same_file "$NK_TMP/ref" "$NK_TMP/out"
}

@test "ioctl and text backends print the same address space" {
	requires procmap_query
	start_full_workload 10000
	mapsdump --method=ioctl "$WL_PID" >"$NK_TMP/ioctl"
	mapsdump --method=text "$WL_PID" >"$NK_TMP/text"
	check_full_maps "$NK_TMP/text" 10000
	same_file "$NK_TMP/text" "$NK_TMP/ioctl"
}

@test "-v names the backend: auto reads the text for a dump, the ioctl where only it answers" {
	start_workload --heap
	if [[ -x $PROBE ]] && "$PROBE" procmap_query >/dev/null 2>&1; then
		ioctl=ioctl
	else
		ioctl=text
	fi
	heap=$(grep ' \[heap\]$' "/proc/$WL_PID/maps")
	# A whole dump, in every format: the text, whatever the kernel has.
	for args in "" "-J" "--numa" "--ranges" "--perm rw" "-o START,END"; do
		# shellcheck disable=SC2086
		run --separate-stderr mapsdump -v $args "$WL_PID"
		[ "$status" -eq 0 ] || { echo "$args: status $status"; false; }
		printf '%s\n' "${stderr_lines[@]}" | grep -Fx "mapsdump: pid $WL_PID: method text" ||
			{ echo "$args: ${stderr_lines[*]}"; false; }
	done
	[ "$(mapsdump "$WL_PID")" = "$(cat "/proc/$WL_PID/maps")" ]
	# One lookup, build ids, page sizes: the ioctl when the kernel has it.
	for args in "--addr 0x${heap%%-*}" "-o START,PAGESIZE" "-J -o start,pagesize" \
		"-o START,BUILDID"; do
		# shellcheck disable=SC2086
		run --separate-stderr mapsdump -v $args "$WL_PID"
		[ "$status" -eq 0 ] || { echo "$args: status $status"; false; }
		printf '%s\n' "${stderr_lines[@]}" | grep -Fx "mapsdump: pid $WL_PID: method $ioctl" ||
			{ echo "$args: ${stderr_lines[*]}"; false; }
	done
	run --separate-stderr mapsdump -v --method=text "$WL_PID"
	[ "$status" -eq 0 ]
	printf '%s\n' "${stderr_lines[@]}" | grep -Fx "mapsdump: pid $WL_PID: method text"
	[ "$output" = "$(cat "/proc/$WL_PID/maps")" ]
}

@test "-J by default says text, and the PAGESIZE key brings the ioctl's page sizes" {
	requires procmap_query
	start_workload --heap
	mapsdump -J "$WL_PID" >"$NK_TMP/out"
	jq -e '.processes[0].method == "text"' "$NK_TMP/out"
	mapsdump -J -o start,pagesize "$WL_PID" >"$NK_TMP/out"
	# Every VMA but [vsyscall], which the ioctl never sees, has its page size.
	jq -e '.processes[0].method == "ioctl" and (.processes[0].vmas | length > 3 and
		([.[] | select(.page_size >= 4096)] | length) >= length - 1)' "$NK_TMP/out"
}

@test "-vv counts the VMAs of a default dump as maps has lines" {
	start_workload --heap --many 100
	run --separate-stderr mapsdump -vv "$WL_PID"
	[ "$status" -eq 0 ]
	n=$(wc -l <"/proc/$WL_PID/maps")
	printf '%s\n' "${stderr_lines[@]}" | grep -Fx "mapsdump: pid $WL_PID: $n vmas, 0 records dropped"
}

@test "anonymous names ([anon:NAME]) are dumped and selected like the kernel shows them" {
	have_anon_name || skip "the kernel cannot name anonymous mappings (CONFIG_ANON_VMA_NAME)"
	start_workload --anon-name 'nk name' --touch
	dump_and_ref "$WL_PID"
	grep -qF ' [anon:nk name]' "$NK_TMP/ref"
	same_file "$NK_TMP/ref" "$NK_TMP/out"
	run --separate-stderr mapsdump --anon --name '*anon:nk name*' "$WL_PID"
	[ "$status" -eq 0 ]
	[ "$output" = "$(grep -F ' [anon:nk name]' "$NK_TMP/ref")" ]
}

# ---------------------------------------------------------------------------
# Targets

@test "--self dumps mapsdump's own address space" {
	requires command jq
	bin=$(readlink -f "$NK_BUILD/mapsdump")
	run --separate-stderr mapsdump --self
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	grep -q " $bin\$" <<<"$output"
	grep -q ' r-xp .* '"$bin"'$' <<<"$output"
	grep -q ' \[stack\]$' <<<"$output"
	while IFS= read -r line; do
		[[ $line =~ $MAPS_RE ]] || { echo "not a maps line: $line"; false; }
	done <<<"$output"
	run --separate-stderr mapsdump -J --self
	[ "$status" -eq 0 ]
	jq -e --arg bin "$bin" --argjson me "$$" '.processes | length == 1 and
		.[0].pid != $me and .[0].comm == "mapsdump" and
		any(.[0].vmas[]; .name == $bin and .perms == "r-xp")' <<<"$output"
}

@test "several pids: each dump under a '==> PID <==' header, a blank line between" {
	requires command jq
	start_workload --heap
	p1=$WL_PID
	start_workload --many 5
	p2=$WL_PID
	mapsdump "$p1" "$p2" >"$NK_TMP/out"
	{
		printf '==> %s <==\n' "$p1"
		cat "/proc/$p1/maps"
		printf '\n==> %s <==\n' "$p2"
		cat "/proc/$p2/maps"
	} >"$NK_TMP/expect"
	same_file "$NK_TMP/expect" "$NK_TMP/out"
	mapsdump -J "$p2" "$p1" >"$NK_TMP/json"
	jq -e --argjson a "$p2" --argjson b "$p1" \
		'[.processes[].pid] == [$a, $b]' "$NK_TMP/json"
	check_json_vs_maps "$NK_TMP/json" "/proc/$p2/maps" 0
	check_json_vs_maps "$NK_TMP/json" "/proc/$p1/maps" 1
}

@test "a single pid has no header" {
	start_workload --heap
	run --separate-stderr mapsdump "$WL_PID"
	[ "$status" -eq 0 ]
	[[ $output != *'==>'* ]]
	[ "${lines[0]}" = "$(head -n 1 "/proc/$WL_PID/maps")" ]
}

@test "--pidfd FD dumps the process of an inherited pidfd" {
	requires command perl
	start_workload --heap --many 20
	# pidfd_open is syscall 434 on every architecture; the fd is close-on-exec.
	perl -MFcntl -e 'my $fd = syscall(434, $ARGV[0] + 0, 0);
		die "pidfd_open: $!\n" if $fd < 0;
		open(my $fh, "<&=", $fd) or die "fdopen: $!\n";
		fcntl($fh, F_SETFD, 0) or die "fcntl: $!\n";
		exec { $ARGV[1] } $ARGV[1], "--pidfd", $fd or die "exec: $!\n";' \
		"$WL_PID" "$NK_BUILD/mapsdump" >"$NK_TMP/out"
	cat "/proc/$WL_PID/maps" >"$NK_TMP/ref"
	grep -q ' \[heap\]$' "$NK_TMP/ref"
	same_file "$NK_TMP/ref" "$NK_TMP/out"
}

# ---------------------------------------------------------------------------
# JSON

@test "-J: a vma per maps line with every key; numbers equal the maps values" {
	requires command jq
	start_full_workload 1000
	dump_and_ref -J "$WL_PID"
	check_full_maps "$NK_TMP/ref" 1000
	jq -e --argjson pid "$WL_PID" '.processes | length == 1 and .[0].pid == $pid and
		.[0].comm == "nk-workload" and (.[0].method == "ioctl" or .[0].method == "text")' \
		"$NK_TMP/out"
	check_json_vs_maps "$NK_TMP/out" "$NK_TMP/ref"
}

@test "-J --method=text says text and matches maps" {
	requires command jq
	start_full_workload 100
	dump_and_ref -J --method=text "$WL_PID"
	jq -e '.processes[0].method == "text"' "$NK_TMP/out"
	check_json_vs_maps "$NK_TMP/out" "$NK_TMP/ref"
}

@test "-J --method=ioctl says ioctl and matches maps" {
	requires command jq
	requires procmap_query
	start_full_workload 100
	dump_and_ref -J --method=ioctl "$WL_PID"
	jq -e '.processes[0].method == "ioctl"' "$NK_TMP/out"
	check_json_vs_maps "$NK_TMP/out" "$NK_TMP/ref"
}

@test "-J -o start,end: only those keys" {
	requires command jq
	start_workload --heap --many 10
	dump_and_ref -J -o start,end "$WL_PID"
	n=$(wc -l <"$NK_TMP/ref")
	jq -e --argjson n "$n" '.processes[0].vmas | length == $n and
		all(keys == ["end", "start"])' "$NK_TMP/out"
	# The values are still the right ones.
	heap=$(grep ' \[heap\]$' "$NK_TMP/ref" | cut -d' ' -f1)
	jq -e --argjson s $((16#${heap%-*})) --argjson e $((16#${heap#*-})) \
		'any(.processes[0].vmas[]; .start == $s and .end == $e)' "$NK_TMP/out"
}

# ---------------------------------------------------------------------------
# --ranges and filters

@test "--ranges --anon: exactly the anonymous VMAs, as 0xSTART-0xEND" {
	start_full_workload 50
	dump_and_ref --ranges --anon "$WL_PID"
	maps_select "$NK_TMP/ref" is_anon >"$NK_TMP/sel"
	# Not trivial: some VMAs are anonymous, and some are not.
	(($(wc -l <"$NK_TMP/sel") > 50 && $(wc -l <"$NK_TMP/sel") < $(wc -l <"$NK_TMP/ref")))
	as_ranges "$NK_TMP/sel" >"$NK_TMP/expect"
	same_file "$NK_TMP/expect" "$NK_TMP/out"
	run grep -cvE '^0x[0-9a-f]+-0x[0-9a-f]+$' "$NK_TMP/out"
	[ "$output" = 0 ]
}

@test "--ranges --name '[heap]': the heap alone" {
	start_workload --heap --many 10
	dump_and_ref --ranges --name '[heap]' "$WL_PID"
	maps_select "$NK_TMP/ref" is_heap >"$NK_TMP/sel"
	[ "$(wc -l <"$NK_TMP/sel")" -eq 1 ]
	as_ranges "$NK_TMP/sel" >"$NK_TMP/expect"
	same_file "$NK_TMP/expect" "$NK_TMP/out"
}

@test "--ranges alone: every VMA, in order" {
	start_workload --heap --many 10
	dump_and_ref --ranges "$WL_PID"
	as_ranges "$NK_TMP/ref" >"$NK_TMP/expect"
	same_file "$NK_TMP/expect" "$NK_TMP/out"
}

@test "filters: --perm, --file, --anon, --name, combined: the VMAs maps shows so" {
	start_full_workload 20
	cat "/proc/$WL_PID/maps" >"$NK_TMP/ref"
	total=$(wc -l <"$NK_TMP/ref")
	for spec in "--perm r-xp:is_r_xp" "--perm x:has_x" "--perm rw:has_rw" "--perm s:is_shared" \
		"--file:is_file" "--anon:is_anon" "--name *libc*:is_libc" \
		"--anon --perm rw:is_anon_rw" "--file --perm x:is_file_rx"; do
		read -ra args <<<"${spec%:*}"
		maps_select "$NK_TMP/ref" "${spec#*:}" >"$NK_TMP/expect"
		n=$(wc -l <"$NK_TMP/expect")
		if ((n == 0 || n == total)); then
			echo "workload too plain for '${spec%:*}': $n of $total VMAs"
			false
		fi
		mapsdump "${args[@]}" "$WL_PID" >"$NK_TMP/out"
		same_file "$NK_TMP/expect" "$NK_TMP/out" ||
			{ echo "for mapsdump ${args[*]}"; false; }
	done
}

@test "--addr inside the heap gives exactly the heap line, with or without 0x, by each method" {
	start_workload --heap --many 10
	heap=$(grep ' \[heap\]$' "/proc/$WL_PID/maps")
	[ -n "$heap" ]
	start=${heap%%-*}
	end=${heap#*-}
	end=${end%% *}
	for method in auto text ioctl; do
		for addr in "$(printf '0x%x' $((16#$start + 0x10)))" \
			"$(printf '%x' $((16#$end - 1)))" "0x$start"; do
			run --separate-stderr mapsdump --method=$method --addr "$addr" "$WL_PID"
			[ "$status" -eq 0 ] ||
				{ echo "$method --addr $addr: status $status, $stderr"; false; }
			[ "$output" = "$heap" ] || { echo "$method --addr $addr: $output"; false; }
		done
	done
}

@test "--addr of an unmapped address: status 1 and a message" {
	start_workload --heap
	run --separate-stderr mapsdump --addr 0x1000 "$WL_PID"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "mapsdump: no mapping at 0x1000 in pid $WL_PID" ]
}

# ---------------------------------------------------------------------------
# Tables

@test "-o START,END,PERMS,DEV,INODE: a header, then the maps values" {
	head -c 8192 /dev/urandom >"$NK_TMP/d"
	start_workload --heap --file "$NK_TMP/d" --many 10
	dump_and_ref -o START,END,PERMS,DEV,INODE "$WL_PID"
	[ "$(head -n 1 "$NK_TMP/out" | awk '{ $1 = $1 } 1')" = "START END PERMS DEV INODE" ]
	tail -n +2 "$NK_TMP/out" | awk '{ $1 = $1 } 1' >"$NK_TMP/got"
	awk '{ split($1, a, "-"); print a[1], a[2], $2, $4, $5 }' "$NK_TMP/ref" >"$NK_TMP/expect"
	same_file "$NK_TMP/expect" "$NK_TMP/got"
}

@test "-r -n: raw rows without a header; PID and NAME columns" {
	start_workload --heap --many 10
	dump_and_ref -r -n -o PID,START,NAME "$WL_PID"
	[ "$(wc -l <"$NK_TMP/out")" -eq "$(wc -l <"$NK_TMP/ref")" ]
	# Raw: single spaces; no header, the pid on every row.
	run grep -c '  ' "$NK_TMP/out"
	[ "$output" = 0 ]
	run awk -v pid="$WL_PID" '$1 != pid' "$NK_TMP/out"
	[ -z "$output" ]
	# Names without blanks or escapes are printed as they are.
	paste -d ' ' <(cut -d- -f1 "$NK_TMP/ref") <(maps_names "$NK_TMP/ref") |
		grep -E '^[0-9a-f]+ [][A-Za-z0-9/._-]+$' | grep -v ' null$' >"$NK_TMP/expect"
	[ "$(wc -l <"$NK_TMP/expect")" -gt 3 ]
	awk 'NF == 3 && $3 ~ /^[][A-Za-z0-9\/._-]+$/ { print $2, $3 }' "$NK_TMP/out" >"$NK_TMP/got"
	same_file "$NK_TMP/expect" "$NK_TMP/got"
}

@test "-b: SIZE in bytes is END - START; without it, a human size" {
	start_workload --heap --many 10 --huge
	dump_and_ref -b -r -n -o START,END,SIZE "$WL_PID"
	[ "$(wc -l <"$NK_TMP/out")" -eq "$(wc -l <"$NK_TMP/ref")" ]
	while read -r s e size; do
		[ "$size" = "$((16#$e - 16#$s))" ] || { echo "$s-$e: SIZE $size"; false; }
	done <"$NK_TMP/out"
	mapsdump -r -n -o SIZE "$WL_PID" >"$NK_TMP/human"
	run grep -cvE '^[0-9.,]+[KMGTPE]$' "$NK_TMP/human"
	[ "$output" = 0 ]
	grep -qx 4M "$NK_TMP/human"
}

@test "--output-all: every column" {
	start_workload --heap --many 5
	dump_and_ref --output-all -r "$WL_PID"
	read -ra header <"$NK_TMP/out"
	for col in PID START END SIZE PERMS OFFSET DEV INODE NAME PAGESIZE BUILDID POLICY NODES \
		ANON DIRTY MAPPED KPAGESIZE; do
		printf '%s\n' "${header[@]}" | grep -qx "$col" ||
			{ echo "no column $col: ${header[*]}"; false; }
	done
	[ "$(($(wc -l <"$NK_TMP/out") - 1))" -eq "$(wc -l <"$NK_TMP/ref")" ]
}

@test "an unknown column: exit 2 and two lines on stderr" {
	run --separate-stderr mapsdump -o START,FOO "$$"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ "${stderr_lines[0]}" = "mapsdump: unknown column 'FOO'" ]
	[ "${stderr_lines[1]}" = "Try 'mapsdump --help' for more information." ]
}

# ---------------------------------------------------------------------------
# --numa and --build-id

@test "--numa -J: pages per node, anon, dirty, mapped and policy equal numa_maps" {
	requires command jq
	requires file "/proc/$$/numa_maps"
	start_full_workload 200
	mapsdump --numa -J "$WL_PID" >"$NK_TMP/json"
	cat "/proc/$WL_PID/numa_maps" >"$NK_TMP/numa"
	check_numa_json "$NK_TMP/json" "$NK_TMP/numa"
	# The huge mapping: 1024 pages on node 0.
	grep -q 'anon=1024 .*N0=1024' "$NK_TMP/numa"
}

@test "--numa table: default columns, NODES as numa_maps prints them" {
	requires file "/proc/$$/numa_maps"
	start_workload --heap --many 20 --touch
	run --separate-stderr mapsdump --numa "$WL_PID"
	[ "$status" -eq 0 ]
	[ "$(awk '{ $1 = $1 } 1' <<<"${lines[0]}")" = "START END PERMS OFFSET NAME POLICY NODES" ]
	mapsdump --numa -r -n -o START,POLICY,NODES "$WL_PID" >"$NK_TMP/out"
	cat "/proc/$WL_PID/numa_maps" >"$NK_TMP/numa"
	awk '{ n = ""; for (i = 3; i <= NF; i++) if ($i ~ /^N[0-9]+=/) n = n (n == "" ? "" : " ") $i
		if (n != "") print $1, $2, n }' "$NK_TMP/numa" >"$NK_TMP/expect"
	[ "$(wc -l <"$NK_TMP/expect")" -gt 10 ]
	awk 'NF >= 3' "$NK_TMP/out" >"$NK_TMP/got"
	same_file "$NK_TMP/expect" "$NK_TMP/got"
}

@test "--build-id: libc and the workload carry the build id readelf shows; others none" {
	requires procmap_query
	requires command jq
	requires command readelf
	head -c 8192 /dev/urandom >"$NK_TMP/d"
	start_workload --heap --file "$NK_TMP/d"
	libc=$(awk '$6 ~ /\/libc\.so/ { print $6; exit }' "/proc/$WL_PID/maps")
	[ -n "$libc" ]
	libc_id=$(build_id_of "$libc")
	wl=$(readlink -f "$WL")
	wl_id=$(build_id_of "$wl")
	[ -n "$libc_id" ] && [ -n "$wl_id" ]
	mapsdump --build-id -J "$WL_PID" >"$NK_TMP/json"
	for pair in "$libc:$libc_id" "$wl:$wl_id"; do
		jq -e --arg f "${pair%:*}" --arg id "${pair##*:}" '
			[.processes[0].vmas[] | select(.name == $f)] |
			length > 0 and all(.build_id == $id)' "$NK_TMP/json" ||
			{ echo "build id of ${pair%:*} is not ${pair##*:}"; false; }
	done
	jq -e --arg d "$NK_TMP/d" '[.processes[0].vmas[] |
		select(.name == $d or .name == "[heap]" or .name == "[stack]" or .name == null)] |
		length > 2 and all(.build_id == null)' "$NK_TMP/json"
	# The table: default columns, and the id in BUILDID.
	run --separate-stderr mapsdump --build-id "$WL_PID"
	[ "$status" -eq 0 ]
	[ "$(awk '{ $1 = $1 } 1' <<<"${lines[0]}")" = "START END PERMS OFFSET NAME BUILDID" ]
	grep -q " $libc  *$libc_id\$" <<<"$output"
}

# ---------------------------------------------------------------------------
# --sysroot and a captured tree

@test "--sysroot: the fixture's maps byte for byte, by the text backend" {
	mapsdump -v --sysroot "$FIXTURE" "$FIXTURE_PID" >"$NK_TMP/out" 2>"$NK_TMP/err"
	same_file "$FIXTURE/proc/$FIXTURE_PID/maps" "$NK_TMP/out"
	grep -Fx "mapsdump: pid $FIXTURE_PID: method text" "$NK_TMP/err" ||
		{ cat "$NK_TMP/err"; false; }
}

@test "--sysroot -J: the fixture's VMAs, comm and pid" {
	requires command jq
	mapsdump -J --sysroot "$FIXTURE" "$FIXTURE_PID" >"$NK_TMP/json"
	comm=$(cat "$FIXTURE/proc/$FIXTURE_PID/comm")
	jq -e --argjson pid "$FIXTURE_PID" --arg comm "$comm" '.processes[0] |
		.pid == $pid and .comm == $comm and .method == "text"' "$NK_TMP/json"
	check_json_vs_maps "$NK_TMP/json" "$FIXTURE/proc/$FIXTURE_PID/maps"
}

@test "--sysroot --numa -J: the fixture's numa_maps joined" {
	requires command jq
	mapsdump --numa -J --sysroot "$FIXTURE" "$FIXTURE_PID" >"$NK_TMP/json"
	check_numa_json "$NK_TMP/json" "$FIXTURE/proc/$FIXTURE_PID/numa_maps"
}

@test "--sysroot: filters and --ranges on the fixture" {
	mapsdump --ranges --anon --sysroot "$FIXTURE" "$FIXTURE_PID" >"$NK_TMP/out"
	maps_select "$FIXTURE/proc/$FIXTURE_PID/maps" is_anon >"$NK_TMP/sel"
	[ "$(wc -l <"$NK_TMP/sel")" -gt 5 ]
	as_ranges "$NK_TMP/sel" >"$NK_TMP/expect"
	same_file "$NK_TMP/expect" "$NK_TMP/out"
	mapsdump --perm r-xp --sysroot "$FIXTURE" "$FIXTURE_PID" >"$NK_TMP/out"
	maps_select "$FIXTURE/proc/$FIXTURE_PID/maps" is_r_xp >"$NK_TMP/expect"
	same_file "$NK_TMP/expect" "$NK_TMP/out"
}

@test "--sysroot: --method=ioctl and --build-id need PROCMAP_QUERY: exit 4 naming Linux 6.11" {
	for opt in --method=ioctl --build-id; do
		run --separate-stderr mapsdump "$opt" --sysroot "$FIXTURE" "$FIXTURE_PID"
		[ "$status" -eq 4 ] || { echo "$opt: status $status"; false; }
		[ -z "$output" ]
		[[ $stderr == mapsdump:* && $stderr == *'6.11'* ]] ||
			{ echo "$opt: $stderr"; false; }
	done
}

@test "without PROCMAP_QUERY: --method=ioctl and --build-id exit 4 naming Linux 6.11" {
	requires binary tests/workload/nk-probe
	"$PROBE" procmap_query >/dev/null 2>&1 && skip "the kernel has PROCMAP_QUERY"
	start_workload --heap
	for opt in --method=ioctl --build-id; do
		run --separate-stderr mapsdump "$opt" "$WL_PID"
		[ "$status" -eq 4 ] || { echo "$opt: status $status"; false; }
		[[ $stderr == mapsdump:* && $stderr == *'6.11'* ]] ||
			{ echo "$opt: $stderr"; false; }
	done
	# auto falls back to text.
	run --separate-stderr mapsdump "$WL_PID"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "/proc/$WL_PID/maps")" ]
}

@test "--sysroot: a pid missing from the tree fails with status 1" {
	run --separate-stderr mapsdump --sysroot "$FIXTURE" 4243
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ $stderr == "mapsdump: cannot read maps of pid 4243: "* ]]
}

# ---------------------------------------------------------------------------
# Coherence under concurrent changes

# Check every maps-format output (arguments after the churn info file $1:
# OUT, or OUT:ERR with the --check messages that came with it): starts below
# ends, no overlap, never backwards, every sentinel VMA present, no record
# straddling the churned area, and every range mapsdump dropped or cut off
# still covered by some record.  The churned area's core is always mapped, yet
# Linux 6.18's own maps text now and then skips a VMA that is being merged
# (seen without mapsdump, about 2 reads in 1000): mapsdump cannot fill that
# gap, so a core gap that no drop or cut explains is only counted, in the file
# named by $CORE_GAPS.
check_coherent() {
	perl -e '
		use strict; use warnings; no warnings "portable";
		my ($info, @files) = @ARGV;
		my (@sent, @churn, @core);
		my ($bad, $core_gaps) = (0, 0);
		# Report the first problems, count them all.
		sub bad { print @_ if $bad++ < 10 }
		# True if the sorted records @$v cover [$lo, $hi).
		sub covers {
			my ($v, $lo, $hi) = @_;
			for my $r (@$v) {
				$lo = $r->[1] if $r->[0] <= $lo && $r->[1] > $lo;
			}
			return $lo >= $hi;
		}
		open(my $in, "<", $info) or die "$info: $!\n";
		while (<$in>) {
			my ($k, $s, $e) = /^(\w+) ([0-9a-f]+)-([0-9a-f]+)$/ or die "bad info: $_";
			push @sent, "$s-$e" if $k eq "sentinel";
			@churn = (hex $s, hex $e) if $k eq "churn";
			@core = (hex $s, hex $e) if $k eq "core";
		}
		die "no sentinels\n" unless @sent == 4 && @churn && @core;
		for my $arg (@files) {
			my ($f, $err) = split /:/, $arg, 2;
			open(my $o, "<", $f) or die "$f: $!\n";
			my ($prev, $n, @v, %seen) = (undef, 0);
			while (my $l = <$o>) {
				$n++;
				my ($s, $e) = $l =~ /^([0-9a-f]+)-([0-9a-f]+) [-r][-w][-x][sp] / or
					do { bad("$f:$n: not a maps line: $l"); next };
				my ($S, $E) = (hex $s, hex $e);
				push @v, [$S, $E];
				$seen{"$s-$e"} = 1;
				bad("$f:$n: empty or inverted: $l") if $S >= $E;
				bad("$f:$n: overlaps or goes backwards: $l")
					if defined $prev && $S < $prev;
				$prev = $E;
				bad("$f:$n: straddles the churned area: $l")
					if $S < $churn[1] && $E > $churn[0] &&
					   ($S < $churn[0] || $E > $churn[1]);
			}
			bad("$f: empty\n") unless $n;
			for my $r (@sent) {
				bad("$f: sentinel $r missing (a false gap)\n") unless $seen{$r};
			}
			$core_gaps++ unless covers(\@v, @core);
			next unless defined $err;
			open(my $e, "<", $err) or die "$err: $!\n";
			while (my $l = <$e>) {
				# What mapsdump took away: a whole record, or the tail it cut.
				my ($lo, $hi);
				if ($l =~ / dropped ([0-9a-f]+)-([0-9a-f]+) /) {
					($lo, $hi) = (hex $1, hex $2);
				} elsif ($l =~ / cut \w+-(\w+) to \w+-(\w+) /) {
					($lo, $hi) = (hex $2, hex $1);
				} else {
					next;
				}
				next if covers(\@v, $lo, $hi);
				bad(sprintf("%s: a false gap: %x-%x, dropped or cut, is not " .
					    "covered: %s", $f, $lo, $hi, $l));
			}
		}
		if (defined $ENV{CORE_GAPS}) {
			open(my $g, ">", $ENV{CORE_GAPS}) or die "$ENV{CORE_GAPS}: $!\n";
			print $g "$core_gaps\n";
		}
		print "$bad problems in ", scalar(@files), " outputs\n" if $bad;
		exit($bad ? 1 : 0);
	' "$@"
}

# Check the --check messages of pid $1 in files $2...: each line says that a
# record was dropped (the newer record starts at or below it) or cut at the
# start of the newer record that starts inside it.
check_torn_messages() {
	perl -e '
		use strict; use warnings; no warnings "portable";
		my ($pid, @files) = @ARGV;
		my $r = qr/([0-9a-f]{8,})-([0-9a-f]{8,})/;
		my $torn = qr/^mapsdump: pid $pid: torn read:/;
		my $bad = 0;
		sub bad { print @_ if $bad++ < 10 }
		for my $f (@files) {
			open(my $in, "<", $f) or die "$f: $!\n";
			while (my $l = <$in>) {
				my ($s, $e, $bs, $be) = $l =~ /$torn dropped $r \(overlaps $r\)$/;
				if (defined $s) {
					($s, $e, $bs, $be) = map { hex } ($s, $e, $bs, $be);
					bad("$f: dropped, yet not covered from its start: $l")
						unless $bs <= $s && $be > $s && $s < $e;
				} elsif (my @c = $l =~ /$torn cut $r to $r \(overlaps $r\)$/) {
					# start, end, cut start, cut end, newer start, newer end
					@c = map { hex } @c;
					bad("$f: not cut at the start of the newer record: $l")
						unless $c[2] == $c[0] && $c[3] == $c[4] &&
						       $c[0] < $c[3] && $c[3] < $c[1];
				} else {
					bad("$f: not a torn read message: $l");
				}
			}
		}
		print "$bad bad messages\n" if $bad;
		exit($bad ? 1 : 0);
	' "$@"
}

@test "--check under churn (split, resize, remap): coherent, no false gap, sentinels seen" {
	requires command perl
	start_workload --churn --churn-info "$NK_TMP/churn" --heap --many 500 --threads 2
	methods=(text)
	if [[ -x $PROBE ]] && "$PROBE" procmap_query >/dev/null 2>&1; then
		methods+=(ioctl)
	fi
	# The area does churn: the kernel's maps show it in several states.
	churn=$(awk '$1 == "churn" { print $2 }' "$NK_TMP/churn")
	[ -n "$churn" ]
	for ((i = 0; i < 50; i++)); do
		grep "^${churn%%-*}-" "/proc/$WL_PID/maps"
	done | sort -u >"$NK_TMP/states"
	[ "$(wc -l <"$NK_TMP/states")" -ge 2 ] || { cat "$NK_TMP/states"; false; }

	# A false gap shows in a few reads per thousand: read often.  Every
	# problem is listed at the end, so that one does not hide another.
	torn=0 runs=0 files=() errs=() problems=()
	for m in "${methods[@]}"; do
		deadline=$((SECONDS + 5))
		for ((i = 0; i < 500 && SECONDS < deadline; i++)); do
			out=$NK_TMP/o.$m.$i err=$NK_TMP/e.$m.$i rc=0
			mapsdump --check --method="$m" "$WL_PID" >"$out" 2>"$err" || rc=$?
			((++runs))
			files+=("$out:$err")
			if ((rc == 3)); then
				((++torn))
				errs+=("$err")
				[ -s "$err" ] || problems+=("$err: status 3 and no message")
			elif ((rc == 0)); then
				[ ! -s "$err" ] ||
					problems+=("$err: status 0 and: $(head -n 1 "$err")")
			else
				problems+=("$err: --method=$m exited with $rc: $(head -n 1 "$err")")
			fi
		done
	done
	# Without --check, tearing is resolved silently: status 0.
	for ((i = 0; i < 50; i++)); do
		mapsdump "$WL_PID" >"$NK_TMP/q.$i" ||
			problems+=("mapsdump without --check exited with $?")
		files+=("$NK_TMP/q.$i")
	done
	CORE_GAPS=$NK_TMP/core_gaps check_coherent "$NK_TMP/churn" "${files[@]}" ||
		problems+=("incoherent output (above)")
	echo "# --check under churn: $torn torn reads in $runs runs (${methods[*]});" \
		"$(cat "$NK_TMP/core_gaps") with a gap in the always-mapped core" >&3
	if ((${#errs[@]} > 0)); then
		check_torn_messages "$WL_PID" "${errs[@]}" || problems+=("bad messages (above)")
	fi
	nk_alive "$WL_PID" || problems+=("nk-workload died")
	((${#problems[@]} == 0)) || {
		printf '%s\n' "${problems[@]}" | head -n 10
		echo "${#problems[@]} problems"
		false
	}
}

@test "-J --check under churn: 'dropped' lists what was dropped or cut, exactly on status 3" {
	requires command jq
	start_workload --churn --churn-info "$NK_TMP/churn" --many 200
	ok=() torn=()
	for ((i = 0; i < 200; i++)); do
		rc=0
		mapsdump -J --check "$WL_PID" >"$NK_TMP/j.$i" 2>"$NK_TMP/err" || rc=$?
		case $rc in
		0) ok+=("$NK_TMP/j.$i") ;;
		3) torn+=("$NK_TMP/j.$i") ;;
		*) echo "status $rc"; cat "$NK_TMP/err"; false ;;
		esac
	done
	((${#ok[@]} > 0))
	jq -e -n '[inputs | .processes[0].dropped == []] | all' "${ok[@]}"
	# Each entry: the record, cut_to (null when dropped whole) and the
	# newer record that overlapped it; cut at that record's start, or
	# dropped when that record starts at or below it.  What was taken
	# away is still covered by the vmas: no false gap.
	if ((${#torn[@]} > 0)); then
		jq -e -n 'def covered($lo; $hi): reduce (.vmas[] | [.start, .end]) as $v ($lo;
				if $v[0] <= . and $v[1] > . then $v[1] else . end) >= $hi;
			[inputs | .processes[0] | . as $p | .dropped | length > 0 and all(
			(keys == ["cut_to", "end", "name", "overlapped_by_end",
				"overlapped_by_start", "perms", "start"]) and
			.start < .end and .overlapped_by_end > .start and
			(if .cut_to == null then .overlapped_by_start <= .start
			else .cut_to == .overlapped_by_start and .cut_to > .start and
				.cut_to < .end end) and
			(. as $d | $p | covered($d.cut_to // $d.start; $d.end)))] |
			all' "${torn[@]}"
	fi
	echo "# -J --check under churn: ${#torn[@]} torn reads in 200 runs" >&3
}

@test "--check on an idle process: status 0, nothing dropped" {
	requires command jq
	start_workload --heap --many 100
	run --separate-stderr mapsdump --check "$WL_PID"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$(cat "/proc/$WL_PID/maps")" ]
	run --separate-stderr mapsdump -J --check "$WL_PID"
	[ "$status" -eq 0 ]
	jq -e '.processes[0].dropped == []' <<<"$output"
}

# ---------------------------------------------------------------------------
# Bad input and failing targets

@test "a pid that does not exist: status 1, No such process" {
	run --separate-stderr mapsdump "$NO_PID"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "mapsdump: cannot read maps of pid $NO_PID: No such process" ]
	# One that just exited.
	true &
	gone=$!
	wait "$gone"
	run --separate-stderr mapsdump "$gone"
	[ "$status" -eq 1 ]
	[ "$stderr" = "mapsdump: cannot read maps of pid $gone: No such process" ]
}

@test "garbage pids: status 2, invalid pid" {
	for pid in abc 0 12x '' 0x10 99999999999999999999; do
		run --separate-stderr mapsdump "$pid"
		[ "$status" -eq 2 ] || { echo "pid '$pid': status $status"; false; }
		[ -z "$output" ]
		[ "${stderr_lines[0]}" = "mapsdump: invalid pid '$pid'" ] ||
			{ echo "pid '$pid': $stderr"; false; }
	done
	run --separate-stderr mapsdump -- -5
	[ "$status" -eq 2 ]
	[ "${stderr_lines[0]}" = "mapsdump: invalid pid '-5'" ]
	# Before --, "-5" may be read as an option: still a usage error.
	run --separate-stderr mapsdump -5
	[ "$status" -eq 2 ]
	[[ $stderr == *"'-5'"* ]]
}

@test "pid 2, a kernel thread, has no address space" {
	[ "$(cat /proc/2/comm 2>/dev/null)" = kthreadd ] || skip "pid 2 is not kthreadd here"
	run --separate-stderr mapsdump 2
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "mapsdump: pid 2 is a kernel thread: it has no address space" ]
}

@test "a zombie has no address space" {
	start_workload --zombie "$NK_TMP/zombie"
	z=$(cat "$NK_TMP/zombie")
	state=$(cat "/proc/$z/stat")
	state=${state##*) }
	[ "${state%% *}" = Z ]
	run --separate-stderr mapsdump "$z"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "mapsdump: pid $z is a zombie: it has no address space" ]
	# Among other targets, it is one failure of several.
	run --separate-stderr mapsdump "$WL_PID" "$z"
	[ "$status" -eq 3 ]
}

@test "another user's process, unprivileged: Permission denied and the hint" {
	requires root
	requires command setpriv
	as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	"${as_nobody[@]}" test -x "$NK_BUILD/mapsdump" ||
		skip "nobody cannot run $NK_BUILD/mapsdump"
	start_workload --heap
	run --separate-stderr "${as_nobody[@]}" "$NK_BUILD/mapsdump" "$WL_PID"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ "${stderr_lines[0]}" = "mapsdump: cannot read maps of pid $WL_PID: Permission denied" ]
	hint="reading the address space of pid $WL_PID needs CAP_SYS_PTRACE"
	[ "${stderr_lines[1]}" = "mapsdump: hint: $hint" ]
	# Its own address space it may read.
	run --separate-stderr "${as_nobody[@]}" "$NK_BUILD/mapsdump" --self
	[ "$status" -eq 0 ]
	grep -q ' \[stack\]$' <<<"$output"
}

@test "bad option values: exit 2 with a message naming the value" {
	for args in "--addr zz $$" "--method=foo $$" "--perm qq $$" "--pidfd x"; do
		read -ra a <<<"$args"
		run --separate-stderr mapsdump "${a[@]}"
		[ "$status" -eq 2 ] || { echo "$args: status $status"; false; }
		[ -z "$output" ]
		value=${a[0]#*=}
		[[ ${a[0]} == *=* ]] || value=${a[1]}
		[[ ${stderr_lines[0]} == mapsdump:* && ${stderr_lines[0]} == *"'$value'"* ]] ||
			{ echo "$args: $stderr"; false; }
	done
}

@test "no target at all: a usage error" {
	run --separate-stderr mapsdump
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ ${stderr_lines[0]} == mapsdump:* ]]
}

@test "a good pid and a missing one: status 3, the good one still dumped" {
	start_workload --heap --many 10
	run --separate-stderr mapsdump "$WL_PID" "$NO_PID"
	[ "$status" -eq 3 ]
	[ "$stderr" = "mapsdump: cannot read maps of pid $NO_PID: No such process" ]
	expect=$(printf '==> %s <==\n' "$WL_PID"; cat "/proc/$WL_PID/maps")
	[ "${output:0:${#expect}}" = "$expect" ] || { echo "$output" | head -n 5; false; }
	# Then nothing, or the next header after a blank line.
	rest=${output:${#expect}}
	[[ -z $rest || $rest == $'\n\n==> '"$NO_PID <==" ]] || { echo "then: $rest"; false; }
	run --separate-stderr mapsdump "$NO_PID" "$((NO_PID - 1))"
	[ "$status" -eq 1 ]
}

@test "-J with a failed target: its error, no vmas; status 3" {
	requires command jq
	start_workload --heap
	run --separate-stderr mapsdump -J "$NO_PID" "$WL_PID"
	[ "$status" -eq 3 ]
	printf '%s\n' "$output" >"$NK_TMP/json"
	jq -e --argjson bad "$NO_PID" --argjson good "$WL_PID" '.processes |
		length == 2 and .[0].pid == $bad and (.[0].error | type) == "string" and
		(.[0] | has("vmas") | not) and .[1].pid == $good and (.[1] | has("error") | not)' \
		"$NK_TMP/json"
	check_json_vs_maps "$NK_TMP/json" "/proc/$WL_PID/maps" 1
}
