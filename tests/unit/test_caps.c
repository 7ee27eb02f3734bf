// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/capability.h>

#include "lib/caps.h"
#include "lib/sysroot.h"
#include "tests/unit/unit.h"

static int set_effective(cap_value_t cap, cap_flag_value_t v)
{
	cap_t caps = cap_get_proc();
	int rc;

	if (!caps)
		return -1;
	rc = cap_set_flag(caps, CAP_EFFECTIVE, 1, &cap, v);
	if (rc == 0)
		rc = cap_set_proc(caps);
	cap_free(caps);
	return rc;
}

/* caps_hint() with stderr captured into *msg. */
static int hint(int err, cap_value_t cap, const char *what, char **msg)
{
	char path[] = "/tmp/test_caps.XXXXXX";
	int fd, saved, rc;

	*msg = NULL;
	fflush(stderr);
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	unlink(path);
	saved = dup(2);
	dup2(fd, 2);
	rc = caps_hint(err, cap, what);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	if (sysroot_read_fd(fd, msg) < 0)
		*msg = NULL;
	close(fd);
	return rc;
}

int main(void)
{
	const char *a, *b;
	char *msg;
	int rc;

	CHECK_STR(caps_name(CAP_SYS_NICE), "CAP_SYS_NICE", "caps_name(CAP_SYS_NICE)");
	a = caps_name(CAP_SYS_PTRACE);
	b = caps_name(CAP_SYS_ADMIN);
	CHECK(!strcmp(a, "CAP_SYS_PTRACE") && !strcmp(b, "CAP_SYS_ADMIN"),
	      "two names can be used at once");
	CHECK(caps_name(CAP_SYS_NICE) == caps_name(CAP_SYS_NICE), "names are cached");
	CHECK_STR(caps_name(CAP_CHECKPOINT_RESTORE), "CAP_CHECKPOINT_RESTORE",
		  "the longest name fits");

	if (geteuid() == 0)
		CHECK(caps_have(CAP_SYS_NICE) == 1, "root has CAP_SYS_NICE");
	else
		CHECK(caps_have(CAP_SYS_NICE) >= 0, "caps_have answers (not root)");
	CHECK(caps_have(9999) == -EINVAL, "an invalid capability is -EINVAL");

	rc = hint(ENOENT, CAP_SYS_NICE, "x", &msg);
	CHECK(rc == 0 && msg && !*msg, "no hint for errors other than EPERM/EACCES");
	free(msg);

	if (caps_have(CAP_SYS_NICE) == 1) {
		rc = hint(EPERM, CAP_SYS_NICE, "x", &msg);
		CHECK(rc == 0 && msg && !*msg, "no hint when the capability is effective");
		free(msg);
	}

	/* Dropped from the effective set only: still permitted, so it comes back. */
	if (set_effective(CAP_SYS_NICE, CAP_CLEAR) == 0) {
		CHECK(caps_have(CAP_SYS_NICE) == 0, "caps_have sees a dropped capability");
		rc = hint(-EPERM, CAP_SYS_NICE, "moving pages of pid 42", &msg);
		CHECK(rc == 1, "hint given for -EPERM");
		CHECK_STR(msg, "test_caps: hint: moving pages of pid 42 needs CAP_SYS_NICE\n",
			  "hint message");
		free(msg);
		rc = hint(EACCES, CAP_SYS_NICE, "x", &msg);
		CHECK(rc == 1, "hint given for EACCES");
		free(msg);
		set_effective(CAP_SYS_NICE, CAP_SET);
	}
	return unit_done();
}
