#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Write the seed corpus tests/fuzz/corpus/NAME/ from the fixtures and from
# this host (the shell's own maps, numa_maps and status), as committed.
# Seeds whose first byte picks a parser or a file (see each fuzz_NAME.c)
# carry that byte.  Read-only on the host; damonctl and mapsdump run on
# fixture trees and on this script's own process.
#
# Usage: B=build tests/fuzz/make-corpus.sh    ($B/damonctl and $B/mapsdump built)
set -euo pipefail

cd "$(dirname "$(realpath "$0")")/../.."
build=$(realpath -m "${B:-build}")
out=tests/fuzz/corpus

seed() {	# seed NAME FILE-NAME: stdin becomes the seed
	mkdir -p "$out/$1"
	cat >"$out/$1/$2"
}

sel() {		# sel BYTE: the selector byte, then stdin
	# The format is the byte's escape on purpose: printf makes it one byte, NUL too.
	# shellcheck disable=SC2059
	printf "\\x$(printf %02x "$1")"
	cat
}

# lib/parse.c: selector % 9 as in fuzz_parse.c.
i=0
for v in 0:100 0:0x3e8 1:-3 1:+5 2:-2147483648 3:4242 4:7f12a000 4:0x7f12a000 5:4K 5:0x1K \
	5:2MiB 6:1.5ms 6:10 7:1500ns 7:2h 8:0x1000-0x2000 8:7f0000000000+4K; do
	i=$((i + 1))
	printf '%s' "${v#*:}" | sel "${v%%:*}" | seed parse "seed-$i"
done
# lib/nodes.c: 0 nodes, 1 all nodes, 2 cpus.
i=0
for v in 0:0 0:all 0:'!0' 0:+0 1:0 1:0-0 2:0-1 2:'!1' 2:all 0:netdev:lo; do
	i=$((i + 1))
	printf '%s' "${v#*:}" | sel "${v%%:*}" | seed nodes "seed-$i"
done
# lib/bitmap.c: 0 mask, 1 list; from this host and the cpumm fixtures.
i=0
while read -r m; do
	i=$((i + 1))
	printf '%s\n' "$m" | sel 0 | seed bitmap "mask-$i"
done < <(sed -n 's/^Cpus_allowed:\t//p; s/^Cpus_active_mm:\t//p' /proc/self/status \
	tests/fixtures/cpumm/*/proc/*/status | LC_ALL=C sort -u)
i=0
while read -r m; do
	i=$((i + 1))
	printf '%s\n' "$m" | sel 1 | seed bitmap "list-$i"
done < <({ cat /sys/devices/system/cpu/online; sed -n 's/^Cpus_[a-z_]*_list:\t//p' \
	/proc/self/status tests/fixtures/cpumm/*/proc/*/status; } | LC_ALL=C sort -u)
# maps: whole files (the first line is also parsed alone).
seed maps self <"/proc/$$/maps"
seed maps fixture <tests/fixtures/maps-basic/proc/4242/maps
seed numamaps self <"/proc/$$/numa_maps"
seed numamaps fixture <tests/fixtures/maps-basic/proc/4242/numa_maps
# status: the whole file; byte 0 also picks cpumm's --source ('N' % 3 = auto).
seed status self <"/proc/$$/status"
for f in tests/fixtures/cpumm/*/proc/*/status; do
	d=${f#tests/fixtures/cpumm/}
	seed status "${d%%/*}-$(basename "$(dirname "$f")")" <"$f"
done
# Trees: byte 0 is the index of the file in the sorted list that fuzz.c makes.
tree_seeds() {	# tree_seeds NAME ROOT UNDER
	local name=$1 root=$2 under=$3 i=0 f

	while IFS= read -r f; do
		sel $((i % 256)) <"$root$f" | seed "$name" "$(printf '%03d' "$i")-$(basename "$f")"
		i=$((i + 1))
	done < <(cd "$root" && find ".$under" -type f | cut -c2- | LC_ALL=C sort)
}
tree_seeds damon tests/fixtures/damon/captured/6.12-tried /sys/kernel/mm/damon/admin
tree_seeds spm tests/fixtures/spm/vm-softreserved-online ""
# pmbind ranges: what mapsdump --ranges prints of this script, and the other spelling.
"$build/mapsdump" --ranges $$ | head -n 20 | seed ranges self
printf '# comment\n\n0x10000+4K\n0x20000-0x22000\n' | seed ranges plus
# damonctl specs: status -J of fixture trees, whole and as one kdamond.
for t in newest template-6.18 captured/6.12-running; do
	n=${t//\//-}
	"$build/damonctl" --sysroot "tests/fixtures/damon/$t" status -J | seed spec "$n.json"
	jq '.kdamonds[0]' "$out/spec/$n.json" | seed spec "$n-one.json"
done
# damonctl report: the recordings of the fixtures; byte 0 bit 4 picks wss, bits 0-3 the shape.
for f in tests/fixtures/damon/recordings/*.jsonl; do
	n=$(basename "$f" .jsonl)
	sel 0 <"$f" | seed record "heatmap-$n"
	sel 17 <"$f" | seed record "wss-json-$n"
done
sel 14 <tests/fixtures/damon/recordings/heat-vaddr.jsonl | seed record heatmap-small-bytes
