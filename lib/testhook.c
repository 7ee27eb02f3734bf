// SPDX-License-Identifier: GPL-2.0-or-later
/* The test hook NUMAKIT_TEST_KILL_AT (testhook.h, numakit(7)). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/msg.h"
#include "lib/parse.h"
#include "lib/sysroot.h"
#include "lib/testhook.h"

static pid_t hook_pid, kill_pid;
static const char *kill_at;	/* NULL: no hook, or it has fired */
static size_t kill_at_len;
static unsigned int kill_after = 1;

__attribute__((constructor)) static void testhook_init(void)
{
	const char *v = getenv("NUMAKIT_TEST_KILL_AT"), *colon;
	const char *victim = getenv("NUMAKIT_TEST_KILL_PID");
	int n;

	if (!v || !*v)
		return;
	if (victim && parse_int(victim, &n, 1, INT32_MAX) == 0)
		kill_pid = n;
	colon = strchr(v, ':');
	kill_at_len = colon ? (size_t)(colon - v) : strlen(v);
	if (colon && (parse_int(colon + 1, &n, 1, 1000000) < 0))
		return;
	if (colon)
		kill_after = n;
	kill_at = v;
}

void testhook_target(pid_t pid)
{
	if (pid > 0 && pid != getpid() && sysroot_is_live())
		hook_pid = pid;
}

/* SIGKILL the target through a pidfd (a recycled pid is never hit), wait for its end. */
static void kill_target(const char *name)
{
	struct pollfd p = { .events = POLLIN };
	int rc;

	p.fd = (int)syscall(SYS_pidfd_open, hook_pid, 0);
	if (p.fd < 0) {
		msg_verbose(1, "test hook %s: pid %d is already gone", name, hook_pid);
		return;
	}
	if (syscall(SYS_pidfd_send_signal, p.fd, SIGKILL, NULL, 0) < 0)
		msg_warn(errno, "test hook %s: cannot kill pid %d", name, hook_pid);
	/* A pidfd polls readable once the process has exited (a zombie included). */
	do
		rc = poll(&p, 1, 10000);
	while (rc < 0 && errno == EINTR);
	if (rc == 0)
		msg_warn(0, "test hook %s: pid %d did not exit within 10 s", name, hook_pid);
	close(p.fd);
	/*
	 * Not our child: its parent reaps it, and until then the pid still
	 * names a zombie (kill(pid, 0) succeeds, DAMON still finds the pid).
	 * Go on once it is gone, as a target that exited earlier would be.
	 */
	if (waitid(P_PID, (id_t)hook_pid, &(siginfo_t){ 0 }, WEXITED | WNOHANG | WNOWAIT) < 0 &&
	    errno == ECHILD)
		for (int i = 0; i < 2000 && kill(hook_pid, 0) == 0; i++)
			usleep(1000);
	msg_verbose(1, "test hook %s: pid %d killed", name, hook_pid);
}

void testhook_point(const char *name)
{
	if (!kill_at || strncmp(name, kill_at, kill_at_len) || name[kill_at_len])
		return;
	if (--kill_after)
		return;
	kill_at = NULL;
	if (kill_pid > 0)
		hook_pid = kill_pid;
	if (hook_pid > 0)
		kill_target(name);
}
