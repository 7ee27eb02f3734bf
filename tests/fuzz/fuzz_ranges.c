// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmbind's ranges: START-END and START+LEN arguments and the lines of a
 * --ranges-from file (mapsdump --ranges output), page-aligned and rounded
 * up to whole pages, then checked for overlaps.  cmd/pmbind.c is compiled
 * in, its main renamed, so its static parser runs as it is; the input is
 * the --ranges-from file, and its first line is also given as an argument.
 * Every range kept must be page-aligned and non-empty.
 */
#include <stdint.h>
#include <stdlib.h>

int pmbind_main(int argc, char **argv);
#define main pmbind_main
#include "cmd/pmbind.c"	/* NOLINT(bugprone-suspicious-include): its static parsers */
#undef main

#include "tests/fuzz/fuzz.h"

static char path[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_tree_init(NULL, NULL);
	snprintf(path, sizeof(path), "%s/ranges", fuzz_tree_root());
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct opts o = { .ranges_from = path, .page = 4096 };
	char *s = fuzz_str(data, size);
	size_t i;
	int rc;

	fuzz_tree_write("/ranges", data, size);
	s[strcspn(s, "\n")] = '\0';
	rc = parse_one(&o, s, NULL);
	if (!rc)
		rc = ranges_from(&o);
	if (!rc)
		rc = check_overlaps(&o);
	for (i = 0; !rc && i < o.nr; i++)
		if (o.r[i].start % o.page || o.r[i].end % o.page || o.r[i].end <= o.r[i].start ||
		    (i && o.r[i].start < o.r[i - 1].end))
			abort();
	free(o.r);
	free(s);
	return 0;
}
