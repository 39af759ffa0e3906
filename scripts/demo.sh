#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# famctl's main job on a default: build the shipped binary (`make`: release, Swift runtime
# linked in), make a sparse 8 GiB image file, format it as famfs and check it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh make
make -s build
famctl=$(make -s print-bin)
image=${1:-famctl-demo.img}
rm -f "$image"
"$famctl" famfs mkfs --size 8g --system-uuid-file ./famctl-demo.system_uuid "$image"
"$famctl" famfs fsck --system-uuid-file ./famctl-demo.system_uuid "$image"
echo "demo: the binary is $famctl (install it with 'sudo make install')"
