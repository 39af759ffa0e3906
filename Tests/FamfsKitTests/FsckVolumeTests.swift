// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing
@testable import FamfsKit

/// `VolumeOpener`: the one path from a target (image, device, mounted famfs) to a validated
/// superblock, log header and scan.
@Suite struct FsckVolumeTests {
    @Test func opensAMetadataOnlyImageAndTakesTheDeviceSizeFromTheSuperblock() throws {
        let path = try Fixture.imageFile("ref-8g")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let volume = try VolumeOpener(mountTablePath: "/nonexistent").open(path)
        #expect(volume.superblock.deviceSize == 8 << 30)
        #expect(volume.header.nextIndex == 9)
        #expect(volume.isShorterThanDevice)
        let scan = try volume.scan()
        #expect(scan.entries.count == 9)
        #expect(scan.badEntries.isEmpty)
    }

    @Test func refusesABadSuperblockCRCBeforeReadingTheLog() throws {
        let path = try Fixture.imageFile("var-bad-sb-crc")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: VolumeError.superblock(path: path, .crcMismatch(stored: 0xf743_ffa8, computed: 0xf743_ffa9))) {
            try VolumeOpener(mountTablePath: "/nonexistent").open(path)
        }
    }

    @Test func refusesAnImageThatEndsInsideTheLog() throws {
        let path = try Fixture.imageFile("ref-8g", size: 5 << 20)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: VolumeError.truncated(path: path, size: 5 << 20, needed: 10 << 20, holding: "the log")) {
            try VolumeOpener(mountTablePath: "/nonexistent").open(path)
        }
    }

    @Test func readsTheMetaFilesOfAMountedFamfsFromAnyPathInside() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-mnt-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: "\(root)/mnt/.meta", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(root)/mnt/dir1", withIntermediateDirectories: true)
        let image = try Fixture.imageBytes("ref-8g")
        try Data(image[0..<0x20_0000]).write(to: URL(fileURLWithPath: "\(root)/mnt/.meta/.superblock"))
        try Data(image[0x20_0000...]).write(to: URL(fileURLWithPath: "\(root)/mnt/.meta/.log"))
        let mounts = "\(root)/mounts"
        try "/dev/dax0.0 \(root)/mnt famfs rw,relatime 0 0\n".write(toFile: mounts, atomically: true, encoding: .utf8)

        let volume = try VolumeOpener(mountTablePath: mounts).open("\(root)/mnt/dir1")
        guard case .mounted(let mountPoint, _, _) = volume.source else {
            Issue.record("expected the mounted-famfs source")
            return
        }
        #expect(mountPoint == "\(root)/mnt")
        #expect(try volume.scan().entries.count == 9)

        try Data(image[0x20_0000..<0x40_0000]).write(to: URL(fileURLWithPath: "\(root)/mnt/.meta/.log"))
        #expect(throws: VolumeError.logFileLength(path: "\(root)/mnt/.meta/.log", size: 0x20_0000, expected: 0x80_0000)) {
            try VolumeOpener(mountTablePath: mounts).open("\(root)/mnt")
        }
    }

    @Test func parsesEscapedMountPoints() {
        let table = MountTable(text: "/dev/dax1.0 /mnt/my\\040famfs famfs rw 0 0\n/dev/sda1 / ext4 rw 0 0\n")
        #expect(table.mounts.count == 2)
        #expect(table.famfsMount(containing: "/mnt/my famfs/a/b")?.source == "/dev/dax1.0")
        #expect(table.famfsMount(containing: "/mnt/my famfsx") == nil)
    }
}
