// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/numamaps.h"
#include "lib/sysroot.h"
#include "lib/vma.h"
#include "tests/unit/unit.h"

static const char *const lines[] = {
	"55d53f5b1000-55d53f5b3000 r--p 00000000 fe:00 247134                     /usr/bin/cat\n",
	"55d56585c000-55d56587d000 rw-p 00000000 00:00 0                          [heap]\n",
	"7f78f68fd000-7f78f691f000 rw-p 00000000 00:00 0 \n",
	"7f78f6b65000-7f78f6b6c000 r--s 00000000 fe:00 332280                     /usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache\n",
	"7f0000000000-7f0000001000 rw-s 00000000 00:01 1024                       /dev/zero (deleted)\n",
	"7f0000002000-7f0000003000 r--p 00001000 fe:00 12                         /tmp/a b\\012c (deleted)\n",
	"7f0000004000-7f0000005000 rw-p 00000000 00:00 0                          [anon:my name]\n",
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n",
	"7f0000006000-7f0000007000 r-xp 123456789000 103:15 12345678901234567890  /x\n",
	"00400000-00401000 r-xp 00000000 08:01 42                                 /old\n",
};

static void test_roundtrip(void)
{
	char buf[512];
	struct vma v;
	size_t i, n;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		CHECK(vma_parse_line(lines[i], strlen(lines[i]), &v) == 0, "parse line %zu", i);
		n = vma_format_line(&v, buf, sizeof(buf));
		CHECK(n == strlen(lines[i]), "format length line %zu", i);
		CHECK_STR(buf, lines[i], "format(parse(line %zu)) is byte-identical", i);
		vma_free(&v);
	}
}

static void test_fields(void)
{
	struct vma v;
	char small[8];

	CHECK(vma_parse_line(lines[1], strlen(lines[1]), &v) == 0, "parse heap");
	CHECK(v.start == 0x55d56585c000ull && v.end == 0x55d56587d000ull, "heap addresses");
	CHECK(v.perms == (VMA_READ | VMA_WRITE), "heap perms");
	CHECK(vma_is_anon(&v) && !vma_is_file(&v), "heap is anonymous");
	CHECK(vma_format_line(&v, small, sizeof(small)) == strlen(lines[1]),
	      "short buffer: returns the length needed");
	vma_free(&v);
	CHECK(vma_parse_line(lines[3], strlen(lines[3]), &v) == 0 && v.perms == (VMA_READ | VMA_SHARED),
	      "shared file perms");
	CHECK(vma_is_file(&v) && !vma_is_anon(&v), "file-backed");
	vma_free(&v);
	CHECK(vma_parse_line(lines[8], strlen(lines[8]), &v) == 0 && v.dev_major == 0x103 &&
	      v.dev_minor == 0x15 && v.offset == 0x123456789000ull, "wide dev and offset");
	vma_free(&v);
}

static void test_bad_lines(void)
{
	static const char *const bad[] = {
		"", "\n", "zz-10 r--p 0 00:00 0\n", "1000-2000 r--q 00000000 00:00 0\n",
		"2000-1000 r--p 00000000 00:00 0\n", "1000-2000 r--p 00000000 00:00 x\n",
		"1000-2000 r--p 00000000 0000 0\n", "1000 r--p 00000000 00:00 0\n",
		"10000000000000000-10000000000000001 r--p 00000000 00:00 0\n",
		"1000-2000 r--p 00000000 00:00\n", "1000-2000 rw-p 00000000 00:00 0x\n",
	};
	struct vma v;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(vma_parse_line(bad[i], strlen(bad[i]), &v) == -EINVAL, "reject bad line %zu", i);
}

static struct vma mk(uint64_t s, uint64_t e)
{
	struct vma v = { .start = s, .end = e, .perms = VMA_READ };

	v.name = strdup("");
	return v;
}

static void add(struct vma_list *l, uint64_t s, uint64_t e)
{
	struct vma v = mk(s, e);

	vma_list_add(l, &v);
}

static void test_coherence(void)
{
	struct vma_list l = { 0 };

	add(&l, 0x1000, 0x2000);
	add(&l, 0x2000, 0x3000);
	add(&l, 0x5000, 0x6000);
	CHECK(l.n == 3 && l.ndropped == 0, "ordered records are kept");
	/* [0x5000,0x6000) grew down and merged: seen again from 0x4000. */
	add(&l, 0x4000, 0x7000);
	CHECK(l.n == 3 && l.ndropped == 1 && l.dropped[0].cut_to == 0, "a covered older record is dropped");
	CHECK(l.v[2].start == 0x4000 && l.v[2].end == 0x7000, "the newer record is kept");
	CHECK(l.dropped[0].by_start == 0x4000 && l.dropped[0].by_end == 0x7000, "the drop names the newer record");
	/* A newer record starting inside two older ones: one dropped, one cut. */
	add(&l, 0x1800, 0x8000);
	CHECK(l.n == 2 && l.ndropped == 4, "a record overlapping several drops and cuts them");
	CHECK(l.v[0].start == 0x1000 && l.v[0].end == 0x1800, "the older record is cut where the newer starts");
	CHECK(l.v[1].start == 0x1800 && l.v[1].end == 0x8000, "no gap: the newer record follows the cut");
	CHECK(l.dropped[3].cut_to == 0x1800 && l.dropped[3].v.end == 0x2000, "the cut is noted with the original end");
	vma_list_free(&l);
}

static void test_numamaps(void)
{
	static const char line[] =
		"7f0000000000 bind:0-1 anon=3 dirty=3 active=0 N0=1 N1=2 kernelpagesize_kB=4\n";
	static const char huge[] = "7f0000200000 interleave=static:0 file=/a\\040b huge N3=2 kernelpagesize_kB=2048";
	struct numamap m;

	CHECK(numamaps_parse_line(line, strlen(line), &m) == 0, "numa_maps line parses");
	CHECK_STR(m.policy, "bind:0-1", "policy");
	CHECK(m.nr_nodes == 2 && m.pages[0] == 1 && m.pages[1] == 2, "pages per node");
	CHECK(m.anon == 3 && (m.has & NUMAMAP_HAS_ANON) && !(m.has & NUMAMAP_HAS_MAPPED), "counters");
	CHECK(numamaps_total(&m) == 3 && m.kernelpagesize_kb == 4, "total and page size");
	numamaps_free_one(&m);
	CHECK(numamaps_parse_line(huge, strlen(huge), &m) == 0 && m.huge && m.nr_nodes == 4 &&
	      m.pages[3] == 2 && m.pages[0] == 0, "hugetlb line, sparse nodes");
	numamaps_free_one(&m);
	CHECK(numamaps_parse_line("zz default", 10, &m) == -EINVAL, "bad address rejected");
	CHECK(numamaps_parse_line("1000 default N0=x", 17, &m) == -EINVAL, "bad count rejected");
	CHECK(numamaps_parse_line("1000 default N99999=1", 21, &m) == -EINVAL, "bad node rejected");
}

static int same_lists(const struct vma_list *a, const struct vma_list *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		const struct vma *x = &a->v[i], *y = &b->v[i];

		if (x->start != y->start || x->end != y->end || x->perms != y->perms ||
		    x->offset != y->offset || x->inode != y->inode || x->dev_major != y->dev_major ||
		    x->dev_minor != y->dev_minor || strcmp(x->name, y->name))
			return 0;
	}
	return 1;
}

/* The live backends agree, on an idle child whose address space holds still. */
static void test_live(void)
{
	struct vma_read_opts text = { .method = VMA_METHOD_TEXT };
	struct vma_read_opts ioc = { .method = VMA_METHOD_IOCTL };
	struct vma_list a, b;
	char path[64];
	pid_t child;
	int fd, ra, rb;

	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	snprintf(path, sizeof(path), "/proc/%d/maps", child);
	fd = open(path, O_RDONLY);
	ra = vma_read(fd, &text, &a);
	rb = vma_read(fd, &ioc, &b);
	close(fd);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	CHECK(ra == 0 && a.n > 5 && a.method == VMA_METHOD_TEXT, "text backend reads a child");
	if (rb == -ENOTTY)
		printf("ok %d - # skip no PROCMAP_QUERY on this kernel\n", ++unit_n);
	else
		CHECK(rb == 0 && b.method == VMA_METHOD_IOCTL && same_lists(&a, &b),
		      "ioctl backend gives the same %zu records as the text", a.n);
	vma_list_free(&a);
	if (rb == 0)
		vma_list_free(&b);
}

/* vma_read of TEXT, from a file, asking for the text verbatim. */
static int read_verbatim(const char *text, struct vma_list *l)
{
	struct vma_read_opts o = { .method = VMA_METHOD_TEXT, .verbatim = 1 };
	char path[] = "/tmp/numakit-test-vma.XXXXXX";
	int fd = mkstemp(path), rc;

	/* Empty whatever happens: the checks read it after a failure too. */
	memset(l, 0, sizeof(*l));
	if (fd < 0)
		return -errno;
	unlink(path);
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -EIO;
	}
	rc = vma_read(fd, &o, l);
	close(fd);
	return rc;
}

/* A large text, to cross the reads and the move to the huge-page buffer. */
static char *many_lines(size_t n, size_t back_at)
{
	char *t = malloc(n * 64 + 1), *p = t;
	uint64_t a = 0x7f0000000000ull;
	size_t i;

	for (i = 0; t && i < n; i++, a += 0x1000) {
		/*
		 * A record seen again from below, as a VMA that grew down would
		 * be: it covers the two records before it and half the third.
		 */
		uint64_t s = i == back_at ? a - 0x2800 : a;

		p += sprintf(p, "%012" PRIx64 "-%012" PRIx64 " %s 00000000 00:00 0 \n", s, a + 0x1000,
			     i % 2 ? "r--p" : "rw-p");
	}
	return t;
}

static void test_verbatim(void)
{
	static const char mixed[] =
		"00400000-00401000 r-xp 00000000 08:01 42                                 /old\n"
		"55d53f5b1000-55d53f5b3000 r--p 00000000 fe:00 247134                     /usr/bin/cat\n"
		"55d56585c000-55d56587d000 rw-p 00000000 00:00 0                          [heap]\n"
		"7f0000002000-7f0000003000 r--p 00001000 fe:00 12                         /tmp/a b\\012c (deleted)\n"
		"7f0000003000-7f0000004000 rw-s 00000000 00:01 1024                       /dev/zero (deleted)\n"
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";
	static const char backward[] =
		"7f0000001000-7f0000003000 r--p 00000000 00:00 0 \n"
		"7f0000002000-7f0000004000 rw-p 00000000 00:00 0 \n";
	static const char eightdigit_back[] =
		"7f0000001000-7f0000003000 r--p 00000000 00:00 0 \n"
		"00400000-00401000 r-xp 00000000 08:01 42                                 /old\n";
	struct vma_list l;
	char *big;

	CHECK(read_verbatim(mixed, &l) == 0 && l.verbatim && l.nverbatim == 6 && l.n == 0 &&
	      l.text_len == strlen(mixed) && !memcmp(l.text, mixed, l.text_len),
	      "verbatim: 8, 12 and 16 digits in order: the text as it is, 6 records");
	vma_list_free(&l);
	CHECK(read_verbatim(backward, &l) == 0 && !l.verbatim && l.n == 2 && l.ndropped == 1 &&
	      l.v[0].end == 0x7f0000002000ull && l.dropped[0].cut_to == 0x7f0000002000ull,
	      "verbatim: an overlapping record: parsed, the older one cut and noted");
	vma_list_free(&l);
	CHECK(read_verbatim(eightdigit_back, &l) == 0 && !l.verbatim && l.n == 1 && l.ndropped == 1,
	      "verbatim: a shorter address going backwards is seen too");
	vma_list_free(&l);
	/* The kernel ends every line: one cut short is a file cut short. */
	CHECK(read_verbatim("7f0000001000-7f0000003000 r--p 00000000 00:00 0 ", &l) == -EINVAL &&
	      !l.verbatim, "verbatim: no final newline: a truncated file, -EINVAL");
	vma_list_free(&l);
	CHECK(read_verbatim("7f0000001000-7f000000300g r--p 00000000 00:00 0 \n", &l) == -EINVAL,
	      "verbatim: a bad digit is still an invalid line");
	vma_list_free(&l);
	CHECK(read_verbatim("7f0000001000-7f0000003000 r--q 00000000 00:00 0 \n", &l) == -EINVAL,
	      "verbatim: bad permissions are still an invalid line");
	vma_list_free(&l);
	CHECK(read_verbatim("7f0000003000-7f0000003000 r--p 00000000 00:00 0 \n", &l) == -EINVAL,
	      "verbatim: an empty range is still an invalid line");
	vma_list_free(&l);
	CHECK(read_verbatim("", &l) == 0 && l.verbatim && l.nverbatim == 0, "verbatim: empty text");
	vma_list_free(&l);

	big = many_lines(100000, (size_t)-1);
	CHECK(big && read_verbatim(big, &l) == 0 && l.verbatim && l.nverbatim == 100000 &&
	      l.text_len == strlen(big) && !memcmp(l.text, big, l.text_len),
	      "verbatim: 100000 records, %zu bytes, kept whole", big ? strlen(big) : 0);
	vma_list_free(&l);
	free(big);
	big = many_lines(100000, 99000);
	CHECK(big && read_verbatim(big, &l) == 0 && !l.verbatim && l.n == 99998 && l.ndropped == 3 &&
	      l.dropped[2].cut_to == 0x7f0000000000ull + 98997ull * 0x1000 + 0x800,
	      "verbatim: a record going back 2.5 records near the end: 2 dropped, 1 cut");
	vma_list_free(&l);
	free(big);
}

/*
 * The check that lets a text through verbatim against the parser it stands
 * in for, on texts with random bytes changed: verbatim only when a full
 * parse would drop nothing (or would refuse a field the check leaves to
 * the kernel: offset, device, inode), and never refused when a full parse
 * of newline-ended lines drops nothing.
 */
static void test_verbatim_vs_parse(void)
{
	static const char base[] =
		"00400000-00401000 r-xp 00000000 08:01 42                                 /old\n"
		"55d53f5b1000-55d53f5b3000 r--p 00000000 fe:00 247134                     /usr/bin/cat\n"
		"55d53f5b3000-55d53f5b4000 rw-p 00002000 fe:00 247134                     /usr/bin/cat\n"
		"7f78f68fd000-7f78f691f000 rw-p 00000000 00:00 0 \n"
		"7f78f691f000-7f78f6920000 ---p 00000000 00:00 0 \n"
		"7ffd1c2a1000-7ffd1c2c2000 rw-p 00000000 00:00 0                          [stack]\n"
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";
	static const char alphabet[] = "0123456789abcdef-rwxsp \nA:g";
	struct vma_read_opts full = { .method = VMA_METHOD_TEXT };
	unsigned int seed = 12345, bad = 0, agreed = 0, verbatim = 0;
	char text[sizeof(base)];
	struct vma_list a, b;
	int i, k, ra, rb, fd;

	for (i = 0; i < 3000; i++) {
		memcpy(text, base, sizeof(base));
		for (k = rand_r(&seed) % 3; k >= 0; k--)
			text[rand_r(&seed) % (sizeof(base) - 1)] =
				alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
		ra = read_verbatim(text, &a);
		memset(&b, 0, sizeof(b));
		fd = memfd_create("numakit-test-vma", 0);
		rb = fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ? -EIO :
			vma_read(fd, &full, &b);
		if (fd >= 0)
			close(fd);
		if (a.verbatim) {
			verbatim++;
			if (!(ra == 0 && (rb == -EINVAL || (rb == 0 && b.ndropped == 0 &&
							    b.n == a.nverbatim))))
				bad++;
		} else if (rb == 0 && b.ndropped == 0 && text[strlen(text) - 1] == '\n') {
			bad++;
		} else {
			agreed += ra == rb;
		}
		vma_list_free(&a);
		vma_list_free(&b);
	}
	CHECK(!bad && verbatim > 100 && agreed > 100,
	      "verbatim agrees with a full parse on 3000 mutated texts (%u verbatim, %u parsed)",
	      verbatim, agreed);
}

int main(void)
{
	test_roundtrip();
	test_fields();
	test_bad_lines();
	test_coherence();
	test_numamaps();
	test_live();
	test_verbatim();
	test_verbatim_vs_parse();
	return unit_done();
}
