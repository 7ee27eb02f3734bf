/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NUMAKIT_NODES_H
#define NUMAKIT_NODES_H

#include <numa.h>

/*
 * Node and CPU lists in numactl's grammar ("0-3,5", "all", "!1", "+0-1"),
 * parsed by libnuma itself, never by hand.  libnuma's numa_error() and
 * numa_warn() are overridden here so its complaints carry our program name
 * and go to stderr in our message shape; while nodes_parse*() runs they are
 * collected instead, and the caller prints one message.
 *
 * Return 0 with *out allocated (numa_bitmask_free it), or -EINVAL when the
 * list is malformed or names a node/CPU this system does not have; -ENOSYS
 * when the kernel has no NUMA support (numa_available() < 0).
 *
 * "Has" means allowed to this task (its cpuset), as numactl without --all.
 * Also -EINVAL, before libnuma sees them: an empty string, blanks, signs
 * and numbers above INT_MAX (libnuma's strtoul() would skip, take or wrap
 * them); and a list that selects nothing ("!all").
 */
int nodes_parse(const char *s, struct bitmask **out);
/*
 * Any node the system has, allowed to this task or not (numactl --all):
 * Specific Purpose and N_PRIVATE nodes stay out of a task's mems_allowed.
 */
int nodes_parse_all(const char *s, struct bitmask **out);
int nodes_parse_cpus(const char *s, struct bitmask **out);

/* The reason libnuma gave for the last failed parse ("" if none). */
const char *nodes_last_error(void);

#endif
