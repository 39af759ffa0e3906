#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regenerates packaging/startup-order.txt, the functions the shipped build's linker places
# first and together (lld --symbol-ordering-file, Makefile): those famctl runs on its quick
# path (--version, list, reconfigure-device), as callgrind sees them run on a generated tree.
# Scattered over the 10 MiB of code, they cost a page fault per 64 KiB touched at every
# start; together, a few dozen fewer. A stale entry costs only speed (scripts/bench.sh shows
# the faults): rerun this after changing what those commands run, and commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh valgrind >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The binary profiled, linked once with the map that says which input section holds each
# function, and its size.
make -s build LINK_MAP="$work/map" >/dev/null
famctl=$(make -s print-bin)
swift build --product famctl-dev >/dev/null
# valgrind reads symbols, not the shipped binary's debug info.
strip --strip-debug -o "$work/famctl" "$famctl"
"$(swift build --show-bin-path)/famctl-dev" sysfs-tree "$work/sys" --machine bench --regions 2 --per-region 1
runs=0
profile() {
    runs=$((runs + 1))
    valgrind --tool=callgrind --demangle=no --compress-strings=no --compress-pos=no \
        --callgrind-out-file="$work/callgrind.$runs" "$work/famctl" "$@" >/dev/null 2>&1 || true
}
profile --version
profile list
profile list -R -D -M -i -u --sysfs-root "$work/sys"
profile reconfigure-device --dry-run -m system-ram dax0.0 --sysfs-root "$work/sys"
profile reconfigure-device --dry-run -m famfs dax0.0 --sysfs-root "$work/sys"
profile reconfigure-device --dry-run -m devdax -f dax1.0 --sysfs-root "$work/sys"
profile online-memory --dry-run dax1.0 --sysfs-root "$work/sys"
# Every function the profiles name (in the order first named) that sits in a small section of
# its own. Ordering a name moves every section that defines it: a name also found in a large
# section (the Swift standard library's, mostly not split by function, shares value-witness
# names with every module) would put that section ahead of all the small ones named after it.
awk 'function hex(s,   n, i) {
         for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
         return n
     }
     $5 ~ /:\(/ { small = $5 ~ /:\(\.text/ && hex($3) <= 16384; next }
     NF == 5 && $4 == 1 { if (small) found[$5] = 1; else large[$5] = 1 }
     END { for (name in found) if (!(name in large)) print name }' "$work/map" | sort >"$work/small"
cat "$work"/callgrind.* | sed -n 's/^c\{0,1\}fn=//p' | awk '!seen[$0]++' >"$work/named"
awk 'NR == FNR {small[$0] = 1; next} $0 in small' "$work/small" "$work/named" >packaging/startup-order.txt
echo "packaging/startup-order.txt: $(wc -l <packaging/startup-order.txt) functions"
