// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing

/// `famctl famfs mkfs` as a user runs it: the reference image, and every refusal with its
/// message, its exit code and the target unchanged.
@Suite struct FamfsMkfsCommandTests {
    static let referenceOptions = ["--uuid", "52d55102-72d2-4d63-af86-295f02d3abaf",
                                   "--device-uuid", "1017374c-fae1-418d-9a12-55fd5404033f",
                                   "--device-name", "/dev/dax0.0"]

    func mkfs(_ scratch: Scratch, _ arguments: [String], mountTable: String = "/nonexistent",
              prefix: [String] = []) throws -> ProcessResult {
        try FamctlBinary.run(["famfs", "mkfs", "--system-uuid-file", scratch.systemUUIDFile, "--mount-table", mountTable]
                             + arguments, prefix: prefix)
    }

    /// Runs mkfs expecting a refusal: the exit code, a message containing `message`, no
    /// report, and the target's first 12 MiB unchanged.
    func expectRefusal(_ scratch: Scratch, _ arguments: [String], target: String, status: Int32, message: String,
                       mountTable: String = "/nonexistent", prefix: [String] = [],
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try Scratch.digestIfFile(target)
        let result = try mkfs(scratch, arguments + [target], mountTable: mountTable, prefix: prefix)
        #expect(result.status == status, sourceLocation: sourceLocation)
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stdout.contains("Famfs Superblock:"), sourceLocation: sourceLocation)
        let after = try Scratch.digestIfFile(target)
        #expect(after == before, "target changed", sourceLocation: sourceLocation)
    }

    @Test func reproducesUpstreamsEmptyImageAndPrintsTheSummaryAndReport() throws {
        let scratch = try Scratch()
        let image = "\(scratch.path)/new.img"
        let result = try mkfs(scratch, Self.referenceOptions + ["--size", "8g", image])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let handle = try #require(FileHandle(forReadingAtPath: image))
        #expect(try handle.read(upToCount: 10 << 20) == (try Fixture.image("empty-8g")))
        #expect(result.stdout.hasPrefix("Formatted \(image) as famfs\n  device:      \(image) (image file, created sparse)\n  devsize:     8589934592\n"))
        #expect(result.stdout.contains("  fs UUID:     52d55102-72d2-4d63-af86-295f02d3abaf\n"))
        #expect(result.stdout.contains("Famfs Superblock:\n  Filesystem UUID:   52d55102-72d2-4d63-af86-295f02d3abaf\n"))
        #expect(result.stdout.contains("  Free space:             7.99G\n"))

        let check = try FamctlBinary.run(["famfs", "fsck", "--system-uuid-file", scratch.systemUUIDFile, image])
        #expect(check.status == 0)
        #expect(check.stdout == (try Fixture.report("empty-8g.fsck.txt")))
    }

    @Test func refusesAnExistingSuperblockWithoutForceNamingIt() throws {
        let scratch = try Scratch()
        let image = try scratch.file("ref.img", try Fixture.image("ref-8g"), size: 8 << 30)
        try expectRefusal(scratch, [], target: image, status: 1,
                          message: "already has a famfs superblock (fs UUID 52d55102-72d2-4d63-af86-295f02d3abaf, owner system UUID c0ffee00-1234-4abc-8def-0123456789ab (this host)")
        let badCRC = try scratch.file("badsb.img", try Fixture.image("var-bad-sb-crc"), size: 8 << 30)
        try expectRefusal(scratch, [], target: badCRC, status: 1, message: "not valid: crc mismatch in superblock")

        let forced = try mkfs(scratch, Self.referenceOptions + ["--force", image])
        #expect(forced.status == 0)
        #expect(forced.stdout.contains("  replaced:    fs UUID 52d55102-72d2-4d63-af86-295f02d3abaf"))
        #expect(forced.stdout.contains("  0 of 15420 entries used\n"))
    }

    @Test func killNeedsForceAndThenZeroesTheMagic() throws {
        let scratch = try Scratch()
        let image = try scratch.file("ref.img", try Fixture.image("ref-8g"), size: 8 << 30)
        try expectRefusal(scratch, ["--kill"], target: image, status: 64, message: "--kill requires --force")
        let killed = try mkfs(scratch, ["-f", "-k", image])
        #expect(killed.status == 0)
        #expect(killed.stdout == "Famfs superblock killed\n")
        let check = try FamctlBinary.run(["famfs", "fsck", image])
        #expect(check.status == 1)
        #expect(check.stderr.contains("no famfs superblock"))
    }

    @Test(arguments: ["1m", "4m", "11m", "12m", "8x", "0"])
    func refusesInvalidLogLengths(length: String) throws {
        let scratch = try Scratch()
        let image = try scratch.file("zero.img", size: 8 << 30)
        try expectRefusal(scratch, ["--loglen", length], target: image, status: 64, message: "loglen")
    }

    @Test(arguments: ["8m", "16m", "256m"])
    func acceptsValidLogLengths(length: String) throws {
        let scratch = try Scratch()
        let image = try scratch.file("zero.img", size: 8 << 30)
        let result = try mkfs(scratch, ["--loglen", length, image])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let slots = ["8m": 15420, "16m": 30840, "256m": 493_447][length]!
        #expect(result.stdout.contains("  # of log entries in use: 0 of \(slots)\n"))
    }

    @Test func refusesUnsuitableTargets() throws {
        let scratch = try Scratch()
        let small = try scratch.file("small.img", size: (4 << 30) - (2 << 20))
        try expectRefusal(scratch, [], target: small, status: 1, message: "unsupported device size 4292870144 bytes")
        // The target's own problems exit 3, as in every famfs command; mkfs's refusals exit 1.
        try expectRefusal(scratch, [], target: scratch.path, status: 3, message: "is a directory")
        try expectRefusal(scratch, [], target: "\(scratch.path)/missing.img", status: 3,
                          message: "no such file or device (to create an image file, give its size: --size 8g)")
        #expect(!FileManager.default.fileExists(atPath: "\(scratch.path)/missing.img"))
        let image = try scratch.file("zero.img", size: 8 << 30)
        try expectRefusal(scratch, ["--format-version", "49"], target: image, status: 64, message: "not supported (expected 47 or 48)")
        try expectRefusal(scratch, ["--uuid", "not-a-uuid"], target: image, status: 64, message: "--uuid")
    }

    /// A refused --size creates nothing: every check that the size decides comes first, and a
    /// size no file can have is named as such (not with a stale errno).
    @Test(arguments: [
        (["--size", "0"], "unsupported device size 0 bytes"),
        (["--size", "4095m"], "unsupported device size 4293918720 bytes"),
        (["--size", "8g", "--loglen", "8g"], "a 8589934592-byte log does not fit a 8589934592-byte device"),
        (["--size", "18446744073709551615"], "--size 18446744073709551615 is larger than any file can be (at most 9223372036854775807 bytes)"),
    ])
    func aRefusedSizeLeavesNoFile(options: [String], message: String) throws {
        let scratch = try Scratch()
        let image = "\(scratch.path)/new.img"
        try expectRefusal(scratch, options, target: image, status: 1, message: "\(image): \(message)")
        #expect(!FileManager.default.fileExists(atPath: image))
    }

    /// A size the file system cannot give the file (past ext4's or tmpfs's limit) fails with
    /// the real reason, and the half-made file is gone.
    @Test func aSizeTheFileSystemRefusesLeavesNoFile() throws {
        let scratch = try Scratch()
        let image = "\(scratch.path)/new.img"
        let result = try mkfs(scratch, ["--size", "\(UInt64(Int64.max))", image])
        #expect(result.status == 3)
        #expect(result.stderr.contains("\(image): cannot set the size to 9223372036854775807 bytes: File too large"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: image))
    }

    @Test func refusesAMountedDevice() throws {
        let scratch = try Scratch()
        let image = try scratch.file("zero.img", size: 8 << 30)
        let mounts = try scratch.file("mounts", Data("\(image) /mnt/famfs famfs rw 0 0\n".utf8))
        try expectRefusal(scratch, [], target: image, status: 1,
                          message: "cannot mkfs while \(image) is mounted on /mnt/famfs (famfs)", mountTable: mounts)
    }

    /// A device larger than famfs can hold (a hostile or made-up sysfs size) is refused
    /// before anything is mapped or sized from it; a dry run once sized a 512 GiB map for it.
    @Test func refusesADeviceLargerThanFamfsHolds() throws {
        let scratch = try Scratch()
        let sysfs = try scratch.nullAsDaxDevice(driver: "device_dax", size: 1 << 63)
        for options in [["--dry-run"], []] {
            try expectRefusal(scratch, ["--sysfs-root", sysfs] + options, target: "/dev/null", status: 1,
                              message: "unsupported device size 9223372036854775808 bytes (famfs holds at most 9007199254740992 bytes")
        }
    }

    /// /dev/null (char 1:3) stands in for dax0.0 bound to kmem in a fake sysfs tree.
    @Test func refusesADaxDeviceInSystemRamModeNamingTheMode() throws {
        let scratch = try Scratch()
        let sysfs = try scratch.nullAsDaxDevice(driver: "kmem")
        try expectRefusal(scratch, ["--sysfs-root", sysfs], target: "/dev/null", status: 3,
                          message: "dax0.0 is in system-ram mode; switch it to devdax")
    }

    @Test func refusesATargetItCannotWrite() throws {
        let scratch = try Scratch()
        let image = try scratch.file("zero.img", size: 8 << 30)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: image)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: scratch.systemUUIDFile)
        // Root may write anything: run as nobody when the tests run as root.
        let prefix = getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        try expectRefusal(scratch, [], target: image, status: 3, message: "zero.img: cannot open: Permission denied",
                          prefix: prefix)
    }

    @Test func dryRunWritesNothing() throws {
        let scratch = try Scratch()
        let image = try scratch.file("zero.img", size: 8 << 30)
        let result = try mkfs(scratch, Self.referenceOptions + ["--dry-run", image])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("dry run, nothing written: would format \(image) as famfs\n"))
        #expect(try Scratch.digest(image) == (try Scratch.digest(try scratch.file("zero2.img", size: 8 << 30))))
        let created = try mkfs(scratch, ["--dry-run", "--size", "8g", "\(scratch.path)/new.img"])
        #expect(created.status == 0)
        #expect(!FileManager.default.fileExists(atPath: "\(scratch.path)/new.img"))
    }

    @Test func jsonDescribesTheNewFileSystem() throws {
        let scratch = try Scratch()
        let image = try scratch.file("zero.img", size: 8 << 30)
        let result = try mkfs(scratch, Self.referenceOptions + ["--json", image])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["fs_uuid"] as? String == "52d55102-72d2-4d63-af86-295f02d3abaf")
        #expect(object["slots"] as? Int == 15420)
        #expect((object["fsck"] as? [String: Any])?["clean"] as? Bool == true)
    }

    /// Formatting writes only the superblock and the log header: a 1 TiB image stays sparse.
    @Test func aTerabyteImageStaysSparse() throws {
        let scratch = try Scratch()
        let image = "\(scratch.path)/big.img"
        let result = try mkfs(scratch, ["--size", "1t", image])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: image)
        #expect(attributes[.size] as? UInt64 == 1 << 40)
        var info = stat()
        #expect(stat(image, &info) == 0)
        #expect(Int(info.st_blocks) * 512 <= 64 << 10, "\(Int(info.st_blocks) * 512) bytes allocated")
    }
}
