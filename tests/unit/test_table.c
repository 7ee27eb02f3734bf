// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/sysroot.h"
#include "lib/table.h"
#include "tests/unit/unit.h"

enum { COL_NODE, COL_SIZE, COL_KIND, COL_CPUS };

static const struct table_col cols[] = {
	[COL_NODE] = { "NODE", 0, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "node number" },
	[COL_SIZE] = { "SIZE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "memory size" },
	[COL_KIND] = { "KIND", 0, 0, SCOLS_JSON_STRING, "kind of node" },
	[COL_CPUS] = { "CPUS", 0, 0, SCOLS_JSON_STRING, "cpu list" },
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

static void reset_opts(void)
{
	memset(&table_opts, 0, sizeof(table_opts));
}

/* Run fn with fd `which` (1 or 2) redirected to a file; returns what it wrote. */
static char *capture(int which, int (*fn)(void *), void *arg, int *rc)
{
	FILE *f = which == 1 ? stdout : stderr;
	char path[] = "/tmp/test_table.XXXXXX";
	int fd, saved;
	char *buf = NULL;

	/* Never a status fn can return: a test that could not run fails its CHECK. */
	*rc = INT_MIN;
	fflush(f);
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	unlink(path);
	saved = dup(which);
	dup2(fd, which);
	*rc = fn(arg);
	fflush(f);
	dup2(saved, which);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	if (sysroot_read_fd(fd, &buf) < 0)
		buf = NULL;
	close(fd);
	return buf;
}

struct init_args {
	struct table *t;
	const char *defaults;
	int json;
};

static int do_init(void *arg)
{
	struct init_args *a = arg;

	return table_init(a->t, cols, NCOLS, a->defaults, a->json, "nodes");
}

/* The selected ids as "0,2,1", or an error number as "E22". */
static char *selection(const char *output, int output_all)
{
	static char buf[128];
	struct table t;
	size_t i, off = 0;
	int rc;

	reset_opts();
	table_opts.output = output;
	table_opts.output_all = output_all;
	rc = table_init(&t, cols, NCOLS, "NODE,SIZE", 0, "nodes");
	if (rc < 0) {
		snprintf(buf, sizeof(buf), "E%d", -rc);
		return buf;
	}
	buf[0] = '\0';
	for (i = 0; i < t.nids; i++)
		off += snprintf(buf + off, sizeof(buf) - off, "%s%d", i ? "," : "", t.ids[i]);
	table_free(&t);
	return buf;
}

static void test_selection(void)
{
	struct init_args a;
	struct table t;
	char *err;
	int rc;

	CHECK_STR(selection(NULL, 0), "0,1", "defaults when no -o");
	CHECK_STR(selection("kind,node", 0), "2,0", "-o replaces the defaults, in its order");
	CHECK_STR(selection("+KIND", 0), "0,1,2", "-o +LIST appends to the defaults");
	CHECK_STR(selection("+cpus,Kind", 0), "0,1,3,2", "-o +LIST with several columns");
	CHECK_STR(selection("sIzE", 0), "1", "column names are case-insensitive");
	CHECK_STR(selection("NODE,NODE", 0), "0,0", "a column may be named twice");
	CHECK_STR(selection(NULL, 1), "0,1,2,3", "--output-all selects every column");
	CHECK_STR(selection("+CPUS", 1), "0,1,2,3,3", "--output-all with +LIST appends");
	CHECK_STR(selection("FOO", 0), "E22", "unknown column is -EINVAL");
	CHECK_STR(selection("+NODE,BAR", 0), "E22", "unknown column in +LIST is -EINVAL");
	CHECK_STR(selection("NODE,", 0), "E22", "empty column name is -EINVAL");

	reset_opts();
	table_opts.output = "node,frob";
	a = (struct init_args){ &t, "NODE", 0 };
	err = capture(2, do_init, &a, &rc);
	CHECK(rc == -EINVAL, "table_init fails on 'frob'");
	CHECK_STR(err,
		  "test_table: unknown column 'frob'\n"
		  "Try 'test_table --help' for more information.\n",
		  "unknown column message and hint");
	free(err);
	table_free(&t);

	reset_opts();
	table_opts.output = "kind";
	rc = table_init(&t, cols, NCOLS, "NODE,SIZE", 0, "nodes");
	CHECK(rc == 0 && table_has(&t, COL_KIND) && !table_has(&t, COL_NODE),
	      "table_has follows the selection");
	table_free(&t);
	table_free(&t);
	CHECK(t.tb == NULL && t.ids == NULL, "table_free twice is harmless");
}

struct size_args {
	uint64_t bytes;
	int json;
};

static int do_size(void *arg)
{
	struct size_args *a = arg;
	struct libscols_line *ln;
	struct table t;
	int rc;

	rc = table_init(&t, cols, NCOLS, "SIZE", a->json, "nodes");
	if (rc < 0)
		return rc;
	ln = table_line(&t);
	rc = ln ? table_set_size(&t, ln, COL_SIZE, a->bytes) : -errno;
	if (!rc)
		rc = table_print(&t);
	table_free(&t);
	return rc;
}

static char *size_str(uint64_t bytes, int raw_bytes)
{
	static char buf[64];
	struct size_args a = { bytes, 0 };
	char *out;
	int rc;

	reset_opts();
	table_opts.raw = 1;
	table_opts.noheadings = 1;
	table_opts.bytes = raw_bytes;
	out = capture(1, do_size, &a, &rc);
	snprintf(buf, sizeof(buf), "%s", rc == 0 && out ? out : "(error)");
	buf[strcspn(buf, "\n")] = '\0';
	free(out);
	return buf;
}

static void test_sizes(void)
{
	CHECK_STR(size_str(0, 0), "0B", "0 bytes");
	CHECK_STR(size_str(1023, 0), "1023B", "below 1K stays in bytes");
	CHECK_STR(size_str(4096, 0), "4K", "4096 is 4K");
	CHECK_STR(size_str(1536ULL * 1024, 0), "1.5M", "1.5M");
	CHECK_STR(size_str(128ULL << 20, 0), "128M", "a memory block is 128M");
	CHECK_STR(size_str(1ULL << 60, 0), "1E", "exbibytes, the last unit");
	CHECK_STR(size_str(UINT64_MAX, 0), "16E", "the largest size rounds up to 16E");
	CHECK_STR(size_str((10ULL << 30) + (512ULL << 20), 0), "10.5G",
		  "one decimal as util-linux, also above 10");
	CHECK_STR(size_str((1ULL << 20) - 1, 0), "1024K", "rounding up carries like util-linux");
	CHECK_STR(size_str(1126ULL, 0), "1.1K", "1126 bytes rounds to 1.1K");
	CHECK_STR(size_str(3ULL << 40, 0), "3T", "terabytes");
	CHECK_STR(size_str(UINT64_MAX, 0), "16E", "the largest size");
	CHECK_STR(size_str(4096, 1), "4096", "-b prints bytes");
}

static int do_json(void *arg)
{
	struct libscols_line *ln;
	struct table t;
	int rc;

	reset_opts();
	table_opts.output = "+KIND,CPUS";
	rc = table_init(&t, cols, NCOLS, "NODE,SIZE", 1, "nodes");
	if (rc < 0)
		return rc;
	ln = table_line(&t);
	if (!ln)
		return -ENOMEM;
	table_set_u64(&t, ln, COL_NODE, 1);
	table_set_size(&t, ln, COL_SIZE, 4096);
	table_set(&t, ln, COL_KIND, "%s", "spm");
	table_set(&t, ln, COL_CPUS, "%s", "0-3 \"x\"");
	rc = table_print(&t);
	table_free(&t);
	return rc;
}

static void test_json(void)
{
	json_object *root, *arr = NULL, *row = NULL, *v;
	char *out;
	int rc;

	out = capture(1, do_json, NULL, &rc);
	CHECK(rc == 0 && out, "JSON table printed");
	root = out ? json_tokener_parse(out) : NULL;
	CHECK(root != NULL, "output is valid JSON");
	CHECK(json_object_object_get_ex(root, "nodes", &arr) &&
		      json_object_is_type(arr, json_type_array) &&
		      json_object_array_length(arr) == 1,
	      "array named after json_name with one row");
	if (arr && json_object_is_type(arr, json_type_array))
		row = json_object_array_get_idx(arr, 0);
	CHECK(row && json_object_object_get_ex(row, "node", &v) &&
		      json_object_is_type(v, json_type_int) && json_object_get_int(v) == 1,
	      "lower-case key 'node' is a number");
	CHECK(row && json_object_object_get_ex(row, "size", &v) &&
		      json_object_is_type(v, json_type_int) && json_object_get_int64(v) == 4096,
	      "size is raw bytes in JSON");
	CHECK(row && json_object_object_get_ex(row, "kind", &v) &&
		      json_object_is_type(v, json_type_string) &&
		      !strcmp(json_object_get_string(v), "spm"),
	      "kind is a string");
	CHECK(row && json_object_object_get_ex(row, "cpus", &v) &&
		      !strcmp(json_object_get_string(v), "0-3 \"x\""),
	      "strings are escaped");
	json_object_put(root);
	free(out);
}

static int do_rows(void *arg)
{
	struct libscols_line *ln;
	struct table t;
	int rc;

	rc = table_init(&t, cols, NCOLS, "NODE,KIND,SIZE", 0, "nodes");
	if (rc < 0)
		return rc;
	ln = table_line(&t);
	table_set_u64(&t, ln, COL_NODE, 0);
	table_set(&t, ln, COL_KIND, "sysram");
	table_set_size(&t, ln, COL_SIZE, 2ULL << 30);
	table_set(&t, ln, COL_CPUS, "ignored: %d", 1);
	ln = table_line(&t);
	table_set_u64(&t, ln, COL_NODE, 12);
	table_set(&t, ln, COL_KIND, "spm node");
	table_set_size(&t, ln, COL_SIZE, 64ULL << 30);
	rc = table_print(&t);
	table_free(&t);
	return rc;
}

static void test_modes(void)
{
	char *out;
	int rc;

	reset_opts();
	out = capture(1, do_rows, NULL, &rc);
	CHECK(rc == 0, "default table printed");
	CHECK_STR(out,
		  "NODE KIND     SIZE\n"
		  "   0 sysram     2G\n"
		  "  12 spm node  64G\n",
		  "default output aligned with headings");
	free(out);

	reset_opts();
	table_opts.raw = 1;
	out = capture(1, do_rows, NULL, &rc);
	CHECK_STR(out, "NODE KIND SIZE\n0 sysram 2G\n12 spm\\x20node 64G\n",
		  "raw output, blanks escaped");
	free(out);

	reset_opts();
	table_opts.raw = 1;
	table_opts.noheadings = 1;
	table_opts.bytes = 1;
	out = capture(1, do_rows, NULL, &rc);
	CHECK_STR(out, "0 sysram 2147483648\n12 spm\\x20node 68719476736\n",
		  "raw, noheadings, bytes");
	free(out);

	reset_opts();
	table_opts.noheadings = 1;
	table_opts.output = "size";
	out = capture(1, do_rows, NULL, &rc);
	CHECK_STR(out, "  2G\n 64G\n", "noheadings with -o");
	free(out);
}

static int do_full(void *arg)
{
	int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return 1;
	dup2(fd, 1);
	close(fd);
	reset_opts();
	rc = do_rows(NULL);
	/* Drop what could not be written, so it does not reach the real stdout. */
	__fpurge(stdout);
	clearerr(stdout);
	return rc;
}

static int do_help(void *arg)
{
	table_help_columns(stdout, cols, 2);
	return 0;
}

static void test_misc(void)
{
	char *out;
	int rc;

	out = capture(1, do_full, NULL, &rc);
	CHECK(rc == -ENOSPC, "table_print reports a write error (%d)", rc);
	free(out);

	out = capture(1, do_help, NULL, &rc);
	CHECK_STR(out,
		  "\nAvailable output columns:\n"
		  "         NODE  node number\n"
		  "         SIZE  memory size\n",
		  "help lists the columns");
	free(out);
}

static void test_popt(void)
{
	const char *argv[] = { "x", "-rnb", "--output-all", "-o", "+KIND", NULL };
	struct poptOption opts[] = {
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, table_popt, 0, NULL, NULL }, POPT_TABLEEND
	};
	poptContext pc;
	int rc;

	reset_opts();
	pc = poptGetContext(NULL, 5, argv, opts, 0);
	while ((rc = poptGetNextOpt(pc)) > 0)
		;
	CHECK(rc == -1 && table_opts.raw && table_opts.noheadings && table_opts.bytes &&
		      table_opts.output_all && table_opts.output &&
		      !strcmp(table_opts.output, "+KIND"),
	      "table_popt fills table_opts through POPT_ARG_INCLUDE_TABLE");
	free((char *)table_opts.output);
	poptFreeContext(pc);
	reset_opts();
}

int main(void)
{
	test_selection();
	test_sizes();
	test_json();
	test_modes();
	test_misc();
	test_popt();
	return unit_done();
}
