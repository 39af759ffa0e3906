// SPDX-License-Identifier: Apache-2.0
import CFamctlPlatform
import Glibc
import SystemPackage

// Every system call famctl makes on descriptors, in one place. swift-system's FileDescriptor
// serves what it has (open, resize, stat); the wrappers here cover what it lacks (mmap,
// msync, flock, fallocate, memfd_create, close_range and, in Syscall+At.swift, the *at
// calls) or serves slowly (writeAll, called once per file by logplay --shadow). read,
// write, openat and close go through CFamctlPlatform's wrappers without glibc's
// cancellation points (cfamctl_platform.h says why). They return the value or the errno,
// and retry on EINTR where the call can be interrupted.

public typealias FileStatus = Glibc.stat

public enum Syscall {
    // Paths go to the kernel as given (C strings, not FilePath, which would normalize away a
    // trailing slash or a doubled separator the kernel gives a meaning to).

    /// Opens `path` close-on-exec with the raw `O_*` flags.
    public static func open(_ path: String, flags: Int32, mode: mode_t = 0) -> Result<Int32, Errno> {
        calling {
            try path.withCString { name in
                try FileDescriptor.open(
                    name, FileDescriptor.AccessMode(rawValue: flags & O_ACCMODE),
                    options: FileDescriptor.OpenOptions(rawValue: flags & ~O_ACCMODE).union(.closeOnExec),
                    permissions: FilePermissions(rawValue: mode)
                ).rawValue
            }
        }
    }

    public static func status(_ path: String) -> Result<FileStatus, Errno> {
        calling { try path.withCString { try Stat($0).rawValue } }
    }

    public static func fileStatus(_ fd: Int32) -> Result<FileStatus, Errno> {
        Result { () throws(Errno) in try FileDescriptor(rawValue: fd).stat().rawValue }
    }

    public static func lock(_ fd: Int32, _ operation: Int32) -> Result<Int32, Errno> {
        retrying { flock(fd, operation) }
    }

    public static func ftruncate(_ fd: Int32, _ length: Int64) -> Result<Int32, Errno> {
        calling {
            try FileDescriptor(rawValue: fd).resize(to: length)
            return 0
        }
    }

    /// Deallocates a range of a regular file, keeping its size (the range then reads as
    /// zeros).
    public static func punchHole(_ fd: Int32, offset: UInt64, length: UInt64) -> Result<Int32, Errno> {
        retrying { cfamctl_fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, Int64(offset), Int64(length)) }
    }

    /// Allocates blocks for a range of a regular file without changing its size: later
    /// stores through a mapping of the range need no new blocks.
    public static func preallocate(_ fd: Int32, offset: UInt64, length: UInt64) -> Result<Int32, Errno> {
        retrying { cfamctl_fallocate(fd, FALLOC_FL_KEEP_SIZE, Int64(offset), Int64(length)) }
    }

    /// An anonymous memory file, close-on-exec, sparse like tmpfs.
    public static func memfdCreate(_ name: String) -> Result<Int32, Errno> {
        retrying { cfamctl_memfd_create(name, UInt32(MFD_CLOEXEC)) }
    }

    public static func fsync(_ fd: Int32) -> Result<Int32, Errno> {
        retrying { Glibc.fsync(fd) }
    }

    public static func mmap(_ fd: Int32, offset: UInt64, length: Int, writable: Bool,
                            populate: Bool = false) -> Result<UnsafeMutableRawPointer, Errno> {
        let protection = writable ? PROT_READ | PROT_WRITE : PROT_READ
        let pointer = Glibc.mmap(nil, length, protection, MAP_SHARED | (populate ? MAP_POPULATE : 0), fd, off_t(offset))
        guard let pointer, pointer != MAP_FAILED else { return .failure(Errno(rawValue: errno)) }
        return .success(pointer)
    }

    public static func msync(_ pointer: UnsafeMutableRawPointer, length: Int) -> Result<Int32, Errno> {
        Glibc.msync(pointer, length, MS_SYNC) == 0 ? .success(0) : .failure(Errno(rawValue: errno))
    }

    public static func munmap(_ pointer: UnsafeMutableRawPointer, length: Int) {
        _ = Glibc.munmap(pointer, length)
    }

    public static func close(_ fd: Int32) {
        _ = cfamctl_close(fd)
    }

    /// Closes every descriptor of `fds` (open, none twice): each run of consecutive ones with
    /// one close_range(2), the others (and all, on a kernel without it) with close(2). The
    /// descriptors of files opened one after another are consecutive, so logplay --shadow
    /// closes the files it writes with a system call per batch instead of one per file.
    public static func close(_ fds: [Int32]) {
        let sorted = fds.sorted()
        var first = 0
        while first < sorted.count {
            var last = first
            while last + 1 < sorted.count, sorted[last + 1] == sorted[last] &+ 1 { last += 1 }
            if last == first || cfamctl_close_range(UInt32(sorted[first]), UInt32(sorted[last])) != 0 {
                for index in first...last { close(sorted[index]) }
            }
            first = last + 1
        }
    }

    /// Writes all of `bytes`, at the file offset or, given `offset`, there (pwrite).
    /// Plain write(2) or pwrite(2) in a loop: SystemPackage's writeAll is generic over any
    /// sequence and, not specialised for this module, copied the bytes into a new array on
    /// every call (a tenth of logplay --shadow, which writes one small file per log entry).
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: UInt64? = nil) -> Result<Int32, Errno> {
        var written = 0
        while written < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[written...])
            let count = offset.map { cfamctl_pwrite(fd, rest.baseAddress, rest.count, Int64($0) + Int64(written)) }
                ?? cfamctl_write(fd, rest.baseAddress, rest.count)
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(Errno(rawValue: errno))
            }
            written += count
        }
        return .success(0)
    }

    /// Reads from `fd` until end of file, at most `limit` bytes: the one reader of whole
    /// files (sysfs attributes, proc tables, manifests, files of a replayed tree), bounded
    /// because any of them may be a hostile file of any size. Memory grows with what is
    /// read, not with `limit`. With `shortReadEnds`, a read that returns less than it asked
    /// for is taken as the end (for a sysfs attribute, whose value the kernel produces whole
    /// in the first read): the read that would only return 0 is spared.
    public static func readAll(_ fd: Int32, limit: Int, shortReadEnds: Bool = false) -> Result<[UInt8], Errno> {
        var bytes: [UInt8] = []
        var failure: Errno?
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer in
            while bytes.count < limit {
                let asked = min(buffer.count, limit - bytes.count)
                let count = cfamctl_read(fd, buffer.baseAddress, asked)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = Errno(rawValue: errno)
                    return
                }
                if count == 0 { return }
                bytes.append(contentsOf: buffer[0..<count])
                if shortReadEnds && count < asked { return }
            }
        }
        if let failure { return .failure(failure) }
        return .success(bytes)
    }

    /// The whole content of the file at `path`, at most `limit` bytes; `flags` are added to
    /// O_RDONLY (O_NOFOLLOW, O_NONBLOCK); `shortReadEnds` as for `readAll`.
    public static func readFile(_ path: String, limit: Int, flags: Int32 = 0, shortReadEnds: Bool = false) -> Result<[UInt8], Errno> {
        switch open(path, flags: O_RDONLY | flags) {
        case .success(let fd):
            defer { close(fd) }
            return readAll(fd, limit: limit, shortReadEnds: shortReadEnds)
        case .failure(let code):
            return .failure(code)
        }
    }

    /// The process's umask (reading it means setting it; it is put back at once).
    public static func currentUmask() -> mode_t {
        let mask = Glibc.umask(0o022)
        Glibc.umask(mask)
        return mask
    }

    /// Raises the soft limit on open descriptors to the hard limit (at most `cap`) and
    /// returns the soft limit now in force.
    public static func raiseDescriptorLimit(cap: UInt64) -> UInt64 {
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

    /// `realpath(3)` of `path`, or nil when it does not resolve.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `body`'s swift-system calls as a result (they declare an untyped `throws` but throw
    /// only `Errno`).
    private static func calling<Value>(_ body: () throws -> Value) -> Result<Value, Errno> {
        do {
            return .success(try body())
        } catch {
            return .failure(error as? Errno ?? .ioError)
        }
    }

    public static func retrying(_ call: () -> Int32) -> Result<Int32, Errno> {
        while true {
            let rc = call()
            if rc >= 0 { return .success(rc) }
            if errno != EINTR { return .failure(Errno(rawValue: errno)) }
        }
    }
}

/// strerror(3)'s text for an errno, e.g. "Operation not permitted": what daxctl and upstream
/// famfs print, the one describer of both kits.
public func errnoDescription(_ code: Int32) -> String {
    Errno(rawValue: code).description
}
