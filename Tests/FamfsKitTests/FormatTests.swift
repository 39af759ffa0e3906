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
