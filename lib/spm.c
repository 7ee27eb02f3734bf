// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The memory nodes of a machine as spmctl sees them (lib/spm.h).  Only the
 * node directory is required: every other file came with some release (HMAT
 * access classes 5.2, memory tiers 6.1, weighted interleave 6.9, the SPM
 * RFCs not yet), and a hotplug may take a node, a memory block or a dax
 * device away while it is read.  A file that is missing, unreadable or gone
 * reads as "not known"; only running out of memory fails a read.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <numa.h>

#include "lib/bitmap.h"
#include "lib/parse.h"
#include "lib/spm.h"
#include "lib/sysroot.h"

#define NODE_DIR "/sys/devices/system/node"
#define MEMORY_DIR "/sys/devices/system/memory"
#define TIER_DIR "/sys/devices/virtual/memory_tiering"
#define WI_DIR "/sys/kernel/mm/mempolicy/weighted_interleave"
#define DAX_DIR "/sys/bus/dax/devices"
#define SYSRAM_CPUSET "/sys/fs/cgroup/cpuset.mems.sysram"

/* The node lists of the node directory, NULL where the kernel has no such file. */
struct masks {
	struct bitmask *online, *has_cpu, *has_memory, *has_normal, *has_private, *sysram;
};

static int in_mask(const struct bitmask *bm, int id)
{
	return bm && id >= 0 && numa_bitmask_isbitset(bm, (unsigned int)id);
}

/* Only -ENOMEM is an error: anything else means the file tells nothing. */
static int soft(int rc)
{
	return rc == -ENOMEM ? rc : 0;
}

/* A file that is there but says nothing readable: the first one is named in sys. */
static void bad_file(struct spm_system *sys, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bad_file(struct spm_system *sys, const char *fmt, ...)
{
	va_list ap;

	if (!sys->nbad++) {
		va_start(ap, fmt);
		vsnprintf(sys->bad_file, sizeof(sys->bad_file), fmt, ap);
		va_end(ap);
	}
}

/* A node list file in the kernel's "%*pbl" format; *out NULL when absent or junk. */
static int read_list(struct spm_system *sys, struct bitmask **out, const char *path)
{
	char *text;
	ssize_t n;
	int rc;

	*out = NULL;
	n = sysroot_read_file(&text, "%s", path);
	if (n < 0)
		return soft(n);
	rc = bitmap_parse_list(text, out);
	free(text);
	if (rc) {
		*out = NULL;
		if (rc != -ENOMEM)
			bad_file(sys, "%s", path);
	}
	return soft(rc);
}

/* sysfs prints block_size_bytes and phys_index in hex without "0x". */
static int read_hex(uint64_t *val, const char *path)
{
	char line[64], *end;
	ssize_t n;

	n = sysroot_read_line(line, sizeof(line), "%s", path);
	if (n < 0)
		return n;
	if (!isxdigit((unsigned char)line[0]))
		return -EINVAL;
	errno = 0;
	*val = strtoull(line, &end, 16);
	return errno || *end ? -EINVAL : 0;
}

/* A decimal int attribute (node numbers, weights); `def` when absent or junk. */
static int read_int(const char *path, int def)
{
	char line[32];
	int v;

	if (sysroot_read_line(line, sizeof(line), "%s", path) < 0 ||
	    parse_int(line, &v, INT_MIN, INT_MAX) < 0)
		return def;
	return v;
}

/* An entry name "<prefix><number>" (node3, memory42, memory_tier4); -1 otherwise. */
static long name_number(const char *name, const char *prefix)
{
	size_t len = strlen(prefix);
	unsigned long v;
	char *end;

	if (strncmp(name, prefix, len) || !isdigit((unsigned char)name[len]))
		return -1;
	errno = 0;
	v = strtoul(name + len, &end, 10);
	if (errno || *end || v > INT_MAX)
		return -1;
	return (long)v;
}

/* Grow an array of `size`-byte items to hold n + 1; 0 or -ENOMEM. */
static int grow(void *arrp, size_t n, size_t size)
{
	void **arr = arrp;
	void *p = realloc(*arr, (n + 1) * size);

	if (!p)
		return -ENOMEM;
	*arr = p;
	return 0;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/*
 * The numbers of the entries "<prefix>N" of a directory, sorted, in *out
 * (*count of them); 0 or -errno.  The count is apart from the status so that
 * a failure always leaves no array and a count of 0.
 */
static int list_numbers(const char *dir, const char *prefix, long **out, int *count)
{
	struct dirent *de;
	long *ids = NULL, id;
	size_t n = 0;
	DIR *d;

	*out = NULL;
	*count = 0;
	d = sysroot_opendir("%s", dir);
	if (!d)
		return -errno;
	while ((de = sysroot_readdir(d))) {
		id = name_number(de->d_name, prefix);
		if (id < 0)
			continue;
		if (grow(&ids, n, sizeof(*ids))) {
			closedir(d);
			free(ids);
			return -ENOMEM;
		}
		ids[n++] = id;
	}
	closedir(d);
	if (n > INT_MAX) {
		free(ids);
		return -ERANGE;
	}
	if (n)
		qsort(ids, n, sizeof(*ids), cmp_long);
	*out = ids;
	*count = (int)n;
	return 0;
}

/* ---- nodes ---- */

static int read_masks(struct spm_system *sys, struct masks *m)
{
	static const struct {
		size_t off;
		const char *path;
	} files[] = {
		{ offsetof(struct masks, online), NODE_DIR "/online" },
		{ offsetof(struct masks, has_cpu), NODE_DIR "/has_cpu" },
		{ offsetof(struct masks, has_memory), NODE_DIR "/has_memory" },
		{ offsetof(struct masks, has_normal), NODE_DIR "/has_normal_memory" },
		{ offsetof(struct masks, has_private), NODE_DIR "/has_private_memory" },
		{ offsetof(struct masks, sysram), SYSRAM_CPUSET },
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		rc = read_list(sys, (struct bitmask **)((char *)m + files[i].off), files[i].path);
		if (rc)
			return rc;
	}
	return 0;
}

static void free_masks(struct masks *m)
{
	struct bitmask **fields[] = { &m->online, &m->has_cpu, &m->has_memory, &m->has_normal,
				      &m->has_private, &m->sysram };
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (*fields[i])
			/* cppcheck-suppress shadowVariable ; a call it reads as a declaration */
			numa_bitmask_free(*fields[i]);
		*fields[i] = NULL;
	}
}

/*
 * The cpulist, whole in n->cpus; in n->cpulist as far as it fits, cut after
 * a whole item so that what is shown is never a wrong CPU number.
 */
static int read_cpus(struct spm_node *n, char *text)
{
	size_t len, cut;

	text[strcspn(text, "\n")] = '\0';
	n->cpus = strdup(text);
	if (!n->cpus)
		return -ENOMEM;
	len = strlen(text);
	if (len < sizeof(n->cpulist)) {
		memcpy(n->cpulist, text, len + 1);
		return 0;
	}
	cut = sizeof(n->cpulist) - 4;
	while (cut > 0 && text[cut] != ',')
		cut--;
	snprintf(n->cpulist, sizeof(n->cpulist), "%.*s...", (int)cut, text);
	return 0;
}

/* "Node 0 MemTotal:        5465888 kB": 1 and the size if the line has that key. */
static int meminfo_kb(const char *line, const char *key, uint64_t *bytes)
{
	size_t len = strlen(key);
	const char *p;
	uint64_t v;

	if (strncmp(line, "Node ", 5) || parse_u64_prefix(line + 5, 10, &v, &p) || *p != ' ' ||
	    strncmp(p + 1, key, len) || p[1 + len] != ':')
		return 0;
	p += 2 + len;
	p += strspn(p, " ");
	if (parse_u64_prefix(p, 10, &v, &p) || strcmp(p, " kB") || v > UINT64_MAX >> 10)
		return 0;
	*bytes = v << 10;
	return 1;
}

static void read_meminfo(struct spm_system *sys, struct spm_node *n)
{
	char *text, *line, *save = NULL;
	int seen = 0;

	if (sysroot_read_file(&text, NODE_DIR "/node%d/meminfo", n->id) < 0)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (meminfo_kb(line, "MemTotal", &n->mem_total))
			seen |= 1;
		else if (meminfo_kb(line, "MemFree", &n->mem_free))
			seen |= 2;
	}
	free(text);
	/* Cut short or junk: a size of 0 would be shown as if the kernel said so. */
	if (seen != 3)
		bad_file(sys, NODE_DIR "/node%d/meminfo", n->id);
}

/*
 * The distance file lists one number per online node, in node order: map
 * them to the nodes that have a directory (the online ones).
 */
static int read_distance(struct spm_system *sys, struct spm_node *n, const struct masks *m)
{
	char *text, *p, *end;
	size_t i = 0, k;
	long v;
	int id;

	n->distance = calloc(sys->nnodes ? sys->nnodes : 1, sizeof(*n->distance));
	if (!n->distance)
		return -ENOMEM;
	for (k = 0; k < sys->nnodes; k++)
		n->distance[k] = -1;
	if (sysroot_read_file(&text, NODE_DIR "/node%d/distance", n->id) < 0)
		return 0;
	for (p = text, id = -1;; p = end) {
		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p || errno || v < 0 || v > INT_MAX)
			break;
		/* The next online node: from the online list, else the directories. */
		if (m->online) {
			while (++id < (int)m->online->size && !in_mask(m->online, id))
				;
			for (; i < sys->nnodes && sys->nodes[i].id < id; i++)
				;
			if (i < sys->nnodes && sys->nodes[i].id == id)
				n->distance[i] = (int)v;
		} else if (i < sys->nnodes) {
			n->distance[i++] = (int)v;
		}
	}
	free(text);
	return 0;
}

/* The initiators/nodeX links as a node list ("0-1"), through lib/bitmap. */
static int initiator_list(DIR *d, char *buf, size_t size)
{
	struct bitmask *bm = NULL;
	char *text = NULL, *list;
	size_t len = 0;
	const char *sep = "";
	struct dirent *de;
	FILE *f;
	long id;
	int rc;

	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	while ((de = sysroot_readdir(d))) {
		id = name_number(de->d_name, "node");
		if (id < 0)
			continue;
		fprintf(f, "%s%ld", sep, id);
		sep = ",";
	}
	if (fclose(f) || !text)
		return -ENOMEM;
	rc = bitmap_parse_list(text, &bm);
	free(text);
	if (rc)
		return soft(rc);
	list = bitmap_format_list(bm);
	numa_bitmask_free(bm);
	if (!list)
		return -ENOMEM;
	snprintf(buf, size, "%s", list);
	free(list);
	return 0;
}

/* nodeN/accessK/initiators: four numbers and a link per initiator node. */
static int read_access(struct spm_access *a, int node, int k)
{
	static const char *const names[] = { "read_latency", "write_latency", "read_bandwidth",
					     "write_bandwidth" };
	uint64_t *vals[] = { &a->read_latency, &a->write_latency, &a->read_bandwidth,
			     &a->write_bandwidth };
	char dir[128];
	size_t i;
	DIR *d;
	int rc;

	snprintf(dir, sizeof(dir), NODE_DIR "/node%d/access%d/initiators", node, k);
	d = sysroot_opendir("%s", dir);
	if (!d)
		return soft(-errno);
	a->present = 1;
	rc = initiator_list(d, a->initiators, sizeof(a->initiators));
	closedir(d);
	for (i = 0; i < 4; i++)
		if (sysroot_read_u64(vals[i], "%s/%s", dir, names[i]) < 0)
			*vals[i] = 0;
	return rc;
}

static int cmp_block(const void *a, const void *b)
{
	const struct spm_block *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* One memory block; -ENOENT when it went away while read. */
static int read_block(struct spm_system *sys, struct spm_block *b, long index, int node)
{
	char path[96];
	uint64_t phys;
	ssize_t n;

	memset(b, 0, sizeof(*b));
	b->index = (unsigned long)index;
	b->node = node;
	n = sysroot_read_line(b->state, sizeof(b->state), MEMORY_DIR "/memory%ld/state", index);
	if (n < 0)
		return n == -ENOMEM ? n : -ENOENT;
	if (sysroot_read_line(b->zones, sizeof(b->zones), MEMORY_DIR "/memory%ld/valid_zones",
			      index) < 0)
		b->zones[0] = '\0';
	snprintf(path, sizeof(path), MEMORY_DIR "/memory%ld/phys_index", index);
	if (read_hex(&phys, path) < 0)
		phys = (uint64_t)index;
	b->start = phys * sys->block_size;
	return 0;
}

static int read_blocks(struct spm_system *sys, struct spm_node *n)
{
	char dir[64];
	long *ids;
	int i, count, rc = 0;

	snprintf(dir, sizeof(dir), NODE_DIR "/node%d", n->id);
	rc = list_numbers(dir, "memory", &ids, &count);
	if (rc < 0)
		return soft(rc);
	n->blocks = calloc(count ? count : 1, sizeof(*n->blocks));
	if (!n->blocks) {
		free(ids);
		return -ENOMEM;
	}
	for (i = 0; i < count && !rc; i++) {
		rc = read_block(sys, &n->blocks[n->nblocks], ids[i], n->id);
		if (rc == 0)
			n->nblocks++;
		else if (rc == -ENOENT)
			rc = 0;
	}
	free(ids);
	qsort(n->blocks, n->nblocks, sizeof(*n->blocks), cmp_block);
	return rc;
}

static void append(char *buf, size_t size, const char *word)
{
	size_t len = strlen(buf);

	if (len + !!len + strlen(word) < size)
		snprintf(buf + len, size - len, "%s%s", len ? "," : "", word);
}

/*
 * The zones of the node's online blocks in the kernel's zone order, then
 * "offline" if some block is not online.  An online block that spans zones
 * shows "none" in valid_zones: that says nothing about the node.
 */
static void node_zone(struct spm_node *n)
{
	static const char *const order[] = { "DMA", "DMA32", "Normal", "HighMem", "Movable",
					     "Device", NULL };
	int online = 0, offline = 0, seen[8] = { 0 };
	char first[64];
	size_t i, k;

	n->zone[0] = '\0';
	for (i = 0; i < n->nblocks; i++) {
		const struct spm_block *b = &n->blocks[i];

		if (strcmp(b->state, "online")) {
			offline = 1;
			continue;
		}
		online = 1;
		snprintf(first, sizeof(first), "%.*s", (int)strcspn(b->zones, " "), b->zones);
		for (k = 0; order[k]; k++)
			if (!strcmp(first, order[k]))
				seen[k] = 1;
	}
	for (k = 0; order[k]; k++)
		if (seen[k])
			append(n->zone, sizeof(n->zone), order[k]);
	if (online && !n->zone[0])
		append(n->zone, sizeof(n->zone), "online");
	if (offline)
		append(n->zone, sizeof(n->zone), "offline");
}

static int read_node(struct spm_system *sys, struct spm_node *n, const struct masks *m)
{
	char path[96], *text, none[1] = "";
	ssize_t len;
	int rc, k;

	len = sysroot_read_file(&text, NODE_DIR "/node%d/cpulist", n->id);
	if (len == -ENOMEM)
		return (int)len;
	/* A node without a cpulist file has no CPUs; read_cpus() writes to its text. */
	rc = read_cpus(n, len < 0 ? none : text);
	if (len >= 0)
		free(text);
	if (rc)
		return rc;
	read_meminfo(sys, n);
	n->online = m->online ? in_mask(m->online, n->id) : 1;
	n->has_cpu = m->has_cpu ? in_mask(m->has_cpu, n->id) : n->cpus[0] != '\0';
	n->has_memory = m->has_memory ? in_mask(m->has_memory, n->id) : n->mem_total > 0;
	n->has_normal_memory = m->has_normal ? in_mask(m->has_normal, n->id) : n->has_memory;
	n->private_mem = in_mask(m->has_private, n->id);
	n->sysram = m->sysram ? in_mask(m->sysram, n->id) : 1;
	n->tier = -1;
	snprintf(path, sizeof(path), WI_DIR "/node%d", n->id);
	n->weight = read_int(path, -1);
	rc = read_distance(sys, n, m);
	for (k = 0; !rc && k < 2; k++)
		rc = read_access(&n->access[k], n->id, k);
	if (!rc)
		rc = read_blocks(sys, n);
	if (!rc)
		node_zone(n);
	return rc;
}

/*
 * A node removed while it was read (its directory is gone) is dropped, and
 * so is its column of every other node's distances.
 */
static void drop_gone_nodes(struct spm_system *sys)
{
	size_t i, k, kept;
	char *gone;

	gone = calloc(sys->nnodes ? sys->nnodes : 1, 1);
	if (!gone)
		return;	/* keeping them is not wrong, only stale */
	for (i = 0; i < sys->nnodes; i++)
		gone[i] = !sysroot_exists(NODE_DIR "/node%d", sys->nodes[i].id);
	/* The columns first, while every row is still where it was read. */
	for (i = 0; i < sys->nnodes; i++) {
		int *d = sys->nodes[i].distance;
		size_t to = 0;

		if (gone[i] || !d)
			continue;
		for (k = 0; k < sys->nnodes; k++)
			if (!gone[k])
				d[to++] = d[k];
	}
	for (i = kept = 0; i < sys->nnodes; i++) {
		struct spm_node *n = &sys->nodes[i];

		if (gone[i]) {
			free(n->cpus);
			free(n->distance);
			free(n->blocks);
			continue;
		}
		sys->nodes[kept++] = *n;
	}
	sys->nnodes = kept;
	free(gone);
}

static int read_nodes(struct spm_system *sys)
{
	struct masks m = { 0 };
	long *ids;
	size_t i;
	int count, rc;

	rc = list_numbers(NODE_DIR, "node", &ids, &count);
	if (rc < 0)
		return rc;
	sys->nodes = calloc(count ? count : 1, sizeof(*sys->nodes));
	if (!sys->nodes) {
		free(ids);
		return -ENOMEM;
	}
	for (i = 0; i < (size_t)count; i++)
		sys->nodes[i].id = (int)ids[i];
	sys->nnodes = count;
	free(ids);
	rc = read_masks(sys, &m);
	sys->has_private_attr = m.has_private != NULL;
	sys->has_sysram_cpuset = m.sysram != NULL;
	for (i = 0; !rc && i < sys->nnodes; i++)
		rc = read_node(sys, &sys->nodes[i], &m);
	free_masks(&m);
	if (rc)
		return rc;
	drop_gone_nodes(sys);
	return 0;
}

/* ---- tiers, dax devices, /proc/iomem ---- */

static int read_tiers(struct spm_system *sys)
{
	char path[96];
	long *ids;
	int i, count, rc;

	rc = list_numbers(TIER_DIR, "memory_tier", &ids, &count);
	if (rc < 0)
		return soft(rc);
	sys->tiers = calloc(count ? count : 1, sizeof(*sys->tiers));
	if (!sys->tiers) {
		free(ids);
		return -ENOMEM;
	}
	for (i = 0; i < count; i++) {
		struct spm_tier *t = &sys->tiers[sys->ntiers];

		snprintf(path, sizeof(path), TIER_DIR "/memory_tier%ld/nodelist", ids[i]);
		if (sysroot_read_line(t->nodelist, sizeof(t->nodelist), "%s", path) < 0)
			continue;	/* went away */
		t->id = (int)ids[i];
		sys->ntiers++;
	}
	free(ids);
	return 0;
}

static void tier_of_nodes(struct spm_system *sys)
{
	struct bitmask *bm;
	size_t i, k;

	for (i = 0; i < sys->ntiers; i++) {
		if (bitmap_parse_list(sys->tiers[i].nodelist, &bm))
			continue;
		for (k = 0; k < sys->nnodes; k++)
			if (in_mask(bm, sys->nodes[k].id))
				sys->nodes[k].tier = sys->tiers[i].id;
		numa_bitmask_free(bm);
	}
}

static int cmp_dax(const void *a, const void *b)
{
	return strverscmp(((const struct spm_dax *)a)->name, ((const struct spm_dax *)b)->name);
}

/* One device; -ENOENT when it went away. */
static int read_dax(struct spm_dax *x, const char *name)
{
	char path[PATH_MAX], link[PATH_MAX], base[sizeof(DAX_DIR) + 64];
	const char *drv;
	ssize_t n;

	memset(x, 0, sizeof(*x));
	snprintf(x->name, sizeof(x->name), "%s", name);
	snprintf(base, sizeof(base), DAX_DIR "/%s", x->name);
	if (!sysroot_exists("%s", base))
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/target_node", base);
	x->target_node = read_int(path, -1);
	snprintf(path, sizeof(path), "%s/numa_node", base);
	x->numa_node = read_int(path, -1);
	snprintf(path, sizeof(path), "%s/spm_node", base);
	x->spm_node = read_int(path, -1);
	snprintf(path, sizeof(path), "%s/resource", base);
	if (sysroot_read_u64(&x->start, "%s", path) < 0)
		x->start = 0;
	snprintf(path, sizeof(path), "%s/size", base);
	if (sysroot_read_u64(&x->size, "%s", path) < 0)
		x->size = 0;
	if (sysroot_path(path, sizeof(path), "%s/driver", base) == 0) {
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			drv = strrchr(link, '/');
			snprintf(x->driver, sizeof(x->driver), "%.*s", (int)sizeof(x->driver) - 1,
				 drv ? drv + 1 : link);
		}
	}
	return 0;
}

static int read_dax_devices(struct spm_system *sys)
{
	struct dirent *de;
	size_t i;
	DIR *d;
	int rc = 0;

	d = sysroot_opendir(DAX_DIR);
	if (!d)
		return soft(-errno);
	while ((de = sysroot_readdir(d)) && !rc) {
		if (strncmp(de->d_name, "dax", 3) || strlen(de->d_name) >= sizeof(sys->dax->name))
			continue;
		rc = grow(&sys->dax, sys->ndax, sizeof(*sys->dax));
		if (rc)
			break;
		rc = read_dax(&sys->dax[sys->ndax], de->d_name);
		if (rc == 0)
			sys->ndax++;
		else if (rc == -ENOENT)
			rc = 0;
	}
	closedir(d);
	if (rc || !sys->ndax)
		return rc;
	qsort(sys->dax, sys->ndax, sizeof(*sys->dax), cmp_dax);
	for (i = 0; i < sys->ndax; i++)
		sys->has_spm_attr |= sys->dax[i].spm_node >= 0;
	return 0;
}

static int add_range(struct spm_range **arr, size_t *n, uint64_t start, uint64_t last,
		     const char *owner)
{
	if (grow(arr, *n, sizeof(**arr)))
		return -ENOMEM;
	(*arr)[*n].start = start;
	(*arr)[*n].end = last + 1;
	snprintf((*arr)[*n].owner, sizeof((*arr)[*n].owner), "%s", owner);
	++*n;
	return 0;
}

int spm_iomem_line(char *line, uint64_t *start, uint64_t *last, size_t *depth,
		   const char **name)
{
	const char *p;
	uint64_t a, b;

	line[strcspn(line, "\n")] = '\0';
	p = line + strspn(line, " ");
	if (parse_u64_prefix(p, 16, &a, &p) || *p != '-' ||
	    parse_u64_prefix(p + 1, 16, &b, &p) || strncmp(p, " : ", 3) || b < a)
		return -EINVAL;
	*start = a;
	*last = b;
	*depth = strspn(line, " ") / 2;
	*name = p + 3;
	return 0;
}

static int read_iomem(struct spm_system *sys)
{
	char names[8][32] = { { 0 } };
	const char *name;
	size_t cap = 0, depth;
	char *line = NULL;
	uint64_t a, b;
	int rc = 0;
	FILE *f;

	f = sysroot_fopen("r", "/proc/iomem");
	if (!f)
		return soft(-errno);
	while (!rc && getline(&line, &cap, f) > 0) {
		if (spm_iomem_line(line, &a, &b, &depth, &name))
			continue;
		if (depth < 8)
			snprintf(names[depth], sizeof(names[depth]), "%s", name);
		if (a == 0 && b == 0) {
			sys->iomem_hidden = 1;
			continue;
		}
		if (!strcmp(name, "Soft Reserved"))
			rc = add_range(&sys->soft_reserved, &sys->nsoft_reserved, a, b,
				       depth && depth <= 8 ? names[depth - 1] : "");
		else if (!strcmp(name, "System RAM (kmem)"))
			rc = add_range(&sys->kmem, &sys->nkmem, a, b,
				       depth && depth <= 8 ? names[depth - 1] : "");
	}
	free(line);
	fclose(f);
	return rc;
}

/* ---- putting it together ---- */

static const struct spm_range *range_at(const struct spm_range *r, size_t n, uint64_t addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (addr >= r[i].start && addr < r[i].end)
			return &r[i];
	return NULL;
}

/* The range of r[] that holds the node's dax device or one of its blocks. */
static const struct spm_range *node_range(const struct spm_node *n, const struct spm_range *r,
					  size_t nr)
{
	const struct spm_range *hit = NULL;
	size_t i;

	if (n->dax && n->dax->size)
		hit = range_at(r, nr, n->dax->start);
	for (i = 0; !hit && i < n->nblocks; i++)
		hit = range_at(r, nr, n->blocks[i].start);
	return hit;
}

static void link_node(struct spm_system *sys, struct spm_node *n)
{
	size_t i;

	/* kmem's device first: a node may also be the target of unbound ones. */
	for (i = 0; i < sys->ndax && !n->dax; i++)
		if (sys->dax[i].target_node == n->id && !strcmp(sys->dax[i].driver, "kmem"))
			n->dax = &sys->dax[i];
	n->soft_reserved = node_range(n, sys->soft_reserved, sys->nsoft_reserved);
	n->kmem = node_range(n, sys->kmem, sys->nkmem);
	if (n->private_mem)
		n->kind = SPM_KIND_PRIVATE;
	else if ((sys->has_sysram_cpuset && !n->sysram && n->has_memory) ||
		 (n->dax && n->dax->spm_node == 1))
		n->kind = SPM_KIND_SPM;
	else if (!n->has_cpu)
		n->kind = SPM_KIND_CPULESS;
	else
		n->kind = SPM_KIND_SYSRAM;
}

static int read_wi_auto(void)
{
	/* "auto" came with 6.16; kernels built with `auto` as a C macro name it "__auto_type". */
	static const char *const names[] = { WI_DIR "/auto", WI_DIR "/__auto_type" };
	char line[16];
	size_t i;

	for (i = 0; i < 2; i++) {
		if (sysroot_read_line(line, sizeof(line), "%s", names[i]) < 0)
			continue;
		if (!strcmp(line, "true") || !strcmp(line, "1") || !strcmp(line, "Y"))
			return 1;
		if (!strcmp(line, "false") || !strcmp(line, "0") || !strcmp(line, "N"))
			return 0;
	}
	return -1;
}

int spm_read(struct spm_system *sys)
{
	size_t i;
	int rc;

	memset(sys, 0, sizeof(*sys));
	sys->wi_auto = -1;
	if (read_hex(&sys->block_size, MEMORY_DIR "/block_size_bytes") < 0)
		sys->block_size = 0;
	rc = read_nodes(sys);
	if (!rc)
		rc = read_tiers(sys);
	if (!rc)
		rc = read_dax_devices(sys);
	if (!rc)
		rc = read_iomem(sys);
	if (rc) {
		spm_free(sys);
		return rc;
	}
	tier_of_nodes(sys);
	for (i = 0; i < sys->nnodes; i++)
		link_node(sys, &sys->nodes[i]);
	sys->wi_auto = read_wi_auto();
	return 0;
}

void spm_free(struct spm_system *sys)
{
	size_t i;

	for (i = 0; i < sys->nnodes; i++) {
		free(sys->nodes[i].cpus);
		free(sys->nodes[i].distance);
		free(sys->nodes[i].blocks);
	}
	free(sys->nodes);
	free(sys->dax);
	free(sys->soft_reserved);
	free(sys->kmem);
	free(sys->tiers);
	memset(sys, 0, sizeof(*sys));
	sys->wi_auto = -1;
}

const char *spm_kind_name(enum spm_kind k)
{
	switch (k) {
	case SPM_KIND_SYSRAM:
		return "sysram";
	case SPM_KIND_SPM:
		return "spm";
	case SPM_KIND_PRIVATE:
		return "private";
	case SPM_KIND_CPULESS:
		return "cpuless";
	}
	return "unknown";
}

struct spm_node *spm_node_find(const struct spm_system *sys, int id)
{
	size_t i;

	for (i = 0; i < sys->nnodes; i++)
		if (sys->nodes[i].id == id)
			return &sys->nodes[i];
	return NULL;
}

struct spm_dax *spm_dax_find(const struct spm_system *sys, const char *name)
{
	size_t i;

	for (i = 0; name && i < sys->ndax; i++)
		if (!strcmp(sys->dax[i].name, name))
			return &sys->dax[i];
	return NULL;
}

/* Whole blocks only: kmem onlines the block-aligned part of a range. */
int spm_blocks_in(const struct spm_system *sys, uint64_t start, uint64_t size,
		  unsigned long **indexes)
{
	uint64_t bs = sys->block_size, first, end, i;
	unsigned long *idx;

	*indexes = NULL;
	if (!bs)
		return -ENOENT;
	if (size > UINT64_MAX - start)
		return -ERANGE;
	first = start / bs + (start % bs != 0);
	end = (start + size) / bs;
	if (end < first)
		end = first;
	if (end - first > INT_MAX || end > ULONG_MAX)
		return -ERANGE;
	idx = malloc(((end - first) ? end - first : 1) * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (i = first; i < end; i++)
		idx[i - first] = (unsigned long)i;
	*indexes = idx;
	return (int)(end - first);
}
