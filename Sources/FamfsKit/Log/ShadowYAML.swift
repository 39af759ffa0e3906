/// The shadow file famfs's FUSE daemon reads for each file (section 15.3 of the format spec):
/// one YAML document in upstream's fixed key order and layout, emitted directly. `parse`
/// reads exactly this layout back (what `--shadowtest` needs), not YAML in general.
public enum ShadowYAML {
    public static func render(_ file: FileEntry) -> String {
        var out = "---\nfile:\n"
        out += "  path: \(String(decoding: file.path, as: UTF8.self))\n"
        out += "  size: \(file.size)\n"
        out += "  flags: \(file.flags)\n"
        out += "  mode: 0\(String(file.mode, radix: 8))\n"
        out += "  uid: \(file.uid)\n"
        out += "  gid: \(file.gid)\n"
        switch file.extents {
        case .simple(let extents):
            out += "  nextents: \(extents.count)\n"
            out += "  simple_ext_list:\n"
            for extent in extents { out += extentItem(extent, indent: "  ") }
        case .interleaved(let chunkSize, let strips):
            out += "  nextents: 1\n"
            out += "  striped_ext_list:\n"
            out += "  - nstrips: \(strips.count)\n"
            out += "    chunk_size: 0x\(hex(chunkSize))\n"
            out += "    simple_ext_list:\n"
            for strip in strips { out += extentItem(strip, indent: "    ") }
        }
        return out + "...\n"
    }

    private static func extentItem(_ extent: SimpleExtent, indent: String) -> String {
        "\(indent)- devindex: \(extent.deviceIndex)\n"
            + "\(indent)  offset: 0x\(hex(extent.offset))\n"
            + "\(indent)  length: 0x\(hex(extent.length))\n"
    }

    /// Reads back a document in `render`'s layout.
    public static func parse(_ text: String) throws(ShadowYAMLError) -> FileEntry {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        if lines.last == "" { lines = lines.dropLast() }
        var reader = LineReader(lines: lines)
        try reader.expect("---")
        try reader.expect("file:")
        let path = Array(try reader.value("  path").utf8)
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
