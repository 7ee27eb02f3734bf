// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/sysroot.h"
#include "tests/unit/unit.h"

static char root[] = "/tmp/nk-sysroot-XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void test_reads(void)
{
	char line[16], path[256], *buf;
	uint64_t v;
	ssize_t n;

	CHECK(sysroot_set(root) == 0 && !sysroot_is_live(), "a directory is a sysroot");
	CHECK(sysroot_path(path, sizeof(path), "/proc/%d/maps", 42) == 0 &&
	      !strcmp(path + strlen(root), "/proc/42/maps") && !strncmp(path, root, strlen(root)),
	      "paths are prefixed");
	CHECK(sysroot_path(path, 8, "/proc/%d/maps", 42) == -ENAMETOOLONG, "a path too long is refused");
	n = sysroot_read_file(&buf, "/sys/big");
	CHECK(n == 20000 && buf[n] == '\0' && buf[19999] == 'x', "whole file of %zd bytes", n);
	free(buf);
	CHECK(sysroot_read_line(line, sizeof(line), "/sys/line") == 5 && !strcmp(line, "0-3,8"),
	      "first line without its newline");
	CHECK(sysroot_read_line(line, 4, "/sys/line") == 3 && !strcmp(line, "0-3"), "a short buffer truncates");
	CHECK(sysroot_read_u64(&v, "/sys/num") == 0 && v == 4096, "an integer file");
	CHECK(sysroot_read_u64(&v, "/sys/line") == -EINVAL, "junk is -EINVAL");
	CHECK(sysroot_read_u64(&v, "/sys/none") == -ENOENT, "a missing file is -ENOENT");
	CHECK(sysroot_exists("/sys/num") && !sysroot_exists("/sys/none"), "exists");
	CHECK(sysroot_set("/") == 0 && sysroot_is_live() && sysroot_get() == NULL, "/ is the live system");
	CHECK(sysroot_set("/sys/none-such") == -ENOENT, "a missing sysroot is refused");
	CHECK(sysroot_set("/etc/passwd") == -ENOTDIR, "a file is not a sysroot");
}

int main(void)
{
	char big[20001], cmd[300];

	if (!mkdtemp(root))
		return 1;
	snprintf(cmd, sizeof(cmd), "%s/sys", root);
	mkdir(cmd, 0755);
	memset(big, 'x', 20000);
	big[20000] = '\0';
	put("/sys/big", big);
	put("/sys/line", "0-3,8\nmore\n");
	put("/sys/num", "4096\n");
	test_reads();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		return 1;
	return unit_done();
}
