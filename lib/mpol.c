// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "lib/bitmap.h"
#include "lib/mpol.h"

const char *mpol_mode_name(int mode)
{
	static const char *const names[] = {
		[MPOL_MODE_DEFAULT] = "default",
		[MPOL_MODE_PREFERRED] = "preferred",
		[MPOL_MODE_BIND] = "bind",
		[MPOL_MODE_INTERLEAVE] = "interleave",
		[MPOL_MODE_LOCAL] = "local",
		[MPOL_MODE_PREFERRED_MANY] = "preferred-many",
		[MPOL_MODE_WEIGHTED_INTERLEAVE] = "weighted-interleave",
	};

	if (mode < 0 || mode >= (int)(sizeof(names) / sizeof(names[0])))
		return "unknown";
	return names[mode];
}

int mpol_mode_nodes(int mode)
{
	switch (mode) {
	case MPOL_MODE_DEFAULT:
	case MPOL_MODE_LOCAL:
		return 0;
	case MPOL_MODE_PREFERRED:
		return 1;
	default:
		return -1;
	}
}

unsigned long mpol_mode_arg(const struct mpol *p)
{
	return (unsigned long)p->mode | p->mode_flags;
}

void mpol_mask_words(const struct mpol *p, unsigned long *buf)
{
	unsigned int i;

	memset(buf, 0, MPOL_MASK_BITS / 8);
	for (i = 0; p->nodes && i < p->nodes->size && i < MPOL_MASK_BITS; i++)
		if (numa_bitmask_isbitset(p->nodes, i))
			buf[i / (8 * sizeof(long))] |= 1UL << (i % (8 * sizeof(long)));
}

int mpol_node_list(const struct mpol *p, int *nodes, int max)
{
	unsigned int i;
	int n = 0;

	for (i = 0; p->nodes && i < p->nodes->size && n < max; i++)
		if (numa_bitmask_isbitset(p->nodes, i))
			nodes[n++] = i;
	return n;
}

char *mpol_nodes_str(const struct mpol *p)
{
	return p->nodes ? bitmap_format_list(p->nodes) : strdup("");
}
