// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing

/// `famctl-dev`, the developer tool the README's examples, gen-docs.sh and bench.sh run on.
@Suite struct DevToolTests {
    /// Runs famctl-dev with `arguments` (given a fresh empty directory) and checks that it
    /// refused as a usage error (64) with stderr holding each of `messages`, writing nothing.
    func expectRefusal(_ arguments: (URL) -> [String], saying messages: (URL) -> [String]) throws {
        let directory = try DocsHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = try ChildProcess.run(DocsHarness.famctlDev, arguments(directory))
        #expect(output.status == 64)
        for message in messages(directory) { #expect(output.stderr.contains(message), "\(output.stderr)") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func aMachineWithProcessesNeedsATreeNamedSys() throws {
        try expectRefusal { ["sysfs-tree", $0.appending(path: "tree").path, "--machine", "busy"] } saying: {
            ["\($0.appending(path: "tree").path): this machine has processes or device files", "name the tree M/sys"]
        }
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
        #expect(output.stderr.contains("one of the following:\n  - hmem\n  - hmem-famfs\n  - busy\n  - nvdimm\n  - docs\n  - bench\n"))
    }

    /// bench.sh's tree: R regions of N devices, the last region's in system-ram mode with
    /// every odd block online (movable); the layout is the one its figures were measured on.
    @Test func theBenchMachineTakesItsShape() throws {
        let directory = try DocsHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tree = directory.appending(path: "sys")
        let output = try ChildProcess.run(DocsHarness.famctlDev, ["sysfs-tree", tree.path, "--machine", "bench", "--regions", "3", "--per-region", "2"])
        #expect(output.status == 0, "\(output.stderr)")
        let list = try FamctlBinary.run(["list", "--sysfs-root", tree.path])
        #expect(list.stdout.components(separatedBy: "\"chardev\"").count - 1 == 6)
        let systemRAM = try FamctlBinary.run(["list", "-d", "dax2.1", "--sysfs-root", tree.path])
        #expect(systemRAM.stdout.contains("\"mode\":\"system-ram\",\n    \"online_memblocks\":4,\n    \"total_memblocks\":8"), "\(systemRAM.stdout)")
        let resource = try String(contentsOf: tree.appending(path: "bus/dax/devices/dax1.1/resource"), encoding: .utf8)
        #expect(resource == "0x\(String(UInt64(1 * 2 + 1 + 4) << 30, radix: 16))\n")
    }

    @Test func onlyTheBenchMachineTakesAShape() throws {
        try expectRefusal { ["sysfs-tree", $0.appending(path: "sys").path, "--machine", "hmem", "--regions", "2"] } saying: { _ in
            ["--regions and --per-region are for --machine bench; hmem has a fixed layout"]
        }
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

    /// The full logs bench.sh measures. The digests are those of the images the Python
    /// generator famctl-dev replaced (scripts/famfs-full-log.py) wrote for the same parameters:
    /// a change of the bytes is a change of the benchmark's input.
    @Test(arguments: [
        (["--free-slots", "0"], 15_420 as UInt64, "f8b01d2c6071fb3994f636e70c8595ff629398063c4bf22a710ade0de5e73a49"),
        (["--free-slots", "100"], 15_320, "76ce90d50137dbc2990aea422e83bc2ec37b8516ab47975c7313a08ca22481fc"),
    ])
    func fullLogImagesAreTheBenchmarksInputAndPassFsck(freeSlots: [String], used: UInt64, sha256: String) throws {
        let directory = try DocsHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let image = directory.appending(path: "full.img")
        let made = try ChildProcess.run(DocsHarness.famctlDev, ["famfs-image", image.path, "--full-log", "--log-length", "8m", "--device-size", "64g"] + freeSlots)
        #expect(made.status == 0, "\(made.output)")
        #expect(try image.resourceValues(forKeys: [.fileSizeKey]).fileSize == (2 << 20) + (8 << 20))
        let digest = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/sha256sum"), [image.path])
        #expect(digest.stdout.split(separator: " ").first.map(String.init) == sha256)
        let uuid = directory.appending(path: "system_uuid")
        try Data("c0ffee00-1234-4abc-8def-0123456789ab".utf8).write(to: uuid)
        let fsck = try FamctlBinary.run(["famfs", "fsck", "--system-uuid-file", uuid.path, image.path])
        #expect(fsck.status == 0, "\(fsck.output)")
        let directories = (used + 15) / 16
        #expect(fsck.stdout.contains("\(used) of 15420 entries used\n  0 bad log entries detected\n  \(used - directories) files\n  \(directories) directories\n"))
        #expect(fsck.stdout.contains("No allocation errors found"))
    }

    @Test func aDeviceTooSmallForTheFilesIsRefusedAndNoImageWritten() throws {
        try expectRefusal { ["famfs-image", $0.appending(path: "x.img").path, "--full-log", "--device-size", "1g"] } saying: { _ in
            ["--device-size 1073741824 is too small for 15420 files of 2 MiB after the log (needs 32348569600 bytes)"]
        }
    }

    @Test func anImageThatCannotBeCreatedIsAnErrorNamingThePath() throws {
        let directory = try DocsHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let image = directory.appending(path: "missing/x.img").path
        let output = try ChildProcess.run(DocsHarness.famctlDev, ["famfs-image", image])
        #expect(output.status == 1)
        #expect(output.stderr == "Error: \(image): cannot create the image: No such file or directory\n")
    }
}
