// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
@testable import DaxKit

/// The readers of names, numbers and link targets a listing parses from sysfs (on UTF-8
/// bytes): what the kernel writes, and what a hostile captured tree might hold instead.
@Suite struct SysfsParsingTests {
    @Test(arguments: [
        ("dax0.0", 0, 0), ("dax12.3", 12, 3), ("dax007.10", 7, 10),
    ] as [(String, Int, Int)])
    func deviceNamesGiveRegionAndInstance(name: String, region: Int, instance: Int) throws {
        let numbers = try #require(DaxDevice.parseName(name))
        #expect(numbers.region == region && numbers.instance == instance)
    }

    @Test(arguments: [
        "dax", "dax0", "dax0.", "dax.0", "dax0.0.0", "dax+1.0", "dax-1.0", "dax0.0 ", "Dax0.0", "xdax0.0",
        "dax١.٠", "dax0x1.0", "dax99999999999999999999.0", "region0", "",
    ])
    func otherNamesAreNotDevices(name: String) {
        #expect(DaxDevice.parseName(name) == nil)
    }

    @Test(arguments: [
        ("4096", 4096), ("4096\n", 4096), ("  0x1000 \n", 0x1000), ("0XfF", 255), ("0", 0),
        ("18446744073709551615", UInt64.max), ("0xffffffffffffffff", UInt64.max),
    ] as [(String, UInt64)])
    func numbersAreDecimalOrHex(text: String, value: UInt64) {
        #expect(DaxDiscovery.number(text) == value)
    }

    @Test(arguments: ["", " ", "0x", "+5", "-1", "12a", "0x1g", "1 2", "18446744073709551616", "0x10000000000000000", "٤"])
    func otherTextIsNoNumber(text: String) {
        #expect(DaxDiscovery.number(text) == nil)
    }

    @Test(arguments: [
        ("../../devices/platform/hmem.0/dax0.0", "bus/dax/devices", "bus/devices/platform/hmem.0/dax0.0"),
        ("../../../devices/platform/hmem.0/dax0.0", "bus/dax/devices", "devices/platform/hmem.0/dax0.0"),
        ("./a/./b/../c", "x/y", "x/y/a/c"),
        ("/abs//path/", "x/y", "abs/path"),
        ("../../../../..", "a/b", ""),
        ("é/ü", "ß", "ß/é/ü"),
    ] as [(String, String, String)])
    func linkTargetsResolveLexically(target: String, base: String, resolved: String) {
        #expect(SysfsPath.resolve(target, from: base) == resolved)
    }

    @Test func parentAndBasenameSplitAtTheLastSlash() {
        #expect(SysfsPath.parent("devices/region0/dax0.0") == "devices/region0")
        #expect(SysfsPath.basename("devices/region0/dax0.0") == "dax0.0")
        #expect(SysfsPath.parent("dax0.0") == "" && SysfsPath.basename("dax0.0") == "dax0.0")
        #expect(SysfsPath.basename("../../bus/dax/drivers/device_dax") == "device_dax")
    }

    @Test(arguments: [("/sys/", "/sys"), ("/", "/"), ("//", "/"), ("tree///", "tree"), ("tree", "tree")])
    func aRootLosesItsTrailingSlashes(given: String, root: String) {
        #expect(HostSysfs(root: given).root == root)
    }

    /// A planted tree's block names and resources may hold any number: blocks past the top of
    /// memory, and a device whose range would wrap, give no blocks instead of a trap.
    @Test func hugeBlockNumbersAndResourcesAreNoBlocks() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("daxkit-blocks-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let node = root.appendingPathComponent("devices/system/node/node0")
        try FileManager.default.createDirectory(at: node, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("devices/system/memory"), withIntermediateDirectories: true)
        try Data("8000000\n".utf8).write(to: root.appendingPathComponent("devices/system/memory/block_size_bytes"))
        for name in ["memory8", "memory9", "memory1000000000", "memory1000000000000", "memory99999999999999999999", "memory+10", "memoryx"] {
            try FileManager.default.createDirectory(at: node.appendingPathComponent(name), withIntermediateDirectories: false)
        }
        let discovery = DaxDiscovery(sysfs: HostSysfs(root: root.path))
        func device(resource: UInt64, size: UInt64) -> DaxDevice {
            DaxDevice(name: "dax0.0", regionID: 0, instance: 0, path: "x", size: size, targetNode: 0, resource: resource,
                      state: .bound(.systemRAM))
        }
        #expect(discovery.memory(of: device(resource: 8 << 27, size: 2 << 27))?.blocks.map(\.name) == ["memory8", "memory9"])
        #expect(discovery.memory(of: device(resource: UInt64.max - 4095, size: 1 << 30))?.blocks == [])
        #expect(discovery.memory(of: device(resource: 0, size: UInt64.max))?.blocks.map(\.name) == ["memory8", "memory9", "memory1000000000"])
    }
}
