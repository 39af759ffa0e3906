#!/usr/bin/env bash
# The whole test suite: unit, end-to-end and simulated-kernel tests, then the real-kernel
# suite in QEMU (scripts/vm-test.sh; FAMCTL_SKIP_VM=1 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build
if [ "${FAMCTL_SKIP_VM:-0}" = 1 ]; then
    echo "real-kernel suite skipped (FAMCTL_SKIP_VM=1)"
else
    scripts/vm-test.sh
fi
