// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/bitmap.c: the kernel's "%*pb" masks (Cpus_allowed) and "%*pbl" lists
 * (cpulist files).  data[0] picks the format.  What parses must print back
 * into a string that parses to the same set.
 */
#include <numa.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/bitmap.h"
#include "tests/fuzz/fuzz.h"

static int same(const struct bitmask *a, const struct bitmask *b)
{
	unsigned long i, n = a->size > b->size ? a->size : b->size;

	for (i = 0; i < n; i++)
		if ((i < a->size && numa_bitmask_isbitset(a, i)) !=
		    (i < b->size && numa_bitmask_isbitset(b, i)))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int (*parse)(const char *, struct bitmask **);
	char *(*format)(const struct bitmask *);
	struct bitmask *bm = NULL, *again = NULL;
	char *s, *out;

	if (!size)
		return 0;
	parse = data[0] & 1 ? bitmap_parse_list : bitmap_parse_mask;
	format = data[0] & 1 ? bitmap_format_list : bitmap_format_mask;
	s = fuzz_str(data + 1, size - 1);
	if (!parse(s, &bm)) {
		out = format(bm);
		if (!out)
			abort();
		if (parse(out, &again) || !same(bm, again))
			abort();
		numa_bitmask_free(again);
		free(out);
		numa_bitmask_free(bm);
	}
	free(s);
	return 0;
}
