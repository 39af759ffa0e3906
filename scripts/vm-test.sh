#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The real-kernel suite: boots Debian kernels in QEMU with an emulated NVDIMM and checks famctl
# side by side with the real daxctl, on two kernels (VMTEST_KERNELS picks them):
#
#   installed  the host's own Debian 12 kernel (6.1) with Debian 12's daxctl 76
#              (scripts/vm/guest.sh). Two boots on one file-backed NVDIMM: boot 1 runs checks
#              1-6 and 8, boot 2 checks that the famfs made in boot 1 persisted (7), and the
#              host then fscks the backing file's bytes (7h).
#   sid        Debian sid's kernel (7.2: fsdev_dax, the famfs mode) with sid's daxctl 85
#              (scripts/vm/guest-sid.sh), fetched into the cache by scripts/vm-sid-packages.sh
#              without changing the host's apt configuration. Boot sid1 runs checks 1-4, 3r, 7
#              and 6; sid2 the famfs persistence (6p) and the busy guard (5); sid3 and sid4 show
#              what the kernel does when daxctl 85 switches a device held mapped (5d) or open
#              (5o): facts, no verdict.
#
# Exit status: 0 every check passed; 1 a check failed; 2 a guest did not boot (or did not reach
# the checks within VMTEST_BOOT_TIMEOUT, or died before reporting); 3 a hang: a boot hit its
# timeout or a check hit VMTEST_CHECK_TIMEOUT; 4 setup failed (packages, build, kernel,
# initramfs). The facts boots (sid3, sid4) count for none of these.
# Logs: artifacts/vm/ (boot1.log, boot2.log, sid1.log, ... are the whole guest consoles).
#
# Knobs (environment):
#   VMTEST_KERNELS="installed sid"  the kernels to boot; VMTEST_KERNELS=sid runs the 7.2 suite
#                             alone
#   VMTEST_FAMCTL=path        use this famctl instead of building one (its libraries go along)
#   VMTEST_ACCEL=auto|tcg|kvm auto: KVM where /dev/kvm works (not the kvm_pvm of nested
#                             sandboxes, which cannot run a stock kernel), else TCG
#   VMTEST_PMEM_MB=4224       NVDIMM region size in MiB (multiple of 16); the dax device gets
#                             this minus its struct-page map (1/64) and 2 MiB, and famfs mkfs
#                             needs at least 4 GiB
#   VMTEST_MEM=4G VMTEST_SMP=2  guest RAM and CPUs. With 4G, QEMU puts 1 GiB above 4 GiB, so
#                             the guest has a ZONE_NORMAL of its own: the device's blocks onlined
#                             --no-movable then join it at the tail of the free lists, instead of
#                             becoming the only Normal memory, where kernel allocations go first
#                             and then cannot be offlined
#   VMTEST_BOOT_TIMEOUT=120   seconds a boot may take to reach the checks
#   VMTEST_TIMEOUT=900        seconds one boot may take in all
#   VMTEST_BUSY_TIMEOUT=300   seconds each of the sid boots that switch busy devices (sid2,
#                             sid3, sid4) may take: a kernel that corrupted itself may never
#                             power off
#   VMTEST_CHECK_TIMEOUT=240  seconds one guest check may take
#   VMTEST_CACHE_DIR=.build-vm/cache  uncompressed kernels and sid's packages, kept between runs
#   VMTEST_KEEP=1             keep the temp dir (initramfs, NVDIMM backing files) and say where
set -eEuo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# The suite's functions (building the initramfs, booting, verdicts): scripts/vm/host.sh.
# shellcheck source=scripts/vm/host.sh
. scripts/vm/host.sh

ACCEL=${VMTEST_ACCEL:-auto}
PMEM_MB=${VMTEST_PMEM_MB:-4224}
MEM=${VMTEST_MEM:-4G}
SMP=${VMTEST_SMP:-2}
BOOT_TIMEOUT=${VMTEST_BOOT_TIMEOUT:-120}
TIMEOUT=${VMTEST_TIMEOUT:-900}
BUSY_TIMEOUT=${VMTEST_BUSY_TIMEOUT:-300}
CHECK_TIMEOUT=${VMTEST_CHECK_TIMEOUT:-240}
CACHE=${VMTEST_CACHE_DIR:-$ROOT/.build-vm/cache}
KERNEL_SETS=${VMTEST_KERNELS:-installed sid}
ART=$ROOT/artifacts/vm

EXIT_CHECK=1 EXIT_BOOT=2 EXIT_HANG=3 EXIT_SETUP=4
SUITE_START=$SECONDS

# In a function of scripts/vm/host.sh, LINENO counts in that file: name the file too.
trap 'die_setup "harness error at ${BASH_SOURCE[0]#"$ROOT/"} line $LINENO: $BASH_COMMAND"' ERR

for k in $KERNEL_SETS; do
    case $k in installed | sid) ;; *) die_setup "VMTEST_KERNELS: unknown kernel '$k' (expected installed, sid)" ;; esac
done
rm -rf "$ART"
mkdir -p "$ART" "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/famctl-vm.XXXXXX")
QEMU_PID=
trap cleanup EXIT

# ---------------------------------------------------------------- packages
t=$SECONDS
cc=$(command -v cc || command -v gcc || command -v clang || true)
packages=(qemu-system-x86 linux-image-amd64 busybox-static ndctl daxctl cpio jq xz-utils zstd kmod binutils
    make strace)
[ -n "$cc" ] || packages+=(gcc libc6-dev)
scripts/setup.sh --no-recommends "${packages[@]}" > "$ART/setup.log" 2>&1 || {
    tail -n 20 "$ART/setup.log"
    die_setup "installing packages (log: artifacts/vm/setup.log)"
}
cc=${cc:-$(command -v cc)}
if ldd /bin/busybox > /dev/null 2>&1; then die_setup "/bin/busybox is not static (busybox-static)"; fi
say "packages ready ($(elapsed $t)s)"

# ---------------------------------------------------------------- famctl and the helper
t=$SECONDS
if [ -n "${VMTEST_FAMCTL:-}" ]; then
    FAMCTL=$(readlink -f "$VMTEST_FAMCTL")
    [ -x "$FAMCTL" ] || die_setup "VMTEST_FAMCTL=$VMTEST_FAMCTL is not an executable"
else
    # The shipped binary, built by the Makefile's flags (release, the Swift runtime linked
    # in): the guest has no Swift toolchain, and the timings of check 8 should be those of
    # what users run. scripts/package-deb.sh and scripts/bench.sh build the same one.
    make -s build > "$ART/build.log" 2>&1 || {
        tail -n 30 "$ART/build.log"
        die_setup "building famctl for the guest (log: artifacts/vm/build.log)"
    }
    FAMCTL=$(make -s print-bin)
fi
"$cc" -O2 -static -Wall -o "$T/vmhelper" scripts/vm/vmhelper.c 2> "$ART/vmhelper-build.log" ||
    die_setup "compiling scripts/vm/vmhelper.c (log: artifacts/vm/vmhelper-build.log)"
say "famctl: $FAMCTL ($(elapsed $t)s)"

# ---------------------------------------------------------------- kernels and initramfs images

case $ACCEL in
    auto) if kvm_usable; then ACCELS=(kvm tcg); else ACCELS=(tcg); fi ;;
    kvm | tcg) ACCELS=("$ACCEL") ;;
    *) die_setup "VMTEST_ACCEL=$ACCEL: expected auto, tcg or kvm" ;;
esac

# QEMU puts the 128 KiB label area at the end of the backend, so the file is the region plus
# 2 MiB (the backend size must stay 2 MiB aligned). Sparse: only what the guest writes uses disk.
IMG_MB=$((PMEM_MB + 2))
MEM_GB=${MEM%G}
MAXMEM=$((MEM_GB + (IMG_MB + 1023) / 1024 + 1))G

# ---------------------------------------------------------------- the kernels' runs

# Every boot run, in order, as NAME:GUEST-SCRIPT:COUNTED (COUNTED=0: facts only), with its
# state in STATE_NAME and its seconds in SECS_NAME.
RUNS=()
KERNEL_WALL=()
HOST7=

for k in $KERNEL_SETS; do
    mkdir -p "$T/$k"
    INITRD=$T/$k/initrd.cpio IMG=$T/$k/nvdimm.img
    truncate -s "${IMG_MB}M" "$IMG"
    run_$k
done

# ---------------------------------------------------------------- verdict
passed=0 failed=0
# The same counts for each kernel set ("installed", "sid"), for the per-kernel summary lines.
declare -A set_passed=() set_failed=()
summary=$ART/summary.txt
: > "$summary"
failing=()
for r in "${RUNS[@]}"; do
    IFS=: read -r b script counted <<< "$r"
    case $b in sid*) set=sid ;; *) set=installed ;; esac
    state_var=STATE_$b
    state=${!state_var}
    # The guest script's plans are the list of checks, so a check that never ran still counts.
    expected=$(sed -n "s/^PLAN_$b=\"\(.*\)\"\$/\1/p" "$script")
    log=$ART/$b.log
    for c in $expected; do
        id=${c%%:*} name=${c#*:}
        line=$(tr -d '\r' 2> /dev/null < "$log" | grep -a "^VMCHECK $id $name " | tail -n 1 || true)
        verdict=${line#"VMCHECK $id $name "}
        if [ -z "$line" ]; then
            if grep -aq "^VMCHECK-BEGIN $id $name" "$log" 2> /dev/null; then
                case $state in
                    hang) verdict="FAIL hang: $b hit its time limit during this check" ;;
                    *) verdict="FAIL no result: $b ended ($state) during this check" ;;
                esac
            else
                verdict="FAIL not run ($b: $state)"
            fi
        fi
        if [ "$counted" = 0 ]; then
            echo "$id $name: (facts, not counted) $verdict" >> "$summary"
            continue
        fi
        echo "$id $name: $verdict" >> "$summary"
        case $verdict in
            PASS*) count_verdict $set 1 ;;
            *)
                count_verdict $set 0
                failing+=("$b:$id:$name")
                ;;
        esac
    done
    if [ $b = boot2 ]; then
        echo "7h persistence-host: $HOST7" >> "$summary"
        case $HOST7 in PASS*) count_verdict $set 1 ;; *) count_verdict $set 0 ;; esac
    fi
done

echo
say "results (guest logs: artifacts/vm/*.log):"
sed 's/^/[vm]   /' "$summary"
if [ -s "$ART/timing.txt" ]; then
    say "timing on the installed kernel, famctl vs daxctl 76, medians in one guest boot (check 8):"
    timing_table "$ART/timing.txt" "daxctl 76"
fi
if [ -s "$ART/timing-sid.txt" ]; then
    say "timing on sid's kernel, famctl vs daxctl 85, medians of 5 in one guest boot (check 7):"
    timing_table "$ART/timing-sid.txt" "daxctl 85"
fi
for b in sid3 sid4; do
    [ -f "$ART/$b.log" ] || continue
    say "facts: what the kernel did when daxctl 85 switched a busy device ($b):"
    tr -d '\r' < "$ART/$b.log" | sed -n 's/^VMFACT /[vm]   /p'
done
for f in "${failing[@]}"; do
    IFS=: read -r b id name <<< "$f"
    grep -aq "^VMCHECK-BEGIN $id $name" "$ART/$b.log" 2> /dev/null || continue
    echo
    say "---- check $id $name failed; its part of artifacts/vm/$b.log:"
    tr -d '\r' < "$ART/$b.log" | sed -n "/^VMCHECK-BEGIN $id $name\$/,/^VMCHECK $id $name /p" | tail -n 60 | sed 's/^/[vm]   | /'
done
exit_status=0
for r in "${RUNS[@]}"; do
    IFS=: read -r b script counted <<< "$r"
    state_var=STATE_$b
    state=${!state_var}
    case $state in booted | skipped) continue ;; esac
    echo
    say "---- $b did not finish ($state); last console lines before dmesg:"
    tr -d '\r' 2> /dev/null < "$ART/$b.log" | sed '/^=====VMTEST-DMESG=====/,$d' | tail -n 40 | sed 's/^/[vm]   | /'
    [ -s "$ART/$b.qemu-err" ] && sed 's/^/[vm]   qemu: /' "$ART/$b.qemu-err"
    [ "$counted" = 1 ] || continue
    case $state in
        no-boot | boot-hang | died | no-device) exit_status=$EXIT_BOOT ;;
        hang) [ $exit_status = $EXIT_BOOT ] || exit_status=$EXIT_HANG ;;
    esac
done
echo
walls=""
for r in "${RUNS[@]}"; do
    b=${r%%:*}
    secs_var=SECS_$b
    walls="$walls, $b ${!secs_var}s"
done
say "wall time: $((SECONDS - SUITE_START))s (${walls#, }; accel ${ACCELS[0]})"
for w in "${KERNEL_WALL[@]}"; do say "  $w"; done
for k in $KERNEL_SETS; do echo "vm-$k: ${set_passed[$k]:-0} passed, ${set_failed[$k]:-0} failed"; done
echo "vm-suite: $passed passed, $failed failed"

[ $exit_status = 0 ] || exit $exit_status
if grep -v '(facts, not counted)' "$summary" | grep -q ': FAIL hang'; then exit $EXIT_HANG; fi
[ $failed -eq 0 ] || exit $EXIT_CHECK
exit 0
