// SPDX-License-Identifier: Apache-2.0
import SystemPackage

/// The kernel as DaxKit sees it: a few file operations on paths relative to a sysfs root
/// (the directory that stands for `/sys`). A real host, a captured tree on disk and the
/// simulated kernel all implement it, so one code path serves all three.
///
/// Paths never start with `/`: `bus/dax/devices/dax0.0/size` means `<root>/bus/dax/...`.
public protocol Sysfs: AnyObject {
    /// The directory the paths are relative to, as messages show it (`/sys` for the host and
    /// for the simulated kernel, the `--sysfs-root` directory otherwise).
    var root: String { get }
    /// The attribute's content without the trailing newline.
    func read(_ path: String) throws(SysfsError) -> String
    /// Writes `value` (famctl writes `value` followed by a newline, as `echo` does).
    func write(_ path: String, _ value: String) throws(SysfsError)
    /// The raw target of a symlink, or nil when `path` is not a symlink.
    func readLink(_ path: String) -> String?
    /// The names in a directory, unsorted; empty when it does not exist.
    func list(_ path: String) -> [String]
    /// Whether anything exists at `path` (following symlinks).
    func exists(_ path: String) -> Bool
    /// Loads a kernel module (`modprobe`); a no-op when it is built in or already loaded.
    func loadModule(_ name: String) throws(SysfsError)
}

/// A failed sysfs operation: the path (relative to the root) and the errno.
public struct SysfsError: Error, CustomStringConvertible, Sendable, Equatable {
    public let path: String
    public let errno: Int32
    public let operation: Operation
    /// The root `path` is relative to, for the message.
    public let root: String
    /// The component of `path` (relative to the root) that is a symbolic link where sysfs has
    /// a real file or directory: the operation refused to follow it (`errno` is ELOOP).
    public let symlink: String?

    public enum Operation: String, Sendable {
        case read, write, modprobe
    }

    public init(path: String, errno: Int32, operation: Operation, root: String = "/sys", symlink: String? = nil) {
        self.path = path
        self.errno = errno
        self.operation = operation
        self.root = root
        self.symlink = symlink
    }

    public var description: String {
        switch operation {
        case .modprobe: return "modprobe \(path) failed: \(Errno.describe(errno))"
        case .read, .write:
            let target = SysfsPath.absolute(path, root: root)
            guard let symlink else { return "\(operation.rawValue) \(target): \(Errno.describe(errno))" }
            return "\(operation.rawValue) \(target): refusing to follow the symbolic link \(SysfsPath.absolute(symlink, root: root)) "
                + "(sysfs attributes and the directories above them are never links; this tree was altered)"
        }
    }
}

/// The errno values DaxKit reports by name.
public enum Errno {
    public static let ENOENT: Int32 = 2
    public static let EIO: Int32 = 5
    public static let ENXIO: Int32 = 6
    public static let EACCES: Int32 = 13
    public static let EBUSY: Int32 = 16
    public static let ENODEV: Int32 = 19
    public static let ENOTDIR: Int32 = 20
    public static let EISDIR: Int32 = 21
    public static let EINVAL: Int32 = 22
    public static let ENOSPC: Int32 = 28
    public static let ELOOP: Int32 = 40
    public static let EOPNOTSUPP: Int32 = 95

    /// strerror(3)'s text, the one daxctl prints.
    public static func describe(_ errno: Int32) -> String {
        SystemPackage.Errno(rawValue: errno).description
    }
}

/// Lexical path arithmetic on root-relative paths (sysfs links are relative and their
/// intermediate directories are real directories, so no link needs resolving on the way).
public enum SysfsPath {
    /// `base` joined with the relative `target`, `..` and `.` folded away.
    public static func resolve(_ target: String, from base: String) -> String {
        var parts = target.hasPrefix("/") ? [] : base.split(separator: "/").map(String.init)
        for component in target.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(String(component))
            }
        }
        return parts.joined(separator: "/")
    }

    /// `path` under `root` as a user types it (`/sys/bus/dax`, `./tree/bus/dax`).
    public static func absolute(_ path: String, root: String) -> String {
        root == "/" ? "/" + path : root + "/" + path
    }

    /// The directory part of `path`.
    public static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// The last component of `path`.
    public static func basename(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// The relative link target that leads from the directory `from` to `to`.
    public static func relative(from: String, to: String) -> String {
        let depth = from.split(separator: "/").count
        return String(repeating: "../", count: depth) + to
    }
}
