// SPDX-License-Identifier: Apache-2.0
import CFamfs
import CZlib
import FamctlTestSupport
import Foundation
import Testing
@testable import FamfsKit

/// The streaming readers (logplay and the append planner read the log window by window, as
/// fsck does) see exactly what the whole-log `LogScan` sees, on the upstream fixtures and on
/// hostile logs; the CRCs computed while copying slots are zlib's.
@Suite struct StreamingTests {
    static let fixtures = ["ref-8g", "var-bad-entry4-crc", "empty-8g"]

    /// A log over several windows of 15420-slot logs with what readers must survive: bad CRCs
    /// and a bad seqnum on and off window boundaries, unnormal and escaping paths, a file under
    /// a file, duplicates of both kinds, an unknown type and a collision.
    static func hostileImage() throws -> [UInt8] {
        var image = try Fixture.imageBytes("empty-8g")
        let window = LogWindows.windowSlots(logSlots: 15420)
        let count = 3 * window + 29
        image.withUnsafeMutableBytes { bytes in
            let log = UnsafeMutableRawBufferPointer(rebasing: bytes[0x20_0000...])
            for i in 0..<count {
                let names = ["d\(i / 7)", "d\(i / 7)/f\(i)", "d\(i / 7)/../g\(i)", "../up\(i)", "d\(i / 7)/f\(i - 1)/x", "d\(i / 7)"]
                let path = Array(names[i % names.count].utf8)
                let unit = UInt64(i % 97 == 5 ? 0 : i)
                let body: LogEntry.Body
                switch i % 11 {
                case 0, 6: body = .directory(DirectoryEntry(uid: 0, gid: 0, mode: 0o755, path: path))
                case 10: body = .other(type: 9)
                default:
                    body = .file(FileEntry(size: 4096, uid: 0, gid: 0, mode: 0o644, path: path,
                                           extents: .simple([SimpleExtent(offset: (10 << 20) + unit * (2 << 20), length: 2 << 20)])))
                }
                let start = 48 + 544 * i
                LogEntry(seqnum: UInt64(i), body: body).encode(into: UnsafeMutableRawBufferPointer(rebasing: log[start..<start + 544]))
            }
            for bad in [window - 1, window, 2 * window + 3, count - 1] { log[48 + 544 * bad + 200] ^= 0x40 }
            log[48 + 544 * (2 * window + 9)] ^= 1
            var header = LogHeader(decoding: UnsafeRawBufferPointer(log))
            header.nextIndex = UInt64(count)
            header.nextSeqnum = UInt64(count)
            header.encode(into: log)
        }
        return image
    }

    static func imageFile(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-stream-\(UUID().uuidString).img").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Every image the tests compare on: the fixtures and the hostile log.
    static func images() throws -> [String] {
        try fixtures.map { try Fixture.imageFile($0) } + [imageFile(hostileImage())]
    }

    static func replay(_ options: Logplay.Options, _ run: (inout Logplay) throws -> Logplay.Report) throws
        -> (Logplay.Report, [Logplay.Line]) {
        var lines: [Logplay.Line] = []
        var logplay = try Logplay(options: options) { lines.append($0) }
        return (try run(&logplay), lines)
    }

    @Test func streamingLogplayEqualsTheScanOnEveryImage() throws {
        for image in try Self.images() {
            defer { try? FileManager.default.removeItem(atPath: image) }
            let log = try OpenedLog(path: image, access: .read, opener: VolumeOpener(mountTablePath: "/nonexistent"))
            let scan = try log.scan()
            for verbosity in [0, 2] {
                let options = Logplay.Options(destination: .none, verbosity: verbosity)
                let whole = try Self.replay(options) { $0.run(scan) }
                let streamed = try Self.replay(options) { try $0.run(log) }
                #expect(streamed.0 == whole.0, "\(image), -v \(verbosity)")
                #expect(streamed.1 == whole.1, "\(image), -v \(verbosity)")
            }
        }
    }

    /// The tree a replay builds (ReplayTree keyed by normalised paths) holds exactly what the
    /// log's namespace defines, each node as its first accepted entry made it (type, mode, and
    /// for --shadow the document), on the fixtures and the hostile log; a second replay finds
    /// it all and creates nothing.
    @Test func replayedTreesHoldWhatTheNamespaceDefines() throws {
        for image in try Self.images() {
            defer { try? FileManager.default.removeItem(atPath: image) }
            let log = try OpenedLog(path: image, access: .read, opener: VolumeOpener(mountTablePath: "/nonexistent"))
            var namespace = Namespace()
            var expected: [String: (directory: Bool, mode: UInt32, yaml: String?)] = [:]
            for entry in try log.scan().entries where namespace.apply(entry.body) == .created {
                let normal = String(decoding: Array(FamfsPath.normalize(logged: entry.path!)!.joined(separator: [FamfsPath.slash])), as: UTF8.self)
                switch entry.body {
                case .directory(let directory): expected[normal] = (true, directory.mode, nil)
                case .file(let file): expected[normal] = (false, file.mode, ShadowYAML.render(file))
                default: break
                }
            }
            let (dry, _) = try Self.replay(.init(destination: .none)) { try $0.run(log) }
            for shadow in [false, true] {
                let parent = FileManager.default.temporaryDirectory.appendingPathComponent("famctl-tree-\(UUID().uuidString)").path
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: false)
                defer { try? FileManager.default.removeItem(atPath: parent) }
                let options = Logplay.Options(destination: shadow ? .shadow(parent) : .into(parent))
                let (first, _) = try Self.replay(options) { try $0.run(log) }
                #expect(first.created == dry.wouldCreate, "\(image)")
                #expect(first.fileErrors == dry.fileErrors && first.directoryErrors == dry.directoryErrors, "\(image)")
                let root = shadow ? parent + "/root" : parent
                var found: [String: (directory: Bool, mode: UInt32, yaml: String?)] = [:]
                for case let relative as String in FileManager.default.enumerator(atPath: root)! {
                    let attributes = try FileManager.default.attributesOfItem(atPath: root + "/" + relative)
                    let directory = attributes[.type] as? FileAttributeType == .typeDirectory
                    let yaml = directory || !shadow ? nil : try String(contentsOfFile: root + "/" + relative, encoding: .utf8)
                    found[relative] = (directory, UInt32(attributes[.posixPermissions] as! Int), yaml)
                }
                #expect(found.count == expected.count, "\(image)")
                for (path, node) in expected {
                    let got = found[path]
                    #expect(got?.directory == node.directory && got?.mode == node.mode, "\(image): \(path)")
                    if shadow, !node.directory { #expect(got?.yaml == node.yaml, "\(image): \(path)") }
                }
                let (second, _) = try Self.replay(options) { try $0.run(log) }
                #expect(second.created == Logplay.Counts(), "\(image)")
                #expect(second.existed.files == first.created.files + first.existed.files, "\(image)")
                #expect(second.existed.directories == first.created.directories + first.existed.directories, "\(image)")
            }
        }
    }

    @Test func theHostileLogHasWhatItIsMeantToHave() throws {
        let image = try Self.imageFile(Self.hostileImage())
        defer { try? FileManager.default.removeItem(atPath: image) }
        let log = try OpenedLog(path: image, access: .read, opener: VolumeOpener(mountTablePath: "/nonexistent"))
        let (report, _) = try Self.replay(.init(destination: .none)) { try $0.run(log) }
        let window = UInt64(LogWindows.windowSlots(logSlots: 15420))
        #expect(report.badEntries.map(\.index) == [window - 1, window, 2 * window + 3, 2 * window + 9, 3 * window + 28])
        #expect(report.fileErrors > 0 && report.directoryErrors > 0)
        #expect(report.wouldCreate.files > 0 && report.wouldCreate.directories > 0)
    }

    @Test func streamingPlannerEqualsTheScanPlanner() throws {
        for image in try Self.images() {
            defer { try? FileManager.default.removeItem(atPath: image) }
            let log = try OpenedLog(path: image, access: .read, opener: VolumeOpener(mountTablePath: "/nonexistent"))
            let scan = try log.scan()
            let whole = EntryPlanner(superblock: log.superblock, scan: scan)
            let streamed = try EntryPlanner(log: log)
            #expect(streamed.namespace.count == whole.namespace.count, "\(image)")
            for entry in scan.entries {
                guard let path = entry.path, let components = FamfsPath.normalize(logged: path) else { continue }
                let normal = Array(components.joined(separator: [FamfsPath.slash]))
                #expect(streamed.namespace.node(at: normal) == whole.namespace.node(at: normal), "\(image)")
            }
            #expect(streamed.allocator.bitmap.words == whole.allocator.bitmap.words, "\(image)")
            #expect(streamed.allocator.bitmap.collisions == whole.allocator.bitmap.collisions, "\(image)")
            #expect(streamed.allocator.bitmap.setCount == whole.allocator.bitmap.setCount, "\(image)")
        }
    }

    /// The stream reads the log as the scan does: through guarded copies.
    @Test func streamingLogplayOfATruncatedImageIsAReadError() throws {
        let (image, log) = try MappingFaultTests.truncatedAfterOpening(.read)
        defer { try? FileManager.default.removeItem(atPath: image) }
        let error = #expect(throws: VolumeError.self) { try Self.replay(.init(destination: .none)) { try $0.run(log) } }
        guard case .device(.accessFault(image, 0x20_0030, _, writing: false))? = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
    }

    /// A full log is refused from the header: its slots (gone here, so any read of them
    /// would be a bus error) are never read.
    @Test func aFullLogIsRefusedWithoutReadingItsSlots() throws {
        var bytes = try Fixture.imageBytes("empty-8g")
        bytes.withUnsafeMutableBytes { bytes in
            let log = UnsafeMutableRawBufferPointer(rebasing: bytes[0x20_0000...])
            var header = LogHeader(decoding: UnsafeRawBufferPointer(log))
            header.nextIndex = header.slotCount
            header.nextSeqnum = header.slotCount
            header.encode(into: log)
        }
        let image = try Self.imageFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: image) }
        let log = try OpenedLog(path: image, access: .append, opener: VolumeOpener(mountTablePath: "/nonexistent"))
        #expect(truncate(image, 0x20_1000) == 0)
        #expect(throws: AppendError.logFull(device: image, used: 15420, slots: 15420, needed: 1)) { try log.requireFreeSlot() }
    }

    @Test func aLogWithAFreeSlotPassesTheHeaderCheck() throws {
        let image = try Fixture.imageFile("ref-8g")
        defer { try? FileManager.default.removeItem(atPath: image) }
        let log = try OpenedLog(path: image, access: .append, opener: VolumeOpener(mountTablePath: "/nonexistent"))
        try log.requireFreeSlot()
    }

    /// The stream maps the window ahead while it reads one and consumes the one before:
    /// windows are consumed whole and in order, at most three mappings are alive at once (the
    /// one being read, the one ahead and the one just read), and a window that cannot be
    /// mapped throws before the window ahead of it is consumed, as when mapping came between
    /// windows.
    @Test func windowsAreMappedAheadAndLetGoInOrder() throws {
        final class Mappings: @unchecked Sendable {
            let lock = NSLock()
            var alive = 0
            var most = 0
            func opened() { lock.withLock { alive += 1; most = max(most, alive) } }
            func closed() { lock.withLock { alive -= 1 } }
        }
        final class Mapping {
            let mappings: Mappings
            init(_ mappings: Mappings) { self.mappings = mappings; mappings.opened() }
            deinit { mappings.closed() }
        }
        struct Unmappable: Error, Equatable { let window: Int }
        let windowSlots = LogWindows.windowSlots(logSlots: 15420)
        let slots = 5 * windowSlots + 7
        let log = try Self.hostileImage()[0x20_0000...].withUnsafeBytes { Array($0) }
        let header = log.withUnsafeBytes { LogHeader(decoding: $0) }
        let geometry = LogEntry.Geometry(try Fixture.imageBytes("empty-8g").withUnsafeBytes { try Superblock.validate($0).get() })
        for failing in [nil, 0, 1, 3, 5] as [Int?] {
            let mappings = Mappings()
            var consumed: [Range<Int>] = []
            let error = log.withUnsafeBytes { log in
                let base = UncheckedSendable(log.baseAddress!)
                return #expect(throws: Unmappable.self) {
                    try LogWindows.stream(slots: slots, logSlots: Int(header.slotCount), geometry: geometry, window: { (indexes) throws(Unmappable) in
                        let window = indexes.lowerBound / windowSlots
                        if window == failing { throw Unmappable(window: window) }
                        let mapping = Mapping(mappings)
                        return LogWindows.SlotSource { (chunk, destination, crcs) throws(Unmappable) in
                            withExtendedLifetime(mapping) {
                                _ = cfamfs_guarded_copy_slots(destination, base.value + SlotRun.logRange(chunk).lowerBound,
                                                              chunk.count, Int(LogEntry.size), LogEntry.crcOffset, crcs)
                            }
                        }
                    }, consume: { consumed.append($0.run.indexes) })
                    if failing == nil { throw Unmappable(window: -1) }
                }
            }
            #expect(error == Unmappable(window: failing ?? -1))
            let expected = (0..<(failing.map { max(0, $0 - 1) } ?? 6)).map { $0 * windowSlots..<min(slots, ($0 + 1) * windowSlots) }
            #expect(consumed == expected, "window \(String(describing: failing)) unmappable")
            #expect(mappings.most <= 3 && mappings.alive == 0, "window \(String(describing: failing)) unmappable")
        }
    }

    /// The CRCs the guarded slot copy computes are zlib's, slot by slot, and the copy is exact.
    @Test func slotCopyCRCsAreZlibs() {
        var generator = SeededGenerator(seed: 13)
        let count = 37
        let source = (0..<count * 544).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        var copy = [UInt8](repeating: 0, count: source.count)
        var crcs = [UInt32](repeating: 0, count: count)
        let status = source.withUnsafeBytes { from in
            copy.withUnsafeMutableBytes { to in
                crcs.withUnsafeMutableBufferPointer { cfamfs_guarded_copy_slots(to.baseAddress!, from.baseAddress!, count, 544, 536, $0.baseAddress!) }
            }
        }
        #expect(status == 0)
        #expect(copy == source)
        for i in 0..<count {
            let expected = source.withUnsafeBytes { UInt32(crc32(0, $0.baseAddress!.assumingMemoryBound(to: UInt8.self) + 544 * i, 536)) }
            #expect(crcs[i] == expected)
        }
    }

    /// The CRC every architecture gets (the fold, or the table where the CPU cannot fold) on
    /// every length around the fold's block sizes.
    @Test func theCRCOfAnyLengthIsZlibs() {
        var generator = SeededGenerator(seed: 7)
        let bytes = (0..<700).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        bytes.withUnsafeBufferPointer { buffer in
            for length in 0...buffer.count {
                #expect(cfamfs_crc32_any(buffer.baseAddress!, length) == UInt32(crc32(0, buffer.baseAddress!, UInt32(length))))
            }
        }
    }
}
