#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regenerates everything under man/ (section-8 pages) and completions/ (bash, zsh, fish) from
# the current famctl command tree. Run it after changing any command's options and commit the
# result; the test suite fails when an option is missing from its page or a completion script
# differs from what famctl generates.
#
#   scripts/gen-docs.sh            regenerate; warn about examples that exit unexpectedly
#   scripts/gen-docs.sh --strict   the same, but such an example is an error (use before a release)
#   scripts/gen-docs.sh --check    regenerate into a scratch directory and compare: exit 1 when a
#                                  committed page (an example's output included) or completion
#                                  script differs, or an example exits unexpectedly; changes nothing
#   FAMCTL=<binary> FAMCTL_DEV=<binary> scripts/gen-docs.sh ...
#                                  use that famctl and the famctl-mangen built beside it (and
#                                  famctl-dev, the developer tool that writes the examples'
#                                  sysfs tree) instead of building them (the tests)
#
# Pages = generated parts (Sources/famctl-mangen: NAME, SYNOPSIS, OPTIONS with values and
# defaults, EXIT STATUS lists) + hand-written sections in man/src/<page>.mdoc. In those sources a line
#   .\" example: <command>         runs <command> and inserts it with its real output;
#   .\" example N: <command>       the same for a command expected to exit with status N.
# Parts of the command in [[...]] run but are not shown (fixed UUIDs, so the output is
# reproducible). This host's system UUID is the fixtures' (FAMCTL_SYSTEM_UUID_FILE), so it owns
# the example file systems. Examples run in a scratch directory holding a captured
# sysfs tree (FAMCTL_SYSFS_ROOT) and famfs images; each page gets a fresh copy, so the examples
# of one page build on each other and pages do not affect each other.
set -euo pipefail
cd "$(dirname "$0")/.."

# The date printed in every page. Fixed so regenerating twice gives identical files; move it
# forward when you release.
readonly docs_date=2026-12-01

strict=false check=false
case "${1:-}" in
"") ;;
--strict) strict=true ;;
--check) strict=true check=true ;;
*) echo "usage: $0 [--strict | --check]" >&2; exit 64 ;;
esac

if [[ -n "${FAMCTL:-}" ]]; then
    bin=$(realpath "$FAMCTL")
    mangen="$(dirname "$bin")/famctl-mangen"
else
    swift build --product famctl >&2
    swift build --product famctl-mangen >&2
    bin="$(swift build --show-bin-path)/famctl"
    mangen="$(swift build --show-bin-path)/famctl-mangen"
fi
[[ -x "$mangen" ]] || { echo "gen-docs: $mangen not found (swift build --product famctl-mangen)" >&2; exit 1; }
if [[ -n "${FAMCTL_DEV:-}" ]]; then
    famctl_dev=$(realpath "$FAMCTL_DEV")
else
    swift build --product famctl-dev >&2
    famctl_dev="$(swift build --show-bin-path)/famctl-dev"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Where the pages and completion scripts go: the repository, or for --check a scratch copy.
dest=.
$check && dest="$work/check"

# --- completions -----------------------------------------------------------------------
mkdir -p "$dest/completions" "$dest/man"
"$bin" --generate-completion-script bash >"$dest/completions/famctl.bash"
"$bin" --generate-completion-script zsh >"$dest/completions/_famctl"
"$bin" --generate-completion-script fish >"$dest/completions/famctl.fish"

# --- example environment --------------------------------------------------------------
# A host with two dax regions: dax0.0 (4 GiB, devdax, hmem.0, target node 1, with its 32
# memory blocks) and dax1.0 (8 GiB, famfs mode under fsdev_dax, hmem.1): famctl-dev's machine
# `docs` (Sources/DaxSimulator/Machines.swift).

# The upstream reference images (see their README).
fixtures=Tests/FamctlTestSupport/Fixtures
[[ -f "$fixtures/ref-8g.img.gz" ]] || { echo "gen-docs: $fixtures/ref-8g.img.gz not found" >&2; exit 1; }

template="$work/template"
mkdir -p "$template" "$work/bin" "$work/run"
"$famctl_dev" sysfs-tree "$template/sysfs" --machine docs
for image in ref-8g var-bad-entry4-crc; do
    gunzip -c "$fixtures/$image.img.gz" >"$template/$image.img"
    truncate -s 8G "$template/$image.img"
done
printf 'c0ffee00-1234-4abc-8def-0123456789ab\n' >"$template/system_uuid"
ln -s "$bin" "$work/bin/famctl"

# Escapes command output for a literal display: backslashes, leading control characters,
# trailing blanks.
roff_literal() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" -e 's/[[:space:]]*$//'; }

unexpected=0
expand_page() { # source output
    local source=$1 output=$2 line page_dir
    page_dir="$work/run/$(basename "$source" .mdoc)"
    rm -rf "$page_dir"
    cp -a --sparse=always "$template" "$page_dir"
    while IFS= read -r line || [[ -n "$line" ]]; do
        if [[ "$line" =~ ^\.\\\"\ example(\ ([0-9]+))?:\ (.*)$ ]]; then
            local expected=${BASH_REMATCH[2]:-0} command=${BASH_REMATCH[3]}
            local shown run status
            shown=$(sed -e 's/ *\[\[[^]]*\]\]//g' <<<"$command")
            run=$(sed -e 's/\[\[\([^]]*\)\]\]/\1/g' <<<"$command")
            set +e
            (cd "$page_dir" && PATH="$work/bin:$PATH" FAMCTL_SYSFS_ROOT="$page_dir/sysfs" \
                FAMCTL_SYSTEM_UUID_FILE="$page_dir/system_uuid" timeout 60 bash -c "$run" >"$work/out" 2>&1)
            status=$?
            set -e
            # The scratch directory's name changes every run: show paths relative to it.
            sed -i -e "s|$page_dir/||g" -e "s|$page_dir|.|g" "$work/out"
            if [[ "$status" != "$expected" ]]; then
                echo "gen-docs: $(basename "$source"): '$shown' exited $status, expected $expected" >&2
                unexpected=$((unexpected + 1))
            fi
            echo ".Bd -literal -offset indent"
            if [[ "$expected" == 0 ]]; then
                printf '# %s\n' "$shown" | roff_literal
                roff_literal <"$work/out"
            else
                printf '# %s; echo $?\n' "$shown" | roff_literal
                roff_literal <"$work/out"
                echo "$status"
            fi
            echo ".Ed"
        else
            printf '%s\n' "$line"
        fi
    done <"$source" >"$output"
}

mkdir -p "$work/src/common" "$work/man"
cp man/src/common/*.mdoc "$work/src/common/"
for source in man/src/*.mdoc; do
    expand_page "$source" "$work/src/$(basename "$source")"
done

"$bin" --experimental-dump-help >"$work/dump.json"
"$mangen" "$work/dump.json" "$work/src" "$work/man" "$docs_date" "$("$bin" --version)"
rm -f "$dest/man/"*.8
cp "$work/man/"*.8 "$dest/man/"

if ((unexpected)); then
    echo "gen-docs: $unexpected example(s) did not exit as documented (see above)" >&2
    $strict && exit 1
fi
if $check; then
    if ! diff -ru --exclude=src man "$dest/man" >&2 || ! diff -ru completions "$dest/completions" >&2; then
        echo "gen-docs: man/ or completions/ is stale (an example's output changed, or a help text): run scripts/gen-docs.sh and commit the result" >&2
        exit 1
    fi
    echo "gen-docs: man/ and completions/ are up to date" >&2
    exit 0
fi
echo "gen-docs: wrote $(ls man/*.8 | wc -l) pages to man/ and 3 completion scripts to completions/" >&2
