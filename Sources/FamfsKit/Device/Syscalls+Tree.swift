// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SystemPackage

// The directory-relative calls logplay uses to build a tree without following symlinks.

extension Syscall {
    static func openat(_ directory: Int32, _ name: [UInt8], flags: Int32, mode: mode_t = 0) -> Result<Int32, Errno> {
        retrying { withCName(name) { Glibc.openat(directory, $0, flags | O_CLOEXEC | O_NOFOLLOW, mode) } }
    }

    static func mkdirat(_ directory: Int32, _ name: [UInt8], mode: mode_t) -> Result<Int32, Errno> {
        withCName(name) { Glibc.mkdirat(directory, $0, mode) } == 0 ? .success(0) : .failure(Errno(rawValue: errno))
    }

    /// Status of `name` itself (a symlink is reported as a symlink).
    static func lstatat(_ directory: Int32, _ name: [UInt8]) -> Result<FileStatus, Errno> {
        var info = FileStatus()
        let rc = withCName(name) { Glibc.fstatat(directory, $0, &info, AT_SYMLINK_NOFOLLOW) }
        return rc == 0 ? .success(info) : .failure(Errno(rawValue: errno))
    }

    static func fchmod(_ fd: Int32, mode: mode_t) -> Result<Int32, Errno> {
        Glibc.fchmod(fd, mode) == 0 ? .success(0) : .failure(Errno(rawValue: errno))
    }

    /// The process's umask (reading it means setting it; it is put back at once).
    static func currentUmask() -> mode_t {
        let mask = Glibc.umask(0o022)
        Glibc.umask(mask)
        return mask
    }

    static func fchown(_ fd: Int32, uid: uid_t, gid: gid_t) -> Result<Int32, Errno> {
        Glibc.fchown(fd, uid, gid) == 0 ? .success(0) : .failure(Errno(rawValue: errno))
    }

    /// Writes all of `bytes`, at the file offset or, given `offset`, there (pwrite).
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: UInt64? = nil) -> Result<Int32, Errno> {
        var done = 0
        while done < bytes.count {
            let source = bytes.baseAddress! + done
            let n = offset.map { Glibc.pwrite(fd, source, bytes.count - done, off_t($0) + off_t(done)) }
                ?? Glibc.write(fd, source, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(Errno(rawValue: errno))
            }
            done += n
        }
        return .success(0)
    }

    /// Reads up to `limit` bytes from the start of `fd`.
    static func readAll(_ fd: Int32, limit: Int) -> Result<[UInt8], Errno> {
        var buffer = [UInt8](repeating: 0, count: limit)
        var done = 0
        while done < limit {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, limit - done) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(Errno(rawValue: errno))
            }
            if n == 0 { break }
            done += n
        }
        return .success(Array(buffer[0..<done]))
    }

    /// The names in directory `fd` with their `d_type` (`DT_UNKNOWN` where the file system
    /// does not say), without `.` and `..`; `fd` itself stays open and unchanged.
    static func listDirectory(_ fd: Int32) -> Result<[[UInt8]: UInt8], Errno> {
        let copy = Glibc.dup(fd)
        guard copy >= 0 else { return .failure(Errno(rawValue: errno)) }
        guard let stream = Glibc.fdopendir(copy) else {
            let code = errno
            Glibc.close(copy)
            return .failure(Errno(rawValue: code))
        }
        defer { Glibc.closedir(stream) }
        Glibc.rewinddir(stream)
        var names: [[UInt8]: UInt8] = [:]
        while let entry = Glibc.readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name == [0x2e] || name == [0x2e, 0x2e] { continue }
            names[name] = entry.pointee.d_type
        }
        return .success(names)
    }

    /// Raises the soft limit on open descriptors to the hard limit (at most `cap`) and
    /// returns the soft limit now in force.
    static func raiseDescriptorLimit(cap: UInt64) -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        let wanted = min(UInt64(limit.rlim_max), cap)
        if UInt64(limit.rlim_cur) < wanted {
            var raised = limit
            raised.rlim_cur = rlim_t(wanted)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return wanted }
        }
        return UInt64(limit.rlim_cur)
    }

    private static func withCName<R>(_ name: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
        (name + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }
}
