// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The DAMON sysfs schema, and the generic read, check and write walks over
 * it.  The releases are those in which each file first appeared in
 * Documentation/ABI/testing/sysfs-kernel-mm-damon and mm/damon/sysfs*.c.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/damon.h"
#include "lib/msg.h"
#include "lib/parse.h"
#include "lib/sysroot.h"

#define END { NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/* Field helpers: name, kind, flags, since, what. */
#define F(n, k, fl, v, w) { .name = (n), .kind = (k), .flags = (fl), .since = (v), .what = (w) }
#define FN(n, k, fl, v, w, neu) \
	{ .name = (n), .kind = (k), .flags = (fl), .since = (v), .what = (w), .neutral = (neu) }
#define FW(n, fl, v, w, set, neu) \
	{ .name = (n), .kind = DAMON_WORD, .flags = (fl), .since = (v), .what = (w), \
	  .words = (set), .neutral = (neu) }
#define D(n, v, w, ch) \
	{ .name = (n), .kind = DAMON_DIR, .since = (v), .what = (w), .children = (ch) }
#define L(n, cnt, v, w, ch) \
	{ .name = (n), .kind = DAMON_LIST, .since = (v), .what = (w), .count = (cnt), .dir = (n), \
	  .children = (ch) }

const char *const damon_operations[] = { "vaddr", "fvaddr", "paddr", NULL };
const char *const damon_actions[] = { "willneed", "cold", "pageout", "hugepage", "nohugepage",
				      "lru_prio", "lru_deprio", "migrate_hot", "migrate_cold",
				      "stat", NULL };
const char *const damon_filter_types[] = { "anon", "active", "memcg", "young", "hugepage_size",
					   "unmapped", "addr", "target", NULL };
static const char *const damon_core_filter_types[] = { "addr", "target", NULL };
const char *const damon_goal_metrics[] = { "user_input", "some_mem_psi_us", "node_mem_used_bp",
					   "node_mem_free_bp", "node_memcg_used_bp",
					   "node_memcg_free_bp", "active_mem_bp",
					   "inactive_mem_bp", NULL };
const char *const damon_wmark_metrics[] = { "none", "free_mem_rate", NULL };
static const char *const state_words[] = { "on", "off", NULL };
static const char *const sample_filter_types[] = { "cpumask", "threads", "write", NULL };

static const struct damon_node min_max[] = {
	F("min", DAMON_UINT, 0, "5.18", "minimum"),
	F("max", DAMON_UINT, 0, "5.18", "maximum"),
	END
};

static const struct damon_node intervals_goal[] = {
	FN("access_bp", DAMON_UINT, 0, "6.15", "intervals goal access ratio", "0"),
	FN("aggrs", DAMON_UINT, 0, "6.15", "intervals goal aggregations", "0"),
	FN("min_sample_us", DAMON_UINT, 0, "6.15", "intervals goal minimum sampling interval", "0"),
	FN("max_sample_us", DAMON_UINT, 0, "6.15", "intervals goal maximum sampling interval", "0"),
	END
};

static const struct damon_node intervals[] = {
	F("sample_us", DAMON_UINT, 0, "5.18", "sampling interval"),
	F("aggr_us", DAMON_UINT, 0, "5.18", "aggregation interval"),
	F("update_us", DAMON_UINT, 0, "5.18", "update interval"),
	D("intervals_goal", "6.15", "monitoring intervals auto-tuning", intervals_goal),
	END
};

static const struct damon_node sample_primitives[] = {
	F("page_table", DAMON_BOOL, 0, "RFC per-CPUs/threads/write/read monitoring",
	  "page table access sampling"),
	F("page_fault", DAMON_BOOL, 0, "RFC per-CPUs/threads/write/read monitoring",
	  "page fault access sampling"),
	END
};

static const struct damon_node sample_filter[] = {
	FW("type", 0, "RFC per-CPUs/threads/write/read monitoring", "sample filter type",
	   sample_filter_types, NULL),
	F("matching", DAMON_BOOL, 0, "RFC per-CPUs/threads/write/read monitoring",
	  "sample filter matching"),
	F("allow", DAMON_BOOL, 0, "RFC per-CPUs/threads/write/read monitoring",
	  "sample filter allow"),
	F("cpumask", DAMON_STR, 0, "RFC per-CPUs/threads/write/read monitoring",
	  "sample filter CPUs"),
	F("tid_arr", DAMON_STR, 0, "RFC per-CPUs/threads/write/read monitoring",
	  "sample filter threads"),
	END
};

static const struct damon_node sample[] = {
	D("primitives", "RFC per-CPUs/threads/write/read monitoring", "access sampling primitives",
	  sample_primitives),
	L("filters", "nr_filters", "RFC per-CPUs/threads/write/read monitoring",
	  "access sampling filters", sample_filter),
	END
};

static const struct damon_node probe_filter[] = {
	F("type", DAMON_STR, 0, "7.2", "probe filter type"),
	F("path", DAMON_STR, 0, "7.2", "probe filter memcg path"),
	F("matching", DAMON_BOOL, 0, "7.2", "probe filter matching"),
	F("allow", DAMON_BOOL, 0, "7.2", "probe filter allow"),
	END
};

static const struct damon_node probe[] = {
	F("weight", DAMON_UINT, 0, "7.2", "probe weight"),
	L("filters", "nr_filters", "7.2", "probe filters", probe_filter),
	END
};

static const struct damon_node monitoring_attrs[] = {
	D("intervals", "5.18", "monitoring intervals", intervals),
	D("nr_regions", "5.18", "number of regions", min_max),
	D("sample", "RFC per-CPUs/threads/write/read monitoring", "access sampling controls",
	  sample),
	L("probes", "nr_probes", "7.2", "DAMON probes", probe),
	END
};

static const struct damon_node region[] = {
	F("start", DAMON_UINT, 0, "5.18", "region start"),
	F("end", DAMON_UINT, 0, "5.18", "region end"),
	END
};

static const struct damon_node target[] = {
	F("pid_target", DAMON_INT, 0, "5.18", "target pid"),
	FN("obsolete_target", DAMON_BOOL, 0, "6.19", "obsolete target marking", "N"),
	L("regions", "nr_regions", "5.18", "target regions", region),
	END
};

static const struct damon_node access_pattern[] = {
	D("sz", "5.18", "region size range", min_max),
	D("nr_accesses", "5.18", "access frequency range", min_max),
	D("age", "5.18", "age range", min_max),
	END
};

static const struct damon_node weights[] = {
	F("sz_permil", DAMON_UINT, 0, "5.18", "size weight"),
	F("nr_accesses_permil", DAMON_UINT, 0, "5.18", "access frequency weight"),
	F("age_permil", DAMON_UINT, 0, "5.18", "age weight"),
	END
};

static const struct damon_node goal[] = {
	FW("target_metric", 0, "6.9", "quota goal metric", damon_goal_metrics, "user_input"),
	F("target_value", DAMON_UINT, 0, "6.8", "quota goal target value"),
	F("current_value", DAMON_UINT, 0, "6.8", "quota goal current value"),
	FN("nid", DAMON_INT, 0, "6.16", "quota goal node", "0"),
	FN("path", DAMON_STR, 0, "6.19", "quota goal memcg path", ""),
	END
};

static const struct damon_node quotas[] = {
	F("ms", DAMON_UINT, 0, "5.18", "time quota"),
	F("bytes", DAMON_UINT, 0, "5.18", "size quota"),
	F("reset_interval_ms", DAMON_UINT, 0, "5.18", "quota reset interval"),
	F("effective_bytes", DAMON_UINT, DAMON_RO, "6.9", "effective size quota"),
	FN("goal_tuner", DAMON_STR, 0, "7.1", "quota goal tuner", "consist"),
	FN("fail_charge_num", DAMON_UINT, 0, "7.1", "failed-action charge numerator", "0"),
	FN("fail_charge_denom", DAMON_UINT, 0, "7.1", "failed-action charge denominator", "0"),
	D("weights", "5.18", "quota weights", weights),
	L("goals", "nr_goals", "6.8", "quota goals", goal),
	END
};

static const struct damon_node watermarks[] = {
	FW("metric", 0, "5.18", "watermarks metric", damon_wmark_metrics, NULL),
	F("interval_us", DAMON_UINT, 0, "5.18", "watermarks check interval"),
	F("high", DAMON_UINT, 0, "5.18", "high watermark"),
	F("mid", DAMON_UINT, 0, "5.18", "middle watermark"),
	F("low", DAMON_UINT, 0, "5.18", "low watermark"),
	END
};

static const struct damon_node filter[] = {
	FW("type", 0, "6.3", "filter type", damon_filter_types, NULL),
	F("matching", DAMON_BOOL, 0, "6.3", "filter matching"),
	FN("allow", DAMON_BOOL, 0, "6.14", "allow filters", "N"),
	FN("memcg_path", DAMON_STR, 0, "6.3", "memcg filter path", ""),
	FN("addr_start", DAMON_UINT, 0, "6.6", "address filter start", "0"),
	FN("addr_end", DAMON_UINT, 0, "6.6", "address filter end", "0"),
	FN("damon_target_idx", DAMON_UINT, 0, "6.6", "target filter index", "0"),
	FN("min", DAMON_UINT, 0, "6.15", "hugepage size filter minimum", "0"),
	FN("max", DAMON_UINT, 0, "6.15", "hugepage size filter maximum", "0"),
	END
};

static const struct damon_node dest[] = {
	F("id", DAMON_UINT, 0, "6.17", "destination node"),
	F("weight", DAMON_UINT, 0, "6.17", "destination weight"),
	END
};

static const struct damon_node stats[] = {
	F("nr_tried", DAMON_UINT, DAMON_RO, "5.18", "regions tried"),
	F("sz_tried", DAMON_UINT, DAMON_RO, "5.18", "bytes tried"),
	F("nr_applied", DAMON_UINT, DAMON_RO, "5.18", "regions applied"),
	F("sz_applied", DAMON_UINT, DAMON_RO, "5.18", "bytes applied"),
	F("sz_ops_filter_passed", DAMON_UINT, DAMON_RO, "6.14", "bytes passing ops filters"),
	F("qt_exceeds", DAMON_UINT, DAMON_RO, "5.18", "quota exceeds"),
	F("nr_snapshots", DAMON_UINT, DAMON_RO, "7.0", "snapshots"),
	FN("max_nr_snapshots", DAMON_UINT, 0, "7.0", "snapshot limit", "0"),
	END
};

static const struct damon_node tried_region[] = {
	F("start", DAMON_UINT, DAMON_RO, "6.2", "tried region start"),
	F("end", DAMON_UINT, DAMON_RO, "6.2", "tried region end"),
	F("nr_accesses", DAMON_UINT, DAMON_RO, "6.2", "tried region access frequency"),
	F("age", DAMON_UINT, DAMON_RO, "6.2", "tried region age"),
	F("sz_filter_passed", DAMON_UINT, DAMON_RO, "6.14", "tried region bytes passing filters"),
	END
};

static const struct damon_node tried_regions[] = {
	F("total_bytes", DAMON_UINT, DAMON_RO, "6.6", "tried regions total bytes"),
	{ .name = "regions", .kind = DAMON_LIST, .flags = DAMON_RO, .since = "6.2",
	  .what = "tried regions", .dir = ".", .children = tried_region },
	END
};

static const struct damon_node scheme[] = {
	FW("action", 0, "5.18", "scheme action", damon_actions, NULL),
	FN("target_nid", DAMON_INT, 0, "6.11", "action target node", "-1"),
	FN("apply_interval_us", DAMON_UINT, 0, "6.7", "scheme apply interval", "0"),
	D("access_pattern", "5.18", "access pattern", access_pattern),
	D("quotas", "5.18", "quotas", quotas),
	D("watermarks", "5.18", "watermarks", watermarks),
	L("filters", "nr_filters", "6.3", "scheme filters", filter),
	L("core_filters", "nr_filters", "6.15", "core-layer filters", filter),
	L("ops_filters", "nr_filters", "6.15", "operations-layer filters", filter),
	L("dests", "nr_dests", "6.17", "action destinations", dest),
	D("stats", "5.18", "scheme statistics", stats),
	{ .name = "tried_regions", .kind = DAMON_DIR, .flags = DAMON_RO, .since = "6.2",
	  .what = "tried regions", .children = tried_regions },
	END
};

static const struct damon_node context[] = {
	F("avail_operations", DAMON_STR, DAMON_RO, "5.19", "available operations"),
	FW("operations", 0, "5.18", "monitoring operations", damon_operations, NULL),
	FN("addr_unit", DAMON_UINT, 0, "6.18", "address unit", "1"),
	FN("pause", DAMON_BOOL, 0, "7.1", "context pause", "N"),
	D("monitoring_attrs", "5.18", "monitoring attributes", monitoring_attrs),
	L("targets", "nr_targets", "5.18", "monitoring targets", target),
	L("schemes", "nr_schemes", "5.18", "DAMON-based operation schemes", scheme),
	END
};

static const struct damon_node kdamond[] = {
	F("index", DAMON_UINT, DAMON_RO | DAMON_META, "5.18", "kdamond index"),
	F("owned", DAMON_BOOL, DAMON_RO | DAMON_META, "5.18", "started by damonctl"),
	FW("state", DAMON_CMD, "5.18", "kdamond state", state_words, NULL),
	F("pid", DAMON_INT, DAMON_RO, "5.18", "kdamond pid"),
	FN("refresh_ms", DAMON_UINT, 0, "6.17", "automatic status refresh", "0"),
	L("contexts", "nr_contexts", "5.18", "monitoring contexts", context),
	END
};

static const struct damon_node admin[] = {
	L("kdamonds", "nr_kdamonds", "5.18", "kdamonds", kdamond),
	END
};

const struct damon_node damon_schema = {
	.name = "admin", .kind = DAMON_DIR, .since = "5.18", .what = "DAMON sysfs interface",
	.children = admin,
};

int damon_word_in(const char *const *set, const char *word)
{
	for (; set && *set; set++)
		if (!strcmp(*set, word))
			return 1;
	return 0;
}

static const struct damon_node *damon_child(const struct damon_node *n, const char *name)
{
	const struct damon_node *c;

	for (c = n->children; c && c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

const struct damon_node *damon_node_at(const char *path)
{
	const struct damon_node *n = &damon_schema;
	char buf[256], *save = NULL, *tok;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return NULL;
	for (tok = strtok_r(buf, "/", &save); tok && n; tok = strtok_r(NULL, "/", &save))
		n = damon_child(n, tok);
	return n;
}

/* Raw files. */

static int admin_path(char *buf, size_t size, const char *relpath)
{
	int n = snprintf(buf, size, "%s%s%s", DAMON_ADMIN, *relpath ? "/" : "", relpath);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int damon_available(void)
{
	return sysroot_exists("%s/kdamonds/nr_kdamonds", DAMON_ADMIN);
}

int damon_exists(const char *relpath)
{
	char p[PATH_MAX];

	return admin_path(p, sizeof(p), relpath) == 0 && sysroot_exists("%s", p);
}

int damon_read_str(const char *relpath, char *buf, size_t size)
{
	char p[PATH_MAX];
	ssize_t n;
	int rc = admin_path(p, sizeof(p), relpath);

	if (rc < 0)
		return rc;
	n = sysroot_read_line(buf, size, "%s", p);
	return n < 0 ? (int)n : 0;
}

int damon_read_u64(const char *relpath, uint64_t *val)
{
	char p[PATH_MAX];
	int rc = admin_path(p, sizeof(p), relpath);

	return rc < 0 ? rc : sysroot_read_u64(val, "%s", p);
}

int damon_write_str(const char *relpath, const char *value)
{
	char p[PATH_MAX];
	int rc = admin_path(p, sizeof(p), relpath);

	return rc < 0 ? rc : sysroot_write(value, "%s", p);
}

int damon_state_write(int kd, const char *cmd)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "kdamonds/%d/state", kd);
	return damon_write_str(rel, cmd);
}

int damon_kdamond_state(int kd, int *pid)
{
	char rel[64], buf[32];
	int rc;

	*pid = -1;
	snprintf(rel, sizeof(rel), "kdamonds/%d/state", kd);
	rc = damon_read_str(rel, buf, sizeof(buf));
	if (rc < 0)
		return rc;
	if (strcmp(buf, "on") && strcmp(buf, "off"))
		return -EINVAL;
	if (!strcmp(buf, "off"))
		return 0;
	snprintf(rel, sizeof(rel), "kdamonds/%d/pid", kd);
	/* Unreadable or junk: on, with the pid unknown (-1). */
	if (damon_read_str(rel, buf, sizeof(buf)) == 0 && parse_int(buf, pid, -1, INT_MAX) < 0)
		*pid = -1;
	return 1;
}

int damon_nr_kdamonds(void)
{
	uint64_t n;
	int rc = damon_read_u64("kdamonds/nr_kdamonds", &n);

	if (rc < 0)
		return rc;
	return n > 65536 ? -EINVAL : (int)n;
}

/* Reading. */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int join(char *buf, size_t size, const char *a, const char *b)
{
	int n = *a ? snprintf(buf, size, "%s/%s", a, b) : snprintf(buf, size, "%s", b);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int parse_bool(const char *s, int *v)
{
	switch (s[0]) {
	case 'Y': case 'y': case '1':
		*v = 1;
		return s[1] == '\0' ? 0 : -EINVAL;
	case 'N': case 'n': case '0':
		*v = 0;
		return s[1] == '\0' ? 0 : -EINVAL;
	}
	return -EINVAL;
}

static int parse_value(const struct damon_node *n, const char *s, json_object **out)
{
	char *end;
	int b;

	errno = 0;
	switch (n->kind) {
	case DAMON_UINT: {
		unsigned long long v;

		if (!isdigit((unsigned char)s[0]))
			return -EINVAL;
		v = strtoull(s, &end, 10);
		if (errno || *end)
			return -EINVAL;
		*out = json_object_new_uint64(v);
		break;
	}
	case DAMON_INT: {
		long long v = strtoll(s, &end, 10);

		if (errno || *end || end == s)
			return -EINVAL;
		*out = json_object_new_int64(v);
		break;
	}
	case DAMON_BOOL:
		if (parse_bool(s, &b) < 0)
			return -EINVAL;
		*out = json_object_new_boolean(b);
		break;
	default:
		*out = json_object_new_string(s);
		break;
	}
	return *out ? 0 : -ENOMEM;
}

static int read_file(const char *rel, const struct damon_node *n, json_object **out, char *err,
		     size_t errlen)
{
	char p[PATH_MAX];
	char *buf = NULL;
	ssize_t len;
	int rc = admin_path(p, sizeof(p), rel);

	if (rc < 0)
		return rc;
	len = sysroot_read_file(&buf, "%s", p);
	if (len < 0) {
		set_err(err, errlen, "%s", rel);
		return (int)len;
	}
	/* One value per file; the kernel ends it with a newline. */
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	rc = parse_value(n, buf, out);
	if (rc < 0)
		set_err(err, errlen, "%s: unexpected content '%.40s'", rel, buf);
	free(buf);
	return rc;
}

static int read_node(const char *rel, const struct damon_node *n, json_object **out, char *err,
		     size_t errlen);

/* The numbered directories of a list: nr_ file when there is one, else a scan. */
static int list_count(const char *dir, const struct damon_node *n, uint64_t *count)
{
	char p[PATH_MAX];

	if (n->count) {
		if (join(p, sizeof(p), dir, n->count) < 0)
			return -ENAMETOOLONG;
		return damon_read_u64(p, count);
	}
	*count = 0;
	for (;;) {
		char q[32];

		snprintf(q, sizeof(q), "%" PRIu64, *count);
		if (join(p, sizeof(p), dir, q) < 0)
			return -ENAMETOOLONG;
		if (!damon_exists(p))
			return 0;
		if (++*count > 1000000)
			return -E2BIG;
	}
}

static int read_list(const char *rel, const struct damon_node *n, json_object **out, char *err,
		     size_t errlen)
{
	char dir[PATH_MAX], item[PATH_MAX], idx[32];
	struct damon_node one = { .name = n->name, .kind = DAMON_DIR, .children = n->children };
	json_object *arr, *o;
	uint64_t count, i;
	int rc;

	/* rel is the list's own directory ("." lists live in their parent). */
	if (snprintf(dir, sizeof(dir), "%s", rel) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	rc = list_count(dir, n, &count);
	if (rc < 0) {
		set_err(err, errlen, "%s/%s", dir, n->count ? n->count : "");
		return rc;
	}
	arr = json_object_new_array();
	if (!arr)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		snprintf(idx, sizeof(idx), "%" PRIu64, i);
		if (join(item, sizeof(item), dir, idx) < 0) {
			rc = -ENAMETOOLONG;
			break;
		}
		if (!damon_exists(item))	/* the list shrank under us */
			break;
		rc = read_node(item, &one, &o, err, errlen);
		if (rc == -ENOENT)	/* removed while we read: stop at what exists */
			break;
		if (rc < 0)
			break;
		json_object_array_add(arr, o);
		rc = 0;
	}
	if (rc < 0 && rc != -ENOENT) {
		json_object_put(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

static int read_node(const char *rel, const struct damon_node *n, json_object **out, char *err,
		     size_t errlen)
{
	const struct damon_node *c;
	char p[PATH_MAX];
	json_object *obj, *v;
	int rc;

	if (n->kind == DAMON_LIST)
		return read_list(rel, n, out, err, errlen);
	if (n->kind != DAMON_DIR)
		return read_file(rel, n, out, err, errlen);
	obj = json_object_new_object();
	if (!obj)
		return -ENOMEM;
	for (c = n->children; c->name; c++) {
		const char *sub = c->kind == DAMON_LIST && !strcmp(c->dir, ".") ? "" : c->name;

		if (c->flags & DAMON_META)
			continue;
		if (*sub ? join(p, sizeof(p), rel, sub) < 0 :
			   snprintf(p, sizeof(p), "%s", rel) >= (int)sizeof(p)) {
			json_object_put(obj);
			return -ENAMETOOLONG;
		}
		if (*sub && !damon_exists(p))
			continue;	/* this kernel lacks it */
		rc = read_node(p, c, &v, err, errlen);
		if (rc == -ENOENT && c->kind != DAMON_DIR && c->kind != DAMON_LIST)
			continue;	/* removed since we looked: a list shrank */
		if (rc < 0) {
			json_object_put(obj);
			return rc;
		}
		json_object_object_add(obj, c->name, v);
	}
	*out = obj;
	return 0;
}

int damon_read(const char *relpath, const struct damon_node *node, json_object **out, char *err,
	       size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	*out = NULL;
	return read_node(relpath, node, out, err, errlen);
}

/* Checking a spec. */

static int check_value(const struct damon_node *n, json_object *v, const char *where, char *err,
		       size_t errlen)
{
	enum json_type t = json_object_get_type(v);

	switch (n->kind) {
	case DAMON_UINT:
		if (t != json_type_int) {
			set_err(err, errlen, "%s: expected an unsigned integer", where);
			return -EINVAL;
		}
		/* json-c keeps integers above INT64_MAX as uint64; those read INT64_MAX here. */
		if (json_object_get_int64(v) < 0) {
			set_err(err, errlen, "%s: expected an unsigned integer, got %" PRId64,
				where, json_object_get_int64(v));
			return -EINVAL;
		}
		return 0;
	case DAMON_INT:
		if (t != json_type_int) {
			set_err(err, errlen, "%s: expected an integer", where);
			return -EINVAL;
		}
		return 0;
	case DAMON_BOOL:
		if (t != json_type_boolean) {
			set_err(err, errlen, "%s: expected true or false", where);
			return -EINVAL;
		}
		return 0;
	case DAMON_WORD:
		if (t != json_type_string) {
			set_err(err, errlen, "%s: expected a string", where);
			return -EINVAL;
		}
		if (n->words && !damon_word_in(n->words, json_object_get_string(v))) {
			set_err(err, errlen, "%s: unknown %s '%s'", where, n->what,
				json_object_get_string(v));
			return -EINVAL;
		}
		return 0;
	case DAMON_STR:
		if (t != json_type_string) {
			set_err(err, errlen, "%s: expected a string", where);
			return -EINVAL;
		}
		return 0;
	default:
		return 0;
	}
}

/* A {min, max} pair (access pattern, nr_regions) must not be upside down. */
static int check_min_max(const struct damon_node *n, json_object *v, const char *where, char *err,
			 size_t errlen)
{
	json_object *lo, *hi;

	if (n->children != min_max || !json_object_object_get_ex(v, "min", &lo) ||
	    !json_object_object_get_ex(v, "max", &hi))
		return 0;
	if (json_object_get_uint64(lo) > json_object_get_uint64(hi)) {
		set_err(err, errlen, "%s: min %" PRIu64 " is above max %" PRIu64, where,
			json_object_get_uint64(lo), json_object_get_uint64(hi));
		return -EINVAL;
	}
	return 0;
}

static int check_node(const struct damon_node *n, json_object *v, const char *where, char *err,
		      size_t errlen)
{
	char sub[512];
	int rc;

	if (n->kind == DAMON_LIST) {
		size_t i, len;

		if (!json_object_is_type(v, json_type_array)) {
			set_err(err, errlen, "%s: expected an array", where);
			return -EINVAL;
		}
		len = json_object_array_length(v);
		for (i = 0; i < len; i++) {
			struct damon_node one = { .name = n->name, .kind = DAMON_DIR,
						  .children = n->children, .flags = n->flags };

			snprintf(sub, sizeof(sub), "%s[%zu]", where, i);
			rc = check_node(&one, json_object_array_get_idx(v, i), sub, err, errlen);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	if (n->kind == DAMON_DIR) {
		if (!json_object_is_type(v, json_type_object)) {
			set_err(err, errlen, "%s: expected an object", where);
			return -EINVAL;
		}
		json_object_object_foreach(v, key, val) {
			const struct damon_node *c = damon_child(n, key);

			snprintf(sub, sizeof(sub), "%s%s%s", where, *where ? "." : "", key);
			if (!c) {
				set_err(err, errlen, "%s: unknown key", sub);
				return -EINVAL;
			}
			rc = check_node(c, val, sub, err, errlen);
			if (rc < 0)
				return rc;
		}
		return check_min_max(n, v, where, err, errlen);
	}
	return check_value(n, v, where, err, errlen);
}

int damon_check(const struct damon_node *node, json_object *spec, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	return check_node(node, spec, "", err, errlen);
}

/* Writing. */

/* The file text of a JSON value (the caller checked it with damon_check). */
static int value_text(const struct damon_node *n, json_object *v, char *buf, size_t size)
{
	int len;

	switch (n->kind) {
	case DAMON_UINT:
		len = snprintf(buf, size, "%" PRIu64, json_object_get_uint64(v));
		break;
	case DAMON_INT:
		len = snprintf(buf, size, "%" PRId64, json_object_get_int64(v));
		break;
	case DAMON_BOOL:
		len = snprintf(buf, size, "%s", json_object_get_boolean(v) ? "Y" : "N");
		break;
	default:
		len = snprintf(buf, size, "%s", json_object_get_string(v));
		break;
	}
	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

static int same_value(const struct damon_node *n, json_object *a, json_object *b)
{
	char x[4096], y[4096];

	if (!a || !b || value_text(n, a, x, sizeof(x)) || value_text(n, b, y, sizeof(y)))
		return 0;
	return !strcmp(x, y);
}

static void session_fail(struct damon_session *s, int err, const char *rel, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void session_fail(struct damon_session *s, int err, const char *rel, const char *fmt, ...)
{
	va_list ap;

	s->err = err;
	snprintf(s->errpath, sizeof(s->errpath), "%s", rel);
	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
}

/* One write through the session (logged, or printed in a dry run). */
static int damon_session_write(struct damon_session *s, const char *rel, const char *value,
			       const struct damon_node *list, json_object *old_items)
{
	struct damon_write *w;
	char old[4096];
	int rc;

	if (s->dry_run) {
		if (s->print)
			s->print(rel, value, s->arg);
		json_object_put(old_items);
		return 0;
	}
	if (!list && damon_read_str(rel, old, sizeof(old)) < 0)
		old[0] = '\0';
	rc = damon_write_str(rel, value);
	if (rc < 0) {
		json_object_put(old_items);
		session_fail(s, rc, rel, "cannot write '%s'", value);
		return rc;
	}
	if (s->nlog == s->alog) {
		s->alog = s->alog ? 2 * s->alog : 32;
		s->log = msg_realloc_or_die(s->log, s->alog * sizeof(*s->log));
	}
	w = &s->log[s->nlog++];
	w->relpath = msg_strdup_or_die(rel);
	w->value = msg_strdup_or_die(value);
	w->old = list ? NULL : msg_strdup_or_die(old);
	w->old_items = old_items;
	w->list = list;
	return 0;
}

/* A file this kernel lacks: fine when the wanted value means "unused". */
static int missing_ok(const struct damon_node *n, json_object *want)
{
	char buf[4096];

	if (n->kind == DAMON_LIST)
		return json_object_array_length(want) == 0;
	if (n->kind == DAMON_DIR) {
		json_object_object_foreach(want, key, val) {
			const struct damon_node *c = damon_child(n, key);

			if (c && !(c->flags & DAMON_RO) && !missing_ok(c, val))
				return 0;
		}
		return 1;
	}
	if (n->flags & DAMON_RO)
		return 1;
	return n->neutral && value_text(n, want, buf, sizeof(buf)) == 0 &&
	       !strcmp(buf, n->neutral);
}

static int write_node(struct damon_session *s, const char *rel, const struct damon_node *n,
		      json_object *want, json_object *have);
static int write_dir(struct damon_session *s, const char *rel, const struct damon_node *n,
		     json_object *want, json_object *have);

/* Marks a list of `have` to be written afresh (damon_mark_rewrite). */
static int rewrite_marker;

void damon_mark_rewrite(json_object *have_list)
{
	json_object_set_userdata(have_list, &rewrite_marker, NULL);
}

static int write_list(struct damon_session *s, const char *rel, const struct damon_node *n,
		      json_object *want, json_object *have)
{
	struct damon_node one = { .name = n->name, .kind = DAMON_DIR, .children = n->children };
	size_t i, len = json_object_array_length(want);
	char p[PATH_MAX], idx[32], num[32];
	int fresh, rc;

	/* Fresh directories hold no items: nothing to write for an empty list. */
	if (!have && len == 0)
		return 0;
	fresh = !have || json_object_array_length(have) != len ||
		json_object_get_userdata(have) == &rewrite_marker;
	if (fresh) {
		if (join(p, sizeof(p), rel, n->count) < 0)
			return -ENAMETOOLONG;
		snprintf(num, sizeof(num), "%zu", len);
		rc = damon_session_write(s, p, num, n, have ? json_object_get(have) : NULL);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < len; i++) {
		snprintf(idx, sizeof(idx), "%zu", i);
		if (join(p, sizeof(p), rel, idx) < 0)
			return -ENAMETOOLONG;
		rc = write_node(s, p, &one, json_object_array_get_idx(want, i),
				fresh ? NULL : json_object_array_get_idx(have, i));
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * Does the file or directory of a child exist: 1 yes, 0 no, 2 unknown.  In a
 * dry run, directories that the writes before would have created do not
 * exist yet: a sibling of the same shape (another kdamond's scheme 0, say)
 * tells what this kernel has; without one nothing can tell (2).
 */
static int child_exists(struct damon_session *s, const char *path)
{
	char shape[PATH_MAX], *d, *o;
	const char *c;

	if (damon_exists(path))
		return 1;
	if (!s->dry_run)
		return 0;
	/* Replace each numbered component by 0. */
	for (c = path, o = shape; *c && o < shape + sizeof(shape) - 2;) {
		if (isdigit((unsigned char)*c) && (c == path || c[-1] == '/')) {
			while (isdigit((unsigned char)*c))
				c++;
			*o++ = '0';
		} else {
			*o++ = *c++;
		}
	}
	*o = '\0';
	if (damon_exists(shape))
		return 1;
	/* Is the parent there (so its absence of this child is real)? */
	d = strrchr(shape, '/');
	if (!d)
		return 0;
	*d = '\0';
	if (damon_exists(shape))
		return 0;
	s->unprobed = 1;
	return 2;
}

static json_object *filters_of(json_object *o, const char *key)
{
	json_object *v;

	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_array))
		return v;
	return NULL;
}

static void append_items(json_object *to, json_object *from, const char *const *types, int in)
{
	size_t i, len = from ? json_object_array_length(from) : 0;

	for (i = 0; i < len; i++) {
		json_object *f = json_object_array_get_idx(from, i);
		const char *type = damon_json_str(f, "type", "");

		if (!types || damon_word_in(types, type) == in)
			json_object_array_add(to, json_object_get(f));
	}
}

/*
 * Since 6.15 a scheme has core_filters (addr and target, handled by DAMON's
 * core) and ops_filters (the others), and filters/ is deprecated.  A spec
 * written for either kernel goes where this one takes it: filters move into
 * core_filters and ops_filters where those exist, and back into filters
 * where they do not.  Returns a new reference.
 */
static json_object *place_filters(struct damon_session *s, const char *rel, json_object *want)
{
	json_object *old = filters_of(want, "filters"), *core = filters_of(want, "core_filters");
	json_object *ops = filters_of(want, "ops_filters"), *out, *a, *b;
	char p[PATH_MAX];
	int split;

	if (join(p, sizeof(p), rel, "core_filters") < 0)
		return json_object_get(want);
	split = child_exists(s, p) != 0;	/* unknown: the newest ABI */
	if (split ? !old || !json_object_array_length(old) :
		    (!core || !json_object_array_length(core)) &&
		    (!ops || !json_object_array_length(ops)))
		return json_object_get(want);
	out = json_object_new_object();
	json_object_object_foreach(want, key, val)
		if (strcmp(key, "filters") && strcmp(key, "core_filters") && strcmp(key, "ops_filters"))
			json_object_object_add(out, key, json_object_get(val));
	a = json_object_new_array();
	if (split) {
		b = json_object_new_array();
		append_items(a, core, NULL, 1);
		append_items(a, old, damon_core_filter_types, 1);
		append_items(b, ops, NULL, 1);
		append_items(b, old, damon_core_filter_types, 0);
		json_object_object_add(out, "core_filters", a);
		json_object_object_add(out, "ops_filters", b);
		json_object_object_add(out, "filters", json_object_new_array());
	} else {
		append_items(a, old, NULL, 1);
		append_items(a, core, NULL, 1);
		append_items(a, ops, NULL, 1);
		json_object_object_add(out, "filters", a);
	}
	return out;
}

static int write_node(struct damon_session *s, const char *rel, const struct damon_node *n,
		      json_object *want, json_object *have)
{
	json_object *placed;
	int rc;

	if (n->kind == DAMON_LIST)
		return write_list(s, rel, n, want, have);
	if (n->children != scheme)
		return write_dir(s, rel, n, want, have);
	placed = place_filters(s, rel, want);
	rc = write_dir(s, rel, n, placed, have);
	json_object_put(placed);
	return rc;
}

static int write_dir(struct damon_session *s, const char *rel, const struct damon_node *n,
		     json_object *want, json_object *have)
{
	const struct damon_node *c;
	char p[PATH_MAX], text[4096];
	int rc;

	/* The kernel creates a list's directories when its count is written. */
	if (!s->dry_run && *rel && !damon_exists(rel)) {
		session_fail(s, -ENOENT, rel, "the directory is missing");
		return -ENOENT;
	}
	/* Every missing feature first, so that none is found after a write. */
	for (c = n->children; c && c->name; c++) {
		json_object *w = NULL;

		if (!json_object_object_get_ex(want, c->name, &w) || (c->flags & (DAMON_RO | DAMON_CMD)))
			continue;
		if (join(p, sizeof(p), rel, c->name) < 0)
			return -ENAMETOOLONG;
		if (child_exists(s, p) == 0 && !missing_ok(c, w)) {
			s->missing = c;
			session_fail(s, -EOPNOTSUPP, p, "this kernel has no %s", c->what);
			return -EOPNOTSUPP;
		}
	}
	for (c = n->children; c && c->name; c++) {
		json_object *w = NULL, *h = NULL;
		int there;

		if (!json_object_object_get_ex(want, c->name, &w))
			continue;
		if (c->flags & (DAMON_RO | DAMON_CMD))
			continue;
		if (have)
			json_object_object_get_ex(have, c->name, &h);
		if (join(p, sizeof(p), rel, c->name) < 0)
			return -ENAMETOOLONG;
		there = child_exists(s, p);
		/* Absent, or unknown in a dry run, with the "unused" value: nothing to say. */
		if (there != 1 && missing_ok(c, w))
			continue;
		if (c->kind == DAMON_DIR || c->kind == DAMON_LIST) {
			rc = write_node(s, p, c, w, h);
		} else {
			if (same_value(c, w, h))
				continue;
			/* Fresh directories hold empty strings already (memcg_path). */
			if (!have && c->kind == DAMON_STR && !*json_object_get_string(w))
				continue;
			rc = value_text(c, w, text, sizeof(text));
			if (rc == 0)
				rc = damon_session_write(s, p, text, NULL, NULL);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

int damon_write_tree(struct damon_session *s, const char *relpath, const struct damon_node *node,
		     json_object *want, json_object *have)
{
	int rc = write_node(s, relpath, node, want, have);

	if (rc < 0 && !s->err)
		session_fail(s, rc, relpath, "cannot write the configuration");
	return rc;
}

int damon_session_undo(struct damon_session *s)
{
	int first = 0;

	while (s->nlog > 0) {
		struct damon_write *w = &s->log[--s->nlog];
		int rc;

		if (w->list && w->old_items && json_object_array_length(w->old_items) > 0) {
			/* The old items were lost when the count was written: rewrite them. */
			struct damon_session sub = { 0 };
			char dir[PATH_MAX], *slash;

			snprintf(dir, sizeof(dir), "%s", w->relpath);
			slash = strrchr(dir, '/');
			if (slash)
				*slash = '\0';
			rc = write_list(&sub, slash ? dir : "", w->list, w->old_items, NULL);
			damon_session_free(&sub);
		} else if (w->list) {
			rc = damon_write_str(w->relpath, "0");
		} else {
			rc = damon_write_str(w->relpath, w->old);
		}
		if (rc < 0 && !first)
			first = rc;
		free(w->relpath);
		free(w->value);
		free(w->old);
		json_object_put(w->old_items);
	}
	return first;
}

void damon_session_free(struct damon_session *s)
{
	size_t i;

	for (i = 0; i < s->nlog; i++) {
		free(s->log[i].relpath);
		free(s->log[i].value);
		free(s->log[i].old);
		json_object_put(s->log[i].old_items);
	}
	free(s->log);
	s->log = NULL;
	s->nlog = s->alog = 0;
}

/* JSON helpers. */

uint64_t damon_json_u64(json_object *obj, const char *key, uint64_t def)
{
	json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_int))
		return def;
	return json_object_get_uint64(v);
}

int64_t damon_json_s64(json_object *obj, const char *key, int64_t def)
{
	json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_int))
		return def;
	return json_object_get_int64(v);
}

const char *damon_json_str(json_object *obj, const char *key, const char *def)
{
	json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return def;
	return json_object_get_string(v);
}

json_object *damon_json_item(json_object *obj, const char *key, size_t idx)
{
	json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_array) || idx >= json_object_array_length(v))
		return NULL;
	return json_object_array_get_idx(v, idx);
}

size_t damon_json_len(json_object *obj, const char *key)
{
	json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return 0;
	return json_object_array_length(v);
}
