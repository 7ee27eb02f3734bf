// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * damonctl's renderers: a snapshot as JSON and as text, and the reports
 * (heatmap, working-set size) over a recording, which is one snapshot's
 * JSON a line.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/doc.h"
#include "lib/msg.h"
#include "lib/table.h"
#include "cmd/damonctl.h"

#define HEAT_MAX_ROWS	40	/* default rows: one a snapshot, up to a screen */
#define HEAT_COLS	64	/* default columns: the map and its margin fit 80 columns */
#define HEAT_LEVELS	10
#define MAX_OTHER_AREAS	8	/* areas listed under the heatmap's range line */

static const char heat_chars[HEAT_LEVELS + 1] = " .:-=+*#%@";

/* ---- Small formatters ---------------------------------------------------- */

static void fmt_size(char *buf, size_t len, uint64_t bytes, int raw)
{
	if (raw)
		snprintf(buf, len, "%" PRIu64, bytes);
	else
		table_size_str(buf, len, bytes);
}

/*
 * "250us", "1.5ms", "2.4s", "15.5m", "49.5h": one rounded decimal like the
 * sizes, in units parse_duration_us() reads back (it has no days).  Minutes
 * and hours wait until there are ten of them: "288s" reads better than "4.8m".
 */
void dc_fmt_duration(char *buf, size_t len, uint64_t us)
{
	static const struct {
		uint64_t us;		/* the unit */
		uint64_t from;		/* used from this many of it */
		const char *name;
	} units[] = {
		{ 1, 1, "us" }, { 1000, 1, "ms" }, { 1000000, 1, "s" }, { 60000000, 10, "m" },
		{ 3600000000ULL, 10, "h" },
	};
	size_t n = sizeof(units) / sizeof(units[0]), i = 0;
	uint64_t tenths, u;

	if (!us) {
		snprintf(buf, len, "0s");
		return;
	}
	while (i + 1 < n && us >= units[i + 1].us * units[i + 1].from)
		i++;
	for (;;) {
		u = units[i].us;
		tenths = us / u * 10 + ((us % u) * 10 + u / 2) / u;
		/* 999.96ms rounds to 1000ms: say 1s instead. */
		if (i + 1 < n && tenths >= units[i + 1].us * units[i + 1].from / u * 10) {
			i++;
			continue;
		}
		break;
	}
	if (tenths % 10)
		snprintf(buf, len, "%" PRIu64 ".%u%s", tenths / 10, (unsigned int)(tenths % 10),
			 units[i].name);
	else
		snprintf(buf, len, "%" PRIu64 "%s", tenths / 10, units[i].name);
}

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

static uint64_t ns_to_us(int64_t ns)
{
	return ns > 0 ? (uint64_t)ns / 1000 : 0;
}

/* ---- json-c, with its allocations checked ------------------------------- */

static json_object *jcheck(json_object *obj)
{
	if (!obj) {
		msg_err(ENOMEM, "out of memory");
		exit(EXIT_FAILURE);
	}
	return obj;
}

static void jadd(json_object *obj, const char *key, json_object *val)
{
	if (json_object_object_add(obj, key, jcheck(val)) < 0) {
		json_object_put(val);
		jcheck(NULL);
	}
}

static void jpush(json_object *arr, json_object *val)
{
	if (json_object_array_add(arr, jcheck(val)) < 0) {
		json_object_put(val);
		jcheck(NULL);
	}
}

/* A failed write is msg_init()'s to report at exit. */
static void jprint(json_object *doc)
{
	if (doc_print(doc) == -ENOMEM)
		jcheck(NULL);
}

/* stdout's errors are said once, by msg_init()'s exit check. */
static int flush_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		return EXIT_FAILURE;
	return 0;
}

/* ---- Snapshot ------------------------------------------------------------ */

uint64_t dc_max_nr_accesses(const struct dc_snapshot *s)
{
	/* A hand-made or damaged recording may say sample_us 0. */
	if (!s->sample_us || s->aggr_us / s->sample_us == 0)
		return 1;
	return s->aggr_us / s->sample_us;
}

void dc_snapshot_free(struct dc_snapshot *s)
{
	if (!s)
		return;
	free(s->regions);
	memset(s, 0, sizeof(*s));
}

json_object *dc_snapshot_to_json(const struct dc_snapshot *s)
{
	int nr_targets = s->nr_targets < 0 ? 0 : s->nr_targets > 16 ? 16 : s->nr_targets;
	json_object *obj = jcheck(json_object_new_object());
	json_object *targets = jcheck(json_object_new_array_ext(nr_targets));
	/* Only a hint, which json-c takes as an int. */
	json_object *regions = jcheck(json_object_new_array_ext(s->nr_regions < 4096 ?
								 (int)s->nr_regions : 4096));
	size_t i;

	jadd(obj, "time_ns", json_object_new_int64(s->time_ns));
	jadd(obj, "elapsed_ns", json_object_new_int64(s->elapsed_ns));
	jadd(obj, "kdamond", json_object_new_int(s->kdamond));
	jadd(obj, "context", json_object_new_int(s->context));
	jadd(obj, "scheme", json_object_new_int(s->scheme));
	jadd(obj, "ops", json_object_new_string_len(s->ops, (int)strnlen(s->ops, sizeof(s->ops))));
	for (i = 0; i < (size_t)nr_targets; i++)
		jpush(targets, json_object_new_int(s->targets[i]));
	jadd(obj, "targets", targets);
	jadd(obj, "sample_us", json_object_new_uint64(s->sample_us));
	jadd(obj, "aggr_us", json_object_new_uint64(s->aggr_us));
	jadd(obj, "total_bytes", json_object_new_uint64(s->total_bytes));
	for (i = 0; i < s->nr_regions; i++) {
		const struct dc_region *r = &s->regions[i];
		json_object *reg = jcheck(json_object_new_object());

		jadd(reg, "start", json_object_new_uint64(r->start));
		jadd(reg, "end", json_object_new_uint64(r->end));
		jadd(reg, "nr_accesses", json_object_new_uint64(r->nr_accesses));
		jadd(reg, "age", json_object_new_uint64(r->age));
		jpush(regions, reg);
	}
	jadd(obj, "regions", regions);
	return obj;
}

/* The reason of a rejected snapshot; always -EINVAL. */
static void reject_msg(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reject_msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
}

/*
 * The message in err, worth -EINVAL.  A macro so that the static analyzer,
 * which follows no variadic call, sees that a rejection never returns 0.
 */
#define reject(err, errlen, ...) (reject_msg(err, errlen, __VA_ARGS__), -EINVAL)

static const char *type_name(json_object *val)
{
	switch (json_object_get_type(val)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a number with a fraction or an exponent";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "of an unknown type";
}

/* obj[key] of the given type; `where` prefixes the key in the reason ("regions[3]."). */
static int get_typed(json_object *obj, const char *where, const char *key, enum json_type type,
		     const char *what, json_object **val, char *err, size_t errlen)
{
	if (!json_object_object_get_ex(obj, key, val))
		return reject(err, errlen, "missing key %s%s", where, key);
	if (json_object_get_type(*val) != type)
		return reject(err, errlen, "%s%s: expected %s, got %s", where, key, what,
			      type_name(*val));
	return 0;
}

/*
 * A non-negative integer up to max.  json-c clamps what overflows 64 bits
 * to UINT64_MAX (or INT64_MIN) without telling, so UINT64_MAX itself is out
 * of range: no DAMON value reaches it.
 */
static int int_value(json_object *val, const char *where, const char *key, uint64_t max,
		     uint64_t *v, char *err, size_t errlen)
{
	if (json_object_get_type(val) != json_type_int)
		return reject(err, errlen, "%s%s: expected an integer, got %s", where, key,
			      type_name(val));
	if (json_object_get_int64(val) < 0)
		return reject(err, errlen, "%s%s: negative (%" PRId64 ")", where, key,
			      json_object_get_int64(val));
	*v = json_object_get_uint64(val);
	if (*v == UINT64_MAX || *v > max)
		return reject(err, errlen, "%s%s: out of range (at most %" PRIu64 ")", where, key,
			      max == UINT64_MAX ? UINT64_MAX - 1 : max);
	return 0;
}

static int get_u64(json_object *obj, const char *where, const char *key, uint64_t max,
		   uint64_t *v, char *err, size_t errlen)
{
	json_object *val;

	if (!json_object_object_get_ex(obj, key, &val))
		return reject(err, errlen, "missing key %s%s", where, key);
	return int_value(val, where, key, max, v, err, errlen);
}

static int get_int(json_object *obj, const char *key, int *v, char *err, size_t errlen)
{
	uint64_t u = 0;
	int rc = get_u64(obj, "", key, INT_MAX, &u, err, errlen);

	*v = (int)u;
	return rc;
}

static int get_s64(json_object *obj, const char *key, int64_t *v, char *err, size_t errlen)
{
	uint64_t u = 0;
	int rc = get_u64(obj, "", key, INT64_MAX, &u, err, errlen);

	*v = (int64_t)u;
	return rc;
}

static int get_ops(json_object *obj, struct dc_snapshot *s, char *err, size_t errlen)
{
	json_object *val;
	const char *str;
	int len, rc;

	rc = get_typed(obj, "", "ops", json_type_string, "a string", &val, err, errlen);
	if (rc)
		return rc;
	str = json_object_get_string(val);
	len = json_object_get_string_len(val);
	if ((size_t)len >= sizeof(s->ops))
		return reject(err, errlen, "ops: longer than %zu characters", sizeof(s->ops) - 1);
	/* Unknown names pass: a newer kernel may add operations sets. */
	if (len == 0 || strspn(str, "abcdefghijklmnopqrstuvwxyz0123456789_") != (size_t)len)
		return reject(err, errlen, "ops: not an operations set name (like vaddr or paddr)");
	memcpy(s->ops, str, len + 1);
	return 0;
}

static int get_targets(json_object *obj, struct dc_snapshot *s, char *err, size_t errlen)
{
	char where[32];
	json_object *arr;
	uint64_t pid;
	size_t i, n;
	int rc;

	rc = get_typed(obj, "", "targets", json_type_array, "an array", &arr, err, errlen);
	if (rc)
		return rc;
	n = json_object_array_length(arr);
	if (n > sizeof(s->targets) / sizeof(s->targets[0]))
		return reject(err, errlen, "targets: %zu targets, at most %zu", n,
			      sizeof(s->targets) / sizeof(s->targets[0]));
	for (i = 0; i < n; i++) {
		snprintf(where, sizeof(where), "targets[%zu]", i);
		rc = int_value(json_object_array_get_idx(arr, i), where, "", INT_MAX, &pid, err,
			       errlen);
		if (rc)
			return rc;
		s->targets[i] = (int)pid;
	}
	s->nr_targets = (int)n;
	return 0;
}

static int get_region(json_object *reg, size_t i, struct dc_region *r, const struct dc_region *prev,
		      char *err, size_t errlen)
{
	char where[40];
	int rc;

	snprintf(where, sizeof(where), "regions[%zu]", i);
	if (json_object_get_type(reg) != json_type_object)
		return reject(err, errlen, "%s: expected an object, got %s", where,
			      type_name(reg));
	strcat(where, ".");
	rc = get_u64(reg, where, "start", UINT64_MAX, &r->start, err, errlen);
	if (!rc)
		rc = get_u64(reg, where, "end", UINT64_MAX, &r->end, err, errlen);
	if (!rc)
		rc = get_u64(reg, where, "nr_accesses", UINT64_MAX, &r->nr_accesses, err, errlen);
	if (!rc)
		rc = get_u64(reg, where, "age", UINT64_MAX, &r->age, err, errlen);
	if (rc)
		return rc;
	if (r->end <= r->start)
		return reject(err, errlen, "regions[%zu]: end 0x%" PRIx64 " is not above start 0x%"
			      PRIx64, i, r->end, r->start);
	/* The renderers walk regions in address order, once. */
	if (prev && r->start < prev->end)
		return reject(err, errlen, "regions[%zu]: start 0x%" PRIx64 " is below the end 0x%"
			      PRIx64 " of regions[%zu] (overlapping or out of order)", i,
			      r->start, prev->end, i - 1);
	return 0;
}

static int get_regions(json_object *obj, struct dc_snapshot *s, char *err, size_t errlen)
{
	json_object *arr;
	size_t i, n;
	int rc;

	rc = get_typed(obj, "", "regions", json_type_array, "an array", &arr, err, errlen);
	if (rc)
		return rc;
	n = json_object_array_length(arr);
	s->regions = msg_calloc_or_die(n, sizeof(*s->regions));
	for (i = 0; i < n; i++) {
		rc = get_region(json_object_array_get_idx(arr, i), i, &s->regions[i],
				i ? &s->regions[i - 1] : NULL, err, errlen);
		if (rc)
			return rc;
	}
	s->nr_regions = n;
	return 0;
}

static int snapshot_from_json(json_object *obj, struct dc_snapshot *s, char *err, size_t errlen)
{
	int rc;

	if (json_object_get_type(obj) != json_type_object)
		return reject(err, errlen, "expected a JSON object, got %s", type_name(obj));
	rc = get_s64(obj, "time_ns", &s->time_ns, err, errlen);
	if (!rc)
		rc = get_s64(obj, "elapsed_ns", &s->elapsed_ns, err, errlen);
	if (!rc)
		rc = get_int(obj, "kdamond", &s->kdamond, err, errlen);
	if (!rc)
		rc = get_int(obj, "context", &s->context, err, errlen);
	if (!rc)
		rc = get_int(obj, "scheme", &s->scheme, err, errlen);
	if (!rc)
		rc = get_ops(obj, s, err, errlen);
	if (!rc)
		rc = get_targets(obj, s, err, errlen);
	if (!rc)
		rc = get_u64(obj, "", "sample_us", UINT64_MAX, &s->sample_us, err, errlen);
	if (!rc)
		rc = get_u64(obj, "", "aggr_us", UINT64_MAX, &s->aggr_us, err, errlen);
	if (!rc)
		rc = get_u64(obj, "", "total_bytes", UINT64_MAX, &s->total_bytes, err, errlen);
	if (!rc)
		rc = get_regions(obj, s, err, errlen);
	return rc;
}

int dc_snapshot_from_json(json_object *obj, struct dc_snapshot *s, char *err, size_t errlen)
{
	int rc;

	memset(s, 0, sizeof(*s));
	if (errlen)
		*err = '\0';
	rc = snapshot_from_json(obj, s, err, errlen);
	if (rc)
		dc_snapshot_free(s);
	return rc;
}

/* ---- Snapshot, as text --------------------------------------------------- */

static int hex_digits(uint64_t v)
{
	int n = 1;

	while (v >>= 4)
		n++;
	return n;
}

static void print_header(const struct dc_snapshot *s, FILE *out, int bytes)
{
	char size[32], sample[32], aggr[32];
	int i;

	fprintf(out, "kdamond %d", s->kdamond);
	/* Most setups have one context and one scheme: say them when not. */
	if (s->context || s->scheme)
		fprintf(out, " context %d scheme %d", s->context, s->scheme);
	fprintf(out, ", %s", s->ops);
	if (strcmp(s->ops, "paddr") != 0 && s->nr_targets > 0) {
		fprintf(out, " pid%s ", s->nr_targets > 1 ? "s" : "");
		for (i = 0; i < s->nr_targets && i < 16; i++)
			fprintf(out, "%s%d", i ? "," : "", s->targets[i]);
	}
	fmt_size(size, sizeof(size), s->total_bytes, bytes);
	dc_fmt_duration(sample, sizeof(sample), s->sample_us);
	dc_fmt_duration(aggr, sizeof(aggr), s->aggr_us);
	fprintf(out, ": %zu region%s, %s%s, sample %s, aggr %s\n", s->nr_regions,
		s->nr_regions == 1 ? "" : "s", size, bytes ? " bytes" : "", sample, aggr);
}

struct region_text {
	char size[32];
	char acc[48];
	char age[32];
};

static void region_text(const struct dc_snapshot *s, const struct dc_region *r, int bytes,
			struct region_text *t)
{
	fmt_size(t->size, sizeof(t->size), r->end - r->start, bytes);
	snprintf(t->acc, sizeof(t->acc), "%" PRIu64 "/%" PRIu64, r->nr_accesses,
		 dc_max_nr_accesses(s));
	dc_fmt_duration(t->age, sizeof(t->age), mul_sat(r->age, s->aggr_us));
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

/* Filled cells of a bar: in proportion, and at least one for any access. */
static int bar_fill(uint64_t nr, uint64_t max, int width)
{
	int fill;

	if (nr == 0)
		return 0;
	if (nr >= max)
		return width;
	fill = (int)((double)nr / (double)max * width + 0.5);
	return fill < 1 ? 1 : fill > width ? width : fill;
}

static void print_bar(FILE *out, uint64_t nr, uint64_t max, int width)
{
	int i, fill = bar_fill(nr, max, width);

	fputs(" |", out);
	for (i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', out);
	fputc('|', out);
}

void dc_snapshot_print(const struct dc_snapshot *s, FILE *out, int width, int bytes)
{
	int aw = 8, sw = 4, nw = 8, gw = 3;	/* the headings' widths */
	uint64_t max = dc_max_nr_accesses(s);
	struct region_text t;
	size_t i;

	print_header(s, out, bytes);
	if (!s->nr_regions)
		return;
	/* One width for every address, so that the columns line up. */
	aw = max_int(aw, hex_digits(s->regions[s->nr_regions - 1].end));
	for (i = 0; i < s->nr_regions; i++) {
		region_text(s, &s->regions[i], bytes, &t);
		sw = max_int(sw, (int)strlen(t.size));
		nw = max_int(nw, (int)strlen(t.acc));
		gw = max_int(gw, (int)strlen(t.age));
	}
	fprintf(out, "%-*s %-*s %*s %*s %*s%s\n", aw + 2, "START", aw + 2, "END", sw, "SIZE", nw,
		"ACCESSES", gw, "AGE", width > 0 ? " HEAT" : "");
	for (i = 0; i < s->nr_regions; i++) {
		const struct dc_region *r = &s->regions[i];

		region_text(s, r, bytes, &t);
		fprintf(out, "0x%0*" PRIx64 " 0x%0*" PRIx64 " %*s %*s %*s", aw, r->start, aw,
			r->end, sw, t.size, nw, t.acc, gw, t.age);
		if (width > 0)
			print_bar(out, r->nr_accesses, max, width);
		fputc('\n', out);
	}
}

/* ---- Recordings ---------------------------------------------------------- */

/* Called with each snapshot read; takes it over. */
typedef void (*snapshot_fn)(struct dc_snapshot *s, void *arg);

static int blank(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!strchr(" \t\r\n", line[i]) || !line[i])
			return 0;
	return 1;
}

static int parse_line(json_tokener *tok, const char *line, size_t len, struct dc_snapshot *s,
		      char *err, size_t errlen)
{
	enum json_tokener_error jerr;
	json_object *obj;
	size_t end;
	int rc;

	if (len > INT_MAX)
		return reject(err, errlen, "line too long");
	json_tokener_reset(tok);
	obj = json_tokener_parse_ex(tok, line, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!obj && jerr == json_tokener_continue)
		return reject(err, errlen, "truncated JSON (the line ends inside the object)");
	if (!obj)
		return reject(err, errlen, "invalid JSON at column %zu: %s", end + 1,
			      json_tokener_error_desc(jerr));
	if (!blank(line + end, len - end)) {
		json_object_put(obj);
		return reject(err, errlen, "invalid JSON at column %zu: text after the object",
			      end + 1);
	}
	rc = dc_snapshot_from_json(obj, s, err, errlen);
	json_object_put(obj);
	return rc;
}

/* Each snapshot of FILE to fn, in order; an exit status, the failure said. */
static int read_recording(const char *file, snapshot_fn fn, void *arg)
{
	int is_stdin = strcmp(file, "-") == 0;
	const char *name = is_stdin ? "stdin" : file;
	unsigned long lineno = 0;
	char *line = NULL, err[256];
	struct dc_snapshot s;
	json_tokener *tok;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;
	FILE *f;

	f = is_stdin ? stdin : fopen(file, "re");
	if (!f) {
		msg_err(errno, "cannot open '%s'", file);
		return EXIT_FAILURE;
	}
	tok = json_tokener_new();
	if (!tok)
		jcheck(NULL);
	/* Strict: a recording is written by a program, and junk means damage. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	for (;;) {
		errno = 0;
		len = getline(&line, &cap, f);
		if (len < 0)
			break;
		lineno++;
		if (blank(line, len))
			continue;
		if (parse_line(tok, line, len, &s, err, sizeof(err)) < 0) {
			msg_err(0, "malformed recording '%s:%lu': %s", name, lineno, err);
			rc = EXIT_USAGE;
			break;
		}
		fn(&s, arg);
	}
	if (!rc && (ferror(f) || errno)) {
		msg_err(errno ? errno : EIO, "cannot read '%s'", name);
		rc = EXIT_FAILURE;
	}
	json_tokener_free(tok);
	free(line);
	if (!is_stdin)
		fclose(f);
	return rc;
}

struct recording {
	struct dc_snapshot *s;
	size_t n, cap;
};

/* cppcheck-suppress constParameter ; a snapshot_fn: it takes over what *s owns */
static void keep_snapshot(struct dc_snapshot *s, void *arg)
{
	struct recording *rec = arg;

	if (rec->n == rec->cap) {
		rec->cap = rec->cap ? rec->cap * 2 : 64;
		rec->s = msg_realloc_or_die(rec->s, rec->cap * sizeof(*rec->s));
	}
	rec->s[rec->n++] = *s;
}

static void recording_free(struct recording *rec)
{
	size_t i;

	for (i = 0; i < rec->n; i++)
		dc_snapshot_free(&rec->s[i]);
	free(rec->s);
}

/* ---- Heatmap ------------------------------------------------------------- */

/* An address range and the accesses seen in it. */
struct area {
	uint64_t start, end;
	double weight;		/* sum of size * nr_accesses over the snapshots */
};

static int by_start(const void *a, const void *b)
{
	const struct area *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * The monitored areas: regions of every snapshot, merged where they touch.
 * In a vaddr space they are the heap, the mmap area and the stack, with the
 * huge holes between them left out, so each can be shown at a useful scale.
 */
static size_t find_areas(const struct recording *rec, struct area **areas)
{
	size_t i, j, n = 0, nr = 0;
	struct area *a;

	for (i = 0; i < rec->n; i++)
		nr += rec->s[i].nr_regions;
	a = msg_calloc_or_die(nr, sizeof(*a));
	for (i = 0; i < rec->n; i++) {
		for (j = 0; j < rec->s[i].nr_regions; j++) {
			const struct dc_region *r = &rec->s[i].regions[j];

			a[n].start = r->start;
			a[n].end = r->end;
			a[n].weight = (double)(r->end - r->start) * (double)r->nr_accesses;
			n++;
		}
	}
	qsort(a, n, sizeof(*a), by_start);
	for (i = 0, j = 0; i < n; i++) {
		if (j && a[i].start <= a[j - 1].end) {
			if (a[i].end > a[j - 1].end)
				a[j - 1].end = a[i].end;
			a[j - 1].weight += a[i].weight;
		} else {
			a[j++] = a[i];
		}
	}
	*areas = a;
	return j;
}

/* The most accessed area; the largest of equals, the lowest of those. */
static size_t best_area(const struct area *a, size_t n)
{
	size_t i, best = 0;

	for (i = 1; i < n; i++) {
		if (a[i].weight > a[best].weight ||
		    (a[i].weight == a[best].weight &&
		     a[i].end - a[i].start > a[best].end - a[best].start))
			best = i;
	}
	return best;
}

struct heatmap {
	uint64_t start, end;
	int cols, rows;
	uint64_t max_nr;	/* the highest dc_max_nr_accesses() of the snapshots */
	int max_varies;		/* snapshots had different aggr_us / sample_us */
	uint64_t *bounds;	/* cols + 1 column boundaries, bounds[cols] = end */
	double *acc, *cov;	/* per column of the current row: accesses, bytes seen */
	const char *range_how;	/* how the range was chosen, for the text header */
	const struct area *areas;
	size_t nr_areas, chosen;
};

static void heat_columns(struct heatmap *h, int cols)
{
	uint64_t w = h->end - h->start;
	int c;

	if (cols <= 0)
		cols = HEAT_COLS;
	/* No column narrower than a byte. */
	if ((uint64_t)cols > w)
		cols = (int)w;
	h->cols = cols;
	h->bounds = msg_calloc_or_die(cols + 1, sizeof(*h->bounds));
	h->acc = msg_calloc_or_die(cols, sizeof(*h->acc));
	h->cov = msg_calloc_or_die(cols, sizeof(*h->cov));
	/* start + w * c / cols, without the 128-bit product. */
	for (c = 0; c <= cols; c++)
		h->bounds[c] = h->start + w / cols * c + w % cols * c / cols;
}

/* Adds one snapshot's accesses, as shares of its maximum, to the current row. */
static void heat_add(struct heatmap *h, const struct dc_snapshot *s)
{
	uint64_t max = dc_max_nr_accesses(s), lo, hi, clo, chi;
	int c = 0, k;
	double frac;
	size_t i;

	for (i = 0; i < s->nr_regions; i++) {
		const struct dc_region *r = &s->regions[i];

		lo = r->start > h->start ? r->start : h->start;
		hi = r->end < h->end ? r->end : h->end;
		if (lo >= hi)
			continue;
		frac = r->nr_accesses >= max ? 1.0 : (double)r->nr_accesses / (double)max;
		while (c < h->cols && h->bounds[c + 1] <= lo)
			c++;
		for (k = c; k < h->cols && h->bounds[k] < hi; k++) {
			clo = lo > h->bounds[k] ? lo : h->bounds[k];
			chi = hi < h->bounds[k + 1] ? hi : h->bounds[k + 1];
			if (chi <= clo)
				continue;
			h->acc[k] += (double)(chi - clo) * frac;
			h->cov[k] += (double)(chi - clo);
		}
	}
}

/*
 * 0 for no access (or nothing monitored there), else 1 + ninths of the
 * maximum: level L >= 1 stands for [(L-1)/9, L/9) of it, 9 up to all of it.
 */
static int heat_level(const struct heatmap *h, int c)
{
	double frac;
	int level;

	if (h->cov[c] <= 0 || h->acc[c] <= 0)
		return 0;
	frac = h->acc[c] / h->cov[c];
	level = 1 + (int)(frac * (HEAT_LEVELS - 1));
	return level > HEAT_LEVELS - 1 ? HEAT_LEVELS - 1 : level;
}

static void heat_free(struct heatmap *h)
{
	free(h->bounds);
	free(h->acc);
	free(h->cov);
}

/* The rows: snapshots spread evenly over them, in recording order. */
static size_t row_of(const struct heatmap *h, size_t i, size_t n)
{
	return (size_t)((uint64_t)i * h->rows / n);
}

static void heat_reset(struct heatmap *h)
{
	memset(h->acc, 0, h->cols * sizeof(*h->acc));
	memset(h->cov, 0, h->cols * sizeof(*h->cov));
}

static json_object *heat_json(struct heatmap *h, const struct recording *rec)
{
	json_object *doc = jcheck(json_object_new_object());
	json_object *rows = jcheck(json_object_new_array_ext(h->rows));
	json_object *row = NULL, *cells;
	size_t i, j = 0;
	int c;

	jadd(doc, "addr_start", json_object_new_uint64(h->start));
	jadd(doc, "addr_end", json_object_new_uint64(h->end));
	jadd(doc, "cols", json_object_new_int(h->cols));
	jadd(doc, "max_nr_accesses", json_object_new_uint64(h->max_nr));
	for (i = 0; i < rec->n; i = j) {
		row = jcheck(json_object_new_object());
		jadd(row, "elapsed_ns", json_object_new_int64(rec->s[i].elapsed_ns));
		heat_reset(h);
		for (j = i; j < rec->n && row_of(h, j, rec->n) == row_of(h, i, rec->n); j++)
			heat_add(h, &rec->s[j]);
		cells = jcheck(json_object_new_array_ext(h->cols));
		for (c = 0; c < h->cols; c++)
			jpush(cells, json_object_new_int(heat_level(h, c)));
		jadd(row, "cells", cells);
		jpush(rows, row);
	}
	jadd(doc, "rows", rows);
	return doc;
}

static void print_range_line(const struct heatmap *h, int bytes)
{
	char size[32];
	size_t i, shown = 0;

	fmt_size(size, sizeof(size), h->end - h->start, bytes);
	printf("range 0x%" PRIx64 "-0x%" PRIx64 " (%s): %s", h->start, h->end, size,
	       h->range_how);
	if (!h->areas || h->nr_areas < 2) {
		putchar('\n');
		return;
	}
	printf(" of %zu areas; others:\n", h->nr_areas);
	for (i = 0; i < h->nr_areas; i++) {
		if (i == h->chosen)
			continue;
		if (shown++ == MAX_OTHER_AREAS) {
			printf("  and %zu more\n", h->nr_areas - 1 - MAX_OTHER_AREAS);
			break;
		}
		fmt_size(size, sizeof(size), h->areas[i].end - h->areas[i].start, bytes);
		printf("  0x%" PRIx64 "-0x%" PRIx64 " (%s)\n", h->areas[i].start, h->areas[i].end,
		       size);
	}
}

/* The start address over the first column, the end over the last. */
static void print_axis(const struct heatmap *h, int margin)
{
	char start[24], end[24];
	int pad;

	snprintf(start, sizeof(start), "0x%" PRIx64, h->start);
	snprintf(end, sizeof(end), "0x%" PRIx64, h->end);
	pad = h->cols - (int)strlen(start) - (int)strlen(end);
	printf("%*s%s%*s%s\n", margin, "", start, pad > 1 ? pad : 1, "", end);
}

static void print_legend(const struct heatmap *h)
{
	int l;

	printf("scale: ' '=0 %c>0", heat_chars[1]);
	for (l = 2; l < HEAT_LEVELS; l++)
		printf(" %c%d%%", heat_chars[l], ((l - 1) * 100 + 4) / 9);
	if (h->max_varies)
		printf(" of each snapshot's maximum nr_accesses\n");
	else
		printf(" of %" PRIu64 " accesses\n", h->max_nr);
}

static void heat_text(struct heatmap *h, const struct recording *rec, int bytes)
{
	char (*labels)[32] = msg_calloc_or_die(h->rows, sizeof(*labels));
	size_t i, j, r;
	int c, lw = 1;

	for (i = 0; i < rec->n; i++) {
		r = row_of(h, i, rec->n);
		if (!labels[r][0]) {
			dc_fmt_duration(labels[r], sizeof(labels[r]), ns_to_us(rec->s[i].elapsed_ns));
			lw = max_int(lw, (int)strlen(labels[r]));
		}
	}
	print_range_line(h, bytes);
	print_axis(h, lw + 2);
	for (i = 0; i < rec->n; i = j) {
		r = row_of(h, i, rec->n);
		heat_reset(h);
		for (j = i; j < rec->n && row_of(h, j, rec->n) == r; j++)
			heat_add(h, &rec->s[j]);
		printf("%*s |", lw, labels[r]);
		for (c = 0; c < h->cols; c++)
			putchar(heat_chars[heat_level(h, c)]);
		puts("|");
	}
	print_legend(h);
	free(labels);
}

static int monitored(const struct recording *rec, uint64_t start, uint64_t end)
{
	size_t i, j;

	for (i = 0; i < rec->n; i++)
		for (j = 0; j < rec->s[i].nr_regions; j++)
			if (rec->s[i].regions[j].start < end && rec->s[i].regions[j].end > start)
				return 1;
	return 0;
}

static int heat_range(struct heatmap *h, const struct recording *rec,
		      const struct dc_report_opts *o, const char *file, struct area **areas)
{
	struct area *a;
	size_t n;

	if (o->addr_start || o->addr_end) {
		if (o->addr_end <= o->addr_start) {
			msg_err(0, "empty address range '0x%" PRIx64 "-0x%" PRIx64 "'",
				o->addr_start, o->addr_end);
			return EXIT_USAGE;
		}
		h->start = o->addr_start;
		h->end = o->addr_end;
		h->range_how = "as asked";
		if (!monitored(rec, h->start, h->end))
			msg_warn(0, "no monitored region in '0x%" PRIx64 "-0x%" PRIx64 "'", h->start,
				 h->end);
		return 0;
	}
	n = find_areas(rec, &a);
	*areas = a;
	if (!n) {
		msg_err(0, "no region in '%s'", strcmp(file, "-") ? file : "stdin");
		return EXIT_USAGE;
	}
	h->areas = a;
	h->nr_areas = n;
	h->chosen = best_area(a, n);
	h->start = a[h->chosen].start;
	h->end = a[h->chosen].end;
	h->range_how = n > 1 ? "most accessed" : "the only monitored area";
	return 0;
}

static void heat_max(struct heatmap *h, const struct recording *rec)
{
	uint64_t m;
	size_t i;

	for (i = 0; i < rec->n; i++) {
		m = dc_max_nr_accesses(&rec->s[i]);
		if (i && m != h->max_nr)
			h->max_varies = 1;
		if (m > h->max_nr)
			h->max_nr = m;
	}
}

int dc_report_heatmap(const char *file, const struct dc_report_opts *o)
{
	struct recording rec = { 0 };
	struct heatmap h = { 0 };
	struct area *areas = NULL;
	json_object *doc;
	int rc;

	rc = read_recording(file, keep_snapshot, &rec);
	if (rc)
		goto out;
	if (!rec.n) {
		msg_err(0, "no snapshot in '%s'", strcmp(file, "-") ? file : "stdin");
		rc = EXIT_USAGE;
		goto out;
	}
	rc = heat_range(&h, &rec, o, file, &areas);
	if (rc)
		goto out;
	heat_max(&h, &rec);
	heat_columns(&h, o->cols);
	h.rows = o->rows > 0 ? o->rows : HEAT_MAX_ROWS;
	if ((size_t)h.rows > rec.n)
		h.rows = (int)rec.n;
	if (o->json) {
		doc = heat_json(&h, &rec);
		jprint(doc);
		json_object_put(doc);
	} else {
		heat_text(&h, &rec, o->bytes);
	}
	rc = flush_stdout();
out:
	heat_free(&h);
	free(areas);
	recording_free(&rec);
	return rc;
}

/* ---- Working-set size ---------------------------------------------------- */

struct wss {
	uint64_t min_accesses;
	uint64_t *v;
	size_t n, cap;
	int64_t first_ns, last_ns;
};

static void add_wss(struct dc_snapshot *s, void *arg)
{
	struct wss *w = arg;
	uint64_t sum = 0;
	size_t i;

	/* Regions do not overlap, so the sum stays below 2^64. */
	for (i = 0; i < s->nr_regions; i++)
		if (s->regions[i].nr_accesses >= w->min_accesses)
			sum += s->regions[i].end - s->regions[i].start;
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		w->v = msg_realloc_or_die(w->v, w->cap * sizeof(*w->v));
	}
	if (!w->n || s->elapsed_ns < w->first_ns)
		w->first_ns = s->elapsed_ns;
	if (!w->n || s->elapsed_ns > w->last_ns)
		w->last_ns = s->elapsed_ns;
	w->v[w->n++] = sum;
	dc_snapshot_free(s);
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static const int percentiles[] = { 0, 1, 25, 50, 75, 99, 100 };
#define NR_PERCENTILES (sizeof(percentiles) / sizeof(percentiles[0]))

/* Nearest rank: the smallest value with at least p% of the values at or below it. */
static uint64_t percentile(const struct wss *w, int p)
{
	uint64_t rank = ((uint64_t)p * w->n + 99) / 100;

	return w->v[rank ? rank - 1 : 0];
}

enum { COL_PERCENTILE, COL_WSS, NR_WSS_COLS };

static const struct table_col wss_cols[NR_WSS_COLS] = {
	[COL_PERCENTILE] = { "PERCENTILE", 4, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			     "percentile of the snapshots, by the nearest rank" },
	[COL_WSS] = { "WSS", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		      "working-set size: bytes in regions with enough accesses" },
};

static int wss_table(const struct wss *w, int bytes)
{
	struct libscols_line *ln;
	struct table t;
	size_t i;
	int rc;

	rc = table_init(&t, wss_cols, NR_WSS_COLS, "PERCENTILE,WSS", 0, "wss");
	if (rc < 0)
		return rc == -EINVAL ? EXIT_USAGE : EXIT_FAILURE;
	t.bytes |= bytes;
	for (i = 0; i < NR_PERCENTILES; i++) {
		ln = table_line(&t);
		if (!ln || table_set(&t, ln, COL_PERCENTILE, "%d", percentiles[i]) < 0 ||
		    table_set_size(&t, ln, COL_WSS, percentile(w, percentiles[i])) < 0) {
			msg_err(ENOMEM, "cannot make the table");
			table_free(&t);
			return EXIT_FAILURE;
		}
	}
	rc = table_print(&t);
	table_free(&t);
	return rc < 0 ? EXIT_FAILURE : 0;
}

static void wss_json(const struct wss *w)
{
	json_object *doc = jcheck(json_object_new_object());
	json_object *arr = jcheck(json_object_new_array_ext(NR_PERCENTILES));
	json_object *p;
	size_t i;

	jadd(doc, "snapshots", json_object_new_uint64(w->n));
	jadd(doc, "duration_ns", json_object_new_int64(w->last_ns - w->first_ns));
	jadd(doc, "min_accesses", json_object_new_uint64(w->min_accesses));
	for (i = 0; i < NR_PERCENTILES; i++) {
		p = jcheck(json_object_new_object());
		jadd(p, "percentile", json_object_new_int(percentiles[i]));
		jadd(p, "wss", json_object_new_uint64(percentile(w, percentiles[i])));
		jpush(arr, p);
	}
	jadd(doc, "percentiles", arr);
	jprint(doc);
	json_object_put(doc);
}

int dc_report_wss(const char *file, const struct dc_report_opts *o)
{
	struct wss w = { .min_accesses = o->wss_min_accesses };
	char dur[32];
	int rc;

	rc = read_recording(file, add_wss, &w);
	if (rc)
		goto out;
	if (!w.n) {
		msg_err(0, "no snapshot in '%s'", strcmp(file, "-") ? file : "stdin");
		rc = EXIT_USAGE;
		goto out;
	}
	qsort(w.v, w.n, sizeof(*w.v), by_value);
	dc_fmt_duration(dur, sizeof(dur), ns_to_us(w.last_ns - w.first_ns));
	msg_verbose(1, "%zu snapshots over %s, counting regions with nr_accesses >= %" PRIu64, w.n,
		    dur, w.min_accesses);
	if (o->json) {
		wss_json(&w);
		rc = flush_stdout();
	} else {
		rc = wss_table(&w, o->bytes);
	}
out:
	free(w.v);
	return rc;
}
