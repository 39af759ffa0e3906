// SPDX-License-Identifier: Apache-2.0
import CFamctlPlatform
import Glibc
import SystemPackage

// The directory-relative calls: how famctl works inside a tree it does not trust (a captured
// sysfs or proc, the tree logplay builds) without following a symlink planted in it.

/// One entry of a directory listing.
public struct DirectoryEntry: Sendable, Equatable {
    public var name: [UInt8]
    /// `DT_DIR`, `DT_LNK`, …; `DT_UNKNOWN` where the file system does not say.
    public var type: UInt8
}

/// A walk below a directory that stopped: the errno, the component it stopped at, and
/// whether that component is a symbolic link (the walk refused to follow it).
public struct BeneathFailure: Error, Sendable, Equatable {
    public var errno: Errno
    /// Index into the walked components.
    public var component: Int
    public var isSymlink: Bool
}

extension Syscall {
    /// `openat` of `name` in `directory`, close-on-exec, never following a symlink at `name`
    /// unless `following`.
    public static func openat(_ directory: Int32, _ name: [UInt8], flags: Int32, mode: mode_t = 0, following: Bool = false) -> Result<Int32, Errno> {
        withCName(name) { openat(directory, $0, flags: flags, mode: mode, following: following) }
    }

    /// `openat` of the NUL-terminated `name`: for callers that hold the name in a buffer of
    /// their own (logplay, once per logged entry) and must not build an array per call.
    public static func openat(_ directory: Int32, _ name: UnsafePointer<CChar>, flags: Int32, mode: mode_t = 0,
                              following: Bool = false) -> Result<Int32, Errno> {
        retrying { cfamctl_openat(directory, name, flags | O_CLOEXEC | (following ? 0 : O_NOFOLLOW), UInt32(mode)) }
    }

    /// Opens `components` below `directory` one at a time, each `O_NOFOLLOW` (O_NOFOLLOW
    /// alone guards only the last component of a path): the intermediate ones as
    /// directories, the last with `flags`. `follows` names components that may be links
    /// (the host's `/proc/self`). `directory` stays open; an empty path is refused (EISDIR).
    public static func openBeneath(
        _ directory: Int32, _ components: [[UInt8]], flags: Int32, follows: ([UInt8]) -> Bool = { _ in false }
    ) -> Result<Int32, BeneathFailure> {
        var current = directory
        for (index, name) in components.enumerated() {
            let last = index == components.count - 1
            let next: Int32
            switch openat(current, name, flags: last ? flags : O_RDONLY | O_DIRECTORY, following: follows(name)) {
            case .success(let fd): next = fd
            case .failure(let code):
                // O_NOFOLLOW says ELOOP for a link, O_DIRECTORY ENOTDIR; either may also be genuine.
                let isLink = (code == .tooManySymbolicLinkLevels || code == .notDirectory) && isSymlink(name, in: current)
                if current != directory { close(current) }
                return .failure(BeneathFailure(errno: isLink ? .tooManySymbolicLinkLevels : code, component: index, isSymlink: isLink))
            }
            if current != directory { close(current) }
            if last { return .success(next) }
            current = next
        }
        return .failure(BeneathFailure(errno: .isDirectory, component: 0, isSymlink: false))
    }

    /// Whether `name` in `directory` is a symbolic link (not followed).
    public static func isSymlink(_ name: [UInt8], in directory: Int32 = AT_FDCWD) -> Bool {
        guard case .success(let info) = lstatat(directory, name) else { return false }
        return info.st_mode & S_IFMT == S_IFLNK
    }

    public static func mkdirat(_ directory: Int32, _ name: [UInt8], mode: mode_t) -> Result<Int32, Errno> {
        withCName(name) { mkdirat(directory, $0, mode: mode) }
    }

    public static func mkdirat(_ directory: Int32, _ name: UnsafePointer<CChar>, mode: mode_t) -> Result<Int32, Errno> {
        Glibc.mkdirat(directory, name, mode) == 0 ? .success(0) : .failure(Errno(rawValue: errno))
    }

    /// `mknodat` of the NUL-terminated `name`: a regular file (`mode` holding S_IFREG) is
    /// created without being opened, one call instead of an open and a close.
    public static func mknodat(_ directory: Int32, _ name: UnsafePointer<CChar>, mode: mode_t) -> Result<Int32, Errno> {
        Glibc.mknodat(directory, name, mode, 0) == 0 ? .success(0) : .failure(Errno(rawValue: errno))
    }

    /// Status of `name` itself (a symlink is reported as a symlink).
    public static func lstatat(_ directory: Int32, _ name: [UInt8]) -> Result<FileStatus, Errno> {
        withCName(name) { lstatat(directory, $0) }
    }

    public static func lstatat(_ directory: Int32, _ name: UnsafePointer<CChar>) -> Result<FileStatus, Errno> {
        var info = FileStatus()
        return Glibc.fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 ? .success(info) : .failure(Errno(rawValue: errno))
    }

    /// Status of what `name` in `directory` leads to (links followed).
    public static func statat(_ directory: Int32, _ name: [UInt8]) -> Result<FileStatus, Errno> {
        var info = FileStatus()
        let rc = withCName(name) { Glibc.fstatat(directory, $0, &info, 0) }
        return rc == 0 ? .success(info) : .failure(Errno(rawValue: errno))
    }

    /// The raw target of the symlink `name` in `directory` (a path when `directory` is
    /// AT_FDCWD), at most `limit` bytes; nil when it is not a link or cannot be read.
    public static func readLink(_ name: String, in directory: Int32 = AT_FDCWD, limit: Int = Int(PATH_MAX)) -> String? {
        var buffer = [CChar](repeating: 0, count: limit)
        let count = readlinkat(directory, name, &buffer, buffer.count)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func fchmod(_ fd: Int32, mode: mode_t) -> Result<Int32, Errno> {
        Glibc.fchmod(fd, mode) == 0 ? .success(0) : .failure(Errno(rawValue: errno))
    }

    public static func fchown(_ fd: Int32, uid: uid_t, gid: gid_t) -> Result<Int32, Errno> {
        Glibc.fchown(fd, uid, gid) == 0 ? .success(0) : .failure(Errno(rawValue: errno))
    }

    /// The entries of directory `fd` in readdir order, without `.` and `..`; `fd` stays open.
    /// Read from its start (whatever was read of it before) unless `rewind` is false, for a
    /// descriptor just opened.
    public static func listDirectory(_ fd: Int32, rewind: Bool = true) -> Result<[DirectoryEntry], Errno> {
        if rewind && lseek(fd, 0, SEEK_SET) != 0 { return .failure(Errno(rawValue: errno)) }
        return readEntries(fd)
    }

    /// The entries from `fd`'s offset on, read with getdents64 itself: readdir's stream
    /// (fdopendir on a dup) cost five more system calls a directory, which a `famctl list`
    /// on a small or emulated machine pays per device.
    private static func readEntries(_ fd: Int32) -> Result<[DirectoryEntry], Errno> {
        // struct linux_dirent64: d_ino (8 bytes), d_off (8), d_reclen (2), d_type (1), d_name.
        let nameOffset = 19
        var entries: [DirectoryEntry] = []
        // On the stack, so small: a sysfs device directory's records take a few hundred bytes
        // (each page of stack a listing touches is a page fault at every start); /proc takes a
        // few reads.
        return withUnsafeTemporaryAllocation(byteCount: 8 << 10, alignment: 8) { buffer in
            while true {
                let filled = cfamctl_getdents64(fd, buffer.baseAddress!, UInt(buffer.count))
                if filled < 0 {
                    if errno == EINTR { continue }
                    return .failure(Errno(rawValue: errno))
                }
                if filled == 0 { return .success(entries) }
                var offset = 0
                while offset + nameOffset <= filled {
                    let record = UnsafeRawBufferPointer(rebasing: buffer[offset..<Int(filled)])
                    let length = Int(record.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
                    guard length > nameOffset, length <= record.count else { return .failure(.ioError) }
                    let name = Array(record[nameOffset..<length].prefix { $0 != 0 })
                    if name != [0x2e] && name != [0x2e, 0x2e] { entries.append(DirectoryEntry(name: name, type: record[18])) }
                    offset += length
                }
            }
        }
    }

    /// The entries of the directory at `path` (links followed: the caller chose it).
    public static func listDirectory(_ path: String) -> Result<[DirectoryEntry], Errno> {
        switch open(path, flags: O_RDONLY | O_DIRECTORY) {
        case .success(let fd):
            defer { close(fd) }
            return readEntries(fd)
        case .failure(let code):
            return .failure(code)
        }
    }

    /// `name` NUL-terminated in a temporary buffer (on the stack for a name of a usual length),
    /// for the calls above that take a C string. Inlinable, so that it is specialised for the
    /// caller's collection: generic, it looked up type metadata on every call.
    @inlinable
    public static func withCName<R>(_ name: some Collection<UInt8>, _ body: (UnsafePointer<CChar>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: name.count + 1) { buffer in
            UnsafeMutableRawBufferPointer(buffer).copyBytes(from: name)
            buffer[buffer.count - 1] = 0
            return body(buffer.baseAddress!)
        }
    }
}
