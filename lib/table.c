// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lister tables through libsmartcols, with the option semantics of lsmem and
 * lscpu so that -J -r -n -o --output-all -b behave as users already expect.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libsmartcols.h>
#include <popt.h>

#include "lib/msg.h"
#include "lib/table.h"

struct table_opts table_opts;

struct poptOption table_popt[] = {
	{ "output", 'o', POPT_ARG_STRING, &table_opts.output, 0,
	  "output columns (\"+LIST\" adds to the defaults)", "LIST" },
	{ "output-all", '\0', POPT_ARG_NONE, &table_opts.output_all, 0, "output all columns",
	  NULL },
	{ "bytes", 'b', POPT_ARG_NONE, &table_opts.bytes, 0,
	  "print sizes in bytes rather than in a human-readable form", NULL },
	{ "noheadings", 'n', POPT_ARG_NONE, &table_opts.noheadings, 0, "don't print headings",
	  NULL },
	{ "raw", 'r', POPT_ARG_NONE, &table_opts.raw, 0, "use the raw output format", NULL },
	POPT_TABLEEND
};

static int find_column(const struct table_col *cols, size_t ncols, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ncols; i++) {
		if (strlen(cols[i].name) == len && strncasecmp(cols[i].name, name, len) == 0)
			return i;
	}
	return -1;
}

static int add_id(struct table *t, int id)
{
	int *ids;

	/* -o may name a column twice, as lsmem allows, so the array grows. */
	ids = realloc(t->ids, (t->nids + 1) * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	t->ids = ids;
	t->ids[t->nids++] = id;
	return 0;
}

static int add_list(struct table *t, const char *list)
{
	const char *p = list, *end;
	size_t len;
	int id, rc;

	for (;;) {
		end = strchrnul(p, ',');
		len = end - p;
		id = find_column(t->cols, t->ncols, p, len);
		if (id < 0) {
			msg_usage_print("unknown column '%.*s'", (int)len, p);
			return -EINVAL;
		}
		rc = add_id(t, id);
		if (rc < 0)
			return rc;
		if (!*end)
			return 0;
		p = end + 1;
	}
}

static int select_columns(struct table *t, const char *defaults)
{
	const char *out = table_opts.output;
	size_t i;
	int rc;

	if (table_opts.output_all) {
		for (i = 0; i < t->ncols; i++) {
			rc = add_id(t, i);
			if (rc < 0)
				return rc;
		}
	} else if ((!out || *out == '+') && defaults) {
		rc = add_list(t, defaults);
		if (rc < 0)
			return rc;
	}
	if (!out)
		return 0;
	if (*out == '+')
		return add_list(t, out + 1);
	t->nids = 0;
	return add_list(t, out);
}

static int add_scols_columns(struct table *t, int json)
{
	const struct table_col *col;
	struct libscols_column *cl;
	size_t i;

	for (i = 0; i < t->nids; i++) {
		col = &t->cols[t->ids[i]];
		cl = scols_table_new_column(t->tb, col->name, col->whint, col->flags);
		if (!cl)
			return -ENOMEM;
		if (json && scols_column_set_json_type(cl, col->json_type) < 0)
			return -EINVAL;
	}
	return 0;
}

int table_init(struct table *t, const struct table_col *cols, size_t ncols, const char *defaults,
	       int json, const char *json_name)
{
	int rc;

	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols;
	/* JSON consumers want numbers they can compute with, not "4K". */
	t->bytes = table_opts.bytes || json;
	rc = select_columns(t, defaults);
	if (rc < 0)
		goto fail;
	rc = -ENOMEM;
	t->tb = scols_new_table();
	if (!t->tb)
		goto fail;
	if (json) {
		scols_table_enable_json(t->tb, 1);
		if (scols_table_set_name(t->tb, json_name) < 0)
			goto fail;
	}
	scols_table_enable_raw(t->tb, table_opts.raw);
	scols_table_enable_noheadings(t->tb, table_opts.noheadings);
	rc = add_scols_columns(t, json);
	if (rc < 0)
		goto fail;
	return 0;
fail:
	table_free(t);
	return rc;
}

int table_has(const struct table *t, int id)
{
	size_t i;

	for (i = 0; i < t->nids; i++) {
		if (t->ids[i] == id)
			return 1;
	}
	return 0;
}

struct libscols_line *table_line(struct table *t)
{
	struct libscols_line *ln = scols_table_new_line(t->tb, NULL);

	if (!ln)
		errno = ENOMEM;
	return ln;
}

static int set_cell(struct table *t, struct libscols_line *ln, int id, const char *data)
{
	size_t i;
	int rc;

	for (i = 0; i < t->nids; i++) {
		if (t->ids[i] != id)
			continue;
		rc = scols_line_set_data(ln, i, data);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int table_set(struct table *t, struct libscols_line *ln, int id, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int rc;

	if (!table_has(t, id))
		return 0;
	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	rc = set_cell(t, ln, id, s);
	free(s);
	return rc;
}

int table_set_u64(struct table *t, struct libscols_line *ln, int id, uint64_t v)
{
	return table_set(t, ln, id, "%" PRIu64, v);
}

/*
 * util-linux's size_to_human_string() without options, so sizes read as in
 * lsmem and lsblk: binary units, one rounded decimal digit, none when it
 * would be zero.  The decimal point is always '.' so scripts can parse it.
 */
void table_size_str(char *buf, size_t size, uint64_t bytes)
{
	static const char letters[] = "BKMGTPE";
	uint64_t dec = bytes, frac = 0;
	int exp = 0;

	while (exp < 60 && bytes >> exp >= 1024)
		exp += 10;
	if (exp) {
		dec = bytes >> exp;
		frac = bytes & ((1ULL << exp) - 1);
		/* Three digits after the point, then rounded to one. */
		if (frac >= UINT64_MAX / 1000)
			frac = ((frac >> 10) * 1000) >> (exp - 10);
		else
			frac = (frac * 1000) >> exp;
		frac = (frac + 50) / 100;
		if (frac == 10) {
			dec++;
			frac = 0;
		}
	}
	/* dec is at most 1024 and frac a single digit: both fit an unsigned int. */
	if (frac)
		snprintf(buf, size, "%u.%u%c", (unsigned int)dec, (unsigned int)frac,
			 letters[exp / 10]);
	else
		snprintf(buf, size, "%u%c", (unsigned int)dec, letters[exp / 10]);
}

int table_set_size(struct table *t, struct libscols_line *ln, int id, uint64_t bytes)
{
	char buf[32];

	if (t->bytes)
		return table_set_u64(t, ln, id, bytes);
	table_size_str(buf, sizeof(buf), bytes);
	return table_set(t, ln, id, "%s", buf);
}

int table_print(struct table *t)
{
	int rc;

	scols_table_set_stream(t->tb, stdout);
	rc = scols_print_table(t->tb);
	if (rc < 0)
		return rc;
	/* The data may sit in stdio's buffer: only a flush shows `> /dev/full`. */
	if (fflush(stdout) != 0)
		return -errno;
	if (ferror(stdout))
		return -EIO;
	return 0;
}

void table_free(struct table *t)
{
	scols_unref_table(t->tb);
	free(t->ids);
	t->tb = NULL;
	t->ids = NULL;
	t->nids = 0;
}

void table_help_columns(FILE *out, const struct table_col *cols, size_t ncols)
{
	size_t i;

	fprintf(out, "\nAvailable output columns:\n");
	for (i = 0; i < ncols; i++)
		fprintf(out, " %12s  %s\n", cols[i].name, cols[i].help);
}
