/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NUMAKIT_SECCOMP_H
#define NUMAKIT_SECCOMP_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What a process's seccomp filters would answer to one system call, so a
 * syscall is run inside it only when its own filters allow it: a filter
 * that kills or traps on mbind would otherwise kill the target.
 */

/*
 * Run one classic BPF seccomp program over d.  0 with *action set, or
 * -EINVAL for an instruction the kernel's seccomp checker would refuse.
 */
int seccomp_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *d,
		uint32_t *action);

/* Fold one filter's action into the result as the kernel does (most restrictive wins). */
uint32_t seccomp_combine(uint32_t so_far, uint32_t action);

/* "allow", "log", "errno", "trap", "kill", ... for messages. */
const char *seccomp_action_name(uint32_t action);

/*
 * The verdict of every filter of a stopped tracee for d: 0 with *action,
 * or -errno (-EACCES/-EPERM: we may not read its filters, CAP_SYS_ADMIN).
 */
int seccomp_tracee_verdict(pid_t tid, const struct seccomp_data *d, uint32_t *action);

#endif
