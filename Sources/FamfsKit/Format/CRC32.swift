import CZlib

/// CRC-32/ISO-HDLC (zlib's `crc32`, the function upstream famfs uses). On media the 32-bit
/// value is stored zero-extended in a u64.
public enum CRC32 {
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return 0 }
        // Safe: famfs checksums at most 536 bytes at a time, far below UInt32's range.
        let value = crc32(0, base.assumingMemoryBound(to: UInt8.self), UInt32(bytes.count))
        return UInt32(truncatingIfNeeded: value)
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
