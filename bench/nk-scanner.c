// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nk-scanner: a reader of benchmark 1 (bench/maps-cost).  It runs a command
 * (`cat /proc/PID/maps`, `mapsdump PID`...) again and again, its stdout to
 * /dev/null, until SIGTERM or SIGINT, and counts the runs that succeeded.
 * The benchmark starts it under `nice -n 15`, which its commands inherit.
 *
 *   nk-scanner --count FILE -- COMMAND [ARG...]
 *
 * On the signal it lets the running command finish, then writes
 * "scans=N seconds=S" to FILE (atomically; S from the first start to the
 * last end) and exits 0.  A command that fails (a non-zero status, killed
 * by a signal, not found) is a failure of the benchmark, never a scan not
 * counted: nk-scanner says which command failed and how on stderr (the
 * command's own message comes before it) and exits 1 without writing FILE.
 * The target of the commands must outlive the scanners (nk-mapper --done),
 * so a failure never comes from the end of the run.
 *
 * Exit status: 0 after the signal, 1 when a command failed or could not be
 * started, 2 for bad arguments.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/workload/workload.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *out, int status)
{
	fprintf(out, "usage: %s --count FILE -- COMMAND [ARG...]\n", program_invocation_short_name);
	exit(status);
}

/* The command as one string, for messages. */
static void join(char *buf, size_t len, char **argv)
{
	size_t used = 0;
	int n;

	buf[0] = '\0';
	for (; *argv && used < len; argv++) {
		n = snprintf(buf + used, len - used, "%s%s", used ? " " : "", *argv);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Run the command once, stdout to /dev/null; its wait status. */
static int run_once(char **cmd, int devnull)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		err(1, "cannot fork");
	if (pid == 0) {
		if (dup2(devnull, STDOUT_FILENO) < 0)
			_exit(126);
		execvp(cmd[0], cmd);
		fprintf(stderr, "%s: cannot run '%s': %s\n", program_invocation_short_name,
			cmd[0], strerror(errno));
		_exit(127);
	}
	/* The signal that ends the loop interrupts this wait: wait again for the command. */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			err(1, "cannot wait for '%s'", cmd[0]);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	const char *count = NULL;
	unsigned long scans = 0;
	double start, end;
	char line[128], what[512];
	int c, devnull, status;

	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			count = optarg;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (!count || optind >= argc)
		usage(stderr, 2);
	watch_parent();
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL))
		err(1, "sigaction");
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull < 0)
		err(1, "cannot open '/dev/null'");
	start = now_s();
	while (!stop) {
		status = run_once(argv + optind, devnull);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			scans++;
			continue;
		}
		join(what, sizeof(what), argv + optind);
		if (WIFSIGNALED(status))
			errx(1, "'%s' failed: killed by signal %d", what, WTERMSIG(status));
		errx(1, "'%s' failed: exit status %d", what, WEXITSTATUS(status));
	}
	end = now_s();
	snprintf(line, sizeof(line), "scans=%lu seconds=%.3f\n", scans, end - start);
	write_atomic(count, line);
	return 0;
}
