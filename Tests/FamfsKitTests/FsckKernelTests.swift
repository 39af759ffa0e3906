// SPDX-License-Identifier: Apache-2.0
import CZlib
import FamctlTestSupport
import Foundation
import Testing
@testable import FamfsKit

/// The C kernels under the format layer: the folding CRC that fsck's scans run must agree
/// with zlib's crc32 everywhere; dax mappings flush by cache write-back.
@Suite struct FsckKernelTests {
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

    /// Device dax has no fsync, so msync fails there: a dax mapping's flush writes back CPU
    /// caches instead, and synchronize has nothing to do. Exercised on a file opened as if
    /// it were a dax device.
    @Test func daxMappingsFlushByCacheWriteBack() throws {
        let path = try Fixture.imageFile("empty-8g")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDWR)
        #expect(fd >= 0)
        let device = FamfsDevice(path: path, kind: .charDax(name: "dax0.0"), size: 10 << 20,
                                 mappingAlignment: 2 << 20, writable: true, fd: fd)
        let region = try device.map(offset: 0x20_0000 + 48, length: 544, writable: true)
        try region.write(Array(repeating: 0x5a, count: 544), at: 0)
        try region.flush()
        try region.flush(100..<101)
        try device.synchronize()
        let written = try MkfsTests.bytes(path, 0x20_0000 + 48..<0x20_0000 + 48 + 544)
        #expect(written == Array(repeating: 0x5a, count: 544))
    }
}
