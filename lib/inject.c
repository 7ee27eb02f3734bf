// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Remote system calls through ptrace.  The order of events matters more
 * than anything else here; each step says why it is where it is.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/inject.h"
#include "lib/parse.h"
#include "lib/seccomp.h"
#include "lib/sysroot.h"
#include "lib/testhook.h"
#include "lib/vma.h"

#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

/* ---- architecture ---- */

#if defined(__x86_64__)
#include <sys/user.h>

typedef struct user_regs_struct arch_regs;
static const unsigned char syscall_insn[] = { 0x0f, 0x05 };	/* syscall */
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_X86_64
#define RED_ZONE 128

static void arch_set_call(arch_regs *r, uint64_t ip, long nr, const long a[6])
{
	r->rip = ip;
	r->rax = nr;
	/* Not in a syscall: no restart logic may touch these registers. */
	r->orig_rax = -1;
	r->rdi = a[0];
	r->rsi = a[1];
	r->rdx = a[2];
	r->r10 = a[3];
	r->r8 = a[4];
	r->r9 = a[5];
}

static long arch_ret(const arch_regs *r)
{
	return r->rax;
}

static uint64_t arch_sp(const arch_regs *r)
{
	return r->rsp;
}

static uint64_t arch_ip(const arch_regs *r)
{
	return r->rip;
}

static long arch_syscall_no(const struct inject *in, const arch_regs *r)
{
	return (long)r->orig_rax;
}

/* x86-64 keeps the syscall number in orig_rax, among the registers. */
static int arch_get_extra(struct inject *in)
{
	return 0;
}

static int arch_set_extra(struct inject *in, long syscall_no)
{
	return 0;
}

/* The syscall arguments survive in rdi..r9: the kernel's restart is exact. */
static int arch_restart_safe(const struct inject *in)
{
	return 1;
}

/*
 * These fail with EINTR when their thread merely stops (signal(7),
 * "Interruption of system calls ... by stop signals"), a ptrace interrupt
 * included: re-run them instead, as if the stop had not happened.
 */
static int arch_rerun_eintr(arch_regs *r)
{
	static const long calls[] = { 232 /* epoll_wait */, 281 /* epoll_pwait */,
				      441 /* epoll_pwait2 */, 65 /* semop */,
				      220 /* semtimedop */, 128 /* rt_sigtimedwait */ };
	size_t i;

	if ((long)r->rax != -EINTR)
		return 0;
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if ((long)r->orig_rax == calls[i]) {
			r->rax = r->orig_rax;
			r->rip -= sizeof(syscall_insn);
			r->orig_rax = -1;
			return 1;
		}
	}
	return 0;
}

#elif defined(__aarch64__)
#include <asm/ptrace.h>

typedef struct user_pt_regs arch_regs;
static const unsigned char syscall_insn[] = { 0x01, 0x00, 0x00, 0xd4 };	/* svc #0 */
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_AARCH64
#define RED_ZONE 0

static void arch_set_call(arch_regs *r, uint64_t ip, long nr, const long a[6])
{
	int i;

	r->pc = ip;
	r->regs[8] = nr;
	for (i = 0; i < 6; i++)
		r->regs[i] = a[i];
}

static long arch_ret(const arch_regs *r)
{
	return r->regs[0];
}

static uint64_t arch_sp(const arch_regs *r)
{
	return r->sp;
}

static uint64_t arch_ip(const arch_regs *r)
{
	return r->pc;
}

static long arch_syscall_no(const struct inject *in, const arch_regs *r)
{
	return in->syscall_no;
}

/* arm64 keeps the syscall number in its own regset. */
static int arch_get_extra(struct inject *in)
{
	int no;
	struct iovec iov = { &no, sizeof(no) };

	if (ptrace(PTRACE_GETREGSET, in->tid, NT_ARM_SYSTEM_CALL, &iov) < 0)
		return -errno;
	in->syscall_no = no;
	return 0;
}

static int arch_set_extra(struct inject *in, long syscall_no)
{
	int no = syscall_no;
	struct iovec iov = { &no, sizeof(no) };

	return ptrace(PTRACE_SETREGSET, in->tid, NT_ARM_SYSTEM_CALL, &iov) < 0 ? -errno : 0;
}

/*
 * arm64 restarts a syscall with x0 taken from orig_x0, which ptrace cannot
 * read or write and which our own syscall overwrites.  A thread stopped
 * inside a restartable syscall therefore cannot be injected exactly.
 */
static int arch_restart_safe(const struct inject *in)
{
	const arch_regs *r = (const arch_regs *)in->regs;
	long x0 = (long)r->regs[0];

	return in->syscall_no < 0 || (x0 != -ERESTARTSYS && x0 != -ERESTARTNOINTR &&
				      x0 != -ERESTARTNOHAND && x0 != -ERESTART_RESTARTBLOCK);
}

/* Re-running a syscall needs its x0, which orig_x0 alone still holds. */
static int arch_rerun_eintr(arch_regs *r)
{
	return 0;
}

#else
#error "pmbind's ptrace method supports x86_64 and aarch64"
#endif

/* ---- registers and memory ---- */

static int get_regs(struct inject *in, arch_regs *r)
{
	struct iovec iov = { r, sizeof(*r) };

	return ptrace(PTRACE_GETREGSET, in->tid, NT_PRSTATUS, &iov) < 0 ? -errno : 0;
}

static int set_regs(struct inject *in, const arch_regs *r)
{
	struct iovec iov = { (void *)r, sizeof(*r) };

	return ptrace(PTRACE_SETREGSET, in->tid, NT_PRSTATUS, &iov) < 0 ? -errno : 0;
}

static int mem_io(pid_t pid, uint64_t addr, void *buf, size_t len, int write)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n;

	n = write ? process_vm_writev(pid, &local, 1, &remote, 1, 0)
		  : process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}

/* ---- stops ---- */

enum stop {
	STOP_INTERRUPT,		/* PTRACE_EVENT_STOP from PTRACE_INTERRUPT */
	STOP_GROUP,		/* job control: SIGSTOP and friends */
	STOP_SIGNAL,		/* signal-delivery-stop; *sig is the signal */
	STOP_SYSCALL,		/* syscall-enter or -exit stop */
	STOP_GONE,		/* the thread exited or was killed */
	STOP_OTHER,
};

static enum stop wait_stop(pid_t tid, int *sig)
{
	int status, event;

	for (;;) {
		if (waitpid(tid, &status, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return STOP_GONE;
		}
		break;
	}
	if (WIFEXITED(status) || WIFSIGNALED(status))
		return STOP_GONE;
	if (!WIFSTOPPED(status))
		return STOP_OTHER;
	*sig = WSTOPSIG(status);
	event = status >> 16;
	if (*sig == (SIGTRAP | 0x80))
		return STOP_SYSCALL;
	if (event == PTRACE_EVENT_STOP)
		return *sig == SIGTRAP ? STOP_INTERRUPT : STOP_GROUP;
	if (event)
		return STOP_OTHER;
	return STOP_SIGNAL;
}

/*
 * Where the held thread is.  Only from an interrupt stop can it be resumed
 * as if nothing happened: that is where the kernel's own signal and
 * syscall-restart logic runs on its registers.
 */
enum {
	ST_RUNNING,		/* let go (a signal was delivered to it) */
	ST_ISTOP,		/* interrupt stop, its own registers in place */
	ST_XSTOP,		/* exit stop of our call, its own registers put back */
};

/*
 * Wait for the interrupt stop.  A signal met on the way is delivered
 * (PTRACE_CONT with it) and we wait on: the interrupt stays pending until
 * the thread reaches it.
 */
static int wait_interrupt(struct inject *in)
{
	int sig;

	for (;;) {
		switch (wait_stop(in->tid, &sig)) {
		case STOP_INTERRUPT:
			in->state = ST_ISTOP;
			return 0;
		case STOP_SIGNAL:
			if (ptrace(PTRACE_CONT, in->tid, 0, sig) < 0)
				return -errno;
			break;
		case STOP_GROUP:
			return -EBUSY;
		case STOP_GONE:
			return -ESRCH;
		default:
			if (ptrace(PTRACE_CONT, in->tid, 0, 0) < 0)
				return -errno;
		}
	}
}

/* Bring the thread to an interrupt stop from wherever it is. */
static int to_istop(struct inject *in)
{
	if (in->state == ST_ISTOP)
		return 0;
	if (ptrace(PTRACE_INTERRUPT, in->tid, 0, 0) < 0)
		return -errno;
	/* From our exit stop it must run on to reach the interrupt. */
	if (in->state == ST_XSTOP && ptrace(PTRACE_CONT, in->tid, 0, 0) < 0)
		return -errno;
	return wait_interrupt(in);
}

/* ---- checks before attaching ---- */

static int status_field(pid_t pid, const char *key, char *val, size_t size)
{
	char *buf, *v;
	ssize_t n = sysroot_read_file(&buf, "/proc/%d/status", pid);

	if (n < 0)
		return n;
	v = target_status_field(buf, key);
	free(buf);
	if (!v)
		return errno ? -errno : -ENOENT;
	snprintf(val, size, "%s", v);
	free(v);
	return 0;
}

int inject_check(const struct target *t, const char **why)
{
	char *buf, *state, *seccomp;
	ssize_t n;
	int rc = 0;

	*why = NULL;
	/* Both fields from one read of the file. */
	n = sysroot_read_file(&buf, "/proc/%d/status", t->pid);
	if (n < 0)
		return n == -ENOENT ? -ESRCH : (int)n;
	state = target_status_field(buf, "State");
	seccomp = target_status_field(buf, "Seccomp");
	free(buf);
	if (!state) {
		rc = errno == ENOMEM ? -ENOMEM : -ESRCH;
	} else if (state[0] == 'T' || state[0] == 't') {
		*why = "it is stopped (job control or a debugger)";
		rc = -EBUSY;
	} else if (seccomp && !strcmp(seccomp, "1")) {
		*why = "it runs in seccomp strict mode: any other syscall would kill it";
		rc = -EPERM;
	}
	free(state);
	free(seccomp);
	return rc;
}

/* ---- attach ---- */

/* The main thread, unless it is gone (a process can outlive it). */
static pid_t pick_thread(pid_t pid)
{
	char state[64] = "";
	DIR *d;
	struct dirent *de;
	pid_t tid = pid;

	if (status_field(pid, "State", state, sizeof(state)) == 0 && state[0] != 'Z')
		return pid;
	d = sysroot_opendir("/proc/%d/task", pid);
	if (!d)
		return pid;
	while ((de = sysroot_readdir(d))) {
		char line[64];

		if (parse_pid(de->d_name, &tid) < 0)
			continue;	/* ".", "..": every task is a number */
		if (sysroot_read_line(line, sizeof(line), "/proc/%d/task/%d/stat", pid, tid) > 0 &&
		    !strstr(line, ") Z"))
			break;
		tid = pid;
	}
	closedir(d);
	return tid;
}

static int has_insn(pid_t pid, uint64_t addr)
{
	unsigned char b[sizeof(syscall_insn)];

	return mem_io(pid, addr, b, sizeof(b), 0) == 0 && !memcmp(b, syscall_insn, sizeof(b));
}

/* A syscall instruction to jump to: in the vDSO, or in any executable mapping. */
static int find_syscall_insn(struct inject *in)
{
	struct vma_read_opts ro = { .method = VMA_METHOD_AUTO };
	struct vma_list l;
	unsigned char *buf;
	size_t i, j, len;
	int fd, rc;

	fd = sysroot_open(O_RDONLY, "/proc/%d/maps", in->pid);
	if (fd < 0)
		return fd;
	rc = vma_read(fd, &ro, &l);
	close(fd);
	if (rc < 0)
		return rc;
	rc = -ENOEXEC;
	for (int pass = 0; pass < 2 && rc; pass++) {
		for (i = 0; i < l.n && rc; i++) {
			const struct vma *v = &l.v[i];

			if (!(v->perms & VMA_EXEC) || !strcmp(v->name, "[vsyscall]") ||
			    (pass == 0) != !strcmp(v->name, "[vdso]"))
				continue;
			len = v->end - v->start > (1 << 20) ? (1 << 20) : v->end - v->start;
			buf = malloc(len);
			if (buf && mem_io(in->pid, v->start, buf, len, 0) == 0) {
				for (j = 0; j + sizeof(syscall_insn) <= len; j++) {
					if (!memcmp(buf + j, syscall_insn, sizeof(syscall_insn))) {
						in->syscall_insn = v->start + j;
						rc = 0;
						break;
					}
				}
			}
			free(buf);
		}
	}
	vma_list_free(&l);
	return rc;
}

static int save_state(struct inject *in)
{
	arch_regs *r = (arch_regs *)in->regs;
	int rc;

	rc = get_regs(in, r);
	if (!rc)
		rc = arch_get_extra(in);
	if (!rc && ptrace(PTRACE_GETSIGMASK, in->tid, sizeof(in->sigmask), &in->sigmask) < 0)
		rc = -errno;
	in->regs_len = sizeof(*r);
	return rc;
}

int inject_attach(struct inject *in, const struct target *t)
{
	const char *delay = getenv("NUMAKIT_TEST_INJECT_DELAY_MS");
	int rc, delay_ms;

	_Static_assert(sizeof(arch_regs) <= sizeof(in->regs), "register buffer too small");
	memset(in, 0, sizeof(*in));
	in->pid = t->pid;
	in->tid = pick_thread(t->pid);
	/* A test hook: anything but a plain number of ms, up to a minute, is no delay. */
	if (delay && parse_int(delay, &delay_ms, 0, 60000) == 0)
		in->delay_ms = (unsigned int)delay_ms;
	in->state = ST_RUNNING;
	{
		char val[16];

		in->filtered = status_field(t->pid, "Seccomp", val, sizeof(val)) == 0 &&
			       strcmp(val, "0");
	}
	/* No PTRACE_O_EXITKILL: if we die, the target must live on. */
	if (ptrace(PTRACE_SEIZE, in->tid, 0, PTRACE_O_TRACESYSGOOD) < 0)
		return -errno;
	in->seized = 1;
	testhook_point("inject-seized");
	rc = to_istop(in);
	/*
	 * The PID was seized by number: check that it is still the target's.
	 * Seized, the process keeps its PID (as a zombie at worst) from now on.
	 */
	if (!rc && target_alive(t) <= 0)
		rc = -ESRCH;
	if (!rc)
		rc = save_state(in);
	if (!rc) {
		uint64_t ip = arch_ip((arch_regs *)in->regs);

		/* Stopped in a syscall: the instruction just behind us is one. */
		if (arch_syscall_no(in, (arch_regs *)in->regs) >= 0 &&
		    has_insn(in->pid, ip - sizeof(syscall_insn)))
			in->syscall_insn = ip - sizeof(syscall_insn);
		else
			rc = find_syscall_insn(in);
	}
	if (!rc && !arch_restart_safe(in))
		rc = -EOPNOTSUPP;
	if (rc)
		inject_detach(in);
	return rc;
}

/* ---- the call ---- */

static void test_delay(const struct inject *in)
{
	struct timespec ts = { in->delay_ms / 1000, (in->delay_ms % 1000) * 1000000L };

	while (in->delay_ms && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Put the saved registers back (the thread is in some ptrace stop). */
static int restore_regs(struct inject *in)
{
	int rc = set_regs(in, (arch_regs *)in->regs);

	if (!rc)
		rc = arch_set_extra(in, in->syscall_no);
	if (!rc && ptrace(PTRACE_SETSIGMASK, in->tid, sizeof(in->sigmask), &in->sigmask) < 0)
		rc = -errno;
	return rc;
}

/*
 * From the interrupt stop with our registers set, run to our syscall's
 * exit stop (0, *ret set).  A signal met before the syscall runs stops
 * this attempt: -EAGAIN with *sig, the thread still in its
 * signal-delivery-stop.
 */
static int run_call(struct inject *in, long *ret, int *sig)
{
	arch_regs r;
	int entered = 0, rc;

	*sig = 0;
	for (;;) {
		if (ptrace(PTRACE_SYSCALL, in->tid, 0, 0) < 0)
			return -errno;
		switch (wait_stop(in->tid, sig)) {
		case STOP_SYSCALL:
			if (!entered) {
				entered = 1;
				break;
			}
			rc = get_regs(in, &r);
			*ret = arch_ret(&r);
			return rc;
		case STOP_SIGNAL:
			return -EAGAIN;
		case STOP_GONE:
			return -ESRCH;
		default:
			break;
		}
	}
}

/* Our argument block goes below the stack pointer, past the red zone. */
static int place_data(struct inject *in, const void *data, size_t len, uint64_t *addr,
		      unsigned char **saved)
{
	uint64_t at = (arch_sp((arch_regs *)in->regs) - RED_ZONE - len) & ~(uint64_t)15;
	int rc;

	*saved = NULL;
	*addr = 0;
	if (!data)
		return 0;
	*saved = malloc(len);
	if (!*saved)
		return -ENOMEM;
	rc = mem_io(in->pid, at, *saved, len, 0);
	if (!rc)
		rc = mem_io(in->pid, at, (void *)data, len, 1);
	if (rc) {
		free(*saved);
		*saved = NULL;
		return rc;
	}
	*addr = at;
	return 0;
}

static int inject_once(struct inject *in, long nr, const long args[6], const void *data,
		       size_t len, long *ret)
{
	arch_regs call = *(arch_regs *)in->regs;
	unsigned char *saved;
	int i, sig = 0, rc, rc2 = 0;
	long a[6];
	uint64_t at;

	rc = place_data(in, data, len, &at, &saved);
	if (rc)
		return rc;
	for (i = 0; i < 6; i++)
		a[i] = args[i] == INJECT_DATA ? (long)at : args[i];
	arch_set_call(&call, in->syscall_insn, nr, a);
	rc = set_regs(in, &call);
	if (!rc)
		rc = arch_set_extra(in, -1);
	if (!rc) {
		test_delay(in);
		rc = run_call(in, ret, &sig);
		testhook_point("inject-returned");
	}
	if (rc == -ESRCH) {
		free(saved);
		return rc;
	}
	/*
	 * Registers and memory go back before the thread may run again: a
	 * signal handler's frame would be built right where our block is.
	 */
	rc2 = restore_regs(in);
	if (saved && mem_io(in->pid, at, saved, len, 1) && !rc2)
		rc2 = -EIO;
	free(saved);
	if (rc2)
		return rc2;
	if (rc == -EAGAIN) {
		in->state = ST_RUNNING;
		if (ptrace(PTRACE_CONT, in->tid, 0, sig) < 0)
			return -errno;
		return -EAGAIN;
	}
	if (!rc)
		in->state = ST_XSTOP;
	return rc;
}

/* 1: run it; -EPERM: the filters would not let it run as asked (reason in in->why). */
static int filters_allow(struct inject *in, long nr, const long args[6], long *ret)
{
	struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_NATIVE,
				  .instruction_pointer = in->syscall_insn + sizeof(syscall_insn) };
	uint32_t action;
	int i, rc;

	for (i = 0; i < 6; i++)
		d.args[i] = args[i];
	rc = seccomp_tracee_verdict(in->tid, &d, &action);
	if (rc < 0) {
		snprintf(in->why, sizeof(in->why), "it has a seccomp filter that cannot be read (%s%s)",
			 strerror(-rc), rc == -EACCES || rc == -EPERM ? ", needs CAP_SYS_ADMIN" : "");
		return -EPERM;
	}
	switch (action & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		return 1;
	case SECCOMP_RET_ERRNO:
		snprintf(in->why, sizeof(in->why), "its seccomp filter would make this syscall fail "
			 "with %s", strerror(action & SECCOMP_RET_DATA));
		return -EPERM;
	default:
		snprintf(in->why, sizeof(in->why), "its seccomp filter would %s on this syscall",
			 seccomp_action_name(action));
		return -EPERM;
	}
}

int inject_syscall(struct inject *in, long nr, const long args[6], const void *data,
		   size_t len, long *ret)
{
	int tries, was_running, rc = -EAGAIN;

	in->why[0] = '\0';
	/* The data address is not known yet; no filter can depend on a stack address. */
	if (in->filtered) {
		rc = filters_allow(in, nr, args, ret);
		if (rc <= 0)
			return rc;
		rc = -EAGAIN;
	}

	for (tries = 0; tries < 100 && rc == -EAGAIN; tries++) {
		was_running = in->state == ST_RUNNING;
		rc = to_istop(in);
		/* It ran: a handler may have changed what there is to save. */
		if (!rc && was_running)
			rc = save_state(in);
		if (!rc && !arch_restart_safe(in))
			rc = -EOPNOTSUPP;
		if (!rc)
			rc = inject_once(in, nr, args, data, len, ret);
	}
	return rc;
}

/*
 * Leave from an interrupt stop: resumed from there, the kernel runs its own
 * signal and syscall-restart logic on the thread's registers, exactly as
 * after any other stop.  Leaving straight from our call's exit stop would
 * skip that logic and hand the thread -ERESTARTSYS as its syscall's result.
 */
/* A signal waiting for the thread: its EINTR is then the program's to see. */
static int signal_waiting(const struct inject *in)
{
	char pnd[32], shd[32], blk[32], path[64];
	unsigned long long p, s, b;
	char *buf, *at;
	int found = 1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", in->pid, in->tid);
	if (sysroot_read_file(&buf, "%s", path) < 0)
		return 1;
	if ((at = strstr(buf, "\nSigPnd:")) && sscanf(at, "\nSigPnd: %31s", pnd) == 1 &&
	    (at = strstr(buf, "\nShdPnd:")) && sscanf(at, "\nShdPnd: %31s", shd) == 1 &&
	    (at = strstr(buf, "\nSigBlk:")) && sscanf(at, "\nSigBlk: %31s", blk) == 1) {
		p = strtoull(pnd, NULL, 16);
		s = strtoull(shd, NULL, 16);
		b = strtoull(blk, NULL, 16);
		found = ((p | s) & ~b) != 0;
	}
	free(buf);
	return found;
}

/* Undo an EINTR that only our stop caused (see arch_rerun_eintr()). */
static int rerun_interrupted(struct inject *in)
{
	arch_regs r = *(arch_regs *)in->regs;

	if (!arch_rerun_eintr(&r) || signal_waiting(in))
		return 0;
	return set_regs(in, &r);
}

int inject_detach(struct inject *in)
{
	int rc, ran;

	if (!in->seized)
		return 0;
	ran = in->state == ST_RUNNING;
	rc = to_istop(in);
	/* It ran since we saved it: what it holds now is what it has. */
	if (!rc && ran)
		rc = save_state(in);
	if (!rc)
		rc = rerun_interrupted(in);
	if (ptrace(PTRACE_DETACH, in->tid, 0, 0) < 0 && !rc && errno != ESRCH)
		rc = -errno;
	in->seized = 0;
	return rc;
}
