// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing
@testable import FamfsKit

/// Mappings that go bad under their readers and writers (the image truncated after it was
/// opened) become errors naming the image, never SIGBUS.
@Suite struct MappingFaultTests {
    static func truncatedAfterOpening(_ access: OpenedLog.Access) throws -> (String, OpenedLog) {
        let image = try Fixture.imageFile("ref-8g", size: 8 << 30)
        let log = try OpenedLog(path: image, access: access)
        #expect(truncate(image, 0x20_0000) == 0)
        return (image, log)
    }

    @Test func aScanOfATruncatedImageIsAReadError() throws {
        let (image, log) = try Self.truncatedAfterOpening(.read)
        defer { try? FileManager.default.removeItem(atPath: image) }
        let error = #expect(throws: VolumeError.self) { try log.scan() }
        guard case .device(.accessFault(image, 0x20_0000, _, writing: false))? = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(error?.description.hasPrefix("cannot read \(image): bus error in the ") == true)
    }

    @Test func fsckOfATruncatedImageIsAReadError() throws {
        let (image, log) = try Self.truncatedAfterOpening(.read)
        defer { try? FileManager.default.removeItem(atPath: image) }
        let error = #expect(throws: DeviceError.self) { try FsckChecker.check(log.volume, systemUUID: nil) }
        guard case .accessFault(image, 0x20_0030, _, writing: false)? = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
    }

    /// The store of an append into a page the file no longer has: a write error, and the
    /// header (past the end too) is never advanced.
    @Test func anAppendToATruncatedImageIsAWriteError() throws {
        let (image, log) = try Self.truncatedAfterOpening(.append)
        defer { try? FileManager.default.removeItem(atPath: image) }
        let body = LogEntry.Body.directory(DirectoryEntry(uid: 0, gid: 0, mode: 0o755, path: Array("x".utf8)))
        let nextIndex = log.header.nextIndex
        let error = #expect(throws: AppendError.self) { try log.append([body]) }
        guard case .io(.accessFault(image, _, 544, writing: true))? = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(log.header.nextIndex == nextIndex)
    }

    /// A long read is copied in pieces on several threads: the pieces land in place, and a
    /// file that now ends partway is a fault in the piece holding its end (not a SIGBUS on a
    /// worker thread).
    @Test func aLongReadIsCopiedInPiecesAndAFaultNamesThePiece() throws {
        let image = try Fixture.imageFile("empty-8g", size: 4 << 20)
        defer { try? FileManager.default.removeItem(atPath: image) }
        let pattern = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 % 251) }
        try Data(pattern).write(to: URL(fileURLWithPath: image))
        let region = try DeviceOpener().open(image, writable: false).map(offset: 0, length: 4 << 20)
        #expect(try region.read() == pattern)
        #expect(truncate(image, 3 << 20) == 0)
        let error = #expect(throws: DeviceError.self) { try region.read() }
        // Four pieces of 1 MiB: only the last lies past the end.
        guard case .accessFault(image, 3 << 20, 1 << 20, writing: false)? = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
    }

    /// A region read and written while its file still covers it copies exactly.
    @Test func guardedCopiesMoveTheBytes() throws {
        let image = try Fixture.imageFile("empty-8g")
        defer { try? FileManager.default.removeItem(atPath: image) }
        let device = try DeviceOpener().open(image, writable: true)
        let region = try device.map(offset: 0x20_0000 + 100, length: 4000, writable: true)
        try region.write([1, 2, 3], at: 3997)
        #expect(try region.read(3996..<4000) == [0, 1, 2, 3])
        try region.zero()
        #expect(try region.read() == [UInt8](repeating: 0, count: 4000))
        #expect(try region.read(5..<5) == [])
    }
}
