// SPDX-License-Identifier: Apache-2.0
import DaxKit
import DaxSimulator
import FamctlTestSupport
import Foundation
import Testing
import Glibc

/// Dax commands on `--sysfs-root` trees that are not sysfs or were altered: the messages name
/// the files actually used with the error's text, the status is documented, and nothing
/// outside the tree is written.
@Suite struct DaxHostileTreeTests {
    /// The first memory block of dax0.0 on a one-device CXL machine (system-ram, offline).
    static func cxlTree() throws -> (CapturedTree, block: String) {
        let kernel = SimulatedKernel.cxl(count: 1, size: 1 << 30)
        let block = "memory\(kernel.blocks(of: "dax0.0")[0].index)"
        return (try CapturedTree(kernel), block)
    }

    @Test func aStateThatIsADirectoryIsReportedWithTheTreesPathAndTheErrorText() throws {
        let (tree, block) = try Self.cxlTree()
        defer { tree.remove() }
        let state = tree.root.appendingPathComponent("devices/system/memory/\(block)/state")
        try FileManager.default.removeItem(at: state)
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: false)
        let result = try tree.famctl("online-memory", "dax0.0")
        #expect(result.status == 251)
        #expect(result.stderr.contains("famctl: dax0.0: write \(state.path): Is a directory; "))
        #expect(result.stderr.contains("error onlining memory: Is a directory\n"))
        #expect(!result.stderr.contains("/sys/") && !result.stderr.contains("errno"))
    }

    /// Numbers in a planted tree may be anything: a device whose range wraps past the top of
    /// memory and block names past it are no blocks. Both trapped on overflow (SIGILL) before.
    @Test func aResourceOrBlockNumberPastTheTopOfMemoryIsNoBlock() throws {
        let tree = try CapturedTree(SimulatedKernel.hmem(size: 1 << 30))
        defer { tree.remove() }
        let device = try #require(FileManager.default.enumerator(atPath: tree.root.path)?
            .compactMap { $0 as? String }.first { $0.hasSuffix("dax0.0/resource") })
        try Data("0xfffffffffffff000\n".utf8).write(to: tree.root.appendingPathComponent(device))
        let node = tree.root.appendingPathComponent("devices/system/node/node1")
        try FileManager.default.createDirectory(at: node.appendingPathComponent("memory1000000000000"), withIntermediateDirectories: true)
        let dryRun = try tree.famctl("reconfigure-device", "--dry-run", "-m", "system-ram", "dax0.0")
        #expect(dryRun.status == 234, "\(dryRun.stderr)")
        #expect(dryRun.stderr.contains("dax0.0"))
        let list = try tree.famctl("list")
        #expect(list.status == 0, "\(list.stderr)")
    }

    @Test func aRootThatIsNotASysfsTreeIsRefused() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let missing = try FamctlBinary.run(["list", "--sysfs-root", "/nonexistent"])
        #expect(missing.status == 254)
        #expect(missing.stdout.isEmpty)
        #expect(missing.stderr == "famctl: /nonexistent is not a sysfs tree: No such file or directory (check --sysfs-root and FAMCTL_SYSFS_ROOT)\n")
        for command in [["list"], ["reconfigure-device", "-m", "devdax", "all"], ["online-memory", "all"]] {
            let result = try FamctlBinary.run([command[0], "--sysfs-root", empty.path] + command.dropFirst())
            #expect(result.status == 254, "\(command)")
            #expect(result.stderr == "famctl: \(empty.path) is not a sysfs tree: neither \(empty.path)/bus/dax nor "
                + "\(empty.path)/devices/system/memory exists (check --sysfs-root and FAMCTL_SYSFS_ROOT)\n")
        }
        let environment = try FamctlBinary.run(["list"], prefix: ["/usr/bin/env", "FAMCTL_SYSFS_ROOT=\(empty.path)"])
        #expect(environment.status == 254)
    }

    /// A host without dax devices has `devices/system/memory` and no `bus/dax`: nothing to
    /// list, exit 0, as daxctl; so is the host's own sysfs.
    @Test func aTreeWithMemoryBlocksButNoDaxBusListsNothing() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-nodax-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("devices/system/memory"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try FamctlBinary.run(["list", "--sysfs-root", root.path])
        #expect(result.status == 0 && result.stdout.isEmpty && result.stderr.isEmpty)
        let host = try FamctlBinary.run(["list", "--sysfs-root", "/sys", "--backend", "sysfs"])
        #expect(host.status == 0, "\(host.stderr)")
    }

    /// Replaces the file `attribute` with a link to a new file outside the tree, which holds
    /// "untouched" (the caller removes it).
    static func plantLink(at attribute: URL) throws -> URL {
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-outside-\(UUID().uuidString)")
        try Data("untouched\n".utf8).write(to: outside)
        try FileManager.default.removeItem(at: attribute)
        try FileManager.default.createSymbolicLink(at: attribute, withDestinationURL: outside)
        return outside
    }

    @Test func anAttributeThatIsASymlinkIsNotWrittenThrough() throws {
        let tree = try CapturedTree(.hmem())
        defer { tree.remove() }
        let attribute = tree.root.appendingPathComponent("bus/dax/drivers/device_dax/remove_id")
        let outside = try Self.plantLink(at: attribute)
        defer { try? FileManager.default.removeItem(at: outside) }
        let result = try tree.famctl("reconfigure-device", "-m", "famfs", "dax0.0")
        #expect(try String(contentsOf: outside, encoding: .utf8) == "untouched\n")
        #expect(result.status == 251)
        #expect(result.stderr.contains(
            "famctl: dax0.0: write \(attribute.path): refusing to follow the symbolic link \(attribute.path) "))
    }

    /// A memory block directory replaced by a link to a directory outside: its `state` reads
    /// through the link, but the write that follows does not go out.
    @Test func aDirectoryThatIsASymlinkIsNotWrittenThrough() throws {
        let (tree, block) = try Self.cxlTree()
        defer { tree.remove() }
        let directory = tree.root.appendingPathComponent("devices/system/memory/\(block)")
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-outside-\(UUID().uuidString)")
        try FileManager.default.moveItem(at: directory, to: outside)
        defer { try? FileManager.default.removeItem(at: outside) }
        try FileManager.default.createSymbolicLink(at: directory, withDestinationURL: outside)
        let before = try String(contentsOf: outside.appendingPathComponent("state"), encoding: .utf8)
        let result = try tree.famctl("online-memory", "dax0.0")
        #expect(try String(contentsOf: outside.appendingPathComponent("state"), encoding: .utf8) == before)
        #expect(result.status == 251)
        #expect(result.stderr.contains("write \(directory.path)/state: refusing to follow the symbolic link \(directory.path) "))
    }

    /// Reads of an attribute that is a link are refused too, naming it: sysfs has none, and a
    /// planted one would decide what is written (a block's `state` or `removable`).
    @Test func anAttributeReadThroughASymlinkIsRefused() throws {
        let (tree, block) = try Self.cxlTree()
        defer { tree.remove() }
        let attribute = tree.root.appendingPathComponent("devices/system/memory/\(block)/removable")
        let outside = try Self.plantLink(at: attribute)
        defer { try? FileManager.default.removeItem(at: outside) }
        let sysfs = HostSysfs(root: tree.root.path)
        #expect(throws: SysfsError(path: "devices/system/memory/\(block)/removable", errno: ELOOP, operation: .read,
                                   root: tree.root.path, symlink: "devices/system/memory/\(block)/removable")) {
            try sysfs.read("devices/system/memory/\(block)/removable")
        }
    }
}
