/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NUMAKIT_MSG_H
#define NUMAKIT_MSG_H

#include <stdarg.h>
#include <stdlib.h>

/* Exit statuses shared by every tool (numakit(7), EXIT STATUS). */
enum {
	EXIT_USAGE = 2,		/* usage error or bad input */
	EXIT_PARTIAL = 3,	/* some objects done, some failed */
	EXIT_NOTSUP = 4,	/* the running kernel lacks a feature */
	EXIT_NOEXEC = 126,	/* command found but not executable */
	EXIT_NOTFOUND = 127,	/* command not found */
};

extern int msg_verbosity;

/*
 * Install the stdout check at exit (`> /dev/full` must fail; a reader that
 * went away ends the tool quietly with status 1), and hold a closed stdin,
 * stdout or stderr with /dev/null so that no file opened later takes its
 * number.
 */
void msg_init(void);
/*
 * 1 when writing to stdout has failed or stdout is a pipe whose reader has
 * gone: a loop that prints now and then (a watch) stops there.
 */
int msg_stdout_gone(void);

/* "prog: <fmt>: <strerror(err)>", or without the reason when err is 0. */
void msg_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void msg_warn(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "prog: hint: <fmt>" */
void msg_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Printed only with at least `level` -v. */
void msg_verbose(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The message, then "Try 'prog --help' for more information.". */
void msg_usage_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * msg_usage_print(), worth EXIT_USAGE.  A macro, not a function returning it,
 * so that the static analyzer sees the status: it follows no variadic call
 * and no call into another file, and would assume a caller's
 * `return msg_usage(...)` may return 0 and go on with unset outputs.
 */
#define msg_usage(...) (msg_usage_print(__VA_ARGS__), EXIT_USAGE)
void msg_vprint(const char *prefix, int err, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

void *msg_malloc_or_die(size_t n);
void *msg_calloc_or_die(size_t n, size_t sz);
void *msg_realloc_or_die(void *p, size_t n);
char *msg_strdup_or_die(const char *s);

#endif
