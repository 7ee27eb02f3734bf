// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's "%*pb" and "%*pbl" bitmap formats.  The text comes from
 * captured /proc and /sys trees as often as from the running system, so
 * nothing here looks at the host: a 1024-CPU mask parses on a 2-CPU box.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numa.h>

#include "lib/bitmap.h"

/*
 * Far above any kernel's NR_CPUS or MAX_NUMNODES, low enough that a typo
 * cannot ask for gigabytes.
 */
#define BITMAP_MAX_BITS (1UL << 24)
#define BITMAP_MIN_BITS 64
#define WORDS_PER_LONG (sizeof(unsigned long) / sizeof(uint32_t))

/*
 * numa_bitmask_alloc() exits when memory runs out, and a parser must
 * return -ENOMEM instead.  struct bitmask is libnuma's public layout and
 * numa_bitmask_free() releases both parts with free().
 */
static struct bitmask *bm_alloc(unsigned long nbits)
{
	unsigned long nlongs = (nbits + CHAR_BIT * sizeof(long) - 1) / (CHAR_BIT * sizeof(long));
	struct bitmask *bm = malloc(sizeof(*bm));

	if (!bm)
		return NULL;
	bm->size = nbits;
	bm->maskp = calloc(nlongs, sizeof(unsigned long));
	if (!bm->maskp) {
		free(bm);
		return NULL;
	}
	return bm;
}

/* Room for bits [0, nbits), in whole 32-bit words, at least 64 bits. */
static int bm_new(unsigned long nbits, struct bitmask **out)
{
	nbits = (nbits + 31) / 32 * 32;
	if (nbits < BITMAP_MIN_BITS)
		nbits = BITMAP_MIN_BITS;
	*out = bm_alloc(nbits);
	return *out ? 0 : -ENOMEM;
}

/* Word w holds bits [32w, 32w + 32), whatever the size of a long. */
static void set_word(struct bitmask *bm, size_t w, uint32_t v)
{
	bm->maskp[w / WORDS_PER_LONG] |= (unsigned long)v << (32 * (w % WORDS_PER_LONG));
}

static uint32_t get_word(const struct bitmask *bm, size_t w)
{
	return (uint32_t)(bm->maskp[w / WORDS_PER_LONG] >> (32 * (w % WORDS_PER_LONG)));
}

/* Strip the one newline that /proc and /sys end a line with. */
static size_t text_len(const char *s)
{
	size_t n = strlen(s);

	return n && s[n - 1] == '\n' ? n - 1 : n;
}

/* Comma-separated words of 1 to 8 hex digits, and nothing else. */
static int count_words(const char *s, size_t len, size_t *nwords)
{
	size_t i, digits = 0, n = 1;

	for (i = 0; i < len; i++) {
		if (s[i] == ',' && digits) {
			digits = 0;
			n++;
		} else if (isxdigit((unsigned char)s[i]) && digits < 8) {
			digits++;
		} else {
			return -EINVAL;
		}
	}
	if (!digits)
		return -EINVAL;
	*nwords = n;
	return 0;
}

int bitmap_parse_mask(const char *s, struct bitmask **out)
{
	size_t len, nwords, w;
	const char *p;
	char *end;
	int rc;

	if (!s || !out)
		return -EINVAL;
	len = text_len(s);
	rc = count_words(s, len, &nwords);
	if (rc)
		return rc;
	if (nwords > BITMAP_MAX_BITS / 32)
		return -ERANGE;
	rc = bm_new(nwords * 32, out);
	if (rc)
		return rc;
	/* Validated above: strtoul() only ever sees 1 to 8 hex digits here. */
	for (p = s, w = nwords; w-- > 0; p = end + 1)
		set_word(*out, w, (uint32_t)strtoul(p, &end, 16));
	return 0;
}

/* A decimal bit number; the whole run of digits is read before -ERANGE. */
static int read_bit(const char **sp, const char *end, unsigned long *bit)
{
	const char *s = *sp;
	unsigned long v = 0;

	if (s == end || !isdigit((unsigned char)*s))
		return -EINVAL;
	for (; s < end && isdigit((unsigned char)*s); s++)
		v = v < BITMAP_MAX_BITS ? v * 10 + (unsigned long)(*s - '0') : v;
	*sp = s;
	*bit = v;
	return v < BITMAP_MAX_BITS ? 0 : -ERANGE;
}

/* "N" or "N-M" with N <= M. */
static int read_item(const char **sp, const char *end, unsigned long *lo, unsigned long *hi)
{
	int rc;

	rc = read_bit(sp, end, lo);
	/* A malformed number leaves *lo unset: nothing to copy. */
	if (rc)
		return rc;
	*hi = *lo;
	if (*sp == end || **sp != '-')
		return 0;
	++*sp;
	rc = read_bit(sp, end, hi);
	if (rc)
		return rc;
	return *lo <= *hi ? 0 : -EINVAL;
}

/*
 * Walked twice: once to validate and find the highest bit (bm NULL),
 * once to set the bits.  *top is one past the highest bit, 0 if none.
 */
static int walk_list(const char *s, size_t len, struct bitmask *bm, unsigned long *top)
{
	const char *p = s, *end = s + len;
	unsigned long lo, hi;
	int rc;

	*top = 0;
	while (p < end) {
		rc = read_item(&p, end, &lo, &hi);
		if (rc)
			return rc;
		if (p < end && (*p++ != ',' || p == end))
			return -EINVAL;
		if (hi + 1 > *top)
			*top = hi + 1;
		for (; bm && lo <= hi; lo++)
			numa_bitmask_setbit(bm, (unsigned int)lo);
	}
	return 0;
}

int bitmap_parse_list(const char *s, struct bitmask **out)
{
	unsigned long top;
	size_t len;
	int rc;

	if (!s || !out)
		return -EINVAL;
	len = text_len(s);
	rc = walk_list(s, len, NULL, &top);
	if (rc)
		return rc;
	rc = bm_new(top, out);
	if (rc)
		return rc;
	return walk_list(s, len, *out, &top);
}

/*
 * As the kernel's bitmap_string(): 32-bit words most significant first,
 * the leading one cut to the digits that size % 32 bits need.
 */
char *bitmap_format_mask(const struct bitmask *bm)
{
	size_t nwords, w;
	unsigned int bits;
	uint32_t v;
	char *buf, *p;

	if (!bm) {
		errno = EINVAL;
		return NULL;
	}
	nwords = (bm->size + 31) / 32;
	buf = malloc(nwords * 9 + 1);
	if (!buf)
		return NULL;
	*buf = '\0';
	bits = bm->size % 32 ? bm->size % 32 : 32;
	for (p = buf, w = nwords; w-- > 0; bits = 32) {
		v = get_word(bm, w);
		if (bits < 32)
			v &= (UINT32_C(1) << bits) - 1;
		p += sprintf(p, "%s%0*" PRIx32, p == buf ? "" : ",", (int)(bits + 3) / 4, v);
	}
	return buf;
}

/* One past the run of set bits that starts at bit lo. */
static unsigned long run_end(const struct bitmask *bm, unsigned long lo)
{
	while (lo < bm->size && numa_bitmask_isbitset(bm, (unsigned int)lo))
		lo++;
	return lo;
}

char *bitmap_format_list(const struct bitmask *bm)
{
	unsigned long lo, hi;
	const char *sep = "";
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int bad;

	if (!bm) {
		errno = EINVAL;
		return NULL;
	}
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	for (lo = 0; lo < bm->size; lo = hi + 1) {
		if (!numa_bitmask_isbitset(bm, (unsigned int)lo)) {
			hi = lo;
			continue;
		}
		hi = run_end(bm, lo) - 1;
		if (hi == lo)
			fprintf(f, "%s%lu", sep, lo);
		else
			fprintf(f, "%s%lu-%lu", sep, lo, hi);
		sep = ",";
	}
	bad = ferror(f);
	if (fclose(f) || bad) {
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	return buf;
}
