/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NUMAKIT_INJECT_H
#define NUMAKIT_INJECT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/target.h"

/*
 * Run one system call inside another process, through ptrace: seize one of
 * its threads, interrupt it, save its registers and signal mask, execute a
 * syscall instruction already in its code with our arguments, put
 * everything back, let the kernel restart whatever syscall the thread was
 * in exactly as it would after any stop, and detach.
 *
 * What the target sees: one of its threads stops for the duration of the
 * call, as under any debugger.  Signals that arrive meanwhile are delivered
 * to it in the normal way (an injection that meets one restores the thread
 * first, lets the signal through and tries again).  Memory is changed only
 * below the thread's stack pointer (past the x86-64 red zone), where the
 * argument block lives during the call, and is restored afterwards.
 */
struct inject {
	pid_t pid;		/* the process */
	pid_t tid;		/* the thread held */
	int seized;
	int state;		/* where the thread is: see inject.c */
	uint64_t sigmask;
	uint64_t syscall_insn;	/* address of a syscall instruction in the target */
	unsigned char regs[512];	/* the thread's registers as saved (arch layout) */
	size_t regs_len;
	long syscall_no;	/* arm64 keeps it outside the GP registers */
	unsigned int delay_ms;	/* test hook: hold with our registers set this long */
	int filtered;		/* the process runs under seccomp filters */
	char why[160];		/* why the last call was refused, for the message */
};

/*
 * Why the target cannot be injected, checked before anything is attached:
 * 0, or -EBUSY (stopped by job control), -EPERM (seccomp strict mode: any
 * other syscall kills it), -ESRCH.  *why is set to a short reason.
 */
int inject_check(const struct target *t, const char **why);

/* Seize and stop one thread.  0 or -errno (-EPERM: ptrace not allowed). */
int inject_attach(struct inject *in, const struct target *t);

/*
 * Run syscall nr with args.  Under seccomp filters, the process's own
 * filters are asked first: a call they would not allow (an error, a kill,
 * a trap, a supervisor) is not run (-EPERM, reason in in->why), nor one when
 * the filters cannot be read (CAP_SYS_ADMIN).  If data is given, it is copied into the
 * target below its stack pointer first, and every argument equal to
 * INJECT_DATA is replaced by its address there.  *ret is the syscall's
 * return value (a negative errno on failure).  0, or -errno if the
 * injection itself failed (-ESRCH: the target exited).
 */
#define INJECT_DATA ((long)0x5a5a5a5a5a5a5a5aL)
int inject_syscall(struct inject *in, long nr, const long args[6], const void *data,
		   size_t len, long *ret);

/* Restore everything and detach.  Safe to call in any state after attach. */
int inject_detach(struct inject *in);

#endif
