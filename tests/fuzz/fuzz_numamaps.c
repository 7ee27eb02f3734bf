// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/numamaps.c: lines of /proc/PID/numa_maps (given the exact bytes, with
 * no NUL after them) and numamaps_read() of the input as a whole file.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/numamaps.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t len = nl ? (size_t)(nl - data) : size, i;
	char *line = malloc(len ? len : 1), *s;
	struct numamap_list l;
	struct numamap m;
	int fd;

	memcpy(line, data, len);
	if (!numamaps_parse_line(line, len, &m)) {
		s = numamaps_nodes_str(&m);
		free(s);
		json_object_put(numamaps_nodes_json(&m));
		numamaps_total(&m);
		numamaps_free_one(&m);
	}
	free(line);
	fd = memfd_create("numa_maps", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || lseek(fd, 0, SEEK_SET))
		abort();
	if (!numamaps_read(fd, &l)) {
		for (i = 0; i < l.n; i++)
			if (numamaps_find(&l, l.m[i].start) == NULL)
				abort();
		numamaps_free(&l);
	}
	close(fd);
	return 0;
}
