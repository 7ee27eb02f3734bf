// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/vma.c: lines of /proc/PID/maps (vma_parse_line, given the exact
 * bytes with no NUL after them, so reading past the line is caught), and
 * the whole text backend of vma_read() over the input as a maps file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/vma.h"
#include "tests/fuzz/fuzz.h"

static void one_line(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1), buf[4096];
	struct vma v, w;
	size_t n;

	memcpy(line, data, size);
	if (!vma_parse_line(line, size, &v)) {
		if (v.end < v.start)
			abort();
		/* What we print of a parsed line must parse to the same VMA. */
		n = vma_format_line(&v, buf, sizeof(buf));
		if (n < sizeof(buf)) {
			if (vma_parse_line(buf, n, &w) || w.start != v.start || w.end != v.end ||
			    w.perms != v.perms || w.offset != v.offset || w.inode != v.inode ||
			    strcmp(w.name, v.name))
				abort();
			vma_free(&w);
		}
		vma_free(&v);
	}
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vma_read_opts o = { .method = VMA_METHOD_TEXT };
	struct vma_list l = { 0 };
	const uint8_t *nl = memchr(data, '\n', size);
	size_t i;
	int fd;

	one_line(data, nl ? (size_t)(nl - data) + 1 : size);
	fd = memfd_create("maps", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	if (!vma_read(fd, &o, &l)) {
		/* The list is sorted and never overlaps, whatever the text said. */
		for (i = 1; i < l.n; i++)
			if (l.v[i].start < l.v[i - 1].end)
				abort();
	}
	vma_list_free(&l);
	close(fd);
	return 0;
}
