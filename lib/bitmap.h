/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NUMAKIT_BITMAP_H
#define NUMAKIT_BITMAP_H

#include <numa.h>

/*
 * The kernel's own bitmap formats, as /proc and /sys print them (not the
 * numactl grammar: that is nodes.h).  Bitmaps are libnuma's struct bitmask.
 *
 * "%*pb":  comma-separated 32-bit hex words, most significant first,
 *          e.g. "00000000,00000f0f" (Cpus_allowed in /proc/PID/status).
 * "%*pbl": ranges, e.g. "0-3,8-11" (Cpus_allowed_list, node "cpulist");
 *          the empty string (or "\n") is the empty set.
 *
 * Parsers accept one trailing newline, allocate *out sized to hold every
 * bit the string can name (at least 64), and return 0 or -EINVAL / -ENOMEM.
 * The size is rounded up to whole 32-bit words, so format_mask(parse_mask(s))
 * gives s back for masks of two words or more ("3" comes back as
 * "00000000,00000003").  A bit number of 2^24 or more is -ERANGE.  The mask
 * parser needs at least one word: "" is -EINVAL there.
 */
int bitmap_parse_mask(const char *s, struct bitmask **out);
int bitmap_parse_list(const char *s, struct bitmask **out);

/* malloc'd strings in the same formats; NULL with errno on failure.
 * format_mask prints as many 32-bit words as bm->size needs. */
char *bitmap_format_mask(const struct bitmask *bm);
char *bitmap_format_list(const struct bitmask *bm);

#endif
