#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# What the real-kernel suite's guest scripts share (guest.sh for the installed kernel,
# guest-sid.sh for sid's): sourced by them, never run. Reporting, views of the device as the
# kernel, daxctl and famctl see it, list comparisons, timing, the famfs tree, and the plan
# runner (each check in its own process under a timeout, one verdict line each).
#
# The sourcing script sets FAMCTLS: the famctl variants to compare with daxctl, each
# "COMMAND:BACKEND" (e.g. "famctl:libdaxctl famctl:sysfs").

DEV=dax0.0
DEVNODE=/dev/$DEV
SYSDEV=/sys/bus/dax/devices/$DEV
MEMDIR=/sys/devices/system/memory
W=/tmp/vmtest
CHECK_TIMEOUT=${CHECK_TIMEOUT:-240}

# The famfs tree made in a first boot and looked for in the next and on the host (files as
# path:size).
FAMFS_DIRS="dir1 dir2 dir2/sub dir2/sub/deeper"
FAMFS_FILES="file0:4096 dir1/file1:3145728 dir2/sub/deeper/big:67108864"
FAMFS_ENTRIES=7 # dir1, dir2, dir2/sub, dir2/sub/deeper (mkdir -p logs each), three files

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

famctl_view() { # [COMMAND [BACKEND]]
    ${1:-famctl} list ${2:+--backend $2} -d $DEV > $W/view.json 2> $W/view.err
    json_view $W/view.json
}

expect_sysfs() { expect_eq "sysfs" "$(sysfs_view)" "$1"; }
expect_daxctl() { expect_eq "daxctl list -d $DEV" "$(daxctl_view)" "$1"; }
expect_famctl() {
    for v in $FAMCTLS; do
        expect_eq "${v%%:*} list --backend ${v#*:} -d $DEV" "$(famctl_view ${v%%:*} ${v#*:})" "$1"
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
        fsdev_dax) daxctl reconfigure-device -m devdax $DEV > /dev/null 2>&1 ;;
        none) daxctl enable-device $DEV > /dev/null 2>&1 ;;
    esac
    echo "  (restored $DEV to devdax: $(sysfs_view))"
}

# ---------------------------------------------------------------- list JSON

LIST_FLAGS="none -u -R_-D -M -i -R_-D_-M_-i_-u"

# Parsed-JSON equality, key order and array order aside (daxctl's order is unspecified).
JQ_SAME='def norm: walk(if type == "array" then sort_by(tojson) else . end); ($d | norm) == ($f | norm)'

# compare_lists STATE-LABEL: daxctl list against every famctl variant, for each LIST_FLAGS
# set; appends each difference to MISMATCHES and counts the comparisons in COMPARED.
compare_lists() {
    for f in $LIST_FLAGS; do
        flags=$(echo "$f" | sed 's/^none$//; s/_/ /g')
        daxctl list $flags > $W/daxctl.json 2> $W/daxctl.err
        drc=$?
        for v in $FAMCTLS; do
            COMPARED=$((${COMPARED:-0} + 1))
            ${v%%:*} list --backend ${v#*:} $flags > $W/famctl.json 2> $W/famctl.err
            frc=$?
            what="$1: ${v%%:*} list ${flags:-(no flags)} --backend ${v#*:}"
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

# fail_on_mismatches: ends the check when compare_lists recorded differences, naming the
# first three.
fail_on_mismatches() {
    [ -n "$MISMATCHES" ] || return 0
    count=$(echo "$MISMATCHES" | tr '|' '\n' | grep -c .)
    fail "$count of $COMPARED comparisons differ:$(echo "$MISMATCHES" | tr '|' '\n' | grep . | head -n 3 | sed 's/^/ [/; s/$/]/' | tr -d '\n')"
}

# ---------------------------------------------------------------- timing

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

# ---------------------------------------------------------------- the famfs tree

# check_tree DIR: DIR (a logplay --into target) holds exactly the famfs tree made earlier.
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
    left=$(echo $plan | wc -w)
    for c in $plan; do
        left=$((left - 1))
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
        # Not after the last check: a check that found a kernel in a bad state may leave a
        # device no tool can switch back, and the boot should still end with its dmesg.
        [ $left -eq 0 ] || settle_devdax
    done
    return $failed
}

# guest_main plan PLAN | check NAME: what the sourcing script runs with its arguments.
guest_main() {
    case "$1" in
        plan) run_plan "$2" ;;
        check)
            fn=check_$(echo "$2" | tr '-' '_')
            NB=0
            $fn
            exit 0
            ;;
        *)
            echo "usage: guest.sh plan PLAN | guest.sh check NAME" >&2
            exit 64
            ;;
    esac
}
