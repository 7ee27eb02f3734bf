// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nk-pausemeter: a target for bench/pmbind that measures, from inside, how
 * long it was kept from running.
 *
 * It maps --count regions of --size bytes each (default 1 region of one
 * page), every page touched, with a PROT_NONE page on each side so that each
 * region is a VMA of its own (as nk-safety does), and writes to --ready,
 * atomically, a file that pmbind --ranges-from reads as it is:
 *
 *   # nk-pausemeter pid=PID count=N size=BYTES page=BYTES
 *   0xSTART-0xEND        (one line per region, END exclusive)
 *
 * Then, until SIGTERM or SIGINT (or --duration seconds), it either spins
 * (the default) or sleeps (--idle: a target that takes no CPU, for timing
 * what pmbind does without the spinning loop competing for it).  Spinning is
 * a tight loop that reads CLOCK_MONOTONIC and records every gap between two
 * readings above --threshold-us (default 20): the time the thread did not
 * run, whether it was preempted, interrupted or held by a tracer.
 *
 * On SIGUSR1 it writes what it has recorded so far to --out and goes on; at
 * the end it writes it again.  The report (to --out atomically, or stdout):
 *
 *   # nk-pausemeter threshold_us=T loops=N elapsed_us=E gaps=G dropped=D max_gap_us=M
 *   START_US GAP_US      (one line per gap, in order)
 *
 * START_US is when the gap began, in microseconds since the epoch
 * (CLOCK_REALTIME, as bash's EPOCHREALTIME), so that a script can tell
 * which gaps fall within a command it timed; GAP_US has one decimal.  Gaps
 * are measured on CLOCK_MONOTONIC and placed on the realtime clock by the
 * offset between the two clocks read at start (they differ only when the
 * realtime clock is set).  Past 4 Mi gaps further ones are counted as
 * dropped, not recorded.
 *
 * Exit status: 0, 1 when it cannot set up, 2 on bad arguments.  It gets
 * SIGTERM when its parent dies (PR_SET_PDEATHSIG).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "tests/workload/workload.h"

#define MAX_COUNT 30000		/* three VMAs each, within the default max_map_count */
#define MAX_GAPS (4UL << 20)
#define NSEC_PER_USEC 1000LL
#define NSEC_PER_SEC 1000000000LL

struct gap {
	long long start;	/* CLOCK_MONOTONIC, ns */
	long long len;		/* ns */
};

static struct {
	long count;
	unsigned long long size;
	long long threshold_ns;
	long duration_s;
	int idle;
	const char *ready;
	const char *out;
} opt = { .count = 1, .threshold_ns = 20 * NSEC_PER_USEC };

static volatile sig_atomic_t stop, dump;
static struct gap *gaps;
static size_t n_gaps, cap_gaps;
static unsigned long long n_loops, n_dropped;
static long long max_gap, t_start, rt_offset;

static long long clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump = 1;
	else
		stop = 1;
}

static void record(long long start, long long len)
{
	struct gap *g;

	if (n_gaps == cap_gaps) {
		if (cap_gaps == MAX_GAPS) {
			n_dropped++;
			return;
		}
		g = realloc(gaps, 2 * cap_gaps * sizeof(*gaps));
		if (!g) {
			n_dropped++;
			return;
		}
		gaps = g;
		cap_gaps *= 2;
	}
	gaps[n_gaps++] = (struct gap){ start, len };
}

/* The report, to --out (atomically) or stdout. */
static void report(long long now)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		err(1, "open_memstream");
	fprintf(f, "# nk-pausemeter threshold_us=%lld loops=%llu elapsed_us=%lld gaps=%zu "
		   "dropped=%llu max_gap_us=%.1f\n",
		opt.threshold_ns / NSEC_PER_USEC, n_loops, (now - t_start) / NSEC_PER_USEC, n_gaps,
		n_dropped, max_gap / 1e3);
	for (i = 0; i < n_gaps; i++)
		fprintf(f, "%lld %.1f\n", (gaps[i].start + rt_offset) / NSEC_PER_USEC,
			gaps[i].len / 1e3);
	if (fclose(f))
		err(1, "cannot build the report");
	if (opt.out) {
		write_atomic(opt.out, buf);
	} else {
		fputs(buf, stdout);
		fflush(stdout);
	}
	free(buf);
}

static void spin(void)
{
	long long deadline = opt.duration_s ? t_start + opt.duration_s * NSEC_PER_SEC : 0;
	long long prev = clock_ns(CLOCK_MONOTONIC), t, d;

	while (!stop) {
		t = clock_ns(CLOCK_MONOTONIC);
		d = t - prev;
		if (d > opt.threshold_ns) {
			record(prev, d);
			if (d > max_gap)
				max_gap = d;
		}
		n_loops++;
		if (deadline && t >= deadline)
			break;
		if (dump) {
			dump = 0;
			report(t);
			/* The report's own time is not a pause of the target. */
			t = clock_ns(CLOCK_MONOTONIC);
		}
		prev = t;
	}
}

/* Sleep until a signal ends it; SIGUSR1 reports (nothing) and goes on. */
static void idle(const sigset_t *wait_mask)
{
	if (opt.duration_s)
		alarm((unsigned int)opt.duration_s);
	while (!stop) {
		sigsuspend(wait_mask);
		if (dump) {
			dump = 0;
			report(clock_ns(CLOCK_MONOTONIC));
		}
	}
}

/* Map and touch the regions; append their ranges to F. */
static void map_regions(FILE *f)
{
	size_t page = sysconf(_SC_PAGESIZE), len = opt.size, off;
	char *p;
	long i;

	for (i = 0; i < opt.count; i++) {
		p = mmap(NULL, len + 3 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			err(1, "cannot map %zu bytes (region %ld)", len + 3 * page, i);
		p += page;
		if (mprotect(p, len, PROT_READ | PROT_WRITE))
			err(1, "mprotect");
		/* A hole above the upper guard page: the next mapping cannot abut it. */
		if (munmap(p + len + page, page))
			err(1, "munmap");
		for (off = 0; off < len; off += page)
			p[off] = (char)(off / page + 1);
		fprintf(f, "0x%lx-0x%lx\n", (unsigned long)p, (unsigned long)(p + len));
	}
}

static void usage(FILE *out, int status)
{
	fprintf(out,
		"usage: %s [--count N] [--size BYTES[K|M|G]] [--threshold-us N] [--idle]\n"
		"       [--duration S] [--ready FILE] [--out FILE]\n",
		program_invocation_short_name);
	exit(status);
}

static void parse_args(int argc, char **argv)
{
	enum { O_COUNT = 256, O_SIZE, O_THRESHOLD, O_IDLE, O_DURATION, O_READY, O_OUT };
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, O_COUNT },
		{ "size", required_argument, NULL, O_SIZE },
		{ "threshold-us", required_argument, NULL, O_THRESHOLD },
		{ "idle", no_argument, NULL, O_IDLE },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "ready", required_argument, NULL, O_READY },
		{ "out", required_argument, NULL, O_OUT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opt.size = sysconf(_SC_PAGESIZE);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_COUNT:
			opt.count = parse_long("--count", optarg, 1, MAX_COUNT);
			break;
		case O_SIZE:
			opt.size = parse_size("--size", optarg);
			if (!opt.size)
				errx(2, "invalid --size '%s': must not be 0", optarg);
			break;
		case O_THRESHOLD:
			opt.threshold_ns = parse_long("--threshold-us", optarg, 1, 1000000) *
					   NSEC_PER_USEC;
			break;
		case O_IDLE:
			opt.idle = 1;
			break;
		case O_DURATION:
			opt.duration_s = parse_long("--duration", optarg, 1, 86400);
			break;
		case O_READY:
			opt.ready = optarg;
			break;
		case O_OUT:
			opt.out = optarg;
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
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, wait_mask;
	char *ready = NULL;
	size_t ready_len = 0;
	FILE *f;

	parse_args(argc, argv);
	/* Blocked until the loop starts; idle mode waits for them in sigsuspend. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGALRM);
	if (sigprocmask(SIG_BLOCK, &block, &wait_mask))
		err(1, "sigprocmask");
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL) ||
	    sigaction(SIGUSR1, &sa, NULL) || sigaction(SIGALRM, &sa, NULL))
		err(1, "sigaction");
	watch_parent();

	cap_gaps = 1 << 16;
	gaps = calloc(cap_gaps, sizeof(*gaps));
	if (!gaps)
		err(1, "malloc");
	f = open_memstream(&ready, &ready_len);
	if (!f)
		err(1, "open_memstream");
	fprintf(f, "# nk-pausemeter pid=%d count=%ld size=%llu page=%ld\n", (int)getpid(),
		opt.count, opt.size, sysconf(_SC_PAGESIZE));
	map_regions(f);
	if (fclose(f))
		err(1, "cannot build the ready file");
	rt_offset = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	t_start = clock_ns(CLOCK_MONOTONIC);
	if (opt.ready)
		write_atomic(opt.ready, ready);
	free(ready);

	if (opt.idle) {
		idle(&wait_mask);
	} else {
		if (sigprocmask(SIG_SETMASK, &wait_mask, NULL))
			err(1, "sigprocmask");
		spin();
	}
	report(clock_ns(CLOCK_MONOTONIC));
	free(gaps);
	return 0;
}
