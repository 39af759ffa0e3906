// SPDX-License-Identifier: Apache-2.0
/// Paths inside a famfs file system, relative to its root.
///
/// Writers are strict (section 7.7 of the format spec): a path famctl logs is relative, has no
/// empty, `.` or `..` components, no trailing slash, follows the byte rule below and fits the
/// 80-byte field with its NUL. Upstream silently truncates long paths and can log
/// unnormalised ones (`a/../b`), so readers are tolerant of those and normalise instead.
///
/// The byte rule, the same for writers and readers: a path is valid UTF-8 and none of its
/// bytes is a control byte (0x01-0x1f, 0x7f); NUL ends the field and `/` separates
/// components. A logged name holding a newline would otherwise inject keys into logplay's
/// shadow YAML and split the one-line messages fsck and logplay print per entry.
public enum FamfsPath {
    /// The byte rule as messages state it.
    public static let byteRule = "famfs paths must be valid UTF-8 without control bytes (0x01-0x1f, 0x7f)"

    /// Checks a path given by a user and returns its bytes as they go into the log.
    public static func validate(_ text: String) throws(PathError) -> [UInt8] {
        try validate(bytes: Array(text.utf8))
    }

    /// Checks a path given as raw bytes (a command-line argument that may not be UTF-8).
    public static func validate(bytes: [UInt8]) throws(PathError) -> [UInt8] {
        let shown = escaped(bytes)
        guard !bytes.isEmpty else { throw .empty }
        guard !bytes.contains(0) else { throw .containsNUL(shown) }
        guard bytes.first != slash else { throw .absolute(shown) }
        guard bytes.last != slash else { throw .trailingSlash(shown) }
        for component in bytes.split(separator: slash, omittingEmptySubsequences: false) {
            if component.isEmpty { throw .emptyComponent(shown) }
            if component.elementsEqual([dot]) || component.elementsEqual([dot, dot]) { throw .dotComponent(shown) }
        }
        if let problem = byteProblem(bytes) { throw .badByte(shown, problem) }
        guard bytes.count <= LogEntry.maxPathLength else { throw .tooLong(shown, bytes: bytes.count) }
        return bytes
    }

    /// The first byte of `path` that breaks the byte rule, or nil. Allocates nothing, so
    /// fsck can run it over every entry of a large log.
    public static func byteProblem(_ path: some Collection<UInt8>) -> ByteProblem? {
        if !path.contains(where: { $0 < 0x20 || $0 >= 0x7f }) { return nil }
        var offset = 0
        var problem: ByteProblem?
        forEachScalar(path) { bytes, valid in
            if !valid {
                problem = .invalidUTF8(offset: offset)
            } else if bytes.count == 1, let byte = bytes.first, byte < 0x20 || byte == 0x7f {
                problem = .controlByte(byte, offset: offset)
            }
            offset += bytes.count
            return problem == nil
        }
        return problem
    }

    /// `path` for messages: valid UTF-8 as it is, control bytes and bytes that are not
    /// UTF-8 as `\xNN`, so a hostile name never spans lines or changes the terminal.
    public static func escaped(_ path: some Collection<UInt8>) -> String {
        var text = ""
        forEachScalar(path) { bytes, valid in
            if valid, !(bytes.count == 1 && (bytes.first! < 0x20 || bytes.first! == 0x7f)) {
                text += String(decoding: bytes, as: UTF8.self)
            } else {
                for byte in bytes { text += "\\x" + byteHex(byte) }
            }
            return true
        }
        return text
    }

    /// Calls `body` with each UTF-8 scalar's bytes (valid) or each maximal invalid run
    /// (not valid), in order, until it returns false.
    private static func forEachScalar(_ path: some Collection<UInt8>, _ body: (ArraySlice<UInt8>, Bool) -> Bool) {
        let bytes = Array(path)
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var start = 0
        while true {
            let length: Int
            let valid: Bool
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): (length, valid) = (encoded.count, true)
            case .error(let count): (length, valid) = (count, false)
            case .emptyInput: return
            }
            guard body(bytes[start..<start + length], valid) else { return }
            start += length
        }
    }

    /// The components of a logged path after resolving `.`, `..` and empty components, or nil
    /// when the path is absolute, empty after resolution, or climbs above the root.
    public static func normalize(logged path: [UInt8]) -> [[UInt8]]? {
        guard path.first != slash else { return nil }
        var components: [[UInt8]] = []
        for component in path.split(separator: slash) {
            if component.elementsEqual([dot]) { continue }
            if component.elementsEqual([dot, dot]) {
                guard components.popLast() != nil else { return nil }
                continue
            }
            components.append(Array(component))
        }
        return components.isEmpty ? nil : components
    }

    /// Every proper ancestor of a valid path, outermost first (`a/b/c` → `a`, `a/b`).
    public static func ancestors(of path: [UInt8]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        for (i, byte) in path.enumerated() where byte == slash { result.append(Array(path[0..<i])) }
        return result
    }

    /// The parent of a valid path, nil for a top-level name.
    public static func parent(of path: [UInt8]) -> [UInt8]? {
        path.lastIndex(of: slash).map { Array(path[0..<$0]) }
    }

    static let slash = UInt8(ascii: "/")
    static let dot = UInt8(ascii: ".")
}

/// Where a path breaks the byte rule (offsets count bytes from the start of the path).
public enum ByteProblem: Equatable, Sendable, CustomStringConvertible {
    case controlByte(UInt8, offset: Int)
    case invalidUTF8(offset: Int)

    public var description: String {
        switch self {
        case .controlByte(let byte, let offset):
            return "control byte 0x\(byteHex(byte)) at byte \(offset); \(FamfsPath.byteRule)"
        case .invalidUTF8(let offset):
            return "invalid UTF-8 at byte \(offset); \(FamfsPath.byteRule)"
        }
    }
}

/// Why a path cannot be logged. Paths are held as `FamfsPath.escaped` shows them.
public enum PathError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case absolute(String)
    case trailingSlash(String)
    case emptyComponent(String)
    case dotComponent(String)
    case containsNUL(String)
    case badByte(String, ByteProblem)
    case tooLong(String, bytes: Int)

    public var description: String {
        switch self {
        case .empty:
            return "empty path (expected a path relative to the file system root, e.g. dir1/file1)"
        case .absolute(let path):
            return "\(path): path must be relative to the file system root (no leading /)"
        case .trailingSlash(let path):
            return "\(path): path must not end with /"
        case .emptyComponent(let path):
            return "\(path): path has an empty component (//)"
        case .dotComponent(let path):
            return "\(path): path must not contain . or .. components"
        case .containsNUL(let path):
            return "\(path): path must not contain a NUL byte"
        case .badByte(let path, let problem):
            return "\(path): \(problem)"
        case .tooLong(let path, let bytes):
            return "\(path): path is \(bytes) bytes long; famfs paths hold at most \(LogEntry.maxPathLength) bytes"
        }
    }
}

/// Two lower-case hex digits.
private func byteHex(_ byte: UInt8) -> String { (byte < 0x10 ? "0" : "") + String(byte, radix: 16) }
