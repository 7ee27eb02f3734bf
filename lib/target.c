// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Target processes held by a pidfd, and the launcher for wrapped commands.
 * Every /proc file is opened first and the pidfd checked afterwards: if the
 * process was still alive then, the file cannot belong to a recycled PID.
 * Without pidfd_open (Linux < 5.3) the start time of the PID stands in for
 * the pidfd: the same check, against /proc/PID/stat.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/msg.h"
#include "lib/parse.h"
#include "lib/sysroot.h"
#include "lib/target.h"

/* The headers of Debian 12 (Linux 6.1) have them, older ones may not. */
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define PF_KTHREAD 0x00200000

/* The test hook of numakit(7): the tests cannot boot a kernel before 5.3. */
static int pidfd_disabled(void)
{
	const char *v = getenv("NUMAKIT_TEST_NO_PIDFD");

	return v && !strcmp(v, "1");
}

static int sys_pidfd_open(pid_t pid)
{
	int fd;

	if (pidfd_disabled())
		return -ENOSYS;
	fd = syscall(SYS_pidfd_open, pid, 0);
	return fd < 0 ? -errno : fd;
}

int target_stat_u64(const char *stat, int n, uint64_t *val)
{
	const char *p = target_stat_field(stat, n), *end;
	uint64_t v;
	int rc;

	if (!p)
		return -EINVAL;
	rc = parse_u64_prefix(p, 10, &v, &end);
	if (rc)
		return rc;
	if (*end != ' ' && *end != '\n' && *end)
		return -EINVAL;
	*val = v;
	return 0;
}

/* The start time of whatever process has the PID now: 0, -ESRCH, -errno. */
static int pid_start_time(pid_t pid, uint64_t *ticks)
{
	char buf[1024];
	ssize_t n;

	n = sysroot_read_line(buf, sizeof(buf), "/proc/%d/stat", pid);
	if (n == -ENOENT)
		return -ESRCH;
	if (n < 0)
		return (int)n;
	return target_stat_u64(buf, 22, ticks);
}

static int open_by_start_time(struct target *t)
{
	static int told;
	int rc;

	rc = pid_start_time(t->pid, &t->start_time);
	if (rc < 0)
		return rc;
	/* Once with -v; with -vv for every target (cpumm -a opens hundreds). */
	msg_verbose(told++ ? 2 : 1, "pidfd_open: not supported by this kernel (Linux 5.3): "
		    "guarding pid %d by its start time", t->pid);
	return 0;
}

int target_open(struct target *t, pid_t pid)
{
	int fd;

	t->pid = pid;
	t->pidfd = -1;
	t->start_time = 0;
	if (pid <= 0)
		return -EINVAL;
	if (!sysroot_is_live())
		return sysroot_exists("/proc/%d", pid) ? 0 : -ESRCH;
	fd = sys_pidfd_open(pid);
	if (fd == -ENOSYS)
		return open_by_start_time(t);
	if (fd < 0)
		return fd;
	t->pidfd = fd;
	return 0;
}

/* The pid a pidfd refers to, from our own (live) fdinfo: -1 once it exited. */
static int pidfd_pid(int fd, pid_t *pid)
{
	char path[64], *buf, *p;
	ssize_t n;
	int dfd;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	dfd = open(path, O_RDONLY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	n = sysroot_read_fd(dfd, &buf);
	close(dfd);
	if (n < 0)
		return n;
	p = strstr(buf, "\nPid:\t");
	if (!p) {
		free(buf);
		return -EINVAL;
	}
	*pid = strtol(p + 6, NULL, 10);
	free(buf);
	return 0;
}

int target_open_pidfd(struct target *t, int fd)
{
	struct stat st;
	pid_t pid = -1;
	int rc;

	t->pid = -1;
	t->pidfd = -1;
	t->start_time = 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		return -EBADF;
	rc = pidfd_pid(fd, &pid);
	if (rc < 0)
		return rc;
	/* 0: the process lives in a PID namespace we cannot see into. */
	if (pid <= 0)
		return -ESRCH;
	rc = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (rc < 0)
		return -errno;
	t->pid = pid;
	t->pidfd = rc;
	rc = target_alive(t);
	if (rc <= 0) {
		target_close(t);
		return rc < 0 ? rc : -ESRCH;
	}
	return 0;
}

void target_close(struct target *t)
{
	if (t->pidfd >= 0)
		close(t->pidfd);
	t->pidfd = -1;
}

static int alive_by_start_time(const struct target *t)
{
	uint64_t now;
	int rc;

	rc = pid_start_time(t->pid, &now);
	if (rc == -ESRCH)
		return 0;
	if (rc < 0)
		return rc;
	return now == t->start_time;
}

int target_alive(const struct target *t)
{
	/*
	 * Start time 0 is the boot's first tick: that PID (1, an early kthread)
	 * never exits, so the plain existence check is as good.
	 */
	if (t->pidfd < 0 && t->start_time)
		return alive_by_start_time(t);
	if (t->pidfd < 0)
		return sysroot_exists("/proc/%d", t->pid);
	if (syscall(SYS_pidfd_send_signal, t->pidfd, 0, NULL, 0) == 0)
		return 1;
	/* EPERM: it exists, we may just not signal it. */
	if (errno == EPERM)
		return 1;
	return errno == ESRCH ? 0 : -errno;
}

int target_proc_open(const struct target *t, const char *file, int flags)
{
	int fd, alive;

	fd = sysroot_open(flags, "/proc/%d/%s", t->pid, file);
	alive = target_alive(t);
	if (alive < 0) {
		if (fd >= 0)
			close(fd);
		return alive;
	}
	if (!alive) {
		if (fd >= 0)
			close(fd);
		return -ESRCH;
	}
	return fd;
}

static int read_proc(const struct target *t, const char *file, char **buf)
{
	ssize_t n;
	int fd;

	fd = target_proc_open(t, file, O_RDONLY);
	if (fd < 0)
		return fd;
	n = sysroot_read_fd(fd, buf);
	close(fd);
	return n < 0 ? n : 0;
}

const char *target_stat_field(const char *stat, int n)
{
	const char *p = strrchr(stat, ')');
	int i;

	/* comm may hold spaces and ')': only the last ')' ends it. */
	if (n < 3 || !p || p[1] != ' ' || !p[2])
		return NULL;
	p += 2;
	for (i = 3; i < n; i++) {
		p = strchr(p, ' ');
		if (!p || !p[1])
			return NULL;
		p++;
	}
	return p;
}

char *target_status_field(const char *status, const char *key)
{
	size_t len = strlen(key);
	const char *p = status, *end;
	char *v;

	while (p && *p) {
		end = strchrnul(p, '\n');
		if (!strncmp(p, key, len) && p[len] == ':') {
			p += len + 1;
			p += strspn(p, " \t");
			v = strndup(p, end - p);
			if (!v)
				errno = ENOMEM;
			return v;
		}
		p = *end ? end + 1 : NULL;
	}
	errno = ENOENT;
	return NULL;
}

/* Field 3 (state) and field 9 (flags) of a stat line. */
static int parse_stat(const char *buf, char *state, unsigned long *flags)
{
	const char *p = target_stat_field(buf, 3);
	char *end;

	if (!p)
		return -EINVAL;
	*state = *p;
	p = target_stat_field(buf, 9);
	if (!p)
		return -EINVAL;
	errno = 0;
	*flags = strtoul(p, &end, 10);
	if (errno || end == p || (*end != ' ' && *end != '\n' && *end))
		return -EINVAL;
	return 0;
}

int target_kind(const struct target *t)
{
	unsigned long flags;
	char *buf, state;
	int rc;

	rc = read_proc(t, "stat", &buf);
	if (rc < 0)
		return rc;
	rc = parse_stat(buf, &state, &flags);
	free(buf);
	if (rc < 0)
		return rc;
	if (state == 'Z' || state == 'X')
		return TARGET_ZOMBIE;
	if (flags & PF_KTHREAD)
		return TARGET_KTHREAD;
	return TARGET_USER;
}

int target_gone(const struct target *t)
{
	int kind = target_kind(t);

	return kind == TARGET_ZOMBIE || kind == -ESRCH;
}

int target_comm(const struct target *t, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if (size == 0)
		return -EINVAL;
	fd = target_proc_open(t, "comm", O_RDONLY);
	if (fd < 0)
		return fd;
	n = sysroot_read_line_fd(fd, buf, size);
	close(fd);
	return n < 0 ? n : 0;
}

static void __attribute__((noreturn)) child_exec(char *const argv[], int err_fd, int hold_fd)
{
	char go;
	ssize_t n;
	int e;

	if (hold_fd >= 0) {
		do
			n = read(hold_fd, &go, 1);
		while (n < 0 && errno == EINTR);
		/* No byte: the launcher gave up on us, so the command must not run. */
		if (n != 1)
			_exit(EXIT_FAILURE);
	}
	execvp(argv[0], argv);
	e = errno;
	/* Should even this fail, the parent sees EOF and target_wait() gives 127. */
	if (write(err_fd, &e, sizeof(e)) != sizeof(e))
		_exit(EXIT_NOTFOUND);
	_exit(EXIT_NOTFOUND);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static pid_t reap(pid_t pid, int *status)
{
	pid_t rc;

	do
		rc = waitpid(pid, status, 0);
	while (rc < 0 && errno == EINTR);
	return rc;
}

/* EOF on the close-on-exec pipe means execvp succeeded. */
static int check_exec(struct target_child *c)
{
	ssize_t n;
	int e, st;

	do
		n = read(c->err_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close_fd(&c->err_fd);
	if (n == 0)
		return 0;
	if (n != sizeof(e))
		e = n < 0 ? errno : EIO;
	reap(c->pid, &st);
	close_fd(&c->pidfd);
	c->pid = -1;
	return -e;
}

int target_spawn(struct target_child *c, char *const argv[], int hold)
{
	int errp[2], holdp[2] = { -1, -1 };
	int rc;

	c->pid = -1;
	c->pidfd = -1;
	c->hold_fd = -1;
	c->err_fd = -1;
	if (!argv || !argv[0])
		return -EINVAL;
	if (pipe2(errp, O_CLOEXEC) < 0)
		return -errno;
	/* A socket, not a pipe, so a release after the child died cannot SIGPIPE us. */
	if (hold && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, holdp) < 0) {
		rc = -errno;
		close(errp[0]);
		close(errp[1]);
		return rc;
	}
	c->pid = fork();
	if (c->pid == 0) {
		close(errp[0]);
		if (hold)
			close(holdp[1]);
		child_exec(argv, errp[1], holdp[0]);
	}
	rc = c->pid < 0 ? -errno : 0;
	close(errp[1]);
	if (hold)
		close(holdp[0]);
	if (rc < 0) {
		close(errp[0]);
		if (hold)
			close(holdp[1]);
		return rc;
	}
	c->err_fd = errp[0];
	c->hold_fd = holdp[1];
	/* Unreaped, the child keeps its PID: a later pidfd_open is as safe. */
	rc = sys_pidfd_open(c->pid);
	c->pidfd = rc < 0 ? -1 : rc;
	if (hold)
		return 0;
	return check_exec(c);
}

int target_release(struct target_child *c)
{
	char go = 1;
	ssize_t n;

	if (c->hold_fd < 0)
		return -EINVAL;
	do
		n = send(c->hold_fd, &go, 1, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	/* EPIPE: the child died while held; target_wait() reports how. */
	close_fd(&c->hold_fd);
	return check_exec(c);
}

int target_wait(struct target_child *c)
{
	int st;

	/* Still held: closing lets the child exit without running the command. */
	close_fd(&c->hold_fd);
	close_fd(&c->err_fd);
	if (c->pid <= 0)
		return -ECHILD;
	for (;;) {
		if (reap(c->pid, &st) < 0)
			return -errno;
		if (WIFEXITED(st) || WIFSIGNALED(st))
			break;
	}
	close_fd(&c->pidfd);
	c->pid = -1;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* Without a pidfd: waitid(WNOWAIT) every 10 ms, which leaves the child unreaped. */
static int exited_by_waitid(pid_t pid, int timeout_ms)
{
	struct timespec slice;
	siginfo_t si;
	int waited = 0;

	for (;;) {
		si.si_pid = 0;
		if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
			return errno == EINTR ? 0 : -errno;
		if (si.si_pid)
			return 1;
		if (timeout_ms >= 0 && waited >= timeout_ms)
			return 0;
		slice.tv_sec = 0;
		slice.tv_nsec = 10 * 1000000L;
		if (timeout_ms >= 0 && timeout_ms - waited < 10)
			slice.tv_nsec = (timeout_ms - waited) * 1000000L;
		/* A signal ends the wait as it ends poll(): the caller looks at it. */
		if (nanosleep(&slice, NULL) < 0)
			return 0;
		waited += 10;
	}
}

int target_exited(const struct target_child *c, int timeout_ms)
{
	struct pollfd p = { .fd = c->pidfd, .events = POLLIN };
	int rc;

	if (c->pid <= 0)
		return -ECHILD;
	if (c->pidfd < 0)
		return exited_by_waitid(c->pid, timeout_ms);
	rc = poll(&p, 1, timeout_ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	return rc > 0;
}

int target_exec_status(int err)
{
	return abs(err) == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC;
}
