// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nk-probe: tell the tests what the running kernel can do.
 *
 *   nk-probe procmap_query   exit 0 if the PROCMAP_QUERY ioctl (Linux 6.11)
 *                            works on /proc/self/maps, 1 if the kernel lacks
 *                            it (ENOTTY), 2 on any other failure
 *   nk-probe anon_name       exit 0 if anonymous mappings can be named
 *                            (PR_SET_VMA_ANON_NAME, [anon:NAME] in maps), 1 if
 *                            the kernel cannot (EINVAL: no CONFIG_ANON_VMA_NAME)
 *   nk-probe pages PID START END
 *                            where the pages of [START, END) (hex) of PID are,
 *                            by move_pages(2) with no target: one line
 *                            "N0=a N1=b ... absent=c" (nodes with pages only)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <linux/types.h>

#include "tests/workload/workload.h"


/*
 * From include/uapi/linux/fs.h of Linux 6.11; Debian 12's 6.1 headers lack
 * it.  Later kernels accept this first-release size as it is.
 */
struct nk_procmap_query {
	__u64 size;
	__u64 query_flags;
	__u64 query_addr;
	__u64 vma_start;
	__u64 vma_end;
	__u64 vma_flags;
	__u64 vma_page_size;
	__u64 vma_offset;
	__u64 inode;
	__u32 dev_major;
	__u32 dev_minor;
	__u32 vma_name_size;
	__u32 build_id_size;
	__u64 vma_name_addr;
	__u64 build_id_addr;
};

_Static_assert(sizeof(struct nk_procmap_query) == 104, "struct procmap_query is 104 bytes");

#define NK_PROCMAP_QUERY _IOWR('f', 17, struct nk_procmap_query)
#define NK_PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10

static int probe_procmap_query(void)
{
	struct nk_procmap_query q;
	char name[256];
	int fd, ret;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot open '/proc/self/maps': %s\n",
			program_invocation_short_name, strerror(errno));
		return 2;
	}
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.query_flags = NK_PROCMAP_QUERY_COVERING_OR_NEXT_VMA;
	q.query_addr = 0;
	q.vma_name_addr = (unsigned long)name;
	q.vma_name_size = sizeof(name);
	ret = ioctl(fd, NK_PROCMAP_QUERY, &q);
	if (ret < 0) {
		int e = errno;

		close(fd);
		if (e == ENOTTY) {
			printf("no PROCMAP_QUERY (Linux 6.11+)\n");
			return 1;
		}
		fprintf(stderr, "%s: PROCMAP_QUERY on '/proc/self/maps': %s\n",
			program_invocation_short_name, strerror(e));
		return 2;
	}
	close(fd);
	/* The first VMA of any process is mapped and below the end of memory. */
	if (q.vma_end <= q.vma_start) {
		fprintf(stderr, "%s: PROCMAP_QUERY returned an empty VMA\n",
			program_invocation_short_name);
		return 2;
	}
	printf("PROCMAP_QUERY: first VMA %llx-%llx\n", (unsigned long long)q.vma_start,
	       (unsigned long long)q.vma_end);
	return 0;
}

static int probe_anon_name(void)
{
	long len = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fprintf(stderr, "%s: mmap: %s\n", program_invocation_short_name, strerror(errno));
		return 2;
	}
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p, len, "nk-probe")) {
		if (errno == EINVAL) {
			printf("no PR_SET_VMA_ANON_NAME (CONFIG_ANON_VMA_NAME is not set)\n");
			return 1;
		}
		fprintf(stderr, "%s: PR_SET_VMA_ANON_NAME: %s\n", program_invocation_short_name,
			strerror(errno));
		return 2;
	}
	printf("PR_SET_VMA_ANON_NAME works\n");
	return 0;
}

/* move_pages(2) status query, raw: the workloads link nothing but libc. */
static int probe_pages(const char *pid_s, const char *start_s, const char *end_s)
{
	enum { CHUNK = 1024, MAX_NODE = 64 };
	unsigned long start = strtoul(start_s, NULL, 16), end = strtoul(end_s, NULL, 16);
	long pid = strtol(pid_s, NULL, 10), page = sysconf(_SC_PAGESIZE);
	unsigned long counts[MAX_NODE] = { 0 }, absent = 0, at;
	void *pages[CHUNK];
	int status[CHUNK], i, n;

	for (at = start; at < end;) {
		for (n = 0; at < end && n < CHUNK; at += page)
			pages[n++] = (void *)at;
		if (syscall(SYS_move_pages, pid, (unsigned long)n, pages, NULL, status, 0) < 0) {
			perror("move_pages");
			return 2;
		}
		for (i = 0; i < n; i++) {
			if (status[i] >= 0 && status[i] < MAX_NODE)
				counts[status[i]]++;
			else
				absent++;
		}
	}
	for (i = 0; i < MAX_NODE; i++)
		if (counts[i])
			printf("N%d=%lu ", i, counts[i]);
	printf("absent=%lu\n", absent);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "pages"))
		return probe_pages(argv[2], argv[3], argv[4]);
	if (argc == 2 && !strcmp(argv[1], "procmap_query"))
		return probe_procmap_query();
	if (argc == 2 && !strcmp(argv[1], "anon_name"))
		return probe_anon_name();
	fprintf(stderr, "usage: %s procmap_query|anon_name|pages PID START END\n",
		program_invocation_short_name);
	return 2;
}
