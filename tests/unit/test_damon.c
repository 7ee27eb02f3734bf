// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/damon on a small tree in a temporary sysroot: reading into the
 * status -J shape, checking specs, writing only what differs, the order of
 * the writes, features found by file presence, and undo.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/damon.h"
#include "lib/sysroot.h"
#include "tests/unit/unit.h"

static char root[] = "/tmp/nk-damon-XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s/%s", root, DAMON_ADMIN, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* obj at a "/"-separated path of keys, or NULL. */
static json_object *jget(json_object *o, const char *path)
{
	char buf[256], *save = NULL, *k;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, "/", &save); k && o; k = strtok_r(NULL, "/", &save))
		if (!json_object_object_get_ex(o, k, &o))
			return NULL;
	return o;
}

static const struct damon_node *kd_node(void)
{
	static struct damon_node n = { .name = "kdamond", .kind = DAMON_DIR };

	n.children = damon_node_at("kdamonds")->children;
	return &n;
}

static const char *get(const char *rel)
{
	static char buf[256];

	if (damon_read_str(rel, buf, sizeof(buf)) < 0)
		return "(missing)";
	return buf;
}

/* A 6.12-like kdamond 0, off, one context with one scheme. */
static void make_tree(void)
{
	put("kdamonds/nr_kdamonds", "1\n");
	put("kdamonds/0/state", "off\n");
	put("kdamonds/0/pid", "-1\n");
	put("kdamonds/0/contexts/nr_contexts", "1\n");
	put("kdamonds/0/contexts/0/avail_operations", "vaddr\nfvaddr\npaddr\n");
	put("kdamonds/0/contexts/0/operations", "vaddr\n");
	put("kdamonds/0/contexts/0/monitoring_attrs/intervals/sample_us", "5000\n");
	put("kdamonds/0/contexts/0/monitoring_attrs/intervals/aggr_us", "100000\n");
	put("kdamonds/0/contexts/0/monitoring_attrs/intervals/update_us", "60000000\n");
	put("kdamonds/0/contexts/0/monitoring_attrs/nr_regions/min", "10\n");
	put("kdamonds/0/contexts/0/monitoring_attrs/nr_regions/max", "1000\n");
	put("kdamonds/0/contexts/0/targets/nr_targets", "0\n");
	put("kdamonds/0/contexts/0/schemes/nr_schemes", "1\n");
	put("kdamonds/0/contexts/0/schemes/0/action", "stat\n");
	put("kdamonds/0/contexts/0/schemes/0/target_nid", "-1\n");
	put("kdamonds/0/contexts/0/schemes/0/apply_interval_us", "0\n");
	put("kdamonds/0/contexts/0/schemes/0/access_pattern/sz/min", "0\n");
	put("kdamonds/0/contexts/0/schemes/0/access_pattern/sz/max", "18446744073709551615\n");
	put("kdamonds/0/contexts/0/schemes/0/access_pattern/nr_accesses/min", "0\n");
	put("kdamonds/0/contexts/0/schemes/0/access_pattern/nr_accesses/max", "4294967295\n");
	put("kdamonds/0/contexts/0/schemes/0/access_pattern/age/min", "0\n");
	put("kdamonds/0/contexts/0/schemes/0/access_pattern/age/max", "4294967295\n");
	put("kdamonds/0/contexts/0/schemes/0/filters/nr_filters", "0\n");
	put("kdamonds/0/contexts/0/schemes/0/stats/nr_tried", "7\n");
	put("kdamonds/0/contexts/0/schemes/0/tried_regions/total_bytes", "8192\n");
	put("kdamonds/0/contexts/0/schemes/0/tried_regions/0/start", "4096\n");
	put("kdamonds/0/contexts/0/schemes/0/tried_regions/0/end", "12288\n");
	put("kdamonds/0/contexts/0/schemes/0/tried_regions/0/nr_accesses", "3\n");
	put("kdamonds/0/contexts/0/schemes/0/tried_regions/0/age", "9\n");
}

static void test_read(void)
{
	json_object *doc = NULL, *sch;
	char err[256];
	int rc = damon_read("", &damon_schema, &doc, err, sizeof(err));

	CHECK(rc == 0, "the tree reads (%s)", err);
	sch = damon_json_item(damon_json_item(damon_json_item(doc, "kdamonds", 0), "contexts", 0),
			      "schemes", 0);
	CHECK_STR(damon_json_str(damon_json_item(doc, "kdamonds", 0), "state", NULL), "off",
		  "state is a string");
	CHECK(damon_json_s64(damon_json_item(doc, "kdamonds", 0), "pid", 0) == -1, "pid -1");
	CHECK_STR(damon_json_str(damon_json_item(damon_json_item(doc, "kdamonds", 0), "contexts",
						 0), "avail_operations", NULL),
		  "vaddr\nfvaddr\npaddr", "avail_operations keeps its lines");
	CHECK(damon_json_u64(sch, "no_such_key", 5) == 5, "absent keys give the default");
	CHECK(damon_json_u64(jget(sch, "access_pattern/sz"), "max", 0) == UINT64_MAX,
	      "sz max reads as 2^64-1");
	CHECK(damon_json_len(json_object_object_get(sch, "tried_regions"), "regions") == 1 &&
	      damon_json_u64(damon_json_item(json_object_object_get(sch, "tried_regions"),
					     "regions", 0), "age", 0) == 9,
	      "tried regions read as a list in their own directory");
	CHECK(!json_object_object_get_ex(sch, "quotas", NULL),
	      "a directory the kernel lacks is left out");
	CHECK(damon_check(&damon_schema, doc, err, sizeof(err)) == 0,
	      "what was read passes as a spec (%s)", err);
	json_object_put(doc);

	put("kdamonds/0/contexts/0/schemes/0/target_nid", "junk\n");
	rc = damon_read("", &damon_schema, &doc, err, sizeof(err));
	CHECK(rc == -EINVAL && strstr(err, "target_nid") && strstr(err, "junk"),
	      "a file with junk fails the read, naming it (%s)", err);
	put("kdamonds/0/contexts/0/schemes/0/target_nid", "-1\n");
}

static void expect_check(const char *spec, int want, const char *in_err, const char *what)
{
	json_object *doc = json_tokener_parse(spec);
	char err[256] = "";
	int rc = doc ? damon_check(&damon_schema, doc, err, sizeof(err)) : -999;

	CHECK(rc == want && (!in_err || strstr(err, in_err)), "%s: %d '%s'", what, rc, err);
	json_object_put(doc);
}

static void test_check(void)
{
	expect_check("{\"kdamonds\":[{\"contexts\":[{\"operations\":\"vaddr\"}]}]}", 0, NULL,
		     "a minimal spec");
	expect_check("{\"kdamonds\":[{\"contexts\":[{\"operatoins\":\"vaddr\"}]}]}", -EINVAL,
		     "kdamonds[0].contexts[0].operatoins: unknown key", "an unknown key");
	expect_check("{\"kdamonds\":[{\"contexts\":[{\"operations\":\"xaddr\"}]}]}", -EINVAL,
		     "unknown monitoring operations 'xaddr'", "an unknown keyword");
	expect_check("{\"kdamonds\":[{\"contexts\":[{\"schemes\":[{\"action\":\"pagout\"}]}]}]}",
		     -EINVAL, "schemes[0].action: unknown scheme action", "an unknown action");
	expect_check("{\"kdamonds\":[{\"contexts\":[{\"monitoring_attrs\":{\"intervals\":"
		     "{\"sample_us\":\"5ms\"}}}]}]}", -EINVAL, "expected an unsigned integer",
		     "a string for a number");
	expect_check("{\"kdamonds\":[{\"contexts\":[{\"monitoring_attrs\":{\"intervals\":"
		     "{\"sample_us\":-5}}}]}]}", -EINVAL, "got -5", "a negative unsigned");
	expect_check("{\"kdamonds\":[{\"contexts\":[{\"schemes\":[{\"access_pattern\":{\"age\":"
		     "{\"min\":9,\"max\":3}}}]}]}]}", -EINVAL, "min 9 is above max 3",
		     "min above max");
	expect_check("{\"kdamonds\":{}}", -EINVAL, "kdamonds: expected an array", "an object for a list");
	expect_check("{\"kdamonds\":[{\"state\":\"on\",\"pid\":42,\"index\":0,\"owned\":true}]}", 0,
		     NULL, "read-only and meta keys are accepted");
	expect_check("{\"kdamonds\":[{\"contexts\":[{\"schemes\":[{\"ops_filters\":[{\"allow\":1}]}]}]}]}",
		     -EINVAL, "expected true or false", "a number for a boolean");
}

struct trace {
	char text[8192];
};

static void trace_print(const char *rel, const char *value, void *arg)
{
	struct trace *t = arg;
	size_t len = strlen(t->text);

	snprintf(t->text + len, sizeof(t->text) - len, "%s=%s\n", rel, value);
}

static void test_write(void)
{
	json_object *have = NULL, *want = NULL;
	struct trace t = { "" };
	struct damon_session s = { .dry_run = 1, .print = trace_print, .arg = &t };
	char err[256];
	int rc;

	rc = damon_read("kdamonds/0", kd_node(), &have, err, sizeof(err));
	CHECK(rc == 0, "kdamond 0 reads (%s)", err);
	fflush(stdout);
	json_object_deep_copy(have, &want, NULL);
	json_object_object_add(jget(damon_json_item(want, "contexts", 0),
				    "monitoring_attrs/intervals"), "sample_us",
			       json_object_new_uint64(1000));
	rc = damon_write_tree(&s, "kdamonds/0", kd_node(), want, have);
	CHECK(rc == 0, "a one-value change plans");
	CHECK_STR(t.text, "kdamonds/0/contexts/0/monitoring_attrs/intervals/sample_us=1000\n",
		  "only the changed file is written");

	/* Two schemes instead of one: the count first, then every item. */
	t.text[0] = '\0';
	json_object *schemes = jget(damon_json_item(want, "contexts", 0), "schemes");
	json_object *sch = json_tokener_parse("{\"action\":\"pageout\",\"apply_interval_us\":7,"
					      "\"filters\":[{\"type\":\"anon\",\"matching\":true}]}");
	json_object_array_add(schemes, sch);
	rc = damon_write_tree(&s, "kdamonds/0", kd_node(), want, have);
	CHECK(rc == 0 && strstr(t.text, "schemes/nr_schemes=2\nkdamonds/0/contexts/0/schemes/0/action=stat\n") &&
	      strstr(t.text, "schemes/1/action=pageout\n") &&
	      strstr(t.text, "schemes/1/filters/nr_filters=1\nkdamonds/0/contexts/0/schemes/1/filters/0/type=anon\n"),
	      "a longer list rewrites every item after its count");
	CHECK(!strstr(t.text, "stats") && !strstr(t.text, "tried_regions") &&
	      !strstr(t.text, "state"), "read-only files and state are never written");

	/*
	 * A feature the kernel lacks: this tree has no quotas at all.  The
	 * second scheme's directory stands for the one the kernel creates.
	 */
	put("kdamonds/0/contexts/0/schemes/1/action", "stat\n");
	put("kdamonds/0/contexts/0/schemes/1/apply_interval_us", "0\n");
	put("kdamonds/0/contexts/0/schemes/1/filters/nr_filters", "0\n");
	put("kdamonds/0/contexts/0/schemes/1/filters/0/type", "anon\n");
	put("kdamonds/0/contexts/0/schemes/1/filters/0/matching", "N\n");
	t.text[0] = '\0';
	json_object_object_add(sch, "quotas", json_tokener_parse(
		"{\"goals\":[{\"target_value\":5}]}"));
	s.dry_run = 0;
	rc = damon_write_tree(&s, "kdamonds/0", kd_node(), want, have);
	CHECK(rc == -EOPNOTSUPP && s.missing, "a missing directory is -EOPNOTSUPP (%s)", s.errpath);
	CHECK(s.missing && !strcmp(s.missing->name, "quotas"), "and names the node (%s)",
	      s.missing ? s.missing->name : "none");
	CHECK(damon_session_undo(&s) == 0, "undo after the failure");
	CHECK_STR(get("kdamonds/0/contexts/0/monitoring_attrs/intervals/sample_us"), "5000",
		  "a changed file has its old value back");
	CHECK_STR(get("kdamonds/0/contexts/0/schemes/nr_schemes"), "1", "the count is back");
	CHECK_STR(get("kdamonds/0/contexts/0/schemes/0/action"), "stat",
		  "and the item it held is rewritten");
	damon_session_free(&s);

	/* Neutral values of missing features are no error: an empty goals list. */
	json_object_object_add(sch, "quotas", json_tokener_parse("{\"goals\":[]}"));
	json_object_object_add(sch, "dests", json_tokener_parse("[]"));
	json_object_object_add(damon_json_item(want, "contexts", 0), "addr_unit",
			       json_object_new_uint64(1));
	s.dry_run = 1;
	/* cppcheck-suppress redundantAssignment ; trace_print() appends to it through s.arg */
	t.text[0] = '\0';
	rc = damon_write_tree(&s, "kdamonds/0", kd_node(), want, have);
	CHECK(rc == 0 || rc == -EOPNOTSUPP, "neutral values plan (%d %s)", rc, s.errpath);
	damon_session_free(&s);
	json_object_put(want);
	json_object_put(have);
}

static void test_state(void)
{
	int pid;

	CHECK(damon_available(), "DAMON is there");
	CHECK(damon_nr_kdamonds() == 1, "one kdamond");
	CHECK(damon_kdamond_state(0, &pid) == 0 && pid == -1, "off, pid -1");
	put("kdamonds/0/state", "on\n");
	put("kdamonds/0/pid", "77\n");
	CHECK(damon_kdamond_state(0, &pid) == 1 && pid == 77, "on, pid 77");
	put("kdamonds/0/state", "maybe\n");
	CHECK(damon_kdamond_state(0, &pid) == -EINVAL, "an unknown state is -EINVAL");
	CHECK(damon_state_write(0, "off") == 0 && !strcmp(get("kdamonds/0/state"), "off"),
	      "a state write replaces the whole file");
	CHECK(damon_write_str("kdamonds/0/nothing/here", "1") == -ENOENT,
	      "writing a missing file is -ENOENT");
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(root))
		return 99;
	make_tree();
	if (sysroot_set(root) < 0)
		return 99;
	test_read();
	test_check();
	test_write();
	test_state();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd))
		return 99;
	return unit_done();
}
