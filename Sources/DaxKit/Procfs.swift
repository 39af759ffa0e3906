// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The processes and mounts of a machine as the busy-device guard reads them: the host's
/// `/proc`, a tree on disk that stands for it, or the simulated kernel. Like `Sysfs`, one
/// code path (`BusyGuard`) serves all three; only these primitives differ.
public protocol Procfs: AnyObject {
    /// The ids of the processes (`/proc/PID` directories), unsorted.
    func processIDs() -> [Int32]
    /// `/proc/PID/comm` (bounded), nil when the process is gone or it cannot be read.
    func command(of pid: Int32) -> String?
    /// Calls `body` with the link target of each `/proc/PID/fd/N`. Where `wantsDevice(target)`
    /// says so and this proc can tell without following a link it did not make (the host's
    /// `/proc` only), `body` also gets the device number of the character device open there.
    /// Returns false when the descriptor table cannot be read (gone, or not root).
    func forEachDescriptor(of pid: Int32, wantsDevice: (String) -> Bool, _ body: (String, DeviceNumber?) -> Void) -> Bool
    /// Calls `body` with each line of `/proc/PID/maps` (no newline), reading at most `limit`
    /// bytes.
    func forEachMapping(of pid: Int32, limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> ProcRead
    /// Calls `body` with each line of `/proc/self/mountinfo`, reading at most `limit` bytes.
    func forEachMount(limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> ProcRead
}

/// How far a proc table could be read.
public enum ProcRead: Sendable, Equatable {
    case complete
    /// The file could not be opened or read (process gone, not root).
    case unreadable
    /// The file is longer than the limit; the rest was not read.
    case truncated
}

/// A device number, as sysfs's `dev` attribute (`252:0`, decimal) and the `dev` columns of
/// maps (hexadecimal) and mountinfo (decimal) write it.
public struct DeviceNumber: Hashable, Sendable, CustomStringConvertible {
    public var major: UInt32
    public var minor: UInt32

    public init(major: UInt32, minor: UInt32) {
        self.major = major
        self.minor = minor
    }

    /// Parses `MAJOR:MINOR` in `radix`.
    public init?<Bytes: Collection>(_ text: Bytes, radix: Int) where Bytes.Element == UInt8 {
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")),
            let major = Self.number(text[..<colon], radix: radix),
            let minor = Self.number(text[text.index(after: colon)...], radix: radix)
        else { return nil }
        self.init(major: major, minor: minor)
    }

    /// Major and minor of a `dev_t` (glibc's encoding).
    public init(rdev: UInt64) {
        self.init(major: UInt32(truncatingIfNeeded: rdev >> 8 & 0xfff | rdev >> 32 & ~0xfff),
                  minor: UInt32(truncatingIfNeeded: rdev & 0xff | rdev >> 12 & ~0xff))
    }

    public var description: String { "\(major):\(minor)" }

    private static func number<Digits: Collection>(_ digits: Digits, radix: Int) -> UInt32? where Digits.Element == UInt8 {
        guard !digits.isEmpty, digits.count <= 10 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(byte - UInt8(ascii: "a") + 10)
            default: return nil
            }
            guard digit < radix else { return nil }
            value = value * UInt64(radix) + digit
        }
        return value <= UInt32.max ? UInt32(value) : nil
    }
}

/// `/proc` on a real file system: the host's, or a directory that stands for it. A tree is
/// treated as hostile: no link in it is followed (every component is opened `O_NOFOLLOW`,
/// descriptors are only `readlink`ed), only regular files are read, and every read is
/// bounded. Only the host's `/proc` follows its own magic links (`self`, and `fd/N` to learn
/// the device number of what is open).
public final class HostProcfs: Procfs {
    /// The directory that stands for `/proc`; nil: a machine without one (no processes, no
    /// mounts).
    public let root: String?
    private let rootFD: Int32
    private let isHostProc: Bool

    /// Bytes read of `comm` (the kernel's is at most 16).
    static let commandLimit = 64
    /// Bytes read of one link target.
    static let linkLimit = Int(PATH_MAX)

    public init(root: String?) {
        self.root = root
        isHostProc = root == "/proc"
        rootFD = root.map { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) } ?? -1
    }

    deinit { if rootFD >= 0 { close(rootFD) } }

    /// The directory that stands for `/proc` for the sysfs root `sysfsRoot`: `/proc` for the
    /// host's `/sys` (always: the guard protects the running kernel); otherwise `override`
    /// (`FAMCTL_PROC_ROOT`) when given, else the `proc` beside a root named `sys` (a machine
    /// directory `M/sys`, `M/proc`, `M/dev`), else none.
    public static func root(forSysfsRoot sysfsRoot: String, override: String?) -> String? {
        let trimmed = HostSysfs(root: sysfsRoot).root
        if trimmed == "/sys" { return "/proc" }
        if let override, !override.isEmpty { return override }
        return SysfsPath.basename(trimmed) == "sys" ? SysfsPath.parent(trimmed) + "/proc" : nil
    }

    public func processIDs() -> [Int32] {
        guard rootFD >= 0, let directory = Self.openDirectory(rootFD) else { return [] }
        defer { closedir(directory) }
        var pids: [Int32] = []
        while let entry = readdir(directory) {
            let pid: Int32? = withUnsafeBytes(of: entry.pointee.d_name) { name in
                let digits = name.prefix { $0 != 0 }
                guard !digits.isEmpty, digits.count < 10, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
                return Int32(String(decoding: digits, as: UTF8.self))
            }
            if let pid { pids.append(pid) }
        }
        return pids
    }

    public func command(of pid: Int32) -> String? {
        guard let fd = openFile("\(pid)/comm") else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: Self.commandLimit)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count >= 0 else { return nil }
        var text = bytes[0..<count]
        while text.last == 0x0A { text.removeLast() }
        return String(decoding: text, as: UTF8.self)
    }

    public func forEachDescriptor(of pid: Int32, wantsDevice: (String) -> Bool, _ body: (String, DeviceNumber?) -> Void) -> Bool {
        guard let fdDirectory = openPath("\(pid)/fd", flags: O_DIRECTORY) else { return false }
        guard let directory = fdopendir(fdDirectory) else {
            close(fdDirectory)
            return false
        }
        defer { closedir(directory) }
        var buffer = [CChar](repeating: 0, count: Self.linkLimit)
        while let entry = readdir(directory) {
            withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { name in
                    guard name[0] != 0x2E else { return }
                    let count = readlinkat(fdDirectory, name, &buffer, buffer.count)
                    guard count > 0 else { return }
                    let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    var device: DeviceNumber?
                    if isHostProc && wantsDevice(target) {
                        var info = stat()
                        if fstatat(fdDirectory, name, &info, 0) == 0, info.st_mode & S_IFMT == S_IFCHR {
                            device = DeviceNumber(rdev: UInt64(info.st_rdev))
                        }
                    }
                    body(target, device)
                }
            }
        }
        return true
    }

    public func forEachMapping(of pid: Int32, limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> ProcRead {
        guard let fd = openFile("\(pid)/maps") else { return .unreadable }
        defer { close(fd) }
        return Self.forEachLine(fd, limit: limit, body)
    }

    public func forEachMount(limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> ProcRead {
        guard let fd = openFile("self/mountinfo", followingSelf: isHostProc) else { return .unreadable }
        defer { close(fd) }
        return Self.forEachLine(fd, limit: limit, body)
    }

    /// The longest line handed to a body; the rest of a longer one is skipped (a maps path is
    /// at most PATH_MAX; the fields before it are short).
    static let lineLimit = Int(PATH_MAX) + 256

    /// Reads `fd` in 64 KiB chunks and calls `body` per line: memory stays bounded whatever
    /// the file's size, and at most `limit` bytes are read.
    static func forEachLine(_ fd: Int32, limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> ProcRead {
        let chunk = 1 << 16
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk + lineLimit, alignment: 1)
        defer { buffer.deallocate() }
        var pending = 0
        var skipping = false
        var total = 0
        while true {
            guard total < limit else { return .truncated }
            let count = read(fd, buffer.baseAddress! + pending, min(chunk, limit - total))
            if count < 0 {
                if errno == EINTR { continue }
                return .unreadable
            }
            if count == 0 {
                if pending > 0 && !skipping { body(UnsafeRawBufferPointer(rebasing: buffer[0..<pending])) }
                return .complete
            }
            total += count
            let end = pending + count
            var start = 0
            var from = pending
            // memchr, not a byte loop: maps of a busy host run to hundreds of megabytes.
            while from < end, let newline = memchr(buffer.baseAddress! + from, 0x0A, end - from) {
                let index = buffer.baseAddress!.distance(to: newline)
                if !skipping { body(UnsafeRawBufferPointer(rebasing: buffer[start..<index])) }
                skipping = false
                start = index + 1
                from = start
            }
            pending = end - start
            if pending > lineLimit {
                if !skipping { body(UnsafeRawBufferPointer(rebasing: buffer[start..<start + lineLimit])) }
                skipping = true
                pending = 0
            } else if start > 0 && pending > 0 {
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: pending)
            }
        }
    }

    /// Opens a regular file under the root without following links (`self` excepted on the
    /// host) and without blocking on a FIFO planted in a tree.
    private func openFile(_ path: String, followingSelf: Bool = false) -> Int32? {
        guard let fd = openPath(path, flags: O_NONBLOCK, followingSelf: followingSelf) else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Opens `path` under the root one component at a time, each `O_NOFOLLOW` (O_NOFOLLOW
    /// alone guards only the last component of a path).
    private func openPath(_ path: String, flags: Int32, followingSelf: Bool = false) -> Int32? {
        guard rootFD >= 0 else { return nil }
        var directory = rootFD
        let components = path.split(separator: "/").map(String.init)
        for (index, component) in components.enumerated() {
            let last = index == components.count - 1
            let follow = followingSelf && component == "self" ? 0 : O_NOFOLLOW
            let next = openat(directory, component, O_RDONLY | O_CLOEXEC | follow | (last ? flags : O_DIRECTORY))
            if directory != rootFD { close(directory) }
            guard next >= 0 else { return nil }
            directory = next
        }
        return directory == rootFD ? nil : directory
    }

    /// A directory stream of its own over `fd` (which stays open and unchanged).
    private static func openDirectory(_ fd: Int32) -> OpaquePointer? {
        let fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard let directory = fdopendir(fd) else {
            close(fd)
            return nil
        }
        return directory
    }
}
