// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/numamaps.h"
#include "lib/parse.h"
#include "lib/sysroot.h"

/* Node ids the kernel can print (MAX_NUMNODES is at most 1 << 10). */
#define NUMAMAPS_MAX_NODES 1024

void numamaps_free_one(struct numamap *m)
{
	free(m->policy);
	free(m->pages);
	memset(m, 0, sizeof(*m));
}

static int set_pages(struct numamap *m, const char *key, const char *val)
{
	uint64_t node, pages;
	uint64_t *p;

	if (parse_u64(key + 1, &node, 0, NUMAMAPS_MAX_NODES - 1) ||
	    parse_u64(val, &pages, 0, UINT64_MAX))
		return -EINVAL;
	if ((int)node >= m->nr_nodes) {
		p = realloc(m->pages, (node + 1) * sizeof(*p));
		if (!p)
			return -ENOMEM;
		memset(p + m->nr_nodes, 0, (node + 1 - m->nr_nodes) * sizeof(*p));
		m->pages = p;
		m->nr_nodes = node + 1;
	}
	m->pages[node] = pages;
	return 0;
}

static int set_counter(struct numamap *m, const char *key, const char *val)
{
	static const struct {
		const char *key;
		size_t off;
		unsigned int bit;
	} counters[] = {
		{ "anon", offsetof(struct numamap, anon), NUMAMAP_HAS_ANON },
		{ "dirty", offsetof(struct numamap, dirty), NUMAMAP_HAS_DIRTY },
		{ "mapped", offsetof(struct numamap, mapped), NUMAMAP_HAS_MAPPED },
		{ "mapmax", offsetof(struct numamap, mapmax), NUMAMAP_HAS_MAPMAX },
		{ "swapcache", offsetof(struct numamap, swapcache), NUMAMAP_HAS_SWAPCACHE },
		{ "active", offsetof(struct numamap, active), NUMAMAP_HAS_ACTIVE },
		{ "writeback", offsetof(struct numamap, writeback), NUMAMAP_HAS_WRITEBACK },
		{ "kernelpagesize_kB", offsetof(struct numamap, kernelpagesize_kb), 0 },
	};
	size_t i;

	if (key[0] == 'N' && key[1] >= '0' && key[1] <= '9')
		return set_pages(m, key, val);
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		if (strcmp(key, counters[i].key))
			continue;
		m->has |= counters[i].bit;
		return parse_u64(val, (uint64_t *)((char *)m + counters[i].off), 0, UINT64_MAX);
	}
	return 0;	/* file=, and keys a newer kernel adds */
}

/* Fields are separated by single spaces; the kernel escapes spaces in file=. */
static int parse_field(struct numamap *m, char *tok)
{
	char *eq = strchr(tok, '=');

	if (!eq) {
		if (!strcmp(tok, "huge"))
			m->huge = 1;
		return 0;	/* heap, stack, and flags a newer kernel adds */
	}
	*eq = '\0';
	return set_counter(m, tok, eq + 1);
}

int numamaps_parse_line(const char *line, size_t len, struct numamap *m)
{
	char *copy, *tok, *save = NULL;
	int rc = -EINVAL;

	memset(m, 0, sizeof(*m));
	if (len && line[len - 1] == '\n')
		len--;
	copy = strndup(line, len);
	if (!copy)
		return -ENOMEM;
	tok = strtok_r(copy, " ", &save);
	if (!tok || parse_addr(tok, &m->start))
		goto out;
	tok = strtok_r(NULL, " ", &save);
	if (!tok)
		goto out;
	/* The policy may carry flags: "interleave=static:0-3". */
	m->policy = strdup(tok);
	if (!m->policy) {
		rc = -ENOMEM;
		goto out;
	}
	rc = 0;
	while (!rc && (tok = strtok_r(NULL, " ", &save)))
		rc = parse_field(m, tok);
out:
	free(copy);
	if (rc)
		numamaps_free_one(m);
	return rc;
}

void numamaps_free(struct numamap_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		numamaps_free_one(&l->m[i]);
	free(l->m);
	memset(l, 0, sizeof(*l));
}

static int by_start(const void *a, const void *b)
{
	const struct numamap *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int numamaps_read(int fd, struct numamap_list *l)
{
	size_t cap = 0;
	char *buf, *line, *nl;
	ssize_t n;
	int rc = 0;

	memset(l, 0, sizeof(*l));
	n = sysroot_read_fd(fd, &buf);
	if (n < 0)
		return n;
	for (line = buf; *line && !rc; line = nl + 1) {
		nl = strchrnul(line, '\n');
		/* The kernel ends every line: one without its newline was cut short. */
		if (!*nl) {
			rc = -EINVAL;
			break;
		}
		if (l->n == cap) {
			struct numamap *p = realloc(l->m, (cap = cap ? cap * 2 : 256) * sizeof(*p));

			if (!p) {
				rc = -ENOMEM;
				break;
			}
			l->m = p;
		}
		rc = numamaps_parse_line(line, nl - line, &l->m[l->n]);
		if (!rc)
			l->n++;
		if (!*nl)
			break;
	}
	free(buf);
	if (rc) {
		numamaps_free(l);
		return rc;
	}
	if (l->n)	/* an empty numa_maps (a kernel thread) leaves m NULL */
		qsort(l->m, l->n, sizeof(*l->m), by_start);
	return 0;
}

const struct numamap *numamaps_find(const struct numamap_list *l, uint64_t start)
{
	struct numamap key = { .start = start };

	if (!l->n)
		return NULL;
	return bsearch(&key, l->m, l->n, sizeof(*l->m), by_start);
}

uint64_t numamaps_total(const struct numamap *m)
{
	uint64_t t = 0;
	int i;

	for (i = 0; i < m->nr_nodes; i++)
		t += m->pages[i];
	return t;
}

char *numamaps_nodes_str(const struct numamap *m)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);
	int i, first = 1;

	if (!f)
		return NULL;
	for (i = 0; i < m->nr_nodes; i++) {
		if (!m->pages[i])
			continue;
		fprintf(f, "%sN%d=%" PRIu64, first ? "" : " ", i, m->pages[i]);
		first = 0;
	}
	if (fclose(f))
		return NULL;
	return s;
}

struct json_object *numamaps_nodes_json(const struct numamap *m)
{
	json_object *nodes = json_object_new_object();
	char key[16];
	int i;

	for (i = 0; i < m->nr_nodes; i++) {
		if (!m->pages[i])
			continue;
		snprintf(key, sizeof(key), "%d", i);
		json_object_object_add(nodes, key, json_object_new_uint64(m->pages[i]));
	}
	return nodes;
}
