// SPDX-License-Identifier: Apache-2.0
/// The shadow file famfs's FUSE daemon reads for each file (section 15.3 of the format spec):
/// one YAML document in upstream's fixed key order and layout, emitted directly. `parse`
/// reads exactly this layout back (what `--shadowtest` needs), not YAML in general.
///
/// The path is the only value not made by famctl: it is written as libyaml writes a scalar
/// asked for in plain style (what upstream does, libyaml's default ASCII output): plain when
/// YAML reads it back unchanged, else quoted, so no path can end its value and start a key.
public enum ShadowYAML {
    public static func render(_ file: FileEntry) -> String {
        String(unsafeUninitializedCapacity: capacity(file)) { render(file, into: UnsafeMutableRawBufferPointer($0)) }
    }

    /// Room the document of `file` may take: its fixed text, every number at its longest, and
    /// the path at its longest quoted (an escape is at most 4 bytes per byte of the path).
    private static func capacity(_ file: FileEntry) -> Int {
        capacity(extents: file.extents.ranges.count, path: file.path.count)
    }

    private static func capacity(extents: Int, path: Int) -> Int { 384 + 192 * extents + 4 * path }

    /// The room a document of a valid log entry takes at most.
    static let longest = capacity(extents: max(LogEntry.maxSimpleExtents, LogEntry.maxStrips), path: LogEntry.maxPathLength)

    /// Writes the document at `out` (`capacity(file)` bytes, at most `longest` for an entry
    /// read from a log) and returns its length.
    static func render(_ file: FileEntry, into out: UnsafeMutableRawBufferPointer) -> Int {
        let (chunkSize, extents): (UInt64?, [SimpleExtent])
        switch file.extents {
        case .simple(let simple): (chunkSize, extents) = (nil, simple)
        case .interleaved(let size, let strips): (chunkSize, extents) = (size, strips)
        }
        return file.path.withUnsafeBytes { path in
            render(path: path, size: file.size, flags: file.flags, mode: file.mode, uid: file.uid, gid: file.gid,
                   chunkSize: chunkSize, extents: extents, into: out)
        }
    }

    /// The document of a FILE slot, written from its bytes in place (at most `longest`):
    /// what logplay --shadow writes for every file, with no entry decoded into arrays.
    static func render(_ slot: CheckedSlot, into out: UnsafeMutableRawBufferPointer) -> Int {
        render(path: slot.pathBytes, size: slot.fileSize, flags: slot.flags, mode: slot.mode, uid: slot.uid, gid: slot.gid,
               chunkSize: slot.chunkSize, extents: slot.extents, into: out)
    }

    /// The one renderer of both: `chunkSize` nil for simple extents, else the interleaved
    /// extent's, whose strips `extents` are. Bytes written in place, digits and all, into
    /// memory logplay reuses for every file: building it from strings cost most of a full
    /// log's --shadow replay.
    @inline(__always)
    private static func render(
        path: UnsafeRawBufferPointer, size: UInt64, flags: UInt32, mode: UInt32, uid: UInt32, gid: UInt32, chunkSize: UInt64?,
        extents: some RandomAccessCollection<SimpleExtent>, into out: UnsafeMutableRawBufferPointer
    ) -> Int {
        var out = Writer(buffer: out, room: capacity(extents: extents.count, path: path.count))
        out.text("---\nfile:\n  path: ")
        scalar(path, into: &out)
        out.byte(UInt8(ascii: "\n"))
        out.line("  size: ", size)
        out.line("  flags: ", UInt64(flags))
        out.line("  mode: 0", UInt64(mode), radix: 8)
        out.line("  uid: ", UInt64(uid))
        out.line("  gid: ", UInt64(gid))
        if let chunkSize {
            out.text("  nextents: 1\n  striped_ext_list:\n")
            out.line("  - nstrips: ", UInt64(extents.count))
            out.line("    chunk_size: 0x", chunkSize, radix: 16)
            out.text("    simple_ext_list:\n")
            out.list(extents, indent: "    ")
        } else {
            out.line("  nextents: ", UInt64(extents.count))
            out.text("  simple_ext_list:\n")
            out.list(extents, indent: "  ")
        }
        out.text("...\n")
        return out.count
    }

    /// Appends to memory sized by `capacity`. A writer is made for a document whose `room`
    /// (`capacity`: every number at its longest, every path byte escaped) the memory must
    /// hold, or the program stops; what it writes then stays inside by construction, which
    /// the test builds check at every write (a --shadow replay makes some thirty per file).
    private struct Writer {
        let start: UnsafeMutableRawPointer
        let end: UnsafeMutableRawPointer
        var cursor: UnsafeMutableRawPointer

        init(buffer: UnsafeMutableRawBufferPointer, room: Int) {
            precondition(room <= buffer.count, "shadow yaml longer than its capacity")
            // Safe: the buffers are allocated, never empty placeholders.
            start = buffer.baseAddress!
            end = start + room
            cursor = start
        }

        var count: Int { start.distance(to: cursor) }

        /// The next `length` bytes, counted as written.
        @inline(__always)
        private mutating func claim(_ length: Int) -> UnsafeMutableRawPointer {
            assert(length <= cursor.distance(to: end), "shadow yaml longer than its capacity")
            defer { cursor += length }
            return cursor
        }

        @inline(__always)
        mutating func byte(_ byte: UInt8) {
            claim(1).storeBytes(of: byte, as: UInt8.self)
        }

        @inline(__always)
        mutating func bytes(_ bytes: UnsafeRawBufferPointer) {
            guard let source = bytes.baseAddress else { return }
            claim(bytes.count).copyMemory(from: source, byteCount: bytes.count)
        }

        @inline(__always)
        mutating func bytes(_ bytes: some Collection<UInt8>) {
            UnsafeMutableRawBufferPointer(start: claim(bytes.count), count: bytes.count).copyBytes(from: bytes)
        }

        @inline(__always)
        mutating func text(_ text: StaticString) {
            claim(text.utf8CodeUnitCount).copyMemory(from: text.utf8Start, byteCount: text.utf8CodeUnitCount)
        }

        /// `value` in decimal.
        @inline(__always)
        mutating func decimal(_ value: UInt64) {
            // Most values (owners, flags, extent counts, device indexes) are one digit.
            guard value >= 10 else { return byte(UInt8(truncatingIfNeeded: value) &+ UInt8(ascii: "0")) }
            var length = 2
            var rest = value / 100
            while rest != 0 {
                rest /= 10
                length &+= 1
            }
            let digits = claim(length)
            rest = value
            var i = length
            while i > 0 {
                i &-= 1
                digits.storeBytes(of: UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0"), toByteOffset: i, as: UInt8.self)
                rest /= 10
            }
        }

        /// `value` in lower-case hex: sixteen digits made at once in two words (each nibble
        /// spread to a byte, then turned into its character) from the value shifted so that
        /// its significant digits come first, and stored whole (sixteen bytes claimed, a
        /// constant-size store), of which the significant ones are counted.
        @inline(__always)
        mutating func hex(_ value: UInt64) {
            func spread(_ half: UInt64) -> UInt64 {
                var x = half
                x = (x | x << 16) & 0x0000_ffff_0000_ffff
                x = (x | x << 8) & 0x00ff_00ff_00ff_00ff
                x = (x | x << 4) & 0x0f0f_0f0f_0f0f_0f0f
                // 0x30 + nibble, and 0x27 more (0x61 - 0x3a) for a nibble above 9.
                let letters = ((x &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
                return (x &+ 0x3030_3030_3030_3030 &+ letters &* 0x27).byteSwapped
            }
            let length = max(1, (64 - value.leadingZeroBitCount + 3) / 4)
            let first = value << (4 * (16 - length))
            let digits = claim(16)
            digits.storeBytes(of: spread(first >> 32), as: UInt64.self)
            digits.storeBytes(of: spread(first & 0xffff_ffff), toByteOffset: 8, as: UInt64.self)
            cursor -= 16 - length
        }

        /// `value` in octal.
        @inline(__always)
        mutating func octal(_ value: UInt64) {
            let length = max(1, (64 - value.leadingZeroBitCount + 2) / 3)
            let digits = claim(length)
            var rest = value
            var i = length
            while i > 0 {
                i &-= 1
                digits.storeBytes(of: UInt8(truncatingIfNeeded: rest & 7) &+ UInt8(ascii: "0"), toByteOffset: i, as: UInt8.self)
                rest >>= 3
            }
        }

        /// The items of an extent list. Inlined at each of its two calls, so that the indent
        /// is a constant there and its copies are stores, not calls to memcpy.
        @inline(__always)
        mutating func list(_ extents: some RandomAccessCollection<SimpleExtent>, indent: StaticString) {
            for extent in extents {
                line("- devindex: ", extent.deviceIndex, indent: indent)
                line("  offset: 0x", extent.offset, radix: 16, indent: indent)
                line("  length: 0x", extent.length, radix: 16, indent: indent)
            }
        }

        /// One `key value` line; `radix` 10, 16 or 8.
        @inline(__always)
        mutating func line(_ key: StaticString, _ value: UInt64, radix: Int = 10, indent: StaticString = "") {
            text(indent)
            text(key)
            switch radix {
            case 16: hex(value)
            case 8: octal(value)
            default: decimal(value)
            }
            byte(UInt8(ascii: "\n"))
        }
    }

    /// `bytes` as a YAML scalar: plain, single-quoted when plain would read differently but
    /// every character is printable ASCII, else double-quoted with libyaml's escapes. A byte
    /// that is not UTF-8 (logplay skips such paths) is written as `\xNN`, never raw.
    static func scalar(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: 4 * bytes.count + 2) { buffer in
            var out = Writer(buffer: UnsafeMutableRawBufferPointer(buffer), room: buffer.count)
            bytes.withUnsafeBytes { scalar($0, into: &out) }
            return out.count
        }
    }

    private static func scalar(_ bytes: UnsafeRawBufferPointer, into out: inout Writer) {
        let (outside, marks) = survey(bytes)
        guard !bytes.isEmpty, !outside else { return out.bytes(doubleQuoted(bytes).utf8) }
        guard !plainAllowed(bytes, marks: marks) else { return out.bytes(bytes) }
        out.byte(UInt8(ascii: "'"))
        for byte in bytes {
            out.byte(byte)
            if byte == UInt8(ascii: "'") { out.byte(byte) }
        }
        out.byte(UInt8(ascii: "'"))
    }

    /// What the quoting rules look at in every byte of `bytes`: whether one is outside
    /// printable ASCII, and whether one is a ':' or '#' (either may end a plain scalar). Eight
    /// bytes at a time, without branches (the last word overlapping the one before it): this
    /// runs over the path of every file of a --shadow replay.
    static func survey(_ bytes: UnsafeRawBufferPointer) -> (outside: Bool, marks: Bool) {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs = 0x80 &* ones
        // The high bit of some byte is set when a byte of `word` is zero (exact as a test of
        // any byte), or, for `below`, when one is below `limit` (exact for words of bytes
        // below 0x80; `outside` catches the others by their high bit).
        func zero(_ word: UInt64) -> UInt64 { (word &- ones) & ~word & highs }
        func below(_ limit: UInt64, _ word: UInt64) -> UInt64 { (word &- limit &* ones) & ~word & highs }
        var outside: UInt64 = 0
        var marks: UInt64 = 0
        func add(_ word: UInt64) {
            outside |= word & highs | below(0x20, word) | zero(word ^ 0x7f &* ones)
            marks |= zero(word ^ UInt64(UInt8(ascii: ":")) &* ones) | zero(word ^ UInt64(UInt8(ascii: "#")) &* ones)
        }
        if bytes.count >= 8 {
            var offset = 0
            while offset < bytes.count - 8 {
                add(bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
            }
            add(bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self))
        } else {
            // A short path padded with a byte that is neither: a letter.
            var word = 0x61 &* ones
            withUnsafeMutableBytes(of: &word) { $0.copyMemory(from: bytes) }
            add(word)
        }
        return (outside != 0, marks != 0)
    }

    /// libyaml's test for a plain scalar in block context, for printable ASCII; `marks`:
    /// whether it holds a ':' or '#'.
    private static func plainAllowed(_ bytes: UnsafeRawBufferPointer, marks: Bool) -> Bool {
        func blank(_ i: Int) -> Bool { i >= bytes.count || bytes[i] == 0x20 }
        if bytes.first == 0x20 || bytes.last == 0x20 { return false }
        if bytes.count >= 3, bytes[1] == bytes[0], bytes[2] == bytes[0], bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: ".") {
            return false
        }
        switch bytes[0] {
        case UInt8(ascii: "#"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
             UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "'"),
             UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"):
            return false
        case UInt8(ascii: "?"), UInt8(ascii: "-"):
            if blank(1) { return false }
        default:
            break
        }
        guard marks else { return true }
        for i in bytes.indices {
            if bytes[i] == UInt8(ascii: ":"), blank(i + 1) { return false }
            if bytes[i] == UInt8(ascii: "#"), i > 0, bytes[i - 1] == 0x20 { return false }
        }
        return true
    }

    /// libyaml's named escapes in double-quoted scalars.
    static let escapes: [(value: UInt32, name: Unicode.Scalar)] = [
        (0, "0"), (7, "a"), (8, "b"), (9, "t"), (10, "n"), (11, "v"), (12, "f"), (13, "r"), (0x1b, "e"), (0x22, "\""),
        (0x5c, "\\"), (0x85, "N"), (0xa0, "_"), (0x2028, "L"), (0x2029, "P"),
    ]

    private static func doubleQuoted(_ bytes: UnsafeRawBufferPointer) -> String {
        var out = "\""
        func escape(_ value: UInt32) {
            if let name = escapes.first(where: { $0.value == value })?.name { return out += "\\" + String(name) }
            let (letter, width) = value <= 0xff ? ("x", 2) : value <= 0xffff ? ("u", 4) : ("U", 8)
            let digits = String(value, radix: 16, uppercase: true)
            out += "\\" + letter + String(repeating: "0", count: width - digits.count) + digits
        }
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let value = Unicode.UTF8.decode(encoded).value
                if (0x20...0x7e).contains(value), value != 0x22, value != 0x5c {
                    out.unicodeScalars.append(Unicode.Scalar(value)!)
                } else {
                    escape(value)
                }
                offset += encoded.count
            case .error(let length):
                for byte in bytes[offset..<offset + length] { escape(UInt32(byte)) }
                offset += length
            case .emptyInput:
                return out + "\""
            }
        }
    }

    /// Reads back a document in `render`'s layout.
    public static func parse(_ text: String) throws(ShadowYAMLError) -> FileEntry {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        if lines.last == "" { lines = lines.dropLast() }
        var reader = LineReader(lines: lines)
        try reader.expect("---")
        try reader.expect("file:")
        let path = try reader.path()
        let size = try reader.number("  size")
        let flags = try reader.number("  flags")
        let mode = try reader.number("  mode", radix: 8)
        let uid = try reader.number("  uid")
        let gid = try reader.number("  gid")
        let count = try reader.number("  nextents")
        let extents: FileEntry.Extents
        if reader.peek == "  simple_ext_list:" {
            try reader.expect("  simple_ext_list:")
            extents = .simple(try (0..<count).map { _ throws(ShadowYAMLError) in try reader.extent(indent: "  ") })
        } else {
            try reader.expect("  striped_ext_list:")
            guard count == 1 else { throw .malformed(line: reader.lineNumber, "striped files have nextents 1, found \(count)") }
            let nstrips = try reader.number("  - nstrips")
            let chunkSize = try reader.number("    chunk_size")
            try reader.expect("    simple_ext_list:")
            let strips = try (0..<nstrips).map { _ throws(ShadowYAMLError) in try reader.extent(indent: "    ") }
            extents = .interleaved(chunkSize: chunkSize, strips: strips)
        }
        try reader.expect("...")
        guard reader.atEnd else { throw .malformed(line: reader.lineNumber, "text after the end of the document") }
        guard let flags32 = UInt32(exactly: flags), let mode32 = UInt32(exactly: mode), let uid32 = UInt32(exactly: uid),
              let gid32 = UInt32(exactly: gid)
        else { throw .malformed(line: 0, "flags, mode, uid or gid out of range") }
        return FileEntry(size: size, flags: flags32, uid: uid32, gid: gid32, mode: mode32, path: path, extents: extents)
    }

    private struct LineReader {
        var lines: ArraySlice<Substring>
        var lineNumber = 0

        var peek: Substring? { lines.first }
        var atEnd: Bool { lines.isEmpty }

        mutating func next() throws(ShadowYAMLError) -> Substring {
            guard let line = lines.popFirst() else { throw .malformed(line: lineNumber + 1, "unexpected end of document") }
            lineNumber += 1
            return line
        }

        mutating func expect(_ text: String) throws(ShadowYAMLError) {
            let line = try next()
            guard line == text else { throw .malformed(line: lineNumber, "expected '\(text)', found '\(line)'") }
        }

        mutating func value(_ key: String) throws(ShadowYAMLError) -> Substring {
            let line = try next()
            let prefix = key + ": "
            guard line.hasPrefix(prefix) else { throw .malformed(line: lineNumber, "expected '\(key.trimmingLeadingBlanks):', found '\(line)'") }
            return line.dropFirst(prefix.count)
        }

        /// A decimal value, or hex with `0x`, or octal (`radix` 8) with a leading 0.
        mutating func number(_ key: String, radix: Int = 10) throws(ShadowYAMLError) -> UInt64 {
            let text = try value(key)
            let parsed = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text, radix: radix)
            guard let parsed else { throw .malformed(line: lineNumber, "invalid number '\(text)' for \(key.trimmingLeadingBlanks)") }
            return parsed
        }

        /// The path value in any of `scalar`'s three forms.
        mutating func path() throws(ShadowYAMLError) -> [UInt8] {
            let text = try value("  path")
            let unterminated = ShadowYAMLError.malformed(line: lineNumber, "unterminated quoted path")
            if text.hasPrefix("'") {
                var inner = text.dropFirst()
                var path: [UInt8] = []
                while let byte = inner.utf8.first {
                    inner = inner.dropFirst()
                    guard byte == 0x27 else {
                        path.append(byte)
                        continue
                    }
                    if inner.isEmpty { return path }
                    guard inner.utf8.first == 0x27 else { throw .malformed(line: lineNumber, "text after the quoted path") }
                    inner = inner.dropFirst()
                    path.append(byte)
                }
                throw unterminated
            }
            guard text.hasPrefix("\"") else { return Array(text.utf8) }
            var scalars = String.UnicodeScalarView()
            var rest = text.unicodeScalars.dropFirst()
            while let scalar = rest.popFirst() {
                if scalar == "\"" {
                    guard rest.isEmpty else { throw .malformed(line: lineNumber, "text after the quoted path") }
                    return Array(String(scalars).utf8)
                }
                guard scalar == "\\" else {
                    scalars.append(scalar)
                    continue
                }
                guard let kind = rest.popFirst() else { break }
                let value: UInt32?
                if let width = ["x": 2, "u": 4, "U": 8][kind] {
                    value = rest.count >= width ? UInt32(String(String.UnicodeScalarView(rest.prefix(width))), radix: 16) : nil
                    rest = rest.dropFirst(width)
                } else {
                    value = ShadowYAML.escapes.first { $0.name == kind }?.value
                }
                guard let value, let decoded = Unicode.Scalar(value) else {
                    throw .malformed(line: lineNumber, "invalid escape in path")
                }
                scalars.append(decoded)
            }
            throw unterminated
        }

        mutating func extent(indent: String) throws(ShadowYAMLError) -> SimpleExtent {
            let device = try number(indent + "- devindex")
            let offset = try number(indent + "  offset")
            let length = try number(indent + "  length")
            return SimpleExtent(deviceIndex: device, offset: offset, length: length)
        }
    }
}

extension String {
    fileprivate var trimmingLeadingBlanks: Substring { drop { $0 == " " || $0 == "-" } }
}

public enum ShadowYAMLError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(line: Int, String)

    public var description: String {
        switch self {
        case .malformed(let line, let reason): return "shadow yaml line \(line): \(reason)"
        }
    }
}
