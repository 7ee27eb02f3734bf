// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/sysroot.h"
#include "lib/target.h"
#include "tests/unit/unit.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static char tmpdir[] = "/tmp/test_target.XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(99);
	}
	fputs(text, f);
	fclose(f);
}

static void mkdirs(const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	mkdir(path, 0755);
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void test_live_self(void)
{
	struct target t;
	char comm[64];
	int rc;

	rc = target_open(&t, getpid());
	CHECK(rc == 0 && t.pidfd >= 0 && t.pid == getpid(), "open self");
	CHECK(target_alive(&t) == 1, "self is alive");
	CHECK(target_kind(&t) == TARGET_USER, "self is a user process");
	CHECK(target_gone(&t) == 0, "self is not gone");
	rc = target_comm(&t, comm, sizeof(comm));
	CHECK(rc == 0, "comm of self");
	CHECK_STR(comm, "test_target", "comm has no newline");
	rc = target_comm(&t, comm, 5);
	CHECK(rc == 0 && !strcmp(comm, "test"), "comm truncated to the buffer");
	rc = target_proc_open(&t, "status", O_RDONLY);
	CHECK(rc >= 0, "proc_open status of self");
	if (rc >= 0)
		close(rc);
	rc = target_proc_open(&t, "no-such-file", O_RDONLY);
	CHECK(rc == -ENOENT, "a missing file of a live process is -ENOENT");
	target_close(&t);
	CHECK(t.pidfd == -1, "close resets the pidfd");

	rc = target_open(&t, 2);
	rc = rc < 0 ? rc : target_kind(&t);
	CHECK(rc == TARGET_KTHREAD, "pid 2 (kthreadd) is a kthread");
	target_close(&t);

	rc = target_open(&t, 0);
	CHECK(rc == -EINVAL, "pid 0 is -EINVAL");
	rc = target_open(&t, 4194304 + 1);
	CHECK(rc == -ESRCH || rc == -EINVAL, "pid above PID_MAX_LIMIT is refused");
}

static pid_t free_pid(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(0);
	waitpid(pid, &st, 0);
	return pid;
}

static void test_zombie(void)
{
	struct target t;
	siginfo_t si;
	pid_t pid;
	int st, rc;

	pid = fork();
	if (pid == 0)
		_exit(3);
	rc = target_open(&t, pid);
	CHECK(rc == 0, "open a child");
	/* Wait for the exit but leave the zombie in place. */
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	rc = target_kind(&t);
	CHECK(rc == TARGET_ZOMBIE, "an unreaped child is a zombie");
	CHECK(target_gone(&t) == 1, "a zombie is gone: it has no address space");
	rc = target_alive(&t);
	CHECK(rc == 1, "a zombie is alive");
	waitpid(pid, &st, 0);
	rc = target_alive(&t);
	CHECK(rc == 0, "a reaped child is gone");
	rc = target_kind(&t);
	CHECK(rc == -ESRCH, "kind of a reaped child is -ESRCH");
	CHECK(target_gone(&t) == 1, "a reaped child is gone");
	rc = target_proc_open(&t, "stat", O_RDONLY);
	CHECK(rc == -ESRCH, "proc_open of a reaped child is -ESRCH");
	target_close(&t);

	rc = target_open(&t, free_pid());
	CHECK(rc == -ESRCH, "open a nonexistent pid is -ESRCH");
}

static void test_pidfd(void)
{
	struct target t;
	int fd, p[2], rc;
	pid_t pid;

	fd = syscall(SYS_pidfd_open, getpid(), 0);
	rc = target_open_pidfd(&t, fd);
	CHECK(rc == 0 && t.pid == getpid(), "adopt a pidfd of self");
	CHECK(t.pidfd >= 0 && t.pidfd != fd && fcntl(fd, F_GETFD) >= 0,
	      "the pidfd is dup'ed, the caller keeps its own");
	CHECK(fcntl(t.pidfd, F_GETFD) == FD_CLOEXEC, "the dup is close-on-exec");
	target_close(&t);
	close(fd);

	if (pipe(p) == 0) {
		rc = target_open_pidfd(&t, p[0]);
		CHECK(rc == -EINVAL, "a pipe is not a pidfd");
		close(p[0]);
		close(p[1]);
	}
	rc = target_open_pidfd(&t, fd);
	CHECK(rc == -EBADF, "a closed fd is -EBADF");
	rc = target_open_pidfd(&t, -1);
	CHECK(rc == -EBADF, "fd -1 is -EBADF");

	pid = fork();
	if (pid == 0)
		_exit(0);
	fd = syscall(SYS_pidfd_open, pid, 0);
	waitpid(pid, &rc, 0);
	rc = target_open_pidfd(&t, fd);
	CHECK(rc == -ESRCH && t.pidfd == -1, "a pidfd of a reaped process is -ESRCH");
	close(fd);
}

/* Open pid under the sysroot and tell its kind: one call, no side effects left. */
static int sysroot_kind(pid_t pid)
{
	struct target t;
	int rc = target_open(&t, pid);

	rc = rc < 0 ? rc : target_kind(&t);
	target_close(&t);
	return rc;
}

static void test_sysroot(void)
{
	struct target t;
	char comm[32];
	int rc;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(99);
	}
	mkdirs("proc");
	mkdirs("proc/123");
	mkdirs("proc/124");
	mkdirs("proc/125");
	mkdirs("proc/126");
	put("proc/123/stat", "123 (a) b) (c) S 1 123 123 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1\n");
	put("proc/123/comm", "a) b) (c\n");
	put("proc/124/stat", "124 (kworker/0:1) I 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 20 0 1\n");
	put("proc/125/stat", "125 (dead) Z 1 125 125 0 -1 4227140 0 0 0 0 0 0 0 0 20 0 1\n");
	put("proc/126/stat", "126 (broken S 1\n");

	rc = sysroot_set(tmpdir);
	CHECK(rc == 0, "sysroot set");
	rc = target_open(&t, 123);
	CHECK(rc == 0 && t.pidfd == -1 && t.pid == 123, "sysroot open has no pidfd");
	rc = target_alive(&t);
	CHECK(rc == 1, "sysroot pid alive while its directory exists");
	rc = target_kind(&t);
	CHECK(rc == TARGET_USER, "comm with ') (' parsed from the last ')'");
	rc = target_comm(&t, comm, sizeof(comm));
	CHECK_STR(rc == 0 ? comm : NULL, "a) b) (c", "comm read from the sysroot");
	rc = target_proc_open(&t, "maps", O_RDONLY);
	CHECK(rc == -ENOENT, "missing file is -ENOENT");
	target_close(&t);

	CHECK(sysroot_kind(124) == TARGET_KTHREAD, "PF_KTHREAD in field 9 is a kthread");
	CHECK(sysroot_kind(125) == TARGET_ZOMBIE, "state Z is a zombie");
	CHECK(sysroot_kind(126) == -EINVAL, "a torn stat is -EINVAL");
	CHECK(sysroot_kind(127) == -ESRCH, "no directory is -ESRCH");
	CHECK(sysroot_kind(getpid()) == -ESRCH, "the live pid is not looked up under sysroot");
	put("proc/123/stat", "");
	CHECK(sysroot_kind(123) == -EINVAL, "an empty stat is -EINVAL");
	rc = sysroot_set("/");
	CHECK(rc == 0 && sysroot_is_live(), "back to the live system");
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Spawn, then wait without releasing: the exit code or -errno. */
static int spawn_wait(char *const argv[], int hold)
{
	struct target_child c;
	int rc = target_spawn(&c, argv, hold);

	return rc < 0 ? rc : target_wait(&c);
}

static void test_spawn(void)
{
	char *t_true[] = { "true", NULL };
	char *t_false[] = { "false", NULL };
	char *t_exit7[] = { "sh", "-c", "exit 7", NULL };
	char *t_sleep[] = { "sleep", "10", NULL };
	char *t_none[] = { "numakit-no-such-command", NULL };
	char *t_abs[] = { "/nonexistent/numakit", NULL };
	char noexec[] = "/tmp/test_target.noexec.XXXXXX";
	char *t_noexec[] = { noexec, NULL };
	struct target_child c;
	struct target t;
	char comm[32];
	int fd, rc, nfds = count_fds();

	rc = target_spawn(&c, t_true, 0);
	CHECK(rc == 0 && c.pid > 0 && c.pidfd >= 0 && c.hold_fd == -1, "spawn true");
	rc = target_wait(&c);
	CHECK(rc == 0, "true exits 0");
	CHECK(c.pid == -1 && c.pidfd == -1, "wait releases the child");

	rc = spawn_wait(t_false, 0);
	CHECK(rc == 1, "false exits 1");

	rc = target_spawn(&c, t_none, 0);
	CHECK(rc == -ENOENT && c.pid == -1, "a command not in PATH is -ENOENT, reaped");
	CHECK(target_exec_status(rc) == 127, "exec status for ENOENT is 127");
	rc = target_spawn(&c, t_abs, 0);
	CHECK(rc == -ENOENT, "a missing absolute path is -ENOENT");

	fd = mkstemp(noexec);
	if (fd >= 0) {
		if (write(fd, "#!/bin/sh\n", 10) != 10)
			perror("write");
		fchmod(fd, 0644);
		close(fd);
	}
	rc = target_spawn(&c, t_noexec, 0);
	CHECK(rc == -EACCES, "a file without x is -EACCES");
	CHECK(target_exec_status(rc) == 126 && target_exec_status(EACCES) == 126,
	      "exec status for EACCES is 126");
	unlink(noexec);

	rc = target_spawn(&c, t_exit7, 1);
	CHECK(rc == 0 && c.hold_fd >= 0, "spawn held");
	rc = target_open(&t, c.pid);
	rc = rc < 0 ? rc : target_comm(&t, comm, sizeof(comm));
	CHECK_STR(rc == 0 ? comm : NULL, "test_target", "a held child has not exec'ed yet");
	target_close(&t);
	rc = target_release(&c);
	CHECK(rc == 0 && c.hold_fd == -1, "release");
	rc = target_wait(&c);
	CHECK(rc == 7, "held command ran and exited 7");

	rc = target_spawn(&c, t_none, 1);
	CHECK(rc == 0, "a held spawn of a missing command succeeds until release");
	rc = target_release(&c);
	CHECK(rc == -ENOENT && c.pid == -1, "release reports -ENOENT");

	rc = spawn_wait(t_exit7, 1);
	CHECK(rc == 1, "waiting on a held child abandons the command");

	rc = target_spawn(&c, t_exit7, 1);
	if (rc == 0) {
		kill(c.pid, SIGKILL);
		rc = target_release(&c);
	}
	CHECK(rc == 0, "release after the held child died");
	rc = target_wait(&c);
	CHECK(rc == 137, "and wait reports the signal");

	rc = target_spawn(&c, t_sleep, 0);
	CHECK(rc == 0, "spawn sleep");
	if (rc == 0)
		kill(c.pid, SIGKILL);
	rc = target_wait(&c);
	CHECK(rc == 137, "a child killed by SIGKILL is 137");

	rc = target_spawn(&c, (char *[]){ NULL }, 0);
	CHECK(rc == -EINVAL, "empty argv is -EINVAL");
	rc = target_wait(&c);
	CHECK(rc == -ECHILD, "wait without a child is -ECHILD");
	CHECK(count_fds() == nfds, "the launcher leaves no fd open");
}

static void test_stat_field(void)
{
	const char *line = "42 (a b) c) S 1 42 42 0 -1 4194560 99 0 0 0 1 2 0 0 20 0 3 0 "
			   "12345 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0\n";
	const char *p;

	p = target_stat_field(line, 3);
	CHECK(p && *p == 'S', "field 3 is the state, after a comm with spaces and ')'");
	p = target_stat_field(line, 4);
	CHECK(p && !strncmp(p, "1 ", 2), "field 4 is the ppid");
	p = target_stat_field(line, 22);
	CHECK(p && !strncmp(p, "12345 ", 6), "field 22 is the start time");
	p = target_stat_field(line, 39);
	CHECK(p && !strncmp(p, "1 ", 2), "field 39 is the processor");
	CHECK(!target_stat_field(line, 60), "no field 60");
	CHECK(!target_stat_field(line, 2), "pid and comm are not fields of this reader");
	CHECK(!target_stat_field("42 (no end", 3), "a line without ')' has no field");
}

static void test_stat_u64(void)
{
	const char *head = "42 (a b) c) S 1 42 42 0 -1 4194560 99 0 0 0 1 2 0 0 20 0 3 0 ";
	char line[256];
	uint64_t v = 0;

	snprintf(line, sizeof(line), "%s12345 0 0\n", head);
	CHECK(target_stat_u64(line, 22, &v) == 0 && v == 12345, "start time 12345 from field 22");
	CHECK(target_stat_u64(line, 4, &v) == 0 && v == 1, "ppid 1 from field 4");
	CHECK(target_stat_u64(line, 3, &v) == -EINVAL, "the state is not a number");
	snprintf(line, sizeof(line), "%s18446744073709551615\n", head);
	CHECK(target_stat_u64(line, 22, &v) == 0 && v == UINT64_MAX,
	      "the largest start time, last on the line");
	snprintf(line, sizeof(line), "%s18446744073709551616\n", head);
	CHECK(target_stat_u64(line, 22, &v) == -ERANGE, "a start time past 64 bits: -ERANGE");
	CHECK(target_stat_u64("42 (x) S 1 42\n", 22, &v) == -EINVAL, "no field 22: -EINVAL");
	snprintf(line, sizeof(line), "%s-5 0\n", head);
	CHECK(target_stat_u64(line, 22, &v) == -EINVAL, "a negative start time: -EINVAL");
	snprintf(line, sizeof(line), "%s12x 0\n", head);
	CHECK(target_stat_u64(line, 22, &v) == -EINVAL, "junk after the digits: -EINVAL");
}

/* Field 22 of our own stat, read without lib/target. */
static uint64_t own_start_time(pid_t pid)
{
	uint64_t v = 0;
	char path[64], buf[1024], *p;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')'))) {
		for (i = 2; i < 22 && p; i++)
			p = strchr(p + 1, ' ');
		if (p)
			v = strtoull(p + 1, NULL, 10);
	}
	fclose(f);
	return v;
}

/* The same child checks with and without a pidfd: target_exited() must not reap. */
static void child_exited(const char *how)
{
	char *t_sleep[] = { "sleep", "10", NULL };
	struct target_child c;
	siginfo_t si;
	int rc;

	rc = target_spawn(&c, t_sleep, 0);
	CHECK(rc == 0, "%s: spawn sleep", how);
	if (rc)
		return;
	CHECK(target_exited(&c, 0) == 0, "%s: a running child has not exited", how);
	CHECK(target_exited(&c, 30) == 0, "%s: nor after 30 ms", how);
	kill(c.pid, SIGKILL);
	CHECK(target_exited(&c, 5000) == 1, "%s: a killed child has exited", how);
	si.si_pid = 0;
	rc = waitid(P_PID, c.pid, &si, WEXITED | WNOHANG | WNOWAIT);
	CHECK(rc == 0 && si.si_pid == c.pid, "%s: and is left unreaped", how);
	CHECK(target_wait(&c) == 128 + SIGKILL, "%s: target_wait reaps it", how);
	CHECK(target_exited(&c, 0) == -ECHILD, "%s: no child once reaped", how);
}

static void test_no_pidfd(void)
{
	char *t_true[] = { "true", NULL };
	struct target_child c;
	struct target t;
	siginfo_t si;
	pid_t pid;
	int st, rc, fd;

	setenv("NUMAKIT_TEST_NO_PIDFD", "0", 1);
	rc = target_open(&t, getpid());
	CHECK(rc == 0 && t.pidfd >= 0 && t.start_time == 0, "NUMAKIT_TEST_NO_PIDFD=0: a pidfd");
	target_close(&t);
	child_exited("pidfd");

	setenv("NUMAKIT_TEST_NO_PIDFD", "1", 1);
	rc = target_open(&t, getpid());
	CHECK(rc == 0 && t.pidfd == -1, "no pidfd_open: open self without a pidfd");
	CHECK(t.start_time && t.start_time == own_start_time(getpid()),
	      "held by its start time %" PRIu64, t.start_time);
	CHECK(target_alive(&t) == 1, "no pidfd_open: self is alive");
	CHECK(target_kind(&t) == TARGET_USER, "no pidfd_open: self is a user process");
	fd = target_proc_open(&t, "maps", O_RDONLY);
	CHECK(fd >= 0, "no pidfd_open: proc_open of self");
	if (fd >= 0)
		close(fd);
	/* What a recycled PID looks like: the same number, another start time. */
	t.start_time++;
	CHECK(target_alive(&t) == 0, "another start time: the process is gone");
	CHECK(target_proc_open(&t, "maps", O_RDONLY) == -ESRCH,
	      "another start time: proc_open is -ESRCH");
	CHECK(target_kind(&t) == -ESRCH, "another start time: kind is -ESRCH");
	target_close(&t);

	pid = fork();
	if (pid == 0)
		_exit(3);
	rc = target_open(&t, pid);
	CHECK(rc == 0 && t.pidfd == -1 && t.start_time, "no pidfd_open: open a child");
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	CHECK(target_alive(&t) == 1, "no pidfd_open: a zombie is alive");
	waitpid(pid, &st, 0);
	CHECK(target_alive(&t) == 0, "no pidfd_open: a reaped child is gone");
	CHECK(target_proc_open(&t, "stat", O_RDONLY) == -ESRCH,
	      "no pidfd_open: proc_open of a reaped child is -ESRCH");
	target_close(&t);
	CHECK(target_open(&t, free_pid()) == -ESRCH, "no pidfd_open: a nonexistent pid is -ESRCH");

	rc = target_spawn(&c, t_true, 0);
	CHECK(rc == 0 && c.pidfd == -1, "no pidfd_open: spawn without a pidfd");
	if (rc == 0)
		CHECK(target_wait(&c) == 0, "no pidfd_open: the spawned child is waited for");
	child_exited("no pidfd");
	unsetenv("NUMAKIT_TEST_NO_PIDFD");
}

static void test_status_field(void)
{
	const char *status = "Name:\tsleep 1\nState:\tS (sleeping)\n"
			     "Cpus_allowed_list:\t0-3\nCpus_allowed:   f\nSeccomp:\t0";
	char *v;

	v = target_status_field(status, "Name");
	CHECK(v && !strcmp(v, "sleep 1"), "the first line, blanks inside kept (%s)", v ? v : "");
	free(v);
	v = target_status_field(status, "Cpus_allowed");
	CHECK(v && !strcmp(v, "f"), "a key is not the start of a longer one (%s)", v ? v : "");
	free(v);
	v = target_status_field(status, "Seccomp");
	CHECK(v && !strcmp(v, "0"), "the last line, without its newline (%s)", v ? v : "");
	free(v);
	errno = 0;
	CHECK(!target_status_field(status, "Cpus_active_mm") && errno == ENOENT,
	      "a missing key is ENOENT");
	CHECK(!target_status_field("", "Name") && !target_status_field("Name", "Name"),
	      "an empty status, a key without a colon");
	v = target_status_field("Name:\n", "Name");
	CHECK(v && !*v, "an empty value is an empty string");
	free(v);
}

int main(void)
{
	test_stat_field();
	test_status_field();
	test_live_self();
	test_zombie();
	test_pidfd();
	test_sysroot();
	test_spawn();
	test_stat_u64();
	test_no_pidfd();
	return unit_done();
}
