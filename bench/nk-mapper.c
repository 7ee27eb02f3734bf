// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nk-mapper: the target of benchmark 1 (bench/maps-cost), after the mapper of
 * the per-VMA-lock series' benchmark.  It maps a populated anonymous region,
 * then, for the length of the run, munmap()s one random mapped page of it or
 * mmap()s one random unmapped page back, one operation every GAP, and times
 * every operation.  Holes split the region's VMA and pages mapped back merge
 * with their neighbours again, so the address space keeps changing shape
 * under whoever reads it.
 *
 *   --size SIZE      the region (default 128M, a multiple of the page size)
 *   --seconds S      length of the run (default 10; decimals allowed)
 *   --gap-us N       microseconds between two operations (default 10, 1 or more)
 *   --spin           wait out the gap in a busy loop instead of a nanosleep
 *   --seed N         seed of the random page choices (default 1)
 *   --ready FILE     once the region is populated, write "START END" in hex
 *                    (END exclusive) to FILE, atomically
 *   --start-signal   after the ready file, wait for SIGUSR1 before the first
 *                    operation (to start the run once the readers run)
 *   --done FILE      after the run, write the figures line to FILE too
 *                    (atomically), then wait for SIGTERM or SIGINT: readers
 *                    can keep reading a live address space until they are
 *                    stopped, so none fails because the target went away
 *
 * At the end it prints one line on stdout:
 *   ops=N munmaps=N mmaps=N seconds=S median_ns=N p99_ns=N p999_ns=N max_ns=N
 *   slept=N slept_max_ns=N preempted=N
 * Percentiles are nearest-rank over every operation of the run.  slept counts
 * the operations during which the mapper slept (a voluntary context switch:
 * it waited for a lock), slept_max_ns is the longest of them, and preempted
 * counts those during which another task took its CPU.
 *
 * Exit status: 0 after the run (or the signal that follows --done), 1 on a
 * failure, 2 for bad arguments.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>	/* isfinite, a macro: no libm */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "tests/workload/workload.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

struct options {
	size_t size;
	double seconds;
	long gap_us;
	uint64_t seed;
	const char *ready;
	const char *done;
	bool start_signal;
	bool spin;
};

/* The region, page by page: which pages are holes, and where each sits in holes[]. */
struct region {
	char *base;
	size_t page_size;
	size_t npages;
	size_t max_holes;
	size_t nholes;
	uint32_t *holes;	/* indices of the unmapped pages */
	uint32_t *slot;		/* page -> its index in holes[], UINT32_MAX when mapped */
};

struct run {
	uint32_t *lat;		/* ns per operation, preallocated for the whole run */
	size_t cap;
	size_t nops;
	size_t nmunmap;
	size_t nmmap;
	size_t nslept;		/* operations during which the mapper slept */
	uint64_t slept_max;	/* the longest of them, ns */
	size_t npreempted;	/* operations during which it was preempted */
	double seconds;
};

static uint64_t rng_state;

/* xorshift64*: cheap and good enough to pick pages; no libc lock in the timed loop. */
static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* A number below n, 0 when n is 0. */
static size_t rng_below(size_t n)
{
	return n ? (size_t)(rng_next() % n) : 0;
}

static double parse_seconds(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > 3600)
		errx(2, "invalid --seconds '%s': expected more than 0 and at most 3600", s);
	return v;
}

static void usage(FILE *out, int status)
{
	fprintf(out,
		"usage: %s [--size SIZE] [--seconds S] [--gap-us N] [--seed N]\n"
		"       [--spin] [--ready FILE] [--start-signal] [--done FILE]\n",
		program_invocation_short_name);
	exit(status);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_SIZE = 256, OPT_SECONDS, OPT_GAP, OPT_SEED, OPT_READY, OPT_START, OPT_DONE,
	       OPT_SPIN };
	static const struct option longopts[] = {
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "seconds", required_argument, NULL, OPT_SECONDS },
		{ "gap-us", required_argument, NULL, OPT_GAP },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "spin", no_argument, NULL, OPT_SPIN },
		{ "ready", required_argument, NULL, OPT_READY },
		{ "start-signal", no_argument, NULL, OPT_START },
		{ "done", required_argument, NULL, OPT_DONE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SIZE:
			o->size = parse_size("--size", optarg);
			break;
		case OPT_SECONDS:
			o->seconds = parse_seconds(optarg);
			break;
		case OPT_GAP:
			o->gap_us = parse_long("--gap-us", optarg, 1, 1000000);
			break;
		case OPT_SEED:
			o->seed = (uint64_t)parse_long("--seed", optarg, 1, LONG_MAX);
			break;
		case OPT_SPIN:
			o->spin = true;
			break;
		case OPT_READY:
			o->ready = optarg;
			break;
		case OPT_START:
			o->start_signal = true;
			break;
		case OPT_DONE:
			o->done = optarg;
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
	if (o->size / (size_t)sysconf(_SC_PAGESIZE) < 2)
		errx(2, "invalid --size '%zu': the region needs two pages at least", o->size);
	if (o->size / (size_t)sysconf(_SC_PAGESIZE) > UINT32_MAX - 1)
		errx(2, "invalid --size '%zu': too many pages", o->size);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		err(1, "cannot allocate %zu x %zu bytes", n, size);
	return p;
}

static void region_init(struct region *r, size_t size)
{
	size_t i;

	r->page_size = (size_t)sysconf(_SC_PAGESIZE);
	r->npages = size / r->page_size;
	/*
	 * At most one page in 64 is a hole, and about half of that at any time
	 * (see one_op): the region stays mostly mapped, as in the series, and
	 * a reader walks a steady number of VMAs.
	 */
	r->max_holes = r->npages / 64 ? r->npages / 64 : 1;
	r->holes = xcalloc(r->max_holes, sizeof(*r->holes));
	r->slot = xcalloc(r->npages, sizeof(*r->slot));
	for (i = 0; i < r->npages; i++)
		r->slot[i] = UINT32_MAX;
	/* MAP_POPULATE on a private writable mapping write-faults every page in. */
	r->base = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (r->base == MAP_FAILED)
		err(1, "cannot map %zu bytes", size);
}

static void hole_add(struct region *r, size_t page)
{
	r->slot[page] = (uint32_t)r->nholes;
	r->holes[r->nholes++] = (uint32_t)page;
}

static void hole_remove(struct region *r, size_t page)
{
	uint32_t i = r->slot[page], last = r->holes[--r->nholes];

	r->holes[i] = last;
	r->slot[last] = i;
	r->slot[page] = UINT32_MAX;
}

/* The thread's voluntary and involuntary context switches so far. */
static void switches(long *vol, long *invol)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		err(1, "getrusage");
	*vol = ru.ru_nvcsw;
	*invol = ru.ru_nivcsw;
}

/*
 * One timed operation: munmap a random mapped page, or mmap a random hole
 * back.  Returns its latency in ns.  A page mapped back is written to (after
 * the timing) so that the region stays populated.  The context switches
 * around the operation tell a wait (it slept: for a lock, as nothing else in
 * these two calls sleeps in the normal case) from a preemption.
 */
static uint64_t one_op(struct region *r, struct run *run)
{
	/* Unmap with odds 1 - holes/max: the count of holes hovers around max/2. */
	bool unmap = rng_below(r->max_holes) >= r->nholes;
	long vol0, invol0, vol1, invol1;
	uint64_t t0, t1;
	size_t page;
	char *addr;
	int failed;

	if (unmap) {
		/* Mostly mapped: a random page is a mapped one after a try or two. */
		do
			page = rng_below(r->npages);
		while (r->slot[page] != UINT32_MAX);
	} else {
		page = r->holes[rng_below(r->nholes)];
	}
	addr = r->base + page * r->page_size;
	switches(&vol0, &invol0);
	t0 = now_ns();
	if (unmap)
		failed = munmap(addr, r->page_size) != 0;
	else
		/* NOREPLACE: a page still mapped is a bug of ours, not a silent replace. */
		failed = mmap(addr, r->page_size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != addr;
	t1 = now_ns();
	switches(&vol1, &invol1);
	if (failed)
		err(1, "cannot %s page %p", unmap ? "unmap" : "map back", (void *)addr);
	if (unmap) {
		hole_add(r, page);
		run->nmunmap++;
	} else {
		*addr = 1;
		hole_remove(r, page);
		run->nmmap++;
	}
	if (vol1 != vol0) {
		run->nslept++;
		if (t1 - t0 > run->slept_max)
			run->slept_max = t1 - t0;
	}
	if (invol1 != invol0)
		run->npreempted++;
	return t1 - t0;
}

/*
 * The gap after an operation.  By default a nanosleep with the timer slack
 * cut to 1 ns (set in run_ops): with the default 50 us slack a 10 us sleep
 * lasts about 60 us.  Even so, a sleep lasts the gap plus the wake-up
 * latency of the machine, tens of microseconds in a VM; --spin instead polls
 * CLOCK_MONOTONIC (vDSO) until the gap is over, exact to a fraction of a
 * microsecond but holding a CPU for the whole run.
 */
static void wait_gap(const struct options *o, uint64_t from)
{
	struct timespec ts = { .tv_sec = o->gap_us / 1000000,
			       .tv_nsec = o->gap_us % 1000000 * 1000 };
	uint64_t until = from + (uint64_t)o->gap_us * 1000;

	if (o->spin) {
		while (now_ns() < until)
			;
		return;
	}
	if (nanosleep(&ts, NULL) && errno != EINTR)
		err(1, "nanosleep");
}

static void run_ops(struct region *r, struct run *run, const struct options *o)
{
	uint64_t start, end, t, lat;

	if (prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL))
		err(1, "prctl PR_SET_TIMERSLACK");
	/* Each operation takes at least the gap: this bounds the count. */
	run->cap = (size_t)(o->seconds * 1e6 / (double)o->gap_us) + 2;
	run->lat = xcalloc(run->cap, sizeof(*run->lat));
	/* Fault the array in now, not during the timed run. */
	memset(run->lat, 0xff, run->cap * sizeof(*run->lat));
	start = now_ns();
	end = start + (uint64_t)(o->seconds * 1e9);
	do {
		lat = one_op(r, run);
		run->lat[run->nops++] = lat > UINT32_MAX ? UINT32_MAX : (uint32_t)lat;
		wait_gap(o, now_ns());
		t = now_ns();
	} while (t < end && run->nops < run->cap);
	run->seconds = (double)(t - start) / 1e9;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least PERMILLE/1000 of the values at or below it. */
static uint32_t percentile(const uint32_t *sorted, size_t n, unsigned int permille)
{
	size_t rank = (n * permille + 999) / 1000;

	return sorted[rank ? rank - 1 : 0];
}

static void report(struct run *run, char *line, size_t len)
{
	size_t n = run->nops;

	qsort(run->lat, n, sizeof(*run->lat), cmp_u32);
	snprintf(line, len,
		 "ops=%zu munmaps=%zu mmaps=%zu seconds=%.3f median_ns=%u p99_ns=%u p999_ns=%u "
		 "max_ns=%u slept=%zu slept_max_ns=%llu preempted=%zu\n",
		 n, run->nmunmap, run->nmmap, run->seconds, percentile(run->lat, n, 500),
		 percentile(run->lat, n, 990), percentile(run->lat, n, 999), run->lat[n - 1],
		 run->nslept, (unsigned long long)run->slept_max, run->npreempted);
}

/* Wait for one of SIGNALS, blocked beforehand so that none slips in before the wait. */
static void wait_for(const sigset_t *signals)
{
	int sig;

	if (sigwait(signals, &sig))
		errx(1, "sigwait failed");
}

int main(int argc, char **argv)
{
	struct options o = { .size = 128u << 20, .seconds = 10, .gap_us = 10, .seed = 1 };
	struct region r = { 0 };
	struct run run = { 0 };
	sigset_t start_set, stop_set;
	char line[256];

	parse_args(argc, argv, &o);
	watch_parent();
	rng_state = o.seed;
	sigemptyset(&start_set);
	sigaddset(&start_set, SIGUSR1);
	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGTERM);
	sigaddset(&stop_set, SIGINT);
	if (o.start_signal && sigprocmask(SIG_BLOCK, &start_set, NULL))
		err(1, "sigprocmask");
	region_init(&r, o.size);
	if (o.ready) {
		snprintf(line, sizeof(line), "%#lx %#lx\n", (unsigned long)r.base,
			 (unsigned long)(r.base + o.size));
		write_atomic(o.ready, line);
	}
	if (o.start_signal)
		wait_for(&start_set);
	run_ops(&r, &run, &o);
	report(&run, line, sizeof(line));
	if (o.done) {
		/* Blocked before the file appears: the signal that follows cannot be lost. */
		if (sigprocmask(SIG_BLOCK, &stop_set, NULL))
			err(1, "sigprocmask");
		write_atomic(o.done, line);
	}
	fputs(line, stdout);
	if (fflush(stdout) || ferror(stdout))
		err(1, "cannot write the figures");
	if (o.done)
		wait_for(&stop_set);
	free(r.holes);
	free(r.slot);
	free(run.lat);
	return 0;
}
