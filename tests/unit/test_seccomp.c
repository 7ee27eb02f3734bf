// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <linux/audit.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "lib/mpol.h"
#include "lib/seccomp.h"
#include "tests/unit/unit.h"

#define NR offsetof(struct seccomp_data, nr)
#define ARG0 offsetof(struct seccomp_data, args[0])

static uint32_t run(const struct sock_filter *f, size_t n, int nr, uint64_t arg0, int *rc)
{
	struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_X86_64, .args = { arg0 } };
	uint32_t action = 0xdeadbeef;

	*rc = seccomp_run(f, n, &d, &action);
	return action;
}

static void test_run(void)
{
	const struct sock_filter deny_mbind[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mbind, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	/* Kill when arg0 & 0xff == 0x42, using X, scratch memory and ALU. */
	const struct sock_filter arith[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
		BPF_STMT(BPF_ST, 3),
		BPF_STMT(BPF_LDX | BPF_W | BPF_MEM, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_IMM, 0x42),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_JMP | BPF_JA, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	const struct sock_filter bad_offset[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	const struct sock_filter no_ret[] = { BPF_STMT(BPF_LD | BPF_W | BPF_IMM, 1) };
	const struct sock_filter div0[] = {
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	int rc;

	CHECK(run(deny_mbind, 4, SYS_mbind, 0, &rc) == (SECCOMP_RET_ERRNO | EPERM) && !rc,
	      "mbind gets the errno action");
	CHECK(run(deny_mbind, 4, SYS_read, 0, &rc) == SECCOMP_RET_ALLOW && !rc, "read is allowed");
	CHECK(run(arith, 10, SYS_mbind, 0x1142, &rc) == SECCOMP_RET_KILL_PROCESS && !rc,
	      "ALU, scratch memory and X: kill on a matching argument");
	CHECK(run(arith, 10, SYS_mbind, 0x1143, &rc) == SECCOMP_RET_ALLOW && !rc,
	      "JA skips: allow otherwise");
	run(bad_offset, 2, SYS_mbind, 0, &rc);
	CHECK(rc == -EINVAL, "an unaligned load is refused");
	run(no_ret, 1, SYS_mbind, 0, &rc);
	CHECK(rc == -EINVAL, "a program without a return is refused");
	run(div0, 2, SYS_mbind, 0, &rc);
	CHECK(rc == -EINVAL, "division by a zero constant is refused");
}

static void test_combine(void)
{
	uint32_t v = SECCOMP_RET_ALLOW;

	v = seccomp_combine(v, SECCOMP_RET_LOG);
	CHECK(v == SECCOMP_RET_LOG, "log is more restrictive than allow");
	v = seccomp_combine(v, SECCOMP_RET_ERRNO | 5);
	CHECK(v == (SECCOMP_RET_ERRNO | 5), "errno over log");
	v = seccomp_combine(v, SECCOMP_RET_TRACE);
	CHECK(v == (SECCOMP_RET_ERRNO | 5), "errno over trace");
	v = seccomp_combine(v, SECCOMP_RET_KILL_PROCESS);
	CHECK(v == SECCOMP_RET_KILL_PROCESS, "kill process wins over everything");
	v = seccomp_combine(v, SECCOMP_RET_KILL_THREAD);
	CHECK(v == SECCOMP_RET_KILL_PROCESS, "kill process over kill thread");
}

static void test_mpol(void)
{
	struct mpol p = { .mode = MPOL_MODE_BIND, .mode_flags = MPOL_FLAG_STATIC_NODES };
	unsigned long words[MPOL_MASK_BITS / (8 * sizeof(long))];
	int nodes[8];
	char *s;

	p.nodes = numa_bitmask_alloc(MPOL_MASK_BITS);
	numa_bitmask_setbit(p.nodes, 0);
	numa_bitmask_setbit(p.nodes, 2);
	numa_bitmask_setbit(p.nodes, 65);
	CHECK(mpol_mode_arg(&p) == (2 | (1u << 15)), "mode argument carries the flags");
	mpol_mask_words(&p, words);
	CHECK(words[0] == 5 && words[1] == 2 && words[2] == 0, "nodemask words");
	CHECK(mpol_node_list(&p, nodes, 8) == 3 && nodes[2] == 65, "node list");
	s = mpol_nodes_str(&p);
	CHECK_STR(s, "0,2,65", "nodes as a list");
	free(s);
	CHECK_STR(mpol_mode_name(MPOL_MODE_WEIGHTED_INTERLEAVE), "weighted-interleave", "mode names");
	CHECK(mpol_mode_nodes(MPOL_MODE_LOCAL) == 0 && mpol_mode_nodes(MPOL_MODE_PREFERRED) == 1,
	      "which modes take nodes");
	numa_bitmask_free(p.nodes);
}

int main(void)
{
	test_run();
	test_combine();
	test_mpol();
	return unit_done();
}
