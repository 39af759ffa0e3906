// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension LogEntry {
    /// What a reader needs from the superblock to judge an entry's extents.
    public struct Geometry: Equatable, Sendable {
        public var allocationUnit: UInt64
        public var deviceSize: UInt64
        /// End of the superblock region and log; no extent may start below it.
        public var metadataEnd: UInt64

        public init(_ superblock: Superblock) {
            allocationUnit = superblock.allocationUnit
            deviceSize = superblock.deviceSize
            metadataEnd = superblock.logOffset + superblock.logLength
        }

        /// Whether `value` is a multiple of the allocation unit: by mask where the unit is a
        /// power of two (every unit famfs accepts), since a division per extent shows in
        /// scans of large logs.
        func isAligned(_ value: UInt64) -> Bool {
            let unit = allocationUnit
            return unit != 0 && unit & (unit &- 1) == 0 ? value & (unit &- 1) == 0 : value % unit == 0
        }
    }

    /// Decodes and checks slot `index`: seqnum, CRC, then the body (path field, extent type
    /// and counts, every extent on device 0, AU-aligned, non-empty, inside the device and past
    /// the metadata). Never traps, whatever the bytes.
    public static func validate(
        _ slot: UnsafeRawBufferPointer, index: UInt64, geometry: Geometry
    ) -> Result<LogEntry, EntryProblem> {
        if let problem = check(slot, index: index, geometry: geometry) { return .failure(problem) }
        return .success(decodeChecked(slot))
    }

    /// The first problem of slot `index`, or nil when it is valid; allocates nothing unless
    /// there is a problem, so scans can run it over every slot of a large log. `crc` is the
    /// slot's CRC when the caller computed it already (while copying the slot).
    static func check(_ slot: UnsafeRawBufferPointer, index: UInt64, geometry: Geometry, crc: UInt32? = nil) -> EntryProblem? {
        let seqnum = slot.u64(at: 0)
        guard seqnum == index else { return .badSeqnum(expected: index, found: seqnum) }
        let stored = storedCRC(slot)
        let computed = crc ?? computeCRC(slot)
        guard stored == UInt64(computed) else { return .badCRC(stored: stored, computed: computed) }
        switch EntryType(rawValue: slot.u32(at: 8)) {
        case .file:
            return checkPath(slot, at: 40) ?? checkExtents(slot, geometry: geometry)
        case .mkdir:
            return checkPath(slot, at: 28)
        case .addDaxdev, .delete, nil:
            return nil
        }
    }

    /// Decodes a slot that `check` found valid.
    static func decodeChecked(_ bytes: UnsafeRawBufferPointer) -> LogEntry {
        let slot = CheckedSlot(bytes: bytes)
        let body: Body
        switch slot.entryType {
        case .file:
            body = .file(FileEntry(
                size: slot.fileSize, flags: slot.flags, uid: slot.uid, gid: slot.gid, mode: slot.mode, path: slot.path,
                extents: decodeExtents(bytes)))
        case .mkdir:
            body = .directory(DirectoryEntry(uid: slot.uid, gid: slot.gid, mode: slot.mode, path: slot.path))
        case .addDaxdev:
            body = .addDaxdev(AddDaxdevEntry(
                deviceSize: bytes.u64(at: 16), deviceUUID: bytes.uuid(at: 24), deviceIndex: bytes.u32(at: 40)))
        case .delete, nil:
            body = .other(type: slot.type)
        }
        return LogEntry(seqnum: slot.seqnum, body: body)
    }

    private static func decodeExtents(_ slot: UnsafeRawBufferPointer) -> FileEntry.Extents {
        let extents = Array(CheckedSlot.Extents(slot))
        if let chunkSize = CheckedSlot(bytes: slot).chunkSize { return .interleaved(chunkSize: chunkSize, strips: extents) }
        return .simple(extents)
    }

    /// Calls `body` with every extent of a FILE slot that `check` found valid, reading the
    /// bytes in place (no arrays), for scans that only count and mark.
    static func forEachExtent(_ slot: UnsafeRawBufferPointer, _ body: (SimpleExtent) -> Void) {
        for extent in CheckedSlot.Extents(slot) { body(extent) }
    }

    /// Where the extents of a FILE slot start and how many there are, as the slot claims.
    fileprivate static func extentTable(_ slot: UnsafeRawBufferPointer) -> (first: Int, count: Int) {
        slot.u32(at: 120) == 1
            ? (152, Int(min(slot.u64(at: 136), UInt64(maxStrips))))
            : (136, Int(min(slot.u32(at: 128), UInt32(maxSimpleExtents))))
    }

    private static func checkExtents(_ slot: UnsafeRawBufferPointer, geometry: Geometry) -> EntryProblem? {
        let extentType = slot.u32(at: 120)
        let count = slot.u32(at: 128)
        switch extentType {
        case 0:
            guard (1...UInt32(maxSimpleExtents)).contains(count) else {
                return .badExtentCount(count, allowed: "1...\(maxSimpleExtents) simple extents")
            }
        case 1:
            guard count == 1 else { return .badExtentCount(count, allowed: "1 interleaved extent") }
            let nstrips = slot.u64(at: 136)
            guard (1...UInt64(maxStrips)).contains(nstrips) else { return .badStripCount(nstrips) }
            let chunkSize = slot.u64(at: 144)
            guard chunkSize != 0, geometry.isAligned(chunkSize) else { return .badChunkSize(chunkSize) }
        default:
            return .badExtentType(extentType)
        }
        let (first, extents) = extentTable(slot)
        for j in 0..<extents {
            if let problem = check(SimpleExtent(decoding: slot, at: first + 24 * j), geometry: geometry) {
                return problem
            }
        }
        return nil
    }

    private static func check(_ extent: SimpleExtent, geometry: Geometry) -> EntryProblem? {
        guard extent.deviceIndex == 0 else { return .badDeviceIndex(extent.deviceIndex) }
        guard extent.length > 0 else { return .emptyExtent(offset: extent.offset) }
        guard geometry.isAligned(extent.offset), geometry.isAligned(extent.length) else {
            return .misalignedExtent(offset: extent.offset, length: extent.length, unit: geometry.allocationUnit)
        }
        guard extent.offset >= geometry.metadataEnd else {
            return .extentInMetadata(offset: extent.offset, metadataEnd: geometry.metadataEnd)
        }
        let (end, overflow) = extent.offset.addingReportingOverflow(extent.length)
        guard !overflow, end <= geometry.deviceSize else {
            return .extentBeyondDevice(offset: extent.offset, length: extent.length, deviceSize: geometry.deviceSize)
        }
        return nil
    }

    /// The path field: NUL-terminated within 80 bytes, non-empty, relative.
    private static func checkPath(_ slot: UnsafeRawBufferPointer, at offset: Int) -> EntryProblem? {
        precondition(offset + pathFieldSize <= slot.count, "path field outside the slot")
        // memchr, not firstIndex: this runs for every entry of a log.
        guard let found = memchr(slot.baseAddress! + offset, 0, pathFieldSize) else { return .unterminatedPath }
        let nul = UnsafeRawPointer(found) - slot.baseAddress!
        guard nul > offset else { return .emptyPath }
        guard slot[offset] != UInt8(ascii: "/") else { return .absolutePath(Array(slot[offset..<nul])) }
        return nil
    }
}

/// Why a log entry is bad. fsck counts it; logplay and the allocator skip it.
public enum EntryProblem: Error, Equatable, Sendable, CustomStringConvertible {
    case badSeqnum(expected: UInt64, found: UInt64)
    case badCRC(stored: UInt64, computed: UInt32)
    case unterminatedPath
    case emptyPath
    case absolutePath([UInt8])
    case badExtentType(UInt32)
    case badExtentCount(UInt32, allowed: String)
    case badStripCount(UInt64)
    case badChunkSize(UInt64)
    case badDeviceIndex(UInt64)
    case emptyExtent(offset: UInt64)
    case misalignedExtent(offset: UInt64, length: UInt64, unit: UInt64)
    case extentInMetadata(offset: UInt64, metadataEnd: UInt64)
    case extentBeyondDevice(offset: UInt64, length: UInt64, deviceSize: UInt64)

    public var description: String {
        switch self {
        case .badSeqnum(let expected, let found):
            return "bad seqnum; expect \(expected) found \(found)"
        case .badCRC(let stored, let computed):
            return "bad crc (stored 0x\(hex(stored)), computed 0x\(hex(UInt64(computed))))"
        case .unterminatedPath:
            return "path field has no terminating NUL within 80 bytes"
        case .emptyPath:
            return "empty path"
        case .absolutePath(let path):
            return "path is not relative: \(FamfsPath.escaped(path))"
        case .badExtentType(let type):
            return "invalid extent type \(type) (expected 0 simple or 1 interleaved)"
        case .badExtentCount(let count, let allowed):
            return "invalid extent count \(count) (expected \(allowed))"
        case .badStripCount(let count):
            return "invalid strip count \(count) (expected 1...\(LogEntry.maxStrips))"
        case .badChunkSize(let size):
            return "invalid chunk size \(size) (expected a non-zero multiple of the allocation unit)"
        case .badDeviceIndex(let index):
            return "extent on device index \(index) (only device 0 exists)"
        case .emptyExtent(let offset):
            return "extent at 0x\(hex(offset)) has length 0"
        case .misalignedExtent(let offset, let length, let unit):
            return "extent 0x\(hex(offset)) length 0x\(hex(length)) is not aligned to the allocation unit 0x\(hex(unit))"
        case .extentInMetadata(let offset, let end):
            return "extent at 0x\(hex(offset)) overlaps the superblock and log (which end at 0x\(hex(end)))"
        case .extentBeyondDevice(let offset, let length, let size):
            return "extent 0x\(hex(offset)) length 0x\(hex(length)) reaches past the device end (\(size) bytes)"
        }
    }
}

/// A slot that `LogEntry.check` found valid, read in place: what a replay of a large log needs
/// of each entry (type, owner, mode, size), without decoding it into a `LogEntry`, whose path
/// and extents are arrays allocated and freed per entry. Valid while its bytes are.
struct CheckedSlot {
    let bytes: UnsafeRawBufferPointer

    var seqnum: UInt64 { bytes.u64(at: 0) }
    var type: UInt32 { bytes.u32(at: 8) }
    var entryType: LogEntry.EntryType? { LogEntry.EntryType(rawValue: type) }

    // FILE: size 16, flags 24, uid 28, gid 32, mode 36, path 40. MKDIR: uid 16, gid 20, mode 24,
    // path 28. Inlined, each read is a load and the FILE test a compare: a --shadow replay
    // reads them twice per file.
    @inline(__always) private var fieldOffset: Int { type == LogEntry.EntryType.file.rawValue ? 28 : 16 }
    var fileSize: UInt64 { bytes.u64(at: 16) }
    @inline(__always) var uid: UInt32 { bytes.u32(at: fieldOffset) }
    @inline(__always) var gid: UInt32 { bytes.u32(at: fieldOffset + 4) }
    @inline(__always) var mode: UInt32 { bytes.u32(at: fieldOffset + 8) }
    var flags: UInt32 { bytes.u32(at: 24) }
    /// The path of a FILE or MKDIR slot.
    var path: [UInt8] { Array(pathBytes) }
    /// The path of a FILE or MKDIR slot in place, without its NUL.
    var pathBytes: UnsafeRawBufferPointer { LogWindows.loggedPath(bytes, at: fieldOffset + 12) }

    /// A FILE slot's chunk size when its extent is interleaved, nil for simple extents.
    var chunkSize: UInt64? { bytes.u32(at: 120) == 1 ? bytes.u64(at: 144) : nil }
    /// A FILE slot's simple extents, or the strips of its interleaved one.
    var extents: Extents { Extents(bytes) }

    /// The extents of a FILE slot, read in place: a shadow document or an allocation bitmap
    /// needs them one by one, not in an array allocated per entry.
    struct Extents: RandomAccessCollection {
        let slot: UnsafeRawBufferPointer
        let first: Int
        let count: Int

        init(_ slot: UnsafeRawBufferPointer) {
            self.slot = slot
            (first, count) = LogEntry.extentTable(slot)
        }

        var startIndex: Int { 0 }
        var endIndex: Int { count }
        subscript(index: Int) -> SimpleExtent {
            precondition(index >= 0 && index < count, "extent index out of range")
            return SimpleExtent(decoding: slot, at: first + 24 * index)
        }
    }

    /// The FILE entry, decoded (its extents), for what needs all of it.
    var file: FileEntry {
        guard case .file(let file) = LogEntry.decodeChecked(bytes).body else { preconditionFailure("not a FILE slot") }
        return file
    }
}
