#!/usr/bin/env bash
# Whole-process benchmarks of famctl: release build, medians over several runs (hyperfine),
# peak RSS from /usr/bin/time -v, inputs generated here. Each section below is separate and
# delimited by "# ==== <name> ====" / "# ==== end <name> ====" lines.
# usage: scripts/bench.sh   (BENCH_RUNS=n runs per figure, default 20; BENCH_DIR scratch dir)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh hyperfine time python3
swift build -c release
famctl=$PWD/.build/release/famctl
work=${BENCH_DIR:-$PWD/.build-bench}
runs=${BENCH_RUNS:-20}
mkdir -p "$work"

# median_ms <hyperfine args...>: "<median> ms (min <min>)" wall time of a command.
median_ms() {
    hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/hf.json" "$@" >/dev/null 2>&1
    python3 -c 'import json,sys; r = json.load(open(sys.argv[1]))["results"][0]
print("%.1f ms (min %.1f)" % (r["median"] * 1000, r["min"] * 1000))' "$work/hf.json"
}

# peak_rss_kib <command...>: the largest maximum RSS over three runs, in KiB.
peak_rss_kib() {
    local peak=0 rss
    for _ in 1 2 3; do
        rss=$(/usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}')
        ((rss > peak)) && peak=$rss
    done
    echo "$peak"
}

# ==== famfs mkfs/fsck ====
# fsck of a full 8 MiB log (15,420 entries) and a full 256 MiB log (493,447 entries): one
# directory per 16 entries, the rest 2 MiB files; mkfs of a 1 TiB sparse image.
# Targets: fsck 8 MiB < 20 ms, 256 MiB < 65 ms, mkfs 1 TiB < 100 ms (image stays sparse);
# peak RSS <= log size + 16 MiB.
famfs_bench() {
    local uuid_file=$work/system_uuid
    printf 'c0ffee00-1234-4abc-8def-0123456789ab' > "$uuid_file"
    python3 scripts/famfs-full-log.py "$work/full-8m.img" $((8 << 20)) $((64 << 30))
    python3 scripts/famfs-full-log.py "$work/full-256m.img" $((256 << 20)) $((1 << 40))
    echo "famfs:"
    local log_mib name ms rss limit
    for log_mib in 8 256; do
        name=$work/full-${log_mib}m.img
        "$famctl" famfs fsck --system-uuid-file "$uuid_file" "$name" >/dev/null 2>&1 || {
            echo "fsck of $name did not pass" >&2
            return 1
        }
        ms=$(median_ms -i "$famctl famfs fsck --system-uuid-file $uuid_file $name")
        rss=$(peak_rss_kib "$famctl" famfs fsck --system-uuid-file "$uuid_file" "$name")
        limit=$(((log_mib + 16) * 1024))
        printf '  fsck, full %3d MiB log: median %s   peak RSS %6d KiB (limit %d KiB)\n' \
            "$log_mib" "$ms" "$rss" "$limit"
    done
    local image=$work/mkfs-1t.img
    ms=$(median_ms --prepare "rm -f $image" "$famctl famfs mkfs --size 1t --system-uuid-file $uuid_file $image")
    rss=$(peak_rss_kib "$famctl" famfs mkfs -f --system-uuid-file "$uuid_file" "$image")
    printf '  mkfs, 1 TiB sparse image: median %s   peak RSS %6d KiB   allocated on disk: %s KiB\n' \
        "$ms" "$rss" "$(du -k "$image" | cut -f1)"
    rm -f "$image" "$work"/full-*.img
}
famfs_bench
# ==== end famfs mkfs/fsck ====
