// SPDX-License-Identifier: Apache-2.0
/// The famfs superblock, at device offset 0.
///
/// ```
///   0  magic        u64   0x87b282ff
///   8  version      u64   47 or 48
///  16  log_offset   u64   0x200000
///  24  log_len      u64
///  32  alloc_unit   u64   0x200000 (readers accept 4096)
///  40  omf_major    u32   2
///  44  omf_minor    u32   1 (v47) or 2 (v48)
///  48  fs_uuid      16 bytes
///  64  dev_uuid     16 bytes
///  80  system_uuid  16 bytes
///  96  sb_crc       u64   CRC-32 of bytes [0, 96), zero-extended
/// 104  sb_flags     u32   (not covered by the CRC, nor are the fields below)
/// 108  padding      u32
/// 112  dd_size      u64   device size in bytes
/// 120  dd_uuid      16 bytes
/// 136  dd_name      char[64], NUL-padded
/// 200  end
/// ```
public struct Superblock: Equatable, Sendable {
    public static let size = 200
    /// Bytes covered by the CRC.
    static let crcCoverage = 96
    /// dd_name holds at most 63 bytes plus a NUL when famctl writes it.
    public static let deviceNameFieldSize = 64

    public var magic: UInt64 = Famfs.superblockMagic
    public var version: UInt64 = Famfs.currentVersion
    public var logOffset: UInt64 = Famfs.logOffset
    public var logLength: UInt64 = Famfs.defaultLogLength
    public var allocationUnit: UInt64 = Famfs.allocationUnit
    public var omfMajor: UInt32 = Famfs.omfMajor
    public var omfMinor: UInt32 = Famfs.omfMinor(forVersion: Famfs.currentVersion)
    public var fsUUID: FamfsUUID = .zero
    public var deviceUUID: FamfsUUID = .zero
    public var systemUUID: FamfsUUID = .zero
    /// The stored CRC; `encode` writes the computed one.
    public var crc: UInt64 = 0
    public var flags: UInt32 = 0
    public var deviceSize: UInt64 = 0
    public var ddUUID: FamfsUUID = .zero
    /// Raw bytes of dd_name up to the first NUL.
    public var deviceName: [UInt8] = []

    public init() {}

    /// Decodes the first `Superblock.size` bytes of `bytes`.
    public init(decoding bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count >= Self.size, "superblock needs \(Self.size) bytes")
        magic = bytes.u64(at: 0)
        version = bytes.u64(at: 8)
        logOffset = bytes.u64(at: 16)
        logLength = bytes.u64(at: 24)
        allocationUnit = bytes.u64(at: 32)
        omfMajor = bytes.u32(at: 40)
        omfMinor = bytes.u32(at: 44)
        fsUUID = bytes.uuid(at: 48)
        deviceUUID = bytes.uuid(at: 64)
        systemUUID = bytes.uuid(at: 80)
        crc = bytes.u64(at: 96)
        flags = bytes.u32(at: 104)
        deviceSize = bytes.u64(at: 112)
        ddUUID = bytes.uuid(at: 120)
        deviceName = bytes.cString(at: 136, fieldSize: Self.deviceNameFieldSize)
    }

    /// Writes the superblock into the first `Superblock.size` bytes of `bytes`, every byte
    /// not named here zero, with a freshly computed CRC.
    public func encode(into bytes: UnsafeMutableRawBufferPointer) {
        precondition(bytes.count >= Self.size, "superblock needs \(Self.size) bytes")
        for i in 0..<Self.size { bytes[i] = 0 }
        bytes.setU64(magic, at: 0)
        bytes.setU64(version, at: 8)
        bytes.setU64(logOffset, at: 16)
        bytes.setU64(logLength, at: 24)
        bytes.setU64(allocationUnit, at: 32)
        bytes.setU32(omfMajor, at: 40)
        bytes.setU32(omfMinor, at: 44)
        bytes.setUUID(fsUUID, at: 48)
        bytes.setUUID(deviceUUID, at: 64)
        bytes.setUUID(systemUUID, at: 80)
        bytes.setU64(UInt64(Self.computeCRC(bytes)), at: 96)
        bytes.setU32(flags, at: 104)
        // 108: padding, zero.
        bytes.setU64(deviceSize, at: 112)
        bytes.setUUID(ddUUID, at: 120)
        bytes.setCString(deviceName, at: 136, fieldSize: Self.deviceNameFieldSize)
    }

    /// The encoded 200 bytes.
    public var encoded: [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.size)
        out.withUnsafeMutableBytes { encode(into: $0) }
        return out
    }

    /// CRC-32 of the first 96 bytes of an encoded superblock.
    public static func computeCRC(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<crcCoverage]))
    }

    static func computeCRC(_ bytes: UnsafeMutableRawBufferPointer) -> UInt32 {
        computeCRC(UnsafeRawBufferPointer(bytes))
    }

    /// dd_name as text (lossy for non-UTF-8 bytes).
    public var deviceNameString: String { String(decoding: deviceName, as: UTF8.self) }
}

extension Superblock {
    /// Checks the superblock as a reader must (magic, version, CRC, alloc unit, OMF major,
    /// log placement, device size at least the metadata and at most
    /// `Famfs.maximumAllocationUnits` units), in that order; `bytes` are the encoded superblock so the
    /// CRC is checked over exactly what is on the media.
    public static func validate(_ bytes: UnsafeRawBufferPointer) -> Result<Superblock, SuperblockProblem> {
        let sb = Superblock(decoding: bytes)
        guard sb.magic == Famfs.superblockMagic else { return .failure(.noMagic(found: sb.magic)) }
        guard Famfs.supportedVersions.contains(sb.version) else {
            return .failure(.unsupportedVersion(sb.version))
        }
        let computed = computeCRC(bytes)
        guard sb.crc == UInt64(computed) else {
            return .failure(.crcMismatch(stored: sb.crc, computed: computed))
        }
        guard Famfs.acceptedAllocationUnits.contains(sb.allocationUnit) else {
            return .failure(.invalidAllocationUnit(sb.allocationUnit))
        }
        guard sb.omfMajor == Famfs.omfMajor else { return .failure(.unsupportedOMF(major: sb.omfMajor)) }
        guard sb.logOffset == Famfs.logOffset else { return .failure(.invalidLogOffset(sb.logOffset)) }
        guard Famfs.isValidLogLength(sb.logLength) else { return .failure(.invalidLogLength(sb.logLength)) }
        guard sb.deviceSize >= sb.logOffset + sb.logLength else {
            return .failure(.deviceTooSmall(deviceSize: sb.deviceSize, needed: sb.logOffset + sb.logLength))
        }
        guard sb.deviceSize / sb.allocationUnit <= Famfs.maximumAllocationUnits else {
            return .failure(.deviceTooLarge(deviceSize: sb.deviceSize, allocationUnit: sb.allocationUnit))
        }
        return .success(sb)
    }
}

/// Why a superblock is not usable, in the order readers check.
public enum SuperblockProblem: Error, Equatable, Sendable, CustomStringConvertible {
    case noMagic(found: UInt64)
    case unsupportedVersion(UInt64)
    case crcMismatch(stored: UInt64, computed: UInt32)
    case invalidAllocationUnit(UInt64)
    case unsupportedOMF(major: UInt32)
    case invalidLogOffset(UInt64)
    case invalidLogLength(UInt64)
    case deviceTooSmall(deviceSize: UInt64, needed: UInt64)
    case deviceTooLarge(deviceSize: UInt64, allocationUnit: UInt64)

    public var description: String {
        switch self {
        case .noMagic(let found):
            return "no famfs superblock (magic 0x\(hex(found)), expected 0x\(hex(Famfs.superblockMagic)))"
        case .unsupportedVersion(let version):
            return "superblock version \(version) is not supported (supported: 47, 48)"
        case .crcMismatch(let stored, let computed):
            return "crc mismatch in superblock (stored 0x\(hex(stored)), computed 0x\(hex(UInt64(computed))))"
        case .invalidAllocationUnit(let unit):
            return "invalid alloc unit in superblock: \(unit) (expected 4096 or 2097152)"
        case .unsupportedOMF(let major):
            return major == 1
                ? "OMF 1.x file systems are not supported"
                : "unsupported OMF major version \(major) (expected 2)"
        case .invalidLogOffset(let offset):
            return "invalid log offset in superblock: 0x\(hex(offset)) (expected 0x200000)"
        case .invalidLogLength(let length):
            return "invalid log length in superblock: \(length) (expected a power of two >= 8 MiB)"
        case .deviceTooSmall(let size, let needed):
            return "superblock device size \(size) is smaller than the metadata (\(needed) bytes)"
        case .deviceTooLarge(let size, let unit):
            return "superblock device size \(size) is more than \(Famfs.maximumAllocationUnits) allocation units of \(unit) bytes (corrupt dd_size?)"
        }
    }
}

func hex(_ value: UInt64) -> String { String(value, radix: 16) }
