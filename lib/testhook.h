/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NUMAKIT_TESTHOOK_H
#define NUMAKIT_TESTHOOK_H

#include <sys/types.h>

/*
 * A test hook, compiled into every build: NUMAKIT_TEST_KILL_AT=NAME[:N]
 * makes the Nth (default: first) pass through testhook_point(NAME) send
 * SIGKILL to the operation's target and wait until it has exited (and, when
 * it is not the tool's child, until its parent reaped it, 2 s at most), so that
 * the tool goes on with a dead target at a chosen point (numakit(7),
 * ENVIRONMENT).  The victim is NUMAKIT_TEST_KILL_PID when set, else the
 * live process the tool last named as the target of its operation with
 * testhook_target() (never itself, never a pid of a captured tree): points
 * inside a scan of many processes (cpumm -a, spmctl who) kill only a
 * NUMAKIT_TEST_KILL_PID, so that no test kills a process it did not start.
 * Without the variable a point costs a test of one pointer.
 */
void testhook_target(pid_t pid);
void testhook_point(const char *name);

#endif
