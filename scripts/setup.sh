#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages famctl builds and runs against, and those named as arguments
# (what a script needs besides: scripts/bench.sh's, scripts/vm-test.sh's). Idempotent: apt-get
# is only called when something is missing.
#
#   scripts/setup.sh [--no-recommends] [PACKAGE...]
#
# --no-recommends: without the packages' recommendations (the VM suite's qemu would pull in
# firmware, GUI and BIOS images it does not use).
set -euo pipefail
recommends=()
if [ "${1:-}" = --no-recommends ]; then
    recommends=(--no-install-recommends)
    shift
fi
packages=(libdaxctl-dev libndctl-dev uuid-dev libblkid-dev pkg-config zlib1g-dev)
packages+=("$@")
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    # apt's and dpkg's chatter goes to a log, shown only when the install fails.
    log=$(mktemp)
    echo "setup: installing ${missing[*]}"
    if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${recommends[@]}" "${missing[@]}"; } >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "setup: apt-get install ${missing[*]} failed" >&2
        exit 1
    fi
    rm -f "$log"
fi
