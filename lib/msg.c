// SPDX-License-Identifier: GPL-2.0-or-later
/* Messages in one shape: "prog: what failed 'object': reason". */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/msg.h"

int msg_verbosity;

static void close_stdout(void)
{
	int err = 0;

	if (ferror(stdout))
		err = errno ? errno : EIO;
	if (fflush(stdout) != 0 && !err)
		err = errno;
	if (fclose(stdout) != 0 && !err && errno != EBADF)
		err = errno;
	if (err) {
		msg_err(err, "write error");
		_exit(EXIT_FAILURE);
	}
	if (fflush(stderr) != 0 && errno != EBADF)
		_exit(EXIT_FAILURE);
}

void msg_init(void)
{
	atexit(close_stdout);
}

void msg_vprint(const char *prefix, int err, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", program_invocation_short_name, prefix);
	vfprintf(stderr, fmt, ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
}

void msg_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vprint("", err, fmt, ap);
	va_end(ap);
}

void msg_warn(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vprint("warning: ", err, fmt, ap);
	va_end(ap);
}

void msg_hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vprint("hint: ", 0, fmt, ap);
	va_end(ap);
}

void msg_verbose(int level, const char *fmt, ...)
{
	va_list ap;

	if (msg_verbosity < level)
		return;
	va_start(ap, fmt);
	msg_vprint("", 0, fmt, ap);
	va_end(ap);
}

void msg_usage_print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vprint("", 0, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", program_invocation_short_name);
}

static void *check_alloc(void *p)
{
	if (!p) {
		msg_err(ENOMEM, "out of memory");
		exit(EXIT_FAILURE);
	}
	return p;
}

void *msg_malloc_or_die(size_t n)
{
	return check_alloc(malloc(n ? n : 1));
}

void *msg_calloc_or_die(size_t n, size_t sz)
{
	return check_alloc(calloc(n ? n : 1, sz ? sz : 1));
}

void *msg_realloc_or_die(void *p, size_t n)
{
	return check_alloc(realloc(p, n ? n : 1));
}

char *msg_strdup_or_die(const char *s)
{
	return check_alloc(strdup(s));
}
