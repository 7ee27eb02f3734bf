#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# spmctl list and show on the host lane.  They only read: on this machine
# (one node, sysram, no dax device) and, through --sysroot, on the trees of
# tests/fixtures/spm (captured in the VM lane's guests, or derived from
# them: see their README) and on small trees made here.  online, offline and
# run change the machine: their tests are in the VM lane, and nothing here
# calls them but to check the command line (usage errors, which exit before
# anything is done).

bats_require_minimum_version 1.5.0
load helpers

FIXTURES=$BATS_TEST_DIRNAME/fixtures/spm
NODE_SYS=/sys/devices/system/node

setup() {
	requires binary spmctl
	requires command jq
	SPM=$NK_BUILD/spmctl
}

# ---------------------------------------------------------------------------
# Helpers

# After `run`: require status $1, else show what spmctl said.
expect_status() {
	((status == $1)) && return 0
	printf 'expected status %s, got %s\n--- stdout:\n%s\n--- stderr:\n%s\n' "$1" "$status" \
		"$output" "${stderr:-}"
	return 1
}

# After `run --separate-stderr`: require that stderr says $1.
expect_err() {
	[[ ${stderr:-} == *"$1"* ]] && return 0
	printf 'stderr does not say "%s":\n%s\n' "$1" "${stderr:-}"
	return 1
}

# After `run`: require that stdout carries line $1 (blanks squeezed).
expect_line() {
	printf '%s\n' "${lines[@]}" | sed -E 's/ +/ /g; s/^ //; s/ $//' | grep -Fxq -- "$1" &&
		return 0
	printf 'no line "%s" on stdout:\n%s\n--- stderr:\n%s\n' "$1" "$output" "${stderr:-}"
	return 1
}

# A usage error: exit 2, nothing on stdout, the message and the --help hint.
expect_usage() {
	expect_status 2
	[[ -z $output ]] || { printf 'stdout not empty:\n%s\n' "$output"; return 1; }
	expect_err "$1"
	expect_err "Try 'spmctl --help' for more information."
}

# FX: the fixture tree NAME; skip while it is not captured yet.
use_fixture() {
	FX=$FIXTURES/$1
	[[ -d $FX/sys ]] || skip "tests/fixtures/spm/$1 is not captured yet"
}

# spmctl on a tree.
spm_on() {
	local root=$1

	shift
	"$SPM" --sysroot "$root" "$@"
}

# MemTotal of nodeN/meminfo under root $1 ("" for the host), in bytes.
mem_total() {
	local kb

	kb=$(awk '$3 == "MemTotal:" { print $4 }' "$1$NODE_SYS/node$2/meminfo")
	printf '%s\n' "$((kb * 1024))"
}

# A file of a tree with its text.
put() {
	mkdir -p "$(dirname "$1")"
	printf '%s\n' "$2" >"$1"
}

# Memory block $2 of node $3 in tree $1: state $4, valid_zones $5.
put_block() {
	local root=$1 idx=$2 node=$3

	put "$root/sys/devices/system/memory/memory$idx/state" "$4"
	put "$root/sys/devices/system/memory/memory$idx/valid_zones" "$5"
	put "$root/sys/devices/system/memory/memory$idx/phys_index" "$(printf '%08x' "$idx")"
	mkdir -p "$root$NODE_SYS/node$node"
	ln -sfn "../../memory/memory$idx" "$root$NODE_SYS/node$node/memory$idx"
}

# A small tree in $1, as the unit test of lib/spm builds it: node 0 with CPUs
# 0-1 (blocks 0-1), node 1 CPU-less and onlined by kmem from dax0.0 (blocks
# 32-33, 256M in a Soft Reserved range at 4G; one block offline), node 3
# online without CPUs or memory.  Tiers 4 and 22; HMAT for node 1.
mk_tree() {
	local r=$1 n=$1$NODE_SYS dax=$1/sys/devices/platform/hmem.0/dax0.0

	put "$n/possible" 0-3
	put "$n/online" 0-1,3
	put "$n/has_cpu" 0
	put "$n/has_memory" 0-1
	put "$n/has_normal_memory" 0
	put "$n/node0/cpulist" 0-1
	put "$n/node0/distance" "10 20 30"
	put "$n/node0/meminfo" "Node 0 MemTotal:         262144 kB
Node 0 MemFree:          131072 kB"
	put "$n/node1/cpulist" ""
	put "$n/node1/distance" "20 10 40"
	put "$n/node1/meminfo" "Node 1 MemTotal:         131072 kB
Node 1 MemFree:          131000 kB"
	put "$n/node1/access0/initiators/read_latency" 300
	put "$n/node1/access0/initiators/write_latency" 310
	put "$n/node1/access0/initiators/read_bandwidth" 5120
	put "$n/node1/access0/initiators/write_bandwidth" 4096
	ln -s ../../../node0 "$n/node1/access0/initiators/node0"
	put "$n/node3/cpulist" ""
	put "$n/node3/distance" "30 40 10"
	put "$n/node3/meminfo" "Node 3 MemTotal:              0 kB
Node 3 MemFree:               0 kB"
	put "$r/sys/devices/system/memory/block_size_bytes" 8000000
	put_block "$r" 0 0 online DMA32
	put_block "$r" 1 0 online Normal
	put_block "$r" 32 1 online Movable
	put_block "$r" 33 1 offline "Movable Normal"
	put "$r/sys/devices/virtual/memory_tiering/memory_tier4/nodelist" 0
	put "$r/sys/devices/virtual/memory_tiering/memory_tier22/nodelist" 1
	put "$r/sys/kernel/mm/mempolicy/weighted_interleave/node0" 3
	put "$r/sys/kernel/mm/mempolicy/weighted_interleave/node1" 1
	put "$dax/target_node" 1
	put "$dax/numa_node" 0
	put "$dax/resource" 0x100000000
	put "$dax/size" 268435456
	ln -s ../../../bus/dax/drivers/kmem "$dax/driver"
	mkdir -p "$r/sys/bus/dax/devices"
	ln -s ../../../devices/platform/hmem.0/dax0.0 "$r/sys/bus/dax/devices/dax0.0"
	put "$r/proc/iomem" "00000000-00000fff : Reserved
00100000-0fffffff : System RAM
100000000-10fffffff : Soft Reserved
  100000000-10fffffff : dax0.0
    100000000-10fffffff : System RAM (kmem)"
}

# ---------------------------------------------------------------------------
# This machine, read-only

@test "host: list has one row per node; node 0 is sysram with its CPUs, size and zones" {
	local ndirs kb cpus

	run --separate-stderr "$SPM" list -J -b
	expect_status 0
	ndirs=$(compgen -G "$NODE_SYS/node[0-9]*" | wc -l)
	[ "$(jq '.nodes | length' <<<"$output")" -eq "$ndirs" ]
	[ "$(jq -r '.nodes[0].kind' <<<"$output")" = sysram ]
	[ "$(jq '.nodes[0].size' <<<"$output")" -eq "$(mem_total "" 0)" ]
	cpus=$(<"$NODE_SYS/node0/cpulist")
	[ "$(jq -r '.nodes[0].cpus' <<<"$output")" = "$cpus" ]
	[ "$(jq -r '.nodes[0].source' <<<"$output")" = null ]
	# Every online block of node 0 is in the zones the row names.
	for b in "$NODE_SYS"/node0/memory[0-9]*; do
		z=$(<"$b/valid_zones")
		[[ $(<"$b/state") == online && $z != none ]] || continue
		[[ ,$(jq -r '.nodes[0].zone' <<<"$output"), == *,"$z",* ]]
	done
	# Free is less than the size, and not 0 on a running machine.
	(($(jq '.nodes[0].free' <<<"$output") > 0))
	(($(jq '.nodes[0].free' <<<"$output") <= $(jq '.nodes[0].size' <<<"$output")))
}

@test "host: list is the default command; the tier is the memory_tier that lists node 0" {
	local want=null t

	for t in /sys/devices/virtual/memory_tiering/memory_tier*; do
		[[ -e $t/nodelist ]] || continue
		[[ ,$(<"$t/nodelist"), == *,0,* || $(<"$t/nodelist") == 0-* ]] && want=${t##*tier}
	done
	run --separate-stderr "$SPM" -J
	expect_status 0
	[ "$(jq -r '.nodes[0].tier' <<<"$output")" = "$want" ]
	[ "$(jq -r '.nodes[0] | keys_unsorted | join(",")' <<<"$output")" = \
		node,kind,tier,size,free,cpus,source,zone ]
}

@test "host: -o, -b, -n, -r" {
	run --separate-stderr "$SPM" -o NODE,SIZE -b -n -r
	expect_status 0
	[ "${lines[0]}" = "0 $(mem_total "" 0)" ]
	run --separate-stderr "$SPM" -o KIND,NODE
	expect_status 0
	expect_line "KIND NODE"
	expect_line "sysram 0"
	# +LIST adds to the defaults.
	run --separate-stderr "$SPM" -o +WEIGHT,BLOCKS
	expect_status 0
	[[ ${lines[0]} =~ ^\ *NODE\ +KIND\ +TIER\ +SIZE\ +FREE\ +CPUS\ +SOURCE\ +ZONE\ +WEIGHT\ +BLOCKS$ ]]
	# Column names are case-insensitive, as in lsmem.
	run --separate-stderr "$SPM" -o node -n
	expect_status 0
	[ "$(printf '%s\n' "${lines[@]}" | tr -d ' ')" = "$(printf '%s\n' "$NODE_SYS"/node[0-9]* |
		sed 's/.*node//' | sort -n)" ]
}

@test "host: --output-all shows every column of --help, in order" {
	local want

	want=$("$SPM" --help | sed -n '/^Available output columns:/,/^$/p' |
		awk '/^ +[A-Z]+  / { print $1 }' | paste -sd' ')
	[[ $want == *DISTANCE*WEIGHT*BLOCKS*LATENCY*BANDWIDTH* ]]
	run --separate-stderr "$SPM" --output-all
	expect_status 0
	[ "$(sed -E 's/ +/ /g; s/^ //; s/ $//' <<<"${lines[0]}")" = "$want" ]
	run --separate-stderr "$SPM" --output-all -J
	expect_status 0
	[ "$(jq -r '.nodes[0] | keys_unsorted | join(" ")' <<<"$output")" = \
		"$(tr 'A-Z' 'a-z' <<<"$want")" ]
	[ "$(jq '.nodes[0].distance' <<<"$output")" = "\"$(<"$NODE_SYS/node0/distance")\"" ]
}

@test "host: an unknown column is a usage error" {
	run --separate-stderr "$SPM" -o NODE,FROB
	expect_usage "spmctl: unknown column 'FROB'"
	[ "${#stderr_lines[@]}" -eq 2 ]
}

@test "host: -J sizes are bytes, text sizes are human, -b text sizes are bytes" {
	run --separate-stderr "$SPM" -o SIZE -n
	expect_status 0
	[[ ${lines[0]} =~ ^\ *[0-9.]+[KMGTPE]$ ]]
	run --separate-stderr "$SPM" -o SIZE -n -b
	expect_status 0
	[ "$(tr -d ' ' <<<"${lines[0]}")" = "$(mem_total "" 0)" ]
}

@test "host: show 0: kind, distances, memory blocks as lsmem groups them" {
	local nblocks bs

	run --separate-stderr "$SPM" show 0
	expect_status 0
	expect_line "Node: 0"
	expect_line "Kind: sysram (memory and CPUs)"
	expect_line "CPUs: $(<"$NODE_SYS/node0/cpulist")"
	expect_line "Distances:"
	expect_line "NODE DISTANCE"
	expect_line "0 10"
	expect_line "RANGE SIZE STATE BLOCK ZONES"
	if [[ ! -e $NODE_SYS/node0/access0 ]]; then
		expect_line "HMAT access classes: none"
	fi
	run --separate-stderr "$SPM" show 0 -J
	expect_status 0
	[ "$(jq '.node' <<<"$output")" -eq 0 ]
	[ "$(jq '.mem_total' <<<"$output")" -eq "$(mem_total "" 0)" ]
	[ "$(jq -c '.distance' <<<"$output")" = '[{"node":0,"distance":10}]' ]
	# The block ranges add up to the node's blocks.
	nblocks=$(compgen -G "$NODE_SYS/node0/memory[0-9]*" | wc -l)
	bs=$((16#$(</sys/devices/system/memory/block_size_bytes)))
	[ "$(jq '.block_size_bytes' <<<"$output")" -eq "$bs" ]
	[ "$(jq '[.memory_blocks[].size] | add' <<<"$output")" -eq $((nblocks * bs)) ]
	[ "$(jq '[.memory_blocks[] | .last_block - .first_block + 1] | add' <<<"$output")" -eq \
		"$nblocks" ]
	[ "$(jq -r '.dax_devices | length' <<<"$output")" -eq 0 ]
	[ "$(jq -r '.soft_reserved' <<<"$output")" = null ]
	[ "$(jq -r '.kind' <<<"$output")" = sysram ]
}

@test "host: show of a node this machine does not have: exit 2, named" {
	run --separate-stderr "$SPM" show 7
	expect_status 2
	[ -z "$output" ]
	expect_err "spmctl: unknown node 7: this machine has nodes 0"
	run --separate-stderr "$SPM" show node7 -J
	expect_status 2
	[ -z "$output" ]
	run --separate-stderr "$SPM" show node0 -J
	expect_status 0
	[ "$(jq '.node' <<<"$output")" -eq 0 ]
}

@test "host: stdout to a full device fails" {
	run --separate-stderr "$SPM" list
	expect_status 0
	run --separate-stderr bash -c '"$1" list >/dev/full' _ "$SPM"
	expect_status 1
	expect_err "write error"
	run --separate-stderr bash -c '"$1" show 0 -J >/dev/full' _ "$SPM"
	expect_status 1
}

# ---------------------------------------------------------------------------
# The command line

@test "usage: commands and their arguments" {
	run --separate-stderr "$SPM" frob
	expect_usage "spmctl: unknown command 'frob'"
	run --separate-stderr "$SPM" list 0
	expect_usage "list takes no argument"
	run --separate-stderr "$SPM" show
	expect_usage "show needs a NODE"
	run --separate-stderr "$SPM" show 0 1
	expect_usage "show takes one NODE"
	run --separate-stderr "$SPM" show zero
	expect_usage "invalid node 'zero'"
	run --separate-stderr "$SPM" show -- -1
	expect_usage "a command after -- is for run"
	run --separate-stderr "$SPM" online
	expect_usage "online needs a dax device"
	run --separate-stderr "$SPM" offline dax0.0 dax1.0
	expect_usage "offline takes one dax device"
}

@test "usage: options of one command given to another" {
	run --separate-stderr "$SPM" list --spm
	expect_usage "--spm, --movable and --normal are for online"
	run --separate-stderr "$SPM" offline --movable dax0.0
	expect_usage "--spm, --movable and --normal are for online"
	run --separate-stderr "$SPM" online --movable --normal dax0.0
	expect_usage "--movable and --normal are mutually exclusive"
	run --separate-stderr "$SPM" show 0 --nodes 0
	expect_usage "--nodes and --policy are for run"
	run --separate-stderr "$SPM" list --policy bind
	expect_usage "--nodes and --policy are for run"
	run --separate-stderr "$SPM" list --dry-run
	expect_usage "--dry-run is for online, offline and run"
	run --separate-stderr "$SPM" show 0 -o NODE
	expect_usage "--output, --output-all, --raw and --noheadings are for list and who"
	run --separate-stderr "$SPM" show 0 -r
	expect_usage "are for list and who"
	# -n is --noheadings to list and who: show has neither meaning.
	run --separate-stderr "$SPM" show 0 -n
	expect_usage "are for list and who"
	run --separate-stderr "$SPM" offline -b dax0.0
	expect_usage "--bytes is for list, show and who"
	run --separate-stderr "$SPM" list -- true
	expect_usage "a command after -- is for run"
}

@test "usage: run needs --nodes, a valid policy and a command after --" {
	run --separate-stderr "$SPM" run --nodes 0
	expect_usage "run needs a command after --"
	run --separate-stderr "$SPM" run --nodes 0 --
	expect_usage "no command after --"
	run --separate-stderr "$SPM" run -- true
	expect_usage "run needs --nodes"
	run --separate-stderr "$SPM" run --nodes 0 true
	expect_usage "unexpected argument 'true' (the command goes after --)"
	run --separate-stderr "$SPM" run --nodes 0 --policy frob -- true
	expect_usage "invalid policy 'frob': use bind, preferred or interleave"
	run --separate-stderr "$SPM" run --nodes= -- true
	expect_usage "empty node list"
	run --separate-stderr "$SPM" run --sysroot "$NK_TMP" --nodes 0 -- true
	expect_usage "--sysroot cannot be used with run"
	run --separate-stderr "$SPM" run -J --nodes 0 -- true
	expect_usage "--json is not for run"
}

@test "usage: a bad --sysroot, and a tree without nodes" {
	run --separate-stderr "$SPM" --sysroot "$NK_TMP/none" list
	expect_status 2
	expect_err "cannot use sysroot"
	mkdir -p "$NK_TMP/empty"
	run --separate-stderr "$SPM" --sysroot "$NK_TMP/empty" list
	expect_status 1
	expect_err "cannot read the nodes of '$NK_TMP/empty/sys/devices/system/node'"
}

@test "--help lists the commands, the columns and both meanings of -n" {
	run --separate-stderr "$SPM" --help
	expect_status 0
	[[ $output == *"show NODE"* && $output == *"online DAXDEV"* && $output == *"who [NODES]"* ]]
	[[ $output == *"Available output columns:"* ]]
	[[ $output == *"-n is --noheadings for list and who, --dry-run for online, offline and run"* ]]
	for c in NODE KIND TIER SIZE FREE CPUS SOURCE ZONE DAX DISTANCE WEIGHT BLOCKS LATENCY \
		BANDWIDTH; do
		grep -Eq "^ +$c  " <<<"$output"
	done
}

# ---------------------------------------------------------------------------
# Trees made here

@test "tree: kinds, tier, sizes, CPUs, the dax source and zones" {
	mk_tree "$NK_TMP/t"
	run --separate-stderr spm_on "$NK_TMP/t"
	expect_status 0
	expect_line "NODE KIND TIER SIZE FREE CPUS SOURCE ZONE"
	expect_line "0 sysram 4 256M 128M 0-1 DMA32,Normal"
	expect_line "1 cpuless 22 128M 127.9M dax0.0 (soft reserved 0x100000000-0x10fffffff) Movable,offline"
	expect_line "3 cpuless 0B 0B"
	run --separate-stderr spm_on "$NK_TMP/t" -J -o NODE,KIND,SOURCE,DAX,WEIGHT,LATENCY,BANDWIDTH,BLOCKS
	expect_status 0
	[ "$(jq -c '.nodes[1]' <<<"$output")" = \
		'{"node":1,"kind":"cpuless","source":"dax0.0 (soft reserved 0x100000000-0x10fffffff)","dax":"dax0.0","weight":1,"latency":300,"bandwidth":5120,"blocks":"32-33"}' ]
	[ "$(jq -c '.nodes[2]' <<<"$output")" = \
		'{"node":3,"kind":"cpuless","source":null,"dax":null,"weight":null,"latency":null,"bandwidth":null,"blocks":null}' ]
}

@test "tree: the SPM RFCs' kinds: spm_node (v2), cpuset.mems.sysram, has_private_memory (v3)" {
	local r=$NK_TMP/t

	mk_tree "$r"
	put "$r/sys/devices/platform/hmem.0/dax0.0/spm_node" 1
	run --separate-stderr spm_on "$r" -J -o NODE,KIND
	expect_status 0
	[ "$(jq -r '[.nodes[].kind] | join(",")' <<<"$output")" = sysram,spm,cpuless ]
	run --separate-stderr spm_on "$r" show 1
	expect_line "Kind: spm (its dax device has spm_node 1)"
	expect_line "dax0.0 kmem 1 0x100000000 256M 1"
	rm "$r/sys/devices/platform/hmem.0/dax0.0/spm_node"
	put "$r/sys/fs/cgroup/cpuset.mems.sysram" 0
	run --separate-stderr spm_on "$r" -J -o NODE,KIND
	[ "$(jq -r '[.nodes[].kind] | join(",")' <<<"$output")" = sysram,spm,cpuless ]
	run --separate-stderr spm_on "$r" show 1 -J
	[ "$(jq -r '.sysram' <<<"$output")" = false ]
	put "$r$NODE_SYS/has_private_memory" 1
	run --separate-stderr spm_on "$r" -J -o NODE,KIND
	[ "$(jq -r '[.nodes[].kind] | join(",")' <<<"$output")" = sysram,private,cpuless ]
	run --separate-stderr spm_on "$r" show 1 -J
	[ "$(jq -r '.has_private_memory' <<<"$output")" = true ]
	run --separate-stderr spm_on "$r" show 1
	expect_line "Kind: private (in has_private_memory)"
}

@test "tree: show of a node with memory from a dax device: tiers, HMAT, blocks, dax" {
	mk_tree "$NK_TMP/t"
	run --separate-stderr spm_on "$NK_TMP/t" show 1
	expect_status 0
	expect_line "Kind: cpuless (memory without CPUs)"
	expect_line "CPUs: none"
	expect_line "Size: 128M"
	expect_line "Source: dax0.0 (soft reserved 0x100000000-0x10fffffff)"
	expect_line "Memory tier: 22 (nodes 1; abstract distance 2816-2943)"
	expect_line "Tier above: 4 (nodes 0)"
	expect_line "Tier below: none"
	expect_line "Interleave weight: 1"
	expect_line "0 20"
	expect_line "1 10"
	expect_line "3 40"
	expect_line "access0 0 300ns 310ns 5120MB/s 4096MB/s"
	expect_line "Memory blocks (128M each):"
	expect_line "0x0000000100000000-0x0000000107ffffff 128M online 32 Movable"
	expect_line "0x0000000108000000-0x000000010fffffff 128M offline 33 Movable Normal"
	expect_line "DEVICE DRIVER TARGET_NODE START SIZE SPM_NODE"
	expect_line "dax0.0 kmem 1 0x100000000 256M -"
	run --separate-stderr spm_on "$NK_TMP/t" show 1 -J
	expect_status 0
	[ "$(jq -c '.memory_tier' <<<"$output")" = \
		'{"id":22,"nodelist":"1","adistance_start":2816,"adistance_end":2943}' ]
	[ "$(jq -r '.tier_above.nodelist' <<<"$output")" = 0 ]
	[ "$(jq -r '.tier_below' <<<"$output")" = null ]
	[ "$(jq -c '.access0' <<<"$output")" = \
		'{"initiators":"0","read_latency":300,"write_latency":310,"read_bandwidth":5120,"write_bandwidth":4096}' ]
	[ "$(jq -r '.access1' <<<"$output")" = null ]
	[ "$(jq -c '.memory_blocks' <<<"$output")" = \
		'[{"start":4294967296,"size":134217728,"state":"online","valid_zones":"Movable","first_block":32,"last_block":32},{"start":4429185024,"size":134217728,"state":"offline","valid_zones":"Movable Normal","first_block":33,"last_block":33}]' ]
	[ "$(jq -c '.dax_devices' <<<"$output")" = \
		'[{"name":"dax0.0","driver":"kmem","target_node":1,"numa_node":0,"resource":4294967296,"size":268435456,"spm_node":null}]' ]
	[ "$(jq -c '.soft_reserved' <<<"$output")" = '{"start":4294967296,"size":268435456,"owner":null}' ]
	[ "$(jq -c '.kmem' <<<"$output")" = '{"start":4294967296,"size":268435456,"owner":"dax0.0"}' ]
	[ "$(jq -c '.weighted_interleave' <<<"$output")" = '{"weight":1,"auto":null}' ]
	[ "$(jq -c '[.mem_total, .mem_free]' <<<"$output")" = '[134217728,134144000]' ]
}

@test "tree: show of a node without memory" {
	mk_tree "$NK_TMP/t"
	run --separate-stderr spm_on "$NK_TMP/t" show 3
	expect_status 0
	expect_line "Kind: cpuless (no CPUs, no memory)"
	expect_line "Size: 0B"
	expect_line "Zone: none"
	expect_line "Source: none"
	expect_line "Memory tier: none"
	expect_line "Interleave weight: unknown (no weighted_interleave/node3)"
	expect_line "HMAT access classes: none"
	expect_line "Memory blocks: none"
	[[ $output != *"Dax devices:"* ]]
	run --separate-stderr spm_on "$NK_TMP/t" show 3 -J
	expect_status 0
	[ "$(jq -c '[.has_cpu, .has_memory, .mem_total, .zone, .memory_tier, .memory_blocks]' \
		<<<"$output")" = '[false,false,0,null,null,[]]' ]
	[ "$(jq -c '[.distance[].distance]' <<<"$output")" = '[30,40,10]' ]
}

@test "tree: a node a dax device would become is not a node yet: exit 2 and a hint" {
	local r=$NK_TMP/t

	mk_tree "$r"
	put "$r/sys/devices/platform/hmem.0/dax0.0/target_node" 2
	run --separate-stderr spm_on "$r" show 2
	expect_status 2
	[ -z "$output" ]
	expect_err "spmctl: unknown node 2: the sysroot has nodes 0-1,3"
	expect_err "spmctl: hint: dax0.0 would become node 2: spmctl online dax0.0"
}

@test "tree: an old kernel: no tiers, weights, HMAT, dax bus or iomem" {
	local r=$NK_TMP/t

	mk_tree "$r"
	rm -r "$r/sys/devices/virtual" "$r/sys/kernel" "$r/sys/bus" "$r/proc" \
		"$r$NODE_SYS/node1/access0"
	run --separate-stderr spm_on "$r" --output-all -J
	expect_status 0
	[ "$(jq -c '.nodes[1] | [.kind, .tier, .source, .dax, .weight, .latency]' <<<"$output")" = \
		'["cpuless",null,null,null,null,null]' ]
	run --separate-stderr spm_on "$r" show 1
	expect_status 0
	expect_line "Memory tier: unknown (no memory_tiering)"
	expect_line "HMAT access classes: none"
}

@test "tree: /proc/iomem read without root hides the ranges; -v says so" {
	local r=$NK_TMP/t

	mk_tree "$r"
	sed -i -E 's/^( *)[0-9a-f]+-[0-9a-f]+/\100000000-00000000/' "$r/proc/iomem"
	run --separate-stderr spm_on "$r" -v -o NODE,SOURCE -n
	expect_status 0
	expect_line "1 dax0.0"
	expect_err "/proc/iomem hides its addresses: Soft Reserved ranges need root"
	expect_err "has_private_memory (N_PRIVATE, SPM RFC v3): no"
}

# ---------------------------------------------------------------------------
# Captured trees

@test "vm-3node (6.12): node 2 is CPU-less in a lower tier; sizes are MemTotal" {
	local r

	use_fixture vm-3node
	r=$FX
	run --separate-stderr spm_on "$r" -o NODE,KIND,TIER,CPUS -r
	expect_status 0
	expect_line "NODE KIND TIER CPUS"
	expect_line "0 sysram 4 0"
	expect_line "1 sysram 4 1"
	expect_line "2 cpuless 67"
	run --separate-stderr spm_on "$r" -J --output-all
	expect_status 0
	for n in 0 1 2; do
		[ "$(jq ".nodes[$n].size" <<<"$output")" -eq "$(mem_total "$r" $n)" ]
	done
	[ "$(jq -c '[.nodes[].latency]' <<<"$output")" = '[80,80,300]' ]
	[ "$(jq -c '[.nodes[].bandwidth]' <<<"$output")" = '[20480,20480,5120]' ]
	[ "$(jq -c '[.nodes[].distance]' <<<"$output")" = '["10 20 30","20 10 30","30 30 10"]' ]
	[ "$(jq -c '[.nodes[].source]' <<<"$output")" = '[null,null,null]' ]
}

@test "vm-3node (6.12): show 2: tier neighbours, distances, HMAT" {
	local r

	use_fixture vm-3node
	r=$FX
	run --separate-stderr spm_on "$r" show 2
	expect_status 0
	expect_line "Kind: cpuless (memory without CPUs)"
	expect_line "Memory tier: 67 (nodes 2; abstract distance 8576-8703)"
	expect_line "Tier above: 4 (nodes 0-1)"
	expect_line "Tier below: none"
	expect_line "access0 0 300ns 300ns 5120MB/s 5120MB/s"
	expect_line "access1 0 300ns 300ns 5120MB/s 5120MB/s"
	run --separate-stderr spm_on "$r" show 2 -J
	expect_status 0
	[ "$(jq -c '[.distance[] | [.node, .distance]]' <<<"$output")" = '[[0,30],[1,30],[2,10]]' ]
	[ "$(jq -c '[.access0.read_latency, .access1.read_bandwidth]' <<<"$output")" = '[300,5120]' ]
	[ "$(jq -r '.tier_above.id, .tier_below' <<<"$output" | paste -sd' ')" = "4 null" ]
	run --separate-stderr spm_on "$r" show 0
	expect_line "Tier above: none"
	expect_line "Tier below: 67 (nodes 2)"
	expect_line "access0 0 80ns 80ns 20480MB/s 20480MB/s"
}

@test "vm-3node-6.1: one tier for all nodes, no weighted interleave" {
	local r

	use_fixture vm-3node-6.1
	r=$FX
	run --separate-stderr spm_on "$r" -J -o NODE,KIND,TIER,WEIGHT
	expect_status 0
	[ "$(jq -c '[.nodes[] | [.kind, .tier, .weight]]' <<<"$output")" = \
		'[["sysram",4,null],["sysram",4,null],["cpuless",4,null]]' ]
	run --separate-stderr spm_on "$r" show 2
	expect_status 0
	expect_line "Memory tier: 4 (nodes 0-2; abstract distance 512-639)"
	expect_line "Tier above: none"
	expect_line "Tier below: none"
	expect_line "Interleave weight: unknown (no weighted_interleave/node2)"
}

@test "host-1node: one sysram node" {
	local r

	use_fixture host-1node
	r=$FX
	run --separate-stderr spm_on "$r" -J
	expect_status 0
	[ "$(jq -c '[.nodes[] | [.node, .kind]]' <<<"$output")" = '[[0,"sysram"]]' ]
	[ "$(jq '.nodes[0].size' <<<"$output")" -eq "$(mem_total "$r" 0)" ]
	run --separate-stderr spm_on "$r" show 1
	expect_status 2
	expect_err "unknown node 1: the sysroot has nodes 0"
}

@test "vm-softreserved: the dax device is not a node yet" {
	local r

	use_fixture vm-softreserved
	r=$FX
	run --separate-stderr spm_on "$r" -J -o NODE,KIND
	expect_status 0
	[ "$(jq -c '[.nodes[].node]' <<<"$output")" = '[0,1]' ]
	run --separate-stderr spm_on "$r" show 2
	expect_status 2
	expect_err "hint: dax0.0 would become node 2: spmctl online dax0.0"
}

@test "vm-softreserved-online: node 2 from dax0.0 in the Soft Reserved range" {
	local r start end

	use_fixture vm-softreserved-online
	r=$FX
	read -r start end < <(sed -nE 's/^ *([0-9a-f]+)-([0-9a-f]+) : Soft Reserved$/\1 \2/p' \
		"$r/proc/iomem")
	run --separate-stderr spm_on "$r" -J -b
	expect_status 0
	[ "$(jq -c '.nodes[2] | [.node, .kind, .cpus, .zone]' <<<"$output")" = \
		'[2,"cpuless",null,"Movable"]' ]
	[ "$(jq -r '.nodes[2].source' <<<"$output")" = \
		"$(printf 'dax0.0 (soft reserved %#x-%#x)' $((16#$start)) $((16#$end)))" ]
	[ "$(jq '.nodes[2].size' <<<"$output")" -eq "$(mem_total "$r" 2)" ]
	# A lower tier than the CPUs' memory.
	(($(jq '.nodes[2].tier' <<<"$output") > $(jq '.nodes[0].tier' <<<"$output")))
	run --separate-stderr spm_on "$r" show 2 -J
	expect_status 0
	[ "$(jq -c '.dax_devices[0] | [.name, .driver, .target_node]' <<<"$output")" = \
		'["dax0.0","kmem",2]' ]
	[ "$(jq '.soft_reserved.start' <<<"$output")" -eq $((16#$start)) ]
	[ "$(jq '.soft_reserved.size' <<<"$output")" -eq $((16#$end - 16#$start + 1)) ]
	[ "$(jq -r '.kmem.owner' <<<"$output")" = dax0.0 ]
	[ "$(jq '[.memory_blocks[].size] | add' <<<"$output")" -eq \
		$((16#$end - 16#$start + 1)) ]
}

@test "vm-softreserved-kmem-offline: kmem holds dax0.0, every block offline" {
	use_fixture vm-softreserved-kmem-offline
	run --separate-stderr spm_on "$FX" -o NODE,KIND,TIER,SIZE,ZONE,DAX,BLOCKS -r
	expect_status 0
	expect_line "2 cpuless 0B offline dax0.0 32-39"
	run --separate-stderr spm_on "$FX" show 2
	expect_status 0
	expect_line "Zone: offline"
	expect_line "0x0000000100000000-0x000000013fffffff 1G offline 32-39 Normal Movable"
}

@test "vm-softreserved-stuck: one block stayed online after kmem let go" {
	use_fixture vm-softreserved-stuck
	run --separate-stderr spm_on "$FX" -o NODE,SIZE,ZONE,DAX -r
	expect_status 0
	expect_line "2 128M Normal,offline"
	run --separate-stderr spm_on "$FX" show 2
	expect_status 0
	expect_line "0x0000000100000000-0x0000000107ffffff 128M online 32 Normal"
	expect_line "0x0000000108000000-0x000000013fffffff 896M offline 33-39 Normal Movable"
	expect_line "dax0.0 none 2 0x100000000 1G -"
}

@test "spm-v2: a node onlined from a dax device with spm_node 1 is spm" {
	local r

	use_fixture spm-v2
	r=$FX
	run --separate-stderr spm_on "$r" -o NODE,KIND,TIER,SOURCE,ZONE -r
	expect_status 0
	expect_line "0 sysram 4 DMA32"
	expect_line "1 sysram 4 DMA32"
	expect_line '2 spm 67 dax0.0\x20(soft\x20reserved\x200x100000000-0x13fffffff) Movable'
	run --separate-stderr spm_on "$r" -J -b
	[ "$(jq '.nodes[2].size' <<<"$output")" -eq "$(mem_total "$r" 2)" ]
	run --separate-stderr spm_on "$r" show 2
	expect_status 0
	expect_line "Kind: spm (its dax device has spm_node 1)"
	expect_line "Tier above: 4 (nodes 0-1)"
	expect_line "dax0.0 kmem 2 0x100000000 1G 1"
	run --separate-stderr spm_on "$r" show 2 -J
	[ "$(jq -c '[.kind, .sysram, .has_private_memory, .dax_devices[0].spm_node]' \
		<<<"$output")" = '["spm",false,null,1]' ]
	run --separate-stderr spm_on "$r" -v -n -o NODE
	expect_err "dax spm_node (SPM RFC v2): yes"
	expect_err "cpuset.mems.sysram (SPM RFC): yes"
}

@test "n-private: the nodes of has_private_memory are private" {
	local r

	use_fixture n-private
	r=$FX
	run --separate-stderr spm_on "$r" -J -o NODE,KIND,SOURCE
	expect_status 0
	[ "$(jq -c '[.nodes[].kind]' <<<"$output")" = '["sysram","sysram","private"]' ]
	[ "$(jq -r '.nodes[2].source' <<<"$output")" = \
		"dax0.0 (soft reserved 0x100000000-0x13fffffff)" ]
	run --separate-stderr spm_on "$r" show 2 -J
	expect_status 0
	[ "$(jq -c '[.kind, .has_memory, .has_private_memory, .sysram]' <<<"$output")" = \
		'["private",false,true,false]' ]
	run --separate-stderr spm_on "$r" show 2
	expect_line "Kind: private (in has_private_memory)"
	run --separate-stderr spm_on "$r" -v -n -o NODE
	expect_err "has_private_memory (N_PRIVATE, SPM RFC v3): yes"
}
