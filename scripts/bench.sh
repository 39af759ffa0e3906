#!/usr/bin/env bash
# Whole-process timings of famctl against inputs this script generates itself. Prints a table
# of medians (hyperfine when installed, else a loop of runs). Usage: scripts/bench.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
swift build -c release --product famctl >/dev/null
famctl=$PWD/.build/release/famctl
work=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$work"' EXIT

# median_ms LABEL COMMAND...: prints "| LABEL | median ms |".
median_ms() {
    local label=$1
    shift
    local ms
    if command -v hyperfine >/dev/null; then
        hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/h.json" "$(printf '%q ' "$@")" >/dev/null 2>&1
        ms=$(sed -n 's/.*"median": *\([0-9.eE+-]*\).*/\1/p' "$work/h.json" | head -1 | awk '{printf "%.2f", $1 * 1000}')
    else
        local times=()
        for _ in $(seq "$runs"); do
            local start end
            start=$(date +%s%N)
            "$@" >/dev/null 2>&1 || true
            end=$(date +%s%N)
            times+=($(((end - start) / 1000)))
        done
        ms=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)] / 1000}')
    fi
    printf '| %-58s | %9s |\n' "$label" "$ms"
}

# ---- list: a captured sysfs tree with 512 dax devices -------------------------------------
# gen_tree ROOT [REGIONS=8] [PER_REGION=64]: devices of 1 GiB; those of the last region are in
# system-ram mode with 8 memory blocks each, half of them online (512 blocks with the
# defaults), the rest devdax. Kept on tmpfs when possible: sysfs lives in memory too.
gen_tree() {
    local root=$1 regions=${2:-8} per=${3:-64} gib=$((1 << 30)) block=$((128 << 20))
    mkdir -p "$root/bus/dax/devices" "$root/devices/system/memory"
    for d in device_dax kmem fsdev_dax; do
        mkdir -p "$root/bus/dax/drivers/$d"
        touch "$root/bus/dax/drivers/$d/"{bind,unbind,new_id,remove_id}
    done
    printf '%x\n' $block >"$root/devices/system/memory/block_size_bytes"
    echo offline >"$root/devices/system/memory/auto_online_blocks"
    for ((r = 0; r < regions; r++)); do
        local region=devices/platform/hmem.$r
        mkdir -p "$root/$region/dax_region"
        echo $r >"$root/$region/dax_region/id"
        echo $((per * gib)) >"$root/$region/dax_region/size"
        echo 2097152 >"$root/$region/dax_region/align"
        echo 0 >"$root/$region/dax_region/available_size"
        for ((i = 0; i < per; i++)); do
            local name=dax$r.$i dir=$root/$region/dax$r.$i start=$(((r * per + i + 4) * gib))
            mkdir -p "$dir/mapping0"
            echo $gib >"$dir/size"
            echo 2097152 >"$dir/align"
            echo 1 >"$dir/target_node"
            printf '0x%x\n' $start >"$dir/resource"
            printf '0x%x\n' $start >"$dir/mapping0/start"
            printf '0x%x\n' $((start + gib - 1)) >"$dir/mapping0/end"
            echo 0x0 >"$dir/mapping0/page_offset"
            ln -s "../../../$region/$name" "$root/bus/dax/devices/$name"
            local driver=device_dax
            if ((r == regions - 1)); then
                driver=kmem
                for ((b = start / block; b < (start + gib) / block; b++)); do
                    local mem=$root/devices/system/memory/memory$b
                    mkdir -p "$mem" "$root/devices/system/node/node1"
                    printf '%08x\n' $b >"$mem/phys_index"
                    if ((b % 2)); then echo online >"$mem/state"; echo Movable >"$mem/valid_zones"; else echo offline >"$mem/state"; echo "Normal Movable" >"$mem/valid_zones"; fi
                    echo 1 >"$mem/removable"
                    ln -s ../../memory/memory$b "$root/devices/system/node/node1/memory$b"
                done
            fi
            ln -s "../../../../bus/dax/drivers/$driver" "$dir/driver"
            ln -s "../../../../$region/$name" "$root/bus/dax/drivers/$driver/$name"
        done
    done
}
gen_tree "$work/sys"
devices=$("$famctl" list --sysfs-root "$work/sys" | grep -c '"chardev"')
echo "list: generated tree with $devices dax devices, 512 memory blocks ($runs runs, median)"
printf '| %-58s | %9s |\n' "command (whole process)" "median ms"
printf '|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "$(printf -- '-%.0s' {1..11})"
median_ms "famctl list (512 devices)" "$famctl" list --sysfs-root "$work/sys"
median_ms "famctl list -R -D -M -u (512 devices)" "$famctl" list -R -D -M -u --sysfs-root "$work/sys"
median_ms "famctl list -d dax7.3 (system-ram device)" "$famctl" list -d dax7.3 --sysfs-root "$work/sys"
median_ms "famctl reconfigure-device --dry-run -m system-ram dax0.0" "$famctl" reconfigure-device --dry-run -m system-ram dax0.0 --sysfs-root "$work/sys"
median_ms "famctl --version (process start-up)" "$famctl" --version
