// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/parse.c: the strict number, pid, fd, address, size, duration and
 * range parsers behind every option value.  data[0] picks the parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#include "lib/parse.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t u, start, end;
	int64_t s64;
	pid_t pid;
	char *s;
	int i;

	if (!size)
		return 0;
	s = fuzz_str(data + 1, size - 1);
	switch (data[0] % 9) {
	case 0:
		if (!parse_u64(s, &u, 10, 1000) && (u < 10 || u > 1000))
			abort();
		break;
	case 1:
		if (!parse_s64(s, &s64, -5, 5) && (s64 < -5 || s64 > 5))
			abort();
		break;
	case 2:
		parse_int(s, &i, INT32_MIN, INT32_MAX);
		break;
	case 3:
		if (!parse_pid(s, &pid) && (pid < 1 || pid > 4194304))
			abort();
		if (!parse_fd(s, &i) && i < 0)
			abort();
		break;
	case 4:
		parse_addr(s, &u);
		break;
	case 5:
		parse_size(s, &u);
		break;
	case 6:
		/* With and without a default unit: seconds, as --interval takes them. */
		parse_duration_us(s, &u, 0);
		parse_duration_us(s, &u, 1000000);
		break;
	case 7:
		parse_duration_us(s, &u, 1);
		break;
	case 8:
		/* The documented contract: END above START. */
		if (!parse_range(s, &start, &end) && end <= start)
			abort();
		break;
	}
	free(s);
	return 0;
}
