// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SystemPackage

// Every system call the device layer makes, in one place, each retried on EINTR where the
// call can be interrupted. They return the value or the errno.

typealias FileStatus = Glibc.stat

enum Syscall {
    static func open(_ path: String, flags: Int32, mode: mode_t = 0) -> Result<Int32, Errno> {
        retrying { Glibc.open(path, flags | O_CLOEXEC, mode) }
    }

    static func status(_ path: String) -> Result<FileStatus, Errno> {
        var info = FileStatus()
        return stat(path, &info) == 0 ? .success(info) : .failure(Errno(rawValue: errno))
    }

    static func fileStatus(_ fd: Int32) -> Result<FileStatus, Errno> {
        var info = FileStatus()
        return fstat(fd, &info) == 0 ? .success(info) : .failure(Errno(rawValue: errno))
    }

    static func lock(_ fd: Int32, _ operation: Int32) -> Result<Int32, Errno> {
        retrying { flock(fd, operation) }
    }

    static func ftruncate(_ fd: Int32, _ length: Int64) -> Result<Int32, Errno> {
        retrying { Glibc.ftruncate(fd, off_t(length)) }
    }

    /// Deallocates a range of a regular file, keeping its size (the range then reads as
    /// zeros): FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE.
    static func punchHole(_ fd: Int32, offset: UInt64, length: UInt64) -> Result<Int32, Errno> {
        guard let fallocate else { return .failure(.notSupported) }
        return retrying { fallocate(fd, 0x02 | 0x01, Int64(offset), Int64(length)) }
    }

    /// Allocates blocks for a range of a regular file without changing its size
    /// (FALLOC_FL_KEEP_SIZE): later stores through a mapping of the range need no new blocks.
    static func preallocate(_ fd: Int32, offset: UInt64, length: UInt64) -> Result<Int32, Errno> {
        guard let fallocate else { return .failure(.notSupported) }
        return retrying { fallocate(fd, 0x01, Int64(offset), Int64(length)) }
    }

    /// glibc's `fallocate`, looked up at run time: the Glibc module does not export it (it is
    /// declared only under _GNU_SOURCE).
    private static let fallocate: (@convention(c) (Int32, Int32, Int64, Int64) -> Int32)? = {
        guard let symbol = dlsym(nil, "fallocate") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32, Int64, Int64) -> Int32).self)
    }()

    /// An anonymous memory file (MFD_CLOEXEC), sparse like tmpfs.
    static func memfdCreate(_ name: String) -> Result<Int32, Errno> {
        guard let memfdCreate else { return .failure(.notSupported) }
        return retrying { memfdCreate(name, 1) }
    }

    /// glibc's `memfd_create`, looked up at run time for the same reason as `fallocate`.
    private static let memfdCreate: (@convention(c) (UnsafePointer<CChar>, UInt32) -> Int32)? = {
        guard let symbol = dlsym(nil, "memfd_create") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafePointer<CChar>, UInt32) -> Int32).self)
    }()

    static func fsync(_ fd: Int32) -> Result<Int32, Errno> {
        retrying { Glibc.fsync(fd) }
    }

    static func mmap(_ fd: Int32, offset: UInt64, length: Int, writable: Bool,
                     populate: Bool = false) -> Result<UnsafeMutableRawPointer, Errno> {
        let protection = writable ? PROT_READ | PROT_WRITE : PROT_READ
        let pointer = Glibc.mmap(nil, length, protection, MAP_SHARED | (populate ? MAP_POPULATE : 0), fd, off_t(offset))
        guard let pointer, pointer != MAP_FAILED else { return .failure(Errno(rawValue: errno)) }
        return .success(pointer)
    }

    static func msync(_ pointer: UnsafeMutableRawPointer, length: Int) -> Result<Int32, Errno> {
        Glibc.msync(pointer, length, MS_SYNC) == 0 ? .success(0) : .failure(Errno(rawValue: errno))
    }

    static func munmap(_ pointer: UnsafeMutableRawPointer, length: Int) {
        _ = Glibc.munmap(pointer, length)
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    static func retrying(_ call: () -> Int32) -> Result<Int32, Errno> {
        while true {
            let rc = call()
            if rc >= 0 { return .success(rc) }
            if errno != EINTR { return .failure(Errno(rawValue: errno)) }
        }
    }
}

/// The text of an errno, e.g. "No such file or directory".
func errnoDescription(_ code: Int32) -> String {
    String(cString: strerror(code))
}
