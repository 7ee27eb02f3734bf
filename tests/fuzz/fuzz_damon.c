// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/damon.c: the DAMON sysfs files as damon_read() parses them (numbers,
 * keywords, Y/N, nr_* counts of the numbered directories) and the
 * tried_regions of a snapshot.  The tree is a copy of a 6.12 kdamond caught
 * with tried regions (tests/fixtures/damon/captured/6.12-tried); data[0]
 * picks the file the rest of the input replaces.  damon_check() then
 * reads what damon_read() returned, as damonctl does with a saved status -J
 * (it may refuse it: reading takes keywords a newer kernel may add).
 */
#include <stdint.h>
#include <stdlib.h>

#include "lib/damon.h"
#include "tests/fuzz/fuzz.h"

#define TRIED "kdamonds/0/contexts/0/schemes/0/tried_regions"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_tree_init("tests/fixtures/damon/captured/6.12-tried", DAMON_ADMIN);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object *doc = NULL, *tr = NULL;
	char err[512];
	uint64_t v;
	int pid;

	if (!fuzz_tree_set(data, size))
		return 0;
	if (!damon_read("", &damon_schema, &doc, err, sizeof(err)))
		damon_check(&damon_schema, doc, err, sizeof(err));
	json_object_put(doc);
	if (!damon_read(TRIED, damon_node_at("kdamonds/contexts/schemes/tried_regions"), &tr, err,
			sizeof(err)))
		json_object_put(tr);
	damon_nr_kdamonds();
	damon_kdamond_state(0, &pid);
	damon_read_u64(TRIED "/total_bytes", &v);
	fuzz_tree_restore();
	return 0;
}
