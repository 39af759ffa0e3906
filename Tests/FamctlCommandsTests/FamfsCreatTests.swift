// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import FamfsKit
import Foundation
import Testing

@Suite struct FamfsCreatTests {
    /// The fixture README's command sequence on empty-8g reproduces ref-8g: every entry byte
    /// for byte except the interleaved one, whose strips upstream placed at random.
    @Test func theReferenceSequenceReproducesRef8g() throws {
        let scratch = try FamfsImage()
        let image = scratch.image
        let root = ["-u", "0", "-g", "0"]
        for (command, arguments) in [
            ("mkdir", root + [image, "dir1"]),
            ("mkdir", root + ["-p", "-m", "0700", image, "dir2/sub/deeper"]),
            ("creat", root + ["-s", "4096", image, "file0"]),
            ("creat", ["-s", "3m", "-m", "0600", "-u", "1000", "-g", "1000", image, "dir1/file1"]),
            ("creat", root + ["-s", "64m", "-N", "4", "-B", "8", "-C", "2m", "--seed", "7", image, "dir1/striped0"]),
            ("creat", root + ["-s", "2m", image, "dir2/m0"]),
            ("creat", root + ["-s", "5m", image, "dir2/m1"]),
        ] {
            let result = try scratch.famfs(command, arguments)
            try #require(result.status == 0, "\(command) \(arguments): \(result.stderr)")
        }
        let reference = try FamfsImage(fixture: "ref-8g")
        #expect(try scratch.bytes(at: 0x20_0000, count: 48) == (try reference.bytes(at: 0x20_0000, count: 48)))
        for index in [0, 1, 2, 3, 4, 5, 7, 8] {
            let offset = UInt64(0x20_0030 + 544 * index)
            #expect(try scratch.bytes(at: offset, count: 544) == (try reference.bytes(at: offset, count: 544)), "entry \(index)")
        }
        let log = try CheckedLog(image: image)
        let striped = try #require(log.files.first { $0.path == Array("dir1/striped0".utf8) })
        guard case .interleaved(let chunk, let strips) = striped.extents else {
            Issue.record("dir1/striped0 is not interleaved")
            return
        }
        #expect(chunk == 2 << 20)
        #expect(strips.count == 4)
        #expect(strips.allSatisfy { $0.length == 16 << 20 })
        #expect(Set(strips.map { $0.offset >> 30 }).count == 4, "one strip per 1 GiB bucket")
    }

    @Test func theSeedMakesTheBucketOrderReproducible() throws {
        var offsets: [[UInt64]] = []
        for _ in 0..<2 {
            let scratch = try FamfsImage()
            #expect(try scratch.famfs("creat", ["-s", "64m", "-N", "4", "-B", "8", "--seed", "42", scratch.image, "s"]).status == 0)
            guard case .interleaved(_, let strips)? = try CheckedLog(image: scratch.image).files.first?.extents else {
                Issue.record("no interleaved file")
                return
            }
            offsets.append(strips.map(\.offset))
        }
        #expect(offsets[0] == offsets[1])
    }

    @Test func modeIsReducedByTheUmaskAndOwnerDefaultsToTheCaller() throws {
        let scratch = try FamfsImage()
        let result = try FamctlBinary.run([
            "famfs", "creat", "--system-uuid-file", scratch.ownerUUIDFile, "-s", "1m", "-m", "0666", scratch.image, "f",
        ])
        try #require(result.status == 0, "\(result.stderr)")
        let file = try #require(try CheckedLog(image: scratch.image).files.first)
        #expect(file.mode == 0o666 & ~UInt32(currentUmask()))
        #expect(file.uid == geteuid())
        #expect(file.gid == getegid())
    }

    @Test func anExistingFileOfTheSameSizeIsANoOpAnotherSizeIsRefused() throws {
        let scratch = try FamfsImage()
        #expect(try scratch.famfs("creat", ["-s", "3m", scratch.image, "f"]).status == 0)
        #expect(try scratch.famfs("creat", ["-s", "3m", scratch.image, "f"]).status == 0)
        let other = try scratch.famfs("creat", ["-s", "4m", scratch.image, "f"])
        #expect(other.status == 1)
        #expect(other.stderr.contains("file f exists and is not the same size"))
        #expect(try CheckedLog(image: scratch.image).header.nextIndex == 1)
    }

    @Test func aManifestCreatesEveryFileUnderOneLock() throws {
        let scratch = try FamfsImage()
        #expect(try scratch.famfs("mkdir", [scratch.image, "m"]).status == 0)
        let lines = (0..<500).map { "m/f\($0) \(4096 * ($0 % 3 + 1))" } + ["# comment", "", "m/owned 2m 0600 1000 1000"]
        let manifest = scratch.path("manifest")
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: manifest))
        let result = try scratch.famfs("creat", ["--manifest", manifest, "--no-umask", scratch.image])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "Create complete for 501 of 501 files with 0 errs\n")
        let log = try CheckedLog(image: scratch.image)
        #expect(log.files.count == 501)
        // Contiguous allocations follow each other from the first free unit.
        let expected: [UInt64] = (0..<501).map { (10 + 2 * UInt64($0)) << 20 }
        #expect(log.files.map { $0.extents.ranges[0].offset } == expected)
        #expect(log.files.last?.mode == 0o600)
        #expect(log.files.last?.uid == 1000)
    }

    @Test func aBadManifestLineAppendsNothing() throws {
        let scratch = try FamfsImage()
        let manifest = scratch.path("manifest")
        try Data("a 1m\nb 2x\n".utf8).write(to: URL(fileURLWithPath: manifest))
        let result = try scratch.famfs("creat", ["--manifest", manifest, scratch.image])
        #expect(result.status == 1)
        #expect(result.stderr.contains("manifest:2: invalid size 2x"))
        #expect(try CheckedLog(image: scratch.image).header.nextIndex == 0)
    }

    /// A manifest that cannot be read is named with the reason, and nothing is appended.
    @Test func anUnreadableManifestIsNamedWithTheReason() throws {
        let scratch = try FamfsImage()
        let binary = scratch.path("binary")
        try Data([0xff, 0xfe, 0x0a]).write(to: URL(fileURLWithPath: binary))
        for (manifest, reason) in [(scratch.path("absent"), "No such file or directory"), (binary, "not UTF-8 text")] {
            let result = try scratch.famfs("creat", ["--manifest", manifest, scratch.image])
            #expect(result.status == 3)
            #expect(result.stderr.contains("\(manifest): cannot read the manifest: \(reason)"), "\(result.stderr)")
        }
        #expect(try CheckedLog(image: scratch.image).header.nextIndex == 0)
    }

    @Test func outOfSpaceAppendsNothing() throws {
        let scratch = try FamfsImage()
        // 8 GiB minus 10 MiB of metadata: after 7 GiB, 1014 MiB are free.
        #expect(try scratch.famfs("creat", ["-s", "7g", scratch.image, "big"]).status == 0)
        let second = try scratch.famfs("creat", ["-s", "600m", scratch.image, "fits", "does-not"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("\(scratch.image): does-not: out of space: no contiguous free range for 629145600 bytes (434110464 bytes free in total)"))
        #expect(try CheckedLog(image: scratch.image).header.nextIndex == 1)
        #expect(try scratch.famfs("creat", ["-s", "1014m", scratch.image, "rest"]).status == 0)
        let full = try scratch.famfs("creat", ["-s", "1", scratch.image, "one-byte"])
        #expect(full.status == 1)
        #expect(full.stderr.contains("(0 bytes free in total)"))
        #expect(try CheckedLog(image: scratch.image).header.nextIndex == 2)
    }

    @Test(arguments: [
        (["-N", "17", "-B", "32"], "nstrips 17 exceeds 16"), (["-N", "4", "-B", "8", "-C", "3m"], "must be a power of 2"),
        (["-N", "4", "-B", "8", "-C", "1m"], "multiple of the allocation unit"), (["-N", "9", "-B", "8"], "nstrips 9 exceeds nbuckets 8"),
        (["-N", "4", "-B", "16"], "is below 1 GiB"), (["-N", "0", "-B", "8"], "at least 1"),
    ])
    func interleaveParametersAreValidatedAsUpstream(options: [String], message: String) throws {
        let scratch = try FamfsImage()
        let result = try scratch.famfs("creat", ["-s", "64m"] + options + [scratch.image, "s"])
        #expect(result.status == 1)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func eightConcurrentWritersSerialize() throws {
        let scratch = try FamfsImage()
        let statuses = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 8)
        defer { statuses.deallocate() }
        let results = UncheckedBuffer(statuses)
        let (image, owner) = (scratch.image, scratch.ownerUUIDFile)
        DispatchQueue.concurrentPerform(iterations: 8) { writer in
            let arguments = ["famfs", "creat", "--system-uuid-file", owner, "-s", "1m", image] + (0..<200).map { "w\(writer)-\($0)" }
            results.buffer[writer] = (try? FamctlBinary.run(arguments))?.status ?? -1
        }
        #expect(Array(statuses) == Array(repeating: 0, count: 8))
        let log = try CheckedLog(image: scratch.image)
        let fsck = try scratch.famfs("fsck", [scratch.image])
        #expect(fsck.status == 0)
        #expect(fsck.stdout.contains("No allocation errors found"))
        #expect(fsck.stdout.contains("\n  1600 files\n"))
        #expect(log.files.count == 1600)
        #expect(Set(log.files.map { $0.extents.ranges[0].offset }).count == 1600)
    }

    /// A writer waits for the exclusive lock another holder has on the image, then appends
    /// to what that holder left.
    @Test func aWriterWaitsForTheLock() throws {
        let scratch = try FamfsImage()
        let fd = open(scratch.image, O_RDWR)
        try #require(fd >= 0)
        #expect(flock(fd, LOCK_EX) == 0)
        let creat = try FamctlBinary.run(["famfs", "creat", "--system-uuid-file", scratch.ownerUUIDFile, "-s", "1m", scratch.image, "waited"]) { process throws in
            Thread.sleep(forTimeInterval: 0.5)
            #expect(process.isRunning)
            #expect(try scratch.bytes(at: 0x20_0028, count: 1) == [0])
            #expect(flock(fd, LOCK_UN) == 0)
            close(fd)
        }
        #expect(creat.status == 0)
        #expect(try CheckedLog(image: scratch.image).files.map(\.path) == [Array("waited".utf8)])
    }

    /// A writer killed after each step of the append leaves a clean log holding all of the
    /// batch or none of it, and the next append works.
    @Test(arguments: 1...6)
    func aWriterKilledAtAnyStepLeavesACleanLog(step: Int) throws {
        let scratch = try FamfsImage()
        #expect(try scratch.famfs("creat", ["-s", "2m", scratch.image, "before"]).status == 0)
        let killed = try scratch.famfs(
            "creat", ["-s", "2m", scratch.image, "a", "b", "c"], environment: ["FAMCTL_TEST_CRASH_AT_STEP": "\(step)"])
        #expect(killed.status == 86)
        let log = try CheckedLog(image: scratch.image)
        #expect(try scratch.famfs("fsck", [scratch.image]).status == 0)
        // Steps: 3 entries written, entries flushed, header advanced, header flushed.
        let committed = step >= 5
        #expect(log.files.map { String(decoding: $0.path, as: UTF8.self) } == (committed ? ["before", "a", "b", "c"] : ["before"]))
        #expect(try scratch.famfs("creat", ["-s", "2m", scratch.image, "a", "after"]).status == 0)
        let after = try CheckedLog(image: scratch.image)
        #expect(after.files.count == (committed ? 5 : 3))
    }
}

private func currentUmask() -> mode_t {
    let mask = umask(0)
    umask(mask)
    return mask
}

/// Lets concurrent workers each fill their own element of one buffer.
private struct UncheckedBuffer: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Int32>
    init(_ buffer: UnsafeMutableBufferPointer<Int32>) { self.buffer = buffer }
}
