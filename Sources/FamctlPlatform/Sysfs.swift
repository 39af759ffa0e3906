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
/// Paths are worked on as UTF-8 bytes: `/` is one byte, and the Character view's grapheme
/// breaking is code that a `famctl list` on a small or emulated machine pays for at every start.
public enum SysfsPath {
    static let slash = UInt8(ascii: "/")

    /// `base` joined with the relative `target`, `..` and `.` folded away.
    public static func resolve(_ target: String, from base: String) -> String {
        var parts: [Substring.UTF8View] = target.utf8.first == slash ? [] : components(base)
        for component in components(target) {
            if component.elementsEqual(".".utf8) { continue }
            if component.elementsEqual("..".utf8) {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(component)
        }
        var path: [UInt8] = []
        for part in parts {
            if !path.isEmpty { path.append(slash) }
            path.append(contentsOf: part)
        }
        return String(decoding: path, as: UTF8.self)
    }

    /// The non-empty components of `path`.
    private static func components(_ path: String) -> [Substring.UTF8View] {
        Substring(path).utf8.split(separator: slash)
    }

    /// `path` under `root` as a user types it (`/sys/bus/dax`, `./tree/bus/dax`).
    public static func absolute(_ path: String, root: String) -> String {
        root == "/" ? "/" + path : root + "/" + path
    }

    /// The directory part of `path`.
    public static func parent(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: slash) else { return "" }
        return String(Substring(path.utf8[..<slash]))
    }

    /// The machine directory `M` of a sysfs root `M/sys` (a captured or simulated machine:
    /// `M/proc`, `M/dev` beside it), `.` for a root given as plain `sys`; nil for a root of
    /// another name. `parent` alone would make `sys`'s siblings the host's `/proc` and `/dev`.
    public static func machineDirectory(ofRoot root: String) -> String? {
        guard basename(root) == "sys" else { return nil }
        return root.utf8.contains(slash) ? parent(root) : "."
    }

    /// The last component of `path`.
    public static func basename(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: slash) else { return path }
        return String(Substring(path.utf8[path.utf8.index(after: slash)...]))
    }

    /// The relative link target that leads from the directory `from` to `to`.
    public static func relative(from: String, to: String) -> String {
        let depth = from.split(separator: "/").count
        return String(repeating: "../", count: depth) + to
    }
}
