// SPDX-License-Identifier: Apache-2.0
import DaxSimulator
import FamctlTestSupport
import Foundation
import Testing

/// A simulated machine written to a temporary directory (directories, files and relative
/// symlinks as in the real `/sys`), for the built `famctl`; deleted by `remove()`.
struct CapturedTree {
    let kernel: SimulatedKernel
    let root: URL
    /// With `machine`: the directory holding `sys` (the root), `proc` (the kernel's processes
    /// and mounts) and `dev`, as famctl finds them beside a root named `sys`.
    let machine: URL?

    init(_ kernel: SimulatedKernel, machine: Bool = false) throws {
        self.kernel = kernel
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-sysfs-\(UUID().uuidString)")
        self.machine = machine ? base : nil
        root = machine ? base.appendingPathComponent("sys") : base
        try kernel.materialize(at: root)
        if machine {
            try kernel.materializeProc(at: base.appendingPathComponent("proc"))
            try FileManager.default.createDirectory(at: base.appendingPathComponent("dev"), withIntermediateDirectories: true)
        }
    }

    func remove() { try? FileManager.default.removeItem(at: machine ?? root) }

    /// `famctl COMMAND --sysfs-root ROOT ARGUMENTS…`, run as a process (`FamctlBinary.run`).
    func famctl(_ command: String, _ arguments: String...) throws -> ProcessResult {
        try FamctlBinary.run([command, "--sysfs-root", root.path] + arguments)
    }

    /// The writes of a devdax → system-ram switch of dax0.0 as `--dry-run` prints them:
    /// device_dax → kmem, then `state` into each of `blocks`.
    func systemRAMWrites(blocks: Range<Int>, state: String) -> String {
        let drivers = "\(root.path)/bus/dax/drivers"
        let writes = [
            "echo dax0.0 > \(drivers)/device_dax/remove_id",
            "echo dax0.0 > \(drivers)/device_dax/unbind",
            "echo dax0.0 > \(drivers)/kmem/new_id",
            "echo dax0.0 > \(drivers)/kmem/bind",
        ] + blocks.map { "echo \(state) > \(root.path)/devices/system/memory/memory\($0)/state" }
        return writes.joined(separator: "\n") + "\n"
    }

    /// Every file and link in the tree with its content or target, to prove nothing changed.
    func snapshot() throws -> [String: String] {
        var result: [String: String] = [:]
        let manager = FileManager.default
        let enumerator = try #require(manager.enumerator(atPath: root.path))
        while let path = enumerator.nextObject() as? String {
            let full = root.appendingPathComponent(path).path
            if let target = try? manager.destinationOfSymbolicLink(atPath: full) {
                result[path] = "-> " + target
            } else if let data = manager.contents(atPath: full) {
                result[path] = String(decoding: data, as: UTF8.self)
            }
        }
        return result
    }
}

extension SimulatedKernel {
    /// A CXL region with four 1 GiB devices that booted in system-ram: dax0.0 with 6 of its 8
    /// blocks online, dax0.1 all online (movable), dax0.2 moved to famfs, dax0.3 disabled.
    static func cxlInEveryState() throws -> SimulatedKernel {
        let kernel = SimulatedKernel.cxl(count: 4, size: 1 << 30)
        for block in kernel.blocks(of: "dax0.0").prefix(6) { kernel.setBlock("memory\(block.index)", online: true, zone: "Movable") }
        for block in kernel.blocks(of: "dax0.1") { kernel.setBlock("memory\(block.index)", online: true, zone: "Movable") }
        for name in ["dax0.2", "dax0.3"] { try kernel.write("bus/dax/drivers/kmem/unbind", name) }
        try kernel.write("bus/dax/drivers/fsdev_dax/new_id", "dax0.2")
        return kernel
    }
}
