/// Paths inside a famfs file system, relative to its root.
///
/// Writers are strict (section 7.7 of the format spec): a path famctl logs is relative, has no
/// empty, `.` or `..` components, no trailing slash, no NUL and fits the 80-byte field with
/// its NUL. Upstream silently truncates long paths and can log unnormalised ones (`a/../b`),
/// so readers are tolerant and normalise instead.
public enum FamfsPath {
    /// Checks a path given by a user and returns its bytes as they go into the log.
    public static func validate(_ text: String) throws(PathError) -> [UInt8] {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw .empty }
        guard !bytes.contains(0) else { throw .containsNUL(text) }
        guard bytes.first != slash else { throw .absolute(text) }
        guard bytes.last != slash else { throw .trailingSlash(text) }
        for component in bytes.split(separator: slash, omittingEmptySubsequences: false) {
            if component.isEmpty { throw .emptyComponent(text) }
            if component.elementsEqual([dot]) || component.elementsEqual([dot, dot]) { throw .dotComponent(text) }
        }
        guard bytes.count <= LogEntry.maxPathLength else { throw .tooLong(text, bytes: bytes.count) }
        return bytes
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

/// Why a path cannot be logged.
public enum PathError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case absolute(String)
    case trailingSlash(String)
    case emptyComponent(String)
    case dotComponent(String)
    case containsNUL(String)
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
            return "\(path.replacingNUL): path must not contain a NUL byte"
        case .tooLong(let path, let bytes):
            return "\(path): path is \(bytes) bytes long; famfs paths hold at most \(LogEntry.maxPathLength) bytes"
        }
    }
}

extension String {
    fileprivate var replacingNUL: String { split(separator: "\0", omittingEmptySubsequences: false).joined(separator: "\\0") }
}
