/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DAMON sysfs interface (/sys/kernel/mm/damon/admin) as one schema: every
 * file and directory the kernel has shown, with the Linux release that added
 * it.  The configuration is a json-c document of the same shape as the tree
 * (`{"kdamonds": [{"state": "on", "contexts": [...]}]}`): reading the tree
 * gives one, and writing one back is a walk of the same schema, so that
 * `damonctl status -J` output can be fed back as a spec.
 *
 * Features are found by the presence of their files; a spec that asks for a
 * file this kernel lacks fails with -EOPNOTSUPP and names the release.
 */
#ifndef NUMAKIT_DAMON_H
#define NUMAKIT_DAMON_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define DAMON_ADMIN "/sys/kernel/mm/damon/admin"

enum damon_kind {
	DAMON_DIR,	/* a directory of named children; a JSON object */
	DAMON_LIST,	/* N numbered directories (and maybe nr_<x>); a JSON array */
	DAMON_UINT,	/* unsigned decimal */
	DAMON_INT,	/* signed decimal */
	DAMON_WORD,	/* one keyword of a known set */
	DAMON_BOOL,	/* Y or N */
	DAMON_STR,	/* free text */
};

enum {
	DAMON_RO = 1 << 0,	/* the kernel's output: never written; ignored in a spec */
	DAMON_CMD = 1 << 1,	/* `state`: written only by damon_state_write() */
	DAMON_META = 1 << 2,	/* not a file: added by the tool (index, owned); read-only */
};

struct damon_node {
	const char *name;		/* file or directory name, and JSON key */
	enum damon_kind kind;
	unsigned int flags;
	const char *since;		/* Linux release that added it, or "RFC ..." */
	const char *what;		/* a few words for messages */
	const char *count;		/* LIST: its nr_ file, NULL when the kernel keeps none */
	const char *dir;		/* LIST: where the numbered directories are ("." = here) */
	const struct damon_node *children;	/* DIR, and a LIST's item; name == NULL ends */
	const char *const *words;	/* WORD: the keywords, NULL-terminated */
	const char *neutral;		/* the value that means "feature unused" */
};

/* The root: the admin directory, one child "kdamonds". */
extern const struct damon_node damon_schema;

/* Keyword sets, for option parsing and completion. */
extern const char *const damon_actions[];
extern const char *const damon_filter_types[];
extern const char *const damon_goal_metrics[];
extern const char *const damon_wmark_metrics[];
extern const char *const damon_operations[];

/* 1 if word is in the NULL-terminated set. */
int damon_word_in(const char *const *set, const char *word);

/*
 * The node at a JSON-ish path of names below the root, e.g.
 * "kdamonds/contexts/schemes/apply_interval_us" (list levels without
 * indexes); NULL if there is none.
 */
const struct damon_node *damon_node_at(const char *path);

/* 1 if the admin directory exists (DAMON_SYSFS built in), honouring --sysroot. */
int damon_available(void);

/*
 * Read the subtree at relpath (relative to the admin directory, "" for the
 * root) described by node into *out (a new json-c object).  Files that do
 * not exist are left out of the object; a file that cannot be read or
 * parsed fails the whole read with -errno and its path in err.
 */
int damon_read(const char *relpath, const struct damon_node *node, json_object **out, char *err,
	       size_t errlen);

/*
 * Check a spec against the schema before anything is written: unknown keys,
 * wrong JSON types, keywords outside their set, negative unsigned numbers.
 * Read-only keys (stats, pid, tried_regions...) are accepted and ignored.
 * 0, or -EINVAL with "kdamonds[0].contexts[0].schemes[1].action: ..." in err.
 */
int damon_check(const struct damon_node *node, json_object *spec, char *err, size_t errlen);

/*
 * A write session: every file written, in order, with what it held, so that
 * a failure part-way can put the tree back as it was.
 */
struct damon_write {
	char *relpath;
	char *value;		/* what was written */
	char *old;		/* what the file held; NULL for an nr_ file */
	json_object *old_items;	/* nr_ file: the items it held (they were lost) */
	const struct damon_node *list;	/* nr_ file: its LIST node */
};

struct damon_session {
	int dry_run;		/* print the writes as shell lines, write nothing */
	void (*print)(const char *relpath, const char *value, void *arg);	/* dry run */
	void *arg;
	struct damon_write *log;
	size_t nlog, alog;
	/* After a failure: what failed and why. */
	int err;
	char errpath[512];
	char errmsg[256];
	const struct damon_node *missing;	/* -EOPNOTSUPP: the feature's node */
	int unprobed;		/* dry run: some feature could not be seen, taken as present */
};

/*
 * Write `want` into the subtree at relpath, described by node, where `have`
 * is what the subtree holds now (damon_read; NULL for freshly created
 * directories holding the kernel's defaults).  Files are written only where
 * want differs from have; a list whose length differs (or any list when
 * have is NULL and want has it) gets its nr_ file written first, which makes
 * the kernel drop every item and create fresh ones, and then every item is
 * written in full.  Keys of want whose file this kernel lacks fail with
 * -EOPNOTSUPP, unless their value is the feature's neutral one.  0 or
 * -errno, with s->errpath/errmsg set.
 */
int damon_write_tree(struct damon_session *s, const char *relpath, const struct damon_node *node,
		     json_object *want, json_object *have);

/*
 * Make damon_write_tree() write this list of `have` afresh (its count, then
 * every item in full) even when its length is unchanged: a replaced list
 * must not keep what the old items set and the new ones leave out.
 */
void damon_mark_rewrite(json_object *have_list);

/*
 * Undo every logged write, newest first: files get their old values back,
 * nr_ files their old counts and the items they held.  0 or the first
 * -errno met (it goes on after one).
 */
int damon_session_undo(struct damon_session *s);
void damon_session_free(struct damon_session *s);

/* Write a command to kdamonds/K/state ("on", "off", "commit", ...). 0 or -errno. */
int damon_state_write(int kdamond, const char *cmd);
/* kdamonds/K/state and pid: 1 on, 0 off, or -errno; *pid is -1 when off. */
int damon_kdamond_state(int kdamond, int *pid);
/* kdamonds/nr_kdamonds; -errno when DAMON sysfs is missing. */
int damon_nr_kdamonds(void);

/* Raw file access below the admin directory, for callers that need it. */
int damon_read_str(const char *relpath, char *buf, size_t size);
int damon_read_u64(const char *relpath, uint64_t *val);
int damon_write_str(const char *relpath, const char *value);
int damon_exists(const char *relpath);

/*
 * JSON helpers over the documents damon_read builds: member `key` of obj as
 * an unsigned, signed or string value; def when absent or of another type.
 */
uint64_t damon_json_u64(json_object *obj, const char *key, uint64_t def);
int64_t damon_json_s64(json_object *obj, const char *key, int64_t def);
const char *damon_json_str(json_object *obj, const char *key, const char *def);
/* obj[key][idx], or NULL. */
json_object *damon_json_item(json_object *obj, const char *key, size_t idx);
size_t damon_json_len(json_object *obj, const char *key);

#endif
