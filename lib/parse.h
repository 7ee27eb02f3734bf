/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NUMAKIT_PARSE_H
#define NUMAKIT_PARSE_H

#include <stdint.h>
#include <sys/types.h>

/*
 * Strict parsers: the whole string must match (no leading or trailing
 * blanks, no trailing junk, no empty string, no sign on unsigned values).
 * They return 0, -EINVAL for a malformed string or -ERANGE for a value
 * outside [min, max] or one that overflows.  Nothing is printed.
 */

/*
 * Decimal, or hexadecimal with a 0x/0X prefix ("010" is ten, not octal).
 * parse_s64() and parse_int() also take one leading '-' or '+'.
 */
int parse_u64(const char *s, uint64_t *val, uint64_t min, uint64_t max);
int parse_s64(const char *s, int64_t *val, int64_t min, int64_t max);
int parse_int(const char *s, int *val, int min, int max);
/* A process id: decimal, 1 to 4194304 (PID_MAX_LIMIT). */
int parse_pid(const char *s, pid_t *pid);
/* An open file descriptor number: decimal, 0 to INT_MAX. */
int parse_fd(const char *s, int *fd);

/*
 * The number that starts s, for a field inside a line the kernel wrote
 * (/proc, sysfs) where the whole-string parsers do not fit: decimal (base
 * 10) or hexadecimal without a prefix (base 16), no blank, no sign.  *end
 * is left after the digits, whatever follows them is the caller's.  0,
 * -EINVAL when s does not start with a digit, -ERANGE on overflow.
 */
int parse_u64_prefix(const char *s, unsigned int base, uint64_t *val, const char **end);

/*
 * An address: hexadecimal as /proc/PID/maps prints it, with or without a
 * 0x prefix ("7f12a000", "0x7f12a000").
 */
int parse_addr(const char *s, uint64_t *addr);

/*
 * A size in bytes: decimal or 0x hex, optionally followed by a binary
 * suffix K, M, G, T, P or E (also KiB..EiB and KB..EB, all powers of 1024,
 * case-insensitive).  "4K" = 4096.  Overflow is -ERANGE.  Hex digits are
 * read greedily: "0x1E" is 30 bytes, "0x1K" is 1024.
 */
int parse_size(const char *s, uint64_t *bytes);

/*
 * A duration, returned in microseconds: a decimal number with an optional
 * fraction ("1.5") and a unit ns, us, ms, s, m or h.  A number without a
 * unit is taken in default_unit_us microseconds (1000000 for seconds); if
 * default_unit_us is 0 a unit is mandatory.  Durations below 1us that are
 * not 0 are -ERANGE.  Units are lowercase ("m" is minutes), both sides of
 * the point need a digit ("0.5", not ".5"), and the result is truncated to
 * whole microseconds ("1500ns" = 1).
 */
int parse_duration_us(const char *s, uint64_t *usec, uint64_t default_unit_us);

/*
 * An address range: START-END (END exclusive) or START+LEN, START and END
 * addresses as parse_addr(), LEN a size as parse_size().  END must be above
 * START (-EINVAL otherwise); START+LEN must not overflow (-ERANGE).
 */
int parse_range(const char *s, uint64_t *start, uint64_t *end);

#endif
