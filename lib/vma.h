/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NUMAKIT_VMA_H
#define NUMAKIT_VMA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Permission bits: the PROCMAP_QUERY_VMA_* values of include/uapi/linux/fs.h. */
enum {
	VMA_READ = 0x1,
	VMA_WRITE = 0x2,
	VMA_EXEC = 0x4,
	VMA_SHARED = 0x8,
};

/* BUILD_ID_SIZE_MAX of include/linux/buildid.h: what PROCMAP_QUERY can return. */
#define VMA_BUILD_ID_MAX 20

struct vma {
	uint64_t start;
	uint64_t end;
	uint64_t offset;	/* bytes into the file; 0 without a file */
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t perms;		/* VMA_* */
	uint32_t build_id_size;	/* 0: none or not asked */
	uint64_t page_size;	/* from the ioctl; 0 when the text backend cannot tell */
	char *name;		/* as /proc/PID/maps prints it ("\n" escaped as "\012"); "" if none */
	const char *line;	/* the kernel's own line, newline included (text backend), or NULL */
	size_t line_len;
	unsigned char build_id[VMA_BUILD_ID_MAX];
};

enum vma_method {
	VMA_METHOD_AUTO,
	VMA_METHOD_IOCTL,
	VMA_METHOD_TEXT,
};

/* An older record that a newer one overlapped (see vma_list_add()). */
struct vma_drop {
	struct vma v;		/* the older record as it was read */
	uint64_t cut_to;	/* 0: dropped whole; else kept as [v.start, cut_to) */
	uint64_t by_start;	/* the newer record that overlapped it */
	uint64_t by_end;
};

/*
 * An address space as read: sorted, never overlapping.  Reading is not
 * atomic, so a record that overlaps or goes behind what was already read
 * (a VMA split, merged or resized meanwhile) wins over the older records it
 * collides with; those are listed in `dropped` for --check.
 */
struct vma_list {
	struct vma *v;
	size_t n;
	size_t cap;
	struct vma_drop *dropped;
	size_t ndropped;
	size_t dropped_cap;
	enum vma_method method;	/* the backend that was used */
	char *text;		/* what the text backend read; vma.line points into it */
	size_t text_len;
	size_t text_cap;
	/*
	 * Set only when asked (vma_read_opts.verbatim) and the text needed no
	 * repair: every record in order, none overlapping.  `text` is then the
	 * dump as the kernel printed it, `nverbatim` records, and v is empty.
	 * Only START, END and the permissions of each line are checked: the
	 * rest is printed as the kernel wrote it, never parsed.
	 */
	int verbatim;
	size_t nverbatim;
};

struct vma_read_opts {
	enum vma_method method;
	int build_id;		/* ask the ioctl for build ids */
	int verbatim;		/* text backend: keep a coherent text unparsed (see vma_list) */
};

/*
 * Read every VMA from an open /proc/PID/maps.  auto uses PROCMAP_QUERY and
 * falls back to the text when the kernel lacks it; an explicit ioctl
 * request returns -ENOTTY then.  Other errors are -errno (-ESRCH: the
 * address space is gone).
 */
int vma_read(int maps_fd, const struct vma_read_opts *o, struct vma_list *out);
/*
 * Only the VMA covering addr (1 found, 0 none, -errno).  Uses one ioctl
 * when it can, else reads the text.
 */
int vma_find(int maps_fd, const struct vma_read_opts *o, uint64_t addr, struct vma *out,
	     enum vma_method *used);
/* 1 if the running kernel has the PROCMAP_QUERY ioctl on this maps fd. */
int vma_has_ioctl(int maps_fd);

/* Append with the coherence rule above (the list takes the name). 0 or -ENOMEM. */
int vma_list_add(struct vma_list *l, const struct vma *v);
void vma_list_free(struct vma_list *l);
void vma_free(struct vma *v);

/* One line of /proc/PID/maps into *v (name strdup'ed); 0 or -EINVAL. */
int vma_parse_line(const char *line, size_t len, struct vma *v);
/*
 * Format *v exactly as /proc/PID/maps does, newline included; returns the
 * length, or the length it would need (as snprintf) when size is too small.
 */
size_t vma_format_line(const struct vma *v, char *buf, size_t size);
/* "r-xp" */
void vma_perms_str(uint32_t perms, char out[5]);
/* A file behind the mapping (the kernel's vm_file): dev or inode set. */
int vma_is_file(const struct vma *v);
/* Anonymous memory: no file and no name, [heap], [stack...] or [anon:...]. */
int vma_is_anon(const struct vma *v);

const char *vma_method_name(enum vma_method m);

#endif
