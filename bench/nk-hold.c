// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nk-hold: the least a dump can do that prints nothing before its last read,
 * for benchmark 2 (bench/dump).  It reads FILE whole, 128 KiB per read as
 * cat does, into one buffer advised for huge pages, then writes it to
 * stdout at once.  No check, no parse, no pidfd: against cat, it is the
 * cost of holding the text alone, which mapsdump's default dump pays
 * because a record read later may overrule any earlier one.
 *
 *   nk-hold FILE
 *
 * Exit status: 0 when FILE was copied whole, 1 on an error, 2 for bad
 * arguments.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define READ_SIZE (128u << 10)
#define HUGE_SIZE (2u << 20)

/* A buffer of len bytes, aligned and advised for huge pages. */
static char *map_huge(size_t len)
{
	char *p = mmap(NULL, len + HUGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *a;

	if (p == MAP_FAILED)
		err(1, "cannot map %zu bytes", len);
	a = p + (HUGE_SIZE - (size_t)((unsigned long)p % HUGE_SIZE)) % HUGE_SIZE;
	madvise(a, len, MADV_HUGEPAGE);
	return a;
}

int main(int argc, char **argv)
{
	size_t cap = 32u << 20, len = 0, done;
	ssize_t n;
	char *buf;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", program_invocation_short_name);
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		err(1, "cannot open '%s'", argv[1]);
	buf = map_huge(cap);
	for (;;) {
		if (cap - len < READ_SIZE) {
			/* Grown in place or moved: the advice goes with the mapping. */
			buf = mremap(buf, cap, 2 * cap, MREMAP_MAYMOVE);
			if (buf == MAP_FAILED)
				err(1, "cannot grow the buffer to %zu bytes", 2 * cap);
			cap *= 2;
		}
		n = read(fd, buf + len, READ_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err(1, "cannot read '%s'", argv[1]);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	for (done = 0; done < len; done += (size_t)n) {
		n = write(STDOUT_FILENO, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n < 0)
			err(1, "cannot write");
	}
	return 0;
}
