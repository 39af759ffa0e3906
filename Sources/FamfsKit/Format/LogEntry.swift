// SPDX-License-Identifier: Apache-2.0
/// One 544-byte log slot. Offsets are from the start of the slot.
///
/// ```
/// common         0 seqnum u64 (= slot index) · 8 type u32 · 12 pad · 16 body · 536 crc u64
///
/// FILE (0)      16 size u64 · 24 flags u32 (2) · 28 uid u32 · 32 gid u32 · 36 mode u32
///               40 path char[80] · 120 ext_type u32 · 124 pad · 128 ext_count u32 · 132 pad
///   simple      136 + 24·j: {devindex u64, offset u64, length u64}, j < 16
///   interleaved 136 nstrips u64 · 144 chunk_size u64 · 152 + 24·j: strip j, j < 16
/// MKDIR (1)     16 uid u32 · 20 gid u32 · 24 mode u32 · 28 path char[80] · 108 zero
/// ADD_DAXDEV(3) 16 dd_size u64 · 24 dd_uuid 16 bytes · 40 dd_index u32 · 44 zero
/// ```
///
/// The CRC covers bytes [0, 536), padding and unused extent slots included, so every writer
/// starts from a zeroed slot.
public struct LogEntry: Equatable, Sendable {
    public static let size: UInt64 = 544
    static let crcOffset = 536
    public static let pathFieldSize = 80
    /// Longest path that fits the field with its NUL.
    public static let maxPathLength = 79
    public static let maxSimpleExtents = 16
    public static let maxStrips = 16
    /// FILE flag upstream always writes: all hosts may read and write.
    public static let allHostsReadWrite: UInt32 = 2

    public enum EntryType: UInt32, Sendable {
        case file = 0
        case mkdir = 1
        case delete = 2
        case addDaxdev = 3
    }

    public var seqnum: UInt64
    public var body: Body

    public enum Body: Equatable, Sendable {
        case file(FileEntry)
        case directory(DirectoryEntry)
        case addDaxdev(AddDaxdevEntry)
        /// DELETE or an unknown type: readers warn and ignore it.
        case other(type: UInt32)
    }

    public init(seqnum: UInt64, body: Body) {
        self.seqnum = seqnum
        self.body = body
    }

    /// Stored type number of this entry.
    public var type: UInt32 {
        switch body {
        case .file: return EntryType.file.rawValue
        case .directory: return EntryType.mkdir.rawValue
        case .addDaxdev: return EntryType.addDaxdev.rawValue
        case .other(let type): return type
        }
    }

    /// Path of a FILE or MKDIR entry.
    public var path: [UInt8]? {
        switch body {
        case .file(let file): return file.path
        case .directory(let directory): return directory.path
        case .addDaxdev, .other: return nil
        }
    }

    /// Writes the whole 544-byte slot: zeroes, fields, CRC.
    public func encode(into slot: UnsafeMutableRawBufferPointer) {
        precondition(slot.count >= Int(Self.size), "a log slot has \(Self.size) bytes")
        for i in 0..<Int(Self.size) { slot[i] = 0 }
        slot.setU64(seqnum, at: 0)
        slot.setU32(type, at: 8)
        switch body {
        case .file(let file):
            slot.setU64(file.size, at: 16)
            slot.setU32(file.flags, at: 24)
            slot.setU32(file.uid, at: 28)
            slot.setU32(file.gid, at: 32)
            slot.setU32(file.mode, at: 36)
            slot.setCString(file.path, at: 40, fieldSize: Self.pathFieldSize)
            switch file.extents {
            case .simple(let extents):
                slot.setU32(0, at: 120)
                slot.setU32(UInt32(extents.count), at: 128)
                for (j, extent) in extents.enumerated() { extent.encode(into: slot, at: 136 + 24 * j) }
            case .interleaved(let chunkSize, let strips):
                slot.setU32(1, at: 120)
                slot.setU32(1, at: 128)
                slot.setU64(UInt64(strips.count), at: 136)
                slot.setU64(chunkSize, at: 144)
                for (j, strip) in strips.enumerated() { strip.encode(into: slot, at: 152 + 24 * j) }
            }
        case .directory(let directory):
            slot.setU32(directory.uid, at: 16)
            slot.setU32(directory.gid, at: 20)
            slot.setU32(directory.mode, at: 24)
            slot.setCString(directory.path, at: 28, fieldSize: Self.pathFieldSize)
        case .addDaxdev(let device):
            slot.setU64(device.deviceSize, at: 16)
            slot.setUUID(device.deviceUUID, at: 24)
            slot.setU32(device.deviceIndex, at: 40)
        case .other:
            break
        }
        slot.setU64(UInt64(Self.computeCRC(UnsafeRawBufferPointer(slot))), at: Self.crcOffset)
    }

    public var encoded: [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(Self.size))
        out.withUnsafeMutableBytes { encode(into: $0) }
        return out
    }

    public static func computeCRC(_ slot: UnsafeRawBufferPointer) -> UInt32 {
        CRC32.checksum(UnsafeRawBufferPointer(rebasing: slot[0..<crcOffset]))
    }

    /// The stored CRC of a slot.
    static func storedCRC(_ slot: UnsafeRawBufferPointer) -> UInt64 { slot.u64(at: crcOffset) }
}

public struct SimpleExtent: Equatable, Sendable {
    public var deviceIndex: UInt64
    public var offset: UInt64
    public var length: UInt64

    public init(deviceIndex: UInt64 = 0, offset: UInt64, length: UInt64) {
        self.deviceIndex = deviceIndex
        self.offset = offset
        self.length = length
    }

    init(decoding slot: UnsafeRawBufferPointer, at offset: Int) {
        deviceIndex = slot.u64(at: offset)
        self.offset = slot.u64(at: offset + 8)
        length = slot.u64(at: offset + 16)
    }

    func encode(into slot: UnsafeMutableRawBufferPointer, at offset: Int) {
        slot.setU64(deviceIndex, at: offset)
        slot.setU64(self.offset, at: offset + 8)
        slot.setU64(length, at: offset + 16)
    }
}

public struct FileEntry: Equatable, Sendable {
    public enum Extents: Equatable, Sendable {
        /// 1…16 simple extents (upstream writes exactly one).
        case simple([SimpleExtent])
        /// One interleaved extent: chunk k lives in strip k mod nstrips.
        case interleaved(chunkSize: UInt64, strips: [SimpleExtent])

        /// Every extent the file occupies on the device.
        public var ranges: [SimpleExtent] {
            switch self {
            case .simple(let extents): return extents
            case .interleaved(_, let strips): return strips
            }
        }
    }

    public var size: UInt64
    public var flags: UInt32 = LogEntry.allHostsReadWrite
    public var uid: UInt32
    public var gid: UInt32
    /// Permission bits only.
    public var mode: UInt32
    public var path: [UInt8]
    public var extents: Extents

    public init(size: UInt64, flags: UInt32 = LogEntry.allHostsReadWrite, uid: UInt32, gid: UInt32,
                mode: UInt32, path: [UInt8], extents: Extents) {
        self.size = size
        self.flags = flags
        self.uid = uid
        self.gid = gid
        self.mode = mode
        self.path = path
        self.extents = extents
    }
}

public struct DirectoryEntry: Equatable, Sendable {
    public var uid: UInt32
    public var gid: UInt32
    /// Permission bits only.
    public var mode: UInt32
    public var path: [UInt8]

    public init(uid: UInt32, gid: UInt32, mode: UInt32, path: [UInt8]) {
        self.uid = uid
        self.gid = gid
        self.mode = mode
        self.path = path
    }
}

/// OMF 2.2's record of an added device; defined upstream, written by nobody yet.
public struct AddDaxdevEntry: Equatable, Sendable {
    public var deviceSize: UInt64
    public var deviceUUID: FamfsUUID
    public var deviceIndex: UInt32
}
