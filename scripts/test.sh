#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite: unit, end-to-end and simulated-kernel tests, the Debian package, a
# bounded fuzz run, then the real-kernel suite in QEMU on Debian 12's kernel and on sid's 7.2
# (scripts/vm-test.sh; VMTEST_KERNELS picks the kernels, FAMCTL_SKIP_VM=1 skips it).
#
# Each stage's whole output is also kept in artifacts/test/STAGE.log; the run ends with one
# line per stage ("unit: 325 passed, 0 failed") and, when a stage fails, names it and its log.
set -euo pipefail
cd "$(dirname "$0")/.."
logs=artifacts/test
rm -rf "$logs"
mkdir -p "$logs"
summary=()
failed_stage=""

# stage NAME COMMAND...: runs COMMAND, its output shown and kept in $logs/NAME.log.
stage() {
    local name=$1
    shift
    echo "==== $name: $*"
    set +e
    "$@" 2>&1 | tee "$logs/$name.log"
    local status=${PIPESTATUS[0]}
    set -e
    [ "$status" = 0 ] || failed_stage=$name
    return "$status"
}

finish() {
    local status=$?
    echo
    echo "==== summary (logs: $logs/)"
    printf '%s\n' "${summary[@]}"
    if [ -n "$failed_stage" ]; then
        echo "FAILED: stage $failed_stage (exit $status); its output: $logs/$failed_stage.log"
    fi
}
trap finish EXIT

# mandoc, groff and man-db: man page lint and rendering; fish and zsh: completion scripts;
# lintian, dpkg-dev, fakeroot: the Debian package; e2fsprogs, xfsprogs, dosfstools, fdisk,
# gdisk: the images with other file systems and partition tables that mkfs must refuse.
stage setup scripts/setup.sh mandoc groff-base man-db fish zsh lintian dpkg-dev fakeroot \
    e2fsprogs xfsprogs dosfstools fdisk gdisk
stage build swift build --build-tests
stage unit swift test --skip-build
# Swift Testing's closing line ("Test run with N tests in M suites passed") and XCTest's.
tests=$(sed -n 's/.*Test run with \([0-9]*\) tests\{0,1\} in .* passed.*/\1/p' "$logs/unit.log" | tail -n 1)
xctests=$(sed -n 's/.*Executed \([0-9]*\) tests\{0,1\}, with 0 failures.*/\1/p' "$logs/unit.log" | tail -n 1)
summary+=("unit: $((${tests:-0} + ${xctests:-0})) passed, 0 failed")

stage package scripts/test-package.sh
summary+=("package: 1 passed, 0 failed")

# A bounded libFuzzer run (100 s over four targets): the famfs readers, logplay, the allocator
# and creat planning, manifests and paths must never crash or hang.
stage fuzz scripts/fuzz.sh "${FUZZ_SECONDS:-100}"
summary+=("fuzz: $(grep -c '^fuzz [a-z]*: [0-9]* runs' "$logs/fuzz.log") passed, 0 failed")

if [ "${FAMCTL_SKIP_VM:-0}" = 1 ]; then
    summary+=("real-kernel suite skipped (FAMCTL_SKIP_VM=1)")
else
    vm_status=0
    stage vm scripts/vm-test.sh || vm_status=$?
    # One line per kernel from the suite, e.g. "vm-installed: 9 passed, 0 failed".
    while read -r line; do summary+=("$line"); done < <(grep -E '^vm-[a-z0-9]+: [0-9]+ passed, [0-9]+ failed' "$logs/vm.log" || true)
    [ "$vm_status" = 0 ] || exit "$vm_status"
fi
