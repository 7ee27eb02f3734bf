// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * spmctl online / offline: hand the range of a device-dax instance to the
 * page allocator as a NUMA node and take it back, as `daxctl
 * reconfigure-device --mode=system-ram` and `--mode=devdax` do.
 *
 * online:  [spm_node = 1]  device_dax/unbind  kmem/bind (kmem/new_id when
 *          kmem does not match the device by type)  memoryN/state =
 *          online_movable | online_kernel for each block the kernel left
 *          offline.
 * offline: memoryN/state = offline for each block  kmem/unbind
 *          device_dax/bind (device_dax/new_id).
 *
 * Every step is checked in sysfs afterwards (the driver link, the block
 * states), and a failure part-way undoes what was done, so the device is
 * left as it was found.  The kernel refuses to hot-remove memory whose
 * blocks are online (kmem then keeps the range until the next reboot), so
 * every block goes offline before kmem lets go.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/doc.h"
#include "lib/msg.h"
#include "lib/parse.h"
#include "lib/spm.h"
#include "lib/sysroot.h"
#include "lib/table.h"

#include "cmd/spmctl.h"

#define DAX_DRIVERS "/sys/bus/dax/drivers"
#define DAX_DEVICES "/sys/bus/dax/devices"
#define MEM_SYS "/sys/devices/system/memory"
#define MAX_RANGES 64

struct blk {
	unsigned long index;
	uint64_t start;
	int present;		/* memoryN exists */
	char state[16];		/* as found: online, offline, going-offline */
	char zone[16];		/* as found, when online: Movable, Normal... */
	int changed;		/* this run changed its state */
	int err;		/* the kernel's errno when it refused (positive) */
};

struct range {
	uint64_t start, size;
};

/*
 * NUMAKIT_TEST_SPM_WRITE_DELAY_MS: a pause after each write, so that the VM
 * lane's tests can signal spmctl between two steps (and see it undo them).
 */
static unsigned int write_delay_ms;

struct daxop {
	const struct spm_opts *o;
	const char *name;
	struct spm_system sys;
	struct spm_dax *dax;
	char driver[32];	/* as found */
	int dry_run;
	uint64_t block_size;
	struct range ranges[MAX_RANGES];
	int nranges;
	struct blk *blks;
	size_t nblks;
};

/* ---- sysfs ---- */

/* Copy, cut to fit (sysfs names and values are short). */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int dax_write(const struct daxop *d, const char *value, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One write, or its shell line in a dry run; paths are those of the live system. */
static int dax_write(const struct daxop *d, const char *value, const char *fmt, ...)
{
	char path[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	if (d->dry_run) {
		printf("echo %s > %s\n", value, path);
		return 0;
	}
	msg_verbose(2, "echo %s > %s", value, path);
	n = sysroot_write(value, "%s", path);
	if (write_delay_ms)
		usleep(write_delay_ms * 1000);
	return n;
}

/* The driver the device is bound to now ("" for none); 0 or -errno. */
static int read_driver(const char *name, char *buf, size_t size)
{
	char path[4096], link[4096];
	const char *base;
	ssize_t n;
	int rc;

	rc = sysroot_path(path, sizeof(path), DAX_DEVICES "/%s/driver", name);
	if (rc < 0)
		return rc;
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		if (errno != ENOENT)
			return -errno;
		buf[0] = '\0';
		return 0;
	}
	link[n] = '\0';
	base = strrchr(link, '/');
	copy_str(buf, size, base ? base + 1 : link);
	return 0;
}

static int driver_is(const struct daxop *d, const char *drv)
{
	char now[64];

	return read_driver(d->name, now, sizeof(now)) == 0 && !strcmp(now, drv);
}

/* A block's state now: 0 or -errno (-ENOENT: the block does not exist). */
static int read_state(const struct blk *b, char *buf, size_t size)
{
	ssize_t n = sysroot_read_line(buf, size, MEM_SYS "/memory%lu/state", b->index);

	return n < 0 ? (int)n : 0;
}

static int block_online(const struct blk *b)
{
	char st[16];

	return read_state(b, st, sizeof(st)) == 0 && !strcmp(st, "online");
}

/* The zone of an online block: the first word of valid_zones. */
static void read_zone(const struct blk *b, char *buf, size_t size)
{
	char line[64];

	buf[0] = '\0';
	if (sysroot_read_line(line, sizeof(line), MEM_SYS "/memory%lu/valid_zones", b->index) < 0)
		return;
	line[strcspn(line, " ")] = '\0';
	copy_str(buf, size, line);
}

/*
 * Bind the device to drv.  `bind` reaches this device only, and works where
 * the driver matches the device by type (kmem and a Soft Reserved range,
 * from Linux 6.3).  Elsewhere the write fails with ENODEV, and `new_id` adds
 * the device to the driver's list, as daxctl does (6.1: kmem; 6.3+:
 * device_dax and a Soft Reserved range).  The driver link says whether it
 * worked: a failed probe does not always fail the write.
 */
static int bind_to(const struct daxop *d, const char *drv)
{
	int rc, rc2;

	rc = dax_write(d, d->name, DAX_DRIVERS "/%s/bind", drv);
	if (d->dry_run || driver_is(d, drv))
		return 0;
	msg_verbose(2, "%s/bind refused %s (%s): trying new_id", drv, d->name,
		    rc < 0 ? strerror(-rc) : "not bound");
	rc2 = dax_write(d, d->name, DAX_DRIVERS "/%s/new_id", drv);
	if (driver_is(d, drv))
		return 0;
	if (rc < 0 && rc != -ENODEV)
		return rc;
	return rc2 < 0 ? rc2 : rc < 0 ? rc : -ENXIO;
}

static int unbind_from(const struct daxop *d, const char *drv)
{
	int rc;

	rc = dax_write(d, d->name, DAX_DRIVERS "/%s/unbind", drv);
	if (d->dry_run)
		return 0;
	if (driver_is(d, drv))
		return rc < 0 ? rc : -EBUSY;
	return 0;
}

/*
 * SIGINT, SIGTERM, SIGHUP during the writes: the step under way ends (a
 * sysfs write restarts after a signal), then what was done is undone.  The
 * handler resets itself: a second signal ends spmctl at once, as a block
 * whose pages never migrate keeps its offline write going until then.
 */
static volatile sig_atomic_t interrupted;
static const int guarded[] = { SIGINT, SIGTERM, SIGHUP };

static void on_signal(int sig)
{
	static const char what[] = ": interrupted: undoing after this step (again to stop at once)\n";
	int e = errno;

	interrupted = sig;
	/* write(2) is all a handler may use; a closed stderr leaves nothing to do. */
	if (write(STDERR_FILENO, program_invocation_short_name,
		  strlen(program_invocation_short_name)) < 0 ||
	    write(STDERR_FILENO, what, sizeof(what) - 1) < 0) {
	}
	errno = e;
}

/* A signal ignored by whoever started spmctl (nohup, a background job) stays ignored. */
static void guard_signals(struct sigaction *old)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESETHAND };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(guarded) / sizeof(guarded[0]); i++) {
		sigaction(guarded[i], NULL, &old[i]);
		if (old[i].sa_handler != SIG_IGN)
			sigaction(guarded[i], &sa, NULL);
	}
}

static void unguard_signals(const struct sigaction *old)
{
	size_t i;

	for (i = 0; i < sizeof(guarded) / sizeof(guarded[0]); i++)
		sigaction(guarded[i], &old[i], NULL);
}

/* 1 (once said) when a signal asked to stop. */
static int said_interrupted(void)
{
	static int said;

	if (!interrupted)
		return 0;
	if (!said++)
		msg_err(0, "interrupted by signal %d", (int)interrupted);
	return 1;
}

/* What a step did, with -v (a dry run did nothing). */
static void step(const struct daxop *d, const char *what)
{
	if (!d->dry_run)
		msg_verbose(1, "%s: %s", d->name, what);
}

/* ---- the device's memory blocks ---- */

/* Its ranges: mappingN/{start,end} where the kernel shows them, else resource and size. */
static void read_ranges(struct daxop *d)
{
	uint64_t start, end;
	int i;

	d->nranges = 0;
	for (i = 0; i < MAX_RANGES; i++) {
		if (sysroot_read_u64(&start, DAX_DEVICES "/%s/mapping%d/start", d->name, i) < 0 ||
		    sysroot_read_u64(&end, DAX_DEVICES "/%s/mapping%d/end", d->name, i) < 0 ||
		    end < start)
			break;
		d->ranges[d->nranges].start = start;
		d->ranges[d->nranges++].size = end - start + 1;
	}
	if (!d->nranges && d->dax->size) {
		d->ranges[0].start = d->dax->start;
		d->ranges[0].size = d->dax->size;
		d->nranges = 1;
	}
}

static int read_blocks(struct daxop *d)
{
	unsigned long *idx;
	struct blk *b;
	int r, n, i;

	for (r = 0; r < d->nranges; r++) {
		n = spm_blocks_in(&d->sys, d->ranges[r].start, d->ranges[r].size, &idx);
		if (n < 0)
			return n;
		d->blks = msg_realloc_or_die(d->blks, (d->nblks + n) * sizeof(*d->blks));
		for (i = 0; i < n; i++) {
			b = &d->blks[d->nblks++];
			memset(b, 0, sizeof(*b));
			b->index = idx[i];
			b->start = (uint64_t)idx[i] * d->block_size;
		}
		free(idx);
	}
	return 0;
}

/* Read what each block is now; the state and zone as found are kept in b. */
static void scan_blocks(struct daxop *d)
{
	struct blk *b;
	size_t i;

	for (i = 0; i < d->nblks; i++) {
		b = &d->blks[i];
		b->present = read_state(b, b->state, sizeof(b->state)) == 0;
		if (!b->present)
			b->state[0] = '\0';
		/* An offline block keeps the zone it was seen in, to go back to it. */
		if (b->present && !strcmp(b->state, "online"))
			read_zone(b, b->zone, sizeof(b->zone));
	}
}

static size_t count_blocks(const struct daxop *d, const char *state)
{
	size_t i, n = 0;

	for (i = 0; i < d->nblks; i++)
		n += d->blks[i].present && (!state || !strcmp(d->blks[i].state, state));
	return n;
}

/* "memory32-39,41" for the blocks that pass the filter; "" when none. */
static void block_names(const struct daxop *d, int (*pick)(const struct blk *), char *buf,
			size_t size)
{
	size_t i, j, off = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < d->nblks; i = j) {
		j = i + 1;
		if (!pick(&d->blks[i]))
			continue;
		while (j < d->nblks && pick(&d->blks[j]) &&
		       d->blks[j].index == d->blks[j - 1].index + 1)
			j++;
		if (j - i > 1)
			n = snprintf(buf + off, size - off, "%s%lu-%lu", off ? "," : "memory",
				     d->blks[i].index, d->blks[j - 1].index);
		else
			n = snprintf(buf + off, size - off, "%s%lu", off ? "," : "memory",
				     d->blks[i].index);
		if (n < 0 || (size_t)n >= size - off)
			return;
		off += n;
	}
}

static int pick_present(const struct blk *b)
{
	return b->present;
}

static int pick_changed(const struct blk *b)
{
	return b->changed;
}

static int pick_kernel_online(const struct blk *b)
{
	return b->present && !b->changed && !strcmp(b->state, "online");
}

/* The state value that puts a block back online in zone (Movable or Normal). */
static const char *online_value(const char *zone)
{
	if (!strcmp(zone, "Movable"))
		return "online_movable";
	if (!strcmp(zone, "Normal"))
		return "online_kernel";
	return "online";
}

static int set_state(const struct daxop *d, struct blk *b, const char *value)
{
	int rc = dax_write(d, value, MEM_SYS "/memory%lu/state", b->index);
	char st[16];

	if (d->dry_run)
		return 0;
	/* Someone else may have raced us to it: only the result counts. */
	if (read_state(b, st, sizeof(st)) == 0 &&
	    !strcmp(st, strcmp(value, "offline") ? "online" : "offline"))
		return 0;
	return rc < 0 ? rc : -EIO;
}

/* Offline the online blocks that pick() selects; -errno of the first refusal. */
static int offline_blocks(struct daxop *d, int (*pick)(const struct blk *), int mark)
{
	int rc, first = 0;
	size_t i;

	for (i = 0; i < d->nblks && !(mark && interrupted); i++) {
		struct blk *b = &d->blks[i];

		if (!pick(b) || (d->dry_run ? strcmp(b->state, "online") : !block_online(b)))
			continue;
		rc = set_state(d, b, "offline");
		if (rc < 0) {
			b->err = -rc;
			first = first ?: rc;
			continue;
		}
		if (mark)
			b->changed = 1;
	}
	return first;
}

/* ---- output ---- */

/* The device and its blocks as they are now (after the operation). */
static int report_json(struct daxop *d, const char *mode)
{
	json_object *doc = json_object_new_object(), *arr = json_object_new_array();
	char drv[32] = "", st[16], zone[16];
	size_t i, online = 0, present = 0;
	int rc;

	read_driver(d->name, drv, sizeof(drv));
	json_object_object_add(doc, "device", json_object_new_string(d->name));
	json_object_object_add(doc, "mode", json_object_new_string(mode));
	json_object_object_add(doc, "driver", *drv ? json_object_new_string(drv) : NULL);
	json_object_object_add(doc, "target_node", json_object_new_int(d->dax->target_node));
	if (d->dax->spm_node >= 0) {
		uint64_t v;

		if (sysroot_read_u64(&v, DAX_DEVICES "/%s/spm_node", d->name) == 0)
			json_object_object_add(doc, "spm_node", json_object_new_int(v != 0));
	}
	json_object_object_add(doc, "size", json_object_new_uint64(d->dax->size));
	for (i = 0; i < d->nblks; i++) {
		struct blk *b = &d->blks[i];
		json_object *o;
		char name[32];

		if (read_state(b, st, sizeof(st)) < 0) {
			/* Offlined by this run, then removed with kmem. */
			if (!b->changed)
				continue;
			snprintf(st, sizeof(st), "removed");
		} else {
			present++;
			online += !strcmp(st, "online");
		}
		o = json_object_new_object();
		snprintf(name, sizeof(name), "memory%lu", b->index);
		json_object_object_add(o, "name", json_object_new_string(name));
		json_object_object_add(o, "start", json_object_new_uint64(b->start));
		json_object_object_add(o, "size", json_object_new_uint64(d->block_size));
		json_object_object_add(o, "state", json_object_new_string(st));
		zone[0] = '\0';
		if (!strcmp(st, "online"))
			read_zone(b, zone, sizeof(zone));
		json_object_object_add(o, "zone", *zone ? json_object_new_string(zone) : NULL);
		json_object_object_add(o, "changed", json_object_new_boolean(b->changed));
		if (b->err)
			json_object_object_add(o, "error", json_object_new_string(strerror(b->err)));
		json_object_array_add(arr, o);
	}
	json_object_object_add(doc, "online_memblocks", json_object_new_uint64(online));
	json_object_object_add(doc, "total_memblocks", json_object_new_uint64(present));
	json_object_object_add(doc, "memblocks", arr);
	rc = doc_print(doc);
	json_object_put(doc);
	return rc;
}

/* ---- shared set-up ---- */

static int kernel_driver_loaded(const char *drv)
{
	return sysroot_exists(DAX_DRIVERS "/%s", drv);
}

/* 0 when ready, else the exit status. */
static int setup(struct daxop *d, const struct spm_opts *o, const char *verb)
{
	const char *delay = getenv("NUMAKIT_TEST_SPM_WRITE_DELAY_MS");
	int rc;

	memset(d, 0, sizeof(*d));
	if (delay && parse_int(delay, &rc, 0, 10000) == 0)
		write_delay_ms = rc;
	d->o = o;
	d->dry_run = o->dry_run;
	if (o->nargs != 2)
		return msg_usage("%s takes one dax device (e.g. dax0.0)", verb);
	if (o->dry_run && o->c.json)
		return msg_usage("--dry-run prints shell commands: not with -J");
	d->name = o->args[1];
	rc = spm_read(&d->sys);
	if (rc < 0) {
		msg_err(-rc, "cannot read the memory nodes");
		return EXIT_FAILURE;
	}
	d->dax = spm_dax_find(&d->sys, d->name);
	if (!d->dax || strchr(d->name, '/')) {
		msg_err(0, "no dax device '%s'", d->name);
		if (!d->sys.ndax)
			msg_hint("this system has no dax device (%s is empty or missing)",
				 DAX_DEVICES);
		return EXIT_USAGE;
	}
	rc = read_driver(d->name, d->driver, sizeof(d->driver));
	if (rc < 0) {
		msg_err(-rc, "cannot read the driver of '%s'", d->name);
		return EXIT_FAILURE;
	}
	d->block_size = d->sys.block_size;
	if (!d->block_size) {
		msg_err(0, "no memory block size (%s/block_size_bytes)", MEM_SYS);
		msg_hint("the kernel has no memory hotplug (CONFIG_MEMORY_HOTPLUG)");
		return EXIT_NOTSUP;
	}
	read_ranges(d);
	rc = read_blocks(d);
	if (rc < 0) {
		msg_err(-rc, "cannot find the memory blocks of '%s'", d->name);
		return EXIT_FAILURE;
	}
	scan_blocks(d);
	return 0;
}

/*
 * Memory blocks of the range without kmem: kmem was unbound while some were
 * online, and the kernel keeps the range until the next reboot.
 */
static int pick_online(const struct blk *b)
{
	return b->present && !strcmp(b->state, "online");
}

static void say_stranded(struct daxop *d)
{
	char names[256];

	block_names(d, pick_online, names, sizeof(names));
	msg_err(0, "the memory of %s is still in the page allocator (%zu of %zu blocks online: "
		"%s) but kmem does not hold it", d->name, count_blocks(d, "online"),
		count_blocks(d, NULL), *names ? names : "none");
	msg_hint("kmem was unbound while blocks were online: the kernel keeps the range "
		 "until the next reboot (dmesg: cannot be hotremoved)");
}

/*
 * A captured tree takes the writes as plain files and never binds a driver
 * or onlines a block: it checks everything, then shows the writes only.
 */
static int live_only(const struct daxop *d)
{
	if (sysroot_is_live() || d->dry_run)
		return 0;
	msg_usage_print("a --sysroot tree cannot bind drivers or online memory: add --dry-run to "
			"see the writes");
	return 1;
}

static void teardown(struct daxop *d)
{
	free(d->blks);
	spm_free(&d->sys);
}

/* ---- online ---- */

/* The undo of a failed online: back to the driver and spm_node found. */
static void online_undo(struct daxop *d, int old_spm)
{
	char names[256];
	int rc;

	if (strcmp(d->driver, "kmem") && driver_is(d, "kmem")) {
		rc = offline_blocks(d, pick_present, 0);
		if (rc < 0) {
			block_names(d, pick_present, names, sizeof(names));
			msg_err(-rc, "cannot undo: some blocks of %s (%s) stay online", d->name,
				names);
			return;
		}
		rc = unbind_from(d, "kmem");
		if (rc < 0) {
			msg_err(-rc, "cannot undo: %s stays bound to kmem", d->name);
			return;
		}
	} else if (!strcmp(d->driver, "kmem")) {
		rc = offline_blocks(d, pick_changed, 0);
		if (rc < 0)
			msg_err(-rc, "cannot undo: blocks this run onlined stay online");
		return;
	}
	if (!strcmp(d->driver, "device_dax") && !driver_is(d, "device_dax")) {
		rc = bind_to(d, "device_dax");
		if (rc < 0)
			msg_err(-rc, "cannot undo: %s stays unbound (device_dax refused it)",
				d->name);
	}
	if (old_spm >= 0 && dax_write(d, old_spm ? "1" : "0", DAX_DEVICES "/%s/spm_node",
				      d->name) < 0)
		msg_err(0, "cannot undo: %s keeps spm_node 1", d->name);
}

/* The zone a state value puts a block in. */
static const char *value_zone(const char *value)
{
	return !strcmp(value, "online_kernel") ? "Normal" : "Movable";
}

/*
 * Online the blocks the kernel left offline, in the zone asked for.  With
 * rezone (kmem was bound by this run), blocks the kernel onlined by its own
 * policy (auto_online_blocks) into another zone are offlined and onlined
 * again: fresh memory holds nothing that could keep it; if it does, the
 * block stays as it is and check_zones() says so.
 */
static int online_blocks(struct daxop *d, const char *value, int rezone)
{
	const char *want = value_zone(value);
	size_t i;
	int rc;

	for (i = 0; i < d->nblks && !interrupted; i++) {
		struct blk *b = &d->blks[i];

		if (b->present && !strcmp(b->state, "online")) {
			if (!rezone || !*b->zone || !strcmp(b->zone, want))
				continue;
			msg_verbose(1, "memory%lu: onlined by the kernel into zone %s: moving it "
				    "to %s", b->index, b->zone, want);
			if (set_state(d, b, "offline") < 0)
				continue;
		} else if (b->present ? strcmp(b->state, "offline") : !d->dry_run) {
			/* A dry run cannot see the blocks kmem has not added yet: all of them. */
			continue;
		}
		rc = set_state(d, b, value);
		if (rc < 0) {
			b->err = -rc;
			msg_err(-rc, "cannot online memory block memory%lu (%#" PRIx64 "-%#" PRIx64
				") of %s", b->index, b->start, b->start + d->block_size - 1,
				d->name);
			return rc;
		}
		b->changed = 1;
	}
	return interrupted ? -EINTR : 0;
}

/* Zones other than the one asked for: the kernel onlined them by its own policy. */
static void check_zones(struct daxop *d, const char *want)
{
	char names[256], policy[32] = "";
	size_t i, bad = 0;

	for (i = 0; i < d->nblks; i++) {
		read_zone(&d->blks[i], d->blks[i].zone, sizeof(d->blks[i].zone));
		bad += d->blks[i].present && strcmp(d->blks[i].zone, want);
	}
	if (!bad)
		return;
	block_names(d, pick_kernel_online, names, sizeof(names));
	sysroot_read_line(policy, sizeof(policy), MEM_SYS "/auto_online_blocks");
	msg_warn(0, "%zu memory blocks of %s are not in zone %s (onlined by the kernel: %s; "
		 "auto_online_blocks is '%s')", bad, d->name, want, *names ? names : "none",
		 policy);
	if (!strcmp(want, "Movable"))
		msg_hint("memory outside ZONE_MOVABLE may refuse to go offline again");
}

static int do_online(struct daxop *d, int *old_spm)
{
	const char *value = d->o->normal ? "online_kernel" : "online_movable";
	int rc;

	if (d->o->spm && d->dax->spm_node != 1) {
		rc = dax_write(d, "1", DAX_DEVICES "/%s/spm_node", d->name);
		if (rc < 0) {
			msg_err(-rc, "cannot mark %s as SPM (spm_node)", d->name);
			return EXIT_FAILURE;
		}
		*old_spm = d->dax->spm_node;
		step(d, "spm_node set to 1");
	}
	if (said_interrupted())
		return EXIT_FAILURE;
	if (!strcmp(d->driver, "device_dax")) {
		rc = unbind_from(d, "device_dax");
		if (rc < 0) {
			msg_err(-rc, "cannot unbind %s from device_dax", d->name);
			return EXIT_FAILURE;
		}
		step(d, "unbound from device_dax");
	}
	if (said_interrupted())
		return EXIT_FAILURE;
	if (strcmp(d->driver, "kmem")) {
		rc = bind_to(d, "kmem");
		if (rc < 0) {
			msg_err(-rc, "cannot bind %s to kmem", d->name);
			if (rc == -ENXIO || rc == -ENODEV)
				msg_hint("the kernel log (dmesg) says why kmem refused it");
			return EXIT_FAILURE;
		}
		step(d, "bound to kmem");
		/* kmem added the blocks; the kernel may have onlined them already. */
		if (!d->dry_run)
			scan_blocks(d);
		if (!d->dry_run && !count_blocks(d, NULL)) {
			msg_err(0, "kmem added no memory block of %s", d->name);
			return EXIT_FAILURE;
		}
	}
	if (said_interrupted())
		return EXIT_FAILURE;
	if (online_blocks(d, value, strcmp(d->driver, "kmem") != 0) < 0) {
		said_interrupted();
		return EXIT_FAILURE;
	}
	if (d->dry_run)
		return 0;
	for (size_t i = 0; i < d->nblks; i++) {
		if (d->blks[i].present && !block_online(&d->blks[i])) {
			msg_err(0, "memory block memory%lu of %s is not online", d->blks[i].index,
				d->name);
			return EXIT_FAILURE;
		}
	}
	return 0;
}

static void say_online(struct daxop *d)
{
	char size[32], names[256], ours[256];
	size_t n = count_blocks(d, NULL), i;
	const char *zone = "";

	for (i = 0; i < d->nblks && !*zone; i++)
		zone = d->blks[i].present ? d->blks[i].zone : "";

	table_size_str(size, sizeof(size), (uint64_t)n * d->block_size);
	block_names(d, pick_present, names, sizeof(names));
	block_names(d, pick_changed, ours, sizeof(ours));
	msg_verbose(1, "%s is online as node %d: %s in %zu memory blocks (%s), %s zone %s",
		    d->name, d->dax->target_node, size, n, names,
		    *ours ? "onlined by spmctl into" : "onlined by the kernel into", zone);
}

int spm_cmd_online(const struct spm_opts *o)
{
	struct sigaction old_sa[3];
	struct daxop d;
	int status, old_spm = -1;

	status = setup(&d, o, "online");
	if (status)
		goto out;
	if (o->movable && o->normal) {
		status = msg_usage("--movable and --normal are mutually exclusive");
		goto out;
	}
	status = EXIT_FAILURE;
	if (!strcmp(d.driver, "kmem") && count_blocks(&d, "online") == count_blocks(&d, NULL)) {
		msg_err(0, "%s is already online as node %d", d.name, d.dax->target_node);
		goto out;
	}
	if (*d.driver && strcmp(d.driver, "kmem") && strcmp(d.driver, "device_dax")) {
		msg_err(0, "%s is bound to %s, not device_dax", d.name, d.driver);
		goto out;
	}
	if (strcmp(d.driver, "kmem") && count_blocks(&d, NULL)) {
		say_stranded(&d);
		goto out;
	}
	if (o->spm && d.dax->spm_node < 0) {
		msg_err(0, "%s has no spm_node attribute: marking memory SPM needs the "
			"\"Specific Purpose Memory NUMA nodes\" RFC (v2)", d.name);
		msg_hint("without --spm, the node is a CPU-less node in its memory tier");
		status = EXIT_NOTSUP;
		goto out;
	}
	if (o->spm && !strcmp(d.driver, "kmem") && d.dax->spm_node != 1) {
		msg_err(0, "%s is bound to kmem already: spm_node counts when kmem binds it",
			d.name);
		msg_hint("offline it first: spmctl offline %s", d.name);
		goto out;
	}
	if (!kernel_driver_loaded("kmem")) {
		msg_err(0, "no kmem driver (%s/kmem)", DAX_DRIVERS);
		msg_hint("load it: modprobe kmem (CONFIG_DEV_DAX_KMEM)");
		status = EXIT_NOTSUP;
		goto out;
	}
	if (d.dax->target_node < 0) {
		msg_err(0, "%s has no target node: kmem cannot online it", d.name);
		goto out;
	}
	if (live_only(&d))
		goto out_usage;
	if (!strcmp(d.driver, "kmem"))
		msg_verbose(1, "%s is bound to kmem with %zu of %zu blocks offline: onlining them",
			    d.name, count_blocks(&d, "offline"), count_blocks(&d, NULL));
	if (!d.dry_run)
		guard_signals(old_sa);
	status = do_online(&d, &old_spm);
	if (status && !d.dry_run)
		online_undo(&d, old_spm);
	if (!d.dry_run)
		unguard_signals(old_sa);
	if (status)
		goto out;
	if (d.dry_run)
		goto out;
	check_zones(&d, o->normal ? "Normal" : "Movable");
	say_online(&d);
	if (o->c.json && report_json(&d, "system-ram") < 0)
		status = EXIT_FAILURE;
	goto out;
out_usage:
	status = EXIT_USAGE;
out:
	teardown(&d);
	return status;
}

/* ---- offline ---- */

/* Put the blocks this run offlined back online, each in the zone it was in. */
static int reonline(struct daxop *d)
{
	int rc, first = 0;
	size_t i;

	for (i = 0; i < d->nblks; i++) {
		struct blk *b = &d->blks[i];

		if (!b->changed)
			continue;
		rc = set_state(d, b, online_value(b->zone));
		if (rc < 0) {
			msg_err(-rc, "cannot put memory block memory%lu of %s back online",
				b->index, d->name);
			first = first ?: rc;
			continue;
		}
		b->changed = 0;
	}
	return first;
}

/* One line per block that refused; how many refused. */
static size_t say_refused(struct daxop *d)
{
	size_t i, n = 0;

	for (i = 0; i < d->nblks; i++) {
		struct blk *b = &d->blks[i];

		if (!b->err)
			continue;
		n++;
		msg_err(b->err, "memory block memory%lu (%#" PRIx64 "-%#" PRIx64 ", zone %s) of %s "
			"refused to go offline", b->index, b->start,
			b->start + d->block_size - 1, *b->zone ? b->zone : "?", d->name);
	}
	return n;
}

static int do_offline(struct daxop *d)
{
	char names[256];
	size_t refused;
	int rc;

	rc = offline_blocks(d, pick_present, 1);
	if (rc < 0 || said_interrupted()) {
		refused = rc < 0 ? say_refused(d) : 0;
		if (reonline(d) < 0) {
			block_names(d, pick_changed, names, sizeof(names));
			msg_err(0, "%s stays bound to kmem, with %s offline", d->name, names);
		} else if (refused) {
			msg_err(0, "%s stays online: %zu of %zu memory blocks refused to go offline, "
				"the others are back online", d->name, refused,
				count_blocks(d, NULL));
		} else {
			msg_err(0, "%s stays online: the blocks offlined meanwhile are back online",
				d->name);
		}
		if (rc < 0)
			msg_hint("pages the kernel cannot migrate (unmovable, pinned, or no room "
				 "on other nodes) keep a block online; see dmesg");
		return EXIT_FAILURE;
	}
	step(d, "its memory blocks are offline");
	if (said_interrupted()) {
		reonline(d);
		return EXIT_FAILURE;
	}
	rc = unbind_from(d, "kmem");
	if (rc < 0) {
		msg_err(-rc, "cannot unbind %s from kmem", d->name);
		if (!d->dry_run)
			reonline(d);
		return EXIT_FAILURE;
	}
	step(d, "unbound from kmem");
	rc = bind_to(d, "device_dax");
	if (rc < 0) {
		msg_err(-rc, "cannot bind %s to device_dax", d->name);
		/* Back to kmem: its blocks come back, and are onlined as they were. */
		if (bind_to(d, "kmem") == 0) {
			scan_blocks(d);
			for (size_t i = 0; i < d->nblks; i++)
				d->blks[i].changed = d->blks[i].present &&
						     !strcmp(d->blks[i].state, "offline");
			if (reonline(d) == 0)
				return EXIT_FAILURE;
		}
		msg_err(0, "%s is left unbound, its memory offline", d->name);
		return EXIT_FAILURE;
	}
	step(d, "bound to device_dax");
	return 0;
}

int spm_cmd_offline(const struct spm_opts *o)
{
	struct sigaction old_sa[3];
	struct daxop d;
	char size[32];
	int status;

	status = setup(&d, o, "offline");
	if (status)
		goto out;
	if (o->spm || o->movable || o->normal) {
		status = msg_usage("--spm, --movable and --normal are for online");
		goto out;
	}
	status = EXIT_FAILURE;
	if (strcmp(d.driver, "kmem") && count_blocks(&d, NULL)) {
		say_stranded(&d);
		goto out;
	}
	if (strcmp(d.driver, "kmem")) {
		msg_err(0, "%s is not online (%s%s)", d.name, *d.driver ? "bound to " : "",
			*d.driver ? d.driver : "bound to no driver");
		goto out;
	}
	if (!kernel_driver_loaded("device_dax")) {
		msg_err(0, "no device_dax driver (%s/device_dax) to give %s back to", DAX_DRIVERS,
			d.name);
		msg_hint("load it: modprobe device_dax (CONFIG_DEV_DAX)");
		status = EXIT_NOTSUP;
		goto out;
	}
	if (live_only(&d))
		goto out_usage;
	if (!d.dry_run)
		guard_signals(old_sa);
	status = do_offline(&d);
	if (!d.dry_run)
		unguard_signals(old_sa);
	if (d.dry_run)
		goto out;
	if (!status) {
		table_size_str(size, sizeof(size), (uint64_t)count_blocks(&d, NULL) *
			       d.block_size);
		msg_verbose(1, "%s is offline: %s of node %d returned in %zu memory blocks, "
			    "the device is on device_dax", d.name, size, d.dax->target_node,
			    count_blocks(&d, NULL));
	}
	if (o->c.json && report_json(&d, status ? "system-ram" : "devdax") < 0)
		status = EXIT_FAILURE;
	goto out;
out_usage:
	status = EXIT_USAGE;
out:
	teardown(&d);
	return status;
}
