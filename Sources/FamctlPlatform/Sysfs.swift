// SPDX-License-Identifier: Apache-2.0
/// The kernel as famctl sees it: a few file operations on paths relative to a sysfs root
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
        /// A libdaxctl call that makes the sysfs writes itself; `path` is the call
        /// (`daxctl_dev_enable_ram(dax0.0)`), so the message names what famctl really did.
        case libraryCall
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
        case .modprobe: return "modprobe \(path) failed: \(errnoDescription(errno))"
        case .libraryCall: return "\(path): \(errnoDescription(errno))"
        case .read, .write:
            let target = SysfsPath.absolute(path, root: root)
            guard let symlink else { return "\(operation.rawValue) \(target): \(errnoDescription(errno))" }
            return "\(operation.rawValue) \(target): refusing to follow the symbolic link \(SysfsPath.absolute(symlink, root: root)) "
                + "(sysfs attributes and the directories above them are never links; this tree was altered)"
        }
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
        // Not `joined(separator:)`: the standard library runs it unspecialized, and its
        // first conformance lookups cost 0.19 M instructions.
        var path = ""
        for (index, part) in parts.enumerated() {
            if index > 0 { path += "/" }
            path += part
        }
        return path
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
