#!/usr/bin/env bash
# The whole test suite: unit, end-to-end and simulated-kernel tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build
# A bounded libFuzzer run over the famfs readers (fsck must never crash or hang).
scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
