#!/usr/bin/env bash
# The real-kernel suite: boots the installed Debian kernel in QEMU with an emulated NVDIMM and
# checks famctl side by side with the real daxctl (tests/vm/guest.sh lists the checks). Two
# boots on one file-backed NVDIMM: boot 1 runs checks 1-6 and 8, boot 2 checks that the famfs
# made in boot 1 persisted (7), and the host then fscks the backing file's bytes.
#
# Exit status: 0 every check passed; 1 a check failed; 2 the guest did not boot (or did not reach
# the checks within VMTEST_BOOT_TIMEOUT, or died before reporting); 3 a hang: the boot hit
# VMTEST_TIMEOUT or a check hit VMTEST_CHECK_TIMEOUT; 4 setup failed (packages, build, kernel,
# initramfs).
# Logs: artifacts/vm/ (boot1.log and boot2.log are the whole guest consoles).
#
# Knobs (environment):
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
#   VMTEST_CHECK_TIMEOUT=240  seconds one guest check may take
#   VMTEST_CACHE_DIR=.build-vm/cache  where the uncompressed kernel is kept between runs
#   VMTEST_KEEP=1             keep the temp dir (initramfs, NVDIMM backing file) and say where
set -eEuo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

ACCEL=${VMTEST_ACCEL:-auto}
PMEM_MB=${VMTEST_PMEM_MB:-4224}
MEM=${VMTEST_MEM:-4G}
SMP=${VMTEST_SMP:-2}
BOOT_TIMEOUT=${VMTEST_BOOT_TIMEOUT:-120}
TIMEOUT=${VMTEST_TIMEOUT:-900}
CHECK_TIMEOUT=${VMTEST_CHECK_TIMEOUT:-240}
CACHE=${VMTEST_CACHE_DIR:-$ROOT/.build-vm/cache}
ART=$ROOT/artifacts/vm

EXIT_CHECK=1 EXIT_BOOT=2 EXIT_HANG=3 EXIT_SETUP=4
SUITE_START=$SECONDS

say() { echo "[vm] $*"; }
die_setup() {
    say "setup failed: $*"
    exit $EXIT_SETUP
}
elapsed() { echo $((SECONDS - $1)); }
trap 'die_setup "harness error at scripts/vm-test.sh line $LINENO"' ERR

rm -rf "$ART"
mkdir -p "$ART" "$CACHE"
T=$(mktemp -d "${TMPDIR:-/tmp}/famctl-vm.XXXXXX")
QEMU_PID=
cleanup() {
    if [ -n "$QEMU_PID" ]; then kill -KILL "$QEMU_PID" 2> /dev/null || true; fi
    if [ "${VMTEST_KEEP:-0}" = 1 ]; then say "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- packages
t=$SECONDS
cc=$(command -v cc || command -v gcc || command -v clang || true)
packages=(qemu-system-x86 linux-image-amd64 busybox-static ndctl daxctl cpio jq xz-utils kmod binutils make)
[ -n "$cc" ] || packages+=(gcc libc6-dev)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    # No recommends: they would add firmware, GUI and BIOS images the suite does not use.
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
        --no-install-recommends "${missing[@]}"; } > "$ART/setup.log" 2>&1 || {
        tail -n 20 "$ART/setup.log"
        die_setup "installing packages (log: artifacts/vm/setup.log)"
    }
fi
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
"$cc" -O2 -static -Wall -o "$T/vmhelper" tests/vm/vmhelper.c 2> "$ART/vmhelper-build.log" ||
    die_setup "compiling tests/vm/vmhelper.c (log: artifacts/vm/vmhelper-build.log)"
say "famctl: $FAMCTL ($(elapsed $t)s)"

# ---------------------------------------------------------------- kernel
KVER=
for v in $(ls /lib/modules 2> /dev/null | sort -V -r); do
    if [ -r "/boot/vmlinuz-$v" ]; then
        KVER=$v
        break
    fi
done
[ -n "$KVER" ] || die_setup "no readable /boot/vmlinuz-* with modules in /lib/modules"
BZIMAGE=/boot/vmlinuz-$KVER
MODDIR=/lib/modules/$KVER

# Under TCG the bzImage's real-mode setup and emulated decompressor cost about 3 s per boot;
# QEMU boots the uncompressed ELF vmlinux through its PVH entry point instead (Debian has
# CONFIG_PVH). The payload is found by its compression magic.
extract_vmlinux() { # BZIMAGE OUT
    local magic tool off
    for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
        tool=${magic%%:*}
        command -v "$tool" > /dev/null || continue
        for off in $(LC_ALL=C grep -obUaP "${magic#*:}" "$1" 2> /dev/null | head -n 3 | cut -d: -f1); do
            tail -c +$((off + 1)) "$1" | "$tool" -dc > "$2.tmp" 2> /dev/null || true
            if [ "$(head -c 4 "$2.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
                mv "$2.tmp" "$2"
                return 0
            fi
        done
    done
    rm -f "$2.tmp"
    return 1
}
KERNELS=()
VMLINUX=$CACHE/vmlinux-$KVER
if [ -s "$VMLINUX" ] || extract_vmlinux "$BZIMAGE" "$VMLINUX"; then KERNELS+=("$VMLINUX"); fi
KERNELS+=("$BZIMAGE")

# ---------------------------------------------------------------- initramfs
t=$SECONDS
R=$T/root
mkdir -p "$R"/{bin,sbin,dev,proc,sys,tmp,run,opt,etc/vmtest,usr/bin,vmtest}
cp /bin/busybox "$R/bin/busybox"
for applet in $("$R/bin/busybox" --list); do
    [ -e "$R/bin/$applet" ] || ln -s busybox "$R/bin/$applet"
done

# copy_bin BINARY [NAME]: into /usr/bin, with every shared library ldd names, at its own path.
copy_bin() {
    local lib
    cp -L "$1" "$R/usr/bin/${2:-$(basename "$1")}"
    for lib in $(ldd "$1" 2> /dev/null | grep -o '/[^ ]*' || true); do
        [ -e "$R$lib" ] && continue
        mkdir -p "$R$(dirname "$lib")"
        cp -L "$lib" "$R$lib"
    done
}
for tool in daxctl ndctl jq; do copy_bin "$(command -v $tool)"; done
copy_bin "$T/vmhelper"
copy_bin "$FAMCTL" famctl
# Debug info is most of famctl's size; the guest does not need it and boots faster without.
strip --strip-debug "$R/usr/bin/famctl" 2> /dev/null || true

# The NVDIMM, dax and kmem modules with their dependencies, in load order. A module with an
# "install" rule (ndctl's for libnvdimm) shows as that rule; its file comes from modinfo.
mods=$(modprobe -S "$KVER" -a --show-depends nfit nd_pmem dax_pmem device_dax kmem 2> /dev/null |
    while read -r kind rest; do
        case $kind in
            insmod) echo "${rest%% *}" ;;
            install) modinfo -k "$KVER" -n "$(sed -n 's/.*--ignore-install \([^ ]*\).*/\1/p' <<< "$rest")" ;;
        esac
    done | awk '!seen[$0]++')
[ -n "$mods" ] || die_setup "modprobe -S $KVER --show-depends found none of the nvdimm/dax modules"
: > "$R/etc/vmtest/modules"
for m in $mods; do
    mkdir -p "$R$(dirname "$m")"
    case $m in
        *.ko.xz) xz -dc "$m" > "$R${m%.xz}" && m=${m%.xz} ;;
        *.ko.zst) zstd -qdc "$m" > "$R${m%.zst}" && m=${m%.zst} ;;
        *.ko.gz) gzip -dc "$m" > "$R${m%.gz}" && m=${m%.gz} ;;
        *) cp "$m" "$R$m" ;;
    esac
    echo "$m" >> "$R/etc/vmtest/modules"
done
# daxctl asks libkmod whether kmem/device_dax are available; libkmod reads these indexes.
cp "$MODDIR"/modules.* "$R$MODDIR/"

cp tests/vm/init.sh "$R/init"
cp tests/vm/guest.sh "$R/vmtest/guest.sh"
chmod +x "$R/init"
(cd "$R" && find . | cpio -o -H newc --quiet) > "$T/initrd.cpio"
say "kernel $KVER, initramfs $(($(stat -c %s "$T/initrd.cpio") >> 20)) MiB ($(elapsed $t)s)"

# ---------------------------------------------------------------- the NVDIMM backing file
# QEMU puts the 128 KiB label area at the end of the backend, so the file is the region plus
# 2 MiB (the backend size must stay 2 MiB aligned). Sparse: only what the guest writes uses disk.
IMG=$T/nvdimm.img
IMG_MB=$((PMEM_MB + 2))
truncate -s "${IMG_MB}M" "$IMG"
MEM_GB=${MEM%G}
MAXMEM=$((MEM_GB + (IMG_MB + 1023) / 1024 + 1))G

kvm_usable() {
    [ -r /dev/kvm ] && [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ]
}
case $ACCEL in
    auto) if kvm_usable; then ACCELS=(kvm tcg); else ACCELS=(tcg); fi ;;
    kvm | tcg) ACCELS=("$ACCEL") ;;
    *) die_setup "VMTEST_ACCEL=$ACCEL: expected auto, tcg or kvm" ;;
esac

# ---------------------------------------------------------------- booting

# boot NAME PLAN ACCEL KERNEL: runs one guest to its end; the console goes to artifacts/vm/NAME.log.
# Sets BOOT (booted|no-boot|boot-hang|hang|died) and BOOT_SECS; live-prints the verdict lines.
boot() {
    local name=$1 plan=$2 accel=$3 kernel=$4 log=$ART/$1.log cpu=max start=$SECONDS shown=0 began=0
    if [ "$accel" = kvm ]; then cpu=host; fi
    # shellcheck disable=SC2054 # QEMU's option values are comma-separated lists
    local cmd=(qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -smp "$SMP"
        -machine pc,nvdimm=on -m "$MEM,slots=2,maxmem=$MAXMEM"
        -object "memory-backend-file,id=pmem0,share=on,mem-path=$IMG,size=${IMG_MB}M,align=2M"
        -device nvdimm,id=nvdimm0,memdev=pmem0,label-size=128K
        -kernel "$kernel" -initrd "$T/initrd.cpio"
        -append "console=ttyS0 panic=-1 quiet loglevel=3 vmtest.plan=$plan CHECK_TIMEOUT=$CHECK_TIMEOUT"
        -display none -monitor none -no-reboot -nodefaults
        -chardev "file,id=con0,path=$log" -serial chardev:con0)
    echo "${cmd[*]}" > "$ART/$name.qemu-cmd"
    : > "$log"
    "${cmd[@]}" < /dev/null > "$ART/$name.qemu-err" 2>&1 &
    QEMU_PID=$!
    BOOT=died
    while kill -0 "$QEMU_PID" 2> /dev/null; do
        if [ $began = 0 ] && grep -aq '=====VMTEST-BEGIN' "$log"; then began=1; fi
        if [ $began = 0 ] && [ $((SECONDS - start)) -ge "$BOOT_TIMEOUT" ]; then
            BOOT=boot-hang
            kill -KILL "$QEMU_PID"
            break
        fi
        if [ $((SECONDS - start)) -ge "$TIMEOUT" ]; then
            BOOT=hang
            kill -KILL "$QEMU_PID"
            break
        fi
        shown=$(show_verdicts "$log" "$shown")
        sleep 0.2
    done
    wait "$QEMU_PID" 2> /dev/null || true
    QEMU_PID=
    show_verdicts "$log" "$shown" > /dev/null
    BOOT_SECS=$((SECONDS - start))
    if grep -aq '^VMCHECK-BEGIN' "$log"; then
        if grep -aq '=====VMTEST-END' "$log"; then BOOT=booted; fi
    elif grep -aq '=====VMTEST-END' "$log"; then
        BOOT=no-device
    elif [ $began = 0 ] && [ $BOOT = died ]; then
        BOOT=no-boot
    fi
}

# show_verdicts LOG N: prints (to stderr) the guest's verdict lines after the first N; prints the
# new count on stdout.
show_verdicts() {
    local lines
    lines=$(tr -d '\r' < "$1" | grep -a -E '^(VMCHECK [0-9]|VMTIME |VMSETUP )' || true)
    local n
    n=$(printf '%s' "$lines" | grep -c . || true)
    if [ "$n" -gt "$2" ]; then printf '%s\n' "$lines" | tail -n +$(($2 + 1)) | sed 's/^/[vm]   /' >&2; fi
    echo "$n"
}

# Boot 1 also decides how to boot: KVM before TCG, the PVH vmlinux before the bzImage.
BOOTED_WITH=
for accel in "${ACCELS[@]}"; do
    for kernel in "${KERNELS[@]}"; do
        say "boot 1 (checks 1-6, 8): accel=$accel kernel=$(basename "$kernel")"
        boot boot1 boot1 "$accel" "$kernel"
        if [ "$BOOT" != no-boot ] && [ "$BOOT" != boot-hang ]; then
            BOOTED_WITH="$accel $kernel"
            break 2
        fi
        say "boot 1 did not reach the checks ($BOOT after ${BOOT_SECS}s); trying the next way to boot"
        truncate -s 0 "$IMG" && truncate -s "${IMG_MB}M" "$IMG"
    done
done
BOOT1=$BOOT BOOT1_SECS=$BOOT_SECS
say "boot 1: $BOOT1 in ${BOOT1_SECS}s"
info=$(tr -d '\r' 2> /dev/null < "$ART/boot1.log" | grep -a '^VMINFO' | head -n 1 || true)
[ -z "$info" ] || say "guest: ${info#VMINFO }"

BOOT2=skipped BOOT2_SECS=0
if [ "$BOOT1" = booted ]; then
    read -r accel kernel <<< "$BOOTED_WITH"
    say "boot 2 (check 7) on the same NVDIMM backing file"
    boot boot2 boot2 "$accel" "$kernel"
    BOOT2=$BOOT BOOT2_SECS=$BOOT_SECS
    say "boot 2: $BOOT2 in ${BOOT2_SECS}s"
fi

# ---------------------------------------------------------------- check 7 on the host
# famctl fscks and replays the backing file's bytes from the dax device's first byte, which
# lies at (dax resource - region resource) in the region, and the region starts the file.
host_check() {
    local info off size dev=$T/device.img out=$ART/host-check.log
    info=$(tr -d '\r' < "$ART/boot2.log" | grep -a '^VMINFO' | head -n 1)
    off=$(sed -n 's/.* dax_offset=\([0-9]*\).*/\1/p' <<< "$info")
    size=$(sed -n 's/.* dax_size=\([0-9]*\).*/\1/p' <<< "$info")
    if [ -z "$off" ] || [ -z "$size" ]; then
        echo "no VMINFO dax_offset/dax_size from boot 2"
        return 1
    fi
    if [ $((off % 1048576)) -ne 0 ] || [ $((size % 1048576)) -ne 0 ]; then
        echo "dax offset $off or size $size is not a whole number of MiB"
        return 1
    fi
    {
        echo "device byte 0 at backing-file offset $off ($(printf '0x%x' "$off")), $size bytes"
        dd if="$IMG" of="$dev" bs=1M skip=$((off >> 20)) count=$((size >> 20)) conv=sparse status=none
        truncate -s "$size" "$dev"
        echo "\$ famctl famfs fsck <backing file at +$off>"
        "$FAMCTL" famfs fsck "$dev" > "$T/host-fsck" 2>&1
        local rc=$?
        cat "$T/host-fsck"
        echo "= exit $rc"
        [ $rc -eq 0 ] || {
            echo "RESULT famctl famfs fsck exited $rc on the host"
            return 1
        }
        # The whole report describes the file system, except the line that says whether this
        # host owns it (the guest does, the host does not).
        grep -v 'role of this node' "$T/host-fsck" > "$T/host-keys" || true
        tr -d '\r' < "$ART/boot2.log" | sed -n 's/^VMFSCK | //p' | grep -v 'role of this node' > "$T/guest-keys" || true
        if [ ! -s "$T/host-keys" ] || ! cmp -s "$T/host-keys" "$T/guest-keys"; then
            echo "fsck reports differ (- guest boot 2, + host):"
            diff -u "$T/guest-keys" "$T/host-keys" || true
            echo "RESULT the host's fsck report differs from the guest's"
            return 1
        fi
        echo "\$ famctl famfs logplay --into <dir> <backing file at +$off>"
        "$FAMCTL" famfs logplay --into "$T/host-into" "$dev" 2>&1
        rc=$?
        echo "= exit $rc"
        [ $rc -eq 0 ] || {
            echo "RESULT famctl famfs logplay exited $rc on the host"
            return 1
        }
        (cd "$T/host-into" && find . -mindepth 1 | sed 's|^\./||' | sort) > "$T/host-tree"
        tr -d '\r' < "$ART/boot2.log" | sed -n 's/^VMTREE //p' > "$T/guest-tree"
        if [ ! -s "$T/host-tree" ] || ! cmp -s "$T/host-tree" "$T/guest-tree"; then
            echo "replayed trees differ (- guest boot 2, + host):"
            diff -u "$T/guest-tree" "$T/host-tree" || true
            echo "RESULT the host's replay differs from the guest's"
            return 1
        fi
        echo "RESULT same file system: $(wc -l < "$T/host-tree") entries"
    } > "$out" 2>&1
}
HOST7="FAIL not run: boot 2 gave no result"
if [ "$BOOT2" = booted ] && grep -aq '^VMCHECK 7 persistence PASS' <(tr -d '\r' < "$ART/boot2.log"); then
    if host_check; then
        HOST7="PASS $(sed -n 's/^RESULT //p' "$ART/host-check.log")"
    else
        HOST7="FAIL $(sed -n 's/^RESULT //p' "$ART/host-check.log" | tail -n 1) (log: artifacts/vm/host-check.log)"
        tail -n 30 "$ART/host-check.log" | sed 's/^/[vm]   | /'
    fi
elif [ "$BOOT2" = booted ]; then
    HOST7="FAIL not run: the guest part of check 7 failed"
fi
say "  VMCHECK 7h persistence-host $HOST7"

# ---------------------------------------------------------------- verdict
passed=0 failed=0
summary=$ART/summary.txt
: > "$summary"
failing=()
for b in boot1 boot2; do
    # The guest script's plans are the list of checks, so a check that never ran still counts.
    expected=$(sed -n "s/^PLAN_$b=\"\(.*\)\"\$/\1/p" tests/vm/guest.sh)
    log=$ART/$b.log
    for c in $expected; do
        id=${c%%:*} name=${c#*:}
        line=$(tr -d '\r' 2> /dev/null < "$log" | grep -a "^VMCHECK $id $name " | tail -n 1 || true)
        verdict=${line#"VMCHECK $id $name "}
        if [ -z "$line" ]; then
            state=$BOOT1
            [ $b = boot1 ] || state=$BOOT2
            if grep -aq "^VMCHECK-BEGIN $id $name" "$log" 2> /dev/null; then
                case $state in
                    hang) verdict="FAIL hang: $b hit VMTEST_TIMEOUT=${TIMEOUT}s during this check" ;;
                    *) verdict="FAIL no result: $b ended ($state) during this check" ;;
                esac
            else
                verdict="FAIL not run ($b: $state)"
            fi
        fi
        echo "$id $name: $verdict" >> "$summary"
        case $verdict in
            PASS*) passed=$((passed + 1)) ;;
            *)
                failed=$((failed + 1))
                failing+=("$b:$id:$name")
                ;;
        esac
    done
done
echo "7h persistence-host: $HOST7" >> "$summary"
case $HOST7 in PASS*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)) ;; esac

tr -d '\r' < "$ART/boot1.log" 2> /dev/null | sed -n 's/^VMTIME //p' > "$ART/timing.txt" || true

echo
say "results (guest logs: artifacts/vm/boot1.log, artifacts/vm/boot2.log):"
sed 's/^/[vm]   /' "$summary"
if [ -s "$ART/timing.txt" ]; then
    say "timing, medians in the same guest boot (check 8):"
    sed 's/^/[vm]   /' "$ART/timing.txt"
fi
for f in "${failing[@]}"; do
    IFS=: read -r b id name <<< "$f"
    grep -aq "^VMCHECK-BEGIN $id $name" "$ART/$b.log" 2> /dev/null || continue
    echo
    say "---- check $id $name failed; its part of artifacts/vm/$b.log:"
    tr -d '\r' < "$ART/$b.log" | sed -n "/^VMCHECK-BEGIN $id $name\$/,/^VMCHECK $id $name /p" | tail -n 60 | sed 's/^/[vm]   | /'
done
if [ "$BOOT1" != booted ] || { [ "$BOOT2" != booted ] && [ "$BOOT2" != skipped ]; }; then
    echo
    b=boot1
    [ "$BOOT1" = booted ] && b=boot2
    say "---- $b did not finish ($( [ $b = boot1 ] && echo "$BOOT1" || echo "$BOOT2")); last console lines before dmesg:"
    tr -d '\r' 2> /dev/null < "$ART/$b.log" | sed '/^=====VMTEST-DMESG=====/,$d' | tail -n 40 | sed 's/^/[vm]   | /'
    [ -s "$ART/$b.qemu-err" ] && sed 's/^/[vm]   qemu: /' "$ART/$b.qemu-err"
fi
echo
accel_used=${BOOTED_WITH%% *}
say "wall time: $((SECONDS - SUITE_START))s (boot 1 ${BOOT1_SECS}s, boot 2 ${BOOT2_SECS}s, accel ${accel_used:-none})"
echo "vm-suite: $passed passed, $failed failed"

for s in "$BOOT1" "$BOOT2"; do
    case $s in
        no-boot | boot-hang | died | no-device) exit $EXIT_BOOT ;;
        hang) exit $EXIT_HANG ;;
    esac
done
if grep -q ': FAIL hang' "$summary"; then exit $EXIT_HANG; fi
[ $failed -eq 0 ] || exit $EXIT_CHECK
exit 0
