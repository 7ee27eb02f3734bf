// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmbind: bind address ranges of another process to NUMA nodes, the
 * userspace face of the proposed process_mbind() syscall, with mbind run
 * inside the target through ptrace, and move_pages, where it is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <json-c/json.h>
#include <numaif.h>

#include "lib/caps.h"
#include "lib/inject.h"
#include "lib/mpol.h"
#include "lib/doc.h"
#include "lib/msg.h"
#include "lib/nodes.h"
#include "lib/numamaps.h"
#include "lib/opt.h"
#include "lib/parse.h"
#include "lib/sysroot.h"
#include "lib/table.h"
#include "lib/target.h"
#include "lib/testhook.h"
#include "lib/vma.h"

enum method { M_AUTO, M_SYSCALL, M_PTRACE, M_MIGRATE };

#define MAX_ERRNO_COUNTED 134	/* errno values counted one by one (EHWPOISON is 133) */

static const char *const method_names[] = { "auto", "syscall", "ptrace", "migrate" };

struct range {
	uint64_t start;
	uint64_t end;
	int done;		/* 1 ok, -1 failed, 0 not tried */
	char error[160];
	int err;		/* the kernel's errno for a failed range */
	int untried;		/* failed for a reason already said once */
	uint64_t present, moved, failed;	/* migrate */
	uint64_t *per_node;			/* migrate: pages now on each node */
	uint64_t per_errno[MAX_ERRNO_COUNTED];	/* migrate: pages that failed, by errno */
	int nr_nodes;
};

struct opts {
	struct opt_common c;
	const char *pid_arg, *pidfd_arg, *method_arg, *nr_arg, *ranges_from;
	const char *membind, *interleave, *weighted, *preferred, *preferred_many;
	const char **vma_sel;
	int localalloc, def, is_static, relative, spm, move, move_all, strict;
	int all, show, dry_run;

	enum method method;
	long syscall_nr;	/* -1: none known */
	struct mpol pol;
	const char **args;
	int nargs;
	struct range *r;
	size_t nr;
	size_t page;
};

struct run {
	struct opts *o;
	struct target t;
	struct vma_list vmas;
	enum method used;
	char reason[200];	/* why ranges were not tried, for their result lines */
};

/* ---- option checks ---- */

static int set_policy(struct opts *o, int *count, int mode, const char *nodes)
{
	(*count)++;
	o->pol.mode = mode;
	if (!nodes)
		return 0;
	if (o->pol.nodes)
		numa_bitmask_free(o->pol.nodes);
	o->pol.nodes = NULL;
	if (nodes_parse(nodes, &o->pol.nodes) < 0)
		return msg_usage("invalid node list '%s': %s", nodes, nodes_last_error());
	if (mpol_mode_nodes(mode) == 1 && numa_bitmask_weight(o->pol.nodes) != 1)
		return msg_usage("--preferred takes exactly one node, not '%s'", nodes);
	return 0;
}

static int check_policy(struct opts *o)
{
	int n = 0, rc = 0;

	if (o->membind)
		rc = set_policy(o, &n, MPOL_MODE_BIND, o->membind);
	if (o->interleave)
		rc = rc ?: set_policy(o, &n, MPOL_MODE_INTERLEAVE, o->interleave);
	if (o->weighted)
		rc = rc ?: set_policy(o, &n, MPOL_MODE_WEIGHTED_INTERLEAVE, o->weighted);
	if (o->preferred)
		rc = rc ?: set_policy(o, &n, MPOL_MODE_PREFERRED, o->preferred);
	if (o->preferred_many)
		rc = rc ?: set_policy(o, &n, MPOL_MODE_PREFERRED_MANY, o->preferred_many);
	if (o->localalloc)
		rc = rc ?: set_policy(o, &n, MPOL_MODE_LOCAL, NULL);
	if (o->def)
		rc = rc ?: set_policy(o, &n, MPOL_MODE_DEFAULT, NULL);
	if (rc)
		return rc;
	if (n > 1)
		return msg_usage("give one policy, not %d", n);
	if (!n && !o->show)
		return msg_usage("no policy given (--membind, --interleave, --preferred, ...)");
	if (o->spm && !o->is_static)
		return msg_usage("--spm needs --static (MPOL_F_SPM_NODE is only valid with "
				 "MPOL_F_STATIC_NODES)");
	if (o->is_static && o->relative)
		return msg_usage("--static and --relative are mutually exclusive");
	if ((o->is_static || o->relative) && !mpol_mode_nodes(o->pol.mode) && n)
		return msg_usage("--static and --relative need a policy with nodes");
	o->pol.mode_flags = (o->is_static ? MPOL_FLAG_STATIC_NODES : 0) |
			    (o->relative ? MPOL_FLAG_RELATIVE_NODES : 0) |
			    (o->spm ? MPOL_FLAG_SPM_NODE : 0);
	o->pol.move_flags = (o->strict ? MPOL_MOVE_STRICT : 0) | (o->move ? MPOL_MOVE_MOVE : 0) |
			    (o->move_all ? MPOL_MOVE_MOVE_ALL : 0);
	return 0;
}

/* The syscall number is never guessed: build time, --syscall-nr, or the environment. */
static int check_syscall_nr(struct opts *o)
{
	const char *env = getenv("PMBIND_SYSCALL_NR");
	const char *s = o->nr_arg ? o->nr_arg : env;
	int nr;

	o->syscall_nr = -1;
#ifdef __NR_process_mbind
	o->syscall_nr = __NR_process_mbind;
#endif
	if (!s)
		return 0;
	if (parse_int(s, &nr, 0, 4095))
		return msg_usage("invalid syscall number '%s'%s", s,
				 o->nr_arg ? "" : " in PMBIND_SYSCALL_NR");
	o->syscall_nr = nr;
	return 0;
}

static int check_opts(struct opts *o)
{
	int i, rc;

	o->method = M_AUTO;
	for (i = 0; o->method_arg && i < 4; i++)
		if (!strcmp(o->method_arg, method_names[i]))
			break;
	if (o->method_arg && i == 4)
		return msg_usage("invalid method '%s': use auto, syscall, ptrace or migrate",
				 o->method_arg);
	o->method = o->method_arg ? (enum method)i : M_AUTO;
	if (!o->pid_arg == !o->pidfd_arg)
		return msg_usage(o->pid_arg ? "give -p/--pid or --pidfd, not both"
					    : "no process given (-p PID or --pidfd FD)");
	rc = check_policy(o);
	if (!rc)
		rc = check_syscall_nr(o);
	if (rc)
		return rc;
	if (o->method == M_MIGRATE && !o->show && !mpol_mode_nodes(o->pol.mode))
		return msg_usage("--method=migrate needs nodes to move pages to");
	if (!o->show && !o->nargs && !o->ranges_from && !o->vma_sel && !o->all)
		return msg_usage("no range given (START-END, --ranges-from, --vma or --all)");
	if (!sysroot_is_live() && !o->show && !o->dry_run)
		return msg_usage("--sysroot works only with --show and --dry-run");
	o->page = sysconf(_SC_PAGESIZE);
	return 0;
}

/* ---- ranges ---- */

static int add_range(struct opts *o, uint64_t start, uint64_t end)
{
	struct range *r = msg_realloc_or_die(o->r, (o->nr + 1) * sizeof(*r));

	o->r = r;
	memset(&r[o->nr], 0, sizeof(r[0]));
	r[o->nr].start = start;
	r[o->nr].end = end;
	o->nr++;
	return 0;
}

static int parse_one(struct opts *o, const char *s, const char *where)
{
	uint64_t start, end;

	if (parse_range(s, &start, &end))
		return msg_usage("invalid range '%s'%s%s", s, where ? " at " : "", where ? where : "");
	if (start % o->page)
		return msg_usage("range '%s': start is not page-aligned", s);
	/* mbind rounds the length up to a page; so do we, to see overlaps. */
	if (end > UINT64_MAX - (o->page - 1))
		return msg_usage("range '%s': end is past the last page", s);
	end = (end + o->page - 1) / o->page * o->page;
	return add_range(o, start, end);
}

static int ranges_from(struct opts *o)
{
	FILE *f = strcmp(o->ranges_from, "-") ? fopen(o->ranges_from, "re") : stdin;
	char *line = NULL, where[300];
	size_t cap = 0;
	int lineno = 0, rc = 0;

	if (!f) {
		msg_err(errno, "cannot open '%s'", o->ranges_from);
		return EXIT_USAGE;
	}
	while (!rc && getline(&line, &cap, f) >= 0) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (!*line || *line == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%d", o->ranges_from, lineno);
		rc = parse_one(o, line, where);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

static int special_vma(const struct vma *v)
{
	static const char *const names[] = { "[vsyscall]", "[vdso]", "[vvar]", "[vvar_vclock]",
					     "[uprobes]" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(v->name, names[i]))
			return 1;
	return 0;
}

static int vma_matches(const struct vma *v, const char *sel)
{
	if (!strcmp(sel, "anon"))
		return vma_is_anon(v);
	return !strcmp(sel, v->name) || !fnmatch(sel, v->name, 0);
}

static int ranges_from_vmas(struct run *run)
{
	struct opts *o = run->o;
	size_t i;
	int s;

	for (s = 0; o->vma_sel && o->vma_sel[s]; s++) {
		size_t before = o->nr;

		for (i = 0; i < run->vmas.n; i++)
			if (vma_matches(&run->vmas.v[i], o->vma_sel[s]))
				add_range(o, run->vmas.v[i].start, run->vmas.v[i].end);
		if (o->nr == before) {
			msg_err(0, "no VMA matches '%s' in pid %d", o->vma_sel[s], run->t.pid);
			return EXIT_FAILURE;
		}
	}
	for (i = 0; o->all && i < run->vmas.n; i++)
		if (!special_vma(&run->vmas.v[i]))
			add_range(o, run->vmas.v[i].start, run->vmas.v[i].end);
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int check_overlaps(struct opts *o)
{
	size_t i;

	if (o->nr > 1)
		qsort(o->r, o->nr, sizeof(*o->r), by_start);
	for (i = 1; i < o->nr; i++)
		if (o->r[i].start < o->r[i - 1].end)
			return msg_usage("ranges 0x%" PRIx64 "-0x%" PRIx64 " and 0x%" PRIx64
					 "-0x%" PRIx64 " overlap", o->r[i - 1].start,
					 o->r[i - 1].end, o->r[i].start, o->r[i].end);
	return 0;
}

static void fail_range(struct range *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail_range(struct range *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	r->done = -1;
}

/*
 * A range must be mapped from end to end, as mbind requires.  The ranges
 * are sorted and disjoint (check_overlaps), the VMAs sorted: one walk over
 * both, not every VMA for every range (10,000 ranges took half a second).
 */
static void check_mapped(struct run *run)
{
	const struct vma *v = run->vmas.v;
	size_t i, j = 0, k, n = run->vmas.n;

	for (i = 0; i < run->o->nr; i++) {
		struct range *r = &run->o->r[i];
		uint64_t at = r->start;

		while (j < n && v[j].end <= at)
			j++;
		for (k = j; k < n && at < r->end && v[k].start <= at; k++)
			at = v[k].end;
		if (at < r->end)
			fail_range(r, "not mapped in pid %d (from 0x%" PRIx64 ")", run->t.pid, at);
	}
}

/* ---- methods ---- */

static int pending_ranges(const struct opts *o)
{
	size_t i;
	int n = 0;

	for (i = 0; i < o->nr; i++)
		n += !o->r[i].done;
	return n;
}

/* -ENOSYS: this kernel has no process_mbind (at that number). */
static int by_syscall(struct run *run)
{
	struct opts *o = run->o;
	unsigned long mask[MPOL_MASK_BITS / (8 * sizeof(long))];
	size_t i;

	/* process_mbind takes a pidfd: a kernel without pidfd_open has no process_mbind. */
	if (run->t.pidfd < 0)
		return -ENOSYS;
	mpol_mask_words(&o->pol, mask);
	for (i = 0; i < o->nr; i++) {
		struct range *r = &o->r[i];
		struct iovec iov = { (void *)(uintptr_t)r->start, r->end - r->start };

		if (r->done)
			continue;
		if (syscall(o->syscall_nr, run->t.pidfd, &iov, 1UL, mpol_mode_arg(&o->pol),
			    o->pol.nodes ? mask : NULL, o->pol.move_flags) == 0) {
			r->done = 1;
			continue;
		}
		if (errno == ENOSYS)
			return -ENOSYS;
		r->err = errno;
		fail_range(r, "process_mbind: %s", strerror(errno));
	}
	return 0;
}

static const int held_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* While a thread of the target is held, our own death must wait. */
static void hold_signals(sigset_t *old)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < sizeof(held_signals) / sizeof(held_signals[0]); i++)
		sigaddset(&set, held_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static int signal_waiting(void)
{
	sigset_t set;
	size_t i;

	sigpending(&set);
	for (i = 0; i < sizeof(held_signals) / sizeof(held_signals[0]); i++)
		if (sigismember(&set, held_signals[i]))
			return held_signals[i];
	return 0;
}

/* The target is let go: a signal held meanwhile now ends us, as it would have. */
static void release_signals(const sigset_t *old)
{
	int sig = signal_waiting();

	if (sig) {
		fflush(stdout);
		signal(sig, SIG_DFL);
	}
	sigprocmask(SIG_SETMASK, old, NULL);
}

static int inject_ranges(struct run *run, struct inject *in)
{
	struct opts *o = run->o;
	unsigned long mask[MPOL_MASK_BITS / (8 * sizeof(long))];
	size_t i, tried = 0;
	long ret;
	int rc;

	mpol_mask_words(&o->pol, mask);
	for (i = 0; i < o->nr; i++) {
		struct range *r = &o->r[i];
		long args[6] = { r->start, r->end - r->start, mpol_mode_arg(&o->pol),
				 o->pol.nodes ? INJECT_DATA : 0, o->pol.nodes ? MPOL_MASK_BITS + 1 : 0,
				 o->pol.move_flags };

		if (r->done)
			continue;
		if (signal_waiting())
			break;
		testhook_point("pmbind-range");
		rc = inject_syscall(in, SYS_mbind, args, o->pol.nodes ? mask : NULL,
				    o->pol.nodes ? sizeof(mask) : 0, &ret);
		if (rc == -EPERM && in->why[0] && !tried)
			return -EACCES;	/* refused before anything was done */
		tried++;
		if (rc == -EPERM && in->why[0]) {
			fail_range(r, "not run in pid %d: %s", run->t.pid, in->why);
			continue;
		}
		if (rc < 0)
			return rc;
		if (ret < 0) {
			r->err = -ret;
			fail_range(r, "mbind in pid %d: %s%s%s%s", run->t.pid, strerror(-ret),
				   in->why[0] ? " (" : "", in->why, in->why[0] ? ")" : "");
		} else {
			r->done = 1;
		}
	}
	return 0;
}

static void ptrace_refused(struct run *run, int err, const char *why)
{
	char what[96];

	snprintf(run->reason, sizeof(run->reason), "ptrace refused: %s", why ? why : strerror(-err));
	if (run->o->method == M_AUTO) {
		msg_verbose(1, "pid %d: ptrace not used: %s", run->t.pid, why ? why : strerror(-err));
		return;
	}
	msg_err(0, "cannot run mbind inside pid %d: %s", run->t.pid, why ? why : strerror(-err));
	snprintf(what, sizeof(what), "tracing pid %d", run->t.pid);
	if (!why && !caps_hint(-err, CAP_SYS_PTRACE, what) && err == -EPERM)
		msg_hint("check /proc/sys/kernel/yama/ptrace_scope and the owner of pid %d",
			 run->t.pid);
}

/* 1 done, 0 refused before anything was touched (auto goes on), -errno. */
static int by_ptrace(struct run *run)
{
	struct inject in;
	const char *why;
	sigset_t old;
	int rc;

	rc = inject_check(&run->t, &why);
	if (rc < 0) {
		ptrace_refused(run, rc, why);
		return rc == -ESRCH ? rc : 0;
	}
	hold_signals(&old);
	rc = inject_attach(&in, &run->t);
	if (rc == -ESRCH) {
		/* Gone while being seized: not a refusal of ptrace, said by not_done(). */
		release_signals(&old);
		return rc;
	}
	if (rc < 0) {
		release_signals(&old);
		if (rc == -EOPNOTSUPP)
			why = "its thread is inside a syscall this architecture cannot restart "
			      "exactly after an injection";
		ptrace_refused(run, rc, why);
		return rc == -ESRCH ? rc : 0;
	}
	rc = inject_ranges(run, &in);
	if (inject_detach(&in) < 0 && !rc)
		rc = -EIO;
	release_signals(&old);
	if (rc == -EACCES) {
		ptrace_refused(run, -EPERM, in.why);
		return 0;
	}
	return rc < 0 ? rc : 1;
}

#define MIGRATE_CHUNK 1024	/* pages per move_pages call */

/*
 * Pages just faulted in can still sit in another CPU's LRU batch, where
 * move_pages cannot isolate them (EBUSY) until that CPU drains it: give
 * those a few more tries.
 */
static int move_retrying(pid_t pid, unsigned long n, void **pages, int *nodes, int *status,
			 int flags)
{
	unsigned long i, k;
	int tries;

	if (move_pages(pid, n, pages, nodes, status, flags) < 0)
		return -errno;
	for (tries = 0; tries < 5; tries++) {
		void *again[MIGRATE_CHUNK];
		int again_nodes[MIGRATE_CHUNK], again_status[MIGRATE_CHUNK];
		unsigned long idx[MIGRATE_CHUNK];

		for (i = 0, k = 0; i < n; i++) {
			if (status[i] != -EBUSY && status[i] != -EAGAIN)
				continue;
			again[k] = pages[i];
			again_nodes[k] = nodes[i];
			idx[k++] = i;
		}
		if (!k)
			break;
		usleep(10000 << tries);
		if (move_pages(pid, k, again, again_nodes, again_status, flags) < 0)
			return -errno;
		for (i = 0; i < k; i++)
			status[idx[i]] = again_status[i];
	}
	return 0;
}

/* Where each present page goes: round-robin over the policy's nodes. */
static int migrate_chunk(struct run *run, struct range *r, void **pages, int *status,
			 int *nodes, unsigned long n, const int *targets, int ntargets)
{
	unsigned long i, k = 0;
	int flags = (run->o->pol.move_flags & MPOL_MOVE_MOVE_ALL) ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE;
	int rc;

	if (move_pages(run->t.pid, n, pages, NULL, status, 0) < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		if (status[i] < 0)
			continue;
		pages[k] = pages[i];
		nodes[k] = targets[r->present++ % ntargets];
		k++;
	}
	if (!k)
		return 0;
	rc = move_retrying(run->t.pid, k, pages, nodes, status, flags);
	if (rc)
		return rc;
	for (i = 0; i < k; i++) {
		if (status[i] < 0) {
			r->failed++;
			if (-status[i] < MAX_ERRNO_COUNTED)
				r->per_errno[-status[i]]++;
			continue;
		}
		if (status[i] == nodes[i])
			r->moved++;
		if (status[i] < r->nr_nodes)
			r->per_node[status[i]]++;
	}
	return 0;
}

static int migrate_range(struct run *run, struct range *r, const int *targets, int ntargets)
{
	void *pages[MIGRATE_CHUNK];
	int status[MIGRATE_CHUNK], nodes[MIGRATE_CHUNK];
	uint64_t at;
	int rc = 0;

	r->nr_nodes = numa_max_possible_node() + 1;
	r->per_node = msg_calloc_or_die(r->nr_nodes, sizeof(*r->per_node));
	for (at = r->start; at < r->end && !rc;) {
		unsigned long n = 0;

		for (; at < r->end && n < MIGRATE_CHUNK; at += run->o->page)
			pages[n++] = (void *)(uintptr_t)at;
		rc = migrate_chunk(run, r, pages, status, nodes, n, targets, ntargets);
		testhook_point("migrate-batch");
	}
	/* A zombie has no mm: move_pages fails with EINVAL, which is no bad range. */
	if (rc && target_gone(&run->t))
		return -ESRCH;	/* said once for every range left, by not_done() */
	if (rc)
		fail_range(r, "move_pages in pid %d: %s", run->t.pid, strerror(-rc));
	else
		r->done = 1;
	return rc;
}

static int by_migrate(struct run *run)
{
	int targets[MPOL_MASK_BITS], ntargets;
	size_t i;
	int rc = 0;

	ntargets = mpol_node_list(&run->o->pol, targets, MPOL_MASK_BITS);
	msg_warn(0, "migrate moves the pages present now; it sets no policy, future faults are "
		 "not bound");
	for (i = 0; i < run->o->nr; i++) {
		if (run->o->r[i].done)
			continue;
		testhook_point("pmbind-range");
		rc = migrate_range(run, &run->o->r[i], targets, ntargets);
		if (rc == -EPERM)
			caps_hint(EPERM, CAP_SYS_NICE, "moving pages of another process");
		if (rc == -ESRCH || target_gone(&run->t))
			return -ESRCH;
	}
	return 0;
}

static int run_methods(struct run *run)
{
	struct opts *o = run->o;
	int rc;

	if (o->method == M_SYSCALL || o->method == M_AUTO) {
		run->used = M_SYSCALL;
		rc = o->syscall_nr < 0 ? -ENOSYS : by_syscall(run);
		if (rc != -ENOSYS)
			return rc;
		if (o->method == M_SYSCALL) {
			msg_err(0, o->syscall_nr < 0 ?
				"process_mbind has no syscall number: it is not in mainline Linux; "
				"give --syscall-nr N or PMBIND_SYSCALL_NR for a kernel with the RFC "
				"(Nov 2023)" :
				"process_mbind (syscall %ld) is not in this kernel (ENOSYS): it needs "
				"the process_mbind RFC (Nov 2023)", o->syscall_nr);
			return -ENOTSUP;
		}
		msg_verbose(1, "pid %d: no process_mbind in this kernel", run->t.pid);
	}
	if (o->method == M_PTRACE || o->method == M_AUTO) {
		run->used = M_PTRACE;
		rc = by_ptrace(run);
		if (rc != 0 || o->method == M_PTRACE)
			return rc == 0 ? -EPERM : rc < 0 ? rc : 0;
		if (!mpol_mode_nodes(o->pol.mode)) {
			msg_err(0, "pid %d: nothing else can set a %s policy without ptrace",
				run->t.pid, mpol_mode_name(o->pol.mode));
			return -EPERM;
		}
	}
	run->used = M_MIGRATE;
	return by_migrate(run);
}

/* ---- output ---- */

static json_object *json_policy(const struct opts *o)
{
	json_object *p = json_object_new_object(), *flags = json_object_new_array();
	json_object *move = json_object_new_array();
	char *nodes = mpol_nodes_str(&o->pol);

	json_object_object_add(p, "mode", json_object_new_string(mpol_mode_name(o->pol.mode)));
	json_object_object_add(p, "nodes", json_object_new_string(nodes ? nodes : ""));
	free(nodes);
	if (o->is_static)
		json_object_array_add(flags, json_object_new_string("static"));
	if (o->relative)
		json_object_array_add(flags, json_object_new_string("relative"));
	if (o->spm)
		json_object_array_add(flags, json_object_new_string("spm"));
	if (o->move)
		json_object_array_add(move, json_object_new_string("move"));
	if (o->move_all)
		json_object_array_add(move, json_object_new_string("move_all"));
	if (o->strict)
		json_object_array_add(move, json_object_new_string("strict"));
	json_object_object_add(p, "flags", flags);
	json_object_object_add(p, "move_flags", move);
	return p;
}

static json_object *json_pages(const struct range *r)
{
	json_object *p = json_object_new_object(), *nodes = json_object_new_object();
	char key[16];
	int i;

	json_object_object_add(p, "present", json_object_new_uint64(r->present));
	json_object_object_add(p, "moved", json_object_new_uint64(r->moved));
	json_object_object_add(p, "failed", json_object_new_uint64(r->failed));
	for (i = 0; i < r->nr_nodes; i++) {
		if (!r->per_node[i])
			continue;
		snprintf(key, sizeof(key), "%d", i);
		json_object_object_add(nodes, key, json_object_new_uint64(r->per_node[i]));
	}
	json_object_object_add(p, "nodes", nodes);
	nodes = json_object_new_object();
	for (i = 0; i < MAX_ERRNO_COUNTED; i++)
		if (r->per_errno[i])
			json_object_object_add(nodes, strerrorname_np(i) ?: "unknown",
					       json_object_new_uint64(r->per_errno[i]));
	json_object_object_add(p, "errors", nodes);
	return p;
}

static void print_json(const struct run *run, int dry)
{
	const struct opts *o = run->o;
	json_object *doc = json_object_new_object(), *arr = json_object_new_array();
	size_t i;

	json_object_object_add(doc, "pid", json_object_new_int(run->t.pid));
	json_object_object_add(doc, "method", json_object_new_string(method_names[run->used]));
	json_object_object_add(doc, "dry_run", json_object_new_boolean(dry));
	json_object_object_add(doc, "policy", json_policy(o));
	for (i = 0; i < o->nr; i++) {
		const struct range *r = &o->r[i];
		json_object *jr = json_object_new_object();

		json_object_object_add(jr, "start", json_object_new_uint64(r->start));
		json_object_object_add(jr, "end", json_object_new_uint64(r->end));
		json_object_object_add(jr, "status", json_object_new_string(
			r->done > 0 ? "ok" : r->done < 0 ? "failed" : dry ? "planned" : "not done"));
		json_object_object_add(jr, "error", r->done < 0 ? json_object_new_string(r->error)
								: NULL);
		if (r->per_node)
			json_object_object_add(jr, "pages", json_pages(r));
		json_object_array_add(arr, jr);
	}
	json_object_object_add(doc, "ranges", arr);
	doc_print(doc);		/* a failed write is msg_init()'s to report */
	json_object_put(doc);
}

static void print_text(const struct run *run, int dry)
{
	const struct opts *o = run->o;
	size_t i;
	int n;

	if (dry) {
		char *nodes = mpol_nodes_str(&o->pol);

		printf("pid %d: method %s, mode %s (0x%lx), nodes %s, flags 0x%x\n", run->t.pid,
		       method_names[run->used], mpol_mode_name(o->pol.mode), mpol_mode_arg(&o->pol),
		       nodes && *nodes ? nodes : "none", o->pol.move_flags);
		free(nodes);
	}
	for (i = 0; i < o->nr; i++) {
		const struct range *r = &o->r[i];

		printf("0x%" PRIx64 "-0x%" PRIx64 " ", r->start, r->end);
		if (r->done < 0)
			printf("failed: %s", r->error);
		else if (dry)
			printf("would be %s", method_names[run->used]);
		else
			printf(r->done ? "ok" : "not done");
		if (r->per_node) {
			printf(" present=%" PRIu64 " moved=%" PRIu64 " failed=%" PRIu64, r->present,
			       r->moved, r->failed);
			for (n = 0; n < r->nr_nodes; n++)
				if (r->per_node[n])
					printf(" N%d=%" PRIu64, n, r->per_node[n]);
			for (n = 0; n < MAX_ERRNO_COUNTED; n++)
				if (r->per_errno[n])
					printf(" %s=%" PRIu64, strerrorname_np(n) ?: "unknown",
					       r->per_errno[n]);
		}
		putchar('\n');
	}
}

enum { SC_START, SC_END, SC_PERMS, SC_POLICY, SC_NODES, SC_NAME, NR_SHOW_COLS };

static const struct table_col show_cols[NR_SHOW_COLS] = {
	[SC_START] = { "START", 12, 0, SCOLS_JSON_STRING, "start address (hex)" },
	[SC_END] = { "END", 12, 0, SCOLS_JSON_STRING, "end address (hex, exclusive)" },
	[SC_PERMS] = { "PERMS", 5, 0, SCOLS_JSON_STRING, "permissions, as in maps" },
	[SC_POLICY] = { "POLICY", 12, 0, SCOLS_JSON_STRING, "memory policy, from numa_maps" },
	[SC_NODES] = { "NODES", 12, 0, SCOLS_JSON_STRING, "pages per node, from numa_maps" },
	[SC_NAME] = { "NAME", 20, SCOLS_FL_NOEXTREMES, SCOLS_JSON_STRING, "file or name" },
};

static int in_ranges(const struct opts *o, const struct vma *v)
{
	size_t k;

	if (!o->nr)
		return 1;
	for (k = 0; k < o->nr; k++)
		if (v->start < o->r[k].end && o->r[k].start < v->end)
			return 1;
	return 0;
}

static json_object *show_json_vma(const struct vma *v, const struct numamap *m)
{
	json_object *jv = json_object_new_object();
	char perms[5];

	vma_perms_str(v->perms, perms);
	json_object_object_add(jv, "start", json_object_new_uint64(v->start));
	json_object_object_add(jv, "end", json_object_new_uint64(v->end));
	json_object_object_add(jv, "perms", json_object_new_string(perms));
	json_object_object_add(jv, "name", *v->name ? json_object_new_string(v->name) : NULL);
	json_object_object_add(jv, "policy", m ? json_object_new_string(m->policy) : NULL);
	json_object_object_add(jv, "nodes", m ? numamaps_nodes_json(m) : json_object_new_object());
	return jv;
}

static void show_row(struct table *t, const struct vma *v, const struct numamap *m)
{
	struct libscols_line *ln = table_line(t);
	char perms[5], *nodes = m ? numamaps_nodes_str(m) : NULL;

	vma_perms_str(v->perms, perms);
	table_set(t, ln, SC_START, "%" PRIx64, v->start);
	table_set(t, ln, SC_END, "%" PRIx64, v->end);
	table_set(t, ln, SC_PERMS, "%s", perms);
	table_set(t, ln, SC_POLICY, "%s", m ? m->policy : "");
	table_set(t, ln, SC_NODES, "%s", nodes ? nodes : "");
	table_set(t, ln, SC_NAME, "%s", v->name);
	free(nodes);
}

/* --show: the target's per-VMA policy and pages per node. */
static int show(struct run *run)
{
	struct numamap_list nm;
	struct table t;
	json_object *arr = NULL, *doc;
	size_t i;
	int fd, rc;

	fd = target_proc_open(&run->t, "numa_maps", O_RDONLY);
	rc = fd < 0 ? fd : numamaps_read(fd, &nm);
	if (fd >= 0)
		close(fd);
	if (rc < 0) {
		msg_err(-rc, "cannot read numa_maps of pid %d", run->t.pid);
		return EXIT_FAILURE;
	}
	if (run->o->c.json)
		arr = json_object_new_array();
	else if (table_init(&t, show_cols, NR_SHOW_COLS, "START,END,PERMS,POLICY,NODES,NAME", 0,
			    "vmas") < 0) {
		numamaps_free(&nm);
		return EXIT_FAILURE;
	}
	for (i = 0; i < run->vmas.n; i++) {
		const struct vma *v = &run->vmas.v[i];

		if (!in_ranges(run->o, v))
			continue;
		if (arr)
			json_object_array_add(arr, show_json_vma(v, numamaps_find(&nm, v->start)));
		else
			show_row(&t, v, numamaps_find(&nm, v->start));
	}
	numamaps_free(&nm);
	if (!arr) {
		rc = table_print(&t);
		table_free(&t);
		return rc < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "pid", json_object_new_int(run->t.pid));
	json_object_object_add(doc, "vmas", arr);
	doc_print(doc);
	json_object_put(doc);
	return EXIT_SUCCESS;
}

/* ---- main flow ---- */

static int open_target(struct run *run)
{
	struct opts *o = run->o;
	pid_t pid = 0;
	int rc, fd = -1;

	if (o->pid_arg && parse_pid(o->pid_arg, &pid))
		return msg_usage("invalid pid '%s'", o->pid_arg);
	if (o->pidfd_arg && parse_fd(o->pidfd_arg, &fd))
		return msg_usage("invalid file descriptor '%s'", o->pidfd_arg);
	rc = o->pid_arg ? target_open(&run->t, pid) : target_open_pidfd(&run->t, fd);
	if (rc < 0) {
		if (o->pid_arg)
			msg_err(-rc, "cannot open pid %d", pid);
		else
			msg_err(-rc, "cannot use pidfd %d", fd);
		return rc == -EINVAL || rc == -EBADF ? EXIT_USAGE : EXIT_FAILURE;
	}
	testhook_target(run->t.pid);
	rc = target_kind(&run->t);
	if (rc == TARGET_KTHREAD || rc == TARGET_ZOMBIE) {
		msg_err(0, "pid %d is a %s: it has no address space", run->t.pid,
			rc == TARGET_KTHREAD ? "kernel thread" : "zombie");
		return EXIT_FAILURE;
	}
	fd = target_proc_open(&run->t, "maps", O_RDONLY);
	if (fd < 0) {
		msg_err(-fd, "cannot read maps of pid %d", run->t.pid);
		caps_hint(-fd, CAP_SYS_PTRACE, "reading another process's address space");
		return EXIT_FAILURE;
	}
	rc = vma_read(fd, &(struct vma_read_opts){ .method = VMA_METHOD_AUTO }, &run->vmas);
	close(fd);
	if (rc < 0) {
		msg_err(-rc, "cannot read maps of pid %d", run->t.pid);
		return EXIT_FAILURE;
	}
	return 0;
}

static int collect_ranges(struct run *run)
{
	struct opts *o = run->o;
	int i, rc = 0;

	for (i = 0; i < o->nargs && !rc; i++)
		rc = parse_one(o, o->args[i], NULL);
	if (!rc && o->ranges_from)
		rc = ranges_from(o);
	if (!rc)
		rc = ranges_from_vmas(run);
	if (!rc)
		rc = check_overlaps(o);
	if (!rc)
		check_mapped(run);
	return rc;
}

/* A mode or flag this kernel may lack: what adds it. */
static const char *needs(const struct opts *o)
{
	if (o->spm)
		return "MPOL_F_SPM_NODE needs a kernel with the SPM / N_PRIVATE node patches";
	if (o->pol.mode == MPOL_MODE_WEIGHTED_INTERLEAVE)
		return "weighted interleave needs Linux 6.9";
	if (o->pol.mode == MPOL_MODE_PREFERRED_MANY)
		return "preferred-many needs Linux 5.15";
	return NULL;
}

/* Every range refused with EINVAL for a mode this kernel may not have. */
static int lacks_mode(const struct opts *o)
{
	size_t i;

	if (!needs(o) || !o->nr)
		return 0;
	for (i = 0; i < o->nr; i++)
		if (o->r[i].done >= 0 || o->r[i].err != EINVAL)
			return 0;
	return 1;
}

/* Ranges never tried still get a result line: failed, and why. */
static void not_done(struct run *run, int rc)
{
	size_t i;

	if (rc == -ESRCH) {
		snprintf(run->reason, sizeof(run->reason), "pid %d exited", run->t.pid);
		msg_err(0, "%s", run->reason);
	}
	else if (rc == -ENOTSUP)
		snprintf(run->reason, sizeof(run->reason), "process_mbind is not available");
	else if (!run->reason[0])
		snprintf(run->reason, sizeof(run->reason), "not tried: %s",
			 rc < 0 ? strerror(-rc) : "interrupted");
	for (i = 0; i < run->o->nr; i++) {
		if (run->o->r[i].done)
			continue;
		fail_range(&run->o->r[i], "%s", run->reason);
		run->o->r[i].untried = 1;
	}
}

static int exit_status(const struct opts *o, int rc)
{
	size_t i, ok = 0, failed = 0;

	if (rc == -ENOTSUP)
		return EXIT_NOTSUP;
	if (rc >= 0 && lacks_mode(o)) {
		msg_err(0, "the kernel refused the policy (EINVAL): %s", needs(o));
		return EXIT_NOTSUP;
	}
	for (i = 0; i < o->nr; i++) {
		ok += o->r[i].done > 0;
		failed += o->r[i].done <= 0;
		if (o->r[i].done < 0 && !o->r[i].untried)
			msg_err(0, "0x%" PRIx64 "-0x%" PRIx64 ": %s", o->r[i].start, o->r[i].end,
				o->r[i].error);
	}
	if (rc == -ESRCH)
		;	/* said on each range */
	else if (rc < 0 && rc != -EPERM)
		msg_err(-rc, "binding failed");
	if (!failed && rc >= 0)
		return EXIT_SUCCESS;
	return ok ? EXIT_PARTIAL : EXIT_FAILURE;
}

static int run_pmbind(struct opts *o)
{
	struct run run = { .o = o, .t = { .pid = -1, .pidfd = -1 } };
	int rc;

	rc = open_target(&run);
	if (!rc)
		rc = collect_ranges(&run);
	if (rc)
		goto out;
	if (o->show) {
		rc = show(&run);
		goto out;
	}
	if (o->dry_run) {
		run.used = o->method != M_AUTO ? o->method : o->syscall_nr >= 0 ? M_SYSCALL : M_PTRACE;
		o->c.json ? print_json(&run, 1) : print_text(&run, 1);
		rc = EXIT_SUCCESS;
		goto out;
	}
	if (!pending_ranges(o)) {
		rc = exit_status(o, 0);
		goto out;
	}
	rc = run_methods(&run);
	msg_verbose(1, "pid %d: method %s", run.t.pid, method_names[run.used]);
	not_done(&run, rc);
	o->c.json ? print_json(&run, 0) : print_text(&run, 0);
	rc = exit_status(o, rc);
out:
	vma_list_free(&run.vmas);
	target_close(&run.t);
	return rc;
}

/* What the checks and the run allocated in o: popt's own strings are opt_free()'s. */
static void opts_free(struct opts *o)
{
	size_t i;

	for (i = 0; i < o->nr; i++)
		free(o->r[i].per_node);
	free(o->r);
	o->r = NULL;
	o->nr = 0;
	if (o->pol.nodes)
		numa_bitmask_free(o->pol.nodes);
	o->pol.nodes = NULL;
}

int main(int argc, char **argv)
{
	static struct opts o;
	const struct poptOption options[] = {
		{ "pid", 'p', POPT_ARG_STRING, &o.pid_arg, 0, "the target process", "PID" },
		{ "pidfd", '\0', POPT_ARG_STRING, &o.pidfd_arg, 0, "the target, as an inherited pidfd",
		  "FD" },
		{ "membind", 'm', POPT_ARG_STRING, &o.membind, 0, "allocate only on NODES", "NODES" },
		{ "interleave", 'i', POPT_ARG_STRING, &o.interleave, 0, "interleave over NODES",
		  "NODES" },
		{ "weighted-interleave", 'w', POPT_ARG_STRING, &o.weighted, 0,
		  "interleave over NODES by their weights (Linux 6.9)", "NODES" },
		{ "preferred", '\0', POPT_ARG_STRING, &o.preferred, 0, "prefer NODE", "NODE" },
		{ "preferred-many", 'P', POPT_ARG_STRING, &o.preferred_many, 0,
		  "prefer NODES (Linux 5.15)", "NODES" },
		{ "localalloc", 'l', POPT_ARG_NONE, &o.localalloc, 0, "allocate on the faulting CPU's node",
		  NULL },
		{ "default", '\0', POPT_ARG_NONE, &o.def, 0, "remove the range's policy", NULL },
		{ "static", '\0', POPT_ARG_NONE, &o.is_static, 0, "MPOL_F_STATIC_NODES", NULL },
		{ "relative", '\0', POPT_ARG_NONE, &o.relative, 0, "MPOL_F_RELATIVE_NODES", NULL },
		{ "spm", '\0', POPT_ARG_NONE, &o.spm, 0,
		  "MPOL_F_SPM_NODE: allow SPM nodes (needs --static)", NULL },
		{ "move", '\0', POPT_ARG_NONE, &o.move, 0, "MPOL_MF_MOVE: move existing pages", NULL },
		{ "move-all", '\0', POPT_ARG_NONE, &o.move_all, 0,
		  "MPOL_MF_MOVE_ALL: also shared pages (CAP_SYS_NICE)", NULL },
		{ "strict", '\0', POPT_ARG_NONE, &o.strict, 0,
		  "MPOL_MF_STRICT: fail if pages are elsewhere", NULL },
		{ "ranges-from", '\0', POPT_ARG_STRING, &o.ranges_from, 0,
		  "read ranges from FILE (- for stdin), as mapsdump --ranges prints them", "FILE" },
		{ "vma", '\0', POPT_ARG_ARGV, &o.vma_sel, 0,
		  "the VMAs named: [heap], [stack], anon, a path or a glob (repeatable)", "SELECTOR" },
		{ "all", '\0', POPT_ARG_NONE, &o.all, 0, "every VMA but the special ones", NULL },
		{ "method", '\0', POPT_ARG_STRING, &o.method_arg, 0,
		  "auto, syscall, ptrace or migrate", "METHOD" },
		{ "syscall-nr", '\0', POPT_ARG_STRING, &o.nr_arg, 0,
		  "process_mbind's syscall number on this kernel", "N" },
		{ "show", '\0', POPT_ARG_NONE, &o.show, 0, "show the policy and pages per node of each VMA",
		  NULL },
		{ "dry-run", '\0', POPT_ARG_NONE, &o.dry_run, 0, "print what would be done, do nothing",
		  NULL },
		POPT_TABLEEND
	};
	const struct opt_spec spec = {
		.options = options,
		.args = "-p PID POLICY [START-END|START+LEN...]",
		.summary = "Bind address ranges of another process to NUMA nodes.",
		.man_section = 8,
	};
	poptContext pc;
	int rc;

	msg_init();
	pc = opt_parse_or_die(argc, argv, &spec, &o.c, &o.args, &o.nargs);
	rc = check_opts(&o);
	if (!rc)
		rc = run_pmbind(&o);
	opts_free(&o);
	opt_free(pc);
	return rc;
}
