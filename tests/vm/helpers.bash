# SPDX-License-Identifier: GPL-2.0-or-later
#
# Loaded by the VM lane's bats files (`load helpers` in tests/vm/,
# `load ../helpers` in tests/vm/softreserved/).  They run inside the guest
# that tests/vm/run boots, as root, where tests/vm/init put the numakit build
# under /numakit/build.  The host lane's tests/helpers.bash comes first:
# requires, start_bg, stop_bg_all, wait_for_file and the rest work the same.
#
# These files online memory, bind dax devices and start kdamonds: they must
# never run on the host, so loading them anywhere else fails.

if [[ ${NUMAKIT_VM:-} != 1 ]] || ! grep -q 'numakit\.variant=' /proc/cmdline; then
	printf 'tests/vm: these tests run only inside the VM lane: make check-vm\n' >&2
	return 1
fi

source "${BASH_SOURCE[0]%/*}/../helpers.bash"
NK_SRC=/numakit
WL=$NK_BUILD/tests/workload/nk-workload
# start_workload (tests/helpers.bash, with WL_PREFIX): everything runs slower
# in the guest (TCG).
WL_READY_SECONDS=60
PROBE=$NK_BUILD/tests/workload/nk-probe
NODE_SYS=/sys/devices/system/node
TIER_SYS=/sys/devices/virtual/memory_tiering

# The variant this guest was booted as (numakit.variant=).
nk_variant() {
	local arg

	for arg in $(</proc/cmdline); do
		[[ $arg == numakit.variant=* ]] && printf '%s\n' "${arg#*=}" && return 0
	done
	printf 'normal\n'
}

# True if the running kernel is at least version $1 (MAJOR.MINOR).
kernel_at_least() {
	local want=$1 have hmaj hmin wmaj wmin

	have=$(uname -r)
	have=${have%%-*}
	IFS=. read -r hmaj hmin _ <<<"$have"
	IFS=. read -r wmaj wmin <<<"$want"
	((hmaj > wmaj || (hmaj == wmaj && hmin >= wmin)))
}

# Skip unless the kernel is at least $1 (MAJOR.MINOR); $2 says what older
# kernels lack.
requires_kernel() {
	kernel_at_least "$1" || skip "$2 (Linux $1+; this is $(uname -r))"
}

# Print "NODE: DISTANCES" for every online node, from sysfs.
sys_distances() {
	local n

	for n in "$NODE_SYS"/node[0-9]*; do
		printf '%s: %s\n' "${n##*node}" "$(<"$n/distance")"
	done | sort -n
}

# Print "TIER NODELIST" for every memory tier, in tier order.
memory_tiers() {
	local t

	for t in "$TIER_SYS"/memory_tier*; do
		[[ -d $t ]] || continue
		printf '%s %s\n' "${t##*memory_tier}" "$(<"$t/nodelist")"
	done | sort -n
}
