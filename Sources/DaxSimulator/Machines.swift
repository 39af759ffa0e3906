// SPDX-License-Identifier: Apache-2.0
import DaxKit
import Foundation

/// Machines as the real kernel lays them out (paths and values: docs/sysfs-layout.md).
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

/// The machines `famctl-dev sysfs-tree --machine NAME` writes, named by what the README's
/// examples run on: the hardware and the kernel's drivers (Debian 12's 6.1 has no
/// `fsdev_dax`; 7.2's `fsdev_dax` is the famfs mode).
public enum ExampleMachine: String, CaseIterable, Sendable {
    /// Debian 12: two hmem devices of 1 GiB on node 1, dax0.0 in devdax mode, dax1.0 in
    /// system-ram mode with 4 of its 8 memory blocks online (movable).
    case hmem
    /// Kernel 7.2: two hmem devices of 8 GiB, dax0.0 in devdax mode, dax1.0 in famfs mode;
    /// sparse files in `dev/` stand for their char devices.
    case hmemFamfs = "hmem-famfs"
    /// Kernel 7.2: one hmem device, dax0.0 in devdax mode, mapped by pid 1234 (holdmap) and
    /// open in pid 1240 (sleep); their `/proc` is written beside the tree.
    case busy
    /// Debian 12: a QEMU NVDIMM devdax namespace (`SimulatedKernel.nvdimm()`), for
    /// `reconfigure-device -C`.
    case nvdimm
    /// The man pages' examples (scripts/gen-docs.sh): dax0.0 (4 GiB, devdax, hmem.0, node 1)
    /// with its 32 memory blocks present and offline, dax1.0 (8 GiB, famfs mode, hmem.1).
    case docs
    /// scripts/bench.sh's list figures: `regions` regions of `perRegion` devices of 1 GiB,
    /// those of the last region in system-ram mode with half of their 8 blocks online.
    case bench

    public var summary: String {
        switch self {
        case .hmem: "Debian 12 (no fsdev_dax): dax0.0 devdax, dax1.0 system-ram with 4 of 8 blocks online"
        case .hmemFamfs: "kernel 7.2 (fsdev_dax): dax0.0 devdax, dax1.0 famfs mode; dev/ files stand for the devices"
        case .busy: "kernel 7.2: dax0.0 devdax, mapped by pid 1234 (holdmap) and open in pid 1240 (sleep)"
        case .nvdimm: "Debian 12: an NVDIMM devdax namespace (nvdimm.uuid ed93e918-e165-49d8-921d-383d7b9660c5)"
        case .docs: "the man pages' examples: dax0.0 4 GiB devdax with 32 offline memory blocks, dax1.0 8 GiB famfs mode"
        case .bench: "bench.sh: --regions R of --per-region N devices of 1 GiB, the last region's in system-ram (half their blocks online)"
        }
    }

    /// Regular files `dev/daxX.Y` of each device's size, for the famfs commands.
    public var hasDeviceFiles: Bool { self == .hmemFamfs }

    /// Whether `kernel(regions:perRegion:)` reads its arguments.
    public var isParametrized: Bool { self == .bench }

    /// The machine; only `bench` takes the numbers of regions and devices.
    public func kernel(regions: Int = 8, perRegion: Int = 64) -> SimulatedKernel {
        switch self {
        case .hmem:
            let kernel = Self.hmemPair(size: 1 << 30, secondDriver: DaxDriver.kmem)
            kernel.drivers = [DaxDriver.deviceDax, DaxDriver.kmem]
            for block in kernel.blocks(of: "dax1.0") where block.index % 2 == 1 {
                kernel.setBlock("memory\(block.index)", online: true, zone: "Movable")
            }
            return kernel
        case .hmemFamfs:
            return Self.hmemPair(size: 8 << 30, secondDriver: DaxDriver.fsdevDax)
        case .busy:
            let kernel = SimulatedKernel.hmem()
            kernel.holdMapped("dax0.0", pid: 1234, command: "holdmap")
            kernel.holdOpen("dax0.0", pid: 1240, command: "sleep")
            return kernel
        case .nvdimm:
            return SimulatedKernel.nvdimm()
        case .docs:
            let kernel = SimulatedKernel()
            kernel.addRegion(id: 0, path: "devices/platform/hmem.0", size: 4 << 30, base: 4 << 30, dynamic: true)
            kernel.addDevice(region: 0, instance: 0, size: 4 << 30, targetNode: 1)
            kernel.addRegion(id: 1, path: "devices/platform/hmem.1", size: 8 << 30, base: 8 << 30, dynamic: true)
            kernel.addDevice(region: 1, instance: 0, size: 8 << 30, targetNode: 2, driver: DaxDriver.fsdevDax)
            // Present while dax0.0 is in devdax mode, so the examples that switch it to
            // system-ram (on a captured tree, which no kernel answers) find its blocks.
            for index in kernel.covered(by: kernel.devices["dax0.0"]!) {
                kernel.blocks[index] = SimulatedKernel.Block(index: index, node: 1, online: false, zone: "", removable: true, refusesOffline: false, boot: false)
            }
            return kernel
        case .bench:
            let kernel = SimulatedKernel()
            for region in 0..<regions {
                let base = UInt64(region * perRegion + 4) << 30
                kernel.addRegion(id: region, path: "devices/platform/hmem.\(region)", size: UInt64(perRegion) << 30, base: base, dynamic: false)
                let driver = region == regions - 1 ? DaxDriver.kmem : DaxDriver.deviceDax
                for instance in 0..<perRegion {
                    kernel.addDevice(region: region, instance: instance, size: 1 << 30, targetNode: 1, driver: driver)
                }
            }
            for block in kernel.blocks.values where block.index % 2 == 1 {
                kernel.setBlock("memory\(block.index)", online: true, zone: "Movable")
            }
            return kernel
        }
    }

    /// One hmem region per device, back to back from 4 GiB, both devices on node 1.
    private static func hmemPair(size: UInt64, secondDriver: String) -> SimulatedKernel {
        let kernel = SimulatedKernel()
        kernel.addBootMemory(node: 0, first: 0, count: 16)
        for (id, driver) in [DaxDriver.deviceDax, secondDriver].enumerated() {
            kernel.addRegion(id: id, path: "devices/platform/hmem.\(id)", size: size, base: (4 << 30) + UInt64(id) * size, dynamic: true)
            kernel.addDevice(region: id, instance: 0, size: size, targetNode: 1, driver: driver)
        }
        return kernel
    }
}

extension SimulatedKernel {
    /// Writes the tree at `root`; a kernel with processes or mounts, or with `deviceFiles`,
    /// also gets the machine directory's `proc/` and `dev/` beside it (`M/sys`, `M/proc`,
    /// `M/dev`, as famctl finds them), so `root` must then be named `sys`.
    public func materializeMachine(at root: URL, deviceFiles: Bool = false) throws {
        let needsProc = !processes.isEmpty || !mountInfo.isEmpty
        if (needsProc || deviceFiles) && root.lastPathComponent != "sys" {
            throw MachineError.needsMachineDirectory(root.path)
        }
        try materialize(at: root)
        let machine = root.deletingLastPathComponent()
        if needsProc { try materializeProc(at: machine.appendingPathComponent("proc")) }
        guard deviceFiles else { return }
        let dev = machine.appendingPathComponent("dev")
        try FileManager.default.createDirectory(at: dev, withIntermediateDirectories: true)
        for device in devices.values {
            let url = dev.appendingPathComponent(device.name)
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw MachineError.cannotCreate(url.path) }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.truncate(atOffset: device.size)
        }
    }
}

public enum MachineError: Error, CustomStringConvertible {
    case needsMachineDirectory(String)
    case cannotCreate(String)

    public var description: String {
        switch self {
        case .needsMachineDirectory(let path):
            "\(path): this machine has processes or device files, written beside the tree as ../proc and ../dev; name the tree M/sys (e.g. \(path)/sys)"
        case .cannotCreate(let path):
            "\(path): cannot create the file that stands for the device"
        }
    }
}
