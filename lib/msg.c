// SPDX-License-Identifier: GPL-2.0-or-later
/* Messages in one shape: "prog: what failed 'object': reason". */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
	/*
	 * A reader that went away (`| head -1`) is no news to the user: with
	 * SIGPIPE ignored the tool ends as quietly as SIGPIPE would end it.
	 */
	if (err == EPIPE)
		_exit(EXIT_FAILURE);
	if (err) {
		msg_err(err, "write error");
		_exit(EXIT_FAILURE);
	}
	if (fflush(stderr) != 0 && errno != EBADF)
		_exit(EXIT_FAILURE);
}

/*
 * A closed stdin, stdout or stderr would be the number of the next file
 * opened: data meant for stdout would go into a pidfd, a /proc or a sysfs
 * file.  Hold each with /dev/null opened the wrong way round, so that a
 * write to stdout fails (EBADF) and is reported as a write error, and a
 * read of stdin fails rather than looking empty.
 */
static void hold_std_fds(void)
{
	int fd, n;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		n = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
}

void msg_init(void)
{
	hold_std_fds();
	atexit(close_stdout);
}

int msg_stdout_gone(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO };

	if (ferror(stdout))
		return 1;
	/* A pipe without readers polls as an error, before anything is written. */
	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
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
