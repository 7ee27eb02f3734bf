// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * numactl's node and CPU list grammar, read by libnuma itself so that a
 * list means here exactly what it means to numactl.  libnuma complains
 * through numa_warn() and numa_error(), which are overridden below: while
 * a nodes_parse*() call runs the text is kept for the caller, at any other
 * time it is printed in our message shape.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numa.h>

#include "lib/msg.h"
#include "lib/nodes.h"

/* numa.h declares it without the attribute; add it so that calls are checked. */
void numa_warn(int num, char *fmt, ...) __attribute__((format(printf, 2, 3)));

static __thread bool capturing;
static __thread char last_error[256];

const char *nodes_last_error(void)
{
	return last_error;
}

static int set_error(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int set_error(int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * libnuma's texts end in "\n" (numa_warn's default adds another), quote
 * `like this' and some start with a capital: bring them to our shape.
 */
static void tidy(char *m)
{
	size_t n = strlen(m);
	char *q;

	while (n && (isspace((unsigned char)m[n - 1]) || m[n - 1] == '.'))
		m[--n] = '\0';
	for (q = m; (q = strchr(q, '`')); q++)
		*q = '\'';
	/* "Cannot read" becomes "cannot read", "NUMA ..." stays. */
	if (isupper((unsigned char)m[0]) && !isupper((unsigned char)m[1]))
		m[0] = (char)tolower((unsigned char)m[0]);
}

void numa_warn(int num, char *fmt, ...)
{
	/* libnuma's default gives each warning once; some come from loops. */
	static unsigned int warned;
	char buf[sizeof(last_error)];
	int olde = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tidy(buf);
	if (capturing) {
		if (!last_error[0])
			set_error(0, "%s", buf);
	} else if (num < 0 || num >= 32 || !(warned & 1U << num)) {
		if (num >= 0 && num < 32)
			warned |= 1U << num;
		msg_warn(0, "%s", buf);
		/* Only if the program asked libnuma for it, as the default does. */
		if (numa_exit_on_warn)
			exit(EXIT_FAILURE);
	}
	errno = olde;
}

void numa_error(char *where)
{
	char buf[sizeof(last_error)];
	int olde = errno;

	snprintf(buf, sizeof(buf), "%s", where);
	tidy(buf);
	if (capturing) {
		if (!last_error[0] && olde)
			set_error(0, "%s: %s", buf, strerror(olde));
		else if (!last_error[0])
			set_error(0, "%s", buf);
	} else {
		msg_err(olde, "%s", buf);
		if (numa_exit_on_error)
			exit(EXIT_FAILURE);
	}
	errno = olde;
}

/* A number libnuma's strtoul() would read: refuse it above INT_MAX. */
static int check_number(const char *p, const char *what)
{
	size_t len = 0;
	unsigned long v;

	while (isalnum((unsigned char)p[len]))
		len++;
	errno = 0;
	v = strtoul(p, NULL, 0);
	if (errno == ERANGE || v > INT_MAX)
		return set_error(-EINVAL, "%s argument %.*s is out of range", what, (int)len, p);
	return 0;
}

/*
 * Past the leading "!" and "+" markers a '+' can only be a sign, and so is
 * a '-' that does not follow a number.
 */
static bool is_sign(const char *p, const char *body)
{
	if (p < body)
		return false;
	if (*p == '+')
		return true;
	return *p == '-' && (p == body || !isalnum((unsigned char)p[-1]));
}

/*
 * libnuma reads numbers with strtoul(), which skips blanks, takes a sign
 * and wraps past 2^32 when libnuma stores the result in an int: " 0" is
 * node 0, so is "4294967296", and where node 1 exists "0--4294967295"
 * becomes a range that loops 2^64 times.
 * Refuse those shapes before libnuma sees them; the grammar stays
 * libnuma's.
 */
static int precheck(const char *s, const char *what)
{
	const char *body = s + (*s == '!'), *p;
	int rc;

	body += *body == '+';
	if (!*s)
		return set_error(-EINVAL, "empty list");
	/* "all", or a device such as "netdev:eth0": libnuma's alone. */
	if (isalpha((unsigned char)*body))
		return 0;
	for (p = s; *p; p++) {
		if (isspace((unsigned char)*p))
			return set_error(-EINVAL, "unexpected blank");
		if (is_sign(p, body))
			return set_error(-EINVAL, "unexpected sign '%c'", *p);
		if (isdigit((unsigned char)*p) && (p == s || !isalnum((unsigned char)p[-1]))) {
			rc = check_number(p, what);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int parse_list(const char *s, struct bitmask **out, const char *what,
		      struct bitmask *(*parse)(const char *))
{
	struct bitmask *bm;
	int rc;

	last_error[0] = '\0';
	if (!s || !out)
		return set_error(-EINVAL, "no list");
	if (numa_available() < 0)
		return set_error(-ENOSYS, "the kernel has no NUMA support");
	rc = precheck(s, what);
	if (rc)
		return rc;
	capturing = true;
	bm = parse(s);
	capturing = false;
	/* libnuma says nothing when a number is followed by junk ("0x", "1a"). */
	if (!bm && !last_error[0])
		set_error(0, "unexpected character after a %s number", what);
	if (!bm)
		return -EINVAL;
	if (!numa_bitmask_weight(bm)) {
		numa_bitmask_free(bm);
		return set_error(-EINVAL, "no %s selected", what);
	}
	*out = bm;
	return 0;
}

int nodes_parse(const char *s, struct bitmask **out)
{
	return parse_list(s, out, "node", numa_parse_nodestring);
}

int nodes_parse_all(const char *s, struct bitmask **out)
{
	return parse_list(s, out, "node", numa_parse_nodestring_all);
}

int nodes_parse_cpus(const char *s, struct bitmask **out)
{
	return parse_list(s, out, "cpu", numa_parse_cpustring);
}
