// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fakedamon: an LD_PRELOAD object that makes a plain directory tree behave
 * like the kernel's DAMON sysfs interface (mm/damon/sysfs*.c) for the process
 * it is loaded in, so that the host tests can drive damonctl's start, stop and
 * tune paths on fixtures: no kdamond of the machine is ever touched.
 *
 * Only files under $FAKEDAMON_ROOT/sys/kernel/mm/damon/admin/ are emulated;
 * nothing happens at all without FAKEDAMON_ROOT.  The other variables:
 *
 *   FAKEDAMON_TEMPLATE  an admin/ tree with one of every directory, holding
 *                       the defaults; writing N to an nr_* file makes N copies
 *                       of its directory 0 (each numbered component mapped
 *                       to 0), without their numbered children and with
 *                       every nr_* file 0, as a fresh kernel object is.  It
 *                       also says which state commands and version-bound
 *                       action keywords the ABI has (since[] below).
 *   FAKEDAMON_LOG       appended with "RELPATH\tVALUE\tRESULT" per write
 *                       attempt: RELPATH under admin/, VALUE with \n, \t, \\
 *                       and other control bytes escaped (\xHH), RESULT "ok"
 *                       or an errno name.  An open refused before any value
 *                       (read-only file, directory, new file) has VALUE "".
 *   FAKEDAMON_FAIL      "RELPATH[:VALUE]=ERRNO,...": such a write fails with
 *                       ERRNO (a name or a number) and changes nothing.
 *                       RELPATH is an fnmatch(3) pattern; VALUE matches with
 *                       or without one trailing newline.
 *   FAKEDAMON_PID       what a started kdamond shows in pid (default 4242).
 *   FAKEDAMON_TRIED     a tried_regions tree (total_bytes, 0/start...) that
 *                       update_schemes_tried_regions copies into every scheme
 *                       of the kdamond.
 *   FAKEDAMON_CHECK_PIDS  1: on fails with EINVAL, as the kernel's does, when a
 *                       vaddr or fvaddr target's pid_target has no process.
 *                       Off by default: the captured trees name pids of the
 *                       machines they came from.
 *
 * A write open of an emulated file returns a read-only descriptor of it, so
 * that no write the shim cannot see changes the tree.  Values arrive through
 * write(), and through fflush() and fclose() of a stdio stream on such a
 * descriptor: glibc's stdio writes through an internal call that no LD_PRELOAD
 * object can interpose, so a shell's `printf VALUE > FILE` is caught in the
 * flush that the shell makes itself (bash's stdout, line-buffered, is made
 * fully buffered while a dup2() has made it an emulated file).  Each write()
 * or flush is one store, as sysfs makes one store() call per write(), and a
 * rejected store leaves the file as it was.
 */
#undef _FORTIFY_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define ADMIN_SUFFIX "/sys/kernel/mm/damon/admin"
/* sysfs hands store() at most a page; a longer write() stores its first page. */
#define STORE_MAX 4096
#define DEFAULT_PID 4242
/* A template path of this kdamond, context and scheme: what an ABI feature marks. */
#define T_CTX "kdamonds/0/contexts/0/"
#define T_SCHEME T_CTX "schemes/0/"

typedef int (*openat_fn)(int, const char *, int, ...);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef int (*stream_fn)(FILE *);
typedef int (*dup3_fn)(int, int, int);

static struct {
	openat_fn openat;
	write_fn write;
	stream_fn fflush;
	stream_fn fclose;
	int (*dup2)(int, int);
	dup3_fn dup3;
	char admin[PATH_MAX];	/* canonical admin/ path; "" when disabled */
	size_t admin_len;
} shim;

static pthread_once_t shim_once = PTHREAD_ONCE_INIT;

static void shim_init(void)
{
	const char *root = getenv("FAKEDAMON_ROOT");
	char buf[PATH_MAX];

	shim.openat = (openat_fn)(uintptr_t)dlsym(RTLD_NEXT, "openat");
	shim.write = (write_fn)(uintptr_t)dlsym(RTLD_NEXT, "write");
	shim.fflush = (stream_fn)(uintptr_t)dlsym(RTLD_NEXT, "fflush");
	shim.fclose = (stream_fn)(uintptr_t)dlsym(RTLD_NEXT, "fclose");
	shim.dup2 = (int (*)(int, int))(uintptr_t)dlsym(RTLD_NEXT, "dup2");
	shim.dup3 = (dup3_fn)(uintptr_t)dlsym(RTLD_NEXT, "dup3");
	if (!root || !*root || strlen(root) + sizeof(ADMIN_SUFFIX) > sizeof(buf))
		return;
	snprintf(buf, sizeof(buf), "%s%s", root, ADMIN_SUFFIX);
	if (realpath(buf, shim.admin))
		shim.admin_len = strlen(shim.admin);
	else
		shim.admin[0] = '\0';
}

/* True when a tree is emulated; the real functions are known either way. */
static bool shim_on(void)
{
	int saved = errno;

	pthread_once(&shim_once, shim_init);
	errno = saved;
	return shim.admin_len > 0;
}

/* ---- errno names ---- */

/* The errno named NAME (EBUSY...), or given as a number; EINVAL if neither. */
static int errno_of(const char *name)
{
	const char *known;
	char *end;
	long v;
	int e;

	for (e = 1; e < 4096; e++)
		if ((known = strerrorname_np(e)) && !strcmp(known, name))
			return e;
	v = strtol(name, &end, 10);
	return *name && !*end && v > 0 && v < 4096 ? (int)v : EINVAL;
}

static void errno_name(int e, char *buf, size_t len)
{
	const char *name = strerrorname_np(e);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%d", e);
}

/* ---- small file helpers, all through the real functions ---- */

static int put_file(const char *path, const char *data)
{
	size_t len = strlen(data);
	int fd = shim.openat(AT_FDCWD, path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = shim.write(fd, data, len);
	close(fd);
	if (n < 0)
		return errno;
	return (size_t)n == len ? 0 : EIO;
}

/* Create or replace a file, for copies. */
static int new_file(const char *path, const char *data, size_t len)
{
	int fd = shim.openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = len ? shim.write(fd, data, len) : 0;
	close(fd);
	if (n < 0)
		return errno;
	return (size_t)n == len ? 0 : EIO;
}

/* Read a whole small file into buf (NUL-terminated); its length, or -1. */
static ssize_t get_file(const char *path, char *buf, size_t size)
{
	int fd = shim.openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	ssize_t n, total = 0;

	if (fd < 0)
		return -1;
	while ((size_t)total < size - 1 && (n = read(fd, buf + total, size - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return total;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int join(char *out, const char *a, const char *b)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", a, b);

	return n < 0 || n >= PATH_MAX ? ENAMETOOLONG : 0;
}

/* True if the LEN bytes at NAME are a decimal number: a numbered directory. */
static bool numbered_n(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)name[i]))
			return false;
	return len > 0;
}

static bool numbered(const char *name)
{
	return numbered_n(name, strlen(name));
}

/* ---- the kernel's parsers (lib/kstrtox.c, lib/string.c) ---- */

/* sysfs_streq(): equal, but for one trailing newline on either side. */
static bool sysfs_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	if (*a == *b)
		return true;
	if (!*a && *b == '\n' && !b[1])
		return true;
	return *a == '\n' && !a[1] && !*b;
}

/* _kstrtoull() with base 0: no sign, 0x for hex, 0 for octal, one newline. */
static int parse_ull(const char *s, unsigned long long *res)
{
	unsigned int base = 10, d;
	unsigned long long v = 0;
	bool overflow = false;
	const char *start;

	if (s[0] == '0') {
		base = 8;
		if (tolower((unsigned char)s[1]) == 'x' && isxdigit((unsigned char)s[2])) {
			base = 16;
			s += 2;
		}
	}
	for (start = s; *s; s++) {
		if (isdigit((unsigned char)*s))
			d = *s - '0';
		else if (isxdigit((unsigned char)*s))
			d = tolower((unsigned char)*s) - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		if (v > (ULLONG_MAX - d) / base)
			overflow = true;
		v = v * base + d;
	}
	if (overflow)
		return ERANGE;
	if (s == start)
		return EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return EINVAL;
	*res = v;
	return 0;
}

static int kstrtoull(const char *s, unsigned long long *res)
{
	return parse_ull(*s == '+' ? s + 1 : s, res);
}

static int kstrtoint(const char *s, long long *res)
{
	unsigned long long u;
	int e;

	if (*s == '-') {
		e = parse_ull(s + 1, &u);
		if (!e && u > (unsigned long long)INT_MAX + 1)
			e = ERANGE;
		*res = e ? 0 : -(long long)u;
		return e;
	}
	e = kstrtoull(s, &u);
	if (!e && u > INT_MAX)
		e = ERANGE;
	*res = e ? 0 : (long long)u;
	return e;
}

static int kstrtobool(const char *s, bool *res)
{
	switch (s[0]) {
	case 'y': case 'Y': case '1':
		*res = true;
		return 0;
	case 'n': case 'N': case '0':
		*res = false;
		return 0;
	case 'o': case 'O':
		if (s[1] == 'n' || s[1] == 'N') {
			*res = true;
			return 0;
		}
		if (s[1] == 'f' || s[1] == 'F') {
			*res = false;
			return 0;
		}
		break;
	}
	return EINVAL;
}

/* ---- what the files are ---- */

/*
 * Keywords, as the kernel's tables in mm/damon/sysfs*.c of mainline (and of
 * the sample-filters RFC) have them; a word list is space-separated.
 */
static const char actions[] = "willneed cold pageout hugepage nohugepage collapse lru_prio "
			      "lru_deprio migrate_hot migrate_cold stat";
static const char goal_metrics[] = "user_input some_mem_psi_us node_mem_used_bp node_mem_free_bp "
				   "node_memcg_used_bp node_memcg_free_bp active_mem_bp "
				   "inactive_mem_bp node_eligible_mem_bp";
static const char core_filters[] = "addr target";
static const char ops_filters[] = "anon active memcg young hugepage_size unmapped";
static const char damos_filters[] = "anon active memcg young hugepage_size unmapped addr target";
static const char probe_filters[] = "anon memcg";
static const char sample_filters[] = "cpumask threads write";
/* The commands of kdamonds/<K>/state besides on and off. */
static const char commands[] = "commit commit_schemes_quota_goals update_schemes_stats "
			       "update_schemes_tried_bytes update_schemes_tried_regions "
			       "clear_schemes_tried_regions update_schemes_effective_quotas "
			       "update_tuned_intervals";

/*
 * Words that came with a release that also added a file: with a template,
 * a word is in the ABI only if the template has its file.  lru_* came in 6.0,
 * avail_operations in 5.19: between the two the shim is more lenient.
 */
static const char *const since[][2] = {
	{ "lru_prio", T_CTX "avail_operations" },
	{ "lru_deprio", T_CTX "avail_operations" },
	{ "migrate_hot", T_SCHEME "target_nid" },
	{ "migrate_cold", T_SCHEME "target_nid" },
	{ "commit", T_CTX "avail_operations" },
	{ "update_schemes_tried_regions", T_SCHEME "tried_regions" },
	{ "clear_schemes_tried_regions", T_SCHEME "tried_regions" },
	{ "update_schemes_tried_bytes", T_SCHEME "tried_regions/total_bytes" },
	{ "commit_schemes_quota_goals", T_SCHEME "quotas/goals" },
	{ "update_schemes_effective_quotas", T_SCHEME "quotas/effective_bytes" },
	{ "update_tuned_intervals", T_CTX "monitoring_attrs/intervals/intervals_goal" },
};

/* Attribute files by how their store() parses: kstrtoul(), kstrtouint()... */
static const char ulong_files[] = "sample_us aggr_us update_us access_bp aggrs min_sample_us "
				  "max_sample_us min max start end addr_start addr_end ms bytes "
				  "reset_interval_ms interval_us high mid low apply_interval_us "
				  "target_value current_value max_nr_snapshots addr_unit";
static const char uint_files[] = "sz_permil nr_accesses_permil age_permil refresh_ms id weight "
				 "fail_charge_num fail_charge_denom";
static const char int_files[] = "pid_target target_nid nid damon_target_idx";
static const char bool_files[] = "matching allow pause obsolete_target page_table page_fault";
static const char text_files[] = "memcg_path path";
static const char nr_files[] = "nr_kdamonds nr_contexts nr_targets nr_regions nr_schemes "
			       "nr_filters nr_goals nr_dests nr_probes";

/*
 * The word of LIST (separated by blanks or newlines) that V is, as
 * sysfs_streq() compares: V may have one trailing newline.  Its length, or 0.
 */
static size_t find_word(const char *list, const char *v, const char **word)
{
	size_t len;

	for (list += strspn(list, " \n"); *list; list += len, list += strspn(list, " \n")) {
		len = strcspn(list, " \n");
		if (!strncmp(list, v, len) && (!v[len] || (v[len] == '\n' && !v[len + 1]))) {
			*word = list;
			return len;
		}
	}
	return 0;
}

static bool in_list(const char *list, const char *name)
{
	const char *w;

	return find_word(list, name, &w) > 0;
}

static const char *base_of(const char *rel)
{
	const char *slash = strrchr(rel, '/');

	return slash ? slash + 1 : rel;
}

/* Files the kernel makes 0400: their open for writing fails with EACCES. */
static bool read_only(const char *rel)
{
	const char *base = base_of(rel);

	if (strstr(rel, "/tried_regions/"))
		return true;
	if (base - rel >= 7 && !strncmp(base - 7, "/stats/", 7) && strcmp(base, "max_nr_snapshots"))
		return true;
	return in_list("pid avail_operations effective_bytes hits", base);
}

/* The template's path for REL: every numbered component is 0. */
static int template_of(const char *rel, char *out)
{
	const char *tmpl = getenv("FAKEDAMON_TEMPLATE");
	size_t n, len;
	int r;

	if (!tmpl || !*tmpl)
		return ENOENT;
	r = snprintf(out, PATH_MAX, "%s", tmpl);
	for (n = (size_t)r; r >= 0 && n < PATH_MAX && *rel; rel += len + (rel[len] == '/')) {
		len = strcspn(rel, "/");
		if (!len)
			continue;
		if (numbered_n(rel, len))
			r = snprintf(out + n, PATH_MAX - n, "/0");
		else
			r = snprintf(out + n, PATH_MAX - n, "/%.*s", (int)len, rel);
		n += (size_t)r;
	}
	return r < 0 || n >= PATH_MAX ? ENAMETOOLONG : 0;
}

/*
 * The keyword of LIST that V is, in OUT with a newline, as the kernel shows
 * it; EINVAL if there is none, or if this ABI (the template) lacks it.
 */
static int keyword(const char *list, const char *v, char *out, size_t size)
{
	const char *tmpl = getenv("FAKEDAMON_TEMPLATE"), *w;
	size_t len = find_word(list, v, &w), i;
	char path[PATH_MAX];

	if (!len)
		return EINVAL;
	for (i = 0; tmpl && *tmpl && i < sizeof(since) / sizeof(since[0]); i++)
		if (strlen(since[i][0]) == len && !strncmp(since[i][0], w, len) &&
		    (template_of(since[i][1], path) || !exists(path)))
			return EINVAL;
	snprintf(out, size, "%.*s\n", (int)len, w);
	return 0;
}

/* ---- directories ---- */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) ? errno : 0;
}

/* Remove every numbered entry of DIR, as the kernel's *_rm_dirs() do. */
static int rm_numbered(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);
	int e = 0;

	if (!d)
		return errno;
	while (!e && (de = readdir(d))) {
		if (!numbered(de->d_name))
			continue;
		e = join(path, dir, de->d_name);
		if (!e)
			e = nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	}
	closedir(d);
	return e;
}

/*
 * Copy the tree SRC to DST.  FRESH copies a template object: numbered
 * children are left out and nr_* files are 0, as in a new kernel object.
 */
static int copy_tree(const char *src, const char *dst, bool fresh)
{
	char s[PATH_MAX], t[PATH_MAX], *buf;
	struct dirent *de;
	struct stat st;
	ssize_t n;
	DIR *d;
	int e = 0;

	if (mkdir(dst, 0755) && errno != EEXIST)
		return errno;
	d = opendir(src);
	if (!d)
		return errno;
	buf = malloc((size_t)STORE_MAX * 4);
	if (!buf) {
		closedir(d);
		return ENOMEM;
	}
	while (!e && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		e = join(s, src, de->d_name);
		if (!e)
			e = join(t, dst, de->d_name);
		if (e || lstat(s, &st))
			e = e ? e : errno;
		else if (S_ISDIR(st.st_mode))
			e = fresh && numbered(de->d_name) ? 0 : copy_tree(s, t, fresh);
		else if (fresh && in_list(nr_files, de->d_name))
			e = new_file(t, "0\n", 2);
		else if ((n = get_file(s, buf, (size_t)STORE_MAX * 4)) < 0)
			e = errno;
		else
			e = new_file(t, buf, (size_t)n);
	}
	free(buf);
	closedir(d);
	return e;
}

/* Call FN on every numbered directory of DIR; stop at the first error. */
static int each_numbered(const char *dir, int (*fn)(const char *, void *), void *arg)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);
	int e = 0;

	if (!d)
		return errno == ENOENT ? 0 : errno;
	while (!e && (de = readdir(d)))
		if (numbered(de->d_name) && !(e = join(path, dir, de->d_name)))
			e = fn(path, arg);
	closedir(d);
	return e;
}

/* ---- kdamonds and their state ---- */

static bool running(const char *kdamond)
{
	char path[PATH_MAX], buf[16];

	return !join(path, kdamond, "state") && get_file(path, buf, sizeof(buf)) >= 0 &&
	       sysfs_streq("on", buf);
}

static int busy_one(const char *kdamond, void *arg)
{
	return running(kdamond) ? EBUSY : 0;
}

static int clear_tried(const char *tried)
{
	char path[PATH_MAX];
	int e = rm_numbered(tried);

	if (!e && !join(path, tried, "total_bytes") && exists(path))
		e = put_file(path, "0\n");
	return e;
}

/* ARG: "regions" copies all of FAKEDAMON_TRIED, "bytes" its total_bytes. */
static int tried_one(const char *scheme, void *arg)
{
	const char *what = arg, *src = getenv("FAKEDAMON_TRIED");
	char tried[PATH_MAX], path[PATH_MAX], s[PATH_MAX], t[PATH_MAX], buf[64];
	struct dirent *de;
	DIR *d;
	int e;

	if (join(tried, scheme, "tried_regions") || !exists(tried))
		return 0;
	e = clear_tried(tried);
	if (e || !strcmp(what, "clear") || !src || !*src)
		return e;
	if (!join(s, src, "total_bytes") && !join(path, tried, "total_bytes") && exists(path) &&
	    get_file(s, buf, sizeof(buf)) > 0)
		e = put_file(path, buf);
	if (e || strcmp(what, "regions"))
		return e;
	d = opendir(src);
	if (!d)
		return errno;
	while (!e && (de = readdir(d)))
		if (numbered(de->d_name) && !(e = join(s, src, de->d_name)) &&
		    !(e = join(t, tried, de->d_name)))
			e = copy_tree(s, t, false);
	closedir(d);
	return e;
}

static int context_schemes(const char *ctx, void *arg)
{
	char path[PATH_MAX];
	int e = join(path, ctx, "schemes");

	return e ? e : each_numbered(path, tried_one, arg);
}

static int nr_contexts(const char *kdamond)
{
	char path[PATH_MAX], buf[32];
	long long nr;

	if (join(path, kdamond, "contexts/nr_contexts") || get_file(path, buf, sizeof(buf)) < 0 ||
	    kstrtoint(buf, &nr))
		return -1;
	return (int)nr;
}

/* Start or stop KDAMOND: its state, and the pid of its thread, or -1. */
static int start_stop(const char *kdamond, bool on)
{
	const char *env = getenv("FAKEDAMON_PID");
	char path[PATH_MAX], pid[32], *end = NULL;
	long v = env ? strtol(env, &end, 10) : 0;
	int e;

	if (!env || !*env || *end || v <= 0)
		v = DEFAULT_PID;
	snprintf(pid, sizeof(pid), "%ld\n", on ? v : -1L);
	e = join(path, kdamond, "state");
	if (!e)
		e = put_file(path, on ? "on\n" : "off\n");
	if (!e)
		e = join(path, kdamond, "pid");
	return e ? e : put_file(path, pid);
}

/*
 * At on, the kernel takes a reference to each target's pid (find_get_pid in
 * damon_sysfs_set_targets): a pid with no process is EINVAL (the 6.12 guest
 * answered so to a pid_target of 0: fixtures/damon/captured/README, and to
 * one whose process had exited).  paddr has no pids.
 */
static int targets_alive(const char *kdamond)
{
	const char *check = getenv("FAKEDAMON_CHECK_PIDS");
	char path[PATH_MAX], buf[32];
	long long pid;
	int i;

	if (!check || strcmp(check, "1"))
		return 0;
	if (join(path, kdamond, "contexts/0/operations") || get_file(path, buf, sizeof(buf)) < 0 ||
	    (!sysfs_streq("vaddr", buf) && !sysfs_streq("fvaddr", buf)))
		return 0;
	for (i = 0;; i++) {
		if (snprintf(path, sizeof(path), "%s/contexts/0/targets/%d/pid_target", kdamond,
			     i) >= (int)sizeof(path) || get_file(path, buf, sizeof(buf)) < 0)
			return 0;
		if (kstrtoint(buf, &pid) || pid <= 0 || (kill((pid_t)pid, 0) && errno == ESRCH))
			return EINVAL;
	}
}

/*
 * kdamonds/<K>/state, after damon_sysfs_handle_cmd() in mm/damon/sysfs.c:
 * every command but off needs exactly one context; on fails with EBUSY on a
 * running kdamond; off and the commands fail with EINVAL on a stopped one
 * (the kernel says EPERM to an off of a kdamond that ran and stopped), but
 * for clear_schemes_tried_regions, which the kernel runs without kdamond.
 */
static int store_state(const char *file, const char *v)
{
	char kdamond[PATH_MAX], path[PATH_MAX], cmd[64];
	bool on = sysfs_streq("on", v), off = sysfs_streq("off", v);
	const char *what = NULL;
	int e;

	snprintf(kdamond, sizeof(kdamond), "%.*s", (int)(base_of(file) - 1 - file), file);
	if (!on && !off && keyword(commands, v, cmd, sizeof(cmd)))
		return EINVAL;
	if (!off && nr_contexts(kdamond) != 1)
		return EINVAL;
	if (on) {
		if (running(kdamond))
			return EBUSY;
		e = targets_alive(kdamond);
		return e ? e : start_stop(kdamond, true);
	}
	if (!running(kdamond) && (off || strcmp(cmd, "clear_schemes_tried_regions\n")))
		return EINVAL;
	if (off)
		return start_stop(kdamond, false);
	if (!strcmp(cmd, "update_schemes_tried_regions\n"))
		what = "regions";
	else if (!strcmp(cmd, "update_schemes_tried_bytes\n"))
		what = "bytes";
	else if (!strcmp(cmd, "clear_schemes_tried_regions\n"))
		what = "clear";
	if (!what)
		return 0;
	e = join(path, kdamond, "contexts");
	return e ? e : each_numbered(path, context_schemes, (void *)what);
}

/* nr_* files: the numbered siblings are removed and N fresh ones made. */
static int store_nr(const char *rel, const char *file, const char *v)
{
	char dir[PATH_MAX], tmpl[PATH_MAX], path[PATH_MAX], name[24], out[32];
	const char *base = base_of(rel);
	long long nr, i;
	int e = kstrtoint(v, &nr);

	if (e)
		return e;
	if (nr < 0 || (!strcmp(base, "nr_contexts") && nr > 1))
		return EINVAL;
	snprintf(dir, sizeof(dir), "%.*s", (int)(base_of(file) - 1 - file), file);
	if (!strcmp(base, "nr_kdamonds") && each_numbered(dir, busy_one, NULL))
		return EBUSY;
	snprintf(path, sizeof(path), "%.*s0", (int)(base - rel), rel);
	e = template_of(path, tmpl);
	if (e == ENOENT || (!e && !exists(tmpl)))
		tmpl[0] = '\0';
	else if (e)
		return e;
	e = rm_numbered(dir);
	for (i = 0; !e && i < nr; i++) {
		snprintf(name, sizeof(name), "%lld", i);
		e = join(path, dir, name);
		if (!e)
			e = tmpl[0] ? copy_tree(tmpl, path, true) : mkdir(path, 0755) ? errno : 0;
	}
	snprintf(out, sizeof(out), "%lld\n", e ? 0 : nr);
	return put_file(file, out) ? EIO : e;
}

/* Print a CPU list as the kernel's %*pbl does: 0-3,5. */
static void print_cpulist(const unsigned char *set, int nbits, char *out, size_t len)
{
	size_t n = 0;
	int i, j;

	out[0] = '\0';
	for (i = 0; i < nbits; i = j) {
		if (!set[i]) {
			j = i + 1;
			continue;
		}
		for (j = i; j < nbits && set[j]; j++)
			;
		if (n < len && j - i > 1)
			n += (size_t)snprintf(out + n, len - n, "%s%d-%d", n ? "," : "", i, j - 1);
		else if (n < len)
			n += (size_t)snprintf(out + n, len - n, "%s%d", n ? "," : "", i);
	}
	if (n < len)
		snprintf(out + n, len - n, "\n");
}

/* cpulist_parse(): "0-3,5" of CPUs below the number of CPUs of the machine. */
static int store_cpulist(const char *file, const char *v)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	unsigned char set[4096] = { 0 };
	unsigned long long a, b;
	char item[64], out[STORE_MAX];
	const char *p = v;
	char *dash;
	int e;

	if (ncpu < 1 || ncpu > (long)sizeof(set))
		ncpu = sizeof(set);
	while (*p && *p != '\n') {
		size_t len = strcspn(p, ",\n");

		if (len >= sizeof(item))
			return EINVAL;
		snprintf(item, sizeof(item), "%.*s", (int)len, p);
		dash = strchr(item, '-');
		if (dash)
			*dash = '\0';
		e = kstrtoull(item, &a);
		b = a;
		if (!e && dash)
			e = kstrtoull(dash + 1, &b);
		if (e || a > b)
			return EINVAL;
		if (b >= (unsigned long long)ncpu)
			return ERANGE;
		for (; a <= b; a++)
			set[a] = 1;
		p += len + (p[len] == ',');
	}
	print_cpulist(set, (int)ncpu, out, sizeof(out));
	return put_file(file, out);
}

/* parse_int_array(): comma-separated integers and a-b ranges, as get_options(). */
static int store_intlist(const char *file, const char *v)
{
	char out[STORE_MAX], *end;
	size_t n = 0;
	int count = 0;
	long a, b;

	while (n + 16 < sizeof(out)) {
		a = strtol(v, &end, 0);
		if (end == v)
			break;
		b = a;
		if (*end == '-') {
			v = end + 1;
			b = strtol(v, &end, 0);
			if (end == v || b < a)
				break;
		}
		for (; n + 16 < sizeof(out); a++) {
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%ld", count++ ? "," : "", a);
			if (a == b)
				break;
		}
		if (*end != ',')
			break;
		v = end + 1;
	}
	if (!count)
		return ENOENT;
	snprintf(out + n, sizeof(out) - n, "\n");
	return put_file(file, out);
}

/* The keywords a filter's type takes in its directory. */
static const char *filter_types(const char *rel)
{
	if (strstr(rel, "/probes/"))
		return probe_filters;
	if (strstr(rel, "/sample/filters/"))
		return sample_filters;
	if (strstr(rel, "/core_filters/"))
		return core_filters;
	if (strstr(rel, "/ops_filters/"))
		return ops_filters;
	return damos_filters;
}

/* operations: a word of the sibling avail_operations, when there is one. */
static int store_operations(const char *file, const char *v)
{
	char path[PATH_MAX], avail[STORE_MAX], out[64];
	int e;

	snprintf(path, sizeof(path), "%.*savail_operations", (int)(base_of(file) - file), file);
	if (get_file(path, avail, sizeof(avail)) < 0)
		snprintf(avail, sizeof(avail), "vaddr fvaddr paddr");
	e = keyword(avail, v, out, sizeof(out));
	return e ? e : put_file(file, out);
}

/* One store to an attribute file other than state, nr_* and operations. */
static int store_attr(const char *rel, const char *file, const char *v)
{
	const char *base = base_of(rel);
	char out[STORE_MAX + 2];
	unsigned long long u;
	long long i;
	bool b;
	size_t len;
	int e;

	if (in_list(ulong_files, base) || in_list(uint_files, base)) {
		e = kstrtoull(v, &u);
		if (!e && in_list(uint_files, base) && u > UINT_MAX)
			e = ERANGE;
		if (!e && !u && !strcmp(base, "addr_unit"))
			e = EINVAL;
		if (!e)
			snprintf(out, sizeof(out), "%llu\n", u);
	} else if (in_list(int_files, base)) {
		e = kstrtoint(v, &i);
		if (!e)
			snprintf(out, sizeof(out), "%lld\n", i);
	} else if (in_list(bool_files, base)) {
		e = kstrtobool(v, &b);
		if (!e)
			snprintf(out, sizeof(out), "%c\n", b ? 'Y' : 'N');
	} else if (in_list(text_files, base)) {
		/* The kernel keeps the value with its newline and shows it with another. */
		e = 0;
		snprintf(out, sizeof(out), "%s\n", v);
	} else if (!strcmp(base, "cpumask")) {
		return store_cpulist(file, v);
	} else if (!strcmp(base, "tid_arr")) {
		return store_intlist(file, v);
	} else if (!strcmp(base, "type")) {
		e = keyword(filter_types(rel), v, out, sizeof(out));
	} else if (!strcmp(base, "action")) {
		e = keyword(actions, v, out, sizeof(out));
	} else if (!strcmp(base, "metric")) {
		e = keyword("none free_mem_rate", v, out, sizeof(out));
	} else if (!strcmp(base, "target_metric")) {
		e = keyword(goal_metrics, v, out, sizeof(out));
	} else if (!strcmp(base, "goal_tuner")) {
		e = keyword("consist temporal", v, out, sizeof(out));
	} else {
		/* Unknown to the shim: kept as written, as cat would show it. */
		len = strlen(v);
		e = 0;
		snprintf(out, sizeof(out), "%s%s", v, len && v[len - 1] == '\n' ? "" : "\n");
	}
	return e ? e : put_file(file, out);
}

/* ---- one store ---- */

/* The errno of the first FAKEDAMON_FAIL rule that matches, or 0. */
static int fail_rule(const char *rel, const char *v)
{
	const char *env = getenv("FAKEDAMON_FAIL");
	char *rules, *rule, *save, *eq, *colon;
	int e = 0;

	if (!env || !*env)
		return 0;
	rules = strdup(env);
	if (!rules)
		return ENOMEM;
	for (rule = strtok_r(rules, ",", &save); rule && !e; rule = strtok_r(NULL, ",", &save)) {
		eq = strrchr(rule, '=');
		if (!eq)
			continue;
		*eq = '\0';
		colon = strchr(rule, ':');
		if (colon)
			*colon = '\0';
		if (!fnmatch(rule, rel, FNM_PATHNAME) && (!colon || sysfs_streq(colon + 1, v)))
			e = errno_of(eq + 1);
	}
	free(rules);
	return e;
}

static void log_attempt(const char *rel, const char *v, int e)
{
	const char *path = getenv("FAKEDAMON_LOG");
	char line[PATH_MAX + 4 * STORE_MAX + 64], res[32];
	size_t n;
	int fd;

	if (!path || !*path)
		return;
	n = (size_t)snprintf(line, sizeof(line), "%s\t", rel);
	for (; *v && n + 8 < sizeof(line); v++) {
		unsigned char c = (unsigned char)*v;

		if (c == '\n' || c == '\t' || c == '\\')
			n += (size_t)snprintf(line + n, sizeof(line) - n, "\\%c",
					      c == '\n' ? 'n' : c == '\t' ? 't' : '\\');
		else if (c < 0x20 || c == 0x7f)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "\\x%02x", c);
		else
			line[n++] = (char)c;
	}
	if (e)
		errno_name(e, res, sizeof(res));
	n += (size_t)snprintf(line + n, sizeof(line) - n, "\t%s\n", e ? res : "ok");
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	fd = shim.openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (shim.write(fd, line, n) != (ssize_t)n)
		(void)0; /* the test sees a short log */
	close(fd);
}

/*
 * Store LEN bytes of DATA to the emulated FILE (REL under admin/); 0 or an
 * errno.  GONE: the file was removed since it was opened, as the kernel's
 * attributes are when an nr_* write removes their directory.
 */
static int store(const char *rel, const char *file, const char *data, size_t len, bool gone)
{
	char v[STORE_MAX + 1];
	const char *base = base_of(rel);
	int e;

	/* Like sysfs, the value is a C string of at most a page. */
	memcpy(v, data, len < STORE_MAX ? len : STORE_MAX);
	v[len < STORE_MAX ? len : STORE_MAX] = '\0';
	e = gone ? ENODEV : fail_rule(rel, v);
	if (!e && read_only(rel))
		e = EACCES;
	else if (!e && in_list(nr_files, base))
		e = store_nr(rel, file, v);
	else if (!e && !strcmp(base, "state"))
		e = store_state(file, v);
	else if (!e && !strcmp(base, "operations"))
		e = store_operations(file, v);
	else if (!e)
		e = store_attr(rel, file, v);
	log_attempt(rel, v, e);
	return e;
}

/* ---- descriptors and paths ---- */

/* If PATH (canonical) is below admin/, its part below admin/. */
static const char *admin_rel(const char *path)
{
	if (strncmp(path, shim.admin, shim.admin_len) || path[shim.admin_len] != '/')
		return NULL;
	return path + shim.admin_len + 1;
}

/*
 * If FD is an emulated file, its canonical path in FILE: 1, or 2 when the
 * file is gone (an nr_* write removed it).  0 otherwise, errno untouched.
 */
static int fd_file(int fd, char *file)
{
	char proc[64];
	struct stat st;
	ssize_t n;
	int saved = errno, ret = 0;

	if (!shim_on() || fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode))
		goto out;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, file, PATH_MAX - 1);
	if (n <= 0)
		goto out;
	file[n] = '\0';
	if (!admin_rel(file))
		goto out;
	ret = 1;
	if (n > 10 && !strcmp(file + n - 10, " (deleted)")) {
		file[n - 10] = '\0';
		ret = 2;
	}
out:
	errno = saved;
	return ret;
}

/* Canonical path of PATH relative to DIRFD, even when only its directory exists. */
static bool canonical(int dirfd, const char *path, char *out)
{
	char full[PATH_MAX], dir[PATH_MAX];
	const char *base;
	int n;

	if (path[0] == '/' || dirfd == AT_FDCWD)
		n = snprintf(full, sizeof(full), "%s", path);
	else
		n = snprintf(full, sizeof(full), "/proc/self/fd/%d/%s", dirfd, path);
	if (n < 0 || n >= (int)sizeof(full))
		return false;
	if (realpath(full, out))
		return true;
	if (errno != ENOENT)
		return false;
	base = strrchr(full, '/');
	snprintf(dir, sizeof(dir), "%.*s", base ? (int)(base - full) : 1, base ? full : ".");
	if (base == full)
		snprintf(dir, sizeof(dir), "/");
	if (!realpath(dir, out))
		return false;
	base = base ? base + 1 : full;
	n = (int)strlen(out);
	return snprintf(out + n, PATH_MAX - n, "/%s", base) < PATH_MAX - n;
}

static int shim_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	char file[PATH_MAX];
	const char *rel;
	struct stat st;
	int e = 0, saved = errno;

	/* O_TRUNC too: it truncates a plain file even when opened read-only. */
	if (!shim_on() || !(flags & (O_ACCMODE | O_TRUNC)) || !path ||
	    !canonical(dirfd, path, file) || !(rel = admin_rel(file))) {
		errno = saved;
		return shim.openat(dirfd, path, flags, mode);
	}
	errno = saved;
	/* sysfs can create no file, and opens no directory or 0400 file for writing. */
	if (stat(file, &st))
		e = errno == ENOENT && (flags & O_CREAT) ? EACCES : errno;
	else if ((flags & O_CREAT) && (flags & O_EXCL))
		e = EEXIST;
	else if (S_ISDIR(st.st_mode))
		e = EISDIR;
	else if (read_only(rel))
		e = EACCES;
	if (e) {
		log_attempt(rel, "", e);
		errno = e;
		return -1;
	}
	return shim.openat(AT_FDCWD, file, O_RDONLY | (flags & O_CLOEXEC));
}

/* ---- the interposed functions ---- */

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return shim_openat(AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return shim_openat(AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return shim_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return shim_openat(dirfd, path, flags | O_LARGEFILE, mode);
}

/* What _FORTIFY_SOURCE builds call instead of open() and openat(). */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

int __open_2(const char *path, int flags)
{
	return shim_openat(AT_FDCWD, path, flags, 0);
}

int __open64_2(const char *path, int flags)
{
	return shim_openat(AT_FDCWD, path, flags | O_LARGEFILE, 0);
}

int __openat_2(int dirfd, const char *path, int flags)
{
	return shim_openat(dirfd, path, flags, 0);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
	return shim_openat(dirfd, path, flags | O_LARGEFILE, 0);
}

int creat(const char *path, mode_t mode)
{
	return shim_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

int creat64(const char *path, mode_t mode)
{
	return shim_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_LARGEFILE, mode);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	char file[PATH_MAX];
	int kind, e;

	kind = fd_file(fd, file);
	if (!kind)
		return shim.write(fd, buf, len);
	if (!len)
		return 0;
	e = store(admin_rel(file), file, buf, len, kind == 2);
	if (e) {
		errno = e;
		return -1;
	}
	return (ssize_t)(len < STORE_MAX ? len : STORE_MAX);
}

/* Store what a stdio stream holds for an emulated file; 0 or an errno. */
static int flush_stream(FILE *fp)
{
	char file[PATH_MAX];
	size_t len;
	int kind, e;

	if (!fp || fp->_mode > 0 || fp->_IO_write_ptr <= fp->_IO_write_base)
		return 0;
	kind = fd_file(fileno(fp), file);
	if (!kind)
		return 0;
	len = (size_t)(fp->_IO_write_ptr - fp->_IO_write_base);
	e = store(admin_rel(file), file, fp->_IO_write_base, len, kind == 2);
	/* Consumed either way, as the kernel's write would have been. */
	fp->_IO_write_base = fp->_IO_write_ptr = fp->_IO_buf_base;
	if (e)
		fp->_flags |= _IO_ERR_SEEN;
	return e;
}

int fflush(FILE *fp)
{
	int e;

	shim_on();
	if (!fp)
		return shim.fflush(fp);
	flockfile(fp);
	e = flush_stream(fp);
	funlockfile(fp);
	if (e) {
		errno = e;
		return EOF;
	}
	return shim.fflush(fp);
}

int fclose(FILE *fp)
{
	int e, ret;

	shim_on();
	if (!fp)
		return shim.fclose(fp);
	flockfile(fp);
	e = flush_stream(fp);
	funlockfile(fp);
	ret = shim.fclose(fp);
	if (e) {
		errno = e;
		return EOF;
	}
	return ret;
}

/*
 * bash makes its stdout line-buffered: a value with a newline would reach an
 * emulated file through stdio's internal write, unseen.  While stdout is such
 * a file (a redirection dup2()s it there), it is fully buffered instead.
 */
static void stdout_follow(void)
{
	static bool relined;
	char file[PATH_MAX];

	if (fd_file(STDOUT_FILENO, file)) {
		if (__flbf(stdout) && !setvbuf(stdout, NULL, _IOFBF, 0))
			relined = true;
	} else if (relined) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		relined = false;
	}
}

int dup2(int oldfd, int newfd)
{
	int fd;

	shim_on();
	fd = shim.dup2(oldfd, newfd);
	if (fd == STDOUT_FILENO)
		stdout_follow();
	return fd;
}

int dup3(int oldfd, int newfd, int flags)
{
	int fd;

	shim_on();
	fd = shim.dup3(oldfd, newfd, flags);
	if (fd == STDOUT_FILENO)
		stdout_follow();
	return fd;
}
