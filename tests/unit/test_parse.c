// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>

#include "lib/parse.h"
#include "tests/unit/unit.h"

/* The input as C would spell it, so that "1\n" stays on its TAP line. */
static const char *esc(const char *s)
{
	static char bufs[4][128];
	static int n;
	char *b = bufs[n++ % 4], *p = b;

	for (; s && *s && p < b + sizeof(bufs[0]) - 3; s++) {
		if (*s == '\n' || *s == '\t') {
			*p++ = '\\';
			*p++ = *s == '\n' ? 'n' : 't';
		} else {
			*p++ = *s;
		}
	}
	*p = '\0';
	return b;
}

static const char *err_name(int rc)
{
	return rc == 0 ? "0" : rc == -EINVAL ? "-EINVAL" : rc == -ERANGE ? "-ERANGE" : "other";
}

static void u64_is(const char *s, uint64_t min, uint64_t max, int want_rc, uint64_t want)
{
	uint64_t v = 0xdead;
	int rc = parse_u64(s, &v, min, max);

	if (want_rc)
		CHECK(rc == want_rc && v == 0xdead, "parse_u64 '%s' is %s, value untouched", esc(s),
		      err_name(want_rc));
	else
		CHECK(rc == 0 && v == want, "parse_u64 '%s' = %" PRIu64, esc(s), want);
}

static void u64_ok(const char *s, uint64_t want)
{
	u64_is(s, 0, UINT64_MAX, 0, want);
}

static void u64_bad(const char *s, int want_rc)
{
	u64_is(s, 0, UINT64_MAX, want_rc, 0);
}

static void test_u64(void)
{
	u64_ok("0", 0);
	u64_ok("42", 42);
	u64_ok("007", 7); /* decimal, not octal */
	u64_ok("010", 10);
	u64_ok("0x10", 16);
	u64_ok("0XfF", 255);
	u64_ok("0x0", 0);
	u64_ok("18446744073709551615", UINT64_MAX);
	u64_ok("0xffffffffffffffff", UINT64_MAX);
	u64_ok("0x0000000000000000000001", 1);
	u64_bad("", -EINVAL);
	u64_bad(" 1", -EINVAL);
	u64_bad("\t1", -EINVAL);
	u64_bad("1 ", -EINVAL);
	u64_bad("1\n", -EINVAL);
	u64_bad("1k", -EINVAL);
	u64_bad("12abc", -EINVAL);
	u64_bad("-1", -EINVAL);
	u64_bad("+1", -EINVAL);
	u64_bad("-0", -EINVAL);
	u64_bad("0x", -EINVAL);
	u64_bad("0X", -EINVAL);
	u64_bad("x10", -EINVAL);
	u64_bad("0x-1", -EINVAL);
	u64_bad("0x 1", -EINVAL);
	u64_bad("00x1", -EINVAL);
	u64_bad("0xg", -EINVAL);
	u64_bad("1.5", -EINVAL);
	u64_bad("1,000", -EINVAL);
	u64_bad("18446744073709551616", -ERANGE); /* 2^64 */
	u64_bad("99999999999999999999999", -ERANGE);
	u64_bad("0x10000000000000000", -ERANGE);
	u64_bad("18446744073709551616x", -EINVAL); /* junk beats overflow */
	u64_is("5", 1, 10, 0, 5);
	u64_is("1", 1, 10, 0, 1);
	u64_is("10", 1, 10, 0, 10);
	u64_is("0", 1, 10, -ERANGE, 0);
	u64_is("11", 1, 10, -ERANGE, 0);
	u64_is("x", 1, 10, -EINVAL, 0);
	CHECK(parse_u64(NULL, &(uint64_t){ 0 }, 0, 1) == -EINVAL, "parse_u64 NULL is -EINVAL");
}

static void s64_is(const char *s, int64_t min, int64_t max, int want_rc, int64_t want)
{
	int64_t v = 0x5a5a;
	int rc = parse_s64(s, &v, min, max);

	if (want_rc)
		CHECK(rc == want_rc && v == 0x5a5a, "parse_s64 '%s' is %s", esc(s),
		      err_name(want_rc));
	else
		CHECK(rc == 0 && v == want, "parse_s64 '%s' = %" PRId64, esc(s), want);
}

static void test_s64(void)
{
	s64_is("0", INT64_MIN, INT64_MAX, 0, 0);
	s64_is("-0", INT64_MIN, INT64_MAX, 0, 0);
	s64_is("-1", INT64_MIN, INT64_MAX, 0, -1);
	s64_is("+7", INT64_MIN, INT64_MAX, 0, 7);
	s64_is("-0x10", INT64_MIN, INT64_MAX, 0, -16);
	s64_is("9223372036854775807", INT64_MIN, INT64_MAX, 0, INT64_MAX);
	s64_is("-9223372036854775808", INT64_MIN, INT64_MAX, 0, INT64_MIN);
	s64_is("9223372036854775808", INT64_MIN, INT64_MAX, -ERANGE, 0);
	s64_is("-9223372036854775809", INT64_MIN, INT64_MAX, -ERANGE, 0);
	s64_is("-18446744073709551616", INT64_MIN, INT64_MAX, -ERANGE, 0);
	s64_is("", INT64_MIN, INT64_MAX, -EINVAL, 0);
	s64_is("-", INT64_MIN, INT64_MAX, -EINVAL, 0);
	s64_is("+", INT64_MIN, INT64_MAX, -EINVAL, 0);
	s64_is("--1", INT64_MIN, INT64_MAX, -EINVAL, 0);
	s64_is("+-1", INT64_MIN, INT64_MAX, -EINVAL, 0);
	s64_is("- 1", INT64_MIN, INT64_MAX, -EINVAL, 0);
	s64_is(" -1", INT64_MIN, INT64_MAX, -EINVAL, 0);
	s64_is("-1x", INT64_MIN, INT64_MAX, -EINVAL, 0);
	s64_is("-5", -5, 5, 0, -5);
	s64_is("-6", -5, 5, -ERANGE, 0);
	s64_is("6", -5, 5, -ERANGE, 0);
}

static void int_is(const char *s, int min, int max, int want_rc, int want)
{
	int v = 77;
	int rc = parse_int(s, &v, min, max);

	if (want_rc)
		CHECK(rc == want_rc && v == 77, "parse_int '%s' is %s", esc(s), err_name(want_rc));
	else
		CHECK(rc == 0 && v == want, "parse_int '%s' = %d", esc(s), want);
}

static void test_int(void)
{
	int_is("2147483647", INT_MIN, INT_MAX, 0, INT_MAX);
	int_is("-2147483648", INT_MIN, INT_MAX, 0, INT_MIN);
	int_is("2147483648", INT_MIN, INT_MAX, -ERANGE, 0);
	int_is("-2147483649", INT_MIN, INT_MAX, -ERANGE, 0);
	int_is("0x7fffffff", INT_MIN, INT_MAX, 0, INT_MAX);
	int_is("-20", -20, 19, 0, -20);
	int_is("20", -20, 19, -ERANGE, 0);
	int_is("1e3", INT_MIN, INT_MAX, -EINVAL, 0);
	int_is("", INT_MIN, INT_MAX, -EINVAL, 0);
}

static void pid_is(const char *s, int want_rc, pid_t want)
{
	pid_t v = 99;
	int rc = parse_pid(s, &v);

	if (want_rc)
		CHECK(rc == want_rc && v == 99, "parse_pid '%s' is %s", esc(s), err_name(want_rc));
	else
		CHECK(rc == 0 && v == want, "parse_pid '%s' = %d", esc(s), (int)want);
}

static void fd_is(const char *s, int want_rc, int want)
{
	int v = 99;
	int rc = parse_fd(s, &v);

	if (want_rc)
		CHECK(rc == want_rc && v == 99, "parse_fd '%s' is %s", esc(s), err_name(want_rc));
	else
		CHECK(rc == 0 && v == want, "parse_fd '%s' = %d", esc(s), want);
}

static void test_pid_fd(void)
{
	pid_is("1", 0, 1);
	pid_is("4194304", 0, 4194304);
	pid_is("0", -ERANGE, 0);
	pid_is("4194305", -ERANGE, 0);
	pid_is("-1", -EINVAL, 0);
	pid_is("0x10", -EINVAL, 0); /* decimal only */
	pid_is("", -EINVAL, 0);
	pid_is(" 42", -EINVAL, 0);
	pid_is("42 ", -EINVAL, 0);
	pid_is("99999999999999999999", -ERANGE, 0);
	fd_is("0", 0, 0);
	fd_is("2147483647", 0, INT_MAX);
	fd_is("2147483648", -ERANGE, 0);
	fd_is("-1", -EINVAL, 0);
	fd_is("0x3", -EINVAL, 0);
	fd_is("3x", -EINVAL, 0);
}

static void addr_is(const char *s, int want_rc, uint64_t want)
{
	uint64_t v = 0xdead;
	int rc = parse_addr(s, &v);

	if (want_rc)
		CHECK(rc == want_rc && v == 0xdead, "parse_addr '%s' is %s", esc(s),
		      err_name(want_rc));
	else
		CHECK(rc == 0 && v == want, "parse_addr '%s' = %#" PRIx64, esc(s), want);
}

static void test_addr(void)
{
	addr_is("7f12a000", 0, 0x7f12a000);
	addr_is("0x7f12a000", 0, 0x7f12a000);
	addr_is("0X7F12A000", 0, 0x7f12a000);
	addr_is("00400000", 0, 0x400000);
	addr_is("0", 0, 0);
	addr_is("10", 0, 0x10); /* hexadecimal even without 0x */
	addr_is("ffffffffff600000", 0, 0xffffffffff600000);
	addr_is("ffffffffffffffff", 0, UINT64_MAX);
	addr_is("10000000000000000", -ERANGE, 0);
	addr_is("0x", -EINVAL, 0);
	addr_is("", -EINVAL, 0);
	addr_is(" 7f00", -EINVAL, 0);
	addr_is("7f00 ", -EINVAL, 0);
	addr_is("7f00-8000", -EINVAL, 0);
	addr_is("-1", -EINVAL, 0);
	addr_is("7g", -EINVAL, 0);
}

static void size_is(const char *s, int want_rc, uint64_t want)
{
	uint64_t v = 0xdead;
	int rc = parse_size(s, &v);

	if (want_rc)
		CHECK(rc == want_rc && v == 0xdead, "parse_size '%s' is %s", esc(s),
		      err_name(want_rc));
	else
		CHECK(rc == 0 && v == want, "parse_size '%s' = %" PRIu64, esc(s), want);
}

static void test_size(void)
{
	size_is("0", 0, 0);
	size_is("4096", 0, 4096);
	size_is("4K", 0, 4096);
	size_is("4k", 0, 4096);
	size_is("4KiB", 0, 4096);
	size_is("4kib", 0, 4096);
	size_is("4KB", 0, 4096);
	size_is("4kb", 0, 4096);
	size_is("2M", 0, 2 << 20);
	size_is("2MiB", 0, 2 << 20);
	size_is("1G", 0, 1ULL << 30);
	size_is("1gB", 0, 1ULL << 30);
	size_is("3T", 0, 3ULL << 40);
	size_is("5P", 0, 5ULL << 50);
	size_is("15E", 0, 15ULL << 60);
	size_is("0x10", 0, 16);
	size_is("0x10K", 0, 16384);
	size_is("0x1E", 0, 0x1e); /* hex digits are greedy */
	size_is("0K", 0, 0);
	size_is("16777215T", 0, 16777215ULL << 40);
	size_is("16E", -ERANGE, 0);
	size_is("16777216T", -ERANGE, 0);
	size_is("18446744073709551615", 0, UINT64_MAX);
	size_is("18446744073709551616", -ERANGE, 0);
	size_is("18446744073709551616K", -ERANGE, 0);
	size_is("", -EINVAL, 0);
	size_is("K", -EINVAL, 0);
	size_is("0x", -EINVAL, 0);
	size_is("0xK", -EINVAL, 0);
	size_is(" 4K", -EINVAL, 0);
	size_is("4 K", -EINVAL, 0);
	size_is("4K ", -EINVAL, 0);
	size_is("-4K", -EINVAL, 0);
	size_is("+4K", -EINVAL, 0);
	size_is("4X", -EINVAL, 0);
	size_is("4B", -EINVAL, 0);
	size_is("4Ki", -EINVAL, 0);
	size_is("4KiBs", -EINVAL, 0);
	size_is("4KK", -EINVAL, 0);
	size_is("1.5G", -EINVAL, 0);
	size_is("18446744073709551616Q", -EINVAL, 0);
}

static void dur_is(const char *s, uint64_t def, int want_rc, uint64_t want)
{
	uint64_t v = 0xdead;
	int rc = parse_duration_us(s, &v, def);

	if (want_rc)
		CHECK(rc == want_rc && v == 0xdead, "parse_duration_us '%s' (default %" PRIu64
		      "us) is %s", esc(s), def, err_name(want_rc));
	else
		CHECK(rc == 0 && v == want, "parse_duration_us '%s' (default %" PRIu64
		      "us) = %" PRIu64 "us", esc(s), def, want);
}

static void test_duration(void)
{
	const uint64_t S = 1000000;

	dur_is("0", S, 0, 0);
	dur_is("5", S, 0, 5 * S);
	dur_is("5", 1000, 0, 5000);
	dur_is("5", 1, 0, 5);
	dur_is("1.5", S, 0, 1500000);
	dur_is("0.5", S, 0, 500000);
	dur_is("0.1s", 0, 0, 100000);
	dur_is("0.3s", 0, 0, 300000);
	dur_is("2.675s", 0, 0, 2675000);
	dur_is("1.1h", 0, 0, 3960ULL * S);
	dur_is("0.7m", 0, 0, 42 * S);
	dur_is("1.5s", 0, 0, 1500000);
	dur_is("1000ns", 0, 0, 1);
	dur_is("1500ns", 0, 0, 1); /* whole microseconds, truncated */
	dur_is("1999.9ns", 0, 0, 1);
	dur_is("2000ns", 0, 0, 2);
	dur_is("7us", 0, 0, 7);
	dur_is("1.9us", 0, 0, 1);
	dur_is("3ms", 0, 0, 3000);
	dur_is("0.001ms", 0, 0, 1);
	dur_is("2s", 0, 0, 2 * S);
	dur_is("2m", 0, 0, 120 * S);
	dur_is("2h", 0, 0, 7200 * S);
	dur_is("0s", 0, 0, 0);
	dur_is("0ns", 0, 0, 0);
	dur_is("0.000s", 0, 0, 0);
	dur_is("0.0000015s", 0, 0, 1);
	dur_is("0.999999999999999999999999s", 0, 0, 999999);
	dur_is("0.1000000000000000000000001s", 0, 0, 100000);
	dur_is("18446744073709551615us", 0, 0, UINT64_MAX);
	dur_is("18446744073709551615", 1, 0, UINT64_MAX);
	dur_is("18446744073709551615ns", 0, 0, 18446744073709551ULL);
	dur_is("5124095576h", 0, 0, 5124095576ULL * 3600 * S);
	dur_is("5124095577h", 0, -ERANGE, 0);
	dur_is("18446744073709551616us", 0, -ERANGE, 0);
	dur_is("18446744073709551615.5", 1, 0, UINT64_MAX);
	dur_is("18446744073709551615.5", 2, -ERANGE, 0);
	dur_is("1", UINT64_MAX, 0, UINT64_MAX);
	dur_is("18446744073709551615", UINT64_MAX, -ERANGE, 0);
	dur_is("2", UINT64_MAX, -ERANGE, 0);
	dur_is("0.5", UINT64_MAX, 0, UINT64_MAX / 2);
	dur_is("999ns", 0, -ERANGE, 0);
	dur_is("1ns", 0, -ERANGE, 0);
	dur_is("0.5us", 0, -ERANGE, 0);
	dur_is("0.0000001s", 0, -ERANGE, 0);
	dur_is("0.0000001", S, -ERANGE, 0);
	dur_is("5", 0, -EINVAL, 0); /* unit mandatory */
	dur_is("0", 0, -EINVAL, 0);
	dur_is("", S, -EINVAL, 0);
	dur_is("s", 0, -EINVAL, 0);
	dur_is(".5s", 0, -EINVAL, 0);
	dur_is("5.s", 0, -EINVAL, 0);
	dur_is("5.", S, -EINVAL, 0);
	dur_is(".", S, -EINVAL, 0);
	dur_is("1.5.2s", 0, -EINVAL, 0);
	dur_is("5 s", 0, -EINVAL, 0);
	dur_is(" 5s", 0, -EINVAL, 0);
	dur_is("5s ", 0, -EINVAL, 0);
	dur_is("-5s", 0, -EINVAL, 0);
	dur_is("+5s", 0, -EINVAL, 0);
	dur_is("0x10s", 0, -EINVAL, 0);
	dur_is("5sec", 0, -EINVAL, 0);
	dur_is("5S", 0, -EINVAL, 0);
	dur_is("5d", 0, -EINVAL, 0);
	dur_is("5mss", 0, -EINVAL, 0);
	dur_is("1e3s", 0, -EINVAL, 0);
	dur_is("1,5s", 0, -EINVAL, 0);
	dur_is("99999999999999999999999h", 0, -ERANGE, 0);
	dur_is("99999999999999999999999x", 0, -EINVAL, 0);
}

static void range_is(const char *s, int want_rc, uint64_t want_start, uint64_t want_end)
{
	uint64_t a = 1, b = 2;
	int rc = parse_range(s, &a, &b);

	if (want_rc)
		CHECK(rc == want_rc && a == 1 && b == 2, "parse_range '%s' is %s", esc(s),
		      err_name(want_rc));
	else
		CHECK(rc == 0 && a == want_start && b == want_end, "parse_range '%s' = [%#" PRIx64
		      ", %#" PRIx64 ")", esc(s), want_start, want_end);
}

static void test_range(void)
{
	range_is("7f12a000-7f12b000", 0, 0x7f12a000, 0x7f12b000);
	range_is("0x1000-0x2000", 0, 0x1000, 0x2000);
	range_is("0-1", 0, 0, 1);
	range_is("1000+4K", 0, 0x1000, 0x2000);
	range_is("0x1000+4096", 0, 0x1000, 0x2000);
	range_is("1000+0x1000", 0, 0x1000, 0x2000);
	range_is("0+2M", 0, 0, 2 << 20);
	range_is("0-ffffffffffffffff", 0, 0, UINT64_MAX);
	range_is("ffffffffffff0000+0xffff", 0, 0xffffffffffff0000, UINT64_MAX);
	range_is("ffffffffffff0000+0x10000", -ERANGE, 0, 0);
	range_is("ffffffffffffffff+1E", -ERANGE, 0, 0);
	range_is("10000000000000000-1", -ERANGE, 0, 0);
	range_is("1-10000000000000000", -ERANGE, 0, 0);
	range_is("1+16E", -ERANGE, 0, 0);
	range_is("2000-1000", -EINVAL, 0, 0);
	range_is("1000-1000", -EINVAL, 0, 0);
	range_is("1000+0", -EINVAL, 0, 0);
	range_is("", -EINVAL, 0, 0);
	range_is("1000", -EINVAL, 0, 0);
	range_is("-1000", -EINVAL, 0, 0);
	range_is("+1000", -EINVAL, 0, 0);
	range_is("1000-", -EINVAL, 0, 0);
	range_is("1000+", -EINVAL, 0, 0);
	range_is("1000--2000", -EINVAL, 0, 0);
	range_is("1000-+2000", -EINVAL, 0, 0);
	range_is("1000+-1", -EINVAL, 0, 0);
	range_is(" 1000-2000", -EINVAL, 0, 0);
	range_is("1000 -2000", -EINVAL, 0, 0);
	range_is("1000- 2000", -EINVAL, 0, 0);
	range_is("1000-2000 ", -EINVAL, 0, 0);
	range_is("1000-2000-3000", -EINVAL, 0, 0);
	range_is("1000+4K+4K", -EINVAL, 0, 0);
	range_is("1000+4Q", -EINVAL, 0, 0);
	range_is("0x-2000", -EINVAL, 0, 0);
	range_is("10000000000000000-1x", -EINVAL, 0, 0);
}

static void prefix_is(const char *s, unsigned int base, int want_rc, uint64_t want, int used)
{
	const char *end = NULL;
	uint64_t v = 0xdead;
	int rc = parse_u64_prefix(s, base, &v, &end);

	if (want_rc)
		CHECK(rc == want_rc && v == 0xdead && !end,
		      "parse_u64_prefix '%s' base %u is %s, value untouched", esc(s), base,
		      err_name(want_rc));
	else
		CHECK(rc == 0 && v == want && end == s + used,
		      "parse_u64_prefix '%s' base %u = %" PRIu64 ", %d characters", esc(s), base,
		      want, used);
}

static void test_u64_prefix(void)
{
	prefix_is("0", 10, 0, 0, 1);
	prefix_is("12345 0 0\n", 10, 0, 12345, 5);
	prefix_is("18446744073709551615", 10, 0, UINT64_MAX, 20);
	prefix_is("42abc", 10, 0, 42, 2);
	prefix_is("007", 10, 0, 7, 3);
	prefix_is("fed00000-fed003ff : HPET 0", 16, 0, 0xfed00000, 8);
	prefix_is("FFFFFFFFFFFFFFFF", 16, 0, UINT64_MAX, 16);
	prefix_is("0x10", 16, 0, 0, 1);		/* no prefix: the x ends it */
	prefix_is("18446744073709551616", 10, -ERANGE, 0, 0);
	prefix_is("10000000000000000", 16, -ERANGE, 0, 0);
	prefix_is("", 10, -EINVAL, 0, 0);
	prefix_is(" 1", 10, -EINVAL, 0, 0);
	prefix_is("-1", 10, -EINVAL, 0, 0);
	prefix_is("+1", 10, -EINVAL, 0, 0);
	prefix_is("a", 10, -EINVAL, 0, 0);
	prefix_is("1", 8, -EINVAL, 0, 0);
	prefix_is(NULL, 10, -EINVAL, 0, 0);
}

int main(void)
{
	test_u64();
	test_u64_prefix();
	test_s64();
	test_int();
	test_pid_fd();
	test_addr();
	test_size();
	test_duration();
	test_range();
	return unit_done();
}
