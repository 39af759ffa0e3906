#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the Debian package (one release build) and checks it: lintian reports no error and no warning, it
# depends on libdaxctl1, libblkid1 and libc6 >= 2.36 (DT_RELR), and unpacked into an empty directory tree the installed famctl and
# mkfs.famfs run and `man -l` renders an installed page. Called by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dpkg-dev fakeroot lintian man-db >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "test-package: FAIL: $*" >&2; exit 1; }

deb=$(scripts/package-deb.sh "$work/out")
[[ -f "$deb" ]] || fail "package-deb.sh made no package"

depends=$(dpkg-deb -f "$deb" Depends)
[[ "$depends" == *"libdaxctl1"* ]] || fail "Depends lacks libdaxctl1: $depends"
[[ "$depends" == *"libblkid1"* ]] || fail "Depends lacks libblkid1: $depends"
# The loader of an older glibc cannot apply the binary's DT_RELR relocations.
[[ "$depends" == *"libc6 (>= 2.36)"* ]] || fail "Depends lacks libc6 (>= 2.36), which DT_RELR needs: $depends"

# lintian: an error or a warning fails the test. Info tags are shown, not fatal; on this
# package they are hardening-no-fortify-functions and spelling-error-in-binary, both about
# code linked in statically (the Swift runtime, Foundation, ICU), not famctl's own.
status=0
lintian --fail-on error,warning --display-info --tag-display-limit 0 "$deb" >"$work/lintian" 2>&1 || status=$?
grep -v '^running with root privileges' "$work/lintian" >&2 || true
if ((status)) || grep -qE '^[EW]: ' "$work/lintian"; then fail "lintian reports errors or warnings (exit $status)"; fi

root="$work/root"
mkdir "$root"
dpkg -x "$deb" "$root"
for path in usr/bin/famctl usr/sbin/mkfs.famfs usr/share/man/man8/famctl.8.gz \
    usr/share/man/man8/famctl-reconfigure-device.8.gz usr/share/man/man8/mkfs.famfs.8.gz \
    usr/share/bash-completion/completions/famctl usr/share/zsh/vendor-completions/_famctl \
    usr/share/fish/vendor_completions.d/famctl.fish usr/share/doc/famctl/copyright; do
    [[ -e "$root/$path" ]] || fail "$path is not installed"
done

# The tests' crash hook is compiled into debug builds only, never into the shipped binary.
if grep -aq FAMCTL_TEST_CRASH_AT_STEP "$root/usr/bin/famctl"; then
    fail "the installed famctl has the tests' crash hook (FAMCTL_TEST_CRASH_AT_STEP)"
fi

expected=$(.build/debug/famctl --version 2>/dev/null || true)
version=$("$root/usr/bin/famctl" --version) || fail "installed famctl --version failed"
[[ "$version" == "$(dpkg-deb -f "$deb" Version)" ]] || fail "famctl --version says $version"
[[ -z "$expected" || "$version" == "$expected" ]] || fail "installed $version, built $expected"
[[ "$("$root/usr/sbin/mkfs.famfs" --help)" == *"famctl famfs mkfs"* ]] || fail "mkfs.famfs is not famctl famfs mkfs"

page=$(MANPAGER=cat MANWIDTH=80 man -l "$root/usr/share/man/man8/famctl-reconfigure-device.8.gz")
[[ "$page" == *"famctl-reconfigure-device"*"EXIT STATUS"* ]] || fail "man -l did not render the page"
page=$(MANPAGER=cat MANWIDTH=80 man -l "$root/usr/share/man/man8/mkfs.famfs.8.gz")
[[ "$page" == *"famctl-famfs-mkfs"* ]] || fail "mkfs.famfs(8) is not famctl-famfs-mkfs(8)"

echo "test-package: ok: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB), $version, Depends: $depends" >&2
