/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the test programs of this directory share.  Each is built from its
 * one .c file (no library), so these are static inline.
 */
#ifndef NUMAKIT_WORKLOAD_H
#define NUMAKIT_WORKLOAD_H

#include <err.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#endif
#ifndef PR_SET_VMA_ANON_NAME
#define PR_SET_VMA_ANON_NAME 0
#endif

/* Write CONTENT to PATH so that PATH appears complete or not at all. */
static inline void write_atomic(const char *path, const char *content)
{
	char tmp[PATH_MAX];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		errx(1, "path too long '%s'", path);
	f = fopen(tmp, "w");
	if (!f)
		err(1, "cannot create '%s'", tmp);
	fputs(content, f);
	if (fclose(f))
		err(1, "cannot write '%s'", tmp);
	if (rename(tmp, path))
		err(1, "cannot rename '%s'", tmp);
}

/* A test's processes must never outlive it: SIGTERM when the parent dies. */
static inline void watch_parent(void)
{
	pid_t parent = getppid();

	if (prctl(PR_SET_PDEATHSIG, SIGTERM))
		err(1, "prctl PR_SET_PDEATHSIG");
	/* The parent may have died before the prctl. */
	if (getppid() != parent)
		exit(0);
}

#endif
