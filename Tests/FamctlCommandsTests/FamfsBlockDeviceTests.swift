// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing

/// famfs on a block device (pmem, here a loop device over a sparse image): mkfs, mkdir and
/// creat go through the block device's page cache, and the bytes they leave are the same
/// famfs an image-file reader sees.
@Suite(.serialized) struct FamfsBlockDeviceTests {
    /// Attaches `image` to a free loop device for the test's duration.
    final class LoopDevice {
        let path: String

        init(backing image: String) throws {
            let attach = try Self.losetup(["--find", "--show", image])
            try #require(attach.status == 0, "losetup failed: \(attach.output)")
            path = attach.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        deinit { _ = try? Self.losetup(["--detach", path]) }

        static func losetup(_ arguments: [String]) throws -> ProcessResult {
            try ChildProcess.run(URL(fileURLWithPath: "/sbin/losetup"), arguments)
        }
    }

    @Test func formatsAndPopulatesABlockDevice() throws {
        let scratch = try Scratch()
        let image = try scratch.file("pmem.img", size: 8 << 30)
        let loop = try LoopDevice(backing: image)
        let uuid = ["--system-uuid-file", scratch.systemUUIDFile]

        let mkfs = try FamctlBinary.run(["famfs", "mkfs"] + uuid + FamfsMkfsCommandTests.referenceOptions + [loop.path])
        #expect(mkfs.status == 0, "stderr: \(mkfs.stderr)")
        #expect(mkfs.stdout.contains("(block device loop"), "stdout: \(mkfs.stdout)")
        #expect(try FamctlBinary.run(["famfs", "mkdir"] + uuid + [loop.path, "dir1"]).status == 0)
        let creat = try FamctlBinary.run(["famfs", "creat", "-s", "3m"] + uuid + [loop.path, "dir1/file1"])
        #expect(creat.status == 0, "stderr: \(creat.stderr)")

        // The same bytes, read through the image file rather than the device.
        let check = try FamctlBinary.run(["famfs", "fsck"] + uuid + [image])
        #expect(check.status == 0, "stderr: \(check.stderr)")
        #expect(check.stdout.contains("  Filesystem UUID:   52d55102-72d2-4d63-af86-295f02d3abaf\n"))
        #expect(check.stdout.contains("  2 of 15420 entries used\n  0 bad log entries detected\n  1 files\n  1 directories\n"))
        #expect(check.stdout.contains("  Allocated bytes:        14680064\n"))
    }

    @Test func refusesABlockDeviceSmallerThan4GiB() throws {
        let scratch = try Scratch()
        let image = try scratch.file("small.img", size: 1 << 30)
        let loop = try LoopDevice(backing: image)
        let before = try Scratch.digestIfFile(image)
        let result = try FamctlBinary.run(["famfs", "mkfs", "--system-uuid-file", scratch.systemUUIDFile, loop.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains(loop.path), "stderr: \(result.stderr)")
        #expect(try Scratch.digestIfFile(image) == before)
    }

    /// libblkid probes the block device itself: an ext4 on it is refused, left unchanged, and
    /// formatted with --force.
    @Test func refusesABlockDeviceHoldingAnotherFileSystem() throws {
        let scratch = try Scratch()
        let image = try ForeignImage.ext4.make(in: scratch)
        let loop = try LoopDevice(backing: image)
        let before = try ForeignImage.digest(image)
        let uuid = ["--system-uuid-file", scratch.systemUUIDFile]
        let result = try FamctlBinary.run(["famfs", "mkfs"] + uuid + [loop.path])
        #expect(result.status == 1)
        #expect(result.stderr == "famctl: mkfs: \(loop.path) holds \(ForeignImage.ext4.found); refusing to overwrite it (use --force)\n")
        #expect(try ForeignImage.digest(image) == before)
        let forced = try FamctlBinary.run(["famfs", "mkfs", "--force"] + uuid + [loop.path])
        #expect(forced.status == 0, "stderr: \(forced.stderr)")
        #expect(forced.stdout.contains("  replaced:    \(ForeignImage.ext4.found)\n"))
    }
}
