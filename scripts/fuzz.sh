#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fuzzes famctl's famfs code with libFuzzer for a bounded time, one target after another
# (Fuzz/Sources/FamfsFuzz/FamfsFuzz.swift): readers (superblock, log, fsck), logplay
# (planning and the replay tree on a scratch directory), creat (allocator and mkdir/creat
# planning) and manifest (manifest parsing and path validation). Seeds: the fixtures'
# metadata, and Fuzz/Seeds/ for the creat requests and manifests. Prints one summary line
# per target: executions per second and libFuzzer's coverage (cov: edges, ft: features).
# usage: scripts/fuzz.sh [seconds] [target...]   (seconds in all, split evenly; default 100,
# FUZZ_SECONDS works too; default targets: all)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${FUZZ_SECONDS:-100}}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(readers logplay creat manifest)
per_target=$((seconds / ${#targets[@]}))
((per_target > 0)) || per_target=1
work=.build-fuzz
mkdir -p "$work/seeds/metadata" "$work/artifacts"
# logplay's scratch directory (one per run) stays inside the work directory.
rm -rf "$work/tmp"
mkdir -p "$work/tmp"

# Metadata seeds: each fixture with the 2 MiB gap after the superblock squeezed out (the
# harness's input layout): superblock, log header, the slots in use and a few free ones.
for gz in Tests/FamctlTestSupport/Fixtures/*.img.gz; do
    name=$(basename "$gz" .img.gz)
    gunzip -c "$gz" > "$work/$name.img"
    { head -c 200 "$work/$name.img"
      dd if="$work/$name.img" iflag=skip_bytes,count_bytes skip=$((2 * 1024 * 1024)) count=$((48 + 12 * 544)) status=none
    } > "$work/seeds/metadata/$name"
    rm -f "$work/$name.img"
done
# creat inputs: the requests, then the metadata.
mkdir -p "$work/seeds/creat"
for requests in Fuzz/Seeds/creat/*; do
    for metadata in "$work"/seeds/metadata/*; do
        cat "$requests" "$metadata" > "$work/seeds/creat/$(basename "$requests")-$(basename "$metadata")"
    done
done

swift build --package-path Fuzz --scratch-path "$work/build" -c debug \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing
fuzzer=$(swift build --package-path Fuzz --scratch-path "$work/build" -c debug --show-bin-path)/FamfsFuzz

summary=()
for target in "${targets[@]}"; do
    case "$target" in
    readers | logplay) seeds="$work/seeds/metadata" ;;
    creat) seeds="$work/seeds/creat" ;;
    manifest) seeds=Fuzz/Seeds/manifest ;;
    *) echo "fuzz.sh: unknown target $target (readers, logplay, creat, manifest)" >&2; exit 64 ;;
    esac
    # The corpus grows across runs; the seeds stay read-only.
    corpus="$work/corpus-$target"
    mkdir -p "$corpus"
    log="$work/$target.log"
    status=0
    # Without the Swift backtracer a trap is reported by libFuzzer at once (the backtracer can
    # take minutes to symbolicate an instrumented binary).
    TMPDIR="$PWD/$work/tmp" SWIFT_BACKTRACE=enable=no FAMFS_FUZZ_TARGET=$target "$fuzzer" -max_total_time="$per_target" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/$target-" "$corpus" "$seeds" 2>&1 | tee "$log" >&2 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    coverage=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
    line="fuzz $target: ${runs:-?} runs in $per_target s, ${rate:-?} exec/s, ${coverage:-no coverage line}"
    if ((status)); then
        line+=", FAILED (status $status; see $log and $work/artifacts/)"
        failed=1
    fi
    summary+=("$line")
done
printf '%s\n' "${summary[@]}"
exit "${failed:-0}"
