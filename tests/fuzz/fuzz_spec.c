// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * damonctl --spec FILE: json-c's parser, then the wrapping of a lone
 * kdamond and damon_check() against the schema, through damonctl's own
 * load_spec() (cmd/damonctl.c compiled in, its main renamed).  The input is
 * the spec file.
 */
#include <stdint.h>
#include <stdlib.h>

int damonctl_main(int argc, char **argv);
#define main damonctl_main
#include "cmd/damonctl.c"	/* NOLINT(bugprone-suspicious-include): its static parsers */
#undef main

#include "tests/fuzz/fuzz.h"

static char spec_path[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_tree_init(NULL, NULL);
	snprintf(spec_path, sizeof(spec_path), "%s/spec.json", fuzz_tree_root());
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object *doc = NULL;

	fuzz_tree_write("/spec.json", data, size);
	if (!load_spec(spec_path, &doc)) {
		if (!damon_json_len(doc, "kdamonds"))
			abort();
		json_object_put(doc);
	}
	return 0;
}
