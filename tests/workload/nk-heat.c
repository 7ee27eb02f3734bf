// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nk-heat: a process with a known hot range, for DAMON.
 *
 * It maps SIZE bytes of anonymous memory, writes to every page of it once,
 * then keeps writing to every page of the hot part [OFFSET, OFFSET + HOT) in
 * a loop until SIGTERM or SIGINT, after which it exits with status 0.  The
 * rest of the mapping stays populated and is never touched again: DAMON
 * should find the hot part accessed and the rest cold.
 *
 *   --size SIZE        the mapping (default 128M)
 *   --hot SIZE         the hot part (default 16M; 0: nothing stays hot)
 *   --hot-offset SIZE  where the hot part starts in the mapping (default 0)
 *   --threads N        N threads (1-64, default 1; the main thread is one)
 *                      each write every page of the hot part
 *   --ready FILE       once populated, write one line to FILE (atomically):
 *                      "START END HOT_START HOT_END" in hex (0x...), ENDs
 *                      exclusive
 *   --ppid-watch       exit (SIGTERM) when the parent dies
 *
 * SIZE is a number of bytes with an optional suffix K, M or G (powers of
 * 1024), a multiple of the page size.  Exit status: 0 after a signal, 1 on
 * failure, 2 for bad arguments.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/workload/workload.h"

#define MAX_THREADS 64

struct options {
	size_t size;
	size_t hot;
	size_t hot_offset;
	long threads;
	const char *ready;
	bool ppid_watch;
};

static volatile sig_atomic_t stop;
static size_t page_size;
static volatile char *hot_start;
static size_t hot_len;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long parse_threads(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > MAX_THREADS)
		errx(2, "invalid --threads '%s': expected 1 to %d", s, MAX_THREADS);
	return v;
}

static void usage(FILE *out, int status)
{
	fprintf(out,
		"usage: %s [--size SIZE] [--hot SIZE] [--hot-offset SIZE] [--threads N]\n"
		"       [--ready FILE] [--ppid-watch]\n",
		program_invocation_short_name);
	exit(status);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_SIZE = 256, OPT_HOT, OPT_HOT_OFFSET, OPT_THREADS, OPT_READY, OPT_PPID_WATCH };
	static const struct option longopts[] = {
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "hot", required_argument, NULL, OPT_HOT },
		{ "hot-offset", required_argument, NULL, OPT_HOT_OFFSET },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "ready", required_argument, NULL, OPT_READY },
		{ "ppid-watch", no_argument, NULL, OPT_PPID_WATCH },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SIZE:
			o->size = parse_size("--size", optarg);
			break;
		case OPT_HOT:
			o->hot = parse_size("--hot", optarg);
			break;
		case OPT_HOT_OFFSET:
			o->hot_offset = parse_size("--hot-offset", optarg);
			break;
		case OPT_THREADS:
			o->threads = parse_threads(optarg);
			break;
		case OPT_READY:
			o->ready = optarg;
			break;
		case OPT_PPID_WATCH:
			o->ppid_watch = true;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (optind < argc)
		errx(2, "unexpected argument '%s'", argv[optind]);
	if (!o->size)
		errx(2, "invalid --size '0': the mapping cannot be empty");
	if (o->hot_offset > o->size || o->hot > o->size - o->hot_offset)
		errx(2, "the hot part (--hot-offset %zu, --hot %zu) does not fit in --size %zu",
		     o->hot_offset, o->hot, o->size);
}

/* Write every page of the hot part, round after round, until a signal. */
static void heat(void)
{
	size_t off;

	while (!stop)
		for (off = 0; off < hot_len && !stop; off += page_size)
			hot_start[off]++;
}

/* Nothing to heat: sleep until a signal, which cannot slip in before the wait. */
static void wait_for_signal(void)
{
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	if (sigprocmask(SIG_BLOCK, &block, &old))
		err(1, "sigprocmask");
	sigdelset(&old, SIGTERM);
	sigdelset(&old, SIGINT);
	while (!stop)
		sigsuspend(&old);
}

static void *heater(void *arg)
{
	(void)arg;
	heat();
	return NULL;
}

static void start_heaters(long n)
{
	sigset_t block, old;
	pthread_t t;
	long i;
	int e;

	/* The main thread takes the signals: the others only loop. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, &block, &old))
		errx(1, "pthread_sigmask");
	for (i = 0; i < n; i++) {
		e = pthread_create(&t, NULL, heater, NULL);
		if (e) {
			errno = e;
			err(1, "cannot create thread %ld", i);
		}
	}
	if (pthread_sigmask(SIG_SETMASK, &old, NULL))
		errx(1, "pthread_sigmask");
}

int main(int argc, char **argv)
{
	struct options o = { .size = 128UL << 20, .hot = 16UL << 20, .threads = 1 };
	struct sigaction sa = { .sa_handler = on_signal };
	char line[128];
	char *p;
	size_t off;

	page_size = sysconf(_SC_PAGESIZE);
	parse_args(argc, argv, &o);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL))
		err(1, "sigaction");
	if (o.ppid_watch)
		watch_parent();

	p = mmap(NULL, o.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		err(1, "cannot map %zu bytes", o.size);
	for (off = 0; off < o.size; off += page_size)
		p[off] = 1;
	hot_start = p + o.hot_offset;
	hot_len = o.hot;

	if (o.ready) {
		snprintf(line, sizeof(line), "0x%lx 0x%lx 0x%lx 0x%lx\n", (unsigned long)p,
			 (unsigned long)(p + o.size), (unsigned long)hot_start,
			 (unsigned long)(hot_start + hot_len));
		write_atomic(o.ready, line);
	}
	if (!hot_len) {
		wait_for_signal();
		return 0;
	}
	start_heaters(o.threads - 1);
	heat();
	return 0;
}
