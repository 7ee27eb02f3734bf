// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nk-workload: a target process for the numakit tests.
 *
 * The options choose what it maps; then it writes "ready\n" to the file given
 * by --ready (or to stdout) and waits until SIGTERM or SIGINT, after which it
 * exits with status 0.  The address space does not change while it waits,
 * unless --churn asked for changes, so a test may read /proc/PID/maps twice
 * and compare.
 *
 *   --heap             malloc and touch about 1 MiB in small blocks ([heap])
 *   --file PATH        map PATH read-only, and a second, private writable
 *                      mapping of it from its second page (PATH: 2+ pages)
 *   --deleted DIR      map a file created in DIR, then unlink it
 *   --space-name DIR   map a file of DIR whose name contains spaces
 *   --newline-name DIR map a file of DIR whose name contains a newline
 *   --anon-name NAME   name an anonymous mapping [anon:NAME]
 *   --shared-anon      a shared anonymous mapping (/dev/zero (deleted))
 *   --many N           N adjacent one-page VMAs that cannot merge
 *   --threads N        N threads that sleep (their stacks are anonymous)
 *   --huge             a 2 MiB-aligned 4 MiB anonymous MADV_HUGEPAGE mapping
 *   --touch            touch every anonymous mapping (numa_maps page counts)
 *   --churn            split, resize and remap VMAs in a loop, between
 *                      sentinel VMAs that never change (the pattern of the
 *                      kernel's tools/testing/selftests/proc/proc-maps-race.c)
 *   --churn-info FILE  write the layout of --churn as lines "KIND START-END"
 *                      (hex as in maps, END exclusive), in address order:
 *                      "sentinel" never changes, "churn" is the whole area
 *                      that changes, "core" the part of it always mapped
 *   --zombie FILE      fork a child that exits at once and is never reaped;
 *                      write its pid to FILE
 *   --lazy FILE        map a 16 MiB anonymous region and leave it untouched;
 *                      write "START-END" (hex) to FILE; on each SIGUSR1 touch
 *                      every page of it, then write "touched\n" to FILE.touched
 *                      (where its new pages go is what pmbind's tests check)
 *   --ppid-watch       exit (SIGTERM) when the parent dies
 *   --ready FILE       where to write "ready\n" (atomically, by rename)
 *
 * The files written (--ready, --churn-info, --zombie) are complete when they
 * appear.  Files made in DIR are removed at exit.  Exit status: 0 after a
 * signal, 1 on failure, 2 for bad arguments, 4 when the kernel cannot name
 * anonymous mappings (CONFIG_ANON_VMA_NAME is not set; see nk-probe).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/workload/workload.h"

#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#endif

#define HUGE_ALIGN (2UL << 20)
#define HUGE_SIZE (4UL << 20)
#define HEAP_BLOCK 4096
#define HEAP_BLOCKS 256
#define MAX_THREADS 1024
#define MAX_CLEANUP 8

/* Churn layout, in pages from the start of its PROT_NONE reservation. */
#define CH_PAGES 16
#define CH_SENT1 1	/* 2 pages PROT_READ */
#define CH_GUARD1 3	/* 1 page PROT_NONE */
#define CH_AREA 4	/* CH_AREA_PAGES pages read-write, churned */
#define CH_AREA_PAGES 8
#define CH_CORE_PAGES 4 /* the part of the area that is always mapped */
#define CH_GUARD2 12	/* 1 page PROT_NONE */
#define CH_SENT2 13	/* 2 pages PROT_READ */

struct options {
	bool heap;
	const char *file;
	const char *deleted_dir;
	const char *space_dir;
	const char *newline_dir;
	const char *anon_name;
	bool shared_anon;
	long many;
	long threads;
	bool huge;
	bool touch;
	bool churn;
	const char *churn_info;
	const char *zombie;
	const char *lazy;
	bool ppid_watch;
	const char *ready;
};

/* An anonymous mapping that --touch writes to. */
struct region {
	char *addr;
	size_t len;
	size_t stride; /* touch one page every stride bytes */
};

static volatile sig_atomic_t stop;
static volatile sig_atomic_t touch_lazy;
static size_t page_size;
static struct region regions[8];
static int nr_regions;
static char *cleanup[MAX_CLEANUP];
static int nr_cleanup;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_usr1(int sig)
{
	(void)sig;
	touch_lazy = 1;
}

static void add_region(char *addr, size_t len, size_t stride)
{
	if (nr_regions == (int)(sizeof(regions) / sizeof(regions[0])))
		errx(1, "too many regions");
	regions[nr_regions++] = (struct region){ addr, len, stride };
}

static void remove_files(void)
{
	int i;

	for (i = 0; i < nr_cleanup; i++)
		unlink(cleanup[i]);
}

/* Remove PATH at exit, an error exit included. */
static void remove_later(const char *path)
{
	if (!nr_cleanup && atexit(remove_files))
		errx(1, "atexit failed");
	if (nr_cleanup == MAX_CLEANUP)
		errx(1, "too many files to remove");
	cleanup[nr_cleanup] = strdup(path);
	if (!cleanup[nr_cleanup])
		err(1, "strdup");
	nr_cleanup++;
}

static long parse_count(const char *opt, const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		errx(2, "invalid %s '%s'", opt, s);
	return v;
}

static void *map_anon(size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		err(1, "cannot map %zu bytes", len);
	return p;
}

static void map_heap(void)
{
	int i;

	/* Small blocks come from brk; a single large one would be mmapped. */
	for (i = 0; i < HEAP_BLOCKS; i++) {
		char *p = malloc(HEAP_BLOCK);

		if (!p)
			err(1, "malloc");
		memset(p, i, HEAP_BLOCK);
	}
}

static void map_file(const char *path)
{
	struct stat st;
	volatile char *priv;
	void *p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		err(1, "cannot open '%s'", path);
	if (fstat(fd, &st))
		err(1, "cannot stat '%s'", path);
	if (st.st_size < (off_t)(2 * page_size))
		errx(1, "file '%s' is shorter than two pages", path);
	p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		err(1, "cannot map '%s'", path);
	p = mmap(NULL, st.st_size - page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
		 page_size);
	if (p == MAP_FAILED)
		err(1, "cannot map '%s' at offset %zu", path, page_size);
	/* A private copy of one page: anonymous memory inside a file mapping. */
	priv = p;
	priv[0] = priv[0] + 1;
	close(fd);
}

/* Create DIR/NAME of two pages, its path in PATH, and map it. */
static void map_new_file(const char *dir, const char *name, char *path, size_t size)
{
	char buf[4096];
	int fd;
	void *p;
	size_t done;

	if (snprintf(path, size, "%s/%s", dir, name) >= (int)size)
		errx(1, "path too long '%s'", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		err(1, "cannot create '%s'", path);
	memset(buf, 'n', sizeof(buf));
	for (done = 0; done < 2 * page_size; done += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			err(1, "cannot write '%s'", path);
	p = mmap(NULL, 2 * page_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		err(1, "cannot map '%s'", path);
	close(fd);
}

/* Map DIR/"PREFIX PID", removed at exit. */
static void map_named_file(const char *dir, const char *prefix)
{
	char name[NAME_MAX], path[PATH_MAX];

	snprintf(name, sizeof(name), "%s %d", prefix, (int)getpid());
	map_new_file(dir, name, path, sizeof(path));
	remove_later(path);
}

static void map_deleted(const char *dir)
{
	char name[NAME_MAX], path[PATH_MAX];

	snprintf(name, sizeof(name), "nk-deleted-%d", (int)getpid());
	map_new_file(dir, name, path, sizeof(path));
	if (unlink(path))
		err(1, "cannot remove '%s'", path);
}

static void map_anon_name(const char *name)
{
	size_t len = 2 * page_size;
	char *p = map_anon(len, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p, len, (unsigned long)name))
		err(errno == EINVAL ? 4 : 1,
		    "cannot name an anonymous mapping '%s' (needs CONFIG_ANON_VMA_NAME)", name);
	add_region(p, len, page_size);
}

static void map_shared_anon(void)
{
	size_t len = 2 * page_size;

	add_region(map_anon(len, PROT_READ | PROT_WRITE, MAP_SHARED), len, page_size);
}

/* Alternate protections so that no two neighbours can merge. */
static void map_many(long n)
{
	size_t len = n * page_size;
	char *p;
	long i;

	if (!n)
		return;
	p = map_anon(len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE);
	for (i = 1; i < n; i += 2) {
		if (!mprotect(p + i * page_size, page_size, PROT_READ))
			continue;
		/* Each split adds VMAs: ENOMEM is the vm.max_map_count limit. */
		if (errno == ENOMEM)
			errx(1, "cannot split the mapping of --many at page %ld: "
			     "vm.max_map_count is too low for %ld VMAs", i, n);
		err(1, "cannot split the mapping of --many at page %ld", i);
	}
	/* Only the writable pages (every other one) can be touched. */
	add_region(p, len, 2 * page_size);
}

static void map_huge(void)
{
	char *p = map_anon(HUGE_SIZE + HUGE_ALIGN, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	char *aligned = (char *)(((uintptr_t)p + HUGE_ALIGN - 1) & ~(HUGE_ALIGN - 1));

	if (aligned > p && munmap(p, aligned - p))
		err(1, "munmap");
	if (munmap(aligned + HUGE_SIZE, p + HUGE_ALIGN - aligned))
		err(1, "munmap");
	if (madvise(aligned, HUGE_SIZE, MADV_HUGEPAGE))
		err(1, "madvise MADV_HUGEPAGE");
	memset(aligned, 1, HUGE_SIZE);
}

static void touch_regions(void)
{
	size_t off;
	int i;

	for (i = 0; i < nr_regions; i++)
		for (off = 0; off < regions[i].len; off += regions[i].stride)
			regions[i].addr[off] = 1;
}

static void *sleeper(void *arg)
{
	(void)arg;
	/* SIGTERM and SIGINT are blocked here: the main thread takes them. */
	for (;;)
		pause();
	return NULL;
}

static void start_threads(long n)
{
	pthread_t t;
	long i;
	int e;

	for (i = 0; i < n; i++) {
		e = pthread_create(&t, NULL, sleeper, NULL);
		if (e) {
			errno = e;
			err(1, "cannot create thread %ld", i);
		}
	}
}

static void make_zombie(const char *file)
{
	char buf[32];
	siginfo_t si;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		err(1, "fork");
	if (!pid)
		_exit(0);
	/* Wait for the exit, but leave the child unreaped: a zombie. */
	if (waitid(P_PID, pid, &si, WEXITED | WNOWAIT))
		err(1, "waitid");
	snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	write_atomic(file, buf);
}

static char *churn_base;

static char *churn_page(int n)
{
	return churn_base + n * page_size;
}

static void churn_map_fixed(char *addr, size_t len, int prot)
{
	if (mmap(addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		err(1, "churn: mmap MAP_FIXED");
}

static void churn_setup(const char *info)
{
	char buf[512];
	size_t n = 0;

	churn_base = map_anon(CH_PAGES * page_size, PROT_NONE, MAP_PRIVATE);
	churn_map_fixed(churn_page(CH_SENT1), 2 * page_size, PROT_READ);
	churn_map_fixed(churn_page(CH_AREA), CH_AREA_PAGES * page_size, PROT_READ | PROT_WRITE);
	churn_map_fixed(churn_page(CH_SENT2), 2 * page_size, PROT_READ);
	if (!info)
		return;
#define RANGE(kind, first, pages)                                                    \
	n += snprintf(buf + n, sizeof(buf) - n, "%s %lx-%lx\n", kind,              \
		      (unsigned long)churn_page(first),                              \
		      (unsigned long)churn_page((first) + (pages)))
	RANGE("sentinel", CH_SENT1, 2);
	RANGE("sentinel", CH_GUARD1, 1);
	RANGE("churn", CH_AREA, CH_AREA_PAGES);
	RANGE("core", CH_AREA, CH_CORE_PAGES);
	RANGE("sentinel", CH_GUARD2, 1);
	RANGE("sentinel", CH_SENT2, 2);
#undef RANGE
	/* Each RANGE() assumed room for itself: a cut list would mislead the tests. */
	if (n >= sizeof(buf))
		errx(1, "churn: the range list does not fit in %zu bytes", sizeof(buf));
	write_atomic(info, buf);
}

/*
 * One round of the three changes of proc-maps-race.c; each ends where it
 * began: one read-write VMA over the whole area.
 */
static void churn_once(void)
{
	char *area = churn_page(CH_AREA);
	size_t full = CH_AREA_PAGES * page_size, core = CH_CORE_PAGES * page_size;

	/* Split the area in three, then merge it back. */
	if (mprotect(area + 2 * page_size, page_size, PROT_READ) ||
	    mprotect(area + 2 * page_size, page_size, PROT_READ | PROT_WRITE))
		err(1, "churn: mprotect");
	/* Shrink it to its core and grow it again, in place. */
	if (mremap(area, full, core, 0) == MAP_FAILED || mremap(area, core, full, 0) == MAP_FAILED)
		err(1, "churn: mremap");
	/* Map over its second half, with another protection, then back. */
	churn_map_fixed(area + core, 2 * page_size, PROT_READ);
	churn_map_fixed(area + core, 2 * page_size, PROT_READ | PROT_WRITE);
}

static void usage(FILE *out, int status)
{
	fprintf(out,
		"usage: %s [--heap] [--file PATH] [--deleted DIR] [--space-name DIR]\n"
		"       [--newline-name DIR] [--anon-name NAME] [--shared-anon] [--many N]\n"
		"       [--threads N] [--huge] [--touch] [--churn] [--churn-info FILE] [--lazy FILE]\n"
		"       [--zombie FILE] [--ppid-watch] [--ready FILE]\n",
		program_invocation_short_name);
	exit(status);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	enum {
		OPT_HEAP = 256, OPT_FILE, OPT_DELETED, OPT_SPACE, OPT_NEWLINE, OPT_ANON_NAME,
		OPT_SHARED_ANON, OPT_MANY, OPT_THREADS, OPT_HUGE, OPT_TOUCH, OPT_CHURN,
		OPT_CHURN_INFO, OPT_ZOMBIE, OPT_PPID_WATCH, OPT_READY, OPT_LAZY,
	};
	static const struct option longopts[] = {
		{ "heap", no_argument, NULL, OPT_HEAP },
		{ "file", required_argument, NULL, OPT_FILE },
		{ "deleted", required_argument, NULL, OPT_DELETED },
		{ "space-name", required_argument, NULL, OPT_SPACE },
		{ "newline-name", required_argument, NULL, OPT_NEWLINE },
		{ "anon-name", required_argument, NULL, OPT_ANON_NAME },
		{ "shared-anon", no_argument, NULL, OPT_SHARED_ANON },
		{ "many", required_argument, NULL, OPT_MANY },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "huge", no_argument, NULL, OPT_HUGE },
		{ "touch", no_argument, NULL, OPT_TOUCH },
		{ "churn", no_argument, NULL, OPT_CHURN },
		{ "churn-info", required_argument, NULL, OPT_CHURN_INFO },
		{ "zombie", required_argument, NULL, OPT_ZOMBIE },
		{ "ppid-watch", no_argument, NULL, OPT_PPID_WATCH },
		{ "ready", required_argument, NULL, OPT_READY },
		{ "lazy", required_argument, NULL, OPT_LAZY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_HEAP:
			o->heap = true;
			break;
		case OPT_FILE:
			o->file = optarg;
			break;
		case OPT_DELETED:
			o->deleted_dir = optarg;
			break;
		case OPT_SPACE:
			o->space_dir = optarg;
			break;
		case OPT_NEWLINE:
			o->newline_dir = optarg;
			break;
		case OPT_ANON_NAME:
			o->anon_name = optarg;
			break;
		case OPT_SHARED_ANON:
			o->shared_anon = true;
			break;
		case OPT_MANY:
			o->many = parse_count("--many", optarg, 1000000);
			break;
		case OPT_THREADS:
			o->threads = parse_count("--threads", optarg, MAX_THREADS);
			break;
		case OPT_HUGE:
			o->huge = true;
			break;
		case OPT_TOUCH:
			o->touch = true;
			break;
		case OPT_CHURN:
			o->churn = true;
			break;
		case OPT_CHURN_INFO:
			o->churn_info = optarg;
			break;
		case OPT_ZOMBIE:
			o->zombie = optarg;
			break;
		case OPT_PPID_WATCH:
			o->ppid_watch = true;
			break;
		case OPT_READY:
			o->ready = optarg;
			break;
		case OPT_LAZY:
			o->lazy = optarg;
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
	if (o->churn_info && !o->churn)
		errx(2, "--churn-info needs --churn");
}

static void setup_signals(sigset_t *waitmask)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	/* A SIG_IGN inherited through exec would reap --zombie's child. */
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL))
		err(1, "sigaction");
	sa.sa_handler = on_usr1;
	if (sigaction(SIGUSR1, &sa, NULL))
		err(1, "sigaction");
	/* Blocked until the wait, so that a signal cannot slip in before it. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &block, waitmask))
		err(1, "sigprocmask");
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGUSR1);
}

#define LAZY_SIZE (16UL << 20)
static char *lazy_addr;

static void map_lazy(const char *info)
{
	char buf[64];

	lazy_addr = map_anon(LAZY_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	snprintf(buf, sizeof(buf), "%lx-%lx\n", (unsigned long)lazy_addr,
		 (unsigned long)(lazy_addr + LAZY_SIZE));
	write_atomic(info, buf);
}

static void touch_lazy_region(const char *info)
{
	char path[4096];
	size_t off;

	for (off = 0; off < LAZY_SIZE; off += page_size)
		lazy_addr[off] = 1;
	snprintf(path, sizeof(path), "%s.touched", info);
	write_atomic(path, "touched\n");
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	sigset_t waitmask;

	page_size = sysconf(_SC_PAGESIZE);
	parse_args(argc, argv, &o);
	setup_signals(&waitmask);
	if (o.ppid_watch)
		watch_parent();

	if (o.heap)
		map_heap();
	if (o.file)
		map_file(o.file);
	if (o.deleted_dir)
		map_deleted(o.deleted_dir);
	if (o.space_dir)
		map_named_file(o.space_dir, "nk space name");
	if (o.newline_dir)
		map_named_file(o.newline_dir, "nk\nnewline");
	if (o.anon_name)
		map_anon_name(o.anon_name);
	if (o.shared_anon)
		map_shared_anon();
	map_many(o.many);
	if (o.huge)
		map_huge();
	if (o.touch)
		touch_regions();
	start_threads(o.threads);
	if (o.churn)
		churn_setup(o.churn_info);
	if (o.zombie)
		make_zombie(o.zombie);
	if (o.lazy)
		map_lazy(o.lazy);

	if (o.ready) {
		write_atomic(o.ready, "ready\n");
	} else {
		fputs("ready\n", stdout);
		if (fflush(stdout))
			err(1, "cannot write to stdout");
	}

	if (o.churn) {
		if (sigprocmask(SIG_SETMASK, &waitmask, NULL))
			err(1, "sigprocmask");
		while (!stop)
			churn_once();
	} else {
		while (!stop) {
			sigsuspend(&waitmask);
			if (touch_lazy && o.lazy) {
				touch_lazy = 0;
				touch_lazy_region(o.lazy);
			}
		}
	}

	return 0;
}
