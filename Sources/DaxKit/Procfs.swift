// SPDX-License-Identifier: Apache-2.0
import Glibc

/// The processes and mounts of a machine as the busy-device guard reads them: the host's
/// `/proc`, a tree on disk that stands for it, or the simulated kernel. Like `Sysfs`, one
/// code path (`BusyGuard`) serves all three; only these primitives differ.
public protocol Procfs: AnyObject {
    /// The ids of the processes (`/proc/PID` directories), unsorted.
    func processIDs() -> [Int32]
    /// `/proc/PID/comm` (bounded), nil when the process is gone or it cannot be read.
    func command(of pid: Int32) -> String?
    /// Calls `body` with the link target of each `/proc/PID/fd/N` (`/proc/PID/task/TID/fd/N`
    /// for a `thread`). Where `wantsDevice(target)` says so and this proc can tell without
    /// following a link it did not make (the host's `/proc` only), `body` also gets the device
    /// number of the character device open there. Returns false when the descriptor table
    /// cannot be read (gone, or not root).
    func forEachDescriptor(of pid: Int32, thread: Int32?, wantsDevice: (String) -> Bool,
                           _ body: (String, DeviceNumber?) -> Void) -> Bool
    /// Calls `body` with each line of `/proc/PID/maps` (`/proc/PID/task/TID/maps` for a
    /// `thread`; no newline), reading at most `limit` bytes.
    func forEachMapping(of pid: Int32, thread: Int32?, limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> ProcRead
    /// Calls `body` with each line of `/proc/self/mountinfo`, reading at most `limit` bytes.
    func forEachMount(limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> ProcRead
    /// Whose tables show what process `pid` maps and holds open.
    func tables(of pid: Int32) -> ProcessTables
}

/// Where the busy guard reads what a process maps and holds open.
public enum ProcessTables: Sendable, Equatable {
    /// `/proc/PID` itself: a process with its first thread alive, or one this proc cannot
    /// tell more of.
    case process
    /// Nowhere: a kernel thread, or a process that has exited. It has no address space and
    /// no descriptors.
    case none
    /// The threads `/proc/PID/task` lists: the first thread has exited but these live on.
    /// `/proc/PID/maps` and `fd` are empty then, though the address space they share and
    /// the descriptors they hold are still there.
    case threads([Int32])
}

/// How far a proc table could be read.
public enum ProcRead: Sendable, Equatable {
    case complete
    /// The file could not be opened or read (process gone, not root).
    case unreadable
    /// The file is longer than the limit; the rest was not read.
    case truncated
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
    /// The last process directory opened (`processDirectory`).
    private var process: (pid: Int32, fd: Int32)?

    /// Bytes read of `comm` (the kernel's is at most 16).
    static let commandLimit = 64
    /// Bytes read of one link target.
    static let linkLimit = Int(PATH_MAX)

    public init(root: String?) {
        self.root = root
        isHostProc = root == "/proc"
        rootFD = root.flatMap { try? Syscall.open($0, flags: O_RDONLY | O_DIRECTORY).get() } ?? -1
    }

    deinit {
        if let process { close(process.fd) }
        if rootFD >= 0 { close(rootFD) }
    }

    /// The directory that stands for `/proc` for the sysfs root `sysfsRoot`: `/proc` for the
    /// host's `/sys` (always: the guard protects the running kernel); otherwise `override`
    /// (`FAMCTL_PROC_ROOT`) when given, else the `proc` beside a root named `sys` (a machine
    /// directory `M/sys`, `M/proc`, `M/dev`), else none.
    public static func root(forSysfsRoot sysfsRoot: String, override: String?) -> String? {
        let trimmed = HostSysfs(root: sysfsRoot).root
        if trimmed == "/sys" { return "/proc" }
        if let override, !override.isEmpty { return override }
        return SysfsPath.machineDirectory(ofRoot: trimmed).map { $0 + "/proc" }
    }

    public func processIDs() -> [Int32] {
        guard rootFD >= 0, case .success(let entries) = Syscall.listDirectory(rootFD) else { return [] }
        return entries.compactMap { Self.number($0.name) }
    }

    public func command(of pid: Int32) -> String? {
        guard let fd = regularFile(openInProcess(pid, thread: nil, "comm", flags: O_NONBLOCK)) else { return nil }
        defer { close(fd) }
        guard case .success(var text) = Syscall.readAll(fd, limit: Self.commandLimit) else { return nil }
        while text.last == 0x0A { text.removeLast() }
        return String(decoding: text, as: UTF8.self)
    }

    public func forEachDescriptor(of pid: Int32, thread: Int32?, wantsDevice: (String) -> Bool,
                                  _ body: (String, DeviceNumber?) -> Void) -> Bool {
        guard let fdDirectory = openInProcess(pid, thread: thread, "fd", flags: O_DIRECTORY) else { return false }
        defer { close(fdDirectory) }
        guard case .success(let entries) = Syscall.listDirectory(fdDirectory, rewind: false) else { return false }
        for entry in entries where entry.name.first != 0x2E {
            let name = String(decoding: entry.name, as: UTF8.self)
            guard let target = Syscall.readLink(name, in: fdDirectory, limit: Self.linkLimit), !target.isEmpty else { continue }
            var device: DeviceNumber?
            if isHostProc && wantsDevice(target), case .success(let info) = Syscall.statat(fdDirectory, entry.name),
                info.st_mode & S_IFMT == S_IFCHR {
                device = DeviceNumber(rdev: UInt64(info.st_rdev))
            }
            body(target, device)
        }
        return true
    }

    /// On the host's `/proc` only (a tree standing for it is read as it is): `exe` links to
    /// the executable of the first thread's address space, and reading it fails with ENOENT
    /// exactly when that thread has none (exec sets the link, and it can only be replaced).
    /// Then `cwd` tells a kernel thread (it has a working directory) from a thread that has
    /// exited (it has dropped it), and of an exited one, `task` lists the threads still alive.
    /// Most of a host's processes are kernel threads: two system calls each, instead of the
    /// eight that read their empty maps and descriptor tables.
    public func tables(of pid: Int32) -> ProcessTables {
        guard isHostProc, let directory = processDirectory(pid) else { return .process }
        var byte: CChar = 0
        guard readlinkat(directory, "exe", &byte, 1) < 0, errno == ENOENT else { return .process }
        if readlinkat(directory, "cwd", &byte, 1) >= 0 { return .none }
        guard errno == ENOENT else { return .process }
        guard case .success(let task) = Syscall.openat(directory, Array("task".utf8), flags: O_RDONLY | O_DIRECTORY) else {
            return .process
        }
        defer { close(task) }
        guard case .success(let entries) = Syscall.listDirectory(task, rewind: false) else { return .process }
        let threads = entries.compactMap { Self.number($0.name) }.filter { $0 != pid }.sorted()
        return threads.isEmpty ? .none : .threads(threads)
    }

    /// A process or thread id: the decimal name of its directory.
    private static func number(_ digits: [UInt8]) -> Int32? {
        guard !digits.isEmpty, digits.count < 10, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int32(String(decoding: digits, as: UTF8.self))
    }

    public func forEachMapping(of pid: Int32, thread: Int32?, limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> ProcRead {
        guard let fd = regularFile(openInProcess(pid, thread: thread, "maps", flags: O_NONBLOCK)) else { return .unreadable }
        defer { close(fd) }
        return Self.forEachLine(fd, limit: limit, body)
    }

    public func forEachMount(limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> ProcRead {
        guard let fd = regularFile(openPath("self/mountinfo", flags: O_NONBLOCK, followingSelf: isHostProc)) else { return .unreadable }
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

    /// `fd` when it is a regular file (a FIFO planted in a tree is opened O_NONBLOCK and then
    /// refused here); otherwise closes it.
    private func regularFile(_ fd: Int32?) -> Int32? {
        guard let fd else { return nil }
        guard case .success(let info) = Syscall.fileStatus(fd), info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Opens `name` in the directory of process `pid` (of its `thread`, under `task`) without
    /// following a link.
    private func openInProcess(_ pid: Int32, thread: Int32?, _ name: String, flags: Int32) -> Int32? {
        guard let directory = processDirectory(pid) else { return nil }
        let components = (thread.map { ["task", "\($0)"] } ?? []) + [name]
        return try? Syscall.openBeneath(directory, components.map { Array($0.utf8) }, flags: O_RDONLY | flags).get()
    }

    /// The directory of process `pid`, kept open for the next call about the same process (the
    /// guard reads its maps, then its descriptors): one open per process instead of one per
    /// file, and both reads are of the same process even if its id is reused in between.
    private func processDirectory(_ pid: Int32) -> Int32? {
        if let process, process.pid == pid { return process.fd }
        if let process { close(process.fd) }
        process = nil
        guard rootFD >= 0, case .success(let fd) = Syscall.openat(rootFD, Array("\(pid)".utf8), flags: O_RDONLY | O_DIRECTORY) else {
            return nil
        }
        process = (pid, fd)
        return fd
    }

    /// Opens `path` under the root one component at a time, each `O_NOFOLLOW` (O_NOFOLLOW
    /// alone guards only the last component of a path).
    private func openPath(_ path: String, flags: Int32, followingSelf: Bool = false) -> Int32? {
        guard rootFD >= 0 else { return nil }
        let components = path.utf8.split(separator: UInt8(ascii: "/")).map(Array.init)
        return try? Syscall.openBeneath(rootFD, components, flags: O_RDONLY | flags, follows: { followingSelf && $0 == Array("self".utf8) }).get()
    }
}
