#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Whole-process timings of famctl against inputs this script generates itself. Prints a table
# of medians (hyperfine when installed, else a loop of runs). Usage: scripts/bench.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
# GNU time for peak RSS, make for the build.
scripts/setup.sh time make >/dev/null
# The binary users run: the Makefile's build (release, Swift runtime linked in statically),
# the one scripts/package-deb.sh packages and scripts/vm-test.sh boots.
make -s build >/dev/null
famctl=$(make -s print-bin)
# The inputs (sysfs trees, famfs images) come from the developer tool, made from the Swift
# models the tests use; its debug build is enough, it is not timed.
swift build --product famctl-dev >/dev/null
famctl_dev="$(swift build --show-bin-path)/famctl-dev"
work=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$work"' EXIT

# median_ms LABEL COMMAND...: prints "| LABEL | median wall ms | mean user+sys ms |". The CPU
# column does not depend on what else the machine is doing. With BENCH_PREPARE set, that shell
# command runs before every timed run (not timed), e.g. to restore a fresh target.
median_ms() {
    local label=$1
    shift
    local ms cpu prepare=(--warmup 3)
    [ -z "${BENCH_PREPARE:-}" ] || prepare=(--prepare "sh -c $(printf '%q' "$BENCH_PREPARE")")
    if command -v hyperfine >/dev/null; then
        hyperfine -N "${prepare[@]}" --runs "$runs" --export-json "$work/h.json" "$(printf '%q ' "$@")" >/dev/null 2>&1
        field() { sed -n "s/.*\"$1\": *\\([0-9.eE+-]*\\).*/\\1/p" "$work/h.json" | sed -n 1p; }
        ms=$(awk -v m="$(field median)" 'BEGIN {printf "%.2f", m * 1000}')
        cpu=$(awk -v u="$(field user)" -v s="$(field system)" 'BEGIN {printf "%.2f", (u + s) * 1000}')
    else
        local times=()
        for _ in $(seq "$runs"); do
            local start end
            [ -z "${BENCH_PREPARE:-}" ] || sh -c "$BENCH_PREPARE" >/dev/null 2>&1
            start=$(date +%s%N)
            "$@" >/dev/null 2>&1 || true
            end=$(date +%s%N)
            times+=($(((end - start) / 1000)))
        done
        ms=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)] / 1000}')
        cpu=n/a
    fi
    printf '| %-58s | %9s | %9s |\n' "$label" "$ms" "$cpu"
}

# ---- list: a captured sysfs tree with 512 dax devices -------------------------------------
# famctl-dev's machine `bench`: devices of 1 GiB; those of the last region are in system-ram
# mode with 8 memory blocks each, half of them online (512 blocks with 8 regions of 64), the
# rest devdax. Kept on tmpfs when possible: sysfs lives in memory too.
"$famctl_dev" sysfs-tree "$work/sys" --machine bench --regions 8 --per-region 64
devices=$("$famctl" list --sysfs-root "$work/sys" | grep -c '"chardev"')
echo "list: generated tree with $devices dax devices, 512 memory blocks ($runs runs, median)"
printf '| %-58s | %9s | %9s |\n' "command (whole process)" "median ms" "cpu ms"
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..11})"
median_ms "famctl list (512 devices)" "$famctl" list --sysfs-root "$work/sys"
median_ms "famctl list -R -D -M -u (512 devices)" "$famctl" list -R -D -M -u --sysfs-root "$work/sys"
median_ms "famctl list -d dax7.3 (system-ram device)" "$famctl" list -d dax7.3 --sysfs-root "$work/sys"
median_ms "famctl reconfigure-device --dry-run -m system-ram dax0.0" "$famctl" reconfigure-device --dry-run -m system-ram dax0.0 --sysfs-root "$work/sys"
median_ms "famctl reconfigure-device --dry-run -m devdax -f dax7.0" "$famctl" reconfigure-device --dry-run -m devdax -f dax7.0 --sysfs-root "$work/sys"
median_ms "famctl --version (process start-up)" "$famctl" --version

# ==== famfs mkfs/fsck ========================================================================
# fsck of a full 8 MiB log (15,420 entries) and a full 256 MiB log (493,447 entries), one
# directory per 16 entries, the rest 2 MiB files (famctl-dev famfs-image); mkfs of a 1 TiB
# sparse image. Targets: fsck 8 MiB < 20 ms, 256 MiB < 65 ms, mkfs 1 TiB < 100 ms with the image
# staying sparse; peak RSS (/usr/bin/time -v, the largest of three runs) <= log size + 16 MiB.

# peak_rss_kib COMMAND...: the largest maximum resident set size of three runs, in KiB.
peak_rss_kib() {
    local peak=0 rss
    for _ in 1 2 3; do
        rss=$(/usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}')
        if ((rss > peak)); then peak=$rss; fi
    done
    echo "$peak"
}

# Image files on a disk-backed file system, as images normally live (tmpfs mappings fault
# slower; a real dax device maps in 2 MiB pages, faster still).
famfs_work=$(mktemp -d -p /var/tmp famctl-bench.XXXXXX)
trap 'rm -rf "$work" "$famfs_work"' EXIT
famfs_uuid=$famfs_work/system_uuid
printf 'c0ffee00-1234-4abc-8def-0123456789ab' >"$famfs_uuid"
echo
echo "famfs: fsck of full logs, mkfs of a 1 TiB sparse image ($runs runs, median)"
printf '| %-58s | %9s | %9s |\n' "command (whole process)" "median ms" "cpu ms"
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..11})"
famfs_rss=()
for log_mib in 8 256; do
    image=$famfs_work/full-${log_mib}m.img
    "$famctl_dev" famfs-image "$image" --full-log --log-length $((log_mib << 20)) --device-size $((log_mib == 8 ? 64 << 30 : 1 << 40))
    "$famctl" famfs fsck --system-uuid-file "$famfs_uuid" "$image" >/dev/null 2>&1 ||
        { echo "fsck of the generated $log_mib MiB log did not pass" >&2; exit 1; }
    median_ms "famctl famfs fsck, full $log_mib MiB log" "$famctl" famfs fsck --system-uuid-file "$famfs_uuid" "$image"
    famfs_rss+=("fsck, full $log_mib MiB log: peak RSS $(peak_rss_kib "$famctl" famfs fsck --system-uuid-file "$famfs_uuid" "$image") KiB (limit $(((log_mib + 16) << 10)) KiB)")
    rm -f "$image"
done
image=$famfs_work/mkfs-1t.img
rm -f "$image"
"$famctl" famfs mkfs --size 1t --system-uuid-file "$famfs_uuid" "$image" >/dev/null
median_ms "famctl famfs mkfs -f, 1 TiB sparse image" "$famctl" famfs mkfs -f --system-uuid-file "$famfs_uuid" "$image"
famfs_rss+=("mkfs, 1 TiB image: peak RSS $(peak_rss_kib "$famctl" famfs mkfs -f --system-uuid-file "$famfs_uuid" "$image") KiB; on disk $(du -k "$image" | cut -f1) KiB")
rm -f "$image"
printf '%s\n' "${famfs_rss[@]}"
# ==== end famfs mkfs/fsck ====================================================================

# ==== famfs creat/logplay ====================================================================
# creat: 10,000 files from a manifest, and a single file, each on a freshly formatted 64 GiB
# sparse image; logplay: a full 8 MiB log (15,420 entries: 964 directories and 14,456 files,
# written with famctl mkdir/creat) into an empty shadow directory, then again (nothing to do).
# Targets: manifest < 2 s, single creat < 20 ms, logplay < 450 ms, no-op replay < 100 ms.
echo
echo "famfs: creat and logplay ($runs runs, median)"
printf '| %-58s | %9s | %9s |\n' "command (whole process)" "median ms" "cpu ms"
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..11})"
export FAMCTL_SYSTEM_UUID_FILE=$famfs_uuid
image=$work/famfs-creat.img
fresh="$famctl famfs mkfs -f --size 64g $image"
"$famctl" famfs mkfs --size 64g "$image" >/dev/null
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "f%d %d\n", i, 4096 * (1 + i % 5) }' >"$work/manifest-10k"
BENCH_PREPARE=$fresh median_ms "famctl famfs creat --manifest (10,000 files)" \
    "$famctl" famfs creat --manifest "$work/manifest-10k" "$image"
BENCH_PREPARE=$fresh median_ms "famctl famfs creat -s 3m (one file)" "$famctl" famfs creat -s 3m "$image" file0
# A full log: directories d0..d963, then 2 MiB files spread over them.
$fresh >/dev/null
# shellcheck disable=SC2046 # one argument per directory name
"$famctl" famfs mkdir "$image" $(seq -f 'd%.0f' 0 963)
awk 'BEGIN { for (i = 0; i < 15420 - 964; i++) printf "d%d/f%d 2m\n", i % 964, i }' >"$work/manifest-full"
"$famctl" famfs creat --manifest "$work/manifest-full" "$image" >/dev/null
if "$famctl" famfs mkdir "$image" one-more 2>/dev/null; then echo "the generated log is not full" >&2; exit 1; fi
shadow=$work/shadow
BENCH_PREPARE="rm -rf $shadow && mkdir $shadow" median_ms "famctl famfs logplay --shadow, full 8 MiB log, empty dir" \
    "$famctl" famfs logplay --shadow "$shadow" "$image"
rm -rf "$shadow" && mkdir "$shadow" && "$famctl" famfs logplay --shadow "$shadow" "$image" >/dev/null
median_ms "famctl famfs logplay --shadow, full log, nothing to do" "$famctl" famfs logplay --shadow "$shadow" "$image"
rm -rf "$shadow" "$image"
unset FAMCTL_SYSTEM_UUID_FILE
# ==== end famfs creat/logplay ================================================================

# ==== famfs full 256 MiB logs (issue 13) =====================================================
# A full 256 MiB log (493,447 entries, famctl-dev famfs-image) and one with 1,000 free slots,
# on /dev/shm (tmpfs: page-cache speed, so the figures measure famctl, not a disk). Targets, each
# a FAIL line and a non-zero exit when missed:
#   fsck of the full log no slower than half of GNU cksum over the same bytes (the log alone),
#     both timed in this run;
#   logplay -n of it <= 2x that fsck, peak RSS <= 64 MiB;
#   logplay --into / --shadow of it: famctl's own user CPU <= 0.5 s (file-system time aside);
#   creat / mkdir of one entry on the log with free slots <= 150 ms; on the full log refused
#     ("log full", exit 1) from the header alone: <= a quarter of that fsck.
bench_famfs_full_logs() {
    local dir misses=() shm=/dev/shm
    [ -d "$shm" ] && [ -w "$shm" ] || shm=$work
    dir=$(mktemp -d -p "$shm" famctl-bench-logs.XXXXXX)
    local full=$dir/full.img free=$dir/free.img target=$dir/target.img log=$dir/log.bin
    local uuid=$dir/system_uuid
    printf 'c0ffee00-1234-4abc-8def-0123456789ab' >"$uuid"
    "$famctl_dev" famfs-image "$full" --full-log --log-length 256m --device-size 1t
    "$famctl_dev" famfs-image "$free" --full-log --log-length 256m --device-size 1t --free-slots 1000
    # The log's bytes alone, for cksum: the image holds 2 MiB of superblock region before them.
    tail -c +$(((2 << 20) + 1)) "$full" >"$log"
    local -a fsck=("$famctl" famfs fsck --system-uuid-file "$uuid" "$full")
    "${fsck[@]}" >/dev/null 2>&1 || { echo "fsck of the generated full log did not pass" >&2; exit 1; }
    # field N LINE: column N (1-based) of a median_ms table line.
    field() { awk -F'|' -v n=$(($1 + 1)) '{gsub(/ /, "", $n); print $n}' <<<"$2"; }
    # le A B: whether A <= B (decimal numbers).
    le() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a <= b)}'; }
    # user_s COMMAND...: the median user CPU seconds of FAMFS_TREE_RUNS runs (default 7), each
    # into a fresh, empty directory $dir/tree. The kernel splits a process's time into user
    # and system by where its timer ticks land, so one run's user figure moves by ±15 %.
    user_s() {
        local times=()
        for _ in $(seq "${FAMFS_TREE_RUNS:-7}"); do
            rm -rf "$dir/tree" && mkdir "$dir/tree"
            times+=("$(/usr/bin/time -f '%U' "$@" 2>&1 >/dev/null | tail -1)")
        done
        printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
    }

    echo
    echo "famfs: full 256 MiB log (493,447 entries) on $(df --output=fstype "$dir" | tail -1) ($runs runs, median)"
    printf '| %-58s | %9s | %9s |\n' "command (whole process)" "median ms" "cpu ms"
    printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..11})"
    local line fsck_ms cksum_ms logplay_ms
    line=$(median_ms "famctl famfs fsck, full 256 MiB log" "${fsck[@]}") && echo "$line"
    fsck_ms=$(field 2 "$line")
    line=$(median_ms "GNU cksum of the same 256 MiB of log" cksum "$log") && echo "$line"
    cksum_ms=$(field 2 "$line")
    line=$(median_ms "famctl famfs logplay -n, full 256 MiB log" "$famctl" famfs logplay -n --system-uuid-file "$uuid" "$full") &&
        echo "$line"
    logplay_ms=$(field 2 "$line")
    local creat_ms mkdir_ms refused_ms
    line=$(BENCH_PREPARE="cp $free $target" median_ms "famctl famfs creat -s 2m (one file), 1,000 free slots" \
        "$famctl" famfs creat -s 2m --system-uuid-file "$uuid" "$target" bench-file) && echo "$line"
    creat_ms=$(field 2 "$line")
    line=$(BENCH_PREPARE="cp $free $target" median_ms "famctl famfs mkdir (one directory), 1,000 free slots" \
        "$famctl" famfs mkdir --system-uuid-file "$uuid" "$target" bench) && echo "$line"
    mkdir_ms=$(field 2 "$line")
    # Through sh, which ignores the refusal's exit status (median_ms stops at a failing run).
    line=$(median_ms "famctl famfs creat -s 2m on the full log (refused, via sh)" \
        sh -c "$(printf '%q ' "$famctl" famfs creat -s 2m --system-uuid-file "$uuid" "$full" bench-file)2>/dev/null || :") &&
        echo "$line"
    refused_ms=$(field 2 "$line")
    local refusal status=0
    refusal=$("$famctl" famfs mkdir --system-uuid-file "$uuid" "$full" bench 2>&1) || status=$?
    local logplay_rss into_user shadow_user
    logplay_rss=$(peak_rss_kib "$famctl" famfs logplay -n --system-uuid-file "$uuid" "$full")
    into_user=$(user_s "$famctl" famfs logplay --into "$dir/tree" --system-uuid-file "$uuid" "$full")
    shadow_user=$(user_s "$famctl" famfs logplay --shadow "$dir/tree" --system-uuid-file "$uuid" "$full")
    rm -rf "$dir/tree"

    echo "fsck ${fsck_ms} ms vs cksum ${cksum_ms} ms (target: fsck <= cksum / 2 = $(awk -v c="$cksum_ms" 'BEGIN {printf "%.2f", c / 2}') ms)"
    le "$fsck_ms" "$(awk -v c="$cksum_ms" 'BEGIN {print c / 2}')" || misses+=("fsck of the full 256 MiB log takes $fsck_ms ms, more than half of cksum's $cksum_ms ms")
    echo "logplay -n ${logplay_ms} ms vs fsck ${fsck_ms} ms (target <= 2x); peak RSS ${logplay_rss} KiB (target <= 65536 KiB)"
    le "$logplay_ms" "$(awk -v f="$fsck_ms" 'BEGIN {print 2 * f}')" || misses+=("logplay -n of the full log takes $logplay_ms ms, more than twice fsck's $fsck_ms ms")
    ((logplay_rss <= 65536)) || misses+=("logplay -n of the full log peaks at $logplay_rss KiB of RSS, more than 64 MiB")
    echo "logplay --into: ${into_user} s user CPU; --shadow: ${shadow_user} s user CPU (target <= 0.5 s each)"
    le "$into_user" 0.5 || misses+=("logplay --into of the full log costs famctl $into_user s of user CPU, more than 0.5 s")
    le "$shadow_user" 0.5 || misses+=("logplay --shadow of the full log costs famctl $shadow_user s of user CPU, more than 0.5 s")
    echo "creat ${creat_ms} ms, mkdir ${mkdir_ms} ms with free slots (target <= 150 ms); full log refused in ${refused_ms} ms (target <= fsck / 4): exit $status, \"$refusal\""
    le "$creat_ms" 150 || misses+=("creat of one file on the 256 MiB log takes $creat_ms ms, more than 150 ms")
    le "$mkdir_ms" 150 || misses+=("mkdir of one directory on the 256 MiB log takes $mkdir_ms ms, more than 150 ms")
    le "$refused_ms" "$(awk -v f="$fsck_ms" 'BEGIN {print f / 4}')" ||
        misses+=("creat on the full log takes $refused_ms ms to refuse, more than a quarter of fsck's $fsck_ms ms (it should read only the header)")
    [ "$status" = 1 ] && [ "$refusal" = "famctl: $full: log full (493447 of 493447 entries used)" ] ||
        misses+=("mkdir on the full log: exit $status, \"$refusal\" (expected exit 1 and \"famctl: $full: log full (493447 of 493447 entries used)\")")
    rm -rf "$dir"
    for miss in "${misses[@]}"; do echo "FAIL: $miss"; done
    [ ${#misses[@]} -eq 0 ]
}
# ==== end famfs full 256 MiB logs ============================================================

# ==== start-up: famctl vs daxctl per invocation ==============================================
# What one invocation costs, against Debian 12's daxctl 76 on the same host: instructions
# (callgrind, deterministic; on a stripped copy, as valgrind cannot read the shipped binary's
# debug info) and page faults (minor + major, /usr/bin/time, median of 41 runs: address-space
# randomisation moves the binary against the kernel's 64 KiB fault-around windows, so one run
# of the same binary takes a few faults more or fewer than the next). reconfigure runs on a
# generated tree of two devices (a host's usual handful; the 512-device tree above measures
# the work, not the start-up). Targets (issue 13): famctl --version, list and
# reconfigure-device --dry-run -m system-ram each cost no more instructions than daxctl list,
# and fault in no more pages. A missed target fails the script, naming it.
startup_section() {
    scripts/setup.sh daxctl valgrind >/dev/null
    # The stripped copy lives on the file system daxctl is installed on (as famctl's
    # /usr/bin would be), not on tmpfs: from tmpfs the same binary takes 3 to 5 more faults.
    local disk stripped small=$work/sys-small missed=()
    disk=$(mktemp -d /var/tmp/famctl-bench.XXXXXX)
    stripped=$disk/famctl-stripped
    strip -o "$stripped" "$famctl"
    "$famctl_dev" sysfs-tree "$small" --machine bench --regions 2 --per-region 1
    # instructions COMMAND...: the instructions callgrind counts for the whole process.
    instructions() {
        valgrind --tool=callgrind --dump-instr=no --callgrind-out-file="$work/callgrind.out" "$@" >/dev/null 2>&1 || true
        awk '/^(summary|totals):/ {print $2; exit}' "$work/callgrind.out"
    }
    # faults COMMAND...: the median of 41 runs' minor + major page faults.
    faults() {
        for _ in $(seq 41); do
            /usr/bin/time -f '%R %F' -o "$work/faults" "$@" >/dev/null 2>&1 || true
            awk '{print $1 + $2}' "$work/faults"
        done | sort -n | sed -n 21p
    }
    local anchor_i anchor_f
    anchor_i=$(instructions daxctl list)
    anchor_f=$(faults daxctl list)
    echo
    echo "start-up: one invocation, famctl (stripped copy of the shipped binary) vs daxctl $(daxctl --version) list"
    printf '| %-58s | %12s | %6s | %7s | %6s |\n' "command" "instructions" "ratio" "faults" "ratio"
    printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "$(printf -- '-%.0s' {1..14})" "$(printf -- '-%.0s' {1..8})" "$(printf -- '-%.0s' {1..9})" "$(printf -- '-%.0s' {1..8})"
    printf '| %-58s | %12s | %6s | %7s | %6s |\n' "daxctl list (the anchor)" "$anchor_i" "1.00" "$anchor_f" "1.00"
    # row LABEL COMMAND...: prints the command's figures and records the targets it misses.
    row() {
        local label=$1 i f
        shift
        i=$(instructions "$@")
        f=$(faults "$@")
        printf '| %-58s | %12s | %6s | %7s | %6s |\n' "$label" "$i" \
            "$(awk -v a="$i" -v b="$anchor_i" 'BEGIN {printf "%.2f", a / b}')" "$f" \
            "$(awk -v a="$f" -v b="$anchor_f" 'BEGIN {printf "%.2f", a / b}')"
        ((i <= anchor_i)) || missed+=("$label: $i instructions > daxctl list's $anchor_i")
        ((f <= anchor_f)) || missed+=("$label: $f page faults > daxctl list's $anchor_f")
    }
    row "famctl --version" "$stripped" --version
    row "famctl list (the host's /sys)" "$stripped" list
    row "famctl reconfigure-device --dry-run -m system-ram dax0.0" \
        "$stripped" reconfigure-device --dry-run -m system-ram dax0.0 --sysfs-root "$small"
    rm -rf "$disk"
    local line
    for line in "${missed[@]}"; do echo "start-up target missed: $line" >&2; done
    ((${#missed[@]} == 0))
}
# ==== end start-up ===========================================================================

# Every section runs, whatever an earlier one found; a missed target fails the script.
status=0
bench_famfs_full_logs || status=1
startup_section || status=1
exit "$status"
