// SPDX-License-Identifier: Apache-2.0
import Glibc

/// The kernel's table of mounts (`/proc/mounts`), read from an injectable path so tests can
/// stand in a mounted famfs or a mounted device.
public struct MountTable: Equatable, Sendable {
    public struct Mount: Equatable, Sendable {
        public var source: String
        public var mountPoint: String
        public var type: String

        /// A famfs mount: the v1 kernel file system or the FUSE one.
        public var isFamfs: Bool { type == "famfs" || type == "fuse.famfs" }
    }

    public static let defaultPath = "/proc/mounts"
    /// Bytes read of the table (thousands of mounts fit in a few hundred KiB).
    static let sizeLimit = 64 << 20

    public var mounts: [Mount]

    /// Parses the table at `path`; a missing table means nothing is mounted.
    public init(path: String = defaultPath) {
        self.init(text: (try? Syscall.readFile(path, limit: Self.sizeLimit).get()).map { String(decoding: $0, as: UTF8.self) } ?? "")
    }

    /// Parses `/proc/mounts` text: source, mount point and type per line, octal escapes
    /// (`\040` for a space) decoded.
    public init(text: String) {
        mounts = text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3 else { return nil }
            return Mount(source: Self.unescape(fields[0]), mountPoint: Self.unescape(fields[1]), type: String(fields[2]))
        }
    }

    /// The innermost famfs mount whose tree holds `path` (resolved first), if any.
    public func famfsMount(containing path: String) -> Mount? {
        let resolved = Syscall.realPath(path) ?? path
        return mounts.filter { $0.isFamfs && Self.path(resolved, isInside: $0.mountPoint) }
            .max { $0.mountPoint.count < $1.mountPoint.count }
    }

    /// Every mount whose source is the device or image at `path` (compared resolved).
    public func mounts(of path: String) -> [Mount] {
        let resolved = Syscall.realPath(path) ?? path
        return mounts.filter { $0.source == path || Syscall.realPath($0.source) == resolved }
    }

    static func path(_ path: String, isInside mountPoint: String) -> Bool {
        if mountPoint == "/" { return path.hasPrefix("/") }
        return path == mountPoint || path.hasPrefix(mountPoint + "/")
    }

    private static func unescape(_ field: Substring) -> String {
        var out: [UInt8] = []
        let bytes = Array(field.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 3 < bytes.count,
               let value = UInt8(String(decoding: bytes[i + 1...i + 3], as: UTF8.self), radix: 8) {
                out.append(value)
                i += 4
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
