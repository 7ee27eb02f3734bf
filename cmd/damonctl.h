/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the parts of damonctl share: one DAMON snapshot (the regions a stat
 * scheme's tried_regions showed at one moment), its JSON form (one line of
 * a recording, and `snapshot -J`), and the renderers of snapshots and
 * recordings (cmd/damonctl-report.c).
 */
#ifndef NUMAKIT_DAMONCTL_H
#define NUMAKIT_DAMONCTL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

struct dc_region {
	uint64_t start;
	uint64_t end;
	uint64_t nr_accesses;
	uint64_t age;		/* in aggregation intervals, as the kernel counts it */
};

struct dc_snapshot {
	int64_t time_ns;	/* CLOCK_REALTIME when taken */
	int64_t elapsed_ns;	/* since the recording started; 0 for a lone snapshot */
	int kdamond;		/* index under kdamonds/ */
	int context;
	int scheme;		/* the stat scheme whose tried_regions were read */
	char ops[16];		/* vaddr, fvaddr or paddr */
	int nr_targets;
	int targets[16];	/* pid_target of each target (vaddr), up to 16 */
	uint64_t sample_us;
	uint64_t aggr_us;
	uint64_t total_bytes;	/* tried_regions/total_bytes, or the sum of the sizes */
	size_t nr_regions;
	struct dc_region *regions;	/* sorted by start */
};

/* "250us", "1.5ms", "2.4s": one rounded decimal, in units --sample and the rest read back. */
void dc_fmt_duration(char *buf, size_t len, uint64_t us);

/* Highest nr_accesses a region can show: aggr_us / sample_us (at least 1). */
uint64_t dc_max_nr_accesses(const struct dc_snapshot *s);

void dc_snapshot_free(struct dc_snapshot *s);

/* The JSON object of a snapshot (new reference). */
json_object *dc_snapshot_to_json(const struct dc_snapshot *s);

/*
 * Fill s from a JSON object; 0, or -EINVAL with a reason in err (a missing
 * or mistyped key, end <= start, regions out of order).  s holds nothing on
 * failure.
 */
int dc_snapshot_from_json(json_object *obj, struct dc_snapshot *s, char *err, size_t errlen);

/*
 * The text form of `damonctl snapshot`: a header line, then one line a region
 * with start, end, size, nr_accesses, age and a heat bar `width` characters
 * wide (0: no bar).  -b prints sizes in bytes.
 */
void dc_snapshot_print(const struct dc_snapshot *s, FILE *out, int width, int bytes);

struct dc_report_opts {
	int json;
	int bytes;
	int rows;		/* heatmap: time rows (0: one per snapshot, at most 40) */
	int cols;		/* heatmap: address columns (0: 64) */
	uint64_t addr_start;	/* heatmap: address range; both 0: chosen (damonctl(8)) */
	uint64_t addr_end;
	uint64_t wss_min_accesses;	/* wss: a region counts with nr_accesses >= this (1) */
};

/*
 * `report heatmap FILE` and `report wss FILE`: read a recording (JSON lines,
 * one dc_snapshot each; "-" is stdin) and print to stdout.  Return an exit
 * status (0, 1 for an unreadable file, 2 for a malformed one, with the file
 * name and line number said on stderr).
 */
int dc_report_heatmap(const char *file, const struct dc_report_opts *o);
int dc_report_wss(const char *file, const struct dc_report_opts *o);

#endif
