// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * damonctl: DAMON from the shell.  Drives /sys/kernel/mm/damon/admin: status,
 * start (a pid, a command from its first instruction, or the physical
 * address space), tune, stop, snapshot, record and report.  The sysfs tree
 * is modelled once in lib/damon; this file turns options into that model
 * and keeps the rules: never touch a kdamond damonctl did not start unless
 * --force, and never leave one half-configured.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/damon.h"
#include "lib/doc.h"
#include "lib/msg.h"
#include "lib/nodes.h"
#include "lib/opt.h"
#include "lib/parse.h"
#include "lib/spm.h"
#include "lib/sysroot.h"
#include "lib/table.h"
#include "lib/target.h"
#include "lib/testhook.h"

#include "cmd/damonctl.h"

#define STATE_DIR "/run/numakit/damonctl"
#define U32_MAX_STR "4294967295"	/* nr_accesses and age are unsigned int */
#define DEFAULT_SAMPLE_US 5000
#define DEFAULT_AGGR_US 100000

/* Scheme options, kept in command-line order: each --action opens a scheme. */
enum sopt_id {
	SO_ACTION = 1, SO_TARGET_NID, SO_SZ, SO_NR_ACCESSES, SO_AGE, SO_APPLY_INTERVAL,
	SO_QUOTA_TIME, SO_QUOTA_SIZE, SO_QUOTA_RESET, SO_QUOTA_WEIGHTS, SO_QUOTA_GOAL,
	SO_WATERMARKS, SO_FILTER, SO_DEST,
};

struct sopt {
	int id;
	const char *name;
	char *arg;
};

struct opts {
	struct opt_common c;
	const char *kdamond_arg, *pid_arg, *ops_arg, *spec_arg, *numa_node_arg;
	const char **region_args;
	const char *sample_arg, *aggr_arg, *update_arg, *nr_regions_arg, *goal_arg;
	const char *refresh_arg, *addr_unit_arg, *primitives_arg;
	const char **sample_filter_args;
	int force, dry_run, include_children, no_snapshot_scheme, bytes;
	const char *scheme_arg, *bar_arg, *output_arg, *interval_arg, *duration_arg;
	const char *rows_arg, *cols_arg, *addr_arg, *min_acc_arg;
	const char **args;
	int nargs;
	char **cmd;		/* after --: the command to launch and monitor */
	int ncmd;
	const char *verb;
};

static struct sopt *sopts;
static size_t nsopts;

static void scheme_cb(poptContext pc, enum poptCallbackReason reason, const struct poptOption *opt,
		      const char *arg, const void *data)
{
	if (reason != POPT_CALLBACK_REASON_OPTION)
		return;
	/* popt reuses the argument's buffer: keep a copy. */
	sopts = msg_realloc_or_die(sopts, (nsopts + 1) * sizeof(*sopts));
	sopts[nsopts++] = (struct sopt){ opt->val, opt->longName, msg_strdup_or_die(arg ?: "") };
}

/* Output helpers. */

static const char *fmt_us(uint64_t us, char *buf, size_t size)
{
	dc_fmt_duration(buf, size, us);
	return buf;
}

static const char *fmt_size(uint64_t b, char *buf, size_t size, int bytes)
{
	if (bytes)
		snprintf(buf, size, "%" PRIu64, b);
	else
		table_size_str(buf, size, b);
	return buf;
}

/* Ownership: what damonctl started, in STATE_DIR below the sysroot. */

/* The state directory; created when `create` (readers never create it). */
static int state_dir(char *buf, size_t size, int create)
{
	char tmp[PATH_MAX];
	char *p;

	if (sysroot_path(tmp, sizeof(tmp), "%s", STATE_DIR) < 0)
		return -ENAMETOOLONG;
	for (p = tmp + 1; create && *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (create && mkdir(tmp, 0755) && errno != EEXIST)
		return -errno;
	snprintf(buf, size, "%s", tmp);
	return 0;
}

/* Serialise damonctl runs that change kdamonds: one lock file, held until exit. */
static int lock_state(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 8];
	int fd, rc = state_dir(dir, sizeof(dir), 1);

	if (rc < 0) {
		msg_err(-rc, "cannot create the state directory '%s'", STATE_DIR);
		return rc;
	}
	snprintf(path, sizeof(path), "%s/lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		rc = -errno;
		msg_err(-rc, "cannot lock '%s'", path);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	return fd;	/* left open: released at exit */
}

static int record_path(char *buf, size_t size, int kd, int create)
{
	char dir[PATH_MAX];
	int rc = state_dir(dir, sizeof(dir), create);

	if (rc < 0)
		return rc;
	return snprintf(buf, size, "%s/kdamond-%d.json", dir, kd) >= (int)size ? -ENAMETOOLONG : 0;
}

/* Field 22 of /proc/PID/stat (start time in clock ticks), 0 when unreadable. */
static uint64_t proc_start_time(int pid)
{
	char *buf = NULL;
	const char *p;
	unsigned long long t = 0;

	if (pid <= 0 || sysroot_read_file(&buf, "/proc/%d/stat", pid) < 0)
		return 0;
	p = target_stat_field(buf, 22);
	if (p)
		t = strtoull(p, NULL, 10);
	free(buf);
	return t;
}

static int record_write(int kd, int pid, const char *what)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	json_object *o = json_object_new_object();
	FILE *f;
	int rc;

	rc = record_path(path, sizeof(path), kd, 1);
	if (rc < 0)
		goto out;
	json_object_object_add(o, "kdamond", json_object_new_int(kd));
	json_object_object_add(o, "pid", json_object_new_int(pid));
	json_object_object_add(o, "start_time", json_object_new_uint64(proc_start_time(pid)));
	json_object_object_add(o, "started_by", json_object_new_int((int)getpid()));
	json_object_object_add(o, "what", json_object_new_string(what));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f) {
		rc = -errno;
		goto out;
	}
	fprintf(f, "%s\n", json_object_to_json_string(o));
	if (fclose(f) || rename(tmp, path))
		rc = -errno;
out:
	json_object_put(o);
	if (rc < 0)
		msg_warn(-rc, "cannot record that kdamond %d was started by damonctl", kd);
	return rc;
}

static void record_remove(int kd)
{
	char path[PATH_MAX];

	if (record_path(path, sizeof(path), kd, 0) == 0 && unlink(path) && errno != ENOENT)
		msg_warn(errno, "cannot remove '%s'", path);
}

enum own { OWN_NONE, OWN_RUNNING, OWN_STOPPED };

/*
 * Did damonctl start kdamond kd?  The record must name the pid the kdamond
 * runs as now (and its start time, where /proc shows it), so that a slot
 * reused by another tool is never taken for ours.  A kdamond of ours that
 * stopped (stop, or its targets exited) is OWN_STOPPED: the record stays, so
 * that the next start may reuse its directory.
 */
static enum own owned(int kd)
{
	char path[PATH_MAX];
	json_object *rec;
	int state, pid, rpid;
	uint64_t t0, t1;

	if (record_path(path, sizeof(path), kd, 0) < 0 || access(path, F_OK))
		return OWN_NONE;
	rec = json_object_from_file(path);
	if (!rec)
		return OWN_NONE;
	rpid = (int)damon_json_s64(rec, "pid", -1);
	t0 = damon_json_u64(rec, "start_time", 0);
	json_object_put(rec);
	state = damon_kdamond_state(kd, &pid);
	if (state == 0)
		return OWN_STOPPED;
	if (state < 0) {
		record_remove(kd);
		return OWN_NONE;
	}
	t1 = proc_start_time(pid);
	if (pid != rpid || (t0 && t1 && t0 != t1)) {
		record_remove(kd);	/* stale: the slot is someone else's now */
		return OWN_NONE;
	}
	return OWN_RUNNING;
}

/* Parsing helpers for option values. */

static int bad_value(const char *opt, const char *val, const char *why)
{
	return msg_usage("invalid value '%s' for --%s: %s", val, opt, why);
}

/*
 * Split a copy of s (made in buf) at its commas into exactly n non-empty
 * fields f[0..n-1]: 0, or -EINVAL for another count, an empty field or a
 * value longer than buf.
 */
static int split_fields(const char *s, char *buf, size_t size, char **f, int n)
{
	char *p = buf;
	int k;

	if (snprintf(buf, size, "%s", s) >= (int)size)
		return -EINVAL;
	for (k = 0; k < n; k++) {
		f[k] = p;
		p = strchr(p, ',');
		if ((k == n - 1) != !p)
			return -EINVAL;
		if (p)
			*p++ = '\0';
		if (!*f[k])
			return -EINVAL;
	}
	return 0;
}

static int parse_dur_opt(const char *opt, const char *val, uint64_t *us)
{
	int rc = parse_duration_us(val, us, 0);

	if (rc < 0)
		return bad_value(opt, val, "expected a duration with a unit (us, ms, s, m, h)");
	return 0;
}

/* A duration for a file in milliseconds: rounding would turn 500us into 0 (off). */
static int parse_ms_opt(const char *opt, const char *val, uint64_t *us)
{
	if (parse_dur_opt(opt, val, us))
		return EXIT_USAGE;
	if (*us % 1000)
		return bad_value(opt, val, "the kernel takes whole milliseconds here");
	return 0;
}

/* A size bound: a size, "min" (0) or "max". */
static int parse_sz_bound(const char *s, uint64_t *v)
{
	if (!strcmp(s, "min")) {
		*v = 0;
		return 0;
	}
	if (!strcmp(s, "max")) {
		*v = UINT64_MAX;
		return 0;
	}
	return parse_size(s, v);
}

/*
 * An nr_accesses bound: a count, a percentage of the most a region can show
 * in one aggregation interval (aggr/sample), "min" or "max".
 */
static int parse_acc_bound(const char *s, uint64_t max_acc, uint64_t *v)
{
	size_t len = strlen(s);
	char num[32];
	uint64_t pct;

	if (!strcmp(s, "min") || !strcmp(s, "max")) {
		*v = s[1] == 'i' ? 0 : UINT32_MAX;
		return 0;
	}
	if (len > 1 && s[len - 1] == '%' && len < sizeof(num)) {
		memcpy(num, s, len - 1);
		num[len - 1] = '\0';
		if (parse_u64(num, &pct, 0, 100) < 0)
			return -EINVAL;
		*v = (pct * max_acc + 50) / 100;
		return 0;
	}
	return parse_u64(s, v, 0, UINT32_MAX);
}

/* An age bound: a count of aggregation intervals, a duration, "min" or "max". */
static int parse_age_bound(const char *s, uint64_t aggr_us, uint64_t *v)
{
	uint64_t us;

	if (!strcmp(s, "min") || !strcmp(s, "max")) {
		*v = s[1] == 'i' ? 0 : UINT32_MAX;
		return 0;
	}
	if (parse_u64(s, v, 0, UINT32_MAX) == 0)
		return 0;
	if (parse_duration_us(s, &us, 0) < 0 || !aggr_us)
		return -EINVAL;
	*v = us / aggr_us;
	return *v > UINT32_MAX ? -ERANGE : 0;
}

static json_object *min_max_obj(uint64_t lo, uint64_t hi)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "min", json_object_new_uint64(lo));
	json_object_object_add(o, "max", json_object_new_uint64(hi));
	return o;
}

/* Get obj[key] as an object, creating it. */
static json_object *sub_obj(json_object *obj, const char *key)
{
	json_object *v;

	if (json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_object))
		return v;
	v = json_object_new_object();
	json_object_object_add(obj, key, v);
	return v;
}

static json_object *sub_arr(json_object *obj, const char *key)
{
	json_object *v;

	if (json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_array))
		return v;
	v = json_object_new_array();
	json_object_object_add(obj, key, v);
	return v;
}

static void set_u64(json_object *obj, const char *key, uint64_t v)
{
	json_object_object_add(obj, key, json_object_new_uint64(v));
}

/*
 * --filter [!]TYPE[=ARG][:allow|:reject]: memcg=PATH, addr=START-END,
 * target=INDEX, hugepage_size=MIN-MAX; "!" matches what is NOT of the type.
 * The kernel's default is to reject (allow N).
 */
static int parse_filter(const char *arg, json_object **out)
{
	char buf[4096], *type = buf, *val, *verdict;
	int matching = 1, allow = 0;
	json_object *f;
	uint64_t a, b;

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		return bad_value("filter", arg, "too long");
	if (*type == '!') {
		matching = 0;
		type++;
	}
	verdict = strrchr(type, ':');
	if (verdict && (!strcmp(verdict, ":allow") || !strcmp(verdict, ":reject"))) {
		allow = !strcmp(verdict, ":allow");
		*verdict = '\0';
	}
	val = strchr(type, '=');
	if (val)
		*val++ = '\0';
	if (!damon_word_in(damon_filter_types, type))
		return bad_value("filter", arg, "unknown filter type (anon, active, memcg, young, "
				 "hugepage_size, unmapped, addr, target)");
	f = json_object_new_object();
	json_object_object_add(f, "type", json_object_new_string(type));
	json_object_object_add(f, "matching", json_object_new_boolean(matching));
	json_object_object_add(f, "allow", json_object_new_boolean(allow));
	if (!strcmp(type, "memcg")) {
		if (!val || !*val)
			goto need_arg;
		json_object_object_add(f, "memcg_path", json_object_new_string(val));
	} else if (!strcmp(type, "addr")) {
		if (!val || parse_range(val, &a, &b) < 0)
			goto need_arg;
		set_u64(f, "addr_start", a);
		set_u64(f, "addr_end", b);
	} else if (!strcmp(type, "target")) {
		if (!val || parse_u64(val, &a, 0, UINT32_MAX) < 0)
			goto need_arg;
		set_u64(f, "damon_target_idx", a);
	} else if (!strcmp(type, "hugepage_size")) {
		char *dash = val ? strchr(val, '-') : NULL;

		if (!dash)
			goto need_arg;
		*dash = '\0';
		if (parse_size(val, &a) < 0 || parse_size(dash + 1, &b) < 0 || a > b)
			goto need_arg;
		set_u64(f, "min", a);
		set_u64(f, "max", b);
	} else if (val) {
		json_object_put(f);
		return bad_value("filter", arg, "this filter type takes no argument");
	}
	*out = f;
	return 0;
need_arg:
	json_object_put(f);
	return bad_value("filter", arg,
			 "memcg=PATH, addr=START-END, target=INDEX, hugepage_size=MIN-MAX");
}

/* --quota-goal METRIC=TARGET[,nid=N][,path=P][,current=V] */
static int parse_goal(const char *arg, json_object **out)
{
	char buf[4096], *save = NULL, *tok, *eq;
	json_object *g = json_object_new_object();
	uint64_t v;
	int64_t nid;
	int first = 1;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save), first = 0) {
		eq = strchr(tok, '=');
		if (!eq)
			goto bad;
		*eq++ = '\0';
		if (first) {
			if (!damon_word_in(damon_goal_metrics, tok) || parse_u64(eq, &v, 0, UINT64_MAX))
				goto bad;
			json_object_object_add(g, "target_metric", json_object_new_string(tok));
			set_u64(g, "target_value", v);
		} else if (!strcmp(tok, "nid") && parse_s64(eq, &nid, 0, INT32_MAX) == 0) {
			json_object_object_add(g, "nid", json_object_new_int64(nid));
		} else if (!strcmp(tok, "path") && *eq) {
			json_object_object_add(g, "path", json_object_new_string(eq));
		} else if (!strcmp(tok, "current") && parse_u64(eq, &v, 0, UINT64_MAX) == 0) {
			set_u64(g, "current_value", v);
		} else {
			goto bad;
		}
	}
	if (first)
		goto bad;
	*out = g;
	return 0;
bad:
	json_object_put(g);
	return bad_value("quota-goal", arg, "expected METRIC=TARGET[,nid=N][,path=PATH]"
			 "[,current=VALUE] with a metric of damonctl(8)");
}

/* --watermarks METRIC,INTERVAL,HIGH,MID,LOW */
static int parse_wmarks(const char *arg, json_object *w)
{
	char buf[512], *f[5];
	uint64_t iv, hi, mid, lo;

	if (split_fields(arg, buf, sizeof(buf), f, 5) || !damon_word_in(damon_wmark_metrics, f[0]) ||
	    parse_duration_us(f[1], &iv, 0) || parse_u64(f[2], &hi, 0, 1000) ||
	    parse_u64(f[3], &mid, 0, 1000) || parse_u64(f[4], &lo, 0, 1000))
		return bad_value("watermarks", arg, "expected METRIC,INTERVAL,HIGH,MID,LOW "
				 "(none or free_mem_rate, a duration, three permil values)");
	if (!(hi >= mid && mid >= lo))
		return bad_value("watermarks", arg, "expected HIGH >= MID >= LOW");
	json_object_object_add(w, "metric", json_object_new_string(f[0]));
	set_u64(w, "interval_us", iv);
	set_u64(w, "high", hi);
	set_u64(w, "mid", mid);
	set_u64(w, "low", lo);
	return 0;
}

/* The access pattern that matches every region: what snapshots read. */
static json_object *pattern_all(void)
{
	json_object *p = json_object_new_object();

	json_object_object_add(p, "sz", min_max_obj(0, UINT64_MAX));
	json_object_object_add(p, "nr_accesses", min_max_obj(0, UINT32_MAX));
	json_object_object_add(p, "age", min_max_obj(0, UINT32_MAX));
	return p;
}

static int pattern_is_all(json_object *scheme)
{
	json_object *ap = NULL, *sz, *acc, *age;

	if (!json_object_object_get_ex(scheme, "access_pattern", &ap) ||
	    !json_object_object_get_ex(ap, "sz", &sz) ||
	    !json_object_object_get_ex(ap, "nr_accesses", &acc) ||
	    !json_object_object_get_ex(ap, "age", &age))
		return 0;
	return damon_json_u64(sz, "min", 1) == 0 && damon_json_u64(sz, "max", 0) == UINT64_MAX &&
	       damon_json_u64(acc, "min", 1) == 0 &&
	       damon_json_u64(acc, "max", 0) >= UINT32_MAX && damon_json_u64(age, "min", 1) == 0 &&
	       damon_json_u64(age, "max", 0) >= UINT32_MAX;
}

static json_object *stat_scheme(void)
{
	json_object *s = json_object_new_object();

	json_object_object_add(s, "action", json_object_new_string("stat"));
	json_object_object_add(s, "access_pattern", pattern_all());
	return s;
}

/*
 * Turn the ordered scheme options into scheme objects.  sample_us/aggr_us
 * give percentages and durations of the access pattern their meaning.
 */
static int build_schemes(json_object *schemes, uint64_t sample_us, uint64_t aggr_us)
{
	uint64_t max_acc = sample_us ? aggr_us / sample_us : 0, a, b, v;
	char pair[512], *mm[2], node[32];
	json_object *s = NULL, *x;
	size_t i;
	int rc;

	if (max_acc == 0)
		max_acc = 1;
	for (i = 0; i < nsopts; i++) {
		const struct sopt *o = &sopts[i];

		if (o->id == SO_ACTION) {
			if (!damon_word_in(damon_actions, o->arg))
				return bad_value("action", o->arg, "unknown action (see damonctl(8))");
			s = json_object_new_object();
			json_object_object_add(s, "action", json_object_new_string(o->arg));
			json_object_object_add(s, "access_pattern", pattern_all());
			json_object_array_add(schemes, s);
			continue;
		}
		if (!s)
			return msg_usage("--%s needs an --action before it", o->name);
		switch (o->id) {
		case SO_TARGET_NID: {
			int nid;

			if (parse_int(o->arg, &nid, 0, INT32_MAX) < 0)
				return bad_value(o->name, o->arg, "expected a node number");
			json_object_object_add(s, "target_nid", json_object_new_int(nid));
			break;
		}
		case SO_SZ:
		case SO_NR_ACCESSES:
		case SO_AGE:
			if (split_fields(o->arg, pair, sizeof(pair), mm, 2) < 0)
				return bad_value(o->name, o->arg, "expected MIN,MAX");
			if (o->id == SO_SZ)
				rc = parse_sz_bound(mm[0], &a) ?: parse_sz_bound(mm[1], &b);
			else if (o->id == SO_NR_ACCESSES)
				rc = parse_acc_bound(mm[0], max_acc, &a) ?:
				     parse_acc_bound(mm[1], max_acc, &b);
			else
				rc = parse_age_bound(mm[0], aggr_us, &a) ?:
				     parse_age_bound(mm[1], aggr_us, &b);
			/* Any non-zero: the second bound is unset when the first failed. */
			if (rc)
				return bad_value(o->name, o->arg, o->id == SO_SZ ?
						 "expected sizes, min or max" : o->id == SO_AGE ?
						 "expected counts of aggregation intervals, durations, "
						 "min or max" : "expected counts, percentages, min or max");
			if (a > b)
				return bad_value(o->name, o->arg, "min is above max");
			x = sub_obj(s, "access_pattern");
			json_object_object_add(x, o->id == SO_SZ ? "sz" : o->id == SO_AGE ? "age" :
					       "nr_accesses", min_max_obj(a, b));
			break;
		case SO_APPLY_INTERVAL:
			if (parse_dur_opt(o->name, o->arg, &v))
				return EXIT_USAGE;
			set_u64(s, "apply_interval_us", v);
			break;
		case SO_QUOTA_TIME:
		case SO_QUOTA_RESET:
			if (parse_ms_opt(o->name, o->arg, &v))
				return EXIT_USAGE;
			set_u64(sub_obj(s, "quotas"), o->id == SO_QUOTA_TIME ? "ms" :
				"reset_interval_ms", v / 1000);
			break;
		case SO_QUOTA_SIZE:
			if (parse_size(o->arg, &v) < 0)
				return bad_value(o->name, o->arg, "expected a size");
			set_u64(sub_obj(s, "quotas"), "bytes", v);
			break;
		case SO_QUOTA_WEIGHTS: {
			char buf[256], *f[3];
			uint64_t w[3];

			if (split_fields(o->arg, buf, sizeof(buf), f, 3) ||
			    parse_u64(f[0], &w[0], 0, UINT32_MAX) ||
			    parse_u64(f[1], &w[1], 0, UINT32_MAX) || parse_u64(f[2], &w[2], 0, UINT32_MAX))
				return bad_value(o->name, o->arg, "expected SZ,NR_ACCESSES,AGE permil");
			x = sub_obj(sub_obj(s, "quotas"), "weights");
			set_u64(x, "sz_permil", w[0]);
			set_u64(x, "nr_accesses_permil", w[1]);
			set_u64(x, "age_permil", w[2]);
			break;
		}
		case SO_QUOTA_GOAL:
			if (parse_goal(o->arg, &x))
				return EXIT_USAGE;
			json_object_array_add(sub_arr(sub_obj(s, "quotas"), "goals"), x);
			break;
		case SO_WATERMARKS:
			if (parse_wmarks(o->arg, sub_obj(s, "watermarks")))
				return EXIT_USAGE;
			break;
		case SO_FILTER:
			if (parse_filter(o->arg, &x))
				return EXIT_USAGE;
			json_object_array_add(sub_arr(s, "filters"), x);
			break;
		case SO_DEST: {
			char *colon = strchr(o->arg, ':');
			uint64_t id, w = 1;

			snprintf(node, sizeof(node), "%.*s", colon ? (int)(colon - o->arg) :
				 (int)strlen(o->arg), o->arg);
			if (parse_u64(node, &id, 0, INT32_MAX) ||
			    (colon && parse_u64(colon + 1, &w, 0, UINT32_MAX)))
				return bad_value(o->name, o->arg, "expected NODE[:WEIGHT]");
			x = json_object_new_object();
			set_u64(x, "id", id);
			set_u64(x, "weight", w);
			json_object_array_add(sub_arr(s, "dests"), x);
			break;
		}
		}
	}
	return 0;
}

/* Monitoring attributes from options into ctx; fills sample/aggr for schemes. */
static int build_attrs(const struct opts *o, json_object *ctx, uint64_t *sample_us,
		       uint64_t *aggr_us)
{
	json_object *attrs = sub_obj(ctx, "monitoring_attrs"), *iv;
	char pair[512], *mm[2];
	uint64_t v, a, b;

	if (o->sample_arg) {
		if (parse_dur_opt("sample", o->sample_arg, &v))
			return EXIT_USAGE;
		set_u64(sub_obj(attrs, "intervals"), "sample_us", v);
		*sample_us = v;
	}
	if (o->aggr_arg) {
		if (parse_dur_opt("aggr", o->aggr_arg, &v))
			return EXIT_USAGE;
		set_u64(sub_obj(attrs, "intervals"), "aggr_us", v);
		*aggr_us = v;
	}
	if (o->update_arg) {
		if (parse_dur_opt("update", o->update_arg, &v))
			return EXIT_USAGE;
		set_u64(sub_obj(attrs, "intervals"), "update_us", v);
	}
	if (*sample_us > *aggr_us)
		return msg_usage("the sampling interval (%" PRIu64 " us) is longer than the "
				 "aggregation interval (%" PRIu64 " us)", *sample_us, *aggr_us);
	if (o->nr_regions_arg) {
		if (split_fields(o->nr_regions_arg, pair, sizeof(pair), mm, 2) ||
		    parse_u64(mm[0], &a, 3, UINT32_MAX) || parse_u64(mm[1], &b, 3, UINT32_MAX))
			return bad_value("regions", o->nr_regions_arg,
					 "expected MIN,MAX (at least 3 each)");
		if (a > b)
			return bad_value("regions", o->nr_regions_arg, "min is above max");
		json_object_object_add(attrs, "nr_regions", min_max_obj(a, b));
	}
	if (o->goal_arg) {
		char buf[256], *f[4];
		uint64_t bp, aggrs, mn, mx;

		if (split_fields(o->goal_arg, buf, sizeof(buf), f, 4) ||
		    parse_u64(f[0], &bp, 1, 10000) || parse_u64(f[1], &aggrs, 1, UINT32_MAX) ||
		    parse_duration_us(f[2], &mn, 0) || parse_duration_us(f[3], &mx, 0) || mn > mx)
			return bad_value("intervals-goal", o->goal_arg,
					 "expected ACCESS_BP,AGGRS,MIN_SAMPLE,MAX_SAMPLE");
		iv = sub_obj(sub_obj(attrs, "intervals"), "intervals_goal");
		set_u64(iv, "access_bp", bp);
		set_u64(iv, "aggrs", aggrs);
		set_u64(iv, "min_sample_us", mn);
		set_u64(iv, "max_sample_us", mx);
	}
	if (o->addr_unit_arg) {
		if (parse_u64(o->addr_unit_arg, &v, 1, UINT32_MAX))
			return bad_value("addr-unit", o->addr_unit_arg, "expected a positive number");
		set_u64(ctx, "addr_unit", v);
	}
	if (o->primitives_arg) {
		char buf[256], *save = NULL, *tok;
		int pt = 0, pf = 0;

		snprintf(buf, sizeof(buf), "%s", o->primitives_arg);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (!strcmp(tok, "page_table"))
				pt = 1;
			else if (!strcmp(tok, "page_fault"))
				pf = 1;
			else
				return bad_value("sample-primitive", o->primitives_arg,
						 "expected page_table and/or page_fault");
		}
		iv = sub_obj(sub_obj(attrs, "sample"), "primitives");
		json_object_object_add(iv, "page_table", json_object_new_boolean(pt));
		json_object_object_add(iv, "page_fault", json_object_new_boolean(pf));
	}
	for (const char **f = o->sample_filter_args; f && *f; f++) {
		char buf[4096], *type = buf, *val, *verdict;
		json_object *x;
		int matching = 1, allow = 1;

		snprintf(buf, sizeof(buf), "%s", *f);
		if (*type == '!')
			matching = 0, type++;
		verdict = strrchr(type, ':');
		if (verdict && (!strcmp(verdict, ":allow") || !strcmp(verdict, ":reject"))) {
			allow = !strcmp(verdict, ":allow");
			*verdict = '\0';
		}
		val = strchr(type, '=');
		if (val)
			*val++ = '\0';
		x = json_object_new_object();
		json_object_object_add(x, "type", json_object_new_string(type));
		json_object_object_add(x, "matching", json_object_new_boolean(matching));
		json_object_object_add(x, "allow", json_object_new_boolean(allow));
		if (!strcmp(type, "cpumask") && val && *val) {
			json_object_object_add(x, "cpumask", json_object_new_string(val));
		} else if (!strcmp(type, "threads") && val && *val) {
			json_object_object_add(x, "tid_arr", json_object_new_string(val));
		} else if (!strcmp(type, "write") && !val) {
		} else {
			json_object_put(x);
			return bad_value("sample-filter", *f,
					 "expected cpumask=CPUS, threads=TIDS or write");
		}
		json_object_array_add(sub_arr(sub_obj(attrs, "sample"), "filters"), x);
	}
	if (!json_object_object_length(attrs))
		json_object_object_del(ctx, "monitoring_attrs");
	return 0;
}

/* The memory of one node as physical ranges: its memory blocks, merged. */
static int node_ranges(int nid, json_object *regions)
{
	char name[64], *end;
	uint64_t bs, start = 0, stop = 0;
	struct dirent *de;
	DIR *d;
	int n = 0;
	unsigned long *blocks = NULL;
	size_t nb = 0, i;

	if (sysroot_read_line(name, sizeof(name), "/sys/devices/system/memory/block_size_bytes") < 0)
		return -errno;
	bs = strtoull(name, &end, 16);
	if (!bs)
		return -EINVAL;
	d = sysroot_opendir("/sys/devices/system/node/node%d", nid);
	if (!d)
		return -errno;
	while ((de = sysroot_readdir(d))) {
		const char *rest;
		uint64_t b;

		if (strncmp(de->d_name, "memory", 6) ||
		    parse_u64_prefix(de->d_name + 6, 10, &b, &rest) || *rest)
			continue;
		blocks = msg_realloc_or_die(blocks, (nb + 1) * sizeof(*blocks));
		blocks[nb++] = b;
	}
	closedir(d);
	for (i = 0; i < nb; i++)	/* few blocks: insertion sort */
		for (size_t j = i; j > 0 && blocks[j - 1] > blocks[j]; j--) {
			unsigned long t = blocks[j];

			blocks[j] = blocks[j - 1];
			blocks[j - 1] = t;
		}
	for (i = 0; i <= nb; i++) {
		if (i < nb && n && blocks[i] * bs == stop) {
			stop += bs;
			continue;
		}
		if (n) {
			json_object *r = json_object_new_object();

			set_u64(r, "start", start);
			set_u64(r, "end", stop);
			json_object_array_add(regions, r);
		}
		if (i < nb) {
			start = blocks[i] * bs;
			stop = start + bs;
			n++;
		}
	}
	free(blocks);
	return n ? 0 : -ENOENT;
}

/* The largest "System RAM" range of /proc/iomem, as damo picks for paddr. */
static int system_ram_range(json_object *regions)
{
	FILE *f = sysroot_fopen("re", "/proc/iomem");
	uint64_t a, b, best_a = 0, best_b = 0;
	const char *name;
	char line[256];
	size_t depth;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (spm_iomem_line(line, &a, &b, &depth, &name) || depth ||
		    strcmp(name, "System RAM"))
			continue;
		if (b > a && b - a > best_b - best_a)
			best_a = a, best_b = b;
	}
	fclose(f);
	if (best_b == 0)
		return -EPERM;	/* no range, or addresses hidden (zeros) from non-root */
	json_object *r = json_object_new_object();

	set_u64(r, "start", best_a);
	set_u64(r, "end", best_b + 1);
	json_object_array_add(regions, r);
	return 0;
}

/*
 * The kdamond object of `start` built from options: its context (operations,
 * attributes, targets) and schemes; the pids of -- CMD are filled in later.
 */
static int build_kdamond(const struct opts *o, int paddr, json_object **out)
{
	json_object *kd = json_object_new_object(), *ctx = json_object_new_object();
	json_object *targets, *schemes, *t, *regions;
	uint64_t sample_us = DEFAULT_SAMPLE_US, aggr_us = DEFAULT_AGGR_US, v;
	const char *ops = o->ops_arg;
	int rc;

	json_object_array_add(sub_arr(kd, "contexts"), ctx);
	*out = kd;
	if (!ops)
		ops = paddr ? "paddr" : "vaddr";
	if (!damon_word_in(damon_operations, ops))
		return bad_value("ops", ops, "expected vaddr, fvaddr or paddr");
	if (paddr && strcmp(ops, "paddr"))
		return msg_usage("'paddr' conflicts with --ops %s", ops);
	if (!strcmp(ops, "paddr") && (o->pid_arg || o->ncmd))
		return msg_usage("paddr monitors the physical address space: no --pid or command");
	if (strcmp(ops, "paddr") && !o->pid_arg && !o->ncmd)
		return msg_usage("nothing to monitor: give --pid PID, -- CMD ARGS or paddr");
	if (o->pid_arg && o->ncmd)
		return msg_usage("--pid and a command are mutually exclusive");
	if (o->numa_node_arg && strcmp(ops, "paddr"))
		return msg_usage("--numa-node is for paddr");
	if (o->numa_node_arg && o->region_args)
		return msg_usage("--numa-node and --region are mutually exclusive");
	if (!strcmp(ops, "fvaddr") && !o->region_args)
		return msg_usage("fvaddr monitors fixed ranges: give --region START-END");
	if (o->include_children && !o->ncmd)
		return msg_usage("--include-children is for a command started by damonctl");
	json_object_object_add(ctx, "operations", json_object_new_string(ops));
	rc = build_attrs(o, ctx, &sample_us, &aggr_us);
	if (rc)
		return rc;
	if (o->refresh_arg) {
		if (parse_ms_opt("refresh", o->refresh_arg, &v))
			return EXIT_USAGE;
		set_u64(kd, "refresh_ms", v / 1000);
	} else {
		/* A reused directory must not keep the last run's value (neutral: 0). */
		set_u64(kd, "refresh_ms", 0);
	}
	targets = sub_arr(ctx, "targets");
	regions = json_object_new_array();
	for (const char **r = o->region_args; r && *r; r++) {
		uint64_t a, b;
		json_object *x;

		if (parse_range(*r, &a, &b) < 0) {
			json_object_put(regions);
			return bad_value("region", *r, "expected START-END or START+LEN");
		}
		x = json_object_new_object();
		set_u64(x, "start", a);
		set_u64(x, "end", b);
		json_object_array_add(regions, x);
	}
	if (!strcmp(ops, "paddr") && !o->region_args) {
		int nid;

		if (o->numa_node_arg) {
			if (parse_int(o->numa_node_arg, &nid, 0, INT32_MAX) < 0) {
				json_object_put(regions);
				return bad_value("numa-node", o->numa_node_arg, "expected a node");
			}
			rc = node_ranges(nid, regions);
			if (rc < 0) {
				json_object_put(regions);
				msg_err(-rc, "cannot find the memory of node %d", nid);
				return rc == -ENOENT ? EXIT_USAGE : EXIT_FAILURE;
			}
		} else if ((rc = system_ram_range(regions)) < 0) {
			json_object_put(regions);
			msg_err(-rc, "cannot find a System RAM range in /proc/iomem");
			return EXIT_FAILURE;
		}
	}
	if (o->pid_arg) {
		char buf[4096], *save = NULL, *tok;
		pid_t pid;

		snprintf(buf, sizeof(buf), "%s", o->pid_arg);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (parse_pid(tok, &pid) < 0) {
				json_object_put(regions);
				return bad_value("pid", o->pid_arg, "expected PID[,PID...]");
			}
			testhook_target(pid);
			t = json_object_new_object();
			json_object_object_add(t, "pid_target", json_object_new_int(pid));
			json_object_object_add(t, "regions", json_object_get(regions));
			json_object_array_add(targets, t);
		}
	} else {
		t = json_object_new_object();
		json_object_object_add(t, "pid_target", json_object_new_int(0));
		json_object_object_add(t, "regions", json_object_get(regions));
		json_object_array_add(targets, t);
	}
	json_object_put(regions);
	schemes = sub_arr(ctx, "schemes");
	rc = build_schemes(schemes, sample_us, aggr_us);
	if (rc)
		return rc;
	if (!o->no_snapshot_scheme)
		json_object_array_add(schemes, stat_scheme());
	return 0;
}

/* --spec FILE: a document of the `status -J` shape. */
static int load_spec(const char *file, json_object **out)
{
	json_object *doc;
	char err[512];

	ssize_t len;
	char *text = NULL;
	int fd = !strcmp(file, "-") ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC);
	struct json_tokener *tok;
	enum json_tokener_error jerr;

	len = fd < 0 ? -errno : sysroot_read_fd(fd, &text);
	if (len >= 0 && !text)
		len = -ENOMEM;
	if (fd > STDIN_FILENO)
		close(fd);
	if (len < 0) {
		msg_err((int)-len, "cannot read the spec '%s'", file);
		return EXIT_FAILURE;
	}
	tok = json_tokener_new();
	if (!tok)
		msg_malloc_or_die(SIZE_MAX);
	doc = json_tokener_parse_ex(tok, text, (int)len + 1);	/* the NUL ends it */
	jerr = json_tokener_get_error(tok);
	if (!doc || jerr != json_tokener_success) {
		size_t at = json_tokener_get_parse_end(tok), line = 1, i;

		for (i = 0; i < at && i < (size_t)len; i++)
			line += text[i] == '\n';
		msg_err(0, "cannot parse the spec '%s': line %zu: %s", file, line,
			jerr == json_tokener_continue || at >= (size_t)len ? "the JSON ends too soon" :
			"not valid JSON");
		json_object_put(doc);
		json_tokener_free(tok);
		free(text);
		return EXIT_USAGE;
	}
	json_tokener_free(tok);
	free(text);
	if (json_object_is_type(doc, json_type_object) &&
	    !json_object_object_get_ex(doc, "kdamonds", NULL)) {
		/* One kdamond alone: wrap it. */
		json_object *root = json_object_new_object(), *arr = json_object_new_array();

		json_object_array_add(arr, doc);
		json_object_object_add(root, "kdamonds", arr);
		doc = root;
	}
	if (damon_check(&damon_schema, doc, err, sizeof(err)) < 0) {
		msg_err(0, "invalid spec '%s': %s", file, err);
		json_object_put(doc);
		return EXIT_USAGE;
	}
	if (!damon_json_len(doc, "kdamonds")) {
		msg_err(0, "invalid spec '%s': no kdamond in it", file);
		json_object_put(doc);
		return EXIT_USAGE;
	}
	*out = doc;
	return 0;
}

/* Messages for what the kernel refused. */

static int no_damon(void)
{
	msg_err(0, "this kernel has no DAMON sysfs interface (%s)", DAMON_ADMIN);
	msg_hint("DAMON's sysfs interface came with Linux 5.18 (CONFIG_DAMON_SYSFS)");
	return EXIT_NOTSUP;
}

static int session_error(const struct damon_session *s, const char *doing)
{
	if (s->err == -EOPNOTSUPP && s->missing) {
		int rfc = !strncmp(s->missing->since, "RFC", 3);

		msg_err(0, "%s: %s needs %s%s: this kernel has no %s/%s", doing, s->missing->what,
			rfc ? "a kernel with the " : "Linux ", s->missing->since, DAMON_ADMIN,
			s->errpath);
		return EXIT_NOTSUP;
	}
	msg_err(-s->err, "%s: %s/%s: %s", doing, DAMON_ADMIN, s->errpath, s->errmsg);
	if (s->err == -EINVAL)
		msg_hint("the kernel refused the value; damonctl(8) lists what each release takes");
	return EXIT_FAILURE;
}

/* A dry run prints shell commands that would do the same writes. */
static void dry_print(const char *rel, const char *value, void *arg)
{
	if (!*value || strpbrk(value, " \t'\"\\$`*?[]<>|&;()#~"))
		printf("printf '%%s' '%s' > %s/%s\n", value, DAMON_ADMIN, rel);
	else
		printf("echo %s > %s/%s\n", value, DAMON_ADMIN, rel);
}

/* Slots: which kdamond directories a start may use. */

struct slot {
	int state;		/* 1 on, 0 off */
	int pid;
	int contexts;		/* nr_contexts */
	enum own own;
};

static int read_slots(struct slot **out, int *n)
{
	struct slot *s;
	int i, nr = damon_nr_kdamonds();

	if (nr < 0)
		return nr;
	s = msg_calloc_or_die(nr ? nr : 1, sizeof(*s));
	for (i = 0; i < nr; i++) {
		char rel[64];
		uint64_t c = 0;

		s[i].state = damon_kdamond_state(i, &s[i].pid);
		snprintf(rel, sizeof(rel), "kdamonds/%d/contexts/nr_contexts", i);
		damon_read_u64(rel, &c);
		s[i].contexts = (int)c;
		s[i].own = owned(i);
	}
	*out = s;
	*n = nr;
	return 0;
}

static int slot_free(const struct slot *s)
{
	return s->state == 0 && (s->contexts == 0 || s->own != OWN_NONE);
}

/* Explain why no kdamond can be added, and return the exit status. */
static int explain_busy(const struct slot *s, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		if (s[i].state == 1)
			break;
	msg_err(EBUSY, "cannot add a kdamond");
	msg_hint("the kernel refuses to change nr_kdamonds while any kdamond runs, and kdamond "
		 "%d (pid %d%s) is running; stop it first%s, or start with --force after the "
		 "others are off", i, s[i].pid, s[i].own ? ", started by damonctl" : "",
		 s[i].own ? " (damonctl stop)" : " (it was not started by damonctl)");
	return EXIT_FAILURE;
}

/*
 * Before 6.17 (which added dests), vaddr and fvaddr did not apply
 * migrate_hot and migrate_cold: the kernel took such a scheme and silently
 * did nothing.  Say so instead.  kdrel is the kdamond's directory, written.
 */
static int check_migrate(json_object *kd, const char *kdrel)
{
	json_object *ctx = damon_json_item(kd, "contexts", 0);
	size_t i, n = damon_json_len(ctx, "schemes");
	char rel[256];

	if (!ctx || !strcmp(damon_json_str(ctx, "operations", "vaddr"), "paddr"))
		return 0;
	for (i = 0; i < n; i++) {
		const char *a = damon_json_str(damon_json_item(ctx, "schemes", i), "action", "");

		if (strncmp(a, "migrate_", 8))
			continue;
		snprintf(rel, sizeof(rel), "%s/contexts/0/schemes/%zu/dests", kdrel, i);
		if (damon_exists(rel))
			continue;
		msg_err(0, "%s with %s needs Linux 6.17: this kernel applies it to paddr only (it "
			"has no %s/%s)", a, damon_json_str(ctx, "operations", "vaddr"), DAMON_ADMIN,
			rel);
		msg_hint("monitor the physical address space instead: damonctl start paddr "
			 "[--numa-node N] --action %s", a);
		return EXIT_NOTSUP;
	}
	return 0;
}

/*
 * One item of the list at path ("kdamonds/contexts"), as a DIR node, built once
 * in the caller's static slot: one slot per list, so no cache can run out.
 */
static const struct damon_node *item_node(const char *path, struct damon_node *item)
{
	const struct damon_node *list;

	if (!item->children) {
		list = damon_node_at(path);
		*item = (struct damon_node){ .name = list->name, .kind = DAMON_DIR,
					     .children = list->children };
	}
	return item;
}

static const struct damon_node *kdamond_node(void)
{
	static struct damon_node kdamond;

	return item_node("kdamonds", &kdamond);
}

static const struct damon_node *context_node(void)
{
	static struct damon_node context;

	return item_node("kdamonds/contexts", &context);
}

struct started {
	int kd;
	int pid;
};

/*
 * Write the kdamonds of doc into free slots (growing nr_kdamonds when needed)
 * and turn them on.  On any failure everything written is undone.
 */
/*
 * After a refused on: name each target pid of kdamond kd that has no process
 * (the kernel says only EINVAL).  Returns how many.
 */
static int gone_targets(json_object *kd)
{
	json_object *ctx = damon_json_item(kd, "contexts", 0);
	size_t i, n = damon_json_len(ctx, "targets");
	int gone = 0;

	for (i = 0; i < n; i++) {
		int64_t pid = damon_json_s64(damon_json_item(ctx, "targets", i), "pid_target", 0);

		if (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
			msg_err(0, "pid %" PRId64 " exited before monitoring began", pid);
			gone++;
		}
	}
	return gone;
}

static int start_kdamonds(const struct opts *o, json_object *doc, struct started *st, size_t *nst)
{
	struct damon_session s = { .dry_run = 1, .print = NULL };
	json_object *have = NULL, *want = NULL, *kds;
	struct slot *slots = NULL;
	int nr = 0, i, rc, status = EXIT_FAILURE, running = 0, foreign = 0, grow;
	size_t k = damon_json_len(doc, "kdamonds"), used = 0, j;
	int *use = msg_calloc_or_die(k, sizeof(*use));
	char err[512], rel[64];

	*nst = 0;
	if (read_slots(&slots, &nr) < 0) {
		status = no_damon();
		goto out;
	}
	for (i = 0; i < nr && used < k; i++)
		if (slot_free(&slots[i]))
			use[used++] = i;
	for (i = 0; i < nr; i++) {
		running |= slots[i].state == 1;
		foreign |= slots[i].state == 0 && !slot_free(&slots[i]);
	}
	if (damon_read("", &damon_schema, &have, err, sizeof(err)) < 0) {
		msg_err(0, "cannot read %s/%s", DAMON_ADMIN, err);
		goto out;
	}
	kds = json_object_new_array();
	want = json_object_new_object();
	json_object_object_add(want, "kdamonds", kds);
	grow = used < k;
	if (grow) {
		/* More kdamonds: the kernel recreates every kdamond directory. */
		if (running) {
			status = explain_busy(slots, nr);
			goto out;
		}
		if (foreign && !o->force) {
			msg_err(0, "cannot add a kdamond without rewriting the others");
			msg_hint("writing nr_kdamonds makes the kernel recreate every kdamond "
				 "directory; an idle kdamond not started by damonctl is configured "
				 "and would be rewritten with its current values: --force to do so");
			status = EXIT_FAILURE;
			goto out;
		}
		for (i = 0; i < nr; i++)
			json_object_array_add(kds, json_object_get(damon_json_item(have,
										"kdamonds", i)));
		for (j = 0; used < k; j++)
			use[used++] = nr + (int)j;
		for (j = 0; j < k; j++) {
			if (use[j] < nr)
				json_object_array_put_idx(kds, use[j], json_object_get(
					damon_json_item(doc, "kdamonds", j)));
			else
				json_object_array_add(kds, json_object_get(
					damon_json_item(doc, "kdamonds", j)));
		}
	}
	/* Two passes: a dry one finds missing features before anything is written. */
	for (int pass = 0; pass < 2; pass++) {
		s.dry_run = pass == 0 || o->dry_run;
		s.print = pass == 1 ? dry_print : NULL;
		rc = 0;
		if (grow)
			rc = damon_write_tree(&s, "", &damon_schema, want, have);
		for (j = 0; !grow && j < k && rc == 0; j++) {
			json_object *cur = damon_json_item(have, "kdamonds", use[j]), *copy = NULL;
			json_object *ctxs = NULL;

			/*
			 * A reused slot starts afresh: its contexts are rewritten in
			 * full, and an undo puts the old ones back.
			 */
			if (cur && json_object_deep_copy(cur, &copy, NULL) == 0 &&
			    json_object_object_get_ex(copy, "contexts", &ctxs))
				damon_mark_rewrite(ctxs);
			snprintf(rel, sizeof(rel), "kdamonds/%d", use[j]);
			rc = damon_write_tree(&s, rel, kdamond_node(),
					      damon_json_item(doc, "kdamonds", j), copy);
			json_object_put(copy);
		}
		if (rc < 0) {
			status = session_error(&s, "cannot configure a kdamond");
			goto undo;
		}
		if (s.dry_run && pass == 1) {
			if (s.unprobed)
				msg_warn(0, "no kdamond directory shows this kernel's files: the dry "
					 "run takes every feature as present");
			for (j = 0; j < k; j++)
				printf("echo on > %s/kdamonds/%d/state\n", DAMON_ADMIN, use[j]);
			status = 0;
			goto out;
		}
	}
	for (j = 0; j < k; j++) {
		snprintf(rel, sizeof(rel), "kdamonds/%d", use[j]);
		status = check_migrate(damon_json_item(doc, "kdamonds", j), rel);
		if (status)
			goto undo;
	}
	status = EXIT_FAILURE;
	testhook_point("damonctl-before-on");
	for (j = 0; j < k; j++) {
		int pid;

		rc = damon_state_write(use[j], "on");
		if (rc < 0 && gone_targets(damon_json_item(doc, "kdamonds", j))) {
			for (size_t m = 0; m < j; m++)
				damon_state_write(use[m], "off");
			goto undo;
		}
		if (rc < 0) {
			msg_err(-rc, "cannot start kdamond %d", use[j]);
			if (rc == -EINVAL || rc == -ESRCH)
				msg_hint("the kernel refused the configuration (a target pid that has "
					 "exited, an operations set or value this kernel rejects)");
			for (size_t m = 0; m < j; m++)
				damon_state_write(use[m], "off");
			goto undo;
		}
		if (damon_kdamond_state(use[j], &pid) != 1) {
			msg_err(0, "kdamond %d stopped right after it was started", use[j]);
			msg_hint("its targets may have exited already");
			for (size_t m = 0; m <= j; m++)
				damon_state_write(use[m], "off");
			goto undo;
		}
		st[j] = (struct started){ use[j], pid };
		*nst = j + 1;
		record_write(use[j], pid, o->ncmd ? o->cmd[0] : "start");
	}
	status = 0;
	goto out;
undo:
	if (!s.dry_run && damon_session_undo(&s) < 0)
		msg_warn(0, "could not restore every file of %s; see damonctl status", DAMON_ADMIN);
out:
	damon_session_free(&s);
	json_object_put(have);
	json_object_put(want);
	free(slots);
	free(use);
	return status;
}

/*
 * The kdamond a command works on: -k N, else the one damonctl started (if
 * exactly one runs), else the only one running.  Returns the index or an
 * exit status as a negative number.
 */
static int pick_kdamond(const struct opts *o, int need_running)
{
	int nr = damon_nr_kdamonds(), i, found = -1, nfound = 0, pid;

	if (nr < 0)
		return -no_damon();
	if (o->kdamond_arg) {
		if (parse_int(o->kdamond_arg, &i, 0, INT32_MAX) < 0)
			return -bad_value("kdamond", o->kdamond_arg, "expected a kdamond index");
		if (i >= nr) {
			msg_err(0, "no kdamond %d: the kernel has %d", i, nr);
			return -EXIT_USAGE;
		}
		return i;
	}
	for (i = 0; i < nr; i++)
		if (owned(i) == OWN_RUNNING)
			found = i, nfound++;
	if (nfound == 1)
		return found;
	if (nfound > 1) {
		msg_err(0, "damonctl started %d kdamonds: pick one with --kdamond", nfound);
		return -EXIT_USAGE;
	}
	for (i = 0; i < nr; i++)
		if (damon_kdamond_state(i, &pid) == 1)
			found = i, nfound++;
	if (nfound == 1 || (!need_running && nr == 1))
		return nfound == 1 ? found : 0;
	msg_err(0, nfound ? "several kdamonds run: pick one with --kdamond" :
		need_running ? "no kdamond is running" : "no kdamond");
	return -(nfound ? EXIT_USAGE : EXIT_FAILURE);
}

/* Refuse to change a kdamond damonctl did not start, unless --force. */
static int may_change(const struct opts *o, int kd, const char *what)
{
	if (owned(kd) != OWN_NONE || o->force)
		return 0;
	msg_err(0, "kdamond %d was not started by damonctl: not %s it", kd, what);
	msg_hint("--force acts on it anyway");
	return EXIT_FAILURE;
}

/* stop [KDAMOND...]: default every running kdamond damonctl started. */
static int cmd_stop(const struct opts *o)
{
	int nr = damon_nr_kdamonds(), i, pid, state, status = 0, any = 0, rc;
	int *list = NULL, nlist = 0;

	if (nr < 0)
		return no_damon();
	if (!o->dry_run && lock_state() < 0)
		return EXIT_FAILURE;
	for (i = 1; i < o->nargs; i++) {
		int kd;

		if (parse_int(o->args[i], &kd, 0, INT32_MAX) < 0 || kd >= nr) {
			free(list);
			return msg_usage("no kdamond '%s' (the kernel has %d)", o->args[i], nr);
		}
		list = msg_realloc_or_die(list, (nlist + 1) * sizeof(*list));
		list[nlist++] = kd;
	}
	if (o->kdamond_arg) {
		int kd = pick_kdamond(o, 0);

		if (kd < 0) {
			free(list);
			return -kd;
		}
		list = msg_realloc_or_die(list, (nlist + 1) * sizeof(*list));
		list[nlist++] = kd;
	}
	if (!nlist) {
		int stopped = 0;

		for (i = 0; i < nr; i++) {
			enum own w = owned(i);

			stopped += w == OWN_STOPPED;
			if (w != OWN_RUNNING)
				continue;
			list = msg_realloc_or_die(list, (nlist + 1) * sizeof(*list));
			list[nlist++] = i;
		}
		if (!nlist && stopped) {
			msg_verbose(1, "every kdamond damonctl started has stopped already");
			return 0;
		}
		if (!nlist) {
			msg_err(0, "no kdamond started by damonctl is running");
			msg_hint("damonctl status lists the kdamonds; name one (with --force for "
				 "one damonctl did not start)");
			return EXIT_FAILURE;
		}
	}
	for (i = 0; i < nlist; i++) {
		int kd = list[i];

		if (may_change(o, kd, "stopping")) {
			status = EXIT_FAILURE;
			continue;
		}
		state = damon_kdamond_state(kd, &pid);
		if (state == 0) {
			msg_verbose(1, "kdamond %d had already stopped", kd);
			any++;
			continue;
		}
		if (o->dry_run) {
			printf("echo off > %s/kdamonds/%d/state\n", DAMON_ADMIN, kd);
			continue;
		}
		rc = damon_state_write(kd, "off");
		if (rc < 0 && damon_kdamond_state(kd, &pid) != 0) {
			msg_err(-rc, "cannot stop kdamond %d", kd);
			status = EXIT_FAILURE;
			continue;
		}
		msg_verbose(1, "kdamond %d (pid %d) stopped", kd, pid);
		any++;
	}
	free(list);
	return status && any ? EXIT_PARTIAL : status;
}

/* What has_target_opts says, --pid aside. */
static int has_other_target_opts(const struct opts *o)
{
	return o->ops_arg || o->region_args || o->numa_node_arg || o->sample_arg || o->aggr_arg ||
	       o->update_arg || o->nr_regions_arg || o->goal_arg || o->refresh_arg ||
	       o->addr_unit_arg || o->primitives_arg || o->sample_filter_args || nsopts ||
	       o->no_snapshot_scheme || o->spec_arg || o->include_children;
}

static int has_target_opts(const struct opts *o)
{
	return o->pid_arg || o->ops_arg || o->region_args || o->numa_node_arg || o->sample_arg ||
	       o->aggr_arg || o->update_arg || o->nr_regions_arg || o->goal_arg ||
	       o->refresh_arg || o->addr_unit_arg || o->primitives_arg || o->sample_filter_args ||
	       nsopts || o->no_snapshot_scheme;
}

/* Monitoring attributes of a kdamond's first context (0 when unreadable). */
static void ctx_intervals(json_object *kd, uint64_t *sample_us, uint64_t *aggr_us)
{
	json_object *ctx = damon_json_item(kd, "contexts", 0), *a = NULL, *iv = NULL;

	*sample_us = DEFAULT_SAMPLE_US;
	*aggr_us = DEFAULT_AGGR_US;
	if (ctx && json_object_object_get_ex(ctx, "monitoring_attrs", &a) &&
	    json_object_object_get_ex(a, "intervals", &iv)) {
		*sample_us = damon_json_u64(iv, "sample_us", *sample_us);
		*aggr_us = damon_json_u64(iv, "aggr_us", *aggr_us);
	}
}

/* Overlay src's keys onto dst, recursively for objects (arrays replace). */
static void merge(json_object *dst, json_object *src)
{
	json_object_object_foreach(src, key, val) {
		json_object *d;

		if (json_object_is_type(val, json_type_object) &&
		    json_object_object_get_ex(dst, key, &d) && json_object_is_type(d, json_type_object))
			merge(d, val);
		else
			json_object_object_add(dst, key, json_object_get(val));
	}
}

/*
 * tune: new attributes or schemes for a running kdamond, committed at once.
 * The new values are written where they differ and `commit` makes the
 * kdamond read them; a failure puts every file back and commits nothing.
 */
static int cmd_tune(const struct opts *o)
{
	struct damon_session s = { 0 };
	json_object *have = NULL, *want = NULL, *doc = NULL, *ctx, *x;
	uint64_t sample_us, aggr_us;
	char rel[64], err[512];
	int kd, rc, status = EXIT_FAILURE, pid;

	if (o->pid_arg || o->ops_arg || o->region_args || o->numa_node_arg || o->include_children)
		return msg_usage("tune changes attributes and schemes; targets are set by start");
	if (o->spec_arg && has_target_opts(o))
		return msg_usage("--spec sets everything: no other monitoring option");
	if (!damon_available())
		return no_damon();
	if (!o->dry_run && lock_state() < 0)
		return EXIT_FAILURE;
	kd = pick_kdamond(o, 1);
	if (kd < 0)
		return -kd;
	if ((rc = may_change(o, kd, "tuning")))
		return rc;
	if (damon_kdamond_state(kd, &pid) != 1) {
		msg_err(0, "kdamond %d is not running: nothing to commit to", kd);
		return EXIT_FAILURE;
	}
	snprintf(rel, sizeof(rel), "kdamonds/%d", kd);
	if (damon_read(rel, kdamond_node(), &have, err, sizeof(err)) < 0) {
		msg_err(0, "cannot read %s/%s", DAMON_ADMIN, err);
		return EXIT_FAILURE;
	}
	json_object_deep_copy(have, &want, NULL);
	if (o->spec_arg) {
		if ((status = load_spec(o->spec_arg, &doc)))
			goto out;
		json_object_put(want);
		want = NULL;
		json_object_deep_copy(damon_json_item(doc, "kdamonds", 0), &want, NULL);
	} else {
		ctx = damon_json_item(want, "contexts", 0);
		if (!ctx) {
			msg_err(0, "kdamond %d has no context", kd);
			goto out;
		}
		ctx_intervals(want, &sample_us, &aggr_us);
		x = json_object_new_object();
		rc = build_attrs(o, x, &sample_us, &aggr_us);
		if (!rc && o->refresh_arg) {
			uint64_t v;

			rc = parse_ms_opt("refresh", o->refresh_arg, &v);
			if (!rc)
				set_u64(want, "refresh_ms", v / 1000);
		}
		merge(ctx, x);
		json_object_put(x);
		if (rc) {
			status = rc;
			goto out;
		}
		if (nsopts) {
			/* New schemes replace the old ones (and the snapshot scheme stays). */
			x = json_object_new_array();
			status = build_schemes(x, sample_us, aggr_us);
			if (!status && !o->no_snapshot_scheme)
				json_object_array_add(x, stat_scheme());
			json_object_object_add(ctx, "schemes", x);
			if (status)
				goto out;
			x = NULL;
			json_object_object_get_ex(damon_json_item(have, "contexts", 0), "schemes", &x);
			if (x)
				damon_mark_rewrite(x);
		}
	}
	if (damon_check(kdamond_node(), want, err, sizeof(err)) < 0) {
		msg_err(0, "invalid configuration: %s", err);
		status = EXIT_USAGE;
		goto out;
	}
	for (int pass = 0; pass < 2; pass++) {
		s.dry_run = pass == 0 || o->dry_run;
		s.print = pass == 1 ? dry_print : NULL;
		if (damon_write_tree(&s, rel, kdamond_node(), want, have) < 0) {
			status = session_error(&s, "cannot tune");
			goto undo;
		}
	}
	if (o->dry_run) {
		printf("echo commit > %s/kdamonds/%d/state\n", DAMON_ADMIN, kd);
		status = 0;
		goto out;
	}
	status = check_migrate(want, rel);
	if (status)
		goto undo;
	status = EXIT_FAILURE;
	if (s.nlog == 0) {
		msg_verbose(1, "kdamond %d already has this configuration", kd);
		status = 0;
		goto out;
	}
	rc = damon_state_write(kd, "commit");
	if (rc < 0) {
		msg_err(-rc, "kdamond %d refused the new configuration", kd);
		if (rc == -EINVAL)
			msg_hint("a commit needs Linux 5.19; the values may be out of the kernel's range");
		goto undo;
	}
	msg_verbose(1, "kdamond %d: %zu files written and committed", kd, s.nlog);
	status = 0;
	goto out;
undo:
	if (!s.dry_run && damon_session_undo(&s) < 0)
		msg_warn(0, "could not restore every file of %s/%s", DAMON_ADMIN, rel);
out:
	damon_session_free(&s);
	json_object_put(have);
	json_object_put(want);
	json_object_put(doc);
	return status;
}

/* status */

static void print_range(const char *label, json_object *mm, int size, int bytes)
{
	uint64_t lo = damon_json_u64(mm, "min", 0), hi = damon_json_u64(mm, "max", 0);
	char a[32], b[32];

	if (size) {
		fmt_size(lo, a, sizeof(a), bytes);
		if (hi == UINT64_MAX)
			snprintf(b, sizeof(b), "max");
		else
			fmt_size(hi, b, sizeof(b), bytes);
	} else {
		snprintf(a, sizeof(a), "%" PRIu64, lo);
		if (hi >= UINT32_MAX)
			snprintf(b, sizeof(b), "max");
		else
			snprintf(b, sizeof(b), "%" PRIu64, hi);
	}
	printf(" %s %s..%s", label, a, b);
}

static void print_filters(json_object *sch, const char *key, const char *label)
{
	size_t i, n = damon_json_len(sch, key);

	if (!n)
		return;
	printf("      %s:", label);
	for (i = 0; i < n; i++) {
		json_object *f = damon_json_item(sch, key, i), *v;
		const char *type = damon_json_str(f, "type", "?");
		int allow = json_object_object_get_ex(f, "allow", &v) && json_object_get_boolean(v);
		int match = !json_object_object_get_ex(f, "matching", &v) ||
			    json_object_get_boolean(v);

		printf("%s %s %s%s", i ? ";" : "", allow ? "allow" : "reject", match ? "" : "!",
		       type);
		if (!strcmp(type, "memcg"))
			printf(" %s", damon_json_str(f, "memcg_path", ""));
		else if (!strcmp(type, "addr"))
			printf(" 0x%" PRIx64 "-0x%" PRIx64, damon_json_u64(f, "addr_start", 0),
			       damon_json_u64(f, "addr_end", 0));
		else if (!strcmp(type, "target"))
			printf(" %" PRIu64, damon_json_u64(f, "damon_target_idx", 0));
		else if (!strcmp(type, "hugepage_size"))
			printf(" %" PRIu64 "-%" PRIu64, damon_json_u64(f, "min", 0),
			       damon_json_u64(f, "max", 0));
	}
	printf("\n");
}

static void print_scheme(json_object *sch, size_t idx, int bytes)
{
	json_object *ap = NULL, *q = NULL, *w = NULL, *st = NULL, *x = NULL;
	char a[32], b[32];
	int64_t nid = damon_json_s64(sch, "target_nid", -1);
	size_t i, n;

	printf("    scheme %zu: %s", idx, damon_json_str(sch, "action", "?"));
	if (nid >= 0)
		printf(" to node %" PRId64, nid);
	if (json_object_object_get_ex(sch, "access_pattern", &ap)) {
		if (json_object_object_get_ex(ap, "sz", &x))
			print_range("sz", x, 1, bytes);
		if (json_object_object_get_ex(ap, "nr_accesses", &x))
			print_range("nr_accesses", x, 0, bytes);
		if (json_object_object_get_ex(ap, "age", &x))
			print_range("age", x, 0, bytes);
	}
	if (damon_json_u64(sch, "apply_interval_us", 0))
		printf(", every %s", fmt_us(damon_json_u64(sch, "apply_interval_us", 0), a,
					    sizeof(a)));
	printf("\n");
	if (json_object_object_get_ex(sch, "quotas", &q) &&
	    (damon_json_u64(q, "ms", 0) || damon_json_u64(q, "bytes", 0) ||
	     damon_json_len(q, "goals"))) {
		printf("      quotas: %s, %s", fmt_us(damon_json_u64(q, "ms", 0) * 1000, a, sizeof(a)),
		       fmt_size(damon_json_u64(q, "bytes", 0), b, sizeof(b), bytes));
		printf(" per %s", fmt_us(damon_json_u64(q, "reset_interval_ms", 0) * 1000, a,
					 sizeof(a)));
		if (json_object_object_get_ex(q, "weights", &x))
			printf(", weights sz %" PRIu64 " nr_accesses %" PRIu64 " age %" PRIu64,
			       damon_json_u64(x, "sz_permil", 0),
			       damon_json_u64(x, "nr_accesses_permil", 0),
			       damon_json_u64(x, "age_permil", 0));
		if (json_object_object_get_ex(q, "effective_bytes", &x))
			printf(", effective %s",
			       fmt_size(json_object_get_uint64(x), b, sizeof(b), bytes));
		printf("\n");
		n = damon_json_len(q, "goals");
		for (i = 0; i < n; i++) {
			json_object *g = damon_json_item(q, "goals", i);

			printf("      goal %zu: %s target %" PRIu64 " current %" PRIu64 "\n", i,
			       damon_json_str(g, "target_metric", "user_input"),
			       damon_json_u64(g, "target_value", 0),
			       damon_json_u64(g, "current_value", 0));
		}
	}
	if (json_object_object_get_ex(sch, "watermarks", &w) &&
	    strcmp(damon_json_str(w, "metric", "none"), "none"))
		printf("      watermarks: %s every %s, high %" PRIu64 " mid %" PRIu64
		       " low %" PRIu64 "\n", damon_json_str(w, "metric", ""),
		       fmt_us(damon_json_u64(w, "interval_us", 0), a, sizeof(a)),
		       damon_json_u64(w, "high", 0), damon_json_u64(w, "mid", 0),
		       damon_json_u64(w, "low", 0));
	print_filters(sch, "filters", "filters");
	print_filters(sch, "core_filters", "core filters");
	print_filters(sch, "ops_filters", "ops filters");
	n = damon_json_len(sch, "dests");
	for (i = 0; i < n; i++) {
		json_object *d = damon_json_item(sch, "dests", i);

		printf("%s node %" PRIu64 " weight %" PRIu64 "%s", i ? "," : "      dests:",
		       damon_json_u64(d, "id", 0), damon_json_u64(d, "weight", 0),
		       i + 1 == n ? "\n" : "");
	}
	if (json_object_object_get_ex(sch, "stats", &st))
		printf("      stats: tried %" PRIu64 " regions (%s), applied %" PRIu64
		       " regions (%s), quota exceeded %" PRIu64 " times\n",
		       damon_json_u64(st, "nr_tried", 0),
		       fmt_size(damon_json_u64(st, "sz_tried", 0), a, sizeof(a), bytes),
		       damon_json_u64(st, "nr_applied", 0),
		       fmt_size(damon_json_u64(st, "sz_applied", 0), b, sizeof(b), bytes),
		       damon_json_u64(st, "qt_exceeds", 0));
}

static void print_kdamond(json_object *kd, int refreshed, int bytes)
{
	size_t c, t, i, nc = damon_json_len(kd, "contexts");
	int owned_kd = 0;
	json_object *v;
	char a[32], b[32], u[32];

	if (json_object_object_get_ex(kd, "owned", &v))
		owned_kd = json_object_get_boolean(v);
	printf("kdamond %" PRIu64 ": %s", damon_json_u64(kd, "index", 0),
	       damon_json_str(kd, "state", "?"));
	if (damon_json_s64(kd, "pid", -1) > 0)
		printf(", pid %" PRId64, damon_json_s64(kd, "pid", -1));
	printf(", %s%s\n", owned_kd ? "started by damonctl" : "not started by damonctl",
	       !refreshed && !strcmp(damon_json_str(kd, "state", ""), "on") ?
	       " (stats as last refreshed)" : "");
	for (c = 0; c < nc; c++) {
		json_object *ctx = damon_json_item(kd, "contexts", c), *at = NULL, *iv = NULL;
		json_object *nrr = NULL;

		printf("  context %zu: %s", c, damon_json_str(ctx, "operations", "?"));
		if (json_object_object_get_ex(ctx, "monitoring_attrs", &at)) {
			if (json_object_object_get_ex(at, "intervals", &iv))
				printf(", sample %s, aggr %s, update %s",
				       fmt_us(damon_json_u64(iv, "sample_us", 0), a, sizeof(a)),
				       fmt_us(damon_json_u64(iv, "aggr_us", 0), b, sizeof(b)),
				       fmt_us(damon_json_u64(iv, "update_us", 0), u, sizeof(u)));
			if (json_object_object_get_ex(at, "nr_regions", &nrr))
				printf(", regions %" PRIu64 "..%" PRIu64,
				       damon_json_u64(nrr, "min", 0), damon_json_u64(nrr, "max", 0));
		}
		printf("\n");
		for (t = 0; t < damon_json_len(ctx, "targets"); t++) {
			json_object *tg = damon_json_item(ctx, "targets", t);
			size_t nr = damon_json_len(tg, "regions");

			printf("    target %zu:", t);
			if (strcmp(damon_json_str(ctx, "operations", ""), "paddr"))
				printf(" pid %" PRId64, damon_json_s64(tg, "pid_target", 0));
			for (i = 0; i < nr; i++) {
				json_object *r = damon_json_item(tg, "regions", i);

				printf("%s 0x%" PRIx64 "-0x%" PRIx64, i ? "," : "",
				       damon_json_u64(r, "start", 0), damon_json_u64(r, "end", 0));
			}
			printf("\n");
		}
		for (i = 0; i < damon_json_len(ctx, "schemes"); i++)
			print_scheme(damon_json_item(ctx, "schemes", i), i, bytes);
	}
}

static int cmd_status(const struct opts *o)
{
	json_object *root = NULL, *kds;
	int nr, kd = -1, i, pid, status = 0;
	char err[512];
	int *refreshed;
	enum own *own;

	if (!damon_available())
		return no_damon();
	nr = damon_nr_kdamonds();
	if (nr < 0) {
		msg_err(-nr, "cannot read %s/kdamonds/nr_kdamonds", DAMON_ADMIN);
		return EXIT_FAILURE;
	}
	if (o->nargs > 2)
		return msg_usage("status takes at most one kdamond");
	if (o->nargs == 2 || o->kdamond_arg) {
		const char *a = o->nargs == 2 ? o->args[1] : o->kdamond_arg;

		if (parse_int(a, &kd, 0, INT32_MAX) < 0 || kd >= nr)
			return msg_usage("no kdamond '%s' (the kernel has %d)", a, nr);
	}
	refreshed = msg_calloc_or_die(nr ? nr : 1, sizeof(*refreshed));
	own = msg_calloc_or_die(nr ? nr : 1, sizeof(*own));
	for (i = 0; i < nr; i++)
		own[i] = owned(i);
	/*
	 * Stats files show what the kernel last copied out: ask for fresh ones
	 * from the kdamonds damonctl may write to (its own, or all with --force).
	 */
	for (i = 0; i < nr; i++) {
		char rel[64];
		uint64_t ms = 0;

		if ((kd >= 0 && i != kd) || damon_kdamond_state(i, &pid) != 1)
			continue;
		snprintf(rel, sizeof(rel), "kdamonds/%d/refresh_ms", i);
		if (damon_read_u64(rel, &ms) == 0 && ms > 0)
			refreshed[i] = 1;	/* the kernel refreshes them itself */
		else if (own[i] == OWN_RUNNING || o->force)
			refreshed[i] = damon_state_write(i, "update_schemes_stats") == 0;
	}
	if (damon_read("", &damon_schema, &root, err, sizeof(err)) < 0) {
		msg_err(0, "cannot read %s/%s", DAMON_ADMIN, err);
		free(refreshed);
		free(own);
		return EXIT_FAILURE;
	}
	json_object_object_get_ex(root, "kdamonds", &kds);
	for (i = 0; kds && i < (int)json_object_array_length(kds); i++) {
		json_object *k = json_object_array_get_idx(kds, i);

		json_object_object_add(k, "index", json_object_new_int(i));
		json_object_object_add(k, "owned", json_object_new_boolean(i < nr && own[i] != OWN_NONE));
	}
	if (kd >= 0 && kds) {
		/* One kdamond: keep the document's shape, with that one only. */
		json_object *one = json_object_new_array();

		json_object_array_add(one, json_object_get(json_object_array_get_idx(kds, kd)));
		json_object_object_add(root, "kdamonds", one);
		kds = one;
	}
	if (o->c.json) {
		if (doc_print(root) < 0)
			status = EXIT_FAILURE;
	} else if (!kds || !json_object_array_length(kds)) {
		printf("no kdamond\n");
	} else {
		for (i = 0; i < (int)json_object_array_length(kds); i++) {
			json_object *k = json_object_array_get_idx(kds, i);

			print_kdamond(k, refreshed[damon_json_u64(k, "index", 0)], o->bytes);
		}
	}
	json_object_put(root);
	free(refreshed);
	free(own);
	return status;
}

/* snapshot and record */

static int find_snapshot_scheme(json_object *ctx, int want)
{
	int i, n = (int)damon_json_len(ctx, "schemes");

	if (want >= 0)
		return want < n ? want : -1;
	for (i = n - 1; i >= 0; i--) {
		json_object *s = damon_json_item(ctx, "schemes", i);

		if (!strcmp(damon_json_str(s, "action", ""), "stat") && pattern_is_all(s))
			return i;
	}
	return -1;
}

static int region_cmp(const void *a, const void *b)
{
	const struct dc_region *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * Ask kdamond kd for its tried regions and read those of one scheme into s.
 * Returns 0 or an exit status; 1 with *gone set when the kdamond stopped.
 */
static int take_snapshot(const struct opts *o, int kd, struct dc_snapshot *s, int *gone)
{
	json_object *ctx = NULL, *tr = NULL, *t;
	char rel[128], err[512];
	int sch = -1, pid, rc, status = EXIT_FAILURE, want_t, cur_t;
	pid_t want_pid = 0;
	uint64_t prev_end;
	size_t i, n;
	struct timespec ts;

	memset(s, 0, sizeof(*s));
	*gone = 0;
	if (damon_kdamond_state(kd, &pid) != 1) {
		*gone = 1;
		msg_err(0, "kdamond %d is not running", kd);
		return EXIT_FAILURE;
	}
	snprintf(rel, sizeof(rel), "kdamonds/%d/contexts/0", kd);
	if (damon_read(rel, context_node(), &ctx, err, sizeof(err)) < 0) {
		msg_err(0, "cannot read %s/%s", DAMON_ADMIN, err);
		return EXIT_FAILURE;
	}
	if (o->scheme_arg && parse_int(o->scheme_arg, &sch, 0, INT32_MAX) < 0) {
		status = bad_value("scheme", o->scheme_arg, "expected a scheme index");
		goto out;
	}
	sch = find_snapshot_scheme(ctx, o->scheme_arg ? sch : -1);
	if (sch < 0) {
		if (o->scheme_arg)
			msg_err(0, "kdamond %d has no scheme %s", kd, o->scheme_arg);
		else {
			msg_err(0, "kdamond %d has no stat scheme that matches every region", kd);
			msg_hint("damonctl start adds one; --scheme N reads the regions scheme N "
				 "was tried on");
		}
		goto out;
	}
	snprintf(rel, sizeof(rel), "kdamonds/%d/contexts/0/schemes/%d/tried_regions", kd, sch);
	if (!damon_exists(rel)) {
		msg_err(0, "snapshots read a scheme's tried_regions, which need Linux 6.2: this "
			"kernel has no %s/%s", DAMON_ADMIN, rel);
		status = EXIT_NOTSUP;
		goto out;
	}
	rc = damon_state_write(kd, "update_schemes_tried_regions");
	clock_gettime(CLOCK_REALTIME, &ts);
	if (rc < 0) {
		if (damon_kdamond_state(kd, &pid) != 1) {
			*gone = 1;
			msg_err(0, "kdamond %d stopped", kd);
		} else {
			msg_err(-rc, "cannot update the tried regions of kdamond %d", kd);
		}
		goto out;
	}
	if (damon_read(rel, damon_node_at("kdamonds/contexts/schemes/tried_regions"), &tr, err,
		       sizeof(err)) < 0) {
		msg_err(0, "cannot read %s/%s", DAMON_ADMIN, err);
		goto out;
	}
	s->time_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	s->kdamond = kd;
	s->scheme = sch;
	snprintf(s->ops, sizeof(s->ops), "%s", damon_json_str(ctx, "operations", ""));
	/*
	 * tried_regions lists each target's regions in turn, each sorted: a
	 * start below the previous end begins the next target.  A snapshot
	 * is one address space: the target asked for with --pid, else the first.
	 */
	want_t = 0;
	/* An invalid --pid matches no target (pid_target is never -1). */
	if (o->pid_arg && parse_pid(o->pid_arg, &want_pid) < 0)
		want_pid = -1;
	for (i = 0; o->pid_arg && i < damon_json_len(ctx, "targets"); i++) {
		t = damon_json_item(ctx, "targets", i);
		if (damon_json_s64(t, "pid_target", 0) == want_pid)
			want_t = (int)i;
	}
	if (o->pid_arg &&
	    damon_json_s64(damon_json_item(ctx, "targets", want_t), "pid_target", 0) != want_pid) {
		msg_err(0, "kdamond %d does not monitor pid %s", kd, o->pid_arg);
		status = EXIT_USAGE;
		goto out;
	}
	t = damon_json_item(ctx, "targets", want_t);
	if (t && strcmp(damon_json_str(ctx, "operations", ""), "paddr"))
		s->targets[s->nr_targets++] = (int)damon_json_s64(t, "pid_target", 0);
	{
		json_object *at = NULL, *iv = NULL;

		s->sample_us = DEFAULT_SAMPLE_US;
		s->aggr_us = DEFAULT_AGGR_US;
		if (json_object_object_get_ex(ctx, "monitoring_attrs", &at) &&
		    json_object_object_get_ex(at, "intervals", &iv)) {
			s->sample_us = damon_json_u64(iv, "sample_us", s->sample_us);
			s->aggr_us = damon_json_u64(iv, "aggr_us", s->aggr_us);
		}
	}
	n = damon_json_len(tr, "regions");
	s->regions = msg_calloc_or_die(n ? n : 1, sizeof(*s->regions));
	for (i = 0, cur_t = 0, prev_end = 0; i < n; i++) {
		json_object *r = damon_json_item(tr, "regions", i);
		struct dc_region *d = &s->regions[s->nr_regions];

		d->start = damon_json_u64(r, "start", 0);
		d->end = damon_json_u64(r, "end", 0);
		d->nr_accesses = damon_json_u64(r, "nr_accesses", 0);
		d->age = damon_json_u64(r, "age", 0);
		if (i > 0 && d->start < prev_end)
			cur_t++;
		prev_end = d->end;
		if (cur_t != want_t || d->end <= d->start)
			continue;
		s->total_bytes += d->end - d->start;
		s->nr_regions++;
	}
	qsort(s->regions, s->nr_regions, sizeof(*s->regions), region_cmp);
	status = 0;
out:
	json_object_put(ctx);
	json_object_put(tr);
	return status;
}

static int snapshot_target(const struct opts *o)
{
	int kd, rc;

	if (!damon_available())
		return -no_damon();
	kd = pick_kdamond(o, 1);
	if (kd < 0)
		return kd;
	rc = may_change(o, kd, "updating the tried regions of");
	return rc ? -rc : kd;
}

static int cmd_snapshot(const struct opts *o)
{
	struct dc_snapshot s;
	int kd = snapshot_target(o), gone, status, width = 20;

	if (kd < 0)
		return -kd;
	if (o->bar_arg && parse_int(o->bar_arg, &width, 0, 200) < 0)
		return bad_value("bar-width", o->bar_arg, "expected 0 to 200");
	status = take_snapshot(o, kd, &s, &gone);
	if (status)
		return status;
	if (o->c.json) {
		json_object *doc = dc_snapshot_to_json(&s);

		if (doc_print(doc) < 0)
			status = EXIT_FAILURE;
		json_object_put(doc);
	} else {
		dc_snapshot_print(&s, stdout, width, o->bytes);
	}
	dc_snapshot_free(&s);
	return status;
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* record -o FILE --interval I --duration D: a snapshot a line, JSON. */
static int cmd_record(const struct opts *o)
{
	uint64_t interval = 1000000, duration = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	int64_t t0, next;
	FILE *out;
	int kd, gone = 0, status = 0, n = 0;

	if (!o->output_arg)
		return msg_usage("record needs -o FILE (- for stdout)");
	if (o->interval_arg && (parse_dur_opt("interval", o->interval_arg, &interval) ||
				!interval))
		return o->interval_arg && interval ? EXIT_USAGE :
		       bad_value("interval", o->interval_arg, "must not be 0");
	if (o->duration_arg && parse_dur_opt("duration", o->duration_arg, &duration))
		return EXIT_USAGE;
	kd = snapshot_target(o);
	if (kd < 0)
		return -kd;
	if (!strcmp(o->output_arg, "-")) {
		out = stdout;
	} else {
		out = fopen(o->output_arg, "we");
		if (!out) {
			msg_err(errno, "cannot create '%s'", o->output_arg);
			return EXIT_FAILURE;
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	t0 = next = mono_ns();
	while (!got_signal) {
		struct dc_snapshot s;
		json_object *line;
		int64_t now;

		status = take_snapshot(o, kd, &s, &gone);
		if (status)
			break;
		s.elapsed_ns = mono_ns() - t0;
		line = dc_snapshot_to_json(&s);
		/* One write per line, flushed: a reader never sees half a snapshot. */
		fprintf(out, "%s\n", json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(line);
		dc_snapshot_free(&s);
		if (fflush(out) || ferror(out)) {
			/* stdout's errors are said once, by msg_init()'s exit check. */
			if (out != stdout)
				msg_err(errno, "cannot write '%s'", o->output_arg);
			status = EXIT_FAILURE;
			break;
		}
		n++;
		next += (int64_t)interval * 1000;
		now = mono_ns();
		if (duration && next - t0 > (int64_t)duration * 1000)
			break;
		if (next > now) {
			struct timespec ts = { (next - now) / 1000000000, (next - now) % 1000000000 };

			nanosleep(&ts, NULL);	/* a signal ends the wait, then the loop */
		} else {
			next = now;	/* slower than the interval: no burst to catch up */
		}
	}
	if (gone && n > 0) {
		msg_warn(0, "kdamond %d stopped (its targets exited?) after %d snapshots", kd, n);
		status = 0;
	}
	msg_verbose(1, "%d snapshots recorded in '%s'", n, o->output_arg);
	if (out != stdout && fclose(out)) {
		msg_err(errno, "cannot write '%s'", o->output_arg);
		status = EXIT_FAILURE;
	}
	return status;
}

static int cmd_report(const struct opts *o)
{
	struct dc_report_opts r = { .json = o->c.json, .bytes = o->bytes, .wss_min_accesses = 1 };
	uint64_t v;

	if (o->nargs != 3 || (strcmp(o->args[1], "heatmap") && strcmp(o->args[1], "wss")))
		return msg_usage("expected: report heatmap|wss FILE");
	if (o->rows_arg) {
		if (parse_u64(o->rows_arg, &v, 1, 1000) < 0)
			return bad_value("rows", o->rows_arg, "expected 1 to 1000");
		r.rows = (int)v;
	}
	if (o->cols_arg) {
		if (parse_u64(o->cols_arg, &v, 1, 1000) < 0)
			return bad_value("cols", o->cols_arg, "expected 1 to 1000");
		r.cols = (int)v;
	}
	if (o->addr_arg && parse_range(o->addr_arg, &r.addr_start, &r.addr_end) < 0)
		return bad_value("addr", o->addr_arg, "expected START-END or START+LEN");
	if (o->min_acc_arg && parse_u64(o->min_acc_arg, &r.wss_min_accesses, 0, UINT32_MAX) < 0)
		return bad_value("min-accesses", o->min_acc_arg, "expected a count");
	if (!strcmp(o->args[1], "heatmap"))
		return dc_report_heatmap(o->args[2], &r);
	return dc_report_wss(o->args[2], &r);
}

/* start */

static pid_t forward_to;

static void forward_signal(int sig)
{
	if (forward_to > 0)
		kill(forward_to, sig);
}

/* 1 if pid descends from root (through /proc/PID/stat's ppid), else 0. */
static int descends(pid_t pid, pid_t root)
{
	int depth;

	for (depth = 0; depth < 64 && pid > 1; depth++) {
		char *buf = NULL;
		uint64_t ppid = 0;

		if (sysroot_read_file(&buf, "/proc/%d/stat", (int)pid) < 0)
			return 0;
		if (target_stat_u64(buf, 4, &ppid) || ppid > INT_MAX)
			ppid = 0;
		free(buf);
		if (ppid == (uint64_t)root)
			return 1;
		pid = (pid_t)ppid;
	}
	return 0;
}

/*
 * --include-children: add the command's new descendants as targets of its
 * kdamond (write the targets, then commit).  Returns how many were added.
 */
static int add_children(int kd, pid_t root)
{
	struct damon_session s = { 0 };
	json_object *have = NULL, *want = NULL, *targets;
	struct dirent *de;
	char rel[64], err[512];
	DIR *d;
	int added = 0;

	snprintf(rel, sizeof(rel), "kdamonds/%d/contexts/0/targets", kd);
	if (damon_read(rel, damon_node_at("kdamonds/contexts/targets"), &have, err,
		       sizeof(err)) < 0)
		return 0;
	json_object_deep_copy(have, &want, NULL);
	targets = want;
	d = sysroot_opendir("/proc");
	while (d && (de = sysroot_readdir(d))) {
		pid_t pid;
		size_t i, n = json_object_array_length(targets);
		int known = 0;

		if (parse_pid(de->d_name, &pid) < 0 || pid == root || !descends(pid, root))
			continue;
		for (i = 0; i < n && !known; i++)
			known = damon_json_s64(json_object_array_get_idx(targets, i), "pid_target",
					       0) == pid;
		if (known)
			continue;
		json_object *t = json_object_new_object();

		json_object_object_add(t, "pid_target", json_object_new_int(pid));
		json_object_array_add(targets, t);
		added++;
	}
	if (d)
		closedir(d);
	if (added) {
		if (damon_write_tree(&s, rel, damon_node_at("kdamonds/contexts/targets"), want,
				     have) < 0 || damon_state_write(kd, "commit") < 0) {
			msg_warn(-s.err, "cannot add the command's children to kdamond %d", kd);
			damon_session_undo(&s);
			added = 0;
		} else {
			msg_verbose(1, "kdamond %d: %d child processes added as targets", kd, added);
		}
	}
	damon_session_free(&s);
	json_object_put(have);
	json_object_put(want);
	return added;
}

/* Run the launched command to its end; returns its exit status. */
static int follow_command(const struct opts *o, struct target_child *child, int kd)
{
	struct sigaction fwd = { .sa_handler = forward_signal }, ign = { .sa_handler = SIG_IGN };
	uint64_t sample_us, aggr_us;
	json_object *kdobj = NULL;
	char rel[64], err[256];
	int rc, pid;

	forward_to = child->pid;
	sigaction(SIGTERM, &fwd, NULL);
	sigaction(SIGHUP, &fwd, NULL);
	/* The terminal's ^C and ^\ reach the command; damonctl stays to clean up. */
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	snprintf(rel, sizeof(rel), "kdamonds/%d", kd);
	damon_read(rel, kdamond_node(), &kdobj, err, sizeof(err));
	ctx_intervals(kdobj, &sample_us, &aggr_us);
	json_object_put(kdobj);
	while (o->include_children) {
		int ms = aggr_us / 1000 > 1000 ? 1000 : aggr_us / 1000 ?: 1;

		if (target_exited(child, ms) != 0)
			break;	/* exited (or cannot tell: just wait) */
		add_children(kd, child->pid);
	}
	rc = target_wait(child);
	forward_to = 0;
	if (damon_kdamond_state(kd, &pid) == 1 && owned(kd) == OWN_RUNNING)
		damon_state_write(kd, "off");
	if (rc < 0) {
		msg_err(-rc, "cannot wait for '%s'", o->cmd[0]);
		return EXIT_FAILURE;
	}
	return rc;
}

/*
 * A spec saved with status -J holds every kdamond, the stopped ones too:
 * start those that ran (state "on", or no state), not the others.
 */
static int drop_off_kdamonds(json_object *doc)
{
	json_object *kds = NULL, *keep = json_object_new_array();
	size_t i, n;

	json_object_object_get_ex(doc, "kdamonds", &kds);
	n = kds ? json_object_array_length(kds) : 0;
	for (i = 0; i < n; i++) {
		json_object *k = json_object_array_get_idx(kds, i);

		if (!strcmp(damon_json_str(k, "state", "on"), "off")) {
			msg_verbose(1, "the spec's kdamond %zu is off: not started", i);
			continue;
		}
		json_object_array_add(keep, json_object_get(k));
	}
	json_object_object_add(doc, "kdamonds", keep);
	if (json_object_array_length(keep))
		return 0;
	msg_err(0, "every kdamond of the spec is off: nothing to start");
	msg_hint("a kdamond of the spec starts unless its \"state\" is \"off\"");
	return EXIT_USAGE;
}

static int cmd_start(const struct opts *o)
{
	struct target_child child = { .pid = -1, .pidfd = -1, .hold_fd = -1, .err_fd = -1 };
	json_object *doc = NULL, *kd = NULL, *ctx;
	struct started st[64];
	size_t nst = 0, i;
	char err[512];
	int paddr = 0, status, rc, lock = -1;

	for (i = 1; i < (size_t)o->nargs; i++) {
		if (!strcmp(o->args[i], "paddr") && !paddr)
			paddr = 1;
		else
			return msg_usage("unexpected argument '%s' (a command goes after --)",
					 o->args[i]);
	}
	if (o->spec_arg) {
		if (has_target_opts(o) || paddr)
			return msg_usage("--spec sets everything: no other monitoring option");
		if ((status = load_spec(o->spec_arg, &doc)))
			return status;
		status = drop_off_kdamonds(doc);
		if (status) {
			json_object_put(doc);
			return status;
		}
		if (damon_json_len(doc, "kdamonds") > 64) {
			json_object_put(doc);
			return msg_usage("a spec of more than 64 kdamonds");
		}
	} else {
		status = build_kdamond(o, paddr, &kd);
		if (status) {
			json_object_put(kd);
			return status;
		}
		json_object *arr = json_object_new_array();

		json_object_array_add(arr, kd);
		doc = json_object_new_object();
		json_object_object_add(doc, "kdamonds", arr);
		if (damon_check(&damon_schema, doc, err, sizeof(err)) < 0) {
			msg_err(0, "invalid configuration: %s", err);
			json_object_put(doc);
			return EXIT_USAGE;
		}
	}
	if (!damon_available()) {
		json_object_put(doc);
		return no_damon();
	}
	if (!o->dry_run && (lock = lock_state()) < 0) {
		json_object_put(doc);
		return EXIT_FAILURE;
	}
	if (o->ncmd) {
		json_object *t, *arr;

		if (damon_json_len(doc, "kdamonds") != 1) {
			json_object_put(doc);
			return msg_usage("a command is monitored by one kdamond; the spec has %zu",
					 damon_json_len(doc, "kdamonds"));
		}
		rc = o->dry_run ? 0 : target_spawn(&child, o->cmd, 1);
		if (rc < 0) {
			msg_err(-rc, "cannot run '%s'", o->cmd[0]);
			json_object_put(doc);
			return target_exec_status(rc);
		}
		if (child.pid > 0)
			testhook_target(child.pid);
		ctx = damon_json_item(damon_json_item(doc, "kdamonds", 0), "contexts", 0);
		arr = json_object_new_array();
		t = json_object_new_object();
		json_object_object_add(t, "pid_target", json_object_new_int(o->dry_run ? 0 :
									    child.pid));
		json_object_array_add(arr, t);
		if (ctx)
			json_object_object_add(ctx, "targets", arr);
		else
			json_object_put(arr);
	}
	status = start_kdamonds(o, doc, st, &nst);
	json_object_put(doc);
	/* A command may run for long: other damonctl runs must not wait for it. */
	if (lock >= 0)
		close(lock);
	if (status || o->dry_run) {
		if (child.pid > 0)
			target_wait(&child);	/* held: it exits without running the command */
		return status;
	}
	for (i = 0; i < nst; i++)
		msg_verbose(1, "kdamond %d started (pid %d)", st[i].kd, st[i].pid);
	if (o->c.json && !o->ncmd) {
		json_object *out = json_object_new_object(), *arr = json_object_new_array();

		for (i = 0; i < nst; i++) {
			json_object *x = json_object_new_object();

			json_object_object_add(x, "index", json_object_new_int(st[i].kd));
			json_object_object_add(x, "pid", json_object_new_int(st[i].pid));
			json_object_array_add(arr, x);
		}
		json_object_object_add(out, "kdamonds", arr);
		status = doc_print(out) < 0 ? EXIT_FAILURE : 0;
		json_object_put(out);
	}
	if (!o->ncmd)
		return status;
	rc = target_release(&child);
	if (rc < 0) {
		msg_err(-rc, "cannot run '%s'", o->cmd[0]);
		damon_state_write(st[0].kd, "off");
		return target_exec_status(rc);
	}
	return follow_command(o, &child, st[0].kd);
}

static void help_extra(FILE *out)
{
	fprintf(out, "\nCommands:\n"
		"  status [KDAMOND]        kdamonds, contexts, targets, schemes and stats (default)\n"
		"  start [paddr]           start a kdamond: --pid PID, -- CMD ARGS, or paddr\n"
		"  tune                    commit new attributes or schemes to a running kdamond\n"
		"  stop [KDAMOND...]       stop kdamonds damonctl started\n"
		"  snapshot                regions with their access frequency and age\n"
		"  record -o FILE          snapshots at --interval for --duration, JSON lines\n"
		"  report heatmap|wss FILE an access heatmap, or the working-set size distribution\n"
		"\nScheme options apply to the scheme opened by the --action before them.\n");
}

int main(int argc, char **argv)
{
	static struct opts o;
	struct poptOption target_opts[] = {
		{ "kdamond", 'k', POPT_ARG_STRING, &o.kdamond_arg, 0,
		  "the kdamond to work on (an index)", "N" },
		{ "pid", 'p', POPT_ARG_STRING, &o.pid_arg, 0, "monitor these processes", "PID[,PID]" },
		{ "ops", '\0', POPT_ARG_STRING, &o.ops_arg, 0,
		  "operations set: vaddr, fvaddr or paddr", "OPS" },
		{ "region", '\0', POPT_ARG_ARGV, &o.region_args, 0,
		  "a monitoring region (paddr, fvaddr); repeatable", "START-END" },
		{ "numa-node", '\0', POPT_ARG_STRING, &o.numa_node_arg, 0,
		  "paddr: monitor the memory of this node", "NODE" },
		{ "include-children", '\0', POPT_ARG_NONE, &o.include_children, 0,
		  "also monitor the command's child processes", NULL },
		{ "spec", '\0', POPT_ARG_STRING, &o.spec_arg, 0,
		  "the whole configuration from a JSON file (the status -J shape)", "FILE" },
		{ "force", '\0', POPT_ARG_NONE, &o.force, 0,
		  "act on kdamonds damonctl did not start", NULL },
		{ "dry-run", 'n', POPT_ARG_NONE, &o.dry_run, 0,
		  "print the sysfs writes as shell commands, write nothing", NULL },
		POPT_TABLEEND
	};
	struct poptOption attr_opts[] = {
		{ "sample", '\0', POPT_ARG_STRING, &o.sample_arg, 0, "sampling interval", "DURATION" },
		{ "aggr", '\0', POPT_ARG_STRING, &o.aggr_arg, 0, "aggregation interval", "DURATION" },
		{ "update", '\0', POPT_ARG_STRING, &o.update_arg, 0,
		  "operations update interval", "DURATION" },
		{ "regions", '\0', POPT_ARG_STRING, &o.nr_regions_arg, 0,
		  "minimum and maximum number of regions", "MIN,MAX" },
		{ "intervals-goal", '\0', POPT_ARG_STRING, &o.goal_arg, 0,
		  "auto-tune the intervals (Linux 6.15)", "BP,AGGRS,MIN,MAX" },
		{ "refresh", '\0', POPT_ARG_STRING, &o.refresh_arg, 0,
		  "let the kernel refresh stats this often (Linux 6.17)", "DURATION" },
		{ "addr-unit", '\0', POPT_ARG_STRING, &o.addr_unit_arg, 0,
		  "address unit of paddr (Linux 6.18)", "N" },
		{ "sample-primitive", '\0', POPT_ARG_STRING, &o.primitives_arg, 0,
		  "experimental (RFC): page_table,page_fault", "LIST" },
		{ "sample-filter", '\0', POPT_ARG_ARGV, &o.sample_filter_args, 0,
		  "experimental (RFC): [!]cpumask=CPUS|threads=TIDS|write[:allow|:reject]",
		  "FILTER" },
		{ "no-snapshot-scheme", '\0', POPT_ARG_NONE, &o.no_snapshot_scheme, 0,
		  "do not add the stat scheme that snapshots read", NULL },
		POPT_TABLEEND
	};
	struct poptOption scheme_opts[] = {
		{ NULL, '\0', POPT_ARG_CALLBACK, (void *)scheme_cb, 0, NULL, NULL },
		{ "action", 'a', POPT_ARG_STRING, NULL, SO_ACTION, "open a scheme with this action",
		  "ACTION" },
		{ "target-nid", '\0', POPT_ARG_STRING, NULL, SO_TARGET_NID,
		  "node for migrate_hot/migrate_cold", "NODE" },
		{ "sz", '\0', POPT_ARG_STRING, NULL, SO_SZ, "region size range", "MIN,MAX" },
		{ "nr-accesses", '\0', POPT_ARG_STRING, NULL, SO_NR_ACCESSES,
		  "access frequency range (counts or %)", "MIN,MAX" },
		{ "age", '\0', POPT_ARG_STRING, NULL, SO_AGE,
		  "age range (aggregation intervals or durations)", "MIN,MAX" },
		{ "apply-interval", '\0', POPT_ARG_STRING, NULL, SO_APPLY_INTERVAL,
		  "apply the action this often (Linux 6.7)", "DURATION" },
		{ "quota-time", '\0', POPT_ARG_STRING, NULL, SO_QUOTA_TIME, "time quota", "DURATION" },
		{ "quota-size", '\0', POPT_ARG_STRING, NULL, SO_QUOTA_SIZE, "size quota", "SIZE" },
		{ "quota-reset", '\0', POPT_ARG_STRING, NULL, SO_QUOTA_RESET,
		  "quota reset interval", "DURATION" },
		{ "quota-weights", '\0', POPT_ARG_STRING, NULL, SO_QUOTA_WEIGHTS,
		  "prioritisation weights in permil", "SZ,NR,AGE" },
		{ "quota-goal", '\0', POPT_ARG_STRING, NULL, SO_QUOTA_GOAL,
		  "quota auto-tuning goal (Linux 6.8); repeatable", "METRIC=VALUE[,...]" },
		{ "watermarks", '\0', POPT_ARG_STRING, NULL, SO_WATERMARKS,
		  "activate by free memory", "METRIC,INTERVAL,HIGH,MID,LOW" },
		{ "filter", '\0', POPT_ARG_STRING, NULL, SO_FILTER,
		  "[!]TYPE[=ARG][:allow|:reject] (Linux 6.3); repeatable", "FILTER" },
		{ "dest", '\0', POPT_ARG_STRING, NULL, SO_DEST,
		  "migration destination (Linux 6.17); repeatable", "NODE[:WEIGHT]" },
		POPT_TABLEEND
	};
	struct poptOption out_opts[] = {
		{ "scheme", '\0', POPT_ARG_STRING, &o.scheme_arg, 0,
		  "snapshot: read this scheme's tried regions", "N" },
		{ "bar-width", '\0', POPT_ARG_STRING, &o.bar_arg, 0,
		  "snapshot: width of the heat bar (0: none)", "N" },
		{ "bytes", 'b', POPT_ARG_NONE, &o.bytes, 0, "print sizes in bytes", NULL },
		{ "output", 'o', POPT_ARG_STRING, &o.output_arg, 0, "record: the file (- for stdout)",
		  "FILE" },
		{ "interval", 'i', POPT_ARG_STRING, &o.interval_arg, 0,
		  "record: time between snapshots (1s)", "DURATION" },
		{ "duration", 'd', POPT_ARG_STRING, &o.duration_arg, 0,
		  "record: stop after this long (default: until interrupted)", "DURATION" },
		{ "rows", '\0', POPT_ARG_STRING, &o.rows_arg, 0, "heatmap: time rows", "N" },
		{ "cols", '\0', POPT_ARG_STRING, &o.cols_arg, 0, "heatmap: address columns", "N" },
		{ "addr", '\0', POPT_ARG_STRING, &o.addr_arg, 0, "heatmap: the address range",
		  "START-END" },
		{ "min-accesses", '\0', POPT_ARG_STRING, &o.min_acc_arg, 0,
		  "wss: a region counts from this nr_accesses (1)", "N" },
		POPT_TABLEEND
	};
	struct poptOption options[] = {
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, target_opts, 0, "Target options:", NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, attr_opts, 0, "Monitoring options:", NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, scheme_opts, 0, "Scheme options:", NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, out_opts, 0, "Output options:", NULL },
		POPT_TABLEEND
	};
	const struct opt_spec spec = {
		.options = options,
		.args = "[COMMAND] [ARGS] [-- CMD ARGS]",
		.summary = "DAMON from the shell: monitor, schemes, snapshots, records, reports.",
		.help_extra = help_extra,
		.man_section = 8,
	};
	poptContext pc;
	int rc, pargc;

	msg_init();
	pargc = opt_split_command(argc, argv, &o.cmd, &o.ncmd);
	pc = opt_parse_or_die(pargc, argv, &spec, &o.c, &o.args, &o.nargs);
	o.verb = o.nargs ? o.args[0] : "status";
	if (o.cmd && !o.ncmd)
		rc = msg_usage("no command after --");
	else if (o.ncmd && strcmp(o.verb, "start"))
		rc = msg_usage("a command after -- is for start");
	else if (nsopts && strcmp(o.verb, "start") && strcmp(o.verb, "tune"))
		rc = msg_usage("scheme options are for start and tune");
	else if (strcmp(o.verb, "start") && strcmp(o.verb, "tune") &&
		 (has_other_target_opts(&o) ||
		  (o.pid_arg && strcmp(o.verb, "snapshot") && strcmp(o.verb, "record"))))
		rc = msg_usage("monitoring options are for start and tune%s",
			       strcmp(o.verb, "snapshot") && strcmp(o.verb, "record") ? "" :
			       " (snapshot and record take --pid to pick a target)");
	else if (!strcmp(o.verb, "status"))
		rc = cmd_status(&o);
	else if (!strcmp(o.verb, "start"))
		rc = cmd_start(&o);
	else if (!strcmp(o.verb, "tune"))
		rc = o.nargs > 1 ? msg_usage("tune takes no argument (--kdamond N picks one)") :
				   cmd_tune(&o);
	else if (!strcmp(o.verb, "stop"))
		rc = cmd_stop(&o);
	else if (!strcmp(o.verb, "snapshot"))
		rc = o.nargs > 1 ? msg_usage("snapshot takes no argument (--kdamond N picks one)") :
				   cmd_snapshot(&o);
	else if (!strcmp(o.verb, "record"))
		rc = o.nargs > 1 ? msg_usage("record takes no argument (--kdamond N picks one)") :
				   cmd_record(&o);
	else if (!strcmp(o.verb, "report"))
		rc = cmd_report(&o);
	else
		rc = msg_usage("unknown command '%s'", o.verb);
	for (size_t k = 0; k < nsopts; k++)
		free(sopts[k].arg);
	free(sopts);
	opt_free(pc);
	return rc;
}
