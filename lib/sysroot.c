// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/msg.h"
#include "lib/parse.h"
#include "lib/sysroot.h"
#include "lib/testhook.h"

static char *root;

int sysroot_set(const char *dir)
{
	struct stat st;
	char *r;

	if (!dir || !*dir) {
		errno = EINVAL;
		return -EINVAL;
	}
	if (stat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -ENOTDIR;
	}
	r = strdup(dir);
	if (!r)
		return -ENOMEM;
	/* "/" means the live system; a trailing slash would double up. */
	while (strlen(r) > 1 && r[strlen(r) - 1] == '/')
		r[strlen(r) - 1] = '\0';
	free(root);
	root = strcmp(r, "/") ? r : (free(r), NULL);
	return 0;
}

void sysroot_reset(void)
{
	free(root);
	root = NULL;
}

const char *sysroot_get(void)
{
	return root;
}

int sysroot_is_live(void)
{
	return root == NULL;
}

static int vpath(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static int vpath(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t off = 0;
	int n;

	if (root) {
		off = strlen(root);
		if (off >= size)
			return -ENAMETOOLONG;
		memcpy(buf, root, off);
	}
	n = vsnprintf(buf + off, size - off, fmt, ap);
	if (n < 0 || (size_t)n >= size - off)
		return -ENAMETOOLONG;
	return 0;
}

int sysroot_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vpath(buf, size, fmt, ap);
	va_end(ap);
	return rc;
}

#define WITH_PATH(fmt, path, fail)				\
	char path[4096];					\
	do {							\
		va_list ap_;					\
		int rc_;					\
		va_start(ap_, fmt);				\
		rc_ = vpath(path, sizeof(path), fmt, ap_);	\
		va_end(ap_);					\
		if (rc_ < 0) {					\
			errno = -rc_;				\
			fail;					\
		}						\
	} while (0)

/*
 * open(2) may fail with EINTR when a handled signal arrives (a FUSE or NFS
 * path, a FIFO): that is no answer about the file, so ask again.
 */
static int open_retry(const char *path, int flags)
{
	int fd;

	do
		fd = open(path, flags | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	return fd;
}

int sysroot_open(int flags, const char *fmt, ...)
{
	int fd;

	WITH_PATH(fmt, path, return -errno);
	fd = open_retry(path, flags);
	return fd < 0 ? -errno : fd;
}

/*
 * sysfs takes one write(2) of the value; O_TRUNC is ignored there and keeps
 * a captured tree (--sysroot) from holding the tail of a longer old value.
 */
int sysroot_write(const char *value, const char *fmt, ...)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd, err;

	WITH_PATH(fmt, path, return -errno);
	fd = open_retry(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	err = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) && !err && errno != EINTR)
		err = -errno;
	return err;
}

FILE *sysroot_fopen(const char *mode, const char *fmt, ...)
{
	char m[8];

	WITH_PATH(fmt, path, return NULL);
	FILE *f;

	snprintf(m, sizeof(m), "%se", mode);
	do
		f = fopen(path, m);
	while (!f && errno == EINTR);
	return f;
}

DIR *sysroot_opendir(const char *fmt, ...)
{
	DIR *d;

	WITH_PATH(fmt, path, return NULL);
	do
		d = opendir(path);
	while (!d && errno == EINTR);
	return d;
}

struct dirent *sysroot_readdir(DIR *d)
{
	struct dirent *de;

	/* A getdents64 that failed did not move the position: the next call goes on. */
	do {
		errno = 0;
		de = readdir(d);
	} while (!de && errno == EINTR);
	return de;
}

int sysroot_exists(const char *fmt, ...)
{
	WITH_PATH(fmt, path, return 0);
	return access(path, F_OK) == 0;
}

ssize_t sysroot_read_fd(int fd, char **buf)
{
	size_t cap = 4096, len = 0;
	char *b = malloc(cap), *nb;
	ssize_t n;

	if (!b)
		return -ENOMEM;
	for (;;) {
		if (cap - len < 2048) {
			nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
		n = read(fd, b + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			free(b);
			return n;
		}
		if (n == 0)
			break;
		len += n;
		testhook_point("read-chunk");
	}
	b[len] = '\0';
	*buf = b;
	return len;
}

ssize_t sysroot_read_file(char **buf, const char *fmt, ...)
{
	ssize_t rc;
	int fd;

	WITH_PATH(fmt, path, return -errno);
	fd = open_retry(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	rc = sysroot_read_fd(fd, buf);
	close(fd);
	return rc;
}

ssize_t sysroot_read_line_fd(int fd, char *buf, size_t size)
{
	ssize_t n;

	if (size == 0)
		return -EINVAL;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return strlen(buf);
}

/* path already has the sysroot in front. */
static ssize_t read_line_at(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open_retry(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = sysroot_read_line_fd(fd, buf, size);
	close(fd);
	return n;
}

ssize_t sysroot_read_line(char *buf, size_t size, const char *fmt, ...)
{
	WITH_PATH(fmt, path, return -errno);
	return read_line_at(path, buf, size);
}

int sysroot_read_u64(uint64_t *val, const char *fmt, ...)
{
	char line[64];
	ssize_t n;

	WITH_PATH(fmt, path, return -errno);
	n = read_line_at(path, line, sizeof(line));
	if (n < 0)
		return n;
	return parse_u64(line, val, 0, UINT64_MAX);
}
