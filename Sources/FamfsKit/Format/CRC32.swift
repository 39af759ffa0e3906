// SPDX-License-Identifier: Apache-2.0
import CFamfs
import CZlib

/// CRC-32/ISO-HDLC (zlib's `crc32`, the function upstream famfs uses). On media the 32-bit
/// value is stored zero-extended in a u64.
public enum CRC32 {
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        if folding { return cfamfs_crc32(base, bytes.count) }
        // Safe: famfs checksums at most 536 bytes at a time, far below UInt32's range.
        return UInt32(truncatingIfNeeded: crc32(0, base, UInt32(bytes.count)))
    }

    /// Whether the CPU runs the carry-less-multiplication kernel (decided once).
    static let folding = cfamfs_crc32_fold_available() != 0

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
