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

    private func absolute(_ path: String) -> String { root == "/" ? "/" + path : root + "/" + path }

    public func read(_ path: String) throws(SysfsError) -> String {
        let fd = open(absolute(path), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SysfsError(path: path, errno: errno, operation: .read) }
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
        if failure != 0 { throw SysfsError(path: path, errno: failure, operation: .read) }
        while let last = bytes.last, last == 0x0A || last == 0x20 || last == 0 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func write(_ path: String, _ value: String) throws(SysfsError) {
        let fd = open(absolute(path), O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SysfsError(path: path, errno: errno, operation: .write) }
        defer { close(fd) }
        let line = Array((value + "\n").utf8)
        while true {
            // A sysfs store takes the whole buffer in one write or fails with the errno.
            let written = line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written == line.count else {
                throw SysfsError(path: path, errno: written < 0 ? errno : Errno.EINVAL, operation: .write)
            }
            return
        }
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
