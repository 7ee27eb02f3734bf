// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numa.h>

#include "lib/bitmap.h"
#include "tests/unit/unit.h"

/* The input as C would spell it, so that "3\n" stays on its TAP line. */
static const char *esc(const char *s)
{
	static char bufs[4][160];
	static int n;
	char *b = bufs[n++ % 4], *p = b;

	for (; s && *s && p < b + sizeof(bufs[0]) - 6; s++) {
		if (*s == '\n' || *s == '\t') {
			*p++ = '\\';
			*p++ = *s == '\n' ? 'n' : 't';
		} else {
			*p++ = *s;
		}
	}
	if (s && *s)
		strcpy(p, "...");
	else
		*p = '\0';
	return b;
}

/* A 32-word (1024-bit) mask: "80000000,00000000,...,00000f0f". */
static char *mask_1024(void)
{
	char *s = malloc((size_t)32 * 9);
	int i;

	strcpy(s, "80000000");
	for (i = 1; i < 31; i++)
		strcat(s, ",00000000");
	strcat(s, ",00000f0f");
	return s;
}

static struct bitmask *make(unsigned int size, const unsigned int *bits, size_t n)
{
	struct bitmask *bm = numa_bitmask_alloc(size);

	while (n--)
		numa_bitmask_setbit(bm, bits[n]);
	return bm;
}

static void mask_ok(const char *s, unsigned long want_size, const char *want_list)
{
	struct bitmask *bm = NULL;
	char *l = NULL;
	int rc;

	rc = bitmap_parse_mask(s, &bm);
	if (rc == 0)
		l = bitmap_format_list(bm);
	CHECK(rc == 0 && bm && bm->size == want_size, "parse_mask '%s': size %lu", esc(s),
	      want_size);
	CHECK_STR(l, want_list, "parse_mask '%s' holds '%s'", esc(s), want_list);
	free(l);
	numa_bitmask_free(bm);
}

static void mask_bad(const char *s, int want_rc)
{
	struct bitmask *bm = (struct bitmask *)&bm;
	int rc = bitmap_parse_mask(s, &bm);

	CHECK(rc == want_rc && bm == (struct bitmask *)&bm, "parse_mask '%s' is %s, *out untouched",
	      esc(s), want_rc == -EINVAL ? "-EINVAL" : "-ERANGE");
}

static void mask_roundtrip(const char *s)
{
	struct bitmask *bm = NULL;
	char *m = NULL;

	if (bitmap_parse_mask(s, &bm) == 0)
		m = bitmap_format_mask(bm);
	CHECK_STR(m, s, "format_mask(parse_mask('%s')) round-trips", esc(s));
	free(m);
	numa_bitmask_free(bm);
}

static void test_parse_mask(void)
{
	size_t words = (1UL << 24) / 32 + 1, i;
	char *big = mask_1024(), *huge;
	struct bitmask *bm;

	mask_ok("00000000,00000f0f", 64, "0-3,8-11");
	mask_ok("00000000,00000f0f\n", 64, "0-3,8-11");
	mask_ok("3", 64, "0-1"); /* Cpus_allowed on a 2-CPU machine */
	mask_ok("3\n", 64, "0-1");
	mask_ok("0", 64, "");
	mask_ok("ffffffff", 64, "0-31");
	mask_ok("FfFfFfFf", 64, "0-31");
	mask_ok("1,00000000", 64, "32");
	mask_ok("80000000,00000000", 64, "63");
	mask_ok("1,00000000,00000000", 96, "64");
	mask_ok("0,0,1", 96, "0"); /* short inner words are accepted */
	mask_ok("ff,00ff00ff,0000ffff", 96, "0-15,32-39,48-55,64-71");
	mask_ok(big, 1024, "0-3,8-11,1023");
	mask_roundtrip(big);
	mask_roundtrip("00000000,00000f0f");
	mask_roundtrip("ffffffff,ffffffff");
	mask_roundtrip("00000001,00000000,00000000");
	mask_roundtrip("00000000,00000000,00000000,00000000,00000000,00000000,00000000,"
		       "00000000,00000000,00000000,00000000,00000000,00000000,00000000,"
		       "00000000,00000000,00000000,00000000,00000000,00000000,00000000,"
		       "00000000,00000000,00000000,00000000,00000000,00000000,00000000,"
		       "00000000,00000000,00000000,00000001"); /* Mems_allowed */
	mask_bad("", -EINVAL);
	mask_bad("\n", -EINVAL);
	mask_bad("3\n\n", -EINVAL);
	mask_bad("\n3", -EINVAL);
	mask_bad(" 3", -EINVAL);
	mask_bad("3 ", -EINVAL);
	mask_bad("0x3", -EINVAL);
	mask_bad("-3", -EINVAL);
	mask_bad("g", -EINVAL);
	mask_bad(",", -EINVAL);
	mask_bad(",3", -EINVAL);
	mask_bad("3,", -EINVAL);
	mask_bad("3,,3", -EINVAL);
	mask_bad("3, 3", -EINVAL);
	mask_bad("123456789", -EINVAL); /* a word is at most 8 digits */
	mask_bad("00000000,123456789", -EINVAL);
	mask_bad("0-3", -EINVAL);
	mask_bad(NULL, -EINVAL);

	huge = malloc(words * 2);
	for (i = 0; i < words; i++)
		memcpy(huge + 2 * i, "1,", 2);
	huge[2 * words - 1] = '\0';
	mask_bad(huge, -ERANGE);
	huge[2 * (words - 1) - 1] = '\0';
	bm = NULL;
	CHECK(bitmap_parse_mask(huge, &bm) == 0 && bm->size == 1UL << 24 &&
	      numa_bitmask_weight(bm) == words - 1 && numa_bitmask_isbitset(bm, (1U << 24) - 32),
	      "parse_mask of 2^24 bits (the limit) works");
	numa_bitmask_free(bm);
	free(huge);
	free(big);
}

static void list_ok(const char *s, unsigned long want_size, const char *want_list)
{
	struct bitmask *bm = NULL;
	char *l = NULL;
	int rc;

	rc = bitmap_parse_list(s, &bm);
	if (rc == 0)
		l = bitmap_format_list(bm);
	CHECK(rc == 0 && bm && bm->size == want_size, "parse_list '%s': size %lu", esc(s),
	      want_size);
	CHECK_STR(l, want_list, "parse_list '%s' holds '%s'", esc(s), esc(want_list));
	free(l);
	numa_bitmask_free(bm);
}

static void list_bad(const char *s, int want_rc)
{
	struct bitmask *bm = (struct bitmask *)&bm;
	int rc = bitmap_parse_list(s, &bm);

	CHECK(rc == want_rc && bm == (struct bitmask *)&bm, "parse_list '%s' is %s, *out untouched",
	      esc(s), want_rc == -EINVAL ? "-EINVAL" : "-ERANGE");
}

static void test_parse_list(void)
{
	struct bitmask *bm = NULL;

	list_ok("", 64, "");
	list_ok("\n", 64, "");
	list_ok("0", 64, "0");
	list_ok("0\n", 64, "0");
	list_ok("0-1", 64, "0-1");
	list_ok("0-3,8-11", 64, "0-3,8-11");
	list_ok("0-3,8-11,1023", 1024, "0-3,8-11,1023");
	list_ok("0-3,8-11,1023\n", 1024, "0-3,8-11,1023");
	list_ok("1023", 1024, "1023");
	list_ok("63", 64, "63");
	list_ok("64", 96, "64"); /* whole 32-bit words */
	list_ok("0-64", 96, "0-64");
	list_ok("95", 96, "95");
	list_ok("96", 128, "96");
	list_ok("5-5", 64, "5");
	list_ok("8,0-3", 64, "0-3,8"); /* order and overlap as the kernel allows */
	list_ok("0-5,3-8", 64, "0-8");
	list_ok("1,1,1", 64, "1");
	list_ok("0,2,4,6", 64, "0,2,4,6");
	list_ok("3,4", 64, "3-4");
	list_ok("007", 64, "7");
	list_ok("0-4095", 4096, "0-4095");
	list_ok("8191", 8192, "8191");
	list_ok("16777215", 1UL << 24, "16777215");
	list_bad("16777216", -ERANGE);
	list_bad("0-16777216", -ERANGE);
	list_bad("99999999999999999999999", -ERANGE);
	list_bad("3-1", -EINVAL);
	list_bad(",", -EINVAL);
	list_bad("0,", -EINVAL);
	list_bad(",0", -EINVAL);
	list_bad("0,,1", -EINVAL);
	list_bad("0-", -EINVAL);
	list_bad("-1", -EINVAL);
	list_bad("0--1", -EINVAL);
	list_bad("1-3-5", -EINVAL);
	list_bad("+1", -EINVAL);
	list_bad("0x1", -EINVAL);
	list_bad("a", -EINVAL);
	list_bad("all", -EINVAL);
	list_bad(" 0", -EINVAL);
	list_bad("0 ", -EINVAL);
	list_bad("0, 1", -EINVAL);
	list_bad("0\n\n", -EINVAL);
	list_bad("\n0", -EINVAL);
	list_bad("\n\n", -EINVAL);
	list_bad("0-3:1/2", -EINVAL); /* the kernel's group syntax is not printed by %*pbl */
	list_bad("!0", -EINVAL);
	list_bad(NULL, -EINVAL);
	CHECK(bitmap_parse_list("0", NULL) == -EINVAL, "parse_list with NULL out is -EINVAL");

	CHECK(bitmap_parse_list("0-3,8-11,1023", &bm) == 0 && numa_bitmask_isbitset(bm, 0) &&
	      numa_bitmask_isbitset(bm, 3) && !numa_bitmask_isbitset(bm, 4) &&
	      numa_bitmask_isbitset(bm, 8) && numa_bitmask_isbitset(bm, 11) &&
	      !numa_bitmask_isbitset(bm, 12) && !numa_bitmask_isbitset(bm, 1022) &&
	      numa_bitmask_isbitset(bm, 1023) && numa_bitmask_weight(bm) == 9,
	      "parse_list '0-3,8-11,1023' sets exactly those 9 bits");
	numa_bitmask_free(bm);
}

static void fmt_mask(unsigned int size, const unsigned int *bits, size_t n, const char *want)
{
	struct bitmask *bm = make(size, bits, n);
	char *m = bitmap_format_mask(bm);

	CHECK_STR(m, want, "format_mask of a %u-bit map is '%s'", size, want);
	free(m);
	numa_bitmask_free(bm);
}

static void test_format_mask(void)
{
	static const unsigned int b01[] = { 0, 1 }, b0[] = { 0 }, b7[] = { 7 }, b31[] = { 31 },
		b32[] = { 32 }, b35[] = { 35 }, b63[] = { 63 }, b1023[] = { 0, 1023 },
		bf0f[] = { 0, 1, 2, 3, 8, 9, 10, 11 };
	struct bitmask *bm;
	char *m;

	fmt_mask(2, b01, 2, "3");
	fmt_mask(1, b0, 1, "1");
	fmt_mask(1, NULL, 0, "0");
	fmt_mask(4, NULL, 0, "0");
	fmt_mask(5, NULL, 0, "00");
	fmt_mask(8, b7, 1, "80");
	fmt_mask(9, b7, 1, "080");
	fmt_mask(31, NULL, 0, "00000000");
	fmt_mask(32, b31, 1, "80000000");
	fmt_mask(33, b32, 1, "1,00000000");
	fmt_mask(36, b35, 1, "8,00000000");
	fmt_mask(37, b35, 1, "08,00000000");
	fmt_mask(64, b63, 1, "80000000,00000000");
	fmt_mask(64, bf0f, 8, "00000000,00000f0f");
	fmt_mask(96, b32, 1, "00000000,00000001,00000000");
	fmt_mask(1024, b1023, 2, "80000000,00000000,00000000,00000000,00000000,00000000,"
		 "00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,"
		 "00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,"
		 "00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,"
		 "00000000,00000001");

	/* Bits past size in the last long are not the bitmap's: ignore them. */
	bm = numa_bitmask_alloc(4);
	bm->maskp[0] = ~0UL;
	m = bitmap_format_mask(bm);
	CHECK_STR(m, "f", "format_mask ignores stray bits past size");
	free(m);
	numa_bitmask_free(bm);

	errno = 0;
	CHECK(!bitmap_format_mask(NULL) && errno == EINVAL, "format_mask NULL is NULL, EINVAL");
}

static void fmt_list(unsigned int size, const unsigned int *bits, size_t n, const char *want)
{
	struct bitmask *bm = make(size, bits, n);
	char *l = bitmap_format_list(bm);

	CHECK_STR(l, want, "format_list of a %u-bit map is '%s'", size, want);
	free(l);
	numa_bitmask_free(bm);
}

static void test_format_list(void)
{
	static const unsigned int odd[] = { 1, 3, 5 }, edge[] = { 0, 60, 61, 62, 63 },
		runs[] = { 0, 1, 2, 3, 8, 9, 10, 11, 1023 }, two[] = { 4, 5 }, one[] = { 0 };

	fmt_list(64, NULL, 0, "");
	fmt_list(1, NULL, 0, "");
	fmt_list(1, one, 1, "0");
	fmt_list(64, odd, 3, "1,3,5");
	fmt_list(64, two, 2, "4-5");
	fmt_list(64, edge, 5, "0,60-63");
	fmt_list(1024, runs, 9, "0-3,8-11,1023");
	errno = 0;
	CHECK(!bitmap_format_list(NULL) && errno == EINVAL, "format_list NULL is NULL, EINVAL");
}

/* /proc/PID/status prints both forms of one bitmap: they must agree. */
static void cross(const char *mask, const char *list)
{
	struct bitmask *a = NULL, *b = NULL;
	char *l = NULL, *m = NULL;

	if (bitmap_parse_mask(mask, &a) == 0)
		l = bitmap_format_list(a);
	if (bitmap_parse_list(list, &b) == 0)
		m = bitmap_format_mask(b);
	CHECK_STR(l, list, "mask '%s' is list '%s'", esc(mask), esc(list));
	CHECK_STR(m, mask, "list '%s' is mask '%s'", esc(list), esc(mask));
	CHECK(a && b && numa_bitmask_equal(a, b), "mask and list '%s' give equal bitmasks",
	      esc(list));
	free(l);
	free(m);
	numa_bitmask_free(a);
	numa_bitmask_free(b);
}

static void test_cross(void)
{
	char *big = mask_1024();

	cross("00000000,00000f0f", "0-3,8-11");
	cross("00000000,00000000", "");
	cross("ffffffff,ffffffff", "0-63");
	cross(big, "0-3,8-11,1023");
	free(big);
}

/* The value of "Key:\t..." in /proc/self/status, malloc'd, newline kept. */
static char *status_field(const char *key)
{
	size_t n = 0, klen = strlen(key);
	char *line = NULL, *val = NULL;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && getline(&line, &n, f) > 0) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			val = strdup(line + klen + 2);
			break;
		}
	}
	free(line);
	if (f)
		fclose(f);
	return val;
}

static unsigned int highest_bit(const struct bitmask *bm)
{
	unsigned int i, top = 0;

	for (i = 0; i < bm->size; i++)
		if (numa_bitmask_isbitset(bm, i))
			top = i;
	return top;
}

/*
 * The running kernel as the oracle: Cpus_allowed is printed for nr_cpu_ids
 * bits (the leading word cut short), and each mask agrees with its _list.
 */
static void test_live(void)
{
	char *cpus = status_field("Cpus_allowed"), *cpul = status_field("Cpus_allowed_list");
	char *mems = status_field("Mems_allowed"), *meml = status_field("Mems_allowed_list");
	struct bitmask *a = NULL, *b = NULL, *possible = NULL, *sized;
	char *l1 = NULL, *l2 = NULL, *m = NULL;
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
	char buf[4096] = "";
	unsigned int i;

	if (f && !fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	if (f)
		fclose(f);
	if (cpus && bitmap_parse_mask(cpus, &a) == 0)
		l1 = bitmap_format_list(a);
	if (mems && bitmap_parse_mask(mems, &b) == 0)
		l2 = bitmap_format_list(b);
	CHECK(l1 && cpul && !strncmp(l1, cpul, strlen(l1)) && !strcmp(cpul + strlen(l1), "\n"),
	      "live Cpus_allowed '%s' is Cpus_allowed_list '%s'", esc(cpus), esc(cpul));
	CHECK(l2 && meml && !strncmp(l2, meml, strlen(l2)) && !strcmp(meml + strlen(l2), "\n"),
	      "live Mems_allowed is Mems_allowed_list '%s'", esc(meml));
	if (a && bitmap_parse_list(buf, &possible) == 0) {
		sized = numa_bitmask_alloc(highest_bit(possible) + 1);
		for (i = 0; i < sized->size; i++)
			if (numa_bitmask_isbitset(a, i))
				numa_bitmask_setbit(sized, i);
		m = bitmap_format_mask(sized);
		numa_bitmask_free(sized);
	}
	CHECK(m && cpus && !strncmp(m, cpus, strlen(m)) && !strcmp(cpus + strlen(m), "\n"),
	      "format_mask for nr_cpu_ids bits is the kernel's '%s'", esc(cpus));
	free(l1);
	free(l2);
	free(m);
	free(cpus);
	free(cpul);
	free(mems);
	free(meml);
	numa_bitmask_free(a);
	numa_bitmask_free(b);
	numa_bitmask_free(possible);
}

int main(void)
{
	test_parse_mask();
	test_parse_list();
	test_format_mask();
	test_format_list();
	test_cross();
	test_live();
	return unit_done();
}
