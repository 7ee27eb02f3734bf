/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NUMAKIT_CAPS_H
#define NUMAKIT_CAPS_H

#include <sys/capability.h>

/*
 * libcap only explains an EPERM/EACCES; it never decides what to try (the
 * kernel is the judge) and never raises privileges.
 */

/* 1 if cap is in our effective set, 0 if not, -errno if it cannot be told. */
int caps_have(cap_value_t cap);

/* "CAP_SYS_NICE" etc. (static storage). */
const char *caps_name(cap_value_t cap);

/*
 * After an operation failed with err: if err is EPERM or EACCES and cap is
 * not effective, print "prog: hint: <what> needs <CAP_NAME>" and return 1;
 * otherwise print nothing and return 0.  `what` is e.g.
 * "reading the address space of pid 42".  err may be given as EPERM or
 * -EPERM, so a lib return value can be passed as it is.
 */
int caps_hint(int err, cap_value_t cap, const char *what);

#endif
