// SPDX-License-Identifier: Apache-2.0
// Field-by-field little-endian access to on-media bytes. Loads are unaligned-safe, so encoders
// never depend on Swift struct layout or buffer alignment.

extension UnsafeRawBufferPointer {
    @inline(__always)
    func u32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    func u64(at offset: Int) -> UInt64 {
        UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The 16 bytes at `offset` as a UUID (stored in text order, no byte swapping).
    func uuid(at offset: Int) -> FamfsUUID {
        FamfsUUID(bytes: Array(self[offset..<offset + 16]))
    }

    /// A NUL-padded string field: the bytes up to the first NUL, or the whole field.
    func cString(at offset: Int, fieldSize: Int) -> [UInt8] {
        let field = self[offset..<offset + fieldSize]
        return Array(field.prefix { $0 != 0 })
    }
}

extension UnsafeMutableRawBufferPointer {
    @inline(__always)
    func setU32(_ value: UInt32, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
    }

    @inline(__always)
    func setU64(_ value: UInt64, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt64.self)
    }

    func setUUID(_ uuid: FamfsUUID, at offset: Int) {
        for (i, byte) in uuid.bytes.enumerated() { self[offset + i] = byte }
    }

    /// Writes `bytes` NUL-padded into a field of `fieldSize`; the caller guarantees room for
    /// a terminating NUL.
    func setCString(_ bytes: [UInt8], at offset: Int, fieldSize: Int) {
        precondition(bytes.count < fieldSize, "string field overflow")
        for i in 0..<fieldSize { self[offset + i] = i < bytes.count ? bytes[i] : 0 }
    }
}
