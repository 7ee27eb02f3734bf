// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Runs on any machine, one node or many: expectations come from libnuma
 * itself (numa_all_nodes_ptr, numa_parse_nodestring()) rather than from a
 * node count written here.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <numa.h>

#include "lib/nodes.h"
#include "tests/unit/unit.h"

typedef int (*parse_fn)(const char *s, struct bitmask **out);

static unsigned int first_bit(const struct bitmask *bm)
{
	unsigned int i;

	for (i = 0; i < bm->size && !numa_bitmask_isbitset(bm, i); i++)
		;
	return i;
}

/* Our messages: lowercase first, no trailing period, blank or newline. */
static int well_shaped(const char *m)
{
	size_t n = strlen(m);

	return n && !isupper((unsigned char)m[0]) && !strchr(m, '\n') && !strchr(m, '`') &&
	       m[n - 1] != '.' && !isspace((unsigned char)m[n - 1]);
}

static void bad(parse_fn fn, const char *what, const char *s, const char *want_msg)
{
	struct bitmask *bm = (struct bitmask *)&bm;
	int rc = fn(s, &bm);

	CHECK(rc == -EINVAL && bm == (struct bitmask *)&bm, "%s '%s' is -EINVAL", what, s);
	CHECK_STR(nodes_last_error(), want_msg, "%s '%s' says '%s'", what, s, want_msg);
}

/* Rejected, whatever libnuma's exact words: they must still be in our shape. */
static void bad_any(parse_fn fn, const char *what, const char *s)
{
	struct bitmask *bm = NULL;
	int rc = fn(s, &bm);

	CHECK(rc == -EINVAL && !bm && well_shaped(nodes_last_error()),
	      "%s '%s' is -EINVAL: '%s'", what, s, nodes_last_error());
}

static void same(parse_fn fn, const char *what, const char *s, const struct bitmask *want)
{
	struct bitmask *bm = NULL;
	int rc = fn(s, &bm);

	CHECK(rc == 0 && bm && numa_bitmask_equal(bm, want) && bm->size == want->size &&
	      !*nodes_last_error(), "%s '%s' parses as expected", what, s);
	numa_bitmask_free(bm);
}

/*
 * libnuma as the oracle: what it accepts we return unchanged, except that
 * an empty selection is refused.
 */
static void like_libnuma(parse_fn fn, const char *what, const char *s,
			 struct bitmask *(*oracle)(const char *), const char *empty_msg)
{
	struct bitmask *want = oracle(s);

	if (!want) {
		struct bitmask *bm = NULL;

		CHECK(fn(s, &bm) == -EINVAL && !bm, "%s '%s' is refused, as by libnuma", what, s);
	} else if (!numa_bitmask_weight(want)) {
		bad(fn, what, s, empty_msg);
	} else {
		same(fn, what, s, want);
	}
	numa_bitmask_free(want);
}

static struct bitmask *single(unsigned int size, unsigned int bit)
{
	return numa_bitmask_setbit(numa_bitmask_alloc(size), bit);
}

static void test_nodes(void)
{
	static const char *const grammar[] = {
		"all", "+0", "!0", "!all", "0,0", "0x0", "00", "!+0", "+0-0",
	};
	unsigned int first = first_bit(numa_all_nodes_ptr);
	int possible = numa_num_possible_nodes(), max = numa_max_node();
	struct bitmask *one = single(possible, first);
	char s[64], msg[128];
	size_t i;

	snprintf(s, sizeof(s), "%u", first);
	same(nodes_parse, "nodes", s, one);
	snprintf(s, sizeof(s), "%u-%u", first, first);
	same(nodes_parse, "nodes", s, one);
	same(nodes_parse, "nodes", "all", numa_all_nodes_ptr);
	same(nodes_parse, "nodes", "+0", one);
	for (i = 0; i < sizeof(grammar) / sizeof(grammar[0]); i++)
		like_libnuma(nodes_parse, "nodes", grammar[i], numa_parse_nodestring,
			     "no node selected");
	numa_bitmask_free(one);

	snprintf(s, sizeof(s), "%d", max + 1);
	snprintf(msg, sizeof(msg), "node argument %d is out of range", max + 1);
	bad(nodes_parse, "nodes", s, msg);
	snprintf(s, sizeof(s), "%d", possible);
	snprintf(msg, sizeof(msg), "node argument %d is out of range", possible);
	bad(nodes_parse, "nodes", s, msg);
	snprintf(s, sizeof(s), "%u-%d", first, possible);
	snprintf(msg, sizeof(msg), "node argument %d out of range", possible);
	bad(nodes_parse, "nodes", s, msg);
	bad(nodes_parse, "nodes", "", "empty list");
	bad(nodes_parse, "nodes", "!all", "no node selected");
	bad(nodes_parse, "nodes", "0-", "missing node argument");
	bad(nodes_parse, "nodes", "x", "unparseable node description 'x'");
	bad(nodes_parse, "nodes", "all,0", "unparseable node description 'all,0'");
	bad(nodes_parse, "nodes", "0,", "unparseable node description ''");
	bad(nodes_parse, "nodes", ",0", "unparseable node description ',0'");
	bad(nodes_parse, "nodes", "0,,0", "unparseable node description ',0'");
	bad(nodes_parse, "nodes", "!", "unparseable node description ''");
	bad(nodes_parse, "nodes", "+", "unparseable node description ''");
	bad(nodes_parse, "nodes", "0x", "unexpected character after a node number");
	bad(nodes_parse, "nodes", "0a", "unexpected character after a node number");
	bad(nodes_parse, "nodes", "0;1", "unexpected character after a node number");
	bad(nodes_parse, "nodes", " 0", "unexpected blank");
	bad(nodes_parse, "nodes", "0 ", "unexpected blank");
	bad(nodes_parse, "nodes", "0, 0", "unexpected blank");
	bad(nodes_parse, "nodes", "-1", "unexpected sign '-'");
	bad(nodes_parse, "nodes", "0--1", "unexpected sign '-'");
	bad(nodes_parse, "nodes", "0--4294967295", "unexpected sign '-'");
	bad(nodes_parse, "nodes", "0-+0", "unexpected sign '+'");
	bad(nodes_parse, "nodes", "0,+0", "unexpected sign '+'");
	bad(nodes_parse, "nodes", "++0", "unexpected sign '+'");
	bad(nodes_parse, "nodes", "4294967296", "node argument 4294967296 is out of range");
	bad(nodes_parse, "nodes", "0-4294967296", "node argument 4294967296 is out of range");
	bad(nodes_parse, "nodes", "0x100000000", "node argument 0x100000000 is out of range");
	bad(nodes_parse, "nodes", "2147483648", "node argument 2147483648 is out of range");
	bad(nodes_parse, "nodes", "99999999999999999999999",
	    "node argument 99999999999999999999999 is out of range");
	bad_any(nodes_parse, "nodes", "netdev:lo");
	bad_any(nodes_parse, "nodes", "+!0");
	bad_any(nodes_parse, "nodes", "ALL");
	CHECK(nodes_parse(NULL, &one) == -EINVAL, "nodes NULL is -EINVAL");
	CHECK(nodes_parse("0", NULL) == -EINVAL, "nodes with NULL out is -EINVAL");
}

static void test_cpus(void)
{
	unsigned int first = first_bit(numa_all_cpus_ptr);
	int possible = numa_num_possible_cpus();
	struct bitmask *one = single(possible, first);
	char s[64], msg[128];

	snprintf(s, sizeof(s), "%u", first);
	same(nodes_parse_cpus, "cpus", s, one);
	same(nodes_parse_cpus, "cpus", "+0", one);
	same(nodes_parse_cpus, "cpus", "all", numa_all_cpus_ptr);
	like_libnuma(nodes_parse_cpus, "cpus", "!+0", numa_parse_cpustring, "no cpu selected");
	like_libnuma(nodes_parse_cpus, "cpus", "+0-0", numa_parse_cpustring, "no cpu selected");
	numa_bitmask_free(one);

	snprintf(s, sizeof(s), "%d", possible);
	snprintf(msg, sizeof(msg), "cpu argument %d is out of range", possible);
	bad(nodes_parse_cpus, "cpus", s, msg);
	snprintf(s, sizeof(s), "%u-%d", first, possible);
	snprintf(msg, sizeof(msg), "cpu argument %d out of range", possible);
	bad(nodes_parse_cpus, "cpus", s, msg);
	bad(nodes_parse_cpus, "cpus", "", "empty list");
	bad(nodes_parse_cpus, "cpus", "!all", "no cpu selected");
	bad(nodes_parse_cpus, "cpus", "0-", "missing cpu argument");
	bad(nodes_parse_cpus, "cpus", "x", "unparseable cpu description 'x'");
	bad(nodes_parse_cpus, "cpus", "0x", "unexpected character after a cpu number");
	bad(nodes_parse_cpus, "cpus", "\t0", "unexpected blank");
	bad(nodes_parse_cpus, "cpus", "0-+1", "unexpected sign '+'");
	bad(nodes_parse_cpus, "cpus", "4294967296", "cpu argument 4294967296 is out of range");
	bad_any(nodes_parse_cpus, "cpus", "netdev:lo");
}

/* Run fn with stderr going to a file, and return what it wrote. */
static char *stderr_of(void (*fn)(void))
{
	static char out[512];
	FILE *tmp = tmpfile();
	int saved = dup(2);
	size_t n;

	fflush(stderr);
	dup2(fileno(tmp), 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return out;
}

static void libnuma_complains(void)
{
	numa_bitmask_free(numa_parse_nodestring("x"));
}

static void warn_twice(void)
{
	numa_warn(30, "Some %s problem.\n", "libnuma");
	numa_warn(30, "some %s problem\n", "repeated");
}

static void error_einval(void)
{
	errno = EINVAL;
	numa_error("set_mempolicy");
}

static void error_no_errno(void)
{
	errno = 0;
	numa_error("Request to allocate mask for invalid number\n");
}

static int errno_after;

static void warn_keeps_errno(void)
{
	errno = EINVAL;
	numa_warn(29, "%s", "anything");
	errno_after = errno;
}

/* Outside nodes_parse*(), libnuma's complaints come out as ours. */
static void test_overrides(void)
{
	struct bitmask *bm = NULL;

	CHECK(nodes_parse("x", &bm) == -EINVAL, "a failed parse leaves a reason");
	CHECK_STR(stderr_of(libnuma_complains), "test_nodes: warning: "
		  "unparseable node description 'x'\n", "libnuma's own warning in our shape");
	CHECK_STR(nodes_last_error(), "unparseable node description 'x'",
		  "a warning outside a parse leaves the last reason alone");
	CHECK_STR(stderr_of(libnuma_complains), "", "libnuma gives each warning once");
	CHECK_STR(stderr_of(warn_twice), "test_nodes: warning: some libnuma problem\n",
		  "numa_warn tidied and given once per number");
	CHECK_STR(stderr_of(error_einval), "test_nodes: set_mempolicy: Invalid argument\n",
		  "numa_error with errno");
	CHECK_STR(stderr_of(error_no_errno),
		  "test_nodes: request to allocate mask for invalid number\n",
		  "numa_error without errno");
	stderr_of(warn_keeps_errno);
	CHECK(errno_after == EINVAL, "numa_warn keeps errno");
	CHECK(nodes_parse("all", &bm) == 0 && !*nodes_last_error(),
	      "a good parse clears the last reason");
	numa_bitmask_free(bm);
}

int main(void)
{
	if (numa_available() < 0) {
		struct bitmask *bm = NULL;

		CHECK(nodes_parse("0", &bm) == -ENOSYS, "no NUMA: -ENOSYS");
		return unit_done();
	}
	/* First: libnuma gives each warning once, and the oracle calls below warn. */
	test_overrides();
	test_nodes();
	test_cpus();
	return unit_done();
}
