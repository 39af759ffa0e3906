#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The real-kernel checks, run inside the QEMU guest by /init (busybox sh, as root).
#
#   guest.sh plan boot1|boot2   run that boot's checks, each in its own process under a timeout,
#                               printing "VMCHECK <n> <name> PASS" or "... FAIL <reason>"
#   guest.sh check NAME         run one check (what a plan runs)
#
# famctl is judged against the real daxctl/ndctl and the kernel's own sysfs, never against
# itself. Setup steps between assertions use daxctl, so a famctl bug shows up in the check that
# exercises it instead of cascading. Every command run is echoed with its exit status and
# stderr, so the guest log alone explains a failure.

. /vmtest/lib.sh

# famctl with each backend (libdaxctl is Debian 12's, 76, like the daxctl here).
FAMCTLS="famctl:libdaxctl famctl:sysfs"

# Each boot's checks, in order (run_plan reads them by name; scripts/vm-test.sh reads these
# two lines to know which verdicts to expect).
# shellcheck disable=SC2034
PLAN_boot1="1:list-json 2:round-trip 3:memory-enable-dry-run 4:famfs-mode-refused 5:kernel-faults 8:timing 6:famfs-on-device"
# shellcheck disable=SC2034
PLAN_boot2="7:persistence"

# ---------------------------------------------------------------- 1. list JSON

check_list_json() {
    MISMATCHES=""
    compare_lists devdax
    must daxctl reconfigure-device -m system-ram $DEV
    compare_lists system-ram
    must daxctl reconfigure-device -m devdax -f $DEV
    must daxctl disable-device $DEV
    compare_lists disabled
    must daxctl enable-device $DEV
    fail_on_mismatches
}

# ---------------------------------------------------------------- 2. round trips

check_round_trip() {
    NB=$(expected_blocks)
    [ "$NB" -gt 0 ] || fail "the device spans no whole memory block (NB=$NB)"
    note "$DEV spans $NB memory blocks of $((0x$(cat $MEMDIR/block_size_bytes) >> 20)) MiB"

    echo "  -- famctl: devdax -> system-ram, checked by daxctl and sysfs"
    must famctl reconfigure-device -m system-ram $DEV
    expect_eq "famctl's JSON" "$(json_view $W/out)" "$(ram_json $NB true)"
    expect_daxctl "$(ram_json $NB true)"
    expect_sysfs "driver=kmem blocks=$NB online=$NB zones=Movable"

    echo "  -- to devdax without --force while blocks are online: refused like daxctl"
    refused famctl reconfigure-device -m devdax $DEV
    famrc=$RC
    grep -q "$DEV" $W/err || fail "the refusal does not name $DEV: $(head -c 200 $W/err)"
    expect_sysfs "driver=kmem blocks=$NB online=$NB zones=Movable"
    refused daxctl reconfigure-device -m devdax $DEV
    expect_eq "famctl's exit status for the refusal (daxctl's)" "$famrc" "$RC"
    expect_sysfs "driver=kmem blocks=$NB online=$NB zones=Movable"

    echo "  -- famctl: system-ram -> devdax --force"
    must famctl reconfigure-device -m devdax -f $DEV
    expect_eq "famctl's JSON" "$(json_view $W/out)" "$devdax_json"
    expect_daxctl "$devdax_json"
    expect_sysfs "$(devdax_sysfs)"
    [ -c $DEVNODE ] || fail "$DEVNODE is not back"

    echo "  -- daxctl round trip, checked by famctl"
    must daxctl reconfigure-device -m system-ram $DEV
    expect_famctl "$(ram_json $NB true)"
    must daxctl reconfigure-device -m devdax -f $DEV
    expect_famctl "$devdax_json"

    echo "  -- famctl --no-online"
    must famctl reconfigure-device -m system-ram --no-online $DEV
    expect_sysfs "driver=kmem blocks=$NB online=0 zones=-"
    expect_daxctl "$(ram_json 0 -)"
    must famctl reconfigure-device -m devdax $DEV
    expect_sysfs "$(devdax_sysfs)"

    echo "  -- famctl --no-movable"
    must famctl reconfigure-device -m system-ram --no-movable $DEV
    expect_sysfs "driver=kmem blocks=$NB online=$NB zones=Normal"
    expect_daxctl "$(ram_json $NB false)"
    must famctl reconfigure-device -m devdax -f $DEV
    expect_sysfs "$(devdax_sysfs)"
    expect_daxctl "$devdax_json"
}

# ---------------------------------------------------------------- 3. memory, enable, dry run

check_memory_enable_dry_run() {
    NB=$(expected_blocks)
    echo "  -- online-memory / offline-memory"
    must daxctl reconfigure-device -m system-ram --no-online $DEV
    must famctl online-memory $DEV
    expect_sysfs "driver=kmem blocks=$NB online=$NB zones=Movable"
    expect_daxctl "$(ram_json $NB true)"
    must famctl offline-memory $DEV
    expect_sysfs "driver=kmem blocks=$NB online=0 zones=-"
    expect_daxctl "$(ram_json 0 -)"
    must daxctl online-memory $DEV
    expect_famctl "$(ram_json $NB true)"
    must daxctl offline-memory $DEV
    expect_famctl "$(ram_json 0 -)"

    echo "  -- --dry-run changes nothing (system-ram, blocks online)"
    must daxctl online-memory $DEV
    snapshot > $W/before
    must famctl reconfigure-device --dry-run -m devdax -f $DEV
    snapshot > $W/after
    cmp -s $W/before $W/after || fail "reconfigure-device --dry-run -m devdax -f changed: $(diff $W/before $W/after | grep '^[-+][^-+]' | head -n 3 | tr '\n' ' ')"
    echo "  ok: nothing changed"
    must daxctl reconfigure-device -m devdax -f $DEV

    echo "  -- --dry-run changes nothing (devdax)"
    snapshot > $W/before
    must famctl reconfigure-device --dry-run -m system-ram $DEV
    snapshot > $W/after
    cmp -s $W/before $W/after || fail "reconfigure-device --dry-run -m system-ram changed: $(diff $W/before $W/after | grep '^[-+][^-+]' | head -n 3 | tr '\n' ' ')"
    [ -c $DEVNODE ] || fail "$DEVNODE vanished after a dry run"
    echo "  ok: nothing changed"

    echo "  -- disable-device / enable-device"
    must famctl disable-device $DEV
    expect_eq "driver" "$(driver)" none
    expect_daxctl "mode=devdax online_memblocks=- total_memblocks=- movable=- state=disabled"
    must famctl enable-device $DEV
    expect_eq "driver" "$(driver)" device_dax
    expect_daxctl "$devdax_json"
    [ -c $DEVNODE ] || fail "$DEVNODE is not back after enable-device"
    must daxctl disable-device $DEV
    expect_famctl "mode=devdax online_memblocks=- total_memblocks=- movable=- state=disabled"
    must daxctl enable-device $DEV
    expect_famctl "$devdax_json"
}

# ---------------------------------------------------------------- 4. --mode famfs without fsdev_dax

check_famfs_mode_refused() {
    [ ! -e /sys/bus/dax/drivers/fsdev_dax ] || fail "precondition: this kernel has fsdev_dax"
    refused famctl reconfigure-device -m famfs $DEV
    grep -q "$DEV" $W/err || fail "the error does not name $DEV: $(head -c 200 $W/err)"
    grep -qiE 'fsdev_dax|famfs' $W/err || fail "the error does not say famfs/fsdev_dax is missing: $(head -c 200 $W/err)"
    expect_eq "driver" "$(driver)" device_dax
    [ -c $DEVNODE ] || fail "$DEVNODE vanished"
    expect_daxctl "$devdax_json"
}

# ---------------------------------------------------------------- 5. faults from the kernel

# hold_and_reconfigure TOOL: reconfigures to system-ram while vmhelper holds 64 MiB of the
# device mapped. famctl's busy-device guard must refuse (240) naming the holder, before any
# write; for daxctl either outcome is fine if what it says matches what the kernel did.
hold_and_reconfigure() {
    tool=$1
    rm -f $W/ready
    vmhelper hold $DEVNODE 0x4000000 $W/ready > $W/hold.out 2>&1 &
    holder=$!
    i=0
    while [ ! -s $W/ready ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ -s $W/ready ] || fail "vmhelper could not map $DEVNODE: $(cat $W/hold.out)"
    run $tool reconfigure-device -m system-ram $DEV
    toolrc=$RC
    [ $toolrc -ne 64 ] || fail "$tool: usage error (exit 64): $(head -c 200 $W/err)"
    view=$(sysfs_view)
    kill -USR1 $holder
    wait $holder
    verdict=$(cat $W/hold.out)
    note "$tool: exit $toolrc; kernel: $view; holder: $verdict"
    # famctl's busy-device guard refuses before any write; daxctl's outcome is recorded.
    if [ $tool = famctl ]; then expect_eq "famctl's exit status with the device mapped" "$toolrc" 240; fi
    if [ $toolrc -eq 0 ]; then
        expect_eq "after $tool succeeded" "$view" "driver=kmem blocks=$NB online=$NB zones=Movable"
    else
        expect_eq "after $tool refused" "$view" "$(devdax_sysfs)"
        [ -s $W/err ] || fail "$tool refused without saying why"
        if [ $tool = famctl ] && ! grep -q "$DEV: busy: pid $holder (vmhelper) has $DEVNODE mapped" $W/err; then
            fail "famctl's refusal does not name the holder (pid $holder): $(head -c 200 $W/err)"
        fi
        expect_eq "the holder's mapping after a refusal" "$verdict" "hold: mapping intact"
    fi
}

# 32 MiB of random data in tmpfs: user pages, which the kernel takes from ZONE_MOVABLE first,
# so they land in the device's freshly onlined blocks.
fill_shm() {
    head -c 1048576 /dev/urandom > $W/chunk
    rm -f /dev/shm/fill
    # shellcheck disable=SC2046 # one cat for all 32 copies: a fork costs milliseconds here
    cat $(for i in $(seq 32); do echo $W/chunk; done) > /dev/shm/fill
}

movable_used_mib() {
    awk '/^Node .* zone +Movable/ { m = 1; next } /^Node/ { m = 0 }
         m && $1 == "pages" && $2 == "free" { free = $3 }
         m && $1 == "managed" { managed = $2 }
         END { print int((managed - free) * 4 / 1024) }' /proc/zoneinfo
}

check_kernel_faults() {
    NB=$(expected_blocks)
    echo "  -- reconfigure while a process holds the device mapped"
    hold_and_reconfigure famctl
    settle_devdax
    hold_and_reconfigure daxctl
    settle_devdax

    echo "  -- offline-memory while the memory is in use"
    must daxctl reconfigure-device -m system-ram $DEV
    fill_shm
    sum=$(md5sum < /dev/shm/fill)
    used=$(movable_used_mib)
    if [ "$used" -ge 16 ]; then
        note "$used MiB of the device's Movable memory are in use"
    else
        note "could not arrange use of the device's memory (Movable in use: $used MiB)"
    fi
    run famctl offline-memory $DEV
    view=$(sysfs_view)
    note "famctl offline-memory: exit $RC; kernel: $view"
    if [ $RC -eq 0 ]; then
        expect_eq "after offline-memory succeeded" "$view" "driver=kmem blocks=$NB online=0 zones=-"
        expect_daxctl "$(ram_json 0 -)"
    else
        [ -s $W/err ] || fail "offline-memory failed without saying why"
        online=$(echo "$view" | sed 's/.*online=\([0-9]*\).*/\1/')
        expect_daxctl "$(ram_json $online "$([ "$online" = "$NB" ] && echo true || echo -)")"
    fi
    expect_eq "the in-use data after offlining" "$(md5sum < /dev/shm/fill)" "$sum"

    echo "  -- system-ram -> devdax --force while the memory is in use"
    case $(sysfs_view) in
        *" online=$NB "*) ;;
        *) must daxctl online-memory $DEV ;;
    esac
    fill_shm
    sum=$(md5sum < /dev/shm/fill)
    note "$(movable_used_mib) MiB of the device's Movable memory are in use"
    run famctl reconfigure-device -m devdax -f $DEV
    view=$(sysfs_view)
    note "famctl reconfigure-device -m devdax -f: exit $RC; kernel: $view"
    if [ $RC -eq 0 ]; then
        expect_eq "after the reconfigure succeeded" "$view" "$(devdax_sysfs)"
    else
        grep -q system-ram $W/err || fail "the failure does not say $DEV is left in system-ram mode: $(head -c 200 $W/err)"
        expect_eq "driver after the refusal" "$(driver)" kmem
    fi
    expect_eq "the in-use data after the reconfigure" "$(md5sum < /dev/shm/fill)" "$sum"
    rm -f /dev/shm/fill
}

# ---------------------------------------------------------------- 8. timing

check_timing() {
    echo "  -- medians of 5 (list) and 3 (each reconfigure) runs, wall clock in this guest"
    rm -f $W/t.*
    for i in 1 2 3 4 5; do
        timed $W/t.famctl famctl --version
        timed $W/t.daxctl daxctl --version
    done
    report_time "startup(--version)"
    for i in 1 2 3 4 5; do
        timed $W/t.famctl famctl list
        timed $W/t.daxctl daxctl list
    done
    report_time "list"
    for i in 1 2 3 4 5; do
        timed $W/t.famctl famctl list -R -D -M -i -u
        timed $W/t.daxctl daxctl list -R -D -M -i -u
    done
    report_time "list-RDMiu"
    for i in 1 2 3; do
        timed $W/t.famctl famctl reconfigure-device -m system-ram $DEV
        timed $W/t.famctl.back famctl reconfigure-device -m devdax -f $DEV
        timed $W/t.daxctl daxctl reconfigure-device -m system-ram $DEV
        timed $W/t.daxctl.back daxctl reconfigure-device -m devdax -f $DEV
    done
    report_time "reconfigure-to-system-ram"
    mv $W/t.famctl.back $W/t.famctl
    mv $W/t.daxctl.back $W/t.daxctl
    report_time "reconfigure-to-devdax"
    expect_sysfs "$(devdax_sysfs)"
}

# ---------------------------------------------------------------- 6. famfs on the real device

check_famfs_on_device() {
    NB=$(expected_blocks)
    echo "  -- mkfs refuses a device in system-ram mode"
    must daxctl reconfigure-device -m system-ram $DEV
    refused famctl famfs mkfs $DEVNODE
    grep -q "$DEV" $W/err || fail "the refusal does not name $DEV: $(head -c 200 $W/err)"
    expect_sysfs "driver=kmem blocks=$NB online=$NB zones=Movable"
    must daxctl reconfigure-device -m devdax -f $DEV

    echo "  -- mkfs, mkdir, creat, fsck, logplay on $DEVNODE"
    must famctl famfs mkfs $DEVNODE
    must famctl famfs mkdir $DEVNODE dir1
    must famctl famfs mkdir -p $DEVNODE dir2/sub/deeper
    for f in $FAMFS_FILES; do
        must famctl famfs creat -s ${f#*:} $DEVNODE ${f%%:*}
    done
    must famctl famfs fsck $DEVNODE
    show_out
    must famctl famfs logplay --into $W/into $DEVNODE
    grep -q "famfs_logplay(v1): $FAMFS_ENTRIES log entries" $W/out || fail "logplay's summary does not count $FAMFS_ENTRIES log entries: $(head -c 200 $W/out)"
    check_tree $W/into
    mkdir -p $W/shadow/root
    must famctl famfs logplay --shadow $W/shadow $DEVNODE
    check_shadow $W/shadow
}

# ---------------------------------------------------------------- 7. persistence (second boot)

check_persistence() {
    expect_eq "driver at boot" "$(driver)" device_dax
    must famctl famfs fsck $DEVNODE
    sed 's/^/VMFSCK | /' $W/out
    must famctl famfs logplay --into $W/into $DEVNODE
    grep -q "famfs_logplay(v1): $FAMFS_ENTRIES log entries" $W/out || fail "logplay's summary does not count $FAMFS_ENTRIES log entries: $(head -c 200 $W/out)"
    check_tree $W/into
    sed 's/^/VMTREE /' $W/tree
}

guest_main "$@"
