// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VMA iteration over /proc/PID/maps: the PROCMAP_QUERY ioctl (Linux 6.11)
 * and the text, giving the same records, and one coherence rule for both.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/sysroot.h"
#include "lib/testhook.h"
#include "lib/vma.h"

/* include/uapi/linux/fs.h; Debian 12's headers (6.1) predate it. */
#ifndef PROCMAP_QUERY
struct procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};
#define PROCMAP_QUERY _IOWR('f', 17, struct procmap_query)
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10
#endif

/* The kernel pads the header to this width before the name (64-bit). */
#define MAPS_NAME_COLUMN (25 + 8 * 6 - 1)

const char *vma_method_name(enum vma_method m)
{
	switch (m) {
	case VMA_METHOD_IOCTL:
		return "ioctl";
	case VMA_METHOD_TEXT:
		return "text";
	default:
		return "auto";
	}
}

void vma_free(struct vma *v)
{
	free(v->name);
	v->name = NULL;
}

/*
 * The text is kept whole until the end, since a later record may overrule any
 * earlier one.  At 100,000 VMAs it is 5 MB: filled through 4 KiB page faults,
 * or copied as realloc grows it, it cost mapsdump a fifth more than cat's
 * whole dump (bench/dump).  So a small text lives on the heap and a large
 * one moves, once, to a mapping advised for huge pages, grown by mremap.
 */
#define TEXT_HEAP (256u << 10)
#define TEXT_HUGE (2u << 20)
/* What cat asks for: the kernel gives a page of records or so per read. */
#define TEXT_READ (128u << 10)

static void text_free(struct vma_list *l)
{
	if (l->text_cap > TEXT_HEAP)
		munmap(l->text, l->text_cap);
	else
		free(l->text);
	l->text = NULL;
	l->text_len = l->text_cap = 0;
}

/* A mapping of len bytes (a multiple of TEXT_HUGE) aligned for huge pages. */
static char *map_huge(size_t len)
{
	char *p = mmap(NULL, len + TEXT_HUGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + TEXT_HUGE - 1) & ~(uintptr_t)(TEXT_HUGE - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((char *)a + len, (uintptr_t)p + TEXT_HUGE - a);
	/* Only advice: without THP the pages are small, nothing else changes. */
	madvise((char *)a, len, MADV_HUGEPAGE);
	return (char *)a;
}

static int text_grow(struct vma_list *l)
{
	size_t cap = l->text_cap ? l->text_cap : TEXT_HEAP;
	char *p;

	if (!l->text_cap) {
		p = malloc(cap);
	} else if (cap == TEXT_HEAP) {
		cap = (size_t)4 * TEXT_HUGE;
		p = map_huge(cap);
		if (p) {
			memcpy(p, l->text, l->text_len);
			free(l->text);
		}
	} else {
		p = mremap(l->text, cap, 2 * cap, MREMAP_MAYMOVE);
		p = p == MAP_FAILED ? NULL : p;
		cap *= 2;
	}
	if (!p)
		return -ENOMEM;
	l->text = p;
	l->text_cap = cap;
	return 0;
}

void vma_list_free(struct vma_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		vma_free(&l->v[i]);
	for (i = 0; i < l->ndropped; i++)
		vma_free(&l->dropped[i].v);
	free(l->v);
	free(l->dropped);
	text_free(l);
	memset(l, 0, sizeof(*l));
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 256;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int note_drop(struct vma_list *l, const struct vma *old, uint64_t cut_to,
		     const struct vma *by)
{
	struct vma_drop *d;

	if (grow((void **)&l->dropped, &l->dropped_cap, l->ndropped + 1, sizeof(*d)))
		return -ENOMEM;
	d = &l->dropped[l->ndropped];
	d->v = *old;
	/* A cut record stays in the list, so the note needs its own name. */
	if (cut_to && !(d->v.name = strdup(old->name)))
		return -ENOMEM;
	d->cut_to = cut_to;
	d->by_start = by->start;
	d->by_end = by->end;
	l->ndropped++;
	return 0;
}

/*
 * The kernel resumes each read after the end of the last VMA it showed, so
 * a VMA that changed meanwhile can come back starting below that point.
 * The newer record wins: older records it covers are dropped, and an older
 * record it starts inside is cut where it starts.  Cutting, not dropping,
 * is what keeps coverage: the part below the newer record was mapped when
 * it was read and nothing newer says otherwise, so no false gap appears.
 */
int vma_list_add(struct vma_list *l, const struct vma *v)
{
	while (l->n && l->v[l->n - 1].end > v->start) {
		struct vma *last = &l->v[l->n - 1];

		if (last->start < v->start) {
			if (note_drop(l, last, v->start, v))
				return -ENOMEM;
			last->end = v->start;
			last->line = NULL;	/* no longer what the kernel printed */
			break;
		}
		if (note_drop(l, last, 0, v))
			return -ENOMEM;
		l->n--;
	}
	if (grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*v)))
		return -ENOMEM;
	l->v[l->n++] = *v;
	return 0;
}

void vma_perms_str(uint32_t perms, char out[5])
{
	out[0] = perms & VMA_READ ? 'r' : '-';
	out[1] = perms & VMA_WRITE ? 'w' : '-';
	out[2] = perms & VMA_EXEC ? 'x' : '-';
	out[3] = perms & VMA_SHARED ? 's' : 'p';
	out[4] = '\0';
}

int vma_is_file(const struct vma *v)
{
	return v->inode || v->dev_major || v->dev_minor;
}

int vma_is_anon(const struct vma *v)
{
	const char *n = v->name;

	if (vma_is_file(v))
		return 0;
	return !*n || !strcmp(n, "[heap]") || !strncmp(n, "[stack", 6) ||
	       !strncmp(n, "[anon:", 6);
}

/* printf is most of the cost of a dump: format the header by hand. */
static char *put_hex(char *p, uint64_t v, int min_digits)
{
	char tmp[16];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n < min_digits)
		tmp[n++] = '0';
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_dec(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* "%08lx-%08lx %s %08llx %02x:%02x %lu ", as show_vma_header_prefix(). */
static size_t format_head(const struct vma *v, char *head)
{
	char *p = head;

	p = put_hex(p, v->start, 8);
	*p++ = '-';
	p = put_hex(p, v->end, 8);
	*p++ = ' ';
	vma_perms_str(v->perms, p);
	p += 4;
	*p++ = ' ';
	p = put_hex(p, v->offset, 8);
	*p++ = ' ';
	p = put_hex(p, v->dev_major, 2);
	*p++ = ':';
	p = put_hex(p, v->dev_minor, 2);
	*p++ = ' ';
	p = put_dec(p, v->inode);
	*p++ = ' ';
	return p - head;
}

size_t vma_format_line(const struct vma *v, char *buf, size_t size)
{
	char head[128];
	size_t n, pad, len;

	n = format_head(v, head);
	if (!*v->name) {
		pad = 0;
		len = n + 1;
	} else {
		/* seq_pad(): spaces up to the name column, then one more. */
		pad = (n < MAPS_NAME_COLUMN ? MAPS_NAME_COLUMN - n : 0) + 1;
		len = n + pad + strlen(v->name) + 1;
	}
	if (len >= size)
		return len;
	memcpy(buf, head, n);
	memset(buf + n, ' ', pad);
	memcpy(buf + n + pad, v->name, len - n - pad - 1);
	buf[len - 1] = '\n';
	buf[len] = '\0';
	return len;
}

/* Hex digits up to `stop`; advances *p past the stop character. */
static int hex_field(const char **p, const char *end, char stop, uint64_t *val)
{
	const char *s = *p;
	uint64_t x = 0;
	int digits = 0;

	for (; s < end && *s != stop; s++, digits++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			return -EINVAL;
		if (digits >= 16)
			return -EINVAL;
		x = x << 4 | d;
	}
	if (!digits || s >= end)
		return -EINVAL;
	*p = s + 1;
	*val = x;
	return 0;
}

static int perms_field(const char **p, const char *end, uint32_t *perms)
{
	const char *s = *p;
	static const char yes[] = "rwxs", no[] = "---p";
	int i;

	if (end - s < 5 || s[4] != ' ')
		return -EINVAL;
	*perms = 0;
	for (i = 0; i < 4; i++) {
		if (s[i] == yes[i])
			*perms |= 1u << i;
		else if (s[i] != no[i])
			return -EINVAL;
	}
	*p = s + 5;
	return 0;
}

int vma_parse_line(const char *line, size_t len, struct vma *v)
{
	const char *p = line, *end = line + len;
	uint64_t major, minor, inode = 0;
	const char *name;
	int digits = 0;

	if (len && line[len - 1] == '\n')
		end--;
	memset(v, 0, sizeof(*v));
	if (hex_field(&p, end, '-', &v->start) || hex_field(&p, end, ' ', &v->end) ||
	    perms_field(&p, end, &v->perms) || hex_field(&p, end, ' ', &v->offset) ||
	    hex_field(&p, end, ':', &major) || hex_field(&p, end, ' ', &minor))
		return -EINVAL;
	for (; p < end && *p >= '0' && *p <= '9'; p++, digits++) {
		if (inode > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		inode = inode * 10 + (*p - '0');
	}
	if (!digits || major > UINT32_MAX || minor > UINT32_MAX || v->end <= v->start)
		return -EINVAL;
	if (p < end && *p != ' ')
		return -EINVAL;
	for (name = p; name < end && *name == ' '; name++)
		;
	v->dev_major = major;
	v->dev_minor = minor;
	v->inode = inode;
	v->name = strndup(name, end - name);
	return v->name ? 0 : -ENOMEM;
}

/* Same escaping as seq_file_path(m, file, "\n"): only the newline. */
static char *maps_escape(const char *raw, size_t len)
{
	size_t i, nl = 0;
	char *out, *o;

	for (i = 0; i < len; i++)
		nl += raw[i] == '\n';
	out = malloc(len + 3 * nl + 1);
	if (!out)
		return NULL;
	for (o = out, i = 0; i < len; i++) {
		if (raw[i] == '\n') {
			memcpy(o, "\\012", 4);
			o += 4;
		} else {
			*o++ = raw[i];
		}
	}
	*o = '\0';
	return out;
}

struct query {
	struct procmap_query q;
	char name[PATH_MAX + 64];
	unsigned char build_id[VMA_BUILD_ID_MAX];
};

/* One PROCMAP_QUERY; the kernel rewrites the sizes, so set them every time. */
static int query(int fd, struct query *qb, uint64_t addr, int next, int build_id)
{
	struct procmap_query *q = &qb->q;
	int rc;

	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	q->query_flags = next ? PROCMAP_QUERY_COVERING_OR_NEXT_VMA : 0;
	q->query_addr = addr;
	q->vma_name_addr = (uintptr_t)qb->name;
	q->vma_name_size = sizeof(qb->name);
	if (build_id) {
		q->build_id_addr = (uintptr_t)qb->build_id;
		q->build_id_size = sizeof(qb->build_id);
	}
	do
		rc = ioctl(fd, PROCMAP_QUERY, q);
	while (rc < 0 && errno == EINTR);
	return rc < 0 ? -errno : 0;
}

static int from_query(const struct query *qb, struct vma *v)
{
	const struct procmap_query *q = &qb->q;

	memset(v, 0, sizeof(*v));
	v->start = q->vma_start;
	v->end = q->vma_end;
	v->offset = q->vma_offset;
	v->inode = q->inode;
	v->dev_major = q->dev_major;
	v->dev_minor = q->dev_minor;
	v->perms = q->vma_flags & (VMA_READ | VMA_WRITE | VMA_EXEC | VMA_SHARED);
	v->page_size = q->vma_page_size;
	v->build_id_size = q->build_id_size <= VMA_BUILD_ID_MAX ? q->build_id_size : 0;
	memcpy(v->build_id, qb->build_id, v->build_id_size);
	/* vma_name_size counts the NUL; 0 means no name. */
	v->name = maps_escape(qb->name, q->vma_name_size ? q->vma_name_size - 1 : 0);
	return v->name ? 0 : -ENOMEM;
}

/*
 * The gate VMA ([vsyscall] on x86_64) is not in the mm, so PROCMAP_QUERY
 * never returns it, while maps appends it.  It is the same for every 64-bit
 * process, so take it from our own maps, once.
 */
static const struct vma *gate_vma(void)
{
	/* Its name in a static buffer: a cache kept to the exit leaks nothing. */
	static char name[16];
	static struct vma gate;
	static int done;
	char *buf, *line, *nl;
	ssize_t n;
	int fd;

	if (done)
		return gate.name ? &gate : NULL;
	done = 1;
	do
		fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return NULL;
	n = sysroot_read_fd(fd, &buf);
	close(fd);
	if (n < 0)
		return NULL;
	nl = strstr(buf, " [vsyscall]\n");
	if (nl) {
		for (line = nl; line > buf && line[-1] != '\n'; line--)
			;
		if (vma_parse_line(line, nl + 12 - line, &gate) == 0) {
			n = snprintf(name, sizeof(name), "%s", gate.name);
			vma_free(&gate);
			if (n < (ssize_t)sizeof(name))
				gate.name = name;
		}
		if (!gate.name)
			memset(&gate, 0, sizeof(gate));
	}
	free(buf);
	return gate.name ? &gate : NULL;
}

/* A 32-bit (compat) task has no gate VMA and nothing mapped above 4 GiB. */
static int add_gate(struct vma_list *l)
{
	const struct vma *g = gate_vma();
	struct vma v;

	if (!g || !l->n || l->v[l->n - 1].end <= (1ull << 32) || l->v[l->n - 1].end > g->start)
		return 0;
	v = *g;
	v.name = strdup(g->name);
	if (!v.name)
		return -ENOMEM;
	return vma_list_add(l, &v);
}

static int read_ioctl(int fd, const struct vma_read_opts *o, struct vma_list *l)
{
	/*
	 * Zeroed once: valgrind (3.19) does not know that PROCMAP_QUERY writes
	 * the name and build ID behind the struct, and would take those bytes
	 * for uninitialised in everything made of them.
	 */
	struct query *qb = calloc(1, sizeof(*qb));
	uint64_t addr = 0;
	struct vma v;
	int rc;

	if (!qb)
		return -ENOMEM;
	while ((rc = query(fd, qb, addr, 1, o->build_id)) == 0) {
		rc = from_query(qb, &v);
		if (!rc && (rc = vma_list_add(l, &v)))
			vma_free(&v);
		if (rc)
			break;
		addr = qb->q.vma_end;
		testhook_point("vma-ioctl-next");
	}
	free(qb);
	if (rc == -ENOENT)
		rc = add_gate(l);
	return rc;
}

/* One more than the value of each hex digit, 0 for anything else. */
static const unsigned char hex_val1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/* Hex digits at s (1 to 16) into *val; the end of them, or NULL. */
static const char *scan_hex(const char *s, uint64_t *val)
{
	const char *start = s;
	uint64_t x = 0;
	int d;

	while ((d = hex_val1[(unsigned char)*s])) {
		x = x << 4 | (d - 1);
		s++;
	}
	if (s == start || s - start > 16)
		return NULL;
	*val = x;
	return s;
}

#define BYTES_01 0x0101010101010101ull
#define BYTES_80 0x8080808080808080ull

static uint64_t load8(const char *p)
{
	uint64_t x;

	memcpy(&x, p, sizeof(x));
	return x;
}

/* 0x80 in each byte of x that is a lowercase hex digit, 0 in the others. */
static uint64_t hex_bytes(uint64_t x)
{
	uint64_t y = x & ~BYTES_80;	/* no carry from one byte to the next below */
	uint64_t digit = (y + (0x80 - '0') * BYTES_01) & ~(y + (0x80 - '9' - 1) * BYTES_01);
	uint64_t lower = (y + (0x80 - 'a') * BYTES_01) & ~(y + (0x80 - 'f' - 1) * BYTES_01);

	return (digit | lower) & ~x & BYTES_80;
}

/* 0x80 in each byte of x that is zero, 0 in the others. */
static uint64_t zero_bytes(uint64_t x)
{
	return ~(((x & ~BYTES_80) + ~BYTES_80) | x | ~BYTES_80);
}

/* Eight bytes as a number that orders as they do in memcmp. */
static uint64_t load8_be(const char *p)
{
	uint64_t x = load8(p);

	return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? __builtin_bswap64(x) : x;
}

/*
 * START-END of 12 digits each and the permissions, as every user address
 * from 16 TiB to 256 TiB prints (nearly all of them on x86_64), checked
 * eight bytes at a time: digit by digit, this check was most of mapsdump's
 * own time in a default dump.
 */
static int line12_ok(const char *p)
{
	static const char yes[8] = " rwxs ", no[8] = " ---p ";
	uint64_t perms = load8(p + 25), y, n;

	if (p[12] != '-' || (hex_bytes(load8(p)) & hex_bytes(load8(p + 4)) &
			     hex_bytes(load8(p + 13)) & hex_bytes(load8(p + 17))) != BYTES_80)
		return 0;
	y = zero_bytes(perms ^ load8(yes));
	n = zero_bytes(perms ^ load8(no));
	/* Bytes 0 and 5 are the blanks of both patterns; 6 and 7 are not checked. */
	return ((y | n) & 0x0000808080808080ull) == 0x0000808080808080ull;
}

static int perms_ok(const char *p)
{
	return ((p[0] == 'r') | (p[0] == '-')) & ((p[1] == 'w') | (p[1] == '-')) &
	       ((p[2] == 'x') | (p[2] == '-')) & ((p[3] == 's') | (p[3] == 'p')) & (p[4] == ' ');
}

/* Any other shape of line: the fields decoded; *end_field is where END is. */
static const char *line_any(const char *p, const char *prev_end, const char **end_field)
{
	uint64_t start, vend, prev = 0;

	if (prev_end)
		scan_hex(prev_end, &prev);
	p = scan_hex(p, &start);
	if (!p || *p != '-' || start < prev)
		return NULL;
	*end_field = p + 1;
	p = scan_hex(p + 1, &vend);
	if (!p || *p != ' ' || vend <= start || !perms_ok(p + 1))
		return NULL;
	return p + 6;
}

/* Where the scan of a text being read is: offsets, as the text may move. */
struct text_scan {
	size_t pos;		/* the next line to check */
	size_t prev_end;	/* the END field of the line before it */
	int prev12;		/* that END has 12 digits */
	int ok;			/* no line needed repair so far */
	size_t n;
};

/*
 * Whether the text needs no repair: each line "START-END PERMS ...\n" with
 * START < END and START at or above the previous END.  Exactly then
 * vma_list_add() would drop nothing, so the text can be printed as it is.
 * This is all a default dump does per record: a full parse of every field,
 * a name copied and a record stored per VMA cost twice cat's whole dump.
 * Checked read by read, on the lines just read: once the whole text was in,
 * reading it again from memory took as long as the check itself.
 */
static void text_scan(const char *text, size_t upto, struct text_scan *sc)
{
	const char *p, *end, *e, *prev_end;
	uint64_t sh, sl, eh, el, ph = 0, pl = 0;

	if (!text) {
		sc->ok = 0;
		return;
	}
	p = text + sc->pos;
	end = text + upto;
	prev_end = sc->n ? text + sc->prev_end : NULL;

	/* The previous END as the keys below compare it, if it has 12 digits. */
	if (prev_end && sc->prev12) {
		ph = load8_be(prev_end);
		pl = load8_be(prev_end + 4);
	}

	while (p < end) {
		if (end - p > 31 && line12_ok(p) && (!prev_end || sc->prev12)) {
			sh = load8_be(p);
			sl = load8_be(p + 4);
			eh = load8_be(p + 13);
			el = load8_be(p + 17);
			/* 12 hex digits order as their bytes do: compare, not decode. */
			if ((prev_end && (sh < ph || (sh == ph && sl < pl))) ||
			    eh < sh || (eh == sh && el <= sl))
				break;
			ph = eh;
			pl = el;
			prev_end = p + 13;
			sc->prev12 = 1;
			p += 31;
		} else {
			p = line_any(p, prev_end, &e);
			if (!p)
				break;
			prev_end = e;
			sc->prev12 = p - e == 18;	/* 12 digits, " rwxp " */
			ph = load8_be(e);
			pl = load8_be(e + 4);
		}
		p = memchr(p, '\n', end - p);
		if (!p)
			break;
		p++;
		sc->n++;
	}
	if (p != end) {
		sc->ok = 0;
		return;
	}
	sc->pos = upto;
	if (prev_end)
		sc->prev_end = prev_end - text;
}

/*
 * All of an open maps file into l->text, followed by NULs; with sc, each
 * read's complete lines are checked while they are still in the cache.
 */
static int text_read(int fd, struct vma_list *l, struct text_scan *sc)
{
	const char *nl;
	size_t room;
	ssize_t n;
	int rc;

	for (;;) {
		if (l->text_cap - l->text_len < 8192 && (rc = text_grow(l)))
			return rc;
		room = l->text_cap - l->text_len - 8;
		n = read(fd, l->text + l->text_len, room < TEXT_READ ? room : TEXT_READ);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		/* NULs that let the scan read the text eight bytes at a time. */
		memset(l->text + l->text_len + (n > 0 ? n : 0), 0, 8);
		if (n == 0)
			break;
		l->text_len += n;
		if (!sc || !sc->ok)
			continue;
		nl = memrchr(l->text + sc->pos, '\n', l->text_len - sc->pos);
		if (nl)
			text_scan(l->text, nl + 1 - l->text, sc);
	}
	/* A last line without a newline is not the kernel's: parse it. */
	if (sc && sc->pos != l->text_len)
		sc->ok = 0;
	return 0;
}

static int read_text(int fd, struct vma_list *l, int verbatim)
{
	struct text_scan sc = { .ok = 1 };
	char *line, *nl;
	struct vma v;
	int rc = 0;

	if (lseek(fd, 0, SEEK_SET) < 0 && errno != ESPIPE)
		return -errno;
	/* Kept, so that a record can be printed as the kernel's own bytes. */
	rc = text_read(fd, l, verbatim ? &sc : NULL);
	if (rc)
		return rc;
	if (verbatim && sc.ok) {
		l->verbatim = 1;
		l->nverbatim = sc.n;
		return 0;
	}
	for (line = l->text; *line; line = nl + 1) {
		nl = strchrnul(line, '\n');
		/* The kernel ends every line: one without its newline was cut short. */
		if (!*nl) {
			rc = -EINVAL;
			break;
		}
		rc = vma_parse_line(line, nl - line + !!*nl, &v);
		if (rc)
			break;
		if (*nl) {
			v.line = line;
			v.line_len = nl - line + 1;
		}
		if ((rc = vma_list_add(l, &v))) {
			vma_free(&v);
			break;
		}
		if (!*nl)
			break;
	}
	return rc;
}

int vma_has_ioctl(int maps_fd)
{
	struct procmap_query q = { .size = sizeof(q), .query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA };

	return ioctl(maps_fd, PROCMAP_QUERY, &q) == 0 || (errno != ENOTTY && errno != EINVAL);
}

int vma_read(int maps_fd, const struct vma_read_opts *o, struct vma_list *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (o->method != VMA_METHOD_TEXT) {
		out->method = VMA_METHOD_IOCTL;
		rc = read_ioctl(maps_fd, o, out);
		if (rc != -ENOTTY || o->method == VMA_METHOD_IOCTL)
			return rc;
		vma_list_free(out);
	}
	out->method = VMA_METHOD_TEXT;
	return read_text(maps_fd, out, o->verbatim);
}

static int find_in(const struct vma_list *l, uint64_t addr, struct vma *out)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->v[mid].end <= addr) {
			lo = mid + 1;
		} else if (l->v[mid].start > addr) {
			hi = mid;
		} else {
			*out = l->v[mid];
			out->line = NULL;	/* it points into the list's text */
			out->name = strdup(l->v[mid].name);
			return out->name ? 1 : -ENOMEM;
		}
	}
	return 0;
}

int vma_find(int maps_fd, const struct vma_read_opts *o, uint64_t addr, struct vma *out,
	     enum vma_method *used)
{
	const struct vma *g;
	struct vma_list l;
	struct query *qb;
	int rc;

	if (o->method != VMA_METHOD_TEXT) {
		qb = malloc(sizeof(*qb));
		if (!qb)
			return -ENOMEM;
		rc = query(maps_fd, qb, addr, 0, o->build_id);
		if (!rc)
			rc = from_query(qb, out);
		free(qb);
		*used = VMA_METHOD_IOCTL;
		if (!rc)
			return 1;
		g = gate_vma();
		/* Only the gate VMA can cover addr without the ioctl seeing it. */
		if (rc == -ENOENT && !(g && addr >= g->start && addr < g->end))
			return 0;
		if (rc != -ENOENT && (rc != -ENOTTY || o->method == VMA_METHOD_IOCTL))
			return rc;
	}
	/* A verbatim read keeps no records to look addr up in. */
	rc = vma_read(maps_fd, &(struct vma_read_opts){ .method = o->method, .build_id = o->build_id },
		      &l);
	*used = l.method;
	if (!rc)
		rc = find_in(&l, addr, out);
	vma_list_free(&l);
	return rc;
}
