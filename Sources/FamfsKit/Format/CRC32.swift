import CFamfsCRC
import CZlib

/// CRC-32/ISO-HDLC (zlib's `crc32`, the function upstream famfs uses). On media the 32-bit
/// value is stored zero-extended in a u64.
public enum CRC32 {
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard var base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        var count = bytes.count
        var value: UInt32 = 0
        if folding, count >= 64 {
            // The folding kernel takes whole 16-byte blocks and zlib's inverted register.
            let blocks = count & ~15
            value = ~cfamfs_crc32_fold(~value, base, blocks)
            base += blocks
            count -= blocks
        }
        // Safe: famfs checksums at most 536 bytes at a time, far below UInt32's range.
        return UInt32(truncatingIfNeeded: crc32(UInt(value), base, UInt32(count)))
    }

    /// Whether the CPU runs the carry-less-multiplication kernel (decided once).
    static let folding = cfamfs_crc32_fold_available() != 0

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
