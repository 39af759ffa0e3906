#!/usr/bin/env bash
# famctl's main job on a default: build, make a sparse 8 GiB image file, format it as famfs
# and check it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release
image=${1:-famctl-demo.img}
rm -f "$image"
.build/release/famctl famfs mkfs --size 8g --system-uuid-file ./famctl-demo.system_uuid "$image"
.build/release/famctl famfs fsck --system-uuid-file ./famctl-demo.system_uuid "$image"
