// SPDX-License-Identifier: Apache-2.0
import Glibc
import SystemPackage

/// Sysfs on a real file system: `/sys` on a host, or any directory (a captured tree). Uses
/// plain syscalls: `famctl list` over hundreds of devices stays a few milliseconds.
public final class HostSysfs: Sysfs {
    /// The directory that stands for `/sys`, without a trailing slash.
    public let root: String

    public init(root: String = "/sys") {
        var trimmed = Substring(root).utf8[...]
        while trimmed.count > 1 && trimmed.last == SysfsPath.slash { trimmed.removeLast() }
        self.root = String(Substring(trimmed))
    }

    /// Whether this is the host's own sysfs (the only root where modules may be loaded).
    public var isHostRoot: Bool { root == "/sys" }

    /// The environment variable that names the sysfs root when no `--sysfs-root` is given.
    public static let rootVariable = "FAMCTL_SYSFS_ROOT"

    /// The sysfs root of every command that is not given one: `value` (`FAMCTL_SYSFS_ROOT`
    /// by default), an empty value meaning unset, else `/sys`.
    public static func defaultRoot(environment value: String? = Environment.value(rootVariable)) -> String {
        guard let value, !value.isEmpty else { return "/sys" }
        return value
    }

    private func absolute(_ path: String) -> String { SysfsPath.absolute(path, root: root) }

    private func failure(_ path: String, _ errno: Int32, _ operation: SysfsError.Operation, symlink: String? = nil) -> SysfsError {
        SysfsError(path: path, errno: errno, operation: operation, root: root, symlink: symlink)
    }

    /// Bytes read of one attribute: the kernel's are at most a page, a planted file in a
    /// tree may be of any size (a longer one is refused, EFBIG).
    public static let attributeLimit = 1 << 20

    public func read(_ path: String) throws(SysfsError) -> String {
        // Attributes are never links in sysfs: one planted in a tree must not stand for one.
        // A short read ends the value: the kernel's come whole in one read, and so does a
        // small regular file of a captured tree.
        var bytes: [UInt8]
        switch Syscall.readFile(absolute(path), limit: Self.attributeLimit + 1, flags: O_NOFOLLOW, shortReadEnds: true) {
        case .success(let content) where content.count > Self.attributeLimit: throw failure(path, EFBIG, .read)
        case .success(let content): bytes = content
        case .failure(let code):
            let link = code == .tooManySymbolicLinkLevels && Syscall.isSymlink(Array(absolute(path).utf8)) ? path : nil
            throw failure(path, code.rawValue, .read, symlink: link)
        }
        while let last = bytes.last, last == 0x0A || last == 0x20 || last == 0 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func write(_ path: String, _ value: String) throws(SysfsError) {
        let fd = try openForWriting(path)
        defer { Syscall.close(fd) }
        let line = Array((value + "\n").utf8)
        // A sysfs store takes the whole buffer in one write or fails with the errno: one
        // write, never a loop that would store the rest as a second value.
        let written: Int
        do {
            written = try line.withUnsafeBytes { try FileDescriptor(rawValue: fd).write($0) }
        } catch {
            throw failure(path, (error as? Errno ?? .ioError).rawValue, .write)
        }
        guard written == line.count else { throw failure(path, EINVAL, .write) }
    }

    /// Opens the attribute at `path` for writing without following a symbolic link at any
    /// component below the root: in sysfs the attributes famctl writes and every directory
    /// above them are real, so a link on the way was planted to aim the write elsewhere (with
    /// `--sysfs-root`, at a file outside the tree). The root itself may be a link.
    private func openForWriting(_ path: String) throws(SysfsError) -> Int32 {
        let directory: Int32
        switch Syscall.open(root, flags: O_RDONLY | O_DIRECTORY) {
        case .success(let fd): directory = fd
        case .failure(let code): throw failure(path, code.rawValue, .write)
        }
        defer { Syscall.close(directory) }
        let components = path.split(separator: "/")
        switch Syscall.openBeneath(directory, components.map { Array($0.utf8) }, flags: O_WRONLY) {
        case .success(let fd): return fd
        case .failure(let stop):
            throw failure(path, stop.errno.rawValue, .write, symlink: stop.isSymlink ? components[...stop.component].joined(separator: "/") : nil)
        }
    }

    public func readLink(_ path: String) -> String? { Syscall.readLink(absolute(path)) }

    public func list(_ path: String) -> [String] {
        guard case .success(let entries) = Syscall.listDirectory(absolute(path)) else { return [] }
        return entries.map { String(decoding: $0.name, as: UTF8.self) }
    }

    public func exists(_ path: String) -> Bool { access(absolute(path), F_OK) == 0 }

    /// Runs `modprobe -q NAME` on the host's own sysfs only: with another root famctl never
    /// touches the running kernel. A missing module is not an error here; the caller checks
    /// that the driver directory appeared and says which one is missing.
    public func loadModule(_ name: String) throws(SysfsError) {
        guard isHostRoot, !exists("bus/dax/drivers/\(name)") else { return }
        var pid = pid_t()
        let arguments = ["modprobe", "-q", name]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let rc = posix_spawnp(&pid, "modprobe", nil, nil, &argv, environ)
        guard rc == 0 else { return }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}
