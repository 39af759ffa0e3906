import CZlib
import Testing
@testable import FamfsKit

/// The folding CRC kernel that fsck's scans run must agree with zlib's crc32 everywhere.
@Suite struct FsckCRCTests {
    @Test func agreesWithZlibOnEveryLengthAndAlignment() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<1300).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes.withUnsafeBytes { all in
            for start in 0..<3 {
                for length in 0..<(all.count - start) {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<start + length])
                    let zlib = UInt32(crc32(0, slice.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt32(length)))
                    if CRC32.checksum(slice) != zlib {
                        Issue.record("crc of \(length) bytes at +\(start) differs from zlib's")
                        return
                    }
                }
            }
        }
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array(repeating: 0, count: 536)) == UInt32(crc32(0, [UInt8](repeating: 0, count: 536), 536)))
    }

    @Test func theKernelIsUsedOnThisMachine() {
        #if arch(x86_64)
        // Every x86-64 server famfs runs on has PCLMULQDQ; a silent fallback would cost 4x.
        #expect(CRC32.folding)
        #endif
    }
}
