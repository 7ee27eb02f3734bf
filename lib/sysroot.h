/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NUMAKIT_SYSROOT_H
#define NUMAKIT_SYSROOT_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Every read of /proc and /sys goes through here, so that --sysroot DIR makes
 * a tool read a captured tree instead of the live system.  Paths are given
 * absolute ("/proc/42/maps"); printf-style where it saves a buffer.
 */
int sysroot_set(const char *dir);		/* 0 or -errno (dir must be a directory) */
void sysroot_reset(void);			/* back to the live system */
const char *sysroot_get(void);			/* NULL when live */
int sysroot_is_live(void);

/* Writes DIR + path into buf; -ENAMETOOLONG if it does not fit. */
int sysroot_path(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

int sysroot_open(int flags, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write value with one write(2), as sysfs wants it; 0 or -errno. */
int sysroot_write(const char *value, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
FILE *sysroot_fopen(const char *mode, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
DIR *sysroot_opendir(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* readdir(3), asked again when interrupted (EINTR), not taken for the end. */
struct dirent *sysroot_readdir(DIR *d);
int sysroot_exists(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Read a whole file (any size; /proc files report st_size 0) into a
 * NUL-terminated malloc'd buffer.  Returns the length or -errno.
 */
ssize_t sysroot_read_fd(int fd, char **buf);
ssize_t sysroot_read_file(char **buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* First line of a small file, trailing newline removed; length or -errno. */
ssize_t sysroot_read_line_fd(int fd, char *buf, size_t size);
ssize_t sysroot_read_line(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A file holding one integer (decimal, or 0x hex); 0 or -errno (-EINVAL for junk). */
int sysroot_read_u64(uint64_t *val, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
