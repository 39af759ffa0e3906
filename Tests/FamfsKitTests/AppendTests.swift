// SPDX-License-Identifier: Apache-2.0
import FamctlTestSupport
import Foundation
import Testing
@testable import FamfsKit

@Suite struct AppendTests {
    static func directory(_ path: String) -> LogEntry.Body {
        .directory(DirectoryEntry(uid: 0, gid: 0, mode: 0o755, path: Array(path.utf8)))
    }

    static func slot(_ image: String, _ index: Int) throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: image))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(0x20_0030 + 544 * index))
        return Array(try handle.read(upToCount: 544) ?? Data())
    }

    @Test func entriesAreWrittenFlushedThenCounted() throws {
        let image = try Fixture.imageFile("empty-8g", size: 8 << 30)
        defer { try? FileManager.default.removeItem(atPath: image) }
        var steps: [OpenedLog.AppendStep] = []
        do {
            let log = try OpenedLog(path: image, access: .append)
            try log.append([Self.directory("a"), Self.directory("b")]) { steps.append($0) }
            #expect(log.header.nextIndex == 2)
        }
        #expect(steps == [.entryWritten(index: 0), .entryWritten(index: 1), .entriesFlushed, .headerAdvanced, .headerFlushed])
        let reopened = try OpenedLog(path: image, access: .read)
        #expect(reopened.header.nextIndex == 2)
        #expect(reopened.header.nextSeqnum == 2)
        #expect(try reopened.scan().entries.map(\.body) == [Self.directory("a"), Self.directory("b")])
        #expect(try Self.slot(image, 1) == LogEntry(seqnum: 1, body: Self.directory("b")).encoded)
    }

    @Test func aFullLogTakesNothingMore() throws {
        let image = try Fixture.imageFile("empty-8g", size: 8 << 30)
        defer { try? FileManager.default.removeItem(atPath: image) }
        do {
            // The writer's exclusive lock must be gone before the file is reopened below.
            let log = try OpenedLog(path: image, access: .append)
            try log.append((0..<15419).map { Self.directory("d\($0)") })
            #expect(throws: AppendError.logFull(device: image, used: 15419, slots: 15420, needed: 2)) {
                try log.append([Self.directory("x"), Self.directory("y")])
            }
            try log.append([Self.directory("last")])
            #expect(throws: AppendError.logFull(device: image, used: 15420, slots: 15420, needed: 1)) { try log.append([Self.directory("z")]) }
        }
        #expect(AppendError.logFull(device: "fs.img", used: 15420, slots: 15420, needed: 1).description
            == "fs.img: log full (15420 of 15420 entries used)")
        let scan = try OpenedLog(path: image, access: .read).scan()
        #expect(scan.entries.count == 15420)
        #expect(scan.badEntries.isEmpty)
    }

    @Test func onlyTheOwnerMayAppend() throws {
        let image = try Fixture.imageFile("empty-8g", size: 8 << 30)
        defer { try? FileManager.default.removeItem(atPath: image) }
        let log = try OpenedLog(path: image, access: .append)
        let owner = try #require(FamfsUUID(Fixture.systemUUID))
        try log.requireOwner(systemUUID: owner, systemUUIDPath: "f")
        let stranger = try #require(FamfsUUID("11111111-2222-4333-8444-555555555555"))
        #expect(throws: AppendError.notOwner(device: image, owner: owner, host: stranger, systemUUIDPath: "f")) {
            try log.requireOwner(systemUUID: stranger, systemUUIDPath: "f")
        }
        #expect(throws: AppendError.notOwner(device: image, owner: owner, host: nil, systemUUIDPath: "f")) {
            try log.requireOwner(systemUUID: nil, systemUUIDPath: "f")
        }
    }

    @Test func aReadOnlyOpenCannotAppend() throws {
        let image = try Fixture.imageFile("empty-8g", size: 8 << 30)
        defer { try? FileManager.default.removeItem(atPath: image) }
        let log = try OpenedLog(path: image, access: .read)
        #expect(throws: AppendError.io(.notOpenForWriting(path: image))) { try log.append([Self.directory("a")]) }
    }

    @Test func aLaggingSeqnumIsRepairedByTheNextAppend() throws {
        let image = try Fixture.imageFile("ref-8g", size: 8 << 30)
        defer { try? FileManager.default.removeItem(atPath: image) }
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: image))
        try handle.seek(toOffset: 0x20_0020)
        try handle.write(contentsOf: Data([7, 0, 0, 0, 0, 0, 0, 0]))
        try handle.close()
        do {
            let log = try OpenedLog(path: image, access: .append)
            #expect(log.header.seqnumMismatch)
            try log.append([Self.directory("x")])
            #expect(!log.header.seqnumMismatch)
        }
        let scan = try OpenedLog(path: image, access: .read).scan()
        #expect(scan.entries.last?.seqnum == 9)
        #expect(scan.badEntries.isEmpty)
    }

    @Test func invalidFileSystemsAreRefusedWithTheReason() throws {
        let image = try Fixture.imageFile("var-bad-sb-crc", size: 8 << 30)
        defer { try? FileManager.default.removeItem(atPath: image) }
        #expect(throws: VolumeError.superblock(path: image, .crcMismatch(stored: 0xf743_ffa8, computed: 0xf743_ffa9))) {
            try OpenedLog(path: image, access: .append)
        }
        #expect(throws: VolumeError.device(.isDirectory(path: "/tmp"))) { try OpenedLog(path: "/tmp", access: .read) }
    }
}
