/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NUMAKIT_TARGET_H
#define NUMAKIT_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A target process.  On the live system it is held by a pidfd opened once,
 * so a recycled PID is never touched: every /proc file is opened and then
 * the pidfd is checked again.  A kernel without pidfd_open (before 5.3)
 * gets no pidfd (-1): the process is then held by its start time (field 22
 * of /proc/PID/stat, in clock ticks since boot), read at open and compared
 * at every later check; a PID that now has another start time, or none,
 * belongs to a process that is gone.  Under --sysroot there is no pidfd and
 * no start time (0), and the PID names a directory of the captured tree.
 */
struct target {
	pid_t pid;
	int pidfd;
	uint64_t start_time;	/* guard without a pidfd; 0: none */
};

enum target_kind {
	TARGET_USER,		/* a process with an address space */
	TARGET_KTHREAD,		/* PF_KTHREAD: no address space */
	TARGET_ZOMBIE,		/* exited, not yet reaped: no address space */
};

/*
 * 0 or -errno (-ESRCH: no such process; -EINVAL: pid <= 0).  A kernel
 * without pidfd_open (ENOSYS, before 5.3) falls back on the start time,
 * said once with -v.  Under --sysroot only the directory /proc/PID of the
 * tree is checked and pidfd stays -1.  NUMAKIT_TEST_NO_PIDFD=1 in the
 * environment makes pidfd_open answer ENOSYS (a test hook, numakit(7)).
 */
int target_open(struct target *t, pid_t pid);
/*
 * Adopt an inherited pidfd (dup'ed; the caller keeps fd).  -EBADF if fd is
 * not open, -EINVAL if it is not a pidfd, -ESRCH if its process has exited
 * (or lives in a PID namespace we cannot see, where it has no PID for us).
 * The PID comes from the live /proc/self/fdinfo, even under --sysroot.
 */
int target_open_pidfd(struct target *t, int fd);
void target_close(struct target *t);

/*
 * 1 if the process still exists (a zombie counts), 0 if gone (or, held by
 * its start time, if the PID now has another start time), -errno.
 */
int target_alive(const struct target *t);
/*
 * Open /proc/PID/<file> (through sysroot) and make sure it belongs to the
 * process the pidfd holds: fd, or -errno (-ESRCH if it died or was recycled;
 * -ENOENT if the process lives but has no such file).  O_CLOEXEC is added.
 */
int target_proc_open(const struct target *t, const char *file, int flags);
/*
 * Field n of a /proc/PID/stat line, numbered as proc(5) numbers them (3 is
 * the state), found after the last ')' since comm may hold spaces and ')';
 * NULL when n < 3 or the line has no such field.
 */
const char *target_stat_field(const char *stat, int n);
/*
 * The value of "Key:" in the text of a /proc/PID/status file, from the first
 * character after the colon and its blanks to the end of that line, as a
 * malloc'd string; NULL with errno ENOENT when no line has that key (or
 * ENOMEM).  The key must match whole: "Cpus_allowed" is not
 * "Cpus_allowed_list".
 */
char *target_status_field(const char *status, const char *key);
/* enum target_kind from /proc/PID/stat, or -errno (-EINVAL for a malformed stat). */
int target_kind(const struct target *t);
/*
 * 1 when the process has exited (a zombie, or no longer there), else 0.  Its
 * maps, numa_maps and status then read as empty or cut short, not as an
 * error: whatever was read just before is not its address space.
 */
int target_gone(const struct target *t);
/* comm from /proc/PID/comm, without the newline; 0 or -errno. */
int target_comm(const struct target *t, char *buf, size_t size);
/*
 * Field n of a stat line as an unsigned decimal number (22 is the start
 * time): 0, -EINVAL when there is no such field or it is not a number,
 * -ERANGE past 64 bits.
 */
int target_stat_u64(const char *stat, int n, uint64_t *val);

/*
 * Command launcher.  target_spawn() forks and execs argv[0] (PATH search);
 * with hold set, the child waits before exec until target_release(), so a
 * caller can set up monitoring of the command from its first instruction.
 * An exec failure is reported back through a close-on-exec pipe: the
 * spawn (or release, when held) returns -errno of the failed execvp and
 * the child is already reaped.
 *
 * pidfd is -1 when pidfd_open failed (the PID of an unreaped child is safe
 * anyway: target_exited() then asks waitid); target_wait() closes it.
 * Signal dispositions and the signal mask are inherited as they are.  A
 * held child whose hold_fd is closed without target_release()
 * (target_wait() does so) exits with status 1 without running the command.
 */
struct target_child {
	pid_t pid;
	int pidfd;
	int hold_fd;		/* write end the child waits on, -1 if not held */
	int err_fd;		/* read end of the exec-error pipe */
};

int target_spawn(struct target_child *c, char *const argv[], int hold);
int target_release(struct target_child *c);
/*
 * Wait for the child (restarting on EINTR); returns its status as an exit
 * code (128+N for signal N), or -errno (-ECHILD when there is no child).
 */
int target_wait(struct target_child *c);
/*
 * Wait up to timeout_ms (0: do not wait, -1: forever) for the child to
 * exit, without reaping it: 1 once it has exited, 0 if it still runs,
 * -errno.  Through its pidfd, or without one by polling waitid(WNOWAIT).
 */
int target_exited(const struct target_child *c, int timeout_ms);
/* The exit status for an exec failure: 127 for ENOENT, 126 otherwise (either sign). */
int target_exec_status(int err);

#endif
