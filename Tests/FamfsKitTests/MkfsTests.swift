// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing
@testable import FamfsKit

/// mkfs against upstream's `empty-8g`, and every refusal leaving the target as it was.
@Suite struct MkfsTests {
    static let fsUUID = FamfsUUID("52d55102-72d2-4d63-af86-295f02d3abaf")!
    static let deviceUUID = FamfsUUID("1017374c-fae1-418d-9a12-55fd5404033f")!
    static let systemUUID = FamfsUUID(Fixture.systemUUID)!
    static let noMounts = MountTable(text: "")

    /// A zeroed sparse image of `size` bytes, removed by the caller.
    static func sparseImage(size: UInt64 = 8 << 30) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-mkfs-\(UUID().uuidString).img").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        try FileHandle(forWritingTo: URL(fileURLWithPath: path)).truncate(atOffset: size)
        return path
    }

    static func referenceRequest(_ path: String) -> MkfsRequest {
        var request = MkfsRequest(target: path, systemUUID: systemUUID)
        request.fsUUID = fsUUID
        request.deviceUUID = deviceUUID
        request.deviceName = "/dev/dax0.0"
        return request
    }

    static func bytes(_ path: String, _ range: Range<Int>) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(range.lowerBound))
        return Array(try handle.read(upToCount: range.count) ?? Data())
    }

    static func allocatedBytes(_ path: String) throws -> Int {
        var info = stat()
        #expect(stat(path, &info) == 0)
        return Int(info.st_blocks) * 512
    }

    @Test func reproducesUpstreamsEmptyImageByteForByteAndStaysSparse() throws {
        let path = try Self.sparseImage()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let outcome = try Mkfs(mountTable: Self.noMounts).run(Self.referenceRequest(path))
        guard case .formatted(let plan, let report) = outcome else {
            Issue.record("expected a formatted file system")
            return
        }
        #expect(plan.previous == nil)
        #expect(report.isClean && report.role == .owner)
        #expect(try Self.bytes(path, 0..<10 << 20) == (try Fixture.imageBytes("empty-8g")))
        #expect(try Self.allocatedBytes(path) < 1 << 20, "mkfs must write only the superblock and the log header")
        #expect(report.text() == (try FsckReportTests.upstreamReport("empty-8g.fsck.txt")))
    }

    @Test func overwritingClearsTheWholeMetadataAndNothingBeyond() throws {
        let path = try Self.sparseImage()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let garbage = Data(repeating: 0xa5, count: 12 << 20)
        try handle.write(contentsOf: garbage)
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: Data((try Fixture.imageBytes("ref-8g"))[0..<200]))
        try handle.close()

        var request = Self.referenceRequest(path)
        #expect(throws: MkfsError.self) { try Mkfs(mountTable: Self.noMounts).run(request) }
        #expect(try Self.bytes(path, 200..<400) == Array(repeating: 0xa5, count: 200), "refusal must write nothing")

        request.force = true
        guard case .formatted(let plan, _) = try Mkfs(mountTable: Self.noMounts).run(request) else {
            Issue.record("expected a formatted file system")
            return
        }
        #expect(plan.previous?.fsUUID == Self.fsUUID)
        #expect(try Self.bytes(path, 0..<10 << 20) == (try Fixture.imageBytes("empty-8g")))
        #expect(try Self.bytes(path, 10 << 20..<12 << 20) == Array(repeating: 0xa5, count: 2 << 20), "file data untouched")
    }

    @Test func aRightMagicWithABadCRCStillNeedsForceAndTheRefusalNamesTheOldFileSystem() throws {
        let path = try Fixture.imageFile("var-bad-sb-crc", size: 8 << 30)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let before = try Self.bytes(path, 0..<4096)
        var request = Self.referenceRequest(path)
        request.systemUUID = .random()
        do {
            _ = try Mkfs(mountTable: Self.noMounts).run(request)
            Issue.record("mkfs accepted a device with a famfs superblock")
        } catch {
            guard case .existingSuperblock(_, let old, let problem, let ownedHere) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(old.fsUUID == Self.fsUUID)
            #expect(problem == .crcMismatch(stored: 0xf743_ffa8, computed: 0xf743_ffa9))
            #expect(!ownedHere)
            #expect(error.isRefusal)
            #expect(error.description.contains("52d55102-72d2-4d63-af86-295f02d3abaf"))
            #expect(error.description.contains("another host"))
        }
        #expect(try Self.bytes(path, 0..<4096) == before)
    }

    @Test func killZeroesTheMagicOnly() throws {
        let path = try Fixture.imageFile("ref-8g", size: 8 << 30)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let before = try Self.bytes(path, 0..<10 << 20)
        var request = Self.referenceRequest(path)
        request.force = true
        request.kill = true
        guard case .killed = try Mkfs(mountTable: Self.noMounts).run(request) else {
            Issue.record("expected a kill")
            return
        }
        let after = try Self.bytes(path, 0..<10 << 20)
        #expect(after[0..<8] == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(after[8...] == before[8...])
    }

    @Test func dryRunWritesNothingAndCreatesNothing() throws {
        let path = try Self.sparseImage()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var request = Self.referenceRequest(path)
        request.dryRun = true
        guard case .formatted(_, let report) = try Mkfs(mountTable: Self.noMounts).run(request) else {
            Issue.record("expected a planned file system")
            return
        }
        #expect(report.text() == (try FsckReportTests.upstreamReport("empty-8g.fsck.txt")))
        #expect(try Self.allocatedBytes(path) == 0)

        let missing = path + ".new"
        request.target = missing
        request.imageSize = 8 << 30
        _ = try Mkfs(mountTable: Self.noMounts).run(request)
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func refusesSmallDevicesAndLogsThatDoNotFit() throws {
        let small = try Self.sparseImage(size: (4 << 30) - 1)
        defer { try? FileManager.default.removeItem(atPath: small) }
        #expect(throws: MkfsError.tooSmall(path: small, size: (4 << 30) - 1, minimum: 4 << 30)) {
            try Mkfs(mountTable: Self.noMounts).run(Self.referenceRequest(small))
        }
        let exact = try Self.sparseImage(size: 4 << 30)
        defer { try? FileManager.default.removeItem(atPath: exact) }
        var request = Self.referenceRequest(exact)
        request.logLength = 4 << 30
        #expect(throws: MkfsError.logDoesNotFit(path: exact, logLength: 4 << 30, deviceSize: 4 << 30)) {
            try Mkfs(mountTable: Self.noMounts).run(request)
        }
        #expect(try Self.allocatedBytes(small) == 0 && (try Self.allocatedBytes(exact)) == 0)
    }

    @Test func refusesAMountedDevice() throws {
        let path = try Self.sparseImage()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let mounts = MountTable(text: "\(path) /mnt/famfs famfs rw 0 0\n")
        #expect(throws: MkfsError.mounted(path: path, mountPoint: "/mnt/famfs", type: "famfs")) {
            try Mkfs(mountTable: mounts).run(Self.referenceRequest(path))
        }
    }

    /// /dev/null is char 1:3; a fake sysfs makes it a dax device in system-ram mode.
    @Test func refusesADaxDeviceInSystemRamMode() throws {
        let root = try FakeSysfs.daxDevice(major: 1, minor: 3, name: "dax0.0", driver: "kmem")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let mkfs = Mkfs(devices: DeviceOpener(sysfsRoot: root), mountTable: Self.noMounts)
        do {
            _ = try mkfs.run(Self.referenceRequest("/dev/null"))
            Issue.record("mkfs accepted a device in system-ram mode")
        } catch {
            #expect(error == .device(.wrongMode(device: "dax0.0", mode: "system-ram")))
            #expect(error.description.contains("dax0.0 is in system-ram mode; switch it to devdax"))
            // A target mkfs cannot use fails as in every famfs command (exit 3), not as a refusal.
            #expect(!error.isRefusal)
        }
    }

    @Test(arguments: [UInt64(47), 48])
    func writesBothFormatVersions(version: UInt64) throws {
        let path = try Self.sparseImage()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var request = Self.referenceRequest(path)
        request.formatVersion = version
        request.logLength = 256 << 20
        _ = try Mkfs(mountTable: Self.noMounts).run(request)
        let volume = try VolumeOpener(mountTablePath: "/nonexistent").open(path)
        #expect(volume.superblock.version == version)
        #expect(volume.superblock.omfMinor == (version == 47 ? 1 : 2))
        #expect(volume.header.lastIndex == 493_446)
    }

    @Test func createsAndGrowsImagesForSize() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-new-\(UUID().uuidString).img").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var request = Self.referenceRequest(path)
        request.imageSize = 8 << 30
        guard case .formatted(let plan, _) = try Mkfs(mountTable: Self.noMounts).run(request) else {
            Issue.record("expected a formatted file system")
            return
        }
        #expect(plan.createdImage)
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64) == 8 << 30)
        request.imageSize = 16 << 30
        request.force = true
        #expect(throws: MkfsError.imageSizeMismatch(path: path, size: 8 << 30, requested: 16 << 30)) {
            try Mkfs(mountTable: Self.noMounts).run(request)
        }
    }
}

/// A sysfs tree with one char dax device: `<root>/dev/char/MAJ:MIN` links to the device
/// directory (named like the device) whose `driver` links to the driver.
enum FakeSysfs {
    static func daxDevice(major: Int, minor: Int, name: String, driver: String, size: UInt64 = 8 << 30) throws -> String {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("famctl-sysfs-\(UUID().uuidString)").path
        let device = "\(root)/devices/platform/hmem.0/\(name)"
        try fm.createDirectory(atPath: device, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: "\(root)/bus/dax/drivers/\(driver)", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: "\(root)/dev/char", withIntermediateDirectories: true)
        try "\(size)\n".write(toFile: "\(device)/size", atomically: true, encoding: .utf8)
        try "2097152\n".write(toFile: "\(device)/align", atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: "\(device)/driver", withDestinationPath: "../../../../bus/dax/drivers/\(driver)")
        try fm.createSymbolicLink(atPath: "\(root)/dev/char/\(major):\(minor)", withDestinationPath: "../../devices/platform/hmem.0/\(name)")
        return root
    }
}
