// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing
@testable import FamfsKit

/// fsck against upstream's captures: every number and every column of the report.
@Suite struct FsckReportTests {
    static let owner = FamfsUUID(Fixture.systemUUID)

    /// The capture from `Famfs Superblock:` on, without the `exit=` line of the capture.
    static func upstreamReport(_ name: String) throws -> String {
        let text = try Fixture.text(name)
        let start = try #require(text.range(of: "Famfs Superblock:"))
        return text[start.lowerBound...].split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("exit=") }.joined(separator: "\n")
    }

    static func check(_ image: [UInt8], nbuckets: Int? = nil, systemUUID: FamfsUUID? = owner) throws -> FsckReport {
        try image.withUnsafeBytes { bytes in
            let superblock = try Superblock.validate(bytes).get()
            let log = UnsafeRawBufferPointer(rebasing: bytes[0x20_0000..<0x20_0000 + Int(superblock.logLength)])
            let header = try LogHeader.validate(log, superblock: superblock).get()
            return FsckChecker.check(superblock: superblock, header: header, log: log, systemUUID: systemUUID,
                                     nbuckets: nbuckets)
        }
    }

    @Test(arguments: ["ref-8g", "empty-8g", "var-bad-entry4-crc"])
    func reportEqualsUpstreamsFromTheSuperblockLineOn(name: String) throws {
        let report = try Self.check(try Fixture.imageBytes(name))
        #expect(report.text() == (try Self.upstreamReport("\(name).fsck.txt")))
    }

    @Test func humanAndVerboseMatchUpstreamExceptTheTwoFixedSlips() throws {
        let report = try Self.check(try Fixture.imageBytes("ref-8g"))
        let expected = try Self.upstreamReport("ref-8g.fsck-human-verbose.txt")
            .replacingOccurrences(of: "usable log size:   8387984", with: "usable log size:   8388528")
            .replacingOccurrences(of: "sizeof(famfs_simple_ext[16]): 24", with: "sizeof(famfs_simple_ext): 24")
        #expect(report.text(human: true) + report.verboseText == expected)
        #expect(report.usableLogSize == 48 + 544 * 15420)
    }

    @Test func referenceTotals() throws {
        let report = try Self.check(try Fixture.imageBytes("ref-8g"))
        #expect(report.isClean)
        #expect((report.files, report.directories) == (5, 4))
        #expect(report.fileSizeSum == 77_598_720)
        #expect(report.allocatedBytes == 92_274_688)
        #expect(report.freeBytes == 8_497_659_904)
        #expect(report.role == .owner)
        #expect(try Self.check(try Fixture.imageBytes("ref-8g"), systemUUID: nil).role == .client)
    }

    @Test func theFlippedEntryIsOneProblemNamingIndexPathAndCRC() throws {
        let report = try Self.check(try Fixture.imageBytes("var-bad-entry4-crc"))
        #expect(!report.isClean)
        #expect(report.badEntryCount == 1)
        #expect(report.problems.map(\.description) == [
            "log entry 4, path File0: bad crc (stored 0x64c183c2, computed 0x38c06486)",
        ])
        #expect((report.files, report.fileSizeSum, report.allocatedBytes) == (4, 77_594_624, 90_177_536))
    }

    /// A file's extent logged twice: upstream's collision layout (no Capacity block), and
    /// the entry named.
    @Test func collisionsOmitTheCapacityBlockAndNameTheEntry() throws {
        var image = try Fixture.imageBytes("ref-8g")
        let report = try Self.check(try Self.appending(copyOf: 7, to: &image))
        #expect(report.collisions == 1)
        #expect(report.problems.map(\.description) == [
            "log entry 9, path dir2/m0: allocation collision: 1 allocation units already in use",
        ])
        let text = report.text()
        #expect(!text.contains("Capacity:"))
        #expect(text.contains("""
            Log stats:
              # of log entries in use: 10 of 15420
              Log size in use:          5488
              Log size (total bytes)    8388608
            ERROR: 1 ALLOCATION COLLISIONS FOUND
            Famfs log:
              10 of 15420 entries used
              0 bad log entries detected
              6 files
              4 directories


            """))
    }

    /// Appends a copy of entry `index` as the next entry (valid CRC and seqnum).
    static func appending(copyOf index: Int, to image: inout [UInt8]) throws -> [UInt8] {
        try image.withUnsafeMutableBytes { bytes in
            let log = UnsafeMutableRawBufferPointer(rebasing: bytes[0x20_0000...])
            var header = LogHeader(decoding: UnsafeRawBufferPointer(log))
            var entry = try LogEntry.validate(SlotRun(log: UnsafeRawBufferPointer(log), indexes: index..<index + 1).slot(index),
                                              index: UInt64(index), geometry: .init(Superblock(decoding: UnsafeRawBufferPointer(bytes)))).get()
            entry.seqnum = header.nextIndex
            let start = 48 + 544 * Int(header.nextIndex)
            entry.encode(into: UnsafeMutableRawBufferPointer(rebasing: log[start..<start + 544]))
            header.nextIndex += 1
            header.nextSeqnum += 1
            header.encode(into: log)
        }
        return image
    }

    /// Upstream double-counted "In use", never set "Smallest frag" and printed dd_size mod n
    /// as overhang; these are the corrected values for ref-8g.
    @Test func bucketStatisticsAreCorrected() throws {
        let eight = try #require(try Self.check(try Fixture.imageBytes("ref-8g"), nbuckets: 8).buckets)
        #expect(eight.overhangUnits == 0)
        #expect(eight.buckets.count == 8)
        // Bucket 0: 5 reserved units + file0 (1) + file1 (2) + m0 (1) + m1 (3).
        let used: UInt64 = 12 << 21
        let free: UInt64 = (1 << 30) - used
        let expected = BucketStatistics.Bucket(sizeBytes: 1 << 30, usedBytes: used, freeFragments: 1,
                                               largestFragmentBytes: free, smallestFragmentBytes: free)
        #expect(eight.buckets[0] == expected)
        // Buckets 1, 2, 6, 7 each start with one 16 MiB strip; 3, 4, 5 are empty.
        for b in [1, 2, 6, 7] { #expect(eight.buckets[b].usedBytes == 16 << 20) }
        for b in [3, 4, 5] { #expect(eight.buckets[b].usedBytes == 0 && eight.buckets[b].freeFragments == 1) }
        #expect(eight.text.hasPrefix("Stripe bucket info:\n  Wasted overhang: 0 bytes (0 au)\n  Bitmap range 0\n    Size:   1073741824\n    In use: 25165824\n    Free:   1048576000\n"))

        let three = try #require(try Self.check(try Fixture.imageBytes("ref-8g"), nbuckets: 3).buckets)
        #expect(three.overhangUnits == 4096 - 3 * 1365)
        #expect(three.overhangBytes == 2 << 20)
        // Bucket 0 holds the metadata, the small files, and the strips at 1 GiB and 2 GiB:
        // free runs between them.
        #expect(three.buckets[0].freeFragments == 3)
        #expect(three.buckets[0].smallestFragmentBytes > 0)
    }

    @Test func jsonCarriesTheSameFacts() throws {
        let report = try Self.check(try Fixture.imageBytes("var-bad-entry4-crc"))
        let text = report.json(target: "img", exitStatus: 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["clean"] as? Bool == false)
        #expect(object["exit_status"] as? Int == 2)
        let log = try #require(object["log"] as? [String: Any])
        #expect(log["bad_entries"] as? Int == 1)
        #expect(log["files"] as? Int == 4)
        let allocation = try #require(object["allocation"] as? [String: Any])
        #expect(allocation["allocated_bytes"] as? Int == 90_177_536)
        #expect(allocation["space_amplification"] as? Double == 1.16)
        let problems = try #require(object["problems"] as? [[String: Any]])
        #expect(problems.count == 1)
        #expect(problems.first?["index"] as? Int == 4)
        #expect(problems.first?["path"] as? String == "File0")
        let empty = try Self.check(try Fixture.imageBytes("empty-8g")).json(target: "e", exitStatus: 0)
        let emptyObject = try #require(try JSONSerialization.jsonObject(with: Data(empty.utf8)) as? [String: Any])
        #expect((emptyObject["allocation"] as? [String: Any])?["space_amplification"] is NSNull)
    }

    /// Garbage where the entries should be: every slot bad, never a trap.
    @Test func survivesRandomSlotsWithAHugeNextIndex() throws {
        var image = try Fixture.imageBytes("empty-8g")
        var generator = SystemRandomNumberGenerator()
        for i in 0x20_0030..<image.count { image[i] = UInt8.random(in: 0...255, using: &generator) }
        image.withUnsafeMutableBytes { bytes in
            let log = UnsafeMutableRawBufferPointer(rebasing: bytes[0x20_0000...])
            log.setU64(15420, at: LogHeader.nextIndexOffset)
            log.setU64(15420, at: LogHeader.nextSeqnumOffset)
        }
        let report = try Self.check(image)
        #expect(report.badEntryCount == 15420)
        #expect(report.problems.count == 15420)
        #expect(report.files == 0)
    }

    /// dd_size is not covered by the CRC: a corrupt one is refused by validation rather
    /// than sizing a bitmap for exabytes (found by the fuzzer).
    @Test func anAbsurdDeviceSizeIsAnInvalidSuperblock() throws {
        var image = try Fixture.imageBytes("ref-8g")
        image.withUnsafeMutableBytes { $0.setU64(1 << 62, at: 112) }
        let result = image.withUnsafeBytes { Superblock.validate($0) }
        #expect(result == .failure(.deviceTooLarge(deviceSize: 1 << 62, allocationUnit: 2 << 20)))
        image.withUnsafeMutableBytes { $0.setU64(Famfs.maximumAllocationUnits * (2 << 20), at: 112) }
        #expect((try? image.withUnsafeBytes { try Superblock.validate($0).get() }) != nil)
    }

    /// A log spanning several windows, one bad slot on a window boundary and one collision:
    /// the windowed scan of a volume (each window mapped on its own) and the in-memory scan
    /// agree entry for entry.
    @Test func windowedVolumeScanEqualsTheInMemoryScan() throws {
        var image = try Fixture.imageBytes("empty-8g")
        let window = LogWindows.windowSlots(logSlots: 15420)
        #expect(window == 2 * SlotKind.chunkSlots)
        #expect(LogWindows.windowSlots(logSlots: 493_447) == 8 * SlotKind.chunkSlots)
        let count = 3 * window + 17
        image.withUnsafeMutableBytes { bytes in
            let log = UnsafeMutableRawBufferPointer(rebasing: bytes[0x20_0000...])
            for i in 0..<count {
                let path = Array("f\(i)".utf8)
                // Every file gets its own unit after the log, except the last, which reuses
                // the first one's.
                let unit = UInt64(i == count - 1 ? 0 : i / 2)
                let body: LogEntry.Body = i % 2 == 1
                    ? .directory(DirectoryEntry(uid: 0, gid: 0, mode: 0o755, path: path))
                    : .file(FileEntry(size: 4096, uid: 0, gid: 0, mode: 0o644, path: path,
                                      extents: .simple([SimpleExtent(offset: (10 << 20) + unit * (2 << 20), length: 2 << 20)])))
                let start = 48 + 544 * i
                LogEntry(seqnum: UInt64(i), body: body).encode(into: UnsafeMutableRawBufferPointer(rebasing: log[start..<start + 544]))
            }
            log[48 + 544 * window + 100] ^= 1
            var header = LogHeader(decoding: UnsafeRawBufferPointer(log))
            header.nextIndex = UInt64(count)
            header.nextSeqnum = UInt64(count)
            header.encode(into: log)
        }
        let inMemory = try Self.check(image, nbuckets: 4)
        #expect(inMemory.badEntryCount == 1)
        #expect(inMemory.problems.first?.index == UInt64(window))
        #expect(inMemory.collisions == 1)

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-windows-\(UUID().uuidString).img").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(image).write(to: URL(fileURLWithPath: path))
        let volume = try VolumeOpener(mountTablePath: "/nonexistent").open(path)
        let windowed = try FsckChecker.check(volume, systemUUID: Self.owner, nbuckets: 4)
        #expect(windowed == inMemory)
    }
}
