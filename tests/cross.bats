#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The ptrace injection is architecture code: it must at least build for
# aarch64 with the same structure as on x86_64.

load helpers

@test "lib/inject.c and the modules it uses build for aarch64" {
	requires command aarch64-linux-gnu-gcc
	cd "$BATS_TEST_DIRNAME/.."
	for f in lib/inject.c lib/vma.c lib/sysroot.c lib/parse.c lib/target.c; do
		aarch64-linux-gnu-gcc -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
			-Wmissing-prototypes -D_GNU_SOURCE -I. -c -o "$BATS_TEST_TMPDIR/${f##*/}.o" "$f"
		aarch64-linux-gnu-readelf -h "$BATS_TEST_TMPDIR/${f##*/}.o" | grep -q AArch64
	done
}
