// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/spm.c: what spm_read() parses of /proc/iomem and the node, memory
 * block, memory tier and dax device files of sysfs.  The tree is a copy of
 * the three-node guest with a soft-reserved range onlined through kmem
 * (tests/fixtures/spm/vm-softreserved-online); data[0] picks the file the
 * rest of the input replaces.
 */
#include <stdint.h>
#include <stdlib.h>

#include "lib/spm.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_tree_init("tests/fixtures/spm/vm-softreserved-online", "");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spm_system sys;

	if (!fuzz_tree_set(data, size))
		return 0;
	if (!spm_read(&sys))
		spm_free(&sys);
	fuzz_tree_restore();
	return 0;
}
