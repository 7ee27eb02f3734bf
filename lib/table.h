/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NUMAKIT_TABLE_H
#define NUMAKIT_TABLE_H

#include <libsmartcols.h>
#include <popt.h>
#include <stdint.h>
#include <stdio.h>

/* A column, described once: its name, help text and rendering hints. */
struct table_col {
	const char *name;	/* "START": upper case; JSON key is the lower-cased name */
	double whint;		/* width hint for scols_table_new_column() */
	int flags;		/* SCOLS_FL_* */
	int json_type;		/* SCOLS_JSON_* */
	const char *help;	/* one line for --help */
};

/* The lister options every table tool shares: -r -n -o --output-all -b. */
struct table_opts {
	int raw;
	int noheadings;
	int bytes;
	int output_all;
	const char *output;	/* "-o LIST"; "+LIST" appends to the defaults */
};

extern struct table_opts table_opts;
/* Include in a tool's popt table with POPT_ARG_INCLUDE_TABLE; fills table_opts. */
extern struct poptOption table_popt[];

struct table {
	struct libscols_table *tb;
	const struct table_col *cols;
	size_t ncols;
	int *ids;		/* selected column indexes into cols, in output order */
	size_t nids;
	int bytes;
};

/*
 * Select columns: `defaults` is a comma-separated list of column names used
 * when table_opts.output is NULL or starts with '+'; --output-all selects
 * every column.  Column names are case-insensitive.  An unknown name prints
 * "prog: unknown column 'X'" plus the --help hint and returns -EINVAL.
 * json: render JSON through libsmartcols with `json_name` as the array name.
 * On failure t holds nothing and table_free() is still safe.  An empty or
 * unset cell is null in JSON.
 */
int table_init(struct table *t, const struct table_col *cols, size_t ncols,
	       const char *defaults, int json, const char *json_name);
/* Like table_init's selection only: 1 if column `id` is selected. */
int table_has(const struct table *t, int id);
struct libscols_line *table_line(struct table *t);
/* Set the cell for column id (ignored when that column is not selected). */
int table_set(struct table *t, struct libscols_line *ln, int id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int table_set_u64(struct table *t, struct libscols_line *ln, int id, uint64_t v);
/* A size: "4K"-style unless -b or JSON, where it is raw bytes. */
/* "4K", "1.5G": util-linux's size_to_human_string(), for text outside tables too. */
void table_size_str(char *buf, size_t size, uint64_t bytes);
int table_set_size(struct table *t, struct libscols_line *ln, int id, uint64_t bytes);
/*
 * Print to stdout and flush it; 0 or -errno (-ENOSPC for `> /dev/full`).
 * stdout keeps its error flag, so msg_init()'s exit check reports it too.
 */
int table_print(struct table *t);
void table_free(struct table *t);

/* "Available output columns:" and one line per column, for --help. */
void table_help_columns(FILE *out, const struct table_col *cols, size_t ncols);

#endif
