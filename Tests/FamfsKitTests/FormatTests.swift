// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Testing
@testable import FamfsKit

@Suite struct FormatTests {
    @Test func crcCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func decodesTheReferenceSuperblockAndLogHeader() throws {
        let image = try Fixture.imageBytes("ref-8g")
        try image.withUnsafeBytes { bytes in
            let superblock = try Superblock.validate(bytes).get()
            #expect(superblock.version == 48)
            #expect(superblock.crc == 0xf743_ffa9)
            #expect(superblock.fsUUID.description == "52d55102-72d2-4d63-af86-295f02d3abaf")
            #expect(superblock.deviceUUID.description == "1017374c-fae1-418d-9a12-55fd5404033f")
            #expect(superblock.systemUUID.description == Fixture.systemUUID)
            #expect(superblock.deviceSize == 8 << 30)
            #expect(superblock.deviceNameString == "/dev/dax0.0")
            #expect(superblock.encoded == Array(image[0..<Superblock.size]))

            let log = UnsafeRawBufferPointer(rebasing: bytes[0x20_0000...])
            let header = try LogHeader.validate(log, superblock: superblock).get()
            #expect(header.crc == 0xa587_5078)
            #expect(header.lastIndex == 15419)
            #expect(header.nextIndex == 9)
            #expect(header.nextSeqnum == 9)
        }
    }

    @Test func decodesEveryReferenceEntryAndReencodesItByteForByte() throws {
        let image = try Fixture.imageBytes("ref-8g")
        try image.withUnsafeBytes { bytes in
            let superblock = try Superblock.validate(bytes).get()
            let log = UnsafeRawBufferPointer(rebasing: bytes[0x20_0000...])
            let header = try LogHeader.validate(log, superblock: superblock).get()
            let scan = LogScan(log: log, header: header, superblock: superblock)
            #expect(scan.badEntries.isEmpty)
            #expect(scan.entries.count == 9)
            let crcs: [UInt64] = [0xd6db_820b, 0x191b_529e, 0x76f8_4a29, 0xfb46_0f40, 0x64c1_83c2, 0xaaae_ec54,
                                  0xcd25_0cc7, 0x1dba_c52e, 0xda1c_ef90]
            for (i, entry) in scan.entries.enumerated() {
                let start = 0x20_0000 + 48 + 544 * i
                let slot = Array(image[start..<start + 544])
                #expect(entry.encoded == slot, "entry \(i) re-encodes differently")
                #expect(slot.withUnsafeBytes { LogEntry.storedCRC($0) } == crcs[i])
            }
            guard case .file(let striped) = scan.entries[6].body,
                  case .interleaved(let chunk, let strips) = striped.extents else {
                Issue.record("entry 6 is not an interleaved file")
                return
            }
            #expect(String(decoding: striped.path, as: UTF8.self) == "dir1/striped0")
            #expect(chunk == 0x20_0000)
            #expect(strips.map(\.offset) == [0x8000_0000, 0x4000_0000, 0x1_c000_0000, 0x1_8000_0000])
            let bitmap = AllocationBitmap(superblock: superblock, scan: scan)
            #expect(bitmap.allocatedBytes == 92_274_688)
            #expect(bitmap.collisions == 0)
        }
    }

    @Test func flagsTheFlippedBitInEntry4() throws {
        let image = try Fixture.imageBytes("var-bad-entry4-crc")
        try image.withUnsafeBytes { bytes in
            let superblock = try Superblock.validate(bytes).get()
            let log = UnsafeRawBufferPointer(rebasing: bytes[0x20_0000...])
            let header = try LogHeader.validate(log, superblock: superblock).get()
            let scan = LogScan(log: log, header: header, superblock: superblock)
            #expect(scan.badEntries.map(\.index) == [4])
            #expect(scan.badEntries.first?.path == Array("File0".utf8))
            #expect(scan.badEntries.first?.problem == .badCRC(stored: 0x64c1_83c2, computed: 0x38c0_6486))
        }
    }

    /// Numbers read as upstream's strtoull(…, 0) and get_multiplier read them (1t is famctl's).
    @Test(arguments: [
        ("4096", 4096), ("3m", 3 << 20), ("8G", 8 << 30), ("1t", 1 << 40), ("010", 8), ("010m", 8 << 20), ("0x10", 16),
        ("0X1fk", 31 << 10), ("0x1g", 1 << 30), ("0", 0), ("0xab", 0xab),
    ] as [(String, UInt64)])
    func parsesSizes(text: String, value: UInt64) {
        #expect(ByteSize.parse(text) == value)
    }

    @Test(arguments: ["", "m", "3mb", "-1", "1.5g", "99999999999999999999", "16777216t", "08", "0x", "0xm", "+5", " 5", "5 ", "10x", "0b101"])
    func rejectsMalformedSizes(text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    @Test func numbersFollowCsBaseZeroGrammarAndNothingElse() {
        #expect(CNumber.parse("010") == 8)
        #expect(CNumber.parse("10") == 10)
        #expect(CNumber.parse("0x10") == 16)
        #expect(CNumber.parse("4294967295") == 4_294_967_295)
        for text in ["", "-1", "+1", "0x", "09", "1a", " 1", "0o7"] { #expect(CNumber.parse(text) == nil, "\(text)") }
    }
}

/// Manifest lines take the numbers of creat's options.
@Suite struct ManifestNumberTests {
    @Test func sizesUidsAndGidsAreReadAsOnTheCommandLine() throws {
        let manifest = try Manifest.parse("a 010k 0640 010 0x10\nb\t0x2m 4755 10 0\n", name: "m")
        #expect(manifest.lines == [
            Manifest.Line(path: Array("a".utf8), size: 8 << 10, mode: 0o640, uid: 8, gid: 16),
            Manifest.Line(path: Array("b".utf8), size: 2 << 20, mode: 0o4755, uid: 10, gid: 0),
        ])
    }

    @Test(arguments: ["a 1m 0644 08 0", "a 1m 0644 -1 0", "a 1m +644 0 0", "a 1m 0644 4294967296 0", "a 08 0644 0 0",
                      "a\u{01}b 1m"])
    func whatUpstreamWouldReadDifferentlyIsRefused(line: String) {
        #expect(throws: ManifestError.self) { try Manifest.parse(line, name: "m") }
    }
}

/// The body rules a slot must pass, each on its own, under a power-of-two allocation unit
/// (checked by mask) and under one that is not (by division; no superblock famfs accepts has
/// one, but the rules do not depend on it).
@Suite struct EntryRuleTests {
    static func geometry(unit: UInt64) -> LogEntry.Geometry {
        var superblock = Superblock()
        superblock.allocationUnit = unit
        superblock.deviceSize = 64 * unit
        return LogEntry.Geometry(superblock)
    }

    static func fileSlot(path: [UInt8], extents: FileEntry.Extents) -> [UInt8] {
        LogEntry(seqnum: 3, body: .file(FileEntry(size: 1, uid: 0, gid: 0, mode: 0o644, path: path, extents: extents))).encoded
    }

    static func problem(_ slot: [UInt8], _ geometry: LogEntry.Geometry) -> EntryProblem? {
        slot.withUnsafeBytes { slot in
            if case .failure(let problem) = LogEntry.validate(slot, index: 3, geometry: geometry) { return problem }
            return nil
        }
    }

    @Test(arguments: [0x20_0000, 0x30_0000] as [UInt64])
    func eachRuleOnItsOwn(unit: UInt64) {
        let geometry = Self.geometry(unit: unit)
        let start = (geometry.metadataEnd / unit + 1) * unit
        let good = SimpleExtent(offset: start, length: unit)
        #expect(Self.problem(Self.fileSlot(path: Array("a/b".utf8), extents: .simple([good])), geometry) == nil)
        #expect(Self.problem(Self.fileSlot(path: Array("a/b".utf8), extents: .simple([SimpleExtent(offset: start + 4096, length: unit)])), geometry)
            == .misalignedExtent(offset: start + 4096, length: unit, unit: unit))
        #expect(Self.problem(Self.fileSlot(path: Array("a/b".utf8), extents: .simple([SimpleExtent(offset: start, length: unit + 1)])), geometry)
            == .misalignedExtent(offset: start, length: unit + 1, unit: unit))
        #expect(Self.problem(Self.fileSlot(path: Array("a/b".utf8), extents: .interleaved(chunkSize: unit, strips: [good])), geometry) == nil)
        #expect(Self.problem(Self.fileSlot(path: Array("a/b".utf8), extents: .interleaved(chunkSize: unit / 2, strips: [good])), geometry)
            == .badChunkSize(unit / 2))
        #expect(Self.problem(Self.fileSlot(path: [], extents: .simple([good])), geometry) == .emptyPath)
        #expect(Self.problem(Self.fileSlot(path: Array("/a".utf8), extents: .simple([good])), geometry) == .absolutePath(Array("/a".utf8)))
        #expect(Self.problem(Self.fileSlot(path: Array(repeating: UInt8(ascii: "x"), count: 79), extents: .simple([good])), geometry) == nil)
        // 80 bytes without a NUL (the encoder would cut the path, so the field is filled in
        // place and the CRC made again).
        var unterminated = Self.fileSlot(path: Array("a".utf8), extents: .simple([good]))
        for i in 40..<120 { unterminated[i] = UInt8(ascii: "x") }
        unterminated.withUnsafeMutableBytes { $0.setU64(UInt64(LogEntry.computeCRC(UnsafeRawBufferPointer($0))), at: 536) }
        #expect(Self.problem(unterminated, geometry) == .unterminatedPath)
    }

    /// An extent marks ceil(length / unit) units from offset / unit, whatever the unit.
    @Test(arguments: [0x20_0000, 0x30_0000] as [UInt64])
    func markingCoversEveryUnitTouched(unit: UInt64) {
        var superblock = Superblock()
        superblock.allocationUnit = unit
        superblock.deviceSize = 64 * unit
        superblock.logOffset = 0
        superblock.logLength = unit
        var bitmap = AllocationBitmap(superblock: superblock)
        bitmap.mark(SimpleExtent(offset: 4 * unit, length: 2 * unit + 1))
        bitmap.mark(SimpleExtent(offset: 10 * unit + 1, length: unit))
        bitmap.mark(SimpleExtent(offset: 20 * unit, length: 0))
        #expect((0..<64).filter { bitmap.isSet($0) } == [0, 4, 5, 6, 10])
        bitmap.mark(SimpleExtent(offset: 6 * unit, length: unit))
        #expect(bitmap.collisions == 1)
    }
}
