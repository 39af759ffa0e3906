#!/usr/bin/env bash
# Fuzzes famctl's famfs readers (superblock, log header and entry validation, the fsck
# checker and its report) with libFuzzer for a bounded time, seeded with the fixtures.
# usage: scripts/fuzz.sh [seconds]   (default 60; FUZZ_SECONDS works too)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${FUZZ_SECONDS:-60}}
work=.build-fuzz
mkdir -p "$work/corpus" "$work/artifacts"

# Seeds: each fixture with the 2 MiB gap after the superblock squeezed out (the harness's
# input layout): superblock, log header, the slots in use and a few free ones.
for gz in Tests/FamfsKitTests/Fixtures/*.img.gz; do
    name=$(basename "$gz" .img.gz)
    gunzip -c "$gz" > "$work/$name.img"
    { head -c 200 "$work/$name.img"
      dd if="$work/$name.img" iflag=skip_bytes,count_bytes skip=$((2 * 1024 * 1024)) count=$((48 + 12 * 544)) status=none
    } > "$work/corpus/$name"
    rm -f "$work/$name.img"
done

swift build --package-path Fuzz --scratch-path "$work/build" -c debug \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing
fuzzer=$(swift build --package-path Fuzz --scratch-path "$work/build" -c debug --show-bin-path)/FamfsFuzz
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus"
