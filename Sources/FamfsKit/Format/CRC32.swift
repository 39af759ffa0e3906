// SPDX-License-Identifier: Apache-2.0
import CFamfs

/// CRC-32/ISO-HDLC (zlib's `crc32`, the function upstream famfs uses). On media the 32-bit
/// value is stored zero-extended in a u64. Computed by CFamfs (folding where the CPU can, a
/// table elsewhere), so famctl does not load zlib at every start for this one function.
public enum CRC32 {
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        return cfamfs_crc32_any(base, bytes.count)
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
