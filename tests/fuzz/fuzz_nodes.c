// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/nodes.c: node and CPU lists in numactl's grammar, through libnuma's
 * parsers and our checks around them.  data[0] picks the parser.  libnuma
 * must never exit the process, whatever the list: nodes.c overrides
 * numa_error() and numa_warn() for that.
 */
#include <numa.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/nodes.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bitmask *bm = NULL;
	char *s;
	int rc;

	if (!size)
		return 0;
	s = fuzz_str(data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		rc = nodes_parse(s, &bm);
		break;
	case 1:
		rc = nodes_parse_all(s, &bm);
		break;
	default:
		rc = nodes_parse_cpus(s, &bm);
		break;
	}
	/* A success selects something; a failure says why. */
	if (!rc && (!bm || !numa_bitmask_weight(bm)))
		abort();
	if (rc && !nodes_last_error()[0])
		abort();
	if (bm)
		numa_bitmask_free(bm);
	free(s);
	return 0;
}
