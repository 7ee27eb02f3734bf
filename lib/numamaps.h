/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NUMAKIT_NUMAMAPS_H
#define NUMAKIT_NUMAMAPS_H

#include <stddef.h>
#include <stdint.h>

/* One line of /proc/PID/numa_maps (see proc(5) and numa(7)). */
struct numamap {
	uint64_t start;
	char *policy;		/* "default", "bind:0-1", "interleave=static:0" ... */
	uint64_t *pages;	/* pages[node]: the Nn=pages fields (in kernelpagesize units) */
	int nr_nodes;		/* entries in pages: highest node seen + 1 */
	uint64_t anon;
	uint64_t dirty;
	uint64_t mapped;
	uint64_t mapmax;
	uint64_t swapcache;
	uint64_t active;
	uint64_t writeback;
	uint64_t kernelpagesize_kb;
	unsigned int has;	/* NUMAMAP_HAS_*: which counters the line carried */
	int huge;		/* hugetlb mapping */
};

enum {
	NUMAMAP_HAS_ANON = 1 << 0,
	NUMAMAP_HAS_DIRTY = 1 << 1,
	NUMAMAP_HAS_MAPPED = 1 << 2,
	NUMAMAP_HAS_MAPMAX = 1 << 3,
	NUMAMAP_HAS_SWAPCACHE = 1 << 4,
	NUMAMAP_HAS_ACTIVE = 1 << 5,
	NUMAMAP_HAS_WRITEBACK = 1 << 6,
};

struct numamap_list {
	struct numamap *m;
	size_t n;
};

/* 0 or -EINVAL / -ENOMEM; *m must be released with numamaps_free_one(). */
int numamaps_parse_line(const char *line, size_t len, struct numamap *m);
void numamaps_free_one(struct numamap *m);

/* Read a whole numa_maps file, sorted by start. 0 or -errno. */
int numamaps_read(int fd, struct numamap_list *l);
void numamaps_free(struct numamap_list *l);
const struct numamap *numamaps_find(const struct numamap_list *l, uint64_t start);
struct json_object;

/* Pages per node as numa_maps writes them, "N0=12 N2=3"; malloc'd, NULL with errno. */
char *numamaps_nodes_str(const struct numamap *m);
/* The same as a JSON object {"0": 12, "2": 3} (a json-c object, owned by the caller). */
struct json_object *numamaps_nodes_json(const struct numamap *m);
/* Total pages over all nodes. */
uint64_t numamaps_total(const struct numamap *m);

#endif
