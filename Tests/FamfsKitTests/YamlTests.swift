// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Testing
@testable import FamfsKit

@Suite struct YamlTests {
    /// The five documents of `ref-8g.shadow-yaml.txt`, by path.
    static func upstreamDocuments() throws -> [String: String] {
        var documents: [String: String] = [:]
        var current: String?
        for line in try Fixture.text("ref-8g.shadow-yaml.txt").split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("== shadow/root/") {
                current = String(line.dropFirst("== shadow/root/".count))
                documents[current!] = ""
            } else if let path = current, !(line.isEmpty && documents[path]!.hasSuffix("...\n")) {
                documents[path]! += line + "\n"
            }
        }
        return documents
    }

    static func referenceFiles() throws -> [FileEntry] {
        try Fixture.imageBytes("ref-8g").withUnsafeBytes { bytes in
            let superblock = try Superblock.validate(bytes).get()
            let log = UnsafeRawBufferPointer(rebasing: bytes[0x20_0000...])
            let scan = LogScan(log: log, header: try LogHeader.validate(log, superblock: superblock).get(), superblock: superblock)
            return scan.entries.compactMap { if case .file(let file) = $0.body { file } else { nil } }
        }
    }

    @Test func renderingMatchesUpstreamByteForByte() throws {
        let documents = try Self.upstreamDocuments()
        let files = try Self.referenceFiles()
        #expect(files.count == 5)
        #expect(documents.count == 5)
        for file in files {
            let path = String(decoding: file.path, as: UTF8.self)
            #expect(ShadowYAML.render(file) == documents[path], "\(path)")
        }
    }

    @Test func parsingReadsBackWhatWasRendered() throws {
        for file in try Self.referenceFiles() {
            #expect(try ShadowYAML.parse(ShadowYAML.render(file)) == file)
        }
        let multi = FileEntry(size: 5, uid: 1, gid: 2, mode: 0, path: Array("m".utf8), extents: .simple([
            SimpleExtent(offset: 0xa0_0000, length: 0x20_0000), SimpleExtent(offset: 0xe0_0000, length: 0x20_0000),
        ]))
        #expect(ShadowYAML.render(multi).contains("  mode: 00\n  uid: 1\n  gid: 2\n  nextents: 2\n"))
        #expect(try ShadowYAML.parse(ShadowYAML.render(multi)) == multi)
    }

    @Test(arguments: [
        ("file:\n", "line 1: expected '---'"),
        ("---\nfile:\n  path: a\n  size: x1\n", "line 4: invalid number 'x1' for size"),
        ("---\nfile:\n  path: a\n  size: 1\n  flags: 2\n  mode: 0644\n  uid: 0\n  gid: 0\n  nextents: 1\n  simple_ext_list:\n", "line 11: unexpected end"),
        ("---\nfile:\n  path: a\n  size: 1\n  flags: 2\n  mode: 0644\n  uid: 0\n  gid: 0\n  nextents: 0\n  simple_ext_list:\n...\nmore\n", "text after the end"),
    ])
    func malformedDocumentsAreReportedWithTheLine(text: String, message: String) {
        do {
            _ = try ShadowYAML.parse(text)
            Issue.record("parsed a malformed document")
        } catch {
            #expect(error.description.contains(message), "\(error)")
        }
    }
}

/// Whatever bytes a path holds, the shadow document has exactly its own keys and reads back.
@Suite struct YamlPathQuotingTests {
    static func document(_ path: [UInt8]) -> String {
        ShadowYAML.render(FileEntry(size: 2 << 20, uid: 0, gid: 0, mode: 0o644, path: path,
                                    extents: .simple([SimpleExtent(offset: 0xa0_0000, length: 0x20_0000)])))
    }

    @Test(arguments: [
        ("dir1/file1", "dir1/file1"), ("a b/c-d_e.f", "a b/c-d_e.f"), ("-x/?y:z", "-x/?y:z"), ("a#b", "a#b"),
        ("a: b", "'a: b'"), ("#x", "'#x'"), ("it's: x", "'it''s: x'"), ("- a", "'- a'"), ("x ", "'x '"), ("---x", "'---x'"),
        ("a #b", "'a #b'"), ("dir/ü", "\"dir/\\xFC\""), ("€\"\\", "\"\\u20AC\\\"\\\\\""),
        ("x\n  size: 1\n  mode: 04777", "\"x\\n  size: 1\\n  mode: 04777\""), ("t\tab\u{7f}", "\"t\\tab\\x7F\""),
    ])
    func pathsAreWrittenAsLibyamlWritesThem(path: String, written: String) throws {
        let yaml = Self.document(Array(path.utf8))
        #expect(yaml.split(separator: "\n")[2] == "  path: \(written)")
        #expect(yaml.split(separator: "\n").count == 14)
        #expect(try ShadowYAML.parse(yaml).path == Array(path.utf8))
    }

    @Test func bytesThatAreNotUTF8AreEscapedNeverWrittenRaw() throws {
        let yaml = Self.document([0x61, 0xff, 0x0a, 0x62])
        #expect(yaml.split(separator: "\n")[2] == "  path: \"a\\xFF\\nb\"")
        #expect(yaml.utf8.allSatisfy { $0 < 0x80 })
    }
}

/// `render` builds its document piece by piece; it writes exactly what the interpolating
/// renderer it replaced wrote (kept here as the oracle), for every kind of file entry.
@Suite struct YamlRenderEquivalenceTests {
    static func interpolated(_ file: FileEntry) -> String {
        func item(_ extent: SimpleExtent, _ indent: String) -> String {
            "\(indent)- devindex: \(extent.deviceIndex)\n" + "\(indent)  offset: 0x\(hex(extent.offset))\n"
                + "\(indent)  length: 0x\(hex(extent.length))\n"
        }
        var out = "---\nfile:\n"
        out += "  path: \(ShadowYAML.scalar(file.path))\n"
        out += "  size: \(file.size)\n"
        out += "  flags: \(file.flags)\n"
        out += "  mode: 0\(String(file.mode, radix: 8))\n"
        out += "  uid: \(file.uid)\n"
        out += "  gid: \(file.gid)\n"
        switch file.extents {
        case .simple(let extents):
            out += "  nextents: \(extents.count)\n"
            out += "  simple_ext_list:\n"
            for extent in extents { out += item(extent, "  ") }
        case .interleaved(let chunkSize, let strips):
            out += "  nextents: 1\n"
            out += "  striped_ext_list:\n"
            out += "  - nstrips: \(strips.count)\n"
            out += "    chunk_size: 0x\(hex(chunkSize))\n"
            out += "    simple_ext_list:\n"
            for strip in strips { out += item(strip, "    ") }
        }
        return out + "...\n"
    }

    @Test func renderWritesWhatTheInterpolatingRendererWrote() throws {
        for file in try Self.files() { #expect(ShadowYAML.render(file) == Self.interpolated(file), "\(file)") }
    }

    /// logplay renders each document from the FILE slot's bytes in place: it writes what the
    /// decoded entry renders to, for every kind of entry a slot can hold (NUL-free paths).
    @Test func renderingASlotInPlaceWritesWhatItsDecodedEntryRenders() throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ShadowYAML.longest, alignment: 16)
        defer { buffer.deallocate() }
        for var file in try Self.files() {
            file.path = file.path.map { $0 == 0 ? 1 : $0 }
            let slot = LogEntry(seqnum: 7, body: .file(file)).encoded
            let length = slot.withUnsafeBytes { ShadowYAML.render(CheckedSlot(bytes: $0), into: buffer) }
            #expect(String(decoding: buffer[0..<length], as: UTF8.self) == ShadowYAML.render(file), "\(file)")
        }
    }

    /// The reference entries, 200 random ones of both kinds (up to 16 extents, paths of 1...79
    /// bytes of any value) and the extremes.
    static func files() throws -> [FileEntry] {
        var generator = SeededGenerator(seed: 17)
        func random() -> UInt64 { generator.next() >> (generator.next() % 64) }
        var files = try YamlTests.referenceFiles()
        for i in 0..<200 {
            let extents = (0..<(1 + i % 16)).map { _ in SimpleExtent(deviceIndex: random(), offset: random(), length: random()) }
            let path = (0..<(1 + i % 79)).map { _ in UInt8(truncatingIfNeeded: generator.next()) | (i % 3 == 0 ? 0 : 0x40) & 0x7e }
            files.append(FileEntry(size: random(), flags: UInt32(truncatingIfNeeded: random()), uid: UInt32(truncatingIfNeeded: random()),
                                   gid: UInt32(truncatingIfNeeded: random()), mode: UInt32(i * 37 % 0o10000), path: path,
                                   extents: i % 2 == 0 ? .simple(extents) : .interleaved(chunkSize: random(), strips: extents)))
        }
        files.append(FileEntry(size: 0, flags: 0, uid: 0, gid: 0, mode: 0, path: [0x61], extents: .simple([])))
        files.append(FileEntry(size: .max, flags: .max, uid: .max, gid: .max, mode: .max, path: Array("a: b".utf8),
                               extents: .interleaved(chunkSize: .max, strips: [SimpleExtent(deviceIndex: .max, offset: .max, length: .max)])))
        return files
    }

    /// logplay writes every document into one buffer of `ShadowYAML.longest` bytes: the
    /// longest a valid entry makes (every number at its widest, every path byte escaped) fits,
    /// and is what the oracle writes.
    @Test func theLongestDocumentOfAValidEntryFitsLogplaysBuffer() {
        let strips = (0..<LogEntry.maxStrips).map { _ in SimpleExtent(deviceIndex: .max, offset: .max, length: .max) }
        let path = [UInt8](repeating: 0x01, count: LogEntry.maxPathLength)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ShadowYAML.longest, alignment: 16)
        defer { buffer.deallocate() }
        for extents in [FileEntry.Extents.interleaved(chunkSize: .max, strips: strips), .simple(Array(strips.prefix(LogEntry.maxSimpleExtents)))] {
            let file = FileEntry(size: .max, flags: .max, uid: .max, gid: .max, mode: .max, path: path, extents: extents)
            let length = ShadowYAML.render(file, into: buffer)
            #expect(String(decoding: buffer[0..<length], as: UTF8.self) == Self.interpolated(file))
        }
    }
}

/// The quoting rules read two facts of a path eight bytes at a time; they are what a byte by
/// byte reading finds, for paths of every length a slot holds, around every edge byte.
@Suite struct YamlPathSurveyTests {
    @Test func theWordAtATimeSurveyFindsWhatEachByteSays() {
        var generator = SeededGenerator(seed: 29)
        let edges: [UInt8] = [0x00, 0x01, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x39, 0x3a, 0x3b, 0x61, 0x7e, 0x7f, 0x80, 0x9f, 0xa0, 0xff]
        for length in 0...LogEntry.maxPathLength {
            for round in 0..<40 {
                var path = (0..<length).map { _ in UInt8(ascii: "a") + UInt8(generator.next() % 26) }
                // Most rounds plant one edge byte anywhere; some leave the path all letters.
                if length > 0, round % 8 != 0 {
                    path[Int(generator.next() % UInt64(length))] = edges[Int(generator.next() % UInt64(edges.count))]
                }
                let outside = path.contains { $0 < 0x20 || $0 > 0x7e }
                let marks = path.contains { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "#") }
                let found = path.withUnsafeBytes { ShadowYAML.survey($0) }
                #expect(found.outside == outside && found.marks == marks, "\(path)")
            }
        }
    }
}
