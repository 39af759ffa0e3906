// SPDX-License-Identifier: Apache-2.0
import CFamfs
import Dispatch
import Glibc

/// A target that holds a famfs file system: a char dax device or a regular image file.
///
/// Char dax devices support only `mmap` (no read/write), in ranges aligned to the device's
/// alignment; image files are mapped the same way (page aligned), so one code path serves
/// both. Opening never writes.
public final class FamfsDevice {
    public enum Kind: Equatable, Sendable {
        /// A regular file; `size` is its length.
        case imageFile
        /// A char dax device (`daxX.Y`) bound to `device_dax`; `size` comes from sysfs.
        case charDax(name: String)
        /// A block device such as `/dev/pmem0`; `size` comes from sysfs.
        case blockDevice(name: String)

        /// Whether writes go through the page cache (msync and fsync make them durable) rather
        /// than straight to memory (CPU cache write-back does).
        public var isBuffered: Bool {
            if case .charDax = self { return false }
            return true
        }
    }

    /// The path as given.
    public let path: String
    public let kind: Kind
    /// Bytes addressable on the target (file length, or the dax device's size).
    public let size: UInt64
    /// Mappings start and end on multiples of this.
    public let mappingAlignment: UInt64
    public let writable: Bool
    let fd: Int32
    /// Writes the CPU cache lines over a range of a char dax mapping back to memory; tests
    /// replace it to see what a flush writes back.
    var cacheWriteBack: (UnsafeRawPointer, Int) -> Void = { cfamfs_flush_cache($0, $1) }

    init(path: String, kind: Kind, size: UInt64, mappingAlignment: UInt64, writable: Bool, fd: Int32) {
        self.path = path
        self.kind = kind
        self.size = size
        self.mappingAlignment = mappingAlignment
        self.writable = writable
        self.fd = fd
    }

    deinit { Syscall.close(fd) }

    /// Maps [offset, offset + length) of the target. The range must lie inside the target:
    /// touching a mapping past the end of a file would raise SIGBUS. `populate` maps all its
    /// pages in the call, for a range about to be read whole: one system call instead of a
    /// page fault per few pages. (Pages it cannot map, say of a file truncated meanwhile, are
    /// left for the guarded read to report.)
    public func map(offset: UInt64, length: UInt64, writable: Bool = false,
                    populate: Bool = false) throws(DeviceError) -> MappedRegion {
        let (end, overflow) = offset.addingReportingOverflow(length)
        guard !overflow, end <= size else {
            throw .tooShort(path: path, size: size, needed: end)
        }
        guard !writable || self.writable else { throw .notOpenForWriting(path: path) }
        let start = offset / mappingAlignment * mappingAlignment
        let mappedEnd = (end + mappingAlignment - 1) / mappingAlignment * mappingAlignment
        // Safe: the range lies within a target whose size fits the address space once mapped.
        let mappedLength = Int(mappedEnd - start)
        switch Syscall.mmap(fd, offset: start, length: mappedLength, writable: writable, populate: populate) {
        case .success(let base):
            return MappedRegion(
                base: base, mappedLength: mappedLength, skip: Int(offset - start), length: Int(length), device: self,
                offset: offset)
        case .failure(let code):
            throw .mapFailed(path: path, offset: start, length: UInt64(mappedLength), errno: code.rawValue)
        }
    }

    /// Takes a `flock` on the target: exclusive for writers, shared for readers. Blocks
    /// until the lock is granted; released when the device is closed.
    public func lock(exclusive: Bool) throws(DeviceError) {
        if case .failure(let code) = Syscall.lock(fd, exclusive ? LOCK_EX : LOCK_SH) {
            throw .lockFailed(path: path, errno: code.rawValue)
        }
    }

    /// Flushes written data of an image file or block device to stable storage. A dax device
    /// has nothing buffered in the kernel (and no fsync): its regions' `flush` is all it needs.
    public func synchronize() throws(DeviceError) {
        guard kind.isBuffered else { return }
        if case .failure(let code) = Syscall.fsync(fd) { throw .syncFailed(path: path, errno: code.rawValue) }
    }
}

/// A mapped range of a `FamfsDevice`; unmapped when released.
///
/// The bytes are reached only by copying in or out through `cfamfs_guarded_copy`: a page
/// that faults because the file was truncated, could not get blocks or the device went
/// away becomes a `DeviceError` naming the target instead of a SIGBUS that kills the
/// process. Every reader and writer of famfs metadata (superblock, log header, log scans,
/// fsck windows, appends, mkfs) goes through a `MappedRegion`, so all of them are covered.
public final class MappedRegion {
    private let base: UnsafeMutableRawPointer
    private let mappedLength: Int
    /// Kept open for `reserve` (and so for as long as the mapping).
    private let device: FamfsDevice
    /// Where `bytes` starts in the target.
    private let offset: UInt64
    /// Char dax memory: writes become visible by CPU cache write-back, not msync.
    private let writesBackCaches: Bool
    /// The requested range (the mapping itself may start earlier and end later).
    private let bytes: UnsafeMutableRawBufferPointer

    init(base: UnsafeMutableRawPointer, mappedLength: Int, skip: Int, length: Int, device: FamfsDevice, offset: UInt64) {
        self.base = base
        self.mappedLength = mappedLength
        self.device = device
        self.offset = offset
        writesBackCaches = !device.kind.isBuffered
        bytes = UnsafeMutableRawBufferPointer(start: base + skip, count: length)
    }

    deinit { Syscall.munmap(base, length: mappedLength) }

    /// Length of the requested range.
    public var count: Int { bytes.count }

    /// A copy of `range` (relative to the requested range; all of it when nil).
    public func read(_ range: Range<Int>? = nil) throws(DeviceError) -> [UInt8] {
        let range = range ?? 0..<bytes.count
        var failure: DeviceError?
        let copy = [UInt8](unsafeUninitializedCapacity: range.count) { buffer, count in
            do throws(DeviceError) { try read(range, into: UnsafeMutableRawBufferPointer(buffer)) } catch { failure = error }
            count = failure == nil ? range.count : 0
        }
        if let failure { throw failure }
        return copy
    }

    /// Copies `range` (relative to the requested range) to the start of `buffer`.
    public func read(_ range: Range<Int>, into buffer: UnsafeMutableRawBufferPointer) throws(DeviceError) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "read outside the mapping")
        precondition(buffer.count >= range.count, "read into a buffer shorter than the range")
        guard !range.isEmpty else { return }
        // A long copy (a whole log for `FamfsVolume.scan`) is made in pieces over all cores,
        // each guarded on its own thread: the copy is a large part of a scan, and on one core
        // it would hold up the parallel checks that follow.
        let pieces = max(1, min(Self.copyPieces, range.count / Self.minimumPiece))
        let pieceLength = (range.count + pieces - 1) / pieces
        @Sendable func piece(_ k: Int) -> Range<Int> {
            range.lowerBound + k * pieceLength..<min(range.upperBound, range.lowerBound + (k + 1) * pieceLength)
        }
        let source = UncheckedSendable(UnsafeRawPointer(bytes.baseAddress!))
        let destination = UncheckedSendable(buffer.baseAddress! - range.lowerBound)
        let failed = UncheckedSendable(UnsafeMutablePointer<Bool>.allocate(capacity: pieces))
        defer { failed.value.deallocate() }
        let copy: @Sendable (Int) -> Void = { k in
            let part = piece(k)
            (failed.value + k).initialize(
                to: cfamfs_guarded_copy(destination.value + part.lowerBound, source.value + part.lowerBound, part.count) != 0)
        }
        if pieces > 1 { DispatchQueue.concurrentPerform(iterations: pieces, execute: copy) } else { copy(0) }
        if let first = (0..<pieces).first(where: { failed.value[$0] }) { throw fault(piece(first), writing: false) }
    }

    /// Copies `count` log slots from `position` (relative to the requested range) to
    /// `destination` and stores each slot's CRC (of the bytes the entry CRC covers) in
    /// `crcs`, in one guarded pass: a scan reads the mapping once, and checks the copy while
    /// it is in the cache.
    func copySlots(at position: Int, count: Int, to destination: UnsafeMutableRawPointer,
                   crcs: UnsafeMutablePointer<UInt32>) throws(DeviceError) {
        let length = count * Int(LogEntry.size)
        precondition(position >= 0 && position + length <= bytes.count, "read outside the mapping")
        guard count > 0 else { return }
        if cfamfs_guarded_copy_slots(destination, bytes.baseAddress! + position, count, Int(LogEntry.size),
                                     LogEntry.crcOffset, crcs) != 0 {
            throw fault(position..<position + length, writing: false)
        }
    }

    /// Pieces a long copy is split into (a few per core, so that a busy core holds up
    /// little), each at least `minimumPiece` bytes.
    private static let copyPieces = 4
    private static let minimumPiece = 256 << 10

    /// Copies `source` into the mapping at `position` (relative to the requested range).
    public func write(_ source: [UInt8], at position: Int) throws(DeviceError) {
        precondition(position >= 0 && position + source.count <= bytes.count, "write outside the mapping")
        guard !source.isEmpty else { return }
        let status = source.withUnsafeBytes { cfamfs_guarded_copy(bytes.baseAddress! + position, $0.baseAddress!, $0.count) }
        if status != 0 { throw fault(position..<position + source.count, writing: true) }
    }

    /// Sets the whole range to zero.
    public func zero() throws(DeviceError) {
        guard bytes.count > 0 else { return }
        if cfamfs_guarded_fill(bytes.baseAddress!, 0, bytes.count) != 0 { throw fault(0..<bytes.count, writing: true) }
    }

    /// Makes sure `range` (relative to the requested range) has blocks before it is written
    /// through the mapping, so that a full file system is reported as ENOSPC here rather than
    /// as a SIGBUS at the store: image files only (a device has its memory). Only a lack of
    /// space is reported; a file system that cannot preallocate (the meta files of a mounted
    /// famfs, some network file systems) says so in other ways, and is left to the guarded
    /// store.
    public func reserve(_ range: Range<Int>) throws(DeviceError) {
        guard device.kind == .imageFile, !range.isEmpty else { return }
        let start = offset + UInt64(range.lowerBound)
        switch Syscall.preallocate(device.fd, offset: start, length: UInt64(range.count)) {
        case .failure(let code) where code == .noSpace || code == .diskQuotaExceeded:
            throw .writeFailed(path: device.path, offset: start, length: UInt64(range.count), errno: code.rawValue)
        case .success, .failure:
            return
        }
    }

    private func fault(_ range: Range<Int>, writing: Bool) -> DeviceError {
        .accessFault(path: device.path, offset: offset + UInt64(range.lowerBound), length: UInt64(range.count), writing: writing)
    }

    /// Makes the writes in `range` (relative to the requested range) durable and visible:
    /// msync of the dirty pages for an image file, CPU cache write-back for a dax device
    /// (whose driver has no fsync, so msync would fail there).
    public func flush(_ range: Range<Int>? = nil) throws(DeviceError) {
        let range = range ?? 0..<bytes.count
        if writesBackCaches {
            device.cacheWriteBack(bytes.baseAddress! + range.lowerBound, range.count)
            return
        }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let skip = bytes.baseAddress! - base
        let start = (skip + range.lowerBound) / page * page
        let end = skip + range.upperBound
        if case .failure(let code) = Syscall.msync(base + start, length: end - start) {
            throw .syncFailed(path: device.path, errno: code.rawValue)
        }
    }
}

public enum DeviceError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound(path: String)
    case cannotOpen(path: String, errno: Int32)
    case isDirectory(path: String)
    case unsupportedType(path: String, type: String)
    case notInSysfs(path: String, sysfsPath: String)
    /// The dax device is not bound to device_dax; `mode` is daxctl's name for what it is.
    case wrongMode(device: String, mode: String)
    case tooShort(path: String, size: UInt64, needed: UInt64)
    case notOpenForWriting(path: String)
    case mapFailed(path: String, offset: UInt64, length: UInt64, errno: Int32)
    case lockFailed(path: String, errno: Int32)
    case syncFailed(path: String, errno: Int32)
    case resizeFailed(path: String, size: UInt64, errno: Int32)
    /// Blocks for a range about to be written could not be reserved (ENOSPC, EDQUOT).
    case writeFailed(path: String, offset: UInt64, length: UInt64, errno: Int32)
    /// A page of the mapping raised SIGBUS: the target shrank or went away under it, or (when
    /// writing) its file system had no block for it.
    case accessFault(path: String, offset: UInt64, length: UInt64, writing: Bool)

    public var description: String {
        switch self {
        case .notFound(let path):
            return "\(path): no such file or device"
        case .cannotOpen(let path, let code):
            return "\(path): cannot open: \(errnoDescription(code))"
        case .isDirectory(let path):
            return "\(path): is a directory (expected a dax device or an image file)"
        case .unsupportedType(let path, let type):
            return "\(path): is a \(type) (expected a char dax device such as /dev/dax0.0 or a regular image file)"
        case .notInSysfs(let path, let sysfsPath):
            return "\(path): not a dax device (no \(sysfsPath))"
        case .wrongMode(let device, let mode) where mode == "famfs":
            // In famfs mode read gives EINVAL and mmap ENODEV (docs/kernel-7.2-fsdev.md).
            return "\(device) is in famfs mode, where the kernel gives no access to its media; add -M/--set-daxmode to "
                + "switch it to devdax for the command and back to famfs, or switch it yourself "
                + "(famctl reconfigure-device -m devdax \(device))"
        case .wrongMode(let device, let mode):
            return "\(device) is in \(mode) mode; switch it to devdax (famctl reconfigure-device -m devdax \(device))"
        case .tooShort(let path, let size, let needed):
            return "\(path): too short (\(size) bytes, needs at least \(needed))"
        case .notOpenForWriting(let path):
            return "\(path): opened read-only"
        case .mapFailed(let path, let offset, let length, let code):
            return "\(path): cannot map \(length) bytes at offset 0x\(hex(offset)): \(errnoDescription(code))"
        case .lockFailed(let path, let code):
            return "\(path): cannot lock: \(errnoDescription(code))"
        case .syncFailed(let path, let code):
            return "\(path): cannot flush writes: \(errnoDescription(code))"
        case .resizeFailed(let path, let size, let code):
            return "\(path): cannot set the size to \(size) bytes: \(errnoDescription(code))"
        case .writeFailed(let path, let offset, let length, let code):
            return "cannot write \(path): \(errnoDescription(code)) (reserving \(length) bytes at offset 0x\(hex(offset)))"
        case .accessFault(let path, let offset, let length, let writing):
            return "cannot \(writing ? "write" : "read") \(path): bus error in the \(length) bytes at offset "
                + "0x\(hex(offset)); the image was truncated or its file system is full, or the device went away, "
                + "while in use"
        }
    }
}
