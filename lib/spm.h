/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory nodes of a machine as spmctl sees them: NUMA nodes with their
 * CPUs, memory, tier, HMAT access classes, memory blocks and zones,
 * weighted-interleave weight, and where their memory came from (a dax
 * device onlined by kmem, a Soft Reserved range of /proc/iomem).  Read
 * through lib/sysroot, so captured trees stand in for the machine.
 *
 * Kinds: "private" (in has_private_memory: the N_PRIVATE RFC, v3), "spm"
 * (memory not in cpuset.mems.sysram, or onlined from a dax device whose
 * spm_node is 1: the SPM RFC v2), "cpuless" (no CPU: memory alone, or
 * nothing yet), "sysram" otherwise.
 */
#ifndef NUMAKIT_SPM_H
#define NUMAKIT_SPM_H

#include <stddef.h>
#include <stdint.h>

enum spm_kind { SPM_KIND_SYSRAM, SPM_KIND_SPM, SPM_KIND_PRIVATE, SPM_KIND_CPULESS };

/* One HMAT access class of a node (nodeN/accessK/). */
struct spm_access {
	int present;
	uint64_t read_latency, write_latency;		/* ns */
	uint64_t read_bandwidth, write_bandwidth;	/* MB/s, as sysfs shows them */
	char initiators[128];				/* node list of initiators/nodeX links */
};

/* One memory block (/sys/devices/system/memory/memoryN). */
struct spm_block {
	unsigned long index;
	uint64_t start;			/* phys_index * block size */
	char state[16];			/* online, offline, going-offline */
	char zones[64];			/* valid_zones (the zone when online) */
	int node;
};

/* One dax device (/sys/bus/dax/devices/daxX.Y). */
struct spm_dax {
	char name[32];
	int target_node;		/* -1 when absent */
	int numa_node;
	uint64_t start, size;		/* resource, size */
	char driver[32];		/* device_dax, kmem, or "" when unbound */
	int spm_node;			/* the v2 attribute: 0/1, -1 when absent */
};

/* A "Soft Reserved" or "System RAM (kmem)" range of /proc/iomem. */
struct spm_range {
	uint64_t start, end;		/* end exclusive */
	char owner[32];			/* the resource it is nested in ("dax0.0"), or "" */
};

struct spm_node {
	int id;
	int online, has_cpu, has_memory, has_normal_memory;
	int private_mem;		/* listed in has_private_memory */
	int sysram;			/* listed in cpuset.mems.sysram (1 when that file is absent) */
	enum spm_kind kind;
	char cpulist[256];		/* cut at a comma, ending "...", when longer */
	char *cpus;			/* the whole cpulist ("" when none) */
	uint64_t mem_total, mem_free;	/* bytes (nodeN/meminfo) */
	int tier;			/* memory_tierN that lists it, -1 */
	int *distance;			/* distance[i] to nodes[i] */
	struct spm_access access[2];	/* access0, access1 */
	struct spm_block *blocks;
	size_t nblocks;
	int weight;			/* weighted_interleave/nodeN, -1 */
	const struct spm_dax *dax;	/* the dax device onlined as this node, or NULL */
	const struct spm_range *soft_reserved;	/* the range its memory lies in, or NULL */
	const struct spm_range *kmem;	/* its "System RAM (kmem)" range, or NULL */
	char zone[32];			/* zones of the online blocks, then "offline" if some
					 * are not: "Normal,Movable", "Movable,offline",
					 * "offline"; "" without blocks */
};

struct spm_tier {
	int id;
	char nodelist[128];
};

struct spm_system {
	struct spm_node *nodes;		/* possible nodes with a node directory, by id */
	size_t nnodes;
	struct spm_dax *dax;
	size_t ndax;
	struct spm_range *soft_reserved;
	size_t nsoft_reserved;
	struct spm_range *kmem;		/* "System RAM (kmem)": dax ranges kmem onlined */
	size_t nkmem;
	int iomem_hidden;		/* /proc/iomem showed zeros: read without root */
	struct spm_tier *tiers;
	size_t ntiers;
	uint64_t block_size;		/* memory block size (0 when unknown) */
	int has_private_attr;		/* /sys/devices/system/node/has_private_memory exists */
	int has_sysram_cpuset;		/* /sys/fs/cgroup/cpuset.mems.sysram exists */
	int has_spm_attr;		/* some dax device has spm_node */
	int wi_auto;			/* weighted_interleave/auto: 1, 0, -1 when absent */
	int nbad;			/* files there but unreadable (taken as absent) */
	char bad_file[256];		/* the first of them, a path below the sysroot */
};

/* Read everything; 0 or -errno (a missing /sys/devices/system/node is -ENOENT). */
int spm_read(struct spm_system *sys);
void spm_free(struct spm_system *sys);

const char *spm_kind_name(enum spm_kind k);
struct spm_node *spm_node_find(const struct spm_system *sys, int id);
struct spm_dax *spm_dax_find(const struct spm_system *sys, const char *name);
/*
 * One line of /proc/iomem, "  100000000-13fffffff : dax0.0", with two blanks
 * of indent per level of nesting: 0 with *start, *last (inclusive), *depth
 * and *name (in line, its newline cut) set; -EINVAL for any other line.  A
 * reader without CAP_SYS_ADMIN sees every address as zero.
 */
int spm_iomem_line(char *line, uint64_t *start, uint64_t *last, size_t *depth,
		   const char **name);
/* The memory blocks inside [start, start + size), from the block size; count or -errno. */
int spm_blocks_in(const struct spm_system *sys, uint64_t start, uint64_t size,
		  unsigned long **indexes);

#endif
