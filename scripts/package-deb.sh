#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the Debian package famctl_<version>_<arch>.deb with the standard tools:
# `make install` into a staging tree, then dpkg-shlibdeps for the library dependencies
# (libc6, ...; libdaxctl1 and libblkid1, loaded with dlopen, from their shlibs files), then
# dpkg-deb. Prints the path of the .deb.
#
#   scripts/package-deb.sh [output dir]            (default: artifacts/)
#   FAMCTL=<binary> scripts/package-deb.sh ...     package that binary instead of a release build
#
# Install with `apt install ./artifacts/famctl_*.deb`; check with `lintian artifacts/famctl_*.deb`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dpkg-dev fakeroot >&2
output=${1:-artifacts}
mkdir -p "$output"

if [[ -z "${FAMCTL:-}" ]]; then
    make -s build >&2
    FAMCTL="$(make -s print-bin)"
fi
version=$("$FAMCTL" --version)
arch=$(dpkg --print-architecture)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# The debian/<package> layout lets dpkg-shlibdeps see the binary as installed in its package.
root="$stage/src/debian/famctl"
make -s install FAMCTL="$FAMCTL" DESTDIR="$root" PREFIX=/usr \
    ZSHCOMPDIR=/usr/share/zsh/vendor-completions >&2
# Debian policy: stripped binaries, compressed reproducible man pages and changelog.
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/famctl"
man8="$root/usr/share/man/man8"
rm "$man8/mkfs.famfs.8"
gzip -9n "$man8"/*.8
ln -s famctl-famfs-mkfs.8.gz "$man8/mkfs.famfs.8.gz"
doc="$root/usr/share/doc/famctl"
install -d "$doc"
install -m 0644 packaging/debian/copyright "$doc/copyright"
sed "s/@VERSION@/$version/" packaging/debian/changelog | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

# dpkg-shlibdeps wants a source package around the binary and its DEBIAN directory.
install -d "$root/DEBIAN"
printf 'Source: famctl\n\nPackage: famctl\nArchitecture: any\n' >"$stage/src/debian/control"
depends=$(cd "$stage/src" && dpkg-shlibdeps -O debian/famctl/usr/bin/famctl | sed -n 's/^shlibs:Depends=//p')
# famctl loads libdaxctl.so.1 (its libdaxctl backend) and libblkid.so.1 (mkfs's probe) with
# dlopen when they are needed, not at every start, which dpkg-shlibdeps cannot see: the
# dependencies that their packages' shlibs files declare.
# shlibs_dep PACKAGE LIBRARY SONAME_VERSION: PACKAGE's shlibs entry for libLIBRARY.so.VERSION.
shlibs_dep() {
    local dep
    dep=$(dpkg-query --control-show "$1" shlibs | awk -v lib="$2" -v v="$3" '$1 == lib && $2 == v { $1 = $2 = ""; sub(/^ +/, ""); print }')
    [[ "$dep" == "$1"* ]] || { echo "package-deb: no shlibs entry for $2.so.$3 ($1)" >&2; exit 1; }
    echo "$dep"
}
daxctl_dep=$(shlibs_dep libdaxctl1 libdaxctl 1)
blkid_dep=$(shlibs_dep libblkid1 libblkid 1)
depends="$daxctl_dep, $blkid_dep, $depends"
# The binary's relative relocations are packed as DT_RELR (Makefile), which glibc reads from
# 2.36 on; the GLIBC_ABI_DT_RELR version it needs is no symbol, so dpkg-shlibdeps misses it.
dynamic=$(readelf -d "$root/usr/bin/famctl")
if [[ "$dynamic" == *"(RELR)"* ]]; then
    libc=$(grep -o 'libc6 (>= [^)]*)' <<<"$depends") || { echo "package-deb: no libc6 in Depends: $depends" >&2; exit 1; }
    if dpkg --compare-versions "$(sed 's/libc6 (>= \(.*\))/\1/' <<<"$libc")" lt 2.36; then
        depends=${depends/"$libc"/"libc6 (>= 2.36)"}
    fi
fi

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
    packaging/debian/control.in >"$root/DEBIAN/control"
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

deb="$output/famctl_${version}_${arch}.deb"
fakeroot dpkg-deb --build --root-owner-group -Zxz "$root" "$deb" >&2
echo "$deb"
