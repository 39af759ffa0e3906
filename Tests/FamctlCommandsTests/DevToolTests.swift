// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing

/// `famctl-dev sysfs-tree`, the developer tool the README's dax examples run on.
@Suite struct DevToolTests {
    @Test func aMachineWithProcessesNeedsATreeNamedSys() throws {
        let directory = try DocsHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tree = directory.appending(path: "tree")
        let output = try ChildProcess.run(DocsHarness.famctlDev, ["sysfs-tree", tree.path, "--machine", "busy"])
        #expect(output.status == 64)
        #expect(output.stderr.contains("\(tree.path): this machine has processes or device files"))
        #expect(output.stderr.contains("name the tree M/sys"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func anExistingDirectoryIsLeftAlone() throws {
        let directory = try DocsHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("x".utf8).write(to: directory.appending(path: "keep"))
        let output = try ChildProcess.run(DocsHarness.famctlDev, ["sysfs-tree", directory.path])
        #expect(output.status == 64)
        #expect(output.stderr.contains("\(directory.path) already exists"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["keep"])
    }

    @Test func unknownMachineNamesTheChoices() throws {
        let directory = try DocsHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = try ChildProcess.run(DocsHarness.famctlDev, ["sysfs-tree", directory.appending(path: "sys").path, "--machine", "pmem"])
        #expect(output.status == 64)
        #expect(output.stderr.contains("'hmem', 'hmem-famfs', 'busy' or 'nvdimm'"))
    }

    /// The files in `dev/` stand for the devices: each as large as its device, and sparse.
    @Test func deviceFilesHaveTheDeviceSize() throws {
        let directory = try DocsHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = try ChildProcess.run(DocsHarness.famctlDev, ["sysfs-tree", directory.appending(path: "m/sys").path, "--machine", "hmem-famfs"])
        #expect(output.status == 0, "\(output.stderr)")
        for name in ["dax0.0", "dax1.0"] {
            let url = directory.appending(path: "m/dev/\(name)")
            let values = try url.resourceValues(forKeys: [.fileSizeKey, .totalFileAllocatedSizeKey])
            #expect(values.fileSize == 8 << 30)
            #expect((values.totalFileAllocatedSize ?? 0) < 1 << 20)
            let size = try String(contentsOf: directory.appending(path: "m/sys/bus/dax/devices/\(name)/size"), encoding: .utf8)
            #expect(size == "8589934592\n")
        }
    }
}
