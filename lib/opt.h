/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NUMAKIT_OPT_H
#define NUMAKIT_OPT_H

#include <popt.h>
#include <stdio.h>

/* The options every tool has. */
struct opt_common {
	int json;
	int verbose;
	const char *sysroot;
};

struct opt_spec {
	const struct poptOption *options;	/* the tool's own, POPT_TABLEEND-terminated */
	const char *args;			/* e.g. "[PID...]" */
	const char *summary;			/* one line shown under the usage line */
	void (*help_extra)(FILE *out);		/* printed after the options, or NULL */
	int stop_at_first_arg;			/* exec wrappers: options end at the command */
	int no_json;				/* the tool has no JSON output */
	int man_section;			/* 1 unless the page is in section 8 */
};

/*
 * Parse argv.  --help and --version print to stdout and exit 0; a bad option
 * prints two lines to stderr and exits EXIT_USAGE.  On return the positional
 * arguments are in *args (NULL-terminated, never NULL) and *nargs; the popt
 * context must be released with opt_free().
 */
poptContext opt_parse_or_die(int argc, char **argv, const struct opt_spec *spec,
			     struct opt_common *common, const char ***args, int *nargs);
void opt_free(poptContext pc);

/*
 * For tools that run a command after their options: everything after the
 * first "--" is the command (*cmd, *ncmd; NULL and 0 without "--").
 * Returns how many arguments come before it, for opt_parse_or_die().
 */
int opt_split_command(int argc, char **argv, char ***cmd, int *ncmd);

#endif
