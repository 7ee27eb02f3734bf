// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc/PID/status as its two readers see it: cpumm's read_status() (Name,
 * Cpus_allowed, Cpus_active_mm and their _list twins, then the nodes the
 * active set spans and the stale CPUs), and lib/inject.c's checks before
 * attaching (State, Seccomp).  cmd/cpumm.c is compiled in, its main
 * renamed, so its static reader runs as it is; the input is the status
 * file of pid 100 in a copy of tests/fixtures/cpumm/cpus2.
 */
#include <stdint.h>
#include <stdlib.h>

int cpumm_main(int argc, char **argv);
#define main cpumm_main
#include "cmd/cpumm.c"	/* NOLINT(bugprone-suspicious-include): its static parsers */
#undef main

#include "lib/inject.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_tree_init("tests/fixtures/cpumm/cpus2", "/proc/100/status");
	nodemap_read();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc p = { .pid = 100 };
	struct bitmask *nodes, *stale;
	const char *why;

	fuzz_tree_write("/proc/100/status", data, size);
	if (target_open(&p.t, 100) < 0)
		abort();
	if (!read_status(&p, size ? (enum source)(data[0] % 3) : SRC_AUTO, 0) && p.active) {
		nodes = nodes_of(p.active);
		stale = bm_andnot(p.active, p.allowed);
		if (nodes)
			numa_bitmask_free(nodes);
		numa_bitmask_free(stale);
	}
	proc_clear(&p);
	inject_check(&p.t, &why);
	target_close(&p.t);
	return 0;
}
