// SPDX-License-Identifier: Apache-2.0
import DaxSimulator
import Foundation
import Testing
@testable import DaxKit
import Glibc

/// HostSysfs on a directory: the same code that reads `/sys` on a host.
@Suite struct HostSysfsTests {
    func temporaryRoot() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("daxkit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    @Test func readsWritesListsAndFollowsLinks() throws {
        let root = try temporaryRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let sysfs = HostSysfs(root: root.path + "/")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        try Data("4096\n".utf8).write(to: root.appendingPathComponent("a/b/size"))
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("link").path, withDestinationPath: "a/b")
        #expect(try sysfs.read("a/b/size") == "4096")
        #expect(try sysfs.read("link/size") == "4096")
        #expect(sysfs.readLink("link") == "a/b")
        #expect(sysfs.readLink("a/b/size") == nil)
        #expect(Set(sysfs.list("a/b")) == ["size"])
        #expect(sysfs.list("missing").isEmpty)
        try sysfs.write("a/b/size", "0x1000")
        #expect(try String(contentsOf: root.appendingPathComponent("a/b/size"), encoding: .utf8) == "0x1000\n")
        #expect(throws: SysfsError(path: "a/b/nothing", errno: ENOENT, operation: .read, root: root.path)) { try sysfs.read("a/b/nothing") }
        #expect(throws: SysfsError(path: "a/nothing", errno: ENOENT, operation: .write, root: root.path)) { try sysfs.write("a/nothing", "1") }
        #expect("\(SysfsError(path: "a/nothing", errno: EBUSY, operation: .write))" == "write /sys/a/nothing: Device or resource busy")
        #expect("\(SysfsError(path: "a/nothing", errno: EISDIR, operation: .write, root: root.path))"
            == "write \(root.path)/a/nothing: Is a directory")
        try sysfs.loadModule("kmem")
        #expect(!sysfs.isHostRoot, "modules are never loaded for another root")
    }

    /// The legacy dax-class model (no dax bus): listed, never changed.
    @Test func daxClassDevicesAreListedButNotChanged() throws {
        let root = try temporaryRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let device = root.appendingPathComponent("devices/platform/e820_pmem/ndbus0/region0/dax0.0/dax/dax0.0")
        try FileManager.default.createDirectory(at: device, withIntermediateDirectories: true)
        try Data("1073741824\n".utf8).write(to: device.appendingPathComponent("size"))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("class/dax"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("class/dax/dax0.0").path,
            withDestinationPath: "../../devices/platform/e820_pmem/ndbus0/region0/dax0.0/dax/dax0.0")
        let sysfs = HostSysfs(root: root.path)
        let found = try #require(DaxDiscovery(sysfs: sysfs).regions().first?.devices.first)
        #expect(found.isDaxClass && found.state == .bound(.devdax) && found.size == 1 << 30)
        #expect(throws: DaxError.daxClass(device: "dax0.0")) {
            try DaxController(sysfs: sysfs, procfs: HostProcfs(root: nil)).reconfigure(found, ReconfigureOptions(mode: .systemRAM))
        }
    }

    /// A simulated machine written to disk reads back the same through HostSysfs.
    @Test func aMaterializedSimulatorReadsTheSame() throws {
        let root = try temporaryRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let kernel = SimulatedKernel.cxl(count: 3, size: 1 << 30)
        kernel.setBlock("memory\(kernel.blocks(of: "dax0.1")[2].index)", online: true, zone: "Movable")
        try kernel.materialize(at: root)
        let fromDisk = DaxDiscovery(sysfs: HostSysfs(root: root.path), readMappings: true).regions()
        let inMemory = DaxDiscovery(sysfs: kernel, readMappings: true).regions()
        #expect(fromDisk == inMemory)
        #expect(fromDisk.first?.devices.map(\.memory?.online) == [0, 1, 0])
    }
}
