// SPDX-License-Identifier: GPL-2.0-or-later
/* One popt wrapper so every tool has the same standard options and errors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/msg.h"
#include "lib/opt.h"
#include "lib/sysroot.h"

enum { OPT_HELP = 0x7f01, OPT_VERSION, OPT_STRING0 = 0x7100, OPT_STRING_MAX = 256 };

/*
 * popt stores a fresh copy of a POPT_ARG_STRING argument each time the
 * option is given and never frees the one it replaces, so `--name x --name
 * y` leaked "x".  Parsing runs on a copy of the option tables in which each
 * such option returns a value of ours; the copy popt stored before is then
 * freed.  The first value seen is the tool's default (maybe a literal) and
 * is never freed; the last copy stays with the tool until opt_free().
 */
struct str_slot {
	const char **arg;
	const char *ours;	/* the copy popt stored last, NULL before the first */
};

static struct str_slot str_slots[OPT_STRING_MAX];
static int nstr_slots;
static struct poptOption *table_copies[64];
static int ntable_copies;
/* POPT_ARG_ARGV options: popt grows one array per option, the tool's to free. */
static char ***argv_args[OPT_STRING_MAX];
static int nargv_args;

static int has_callback(const struct poptOption *t)
{
	for (; t->longName || t->shortName || t->argInfo; t++)
		if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_CALLBACK)
			return 1;
	return 0;
}

/* A heap copy of t and of every table it includes, with string options marked. */
static struct poptOption *copy_table(const struct poptOption *t)
{
	struct poptOption *c, *o;
	size_t n = 0;
	int cb = has_callback(t);

	while (t[n].longName || t[n].shortName || t[n].argInfo)
		n++;
	if (ntable_copies == (int)(sizeof(table_copies) / sizeof(table_copies[0]))) {
		msg_err(ENOMEM, "parsing options: too many option tables");
		exit(EXIT_FAILURE);
	}
	c = msg_calloc_or_die(n + 1, sizeof(*c));
	table_copies[ntable_copies++] = c;
	memcpy(c, t, (n + 1) * sizeof(*c));
	for (o = c; o < c + n; o++) {
		if ((o->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE && o->arg)
			o->arg = copy_table(o->arg);
		/* A callback table's callback sees val: leave its options alone. */
		else if ((o->argInfo & POPT_ARG_MASK) == POPT_ARG_STRING && o->arg && !o->val &&
			 !cb && nstr_slots < OPT_STRING_MAX) {
			str_slots[nstr_slots].arg = o->arg;
			str_slots[nstr_slots].ours = NULL;
			o->val = OPT_STRING0 + nstr_slots++;
		} else if ((o->argInfo & POPT_ARG_MASK) == POPT_ARG_ARGV && o->arg &&
			   nargv_args < OPT_STRING_MAX) {
			argv_args[nargv_args++] = o->arg;
		}
	}
	return c;
}

/* Option slot i was just stored: free popt's previous copy of it. */
static void string_stored(int i)
{
	struct str_slot *s = &str_slots[i];

	free((void *)s->ours);
	s->ours = *s->arg;
}

static void print_help(poptContext pc, const struct opt_spec *spec)
{
	char *text = NULL, *body;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	printf("Usage: %s [options] %s\n", program_invocation_short_name, spec->args ? spec->args : "");
	if (spec->summary)
		printf("\n%s\n", spec->summary);
	printf("\n");
	/* popt's own usage line is replaced by ours above. */
	if (mem) {
		poptPrintHelp(pc, mem, 0);
		fclose(mem);
		body = strchr(text, '\n');
		fputs(body ? body + 1 : text, stdout);
		free(text);
	}
	if (spec->help_extra)
		spec->help_extra(stdout);
	printf("\nSee %s(%d) for more.\n", program_invocation_short_name,
	       spec->man_section ? spec->man_section : 1);
}

static int popt_failure(poptContext pc, int rc)
{
	const char *bad = poptBadOption(pc, POPT_BADOPTION_NOALIAS);

	switch (rc) {
	case POPT_ERROR_BADOPT:
		return msg_usage("unrecognized option '%s'", bad);
	case POPT_ERROR_NOARG:
		return msg_usage("option '%s' requires an argument", bad);
	case POPT_ERROR_UNWANTEDARG:
		return msg_usage("option '%s' doesn't allow an argument", bad);
	default:
		return msg_usage("option '%s': %s", bad, poptStrerror(rc));
	}
}

poptContext opt_parse_or_die(int argc, char **argv, const struct opt_spec *spec,
			     struct opt_common *common, const char ***args, int *nargs)
{
	static const char *none[] = { NULL };
	struct poptOption std_json[] = {
		{ "json", 'J', POPT_ARG_NONE, &common->json, 0, "use JSON output", NULL },
		POPT_TABLEEND
	};
	struct poptOption std[] = {
		{ "verbose", 'v', POPT_ARG_NONE | POPT_ARGFLAG_OR, NULL, 'v',
		  "say more about what is done (repeat for more)", NULL },
		{ "sysroot", '\0', POPT_ARG_STRING, &common->sysroot, 0,
		  "read /proc and /sys below DIR", "DIR" },
		{ "help", 'h', POPT_ARG_NONE, NULL, OPT_HELP, "display this help", NULL },
		{ "version", 'V', POPT_ARG_NONE, NULL, OPT_VERSION, "display version", NULL },
		POPT_TABLEEND
	};
	struct poptOption table[] = {
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, (void *)spec->options, 0, NULL, NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, std_json, 0, NULL, NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, std, 0, "Common options:", NULL },
		POPT_TABLEEND
	};
	unsigned int flags = spec->stop_at_first_arg ? POPT_CONTEXT_POSIXMEHARDER : 0;
	struct poptOption *parse_table;
	poptContext pc;
	const char **rest;
	int rc, n = 0;

	if (spec->no_json)
		table[1] = table[2], table[2] = (struct poptOption)POPT_TABLEEND;
	parse_table = copy_table(table);
	pc = poptGetContext(NULL, argc, (const char **)argv, parse_table, flags);
	if (!pc) {
		msg_err(ENOMEM, "parsing options");
		exit(EXIT_FAILURE);
	}
	while ((rc = poptGetNextOpt(pc)) > 0) {
		switch (rc) {
		case 'v':
			common->verbose++;
			break;
		case OPT_HELP:
			print_help(pc, spec);
			poptFreeContext(pc);
			exit(EXIT_SUCCESS);
		case OPT_VERSION:
			printf("%s (numakit) %s\n", program_invocation_short_name, NUMAKIT_VERSION);
			poptFreeContext(pc);
			exit(EXIT_SUCCESS);
		default:
			if (rc >= OPT_STRING0 && rc < OPT_STRING0 + nstr_slots)
				string_stored(rc - OPT_STRING0);
			break;
		}
	}
	if (rc != -1)
		exit(popt_failure(pc, rc));
	msg_verbosity = common->verbose;
	if (common->sysroot && sysroot_set(common->sysroot) < 0) {
		msg_err(errno, "cannot use sysroot '%s'", common->sysroot);
		exit(EXIT_USAGE);
	}
	/* popt's copy: lib/sysroot keeps its own, which sysroot_get() returns. */
	free((char *)common->sysroot);
	common->sysroot = NULL;
	rest = poptGetArgs(pc);
	if (!rest)
		rest = none;
	while (rest[n])
		n++;
	*args = rest;
	*nargs = n;
	return pc;
}

void opt_free(poptContext pc)
{
	int i;

	poptFreeContext(pc);
	/*
	 * The last copy of each string option, which the tool is done with
	 * (opt_free ends main).  One the tool freed or replaced is not ours.
	 */
	for (i = 0; i < nstr_slots; i++)
		if (str_slots[i].ours && *str_slots[i].arg == str_slots[i].ours) {
			free((void *)str_slots[i].ours);
			*str_slots[i].arg = NULL;
		}
	while (nargv_args > 0) {
		char ***argv = argv_args[--nargv_args], **a;

		for (a = *argv; a && *a; a++)
			free(*a);
		free(*argv);
		*argv = NULL;
	}
	while (ntable_copies > 0)
		free(table_copies[--ntable_copies]);
	nstr_slots = 0;
	sysroot_reset();
}

int opt_split_command(int argc, char **argv, char ***cmd, int *ncmd)
{
	int i;

	*cmd = NULL;
	*ncmd = 0;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			*cmd = argv + i + 1;
			*ncmd = argc - i - 1;
			return i;
		}
	return argc;
}
