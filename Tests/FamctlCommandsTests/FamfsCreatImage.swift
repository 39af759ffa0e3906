// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import FamfsKit
import Foundation
import Testing

/// A famfs image made from an upstream fixture in a scratch directory, with the owner's
/// system-UUID file and a stranger's, for running mkdir, creat and logplay on.
final class FamfsImage {
    static let strangerUUID = "11111111-2222-4333-8444-555555555555"

    let scratch: Scratch
    let image: String
    let strangerUUIDFile: String

    /// `fixture`'s metadata extended to a sparse image; `deviceSize` rewrites dd_size (which
    /// the superblock CRC does not cover) for file systems larger than the fixture's 8 GiB.
    init(fixture: String = "empty-8g", deviceSize: UInt64 = 8 << 30) throws {
        scratch = try Scratch()
        var data = try Fixture.image(fixture)
        withUnsafeBytes(of: deviceSize.littleEndian) { data.replaceSubrange(112..<120, with: $0) }
        image = try scratch.file("fs.img", data, size: deviceSize)
        strangerUUIDFile = try scratch.file("stranger_uuid", Data("\(Self.strangerUUID)\n".utf8))
    }

    var ownerUUIDFile: String { scratch.systemUUIDFile }

    /// `famctl famfs <command> --system-uuid-file <owner> <arguments…>`, with `environment`
    /// added to the inherited one.
    func famfs(_ command: String, _ arguments: [String], uuidFile: String? = nil, environment: [String: String] = [:]) throws
        -> ProcessResult
    {
        try FamctlBinary.run(["famfs", command, "--system-uuid-file", uuidFile ?? ownerUUIDFile] + arguments, environment: environment)
    }

    func path(_ name: String) -> String { "\(scratch.path)/\(name)" }

    /// Bytes [offset, offset + count) of the image.
    func bytes(at offset: UInt64, count: Int) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: image))
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        return Array(try handle.read(upToCount: count) ?? Data())
    }
}

/// What fsck verifies after a writer is done (or killed): valid superblock and header,
/// counters equal, no bad entry, no allocation collision.
struct CheckedLog {
    var header: LogHeader
    var entries: [LogEntry]
    var files: [FileEntry]

    init(image: String) throws {
        let log = try OpenedLog(path: image, access: .read)
        let scan = try log.scan()
        #expect(scan.badEntries.isEmpty, "bad entries: \(scan.badEntries)")
        #expect(log.header.nextSeqnum == log.header.nextIndex)
        let bitmap = AllocationBitmap(superblock: log.superblock, scan: scan)
        #expect(bitmap.collisions == 0)
        header = log.header
        entries = scan.entries
        files = scan.entries.compactMap { if case .file(let file) = $0.body { file } else { nil } }
    }
}
