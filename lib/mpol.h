/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NUMAKIT_MPOL_H
#define NUMAKIT_MPOL_H

#include <numa.h>
#include <stddef.h>

/* include/uapi/linux/mempolicy.h; defined here because Debian 12's headers are older. */
enum {
	MPOL_MODE_DEFAULT = 0,
	MPOL_MODE_PREFERRED = 1,
	MPOL_MODE_BIND = 2,
	MPOL_MODE_INTERLEAVE = 3,
	MPOL_MODE_LOCAL = 4,			/* Linux 3.8 */
	MPOL_MODE_PREFERRED_MANY = 5,		/* Linux 5.15 */
	MPOL_MODE_WEIGHTED_INTERLEAVE = 6,	/* Linux 6.9 */
};

#define MPOL_FLAG_STATIC_NODES (1u << 15)
#define MPOL_FLAG_RELATIVE_NODES (1u << 14)
#define MPOL_FLAG_SPM_NODE (1u << 12)		/* SPM / N_PRIVATE RFC, with STATIC only */

#define MPOL_MOVE_STRICT (1u << 0)
#define MPOL_MOVE_MOVE (1u << 1)
#define MPOL_MOVE_MOVE_ALL (1u << 2)

/* Bits of the nodemask passed to the kernel (MAX_NUMNODES is at most 1 << 10). */
#define MPOL_MASK_BITS 1024

struct mpol {
	int mode;			/* MPOL_MODE_* */
	unsigned int mode_flags;	/* MPOL_FLAG_* */
	unsigned int move_flags;	/* MPOL_MOVE_* */
	struct bitmask *nodes;		/* NULL for default and local */
};

/* "bind", "interleave", "weighted-interleave", "preferred", "preferred-many", "local", "default" */
const char *mpol_mode_name(int mode);
/* The mode argument of mbind(2): mode | mode flags. */
unsigned long mpol_mode_arg(const struct mpol *p);
/* The nodemask as MPOL_MASK_BITS bits of unsigned longs (buf holds MPOL_MASK_BITS/8 bytes). */
void mpol_mask_words(const struct mpol *p, unsigned long *buf);
/* Nodes of the policy in ascending order; returns how many (at most max). */
int mpol_node_list(const struct mpol *p, int *nodes, int max);
/* "0-2,5" for the policy's nodes ("" when none); malloc'd. */
char *mpol_nodes_str(const struct mpol *p);
/* Does this mode take nodes, and how many: -1 any (>= 1), 1 exactly one, 0 none. */
int mpol_mode_nodes(int mode);

#endif
