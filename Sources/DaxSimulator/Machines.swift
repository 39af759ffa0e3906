// SPDX-License-Identifier: Apache-2.0
import DaxKit

/// Machines as the real kernel lays them out (paths and values from NOTES.md §8).
extension SimulatedKernel {
    /// Soft-reserved memory (`memmap=…%…-1+0xefffffff`): one dynamic hmem region with one
    /// devdax device covering it, on node 1; 16 boot blocks online on node 0.
    public static func hmem(size: UInt64 = 4 << 30, base: UInt64 = 0x1_0000_0000, targetNode: Int = 1) -> SimulatedKernel {
        let kernel = SimulatedKernel()
        kernel.addBootMemory(node: 0, first: 0, count: 16)
        kernel.addRegion(id: 0, path: "devices/platform/hmem.0", size: size, base: base, dynamic: true)
        kernel.addDevice(region: 0, instance: 0, size: size, targetNode: targetNode)
        return kernel
    }

    /// An NVDIMM devdax namespace (QEMU `-device nvdimm`, `ndctl create-namespace -m devdax
    /// -a 2M`): a static region; the device starts 18 MiB in, so kmem gets 7 whole blocks.
    /// Debian 12's kernel has no `fsdev_dax`. The nd_dax device names its namespace
    /// (`namespace0.0`, with the label's uuid) and has the uuid `ndctl list` shows for the
    /// namespace, `namespaceUUID`.
    public static func nvdimm(namespaceUUID: String = "ed93e918-e165-49d8-921d-383d7b9660c5") -> SimulatedKernel {
        let kernel = SimulatedKernel()
        kernel.drivers = [DaxDriver.deviceDax, DaxDriver.kmem]
        kernel.addBootMemory(node: 0, first: 0, count: 16)
        let ndRegion = "devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/region0"
        kernel.attributes = [
            "\(ndRegion)/dax0.0/namespace": "namespace0.0",
            "\(ndRegion)/dax0.0/uuid": namespaceUUID,
            "\(ndRegion)/namespace0.0/uuid": "5f3c8e2a-7d41-4b9e-a0c6-2e1b9f4d8a73",
        ]
        kernel.addRegion(id: 0, path: "\(ndRegion)/dax0.0",
                         size: 1_054_867_456, base: 0x1_0000_0000, dynamic: false)
        kernel.addDevice(region: 0, instance: 0, size: 1_054_867_456, offset: 0x120_0000, targetNode: 0)
        return kernel
    }

    /// A CXL RAM region with `count` devices of `size` bytes. CXL RAM devices match kmem by
    /// type, so they boot in system-ram mode (blocks per `autoOnline`).
    public static func cxl(count: Int = 4, size: UInt64 = 2 << 30, autoOnline: String = "offline") -> SimulatedKernel {
        let kernel = SimulatedKernel()
        kernel.autoOnlineBlocks = autoOnline
        kernel.addBootMemory(node: 0, first: 0, count: 16)
        kernel.addRegion(id: 0, path: "devices/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0",
                         size: UInt64(count) * size, align: 2 << 20, base: 0x10_0000_0000, dynamic: true, kmemByType: true)
        for instance in 0..<count {
            kernel.addDevice(region: 0, instance: instance, size: size, targetNode: 2, driver: DaxDriver.kmem)
        }
        return kernel
    }
}
