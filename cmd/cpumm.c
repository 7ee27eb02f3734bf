// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cpumm: the CPU footprint of an address space.
 *
 * The kernel's word for it is mm_cpumask(mm): the CPUs where the address
 * space is active, the ones a TLB flush has to reach.  The patch "fs/proc:
 * Expose mm_cpumask in /proc/[pid]/status" (Aaron Tomlin, v3, January 2026,
 * not merged) prints it in /proc/PID/status as
 *
 *	Cpus_active_mm:\t%*pb\n
 *	Cpus_active_mm_list:\t%*pbl\n
 *
 * on architectures that select CONFIG_ARCH_WANT_PROC_CPUS_ACTIVE_MM (x86 in
 * v3), read without a lock: the two lines may catch the mask in two states.
 * Where the fields are missing, --source=sample unions the CPU each thread
 * last ran on (field 39 of /proc/PID/task/TID/stat) over an interval: what
 * was observed, not the kernel's mask.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <numa.h>

#include "lib/bitmap.h"
#include "lib/msg.h"
#include "lib/opt.h"
#include "lib/parse.h"
#include "lib/sysroot.h"
#include "lib/table.h"
#include "lib/target.h"
#include "lib/testhook.h"

#define PATCH_NAME \
	"\"fs/proc: Expose mm_cpumask in /proc/[pid]/status\" (v3, January 2026, not merged)"
#define DEFAULT_INTERVAL_US 100000	/* a sampling window, or a watch tick */
#define SAMPLE_PERIOD_US 2000		/* how often a window reads the threads */
#define MAX_INTERVAL_US 3600000000ULL

enum {
	COL_PID, COL_COMM, COL_ACTIVE_LIST, COL_ACTIVE, COL_ALLOWED_LIST, COL_ALLOWED, COL_NODES,
	COL_SPAN, COL_STALE, COL_NSTALE, COL_NACTIVE, COL_SOURCE, COL_MISMATCH, COL_THREADS,
	NR_COLS
};

/* Named after the status fields they come from: their JSON keys are the kernel's. */
static const struct table_col cols[NR_COLS] = {
	[COL_PID] = { "PID", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "process id" },
	[COL_COMM] = { "COMM", 0.2, 0, SCOLS_JSON_STRING, "command name (Name: of status)" },
	[COL_ACTIVE_LIST] = { "CPUS_ACTIVE_MM_LIST", 8, 0, SCOLS_JSON_STRING,
			      "CPUs where the address space is active (list)" },
	[COL_ACTIVE] = { "CPUS_ACTIVE_MM", 8, 0, SCOLS_JSON_STRING,
			 "the same as a mask (comma-separated 32-bit hex words)" },
	[COL_ALLOWED_LIST] = { "CPUS_ALLOWED_LIST", 8, 0, SCOLS_JSON_STRING,
			       "CPUs the process may run on (list)" },
	[COL_ALLOWED] = { "CPUS_ALLOWED", 8, 0, SCOLS_JSON_STRING, "the same as a mask" },
	[COL_NODES] = { "NODES", 5, 0, SCOLS_JSON_STRING, "NUMA nodes the active CPUs belong to" },
	[COL_SPAN] = { "SPAN", 4, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		       "how many NUMA nodes the active CPUs span" },
	[COL_STALE] = { "STALE", 5, 0, SCOLS_JSON_STRING,
			"active CPUs outside the allowed ones (TLB footprint left by an "
			"affinity change)" },
	[COL_NSTALE] = { "NSTALE", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			 "how many CPUs are stale" },
	[COL_NACTIVE] = { "NACTIVE", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			  "how many CPUs are active" },
	[COL_SOURCE] = { "SOURCE", 7, 0, SCOLS_JSON_STRING,
			 "kernel (Cpus_active_mm) or sampled (observed, field 39 of task stat)" },
	[COL_MISMATCH] = { "MISMATCH", 3, 0, SCOLS_JSON_BOOLEAN_OPTIONAL,
			   "Cpus_active_mm and Cpus_active_mm_list disagree (kernel source only)" },
	[COL_THREADS] = { "THREADS", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			  "threads seen while sampling" },
};

#define DEFAULT_COLUMNS "PID,COMM,CPUS_ACTIVE_MM_LIST,CPUS_ALLOWED_LIST,NODES,STALE,SOURCE"

enum source { SRC_AUTO, SRC_KERNEL, SRC_SAMPLE };
enum sort { SORT_NONE, SORT_SPAN, SORT_PID, SORT_STALE };

struct opts {
	struct opt_common c;
	int all, watch;
	const char *source_arg, *sort_arg, *interval_arg, *count_arg;
	enum source source;
	enum sort sort;
	uint64_t interval_us;
	int count;
	const char **pids;
	int npids;
	char **cmd;
	int ncmd;
};

/* A process and what was learnt of it. */
struct proc {
	struct target t;
	pid_t pid;
	char comm[64];
	enum source source;		/* SRC_KERNEL or SRC_SAMPLE once read */
	struct bitmask *active;		/* both kernel lines together, or what was sampled */
	struct bitmask *allowed;
	char *active_mask, *active_list;	/* the kernel's text, NULL when sampled */
	char *allowed_mask, *allowed_list;
	int mismatch;
	int threads;
	int gone;			/* exited while being read */
	int status;			/* EXIT_* */
};

/* CPU to node, from /sys/devices/system/node/nodeN/cpulist. */
struct nodemap {
	int n;
	int *id;
	struct bitmask **cpus;
};

static struct nodemap nodemap;
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Sleep us microseconds; a signal that ends cpumm ends it early, no other. */
static void nap(uint64_t us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !got_signal)
		;
}

/* ---- bitmasks of any size ---- */

static struct bitmask *bm_new(unsigned int nbits)
{
	return numa_bitmask_alloc(nbits < 64 ? 64 : nbits);
}

static int bm_next(const struct bitmask *bm, unsigned int from)
{
	unsigned int i;

	for (i = from; i < bm->size; i++)
		if (numa_bitmask_isbitset(bm, i))
			return i;
	return -1;
}

/* *dst |= src, growing *dst when src is larger. */
static void bm_or(struct bitmask **dst, const struct bitmask *src)
{
	struct bitmask *d = *dst;
	int i;

	if (!d || d->size < src->size) {
		d = bm_new(src->size);
		for (i = *dst ? bm_next(*dst, 0) : -1; i >= 0; i = bm_next(*dst, i + 1))
			numa_bitmask_setbit(d, i);
		if (*dst)
			numa_bitmask_free(*dst);
		*dst = d;
	}
	for (i = bm_next(src, 0); i >= 0; i = bm_next(src, i + 1))
		numa_bitmask_setbit(d, i);
}

/* a & ~b, as a new mask. */
static struct bitmask *bm_andnot(const struct bitmask *a, const struct bitmask *b)
{
	struct bitmask *r = bm_new(a->size);
	int i;

	for (i = bm_next(a, 0); i >= 0; i = bm_next(a, i + 1))
		if (!b || !numa_bitmask_isbitset(b, i))
			numa_bitmask_setbit(r, i);
	return r;
}

static int bm_equal(const struct bitmask *a, const struct bitmask *b)
{
	struct bitmask *x = bm_andnot(a, b), *y = bm_andnot(b, a);
	int eq = bm_next(x, 0) < 0 && bm_next(y, 0) < 0;

	numa_bitmask_free(x);
	numa_bitmask_free(y);
	return eq;
}

static char *list_or_die(const struct bitmask *bm)
{
	char *s = bitmap_format_list(bm);

	if (!s) {
		msg_err(errno, "formatting a CPU list");
		exit(EXIT_FAILURE);
	}
	return s;
}

/*
 * A mask in the kernel's width: as many hex digits as `like` (a mask the
 * same kernel printed, Cpus_allowed) has, for masks the kernel did not print.
 */
static char *mask_like(const struct bitmask *bm, const char *like)
{
	char *s = bitmap_format_mask(bm), *r;
	size_t len, want = like ? strlen(like) : 0;

	if (!s) {
		msg_err(errno, "formatting a CPU mask");
		exit(EXIT_FAILURE);
	}
	len = strlen(s);
	if (!want || want >= len || strspn(s, "0,") < len - want)
		return s;
	r = msg_strdup_or_die(s + len - want);
	free(s);
	return r;
}

/* ---- nodes ---- */

static void nodemap_read(void)
{
	struct dirent *de;
	DIR *d = sysroot_opendir("/sys/devices/system/node");
	char *buf;
	int id;

	if (!d) {
		msg_verbose(1, "no /sys/devices/system/node: no NUMA nodes to show");
		return;
	}
	while ((de = sysroot_readdir(d))) {
		struct bitmask *bm;
		const char *end;
		uint64_t v;

		if (strncmp(de->d_name, "node", 4) ||
		    parse_u64_prefix(de->d_name + 4, 10, &v, &end) || *end || v > INT_MAX)
			continue;
		id = (int)v;
		if (sysroot_read_file(&buf, "/sys/devices/system/node/node%d/cpulist", id) < 0)
			continue;
		if (bitmap_parse_list(buf, &bm) < 0) {
			msg_warn(0, "node %d: cannot parse its cpulist '%s'", id, buf);
			free(buf);
			continue;
		}
		free(buf);
		nodemap.id = msg_realloc_or_die(nodemap.id, (nodemap.n + 1) * sizeof(int));
		/* NOLINTBEGIN(bugprone-sizeof-expression): an array of pointers */
		nodemap.cpus = msg_realloc_or_die(nodemap.cpus,
						  (nodemap.n + 1) * sizeof(*nodemap.cpus));
		/* NOLINTEND(bugprone-sizeof-expression) */
		nodemap.id[nodemap.n] = id;
		nodemap.cpus[nodemap.n++] = bm;
	}
	closedir(d);
}

static void nodemap_free(void)
{
	int i;

	for (i = 0; i < nodemap.n; i++)
		numa_bitmask_free(nodemap.cpus[i]);
	free(nodemap.id);
	free(nodemap.cpus);
	memset(&nodemap, 0, sizeof(nodemap));
}

/* The nodes whose CPUs meet cpus; NULL when the system shows no nodes. */
static struct bitmask *nodes_of(const struct bitmask *cpus)
{
	struct bitmask *r;
	int i, cpu, max = 0;

	if (!nodemap.n)
		return NULL;
	for (i = 0; i < nodemap.n; i++)
		if (nodemap.id[i] > max)
			max = nodemap.id[i];
	r = bm_new(max + 1);
	for (i = 0; i < nodemap.n; i++)
		for (cpu = bm_next(cpus, 0); cpu >= 0; cpu = bm_next(cpus, cpu + 1))
			if (numa_bitmask_isbitset(nodemap.cpus[i], cpu)) {
				numa_bitmask_setbit(r, nodemap.id[i]);
				break;
			}
	return r;
}

/* ---- reading a process ---- */

static const char *source_name(enum source s)
{
	return s == SRC_KERNEL ? "kernel" : "sampled";
}

static void proc_clear(struct proc *p)
{
	if (p->active)
		numa_bitmask_free(p->active);
	if (p->allowed)
		numa_bitmask_free(p->allowed);
	free(p->active_mask);
	free(p->active_list);
	free(p->allowed_mask);
	free(p->allowed_list);
	p->active = p->allowed = NULL;
	p->active_mask = p->active_list = p->allowed_mask = p->allowed_list = NULL;
}

/* Why a process cannot be read: ESRCH means it is gone. */
static int proc_fail(struct proc *p, int err, const char *what)
{
	if (err == -ESRCH) {
		p->gone = 1;
		msg_err(0, "pid %d: no such process", p->pid);
	} else {
		msg_err(-err, "cannot read %s of pid %d", what, p->pid);
	}
	return p->status = EXIT_FAILURE;
}

static int bad_field(struct proc *p, const char *field, const char *text)
{
	msg_err(0, "pid %d: malformed %s '%s' in /proc/%d/status", p->pid, field, text, p->pid);
	return p->status = EXIT_FAILURE;
}

/*
 * The active set from the kernel's two lines.  They are read without a
 * lock and may disagree; then both are kept (a CPU in either may hold TLB
 * entries) and the disagreement is said, never smoothed over.
 */
static int kernel_active(struct proc *p)
{
	struct bitmask *m = NULL, *l = NULL, *only_m, *only_l;
	char *a, *b;

	if (bitmap_parse_mask(p->active_mask, &m) < 0)
		return bad_field(p, "Cpus_active_mm", p->active_mask);
	if (bitmap_parse_list(p->active_list, &l) < 0) {
		numa_bitmask_free(m);
		return bad_field(p, "Cpus_active_mm_list", p->active_list);
	}
	p->mismatch = !bm_equal(m, l);
	if (p->mismatch) {
		only_m = bm_andnot(m, l);
		only_l = bm_andnot(l, m);
		a = list_or_die(only_m);
		b = list_or_die(only_l);
		msg_warn(0, "pid %d: Cpus_active_mm '%s' and Cpus_active_mm_list '%s' disagree "
			 "(only in the mask: %s; only in the list: %s): both are kept", p->pid,
			 p->active_mask, p->active_list, *a ? a : "none", *b ? b : "none");
		free(a);
		free(b);
		numa_bitmask_free(only_m);
		numa_bitmask_free(only_l);
	}
	if (p->active)
		numa_bitmask_free(p->active);
	p->active = NULL;
	bm_or(&p->active, m);
	bm_or(&p->active, l);
	numa_bitmask_free(m);
	numa_bitmask_free(l);
	return 0;
}

/*
 * Read /proc/PID/status: name, allowed CPUs and, when there, the kernel's
 * active mask.  Sets p->source from want (auto: kernel if the field is
 * there).  Returns 0, or an exit status (said, unless ESRCH and quiet).
 */
static int read_status(struct proc *p, enum source want, int quiet)
{
	char *buf = NULL, *name;
	ssize_t n;
	int fd;

	proc_clear(p);
	fd = target_proc_open(&p->t, "status", O_RDONLY);
	if (fd < 0) {
		if (fd == -ESRCH && quiet)
			return p->gone = 1, p->status = EXIT_FAILURE;
		return proc_fail(p, fd, "status");
	}
	n = sysroot_read_fd(fd, &buf);
	close(fd);
	if (n < 0) {
		if (n == -ESRCH && quiet)
			return p->gone = 1, p->status = EXIT_FAILURE;
		return proc_fail(p, n, "status");
	}
	name = target_status_field(buf, "Name");
	if (name)
		snprintf(p->comm, sizeof(p->comm), "%s", name);
	free(name);
	p->allowed_mask = target_status_field(buf, "Cpus_allowed");
	p->allowed_list = target_status_field(buf, "Cpus_allowed_list");
	p->active_mask = target_status_field(buf, "Cpus_active_mm");
	p->active_list = target_status_field(buf, "Cpus_active_mm_list");
	free(buf);
	if (!p->allowed_mask || bitmap_parse_mask(p->allowed_mask, &p->allowed) < 0)
		return bad_field(p, "Cpus_allowed", p->allowed_mask ? p->allowed_mask : "");
	if (!p->active_mask != !p->active_list) {
		msg_err(0, "pid %d: /proc/%d/status has %s but not %s", p->pid, p->pid,
			p->active_mask ? "Cpus_active_mm" : "Cpus_active_mm_list",
			p->active_mask ? "Cpus_active_mm_list" : "Cpus_active_mm");
		return p->status = EXIT_FAILURE;
	}
	if (!p->active_mask && want == SRC_KERNEL) {
		msg_err(0, "pid %d: /proc/%d/status has no Cpus_active_mm: the kernel lacks the "
			"patch %s", p->pid, p->pid, PATCH_NAME);
		msg_hint("--source=sample observes the CPUs the threads run on instead");
		return p->status = EXIT_NOTSUP;
	}
	p->source = p->active_mask && want != SRC_SAMPLE ? SRC_KERNEL : SRC_SAMPLE;
	if (p->source == SRC_SAMPLE) {
		free(p->active_mask);
		free(p->active_list);
		p->active_mask = p->active_list = NULL;
		return 0;
	}
	return kernel_active(p);
}

/*
 * Field 39 (processor) of a task's stat; -EINVAL when malformed, -ESRCH
 * for a task that has exited (a zombie ran nowhere since).
 */
/* Field 39 (processor) of a thread's stat; -ESRCH for a dead thread. */
static int stat_cpu(const char *buf)
{
	const char *state = target_stat_field(buf, 3);
	uint64_t cpu;

	if (!state)
		return -EINVAL;
	if (*state == 'Z' || *state == 'X' || *state == 'x')
		return -ESRCH;
	if (target_stat_u64(buf, 39, &cpu) || cpu > INT_MAX)
		return -EINVAL;
	return (int)cpu;
}

/*
 * One look at every thread: the CPU each last ran on goes into p->active.
 * 0, or -ESRCH when the process is gone.
 */
static int sample_once(struct proc *p)
{
	struct dirent *de;
	char file[64], *buf;
	int fd, cpu, n = 0;
	ssize_t len;
	DIR *d;

	d = sysroot_opendir("/proc/%d/task", p->pid);
	if (!d)
		return -ESRCH;
	while ((de = sysroot_readdir(d))) {
		pid_t tid;

		if (parse_pid(de->d_name, &tid) < 0)
			continue;
		snprintf(file, sizeof(file), "task/%d/stat", (int)tid);
		fd = target_proc_open(&p->t, file, O_RDONLY);
		if (fd == -ESRCH) {
			closedir(d);
			return -ESRCH;
		}
		if (fd < 0)
			continue;	/* the thread exited since readdir */
		len = sysroot_read_fd(fd, &buf);
		close(fd);
		if (len < 0)
			continue;
		cpu = stat_cpu(buf);
		free(buf);
		if (cpu < 0)
			continue;
		if (!p->active || (unsigned int)cpu >= p->active->size) {
			struct bitmask *one = bm_new(cpu + 1);

			numa_bitmask_setbit(one, cpu);
			bm_or(&p->active, one);
			numa_bitmask_free(one);
		} else {
			numa_bitmask_setbit(p->active, cpu);
		}
		n++;
	}
	closedir(d);
	if (n > p->threads)
		p->threads = n;
	/* No thread left to read: the process has exited (or is a zombie). */
	return n ? 0 : -ESRCH;
}

/*
 * A sampling window over every process that samples: read their threads
 * every SAMPLE_PERIOD_US for window_us.  A captured tree does not change:
 * one look is enough there.  A process that exits is marked gone.
 */
static void sample_window(struct proc **ps, size_t n, uint64_t window_us)
{
	int64_t end = mono_us() + (int64_t)window_us;
	size_t i, left;

	for (i = 0; i < n; i++) {
		if (ps[i]->active)
			numa_bitmask_free(ps[i]->active);
		ps[i]->active = bm_new(64);
		ps[i]->threads = 0;
	}
	for (;;) {
		for (i = left = 0; i < n; i++) {
			if (ps[i]->gone)
				continue;
			if (sample_once(ps[i]) == -ESRCH)
				ps[i]->gone = 1;
			else
				left++;
		}
		if (!left || !sysroot_is_live() || got_signal || mono_us() >= end)
			break;
		testhook_point("cpumm-sample");
		nap(SAMPLE_PERIOD_US);
	}
}

/* ---- output ---- */

static void row(struct table *t, const struct proc *p)
{
	struct libscols_line *ln = table_line(t);
	struct bitmask *nodes = nodes_of(p->active), *stale = bm_andnot(p->active, p->allowed);
	char *s;

	if (!ln) {
		msg_err(ENOMEM, "building the table");
		exit(EXIT_FAILURE);
	}
	table_set(t, ln, COL_PID, "%d", p->pid);
	table_set(t, ln, COL_COMM, "%s", p->comm);
	s = list_or_die(p->active);
	table_set(t, ln, COL_ACTIVE_LIST, "%s", p->active_list ? p->active_list : s);
	free(s);
	s = p->active_mask ? NULL : mask_like(p->active, p->allowed_mask);
	table_set(t, ln, COL_ACTIVE, "%s", s ? s : p->active_mask);
	free(s);
	table_set(t, ln, COL_ALLOWED_LIST, "%s", p->allowed_list ? p->allowed_list : "");
	table_set(t, ln, COL_ALLOWED, "%s", p->allowed_mask);
	if (nodes) {
		s = list_or_die(nodes);
		table_set(t, ln, COL_NODES, "%s", s);
		table_set(t, ln, COL_SPAN, "%d", numa_bitmask_weight(nodes));
		free(s);
		numa_bitmask_free(nodes);
	}
	s = list_or_die(stale);
	table_set(t, ln, COL_STALE, "%s", *s ? s : "");
	free(s);
	table_set(t, ln, COL_NSTALE, "%u", numa_bitmask_weight(stale));
	table_set(t, ln, COL_NACTIVE, "%u", numa_bitmask_weight(p->active));
	table_set(t, ln, COL_SOURCE, "%s", source_name(p->source));
	if (p->source == SRC_KERNEL)
		table_set(t, ln, COL_MISMATCH, "%s", p->mismatch ? "yes" : "no");
	else
		table_set(t, ln, COL_THREADS, "%d", p->threads);
	numa_bitmask_free(stale);
}

static int span_of(const struct proc *p)
{
	struct bitmask *n = nodes_of(p->active);
	int w = n ? (int)numa_bitmask_weight(n) : 0;

	if (n)
		numa_bitmask_free(n);
	return w;
}

static int stale_of(const struct proc *p)
{
	struct bitmask *s = bm_andnot(p->active, p->allowed);
	int w = numa_bitmask_weight(s);

	numa_bitmask_free(s);
	return w;
}

struct keyed {
	struct proc *p;
	int key;
};

/* Widest first (span, stale), then by pid. */
static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->key != y->key)
		return x->key > y->key ? -1 : 1;
	return (x->p->pid > y->p->pid) - (x->p->pid < y->p->pid);
}

static void sort_procs(struct proc **ps, size_t n, enum sort how)
{
	struct keyed *k;
	size_t i;

	if (how == SORT_NONE || n < 2)
		return;
	k = msg_calloc_or_die(n, sizeof(*k));
	for (i = 0; i < n; i++) {
		k[i].p = ps[i];
		k[i].key = how == SORT_SPAN ? span_of(ps[i]) :
			   how == SORT_STALE ? stale_of(ps[i]) : 0;
	}
	qsort(k, n, sizeof(*k), cmp_keyed);
	for (i = 0; i < n; i++)
		ps[i] = k[i].p;
	free(k);
}

static int print_table(const struct opts *o, struct proc **ps, size_t n)
{
	struct table t;
	size_t i;
	int rc;

	rc = table_init(&t, cols, NR_COLS, DEFAULT_COLUMNS, o->c.json, "processes");
	if (rc < 0)
		return rc == -EINVAL ? EXIT_USAGE : EXIT_FAILURE;
	for (i = 0; i < n; i++)
		row(&t, ps[i]);
	rc = table_print(&t);
	table_free(&t);
	return rc < 0 ? EXIT_FAILURE : 0;
}

/* ---- list: cpumm [PID...] and cpumm -a ---- */

/* Open and check one process; 0, or an exit status (quiet: nothing said for what -a skips). */
static int proc_open(struct proc *p, pid_t pid, int quiet)
{
	int rc, kind;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->t.pidfd = -1;
	rc = target_open(&p->t, pid);
	/* -a reads every process: its point kills only NUMAKIT_TEST_KILL_PID. */
	if (!quiet)
		testhook_target(pid);
	if (rc < 0) {
		p->gone = rc == -ESRCH;
		if (!quiet)
			proc_fail(p, rc, "the process");
		return p->status = EXIT_FAILURE;
	}
	kind = target_kind(&p->t);
	if (kind == TARGET_KTHREAD || kind == TARGET_ZOMBIE || kind == -ESRCH) {
		if (!quiet && kind == -ESRCH)
			proc_fail(p, kind, "the process");
		else if (!quiet)
			msg_err(0, "pid %d is a %s: it has no address space", pid,
				kind == TARGET_KTHREAD ? "kernel thread" : "zombie");
		p->gone = kind != TARGET_KTHREAD;
		return p->status = EXIT_FAILURE;
	}
	/* A captured tree may hold no stat: the status file says the rest. */
	return 0;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Every numeric directory of /proc, in pid order. */
static int scan_pids(pid_t **out, size_t *n)
{
	DIR *d = sysroot_opendir("/proc");
	struct dirent *de;
	pid_t pid, *v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d) {
		msg_err(errno, "cannot read '%s/proc'", sysroot_is_live() ? "" : sysroot_get());
		return EXIT_FAILURE;
	}
	while ((de = sysroot_readdir(d))) {
		if (parse_pid(de->d_name, &pid) < 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			v = msg_realloc_or_die(v, cap * sizeof(*v));
		}
		v[(*n)++] = pid;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), pid_cmp);
	*out = v;
	return 0;
}

static int run_list(const struct opts *o)
{
	struct proc *procs, **ok, **sampling;
	size_t n = 0, nok = 0, nsamp = 0, i;
	int nfail = 0, fail_status = 0, rc;
	pid_t *pids = NULL;

	if (o->all) {
		rc = scan_pids(&pids, &n);
		if (rc)
			return rc;
	} else {
		n = o->npids;
		pids = msg_calloc_or_die(n, sizeof(*pids));
		for (i = 0; i < n; i++)
			parse_pid(o->pids[i], &pids[i]);
	}
	procs = msg_calloc_or_die(n ? n : 1, sizeof(*procs));
	/* NOLINTBEGIN(bugprone-sizeof-expression): arrays of pointers */
	ok = msg_calloc_or_die(n ? n : 1, sizeof(*ok));
	sampling = msg_calloc_or_die(n ? n : 1, sizeof(*sampling));
	/* NOLINTEND(bugprone-sizeof-expression) */
	for (i = 0; i < n; i++) {
		struct proc *p = &procs[i];

		if (!proc_open(p, pids[i], o->all))
			read_status(p, o->source, o->all);
		testhook_point("cpumm-scan");
		/* -a skips what is not a process with an address space, or is gone. */
		if (p->status && o->all && p->status != EXIT_NOTSUP)
			continue;
		if (p->status == EXIT_NOTSUP && o->all) {
			fail_status = EXIT_NOTSUP;
			nfail = 1;
			nok = 0;
			goto out;
		}
		if (p->status) {
			fail_status = nfail++ && fail_status != p->status ? EXIT_FAILURE :
									     p->status;
			continue;
		}
		ok[nok++] = p;
		if (p->source == SRC_SAMPLE)
			sampling[nsamp++] = p;
	}
	if (nsamp) {
		msg_verbose(1, "sampling %zu processes for %" PRIu64 " us", nsamp, o->interval_us);
		sample_window(sampling, nsamp, o->interval_us);
	}
	/* What exited during the window: -a drops it, a named pid fails. */
	for (i = rc = 0; i < nok; i++) {
		if (!ok[i]->gone) {
			ok[rc++] = ok[i];
			continue;
		}
		if (!o->all) {
			msg_err(0, "pid %d exited while being sampled", ok[i]->pid);
			fail_status = EXIT_FAILURE;
			nfail++;
		}
	}
	nok = rc;
	sort_procs(ok, nok, o->sort);
	if (nok || !nfail) {
		rc = print_table(o, ok, nok);
		if (rc) {
			fail_status = rc;
			nfail = 1;
			nok = 0;
		}
	}
out:
	for (i = 0; i < n; i++) {
		proc_clear(&procs[i]);
		target_close(&procs[i].t);
	}
	free(procs);
	free(ok);
	free(sampling);
	free(pids);
	if (nfail)
		return nok ? EXIT_PARTIAL : fail_status;
	return EXIT_SUCCESS;
}

/* ---- following one process: --watch, and -- CMD ---- */

struct follow {
	const struct opts *o;
	struct proc *p;
	struct bitmask *prev;		/* the active set at the last tick */
	struct bitmask *ever;		/* every CPU seen active */
	struct bitmask *allowed;	/* the allowed CPUs at the last tick, */
	char *allowed_mask, *allowed_list;	/* and as the kernel printed them */
	int ticks, changes;
	int mismatches;			/* ticks where the two kernel lines disagreed */
	int last;			/* the process went away during this tick */
	int64_t t0;
	const char *end;		/* why it stopped: count, signal, exited */
	int64_t t_end;			/* when following stopped (0: still at the summary) */
};

static void timestamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03ld", ts.tv_nsec / 1000000);
}

static void print_json_line(json_object *obj)
{
	fprintf(stdout, "%s\n", json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(obj);
}

static json_object *j_list(const struct bitmask *bm)
{
	char *s = list_or_die(bm);
	json_object *j = json_object_new_string(s);

	free(s);
	return j;
}

/* One watch line: the set now and what changed since the last one. */
static void watch_line(struct follow *f, const struct bitmask *added, const struct bitmask *dropped)
{
	struct bitmask *nodes = nodes_of(f->p->active);
	char ts[64], *now, *add, *drop, *nl;
	int64_t el = mono_us() - f->t0;

	timestamp(ts, sizeof(ts));
	if (f->o->c.json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "event", json_object_new_string(f->prev ? "change" :
									    "initial"));
		json_object_object_add(j, "timestamp", json_object_new_string(ts));
		json_object_object_add(j, "elapsed_us", json_object_new_int64(el));
		json_object_object_add(j, "pid", json_object_new_int(f->p->pid));
		json_object_object_add(j, "cpus_active_mm_list", j_list(f->p->active));
		json_object_object_add(j, "added", j_list(added));
		json_object_object_add(j, "dropped", j_list(dropped));
		json_object_object_add(j, "nodes", nodes ? j_list(nodes) : NULL);
		json_object_object_add(j, "source",
				       json_object_new_string(source_name(f->p->source)));
		if (f->p->source == SRC_KERNEL)
			json_object_object_add(j, "mismatch",
					       json_object_new_boolean(f->p->mismatch));
		print_json_line(j);
	} else {
		now = list_or_die(f->p->active);
		add = list_or_die(added);
		drop = list_or_die(dropped);
		nl = nodes ? list_or_die(nodes) : NULL;
		printf("%s pid %d active %s nodes %s added %s dropped %s%s\n", ts, f->p->pid,
		       *now ? now : "-", nl && *nl ? nl : "-", *add ? add : "-", *drop ? drop : "-",
		       f->prev ? "" : f->p->source == SRC_KERNEL ? " (kernel)" : " (sampled)");
		fflush(stdout);
		free(now);
		free(add);
		free(drop);
		free(nl);
	}
	if (nodes)
		numa_bitmask_free(nodes);
}

/* Compare with the last tick; print when asked to. */
static void follow_update(struct follow *f, int print)
{
	struct bitmask *added, *dropped;
	int changed;

	added = bm_andnot(f->p->active, f->prev);
	dropped = f->prev ? bm_andnot(f->prev, f->p->active) : bm_new(64);
	changed = bm_next(added, 0) >= 0 || bm_next(dropped, 0) >= 0;
	if (f->prev && changed)
		f->changes++;
	f->mismatches += f->p->source == SRC_KERNEL && f->p->mismatch;
	if (print && (!f->prev || changed))
		watch_line(f, added, dropped);
	if (f->prev)
		numa_bitmask_free(f->prev);
	f->prev = NULL;
	bm_or(&f->prev, f->p->active);
	bm_or(&f->ever, f->p->active);
	if (f->allowed)
		numa_bitmask_free(f->allowed);
	f->allowed = NULL;
	bm_or(&f->allowed, f->p->allowed);
	free(f->allowed_mask);
	free(f->allowed_list);
	f->allowed_mask = msg_strdup_or_die(f->p->allowed_mask);
	f->allowed_list = f->p->allowed_list ? msg_strdup_or_die(f->p->allowed_list) : NULL;
	numa_bitmask_free(added);
	numa_bitmask_free(dropped);
}

/*
 * One tick: read the footprint (the kernel's field now, or a sampling
 * window of the interval).  0, 1 when the process is gone, or an exit status.
 */
static int follow_tick(struct follow *f, enum source want)
{
	struct proc *p = f->p;
	int rc, kind;

	/* An exiting process loses its address space, and its status the field. */
	kind = target_kind(&p->t);
	if (kind == TARGET_ZOMBIE || kind == -ESRCH)
		return 1;
	if (kind == TARGET_KTHREAD) {
		msg_err(0, "pid %d is a kernel thread: it has no address space", p->pid);
		return EXIT_FAILURE;
	}
	rc = read_status(p, want, 1);
	if (rc)
		return p->gone ? 1 : rc;
	if (p->source == SRC_SAMPLE) {
		sample_window(&p, 1, f->o->interval_us);
		/* What a window saw before the end still counts. */
		if (p->gone && !p->threads)
			return 1;
		f->last = p->gone;
	}
	f->ticks++;
	return 0;
}

static void follow_summary(struct follow *f)
{
	double secs = ((f->t_end ? f->t_end : (int64_t)mono_us()) - (int64_t)f->t0) / 1e6;
	double rate = secs > 0 ? f->changes / secs : 0;
	struct bitmask *empty = bm_new(64);
	const struct bitmask *ever = f->ever ? f->ever : empty;
	struct bitmask *nodes = nodes_of(ever);
	char *all = list_or_die(ever), *nl = nodes ? list_or_die(nodes) : NULL;

	if (f->o->c.json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "event", json_object_new_string("summary"));
		json_object_object_add(j, "pid", json_object_new_int(f->p->pid));
		json_object_object_add(j, "ticks", json_object_new_int(f->ticks));
		json_object_object_add(j, "changes", json_object_new_int(f->changes));
		json_object_object_add(j, "elapsed_us",
				       json_object_new_int64(mono_us() - f->t0));
		json_object_object_add(j, "changes_per_second", json_object_new_double(rate));
		json_object_object_add(j, "cpus_active_mm_list", json_object_new_string(all));
		json_object_object_add(j, "nodes", nl ? json_object_new_string(nl) : NULL);
		json_object_object_add(j, "source",
				       json_object_new_string(source_name(f->p->source)));
		json_object_object_add(j, "end", json_object_new_string(f->end));
		print_json_line(j);
	} else {
		printf("pid %d: %d changes in %.2f s (%.2f changes/s) over %d reads; active over "
		       "the run %s nodes %s (%s); ended: %s\n", f->p->pid, f->changes, secs, rate,
		       f->ticks, *all ? all : "-", nl && *nl ? nl : "-",
		       source_name(f->p->source), f->end);
		fflush(stdout);
	}
	free(all);
	free(nl);
	if (nodes)
		numa_bitmask_free(nodes);
	numa_bitmask_free(empty);
}

/* 1 once the child has exited (or cannot be watched: target_wait() waits then). */
static int child_done(const struct target_child *child, int timeout_ms)
{
	return target_exited(child, timeout_ms) != 0;
}

/*
 * Follow p until count ticks, a signal, the process's end, or (child)
 * the child's exit.  Returns 0 or an exit status.
 */
static int follow_run(struct follow *f, int print, const struct target_child *child)
{
	enum source want = f->o->source;
	int rc, ms = f->o->interval_us / 1000 ?: 1;

	f->t0 = mono_us();
	f->end = "exited";
	while (!got_signal) {
		rc = follow_tick(f, want);
		if (rc == 1)
			break;
		if (rc)
			return rc;
		/* auto settles on the first read: the field does not come and go. */
		want = f->p->source;
		follow_update(f, print);
		testhook_point("cpumm-watch");
		/* Nobody reads the changes any more (`| head -1`): the summary meets EPIPE. */
		if (print && msg_stdout_gone()) {
			f->end = "output closed";
			break;
		}
		if (f->o->count && f->ticks >= f->o->count) {
			f->end = "count";
			f->t_end = mono_us();	/* a wrapped command may run on: not followed */
			return 0;
		}
		if (f->last)
			break;
		if (child && child_done(child, f->p->source == SRC_KERNEL ? ms : 0))
			break;
		/* A sampling window takes the interval itself, but not on a captured tree. */
		if (!child && (f->p->source == SRC_KERNEL || !sysroot_is_live()))
			nap(f->o->interval_us);
	}
	if (got_signal && !child)
		f->end = "signal";
	return 0;
}

static void follow_free(struct follow *f)
{
	if (f->prev)
		numa_bitmask_free(f->prev);
	if (f->ever)
		numa_bitmask_free(f->ever);
	if (f->allowed)
		numa_bitmask_free(f->allowed);
	free(f->allowed_mask);
	free(f->allowed_list);
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int run_watch(const struct opts *o)
{
	struct follow f = { .o = o };
	struct proc p;
	pid_t pid;
	int rc;

	parse_pid(o->pids[0], &pid);
	rc = proc_open(&p, pid, 0);
	if (rc)
		return rc;
	f.p = &p;
	catch_signals();
	rc = follow_run(&f, 1, NULL);
	if (!rc && f.ticks)
		follow_summary(&f);
	else if (!rc) {
		msg_err(0, "pid %d exited before it could be read", pid);
		rc = EXIT_FAILURE;
	}
	follow_free(&f);
	proc_clear(&p);
	target_close(&p.t);
	return rc;
}

/* ---- cpumm -- CMD ARGS ---- */

static pid_t forward_to;

static void forward_signal(int sig)
{
	got_signal = sig;
	if (forward_to > 0)
		kill(forward_to, sig);
}

static int run_command(const struct opts *o)
{
	struct sigaction fwd = { .sa_handler = forward_signal }, ign = { .sa_handler = SIG_IGN };
	struct target_child child;
	struct follow f = { .o = o };
	struct proc p;
	int rc, status;
	pid_t pid;

	fflush(NULL);
	rc = target_spawn(&child, o->cmd, 0);
	if (rc < 0) {
		msg_err(-rc, "cannot run '%s'", o->cmd[0]);
		return target_exec_status(rc);
	}
	forward_to = child.pid;
	testhook_target(child.pid);
	sigaction(SIGTERM, &fwd, NULL);
	sigaction(SIGHUP, &fwd, NULL);
	/* The terminal's ^C and ^\ reach the command; cpumm stays to report. */
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	memset(&p, 0, sizeof(p));
	p.pid = child.pid;
	p.t.pid = child.pid;
	/* An unreaped child keeps its pid: no pidfd needed to read it safely. */
	p.t.pidfd = -1;
	f.p = &p;
	rc = follow_run(&f, o->watch, &child);
	pid = child.pid;	/* target_wait() forgets it */
	status = target_wait(&child);
	forward_to = 0;
	if (rc == EXIT_NOTSUP)
		msg_warn(0, "'%s' ran without its footprint followed", o->cmd[0]);
	else if (rc)
		msg_warn(0, "cannot follow '%s' (pid %d)", o->cmd[0], pid);
	if (!rc && !f.ticks)
		msg_warn(0, "'%s' (pid %d) exited before its footprint could be read", o->cmd[0],
			 pid);
	if (!rc && f.ticks && o->watch) {
		/* A count reached before the command ended is the reason, not its exit. */
		if (!f.end)
			f.end = "exited";
		follow_summary(&f);
	} else if (!rc && f.ticks) {
		struct proc *r = &p;

		/* The report: every CPU seen active while it ran, the last allowed ones. */
		proc_clear(&p);
		p.active = f.ever;
		p.allowed = f.allowed;
		p.allowed_mask = f.allowed_mask;
		p.allowed_list = f.allowed_list;
		f.ever = f.allowed = NULL;
		f.allowed_mask = f.allowed_list = NULL;
		if (p.source == SRC_KERNEL) {
			p.active_list = list_or_die(p.active);
			p.active_mask = mask_like(p.active, p.allowed_mask);
			p.mismatch = f.mismatches > 0;
		}
		if (print_table(o, &r, 1))
			msg_warn(0, "cannot print the footprint of '%s'", o->cmd[0]);
	}
	follow_free(&f);
	proc_clear(&p);
	if (status < 0) {
		msg_err(-status, "cannot wait for '%s'", o->cmd[0]);
		return EXIT_FAILURE;
	}
	return status;
}

/* ---- command line ---- */

/* Unknown columns are a usage error before anything runs, not after. */
static int check_columns(const struct opts *o)
{
	struct table t;
	int rc = table_init(&t, cols, NR_COLS, DEFAULT_COLUMNS, o->c.json, "processes");

	if (rc < 0)
		return rc == -EINVAL ? EXIT_USAGE : EXIT_FAILURE;
	table_free(&t);
	return 0;
}

static int check_opts(struct opts *o)
{
	int i;
	pid_t pid;

	if (!o->source_arg || !strcmp(o->source_arg, "auto"))
		o->source = SRC_AUTO;
	else if (!strcmp(o->source_arg, "kernel"))
		o->source = SRC_KERNEL;
	else if (!strcmp(o->source_arg, "sample"))
		o->source = SRC_SAMPLE;
	else
		return msg_usage("invalid source '%s': use auto, kernel or sample", o->source_arg);
	if (!o->sort_arg)
		o->sort = SORT_NONE;
	else if (!strcmp(o->sort_arg, "span"))
		o->sort = SORT_SPAN;
	else if (!strcmp(o->sort_arg, "pid"))
		o->sort = SORT_PID;
	else if (!strcmp(o->sort_arg, "stale"))
		o->sort = SORT_STALE;
	else
		return msg_usage("invalid sort key '%s': use span, pid or stale", o->sort_arg);
	o->interval_us = DEFAULT_INTERVAL_US;
	if (o->interval_arg && (parse_duration_us(o->interval_arg, &o->interval_us, 1000000) < 0 ||
				!o->interval_us || o->interval_us > MAX_INTERVAL_US))
		return msg_usage("invalid interval '%s': a duration from 1us to 1h (100ms, 2s; "
				 "seconds without a unit)", o->interval_arg);
	if (o->count_arg && parse_int(o->count_arg, &o->count, 1, 1 << 30) < 0)
		return msg_usage("invalid count '%s': a number from 1", o->count_arg);
	for (i = 0; i < o->npids; i++)
		if (parse_pid(o->pids[i], &pid) < 0)
			return msg_usage("invalid pid '%s'", o->pids[i]);
	if (o->cmd) {
		if (!o->ncmd || !*o->cmd[0])
			return msg_usage("no command after --");
		if (o->npids || o->all)
			return msg_usage("a command after -- is followed alone: no PID, no --all");
		if (!sysroot_is_live())
			return msg_usage("a command runs on the live system, not with --sysroot");
	} else if (o->all && o->npids) {
		return msg_usage("--all and a list of PIDs are mutually exclusive");
	} else if (!o->all && !o->npids) {
		return msg_usage("no process given: PID..., --all, or -- CMD ARGS");
	}
	if (o->watch && (o->all || o->npids > 1))
		return msg_usage("--watch follows one process");
	if (o->count_arg && !o->watch)
		return msg_usage("--count is for --watch");
	if (o->sort_arg && (o->watch || o->cmd))
		return msg_usage("--sort is for a list of processes");
	if (o->watch && (table_opts.output || table_opts.output_all || table_opts.raw ||
			 table_opts.noheadings))
		return msg_usage("--watch prints lines of its own: no table options");
	return o->watch ? 0 : check_columns(o);
}

static void help_extra(FILE *out)
{
	fprintf(out, "\nModes:\n"
		"  cpumm PID...                 one row per process\n"
		"  cpumm -a                     every process (kernel threads skipped)\n"
		"  cpumm -w [-i I] [-c N] PID   a line per change, then changes per second\n"
		"  cpumm [options] -- CMD ARGS  run CMD, report its footprint, exit with its\n"
		"                               status\n"
		"\nCpus_active_mm and Cpus_active_mm_list come from the patch\n  %s.\n",
		PATCH_NAME);
	table_help_columns(out, cols, NR_COLS);
}

int main(int argc, char **argv)
{
	static struct opts o;
	const struct poptOption options[] = {
		{ "all", 'a', POPT_ARG_NONE, &o.all, 0, "every process", NULL },
		{ "sort", '\0', POPT_ARG_STRING, &o.sort_arg, 0,
		  "order rows by span (widest first), stale (most first) or pid", "KEY" },
		{ "watch", 'w', POPT_ARG_NONE, &o.watch, 0,
		  "follow one process: a line per change", NULL },
		{ "interval", 'i', POPT_ARG_STRING, &o.interval_arg, 0,
		  "sampling window, and time between reads (default 100ms)", "INTERVAL" },
		{ "count", 'c', POPT_ARG_STRING, &o.count_arg, 0, "--watch: stop after COUNT reads",
		  "COUNT" },
		{ "source", '\0', POPT_ARG_STRING, &o.source_arg, 0,
		  "auto, kernel (Cpus_active_mm) or sample (threads' CPUs)", "SOURCE" },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, table_popt, 0, "Table options:", NULL },
		POPT_TABLEEND
	};
	const struct opt_spec spec = {
		.options = options,
		.args = "[PID...] | -a | -w PID | -- CMD [ARGS]",
		.summary = "Show the CPUs where the address space of processes is active.",
		.help_extra = help_extra,
	};
	poptContext pc;
	int rc, pargc;

	msg_init();
	pargc = opt_split_command(argc, argv, &o.cmd, &o.ncmd);
	pc = opt_parse_or_die(pargc, argv, &spec, &o.c, &o.pids, &o.npids);
	rc = check_opts(&o);
	if (rc)
		goto out;
	nodemap_read();
	if (o.cmd)
		rc = run_command(&o);
	else if (o.watch)
		rc = run_watch(&o);
	else
		rc = run_list(&o);
	nodemap_free();
out:
	opt_free(pc);
	return rc;
}
