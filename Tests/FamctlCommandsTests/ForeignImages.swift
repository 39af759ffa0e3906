// SPDX-License-Identifier: Apache-2.0
import CZlib
import FamctlTestSupport
import Foundation
import Testing

/// 8 GiB sparse images holding another file system, partition table or RAID member, made
/// by the distribution's own tools. A missing tool fails the test: scripts/test.sh installs
/// e2fsprogs, xfsprogs, dosfstools, fdisk and gdisk.
struct ForeignImage: CustomTestStringConvertible, Sendable {
    static let uuid = "0f3c5a5e-1111-4222-8333-444455556666"

    var name: String
    /// The tool and its arguments; the image path comes last.
    var command: [String]
    /// What mkfs names, e.g. `an ext4 file system (label "data", UUID ...)`.
    var found: String

    var testDescription: String { name }

    static let ext4 = ForeignImage(name: "ext4", command: ["mkfs.ext4", "-q", "-F", "-L", "data", "-U", uuid],
                                   found: "an ext4 file system (label \"data\", UUID \(uuid))")
    static let xfs = ForeignImage(name: "xfs", command: ["mkfs.xfs", "-q", "-L", "data", "-m", "uuid=\(uuid)"],
                                  found: "an xfs file system (label \"data\", UUID \(uuid))")
    static let vfat = ForeignImage(name: "vfat", command: ["mkfs.vfat", "-n", "DATA", "-i", "1234ABCD"],
                                   found: "a vfat file system (label \"DATA\", UUID 1234-ABCD)")
    /// GPT: the protective MBR, the primary header and entries at the start, the backup at the end.
    static let gpt = ForeignImage(name: "gpt", command: ["sgdisk", "-o", "-U", uuid, "-n", "1:0:0"],
                                  found: "a gpt partition table (UUID \(uuid))")
    static let all = [ext4, xfs, vfat, gpt]

    /// Makes the image `name.img` in `scratch`, `size` bytes (sparse) before the tool runs.
    func make(in scratch: Scratch, size: UInt64 = 8 << 30, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let image = try scratch.file("\(name).img", size: size)
        let tool = try Self.tool(command[0], sourceLocation: sourceLocation)
        let result = try ChildProcess.run(tool, Array(command.dropFirst()) + [image])
        try #require(result.status == 0, "\(command[0]) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return image
    }

    static func tool(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        let found = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map { URL(fileURLWithPath: "\($0)/\(name)") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        return try #require(found, "\(name) is not installed (scripts/test.sh installs it)", sourceLocation: sourceLocation)
    }

    /// An md 0.90 superblock (a RAID member whose metadata sits only at the end of the device,
    /// 64 KiB-aligned, 64 KiB before it) on a sparse image: mdadm needs the kernel's md
    /// driver to make one, so it is written field by field.
    static func md090(in scratch: Scratch, size: UInt64 = 8 << 30) throws -> String {
        let image = try scratch.file("md.img", size: size)
        var superblock = Data(count: 4096)
        func store(_ value: UInt32, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { superblock.replaceSubrange(offset..<offset + 4, with: $0) }
        }
        store(0xa92b_4efc, at: 0)  // md_magic
        store(0, at: 4)  // major_version
        store(90, at: 8)  // minor_version
        // set_uuid0 (at 20) and set_uuid1-3 (at 52): blkid prints each word's value in hex.
        for (offset, word) in zip([20, 52, 56, 60], [0x0f3c_5a5e, 0x1111_4222, 0x8333_4444, 0x5555_6666] as [UInt32]) {
            store(word, at: offset)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: image))
        defer { try? handle.close() }
        try handle.seek(toOffset: (size & ~0xffff) - 0x1_0000)
        try handle.write(contentsOf: superblock)
        return image
    }

    static let md090Found = "a linux_raid_member RAID signature (UUID \(uuid))"

    /// A digest of the image's first 12 MiB and last 12 MiB (where every signature and famfs's
    /// metadata live), to prove it unchanged.
    static func digest(_ path: String) throws -> [UInt] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size - min(size, 12 << 20))
        let tail = try handle.readToEnd() ?? Data()
        let tailDigest = tail.withUnsafeBytes { crc32(0, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt32($0.count)) }
        return [try Scratch.digest(path), tailDigest]
    }
}
