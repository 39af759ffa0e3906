// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing

/// `famctl famfs fsck` as a user runs it: upstream's report, verdicts, exit codes, and a
/// target that is never changed.
@Suite struct FamfsFsckCommandTests {
    func fsck(_ scratch: Scratch, _ arguments: [String]) throws -> ProcessResult {
        try FamctlBinary.run(["famfs", "fsck", "--system-uuid-file", scratch.systemUUIDFile, "--mount-table", "/nonexistent"]
                             + arguments)
    }

    @Test(arguments: ["ref-8g", "empty-8g"])
    func cleanFixturesPrintUpstreamsReportAndExitZero(name: String) throws {
        let scratch = try Scratch()
        let image = try scratch.file("\(name).img", try Fixture.image(name))
        let before = try Scratch.digest(image)
        let result = try fsck(scratch, [image])
        #expect(result.status == 0)
        #expect(result.stdout == (try Fixture.report("\(name).fsck.txt")))
        #expect(result.stderr.contains("note: \(image) holds only the metadata"))
        #expect(try Scratch.digest(image) == before)
    }

    @Test func aBadEntryIsOneLineThenTheReportAndExitTwo() throws {
        let scratch = try Scratch()
        let image = try scratch.file("bad4.img", try Fixture.image("var-bad-entry4-crc"), size: 8 << 30)
        let result = try fsck(scratch, [image])
        #expect(result.status == 2)
        let problems = result.stderr.split(separator: "\n").filter { !$0.contains("note:") }
        #expect(problems == ["famctl: fsck: log entry 4, path File0: bad crc (stored 0x64c183c2, computed 0x38c06486)"])
        #expect(result.stdout == (try Fixture.report("var-bad-entry4-crc.fsck.txt")))
    }

    @Test func aBadSuperblockCRCIsExitOneWithoutAReport() throws {
        let scratch = try Scratch()
        let image = try scratch.file("badsb.img", try Fixture.image("var-bad-sb-crc"))
        let result = try fsck(scratch, [image])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "famctl: fsck: \(image): invalid superblock: crc mismatch in superblock (stored 0xf743ffa8, computed 0xf743ffa9)\n")
    }

    @Test func unreadableTargetsAreExitThree() throws {
        let scratch = try Scratch()
        let missing = try fsck(scratch, ["\(scratch.path)/missing.img"])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("missing.img: no such file or device"))
        let directory = try fsck(scratch, [scratch.path])
        #expect(directory.status == 3)
        #expect(directory.stderr.contains("is a directory"))
    }

    @Test func garbageAndTruncatedImagesAreInvalidMetadata() throws {
        let scratch = try Scratch()
        let tiny = try scratch.file("tiny.img", Data(repeating: 7, count: 100))
        let result = try fsck(scratch, [tiny])
        #expect(result.status == 1)
        #expect(result.stderr.contains("truncated: 100 bytes, too short to hold a superblock"))

        let urandom = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        let noise = try scratch.file("noise.img", try #require(try urandom.read(upToCount: 10 << 20)))
        let noisy = try fsck(scratch, [noise])
        #expect(noisy.status == 1)
        #expect(noisy.stderr.contains("no famfs superblock"))

        let cut = try scratch.file("cut.img", try Fixture.image("ref-8g").prefix(3 << 20))
        let truncated = try fsck(scratch, [cut])
        #expect(truncated.status == 1)
        #expect(truncated.stderr.contains("too short to hold the log"))
    }

    @Test func usageErrorsAreExit64AndHIsHelp() throws {
        let scratch = try Scratch()
        let image = try scratch.file("ref.img", try Fixture.image("ref-8g"))
        #expect(try fsck(scratch, ["-B", "0", image]).status == 64)
        #expect(try fsck(scratch, ["--bogus", image]).status == 64)
        #expect(try fsck(scratch, []).status == 64)
        let help = try fsck(scratch, ["-h"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Exit status: 0 clean; 1 invalid superblock or log header"))
        #expect(help.stdout.contains("-u, --human"))
    }

    /// Upstream's `famfs fsck -h IMAGE` means human sizes; here it must not exit 0 unchecked.
    @Test(arguments: [["-h"], ["-uh"], ["-v", "-h"]])
    func hWithATargetIsAUsageErrorNamingHuman(options: [String]) throws {
        let scratch = try Scratch()
        let image = try scratch.file("bad.img", try Fixture.image("var-bad-entry4-crc"))
        let result = try fsck(scratch, options + [image])
        #expect(result.status == 64)
        #expect(result.stderr.contains("-h is help, not human-readable sizes (upstream's famfs fsck -h): use -u/--human"))
        #expect(result.stdout.isEmpty)
    }

    @Test func humanVerboseAndBucketsFollowTheReport() throws {
        let scratch = try Scratch()
        let image = try scratch.file("ref.img", try Fixture.image("ref-8g"))
        let result = try fsck(scratch, ["-u", "-v", "-B", "8", image])
        #expect(result.status == 0)
        #expect(result.stdout.contains("  Allocated space:        0.09G\n"))
        #expect(result.stdout.contains("Stripe bucket info:\n  Wasted overhang: 0 bytes (0 au)\n"))
        #expect(result.stdout.contains("  usable log size:   8388528\n"))
    }

    @Test func jsonHasTheSameFactsAndTheVerdict() throws {
        let scratch = try Scratch()
        let image = try scratch.file("bad4.img", try Fixture.image("var-bad-entry4-crc"))
        let result = try fsck(scratch, ["--json", image])
        #expect(result.status == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["exit_status"] as? Int == 2)
        #expect((object["log"] as? [String: Any])?["files"] as? Int == 4)
        #expect((object["allocation"] as? [String: Any])?["file_size_sum"] as? Int == 77_594_624)
        #expect((object["problems"] as? [[String: Any]])?.first?["path"] as? String == "File0")

        let bad = try scratch.file("badsb.img", try Fixture.image("var-bad-sb-crc"))
        let failed = try fsck(scratch, ["--json", bad])
        #expect(failed.status == 1)
        let error = try #require(try JSONSerialization.jsonObject(with: Data(failed.stdout.utf8)) as? [String: Any])
        #expect((error["error"] as? String)?.contains("crc mismatch in superblock") == true)
    }

    /// A missing system UUID file means role Client; fsck never creates it.
    @Test func aMissingSystemUUIDFileMeansClientAndIsNotCreated() throws {
        let scratch = try Scratch()
        let image = try scratch.file("ref.img", try Fixture.image("ref-8g"))
        let missing = "\(scratch.path)/opt/famfs/system_uuid"
        let result = try FamctlBinary.run(["famfs", "fsck", "--system-uuid-file", missing, "--mount-table", "/nonexistent", image])
        #expect(result.status == 0)
        #expect(result.stdout.contains("  role of this node: Client\n"))
        #expect(!FileManager.default.fileExists(atPath: missing))
        #expect(!FileManager.default.fileExists(atPath: "\(scratch.path)/opt"))
    }

    @Test func aPathInsideAMountedFamfsReadsItsMetaFiles() throws {
        let scratch = try Scratch()
        let image = try Fixture.image("ref-8g")
        try FileManager.default.createDirectory(atPath: "\(scratch.path)/mnt/.meta", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(scratch.path)/mnt/dir1", withIntermediateDirectories: true)
        _ = try scratch.file("mnt/.meta/.superblock", image.prefix(2 << 20))
        _ = try scratch.file("mnt/.meta/.log", image.dropFirst(2 << 20))
        let mounts = try scratch.file("mounts", Data("/dev/dax0.0 \(scratch.path)/mnt famfs rw 0 0\n".utf8))
        let result = try FamctlBinary.run(["famfs", "fsck", "--system-uuid-file", scratch.systemUUIDFile,
                                           "--mount-table", mounts, "\(scratch.path)/mnt/dir1"])
        #expect(result.status == 0)
        #expect(result.stdout == (try Fixture.report("ref-8g.fsck.txt")))
    }

    /// fsck takes a shared flock before it validates, so it never reads a log that a famctl
    /// appender (holding the exclusive lock) is halfway through.
    @Test func waitsForAnAppendersExclusiveLock() throws {
        let scratch = try Scratch()
        let image = try scratch.file("ref.img", try Fixture.image("ref-8g"))
        let fd = open(image, O_RDWR)
        #expect(fd >= 0)
        #expect(flock(fd, LOCK_EX) == 0)
        let fsck = try FamctlBinary.run(["famfs", "fsck", "--mount-table", "/nonexistent", image]) { process in
            Thread.sleep(forTimeInterval: 0.5)
            #expect(process.isRunning, "fsck did not wait for the lock")
            close(fd)
        }
        #expect(fsck.status == 0)
    }

    /// /dev/null (char 1:3) stands in for dax0.0 bound to kmem: fsck cannot read a device in
    /// system-ram mode and says which mode it is in.
    @Test func aDaxDeviceInSystemRamModeCannotBeRead() throws {
        let scratch = try Scratch()
        let sysfs = try scratch.nullAsDaxDevice(driver: "kmem")
        let result = try fsck(scratch, ["--sysfs-root", sysfs, "/dev/null"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("dax0.0 is in system-ram mode; switch it to devdax"))
        #expect(result.stdout.isEmpty)
    }
}
