// SPDX-License-Identifier: Apache-2.0
import CFamfs
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
                    // The 128-bit fold that CPUs without VPCLMULQDQ run on long inputs too.
                    if cfamfs_crc32_fold_available() != 0, cfamfs_crc32_narrow(slice.baseAddress?.assumingMemoryBound(to: UInt8.self), length) != zlib {
                        Issue.record("narrow crc of \(length) bytes at +\(start) differs from zlib's")
                        return
                    }
                }
            }
        }
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array(repeating: 0, count: 536)) == UInt32(crc32(0, [UInt8](repeating: 0, count: 536), 536)))
    }

    /// The log scan's copy (the fold stores the blocks it loads; short inputs are copied, then
    /// checksummed): each slot's CRC over its first `covered` bytes as zlib computes it, and
    /// the copy exact, tail included.
    @Test(arguments: [1, 2, 3, 8, 9])
    func slotCopiesAgreeWithZlib(count: Int) {
        var generator = SystemRandomNumberGenerator()
        for (size, covered) in [(544, 536), (64, 60), (544, 40)] {
            let source = (0..<count * size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var copy = [UInt8](repeating: 0, count: source.count)
            var crcs = [UInt32](repeating: 0, count: count)
            let status = copy.withUnsafeMutableBytes { to in
                source.withUnsafeBytes { cfamfs_guarded_copy_slots(to.baseAddress, $0.baseAddress, count, size, covered, &crcs) }
            }
            #expect(status == 0)
            #expect(copy == source)
            let zlib = (0..<count).map { slot in
                source.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress! + slot * size, UInt32(covered))) }
            }
            #expect(crcs == zlib, "slots of \(size) bytes, \(covered) covered")
        }
    }

    @Test func theKernelIsUsedOnThisMachine() {
        #if arch(x86_64)
        // Every x86-64 server famfs runs on has PCLMULQDQ; a silent fallback would cost 4x.
        #expect(cfamfs_crc32_fold_available() != 0)
        #endif
        // The 512-bit fold wherever the CPU has it (the agreement test above then covers it).
        #expect(cfamfs_crc32_wide_available() != 0 || !Self.cpuFlags.contains("vpclmulqdq") || !Self.cpuFlags.contains("avx512f"))
    }

    /// The flags the kernel reports for the first CPU (empty where there is no /proc/cpuinfo).
    static var cpuFlags: Set<Substring> {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: " "))
    }

    /// One cache write-back a flush asked for: the first byte of its range (which tells where
    /// the range starts), its length, and how many cache lines were written back.
    struct WriteBack: Equatable {
        var first: UInt8
        var count: Int
        var lines: Int
    }

    /// Device dax has no fsync, so msync fails there: a dax mapping's flush writes back the
    /// CPU cache lines that hold the range and fences, and synchronize has nothing to do.
    /// Reading the bytes back cannot show whether that happened (the caches are coherent; a
    /// read sees the data either way, as another host would not), so the test records the
    /// write-backs issued and counts the lines. Exercised on a file opened as if it were a
    /// dax device; a regular image is flushed by msync instead.
    @Test func daxMappingsFlushByCacheWriteBack() throws {
        let path = try Fixture.imageFile("empty-8g")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDWR)
        #expect(fd >= 0)
        let device = FamfsDevice(path: path, kind: .charDax(name: "dax0.0"), size: 10 << 20,
                                 mappingAlignment: 2 << 20, writable: true, fd: fd)
        var writeBacks: [WriteBack] = []
        device.cacheWriteBack = { start, count in
            writeBacks.append(WriteBack(first: start.load(as: UInt8.self), count: count, lines: cfamfs_flush_cache(start, count)))
        }
        // 544 bytes starting 48 bytes into a cache line (the mapping starts on a 2 MiB
        // boundary): lines 0 to 9 hold them.
        let region = try device.map(offset: 0x20_0000 + 48, length: 544, writable: true)
        let pattern = (0..<544).map { UInt8(truncatingIfNeeded: $0 * 7 + 1) }
        try region.write(pattern, at: 0)
        try region.flush()
        try region.flush(100..<101)
        try region.flush(10..<30)
        try device.synchronize()
        #if arch(x86_64)
        #expect(writeBacks == [
            WriteBack(first: pattern[0], count: 544, lines: 10),
            WriteBack(first: pattern[100], count: 1, lines: 1),
            WriteBack(first: pattern[10], count: 20, lines: 2),
        ])
        #endif
        #expect(try MkfsTests.bytes(path, 0x20_0000 + 48..<0x20_0000 + 48 + 544) == pattern)

        let imageFD = open(path, O_RDWR)
        #expect(imageFD >= 0)
        let image = FamfsDevice(path: path, kind: .imageFile, size: 10 << 20, mappingAlignment: 4096, writable: true, fd: imageFD)
        image.cacheWriteBack = { _, _ in Issue.record("an image file's mapping is flushed by msync, not cache write-back") }
        let file = try image.map(offset: 0x20_0000, length: 64, writable: true)
        try file.write(Array(repeating: 0xa5, count: 64), at: 0)
        try file.flush()
    }
}
