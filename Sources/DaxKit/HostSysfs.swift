// SPDX-License-Identifier: Apache-2.0
import CDaxctl
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Sysfs on a real file system: `/sys` on a host, or any directory (a captured tree). Uses
/// plain syscalls: `famctl list` over hundreds of devices stays a few milliseconds.
public final class HostSysfs: Sysfs {
    /// The directory that stands for `/sys`, without a trailing slash.
    public let root: String

    public init(root: String = "/sys") {
        var trimmed = root
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.root = trimmed
    }

    /// Whether this is the host's own sysfs (the only root where modules may be loaded).
    public var isHostRoot: Bool { root == "/sys" }

    /// The paths one of which every kernel with dax or memory hotplug has.
    static let landmarks = ["bus/dax", "devices/system/memory"]

    /// Refuses a root that is not a sysfs tree, so a mistyped `--sysfs-root` is an error
    /// rather than "no devices": the root must be a mounted sysfs (a host without dax or
    /// memory hotplug lists nothing, as daxctl does) or hold `bus/dax` or
    /// `devices/system/memory` (a captured tree).
    public func requireSysfsTree() throws(DaxError) {
        var status = statfs()
        guard statfs(root, &status) == 0 else { throw .notSysfsTree(root: root, reason: Errno.describe(errno)) }
        let sysfsMagic = 0x6265_6572
        if status.f_type == sysfsMagic || Self.landmarks.contains(where: exists) { return }
        throw .notSysfsTree(root: root, reason: "neither \(Self.landmarks.map { absolute($0) }.joined(separator: " nor ")) exists")
    }

    private func absolute(_ path: String) -> String { SysfsPath.absolute(path, root: root) }

    private func failure(_ path: String, _ errno: Int32, _ operation: SysfsError.Operation, symlink: String? = nil) -> SysfsError {
        SysfsError(path: path, errno: errno, operation: operation, root: root, symlink: symlink)
    }

    /// Whether `path` (relative to `directory`) is a symbolic link, not followed.
    private static func isSymlink(_ name: String, in directory: Int32) -> Bool {
        var status = stat()
        return fstatat(directory, name, &status, AT_SYMLINK_NOFOLLOW) == 0 && (status.st_mode & S_IFMT) == S_IFLNK
    }

    public func read(_ path: String) throws(SysfsError) -> String {
        // Attributes are never links in sysfs: one planted in a tree must not stand for one.
        let fd = open(absolute(path), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            let error = errno
            let link = error == Errno.ELOOP && Self.isSymlink(absolute(path), in: AT_FDCWD) ? path : nil
            throw failure(path, error, .read, symlink: link)
        }
        defer { close(fd) }
        // Attributes fit in one page; one read() into a stack buffer, more only if it filled.
        var bytes: [UInt8] = []
        var failure: Int32 = 0
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer in
            while true {
                let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                bytes.append(contentsOf: buffer[0..<count])
                if count < buffer.count { return }
            }
        }
        if failure != 0 { throw self.failure(path, failure, .read) }
        while let last = bytes.last, last == 0x0A || last == 0x20 || last == 0 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func write(_ path: String, _ value: String) throws(SysfsError) {
        let fd = try openForWriting(path)
        defer { close(fd) }
        let line = Array((value + "\n").utf8)
        while true {
            // A sysfs store takes the whole buffer in one write or fails with the errno.
            let written = line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written == line.count else {
                throw failure(path, written < 0 ? errno : Errno.EINVAL, .write)
            }
            return
        }
    }

    /// Opens the attribute at `path` for writing without following a symbolic link at any
    /// component below the root: in sysfs the attributes famctl writes and every directory
    /// above them are real, so a link on the way was planted to aim the write elsewhere (with
    /// `--sysfs-root`, at a file outside the tree). The root itself may be a link.
    private func openForWriting(_ path: String) throws(SysfsError) -> Int32 {
        var directory = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw failure(path, errno, .write) }
        defer { close(directory) }
        let components = path.split(separator: "/").map(String.init)
        for (index, name) in components.enumerated() {
            let last = index == components.count - 1
            let fd = openat(directory, name, last ? O_WRONLY | O_CLOEXEC | O_NOFOLLOW : O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else {
                let error = errno
                // O_NOFOLLOW says ELOOP for a link, O_DIRECTORY ENOTDIR; either may also be genuine.
                guard error == Errno.ELOOP || error == Errno.ENOTDIR, Self.isSymlink(name, in: directory) else {
                    throw failure(path, error, .write)
                }
                throw failure(path, Errno.ELOOP, .write, symlink: components[...index].joined(separator: "/"))
            }
            if last { return fd }
            close(directory)
            directory = fd
        }
        throw failure(path, Errno.EISDIR, .write)
    }

    public func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(absolute(path), &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public func list(_ path: String) -> [String] {
        guard let directory = opendir(absolute(path)) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
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
