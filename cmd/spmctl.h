/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the parts of spmctl share: its options, and the commands that live
 * in cmd/spmctl-dax.c (online, offline) and cmd/spmctl-run.c (run, who).
 * cmd/spmctl.c parses the command line, checks it, and calls one of them;
 * each returns an exit status.
 */
#ifndef NUMAKIT_SPMCTL_H
#define NUMAKIT_SPMCTL_H

#include <stdio.h>

#include "lib/opt.h"

struct spm_opts {
	struct opt_common c;
	int spm;			/* online --spm */
	int movable, normal;		/* online --movable / --normal */
	int dry_run;
	const char *nodes_arg;		/* run --nodes=NODES */
	const char *policy_arg;		/* run --policy=bind|preferred|interleave */
	const char **args;		/* args[0] is the command name ("online", "who"...) */
	int nargs;
	char **cmd;			/* run: after -- (NULL-terminated) */
	int ncmd;
};

int spm_cmd_online(const struct spm_opts *o);	/* args[1]: the dax device */
int spm_cmd_offline(const struct spm_opts *o);	/* args[1]: the dax device */
int spm_cmd_run(const struct spm_opts *o);
int spm_cmd_who(const struct spm_opts *o);	/* args[1..]: node lists */
/* who's columns, for --help. */
void spm_who_help_columns(FILE *out);

#endif
