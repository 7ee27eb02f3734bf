// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * process_mbind_shim: an LD_PRELOAD object that stands in for the
 * process_mbind(2) syscall this kernel lacks, so that the tests can see what
 * pmbind passes to it.  It interposes libc's syscall(): a call whose number
 * is $PMBIND_SHIM_NR is not made but recorded, one line per call appended to
 * the file $PMBIND_SHIM_LOG:
 *
 *   pid=PID vlen=N iov=0xSTART+LEN[,0xSTART+LEN...] mode=M nodes=LIST flags=F
 *
 * PID is the pid the pidfd refers to (the "Pid:" line of
 * /proc/self/fdinfo/FD; "?" when it cannot be read), LEN and M and F are
 * decimal, LIST is the set bits of the 1024-bit nodemask ("0,3"; "none" when
 * no bit is set, "null" for a null pointer, "short" when the memory is
 * shorter than 128 bytes, as far as AddressSanitizer can tell).  The call
 * then returns 0, or -1 with errno $PMBIND_SHIM_ERRNO when that is set (a
 * number, or one of ENOSYS EPERM EINVAL EFAULT ESRCH ENOMEM EIO).
 * Every other number goes to the real syscall() with six arguments.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define SHIM_NODES 1024
#define SHIM_BITS_PER_LONG (8 * sizeof(unsigned long))
#define SHIM_LINE 8192

typedef long (*syscall_fn)(long, ...);
/* AddressSanitizer's query, present when pmbind is built with SANITIZE=1. */
typedef void *(*poisoned_fn)(const volatile void *, size_t);

static long env_long(const char *name, long fallback)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return fallback;
	errno = 0;
	v = strtol(s, &end, 0);
	return errno || *end ? fallback : v;
}

static int shim_errno(void)
{
	static const struct {
		const char *name;
		int value;
	} names[] = {
		{ "ENOSYS", ENOSYS }, { "EPERM", EPERM }, { "EINVAL", EINVAL },
		{ "EFAULT", EFAULT }, { "ESRCH", ESRCH }, { "ENOMEM", ENOMEM },
		{ "EIO", EIO },
	};
	const char *s = getenv("PMBIND_SHIM_ERRNO");
	size_t i;

	if (!s || !*s)
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name))
			return names[i].value;
	return (int)env_long("PMBIND_SHIM_ERRNO", EINVAL);
}

/* The pid that pidfd FD refers to, or -1. */
static long pidfd_pid(int fd)
{
	char path[64], buf[4096];
	const char *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "\nPid:");
	return p ? strtol(p + 5, NULL, 10) : -1;
}

/* True if [P, P+LEN) is not all addressable memory of pmbind (ASan only). */
static int short_memory(const void *p, size_t len)
{
	poisoned_fn poisoned =
		(poisoned_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "__asan_region_is_poisoned");

	return poisoned && poisoned(p, len) != NULL;
}

static size_t put(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Append to BUF (SHIM_LINE bytes) at N; return the new length. */
static size_t put(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (n >= SHIM_LINE)
		return n;
	va_start(ap, fmt);
	r = vsnprintf(buf + n, SHIM_LINE - n, fmt, ap);
	va_end(ap);
	return r < 0 ? n : n + (size_t)r;
}

static void record(long a[6])
{
	const struct iovec *iov = (const struct iovec *)a[1];
	const unsigned long *mask = (const unsigned long *)a[4];
	size_t vlen = (size_t)a[2], n = 0, i, bits = 0;
	const char *log = getenv("PMBIND_SHIM_LOG");
	char line[SHIM_LINE];
	long pid;
	int fd;

	pid = pidfd_pid((int)a[0]);
	if (pid >= 0)
		n = put(line, n, "pid=%ld", pid);
	else
		n = put(line, n, "pid=?");
	n = put(line, n, " vlen=%zu iov=", vlen);
	if (!iov || vlen > 1024 || short_memory(iov, vlen * sizeof(*iov)))
		n = put(line, n, "bad");
	for (i = 0; iov && vlen <= 1024 && i < vlen && !short_memory(iov, vlen * sizeof(*iov)); i++)
		n = put(line, n, "%s%#lx+%zu", i ? "," : "", (unsigned long)iov[i].iov_base,
			iov[i].iov_len);
	n = put(line, n, " mode=%lu nodes=", (unsigned long)a[3]);
	if (!mask) {
		n = put(line, n, "null");
	} else if (short_memory(mask, SHIM_NODES / 8)) {
		n = put(line, n, "short");
	} else {
		for (i = 0; i < SHIM_NODES; i++) {
			if (!(mask[i / SHIM_BITS_PER_LONG] & (1UL << (i % SHIM_BITS_PER_LONG))))
				continue;
			n = put(line, n, "%s%zu", bits++ ? "," : "", i);
		}
		if (!bits)
			n = put(line, n, "none");
	}
	n = put(line, n, " flags=%lu\n", (unsigned long)a[5]);
	if (n >= SHIM_LINE)
		n = SHIM_LINE - 1;
	if (!log)
		return;
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, n) != (ssize_t)n)
		(void)0; /* the test sees a short log */
	close(fd);
}

long syscall(long nr, ...)
{
	static syscall_fn real;
	long a[6], want = env_long("PMBIND_SHIM_NR", -1);
	va_list ap;
	int i, e, saved;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (want >= 0 && nr == want) {
		saved = errno;
		record(a);
		e = shim_errno();
		errno = e ? e : saved;
		return e ? -1 : 0;
	}
	if (!real)
		real = (syscall_fn)(uintptr_t)dlsym(RTLD_NEXT, "syscall");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
