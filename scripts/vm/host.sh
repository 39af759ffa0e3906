# SPDX-License-Identifier: Apache-2.0
# The host side of the real-kernel suite: the functions scripts/vm-test.sh runs (packages and
# kernels, the initramfs, QEMU boots, verdicts). Sourced by vm-test.sh, which sets the globals
# they use (ROOT, ART, CACHE, T, the VMTEST_* knobs); bash, unlike scripts/vm/lib.sh, which the
# guests' busybox sh sources.

say() { echo "[vm] $*"; }

die_setup() {
    say "setup failed: $*"
    exit $EXIT_SETUP
}

elapsed() { echo $((SECONDS - $1)); }

cleanup() {
    if [ -n "$QEMU_PID" ]; then kill -KILL "$QEMU_PID" 2> /dev/null || true; fi
    if [ "${VMTEST_KEEP:-0}" = 1 ]; then say "kept $T"; else rm -rf "$T"; fi
}

# Under TCG the bzImage's real-mode setup and emulated decompressor cost about 3 s per boot;
# QEMU boots the uncompressed ELF vmlinux through its PVH entry point instead (Debian has
# CONFIG_PVH). The payload is found by its compression magic.
extract_vmlinux() { # BZIMAGE OUT
    local magic tool off
    for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
        tool=${magic%%:*}
        command -v "$tool" > /dev/null || continue
        for off in $(LC_ALL=C grep -obUaP "${magic#*:}" "$1" 2> /dev/null | head -n 3 | cut -d: -f1 || true); do
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

# kernel_images BZIMAGE KVER: sets KERNELS to the ways to boot it, the PVH vmlinux first.
kernel_images() {
    local vmlinux=$CACHE/vmlinux-$2
    KERNELS=()
    if [ -s "$vmlinux" ] || extract_vmlinux "$1" "$vmlinux"; then KERNELS+=("$vmlinux"); fi
    KERNELS+=("$1")
}

# copy_libs FILE: every shared library ldd names for FILE into $R, each at its own path.
copy_libs() {
    local lib
    for lib in $(ldd "$1" 2> /dev/null | grep -o '/[^ ]*' || true); do
        [ -e "$R$lib" ] && continue
        mkdir -p "$R$(dirname "$lib")"
        cp -L "$lib" "$R$lib"
    done
}

# copy_bin BINARY [NAME]: into $R/usr/bin, with every shared library ldd names, at its own path.
copy_bin() {
    cp -L "$1" "$R/usr/bin/${2:-$(basename "$1")}"
    copy_libs "$1"
}

# new_root DIR: starts an initramfs tree in DIR (sets R): busybox, jq, vmhelper, famctl, /init.
new_root() {
    R=$1
    mkdir -p "$R"/{bin,sbin,dev,proc,sys,tmp,run,opt,etc/vmtest,usr/bin,vmtest}
    cp /bin/busybox "$R/bin/busybox"
    local applet
    for applet in $("$R/bin/busybox" --list); do
        [ -e "$R/bin/$applet" ] || ln -s busybox "$R/bin/$applet"
    done
    copy_bin "$(command -v jq)"
    copy_bin "$T/vmhelper"
    copy_bin "$FAMCTL" famctl
    # famctl loads libdaxctl (its libdaxctl backend) and libblkid (mkfs's probe) with dlopen
    # only when they are needed: ldd does not name them.
    local soname package lib
    for soname in libdaxctl.so.1:libdaxctl1 libblkid.so.1:libblkid1; do
        package=${soname#*:}
        soname=${soname%:*}
        # awk reads to the end: leaving early would kill ldconfig with SIGPIPE, an error under pipefail.
        lib=$(ldconfig -p | awk -v name="$soname" '$1 == name && /x86-64/ && !found { print $NF; found = 1 }')
        [ -n "$lib" ] || die_setup "the host has no $soname (package $package)"
        mkdir -p "$R$(dirname "$lib")"
        cp -L "$lib" "$R$lib"
        copy_libs "$lib"
    done
    # Debug info is most of famctl's size; the guest does not need it and boots faster without.
    strip --strip-debug "$R/usr/bin/famctl" 2> /dev/null || true
    cp scripts/vm/init.sh "$R/init"
    chmod +x "$R/init"
    cp scripts/vm/lib.sh "$R/vmtest/lib.sh"
}

# add_modules MODROOT KVER LOAD...: the modules LOAD and their dependencies from MODROOT
# (/ for the host's), decompressed, at /lib/modules/KVER in $R; /etc/vmtest/modules lists
# them in load order for /init. A module with an "install" rule (ndctl's for libnvdimm) shows
# as that rule; its file comes from modinfo.
add_modules() {
    local modroot=$1 kver=$2 m
    shift 2
    local mods
    mods=$(modprobe -d "$modroot" -S "$kver" -a --show-depends "$@" 2> /dev/null |
        while read -r kind rest; do
            case $kind in
                insmod) echo "${rest%% *}" ;;
                install) modinfo -b "$modroot" -k "$kver" -n "$(sed -n 's/.*--ignore-install \([^ ]*\).*/\1/p' <<< "$rest")" ;;
            esac
        done | awk '!seen[$0]++')
    [ -n "$mods" ] || die_setup "modprobe -d $modroot -S $kver --show-depends found none of: $*"
    : > "$R/etc/vmtest/modules"
    for m in $mods; do
        local rel=${m#"${modroot%/}"}
        rel=/lib/modules/${rel#*/lib/modules/}
        mkdir -p "$R$(dirname "$rel")"
        case $m in
            *.ko.xz) xz -dc "$m" > "$R${rel%.xz}" && rel=${rel%.xz} ;;
            *.ko.zst) zstd -qdc "$m" > "$R${rel%.zst}" && rel=${rel%.zst} ;;
            *.ko.gz) gzip -dc "$m" > "$R${rel%.gz}" && rel=${rel%.gz} ;;
            *) cp "$m" "$R$rel" ;;
        esac
        echo "$rel" >> "$R/etc/vmtest/modules"
    done
}

pack_root() { # OUT
    (cd "$R" && find . | cpio -o -H newc --quiet) > "$1"
}

# The host's kernel with Debian 12's daxctl/ndctl 76.
prepare_installed() {
    local v kver=
    for v in $(ls /lib/modules 2> /dev/null | sort -V -r); do
        if [ -r "/boot/vmlinuz-$v" ]; then
            kver=$v
            break
        fi
    done
    [ -n "$kver" ] || die_setup "no readable /boot/vmlinuz-* with modules in /lib/modules"
    kernel_images "/boot/vmlinuz-$kver" "$kver"
    new_root "$T/installed/root"
    local tool
    for tool in daxctl ndctl; do copy_bin "$(command -v $tool)"; done
    add_modules / "$kver" nfit nd_pmem dax_pmem device_dax kmem
    # daxctl asks libkmod whether kmem/device_dax are available; libkmod reads these indexes.
    cp "/lib/modules/$kver"/modules.* "$R/lib/modules/$kver/"
    cp scripts/vm/guest.sh "$R/vmtest/guest.sh"
    pack_root "$T/installed/initrd.cpio"
    KVER=$kver
}

# sid's kernel with sid's daxctl/ndctl 85 under /sid, run by sid's loader (it needs sid's
# glibc); famctl links the host's libdaxctl 76, and famctl85 runs the same binary under sid's
# loader so that its libdaxctl backend loads libdaxctl 85 (docs/kernel-7.2-fsdev.md, "Getting the packages").
prepare_sid() {
    scripts/vm-sid-packages.sh "$CACHE" > "$ART/sid-packages.log" 2>&1 || {
        tail -n 20 "$ART/sid-packages.log"
        die_setup "fetching sid's packages (log: artifacts/vm/sid-packages.log)"
    }
    local s=$CACHE/sid kver
    kver=$(cat "$s/KVER")
    [ -r "$s/root/usr/lib/modules/$kver/vmlinuz" ] || die_setup "no vmlinuz in sid's linux-binary-$kver"
    # sid is merged-/usr; the host's kmod (Debian 12) looks for ROOT/lib/modules.
    [ -e "$s/root/lib" ] || ln -s usr/lib "$s/root/lib"
    # (depmod warns that the packages ship no modules.order or modules.builtin; none is needed.)
    [ -s "$s/root/lib/modules/$kver/modules.dep" ] || depmod -b "$s/root" "$kver" 2>> "$ART/sid-packages.log" ||
        die_setup "depmod -b $s/root $kver (log: artifacts/vm/sid-packages.log)"
    kernel_images "$s/root/usr/lib/modules/$kver/vmlinuz" "$kver"
    new_root "$T/sid/root"
    copy_bin "$(command -v strace)"
    add_modules "$s/root" "$kver" nfit nd_pmem dax_pmem device_dax kmem fsdev_dax
    # The checks load fsdev_dax themselves, so that its absence can be tested (check 4).
    grep -v '/fsdev_dax\.ko$' "$R/etc/vmtest/modules" > "$T/sid/modules" && mv "$T/sid/modules" "$R/etc/vmtest/modules"
    depmod -b "$R" "$kver" 2>> "$ART/sid-packages.log" || die_setup "depmod -b $R $kver (log: artifacts/vm/sid-packages.log)"
    mkdir -p "$R/sid/usr/lib" "$R/opt/bookworm-cxx"
    cp -a "$s/root/usr/bin" "$s/root/usr/lib64" "$R/sid/usr/"
    cp -a "$s/root/usr/lib/x86_64-linux-gnu" "$R/sid/usr/lib/"
    rm -rf "$R/sid/usr/lib/x86_64-linux-gnu/gconv" "$R/sid/usr/lib/x86_64-linux-gnu/engines-3"
    cp -a "$s/root/etc" "$R/sid/etc"
    # famctl's C++ runtime is not among sid's packages here; Debian 12's works with sid's glibc.
    cp -L /lib/x86_64-linux-gnu/libstdc++.so.6 "$R/opt/bookworm-cxx/"
    local ld='/sid/usr/lib64/ld-linux-x86-64.so.2 --library-path /sid/usr/lib/x86_64-linux-gnu'
    printf '#!/bin/sh\nexec %s /sid/usr/bin/daxctl "$@"\n' "$ld" > "$R/usr/bin/daxctl"
    printf '#!/bin/sh\nexec %s /sid/usr/bin/ndctl "$@"\n' "$ld" > "$R/usr/bin/ndctl"
    printf '#!/bin/sh\nexec %s:/opt/bookworm-cxx /usr/bin/famctl "$@"\n' "$ld" > "$R/usr/bin/famctl85"
    chmod +x "$R/usr/bin/daxctl" "$R/usr/bin/ndctl" "$R/usr/bin/famctl85"
    cp scripts/vm/guest-sid.sh "$R/vmtest/guest.sh"
    pack_root "$T/sid/initrd.cpio"
    KVER=$kver
}

kvm_usable() {
    [ -r /dev/kvm ] && [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ]
}

# boot NAME PLAN ACCEL KERNEL: runs one guest to its end (IMG, INITRD, EXTRA_APPEND and
# BOOT_LIMIT say with what); the console goes to artifacts/vm/NAME.log.
# Sets BOOT (booted|no-boot|boot-hang|hang|died|no-device) and BOOT_SECS; live-prints the
# verdict lines.
boot() {
    local name=$1 plan=$2 accel=$3 kernel=$4 log=$ART/$1.log cpu=max start=$SECONDS shown=0 began=0
    if [ "$accel" = kvm ]; then cpu=host; fi
    # shellcheck disable=SC2054 # QEMU's option values are comma-separated lists
    local cmd=(qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -smp "$SMP"
        -machine pc,nvdimm=on -m "$MEM,slots=2,maxmem=$MAXMEM"
        -object "memory-backend-file,id=pmem0,share=on,mem-path=$IMG,size=${IMG_MB}M,align=2M"
        -device nvdimm,id=nvdimm0,memdev=pmem0,label-size=128K
        -kernel "$kernel" -initrd "$INITRD"
        -append "console=ttyS0 panic=-1 quiet loglevel=3 vmtest.plan=$plan CHECK_TIMEOUT=$CHECK_TIMEOUT${EXTRA_APPEND:+ $EXTRA_APPEND}"
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
        if [ $((SECONDS - start)) -ge "${BOOT_LIMIT:-$TIMEOUT}" ]; then
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
    lines=$(tr -d '\r' < "$1" | grep -a -E '^(VMCHECK [0-9]|VMTIME |VMFACT |VMSETUP )' || true)
    local n
    n=$(printf '%s' "$lines" | grep -c . || true)
    if [ "$n" -gt "$2" ]; then printf '%s\n' "$lines" | tail -n +$(($2 + 1)) | sed 's/^/[vm]   /' >&2; fi
    echo "$n"
}

# first_boot NAME PLAN WHAT: the first boot of a kernel also decides how to boot it: KVM before
# TCG, the PVH vmlinux before the bzImage. Sets BOOTED_WITH ("ACCEL KERNEL", empty if none).
first_boot() {
    local accel kernel
    BOOTED_WITH=
    for accel in "${ACCELS[@]}"; do
        for kernel in "${KERNELS[@]}"; do
            say "$1 ($3): accel=$accel kernel=$(basename "$kernel")"
            boot "$1" "$2" "$accel" "$kernel"
            if [ "$BOOT" != no-boot ] && [ "$BOOT" != boot-hang ]; then
                BOOTED_WITH="$accel $kernel"
                return 0
            fi
            say "$1 did not reach the checks ($BOOT after ${BOOT_SECS}s); trying the next way to boot"
            truncate -s 0 "$IMG" && truncate -s "${IMG_MB}M" "$IMG"
        done
    done
}

# next_boot NAME PLAN WHAT: a further boot the way the first one booted (skipped if it did not).
next_boot() {
    if [ -z "$BOOTED_WITH" ]; then
        BOOT=skipped BOOT_SECS=0
        return 0
    fi
    local accel kernel
    read -r accel kernel <<< "$BOOTED_WITH"
    say "$1 ($3) on the same NVDIMM backing file"
    boot "$1" "$2" "$accel" "$kernel"
}

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

record() { # NAME SCRIPT COUNTED
    RUNS+=("$1:$2:$3")
    printf -v "STATE_$1" %s "$BOOT"
    printf -v "SECS_$1" %s "$BOOT_SECS"
    say "$1: $BOOT in ${BOOT_SECS}s"
}

run_installed() {
    local t=$SECONDS info
    prepare_installed
    say "installed kernel $KVER, initramfs $(($(stat -c %s "$INITRD") >> 20)) MiB ($(elapsed $t)s)"
    first_boot boot1 boot1 "checks 1-6, 8"
    record boot1 scripts/vm/guest.sh 1
    info=$(tr -d '\r' 2> /dev/null < "$ART/boot1.log" | grep -a '^VMINFO' | head -n 1 || true)
    [ -z "$info" ] || say "guest: ${info#VMINFO }"
    if [ "$BOOT" = booted ]; then next_boot boot2 boot2 "check 7"; else BOOT=skipped BOOT_SECS=0; fi
    record boot2 scripts/vm/guest.sh 1
    HOST7="FAIL not run: boot 2 gave no result"
    if [ "$BOOT" = booted ] && grep -aq '^VMCHECK 7 persistence PASS' <(tr -d '\r' < "$ART/boot2.log"); then
        if host_check; then
            HOST7="PASS $(sed -n 's/^RESULT //p' "$ART/host-check.log")"
        else
            HOST7="FAIL $(sed -n 's/^RESULT //p' "$ART/host-check.log" | tail -n 1) (log: artifacts/vm/host-check.log)"
            tail -n 30 "$ART/host-check.log" | sed 's/^/[vm]   | /'
        fi
    elif [ "$BOOT" = booted ]; then
        HOST7="FAIL not run: the guest part of check 7 failed"
    fi
    say "  VMCHECK 7h persistence-host $HOST7"
    tr -d '\r' < "$ART/boot1.log" 2> /dev/null | sed -n 's/^VMTIME //p' > "$ART/timing.txt" || true
    KERNEL_WALL+=("installed $KVER: $((SECONDS - t))s")
}

run_sid() {
    local t=$SECONDS
    prepare_sid
    say "sid kernel $KVER, initramfs $(($(stat -c %s "$INITRD") >> 20)) MiB ($(elapsed $t)s)"
    # sid onlines hot-plugged memory by default; the checks expect Debian 12's default.
    EXTRA_APPEND=memhp_default_state=offline
    first_boot sid1 sid1 "checks 1-4, 3r, 7, 6"
    record sid1 scripts/vm/guest-sid.sh 1
    BOOT_LIMIT=$BUSY_TIMEOUT
    next_boot sid2 sid2 "checks 6p, 5"
    record sid2 scripts/vm/guest-sid.sh 1
    # A fresh NVDIMM: whatever the kernel does to a busy device stays out of the checked file.
    truncate -s 0 "$IMG" && truncate -s "${IMG_MB}M" "$IMG"
    next_boot sid3 sid3 "5d, daxctl 85 on a mapped device: facts"
    record sid3 scripts/vm/guest-sid.sh 0
    next_boot sid4 sid4 "5o, daxctl 85 on an open device: facts"
    record sid4 scripts/vm/guest-sid.sh 0
    BOOT_LIMIT= EXTRA_APPEND=
    tr -d '\r' < "$ART/sid1.log" 2> /dev/null | sed -n 's/^VMTIME //p' > "$ART/timing-sid.txt" || true
    KERNEL_WALL+=("sid $KVER: $((SECONDS - t))s")
}

count_verdict() { # SET PASSED(1|0)
    if [ "$2" = 1 ]; then
        passed=$((passed + 1)) set_passed[$1]=$((${set_passed[$1]:-0} + 1))
    else
        failed=$((failed + 1)) set_failed[$1]=$((${set_failed[$1]:-0} + 1))
    fi
}

# timing_table FILE DAXCTL: the guest's "WHAT famctl=Nms daxctl=Nms ratio=R" lines as a table.
timing_table() {
    awk -v d="$2" 'BEGIN { printf "[vm]   %-20s %12s %12s %7s\n", "", "famctl", d, "ratio" }
        { f = $2; x = $3; r = $4; sub(/^famctl=/, "", f); sub(/^daxctl=/, "", x); sub(/^ratio=/, "", r)
          sub(/ms$/, "", f); sub(/ms$/, "", x)
          printf "[vm]   %-20s %9.0f ms %9.0f ms %6.2fx\n", $1, f, x, r }' "$1"
}
