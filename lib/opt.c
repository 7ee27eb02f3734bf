// SPDX-License-Identifier: GPL-2.0-or-later
/* One popt wrapper so every tool has the same standard options and errors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/msg.h"
#include "lib/opt.h"
#include "lib/sysroot.h"

enum { OPT_HELP = 0x7f01, OPT_VERSION };

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
	poptContext pc;
	const char **rest;
	int rc, n = 0;

	if (spec->no_json)
		table[1] = table[2], table[2] = (struct poptOption)POPT_TABLEEND;
	pc = poptGetContext(NULL, argc, (const char **)argv, table, flags);
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
	poptFreeContext(pc);
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
