// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>

#include "lib/seccomp.h"

#define ACTION_ONLY(ret) ((int32_t)((ret)&SECCOMP_RET_ACTION_FULL))

uint32_t seccomp_combine(uint32_t so_far, uint32_t action)
{
	return ACTION_ONLY(action) < ACTION_ONLY(so_far) ? action : so_far;
}

const char *seccomp_action_name(uint32_t action)
{
	switch (action & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		return "kill the process";
	case SECCOMP_RET_KILL_THREAD:
		return "kill the thread";
	case SECCOMP_RET_TRAP:
		return "trap (SIGSYS)";
	case SECCOMP_RET_ERRNO:
		return "return an error";
	case SECCOMP_RET_USER_NOTIF:
		return "notify a supervisor";
	case SECCOMP_RET_TRACE:
		return "stop for its tracer";
	case SECCOMP_RET_LOG:
		return "log and allow";
	case SECCOMP_RET_ALLOW:
		return "allow";
	default:
		return "an unknown action";
	}
}

static int alu(uint16_t op, uint32_t *a, uint32_t v)
{
	switch (op) {
	case BPF_ADD:
		*a += v;
		break;
	case BPF_SUB:
		*a -= v;
		break;
	case BPF_MUL:
		*a *= v;
		break;
	case BPF_DIV:
		if (!v)
			return -EINVAL;
		*a /= v;
		break;
	case BPF_MOD:
		if (!v)
			return -EINVAL;
		*a %= v;
		break;
	case BPF_OR:
		*a |= v;
		break;
	case BPF_AND:
		*a &= v;
		break;
	case BPF_XOR:
		*a ^= v;
		break;
	case BPF_LSH:
		*a = v < 32 ? *a << v : 0;
		break;
	case BPF_RSH:
		*a = v < 32 ? *a >> v : 0;
		break;
	case BPF_NEG:
		*a = -*a;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static int jump(uint16_t op, uint32_t a, uint32_t v)
{
	switch (op) {
	case BPF_JEQ:
		return a == v;
	case BPF_JGT:
		return a > v;
	case BPF_JGE:
		return a >= v;
	case BPF_JSET:
		return (a & v) != 0;
	default:
		return -EINVAL;
	}
}

static int load(const struct sock_filter *f, const struct seccomp_data *d, const uint32_t *mem,
		uint32_t *to)
{
	uint16_t mode = BPF_MODE(f->code);

	if (mode == BPF_IMM) {
		*to = f->k;
	} else if (mode == BPF_MEM && f->k < BPF_MEMWORDS) {
		*to = mem[f->k];
	} else if (mode == BPF_LEN && BPF_SIZE(f->code) == BPF_W) {
		*to = sizeof(*d);
	} else if (mode == BPF_ABS && BPF_CLASS(f->code) == BPF_LD && BPF_SIZE(f->code) == BPF_W &&
		   f->k % 4 == 0 && f->k < sizeof(*d)) {
		memcpy(to, (const char *)d + f->k, 4);
	} else {
		return -EINVAL;
	}
	return 0;
}

int seccomp_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *d,
		uint32_t *action)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	size_t pc;
	int t;

	for (pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &prog[pc];
		uint32_t v = BPF_SRC(f->code) == BPF_X ? x : f->k;

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (load(f, d, mem, &a))
				return -EINVAL;
			break;
		case BPF_LDX:
			if (load(f, d, mem, &x))
				return -EINVAL;
			break;
		case BPF_ST:
		case BPF_STX:
			if (f->k >= BPF_MEMWORDS)
				return -EINVAL;
			mem[f->k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			if (alu(BPF_OP(f->code), &a, v))
				return -EINVAL;
			break;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA) {
				pc += f->k;
				break;
			}
			t = jump(BPF_OP(f->code), a, v);
			if (t < 0)
				return -EINVAL;
			pc += t ? f->jt : f->jf;
			break;
		case BPF_RET:
			*action = BPF_RVAL(f->code) == BPF_A ? a : f->k;
			return 0;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		}
	}
	return -EINVAL; /* fell off the end: the kernel never accepts that */
}

int seccomp_tracee_verdict(pid_t tid, const struct seccomp_data *d, uint32_t *action)
{
	uint32_t verdict = SECCOMP_RET_ALLOW, one;
	struct sock_filter *prog;
	long n, i;
	int rc = 0;

	for (i = 0;; i++) {
		n = ptrace(PTRACE_SECCOMP_GET_FILTER, tid, i, NULL);
		if (n < 0 && errno == ENOENT && i > 0)
			break;
		if (n <= 0)
			return n < 0 ? -errno : -EINVAL;
		prog = calloc(n, sizeof(*prog));
		if (!prog)
			return -ENOMEM;
		if (ptrace(PTRACE_SECCOMP_GET_FILTER, tid, i, prog) != n)
			rc = -EIO;
		if (!rc)
			rc = seccomp_run(prog, n, d, &one);
		free(prog);
		if (rc)
			return rc;
		verdict = seccomp_combine(verdict, one);
	}
	*action = verdict;
	return 0;
}
