#!/usr/bin/env bash
# The whole test suite: unit, end-to-end and simulated-kernel tests, then the Debian package.
set -euo pipefail
cd "$(dirname "$0")/.."
# mandoc, groff and man-db: man page lint and rendering; fish and zsh: completion scripts;
# lintian, dpkg-dev, fakeroot: the Debian package.
scripts/setup.sh mandoc groff-base man-db fish zsh lintian dpkg-dev fakeroot
swift build --build-tests
swift test --skip-build
scripts/test-package.sh
# A bounded libFuzzer run over the famfs readers (fsck must never crash or hang).
scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
