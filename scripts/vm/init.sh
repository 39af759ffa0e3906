#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# /init of the VM suite's initramfs (busybox sh, PID 1). Brings up the minimum a dax test needs
# (proc, sysfs, devtmpfs, the nvdimm/dax/kmem modules, a devdax namespace on the emulated
# NVDIMM), runs the plan named on the kernel command line (vmtest.plan=boot1|boot2) and powers
# off. The host reads the markers below: BEGIN means the guest booted, END carries the status.
export PATH=/usr/bin:/usr/sbin:/bin:/sbin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm

echo "=====VMTEST-INIT uptime=$(cut -d' ' -f1 /proc/uptime)====="
while read -r module; do
    insmod "$module" || echo "VMSETUP insmod $module failed"
done < /etc/vmtest/modules

# A fresh (all-zero) NVDIMM shows one label-less raw namespace; the labels and the devdax info
# block written here live in the backing file, so the second boot finds dax0.0 at once.
if [ ! -e /sys/bus/dax/devices/dax0.0 ]; then
    if ! ndctl create-namespace -f -e namespace0.0 -m devdax -a 2M >/tmp/namespace.json 2>&1; then
        echo "VMSETUP ndctl create-namespace failed:"
        cat /tmp/namespace.json
    fi
fi

plan=$(sed -n 's/.*vmtest\.plan=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
echo "=====VMTEST-BEGIN plan=$plan uptime=$(cut -d' ' -f1 /proc/uptime)====="
sh /vmtest/guest.sh plan "$plan"
rc=$?
echo "=====VMTEST-END rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)====="
echo "=====VMTEST-DMESG====="
dmesg
echo "=====VMTEST-DMESG-END====="
sync
poweroff -f
