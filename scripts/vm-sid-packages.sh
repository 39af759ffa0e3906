#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fetches what the real-kernel suite's sid boots need, without touching the machine's apt
# configuration or installing anything: Debian sid's kernel (the version sid's
# linux-image-amd64 depends on) and ndctl/daxctl with the sid libraries they run on.
#
#   scripts/vm-sid-packages.sh CACHE_DIR
#
# Leaves CACHE_DIR/sid/KVER (one line: the kernel version), CACHE_DIR/sid/root (every .deb
# extracted), CACHE_DIR/sid/debs. A second run with everything present does nothing (no
# network); remove CACHE_DIR/sid to fetch sid's newest kernel. The archive URI is the one the
# machine's own Debian sources use, held only in a temporary sources list: no file of ours
# names a host.
set -euo pipefail
CACHE=${1:?usage: vm-sid-packages.sh CACHE_DIR}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
S=$CACHE/sid
# Userland for daxctl 85 and for famctl under sid's loader (docs/kernel-7.2-fsdev.md, "Getting the packages").
USERLAND=(daxctl ndctl libdaxctl1 libndctl6 libc6 libuuid1 libjson-c5 libiniparser4 libkmod2
    libudev1 libkeyutils1 libzstd1 liblzma5 libssl3t64 zlib1g libgcc-s1 libcap2)

if [ -s "$S/KVER" ] && [ -f "$S/done" ]; then
    echo "sid packages: cached (kernel $(cat "$S/KVER"))"
    exit 0
fi

# The first URI of the machine's Debian sources that is not the security archive.
archive_uri() {
    local f uri=
    f=/etc/apt/sources.list.d/debian.sources
    if [ -r $f ]; then
        uri=$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' $f | grep -v -- '-security' | head -n 1)
    fi
    if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
        uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' \
            /etc/apt/sources.list | grep -v -- '-security' | head -n 1)
    fi
    [ -n "$uri" ] || {
        echo "no Debian archive URI in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list" >&2
        return 1
    }
    echo "$uri"
}

mkdir -p "$S/apt/lists/partial" "$S/apt/cache/archives/partial" "$S/apt/sources.list.d" "$S/debs"
SOURCES=$(mktemp)
trap 'rm -f "$SOURCES"' EXIT
echo "deb $(archive_uri) sid main" > "$SOURCES"
APT=(-o "Dir::Etc::sourcelist=$SOURCES" -o "Dir::Etc::sourceparts=$S/apt/sources.list.d"
    -o "Dir::State::Lists=$S/apt/lists" -o "Dir::Cache=$S/apt/cache" -o Debug::NoLocking=1
    -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root)
apt-get -qq "${APT[@]}" update
# linux-image-amd64 -> linux-image-KVER, itself a meta package of linux-binary-KVER and
# linux-modules-KVER.
image=$(apt-cache "${APT[@]}" depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[^ ]*\).*/\1/p' | sed -n 1p)
KVER=${image#linux-image-}
[ -n "$KVER" ] && [ "$KVER" != "$image" ] || {
    echo "cannot tell the kernel version from sid's linux-image-amd64 ($image)" >&2
    exit 1
}
(cd "$S/debs" && apt-get -qq "${APT[@]}" download "linux-binary-$KVER" "linux-modules-$KVER" "${USERLAND[@]}")
rm -rf "$S/root"
mkdir -p "$S/root"
for deb in "$S"/debs/*.deb; do dpkg-deb -x "$deb" "$S/root"; done
echo "$KVER" > "$S/KVER"
touch "$S/done"
echo "sid packages: kernel $KVER, $(du -sm "$S/debs" | cut -f1) MB of packages"
