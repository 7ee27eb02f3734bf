// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * damonctl report heatmap|wss FILE: the JSON lines of a recording (one
 * snapshot each, read strictly), then the heatmap binning and the working
 * set sizes over what they hold, through cmd/damonctl-report.c's own
 * entry points.  data[0] picks the report and its shape; the rest is the
 * recording.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/damonctl.h"
#include "tests/fuzz/fuzz.h"

static char path[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_tree_init(NULL, NULL);
	snprintf(path, sizeof(path), "%s/recording.jsonl", fuzz_tree_root());
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dc_report_opts o = { .wss_min_accesses = 1 };

	if (!size)
		return 0;
	fuzz_tree_write("/recording.jsonl", data + 1, size - 1);
	o.json = data[0] & 1;
	o.bytes = data[0] & 2;
	/* Small grids as well as the default one (0: 64 columns, up to 40 rows). */
	o.rows = data[0] & 4 ? 3 : 0;
	o.cols = data[0] & 8 ? 5 : 0;
	if (data[0] & 16)
		dc_report_wss(path, &o);
	else
		dc_report_heatmap(path, &o);
	return 0;
}
