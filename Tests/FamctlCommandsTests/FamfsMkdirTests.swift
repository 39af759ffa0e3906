// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing

@Suite struct FamfsMkdirTests {
    @Test func logsTheReferenceDirectoriesByteForByte() throws {
        let scratch = try FamfsImage()
        #expect(try scratch.famfs("mkdir", ["-u", "0", "-g", "0", scratch.image, "dir1"]).status == 0)
        #expect(try scratch.famfs("mkdir", ["-p", "-m", "0700", "-u", "0", "-g", "0", scratch.image, "dir2/sub/deeper"]).status == 0)
        let reference = try FamfsImage(fixture: "ref-8g")
        // Header counters and entries 0-3 (the four MKDIRs) equal ref-8g's.
        let entries = try scratch.bytes(at: 0x20_0030, count: 4 * 544)
        #expect(entries == (try reference.bytes(at: 0x20_0030, count: 4 * 544)))
        #expect(try scratch.bytes(at: 0x20_0020, count: 16) == [4, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func existingDirectoryIsAnErrorWithoutParentsAndANoOpWithIt() throws {
        let scratch = try FamfsImage()
        #expect(try scratch.famfs("mkdir", [scratch.image, "a"]).status == 0)
        let again = try scratch.famfs("mkdir", [scratch.image, "a"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("a: already exists as a directory"))
        #expect(try scratch.famfs("mkdir", ["-p", scratch.image, "a"]).status == 0)
        #expect(try scratch.famfs("mkdir", ["-p", scratch.image, "a/b"]).status == 0)
        #expect(try scratch.bytes(at: 0x20_0028, count: 1) == [2])
    }

    @Test func missingParentIsRefusedWithoutParents() throws {
        let scratch = try FamfsImage()
        let result = try scratch.famfs("mkdir", [scratch.image, "x/y"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("x/y: parent directory x does not exist"))
        #expect(try scratch.bytes(at: 0x20_0028, count: 1) == [0])
    }

    @Test(arguments: [
        ("/abs", "no leading /"), ("a//b", "empty component"), ("a/../b", ". or .. components"), ("./a", ". or .. components"),
        ("a/", "must not end with /"), ("", "empty path"), (String(repeating: "x", count: 80), "at most 79 bytes"),
    ])
    func badPathsAreUsageErrorsThatWriteNothing(path: String, message: String) throws {
        let scratch = try FamfsImage()
        let result = try scratch.famfs("mkdir", [scratch.image, "ok", path])
        #expect(result.status == 64)
        #expect(result.stderr.contains(message))
        #expect(try scratch.bytes(at: 0x20_0028, count: 1) == [0])
    }

    @Test func aPathOf79BytesFits() throws {
        let scratch = try FamfsImage()
        #expect(try scratch.famfs("mkdir", [scratch.image, String(repeating: "x", count: 79)]).status == 0)
    }

    @Test func anotherHostIsRefusedWithBothUUIDs() throws {
        let scratch = try FamfsImage()
        let result = try scratch.famfs("mkdir", [scratch.image, "a"], uuidFile: scratch.strangerUUIDFile)
        #expect(result.status == 1)
        #expect(result.stderr.contains(Fixture.systemUUID))
        #expect(result.stderr.contains(FamfsImage.strangerUUID))
        let missing = try scratch.famfs("mkdir", [scratch.image, "a"], uuidFile: scratch.path("none"))
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("this host has none"))
        #expect(try scratch.bytes(at: 0x20_0028, count: 1) == [0])
    }

    @Test func aFullLogAcceptsExactly15420EntriesThenFailsCleanly() throws {
        let scratch = try FamfsImage()
        // In commands of 1,000 paths: argument-parser's cost grows with the square of the count.
        for start in stride(from: 0, to: 15419, by: 1000) {
            let paths = (start..<min(start + 1000, 15419)).map { "d\($0)" }
            #expect(try scratch.famfs("mkdir", [scratch.image] + paths).status == 0)
        }
        // Two more do not fit: nothing is appended.
        let two = try scratch.famfs("mkdir", [scratch.image, "y", "z"])
        #expect(two.status == 1)
        #expect(two.stderr.contains("\(scratch.image): log full: 2 entries needed, 1 free (15419 of 15420 entries used)"))
        #expect(try scratch.famfs("mkdir", [scratch.image, "last"]).status == 0)
        let full = try scratch.famfs("mkdir", [scratch.image, "more"])
        #expect(full.status == 1)
        #expect(full.stderr == "famctl: \(scratch.image): log full (15420 of 15420 entries used)\n")
        let header = try scratch.bytes(at: 0x20_0020, count: 16)
        #expect(header == [0x3c, 0x3c, 0, 0, 0, 0, 0, 0, 0x3c, 0x3c, 0, 0, 0, 0, 0, 0])
        // The last slot holds "last"; the tail after it is untouched.
        let lastSlot = 0x20_0030 + 544 * 15419
        #expect(try scratch.bytes(at: UInt64(lastSlot + 28), count: 5) == Array("last\0".utf8))
        #expect(try scratch.bytes(at: UInt64(lastSlot + 544), count: 0x20_0000 + 0x80_0000 - lastSlot - 544).allSatisfy { $0 == 0 })
    }
}
