#!/usr/bin/env bash
# The whole test suite: unit, end-to-end and simulated-kernel tests, the Debian package, a
# bounded fuzz run, then the real-kernel suite in QEMU on Debian 12's kernel and on sid's 7.2
# (scripts/vm-test.sh; VMTEST_KERNELS picks the kernels, FAMCTL_SKIP_VM=1 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
# mandoc, groff and man-db: man page lint and rendering; fish and zsh: completion scripts;
# lintian, dpkg-dev, fakeroot: the Debian package; e2fsprogs, xfsprogs, dosfstools, fdisk,
# gdisk: the images with other file systems and partition tables that mkfs must refuse.
scripts/setup.sh mandoc groff-base man-db fish zsh lintian dpkg-dev fakeroot \
    e2fsprogs xfsprogs dosfstools fdisk gdisk
swift build --build-tests
swift test --skip-build
scripts/test-package.sh
# A bounded libFuzzer run (100 s over four targets): the famfs readers, logplay, the allocator
# and creat planning, manifests and paths must never crash or hang.
scripts/fuzz.sh "${FUZZ_SECONDS:-100}"
if [ "${FAMCTL_SKIP_VM:-0}" = 1 ]; then
    echo "real-kernel suite skipped (FAMCTL_SKIP_VM=1)"
else
    scripts/vm-test.sh
fi
