// SPDX-License-Identifier: Apache-2.0
/// The log header, at device offset `log_offset`.
///
/// ```
///  0  log_magic    u64  0xbadcafef00d
///  8  log_len      u64  equals the superblock's log_len
/// 16  last_index   u64  slots − 1 (inclusive)
/// 24  log_crc      u64  CRC-32 of bytes [0, 24), zero-extended
/// 32  next_seqnum  u64  (not covered by the CRC, nor is next_index)
/// 40  next_index   u64  number of entries in use
/// 48  first slot
/// ```
public struct LogHeader: Equatable, Sendable {
    public static let size: UInt64 = 48
    static let crcCoverage = 24
    /// Offsets of the two counters an append advances.
    public static let nextSeqnumOffset = 32
    public static let nextIndexOffset = 40

    public var magic: UInt64 = Famfs.logMagic
    public var logLength: UInt64
    public var lastIndex: UInt64
    public var crc: UInt64 = 0
    public var nextSeqnum: UInt64 = 0
    public var nextIndex: UInt64 = 0

    /// An empty log header for a log of `logLength` bytes.
    public init(logLength: UInt64) {
        self.logLength = logLength
        lastIndex = Famfs.slotCount(logLength: logLength) - 1
    }

    public init(decoding bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count >= Int(Self.size), "log header needs \(Self.size) bytes")
        magic = bytes.u64(at: 0)
        logLength = bytes.u64(at: 8)
        lastIndex = bytes.u64(at: 16)
        crc = bytes.u64(at: 24)
        nextSeqnum = bytes.u64(at: 32)
        nextIndex = bytes.u64(at: 40)
    }

    /// Writes the 48 header bytes with a freshly computed CRC.
    public func encode(into bytes: UnsafeMutableRawBufferPointer) {
        bytes.setU64(magic, at: 0)
        bytes.setU64(logLength, at: 8)
        bytes.setU64(lastIndex, at: 16)
        bytes.setU64(UInt64(Self.computeCRC(UnsafeRawBufferPointer(bytes))), at: 24)
        bytes.setU64(nextSeqnum, at: 32)
        bytes.setU64(nextIndex, at: 40)
    }

    public var encoded: [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(Self.size))
        out.withUnsafeMutableBytes { encode(into: $0) }
        return out
    }

    public static func computeCRC(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<crcCoverage]))
    }

    /// Number of slots the header says the log has.
    public var slotCount: UInt64 { lastIndex &+ 1 }

    /// Checks the header against itself and the superblock (magic, CRC, length, last index,
    /// next index). A next_seqnum that differs from next_index is not fatal: see
    /// `seqnumMismatch`.
    public static func validate(
        _ bytes: UnsafeRawBufferPointer, superblock: Superblock
    ) -> Result<LogHeader, LogHeaderProblem> {
        let header = LogHeader(decoding: bytes)
        guard header.magic == Famfs.logMagic else { return .failure(.badMagic(found: header.magic)) }
        let computed = computeCRC(bytes)
        guard header.crc == UInt64(computed) else {
            return .failure(.crcMismatch(stored: header.crc, computed: computed))
        }
        guard header.logLength == superblock.logLength else {
            return .failure(.lengthMismatch(header: header.logLength, superblock: superblock.logLength))
        }
        let slots = Famfs.slotCount(logLength: header.logLength)
        guard slots > 0, header.lastIndex == slots - 1 else {
            return .failure(.badLastIndex(found: header.lastIndex, expected: slots &- 1))
        }
        guard header.nextIndex <= slots else {
            return .failure(.nextIndexBeyondLog(nextIndex: header.nextIndex, slots: slots))
        }
        return .success(header)
    }

    /// A warning: upstream keeps next_seqnum equal to next_index.
    public var seqnumMismatch: Bool { nextSeqnum != nextIndex }
}

public enum LogHeaderProblem: Error, Equatable, Sendable, CustomStringConvertible {
    case badMagic(found: UInt64)
    case crcMismatch(stored: UInt64, computed: UInt32)
    case lengthMismatch(header: UInt64, superblock: UInt64)
    case badLastIndex(found: UInt64, expected: UInt64)
    case nextIndexBeyondLog(nextIndex: UInt64, slots: UInt64)

    public var description: String {
        switch self {
        case .badMagic(let found):
            return "bad magic number in log header (0x\(hex(found)), expected 0x\(hex(Famfs.logMagic)))"
        case .crcMismatch(let stored, let computed):
            return "invalid crc in log header (stored 0x\(hex(stored)), computed 0x\(hex(UInt64(computed))))"
        case .lengthMismatch(let header, let superblock):
            return "log header length \(header) differs from the superblock's log length \(superblock)"
        case .badLastIndex(let found, let expected):
            return "log header last_index \(found) does not match the log length (expected \(expected))"
        case .nextIndexBeyondLog(let nextIndex, let slots):
            return "log header next_index \(nextIndex) is beyond the log's \(slots) slots"
        }
    }
}
