/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the test programs of this directory share.  Each is built from its
 * one .c file (no library), so these are static inline.
 */
#ifndef NUMAKIT_WORKLOAD_H
#define NUMAKIT_WORKLOAD_H

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
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

/* Parse "N[KMG]" (powers of 1024): bytes, a multiple of the page size; exit 2 otherwise. */
static inline size_t parse_size(const char *opt, const char *s)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		errx(2, "invalid %s '%s': expected a number of bytes, with K, M or G", opt, s);
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		errx(2, "invalid %s '%s': too large", opt, s);
	switch (*end) {
	case '\0':
		break;
	case 'K':
	case 'k':
		shift = 10;
		end++;
		break;
	case 'M':
	case 'm':
		shift = 20;
		end++;
		break;
	case 'G':
	case 'g':
		shift = 30;
		end++;
		break;
	default:
		errx(2, "invalid %s '%s': expected a number of bytes, with K, M or G", opt, s);
	}
	if (*end)
		errx(2, "invalid %s '%s': expected a number of bytes, with K, M or G", opt, s);
	if (v > (SIZE_MAX >> shift))
		errx(2, "invalid %s '%s': too large", opt, s);
	v <<= shift;
	if (v % page)
		errx(2, "invalid %s '%s': not a multiple of the page size (%zu)", opt, s,
		     page);
	return v;
}

/* A decimal number in [min, max] for option opt, or exit 2. */
static inline long parse_long(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		errx(2, "invalid %s '%s': expected %ld to %ld", opt, s, min, max);
	return v;
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
