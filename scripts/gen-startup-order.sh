#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regenerates packaging/startup-order.txt, the symbols whose sections the shipped build's
# linker places first and together (lld --symbol-ordering-file, Makefile): the functions
# famctl runs on its quick path (--version, list, reconfigure-device), as callgrind sees them
# run on a generated tree, then the zero-filled data (.bss) those runs touch, as valgrind's
# lackey traces their loads and stores. Scattered over the 10 MiB of code, the functions cost
# a page fault per 64 KiB touched at every start; together, a few dozen fewer. The .bss is
# faulted in page by page (twice for a page read before it is written: the shared zero page,
# then a copy), and the runtime's flags, once-tokens and caches lay on a dozen of its 140
# pages; together they take three. A stale entry costs only speed (scripts/bench.sh shows the
# faults): rerun this after changing what those commands run, and commit the result.
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
    valgrind --tool=lackey --trace-mem=yes --log-file="$work/lackey.$runs" "$work/famctl" "$@" >/dev/null 2>&1 || true
}
profile --version
profile list
profile list -R -D -M -i -u --sysfs-root "$work/sys"
profile reconfigure-device --dry-run -m system-ram dax0.0 --sysfs-root "$work/sys"
profile reconfigure-device --dry-run -m famfs dax0.0 --sysfs-root "$work/sys"
profile reconfigure-device --dry-run -m devdax -f dax1.0 --sysfs-root "$work/sys"
profile online-memory --dry-run dax1.0 --sysfs-root "$work/sys"
# Every function the profiles name (in the order first named) that sits in a small section of
# its own: at most 64 KiB, one fault-around window (the runtime's type decoder, 21 KiB, and
# libdispatch's queue code, 40 KiB, are among them). Ordering a name moves every section that
# defines it: a name also found in a large section (the Swift standard library's, mostly not
# split by function, shares value-witness names with every module) would put that section
# ahead of all the small ones named after it.
awk '$5 ~ /:\(/ { small = $5 ~ /:\(\.text/ && ("0x" $3) + 0 <= 65536; next }
     NF == 5 && $4 == 1 { if (small) found[$5] = 1; else large[$5] = 1 }
     END { for (name in found) if (!(name in large)) print name }' "$work/map" | sort >"$work/small"
cat "$work"/callgrind.* | sed -n 's/^c\{0,1\}fn=//p' | awk '!seen[$0]++' >"$work/named"
awk 'NR == FNR {small[$0] = 1; next} $0 in small' "$work/small" "$work/named" >"$work/functions"
# Each small .bss section the traces touch, named by a symbol the map shows defined once: those
# most command lines touch first (what all share, then a command's own, the most profiled
# command's before the others'), then in the order first touched. mawk, like the awk above,
# reads "0x…" strings as numbers; its program text takes no hexadecimal constants. A trace
# starts in the loader; the executable's first instruction is its entry point, a whole number
# of pages from where valgrind loaded it and far from the loader, which gives the load address.
entry=$(($(readelf -h "$work/famctl" | awk '/Entry point/ {print $4}')))
awk -v entry="$entry" '
    function num(s) { return ("0x" s) + 0 }
    FNR == 1 && NR > 1 { trace++; base = ""; loader = "" }
    trace == 0 {
        if ($5 ~ /:\(/) {
            bss = $5 ~ /:\(\.bss/ && num($3) <= 16384
            if (bss) { n++; start[n] = num($1); end[n] = num($1) + num($3) }
            next
        }
        if (NF == 5 && $4 == 1) { defined[$5]++; if (bss && !(n in name)) name[n] = $5 }
        next
    }
    $1 == "I" && base == "" {
        split($2, f, ","); a = num(f[1])
        if (loader == "") loader = a
        if ((a - entry) % 4096 == 0 && (a < loader - 16777216 || a > loader + 16777216)) base = a - entry
        next
    }
    ($1 == "L" || $1 == "S" || $1 == "M") && base != "" {
        split($2, f, ","); a = num(f[1]) - base
        if (a < start[1] || a >= end[n]) next
        lo = 1; hi = n
        while (lo < hi) { mid = int((lo + hi + 1) / 2); if (start[mid] <= a) lo = mid; else hi = mid - 1 }
        if (a < end[lo] && (lo in name) && defined[name[lo]] == 1 && seen[lo] != trace) {
            if (!(lo in traces)) first[lo] = ++order
            seen[lo] = trace; traces[lo]++
        }
    }
    END { for (lo in traces) print traces[lo], first[lo], name[lo] }' "$work/map" "$work"/lackey.* | sort -k1,1nr -k2,2n | cut -d" " -f3 >"$work/data"
cat "$work/functions" "$work/data" >packaging/startup-order.txt
echo "packaging/startup-order.txt: $(wc -l <"$work/functions") functions, $(wc -l <"$work/data") .bss sections"
