// SPDX-License-Identifier: GPL-2.0-or-later
/* Capabilities only explain a failure after the fact; see lib/caps.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <sys/capability.h>

#include "lib/caps.h"
#include "lib/msg.h"

/* Capability sets are 64 bits wide in the kernel ABI. */
#define CAPS_CACHED 64
#define CAPS_NAME_MAX 32

int caps_have(cap_value_t cap)
{
	cap_flag_value_t v;
	cap_t caps;
	int rc;

	caps = cap_get_proc();
	if (!caps)
		return -errno;
	rc = cap_get_flag(caps, cap, CAP_EFFECTIVE, &v);
	rc = rc < 0 ? -errno : v == CAP_SET;
	cap_free(caps);
	return rc;
}

static void upper_name(char *buf, cap_value_t cap)
{
	char *name = cap_to_name(cap);
	size_t i;

	/* libcap names an unknown capability by its number; do the same on ENOMEM. */
	if (!name) {
		snprintf(buf, CAPS_NAME_MAX, "%d", cap);
		return;
	}
	for (i = 0; i < CAPS_NAME_MAX - 1 && name[i]; i++)
		buf[i] = toupper((unsigned char)name[i]);
	buf[i] = '\0';
	cap_free(name);
}

const char *caps_name(cap_value_t cap)
{
	/* One slot per capability, so two names can be used in one printf. */
	static char cache[CAPS_CACHED][CAPS_NAME_MAX];
	static char other[CAPS_NAME_MAX];

	if (cap < 0 || cap >= CAPS_CACHED) {
		upper_name(other, cap);
		return other;
	}
	if (!cache[cap][0])
		upper_name(cache[cap], cap);
	return cache[cap];
}

int caps_hint(int err, cap_value_t cap, const char *what)
{
	err = abs(err);
	if (err != EPERM && err != EACCES)
		return 0;
	/* When we cannot tell, a wrong hint would mislead more than none. */
	if (caps_have(cap) != 0)
		return 0;
	msg_hint("%s needs %s", what, caps_name(cap));
	return 1;
}
