/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A tiny TAP harness for the C unit tests of lib/: each CHECK is one TAP
 * test point; tests/run counts them with the bats results.
 */
#ifndef NUMAKIT_UNIT_H
#define NUMAKIT_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_n, unit_failed;

#define CHECK(cond, ...)						\
	do {								\
		int ok_ = !!(cond);					\
		unit_n++;						\
		if (ok_) {						\
			printf("ok %d - ", unit_n);			\
		} else {						\
			unit_failed++;					\
			printf("not ok %d - ", unit_n);			\
		}							\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		if (!ok_)						\
			printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} while (0)

#define CHECK_STR(got, want, ...)					\
	do {								\
		const char *g_ = (got), *w_ = (want);			\
		int eq_ = g_ && w_ && strcmp(g_, w_) == 0;		\
		CHECK(eq_, __VA_ARGS__);				\
		if (!eq_)						\
			printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)", w_); \
	} while (0)

/* Call last in main(): prints the plan and returns the exit status. */
static inline int unit_done(void)
{
	printf("1..%d\n", unit_n);
	/* A leak report ends the process before stdio would flush. */
	fflush(stdout);
	return unit_failed ? 1 : 0;
}

#endif
