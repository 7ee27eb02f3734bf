// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/spm on a small tree in a temporary sysroot: a sysram node and a
 * CPU-less node onlined from a soft-reserved dax range, then the same tree
 * with the kinds the SPM RFCs add, with the files old kernels lack, with a
 * block and a dax device that went away, and with the addresses /proc/iomem
 * hides from non-root readers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/spm.h"
#include "lib/sysroot.h"
#include "tests/unit/unit.h"

static char root[] = "/tmp/nk-spm-XXXXXX";

#define NODE "/sys/devices/system/node"
#define MEM "/sys/devices/system/memory"
#define DAX "/sys/devices/platform/hmem.0/dax0.0"

static void mkdirs(char *path)
{
	char *p;

	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
}

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	mkdirs(path);
	f = fopen(path, "w");
	if (!f)
		exit(99);
	fputs(text, f);
	fclose(f);
}

static void link_to(const char *rel, const char *target)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	mkdirs(path);
	unlink(path);
	if (symlink(target, path))
		exit(99);
}

static void rm(const char *rel)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s%s'", root, rel);
	if (system(cmd))
		exit(99);
}

static void block(int index, const char *state, const char *zones, int node)
{
	char rel[128], text[32];

	snprintf(rel, sizeof(rel), MEM "/memory%d/state", index);
	snprintf(text, sizeof(text), "%s\n", state);
	put(rel, text);
	snprintf(rel, sizeof(rel), MEM "/memory%d/valid_zones", index);
	snprintf(text, sizeof(text), "%s\n", zones);
	put(rel, text);
	snprintf(rel, sizeof(rel), MEM "/memory%d/phys_index", index);
	snprintf(text, sizeof(text), "%08x\n", index);
	put(rel, text);
	snprintf(rel, sizeof(rel), NODE "/node%d/memory%d", node, index);
	snprintf(text, sizeof(text), "../../memory/memory%d", index);
	link_to(rel, text);
}

/*
 * Node 0: CPUs 0-1, blocks 0-1.  Node 1: no CPU, blocks 32-33 (4G, 128M
 * each) onlined by kmem from dax0.0, in a Soft Reserved range; HMAT says
 * node 0 is its initiator.
 */
static void make_tree(void)
{
	put(NODE "/possible", "0-3\n");
	put(NODE "/online", "0-1\n");
	put(NODE "/has_cpu", "0\n");
	put(NODE "/has_memory", "0-1\n");
	put(NODE "/has_normal_memory", "0\n");
	put(NODE "/node0/cpulist", "0-1\n");
	put(NODE "/node0/distance", "10 20\n");
	put(NODE "/node0/meminfo", "Node 0 MemTotal:         262144 kB\n"
				   "Node 0 MemFree:          131072 kB\n"
				   "Node 0 MemUsed:          131072 kB\n");
	put(NODE "/node1/cpulist", "\n");
	put(NODE "/node1/distance", "20 10\n");
	put(NODE "/node1/meminfo", "Node 1 MemTotal:         196608 kB\n"
				   "Node 1 MemFree:          196000 kB\n");
	put(NODE "/node1/access0/initiators/read_latency", "300\n");
	put(NODE "/node1/access0/initiators/write_latency", "310\n");
	put(NODE "/node1/access0/initiators/read_bandwidth", "5120\n");
	put(NODE "/node1/access0/initiators/write_bandwidth", "4096\n");
	link_to(NODE "/node1/access0/initiators/node0", "../../../node0");
	put(MEM "/block_size_bytes", "8000000\n");
	block(0, "online", "none", 0);
	block(1, "online", "DMA32", 0);
	block(32, "online", "Movable", 1);
	block(33, "offline", "Movable Normal", 1);
	put("/sys/devices/virtual/memory_tiering/memory_tier4/nodelist", "0\n");
	put("/sys/devices/virtual/memory_tiering/memory_tier22/nodelist", "1\n");
	put("/sys/kernel/mm/mempolicy/weighted_interleave/node0", "3\n");
	put("/sys/kernel/mm/mempolicy/weighted_interleave/node1", "1\n");
	put("/sys/kernel/mm/mempolicy/weighted_interleave/auto", "false\n");
	put(DAX "/target_node", "1\n");
	put(DAX "/numa_node", "0\n");
	put(DAX "/resource", "0x100000000\n");
	put(DAX "/size", "268435456\n");
	link_to(DAX "/driver", "../../../bus/dax/drivers/kmem");
	link_to("/sys/bus/dax/devices/dax0.0", "../../../devices/platform/hmem.0/dax0.0");
	put("/proc/iomem", "00000000-00000fff : Reserved\n"
			   "00001000-0009fbff : System RAM\n"
			   "00100000-0fffffff : System RAM\n"
			   "  01000000-01ffffff : Kernel code\n"
			   "100000000-10fffffff : Soft Reserved\n"
			   "  100000000-10fffffff : dax0.0\n"
			   "    100000000-10fffffff : System RAM (kmem)\n");
}

static void test_nodes(void)
{
	struct spm_system sys;
	struct spm_node *n0, *n1;
	int rc = spm_read(&sys);

	CHECK(rc == 0, "the tree reads (%d)", rc);
	if (rc)
		return;
	CHECK(sys.nnodes == 2, "two nodes (%zu)", sys.nnodes);
	n0 = spm_node_find(&sys, 0);
	n1 = spm_node_find(&sys, 1);
	CHECK(n0 && n1 && !spm_node_find(&sys, 2), "nodes 0 and 1, not 2 (possible but offline)");
	if (!n0 || !n1)
		goto out;
	CHECK_STR(spm_kind_name(n0->kind), "sysram", "node 0 is sysram");
	CHECK_STR(spm_kind_name(n1->kind), "cpuless", "node 1 is cpuless");
	CHECK_STR(n0->cpulist, "0-1", "node 0's cpulist");
	CHECK_STR(n0->cpus, "0-1", "node 0's whole cpulist");
	CHECK(!n1->has_cpu && n1->has_memory && !n1->has_normal_memory && n0->has_normal_memory,
	      "has_cpu, has_memory and has_normal_memory come from the node lists");
	CHECK(n0->mem_total == 256ULL << 20 && n0->mem_free == 128ULL << 20,
	      "MemTotal and MemFree in bytes");
	CHECK(n0->distance[0] == 10 && n0->distance[1] == 20 && n1->distance[0] == 20,
	      "distances by node");
	CHECK(n0->tier == 4 && n1->tier == 22, "tiers (%d, %d)", n0->tier, n1->tier);
	CHECK(sys.ntiers == 2 && sys.tiers[0].id == 4 && sys.tiers[1].id == 22,
	      "tiers sorted by number");
	CHECK(n0->weight == 3 && n1->weight == 1 && sys.wi_auto == 0, "weights and auto");
	CHECK(!n0->access[0].present && n1->access[0].present && !n1->access[1].present,
	      "access classes where the kernel has them");
	CHECK(n1->access[0].read_latency == 300 && n1->access[0].write_latency == 310 &&
	      n1->access[0].read_bandwidth == 5120 && n1->access[0].write_bandwidth == 4096,
	      "HMAT latencies and bandwidths");
	CHECK_STR(n1->access[0].initiators, "0", "initiators from the nodeX links");
	CHECK(sys.block_size == 128ULL << 20, "block_size_bytes is hex");
	CHECK(n1->nblocks == 2 && n1->blocks[0].index == 32 && n1->blocks[1].index == 33 &&
	      n1->blocks[0].start == 32ULL << 27 && n1->blocks[0].node == 1,
	      "node 1's blocks, by phys_index");
	CHECK_STR(n1->blocks[1].zones, "Movable Normal", "valid_zones as the kernel says");
	CHECK_STR(n0->zone, "DMA32", "node 0's zone (a block spanning zones says none)");
	CHECK_STR(n1->zone, "Movable,offline", "node 1: Movable, and an offline block");
	CHECK(sys.ndax == 1 && n1->dax == &sys.dax[0] && !n0->dax, "node 1 came from dax0.0");
	CHECK_STR(sys.dax[0].driver, "kmem", "the driver is the link's last part");
	CHECK(sys.dax[0].start == 1ULL << 32 && sys.dax[0].size == 256ULL << 20 &&
	      sys.dax[0].numa_node == 0 && sys.dax[0].spm_node == -1 && !sys.has_spm_attr,
	      "dax attributes");
	CHECK(sys.nsoft_reserved == 1 && n1->soft_reserved == &sys.soft_reserved[0] &&
	      !n0->soft_reserved, "the Soft Reserved range of node 1");
	CHECK(sys.soft_reserved[0].start == 1ULL << 32 &&
	      sys.soft_reserved[0].end == (1ULL << 32) + (256ULL << 20), "end is exclusive");
	CHECK(sys.nkmem == 1 && n1->kmem && !strcmp(n1->kmem->owner, "dax0.0"),
	      "System RAM (kmem) and the device it is nested in");
	CHECK(!sys.iomem_hidden && !sys.has_private_attr && !sys.has_sysram_cpuset,
	      "no SPM interfaces in this tree");
	CHECK(spm_dax_find(&sys, "dax0.0") == &sys.dax[0] && !spm_dax_find(&sys, "dax9.9"),
	      "dax devices by name");
out:
	spm_free(&sys);
}

static void test_kinds(void)
{
	struct spm_system sys;

	put(DAX "/spm_node", "1\n");
	CHECK(spm_read(&sys) == 0 && sys.has_spm_attr &&
	      spm_node_find(&sys, 1)->kind == SPM_KIND_SPM &&
	      spm_node_find(&sys, 0)->kind == SPM_KIND_SYSRAM,
	      "v2: a node onlined from a dax device with spm_node 1 is spm");
	spm_free(&sys);
	put(DAX "/spm_node", "0\n");
	put("/sys/fs/cgroup/cpuset.mems.sysram", "0\n");
	CHECK(spm_read(&sys) == 0 && sys.has_sysram_cpuset && !spm_node_find(&sys, 1)->sysram &&
	      spm_node_find(&sys, 1)->kind == SPM_KIND_SPM &&
	      spm_node_find(&sys, 0)->kind == SPM_KIND_SYSRAM,
	      "a node with memory outside cpuset.mems.sysram is spm");
	spm_free(&sys);
	put(NODE "/has_private_memory", "1\n");
	CHECK(spm_read(&sys) == 0 && sys.has_private_attr &&
	      spm_node_find(&sys, 1)->kind == SPM_KIND_PRIVATE,
	      "v3: a node in has_private_memory is private");
	spm_free(&sys);
	rm(NODE "/has_private_memory");
	rm("/sys/fs/cgroup");
	rm(DAX "/spm_node");
}

/* What kernels before 6.1 (no tiers) or 5.2 (no HMAT) have, and no dax bus. */
static void test_old_kernel(void)
{
	struct spm_system sys;
	struct spm_node *n1;

	rm("/sys/devices/virtual");
	rm("/sys/kernel");
	rm(NODE "/node1/access0");
	rm("/sys/bus");
	rm(NODE "/has_cpu");
	rm(NODE "/has_memory");
	CHECK(spm_read(&sys) == 0, "a tree without tiers, weights, HMAT or dax reads");
	n1 = spm_node_find(&sys, 1);
	CHECK(n1 && n1->tier == -1 && n1->weight == -1 && !n1->access[0].present &&
	      sys.wi_auto == -1 && sys.ntiers == 0 && sys.ndax == 0 && !n1->dax,
	      "what is missing reads as unknown");
	CHECK(n1 && !n1->has_cpu && n1->has_memory && n1->kind == SPM_KIND_CPULESS,
	      "without has_cpu and has_memory, cpulist and MemTotal tell");
	CHECK(n1 && n1->soft_reserved && n1->kmem,
	      "without the dax bus, the blocks still find their ranges");
	spm_free(&sys);
	make_tree();
}

/* A hotplug took a block and a dax device away between readdir and read. */
static void test_vanished(void)
{
	struct spm_system sys;
	struct spm_node *n1;

	link_to(NODE "/node1/memory40", "../../memory/memory40");
	link_to("/sys/bus/dax/devices/dax1.0", "../../../devices/platform/hmem.1/dax1.0");
	CHECK(spm_read(&sys) == 0, "a tree with dangling links reads");
	n1 = spm_node_find(&sys, 1);
	CHECK(n1 && n1->nblocks == 2 && sys.ndax == 1,
	      "the block and the device that went are left out");
	spm_free(&sys);
	rm(NODE "/node1/memory40");
	rm("/sys/bus/dax/devices/dax1.0");
}

static void test_distance_gaps(void)
{
	struct spm_system sys;
	struct spm_node *n0;

	/* Node 1 is offline (no directory), node 2 online: 3 numbers for nodes 0 and 2. */
	rm(NODE "/node1");
	put(NODE "/online", "0,2\n");
	put(NODE "/node0/distance", "10 30\n");
	put(NODE "/node2/cpulist", "\n");
	put(NODE "/node2/distance", "30 10\n");
	CHECK(spm_read(&sys) == 0 && sys.nnodes == 2, "nodes 0 and 2");
	n0 = spm_node_find(&sys, 0);
	CHECK(n0 && n0->distance[0] == 10 && n0->distance[1] == 30,
	      "distances map to the online nodes, not to node numbers");
	CHECK(spm_node_find(&sys, 2) && spm_node_find(&sys, 2)->nblocks == 0 &&
	      !*spm_node_find(&sys, 2)->zone && spm_node_find(&sys, 2)->mem_total == 0,
	      "a node without memory has no blocks and no zone");
	spm_free(&sys);
	rm(NODE "/node2");
	make_tree();
}

static void test_long_cpulist(void)
{
	struct spm_system sys;
	char text[2048] = "";
	struct spm_node *n0;
	size_t len;
	int i;

	for (i = 0; i < 400; i += 2)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%d", i ? "," : "", i);
	strcat(text, "\n");
	put(NODE "/node0/cpulist", text);
	CHECK(spm_read(&sys) == 0, "a long cpulist reads");
	n0 = spm_node_find(&sys, 0);
	text[strcspn(text, "\n")] = '\0';
	len = n0 ? strlen(n0->cpulist) : 0;
	CHECK(n0 && !strcmp(n0->cpus, text), "cpus holds all of it");
	CHECK(n0 && len < sizeof(n0->cpulist) && !strcmp(n0->cpulist + len - 3, "...") &&
	      !strncmp(n0->cpulist, text, len - 3) && text[len - 3] == ',',
	      "cpulist is cut after a whole number (%s)", n0 ? n0->cpulist : "");
	spm_free(&sys);
	put(NODE "/node0/cpulist", "0-1\n");
}

static void test_iomem_hidden(void)
{
	struct spm_system sys;

	put("/proc/iomem", "00000000-00000000 : Reserved\n"
			   "00000000-00000000 : Soft Reserved\n"
			   "  00000000-00000000 : dax0.0\n"
			   "    00000000-00000000 : System RAM (kmem)\n");
	CHECK(spm_read(&sys) == 0 && sys.iomem_hidden && !sys.nsoft_reserved && !sys.nkmem &&
	      !spm_node_find(&sys, 1)->soft_reserved,
	      "zeros mean hidden addresses, not ranges at 0");
	spm_free(&sys);
	/* A line without " : NAME" is skipped, not named from the line before. */
	put("/proc/iomem", "140000000-17fffffff : Soft Reserved\n"
			   "180000000-1bfffffff\n"
			   "1c0000000-1ffffffff :\n");
	CHECK(spm_read(&sys) == 0 && sys.nsoft_reserved == 1 &&
	      sys.soft_reserved[0].start == 0x140000000,
	      "iomem lines without a name are skipped");
	spm_free(&sys);
	rm("/proc/iomem");
	CHECK(spm_read(&sys) == 0 && !sys.nsoft_reserved, "no /proc/iomem at all");
	spm_free(&sys);
	make_tree();
}

static void test_iomem_line(void)
{
	char nested[] = "    100000000-13fffffff : System RAM (kmem)\n";
	char top[] = "00100000-7ffdffff : System RAM";
	char noname[] = "180000000-1bfffffff\n", back[] = "2000-1fff : x\n";
	uint64_t a = 0, b = 0;
	const char *name = NULL;
	size_t depth = 9;

	CHECK(spm_iomem_line(nested, &a, &b, &depth, &name) == 0 && a == 0x100000000 &&
	      b == 0x13fffffff && depth == 2 && !strcmp(name, "System RAM (kmem)"),
	      "iomem line: two levels down, inclusive end, the newline cut");
	CHECK(spm_iomem_line(top, &a, &b, &depth, &name) == 0 && depth == 0 && a == 0x100000 &&
	      !strcmp(name, "System RAM"), "iomem line: top level, no newline");
	CHECK(spm_iomem_line(noname, &a, &b, &depth, &name) == -EINVAL &&
	      spm_iomem_line(back, &a, &b, &depth, &name) == -EINVAL,
	      "iomem line: no name, or an end below the start, is no range");
}

static void test_blocks_in(void)
{
	struct spm_system sys;
	unsigned long *idx;
	int n;

	if (spm_read(&sys))
		return;
	n = spm_blocks_in(&sys, 1ULL << 32, 256ULL << 20, &idx);
	CHECK(n == 2 && idx[0] == 32 && idx[1] == 33, "256M at 4G is blocks 32-33");
	free(idx);
	n = spm_blocks_in(&sys, (1ULL << 32) + 4096, 256ULL << 20, &idx);
	CHECK(n == 1 && idx[0] == 33, "only whole blocks, as kmem onlines them");
	free(idx);
	n = spm_blocks_in(&sys, 1ULL << 32, 4096, &idx);
	CHECK(n == 0, "less than a block is none");
	free(idx);
	CHECK(spm_blocks_in(&sys, UINT64_MAX - 10, 100, &idx) == -ERANGE, "overflow");
	sys.block_size = 0;
	CHECK(spm_blocks_in(&sys, 0, 1ULL << 30, &idx) == -ENOENT, "no block size, no blocks");
	spm_free(&sys);
}

static void test_no_nodes(void)
{
	struct spm_system sys;

	rm(NODE);
	CHECK(spm_read(&sys) == -ENOENT, "no node directory is -ENOENT");
	make_tree();
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(root))
		return 99;
	make_tree();
	if (sysroot_set(root) < 0)
		return 99;
	test_nodes();
	test_kinds();
	test_old_kernel();
	test_vanished();
	test_distance_gaps();
	test_long_cpulist();
	test_iomem_hidden();
	test_iomem_line();
	test_blocks_in();
	test_no_nodes();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd))
		return 99;
	return unit_done();
}
