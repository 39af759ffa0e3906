#!/bin/sh
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

DEV=dax0.0
DEVNODE=/dev/$DEV
SYSDEV=/sys/bus/dax/devices/$DEV
MEMDIR=/sys/devices/system/memory
W=/tmp/vmtest
CHECK_TIMEOUT=${CHECK_TIMEOUT:-240}

# The famfs tree made in boot 1 and looked for in boot 2 and on the host (files as path:size).
FAMFS_DIRS="dir1 dir2 dir2/sub dir2/sub/deeper"
FAMFS_FILES="file0:4096 dir1/file1:3145728 dir2/sub/deeper/big:67108864"
FAMFS_ENTRIES=7 # dir1, dir2, dir2/sub, dir2/sub/deeper (mkdir -p logs each), three files

# Each boot's checks, in order (run_plan reads them by name; scripts/vm-test.sh reads these
# two lines to know which verdicts to expect).
# shellcheck disable=SC2034
PLAN_boot1="1:list-json 2:round-trip 3:memory-enable-dry-run 4:famfs-mode-refused 5:kernel-faults 8:timing 6:famfs-on-device"
# shellcheck disable=SC2034
PLAN_boot2="7:persistence"

mkdir -p $W

# ---------------------------------------------------------------- reporting

# fail REASON: ends the check (each check is its own process) with REASON as its verdict.
fail() {
    echo "  FAIL: $*"
    echo "$*" | tr '\n' ' ' | cut -c 1-300 > $W/reason
    exit 1
}

note() {
    read -r up _ < /proc/uptime
    echo "  note: $*    [t=${up}s]"
}

# run CMD...: runs CMD, echoes it with its exit status and stderr; stdout is kept in $W/out,
# stderr in $W/err, the status in RC.
run() {
    read -r up _ < /proc/uptime
    echo "  \$ $*    [t=${up}s]"
    "$@" > $W/out 2> $W/err
    RC=$?
    if [ -s $W/err ]; then head -n 20 $W/err | sed 's/^/  ! /'; fi
    echo "  = exit $RC"
    return 0
}

show_out() { head -n 60 $W/out | sed 's/^/  > /'; }

must() {
    run "$@"
    if [ $RC -ne 0 ]; then
        show_out
        fail "'$*' exited $RC: $(head -c 300 $W/err | tr '\n' ' ')"
    fi
}

# refused CMD...: CMD must fail, and for a reason: a usage error (64) is no refusal.
refused() {
    run "$@"
    if [ $RC -eq 0 ]; then
        show_out
        fail "'$*' succeeded; expected a refusal (non-zero exit)"
    fi
    if [ $RC -eq 64 ]; then
        fail "'$*' is a usage error (exit 64), not a refusal: $(head -c 200 $W/err)"
    fi
}

expect_eq() { # WHAT ACTUAL EXPECTED
    if [ "$2" != "$3" ]; then fail "$1: got '$2', expected '$3'"; fi
    echo "  ok: $1 = $2"
}

# ---------------------------------------------------------------- views of the device

driver() {
    link=$(readlink $SYSDEV/driver 2> /dev/null) && basename "$link" || echo none
}

# The memory blocks kmem hot-plugs for the device: the whole blocks inside its range.
dev_blocks() {
    read -r start < $SYSDEV/resource
    read -r size < $SYSDEV/size
    read -r bs < $MEMDIR/block_size_bytes
    bs=$((0x$bs))
    i=$(((start + bs - 1) / bs))
    last=$(((start + size) / bs - 1))
    while [ $i -le $last ]; do
        echo memory$i
        i=$((i + 1))
    done
}

expected_blocks() { dev_blocks | wc -l; }

# What the kernel says: driver, the device's blocks that exist, how many are online, and the
# zones of the online ones. (Loops use the shell's read: a fork costs milliseconds under TCG.)
sysfs_view() {
    n=0
    on=0
    zones=""
    for b in $(dev_blocks); do
        [ -d $MEMDIR/$b ] || continue
        n=$((n + 1))
        read -r state < $MEMDIR/$b/state
        if [ "$state" = online ]; then
            on=$((on + 1))
            read -r zone < $MEMDIR/$b/valid_zones
            zones="$zones $zone"
        fi
    done
    zones=$(echo $zones | tr ' ' '\n' | sort -u | tr '\n' ',' | sed 's/,$//')
    echo "driver=$(driver) blocks=$n online=$on zones=${zones:--}"
}

# Device keys that tell the mode, from a daxctl/famctl JSON document (array or bare object).
json_view() { # FILE
    jq -r 'if type == "array" then .[0] else . end
        | [ "mode", "online_memblocks", "total_memblocks", "movable", "state" ]
        as $keys | [ $keys[] as $k | "\($k)=\(if has($k) then .[$k] | tostring else "-" end)" ]
        | join(" ")' "$1" 2> /dev/null || echo "unparsable JSON"
}

daxctl_view() {
    daxctl list -d $DEV > $W/view.json 2> $W/view.err
    json_view $W/view.json
}

famctl_view() { # [BACKEND]
    famctl list ${1:+--backend $1} -d $DEV > $W/view.json 2> $W/view.err
    json_view $W/view.json
}

expect_sysfs() { expect_eq "sysfs" "$(sysfs_view)" "$1"; }
expect_daxctl() { expect_eq "daxctl list -d $DEV" "$(daxctl_view)" "$1"; }
expect_famctl() {
    for backend in libdaxctl sysfs; do
        expect_eq "famctl list --backend $backend -d $DEV" "$(famctl_view $backend)" "$1"
    done
}

# Everything a dry run must leave alone: the device's driver and every memory block's state.
snapshot() {
    echo "driver=$(driver)"
    for b in $MEMDIR/memory*; do
        read -r state < $b/state
        echo "${b##*/}=$state"
    done
}

# The states a check expects, for NB blocks.
devdax_sysfs() { echo "driver=device_dax blocks=0 online=0 zones=-"; }
devdax_json="mode=devdax online_memblocks=- total_memblocks=- movable=- state=-"
ram_json() { echo "mode=system-ram online_memblocks=$1 total_memblocks=$NB movable=$2 state=-"; }

# Puts the device back in devdax with daxctl, whatever a failed check left behind.
settle_devdax() {
    case $(driver) in
        device_dax) return 0 ;;
        kmem) daxctl reconfigure-device -m devdax -f $DEV > /dev/null 2>&1 ;;
        none) daxctl enable-device $DEV > /dev/null 2>&1 ;;
    esac
    echo "  (restored $DEV to devdax: $(sysfs_view))"
}

# ---------------------------------------------------------------- 1. list JSON

LIST_FLAGS="none -u -R_-D -M -i -R_-D_-M_-i_-u"

# Parsed-JSON equality, key order and array order aside (daxctl's order is unspecified).
JQ_SAME='def norm: walk(if type == "array" then sort_by(tojson) else . end); ($d | norm) == ($f | norm)'

compare_lists() { # STATE-LABEL
    for f in $LIST_FLAGS; do
        flags=$(echo "$f" | sed 's/^none$//; s/_/ /g')
        daxctl list $flags > $W/daxctl.json 2> $W/daxctl.err
        drc=$?
        for backend in libdaxctl sysfs; do
            famctl list --backend $backend $flags > $W/famctl.json 2> $W/famctl.err
            frc=$?
            what="$1: list ${flags:-(no flags)} --backend $backend"
            if [ $drc -ne $frc ]; then
                echo "  MISMATCH $what: famctl exit $frc, daxctl exit $drc"
                head -n 5 $W/famctl.err | sed 's/^/  ! /'
                MISMATCHES="$MISMATCHES|$what (exit $frc vs $drc)"
                continue
            fi
            jq -e -n --slurpfile d $W/daxctl.json --slurpfile f $W/famctl.json "$JQ_SAME" > /dev/null 2>&1
            case $? in
                0) echo "  same: $what" ;;
                1)
                    echo "  MISMATCH $what (- daxctl, + famctl):"
                    jq -S 'walk(if type == "array" then sort_by(tojson) else . end)' $W/daxctl.json > $W/daxctl.norm
                    jq -S 'walk(if type == "array" then sort_by(tojson) else . end)' $W/famctl.json > $W/famctl.norm
                    diff -u $W/daxctl.norm $W/famctl.norm | sed '1,2d; s/^/  /' | head -n 40
                    MISMATCHES="$MISMATCHES|$what"
                    ;;
                *)
                    echo "  MISMATCH $what: famctl printed invalid JSON"
                    head -n 10 $W/famctl.json | sed 's/^/  > /'
                    MISMATCHES="$MISMATCHES|$what (invalid JSON)"
                    ;;
            esac
        done
    done
}

check_list_json() {
    MISMATCHES=""
    compare_lists devdax
    must daxctl reconfigure-device -m system-ram $DEV
    compare_lists system-ram
    must daxctl reconfigure-device -m devdax -f $DEV
    must daxctl disable-device $DEV
    compare_lists disabled
    must daxctl enable-device $DEV
    if [ -n "$MISMATCHES" ]; then
        count=$(echo "$MISMATCHES" | tr '|' '\n' | grep -c .)
        fail "$count of 36 comparisons differ:$(echo "$MISMATCHES" | tr '|' '\n' | grep . | head -n 3 | sed 's/^/ [/; s/$/]/' | tr -d '\n')"
    fi
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
# device mapped. Either outcome is fine if what the tool says matches what the kernel did; a
# famctl refusal must also name the mode it leaves the device in (daxctl's is only reported).
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
    if [ $toolrc -eq 0 ]; then
        expect_eq "after $tool succeeded" "$view" "driver=kmem blocks=$NB online=$NB zones=Movable"
    else
        expect_eq "after $tool refused" "$view" "$(devdax_sysfs)"
        [ -s $W/err ] || fail "$tool refused without saying why"
        if [ $tool = famctl ] && ! grep -q devdax $W/err; then
            fail "famctl's refusal does not say $DEV is left in devdax mode: $(head -c 200 $W/err)"
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

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

timed() { # FILE CMD...: appends the wall time in ms; fails the check if CMD fails
    file=$1
    shift
    # shellcheck disable=SC2046 # "<ms> <exit status>" into $1 and $2
    set -- $(vmhelper ms "$@")
    [ "$2" = 0 ] || fail "timed command exited $2"
    echo "$1" >> $file
}

report_time() { # WHAT
    f=$(median < $W/t.famctl)
    d=$(median < $W/t.daxctl)
    ratio=$(awk -v f=$f -v d=$d 'BEGIN { printf "%.2f", f / d }')
    echo "VMTIME $1 famctl=${f}ms daxctl=${d}ms ratio=$ratio"
    rm -f $W/t.famctl $W/t.daxctl
}

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

# check_tree DIR: DIR (a logplay --into target) holds exactly the famfs tree made in boot 1.
check_tree() {
    for d in $FAMFS_DIRS; do
        [ -d "$1/$d" ] || fail "logplay did not create directory $d"
    done
    for f in $FAMFS_FILES; do
        [ -f "$1/${f%%:*}" ] || fail "logplay did not create file ${f%%:*}"
    done
    (cd "$1" && find . -mindepth 1 | sed 's|^\./||' | sort) > $W/tree
    expected=$( (echo $FAMFS_DIRS | tr ' ' '\n'; for f in $FAMFS_FILES; do echo ${f%%:*}; done) | sort)
    expect_eq "entries replayed" "$(cat $W/tree | tr '\n' ' ')" "$(echo "$expected" | tr '\n' ' ')"
}

check_shadow() { # DIR
    for f in $FAMFS_FILES; do
        path=${f%%:*}
        yaml="$1/root/$path"
        [ -f "$yaml" ] || fail "logplay --shadow wrote no $yaml"
        grep -q "^  path: $path\$" "$yaml" || fail "$yaml lacks 'path: $path'"
        grep -q "^  size: ${f#*:}\$" "$yaml" || fail "$yaml lacks 'size: ${f#*:}'"
    done
    for d in $FAMFS_DIRS; do
        [ -d "$1/root/$d" ] || fail "logplay --shadow made no directory root/$d"
    done
    echo "  ok: shadow YAML for every file"
}

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

# ---------------------------------------------------------------- plans

info() {
    region=$(dirname "$(dirname "$(readlink -f $SYSDEV)")")
    dres=$(cat $SYSDEV/resource 2> /dev/null)
    rres=$(cat $region/resource 2> /dev/null)
    echo "VMINFO kernel=$(uname -r) dax_resource=$dres region_resource=$rres dax_size=$(cat $SYSDEV/size 2> /dev/null) dax_offset=$((dres - rres)) famctl=$(famctl --version 2>&1 | head -n 1)"
}

run_plan() {
    eval plan=\$PLAN_$1
    if [ -z "$plan" ]; then
        echo "VMSETUP unknown plan '$1'"
        return 2
    fi
    if [ ! -e $SYSDEV ]; then
        echo "VMSETUP no $DEV in the guest: the emulated NVDIMM did not give a dax device"
        return 2
    fi
    info
    failed=0
    for c in $plan; do
        id=${c%%:*}
        name=${c#*:}
        echo "VMCHECK-BEGIN $id $name"
        pre=""
        if [ "$(driver)" != device_dax ]; then
            pre=" [started with $DEV not in devdax: $(sysfs_view)]"
            echo "VMSETUP check $id starts with $DEV not in devdax: $(sysfs_view)"
        fi
        rm -f $W/reason
        read -r start _ < /proc/uptime
        timeout -s KILL $CHECK_TIMEOUT sh /vmtest/guest.sh check $name
        rc=$?
        read -r end _ < /proc/uptime
        secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
        if [ $rc -eq 0 ]; then
            echo "VMCHECK $id $name PASS (${secs}s)"
        elif [ $rc -eq 137 ]; then
            echo "VMCHECK $id $name FAIL hang: killed after ${CHECK_TIMEOUT}s"
            failed=$((failed + 1))
        else
            echo "VMCHECK $id $name FAIL $(cat $W/reason 2> /dev/null || echo "exit $rc") (${secs}s)$pre"
            failed=$((failed + 1))
        fi
        settle_devdax
    done
    return $failed
}

case "$1" in
    plan) run_plan "$2" ;;
    check)
        fn=check_$(echo "$2" | tr '-' '_')
        NB=0
        $fn
        exit 0
        ;;
    *)
        echo "usage: guest.sh plan boot1|boot2 | guest.sh check NAME" >&2
        exit 64
        ;;
esac
