// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * spmctl run: a command whose memory may come from SPM nodes, and spmctl
 * who: which processes hold pages on them.
 *
 * run sets its own memory policy and execs the command, as numactl does: a
 * policy survives exec, the command keeps spmctl's pid (job launchers wait
 * for that pid and signal it), and its exit status is its own.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <numaif.h>

#include "lib/bitmap.h"
#include "lib/mpol.h"
#include "lib/msg.h"
#include "lib/nodes.h"
#include "lib/numamaps.h"
#include "lib/parse.h"
#include "lib/spm.h"
#include "lib/sysroot.h"
#include "lib/table.h"
#include "lib/target.h"
#include "lib/testhook.h"

#include "cmd/spmctl.h"

/* ---- run ---- */

static int parse_policy(const char *s, int *mode)
{
	static const struct {
		const char *name;
		int mode;
	} policies[] = {
		{ "bind", MPOL_MODE_BIND },
		{ "preferred", MPOL_MODE_PREFERRED },
		{ "interleave", MPOL_MODE_INTERLEAVE },
	};
	size_t i;

	for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
		if (!strcmp(s, policies[i].name)) {
			*mode = policies[i].mode;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * The SPM RFC lets a task onto SPM nodes only with MPOL_F_SPM_NODE, valid
 * with MPOL_F_STATIC_NODES alone.  A kernel without it sees a mode number
 * out of range (EINVAL): the plain mode then.  1 with the flags, 0 plain,
 * -1 when the kernel took neither (said).
 */
static int set_policy(struct mpol *p, const char *nodes)
{
	unsigned long mask[MPOL_MASK_BITS / (8 * sizeof(long))];
	const char *mode = mpol_mode_name(p->mode);
	int err;

	mpol_mask_words(p, mask);
	p->mode_flags = MPOL_FLAG_STATIC_NODES | MPOL_FLAG_SPM_NODE;
	if (set_mempolicy((int)mpol_mode_arg(p), mask, MPOL_MASK_BITS + 1) == 0) {
		msg_verbose(1, "policy %s on nodes %s, with MPOL_F_STATIC_NODES|MPOL_F_SPM_NODE",
			    mode, nodes);
		return 1;
	}
	err = errno;
	if (err != EINVAL)
		goto fail;
	p->mode_flags = 0;
	if (set_mempolicy((int)mpol_mode_arg(p), mask, MPOL_MASK_BITS + 1) == 0) {
		msg_verbose(1, "the kernel refused MPOL_F_SPM_NODE (no SPM support): plain policy "
			    "%s on nodes %s", mode, nodes);
		return 0;
	}
	err = errno;
fail:
	msg_err(err, "cannot set the policy %s on nodes '%s'", mode, nodes);
	if (err == EINVAL)
		msg_hint("a node without memory, or outside this task's cpuset, takes no policy");
	return -1;
}

/* A word as the shell reads it back: quoted unless made of [A-Za-z0-9_./:=,+@%-] only. */
static void print_word(const char *w)
{
	const char *p;

	if (*w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			    "_./:=,+-@%") == strlen(w)) {
		fputs(w, stdout);
		return;
	}
	putchar('\'');
	for (p = w; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*p);
	}
	putchar('\'');
}

/* --dry-run: the policy the kernel took, and the command. */
static void print_plan(const struct mpol *p, const char *nodes, int flags, char **cmd)
{
	size_t i;

	printf("policy: %s nodes %s%s\n", mpol_mode_name(p->mode), nodes,
	       flags ? " flags MPOL_F_STATIC_NODES|MPOL_F_SPM_NODE" : "");
	fputs("exec:", stdout);
	for (i = 0; cmd[i]; i++) {
		putchar(' ');
		print_word(cmd[i]);
	}
	putchar('\n');
}

int spm_cmd_run(const struct spm_opts *o)
{
	struct mpol pol = { .mode = MPOL_MODE_BIND };
	char *nodes;
	int rc, err;

	if (o->nargs > 1)
		return msg_usage("unexpected argument '%s' (the command goes after --)",
				 o->args[1]);
	if (!o->cmd || !o->ncmd || !o->cmd[0] || !*o->cmd[0])
		return msg_usage("no command given: spmctl run --nodes=NODES -- CMD [ARGS]");
	if (!o->nodes_arg)
		return msg_usage("run needs --nodes=NODES");
	if (!sysroot_is_live())
		return msg_usage("run works on the live system, not with --sysroot");
	if (o->policy_arg && parse_policy(o->policy_arg, &pol.mode) < 0)
		return msg_usage("invalid policy '%s': use bind, preferred or interleave",
				 o->policy_arg);
	rc = nodes_parse_all(o->nodes_arg, &pol.nodes);
	if (rc == -ENOSYS) {
		msg_err(0, "%s", nodes_last_error());
		return EXIT_NOTSUP;
	}
	if (rc < 0)
		return msg_usage("invalid node list '%s': %s", o->nodes_arg, nodes_last_error());
	if (pol.mode == MPOL_MODE_PREFERRED && numa_bitmask_weight(pol.nodes) != 1) {
		numa_bitmask_free(pol.nodes);
		return msg_usage("--policy=preferred takes exactly one node, not '%s'",
				 o->nodes_arg);
	}
	nodes = mpol_nodes_str(&pol);
	rc = set_policy(&pol, nodes ? nodes : o->nodes_arg);
	/* The policy is spmctl's own until exec: a dry run changes nothing else. */
	if (rc >= 0 && o->dry_run)
		print_plan(&pol, nodes ? nodes : o->nodes_arg, rc, o->cmd);
	free(nodes);
	numa_bitmask_free(pol.nodes);
	if (rc < 0)
		return EXIT_FAILURE;
	if (o->dry_run)
		return fflush(stdout) || ferror(stdout) ? EXIT_FAILURE : 0;
	/* Nothing of ours is buffered for stdout, but the command shares it. */
	fflush(NULL);
	execvp(o->cmd[0], o->cmd);
	err = errno;
	msg_err(err, "cannot run '%s'", o->cmd[0]);
	return target_exec_status(err);
}

/* ---- who ---- */

enum { COL_PID, COL_COMM, COL_NODE, COL_KIND, COL_PAGES, COL_SIZE, COL_PERCENT };

static const struct table_col who_cols[] = {
	[COL_PID] = { "PID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "process id" },
	[COL_COMM] = { "COMM", 0.2, 0, SCOLS_JSON_STRING, "command name" },
	[COL_NODE] = { "NODE", 4, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "NUMA node" },
	[COL_KIND] = { "KIND", 7, 0, SCOLS_JSON_STRING,
		       "kind of the node: sysram, spm, private, cpuless" },
	[COL_PAGES] = { "PAGES", 8, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			"pages on the node (base pages: a 2M huge page counts 512)" },
	[COL_SIZE] = { "SIZE", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "memory on the node" },
	[COL_PERCENT] = { "PERCENT", 7, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			  "share of the process's pages (numa_maps) on the node" },
};

#define WHO_DEFAULT "PID,COMM,NODE,PAGES,SIZE"
#define WHO_MAX_NODES MPOL_MASK_BITS

struct who_row {
	pid_t pid;
	int node;
	uint64_t bytes;
	uint64_t total;		/* bytes of the process on every node */
	char comm[64];
};

struct who {
	const struct spm_opts *o;
	struct spm_system sys;
	int have_sys;
	unsigned char sel[WHO_MAX_NODES];
	int nsel;
	struct who_row *rows;
	size_t nrows, arows;
	int unreadable, unreadable_err, scanned;
	uint64_t page_size;
};

static int select_kind_nodes(struct who *w)
{
	size_t i;

	for (i = 0; i < w->sys.nnodes; i++) {
		const struct spm_node *n = &w->sys.nodes[i];

		if (n->kind == SPM_KIND_SYSRAM || n->id < 0 || n->id >= WHO_MAX_NODES)
			continue;
		w->sel[n->id] = 1;
		w->nsel++;
	}
	return 0;
}

/*
 * A list of the command line: numactl's grammar through libnuma on the live
 * system; under --sysroot libnuma would judge the live machine, so the
 * tree's own nodes judge a list in the kernel's format ("0-2,5").
 */
static int select_list(struct who *w, const char *s)
{
	struct bitmask *bm;
	unsigned int i;
	int rc;

	if (sysroot_is_live()) {
		rc = nodes_parse_all(s, &bm);
		if (rc == -ENOSYS) {
			msg_err(0, "%s", nodes_last_error());
			return EXIT_NOTSUP;
		}
		if (rc < 0)
			return msg_usage("invalid node list '%s': %s", s, nodes_last_error());
	} else {
		rc = bitmap_parse_list(s, &bm);
		if (rc < 0 || !*s || !numa_bitmask_weight(bm)) {
			if (rc == 0)
				numa_bitmask_free(bm);
			return msg_usage("invalid node list '%s' (under --sysroot: the "
					 "kernel's list format, e.g. 0-2,5)", s);
		}
		for (i = 0; i < bm->size; i++) {
			if (numa_bitmask_isbitset(bm, i) &&
			    (!w->have_sys || !spm_node_find(&w->sys, i))) {
				numa_bitmask_free(bm);
				return msg_usage("invalid node list '%s': no node %u in %s", s, i,
						 sysroot_get());
			}
		}
	}
	for (i = 0; i < bm->size && i < WHO_MAX_NODES; i++) {
		if (numa_bitmask_isbitset(bm, i) && !w->sel[i]) {
			w->sel[i] = 1;
			w->nsel++;
		}
	}
	numa_bitmask_free(bm);
	return 0;
}

static void add_row(struct who *w, pid_t pid, const char *comm, int node, uint64_t bytes,
		    uint64_t total)
{
	struct who_row *r;

	if (w->nrows == w->arows) {
		w->arows = w->arows ? 2 * w->arows : 64;
		w->rows = msg_realloc_or_die(w->rows, w->arows * sizeof(*w->rows));
	}
	r = &w->rows[w->nrows++];
	r->pid = pid;
	r->node = node;
	r->bytes = bytes;
	r->total = total;
	snprintf(r->comm, sizeof(r->comm), "%s", comm);
}

static void note_unreadable(struct who *w, int err)
{
	if (!w->unreadable++)
		w->unreadable_err = err;
}

/* Bytes per node of one process; 0, or -ESRCH when it is gone (skipped silently). */
static int scan_process(struct who *w, pid_t pid)
{
	uint64_t per_node[WHO_MAX_NODES] = { 0 }, total = 0, bytes, kps;
	char comm[64], *buf = NULL, *line, *nl;
	struct numamap m;
	struct target t;
	ssize_t len;
	int rc, fd, n;

	rc = target_open(&t, pid);
	if (rc < 0) {
		if (rc != -ESRCH)
			note_unreadable(w, -rc);
		return rc;
	}
	fd = target_proc_open(&t, "numa_maps", O_RDONLY);
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	len = sysroot_read_fd(fd, &buf);
	close(fd);
	if (len < 0) {
		rc = (int)len;
		goto out;
	}
	testhook_point("spmctl-who");
	/* Gone while read (a zombie's numa_maps is empty): what was read may be cut short. */
	if (target_gone(&t)) {
		rc = -ESRCH;
		goto out;
	}
	/* Line by line: the order of the VMAs does not matter here. */
	for (line = buf; *line; line = *nl ? nl + 1 : nl) {
		nl = strchrnul(line, '\n');
		rc = numamaps_parse_line(line, nl - line, &m);
		if (rc < 0)
			goto out;
		kps = m.kernelpagesize_kb ? m.kernelpagesize_kb * 1024 : w->page_size;
		for (n = 0; n < m.nr_nodes; n++) {
			bytes = m.pages[n] * kps;
			total += bytes;
			if (n < WHO_MAX_NODES && w->sel[n])
				per_node[n] += bytes;
		}
		numamaps_free_one(&m);
	}
	if (target_comm(&t, comm, sizeof(comm)) < 0)
		snprintf(comm, sizeof(comm), "?");
	for (n = 0; n < WHO_MAX_NODES; n++)
		if (per_node[n])
			add_row(w, pid, comm, n, per_node[n], total);
	w->scanned++;
out:
	free(buf);
	target_close(&t);
	/* Gone, or a kernel thread's empty file: nothing to say. */
	if (rc < 0 && rc != -ESRCH && rc != -ENOENT)
		note_unreadable(w, -rc);
	return rc;
}

static int scan_all(struct who *w)
{
	struct dirent *de;
	pid_t pid, self = getpid();
	DIR *dir;

	dir = sysroot_opendir("/proc");
	if (!dir) {
		msg_err(errno, "cannot read %s/proc", sysroot_get() ? sysroot_get() : "");
		return EXIT_FAILURE;
	}
	while ((de = sysroot_readdir(dir))) {
		if (!isdigit((unsigned char)de->d_name[0]) || parse_pid(de->d_name, &pid) < 0)
			continue;
		/* spmctl's own pages are not what the audit is about. */
		if (pid == self && sysroot_is_live())
			continue;
		scan_process(w, pid);
	}
	closedir(dir);
	return 0;
}

static int by_pages(const void *a, const void *b)
{
	const struct who_row *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->node - y->node;
}

static int print_rows(struct who *w)
{
	struct libscols_line *ln;
	struct spm_node *node;
	struct table t;
	size_t i;
	int rc;

	rc = table_init(&t, who_cols, sizeof(who_cols) / sizeof(who_cols[0]), WHO_DEFAULT,
			w->o->c.json, "processes");
	if (rc < 0)
		return rc == -EINVAL ? EXIT_USAGE : EXIT_FAILURE;
	for (i = 0; i < w->nrows; i++) {
		const struct who_row *r = &w->rows[i];

		ln = table_line(&t);
		if (!ln) {
			table_free(&t);
			return EXIT_FAILURE;
		}
		node = w->have_sys ? spm_node_find(&w->sys, r->node) : NULL;
		table_set(&t, ln, COL_PID, "%d", (int)r->pid);
		table_set(&t, ln, COL_COMM, "%s", r->comm);
		table_set(&t, ln, COL_NODE, "%d", r->node);
		if (node)
			table_set(&t, ln, COL_KIND, "%s", spm_kind_name(node->kind));
		table_set_u64(&t, ln, COL_PAGES, r->bytes / w->page_size);
		table_set_size(&t, ln, COL_SIZE, r->bytes);
		table_set(&t, ln, COL_PERCENT, "%.1f",
			  r->total ? 100.0 * (double)r->bytes / (double)r->total : 0.0);
	}
	rc = table_print(&t);
	table_free(&t);
	if (rc < 0) {
		msg_err(-rc, "write error");
		return EXIT_FAILURE;
	}
	return 0;
}

int spm_cmd_who(const struct spm_opts *o)
{
	struct who w = { .o = o };
	int status = 0, rc, i;

	w.page_size = sysconf(_SC_PAGESIZE);
	rc = spm_read(&w.sys);
	w.have_sys = rc == 0;
	if (o->nargs <= 1) {
		if (rc < 0) {
			msg_err(-rc, "cannot read the memory nodes");
			return rc == -ENOENT ? EXIT_NOTSUP : EXIT_FAILURE;
		}
		select_kind_nodes(&w);
		if (!w.nsel)
			msg_err(0, "no spm, private or cpuless node here: nothing to look for "
				"(name nodes: who NODES)");
	}
	for (i = 1; i < o->nargs && !status; i++)
		status = select_list(&w, o->args[i]);
	if (!status && w.nsel)
		status = scan_all(&w);
	if (!status) {
		if (w.nrows)
			qsort(w.rows, w.nrows, sizeof(*w.rows), by_pages);
		status = print_rows(&w);
	}
	if (!status && w.unreadable) {
		msg_warn(w.unreadable_err, "cannot read the numa_maps of %d of %d processes",
			 w.unreadable, w.unreadable + w.scanned);
		if ((w.unreadable_err == EACCES || w.unreadable_err == EPERM) && geteuid() != 0)
			msg_hint("run as root to see every process");
	}
	free(w.rows);
	if (w.have_sys)
		spm_free(&w.sys);
	return status;
}

void spm_who_help_columns(FILE *out)
{
	fprintf(out, "\nColumns of who:\n");
	for (size_t i = 0; i < sizeof(who_cols) / sizeof(who_cols[0]); i++)
		fprintf(out, " %12s  %s\n", who_cols[i].name, who_cols[i].help);
}
