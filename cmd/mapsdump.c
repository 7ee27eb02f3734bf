// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mapsdump: fast, coherent dumps of /proc/PID/maps, through the
 * PROCMAP_QUERY ioctl where the kernel has it and the text where not.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/caps.h"
#include "lib/doc.h"
#include "lib/msg.h"
#include "lib/numamaps.h"
#include "lib/opt.h"
#include "lib/parse.h"
#include "lib/sysroot.h"
#include "lib/table.h"
#include "lib/target.h"
#include "lib/testhook.h"
#include "lib/vma.h"

enum {
	COL_PID, COL_START, COL_END, COL_SIZE, COL_PERMS, COL_OFFSET, COL_DEV, COL_INODE,
	COL_NAME, COL_PAGESIZE, COL_BUILDID, COL_POLICY, COL_NODES, COL_ANON, COL_DIRTY,
	COL_MAPPED, COL_KPAGESIZE, NR_COLS
};

static const struct table_col cols[NR_COLS] = {
	[COL_PID] = { "PID", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "process id" },
	[COL_START] = { "START", 12, 0, SCOLS_JSON_STRING, "start address (hex)" },
	[COL_END] = { "END", 12, 0, SCOLS_JSON_STRING, "end address (hex, exclusive)" },
	[COL_SIZE] = { "SIZE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "size of the mapping" },
	[COL_PERMS] = { "PERMS", 5, 0, SCOLS_JSON_STRING, "permissions, as in maps (r-xp)" },
	[COL_OFFSET] = { "OFFSET", 8, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "offset into the file (hex)" },
	[COL_DEV] = { "DEV", 5, 0, SCOLS_JSON_STRING, "device of the file (major:minor, hex)" },
	[COL_INODE] = { "INODE", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "inode of the file" },
	[COL_NAME] = { "NAME", 20, SCOLS_FL_NOEXTREMES, SCOLS_JSON_STRING,
		       "file or name, as in maps" },
	[COL_PAGESIZE] = { "PAGESIZE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			   "page size of the mapping (ioctl only)" },
	[COL_BUILDID] = { "BUILDID", 20, 0, SCOLS_JSON_STRING, "ELF build id of the file (ioctl only)" },
	[COL_POLICY] = { "POLICY", 8, 0, SCOLS_JSON_STRING, "memory policy, from numa_maps" },
	[COL_NODES] = { "NODES", 10, 0, SCOLS_JSON_STRING, "pages per node, from numa_maps" },
	[COL_ANON] = { "ANON", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "anonymous pages, from numa_maps" },
	[COL_DIRTY] = { "DIRTY", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "dirty pages, from numa_maps" },
	[COL_MAPPED] = { "MAPPED", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			 "mapped file pages, from numa_maps" },
	[COL_KPAGESIZE] = { "KPAGESIZE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			    "kernel page size backing the pages, from numa_maps" },
};

/* JSON keys: snake_case, named after the kernel's fields. */
static const char *const json_keys[NR_COLS] = {
	[COL_PID] = "pid", [COL_START] = "start", [COL_END] = "end", [COL_SIZE] = "size",
	[COL_PERMS] = "perms", [COL_OFFSET] = "offset", [COL_DEV] = "dev", [COL_INODE] = "inode",
	[COL_NAME] = "name", [COL_PAGESIZE] = "page_size", [COL_BUILDID] = "build_id",
	[COL_POLICY] = "policy", [COL_NODES] = "nodes", [COL_ANON] = "anon",
	[COL_DIRTY] = "dirty", [COL_MAPPED] = "mapped", [COL_KPAGESIZE] = "kernelpagesize_kb",
};

enum format { FMT_MAPS, FMT_RANGES, FMT_TABLE, FMT_JSON };

struct opts {
	struct opt_common c;
	const char *method_arg;
	const char *perm_arg;
	const char *name_glob;
	const char *addr_arg;
	const char *pidfd_arg;
	int ranges, build_id, numa, check, self, file, anon;
	int want_build_id;	/* a BUILDID column or key was selected */
	int want_numa;		/* a numa_maps column or key was selected */
	int want_page_size;	/* the PAGESIZE column or key was selected */

	enum vma_method method;
	enum format fmt;
	uint32_t perm_set, perm_clear;
	uint64_t addr;
	int pidfd;
	const char **pids;
	int npids;
};

/* What one target gave. */
struct dump {
	pid_t pid;
	int status;		/* EXIT_* for this target */
	char error[256];	/* what failed, as printed on stderr */
	struct vma_list vmas;
	struct numamap_list numa;
	char comm[64];
};

struct out {
	const struct opts *o;
	struct table table;
	int table_ready;
	json_object *procs;
	int ndumped;		/* maps-format headers */
	int multi;
};

static void help_columns(FILE *out)
{
	table_help_columns(out, cols, NR_COLS);
}

static int parse_perm(struct opts *o)
{
	static const char letters[] = "rwxs";
	const char *s = o->perm_arg;
	size_t i, len = strlen(s);

	if (len == 4 && strspn(s, "rwxsp-") == 4) {
		for (i = 0; i < 4; i++) {
			char yes = letters[i], no = i == 3 ? 'p' : '-';

			if (s[i] == yes)
				o->perm_set |= 1u << i;
			else if (s[i] == no)
				o->perm_clear |= 1u << i;
			else
				return -EINVAL;
		}
		return 0;
	}
	if (!len || strspn(s, "rwxsp") != len)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] == 'p')
			o->perm_clear |= VMA_SHARED;
		else
			o->perm_set |= 1u << (strchr(letters, s[i]) - letters);
	}
	return (o->perm_set & o->perm_clear) ? -EINVAL : 0;
}

static int check_opts(struct opts *o)
{
	int i, ntargets = o->npids + !!o->self + !!o->pidfd_arg;
	pid_t pid;

	if (!o->method_arg || !strcmp(o->method_arg, "auto"))
		o->method = VMA_METHOD_AUTO;
	else if (!strcmp(o->method_arg, "ioctl"))
		o->method = VMA_METHOD_IOCTL;
	else if (!strcmp(o->method_arg, "text"))
		o->method = VMA_METHOD_TEXT;
	else
		return msg_usage("invalid method '%s': use auto, ioctl or text", o->method_arg);
	if (o->perm_arg && parse_perm(o))
		return msg_usage("invalid permissions '%s': use letters of rwxsp, or a mask like r-xp",
				 o->perm_arg);
	if (o->addr_arg && parse_addr(o->addr_arg, &o->addr))
		return msg_usage("invalid address '%s'", o->addr_arg);
	o->pidfd = -1;
	if (o->pidfd_arg && parse_fd(o->pidfd_arg, &o->pidfd))
		return msg_usage("invalid file descriptor '%s'", o->pidfd_arg);
	for (i = 0; i < o->npids; i++)
		if (parse_pid(o->pids[i], &pid))
			return msg_usage("invalid pid '%s'", o->pids[i]);
	if (!ntargets)
		return msg_usage("no process given");
	if (o->self && !sysroot_is_live())
		return msg_usage("--self cannot be used with --sysroot");
	if (o->file && o->anon)
		return msg_usage("--file and --anon are mutually exclusive");
	if (o->ranges && (o->c.json || table_opts.output || table_opts.output_all))
		return msg_usage("--ranges cannot be combined with --json or --output");
	if (o->build_id && o->method == VMA_METHOD_TEXT)
		return msg_usage("--build-id needs the ioctl method, not --method=text");
	if (o->ranges)
		o->fmt = FMT_RANGES;
	else if (o->c.json)
		o->fmt = FMT_JSON;
	else if (table_opts.output || table_opts.output_all || o->numa || o->build_id)
		o->fmt = FMT_TABLE;
	else
		o->fmt = FMT_MAPS;
	return 0;
}

static int selected(const struct opts *o, const struct vma *v)
{
	if ((v->perms & o->perm_set) != o->perm_set || (v->perms & o->perm_clear))
		return 0;
	if (o->file && !vma_is_file(v))
		return 0;
	if (o->anon && !vma_is_anon(v))
		return 0;
	/* "[heap]" is a bracket expression to fnmatch: try the name as it is first. */
	if (o->name_glob && strcmp(o->name_glob, v->name) && fnmatch(o->name_glob, v->name, 0))
		return 0;
	return 1;
}

/* A failure of one target: the message (kept for JSON) and its status. */
static int __attribute__((format(printf, 3, 4))) dump_fail(struct dump *d, int status,
							   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->error, sizeof(d->error), fmt, ap);
	va_end(ap);
	msg_err(0, "%s", d->error);
	return d->status = status;
}

static int target_failed(struct dump *d, int err, const char *what)
{
	char buf[96];

	if (err == -ENOTTY)
		return dump_fail(d, EXIT_NOTSUP, "pid %d: the PROCMAP_QUERY ioctl is not supported "
				 "by this kernel (it needs Linux 6.11)", d->pid);
	dump_fail(d, EXIT_FAILURE, "%s of pid %d: %s", what, d->pid, strerror(-err));
	if (err == -EACCES || err == -EPERM) {
		snprintf(buf, sizeof(buf), "reading the address space of pid %d", d->pid);
		caps_hint(-err, CAP_SYS_PTRACE, buf);
	}
	return d->status;
}

/*
 * After a read: 1 (and the message) if the process exited meanwhile.  A
 * dead process's maps and numa_maps read as empty or cut short, not as an
 * error: what was read is not the address space, and is not printed.
 */
static int exited(struct dump *d, const struct target *t, const char *what)
{
	if (!target_gone(t))
		return 0;
	dump_fail(d, EXIT_FAILURE, "pid %d exited while its %s was read", d->pid, what);
	return 1;
}

/* Kernel threads and zombies have no address space: say so plainly. */
static int no_mm(struct dump *d, const struct target *t)
{
	int kind = target_kind(t);

	if (kind == TARGET_KTHREAD)
		dump_fail(d, EXIT_FAILURE, "pid %d is a kernel thread: it has no address space",
			  d->pid);
	else if (kind == TARGET_ZOMBIE)
		dump_fail(d, EXIT_FAILURE, "pid %d is a zombie: it has no address space", d->pid);
	else
		return 0;
	return 1;
}

static int filtered(const struct opts *o)
{
	return o->perm_set || o->perm_clear || o->file || o->anon || o->name_glob;
}

/*
 * auto, for a whole address space, reads the text: at 100,000 VMAs one
 * PROCMAP_QUERY per VMA cost 2.5 times cat's CPU time, the text 1.1 to 1.2
 * times (bench/dump).  The ioctl stays where only it answers (build ids,
 * page sizes) and for --addr, where one call replaces reading everything.
 */
static enum vma_method pick_method(const struct opts *o)
{
	if (o->method != VMA_METHOD_AUTO || o->addr_arg || o->build_id || o->want_build_id ||
	    o->want_page_size)
		return o->method;
	return VMA_METHOD_TEXT;
}

static int read_vmas(struct dump *d, const struct opts *o, int fd)
{
	struct vma_read_opts ro = {
		.method = pick_method(o),
		.build_id = o->build_id || o->want_build_id,
		/*
		 * Printed as maps with nothing left out: the kernel's bytes will
		 * do.  A --sysroot file is not the kernel's: every field is parsed.
		 */
		.verbatim = o->fmt == FMT_MAPS && !filtered(o) && sysroot_is_live(),
	};
	enum vma_method used;
	struct vma v;
	int rc;

	if (!o->addr_arg)
		return vma_read(fd, &ro, &d->vmas);
	memset(&d->vmas, 0, sizeof(d->vmas));
	rc = vma_find(fd, &ro, o->addr, &v, &used);
	d->vmas.method = used;
	if (rc == 0) {
		dump_fail(d, EXIT_FAILURE, "no mapping at 0x%" PRIx64 " in pid %d", o->addr, d->pid);
		return -ENXIO;
	}
	if (rc < 0)
		return rc;
	return vma_list_add(&d->vmas, &v);
}

static int read_numa(struct dump *d, const struct target *t)
{
	int fd = target_proc_open(t, "numa_maps", O_RDONLY);
	int rc;

	if (fd < 0)
		return fd;
	rc = numamaps_read(fd, &d->numa);
	close(fd);
	return rc;
}

/* One target as named on the command line. */
struct target_arg {
	const char *pid;	/* a PID argument, or NULL */
	int self;
	int pidfd;		/* >= 0 for --pidfd */
};

static int open_target(struct target *t, const struct target_arg *ta)
{
	pid_t pid;

	if (ta->self)
		return target_open(t, getpid());
	if (ta->pidfd >= 0)
		return target_open_pidfd(t, ta->pidfd);
	parse_pid(ta->pid, &pid);
	return target_open(t, pid);
}

static int dump_target(struct dump *d, const struct opts *o, const struct target_arg *ta)
{
	struct target t = { .pid = -1, .pidfd = -1 };
	int fd, rc;

	d->status = EXIT_SUCCESS;
	rc = open_target(&t, ta);
	d->pid = t.pid;
	if (rc < 0 && ta->pidfd >= 0)
		return dump_fail(d, rc == -ESRCH ? EXIT_FAILURE : EXIT_USAGE, "cannot use pidfd %d: %s",
				 ta->pidfd, strerror(-rc));
	if (rc < 0) {
		if (ta->pid)
			parse_pid(ta->pid, &d->pid);
		return target_failed(d, rc, "cannot read maps");
	}
	testhook_target(t.pid);
	testhook_point("mapsdump-open");
	if (no_mm(d, &t))
		goto out;
	target_comm(&t, d->comm, sizeof(d->comm));
	fd = target_proc_open(&t, "maps", O_RDONLY);
	if (fd < 0) {
		target_failed(d, fd, "cannot read maps");
		goto out;
	}
	rc = read_vmas(d, o, fd);
	close(fd);
	if ((rc == 0 || rc == -ESRCH) && exited(d, &t, "maps"))
		goto out;
	if (rc == -ENXIO)
		goto out;
	if (rc < 0) {
		target_failed(d, rc, "cannot read maps");
		goto out;
	}
	msg_verbose(1, "pid %d: method %s", d->pid, vma_method_name(d->vmas.method));
	msg_verbose(2, "pid %d: %zu vmas, %zu records dropped", d->pid,
		    d->vmas.verbatim ? d->vmas.nverbatim : d->vmas.n, d->vmas.ndropped);
	if (o->build_id && d->vmas.method != VMA_METHOD_IOCTL) {
		target_failed(d, -ENOTTY, NULL);
		goto out;
	}
	testhook_point("mapsdump-numa");
	if ((o->numa || o->want_numa) && (rc = read_numa(d, &t)) < 0 && !exited(d, &t, "numa_maps"))
		target_failed(d, rc, "cannot read numa_maps");
	else if ((o->numa || o->want_numa) && rc == 0)
		exited(d, &t, "numa_maps");
out:
	target_close(&t);
	return d->status;
}

static void report_torn(const struct dump *d, const struct opts *o)
{
	size_t i;

	if (!o->check)
		return;
	for (i = 0; i < d->vmas.ndropped; i++) {
		const struct vma_drop *x = &d->vmas.dropped[i];

		if (x->cut_to)
			msg_err(0, "pid %d: torn read: cut %08" PRIx64 "-%08" PRIx64 " to %08" PRIx64
				"-%08" PRIx64 " (overlaps %08" PRIx64 "-%08" PRIx64 ")", d->pid,
				x->v.start, x->v.end, x->v.start, x->cut_to, x->by_start, x->by_end);
		else
			msg_err(0, "pid %d: torn read: dropped %08" PRIx64 "-%08" PRIx64
				" (overlaps %08" PRIx64 "-%08" PRIx64 ")", d->pid, x->v.start,
				x->v.end, x->by_start, x->by_end);
	}
}

/* ---- output ---- */

static int print_maps(struct out *out, const struct dump *d)
{
	char buf[512], *line, *big = NULL;
	size_t i, n;

	if (out->multi)
		printf("%s==> %d <==\n", out->ndumped++ ? "\n" : "", d->pid);
	if (d->vmas.verbatim) {
		fwrite(d->vmas.text, 1, d->vmas.text_len, stdout);
		return 0;
	}
	for (i = 0; i < d->vmas.n; i++) {
		const struct vma *v = &d->vmas.v[i];

		if (!selected(out->o, v))
			continue;
		if (v->line) {
			const char *from = v->line;

			/* Lines that follow each other in the text go out in one call. */
			n = v->line_len;
			while (i + 1 < d->vmas.n && v[1].line == v->line + v->line_len &&
			       selected(out->o, &v[1])) {
				v++;
				i++;
				n += v->line_len;
			}
			fwrite(from, 1, n, stdout);
			continue;
		}
		n = vma_format_line(v, buf, sizeof(buf));
		line = buf;
		if (n >= sizeof(buf)) {
			big = msg_realloc_or_die(big, n + 1);
			vma_format_line(v, big, n + 1);
			line = big;
		}
		fwrite(line, 1, n, stdout);
	}
	free(big);
	return 0;
}

static int print_ranges(struct out *out, const struct dump *d)
{
	size_t i;

	for (i = 0; i < d->vmas.n; i++)
		if (selected(out->o, &d->vmas.v[i]))
			printf("0x%" PRIx64 "-0x%" PRIx64 "\n", d->vmas.v[i].start, d->vmas.v[i].end);
	return 0;
}

static void build_id_hex(const struct vma *v, char *buf)
{
	uint32_t i;

	for (i = 0; i < v->build_id_size; i++)
		sprintf(buf + 2 * (size_t)i, "%02x", v->build_id[i]);
	buf[2 * (size_t)i] = '\0';
}

static const char *default_columns(const struct opts *o)
{
	static char buf[160];

	snprintf(buf, sizeof(buf), "%s%s%s",
		 o->fmt == FMT_JSON ? "START,END,SIZE,PERMS,OFFSET,DEV,INODE,NAME" :
		 o->numa || o->build_id ? "START,END,PERMS,OFFSET,NAME" :
					  "START,END,SIZE,PERMS,OFFSET,DEV,INODE,NAME",
		 o->build_id ? ",BUILDID" : "",
		 !o->numa ? "" : o->fmt == FMT_JSON ? ",POLICY,NODES,ANON,DIRTY,MAPPED,KPAGESIZE" :
						      ",POLICY,NODES");
	return buf;
}

static void table_row(struct out *out, const struct dump *d, const struct vma *v)
{
	const struct numamap *m = numamaps_find(&d->numa, v->start);
	struct table *t = &out->table;
	struct libscols_line *ln = table_line(t);
	char perms[5], bid[2 * VMA_BUILD_ID_MAX + 1];
	char *nodes;

	vma_perms_str(v->perms, perms);
	build_id_hex(v, bid);
	table_set(t, ln, COL_PID, "%d", d->pid);
	table_set(t, ln, COL_START, "%08" PRIx64, v->start);
	table_set(t, ln, COL_END, "%08" PRIx64, v->end);
	table_set_size(t, ln, COL_SIZE, v->end - v->start);
	table_set(t, ln, COL_PERMS, "%s", perms);
	table_set(t, ln, COL_OFFSET, "%08" PRIx64, v->offset);
	table_set(t, ln, COL_DEV, "%02x:%02x", v->dev_major, v->dev_minor);
	table_set_u64(t, ln, COL_INODE, v->inode);
	table_set(t, ln, COL_NAME, "%s", v->name);
	if (v->page_size)
		table_set_size(t, ln, COL_PAGESIZE, v->page_size);
	table_set(t, ln, COL_BUILDID, "%s", bid);
	if (!m)
		return;
	nodes = numamaps_nodes_str(m);
	table_set(t, ln, COL_POLICY, "%s", m->policy);
	table_set(t, ln, COL_NODES, "%s", nodes ? nodes : "");
	free(nodes);
	if (m->has & NUMAMAP_HAS_ANON)
		table_set_u64(t, ln, COL_ANON, m->anon);
	if (m->has & NUMAMAP_HAS_DIRTY)
		table_set_u64(t, ln, COL_DIRTY, m->dirty);
	if (m->has & NUMAMAP_HAS_MAPPED)
		table_set_u64(t, ln, COL_MAPPED, m->mapped);
	if (m->kernelpagesize_kb)
		table_set_size(t, ln, COL_KPAGESIZE, m->kernelpagesize_kb << 10);
}

static int print_table(struct out *out, const struct dump *d)
{
	size_t i;

	for (i = 0; i < d->vmas.n; i++)
		if (selected(out->o, &d->vmas.v[i]))
			table_row(out, d, &d->vmas.v[i]);
	return 0;
}

static void json_set(struct out *out, json_object *obj, int col, json_object *val)
{
	if (table_has(&out->table, col))
		json_object_object_add(obj, json_keys[col], val);
	else
		json_object_put(val);
}

static json_object *json_counter(const struct numamap *m, unsigned int bit, uint64_t val)
{
	return m && (m->has & bit) ? json_object_new_uint64(val) : NULL;
}

static json_object *json_vma(struct out *out, const struct dump *d, const struct vma *v)
{
	const struct numamap *m = numamaps_find(&d->numa, v->start);
	json_object *obj = json_object_new_object();
	char buf[2 * VMA_BUILD_ID_MAX + 1];

	json_set(out, obj, COL_PID, json_object_new_int(d->pid));
	json_set(out, obj, COL_START, json_object_new_uint64(v->start));
	json_set(out, obj, COL_END, json_object_new_uint64(v->end));
	json_set(out, obj, COL_SIZE, json_object_new_uint64(v->end - v->start));
	vma_perms_str(v->perms, buf);
	json_set(out, obj, COL_PERMS, json_object_new_string(buf));
	json_set(out, obj, COL_OFFSET, json_object_new_uint64(v->offset));
	snprintf(buf, sizeof(buf), "%02x:%02x", v->dev_major, v->dev_minor);
	json_set(out, obj, COL_DEV, json_object_new_string(buf));
	json_set(out, obj, COL_INODE, json_object_new_uint64(v->inode));
	json_set(out, obj, COL_NAME, *v->name ? json_object_new_string(v->name) : NULL);
	json_set(out, obj, COL_PAGESIZE, v->page_size ? json_object_new_uint64(v->page_size) : NULL);
	build_id_hex(v, buf);
	json_set(out, obj, COL_BUILDID, *buf ? json_object_new_string(buf) : NULL);
	json_set(out, obj, COL_POLICY, m ? json_object_new_string(m->policy) : NULL);
	json_set(out, obj, COL_NODES, m ? numamaps_nodes_json(m) : NULL);
	json_set(out, obj, COL_ANON, json_counter(m, NUMAMAP_HAS_ANON, m ? m->anon : 0));
	json_set(out, obj, COL_DIRTY, json_counter(m, NUMAMAP_HAS_DIRTY, m ? m->dirty : 0));
	json_set(out, obj, COL_MAPPED, json_counter(m, NUMAMAP_HAS_MAPPED, m ? m->mapped : 0));
	json_set(out, obj, COL_KPAGESIZE,
		 m && m->kernelpagesize_kb ? json_object_new_uint64(m->kernelpagesize_kb) : NULL);
	return obj;
}

static json_object *json_dropped(const struct dump *d)
{
	json_object *arr = json_object_new_array();
	char perms[5];
	size_t i;

	for (i = 0; i < d->vmas.ndropped; i++) {
		const struct vma_drop *x = &d->vmas.dropped[i];
		json_object *obj = json_object_new_object();

		vma_perms_str(x->v.perms, perms);
		json_object_object_add(obj, "start", json_object_new_uint64(x->v.start));
		json_object_object_add(obj, "end", json_object_new_uint64(x->v.end));
		json_object_object_add(obj, "perms", json_object_new_string(perms));
		json_object_object_add(obj, "name",
				       *x->v.name ? json_object_new_string(x->v.name) : NULL);
		json_object_object_add(obj, "cut_to",
				       x->cut_to ? json_object_new_uint64(x->cut_to) : NULL);
		json_object_object_add(obj, "overlapped_by_start", json_object_new_uint64(x->by_start));
		json_object_object_add(obj, "overlapped_by_end", json_object_new_uint64(x->by_end));
		json_object_array_add(arr, obj);
	}
	return arr;
}

static int print_json(struct out *out, const struct dump *d)
{
	json_object *proc = json_object_new_object();
	json_object *vmas;
	size_t i;

	json_object_object_add(proc, "pid", json_object_new_int(d->pid));
	json_object_array_add(out->procs, proc);
	if (d->status) {
		json_object_object_add(proc, "error", json_object_new_string(d->error));
		return 0;
	}
	json_object_object_add(proc, "comm", json_object_new_string(d->comm));
	json_object_object_add(proc, "method",
			       json_object_new_string(vma_method_name(d->vmas.method)));
	vmas = json_object_new_array_ext(d->vmas.n);
	for (i = 0; i < d->vmas.n; i++)
		if (selected(out->o, &d->vmas.v[i]))
			json_object_array_add(vmas, json_vma(out, d, &d->vmas.v[i]));
	json_object_object_add(proc, "vmas", vmas);
	if (out->o->check)
		json_object_object_add(proc, "dropped", json_dropped(d));
	return 0;
}

static int out_init(struct out *out, const struct opts *o)
{
	const char *defaults = default_columns(o);
	char *d = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	out->o = o;
	out->multi = o->npids + !!o->self + !!o->pidfd_arg > 1;
	if (o->fmt != FMT_TABLE && o->fmt != FMT_JSON)
		return 0;
	if (out->multi && o->fmt == FMT_TABLE && asprintf(&d, "PID,%s", defaults) < 0)
		return -ENOMEM;
	rc = table_init(&out->table, cols, NR_COLS, d ? d : defaults, 0, "vmas");
	free(d);
	if (rc < 0)
		return rc;
	out->table_ready = 1;
	if (o->fmt == FMT_JSON)
		out->procs = json_object_new_array();
	return 0;
}

static int out_dump(struct out *out, const struct dump *d)
{
	if (out->o->fmt == FMT_JSON)
		return print_json(out, d);
	if (d->status)
		return 0;
	switch (out->o->fmt) {
	case FMT_MAPS:
		return print_maps(out, d);
	case FMT_RANGES:
		return print_ranges(out, d);
	default:
		return print_table(out, d);
	}
}

static int out_finish(struct out *out)
{
	json_object *doc;
	int rc = 0;

	if (out->o->fmt == FMT_TABLE)
		rc = table_print(&out->table);
	if (out->o->fmt == FMT_JSON) {
		doc = json_object_new_object();
		json_object_object_add(doc, "processes", out->procs);
		if (doc_print(doc) == -ENOMEM && !rc)
			rc = -ENOMEM;
		json_object_put(doc);
	}
	if (out->table_ready)
		table_free(&out->table);
	return rc;
}

static int run_mapsdump(struct opts *o)
{
	int i, ntargets = o->npids + !!o->self + !!o->pidfd_arg;
	int nok = 0, nfail = 0, fail_status = 0, torn = 0;
	struct out out;
	int rc;

	rc = out_init(&out, o);
	if (rc < 0)
		return rc == -EINVAL ? EXIT_USAGE : EXIT_FAILURE;
	/* Asked for as a column, build ids come where the ioctl can give them. */
	o->want_build_id = out.table_ready && table_has(&out.table, COL_BUILDID);
	o->want_page_size = out.table_ready && table_has(&out.table, COL_PAGESIZE);
	for (i = COL_POLICY; out.table_ready && i <= COL_KPAGESIZE; i++)
		o->want_numa |= table_has(&out.table, i);
	for (i = 0; i < ntargets; i++) {
		struct target_arg ta = { .pidfd = -1 };
		struct dump d;

		/* PIDs in order, then --self, then --pidfd. */
		if (i < o->npids)
			ta.pid = o->pids[i];
		else if (i == o->npids && o->self)
			ta.self = 1;
		else
			ta.pidfd = o->pidfd;
		memset(&d, 0, sizeof(d));
		dump_target(&d, o, &ta);
		report_torn(&d, o);
		torn |= d.vmas.ndropped > 0;
		out_dump(&out, &d);
		if (d.status) {
			fail_status = nfail++ && fail_status != d.status ? EXIT_FAILURE : d.status;
		} else {
			nok++;
		}
		vma_list_free(&d.vmas);
		numamaps_free(&d.numa);
	}
	if (out_finish(&out) < 0)
		return EXIT_FAILURE;
	if (nfail)
		return nok ? EXIT_PARTIAL : fail_status;
	return o->check && torn ? EXIT_PARTIAL : EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	static struct opts o;
	const struct poptOption options[] = {
		{ "method", '\0', POPT_ARG_STRING, &o.method_arg, 0,
		  "how to read: auto, ioctl (PROCMAP_QUERY) or text", "METHOD" },
		{ "self", '\0', POPT_ARG_NONE, &o.self, 0, "dump mapsdump's own address space", NULL },
		{ "pidfd", '\0', POPT_ARG_STRING, &o.pidfd_arg, 0, "the process of an inherited pidfd",
		  "FD" },
		{ "ranges", '\0', POPT_ARG_NONE, &o.ranges, 0,
		  "print 0xSTART-0xEND per mapping (input of pmbind --ranges-from)", NULL },
		{ "numa", '\0', POPT_ARG_NONE, &o.numa, 0,
		  "join numa_maps: policy and pages per node", NULL },
		{ "build-id", '\0', POPT_ARG_NONE, &o.build_id, 0,
		  "show ELF build ids (ioctl only)", NULL },
		{ "perm", '\0', POPT_ARG_STRING, &o.perm_arg, 0,
		  "only mappings with these permissions (rwxsp letters, or a mask like r-xp)",
		  "PERMS" },
		{ "file", '\0', POPT_ARG_NONE, &o.file, 0, "only file-backed mappings", NULL },
		{ "anon", '\0', POPT_ARG_NONE, &o.anon, 0, "only anonymous mappings", NULL },
		{ "name", '\0', POPT_ARG_STRING, &o.name_glob, 0, "only mappings whose name matches",
		  "GLOB" },
		{ "addr", '\0', POPT_ARG_STRING, &o.addr_arg, 0, "only the mapping covering ADDR",
		  "ADDR" },
		{ "check", '\0', POPT_ARG_NONE, &o.check, 0,
		  "report records dropped by a torn read; exit 3 if any", NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, table_popt, 0, "Table options:", NULL },
		POPT_TABLEEND
	};
	const struct opt_spec spec = {
		.options = options,
		.args = "PID... | --self | --pidfd FD",
		.summary = "Dump the address space of processes, as /proc/PID/maps does, fast and coherent.",
		.help_extra = help_columns,
	};
	poptContext pc;
	int rc;

	msg_init();
	pc = opt_parse_or_die(argc, argv, &spec, &o.c, &o.pids, &o.npids);
	rc = check_opts(&o);
	if (!rc)
		rc = run_mapsdump(&o);
	opt_free(pc);
	return rc;
}
