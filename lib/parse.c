// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Strict number parsers.  Digits are read by hand rather than with
 * strtoull(), which skips leading blanks, accepts a sign even for an
 * unsigned value and would read "010" as octal.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "lib/parse.h"

#define PID_MAX_LIMIT 4194304

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Read a run of digits and leave *sp after it.  On overflow the run is
 * still consumed, so that callers can report trailing junk (-EINVAL) in
 * preference to -ERANGE.
 */
static int scan_digits(const char **sp, unsigned int base, uint64_t *val)
{
	const char *s = *sp;
	bool over = false;
	uint64_t v = 0;
	int d;

	for (; (d = digit_value(*s)) >= 0 && (unsigned int)d < base; s++) {
		if (v > (UINT64_MAX - d) / base)
			over = true;
		v = v * base + d;
	}
	if (s == *sp)
		return -EINVAL;
	*sp = s;
	*val = v;
	return over ? -ERANGE : 0;
}

/* base 0: decimal or 0x hex; 16: hex, 0x optional; 10: decimal only. */
static int scan_u64(const char **sp, unsigned int base, uint64_t *val)
{
	const char *s = *sp;

	if (base != 10 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		*sp = s + 2;
		return scan_digits(sp, 16, val);
	}
	return scan_digits(sp, base ? base : 10, val);
}

static int whole_u64(const char *s, unsigned int base, uint64_t *val, uint64_t min, uint64_t max)
{
	uint64_t v;
	int rc;

	if (!s)
		return -EINVAL;
	rc = scan_u64(&s, base, &v);
	if (rc == -EINVAL || *s)
		return -EINVAL;
	if (rc == 0 && (v < min || v > max))
		rc = -ERANGE;
	if (rc == 0)
		*val = v;
	return rc;
}

int parse_u64(const char *s, uint64_t *val, uint64_t min, uint64_t max)
{
	return whole_u64(s, 0, val, min, max);
}

int parse_u64_prefix(const char *s, unsigned int base, uint64_t *val, const char **end)
{
	uint64_t v;
	int rc;

	if (!s || (base != 10 && base != 16))
		return -EINVAL;
	rc = scan_digits(&s, base, &v);
	if (rc)
		return rc;
	*val = v;
	*end = s;
	return 0;
}

int parse_s64(const char *s, int64_t *val, int64_t min, int64_t max)
{
	uint64_t mag, lim;
	bool neg;
	int64_t v;
	int rc;

	if (!s)
		return -EINVAL;
	neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	lim = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
	rc = whole_u64(s, 0, &mag, 0, lim);
	if (rc)
		return rc;
	/* -(int64_t)mag would overflow for INT64_MIN. */
	v = neg && mag ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
	if (v < min || v > max)
		return -ERANGE;
	*val = v;
	return 0;
}

int parse_int(const char *s, int *val, int min, int max)
{
	int64_t v;
	int rc;

	rc = parse_s64(s, &v, min, max);
	if (rc == 0)
		*val = (int)v;
	return rc;
}

int parse_pid(const char *s, pid_t *pid)
{
	uint64_t v;
	int rc;

	rc = whole_u64(s, 10, &v, 1, PID_MAX_LIMIT);
	if (rc == 0)
		*pid = (pid_t)v;
	return rc;
}

int parse_fd(const char *s, int *fd)
{
	uint64_t v;
	int rc;

	rc = whole_u64(s, 10, &v, 0, INT_MAX);
	if (rc == 0)
		*fd = (int)v;
	return rc;
}

int parse_addr(const char *s, uint64_t *addr)
{
	return whole_u64(s, 16, addr, 0, UINT64_MAX);
}

/* "", K, KB, KiB ... E, EB, EiB in any case: the power of 1024 as a shift. */
static int size_shift(const char *u, unsigned int *shift)
{
	static const char units[] = "KMGTPE";
	const char *p;

	if (!*u) {
		*shift = 0;
		return 0;
	}
	p = strchr(units, toupper((unsigned char)*u));
	if (!p)
		return -EINVAL;
	u++;
	if (*u && strcasecmp(u, "B") && strcasecmp(u, "iB"))
		return -EINVAL;
	*shift = 10 * (unsigned int)(p - units + 1);
	return 0;
}

/*
 * Hex digits are taken greedily, so "0x1E" is 30 bytes, not 1 EiB: a hex
 * size with a suffix needs one that is not a hex digit ("0x1K").
 */
int parse_size(const char *s, uint64_t *bytes)
{
	unsigned int shift;
	uint64_t v;
	int rc;

	if (!s)
		return -EINVAL;
	rc = scan_u64(&s, 0, &v);
	if (rc == -EINVAL || size_shift(s, &shift))
		return -EINVAL;
	if (rc == 0 && v > UINT64_MAX >> shift)
		rc = -ERANGE;
	if (rc == 0)
		*bytes = v << shift;
	return rc;
}

/*
 * A duration is value * mul / div microseconds: div is 1000 for ns and 1
 * for every other unit, so only integers are ever multiplied.
 */
static int duration_unit(const char *u, uint64_t def_us, uint64_t *mul, uint64_t *div)
{
	static const struct {
		const char *name;
		uint64_t us;
	} units[] = {
		{ "us", 1 }, { "ms", 1000 }, { "s", 1000000 },
		{ "m", 60000000 }, { "h", 3600000000ULL },
	};
	size_t i;

	*div = 1;
	*mul = def_us;
	if (!*u)
		return def_us ? 0 : -EINVAL;
	if (!strcmp(u, "ns")) {
		*mul = 1;
		*div = 1000;
		return 0;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(u, units[i].name)) {
			*mul = units[i].us;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * floor(0.DIGITS * mul), exactly and for any number of digits: Horner's
 * scheme from the last digit, c = floor((d * mul + c) / 10), split so that
 * no intermediate exceeds mul.
 */
static uint64_t fraction_times(const char *digits, size_t n, uint64_t mul)
{
	uint64_t c = 0, q = mul / 10, r = mul % 10;
	unsigned int d;

	while (n--) {
		d = digits[n] - '0';
		c = d * q + c / 10 + (d * r + c % 10) / 10;
	}
	return c;
}

/* "I" or "I.F", both parts decimal and non-empty. */
static int scan_decimal(const char **sp, uint64_t *ipart, const char **frac, size_t *nfrac)
{
	int rc;

	*frac = "";
	*nfrac = 0;
	rc = scan_digits(sp, 10, ipart);
	if (rc == -EINVAL || **sp != '.')
		return rc;
	*frac = ++*sp;
	*nfrac = strspn(*frac, "0123456789");
	if (!*nfrac)
		return -EINVAL;
	*sp += *nfrac;
	return rc;
}

int parse_duration_us(const char *s, uint64_t *usec, uint64_t default_unit_us)
{
	uint64_t ipart, mul, div, fpart, total;
	const char *frac;
	size_t nfrac;
	int rc;

	if (!s)
		return -EINVAL;
	rc = scan_decimal(&s, &ipart, &frac, &nfrac);
	if (rc == -EINVAL || duration_unit(s, default_unit_us, &mul, &div))
		return -EINVAL;
	if (rc)
		return rc;
	fpart = fraction_times(frac, nfrac, mul);
	if (ipart > (UINT64_MAX - fpart) / mul)
		return -ERANGE;
	total = (ipart * mul + fpart) / div;
	if (!total && (ipart || strspn(frac, "0") < nfrac))
		return -ERANGE;
	*usec = total;
	return 0;
}

int parse_range(const char *s, uint64_t *start, uint64_t *end)
{
	uint64_t a, b;
	int rc, rc2;
	char sep;

	if (!s)
		return -EINVAL;
	rc = scan_u64(&s, 16, &a);
	sep = *s;
	if (rc == -EINVAL || (sep != '-' && sep != '+'))
		return -EINVAL;
	rc2 = sep == '-' ? parse_addr(s + 1, &b) : parse_size(s + 1, &b);
	if (rc2 == -EINVAL)
		return rc2;
	if (rc || rc2)
		return rc ? rc : rc2;
	if (sep == '+') {
		if (b > UINT64_MAX - a)
			return -ERANGE;
		b += a;
	}
	if (b <= a)
		return -EINVAL;
	*start = a;
	*end = b;
	return 0;
}
