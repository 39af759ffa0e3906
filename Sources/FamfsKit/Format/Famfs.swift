// SPDX-License-Identifier: Apache-2.0
/// The famfs on-media format (superblock version 47/48, OMF 2.x), as written by upstream famfs
/// (cxl-micron-reskit/famfs).
///
/// Device layout, all integers little-endian:
///
/// ```
///  device offset
///  0x000000 ┌──────────────────────────────┐
///           │ superblock (200 bytes)       │ magic, version, log offset/length, alloc unit,
///           │                              │ OMF version, fs/dev/system UUIDs, CRC, dd_size,
///           │                              │ dd_name
///  0x0000c8 │ zero                         │
///  0x200000 ├──────────────────────────────┤ log_offset
///           │ log header (48 bytes)        │ magic, log_len, last_index, CRC, next_seqnum,
///           │                              │ next_index
///  +0x30    │ slot 0   (544 bytes)         │ seqnum, type, body (FILE | MKDIR | ADD_DAXDEV), CRC
///           │ slot 1 … slot last_index     │
///           │ tail (< 544 bytes), zero     │
///  +log_len ├──────────────────────────────┤
///           │ file data, 2 MiB units       │
///  dd_size  └──────────────────────────────┘
/// ```
public enum Famfs {
    /// Superblock magic, stored as a u64.
    public static let superblockMagic: UInt64 = 0x87b2_82ff
    /// Log header magic.
    public static let logMagic: UInt64 = 0x0bad_cafe_f00d
    /// Size of the superblock region at device offset 0.
    public static let superblockRegionSize: UInt64 = 0x20_0000
    /// Offset of the log; upstream always puts it right after the superblock region.
    public static let logOffset: UInt64 = 0x20_0000
    /// Default log length.
    public static let defaultLogLength: UInt64 = 0x80_0000
    /// Smallest valid log length; valid lengths are powers of two from here up.
    public static let minimumLogLength: UInt64 = 0x80_0000
    /// Allocation unit written by mkfs.
    public static let allocationUnit: UInt64 = 0x20_0000
    /// Allocation units readers accept.
    public static let acceptedAllocationUnits: Set<UInt64> = [4096, 0x20_0000]
    /// Most allocation units a device may have: readers rebuild a bitmap of one bit per unit
    /// (512 MiB at this limit: 8 PiB of 2 MiB units, 16 TiB of 4 KiB units). dd_size is not
    /// covered by the superblock CRC, so a corrupt one must not size that bitmap unchecked.
    public static let maximumAllocationUnits: UInt64 = 1 << 32
    /// Smallest device mkfs formats.
    public static let minimumDeviceSize: UInt64 = 4 << 30
    /// The current superblock version (OMF 2.2) and the previous one (OMF 2.1), same layout.
    public static let currentVersion: UInt64 = 48
    public static let supportedVersions: [UInt64] = [47, 48]
    /// OMF major version of both supported superblock versions.
    public static let omfMajor: UInt32 = 2

    /// OMF minor version written with a superblock version.
    public static func omfMinor(forVersion version: UInt64) -> UInt32 {
        version >= 48 ? 2 : 1
    }

    /// Number of entry slots in a log of `logLength` bytes.
    public static func slotCount(logLength: UInt64) -> UInt64 {
        logLength < LogHeader.size ? 0 : (logLength - LogHeader.size) / LogEntry.size
    }

    /// Whether `logLength` is a length mkfs may write and readers accept.
    public static func isValidLogLength(_ logLength: UInt64) -> Bool {
        logLength >= minimumLogLength && logLength & (logLength - 1) == 0
    }
}
