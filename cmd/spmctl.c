// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * spmctl: Specific Purpose Memory nodes.  `list` and `show` read the model
 * of lib/spm (nodes, tiers, HMAT, memory blocks, dax devices, Soft Reserved
 * ranges); online and offline live in cmd/spmctl-dax.c, run and who in
 * cmd/spmctl-run.c.  This file parses and checks the command line for all
 * of them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libsmartcols.h>

#include "lib/bitmap.h"
#include "lib/doc.h"
#include "lib/msg.h"
#include "lib/opt.h"
#include "lib/parse.h"
#include "lib/spm.h"
#include "lib/sysroot.h"
#include "lib/table.h"

#include "cmd/spmctl.h"

/* Each memory tier covers this much abstract distance (MEMTIER_CHUNK_BITS, 7 since 6.1). */
#define TIER_CHUNK 128

enum {
	COL_NODE, COL_KIND, COL_TIER, COL_SIZE, COL_FREE, COL_CPUS, COL_SOURCE, COL_ZONE,
	COL_DAX, COL_DISTANCE, COL_WEIGHT, COL_BLOCKS, COL_LATENCY, COL_BANDWIDTH, NR_COLS
};

static const struct table_col cols[NR_COLS] = {
	[COL_NODE] = { "NODE", 4, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "node number" },
	[COL_KIND] = { "KIND", 7, 0, SCOLS_JSON_STRING, "sysram, spm, private or cpuless" },
	[COL_TIER] = { "TIER", 4, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		       "memory tier (memory_tierN; a higher number is slower)" },
	[COL_SIZE] = { "SIZE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		       "memory of the node (MemTotal)" },
	[COL_FREE] = { "FREE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "free memory (MemFree)" },
	[COL_CPUS] = { "CPUS", 6, 0, SCOLS_JSON_STRING, "CPUs of the node (cpulist)" },
	[COL_SOURCE] = { "SOURCE", 20, 0, SCOLS_JSON_STRING,
			 "dax device and Soft Reserved range the memory came from" },
	[COL_ZONE] = { "ZONE", 7, 0, SCOLS_JSON_STRING,
		       "zones of the online memory blocks, \"offline\" if some are not" },
	[COL_DAX] = { "DAX", 6, 0, SCOLS_JSON_STRING, "dax device onlined as the node (kmem)" },
	[COL_DISTANCE] = { "DISTANCE", 8, 0, SCOLS_JSON_STRING,
			   "distances to every node, in node order" },
	[COL_WEIGHT] = { "WEIGHT", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			 "weighted interleave weight" },
	[COL_BLOCKS] = { "BLOCKS", 6, 0, SCOLS_JSON_STRING, "memory blocks of the node" },
	[COL_LATENCY] = { "LATENCY", 4, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			  "HMAT read latency from the nearest CPUs, ns" },
	[COL_BANDWIDTH] = { "BANDWIDTH", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			    "HMAT read bandwidth from the nearest CPUs, MB/s" },
};

#define DEFAULT_COLUMNS "NODE,KIND,TIER,SIZE,FREE,CPUS,SOURCE,ZONE"

static const char *const commands[] = { "list", "show", "online", "offline", "run", "who", NULL };

static int is(const char *a, const char *b)
{
	return a && !strcmp(a, b);
}

/* ---- reading ---- */

static int read_system(struct spm_system *sys)
{
	int rc = spm_read(sys);

	if (rc == -ENOENT && sysroot_is_live()) {
		msg_err(0, "this kernel has no NUMA nodes in sysfs (/sys/devices/system/node)");
		msg_hint("the kernel needs CONFIG_NUMA");
		return EXIT_NOTSUP;
	}
	if (rc < 0) {
		msg_err(-rc, "cannot read the nodes of '%s/sys/devices/system/node'",
			sysroot_is_live() ? "" : sysroot_get());
		return EXIT_FAILURE;
	}
	/* Cut short or junk: what the table would show is not what the kernel says. */
	if (sys->nbad) {
		msg_err(0, "cannot parse '%s%s': not in the kernel's format%s",
			sysroot_is_live() ? "" : sysroot_get(), sys->bad_file,
			sys->nbad > 1 ? " (nor other files)" : "");
		spm_free(sys);
		return EXIT_FAILURE;
	}
	msg_verbose(1, "has_private_memory (N_PRIVATE, SPM RFC v3): %s",
		    sys->has_private_attr ? "yes" : "no");
	msg_verbose(1, "cpuset.mems.sysram (SPM RFC): %s", sys->has_sysram_cpuset ? "yes" : "no");
	msg_verbose(1, "dax spm_node (SPM RFC v2): %s", sys->has_spm_attr ? "yes" : "no");
	if (sys->iomem_hidden)
		msg_verbose(1, "/proc/iomem hides its addresses: Soft Reserved ranges need root");
	return 0;
}

/* "0-2": the node numbers of the system, through lib/bitmap. */
static char *node_ids(const struct spm_system *sys)
{
	struct bitmask *bm = NULL;
	char *text = NULL, *list = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	for (i = 0; i < sys->nnodes; i++)
		fprintf(f, "%s%d", i ? "," : "", sys->nodes[i].id);
	if (fclose(f) == 0 && bitmap_parse_list(text, &bm) == 0) {
		list = bitmap_format_list(bm);
		numa_bitmask_free(bm);
	}
	free(text);
	return list;
}

/* "dax0.0 (soft reserved 0x100000000-0x13fffffff)": where the memory came from. */
static void source_str(const struct spm_node *n, char *buf, size_t size)
{
	const char *dax = n->dax ? n->dax->name : n->kmem && n->kmem->owner[0] ? n->kmem->owner :
				   NULL;
	const struct spm_range *r = n->soft_reserved ? n->soft_reserved : n->kmem;
	char range[80] = "";

	if (r)
		snprintf(range, sizeof(range), "%s %#" PRIx64 "-%#" PRIx64,
			 n->soft_reserved ? "soft reserved" : "kmem", r->start, r->end - 1);
	if (dax && *range)
		snprintf(buf, size, "%s (%s)", dax, range);
	else
		snprintf(buf, size, "%s", dax ? dax : range);
}

/* Consecutive block numbers as ranges: "0-7,32-39", as lsmem's BLOCK column. */
static char *block_ranges(const struct spm_block *b, size_t n)
{
	char *text = NULL;
	size_t len = 0, i, j;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && b[j].index == b[j - 1].index + 1; j++)
			;
		if (j - 1 == i)
			fprintf(f, "%s%lu", i ? "," : "", b[i].index);
		else
			fprintf(f, "%s%lu-%lu", i ? "," : "", b[i].index, b[j - 1].index);
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* What the CPUs see (access1), else the best of any initiator (access0). */
static const struct spm_access *cpu_access(const struct spm_node *n)
{
	if (n->access[1].present)
		return &n->access[1];
	return n->access[0].present ? &n->access[0] : NULL;
}

static const struct spm_tier *tier_find(const struct spm_system *sys, int id)
{
	size_t i;

	for (i = 0; i < sys->ntiers; i++)
		if (sys->tiers[i].id == id)
			return &sys->tiers[i];
	return NULL;
}

/* The next faster (dir < 0) or slower (dir > 0) tier than id, or NULL. */
static const struct spm_tier *tier_next(const struct spm_system *sys, int id, int dir)
{
	const struct spm_tier *best = NULL;
	size_t i;

	for (i = 0; i < sys->ntiers; i++) {
		const struct spm_tier *t = &sys->tiers[i];

		if (dir < 0 && t->id < id && (!best || t->id > best->id))
			best = t;
		if (dir > 0 && t->id > id && (!best || t->id < best->id))
			best = t;
	}
	return best;
}

/* Why the node is of its kind, in words. */
static const char *kind_reason(const struct spm_system *sys, const struct spm_node *n)
{
	switch (n->kind) {
	case SPM_KIND_PRIVATE:
		return "in has_private_memory";
	case SPM_KIND_SPM:
		return n->dax && n->dax->spm_node == 1 ? "its dax device has spm_node 1" :
							   "not in cpuset.mems.sysram";
	case SPM_KIND_CPULESS:
		return n->has_memory ? "memory without CPUs" : "no CPUs, no memory";
	case SPM_KIND_SYSRAM:
		break;
	}
	return n->has_memory ? "memory and CPUs" : "CPUs without memory";
}

/* ---- list ---- */

/* "10 20 30": a text cell in JSON too (show -J has the numbers, with their nodes). */
static int distance_cell(struct table *t, struct libscols_line *ln, const struct spm_system *sys,
			 const struct spm_node *n)
{
	const char *sep = "";
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;
	int rc;

	if (!table_has(t, COL_DISTANCE))
		return 0;
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	for (i = 0; i < sys->nnodes; i++) {
		if (n->distance[i] < 0)
			continue;
		fprintf(f, "%s%d", sep, n->distance[i]);
		sep = " ";
	}
	if (fclose(f)) {
		free(text);
		return -ENOMEM;
	}
	rc = *text ? table_set(t, ln, COL_DISTANCE, "%s", text) : 0;
	free(text);
	return rc;
}

static int list_row(struct table *t, const struct spm_system *sys, const struct spm_node *n)
{
	struct libscols_line *ln = table_line(t);
	const struct spm_access *a = cpu_access(n);
	char buf[160], *blocks;

	if (!ln)
		return -ENOMEM;
	table_set(t, ln, COL_NODE, "%d", n->id);
	table_set(t, ln, COL_KIND, "%s", spm_kind_name(n->kind));
	if (n->tier >= 0)
		table_set(t, ln, COL_TIER, "%d", n->tier);
	table_set_size(t, ln, COL_SIZE, n->mem_total);
	table_set_size(t, ln, COL_FREE, n->mem_free);
	if (*n->cpus)
		table_set(t, ln, COL_CPUS, "%s", n->cpus);
	source_str(n, buf, sizeof(buf));
	if (*buf)
		table_set(t, ln, COL_SOURCE, "%s", buf);
	if (*n->zone)
		table_set(t, ln, COL_ZONE, "%s", n->zone);
	if (n->dax)
		table_set(t, ln, COL_DAX, "%s", n->dax->name);
	if (distance_cell(t, ln, sys, n))
		return -ENOMEM;
	if (n->weight >= 0)
		table_set(t, ln, COL_WEIGHT, "%d", n->weight);
	if (table_has(t, COL_BLOCKS) && n->nblocks) {
		blocks = block_ranges(n->blocks, n->nblocks);
		if (!blocks)
			return -ENOMEM;
		table_set(t, ln, COL_BLOCKS, "%s", blocks);
		free(blocks);
	}
	if (a && a->read_latency)
		table_set_u64(t, ln, COL_LATENCY, a->read_latency);
	if (a && a->read_bandwidth)
		table_set_u64(t, ln, COL_BANDWIDTH, a->read_bandwidth);
	return 0;
}

static int cmd_list(const struct spm_opts *o)
{
	struct spm_system sys;
	struct table t;
	size_t i;
	int rc;

	rc = table_init(&t, cols, NR_COLS, DEFAULT_COLUMNS, o->c.json, "nodes");
	if (rc < 0)
		return rc == -EINVAL ? EXIT_USAGE : EXIT_FAILURE;
	rc = read_system(&sys);
	if (rc) {
		table_free(&t);
		return rc;
	}
	for (i = 0; !rc && i < sys.nnodes; i++)
		rc = list_row(&t, &sys, &sys.nodes[i]);
	if (rc)
		msg_err(-rc, "cannot build the table");
	else if (table_print(&t) < 0)
		rc = -EIO;
	table_free(&t);
	spm_free(&sys);
	return rc ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ---- show: JSON ---- */

static json_object *j_u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static json_object *j_str_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static void jadd(json_object *obj, const char *key, json_object *val)
{
	json_object_object_add(obj, key, val);
}

static json_object *j_tier(const struct spm_tier *t)
{
	json_object *o;

	if (!t)
		return NULL;
	o = json_object_new_object();
	jadd(o, "id", json_object_new_int(t->id));
	jadd(o, "nodelist", json_object_new_string(t->nodelist));
	jadd(o, "adistance_start", json_object_new_int(t->id * TIER_CHUNK));
	jadd(o, "adistance_end", json_object_new_int(t->id * TIER_CHUNK + TIER_CHUNK - 1));
	return o;
}

static json_object *j_access(const struct spm_access *a)
{
	json_object *o;

	if (!a->present)
		return NULL;
	o = json_object_new_object();
	jadd(o, "initiators", json_object_new_string(a->initiators));
	jadd(o, "read_latency", j_u64(a->read_latency));
	jadd(o, "write_latency", j_u64(a->write_latency));
	jadd(o, "read_bandwidth", j_u64(a->read_bandwidth));
	jadd(o, "write_bandwidth", j_u64(a->write_bandwidth));
	return o;
}

static json_object *j_range(const struct spm_range *r)
{
	json_object *o;

	if (!r)
		return NULL;
	o = json_object_new_object();
	jadd(o, "start", j_u64(r->start));
	jadd(o, "size", j_u64(r->end - r->start));
	jadd(o, "owner", j_str_or_null(r->owner));
	return o;
}

static json_object *j_dax(const struct spm_dax *x)
{
	json_object *o = json_object_new_object();

	jadd(o, "name", json_object_new_string(x->name));
	jadd(o, "driver", j_str_or_null(x->driver));
	jadd(o, "target_node", json_object_new_int(x->target_node));
	jadd(o, "numa_node", json_object_new_int(x->numa_node));
	jadd(o, "resource", j_u64(x->start));
	jadd(o, "size", j_u64(x->size));
	jadd(o, "spm_node", x->spm_node >= 0 ? json_object_new_int(x->spm_node) : NULL);
	return o;
}

/* Runs of consecutive blocks with the same state and zones, as lsmem groups them. */
static size_t block_run(const struct spm_node *n, size_t i)
{
	const struct spm_block *b = n->blocks;
	size_t j;

	for (j = i + 1; j < n->nblocks; j++)
		if (b[j].index != b[j - 1].index + 1 || strcmp(b[j].state, b[i].state) ||
		    strcmp(b[j].zones, b[i].zones))
			break;
	return j;
}

static json_object *j_blocks(const struct spm_system *sys, const struct spm_node *n)
{
	json_object *arr = json_object_new_array(), *o;
	size_t i, j;

	for (i = 0; i < n->nblocks; i = j) {
		j = block_run(n, i);
		o = json_object_new_object();
		jadd(o, "start", j_u64(n->blocks[i].start));
		jadd(o, "size", j_u64((j - i) * sys->block_size));
		jadd(o, "state", json_object_new_string(n->blocks[i].state));
		jadd(o, "valid_zones", j_str_or_null(n->blocks[i].zones));
		jadd(o, "first_block", j_u64(n->blocks[i].index));
		jadd(o, "last_block", j_u64(n->blocks[j - 1].index));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *show_json(const struct spm_system *sys, const struct spm_node *n)
{
	json_object *doc = json_object_new_object(), *arr, *o;
	char buf[160];
	size_t i;

	jadd(doc, "node", json_object_new_int(n->id));
	jadd(doc, "kind", json_object_new_string(spm_kind_name(n->kind)));
	jadd(doc, "online", json_object_new_boolean(n->online));
	jadd(doc, "has_cpu", json_object_new_boolean(n->has_cpu));
	jadd(doc, "has_memory", json_object_new_boolean(n->has_memory));
	jadd(doc, "has_normal_memory", json_object_new_boolean(n->has_normal_memory));
	jadd(doc, "has_private_memory",
	     sys->has_private_attr ? json_object_new_boolean(n->private_mem) : NULL);
	jadd(doc, "sysram", sys->has_sysram_cpuset ? json_object_new_boolean(n->sysram) : NULL);
	jadd(doc, "cpulist", json_object_new_string(n->cpus));
	jadd(doc, "mem_total", j_u64(n->mem_total));
	jadd(doc, "mem_free", j_u64(n->mem_free));
	jadd(doc, "zone", j_str_or_null(n->zone));
	source_str(n, buf, sizeof(buf));
	jadd(doc, "source", j_str_or_null(buf));
	jadd(doc, "memory_tier", j_tier(tier_find(sys, n->tier)));
	jadd(doc, "tier_above", n->tier >= 0 ? j_tier(tier_next(sys, n->tier, -1)) : NULL);
	jadd(doc, "tier_below", n->tier >= 0 ? j_tier(tier_next(sys, n->tier, 1)) : NULL);
	arr = json_object_new_array();
	for (i = 0; i < sys->nnodes; i++) {
		if (n->distance[i] < 0)
			continue;
		o = json_object_new_object();
		jadd(o, "node", json_object_new_int(sys->nodes[i].id));
		jadd(o, "distance", json_object_new_int(n->distance[i]));
		json_object_array_add(arr, o);
	}
	jadd(doc, "distance", arr);
	jadd(doc, "access0", j_access(&n->access[0]));
	jadd(doc, "access1", j_access(&n->access[1]));
	jadd(doc, "block_size_bytes", sys->block_size ? j_u64(sys->block_size) : NULL);
	jadd(doc, "memory_blocks", j_blocks(sys, n));
	arr = json_object_new_array();
	for (i = 0; i < sys->ndax; i++)
		if (sys->dax[i].target_node == n->id)
			json_object_array_add(arr, j_dax(&sys->dax[i]));
	jadd(doc, "dax_devices", arr);
	jadd(doc, "soft_reserved", j_range(n->soft_reserved));
	jadd(doc, "kmem", j_range(n->kmem));
	o = NULL;
	if (n->weight >= 0) {
		o = json_object_new_object();
		jadd(o, "weight", json_object_new_int(n->weight));
		jadd(o, "auto", sys->wi_auto >= 0 ? json_object_new_boolean(sys->wi_auto) : NULL);
	}
	jadd(doc, "weighted_interleave", o);
	return doc;
}

/* ---- show: text ---- */

enum { KV_FIELD, KV_DATA };
static const struct table_col kv_cols[] = {
	[KV_FIELD] = { "FIELD", 0, 0, SCOLS_JSON_STRING, "" },
	[KV_DATA] = { "DATA", 0, SCOLS_FL_NOEXTREMES, SCOLS_JSON_STRING, "" },
};

static void __attribute__((format(printf, 3, 4))) kv(struct table *t, const char *field,
						      const char *fmt, ...)
{
	struct libscols_line *ln = table_line(t);
	va_list ap;
	char *s;

	if (!ln)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	table_set(t, ln, KV_FIELD, "%s:", field);
	table_set(t, ln, KV_DATA, "%s", s ? s : "");
	free(s);
}

/* A size outside a table cell: "4G", or bytes with -b. */
static const char *size_str(uint64_t bytes, char *buf, size_t size)
{
	if (table_opts.bytes)
		snprintf(buf, size, "%" PRIu64, bytes);
	else
		table_size_str(buf, size, bytes);
	return buf;
}

static void tier_text(const struct spm_tier *t, char *buf, size_t size)
{
	if (t)
		snprintf(buf, size, "%d (nodes %s)", t->id, t->nodelist);
	else
		snprintf(buf, size, "none");
}

static int print_kv(const struct spm_system *sys, const struct spm_node *n)
{
	const struct spm_tier *tier = tier_find(sys, n->tier);
	char buf[160], sz[32];
	struct table t;
	int rc;

	rc = table_init(&t, kv_cols, 2, "FIELD,DATA", 0, NULL);
	if (rc < 0)
		return rc;
	scols_table_enable_noheadings(t.tb, 1);
	kv(&t, "Node", "%d", n->id);
	kv(&t, "Kind", "%s (%s)", spm_kind_name(n->kind), kind_reason(sys, n));
	kv(&t, "Online", "%s", n->online ? "yes" : "no");
	kv(&t, "CPUs", "%s", *n->cpus ? n->cpus : "none");
	kv(&t, "Size", "%s", size_str(n->mem_total, sz, sizeof(sz)));
	kv(&t, "Free", "%s", size_str(n->mem_free, sz, sizeof(sz)));
	kv(&t, "Zone", "%s", *n->zone ? n->zone : "none");
	source_str(n, buf, sizeof(buf));
	kv(&t, "Source", "%s", *buf ? buf : "none");
	if (tier)
		kv(&t, "Memory tier", "%d (nodes %s; abstract distance %d-%d)", tier->id,
		   tier->nodelist, tier->id * TIER_CHUNK, tier->id * TIER_CHUNK + TIER_CHUNK - 1);
	else
		kv(&t, "Memory tier", "%s", sys->ntiers ? "none" : "unknown (no memory_tiering)");
	if (tier) {
		tier_text(tier_next(sys, tier->id, -1), buf, sizeof(buf));
		kv(&t, "Tier above", "%s", buf);
		tier_text(tier_next(sys, tier->id, 1), buf, sizeof(buf));
		kv(&t, "Tier below", "%s", buf);
	}
	if (n->weight >= 0)
		kv(&t, "Interleave weight", "%d%s", n->weight, sys->wi_auto == 1 ? " (auto)" : "");
	else
		kv(&t, "Interleave weight", "unknown (no weighted_interleave/node%d)", n->id);
	rc = table_print(&t);
	table_free(&t);
	return rc;
}

enum { DC_NODE, DC_DISTANCE };
static const struct table_col dist_cols[] = {
	[DC_NODE] = { "NODE", 4, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "" },
	[DC_DISTANCE] = { "DISTANCE", 8, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "" },
};

static int print_distances(const struct spm_system *sys, const struct spm_node *n)
{
	struct libscols_line *ln;
	struct table t;
	size_t i;
	int rc;

	printf("\nDistances:\n");
	rc = table_init(&t, dist_cols, 2, "NODE,DISTANCE", 0, NULL);
	if (rc < 0)
		return rc;
	for (i = 0; i < sys->nnodes; i++) {
		if (n->distance[i] < 0 || !(ln = table_line(&t)))
			continue;
		table_set(&t, ln, DC_NODE, "%d", sys->nodes[i].id);
		table_set(&t, ln, DC_DISTANCE, "%d", n->distance[i]);
	}
	rc = table_print(&t);
	table_free(&t);
	return rc;
}

enum { AC_CLASS, AC_INIT, AC_RLAT, AC_WLAT, AC_RBW, AC_WBW };
static const struct table_col access_cols[] = {
	[AC_CLASS] = { "CLASS", 7, 0, SCOLS_JSON_STRING, "" },
	[AC_INIT] = { "INITIATORS", 10, 0, SCOLS_JSON_STRING, "" },
	[AC_RLAT] = { "READ_LATENCY", 6, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "" },
	[AC_WLAT] = { "WRITE_LATENCY", 6, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "" },
	[AC_RBW] = { "READ_BANDWIDTH", 6, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "" },
	[AC_WBW] = { "WRITE_BANDWIDTH", 6, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "" },
};

static int print_access(const struct spm_node *n)
{
	struct libscols_line *ln;
	struct table t;
	int k, rc;

	if (!n->access[0].present && !n->access[1].present) {
		printf("\nHMAT access classes: none\n");
		return 0;
	}
	printf("\nHMAT access classes (access0: any initiator, access1: CPUs):\n");
	rc = table_init(&t, access_cols, 6, "CLASS,INITIATORS,READ_LATENCY,WRITE_LATENCY,"
			"READ_BANDWIDTH,WRITE_BANDWIDTH", 0, NULL);
	if (rc < 0)
		return rc;
	for (k = 0; k < 2; k++) {
		const struct spm_access *a = &n->access[k];

		if (!a->present || !(ln = table_line(&t)))
			continue;
		table_set(&t, ln, AC_CLASS, "access%d", k);
		table_set(&t, ln, AC_INIT, "%s", *a->initiators ? a->initiators : "none");
		table_set(&t, ln, AC_RLAT, "%" PRIu64 "ns", a->read_latency);
		table_set(&t, ln, AC_WLAT, "%" PRIu64 "ns", a->write_latency);
		table_set(&t, ln, AC_RBW, "%" PRIu64 "MB/s", a->read_bandwidth);
		table_set(&t, ln, AC_WBW, "%" PRIu64 "MB/s", a->write_bandwidth);
	}
	rc = table_print(&t);
	table_free(&t);
	return rc;
}

enum { BC_RANGE, BC_SIZE, BC_STATE, BC_BLOCK, BC_ZONES };
static const struct table_col block_cols[] = {
	[BC_RANGE] = { "RANGE", 37, 0, SCOLS_JSON_STRING, "" },
	[BC_SIZE] = { "SIZE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "" },
	[BC_STATE] = { "STATE", 7, 0, SCOLS_JSON_STRING, "" },
	[BC_BLOCK] = { "BLOCK", 5, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "" },
	[BC_ZONES] = { "ZONES", 7, 0, SCOLS_JSON_STRING, "" },
};

static int print_blocks(const struct spm_system *sys, const struct spm_node *n)
{
	struct libscols_line *ln;
	struct table t;
	size_t i, j;
	uint64_t end;
	char sz[32];
	int rc;

	if (!n->nblocks) {
		printf("\nMemory blocks: none\n");
		return 0;
	}
	printf("\nMemory blocks (%s each):\n", size_str(sys->block_size, sz, sizeof(sz)));
	rc = table_init(&t, block_cols, 5, "RANGE,SIZE,STATE,BLOCK,ZONES", 0, NULL);
	if (rc < 0)
		return rc;
	for (i = 0; i < n->nblocks; i = j) {
		j = block_run(n, i);
		if (!(ln = table_line(&t)))
			continue;
		end = n->blocks[i].start + (j - i) * sys->block_size;
		table_set(&t, ln, BC_RANGE, "0x%016" PRIx64 "-0x%016" PRIx64, n->blocks[i].start,
			  end - 1);
		table_set_size(&t, ln, BC_SIZE, (j - i) * sys->block_size);
		table_set(&t, ln, BC_STATE, "%s", n->blocks[i].state);
		if (j - 1 == i)
			table_set(&t, ln, BC_BLOCK, "%lu", n->blocks[i].index);
		else
			table_set(&t, ln, BC_BLOCK, "%lu-%lu", n->blocks[i].index,
				  n->blocks[j - 1].index);
		table_set(&t, ln, BC_ZONES, "%s", *n->blocks[i].zones ? n->blocks[i].zones : "-");
	}
	rc = table_print(&t);
	table_free(&t);
	return rc;
}

enum { XC_DEVICE, XC_DRIVER, XC_TARGET, XC_START, XC_SIZE, XC_SPM };
static const struct table_col dax_cols[] = {
	[XC_DEVICE] = { "DEVICE", 6, 0, SCOLS_JSON_STRING, "" },
	[XC_DRIVER] = { "DRIVER", 6, 0, SCOLS_JSON_STRING, "" },
	[XC_TARGET] = { "TARGET_NODE", 4, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "" },
	[XC_START] = { "START", 12, 0, SCOLS_JSON_STRING, "" },
	[XC_SIZE] = { "SIZE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "" },
	[XC_SPM] = { "SPM_NODE", 4, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "" },
};

static int print_dax(const struct spm_system *sys, const struct spm_node *n)
{
	struct libscols_line *ln;
	struct table t;
	size_t i, count = 0;
	int rc;

	for (i = 0; i < sys->ndax; i++)
		count += sys->dax[i].target_node == n->id;
	if (!count)
		return 0;
	printf("\nDax devices:\n");
	rc = table_init(&t, dax_cols, 6, "DEVICE,DRIVER,TARGET_NODE,START,SIZE,SPM_NODE", 0, NULL);
	if (rc < 0)
		return rc;
	for (i = 0; i < sys->ndax; i++) {
		const struct spm_dax *x = &sys->dax[i];

		if (x->target_node != n->id || !(ln = table_line(&t)))
			continue;
		table_set(&t, ln, XC_DEVICE, "%s", x->name);
		table_set(&t, ln, XC_DRIVER, "%s", *x->driver ? x->driver : "none");
		table_set(&t, ln, XC_TARGET, "%d", x->target_node);
		table_set(&t, ln, XC_START, "%#" PRIx64, x->start);
		table_set_size(&t, ln, XC_SIZE, x->size);
		table_set(&t, ln, XC_SPM, x->spm_node >= 0 ? "%d" : "-", x->spm_node);
	}
	rc = table_print(&t);
	table_free(&t);
	return rc;
}

static int show_text(const struct spm_system *sys, const struct spm_node *n)
{
	int rc = print_kv(sys, n);

	if (!rc)
		rc = print_distances(sys, n);
	if (!rc)
		rc = print_access(n);
	if (!rc)
		rc = print_blocks(sys, n);
	if (!rc)
		rc = print_dax(sys, n);
	return rc;
}

/* A node that is not there yet may be the target of a dax device. */
static void unknown_node_hint(const struct spm_system *sys, int id)
{
	size_t i;

	for (i = 0; i < sys->ndax; i++)
		if (sys->dax[i].target_node == id) {
			msg_hint("%s would become node %d: spmctl online %s", sys->dax[i].name, id,
				 sys->dax[i].name);
			return;
		}
}

/* "2" or "node2". */
static int parse_node_arg(const char *s, int *id)
{
	if (!strncmp(s, "node", 4))
		s += 4;
	return parse_int(s, id, 0, INT32_MAX);
}

static int cmd_show(const struct spm_opts *o)
{
	struct spm_system sys;
	struct spm_node *n;
	json_object *doc;
	char *ids;
	int id, rc;

	if (parse_node_arg(o->args[1], &id) < 0)
		return msg_usage("invalid node '%s': expected a node number", o->args[1]);
	rc = read_system(&sys);
	if (rc)
		return rc;
	n = spm_node_find(&sys, id);
	if (!n) {
		ids = node_ids(&sys);
		msg_err(0, "unknown node %d: %s %s", id,
			sysroot_is_live() ? "this machine has nodes" : "the sysroot has nodes",
			ids && *ids ? ids : "none");
		free(ids);
		unknown_node_hint(&sys, id);
		spm_free(&sys);
		return EXIT_USAGE;
	}
	if (o->c.json) {
		doc = show_json(&sys, n);
		rc = doc_print(doc);
		json_object_put(doc);
	} else {
		rc = show_text(&sys, n);
		if (!rc && fflush(stdout))
			rc = -errno;
	}
	spm_free(&sys);
	return rc ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ---- command line ---- */

static int table_opts_given(void)
{
	return table_opts.output || table_opts.output_all || table_opts.raw ||
	       table_opts.noheadings;
}

static int check_args(struct spm_opts *o)
{
	const char *cmd = o->args[0];

	if (is(cmd, "list") && o->nargs > 1)
		return msg_usage("list takes no argument (show NODE shows one node)");
	if (is(cmd, "show") && o->nargs != 2)
		return msg_usage(o->nargs < 2 ? "show needs a NODE" : "show takes one NODE");
	if ((is(cmd, "online") || is(cmd, "offline")) && o->nargs != 2)
		return msg_usage(o->nargs < 2 ? "%s needs a dax device (e.g. dax0.0)" :
						"%s takes one dax device", cmd);
	if (!is(cmd, "run"))
		return 0;
	if (o->nargs > 1)
		return msg_usage("unexpected argument '%s' (the command goes after --)",
				 o->args[1]);
	if (!o->cmd)
		return msg_usage("run needs a command after --");
	if (!o->ncmd)
		return msg_usage("no command after --");
	if (!o->nodes_arg)
		return msg_usage("run needs --nodes");
	if (!*o->nodes_arg)
		return msg_usage("invalid value '' for --nodes: empty node list");
	if (o->policy_arg && !is(o->policy_arg, "bind") && !is(o->policy_arg, "preferred") &&
	    !is(o->policy_arg, "interleave"))
		return msg_usage("invalid policy '%s': use bind, preferred or interleave",
				 o->policy_arg);
	if (!sysroot_is_live())
		return msg_usage("--sysroot cannot be used with run");
	if (o->c.json)
		return msg_usage("--json is not for run: the command's output is its own");
	return 0;
}

/*
 * -n is --noheadings to the listers (lsmem's meaning) and --dry-run to the
 * commands that change something (damonctl's): no command has both.
 */
static int check_opts(struct spm_opts *o, int short_n)
{
	const char *cmd = o->args[0];
	int changes = is(cmd, "online") || is(cmd, "offline") || is(cmd, "run");
	size_t i;

	for (i = 0; commands[i] && !is(cmd, commands[i]); i++)
		;
	if (!commands[i])
		return msg_usage("unknown command '%s'", cmd);
	if (short_n && changes)
		o->dry_run = 1;
	else if (short_n)
		table_opts.noheadings = 1;
	if (o->cmd && !is(cmd, "run"))
		return msg_usage("a command after -- is for run");
	if ((o->spm || o->movable || o->normal) && !is(cmd, "online"))
		return msg_usage("--spm, --movable and --normal are for online");
	if (o->movable && o->normal)
		return msg_usage("--movable and --normal are mutually exclusive");
	if ((o->nodes_arg || o->policy_arg) && !is(cmd, "run"))
		return msg_usage("--nodes and --policy are for run");
	if (o->dry_run && !changes)
		return msg_usage("--dry-run is for online, offline and run");
	if (table_opts_given() && !is(cmd, "list") && !is(cmd, "who"))
		return msg_usage("--output, --output-all, --raw and --noheadings are for list "
				 "and who");
	if (table_opts.bytes && !is(cmd, "list") && !is(cmd, "show") && !is(cmd, "who"))
		return msg_usage("--bytes is for list, show and who");
	return check_args(o);
}

static int run_spmctl(const struct spm_opts *o)
{
	const char *cmd = o->args[0];

	if (is(cmd, "list"))
		return cmd_list(o);
	if (is(cmd, "show"))
		return cmd_show(o);
	if (is(cmd, "online"))
		return spm_cmd_online(o);
	if (is(cmd, "offline"))
		return spm_cmd_offline(o);
	if (is(cmd, "run"))
		return spm_cmd_run(o);
	return spm_cmd_who(o);
}

static void help_extra(FILE *out)
{
	fprintf(out, "\nCommands:\n"
		"  list                    one row per node (default)\n"
		"  show NODE               everything known about one node\n"
		"  online DAXDEV           hand a dax device to the page allocator as a node\n"
		"  offline DAXDEV          take it back\n"
		"  run --nodes=NODES -- CMD ARGS\n"
		"                          run a command whose memory may come from those nodes\n"
		"  who [NODES]             processes with pages on the nodes (default: every\n"
		"                          spm, private or cpuless node)\n"
		"\n-n is --noheadings for list and who, --dry-run for online, offline and run.\n");
	table_help_columns(out, cols, NR_COLS);
	spm_who_help_columns(out);
}

int main(int argc, char **argv)
{
	static const char *default_args[] = { "list", NULL };
	static struct spm_opts o;
	static int short_n;
	struct poptOption cmd_opts[] = {
		{ "spm", '\0', POPT_ARG_NONE, &o.spm, 0,
		  "online: make the node SPM first, where the kernel can", NULL },
		{ "movable", '\0', POPT_ARG_NONE, &o.movable, 0, "online: into ZONE_MOVABLE",
		  NULL },
		{ "normal", '\0', POPT_ARG_NONE, &o.normal, 0, "online: into ZONE_NORMAL", NULL },
		{ "nodes", '\0', POPT_ARG_STRING, &o.nodes_arg, 0,
		  "run: the nodes the command's memory may come from", "NODES" },
		{ "policy", '\0', POPT_ARG_STRING, &o.policy_arg, 0,
		  "run: bind, preferred or interleave (default: bind)", "POLICY" },
		/* Before table_popt, so that -n comes here: check_opts gives it its meaning. */
		{ NULL, 'n', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &short_n, 0, NULL, NULL },
		{ "dry-run", '\0', POPT_ARG_NONE, &o.dry_run, 0,
		  "online, offline, run: print what would be done, change nothing (-n)", NULL },
		POPT_TABLEEND
	};
	struct poptOption options[] = {
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, cmd_opts, 0, "Command options:", NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, table_popt, 0, "Output options:",
		  NULL },
		POPT_TABLEEND
	};
	const struct opt_spec spec = {
		.options = options,
		.args = "[COMMAND] [ARGS] [-- CMD ARGS]",
		.summary = "Specific Purpose Memory nodes: list, show, online, offline, run, who.",
		.help_extra = help_extra,
		.man_section = 8,
	};
	poptContext pc;
	int rc, pargc;

	msg_init();
	pargc = opt_split_command(argc, argv, &o.cmd, &o.ncmd);
	pc = opt_parse_or_die(pargc, argv, &spec, &o.c, &o.args, &o.nargs);
	if (!o.nargs) {
		o.args = default_args;
		o.nargs = 1;
	}
	rc = check_opts(&o, short_n);
	if (!rc)
		rc = run_spmctl(&o);
	opt_free(pc);
	return rc;
}
