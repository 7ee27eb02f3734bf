// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nk-safety: a target for pmbind's ptrace method that checks its own state
 * while pmbind injects mbind(2) into it, and reports what it saw.
 *
 * It maps --regions (default 1) anonymous regions of --region-mb (default
 * 16) MiB each, every page touched, a PROT_NONE page on each side so that
 * each region stays a VMA of its own, and above that an unmapped page (a hole
 * at E+1 page, for ranges that are not mapped); it mallocs a little
 * ([heap]), writes "ready S-E [S-E...]\n" (the regions, hex as maps prints
 * them, END exclusive) to --ready, atomically, and runs one --mode until
 * SIGTERM or SIGINT:
 *
 *   regs       a tight loop (x86_64 assembly) that holds known values in
 *              every general register but rsp, in xmm0-xmm7 and in the 128
 *              bytes of red zone below rsp, and compares them on every
 *              iteration; a mismatch counts as corrupt
 *   read       blocks in read(2) on the FIFO --fifo (opened read-write, so
 *              that it never sees end of file); fed by "--mode feed", whose
 *              bytes are the digits 0-9 in turn: a read that fails counts as
 *              eintr or badret, a byte out of sequence as corrupt
 *   nanosleep  nanosleep(100 ms): must return 0 after at least 100 ms
 *   futex      pthread_cond_timedwait (200 ms): 0 or ETIMEDOUT; then a raw
 *              FUTEX_WAIT (200 ms) on a word nobody changes: ETIMEDOUT after
 *              at least 200 ms
 *   epoll      epoll_wait(300 ms) on an empty epoll set: must return 0 after
 *              at least 300 ms
 *   threads    --threads N threads, and the main thread, each in the regs loop
 *   signals    the regs loop, with a SIGUSR1 handler (SA_RESTART) that counts
 *              deliveries; SIGUSR2 is blocked and kept pending from the start
 *              (raised for the thread and sent to the process): the loop
 *              checks that its signal mask is unchanged and that SIGUSR2
 *              stays pending (corrupt otherwise)
 *   feed       not a target: writes one digit every --interval-ms (default 50)
 *              to --fifo, for read mode
 *
 * Every blocking call of the modes above is made by the main thread, the one
 * whose id is the pid: the thread pmbind stops.  SIGTERM and SIGINT are taken
 * by a thread of their own (sigwait), so they never interrupt the main
 * thread's calls.
 *
 *   --seccomp[=KIND]  install a seccomp filter first (after PR_SET_NO_NEW_PRIVS):
 *                     deny-mbind (the default) makes mbind fail with EPERM,
 *                     kill-mbind kills the process on mbind, allow-mbind
 *                     denies acct(2) only and allows mbind
 *   --report FILE     at the end, write (atomically)
 *                     "iterations=N eintr=N corrupt=N badret=N usr1=N\n"
 *
 * Exit status: 0 when eintr, corrupt and badret are all 0, else 1; 2 for bad
 * arguments; 4 when the mode or filter does not exist on this architecture
 * (the register loop is x86_64 only).  It gets SIGTERM when its parent dies
 * (PR_SET_PDEATHSIG).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "tests/workload/workload.h"

/* The register loop is x86_64 assembly; elsewhere the modes using it exit 4. */
#if defined(__x86_64__)
#define NK_REGS_LOOP 1
#define NK_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NK_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#define MAX_THREADS 64
#define MAX_REGIONS 8
#define HEAP_BLOCKS 64
#define REGS_BATCH (1UL << 16)
#define NSEC_PER_MSEC 1000000LL

enum mode { M_NONE, M_REGS, M_READ, M_NANOSLEEP, M_FUTEX, M_EPOLL, M_THREADS, M_SIGNALS, M_FEED };
enum seccomp_kind { SC_NONE, SC_DENY_MBIND, SC_KILL_MBIND, SC_ALLOW_MBIND };

static const char *const mode_names[] = {
	[M_REGS] = "regs",	 [M_READ] = "read",   [M_NANOSLEEP] = "nanosleep",
	[M_FUTEX] = "futex",	 [M_EPOLL] = "epoll", [M_THREADS] = "threads",
	[M_SIGNALS] = "signals", [M_FEED] = "feed",
};

struct options {
	enum mode mode;
	const char *fifo;
	const char *ready;
	const char *report;
	long threads;
	long region_mb;
	long regions;
	long interval_ms;
	enum seccomp_kind seccomp;
};

static struct options opt = { .region_mb = 16, .regions = 1, .interval_ms = 50 };
static int stop; /* __atomic: set by the signal thread */
static int fifo_fd = -1;
static unsigned long long n_iter, n_eintr, n_corrupt, n_badret;
static volatile sig_atomic_t n_usr1;

static void count(unsigned long long *counter, unsigned long long n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

static bool stopping(void)
{
	return __atomic_load_n(&stop, __ATOMIC_ACQUIRE);
}

/*
 * uint64_t nk_regs_loop(uint64_t n, const uint64_t pat[32]): n iterations;
 * returns how many saw a value changed.  pat[0..14]: rax rbx rcx rdx rsi
 * rdi rbp r8-r15; pat[15]: a red-zone word only; pat[16..31]: xmm0-xmm7.
 * Frame above rsp: 0 the count, 8 the mismatches, 32..159 pat[0..15],
 * 160..287 the xmm patterns.  The red zone (-128..-1) holds pat[0..15]:
 * registers are compared with it, and its last word with the frame, so a
 * write into the red zone shows as well.  xmm8 and xmm9 are scratch.
 */
#ifdef NK_REGS_LOOP
uint64_t nk_regs_loop(uint64_t n, const uint64_t *pat);

__asm__(".text\n"
	".globl nk_regs_loop\n"
	".hidden nk_regs_loop\n"
	".type nk_regs_loop, @function\n"
	"nk_regs_loop:\n"
	"	endbr64\n"
	"	push %rbx\n"
	"	push %rbp\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	sub $296, %rsp\n"
	"	mov %rdi, 0(%rsp)\n"
	"	movq $0, 8(%rsp)\n"
	"	xor %ecx, %ecx\n"
	"1:	mov (%rsi,%rcx,8), %rax\n"
	"	mov %rax, 32(%rsp,%rcx,8)\n"
	"	inc %rcx\n"
	"	cmp $32, %rcx\n"
	"	jb 1b\n"
	"	test %rdi, %rdi\n"
	"	jz .Lnk_done\n"
	".Lnk_reload:\n"
	"	xor %ecx, %ecx\n"
	"2:	mov 32(%rsp,%rcx,8), %rax\n"
	"	mov %rax, -128(%rsp,%rcx,8)\n"
	"	inc %rcx\n"
	"	cmp $16, %rcx\n"
	"	jb 2b\n"
	"	movdqu 160(%rsp), %xmm0\n"
	"	movdqu 176(%rsp), %xmm1\n"
	"	movdqu 192(%rsp), %xmm2\n"
	"	movdqu 208(%rsp), %xmm3\n"
	"	movdqu 224(%rsp), %xmm4\n"
	"	movdqu 240(%rsp), %xmm5\n"
	"	movdqu 256(%rsp), %xmm6\n"
	"	movdqu 272(%rsp), %xmm7\n"
	"	mov 32(%rsp), %rax\n"
	"	mov 40(%rsp), %rbx\n"
	"	mov 48(%rsp), %rcx\n"
	"	mov 56(%rsp), %rdx\n"
	"	mov 64(%rsp), %rsi\n"
	"	mov 72(%rsp), %rdi\n"
	"	mov 80(%rsp), %rbp\n"
	"	mov 88(%rsp), %r8\n"
	"	mov 96(%rsp), %r9\n"
	"	mov 104(%rsp), %r10\n"
	"	mov 112(%rsp), %r11\n"
	"	mov 120(%rsp), %r12\n"
	"	mov 128(%rsp), %r13\n"
	"	mov 136(%rsp), %r14\n"
	"	mov 144(%rsp), %r15\n"
	".Lnk_loop:\n"
	"	cmp -128(%rsp), %rax\n"
	"	jne .Lnk_bad\n"
	"	cmp -120(%rsp), %rbx\n"
	"	jne .Lnk_bad\n"
	"	cmp -112(%rsp), %rcx\n"
	"	jne .Lnk_bad\n"
	"	cmp -104(%rsp), %rdx\n"
	"	jne .Lnk_bad\n"
	"	cmp -96(%rsp), %rsi\n"
	"	jne .Lnk_bad\n"
	"	cmp -88(%rsp), %rdi\n"
	"	jne .Lnk_bad\n"
	"	cmp -80(%rsp), %rbp\n"
	"	jne .Lnk_bad\n"
	"	cmp -72(%rsp), %r8\n"
	"	jne .Lnk_bad\n"
	"	cmp -64(%rsp), %r9\n"
	"	jne .Lnk_bad\n"
	"	cmp -56(%rsp), %r10\n"
	"	jne .Lnk_bad\n"
	"	cmp -48(%rsp), %r11\n"
	"	jne .Lnk_bad\n"
	"	cmp -40(%rsp), %r12\n"
	"	jne .Lnk_bad\n"
	"	cmp -32(%rsp), %r13\n"
	"	jne .Lnk_bad\n"
	"	cmp -24(%rsp), %r14\n"
	"	jne .Lnk_bad\n"
	"	cmp -16(%rsp), %r15\n"
	"	jne .Lnk_bad\n"
	"	movq -8(%rsp), %xmm8\n"
	"	movq 152(%rsp), %xmm9\n"
	"	pxor %xmm9, %xmm8\n"
	"	ptest %xmm8, %xmm8\n"
	"	jnz .Lnk_bad\n"
	"	movdqu 160(%rsp), %xmm8\n"
	"	pxor %xmm0, %xmm8\n"
	"	ptest %xmm8, %xmm8\n"
	"	jnz .Lnk_bad\n"
	"	movdqu 176(%rsp), %xmm8\n"
	"	pxor %xmm1, %xmm8\n"
	"	ptest %xmm8, %xmm8\n"
	"	jnz .Lnk_bad\n"
	"	movdqu 192(%rsp), %xmm8\n"
	"	pxor %xmm2, %xmm8\n"
	"	ptest %xmm8, %xmm8\n"
	"	jnz .Lnk_bad\n"
	"	movdqu 208(%rsp), %xmm8\n"
	"	pxor %xmm3, %xmm8\n"
	"	ptest %xmm8, %xmm8\n"
	"	jnz .Lnk_bad\n"
	"	movdqu 224(%rsp), %xmm8\n"
	"	pxor %xmm4, %xmm8\n"
	"	ptest %xmm8, %xmm8\n"
	"	jnz .Lnk_bad\n"
	"	movdqu 240(%rsp), %xmm8\n"
	"	pxor %xmm5, %xmm8\n"
	"	ptest %xmm8, %xmm8\n"
	"	jnz .Lnk_bad\n"
	"	movdqu 256(%rsp), %xmm8\n"
	"	pxor %xmm6, %xmm8\n"
	"	ptest %xmm8, %xmm8\n"
	"	jnz .Lnk_bad\n"
	"	movdqu 272(%rsp), %xmm8\n"
	"	pxor %xmm7, %xmm8\n"
	"	ptest %xmm8, %xmm8\n"
	"	jnz .Lnk_bad\n"
	"	decq 0(%rsp)\n"
	"	jnz .Lnk_loop\n"
	"	jmp .Lnk_done\n"
	".Lnk_bad:\n"
	"	incq 8(%rsp)\n"
	"	decq 0(%rsp)\n"
	"	jnz .Lnk_reload\n"
	".Lnk_done:\n"
	"	mov 8(%rsp), %rax\n"
	"	add $296, %rsp\n"
	"	pop %r15\n"
	"	pop %r14\n"
	"	pop %r13\n"
	"	pop %r12\n"
	"	pop %rbp\n"
	"	pop %rbx\n"
	"	ret\n"
	".size nk_regs_loop, .-nk_regs_loop\n");
#endif

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Fill PAT with values that differ per thread and per batch. */
static void make_patterns(uint64_t *pat, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 0x243f6a8885a308d3ULL;
	int i;

	for (i = 0; i < 32; i++) {
		/* xorshift64*: no two words alike, none zero. */
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		pat[i] = x * 0x2545f4914f6cdd1dULL;
	}
}

/* One batch of the regs loop; count iterations and mismatches. */
static void regs_batch(uint64_t seed)
{
	uint64_t pat[32];

	make_patterns(pat, seed);
#ifdef NK_REGS_LOOP
	count(&n_corrupt, nk_regs_loop(REGS_BATCH, pat));
	count(&n_iter, REGS_BATCH);
#else
	abort(); /* refused by parse_args */
#endif
}

static void *regs_thread(void *arg)
{
	uint64_t seed = (uintptr_t)arg << 32;

	while (!stopping())
		regs_batch(seed++);
	return NULL;
}

static void run_regs(void)
{
	uint64_t seed = 0;

	while (!stopping())
		regs_batch(seed++);
}

static pthread_t workers[MAX_THREADS];

/* Before "ready": the test sees every thread from the start. */
static void start_workers(void)
{
	long i;
	int e;

	for (i = 0; i < opt.threads; i++) {
		e = pthread_create(&workers[i], NULL, regs_thread, (void *)(uintptr_t)(i + 1));
		if (e) {
			errno = e;
			err(1, "cannot create thread %ld", i);
		}
	}
}

static void run_threads(void)
{
	long i;

	run_regs();
	for (i = 0; i < opt.threads; i++)
		pthread_join(workers[i], NULL);
}

/* Count the outcome of a call that failed with ERR. */
static void failed_call(int err)
{
	count(err == EINTR ? &n_eintr : &n_badret, 1);
}

static void run_read(void)
{
	unsigned char buf[64];
	int expect = -1;
	ssize_t r, i;

	while (!stopping()) {
		r = read(fifo_fd, buf, sizeof(buf));
		if (r < 0) {
			failed_call(errno);
			continue;
		}
		/* Opened read-write: end of file cannot happen. */
		if (r == 0 || r > (ssize_t)sizeof(buf)) {
			count(&n_badret, 1);
			continue;
		}
		count(&n_iter, 1);
		for (i = 0; i < r; i++) {
			if (buf[i] == 'Q' && stopping())
				return;
			if (buf[i] < '0' || buf[i] > '9' || (expect >= 0 && buf[i] != expect))
				count(&n_corrupt, 1);
			expect = buf[i] == '9' ? '0' : buf[i] + 1;
		}
	}
}

static void run_nanosleep(void)
{
	const struct timespec ts = { 0, 100 * NSEC_PER_MSEC };
	long long t0;

	while (!stopping()) {
		t0 = now_ns();
		if (nanosleep(&ts, NULL))
			failed_call(errno);
		else if (now_ns() - t0 < 100 * NSEC_PER_MSEC)
			count(&n_badret, 1);
		else
			count(&n_iter, 1);
	}
}

static void run_futex(void)
{
	pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
	const struct timespec rel = { 0, 200 * NSEC_PER_MSEC };
	uint32_t word = 0;
	struct timespec abs;
	long long t0;
	long r;
	int e;

	while (!stopping()) {
		clock_gettime(CLOCK_REALTIME, &abs);
		abs.tv_nsec += 200 * NSEC_PER_MSEC;
		if (abs.tv_nsec >= 1000000000L) {
			abs.tv_sec++;
			abs.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&mutex);
		e = pthread_cond_timedwait(&cond, &mutex, &abs);
		pthread_mutex_unlock(&mutex);
		if (e && e != ETIMEDOUT) {
			failed_call(e);
			continue;
		}
		t0 = now_ns();
		r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0);
		/* Nobody wakes it: it must time out, and not early. */
		if (r != 0 && errno != ETIMEDOUT)
			failed_call(errno);
		else if (r == 0 || now_ns() - t0 < 200 * NSEC_PER_MSEC)
			count(&n_badret, 1);
		else
			count(&n_iter, 1);
	}
}

static void run_epoll(void)
{
	struct epoll_event ev[4];
	long long t0;
	int efd, r;

	efd = epoll_create1(EPOLL_CLOEXEC);
	if (efd < 0)
		err(1, "epoll_create1");
	while (!stopping()) {
		t0 = now_ns();
		r = epoll_wait(efd, ev, 4, 300);
		if (r < 0)
			failed_call(errno);
		else if (r != 0 || now_ns() - t0 < 300 * NSEC_PER_MSEC)
			count(&n_badret, 1);
		else
			count(&n_iter, 1);
	}
	close(efd);
}

static void on_usr1(int sig)
{
	(void)sig;
	n_usr1 = n_usr1 + 1;
}

/* The signal mask of the main thread while it runs: SIG_BLOCK'ed at start. */
static sigset_t main_mask;

static bool mask_unchanged(void)
{
	sigset_t cur, pend;
	int s;

	sigemptyset(&cur);
	sigemptyset(&pend);
	if (pthread_sigmask(SIG_SETMASK, NULL, &cur) || sigpending(&pend))
		return false;
	for (s = 1; s < SIGRTMIN; s++)
		if (sigismember(&cur, s) != sigismember(&main_mask, s))
			return false;
	return sigismember(&pend, SIGUSR2) == 1;
}

static void run_signals(void)
{
	uint64_t seed = 0;

	while (!stopping()) {
		regs_batch(seed++);
		if (!mask_unchanged())
			count(&n_corrupt, 1);
	}
}

static void run_feed(void)
{
	const struct timespec ts = { opt.interval_ms / 1000,
				     opt.interval_ms % 1000 * NSEC_PER_MSEC };
	char c = '0';
	int fd;

	signal(SIGPIPE, SIG_IGN);
	fd = open(opt.fifo, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		err(1, "cannot open '%s'", opt.fifo);
	while (!stopping()) {
		if (write(fd, &c, 1) != 1)
			err(1, "cannot write to '%s'", opt.fifo);
		count(&n_iter, 1);
		c = c == '9' ? '0' : c + 1;
		nanosleep(&ts, NULL);
	}
	close(fd);
}

static void *signal_thread(void *arg)
{
	sigset_t set;
	int sig;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	while (sigwait(&set, &sig))
		;
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	/* Wake the reader: the FIFO is open read-write, this byte ends it. */
	if (fifo_fd >= 0 && opt.mode == M_READ && write(fifo_fd, "Q", 1) != 1)
		warn("cannot wake the reader");
	return NULL;
}

/* Map the regions, touch them, and print them as "S-E S-E..." into BUF. */
static void map_regions(char *buf, size_t size)
{
	size_t page = sysconf(_SC_PAGESIZE), len = (size_t)opt.region_mb << 20, off, n = 0;
	char *p;
	long i;

	for (i = 0; i < opt.regions; i++) {
		p = mmap(NULL, len + 3 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			err(1, "cannot map %zu bytes", len + 3 * page);
		p += page;
		if (mprotect(p, len, PROT_READ | PROT_WRITE))
			err(1, "mprotect");
		if (munmap(p + len + page, page))
			err(1, "munmap");
		for (off = 0; off < len; off += page)
			p[off] = (char)(off / page + 1);
		n += snprintf(buf + n, size - n, " %lx-%lx", (unsigned long)p,
			      (unsigned long)(p + len));
		if (n >= size)
			errx(1, "too many regions");
	}
}

/* Small blocks come from brk: a [heap] VMA. */
static void map_heap(void)
{
	int i;

	for (i = 0; i < HEAP_BLOCKS; i++) {
		char *p = malloc(4096);

		if (!p)
			err(1, "malloc");
		memset(p, i + 1, 4096);
	}
}

static void install_seccomp(enum seccomp_kind kind)
{
#ifndef NK_AUDIT_ARCH
	errx(4, "--seccomp: no filter for this architecture");
#else
	unsigned int nr = kind == SC_ALLOW_MBIND ? __NR_acct : __NR_mbind;
	unsigned int ret = kind == SC_KILL_MBIND ? SECCOMP_RET_KILL_PROCESS :
						   SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA);
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NK_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, ret),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(filter) / sizeof(filter[0]), .filter = filter };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		err(1, "prctl PR_SET_NO_NEW_PRIVS");
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0))
		err(1, "prctl PR_SET_SECCOMP");
#endif
}

static enum mode parse_mode(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (mode_names[i] && !strcmp(s, mode_names[i]))
			return (enum mode)i;
	errx(2, "invalid --mode '%s'", s);
}

static enum seccomp_kind parse_seccomp(const char *s)
{
	if (!s || !strcmp(s, "deny-mbind"))
		return SC_DENY_MBIND;
	if (!strcmp(s, "kill-mbind"))
		return SC_KILL_MBIND;
	if (!strcmp(s, "allow-mbind"))
		return SC_ALLOW_MBIND;
	errx(2, "invalid --seccomp '%s'", s);
}

static void usage(FILE *out, int status)
{
	fprintf(out,
		"usage: %s --mode regs|read|nanosleep|futex|epoll|threads|signals|feed\n"
		"       [--fifo PATH] [--threads N] [--region-mb N] [--regions N]\n"
		"       [--interval-ms N] [--seccomp[=deny-mbind|kill-mbind|allow-mbind]]\n"
		"       [--ready FILE] [--report FILE]\n",
		program_invocation_short_name);
	exit(status);
}

static void parse_args(int argc, char **argv)
{
	enum {
		O_MODE = 256,
		O_FIFO,
		O_THREADS,
		O_REGION_MB,
		O_REGIONS,
		O_INTERVAL,
		O_SECCOMP,
		O_READY,
		O_REPORT
	};
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, O_MODE },
		{ "fifo", required_argument, NULL, O_FIFO },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "region-mb", required_argument, NULL, O_REGION_MB },
		{ "regions", required_argument, NULL, O_REGIONS },
		{ "interval-ms", required_argument, NULL, O_INTERVAL },
		{ "seccomp", optional_argument, NULL, O_SECCOMP },
		{ "ready", required_argument, NULL, O_READY },
		{ "report", required_argument, NULL, O_REPORT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_MODE:
			opt.mode = parse_mode(optarg);
			break;
		case O_FIFO:
			opt.fifo = optarg;
			break;
		case O_THREADS:
			opt.threads = parse_long("--threads", optarg, 0, MAX_THREADS);
			break;
		case O_REGION_MB:
			opt.region_mb = parse_long("--region-mb", optarg, 1, 4096);
			break;
		case O_REGIONS:
			opt.regions = parse_long("--regions", optarg, 0, MAX_REGIONS);
			break;
		case O_INTERVAL:
			opt.interval_ms = parse_long("--interval-ms", optarg, 1, 60000);
			break;
		case O_SECCOMP:
			opt.seccomp = parse_seccomp(optarg);
			break;
		case O_READY:
			opt.ready = optarg;
			break;
		case O_REPORT:
			opt.report = optarg;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (optind < argc)
		errx(2, "unexpected argument '%s'", argv[optind]);
	if (opt.mode == M_NONE)
		errx(2, "--mode is required");
	if ((opt.mode == M_READ || opt.mode == M_FEED) && !opt.fifo)
		errx(2, "--mode %s needs --fifo", mode_names[opt.mode]);
#ifndef NK_REGS_LOOP
	if (opt.mode == M_REGS || opt.mode == M_THREADS || opt.mode == M_SIGNALS)
		errx(4, "--mode %s: the register loop is x86_64 only", mode_names[opt.mode]);
#endif
}

/*
 * Block SIGTERM and SIGINT (the signal thread takes them), SIGUSR1 outside
 * the main thread of signals mode, and SIGUSR2, kept pending in signals mode.
 */
static void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	if (pthread_sigmask(SIG_BLOCK, &block, NULL))
		errx(1, "pthread_sigmask");
	if (opt.mode != M_SIGNALS)
		return;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		err(1, "sigaction");
	if (raise(SIGUSR2) || kill(getpid(), SIGUSR2))
		err(1, "cannot make SIGUSR2 pending");
}

int main(int argc, char **argv)
{
	char ready[64 + MAX_REGIONS * 40] = "ready", report[256];
	pthread_t sigthread;
	sigset_t unblock;
	int e;

	parse_args(argc, argv);
	setup_signals();
	watch_parent();
	if (opt.mode != M_FEED) {
		map_heap();
		map_regions(ready + 5, sizeof(ready) - 6);
	}
	strcat(ready, "\n");
	if (opt.mode == M_READ) {
		fifo_fd = open(opt.fifo, O_RDWR | O_CLOEXEC);
		if (fifo_fd < 0)
			err(1, "cannot open '%s'", opt.fifo);
	}
	if (opt.seccomp != SC_NONE)
		install_seccomp(opt.seccomp);
	e = pthread_create(&sigthread, NULL, signal_thread, NULL);
	if (e) {
		errno = e;
		err(1, "cannot create the signal thread");
	}
	if (opt.mode == M_SIGNALS) {
		sigemptyset(&unblock);
		sigaddset(&unblock, SIGUSR1);
		if (pthread_sigmask(SIG_UNBLOCK, &unblock, NULL))
			errx(1, "pthread_sigmask");
	}
	sigemptyset(&main_mask);
	if (pthread_sigmask(SIG_SETMASK, NULL, &main_mask))
		errx(1, "pthread_sigmask");
	if (opt.mode == M_THREADS)
		start_workers();
	if (opt.ready)
		write_atomic(opt.ready, ready);

	switch (opt.mode) {
	case M_REGS:
		run_regs();
		break;
	case M_READ:
		run_read();
		break;
	case M_NANOSLEEP:
		run_nanosleep();
		break;
	case M_FUTEX:
		run_futex();
		break;
	case M_EPOLL:
		run_epoll();
		break;
	case M_THREADS:
		run_threads();
		break;
	case M_SIGNALS:
		run_signals();
		break;
	case M_FEED:
		run_feed();
		break;
	case M_NONE:
		break;
	}
	pthread_join(sigthread, NULL);

	snprintf(report, sizeof(report),
		 "iterations=%llu eintr=%llu corrupt=%llu badret=%llu usr1=%d\n", n_iter, n_eintr,
		 n_corrupt, n_badret, (int)n_usr1);
	if (opt.report)
		write_atomic(opt.report, report);
	return n_eintr || n_corrupt || n_badret ? 1 : 0;
}
